use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// What cases needs to know about a service from the catalog when an application starts.
#[derive(Debug, Clone)]
pub struct ServiceInfo {
    pub id: String,
    pub administration_id: String,
    pub process_key: String,
    /// The administration's own deadlines for states of the process (state id → working days).
    pub state_deadlines: BTreeMap<String, u32>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Application {
    pub id: String,
    pub tracking_number: Option<String>,
    pub service_id: String,
    pub administration_id: String,
    pub unit_id: Option<String>,
    pub applicant_id: String,
    pub form_version_id: String,
    pub process_key: String,
    pub state: String,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    pub current_step: i64,
    pub assigned_to: Option<String>,
    #[schema(value_type = Option<String>)]
    pub state_deadline: Option<NaiveDate>,
    #[schema(value_type = Option<String>)]
    pub final_deadline: Option<NaiveDate>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub submission_hash: Option<String>,
    pub submission_signature: Option<String>,
    pub result_blob: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The administration's own deadlines for states of the process when the application was
    /// started (state id → working days); other states have the library's.
    #[serde(skip)]
    pub state_deadlines: BTreeMap<String, u32>,
}

impl Application {
    pub fn is_draft(&self) -> bool {
        self.state == DRAFT
    }
}

pub const DRAFT: &str = "draft";

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Event {
    pub at: DateTime<Utc>,
    pub actor_id: String,
    /// state | note | message | consent | submitted | check
    pub kind: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub transition: Option<String>,
    pub body: Option<String>,
    /// public | internal
    pub visibility: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Attachment {
    pub id: String,
    pub field: String,
    pub blob_key: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
}

impl Attachment {
    /// The name a download is saved under: the posted name with only safe characters, ending in
    /// the extension of its (checked) type for PDF, JPEG and PNG whatever name was posted, so a
    /// PDF is opened as a PDF and nothing else.
    pub fn download_name(&self) -> String {
        let mut name: String = self
            .filename
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let mime = self
            .content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let endings: &[&str] = match mime.as_str() {
            "application/pdf" => &[".pdf"],
            "image/jpeg" => &[".jpg", ".jpeg"],
            "image/png" => &[".png"],
            _ => &[],
        };
        let lower = name.to_ascii_lowercase();
        if let Some(first) = endings.first() {
            if !endings.iter().any(|e| lower.ends_with(e)) {
                name.push_str(first);
            }
        }
        name
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Consent {
    pub id: String,
    pub application_id: String,
    /// `egn` or `lnch`: the consent is answered only by that kind of identifier with that value.
    pub personal_id_kind: String,
    pub personal_id: String,
    /// owner | parent
    pub role: String,
    /// pending | given | refused
    pub status: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Notification {
    pub id: String,
    pub application_id: Option<String>,
    pub text_bg: String,
    pub text_en: String,
    pub created_at: DateTime<Utc>,
    pub read: bool,
}

/// A consent the submission needs: whose, and in what capacity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRequest {
    /// `egn` or `lnch`, as `PersonalId::kind`.
    pub personal_id_kind: String,
    pub personal_id: String,
    pub role: String,
}

/// What an actor brings to a transition.
#[derive(Debug, Clone, Default)]
pub struct TransitionInput {
    pub reason: Option<String>,
    pub message: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::Attachment;

    fn named(filename: &str, content_type: &str) -> String {
        Attachment {
            id: "a".into(),
            field: "f".into(),
            blob_key: "k".into(),
            filename: filename.into(),
            content_type: content_type.into(),
            size: 1,
        }
        .download_name()
    }

    // Before the fix, a PDF posted as "page.html" was downloaded as "page.html".
    #[test]
    fn a_download_ends_in_the_extension_of_its_type() {
        assert_eq!(named("page.html", "application/pdf"), "page.html.pdf");
        assert_eq!(named("Dogovor.PDF", "application/pdf"), "Dogovor.PDF");
        assert_eq!(named("договор", "application/pdf"), "_______.pdf");
        assert_eq!(named("photo.jpeg", "image/jpeg"), "photo.jpeg");
        assert_eq!(named("photo", "image/jpeg"), "photo.jpg");
        assert_eq!(named("scan.exe", "image/png"), "scan.exe.png");
        assert_eq!(named("notes.txt", "text/plain"), "notes.txt");
    }
}
