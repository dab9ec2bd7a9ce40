//! `POST /oauth/token`: the OAuth 2.0 client credentials grant (RFC 6749 §4.4) for API clients,
//! with the client's secret (HTTP Basic or in the form) or a client assertion (RFC 7523,
//! `private_key_jwt`). Errors are RFC 6749 §5.2 JSON (`{"error", "error_description"}`), not the
//! API's error shape, because OAuth client libraries read these. The rules are in
//! [`crate::service::api_clients`]; this module also checks access tokens for the shell
//! ([`ApiTokens`], the identity block's [`BearerResolver`]).

use crate::service::api_clients::{self, ClientAuth, TokenError, TokenIssuer, ASSERTION_TYPE};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use portico_core::{Actor, Clock};
use portico_http::{AppError, AppState, BearerResolver, ClientAddr};
use portico_store::Db;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Clone)]
pub struct OauthState {
    pub app: AppState,
    pub issuer: TokenIssuer,
}

impl axum::extract::FromRef<OauthState> for AppState {
    fn from_ref(s: &OauthState) -> AppState {
        s.app.clone()
    }
}

pub fn router(state: OauthState) -> Router<AppState> {
    Router::new()
        .route("/oauth/token", post(token))
        .with_state(state)
}

/// Checks access tokens for the shell's `ApiActor` extractor.
pub struct ApiTokens {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub issuer: TokenIssuer,
}

#[async_trait::async_trait]
impl BearerResolver for ApiTokens {
    async fn resolve_bearer(&self, token: &str) -> Result<Option<Actor>, AppError> {
        Ok(api_clients::resolve(&self.db, &self.issuer, token, self.clock.now()).await?)
    }
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut response = (
        status,
        Json(serde_json::json!({ "error": error, "error_description": description })),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn refused(e: TokenError, used_basic: bool) -> Response {
    match e {
        TokenError::InvalidRequest(why) => {
            oauth_error(StatusCode::BAD_REQUEST, "invalid_request", why)
        }
        TokenError::InvalidClient => {
            let mut r = oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "client authentication failed",
            );
            let challenge = if used_basic {
                r#"Basic realm="portico""#
            } else {
                r#"Bearer realm="portico""#
            };
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            );
            r
        }
        TokenError::InvalidScope => oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            "the client does not hold every scope asked for",
        ),
        TokenError::UnsupportedGrantType => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "only client_credentials is supported here",
        ),
        TokenError::RateLimited(secs) => {
            let mut r = oauth_error(
                StatusCode::TOO_MANY_REQUESTS,
                "temporarily_unavailable",
                &format!("too many failed attempts; retry after {secs} s"),
            );
            if let Ok(v) = secs.to_string().parse() {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
        TokenError::Internal(detail) => {
            tracing::error!(error = %detail, "token endpoint");
            oauth_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "something went wrong on our side",
            )
        }
    }
}

/// Reads a form body where every parameter appears at most once (RFC 6749 §3.2).
fn form(body: &[u8]) -> Result<HashMap<String, String>, TokenError> {
    let mut out = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(body) {
        if out.insert(k.into_owned(), v.into_owned()).is_some() {
            return Err(TokenError::InvalidRequest("a parameter is repeated"));
        }
    }
    Ok(out)
}

fn client_auth(
    headers: &HeaderMap,
    params: &HashMap<String, String>,
) -> Result<(ClientAuth, bool), TokenError> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(api_clients::parse_basic);
    let posted = params.get("client_secret");
    let assertion = params.get("client_assertion");
    let methods = usize::from(basic.is_some())
        + usize::from(posted.is_some())
        + usize::from(assertion.is_some());
    if methods != 1 {
        return Err(if methods == 0 {
            TokenError::InvalidClient
        } else {
            TokenError::InvalidRequest("use exactly one way of authenticating the client")
        });
    }
    if let Some((client_id, secret)) = basic {
        if params.get("client_id").is_some_and(|id| *id != client_id) {
            return Err(TokenError::InvalidRequest(
                "client_id differs from the Basic credentials",
            ));
        }
        return Ok((ClientAuth::Secret { client_id, secret }, true));
    }
    if let Some(secret) = posted {
        let client_id = params
            .get("client_id")
            .cloned()
            .ok_or(TokenError::InvalidRequest("client_id is missing"))?;
        return Ok((
            ClientAuth::Secret {
                client_id,
                secret: secret.clone(),
            },
            false,
        ));
    }
    if params.get("client_assertion_type").map(String::as_str) != Some(ASSERTION_TYPE) {
        return Err(TokenError::InvalidRequest(
            "client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ));
    }
    Ok((
        ClientAuth::Assertion {
            assertion: assertion.cloned().unwrap_or_default(),
        },
        false,
    ))
}

/// The client credentials grant. Form fields: `grant_type=client_credentials`, optional
/// `scope` (space-separated), and the client's authentication.
async fn token(
    State(state): State<OauthState>,
    client: ClientAddr,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = match form(&body) {
        Ok(p) => p,
        Err(e) => return refused(e, false),
    };
    match params.get("grant_type").map(String::as_str) {
        Some("client_credentials") => {}
        Some(_) => return refused(TokenError::UnsupportedGrantType, false),
        None => return refused(TokenError::InvalidRequest("grant_type is missing"), false),
    }
    let (auth, used_basic) = match client_auth(&headers, &params) {
        Ok(a) => a,
        Err(e) => return refused(e, false),
    };
    let address = state.app.pseudonymiser.pseudonym(&client.limit_key());
    match api_clients::issue(
        &state.app.db,
        &state.issuer,
        &auth,
        params.get("scope").map(String::as_str),
        &address,
        state.app.clock.now(),
    )
    .await
    {
        Ok(token) => {
            let mut r = Json(token).into_response();
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r.headers_mut()
                .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
            r
        }
        Err(e) => refused(e, used_basic),
    }
}

/// The API's two ways in, for the OpenAPI document: `session` (a signed-in person's cookie) and
/// `client_credentials` (an API client's bearer token from `POST /oauth/token`, with its scopes).
/// Every `/api/v1` operation names the ones it accepts (`security(())` for public ones).
pub struct ApiSecurity;

impl utoipa::Modify for ApiSecurity {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, ClientCredentials, Flow, OAuth2, Scopes, SecurityScheme,
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                portico_http::session::SESSION_COOKIE,
                "A person's session after signing in with both factors.",
            ))),
        );
        components.add_security_scheme(
            "client_credentials",
            SecurityScheme::OAuth2(OAuth2::with_description(
                [Flow::ClientCredentials(ClientCredentials::new(
                    "/oauth/token",
                    Scopes::from_iter([(
                        "cases",
                        "Work the administration's applications: read them and move them along their process.",
                    )]),
                ))],
                "An API client of one administration (client secret or private_key_jwt); tokens last five minutes.",
            )),
        );
    }
}
