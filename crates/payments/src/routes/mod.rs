//! The payments block's pages and API.

mod api;
mod office;
mod pages;

use crate::service::Payments;
use axum::extract::FromRef;
use axum::handler::Handler;
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
    /// What the secrets of administrations' callback endpoints are derived from.
    pub notify_key: crate::service::notify::SecretKey,
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
        .route("/office/payments", get(office::list))
        .route("/office/payments/export.csv", get(office::export))
        .route(
            "/office/payments/reconciliation",
            get(office::reconciliation),
        )
        .route(
            "/office/payments/reconciliation/match",
            post(office::match_line),
        )
        .route(
            "/office/payments/reconciliation/resolve",
            post(office::resolve_line),
        )
        .route(
            "/office/payments/reconciliation/callback",
            post(office::resolve_held),
        )
        .route(
            "/office/payments/reconciliation.csv",
            get(office::lines_csv),
        )
        .route(
            "/office/payments/statements",
            // The upload raises its own body limit (a statement may be larger than the
            // platform's default); the form's page keeps the platform's.
            get(office::upload_form).post(office::upload.layer(
                axum::extract::DefaultBodyLimit::max(crate::service::statements::ROUTE_BODY_LIMIT),
            )),
        )
        .route("/office/payments/{id}", get(office::show))
        .route("/office/payments/{id}/refund", post(office::refund))
        .with_state(state)
}
