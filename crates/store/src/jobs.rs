//! The job queue that several nodes share.
//!
//! - A job is *leased*: a worker claims it until `locked_until`. On SQLite claiming is one
//!   conditional `UPDATE` (SQLite has one writer, so two claims never interleave); on PostgreSQL
//!   the row is picked with `FOR UPDATE SKIP LOCKED`, so workers racing for the queue's head each
//!   take a different row instead of waiting for one another.
//! - While a job runs, its worker renews the lease (every [`WorkerOptions::renew_every`]), so a
//!   long job is not taken by another worker; a worker that crashes simply lets its lease run out
//!   and another worker then takes the job again.
//! - Every handler has its own timeout ([`JobHandler::timeout`]), always shorter than the lease:
//!   a handler that hangs (an SMTP server that never answers) is failed and retried, not waited for.
//! - A failed job is retried with exponential backoff; it is never leased again once it has used
//!   its `max_attempts`, and is then marked `dead`, its payload cleared like a finished job's (it
//!   may carry a one-time link or code).
//! - Jobs go on a named queue (`NewJob::on`), and each queue has its own loop with its own slots on
//!   every node: sign-in codes ([`CODES_QUEUE`]) never wait behind notifications to a slow relay.
//!   Several jobs of one queue run at once (`WorkerOptions::queues` says how many).
//! - Only the worker that holds the lease can finish or fail the job.
//! - Finished jobs are deleted by [`purge`] after a retention period.

use crate::{Backend, Db, StoreError, Tx};
use chrono::{DateTime, Duration, Utc};
use portico_core::clock::{from_millis, to_millis};
use portico_core::{new_id, Clock};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::Notify;
use tokio::task::JoinSet;

/// The queue of everything that nobody is waiting for at a screen.
pub const DEFAULT_QUEUE: &str = "default";
/// One-time links and codes a person is waiting for (sign-in, step-up, address checks).
pub const CODES_QUEUE: &str = "codes";

/// A handler's timeout when it does not name one.
pub const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: String,
    pub payload: serde_json::Value,
    pub run_at: DateTime<Utc>,
    pub max_attempts: i64,
    pub queue: String,
}

impl NewJob {
    pub fn now(kind: &str, payload: serde_json::Value, now: DateTime<Utc>) -> Self {
        Self {
            kind: kind.to_owned(),
            payload,
            run_at: now,
            max_attempts: 8,
            queue: DEFAULT_QUEUE.to_owned(),
        }
    }

    /// The same job on another queue.
    pub fn on(mut self, queue: &str) -> Self {
        queue.clone_into(&mut self.queue);
        self
    }
}

#[derive(Debug, Clone)]
pub struct Job {
    pub id: String,
    pub kind: String,
    pub queue: String,
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
    sqlx::query(ENQUEUE)
        .bind(&id)
        .bind(&job.kind)
        .bind(job.payload.to_string())
        .bind(job.max_attempts)
        .bind(to_millis(job.run_at))
        .bind(to_millis(now))
        .bind(&job.queue)
        .execute(&mut **tx)
        .await?;
    Ok(id)
}

const ENQUEUE: &str = "INSERT INTO jobs (id, kind, payload, status, attempts, max_attempts, \
     run_at, created_at, queue) VALUES ($1, $2, $3, 'pending', 0, $4, $5, $6, $7)";

/// As [`enqueue`], in a transaction of PostgreSQL's own driver ([`crate::Db::begin_postgres`]).
pub async fn enqueue_postgres(
    tx: &mut crate::PgTx,
    job: NewJob,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    let id = new_id();
    sqlx::query(ENQUEUE)
        .bind(&id)
        .bind(&job.kind)
        .bind(job.payload.to_string())
        .bind(job.max_attempts)
        .bind(to_millis(job.run_at))
        .bind(to_millis(now))
        .bind(&job.queue)
        .execute(&mut **tx)
        .await?;
    Ok(id)
}

type Claimed = (String, String, String, i64, i64);

fn claimed_job(queue: &str, (id, kind, payload, attempts, max_attempts): Claimed) -> Job {
    Job {
        id,
        kind,
        queue: queue.to_owned(),
        payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
        attempts,
        max_attempts,
    }
}

