//! The delivery block's pages and API.

mod api;
mod pages;
mod send;
mod webhooks;

use crate::service::Delivery;
use axum::extract::FromRef;
use axum::routing::{get, post};
use axum::Router;
use portico_core::Actor;
use portico_http::{AppState, SessionUser};

pub use api::api_router;

#[derive(Clone)]
pub struct DeliveryState {
    pub app: AppState,
    pub delivery: Delivery,
}

impl DeliveryState {
    pub fn new(app: AppState, key: portico_audit::SigningKey) -> DeliveryState {
        let delivery = Delivery::new(
            app.db.clone(),
            app.blobs.clone(),
            key,
            app.clock.clone(),
            app.jobs_waker.clone(),
            app.config.base_url.clone(),
        );
        DeliveryState { app, delivery }
    }
}

impl FromRef<DeliveryState> for AppState {
    fn from_ref(s: &DeliveryState) -> AppState {
        s.app.clone()
    }
}

/// Who acts for a page request: the signed-in session (the API's caller is [`api::Caller`]).
pub(crate) fn actor(user: &SessionUser) -> Actor {
    user.actor()
}

pub fn router(state: DeliveryState) -> Router<AppState> {
    Router::new()
        .route("/mailbox", get(pages::list))
        .route("/mailbox/messages/{id}", get(pages::show))
        .route("/mailbox/messages/{id}/reply", post(pages::reply))
        .route(
            send::SEND_PATH,
            // Files of up to 100 MiB each, read as they come, like the API's streamed send: the
            // shell's own limit for this path (`portico_http::shell::LARGE_BODIES`).
            get(send::form)
                .post(send::send)
                .layer(axum::extract::DefaultBodyLimit::max(
                    portico_http::shell::body_limit(send::SEND_PATH),
                )),
        )
        .route("/mailbox/sent/{id}", get(send::sent))
        .route("/mailbox/export", get(pages::export_mailbox))
        .route("/mailbox/messages/{id}/export", get(pages::export_thread))
        .route("/mailbox/grants", post(pages::grant))
        .route("/mailbox/grants/{id}/revoke", post(pages::revoke))
        .route("/mailbox/webhooks", get(webhooks::console))
        .route("/mailbox/webhooks/{id}/remove", post(webhooks::remove))
        .route(
            "/mailbox/messages/{id}/attachments/{position}",
            get(pages::attachment),
        )
        .route("/mailbox/messages/{id}/message.json", get(pages::content))
        .route(
            "/mailbox/messages/{id}/evidence",
            get(pages::evidence_chain),
        )
        .route(
            "/mailbox/messages/{id}/evidence/{seq}",
            get(pages::evidence_one),
        )
        .with_state(state)
}
