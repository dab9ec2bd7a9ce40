//! Authenticator (TOTP) secrets encrypted at rest. The key is derived with HKDF-SHA256 from the
//! platform secret (`install_key`, called once when the process opens the database), and each
//! secret is sealed with ChaCha20-Poly1305 under a fresh random nonce, bound to its account (the
//! account id is the associated data, so a sealed secret copied onto another account's row does
//! not open). Stored form: `enc1:` + base64url(nonce ‖ ciphertext ‖ tag).
//!
//! Rows written before encryption hold the base32 secret itself; [`open`] reads them as they
//! are, and the next accepted code rewrites them sealed (`totp::accept`).
//!
//! The key is process-wide: a process serves one installation. The test binary starts many
//! installations in one process; the first key installed serves them all there.

use crate::IdentityError;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::RngCore;
use std::sync::OnceLock;

const PREFIX: &str = "enc1:";
const NONCE_BYTES: usize = 12;

static KEY: OnceLock<[u8; 32]> = OnceLock::new();

/// Derives the TOTP key from the platform secret and keeps it for this process. A later call
/// (another installation in the same test process) keeps the first key.
pub fn install_key(platform_secret: &[u8]) {
    let hkdf = hkdf::Hkdf::<sha2::Sha256>::new(Some(b"portico"), platform_secret);
    let mut key = [0u8; 32];
    // 32 bytes is far below HKDF-SHA256's limit of 255 × 32: this cannot fail.
    if hkdf.expand(b"identity.totp_secret.v1", &mut key).is_ok() {
        let _ = KEY.set(key);
    }
}

fn cipher() -> Result<ChaCha20Poly1305, IdentityError> {
    let key = KEY.get().ok_or_else(|| {
        IdentityError::Internal("the TOTP key was not installed from the platform secret".into())
    })?;
    Ok(ChaCha20Poly1305::new(Key::from_slice(key)))
}

/// Whether a stored value is sealed (rather than a secret written before encryption).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(PREFIX)
}

/// Seals `secret` for the account `account_id`.
pub fn seal(account_id: &str, secret: &str) -> Result<String, IdentityError> {
    let mut nonce = [0u8; NONCE_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let sealed = cipher()?
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: secret.as_bytes(),
                aad: account_id.as_bytes(),
            },
        )
        .map_err(|_| IdentityError::Internal("could not seal a TOTP secret".into()))?;
    let mut bytes = nonce.to_vec();
    bytes.extend_from_slice(&sealed);
    Ok(format!(
        "{PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    ))
}

/// The secret of a stored value: opened if sealed, as it is if written before encryption.
pub fn open(account_id: &str, stored: &str) -> Result<String, IdentityError> {
    let Some(encoded) = stored.strip_prefix(PREFIX) else {
        return Ok(stored.to_owned());
    };
    let broken = || IdentityError::Internal("a stored TOTP secret does not open".into());
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(encoded)
        .map_err(|_| broken())?;
    if bytes.len() <= NONCE_BYTES {
        return Err(broken());
    }
    let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
    let plain = cipher()?
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: sealed,
                aad: account_id.as_bytes(),
            },
        )
        .map_err(|_| broken())?;
    String::from_utf8(plain).map_err(|_| broken())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_sealed_secret_opens_for_its_account_only_and_a_plain_one_reads_as_it_is() {
        install_key(b"a platform secret of at least thirty-two bytes");
        let sealed = seal("acc-1", "JBSWY3DPEHPK3PXP").unwrap();
        assert!(sealed.starts_with("enc1:"));
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_ne!(
            sealed,
            seal("acc-1", "JBSWY3DPEHPK3PXP").unwrap(),
            "a fresh nonce each time"
        );
        assert_eq!(open("acc-1", &sealed).unwrap(), "JBSWY3DPEHPK3PXP");
        assert!(open("acc-2", &sealed).is_err(), "bound to its account");
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert!(open("acc-1", &tampered).is_err());
        assert_eq!(
            open("acc-1", "JBSWY3DPEHPK3PXP").unwrap(),
            "JBSWY3DPEHPK3PXP"
        );
        assert!(!is_sealed("JBSWY3DPEHPK3PXP"));
    }
}
