//! Sending, listing and reading messages.
//!
//! Sending is two steps so that another block can send inside its own transaction:
//! [`prepare`] checks everything (sender, recipients, attachments on their content) and stores
//! the attachments and the message's canonical content in the blob store *before* any
//! transaction; [`send_in`] then writes the message, each recipient's delivery, the evidence
//! (submission accepted, delivered to each mailbox), the audit entry and the jobs (notifications,
//! the non-retrieval deadline) in the caller's transaction. [`send`] does both for a caller with
//! nothing else to write. A refused submission stores nothing.

use super::access::{self, Reader};
use super::evidence::{self, Subject};
use super::keys::MessageKey;
use super::{attachments, mailboxes, notifications, segments, Delivery};
use crate::model::{
    Address, AttachmentInfo, EvidenceEvent, Mailbox, Message, MessageSummary, NewAttachment,
    NewMessage, RecipientState, Sent,
};
use crate::DeliveryError;
use bytes::Bytes;
use chrono::{DateTime, SecondsFormat, Utc};
use futures::stream::{BoxStream, StreamExt, TryStreamExt};
use portico_core::clock::{from_millis, to_millis};
use portico_core::{new_id, Actor, FieldError};
use portico_insights::model::{Event as Measured, EventKind};
use portico_store::{Db, Tx};
use serde::Serialize;
use sha2::{Digest, Sha256};

pub const MAX_SUBJECT_CHARS: usize = 200;
pub const MAX_BODY_CHARS: usize = 20_000;
pub const MAX_RECIPIENTS: usize = 100;

/// Job kind: evidence of non-retrieval for a recipient who has not opened a message in time.
pub const NON_HANDOVER_JOB: &str = "delivery.non_handover";

/// A submission checked and its files stored, ready for [`send_in`].
#[derive(Debug, Clone)]
pub struct Prepared {
    pub id: String,
    pub thread_id: String,
    reply_to: Option<String>,
    sender: Address,
    recipients: Vec<Address>,
    subject: String,
    body: String,
    service_id: Option<String>,
    application_id: Option<String>,
    attachments: Vec<AttachmentInfo>,
    /// Each attachment's sealed blob's key, in order.
    attachment_blobs: Vec<String>,
    content_sha256: String,
    /// The sealed `message.json`'s blob key.
    content_blob: String,
    /// Seals the body, content and attachments; kept wrapped for each mailbox at sending.
    key: MessageKey,
    at: DateTime<Utc>,
    /// The people among the recipients who have an account (they are notified), found before
    /// the transaction so that sending holds one connection, not two.
    with_account: Vec<String>,
    /// Sent from a company's mailbox by a person: their name (who answered for the company).
    sent_by_name: Option<String>,
}

/// The canonical content of a message, whose SHA-256 every piece of its evidence names. It is
/// what `message.json` holds: the recipient can hash the file they downloaded and compare.
#[derive(Serialize)]
struct Content<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    message: &'a str,
    thread: &'a str,
    reply_to: Option<&'a str>,
    sender: &'a Address,
    recipients: &'a [Address],
    subject: &'a str,
    body: &'a str,
    service: Option<&'a str>,
    application: Option<&'a str>,
    attachments: &'a [AttachmentInfo],
    sent_at: String,
}

/// Checks a submission and stores its files; nothing is written to the database. A refused
/// submission stores nothing.
pub async fn prepare(
    d: &Delivery,
    actor: &Actor,
    mut message: NewMessage,
) -> Result<Prepared, DeliveryError> {
    let files = std::mem::take(&mut message.attachments);
    let errors = attachments::check(&d.policy, &files);
    let mut draft = draft(d, actor, message, errors).await?;
    for file in files {
        if let Err(e) = draft.attach(d, file).await {
            draft.discard(d).await;
            return Err(e);
        }
    }
    draft.finish(d).await
}

/// A submission whose fields are checked, while its files are stored one by one (held whole,
/// [`Draft::attach`], or streamed, [`Draft::upload`]); [`Draft::finish`] makes it [`Prepared`],
/// [`Draft::discard`] removes what it stored.
#[derive(Debug)]
pub struct Draft {
    pub(crate) id: String,
    thread_id: String,
    reply_to: Option<String>,
    sender: Address,
    recipients: Vec<Address>,
    subject: String,
    body: String,
    service_id: Option<String>,
    application_id: Option<String>,
    pub(crate) attachments: Vec<AttachmentInfo>,
    /// Each attachment's sealed blob's key, in order.
    attachment_blobs: Vec<String>,
    pub(crate) key: MessageKey,
    sent_by_name: Option<String>,
}

