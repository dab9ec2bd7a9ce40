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
use crate::service::{access, idempotency, messages, rejections};
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
        .merge(
            // Files of up to 100 MiB each, read as they come: the shell's own limit for this
            // path (`portico_http::shell::LARGE_BODIES`) is the request's.
            OpenApiRouter::new().routes(routes!(send_streamed)).layer(
                axum::extract::DefaultBodyLimit::max(portico_http::shell::body_limit(
                    STREAMED_SEND_PATH,
                )),
            ),
        )
        .routes(routes!(get_message))
        .routes(routes!(get_rejection))
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

/// One attachment's bytes (its media type as `Content-Type`, its size as `Content-Length`),
/// streamed as it is opened, never held whole. Downloading it is a retrieval, as on the page. A
/// stored file found changed ends the download short (the body has fewer bytes than
/// `Content-Length`; the server logs which segment).
#[utoipa::path(get, path = "/api/v1/mailbox/messages/{id}/attachments/{position}", tag = "delivery",
    security(("session" = []), ("client_credentials" = ["delivery"])),
    params(("id" = String, Path, description = "Message id"), ("position" = i64, Path, description = "The attachment's position, from 0")),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = portico_http::ApiErrorBody)))]
async fn message_attachment(
    State(state): State<DeliveryState>,
    Caller(actor): Caller,
    ValidPath((id, position)): ValidPath<(Id, i64)>,
) -> Result<Response, AppError> {
    let (info, stream) = messages::attachment(&state.delivery, &actor, &id, position).await?;
    let mut headers = HeaderMap::new();
    let media = HeaderValue::from_str(&info.media_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    headers.insert(axum::http::header::CONTENT_TYPE, media);
    headers.insert(
        axum::http::header::CONTENT_LENGTH,
        HeaderValue::from(info.size),
    );
    headers.insert(
        axum::http::header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok((headers, axum::body::Body::from_stream(stream)).into_response())
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

fn zip_response(name: &str, zip: crate::service::export::Export) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    // Streamed as it is made: no length is known before the end.
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(axum::http::header::CONTENT_DISPOSITION, v);
    }
    (headers, axum::body::Body::from_stream(zip.into_stream())).into_response()
}

/// A mailbox the caller reads, as a ZIP of its messages (`message.json`), attachments and
/// evidence with a signed manifest; `portico evidence verify FILE.zip` checks it whole. The ZIP
/// is streamed as it is made (no `Content-Length`); an export whose files add up to more than the
/// limit (4 GiB by default) is refused with 413 `delivery.export.too_large`.
#[utoipa::path(get, path = "/api/v1/mailbox/export", tag = "delivery",
    security(("session" = []), ("client_credentials" = ["delivery"])),
    params(ExportParams),
    responses((status = 200, content_type = "application/zip", body = Vec<u8>), (status = 404, body = portico_http::ApiErrorBody),
              (status = 413, body = portico_http::ApiErrorBody, description = "The export would be larger than allowed; nothing was exported")))]
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
    responses((status = 200, content_type = "application/zip", body = Vec<u8>), (status = 404, body = portico_http::ApiErrorBody),
              (status = 413, body = portico_http::ApiErrorBody, description = "The export would be larger than allowed; nothing was exported")))]
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
    let key = idempotency_key(&headers)?;
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
    let d = &state.delivery;
    if let Some(key) = &key {
        if let Some(answer) = idempotency::earlier_answer(d, &actor, key, &request_sha256).await? {
            return Ok(idempotent_answer(answer));
        }
    }
    let sender = message.sender.clone();
    let prepared = match messages::prepare(d, &actor, message).await {
        Ok(prepared) => prepared,
        Err(e) => return Ok(refused(d, &actor, &sender, &request_sha256, e.into()).await),
    };
    let Some(key) = key else {
        let sent = messages::send_prepared(d, &actor, prepared).await?;
        return Ok((StatusCode::CREATED, Json(sent)).into_response());
    };
    let answer = idempotency::commit(d, &actor, &key, &request_sha256, prepared).await?;
    Ok(idempotent_answer(answer))
}

/// The header of a refused submission's answer that names its `SubmissionRejection` evidence
/// (`GET /api/v1/mailbox/rejections/{id}`).
pub const REJECTION_HEADER: &str = "portico-rejection";

