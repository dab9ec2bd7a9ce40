//! The OpenID Connect provider's endpoints: discovery, JWKS, the authorization endpoint with its
//! consent page, the token endpoint (authorization code with PKCE, refresh), userinfo, revocation,
//! and relying-party registration by an administration's admins over the API. The rules are in
//! [`crate::service::oidc_provider`].

use crate::service::administrations;
use crate::service::oidc_provider::{
    self as oidc, AuthorizeRequest, NewOidcClient, OidcClientView, OidcError, RegisteredClient,
};
use crate::strings::TABLES;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use portico_audit::SigningKey;
use portico_core::Id;
use portico_http::{
    render, ApiActor, AppError, AppState, CsrfForm, PageContext, SignedIn, ValidPath,
};
use serde::Deserialize;
use std::collections::HashMap;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(Clone)]
pub struct OidcState {
    pub app: AppState,
    pub key: SigningKey,
    pub issuer: String,
}

impl axum::extract::FromRef<OidcState> for AppState {
    fn from_ref(s: &OidcState) -> AppState {
        s.app.clone()
    }
}

pub fn router(state: OidcState) -> Router<AppState> {
    Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/oidc/jwks", get(jwks))
        .route("/oidc/authorize", get(authorize).post(decide))
        .route("/oidc/token", post(token))
        .route("/oidc/userinfo", get(userinfo).post(userinfo))
        .route("/oidc/revoke", post(revoke))
        .with_state(state)
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_clients, register_client))
}

async fn discovery(State(s): State<OidcState>) -> Json<serde_json::Value> {
    Json(oidc::discovery(&s.issuer))
}

async fn jwks(State(s): State<OidcState>) -> Json<serde_json::Value> {
    Json(oidc::jwks(&s.key))
}

#[derive(Debug, Deserialize)]
pub struct AuthorizeQuery {
    client_id: Option<String>,
    redirect_uri: Option<String>,
    response_type: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    nonce: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
}

#[derive(Template)]
#[template(path = "oidc_consent.html")]
struct ConsentPage {
    page: PageContext,
    institution: String,
    client_name: String,
    attributes: Vec<&'static str>,
    request: AuthorizeRequest,
}

fn with_params(uri: &str, params: &[(&str, &str)]) -> String {
    let mut url = match url::Url::parse(uri) {
        Ok(u) => u,
        Err(_) => return uri.to_owned(),
    };
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in params {
            q.append_pair(k, v);
        }
    }
    url.to_string()
}

/// The client and its redirect URI, checked before anything is sent back to that URI: an unknown
/// client or a redirect URI not registered exactly is an error page here, never a redirect.
async fn checked_client(
    state: &OidcState,
    client_id: Option<&str>,
    redirect_uri: Option<&str>,
) -> Result<(OidcClientView, String), AppError> {
    let client = match client_id {
        Some(id) => oidc::client(&state.app.db, id).await?,
        None => None,
    };
    let (Some(client), Some(uri)) = (client, redirect_uri) else {
        return Err(AppError::BadRequest("oidc_unknown_client"));
    };
    if !client.redirect_uris.iter().any(|u| u == uri) {
        return Err(AppError::BadRequest("oidc_redirect_uri_mismatch"));
    }
    Ok((client, uri.to_owned()))
}

