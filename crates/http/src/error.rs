//! Errors, mapped to HTTP once. Handlers return [`AppError`]; its `IntoResponse` only sets the
//! status and attaches the error, and [`crate::middleware::render_errors`] turns it into a page in
//! the person's language or into the API's JSON error, depending on where the request went.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::sync::Arc;
use utoipa::ToSchema;

pub use portico_core::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("sign-in required")]
    Unauthorized,
    #[error("the form's CSRF token is missing or wrong")]
    Csrf,
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// The request, or a file in it, is over its limit (413); the fields say which.
    #[error("too large")]
    TooLarge(Vec<FieldError>),
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// The request's body is over the route's limit (the platform's default, or the route's
    /// own): 413.
    #[error("the request body is too large")]
    PayloadTooLarge,
    #[error("too many attempts; retry after {retry_after_secs} s")]
    RateLimited { retry_after_secs: i64 },
    /// The action needs a higher level of assurance than the session has: pages explain how to
    /// raise it (see [`portico_core::Actor::require`]).
    #[error("{0}")]
    NeedsAssurance(portico_core::NeedsAssurance),
    /// A bearer token that is not valid now (malformed, expired, revoked): 401 with
    /// `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750).
    #[error("the access token is not valid")]
    InvalidToken,
    /// An API client's token lacks the scope the route needs: 403 `insufficient_scope`.
    #[error("the access token lacks the scope {0}")]
    InsufficientScope(&'static str),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<portico_core::NeedsAssurance> for AppError {
    fn from(e: portico_core::NeedsAssurance) -> Self {
        AppError::NeedsAssurance(e)
    }
}

impl AppError {
    pub fn internal(e: impl std::fmt::Display) -> Self {
        AppError::Internal(e.to_string())
    }

    /// A body that could not be read: over the route's limit (413), or broken off (400).
    pub fn from_body_rejection(e: &axum::extract::rejection::BytesRejection) -> Self {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge
        } else {
            AppError::BadRequest("body_too_large")
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::Csrf | AppError::NeedsAssurance(_) => {
                StatusCode::FORBIDDEN
            }
            AppError::Unauthorized | AppError::InvalidToken => StatusCode::UNAUTHORIZED,
            AppError::InsufficientScope(_) => StatusCode::FORBIDDEN,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable code clients can match on.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound => "not_found",
            AppError::Forbidden => "forbidden",
            AppError::Unauthorized => "unauthorized",
            AppError::Csrf => "csrf",
            AppError::NeedsAssurance(_) => "assurance_too_low",
            AppError::Invalid(_) => "invalid",
            AppError::TooLarge(_) => "too_large",
            AppError::BadRequest(code) | AppError::Conflict(code) => code,
            AppError::PayloadTooLarge => "body_too_large",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::InvalidToken => "invalid_token",
            AppError::InsufficientScope(_) => "insufficient_scope",
            AppError::Internal(_) => "internal",
        }
    }

    /// The plain-language message for API clients (English; pages use the translations).
    pub fn public_message(&self) -> String {
        match self {
            AppError::NotFound => "Not found.".into(),
            AppError::Forbidden => "You do not have permission to do this.".into(),
            AppError::Unauthorized => "Sign in first.".into(),
            AppError::Csrf => {
                "The form's security token is missing or has expired. Reload and try again.".into()
            }
            AppError::NeedsAssurance(_) => {
                "This action needs your identity to be verified (level of \
                 assurance substantial or high). Verify it at a counter, then try again."
                    .into()
            }
            AppError::Invalid(_) => "Some fields are not valid; see details.".into(),
            AppError::TooLarge(_) => {
                "The request or one of its files is larger than allowed.".into()
            }
            AppError::BadRequest(_) => "The request is not valid.".into(),
            AppError::PayloadTooLarge => "The request is larger than this address accepts.".into(),
            AppError::Conflict(_) => {
                "Someone else changed this at the same time. Reload and try again.".into()
            }
            AppError::RateLimited { retry_after_secs } => {
                format!("Too many attempts. Try again in {retry_after_secs} seconds.")
            }
            AppError::InvalidToken => {
                "The access token is not valid: it has expired or been revoked. Get a new one at /oauth/token.".into()
            }
            AppError::InsufficientScope(scope) => {
                format!("The access token does not carry the scope this needs ({scope}).")
            }
            AppError::Internal(_) => "Something went wrong on our side. Try again later.".into(),
        }
    }
}

impl From<portico_store::StoreError> for AppError {
    fn from(e: portico_store::StoreError) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

/// Carried on the response to the error-rendering middleware.
#[derive(Clone)]
pub struct ErrorMarker(pub Arc<AppError>);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut response = status.into_response();
        if let AppError::RateLimited { retry_after_secs } = &self {
            if let Ok(v) = retry_after_secs.to_string().parse() {
                response
                    .headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, v);
            }
        }
        let challenge = match &self {
            AppError::InvalidToken => Some(r#"Bearer error="invalid_token""#.to_owned()),
            AppError::InsufficientScope(scope) => Some(format!(
                r#"Bearer error="insufficient_scope", scope="{scope}""#
            )),
            _ => None,
        };
        if let Some(v) = challenge.and_then(|c| c.parse().ok()) {
            response
                .headers_mut()
                .insert(axum::http::header::WWW_AUTHENTICATE, v);
        }
        response
            .extensions_mut()
            .insert(ErrorMarker(Arc::new(self)));
        response
    }
}

/// The one error format of the JSON API.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiErrorBody {
    pub error: ApiErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiErrorDetail {
    pub code: String,
    pub message: String,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

impl ApiErrorBody {
    pub fn from_error(e: &AppError, request_id: &str) -> Self {
        let details = match e {
            AppError::Invalid(fields) | AppError::TooLarge(fields) => {
                serde_json::json!({ "fields": fields })
            }
            AppError::Internal(_) => serde_json::json!({ "request_id": request_id }),
            AppError::RateLimited { retry_after_secs } => {
                serde_json::json!({ "retry_after": retry_after_secs })
            }
            AppError::NeedsAssurance(n) => {
                serde_json::json!({ "needed": n.needed, "current": n.current })
            }
            AppError::InsufficientScope(scope) => serde_json::json!({ "scope": scope }),
            _ => serde_json::json!({}),
        };
        ApiErrorBody {
            error: ApiErrorDetail {
                code: e.code().to_owned(),
                message: e.public_message(),
                details,
            },
        }
    }
}
