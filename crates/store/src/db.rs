//! The connection pool, and the only place that knows which database is behind it.

use crate::writer::{Turn, Writer};
use crate::StoreError;
use sqlx::any::{install_default_drivers, AnyArguments, AnyPoolOptions, AnyQueryResult, AnyRow};
use sqlx::{AnyConnection, AnyPool, Executor, FromRow};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::time::Duration;

pub use crate::writer::GroupCommitStats;

/// A write transaction. It dereferences to the connection, so statements run on `&mut *tx`
/// (or `&mut **tx` through a `&mut Tx`). On PostgreSQL it is an ordinary transaction; on SQLite
/// a savepoint in a group commit (see `writer`). Dropped without `commit`, it rolls back.
pub struct Tx(TxInner);

enum TxInner {
    Postgres(sqlx::Transaction<'static, sqlx::Any>),
    Sqlite(Turn),
}

impl Tx {
    /// True on PostgreSQL, where a statement that fails aborts the whole transaction; on SQLite
    /// only the statement is undone. A statement expected to fail now and then (a unique
    /// constraint that decides between candidates) needs a savepoint on PostgreSQL only.
    pub fn is_postgres(&self) -> bool {
        matches!(self.0, TxInner::Postgres(_))
    }

    /// Keeps the writes; returns once they are durable.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self.0 {
            TxInner::Postgres(tx) => tx.commit().await,
            TxInner::Sqlite(turn) => turn.commit().await,
        }
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        match self.0 {
            TxInner::Postgres(tx) => tx.rollback().await,
            TxInner::Sqlite(turn) => turn.rollback().await,
        }
    }
}

impl Deref for Tx {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        match &self.0 {
            TxInner::Postgres(tx) => tx,
            TxInner::Sqlite(turn) => turn,
        }
    }
}

impl DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match &mut self.0 {
            TxInner::Postgres(tx) => tx,
            TxInner::Sqlite(turn) => turn,
        }
    }
}

impl std::fmt::Debug for Tx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.0 {
            TxInner::Postgres(_) => "Tx(PostgreSQL)",
            TxInner::Sqlite(_) => "Tx(SQLite)",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    /// On SQLite, the one connection that writes, with group commit (see `writer`): SQLite has a
    /// single writer anyway, and waiting for it is a fair queue in this process where waiting for
    /// the file lock would be SQLite's busy handler sleeping and polling. None on PostgreSQL,
    /// where every transaction has a connection of the pool.
    writer: Option<Arc<Writer>>,
    backend: Backend,
    /// On PostgreSQL, connections of PostgreSQL's own driver, for what `Any` cannot do
    /// (`COPY … FROM STDIN`, see [`Db::begin_postgres`]); connected when first used.
    native: Option<sqlx::PgPool>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("backend", &self.backend)
            .finish()
    }
}

/// Settings that make SQLite a good embedded server database: write-ahead logging so readers never
/// wait for the writer, foreign keys enforced, and a wait rather than an error when the file is busy
/// (another process such as `portico audit verify`, or a write that does not go through the writer).
/// `synchronous = FULL`: a commit is on disk (the WAL is synced) before it returns, so a write
/// acknowledged to a person survives a power loss; with NORMAL the last transactions before a
/// power loss could be lost although their receipts were sent.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
     PRAGMA busy_timeout = 10000; PRAGMA synchronous = FULL;";

/// How long a write waits for its turn on SQLite before it fails, as the busy timeout did before.
const SQLITE_WRITER_WAIT: Duration = Duration::from_secs(10);

