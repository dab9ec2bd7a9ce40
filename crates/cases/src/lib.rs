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

pub const MIGRATIONS: &[portico_store::Migration] = &[
    portico_store::Migration {
        id: "cases/0001_cases",
        sql: include_str!("../migrations/0001_cases.sql"),
    },
    portico_store::Migration {
        id: "cases/0002_result_evidence",
        sql: include_str!("../migrations/0002_result_evidence.sql"),
    },
    portico_store::Migration {
        id: "cases/0003_result_pdf",
        sql: include_str!("../migrations/0003_result_pdf.sql"),
    },
    portico_store::Migration {
        id: "cases/0004_delivery",
        sql: include_str!("../migrations/0004_delivery.sql"),
    },
    portico_store::Migration {
        id: "cases/0005_consent_kind",
        sql: include_str!("../migrations/0005_consent_kind.sql"),
    },
    portico_store::Migration {
        id: "cases/0006_prefills",
        sql: include_str!("../migrations/0006_prefills.sql"),
    },
    portico_store::Migration {
        id: "cases/0007_checks",
        sql: include_str!("../migrations/0007_checks.sql"),
    },
    portico_store::Migration {
        id: "cases/0008_found_people",
        sql: include_str!("../migrations/0008_found_people.sql"),
    },
    portico_store::Migration {
        id: "cases/0009_payments",
        sql: include_str!("../migrations/0009_payments.sql"),
    },
    portico_store::Migration {
        id: "cases/0010_state_deadlines",
        sql: include_str!("../migrations/0010_state_deadlines.sql"),
    },
];

/// The cases block: its tables, pages, API and notification job. Needs the platform's signing
/// key and mailer.
pub const BLOCK: portico_http::BlockDef = portico_http::BlockDef {
    name: "cases",
    migrations: MIGRATIONS,
    translations: &TRANSLATIONS,
    mount,
};

fn mount(m: &portico_http::Mount) -> Result<portico_http::Mounted, portico_http::MountError> {
    use std::sync::Arc;
    let key: portico_audit::SigningKey = m.get("cases")?;
    let mailer: Arc<dyn portico_identity::transport::Mailer> = m.get("cases")?;
    // The registry exchange is optional: without it, register-bound fields are the person's.
    let registries = m
        .shared
        .get::<portico_registries::service::Registries>()
        .cloned();
    let state = routes::CasesState::new(m.state.clone(), key, registries);
    let paid = Arc::new(service::fees::PaidJob {
        cases: state.cases.clone(),
    });
    let correction = Arc::new(service::corrections::CorrectionJob {
        cases: state.cases.clone(),
    });
    Ok(portico_http::Mounted {
        pages: routes::router(state.clone()),
        api: routes::api_router(state),
        jobs: vec![
            (
                jobs::JOB_KIND,
                Arc::new(jobs::NotifyByEmail {
                    db: m.state.db.clone(),
                    mailer,
                    base_url: m.state.config.base_url.clone(),
                }),
            ),
            // The payments block's outbox: a fee paid moves its application on.
            (portico_payments::service::requests::PAID_JOB, paid),
            // The registries block's outbox: a correction request becomes a case at the owner.
            (
                portico_registries::service::corrections::CORRECTION_JOB,
                correction,
            ),
        ],
    })
}
