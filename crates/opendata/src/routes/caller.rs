//! Who calls the open data API, as an [`Actor`], or nobody. An API client's access token may come
//! as CKAN sends it (`Authorization: <token>` or `X-CKAN-API-Key`) or as `Authorization: Bearer`.
//! A session cookie counts for reading only (drafts for their publishers): writes need a token,
//! as in CKAN, so no page can be made to write on a person's behalf.

use super::OpenDataState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use portico_core::Actor;
use portico_http::api_auth::CurrentBearer;
use portico_http::session::CurrentSession;

pub struct Caller {
    /// Who the token says, if one was sent and is valid.
    pub token: Option<Actor>,
    /// A token was sent and it is not valid.
    pub bad_token: bool,
    /// The person of the session, if any.
    pub session: Option<Actor>,
}

impl Caller {
    /// Whoever may read: the token's actor or the session's person.
    pub fn reader(&self) -> Option<&Actor> {
        self.token.as_ref().or(self.session.as_ref())
    }
}

impl FromRequestParts<OpenDataState> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &OpenDataState,
    ) -> Result<Self, Self::Rejection> {
        let session = match parts.extensions.get::<CurrentSession>() {
            Some(CurrentSession(Some(user))) if user.fully_authenticated => Some(user.actor()),
            _ => None,
        };
        if let Some(CurrentBearer(checked)) = parts.extensions.get::<CurrentBearer>() {
            return Ok(Caller {
                token: checked.clone(),
                bad_token: checked.is_none(),
                session,
            });
        }
        let raw = parts
            .headers
            .get("x-ckan-api-key")
            .or_else(|| parts.headers.get(axum::http::header::AUTHORIZATION))
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        let Some(token) = raw else {
            return Ok(Caller {
                token: None,
                bad_token: false,
                session,
            });
        };
        let actor = state.app.bearer.resolve_bearer(&token).await.ok().flatten();
        Ok(Caller {
            bad_token: actor.is_none(),
            token: actor,
            session,
        })
    }
}