impl Db {
    /// Connects to `sqlite://path?mode=rwc` or `postgres://…`.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Db, StoreError> {
        install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(redact(url)));
        };
        let options = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10));
        match backend {
            Backend::Sqlite => {
                let pool = sqlite_options(options).connect(url).await?;
                let writer = Writer::connect(url, SQLITE_PRAGMAS, SQLITE_WRITER_WAIT).await?;
                Ok(Db {
                    pool,
                    writer: Some(writer),
                    backend,
                    native: None,
                })
            }
            Backend::Postgres => {
                let pool = options.connect(url).await?;
                // At most two: only the datastore's large loads use it, a step at a time.
                let native = sqlx::postgres::PgPoolOptions::new()
                    .max_connections(max_connections.clamp(1, 2))
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_lazy(url)?;
                Ok(Db {
                    writer: None,
                    pool,
                    backend,
                    native: Some(native),
                })
            }
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Runs one write statement outside any other transaction (the job runner's updates): on
    /// SQLite it takes its turn on the writer like a transaction (and shares its group commit);
    /// on PostgreSQL it runs on the pool.
    pub async fn execute_write<'q>(
        &self,
        query: sqlx::query::Query<'q, sqlx::Any, AnyArguments<'q>>,
    ) -> Result<AnyQueryResult, StoreError> {
        if self.writer.is_none() {
            return Ok(query.execute(&self.pool).await?);
        }
        let mut tx = self.begin().await?;
        let done = query.execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(done)
    }

    /// As [`Db::execute_write`], for a statement that returns at most one row (`RETURNING`).
    pub async fn fetch_optional_write<'q, T>(
        &self,
        query: sqlx::query::QueryAs<'q, sqlx::Any, T, AnyArguments<'q>>,
    ) -> Result<Option<T>, StoreError>
    where
        T: Send + Unpin + for<'r> FromRow<'r, AnyRow>,
    {
        if self.writer.is_none() {
            return Ok(query.fetch_optional(&self.pool).await?);
        }
        let mut tx = self.begin().await?;
        let row = query.fetch_optional(&mut *tx).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Reads a row as the writer sees it, once every write queued before it is committed: for
    /// the loser of a race (a unique key another transaction took a moment ago) that answers
    /// with the winner's row. On SQLite the winner may still be in the open group commit, seen
    /// only by the writer connection, and a read through `pool()` would not find it yet; this
    /// read takes a turn on the writer and returns once that batch is committed. On PostgreSQL
    /// the winner has committed before the loser's statement failed, and it reads the pool.
    pub async fn read_latest<'q, T>(
        &self,
        query: sqlx::query::QueryAs<'q, sqlx::Any, T, AnyArguments<'q>>,
    ) -> Result<Option<T>, StoreError>
    where
        T: Send + Unpin + for<'r> FromRow<'r, AnyRow>,
    {
        self.fetch_optional_write(query).await
    }

    /// Starts a transaction for work that writes. On SQLite it takes its turn on the single
    /// writer connection, in order of arrival, and runs in a group commit (`writer`); the batch
    /// holds the write lock (`BEGIN IMMEDIATE`), so another process writing makes it wait on the
    /// busy timeout instead of failing when it upgrades a read lock. Reads go to `pool()` and
    /// never wait for a writer (WAL). Never begin a second transaction while holding one: on
    /// SQLite it would wait for the first one's turn, and fail after `SQLITE_WRITER_WAIT`.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        let tx = match &self.writer {
            Some(writer) => TxInner::Sqlite(writer.begin().await?),
            None => TxInner::Postgres(self.pool.begin().await?),
        };
        Ok(Tx(tx))
    }

    /// On PostgreSQL, a transaction on a connection of PostgreSQL's own driver rather than
    /// `Any`'s, for the one thing `Any`'s connections cannot do: `COPY … FROM STDIN`
    /// ([`PgTx::copy_in`]), the fast way to load many rows. Everything else goes through
    /// [`Db::begin`]; the statements run on it are PostgreSQL's own (`sqlx::query` on
    /// `&mut *pg_tx` is typed for `sqlx::Postgres`). None on SQLite, which has no `COPY`.
    pub async fn begin_postgres(&self) -> Result<Option<PgTx>, StoreError> {
        match &self.native {
            Some(pool) => Ok(Some(PgTx(pool.begin().await?))),
            None => Ok(None),
        }
    }

    /// On SQLite, how many write transactions were committed in how many `COMMIT`s.
    pub fn group_commit_stats(&self) -> Option<GroupCommitStats> {
        self.writer.as_ref().map(|w| w.stats())
    }

    /// True when the database answers; used by `/readyz`.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    pub async fn close(&self) {
        if let Some(writer) = &self.writer {
            writer.close().await;
        }
        self.pool.close().await;
        if let Some(native) = &self.native {
            native.close().await;
        }
    }
}

