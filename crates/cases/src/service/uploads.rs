//! The rules for the files of one step's POST, checked all together before any of them is
//! stored: each goes to a file field of that step, with an allowed type whose content matches,
//! within the field's size; a field gets no more files than it takes (a one-file field takes one
//! per POST, which replaces the file before); and the draft stays within its quota of files and
//! bytes. Any file refused: none is stored.

use crate::model::Attachment;
use portico_catalog::forms::layout::Widget;
use portico_catalog::forms::FormVersion;
use portico_http::FieldError;
use std::collections::HashMap;

/// Files one application may hold.
pub const DRAFT_MAX_FILES: usize = 20;
/// Bytes one application's files may hold together (50 MiB).
pub const DRAFT_MAX_BYTES: u64 = 50 * 1024 * 1024;

/// A file offered in a step's POST, not stored yet.
pub struct Offered<'a> {
    pub field: &'a str,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
}

/// Every problem with the files offered for step `step` (0-based) of a draft that already holds
/// `existing`; empty when they may all be stored.
pub fn check(
    form: &FormVersion,
    step: usize,
    existing: &[Attachment],
    offered: &[Offered<'_>],
) -> Vec<FieldError> {
    let mut errors: Vec<FieldError> = Vec::new();
    let mut refuse = |error: FieldError| {
        if !errors.iter().any(|e| e.field == error.field) {
            errors.push(error);
        }
    };
    let step_files: Vec<_> = form
        .step(step)
        .map(|s| {
            s.fields
                .iter()
                .filter(|f| f.widget == Widget::File)
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let mut per_field: HashMap<&str, usize> = HashMap::new();
    for file in offered {
        if !step_files.iter().any(|f| f.name == file.field) {
            refuse(FieldError::new(file.field, "form.invalid"));
            continue;
        }
        *per_field.entry(file.field).or_default() += 1;
        if let Err(e) = form
            .check_attachment(file.field, file.content_type, file.bytes.len() as u64)
            .and_then(|()| form.check_attachment_content(file.field, file.content_type, file.bytes))
        {
            refuse(e);
        }
    }
    // What the draft would hold afterwards: a one-file field's new file replaces the old one.
    let mut files = 0usize;
    let mut bytes = 0u64;
    for a in existing {
        let replaced = per_field.contains_key(a.field.as_str())
            && step_files
                .iter()
                .any(|f| f.name == a.field && f.max_files() == 1);
        if !replaced {
            files += 1;
            bytes += u64::try_from(a.size).unwrap_or(0);
        }
    }
    for field in &step_files {
        let Some(&n) = per_field.get(field.name.as_str()) else {
            continue;
        };
        let before = existing.iter().filter(|a| a.field == field.name).count();
        let after = if field.max_files() == 1 {
            n
        } else {
            before + n
        };
        if after > field.max_files() {
            refuse(FieldError::new(&field.name, "form.too_many"));
        }
    }
    files += offered.len();
    bytes += offered.iter().map(|f| f.bytes.len() as u64).sum::<u64>();
    if files > DRAFT_MAX_FILES || bytes > DRAFT_MAX_BYTES {
        if let Some(first) = offered.first() {
            refuse(FieldError::new(first.field, "form.file.quota"));
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::Utc;
    use serde_json::json;

    const PDF: &[u8] = b"%PDF-1.4\n%test\n";

    fn form() -> FormVersion {
        let schema = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {
                "deed": { "type": "array", "items": { "type": "string" } },
                "photos": { "type": "array", "items": { "type": "string" } },
                "name": { "type": "string" }
            }
        });
        let layout = json!({ "steps": [
            { "id": "one", "title": { "bg": "Име", "en": "Name" }, "fields": [
                { "name": "name", "widget": "text", "label": { "bg": "Име", "en": "Name" } }
            ] },
            { "id": "two", "title": { "bg": "Документи", "en": "Documents" }, "fields": [
                { "name": "deed", "widget": "file", "accept": ["application/pdf"], "max_bytes": 30000000,
                  "label": { "bg": "Акт", "en": "Deed" } },
                { "name": "photos", "widget": "file", "accept": ["application/pdf"], "max_bytes": 30000000,
                  "max_files": 30, "label": { "bg": "Снимки", "en": "Photos" } }
            ] }
        ] });
        let layout = portico_catalog::forms::check_definition(&schema, &layout).unwrap();
        FormVersion {
            id: "f".into(),
            form_key: "test".into(),
            version: 1,
            schema,
            layout,
            published_at: Utc::now(),
            published_by: "t".into(),
        }
    }

    fn stored(field: &str, size: i64) -> Attachment {
        Attachment {
            id: format!("{field}-{size}"),
            field: field.into(),
            blob_key: "k".into(),
            filename: "f.pdf".into(),
            content_type: "application/pdf".into(),
            size,
        }
    }

    fn pdf(field: &str) -> Offered<'_> {
        Offered {
            field,
            content_type: "application/pdf",
            bytes: PDF,
        }
    }

    fn codes(errors: Vec<FieldError>) -> Vec<(String, String)> {
        errors.into_iter().map(|e| (e.field, e.code)).collect()
    }

    #[test]
    fn a_one_file_field_takes_one_file_per_post_which_replaces_the_old_one() {
        let form = form();
        assert!(check(&form, 1, &[stored("deed", 100)], &[pdf("deed")]).is_empty());
        assert_eq!(
            codes(check(&form, 1, &[], &[pdf("deed"), pdf("deed")])),
            [("deed".to_owned(), "form.too_many".to_owned())]
        );
    }

    #[test]
    fn files_for_another_step_or_a_field_that_is_not_a_file_are_refused() {
        let form = form();
        assert_eq!(
            codes(check(&form, 0, &[], &[pdf("deed")])),
            [("deed".to_owned(), "form.invalid".to_owned())]
        );
        assert_eq!(
            codes(check(&form, 1, &[], &[pdf("name")])),
            [("name".to_owned(), "form.invalid".to_owned())]
        );
    }

    #[test]
    fn a_draft_holds_at_most_20_files() {
        let form = form();
        let existing: Vec<Attachment> = (0..19).map(|n| stored("photos", n)).collect();
        assert!(check(&form, 1, &existing, &[pdf("photos")]).is_empty());
        assert_eq!(
            codes(check(&form, 1, &existing, &[pdf("photos"), pdf("photos")])),
            [("photos".to_owned(), "form.file.quota".to_owned())]
        );
        // Replacing the one-file field's file does not count twice.
        let mut with_deed = existing[..18].to_vec();
        with_deed.push(stored("deed", 5));
        assert_eq!(with_deed.len(), 19);
        assert!(check(&form, 1, &with_deed, &[pdf("deed"), pdf("photos")]).is_empty());
    }

    #[test]
    fn a_draft_holds_at_most_50_mib() {
        let form = form();
        let existing = [
            stored("photos", 25 * 1024 * 1024),
            stored("photos", 25 * 1024 * 1024 - 15),
        ];
        assert_eq!(PDF.len(), 15);
        assert!(check(&form, 1, &existing, &[pdf("photos")]).is_empty());
        let fuller = [
            stored("photos", 25 * 1024 * 1024),
            stored("photos", 25 * 1024 * 1024 - 14),
        ];
        assert_eq!(
            codes(check(&form, 1, &fuller, &[pdf("photos")])),
            [("photos".to_owned(), "form.file.quota".to_owned())]
        );
    }
}
