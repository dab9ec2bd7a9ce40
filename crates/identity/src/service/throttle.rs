//! Growing delays after failed attempts, kept in the database so every node sees them.
//!
//! Each key (an account's sign-in, an account's codes, a client address, a destination for codes)
//! has a [`Policy`]. For sign-in the first three failures cost nothing (typos happen); from the
//! fourth the key is locked for 5, 10, 20, 40 … seconds, at most 15 minutes. Success clears the key.
//!
//! An attempt is counted *before* it is checked, by [`claim`]: one conditional upsert that adds
//! the attempt and sets the lock it would earn, or does nothing while the key is locked. So
//! parallel attempts each take their own number and no read-then-write leaves a gap: of a hundred
//! simultaneous wrong passwords for one account, four are checked and the rest are refused.

use crate::IdentityError;
use chrono::{DateTime, Utc};
use portico_core::clock::to_millis;
use portico_store::Tx;

/// How a kind of key is slowed down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Failures that cost nothing.
    pub free: i64,
    /// The lock after the first failure past the free ones, in seconds; it doubles after each.
    pub first_delay_secs: i64,
    pub max_delay_secs: i64,
    /// A key left alone this long starts again from nothing.
    pub forget_after_secs: i64,
}

/// Sign-in passwords and second-factor codes, per account (or per unknown identifier).
pub const SIGN_IN: Policy = Policy {
    free: 3,
    first_delay_secs: 5,
    max_delay_secs: 15 * 60,
    forget_after_secs: 24 * 60 * 60,
};

/// Failed sign-ins from one client address, whatever the account: an address may be shared by a
/// whole office behind one NAT, so it gets more room than one account.
pub const ADDRESS: Policy = Policy {
    free: 20,
    first_delay_secs: 5,
    max_delay_secs: 15 * 60,
    forget_after_secs: 60 * 60,
};

/// Messages carrying a code (sign-in link, SMS code, step-up code) per account and per
/// destination: five in a row, then a minute's wait before the next, doubling after each.
pub const SEND: Policy = Policy {
    free: 4,
    first_delay_secs: 60,
    max_delay_secs: 60 * 60,
    forget_after_secs: 60 * 60,
};

/// Messages carrying a code asked for from one client address: twenty in a row.
pub const SEND_ADDRESS: Policy = Policy {
    free: 19,
    first_delay_secs: 60,
    max_delay_secs: 60 * 60,
    forget_after_secs: 60 * 60,
};

/// The free failures of [`SIGN_IN`], kept under its old name.
pub const FREE_FAILURES: i64 = SIGN_IN.free;
pub const MAX_DELAY_SECS: i64 = SIGN_IN.max_delay_secs;

impl Policy {
    /// The lock in seconds once `failures` have been counted (0 for none).
    pub fn delay_after(&self, failures: i64) -> i64 {
        if failures <= self.free {
            return 0;
        }
        let exp = (failures - self.free - 1).min(30) as u32;
        self.first_delay_secs
            .saturating_mul(2i64.saturating_pow(exp))
            .min(self.max_delay_secs)
    }

    /// The same as [`Policy::delay_after`] in milliseconds, as an SQL expression over the count
    /// `n` (itself an expression), so the lock is set in the same statement that counts.
    fn delay_ms_sql(&self, n: &str) -> String {
        let mut sql = String::from("CASE");
        let mut failures = self.free + 1;
        loop {
            let delay = self.delay_after(failures);
            if delay >= self.max_delay_secs {
                break;
            }
            sql.push_str(&format!(" WHEN {n} = {failures} THEN {}", delay * 1000));
            failures += 1;
        }
        sql.push_str(&format!(
            " WHEN {n} > {} THEN {} ELSE 0 END",
            self.free,
            self.max_delay_secs * 1000
        ));
        sql
    }
}

/// The sign-in delays, for the tests and for pages that explain them.
pub fn delay_after(failures: i64) -> i64 {
    SIGN_IN.delay_after(failures)
}

