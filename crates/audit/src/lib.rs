//! Trust: the append-only, hash-chained audit log, the platform's signing key and certificates,
//! and signed evidence as JWS ([`SigningKey::sign_jws`], [`jws::verify`]).
//!
//! Every change that matters is written here *in the same transaction as the change*
//! ([`append`]), so the log cannot miss a committed change nor record one that rolled back.
//! [`verify`] walks the whole chain and names the first row that was edited, deleted or
//! reordered; signed [`checkpoint`]s stop someone with database access from rewriting history
//! and recomputing every hash.

pub mod anchor;
mod chain;
pub mod jws;
pub mod keys;
pub mod model;
pub mod pki;
pub mod service;

pub use anchor::Anchor;
pub use jws::Verified;
pub use keys::SigningKey;
pub use model::{AuditEntry, Event, Problem, VerifyReport};
pub use pki::{CertInfo, Certificate};
pub use service::{append, checkpoint, list_for_subject, verify};

pub const MIGRATIONS: &[portico_store::Migration] = &[portico_store::Migration {
    id: "audit/0001_audit",
    sql: include_str!("../migrations/0001_audit.sql"),
}];

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error(transparent)]
    Store(#[from] portico_store::StoreError),
    #[error("signing key: {0}")]
    Key(String),
    /// A stored entry that cannot be read back (its details are not JSON): shown as an error,
    /// never as an entry with its details blanked.
    #[error("audit entry {seq} cannot be read: {reason}")]
    Unreadable { seq: i64, reason: String },
    /// The checkpoint file outside the database cannot be read or written.
    #[error("checkpoint file: {0}")]
    Anchor(String),
    #[error("certificate: {0}")]
    Certificate(String),
    /// Evidence that does not verify, and why (for the person checking it).
    #[error("{0}")]
    InvalidEvidence(String),
}

impl From<sqlx::Error> for AuditError {
    fn from(e: sqlx::Error) -> Self {
        AuditError::Store(e.into())
    }
}
