//! The registry exchange (RegiX-like): base registers owned by administrations and their
//! operations (each with a version, request and response JSON Schemas and its personal fields),
//! served by a built-in adapter (the demo's base registers, in this block's tables) or the
//! owner's HTTP service; the access matrix the owners approve; the mediator that runs a query
//! with its context; the append-only query log; the person's view of their data and of who
//! looked at it; and the register of registers.

pub mod error;
pub mod model;
pub mod routes;
pub mod service;
pub mod strings;

pub use error::RegistryError;

/// The registries block's words in Bulgarian and English (`i18n/bg.ftl`, `i18n/en.ftl`).
pub static TRANSLATIONS: portico_http::Translations = portico_http::translations!("registries");

pub const MIGRATIONS: &[portico_store::Migration] = &[
    portico_store::Migration {
        id: "registries/0001_registries",
        sql: include_str!("../migrations/0001_registries.sql"),
    },
    portico_store::Migration {
        id: "registries/0002_correction_cases",
        sql: include_str!("../migrations/0002_correction_cases.sql"),
    },
    portico_store::Migration {
        id: "registries/0003_correction_answers",
        sql: include_str!("../migrations/0003_correction_answers.sql"),
    },
];

/// The registries block: its tables, pages and API. Needs its context
/// ([`service::Registries`]: the platform's signing key for signed requests to owners' services
/// and signed answers, and the node's query log writer) among the shared parts.
pub const BLOCK: portico_http::BlockDef = portico_http::BlockDef {
    name: "registries",
    migrations: MIGRATIONS,
    translations: &TRANSLATIONS,
    mount,
};

fn mount(m: &portico_http::Mount) -> Result<portico_http::Mounted, portico_http::MountError> {
    // Built by the platform (one query log writer per node), shared with the blocks that fill
    // forms from registers.
    let ctx: service::Registries = m.get("registries")?;
    let state = routes::RegistriesState {
        app: m.state.clone(),
        ctx,
    };
    Ok(portico_http::Mounted {
        pages: routes::router(state.clone()),
        api: routes::api_router(state),
        jobs: Vec::new(),
    })
}
