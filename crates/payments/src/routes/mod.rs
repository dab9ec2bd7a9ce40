//! The payments block's pages and API.

mod api;
mod pages;

use crate::service::Payments;
use axum::extract::FromRef;
use axum::routing::{get, post};
use axum::Router;
use portico_http::AppState;

pub use api::api_router;

#[derive(Clone)]
pub struct PaymentsState {
    pub app: AppState,
    pub payments: Payments,
    /// The card provider, when one is configured.
    pub card: Option<std::sync::Arc<dyn crate::provider::CardProvider>>,
}

impl FromRef<PaymentsState> for AppState {
    fn from_ref(s: &PaymentsState) -> AppState {
        s.app.clone()
    }
}

pub fn router(state: PaymentsState) -> Router<AppState> {
    Router::new()
        .route("/payments", get(pages::mine))
        .route("/payments/{id}/pay", post(pages::pay))
        .route("/payments/{id}/return", get(pages::back))
        .with_state(state)
}
