//! API clients of an administration, for its admins: the console page `/admin/api-clients`
//! (create, rotate, revoke; a secret is shown once) and the same over `/api/v1`. The rules are in
//! [`crate::service::api_clients`].

use crate::service::administrations;
use crate::service::api_clients::{
    self, ApiClientView, AuthMethod, Credentials, NewApiClient, SCOPES,
};
use crate::strings::TABLES;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use portico_core::{Actor, Id};
use portico_http::{
    render, ApiActor, AppError, AppState, CsrfForm, Field, FieldError, PageContext, SignedIn,
    ValidPath,
};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn pages() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/admin/api-clients", get(list_page).post(create_page))
        .route("/admin/api-clients/{id}/rotate", post(rotate_page))
        .route("/admin/api-clients/{id}/revoke", post(revoke_page))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_api, create_api))
        .routes(routes!(rotate_api))
        .routes(routes!(revoke_api))
}

/// The administrations this person administers (every one for a platform admin).
async fn managed(state: &AppState, actor: &Actor) -> Result<Vec<crate::Administration>, AppError> {
    Ok(administrations::list(&state.db)
        .await?
        .into_iter()
        .filter(|a| api_clients::may_manage(actor, &a.id))
        .collect())
}

struct Row {
    client: ApiClientView,
    created: String,
    revoked: String,
}

#[derive(Template)]
#[template(path = "api_clients.html")]
struct ListPage {
    page: PageContext,
    administration_id: String,
    administration_name: String,
    rows: Vec<Row>,
    errors: Vec<FieldError>,
    name: String,
    scopes: Vec<String>,
    auth_method: String,
    public_key: String,
    banner: &'static str,
}

impl ListPage {
    fn name_field(&self) -> Field {
        Field {
            name: "name",
            label: self.page.t("apiclient_name_label"),
            hint: self.page.t("apiclient_name_hint"),
            error: self.error("name"),
            input_type: "text",
            value: self.name.clone(),
            autocomplete: "off",
        }
    }

    fn error(&self, field: &str) -> Option<&'static str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| self.page.t(&e.code))
    }

    fn all_scopes(&self) -> &'static [&'static str] {
        SCOPES
    }

    fn scope_label(&self, scope: &str) -> &'static str {
        self.page.t(&format!("apiclient_scope_{scope}"))
    }

    fn has_scope(&self, scope: &&str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    fn method_label(&self, m: &AuthMethod) -> &'static str {
        self.page.t(match m {
            AuthMethod::ClientSecret => "apiclient_method_secret",
            AuthMethod::PrivateKeyJwt => "apiclient_method_key",
        })
    }
}

#[derive(Template)]
#[template(path = "api_client_credentials.html")]
struct CredentialsPage {
    page: PageContext,
    credentials: Credentials,
    token_endpoint: String,
    rotated: bool,
}

fn when(at: &DateTime<Utc>) -> String {
    portico_core::calendar::sofia_local(*at)
        .format("%d.%m.%Y %H:%M")
        .to_string()
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    administration: Option<String>,
    done: Option<String>,
}

/// The administration asked for, if this person administers it; else their first.
async fn chosen(
    state: &AppState,
    actor: &Actor,
    asked: Option<&str>,
) -> Result<crate::Administration, AppError> {
    let managed = managed(state, actor).await?;
    if managed.is_empty() {
        return Err(AppError::Forbidden);
    }
    match asked.filter(|a| !a.is_empty()) {
        Some(id) => managed
            .into_iter()
            .find(|a| a.id == id)
            .ok_or(AppError::NotFound),
        None => managed.into_iter().next().ok_or(AppError::NotFound),
    }
}

