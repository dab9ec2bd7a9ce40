//! Evidence of a refused submission (`SubmissionRejection`, ETSI EN 319 522).
//!
//! **What counts as a submission**: a send that reached the rules whole (its request read and
//! well-formed) from a caller who may send from the mailbox it names as sender. When such a
//! submission is refused on what it holds (a recipient whose identifier does not check out, a
//! subject or body missing or too long, too many recipients, an attachment refused on its
//! content, type or size, an 11th file, a streamed request over its limit), the sender gets a
//! signed `SubmissionRejection` naming the submission's SHA-256, the sender and the reasons.
//! Nothing else of it is kept. Not submissions, so no evidence: a request that is not
//! well-formed (400, a body that is not the JSON of a send, a broken multipart, an attachment
//! that is not base64), a caller who may not send from that mailbox (403), a reply to a message
//! they do not read (404), an `Idempotency-Key` that is malformed or reused for another request.

use super::{access, evidence, mailboxes, Delivery};
use crate::model::{Address, EvidenceEvent, Mailbox, MailboxKind};
use crate::DeliveryError;
use chrono::{DateTime, SecondsFormat, Utc};
use portico_core::clock::{from_millis, to_millis};
use portico_core::{new_id, Actor, FieldError};
use serde::Serialize;
use utoipa::ToSchema;

/// One reason a submission was refused: the field and the code of its plain message.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct Reason {
    pub field: String,
    pub code: String,
}

/// A refused submission's evidence.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Rejection {
    pub id: String,
    /// `SubmissionRejection`.
    pub event: String,
    pub sender: Address,
    /// SHA-256 of the request as submitted, in canonical form (keys sorted, no spaces): the hash
    /// an `Idempotency-Key` names.
    pub submission_sha256: String,
    pub reasons: Vec<Reason>,
    pub created_at: DateTime<Utc>,
    /// The compact JWS (platform key, certificate chain in `x5c`).
    pub jws: String,
}

/// Records the sender's `SubmissionRejection` evidence of a refused submission, audited
/// (`delivery.rejected`). `None` when it was no submission: the actor may not send from
/// `sender` (then nothing is written).
pub async fn record(
    d: &Delivery,
    actor: &Actor,
    sender: &Address,
    submission_sha256: &str,
    reasons: &[FieldError],
) -> Result<Option<Rejection>, DeliveryError> {
    let Ok(sender) = mailboxes::normalise(sender) else {
        return Ok(None);
    };
    let now = d.now();
    if reasons.is_empty() || !access::may_send_as(&d.db, actor, &sender, now).await? {
        return Ok(None);
    }
    // The name the sender's mailbox goes by, if it has one yet (it is not made for this).
    let known = mailboxes::find(&d.db, sender.kind, &sender.identifier).await?;
    let shown = known.unwrap_or_else(|| Mailbox {
        id: String::new(),
        kind: sender.kind,
        identifier: sender.identifier.clone(),
        administration_id: sender.administration_id.clone(),
        display_name: sender.display_name.clone().unwrap_or_default(),
    });
    let reasons: Vec<Reason> = reasons
        .iter()
        .map(|r| Reason {
            field: r.field.clone(),
            code: r.code.clone(),
        })
        .collect();
    let id = new_id();
    let statement = serde_json::json!({
        "type": evidence::TYPE,
        "standard": "ETSI EN 319 522",
        "event": EvidenceEvent::SubmissionRejection.as_str(),
        "submission": id,
        "message": null,
        "thread": null,
        "message_sha256": submission_sha256,
        "application": null,
        "sender": evidence::party(&shown),
        "recipient": null,
        "recipients": [],
        "reasons": reasons,
        "at": now.to_rfc3339_opts(SecondsFormat::Millis, true),
        "seq": 0,
        "previous": null,
    });
    let jws = d.key.sign_jws(&statement)?;
    let reasons_json =
        serde_json::to_string(&reasons).map_err(|e| DeliveryError::Internal(e.to_string()))?;
    let mut tx = d.db.begin().await?;
    sqlx::query(
        "INSERT INTO delivery_rejections (id, sender_kind, sender_identifier, sender_administration_id, submitted_by, submission_sha256, reasons, jws, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(sender.kind.as_str())
    .bind(&sender.identifier)
    .bind(&sender.administration_id)
    .bind(actor.audit_id())
    .bind(submission_sha256)
    .bind(&reasons_json)
    .bind(&jws)
    .bind(to_millis(now))
    .execute(&mut *tx)
    .await?;
    let mut event = portico_audit::Event::new(&actor.audit_id(), "delivery.rejected", &id).with(
        serde_json::json!({
            "sender": { "kind": sender.kind.as_str(), "identifier": sender.identifier },
            "submission_sha256": submission_sha256,
            "reasons": reasons,
        }),
    );
    if let Some(a) = sender.administration_id.as_deref() {
        event = event.in_administration(a);
    }
    portico_audit::append(&mut tx, event, now).await?;
    tx.commit().await?;
    Ok(Some(Rejection {
        id,
        event: EvidenceEvent::SubmissionRejection.as_str().to_owned(),
        sender,
        submission_sha256: submission_sha256.to_owned(),
        reasons,
        created_at: now,
        jws,
    }))
}

type Row = (
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    i64,
);

/// A rejection's evidence, for whoever may send from its sender's mailbox (as the submitter
/// could); to anyone else it does not exist.
pub async fn get(d: &Delivery, actor: &Actor, id: &str) -> Result<Rejection, DeliveryError> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT id, sender_kind, sender_identifier, sender_administration_id, submission_sha256, reasons, jws, created_at \
         FROM delivery_rejections WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(d.db.pool())
    .await?;
    let Some((id, kind, identifier, administration_id, submission_sha256, reasons, jws, at)) = row
    else {
        return Err(DeliveryError::NotFound);
    };
    let sender = Address {
        kind: MailboxKind::parse(&kind).ok_or(DeliveryError::NotFound)?,
        identifier,
        administration_id,
        display_name: None,
    };
    if !access::may_send_as(&d.db, actor, &sender, d.now()).await? {
        return Err(DeliveryError::NotFound);
    }
    let reasons: Vec<serde_json::Value> =
        serde_json::from_str(&reasons).map_err(|e| DeliveryError::Internal(e.to_string()))?;
    Ok(Rejection {
        id,
        event: EvidenceEvent::SubmissionRejection.as_str().to_owned(),
        sender,
        submission_sha256,
        reasons: reasons
            .iter()
            .map(|r| Reason {
                field: r["field"].as_str().unwrap_or_default().to_owned(),
                code: r["code"].as_str().unwrap_or_default().to_owned(),
            })
            .collect(),
        created_at: from_millis(at),
        jws,
    })
}
