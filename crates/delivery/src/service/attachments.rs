//! Attachments are checked on their content before anything is stored: not empty, not larger
//! than the policy allows, of a type the platform accepts, and of the type the sender declared
//! (a file named `.pdf` and labelled `application/pdf` must start like a PDF).

use super::Policy;
use crate::model::NewAttachment;
use portico_core::FieldError;

/// The media types a message may carry, each with how its content is recognised.
pub const ACCEPTED: &[&str] = &["application/pdf", "image/png", "image/jpeg", "text/plain"];

/// The declared type without parameters, lower-case: `Text/Plain; charset=utf-8` → `text/plain`.
pub fn essence(media_type: &str) -> String {
    media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Whether the bytes are of the (accepted) type.
fn content_is(media_type: &str, bytes: &[u8]) -> bool {
    let mut check = ContentCheck::new(media_type);
    check.feed(bytes) && check.finish()
}

/// How a file of an accepted type starts.
fn magic(media_type: &str) -> Option<&'static [u8]> {
    match media_type {
        "application/pdf" => Some(b"%PDF-"),
        "image/png" => Some(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]),
        "image/jpeg" => Some(&[0xFF, 0xD8, 0xFF]),
        _ => None,
    }
}

/// Checks a file's content against its (accepted, lower-case) type as it comes in pieces: the
/// first bytes of a PDF, PNG or JPEG; every byte of plain text (UTF-8, no NUL), across the
/// pieces' boundaries. A file found wrong is known at once, before the rest is read.
#[derive(Debug)]
pub struct ContentCheck {
    kind: String,
    /// The first bytes, until there are enough to compare with the type's.
    head: Vec<u8>,
    /// Plain text: the start of a character cut by the end of the last piece.
    carry: Vec<u8>,
    ok: bool,
}

impl ContentCheck {
    pub fn new(kind: &str) -> ContentCheck {
        ContentCheck {
            kind: kind.to_owned(),
            head: Vec::new(),
            carry: Vec::new(),
            ok: ACCEPTED.contains(&kind),
        }
    }

    /// Takes the next piece; false once the content is known not to be of the type.
    pub fn feed(&mut self, piece: &[u8]) -> bool {
        if !self.ok {
            return false;
        }
        if let Some(magic) = magic(&self.kind) {
            if self.head.len() < magic.len() {
                let take = piece.len().min(magic.len() - self.head.len());
                self.head.extend_from_slice(&piece[..take]);
                self.ok = magic.starts_with(&self.head);
            }
            return self.ok;
        }
        // text/plain
        let mut text = std::mem::take(&mut self.carry);
        text.extend_from_slice(piece);
        match std::str::from_utf8(&text) {
            Ok(s) => self.ok = !s.contains('\0'),
            Err(e) => {
                let valid = &text[..e.valid_up_to()];
                // An error at the very end with no length is a character the next piece ends.
                self.ok = e.error_len().is_none() && !valid.contains(&0);
                if self.ok {
                    self.carry = text[e.valid_up_to()..].to_vec();
                }
            }
        }
        self.ok
    }

    /// The file has ended: whether it was of the type (its first bytes all there, no character
    /// cut off).
    pub fn finish(&self) -> bool {
        self.ok
            && self.carry.is_empty()
            && magic(&self.kind).is_none_or(|m| self.head.len() == m.len())
    }
}

/// What may be wrong with a file's name or declared type, before any of its content is read.
pub fn check_label(file_name: &str, media_type: &str) -> Option<&'static str> {
    if file_name.trim().is_empty() || file_name.contains(['/', '\\', '\0']) {
        Some("delivery.attachment.bad_name")
    } else if !ACCEPTED.contains(&essence(media_type).as_str()) {
        Some("delivery.attachment.type_not_accepted")
    } else {
        None
    }
}

