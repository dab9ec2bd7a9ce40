//! The participation block's API (and, later, its pages).

mod api;

use crate::service::Participation;
use axum::extract::FromRef;
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
