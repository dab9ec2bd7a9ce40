//! The delivery block's JSON API: a mailbox's messages, one message (reading it is its
//! retrieval), its evidence, and sending. Every route goes through the same service functions
//! as the pages. The caller is a signed-in person or an institution's system by its bearer
//! token ([`Caller`]: an API client needs the `delivery` scope and acts for its own
//! administration and its units). Sends take an `Idempotency-Key`.

use super::DeliveryState;
use crate::model::{
    Address, Evidence, Mailbox, Message, MessageSummary, NewAttachment, NewMessage, Sent,
};
use crate::service::grants::{self, Grant, NewGrant};
use crate::service::{access, idempotency, messages};
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use portico_core::{Actor, FieldError, Id};
use portico_http::{ApiActor, AppError, AppState, ValidPath};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn api_router(state: DeliveryState) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_messages, send_message))
        .routes(routes!(get_message))
        .routes(routes!(message_evidence))
        .routes(routes!(message_attachment))
        .routes(routes!(message_content))
        .routes(routes!(export_mailbox))
        .routes(routes!(export_thread))
        .routes(routes!(list_grants, make_grant))
        .routes(routes!(revoke_grant))
        .routes(routes!(list_webhooks, register_webhook))
        .routes(routes!(delete_webhook))
        .with_state(state)
}

/// Who calls: a signed-in person, or an API client with the `delivery` scope (403
/// `insufficient_scope` without it). The one place where a request becomes this block's actor.
pub struct Caller(pub Actor);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let api = ApiActor::from_request_parts(parts, state).await?;
        Ok(Caller(api.require_scope(access::SCOPE)?.clone()))
    }
}

/// The header that makes a send idempotent.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListParams {
    /// The mailbox to list; default the caller's first (a person's own).
    #[param(value_type = Option<String>)]
    mailbox: Option<Id>,
    #[serde(default)]
    limit: Option<i64>,
    #[serde(default)]
    offset: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct MessageList {
    pub mailbox: Option<Mailbox>,
    pub items: Vec<MessageSummary>,
}

/// Messages delivered to one of the caller's mailboxes, newest first.
#[utoipa::path(get, path = "/api/v1/mailbox/messages", tag = "delivery", params(ListParams),
    security(("session" = []), ("client_credentials" = ["delivery"])),
    responses((status = 200, body = MessageList), (status = 401, body = portico_http::ApiErrorBody),
              (status = 403, body = portico_http::ApiErrorBody, description = "The session's level of assurance is below substantial")))]
async fn list_messages(
    State(state): State<DeliveryState>,
    Caller(actor): Caller,
    Query(params): Query<ListParams>,
) -> Result<Json<MessageList>, AppError> {
    let page = portico_core::Page {
        limit: params.limit.unwrap_or(20),
        offset: params.offset.unwrap_or(0),
    };
    let (mailbox, items) =
        messages::received(&state.delivery, &actor, params.mailbox.as_deref(), page).await?;
    Ok(Json(MessageList { mailbox, items }))
}

/// One message the caller may read (as its sender or a recipient); reading it as a recipient
/// for the first time is recorded as its retrieval (`ContentHandover` evidence).
#[utoipa::path(get, path = "/api/v1/mailbox/messages/{id}", tag = "delivery",
    security(("session" = []), ("client_credentials" = ["delivery"])),
    params(("id" = String, Path, description = "Message id")),
    responses((status = 200, body = Message), (status = 404, body = portico_http::ApiErrorBody)))]
async fn get_message(
    State(state): State<DeliveryState>,
    Caller(actor): Caller,
    ValidPath(id): ValidPath<Id>,
) -> Result<Json<Message>, AppError> {
    Ok(Json(messages::open(&state.delivery, &actor, &id).await?))
}

#[derive(Serialize, ToSchema)]
pub struct EvidenceList {
    pub items: Vec<Evidence>,
}

/// A message's evidence in chain order, each a compact JWS.
#[utoipa::path(get, path = "/api/v1/mailbox/messages/{id}/evidence", tag = "delivery",
    security(("session" = []), ("client_credentials" = ["delivery"])),
    params(("id" = String, Path, description = "Message id")),
    responses((status = 200, body = EvidenceList), (status = 404, body = portico_http::ApiErrorBody)))]
