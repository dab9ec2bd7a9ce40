//! A history of counters written directly (not by replaying events): the demo's year of
//! realistic figures, and the benchmark's millions of events. Each day of each service gets what
//! a day of real work adds — drafts started (fewer at weekends and on holidays), most of them
//! submitted, decisions spread around the legal deadline (a few late), fees paid, results
//! delivered and opened, ratings — and each month the counter and post figures an administration
//! would enter, falling as take-up grows. Deterministic: the same seed writes the same history.

use super::counters::{self, Key};
use crate::model::{Counts, ONLINE};
use crate::InsightsError;
use chrono::NaiveDate;
use portico_core::calendar::WorkingCalendar;
use portico_store::Db;
use rand::{Rng, SeedableRng};

/// One service to write a history for.
#[derive(Debug, Clone)]
pub struct HistoryService {
    pub service_id: String,
    pub administration_id: String,
    pub deadline_working_days: u32,
    /// Drafts started on an ordinary working day, at the end of the period.
    pub daily_starts: f64,
    /// Whether it has a fee (payments are counted).
    pub paid: bool,
}

/// Whether a history exists for this service already (the demo seeds once).
pub async fn has_history(db: &Db, service_id: &str) -> Result<bool, InsightsError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT month FROM insights_monthly WHERE service_id = $1 LIMIT 1")
            .bind(service_id)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.is_some())
}

fn poisson_like(rng: &mut impl Rng, mean: f64) -> i64 {
    // Normal approximation, good enough for counts above a few; never negative.
    if mean <= 0.0 {
        return 0;
    }
    let u1: f64 = rng.gen_range(f64::EPSILON..1.0);
    let u2: f64 = rng.gen_range(0.0..1.0);
    let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
    (mean + z * mean.sqrt()).round().max(0.0) as i64
}

