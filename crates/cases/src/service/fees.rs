//! The seam with ePayment. A service with a fee, on a process that waits for payment (a
//! system transition `await_payment` from its first state), has its payment asked for in the
//! submission's own transaction, and the case waits in `waiting_payment`. When the payment is
//! paid, the payments block's outbox job ([`portico_payments::service::requests::PAID_JOB`])
//! reaches [`paid`], which moves the case on through the process as `Actor::System("payments")`
//! and sends the receipt to the payer's eDelivery mailbox, once, whatever the job's retries.
//! The same job counts the fee for insights with the application's service. On a process that
//! also waits for other people's consent, the fee is asked for once everyone has consented
//! ([`crate::service::consents::give_or_refuse`]), so nobody pays for an application a consent
//! still stops; without consents to wait for, on submitting.

use crate::model::Application;
use crate::process::ProcessRole;
use crate::service::applications::{self, ActingAs};
use crate::service::processes;
use crate::CasesError;
use async_trait::async_trait;
use portico_catalog::model::Service;
use portico_core::clock::to_millis;
use portico_core::{Actor, FieldError};
use portico_delivery::model::{Address, NewMessage};
use portico_delivery::service::messages;
use portico_payments::model::{Payment, PaymentState};
use portico_payments::service::accounts::Account;
use portico_payments::service::requests::{self as payment_requests, ForApplication};
use portico_payments::service::Payments;
use portico_store::jobs::JobHandler;
use portico_store::{Db, Tx};

/// The process's transition into waiting for the fee, and out of it.
pub const AWAIT: &str = "await_payment";
pub const RECEIVED: &str = "payment_received";

/// The state a case waits for its fee in.
pub const WAITING: &str = "waiting_payment";

/// What a submission needs to ask for the fee, read before its transaction.
#[derive(Debug, Clone)]
pub struct Fee {
    pub account: Account,
    pub amount_minor: i64,
    pub currency: String,
    pub obligor_id: String,
    pub reason: String,
}

/// Whether the service's process waits for a fee from its first state.
pub fn process_takes_payment(process_key: &str) -> Result<bool, CasesError> {
    let def = processes::get(process_key)?;
    Ok(def
        .available(&def.initial, ProcessRole::System)
        .iter()
        .any(|t| t.id == AWAIT))
}

/// The fee a submission must ask for, if the service has one and its process waits for it.
/// An administration that has not said where it is paid cannot take applications for a
/// service with a fee: the applicant is told, and nothing is submitted.
pub async fn fee_for(
    db: &Db,
    app: &Application,
    service: &Service,
    obligor_id: Option<&str>,
) -> Result<Option<Fee>, CasesError> {
    if service.facts.is_free() || !process_takes_payment(&app.process_key)? {
        return Ok(None);
    }
    let account = portico_payments::service::accounts::get(db, &service.administration_id)
        .await?
        .ok_or_else(|| CasesError::Invalid(vec![FieldError::new("fee", "fee.no_account")]))?;
    let obligor_id = obligor_id
        .ok_or_else(|| CasesError::Invalid(vec![FieldError::new("fee", "fee.no_personal_id")]))?;
    Ok(Some(Fee {
        account,
        amount_minor: service.facts.fee.minor,
        currency: service.facts.fee.currency.code().to_owned(),
        obligor_id: obligor_id.to_owned(),
        reason: format!("Такса / Fee: {}", service.facts.title.bg),
    }))
}

