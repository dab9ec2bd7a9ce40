//! The in-memory search index: stems of every published service's words, by field, with typo
//! tolerance and ranking. Built whole from the catalog (10,000 services take milliseconds) and
//! replaced whole when the catalog changes; never updated in place.

use super::text::{is_cyrillic, normalise, root_bg, stem, stem_english, words};
use super::translit::{to_cyrillic, to_latin};
use super::Synonym;
use crate::model::Text;
use std::collections::HashMap;

/// How much a match in each field counts.
pub const TITLE: f32 = 10.0;
pub const TOPIC: f32 = 4.0;
pub const ADMINISTRATION: f32 = 2.0;
pub const DESCRIPTION: f32 = 1.0;

/// How much each kind of match counts against an exact one.
const EXACT: f32 = 1.0;
const ONE_TYPO: f32 = 0.75;
const TWO_TYPOS: f32 = 0.5;
const PREFIX: f32 = 0.6;
/// A word of the same family (same root, another stem): наследство for наследници.
const ROOT: f32 = 0.7;
/// A synonym of the word, from the synonyms list.
const SYNONYM: f32 = 0.9;
/// A reading of a word typed in Latin letters, against the same match typed in Cyrillic.
const TRANSLITERATED: f32 = 0.95;
/// A Cyrillic word read in Latin letters, as an English word: паркинг for parking.
const LOANWORD: f32 = 0.8;
/// Extra score when the whole query appears in the title as typed.
const PHRASE_BONUS: f32 = 5.0;

/// What the index keeps of a service, to filter and to show a result.
#[derive(Debug, Clone)]
pub struct Doc {
    pub service_id: String,
    pub slug: String,
    pub administration_id: String,
    pub administration_name: Text,
    pub title: Text,
    pub description: Text,
    pub topic: String,
    pub life_event: Option<String>,
    /// How many people the service's administration serves (0: not known).
    pub population: u64,
}

/// The text of a doc's fields, with their weights, as the index reads them.
pub struct DocText {
    pub doc: Doc,
    pub fields: Vec<(String, f32)>,
}

#[derive(Debug, Default)]
pub struct IndexData {
    pub docs: Vec<Doc>,
    /// Each doc's title, normalised, both languages, for the phrase bonus.
    titles: Vec<String>,
    terms: HashMap<String, u32>,
    /// Terms sorted, for prefix matches.
    sorted: Vec<(String, u32)>,
    /// Term ids by length in characters, for typo matches.
    by_length: Vec<Vec<u32>>,
    /// For each term: (doc, the weight of the best field it is in).
    postings: Vec<Vec<(u32, f32)>>,
    /// Each term's text, by id.
    vocabulary: Vec<String>,
    /// Each term's commonest word form in the catalog's texts, for "did you mean".
    surface: Vec<String>,
    /// Bulgarian terms by their root (see [`root_bg`]).
    roots: HashMap<String, Vec<u32>>,
    /// A stem → the stems it also means (the synonyms list, both directions where it says so).
    synonyms: HashMap<String, Vec<String>>,
}