/// Claims the oldest due job of `queue` for `worker` until `now + lease`, if there is one. A job
/// that has used its `max_attempts` is never claimed again.
pub async fn lease(
    db: &Db,
    worker: &str,
    queue: &str,
    now: DateTime<Utc>,
    lease: Duration,
) -> Result<Option<Job>, StoreError> {
    let now_ms = to_millis(now);
    if db.backend() == Backend::Postgres {
        // Racing workers skip the rows another has just locked instead of queueing behind it.
        let claimed: Option<Claimed> = db
            .fetch_optional_write(
                sqlx::query_as(
                    "UPDATE jobs SET locked_by = $1, locked_until = $2, attempts = attempts + 1
             WHERE id = (
                 SELECT id FROM jobs
                 WHERE queue = $3 AND status = 'pending' AND run_at <= $4
                   AND (locked_until IS NULL OR locked_until < $4)
                   AND attempts < max_attempts
                 ORDER BY run_at LIMIT 1
                 FOR UPDATE SKIP LOCKED)
             RETURNING id, kind, payload, attempts, max_attempts",
                )
                .bind(worker)
                .bind(to_millis(now + lease))
                .bind(queue)
                .bind(now_ms),
            )
            .await?;
        return Ok(claimed.map(|row| claimed_job(queue, row)));
    }
    // SQLite: one writer, so the conditional UPDATE cannot interleave with another claim; a few
    // tries in case another process took the row between the SELECT and the UPDATE.
    for _ in 0..3 {
        let candidate: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM jobs
             WHERE queue = $1 AND status = 'pending' AND run_at <= $2
               AND (locked_until IS NULL OR locked_until < $2)
               AND attempts < max_attempts
             ORDER BY run_at LIMIT 1",
        )
        .bind(queue)
        .bind(now_ms)
        .fetch_optional(db.pool())
        .await?;
        let Some((id,)) = candidate else {
            return Ok(None);
        };
        let claimed: Option<Claimed> = db
            .fetch_optional_write(
                sqlx::query_as(
                    "UPDATE jobs SET locked_by = $1, locked_until = $2, attempts = attempts + 1
             WHERE id = $3 AND status = 'pending' AND run_at <= $4
               AND (locked_until IS NULL OR locked_until < $4)
               AND attempts < max_attempts
             RETURNING id, kind, payload, attempts, max_attempts",
                )
                .bind(worker)
                .bind(to_millis(now + lease))
                .bind(&id)
                .bind(now_ms),
            )
            .await?;
        if let Some(row) = claimed {
            return Ok(Some(claimed_job(queue, row)));
        }
    }
    Ok(None)
}

/// Extends the lease of a running job to `now + lease`. Returns false if `worker` no longer
/// holds it.
pub async fn renew(
    db: &Db,
    job: &Job,
    worker: &str,
    now: DateTime<Utc>,
    lease: Duration,
) -> Result<bool, StoreError> {
    let renewed = db.execute_write(sqlx::query(
        "UPDATE jobs SET locked_until = $1 WHERE id = $2 AND locked_by = $3 AND status = 'pending'",
    )
    .bind(to_millis(now + lease))
    .bind(&job.id)
    .bind(worker)
    )
    .await?;
    Ok(renewed.rows_affected() == 1)
}

