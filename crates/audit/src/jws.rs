//! Signed evidence as JWS (RFC 7515), compact serialisation, alg EdDSA, with the platform's
//! certificate chain in `x5c`. Encoding and decoding are jsonwebtoken's; its Ed25519 comes from
//! ed25519-dalek, the same implementation that holds the platform key, through a small
//! [`CryptoProvider`] that knows only EdDSA (see the README's dependency table).

use crate::pki::{self, CertInfo, Certificate};
use crate::AuditError;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use chrono::{DateTime, Utc};
use ed25519_dalek::pkcs8::DecodePrivateKey;
use jsonwebtoken::crypto::{CryptoProvider, JwtSigner, JwtVerifier, KeyUtils};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::signature::{Error as SignatureError, Signer, Verifier};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use sha2::{Digest, Sha256};

/// `typ` of every piece of Portico evidence (RFC 7515 §4.1.9: a JWS in compact form).
pub const TYP: &str = "JOSE";

/// A JWS that checked out: who signed it (the leaf of `x5c`) and what it says.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The payload as signed, byte for byte (hash it to compare with a stored digest).
    pub payload_bytes: Vec<u8>,
    pub payload: serde_json::Value,
    pub header: Header,
    pub signer: CertInfo,
}

/// RFC 7638 thumbprint of an Ed25519 public key as an OKP JWK: the `kid` of Portico's evidence.
pub fn thumbprint(public_key: &[u8; 32]) -> String {
    let jwk = format!(
        r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#,
        URL_SAFE_NO_PAD.encode(public_key)
    );
    URL_SAFE_NO_PAD.encode(Sha256::digest(jwk.as_bytes()))
}

pub(crate) fn sign(
    key: &ed25519_dalek::SigningKey,
    chain: &[Certificate],
    payload: &serde_json::Value,
) -> Result<String, AuditError> {
    let leaf = chain.first().ok_or_else(|| {
        AuditError::Key("the signing key has no certificate chain to sign evidence with".into())
    })?;
    install_provider();
    let mut header = Header::new(Algorithm::EdDSA);
    header.typ = Some(TYP.into());
    header.kid = Some(thumbprint(&key.verifying_key().to_bytes()));
    header.x5c = Some(chain.iter().map(|c| STANDARD.encode(c.der())).collect());
    header.x5t_s256 = Some(leaf.thumbprint());
    let pkcs8 = ed25519_dalek::pkcs8::EncodePrivateKey::to_pkcs8_der(key)
        .map_err(|e| AuditError::Key(e.to_string()))?;
    jsonwebtoken::encode(
        &header,
        payload,
        &EncodingKey::from_ed_der(pkcs8.as_bytes()),
    )
    .map_err(|e| AuditError::Key(format!("signing evidence: {e}")))
}

/// Verifies a compact JWS against a trust anchor (the platform CA): the `x5c` chain leads to the
/// anchor and is valid at `now`, the signature is the leaf's key's, `kid` (if any) names that key.
pub fn verify(
    token: &str,
    anchor: &Certificate,
    now: DateTime<Utc>,
) -> Result<Verified, AuditError> {
    let bad = |why: &str| AuditError::InvalidEvidence(why.to_owned());
    install_provider();
    let token = token.trim();
    let parts: Vec<&str> = token.split('.').collect();
    let [protected, payload, signature] = parts[..] else {
        return Err(bad("not a compact JWS (three parts separated by dots)"));
    };
    let header = jsonwebtoken::decode_header(token)
        .map_err(|e| AuditError::InvalidEvidence(format!("unreadable header: {e}")))?;
    if header.alg != Algorithm::EdDSA {
        return Err(AuditError::InvalidEvidence(format!(
            "algorithm {:?} is not the platform's (EdDSA)",
            header.alg
        )));
    }
    let chain: Vec<Certificate> = header
        .x5c_der()
        .map_err(|_| bad("x5c is not base64"))?
        .ok_or_else(|| bad("no certificate chain (x5c) in the header"))?
        .into_iter()
        .map(Certificate::from_der)
        .collect::<Result<_, _>>()?;
    let (signer, public_key) = pki::check_chain(&chain, anchor, now)?;
    if header
        .kid
        .as_deref()
        .is_some_and(|kid| kid != thumbprint(&public_key))
    {
        return Err(bad("kid does not name the signing certificate's key"));
    }
    let signed = format!("{protected}.{payload}");
    let ok = jsonwebtoken::crypto::verify(
        signature,
        signed.as_bytes(),
        &DecodingKey::from_ed_der(&public_key),
        Algorithm::EdDSA,
    )
    .map_err(|_| bad("the signature is malformed"))?;
    if !ok {
        return Err(bad("the signature does not match the content"));
    }
    let payload_bytes = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| bad("the payload is not base64url"))?;
    let payload =
        serde_json::from_slice(&payload_bytes).map_err(|_| bad("the payload is not JSON"))?;
    Ok(Verified {
        payload_bytes,
        payload,
        header,
        signer,
    })
}

