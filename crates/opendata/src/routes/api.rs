//! The open data block's route in the platform's JSON API (`/api/v1`, in the OpenAPI document):
//! the published datasets. Publishing goes through the CKAN Action API (`/api/3/action/`), which
//! the tools of re-users and harvesters already speak.

use super::OpenDataState;
use crate::service::datasets;
use axum::extract::{Query, State};
use axum::Json;
use portico_http::{AppError, AppState};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn api_router(state: OpenDataState) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_datasets))
        .with_state(state)
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct Paging {
    /// At most this many (default 100, at most 1000).
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct DatasetNames {
    /// The names of published datasets, in name order; each is at `/api/3/action/package_show?id=`.
    pub items: Vec<String>,
}

/// The published datasets' names, a page at a time. Public.
#[utoipa::path(get, path = "/api/v1/opendata/datasets", tag = "opendata", security(()),
    params(Paging),
    responses((status = 200, body = DatasetNames)))]
async fn list_datasets(
    State(state): State<OpenDataState>,
    Query(paging): Query<Paging>,
) -> Result<Json<DatasetNames>, AppError> {
    let limit = paging.limit.unwrap_or(100).clamp(0, 1000);
    let offset = paging.offset.unwrap_or(0).max(0);
    Ok(Json(DatasetNames {
        items: datasets::published_names(&state.ctx.db, limit, offset).await?,
    }))
}
