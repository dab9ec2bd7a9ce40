//! The job queue that several nodes share.
//!
//! - A job is *leased*: a worker claims it until `locked_until`. Claiming is one conditional
//!   `UPDATE`, so two workers can never hold the same job at once (on PostgreSQL the second
//!   `UPDATE` re-checks the condition after the first commits, and finds it false).
//! - A worker that crashes simply lets its lease run out; another worker then takes the job again.
//! - A failed job is retried with exponential backoff until `max_attempts`, then marked `dead`.
//! - Only the worker that holds the lease can finish or fail the job.

use crate::{Db, StoreError, Tx};
use chrono::{DateTime, Duration, Utc};
use portico_core::clock::{from_millis, to_millis};
use portico_core::{new_id, Clock};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::Notify;

#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: String,
    pub payload: serde_json::Value,
    pub run_at: DateTime<Utc>,
    pub max_attempts: i64,
}

impl NewJob {
    pub fn now(kind: &str, payload: serde_json::Value, now: DateTime<Utc>) -> Self {
        Self {
            kind: kind.to_owned(),
            payload,
            run_at: now,
            max_attempts: 8,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Job {
    pub id: String,
    pub kind: String,
    pub payload: serde_json::Value,
    pub attempts: i64,
    pub max_attempts: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobStatus {
    pub status: String,
    pub attempts: i64,
    pub run_at: DateTime<Utc>,
    pub last_error: Option<String>,
}

/// Adds a job inside the caller's transaction (the outbox): it becomes visible only if that
/// transaction commits.
pub async fn enqueue(tx: &mut Tx, job: NewJob, now: DateTime<Utc>) -> Result<String, StoreError> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO jobs (id, kind, payload, status, attempts, max_attempts, run_at, created_at)
         VALUES ($1, $2, $3, 'pending', 0, $4, $5, $6)",
    )
    .bind(&id)
    .bind(&job.kind)
    .bind(job.payload.to_string())
    .bind(job.max_attempts)
    .bind(to_millis(job.run_at))
    .bind(to_millis(now))
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Claims the oldest due job for `worker` until `now + lease`, if there is one.
pub async fn lease(
    db: &Db,
    worker: &str,
    now: DateTime<Utc>,
    lease: Duration,
) -> Result<Option<Job>, StoreError> {
    let now_ms = to_millis(now);
    // A few tries: when another node wins the race for the same row, take the next one.
    for _ in 0..3 {
        let candidate: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM jobs
             WHERE status = 'pending' AND run_at <= $1
               AND (locked_until IS NULL OR locked_until < $1)
             ORDER BY run_at LIMIT 1",
        )
        .bind(now_ms)
        .fetch_optional(db.pool())
        .await?;
        let Some((id,)) = candidate else {
            return Ok(None);
        };
        let claimed: Option<(String, String, i64, i64)> = sqlx::query_as(
            "UPDATE jobs SET locked_by = $1, locked_until = $2, attempts = attempts + 1
             WHERE id = $3 AND status = 'pending' AND run_at <= $4
               AND (locked_until IS NULL OR locked_until < $4)
             RETURNING kind, payload, attempts, max_attempts",
        )
        .bind(worker)
        .bind(to_millis(now + lease))
        .bind(&id)
        .bind(now_ms)
        .fetch_optional(db.writer())
        .await?;
        if let Some((kind, payload, attempts, max_attempts)) = claimed {
            let payload = serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null);
            return Ok(Some(Job {
                id,
                kind,
                payload,
                attempts,
                max_attempts,
            }));
        }
    }
    Ok(None)
}

/// Marks a leased job done and clears its payload (it may carry a one-time link or code that
/// must not outlive its delivery). Returns false if `worker` no longer holds the lease.
pub async fn complete(
    db: &Db,
    job: &Job,
    worker: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE jobs SET status = 'done', payload = '{}', finished_at = $1, locked_by = NULL, locked_until = NULL
         WHERE id = $2 AND locked_by = $3 AND status = 'pending'",
    )
    .bind(to_millis(now))
    .bind(&job.id)
    .bind(worker)
    .execute(db.writer())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The wait before the next try: 2, 4, 8 … seconds, at most an hour.
pub fn backoff(attempts: i64) -> Duration {
    let exp = attempts.clamp(1, 12) as u32;
    Duration::seconds((2i64.pow(exp)).min(3600))
}

/// Records a failure: the job is tried again after a backoff, or marked dead after its last try.
pub async fn fail(
    db: &Db,
    job: &Job,
    worker: &str,
    error: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let dead = job.attempts >= job.max_attempts;
    let status = if dead { "dead" } else { "pending" };
    let run_at = now + backoff(job.attempts);
    let result = sqlx::query(
        "UPDATE jobs SET status = $1, run_at = $2, last_error = $3, locked_by = NULL, locked_until = NULL,
                finished_at = CASE WHEN $1 = 'dead' THEN $4 ELSE NULL END
         WHERE id = $5 AND locked_by = $6 AND status = 'pending'",
    )
    .bind(status)
    .bind(to_millis(run_at))
    .bind(error)
    .bind(to_millis(now))
    .bind(&job.id)
    .bind(worker)
    .execute(db.writer())
    .await?;
    Ok(result.rows_affected() == 1)
}

pub async fn status(db: &Db, id: &str) -> Result<Option<JobStatus>, StoreError> {
    let row: Option<(String, i64, i64, Option<String>)> =
        sqlx::query_as("SELECT status, attempts, run_at, last_error FROM jobs WHERE id = $1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.map(|(status, attempts, run_at, last_error)| JobStatus {
        status,
        attempts,
        run_at: from_millis(run_at),
        last_error,
    }))
}

