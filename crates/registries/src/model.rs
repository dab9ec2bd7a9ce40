//! The registry exchange's types: registers and operations (the register of registers), access
//! grants, a query with its context, its answer, and the query log as the person sees it.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// Who or what a query is about: a person (EGN or LNCh) or a company (EIK).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SubjectKind {
    Person,
    Company,
}

impl SubjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Person => "person",
            SubjectKind::Company => "company",
        }
    }
    pub fn from_stored(s: &str) -> SubjectKind {
        if s == "company" {
            SubjectKind::Company
        } else {
            SubjectKind::Person
        }
    }
}

/// Who serves an operation: Portico's own tables (the demo base registers) or the owner's system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Adapter {
    /// One of the built-in base registers: `population/person`, `addresses/address`,
    /// `commercial/company`.
    Builtin { name: String },
    /// The register owner's HTTP service: a POST with a signed request (a JWS), answered with JSON.
    Http { url: String },
}

impl Adapter {
    pub fn stored(&self) -> (String, Option<String>) {
        match self {
            Adapter::Builtin { name } => (format!("builtin:{name}"), None),
            Adapter::Http { url } => ("http".into(), Some(url.clone())),
        }
    }
    pub fn from_stored(kind: &str, url: Option<String>) -> Adapter {
        match kind.strip_prefix("builtin:") {
            Some(name) => Adapter::Builtin { name: name.into() },
            None => Adapter::Http {
                url: url.unwrap_or_default(),
            },
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Operation {
    #[serde(skip)]
    pub id: String,
    pub code: String,
    pub version: String,
    pub name_bg: String,
    pub name_en: String,
    pub subject_kind: SubjectKind,
    #[schema(value_type = Object)]
    pub request_schema: Value,
    #[schema(value_type = Object)]
    pub response_schema: Value,
    /// The response fields that are personal data.
    pub personal_fields: Vec<String>,
    #[serde(skip)]
    pub adapter: Adapter,
    #[serde(skip)]
    pub timeout_ms: i64,
    /// Who may query it: the approved grants in force.
    pub grants: Vec<GrantView>,
}

impl Operation {
    /// Every field the response schema declares, in its order.
    pub fn response_fields(&self) -> Vec<String> {
        self.response_schema
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Register {
    #[serde(skip)]
    pub id: String,
    pub code: String,
    pub name_bg: String,
    pub name_en: String,
    pub owner_administration_id: String,
    pub owner_name_bg: String,
    pub owner_name_en: String,
    pub legal_basis: String,
    pub operations: Vec<Operation>,
}

/// An approved grant, as the register of registers shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GrantView {
    pub administration_id: String,
    pub administration_name_bg: String,
    pub administration_name_en: String,
    pub legal_basis: String,
    pub purpose: String,
    pub fields: Vec<String>,
    /// Epoch milliseconds.
    pub valid_until: i64,
}

/// A new register, as a platform admin defines it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewRegister {
    pub code: String,
    pub owner_administration_id: String,
    pub name_bg: String,
    pub name_en: String,
    pub legal_basis: String,
}

/// A new operation of a register.
#[derive(Debug, Clone)]
pub struct NewOperation {
    pub register_code: String,
    pub code: String,
    pub version: String,
    pub name_bg: String,
    pub name_en: String,
    pub subject_kind: SubjectKind,
    pub request_schema: Value,
    pub response_schema: Value,
    pub personal_fields: Vec<String>,
    pub adapter: Adapter,
    pub timeout_ms: i64,
}

/// An administration's request for access to an operation.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AccessRequest {
    pub register: String,
    pub operation: String,
    pub version: String,
    /// The administration that asks; an API client asks for its own.
    #[serde(default)]
    pub administration_id: Option<String>,
    pub legal_basis: String,
    pub purpose: String,
    pub fields: Vec<String>,
}

/// The owner's decision on an access request.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(tag = "decision", rename_all = "lowercase")]
pub enum AccessDecision {
    /// Approved for these fields (a subset of the operation's response) until `valid_until`
    /// (epoch milliseconds).
    Approve {
        fields: Vec<String>,
        valid_until: i64,
    },
    Refuse {
        reason: String,
    },
}

/// An access request and where it stands.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Access {
    pub id: String,
    pub operation_id: String,
    pub administration_id: String,
    pub legal_basis: String,
    pub purpose: String,
    pub requested_fields: Vec<String>,
    /// `pending`, `approved`, `refused`.
    pub status: String,
    pub granted_fields: Vec<String>,
    pub valid_from: Option<i64>,
    pub valid_until: Option<i64>,
    pub refusal_reason: Option<String>,
}

/// Why and for whom a query is made.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct QueryContext {
    /// The legal basis for this query (a law and article). Required.
    #[serde(default)]
    pub legal_basis: Option<String>,
    /// The service the query serves (its slug).
    #[serde(default)]
    pub service: Option<String>,
    /// The case (application) it serves.
    #[serde(default)]
    pub case: Option<String>,
    /// The employee who asks (their id in the administration's system).
    #[serde(default)]
    pub employee: Option<String>,
    /// The employee's role, shown to the person.
    #[serde(default)]
    pub employee_role: Option<String>,
    /// The subject's identifier: an EGN or LNCh for a person, an EIK for a company.
    #[serde(default)]
    pub subject: String,
    /// For a person acting for several administrations: which one this query is for.
    #[serde(default)]
    pub administration_id: Option<String>,
    /// The query stays hidden from the subject until this date (`YYYY-MM-DD`), for the
    /// stated reason (e.g. a police inquiry). Both or neither.
    #[serde(default)]
    pub defer_until: Option<String>,
    #[serde(default)]
    pub deferral_reason: Option<String>,
}

