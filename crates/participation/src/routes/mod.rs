//! The participation block's pages and API.

mod admin;
mod api;
mod attachments;
mod consultation_form;
mod consultations;
mod consultations_api;
mod form;
mod map;
mod pages;
mod process_form;

use crate::service::Participation;
use axum::extract::FromRef;
use axum::routing::{get, post};
use axum::Router;
use portico_http::AppState;

pub use api::api_router;

#[derive(Clone)]
pub struct ParticipationState {
    pub app: AppState,
    pub ctx: Participation,
}

impl FromRef<ParticipationState> for AppState {
    fn from_ref(s: &ParticipationState) -> AppState {
        s.app.clone()
    }
}

/// "Use my location" (`static/locate.js`), the block's one script.
async fn locate_script() -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/javascript; charset=utf-8",
            ),
            (axum::http::header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/locate.js"),
    )
        .into_response()
}

/// The pages, under `/participation`.
pub fn router(state: ParticipationState) -> Router<AppState> {
    Router::new()
        .route("/participation", get(pages::list))
        .route("/participation/admin", get(admin::list))
        .route(
            "/participation/admin/processes",
            get(process_form::new_form).post(process_form::open),
        )
        .route(
            "/participation/admin/consultations",
            get(consultation_form::new_form).post(consultation_form::open),
        )
        .route("/participation/receipts", get(pages::check_receipt))
        .route("/participation/static/locate.js", get(locate_script))
        .route(
            "/participation/consultations/{slug}",
            get(consultations::show),
        )
        .route(
            "/participation/consultations/{slug}/comments",
            post(consultations::comment),
        )
        .route(
            "/participation/consultations/{slug}/admin",
            get(consultations::admin),
        )
        .route(
            "/participation/consultations/{slug}/publish",
            post(consultations::publish),
        )
        .route(
            "/participation/consultations/comments/{id}/answer",
            post(consultations::answer),
        )
        .route("/participation/proposals/{id}", get(pages::proposal))
        .route(
            "/participation/proposals/{id}/support",
            post(pages::support),
        )
        .route(
            "/participation/proposals/{id}/comments",
            post(pages::comment),
        )
        .route("/participation/proposals/{id}/review", post(admin::review))
        .route(
            "/participation/proposals/{id}/attachments",
            post(attachments::upload),
        )
        .route(
            "/participation/proposals/{id}/withdraw",
            post(attachments::withdraw),
        )
        .route(
            "/participation/attachments/{id}",
            get(attachments::download),
        )
        .route(
            "/participation/attachments/{id}/remove",
            post(attachments::remove),
        )
        .route(
            "/participation/proposals/{id}/implementation",
            post(admin::implementation),
        )
        .route("/participation/{slug}", get(pages::show))
        .route(
            "/participation/{slug}/proposals",
            get(pages::proposals_page),
        )
        .route(
            "/participation/{slug}/propose",
            get(pages::propose_form).post(pages::propose),
        )
        .route(
            "/participation/{slug}/vote",
            get(pages::vote_form).post(pages::cast),
        )
        .route("/participation/{slug}/verify", post(pages::verify))
        .route("/participation/{slug}/change", post(pages::change))
        .route("/participation/{slug}/results", get(pages::results))
        .route("/participation/{slug}/map", get(map::show))
        .route("/participation/{slug}/admin", get(admin::show))
        .route(
            "/participation/{slug}/rules",
            get(process_form::rules_form).post(process_form::change_rules),
        )
        .with_state(state)
}