/// Counts jobs by status, for `/metrics` and the operator's view.
pub async fn count_by_status(db: &Db) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(
        sqlx::query_as("SELECT status, COUNT(*) FROM jobs GROUP BY status ORDER BY status")
            .fetch_all(db.pool())
            .await?,
    )
}

/// What a block registers to do the work of one job kind.
#[async_trait::async_trait]
pub trait JobHandler: Send + Sync + 'static {
    async fn run(&self, payload: &serde_json::Value) -> Result<(), String>;
}

/// Runs jobs in the background of a `portico serve` node.
#[derive(Clone)]
pub struct Worker {
    db: Db,
    clock: Arc<dyn Clock>,
    id: String,
    handlers: Arc<HashMap<String, Arc<dyn JobHandler>>>,
    wake: Arc<Notify>,
    lease: Duration,
}

impl Worker {
    pub fn new(
        db: Db,
        clock: Arc<dyn Clock>,
        handlers: HashMap<String, Arc<dyn JobHandler>>,
    ) -> Self {
        Self::with_waker(db, clock, handlers, Arc::new(Notify::new()))
    }

    /// A worker woken through a handle made before it (the blocks that enqueue work are built
    /// before the worker that runs it).
    pub fn with_waker(
        db: Db,
        clock: Arc<dyn Clock>,
        handlers: HashMap<String, Arc<dyn JobHandler>>,
        wake: Arc<Notify>,
    ) -> Self {
        Self {
            db,
            clock,
            id: format!("worker-{}", new_id()),
            handlers: Arc::new(handlers),
            wake,
            lease: Duration::seconds(60),
        }
    }

    /// A handle that wakes the worker at once after a commit that enqueued work, so a one-time
    /// link does not wait for the next poll.
    pub fn waker(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// Runs every due job, then returns how many it ran. Used by the loop and by tests.
    pub async fn drain(&self) -> Result<usize, StoreError> {
        let mut ran = 0;
        while let Some(job) = lease(&self.db, &self.id, self.clock.now(), self.lease).await? {
            ran += 1;
            let outcome = match self.handlers.get(&job.kind) {
                Some(handler) => handler.run(&job.payload).await,
                None => Err(format!("no handler for job kind {}", job.kind)),
            };
            match outcome {
                Ok(()) => {
                    complete(&self.db, &job, &self.id, self.clock.now()).await?;
                }
                Err(error) => {
                    tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempts, %error, "job failed");
                    fail(&self.db, &job, &self.id, &error, self.clock.now()).await?;
                }
            }
        }
        Ok(ran)
    }

