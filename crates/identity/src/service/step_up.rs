//! Step-up confirmation: "confirm with your second factor" before an action that must be the
//! person's own (submitting an application, paying, voting, deciding a consent).
//!
//! [`confirm`] accepts a current authenticator code (or an unused recovery code), or a code sent
//! by [`send_code`] for the same purpose, throttled like sign-in codes and recorded in the audit
//! log, and returns a [`StepUp`]: proof that only this module can make, which the caller hands to
//! its service function as evidence that the person confirmed.

use crate::service::{accounts, sha256_hex, throttle, totp};
use crate::transport::{Email, Sms, EMAIL_JOB, SMS_JOB};
use crate::IdentityError;
use chrono::{DateTime, Duration, Utc};
use portico_audit::Event;
use portico_core::clock::to_millis;
use portico_core::new_id;
use portico_store::jobs::{enqueue, NewJob, CODES_QUEUE};
use portico_store::{Db, Tx};
use rand::Rng;

/// How long a sent code works.
pub const CODE_LIFETIME_MINUTES: i64 = 5;

/// Where a code is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        match s {
            "email" => Some(Channel::Email),
            "sms" => Some(Channel::Sms),
            _ => None,
        }
    }
}

/// Proof that the person confirmed `purpose` with a second factor at `at`. Its fields are
/// private and it has no public constructor: only [`confirm`] makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepUp {
    account_id: String,
    purpose: String,
    at: DateTime<Utc>,
    method: &'static str,
}

impl StepUp {
    pub fn account_id(&self) -> &str {
        &self.account_id
    }

    pub fn purpose(&self) -> &str {
        &self.purpose
    }

    pub fn at(&self) -> DateTime<Utc> {
        self.at
    }

    /// `totp` (authenticator or recovery code) or `email` / `sms` (a sent code).
    pub fn method(&self) -> &'static str {
        self.method
    }

    /// Whether this proof is for that account and purpose: what a service function checks.
    pub fn is_for(&self, account_id: &str, purpose: &str) -> bool {
        self.account_id == account_id && self.purpose == purpose
    }
}

/// Purposes are short names such as `cases.submit`, stored with codes and in the audit log.
fn check_purpose(purpose: &str) -> Result<(), IdentityError> {
    let ok = !purpose.is_empty()
        && purpose.len() <= 40
        && purpose
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(IdentityError::field("purpose", "step_up.unknown_purpose"))
    }
}

/// The key wrong codes are counted under: the same as sign-in's second factor, so switching
/// between signing in and confirming gives no extra guesses.
fn throttle_key(account_id: &str) -> String {
    format!("code:{account_id}")
}

fn hash_for(account_id: &str, purpose: &str, code: &str) -> String {
    sha256_hex(&format!("step-up:{account_id}:{purpose}:{}", code.trim()))
}

async fn audit(
    tx: &mut Tx,
    account_id: &str,
    purpose: &str,
    outcome: &str,
    method: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), IdentityError> {
    let event = Event::new(account_id, "identity.step_up", account_id).with(serde_json::json!({
        "purpose": purpose,
        "outcome": outcome,
        "method": method,
    }));
    portico_audit::append(tx, event, now).await?;
    Ok(())
}