async fn message_evidence(
    State(state): State<DeliveryState>,
    Caller(actor): Caller,
    ValidPath(id): ValidPath<Id>,
) -> Result<Json<EvidenceList>, AppError> {
    Ok(Json(EvidenceList {
        items: messages::evidence(&state.delivery, &actor, &id).await?,
    }))
}

/// One attachment's bytes (its media type as `Content-Type`). Downloading it is a retrieval,
/// as on the page. Buffered whole (at most 10 MB), not streamed.
#[utoipa::path(get, path = "/api/v1/mailbox/messages/{id}/attachments/{position}", tag = "delivery",
    security(("session" = []), ("client_credentials" = ["delivery"])),
    params(("id" = String, Path, description = "Message id"), ("position" = i64, Path, description = "The attachment's position, from 0")),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = portico_http::ApiErrorBody)))]
async fn message_attachment(
    State(state): State<DeliveryState>,
    Caller(actor): Caller,
    ValidPath((id, position)): ValidPath<(Id, i64)>,
) -> Result<Response, AppError> {
    let (info, bytes) = messages::attachment(&state.delivery, &actor, &id, position).await?;
    let mut headers = HeaderMap::new();
    let media = HeaderValue::from_str(&info.media_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    headers.insert(axum::http::header::CONTENT_TYPE, media);
    headers.insert(
        axum::http::header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok((headers, bytes).into_response())
}

/// The message's canonical content (`message.json`), whose SHA-256 its evidence names.
#[utoipa::path(get, path = "/api/v1/mailbox/messages/{id}/content", tag = "delivery",
    security(("session" = []), ("client_credentials" = ["delivery"])),
    params(("id" = String, Path, description = "Message id")),
    responses((status = 200, content_type = "application/json", body = Vec<u8>), (status = 404, body = portico_http::ApiErrorBody)))]
async fn message_content(
    State(state): State<DeliveryState>,
    Caller(actor): Caller,
    ValidPath(id): ValidPath<Id>,
) -> Result<Response, AppError> {
    let bytes = messages::content(&state.delivery, &actor, &id).await?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        bytes,
    )
        .into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ExportParams {
    /// The mailbox to export; default the caller's first (a person's own).
    #[param(value_type = Option<String>)]
    mailbox: Option<Id>,
}

fn zip_response(name: &str, zip: Vec<u8>) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(axum::http::header::CONTENT_DISPOSITION, v);
    }
    (headers, zip).into_response()
}

/// A mailbox the caller reads, as a ZIP of its messages (`message.json`), attachments and
/// evidence with a signed manifest; `portico evidence verify FILE.zip` checks it whole.
#[utoipa::path(get, path = "/api/v1/mailbox/export", tag = "delivery",
    security(("session" = []), ("client_credentials" = ["delivery"])),
    params(ExportParams),
    responses((status = 200, content_type = "application/zip", body = Vec<u8>), (status = 404, body = portico_http::ApiErrorBody)))]
async fn export_mailbox(
    State(state): State<DeliveryState>,
    Caller(actor): Caller,
    Query(params): Query<ExportParams>,
) -> Result<Response, AppError> {
    let (mailbox, zip) =
        crate::service::export::mailbox(&state.delivery, &actor, params.mailbox.as_deref()).await?;
    Ok(zip_response(&format!("mailbox-{}.zip", mailbox.id), zip))
}

/// The thread of a message the caller reads, as a ZIP like a mailbox's.
#[utoipa::path(get, path = "/api/v1/mailbox/messages/{id}/export", tag = "delivery",
    security(("session" = []), ("client_credentials" = ["delivery"])),
    params(("id" = String, Path, description = "A message of the thread")),
    responses((status = 200, content_type = "application/zip", body = Vec<u8>), (status = 404, body = portico_http::ApiErrorBody)))]
