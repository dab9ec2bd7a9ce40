//! Personal identifiers never appear in logs or metrics in the clear. They are replaced by a keyed
//! hash: stable (the same person can be followed through the logs) but not reversible without the key.

use hmac::{Hmac, Mac};
use sha2::Sha256;

#[derive(Clone)]
pub struct Pseudonymiser {
    key: Vec<u8>,
}

impl std::fmt::Debug for Pseudonymiser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pseudonymiser(..)")
    }
}

impl Pseudonymiser {
    pub fn new(key: impl Into<Vec<u8>>) -> Self {
        Self { key: key.into() }
    }

    /// A short, stable pseudonym such as `p:3fa9c2d17b04e6a1`.
    pub fn pseudonym(&self, identifier: &str) -> String {
        // HMAC accepts keys of any length, so this cannot fail.
        let mut mac = match Hmac::<Sha256>::new_from_slice(&self.key) {
            Ok(mac) => mac,
            Err(_) => return "p:invalid-key".to_owned(),
        };
        mac.update(identifier.as_bytes());
        let digest = mac.finalize().into_bytes();
        format!("p:{}", hex::encode(&digest[..8]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonym_is_stable_keyed_and_hides_the_identifier() {
        let a = Pseudonymiser::new(b"key-a".to_vec());
        let b = Pseudonymiser::new(b"key-b".to_vec());
        let p = a.pseudonym("7523169263");
        assert_eq!(p, a.pseudonym("7523169263"));
        assert_ne!(p, b.pseudonym("7523169263"));
        assert!(!p.contains("7523169263"));
    }
}
