//! One-time second factors delivered out of band: a sign-in link by e-mail and a six-digit code by
//! SMS. Each is bound to the pending session that asked for it (a forwarded link is useless in
//! another browser), expires, works once, and allows a few wrong tries only.

use crate::service::{random_token, sha256_hex};
use crate::IdentityError;
use chrono::{DateTime, Duration, Utc};
use portico_core::clock::to_millis;
use portico_core::new_id;
use portico_store::Tx;
use rand::Rng;

pub const EMAIL_LINK: &str = "email_link";
pub const SMS: &str = "sms";
pub const MAX_ATTEMPTS: i64 = 5;

pub fn lifetime(channel: &str) -> Duration {
    if channel == EMAIL_LINK {
        Duration::minutes(15)
    } else {
        Duration::minutes(5)
    }
}

/// Creates a code for the session and returns it in the clear, to be sent. Earlier unused codes
/// of the same session and channel stop working.
pub async fn issue(
    tx: &mut Tx,
    account_id: &str,
    session_id: &str,
    channel: &'static str,
    now: DateTime<Utc>,
) -> Result<String, IdentityError> {
    let code = if channel == EMAIL_LINK {
        random_token(32)
    } else {
        format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000))
    };
    sqlx::query("UPDATE one_time_codes SET used_at = $1 WHERE session_id = $2 AND channel = $3 AND used_at IS NULL")
        .bind(to_millis(now))
        .bind(session_id)
        .bind(channel)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO one_time_codes (id, account_id, session_id, channel, code_hash, expires_at, attempts, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, 0, $7)",
    )
    .bind(new_id())
    .bind(account_id)
    .bind(session_id)
    .bind(channel)
    .bind(hash_for(session_id, &code))
    .bind(to_millis(now + lifetime(channel)))
    .bind(to_millis(now))
    .execute(&mut **tx)
    .await?;
    Ok(code)
}

/// Six digits have few values: the hash includes the session id, so a leaked table of hashes
/// cannot be matched against a precomputed list.
fn hash_for(session_id: &str, code: &str) -> String {
    sha256_hex(&format!("{session_id}:{}", code.trim()))
}

/// Uses the session's live code of this channel if `code` matches it. Wrong tries are counted,
/// and after [`MAX_ATTEMPTS`] the code is spent.
pub async fn redeem(
    tx: &mut Tx,
    session_id: &str,
    channel: &str,
    code: &str,
    now: DateTime<Utc>,
) -> Result<bool, IdentityError> {
    let now_ms = to_millis(now);
    let live: Option<(String, String, i64)> = sqlx::query_as(
        "SELECT id, code_hash, attempts FROM one_time_codes
         WHERE session_id = $1 AND channel = $2 AND used_at IS NULL AND expires_at > $3
         ORDER BY created_at DESC LIMIT 1",
    )
    .bind(session_id)
    .bind(channel)
    .bind(now_ms)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((id, code_hash, attempts)) = live else {
        return Ok(false);
    };
    if code_hash == hash_for(session_id, code) {
        let used =
            sqlx::query("UPDATE one_time_codes SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
                .bind(now_ms)
                .bind(&id)
                .execute(&mut **tx)
                .await?;
        return Ok(used.rows_affected() == 1);
    }
    let spent = attempts + 1 >= MAX_ATTEMPTS;
    sqlx::query("UPDATE one_time_codes SET attempts = attempts + 1, used_at = CASE WHEN $1 = 1 THEN $2 ELSE used_at END WHERE id = $3")
        .bind(if spent { 1i64 } else { 0i64 })
        .bind(now_ms)
        .bind(&id)
        .execute(&mut **tx)
        .await?;
    Ok(false)
}
