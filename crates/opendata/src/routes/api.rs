//! The open data block's routes in the platform's JSON API (`/api/v1`, in the OpenAPI document):
//! the published datasets, and how the load of a large file into the datastore goes. Publishing
//! goes through the CKAN Action API (`/api/3/action/`), which the tools of re-users and
//! harvesters already speak.

use super::caller::Caller;
use super::OpenDataState;
use crate::service::loads::{self, LoadState};
use crate::service::{datasets, resources};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Json;
use portico_http::{AppError, AppState};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn api_router(state: OpenDataState) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_datasets))
        .routes(routes!(load_status))
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

/// Why a load failed.
#[derive(Serialize, ToSchema)]
pub struct LoadError {
    /// A stable code: `load.stopped` (its attempts used up: the database refused the rows each
    /// time, or the server doing it stopped), `load.broken` (the stored file no longer reads as
    /// checked), `load.file_missing`.
    pub code: String,
    /// In plain words, in Bulgarian for `Accept-Language: bg`, else in English.
    pub message: String,
}

/// How the load of a large file into the datastore goes.
#[derive(Serialize, ToSchema)]
pub struct LoadStatus {
    /// `queued`, `loading`, `loaded` or `failed` (its publisher may start it again on the
    /// resource's page).
    pub state: &'static str,
    /// Rows loaded so far, and the file's rows.
    pub rows_done: i64,
    pub rows_total: i64,
    /// Bytes of the file loaded so far, and its size.
    pub bytes_done: i64,
    pub bytes_total: i64,
    pub error: Option<LoadError>,
}

/// The load of a resource's file into the datastore (a CSV over 20 MB, loaded by a job). For
/// whoever may see the resource's page: anyone for a published dataset; a draft's or withdrawn
/// dataset's only for its publishers (a session, or an API client's token with the scope
/// `opendata`); anyone else, and a resource without such a load, gets 404.
#[utoipa::path(get, path = "/api/v1/opendata/resources/{id}/load", tag = "opendata",
    security((), ("session" = []), ("client_credentials" = ["opendata"])),
    params(("id" = String, Path, description = "The resource's id")),
    responses((status = 200, body = LoadStatus), (status = 404, description = "No such resource, not visible to the caller, or not loaded by a job")))]
async fn load_status(
    State(state): State<OpenDataState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<LoadStatus>, AppError> {
    if caller.bad_token {
        return Err(AppError::InvalidToken);
    }
    let r = resources::visible(&state.ctx.db, caller.reader(), &id).await?;
    let load = loads::of_resource(&state.ctx.db, &r.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let strings = portico_http::Strings::new(super::ckan::lang(&headers), crate::strings::TABLES);
    Ok(Json(LoadStatus {
        state: match load.state {
            LoadState::Queued => "queued",
            LoadState::Loading => "loading",
            LoadState::Done => "loaded",
            LoadState::Failed => "failed",
        },
        rows_done: load.rows,
        rows_total: load.total_rows,
        bytes_done: load.bytes,
        bytes_total: load.total_bytes,
        error: match (load.state, load.problem) {
            (LoadState::Failed, Some(code)) => Some(LoadError {
                message: strings.t(&code).to_owned(),
                code,
            }),
            _ => None,
        },
    }))
}
