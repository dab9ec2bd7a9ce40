//! Changing one's e-mail address or phone number, and verifying them.
//!
//! 1. [`begin`]: a change needs a proof that the person just confirmed with their current second
//!    factor ([`step_up::confirm`] with [`PURPOSE`]); checking the address or number the account
//!    already has (given at registration, never verified) needs none, since nothing changes. A
//!    An account with a placeholder address (made by a certificate or an eID) and no
//!    authenticator app gives its first real address without one. A
//!    six-digit code goes to the **new** destination, limited like sign-in codes per account,
//!    per destination and per client address (`throttle::claim_send`), and is kept only as a
//!    hash for 15 minutes. An earlier pending change of the same kind stops working.
//! 2. [`confirm`]: the right code (wrong ones counted under the account's `code:` key, as every
//!    second-factor code) makes the change and marks the value verified, audited as
//!    `identity.contact_changed`; a changed e-mail address is told to the old one too.

use crate::service::step_up::StepUp;
use crate::service::{accounts, sha256_hex, throttle};
use crate::transport::{Email, Sms, EMAIL_JOB, SMS_JOB};
use crate::IdentityError;
use chrono::{DateTime, Duration, Utc};
use portico_audit::Event;
use portico_core::clock::to_millis;
use portico_core::new_id;
use portico_store::jobs::{enqueue, NewJob, CODES_QUEUE};
use portico_store::Db;
use rand::Rng;

/// The step-up purpose a change is confirmed with.
pub const PURPOSE: &str = "identity.contact_change";
const CODE_MINUTES: i64 = 15;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Email,
    Phone,
}

impl Kind {
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "email" => Some(Kind::Email),
            "phone" => Some(Kind::Phone),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Email => "email",
            Kind::Phone => "phone",
        }
    }
}

/// A pending change, as the code page shows it.
#[derive(Debug, Clone)]
pub struct Pending {
    pub id: String,
    pub kind: Kind,
    pub new_value: String,
}