/// Checks a submission's sender, recipients, subject and body (its `attachments` are not
/// looked at; `attachment_errors` holds what was found wrong with them): nothing is stored yet.
pub async fn draft(
    d: &Delivery,
    actor: &Actor,
    message: NewMessage,
    attachment_errors: Vec<FieldError>,
) -> Result<Draft, DeliveryError> {
    let mut errors = Vec::new();
    let subject = message.subject.trim().to_owned();
    if subject.is_empty() {
        errors.push(FieldError::new("subject", "delivery.subject.missing"));
    } else if subject.chars().count() > MAX_SUBJECT_CHARS {
        errors.push(FieldError::new("subject", "delivery.subject.too_long"));
    }
    let body = message.body.trim_end().to_owned();
    if body.trim().is_empty() {
        errors.push(FieldError::new("body", "delivery.body.missing"));
    } else if body.chars().count() > MAX_BODY_CHARS {
        errors.push(FieldError::new("body", "delivery.body.too_long"));
    }
    let mut recipients: Vec<Address> = Vec::new();
    if message.recipients.is_empty() {
        errors.push(FieldError::new("recipient", "delivery.recipient.missing"));
    } else if message.recipients.len() > MAX_RECIPIENTS {
        errors.push(FieldError::new("recipient", "delivery.recipient.too_many"));
    }
    for r in &message.recipients {
        match mailboxes::normalise(r) {
            Ok(r)
                if !recipients
                    .iter()
                    .any(|x| x.kind == r.kind && x.identifier == r.identifier) =>
            {
                recipients.push(r)
            }
            Ok(_) => {}
            Err(e) => errors.push(e),
        }
    }
    errors.extend(attachment_errors);
    let sender = mailboxes::normalise(&message.sender).map_err(|_| DeliveryError::Forbidden)?;
    if !access::may_send_as(&d.db, actor, &sender, d.now()).await? {
        return Err(DeliveryError::Forbidden);
    }
    if !errors.is_empty() {
        return Err(DeliveryError::Invalid(errors));
    }
    // A person answering for a company: the company's readers see who it was.
    let sent_by_name = match sender.kind {
        crate::model::MailboxKind::Company => access::reader(&d.db, actor, d.now()).await?.name,
        _ => None,
    };
    let id = new_id();
    let thread_id = match &message.reply_to {
        Some(parent) => visible(d, actor, parent).await?.0.thread_id,
        None => id.clone(),
    };
    Ok(Draft {
        id,
        thread_id,
        reply_to: message.reply_to,
        sender,
        recipients,
        subject,
        body,
        service_id: message.service_id,
        application_id: message.application_id,
        attachments: Vec::new(),
        attachment_blobs: Vec::new(),
        // Files are stored sealed under the message's key; the evidence names the plaintext's
        // SHA-256.
        key: MessageKey::generate(),
        sent_by_name,
    })
}

impl Draft {
    /// The place (associated data) of the next attachment's sealing.
    pub(crate) fn next_place(&self) -> (i64, String) {
        let position = i64::try_from(self.attachments.len()).unwrap_or(i64::MAX);
        (position, attachment_aad(&self.id, position))
    }

    /// Stores a file held whole (checked by [`attachments::check`]), sealed segment by segment.
    pub async fn attach(&mut self, d: &Delivery, a: NewAttachment) -> Result<(), DeliveryError> {
        let size =
            i64::try_from(a.bytes.len()).map_err(|e| DeliveryError::Internal(e.to_string()))?;
        let (position, place) = self.next_place();
        let sha256 = sha256_hex(&a.bytes);
        let sealed = segments::seal(&self.key, &place, &a.bytes)?;
        let blob = d.blobs.put(sealed.into()).await?;
        self.add(
            AttachmentInfo {
                position,
                file_name: a.file_name.trim().to_owned(),
                media_type: a.media_type.trim().to_owned(),
                size,
                sha256,
            },
            blob,
        );
        Ok(())
    }

    /// Keeps a stored attachment (its sealed blob's key) as the next one.
    pub(crate) fn add(&mut self, info: AttachmentInfo, blob: String) {
        self.attachments.push(info);
        self.attachment_blobs.push(blob);
    }

    /// Removes the files stored so far: the submission was refused after all.
    pub async fn discard(self, d: &Delivery) {
        discard_blobs(d, &self.attachment_blobs).await;
    }

