//! The registry exchange's errors, each with a stable code that the API returns and the query log
//! records, and a message in Bulgarian and English (`registries-error-<code>`).

use portico_http::AppError;

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("not found")]
    NotFound,
    #[error("not allowed")]
    Forbidden,
    #[error("the caller may not query registers")]
    NotAClient,
    #[error("a legal basis is required")]
    LegalBasisRequired,
    #[error("no such operation or version")]
    UnknownOperation,
    #[error("the subject's identifier is not valid: {0}")]
    InvalidSubject(&'static str),
    #[error("the request does not match the operation's schema: {0}")]
    InvalidRequest(String),
    #[error("the administration has no access to this operation")]
    NoGrant,
    #[error("the administration's access to this operation has expired")]
    GrantExpired,
    #[error("the register holds nothing for this subject")]
    NoRecord,
    #[error("the register's service did not answer in time")]
    AdapterTimeout,
    #[error("the register's service answered something that does not match the schema: {0}")]
    AdapterBadResponse(String),
    #[error("the register's service failed: {0}")]
    AdapterFailed(String),
    #[error("invalid input: {0}")]
    Invalid(&'static str),
    #[error("{0}")]
    NeedsAssurance(#[from] portico_core::NeedsAssurance),
    #[error("{0}")]
    Store(#[from] portico_store::StoreError),
    #[error("{0}")]
    Audit(#[from] portico_audit::AuditError),
    #[error("{0}")]
    Identity(#[from] portico_identity::IdentityError),
    #[error("the query log could not be written: {0}")]
    Log(String),
    #[error("{0}")]
    Internal(String),
}

impl From<sqlx::Error> for RegistryError {
    fn from(e: sqlx::Error) -> Self {
        RegistryError::Store(e.into())
    }
}

impl From<serde_json::Error> for RegistryError {
    fn from(e: serde_json::Error) -> Self {
        RegistryError::Internal(e.to_string())
    }
}

impl RegistryError {
    /// The stable code: the API's `error.code`, the query log's `error_code`.
    pub fn code(&self) -> &'static str {
        match self {
            RegistryError::NotFound => "not_found",
            RegistryError::Forbidden => "forbidden",
            RegistryError::NotAClient => "not_a_registry_client",
            RegistryError::LegalBasisRequired => "legal_basis_required",
            RegistryError::UnknownOperation => "unknown_operation",
            RegistryError::InvalidSubject(_) => "invalid_subject",
            RegistryError::InvalidRequest(_) => "invalid_request",
            RegistryError::NoGrant => "no_grant",
            RegistryError::GrantExpired => "grant_expired",
            RegistryError::NoRecord => "no_record",
            RegistryError::AdapterTimeout => "adapter_timeout",
            RegistryError::AdapterBadResponse(_) => "adapter_bad_response",
            RegistryError::AdapterFailed(_) => "adapter_failed",
            RegistryError::Invalid(code) => code,
            RegistryError::NeedsAssurance(_) => "assurance_too_low",
            RegistryError::Log(_) => "log_unavailable",
            RegistryError::Store(_)
            | RegistryError::Audit(_)
            | RegistryError::Identity(_)
            | RegistryError::Internal(_) => "internal",
        }
    }

    /// The HTTP status the API answers with.
    pub fn status(&self) -> axum::http::StatusCode {
        use axum::http::StatusCode as S;
        match self {
            RegistryError::NotFound | RegistryError::UnknownOperation | RegistryError::NoRecord => {
                S::NOT_FOUND
            }
            RegistryError::Forbidden
            | RegistryError::NotAClient
            | RegistryError::NoGrant
            | RegistryError::GrantExpired
            | RegistryError::NeedsAssurance(_) => S::FORBIDDEN,
            RegistryError::LegalBasisRequired
            | RegistryError::InvalidSubject(_)
            | RegistryError::InvalidRequest(_)
            | RegistryError::Invalid(_) => S::UNPROCESSABLE_ENTITY,
            RegistryError::AdapterTimeout => S::GATEWAY_TIMEOUT,
            RegistryError::AdapterBadResponse(_) | RegistryError::AdapterFailed(_) => {
                S::BAD_GATEWAY
            }
            RegistryError::Log(_) => S::SERVICE_UNAVAILABLE,
            _ => S::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<RegistryError> for AppError {
    fn from(e: RegistryError) -> Self {
        match e {
            RegistryError::NotFound | RegistryError::UnknownOperation | RegistryError::NoRecord => {
                AppError::NotFound
            }
            RegistryError::Forbidden
            | RegistryError::NotAClient
            | RegistryError::NoGrant
            | RegistryError::GrantExpired => AppError::Forbidden,
            RegistryError::NeedsAssurance(n) => AppError::NeedsAssurance(n),
            RegistryError::LegalBasisRequired => AppError::BadRequest("legal_basis_required"),
            RegistryError::InvalidSubject(_) => AppError::BadRequest("invalid_subject"),
            RegistryError::InvalidRequest(_) => AppError::BadRequest("invalid_request"),
            RegistryError::Invalid(code) => AppError::BadRequest(code),
            RegistryError::Identity(e) => e.into(),
            other => AppError::internal(other),
        }
    }
}