/// Marks a leased job done and clears its payload (it may carry a one-time link or code that
/// must not outlive its delivery). Returns false if `worker` no longer holds the lease.
pub async fn complete(
    db: &Db,
    job: &Job,
    worker: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = db.execute_write(sqlx::query(
        "UPDATE jobs SET status = 'done', payload = '{}', finished_at = $1, locked_by = NULL, locked_until = NULL
         WHERE id = $2 AND locked_by = $3 AND status = 'pending'",
    )
    .bind(to_millis(now))
    .bind(&job.id)
    .bind(worker)
    )
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The wait before the next try: 2, 4, 8 … seconds, at most an hour.
pub fn backoff(attempts: i64) -> Duration {
    let exp = attempts.clamp(1, 12) as u32;
    Duration::seconds((2i64.pow(exp)).min(3600))
}

/// Records a failure: the job is tried again after a backoff, or marked dead after its last try
/// (and then loses its payload, which nobody will deliver any more).
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
    let result = db.execute_write(sqlx::query(
        "UPDATE jobs SET status = $1, run_at = $2, last_error = $3, locked_by = NULL, locked_until = NULL,
                finished_at = CASE WHEN $1 = 'dead' THEN $4 ELSE NULL END,
                payload = CASE WHEN $1 = 'dead' THEN '{}' ELSE payload END
         WHERE id = $5 AND locked_by = $6 AND status = 'pending'",
    )
    .bind(status)
    .bind(to_millis(run_at))
    .bind(error)
    .bind(to_millis(now))
    .bind(&job.id)
    .bind(worker)
    )
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Marks dead the jobs whose last attempt's lease ran out without an answer (the worker crashed
/// on it), clearing their payload. Returns how many.
pub async fn bury_exhausted(db: &Db, now: DateTime<Utc>) -> Result<u64, StoreError> {
    let now_ms = to_millis(now);
    let buried = db.execute_write(sqlx::query(
        "UPDATE jobs SET status = 'dead', payload = '{}', finished_at = $1, locked_by = NULL, locked_until = NULL,
                last_error = COALESCE(last_error, 'the lease of the last attempt ran out')
         WHERE status = 'pending' AND attempts >= max_attempts
           AND (locked_until IS NULL OR locked_until < $1)",
    )
    .bind(now_ms)
    )
    .await?;
    Ok(buried.rows_affected())
}

/// Deletes the jobs that finished (done or dead) before `before`, after burying the exhausted
/// ones. Returns how many were deleted.
pub async fn purge(db: &Db, now: DateTime<Utc>, before: DateTime<Utc>) -> Result<u64, StoreError> {
    bury_exhausted(db, now).await?;
    let deleted = db
        .execute_write(
            sqlx::query("DELETE FROM jobs WHERE status IN ('done', 'dead') AND finished_at < $1")
                .bind(to_millis(before)),
        )
        .await?;
    Ok(deleted.rows_affected())
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

    /// How long one run may take before it is failed and retried; cut to half the lease if it
    /// is not shorter than the lease.
    fn timeout(&self) -> std::time::Duration {
        DEFAULT_TIMEOUT
    }
}

/// How a node runs its jobs.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// How long a claim holds without renewal.
    pub lease: Duration,
    /// How often a running job's lease is renewed.
    pub renew_every: std::time::Duration,
    /// The queues this node works, each with how many of its jobs may run at once.
    pub queues: Vec<(String, usize)>,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        Self {
            lease: Duration::seconds(60),
            renew_every: std::time::Duration::from_secs(20),
            queues: vec![(CODES_QUEUE.to_owned(), 4), (DEFAULT_QUEUE.to_owned(), 4)],
        }
    }
}

