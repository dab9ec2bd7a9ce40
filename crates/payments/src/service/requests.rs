//! Payment requests: asked for by an administration's system (with an `Idempotency-Key`) or by
//! the service layer for a case; read by the administration and by the payer; moved through
//! their states only along the allowed transitions, each change audited and kept in the
//! request's history, which the payer sees.

use super::acting;
use super::Payments;
use crate::code;
use crate::error::PaymentError;
use crate::model::{NewPayment, Payment, PaymentEvent, PaymentState, PaymentWithHistory};
use crate::validate;
use chrono::{DateTime, Duration, Utc};
use portico_audit::Event;
use portico_core::clock::{from_millis, to_millis};
use portico_core::{new_id, Actor, Assurance, Eik, PersonalId};
use portico_store::jobs::{self, NewJob};
use portico_store::{Db, Tx};
use sha2::{Digest, Sha256};

/// What a payer needs to see their payments: their personal data is in them.
pub const READ_ASSURANCE: Assurance = Assurance::Substantial;

/// How long a request can be paid when its creator names no expiry.
pub const DEFAULT_VALIDITY: Duration = Duration::days(7);

/// The longest validity a request may have.
pub const MAX_VALIDITY: Duration = Duration::days(366);

/// The job that expires a request that was not paid in time.
pub const EXPIRE_JOB: &str = "payments_expire";

/// The job (the outbox) that tells the application a payment is for that it was paid. The
/// cases block handles it; its payload is `{"payment_id", "application_ref"}`.
pub const PAID_JOB: &str = "payments_paid";

/// A created request, and whether it was made before (the same `Idempotency-Key` and request).
#[derive(Debug, Clone)]
pub struct Created {
    pub payment: PaymentWithHistory,
    pub replayed: bool,
}

/// A request checked and in canonical form, before it is written.
struct Checked {
    administration_id: String,
    amount_minor: i64,
    currency: String,
    reason: String,
    beneficiary_name: String,
    iban: String,
    bic: String,
    obligor_id: String,
    application_ref: Option<String>,
    expires_at: DateTime<Utc>,
}

fn text(s: &str, max: usize, code: &'static str) -> Result<String, PaymentError> {
    let s = s.trim();
    if s.is_empty() || s.chars().count() > max || s.chars().any(char::is_control) {
        return Err(PaymentError::Invalid(code));
    }
    Ok(s.to_owned())
}

fn obligor(s: &str) -> Result<String, PaymentError> {
    let s = s.trim();
    let ok = PersonalId::parse_egn(s).is_ok()
        || PersonalId::parse_lnch(s).is_ok()
        || Eik::parse(s).is_ok();
    ok.then(|| s.to_owned())
        .ok_or(PaymentError::Invalid("obligor_invalid"))
}

fn check(actor: &Actor, input: &NewPayment, now: DateTime<Utc>) -> Result<Checked, PaymentError> {
    let administration_id = acting::administration(actor, input.administration_id.as_deref())?;
    let (currency, _) = validate::currency(input.currency.as_deref())
        .ok_or(PaymentError::Invalid("currency_invalid"))?;
    if input.amount_minor <= 0 || input.amount_minor > 100_000_000_000 {
        return Err(PaymentError::Invalid("amount_invalid"));
    }
    // SEPA's unstructured remittance information is 140 characters; a name 70.
    let reason = text(&input.reason, 140, "reason_invalid")?;
    let beneficiary_name = text(&input.beneficiary_name, 70, "beneficiary_invalid")?;
    let iban = validate::iban(&input.iban).ok_or(PaymentError::Invalid("iban_invalid"))?;
    let bic = validate::bic(&input.bic).ok_or(PaymentError::Invalid("bic_invalid"))?;
    let obligor_id = obligor(&input.obligor_id)?;
    let application_ref = match input.application_ref.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(r) => Some(text(r, 100, "application_ref_invalid")?),
    };
    let expires_at = input.expires_at.unwrap_or(now + DEFAULT_VALIDITY);
    if expires_at <= now || expires_at > now + MAX_VALIDITY {
        return Err(PaymentError::Invalid("expiry_invalid"));
    }
    Ok(Checked {
        administration_id,
        amount_minor: input.amount_minor,
        currency,
        reason,
        beneficiary_name,
        iban,
        bic,
        obligor_id,
        application_ref,
        expires_at,
    })
}