/// Whether the account's current e-mail address and phone number are verified.
pub async fn verified(db: &Db, account_id: &str) -> Result<(bool, bool), IdentityError> {
    let (email, phone): (Option<i64>, Option<i64>) =
        sqlx::query_as("SELECT email_verified_at, phone_verified_at FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_one(db.pool())
            .await?;
    Ok((email.is_some(), phone.is_some()))
}

/// The value as stored, or the field error for it.
fn normalise(kind: Kind, value: &str) -> Result<String, IdentityError> {
    match kind {
        Kind::Email => {
            let email = accounts::normalise_email(value);
            if email.is_empty() {
                Err(IdentityError::field("new_contact", "email.missing"))
            } else if !accounts::email_is_plausible(&email) {
                Err(IdentityError::field("new_contact", "email.invalid"))
            } else {
                Ok(email)
            }
        }
        Kind::Phone => accounts::normalise_phone(value)
            .ok_or_else(|| IdentityError::field("new_contact", "phone.invalid")),
    }
}

/// An account made by a certificate or an eID has a placeholder address under `.invalid` that
/// never delivers, and no authenticator app: it has no second factor to confirm with, so its
/// first real address needs only the code sent to that address.
async fn first_address(
    db: &Db,
    account: &crate::model::Account,
    kind: Kind,
) -> Result<bool, IdentityError> {
    Ok(kind == Kind::Email
        && account.email.ends_with("@accounts.invalid")
        && !crate::service::totp::is_enrolled(db, &account.id).await?)
}

/// Whether changing to `value` needs the second factor first (see [`begin`]).
pub async fn needs_second_factor(
    db: &Db,
    account_id: &str,
    kind: Kind,
    value: &str,
) -> Result<bool, IdentityError> {
    let Ok(value) = normalise(kind, value) else {
        return Ok(true);
    };
    let account = accounts::get(db, account_id)
        .await?
        .ok_or(IdentityError::NotFound)?;
    let current = match kind {
        Kind::Email => Some(account.email.clone()),
        Kind::Phone => account.phone.clone(),
    };
    Ok(current.as_deref() != Some(value.as_str()) && !first_address(db, &account, kind).await?)
}

fn hash(change_id: &str, code: &str) -> String {
    sha256_hex(&format!("contact:{change_id}:{code}"))
}

/// Starts changing (or verifying) the account's e-mail address or phone number to `value`: sends
/// a code there. `proof` is needed unless `value` is what the account already has.
pub async fn begin(
    db: &Db,
    account_id: &str,
    kind: Kind,
    value: &str,
    proof: Option<&StepUp>,
    client: Option<&str>,
    now: DateTime<Utc>,
) -> Result<String, IdentityError> {
    let value = normalise(kind, value)?;
    let account = accounts::get(db, account_id)
        .await?
        .ok_or(IdentityError::NotFound)?;
    let current = match kind {
        Kind::Email => Some(account.email.clone()),
        Kind::Phone => account.phone.clone(),
    };
    let unchanged = current.as_deref() == Some(value.as_str());
    let free = unchanged || first_address(db, &account, kind).await?;
    if !free && !proof.is_some_and(|p| p.is_for(account_id, PURPOSE)) {
        return Err(IdentityError::field("code", "code.wrong"));
    }
    let code = format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000));
    let id = new_id();
    let mut tx = db.begin().await?;
    if kind == Kind::Email && !unchanged {
        let taken: Option<(String,)> = sqlx::query_as("SELECT id FROM accounts WHERE email = $1")
            .bind(&value)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(IdentityError::field("new_contact", "email.taken"));
        }
    }
    // While wrong codes are being slowed down, no new code is sent either.
    throttle::check(&mut tx, &format!("code:{account_id}"), now).await?;
    throttle::claim_send(&mut tx, account_id, &value, client, now).await?;
    sqlx::query(
        "UPDATE contact_changes SET used_at = $1 WHERE account_id = $2 AND kind = $3 AND used_at IS NULL",
    )
    .bind(to_millis(now))
    .bind(account_id)
    .bind(kind.as_str())
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO contact_changes (id, account_id, kind, new_value, code_hash, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(account_id)
    .bind(kind.as_str())
    .bind(&value)
    .bind(hash(&id, &code))
    .bind(to_millis(now))
    .bind(to_millis(now + Duration::minutes(CODE_MINUTES)))
    .execute(&mut *tx)
    .await?;
    let name = account.display_name();
    let (job, message) = match kind {
        Kind::Email => (
            EMAIL_JOB,
            serde_json::to_value(Email {
                to: value.clone(),
                subject: "Потвърдете адреса си в Портико / Confirm your address at Portico".into(),
                body: format!(
                    "Здравейте, {name}!\n\nКодът за потвърждение на този адрес е {code}. Валиден е {CODE_MINUTES} минути.\n\n\
                     Hello {name},\n\nThe code that confirms this address is {code}. It works for {CODE_MINUTES} minutes.\n\n\
                     Ако не сте го поискали, не правете нищо. / If you did not ask for it, do nothing.\n"
                ),
            }),
        ),
        Kind::Phone => (
            SMS_JOB,
            serde_json::to_value(Sms {
                to: value.clone(),
                text: format!("Portico: {code} e kodyt za tozi nomer / confirms this number"),
            }),
        ),
    };
    let message = message.map_err(|e| IdentityError::Internal(e.to_string()))?;
    enqueue(&mut tx, NewJob::now(job, message, now).on(CODES_QUEUE), now).await?;
    let event = Event::new(account_id, "identity.contact_change_started", account_id)
        .with(serde_json::json!({ "kind": kind.as_str(), "verify_only": unchanged }));
    portico_audit::append(&mut tx, event, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// The account's live pending change `id`.
pub async fn pending(
    db: &Db,
    account_id: &str,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Pending, IdentityError> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT kind, new_value FROM contact_changes
         WHERE id = $1 AND account_id = $2 AND used_at IS NULL AND expires_at > $3",
    )
    .bind(id)
    .bind(account_id)
    .bind(to_millis(now))
    .fetch_optional(db.pool())
    .await?;
    let (kind, new_value) = row.ok_or(IdentityError::NotFound)?;
    Ok(Pending {
        id: id.to_owned(),
        kind: Kind::parse(&kind).ok_or(IdentityError::NotFound)?,
        new_value,
    })
}

/// Finishes change `id` with the code sent to the new destination.
pub async fn confirm(
    db: &Db,
    account_id: &str,
    id: &str,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Kind, IdentityError> {
    let change = pending(db, account_id, id, now).await?;
    let account = accounts::get(db, account_id)
        .await?
        .ok_or(IdentityError::NotFound)?;
    let key = format!("code:{account_id}");
    // Counted (and committed) before the check, like every second-factor code.
    let mut tx = db.begin().await?;
    let delay = throttle::claim(&mut tx, &key, &throttle::SIGN_IN, now).await?;
    tx.commit().await?;

    let mut tx = db.begin().await?;
    let used = sqlx::query(
        "UPDATE contact_changes SET used_at = $1
         WHERE id = $2 AND account_id = $3 AND code_hash = $4 AND used_at IS NULL AND expires_at > $1",
    )
    .bind(to_millis(now))
    .bind(id)
    .bind(account_id)
    .bind(hash(id, code.trim()))
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if used != 1 {
        drop(tx);
        return Err(if delay > 0 {
            IdentityError::RateLimited(delay)
        } else {
            IdentityError::WrongCode
        });
    }
    match change.kind {
        Kind::Email => {
            let taken: Option<(String,)> =
                sqlx::query_as("SELECT id FROM accounts WHERE email = $1 AND id <> $2")
                    .bind(&change.new_value)
                    .bind(account_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if taken.is_some() {
                return Err(IdentityError::field("contact_code", "email.taken"));
            }
            sqlx::query("UPDATE accounts SET email = $1, email_verified_at = $2 WHERE id = $3")
                .bind(&change.new_value)
                .bind(to_millis(now))
                .bind(account_id)
                .execute(&mut *tx)
                .await?;
            if account.email != change.new_value && !account.email.ends_with(".invalid") {
                // The old address hears of it, so a change made by someone else does not go unseen.
                let notice = serde_json::to_value(Email {
                    to: account.email.clone(),
                    subject: "Адресът ви в Портико е променен / Your Portico address was changed".into(),
                    body: format!(
                        "Здравейте, {name}!\n\nЕлектронният адрес на профила ви в Портико беше променен. Ако не сте били вие, свържете се с нас веднага.\n\n\
                         Hello {name},\n\nThe e-mail address of your Portico account was changed. If it was not you, contact us at once.\n",
                        name = account.display_name()
                    ),
                })
                .map_err(|e| IdentityError::Internal(e.to_string()))?;
                enqueue(&mut tx, NewJob::now(EMAIL_JOB, notice, now), now).await?;
            }
        }
        Kind::Phone => {
            sqlx::query("UPDATE accounts SET phone = $1, phone_verified_at = $2 WHERE id = $3")
                .bind(&change.new_value)
                .bind(to_millis(now))
                .bind(account_id)
                .execute(&mut *tx)
                .await?;
        }
    }
    throttle::reset(&mut tx, &key).await?;
    let event = Event::new(account_id, "identity.contact_changed", account_id)
        .with(serde_json::json!({ "kind": change.kind.as_str() }));
    portico_audit::append(&mut tx, event, now).await?;
    tx.commit().await?;
    Ok(change.kind)
}