/// Counts an attempt against `key` before it is checked. While the key is locked nothing is
/// counted and the answer is [`IdentityError::RateLimited`] with the seconds left. Otherwise the
/// attempt has its number and the answer is the delay that now applies should it fail (0: none);
/// the caller clears the key with [`reset`] (or [`forgive`]) if it succeeds.
///
/// Commit the claim before the expensive check (a password hash) so parallel attempts see it.
pub async fn claim(
    tx: &mut Tx,
    key: &str,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<i64, IdentityError> {
    let now_ms = to_millis(now);
    let forget_before = now_ms - policy.forget_after_secs * 1000;
    let n = "(CASE WHEN throttle.updated_at < $3 THEN 1 ELSE throttle.failures + 1 END)";
    let sql = format!(
        "INSERT INTO throttle (key, failures, locked_until, updated_at) VALUES ($1, 1, $2 + {first}, $2)
         ON CONFLICT (key) DO UPDATE SET failures = {n}, locked_until = $2 + {delay}, updated_at = $2
         WHERE throttle.locked_until <= $2
         RETURNING failures",
        first = policy.delay_after(1) * 1000,
        delay = policy.delay_ms_sql(n),
    );
    let counted: Option<(i64,)> = sqlx::query_as(&sql)
        .bind(key)
        .bind(now_ms)
        .bind(forget_before)
        .fetch_optional(&mut **tx)
        .await?;
    match counted {
        Some((failures,)) => Ok(policy.delay_after(failures)),
        None => Err(IdentityError::RateLimited(locked_for(tx, key, now).await?)),
    }
}

/// The seconds a locked key has left (at least one: it was locked a moment ago).
async fn locked_for(tx: &mut Tx, key: &str, now: DateTime<Utc>) -> Result<i64, IdentityError> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT locked_until FROM throttle WHERE key = $1")
        .bind(key)
        .fetch_optional(&mut **tx)
        .await?;
    let wait_ms = row.map(|r| r.0).unwrap_or(0) - to_millis(now);
    Ok(((wait_ms + 999) / 1000).max(1))
}

/// Refuses at once while the key is locked, saying for how long. Counts nothing: prefer [`claim`].
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

/// Counts a failure after the fact under the sign-in policy and returns the delay now imposed, in
/// seconds. One upsert, so concurrent first failures never collide; prefer [`claim`], which
/// counts before the check.
pub async fn record_failure(
    tx: &mut Tx,
    key: &str,
    now: DateTime<Utc>,
) -> Result<i64, IdentityError> {
    let now_ms = to_millis(now);
    let policy = SIGN_IN;
    let n = "(throttle.failures + 1)";
    let sql = format!(
        "INSERT INTO throttle (key, failures, locked_until, updated_at) VALUES ($1, 1, $2 + {first}, $2)
         ON CONFLICT (key) DO UPDATE SET failures = {n}, locked_until = $2 + {delay}, updated_at = $2
         RETURNING failures",
        first = policy.delay_after(1) * 1000,
        delay = policy.delay_ms_sql(n),
    );
    let (failures,): (i64,) = sqlx::query_as(&sql)
        .bind(key)
        .bind(now_ms)
        .fetch_one(&mut **tx)
        .await?;
    Ok(policy.delay_after(failures))
}

/// Counts a message carrying a code before it is queued: per account, per destination (an
/// e-mail address or phone number, as its hash) and, when given, per client address (its
/// pseudonym). Refused with [`IdentityError::RateLimited`] when any of them is locked; the
/// caller's transaction is then dropped, so nothing is counted.
pub async fn claim_send(
    tx: &mut Tx,
    account_id: &str,
    destination: &str,
    client: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), IdentityError> {
    claim(tx, &format!("send:account:{account_id}"), &SEND, now).await?;
    let to = crate::service::sha256_hex(&destination.trim().to_lowercase());
    claim(tx, &format!("send:to:{to}"), &SEND, now).await?;
    if let Some(client) = client {
        claim(tx, &format!("send:addr:{client}"), &SEND_ADDRESS, now).await?;
    }
    Ok(())
}

/// Clears the key after a success.
pub async fn reset(tx: &mut Tx, key: &str) -> Result<(), IdentityError> {
    sqlx::query("DELETE FROM throttle WHERE key = $1")
        .bind(key)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Takes back one claimed attempt that succeeded, for keys that many people share (a client
/// address): one person's success must not wipe the failures of a guesser behind the same address.
pub async fn forgive(
    tx: &mut Tx,
    key: &str,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<(), IdentityError> {
    sqlx::query(&format!(
        "UPDATE throttle SET failures = failures - 1,
           locked_until = CASE WHEN failures - 1 <= {free} THEN $2 ELSE locked_until END
         WHERE key = $1 AND failures > 0",
        free = policy.free
    ))
    .bind(key)
    .bind(to_millis(now))
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
        assert_eq!(delay_after(40), 900);
        assert_eq!(ADDRESS.delay_after(20), 0);
        assert_eq!(ADDRESS.delay_after(21), 5);
        assert_eq!(SEND.delay_after(4), 0);
        assert_eq!(SEND.delay_after(5), 60);
        assert_eq!(SEND.delay_after(6), 120);
        assert_eq!(SEND.delay_after(100), 3600);
    }

    #[test]
    fn the_sql_delay_matches_the_rust_one() {
        let sql = SIGN_IN.delay_ms_sql("n");
        assert_eq!(
            sql,
            "CASE WHEN n = 4 THEN 5000 WHEN n = 5 THEN 10000 WHEN n = 6 THEN 20000 \
             WHEN n = 7 THEN 40000 WHEN n = 8 THEN 80000 WHEN n = 9 THEN 160000 \
             WHEN n = 10 THEN 320000 WHEN n = 11 THEN 640000 WHEN n > 3 THEN 900000 ELSE 0 END"
        );
    }
}
