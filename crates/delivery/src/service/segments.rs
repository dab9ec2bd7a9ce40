//! Attachments sealed and opened segment by segment: the STREAM construction (Hoang, Reyhanitabar,
//! Rogaway, Vizár, "Online Authenticated-Encryption and its Nonce-Reuse Misuse-Resistance"), as
//! RustCrypto's `aead::stream::{EncryptorBE32, DecryptorBE32}` implement it over AES-256-GCM.
//!
//! The sealed form (`stream-v1` in `delivery_attachments.sealing`):
//!
//! ```text
//! "PTS1" ‖ salt (16 bytes) ‖ nonce prefix (7 bytes)
//! segment 0 ‖ segment 1 ‖ … ‖ last segment
//! ```
//!
//! Each segment is 64 KiB of plaintext sealed with its 16-byte tag; the last one holds the rest
//! (1 to 64 KiB; 0 only for an empty file) and is sealed with STREAM's "last" flag. The nonce of
//! segment *i* is the prefix ‖ *i* (32 bits, big-endian) ‖ the flag, so segments cannot be
//! reordered, dropped, or cut off at the end without a segment failing to open. Each sealing
//! has its own key, derived with HKDF-SHA256 from the message key, the random salt and the
//! attachment's place (message and position), which is also every segment's associated data: a
//! sealed file copied onto another attachment does not open.
//!
//! Neither side holds more than about two segments: [`Sealer`] and [`Opener`] take bytes in
//! pieces of any size and give back what is complete.

use super::keys::MessageKey;
use crate::DeliveryError;
use aead::stream::{DecryptorBE32, EncryptorBE32};
use aes_gcm::aead::{KeyInit, Payload};
use aes_gcm::Aes256Gcm;
use rand::RngCore;

/// The plaintext in each segment but the last.
pub const SEGMENT_BYTES: usize = 64 * 1024;
const TAG_BYTES: usize = 16;
const MAGIC: &[u8; 4] = b"PTS1";
const SALT_BYTES: usize = 16;
const PREFIX_BYTES: usize = 7;
/// The header before the first segment.
pub const HEADER_BYTES: usize = MAGIC.len() + SALT_BYTES + PREFIX_BYTES;
/// What `delivery_attachments.sealing` says for this form.
pub const FORMAT: &str = "stream-v1";

/// The size of the sealed form of `plain` bytes.
pub fn sealed_size(plain: u64) -> u64 {
    let segments = plain.div_ceil(SEGMENT_BYTES as u64).max(1);
    HEADER_BYTES as u64 + plain + segments * TAG_BYTES as u64
}

fn cipher(key: &MessageKey, salt: &[u8], place: &str) -> Aes256Gcm {
    let derived = key.derive(salt, &format!("portico.delivery.segments:v1:{place}"));
    Aes256Gcm::new(&derived.into())
}

/// Seals bytes given in pieces.
pub struct Sealer {
    encryptor: EncryptorBE32<Aes256Gcm>,
    place: String,
    /// Plaintext not sealed yet (less than two segments).
    pending: Vec<u8>,
    header: Option<Vec<u8>>,
}

