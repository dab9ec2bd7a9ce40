//! Sessions. The cookie carries a random token; the database keeps only its hash. Each stage of
//! sign-in issues a new token (the old one stops working), so a token seen before sign-in is
//! worthless after it.

use crate::service::{random_token, roles, sha256_hex};
use crate::IdentityError;
use chrono::{DateTime, Duration, Utc};
use portico_core::clock::to_millis;
use portico_core::{new_id, Assurance};
use portico_http::{AccountKind, SessionUser};
use portico_store::{Db, Tx};

pub const STAGE_PASSWORD: &str = "password";
pub const STAGE_COMPLETE: &str = "complete";

/// How long a person has to give their second factor after the password.
pub fn pending_lifetime() -> Duration {
    Duration::minutes(10)
}

/// How long a signed-in session lasts.
pub fn complete_lifetime() -> Duration {
    Duration::hours(12)
}

pub struct NewSession {
    pub id: String,
    pub token: String,
}

/// A new session. `sign_in` is how the person proved themselves to open it: a password alone is
/// `Low`, a password and a second factor `Substantial`.
pub async fn create(
    tx: &mut Tx,
    account_id: &str,
    stage: &str,
    sign_in: Assurance,
    now: DateTime<Utc>,
) -> Result<NewSession, IdentityError> {
    let id = new_id();
    let token = random_token(32);
    let lifetime = if stage == STAGE_COMPLETE {
        complete_lifetime()
    } else {
        pending_lifetime()
    };
    sqlx::query(
        "INSERT INTO sessions (id, token_hash, account_id, stage, sign_in_assurance, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(sha256_hex(&token))
    .bind(account_id)
    .bind(stage)
    .bind(sign_in.as_str())
    .bind(to_millis(now))
    .bind(to_millis(now + lifetime))
    .execute(&mut **tx)
    .await?;
    Ok(NewSession { id, token })
}

/// Finishes sign-in: the pending session is replaced by a complete one with a new token, opened
/// with a password and a second factor (`Substantial`).
pub async fn complete(
    tx: &mut Tx,
    pending_id: &str,
    account_id: &str,
    now: DateTime<Utc>,
) -> Result<NewSession, IdentityError> {
    let removed =
        sqlx::query("DELETE FROM sessions WHERE id = $1 AND account_id = $2 AND stage = $3")
            .bind(pending_id)
            .bind(account_id)
            .bind(STAGE_PASSWORD)
            .execute(&mut **tx)
            .await?;
    if removed.rows_affected() != 1 {
        // Already completed by a parallel request, or expired and cleaned up.
        return Err(IdentityError::WrongCode);
    }
    create(tx, account_id, STAGE_COMPLETE, Assurance::Substantial, now).await
}

/// The session for a cookie token, with the account's roles and the session's level of
/// assurance (the lower of how the person signed in and how their identifier is proven, read
/// afresh each time, so a counter verification counts from the next sign-in with a second
/// factor, and a level lowered on the account counts at once); `None` if unknown or expired.
pub async fn resolve(
    db: &Db,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<SessionUser>, IdentityError> {
    if token.len() > 64 {
        return Ok(None);
    }
    #[allow(clippy::type_complexity)]
    let row: Option<(String, String, String, String, String, String, String, String)> = sqlx::query_as(
        "SELECT s.id, s.account_id, s.stage, a.kind, a.given_name, a.family_name, s.sign_in_assurance, a.identity_assurance
         FROM sessions s JOIN accounts a ON a.id = s.account_id
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.disabled_at IS NULL",
    )
    .bind(sha256_hex(token))
    .bind(to_millis(now))
    .fetch_optional(db.pool())
    .await?;
    let Some((session_id, account_id, stage, kind, given, family, sign_in, proven)) = row else {
        return Ok(None);
    };
    let roles = if kind == "staff" {
        roles::list_for(db, &account_id).await?
    } else {
        Vec::new()
    };
    Ok(Some(SessionUser {
        session_id,
        account_id,
        display_name: format!("{given} {family}"),
        kind: if kind == "staff" {
            AccountKind::Staff
        } else {
            AccountKind::Citizen
        },
        fully_authenticated: stage == STAGE_COMPLETE,
        assurance: Assurance::from_stored(&sign_in).min(Assurance::from_stored(&proven)),
        roles,
    }))
}

pub async fn delete(tx: &mut Tx, session_id: &str) -> Result<(), IdentityError> {
    sqlx::query("DELETE FROM sessions WHERE id = $1")
        .bind(session_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// "Sign out everywhere": ends every session of the account. Returns how many there were.
pub async fn delete_all(tx: &mut Tx, account_id: &str) -> Result<u64, IdentityError> {
    let done = sqlx::query("DELETE FROM sessions WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected())
}

pub async fn count_active(
    db: &Db,
    account_id: &str,
    now: DateTime<Utc>,
) -> Result<i64, IdentityError> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM sessions WHERE account_id = $1 AND expires_at > $2 AND stage = $3",
    )
    .bind(account_id)
    .bind(to_millis(now))
    .bind(STAGE_COMPLETE)
    .fetch_one(db.pool())
    .await?;
    Ok(n)
}