/// Runs jobs in the background of a `portico serve` node.
#[derive(Clone)]
pub struct Worker {
    db: Db,
    clock: Arc<dyn Clock>,
    id: String,
    handlers: Arc<HashMap<String, Arc<dyn JobHandler>>>,
    wake: Arc<Notify>,
    options: Arc<WorkerOptions>,
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
        Self::with_options(db, clock, handlers, wake, WorkerOptions::default())
    }

    pub fn with_options(
        db: Db,
        clock: Arc<dyn Clock>,
        handlers: HashMap<String, Arc<dyn JobHandler>>,
        wake: Arc<Notify>,
        options: WorkerOptions,
    ) -> Self {
        Self {
            db,
            clock,
            id: format!("worker-{}", new_id()),
            handlers: Arc::new(handlers),
            wake,
            options: Arc::new(options),
        }
    }

    /// A handle that wakes the worker at once after a commit that enqueued work, so a one-time
    /// link does not wait for the next poll.
    pub fn waker(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// The time a handler gets: its own timeout, kept below the lease.
    fn timeout_of(&self, handler: &dyn JobHandler) -> std::time::Duration {
        let lease = self
            .options
            .lease
            .to_std()
            .unwrap_or(std::time::Duration::from_secs(60));
        let own = handler.timeout();
        if own < lease {
            own
        } else {
            lease / 2
        }
    }

    /// Runs one leased job to its end, renewing the lease while it runs, and records the outcome.
    async fn run_one(&self, job: Job) -> Result<(), StoreError> {
        let outcome = match self.handlers.get(&job.kind).cloned() {
            None => Err(format!("no handler for job kind {}", job.kind)),
            Some(handler) => {
                let limit = self.timeout_of(handler.as_ref());
                let work = tokio::time::timeout(limit, handler.run(&job.payload));
                tokio::pin!(work);
                let mut renewal = tokio::time::interval(self.options.renew_every);
                renewal.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                // The first tick is immediate: the lease was just taken.
                renewal.tick().await;
                loop {
                    tokio::select! {
                        done = &mut work => break match done {
                            Ok(outcome) => outcome,
                            Err(_) => Err(format!("timed out after {} ms", limit.as_millis())),
                        },
                        _ = renewal.tick() => {
                            match renew(&self.db, &job, &self.id, self.clock.now(), self.options.lease).await {
                                Ok(true) => {}
                                Ok(false) => tracing::warn!(job = %job.id, kind = %job.kind, "lost the lease of a running job"),
                                Err(error) => tracing::warn!(job = %job.id, %error, "could not renew a job's lease"),
                            }
                        }
                    }
                }
            }
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
        Ok(())
    }

    fn spawn(&self, running: &mut JoinSet<Result<(), StoreError>>, job: Job) {
        let worker = self.clone();
        running.spawn(async move { worker.run_one(job).await });
    }

    /// Runs every due job of every queue, several at once per queue, and returns how many it
    /// ran. Used by tests; the loop is [`Worker::run_forever`].
    pub async fn drain(&self) -> Result<usize, StoreError> {
        let mut ran = 0;
        for (queue, slots) in self.options.queues.iter() {
            ran += self.drain_queue(queue, *slots).await?;
        }
        Ok(ran)
    }

    async fn drain_queue(&self, queue: &str, slots: usize) -> Result<usize, StoreError> {
        let mut running = JoinSet::new();
        let mut ran = 0;
        loop {
            while running.len() < slots.max(1) {
                let now = self.clock.now();
                match lease(&self.db, &self.id, queue, now, self.options.lease).await? {
                    Some(job) => {
                        ran += 1;
                        self.spawn(&mut running, job);
                    }
                    None => break,
                }
            }
            match running.join_next().await {
                None => return Ok(ran),
                Some(Ok(result)) => result?,
                Some(Err(error)) => tracing::error!(%error, "a job's task ended abnormally"),
            }
        }
    }

    /// Works every queue until the process ends: one loop per queue, each with its own slots,
    /// woken by [`Worker::waker`] or every `poll`.
    pub async fn run_forever(self, poll: std::time::Duration) {
        let mut loops = JoinSet::new();
        let mut wakers = Vec::new();
        for (queue, slots) in self.options.queues.iter() {
            let wake = Arc::new(Notify::new());
            wakers.push(wake.clone());
            loops.spawn(self.clone().run_queue(queue.clone(), *slots, wake, poll));
        }
        // One commit's wake-up reaches every queue's loop.
        let shared = self.wake.clone();
        loops.spawn(async move {
            loop {
                shared.notified().await;
                for wake in &wakers {
                    wake.notify_one();
                }
            }
        });
        while loops.join_next().await.is_some() {}
    }

    async fn run_queue(
        self,
        queue: String,
        slots: usize,
        wake: Arc<Notify>,
        poll: std::time::Duration,
    ) {
        let mut running = JoinSet::new();
        let mut last_bury = tokio::time::Instant::now();
        loop {
            while running.len() < slots.max(1) {
                match lease(
                    &self.db,
                    &self.id,
                    &queue,
                    self.clock.now(),
                    self.options.lease,
                )
                .await
                {
                    Ok(Some(job)) => self.spawn(&mut running, job),
                    Ok(None) => break,
                    Err(error) => {
                        tracing::error!(%error, %queue, "job worker could not reach the database");
                        break;
                    }
                }
            }
            // Now and then, mark dead the jobs whose last attempt crashed its worker.
            if last_bury.elapsed() >= self.options.renew_every {
                last_bury = tokio::time::Instant::now();
                if let Err(error) = bury_exhausted(&self.db, self.clock.now()).await {
                    tracing::warn!(%error, "could not mark exhausted jobs dead");
                }
            }
            tokio::select! {
                Some(finished) = running.join_next(), if !running.is_empty() => {
                    match finished {
                        Ok(Ok(())) => {}
                        Ok(Err(error)) => tracing::error!(%error, %queue, "could not record a job's outcome"),
                        Err(error) => tracing::error!(%error, %queue, "a job's task ended abnormally"),
                    }
                }
                _ = wake.notified() => {}
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
        assert!(
            lease(&t.db, "w1", DEFAULT_QUEUE, now, Duration::seconds(30))
                .await
                .unwrap()
                .is_none()
        );
    }

    #[tokio::test]
    async fn a_leased_job_is_not_given_to_a_second_worker() {
        let t = db().await;
        let now = Utc::now();
        enqueue_one(&t.db, now, 3).await;
        let first = lease(&t.db, "w1", DEFAULT_QUEUE, now, Duration::seconds(30))
            .await
            .unwrap();
        assert!(first.is_some());
        assert!(
            lease(&t.db, "w2", DEFAULT_QUEUE, now, Duration::seconds(30))
                .await
                .unwrap()
                .is_none()
        );
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
                while let Some(job) = lease(
                    &db,
                    &format!("w{w}"),
                    DEFAULT_QUEUE,
                    now,
                    Duration::seconds(30),
                )
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
        let crashed = lease(&t.db, "w1", DEFAULT_QUEUE, now, Duration::seconds(30))
            .await
            .unwrap()
            .unwrap();
        let later = now + Duration::seconds(31);
        let retaken = lease(&t.db, "w2", DEFAULT_QUEUE, later, Duration::seconds(30))
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
        let job = lease(&t.db, "w1", DEFAULT_QUEUE, now, Duration::seconds(30))
            .await
            .unwrap()
            .unwrap();
        fail(&t.db, &job, "w1", "smtp down", now).await.unwrap();
        let s = status(&t.db, &id).await.unwrap().unwrap();
        assert_eq!(s.status, "pending");
        assert_eq!(s.run_at, from_millis(to_millis(now + Duration::seconds(2))));
        assert!(
            lease(&t.db, "w1", DEFAULT_QUEUE, now, Duration::seconds(30))
                .await
                .unwrap()
                .is_none(),
            "not before the backoff"
        );
        let job = lease(&t.db, "w1", DEFAULT_QUEUE, s.run_at, Duration::seconds(30))
            .await
            .unwrap()
            .unwrap();
        fail(&t.db, &job, "w1", "smtp still down", s.run_at)
            .await
            .unwrap();
        let s = status(&t.db, &id).await.unwrap().unwrap();
        assert_eq!(s.status, "dead");
        assert_eq!(s.last_error.as_deref(), Some("smtp still down"));
        assert_eq!(
            payload_of(&t.db, &id).await,
            "{}",
            "a dead job keeps no secret"
        );
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

    async fn enqueue_on(db: &Db, kind: &str, queue: &str, n: i64, now: DateTime<Utc>) -> String {
        let mut tx = db.begin().await.unwrap();
        let job = NewJob::now(kind, serde_json::json!({ "n": n }), now).on(queue);
        let id = enqueue(&mut tx, job, now).await.unwrap();
        tx.commit().await.unwrap();
        id
    }

    fn one(kind: &str, handler: Arc<dyn JobHandler>) -> HashMap<String, Arc<dyn JobHandler>> {
        let mut handlers: HashMap<String, Arc<dyn JobHandler>> = HashMap::new();
        handlers.insert(kind.into(), handler);
        handlers
    }

    /// Sleeps far longer than its own timeout of 100 ms.
    struct Sleeper;

    #[async_trait::async_trait]
    impl JobHandler for Sleeper {
        async fn run(&self, _payload: &serde_json::Value) -> Result<(), String> {
            tokio::time::sleep(std::time::Duration::from_secs(30)).await;
            Ok(())
        }
        fn timeout(&self) -> std::time::Duration {
            std::time::Duration::from_millis(100)
        }
    }

    #[tokio::test]
    async fn a_handler_past_its_timeout_is_failed_and_retried_at_2_then_4_seconds() {
        let t = db().await;
        let start = Utc::now();
        let clock = FixedClock::new(start);
        let id = enqueue_one(&t.db, start, 3).await;
        let worker = Worker::new(
            t.db.clone(),
            Arc::new(clock.clone()),
            one("test", Arc::new(Sleeper)),
        );
        let ms = |d: DateTime<Utc>| from_millis(to_millis(d));

        let began = std::time::Instant::now();
        assert_eq!(worker.drain().await.unwrap(), 1);
        assert!(
            began.elapsed() < std::time::Duration::from_secs(5),
            "the worker did not wait for the handler"
        );
        let s = status(&t.db, &id).await.unwrap().unwrap();
        assert_eq!(
            (s.status.as_str(), s.attempts, s.last_error.as_deref()),
            ("pending", 1, Some("timed out after 100 ms"))
        );
        assert_eq!(s.run_at, ms(start + Duration::seconds(2)));

        clock.advance(Duration::seconds(2));
        assert_eq!(worker.drain().await.unwrap(), 1);
        let s = status(&t.db, &id).await.unwrap().unwrap();
        assert_eq!((s.status.as_str(), s.attempts), ("pending", 2));
        assert_eq!(s.run_at, ms(start + Duration::seconds(2 + 4)));

        clock.advance(Duration::seconds(4));
        assert_eq!(worker.drain().await.unwrap(), 1);
        let s = status(&t.db, &id).await.unwrap().unwrap();
        assert_eq!((s.status.as_str(), s.attempts), ("dead", 3));
        assert_eq!(payload_of(&t.db, &id).await, "{}");
    }

    #[test]
    fn a_handler_timeout_not_shorter_than_the_lease_is_cut_to_half_the_lease() {
        struct Patient;
        #[async_trait::async_trait]
        impl JobHandler for Patient {
            async fn run(&self, _payload: &serde_json::Value) -> Result<(), String> {
                Ok(())
            }
            fn timeout(&self) -> std::time::Duration {
                std::time::Duration::from_secs(600)
            }
        }
        let rt = tokio::runtime::Runtime::new().unwrap();
        let t = rt.block_on(db());
        let worker = Worker::new(
            t.db.clone(),
            Arc::new(FixedClock::new(Utc::now())),
            HashMap::new(),
        );
        assert_eq!(
            worker.timeout_of(&Patient),
            std::time::Duration::from_secs(30)
        );
        assert_eq!(
            worker.timeout_of(&Sleeper),
            std::time::Duration::from_millis(100)
        );
        assert_eq!(
            worker.timeout_of(&Counting(Arc::default(), true)),
            DEFAULT_TIMEOUT
        );
    }

    /// Runs until it is released.
    struct Held {
        started: Arc<Notify>,
        release: Arc<Notify>,
    }

    #[async_trait::async_trait]
    impl JobHandler for Held {
        async fn run(&self, _payload: &serde_json::Value) -> Result<(), String> {
            self.started.notify_one();
            self.release.notified().await;
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_long_jobs_lease_is_renewed_so_a_second_worker_does_not_take_it() {
        let t = db().await;
        let clock = FixedClock::new(Utc::now());
        let id = enqueue_one(&t.db, clock.now(), 3).await;
        let started = Arc::new(Notify::new());
        let release = Arc::new(Notify::new());
        let options = WorkerOptions {
            lease: Duration::seconds(60),
            renew_every: std::time::Duration::from_millis(50),
            ..WorkerOptions::default()
        };
        let handler = Arc::new(Held {
            started: started.clone(),
            release: release.clone(),
        });
        let first = Worker::with_options(
            t.db.clone(),
            Arc::new(clock.clone()),
            one("test", handler),
            Arc::new(Notify::new()),
            options,
        );
        let running = tokio::spawn({
            let first = first.clone();
            async move { first.drain().await.unwrap() }
        });
        started.notified().await;
        // Past the first lease: without a renewal the job would be free for the taking.
        clock.advance(Duration::seconds(90));
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert!(
            lease(
                &t.db,
                "w2",
                DEFAULT_QUEUE,
                clock.now(),
                Duration::seconds(60)
            )
            .await
            .unwrap()
            .is_none(),
            "a second worker took a job whose lease was being renewed"
        );
        release.notify_one();
        assert_eq!(running.await.unwrap(), 1);
        let s = status(&t.db, &id).await.unwrap().unwrap();
        assert_eq!((s.status.as_str(), s.attempts), ("done", 1));
    }

    /// Succeeds only when `n` runs are inside it at the same moment.
    struct Together(Arc<tokio::sync::Barrier>);

    #[async_trait::async_trait]
    impl JobHandler for Together {
        async fn run(&self, _payload: &serde_json::Value) -> Result<(), String> {
            tokio::time::timeout(std::time::Duration::from_secs(5), self.0.wait())
                .await
                .map(|_| ())
                .map_err(|_| "ran alone".to_owned())
        }
    }

    #[tokio::test]
    async fn four_jobs_of_one_queue_run_at_once_on_one_node() {
        let t = db().await;
        let clock = FixedClock::new(Utc::now());
        let mut ids = Vec::new();
        for _ in 0..4 {
            ids.push(enqueue_one(&t.db, clock.now(), 3).await);
        }
        let barrier = Arc::new(tokio::sync::Barrier::new(4));
        let worker = Worker::new(
            t.db.clone(),
            Arc::new(clock.clone()),
            one("test", Arc::new(Together(barrier))),
        );
        assert_eq!(worker.drain().await.unwrap(), 4);
        for id in ids {
            assert_eq!(status(&t.db, &id).await.unwrap().unwrap().status, "done");
        }
    }

    /// Records when each code is sent; blocks on every notification.
    struct Relay {
        codes: Arc<std::sync::Mutex<Vec<std::time::Instant>>>,
    }

    #[async_trait::async_trait]
    impl JobHandler for Relay {
        async fn run(&self, payload: &serde_json::Value) -> Result<(), String> {
            if payload["n"] == 0 {
                self.codes.lock().unwrap().push(std::time::Instant::now());
                Ok(())
            } else {
                tokio::time::sleep(std::time::Duration::from_secs(20)).await;
                Ok(())
            }
        }
    }

    #[tokio::test]
    async fn a_code_is_sent_at_once_while_the_default_queue_is_stuck_on_a_slow_relay() {
        let t = db().await;
        let clock = FixedClock::new(Utc::now());
        for n in 1..=20 {
            enqueue_on(&t.db, "mail", DEFAULT_QUEUE, n, clock.now()).await;
        }
        let codes = Arc::new(std::sync::Mutex::new(Vec::new()));
        let worker = Worker::new(
            t.db.clone(),
            Arc::new(clock.clone()),
            one(
                "mail",
                Arc::new(Relay {
                    codes: codes.clone(),
                }),
            ),
        );
        let waker = worker.waker();
        tokio::spawn(worker.run_forever(std::time::Duration::from_secs(5)));
        // Every slot of the default queue is now busy with a notification that takes 20 s.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let asked = std::time::Instant::now();
        enqueue_on(&t.db, "mail", CODES_QUEUE, 0, clock.now()).await;
        waker.notify_one();
        let deadline = asked + std::time::Duration::from_secs(2);
        loop {
            if let Some(sent) = codes.lock().unwrap().first() {
                assert!(
                    *sent - asked < std::time::Duration::from_secs(1),
                    "the code waited {:?}",
                    *sent - asked
                );
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the code was not sent within 2 s"
            );
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    #[tokio::test]
    async fn a_job_whose_last_attempt_crashed_is_not_run_again_and_dies_without_its_payload() {
        let t = db().await;
        let now = Utc::now();
        let id = enqueue_one(&t.db, now, 1).await;
        assert!(
            lease(&t.db, "w1", DEFAULT_QUEUE, now, Duration::seconds(30))
                .await
                .unwrap()
                .is_some()
        );
        let later = now + Duration::seconds(31);
        assert!(
            lease(&t.db, "w2", DEFAULT_QUEUE, later, Duration::seconds(30))
                .await
                .unwrap()
                .is_none(),
            "a job was run more than its max_attempts"
        );
        assert_eq!(bury_exhausted(&t.db, later).await.unwrap(), 1);
        let s = status(&t.db, &id).await.unwrap().unwrap();
        assert_eq!((s.status.as_str(), s.attempts), ("dead", 1));
        assert_eq!(
            s.last_error.as_deref(),
            Some("the lease of the last attempt ran out")
        );
        assert_eq!(payload_of(&t.db, &id).await, "{}");
    }

    #[tokio::test]
    async fn purge_deletes_exactly_the_jobs_that_finished_before_the_cut() {
        let t = db().await;
        let start = Utc::now();
        let clock = FixedClock::new(start);
        let calls = Arc::new(AtomicUsize::new(0));
        let ok = Worker::new(
            t.db.clone(),
            Arc::new(clock.clone()),
            one("test", Arc::new(Counting(calls.clone(), true))),
        );
        let bad = Worker::new(
            t.db.clone(),
            Arc::new(clock.clone()),
            one("test", Arc::new(Counting(calls.clone(), false))),
        );
        let old_done = enqueue_one(&t.db, clock.now(), 3).await;
        ok.drain().await.unwrap();
        let old_dead = enqueue_one(&t.db, clock.now(), 1).await;
        bad.drain().await.unwrap();
        clock.advance(Duration::days(8));
        let new_done = enqueue_one(&t.db, clock.now(), 3).await;
        ok.drain().await.unwrap();
        let pending = enqueue_one(&t.db, clock.now() + Duration::hours(1), 3).await;
        let failing = enqueue_one(&t.db, clock.now(), 3).await;
        bad.drain().await.unwrap();

        let cut = clock.now() - Duration::days(7);
        assert_eq!(purge(&t.db, clock.now(), cut).await.unwrap(), 2);
        assert!(status(&t.db, &old_done).await.unwrap().is_none());
        assert!(status(&t.db, &old_dead).await.unwrap().is_none());
        assert_eq!(
            status(&t.db, &new_done).await.unwrap().unwrap().status,
            "done"
        );
        assert_eq!(
            status(&t.db, &pending).await.unwrap().unwrap().status,
            "pending"
        );
        assert_eq!(
            status(&t.db, &failing).await.unwrap().unwrap().status,
            "pending"
        );
    }

    /// Counts how often each job's `n` was run.
    struct Tally(Arc<std::sync::Mutex<HashMap<i64, usize>>>);

    #[async_trait::async_trait]
    impl JobHandler for Tally {
        async fn run(&self, payload: &serde_json::Value) -> Result<(), String> {
            let n = payload["n"].as_i64().unwrap_or(-1);
            *self.0.lock().unwrap().entry(n).or_default() += 1;
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            Ok(())
        }
    }

    #[tokio::test]
    async fn two_workers_draining_at_once_run_every_job_exactly_once() {
        let t = db().await;
        let clock = FixedClock::new(Utc::now());
        for n in 0..40 {
            enqueue_on(&t.db, "test", DEFAULT_QUEUE, n, clock.now()).await;
        }
        let tally = Arc::new(std::sync::Mutex::new(HashMap::new()));
        let workers: Vec<Worker> = (0..2)
            .map(|_| {
                Worker::new(
                    t.db.clone(),
                    Arc::new(clock.clone()),
                    one("test", Arc::new(Tally(tally.clone()))),
                )
            })
            .collect();
        let (a, b) = tokio::join!(workers[0].drain(), workers[1].drain());
        assert_eq!(a.unwrap() + b.unwrap(), 40);
        let tally = tally.lock().unwrap();
        assert_eq!(tally.len(), 40);
        assert!(
            tally.values().all(|&runs| runs == 1),
            "a job ran twice: {tally:?}"
        );
    }
}
