//! Webhooks for institutions: an administration's API client registers an endpoint, and the
//! platform POSTs it every new message delivered to the administration's mailboxes (its own and
//! its units') and every piece of evidence of the messages they sent.
//!
//! - **Signed**: header `Portico-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` over
//!   `"{t}.{body}"` with the endpoint's secret (shown once, at registration). A receiver
//!   recomputes the HMAC and compares it in constant time (`hmac::Mac::verify_slice`, Python's
//!   `hmac.compare_digest`, Node's `crypto.timingSafeEqual`), and refuses a `t` more than
//!   [`REPLAY_WINDOW_SECS`] from its own clock ([`check_signature`] does both).
//! - **At least once, through the job queue**: each event is a row written in the transaction
//!   that made it, with a job; a failed POST (no answer, or not 2xx) is retried with the queue's
//!   exponential backoff, up to [`MAX_ATTEMPTS`] times. A receiver may see an event twice and
//!   keeps the `id`s it has seen.
//! - **Sequence per mailbox**: every event of a mailbox has the next `seq` (1, 2, 3 …) of that
//!   mailbox; deliveries may arrive out of order, the receiver orders them by `seq` and sees
//!   a gap while one is still being retried.
//!
//! The secret is kept sealed under the current delivery master key (AES-256-GCM, bound to the
//! webhook's id); [`super::keys::rotate`] re-seals it.

use super::keys::Keyring;
use super::Delivery;
use crate::model::{Mailbox, MailboxKind};
use crate::DeliveryError;
use chrono::{DateTime, SecondsFormat, Utc};
use hmac::{Hmac, Mac};
use portico_core::clock::{from_millis, to_millis};
use portico_core::{new_id, Actor, FieldError};
use portico_store::Tx;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A recent event as the console shows it: id, seq, kind, created, attempts, delivered, last error.
type EventRow = (String, i64, String, i64, i64, Option<i64>, Option<String>);

/// Job kind: POST one event to its endpoint.
pub const WEBHOOK_JOB: &str = "delivery.webhook";
/// How many times an event is tried before the job queue gives up on it (about a day and a
/// half with the queue's backoff, capped at an hour).
pub const MAX_ATTEMPTS: i64 = 40;
/// A receiver refuses a signature whose time is further than this from its clock.
pub const REPLAY_WINDOW_SECS: i64 = 300;
/// The header the signature travels in.
pub const SIGNATURE_HEADER: &str = "Portico-Signature";
/// Endpoints per administration.
pub const MAX_PER_ADMINISTRATION: i64 = 10;

/// Given to the block at mount (the platform's `PORTICO_DELIVERY_WEBHOOKS_ALLOW_PRIVATE`):
/// endpoints may be on loopback and private networks (development and tests only).
#[derive(Debug, Clone, Copy)]
pub struct AllowPrivateEndpoints;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Webhook {
    pub id: String,
    pub url: String,
    pub created_at: DateTime<Utc>,
    /// Only in the answer to the registration: keep it, it is not shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewWebhook {
    /// `https://…` (plain `http://` only to a loopback address, for development).
    pub url: String,
}

fn administration_of(actor: &Actor) -> Result<&str, DeliveryError> {
    match actor {
        Actor::ApiClient(client) => Ok(client.administration_id.as_str()),
        // A person or staff member registers nothing: an institution's system does.
        _ => Err(DeliveryError::Forbidden),
    }
}

/// The administration whose endpoints the actor sees and removes: an API client's own, or
/// one a person is an administration admin of, or any for a platform admin (with a session
/// of substantial assurance);
/// `requested` picks one, and another administration's does not exist for the actor.
pub fn managed_administration(
    actor: &Actor,
    requested: Option<&str>,
) -> Result<String, DeliveryError> {
    match actor {
        Actor::ApiClient(client) => match requested {
            Some(r) if r != client.administration_id => Err(DeliveryError::NotFound),
            _ => Ok(client.administration_id.clone()),
        },
        Actor::Person(p) => {
            actor.require(super::access::READ_ASSURANCE)?;
            let mine: Vec<&str> = p
                .roles
                .iter()
                .filter(|r| r.role == portico_core::Role::AdministrationAdmin)
                .map(|r| r.administration_id.as_str())
                .collect();
            match requested {
                // A platform admin looks after every administration.
                Some(r) if mine.contains(&r) || actor.is_platform_admin() => Ok(r.to_owned()),
                Some(_) => Err(DeliveryError::NotFound),
                None => mine
                    .first()
                    .map(|a| (*a).to_owned())
                    .ok_or(DeliveryError::Forbidden),
            }
        }
        Actor::System(_) => Err(DeliveryError::Forbidden),
    }
}