    /// Polls for due jobs until the process ends.
    pub async fn run_forever(self, poll: std::time::Duration) {
        loop {
            if let Err(error) = self.drain().await {
                tracing::error!(%error, "job worker could not reach the database");
            }
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(poll) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::testdb;
    use portico_core::FixedClock;
    use std::sync::atomic::{AtomicUsize, Ordering};

    async fn db() -> testdb::TestDb {
        testdb::fresh(&[crate::MIGRATIONS]).await.unwrap()
    }

    async fn enqueue_one(db: &Db, now: DateTime<Utc>, max_attempts: i64) -> String {
        let mut tx = db.begin().await.unwrap();
        let job = NewJob {
            max_attempts,
            ..NewJob::now("test", serde_json::json!({"n": 1}), now)
        };
        let id = enqueue(&mut tx, job, now).await.unwrap();
        tx.commit().await.unwrap();
        id
    }

    #[tokio::test]
    async fn a_rolled_back_transaction_leaves_no_job() {
        let t = db().await;
        let now = Utc::now();
        let mut tx = t.db.begin().await.unwrap();
        enqueue(
            &mut tx,
            NewJob::now("test", serde_json::json!({}), now),
            now,
        )
        .await
        .unwrap();
        tx.rollback().await.unwrap();
        assert!(lease(&t.db, "w1", now, Duration::seconds(30))
            .await
            .unwrap()
            .is_none());
    }

    #[tokio::test]
    async fn a_leased_job_is_not_given_to_a_second_worker() {
        let t = db().await;
        let now = Utc::now();
        enqueue_one(&t.db, now, 3).await;
        let first = lease(&t.db, "w1", now, Duration::seconds(30))
            .await
            .unwrap();
        assert!(first.is_some());
        assert!(lease(&t.db, "w2", now, Duration::seconds(30))
            .await
            .unwrap()
            .is_none());
    }

    #[tokio::test]
    async fn concurrent_workers_never_share_a_job() {
        let t = db().await;
        let now = Utc::now();
        for _ in 0..20 {
            enqueue_one(&t.db, now, 3).await;
        }
        let mut handles = Vec::new();
        for w in 0..4 {
            let db = t.db.clone();
            handles.push(tokio::spawn(async move {
                let mut got = Vec::new();
                while let Some(job) = lease(&db, &format!("w{w}"), now, Duration::seconds(30))
                    .await
                    .unwrap()
                {
                    got.push(job.id);
                }
                got
            }));
        }
        let mut all = Vec::new();
        for h in handles {
            all.extend(h.await.unwrap());
        }
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), n, "a job was leased twice");
        assert_eq!(n, 20);
    }

    #[tokio::test]
    async fn a_crashed_workers_job_is_taken_again_after_its_lease() {
        let t = db().await;
        let now = Utc::now();
        let id = enqueue_one(&t.db, now, 3).await;
        let crashed = lease(&t.db, "w1", now, Duration::seconds(30))
            .await
            .unwrap()
            .unwrap();
        let later = now + Duration::seconds(31);
        let retaken = lease(&t.db, "w2", later, Duration::seconds(30))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(retaken.id, id);
        assert_eq!(retaken.attempts, 2);
        // The crashed worker comes back: its completion is refused, the new holder's is not.
        assert!(!complete(&t.db, &crashed, "w1", later).await.unwrap());
        assert!(complete(&t.db, &retaken, "w2", later).await.unwrap());
        assert_eq!(status(&t.db, &id).await.unwrap().unwrap().status, "done");
    }

    #[tokio::test]
    async fn failures_back_off_then_the_job_dies() {
        let t = db().await;
        let now = Utc::now();
        let id = enqueue_one(&t.db, now, 2).await;
        let job = lease(&t.db, "w1", now, Duration::seconds(30))
            .await
            .unwrap()
            .unwrap();
        fail(&t.db, &job, "w1", "smtp down", now).await.unwrap();
        let s = status(&t.db, &id).await.unwrap().unwrap();
        assert_eq!(s.status, "pending");
        assert_eq!(s.run_at, from_millis(to_millis(now + Duration::seconds(2))));
        assert!(
            lease(&t.db, "w1", now, Duration::seconds(30))
                .await
                .unwrap()
                .is_none(),
            "not before the backoff"
        );
        let job = lease(&t.db, "w1", s.run_at, Duration::seconds(30))
            .await
            .unwrap()
            .unwrap();
        fail(&t.db, &job, "w1", "smtp still down", s.run_at)
            .await
            .unwrap();
        let s = status(&t.db, &id).await.unwrap().unwrap();
        assert_eq!(s.status, "dead");
        assert_eq!(s.last_error.as_deref(), Some("smtp still down"));
    }

    struct Counting(Arc<AtomicUsize>, bool);

    #[async_trait::async_trait]
    impl JobHandler for Counting {
        async fn run(&self, _payload: &serde_json::Value) -> Result<(), String> {
            self.0.fetch_add(1, Ordering::SeqCst);
            if self.1 {
                Ok(())
            } else {
                Err("boom".into())
            }
        }
    }

    #[tokio::test]
    async fn the_worker_runs_handlers_and_records_outcomes() {
        let t = db().await;
        let clock = FixedClock::new(Utc::now());
        let ok_id = enqueue_one(&t.db, clock.now(), 3).await;
        let calls = Arc::new(AtomicUsize::new(0));
        let mut handlers: HashMap<String, Arc<dyn JobHandler>> = HashMap::new();
        handlers.insert("test".into(), Arc::new(Counting(calls.clone(), true)));
        let worker = Worker::new(t.db.clone(), Arc::new(clock.clone()), handlers);
        assert_eq!(worker.drain().await.unwrap(), 1);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(status(&t.db, &ok_id).await.unwrap().unwrap().status, "done");
        assert_eq!(
            worker.drain().await.unwrap(),
            0,
            "a done job does not run again"
        );
    }

