//! Group commit for SQLite: the one connection that writes, shared by transactions that come one
//! after another, so that several of them are made durable by one `COMMIT` and one WAL sync.
//!
//! SQLite has a single writer. Every write transaction takes its turn on this connection (a fair
//! queue: `tokio::sync::Mutex` serves waiters in order), and runs inside a *batch*, an outer
//! `BEGIN IMMEDIATE` transaction: the first one in the batch itself (if it fails, the batch is
//! rolled back: nothing else is in it yet), each later one as a savepoint. When a transaction commits, its savepoint is released;
//! if nobody is waiting for the turn (or the batch is full or old), the batch commits at once,
//! otherwise the next transaction continues the same batch and the one that ends it commits for
//! all. Every `commit()` returns only once its batch is committed, so nothing is acknowledged
//! before it is on disk; a transaction that fails or is dropped rolls back to its savepoint and
//! takes nothing of the others with it. When the batch's `COMMIT` itself fails, every transaction
//! in it gets the error (none was acknowledged, none is kept).
//!
//! Alone, a transaction pays what it did before (no savepoint: it is its batch); under load, one
//! WAL sync serves many transactions instead of one each, and waiting for the turn is a queue,
//! never SQLite's busy handler sleeping and polling.

use sqlx::any::{AnyConnectOptions, AnyTransactionManager};
use sqlx::{AnyConnection, ConnectOptions, Executor, TransactionManager};
use std::ops::{Deref, DerefMut};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{watch, Mutex, OwnedMutexGuard};

/// A batch commits once this many transactions are in it, though others wait.
const MAX_BATCH_UNITS: u64 = 128;
/// …or once it has been open this long, so that a steady stream of writers cannot keep the first
/// one's answer waiting.
const MAX_BATCH_AGE: Duration = Duration::from_millis(5);

/// How often the checkpointer looks whether there are new commits to copy into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

/// The outcome of a batch, as the transactions in it see it: `None` until it is committed.
type Outcome = Option<Result<(), Arc<str>>>;

pub(crate) struct Writer {
    state: Arc<Mutex<State>>,
    /// Transactions waiting for their turn: the one that ends a savepoint leaves the batch open
    /// for them instead of committing.
    waiting: AtomicUsize,
    options: AnyConnectOptions,
    pragmas: &'static str,
    wait: Duration,
    stats: Stats,
}

#[derive(Default)]
struct Stats {
    commits: AtomicU64,
    transactions: AtomicU64,
}

/// How many transactions were committed and in how many batches (`COMMIT`s), since start-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupCommitStats {
    pub transactions: u64,
    pub commits: u64,
}

struct State {
    conn: AnyConnection,
    /// Set when the connection failed in a way that leaves its transaction state unknown: the
    /// next turn connects again (dropping it rolls back whatever SQLite kept).
    broken: bool,
    batch: Option<Batch>,
}

struct Batch {
    opened: Instant,
    units: u64,
    outcome: watch::Sender<Outcome>,
}

/// What the end of a turn leaves its transaction to do once the turn is given back.
enum Ended {
    Done(Result<(), sqlx::Error>),
    /// Released into a batch the next transaction continues: wait for its outcome.
    Wait(watch::Receiver<Outcome>),
}

impl Writer {
    pub(crate) async fn connect(
        url: &str,
        pragmas: &'static str,
        wait: Duration,
    ) -> Result<Arc<Writer>, sqlx::Error> {
        let options = AnyConnectOptions::from_str(url)?;
        let conn = open(&options, pragmas).await?;
        let checkpoints = open(&options, pragmas).await?;
        let writer = Arc::new(Writer {
            state: Arc::new(Mutex::new(State {
                conn,
                broken: false,
                batch: None,
            })),
            waiting: AtomicUsize::new(0),
            options,
            pragmas,
            wait,
            stats: Stats::default(),
        });
        tokio::spawn(checkpoint_while_open(Arc::downgrade(&writer), checkpoints));
        Ok(writer)
    }

    pub(crate) fn stats(&self) -> GroupCommitStats {
        GroupCommitStats {
            transactions: self.stats.transactions.load(Ordering::Relaxed),
            commits: self.stats.commits.load(Ordering::Relaxed),
        }
    }

