//! ePayment: payment requests with a payment code a person can quote at a bank, their states
//! and only the allowed transitions between them (each audited and shown to the payer), asked
//! for by an administration's system over the API (with an `Idempotency-Key`) or by the
//! service layer for a case, and expired when not paid in time.

pub mod camt;
pub mod code;
pub mod error;
pub mod model;
pub mod provider;
pub mod routes;
pub mod sandbox;
pub mod service;
pub mod signing;
pub mod strings;
pub mod validate;

pub use error::PaymentError;

/// The payments block's words in Bulgarian and English (`i18n/bg.ftl`, `i18n/en.ftl`).
pub static TRANSLATIONS: portico_http::Translations = portico_http::translations!("payments");

pub const MIGRATIONS: &[portico_store::Migration] = &[
    portico_store::Migration {
        id: "payments/0001_payments",
        sql: include_str!("../migrations/0001_payments.sql"),
    },
    portico_store::Migration {
        id: "payments/0002_card_provider",
        sql: include_str!("../migrations/0002_card_provider.sql"),
    },
    portico_store::Migration {
        id: "payments/0003_statements",
        sql: include_str!("../migrations/0003_statements.sql"),
    },
    portico_store::Migration {
        id: "payments/0004_reconciliation",
        sql: include_str!("../migrations/0004_reconciliation.sql"),
    },
    portico_store::Migration {
        id: "payments/0005_notifications",
        sql: include_str!("../migrations/0005_notifications.sql"),
    },
    portico_store::Migration {
        id: "payments/0006_held_callbacks",
        sql: include_str!("../migrations/0006_held_callbacks.sql"),
    },
];

/// The card provider the platform was configured with (the binary puts it in the shared parts;
/// without it, paying by card is not offered).
#[derive(Clone)]
pub struct CardProviders(pub std::sync::Arc<dyn provider::CardProvider>);

/// The payments block: its tables, the payer's page, the API and the expiry job.
pub const BLOCK: portico_http::BlockDef = portico_http::BlockDef {
    name: "payments",
    migrations: MIGRATIONS,
    translations: &TRANSLATIONS,
    mount,
};

fn mount(m: &portico_http::Mount) -> Result<portico_http::Mounted, portico_http::MountError> {
    use std::sync::Arc;
    let payments = service::Payments::new(
        m.state.db.clone(),
        m.state.clock.clone(),
        m.state.jobs_waker.clone(),
    );
    // The secrets of administrations' callback endpoints come from a key of the platform's
    // secret (the shell's CSRF key, itself derived from it), through a derivation of their own.
    let notify_key = service::notify::SecretKey::derive(&m.state.config.csrf_key);
    let http = reqwest::Client::builder()
        .timeout(service::notify::TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|_| portico_http::MountError {
            block: "payments".into(),
            missing: "an HTTP client for callbacks",
        })?;
    let state = routes::PaymentsState {
        app: m.state.clone(),
        payments: payments.clone(),
        card: m.shared.get::<CardProviders>().map(|c| c.0.clone()),
        notify_key: notify_key.clone(),
    };
    Ok(portico_http::Mounted {
        pages: routes::router(state.clone()),
        api: routes::api_router(state),
        jobs: vec![
            (
                service::requests::EXPIRE_JOB,
                Arc::new(service::expiry::ExpireJob {
                    payments: payments.clone(),
                }),
            ),
            (
                service::notify::NOTIFY_JOB,
                Arc::new(service::notify::NotifyJob {
                    payments,
                    key: notify_key,
                    http,
                }),
            ),
        ],
    })
}
