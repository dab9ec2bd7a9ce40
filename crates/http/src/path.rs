//! Path parameters, checked before the handler runs. A malformed id (or step number) in a URL is
//! "not found", the same answer as an id that does not exist, so ids cannot be probed and the
//! database never sees a malformed one.

use crate::error::AppError;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// Like axum's `Path<T>`, but a value that does not parse (for example a
/// [`portico_core::Id`] that is not canonical) is [`AppError::NotFound`].
#[derive(Debug, Clone)]
pub struct ValidPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ValidPath<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| ValidPath(value))
            .map_err(|_| AppError::NotFound)
    }
}
