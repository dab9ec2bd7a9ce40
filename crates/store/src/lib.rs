//! Storage for every building block.
//!
//! One set of SQL serves SQLite (the embedded default) and PostgreSQL (at scale) through sqlx's
//! `Any` driver. The few places where the two differ are kept in [`db`] and [`migrate`]; everything
//! else writes portable SQL: `TEXT` and `BIGINT` columns, `$1` placeholders, instants as
//! milliseconds since the epoch, flags as nullable timestamps rather than booleans.

pub mod blobs;
pub mod db;
pub mod error;
pub mod jobs;
pub mod migrate;
pub mod testdb;
mod writer;

pub use blobs::BlobStore;
pub use db::{Backend, Db, PgTx, Tx};
pub use error::StoreError;
pub use migrate::Migration;

/// This crate's own tables: the job queue (which is also the transactional outbox).
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        id: "store/0001_jobs",
        sql: include_str!("../migrations/0001_jobs.sql"),
    },
    Migration {
        id: "store/0003_job_queues",
        sql: include_str!("../migrations/0003_job_queues.sql"),
    },
];
