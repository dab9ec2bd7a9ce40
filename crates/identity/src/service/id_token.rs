//! Checking an external provider's ID token (OpenID Connect Core 1.0, 3.1.3.7): the JWS
//! signature by a key of the provider's JWKS (RS256, PS256, ES256, ES384 or EdDSA, only the
//! algorithms the provider announces, never `none` or a MAC), then `iss`, `aud` / `azp`, `exp`,
//! `iat` and `nonce`.
//!
//! The platform's own JOSE (jsonwebtoken with ed25519-dalek, `portico_audit::jws`) is EdDSA
//! only; providers sign with RSA or P-256 as often as not, so the signature is checked here with
//! `ring` (already the TLS stack's crypto), on the compact serialisation's bytes as RFC 7515
//! defines them.

use super::eid::Refusal;
use base64::Engine;
use chrono::{DateTime, Utc};
use ring::signature::{self, RsaPublicKeyComponents, UnparsedPublicKey};
use serde::Deserialize;
use serde_json::{Map, Value};

/// The algorithms Portico can check. A provider's list is intersected with this.
pub const SUPPORTED_ALGS: &[&str] = &["RS256", "PS256", "ES256", "ES384", "EdDSA"];

/// How far a provider's clock may be from ours.
const SKEW_SECS: i64 = 60;

/// One key of a JWKS (RFC 7517), the members that verification reads.
#[derive(Debug, Clone, Deserialize)]
pub struct Jwk {
    pub kty: String,
    #[serde(default)]
    pub kid: Option<String>,
    #[serde(default)]
    pub alg: Option<String>,
    #[serde(default, rename = "use")]
    pub use_: Option<String>,
    #[serde(default)]
    pub crv: Option<String>,
    #[serde(default)]
    pub n: Option<String>,
    #[serde(default)]
    pub e: Option<String>,
    #[serde(default)]
    pub x: Option<String>,
    #[serde(default)]
    pub y: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Jwks {
    #[serde(default)]
    pub keys: Vec<Jwk>,
}

#[derive(Debug, Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    crit: Option<Value>,
}

fn b64(s: &str) -> Result<Vec<u8>, Refusal> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| Refusal::BadToken)
}

/// Why a signature could not be checked against `jwks`: `NoKey` when no key has the token's
/// `kid` (the caller fetches the JWKS again once, for a provider that rotated its keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureProblem {
    NoKey,
    Refused(Refusal),
}

/// The token's header `kid`, if the token is at least shaped like a JWS.
pub fn kid(token: &str) -> Option<String> {
    let header = token.split('.').next()?;
    let header: Header = serde_json::from_slice(&b64(header).ok()?).ok()?;
    header.kid
}

/// Checks the JWS signature of `token` with a key of `jwks`, the algorithm one of `allowed`;
/// returns the payload's claims.
pub fn verify_signature(
    token: &str,
    jwks: &Jwks,
    allowed: &[String],
) -> Result<Map<String, Value>, SignatureProblem> {
    let refused = SignatureProblem::Refused;
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(refused(Refusal::BadToken));
    };
    let header: Header = serde_json::from_slice(&b64(h).map_err(refused)?)
        .map_err(|_| refused(Refusal::BadToken))?;
    if header.crit.is_some() {
        // No extension is understood, so a critical one cannot be honoured (RFC 7515 4.1.11).
        return Err(refused(Refusal::BadToken));
    }
    if !SUPPORTED_ALGS.contains(&header.alg.as_str()) || !allowed.contains(&header.alg) {
        return Err(refused(Refusal::BadSignature));
    }
    let sig = b64(s).map_err(refused)?;
    let kty = match header.alg.as_str() {
        "RS256" | "PS256" => "RSA",
        "ES256" | "ES384" => "EC",
        _ => "OKP",
    };
    let candidates: Vec<&Jwk> = jwks
        .keys
        .iter()
        .filter(|k| k.kty == kty)
        .filter(|k| k.use_.as_deref().is_none_or(|u| u == "sig"))
        .filter(|k| k.alg.as_deref().is_none_or(|a| a == header.alg))
        .filter(|k| match (&header.kid, &k.kid) {
            (Some(want), Some(have)) => want == have,
            (Some(_), None) => false,
            (None, _) => true,
        })
        .collect();
    if candidates.is_empty() {
        return Err(SignatureProblem::NoKey);
    }
    let message = format!("{h}.{p}");
    let good = candidates
        .iter()
        .any(|key| check(&header.alg, key, message.as_bytes(), &sig));
    if !good {
        return Err(refused(Refusal::BadSignature));
    }
    let payload = b64(p).map_err(refused)?;
    match serde_json::from_slice::<Value>(&payload) {
        Ok(Value::Object(claims)) => Ok(claims),
        _ => Err(refused(Refusal::BadToken)),
    }
}

