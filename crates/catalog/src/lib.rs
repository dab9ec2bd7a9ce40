//! The Unified Model catalog and e-forms.
//!
//! Services carry the facts the Unified Model asks every provider to publish (legal basis,
//! deadline, fee, payment options, delivery channels, required documents, who may apply); shared
//! service templates are adopted by administrations in one screen; forms are JSON Schema plus a
//! layout in steps, drawn on the server; search finds services in Bulgarian and English, typos
//! and word endings forgiven.
//!
//! `service` holds the rules as plain functions over a database transaction, `forms` the form
//! engine, `search` the in-memory index, `routes` the pages and the JSON API, `demo` the demo data.

pub mod demo;
pub mod error;
pub mod forms;
pub mod model;
pub mod routes;
pub mod search;
pub mod service;
pub mod strings;
pub mod topics;

pub use error::CatalogError;
pub use forms::{FormVersion, StepView};
pub use model::*;
pub use routes::{api_router, router};
pub use search::SearchIndex;

/// The catalog block's words in Bulgarian and English (`i18n/bg.ftl`, `i18n/en.ftl`), including the
/// labels of the audit actions it writes; the binary registers it with the shell.
pub static TRANSLATIONS: portico_http::Translations = portico_http::translations!("catalog");

pub const MIGRATIONS: &[portico_store::Migration] = &[
    portico_store::Migration {
        id: "catalog/0001_catalog",
        sql: include_str!("../migrations/0001_catalog.sql"),
    },
    portico_store::Migration {
        id: "catalog/0002_service_nomenclatures",
        sql: include_str!("../migrations/0002_service_nomenclatures.sql"),
    },
    portico_store::Migration {
        id: "catalog/0003_search_synonyms",
        sql: include_str!("../migrations/0003_search_synonyms.sql"),
    },
    portico_store::Migration {
        id: "catalog/0004_service_state_deadlines",
        sql: include_str!("../migrations/0004_service_state_deadlines.sql"),
    },
    portico_store::Migration {
        id: "catalog/0005_console_idempotency",
        sql: include_str!("../migrations/0005_console_idempotency.sql"),
    },
];

/// The catalog block: its tables, pages and API, with this node's search index.
pub const BLOCK: portico_http::BlockDef = portico_http::BlockDef {
    name: "catalog",
    migrations: MIGRATIONS,
    translations: &TRANSLATIONS,
    mount,
};

fn mount(m: &portico_http::Mount) -> Result<portico_http::Mounted, portico_http::MountError> {
    let search = SearchIndex::new(m.state.db.clone());
    Ok(portico_http::Mounted {
        pages: router(search.clone()),
        api: api_router(search),
        jobs: Vec::new(),
    })
}
