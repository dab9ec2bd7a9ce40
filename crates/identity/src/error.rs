use portico_http::{AppError, FieldError};

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("wrong sign-in details")]
    WrongCredentials,
    #[error("wrong, expired or already used code")]
    WrongCode,
    #[error("too many attempts; retry after {0} s")]
    RateLimited(i64),
    #[error("no such administration")]
    UnknownAdministration,
    #[error("no such unit in this administration")]
    UnknownUnit,
    #[error("not found")]
    NotFound,
    #[error("not allowed")]
    Forbidden,
    #[error("{0}")]
    NeedsAssurance(portico_core::NeedsAssurance),
    #[error("{0}")]
    Store(#[from] portico_store::StoreError),
    #[error("{0}")]
    Audit(#[from] portico_audit::AuditError),
    #[error("{0}")]
    Internal(String),
}

impl IdentityError {
    pub fn field(field: &str, code: &str) -> Self {
        IdentityError::Invalid(vec![FieldError::new(field, code)])
    }
}

impl From<sqlx::Error> for IdentityError {
    fn from(e: sqlx::Error) -> Self {
        IdentityError::Store(e.into())
    }
}

impl From<IdentityError> for AppError {
    fn from(e: IdentityError) -> Self {
        match e {
            IdentityError::Invalid(fields) => AppError::Invalid(fields),
            IdentityError::WrongCredentials => AppError::Invalid(vec![FieldError::new(
                "identifier",
                "login.wrong_credentials",
            )]),
            IdentityError::WrongCode => {
                AppError::Invalid(vec![FieldError::new("code", "code.wrong")])
            }
            IdentityError::RateLimited(secs) => AppError::RateLimited {
                retry_after_secs: secs,
            },
            IdentityError::UnknownAdministration
            | IdentityError::UnknownUnit
            | IdentityError::NotFound => AppError::NotFound,
            IdentityError::Forbidden => AppError::Forbidden,
            IdentityError::NeedsAssurance(needs) => AppError::NeedsAssurance(needs),
            IdentityError::Store(e) => AppError::internal(e),
            IdentityError::Audit(e) => AppError::internal(e),
            IdentityError::Internal(e) => AppError::Internal(e),
        }
    }
}