/// One thing a query word may mean: a term, how good a match it is, and whether it corrects
/// the word (a typo or a reading of Latin letters), which "did you mean" offers.
#[derive(Debug, Clone, Copy)]
struct Meaning {
    term: u32,
    quality: f32,
    corrects: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored {
    pub doc: usize,
    pub score: f32,
}

/// The typo allowance for a word of `len` characters: none below 4, one up to 7, two from 8.
fn typo_allowance(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

impl IndexData {
    pub fn build(docs: Vec<DocText>) -> IndexData {
        Self::build_with_synonyms(docs, &[])
    }

    /// The index of `docs`, where a query word also means its synonyms.
    pub fn build_with_synonyms(docs: Vec<DocText>, synonyms: &[Synonym]) -> IndexData {
        let mut index = IndexData::default();
        let mut forms: Vec<HashMap<String, u32>> = Vec::new();
        for (doc_id, doc) in docs.into_iter().enumerate() {
            let doc_id = doc_id as u32;
            let mut best: HashMap<u32, f32> = HashMap::new();
            for (text, weight) in &doc.fields {
                for word in words(text) {
                    let term = index.term_id(&stem(&word));
                    if forms.len() <= term as usize {
                        forms.resize(term as usize + 1, HashMap::new());
                    }
                    *forms[term as usize].entry(word).or_insert(0) += 1;
                    let entry = best.entry(term).or_insert(0.0);
                    if *weight > *entry {
                        *entry = *weight;
                    }
                }
            }
            for (term, weight) in best {
                index.postings[term as usize].push((doc_id, weight));
            }
            index.titles.push(normalise(&format!(
                "{} | {}",
                doc.doc.title.bg, doc.doc.title.en
            )));
            index.docs.push(doc.doc);
        }
        index.sorted = index.terms.iter().map(|(t, id)| (t.clone(), *id)).collect();
        index.sorted.sort();
        index.surface = forms
            .into_iter()
            .map(|counts| {
                counts
                    .into_iter()
                    .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
                    .map(|(word, _)| word)
                    .unwrap_or_default()
            })
            .collect();
        for (id, term) in index.vocabulary.iter().enumerate() {
            if is_cyrillic(term) {
                index
                    .roots
                    .entry(root_bg(term))
                    .or_default()
                    .push(id as u32);
            }
        }
        for synonym in synonyms {
            let Some(term) = words(&synonym.term).first().map(|w| stem(w)) else {
                continue;
            };
            for meaning in &synonym.means {
                for word in words(meaning) {
                    let meant = stem(&word);
                    if meant == term {
                        continue;
                    }
                    index
                        .synonyms
                        .entry(term.clone())
                        .or_default()
                        .push(meant.clone());
                    if synonym.both_ways {
                        index.synonyms.entry(meant).or_default().push(term.clone());
                    }
                }
            }
        }
        for meant in index.synonyms.values_mut() {
            meant.sort();
            meant.dedup();
        }
        index
    }

    fn term_id(&mut self, term: &str) -> u32 {
        if let Some(id) = self.terms.get(term) {
            return *id;
        }
        let id = self.vocabulary.len() as u32;
        self.vocabulary.push(term.to_owned());
        self.terms.insert(term.to_owned(), id);
        self.postings.push(Vec::new());
        let len = term.chars().count();
        if self.by_length.len() <= len {
            self.by_length.resize(len + 1, Vec::new());
        }
        self.by_length[len].push(id);
        id
    }

    /// The terms a query word may mean, with how good each match is: the word's own stem, words
    /// of its family, words being typed, typos; for a word typed in Latin letters, the same for
    /// its Cyrillic readings; for a Cyrillic word, the English word it may be; and synonyms.
    fn expand(&self, word: &str) -> Vec<Meaning> {
        let mut out = Vec::new();
        let found = self.expand_form(word, 1.0, false, true, &mut out);
        let readings = to_cyrillic(word);
        if !readings.is_empty() {
            let mut any = false;
            for reading in &readings {
                any |= self.expand_form(reading, TRANSLITERATED, true, false, &mut out);
            }
            if !any && !found {
                self.expand_form(&readings[0], TRANSLITERATED, true, true, &mut out);
            }
        } else if is_cyrillic(word) {
            if let Some(id) = self.terms.get(&stem_english(&to_latin(word))) {
                out.push(Meaning {
                    term: *id,
                    quality: LOANWORD,
                    corrects: false,
                });
            }
        }
        // Synonyms of the word and of its readings.
        let mut stems = vec![stem(word)];
        stems.extend(readings.iter().map(|r| stem(r)));
        for s in &stems {
            for meant in self.synonyms.get(s).into_iter().flatten() {
                if let Some(id) = self.terms.get(meant) {
                    out.push(Meaning {
                        term: *id,
                        quality: SYNONYM,
                        corrects: false,
                    });
                }
            }
        }
        out
    }

    /// The matches of one form of a query word, each scaled by `factor`; prefixes and typos only
    /// when `loose`. True when the form's stem is in the catalog as it is.
    fn expand_form(
        &self,
        word: &str,
        factor: f32,
        corrects: bool,
        loose: bool,
        out: &mut Vec<Meaning>,
    ) -> bool {
        let stemmed = stem(word);
        let exact = self.terms.get(&stemmed).copied();
        let mut push = |term: u32, quality: f32, corrects: bool| {
            out.push(Meaning {
                term,
                quality: quality * factor,
                corrects,
            })
        };
        if let Some(id) = exact {
            push(id, EXACT, corrects);
        }
        if is_cyrillic(&stemmed) {
            for id in self.roots.get(&root_bg(&stemmed)).into_iter().flatten() {
                if Some(*id) != exact {
                    push(*id, ROOT, false);
                }
            }
        }
        if !loose {
            return exact.is_some();
        }
        let stem_len = stemmed.chars().count();
        // Words being typed: "регистр" finds "регистрация".
        if stem_len >= 3 {
            let start = self
                .sorted
                .partition_point(|(t, _)| t.as_str() < stemmed.as_str());
            for (term, id) in self.sorted[start..]
                .iter()
                .take_while(|(t, _)| t.starts_with(stemmed.as_str()))
                .take(100)
            {
                if term.len() > stemmed.len() {
                    push(*id, PREFIX, false);
                }
            }
        }
        // Typos, only for words the catalog does not have as typed.
        let allowance = typo_allowance(word.chars().count());
        if exact.is_none() && allowance > 0 {
            let low = stem_len.saturating_sub(allowance);
            let high = (stem_len + allowance).min(self.by_length.len().saturating_sub(1));
            for len in low..=high {
                for id in self.by_length.get(len).into_iter().flatten() {
                    let term = &self.vocabulary[*id as usize];
                    let distance = strsim::osa_distance(term, &stemmed);
                    if distance > 0 && distance <= allowance {
                        let quality = if distance == 1 { ONE_TYPO } else { TWO_TYPOS };
                        push(*id, quality, true);
                    }
                }
            }
        }
        exact.is_some()
    }

    /// "Did you mean": the query with each word that the catalog does not have as typed, but
    /// has corrected (a typo, Latin letters), replaced by the commonest form of its best
    /// correction; None when nothing was corrected.
    pub fn did_you_mean(&self, query: &str) -> Option<String> {
        let mut changed = false;
        let mut out: Vec<String> = Vec::new();
        for word in normalise(query).split(|c: char| !c.is_alphanumeric()) {
            if word.is_empty() {
                continue;
            }
            let kept = words(word).is_empty() || self.terms.contains_key(&stem(word));
            let best = if kept {
                None
            } else {
                self.expand(word)
                    .into_iter()
                    .filter(|m| m.corrects)
                    .max_by(|a, b| {
                        a.quality.total_cmp(&b.quality).then_with(|| {
                            self.postings[a.term as usize]
                                .len()
                                .cmp(&self.postings[b.term as usize].len())
                        })
                    })
            };
            match best {
                Some(m) if !self.surface[m.term as usize].is_empty() => {
                    changed = true;
                    out.push(self.surface[m.term as usize].clone());
                }
                _ => out.push(word.to_owned()),
            }
        }
        changed.then(|| out.join(" "))
    }

    /// The docs matching `query` that `allow` lets through, best first. Each query word counts
    /// with its best match in a doc (field weight × match quality). Only docs matching every word
    /// are returned when there are any; else those matching at least half of them, scaled by the
    /// share of words matched.
    /// An empty query matches every allowed doc, by title.
    pub fn search(&self, query: &str, allow: &dyn Fn(&Doc) -> bool) -> Vec<Scored> {
        self.search_preferring(query, allow, &|_| false)
    }

    /// [`Self::search`], where equally good matches are ordered by: the person's own
    /// administrations first (`prefer`), then the administration's population, then title; the
    /// slug only last, so that a tie never goes to whichever name sorts first.
    pub fn search_preferring(
        &self,
        query: &str,
        allow: &dyn Fn(&Doc) -> bool,
        prefer: &dyn Fn(&Doc) -> bool,
    ) -> Vec<Scored> {
        let query_words = words(query);
        if query_words.is_empty() {
            let mut all: Vec<Scored> = (0..self.docs.len())
                .filter(|d| allow(&self.docs[*d]))
                .map(|doc| Scored { doc, score: 0.0 })
                .collect();
            all.sort_by(|a, b| self.docs[a.doc].title.bg.cmp(&self.docs[b.doc].title.bg));
            return all;
        }
        let n = query_words.len();
        let mut per_doc: HashMap<u32, Vec<f32>> = HashMap::new();
        for (i, word) in query_words.iter().enumerate() {
            for meaning in self.expand(word) {
                for (doc, weight) in &self.postings[meaning.term as usize] {
                    let scores = per_doc.entry(*doc).or_insert_with(|| vec![0.0; n]);
                    let score = weight * meaning.quality;
                    if score > scores[i] {
                        scores[i] = score;
                    }
                }
            }
        }
        let phrase = normalise(query.trim());
        let candidates: Vec<(u32, usize, f32)> = per_doc
            .into_iter()
            .filter(|(doc, _)| allow(&self.docs[*doc as usize]))
            .map(|(doc, scores)| {
                let matched = scores.iter().filter(|s| **s > 0.0).count();
                (doc, matched, scores.iter().sum::<f32>())
            })
            .collect();
        // Docs that match every word, if there are any; else those that match at least half.
        let needed = if candidates.iter().any(|(_, matched, _)| *matched == n) {
            n
        } else {
            n.div_ceil(2)
        };
        let mut hits: Vec<Scored> = candidates
            .into_iter()
            .filter(|(_, matched, _)| *matched >= needed)
            .map(|(doc, matched, sum)| {
                let coverage = matched as f32 / n as f32;
                let mut score = sum * coverage * coverage;
                if phrase.chars().count() >= 3 && self.titles[doc as usize].contains(&phrase) {
                    score += PHRASE_BONUS;
                }
                Scored {
                    doc: doc as usize,
                    score,
                }
            })
            .collect();
        hits.sort_by(|a, b| {
            let (da, db) = (&self.docs[a.doc], &self.docs[b.doc]);
            b.score
                .total_cmp(&a.score)
                .then_with(|| prefer(db).cmp(&prefer(da)))
                .then_with(|| db.population.cmp(&da.population))
                .then_with(|| self.docs[a.doc].title.bg.cmp(&self.docs[b.doc].title.bg))
                .then_with(|| self.docs[a.doc].slug.cmp(&self.docs[b.doc].slug))
        });
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(title_bg: &str, title_en: &str, description: &str, administration: &str) -> DocText {
        DocText {
            doc: Doc {
                service_id: title_en.to_owned(),
                slug: title_en.to_lowercase().replace(' ', "-"),
                administration_id: administration.to_owned(),
                administration_name: Text::default(),
                title: Text::new(title_bg, title_en),
                description: Text::new(description, ""),
                topic: String::new(),
                life_event: None,
                population: 0,
            },
            fields: vec![
                (title_bg.to_owned(), TITLE),
                (title_en.to_owned(), TITLE),
                (description.to_owned(), DESCRIPTION),
            ],
        }
    }

    fn index() -> IndexData {
        IndexData::build(vec![
            doc(
                "Удостоверение за постоянен адрес",
                "Certificate of permanent address",
                "Удостоверява адреса, вписан при адресна регистрация.",
                "sofia",
            ),
            doc(
                "Адресна регистрация",
                "Address registration",
                "Заявяване на постоянен или настоящ адрес.",
                "sofia",
            ),
            doc(
                "Удостоверение за наследници",
                "Certificate of heirs",
                "За наследниците на починал човек.",
                "burgas",
            ),
            doc(
                "Адресна регистрация",
                "Address registration",
                "Заявяване на постоянен или настоящ адрес.",
                "burgas",
            ),
        ])
    }

    fn titles(index: &IndexData, query: &str, only: Option<&str>) -> Vec<String> {
        index
            .search(query, &|d| only.is_none_or(|a| d.administration_id == a))
            .into_iter()
            .map(|s| {
                let d = &index.docs[s.doc];
                format!("{} ({})", d.title.en, d.administration_id)
            })
            .collect()
    }

    #[test]
    fn finds_with_typos_endings_and_in_english() {
        let index = index();
        for query in [
            "адресна регистрация",
            "адресна регистраця",
            "регистрации",
            "Адресната регистрация",
            "address registration",
            "adress registration",
            "регистр",
        ] {
            let found = titles(&index, query, Some("sofia"));
            assert_eq!(
                found.first().map(String::as_str),
                Some("Address registration (sofia)"),
                "{query}: {found:?}"
            );
        }
        assert_eq!(
            titles(&index, "наследници", None),
            vec!["Certificate of heirs (burgas)"]
        );
        assert!(titles(&index, "строителство", None).is_empty());
    }

    #[test]
    fn title_matches_rank_above_description_matches() {
        let found = titles(&index(), "адресна регистрация", Some("sofia"));
        assert_eq!(
            found,
            vec![
                "Address registration (sofia)",
                "Certificate of permanent address (sofia)"
            ]
        );
    }

    #[test]
    fn an_empty_query_lists_everything_allowed() {
        assert_eq!(titles(&index(), "", Some("burgas")).len(), 2);
    }

    #[test]
    fn ties_go_to_the_persons_municipality_then_to_the_larger_one_never_to_the_slug() {
        let mut small = doc(
            "Адресна регистрация",
            "Address registration",
            "",
            "chelopech",
        );
        small.doc.slug = "address-registration-chelopech".into();
        small.doc.population = 1_500;
        let mut large = doc("Адресна регистрация", "Address registration", "", "sofia");
        large.doc.slug = "address-registration-sofia".into();
        large.doc.population = 1_270_000;
        let index = IndexData::build(vec![small, large]);
        let order = |prefer: &dyn Fn(&Doc) -> bool| -> Vec<String> {
            index
                .search_preferring("адресна регистрация", &|_| true, prefer)
                .into_iter()
                .map(|s| index.docs[s.doc].administration_id.clone())
                .collect()
        };
        assert_eq!(
            order(&|_| false),
            ["sofia", "chelopech"],
            "the larger first"
        );
        assert_eq!(
            order(&|d: &Doc| d.administration_id == "chelopech"),
            ["chelopech", "sofia"],
            "the person's own municipality first"
        );
    }
}
