//! eAuthentication: administrations and their units, accounts, passwords, second factors
//! (TOTP, a one-time link by e-mail, a code by SMS), sessions, and staff roles.
//!
//! `service` holds the rules as plain functions over a database transaction; `routes` holds the
//! pages and the JSON API; `transport` sends e-mail and SMS from the job queue.

pub mod error;
pub mod model;
pub mod routes;
pub mod service;
pub mod strings;
pub mod transport;

pub use error::IdentityError;
pub use model::*;
pub use routes::{router, IdentityState};

/// The identity block's words in Bulgarian and English (`i18n/bg.ftl`, `i18n/en.ftl`), including the
/// labels of the audit actions it writes; the binary registers it with the shell.
pub static TRANSLATIONS: portico_http::Translations = portico_http::translations!("identity");

pub const MIGRATIONS: &[portico_store::Migration] = &[
    portico_store::Migration {
        id: "identity/0001_identity",
        sql: include_str!("../migrations/0001_identity.sql"),
    },
    portico_store::Migration {
        id: "identity/0002_step_up",
        sql: include_str!("../migrations/0002_step_up.sql"),
    },
    portico_store::Migration {
        id: "identity/0003_recovery_salt",
        sql: include_str!("../migrations/0003_recovery_salt.sql"),
    },
    portico_store::Migration {
        id: "identity/0004_session_idle",
        sql: include_str!("../migrations/0004_session_idle.sql"),
    },
    portico_store::Migration {
        id: "identity/0005_assurance",
        sql: include_str!("../migrations/0005_assurance.sql"),
    },
    portico_store::Migration {
        id: "identity/0007_api_clients",
        sql: include_str!("../migrations/0007_api_clients.sql"),
    },
    portico_store::Migration {
        id: "identity/0008_oidc_provider",
        sql: include_str!("../migrations/0008_oidc_provider.sql"),
    },
    portico_store::Migration {
        id: "identity/0009_certificates",
        sql: include_str!("../migrations/0009_certificates.sql"),
    },
    portico_store::Migration {
        id: "identity/0010_mandates",
        sql: include_str!("../migrations/0010_mandates.sql"),
    },
    portico_store::Migration {
        id: "identity/0011_eid",
        sql: include_str!("../migrations/0011_eid.sql"),
    },
    portico_store::Migration {
        id: "identity/0012_contact",
        sql: include_str!("../migrations/0012_contact.sql"),
    },
    portico_store::Migration {
        id: "identity/0013_invitations",
        sql: include_str!("../migrations/0013_invitations.sql"),
    },
    portico_store::Migration {
        id: "identity/0014_eid_sealed",
        sql: include_str!("../migrations/0014_eid_sealed.sql"),
    },
];

/// The identity block: its tables, pages, API, and the jobs that send e-mail and SMS. Needs the
/// platform's mailer and SMS gateway.
pub const BLOCK: portico_http::BlockDef = portico_http::BlockDef {
    name: "identity",
    migrations: MIGRATIONS,
    translations: &TRANSLATIONS,
    mount,
};

fn mount(m: &portico_http::Mount) -> Result<portico_http::Mounted, portico_http::MountError> {
    use std::sync::Arc;
    use transport::{EmailJob, Mailer, SmsGateway, SmsJob, EMAIL_JOB, SMS_JOB};
    let mailer: Arc<dyn Mailer> = m.get("identity")?;
    let sms: Arc<dyn SmsGateway> = m.get("identity")?;
    let issuer = service::api_clients::TokenIssuer {
        key: m.get::<portico_audit::SigningKey>("identity")?,
        issuer: m.state.config.base_url.clone(),
    };
    let oidc = routes::oidc::OidcState {
        app: m.state.clone(),
        key: issuer.key.clone(),
        issuer: issuer.issuer.clone(),
    };
    let oauth = routes::oauth::OauthState {
        app: m.state.clone(),
        issuer,
    };
    // Sign-in with a qualified certificate, when the binary configured trusted CAs.
    let certificates = m
        .shared
        .get::<routes::certificates::CertificateLogin>()
        .cloned();
    let mut pages = router()
        .merge(routes::oauth::router(oauth))
        .merge(routes::oidc::router(oidc));
    // Sign-in through external eID providers, when the binary configured any.
    if let Some(login) = m.shared.get::<routes::eid::EidLogin>().cloned() {
        pages = pages
            .layer(axum::Extension(login.buttons()))
            .merge(routes::eid::router(m.state.clone(), login));
    }
    if let Some(login) = certificates {
        pages = pages
            .layer(axum::Extension(routes::certificates::CertificateLink(
                login.url.clone(),
            )))
            .merge(routes::certificates::router(m.state.clone(), login));
    }
    Ok(portico_http::Mounted {
        pages,
        api: routes::api_router(),
        jobs: vec![
            (EMAIL_JOB, Arc::new(EmailJob(mailer))),
            (SMS_JOB, Arc::new(SmsJob(sms))),
        ],
    })
}
