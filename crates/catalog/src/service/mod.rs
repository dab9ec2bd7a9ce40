//! The rules of the catalog, as plain functions over a database transaction. Services themselves
//! are at this module's root (`service::get`, `service::adopt`, …); templates and nomenclatures
//! have their own modules, forms live in [`crate::forms`].

pub mod editing;
pub mod idempotency;
pub mod local;
pub mod nomenclatures;
mod services;
pub mod synonyms;
pub mod templates;

pub(crate) use services::is_valid_slug;
pub use services::{
    adopt, by_slug, create, get, list_for_administration, list_published, slug_for, version,
};

use portico_store::Tx;

/// Marks the catalog as changed, in the transaction of the change: every node's search index
/// notices the new version within a few seconds and rebuilds.
pub(crate) async fn bump_version(tx: &mut Tx) -> Result<(), crate::CatalogError> {
    sqlx::query("UPDATE catalog_version SET version = version + 1 WHERE id = 1")
        .execute(&mut **tx)
        .await?;
    Ok(())
}
