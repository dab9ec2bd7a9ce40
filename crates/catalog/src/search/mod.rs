//! Search over the catalog: an index in each node's memory, rebuilt when the catalog changes.
//!
//! The catalog is read-mostly and small (10,000 services fit in a few megabytes), so each node
//! keeps the whole index and answers from memory. Every change to services bumps the
//! `catalog_version` row in its own transaction; a node asks for that number at most every few
//! seconds and rebuilds when it moved, so many nodes stay in step without talking to each other.

pub mod index;
pub mod text;
pub mod translit;

use crate::model::Text;
use crate::service;
use crate::topics::{self, LIFE_EVENTS, TOPICS};
use crate::CatalogError;
use index::{Doc, DocText, IndexData, ADMINISTRATION, DESCRIPTION, TITLE, TOPIC};
use portico_store::Db;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use utoipa::ToSchema;

/// What to look for.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub text: String,
    /// Only services of these administrations (none: all). The caller includes an
    /// administration's districts (see [`administration_scope`]).
    pub administration_ids: Vec<String>,
    pub topic: Option<String>,
    pub life_event: Option<String>,
    /// The person's own administrations (their municipality and its districts): among equally
    /// good matches, their services come first, then those of larger administrations.
    pub prefer_administration_ids: Vec<String>,
    pub offset: usize,
    pub limit: usize,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchHit {
    pub service_id: String,
    pub slug: String,
    pub administration_id: String,
    pub administration_name: Text,
    pub title: Text,
    pub description: Text,
    pub topic: String,
    pub life_event: Option<String>,
    pub score: f32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchResults {
    pub total: usize,
    pub items: Vec<SearchHit>,
    /// The query with its typos corrected and its Latin letters read as Cyrillic, when it had
    /// any: "did you mean".
    pub did_you_mean: Option<String>,
}

/// A word that also means other words in search: "паркинг" also means "паркиране".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Synonym {
    /// One word.
    pub term: String,
    /// The words it also means; any of them may match.
    pub means: Vec<String>,
    /// Each of those words also means `term`.
    #[serde(default)]
    pub both_ways: bool,
}

struct Cached {
    data: Arc<IndexData>,
    version: i64,
    /// When this node last compared its version with the database's. A monotonic clock is
    /// right here: this is a cache's freshness, not a time that means anything to anyone.
    checked: Option<Instant>,
}

/// Topic and life-event codes with at least one published service.
#[derive(Debug, Default)]
pub struct InUse {
    pub topics: HashSet<String>,
    pub life_events: HashSet<String>,
    /// Administrations that offer at least one published service.
    pub administrations: HashSet<String>,
}

impl InUse {
    /// The entries of a vocabulary that are in use, in the vocabulary's order.
    pub fn only(
        codes: &HashSet<String>,
        entries: Vec<(&'static str, &'static str)>,
    ) -> Vec<(&'static str, &'static str)> {
        entries
            .into_iter()
            .filter(|(code, _)| codes.contains(*code))
            .collect()
    }
}

/// One node's search index. Cheap to clone.
#[derive(Clone)]
pub struct SearchIndex {
    db: Db,
    check_every: Duration,
    cached: Arc<Mutex<Cached>>,
    rebuilding: Arc<tokio::sync::Mutex<()>>,
}

impl SearchIndex {
    pub fn new(db: Db) -> Self {
        Self::with_check_interval(db, Duration::from_secs(3))
    }