async fn export_thread(
    State(state): State<DeliveryState>,
    Caller(actor): Caller,
    ValidPath(id): ValidPath<Id>,
) -> Result<Response, AppError> {
    let (thread, zip) = crate::service::export::thread(&state.delivery, &actor, &id).await?;
    Ok(zip_response(&format!("thread-{thread}.zip"), zip))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AttachmentUpload {
    pub file_name: String,
    pub media_type: String,
    /// The file's bytes, base64 (standard alphabet, with padding).
    pub content_base64: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SendRequest {
    pub sender: Address,
    pub recipients: Vec<Address>,
    pub subject: String,
    pub body: String,
    #[serde(default)]
    pub service_id: Option<String>,
    #[serde(default)]
    pub application_id: Option<String>,
    #[serde(default)]
    pub reply_to: Option<String>,
    #[serde(default)]
    pub attachments: Vec<AttachmentUpload>,
}

/// The request in a canonical form (object keys sorted, no spaces), so that the same request
/// written another way is the same request for its `Idempotency-Key`.
fn canonical_sha256(value: &serde_json::Value) -> String {
    fn sorted(v: &serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::Object(map) => {
                let ordered: std::collections::BTreeMap<&String, serde_json::Value> =
                    map.iter().map(|(k, v)| (k, sorted(v))).collect();
                serde_json::json!(ordered)
            }
            serde_json::Value::Array(items) => {
                serde_json::Value::Array(items.iter().map(sorted).collect())
            }
            other => other.clone(),
        }
    }
    // A `Value` always serialises.
    let bytes = serde_json::to_vec(&sorted(value)).unwrap_or_default();
    hex::encode(Sha256::digest(bytes))
}

/// Sends a message from a mailbox the caller may send from (its administration or unit).
/// Refused submissions (422 with the fields' errors) store nothing. With an `Idempotency-Key`
/// header (printable ASCII, at most 255 characters; kept 24 hours per client) the same key with
/// the same request answers as the first time (`Idempotent-Replayed: true`) and sends nothing
/// new; the same key with another request is refused (422 `delivery.idempotency.key_reused`).
#[utoipa::path(post, path = "/api/v1/mailbox/messages", tag = "delivery",
    security(("session" = []), ("client_credentials" = ["delivery"])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes the send idempotent for this client")),
    request_body = SendRequest,
    responses((status = 201, body = Sent),
              (status = 422, body = portico_http::ApiErrorBody, description = "Refused; nothing was stored. Also a key used before with another request"),
              (status = 403, body = portico_http::ApiErrorBody)))]
async fn send_message(
    State(state): State<DeliveryState>,
    Caller(actor): Caller,
    headers: HeaderMap,
    Json(raw): Json<serde_json::Value>,
) -> Result<Response, AppError> {
    let key = match headers.get(IDEMPOTENCY_KEY) {
        None => None,
        Some(v) => Some(v.to_str().map(str::to_owned).map_err(|_| {
            AppError::Invalid(vec![FieldError::new(
                "idempotency_key",
                "delivery.idempotency.bad_key",
            )])
        })?),
    };
    let request_sha256 = canonical_sha256(&raw);
    let request: SendRequest =
        serde_json::from_value(raw).map_err(|_| AppError::BadRequest("malformed_request"))?;
    let mut attachments = Vec::with_capacity(request.attachments.len());
    for a in request.attachments {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(a.content_base64.trim())
            .map_err(|_| {
                AppError::Invalid(vec![FieldError::new(
                    "attachments",
                    "delivery.attachment.not_base64",
                )])
            })?;
        attachments.push(NewAttachment {
            file_name: a.file_name,
            media_type: a.media_type,
            bytes,
        });
    }
    let message = NewMessage {
        sender: request.sender,
        recipients: request.recipients,
        subject: request.subject,
        body: request.body,
        service_id: request.service_id,
        application_id: request.application_id,
        attachments,
        reply_to: request.reply_to,
    };
    let Some(key) = key else {
        let sent = messages::send(&state.delivery, &actor, message).await?;
        return Ok((StatusCode::CREATED, Json(sent)).into_response());
    };
    let answer = idempotency::send(&state.delivery, &actor, &key, &request_sha256, message).await?;
    let mut response = (StatusCode::CREATED, Json(answer.sent)).into_response();
    if answer.replayed {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(response)
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct GrantParams {
    /// The mailbox whose grants to list (one the caller reads).
    #[param(value_type = String)]
    mailbox: Id,
}

#[derive(Serialize, ToSchema)]
pub struct GrantList {
    pub items: Vec<Grant>,
}

/// The access a mailbox's owner granted others, newest first, with every read through it.
#[utoipa::path(get, path = "/api/v1/mailbox/grants", tag = "delivery", params(GrantParams),
    security(("session" = []), ("client_credentials" = ["delivery"])),
    responses((status = 200, body = GrantList), (status = 404, body = portico_http::ApiErrorBody)))]
