//! Forgetting what can no longer be used: run now and then by the node's purge task, so the
//! tables of sessions, codes and throttles hold only what may still matter.

use crate::IdentityError;
use chrono::{DateTime, Duration, Utc};
use portico_core::clock::to_millis;
use portico_store::Tx;

/// How long a session or code is kept after it stopped working (for an operator looking into a
/// complaint the same day).
pub fn keep_expired() -> Duration {
    Duration::days(1)
}

/// A throttle key untouched this long has been forgotten by every policy (the longest
/// `forget_after_secs` is a day) and can go, unless it is still locked.
pub fn keep_throttles() -> Duration {
    Duration::days(1)
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub sessions: u64,
    pub one_time_codes: u64,
    pub step_up_codes: u64,
    pub throttles: u64,
    /// eID sign-ins begun and never answered, or answered.
    pub eid_attempts: u64,
}

/// Deletes sessions and codes that expired more than [`keep_expired`] ago and throttle rows
/// left alone for longer than [`keep_throttles`] that lock nothing.
pub async fn purge(tx: &mut Tx, now: DateTime<Utc>) -> Result<Purged, IdentityError> {
    let expired = to_millis(now - keep_expired());
    let sessions = sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
        .bind(expired)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    let one_time_codes = sqlx::query("DELETE FROM one_time_codes WHERE expires_at < $1")
        .bind(expired)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    let step_up_codes = sqlx::query("DELETE FROM step_up_codes WHERE expires_at < $1")
        .bind(expired)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    let throttles = sqlx::query("DELETE FROM throttle WHERE updated_at < $1 AND locked_until < $2")
        .bind(to_millis(now - keep_throttles()))
        .bind(to_millis(now))
        .execute(&mut **tx)
        .await?
        .rows_affected();
    let eid_attempts = sqlx::query("DELETE FROM eid_attempts WHERE expires_at < $1")
        .bind(expired)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(Purged {
        eid_attempts,
        sessions,
        one_time_codes,
        step_up_codes,
        throttles,
    })
}