/// Checks `code` for `purpose` in a transaction of its own: the attempt is counted, checked and
/// its outcome committed whether or not the caller's action goes ahead.
///
/// Errors: [`IdentityError::WrongCode`] for a wrong, expired or used code (the page shows the
/// field error `code.wrong`), [`IdentityError::RateLimited`] with the seconds to wait.
pub async fn confirm(
    db: &Db,
    account_id: &str,
    code: &str,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<StepUp, IdentityError> {
    check_purpose(purpose)?;
    // Counted before the check, so the check runs to its end in a task of its own even when the
    // caller is dropped (a client hanging up): a right code still clears what it counted.
    let (db, account_id, code, purpose) = (
        db.clone(),
        account_id.to_owned(),
        code.to_owned(),
        purpose.to_owned(),
    );
    tokio::spawn(async move { confirm_to_the_end(&db, &account_id, &code, &purpose, now).await })
        .await
        .map_err(|e| IdentityError::Internal(e.to_string()))?
}

async fn confirm_to_the_end(
    db: &Db,
    account_id: &str,
    code: &str,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<StepUp, IdentityError> {
    let key = throttle_key(account_id);
    let mut tx = db.begin().await?;
    let delay = match throttle::claim(&mut tx, &key, &throttle::SIGN_IN, now).await {
        Ok(delay) => delay,
        Err(IdentityError::RateLimited(secs)) => {
            tx.rollback().await?;
            let mut tx = db.begin().await?;
            audit(&mut tx, account_id, purpose, "rate_limited", None, now).await?;
            tx.commit().await?;
            return Err(IdentityError::RateLimited(secs));
        }
        Err(e) => return Err(e),
    };
    // The check is cheap (no password hash), so it runs in the claim's transaction: the claimed
    // row stays locked until the end (PostgreSQL), or the writer is this transaction's (SQLite),
    // so parallel attempts are counted and checked one after another.
    let method = if code.trim().is_empty() {
        None
    } else if totp::verify(&mut tx, account_id, code, now).await? {
        Some("totp")
    } else {
        redeem(&mut tx, account_id, purpose, code, now).await?
    };
    match method {
        Some(method) => {
            throttle::reset(&mut tx, &key).await?;
            audit(&mut tx, account_id, purpose, "confirmed", Some(method), now).await?;
            tx.commit().await?;
            Ok(StepUp {
                account_id: account_id.to_owned(),
                purpose: purpose.to_owned(),
                at: now,
                method,
            })
        }
        None => {
            audit(&mut tx, account_id, purpose, "wrong_code", None, now).await?;
            tx.commit().await?;
            if delay > 0 {
                Err(IdentityError::RateLimited(delay))
            } else {
                Err(IdentityError::WrongCode)
            }
        }
    }
}

/// Uses the account's live sent code for `purpose` if `code` matches it; returns its channel.
async fn redeem(
    tx: &mut Tx,
    account_id: &str,
    purpose: &str,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Option<&'static str>, IdentityError> {
    let now_ms = to_millis(now);
    let found: Option<(String, String)> = sqlx::query_as(
        "SELECT id, channel FROM step_up_codes
         WHERE account_id = $1 AND purpose = $2 AND code_hash = $3 AND used_at IS NULL AND expires_at > $4",
    )
    .bind(account_id)
    .bind(purpose)
    .bind(hash_for(account_id, purpose, code))
    .bind(now_ms)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((id, channel)) = found else {
        return Ok(None);
    };
    // The condition on used_at makes two parallel uses of one code race for one row update.
    let used =
        sqlx::query("UPDATE step_up_codes SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
            .bind(now_ms)
            .bind(&id)
            .execute(&mut **tx)
            .await?;
    if used.rows_affected() != 1 {
        return Ok(None);
    }
    Ok(Some(match Channel::parse(&channel) {
        Some(Channel::Sms) => "sms",
        _ => "email",
    }))
}

/// Sends a six-digit code for `purpose` by e-mail or SMS, for people without an authenticator
/// app. Earlier unused codes for the same purpose stop working. Limited per account, per
/// destination and, when `client` (a client address's pseudonym) is given, per client address.
/// The message is queued in the same transaction as the code; wake the job worker after.
pub async fn send_code(
    db: &Db,
    account_id: &str,
    channel: Channel,
    purpose: &str,
    client: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), IdentityError> {
    check_purpose(purpose)?;
    let account = accounts::get(db, account_id)
        .await?
        .ok_or(IdentityError::NotFound)?;
    let destination = match channel {
        Channel::Email => account.email.clone(),
        // Only a number proven by a code sent to it; an unverified one gets nothing.
        Channel::Sms => accounts::verified_phone(db, account_id)
            .await?
            .ok_or_else(|| IdentityError::field("channel", "step_up.no_phone"))?,
    };
    let code = format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000));
    let mut tx = db.begin().await?;
    // While wrong codes are being slowed down, no new code is sent either.
    throttle::check(&mut tx, &throttle_key(account_id), now).await?;
    throttle::claim_send(&mut tx, account_id, &destination, client, now).await?;
    sqlx::query(
        "UPDATE step_up_codes SET used_at = $1 WHERE account_id = $2 AND purpose = $3 AND used_at IS NULL",
    )
    .bind(to_millis(now))
    .bind(account_id)
    .bind(purpose)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO step_up_codes (id, account_id, purpose, channel, code_hash, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(account_id)
    .bind(purpose)
    .bind(channel.as_str())
    .bind(hash_for(account_id, purpose, &code))
    .bind(to_millis(now + Duration::minutes(CODE_LIFETIME_MINUTES)))
    .bind(to_millis(now))
    .execute(&mut *tx)
    .await?;
    let (kind, message) = match channel {
        Channel::Email => (
            EMAIL_JOB,
            serde_json::to_value(Email {
                to: destination,
                subject: "Код за потвърждение в Портико / Portico confirmation code".into(),
                body: format!(
                    "Здравейте, {name}!\n\nКодът ви за потвърждение е {code}. Валиден е {CODE_LIFETIME_MINUTES} минути и се използва веднъж.\n\n\
                     Hello {name},\n\nYour confirmation code is {code}. It works once, for {CODE_LIFETIME_MINUTES} minutes.\n\n\
                     Ако не сте го поискали, не правете нищо и никому не го казвайте. / If you did not ask for it, do nothing and tell it to nobody.\n",
                    name = account.display_name()
                ),
            }),
        ),
        Channel::Sms => (
            SMS_JOB,
            serde_json::to_value(Sms {
                to: destination,
                text: format!("Portico: {code} e kodyt vi za potvyrzhdenie / is your confirmation code"),
            }),
        ),
    };
    let message = message.map_err(|e| IdentityError::Internal(e.to_string()))?;
    let job = NewJob::now(kind, message, now).on(CODES_QUEUE);
    enqueue(&mut tx, job, now).await?;
    let event = Event::new(account_id, "identity.step_up_code_sent", account_id)
        .with(serde_json::json!({ "purpose": purpose, "channel": channel.as_str() }));
    portico_audit::append(&mut tx, event, now).await?;
    tx.commit().await?;
    Ok(())
}
