//! Telling people what happened: a notification in their account, and an e-mail through the job
//! queue (enqueued in the same transaction as the change it reports).

use crate::model::Notification;
use crate::CasesError;
use chrono::{DateTime, Utc};
use portico_core::clock::{from_millis, to_millis};
use portico_core::new_id;
use portico_store::{Db, Tx};

pub async fn notify(
    tx: &mut Tx,
    account_id: &str,
    application_id: Option<&str>,
    text_bg: &str,
    text_en: &str,
    now: DateTime<Utc>,
) -> Result<(), CasesError> {
    sqlx::query(
        "INSERT INTO notifications (id, account_id, application_id, text_bg, text_en, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new_id())
    .bind(account_id)
    .bind(application_id)
    .bind(text_bg)
    .bind(text_en)
    .bind(to_millis(now))
    .execute(&mut **tx)
    .await?;
    let job = portico_store::jobs::NewJob::now(
        EMAIL_NOTIFICATION_JOB,
        serde_json::json!({ "account_id": account_id, "text_bg": text_bg, "text_en": text_en }),
        now,
    );
    portico_store::jobs::enqueue(tx, job, now).await?;
    Ok(())
}

/// Sends the e-mail for a notification: the address is looked up when the job runs.
pub const EMAIL_NOTIFICATION_JOB: &str = "cases.notify_email";

#[derive(sqlx::FromRow)]
struct NotificationRow {
    id: String,
    application_id: Option<String>,
    text_bg: String,
    text_en: String,
    created_at: i64,
    read_at: Option<i64>,
}

pub async fn list(db: &Db, account_id: &str) -> Result<Vec<Notification>, CasesError> {
    let rows: Vec<NotificationRow> = sqlx::query_as(
        "SELECT id, application_id, text_bg, text_en, created_at, read_at FROM notifications WHERE account_id = $1 \
         ORDER BY created_at DESC LIMIT 50",
    )
    .bind(account_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Notification {
            id: r.id,
            application_id: r.application_id,
            text_bg: r.text_bg,
            text_en: r.text_en,
            created_at: from_millis(r.created_at),
            read: r.read_at.is_some(),
        })
        .collect())
}

pub async fn mark_all_read(
    tx: &mut Tx,
    account_id: &str,
    now: DateTime<Utc>,
) -> Result<(), CasesError> {
    sqlx::query("UPDATE notifications SET read_at = $1 WHERE account_id = $2 AND read_at IS NULL")
        .bind(to_millis(now))
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
