//! Nomenclatures: the lists that form fields choose from, such as `sofia_addresses`.

use crate::model::{NomenclatureEntry, Text};
use crate::CatalogError;
use chrono::{DateTime, Utc};
use portico_audit::Event;
use portico_core::clock::to_millis;
use portico_store::{Db, Tx};
use std::collections::HashSet;

/// The nomenclature of Sofia's addresses; each entry's `district` attribute is the code of the
/// Sofia district (and of Sofia Municipality's unit) the address belongs to.
pub const SOFIA_ADDRESSES: &str = "sofia_addresses";

type EntryRow = (String, String, String, String);

fn entry_from(row: EntryRow) -> Result<NomenclatureEntry, CatalogError> {
    let (code, label_bg, label_en, attributes) = row;
    Ok(NomenclatureEntry {
        code,
        label: Text {
            bg: label_bg,
            en: label_en,
        },
        attributes: serde_json::from_str(&attributes)?,
    })
}

/// Whether the nomenclature has any entry (in the caller's transaction).
pub async fn exists_in(tx: &mut Tx, nomenclature: &str) -> Result<bool, CatalogError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT code FROM nomenclature_entries WHERE nomenclature = $1 LIMIT 1")
            .bind(nomenclature)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(row.is_some())
}

/// Adds the entries whose code the nomenclature does not have yet; existing entries are left as
/// they are (forms already filled in refer to them). Returns how many were added.
pub async fn add_missing(
    tx: &mut Tx,
    nomenclature: &str,
    entries: &[NomenclatureEntry],
    actor: &str,
    now: DateTime<Utc>,
) -> Result<usize, CatalogError> {
    let mut added = 0;
    for entry in entries {
        let existing: Option<(String,)> = sqlx::query_as(
            "SELECT code FROM nomenclature_entries WHERE nomenclature = $1 AND code = $2",
        )
        .bind(nomenclature)
        .bind(&entry.code)
        .fetch_optional(&mut **tx)
        .await?;
        if existing.is_some() {
            continue;
        }
        sqlx::query(
            "INSERT INTO nomenclature_entries (nomenclature, code, label_bg, label_en, attributes, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(nomenclature)
        .bind(&entry.code)
        .bind(&entry.label.bg)
        .bind(&entry.label.en)
        .bind(entry.attributes.to_string())
        .bind(to_millis(now))
        .execute(&mut **tx)
        .await?;
        added += 1;
    }
    if added > 0 {
        let event = Event::new(actor, "catalog.nomenclature_updated", nomenclature)
            .with(serde_json::json!({ "added": added }));
        portico_audit::append(tx, event, now).await?;
    }
    Ok(added)
}

/// Every entry, by code.
pub async fn list(db: &Db, nomenclature: &str) -> Result<Vec<NomenclatureEntry>, CatalogError> {
    let rows: Vec<EntryRow> = sqlx::query_as(
        "SELECT code, label_bg, label_en, attributes FROM nomenclature_entries
         WHERE nomenclature = $1 ORDER BY code",
    )
    .bind(nomenclature)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter().map(entry_from).collect()
}

pub async fn get(
    db: &Db,
    nomenclature: &str,
    code: &str,
) -> Result<Option<NomenclatureEntry>, CatalogError> {
    let row: Option<EntryRow> = sqlx::query_as(
        "SELECT code, label_bg, label_en, attributes FROM nomenclature_entries
         WHERE nomenclature = $1 AND code = $2",
    )
    .bind(nomenclature)
    .bind(code)
    .fetch_optional(db.pool())
    .await?;
    row.map(entry_from).transpose()
}

/// Which of `codes` the nomenclature has.
pub async fn known(
    db: &Db,
    nomenclature: &str,
    codes: &[&str],
) -> Result<HashSet<String>, CatalogError> {
    let mut found = HashSet::new();
    for code in codes {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT code FROM nomenclature_entries WHERE nomenclature = $1 AND code = $2",
        )
        .bind(nomenclature)
        .bind(*code)
        .fetch_optional(db.pool())
        .await?;
        if let Some((code,)) = row {
            found.insert(code);
        }
    }
    Ok(found)
}