/// Writes `days` days of history ending `today` for each service; returns the number of events
/// the counters stand for.
pub async fn generate(
    db: &Db,
    services: &[HistoryService],
    today: NaiveDate,
    days: i64,
    seed: u64,
) -> Result<u64, InsightsError> {
    let calendar = WorkingCalendar::bulgaria();
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut events: u64 = 0;
    for s in services {
        let mut tx = db.begin().await?;
        let mut month_submitted: std::collections::BTreeMap<String, i64> = Default::default();
        for back in (0..days).rev() {
            let Some(day) = today.checked_sub_days(chrono::Days::new(back as u64)) else {
                continue;
            };
            // Take-up grows through the year: from 55 % of today's level to all of it.
            let growth = 0.55 + 0.45 * (1.0 - back as f64 / days.max(1) as f64);
            let mean = if calendar.is_working_day(day) {
                s.daily_starts * growth
            } else {
                s.daily_starts * growth * 0.15
            };
            let started = poisson_like(&mut rng, mean);
            if started == 0 {
                continue;
            }
            let submitted = (started as f64 * rng.gen_range(0.72..0.9)).round() as i64;
            let withdrawn = (submitted as f64 * 0.02).round() as i64;
            let decided = (submitted - withdrawn).max(0);
            let approved = (decided as f64 * rng.gen_range(0.86..0.96)).round() as i64;
            let deadline = i64::from(s.deadline_working_days.max(1));
            let key = Key {
                day,
                service_id: &s.service_id,
                channel: ONLINE,
                administration_id: &s.administration_id,
            };
            let mut histogram: std::collections::BTreeMap<i64, i64> = Default::default();
            let mut overdue = 0;
            let mut decision_days = 0;
            for _ in 0..decided {
                // Most within the deadline, about 6 % beyond it.
                let d = if rng.gen_bool(0.06) {
                    deadline + rng.gen_range(1..=deadline.max(2))
                } else {
                    let centre = deadline as f64 * 0.45;
                    (centre + rng.gen_range(-1.0..1.0) * centre * 0.8)
                        .round()
                        .clamp(0.0, deadline as f64) as i64
                };
                if d > deadline {
                    overdue += 1;
                }
                decision_days += d;
                *histogram.entry(d).or_default() += 1;
            }
            let delivered = (approved as f64 * 0.93).round() as i64;
            let opened = (delivered as f64 * 0.88).round() as i64;
            let ratings = (submitted as f64 * 0.12).round() as i64;
            let mut rating_sum = 0;
            let mut satisfied = 0;
            for _ in 0..ratings {
                let r: i64 = match rng.gen_range(0..100) {
                    0..=44 => 5,
                    45..=74 => 4,
                    75..=86 => 3,
                    87..=94 => 2,
                    _ => 1,
                };
                rating_sum += r;
                satisfied += i64::from(r >= 4);
            }
            let paid = if s.paid {
                (submitted as f64 * 0.97).round() as i64
            } else {
                0
            };
            let counts = Counts {
                started,
                submitted,
                decided,
                approved,
                refused: decided - approved,
                withdrawn,
                abandoned: (started - submitted).max(0),
                overdue,
                decision_days,
                deadline_days: deadline * decided,
                paid,
                delivered,
                opened,
                ratings,
                rating_sum,
                satisfied,
            };
            counters::add(&mut tx, key, &counts).await?;
            for (d, n) in histogram {
                counters::add_decision_days(&mut tx, key, d, n).await?;
            }
            *month_submitted.entry(counters::month_of(day)).or_default() += submitted;
            events += (started + submitted + decided + withdrawn + paid + delivered + opened).max(0)
                as u64;
        }
        // What the counters and the post took each month: more than online at the start of the
        // year, a third of it at the end; and what the service cost.
        let months = month_submitted.len().max(1) as f64;
        for (i, (month, online)) in month_submitted.iter().enumerate() {
            let share_offline = 1.1 - 0.75 * (i as f64 / months);
            let offline = (*online as f64 * share_offline).round() as i64;
            let post = (offline as f64 * 0.15).round() as i64;
            let counter = offline - post;
            let cost_minor = (counter * 900 + post * 1400 + online * 250 + 150_000).max(0);
            sqlx::query(
                "INSERT INTO insights_figures (administration_id, service_id, month, counter_count, post_count, cost_minor, \
                 currency, entered_by, entered_at) VALUES ($1, $2, $3, $4, $5, $6, 'EUR', 'system:demo', 0) \
                 ON CONFLICT (administration_id, service_id, month) DO NOTHING",
            )
            .bind(&s.administration_id)
            .bind(&s.service_id)
            .bind(month)
            .bind(counter)
            .bind(post)
            .bind(cost_minor)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
    }
    Ok(events)
}

/// The demo's year of history: every published service that has none yet gets 365 days, its
/// volume from the population its administration serves. Returns the events it stands for.
pub async fn seed_demo(db: &Db, today: NaiveDate) -> Result<u64, InsightsError> {
    let mut services = Vec::new();
    for s in portico_catalog::service::list_published(db).await? {
        if has_history(db, &s.id).await? {
            continue;
        }
        let population = s.population.unwrap_or(20_000) as f64;
        services.push(HistoryService {
            daily_starts: (population / 25_000.0).clamp(0.6, 40.0),
            paid: s.facts.fee.minor > 0,
            deadline_working_days: s.facts.deadline_working_days,
            administration_id: s.administration_id,
            service_id: s.id,
        });
    }
    generate(db, &services, today, 365, 2026).await
}

/// What [`bench_history`] wrote.
#[derive(Debug, Clone, Copy)]
pub struct BenchHistory {
    pub services: usize,
    pub events: u64,
    pub seconds: f64,
}

/// Counters standing for about `events` events over the last year, spread over every published
/// service (for bench/insights.sh). Writes through the same counter functions as the job does.
pub async fn bench_history(
    db: &Db,
    today: NaiveDate,
    events: u64,
) -> Result<BenchHistory, InsightsError> {
    let started = std::time::Instant::now();
    let published = portico_catalog::service::list_published(db).await?;
    let n = published.len().max(1) as f64;
    // About 4.3 events per draft started, and weekends and holidays at 15 %: ~260 working days.
    let per_service_day = events as f64 / (4.3 * n * 265.0);
    let services: Vec<HistoryService> = published
        .into_iter()
        .map(|s| HistoryService {
            daily_starts: per_service_day,
            paid: s.facts.fee.minor > 0,
            deadline_working_days: s.facts.deadline_working_days,
            administration_id: s.administration_id,
            service_id: s.id,
        })
        .collect();
    let written = generate(db, &services, today, 365, 7).await?;
    Ok(BenchHistory {
        services: services.len(),
        events: written,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// What [`bench_ingest`] measured.
#[derive(Debug, Clone, Copy)]
pub struct BenchIngest {
    pub events: usize,
    /// Emitting each event in a transaction of its own, as a block does (the outbox write).
    pub emit_seconds: f64,
    /// The job worker counting them (lease, count, complete), with the insights handlers only.
    pub count_seconds: f64,
}

/// Emits `n` events through the outbox, then lets a job worker count them all; times both.
pub async fn bench_ingest(ctx: &super::Insights, n: usize) -> Result<BenchIngest, InsightsError> {
    use super::events::{self, AbandonJob, EventJob, ABANDON_JOB, EVENT_JOB};
    use crate::model::{Event, EventKind};
    use std::sync::Arc;
    let services = portico_catalog::service::list_published(&ctx.db).await?;
    let services: Vec<_> = services.into_iter().take(200).collect();
    if services.is_empty() {
        return Err(InsightsError::Internal("no published services".into()));
    }
    let now = ctx.now();
    let run = portico_core::new_id();
    let started = std::time::Instant::now();
    for i in 0..n {
        let s = &services[i % services.len()];
        let at = now - chrono::Duration::days((i % 365) as i64);
        let kind = match i % 3 {
            0 => EventKind::Started,
            1 => EventKind::Submitted,
            _ => EventKind::Decided,
        };
        let mut e = Event::of(
            &format!("bench:{run}:{i}"),
            kind,
            &s.id,
            &s.administration_id,
            at,
        );
        if kind == EventKind::Decided {
            e = e.decision(
                if i % 7 == 0 { "refused" } else { "approved" },
                at - chrono::Duration::days((i % 20) as i64),
                Some(portico_core::calendar::sofia_date(at)),
            );
        }
        let mut tx = ctx.db.begin().await?;
        events::emit(&mut tx, &e, now).await?;
        tx.commit().await?;
    }
    let emit_seconds = started.elapsed().as_secs_f64();
    let mut handlers: std::collections::HashMap<String, Arc<dyn portico_store::jobs::JobHandler>> =
        Default::default();
    handlers.insert(
        EVENT_JOB.to_owned(),
        Arc::new(EventJob {
            insights: ctx.clone(),
        }),
    );
    handlers.insert(
        ABANDON_JOB.to_owned(),
        Arc::new(AbandonJob {
            insights: ctx.clone(),
        }),
    );
    handlers.insert(
        super::stored::REFRESH_JOB.to_owned(),
        Arc::new(super::stored::RefreshJob {
            insights: ctx.clone(),
        }),
    );
    let worker = portico_store::jobs::Worker::new(ctx.db.clone(), ctx.clock.clone(), handlers);
    let started = std::time::Instant::now();
    loop {
        if worker.drain().await? == 0 {
            break;
        }
    }
    let count_seconds = started.elapsed().as_secs_f64();
    // What the queued recompute would do a moment later, so that the dashboard served next
    // shows these events.
    super::stored::refresh(ctx).await?;
    Ok(BenchIngest {
        events: n,
        emit_seconds,
        count_seconds,
    })
}
