//! The mailbox pages: the list of messages, one message (opening it is the retrieval its
//! evidence records), its attachments, its canonical content and its evidence for download,
//! and a reply in its thread.

use super::{actor, DeliveryState};
use crate::model::{Evidence, Mailbox, Message, MessageSummary};
use crate::service::grants::{self, Grant, GrantScope, NewGrant};
use crate::service::{mailboxes, messages, notifications};
use crate::DeliveryError;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use portico_core::Id;
use portico_http::{render, AppError, CsrfForm, FieldError, PageContext, SignedIn, ValidPath};
use serde::Deserialize;

pub static TABLES: &[&portico_http::Translations] = &[&crate::TRANSLATIONS];

/// A page shows at most this many messages.
const PAGE_SIZE: i64 = 25;

fn local_time(at: &DateTime<Utc>) -> String {
    portico_core::calendar::sofia_local(*at)
        .format("%d.%m.%Y %H:%M")
        .to_string()
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    mailbox: Option<Id>,
    #[serde(default)]
    offset: i64,
}

#[derive(Template)]
#[template(path = "mailbox.html")]
struct ListPage {
    page: PageContext,
    mailbox: Option<Mailbox>,
    others: Vec<Mailbox>,
    rows: Vec<MessageSummary>,
    /// Access this mailbox's owner granted others.
    grants: Vec<Grant>,
    /// Messages others granted the reader.
    shared: Vec<MessageSummary>,
    previous: String,
    next: String,
    /// The webhooks console, for an administration admin reading the administration's mailbox.
    webhooks_link: Option<String>,
    /// The office's send page, for staff who may send from an office's mailbox.
    send_link: Option<String>,
}

impl ListPage {
    fn when(&self, at: &DateTime<Utc>) -> String {
        local_time(at)
    }
    fn name(&self, m: &Mailbox) -> String {
        mailboxes::shown_name(m)
    }
    fn scope_label(&self, g: &Grant) -> &'static str {
        self.page.t(&format!("grant_scope_{}", g.scope.as_str()))
    }
}

pub async fn list(
    State(state): State<DeliveryState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let actor = actor(&user);
    let d = &state.delivery;
    let offset = query.offset.max(0);
    let (mailbox, rows) = messages::received(
        d,
        &actor,
        query.mailbox.as_deref(),
        portico_core::Page {
            limit: PAGE_SIZE + 1,
            offset,
        },
    )
    .await?;
    let others = messages::mailboxes_of(d, &actor)
        .await?
        .into_iter()
        .filter(|m| mailbox.as_ref().is_none_or(|x| x.id != m.id))
        .collect();
    let base = match &mailbox {
        Some(m) => format!("/mailbox?mailbox={}&offset=", m.id),
        None => "/mailbox?offset=".into(),
    };
    let grants = match &mailbox {
        Some(m) => grants::of_mailbox(d, &actor, &m.id).await?,
        None => Vec::new(),
    };
    let shared = grants::shared_with(d, &actor).await?;
    let webhooks_link = mailbox
        .as_ref()
        .filter(|m| m.kind == crate::model::MailboxKind::Administration)
        .filter(|m| actor.has_role(&m.identifier, portico_core::Role::AdministrationAdmin))
        .map(|m| format!("/mailbox/webhooks?administration={}", m.identifier));
    let senders = crate::service::senders::of(&d.db, &actor).await?;
    let send_link = (!senders.is_empty()).then(|| {
        // From the mailbox being read, when it is one of the office's.
        let current = mailbox.as_ref().and_then(|m| {
            senders
                .iter()
                .find(|s| s.address.kind == m.kind && s.address.identifier == m.identifier)
        });
        match current {
            Some(s) => format!("/mailbox/send?from={}", s.key),
            None => "/mailbox/send".to_owned(),
        }
    });
    let more = rows.len() > usize::try_from(PAGE_SIZE).unwrap_or(usize::MAX);
    let rows: Vec<MessageSummary> = rows
        .into_iter()
        .take(usize::try_from(PAGE_SIZE).unwrap_or(usize::MAX))
        .collect();
    Ok(render(&ListPage {
        page,
        mailbox,
        others,
        rows,
        grants,
        shared,
        previous: if offset > 0 {
            format!("{base}{}", (offset - PAGE_SIZE).max(0))
        } else {
            String::new()
        },
        next: if more {
            format!("{base}{}", offset + PAGE_SIZE)
        } else {
            String::new()
        },
        webhooks_link,
        send_link,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "message.html")]
struct ShowPage {
    page: PageContext,
    message: Message,
    evidence: Vec<Evidence>,
    notifications: Vec<notifications::Notification>,
    can_reply: bool,
    /// The reader's own mailbox that received the message: they may grant access from it.
    owner_mailbox: Option<String>,
    errors: Vec<FieldError>,
}

impl ShowPage {
    fn when(&self, at: &DateTime<Utc>) -> String {
        local_time(at)
    }
    fn name(&self, m: &Mailbox) -> String {
        mailboxes::shown_name(m)
    }
    fn size(&self, bytes: &i64) -> String {
        if *bytes < 1024 {
            format!("{bytes} B")
        } else {
            format!("{} KB", (bytes + 1023) / 1024)
        }
    }
    fn event_label(&self, event: &str) -> &'static str {
        self.page.t(&format!("evidence_{event}"))
    }
    fn status_label(&self, status: &str) -> &'static str {
        self.page.t(&format!("recipient_{status}"))
    }
    fn notification_label(&self, status: &str) -> &'static str {
        self.page
            .t(&format!("notification_{}", status.replace('-', "_")))
    }
}

