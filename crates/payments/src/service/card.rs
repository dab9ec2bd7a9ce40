//! Paying by card: the payer is sent to the provider's hosted page (the payment becomes
//! `started`), comes back, and the provider's signed callbacks move the payment on, only along
//! the allowed transitions. Each callback is recorded once by its event id, so one delivered
//! twice changes nothing; one that arrives after a later step (out of order) is recorded as
//! stale; one that cannot be applied (its amount or currency differs, the money came after the
//! payment expired or was closed, an unknown session) is kept for a person to resolve.

use super::requests::{self, Change};
use super::Payments;
use crate::error::PaymentError;
use crate::model::{Payment, PaymentState};
use crate::provider::{Callback, CardProvider, CardStatus, ProviderError, SessionRequest};
use chrono::{DateTime, Utc};
use portico_core::clock::to_millis;
use portico_core::Actor;
use portico_store::Tx;

/// What a verified callback did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The payment moved on.
    Applied,
    /// The card was declined; the payment can still be paid with another card.
    Declined,
    /// The same event was received before.
    Duplicate,
    /// An earlier step arrived after a later one; nothing to do.
    Stale,
    /// The amount or currency is not the payment's: kept for a person to resolve.
    AmountMismatch,
    /// The money was taken after the payment expired: kept for a person to resolve (refund).
    PaidAfterExpiry,
    /// The money was taken for a payment that was cancelled or failed: kept for a person.
    PaidWhenClosed,
    /// No session of this provider has that id: kept for a person to resolve.
    UnknownSession,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Applied => "applied",
            Outcome::Declined => "declined",
            Outcome::Duplicate => "duplicate",
            Outcome::Stale => "stale",
            Outcome::AmountMismatch => "amount_mismatch",
            Outcome::PaidAfterExpiry => "paid_after_expiry",
            Outcome::PaidWhenClosed => "paid_when_closed",
            Outcome::UnknownSession => "unknown_session",
        }
    }

    /// Whether a person must look at it.
    pub fn needs_resolution(self) -> bool {
        matches!(
            self,
            Outcome::AmountMismatch
                | Outcome::PaidAfterExpiry
                | Outcome::PaidWhenClosed
                | Outcome::UnknownSession
        )
    }
}

