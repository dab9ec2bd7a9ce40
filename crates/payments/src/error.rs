//! The payments block's errors, each with a stable code that the API returns and a message in
//! Bulgarian and English (`payments-error-<code>`).

use portico_http::AppError;

#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    #[error("not found")]
    NotFound,
    #[error("the caller may not ask for payments")]
    NotAPaymentClient,
    #[error("invalid input: {0}")]
    Invalid(&'static str),
    #[error("the Idempotency-Key was already used for another request")]
    IdempotencyKeyReused,
    #[error("a payment cannot go from {from} to {to}")]
    NotAllowed {
        from: &'static str,
        to: &'static str,
    },
    #[error("the payment was changed meanwhile")]
    Conflict,
    #[error("the card provider is not answering")]
    ProviderUnavailable,
    #[error("no such card provider")]
    NoProvider,
    #[error("the signature is missing, wrong or outside the replay window")]
    SignatureInvalid,
    #[error("{0}")]
    NeedsAssurance(#[from] portico_core::NeedsAssurance),
    #[error("{0}")]
    Store(#[from] portico_store::StoreError),
    #[error("{0}")]
    Audit(#[from] portico_audit::AuditError),
    #[error("{0}")]
    Identity(#[from] portico_identity::IdentityError),
    #[error("{0}")]
    Internal(String),
}

impl From<sqlx::Error> for PaymentError {
    fn from(e: sqlx::Error) -> Self {
        PaymentError::Store(e.into())
    }
}

impl From<serde_json::Error> for PaymentError {
    fn from(e: serde_json::Error) -> Self {
        PaymentError::Internal(e.to_string())
    }
}

impl PaymentError {
    /// The stable code: the API's `error.code`.
    pub fn code(&self) -> &'static str {
        match self {
            PaymentError::NotFound => "not_found",
            PaymentError::NotAPaymentClient => "not_a_payment_client",
            PaymentError::Invalid(code) => code,
            PaymentError::IdempotencyKeyReused => "idempotency_key_reused",
            PaymentError::NotAllowed { .. } => "transition_not_allowed",
            PaymentError::Conflict => "conflict",
            PaymentError::ProviderUnavailable => "provider_unavailable",
            PaymentError::NoProvider => "not_found",
            PaymentError::SignatureInvalid => "signature_invalid",
            PaymentError::NeedsAssurance(_) => "assurance_too_low",
            PaymentError::Store(_)
            | PaymentError::Audit(_)
            | PaymentError::Identity(_)
            | PaymentError::Internal(_) => "internal",
        }
    }

    /// The HTTP status the API answers with.
    pub fn status(&self) -> axum::http::StatusCode {
        use axum::http::StatusCode as S;
        match self {
            PaymentError::NotFound | PaymentError::NoProvider => S::NOT_FOUND,
            PaymentError::SignatureInvalid => S::UNAUTHORIZED,
            PaymentError::ProviderUnavailable => S::SERVICE_UNAVAILABLE,
            PaymentError::NotAPaymentClient | PaymentError::NeedsAssurance(_) => S::FORBIDDEN,
            PaymentError::Invalid(_) => S::UNPROCESSABLE_ENTITY,
            PaymentError::IdempotencyKeyReused
            | PaymentError::NotAllowed { .. }
            | PaymentError::Conflict => S::CONFLICT,
            _ => S::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<PaymentError> for AppError {
    fn from(e: PaymentError) -> Self {
        match e {
            PaymentError::NotFound | PaymentError::NoProvider => AppError::NotFound,
            PaymentError::SignatureInvalid => AppError::Unauthorized,
            PaymentError::ProviderUnavailable => AppError::Conflict("provider_unavailable"),
            PaymentError::NotAPaymentClient => AppError::Forbidden,
            PaymentError::NeedsAssurance(n) => AppError::NeedsAssurance(n),
            PaymentError::Invalid(code) => AppError::BadRequest(code),
            PaymentError::Identity(e) => e.into(),
            PaymentError::IdempotencyKeyReused
            | PaymentError::NotAllowed { .. }
            | PaymentError::Conflict => AppError::Conflict(e.code()),
            other => AppError::internal(other),
        }
    }
}