    /// Waits for the turn (in order of arrival, at most `wait`) and starts a savepoint in the
    /// open batch, or opens one.
    pub(crate) async fn begin(self: &Arc<Self>) -> Result<Turn, sqlx::Error> {
        let mark = Waiting::new(self.clone());
        let lock = self.state.clone().lock_owned();
        let guard = tokio::time::timeout(self.wait, lock)
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)?;
        // No await between taking the lock and making the turn: a cancelled caller drops the
        // turn, whose Drop ends it properly, never a bare guard.
        mark.got_turn();
        let mut turn = Turn {
            guard,
            writer: self.clone(),
            ended: false,
            depth: 1,
        };
        turn.start().await?;
        Ok(turn)
    }

    /// Commits what is open and closes the connection (at shutdown).
    pub(crate) async fn close(&self) {
        let mut guard = self.state.lock().await;
        if guard.batch.is_some() {
            let _ = self.commit_batch(&mut guard).await;
        }
        guard.broken = true;
        let _ = guard.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").await;
    }

    /// Commits the open batch, if any: for when the last transaction that could have ended it
    /// gave up waiting for its turn, or was dropped.
    async fn flush(self: Arc<Self>) {
        let Ok(mut guard) = tokio::time::timeout(self.wait, self.state.clone().lock_owned()).await
        else {
            return;
        };
        if guard.batch.is_some() {
            let _ = self.commit_batch(&mut guard).await;
        }
    }

    /// Commits the batch and tells every transaction in it.
    async fn commit_batch(&self, state: &mut State) -> Result<(), sqlx::Error> {
        let Some(batch) = state.batch.take() else {
            return Ok(());
        };
        let result = if state.broken {
            Err(sqlx::Error::WorkerCrashed)
        } else {
            // A savepoint a dropped transaction left (its rollback is queued) goes first.
            roll_back_to_depth(state, 1).await;
            AnyTransactionManager::commit(&mut state.conn).await
        };
        self.stats.commits.fetch_add(1, Ordering::Relaxed);
        if result.is_ok() {
            self.stats
                .transactions
                .fetch_add(batch.units, Ordering::Relaxed);
        } else {
            state.broken = true;
        }
        let told = result
            .as_ref()
            .map(|_| ())
            .map_err(|e| Arc::<str>::from(e.to_string()));
        batch.outcome.send_replace(Some(told));
        result
    }

    /// Ends the turn's savepoint (released or rolled back) and then commits the batch when
    /// nobody waits, or the batch is full or old; otherwise leaves it to the next transaction.
    /// A first transaction of a batch that rolls back rolls the batch back.
    async fn end_turn(&self, state: &mut State, release: bool, depth: usize) -> Ended {
        let ended = if depth == 1 {
            end_first(state, release).await
        } else {
            end_savepoint(state, release).await
        };
        let Some(batch) = state.batch.as_mut() else {
            return Ended::Done(ended);
        };
        let outcome = if release && ended.is_ok() {
            batch.units += 1;
            Some(batch.outcome.subscribe())
        } else {
            None
        };
        let full = batch.units >= MAX_BATCH_UNITS || batch.opened.elapsed() >= MAX_BATCH_AGE;
        if ended.is_err() || full || self.waiting.load(Ordering::Acquire) == 0 {
            let committed = self.commit_batch(state).await;
            return Ended::Done(ended.and(if release { committed } else { Ok(()) }));
        }
        match outcome {
            Some(outcome) => Ended::Wait(outcome),
            None => Ended::Done(ended),
        }
    }
}

/// The writer never copies the WAL into the database file itself: SQLite's automatic checkpoint
/// runs in the commit that crosses 1,000 pages, syncs the database file, and that commit (and
/// everyone queued behind it) waits tens of milliseconds. The checkpointer does it instead.
const NO_AUTOCHECKPOINT: &str = "PRAGMA wal_autocheckpoint = 0";

