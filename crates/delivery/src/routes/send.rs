//! The office's send page: staff (an operator, an administration admin) send a message with
//! files from a mailbox of the administration or unit they work in, in the browser, without
//! JavaScript. The form is `multipart/form-data` read as it comes, like the API's streamed send
//! (`messages::draft`, `Draft::upload`, `messages::send_in`): the CSRF token and the message's
//! fields come first (the form's order) and are checked before any file is read; each file is
//! checked on its content, hashed and sealed as its pieces arrive (up to 100 MiB each), and a
//! refused send stores nothing. The confirmation page shows the message's id, its content's
//! SHA-256 and its evidence.

use super::api::{multipart_error, receive};
use super::pages::TABLES;
use super::{actor, DeliveryState};
use crate::model::{Address, Evidence, MailboxKind, Message, NewMessage};
use crate::service::senders::{self, Sender};
use crate::service::{idempotency, mailboxes, messages};
use askama::Template;
use axum::extract::multipart::Field;
use axum::extract::{FromRequest, Multipart, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use portico_core::Id;
use portico_http::csrf::{token_matches, CsrfCookie, CSRF_FIELD};
use portico_http::{render, AppError, FieldError, Lang, PageContext, SignedIn, ValidPath};
use serde::Deserialize;

/// The path of the page and its form (`portico_http::shell::LARGE_BODIES` gives it the streamed
/// send's limit).
pub const SEND_PATH: &str = "/mailbox/send";
/// The most the form's text fields may hold together (the body is at most 20,000 characters).
const MAX_TEXT_BYTES: usize = 256 * 1024;

/// What was typed, shown again when the send is refused (files must be chosen again).
#[derive(Debug, Default, Clone)]
pub struct SendForm {
    sender: String,
    recipient_kind: String,
    recipient: String,
    subject: String,
    body: String,
    /// The form's one-time token: the send's `Idempotency-Key`, so a form sent twice sends once.
    form_token: String,
}

/// A recipient's line that does not check out.
#[derive(Debug, Clone)]
pub struct LineError {
    /// From 1, as the person counts the lines they typed.
    line: usize,
    value: String,
    code: String,
}

/// What every post with one form token is, for its idempotency key: the first post's answer is
/// the answer to any other post of the same form.
const FORM_REQUEST: &str = "portico.delivery.office-form";

#[derive(Template)]
#[template(path = "send.html")]
struct SendPage {
    page: PageContext,
    senders: Vec<(String, String)>,
    form: SendForm,
    errors: Vec<FieldError>,
    /// Each recipient's line that does not check out.
    line_errors: Vec<LineError>,
    /// Files were chosen but not kept: the send was refused.
    files_dropped: bool,
}

impl SendPage {
    fn error(&self, field: &str) -> Option<&'static str> {
        self.page.field_error(&self.errors, field)
    }
    fn line_message(&self, l: &LineError) -> &'static str {
        self.page.t(&l.code)
    }
}

fn sender_name(lang: Lang, s: &Sender) -> String {
    match lang {
        Lang::Bg => s.name_bg.clone(),
        Lang::En => s.name_en.clone(),
    }
}

async fn offered(
    state: &DeliveryState,
    user: &portico_http::SessionUser,
) -> Result<Vec<Sender>, AppError> {
    let senders = senders::of(&state.delivery.db, &actor(user)).await?;
    if senders.is_empty() {
        // Only staff send from an office's mailbox (a person replies from a message).
        return Err(AppError::Forbidden);
    }
    Ok(senders)
}

