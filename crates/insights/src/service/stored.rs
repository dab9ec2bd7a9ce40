//! The dashboard's figures, computed when the counters change and stored, so that a page reads a
//! few rows whatever the number of events and services (see docs/insights.md, "Stored figures").
//!
//! Every change to what the figures are made of (an event counted, a rating, figures entered,
//! an inquiry asked or answered) calls [`mark`] in its own transaction: its administration and
//! service are marked dirty, and the first change after a recompute queues [`REFRESH_JOB`]
//! [`REFRESH_AFTER_SECONDS`] later. The job ([`refresh`]) recomputes the dirty services and
//! administrations from the counters and the platform from the stored administrations, at most
//! once per that delay however many events arrive. When the Sofia day changes (the twelve months
//! shown move, an unanswered inquiry becomes late) it recomputes everything.

use super::kpis::{self, By, Parts};
use super::Insights;
use crate::model::{Kpis, Scope};
use crate::InsightsError;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use portico_store::jobs::{self, JobHandler, NewJob};
use portico_store::{Db, Tx};
use std::collections::{BTreeMap, BTreeSet};

/// Job kind: recompute the dirty scopes.
pub const REFRESH_JOB: &str = "insights.refresh";
/// How long after the first change the recompute runs: every change within it is taken together.
pub const REFRESH_AFTER_SECONDS: i64 = 2;

const PLATFORM: &str = "platform";
const ADMINISTRATION: &str = "administration";
const SERVICE: &str = "service";
const TOTAL: &str = "total";

/// Marks the administration and the service (`""` for none) dirty inside the change's
/// transaction, and queues a recompute if none is queued. Two conflict checks when one is.
pub async fn mark(
    tx: &mut Tx,
    administration_id: &str,
    service_id: &str,
    now: DateTime<Utc>,
) -> Result<(), InsightsError> {
    sqlx::query(
        "INSERT INTO insights_dirty (administration_id, service_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(administration_id)
    .bind(service_id)
    .execute(&mut **tx)
    .await?;
    let due = sqlx::query(
        "INSERT INTO insights_refresh_due (id, at) VALUES (1, $1) ON CONFLICT DO NOTHING",
    )
    .bind(now.timestamp_millis())
    .execute(&mut **tx)
    .await?;
    if due.rows_affected() == 1 {
        let mut job = NewJob::now(REFRESH_JOB, serde_json::json!({}), now);
        job.run_at = now + chrono::Duration::seconds(REFRESH_AFTER_SECONDS);
        jobs::enqueue(tx, job, now).await?;
    }
    Ok(())
}

/// Queues a recompute now (a page that finds the figures of another day asks for one).
pub async fn request(ctx: &Insights) -> Result<(), InsightsError> {
    let now = ctx.now();
    let mut tx = ctx.db.begin().await?;
    jobs::enqueue(
        &mut tx,
        NewJob::now(REFRESH_JOB, serde_json::json!({}), now),
        now,
    )
    .await?;
    tx.commit().await?;
    ctx.jobs_waker.notify_one();
    Ok(())
}

/// What the stored figures are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    /// The Sofia day they were computed for.
    pub as_of: NaiveDate,
    /// The months shown, oldest first.
    pub months: Vec<String>,
    pub generation: i64,
}

pub async fn state(db: &Db) -> Result<Option<State>, InsightsError> {
    let row: Option<(String, String, String, i64)> = sqlx::query_as(
        "SELECT as_of, window_from, window_to, generation FROM insights_refresh_state WHERE id = 1",
    )
    .fetch_optional(db.pool())
    .await?;
    let Some((as_of, from, to, generation)) = row else {
        return Ok(None);
    };
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    let (Some(as_of), Some(from), Some(to)) = (
        day(&as_of),
        day(&format!("{from}-01")),
        day(&format!("{to}-01")),
    ) else {
        return Ok(None);
    };
    Ok(Some(State {
        as_of,
        months: kpis::months_between(from, to),
        generation,
    }))
}

/// What one recompute did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refreshed {
    /// Everything was recomputed (a new day, or nothing stored yet).
    pub full: bool,
    pub services: usize,
    pub administrations: usize,
}

/// Recomputes the dirty scopes (everything on a new day) and stores them. One at a time per
/// node; two nodes at once write the same rows by upsert, each from the counters it read.
pub async fn refresh(ctx: &Insights) -> Result<Refreshed, InsightsError> {
    refresh_with(ctx, false).await
}

/// Recomputes everything: after history was written straight into the counters (the demo's
/// year, the benchmark's), which marks nothing.
pub async fn refresh_everything(ctx: &Insights) -> Result<Refreshed, InsightsError> {
    refresh_with(ctx, true).await
}