async fn show_page(
    state: &DeliveryState,
    user: &portico_http::SessionUser,
    page: PageContext,
    id: &str,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let actor = actor(user);
    let d = &state.delivery;
    let message = messages::open(d, &actor, id).await?;
    let evidence = messages::evidence(d, &actor, id).await?;
    let notifications = notifications::of_message(&d.db, id).await?;
    let mine = messages::mailboxes_of(d, &actor).await?;
    let owner_mailbox = message
        .recipients
        .iter()
        .find(|r| mine.iter().any(|m| m.id == r.mailbox.id))
        .map(|r| r.mailbox.id.clone());
    let can_reply = owner_mailbox.is_some();
    Ok(render(&ShowPage {
        page,
        message,
        evidence,
        notifications,
        can_reply,
        owner_mailbox,
        errors,
    })?
    .into_response())
}

pub async fn show(
    State(state): State<DeliveryState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    ValidPath(id): ValidPath<Id>,
) -> Result<Response, AppError> {
    show_page(&state, &user, page, &id, Vec::new()).await
}

#[derive(Debug, Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    body: String,
}

pub async fn reply(
    State(state): State<DeliveryState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    ValidPath(id): ValidPath<Id>,
    CsrfForm(form): CsrfForm<ReplyForm>,
) -> Result<Response, AppError> {
    match messages::reply(&state.delivery, &actor(&user), &id, &form.body).await {
        Ok(sent) => {
            Ok(Redirect::to(&format!("/mailbox/messages/{}", sent.message_id)).into_response())
        }
        Err(DeliveryError::Invalid(errors)) => show_page(&state, &user, page, &id, errors).await,
        Err(e) => Err(e.into()),
    }
}

fn download(media_type: &str, file_name: &str, body: impl IntoResponse) -> Response {
    // Only the safe characters of the name go into the header; the rest become "_".
    let safe: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, media_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{safe}\""),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        body,
    )
        .into_response()
}

pub async fn attachment(
    State(state): State<DeliveryState>,
    SignedIn(user): SignedIn,
    ValidPath((id, position)): ValidPath<(Id, i64)>,
) -> Result<Response, AppError> {
    // Streamed as it is opened, never held whole (see `messages::attachment`).
    let (info, stream) =
        messages::attachment(&state.delivery, &actor(&user), &id, position).await?;
    Ok(download(
        &info.media_type,
        &info.file_name,
        (
            [(header::CONTENT_LENGTH, info.size.to_string())],
            axum::body::Body::from_stream(stream),
        ),
    ))
}

pub async fn content(
    State(state): State<DeliveryState>,
    SignedIn(user): SignedIn,
    ValidPath(id): ValidPath<Id>,
) -> Result<Response, AppError> {
    let bytes = messages::content(&state.delivery, &actor(&user), &id).await?;
    Ok(download(
        "application/json",
        &format!("message-{}.json", &*id),
        bytes,
    ))
}

/// An export streamed as it is made (its length is not known before its end).
fn zip_body(zip: crate::service::export::Export) -> impl IntoResponse {
    axum::body::Body::from_stream(zip.into_stream())
}

#[derive(Template)]
#[template(path = "export_too_large.html")]
struct TooLargePage {
    page: PageContext,
    /// The limit, in the page's words (for example "4 GB").
    limit: String,
    back: String,
}

/// An export over the limit: the page says so and what to do instead (413); nothing was exported.
fn export_refused(
    state: &DeliveryState,
    page: PageContext,
    error: DeliveryError,
    back: String,
) -> Result<Response, AppError> {
    match error {
        DeliveryError::TooLarge(_) => {
            let gib = state.delivery.policy.max_export_bytes as f64 / (1024.0 * 1024.0 * 1024.0);
            let limit = if gib >= 1.0 {
                format!("{} GB", (gib * 10.0).round() / 10.0)
            } else {
                format!(
                    "{} MB",
                    (state.delivery.policy.max_export_bytes / (1024 * 1024)).max(1)
                )
            };
            let view = TooLargePage {
                page: page.with_strings(TABLES),
                limit,
                back,
            };
            Ok((axum::http::StatusCode::PAYLOAD_TOO_LARGE, render(&view)?).into_response())
        }
        e => Err(e.into()),
    }
}

