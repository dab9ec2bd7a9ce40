//! Citizen participation: an administration's participatory processes (phases with dates, a
//! theme and topics, rules locked once the first ballot is cast), proposals with their supports,
//! comments, reviews and history, verified voters and their ballots kept apart, and the tally.

pub mod error;
pub mod model;
pub mod routes;
pub mod service;
pub mod strings;

pub use error::ParticipationError;

/// The participation block's words in Bulgarian and English (`i18n/bg.ftl`, `i18n/en.ftl`).
pub static TRANSLATIONS: portico_http::Translations = portico_http::translations!("participation");

pub const MIGRATIONS: &[portico_store::Migration] = &[
    portico_store::Migration {
        id: "participation/0001_participation",
        sql: include_str!("../migrations/0001_participation.sql"),
    },
    portico_store::Migration {
        id: "participation/0002_tally",
        sql: include_str!("../migrations/0002_tally.sql"),
    },
    portico_store::Migration {
        id: "participation/0003_consultations",
        sql: include_str!("../migrations/0003_consultations.sql"),
    },
    portico_store::Migration {
        id: "participation/0004_follow_up",
        sql: include_str!("../migrations/0004_follow_up.sql"),
    },
    portico_store::Migration {
        id: "participation/0005_attachments_counts",
        sql: include_str!("../migrations/0005_attachments_counts.sql"),
    },
];

/// The participation block: its tables and API.
pub const BLOCK: portico_http::BlockDef = portico_http::BlockDef {
    name: "participation",
    migrations: MIGRATIONS,
    translations: &TRANSLATIONS,
    mount,
};

fn mount(m: &portico_http::Mount) -> Result<portico_http::Mounted, portico_http::MountError> {
    let ctx = service::Participation::new(
        m.state.db.clone(),
        m.state.clock.clone(),
        m.state.pseudonymiser.clone(),
    );
    let mut ctx = ctx.with_blobs(m.state.blobs.clone());
    // Without the registry exchange nobody can be verified to vote (`register_unavailable`).
    if let Some(registries) = m
        .shared
        .get::<portico_registries::service::Registries>()
        .cloned()
    {
        ctx = ctx.with_registries(registries);
    }
    let state = routes::ParticipationState {
        app: m.state.clone(),
        ctx,
    };
    Ok(portico_http::Mounted {
        pages: routes::router(state.clone()),
        api: routes::api_router(state),
        jobs: Vec::new(),
    })
}
