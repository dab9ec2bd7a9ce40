//! Time-based one-time passwords (RFC 6238: SHA-1, 6 digits, 30-second steps), the codes of any
//! authenticator app. A code is accepted for the current step or one either side (clock drift),
//! and never for a step at or before the last one accepted, so a code cannot be used twice.

use crate::service::secret_box;
use crate::service::step_up::StepUp;
use crate::service::{random_token, sha256_hex};
use crate::IdentityError;
use chrono::{DateTime, Utc};
use portico_audit::Event;
use portico_core::clock::to_millis;
use portico_core::new_id;
use portico_store::{Db, Tx};
use totp_rs::{Algorithm, Secret, TOTP};

pub const ISSUER: &str = "Portico";
const STEP_SECS: i64 = 30;
pub const RECOVERY_CODES: usize = 10;
/// The step-up purpose that removing the factor needs.
pub const REMOVE_PURPOSE: &str = "identity.factor_remove";

fn totp(secret_b32: &str, account_name: &str) -> Result<TOTP, IdentityError> {
    let bytes = Secret::Encoded(secret_b32.to_owned())
        .to_bytes()
        .map_err(|e| IdentityError::Internal(format!("totp secret: {e:?}")))?;
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        STEP_SECS as u64,
        bytes,
        Some(ISSUER.to_owned()),
        account_name.to_owned(),
    )
    .map_err(|e| IdentityError::Internal(format!("totp: {e}")))
}

/// The step of `code` within one step of `now`, if it matches.
pub fn matching_step(
    secret_b32: &str,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Option<i64>, IdentityError> {
    let code = code.trim().replace(' ', "");
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return Ok(None);
    }
    let t = totp(secret_b32, "x")?;
    let current = now.timestamp().div_euclid(STEP_SECS);
    for step in [current - 1, current, current + 1] {
        if step >= 0 && t.generate((step * STEP_SECS) as u64) == code {
            return Ok(Some(step));
        }
    }
    Ok(None)
}

pub struct Enrolment {
    pub secret: String,
    pub otpauth_url: String,
}

/// Starts (or restarts) enrolment with a new secret. Until confirmed with a code, it is not a factor.
pub async fn begin(
    tx: &mut Tx,
    account_id: &str,
    account_email: &str,
    now: DateTime<Utc>,
) -> Result<Enrolment, IdentityError> {
    let secret = Secret::generate_secret().to_encoded().to_string();
    sqlx::query("DELETE FROM totp_factors WHERE account_id = $1 AND confirmed_at IS NULL")
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    let confirmed: Option<(String,)> =
        sqlx::query_as("SELECT account_id FROM totp_factors WHERE account_id = $1")
            .bind(account_id)
            .fetch_optional(&mut **tx)
            .await?;
    if confirmed.is_some() {
        return Err(IdentityError::field("code", "totp.already_enrolled"));
    }
    sqlx::query("INSERT INTO totp_factors (account_id, secret, last_step, created_at) VALUES ($1, $2, -1, $3)")
        .bind(account_id)
        .bind(secret_box::seal(account_id, &secret)?)
        .bind(to_millis(now))
        .execute(&mut **tx)
        .await?;
    let otpauth_url = totp(&secret, account_email)?.get_url();
    Ok(Enrolment {
        secret,
        otpauth_url,
    })
}

/// The pending enrolment's secret and URL, to show the QR code again after a wrong code.
pub async fn pending(
    db: &Db,
    account_id: &str,
    account_email: &str,
) -> Result<Option<Enrolment>, IdentityError> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT secret FROM totp_factors WHERE account_id = $1 AND confirmed_at IS NULL",
    )
    .bind(account_id)
    .fetch_optional(db.pool())
    .await?;
    match row {
        Some((stored,)) => {
            let secret = secret_box::open(account_id, &stored)?;
            let otpauth_url = totp(&secret, account_email)?.get_url();
            Ok(Some(Enrolment {
                secret,
                otpauth_url,
            }))
        }
        None => Ok(None),
    }
}

pub async fn is_enrolled(db: &Db, account_id: &str) -> Result<bool, IdentityError> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT account_id FROM totp_factors WHERE account_id = $1 AND confirmed_at IS NOT NULL",
    )
    .bind(account_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.is_some())
}

