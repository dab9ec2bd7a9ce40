//! The rules of identity, as plain functions over a database transaction.

pub mod accounts;
pub mod administrations;
pub mod api_clients;
pub mod certificates;
pub mod codes;
pub mod contact;
pub mod eid;
pub mod id_token;
pub mod invitations;
pub mod mandates;
pub mod oidc_provider;
pub mod password;
pub mod purge;
pub mod roles;
pub mod secret_box;
pub mod sessions;
pub mod step_up;
pub mod throttle;
pub mod totp;
pub mod verification;

use rand::RngCore;
use sha2::{Digest, Sha256};

/// A random secret of `n` bytes, URL-safe base64.
pub(crate) fn random_token(n: usize) -> String {
    use base64::Engine;
    let mut bytes = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Tokens and high-entropy codes are stored as their SHA-256, so a copy of the database does not
/// let anyone sign in.
pub(crate) fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}
