//! The catalog block's JSON API, documented in the OpenAPI document from these handlers.

use super::services::{filters, published};
use crate::forms::{self, FormVersion};
use crate::model::Service;
use crate::search::{SearchIndex, SearchResults};
use axum::extract::{Path, Query, State};
use axum::{Extension, Json};
use portico_http::{AppError, AppState};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn api_router(index: SearchIndex) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search_services))
        .routes(routes!(get_service))
        .routes(routes!(current_form))
        .routes(routes!(form_version))
        .layer(Extension(index))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct SearchParams {
    /// Words in Bulgarian or English; typos and word endings are forgiven. Empty: every service.
    q: Option<String>,
    /// An administration id: its services and those of the administrations under it.
    administration: Option<String>,
    /// A topic code, e.g. `address`.
    topic: Option<String>,
    /// A life event code, e.g. `moving-home`.
    life_event: Option<String>,
    /// At most 100 (default 20).
    limit: Option<usize>,
    offset: Option<usize>,
}

/// Searches the published services, best match first.
#[utoipa::path(get, path = "/api/v1/services", tag = "catalog", security(()), params(SearchParams),
    responses((status = 200, body = SearchResults),
              (status = 404, body = portico_http::ApiErrorBody, description = "No such administration")))]
async fn search_services(
    State(state): State<AppState>,
    Extension(index): Extension<SearchIndex>,
    Query(p): Query<SearchParams>,
) -> Result<Json<SearchResults>, AppError> {
    let (_, mut query) = filters(&state, p.q, p.administration, p.topic, p.life_event).await?;
    query.limit = p.limit.unwrap_or(20).clamp(1, 100);
    query.offset = p.offset.unwrap_or(0).min(100_000);
    Ok(Json(index.search(&query).await?))
}

/// A published service with all its Unified Model facts.
#[utoipa::path(get, path = "/api/v1/services/{slug}", tag = "catalog", security(()),
    params(("slug" = String, Path, description = "The service's address, e.g. address-registration-sofia")),
    responses((status = 200, body = Service),
              (status = 404, body = portico_http::ApiErrorBody, description = "No such service")))]
async fn get_service(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Json<Service>, AppError> {
    Ok(Json(published(&state, &slug).await?))
}

/// The newest version of a form: its JSON Schema and its layout in steps.
#[utoipa::path(get, path = "/api/v1/forms/{form_key}", tag = "catalog", security(()),
    params(("form_key" = String, Path, description = "e.g. address-registration")),
    responses((status = 200, body = FormVersion),
              (status = 404, body = portico_http::ApiErrorBody, description = "No such form")))]
async fn current_form(
    State(state): State<AppState>,
    Path(form_key): Path<String>,
) -> Result<Json<FormVersion>, AppError> {
    Ok(Json(
        forms::current(&state.db, &form_key)
            .await?
            .ok_or(AppError::NotFound)?,
    ))
}

/// One version of a form, by id: what an application was filled with.
#[utoipa::path(get, path = "/api/v1/form-versions/{id}", tag = "catalog", security(()),
    params(("id" = String, Path, description = "Form version id")),
    responses((status = 200, body = FormVersion),
              (status = 404, body = portico_http::ApiErrorBody, description = "No such version")))]
async fn form_version(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<FormVersion>, AppError> {
    if !portico_core::ids::is_valid_id(&id) {
        return Err(AppError::NotFound);
    }
    Ok(Json(
        forms::get_version(&state.db, &id)
            .await?
            .ok_or(AppError::NotFound)?,
    ))
}