async fn refresh_with(ctx: &Insights, everything: bool) -> Result<Refreshed, InsightsError> {
    let _one_at_a_time = ctx.refresh_lock.lock().await;
    let today = ctx.today();
    let full = everything || state(&ctx.db).await?.is_none_or(|s| s.as_of != today);
    let marks = take_marks(&ctx.db).await?;
    if !full && marks.is_empty() {
        return Ok(Refreshed::default());
    }
    let done = recompute(&ctx.db, today, full, &marks, ctx.now()).await;
    if done.is_err() {
        // The marks were taken in a transaction of their own (so that changes never wait for a
        // recompute): put them back for the job's next attempt.
        let mut tx = ctx.db.begin().await?;
        for (administration, service) in &marks {
            sqlx::query(
                "INSERT INTO insights_dirty (administration_id, service_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(administration)
            .bind(service)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
    }
    done
}

/// Takes the dirty marks and the queued-recompute row: a change after this queues the next.
async fn take_marks(db: &Db) -> Result<BTreeSet<(String, String)>, InsightsError> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM insights_refresh_due")
        .execute(&mut *tx)
        .await?;
    let rows: Vec<(String, String)> =
        sqlx::query_as("DELETE FROM insights_dirty RETURNING administration_id, service_id")
            .fetch_all(&mut *tx)
            .await?;
    tx.commit().await?;
    Ok(rows.into_iter().collect())
}

async fn recompute(
    db: &Db,
    today: NaiveDate,
    full: bool,
    marks: &BTreeSet<(String, String)>,
    now: DateTime<Utc>,
) -> Result<Refreshed, InsightsError> {
    let months = kpis::last_year(today);
    let (Some(from), Some(to)) = (months.first(), months.last()) else {
        return Ok(Refreshed::default());
    };
    let services: Vec<String> = marks
        .iter()
        .map(|(_, s)| s.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let administrations: Vec<String> = marks
        .iter()
        .map(|(a, _)| a.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let (service_ids, administration_ids) = if full {
        (None, None)
    } else {
        (Some(services.as_slice()), Some(administrations.as_slice()))
    };
    let by_service = kpis::parts_by_month(db, By::Service, service_ids, from, to, today).await?;
    let by_administration =
        kpis::parts_by_month(db, By::Administration, administration_ids, from, to, today).await?;

    let mut tx = db.begin().await?;
    if full {
        sqlx::query("DELETE FROM insights_stored")
            .execute(&mut *tx)
            .await?;
    }
    // Always in the same order (services, administrations, the platform; each by id), so that
    // two recomputes at once never wait for each other in a cycle.
    let services_written =
        write_scopes(&mut tx, SERVICE, &by_service, (!full).then_some(&services)).await?;
    let administrations_written = write_scopes(
        &mut tx,
        ADMINISTRATION,
        &by_administration,
        (!full).then_some(&administrations),
    )
    .await?;
    let written = Refreshed {
        full,
        services: services_written,
        administrations: administrations_written,
    };
    // The platform is the sum of its administrations (every counted row, inquiry and entered
    // figure belongs to one), read back from what is stored: no scan of the counters.
    let stored: Vec<(String, String)> = sqlx::query_as(
        "SELECT period, parts FROM insights_stored WHERE scope = $1 AND period <> $2",
    )
    .bind(ADMINISTRATION)
    .bind(TOTAL)
    .fetch_all(&mut *tx)
    .await?;
    let mut platform: BTreeMap<String, Parts> = BTreeMap::new();
    for (month, parts) in stored {
        platform.entry(month).or_default().add(&decode(&parts)?);
    }
    write_scope(&mut tx, PLATFORM, "", Some(&platform), full).await?;

    sqlx::query(
        "INSERT INTO insights_refresh_state (id, as_of, window_from, window_to, generation, refreshed_at) \
         VALUES (1, $1, $2, $3, 1, $4) ON CONFLICT (id) DO UPDATE SET as_of = excluded.as_of, \
         window_from = excluded.window_from, window_to = excluded.window_to, \
         generation = insights_refresh_state.generation + 1, refreshed_at = excluded.refreshed_at",
    )
    .bind(today.format("%Y-%m-%d").to_string())
    .bind(from)
    .bind(to)
    .bind(now.timestamp_millis())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(written)
}

fn decode(parts: &str) -> Result<Parts, InsightsError> {
    serde_json::from_str(parts).map_err(|e| InsightsError::Internal(format!("stored figures: {e}")))
}

fn encode(parts: &Parts) -> Result<String, InsightsError> {
    serde_json::to_string(parts)
        .map_err(|e| InsightsError::Internal(format!("stored figures: {e}")))
}

/// Writes the scopes of one kind: the marked ones (a marked one with nothing counted loses its
/// rows), or, after everything was deleted (`marked` is `None`), every one computed. Says how many.
async fn write_scopes(
    tx: &mut Tx,
    scope: &str,
    computed: &BTreeMap<String, BTreeMap<String, Parts>>,
    marked: Option<&Vec<String>>,
) -> Result<usize, InsightsError> {
    let ids: Vec<&String> = match marked {
        Some(ids) => ids.iter().collect(),
        None => computed.keys().collect(),
    };
    for id in &ids {
        write_scope(tx, scope, id, computed.get(*id), marked.is_none()).await?;
    }
    Ok(ids.len())
}

/// Replaces one scope's rows: a row per month with anything in it, and the total.
async fn write_scope(
    tx: &mut Tx,
    scope: &str,
    id: &str,
    by_month: Option<&BTreeMap<String, Parts>>,
    all_deleted: bool,
) -> Result<(), InsightsError> {
    if !all_deleted {
        sqlx::query("DELETE FROM insights_stored WHERE scope = $1 AND scope_id = $2")
            .bind(scope)
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    let Some(by_month) = by_month else {
        return Ok(());
    };
    let mut total = Parts::default();
    let mut rows = Vec::with_capacity(by_month.len() + 1);
    for (month, parts) in by_month {
        total.add(parts);
        rows.push((month.as_str(), encode(parts)?));
    }
    rows.push((TOTAL, encode(&total)?));
    for (period, parts) in rows {
        // An upsert: another node's recompute may have written the row since the delete.
        sqlx::query(
            "INSERT INTO insights_stored (scope, scope_id, period, parts) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (scope, scope_id, period) DO UPDATE SET parts = excluded.parts",
        )
        .bind(scope)
        .bind(id)
        .bind(period)
        .bind(parts)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

fn scope_key(scope: &Scope) -> (&'static str, &str) {
    match scope {
        Scope::Platform => (PLATFORM, ""),
        Scope::Administration(id) => (ADMINISTRATION, id),
        Scope::Service(id) => (SERVICE, id),
    }
}

/// A scope's stored KPIs month by month over the stored months (each month present, empty ones
/// too) and over all of them: what [`kpis::series`] computes from the counters.
pub async fn series(
    db: &Db,
    state: &State,
    scope: &Scope,
) -> Result<(Vec<Kpis>, Kpis), InsightsError> {
    let (kind, id) = scope_key(scope);
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT period, parts FROM insights_stored WHERE scope = $1 AND scope_id = $2",
    )
    .bind(kind)
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    let mut stored: BTreeMap<String, Parts> = BTreeMap::new();
    for (period, parts) in rows {
        stored.insert(period, decode(&parts)?);
    }
    let label = total_label(&state.months);
    let months = state
        .months
        .iter()
        .map(|m| kpis::kpis(m, stored.get(m).unwrap_or(&Parts::default())))
        .collect();
    let total = kpis::kpis(&label, stored.get(TOTAL).unwrap_or(&Parts::default()));
    Ok((months, total))
}

fn total_label(months: &[String]) -> String {
    match (months.first(), months.last()) {
        (Some(from), Some(to)) => format!("{from}/{to}"),
        _ => String::new(),
    }
}

/// The stored KPIs over the stored months of each administration (or service) in `ids`: what
/// [`kpis::grouped`] computes from the counters. An id with nothing counted is left out.
pub async fn totals(
    db: &Db,
    state: &State,
    by: By,
    ids: &[String],
) -> Result<BTreeMap<String, Kpis>, InsightsError> {
    let kind = match by {
        By::Administration => ADMINISTRATION,
        By::Service => SERVICE,
        By::Month => PLATFORM,
    };
    let label = total_label(&state.months);
    let mut out = BTreeMap::new();
    for chunk in ids.chunks(500) {
        let params: Vec<String> = (3..3 + chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT scope_id, parts FROM insights_stored WHERE scope = $1 AND period = $2 AND scope_id IN ({})",
            params.join(", ")
        );
        let mut q = sqlx::query_as::<_, (String, String)>(&sql)
            .bind(kind)
            .bind(TOTAL);
        for id in chunk {
            q = q.bind(id);
        }
        for (id, parts) in q.fetch_all(db.pool()).await? {
            out.insert(id, kpis::kpis(&label, &decode(&parts)?));
        }
    }
    Ok(out)
}

/// Recomputes the dirty scopes.
pub struct RefreshJob {
    pub insights: Insights,
}

#[async_trait]
impl JobHandler for RefreshJob {
    async fn run(&self, _payload: &serde_json::Value) -> Result<(), String> {
        refresh(&self.insights)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    // Everything, once a day, reads every service's twelve months.
    fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(300)
    }
}