/// The content of a compact JWS, without checking anything: for showing, never for trusting.
pub fn unverified_payload(token: &str) -> Option<Vec<u8>> {
    let payload = token.trim().split('.').nth(1)?;
    URL_SAFE_NO_PAD.decode(payload).ok()
}

/// Is this stored signature a JWS (rather than a raw Ed25519 signature of earlier versions)?
pub fn is_compact_jws(s: &str) -> bool {
    s.trim().split('.').count() == 3
}

// ---- jsonwebtoken's crypto, by ed25519-dalek, for EdDSA only --------------------------------

static PROVIDER: CryptoProvider = CryptoProvider {
    signer_factory,
    verifier_factory,
    key_utils: KeyUtils::new_unimplemented(),
};

/// Installs the EdDSA-only crypto behind jsonwebtoken, for other blocks that decode JWTs with it
/// (API clients' `private_key_jwt` assertions). Idempotent.
pub fn install_jose_crypto() {
    install_provider();
}

fn install_provider() {
    // Fails only when a provider is installed already (ours, by an earlier call): fine either way.
    let _ = PROVIDER.install_default();
}

struct EdSigner(ed25519_dalek::SigningKey);

impl Signer<Vec<u8>> for EdSigner {
    fn try_sign(&self, msg: &[u8]) -> Result<Vec<u8>, SignatureError> {
        Ok(ed25519_dalek::Signer::sign(&self.0, msg)
            .to_bytes()
            .to_vec())
    }
}

impl JwtSigner for EdSigner {
    fn algorithm(&self) -> Algorithm {
        Algorithm::EdDSA
    }
}

struct EdVerifier(ed25519_dalek::VerifyingKey);

impl Verifier<Vec<u8>> for EdVerifier {
    fn verify(&self, msg: &[u8], signature: &Vec<u8>) -> Result<(), SignatureError> {
        let sig =
            ed25519_dalek::Signature::from_slice(signature).map_err(|_| SignatureError::new())?;
        self.0
            .verify_strict(msg, &sig)
            .map_err(|_| SignatureError::new())
    }
}

impl JwtVerifier for EdVerifier {
    fn algorithm(&self) -> Algorithm {
        Algorithm::EdDSA
    }
}

fn signer_factory(
    alg: &Algorithm,
    key: &EncodingKey,
) -> jsonwebtoken::errors::Result<Box<dyn JwtSigner>> {
    if *alg != Algorithm::EdDSA {
        return Err(ErrorKind::InvalidAlgorithm.into());
    }
    let key = ed25519_dalek::SigningKey::from_pkcs8_der(key.as_bytes())
        .map_err(|_| ErrorKind::InvalidEddsaKey)?;
    Ok(Box::new(EdSigner(key)))
}

fn verifier_factory(
    alg: &Algorithm,
    key: &DecodingKey,
) -> jsonwebtoken::errors::Result<Box<dyn JwtVerifier>> {
    if *alg != Algorithm::EdDSA {
        return Err(ErrorKind::InvalidAlgorithm.into());
    }
    let bytes =
        <[u8; 32]>::try_from(key.try_get_as_bytes()?).map_err(|_| ErrorKind::InvalidEddsaKey)?;
    let key =
        ed25519_dalek::VerifyingKey::from_bytes(&bytes).map_err(|_| ErrorKind::InvalidEddsaKey)?;
    Ok(Box::new(EdVerifier(key)))
}
