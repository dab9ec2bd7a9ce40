//! Searching published datasets: words (each must appear in a title, description or keyword, in
//! either language; a long word matches by its stem, so endings are forgiven), filters in CKAN's
//! `fq` syntax (`organization:`, `groups:` for themes, `tags:`, `res_format:`, `license_id:`),
//! sorting, paging and facet counts.

use super::datasets::{self, Row, COLUMNS};
use crate::error::OpenDataError;
use crate::model::Dataset;
use portico_store::Db;
use std::collections::BTreeMap;

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

/// The SQL condition on dataset `d` for one filter; its value is parameter `$n`.
fn condition(field: &str, n: usize) -> String {
    match field {
        "organization" => format!("d.administration_id = ${n}"),
        "groups" => format!(
            "EXISTS (SELECT 1 FROM opendata_themes t WHERE t.dataset_id = d.id AND t.theme = ${n})"
        ),
        "tags" => format!(
            "EXISTS (SELECT 1 FROM opendata_keywords k WHERE k.dataset_id = d.id AND k.keyword = ${n})"
        ),
        "res_format" => format!(
            "EXISTS (SELECT 1 FROM opendata_resources r WHERE r.dataset_id = d.id AND r.format = ${n})"
        ),
        "license_id" => format!("d.licence = ${n}"),
        _ => format!("d.name = ${n}"),
    }
}

/// A word as it is looked for: lower-cased, and cut to its stem when long.
fn stem(word: &str) -> String {
    let w: Vec<char> = word
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '-')
        .collect();
    let keep = if w.len() > 7 { w.len() - 3 } else { w.len() };
    w[..keep].iter().collect()
}

pub async fn run(db: &Db, query: &Query) -> Result<Results, OpenDataError> {
    let mut clauses = vec!["d.state = 'published'".to_owned()];
    let mut args: Vec<String> = Vec::new();
    for word in query.q.split_whitespace() {
        if word == "*:*" {
            continue;
        }
        let s = stem(word);
        if s.is_empty() {
            continue;
        }
        args.push(format!(
            "%{}%",
            s.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        ));
        clauses.push(format!("d.search_text LIKE ${} ESCAPE '\\'", args.len()));
    }
    for (field, value) in &query.filters {
        args.push(value.clone());
        clauses.push(condition(field, args.len()));
    }
    let filter = clauses.join(" AND ");
    let order = match query.sort.as_deref().map(str::trim).unwrap_or("") {
        "" | "score desc, metadata_modified desc" | "metadata_modified desc" => {
            "d.modified_at DESC, d.name"
        }
        "metadata_modified asc" => "d.modified_at, d.name",
        "metadata_created desc" => "d.created_at DESC, d.name",
        "metadata_created asc" => "d.created_at, d.name",
        "name asc" | "title_string asc" => "d.name ASC",
        "name desc" | "title_string desc" => "d.name DESC",
        _ => return Err(OpenDataError::SearchQuery("search.sort_invalid")),
    };
    let count_sql = format!("SELECT COUNT(*) FROM opendata_datasets d WHERE {filter}");
    let mut count = sqlx::query_as::<_, (i64,)>(&count_sql);
    for a in &args {
        count = count.bind(a.clone());
    }
    let (total,) = count.fetch_one(db.pool()).await?;
    let cols = COLUMNS
        .split(", ")
        .map(|c| format!("d.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT {cols} FROM opendata_datasets d WHERE {filter} ORDER BY {order} LIMIT {} OFFSET {}",
        query.rows.clamp(0, 1000),
        query.start.max(0)
    );
    let mut q = sqlx::query_as::<_, Row>(&sql);
    for a in &args {
        q = q.bind(a.clone());
    }
    let mut found = Vec::new();
    for r in q.fetch_all(db.pool()).await? {
        found.push(datasets::complete(db, datasets::from_row(r)).await?);
    }
    let mut facets = BTreeMap::new();
    for facet in &query.facets {
        let select = match facet.as_str() {
            "organization" => "SELECT d.administration_id, COUNT(*) FROM opendata_datasets d",
            "license_id" => "SELECT d.licence, COUNT(*) FROM opendata_datasets d",
            "groups" => {
                "SELECT t.theme, COUNT(*) FROM opendata_datasets d JOIN opendata_themes t ON t.dataset_id = d.id"
            }
            "tags" => {
                "SELECT k.keyword, COUNT(*) FROM opendata_datasets d JOIN opendata_keywords k ON k.dataset_id = d.id"
            }
            "res_format" => {
                "SELECT r.format, COUNT(DISTINCT d.id) FROM opendata_datasets d JOIN opendata_resources r ON r.dataset_id = d.id"
            }
            _ => return Err(OpenDataError::SearchQuery("search.facet_unknown")),
        };
        let sql = format!("{select} WHERE {filter} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 50");
        let mut q = sqlx::query_as::<_, (String, i64)>(&sql);
        for a in &args {
            q = q.bind(a.clone());
        }
        facets.insert(facet.clone(), q.fetch_all(db.pool()).await?);
    }
    Ok(Results {
        count: total,
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
        assert_eq!(stem("Районите"), "район");
        assert_eq!(stem("въздуха"), "въздуха");
    }
}
