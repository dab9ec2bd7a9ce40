//! "My data and who looked at it": what each base register holds about the signed-in person, every
//! query about them (deferred ones from their date on, with the reason), and their requests to
//! correct a value, which go to the register's owner with a deadline.

use super::Registries;
use crate::error::RegistryError;
use crate::model::{Correction, MyData, NewCorrection};
use portico_audit::Event;
use portico_core::clock::to_millis;
use portico_core::{new_id, Actor, Assurance};
use serde_json::{json, Value};

/// How long a register's owner has to answer a correction request.
pub const CORRECTION_DAYS: i64 = 14;

/// The person's identifier, once their session is of substantial assurance.
async fn own_identifier(
    ctx: &Registries,
    actor: &Actor,
) -> Result<(String, String), RegistryError> {
    actor.require(Assurance::Substantial)?;
    let account_id = actor.account_id().ok_or(RegistryError::Forbidden)?;
    let account = portico_identity::service::accounts::get(&ctx.db, account_id)
        .await?
        .ok_or(RegistryError::NotFound)?;
    let id = account.personal_id.ok_or(RegistryError::NotFound)?;
    Ok((account_id.to_owned(), id.value().to_owned()))
}

pub async fn show(ctx: &Registries, actor: &Actor) -> Result<MyData, RegistryError> {
    let (account_id, egn) = own_identifier(ctx, actor).await?;
    let now = to_millis(ctx.clock.now());
    let person = super::adapters::person(ctx, &egn).await?;
    let owned: Vec<(String,)> = sqlx::query_as(
        "SELECT address_code FROM registries_address_owners WHERE owner_egn = $1 ORDER BY address_code",
    )
    .bind(&egn)
    .fetch_all(ctx.db.pool())
    .await?;
    let mut addresses = Vec::new();
    for (code,) in owned {
        if let Some(a) = super::adapters::address(ctx, &code, Some(&egn)).await? {
            addresses.push(a);
        }
    }
    let represented: Vec<(String,)> =
        sqlx::query_as("SELECT eik FROM registries_representatives WHERE egn = $1 ORDER BY eik")
            .bind(&egn)
            .fetch_all(ctx.db.pool())
            .await?;
    let mut companies = Vec::new();
    for (eik,) in represented {
        if let Some(c) = super::adapters::company(ctx, &eik).await? {
            companies.push(c);
        }
    }
    Ok(MyData {
        records: json!({
            "population": person.unwrap_or(Value::Null),
            "addresses": addresses,
            "commercial": companies,
        }),
        queries: super::log::for_subject(&ctx.db, &ctx.subject_hash(&egn), now).await?,
        corrections: corrections(ctx, &account_id).await?,
    })
}

async fn corrections(ctx: &Registries, account_id: &str) -> Result<Vec<Correction>, RegistryError> {
    type Row = (
        String,
        String,
        String,
        String,
        String,
        i64,
        i64,
        Option<i64>,
        Option<String>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT c.id, r.code, c.field, c.proposed_value, c.reason, c.created_at, c.deadline_at, \
         c.answered_at, c.answer FROM registries_corrections c JOIN registries_registers r \
         ON r.id = c.register_id WHERE c.account_id = $1 ORDER BY c.created_at DESC, c.id DESC",
    )
    .bind(account_id)
    .fetch_all(ctx.db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                register_code,
                field,
                proposed_value,
                reason,
                created_at,
                deadline_at,
                answered_at,
                answer,
            )| Correction {
                id,
                register_code,
                field,
                proposed_value,
                reason,
                created_at,
                deadline_at,
                answered_at,
                answer,
            },
        )
        .collect())
}

/// The person asks the register's owner to correct a value; the owner has
/// [`CORRECTION_DAYS`] days to answer. Audited in the owner's administration.
pub async fn request_correction(
    ctx: &Registries,
    actor: &Actor,
    input: &NewCorrection,
) -> Result<Correction, RegistryError> {
    let (account_id, egn) = own_identifier(ctx, actor).await?;
    let field = input.field.trim();
    let proposed = input.proposed_value.trim();
    let reason = input.reason.trim();
    if field.is_empty() || field.len() > 100 {
        return Err(RegistryError::Invalid("correction_field"));
    }
    if proposed.is_empty() || proposed.len() > 500 {
        return Err(RegistryError::Invalid("correction_value"));
    }
    if reason.is_empty() || reason.len() > 2000 {
        return Err(RegistryError::Invalid("correction_reason"));
    }
    let register: Option<(String, String)> = sqlx::query_as(
        "SELECT id, owner_administration_id FROM registries_registers WHERE code = $1",
    )
    .bind(input.register.trim())
    .fetch_optional(ctx.db.pool())
    .await?;
    let (register_id, owner) = register.ok_or(RegistryError::Invalid("correction_register"))?;
    let now = ctx.clock.now();
    let deadline = now + chrono::Duration::days(CORRECTION_DAYS);
    let id = new_id().to_string();
    let mut tx = ctx.db.begin().await?;
    sqlx::query(
        "INSERT INTO registries_corrections (id, register_id, account_id, subject_hash, field, \
         proposed_value, reason, created_at, deadline_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(&register_id)
    .bind(&account_id)
    .bind(ctx.subject_hash(&egn))
    .bind(field)
    .bind(proposed)
    .bind(reason)
    .bind(to_millis(now))
    .bind(to_millis(deadline))
    .execute(&mut *tx)
    .await?;
    portico_audit::append(
        &mut tx,
        Event::new(&actor.audit_id(), "registries.correction_requested", &id)
            .in_administration(&owner)
            .with(json!({ "register": input.register.trim(), "field": field })),
        now,
    )
    .await?;
    tx.commit().await?;
    corrections(ctx, &account_id)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(RegistryError::NotFound)
}