    /// Stores the message's canonical content, whose SHA-256 its evidence names (it lists each
    /// attachment's), and finds the recipients who have an account.
    pub async fn finish(self, d: &Delivery) -> Result<Prepared, DeliveryError> {
        let at = d.now();
        let content = serde_json::to_vec_pretty(&Content {
            kind: "portico.delivery.message",
            message: &self.id,
            thread: &self.thread_id,
            reply_to: self.reply_to.as_deref(),
            sender: &self.sender,
            recipients: &self.recipients,
            subject: &self.subject,
            body: &self.body,
            service: self.service_id.as_deref(),
            application: self.application_id.as_deref(),
            attachments: &self.attachments,
            sent_at: at.to_rfc3339_opts(SecondsFormat::Millis, true),
        })
        .map_err(|e| DeliveryError::Internal(e.to_string()))?;
        let content_sha256 = sha256_hex(&content);
        let content_blob = d
            .blobs
            .put(self.key.seal(&content_aad(&self.id), &content)?.into())
            .await?;
        let mut with_account = Vec::new();
        for r in self
            .recipients
            .iter()
            .filter(|r| r.kind == crate::model::MailboxKind::Person)
        {
            if portico_identity::service::accounts::find_by_personal_id(&d.db, &r.identifier)
                .await?
                .is_some()
            {
                with_account.push(r.identifier.clone());
            }
        }
        Ok(Prepared {
            id: self.id,
            thread_id: self.thread_id,
            reply_to: self.reply_to,
            sender: self.sender,
            recipients: self.recipients,
            subject: self.subject,
            body: self.body,
            service_id: self.service_id,
            application_id: self.application_id,
            attachments: self.attachments,
            attachment_blobs: self.attachment_blobs,
            content_sha256,
            content_blob,
            key: self.key,
            at,
            with_account,
            sent_by_name: self.sent_by_name,
        })
    }
}

impl Prepared {
    /// The attachments as stored (names, types, sizes, SHA-256 of each plaintext).
    pub fn attachments(&self) -> &[AttachmentInfo] {
        &self.attachments
    }

    /// Removes its stored files: it will not be sent (an idempotent send answered before).
    pub async fn discard(self, d: &Delivery) {
        discard_blobs(d, &self.attachment_blobs).await;
        discard_blobs(d, std::slice::from_ref(&self.content_blob)).await;
    }
}

async fn discard_blobs(d: &Delivery, blobs: &[String]) {
    for blob in blobs {
        if let Err(e) = d.blobs.delete(blob).await {
            tracing::warn!(blob = %blob, error = %e, "a refused submission's file stays in the blob store");
        }
    }
}