fn form_page(
    page: PageContext,
    senders: &[Sender],
    form: SendForm,
    (errors, line_errors): (Vec<FieldError>, Vec<LineError>),
    files_dropped: bool,
    status: StatusCode,
) -> Result<Response, AppError> {
    let lang = page.lang;
    let view = SendPage {
        senders: senders
            .iter()
            .map(|s| (s.key.clone(), sender_name(lang, s)))
            .collect(),
        page: page.with_strings(TABLES),
        form,
        errors,
        line_errors,
        files_dropped,
    };
    Ok((status, render(&view)?).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct SendQuery {
    /// The sender to choose first (`administration:<id>` or `unit:<administration>:<unit>`).
    #[serde(default)]
    from: String,
}

/// `GET /mailbox/send`: the form.
pub async fn form(
    State(state): State<DeliveryState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Query(query): Query<SendQuery>,
) -> Result<Response, AppError> {
    let senders = offered(&state, &user).await?;
    let form = SendForm {
        sender: query.from,
        recipient_kind: "person".into(),
        form_token: portico_core::new_id(),
        ..SendForm::default()
    };
    form_page(
        page,
        &senders,
        form,
        (Vec::new(), Vec::new()),
        false,
        StatusCode::OK,
    )
}

/// Reads a text field whole, within what the form's text may hold.
async fn text(field: Field<'_>, used: &mut usize) -> Result<String, AppError> {
    let mut field = field;
    let mut bytes = Vec::new();
    while let Some(piece) = field.chunk().await.map_err(|e| multipart_error(&e))? {
        *used += piece.len();
        if *used > MAX_TEXT_BYTES {
            return Err(AppError::BadRequest("malformed_form"));
        }
        bytes.extend_from_slice(&piece);
    }
    String::from_utf8(bytes).map_err(|_| AppError::BadRequest("malformed_form"))
}

/// Reads what is left of the request and keeps none of it, so that the browser, still sending
/// its files, gets the page that says what was wrong.
async fn drain(multipart: &mut Multipart) {
    while let Ok(Some(mut field)) = multipart.next_field().await {
        while let Ok(Some(_)) = field.chunk().await {}
    }
}

fn recipient(kind: &str, identifier: &str) -> Address {
    Address {
        kind: match kind {
            "company" => MailboxKind::Company,
            _ => MailboxKind::Person,
        },
        identifier: identifier.trim().to_owned(),
        administration_id: None,
        display_name: None,
    }
}

/// The recipients typed one per line (empty lines skipped), and each line that does not check
/// out as an identifier of the chosen kind.
fn recipients(kind: &str, typed: &str) -> (Vec<Address>, Vec<LineError>) {
    let mut out = Vec::new();
    let mut wrong = Vec::new();
    for (i, line) in typed.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let address = recipient(kind, line);
        if let Err(e) = mailboxes::normalise(&address) {
            wrong.push(LineError {
                line: i + 1,
                value: line.to_owned(),
                code: e.code,
            });
        }
        out.push(address);
    }
    (out, wrong)
}

/// The draft's field errors, with the recipients' own replaced by one that points to the lines
/// listed under the field.
fn with_lines(errors: Vec<FieldError>, lines: &[LineError]) -> Vec<FieldError> {
    if lines.is_empty() {
        return errors;
    }
    let mut out = Vec::with_capacity(errors.len());
    let mut named = false;
    for e in errors {
        let about_a_line = e.field == "recipient" && e.code != "delivery.recipient.too_many";
        if about_a_line {
            if !named {
                out.push(FieldError::new(
                    "recipient",
                    "delivery.send.recipient_lines",
                ));
                named = true;
            }
        } else {
            out.push(e);
        }
    }
    out
}

/// A refusal the form shows (422, or 413 for a file over its limit), or an error of another kind.
fn shown(e: AppError) -> Result<(StatusCode, Vec<FieldError>), AppError> {
    match e {
        AppError::Invalid(errors) => Ok((StatusCode::UNPROCESSABLE_ENTITY, errors)),
        AppError::TooLarge(errors) => Ok((StatusCode::PAYLOAD_TOO_LARGE, errors)),
        e => Err(e),
    }
}

/// `POST /mailbox/send` (`multipart/form-data`: `_csrf`, `sender`, `recipient_kind`,
/// `recipient`, `subject`, `body`, then `file` parts): sends, and goes to the confirmation.
pub async fn send(
    State(state): State<DeliveryState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    req: Request,
) -> Result<Response, AppError> {
    let cookie = req
        .extensions()
        .get::<CsrfCookie>()
        .map(|c| c.0.clone())
        .unwrap_or_default();
    let senders = offered(&state, &user).await?;
    let actor = actor(&user);
    let d = &state.delivery;
    let mut multipart = Multipart::from_request(req, &state)
        .await
        .map_err(|_| AppError::BadRequest("malformed_form"))?;
    let (mut form, mut token, mut used) = (SendForm::default(), String::new(), 0usize);
    // The text fields, up to the first file.
    let first_file = loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break None,
            Err(e) => return Err(multipart_error(&e)),
        };
        let name = field.name().unwrap_or("").to_owned();
        if name == "file" {
            break Some(field);
        }
        let value = text(field, &mut used).await?;
        match name.as_str() {
            CSRF_FIELD => token = value,
            "sender" => form.sender = value,
            "recipient_kind" => form.recipient_kind = value,
            "recipient" => form.recipient = value,
            "form_token" => form.form_token = value,
            "subject" => form.subject = value,
            "body" => form.body = value,
            _ => {}
        }
    };
    // Nothing is read further, and nothing stored, without the form's own token.
    if cookie.is_empty() || !token_matches(&state.app.config.csrf_key, &cookie, &token) {
        return Err(AppError::Csrf);
    }
    let Some(sender) = senders.iter().find(|s| s.key == form.sender) else {
        drop(first_file);
        drain(&mut multipart).await;
        let errors = vec![FieldError::new("sender", "delivery.send.no_sender")];
        return form_page(
            page,
            &senders,
            form,
            (errors, Vec::new()),
            true,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    // The form sent again (twice clicked, reloaded, sent from the back button): the first
    // send's result, and nothing more is sent or stored.
    let form_key = form.form_token.trim().to_owned();
    if !form_key.is_empty() {
        if let Some(answer) =
            idempotency::earlier_answer(d, &actor, &form_key, FORM_REQUEST).await?
        {
            drop(first_file);
            drain(&mut multipart).await;
            let to = format!("/mailbox/sent/{}", answer.sent.message_id);
            return Ok(Redirect::to(&to).into_response());
        }
    }
    let (to, line_errors) = recipients(&form.recipient_kind, &form.recipient);
    let new = NewMessage {
        sender: sender.address.clone(),
        recipients: to,
        subject: form.subject.clone(),
        body: form.body.clone(),
        service_id: None,
        application_id: None,
        attachments: Vec::new(),
        reply_to: None,
    };
    let mut draft = match messages::draft(d, &actor, new, Vec::new()).await {
        Ok(draft) => draft,
        Err(e) => {
            let (status, errors) = shown(e.into())?;
            let errors = with_lines(errors, &line_errors);
            drop(first_file);
            drain(&mut multipart).await;
            return form_page(page, &senders, form, (errors, line_errors), true, status);
        }
    };
    let mut refused = None;
    if let Some(field) = first_file {
        if let Err(e) = take_file(d, &mut draft, field).await {
            refused = Some(e);
        }
    }
    while refused.is_none() {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => {
                refused = Some(multipart_error(&e));
                break;
            }
        };
        if let Err(e) = take_file(d, &mut draft, field).await {
            refused = Some(e);
        }
    }
    if let Some(e) = refused {
        draft.discard(d).await;
        let (status, errors) = shown(e)?;
        drain(&mut multipart).await;
        return form_page(page, &senders, form, (errors, Vec::new()), true, status);
    }
    let prepared = draft.finish(d).await?;
    let sent = if form_key.is_empty() {
        messages::send_prepared(d, &actor, prepared).await?
    } else {
        // The key's row is written in the sending transaction: two posts of one form at the
        // same time make one message.
        idempotency::commit(d, &actor, &form_key, FORM_REQUEST, prepared)
            .await?
            .sent
    };
    tracing::info!(message = %sent.message_id, "sent from the office's page");
    Ok(Redirect::to(&format!("/mailbox/sent/{}", sent.message_id)).into_response())
}