async fn list_grants(
    State(state): State<DeliveryState>,
    Caller(actor): Caller,
    Query(params): Query<GrantParams>,
) -> Result<Json<GrantList>, AppError> {
    Ok(Json(GrantList {
        items: grants::of_mailbox(&state.delivery, &actor, &params.mailbox).await?,
    }))
}

/// Grants a person (by personal identifier) access to one message, its thread, or the whole
/// mailbox; they read it with a session of substantial assurance until it is revoked.
#[utoipa::path(post, path = "/api/v1/mailbox/grants", tag = "delivery",
    security(("session" = []), ("client_credentials" = ["delivery"])),
    request_body = NewGrant,
    responses((status = 201, body = Grant), (status = 404, body = portico_http::ApiErrorBody),
              (status = 422, body = portico_http::ApiErrorBody)))]
async fn make_grant(
    State(state): State<DeliveryState>,
    Caller(actor): Caller,
    Json(new): Json<NewGrant>,
) -> Result<(StatusCode, Json<Grant>), AppError> {
    let grant = grants::grant(&state.delivery, &actor, new).await?;
    Ok((StatusCode::CREATED, Json(grant)))
}

/// Revokes a grant: from now on it lets nobody read.
#[utoipa::path(post, path = "/api/v1/mailbox/grants/{id}/revoke", tag = "delivery",
    security(("session" = []), ("client_credentials" = ["delivery"])),
    params(("id" = String, Path, description = "Grant id")),
    responses((status = 204), (status = 404, body = portico_http::ApiErrorBody)))]
async fn revoke_grant(
    State(state): State<DeliveryState>,
    Caller(actor): Caller,
    ValidPath(id): ValidPath<Id>,
) -> Result<StatusCode, AppError> {
    grants::revoke(&state.delivery, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct WebhookList {
    pub items: Vec<crate::service::webhooks::Webhook>,
}

/// Registers an endpoint of the caller's administration (an API client's; 403 for a person):
/// new messages to its mailboxes and the evidence of the messages they send are POSTed to it,
/// signed with HMAC-SHA256 (`Portico-Signature: t=…,v1=…` over `t.body`), at least once, with
/// a sequence number per mailbox. The secret is in this answer only.
#[utoipa::path(post, path = "/api/v1/mailbox/webhooks", tag = "delivery",
    security(("client_credentials" = ["delivery"])),
    request_body = crate::service::webhooks::NewWebhook,
    responses((status = 201, body = crate::service::webhooks::Webhook), (status = 403, body = portico_http::ApiErrorBody),
              (status = 422, body = portico_http::ApiErrorBody)))]
async fn register_webhook(
    State(state): State<DeliveryState>,
    Caller(actor): Caller,
    Json(new): Json<crate::service::webhooks::NewWebhook>,
) -> Result<(StatusCode, Json<crate::service::webhooks::Webhook>), AppError> {
    let hook = crate::service::webhooks::register(&state.delivery, &actor, new).await?;
    Ok((StatusCode::CREATED, Json(hook)))
}

/// The caller's administration's endpoints (without their secrets).
#[utoipa::path(get, path = "/api/v1/mailbox/webhooks", tag = "delivery",
    security(("client_credentials" = ["delivery"])),
    responses((status = 200, body = WebhookList), (status = 403, body = portico_http::ApiErrorBody)))]
async fn list_webhooks(
    State(state): State<DeliveryState>,
    Caller(actor): Caller,
) -> Result<Json<WebhookList>, AppError> {
    Ok(Json(WebhookList {
        items: crate::service::webhooks::list(&state.delivery, &actor).await?,
    }))
}

/// Removes an endpoint; its events not yet delivered are dropped.
#[utoipa::path(delete, path = "/api/v1/mailbox/webhooks/{id}", tag = "delivery",
    security(("client_credentials" = ["delivery"])),
    params(("id" = String, Path, description = "Webhook id")),
    responses((status = 204), (status = 404, body = portico_http::ApiErrorBody)))]
async fn delete_webhook(
    State(state): State<DeliveryState>,
    Caller(actor): Caller,
    ValidPath(id): ValidPath<Id>,
) -> Result<StatusCode, AppError> {
    crate::service::webhooks::delete(&state.delivery, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
