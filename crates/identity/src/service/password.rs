//! Passwords are hashed with Argon2id (RFC 9106) at OWASP's recommended cost, on the blocking
//! thread pool so a sign-in never stalls the async workers.

use crate::IdentityError;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::OnceLock;

pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 256;

/// m = 19 MiB, t = 2, p = 1: OWASP's minimum for Argon2id.
pub fn params() -> Params {
    Params::new(19 * 1024, 2, 1, None).unwrap_or_default()
}

fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params())
}

pub fn hash_blocking(password: &str) -> Result<String, IdentityError> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| IdentityError::Internal(format!("password hash: {e}")))
}

pub fn verify_blocking(hash: &str, password: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// At most one hash per core at a time. Argon2 is memory-hard: running more at once than there are
/// cores only makes every sign-in slower (measured in bench/: 32 at once on 2 cores halved the
/// throughput), and holds 19 MiB each.
fn hashing_slots() -> &'static tokio::sync::Semaphore {
    static SLOTS: OnceLock<tokio::sync::Semaphore> = OnceLock::new();
    SLOTS.get_or_init(|| {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        tokio::sync::Semaphore::new(cores)
    })
}

pub async fn hash(password: String) -> Result<String, IdentityError> {
    let _slot = hashing_slots()
        .acquire()
        .await
        .map_err(|e| IdentityError::Internal(e.to_string()))?;
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|e| IdentityError::Internal(e.to_string()))?
}

/// Verifies against the stored hash, or against a dummy one when there is no account, so the time
/// taken does not tell whether an account exists.
pub async fn verify(hash: Option<String>, password: String) -> bool {
    let Ok(_slot) = hashing_slots().acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || match hash {
        Some(h) => verify_blocking(&h, &password),
        None => {
            let _ = verify_blocking(dummy_hash(), &password);
            false
        }
    })
    .await
    .unwrap_or(false)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking("portico-dummy-password").unwrap_or_default())
}

/// The rules a new password must meet; returns the message key of the first one broken.
pub fn check_strength(password: &str) -> Option<&'static str> {
    let len = password.chars().count();
    if len < MIN_LENGTH {
        Some("password.too_short")
    } else if len > MAX_LENGTH {
        Some("password.too_long")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn hashes_verify_and_are_argon2id() {
        let h = hash_blocking("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_blocking(&h, "correct horse battery"));
        assert!(!verify_blocking(&h, "correct horse batterY"));
    }

    #[test]
    fn strength_rules() {
        assert_eq!(check_strength("short"), Some("password.too_short"));
        assert_eq!(check_strength("long enough pass"), None);
    }
}
