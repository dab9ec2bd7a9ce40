//! The dashboard's figures as JSON under `/api/v1`: public and read-only, the same body as a
//! dashboard page's `?format=json`, read from the stored figures. Documented in the OpenAPI
//! document from these handlers.

use super::{plausible_id, InsightsState};
use crate::model::Scope;
use crate::service::kpis::By;
use crate::service::scopes::{self, Dashboard};
use axum::extract::State;
use axum::Json;
use portico_http::{AppError, AppState, ValidPath};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn api_router(state: InsightsState) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(platform))
        .routes(routes!(administration))
        .routes(routes!(service))
        .with_state(state)
}

/// The whole platform's figures over the last twelve months, month by month and in all, with
/// each administration's (`groups`, by id).
#[utoipa::path(get, path = "/api/v1/performance", tag = "insights", security(()),
    responses((status = 200, body = Dashboard)))]
async fn platform(State(state): State<InsightsState>) -> Result<Json<Dashboard>, AppError> {
    let ctx = &state.insights;
    let ids: Vec<String> = scopes::platform(ctx)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    let shown = scopes::dashboard(ctx, "platform", &Scope::Platform, By::Administration, &ids);
    Ok(Json(shown.await?))
}

/// One administration's figures, with each of its published services' (`groups`, by id).
#[utoipa::path(get, path = "/api/v1/performance/administrations/{id}", tag = "insights",
    security(()),
    params(("id" = String, Path, description = "The administration's id")),
    responses((status = 200, body = Dashboard),
              (status = 404, body = portico_http::ApiErrorBody, description = "No such administration")))]
async fn administration(
    State(state): State<InsightsState>,
    ValidPath(id): ValidPath<String>,
) -> Result<Json<Dashboard>, AppError> {
    if !plausible_id(&id) {
        return Err(AppError::NotFound);
    }
    let ctx = &state.insights;
    let (a, services) = scopes::administration(ctx, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let ids: Vec<String> = services.into_iter().map(|s| s.id).collect();
    let scope = Scope::Administration(a.id.clone());
    Ok(Json(
        scopes::dashboard(ctx, &a.id, &scope, By::Service, &ids).await?,
    ))
}

/// One published service's figures, with those of every administration's service adopted from
/// the same catalog template (`groups`, by service id; itself among them).
#[utoipa::path(get, path = "/api/v1/performance/services/{id}", tag = "insights", security(()),
    params(("id" = String, Path, description = "The service's id")),
    responses((status = 200, body = Dashboard),
              (status = 404, body = portico_http::ApiErrorBody, description = "No such published service")))]
async fn service(
    State(state): State<InsightsState>,
    ValidPath(id): ValidPath<String>,
) -> Result<Json<Dashboard>, AppError> {
    if !plausible_id(&id) {
        return Err(AppError::NotFound);
    }
    let ctx = &state.insights;
    let (s, siblings, _) = scopes::service(ctx, &id).await?.ok_or(AppError::NotFound)?;
    let ids: Vec<String> = siblings.into_iter().map(|o| o.id).collect();
    let scope = Scope::Service(s.id.clone());
    Ok(Json(
        scopes::dashboard(ctx, &s.slug, &scope, By::Service, &ids).await?,
    ))
}
