//! The participation block's errors, each with a stable code that the API returns and a message
//! in Bulgarian and English (`participation-error-<code>`). A refused verification names its
//! reason (`not_resident`, `under_age`, `phone_used`, `outside_boundary` …).

use portico_http::AppError;

#[derive(Debug, thiserror::Error)]
pub enum ParticipationError {
    #[error("not found")]
    NotFound,
    #[error("not allowed")]
    Forbidden,
    #[error("invalid input: {0}")]
    Invalid(&'static str),
    /// The action does not fit the process's phase or state (`not_in_proposals`, `rules_locked` …).
    #[error("refused: {0}")]
    Refused(&'static str),
    #[error("{0}")]
    NeedsAssurance(#[from] portico_core::NeedsAssurance),
    #[error("{0}")]
    Store(#[from] portico_store::StoreError),
    #[error("{0}")]
    Audit(#[from] portico_audit::AuditError),
    #[error("{0}")]
    Internal(String),
}

impl From<sqlx::Error> for ParticipationError {
    fn from(e: sqlx::Error) -> Self {
        ParticipationError::Store(e.into())
    }
}

impl From<serde_json::Error> for ParticipationError {
    fn from(e: serde_json::Error) -> Self {
        ParticipationError::Internal(e.to_string())
    }
}

impl ParticipationError {
    /// The stable code: the API's `error.code`.
    pub fn code(&self) -> &'static str {
        match self {
            ParticipationError::NotFound => "not_found",
            ParticipationError::Forbidden => "forbidden",
            ParticipationError::Invalid(code) | ParticipationError::Refused(code) => code,
            ParticipationError::NeedsAssurance(_) => "assurance_too_low",
            ParticipationError::Store(_)
            | ParticipationError::Audit(_)
            | ParticipationError::Internal(_) => "internal",
        }
    }

    /// The HTTP status the API answers with.
    pub fn status(&self) -> axum::http::StatusCode {
        use axum::http::StatusCode as S;
        match self {
            ParticipationError::NotFound => S::NOT_FOUND,
            ParticipationError::Forbidden | ParticipationError::NeedsAssurance(_) => S::FORBIDDEN,
            ParticipationError::Invalid(_) => S::UNPROCESSABLE_ENTITY,
            ParticipationError::Refused(_) => S::CONFLICT,
            _ => S::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<ParticipationError> for AppError {
    fn from(e: ParticipationError) -> Self {
        match e {
            ParticipationError::NotFound => AppError::NotFound,
            ParticipationError::Forbidden => AppError::Forbidden,
            ParticipationError::NeedsAssurance(n) => AppError::NeedsAssurance(n),
            ParticipationError::Invalid(code) | ParticipationError::Refused(code) => {
                AppError::BadRequest(code)
            }
            other => AppError::internal(other),
        }
    }
}
