//! The service console over the JSON API, for an administration's own systems (an API client
//! with the scope `catalog`) and for its admins' sessions: read a service as the console sees
//! it (published or not), publish a new version of its form, choose its process, publish or
//! withdraw it. The rules are the console's ([`crate::service::editing`],
//! [`crate::service::local`]); another administration's service is 404, as one that does not
//! exist.

use crate::forms::FormVersion;
use crate::model::Service;
use crate::model::{Contact, Overrides, Text};
use crate::search::SearchIndex;
use crate::service::{self, editing, idempotency, local};
use crate::CatalogError;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use portico_core::{Actor, FieldError, Money};
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
        .routes(routes!(set_local_parts))
        .routes(routes!(adopt))
}

/// The header a client sends to make a POST safe to retry.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// A write with an `Idempotency-Key`: who sent it, the key, and the request's hash.
struct Keyed {
    client: String,
    key: String,
    hash: String,
}

/// Before a POST: with a key used before for the same request, the answer given then (replayed,
/// nothing done again); with a key used for another request, 422; else how to remember this one.
async fn once(
    state: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    method_and_path: &str,
    body: &Value,
) -> Result<Result<Option<Keyed>, Response>, AppError> {
    let Some(key) = headers.get(IDEMPOTENCY_KEY) else {
        return Ok(Ok(None));
    };
    let key = key.to_str().unwrap_or_default().to_owned();
    idempotency::check_key(&key)?;
    let keyed = Keyed {
        client: actor.audit_id(),
        key,
        hash: idempotency::request_sha256(method_and_path, body),
    };
    let now = state.clock.now();
    match idempotency::earlier(
        &state.db,
        &keyed.client,
        &keyed.key,
        &keyed.hash,
        now,
        false,
    )
    .await?
    {
        Some(found) => Ok(Err(replayed(found))),
        None => Ok(Ok(Some(keyed))),
    }
}

fn replayed(found: idempotency::Remembered) -> Response {
    let status = StatusCode::from_u16(found.status).unwrap_or(StatusCode::OK);
    let mut response = (status, Json(found.body)).into_response();
    response
        .headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}

/// Starts the transaction of a write made with [`once`], claiming its key first. When a
/// request with the same key got there first, the answer it gave (the transaction is dropped:
/// nothing is done).
async fn begin_once(
    state: &AppState,
    keyed: &Option<Keyed>,
) -> Result<Result<portico_store::Tx, Response>, AppError> {
    let mut tx = state.db.begin().await?;
    let now = state.clock.now();
    if let Some(k) = keyed {
        if !idempotency::claim(&mut tx, &k.client, &k.key, &k.hash, now).await? {
            drop(tx);
            let first =
                idempotency::earlier(&state.db, &k.client, &k.key, &k.hash, now, true).await?;
            return match first {
                Some(found) => Ok(Err(replayed(found))),
                None => Err(AppError::Conflict("idempotency_key")),
            };
        }
    }
    Ok(Ok(tx))
}