#[allow(clippy::too_many_arguments)]
async fn list_view(
    state: &AppState,
    page: PageContext,
    actor: &Actor,
    administration: &crate::Administration,
    errors: Vec<FieldError>,
    form: Option<&NewApiClient>,
    banner: &'static str,
) -> Result<ListPage, AppError> {
    let rows = api_clients::list(&state.db, actor, &administration.id)
        .await?
        .into_iter()
        .map(|client| Row {
            created: when(&client.created_at),
            revoked: client.revoked_at.as_ref().map(when).unwrap_or_default(),
            client,
        })
        .collect();
    Ok(ListPage {
        administration_id: administration.id.clone(),
        administration_name: administration.name(page.lang).to_owned(),
        rows,
        errors,
        name: form.map(|f| f.name.clone()).unwrap_or_default(),
        scopes: form.map(|f| f.scopes.clone()).unwrap_or_default(),
        auth_method: form
            .map(|f| f.auth_method.as_str())
            .unwrap_or("client_secret")
            .to_owned(),
        public_key: form.and_then(|f| f.public_key.clone()).unwrap_or_default(),
        banner,
        page,
    })
}

pub async fn list_page(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let actor = user.actor();
    let administration = chosen(&state, &actor, q.administration.as_deref()).await?;
    let banner = match q.done.as_deref() {
        Some("revoked") => "apiclient_revoked_banner",
        _ => "",
    };
    let page = page.with_strings(TABLES);
    let view = list_view(
        &state,
        page,
        &actor,
        &administration,
        Vec::new(),
        None,
        banner,
    )
    .await?;
    Ok(render(&view)?.into_response())
}

fn credentials_page(
    state: &AppState,
    page: PageContext,
    credentials: Credentials,
    rotated: bool,
) -> Result<Response, AppError> {
    let mut response = render(&CredentialsPage {
        page,
        credentials,
        token_endpoint: format!(
            "{}/oauth/token",
            state.config.base_url.trim_end_matches('/')
        ),
        rotated,
    })?
    .into_response();
    // The secret is on this page: never keep it in a cache.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The create form's fields, read from pairs so that several `scope` boxes can be ticked.
fn new_from_pairs(pairs: &[(String, String)]) -> (Option<String>, NewApiClient) {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    let new = NewApiClient {
        name: get("name").unwrap_or_default(),
        scopes: pairs
            .iter()
            .filter(|(k, _)| k == "scope")
            .map(|(_, v)| v.clone())
            .collect(),
        auth_method: get("auth_method")
            .as_deref()
            .and_then(AuthMethod::parse)
            .unwrap_or(AuthMethod::ClientSecret),
        public_key: get("public_key"),
    };
    (get("administration"), new)
}

pub async fn create_page(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = user.actor();
    let (administration, new) = new_from_pairs(&pairs);
    let administration = chosen(&state, &actor, administration.as_deref()).await?;
    let page = page.with_strings(TABLES);
    let mut tx = state.db.begin().await?;
    match api_clients::create(&mut tx, &actor, &administration.id, &new, state.clock.now()).await {
        Ok(credentials) => {
            tx.commit().await?;
            credentials_page(&state, page, credentials, false)
        }
        Err(crate::IdentityError::Invalid(errors)) => {
            drop(tx);
            let view = list_view(
                &state,
                page,
                &actor,
                &administration,
                errors,
                Some(&new),
                "",
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct RotateForm {
    #[serde(default)]
    public_key: Option<String>,
}

pub async fn rotate_page(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    ValidPath(id): ValidPath<Id>,
    CsrfForm(form): CsrfForm<RotateForm>,
) -> Result<Response, AppError> {
    let actor = user.actor();
    let mut tx = state.db.begin().await?;
    let credentials = api_clients::rotate(
        &mut tx,
        &actor,
        id.as_str(),
        form.public_key.as_deref(),
        state.clock.now(),
    )
    .await?;
    tx.commit().await?;
    credentials_page(&state, page.with_strings(TABLES), credentials, true)
}

#[derive(Debug, Deserialize)]
pub struct RevokeForm {
    /// The admin ticks "I understand this cannot be undone".
    #[serde(default)]
    confirm: Option<String>,
}

pub async fn revoke_page(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    ValidPath(id): ValidPath<Id>,
    CsrfForm(form): CsrfForm<RevokeForm>,
) -> Result<Response, AppError> {
    let actor = user.actor();
    let client = api_clients::get(&state.db, &actor, id.as_str()).await?;
    if form.confirm.as_deref() != Some("yes") {
        return Err(AppError::BadRequest("apiclient_revoke_not_confirmed"));
    }
    let mut tx = state.db.begin().await?;
    api_clients::revoke(&mut tx, &actor, id.as_str(), state.clock.now()).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/admin/api-clients?administration={}&done=revoked",
        client.administration_id
    ))
    .into_response())
}

// ---- JSON API -------------------------------------------------------------------------------

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ApiClientList {
    pub items: Vec<ApiClientView>,
}

fn admin_only(actor: &ApiActor) -> Result<&Actor, AppError> {
    // Managing clients is for an administration's admins, signed in: never for a client itself.
    actor.person()?;
    Ok(&actor.0)
}

/// An administration's API clients (for its administration admins, signed in).
#[utoipa::path(get, path = "/api/v1/administrations/{id}/api-clients", tag = "identity",
    params(("id" = String, Path, description = "Administration id")),
    security(("session" = [])),
    responses((status = 200, body = ApiClientList), (status = 401, body = portico_http::ApiErrorBody),
              (status = 404, body = portico_http::ApiErrorBody, description = "Not an administration this person administers")))]