/// The endpoint's address, normalised, if it may be registered: see [`super::destinations`]
/// (https to a public address; a name is resolved and every address it has is checked).
pub async fn check_url(raw: &str, allow_private: bool) -> Result<String, DeliveryError> {
    use super::destinations::{self, Refused};
    let field = |code: &str| DeliveryError::Invalid(vec![FieldError::new("url", code)]);
    let url = url::Url::parse(raw.trim()).map_err(|_| field("delivery.webhook.bad_url"))?;
    if !url.username().is_empty() || url.password().is_some() || raw.len() > 2000 {
        return Err(field("delivery.webhook.bad_url"));
    }
    match destinations::check(&url, allow_private).await {
        Ok(()) => Ok(url.to_string()),
        Err(Refused::Private(_)) => Err(field("delivery.webhook.private_address")),
        Err(Refused::Unresolved) => Err(field("delivery.webhook.unresolved")),
        Err(Refused::NotHttps | Refused::Malformed) => Err(field("delivery.webhook.bad_url")),
    }
}

fn secret_aad(id: &str) -> String {
    format!("portico.delivery.webhook_secret:{id}")
}

/// Registers an endpoint for the caller's administration (an API client's).
pub async fn register(
    d: &Delivery,
    actor: &Actor,
    new: NewWebhook,
) -> Result<Webhook, DeliveryError> {
    let administration = administration_of(actor)?.to_owned();
    let url = check_url(&new.url, d.policy.webhooks_allow_private).await?;
    let (count,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM delivery_webhooks WHERE administration_id = $1 AND deleted_at IS NULL",
    )
    .bind(&administration)
    .fetch_one(d.db.pool())
    .await?;
    if count >= MAX_PER_ADMINISTRATION {
        return Err(DeliveryError::Invalid(vec![FieldError::new(
            "url",
            "delivery.webhook.too_many",
        )]));
    }
    let id = new_id();
    let secret = format!("whsec_{}", hex::encode(rand::random::<[u8; 32]>()));
    let (version, sealed) = d.keys.seal_secret(&secret_aad(&id), &secret)?;
    let now = d.now();
    let mut tx = d.db.begin().await?;
    sqlx::query(
        "INSERT INTO delivery_webhooks (id, administration_id, url, secret_sealed, master_version, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(&administration)
    .bind(&url)
    .bind(&sealed)
    .bind(i64::from(version))
    .bind(actor.audit_id())
    .bind(to_millis(now))
    .execute(&mut *tx)
    .await?;
    portico_audit::append(
        &mut tx,
        portico_audit::Event::new(&actor.audit_id(), "delivery.webhook_registered", &id)
            .with(serde_json::json!({ "url": url }))
            .in_administration(&administration),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Webhook {
        id,
        url,
        created_at: now,
        secret: Some(secret),
    })
}

/// The caller's administration's endpoints.
pub async fn list(d: &Delivery, actor: &Actor) -> Result<Vec<Webhook>, DeliveryError> {
    let administration = managed_administration(actor, None)?;
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT id, url, created_at FROM delivery_webhooks WHERE administration_id = $1 AND deleted_at IS NULL ORDER BY created_at, id",
    )
    .bind(&administration)
    .fetch_all(d.db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, url, created)| Webhook {
            id,
            url,
            created_at: from_millis(created),
            secret: None,
        })
        .collect())
}

