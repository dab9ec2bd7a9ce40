//! Sends with an `Idempotency-Key`: an institution's system that did not hear the answer sends
//! again with the same key and gets the same answer, never a second message. Keys are per
//! client (the actor's audit id) and kept for [`KEEP_HOURS`]; the same key with another request
//! is refused. Two sends with one key at the same time make one message: the key's row is
//! written in the sending transaction, under its primary key, so the second waits for the first
//! and then finds it.

use super::{messages, Delivery};
use crate::model::{NewMessage, Sent};
use crate::DeliveryError;
use chrono::{DateTime, Utc};
use portico_core::clock::to_millis;
use portico_core::{Actor, FieldError};
use portico_store::Db;

/// How long a key is remembered.
pub const KEEP_HOURS: i64 = 24;
/// The longest key accepted (printable ASCII).
pub const MAX_KEY_CHARS: usize = 255;

/// How a send with a key was answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub sent: Sent,
    /// True when the key was already used for this request: nothing new was sent.
    pub replayed: bool,
}

fn check_key(key: &str) -> Result<(), DeliveryError> {
    let ok =
        !key.is_empty() && key.len() <= MAX_KEY_CHARS && key.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(())
    } else {
        Err(DeliveryError::Invalid(vec![FieldError::new(
            "idempotency_key",
            "delivery.idempotency.bad_key",
        )]))
    }
}

/// The message a (client, key) made before, if the key is still kept: its request's hash and
/// what was answered. `after_race`: read through the writer (`Db::read_latest`), for the loser
/// of a race on the key, whose winner may not be committed yet.
async fn earlier(
    db: &Db,
    client: &str,
    key: &str,
    now: DateTime<Utc>,
    after_race: bool,
) -> Result<Option<(String, Sent)>, DeliveryError> {
    let query = sqlx::query_as(
        "SELECT i.request_sha256, m.id, m.thread_id, m.content_sha256 \
         FROM delivery_idempotency i JOIN delivery_messages m ON m.id = i.message_id \
         WHERE i.client_id = $1 AND i.idem_key = $2 AND i.expires_at > $3",
    )
    .bind(client)
    .bind(key)
    .bind(to_millis(now));
    let row: Option<(String, String, String, String)> = if after_race {
        db.read_latest(query).await?
    } else {
        query.fetch_optional(db.pool()).await?
    };
    Ok(row.map(|(hash, message_id, thread_id, content_sha256)| {
        (
            hash,
            Sent {
                message_id,
                thread_id,
                content_sha256,
            },
        )
    }))
}

fn replay(request_sha256: &str, (hash, sent): (String, Sent)) -> Result<Answer, DeliveryError> {
    if hash == request_sha256 {
        Ok(Answer {
            sent,
            replayed: true,
        })
    } else {
        Err(DeliveryError::Invalid(vec![FieldError::new(
            "idempotency_key",
            "delivery.idempotency.key_reused",
        )]))
    }
}

/// The answer a key already gave, if this actor used it for a send that is still kept: the
/// first message (`replayed`) for the same request; another request is refused with
/// `delivery.idempotency.key_reused`. A malformed key is refused.
pub async fn earlier_answer(
    d: &Delivery,
    actor: &Actor,
    key: &str,
    request_sha256: &str,
) -> Result<Option<Answer>, DeliveryError> {
    check_key(key)?;
    match earlier(&d.db, &actor.audit_id(), key, d.now(), false).await? {
        Some(found) => replay(request_sha256, found).map(Some),
        None => Ok(None),
    }
}

/// Sends `message` once for this actor and `key`. `request_sha256` names the request (the
/// caller hashes it in a canonical form): the same key with the same request answers with the
/// first message (`replayed`), with another request it is refused with
/// `delivery.idempotency.key_reused`.
pub async fn send(
    d: &Delivery,
    actor: &Actor,
    key: &str,
    request_sha256: &str,
    message: NewMessage,
) -> Result<Answer, DeliveryError> {
    if let Some(answer) = earlier_answer(d, actor, key, request_sha256).await? {
        return Ok(answer);
    }
    let prepared = messages::prepare(d, actor, message).await?;
    commit(d, actor, key, request_sha256, prepared).await
}

/// As [`send`], for a message already prepared (a streamed send, whose request is known only
/// once its files are read): if the key was used, the files are removed again and the earlier
/// answer given (or the key refused).
pub async fn send_prepared(
    d: &Delivery,
    actor: &Actor,
    key: &str,
    request_sha256: &str,
    prepared: messages::Prepared,
) -> Result<Answer, DeliveryError> {
    match earlier_answer(d, actor, key, request_sha256).await {
        Ok(None) => commit(d, actor, key, request_sha256, prepared).await,
        answered => {
            prepared.discard(d).await;
            answered.and_then(|a| {
                a.ok_or_else(|| DeliveryError::Internal("idempotency answer vanished".into()))
            })
        }
    }
}

/// Sends a prepared message under a key that [`earlier_answer`] found unused (the caller has
/// asked it): the key's row is written in the sending transaction.
pub async fn commit(
    d: &Delivery,
    actor: &Actor,
    key: &str,
    request_sha256: &str,
    prepared: messages::Prepared,
) -> Result<Answer, DeliveryError> {
    check_key(key)?;
    let client = actor.audit_id();
    let now = d.now();
    let mut tx = d.db.begin().await?;
    // An expired key may be used again.
    sqlx::query(
        "DELETE FROM delivery_idempotency WHERE client_id = $1 AND idem_key = $2 AND expires_at <= $3",
    )
    .bind(&client)
    .bind(key)
    .bind(to_millis(now))
    .execute(&mut *tx)
    .await?;
    let sent = messages::send_in(&mut tx, d, actor, prepared).await?;
    // After the message (the row refers to it); a send with the same key at the same time waits
    // here for this transaction and then inserts nothing.
    let inserted = sqlx::query(
        "INSERT INTO delivery_idempotency (client_id, idem_key, request_sha256, message_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (client_id, idem_key) DO NOTHING",
    )
    .bind(&client)
    .bind(key)
    .bind(request_sha256)
    .bind(&sent.message_id)
    .bind(to_millis(now))
    .bind(to_millis(now + chrono::Duration::hours(KEEP_HOURS)))
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        // Someone else sent with this key first: this message is not sent.
        drop(tx);
        let found = earlier(&d.db, &client, key, now, true)
            .await?
            .ok_or_else(|| DeliveryError::Internal("idempotency key vanished".into()))?;
        return replay(request_sha256, found);
    }
    tx.commit().await?;
    d.wake_jobs();
    Ok(Answer {
        sent,
        replayed: false,
    })
}