fn check(alg: &str, key: &Jwk, message: &[u8], sig: &[u8]) -> bool {
    let field = |v: &Option<String>| v.as_deref().and_then(|s| b64(s).ok());
    match alg {
        "RS256" | "PS256" => {
            let (Some(n), Some(e)) = (field(&key.n), field(&key.e)) else {
                return false;
            };
            let params: &signature::RsaParameters = if alg == "RS256" {
                &signature::RSA_PKCS1_2048_8192_SHA256
            } else {
                &signature::RSA_PSS_2048_8192_SHA256
            };
            RsaPublicKeyComponents { n: &n, e: &e }
                .verify(params, message, sig)
                .is_ok()
        }
        "ES256" | "ES384" => {
            let (curve, params): (&str, &'static signature::EcdsaVerificationAlgorithm) =
                if alg == "ES256" {
                    ("P-256", &signature::ECDSA_P256_SHA256_FIXED)
                } else {
                    ("P-384", &signature::ECDSA_P384_SHA384_FIXED)
                };
            let (Some(x), Some(y)) = (field(&key.x), field(&key.y)) else {
                return false;
            };
            if key.crv.as_deref() != Some(curve) {
                return false;
            }
            let mut point = vec![0x04];
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            UnparsedPublicKey::new(params, point)
                .verify(message, sig)
                .is_ok()
        }
        "EdDSA" => {
            let Some(x) = field(&key.x) else {
                return false;
            };
            key.crv.as_deref() == Some("Ed25519")
                && UnparsedPublicKey::new(&signature::ED25519, x)
                    .verify(message, sig)
                    .is_ok()
        }
        _ => false,
    }
}

/// What the relying party expects of the token.
pub struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub nonce: &'a str,
    pub now: DateTime<Utc>,
}