/// Copies committed pages from the WAL into the database file on a connection of its own, beside
/// the writer (a `PASSIVE` checkpoint takes no lock a writer or reader waits for), whenever
/// something was committed since the last time; stops when the writer is gone.
async fn checkpoint_while_open(writer: std::sync::Weak<Writer>, mut conn: AnyConnection) {
    let mut seen = 0;
    loop {
        tokio::time::sleep(CHECKPOINT_EVERY).await;
        let Some(commits) = writer
            .upgrade()
            .map(|w| w.stats.commits.load(Ordering::Relaxed))
        else {
            break;
        };
        if commits == seen {
            continue;
        }
        seen = commits;
        if let Err(e) = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").await {
            tracing::warn!(error = %e, "WAL checkpoint failed; trying again later");
        }
    }
    let _ = sqlx::Connection::close(conn).await;
}

async fn open(options: &AnyConnectOptions, pragmas: &str) -> Result<AnyConnection, sqlx::Error> {
    let mut conn = options.connect().await?;
    conn.execute(pragmas).await?;
    conn.execute(NO_AUTOCHECKPOINT).await?;
    Ok(conn)
}

/// Rolls back savepoints until the connection's transaction depth is `depth` (a transaction the
/// code inside nested and dropped, or a dropped turn's savepoint); a failure marks the connection
/// broken. A nested transaction dropped without an end has queued its rollback on the connection
/// (sqlx's `start_rollback`), and the depth counts it only once it has run: a statement first
/// lets the queue drain, so that no savepoint is rolled back twice.
async fn roll_back_to_depth(state: &mut State, depth: usize) {
    if state.broken || AnyTransactionManager::get_transaction_depth(&state.conn) <= depth {
        return;
    }
    if state.conn.execute("SELECT 1").await.is_err() {
        state.broken = true;
    }
    while !state.broken && AnyTransactionManager::get_transaction_depth(&state.conn) > depth {
        if AnyTransactionManager::rollback(&mut state.conn)
            .await
            .is_err()
        {
            state.broken = true;
        }
    }
}

/// Ends the first transaction of a batch: kept, it stays in the open batch; rolled back, so is
/// the batch (nothing else is in it).
async fn end_first(state: &mut State, release: bool) -> Result<(), sqlx::Error> {
    roll_back_to_depth(state, 1).await;
    if state.broken {
        return Err(sqlx::Error::WorkerCrashed);
    }
    if AnyTransactionManager::get_transaction_depth(&state.conn) < 1 {
        state.batch = None;
        return if release {
            Err(sqlx::Error::Protocol(
                "the transaction is gone; nothing was committed".into(),
            ))
        } else {
            Ok(())
        };
    }
    if release {
        return Ok(());
    }
    state.batch = None;
    let result = AnyTransactionManager::rollback(&mut state.conn).await;
    if result.is_err() {
        state.broken = true;
    }
    result
}

/// Releases (or rolls back to) the savepoint the turn runs in (depth 2: the batch is 1).
async fn end_savepoint(state: &mut State, release: bool) -> Result<(), sqlx::Error> {
    roll_back_to_depth(state, 2).await;
    if state.broken {
        return Err(sqlx::Error::WorkerCrashed);
    }
    if AnyTransactionManager::get_transaction_depth(&state.conn) < 2 {
        // The savepoint never started (or is gone): nothing to keep.
        return if release {
            Err(sqlx::Error::Protocol(
                "the transaction's savepoint is gone; nothing was committed".into(),
            ))
        } else {
            Ok(())
        };
    }
    let result = if release {
        AnyTransactionManager::commit(&mut state.conn).await
    } else {
        AnyTransactionManager::rollback(&mut state.conn).await
    };
    if result.is_err() {
        state.broken = true;
    }
    result
}

async fn wait_for(mut outcome: watch::Receiver<Outcome>) -> Result<(), sqlx::Error> {
    let told = match outcome.wait_for(Option::is_some).await {
        Ok(told) => told.clone(),
        // The batch was dropped without an outcome.
        Err(_) => return Err(sqlx::Error::WorkerCrashed),
    };
    match told {
        Some(Err(e)) => Err(sqlx::Error::Protocol(format!(
            "the group commit this transaction was in failed: {e}"
        ))),
        _ => Ok(()),
    }
}

/// Counts a transaction as waiting for its turn until it gets it; one that gives up (timed out,
/// or its caller went away) makes sure the batch it may have kept open is committed.
struct Waiting {
    writer: Option<Arc<Writer>>,
}

