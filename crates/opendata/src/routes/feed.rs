//! `/feeds/dataset.atom` (CKAN's address): an Atom feed (RFC 4287) of the 20 most recently
//! changed published datasets, in Bulgarian (`/feeds/dataset.atom`) or English
//! (`?lang=en`, or a reader that asks for English in `Accept-Language`): titles, descriptions
//! and publishers in that language (Bulgarian where the English is missing), each entry with its
//! themes as categories, and each feed linking to the other language's.

use super::OpenDataState;
use crate::service::{organisations, search};
use crate::view::xml;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use portico_http::AppError;
use portico_http::{Lang, Strings};
use std::fmt::Write;

/// Entries in the feed.
pub const ENTRIES: i64 = 20;

fn rfc3339(millis: i64) -> String {
    chrono::DateTime::from_timestamp_millis(millis)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

#[derive(Debug, serde::Deserialize)]
pub struct FeedQuery {
    pub lang: Option<String>,
}

/// English when asked by `lang`, or else when `Accept-Language` puts English first.
fn language(q: &FeedQuery, headers: &HeaderMap) -> Lang {
    let wanted = match q.lang.as_deref() {
        Some(l) => l.trim().to_lowercase(),
        None => headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .trim()
            .to_lowercase(),
    };
    if wanted.starts_with("en") {
        Lang::En
    } else {
        Lang::Bg
    }
}

fn or_bg<'a>(en: &'a str, bg: &'a str) -> &'a str {
    if en.trim().is_empty() {
        bg
    } else {
        en
    }
}

pub async fn atom(
    State(state): State<OpenDataState>,
    Query(q): Query<FeedQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let lang = language(&q, &headers);
    let strings = Strings::new(lang, crate::strings::TABLES);
    let (code, other, other_query) = match lang {
        Lang::En => ("en", "bg", ""),
        Lang::Bg => ("bg", "en", "?lang=en"),
    };
    let self_query = if lang == Lang::En { "?lang=en" } else { "" };
    let base = state.app.config.base_url.trim_end_matches('/').to_owned();
    let found = search::run(
        &state.ctx,
        &search::Query {
            sort: Some("metadata_modified desc".into()),
            rows: ENTRIES,
            ..Default::default()
        },
    )
    .await?;
    let orgs = organisations::list(&state.ctx.db).await?;
    let updated = found
        .datasets
        .iter()
        .map(|d| d.modified_at)
        .max()
        .unwrap_or(0);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let _ = write!(
        out,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{code}\">\n\
         <title>{}</title>\n<subtitle>{}</subtitle>\n<id>{}/feeds/dataset.atom{self_query}</id>\n\
         <link rel=\"self\" type=\"application/atom+xml\" href=\"{}/feeds/dataset.atom{self_query}\"/>\n\
         <link rel=\"alternate\" type=\"application/atom+xml\" hreflang=\"{other}\" href=\"{}/feeds/dataset.atom{other_query}\"/>\n\
         <link rel=\"alternate\" type=\"text/html\" href=\"{}/data\"/>\n<updated>{}</updated>\n\
         <author><name>Portico</name></author>\n",
        xml(strings.t("od_feed_title")),
        xml(strings.t("od_feed_subtitle")),
        xml(&base),
        xml(&base),
        xml(&base),
        xml(&base),
        rfc3339(updated)
    );
    for d in &found.datasets {
        let link = format!("{base}/data/{}", d.name);
        let author = orgs
            .iter()
            .find(|a| a.id == d.administration_id)
            .map_or("", |a| match lang {
                Lang::En => or_bg(&a.name_en, &a.name_bg),
                Lang::Bg => a.name_bg.as_str(),
            });
        let (title, summary) = match lang {
            Lang::En => (
                or_bg(&d.title_en, &d.title_bg),
                or_bg(&d.notes_en, &d.notes_bg),
            ),
            Lang::Bg => (d.title_bg.as_str(), d.notes_bg.as_str()),
        };
        let categories: String = d
            .themes
            .iter()
            .map(|t| {
                let label = crate::model::THEMES
                    .iter()
                    .find(|(c, _, _)| c == t)
                    .map_or(t.as_str(), |(_, bg, en)| if lang == Lang::En { *en } else { *bg });
                format!(
                    "<category scheme=\"http://publications.europa.eu/resource/authority/data-theme\" term=\"{}\" label=\"{}\"/>\n",
                    xml(t),
                    xml(label)
                )
            })
            .collect();
        let _ = write!(
            out,
            "<entry>\n<title>{}</title>\n<id>{}</id>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n\
             <link rel=\"enclosure\" type=\"text/turtle\" href=\"{}/dataset/{}.ttl\"/>\n\
             <published>{}</published>\n<updated>{}</updated>\n<author><name>{}</name></author>\n\
             <summary>{}</summary>\n{categories}</entry>\n",
            xml(title),
            xml(&link),
            xml(&link),
            xml(&base),
            xml(&d.name),
            rfc3339(d.published_at.unwrap_or(d.created_at)),
            rfc3339(d.modified_at),
            xml(author),
            xml(summary)
        );
    }
    out.push_str("</feed>\n");
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        out,
    )
        .into_response())
}