/// Stores one `file` part (an empty one, no file chosen, is skipped; other parts are ignored).
async fn take_file(
    d: &crate::service::Delivery,
    draft: &mut messages::Draft,
    mut field: Field<'_>,
) -> Result<(), AppError> {
    let chosen = field.name() == Some("file") && !field.file_name().unwrap_or("").is_empty();
    if !chosen {
        while field
            .chunk()
            .await
            .map_err(|e| multipart_error(&e))?
            .is_some()
        {}
        return Ok(());
    }
    let done = receive(d, draft, field).await?;
    draft.add_upload(done);
    Ok(())
}

#[derive(Template)]
#[template(path = "sent.html")]
struct SentPage {
    page: PageContext,
    message: Message,
    evidence: Vec<Evidence>,
}

impl SentPage {
    fn when(&self, at: &DateTime<Utc>) -> String {
        portico_core::calendar::sofia_local(*at)
            .format("%d.%m.%Y %H:%M")
            .to_string()
    }
    fn name(&self, m: &crate::model::Mailbox) -> String {
        crate::service::mailboxes::shown_name(m)
    }
    fn event_label(&self, event: &str) -> &'static str {
        self.page.t(&format!("evidence_{event}"))
    }
    fn size(&self, bytes: &i64) -> String {
        if *bytes < 1024 * 1024 {
            format!("{} KB", (bytes + 1023) / 1024)
        } else {
            format!("{:.1} MB", *bytes as f64 / (1024.0 * 1024.0))
        }
    }
}

/// `GET /mailbox/sent/{id}`: the confirmation of a send, for whoever may read the sender's
/// mailbox (it records no opening).
pub async fn sent(
    State(state): State<DeliveryState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    ValidPath(id): ValidPath<Id>,
) -> Result<Response, AppError> {
    let actor = actor(&user);
    let d = &state.delivery;
    let message = messages::get(d, &actor, &id).await?;
    let evidence = messages::evidence(d, &actor, &id).await?;
    Ok(render(&SentPage {
        page: page.with_strings(TABLES),
        message,
        evidence,
    })?
    .into_response())
}