impl Sealer {
    /// A sealing of the attachment at `place` under the message's key.
    pub fn new(key: &MessageKey, place: &str) -> Sealer {
        let mut salt = [0u8; SALT_BYTES];
        let mut prefix = [0u8; PREFIX_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        rand::rngs::OsRng.fill_bytes(&mut prefix);
        let mut header = Vec::with_capacity(HEADER_BYTES);
        header.extend_from_slice(MAGIC);
        header.extend_from_slice(&salt);
        header.extend_from_slice(&prefix);
        Sealer {
            encryptor: EncryptorBE32::from_aead(cipher(key, &salt, place), &prefix.into()),
            place: place.to_owned(),
            pending: Vec::with_capacity(2 * SEGMENT_BYTES),
            header: Some(header),
        }
    }

    /// Takes more plaintext; returns the sealed bytes that are complete (the header first).
    /// A full segment is sealed only once more follows, since the last one is sealed apart.
    pub fn update(&mut self, plain: &[u8]) -> Result<Vec<u8>, DeliveryError> {
        let mut out = self.header.take().unwrap_or_default();
        self.pending.extend_from_slice(plain);
        let mut done = 0;
        while self.pending.len() - done > SEGMENT_BYTES {
            let segment = &self.pending[done..done + SEGMENT_BYTES];
            let sealed = self
                .encryptor
                .encrypt_next(Payload {
                    msg: segment,
                    aad: self.place.as_bytes(),
                })
                .map_err(|_| DeliveryError::Internal("could not encrypt a segment".into()))?;
            out.extend_from_slice(&sealed);
            done += SEGMENT_BYTES;
        }
        self.pending.drain(..done);
        Ok(out)
    }

    /// Seals the last segment; returns the rest of the sealed bytes.
    pub fn finish(mut self) -> Result<Vec<u8>, DeliveryError> {
        let mut out = self.header.take().unwrap_or_default();
        let sealed = self
            .encryptor
            .encrypt_last(Payload {
                msg: &self.pending,
                aad: self.place.as_bytes(),
            })
            .map_err(|_| DeliveryError::Internal("could not encrypt a segment".into()))?;
        out.extend_from_slice(&sealed);
        Ok(out)
    }
}

/// Seals bytes held whole (a file sent in JSON, a case's result).
pub fn seal(key: &MessageKey, place: &str, plain: &[u8]) -> Result<Vec<u8>, DeliveryError> {
    let mut sealer = Sealer::new(key, place);
    let mut out = Vec::with_capacity(usize::try_from(sealed_size(plain.len() as u64)).unwrap_or(0));
    for piece in plain.chunks(SEGMENT_BYTES) {
        out.extend(sealer.update(piece)?);
    }
    out.extend(sealer.finish()?);
    Ok(out)
}

/// Opens sealed bytes given in pieces.
pub struct Opener {
    key: MessageKey,
    place: String,
    decryptor: Option<DecryptorBE32<Aes256Gcm>>,
    /// Sealed bytes not opened yet.
    pending: Vec<u8>,
    /// The segment opened next.
    segment: u64,
}

impl Opener {
    pub fn new(key: &MessageKey, place: &str) -> Opener {
        Opener {
            key: key.clone(),
            place: place.to_owned(),
            decryptor: None,
            pending: Vec::with_capacity(2 * (SEGMENT_BYTES + TAG_BYTES)),
            segment: 0,
        }
    }

    fn tampered(&self, what: &str) -> DeliveryError {
        DeliveryError::Unreadable(format!(
            "{}: segment {} {what}: the stored file was changed, cut short or belongs elsewhere",
            self.place, self.segment
        ))
    }

    /// Takes more sealed bytes; returns the plaintext of the segments now complete. A
    /// segment that does not open is an [`DeliveryError::Unreadable`] naming it.
    pub fn update(&mut self, sealed: &[u8]) -> Result<Vec<u8>, DeliveryError> {
        self.pending.extend_from_slice(sealed);
        if self.decryptor.is_none() {
            if self.pending.len() < HEADER_BYTES {
                return Ok(Vec::new());
            }
            if &self.pending[..MAGIC.len()] != MAGIC {
                return Err(DeliveryError::Unreadable(format!(
                    "{}: not a segmented sealed file (no PTS1 header)",
                    self.place
                )));
            }
            let salt = &self.pending[MAGIC.len()..MAGIC.len() + SALT_BYTES];
            let prefix: [u8; PREFIX_BYTES] = self.pending[MAGIC.len() + SALT_BYTES..HEADER_BYTES]
                .try_into()
                .map_err(|_| self.tampered("has no header"))?;
            self.decryptor = Some(DecryptorBE32::from_aead(
                cipher(&self.key, salt, &self.place),
                &prefix.into(),
            ));
            self.pending.drain(..HEADER_BYTES);
        }
        let mut out = Vec::new();
        let mut done = 0;
        // A whole sealed segment is not the last one while more bytes follow it.
        while self.pending.len() - done > SEGMENT_BYTES + TAG_BYTES {
            let decryptor = self
                .decryptor
                .as_mut()
                .ok_or_else(|| DeliveryError::Internal("no decryptor".into()))?;
            let opened = decryptor.decrypt_next(Payload {
                msg: &self.pending[done..done + SEGMENT_BYTES + TAG_BYTES],
                aad: self.place.as_bytes(),
            });
            match opened {
                Ok(plain) => out.extend_from_slice(&plain),
                Err(_) => return Err(self.tampered("does not open")),
            }
            done += SEGMENT_BYTES + TAG_BYTES;
            self.segment += 1;
        }
        self.pending.drain(..done);
        Ok(out)
    }

