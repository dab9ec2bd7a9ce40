//! The platform's signing key (Ed25519) and its certificate chain. The key is generated on first
//! run into the data folder, readable by the service's user only, or given by configuration as
//! PKCS#8 PEM; the chain likewise (see [`crate::pki`]). Evidence is signed as JWS ([`SigningKey::sign_jws`]).

use crate::jws::{self, Verified};
use crate::pki::{self, Certificate};
use crate::AuditError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signature, Signer, Verifier};
use sha2::{Digest, Sha256};
use std::path::Path;

#[derive(Clone)]
pub struct SigningKey {
    key: ed25519_dalek::SigningKey,
    /// The key's certificate, then the platform CA; empty until a chain is attached.
    chain: Vec<Certificate>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.key_id())
    }
}

pub const KEY_FILE: &str = "signing-key.pem";

impl SigningKey {
    /// A fresh key with a fresh CA and signing certificate, all in memory (tests, tools).
    pub fn generate() -> Self {
        let key = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
        let chain = match pki::issue(&key, Utc::now()) {
            Ok((chain, _)) => chain,
            Err(e) => {
                // Signing evidence then fails with "no certificate chain", loudly.
                tracing::error!(error = %e, "cannot issue a certificate for a generated key");
                Vec::new()
            }
        };
        Self { key, chain }
    }

    /// The key alone; attach its chain with [`Self::with_chain_pem`] or [`Self::with_chain_in`].
    pub fn from_pem(pem: &str) -> Result<Self, AuditError> {
        let key = ed25519_dalek::SigningKey::from_pkcs8_pem(pem)
            .map_err(|e| AuditError::Key(e.to_string()))?;
        Ok(Self {
            key,
            chain: Vec::new(),
        })
    }

    /// Attaches a configured chain (PEM, the key's certificate first, then its CA). The first
    /// certificate must certify this key.
    pub fn with_chain_pem(mut self, pem: &str) -> Result<Self, AuditError> {
        let chain = pki::certificates_from_pem(pem)?;
        if chain[0].ed25519_public_key()? != self.key.verifying_key().to_bytes() {
            return Err(AuditError::Certificate(
                "the first certificate of the chain is not the signing key's".into(),
            ));
        }
        self.chain = chain;
        Ok(self)
    }

    /// Reads the chain from `dir` ([`pki::CHAIN_FILE`]); on first run makes a platform CA and a
    /// signing certificate for this key and writes them there (with the CA alone in
    /// [`pki::CA_FILE`], to give to verifiers, and the CA's key, mode 0600).
    pub fn with_chain_in(self, dir: &Path, now: DateTime<Utc>) -> Result<Self, AuditError> {
        let path = dir.join(pki::CHAIN_FILE);
        let io =
            |p: &Path, e: std::io::Error| AuditError::Certificate(format!("{}: {e}", p.display()));
        if path.exists() {
            let pem = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
            return self
                .with_chain_pem(&pem)
                .map_err(|e| AuditError::Certificate(format!("{}: {e}", path.display())));
        }
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let (chain, ca_key_pem) = pki::issue(&self.key, now)?;
        let ca_key_path = dir.join(pki::CA_KEY_FILE);
        write_private(&ca_key_path, ca_key_pem.as_bytes()).map_err(|e| io(&ca_key_path, e))?;
        let ca_path = dir.join(pki::CA_FILE);
        std::fs::write(&ca_path, chain[1].pem()).map_err(|e| io(&ca_path, e))?;
        std::fs::write(&path, pki::certificates_to_pem(&chain)).map_err(|e| io(&path, e))?;
        tracing::info!(key_id = %self.key_id(), "made the platform CA and the signing certificate");
        Ok(Self { chain, ..self })
    }

    /// The key's certificate, then the CA (empty if none was attached).
    pub fn chain(&self) -> &[Certificate] {
        &self.chain
    }

    /// The platform CA: the last certificate of the chain, what verifiers trust.
    pub fn trust_anchor(&self) -> Result<&Certificate, AuditError> {
        self.chain
            .last()
            .ok_or_else(|| AuditError::Certificate("the signing key has no certificate".into()))
    }

    /// Signs a JSON payload as a compact JWS (alg EdDSA, typ JOSE, kid = RFC 7638 thumbprint,
    /// x5c = this key's certificate and the CA, x5t#S256). The payload is the value's compact JSON.
    pub fn sign_jws(&self, payload: &serde_json::Value) -> Result<String, AuditError> {
        jws::sign(&self.key, &self.chain, payload)
    }

    /// Verifies a JWS against this platform's CA at `now`.
    pub fn verify_jws(&self, token: &str, now: DateTime<Utc>) -> Result<Verified, AuditError> {
        jws::verify(token, self.trust_anchor()?, now)
    }