/// The answer to a send refused after its sender was identified: when it was a submission
/// (`service::rejections`), the sender's `SubmissionRejection` evidence is made and named in
/// the `Portico-Rejection` header beside the usual 422 or 413 with its fields.
async fn refused(
    d: &crate::service::Delivery,
    actor: &Actor,
    sender: &Address,
    submission_sha256: &str,
    e: AppError,
) -> Response {
    let (AppError::Invalid(fields) | AppError::TooLarge(fields)) = &e else {
        return e.into_response();
    };
    match rejections::record(d, actor, sender, submission_sha256, fields).await {
        Ok(Some(rejection)) => {
            let mut response = e.into_response();
            if let Ok(v) = HeaderValue::from_str(&rejection.id) {
                response.headers_mut().insert(REJECTION_HEADER, v);
            }
            response
        }
        Ok(None) => e.into_response(),
        Err(failed) => AppError::from(failed).into_response(),
    }
}

/// The evidence of a submission the platform refused (`SubmissionRejection`, a JWS with its
/// certificate chain in `x5c`): the submission's SHA-256, the sender and the reasons. For
/// whoever may send from its sender's mailbox; `portico evidence verify` checks its `jws`.
#[utoipa::path(get, path = "/api/v1/mailbox/rejections/{id}", tag = "delivery",
    security(("session" = []), ("client_credentials" = ["delivery"])),
    params(("id" = String, Path, description = "The id the refused send's `Portico-Rejection` header named")),
    responses((status = 200, body = rejections::Rejection), (status = 404, body = portico_http::ApiErrorBody)))]
async fn get_rejection(
    State(state): State<DeliveryState>,
    Caller(actor): Caller,
    ValidPath(id): ValidPath<Id>,
) -> Result<Json<rejections::Rejection>, AppError> {
    Ok(Json(rejections::get(&state.delivery, &actor, &id).await?))
}

/// The path of the streamed send.
pub const STREAMED_SEND_PATH: &str = "/api/v1/mailbox/messages/multipart";
/// The largest `message` part of a streamed send (the JSON, its body at most 20,000 characters).
const MAX_MESSAGE_PART_BYTES: usize = 256 * 1024;

/// The `message` part of a streamed send: the message without its files, which follow it.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StreamedMessage {
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
}

/// A streamed send as `multipart/form-data`, as OpenAPI describes it.
#[derive(ToSchema)]
#[allow(dead_code)] // the schema only
pub struct StreamedSend {
    /// The message (JSON, `StreamedMessage`): the first part.
    message: StreamedMessage,
    /// A file: a part with a `filename` and a `Content-Type`; one part for each file, in order.
    #[schema(format = Binary)]
    file: String,
}

fn malformed_part() -> AppError {
    AppError::BadRequest("malformed_request")
}

/// A multipart error as the client is told: over the request's limit (413), or not readable
/// as multipart (400; also a client that broke the upload off).
pub(super) fn multipart_error(e: &axum::extract::multipart::MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::TooLarge(vec![FieldError::new(
            "attachments",
            "delivery.upload.too_large",
        )])
    } else {
        malformed_part()
    }
}

/// Reads one file part into an upload, piece by piece; a refused file leaves nothing stored.
/// The office's send page reads its files with it too.
pub(super) async fn receive(
    d: &crate::service::Delivery,
    draft: &messages::Draft,
    mut field: axum::extract::multipart::Field<'_>,
) -> Result<crate::service::uploads::Uploaded, AppError> {
    let file_name = field.file_name().unwrap_or("").to_owned();
    let media_type = field.content_type().unwrap_or("").to_owned();
    let mut upload = draft.upload(d, &file_name, &media_type).await?;
    loop {
        let piece = match field.chunk().await {
            Ok(Some(piece)) => piece,
            Ok(None) => break,
            Err(e) => {
                upload.abort().await;
                return Err(multipart_error(&e));
            }
        };
        if let Err(e) = upload.write(&piece).await {
            upload.abort().await;
            return Err(e.into());
        }
    }
    Ok(upload.finish().await?)
}