/// Removes an endpoint of the caller's administration (its API client's, or one it is an
/// administration admin of); its undelivered events stop.
pub async fn delete(d: &Delivery, actor: &Actor, id: &str) -> Result<(), DeliveryError> {
    let owner: Option<(String,)> = sqlx::query_as(
        "SELECT administration_id FROM delivery_webhooks WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(id)
    .fetch_optional(d.db.pool())
    .await?;
    let Some((owner,)) = owner else {
        return Err(DeliveryError::NotFound);
    };
    let administration = managed_administration(actor, Some(&owner))?;
    let now = d.now();
    let mut tx = d.db.begin().await?;
    let done = sqlx::query(
        "UPDATE delivery_webhooks SET deleted_at = $1 WHERE id = $2 AND administration_id = $3 AND deleted_at IS NULL",
    )
    .bind(to_millis(now))
    .bind(id)
    .bind(&administration)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(DeliveryError::NotFound);
    }
    portico_audit::append(
        &mut tx,
        portico_audit::Event::new(&actor.audit_id(), "delivery.webhook_deleted", id)
            .in_administration(&administration),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One delivery attempt's outcome as the console shows it.
#[derive(Debug, Clone, Serialize)]
pub struct EventStatus {
    pub id: String,
    pub seq: i64,
    pub kind: String,
    pub created_at: DateTime<Utc>,
    pub attempts: i64,
    pub delivered_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// Tried [`MAX_ATTEMPTS`] times without success: the queue gave up on it.
    pub given_up: bool,
}

/// An endpoint with its deliveries, for the console page.
#[derive(Debug, Clone, Serialize)]
pub struct WebhookStatus {
    pub webhook: Webhook,
    pub delivered: i64,
    /// Not delivered yet, still being tried.
    pub pending: i64,
    /// Of those pending, how many have failed at least once.
    pub failing: i64,
    pub given_up: i64,
    pub last_delivered_at: Option<DateTime<Utc>>,
    /// The newest events, newest first.
    pub recent: Vec<EventStatus>,
}

/// How many of an endpoint's newest events the console lists.
pub const RECENT_EVENTS: i64 = 10;

/// The endpoints of an administration the actor manages ([`managed_administration`]) with
/// their deliveries: counts, the last delivery, and the newest events with their errors.
pub async fn overview(
    d: &Delivery,
    actor: &Actor,
    administration: Option<&str>,
) -> Result<(String, Vec<WebhookStatus>), DeliveryError> {
    let administration = managed_administration(actor, administration)?;
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT id, url, created_at FROM delivery_webhooks WHERE administration_id = $1 AND deleted_at IS NULL ORDER BY created_at, id",
    )
    .bind(&administration)
    .fetch_all(d.db.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, url, created) in rows {
        let (delivered, pending, failing, given_up, last): (i64, i64, i64, i64, Option<i64>) =
            sqlx::query_as(
                "SELECT \
                   COALESCE(SUM(CASE WHEN delivered_at IS NOT NULL THEN 1 ELSE 0 END), 0), \
                   COALESCE(SUM(CASE WHEN delivered_at IS NULL AND attempts < $2 THEN 1 ELSE 0 END), 0), \
                   COALESCE(SUM(CASE WHEN delivered_at IS NULL AND attempts > 0 AND attempts < $2 THEN 1 ELSE 0 END), 0), \
                   COALESCE(SUM(CASE WHEN delivered_at IS NULL AND attempts >= $2 THEN 1 ELSE 0 END), 0), \
                   MAX(delivered_at) \
                 FROM delivery_webhook_events WHERE webhook_id = $1",
            )
            .bind(&id)
            .bind(MAX_ATTEMPTS)
            .fetch_one(d.db.pool())
            .await?;
        let events: Vec<EventRow> = sqlx::query_as(
            "SELECT id, seq, kind, created_at, attempts, delivered_at, last_error \
                 FROM delivery_webhook_events WHERE webhook_id = $1 \
                 ORDER BY created_at DESC, seq DESC LIMIT $2",
        )
        .bind(&id)
        .bind(RECENT_EVENTS)
        .fetch_all(d.db.pool())
        .await?;
        out.push(WebhookStatus {
            webhook: Webhook {
                id,
                url,
                created_at: from_millis(created),
                secret: None,
            },
            delivered,
            pending,
            failing,
            given_up,
            last_delivered_at: last.map(from_millis),
            recent: events
                .into_iter()
                .map(
                    |(id, seq, kind, created, attempts, delivered, last_error)| EventStatus {
                        id,
                        seq,
                        kind,
                        created_at: from_millis(created),
                        attempts,
                        given_up: delivered.is_none() && attempts >= MAX_ATTEMPTS,
                        delivered_at: delivered.map(from_millis),
                        last_error,
                    },
                )
                .collect(),
        });
    }
    Ok((administration, out))
}

/// Queues an event of a mailbox for every endpoint of its administration, in the caller's
/// transaction, with the mailbox's next sequence number. Nothing for a person's or company's
/// mailbox, or an administration without endpoints.
pub async fn emit(
    tx: &mut Tx,
    mailbox: &Mailbox,
    kind: &str,
    data: serde_json::Value,
    at: DateTime<Utc>,
) -> Result<(), DeliveryError> {
    if !matches!(
        mailbox.kind,
        MailboxKind::Administration | MailboxKind::Unit
    ) {
        return Ok(());
    }
    let Some(administration) = mailbox.administration_id.as_deref() else {
        return Ok(());
    };
    let hooks: Vec<(String,)> = sqlx::query_as(
        "SELECT id FROM delivery_webhooks WHERE administration_id = $1 AND deleted_at IS NULL ORDER BY id",
    )
    .bind(administration)
    .fetch_all(&mut **tx)
    .await?;
    if hooks.is_empty() {
        return Ok(());
    }
    // The mailbox row is the sequence: updating it first serialises its writers.
    sqlx::query("UPDATE delivery_mailboxes SET event_seq = event_seq + 1 WHERE id = $1")
        .bind(&mailbox.id)
        .execute(&mut **tx)
        .await?;
    let (seq,): (i64,) = sqlx::query_as("SELECT event_seq FROM delivery_mailboxes WHERE id = $1")
        .bind(&mailbox.id)
        .fetch_one(&mut **tx)
        .await?;
    for (hook,) in hooks {
        let id = new_id();
        let body = serde_json::json!({
            "id": id,
            "type": kind,
            "mailbox": { "id": mailbox.id, "kind": mailbox.kind.as_str(), "identifier": mailbox.identifier },
            "seq": seq,
            "created_at": at.to_rfc3339_opts(SecondsFormat::Millis, true),
            "data": data,
        })
        .to_string();
        sqlx::query(
            "INSERT INTO delivery_webhook_events (id, webhook_id, mailbox_id, seq, kind, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(&hook)
        .bind(&mailbox.id)
        .bind(seq)
        .bind(kind)
        .bind(&body)
        .bind(to_millis(at))
        .execute(&mut **tx)
        .await?;
        let mut job = portico_store::jobs::NewJob::now(
            WEBHOOK_JOB,
            serde_json::json!({ "event_id": id }),
            at,
        );
        job.max_attempts = MAX_ATTEMPTS;
        portico_store::jobs::enqueue(tx, job, at).await?;
    }
    Ok(())
}

/// `t=…,v1=…` for a body at a time.
pub fn sign(secret: &str, t: i64, body: &str) -> String {
    let v1 = match <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(format!("{t}.{body}").as_bytes());
            hex::encode(mac.finalize().into_bytes())
        }
        // HMAC accepts keys of every length: this does not happen.
        Err(_) => String::new(),
    };
    format!("t={t},v1={v1}")
}