/// A PostgreSQL transaction on a connection of PostgreSQL's own driver ([`Db::begin_postgres`]).
/// It dereferences to the connection; dropped without `commit`, it rolls back.
pub struct PgTx(sqlx::Transaction<'static, sqlx::Postgres>);

impl PgTx {
    /// Runs `statement` (`COPY table (columns) FROM STDIN …`) with `data` as its input, in the
    /// format the statement names (the caller escapes the values for it); the rows copied.
    pub async fn copy_in(&mut self, statement: &str, data: &[u8]) -> Result<u64, StoreError> {
        let mut copy = self.0.copy_in_raw(statement).await?;
        // In pieces of at most 1 MiB: each is one message to the server.
        for piece in data.chunks(1 << 20) {
            if let Err(e) = copy.send(piece).await {
                // The server refused a piece: the copy is ended so the connection stays usable
                // (the transaction then rolls back).
                let _ = copy.abort(e.to_string()).await;
                return Err(e.into());
            }
        }
        Ok(copy.finish().await?)
    }

    /// Keeps the writes.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.0.commit().await
    }
}

impl Deref for PgTx {
    type Target = sqlx::PgConnection;

    fn deref(&self) -> &sqlx::PgConnection {
        &self.0
    }
}

impl DerefMut for PgTx {
    fn deref_mut(&mut self) -> &mut sqlx::PgConnection {
        &mut self.0
    }
}

impl std::fmt::Debug for PgTx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PgTx")
    }
}

/// SQLite's read connections: the pragmas on each, and no ping before each use. A connection
/// to a file in this process does not go stale the way a network connection does, and the ping
/// is a round trip to the connection's thread, as dear as a statement (in a profile of
/// submissions, nearly half the hand-offs to connection threads were these pings).
fn sqlite_options(options: AnyPoolOptions) -> AnyPoolOptions {
    options
        .test_before_acquire(false)
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                conn.execute(SQLITE_PRAGMAS).await?;
                Ok(())
            })
        })
}

