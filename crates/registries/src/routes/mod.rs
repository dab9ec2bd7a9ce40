//! The registries block's pages and API.

mod api;
mod caller;
mod owners;
mod pages;

use crate::service::Registries;
use axum::extract::FromRef;
use axum::routing::{get, post};
use axum::Router;
use portico_http::AppState;

pub use api::api_router;
pub use caller::Caller;

#[derive(Clone)]
pub struct RegistriesState {
    pub app: AppState,
    pub ctx: Registries,
}

impl FromRef<RegistriesState> for AppState {
    fn from_ref(s: &RegistriesState) -> AppState {
        s.app.clone()
    }
}

pub fn router(state: RegistriesState) -> Router<AppState> {
    Router::new()
        .route("/registries", get(pages::catalogue))
        .route("/my-data", get(pages::my_data))
        .route("/my-data.json", get(pages::my_data_json))
        .route("/my-data/print", get(pages::my_data_print))
        .route("/my-data.pdf", get(pages::my_data_pdf))
        .route("/my-data/corrections", post(pages::correction))
        .route("/registries/access-requests", get(owners::list))
        .route("/registries/access-requests/{id}", post(owners::decide))
        .with_state(state)
}