    pub fn with_check_interval(db: Db, check_every: Duration) -> Self {
        SearchIndex {
            db,
            check_every,
            cached: Arc::new(Mutex::new(Cached {
                data: Arc::new(IndexData::default()),
                version: -1,
                checked: None,
            })),
            rebuilding: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cached> {
        self.cached
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// This node changed the catalog: compare versions at the next search.
    pub fn invalidate(&self) {
        self.lock().checked = None;
    }

    /// The index, fresh to within the check interval.
    pub async fn data(&self) -> Result<Arc<IndexData>, CatalogError> {
        {
            let cached = self.lock();
            if cached
                .checked
                .is_some_and(|t| t.elapsed() < self.check_every)
            {
                return Ok(cached.data.clone());
            }
        }
        let version = service::version(&self.db).await?;
        {
            let mut cached = self.lock();
            if cached.version == version {
                cached.checked = Some(Instant::now());
                return Ok(cached.data.clone());
            }
        }
        // One rebuild at a time; those who waited use its result.
        let _rebuilding = self.rebuilding.lock().await;
        {
            let cached = self.lock();
            if cached.version >= version {
                return Ok(cached.data.clone());
            }
        }
        let started = Instant::now();
        let data = Arc::new(build(&self.db).await?);
        tracing::info!(
            version,
            services = data.docs.len(),
            ms = started.elapsed().as_millis() as u64,
            "search index built"
        );
        let mut cached = self.lock();
        cached.data = data.clone();
        cached.version = version;
        cached.checked = Some(Instant::now());
        Ok(data)
    }

    /// The topics and life events that at least one published service is filed under: only
    /// these are offered, so no link leads to an empty list.
    pub async fn in_use(&self) -> Result<InUse, CatalogError> {
        let data = self.data().await?;
        Ok(InUse {
            topics: data.docs.iter().map(|d| d.topic.clone()).collect(),
            life_events: data
                .docs
                .iter()
                .filter_map(|d| d.life_event.clone())
                .collect(),
            administrations: data
                .docs
                .iter()
                .map(|d| d.administration_id.clone())
                .collect(),
        })
    }

    pub async fn search(&self, query: &SearchQuery) -> Result<SearchResults, CatalogError> {
        let data = self.data().await?;
        let administrations: HashSet<&str> = query
            .administration_ids
            .iter()
            .map(String::as_str)
            .collect();
        let allow = |d: &Doc| {
            (administrations.is_empty() || administrations.contains(d.administration_id.as_str()))
                && query.topic.as_ref().is_none_or(|t| &d.topic == t)
                && query
                    .life_event
                    .as_ref()
                    .is_none_or(|e| d.life_event.as_ref() == Some(e))
        };
        let preferred: HashSet<&str> = query
            .prefer_administration_ids
            .iter()
            .map(String::as_str)
            .collect();
        let prefer = |d: &Doc| preferred.contains(d.administration_id.as_str());
        let hits = data.search_preferring(&query.text, &allow, &prefer);
        let did_you_mean = data.did_you_mean(&query.text);
        let limit = if query.limit == 0 { 20 } else { query.limit };
        Ok(SearchResults {
            total: hits.len(),
            items: hits
                .into_iter()
                .skip(query.offset)
                .take(limit)
                .map(|s| {
                    let d = &data.docs[s.doc];
                    SearchHit {
                        service_id: d.service_id.clone(),
                        slug: d.slug.clone(),
                        administration_id: d.administration_id.clone(),
                        administration_name: d.administration_name.clone(),
                        title: d.title.clone(),
                        description: d.description.clone(),
                        topic: d.topic.clone(),
                        life_event: d.life_event.clone(),
                        score: s.score,
                    }
                })
                .collect(),
            did_you_mean,
        })
    }
}

/// Reads every published service and builds a new index.
async fn build(db: &Db) -> Result<IndexData, CatalogError> {
    let services = service::list_published(db).await?;
    let administrations = portico_identity::service::administrations::list(db).await?;
    let docs = services
        .into_iter()
        .map(|s| {
            let administration_name = administrations
                .iter()
                .find(|a| a.id == s.administration_id)
                .map(|a| Text::new(&a.name_bg, &a.name_en))
                .unwrap_or_default();
            doc_text(
                s.id,
                s.slug,
                s.administration_id,
                administration_name,
                &s.facts,
                s.population.unwrap_or(0),
            )
        })
        .collect();
    let synonyms = service::synonyms::all(db).await?;
    Ok(IndexData::build_with_synonyms(docs, &synonyms))
}

/// What the index reads of a service: its texts by field, and what it keeps to show a result.
pub(crate) fn doc_text(
    service_id: String,
    slug: String,
    administration_id: String,
    administration_name: Text,
    f: &crate::model::ServiceFacts,
    population: u64,
) -> DocText {
    let mut fields = vec![
        (f.title.bg.clone(), TITLE),
        (f.title.en.clone(), TITLE),
        (f.description.bg.clone(), DESCRIPTION),
        (f.description.en.clone(), DESCRIPTION),
        (administration_name.bg.clone(), ADMINISTRATION),
        (administration_name.en.clone(), ADMINISTRATION),
    ];
    for (list, code) in [
        (TOPICS, Some(&f.topic)),
        (LIFE_EVENTS, f.life_event.as_ref()),
    ] {
        if let Some(code) = code {
            for lang in [portico_http::Lang::Bg, portico_http::Lang::En] {
                fields.push((topics::name(list, code, lang), TOPIC));
            }
        }
    }
    DocText {
        doc: Doc {
            service_id,
            slug,
            administration_id,
            administration_name,
            title: f.title.clone(),
            description: f.description.clone(),
            topic: f.topic.clone(),
            life_event: f.life_event.clone(),
            population,
        },
        fields,
    }
}

/// An administration and the administrations under it (Sofia and its districts): what a filter
/// by administration means.
pub async fn administration_scope(
    db: &Db,
    administration_id: &str,
) -> Result<Vec<String>, CatalogError> {
    let mut ids = vec![administration_id.to_owned()];
    for child in
        portico_identity::service::administrations::list_children(db, administration_id).await?
    {
        ids.push(child.id);
    }
    Ok(ids)
}

#[cfg(test)]
mod relevance;
