//! The cases block's pages and API.

mod api;
mod applicant;
mod confirm;
mod consent;
mod documents;
mod evidence;
mod filling;
mod office;
mod service_applications;
mod service_deadlines;
mod views;

use crate::service::Cases;
use axum::extract::FromRef;
use axum::routing::{get, post};
use axum::Router;
use portico_http::AppState;

pub use api::api_router;

/// The shell's state plus the cases rules' own context (which holds the platform key that signs
/// submission records and results).
#[derive(Clone)]
pub struct CasesState {
    pub app: AppState,
    pub cases: Cases,
}

impl CasesState {
    pub fn new(
        app: AppState,
        key: portico_audit::SigningKey,
        registries: Option<portico_registries::service::Registries>,
    ) -> CasesState {
        let cases = Cases {
            db: app.db.clone(),
            blobs: app.blobs.clone(),
            key,
            clock: app.clock.clone(),
            jobs_waker: app.jobs_waker.clone(),
            base_url: app.config.base_url.clone(),
            registries,
        };
        CasesState { app, cases }
    }
}

impl FromRef<CasesState> for AppState {
    fn from_ref(s: &CasesState) -> AppState {
        s.app.clone()
    }
}

pub fn router(state: CasesState) -> Router<AppState> {
    Router::new()
        .route("/services/{slug}/apply", get(filling::start))
        .route("/applications", get(applicant::list))
        .route("/applications/{id}", get(applicant::show))
        .route(
            "/applications/{id}/step/{step}",
            get(filling::step_form).post(filling::step_submit),
        )
        .route("/applications/{id}/review", get(filling::review))
        .route("/applications/{id}/submit", post(filling::submit))
        .route("/applications/{id}/respond", post(applicant::respond))
        .route("/applications/{id}/withdraw", post(applicant::withdraw))
        .route("/applications/{id}/result", get(applicant::result))
        .route(
            "/applications/{id}/submission.jws",
            get(evidence::submission),
        )
        .route("/applications/{id}/result.jws", get(evidence::result))
        .route("/documents", get(documents::index))
        .route("/documents/check", post(documents::check))
        .route("/documents/{code}", get(documents::show))
        .route("/consents", get(consent::list))
        .route("/consents/{id}", get(consent::show).post(consent::decide))
        .route("/office", get(office::queue))
        .route(
            "/admin/services/{slug}/applications",
            get(service_applications::list),
        )
        .route(
            "/admin/services/{slug}/deadlines",
            get(service_deadlines::show).post(service_deadlines::save),
        )
        .route("/office/cases/{id}", get(office::case))
        .route("/office/cases/{id}/claim", post(office::claim))
        .route("/office/cases/{id}/assign", post(office::assign))
        .route(
            "/office/cases/{id}/attachments/{attachment}",
            get(office::attachment),
        )
        .route("/office/cases/{id}/note", post(office::note))
        .route("/office/cases/{id}/checks/{check}", post(office::check))
        .route("/office/cases/{id}/transition", post(office::transition))
        .with_state(state)
}
