//! The insights block's errors, each with a stable code that the API returns and a message in
//! Bulgarian and English (`insights-error-<code>` for field errors).

use portico_http::AppError;

#[derive(Debug, thiserror::Error)]
pub enum InsightsError {
    #[error("not found")]
    NotFound,
    #[error("the actor may not do this")]
    Forbidden,
    #[error("invalid input")]
    Invalid(Vec<portico_core::FieldError>),
    #[error("{0}")]
    Store(#[from] portico_store::StoreError),
    #[error("{0}")]
    Audit(#[from] portico_audit::AuditError),
    #[error("{0}")]
    Catalog(#[from] portico_catalog::CatalogError),
    #[error("{0}")]
    Identity(#[from] portico_identity::IdentityError),
    #[error("{0}")]
    Internal(String),
}

impl From<sqlx::Error> for InsightsError {
    fn from(e: sqlx::Error) -> Self {
        InsightsError::Store(e.into())
    }
}

impl From<serde_json::Error> for InsightsError {
    fn from(e: serde_json::Error) -> Self {
        InsightsError::Internal(e.to_string())
    }
}

impl InsightsError {
    /// One field's error.
    pub fn field(field: &str, code: &str) -> Self {
        InsightsError::Invalid(vec![portico_core::FieldError::new(field, code)])
    }
}

impl From<InsightsError> for AppError {
    fn from(e: InsightsError) -> Self {
        match e {
            InsightsError::NotFound => AppError::NotFound,
            InsightsError::Forbidden => AppError::NotFound,
            InsightsError::Invalid(errors) => AppError::Invalid(errors),
            InsightsError::Identity(e) => e.into(),
            other => AppError::internal(other),
        }
    }
}
