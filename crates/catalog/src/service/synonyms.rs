//! Search synonyms: the list that ships with the platform (`crates/catalog/search/synonyms.json`)
//! and those a platform admin adds (`search_synonyms`). Search uses both; a change bumps the
//! catalog version, so every node's index picks it up within seconds.

use super::bump_version;
use crate::search::text::words;
use crate::search::Synonym;
use crate::CatalogError;
use chrono::{DateTime, Utc};
use portico_audit::Event;
use portico_core::clock::{from_millis, to_millis};
use portico_core::{new_id, Actor, Assurance};
use portico_store::{Db, Tx};
use serde::Serialize;
use sqlx::Row;

/// The shipped list, compiled into the binary.
pub const SHIPPED: &str = include_str!("../../search/synonyms.json");

/// The shipped synonyms. The file is checked by a unit test, so this never fails in a build.
pub fn shipped() -> Vec<Synonym> {
    serde_json::from_str(SHIPPED).unwrap_or_default()
}

/// A synonym an administrator added.
#[derive(Debug, Clone, Serialize)]
pub struct AddedSynonym {
    pub id: String,
    pub synonym: Synonym,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// Who may change the synonyms: a platform admin, signed in with two factors.
fn authorize(actor: &Actor) -> Result<(), CatalogError> {
    if !actor.is_platform_admin() {
        return Err(CatalogError::Forbidden);
    }
    Ok(actor.require(Assurance::Substantial)?)
}

/// The synonyms administrators added, oldest first.
pub async fn list(db: &Db) -> Result<Vec<AddedSynonym>, CatalogError> {
    let rows = sqlx::query(
        "SELECT id, term, means, both_ways, created_by, created_at FROM search_synonyms \
         ORDER BY created_at, id",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AddedSynonym {
                id: r.try_get("id")?,
                synonym: Synonym {
                    term: r.try_get("term")?,
                    means: r
                        .try_get::<String, _>("means")?
                        .split(' ')
                        .filter(|w| !w.is_empty())
                        .map(str::to_owned)
                        .collect(),
                    both_ways: r.try_get::<i64, _>("both_ways")? != 0,
                },
                created_by: r.try_get("created_by")?,
                created_at: from_millis(r.try_get("created_at")?),
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(|e| CatalogError::Store(e.into()))
}

/// Every synonym search uses: the shipped ones, then those added.
pub async fn all(db: &Db) -> Result<Vec<Synonym>, CatalogError> {
    let mut out = shipped();
    out.extend(list(db).await?.into_iter().map(|a| a.synonym));
    Ok(out)
}

/// Adds a synonym: `term` one word, `means` one or more words. Audited.
pub async fn add(
    tx: &mut Tx,
    actor: &Actor,
    term: &str,
    means: &str,
    both_ways: bool,
    now: DateTime<Utc>,
) -> Result<AddedSynonym, CatalogError> {
    authorize(actor)?;
    let term_words = words(term);
    let mut errors = Vec::new();
    if term_words.len() != 1 || term.chars().count() > 60 {
        errors.push(portico_core::FieldError::new(
            "term",
            "catalog.synonym.term-one-word",
        ));
    }
    let means_words = words(means);
    if means_words.is_empty() || means_words.len() > 10 || means.chars().count() > 200 {
        errors.push(portico_core::FieldError::new(
            "means",
            "catalog.synonym.means-words",
        ));
    }
    if !errors.is_empty() {
        return Err(CatalogError::Invalid(errors));
    }
    let synonym = Synonym {
        term: term_words[0].clone(),
        means: means_words,
        both_ways,
    };
    let id = new_id();
    let by = actor.audit_id();
    sqlx::query(
        "INSERT INTO search_synonyms (id, term, means, both_ways, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(&synonym.term)
    .bind(synonym.means.join(" "))
    .bind(i64::from(both_ways))
    .bind(&by)
    .bind(to_millis(now))
    .execute(&mut **tx)
    .await?;
    bump_version(tx).await?;
    let event = Event::new(&by, "catalog.synonym_added", &id).with(serde_json::json!({
        "term": synonym.term, "means": synonym.means, "both_ways": both_ways
    }));
    portico_audit::append(tx, event, now).await?;
    Ok(AddedSynonym {
        id,
        synonym,
        created_by: by,
        created_at: now,
    })
}

/// Removes a synonym an administrator added. Audited.
pub async fn remove(
    tx: &mut Tx,
    actor: &Actor,
    id: &str,
    now: DateTime<Utc>,
) -> Result<(), CatalogError> {
    authorize(actor)?;
    let done = sqlx::query("DELETE FROM search_synonyms WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(CatalogError::NotFound);
    }
    bump_version(tx).await?;
    let by = actor.audit_id();
    portico_audit::append(tx, Event::new(&by, "catalog.synonym_removed", id), now).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_list_parses_and_each_term_is_one_word() {
        let list: Vec<Synonym> = serde_json::from_str(SHIPPED).expect("synonyms.json");
        assert!(list.len() >= 20);
        for s in &list {
            assert_eq!(words(&s.term).len(), 1, "{s:?}: a term is one word");
            assert!(!s.means.is_empty(), "{s:?}");
        }
    }
}
