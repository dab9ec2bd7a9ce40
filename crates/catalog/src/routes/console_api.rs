//! The service console over the JSON API, for an administration's own systems (an API client
//! with the scope `catalog`) and for its admins' sessions: read a service as the console sees
//! it (published or not), publish a new version of its form, choose its process, publish or
//! withdraw it. The rules are the console's ([`crate::service::editing`],
//! [`crate::service::local`]); another administration's service is 404, as one that does not
//! exist.

use crate::forms::FormVersion;
use crate::model::Service;
use crate::search::SearchIndex;
use crate::service::{self, editing, local};
use crate::CatalogError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use portico_core::Actor;
use portico_http::error::ApiErrorDetail;
use portico_http::{ApiActor, ApiErrorBody, AppError, AppState};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn console_api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(console_service))
        .routes(routes!(publish_form))
        .routes(routes!(choose_process))
        .routes(routes!(set_publication))
}

/// The service and the actor, if the actor may run its console; 404 for everyone else.
async fn managed(
    state: &AppState,
    actor: &ApiActor,
    slug: &str,
) -> Result<(Service, Actor), AppError> {
    let actor = actor.require_scope(local::SCOPE)?.clone();
    if !service::is_valid_slug(slug) {
        return Err(AppError::NotFound);
    }
    let found = service::by_slug(&state.db, slug)
        .await?
        .ok_or(AppError::NotFound)?;
    if !local::may_manage(&actor, &found.administration_id) {
        return Err(AppError::NotFound);
    }
    Ok((found, actor))
}

/// A refused form definition: 422 with the checker's reason in `details.reason`.
fn bad_form(reason: String) -> Response {
    let body = ApiErrorBody {
        error: ApiErrorDetail {
            code: "bad_form".into(),
            message: "The form cannot be published: the schema or the layout is not valid. / \
                      Формулярът не може да се публикува: схемата или оформлението са невалидни."
                .into(),
            details: serde_json::json!({ "reason": reason }),
        },
    };
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

const SLUG: &str = "The service's address, e.g. birth-certificate-sofia";

/// A service as its console sees it, published or withdrawn, with its form key and process.
#[utoipa::path(get, path = "/api/v1/console/services/{slug}", tag = "catalog",
    params(("slug" = String, Path, description = SLUG)),
    security(("session" = []), ("client_credentials" = ["catalog"])),
    responses((status = 200, body = Service),
              (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody, description = "The token lacks the scope `catalog`"),
              (status = 404, body = ApiErrorBody, description = "No such service of the caller's administration")))]
async fn console_service(
    State(state): State<AppState>,
    actor: ApiActor,
    Path(slug): Path<String>,
) -> Result<Json<Service>, AppError> {
    Ok(Json(managed(&state, &actor, &slug).await?.0))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct FormDefinition {
    /// A JSON Schema (draft 2020-12) for an object.
    #[schema(value_type = Object)]
    pub schema: Value,
    /// The layout in steps (see `GET /api/v1/forms/{form_key}`).
    #[schema(value_type = Object)]
    pub layout: Value,
}

/// Publishes a new version of the service's form (its own copy, made now if it shares one).
/// Applications already started keep their version. Each call makes a new version.
#[utoipa::path(post, path = "/api/v1/console/services/{slug}/form-versions", tag = "catalog",
    params(("slug" = String, Path, description = SLUG)),
    request_body = FormDefinition,
    security(("session" = []), ("client_credentials" = ["catalog"])),
    responses((status = 201, body = FormVersion),
              (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody, description = "The token lacks the scope `catalog`"),
              (status = 404, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody, description = "The definition is refused; nothing changed")))]
async fn publish_form(
    State(state): State<AppState>,
    Extension(index): Extension<SearchIndex>,
    actor: ApiActor,
    Path(slug): Path<String>,
    Json(body): Json<FormDefinition>,
) -> Result<Response, AppError> {
    let (found, actor) = managed(&state, &actor, &slug).await?;
    let mut tx = state.db.begin().await?;
    let published = editing::publish_form(
        &mut tx,
        &actor,
        &found.id,
        &body.schema.to_string(),
        &body.layout.to_string(),
        state.clock.now(),
    )
    .await;
    match published {
        Ok(version) => {
            tx.commit().await?;
            index.invalidate();
            Ok((StatusCode::CREATED, Json(version)).into_response())
        }
        Err(CatalogError::BadForm(reason)) => Ok(bad_form(reason)),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ProcessChoice {
    /// A key of the process library: `standard`, `with_consent` or `address_registration`.
    pub process: String,
}

/// Chooses the process new applications follow; those already started keep theirs.
#[utoipa::path(put, path = "/api/v1/console/services/{slug}/process", tag = "catalog",
    params(("slug" = String, Path, description = SLUG)),
    request_body = ProcessChoice,
    security(("session" = []), ("client_credentials" = ["catalog"])),
    responses((status = 200, body = Service),
              (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody, description = "The token lacks the scope `catalog`"),
              (status = 404, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody, description = "Not a library process, or the form needs consents")))]
async fn choose_process(
    State(state): State<AppState>,
    Extension(index): Extension<SearchIndex>,
    actor: ApiActor,
    Path(slug): Path<String>,
    Json(body): Json<ProcessChoice>,
) -> Result<Json<Service>, AppError> {
    let (found, actor) = managed(&state, &actor, &slug).await?;
    let mut tx = state.db.begin().await?;
    let now = state.clock.now();
    let changed = editing::set_process(&mut tx, &actor, &found.id, &body.process, now).await?;
    tx.commit().await?;
    index.invalidate();
    Ok(Json(changed))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Publication {
    /// `true` publishes the service, `false` withdraws it from the catalog.
    pub published: bool,
}

/// Publishes or withdraws the service. Doing what is already done changes nothing.
#[utoipa::path(put, path = "/api/v1/console/services/{slug}/publication", tag = "catalog",
    params(("slug" = String, Path, description = SLUG)),
    request_body = Publication,
    security(("session" = []), ("client_credentials" = ["catalog"])),
    responses((status = 200, body = Service),
              (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody, description = "The token lacks the scope `catalog`"),
              (status = 404, body = ApiErrorBody)))]
async fn set_publication(
    State(state): State<AppState>,
    Extension(index): Extension<SearchIndex>,
    actor: ApiActor,
    Path(slug): Path<String>,
    Json(body): Json<Publication>,
) -> Result<Json<Service>, AppError> {
    let (found, actor) = managed(&state, &actor, &slug).await?;
    let mut tx = state.db.begin().await?;
    let now = state.clock.now();
    let changed = local::set_published(&mut tx, &actor, &found.id, body.published, now).await?;
    tx.commit().await?;
    index.invalidate();
    Ok(Json(changed))
}
