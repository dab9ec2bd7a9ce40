//! Evidence in the vocabulary of ETSI EN 319 522 (registered electronic delivery): each event of
//! a message (submission accepted, delivered to a mailbox, opened, not opened in time) is a JWS
//! signed by the platform with its certificate chain in `x5c`, naming the message's SHA-256, the
//! sender, the recipient, the event and its time, and chained to the message's previous evidence
//! by `seq` and the SHA-256 of the previous JWS. Anyone can check one piece, or a whole chain,
//! offline ([`check_chain`], `portico evidence verify`).

use crate::model::{Evidence, EvidenceEvent, Mailbox};
use crate::DeliveryError;
use chrono::{DateTime, SecondsFormat, Utc};
use portico_audit::{Certificate, SigningKey};
use portico_core::clock::{from_millis, to_millis};
use portico_store::{Db, Tx};
use sha2::{Digest, Sha256};

/// `type` of every piece of delivery evidence.
pub const TYPE: &str = "portico.delivery.evidence";

/// What the evidence of one message is about.
#[derive(Debug, Clone)]
pub struct Subject<'a> {
    pub message_id: &'a str,
    pub thread_id: &'a str,
    pub content_sha256: &'a str,
    pub application_id: Option<&'a str>,
    pub sender: &'a Mailbox,
}

pub(crate) fn party(m: &Mailbox) -> serde_json::Value {
    serde_json::json!({
        "kind": m.kind.as_str(),
        "identifier": m.identifier,
        "name": super::mailboxes::shown_name(m),
    })
}

fn hash(jws: &str) -> String {
    hex::encode(Sha256::digest(jws.as_bytes()))
}

/// Signs the next piece of evidence of a message and keeps it, in the caller's transaction.
/// The message row is updated first, which serialises two writers of one message's chain on
/// both databases (the second waits for the first to commit, then reads the new head).
pub async fn append(
    tx: &mut Tx,
    key: &SigningKey,
    subject: &Subject<'_>,
    event: EvidenceEvent,
    recipients: &[&Mailbox],
    at: DateTime<Utc>,
) -> Result<String, DeliveryError> {
    sqlx::query("UPDATE delivery_messages SET evidence_count = evidence_count + 1 WHERE id = $1")
        .bind(subject.message_id)
        .execute(&mut **tx)
        .await?;
    let (count, previous): (i64, Option<String>) =
        sqlx::query_as("SELECT evidence_count, evidence_head FROM delivery_messages WHERE id = $1")
            .bind(subject.message_id)
            .fetch_one(&mut **tx)
            .await?;
    let seq = count - 1;
    let recipient = match recipients {
        [one] => party(one),
        _ => serde_json::Value::Null,
    };
    let statement = serde_json::json!({
        "type": TYPE,
        "standard": "ETSI EN 319 522",
        "event": event.as_str(),
        "message": subject.message_id,
        "thread": subject.thread_id,
        "message_sha256": subject.content_sha256,
        "application": subject.application_id,
        "sender": party(subject.sender),
        "recipient": recipient,
        "recipients": recipients.iter().map(|m| party(m)).collect::<Vec<_>>(),
        "at": at.to_rfc3339_opts(SecondsFormat::Millis, true),
        "seq": seq,
        "previous": previous,
    });
    let jws = key.sign_jws(&statement)?;
    let mailbox_id = match recipients {
        [one] => Some(one.id.as_str()),
        _ => None,
    };
    sqlx::query(
        "INSERT INTO delivery_evidence (message_id, seq, event, mailbox_id, jws, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(subject.message_id)
    .bind(seq)
    .bind(event.as_str())
    .bind(mailbox_id)
    .bind(&jws)
    .bind(to_millis(at))
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE delivery_messages SET evidence_head = $1 WHERE id = $2")
        .bind(hash(&jws))
        .bind(subject.message_id)
        .execute(&mut **tx)
        .await?;
    // The sending institution's system hears of every piece of evidence of its messages.
    super::webhooks::emit(
        tx,
        subject.sender,
        "evidence",
        serde_json::json!({
            "message": subject.message_id,
            "event": event.as_str(),
            "seq": seq,
            "recipient": recipient,
            "jws": jws,
        }),
        at,
    )
    .await?;
    Ok(jws)
}

/// A message's evidence in order. The caller has checked the actor may read the message.
pub async fn stored(db: &Db, message_id: &str) -> Result<Vec<Evidence>, DeliveryError> {
    let rows: Vec<(i64, String, Option<String>, i64, String)> = sqlx::query_as(
        "SELECT seq, event, mailbox_id, created_at, jws FROM delivery_evidence WHERE message_id = $1 ORDER BY seq",
    )
    .bind(message_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(seq, event, mailbox_id, created_at, jws)| Evidence {
            seq,
            event,
            mailbox_id,
            created_at: from_millis(created_at),
            jws,
        })
        .collect())
}

/// A whole chain as one file: one compact JWS per line, in order.
pub fn chain_file(evidence: &[Evidence]) -> String {
    let mut out = String::new();
    for e in evidence {
        out.push_str(&e.jws);
        out.push('\n');
    }
    out
}

/// Checks a chain of delivery evidence against a trust anchor: every JWS verifies, they are of
/// one message and one content hash, `seq` runs 0, 1, 2 … and each names the SHA-256 of the one
/// before it (the first names none). Returns the verified statements in order.
pub fn check_chain(
    tokens: &[&str],
    anchor: &Certificate,
    now: DateTime<Utc>,
) -> Result<Vec<serde_json::Value>, portico_audit::AuditError> {
    let bad = |why: String| portico_audit::AuditError::InvalidEvidence(why);
    let mut out: Vec<serde_json::Value> = Vec::with_capacity(tokens.len());
    let mut previous: Option<String> = None;
    for (i, token) in tokens.iter().enumerate() {
        let verified = portico_audit::jws::verify(token, anchor, now)
            .map_err(|e| bad(format!("evidence {} of the chain: {e}", i + 1)))?;
        let p = verified.payload;
        if p["type"] != TYPE {
            return Err(bad(format!("evidence {} is not delivery evidence", i + 1)));
        }
        if p["seq"].as_i64() != i64::try_from(i).ok() {
            return Err(bad(format!(
                "evidence {} has seq {}; the chain is incomplete or out of order",
                i + 1,
                p["seq"]
            )));
        }
        if p["previous"].as_str().map(str::to_owned) != previous {
            return Err(bad(format!(
                "evidence {} does not name the SHA-256 of the evidence before it",
                i + 1
            )));
        }
        if let Some(first) = out.first() {
            if p["message"] != first["message"] || p["message_sha256"] != first["message_sha256"] {
                return Err(bad(format!("evidence {} is about another message", i + 1)));
            }
        }
        previous = Some(hash(token.trim()));
        out.push(p);
    }
    if out.is_empty() {
        return Err(bad("the file holds no evidence".into()));
    }
    Ok(out)
}
