//! The bank account each administration is paid into: what a payment the platform asks for an
//! application (a service's fee) is made out to.

use super::Payments;
use crate::error::PaymentError;
use crate::validate;
use portico_core::clock::to_millis;
use portico_core::Actor;
use portico_store::Db;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub administration_id: String,
    pub beneficiary_name: String,
    pub iban: String,
    pub bic: String,
}

/// Sets where an administration is paid. The platform (the demo, an onboarding job) or the
/// administration's own payments client may do it.
pub async fn set(
    ctx: &Payments,
    actor: &Actor,
    administration_id: &str,
    beneficiary_name: &str,
    iban: &str,
    bic: &str,
) -> Result<Account, PaymentError> {
    if !super::acting::works_for(actor, administration_id) {
        return Err(PaymentError::NotAPaymentClient);
    }
    let name = beneficiary_name.trim();
    if name.is_empty() || name.chars().count() > 70 || name.chars().any(char::is_control) {
        return Err(PaymentError::Invalid("beneficiary_invalid"));
    }
    let iban = validate::iban(iban).ok_or(PaymentError::Invalid("iban_invalid"))?;
    let bic = validate::bic(bic).ok_or(PaymentError::Invalid("bic_invalid"))?;
    let now = to_millis(ctx.now());
    let mut tx = ctx.db.begin().await?;
    let updated = sqlx::query(
        "UPDATE payments_accounts SET beneficiary_name = $1, iban = $2, bic = $3, updated_at = $4 \
         WHERE administration_id = $5",
    )
    .bind(name)
    .bind(&iban)
    .bind(&bic)
    .bind(now)
    .bind(administration_id)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        sqlx::query(
            "INSERT INTO payments_accounts (administration_id, beneficiary_name, iban, bic, updated_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(administration_id)
        .bind(name)
        .bind(&iban)
        .bind(&bic)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    portico_audit::append(
        &mut tx,
        portico_audit::Event::new(&actor.audit_id(), "payments.account_set", administration_id)
            .in_administration(administration_id)
            .with(serde_json::json!({ "iban": iban, "bic": bic })),
        ctx.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(Account {
        administration_id: administration_id.to_owned(),
        beneficiary_name: name.to_owned(),
        iban,
        bic,
    })
}

/// Where an administration is paid, if it said.
pub async fn get(db: &Db, administration_id: &str) -> Result<Option<Account>, PaymentError> {
    let row: Option<(String, String, String)> = sqlx::query_as(
        "SELECT beneficiary_name, iban, bic FROM payments_accounts WHERE administration_id = $1",
    )
    .bind(administration_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|(beneficiary_name, iban, bic)| Account {
        administration_id: administration_id.to_owned(),
        beneficiary_name,
        iban,
        bic,
    }))
}
