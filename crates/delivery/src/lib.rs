//! eDelivery: official mailboxes for people (by personal identifier), companies (by EIK),
//! administrations and units; messages with attachments checked on their content and kept
//! sealed in the blob store (AES-256-GCM, `service::keys`); each recipient's state (delivered,
//! opened, not opened in time); signed evidence of every event in the vocabulary of ETSI EN
//! 319 522, chained per message; notifications of new messages by e-mail and SMS through the
//! job queue; grants to third parties; ZIP exports; webhooks for institutions.

pub mod error;
pub mod jobs;
pub mod model;
pub mod routes;
pub mod service;

pub use error::DeliveryError;

/// The delivery block's words in Bulgarian and English (`i18n/bg.ftl`, `i18n/en.ftl`).
pub static TRANSLATIONS: portico_http::Translations = portico_http::translations!("delivery");

pub const MIGRATIONS: &[portico_store::Migration] = &[
    portico_store::Migration {
        id: "delivery/0001_delivery",
        sql: include_str!("../migrations/0001_delivery.sql"),
    },
    portico_store::Migration {
        id: "delivery/0002_idempotency",
        sql: include_str!("../migrations/0002_idempotency.sql"),
    },
    portico_store::Migration {
        id: "delivery/0003_grants",
        sql: include_str!("../migrations/0003_grants.sql"),
    },
    portico_store::Migration {
        id: "delivery/0004_encryption",
        sql: include_str!("../migrations/0004_encryption.sql"),
    },
    portico_store::Migration {
        id: "delivery/0005_webhooks",
        sql: include_str!("../migrations/0005_webhooks.sql"),
    },
    portico_store::Migration {
        id: "delivery/0006_segments",
        sql: include_str!("../migrations/0006_segments.sql"),
    },
    portico_store::Migration {
        id: "delivery/0007_rejections",
        sql: include_str!("../migrations/0007_rejections.sql"),
    },
    portico_store::Migration {
        id: "delivery/0008_on_behalf",
        sql: include_str!("../migrations/0008_on_behalf.sql"),
    },
];

/// The delivery block: its tables, pages, API and jobs. Needs the platform's signing key and
/// mailer.
pub const BLOCK: portico_http::BlockDef = portico_http::BlockDef {
    name: "delivery",
    migrations: MIGRATIONS,
    translations: &TRANSLATIONS,
    mount,
};

fn mount(m: &portico_http::Mount) -> Result<portico_http::Mounted, portico_http::MountError> {
    use std::sync::Arc;
    let key: portico_audit::SigningKey = m.get("delivery")?;
    let mailer: Arc<dyn portico_identity::transport::Mailer> = m.get("delivery")?;
    let sms: Arc<dyn portico_identity::transport::SmsGateway> = m.get("delivery")?;
    let mut state = routes::DeliveryState::new(m.state.clone(), key);
    state.delivery.policy.webhooks_allow_private = m
        .shared
        .get::<service::webhooks::AllowPrivateEndpoints>()
        .is_some();
    if let Some(limit) = m.shared.get::<service::MaxExportBytes>() {
        state.delivery.policy.max_export_bytes = limit.0;
    }
    let delivery = state.delivery.clone();
    Ok(portico_http::Mounted {
        pages: routes::router(state.clone()),
        api: routes::api_router(state),
        jobs: vec![
            (
                service::notifications::EMAIL_JOB,
                Arc::new(jobs::NotifyByEmail {
                    delivery: delivery.clone(),
                    mailer: mailer.clone(),
                }),
            ),
            (
                service::notifications::SMS_JOB,
                Arc::new(jobs::NotifyBySms {
                    delivery: delivery.clone(),
                    sms,
                }),
            ),
            (
                service::grants::GRANT_EMAIL_JOB,
                Arc::new(jobs::NotifyGrantee {
                    delivery: delivery.clone(),
                    mailer,
                }),
            ),
            (
                service::webhooks::WEBHOOK_JOB,
                Arc::new(jobs::DeliverWebhook::new(delivery.clone())),
            ),
            (
                service::messages::NON_HANDOVER_JOB,
                Arc::new(jobs::NonHandover { delivery }),
            ),
        ],
    })
}