/// What a receiver does: the header's HMAC compared in constant time, and its time within the
/// replay window of `now`.
pub fn check_signature(secret: &str, header: &str, body: &str, now: DateTime<Utc>) -> bool {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1 = hex::decode(v).ok(),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    if (now.timestamp() - t).abs() > REPLAY_WINDOW_SECS {
        return false;
    }
    let Ok(mut mac) = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(format!("{t}.{body}").as_bytes());
    mac.verify_slice(&v1).is_ok()
}

/// One event to deliver: its endpoint, body and the endpoint's secret; `None` when it was
/// delivered already or its endpoint is gone.
pub async fn pending(
    d: &Delivery,
    keyring: &Keyring,
    event_id: &str,
) -> Result<Option<(String, String, String)>, DeliveryError> {
    let row: Option<(String, String, String, i64, String)> = sqlx::query_as(
        "SELECT w.id, w.url, w.secret_sealed, w.master_version, e.body FROM delivery_webhook_events e \
         JOIN delivery_webhooks w ON w.id = e.webhook_id \
         WHERE e.id = $1 AND e.delivered_at IS NULL AND w.deleted_at IS NULL",
    )
    .bind(event_id)
    .fetch_optional(d.db.pool())
    .await?;
    let Some((hook, url, sealed, version, body)) = row else {
        return Ok(None);
    };
    let secret = keyring.open_secret(&secret_aad(&hook), version, &sealed)?;
    Ok(Some((url, body, secret)))
}