/// The payer starts paying `id` by card: a session is opened on the provider's hosted page and
/// its address returned. The payer must be the payment's obligor; the payment must still be
/// payable and not expired. When the provider does not answer, nothing changes.
pub async fn start(
    ctx: &Payments,
    provider: &dyn CardProvider,
    actor: &Actor,
    id: &str,
    base_url: &str,
) -> Result<String, PaymentError> {
    let payment = requests::get(ctx, actor, id).await?.payment;
    if !requests::is_payer(ctx, actor, &payment).await? {
        return Err(PaymentError::NotFound);
    }
    let now = ctx.now();
    if !matches!(payment.state, PaymentState::Created | PaymentState::Started)
        || payment.expires_at <= now
    {
        return Err(PaymentError::NotAllowed {
            from: payment.state.as_str(),
            to: PaymentState::Started.as_str(),
        });
    }
    let base = base_url.trim_end_matches('/');
    let request = SessionRequest {
        payment_id: payment.id.clone(),
        amount_minor: payment.amount_minor,
        currency: payment.currency.clone(),
        description: payment.reason.clone(),
        merchant: payment.beneficiary_name.clone(),
        reference: payment.code.clone(),
        return_url: format!("{base}/payments/{}/return", payment.id),
        callback_url: format!("{base}/api/v1/payments/callbacks/{}", provider.name()),
    };
    let session = provider.start(&request, now).await.map_err(|e| {
        // Not answering, or answering with no session: either way the payer can only try
        // again later, and nothing changed.
        tracing::warn!(payment = %payment.id, error = %e, "card provider could not open a session");
        PaymentError::ProviderUnavailable
    })?;
    let mut tx = ctx.db.begin().await?;
    let (attempts,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM payments_card_sessions WHERE payment_id = $1")
            .bind(&payment.id)
            .fetch_one(&mut *tx)
            .await?;
    // Two starts at once: the second one's attempt number is taken, and it fails as a conflict.
    sqlx::query(
        "INSERT INTO payments_card_sessions (provider, provider_ref, payment_id, attempt, \
         redirect_url, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(provider.name())
    .bind(&session.id)
    .bind(&payment.id)
    .bind(attempts + 1)
    .bind(&session.url)
    .bind(to_millis(now))
    .execute(&mut *tx)
    .await
    .map_err(|e| match PaymentError::from(e) {
        PaymentError::Store(e) if e.is_unique_violation() => PaymentError::Conflict,
        other => other,
    })?;
    let current = requests::read_in(&mut tx, &payment.id)
        .await?
        .ok_or(PaymentError::NotFound)?;
    if current.state == PaymentState::Created {
        let change = Change {
            to: PaymentState::Started,
            amount_minor: None,
            note: Some(provider.name()),
        };
        requests::change_in(&mut tx, actor, &current, &change, now).await?;
    } else if current.state != PaymentState::Started {
        return Err(PaymentError::NotAllowed {
            from: current.state.as_str(),
            to: PaymentState::Started.as_str(),
        });
    }
    tx.commit().await?;
    Ok(session.url)
}

/// A provider's callback: verified (signature, replay window), then applied once. Any verified
/// callback is answered (the provider stops resending it); what it did is the outcome.
pub async fn callback(
    ctx: &Payments,
    provider: &dyn CardProvider,
    signature: Option<&str>,
    body: &[u8],
) -> Result<Outcome, PaymentError> {
    let now = ctx.now();
    let event = provider.verify(signature, body, now).map_err(|e| match e {
        ProviderError::Signature(_) => PaymentError::SignatureInvalid,
        _ => PaymentError::Invalid("callback_invalid"),
    })?;
    if event.event_id.is_empty()
        || event.event_id.len() > 100
        || event.session_id.is_empty()
        || event.session_id.len() > 100
    {
        return Err(PaymentError::Invalid("callback_invalid"));
    }
    // A racing change (the expiry job, the same event on another node) is tried again.
    for _ in 0..5 {
        match apply(ctx, provider.name(), &event, now).await {
            Err(PaymentError::Conflict) => continue,
            Err(PaymentError::Store(e)) if e.is_unique_violation() => {
                return Ok(Outcome::Duplicate)
            }
            other => return other,
        }
    }
    Err(PaymentError::Conflict)
}

async fn apply(
    ctx: &Payments,
    provider: &str,
    event: &Callback,
    now: DateTime<Utc>,
) -> Result<Outcome, PaymentError> {
    let actor = Actor::System("payments");
    let mut tx = ctx.db.begin().await?;
    let seen: Option<(String,)> = sqlx::query_as(
        "SELECT outcome FROM payments_provider_events WHERE provider = $1 AND event_id = $2",
    )
    .bind(provider)
    .bind(&event.event_id)
    .fetch_optional(&mut *tx)
    .await?;
    if seen.is_some() {
        return Ok(Outcome::Duplicate);
    }
    let session: Option<(String,)> = sqlx::query_as(
        "SELECT payment_id FROM payments_card_sessions WHERE provider = $1 AND provider_ref = $2",
    )
    .bind(provider)
    .bind(&event.session_id)
    .fetch_optional(&mut *tx)
    .await?;
    let payment = match session {
        Some((id,)) => requests::read_in(&mut tx, &id).await?,
        None => None,
    };
    let outcome = match &payment {
        None => Outcome::UnknownSession,
        Some(p) => decide(&mut tx, &actor, p, event, now).await?,
    };
    // Whose reconciliation screen lists it: the payment's administration, or for an unknown
    // session the administration whose payment code the provider echoed.
    let administration_id = match &payment {
        Some(p) => Some(p.administration_id.clone()),
        None => match event.reference.as_deref().and_then(crate::code::normalise) {
            Some(code) => {
                let owner: Option<(String,)> = sqlx::query_as(
                    "SELECT administration_id FROM payments_requests WHERE code = $1",
                )
                .bind(&code)
                .fetch_optional(&mut *tx)
                .await?;
                owner.map(|o| o.0)
            }
            None => None,
        },
    };
    sqlx::query(
        "INSERT INTO payments_provider_events (provider, event_id, provider_ref, payment_id, \
         status, amount_minor, currency, outcome, received_at, administration_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(provider)
    .bind(&event.event_id)
    .bind(&event.session_id)
    .bind(payment.as_ref().map(|p| p.id.clone()))
    .bind(event.status.as_str())
    .bind(event.amount_minor)
    .bind(&event.currency)
    .bind(outcome.as_str())
    .bind(to_millis(now))
    .bind(&administration_id)
    .execute(&mut *tx)
    .await?;
    if outcome.needs_resolution() {
        tracing::warn!(provider, event = %event.event_id, outcome = outcome.as_str(), "card callback kept for resolution");
        let audited = payment.as_ref().map_or("unknown", |p| p.id.as_str());
        let mut entry =
            portico_audit::Event::new(&actor.audit_id(), "payments.callback_held", audited).with(
                serde_json::json!({
                    "provider": provider, "event_id": event.event_id, "outcome": outcome.as_str(),
                    "status": event.status.as_str(), "amount_minor": event.amount_minor,
                    "currency": event.currency,
                }),
            );
        if let Some(a) = &administration_id {
            entry = entry.in_administration(a);
        }
        portico_audit::append(&mut tx, entry, now).await?;
    }
    tx.commit().await?;
    if outcome == Outcome::Applied {
        ctx.jobs_waker.notify_one();
    }
    Ok(outcome)
}

/// What a verified, first-seen callback does to its payment.
async fn decide(
    tx: &mut Tx,
    actor: &Actor,
    payment: &Payment,
    event: &Callback,
    now: DateTime<Utc>,
) -> Result<Outcome, PaymentError> {
    use PaymentState as S;
    if event.amount_minor != payment.amount_minor
        || !event.currency.eq_ignore_ascii_case(&payment.currency)
    {
        return Ok(Outcome::AmountMismatch);
    }
    let note = Some("card");
    let to = match (event.status, payment.state) {
        (CardStatus::Authorised, S::Created | S::Started) => S::Authorised,
        (CardStatus::Authorised, _) => return Ok(Outcome::Stale),
        (CardStatus::Captured, S::Created | S::Started | S::Authorised) => {
            if payment.expires_at <= now {
                // Taken after the payment's time ran out: the payment expires as it should
                // (if the expiry job has not run yet) and the money waits for a refund.
                if payment.state.may_become(S::Expired) {
                    let change = Change {
                        to: S::Expired,
                        amount_minor: None,
                        note: None,
                    };
                    requests::change_in(tx, actor, payment, &change, now).await?;
                }
                return Ok(Outcome::PaidAfterExpiry);
            }
            S::Paid
        }
        (CardStatus::Captured, S::Expired) => return Ok(Outcome::PaidAfterExpiry),
        (CardStatus::Captured, S::Cancelled | S::Failed) => return Ok(Outcome::PaidWhenClosed),
        (CardStatus::Captured, _) => return Ok(Outcome::Stale),
        // A declined card leaves the payment payable: the payer may try another card. The
        // decline is in the provider's events, which the payer's page reads.
        (CardStatus::Declined, S::Created | S::Started) => return Ok(Outcome::Declined),
        (CardStatus::Declined, S::Authorised) => S::Failed,
        (CardStatus::Declined, _) => return Ok(Outcome::Stale),
    };
    // Authorised then captured arrive in order most of the time; captured before authorised
    // pays, and the late authorisation is stale.
    let mut current = payment.clone();
    if to == S::Authorised && current.state == S::Created {
        let change = Change {
            to: S::Started,
            amount_minor: None,
            note,
        };
        current.version = requests::change_in(tx, actor, &current, &change, now).await?;
        current.state = S::Started;
    }
    let change = Change {
        to,
        amount_minor: None,
        note,
    };
    requests::change_in(tx, actor, &current, &change, now).await?;
    Ok(Outcome::Applied)
}

/// The status of the payment's latest card callback, if any: what the payer's page says when
/// they come back from the provider.
pub async fn last_status(ctx: &Payments, payment_id: &str) -> Result<Option<String>, PaymentError> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT status FROM payments_provider_events WHERE provider_ref = \
         (SELECT provider_ref FROM payments_card_sessions WHERE payment_id = $1 \
          ORDER BY attempt DESC LIMIT 1) \
         ORDER BY received_at DESC, event_id DESC LIMIT 1",
    )
    .bind(payment_id)
    .fetch_optional(ctx.db.pool())
    .await?;
    Ok(row.map(|r| r.0))
}

/// The card provider and session that took a payment's money, if it was paid by card: the
/// callback that paid it, or the held callback a person accepted as paying it.
pub async fn captured_session(
    db: &portico_store::Db,
    payment_id: &str,
) -> Result<Option<(String, String)>, PaymentError> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT provider, provider_ref FROM payments_provider_events \
         WHERE payment_id = $1 AND status = 'captured' \
         AND (outcome = 'applied' OR resolution = 'accepted') \
         ORDER BY received_at, event_id LIMIT 1",
    )
    .bind(payment_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row)
}

/// Sends money back to the card through the provider; answers the provider's id of the refund.
/// Nothing is recorded here: the caller records it once the provider has made it.
pub async fn send_refund(
    provider: &dyn CardProvider,
    request: &crate::provider::RefundRequest,
    now: DateTime<Utc>,
) -> Result<String, PaymentError> {
    match provider.refund(request, now).await {
        Ok(done) => Ok(done.id),
        Err(ProviderError::Refused(why)) => {
            tracing::warn!(refund = %request.refund_id, why = %why, "card provider refused a refund");
            Err(PaymentError::Invalid("refund_refused"))
        }
        Err(e) => {
            tracing::warn!(refund = %request.refund_id, error = %e, "card provider could not refund");
            Err(PaymentError::ProviderUnavailable)
        }
    }
}