async fn list_api(
    State(state): State<AppState>,
    actor: ApiActor,
    ValidPath(id): ValidPath<Id>,
) -> Result<Json<ApiClientList>, AppError> {
    let actor = admin_only(&actor)?;
    Ok(Json(ApiClientList {
        items: api_clients::list(&state.db, actor, id.as_str()).await?,
    }))
}

/// Creates an API client. The answer carries its secret (for `client_secret` clients): the only
/// time it is ever shown.
#[utoipa::path(post, path = "/api/v1/administrations/{id}/api-clients", tag = "identity",
    params(("id" = String, Path, description = "Administration id")),
    request_body = NewApiClient,
    security(("session" = [])),
    responses((status = 201, body = Credentials), (status = 422, body = portico_http::ApiErrorBody),
              (status = 404, body = portico_http::ApiErrorBody)))]
async fn create_api(
    State(state): State<AppState>,
    actor: ApiActor,
    ValidPath(id): ValidPath<Id>,
    Json(new): Json<NewApiClient>,
) -> Result<Response, AppError> {
    let actor = admin_only(&actor)?;
    let mut tx = state.db.begin().await?;
    let created = api_clients::create(&mut tx, actor, id.as_str(), &new, state.clock.now()).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct RotateRequest {
    /// For a `private_key_jwt` client: its new public key (JWK or PEM).
    pub public_key: Option<String>,
}

/// Replaces the client's secret (returned once) or public key; its tokens stop working at once.
#[utoipa::path(post, path = "/api/v1/api-clients/{id}/rotation", tag = "identity",
    params(("id" = String, Path, description = "Client id")),
    request_body = RotateRequest,
    security(("session" = [])),
    responses((status = 200, body = Credentials), (status = 404, body = portico_http::ApiErrorBody)))]
async fn rotate_api(
    State(state): State<AppState>,
    actor: ApiActor,
    ValidPath(id): ValidPath<Id>,
    Json(request): Json<RotateRequest>,
) -> Result<Json<Credentials>, AppError> {
    let actor = admin_only(&actor)?;
    let mut tx = state.db.begin().await?;
    let rotated = api_clients::rotate(
        &mut tx,
        actor,
        id.as_str(),
        request.public_key.as_deref(),
        state.clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(rotated))
}

/// Revokes the client for good: no new tokens, and its current ones stop working at once.
#[utoipa::path(delete, path = "/api/v1/api-clients/{id}", tag = "identity",
    params(("id" = String, Path, description = "Client id")),
    security(("session" = [])),
    responses((status = 204, description = "Revoked"), (status = 404, body = portico_http::ApiErrorBody)))]
async fn revoke_api(
    State(state): State<AppState>,
    actor: ApiActor,
    ValidPath(id): ValidPath<Id>,
) -> Result<StatusCode, AppError> {
    let actor = admin_only(&actor)?;
    let mut tx = state.db.begin().await?;
    api_clients::revoke(&mut tx, actor, id.as_str(), state.clock.now()).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
