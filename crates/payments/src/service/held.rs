//! Card callbacks held for a person: the provider took (or authorised) money that could not
//! simply pay a payment — another amount or currency (`amount_mismatch`), after the payment
//! expired (`paid_after_expiry`), for a cancelled or failed payment (`paid_when_closed`), or for
//! a session Portico does not know (`unknown_session`). They are listed on the administration's
//! reconciliation screen beside the statement lines, and a person of its staff resolves each,
//! once, in one transaction, audited (`payments.callback_resolved`):
//!
//! - **refund**: the money taken goes back to the card through the card provider, across the
//!   network (only a captured callback: nothing was taken otherwise);
//! - **accept as paid**: the callback pays its payment, only along the allowed transitions (the
//!   payment still payable, the same currency, at least its amount, captured);
//! - **dismiss** with a reason (what was done about it).

use super::requests::{self, Change};
use super::{acting, Payments};
use crate::error::PaymentError;
use crate::model::PaymentState;
use crate::provider::CardProvider;
use chrono::{DateTime, Utc};
use portico_core::clock::{from_millis, to_millis};
use portico_core::Actor;

/// What a person does about a held callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Refund,
    Accept,
    Dismiss,
}

impl Action {
    pub fn parse(s: &str) -> Option<Action> {
        match s {
            "refund" => Some(Action::Refund),
            "accept" => Some(Action::Accept),
            "dismiss" => Some(Action::Dismiss),
            _ => None,
        }
    }

    /// What the callback's `resolution` says afterwards.
    pub fn resolution(self) -> &'static str {
        match self {
            Action::Refund => "refunded",
            Action::Accept => "accepted",
            Action::Dismiss => "dismissed",
        }
    }
}

/// A held callback as the reconciliation screen shows it.
#[derive(Debug, Clone)]
pub struct HeldCallback {
    pub provider: String,
    pub event_id: String,
    /// The provider's session it is about.
    pub session: String,
    pub outcome: String,
    /// `authorised`, `captured` or `declined`.
    pub status: String,
    pub amount_minor: i64,
    pub currency: String,
    pub received_at: DateTime<Utc>,
    /// The payment of the session (none for an unknown session).
    pub payment_id: Option<String>,
    pub payment_code: Option<String>,
    pub payment_state: Option<PaymentState>,
    pub payment_amount_minor: Option<i64>,
    pub payment_currency: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// The account of the person who resolved it.
    pub resolved_by: Option<String>,
    /// `refunded`, `accepted` or `dismissed`.
    pub resolution: Option<String>,
    pub resolution_note: Option<String>,
}

impl HeldCallback {
    /// Whether money was taken (what a refund gives back).
    pub fn captured(&self) -> bool {
        self.status == "captured"
    }

    /// Whether "accept as paid" can be offered: money taken, for a payment that can still be
    /// paid, in its currency, for at least its amount.
    pub fn acceptable(&self) -> bool {
        self.captured()
            && self
                .payment_state
                .is_some_and(|s| s.may_become(PaymentState::Paid))
            && self
                .payment_currency
                .as_deref()
                .is_some_and(|c| c.eq_ignore_ascii_case(&self.currency))
            && self
                .payment_amount_minor
                .is_some_and(|a| self.amount_minor >= a)
    }
}

#[derive(sqlx::FromRow)]
struct RawRow {
    provider: String,
    event_id: String,
    provider_ref: String,
    outcome: String,
    status: String,
    amount_minor: i64,
    currency: String,
    received_at: i64,
    payment_id: Option<String>,
    code: Option<String>,
    state: Option<String>,
    payment_amount: Option<i64>,
    payment_currency: Option<String>,
    resolved_at: Option<i64>,
    resolved_by: Option<String>,
    resolution: Option<String>,
    resolution_note: Option<String>,
}

impl From<RawRow> for HeldCallback {
    fn from(r: RawRow) -> Self {
        HeldCallback {
            provider: r.provider,
            event_id: r.event_id,
            session: r.provider_ref,
            outcome: r.outcome,
            status: r.status,
            amount_minor: r.amount_minor,
            currency: r.currency,
            received_at: from_millis(r.received_at),
            payment_id: r.payment_id,
            payment_code: r.code,
            payment_state: r.state.as_deref().and_then(PaymentState::parse),
            payment_amount_minor: r.payment_amount,
            payment_currency: r.payment_currency,
            resolved_at: r.resolved_at.map(from_millis),
            resolved_by: r.resolved_by,
            resolution: r.resolution,
            resolution_note: r.resolution_note,
        }
    }
}

const SQL: &str = "SELECT e.provider, e.event_id, e.provider_ref, e.outcome, e.status, \
     e.amount_minor, e.currency, e.received_at, e.payment_id, p.code, p.state, \
     p.amount_minor AS payment_amount, p.currency AS payment_currency, e.resolved_at, \
     e.resolved_by, e.resolution, e.resolution_note \
     FROM payments_provider_events e \
     LEFT JOIN payments_requests p ON p.id = e.payment_id \
     WHERE e.administration_id = $1 AND e.outcome IN \
     ('amount_mismatch', 'paid_after_expiry', 'paid_when_closed', 'unknown_session')";
// The outcomes above are those for which `card::Outcome::needs_resolution` holds.