/// Commits a write begun with [`begin_once`], with its answer remembered for its key.
async fn commit_once(
    mut tx: portico_store::Tx,
    keyed: Option<Keyed>,
    status: StatusCode,
    body: Value,
) -> Result<Response, AppError> {
    if let Some(k) = &keyed {
        let answer = idempotency::Remembered {
            status: status.as_u16(),
            body: body.clone(),
        };
        idempotency::remember(&mut tx, &k.client, &k.key, &answer).await?;
    }
    tx.commit().await?;
    Ok((status, Json(body)).into_response())
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
/// Applications already started keep their version. Each call makes a new version, except a
/// retry with the same `Idempotency-Key` and body (kept 24 hours per client): it answers as the
/// first time (`Idempotent-Replayed: true`) and publishes nothing more; the same key with
/// another body is 422 (`catalog.idempotency.key_reused`).
#[utoipa::path(post, path = "/api/v1/console/services/{slug}/form-versions", tag = "catalog",
    params(("slug" = String, Path, description = SLUG),
           ("Idempotency-Key" = Option<String>, Header, description = "Makes the call safe to retry")),
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
    headers: HeaderMap,
    Json(raw): Json<Value>,
) -> Result<Response, AppError> {
    let (found, actor) = managed(&state, &actor, &slug).await?;
    let path = format!("POST /api/v1/console/services/{slug}/form-versions");
    let keyed = match once(&state, &actor, &headers, &path, &raw).await? {
        Ok(keyed) => keyed,
        Err(answered) => return Ok(answered),
    };
    let body: FormDefinition =
        serde_json::from_value(raw).map_err(|_| AppError::BadRequest("malformed_request"))?;
    let mut tx = match begin_once(&state, &keyed).await? {
        Ok(tx) => tx,
        Err(answered) => return Ok(answered),
    };
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
            let body = serde_json::to_value(&version).map_err(CatalogError::from)?;
            let answer = commit_once(tx, keyed, StatusCode::CREATED, body).await?;
            index.invalidate();
            Ok(answer)
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

/// The administration's own parts of a service: each one given replaces the service's, each
/// one left out stays as it is.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocalPartsChange {
    /// The fee in minor units with its currency, e.g. `{"minor": 500, "currency": "EUR"}`.
    #[schema(value_type = Option<Object>)]
    pub fee: Option<Money>,
    pub fee_note: Option<Text>,
    pub deadline_working_days: Option<u32>,
    /// Unit codes of the administration; the first receives applications the form does not route.
    pub units: Option<Vec<String>>,
    pub contact: Option<Contact>,
    /// Codes of the payment options (at least one when there is a fee).
    pub payment_options: Option<Vec<String>>,
    /// Codes of the delivery channels (at least one).
    pub delivery_channels: Option<Vec<String>>,
    pub required_documents: Option<Vec<Text>>,
}

async fn unit_codes(state: &AppState, administration_id: &str) -> Result<Vec<String>, AppError> {
    Ok(
        portico_identity::service::administrations::list_units(&state.db, administration_id)
            .await
            .map_err(CatalogError::from)?
            .into_iter()
            .map(|u| u.code)
            .collect(),
    )
}

/// Sets the administration's own parts of the service: fee, deadline, units, contacts, payment
/// and delivery channels, required documents. The console's rules: a refusal is 422 with the
/// fields' errors and changes nothing; each change is audited.
#[utoipa::path(patch, path = "/api/v1/console/services/{slug}/local", tag = "catalog",
    params(("slug" = String, Path, description = SLUG)),
    request_body = LocalPartsChange,
    security(("session" = []), ("client_credentials" = ["catalog"])),
    responses((status = 200, body = Service),
              (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody, description = "The token lacks the scope `catalog`"),
              (status = 404, body = ApiErrorBody),
              (status = 422, body = ApiErrorBody, description = "Refused field by field; nothing changed")))]
async fn set_local_parts(
    State(state): State<AppState>,
    Extension(index): Extension<SearchIndex>,
    actor: ApiActor,
    Path(slug): Path<String>,
    Json(body): Json<LocalPartsChange>,
) -> Result<Json<Service>, AppError> {
    let (found, actor) = managed(&state, &actor, &slug).await?;
    let mut parts = local::LocalParts::of(&found);
    if let Some(fee) = body.fee {
        parts.fee = fee;
    }
    if let Some(note) = body.fee_note {
        parts.fee_note = note;
    }
    if let Some(days) = body.deadline_working_days {
        parts.deadline_working_days = days;
    }
    if let Some(units) = body.units {
        parts.units = units;
    }
    if let Some(contact) = body.contact {
        parts.contact = contact;
    }
    if let Some(options) = body.payment_options {
        parts.payment_options = options;
    }
    if let Some(channels) = body.delivery_channels {
        parts.delivery_channels = channels;
    }
    if let Some(documents) = body.required_documents {
        parts.required_documents = documents;
    }
    let units = unit_codes(&state, &found.administration_id).await?;
    let mut tx = state.db.begin().await?;
    let now = state.clock.now();
    let changed = local::update(&mut tx, &actor, &found.id, &parts, &units, now).await?;
    tx.commit().await?;
    index.invalidate();
    Ok(Json(changed))
}

