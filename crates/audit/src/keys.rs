//! The platform's signing key (Ed25519). Generated on first run into the data folder, readable by
//! the service's user only, or given by configuration as PKCS#8 PEM.

use crate::AuditError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signature, Signer, Verifier};
use sha2::{Digest, Sha256};
use std::path::Path;

#[derive(Clone)]
pub struct SigningKey {
    key: ed25519_dalek::SigningKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.key_id())
    }
}

pub const KEY_FILE: &str = "signing-key.pem";

impl SigningKey {
    pub fn generate() -> Self {
        Self {
            key: ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng),
        }
    }

    pub fn from_pem(pem: &str) -> Result<Self, AuditError> {
        let key = ed25519_dalek::SigningKey::from_pkcs8_pem(pem)
            .map_err(|e| AuditError::Key(e.to_string()))?;
        Ok(Self { key })
    }

    /// Reads `dir/signing-key.pem`, creating it (mode 0600) if it does not exist yet.
    pub fn load_or_create(dir: &Path) -> Result<Self, AuditError> {
        let path = dir.join(KEY_FILE);
        if path.exists() {
            let pem = std::fs::read_to_string(&path)
                .map_err(|e| AuditError::Key(format!("{}: {e}", path.display())))?;
            return Self::from_pem(&pem);
        }
        std::fs::create_dir_all(dir).map_err(|e| AuditError::Key(e.to_string()))?;
        let key = Self::generate();
        let pem = key
            .key
            .to_pkcs8_pem(Default::default())
            .map_err(|e| AuditError::Key(e.to_string()))?;
        write_private(&path, pem.as_bytes())
            .map_err(|e| AuditError::Key(format!("{}: {e}", path.display())))?;
        tracing::info!(key_id = %key.key_id(), "generated the platform signing key");
        Ok(key)
    }

    /// A short, stable name for the key: the start of the SHA-256 of its public key.
    pub fn key_id(&self) -> String {
        hex::encode(&Sha256::digest(self.key.verifying_key().as_bytes())[..8])
    }

    pub fn public_key_pem(&self) -> String {
        self.key
            .verifying_key()
            .to_public_key_pem(Default::default())
            .unwrap_or_default()
    }

    pub fn sign(&self, message: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(self.key.sign(message).to_bytes())
    }

    pub fn verify(&self, message: &[u8], signature: &str) -> bool {
        let Ok(bytes) = URL_SAFE_NO_PAD.decode(signature) else {
            return false;
        };
        let Ok(sig) = Signature::from_slice(&bytes) else {
            return false;
        };
        self.key.verifying_key().verify(message, &sig).is_ok()
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn created_once_then_reloaded() {
        let dir = tempfile::tempdir().unwrap();
        let a = SigningKey::load_or_create(dir.path()).unwrap();
        let b = SigningKey::load_or_create(dir.path()).unwrap();
        assert_eq!(a.key_id(), b.key_id());
        let sig = a.sign(b"m");
        assert!(b.verify(b"m", &sig));
        assert!(!b.verify(b"n", &sig));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
