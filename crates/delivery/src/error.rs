use portico_core::FieldError;
use portico_http::AppError;

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// The message, mailbox or attachment does not exist for this actor (or at all).
    #[error("not found")]
    NotFound,
    /// The actor may not send from this mailbox.
    #[error("not allowed")]
    Forbidden,
    /// The submission was refused (its content, attachments or recipients); nothing was stored.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// A streamed submission or one of its files is over its limit; nothing was stored.
    #[error("too large")]
    TooLarge(Vec<FieldError>),
    #[error("{0}")]
    NeedsAssurance(#[from] portico_core::NeedsAssurance),
    #[error("{0}")]
    Store(#[from] portico_store::StoreError),
    #[error("{0}")]
    Audit(#[from] portico_audit::AuditError),
    #[error("{0}")]
    Identity(#[from] portico_identity::IdentityError),
    /// A stored file does not open with its key (changed, cut short, or not its own): the
    /// message names the file and the segment.
    #[error("{0}")]
    Unreadable(String),
    #[error("{0}")]
    Internal(String),
}

impl From<sqlx::Error> for DeliveryError {
    fn from(e: sqlx::Error) -> Self {
        DeliveryError::Store(e.into())
    }
}

impl From<DeliveryError> for AppError {
    fn from(e: DeliveryError) -> Self {
        match e {
            DeliveryError::NotFound => AppError::NotFound,
            DeliveryError::Forbidden => AppError::Forbidden,
            DeliveryError::Invalid(fields) => AppError::Invalid(fields),
            DeliveryError::TooLarge(fields) => AppError::TooLarge(fields),
            DeliveryError::NeedsAssurance(n) => AppError::NeedsAssurance(n),
            DeliveryError::Store(e) => AppError::internal(e),
            DeliveryError::Audit(e) => AppError::internal(e),
            DeliveryError::Identity(e) => e.into(),
            DeliveryError::Internal(e) | DeliveryError::Unreadable(e) => AppError::Internal(e),
        }
    }
}
