//! Applications and their workflow: drafts, submission with a signed record and a tracking number,
//! declarative processes with deadlines in working days, operator queues, requests for more
//! information, co-applicant consents, decisions and result documents.

pub mod error;
pub mod jobs;
pub mod model;
pub mod process;
pub mod routes;
pub mod service;
pub mod strings;

pub use error::CasesError;

pub const MIGRATIONS: &[portico_store::Migration] = &[
    portico_store::Migration {
        id: "cases/0001_cases",
        sql: include_str!("../migrations/0001_cases.sql"),
    },
    portico_store::Migration {
        id: "cases/0002_result_evidence",
        sql: include_str!("../migrations/0002_result_evidence.sql"),
    },
];
