//! Signed server-to-server messages: `Portico-Signature: t=<unix seconds>,v1=<hex>` where the
//! hex is HMAC-SHA256 over `"<t>." + body` with a secret both sides hold. The receiver checks
//! the MAC in constant time (`hmac`'s `verify_slice`) and refuses a timestamp outside its replay
//! window, so a captured message cannot be played again later. The card provider's callbacks,
//! Portico's requests to the provider and Portico's callbacks to administrations' systems all
//! use it.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header that carries the signature.
pub const HEADER: &str = "portico-signature";

/// How far a signed timestamp may be from the receiver's clock, either way.
pub const REPLAY_WINDOW_SECS: i64 = 300;

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> HmacSha256 {
    // HMAC takes a key of any length.
    #[allow(clippy::expect_used)]
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The header value for `body` sent at `timestamp` (unix seconds).
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let tag = mac(secret, timestamp, body).finalize().into_bytes();
    format!("t={timestamp},v1={}", hex::encode(tag))
}

/// Why a signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the signature header is missing or malformed")]
    Malformed,
    #[error("the signed timestamp is outside the replay window")]
    Stale,
    #[error("the signature does not match")]
    Mismatch,
}

/// Checks a header value against `body` at `now` (unix seconds). Returns the signed timestamp.
pub fn verify(secret: &[u8], header: &str, body: &[u8], now: i64) -> Result<i64, SignatureError> {
    let mut timestamp = None;
    let mut tags = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => tags.push(hex::decode(v).map_err(|_| SignatureError::Malformed)?),
            _ => return Err(SignatureError::Malformed),
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if tags.is_empty() || tags.len() > 4 {
        return Err(SignatureError::Malformed);
    }
    if (now - timestamp).abs() > REPLAY_WINDOW_SECS {
        return Err(SignatureError::Stale);
    }
    // Several v1 values let a sender roll its secret; each is checked in constant time.
    if tags
        .iter()
        .any(|tag| mac(secret, timestamp, body).verify_slice(tag).is_ok())
    {
        Ok(timestamp)
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_signature_holds_for_its_body_and_time_only() {
        let secret = b"a shared secret of the sandbox provider";
        let body = br#"{"event_id":"e1","status":"captured"}"#;
        let header = sign(secret, 1_000_000, body);
        assert_eq!(verify(secret, &header, body, 1_000_010), Ok(1_000_000));
        assert_eq!(
            verify(
                secret,
                &header,
                b"{\"event_id\":\"e1\",\"status\":\"declined\"}",
                1_000_010
            ),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(b"another secret", &header, body, 1_000_010),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(secret, &header, body, 1_000_000 + REPLAY_WINDOW_SECS + 1),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(secret, &header, body, 1_000_000 - REPLAY_WINDOW_SECS - 1),
            Err(SignatureError::Stale)
        );
        // The timestamp is signed: moving it breaks the signature.
        let moved = header.replace("t=1000000", "t=1000100");
        assert_eq!(
            verify(secret, &moved, body, 1_000_100),
            Err(SignatureError::Mismatch)
        );
        for bad in [
            "",
            "t=1",
            "v1=00",
            "t=x,v1=00",
            "t=1000000,v1=zz",
            "t=1,v2=00",
        ] {
            assert_eq!(
                verify(secret, bad, body, 1_000_000),
                Err(SignatureError::Malformed),
                "{bad}"
            );
        }
    }
}
