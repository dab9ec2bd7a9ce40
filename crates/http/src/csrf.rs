//! CSRF protection for every form: a random value in an HttpOnly, SameSite=Strict cookie, and in
//! each form a token that is the HMAC of that value under the platform's key. A form posted from
//! another site has neither; an attacker who can plant a cookie still cannot make the token.

use crate::error::AppError;
use crate::state::AppState;
use axum::extract::{FromRef, FromRequest, Request};
use hmac::{Hmac, Mac};
use serde::de::DeserializeOwned;
use sha2::Sha256;
use subtle::ConstantTimeEq;

pub const CSRF_COOKIE: &str = "csrf";
pub const CSRF_FIELD: &str = "_csrf";

/// The cookie value for this request (set by the `ensure_csrf_cookie` middleware).
#[derive(Debug, Clone)]
pub struct CsrfCookie(pub String);

pub fn token_for(key: &[u8; 32], cookie_value: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable_hmac());
    mac.update(cookie_value.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// HMAC takes keys of any length; this is never reached.
#[allow(clippy::panic)]
fn unreachable_hmac() -> Hmac<Sha256> {
    panic!("HMAC-SHA256 accepts any key length")
}

pub fn token_matches(key: &[u8; 32], cookie_value: &str, token: &str) -> bool {
    let expected = token_for(key, cookie_value);
    expected.as_bytes().ct_eq(token.as_bytes()).into()
}

/// A URL-encoded form whose CSRF token was checked before it is parsed into `T`.
/// A failed check is [`AppError::Csrf`]: nothing in the form is looked at, nothing changes.
#[derive(Debug)]
pub struct CsrfForm<T>(pub T);

impl<S, T> FromRequest<S> for CsrfForm<T>
where
    S: Send + Sync,
    AppState: FromRef<S>,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let app = AppState::from_ref(state);
        let cookie = req.extensions().get::<CsrfCookie>().map(|c| c.0.clone());
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| AppError::from_body_rejection(&e))?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| AppError::BadRequest("malformed_form"))?;
        let token = pairs
            .iter()
            .find(|(k, _)| k == CSRF_FIELD)
            .map(|(_, v)| v.as_str());
        match (cookie, token) {
            (Some(cookie), Some(token)) if token_matches(&app.config.csrf_key, &cookie, token) => {}
            _ => return Err(AppError::Csrf),
        }
        let value = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| AppError::BadRequest("malformed_form"))?;
        Ok(CsrfForm(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_bind_to_cookie_and_key() {
        let key = [7u8; 32];
        let t = token_for(&key, "abc");
        assert!(token_matches(&key, "abc", &t));
        assert!(!token_matches(&key, "abd", &t));
        assert!(!token_matches(&[8u8; 32], "abc", &t));
        assert!(!token_matches(&key, "abc", ""));
    }
}
