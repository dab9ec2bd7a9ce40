use chrono::{DateTime, Utc};
use serde::Serialize;

/// What a block records. `actor` and `subject` are account or system ids, never personal
/// identifiers in the clear; `details` must not hold secrets.
#[derive(Debug, Clone)]
pub struct Event {
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub administration_id: Option<String>,
    pub details: serde_json::Value,
}

impl Event {
    pub fn new(actor: &str, action: &str, subject: &str) -> Self {
        Self {
            actor: actor.to_owned(),
            action: action.to_owned(),
            subject: subject.to_owned(),
            administration_id: None,
            details: serde_json::Value::Object(Default::default()),
        }
    }

    pub fn in_administration(mut self, id: &str) -> Self {
        self.administration_id = Some(id.to_owned());
        self
    }

    pub fn with(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub administration_id: Option<String>,
    pub details: serde_json::Value,
    pub hash: String,
}

/// The first thing wrong with the chain, as `portico audit verify` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The row's content no longer matches its hash.
    Edited { seq: i64 },
    /// Rows are missing before this one.
    Missing { expected_seq: i64, found_seq: i64 },
    /// The row does not point at the row before it (moved, or its predecessor rewritten).
    BrokenLink { seq: i64 },
    /// The newest row was rewritten with its hash recomputed: the head holds another hash for it.
    HeadMismatch { seq: i64 },
    /// The newest rows were removed: the head says the chain is longer.
    Truncated { head_seq: i64, last_seq: i64 },
    /// A checkpoint's signature is not the platform's, or its hash is not the chain's.
    BadCheckpoint { seq: i64, reason: String },
    /// A checkpoint in the file outside the database is no longer in the database.
    AnchorRemoved { seq: i64 },
    /// A line of the checkpoint file is not signed by the platform or differs from the database.
    BadAnchor { seq: i64, reason: String },
    /// A checkpoint in the database is not in the file (the file was cut short, or replaced).
    Unanchored { seq: i64 },
    /// Rows at the head older than the allowed age are covered by no checkpoint in the file.
    HeadNotCovered {
        head_seq: i64,
        anchored_seq: i64,
        max_age_secs: i64,
    },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Edited { seq } => write!(
                f,
                "row {seq} was edited: its content does not match its hash"
            ),
            Problem::Missing {
                expected_seq,
                found_seq,
            } => write!(
                f,
                "row {expected_seq} is missing (deleted): the next row present is {found_seq}"
            ),
            Problem::BrokenLink { seq } => write!(
                f,
                "row {seq} does not follow the row before it: rows were reordered or replaced"
            ),
            Problem::HeadMismatch { seq } => write!(
                f,
                "row {seq} was rewritten: the chain's head holds another hash for it"
            ),
            Problem::Truncated { head_seq, last_seq } => write!(
                f,
                "rows after {last_seq} were deleted: the chain's head is at {head_seq}"
            ),
            Problem::BadCheckpoint { seq, reason } => {
                write!(f, "checkpoint at row {seq} is not valid: {reason}")
            }
            Problem::AnchorRemoved { seq } => write!(
                f,
                "the checkpoint at row {seq} is in the checkpoint file but was removed from the database"
            ),
            Problem::BadAnchor { seq, reason } => write!(
                f,
                "the checkpoint file's line for row {seq} is not valid: {reason}"
            ),
            Problem::Unanchored { seq } => write!(
                f,
                "the database's checkpoint at row {seq} is not in the checkpoint file (cut short or replaced)"
            ),
            Problem::HeadNotCovered {
                head_seq,
                anchored_seq,
                max_age_secs,
            } => write!(
                f,
                "rows {} to {head_seq} are covered by no checkpoint in the checkpoint file, and the first \
                 is older than {max_age_secs} s",
                anchored_seq + 1
            ),
        }
    }
}

#[derive(Debug, Clone)]
pub struct VerifyReport {
    pub rows: i64,
    pub checkpoints: i64,
    pub problem: Option<Problem>,
}
