//! The open data block's routes: the CKAN Action API (`/api/3/action/…`, and `/api/action/…` where
//! older clients such as `ckanapi` call it), the files of uploaded resources, and the JSON API's
//! list of datasets in the OpenAPI document.

mod api;
mod caller;
mod ckan;
mod dcat;
mod files;

use crate::service::OpenData;
use axum::extract::FromRef;
use axum::routing::get;
use axum::Router;
use portico_http::AppState;

pub use api::api_router;
pub use caller::Caller;

#[derive(Clone)]
pub struct OpenDataState {
    pub app: AppState,
    pub ctx: OpenData,
}

impl FromRef<OpenDataState> for AppState {
    fn from_ref(s: &OpenDataState) -> AppState {
        s.app.clone()
    }
}

pub fn router(state: OpenDataState) -> Router<AppState> {
    Router::new()
        .route(
            "/api/3/action/{action}",
            get(ckan::action_get).post(ckan::action_post),
        )
        .route(
            "/api/action/{action}",
            get(ckan::action_get).post(ckan::action_post),
        )
        .route("/catalog.ttl", get(dcat::catalog))
        .route("/dataset/{file}", get(dcat::dataset))
        .route(
            "/dataset/{dataset}/resource/{resource}/download/{file}",
            get(files::download),
        )
        .with_state(state)
}
