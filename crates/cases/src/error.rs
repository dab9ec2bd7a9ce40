use portico_core::FieldError;
use portico_http::AppError;

#[derive(Debug, thiserror::Error)]
pub enum CasesError {
    #[error("not found")]
    NotFound,
    #[error("not allowed")]
    Forbidden,
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("transition refused: {0}")]
    Transition(&'static str),
    #[error("someone else changed the application first")]
    Conflict,
    #[error("the application is not a draft any more")]
    AlreadySubmitted,
    #[error("{0}")]
    NeedsAssurance(#[from] portico_core::NeedsAssurance),
    #[error("process {0} is not defined")]
    UnknownProcess(String),
    #[error("{0}")]
    Store(#[from] portico_store::StoreError),
    #[error("{0}")]
    Audit(#[from] portico_audit::AuditError),
    #[error("{0}")]
    Catalog(#[from] portico_catalog::CatalogError),
    #[error("{0}")]
    Identity(#[from] portico_identity::IdentityError),
    #[error("{0}")]
    Delivery(#[from] portico_delivery::DeliveryError),
    #[error("{0}")]
    Registries(#[from] portico_registries::RegistryError),
    #[error("{0}")]
    Payments(#[from] portico_payments::PaymentError),
    #[error("{0}")]
    Internal(String),
}

impl From<sqlx::Error> for CasesError {
    fn from(e: sqlx::Error) -> Self {
        CasesError::Store(e.into())
    }
}

impl From<CasesError> for AppError {
    fn from(e: CasesError) -> Self {
        match e {
            CasesError::NotFound => AppError::NotFound,
            CasesError::Forbidden => AppError::Forbidden,
            CasesError::Invalid(fields) => AppError::Invalid(fields),
            CasesError::Transition(code) => AppError::BadRequest(code),
            CasesError::Conflict => AppError::Conflict("application_changed"),
            CasesError::AlreadySubmitted => AppError::Conflict("already_submitted"),
            CasesError::NeedsAssurance(n) => AppError::NeedsAssurance(n),
            CasesError::UnknownProcess(p) => AppError::Internal(format!("unknown process {p}")),
            CasesError::Store(e) => AppError::internal(e),
            CasesError::Audit(e) => AppError::internal(e),
            CasesError::Catalog(e) => e.into(),
            CasesError::Identity(e) => e.into(),
            CasesError::Delivery(e) => e.into(),
            CasesError::Registries(e) => e.into(),
            CasesError::Payments(e) => e.into(),
            CasesError::Internal(e) => AppError::Internal(e),
        }
    }
}