/// An adoption of a shared template, with what the administration sets differently.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdoptionRequest {
    /// The template's key, e.g. `general-application`.
    pub template: String,
    /// The adopting administration; by default the API client's own.
    pub administration_id: Option<String>,
    /// The new service's address; by default the template's key and the administration's name.
    pub slug: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub fee: Option<Money>,
    pub fee_note: Option<Text>,
    pub deadline_working_days: Option<u32>,
    /// Unit codes of the administration.
    pub units: Option<Vec<String>>,
    pub contact: Option<Contact>,
}

/// Adopts a template for the administration: a new service with the template's facts, form
/// and process and the overrides given, published at once and audited, as on the adopt screen.
/// With an `Idempotency-Key` (kept 24 hours per client) a retry with the same body answers as
/// the first time (`Idempotent-Replayed: true`) and adopts nothing more; the same key with
/// another body is 422 (`catalog.idempotency.key_reused`). Another administration is 403.
#[utoipa::path(post, path = "/api/v1/console/adoptions", tag = "catalog",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes the call safe to retry")),
    request_body = AdoptionRequest,
    security(("session" = []), ("client_credentials" = ["catalog"])),
    responses((status = 201, body = Service),
              (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody, description = "The token lacks the scope `catalog`, or the administration is not the caller's"),
              (status = 422, body = ApiErrorBody, description = "Refused; nothing adopted. Also a key used before with another body")))]
async fn adopt(
    State(state): State<AppState>,
    Extension(index): Extension<SearchIndex>,
    actor: ApiActor,
    headers: HeaderMap,
    Json(raw): Json<Value>,
) -> Result<Response, AppError> {
    let actor = actor.require_scope(local::SCOPE)?.clone();
    let body: AdoptionRequest = serde_json::from_value(raw.clone())
        .map_err(|_| AppError::BadRequest("malformed_request"))?;
    let administration_id = match (&body.administration_id, &actor) {
        (Some(id), _) => id.clone(),
        (None, Actor::ApiClient(c)) => c.administration_id.clone(),
        (None, _) => {
            return Err(AppError::Invalid(vec![FieldError::new(
                "administration_id",
                "catalog.administration.missing",
            )]))
        }
    };
    local::authorize(&actor, &administration_id)?;
    let administration =
        portico_identity::service::administrations::get(&state.db, &administration_id)
            .await
            .map_err(CatalogError::from)?
            .ok_or(AppError::Forbidden)?;
    let keyed = match once(
        &state,
        &actor,
        &headers,
        "POST /api/v1/console/adoptions",
        &raw,
    )
    .await?
    {
        Ok(keyed) => keyed,
        Err(answered) => return Ok(answered),
    };
    if let Some(units) = &body.units {
        let known = unit_codes(&state, &administration.id).await?;
        if !units.iter().all(|u| known.contains(u)) {
            return Err(AppError::Invalid(vec![FieldError::new(
                "units",
                "catalog.unit.unknown",
            )]));
        }
    }
    let overrides = Overrides {
        slug: Some(
            body.slug
                .clone()
                .unwrap_or_else(|| service::slug_for(&body.template, &administration.name_en)),
        ),
        fee: body.fee,
        fee_note: body.fee_note.clone(),
        deadline_working_days: body.deadline_working_days,
        units: body.units.clone(),
        contact: body.contact.clone(),
        ..Overrides::default()
    };
    let mut tx = match begin_once(&state, &keyed).await? {
        Ok(tx) => tx,
        Err(answered) => return Ok(answered),
    };
    let adopted = service::adopt(
        &mut tx,
        &body.template,
        &administration.id,
        &overrides,
        &actor.audit_id(),
        state.clock.now(),
    )
    .await
    .map_err(|e| match e {
        CatalogError::UnknownTemplate(_) => {
            CatalogError::field("template", "catalog.template.missing")
        }
        e => e,
    })?;
    let answer = serde_json::to_value(&adopted).map_err(CatalogError::from)?;
    let response = commit_once(tx, keyed, StatusCode::CREATED, answer).await?;
    index.invalidate();
    Ok(response)
}