/// A query through the mediator.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct QueryRequest {
    pub register: String,
    pub operation: String,
    /// The operation's version; the newest when absent.
    #[serde(default)]
    pub version: Option<String>,
    pub context: QueryContext,
    /// The operation's parameters, checked against its request schema.
    #[serde(default = "empty_object")]
    #[schema(value_type = Object)]
    pub parameters: Value,
    /// Also return the answer as a JWS signed by the platform.
    #[serde(default)]
    pub signed: bool,
}

fn empty_object() -> Value {
    Value::Object(Default::default())
}

/// The mediator's answer: only the granted fields.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct QueryAnswer {
    pub query_id: String,
    pub register: String,
    pub operation: String,
    pub version: String,
    /// Epoch milliseconds.
    pub at: i64,
    #[schema(value_type = Object)]
    pub data: Value,
    pub fields: Vec<String>,
    /// The same answer as a compact JWS by the platform's key, when `signed` was asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jws: Option<String>,
}

/// One entry of the query log, as the subject sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LogView {
    pub id: String,
    pub at: i64,
    pub register_code: String,
    pub operation_code: String,
    pub administration_id: Option<String>,
    pub administration_name_bg: String,
    pub administration_name_en: String,
    pub employee_role: Option<String>,
    pub legal_basis: Option<String>,
    pub service: Option<String>,
    pub fields: Vec<String>,
    pub outcome: String,
    /// Set when the entry was deferred: the reason, shown once the date has come.
    pub deferral_reason: Option<String>,
}

/// A correction request the person made.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Correction {
    pub id: String,
    pub register_code: String,
    pub field: String,
    pub proposed_value: String,
    pub reason: String,
    pub created_at: i64,
    pub deadline_at: i64,
    /// When the owner decided (the case's decision), epoch milliseconds.
    pub answered_at: Option<i64>,
    /// The owner's words with the decision (a refusal's reasons), if any.
    pub answer: Option<String>,
    /// The case at the owner's administration, once opened (see `service::corrections`).
    pub application_id: Option<String>,
    pub tracking_number: Option<String>,
    /// The population register's own field the request names, when Portico can correct it
    /// itself (`given_name`, `middle_name`, `family_name`, `permanent_address`, `current_address`).
    pub field_key: Option<String>,
    /// How the case ended: `approved`, `refused` or `withdrawn`.
    pub outcome: Option<String>,
    /// For an approved request: `register` (the built-in register was changed with the
    /// decision) or `owner` (the owner corrects it in their own register).
    pub applied: Option<String>,
}

/// How a correction's case ended, as the cases block reports it to
/// [`crate::service::corrections::case_ended`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseEnd {
    Approved,
    Refused,
    Withdrawn,
}

impl CaseEnd {
    pub fn code(self) -> &'static str {
        match self {
            CaseEnd::Approved => "approved",
            CaseEnd::Refused => "refused",
            CaseEnd::Withdrawn => "withdrawn",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct NewCorrection {
    pub register: String,
    pub field: String,
    pub proposed_value: String,
    pub reason: String,
}

/// What each base register holds about the person, and every query about them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MyData {
    /// Per register code, what it holds (null when nothing).
    #[schema(value_type = Object)]
    pub records: Value,
    pub queries: Vec<LogView>,
    pub corrections: Vec<Correction>,
}
