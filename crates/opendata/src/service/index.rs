//! The search index of published datasets, held in memory and rebuilt when a dataset or a
//! resource changes anywhere (a generation number in `opendata_search_generation`, bumped by
//! every write in its own transaction, tells each node that its copy is stale; nothing a node
//! keeps is needed by another).
//!
//! Words are the catalog's (`portico_catalog::search::text`): normalised, stop words dropped,
//! Bulgarian words by its light stemmer, English ones by Snowball. A query word matches a stem
//! exactly, as the beginning of a longer stem (a word being typed), or, when neither finds
//! anything, a stem one or two letters away (a typo) or the Cyrillic reading of Latin letters
//! (`rajoni` → райони). Every word of the query must match; a title match counts most.

use crate::error::OpenDataError;
use portico_catalog::search::{text, translit};
use portico_store::Db;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};

/// A published dataset as the index keeps it: enough to filter, sort and count facets.
#[derive(Debug, Clone, Default)]
pub struct Doc {
    pub id: String,
    pub name: String,
    pub administration_id: String,
    pub licence: String,
    pub created_at: i64,
    pub modified_at: i64,
    pub themes: Vec<String>,
    pub keywords: Vec<String>,
    pub formats: Vec<String>,
}

/// Weights of the fields a word is found in.
const TITLE: u8 = 3;
const KEYWORD: u8 = 2;
const TEXT: u8 = 1;

#[derive(Debug, Default)]
pub struct Index {
    pub docs: Vec<Doc>,
    /// stem → (doc, weight), by doc.
    terms: BTreeMap<String, Vec<(u32, u8)>>,
    /// The words as written (normalised) and their stems, by length in characters, for typo
    /// matches: a typo is looked for among whole words, whose stems then match.
    by_len: HashMap<usize, Vec<(String, String)>>,
}

/// The typo allowance for a word of `len` characters: none below 5, one up to 7, two from 8.
fn typo_allowance(len: usize) -> usize {
    match len {
        0..=4 => 0,
        5..=7 => 1,
        _ => 2,
    }
}

impl Index {
    /// Builds the index from the documents and their texts: (title, keywords, other text).
    pub fn build(entries: Vec<(Doc, String, String, String)>) -> Index {
        let mut index = Index::default();
        let mut terms: HashMap<String, Vec<(u32, u8)>> = HashMap::new();
        let mut seen: HashMap<String, String> = HashMap::new();
        for (n, (doc, titles, keywords, rest)) in entries.into_iter().enumerate() {
            let n = n as u32;
            let mut mine: HashMap<String, u8> = HashMap::new();
            for (text_of, weight) in [(&titles, TITLE), (&keywords, KEYWORD), (&rest, TEXT)] {
                for w in text::words(text_of) {
                    let s = text::stem(&w);
                    seen.entry(w).or_insert_with(|| s.clone());
                    let e = mine.entry(s).or_insert(0);
                    *e = (*e).max(weight);
                }
            }
            for (s, w) in mine {
                terms.entry(s).or_default().push((n, w));
            }
            index.docs.push(doc);
        }
        for (word, stem) in seen {
            index
                .by_len
                .entry(word.chars().count())
                .or_default()
                .push((word, stem));
        }
        index.terms = terms.into_iter().collect();
        index
    }