impl Waiting {
    fn new(writer: Arc<Writer>) -> Waiting {
        writer.waiting.fetch_add(1, Ordering::AcqRel);
        Waiting {
            writer: Some(writer),
        }
    }

    fn got_turn(mut self) {
        if let Some(writer) = self.writer.take() {
            writer.waiting.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        if let Some(writer) = self.writer.take() {
            writer.waiting.fetch_sub(1, Ordering::AcqRel);
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(writer.flush());
            }
        }
    }
}

/// A write transaction's turn on the writer connection: a savepoint in the open batch.
pub struct Turn {
    guard: OwnedMutexGuard<State>,
    writer: Arc<Writer>,
    /// Set once `commit` or `rollback` has ended the savepoint, so Drop has nothing to do.
    ended: bool,
    /// The connection's transaction depth the turn runs at: 1 for the first transaction of a
    /// batch (the batch itself), 2 for a savepoint in it.
    depth: usize,
}

impl Turn {
    async fn start(&mut self) -> Result<(), sqlx::Error> {
        let state = &mut *self.guard;
        if state.broken {
            if let Some(batch) = state.batch.take() {
                batch
                    .outcome
                    .send_replace(Some(Err(Arc::from("the writer connection failed"))));
            }
            state.conn = open(&self.writer.options, self.writer.pragmas).await?;
            state.broken = false;
        }
        if state.batch.is_none() {
            roll_back_to_depth(state, 0).await;
            AnyTransactionManager::begin(&mut state.conn, Some("BEGIN IMMEDIATE".into())).await?;
            state.batch = Some(Batch {
                opened: Instant::now(),
                units: 0,
                outcome: watch::channel(None).0,
            });
            self.depth = 1;
            return Ok(());
        }
        roll_back_to_depth(state, 1).await;
        AnyTransactionManager::begin(&mut state.conn, None).await?;
        self.depth = 2;
        Ok(())
    }

    /// Keeps this transaction's writes; returns once they are committed (with their batch).
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.end_in_own_task(true).await
    }

    /// Undoes this transaction's writes; the others in its batch are kept.
    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.end_in_own_task(false).await
    }

    /// A task of its own, so that a caller that goes away (a closed connection) cannot leave the
    /// batch half-done.
    async fn end_in_own_task(self, release: bool) -> Result<(), sqlx::Error> {
        tokio::spawn(self.end(release))
            .await
            .map_err(|e| sqlx::Error::Protocol(format!("the commit task failed: {e}")))?
    }

    async fn end(mut self, release: bool) -> Result<(), sqlx::Error> {
        let writer = self.writer.clone();
        let ended = writer.end_turn(&mut self.guard, release, self.depth).await;
        self.ended = true;
        drop(self); // gives the turn to the next transaction
        match ended {
            Ended::Done(result) => result,
            Ended::Wait(outcome) => wait_for(outcome).await,
        }
    }
}

impl Deref for Turn {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        &self.guard.conn
    }
}

impl DerefMut for Turn {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.guard.conn
    }
}

impl Drop for Turn {
    /// A transaction dropped without commit (an error returned early, a caller gone). When its
    /// batch holds nobody else's work, the rollback of the savepoint and of the batch is queued
    /// on the connection (sqlx's `start_rollback`: its own thread runs it at once, with no task
    /// on the runtime needed), so the write lock is given back even if the runtime is busy.
    /// Otherwise the savepoint stays open for the next holder of the turn to roll back (`start`,
    /// `commit_batch`), and if nobody waits for the turn, a task does so and commits the batch
    /// for the others in it.
    fn drop(&mut self) {
        if self.ended {
            return;
        }
        let state = &mut *self.guard;
        let Some(batch) = &state.batch else {
            return;
        };
        if batch.units == 0 {
            // The depth may count a nested rollback already queued; one too many is a no-op.
            for _ in 0..AnyTransactionManager::get_transaction_depth(&state.conn) {
                AnyTransactionManager::start_rollback(&mut state.conn);
            }
            state.batch = None;
            return;
        }
        if self.writer.waiting.load(Ordering::Acquire) == 0 {
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => {
                    runtime.spawn(self.writer.clone().flush());
                }
                Err(_) => state.broken = true,
            }
        }
    }
}