/// Writes a prepared message in the caller's transaction: the message, each recipient's
/// delivery, evidence of acceptance and of delivery to each mailbox, the audit entry, the
/// notifications and the non-retrieval deadlines. Wake the job worker after the commit.
pub async fn send_in(
    tx: &mut Tx,
    d: &Delivery,
    actor: &Actor,
    p: Prepared,
) -> Result<Sent, DeliveryError> {
    let now = p.at;
    let sender = mailboxes::ensure(tx, &p.sender, now).await?;
    let mut recipients = Vec::with_capacity(p.recipients.len());
    for r in &p.recipients {
        recipients.push(mailboxes::ensure(tx, r, now).await?);
    }
    sqlx::query(
        "INSERT INTO delivery_messages (id, thread_id, reply_to, sender_mailbox_id, sent_by, subject, body, service_id, application_id, content_sha256, evidence_count, non_handover_days, created_at, content_blob, sent_by_name) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $12, $13, $14)",
    )
    .bind(&p.id)
    .bind(&p.thread_id)
    .bind(&p.reply_to)
    .bind(&sender.id)
    .bind(actor.audit_id())
    .bind(&p.subject)
    .bind(p.key.seal_text(&body_aad(&p.id), &p.body)?)
    .bind(&p.service_id)
    .bind(&p.application_id)
    .bind(&p.content_sha256)
    .bind(d.policy.non_handover_days)
    .bind(to_millis(now))
    .bind(&p.content_blob)
    .bind(&p.sent_by_name)
    .execute(&mut **tx)
    .await?;
    let mut boxes: Vec<&str> = vec![&sender.id];
    boxes.extend(recipients.iter().map(|r| r.id.as_str()));
    d.keys
        .keep_message_key(tx, &p.id, &p.key, &boxes, now)
        .await?;
    for (a, blob) in p.attachments.iter().zip(&p.attachment_blobs) {
        sqlx::query(
            "INSERT INTO delivery_attachments (message_id, position, file_name, media_type, size, sha256, blob_sha256, sealing) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&p.id)
        .bind(a.position)
        .bind(&a.file_name)
        .bind(&a.media_type)
        .bind(a.size)
        .bind(&a.sha256)
        .bind(blob)
        .bind(segments::FORMAT)
        .execute(&mut **tx)
        .await?;
    }
    let subject = Subject {
        message_id: &p.id,
        thread_id: &p.thread_id,
        content_sha256: &p.content_sha256,
        application_id: p.application_id.as_deref(),
        sender: &sender,
    };
    let all: Vec<&Mailbox> = recipients.iter().collect();
    evidence::append(
        tx,
        &d.key,
        &subject,
        EvidenceEvent::SubmissionAcceptance,
        &all,
        now,
    )
    .await?;
    let deadline = now + chrono::Duration::days(d.policy.non_handover_days);
    for r in &recipients {
        sqlx::query(
            "INSERT INTO delivery_recipients (message_id, mailbox_id, delivered_at) VALUES ($1, $2, $3)",
        )
        .bind(&p.id)
        .bind(&r.id)
        .bind(to_millis(now))
        .execute(&mut **tx)
        .await?;
        evidence::append(
            tx,
            &d.key,
            &subject,
            EvidenceEvent::ContentConsignment,
            &[r],
            now,
        )
        .await?;
        let mut job = portico_store::jobs::NewJob::now(
            NON_HANDOVER_JOB,
            serde_json::json!({ "message_id": p.id, "mailbox_id": r.id }),
            deadline,
        );
        job.run_at = deadline;
        portico_store::jobs::enqueue(tx, job, now).await?;
        if p.with_account.contains(&r.identifier) {
            notifications::create(tx, &p.id, r, now).await?;
        }
        // A receiving institution's system hears of the message (it reads it over the API).
        super::webhooks::emit(
            tx,
            r,
            "message.received",
            serde_json::json!({
                "message": p.id,
                "thread": p.thread_id,
                "reply_to": p.reply_to,
                "sender": { "kind": sender.kind.as_str(), "identifier": sender.identifier },
                "content_sha256": p.content_sha256,
                "attachments": p.attachments.len(),
            }),
            now,
        )
        .await?;
    }
    let mut event = portico_audit::Event::new(&actor.audit_id(), "delivery.sent", &p.id).with(
        serde_json::json!({
            "sender_mailbox": sender.id,
            "recipient_mailboxes": recipients.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            "content_sha256": p.content_sha256,
            "attachments": p.attachments.len(),
        }),
    );
    if let Some(a) = sender.administration_id.as_deref() {
        event = event.in_administration(a);
    }
    portico_audit::append(tx, event, now).await?;
    if let (Some(service), Some(_), Some(a)) =
        (&p.service_id, &p.application_id, &sender.administration_id)
    {
        let measured = Measured::of(
            &format!("delivered:{}", p.id),
            EventKind::Delivered,
            service,
            a,
            now,
        );
        portico_insights::service::events::emit(tx, &measured, now).await?;
    }
    Ok(Sent {
        message_id: p.id,
        thread_id: p.thread_id,
        content_sha256: p.content_sha256,
    })
}

/// Sends a message in a transaction of its own.
pub async fn send(d: &Delivery, actor: &Actor, message: NewMessage) -> Result<Sent, DeliveryError> {
    let prepared = prepare(d, actor, message).await?;
    send_prepared(d, actor, prepared).await
}

/// Sends a prepared message in a transaction of its own.
pub async fn send_prepared(
    d: &Delivery,
    actor: &Actor,
    prepared: Prepared,
) -> Result<Sent, DeliveryError> {
    let mut tx = d.db.begin().await?;
    let sent = send_in(&mut tx, d, actor, prepared).await?;
    tx.commit().await?;
    d.wake_jobs();
    Ok(sent)
}

/// A reply from the mailbox that received `parent` to the parent's sender, in its thread.
pub async fn reply(
    d: &Delivery,
    actor: &Actor,
    parent_id: &str,
    body: &str,
) -> Result<Sent, DeliveryError> {
    let (parent, reader, recipients) = visible(d, actor, parent_id).await?;
    let from = recipients
        .iter()
        .map(|r| &r.mailbox)
        .find(|m| reader.may_read(m))
        .ok_or(DeliveryError::NotFound)?;
    let subject = if parent.subject.starts_with("Re: ") {
        parent.subject.clone()
    } else {
        format!("Re: {}", parent.subject)
    };
    let address = |m: &Mailbox| Address {
        kind: m.kind,
        identifier: m.identifier.clone(),
        administration_id: m.administration_id.clone(),
        display_name: Some(m.display_name.clone()),
    };
    send(
        d,
        actor,
        NewMessage {
            sender: address(from),
            recipients: vec![address(&parent.sender)],
            subject,
            body: body.to_owned(),
            service_id: parent.service_id.clone(),
            application_id: parent.application_id.clone(),
            attachments: Vec::new(),
            reply_to: Some(parent.id.clone()),
        },
    )
    .await
}

// ---- reading -------------------------------------------------------------------------------

type MessageRow = (
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    i64,
    Option<String>,
);

/// id, subject, sender's name and identifier, delivered, opened, application, opened by,
/// answered by.
type SummaryRow = (
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The mailboxes the actor may read (their own first), made for a person on first use so that
/// a message waiting for their identifier is found at once.
pub async fn mailboxes_of(d: &Delivery, actor: &Actor) -> Result<Vec<Mailbox>, DeliveryError> {
    let reader = access::reader(&d.db, actor, d.now()).await?;
    let mut out = Vec::new();
    if let Some(pid) = &reader.personal_id {
        if let Some(m) = mailboxes::find(&d.db, crate::model::MailboxKind::Person, pid).await? {
            out.push(m);
        }
    }
    for eik in &reader.companies {
        if let Some(m) = mailboxes::find(&d.db, crate::model::MailboxKind::Company, eik).await? {
            out.push(m);
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for (administration, _) in &reader.scopes {
        if seen.insert(administration.clone()) {
            for m in mailboxes::of_administration(&d.db, administration).await? {
                if reader.may_read(&m) {
                    out.push(m);
                }
            }
        }
    }
    Ok(out)
}

/// Messages delivered to a mailbox the actor may read, newest first. `None` means the actor's
/// first mailbox (a person's own).
pub async fn received(
    d: &Delivery,
    actor: &Actor,
    mailbox_id: Option<&str>,
    page: portico_core::Page,
) -> Result<(Option<Mailbox>, Vec<MessageSummary>), DeliveryError> {
    let page = page.clamped();
    let boxes = mailboxes_of(d, actor).await?;
    let mailbox = match mailbox_id {
        Some(id) => Some(
            boxes
                .into_iter()
                .find(|m| m.id == id)
                .ok_or(DeliveryError::NotFound)?,
        ),
        None => boxes.into_iter().next(),
    };
    let Some(mailbox) = mailbox else {
        return Ok((None, Vec::new()));
    };
    // In a company's mailbox, who opened each message and who last answered it for the company.
    let answered_by = if mailbox.kind == crate::model::MailboxKind::Company {
        "(SELECT a.sent_by_name FROM delivery_messages a WHERE a.sender_mailbox_id = r.mailbox_id \
          AND a.reply_to = m.id AND a.sent_by_name IS NOT NULL ORDER BY a.created_at DESC LIMIT 1)"
    } else {
        "NULL"
    };
    let sql = format!(
        "SELECT m.id, m.subject, s.display_name, s.identifier, r.delivered_at, r.opened_at, m.application_id, r.opened_by_name, {answered_by} \
         FROM delivery_recipients r JOIN delivery_messages m ON m.id = r.message_id \
         JOIN delivery_mailboxes s ON s.id = m.sender_mailbox_id \
         WHERE r.mailbox_id = $1 ORDER BY r.delivered_at DESC, r.message_id DESC LIMIT $2 OFFSET $3"
    );
    let rows: Vec<SummaryRow> = sqlx::query_as(&sql)
        .bind(&mailbox.id)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(d.db.pool())
        .await?;
    let list = rows
        .into_iter()
        .map(
            |(
                id,
                subject,
                name,
                identifier,
                delivered,
                opened,
                application_id,
                opened_by,
                answered_by,
            )| {
                MessageSummary {
                    id,
                    subject,
                    sender_name: if name.is_empty() { identifier } else { name },
                    delivered_at: from_millis(delivered),
                    opened_at: opened.map(from_millis),
                    application_id,
                    opened_by,
                    answered_by,
                }
            },
        )
        .collect();
    Ok((Some(mailbox), list))
}

/// mailbox, delivered, opened, not opened in time, opened by (for a company).
type RecipientRow = (String, i64, Option<i64>, Option<i64>, Option<String>);

async fn recipients_of(db: &Db, message_id: &str) -> Result<Vec<RecipientState>, DeliveryError> {
    let rows: Vec<RecipientRow> = sqlx::query_as(
        "SELECT mailbox_id, delivered_at, opened_at, not_opened_at, opened_by_name FROM delivery_recipients WHERE message_id = $1 ORDER BY mailbox_id",
    )
    .bind(message_id)
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for (mailbox_id, delivered, opened, not_opened, opened_by) in rows {
        let mailbox = mailboxes::get(db, &mailbox_id)
            .await?
            .ok_or_else(|| DeliveryError::Internal(format!("mailbox {mailbox_id} is missing")))?;
        out.push(RecipientState {
            mailbox,
            delivered_at: from_millis(delivered),
            opened_at: opened.map(from_millis),
            not_opened_at: not_opened.map(from_millis),
            opened_by,
        });
    }
    Ok(out)
}

/// The message, if the actor may read it (as its sender's or one of its recipients' mailbox);
/// otherwise [`DeliveryError::NotFound`].
async fn visible(
    d: &Delivery,
    actor: &Actor,
    id: &str,
) -> Result<(Message, Reader, Vec<RecipientState>), DeliveryError> {
    let reader = access::reader(&d.db, actor, d.now()).await?;
    if reader.is_nobody() {
        return Err(DeliveryError::NotFound);
    }
    let row: Option<MessageRow> = sqlx::query_as(
        "SELECT id, thread_id, reply_to, sender_mailbox_id, subject, body, service_id, application_id, content_sha256, created_at, sent_by_name \
         FROM delivery_messages WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(d.db.pool())
    .await?;
    let Some((
        id,
        thread_id,
        reply_to,
        sender_id,
        subject,
        body,
        service_id,
        application_id,
        content_sha256,
        created_at,
        sent_by,
    )) = row
    else {
        return Err(DeliveryError::NotFound);
    };
    let sender = mailboxes::get(&d.db, &sender_id)
        .await?
        .ok_or(DeliveryError::NotFound)?;
    let mut recipients = recipients_of(&d.db, &id).await?;
    if !reader.may_read(&sender) && !recipients.iter().any(|r| reader.may_read(&r.mailbox)) {
        // A third party the owner granted access: asked on every read, so a revoked grant
        // stops at once; every read through a grant is kept and audited.
        let Some(personal_id) = reader.personal_id.as_deref() else {
            return Err(DeliveryError::NotFound);
        };
        let mut boxes: Vec<&str> = recipients.iter().map(|r| r.mailbox.id.as_str()).collect();
        boxes.push(&sender.id);
        let grant = super::grants::covering(d, personal_id, &boxes, &id, &thread_id)
            .await?
            .ok_or(DeliveryError::NotFound)?;
        super::grants::record_read(d, actor, &grant, &id).await?;
    }
    let attachments: Vec<(i64, String, String, i64, String)> = sqlx::query_as(
        "SELECT position, file_name, media_type, size, sha256 FROM delivery_attachments WHERE message_id = $1 ORDER BY position",
    )
    .bind(&id)
    .fetch_all(d.db.pool())
    .await?;
    let body = match d.keys.message_key(&d.db, &id).await? {
        Some(key) => key.open_text(&body_aad(&id), &body)?,
        None => body, // stored before encryption
    };
    // Who acted for a company is shown to those who read the company's mailbox, nobody else.
    for r in &mut recipients {
        if !reader.may_read(&r.mailbox) {
            r.opened_by = None;
        }
    }
    let sent_by = sent_by.filter(|_| reader.may_read(&sender));
    let answered = answered_for_companies(d, &reader, &id).await?;
    let message = Message {
        id,
        thread_id,
        reply_to,
        sender,
        subject,
        body,
        service_id,
        application_id,
        content_sha256,
        created_at: from_millis(created_at),
        attachments: attachments
            .into_iter()
            .map(
                |(position, file_name, media_type, size, sha256)| AttachmentInfo {
                    position,
                    file_name,
                    media_type,
                    size,
                    sha256,
                },
            )
            .collect(),
        recipients: recipients.clone(),
        sent_by,
        answered,
    };
    Ok((message, reader, recipients))
}

/// The answers to a message given for a company (by a person, from its mailbox) that the reader
/// reads: who answered and when.
async fn answered_for_companies(
    d: &Delivery,
    reader: &Reader,
    message_id: &str,
) -> Result<Vec<crate::model::Answered>, DeliveryError> {
    if reader.companies.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT m.id, m.sender_mailbox_id, m.sent_by_name, m.created_at FROM delivery_messages m \
         WHERE m.reply_to = $1 AND m.sent_by_name IS NOT NULL ORDER BY m.created_at, m.id",
    )
    .bind(message_id)
    .fetch_all(d.db.pool())
    .await?;
    let mut out = Vec::new();
    for (id, mailbox_id, by, at) in rows {
        let Some(company) = mailboxes::get(&d.db, &mailbox_id).await? else {
            continue;
        };
        if reader.may_read(&company) {
            out.push(crate::model::Answered {
                message_id: id,
                by,
                company: mailboxes::shown_name(&company),
                at: from_millis(at),
            });
        }
    }
    Ok(out)
}

/// Records that the actor opened the message for each of its recipient mailboxes they read and
/// that had not opened it yet: `ContentHandover` evidence, audited.
async fn record_handover(
    d: &Delivery,
    actor: &Actor,
    message: &Message,
    reader: &Reader,
    recipients: &[RecipientState],
) -> Result<bool, DeliveryError> {
    let unopened: Vec<&RecipientState> = recipients
        .iter()
        .filter(|r| r.opened_at.is_none() && reader.may_read(&r.mailbox))
        .collect();
    if unopened.is_empty() {
        return Ok(false);
    }
    let now = d.now();
    let mut tx = d.db.begin().await?;
    let mut recorded = false;
    for r in unopened {
        // For a company, the name of the person who opened it for the company is kept to show.
        let opened_by_name = match r.mailbox.kind {
            crate::model::MailboxKind::Company => reader.name.as_deref(),
            _ => None,
        };
        let done = sqlx::query(
            "UPDATE delivery_recipients SET opened_at = $1, opened_by = $2, opened_by_name = $3 WHERE message_id = $4 AND mailbox_id = $5 AND opened_at IS NULL",
        )
        .bind(to_millis(now))
        .bind(actor.audit_id())
        .bind(opened_by_name)
        .bind(&message.id)
        .bind(&r.mailbox.id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            continue; // someone else opened it first
        }
        if let (Some(service), Some(_), Some(a)) = (
            &message.service_id,
            &message.application_id,
            &message.sender.administration_id,
        ) {
            let measured = Measured::of(
                &format!("opened:{}", message.id),
                EventKind::Opened,
                service,
                a,
                now,
            );
            portico_insights::service::events::emit(&mut tx, &measured, now).await?;
        }
        recorded = true;
        let subject = Subject {
            message_id: &message.id,
            thread_id: &message.thread_id,
            content_sha256: &message.content_sha256,
            application_id: message.application_id.as_deref(),
            sender: &message.sender,
        };
        evidence::append(
            &mut tx,
            &d.key,
            &subject,
            EvidenceEvent::ContentHandover,
            &[&r.mailbox],
            now,
        )
        .await?;
        portico_audit::append(
            &mut tx,
            portico_audit::Event::new(&actor.audit_id(), "delivery.opened", &message.id)
                .with(serde_json::json!({ "mailbox": r.mailbox.id })),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(recorded)
}

/// Reads a message the actor may read. The first reading by (someone for) a recipient is the
/// retrieval that the recipient's `ContentHandover` evidence records.
pub async fn open(d: &Delivery, actor: &Actor, id: &str) -> Result<Message, DeliveryError> {
    let (message, reader, recipients) = visible(d, actor, id).await?;
    if record_handover(d, actor, &message, &reader, &recipients).await? {
        return Ok(visible(d, actor, id).await?.0);
    }
    Ok(message)
}

/// A message as read, without recording an opening (for the sender's own view and the API's
/// listing of states).
pub async fn get(d: &Delivery, actor: &Actor, id: &str) -> Result<Message, DeliveryError> {
    Ok(visible(d, actor, id).await?.0)
}

/// An attachment's plaintext as it is opened, segment by segment.
pub type ByteStream = BoxStream<'static, Result<Bytes, DeliveryError>>;

/// An attachment's description and its plaintext as a stream: never held whole. Downloading it
/// is a retrieval too. Its first segment is opened before this answers, so a file that does not
/// open at all is an error here rather than a download cut short; a later segment that does not
/// open ends the stream with [`DeliveryError::Unreadable`].
pub async fn attachment(
    d: &Delivery,
    actor: &Actor,
    id: &str,
    position: i64,
) -> Result<(AttachmentInfo, ByteStream), DeliveryError> {
    let (message, reader, recipients) = visible(d, actor, id).await?;
    let info = message
        .attachments
        .iter()
        .find(|a| a.position == position)
        .cloned()
        .ok_or(DeliveryError::NotFound)?;
    let mut stream = attachment_stream(d, &message.id, &info).await?;
    let first = stream.next().await.transpose()?;
    record_handover(d, actor, &message, &reader, &recipients).await?;
    // A segment found changed after the answer has begun ends it short; the log says which.
    let stream = stream.inspect_err(|e| {
        tracing::error!(error = %e, "an attachment stopped opening while it was downloaded");
    });
    Ok((
        info,
        futures::stream::iter(first.map(Ok)).chain(stream).boxed(),
    ))
}

/// The message's canonical content (`message.json`), whose SHA-256 its evidence names.
pub async fn content(d: &Delivery, actor: &Actor, id: &str) -> Result<Vec<u8>, DeliveryError> {
    let (message, _, _) = visible(d, actor, id).await?;
    content_bytes(d, &message).await
}

fn body_aad(message_id: &str) -> String {
    format!("portico.delivery.body:{message_id}")
}

fn content_aad(message_id: &str) -> String {
    format!("portico.delivery.content:{message_id}")
}

fn attachment_aad(message_id: &str, position: i64) -> String {
    format!("portico.delivery.attachment:{message_id}:{position}")
}

/// An attachment's plaintext, opened with the message's key as it is read from the blob store
/// (as stored, for a message kept before encryption; whole, for one sealed before segments,
/// which is at most 10 MB). The caller has checked the actor may read the message.
pub(crate) async fn attachment_stream(
    d: &Delivery,
    message_id: &str,
    info: &AttachmentInfo,
) -> Result<ByteStream, DeliveryError> {
    let row: Option<(Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT blob_sha256, sealing FROM delivery_attachments WHERE message_id = $1 AND position = $2",
    )
    .bind(message_id)
    .bind(info.position)
    .fetch_optional(d.db.pool())
    .await?;
    let (blob, sealing) = row.unwrap_or((None, None));
    let missing =
        || DeliveryError::Internal(format!("blob of {message_id}/{} is missing", info.position));
    let Some(blob) = blob else {
        let stored = d
            .blobs
            .get_stream(&info.sha256)
            .await?
            .ok_or_else(missing)?;
        return Ok(stored.map(|r| r.map_err(DeliveryError::from)).boxed());
    };
    let key = d
        .keys
        .message_key(&d.db, message_id)
        .await?
        .ok_or_else(|| DeliveryError::Internal(format!("message {message_id} has no key")))?;
    let place = attachment_aad(message_id, info.position);
    match sealing.as_deref() {
        None => {
            let stored = d.blobs.get(&blob).await?.ok_or_else(missing)?;
            let plain = key.open(&place, &stored)?;
            Ok(futures::stream::once(async move { Ok(Bytes::from(plain)) }).boxed())
        }
        Some(segments::FORMAT) => {
            let stored = d.blobs.get_stream(&blob).await?.ok_or_else(missing)?;
            Ok(opened(stored, segments::Opener::new(&key, &place)))
        }
        Some(other) => Err(DeliveryError::Unreadable(format!(
            "{place}: sealed as {other:?}, which this version does not open"
        ))),
    }
}

type SealedStream = BoxStream<'static, Result<Bytes, portico_store::StoreError>>;

/// The plaintext of a segmented sealed stream, as each segment opens.
fn opened(sealed: SealedStream, opener: segments::Opener) -> ByteStream {
    futures::stream::try_unfold((sealed, Some(opener)), |(sealed, opener)| {
        open_next(sealed, opener)
    })
    .boxed()
}

/// The next opened piece: read sealed chunks until a segment opens, or the end (the last
/// segment).
async fn open_next(
    mut sealed: SealedStream,
    mut opener: Option<segments::Opener>,
) -> Result<Option<(Bytes, (SealedStream, Option<segments::Opener>))>, DeliveryError> {
    loop {
        let Some(o) = opener.as_mut() else {
            return Ok(None);
        };
        match sealed.next().await {
            Some(chunk) => {
                let plain = o.update(&chunk?)?;
                if !plain.is_empty() {
                    return Ok(Some((Bytes::from(plain), (sealed, opener))));
                }
            }
            None => {
                let last = match opener.take() {
                    Some(o) => o.finish()?,
                    None => return Ok(None),
                };
                return Ok(Some((Bytes::from(last), (sealed, None))));
            }
        }
    }
}

/// The message's canonical content (`message.json`), opened. The caller has checked access.
pub(crate) async fn content_bytes(
    d: &Delivery,
    message: &Message,
) -> Result<Vec<u8>, DeliveryError> {
    let id = &message.id;
    let (blob,): (Option<String>,) =
        sqlx::query_as("SELECT content_blob FROM delivery_messages WHERE id = $1")
            .bind(id)
            .fetch_one(d.db.pool())
            .await?;
    let stored = d
        .blobs
        .get(blob.as_deref().unwrap_or(&message.content_sha256))
        .await?
        .ok_or_else(|| DeliveryError::Internal(format!("content of {id} is missing")))?;
    if blob.is_none() {
        return Ok(stored.to_vec());
    }
    let key = d
        .keys
        .message_key(&d.db, id)
        .await?
        .ok_or_else(|| DeliveryError::Internal(format!("message {id} has no key")))?;
    key.open(&content_aad(id), &stored)
}

/// The message's evidence, in chain order.
pub async fn evidence(
    d: &Delivery,
    actor: &Actor,
    id: &str,
) -> Result<Vec<crate::model::Evidence>, DeliveryError> {
    let (message, _, _) = visible(d, actor, id).await?;
    evidence::stored(&d.db, &message.id).await
}

/// The non-retrieval deadline of one recipient has come: if they have not opened the message,
/// record `ContentNonHandover` evidence (once).
pub async fn non_handover(
    d: &Delivery,
    message_id: &str,
    mailbox_id: &str,
) -> Result<bool, DeliveryError> {
    let now = d.now();
    let mut tx = d.db.begin().await?;
    let done = sqlx::query(
        "UPDATE delivery_recipients SET not_opened_at = $1 WHERE message_id = $2 AND mailbox_id = $3 AND opened_at IS NULL AND not_opened_at IS NULL",
    )
    .bind(to_millis(now))
    .bind(message_id)
    .bind(mailbox_id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    let row: (String, String, String, Option<String>) = sqlx::query_as(
        "SELECT thread_id, sender_mailbox_id, content_sha256, application_id FROM delivery_messages WHERE id = $1",
    )
    .bind(message_id)
    .fetch_one(&mut *tx)
    .await?;
    let sender = mailboxes::get(&d.db, &row.1)
        .await?
        .ok_or(DeliveryError::NotFound)?;
    let recipient = mailboxes::get(&d.db, mailbox_id)
        .await?
        .ok_or(DeliveryError::NotFound)?;
    let subject = Subject {
        message_id,
        thread_id: &row.0,
        content_sha256: &row.2,
        application_id: row.3.as_deref(),
        sender: &sender,
    };
    evidence::append(
        &mut tx,
        &d.key,
        &subject,
        EvidenceEvent::ContentNonHandover,
        &[&recipient],
        now,
    )
    .await?;
    portico_audit::append(
        &mut tx,
        portico_audit::Event::new("system:delivery", "delivery.not_opened", message_id)
            .with(serde_json::json!({ "mailbox": mailbox_id })),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// SHA-256 of bytes, hex: what a recipient computes over a download to compare with evidence.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