/// Sends a message whose files are streamed, for files too large for JSON: `multipart/form-data`
/// with the message as its first part (`message`, JSON without `attachments`), then each file as a
/// part with its `filename` and `Content-Type`. Each file is checked on its content, hashed and
/// sealed as it arrives, never held whole: at most 100 MiB each, 10 files, and the request at
/// most 201 MiB (`Content-Length` above it is refused, 413, before anything is read). Refused
/// sends (413, 422) store nothing. `Idempotency-Key` as on the JSON send: the request is the
/// message part with the files' names, types, sizes and SHA-256.
#[utoipa::path(post, path = "/api/v1/mailbox/messages/multipart", tag = "delivery",
    security(("session" = []), ("client_credentials" = ["delivery"])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes the send idempotent for this client")),
    request_body(content = StreamedSend, content_type = "multipart/form-data"),
    responses((status = 201, body = Sent),
              (status = 413, body = portico_http::ApiErrorBody, description = "The request or a file is over its limit; nothing was stored"),
              (status = 422, body = portico_http::ApiErrorBody, description = "Refused; nothing was stored"),
              (status = 403, body = portico_http::ApiErrorBody)))]
async fn send_streamed(
    State(state): State<DeliveryState>,
    Caller(actor): Caller,
    headers: HeaderMap,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    let d = &state.delivery;
    let key = idempotency_key(&headers)?;
    let mut multipart = multipart.map_err(|_| AppError::BadRequest("not_multipart"))?;
    let mut first = multipart
        .next_field()
        .await
        .map_err(|e| multipart_error(&e))?
        .ok_or_else(|| {
            AppError::Invalid(vec![FieldError::new(
                "message",
                "delivery.upload.message_first",
            )])
        })?;
    if first.name() != Some("message") {
        return Err(AppError::Invalid(vec![FieldError::new(
            "message",
            "delivery.upload.message_first",
        )]));
    }
    let mut json = Vec::new();
    while let Some(piece) = first.chunk().await.map_err(|e| multipart_error(&e))? {
        json.extend_from_slice(&piece);
        if json.len() > MAX_MESSAGE_PART_BYTES {
            return Err(malformed_part());
        }
    }
    drop(first);
    let head: StreamedMessage = serde_json::from_slice(&json).map_err(|_| malformed_part())?;
    let head_value = serde_json::to_value(&head).map_err(AppError::internal)?;
    // A refusal from here on is of a submission: its hash is the message part's.
    let submission_sha256 = canonical_sha256(&serde_json::json!({ "message": head_value }));
    let sender = head.sender.clone();
    let draft = messages::draft(
        d,
        &actor,
        NewMessage {
            sender: head.sender,
            recipients: head.recipients,
            subject: head.subject,
            body: head.body,
            service_id: head.service_id,
            application_id: head.application_id,
            attachments: Vec::new(),
            reply_to: head.reply_to,
        },
        Vec::new(),
    )
    .await;
    let mut draft = match draft {
        Ok(draft) => draft,
        Err(e) => return Ok(refused(d, &actor, &sender, &submission_sha256, e.into()).await),
    };
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => {
                draft.discard(d).await;
                let e = multipart_error(&e);
                return Ok(refused(d, &actor, &sender, &submission_sha256, e).await);
            }
        };
        match receive(d, &draft, field).await {
            Ok(done) => draft.add_upload(done),
            Err(e) => {
                draft.discard(d).await;
                return Ok(refused(d, &actor, &sender, &submission_sha256, e).await);
            }
        }
    }
    let prepared = draft.finish(d).await?;
    let Some(key) = key else {
        let mut tx = d.db.begin().await?;
        let sent = messages::send_in(&mut tx, d, &actor, prepared).await?;
        tx.commit().await?;
        d.wake_jobs();
        return Ok((StatusCode::CREATED, Json(sent)).into_response());
    };
    let request_sha256 = canonical_sha256(&serde_json::json!({
        "message": head_value,
        "files": prepared.attachments(),
    }));
    let answer = idempotency::send_prepared(d, &actor, &key, &request_sha256, prepared).await?;
    Ok(idempotent_answer(answer))
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, AppError> {
    match headers.get(IDEMPOTENCY_KEY) {
        None => Ok(None),
        Some(v) => Ok(Some(v.to_str().map(str::to_owned).map_err(|_| {
            AppError::Invalid(vec![FieldError::new(
                "idempotency_key",
                "delivery.idempotency.bad_key",
            )])
        })?)),
    }
}

fn idempotent_answer(answer: idempotency::Answer) -> Response {
    let mut response = (StatusCode::CREATED, Json(answer.sent)).into_response();
    if answer.replayed {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
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
