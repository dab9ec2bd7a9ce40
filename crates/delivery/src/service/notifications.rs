//! Telling a recipient that a message arrived: an e-mail and an SMS with a link to it, never its
//! content,
//! sent through the job queue (enqueued in the transaction that delivers the message, retried
//! with backoff). Each notification has a status like GOV.UK Notify's: `created`, `sending`,
//! `delivered`, `temporary-failure` (the job retries), `permanent-failure` (nothing to retry:
//! the account is gone or its address is unusable).

use crate::model::{Mailbox, MailboxKind};
use crate::DeliveryError;
use chrono::{DateTime, Utc};
use portico_core::clock::{from_millis, to_millis};
use portico_core::new_id;
use portico_store::{Db, Tx};

/// Job kind: send one notification by e-mail.
pub const EMAIL_JOB: &str = "delivery.notify_email";
/// Job kind: send one notification by SMS (to the account's phone, read when the job runs).
pub const SMS_JOB: &str = "delivery.notify_sms";

pub const CREATED: &str = "created";
pub const SENDING: &str = "sending";
pub const DELIVERED: &str = "delivered";
pub const TEMPORARY_FAILURE: &str = "temporary-failure";
pub const PERMANENT_FAILURE: &str = "permanent-failure";

/// A notification as the sender sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Notification {
    pub id: String,
    pub mailbox_id: String,
    pub channel: String,
    pub status: String,
    pub updated_at: DateTime<Utc>,
}

/// Queues an e-mail and an SMS for a person's mailbox; the caller calls it only for owners who
/// have an account (someone without one is told nothing: the message waits for their first
/// sign-in). Returns the e-mail's notification id.
pub async fn create(
    tx: &mut Tx,
    message_id: &str,
    mailbox: &Mailbox,
    now: DateTime<Utc>,
) -> Result<Option<String>, DeliveryError> {
    if mailbox.kind != MailboxKind::Person {
        return Ok(None);
    }
    let email = create_on(tx, message_id, mailbox, "email", EMAIL_JOB, now).await?;
    create_on(tx, message_id, mailbox, "sms", SMS_JOB, now).await?;
    Ok(Some(email))
}

async fn create_on(
    tx: &mut Tx,
    message_id: &str,
    mailbox: &Mailbox,
    channel: &str,
    job: &str,
    now: DateTime<Utc>,
) -> Result<String, DeliveryError> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO delivery_notifications (id, message_id, mailbox_id, channel, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(&id)
    .bind(message_id)
    .bind(&mailbox.id)
    .bind(channel)
    .bind(CREATED)
    .bind(to_millis(now))
    .execute(&mut **tx)
    .await?;
    let job =
        portico_store::jobs::NewJob::now(job, serde_json::json!({ "notification_id": id }), now);
    portico_store::jobs::enqueue(tx, job, now).await?;
    Ok(id)
}

pub async fn set_status(
    db: &Db,
    id: &str,
    status: &str,
    detail: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), DeliveryError> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE delivery_notifications SET status = $1, detail = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(status)
    .bind(detail)
    .bind(to_millis(now))
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What the e-mail job needs: the message it is about and the recipient's mailbox identifier.
pub async fn target(db: &Db, id: &str) -> Result<Option<(String, String)>, DeliveryError> {
    Ok(sqlx::query_as(
        "SELECT n.message_id, b.identifier FROM delivery_notifications n JOIN delivery_mailboxes b ON b.id = n.mailbox_id WHERE n.id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?)
}

/// The notifications of a message (the caller has checked the actor may read it).
pub async fn of_message(db: &Db, message_id: &str) -> Result<Vec<Notification>, DeliveryError> {
    let rows: Vec<(String, String, String, String, i64)> = sqlx::query_as(
        "SELECT id, mailbox_id, channel, status, updated_at FROM delivery_notifications WHERE message_id = $1 ORDER BY created_at, id",
    )
    .bind(message_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, mailbox_id, channel, status, updated)| Notification {
            id,
            mailbox_id,
            channel,
            status,
            updated_at: from_millis(updated),
        })
        .collect())
}