    /// The sealed bytes have ended: opens the last segment.
    pub fn finish(mut self) -> Result<Vec<u8>, DeliveryError> {
        let Some(decryptor) = self.decryptor.take() else {
            return Err(self.tampered("is missing (the file ends inside its header)"));
        };
        decryptor
            .decrypt_last(Payload {
                msg: &self.pending,
                aad: self.place.as_bytes(),
            })
            .map_err(|_| self.tampered("does not open as the last one"))
    }
}

/// Opens sealed bytes held whole.
pub fn open(key: &MessageKey, place: &str, sealed: &[u8]) -> Result<Vec<u8>, DeliveryError> {
    let mut opener = Opener::new(key, place);
    let mut out = opener.update(sealed)?;
    out.extend(opener.finish()?);
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn sample(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 7 % 253) as u8).collect()
    }

    #[test]
    fn opens_what_it_sealed_whatever_the_pieces() {
        let key = MessageKey::generate();
        for n in [
            0,
            1,
            SEGMENT_BYTES - 1,
            SEGMENT_BYTES,
            SEGMENT_BYTES + 1,
            3 * SEGMENT_BYTES,
            3 * SEGMENT_BYTES + 5,
        ] {
            let plain = sample(n);
            let sealed = seal(&key, "m:0", &plain).unwrap();
            assert_eq!(sealed.len() as u64, sealed_size(n as u64), "{n}");
            assert_eq!(open(&key, "m:0", &sealed).unwrap(), plain, "{n}");
            // In odd pieces, both ways.
            let mut sealer = Sealer::new(&key, "m:0");
            let mut streamed = Vec::new();
            for piece in plain.chunks(1000) {
                streamed.extend(sealer.update(piece).unwrap());
            }
            streamed.extend(sealer.finish().unwrap());
            let mut opener = Opener::new(&key, "m:0");
            let mut opened = Vec::new();
            for piece in streamed.chunks(8191) {
                opened.extend(opener.update(piece).unwrap());
            }
            opened.extend(opener.finish().unwrap());
            assert_eq!(opened, plain, "{n} in pieces");
        }
    }

    #[test]
    fn a_changed_dropped_or_cut_segment_does_not_open_and_says_which() {
        let key = MessageKey::generate();
        let plain = sample(3 * SEGMENT_BYTES + 10);
        let sealed = seal(&key, "m:0", &plain).unwrap();
        let segment = SEGMENT_BYTES + TAG_BYTES;
        let mut changed = sealed.clone();
        changed[HEADER_BYTES + segment + 5] ^= 1;
        let err = open(&key, "m:0", &changed).unwrap_err().to_string();
        assert!(err.contains("segment 1 does not open"), "{err}");
        let mut dropped = sealed.clone();
        dropped.drain(HEADER_BYTES + segment..HEADER_BYTES + 2 * segment);
        assert!(open(&key, "m:0", &dropped).is_err());
        let cut = &sealed[..HEADER_BYTES + 3 * segment];
        let err = open(&key, "m:0", cut).unwrap_err().to_string();
        assert!(err.contains("as the last one"), "{err}");
        assert!(open(&key, "m:1", &sealed).is_err(), "bound to its place");
        assert!(open(&MessageKey::generate(), "m:0", &sealed).is_err());
    }
}
