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

/// The cases block's words in Bulgarian and English (`i18n/bg.ftl`, `i18n/en.ftl`), including the
/// labels of the audit actions it writes; the binary registers it with the shell.
pub static TRANSLATIONS: portico_http::Translations = portico_http::translations!("cases");

pub const MIGRATIONS: &[portico_store::Migration] = &[portico_store::Migration {
    id: "cases/0001_cases",
    sql: include_str!("../migrations/0001_cases.sql"),
}];
