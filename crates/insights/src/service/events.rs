//! Events as a side effect of the work. A block calls [`emit`] inside its own transaction: the
//! event goes into the job table (the outbox) and exists if and only if the change committed.
//! The job handler ([`EventJob`]) counts it with [`ingest`], once: the event's id is recorded in
//! the same transaction as the counts, so a replayed job or an event emitted twice changes
//! nothing. Insights never reads another block's tables.

use super::counters::{self, Key};
use super::Insights;
use crate::model::{Counts, Event, EventKind};
use crate::InsightsError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portico_core::calendar::{sofia_date, WorkingCalendar};
use portico_store::jobs::{self, JobHandler, NewJob};
use portico_store::{Db, StoreError, Tx};

/// Job kind: count one event.
pub const EVENT_JOB: &str = "insights.event";
/// Job kind: a draft's abandonment check, due [`ABANDON_AFTER_DAYS`] after it was started.
pub const ABANDON_JOB: &str = "insights.abandon";
/// A draft not submitted this many days after it was started counts as abandoned.
pub const ABANDON_AFTER_DAYS: i64 = 30;

/// Emits `event` in the caller's transaction (through the outbox). Wake the job worker after the
/// commit, as for any job. Fails only as the caller's own writes can (a storage error), so every
/// block can pass the error on with `?`.
pub async fn emit(tx: &mut Tx, event: &Event, now: DateTime<Utc>) -> Result<(), StoreError> {
    let payload =
        serde_json::to_value(event).map_err(|e| StoreError::Io(std::io::Error::other(e)))?;
    jobs::enqueue(tx, NewJob::now(EVENT_JOB, payload, now), now).await?;
    Ok(())
}

/// What one event adds to its day's counters, and how many working days a decision took.
pub fn counts_of(event: &Event) -> (Counts, Option<i64>) {
    let mut c = Counts::default();
    let mut days = None;
    match event.kind {
        EventKind::Started => c.started = 1,
        EventKind::Submitted => c.submitted = 1,
        EventKind::Withdrawn => c.withdrawn = 1,
        EventKind::Abandoned => c.abandoned = 1,
        EventKind::Paid => c.paid = 1,
        EventKind::Delivered => c.delivered = 1,
        EventKind::Opened => c.opened = 1,
        EventKind::Decided => {
            c.decided = 1;
            if event.outcome.as_deref() == Some("approved") {
                c.approved = 1;
            } else {
                c.refused = 1;
            }
            let decided_on = sofia_date(event.at);
            if let Some(submitted) = event.submitted_at.map(sofia_date) {
                let calendar = WorkingCalendar::bulgaria();
                let taken = calendar.working_days_between(submitted, decided_on).max(0);
                c.decision_days = taken;
                days = Some(taken);
                if let Some(deadline) = event.deadline {
                    c.deadline_days = calendar.working_days_between(submitted, deadline).max(0);
                }
            }
            if event.deadline.is_some_and(|d| decided_on > d) {
                c.overdue = 1;
            }
        }
    }
    (c, days)
}

