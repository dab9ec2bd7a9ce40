//! `/feeds/dataset.atom` (CKAN's address): an Atom feed (RFC 4287) of the 20 most recently
//! changed published datasets, with their Bulgarian titles and descriptions.

use super::OpenDataState;
use crate::service::{organisations, search};
use crate::view::xml;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use portico_http::AppError;
use std::fmt::Write;

/// Entries in the feed.
pub const ENTRIES: i64 = 20;

fn rfc3339(millis: i64) -> String {
    chrono::DateTime::from_timestamp_millis(millis)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

pub async fn atom(State(state): State<OpenDataState>) -> Result<Response, AppError> {
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
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"bg\">\n\
         <title>{}</title>\n<subtitle>{}</subtitle>\n<id>{}/feeds/dataset.atom</id>\n\
         <link rel=\"self\" type=\"application/atom+xml\" href=\"{}/feeds/dataset.atom\"/>\n\
         <link rel=\"alternate\" type=\"text/html\" href=\"{}/data\"/>\n<updated>{}</updated>\n\
         <author><name>Portico</name></author>\n",
        xml("Отворени данни – последни промени"),
        xml("Наборите от данни, публикувани или променени последно"),
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
            .map_or("", |a| a.name_bg.as_str());
        let _ = write!(
            out,
            "<entry>\n<title>{}</title>\n<id>{}</id>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n\
             <link rel=\"enclosure\" type=\"text/turtle\" href=\"{}/dataset/{}.ttl\"/>\n\
             <published>{}</published>\n<updated>{}</updated>\n<author><name>{}</name></author>\n\
             <summary>{}</summary>\n</entry>\n",
            xml(&d.title_bg),
            xml(&link),
            xml(&link),
            xml(&base),
            xml(&d.name),
            rfc3339(d.published_at.unwrap_or(d.created_at)),
            rfc3339(d.modified_at),
            xml(author),
            xml(&d.notes_bg)
        );
    }
    out.push_str("</feed>\n");
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        out,
    )
        .into_response())
}
