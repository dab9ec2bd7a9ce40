//! The insights block's pages: the public dashboard, feedback, inquiries, and the back office's
//! inquiries queue, feedback and monthly figures.

mod api;
mod dashboard;
mod feedback;
mod inquiries;
mod office;
pub mod views;

use crate::service::Insights;
pub use api::api_router;
use axum::extract::FromRef;
use axum::routing::{get, post};
use axum::Router;
use portico_http::AppState;

#[derive(Clone)]
pub struct InsightsState {
    pub app: AppState,
    pub insights: Insights,
}

impl FromRef<InsightsState> for AppState {
    fn from_ref(s: &InsightsState) -> AppState {
        s.app.clone()
    }
}

/// A path segment that can be an id or a slug; anything else is "not found" before any query.
pub fn plausible_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

pub fn router(state: InsightsState) -> Router<AppState> {
    Router::new()
        .route("/performance", get(dashboard::platform))
        .route(
            "/performance/administrations/{id}",
            get(dashboard::administration),
        )
        .route("/performance/services/{id}", get(dashboard::service))
        .route(
            "/feedback/{service}",
            get(feedback::form).post(feedback::give),
        )
        .route("/inquiries", get(inquiries::mine))
        .route("/inquiries/new", get(inquiries::form).post(inquiries::ask))
        .route("/office/inquiries", get(office::inquiries))
        .route(
            "/office/inquiries/{id}",
            get(office::inquiry).post(office::answer_inquiry),
        )
        .route("/office/feedback", get(office::feedback))
        .route(
            "/office/feedback/{id}/answer",
            post(office::answer_feedback),
        )
        .route("/office/feedback/{id}/hide", post(office::hide_feedback))
        .route(
            "/office/figures",
            get(office::figures).post(office::enter_figures),
        )
        .with_state(state)
}
