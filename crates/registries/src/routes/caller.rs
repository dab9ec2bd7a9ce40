//! Who calls the registry API, as an [`Actor`]: the one place where a request becomes an actor
//! for this block. A signed-in session (staff act for their administration), or an institution's
//! system by its bearer token (`Actor::ApiClient`; the service checks its `registries` scope).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use portico_core::Actor;
use portico_http::{ApiActor, AppError};

pub struct Caller(pub Actor);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ApiActor(actor) = ApiActor::from_request_parts(parts, state).await?;
        Ok(Caller(actor))
    }
}
