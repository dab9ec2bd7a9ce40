//! The identity block's pages and API.

mod account;
mod api;
mod api_clients;
pub mod certificates;
mod contact;
pub mod eid;
mod login;
mod mandates;
pub mod oauth;
pub mod oidc;
mod onboarding;
mod register;
mod step_up;
mod verify;

use crate::service::sessions;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use portico_core::Clock;
use portico_http::middleware::set_cookie;
use portico_http::session::SESSION_COOKIE;
use portico_http::{AppError, AppState, SessionResolver, SessionUser};
use portico_store::Db;
use std::sync::Arc;

pub use oauth::ApiTokens;

/// The identity block's API: accounts and administrations, and API clients.
pub fn api_router() -> utoipa_axum::router::OpenApiRouter<AppState> {
    api::api_router()
        .merge(api_clients::api())
        .merge(oidc::api())
}

/// The identity block needs nothing beyond the shell's state.
pub type IdentityState = AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/register", get(register::form).post(register::submit))
        .route("/login", get(login::form).post(login::submit))
        .route("/login/second-factor", get(login::second_factor))
        .route("/login/totp", post(login::verify_totp))
        .route(
            "/login/email-link",
            post(login::send_email_link).get(login::open_email_link),
        )
        .route("/login/sms", post(login::send_sms_code))
        .route("/login/sms/verify", post(login::verify_sms_code))
        .route("/logout", post(login::logout))
        .route("/step-up/code", post(step_up::send_code))
        .route("/account", get(account::overview))
        .route("/verify", get(verify::find_form))
        .route("/verify/find", post(verify::find))
        .route("/verify/{id}", post(verify::verify))
        .route("/verify/{id}/release", post(verify::release))
        .route(
            "/account/totp",
            get(account::totp_form).post(account::totp_confirm),
        )
        .route("/account/totp/remove", post(account::totp_remove))
        .route("/account/contact", get(contact::form).post(contact::begin))
        .route(
            "/account/contact/{id}",
            get(contact::code_form).post(contact::confirm),
        )
        .merge(api_clients::pages())
        .merge(onboarding::pages())
        .route(
            "/account/mandates",
            get(mandates::overview).post(mandates::grant),
        )
        .route("/account/mandates/{id}/revoke", post(mandates::revoke))
        .route("/acting-as", post(mandates::act_as))
        .route(
            "/representatives",
            get(mandates::representatives_form).post(mandates::record_representative),
        )
        .route(
            "/account/sign-out-everywhere",
            post(account::sign_out_everywhere),
        )
}

/// Resolves session cookies against the sessions table.
pub struct DbSessions {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    /// A session without a request for this long ends (see `sessions::default_idle_timeout`).
    pub idle_timeout: chrono::Duration,
}

#[async_trait::async_trait]
impl SessionResolver for DbSessions {
    async fn resolve(&self, token: &str) -> Result<Option<SessionUser>, AppError> {
        Ok(sessions::resolve(&self.db, token, self.clock.now(), self.idle_timeout).await?)
    }
}

fn session_cookie(state: &AppState, token: &str) -> HeaderValue {
    set_cookie(
        SESSION_COOKIE,
        token,
        cookie::SameSite::Lax,
        state.config.secure_cookies,
        None,
    )
}

fn clear_session_cookie(state: &AppState) -> HeaderValue {
    set_cookie(
        SESSION_COOKIE,
        "",
        cookie::SameSite::Lax,
        state.config.secure_cookies,
        Some(0),
    )
}

/// A redirect (303, so the browser follows with GET) that also sets the session cookie.
fn redirect_with_session(state: &AppState, to: &str, token: &str) -> Response {
    let mut response = Redirect::to(to).into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, session_cookie(state, token));
    response
}
