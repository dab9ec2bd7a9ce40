//! The connection pool, and the only place that knows which database is behind it.

use crate::StoreError;
use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::time::Duration;

pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    /// On SQLite, the one connection that writes: SQLite has a single writer anyway, and waiting
    /// for this pool's only connection is a fair queue (first come, first served, woken when the
    /// previous writer is done) where waiting for the file lock is SQLite's busy handler sleeping
    /// and polling. On PostgreSQL it is the same pool as `pool`.
    writer: AnyPool,
    backend: Backend,
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
                // The writer's pool is fair (sqlx's default): waiters are served in order.
                let writer = sqlite_options(AnyPoolOptions::new())
                    .max_connections(1)
                    .acquire_timeout(SQLITE_WRITER_WAIT)
                    // A local file: there is no connection to lose, so no ping before each write.
                    .test_before_acquire(false)
                    .connect(url)
                    .await?;
                Ok(Db {
                    pool,
                    writer,
                    backend,
                })
            }
            Backend::Postgres => {
                let pool = options.connect(url).await?;
                Ok(Db {
                    writer: pool.clone(),
                    pool,
                    backend,
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

    /// Where a single write statement outside a transaction goes (the job runner's updates), so
    /// that on SQLite it queues with the transactions instead of polling for the file lock.
    pub fn writer(&self) -> &AnyPool {
        &self.writer
    }

    /// Starts a transaction for work that writes. On SQLite it runs on the single writer
    /// connection, so writers wait for each other in a fair queue in this process, and takes the
    /// write lock at once (`BEGIN IMMEDIATE`), so another process writing makes it wait on the
    /// busy timeout instead of failing when it upgrades a read lock. Reads go to `pool()` and never
    /// wait for a writer (WAL). Never begin a second transaction while holding one: on SQLite it
    /// would wait for the first one's connection, and fail after `SQLITE_WRITER_WAIT`.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        let tx = match self.backend {
            Backend::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(tx)
    }

    /// True when the database answers; used by `/readyz`.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    pub async fn close(&self) {
        self.writer.close().await;
        self.pool.close().await;
    }
}

fn sqlite_options(options: AnyPoolOptions) -> AnyPoolOptions {
    options.after_connect(|conn, _meta| {
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

    #[test]
    fn redacts_passwords() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("sqlite://x.db"), "sqlite://x.db");
    }
}
