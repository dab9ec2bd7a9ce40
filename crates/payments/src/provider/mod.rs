//! Card providers behind one interface. An adapter opens a session on the provider's hosted
//! payment page for a payment (the payer is redirected there and back), and reads the
//! provider's server-to-server callbacks after checking their signature. What a callback does
//! to a payment is decided in one place, `service::card`, whatever the provider.

pub mod sandbox;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// What the provider is asked to take payment for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionRequest {
    /// The payment's id at Portico (the provider echoes it; it is not trusted for matching).
    pub payment_id: String,
    pub amount_minor: i64,
    pub currency: String,
    /// What is paid for, shown on the hosted page.
    pub description: String,
    /// Who is paid, shown on the hosted page.
    pub merchant: String,
    /// The payment code, kept as the provider's reference.
    pub reference: String,
    /// Where the payer's browser comes back to.
    pub return_url: String,
    /// Where the provider sends its signed callbacks.
    pub callback_url: String,
}

/// The provider's hosted page for a payment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    /// The provider's id of the session; callbacks name it.
    pub id: String,
    /// Where to send the payer.
    pub url: String,
}

/// What a callback says happened to a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardStatus {
    /// The card was authorised for the amount; not captured yet.
    Authorised,
    /// The money was taken.
    Captured,
    /// The card was declined.
    Declined,
}

impl CardStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CardStatus::Authorised => "authorised",
            CardStatus::Captured => "captured",
            CardStatus::Declined => "declined",
        }
    }
}

/// A verified callback.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Callback {
    /// The provider's id of this event: the same event delivered twice has the same id.
    pub event_id: String,
    /// The session it is about.
    pub session_id: String,
    pub status: CardStatus,
    pub amount_minor: i64,
    pub currency: String,
    /// The payment code the session was opened with, as the provider echoes it. Not trusted
    /// for paying (the session says which payment it is); it only says whose reconciliation
    /// screen lists a callback for a session Portico does not know.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// Money taken on a session, sent back to the card.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RefundRequest {
    /// Portico's id of this refund: the same id sent again (a retry) is the same refund at the
    /// provider, never a second one.
    pub refund_id: String,
    /// The provider's session the money was taken on.
    pub session_id: String,
    pub amount_minor: i64,
    pub currency: String,
}

/// A refund the provider made.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Refund {
    /// The provider's id of the refund.
    pub id: String,
    pub amount_minor: i64,
}

/// Why a provider could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The provider did not answer in time, or could not be reached.
    #[error("the card provider is not answering: {0}")]
    Unavailable(String),
    /// The provider answered with something else than a session.
    #[error("the card provider refused: {0}")]
    Refused(String),
    /// A callback's signature is missing, wrong or outside the replay window.
    #[error("the callback's signature is not valid: {0}")]
    Signature(#[from] crate::signing::SignatureError),
    /// A callback's body is not what the provider sends.
    #[error("the callback's body is malformed: {0}")]
    Malformed(String),
}

/// A card provider.
#[async_trait]
pub trait CardProvider: Send + Sync {
    /// Its name in URLs and records (`sandbox`).
    fn name(&self) -> &'static str;

    /// Opens a hosted payment page for a payment.
    async fn start(
        &self,
        request: &SessionRequest,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Session, ProviderError>;

    /// Sends money taken on a session back to the card (idempotent by `refund_id`).
    async fn refund(
        &self,
        request: &RefundRequest,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Refund, ProviderError>;

    /// Checks a callback's signature (in constant time, within the replay window) and reads it.
    fn verify(
        &self,
        signature: Option<&str>,
        body: &[u8],
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Callback, ProviderError>;
}