async fn authorize(
    State(state): State<OidcState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Query(q): Query<AuthorizeQuery>,
) -> Result<Response, AppError> {
    let (client, redirect_uri) =
        checked_client(&state, q.client_id.as_deref(), q.redirect_uri.as_deref()).await?;
    let st = q.state.clone().unwrap_or_default();
    let refuse = |error: &str| {
        let mut params = vec![("error", error)];
        if !st.is_empty() {
            params.push(("state", st.as_str()));
        }
        Ok(Redirect::to(&with_params(&redirect_uri, &params)).into_response())
    };
    if q.response_type.as_deref() != Some("code") {
        return refuse("unsupported_response_type");
    }
    let Some(challenge) = q.code_challenge.filter(|c| (43..=128).contains(&c.len())) else {
        return refuse("invalid_request");
    };
    if q.code_challenge_method.as_deref() != Some("S256") {
        return refuse("invalid_request");
    }
    let scope = q.scope.unwrap_or_default();
    let Some(scopes) = oidc::granted_scopes(&scope) else {
        return refuse("invalid_scope");
    };
    let institution = administrations::get(&state.app.db, &client.administration_id)
        .await?
        .map(|a| a.name(page.lang).to_owned())
        .unwrap_or_default();
    let mut attributes = vec!["oidc_attr_identifier", "oidc_attr_level"];
    for s in &scopes {
        match *s {
            "profile" => attributes.extend(["oidc_attr_names", "oidc_attr_birthdate"]),
            "email" => attributes.push("oidc_attr_email"),
            "phone" => attributes.push("oidc_attr_phone"),
            _ => {}
        }
    }
    let origin = url::Url::parse(&redirect_uri)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    let page = page.with_strings(TABLES);
    let _ = &user;
    let attributes = attributes.into_iter().map(|k| page.t(k)).collect();
    let mut response = render(&ConsentPage {
        page,
        institution,
        client_name: client.name.clone(),
        attributes,
        request: AuthorizeRequest {
            client_id: client.id,
            redirect_uri,
            scope: scopes.join(" "),
            state: q.state,
            nonce: q.nonce,
            code_challenge: challenge,
        },
    })?
    .into_response();
    // The consent form goes on to the portal's redirect URI: allow that origin as a form target.
    if let Ok(csp) = HeaderValue::from_str(&format!(
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
         frame-ancestors 'none'; form-action 'self' {origin}; base-uri 'none'"
    )) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub struct DecideForm {
    client_id: String,
    redirect_uri: String,
    scope: String,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    nonce: Option<String>,
    code_challenge: String,
    decision: String,
}

async fn decide(
    State(state): State<OidcState>,
    SignedIn(user): SignedIn,
    CsrfForm(form): CsrfForm<DecideForm>,
) -> Result<Response, AppError> {
    let (client, redirect_uri) =
        checked_client(&state, Some(&form.client_id), Some(&form.redirect_uri)).await?;
    let st = form.state.clone().filter(|s| !s.is_empty());
    if form.decision != "allow" {
        let mut params = vec![("error", "access_denied")];
        if let Some(s) = &st {
            params.push(("state", s.as_str()));
        }
        return Ok(Redirect::to(&with_params(&redirect_uri, &params)).into_response());
    }
    let request = AuthorizeRequest {
        client_id: client.id,
        redirect_uri: redirect_uri.clone(),
        scope: form.scope,
        state: st.clone(),
        nonce: form.nonce.filter(|n| !n.is_empty()),
        code_challenge: form.code_challenge,
    };
    let mut tx = state.app.db.begin().await?;
    let code = oidc::consent(
        &mut tx,
        &user.account_id,
        user.assurance,
        &request,
        state.app.clock.now(),
    )
    .await?;
    tx.commit().await?;
    let mut params = vec![("code", code.as_str())];
    if let Some(s) = &st {
        params.push(("state", s.as_str()));
    }
    Ok(Redirect::to(&with_params(&redirect_uri, &params)).into_response())
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut r = (
        status,
        Json(serde_json::json!({ "error": error, "error_description": description })),
    )
        .into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn refused(e: OidcError) -> Response {
    match e {
        OidcError::InvalidRequest(why) => {
            oauth_error(StatusCode::BAD_REQUEST, "invalid_request", why)
        }
        OidcError::InvalidClient => {
            let mut r = oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "client authentication failed",
            );
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(r#"Basic realm="portico""#),
            );
            r
        }
        OidcError::InvalidGrant(why) => oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", why),
        OidcError::UnsupportedGrantType => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "authorization_code or refresh_token",
        ),
        OidcError::Internal(detail) => {
            tracing::error!(error = %detail, "oidc token endpoint");
            oauth_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "something went wrong",
            )
        }
    }
}

fn form(body: &[u8]) -> Result<HashMap<String, String>, OidcError> {
    let mut out = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(body) {
        if out.insert(k.into_owned(), v.into_owned()).is_some() {
            return Err(OidcError::InvalidRequest("a parameter is repeated"));
        }
    }
    Ok(out)
}

/// The relying party's id, once its secret checked out (HTTP Basic or in the form).
async fn client_of(
    state: &OidcState,
    headers: &HeaderMap,
    params: &HashMap<String, String>,
) -> Result<String, OidcError> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(crate::service::api_clients::parse_basic);
    let (id, secret) = match (basic, params.get("client_id"), params.get("client_secret")) {
        (Some((id, secret)), _, None) => (id, secret),
        (None, Some(id), Some(secret)) => (id.clone(), secret.clone()),
        _ => return Err(OidcError::InvalidClient),
    };
    oidc::authenticate_client(&state.app.db, &id, &secret).await?;
    Ok(id)
}

