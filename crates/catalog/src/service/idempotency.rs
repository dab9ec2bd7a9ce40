//! The console API's writes with an `Idempotency-Key`, as the delivery and payments blocks take
//! them: a system that did not hear the answer sends again with the same key and gets the same
//! answer, and nothing more is made (no second form version, no second adoption). Keys are per
//! caller (the actor's audit id) and kept for [`KEEP_HOURS`]; the same key with another request
//! is refused. The key is claimed first thing in the change's own transaction, under its primary
//! key, and the answer written there at the end, so of two requests with one key at the same
//! time the second waits for the first, finds the key taken, and answers what the first answered.
//!
//! Refused requests (422) are not remembered: nothing was changed, and the corrected request
//! may use the same key.

use crate::CatalogError;
use chrono::{DateTime, Utc};
use portico_core::clock::to_millis;
use portico_store::{Db, Tx};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// How long a key is remembered.
pub const KEEP_HOURS: i64 = 24;
/// The longest key accepted (printable ASCII).
pub const MAX_KEY_CHARS: usize = 255;

/// An answer given before to the same request with the same key.
#[derive(Debug, Clone, PartialEq)]
pub struct Remembered {
    pub status: u16,
    pub body: Value,
}

/// A key is 1 to 255 printable ASCII characters.
pub fn check_key(key: &str) -> Result<(), CatalogError> {
    let ok =
        !key.is_empty() && key.len() <= MAX_KEY_CHARS && key.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(())
    } else {
        Err(CatalogError::field(
            "idempotency_key",
            "catalog.idempotency.bad_key",
        ))
    }
}

/// The request's hash: its method and path and its JSON body in a canonical form (object keys
/// sorted, no spaces), so the same request written another way is the same request, and the
/// same body sent to another endpoint is another.
pub fn request_sha256(method_and_path: &str, body: &Value) -> String {
    fn sorted(v: &Value) -> Value {
        match v {
            Value::Object(map) => {
                let ordered: BTreeMap<&String, Value> =
                    map.iter().map(|(k, v)| (k, sorted(v))).collect();
                serde_json::json!(ordered)
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    let mut hasher = Sha256::new();
    hasher.update(method_and_path.as_bytes());
    hasher.update([0]);
    // A `Value` always serialises.
    hasher.update(serde_json::to_vec(&sorted(body)).unwrap_or_default());
    hex::encode(hasher.finalize())
}

/// What this caller's key answered before, if it is still kept: the same answer for the same
/// request, [`CatalogError::Invalid`] `catalog.idempotency.key_reused` for another.
/// `after_race`: read through the writer, for the loser of a race on the key.
pub async fn earlier(
    db: &Db,
    client: &str,
    key: &str,
    request_sha256: &str,
    now: DateTime<Utc>,
    after_race: bool,
) -> Result<Option<Remembered>, CatalogError> {
    let query = sqlx::query_as(
        "SELECT request_sha256, status, response_json FROM catalog_idempotency \
         WHERE client_id = $1 AND idem_key = $2 AND expires_at > $3",
    )
    .bind(client)
    .bind(key)
    .bind(to_millis(now));
    let row: Option<(String, i64, String)> = if after_race {
        db.read_latest(query).await?
    } else {
        query.fetch_optional(db.pool()).await?
    };
    let Some((hash, status, body)) = row else {
        return Ok(None);
    };
    if hash != request_sha256 {
        return Err(CatalogError::field(
            "idempotency_key",
            "catalog.idempotency.key_reused",
        ));
    }
    Ok(Some(Remembered {
        status: u16::try_from(status).unwrap_or(200),
        body: serde_json::from_str(&body)?,
    }))
}

/// Claims a key for a request, first thing in the change's transaction (before the change, so a
/// request racing on the key waits here rather than making the change twice). `false`: another
/// request with the key got there first (roll back, and answer [`earlier`] with `after_race`).
pub async fn claim(
    tx: &mut Tx,
    client: &str,
    key: &str,
    request_sha256: &str,
    now: DateTime<Utc>,
) -> Result<bool, CatalogError> {
    // An expired key may be used again.
    sqlx::query(
        "DELETE FROM catalog_idempotency WHERE client_id = $1 AND idem_key = $2 AND expires_at <= $3",
    )
    .bind(client)
    .bind(key)
    .bind(to_millis(now))
    .execute(&mut **tx)
    .await?;
    let inserted = sqlx::query(
        "INSERT INTO catalog_idempotency (client_id, idem_key, request_sha256, status, response_json, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (client_id, idem_key) DO NOTHING",
    )
    .bind(client)
    .bind(key)
    .bind(request_sha256)
    .bind(0_i64)
    .bind("null")
    .bind(to_millis(now))
    .bind(to_millis(now + chrono::Duration::hours(KEEP_HOURS)))
    .execute(&mut **tx)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// Writes the answer to a claimed key, in the same transaction as the change.
pub async fn remember(
    tx: &mut Tx,
    client: &str,
    key: &str,
    answer: &Remembered,
) -> Result<(), CatalogError> {
    sqlx::query(
        "UPDATE catalog_idempotency SET status = $1, response_json = $2 WHERE client_id = $3 AND idem_key = $4",
    )
    .bind(i64::from(answer.status))
    .bind(answer.body.to_string())
    .bind(client)
    .bind(key)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_same_request_written_another_way_has_the_same_hash() {
        let a = request_sha256("POST /x", &json!({"a": 1, "b": {"c": [1, 2], "d": "e"}}));
        let b = request_sha256("POST /x", &json!({"b": {"d": "e", "c": [1, 2]}, "a": 1}));
        assert_eq!(a, b);
        assert_ne!(
            a,
            request_sha256("POST /y", &json!({"a": 1, "b": {"c": [1, 2], "d": "e"}}))
        );
        assert_ne!(
            a,
            request_sha256("POST /x", &json!({"a": 2, "b": {"c": [1, 2], "d": "e"}}))
        );
    }

    #[test]
    fn keys_are_printable_ascii_of_reasonable_length() {
        assert!(check_key("retry-1").is_ok());
        assert!(check_key("").is_err());
        assert!(check_key("два").is_err());
        assert!(check_key("a b").is_err());
        assert!(check_key(&"k".repeat(256)).is_err());
    }
}
