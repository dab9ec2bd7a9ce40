//! Who calls the registry API, as an [`Actor`]: the one place where a request becomes an actor
//! for this block. Today it is the signed-in session (staff act for their administration); an
//! institution's system authenticated by a bearer token becomes `Actor::ApiClient` here too once
//! the identity block's bearer extractor lands (it is the only line to change).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use portico_core::Actor;
use portico_http::{AppError, SignedIn};

pub struct Caller(pub Actor);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let SignedIn(user) = SignedIn::from_request_parts(parts, state).await?;
        Ok(Caller(user.actor()))
    }
}
