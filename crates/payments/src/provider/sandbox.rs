//! The adapter for the sandbox card provider (`portico sandbox-pay`, see [`crate::sandbox`]): it
//! opens sessions and asks for refunds over HTTP with signed requests, and verifies the
//! provider's signed callbacks.

use super::{
    Callback, CardProvider, ProviderError, Refund, RefundRequest, Session, SessionRequest,
};
use crate::signing;
use async_trait::async_trait;
use std::time::Duration;

/// How long Portico waits for the provider to open a session before telling the payer to try
/// again (nothing changes meanwhile).
pub const START_TIMEOUT: Duration = Duration::from_secs(5);

pub struct SandboxCard {
    /// Where Portico reaches the provider's API (`PORTICO_PAY_SANDBOX_URL`).
    base_url: String,
    /// The secret both sides sign with (`PORTICO_PAY_SANDBOX_SECRET`).
    secret: Vec<u8>,
    http: reqwest::Client,
}

impl SandboxCard {
    pub fn new(base_url: &str, secret: &[u8], timeout: Duration) -> Result<SandboxCard, String> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(SandboxCard {
            base_url: base_url.trim_end_matches('/').to_owned(),
            secret: secret.to_vec(),
            http,
        })
    }
}

impl SandboxCard {
    /// POSTs `body` as JSON, signed, to the provider's API and reads its JSON answer.
    async fn signed_post<B: serde::Serialize, T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<T, ProviderError> {
        let body = serde_json::to_vec(body).map_err(|e| ProviderError::Refused(e.to_string()))?;
        let signature = signing::sign(&self.secret, now.timestamp(), &body);
        let response = self
            .http
            .post(format!("{}{path}", self.base_url))
            .header("content-type", "application/json")
            .header(signing::HEADER, signature)
            .body(body)
            .send()
            .await
            .map_err(|e| ProviderError::Unavailable(e.to_string()))?;
        if !response.status().is_success() {
            return Err(ProviderError::Refused(format!(
                "status {}",
                response.status()
            )));
        }
        response
            .json::<T>()
            .await
            .map_err(|e| ProviderError::Unavailable(e.to_string()))
    }
}

#[async_trait]
impl CardProvider for SandboxCard {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    async fn start(
        &self,
        request: &SessionRequest,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Session, ProviderError> {
        self.signed_post("/v1/sessions", request, now).await
    }

    async fn refund(
        &self,
        request: &RefundRequest,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Refund, ProviderError> {
        self.signed_post("/v1/refunds", request, now).await
    }

    fn verify(
        &self,
        signature: Option<&str>,
        body: &[u8],
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Callback, ProviderError> {
        let header = signature.ok_or(signing::SignatureError::Malformed)?;
        signing::verify(&self.secret, header, body, now.timestamp())?;
        serde_json::from_slice(body).map_err(|e| ProviderError::Malformed(e.to_string()))
    }
}
