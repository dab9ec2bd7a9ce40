//! The delivery block's JSON API: a mailbox's messages, one message (reading it is its
//! retrieval), its evidence, and sending. Every route goes through the same service functions
//! as the pages, with the actor made in one place ([`super::actor`]).

use super::{actor, DeliveryState};
use crate::model::{
    Address, Evidence, Mailbox, Message, MessageSummary, NewAttachment, NewMessage, Sent,
};
use crate::service::messages;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use base64::Engine;
use portico_core::{FieldError, Id};
use portico_http::{AppError, AppState, SignedIn, ValidPath};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn api_router(state: DeliveryState) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_messages, send_message))
        .routes(routes!(get_message))
        .routes(routes!(message_evidence))
        .with_state(state)
}

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
#[utoipa::path(get, path = "/api/v1/mailbox/messages", tag = "delivery", security(("session" = [])), params(ListParams),
    responses((status = 200, body = MessageList), (status = 401, body = portico_http::ApiErrorBody),
              (status = 403, body = portico_http::ApiErrorBody, description = "The session's level of assurance is below substantial")))]
async fn list_messages(
    State(state): State<DeliveryState>,
    SignedIn(user): SignedIn,
    Query(params): Query<ListParams>,
) -> Result<Json<MessageList>, AppError> {
    let page = portico_core::Page {
        limit: params.limit.unwrap_or(20),
        offset: params.offset.unwrap_or(0),
    };
    let (mailbox, items) = messages::received(
        &state.delivery,
        &actor(&user),
        params.mailbox.as_deref(),
        page,
    )
    .await?;
    Ok(Json(MessageList { mailbox, items }))
}

/// One message the caller may read (as its sender or a recipient); reading it as a recipient
/// for the first time is recorded as its retrieval (`ContentHandover` evidence).
#[utoipa::path(get, path = "/api/v1/mailbox/messages/{id}", tag = "delivery", security(("session" = [])),
    params(("id" = String, Path, description = "Message id")),
    responses((status = 200, body = Message), (status = 404, body = portico_http::ApiErrorBody)))]
async fn get_message(
    State(state): State<DeliveryState>,
    SignedIn(user): SignedIn,
    ValidPath(id): ValidPath<Id>,
) -> Result<Json<Message>, AppError> {
    Ok(Json(
        messages::open(&state.delivery, &actor(&user), &id).await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct EvidenceList {
    pub items: Vec<Evidence>,
}

/// A message's evidence in chain order, each a compact JWS.
#[utoipa::path(get, path = "/api/v1/mailbox/messages/{id}/evidence", tag = "delivery", security(("session" = [])),
    params(("id" = String, Path, description = "Message id")),
    responses((status = 200, body = EvidenceList), (status = 404, body = portico_http::ApiErrorBody)))]
async fn message_evidence(
    State(state): State<DeliveryState>,
    SignedIn(user): SignedIn,
    ValidPath(id): ValidPath<Id>,
) -> Result<Json<EvidenceList>, AppError> {
    Ok(Json(EvidenceList {
        items: messages::evidence(&state.delivery, &actor(&user), &id).await?,
    }))
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

/// Sends a message from a mailbox the caller may send from (its administration or unit).
/// Refused submissions (422 with the fields' errors) store nothing.
#[utoipa::path(post, path = "/api/v1/mailbox/messages", tag = "delivery", security(("session" = [])),
    request_body = SendRequest,
    responses((status = 201, body = Sent),
              (status = 422, body = portico_http::ApiErrorBody, description = "Refused; nothing was stored"),
              (status = 403, body = portico_http::ApiErrorBody)))]
async fn send_message(
    State(state): State<DeliveryState>,
    SignedIn(user): SignedIn,
    Json(request): Json<SendRequest>,
) -> Result<(StatusCode, Json<Sent>), AppError> {
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
    let sent = messages::send(&state.delivery, &actor(&user), message).await?;
    Ok((StatusCode::CREATED, Json(sent)))
}