    #[test]
    fn retry_waits_are_2_4_8_seconds_doubling_up_to_an_hour() {
        let waits: Vec<i64> = [0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 100]
            .into_iter()
            .map(|attempts| backoff(attempts).num_seconds())
            .collect();
        assert_eq!(waits, [2, 2, 4, 8, 16, 32, 1024, 2048, 3600, 3600, 3600]);
    }

    async fn payload_of(db: &Db, id: &str) -> String {
        let (payload,): (String,) = sqlx::query_as("SELECT payload FROM jobs WHERE id = $1")
            .bind(id)
            .fetch_one(db.pool())
            .await
            .unwrap();
        payload
    }

    #[tokio::test]
    async fn a_completed_job_keeps_no_payload() {
        let t = db().await;
        let clock = FixedClock::new(Utc::now());
        let id = enqueue_one(&t.db, clock.now(), 3).await;
        assert_eq!(payload_of(&t.db, &id).await, r#"{"n":1}"#);
        let mut handlers: HashMap<String, Arc<dyn JobHandler>> = HashMap::new();
        let calls = Arc::new(AtomicUsize::new(0));
        handlers.insert("test".into(), Arc::new(Counting(calls.clone(), true)));
        let worker = Worker::new(t.db.clone(), Arc::new(clock.clone()), handlers);
        assert_eq!(worker.drain().await.unwrap(), 1);
        assert_eq!(status(&t.db, &id).await.unwrap().unwrap().status, "done");
        assert_eq!(payload_of(&t.db, &id).await, "{}");
    }

    #[tokio::test]
    async fn the_worker_retries_a_failing_job_at_2_then_4_seconds_then_gives_up() {
        let t = db().await;
        let start = Utc::now();
        let clock = FixedClock::new(start);
        let id = enqueue_one(&t.db, clock.now(), 3).await;
        let calls = Arc::new(AtomicUsize::new(0));
        let mut handlers: HashMap<String, Arc<dyn JobHandler>> = HashMap::new();
        handlers.insert("test".into(), Arc::new(Counting(calls.clone(), false)));
        let worker = Worker::new(t.db.clone(), Arc::new(clock.clone()), handlers);
        let ms = |d: DateTime<Utc>| from_millis(to_millis(d));

        assert_eq!(worker.drain().await.unwrap(), 1);
        let s = status(&t.db, &id).await.unwrap().unwrap();
        assert_eq!(
            (s.status.as_str(), s.attempts, s.last_error.as_deref()),
            ("pending", 1, Some("boom"))
        );
        assert_eq!(s.run_at, ms(start + Duration::seconds(2)));
        // The payload stays for the next try.
        assert_eq!(payload_of(&t.db, &id).await, r#"{"n":1}"#);

        clock.advance(Duration::milliseconds(1999));
        assert_eq!(worker.drain().await.unwrap(), 0, "not before 2 seconds");
        clock.advance(Duration::milliseconds(1));
        assert_eq!(worker.drain().await.unwrap(), 1);
        let s = status(&t.db, &id).await.unwrap().unwrap();
        assert_eq!((s.status.as_str(), s.attempts), ("pending", 2));
        assert_eq!(s.run_at, ms(start + Duration::seconds(2 + 4)));

        clock.advance(Duration::seconds(4));
        assert_eq!(worker.drain().await.unwrap(), 1);
        let s = status(&t.db, &id).await.unwrap().unwrap();
        assert_eq!((s.status.as_str(), s.attempts), ("dead", 3));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        clock.advance(Duration::hours(2));
        assert_eq!(
            worker.drain().await.unwrap(),
            0,
            "a dead job does not run again"
        );
    }

    #[tokio::test]
    async fn a_job_without_a_handler_fails_and_says_so() {
        let t = db().await;
        let clock = FixedClock::new(Utc::now());
        let id = enqueue_one(&t.db, clock.now(), 3).await;
        let worker = Worker::new(t.db.clone(), Arc::new(clock.clone()), HashMap::new());
        assert_eq!(worker.drain().await.unwrap(), 1);
        let s = status(&t.db, &id).await.unwrap().unwrap();
        assert_eq!(s.status, "pending");
        assert_eq!(
            s.last_error.as_deref(),
            Some("no handler for job kind test")
        );
    }
}
