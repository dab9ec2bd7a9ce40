//! Searching published datasets: words (each must match a title, description or keyword, in
//! either language, through the index: endings and typos forgiven), filters in CKAN's
//! `fq` syntax (`organization:`, `groups:` for themes, `tags:`, `res_format:`, `license_id:`),
//! sorting, paging and facet counts.

use super::datasets;
use super::index::Doc;
use super::OpenData;
use crate::error::OpenDataError;
use crate::model::Dataset;
use std::collections::{BTreeMap, HashMap};

/// The facets a search can count.
pub const FACETS: &[&str] = &["organization", "groups", "tags", "res_format", "license_id"];

#[derive(Debug, Clone, Default)]
pub struct Query {
    pub q: String,
    /// (field, value) pairs from `fq`; field is one of [`FACETS`] (organization by id).
    pub filters: Vec<(String, String)>,
    pub sort: Option<String>,
    pub rows: i64,
    pub start: i64,
    pub facets: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Results {
    pub count: i64,
    pub datasets: Vec<Dataset>,
    /// facet → (value, count), most first.
    pub facets: BTreeMap<String, Vec<(String, i64)>>,
}

/// Reads CKAN's `fq`: space-separated `field:value` or `field:"quoted value"`.
pub fn parse_fq(fq: &str) -> Result<Vec<(String, String)>, OpenDataError> {
    let mut out = Vec::new();
    let mut rest = fq.trim();
    while !rest.is_empty() {
        let (field, after) = rest
            .split_once(':')
            .ok_or(OpenDataError::SearchQuery("search.fq_invalid"))?;
        let field = field.trim().trim_start_matches('+');
        let after = after.trim_start();
        let (value, next) = if let Some(quoted) = after.strip_prefix('"') {
            let end = quoted
                .find('"')
                .ok_or(OpenDataError::SearchQuery("search.fq_invalid"))?;
            (&quoted[..end], &quoted[end + 1..])
        } else {
            let end = after.find(char::is_whitespace).unwrap_or(after.len());
            (&after[..end], &after[end..])
        };
        let field = match field {
            "organization" | "owner_org" => "organization",
            "groups" | "theme" => "groups",
            "tags" => "tags",
            "res_format" => "res_format",
            "license_id" => "license_id",
            "name" => "name",
            _ => return Err(OpenDataError::SearchQuery("search.fq_unknown_field")),
        };
        out.push((field.to_owned(), value.to_owned()));
        rest = next.trim_start();
    }
    Ok(out)
}

/// True when `doc` passes the filter `field` = `value`.
fn passes(doc: &Doc, field: &str, value: &str) -> bool {
    match field {
        "organization" => doc.administration_id == value,
        "groups" => doc.themes.iter().any(|t| t.eq_ignore_ascii_case(value)),
        "tags" => doc.keywords.iter().any(|k| k == value),
        "res_format" => doc.formats.iter().any(|f| f.eq_ignore_ascii_case(value)),
        "license_id" => doc.licence == value,
        _ => doc.name == value,
    }
}

/// Counts one facet's values over the matched documents: the 50 commonest, most first.
fn count(docs: &[&Doc], facet: &str) -> Result<Vec<(String, i64)>, OpenDataError> {
    let mut counts: HashMap<&str, i64> = HashMap::new();
    for d in docs {
        let values: Vec<&str> = match facet {
            "organization" => vec![d.administration_id.as_str()],
            "license_id" => vec![d.licence.as_str()],
            "groups" => d.themes.iter().map(String::as_str).collect(),
            "tags" => d.keywords.iter().map(String::as_str).collect(),
            "res_format" => d.formats.iter().map(String::as_str).collect(),
            _ => return Err(OpenDataError::SearchQuery("search.facet_unknown")),
        };
        for v in values {
            *counts.entry(v).or_insert(0) += 1;
        }
    }
    let mut out: Vec<(String, i64)> = counts.into_iter().map(|(v, n)| (v.to_owned(), n)).collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out.truncate(50);
    Ok(out)
}

/// Runs a search over the published datasets through the index (see [`super::index`]).
pub async fn run(ctx: &OpenData, query: &Query) -> Result<Results, OpenDataError> {
    #[derive(Clone, Copy)]
    enum Order {
        Relevance,
        Modified(bool),
        Created(bool),
        Name(bool),
    }
    let order = match query.sort.as_deref().map(str::trim).unwrap_or("") {
        "" | "score desc, metadata_modified desc" | "score desc" => Order::Relevance,
        "metadata_modified desc" => Order::Modified(true),
        "metadata_modified asc" => Order::Modified(false),
        "metadata_created desc" => Order::Created(true),
        "metadata_created asc" => Order::Created(false),
        "name asc" | "title_string asc" => Order::Name(false),
        "name desc" | "title_string desc" => Order::Name(true),
        _ => return Err(OpenDataError::SearchQuery("search.sort_invalid")),
    };
    for facet in &query.facets {
        if !FACETS.contains(&facet.as_str()) {
            return Err(OpenDataError::SearchQuery("search.facet_unknown"));
        }
    }
    let index = ctx.index.get(&ctx.db).await?;
    let mut matched: Vec<(&Doc, f32)> = index
        .matching(&query.q)
        .into_iter()
        .filter_map(|(d, score)| index.docs.get(d as usize).map(|doc| (doc, score)))
        .filter(|(doc, _)| {
            query
                .filters
                .iter()
                .all(|(field, value)| passes(doc, field, value))
        })
        .collect();
    matched.sort_by(|(a, sa), (b, sb)| {
        let by = match order {
            Order::Relevance => sb
                .total_cmp(sa)
                .then_with(|| b.modified_at.cmp(&a.modified_at)),
            Order::Modified(true) => b.modified_at.cmp(&a.modified_at),
            Order::Modified(false) => a.modified_at.cmp(&b.modified_at),
            Order::Created(true) => b.created_at.cmp(&a.created_at),
            Order::Created(false) => a.created_at.cmp(&b.created_at),
            Order::Name(true) => b.name.cmp(&a.name),
            Order::Name(false) => a.name.cmp(&b.name),
        };
        by.then_with(|| a.name.cmp(&b.name))
    });
    let docs: Vec<&Doc> = matched.iter().map(|(d, _)| *d).collect();
    let mut facets = BTreeMap::new();
    for facet in &query.facets {
        facets.insert(facet.clone(), count(&docs, facet)?);
    }
    let mut found = Vec::new();
    let start = query.start.max(0) as usize;
    for doc in docs
        .iter()
        .skip(start)
        .take(query.rows.clamp(0, 1000) as usize)
    {
        // A dataset changed since the index was read is shown as it is now, if still published.
        if let Some(d) = datasets::get(&ctx.db, &doc.id).await? {
            if d.state == crate::model::DatasetState::Published {
                found.push(d);
            }
        }
    }
    Ok(Results {
        count: docs.len() as i64,
        datasets: found,
        facets,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn fq_is_read_as_ckan_writes_it() {
        assert_eq!(
            parse_fq(r#"organization:abc tags:"въздух и вода" +res_format:CSV"#).unwrap(),
            vec![
                ("organization".into(), "abc".into()),
                ("tags".into(), "въздух и вода".into()),
                ("res_format".into(), "CSV".into())
            ]
        );
        assert!(parse_fq("nonsense").is_err());
        assert!(parse_fq("author:x").is_err());
    }
}