fn idempotency_key(key: Option<&str>) -> Result<Option<String>, PaymentError> {
    match key.map(str::trim) {
        None => Ok(None),
        Some(k) if !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| b.is_ascii_graphic()) => {
            Ok(Some(k.to_owned()))
        }
        Some(_) => Err(PaymentError::Invalid("idempotency_key_invalid")),
    }
}

fn fingerprint(c: &Checked) -> String {
    let canonical = serde_json::json!([
        c.amount_minor,
        c.currency,
        c.reason,
        c.beneficiary_name,
        c.iban,
        c.bic,
        c.obligor_id,
        c.application_ref,
        to_millis(c.expires_at),
    ]);
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

async fn replay(
    db: &Db,
    administration_id: &str,
    key: &str,
    fingerprint: &str,
) -> Result<Option<String>, PaymentError> {
    // Through the writer: after a race on the key, the winner's row may not be committed yet.
    let row: Option<(String, String)> = db
        .read_latest(
            sqlx::query_as(
                "SELECT fingerprint, request_id FROM payments_idempotency \
                 WHERE administration_id = $1 AND idem_key = $2",
            )
            .bind(administration_id)
            .bind(key),
        )
        .await?;
    match row {
        None => Ok(None),
        Some((f, id)) if f == fingerprint => Ok(Some(id)),
        Some(_) => Err(PaymentError::IdempotencyKeyReused),
    }
}

/// Asks for a payment. An administration's system gives an `Idempotency-Key`: the same key with
/// the same request answers the payment made the first time (`replayed`), with a different
/// request it is refused and nothing changes. Invalid input changes nothing.
pub async fn create(
    ctx: &Payments,
    actor: &Actor,
    input: &NewPayment,
    key: Option<&str>,
) -> Result<Created, PaymentError> {
    let now = ctx.now();
    let checked = check(actor, input, now)?;
    let key = idempotency_key(key)?;
    let print = fingerprint(&checked);
    if let Some(key) = &key {
        if let Some(id) = replay(&ctx.db, &checked.administration_id, key, &print).await? {
            return Ok(Created {
                payment: read(&ctx.db, &id).await?.ok_or(PaymentError::NotFound)?,
                replayed: true,
            });
        }
    }
    let id = new_id();
    let mut attempt = 0;
    loop {
        attempt += 1;
        match insert(ctx, actor, &id, &checked, key.as_deref(), &print, now).await {
            Ok(()) => break,
            Err(PaymentError::Store(e)) if e.is_unique_violation() => {
                // Either the same key raced us (answer its payment) or, rarely, a payment code
                // was taken (draw another).
                if let Some(key) = &key {
                    if let Some(id) =
                        replay(&ctx.db, &checked.administration_id, key, &print).await?
                    {
                        return Ok(Created {
                            payment: read(&ctx.db, &id).await?.ok_or(PaymentError::NotFound)?,
                            replayed: true,
                        });
                    }
                }
                if attempt >= 5 {
                    return Err(PaymentError::Internal("no free payment code".into()));
                }
            }
            Err(e) => return Err(e),
        }
    }
    ctx.jobs_waker.notify_one();
    Ok(Created {
        payment: read(&ctx.db, &id).await?.ok_or(PaymentError::NotFound)?,
        replayed: false,
    })
}

async fn insert(
    ctx: &Payments,
    actor: &Actor,
    id: &str,
    c: &Checked,
    key: Option<&str>,
    print: &str,
    now: DateTime<Utc>,
) -> Result<(), PaymentError> {
    let payment_code = code::generate();
    let mut tx = ctx.db.begin().await?;
    insert_in(&mut tx, actor, id, &payment_code, c, key, print, now).await?;
    tx.commit().await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn insert_in(
    tx: &mut Tx,
    actor: &Actor,
    id: &str,
    payment_code: &str,
    c: &Checked,
    key: Option<&str>,
    print: &str,
    now: DateTime<Utc>,
) -> Result<(), PaymentError> {
    let at = to_millis(now);
    sqlx::query(
        "INSERT INTO payments_requests (id, administration_id, code, amount_minor, currency, \
         reason, beneficiary_name, iban, bic, obligor_id, application_ref, state, \
         refunded_minor, expires_at, created_by, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, $13, $14, $15, $15, 1)",
    )
    .bind(id)
    .bind(&c.administration_id)
    .bind(payment_code)
    .bind(c.amount_minor)
    .bind(&c.currency)
    .bind(&c.reason)
    .bind(&c.beneficiary_name)
    .bind(&c.iban)
    .bind(&c.bic)
    .bind(&c.obligor_id)
    .bind(&c.application_ref)
    .bind(PaymentState::Created.as_str())
    .bind(to_millis(c.expires_at))
    .bind(actor.audit_id())
    .bind(at)
    .execute(&mut **tx)
    .await?;
    if let Some(key) = key {
        sqlx::query(
            "INSERT INTO payments_idempotency (administration_id, idem_key, fingerprint, \
             request_id, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&c.administration_id)
        .bind(key)
        .bind(print)
        .bind(id)
        .bind(at)
        .execute(&mut **tx)
        .await?;
    }
    record(tx, id, None, PaymentState::Created, None, None, actor, now).await?;
    portico_audit::append(
        tx,
        Event::new(&actor.audit_id(), "payments.created", id)
            .in_administration(&c.administration_id)
            .with(serde_json::json!({
                "code": payment_code, "amount_minor": c.amount_minor, "currency": c.currency,
                "application_ref": c.application_ref, "expires_at": to_millis(c.expires_at),
            })),
        now,
    )
    .await?;
    let mut expire = NewJob::now(EXPIRE_JOB, serde_json::json!({ "payment_id": id }), now);
    expire.run_at = c.expires_at;
    jobs::enqueue(tx, expire, now).await?;
    Ok(())
}

/// What the platform asks to be paid for an application (a service's fee).
#[derive(Debug, Clone)]
pub struct ForApplication<'a> {
    pub administration_id: &'a str,
    pub amount_minor: i64,
    pub currency: &'a str,
    pub reason: &'a str,
    /// Who pays: the applicant's personal identifier.
    pub obligor_id: &'a str,
    /// The application's tracking number.
    pub application_ref: &'a str,
}

/// Creates the payment for an application inside the caller's transaction (the submission's),
/// made out to the administration's bank account ([`super::accounts`]), read by the caller
/// before its transaction. The platform only (`Actor::System`).
pub async fn create_in(
    tx: &mut Tx,
    actor: &Actor,
    account: &super::accounts::Account,
    input: &ForApplication<'_>,
    now: DateTime<Utc>,
) -> Result<Payment, PaymentError> {
    if !matches!(actor, Actor::System(_)) || account.administration_id != input.administration_id {
        return Err(PaymentError::NotAPaymentClient);
    }
    let new = NewPayment {
        administration_id: Some(input.administration_id.to_owned()),
        amount_minor: input.amount_minor,
        currency: Some(input.currency.to_owned()),
        reason: input.reason.chars().take(140).collect(),
        beneficiary_name: account.beneficiary_name.clone(),
        iban: account.iban.clone(),
        bic: account.bic.clone(),
        obligor_id: input.obligor_id.to_owned(),
        application_ref: Some(input.application_ref.to_owned()),
        expires_at: None,
    };
    let checked = check(actor, &new, now)?;
    let print = fingerprint(&checked);
    let id = new_id();
    // A code already taken is drawn again before the insert: on PostgreSQL a failed insert
    // would end the caller's whole transaction.
    let mut payment_code = code::generate();
    for _ in 0..5 {
        let taken: Option<(String,)> =
            sqlx::query_as("SELECT id FROM payments_requests WHERE code = $1")
                .bind(&payment_code)
                .fetch_optional(&mut **tx)
                .await?;
        if taken.is_none() {
            break;
        }
        payment_code = code::generate();
    }
    insert_in(tx, actor, &id, &payment_code, &checked, None, &print, now).await?;
    read_in(tx, &id).await?.ok_or(PaymentError::NotFound)
}

#[allow(clippy::too_many_arguments)]
async fn record(
    tx: &mut Tx,
    id: &str,
    from: Option<PaymentState>,
    to: PaymentState,
    amount_minor: Option<i64>,
    note: Option<&str>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(), PaymentError> {
    sqlx::query(
        "INSERT INTO payments_events (id, request_id, from_state, to_state, amount_minor, actor, \
         note, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(id)
    .bind(from.map(PaymentState::as_str))
    .bind(to.as_str())
    .bind(amount_minor)
    .bind(actor.audit_id())
    .bind(note)
    .bind(to_millis(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A change asked of a payment: to which state, with which amount (a refund's), and why.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub to: PaymentState,
    pub amount_minor: Option<i64>,
    pub note: Option<&'a str>,
}

/// Moves a payment to another state inside the caller's transaction, when the transition is
/// allowed and the payment is still at `version` (as read by the caller). Records the history
/// and the audit entry. Returns the new version.
pub async fn change_in(
    tx: &mut Tx,
    actor: &Actor,
    payment: &Payment,
    change: &Change<'_>,
    now: DateTime<Utc>,
) -> Result<i64, PaymentError> {
    let from = payment.state;
    if !from.may_become(change.to) {
        return Err(PaymentError::NotAllowed {
            from: from.as_str(),
            to: change.to.as_str(),
        });
    }
    let refunded = match change.to {
        PaymentState::RefundedPart | PaymentState::Refunded => {
            payment.refunded_minor + change.amount_minor.unwrap_or(0)
        }
        _ => payment.refunded_minor,
    };
    let done = sqlx::query(
        "UPDATE payments_requests SET state = $1, refunded_minor = $2, updated_at = $3, \
         version = version + 1 WHERE id = $4 AND version = $5",
    )
    .bind(change.to.as_str())
    .bind(refunded)
    .bind(to_millis(now))
    .bind(&payment.id)
    .bind(payment.version)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(PaymentError::Conflict);
    }
    // The administration's own system is told, at least once, by a job committed with the change.
    super::notify::enqueue_in(tx, payment, change.to, refunded, payment.version + 1, now).await?;
    record(
        tx,
        &payment.id,
        Some(from),
        change.to,
        change.amount_minor,
        change.note,
        actor,
        now,
    )
    .await?;
    portico_audit::append(
        tx,
        Event::new(&actor.audit_id(), "payments.state_changed", &payment.id)
            .in_administration(&payment.administration_id)
            .with(serde_json::json!({
                "code": payment.code, "from": from.as_str(), "to": change.to.as_str(),
                "amount_minor": change.amount_minor, "note": change.note,
            })),
        now,
    )
    .await?;
    if change.to == PaymentState::Paid {
        // A fee for no application counts for its administration (payments know no service).
        // A fee for an application is counted by the cases block when this payment's job reaches
        // it (`portico_cases::service::fees::paid`), with the application's service.
        if payment.application_ref.is_none() {
            use portico_insights::model::{Event as Measured, EventKind};
            let paid = Measured::of(
                &format!("paid:{}", payment.id),
                EventKind::Paid,
                "",
                &payment.administration_id,
                now,
            );
            portico_insights::service::events::emit(tx, &paid, now).await?;
        }
        // The outbox: whoever waits for this payment (the application it is for) is told by a
        // job committed with the change, at least once.
        if let Some(application_ref) = &payment.application_ref {
            let told = NewJob::now(
                PAID_JOB,
                serde_json::json!({ "payment_id": payment.id, "application_ref": application_ref }),
                now,
            );
            jobs::enqueue(tx, told, now).await?;
        }
    }
    Ok(payment.version + 1)
}

/// Moves a payment in its own transaction (see [`change_in`]), re-reading it first.
pub async fn change(
    ctx: &Payments,
    actor: &Actor,
    id: &str,
    change: &Change<'_>,
) -> Result<PaymentWithHistory, PaymentError> {
    let now = ctx.now();
    let mut tx = ctx.db.begin().await?;
    let payment = read_in(&mut tx, id).await?.ok_or(PaymentError::NotFound)?;
    if !acting::works_for(actor, &payment.administration_id) {
        return Err(PaymentError::NotFound);
    }
    change_in(&mut tx, actor, &payment, change, now).await?;
    tx.commit().await?;
    read(&ctx.db, id).await?.ok_or(PaymentError::NotFound)
}

/// The administration withdraws a request that was not paid.
pub async fn cancel(
    ctx: &Payments,
    actor: &Actor,
    id: &str,
    note: Option<&str>,
) -> Result<PaymentWithHistory, PaymentError> {
    let note = note.map(|n| text(n, 500, "note_invalid")).transpose()?;
    let c = Change {
        to: PaymentState::Cancelled,
        amount_minor: None,
        note: note.as_deref(),
    };
    change(ctx, actor, id, &c).await
}

/// The administration pays back part or all of a paid amount (what is left of it). A payment
/// paid by card is refunded through its card provider (`provider`), across the network, before
/// the refund is recorded: a provider that refuses or does not answer changes nothing
/// (`refund_refused`, `provider_unavailable`). A payment paid by bank transfer is recorded as
/// refunded, for a person to pay the money out from the administration's account.
pub async fn refund(
    ctx: &Payments,
    provider: Option<&dyn crate::provider::CardProvider>,
    actor: &Actor,
    id: &str,
    amount_minor: i64,
    note: Option<&str>,
) -> Result<PaymentWithHistory, PaymentError> {
    let note = note.map(|n| text(n, 500, "note_invalid")).transpose()?;
    let now = ctx.now();
    let payment = read(&ctx.db, id)
        .await?
        .ok_or(PaymentError::NotFound)?
        .payment;
    if !acting::works_for(actor, &payment.administration_id) {
        return Err(PaymentError::NotFound);
    }
    let left = payment.amount_minor - payment.refunded_minor;
    if amount_minor <= 0 || amount_minor > left {
        return Err(PaymentError::Invalid("refund_amount_invalid"));
    }
    let to = if amount_minor == left {
        PaymentState::Refunded
    } else {
        PaymentState::RefundedPart
    };
    if !payment.state.may_become(to) {
        return Err(PaymentError::NotAllowed {
            from: payment.state.as_str(),
            to: to.as_str(),
        });
    }
    // Money taken by card goes back through the card provider before the refund is recorded;
    // the refund's id names the payment's version, so a retry after a failure to record is
    // the same refund at the provider, and a racing refund of the same version is refused
    // below as a conflict without a second one being recorded.
    let sent = match super::card::captured_session(&ctx.db, &payment.id).await? {
        Some((name, session)) => {
            let provider = provider
                .filter(|p| p.name() == name)
                .ok_or(PaymentError::ProviderUnavailable)?;
            let request = crate::provider::RefundRequest {
                refund_id: format!("{}-v{}", payment.id, payment.version),
                session_id: session,
                amount_minor,
                currency: payment.currency.clone(),
            };
            Some(super::card::send_refund(provider, &request, now).await?)
        }
        None => None,
    };
    let text = match (&sent, note.as_deref()) {
        (Some(r), Some(n)) => Some(format!("{n} — card refund {r}")),
        (Some(r), None) => Some(format!("card refund {r}")),
        (None, n) => n.map(str::to_owned),
    };
    let mut tx = ctx.db.begin().await?;
    let c = Change {
        to,
        amount_minor: Some(amount_minor),
        note: text.as_deref(),
    };
    change_in(&mut tx, actor, &payment, &c, now).await?;
    tx.commit().await?;
    read(&ctx.db, id).await?.ok_or(PaymentError::NotFound)
}

/// A payment as its administration (or the platform) sees it; to anyone else it does not exist.
/// A payer reads their own through [`for_payer`].
pub async fn get(
    ctx: &Payments,
    actor: &Actor,
    id: &str,
) -> Result<PaymentWithHistory, PaymentError> {
    let payment = read(&ctx.db, id).await?.ok_or(PaymentError::NotFound)?;
    if acting::works_for(actor, &payment.payment.administration_id) {
        return Ok(payment);
    }
    if let Some(own) = payer_id(ctx, actor).await? {
        if own == payment.payment.obligor_id {
            return Ok(payment);
        }
    }
    Err(PaymentError::NotFound)
}

/// The payments of an application, for the platform (the cases block) and its administration.
pub async fn for_application(
    ctx: &Payments,
    actor: &Actor,
    application_ref: &str,
) -> Result<Vec<PaymentWithHistory>, PaymentError> {
    let ids: Vec<(String,)> = sqlx::query_as(
        "SELECT id FROM payments_requests WHERE application_ref = $1 ORDER BY created_at, id",
    )
    .bind(application_ref)
    .fetch_all(ctx.db.pool())
    .await?;
    let mut out = Vec::new();
    for (id,) in ids {
        if let Some(p) = read(&ctx.db, &id).await? {
            if acting::works_for(actor, &p.payment.administration_id) {
                out.push(p);
            }
        }
    }
    Ok(out)
}

/// The personal identifier of the person the actor handles the affairs of (their own, or their
/// principal's under a mandate), when it is a person of [`READ_ASSURANCE`].
async fn payer_id(ctx: &Payments, actor: &Actor) -> Result<Option<String>, PaymentError> {
    let Some(account_id) = actor.principal_account_id() else {
        return Ok(None);
    };
    actor.require(READ_ASSURANCE)?;
    let account = portico_identity::service::accounts::get(&ctx.db, account_id).await?;
    Ok(account
        .and_then(|a| a.personal_id)
        .map(|p| p.value().to_owned()))
}

/// Whether the actor is (or acts under a mandate for) the person who owes `payment`.
pub async fn is_payer(
    ctx: &Payments,
    actor: &Actor,
    payment: &Payment,
) -> Result<bool, PaymentError> {
    Ok(payer_id(ctx, actor)
        .await?
        .is_some_and(|own| own == payment.obligor_id))
}

/// The payments a person owes or has paid, newest first, each with its history.
pub async fn for_payer(
    ctx: &Payments,
    actor: &Actor,
) -> Result<Vec<PaymentWithHistory>, PaymentError> {
    if actor.principal_account_id().is_none() {
        return Err(PaymentError::NotFound);
    }
    let Some(own) = payer_id(ctx, actor).await? else {
        return Ok(Vec::new());
    };
    let ids: Vec<(String,)> = sqlx::query_as(
        "SELECT id FROM payments_requests WHERE obligor_id = $1 \
         ORDER BY created_at DESC, id DESC LIMIT 200",
    )
    .bind(&own)
    .fetch_all(ctx.db.pool())
    .await?;
    let mut out = Vec::new();
    for (id,) in ids {
        if let Some(p) = read(&ctx.db, &id).await? {
            out.push(p);
        }
    }
    Ok(out)
}

#[derive(sqlx::FromRow)]
pub(crate) struct Row {
    id: String,
    administration_id: String,
    code: String,
    amount_minor: i64,
    currency: String,
    reason: String,
    beneficiary_name: String,
    iban: String,
    bic: String,
    obligor_id: String,
    application_ref: Option<String>,
    state: String,
    refunded_minor: i64,
    expires_at: i64,
    created_at: i64,
    updated_at: i64,
    version: i64,
}

pub(crate) const COLUMNS: &str = "id, administration_id, code, amount_minor, currency, reason, \
     beneficiary_name, iban, bic, obligor_id, application_ref, state, refunded_minor, \
     expires_at, created_at, updated_at, version";

pub(crate) fn payment_from(r: Row) -> Result<Payment, PaymentError> {
    Ok(Payment {
        state: PaymentState::parse(&r.state)
            .ok_or_else(|| PaymentError::Internal(format!("unknown state {}", r.state)))?,
        id: r.id,
        administration_id: r.administration_id,
        code: r.code,
        amount_minor: r.amount_minor,
        currency: r.currency,
        reason: r.reason,
        beneficiary_name: r.beneficiary_name,
        iban: r.iban,
        bic: r.bic,
        obligor_id: r.obligor_id,
        application_ref: r.application_ref,
        refunded_minor: r.refunded_minor,
        expires_at: from_millis(r.expires_at),
        created_at: from_millis(r.created_at),
        updated_at: from_millis(r.updated_at),
        version: r.version,
    })
}

/// A payment inside a transaction (what a change reads before it writes).
pub async fn read_in(tx: &mut Tx, id: &str) -> Result<Option<Payment>, PaymentError> {
    let sql = format!("SELECT {COLUMNS} FROM payments_requests WHERE id = $1");
    let row: Option<Row> = sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    row.map(payment_from).transpose()
}

type EventRow = (Option<String>, String, Option<i64>, Option<String>, i64);

/// A payment with its history, unchecked (callers check who may see it).
pub(crate) async fn read(db: &Db, id: &str) -> Result<Option<PaymentWithHistory>, PaymentError> {
    let sql = format!("SELECT {COLUMNS} FROM payments_requests WHERE id = $1");
    let row: Option<Row> = sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let payment = payment_from(row)?;
    let events: Vec<EventRow> = sqlx::query_as(
        "SELECT from_state, to_state, amount_minor, note, at FROM payments_events \
         WHERE request_id = $1 ORDER BY at, id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    let history = events
        .into_iter()
        .filter_map(|(from, to, amount_minor, note, at)| {
            Some(PaymentEvent {
                from_state: from.as_deref().and_then(PaymentState::parse),
                to_state: PaymentState::parse(&to)?,
                amount_minor,
                note,
                at: from_millis(at),
            })
        })
        .collect();
    Ok(Some(PaymentWithHistory { payment, history }))
}
