//! Fresh, isolated databases for tests. `PORTICO_TEST_DATABASE=postgres` runs a test on its own
//! new PostgreSQL database (from `PORTICO_TEST_POSTGRES_URL`, default the local server);
//! anything else runs it on a new SQLite file. Tests therefore run in parallel without sharing rows.

use crate::{Db, StoreError};

pub struct TestDb {
    pub db: Db,
    pub url: String,
    _cleanup: Cleanup,
}

/// Removes a test's database when the test ends: the SQLite folder, or the PostgreSQL database
/// (on a thread of its own, since `Drop` cannot wait on async work). Without it a day of local
/// test runs leaves thousands of databases behind and fills the disk.
pub struct Cleanup(Leftover);

enum Leftover {
    SqliteDir(std::path::PathBuf),
    PostgresDatabase(String),
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        match &self.0 {
            Leftover::SqliteDir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Leftover::PostgresDatabase(name) => {
                let name = name.clone();
                // Detached: the test does not wait for the drop. Whatever is still running when
                // the test binary exits is dropped by scripts/test before and after each run.
                std::thread::spawn(move || drop_postgres_database(&name));
            }
        }
    }
}

fn drop_postgres_database(name: &str) {
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    runtime.block_on(async {
        if let Ok(admin) = Db::connect(&postgres_admin_url(), 1).await {
            let _ = sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(admin.pool())
                .await;
            admin.close().await;
        }
    });
}

pub fn wants_postgres() -> bool {
    std::env::var("PORTICO_TEST_DATABASE")
        .map(|v| v == "postgres")
        .unwrap_or(false)
}

pub fn postgres_admin_url() -> String {
    std::env::var("PORTICO_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A URL for a brand-new empty database of the kind the test run asks for, and the guard that
/// removes it when dropped (keep it as long as the database is used).
pub async fn fresh_url() -> Result<(String, Cleanup), StoreError> {
    // Random (v4), not time-ordered: tests starting in the same millisecond must not collide.
    let name = format!("portico_t_{}", uuid::Uuid::new_v4().simple());
    if wants_postgres() {
        let admin = Db::connect(&postgres_admin_url(), 1).await?;
        sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
            .execute(admin.pool())
            .await?;
        admin.close().await;
        let mut url = url::Url::parse(&postgres_admin_url())
            .map_err(|e| StoreError::UnsupportedUrl(e.to_string()))?;
        url.set_path(&name);
        Ok((url.to_string(), Cleanup(Leftover::PostgresDatabase(name))))
    } else {
        let dir = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&dir)?;
        let url = format!("sqlite://{}?mode=rwc", dir.join("portico.db").display());
        Ok((url, Cleanup(Leftover::SqliteDir(dir))))
    }
}

pub async fn fresh(blocks: &[&[crate::Migration]]) -> Result<TestDb, StoreError> {
    fresh_sized(blocks, 5).await
}

/// A fresh database whose pool holds at most `max_connections` (for tests about waiting).
pub async fn fresh_sized(
    blocks: &[&[crate::Migration]],
    max_connections: u32,
) -> Result<TestDb, StoreError> {
    let (url, cleanup) = fresh_url().await?;
    let db = Db::connect(&url, max_connections).await?;
    crate::migrate::run(&db, blocks).await?;
    Ok(TestDb {
        db,
        url,
        _cleanup: cleanup,
    })
}
