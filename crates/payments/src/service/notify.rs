//! Callbacks to an administration's own system: its API client names one endpoint (`https://`,
//! or `http://` to a loopback address for development) and gets a secret, once. Every change of
//! the state of one of the administration's payments is then POSTed to it as JSON:
//!
//! - **Signed** like every server-to-server message of this block ([`crate::signing`]):
//!   `Portico-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 over "<t>." + body>`. The receiver
//!   checks the MAC in constant time and refuses a `t` outside its replay window
//!   ([`crate::signing::verify`] does both, [`crate::signing::REPLAY_WINDOW_SECS`]).
//! - **At least once**: the notification is written with the change, in its transaction, with a
//!   job; a POST that gets no 2xx answer (or none in [`TIMEOUT`]) is retried with the job
//!   queue's exponential backoff, up to [`MAX_ATTEMPTS`] times. A receiver keeps the `id`s it has
//!   seen and orders one payment's notifications by `payment.version`.
//! - **The secret is not stored**: it is derived from the platform's key, the administration and
//!   a random nonce drawn each time the endpoint is named, so naming it again rotates it.

use super::{acting, Payments};
use crate::error::PaymentError;
use crate::model::{Payment, PaymentState};
use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use hmac::{Hmac, Mac};
use portico_core::clock::{from_millis, to_millis};
use portico_core::{new_id, Actor};
use portico_store::jobs::{self, JobHandler, NewJob};
use portico_store::Tx;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The job that POSTs one notification.
pub const NOTIFY_JOB: &str = "payments_notify";

/// How many times a notification is tried (with the queue's backoff, capped at an hour: about
/// a day and a half) before the queue gives up on it.
pub const MAX_ATTEMPTS: i64 = 40;

/// How long one POST may take.
pub const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The header that names the notification (as its body's `id` does).
pub const ID_HEADER: &str = "portico-notification-id";

/// The platform's key the endpoints' secrets are derived from.
#[derive(Clone)]
pub struct SecretKey(pub [u8; 32]);

impl SecretKey {
    /// The key, derived (HMAC-SHA256) from a key of the platform for this purpose only.
    pub fn derive(platform_key: &[u8]) -> SecretKey {
        SecretKey(hmac(platform_key, b"portico.payments.callback-secrets"))
    }

    /// The secret of the endpoint `administration_id` named with `nonce`.
    pub fn secret(&self, administration_id: &str, nonce: &str) -> String {
        let tag = hmac(&self.0, format!("{administration_id}|{nonce}").as_bytes());
        format!("pcbsec_{}", hex::encode(tag))
    }
}

fn hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
    match <Hmac<sha2::Sha256> as Mac>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(message);
            mac.finalize().into_bytes().into()
        }
        // HMAC takes a key of any length: this does not happen.
        Err(_) => [0u8; 32],
    }
}

/// Where an administration's system is told about its payments.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Endpoint {
    pub url: String,
    pub created_at: DateTime<Utc>,
    /// Only in the answer to naming the endpoint: keep it, it is not shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewEndpoint {
    /// `https://…` (plain `http://` only to a loopback address, for development).
    pub url: String,
}

fn check_url(raw: &str) -> Result<String, PaymentError> {
    let bad = PaymentError::Invalid("endpoint_url_invalid");
    let raw = raw.trim();
    if raw.len() > 2000 {
        return Err(bad);
    }
    let url =
        reqwest::Url::parse(raw).map_err(|_| PaymentError::Invalid("endpoint_url_invalid"))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => return Err(bad),
    };
    let ok = match url.scheme() {
        "https" => true,
        "http" => loopback,
        _ => false,
    };
    if !ok || !url.username().is_empty() || url.password().is_some() {
        return Err(bad);
    }
    Ok(url.to_string())
}

fn client_administration(actor: &Actor) -> Result<String, PaymentError> {
    match actor {
        Actor::ApiClient(_) => acting::administration(actor, None),
        _ => Err(PaymentError::NotAPaymentClient),
    }
}

