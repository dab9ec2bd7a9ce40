//! The shell's own routes (home, language switch, health, metrics, static files) and the layer
//! stack that wraps every block's routes.

use crate::error::AppError;
use crate::i18n::{Lang, LANG_COOKIE};
use crate::middleware::{self as mw, set_cookie};
use crate::page::{render, PageContext};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use serde::Deserialize;
use std::sync::OnceLock;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

const CSS: &str = include_str!("../static/portico.css");
const JS: &str = include_str!("../static/portico.js");

/// The largest request accepted: room for a form's attachments (each form sets its own, smaller,
/// per-file limits). The routes in [`LARGE_BODIES`] have their own.
pub const MAX_BODY_BYTES: usize = 25 * 1024 * 1024;

/// Routes (paths, where `*` stands for any one segment) that take more than [`MAX_BODY_BYTES`], with their limit: streamed
/// uploads, which read their body in pieces and never whole, and check each file's own limit as
/// they read.
pub const LARGE_BODIES: &[(&str, usize)] = &[
    // eDelivery's streamed send (portico_delivery::routes::MAX_STREAMED_REQUEST_BYTES).
    ("/api/v1/mailbox/messages/multipart", 201 * 1024 * 1024),
    // The same send from the office's page (portico_delivery's `routes::send`).
    ("/mailbox/send", 201 * 1024 * 1024),
    // A bank statement's import, on the API and the upload page
    // (portico_payments::service::statements::ROUTE_BODY_LIMIT; read as a stream, but whole).
    ("/api/v1/payments/statements", 65 * 1024 * 1024),
    ("/office/payments/statements", 65 * 1024 * 1024),
    // An open data resource's file, streamed to the blob store and checked as it comes
    // (portico_opendata::service::MAX_STREAMED_UPLOAD_BYTES, 1 GiB, and room for the form).
    ("/api/3/action/resource_create", 1025 * 1024 * 1024),
    ("/api/action/resource_create", 1025 * 1024 * 1024),
    ("/data/*/resources/new", 1025 * 1024 * 1024),
];

/// The most any route may take: the largest limit in [`LARGE_BODIES`]. A route that raises its
/// extractors' limit (`DefaultBodyLimit::max` on that route only) must be listed there too.
pub const MAX_RAISED_BODY_BYTES: usize = 1025 * 1024 * 1024;
const _: () = {
    let mut i = 0;
    while i < LARGE_BODIES.len() {
        assert!(LARGE_BODIES[i].1 <= MAX_RAISED_BODY_BYTES);
        i += 1;
    }
};

/// The body limit of a request to `path`.
pub fn body_limit(path: &str) -> usize {
    LARGE_BODIES
        .iter()
        .find(|(p, _)| path_matches(p, path))
        .map_or(MAX_BODY_BYTES, |(_, limit)| *limit)
}

/// True when `path` is `pattern`, a `*` in it standing for one segment (a dataset's name).
fn path_matches(pattern: &str, path: &str) -> bool {
    let (mut want, mut got) = (pattern.split('/'), path.split('/'));
    loop {
        match (want.next(), got.next()) {
            (None, None) => return true,
            (Some("*"), Some(s)) if !s.is_empty() => {}
            (Some(w), Some(s)) if w == s => {}
            _ => return false,
        }
    }
}

/// Refuses (413) a request whose declared `Content-Length` is over its path's limit before
/// anything reads it, and cuts off a body without a length at the limit (an extractor reading
/// it then answers 413 too).
async fn limit_body(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let limit = body_limit(req.uri().path());
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return AppError::TooLarge(Vec::new()).into_response();
    }
    let limit = declared.map_or(limit, |n| n.min(limit));
    next.run(req.map(|body| axum::body::Body::new(http_body_util::Limited::new(body, limit))))
        .await
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/lang", get(switch_language))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/static/portico.css", get(stylesheet))
        .route("/static/portico.js", get(script))
        .route("/design", get(crate::design::page))
}

