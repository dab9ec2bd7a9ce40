//! Who calls the JSON API: a signed-in person (the session cookie) or an institution's system
//! (`Authorization: Bearer <access token>` from `POST /oauth/token`). The identity block owns API
//! clients and their tokens and implements [`BearerResolver`]; the shell only asks it, once per
//! request that carries a bearer token ([`crate::middleware::load_session`]), so `http` does not
//! depend on `identity`. Handlers take [`ApiActor`] and state the scope they need with
//! [`ApiActor::require_scope`].

use crate::error::AppError;
use crate::session::CurrentSession;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use portico_core::Actor;

/// Checks an access token. `Ok(None)` for a token that is not valid now (malformed, not the
/// platform's, expired, its client revoked or its secret rotated since): the caller gets 401.
#[async_trait::async_trait]
pub trait BearerResolver: Send + Sync + 'static {
    async fn resolve_bearer(&self, token: &str) -> Result<Option<Actor>, AppError>;
}

/// Knows no tokens (tools and tests that build a shell without the identity block).
pub struct NoBearerTokens;

#[async_trait::async_trait]
impl BearerResolver for NoBearerTokens {
    async fn resolve_bearer(&self, _token: &str) -> Result<Option<Actor>, AppError> {
        Ok(None)
    }
}

/// The bearer token this request carried, as checked by `load_session`: `Some(actor)` when it is
/// valid, `None` when it is not. Absent when the request carried none.
#[derive(Debug, Clone)]
pub struct CurrentBearer(pub Option<Actor>);

/// The token of an `Authorization: Bearer` header, if the request has one.
pub fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// Whoever calls an API route: an API client by its bearer token, else the person of a complete
/// session. A request with a bearer token is judged by the token alone (a bad token is 401 even
/// with a session cookie beside it).
#[derive(Debug, Clone)]
pub struct ApiActor(pub Actor);

impl ApiActor {
    /// The route needs `scope`. An API client without it is refused (403 `insufficient_scope`);
    /// people are not limited by scopes (their roles decide, in the service functions), nor is
    /// the system.
    pub fn require_scope(&self, scope: &'static str) -> Result<&Actor, AppError> {
        match &self.0 {
            Actor::ApiClient(c) if !c.scopes.iter().any(|s| s == scope) => {
                Err(AppError::InsufficientScope(scope))
            }
            actor => Ok(actor),
        }
    }

    /// The route is for people only (their own account, their own applications): an API client
    /// is refused with 403.
    pub fn person(&self) -> Result<&portico_core::Person, AppError> {
        match &self.0 {
            Actor::Person(p) => Ok(p),
            _ => Err(AppError::Forbidden),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ApiActor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        if let Some(CurrentBearer(checked)) = parts.extensions.get::<CurrentBearer>() {
            return checked.clone().map(ApiActor).ok_or(AppError::InvalidToken);
        }
        match parts.extensions.get::<CurrentSession>() {
            Some(CurrentSession(Some(user))) if user.fully_authenticated => {
                Ok(ApiActor(user.actor()))
            }
            _ => Err(AppError::Unauthorized),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use axum::http::{HeaderMap, HeaderValue};
    use portico_core::ApiClient;

    #[test]
    fn reads_only_bearer_authorization() {
        let mut h = HeaderMap::new();
        assert_eq!(bearer_token(&h), None);
        h.insert("authorization", HeaderValue::from_static("Bearer abc.def"));
        assert_eq!(bearer_token(&h), Some("abc.def"));
        h.insert("authorization", HeaderValue::from_static("bearer  xyz "));
        assert_eq!(bearer_token(&h), Some("xyz"));
        h.insert(
            "authorization",
            HeaderValue::from_static("Basic Zm9vOmJhcg=="),
        );
        assert_eq!(bearer_token(&h), None);
        h.insert("authorization", HeaderValue::from_static("Bearer "));
        assert_eq!(bearer_token(&h), None);
    }

    #[test]
    fn scopes_limit_clients_not_people() {
        let client = ApiActor(Actor::ApiClient(ApiClient {
            client_id: "c".into(),
            administration_id: "a".into(),
            scopes: vec!["cases".into()],
        }));
        assert!(client.require_scope("cases").is_ok());
        assert!(matches!(
            client.require_scope("payments"),
            Err(AppError::InsufficientScope("payments"))
        ));
        assert!(client.person().is_err());
        let person = ApiActor(Actor::person("p", portico_core::Assurance::Low));
        assert!(person.require_scope("payments").is_ok());
        assert!(person.person().is_ok());
    }
}