/// The mailbox (`?mailbox=`, default the person's own) as a ZIP that `portico evidence verify`
/// checks whole.
pub async fn export_mailbox(
    State(state): State<DeliveryState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    let (mailbox, zip) = match crate::service::export::mailbox(
        &state.delivery,
        &actor(&user),
        query.mailbox.as_deref(),
    )
    .await
    {
        Ok(done) => done,
        Err(e) => {
            let back = match &query.mailbox {
                Some(m) => format!("/mailbox?mailbox={}", &**m),
                None => "/mailbox".to_owned(),
            };
            return export_refused(&state, page, e, back);
        }
    };
    Ok(download(
        "application/zip",
        &format!("mailbox-{}.zip", mailbox.id),
        zip_body(zip),
    ))
}

/// The message's thread as a ZIP.
pub async fn export_thread(
    State(state): State<DeliveryState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    ValidPath(id): ValidPath<Id>,
) -> Result<Response, AppError> {
    let (thread, zip) = match crate::service::export::thread(&state.delivery, &actor(&user), &id)
        .await
    {
        Ok(done) => done,
        Err(e) => return export_refused(&state, page, e, format!("/mailbox/messages/{}", &*id)),
    };
    Ok(download(
        "application/zip",
        &format!("thread-{thread}.zip"),
        zip_body(zip),
    ))
}

pub async fn evidence_chain(
    State(state): State<DeliveryState>,
    SignedIn(user): SignedIn,
    ValidPath(id): ValidPath<Id>,
) -> Result<Response, AppError> {
    let evidence = messages::evidence(&state.delivery, &actor(&user), &id).await?;
    Ok(download(
        "application/jose",
        &format!("evidence-{}.jws", &*id),
        crate::service::evidence::chain_file(&evidence).into_bytes(),
    ))
}

pub async fn evidence_one(
    State(state): State<DeliveryState>,
    SignedIn(user): SignedIn,
    ValidPath((id, seq)): ValidPath<(Id, i64)>,
) -> Result<Response, AppError> {
    let evidence = messages::evidence(&state.delivery, &actor(&user), &id).await?;
    let one = evidence
        .into_iter()
        .find(|e| e.seq == seq)
        .ok_or(AppError::NotFound)?;
    Ok(download(
        "application/jose",
        &format!("evidence-{}-{seq}-{}.jws", &*id, one.event),
        one.jws.into_bytes(),
    ))
}

#[derive(Debug, Deserialize)]
pub struct GrantForm {
    #[serde(default)]
    mailbox: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    grantee: String,
    /// The last day of the access (YYYY-MM-DD), or empty: until revoked.
    #[serde(default)]
    ends_on: String,
}

/// Grants a third party access from the message page; back to the mailbox, where grants are
/// listed.
pub async fn grant(
    State(state): State<DeliveryState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    CsrfForm(form): CsrfForm<GrantForm>,
) -> Result<Response, AppError> {
    let Some(scope) = GrantScope::parse(&form.scope) else {
        return show_page(
            &state,
            &user,
            page,
            &form.message,
            vec![FieldError::new("scope", "delivery.grant.no_scope")],
        )
        .await;
    };
    let ends_on = match form.ends_on.trim() {
        "" => None,
        day => match chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d") {
            Ok(day) => Some(day),
            Err(_) => {
                let mut response = show_page(
                    &state,
                    &user,
                    page,
                    &form.message,
                    vec![FieldError::new("ends_on", "delivery.grant.bad_end")],
                )
                .await?;
                *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
                return Ok(response);
            }
        },
    };
    let new = NewGrant {
        mailbox_id: form.mailbox.clone(),
        scope,
        message_id: Some(form.message.clone()),
        grantee_personal_id: form.grantee,
        ends_on,
    };
    match grants::grant(&state.delivery, &actor(&user), new).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/mailbox?mailbox={}#grants", form.mailbox)).into_response())
        }
        Err(DeliveryError::Invalid(errors)) => {
            let mut response = show_page(&state, &user, page, &form.message, errors).await?;
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    mailbox: String,
}

pub async fn revoke(
    State(state): State<DeliveryState>,
    SignedIn(user): SignedIn,
    ValidPath(id): ValidPath<Id>,
    CsrfForm(form): CsrfForm<RevokeForm>,
) -> Result<Response, AppError> {
    grants::revoke(&state.delivery, &actor(&user), &id).await?;
    Ok(Redirect::to(&format!("/mailbox?mailbox={}#grants", form.mailbox)).into_response())
}
