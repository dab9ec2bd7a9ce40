//! Requests not paid by their expiry become `expired`: a job enqueued with the request, due at
//! its expiry, moves it if it can still be paid (a paid or cancelled one is left as it is).

use super::requests::{self, Change};
use super::Payments;
use crate::error::PaymentError;
use crate::model::PaymentState;
use async_trait::async_trait;
use portico_core::Actor;
use portico_store::jobs::JobHandler;

/// Expires one request if it is due and still payable; says whether it did.
pub async fn expire(ctx: &Payments, id: &str) -> Result<bool, PaymentError> {
    let now = ctx.now();
    let actor = Actor::System("payments");
    let mut tx = ctx.db.begin().await?;
    let Some(payment) = requests::read_in(&mut tx, id).await? else {
        return Ok(false);
    };
    if !payment.state.is_payable() || payment.expires_at > now {
        return Ok(false);
    }
    let change = Change {
        to: PaymentState::Expired,
        amount_minor: None,
        note: None,
    };
    requests::change_in(&mut tx, &actor, &payment, &change, now).await?;
    tx.commit().await?;
    Ok(true)
}

pub struct ExpireJob {
    pub payments: Payments,
}

#[async_trait]
impl JobHandler for ExpireJob {
    async fn run(&self, payload: &serde_json::Value) -> Result<(), String> {
        let id = payload
            .get("payment_id")
            .and_then(|v| v.as_str())
            .unwrap_or("");
        // A payment changed meanwhile (a conflict) is tried again by the queue's retry.
        expire(&self.payments, id)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}
