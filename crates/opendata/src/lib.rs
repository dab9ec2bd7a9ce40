//! The open data portal: administrations (the platform's organisations) and the platform itself
//! publish datasets with bilingual metadata and resources (uploaded CSV, JSON and GeoJSON files,
//! or links), in draft, published and withdrawn states with a history of versions; CSV resources
//! are loaded into the datastore; everything is served through the CKAN-compatible Action API
//! under `/api/3/action/`.

pub mod demo;
pub mod error;
pub mod model;
pub mod routes;
pub mod service;
pub mod strings;
pub mod view;

pub use error::OpenDataError;

/// The open data block's words in Bulgarian and English (`i18n/bg.ftl`, `i18n/en.ftl`).
pub static TRANSLATIONS: portico_http::Translations = portico_http::translations!("opendata");

pub const MIGRATIONS: &[portico_store::Migration] = &[
    portico_store::Migration {
        id: "opendata/0001_opendata",
        sql: include_str!("../migrations/0001_opendata.sql"),
    },
    portico_store::Migration {
        id: "opendata/0002_search_generation",
        sql: include_str!("../migrations/0002_search_generation.sql"),
    },
    portico_store::Migration {
        id: "opendata/0003_own_data",
        sql: include_str!("../migrations/0003_own_data.sql"),
    },
    portico_store::Migration {
        id: "opendata/0004_features",
        sql: include_str!("../migrations/0004_features.sql"),
    },
    portico_store::Migration {
        id: "opendata/0005_datastore_words",
        sql: include_str!("../migrations/0005_datastore_words.sql"),
    },
    portico_store::Migration {
        id: "opendata/0006_platform_organisation",
        sql: include_str!("../migrations/0006_platform_organisation.sql"),
    },
    portico_store::Migration {
        id: "opendata/0007_loads",
        sql: include_str!("../migrations/0007_loads.sql"),
    },
    portico_store::Migration {
        id: "opendata/0008_load_jobs",
        sql: include_str!("../migrations/0008_load_jobs.sql"),
    },
    portico_store::Migration {
        id: "opendata/0009_load_indexes",
        sql: include_str!("../migrations/0009_load_indexes.sql"),
    },
];

/// The open data block: its tables, the CKAN Action API and its pages.
pub const BLOCK: portico_http::BlockDef = portico_http::BlockDef {
    name: "opendata",
    migrations: MIGRATIONS,
    translations: &TRANSLATIONS,
    mount,
};

fn mount(m: &portico_http::Mount) -> Result<portico_http::Mounted, portico_http::MountError> {
    let ctx = service::OpenData {
        db: m.state.db.clone(),
        blobs: m.state.blobs.clone(),
        clock: m.state.clock.clone(),
        index: Default::default(),
    };
    let refresh: std::sync::Arc<dyn portico_store::jobs::JobHandler> =
        std::sync::Arc::new(service::own_data::RefreshJob { ctx: ctx.clone() });
    let load: std::sync::Arc<dyn portico_store::jobs::JobHandler> =
        std::sync::Arc::new(service::loads::LoadJob { ctx: ctx.clone() });
    let features: std::sync::Arc<dyn portico_store::jobs::JobHandler> =
        std::sync::Arc::new(service::features_load::IndexJob { ctx: ctx.clone() });
    let state = routes::OpenDataState {
        app: m.state.clone(),
        ctx,
    };
    Ok(portico_http::Mounted {
        pages: routes::router(state.clone()),
        api: routes::api_router(state),
        jobs: vec![
            (service::own_data::REFRESH_JOB, refresh),
            (service::loads::LOAD_JOB, load),
            (service::features_load::INDEX_JOB, features),
        ],
    })
}
