use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// What cases needs to know about a service from the catalog when an application starts.
#[derive(Debug, Clone)]
pub struct ServiceInfo {
    pub id: String,
    pub administration_id: String,
    pub process_key: String,
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
    /// state | note | message | consent | submitted
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

#[derive(Debug, Clone, Serialize)]
pub struct Consent {
    pub id: String,
    pub application_id: String,
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
    pub personal_id: String,
    pub role: String,
}

/// What an actor brings to a transition.
#[derive(Debug, Clone, Default)]
pub struct TransitionInput {
    pub reason: Option<String>,
    pub message: Option<String>,
}