/// Checks the claims of a token whose signature is good; returns its `sub`.
pub fn check_claims(claims: &Map<String, Value>, expected: &Expected) -> Result<String, Refusal> {
    if claims.get("iss").and_then(Value::as_str) != Some(expected.issuer) {
        return Err(Refusal::WrongIssuer);
    }
    let audiences: Vec<&str> = match claims.get("aud") {
        Some(Value::String(a)) => vec![a.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if !audiences.contains(&expected.client_id) {
        return Err(Refusal::WrongAudience);
    }
    let azp = claims.get("azp").and_then(Value::as_str);
    if (audiences.len() > 1 || azp.is_some()) && azp != Some(expected.client_id) {
        return Err(Refusal::WrongAudience);
    }
    let now = expected.now.timestamp();
    let Some(exp) = claims.get("exp").and_then(Value::as_i64) else {
        return Err(Refusal::BadToken);
    };
    if now >= exp + SKEW_SECS {
        return Err(Refusal::Expired);
    }
    if let Some(iat) = claims.get("iat").and_then(Value::as_i64) {
        if iat > now + SKEW_SECS {
            return Err(Refusal::BadToken);
        }
    }
    let nonce = claims.get("nonce").and_then(Value::as_str);
    let nonce_ok = nonce.is_some_and(|n| {
        subtle::ConstantTimeEq::ct_eq(n.as_bytes(), expected.nonce.as_bytes()).into()
    });
    if !nonce_ok {
        return Err(Refusal::WrongNonce);
    }
    match claims.get("sub").and_then(Value::as_str) {
        Some(sub) if !sub.is_empty() && sub.len() <= 255 => Ok(sub.to_owned()),
        _ => Err(Refusal::BadToken),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use ring::rand::SystemRandom;
    use ring::signature::{EcdsaKeyPair, Ed25519KeyPair, KeyPair};
    use serde_json::json;

    fn enc(v: &[u8]) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v)
    }

    fn es256() -> (EcdsaKeyPair, Jwk) {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            pkcs8.as_ref(),
            &rng,
        )
        .unwrap();
        let public = pair.public_key().as_ref();
        let jwk = Jwk {
            kty: "EC".into(),
            kid: Some("ec1".into()),
            alg: Some("ES256".into()),
            use_: Some("sig".into()),
            crv: Some("P-256".into()),
            n: None,
            e: None,
            x: Some(enc(&public[1..33])),
            y: Some(enc(&public[33..])),
        };
        (pair, jwk)
    }

    fn sign_es256(pair: &EcdsaKeyPair, header: Value, claims: Value) -> String {
        let body = format!(
            "{}.{}",
            enc(header.to_string().as_bytes()),
            enc(claims.to_string().as_bytes())
        );
        let sig = pair.sign(&SystemRandom::new(), body.as_bytes()).unwrap();
        format!("{body}.{}", enc(sig.as_ref()))
    }

    fn all() -> Vec<String> {
        SUPPORTED_ALGS.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_good_es256_token_passes_and_a_changed_one_does_not() {
        let (pair, jwk) = es256();
        let jwks = Jwks { keys: vec![jwk] };
        let token = sign_es256(
            &pair,
            json!({"alg":"ES256","kid":"ec1"}),
            json!({"sub":"a","nonce":"n"}),
        );
        let claims = verify_signature(&token, &jwks, &all()).unwrap();
        assert_eq!(claims["sub"], "a");
        // The payload changed after signing.
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged = enc(json!({"sub":"b","nonce":"n"}).to_string().as_bytes());
        parts[1] = &forged;
        assert_eq!(
            verify_signature(&parts.join("."), &jwks, &all()),
            Err(SignatureProblem::Refused(Refusal::BadSignature))
        );
        // An algorithm the provider does not announce.
        assert_eq!(
            verify_signature(&token, &jwks, &["RS256".into()]),
            Err(SignatureProblem::Refused(Refusal::BadSignature))
        );
        // Another key id: the caller is told to fetch the keys again.
        let other = sign_es256(
            &pair,
            json!({"alg":"ES256","kid":"ec2"}),
            json!({"sub":"a"}),
        );
        assert_eq!(
            verify_signature(&other, &jwks, &all()),
            Err(SignatureProblem::NoKey)
        );
    }

    #[test]
    fn none_and_mac_algorithms_are_never_accepted() {
        let (_, jwk) = es256();
        let jwks = Jwks { keys: vec![jwk] };
        for alg in ["none", "HS256"] {
            let token = format!(
                "{}.{}.",
                enc(json!({"alg": alg}).to_string().as_bytes()),
                enc(json!({"sub":"a"}).to_string().as_bytes())
            );
            let mut allowed = all();
            allowed.push(alg.into());
            assert_eq!(
                verify_signature(&token, &jwks, &allowed),
                Err(SignatureProblem::Refused(Refusal::BadSignature)),
                "{alg}"
            );
        }
    }

    #[test]
    fn eddsa_tokens_are_checked() {
        let rng = SystemRandom::new();
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
        let jwk = Jwk {
            kty: "OKP".into(),
            kid: None,
            alg: None,
            use_: None,
            crv: Some("Ed25519".into()),
            n: None,
            e: None,
            x: Some(enc(pair.public_key().as_ref())),
            y: None,
        };
        let body = format!(
            "{}.{}",
            enc(json!({"alg":"EdDSA"}).to_string().as_bytes()),
            enc(json!({"sub":"x"}).to_string().as_bytes())
        );
        let token = format!("{body}.{}", enc(pair.sign(body.as_bytes()).as_ref()));
        let jwks = Jwks { keys: vec![jwk] };
        assert_eq!(verify_signature(&token, &jwks, &all()).unwrap()["sub"], "x");
    }

    #[test]
    fn claims_are_checked_in_order() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let expected = Expected {
            issuer: "https://eid.example",
            client_id: "portico",
            nonce: "n1",
            now,
        };
        let good = json!({"iss":"https://eid.example","aud":"portico","exp":1_800_000_300i64,
            "iat":1_800_000_000i64,"nonce":"n1","sub":"s"});
        let with = |k: &str, v: Value| {
            let mut c = good.as_object().unwrap().clone();
            c.insert(k.into(), v);
            c
        };
        assert_eq!(
            check_claims(good.as_object().unwrap(), &expected).unwrap(),
            "s"
        );
        assert_eq!(
            check_claims(&with("iss", json!("https://evil.example")), &expected),
            Err(Refusal::WrongIssuer)
        );
        assert_eq!(
            check_claims(&with("aud", json!("someone-else")), &expected),
            Err(Refusal::WrongAudience)
        );
        assert_eq!(
            check_claims(&with("aud", json!(["portico", "other"])), &expected),
            Err(Refusal::WrongAudience)
        );
        assert_eq!(
            check_claims(&with("exp", json!(1_799_999_000i64)), &expected),
            Err(Refusal::Expired)
        );
        assert_eq!(
            check_claims(&with("nonce", json!("n2")), &expected),
            Err(Refusal::WrongNonce)
        );
        let mut no_nonce = good.as_object().unwrap().clone();
        no_nonce.remove("nonce");
        assert_eq!(check_claims(&no_nonce, &expected), Err(Refusal::WrongNonce));
    }
}
