//! Grants: the owner of a mailbox (whoever may read it) lets a third party, named by personal
//! identifier (a lawyer, an accountant), read one message, a thread, or the whole mailbox, until
//! the grant is revoked. The grantee reads with a session of substantial assurance like any
//! reader; a revoked grant stops at once (every read asks the table). Every grant, revocation
//! and read through a grant is audited, and the reads are kept for the owner to see.

use super::access;
use super::{mailboxes, Delivery};
use crate::model::MailboxKind;
use crate::DeliveryError;
use chrono::{DateTime, NaiveDate, Utc};
use portico_core::clock::{from_millis, to_millis};
use portico_core::{new_id, Actor, FieldError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a grant covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GrantScope {
    Message,
    Thread,
    Mailbox,
}

impl GrantScope {
    pub fn as_str(self) -> &'static str {
        match self {
            GrantScope::Message => "message",
            GrantScope::Thread => "thread",
            GrantScope::Mailbox => "mailbox",
        }
    }

    pub fn parse(s: &str) -> Option<GrantScope> {
        match s {
            "message" => Some(GrantScope::Message),
            "thread" => Some(GrantScope::Thread),
            "mailbox" => Some(GrantScope::Mailbox),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Grant {
    pub id: String,
    pub mailbox_id: String,
    pub scope: GrantScope,
    /// The message's or thread's id; none for the whole mailbox.
    pub target_id: Option<String>,
    pub grantee_personal_id: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// The last day (in Sofia) the grant is in force; none: until revoked.
    pub ends_on: Option<NaiveDate>,
    /// Whether it has ended by itself (its last day is over).
    pub ended: bool,
    /// Reads through this grant, newest first.
    pub reads: Vec<GrantRead>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GrantRead {
    pub message_id: String,
    pub read_at: DateTime<Utc>,
}

/// A grant to make.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewGrant {
    pub mailbox_id: String,
    pub scope: GrantScope,
    /// For `message` and `thread`: the message (its thread, for `thread`).
    #[serde(default)]
    pub message_id: Option<String>,
    pub grantee_personal_id: String,
    /// The last day the grant is in force (Sofia's date; it ends at the following midnight);
    /// none: until revoked. Not in the past.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub ends_on: Option<NaiveDate>,
}

/// Job kind: tell the grantee by e-mail that they were granted access (no content, a link).
pub const GRANT_EMAIL_JOB: &str = "delivery.notify_grantee";

/// The instant a grant whose last day is `last_day` ends: the next midnight in Sofia.
pub fn end_of(last_day: NaiveDate) -> DateTime<Utc> {
    let midnight = last_day
        .succ_opt()
        .unwrap_or(last_day)
        .and_time(chrono::NaiveTime::MIN);
    // Sofia is UTC+2, or UTC+3 in summer: the offset that gives back the same local time.
    [2, 3]
        .into_iter()
        .map(|h| midnight.and_utc() - chrono::Duration::hours(h))
        .find(|utc| portico_core::calendar::sofia_local(*utc) == midnight)
        .unwrap_or_else(|| midnight.and_utc() - chrono::Duration::hours(2))
}

fn last_day_of(ends_at: DateTime<Utc>) -> NaiveDate {
    portico_core::calendar::sofia_date(ends_at - chrono::Duration::milliseconds(1))
}

/// The owner's mailbox, if the actor may read it; else not found.
async fn owned(
    d: &Delivery,
    actor: &Actor,
    mailbox_id: &str,
) -> Result<crate::model::Mailbox, DeliveryError> {
    let reader = access::reader(&d.db, actor, d.now()).await?;
    let mailbox = mailboxes::get(&d.db, mailbox_id)
        .await?
        .ok_or(DeliveryError::NotFound)?;
    if reader.may_read(&mailbox) {
        Ok(mailbox)
    } else {
        Err(DeliveryError::NotFound)
    }
}

/// Grants access; the target must be a message delivered to (or sent from) the mailbox.
pub async fn grant(d: &Delivery, actor: &Actor, new: NewGrant) -> Result<Grant, DeliveryError> {
    let mailbox = owned(d, actor, &new.mailbox_id).await?;
    let grantee = mailboxes::normalise(&crate::model::Address::person(
        &new.grantee_personal_id,
        None,
    ))
    .map_err(|_| {
        DeliveryError::Invalid(vec![FieldError::new(
            "grantee_personal_id",
            "delivery.grant.bad_personal_id",
        )])
    })?;
    if mailbox.kind == MailboxKind::Person && mailbox.identifier == grantee.identifier {
        return Err(DeliveryError::Invalid(vec![FieldError::new(
            "grantee_personal_id",
            "delivery.grant.self",
        )]));
    }
    let target_id = match (new.scope, new.message_id.as_deref()) {
        (GrantScope::Mailbox, _) => None,
        (_, None) => {
            return Err(DeliveryError::Invalid(vec![FieldError::new(
                "message_id",
                "delivery.grant.no_message",
            )]))
        }
        (scope, Some(message_id)) => {
            let row: Option<(String,)> = sqlx::query_as(
                "SELECT m.thread_id FROM delivery_messages m WHERE m.id = $1 AND (m.sender_mailbox_id = $2 \
                 OR EXISTS (SELECT 1 FROM delivery_recipients r WHERE r.message_id = m.id AND r.mailbox_id = $2))",
            )
            .bind(message_id)
            .bind(&mailbox.id)
            .fetch_optional(d.db.pool())
            .await?;
            let (thread_id,) = row.ok_or(DeliveryError::NotFound)?;
            Some(if scope == GrantScope::Thread {
                thread_id
            } else {
                message_id.to_owned()
            })
        }
    };
    let now = d.now();
    if let Some(last) = new.ends_on {
        if last < portico_core::calendar::sofia_date(now) {
            return Err(DeliveryError::Invalid(vec![FieldError::new(
                "ends_on",
                "delivery.grant.ends_in_past",
            )]));
        }
    }
    let ends_at = new.ends_on.map(end_of);
    let id = new_id();
    let mut tx = d.db.begin().await?;
    sqlx::query(
        "INSERT INTO delivery_grants (id, mailbox_id, scope, target_id, grantee_personal_id, granted_by, created_at, ends_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(&mailbox.id)
    .bind(new.scope.as_str())
    .bind(&target_id)
    .bind(&grantee.identifier)
    .bind(actor.audit_id())
    .bind(to_millis(now))
    .bind(ends_at.map(to_millis))
    .execute(&mut *tx)
    .await?;
    portico_audit::append(
        &mut tx,
        portico_audit::Event::new(&actor.audit_id(), "delivery.granted", &id).with(
            serde_json::json!({ "mailbox": mailbox.id, "scope": new.scope.as_str(),
                "target": target_id, "grantee": grantee.identifier,
                "ends_on": new.ends_on.map(|d| d.to_string()) }),
        ),
        now,
    )
    .await?;
    // The grantee is told by e-mail (if they have an account with an address) through the
    // job queue; the e-mail names neither the message nor its content.
    portico_store::jobs::enqueue(
        &mut tx,
        portico_store::jobs::NewJob::now(
            GRANT_EMAIL_JOB,
            serde_json::json!({ "grant_id": id }),
            now,
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    d.wake_jobs();
    Ok(Grant {
        id,
        mailbox_id: mailbox.id,
        scope: new.scope,
        target_id,
        grantee_personal_id: grantee.identifier,
        created_at: now,
        revoked_at: None,
        ends_on: new.ends_on,
        ended: false,
        reads: Vec::new(),
    })
}

type GrantRow = (
    String,
    String,
    String,
    Option<String>,
    String,
    i64,
    Option<i64>,
    Option<i64>,
);

/// The mailbox's grants, newest first, with their reads.
pub async fn of_mailbox(
    d: &Delivery,
    actor: &Actor,
    mailbox_id: &str,
) -> Result<Vec<Grant>, DeliveryError> {
    let mailbox = owned(d, actor, mailbox_id).await?;
    let rows: Vec<GrantRow> = sqlx::query_as(
        "SELECT id, mailbox_id, scope, target_id, grantee_personal_id, created_at, revoked_at, ends_at \
         FROM delivery_grants WHERE mailbox_id = $1 ORDER BY created_at DESC, id",
    )
    .bind(&mailbox.id)
    .fetch_all(d.db.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    let now = to_millis(d.now());
    for (id, mailbox_id, scope, target_id, grantee, created, revoked, ends) in rows {
        let reads: Vec<(String, i64)> = sqlx::query_as(
            "SELECT message_id, read_at FROM delivery_grant_reads WHERE grant_id = $1 ORDER BY read_at DESC",
        )
        .bind(&id)
        .fetch_all(d.db.pool())
        .await?;
        out.push(Grant {
            id,
            mailbox_id,
            scope: GrantScope::parse(&scope).unwrap_or(GrantScope::Message),
            target_id,
            grantee_personal_id: grantee,
            created_at: from_millis(created),
            revoked_at: revoked.map(from_millis),
            ends_on: ends.map(|e| last_day_of(from_millis(e))),
            ended: ends.is_some_and(|e| e <= now),
            reads: reads
                .into_iter()
                .map(|(message_id, at)| GrantRead {
                    message_id,
                    read_at: from_millis(at),
                })
                .collect(),
        });
    }
    Ok(out)
}

/// Revokes a grant of a mailbox the actor may read; from now on it lets nobody read.
pub async fn revoke(d: &Delivery, actor: &Actor, grant_id: &str) -> Result<(), DeliveryError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT mailbox_id FROM delivery_grants WHERE id = $1")
            .bind(grant_id)
            .fetch_optional(d.db.pool())
            .await?;
    let (mailbox_id,) = row.ok_or(DeliveryError::NotFound)?;
    owned(d, actor, &mailbox_id).await?;
    let now = d.now();
    let mut tx = d.db.begin().await?;
    let done = sqlx::query(
        "UPDATE delivery_grants SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL",
    )
    .bind(to_millis(now))
    .bind(actor.audit_id())
    .bind(grant_id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() > 0 {
        portico_audit::append(
            &mut tx,
            portico_audit::Event::new(&actor.audit_id(), "delivery.grant_revoked", grant_id)
                .with(serde_json::json!({ "mailbox": mailbox_id })),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The live grant that lets this person read the message (delivered to or sent from one of
/// `mailbox_ids`), if any.
pub async fn covering(
    d: &Delivery,
    personal_id: &str,
    mailbox_ids: &[&str],
    message_id: &str,
    thread_id: &str,
) -> Result<Option<String>, DeliveryError> {
    for mailbox_id in mailbox_ids {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM delivery_grants WHERE grantee_personal_id = $1 AND mailbox_id = $2 \
             AND revoked_at IS NULL AND (ends_at IS NULL OR ends_at > $5) \
             AND (scope = 'mailbox' OR (scope = 'message' AND target_id = $3) \
             OR (scope = 'thread' AND target_id = $4)) ORDER BY created_at LIMIT 1",
        )
        .bind(personal_id)
        .bind(mailbox_id)
        .bind(message_id)
        .bind(thread_id)
        .bind(to_millis(d.now()))
        .fetch_optional(d.db.pool())
        .await?;
        if let Some((id,)) = row {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

/// Keeps (and audits) a read through a grant.
pub async fn record_read(
    d: &Delivery,
    actor: &Actor,
    grant_id: &str,
    message_id: &str,
) -> Result<(), DeliveryError> {
    let now = d.now();
    // One page view reads the message, its evidence and its attachments: kept as one read a
    // minute.
    let recent: Option<(String,)> = sqlx::query_as(
        "SELECT grant_id FROM delivery_grant_reads WHERE grant_id = $1 AND message_id = $2 AND read_by = $3 AND read_at > $4",
    )
    .bind(grant_id)
    .bind(message_id)
    .bind(actor.audit_id())
    .bind(to_millis(now - chrono::Duration::minutes(1)))
    .fetch_optional(d.db.pool())
    .await?;
    if recent.is_some() {
        return Ok(());
    }
    let mut tx = d.db.begin().await?;
    sqlx::query(
        "INSERT INTO delivery_grant_reads (grant_id, message_id, read_by, read_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(grant_id)
    .bind(message_id)
    .bind(actor.audit_id())
    .bind(to_millis(now))
    .execute(&mut *tx)
    .await?;
    portico_audit::append(
        &mut tx,
        portico_audit::Event::new(&actor.audit_id(), "delivery.read_by_grant", message_id)
            .with(serde_json::json!({ "grant": grant_id })),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Messages others granted this actor (a person) access to, newest first (at most 100).
pub async fn shared_with(
    d: &Delivery,
    actor: &Actor,
) -> Result<Vec<crate::model::MessageSummary>, DeliveryError> {
    let reader = access::reader(&d.db, actor, d.now()).await?;
    let Some(personal_id) = reader.personal_id else {
        return Ok(Vec::new());
    };
    let rows: Vec<(String, String, String, String, i64, Option<String>)> = sqlx::query_as(
        "SELECT DISTINCT m.id, m.subject, s.display_name, s.identifier, r.delivered_at, m.application_id \
         FROM delivery_grants g JOIN delivery_recipients r ON r.mailbox_id = g.mailbox_id \
         JOIN delivery_messages m ON m.id = r.message_id \
         JOIN delivery_mailboxes s ON s.id = m.sender_mailbox_id \
         WHERE g.grantee_personal_id = $1 AND g.revoked_at IS NULL AND (g.ends_at IS NULL OR g.ends_at > $2) \
         AND (g.scope = 'mailbox' OR (g.scope = 'message' AND g.target_id = m.id) \
              OR (g.scope = 'thread' AND g.target_id = m.thread_id)) \
         ORDER BY r.delivered_at DESC, m.id DESC LIMIT 100",
    )
    .bind(&personal_id)
    .bind(to_millis(d.now()))
    .fetch_all(d.db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, subject, name, identifier, delivered, application_id)| {
                crate::model::MessageSummary {
                    id,
                    subject,
                    sender_name: if name.is_empty() { identifier } else { name },
                    delivered_at: from_millis(delivered),
                    opened_at: None,
                    application_id,
                    opened_by: None,
                    answered_by: None,
                }
            },
        )
        .collect())
}

/// What the grantee's e-mail needs: their personal identifier, the scope and the last day;
/// `None` once the grant is revoked. (Not whose mailbox: an e-mail is no place for that.)
pub async fn for_notice(
    d: &Delivery,
    grant_id: &str,
) -> Result<Option<(String, GrantScope, Option<NaiveDate>)>, DeliveryError> {
    let row: Option<(String, String, Option<i64>)> = sqlx::query_as(
        "SELECT grantee_personal_id, scope, ends_at FROM delivery_grants WHERE id = $1 AND revoked_at IS NULL",
    )
    .bind(grant_id)
    .fetch_optional(d.db.pool())
    .await?;
    Ok(row.map(|(grantee, scope, ends)| {
        (
            grantee,
            GrantScope::parse(&scope).unwrap_or(GrantScope::Message),
            ends.map(|e| last_day_of(from_millis(e))),
        )
    }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_grant_ends_at_the_midnight_after_its_last_day_in_sofia() {
        let winter = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        assert_eq!(end_of(winter).to_rfc3339(), "2026-12-03T22:00:00+00:00");
        let summer = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        assert_eq!(end_of(summer).to_rfc3339(), "2026-07-01T21:00:00+00:00");
        assert_eq!(last_day_of(end_of(winter)), winter);
        assert_eq!(last_day_of(end_of(summer)), summer);
    }
}
