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
    match media_type {
        "application/pdf" => bytes.starts_with(b"%PDF-"),
        "image/png" => bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]),
        "image/jpeg" => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        "text/plain" => std::str::from_utf8(bytes).is_ok_and(|s| !s.contains('\0')),
        _ => false,
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