/// The administration's system names (or renames) its endpoint; the answer carries the new
/// secret, once. The administration's own API client with the `payments` scope only.
pub async fn set_endpoint(
    ctx: &Payments,
    key: &SecretKey,
    actor: &Actor,
    new: &NewEndpoint,
) -> Result<Endpoint, PaymentError> {
    let administration_id = client_administration(actor)?;
    let url = check_url(&new.url)?;
    let now = ctx.now();
    let at = to_millis(now);
    let nonce = hex::encode(rand::random::<[u8; 16]>());
    let mut tx = ctx.db.begin().await?;
    sqlx::query("DELETE FROM payments_endpoints WHERE administration_id = $1")
        .bind(&administration_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO payments_endpoints (administration_id, url, nonce, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&administration_id)
    .bind(&url)
    .bind(&nonce)
    .bind(actor.audit_id())
    .bind(at)
    .execute(&mut *tx)
    .await?;
    portico_audit::append(
        &mut tx,
        portico_audit::Event::new(
            &actor.audit_id(),
            "payments.endpoint_set",
            &administration_id,
        )
        .in_administration(&administration_id)
        .with(serde_json::json!({ "url": url })),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Endpoint {
        secret: Some(key.secret(&administration_id, &nonce)),
        url,
        created_at: from_millis(at),
    })
}

/// The administration's endpoint, if it named one (without its secret).
pub async fn endpoint(ctx: &Payments, actor: &Actor) -> Result<Option<Endpoint>, PaymentError> {
    let administration_id = client_administration(actor)?;
    let row: Option<(String, i64)> = sqlx::query_as(
        "SELECT url, created_at FROM payments_endpoints WHERE administration_id = $1",
    )
    .bind(&administration_id)
    .fetch_optional(ctx.db.pool())
    .await?;
    Ok(row.map(|(url, at)| Endpoint {
        url,
        created_at: from_millis(at),
        secret: None,
    }))
}

/// The administration stops being told; notifications not yet delivered are dropped.
pub async fn remove_endpoint(ctx: &Payments, actor: &Actor) -> Result<(), PaymentError> {
    let administration_id = client_administration(actor)?;
    let now = ctx.now();
    let mut tx = ctx.db.begin().await?;
    let done = sqlx::query("DELETE FROM payments_endpoints WHERE administration_id = $1")
        .bind(&administration_id)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(PaymentError::NotFound);
    }
    portico_audit::append(
        &mut tx,
        portico_audit::Event::new(
            &actor.audit_id(),
            "payments.endpoint_removed",
            &administration_id,
        )
        .in_administration(&administration_id),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Inside a state change's transaction: a notification of the change for the payment's
/// administration, when it named an endpoint, and the job that delivers it.
pub async fn enqueue_in(
    tx: &mut Tx,
    payment: &Payment,
    to: PaymentState,
    refunded_minor: i64,
    version: i64,
    now: DateTime<Utc>,
) -> Result<(), PaymentError> {
    let named: Option<(String,)> =
        sqlx::query_as("SELECT url FROM payments_endpoints WHERE administration_id = $1")
            .bind(&payment.administration_id)
            .fetch_optional(&mut **tx)
            .await?;
    if named.is_none() {
        return Ok(());
    }
    let id = new_id();
    let body = serde_json::json!({
        "id": id,
        "type": "payment.state_changed",
        "created_at": now.to_rfc3339_opts(SecondsFormat::Millis, true),
        "payment": {
            "id": payment.id,
            "code": payment.code,
            "from": payment.state.as_str(),
            "state": to.as_str(),
            "version": version,
            "amount_minor": payment.amount_minor,
            "currency": payment.currency,
            "refunded_minor": refunded_minor,
            "application_ref": payment.application_ref,
        },
    })
    .to_string();
    sqlx::query(
        "INSERT INTO payments_notifications (id, administration_id, payment_id, body, created_at, \
         attempts) VALUES ($1, $2, $3, $4, $5, 0)",
    )
    .bind(&id)
    .bind(&payment.administration_id)
    .bind(&payment.id)
    .bind(&body)
    .bind(to_millis(now))
    .execute(&mut **tx)
    .await?;
    let mut job = NewJob::now(
        NOTIFY_JOB,
        serde_json::json!({ "notification_id": id }),
        now,
    );
    job.max_attempts = MAX_ATTEMPTS;
    jobs::enqueue(tx, job, now).await?;
    Ok(())
}

/// What one delivery attempt did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivered {
    /// The endpoint answered 2xx.
    Yes,
    /// Delivered before, or the endpoint is gone: nothing to do.
    Nothing,
}

/// POSTs one notification, signed; records the attempt. An error (no answer, not 2xx) makes
/// the job queue try again later.
pub async fn deliver(
    ctx: &Payments,
    key: &SecretKey,
    http: &reqwest::Client,
    notification_id: &str,
) -> Result<Delivered, PaymentError> {
    let row: Option<(String, String, String, String)> = sqlx::query_as(
        "SELECT n.body, n.administration_id, e.url, e.nonce FROM payments_notifications n \
         JOIN payments_endpoints e ON e.administration_id = n.administration_id \
         WHERE n.id = $1 AND n.delivered_at IS NULL",
    )
    .bind(notification_id)
    .fetch_optional(ctx.db.pool())
    .await?;
    let Some((body, administration_id, url, nonce)) = row else {
        return Ok(Delivered::Nothing);
    };
    let secret = key.secret(&administration_id, &nonce);
    let signature = crate::signing::sign(secret.as_bytes(), ctx.now().timestamp(), body.as_bytes());
    let answer = http
        .post(&url)
        .timeout(TIMEOUT)
        .header("content-type", "application/json")
        .header(crate::signing::HEADER, signature)
        .header(ID_HEADER, notification_id)
        .body(body)
        .send()
        .await;
    let error = match answer {
        Ok(r) if r.status().is_success() => None,
        Ok(r) => Some(format!("answered {}", r.status().as_u16())),
        // The error's text may hold the URL; the log keeps only its kind.
        Err(e) if e.is_timeout() => Some("no answer in time".to_owned()),
        Err(_) => Some("could not connect".to_owned()),
    };
    sqlx::query(
        "UPDATE payments_notifications SET attempts = attempts + 1, last_error = $1, \
         delivered_at = $2 WHERE id = $3",
    )
    .bind(&error)
    .bind(error.is_none().then(|| to_millis(ctx.now())))
    .bind(notification_id)
    .execute(ctx.db.pool())
    .await?;
    match error {
        None => Ok(Delivered::Yes),
        Some(e) => Err(PaymentError::Internal(format!(
            "payment notification not acknowledged: {e}"
        ))),
    }
}

pub struct NotifyJob {
    pub payments: Payments,
    pub key: SecretKey,
    pub http: reqwest::Client,
}

#[async_trait]
impl JobHandler for NotifyJob {
    async fn run(&self, payload: &serde_json::Value) -> Result<(), String> {
        let id = payload
            .get("notification_id")
            .and_then(|v| v.as_str())
            .unwrap_or("");
        deliver(&self.payments, &self.key, &self.http, id)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    fn timeout(&self) -> std::time::Duration {
        TIMEOUT + std::time::Duration::from_secs(5)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn endpoints_are_https_or_loopback_and_secrets_differ_per_naming() {
        assert!(check_url("https://billing.sofia.bg/portico").is_ok());
        assert!(check_url("http://127.0.0.1:9000/hook").is_ok());
        assert!(check_url("http://localhost/hook").is_ok());
        assert!(check_url("http://billing.sofia.bg/hook").is_err());
        assert!(check_url("https://user:pw@billing.sofia.bg/").is_err());
        assert!(check_url("ftp://billing.sofia.bg/").is_err());
        assert!(check_url("not a url").is_err());
        let key = SecretKey::derive(b"platform key of 32 bytes or more!");
        let a = key.secret("sofia", "n1");
        assert_eq!(a, key.secret("sofia", "n1"));
        assert_ne!(a, key.secret("sofia", "n2"));
        assert_ne!(a, key.secret("burgas", "n1"));
        assert_ne!(
            a,
            SecretKey::derive(b"another platform key of 32 bytes").secret("sofia", "n1")
        );
    }
}