/// The URL without its password, for error messages and logs.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testdb;
    use std::sync::{Arc, Mutex};

    async fn counter_table(db: &Db) {
        sqlx::raw_sql("CREATE TABLE t_counter (n BIGINT NOT NULL)")
            .execute(db.pool())
            .await
            .unwrap();
    }

    /// Writers that come one after another while the database is busy get their turn in the
    /// order they asked for it. Before the single writer connection, they slept in SQLite's busy
    /// handler and whoever polled first after the commit won, usually a late one.
    #[tokio::test]
    async fn sqlite_writers_take_their_turn_in_order() {
        let t = testdb::fresh_sized(&[crate::MIGRATIONS], 12).await.unwrap();
        if t.db.backend() != Backend::Sqlite {
            return; // PostgreSQL's BEGIN takes no lock; there is no queue to check.
        }
        counter_table(&t.db).await;
        let order = Arc::new(Mutex::new(Vec::new()));
        let first = t.db.begin().await.unwrap();
        let mut tasks = Vec::new();
        for i in 0..8 {
            let (db, order) = (t.db.clone(), order.clone());
            tasks.push(tokio::spawn(async move {
                let mut tx = db.begin().await.unwrap();
                order.lock().unwrap().push(i);
                sqlx::query("INSERT INTO t_counter (n) VALUES ($1)")
                    .bind(i as i64)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
            }));
            // Each writer is waiting before the next one arrives.
            tokio::time::sleep(Duration::from_millis(15)).await;
        }
        tokio::time::sleep(Duration::from_millis(60)).await;
        first.commit().await.unwrap();
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), (0..8).collect::<Vec<_>>());
    }

    /// Ten writers on a pool of two connections all finish. On SQLite each also reads through the
    /// pool while it holds its transaction: the writer has its own connection, so it never waits
    /// for a pool connection that a writer waiting for its turn holds (before, one writer held the
    /// lock and waited for a connection, the other held the last connection and waited for the
    /// lock, until the 10 s timeouts). On PostgreSQL every transaction holds a pool connection, so
    /// a read through the pool inside a transaction can wait for itself on a full pool; services
    /// read before they begin.
    #[tokio::test]
    async fn ten_writers_on_a_pool_of_two_all_finish() {
        let t = testdb::fresh_sized(&[crate::MIGRATIONS], 2).await.unwrap();
        counter_table(&t.db).await;
        let mut tasks = Vec::new();
        for i in 0..10i64 {
            let db = t.db.clone();
            tasks.push(tokio::spawn(async move {
                let mut tx = db.begin().await.unwrap();
                sqlx::query("INSERT INTO t_counter (n) VALUES ($1)")
                    .bind(i)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                if db.backend() == Backend::Sqlite {
                    let (seen,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM t_counter")
                        .fetch_one(db.pool())
                        .await
                        .unwrap();
                    assert!(
                        seen < 10,
                        "a read outside the transaction sees only commits"
                    );
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
                tx.commit().await.unwrap();
            }));
        }
        let all = async {
            for task in tasks {
                task.await.unwrap();
            }
        };
        tokio::time::timeout(Duration::from_secs(8), all)
            .await
            .expect("ten writers on two connections finish well within the 10 s waits");
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM t_counter")
            .fetch_one(t.db.pool())
            .await
            .unwrap();
        assert_eq!(n, 10);
    }

    /// On PostgreSQL a transaction of its own driver runs `COPY … FROM STDIN` and is kept or
    /// rolled back as a whole; SQLite has none.
    #[tokio::test]
    async fn postgres_copies_rows_in_a_transaction_of_its_own_driver() {
        let t = testdb::fresh_sized(&[crate::MIGRATIONS], 2).await.unwrap();
        let Some(mut tx) = t.db.begin_postgres().await.unwrap() else {
            assert_eq!(t.db.backend(), Backend::Sqlite);
            return;
        };
        sqlx::raw_sql("CREATE TABLE t_copy (n BIGINT, s TEXT)")
            .execute(t.db.pool())
            .await
            .unwrap();
        let copied = tx
            .copy_in("COPY t_copy (n, s) FROM STDIN", b"1\ta\\tb\n2\t\\N\n3\t\n")
            .await
            .unwrap();
        assert_eq!(copied, 3);
        tx.commit().await.unwrap();
        let rows: Vec<(i64, Option<String>)> = sqlx::query_as("SELECT n, s FROM t_copy ORDER BY n")
            .fetch_all(t.db.pool())
            .await
            .unwrap();
        assert_eq!(
            rows,
            [
                (1, Some("a\tb".to_owned())),
                (2, None),
                (3, Some(String::new()))
            ]
        );
        // A refused copy (a value of the wrong type) leaves nothing, and the pool goes on.
        let mut tx = t.db.begin_postgres().await.unwrap().unwrap();
        assert!(tx
            .copy_in("COPY t_copy (n, s) FROM STDIN", b"4\tx\nfour\ty\n")
            .await
            .is_err());
        drop(tx);
        let mut tx = t.db.begin_postgres().await.unwrap().unwrap();
        tx.copy_in("COPY t_copy (n, s) FROM STDIN", b"5\tz\n")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM t_copy")
            .fetch_one(t.db.pool())
            .await
            .unwrap();
        assert_eq!(n, 4);
    }

    async fn numbers(db: &Db) -> Vec<i64> {
        sqlx::query_as::<_, (i64,)>("SELECT n FROM t_counter ORDER BY n")
            .fetch_all(db.pool())
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.0)
            .collect()
    }

    async fn insert(tx: &mut Tx, n: i64) {
        sqlx::query("INSERT INTO t_counter (n) VALUES ($1)")
            .bind(n)
            .execute(&mut **tx)
            .await
            .unwrap();
    }

    /// Forty writers that queue while one holds the turn are all committed, in fewer `COMMIT`s
    /// (WAL syncs) than transactions, and each `commit()` returns only when its row can be read
    /// from the pool, that is when it is on disk.
    #[tokio::test]
    async fn queued_writers_share_commits_and_each_is_durable_when_answered() {
        let t = testdb::fresh_sized(&[crate::MIGRATIONS], 8).await.unwrap();
        counter_table(&t.db).await;
        let Some(before) = t.db.group_commit_stats() else {
            return; // PostgreSQL: every transaction commits on its own.
        };
        let first = t.db.begin().await.unwrap();
        let mut tasks = Vec::new();
        for i in 0..40i64 {
            let db = t.db.clone();
            tasks.push(tokio::spawn(async move {
                let mut tx = db.begin().await.unwrap();
                insert(&mut tx, i).await;
                tx.commit().await.unwrap();
                assert!(
                    numbers(&db).await.contains(&i),
                    "{i} answered before it was committed"
                );
            }));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        first.commit().await.unwrap();
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(numbers(&t.db).await, (0..40).collect::<Vec<_>>());
        let after = t.db.group_commit_stats().unwrap();
        assert_eq!(after.transactions - before.transactions, 41);
        assert!(
            after.commits - before.commits < 41,
            "41 transactions in {} commits",
            after.commits - before.commits
        );
    }

    /// In a batch, a transaction that fails (dropped without commit) or rolls back loses its own
    /// writes only; a nested savepoint inside a transaction still works.
    #[tokio::test]
    async fn a_transaction_that_fails_in_a_batch_takes_nothing_of_the_others() {
        let t = testdb::fresh_sized(&[crate::MIGRATIONS], 8).await.unwrap();
        counter_table(&t.db).await;
        let first = t.db.begin().await.unwrap();
        let kept = |n: i64| {
            let db = t.db.clone();
            tokio::spawn(async move {
                let mut tx = db.begin().await.unwrap();
                insert(&mut tx, n).await;
                tx.commit().await.unwrap();
            })
        };
        let a = kept(1);
        tokio::time::sleep(Duration::from_millis(10)).await;
        let db = t.db.clone();
        let dropped = tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            insert(&mut tx, 2).await;
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
        let db = t.db.clone();
        let rolled_back = tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            insert(&mut tx, 3).await;
            tx.rollback().await.unwrap();
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
        let db = t.db.clone();
        let nested = tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            insert(&mut tx, 4).await;
            let mut inner = sqlx::Connection::begin(&mut *tx).await.unwrap();
            sqlx::query("INSERT INTO t_counter (n) VALUES (5)")
                .execute(&mut *inner)
                .await
                .unwrap();
            inner.rollback().await.unwrap();
            {
                // Dropped without an end: sqlx queues its rollback on the connection.
                let mut forgotten = sqlx::Connection::begin(&mut *tx).await.unwrap();
                sqlx::query("INSERT INTO t_counter (n) VALUES (8)")
                    .execute(&mut *forgotten)
                    .await
                    .unwrap();
            }
            insert(&mut tx, 6).await;
            tx.commit().await.unwrap();
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
        let c = kept(7);
        tokio::time::sleep(Duration::from_millis(20)).await;
        first.commit().await.unwrap();
        for task in [a, dropped, rolled_back, nested, c] {
            task.await.unwrap();
        }
        assert_eq!(numbers(&t.db).await, vec![1, 4, 6, 7]);
    }

    /// The first transaction of a batch runs as the batch itself: when it rolls back or is
    /// dropped, the batch goes with it and nothing else; those queued behind it commit in a
    /// batch of their own, and a savepoint inside the first one still works.
    #[tokio::test]
    async fn a_batchs_first_transaction_that_fails_takes_only_its_own_writes() {
        for drop_it in [false, true] {
            let t = testdb::fresh_sized(&[crate::MIGRATIONS], 8).await.unwrap();
            counter_table(&t.db).await;
            let mut first = t.db.begin().await.unwrap();
            insert(&mut first, 1).await;
            let mut inner = sqlx::Connection::begin(&mut *first).await.unwrap();
            sqlx::query("INSERT INTO t_counter (n) VALUES (9)")
                .execute(&mut *inner)
                .await
                .unwrap();
            inner.rollback().await.unwrap();
            let queued: Vec<_> = (2..5)
                .map(|n| {
                    let db = t.db.clone();
                    tokio::spawn(async move {
                        let mut tx = db.begin().await.unwrap();
                        insert(&mut tx, n).await;
                        tx.commit().await.unwrap();
                    })
                })
                .collect();
            tokio::time::sleep(Duration::from_millis(20)).await;
            if drop_it {
                drop(first);
            } else {
                first.rollback().await.unwrap();
            }
            for task in queued {
                task.await.unwrap();
            }
            assert_eq!(numbers(&t.db).await, vec![2, 3, 4], "dropped: {drop_it}");
            let mut alone = t.db.begin().await.unwrap();
            insert(&mut alone, 5).await;
            alone.commit().await.unwrap();
            assert_eq!(numbers(&t.db).await, vec![2, 3, 4, 5], "dropped: {drop_it}");
        }
    }

    /// A writer whose caller goes away while it waits for its turn (a closed connection) does
    /// not leave the others waiting for a batch nobody commits.
    #[tokio::test]
    async fn a_writer_that_gives_up_waiting_does_not_stall_the_others() {
        let t = testdb::fresh_sized(&[crate::MIGRATIONS], 8).await.unwrap();
        counter_table(&t.db).await;
        for _ in 0..5 {
            let mut first = t.db.begin().await.unwrap();
            insert(&mut first, 1).await;
            let db = t.db.clone();
            let gives_up = tokio::spawn(async move {
                let mut tx = db.begin().await.unwrap();
                insert(&mut tx, 2).await;
                tx.commit().await.unwrap();
            });
            tokio::time::sleep(Duration::from_millis(20)).await;
            let committed = tokio::spawn(first.commit());
            gives_up.abort();
            tokio::time::timeout(Duration::from_secs(3), committed)
                .await
                .expect("the first writer's commit is answered")
                .unwrap()
                .unwrap();
        }
        assert!(numbers(&t.db).await.iter().filter(|n| **n == 1).count() == 5);
    }

    /// A transaction dropped while its runtime is then blocked (a test waiting on a CLI process,
    /// a handler stuck in blocking code) still gives the write lock back: another process can
    /// write well within its busy timeout.
    #[tokio::test]
    async fn a_dropped_transaction_gives_the_write_lock_back_though_the_runtime_is_blocked() {
        let t = testdb::fresh_sized(&[crate::MIGRATIONS], 4).await.unwrap();
        if t.db.backend() != Backend::Sqlite {
            return; // Other PostgreSQL sessions never wait for a dropped transaction's lock.
        }
        counter_table(&t.db).await;
        {
            let mut tx = t.db.begin().await.unwrap();
            insert(&mut tx, 1).await;
        }
        let url = t.url.clone();
        let other_process = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let db = Db::connect(&url, 1).await.unwrap();
                let started = std::time::Instant::now();
                let mut tx = db.begin().await.unwrap();
                insert(&mut tx, 2).await;
                tx.commit().await.unwrap();
                started.elapsed()
            })
        });
        // join() blocks this test's only runtime thread until the other writer is done.
        let waited = other_process.join().unwrap();
        assert!(
            waited < Duration::from_secs(3),
            "waited {waited:?} for the lock"
        );
        assert_eq!(numbers(&t.db).await, vec![2]);
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("sqlite://x.db"), "sqlite://x.db");
    }
}
