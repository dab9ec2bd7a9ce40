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

/// The person has just set up their second factor in this session (after registering, or after
/// accepting an invitation, where the session was opened with the password alone): it is now a
/// session of a password and a second factor, `Substantial`, like one completed at sign-in, so
/// they need not sign in again to act at that level. Only a complete session of an account with
/// a password, still at `Low`, is raised (a session opened otherwise keeps its level). Returns
/// whether it was raised.
pub async fn second_factor_added(
    tx: &mut Tx,
    session_id: &str,
    account_id: &str,
) -> Result<bool, IdentityError> {
    let raised = sqlx::query(
        "UPDATE sessions SET sign_in_assurance = $1
         WHERE id = $2 AND account_id = $3 AND stage = $4 AND sign_in_assurance = $5
           AND EXISTS (SELECT 1 FROM accounts a WHERE a.id = $3 AND a.password_hash <> '!')",
    )
    .bind(Assurance::Substantial.as_str())
    .bind(session_id)
    .bind(account_id)
    .bind(STAGE_COMPLETE)
    .bind(Assurance::Low.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(raised.rows_affected() == 1)
}

/// How long a session may go without a request before it ends, unless configured
/// (`PORTICO_IDLE_TIMEOUT_MINUTES`).
pub fn default_idle_timeout() -> Duration {
    Duration::minutes(30)
}

/// How stale `last_seen_at` may be before a request writes it again: one write a minute at most
/// per session, not one per request.
fn seen_granularity() -> Duration {
    Duration::seconds(60)
}

/// How long a request waits to record that its session was seen before it goes on without.
const SEEN_WAIT: std::time::Duration = std::time::Duration::from_millis(500);

/// Records that the session was seen now, through the writer, at most [`SEEN_WAIT`]: a page
/// must neither fail nor wait for seconds because the writer is busy (a large file's load step
/// holds SQLite's for up to seconds). A record missed is made by a later request; the idle
/// timeout (minutes) is far longer than any wait.
async fn record_seen(db: &Db, session_id: &str, now: DateTime<Utc>) {
    let write = db.execute_write(
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
            .bind(to_millis(now))
            .bind(session_id),
    );
    match tokio::time::timeout(SEEN_WAIT, write).await {
        Ok(Ok(_)) => {}
        Ok(Err(error)) => tracing::warn!(%error, "could not record that a session was seen"),
        Err(_) => tracing::info!("the writer is busy; a later request records the session as seen"),
    }
}

/// The session for a cookie token, with the account's roles and the session's level of
/// assurance (the lower of how the person signed in and how their identifier is proven, read
/// afresh each time, so a counter verification counts from the next sign-in with a second
/// factor, and a level lowered on the account counts at once); `None` if unknown, expired, or
/// idle for `idle` or longer (no request since). A request that finds it records that it was seen.
pub async fn resolve(
    db: &Db,
    token: &str,
    now: DateTime<Utc>,
    idle: Duration,
) -> Result<Option<SessionUser>, IdentityError> {
    if token.len() > 64 {
        return Ok(None);
    }
    #[allow(clippy::type_complexity)]
    let row: Option<(
        String,
        String,
        String,
        String,
        String,
        String,
        i64,
        String,
        String,
        Option<String>,
        i64,
    )> = sqlx::query_as(
        // Whether the person holds a mandate in force is asked here, not in a query of its own:
        // this runs on every signed-in request.
        "SELECT s.id, s.account_id, s.stage, a.kind, a.given_name, a.family_name,
                COALESCE(s.last_seen_at, s.created_at), s.sign_in_assurance, a.identity_assurance,
                s.acting_for,
                CASE WHEN EXISTS (SELECT 1 FROM mandates m WHERE m.agent_account_id = s.account_id
                                  AND m.revoked_at IS NULL AND m.valid_until > $2)
                     THEN 1 ELSE 0 END
         FROM sessions s JOIN accounts a ON a.id = s.account_id
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.disabled_at IS NULL
           AND COALESCE(s.last_seen_at, s.created_at) > $3",
    )
    .bind(sha256_hex(token))
    .bind(to_millis(now))
    .bind(to_millis(now - idle))
    .fetch_optional(db.pool())
    .await?;
    let Some((
        session_id,
        account_id,
        stage,
        kind,
        given,
        family,
        seen,
        sign_in,
        proven,
        acting,
        holds_mandates,
    )) = row
    else {
        return Ok(None);
    };
    if seen <= to_millis(now - seen_granularity()) {
        record_seen(db, &session_id, now).await;
    }
    let roles = if kind == "staff" {
        roles::list_for(db, &account_id).await?
    } else {
        Vec::new()
    };
    let complete = stage == STAGE_COMPLETE;
    // Acting under a mandate: checked afresh, so a revoked or expired one ends at once.
    let acting_for = match (&acting, complete) {
        (Some(mandate), true) => {
            crate::service::mandates::acting_for(db, &account_id, mandate, now).await?
        }
        _ => None,
    };
    let has_mandates = complete && kind != "staff" && holds_mandates == 1;
    Ok(Some(SessionUser {
        acting_for,
        has_mandates,
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