    /// Checks a stored signature over `record`: a JWS whose payload is exactly `record`, or a
    /// raw Ed25519 signature as records signed before evidence became JWS carry.
    pub fn verify_record(
        &self,
        record: &[u8],
        stored: &str,
        now: DateTime<Utc>,
    ) -> Result<(), AuditError> {
        if jws::is_compact_jws(stored) {
            let verified = self.verify_jws(stored, now)?;
            if verified.payload_bytes != record {
                return Err(AuditError::InvalidEvidence(
                    "the signed payload is not this record".into(),
                ));
            }
            Ok(())
        } else if self.verify(record, stored) {
            Ok(())
        } else {
            Err(AuditError::InvalidEvidence(
                "the signature is not the platform's".into(),
            ))
        }
    }

    /// Reads `dir/signing-key.pem` (the key alone), creating it (mode 0600) if it does not exist yet.
    pub fn load_or_create(dir: &Path) -> Result<Self, AuditError> {
        let path = dir.join(KEY_FILE);
        if path.exists() {
            let pem = std::fs::read_to_string(&path)
                .map_err(|e| AuditError::Key(format!("{}: {e}", path.display())))?;
            return Self::from_pem(&pem);
        }
        std::fs::create_dir_all(dir).map_err(|e| AuditError::Key(e.to_string()))?;
        let key = Self {
            key: ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng),
            chain: Vec::new(),
        };
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

    /// The raw Ed25519 public key (the `x` of its JWK, RFC 8037).
    pub fn public_key_bytes(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    pub fn public_key_pem(&self) -> String {
        self.key
            .verifying_key()
            .to_public_key_pem(Default::default())
            .unwrap_or_default()
    }

    /// A raw Ed25519 signature, base64url: the format of audit checkpoints (and of records signed
    /// before evidence became JWS). New evidence uses [`Self::sign_jws`].
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

    fn tamper(token: &str, part: usize) -> String {
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let mut bytes = URL_SAFE_NO_PAD.decode(&parts[part]).unwrap();
        bytes[part * 3] ^= 0x01;
        parts[part] = URL_SAFE_NO_PAD.encode(bytes);
        parts.join(".")
    }

    #[test]
    fn evidence_is_a_jws_with_the_chain_and_verifies_against_the_ca() {
        let key = SigningKey::generate();
        let payload = serde_json::json!({ "b": 1, "a": "запис" });
        let token = key.sign_jws(&payload).unwrap();
        let verified = key.verify_jws(&token, Utc::now()).unwrap();
        assert_eq!(verified.payload, payload);
        assert_eq!(
            verified.payload_bytes,
            serde_json::to_vec(&payload).unwrap()
        );
        let header = &verified.header;
        assert_eq!(header.alg, jsonwebtoken::Algorithm::EdDSA);
        assert_eq!(header.typ.as_deref(), Some("JOSE"));
        assert_eq!(header.x5c.as_ref().map(Vec::len), Some(2));
        assert_eq!(
            header.kid.as_deref(),
            Some(jws::thumbprint(&key.key.verifying_key().to_bytes()).as_str())
        );
        // The payload and the signature are both covered.
        for part in [1, 2] {
            let err = key
                .verify_jws(&tamper(&token, part), Utc::now())
                .unwrap_err();
            assert!(matches!(err, AuditError::InvalidEvidence(_)), "{err}");
        }
        // Another platform's CA does not vouch for it.
        let other = SigningKey::generate();
        assert!(other.verify_jws(&token, Utc::now()).is_err());
    }

    #[test]
    fn a_chain_is_made_once_beside_the_key_and_a_configured_one_must_match() {
        let dir = tempfile::tempdir().unwrap();
        let key = SigningKey::load_or_create(dir.path()).unwrap();
        assert!(
            key.sign_jws(&serde_json::json!({})).is_err(),
            "no chain yet"
        );
        let a = key.clone().with_chain_in(dir.path(), Utc::now()).unwrap();
        let b = key.with_chain_in(dir.path(), Utc::now()).unwrap();
        assert_eq!(a.chain(), b.chain());
        let ca = std::fs::read_to_string(dir.path().join(pki::CA_FILE)).unwrap();
        assert_eq!(
            pki::certificates_from_pem(&ca).unwrap()[0],
            *a.trust_anchor().unwrap()
        );
        let token = a.sign_jws(&serde_json::json!({ "x": 1 })).unwrap();
        b.verify_jws(&token, Utc::now()).unwrap();

        let chain_pem = pki::certificates_to_pem(a.chain());
        let stranger = SigningKey::generate();
        assert!(stranger.with_chain_pem(&chain_pem).is_err());
    }

    #[test]
    fn records_signed_before_jws_still_verify() {
        let key = SigningKey::generate();
        let record = br#"{"tracking_number":"X"}"#;
        // What earlier versions stored in `submission_signature`: a raw Ed25519 signature.
        let legacy = key.sign(record);
        key.verify_record(record, &legacy, Utc::now()).unwrap();
        assert!(key.verify_record(b"{}", &legacy, Utc::now()).is_err());
        assert!(SigningKey::generate()
            .verify_record(record, &legacy, Utc::now())
            .is_err());
        // And what is stored now: a JWS whose payload is the record itself.
        let value: serde_json::Value = serde_json::from_slice(record).unwrap();
        let token = key.sign_jws(&value).unwrap();
        key.verify_record(record, &token, Utc::now()).unwrap();
        assert!(key.verify_record(b"{}", &token, Utc::now()).is_err());
    }
}