/// Inside the submission's transaction: the payment is asked for and the case waits for it.
pub async fn ask_in(
    tx: &mut Tx,
    app_id: &str,
    tracking_number: &str,
    fee: &Fee,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Payment, CasesError> {
    let input = ForApplication {
        administration_id: &fee.account.administration_id,
        amount_minor: fee.amount_minor,
        currency: &fee.currency,
        reason: &fee.reason,
        obligor_id: &fee.obligor_id,
        application_ref: tracking_number,
    };
    let payment =
        payment_requests::create_in(tx, &Actor::System("cases"), &fee.account, &input, now).await?;
    sqlx::query(
        "INSERT INTO application_payments (payment_id, application_id, created_at) VALUES ($1, $2, $3)",
    )
    .bind(&payment.id)
    .bind(app_id)
    .bind(to_millis(now))
    .execute(&mut **tx)
    .await?;
    applications::system_transition(tx, app_id, AWAIT, now).await?;
    Ok(payment)
}

/// The payments asked for an application, newest first (for its pages).
pub async fn payments_of(
    cases: &super::Cases,
    application_id: &str,
) -> Result<Vec<Payment>, CasesError> {
    let ids: Vec<(String,)> = sqlx::query_as(
        "SELECT payment_id FROM application_payments WHERE application_id = $1 \
         ORDER BY created_at DESC, payment_id",
    )
    .bind(application_id)
    .fetch_all(cases.db.pool())
    .await?;
    let ctx = payments_ctx(cases);
    let mut out = Vec::new();
    for (id,) in ids {
        let p = payment_requests::get(&ctx, &Actor::System("cases"), &id).await?;
        out.push(p.payment);
    }
    Ok(out)
}

fn payments_ctx(cases: &super::Cases) -> Payments {
    Payments::new(
        cases.db.clone(),
        cases.clock.clone(),
        cases.jobs_waker.clone(),
    )
}

/// The payment was paid: the case waiting for it moves on (as the payments system) and the
/// receipt goes to the payer's mailbox, in one transaction. Said again (the job retried, the
/// case moved on already, a payment not asked for by a case) it changes nothing.
pub async fn paid(cases: &super::Cases, payment_id: &str) -> Result<bool, CasesError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT application_id FROM application_payments WHERE payment_id = $1")
            .bind(payment_id)
            .fetch_optional(cases.db.pool())
            .await?;
    let payment = payment_requests::get(&payments_ctx(cases), &Actor::System("cases"), payment_id)
        .await?
        .payment;
    if !matches!(
        payment.state,
        PaymentState::Paid | PaymentState::RefundedPart | PaymentState::Refunded
    ) {
        return Ok(false);
    }
    let app = match &row {
        Some((application_id,)) => applications::get(&cases.db, application_id).await?,
        None => None,
    };
    count_paid(cases, &payment, app.as_ref()).await?;
    let Some(app) = app else {
        return Ok(false);
    };
    if app.state != WAITING {
        return Ok(false);
    }
    let actor = Actor::System("payments");
    let prepared = receipt(cases, &app, &payment).await?;
    let now = cases.now();
    let mut tx = cases.db.begin().await?;
    let current = applications::get_in_tx(&mut tx, &app.id).await?;
    if current.state != WAITING {
        return Ok(false);
    }
    let who = actor.audit_id();
    applications::transition(
        &mut tx,
        &app.id,
        current.version,
        ActingAs {
            account_id: &who,
            actor: ProcessRole::System,
        },
        RECEIVED,
        &crate::model::TransitionInput::default(),
        now,
    )
    .await?;
    if let Some(prepared) = prepared {
        messages::send_in(
            &mut tx,
            &cases.delivery(),
            &Actor::System("payments"),
            prepared,
        )
        .await?;
    }
    tx.commit().await?;
    cases.jobs_waker.notify_one();
    Ok(true)
}

/// The fee counted by insights, with the service of the application it was for (none when no
/// case asked for it): the `paid` event of a payment for an application is emitted here, from
/// the payments block's outbox job, rather than by payments, which know no service. Its id names
/// the payment, so the job's retries count it once; it is counted as of the payment's last
/// change (when it was paid, unless it was refunded since).
async fn count_paid(
    cases: &super::Cases,
    payment: &Payment,
    app: Option<&Application>,
) -> Result<(), CasesError> {
    use portico_insights::model::{Event as Measured, EventKind};
    let paid = Measured::of(
        &format!("paid:{}", payment.id),
        EventKind::Paid,
        app.map_or("", |a| a.service_id.as_str()),
        &payment.administration_id,
        payment.updated_at,
    );
    let now = cases.now();
    let mut tx = cases.db.begin().await?;
    portico_insights::service::events::emit(&mut tx, &paid, now).await?;
    tx.commit().await?;
    cases.jobs_waker.notify_one();
    Ok(())
}

pub(crate) fn amount(minor: i64, currency: &str) -> String {
    format!("{}.{:02} {currency}", minor / 100, minor % 100)
}

/// The receipt, to the applicant's personal mailbox, from the administration that was paid.
async fn receipt(
    cases: &super::Cases,
    app: &Application,
    payment: &Payment,
) -> Result<Option<messages::Prepared>, CasesError> {
    let Some(applicant) =
        portico_identity::service::accounts::get(&cases.db, &app.applicant_id).await?
    else {
        return Ok(None);
    };
    let Some(personal_id) = &applicant.personal_id else {
        return Ok(None);
    };
    let number = app.tracking_number.clone().unwrap_or_default();
    let sum = amount(payment.amount_minor, &payment.currency);
    let code = &payment.code;
    let at = portico_core::calendar::sofia_local(payment.updated_at)
        .format("%d.%m.%Y %H:%M")
        .to_string();
    let message = NewMessage {
        sender: super::delivery::sender(&cases.db, app).await?,
        recipients: vec![Address::person(
            personal_id.value(),
            Some(applicant.display_name()),
        )],
        subject: format!("Разписка за платена такса {number} / Receipt for the fee of {number}"),
        body: format!(
            "Получено плащане: {sum}, код на плащането {code}, на {at}, по заявление № {number}.\n\
             Получател: {name}, IBAN {iban}.\n\n\
             Payment received: {sum}, payment code {code}, on {at}, for application no. {number}.\n\
             Paid to: {name}, IBAN {iban}.",
            name = payment.beneficiary_name,
            iban = payment.iban,
        ),
        service_id: Some(app.service_id.clone()),
        application_id: Some(app.id.clone()),
        attachments: vec![],
        reply_to: None,
    };
    Ok(Some(
        messages::prepare(&cases.delivery(), &Actor::System("payments"), message).await?,
    ))
}

/// The handler of the payments block's outbox job.
pub struct PaidJob {
    pub cases: super::Cases,
}

#[async_trait]
impl JobHandler for PaidJob {
    async fn run(&self, payload: &serde_json::Value) -> Result<(), String> {
        let id = payload
            .get("payment_id")
            .and_then(|v| v.as_str())
            .unwrap_or("");
        paid(&self.cases, id)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}
