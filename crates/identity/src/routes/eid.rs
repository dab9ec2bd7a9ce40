//! Sign-in through an external eID provider (OpenID Connect, Portico as the relying party):
//! `POST /login/eid/{provider}` begins (a CSRF form, one button per provider on `/login`), the
//! provider answers at `GET /login/eid/{provider}/callback`. The rules are in
//! [`crate::service::eid`].

use super::redirect_with_session;
use crate::service::eid::{self, ExternalProviders, Refusal};
use crate::strings::TABLES;
use askama::Template;
use axum::extract::{FromRef, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use portico_http::middleware::set_cookie;
use portico_http::redirect::{local_path, safe_local_path};
use portico_http::session::AnySession;
use portico_http::{render, AppError, AppState, CsrfForm, Lang, PageContext};
use serde::Deserialize;
use std::sync::Arc;

/// The cookie that binds a begun sign-in to the browser that begun it.
const BINDING_COOKIE: &str = "portico_eid";

/// The configured external eID providers.
#[derive(Clone)]
pub struct EidLogin(pub Arc<ExternalProviders>);

/// One button of the sign-in page.
#[derive(Debug, Clone)]
pub struct EidButton {
    pub name: String,
    pub label_bg: String,
    pub label_en: String,
}

impl EidButton {
    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::Bg => &self.label_bg,
            Lang::En => &self.label_en,
        }
    }
}

/// The buttons the sign-in page shows, when providers are configured.
#[derive(Debug, Clone)]
pub struct EidButtons(pub Vec<EidButton>);

impl EidLogin {
    pub fn buttons(&self) -> EidButtons {
        EidButtons(
            self.0
                .configs()
                .map(|c| EidButton {
                    name: c.name.clone(),
                    label_bg: c.label_bg.clone(),
                    label_en: c.label_en.clone(),
                })
                .collect(),
        )
    }
}

#[derive(Clone)]
struct EidState {
    app: AppState,
    login: EidLogin,
}

impl FromRef<EidState> for AppState {
    fn from_ref(s: &EidState) -> AppState {
        s.app.clone()
    }
}

pub fn router(app: AppState, login: EidLogin) -> Router<AppState> {
    Router::new()
        .route("/login/eid/{provider}", post(begin))
        .route("/login/eid/{provider}/callback", get(callback))
        .with_state(EidState { app, login })
}

#[derive(Debug, Default, Deserialize)]
struct NextForm {
    #[serde(default, deserialize_with = "local_path")]
    next: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    iss: Option<String>,
}

#[derive(Template)]
#[template(path = "eid_refused.html")]
struct EidRefusedPage {
    page: PageContext,
    reason: &'static str,
    code: &'static str,
}

fn redirect_uri(state: &EidState, provider: &str) -> String {
    format!(
        "{}/login/eid/{provider}/callback",
        state.app.config.base_url.trim_end_matches('/')
    )
}

fn binding(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == BINDING_COOKIE)
        .map(|c| c.value().to_owned())
}

async fn begin(
    State(state): State<EidState>,
    page: PageContext,
    Path(provider): Path<String>,
    CsrfForm(form): CsrfForm<NextForm>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let now = state.app.clock.now();
    let begun = match state
        .login
        .0
        .begin(&provider, &redirect_uri(&state, &provider), now)
        .await
    {
        Ok(begun) => begun,
        Err(refusal) => return refused(&state, page, &provider, refusal).await,
    };
    let mut tx = state.app.db.begin().await?;
    let next = form.next.as_deref().and_then(safe_local_path);
    eid::record_attempt(&mut tx, &begun.attempt, next.as_deref(), now).await?;
    tx.commit().await?;
    let mut response = Redirect::to(&begun.location).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            BINDING_COOKIE,
            &begun.browser,
            // Lax: the provider's redirect back is a top-level GET from another site.
            cookie::SameSite::Lax,
            state.app.config.secure_cookies,
            Some(600),
        ),
    );
    Ok(response)
}