    /// The documents one query word matches, with their scores.
    fn word(&self, word: &str) -> HashMap<u32, f32> {
        let mut out: HashMap<u32, f32> = HashMap::new();
        let mut add = |postings: &[(u32, u8)], factor: f32| {
            for (d, w) in postings {
                let s = f32::from(*w) * factor;
                let e = out.entry(*d).or_insert(0.0);
                if s > *e {
                    *e = s;
                }
            }
        };
        let mut forms = vec![word.to_owned()];
        if !text::is_cyrillic(word) && translit::may_be_latin_bulgarian(word) {
            forms.extend(translit::to_cyrillic(word));
        }
        let mut found = false;
        for (i, form) in forms.iter().enumerate() {
            let factor = if i == 0 { 1.0 } else { 0.9 };
            let stem = text::stem(form);
            if let Some(p) = self.terms.get(&stem) {
                add(p, factor);
                found = true;
            }
            if stem.chars().count() >= 3 {
                for (term, p) in self.terms.range(stem.clone()..) {
                    if !term.starts_with(&stem) {
                        break;
                    }
                    if term != &stem {
                        add(p, 0.7 * factor);
                        found = true;
                    }
                }
            }
        }
        if found {
            return out;
        }
        for form in &forms {
            let len = form.chars().count();
            let allowance = typo_allowance(len);
            if allowance == 0 {
                continue;
            }
            for l in len.saturating_sub(allowance)..=len + allowance {
                for (word, stem) in self.by_len.get(&l).into_iter().flatten() {
                    if strsim::osa_distance(word, form) <= allowance {
                        if let Some(p) = self.terms.get(stem) {
                            add(p, 0.5);
                        }
                    }
                }
            }
        }
        out
    }

    /// The documents every word of `q` matches, with their scores; all of them for no words.
    pub fn matching(&self, q: &str) -> Vec<(u32, f32)> {
        let words: Vec<String> = text::words(q).into_iter().filter(|w| w != "*").collect();
        if words.is_empty() {
            return (0..self.docs.len() as u32).map(|d| (d, 0.0)).collect();
        }
        let mut acc: Option<HashMap<u32, f32>> = None;
        for w in &words {
            let m = self.word(w);
            acc = Some(match acc {
                None => m,
                Some(prev) => prev
                    .into_iter()
                    .filter_map(|(d, s)| m.get(&d).map(|t| (d, s + t)))
                    .collect(),
            });
        }
        acc.unwrap_or_default().into_iter().collect()
    }
}

/// The index of one node, rebuilt when the generation it was built at is no longer current.
#[derive(Default)]
pub struct SearchIndex {
    current: RwLock<Option<(i64, Arc<Index>)>>,
    rebuilding: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SearchIndex")
    }
}

/// Marks every node's index stale: call in the transaction of any write that changes what
/// search finds.
pub async fn touch(tx: &mut portico_store::Tx) -> Result<(), OpenDataError> {
    sqlx::query("UPDATE opendata_search_generation SET generation = generation + 1 WHERE id = 1")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn generation(db: &Db) -> Result<i64, OpenDataError> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT generation FROM opendata_search_generation WHERE id = 1")
            .fetch_optional(db.pool())
            .await?;
    Ok(row.map_or(0, |r| r.0))
}

impl SearchIndex {
    fn cached(&self, generation: i64) -> Option<Arc<Index>> {
        match self.current.read() {
            Ok(guard) => guard
                .as_ref()
                .filter(|(g, _)| *g == generation)
                .map(|(_, i)| i.clone()),
            Err(_) => None,
        }
    }

    /// The current index, rebuilt first if a write has happened since it was built.
    pub async fn get(&self, db: &Db) -> Result<Arc<Index>, OpenDataError> {
        let g = generation(db).await?;
        if let Some(i) = self.cached(g) {
            return Ok(i);
        }
        let _one = self.rebuilding.lock().await;
        let g = generation(db).await?;
        if let Some(i) = self.cached(g) {
            return Ok(i);
        }
        let index = Arc::new(load(db).await?);
        if let Ok(mut guard) = self.current.write() {
            *guard = Some((g, index.clone()));
        }
        Ok(index)
    }
}