/// The administration's held callbacks waiting for a person (oldest first), and the last 50
/// resolved (newest first).
pub async fn list(
    ctx: &Payments,
    actor: &Actor,
    administration_id: &str,
) -> Result<(Vec<HeldCallback>, Vec<HeldCallback>), PaymentError> {
    acting::staff_of(actor, administration_id)?;
    let open: Vec<RawRow> = sqlx::query_as(&format!(
        "{SQL} AND e.resolved_at IS NULL ORDER BY e.received_at, e.event_id LIMIT 500"
    ))
    .bind(administration_id)
    .fetch_all(ctx.db.pool())
    .await?;
    let done: Vec<RawRow> = sqlx::query_as(&format!(
        "{SQL} AND e.resolved_at IS NOT NULL ORDER BY e.resolved_at DESC, e.event_id LIMIT 50"
    ))
    .bind(administration_id)
    .fetch_all(ctx.db.pool())
    .await?;
    Ok((
        open.into_iter().map(Into::into).collect(),
        done.into_iter().map(Into::into).collect(),
    ))
}

fn note_text(note: &str, required: bool) -> Result<Option<String>, PaymentError> {
    let note = note.trim();
    if note.is_empty() {
        return if required {
            Err(PaymentError::Invalid("reason_required"))
        } else {
            Ok(None)
        };
    }
    if note.chars().count() > 500 || note.chars().any(char::is_control) {
        return Err(PaymentError::Invalid("note_invalid"));
    }
    Ok(Some(note.to_owned()))
}

/// Resolves one held callback of `administration_id` with `action`: refund (captured money
/// only, sent back to the card through its provider before anything is recorded), accept as
/// paid (only where the payment's state allows it, in its currency, for at least its amount)
/// or dismiss (a reason is needed). Once; in one transaction; audited. Refused with a code and
/// nothing changed: `callback_resolved`, `callback_not_captured`, `callback_not_payable`,
/// `callback_currency_mismatch`, `callback_amount_short`, `reason_required`, `note_invalid`,
/// `refund_refused` (the provider refused), `provider_unavailable`.
#[allow(clippy::too_many_arguments)]
pub async fn resolve(
    ctx: &Payments,
    card: Option<&dyn CardProvider>,
    actor: &Actor,
    administration_id: &str,
    provider: &str,
    event_id: &str,
    action: Action,
    note: &str,
) -> Result<(), PaymentError> {
    acting::staff_of(actor, administration_id)?;
    let mut note = note_text(note, action == Action::Dismiss)?;
    let now = ctx.now();
    let row: Option<RawRow> =
        sqlx::query_as(&format!("{SQL} AND e.provider = $2 AND e.event_id = $3"))
            .bind(administration_id)
            .bind(provider)
            .bind(event_id)
            .fetch_optional(ctx.db.pool())
            .await?;
    let held: HeldCallback = row.map(Into::into).ok_or(PaymentError::NotFound)?;
    if held.resolved_at.is_some() {
        return Err(PaymentError::Invalid("callback_resolved"));
    }
    if action != Action::Dismiss && !held.captured() {
        return Err(PaymentError::Invalid("callback_not_captured"));
    }
    if action == Action::Refund {
        // The money goes back through the provider that took it, before anything is recorded.
        // The refund's id names the callback, so a retry (or a racing second person) is the
        // same refund at the provider, never a second one.
        let card = card
            .filter(|c| c.name() == held.provider)
            .ok_or(PaymentError::ProviderUnavailable)?;
        let request = crate::provider::RefundRequest {
            refund_id: format!("held-{}", held.event_id),
            session_id: held.session.clone(),
            amount_minor: held.amount_minor,
            currency: held.currency.clone(),
        };
        let id = super::card::send_refund(card, &request, now).await?;
        note = Some(match note {
            Some(n) => format!("{n} — card refund {id}"),
            None => format!("card refund {id}"),
        });
    }
    let mut tx = ctx.db.begin().await?;
    if action == Action::Accept {
        let payment = match &held.payment_id {
            Some(id) => requests::read_in(&mut tx, id).await?,
            None => None,
        }
        .filter(|p| p.state.may_become(PaymentState::Paid))
        .ok_or(PaymentError::Invalid("callback_not_payable"))?;
        if !payment.currency.eq_ignore_ascii_case(&held.currency) {
            return Err(PaymentError::Invalid("callback_currency_mismatch"));
        }
        if held.amount_minor < payment.amount_minor {
            return Err(PaymentError::Invalid("callback_amount_short"));
        }
        let text = format!(
            "card {}{}",
            held.event_id,
            note.as_deref()
                .map(|n| format!(" — {n}"))
                .unwrap_or_default()
        );
        let change = Change {
            to: PaymentState::Paid,
            amount_minor: None,
            note: Some(&text),
        };
        requests::change_in(&mut tx, actor, &payment, &change, now).await?;
    }
    let done = sqlx::query(
        "UPDATE payments_provider_events SET resolved_at = $1, resolved_by = $2, \
         resolution = $3, resolution_note = $4 \
         WHERE provider = $5 AND event_id = $6 AND resolved_at IS NULL",
    )
    .bind(to_millis(now))
    .bind(actor.audit_id())
    .bind(action.resolution())
    .bind(&note)
    .bind(provider)
    .bind(event_id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(PaymentError::Conflict);
    }
    let audited = held.payment_id.as_deref().unwrap_or("unknown");
    portico_audit::append(
        &mut tx,
        portico_audit::Event::new(&actor.audit_id(), "payments.callback_resolved", audited)
            .in_administration(administration_id)
            .with(serde_json::json!({
                "provider": provider, "event_id": event_id, "outcome": held.outcome,
                "resolution": action.resolution(), "amount_minor": held.amount_minor,
                "currency": held.currency,
            })),
        now,
    )
    .await?;
    tx.commit().await?;
    if action == Action::Accept {
        ctx.jobs_waker.notify_one();
    }
    Ok(())
}
