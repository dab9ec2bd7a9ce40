//! The layers every request passes through, outermost first in [`crate::shell::apply_layers`].

use crate::csrf::{CsrfCookie, CSRF_COOKIE};
use crate::error::{ApiErrorBody, AppError, ErrorMarker};
use crate::page::{cookie_value, PageContext};
use crate::session::{CurrentSession, SESSION_COOKIE};
use crate::state::AppState;
use askama::Template;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use rand::RngCore;
use std::time::Instant;

/// Builds a `Set-Cookie` value with Portico's defaults: HttpOnly, path `/`, Secure when configured.
pub fn set_cookie(
    name: &str,
    value: &str,
    same_site: cookie::SameSite,
    secure: bool,
    max_age_secs: Option<i64>,
) -> HeaderValue {
    let mut c = cookie::Cookie::build((name.to_owned(), value.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(same_site)
        .secure(secure);
    if let Some(secs) = max_age_secs {
        c = c.max_age(cookie::time::Duration::seconds(secs));
    }
    HeaderValue::from_str(&c.build().to_string()).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Gives every visitor a CSRF cookie, so the first form they see can already be posted.
pub async fn ensure_csrf_cookie(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let (parts, body) = req.into_parts();
    let existing = cookie_value(&parts, CSRF_COOKIE).filter(|v| v.len() == 64);
    req = Request::from_parts(parts, body);
    let (value, fresh) = match existing {
        Some(v) => (v, false),
        None => {
            let mut bytes = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            (hex::encode(bytes), true)
        }
    };
    req.extensions_mut().insert(CsrfCookie(value.clone()));
    let mut response = next.run(req).await;
    if fresh {
        let cookie = set_cookie(
            CSRF_COOKIE,
            &value,
            cookie::SameSite::Strict,
            state.config.secure_cookies,
            None,
        );
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// Resolves the session cookie once per request and leaves the answer for the extractors.
pub async fn load_session(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let token = cookie_value(&parts, SESSION_COOKIE);
    let bearer = crate::api_auth::bearer_token(&parts.headers).map(str::to_owned);
    req = Request::from_parts(parts, body);
    if let Some(token) = bearer {
        match state.bearer.resolve_bearer(&token).await {
            Ok(actor) => req
                .extensions_mut()
                .insert(crate::api_auth::CurrentBearer(actor)),
            Err(e) => return e.into_response(),
        };
    }
    let user = match token {
        Some(token) => match state.sessions.resolve(&token).await {
            Ok(user) => user,
            Err(e) => return e.into_response(),
        },
        None => None,
    };
    req.extensions_mut().insert(CurrentSession(user));
    next.run(req).await
}

/// Turns an [`AppError`] into the page or JSON body the client expects.
pub async fn render_errors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let is_api = parts.uri.path().starts_with("/api/");
    let request_id = parts
        .headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned();
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let page = PageContext::from_parts(&parts, &state);
    let response = next.run(Request::from_parts(parts, body)).await;
    let Some(ErrorMarker(error)) = response.extensions().get::<ErrorMarker>().cloned() else {
        return response;
    };
    if let AppError::Internal(detail) = error.as_ref() {
        tracing::error!(request_id = %request_id, error = %detail, "internal error");
    }
    let status = error.status();
    let mut out = if is_api {
        (status, Json(ApiErrorBody::from_error(&error, &request_id))).into_response()
    } else if matches!(error.as_ref(), AppError::Unauthorized) {
        let next: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
        Redirect::to(&format!("/login?next={next}")).into_response()
    } else if let AppError::NeedsAssurance(needs) = error.as_ref() {
        assurance_page(page, needs, status)
    } else {
        error_page(page, &error, &request_id, status)
    };
    // Keep headers the handler set (Set-Cookie, Retry-After), except the body's length and type.
    for (name, value) in response.headers() {
        if name != header::CONTENT_LENGTH && name != header::CONTENT_TYPE {
            out.headers_mut().append(name.clone(), value.clone());
        }
    }
    out
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    page: PageContext,
    title: &'static str,
    body: &'static str,
    reference: &'a str,
    retry_after: Option<i64>,
}

fn error_page(
    page: PageContext,
    error: &AppError,
    request_id: &str,
    status: StatusCode,
) -> Response {
    let (title, body) = match error {
        AppError::NotFound => ("error_not_found_title", "error_not_found_body"),
        AppError::Forbidden => ("error_forbidden_title", "error_forbidden_body"),
        AppError::Csrf => ("error_csrf_title", "error_csrf_body"),
        AppError::Conflict(_) => ("error_conflict_title", ""),
        AppError::RateLimited { .. } => ("error_rate_limited_title", ""),
        AppError::PayloadTooLarge => ("error_too_large_title", "error_too_large_body"),
        AppError::Internal(_) => ("error_internal_title", "error_internal_body"),
        AppError::Unauthorized | AppError::InvalidToken => ("error_unauthorized_title", ""),
        AppError::InsufficientScope(_) => ("error_forbidden_title", "error_forbidden_body"),
        AppError::Invalid(_) | AppError::BadRequest(_) | AppError::TooLarge(_) => {
            ("error_bad_request_title", "")
        }
        AppError::NeedsAssurance(_) => ("assurance_needed_title", ""),
    };
    let template = ErrorPage {
        title: page.t(title),
        body: if body.is_empty() { "" } else { page.t(body) },
        reference: if matches!(error, AppError::Internal(_)) {
            request_id
        } else {
            ""
        },
        retry_after: match error {
            AppError::RateLimited { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        },
        page,
    };
    match template.render() {
        Ok(html) => (status, axum::response::Html(html)).into_response(),
        Err(_) => (status, "Error").into_response(),
    }
}

#[derive(Template)]
#[template(path = "assurance_needed.html")]
struct AssurancePage {
    page: PageContext,
    needed: &'static str,
    current: &'static str,
    /// A member of staff at `low`: their identity is vouched for by their administration, so what
    /// their session lacks is the second factor, not a check at a counter.
    staff: bool,
}

/// What a person is told when an action needs a higher level of assurance than their session
/// has: why, and what to do about it. Nothing was done.
fn assurance_page(
    page: PageContext,
    needs: &portico_core::NeedsAssurance,
    status: StatusCode,
) -> Response {
    let level = |a: portico_core::Assurance| match a {
        portico_core::Assurance::Low => "assurance_low",
        portico_core::Assurance::Substantial => "assurance_substantial",
        portico_core::Assurance::High => "assurance_high",
    };
    let template = AssurancePage {
        needed: page.t(level(needs.needed)),
        current: page.t(level(needs.current)),
        staff: needs.current == portico_core::Assurance::Low
            && page
                .user
                .as_ref()
                .is_some_and(|u| u.kind == crate::AccountKind::Staff),
        page,
    };
    match template.render() {
        Ok(html) => (status, axum::response::Html(html)).into_response(),
        Err(_) => (status, "Error").into_response(),
    }
}

/// Counts requests and their latency per route and status, for `/metrics`.
pub async fn track_metrics(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = req.method().to_string();
    let started = Instant::now();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("portico_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status).increment(1);
    metrics::histogram!("portico_http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

/// Runs each request to its end even if the client goes away. Dropping a handler half-way (what
/// hyper does on disconnect) could leave a pooled database connection inside a transaction it
/// never finishes (sqlx cannot always clean up a cancelled `BEGIN`), and a submission half-done
/// is not something a public service should have. The request's own transaction still commits or
/// rolls back as its handler decides.
pub async fn run_to_completion(req: Request, next: Next) -> Response {
    match tokio::spawn(next.run(req)).await {
        Ok(response) => response,
        Err(error) => {
            tracing::error!(%error, "request task failed");
            AppError::Internal("request task failed".into()).into_response()
        }
    }
}

/// The largest body of a POST from someone not signed in (no session, no `Authorization`):
/// sign-in, registration and the like are a few hundred bytes.
pub const MAX_ANONYMOUS_BODY_BYTES: usize = 16 * 1024;

/// Public forms that take a file from anyone, with their own larger limit: the check of a
/// document the platform issued (`/documents/check`, the cases block), whose result PDFs are
/// tens of kilobytes.
pub const ANONYMOUS_UPLOADS: &[(&str, usize)] = &[("/documents/check", 2 * 1024 * 1024)];

/// Refuses (413) an anonymous POST whose body is over [`MAX_ANONYMOUS_BODY_BYTES`] (or the
/// path's limit in [`ANONYMOUS_UPLOADS`]) before any
/// extractor (the CSRF check included) reads it, so that nobody can make a node read 25 MiB
/// without signing in. Runs after [`load_session`].
pub async fn limit_anonymous_posts(req: Request, next: Next) -> Response {
    let signed_in = req
        .extensions()
        .get::<CurrentSession>()
        .is_some_and(|s| s.0.is_some());
    if req.method() != axum::http::Method::POST
        || signed_in
        || req.headers().contains_key(header::AUTHORIZATION)
    {
        return next.run(req).await;
    }
    let too_large = || {
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            "request body too large for a request without a session",
        )
            .into_response()
    };
    let limit = ANONYMOUS_UPLOADS
        .iter()
        .find(|(path, _)| req.uri().path() == *path)
        .map_or(MAX_ANONYMOUS_BODY_BYTES, |(_, limit)| *limit);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return too_large();
    }
    // A body without a length (chunked) is read here, never past the limit.
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                .await
        }
        Err(_) => too_large(),
    }
}