/// Reads every published dataset with its keywords, themes and resources' formats.
async fn load(db: &Db) -> Result<Index, OpenDataError> {
    type Row = (
        String,
        String,
        String,
        String,
        i64,
        i64,
        String,
        String,
        String,
        String,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, name, administration_id, licence, created_at, modified_at, title_bg, \
         title_en, notes_bg, notes_en FROM opendata_datasets WHERE state = 'published' \
         ORDER BY id",
    )
    .fetch_all(db.pool())
    .await?;
    let mut by_id: HashMap<String, usize> = HashMap::with_capacity(rows.len());
    let mut entries: Vec<(Doc, String, String, String)> = Vec::with_capacity(rows.len());
    for (i, r) in rows.into_iter().enumerate() {
        by_id.insert(r.0.clone(), i);
        let titles = format!("{} {}", r.6, r.7);
        let rest = format!("{} {} {}", r.1.replace(['-', '_'], " "), r.8, r.9);
        entries.push((
            Doc {
                id: r.0,
                name: r.1,
                administration_id: r.2,
                licence: r.3,
                created_at: r.4,
                modified_at: r.5,
                ..Default::default()
            },
            titles,
            String::new(),
            rest,
        ));
    }
    let keywords: Vec<(String, String)> = sqlx::query_as(
        "SELECT k.dataset_id, k.keyword FROM opendata_keywords k JOIN opendata_datasets d \
         ON d.id = k.dataset_id WHERE d.state = 'published' ORDER BY k.dataset_id, k.keyword",
    )
    .fetch_all(db.pool())
    .await?;
    for (id, k) in keywords {
        if let Some(e) = by_id.get(&id).and_then(|i| entries.get_mut(*i)) {
            e.2.push(' ');
            e.2.push_str(&k);
            e.0.keywords.push(k);
        }
    }
    let themes: Vec<(String, String)> = sqlx::query_as(
        "SELECT t.dataset_id, t.theme FROM opendata_themes t JOIN opendata_datasets d \
         ON d.id = t.dataset_id WHERE d.state = 'published' ORDER BY t.dataset_id, t.theme",
    )
    .fetch_all(db.pool())
    .await?;
    for (id, t) in themes {
        if let Some(e) = by_id.get(&id).and_then(|i| entries.get_mut(*i)) {
            e.0.themes.push(t);
        }
    }
    let formats: Vec<(String, String)> = sqlx::query_as(
        "SELECT DISTINCT r.dataset_id, r.format FROM opendata_resources r JOIN opendata_datasets d \
         ON d.id = r.dataset_id WHERE d.state = 'published' ORDER BY r.dataset_id, r.format",
    )
    .fetch_all(db.pool())
    .await?;
    for (id, f) in formats {
        if let Some(e) = by_id.get(&id).and_then(|i| entries.get_mut(*i)) {
            e.0.formats.push(f);
        }
    }
    Ok(Index::build(entries))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn doc(name: &str) -> Doc {
        Doc {
            id: name.into(),
            name: name.into(),
            ..Default::default()
        }
    }

    #[test]
    fn endings_typos_and_latin_letters_are_forgiven() {
        let index = Index::build(vec![
            (
                doc("districts"),
                "Райони на София Districts of Sofia".into(),
                "граници".into(),
                "Границите на 24-те района".into(),
            ),
            (
                doc("budget"),
                "Бюджет на Бургас Budget of Burgas".into(),
                String::new(),
                "Приходи и разходи".into(),
            ),
        ]);
        let names = |q: &str| {
            let mut m = index.matching(q);
            m.sort_by(|a, b| b.1.total_cmp(&a.1));
            m.iter()
                .map(|(d, _)| index.docs[*d as usize].name.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(names("районите"), vec!["districts"]);
        assert_eq!(names("бюджета"), vec!["budget"]);
        assert_eq!(names("бюджетът на бургас"), vec!["budget"]);
        assert_eq!(names("district"), vec!["districts"]);
        assert_eq!(names("разходите"), vec!["budget"]);
        assert_eq!(names("границте"), vec!["districts"], "a typo");
        assert_eq!(names("rajoni"), vec!["districts"], "Latin letters");
        assert_eq!(names("budgets"), vec!["budget"]);
        assert!(names("бюджет районите").is_empty(), "every word must match");
        assert_eq!(names("").len(), 2);
    }
}