/// Wraps the composed application in the layers every request passes through.
pub fn apply_layers(router: Router<AppState>, state: AppState) -> Router {
    let x_request_id = HeaderName::from_static("x-request-id");
    router
        .fallback(not_found)
        // Inside the error rendering, so that a refusal is answered as a page or the API's JSON.
        .layer(axum::middleware::from_fn(limit_body))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            mw::render_errors,
        ))
        .layer(axum::middleware::from_fn(mw::limit_anonymous_posts))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            mw::load_session,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            mw::ensure_csrf_cookie,
        ))
        .layer(axum::middleware::from_fn(mw::track_metrics))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            caching_and_transport,
        ))
        .layer(security_header("x-content-type-options", "nosniff"))
        .layer(security_header("x-frame-options", "DENY"))
        .layer(security_header("referrer-policy", "same-origin"))
        .layer(security_header(
            "content-security-policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ))
        // axum's extractors have their own, smaller default (2 MiB); forms check each file's
        // own limit, so the extractors may read up to the whole request limit (a route in
        // `LARGE_BODIES` sets its own).
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(TraceLayer::new_for_http())
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid))
        .layer(axum::middleware::from_fn(mw::run_to_completion))
        .with_state(state)
}

/// `Strict-Transport-Security` for a year when the site is reached over https.
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

/// No response is kept by a browser or a proxy unless its handler says it may (the static files
/// do): pages show personal data, and a shared computer's back button or cache must not show them
/// to the next person. Over https, browsers are told to use nothing else (HSTS).
async fn caching_and_transport(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.config.base_url.starts_with("https://") {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    response
}

fn security_header(name: &'static str, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(
        HeaderName::from_static(name),
        HeaderValue::from_static(value),
    )
}

async fn not_found() -> AppError {
    AppError::NotFound
}

#[derive(Deserialize)]
struct SwitchLanguage {
    to: String,
    #[serde(default, deserialize_with = "crate::redirect::local_path")]
    back: Option<String>,
}

/// The language switch is a plain link, so it works without JavaScript.
async fn switch_language(
    State(state): State<AppState>,
    Query(q): Query<SwitchLanguage>,
) -> Response {
    let lang = Lang::parse(&q.to).unwrap_or_default();
    let mut response = Redirect::to(q.back.as_deref().unwrap_or("/")).into_response();
    let cookie = set_cookie(
        LANG_COOKIE,
        lang.code(),
        cookie::SameSite::Lax,
        state.config.secure_cookies,
        Some(365 * 86400),
    );
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

async fn healthz() -> &'static str {
    "ok"
}

/// Ready when the database answers; a load balancer stops sending traffic to a node that is not.
async fn readyz(State(state): State<AppState>) -> Response {
    if state.db.ping().await {
        (StatusCode::OK, "ready").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
    }
}

/// The process-wide Prometheus recorder (metrics macros write to one global recorder).
pub fn prometheus() -> &'static Option<PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE.get_or_init(|| PrometheusBuilder::new().install_recorder().ok())
}

/// Whether `headers` carry `Authorization: Bearer <token>`, compared in constant time.
fn bearer_matches(headers: &axum::http::HeaderMap, token: &str) -> bool {
    use subtle::ConstantTimeEq;
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|given| bool::from(given.as_bytes().ct_eq(token.as_bytes())))
}

async fn metrics(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    if let Some(token) = &state.config.metrics_token {
        // Answered like an unknown path, so that the endpoint is not advertised.
        if !bearer_matches(&headers, token) {
            return AppError::NotFound.into_response();
        }
    }
    if let Ok(counts) = portico_store::jobs::count_by_status(&state.db).await {
        for (status, n) in counts {
            metrics::gauge!("portico_jobs", "status" => status).set(n as f64);
        }
    }
    let body = prometheus()
        .as_ref()
        .map(|h| h.render())
        .unwrap_or_default();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
        .into_response()
}

async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        JS,
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub page: PageContext,
    /// (name, kind) of each joined administration, in the person's language.
    pub administrations: Vec<(String, String)>,
}

pub fn home_page(
    page: PageContext,
    administrations: Vec<(String, String)>,
) -> Result<Response, AppError> {
    Ok(render(&HomePage {
        page,
        administrations,
    })?
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_star_in_a_large_body_route_stands_for_one_segment() {
        assert_eq!(body_limit("/data/budget/resources/new"), 1025 * 1024 * 1024);
        assert_eq!(body_limit("/data//resources/new"), MAX_BODY_BYTES);
        assert_eq!(body_limit("/data/a/b/resources/new"), MAX_BODY_BYTES);
        assert_eq!(body_limit("/data/budget/edit"), MAX_BODY_BYTES);
        assert_eq!(body_limit("/api/v1/payments/statements"), 65 * 1024 * 1024);
    }
}
