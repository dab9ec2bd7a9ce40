use portico_http::{AppError, FieldError};

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// Input refused field by field; each code names a translated message.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("not found")]
    NotFound,
    #[error("no such service template: {0}")]
    UnknownTemplate(String),
    #[error("no such administration")]
    UnknownAdministration,
    /// A form definition that cannot be published (schema or layout), with the reason.
    #[error("form definition: {0}")]
    BadForm(String),
    /// A demo data file (`crates/catalog/demo/...`) that does not parse.
    #[error("demo data {file}: {reason}")]
    DemoData { file: &'static str, reason: String },
    /// The actor may not do this (role).
    #[error("forbidden")]
    Forbidden,
    /// The actor may, but must sign in with a stronger level of assurance first.
    #[error("{0}")]
    NeedsAssurance(#[from] portico_core::NeedsAssurance),
    #[error("another change was made at the same time")]
    Conflict,
    #[error("{0}")]
    Store(#[from] portico_store::StoreError),
    #[error("{0}")]
    Audit(#[from] portico_audit::AuditError),
    #[error("{0}")]
    Identity(#[from] portico_identity::IdentityError),
    #[error("{0}")]
    Internal(String),
}

impl CatalogError {
    pub fn field(field: &str, code: &str) -> Self {
        CatalogError::Invalid(vec![FieldError::new(field, code)])
    }

    /// The field errors, if this is a refusal of input.
    pub fn field_errors(&self) -> Option<&[FieldError]> {
        match self {
            CatalogError::Invalid(errors) => Some(errors),
            _ => None,
        }
    }
}

impl From<sqlx::Error> for CatalogError {
    fn from(e: sqlx::Error) -> Self {
        CatalogError::Store(e.into())
    }
}

impl From<serde_json::Error> for CatalogError {
    fn from(e: serde_json::Error) -> Self {
        CatalogError::Internal(format!("stored JSON: {e}"))
    }
}

impl From<CatalogError> for AppError {
    fn from(e: CatalogError) -> Self {
        match e {
            CatalogError::Invalid(fields) => AppError::Invalid(fields),
            CatalogError::NotFound
            | CatalogError::UnknownTemplate(_)
            | CatalogError::UnknownAdministration => AppError::NotFound,
            CatalogError::BadForm(_) => AppError::BadRequest("bad_form"),
            CatalogError::Conflict => AppError::Conflict("catalog_changed"),
            CatalogError::Forbidden => AppError::Forbidden,
            CatalogError::NeedsAssurance(n) => AppError::NeedsAssurance(n),
            CatalogError::Store(e) => AppError::internal(e),
            CatalogError::Audit(e) => AppError::internal(e),
            CatalogError::Identity(e) => e.into(),
            CatalogError::Internal(e) => AppError::Internal(e),
            e @ CatalogError::DemoData { .. } => AppError::Internal(e.to_string()),
        }
    }
}
