//! Fresh, isolated databases for tests. `PORTICO_TEST_DATABASE=postgres` runs a test on its own
//! new PostgreSQL database (from `PORTICO_TEST_POSTGRES_URL`, default the local server);
//! anything else runs it on a new SQLite file. Tests therefore run in parallel without sharing rows.

use crate::{Db, StoreError};

pub struct TestDb {
    pub db: Db,
    pub url: String,
    _dir: Option<TempDirGuard>,
}

/// Removes the SQLite folder when the test ends.
struct TempDirGuard(std::path::PathBuf);

impl Drop for TempDirGuard {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
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

/// A URL for a brand-new empty database of the kind the test run asks for.
pub async fn fresh_url() -> Result<(String, Option<std::path::PathBuf>), StoreError> {
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
        Ok((url.to_string(), None))
    } else {
        let dir = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&dir)?;
        let url = format!("sqlite://{}?mode=rwc", dir.join("portico.db").display());
        Ok((url, Some(dir)))
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
    let (url, dir) = fresh_url().await?;
    let db = Db::connect(&url, max_connections).await?;
    crate::migrate::run(&db, blocks).await?;
    Ok(TestDb {
        db,
        url,
        _dir: dir.map(TempDirGuard),
    })
}