async fn callback(
    State(state): State<EidState>,
    page: PageContext,
    AnySession(existing): AnySession,
    Path(provider): Path<String>,
    Query(q): Query<CallbackQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let now = state.app.clock.now();
    let Some(issuer) = state.login.0.issuer(&provider).map(str::to_owned) else {
        return refused(&state, page, &provider, Refusal::UnknownProvider).await;
    };
    let Some(answer_state) = q
        .state
        .as_deref()
        .filter(|s| !s.is_empty() && s.len() <= 200)
    else {
        return refused(&state, page, &provider, Refusal::BadState).await;
    };
    // Taken (and committed) first: whatever happens next, this answer is not accepted again.
    let mut tx = state.app.db.begin().await?;
    let taken = eid::take_attempt(
        &mut tx,
        &provider,
        answer_state,
        binding(&headers).as_deref(),
        now,
    )
    .await?;
    tx.commit().await?;
    let attempt = match taken {
        Ok(attempt) => attempt,
        Err(refusal) => return refused(&state, page, &provider, refusal).await,
    };
    // RFC 9207: an answer that names another issuer is a mix-up, whoever sent it.
    if q.iss.as_deref().is_some_and(|iss| iss != issuer) {
        return refused(&state, page, &provider, Refusal::WrongIssuer).await;
    }
    if q.error.is_some() {
        return refused(&state, page, &provider, Refusal::ProviderError).await;
    }
    let Some(code) = q
        .code
        .as_deref()
        .filter(|c| !c.is_empty() && c.len() <= 2048)
    else {
        return refused(&state, page, &provider, Refusal::ProviderError).await;
    };
    let person = match state
        .login
        .0
        .redeem(&attempt, code, &redirect_uri(&state, &provider), now)
        .await
    {
        Ok(person) => person,
        Err(refusal) => return refused(&state, page, &provider, refusal).await,
    };
    let current = existing
        .as_ref()
        .filter(|u| u.fully_authenticated)
        .map(|u| u.account_id.clone());
    let mut tx = state.app.db.begin().await?;
    let signed_in = match eid::sign_in(&mut tx, &person, current.as_deref(), now).await? {
        Ok(signed_in) => signed_in,
        Err(refusal) => {
            drop(tx);
            return refused(&state, page, &provider, refusal).await;
        }
    };
    if let Some(old) = &existing {
        crate::service::sessions::delete(&mut tx, &old.session_id).await?;
    }
    tx.commit().await?;
    if signed_in.released_from.is_some() {
        tracing::info!("a claimed personal number was taken off an account by an eID sign-in");
    }
    let target = attempt
        .next
        .as_deref()
        .and_then(safe_local_path)
        .unwrap_or_else(|| "/start".to_owned());
    let mut response = redirect_with_session(&state.app, &target, &signed_in.session);
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            BINDING_COOKIE,
            "",
            cookie::SameSite::Lax,
            state.app.config.secure_cookies,
            Some(0),
        ),
    );
    Ok(response)
}

/// Nothing was linked or changed: the refusal is recorded and the person told why.
async fn refused(
    state: &EidState,
    page: PageContext,
    provider: &str,
    refusal: Refusal,
) -> Result<Response, AppError> {
    let now = state.app.clock.now();
    // The provider's name comes from the address: only a configured one is recorded as such.
    let known = state.login.0.issuer(provider).is_some();
    let mut tx = state.app.db.begin().await?;
    eid::record_refusal(
        &mut tx,
        if known { provider } else { "unknown" },
        refusal,
        now,
    )
    .await?;
    tx.commit().await?;
    let html = render(&EidRefusedPage {
        reason: page.t(&format!("eid_refused_{}", refusal.code())),
        code: refusal.code(),
        page,
    })?;
    let status = match refusal {
        Refusal::UnknownProvider => StatusCode::NOT_FOUND,
        Refusal::ProviderUnavailable => StatusCode::BAD_GATEWAY,
        _ => StatusCode::FORBIDDEN,
    };
    Ok((status, html).into_response())
}