async fn token(State(state): State<OidcState>, headers: HeaderMap, body: Bytes) -> Response {
    let result = async {
        let params = form(&body)?;
        let client_id = client_of(&state, &headers, &params).await?;
        let get = |k: &str| params.get(k).map(String::as_str).unwrap_or("");
        let now = state.app.clock.now();
        match get("grant_type") {
            "authorization_code" => {
                oidc::exchange_code(
                    &state.app.db,
                    &state.key,
                    &state.issuer,
                    &client_id,
                    get("code"),
                    get("redirect_uri"),
                    get("code_verifier"),
                    now,
                )
                .await
            }
            "refresh_token" => {
                oidc::refresh(
                    &state.app.db,
                    &state.key,
                    &state.issuer,
                    &client_id,
                    get("refresh_token"),
                    now,
                )
                .await
            }
            "" => Err(OidcError::InvalidRequest("grant_type is missing")),
            _ => Err(OidcError::UnsupportedGrantType),
        }
    }
    .await;
    match result {
        Ok(set) => {
            let mut r = Json(set).into_response();
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(e) => refused(e),
    }
}

async fn userinfo(State(state): State<OidcState>, headers: HeaderMap) -> Response {
    let invalid = || {
        let mut r = (
            StatusCode::UNAUTHORIZED,
            Json(serde_json::json!({ "error": "invalid_token" })),
        )
            .into_response();
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(r#"Bearer error="invalid_token""#),
        );
        r
    };
    let Some(token) = portico_http::api_auth::bearer_token(&headers) else {
        return invalid();
    };
    match oidc::userinfo(
        &state.app.db,
        &state.key,
        &state.issuer,
        token,
        state.app.clock.now(),
    )
    .await
    {
        Ok(Some(claims)) => Json(claims).into_response(),
        Ok(None) => invalid(),
        Err(e) => {
            tracing::error!(error = %e, "userinfo");
            oauth_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "something went wrong",
            )
        }
    }
}

async fn revoke(State(state): State<OidcState>, headers: HeaderMap, body: Bytes) -> Response {
    let result = async {
        let params = form(&body)?;
        let client_id = client_of(&state, &headers, &params).await?;
        let token = params
            .get("token")
            .ok_or(OidcError::InvalidRequest("token is missing"))?;
        oidc::revoke(
            &state.app.db,
            &state.key,
            &client_id,
            token,
            state.app.clock.now(),
        )
        .await
    }
    .await;
    match result {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => refused(e),
    }
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct OidcClientList {
    pub items: Vec<OidcClientView>,
}

/// The administration's OpenID Connect relying parties (its portals), for its admins.
#[utoipa::path(get, path = "/api/v1/administrations/{id}/oidc-clients", tag = "identity",
    params(("id" = String, Path, description = "Administration id")),
    security(("session" = [])),
    responses((status = 200, body = OidcClientList), (status = 404, body = portico_http::ApiErrorBody)))]
async fn list_clients(
    State(state): State<AppState>,
    actor: ApiActor,
    ValidPath(id): ValidPath<Id>,
) -> Result<Json<OidcClientList>, AppError> {
    actor.person()?;
    Ok(Json(OidcClientList {
        items: oidc::list(&state.db, &actor.0, id.as_str()).await?,
    }))
}

/// Registers a portal as a relying party; the answer carries its secret, shown only this once.
#[utoipa::path(post, path = "/api/v1/administrations/{id}/oidc-clients", tag = "identity",
    params(("id" = String, Path, description = "Administration id")),
    request_body = NewOidcClient,
    security(("session" = [])),
    responses((status = 201, body = RegisteredClient), (status = 422, body = portico_http::ApiErrorBody),
              (status = 404, body = portico_http::ApiErrorBody)))]
async fn register_client(
    State(state): State<AppState>,
    actor: ApiActor,
    ValidPath(id): ValidPath<Id>,
    Json(new): Json<NewOidcClient>,
) -> Result<Response, AppError> {
    actor.person()?;
    let mut tx = state.db.begin().await?;
    let made = oidc::register(&mut tx, &actor.0, id.as_str(), &new, state.clock.now()).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(made)).into_response())
}