/// Records one attempt: delivered, or why not.
pub async fn record_attempt(
    d: &Delivery,
    event_id: &str,
    error: Option<&str>,
) -> Result<(), DeliveryError> {
    let now = to_millis(d.now());
    let mut tx = d.db.begin().await?;
    sqlx::query(
        "UPDATE delivery_webhook_events SET attempts = attempts + 1, delivered_at = CASE WHEN $1 IS NULL THEN $2 ELSE NULL END, last_error = $1 WHERE id = $3",
    )
    .bind(error)
    .bind(now)
    .bind(event_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Re-seals every endpoint's secret under the current master key (part of a rotation).
pub async fn reseal(db: &portico_store::Db, keyring: &Keyring) -> Result<u64, DeliveryError> {
    let current = i64::from(keyring.master().current());
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT id, secret_sealed, master_version FROM delivery_webhooks WHERE master_version <> $1",
    )
    .bind(current)
    .fetch_all(db.pool())
    .await?;
    let mut done = 0;
    for (id, sealed, version) in rows {
        let secret = keyring.open_secret(&secret_aad(&id), version, &sealed)?;
        let (new_version, resealed) = keyring.seal_secret(&secret_aad(&id), &secret)?;
        let mut tx = db.begin().await?;
        sqlx::query(
            "UPDATE delivery_webhooks SET secret_sealed = $1, master_version = $2 WHERE id = $3 AND master_version = $4",
        )
        .bind(&resealed)
        .bind(i64::from(new_version))
        .bind(&id)
        .bind(version)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        done += 1;
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_signature_checks_in_its_window_only_and_for_its_body_and_secret() {
        let now = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let header = sign("whsec_1", now.timestamp(), "{\"a\":1}");
        assert!(check_signature("whsec_1", &header, "{\"a\":1}", now));
        assert!(!check_signature("whsec_2", &header, "{\"a\":1}", now));
        assert!(!check_signature("whsec_1", &header, "{\"a\":2}", now));
        let later = now + chrono::Duration::seconds(REPLAY_WINDOW_SECS + 1);
        assert!(
            !check_signature("whsec_1", &header, "{\"a\":1}", later),
            "a replay"
        );
        assert!(!check_signature("whsec_1", "t=1,v1=zz", "{}", now));
    }

    #[tokio::test]
    async fn endpoints_are_https_to_public_addresses_or_loopback_in_development() {
        assert!(check_url("https://93.184.215.14/hooks", false)
            .await
            .is_ok());
        assert!(check_url("http://127.0.0.1:9000/hook", true).await.is_ok());
        assert!(check_url("http://127.0.0.1:9000/hook", false)
            .await
            .is_err());
        assert!(check_url("https://127.0.0.1:9000/hook", false)
            .await
            .is_err());
        assert!(check_url("http://system.sofia.bg/hooks", true)
            .await
            .is_err());
        assert!(check_url("ftp://x/", true).await.is_err());
        assert!(check_url("https://user:pw@x.bg/", true).await.is_err());
        assert!(check_url("not a url", true).await.is_err());
    }
}
