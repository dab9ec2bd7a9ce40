//! Growing delays after failed attempts, kept in the database so every node sees them.
//! The first three failures cost nothing (typos happen); from the fourth the key is locked for
//! 5, 10, 20, 40 … seconds, at most 15 minutes. Success clears the key.

use crate::IdentityError;
use chrono::{DateTime, Utc};
use portico_core::clock::to_millis;
use portico_store::Tx;

pub const FREE_FAILURES: i64 = 3;
pub const MAX_DELAY_SECS: i64 = 15 * 60;

pub fn delay_after(failures: i64) -> i64 {
    if failures <= FREE_FAILURES {
        return 0;
    }
    let exp = (failures - FREE_FAILURES - 1).min(20) as u32;
    (5i64 * 2i64.pow(exp)).min(MAX_DELAY_SECS)
}

/// Refuses at once while the key is locked, saying for how long.
pub async fn check(tx: &mut Tx, key: &str, now: DateTime<Utc>) -> Result<(), IdentityError> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT locked_until FROM throttle WHERE key = $1")
        .bind(key)
        .fetch_optional(&mut **tx)
        .await?;
    if let Some((locked_until,)) = row {
        let wait_ms = locked_until - to_millis(now);
        if wait_ms > 0 {
            return Err(IdentityError::RateLimited((wait_ms + 999) / 1000));
        }
    }
    Ok(())
}

/// Counts a failure and returns the delay now imposed, in seconds (0 for none yet).
pub async fn record_failure(
    tx: &mut Tx,
    key: &str,
    now: DateTime<Utc>,
) -> Result<i64, IdentityError> {
    let now_ms = to_millis(now);
    let row: Option<(i64,)> = sqlx::query_as("SELECT failures FROM throttle WHERE key = $1")
        .bind(key)
        .fetch_optional(&mut **tx)
        .await?;
    let failures = row.map(|r| r.0).unwrap_or(0) + 1;
    let delay = delay_after(failures);
    let locked_until = now_ms + delay * 1000;
    if row.is_some() {
        sqlx::query(
            "UPDATE throttle SET failures = $1, locked_until = $2, updated_at = $3 WHERE key = $4",
        )
        .bind(failures)
        .bind(locked_until)
        .bind(now_ms)
        .bind(key)
        .execute(&mut **tx)
        .await?;
    } else {
        sqlx::query("INSERT INTO throttle (key, failures, locked_until, updated_at) VALUES ($1, $2, $3, $4)")
            .bind(key)
            .bind(failures)
            .bind(locked_until)
            .bind(now_ms)
            .execute(&mut **tx)
            .await?;
    }
    Ok(delay)
}

pub async fn reset(tx: &mut Tx, key: &str) -> Result<(), IdentityError> {
    sqlx::query("DELETE FROM throttle WHERE key = $1")
        .bind(key)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_are_capped() {
        assert_eq!((1..=3).map(delay_after).collect::<Vec<_>>(), vec![0, 0, 0]);
        assert_eq!(delay_after(4), 5);
        assert_eq!(delay_after(5), 10);
        assert_eq!(delay_after(6), 20);
        assert_eq!(delay_after(40), MAX_DELAY_SECS);
    }
}