/// Every problem of every attachment, as field errors on `attachments` (the message names the
/// file); empty when all are fine.
pub fn check(policy: &Policy, attachments: &[NewAttachment]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if attachments.len() > policy.max_attachments {
        errors.push(FieldError::new(
            "attachments",
            "delivery.attachment.too_many",
        ));
    }
    for a in attachments {
        let kind = essence(&a.media_type);
        let code = if a.file_name.trim().is_empty() || a.file_name.contains(['/', '\\', '\0']) {
            "delivery.attachment.bad_name"
        } else if a.bytes.is_empty() {
            "delivery.attachment.empty"
        } else if a.bytes.len() > policy.max_attachment_bytes {
            "delivery.attachment.too_large"
        } else if !ACCEPTED.contains(&kind.as_str()) {
            "delivery.attachment.type_not_accepted"
        } else if !content_is(&kind, &a.bytes) {
            "delivery.attachment.mislabelled"
        } else {
            continue;
        };
        errors.push(FieldError::new("attachments", code));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, media_type: &str, bytes: &[u8]) -> NewAttachment {
        NewAttachment {
            file_name: name.into(),
            media_type: media_type.into(),
            bytes: bytes.to_vec(),
        }
    }

    fn codes(policy: &Policy, files: &[NewAttachment]) -> Vec<String> {
        check(policy, files).into_iter().map(|e| e.code).collect()
    }

    #[test]
    fn content_decides_not_the_label() {
        let policy = Policy::default();
        assert!(codes(&policy, &[file("a.pdf", "application/pdf", b"%PDF-1.7\n")]).is_empty());
        assert!(codes(
            &policy,
            &[file(
                "a.txt",
                "text/plain; charset=utf-8",
                "здравей".as_bytes()
            )]
        )
        .is_empty());
        assert_eq!(
            codes(&policy, &[file("a.pdf", "application/pdf", b"MZ\x90\x00")]),
            ["delivery.attachment.mislabelled"]
        );
        assert_eq!(
            codes(&policy, &[file("a.txt", "text/plain", b"\xff\xfe\x00")]),
            ["delivery.attachment.mislabelled"]
        );
        assert_eq!(
            codes(&policy, &[file("a.exe", "application/x-msdownload", b"MZ")]),
            ["delivery.attachment.type_not_accepted"]
        );
        assert_eq!(
            codes(&policy, &[file("a.pdf", "application/pdf", b"")]),
            ["delivery.attachment.empty"]
        );
        assert_eq!(
            codes(&policy, &[file("../a.pdf", "application/pdf", b"%PDF-")]),
            ["delivery.attachment.bad_name"]
        );
    }

    #[test]
    fn content_checked_in_pieces_as_whole() {
        let text = "Ред първи.".as_bytes();
        // Split inside the two bytes of "Р": still plain text.
        let mut check = ContentCheck::new("text/plain");
        assert!(check.feed(&text[..1]) && check.feed(&text[1..]) && check.finish());
        // Cut off inside a character: not.
        let mut check = ContentCheck::new("text/plain");
        assert!(check.feed(&text[..1]) && !check.finish());
        // A PDF's start over two pieces; a wrong start is known at the first piece.
        let mut check = ContentCheck::new("application/pdf");
        assert!(check.feed(b"%P") && check.feed(b"DF-1.7") && check.finish());
        let mut check = ContentCheck::new("application/pdf");
        assert!(!check.feed(b"MZ"));
        let mut check = ContentCheck::new("image/png");
        assert!(check.feed(&[0x89, b'P']) && !check.finish(), "too short");
    }

    #[test]
    fn size_and_count_limits() {
        let policy = Policy {
            max_attachment_bytes: 8,
            max_attachments: 1,
            ..Policy::default()
        };
        assert_eq!(
            codes(
                &policy,
                &[file("a.pdf", "application/pdf", b"%PDF-1.7 and more")]
            ),
            ["delivery.attachment.too_large"]
        );
        let ok = file("a.pdf", "application/pdf", b"%PDF-1");
        assert_eq!(
            codes(&policy, &[ok.clone(), ok]),
            ["delivery.attachment.too_many"]
        );
    }
}
