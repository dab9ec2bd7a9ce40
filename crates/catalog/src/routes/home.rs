use super::kind_name;
use crate::search::{InUse, SearchIndex};
use crate::strings::TABLES;
use crate::topics::{self, LIFE_EVENTS, TOPICS};
use crate::CatalogError;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use portico_http::{render, AppError, AppState, PageContext};

#[derive(Template)]
#[template(path = "catalog_home.html")]
struct HomePage {
    page: PageContext,
    /// (code, name)
    life_events: Vec<(&'static str, &'static str)>,
    topics: Vec<(&'static str, &'static str)>,
    /// (id, name, kind) of each joined administration that is not part of another.
    administrations: Vec<(String, String, &'static str)>,
}

/// The home page: one search box, services by life event and topic, who has joined.
pub async fn home(
    State(state): State<AppState>,
    Extension(index): Extension<SearchIndex>,
    page: PageContext,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let lang = page.lang;
    let in_use = index.in_use().await?;
    // Only administrations with a published service: a register keeper that offers none would
    // lead to an empty list.
    let administrations = portico_identity::service::administrations::list(&state.db)
        .await
        .map_err(CatalogError::from)?
        .into_iter()
        .filter(|a| a.parent_id.is_none() && in_use.administrations.contains(&a.id))
        .map(|a| {
            (
                a.id.clone(),
                a.name(lang).to_owned(),
                kind_name(a.kind, lang),
            )
        })
        .collect();
    Ok(render(&HomePage {
        life_events: InUse::only(&in_use.life_events, topics::entries(LIFE_EVENTS, lang)),
        topics: InUse::only(&in_use.topics, topics::entries(TOPICS, lang)),
        administrations,
        page,
    })?
    .into_response())
}
