//! Insights: how well every service performs. Blocks emit events in their own transactions
//! through the outbox; insights counts them, once each, into daily and monthly counters per
//! service, administration and channel, and computes the KPIs (digital take-up, completion,
//! time to decision against the legal deadline, overdue share, cost per transaction,
//! satisfaction, no paper and no visit) for the public dashboard at `/performance`. It also keeps
//! anonymous feedback on services and inquiries to administrations with a deadline.

pub mod error;
pub mod model;
pub mod routes;
pub mod service;
pub mod strings;

pub use error::InsightsError;

/// The insights block's words in Bulgarian and English (`i18n/bg.ftl`, `i18n/en.ftl`).
pub static TRANSLATIONS: portico_http::Translations = portico_http::translations!("insights");

pub const MIGRATIONS: &[portico_store::Migration] = &[
    portico_store::Migration {
        id: "insights/0001_insights",
        sql: include_str!("../migrations/0001_insights.sql"),
    },
    portico_store::Migration {
        id: "insights/0002_stored_figures",
        sql: include_str!("../migrations/0002_stored_figures.sql"),
    },
];

/// The insights block: its tables, the dashboard and the back-office pages, and the jobs that
/// count events and abandoned drafts.
pub const BLOCK: portico_http::BlockDef = portico_http::BlockDef {
    name: "insights",
    migrations: MIGRATIONS,
    translations: &TRANSLATIONS,
    mount,
};

fn mount(m: &portico_http::Mount) -> Result<portico_http::Mounted, portico_http::MountError> {
    use std::sync::Arc;
    let insights = service::Insights::new(
        m.state.db.clone(),
        m.state.clock.clone(),
        m.state.jobs_waker.clone(),
    );
    let open = portico_opendata::service::OpenData {
        db: m.state.db.clone(),
        blobs: m.state.blobs.clone(),
        clock: m.state.clock.clone(),
        index: Default::default(),
    };
    let state = routes::InsightsState {
        app: m.state.clone(),
        insights: insights.clone(),
    };
    Ok(portico_http::Mounted {
        pages: routes::router(state.clone()),
        api: routes::api_router(state),
        jobs: vec![
            (
                service::events::EVENT_JOB,
                Arc::new(service::events::EventJob {
                    insights: insights.clone(),
                }),
            ),
            (
                service::events::ABANDON_JOB,
                Arc::new(service::events::AbandonJob {
                    insights: insights.clone(),
                }),
            ),
            (
                service::stored::REFRESH_JOB,
                Arc::new(service::stored::RefreshJob {
                    insights: insights.clone(),
                }),
            ),
            (
                service::open_data::PUBLISH_JOB,
                Arc::new(service::open_data::PublishJob { insights, open }),
            ),
        ],
    })
}