/// Counts `event` inside `tx` unless it was counted before; says whether it was counted now.
pub async fn ingest_in(
    tx: &mut Tx,
    event: &Event,
    now: DateTime<Utc>,
) -> Result<bool, InsightsError> {
    let day = sofia_date(event.at);
    let fresh = sqlx::query(
        "INSERT INTO insights_seen (event_id, day) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING",
    )
    .bind(&event.id)
    .bind(day.format("%Y-%m-%d").to_string())
    .execute(&mut **tx)
    .await?;
    if fresh.rows_affected() == 0 {
        return Ok(false);
    }
    let key = Key {
        day,
        service_id: &event.service_id,
        channel: &event.channel,
        administration_id: &event.administration_id,
    };
    let (counts, days) = counts_of(event);
    counters::add(tx, key, &counts).await?;
    if let Some(days) = days {
        counters::add_decision_days(tx, key, days, 1).await?;
    }
    super::stored::mark(tx, &event.administration_id, &event.service_id, now).await?;
    match (event.kind, &event.subject_id) {
        (EventKind::Started, Some(subject)) => {
            let started = sqlx::query(
                "INSERT INTO insights_drafts (subject_id, service_id, administration_id, channel, state, started_on) \
                 VALUES ($1, $2, $3, $4, 'open', $5) ON CONFLICT (subject_id) DO NOTHING",
            )
            .bind(subject)
            .bind(&event.service_id)
            .bind(&event.administration_id)
            .bind(&event.channel)
            .bind(day.format("%Y-%m-%d").to_string())
            .execute(&mut **tx)
            .await?;
            if started.rows_affected() == 1 {
                let mut job = NewJob::now(
                    ABANDON_JOB,
                    serde_json::json!({ "subject_id": subject }),
                    now,
                );
                // From when it is counted, at the earliest: a backlog of events never makes the
                // check run before the draft's submission could have been counted.
                job.run_at = event.at.max(now) + chrono::Duration::days(ABANDON_AFTER_DAYS);
                jobs::enqueue(tx, job, now).await?;
            }
        }
        (EventKind::Submitted, Some(subject)) => {
            // Submitted before its start was counted (jobs may run out of order): the row says
            // so, and the start then adds no abandonment check.
            sqlx::query(
                "INSERT INTO insights_drafts (subject_id, service_id, administration_id, channel, state, started_on) \
                 VALUES ($1, $2, $3, $4, 'submitted', $5) ON CONFLICT (subject_id) DO UPDATE SET state = 'submitted'",
            )
            .bind(subject)
            .bind(&event.service_id)
            .bind(&event.administration_id)
            .bind(&event.channel)
            .bind(day.format("%Y-%m-%d").to_string())
            .execute(&mut **tx)
            .await?;
        }
        _ => {}
    }
    metrics::counter!("portico_insights_events_total", "kind" => event.kind.as_str()).increment(1);
    Ok(true)
}

/// Counts `event` in a transaction of its own (what the job does).
pub async fn ingest(db: &Db, event: &Event, now: DateTime<Utc>) -> Result<bool, InsightsError> {
    let mut tx = db.begin().await?;
    let counted = ingest_in(&mut tx, event, now).await?;
    tx.commit().await?;
    Ok(counted)
}

/// The draft's abandonment check: still open when it is due, it is counted as abandoned (on the
/// day of the check). Says whether it was.
pub async fn check_abandoned(ctx: &Insights, subject_id: &str) -> Result<bool, InsightsError> {
    let now = ctx.now();
    let mut tx = ctx.db.begin().await?;
    let row: Option<(String, String, String)> = sqlx::query_as(
        "SELECT service_id, administration_id, channel FROM insights_drafts WHERE subject_id = $1 AND state = 'open'",
    )
    .bind(subject_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((service_id, administration_id, channel)) = row else {
        return Ok(false);
    };
    let moved = sqlx::query(
        "UPDATE insights_drafts SET state = 'abandoned' WHERE subject_id = $1 AND state = 'open'",
    )
    .bind(subject_id)
    .execute(&mut *tx)
    .await?;
    if moved.rows_affected() != 1 {
        return Ok(false);
    }
    let event = Event::of(
        &format!("abandoned:{subject_id}"),
        EventKind::Abandoned,
        &service_id,
        &administration_id,
        now,
    )
    .on_channel(&channel);
    ingest_in(&mut tx, &event, now).await?;
    tx.commit().await?;
    Ok(true)
}

/// Counts the event a block emitted.
pub struct EventJob {
    pub insights: Insights,
}

#[async_trait]
impl JobHandler for EventJob {
    async fn run(&self, payload: &serde_json::Value) -> Result<(), String> {
        let event: Event = serde_json::from_value(payload.clone())
            .map_err(|e| format!("unreadable insights event: {e}"))?;
        ingest(&self.insights.db, &event, self.insights.now())
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// Counts a draft as abandoned when its check is due and it is still open.
pub struct AbandonJob {
    pub insights: Insights,
}

#[async_trait]
impl JobHandler for AbandonJob {
    async fn run(&self, payload: &serde_json::Value) -> Result<(), String> {
        let subject = payload
            .get("subject_id")
            .and_then(|v| v.as_str())
            .unwrap_or("");
        check_abandoned(&self.insights, subject)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}