/// Checks `code` against the account's factor (`confirmed` or still pending) and, if it matches
/// a step not used before, records that step.
async fn accept(
    tx: &mut Tx,
    account_id: &str,
    code: &str,
    confirmed: bool,
    now: DateTime<Utc>,
) -> Result<bool, IdentityError> {
    let sql = if confirmed {
        "SELECT secret, last_step FROM totp_factors WHERE account_id = $1 AND confirmed_at IS NOT NULL"
    } else {
        "SELECT secret, last_step FROM totp_factors WHERE account_id = $1 AND confirmed_at IS NULL"
    };
    let row: Option<(String, i64)> = sqlx::query_as(sql)
        .bind(account_id)
        .fetch_optional(&mut **tx)
        .await?;
    let Some((stored, last_step)) = row else {
        return Ok(false);
    };
    let secret = secret_box::open(account_id, &stored)?;
    let Some(step) = matching_step(&secret, code, now)? else {
        return Ok(false);
    };
    if step <= last_step {
        return Ok(false);
    }
    // A secret stored before encryption is sealed now, with the step it was used for.
    let resealed = if secret_box::is_sealed(&stored) {
        stored
    } else {
        secret_box::seal(account_id, &secret)?
    };
    // The condition on last_step makes two parallel uses of one code race for a single row update.
    let updated = sqlx::query(
        "UPDATE totp_factors SET last_step = $1, secret = $3 WHERE account_id = $2 AND last_step < $1",
    )
    .bind(step)
    .bind(account_id)
    .bind(resealed)
    .execute(&mut **tx)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// Confirms enrolment with a first code and returns fresh recovery codes (shown once).
pub async fn confirm(
    tx: &mut Tx,
    account_id: &str,
    session_id: &str,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Vec<String>, IdentityError> {
    if !accept(tx, account_id, code, false, now).await? {
        return Err(IdentityError::WrongCode);
    }
    // The session that set the factor up now holds the password and the factor.
    crate::service::sessions::second_factor_added(tx, session_id, account_id).await?;
    sqlx::query("UPDATE totp_factors SET confirmed_at = $1 WHERE account_id = $2")
        .bind(to_millis(now))
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    portico_audit::append(
        tx,
        Event::new(account_id, "identity.totp_enrolled", account_id),
        now,
    )
    .await?;
    replace_recovery_codes(tx, account_id, now).await
}

/// Verifies a sign-in code: an authenticator code, or one of the unused recovery codes.
pub async fn verify(
    tx: &mut Tx,
    account_id: &str,
    code: &str,
    now: DateTime<Utc>,
) -> Result<bool, IdentityError> {
    if accept(tx, account_id, code, true, now).await? {
        return Ok(true);
    }
    let normalised = code.trim().to_lowercase().replace([' ', '-'], "");
    if normalised.len() != 10 {
        return Ok(false);
    }
    // One salt per account; `None` for codes made before salts (their hash is bare SHA-256).
    let salts: Vec<(Option<String>,)> = sqlx::query_as(
        "SELECT DISTINCT salt FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL",
    )
    .bind(account_id)
    .fetch_all(&mut **tx)
    .await?;
    for (salt,) in salts {
        let hash = recovery_hash(salt.as_deref(), &normalised);
        // The condition on used_at makes two parallel uses of one code race for one row update.
        let used = sqlx::query(
            "UPDATE recovery_codes SET used_at = $1 WHERE account_id = $2 AND code_hash = $3 AND used_at IS NULL",
        )
        .bind(to_millis(now))
        .bind(account_id)
        .bind(hash)
        .execute(&mut **tx)
        .await?;
        if used.rows_affected() == 1 {
            portico_audit::append(
                tx,
                Event::new(account_id, "identity.recovery_code_used", account_id),
                now,
            )
            .await?;
            return Ok(true);
        }
    }
    Ok(false)
}

/// The stored hash of a normalised recovery code: SHA-256 over the account's salt and the code,
/// or the bare SHA-256 for rows made before salts.
fn recovery_hash(salt: Option<&str>, normalised: &str) -> String {
    match salt {
        Some(salt) => sha256_hex(&format!("recovery:{salt}:{normalised}")),
        None => sha256_hex(normalised),
    }
}

pub async fn replace_recovery_codes(
    tx: &mut Tx,
    account_id: &str,
    now: DateTime<Utc>,
) -> Result<Vec<String>, IdentityError> {
    sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    let salt = random_token(16);
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    while codes.len() < RECOVERY_CODES {
        // 10 characters from a 32-letter alphabet without look-alikes: 50 bits each.
        let raw = random_token(16);
        let code: String = raw
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .filter(|c| !matches!(c, '0' | 'o' | '1' | 'l' | 'i'))
            .take(10)
            .collect();
        if code.len() < 10 {
            continue;
        }
        sqlx::query(
            "INSERT INTO recovery_codes (id, account_id, code_hash, salt) VALUES ($1, $2, $3, $4)",
        )
        .bind(new_id())
        .bind(account_id)
        .bind(recovery_hash(Some(&salt), &code))
        .bind(&salt)
        .execute(&mut **tx)
        .await?;
        codes.push(format!("{}-{}", &code[..5], &code[5..]));
    }
    portico_audit::append(
        tx,
        Event::new(account_id, "identity.recovery_codes_generated", account_id),
        now,
    )
    .await?;
    Ok(codes)
}

/// Enrols a known key at once, without a confirming code. Only for demo and test accounts,
/// whose key is published so that testers can add it to an app.
pub async fn enrol_with_secret(
    tx: &mut Tx,
    account_id: &str,
    secret_b32: &str,
    now: DateTime<Utc>,
) -> Result<(), IdentityError> {
    totp(secret_b32, "check")?;
    sqlx::query("DELETE FROM totp_factors WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("INSERT INTO totp_factors (account_id, secret, confirmed_at, last_step, created_at) VALUES ($1, $2, $3, -1, $3)")
        .bind(account_id)
        .bind(secret_box::seal(account_id, secret_b32)?)
        .bind(to_millis(now))
        .execute(&mut **tx)
        .await?;
    portico_audit::append(
        tx,
        Event::new(account_id, "identity.totp_enrolled", account_id),
        now,
    )
    .await?;
    Ok(())
}

/// Removes the authenticator app and its recovery codes. Takes the proof that the person
/// confirmed this purpose with the factor itself (see `routes::account::totp_remove`).
pub async fn remove(tx: &mut Tx, proof: &StepUp, now: DateTime<Utc>) -> Result<(), IdentityError> {
    if proof.purpose() != REMOVE_PURPOSE {
        return Err(IdentityError::field("code", "code.wrong"));
    }
    let account_id = proof.account_id();
    sqlx::query("DELETE FROM totp_factors WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    portico_audit::append(
        tx,
        Event::new(account_id, "identity.totp_removed", account_id),
        now,
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::TimeZone;

    /// RFC 6238 appendix B, SHA-1 rows, reduced to 6 digits (the last six of the 8-digit values).
    #[test]
    fn rfc6238_test_vectors() {
        let secret = totp_rs::Secret::Raw(b"12345678901234567890".to_vec())
            .to_encoded()
            .to_string();
        for (t, expected8) in [
            (59, "94287082"),
            (1111111109, "07081804"),
            (1111111111, "14050471"),
            (1234567890, "89005924"),
            (2000000000, "69279037"),
            (20000000000, "65353130"),
        ] {
            let now = Utc.timestamp_opt(t, 0).unwrap();
            let code = &expected8[2..];
            assert_eq!(
                matching_step(&secret, code, now).unwrap(),
                Some(t / 30),
                "t = {t}"
            );
        }
    }

    #[test]
    fn codes_outside_the_window_are_refused() {
        let secret = totp_rs::Secret::Raw(b"12345678901234567890".to_vec())
            .to_encoded()
            .to_string();
        let now = Utc.timestamp_opt(59 + 120, 0).unwrap();
        assert_eq!(matching_step(&secret, "287082", now).unwrap(), None);
        assert_eq!(matching_step(&secret, "abcdef", now).unwrap(), None);
    }
}
