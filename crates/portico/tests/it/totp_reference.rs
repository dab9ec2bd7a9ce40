//! TOTP (RFC 6238) written out from the RFC with `hmac` and `sha1`, so that the codes the tests
//! type come from an implementation other than `totp_rs`, the crate the server checks them with.
//! Checked below against the SHA-1 test vectors of RFC 6238 appendix B.

use hmac::{Hmac, Mac};
use sha1::Sha1;

/// RFC 4648 base32 (the alphabet A–Z, 2–7), ignoring padding, spaces and case.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u64, 0u32);
    for c in text.chars().filter(|c| *c != '=' && *c != ' ') {
        let value = match c.to_ascii_uppercase() {
            c @ 'A'..='Z' => c as u64 - 'A' as u64,
            c @ '2'..='7' => c as u64 - '2' as u64 + 26,
            _ => return None,
        };
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// HOTP (RFC 4226 section 5.3): HMAC-SHA-1 of the counter, dynamically truncated.
pub fn hotp(key: &[u8], counter: u64, digits: u32) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(key).expect("any key length");
    mac.update(&counter.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = (h[19] & 0x0f) as usize;
    let binary = (u32::from(h[offset]) & 0x7f) << 24
        | u32::from(h[offset + 1]) << 16
        | u32::from(h[offset + 2]) << 8
        | u32::from(h[offset + 3]);
    format!(
        "{:0width$}",
        binary % 10u32.pow(digits),
        width = digits as usize
    )
}

/// TOTP with T0 = 0 and a 30-second step (RFC 6238 section 4).
pub fn totp(key: &[u8], unix_seconds: u64, digits: u32) -> String {
    hotp(key, unix_seconds / 30, digits)
}

#[test]
fn rfc_6238_appendix_b_sha1_vectors() {
    let key = b"12345678901234567890";
    for (time, code) in [
        (59, "94287082"),
        (1_111_111_109, "07081804"),
        (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"),
        (20_000_000_000, "65353130"),
    ] {
        assert_eq!(totp(key, time, 8), code, "at {time}");
    }
}

#[test]
fn rfc_4648_base32() {
    assert_eq!(
        base32_decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").unwrap(),
        b"12345678901234567890"
    );
    assert_eq!(base32_decode("MZXW6YTBOI======").unwrap(), b"foobar");
    assert_eq!(base32_decode("mzxw 6ytb oi").unwrap(), b"foobar");
    assert_eq!(base32_decode("MZXW1"), None);
}
