//! Fresh, isolated databases for tests. `PORTICO_TEST_DATABASE=postgres` runs a test on its own
//! new PostgreSQL database (from `PORTICO_TEST_POSTGRES_URL`, default the local server);
//! anything else runs it on a new SQLite file. Tests therefore run in parallel without sharing rows.
//!
//! Migrating every block's schema costs about as much as a short test, so a migrated database is
//! made once per set of migrations and copied for each test: `CREATE DATABASE … TEMPLATE` on
//! PostgreSQL, a file copy on SQLite ([`fresh_migrated_url`]).

use crate::migrate::Migration;
use crate::{Db, StoreError};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

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
    if wants_postgres() {
        new_postgres_database(None).await
    } else {
        Ok(new_sqlite_folder()?.1)
    }
}

/// A new PostgreSQL database, empty or copied from `template`, and its guard.
async fn new_postgres_database(template: Option<&str>) -> Result<(String, Cleanup), StoreError> {
    let name = new_name();
    let sql = match template {
        Some(template) => format!("CREATE DATABASE {name} TEMPLATE {template}"),
        None => format!("CREATE DATABASE {name}"),
    };
    let admin = Db::connect(&postgres_admin_url(), 1).await?;
    let created = sqlx::raw_sql(&sql).execute(admin.pool()).await;
    admin.close().await;
    created?;
    Ok((
        postgres_url_of(&name)?,
        Cleanup(Leftover::PostgresDatabase(name)),
    ))
}

/// A new folder for a SQLite test database: the file's path, and its URL with the guard.
fn new_sqlite_folder() -> Result<(PathBuf, (String, Cleanup)), StoreError> {
    let dir = std::env::temp_dir().join(new_name());
    std::fs::create_dir_all(&dir)?;
    let file = dir.join("portico.db");
    let url = format!("sqlite://{}?mode=rwc", file.display());
    Ok((file, (url, Cleanup(Leftover::SqliteDir(dir)))))
}

/// Random (v4), not time-ordered: tests starting in the same millisecond must not collide.
fn new_name() -> String {
    format!("portico_t_{}", uuid::Uuid::new_v4().simple())
}

pub async fn fresh(blocks: &[&[crate::Migration]]) -> Result<TestDb, StoreError> {
    fresh_sized(blocks, 5).await
}

/// A fresh database whose pool holds at most `max_connections` (for tests about waiting).
pub async fn fresh_sized(
    blocks: &[&[crate::Migration]],
    max_connections: u32,
) -> Result<TestDb, StoreError> {
    let (url, cleanup) = fresh_migrated_url(blocks).await?;
    let db = Db::connect(&url, max_connections).await?;
    Ok(TestDb {
        db,
        url,
        _cleanup: cleanup,
    })
}

/// A URL for a brand-new database of the kind the test run asks for that already holds every
/// migration of `blocks`, and the guard that removes it. The migrated template it is copied from
/// is made once per test process and set of migrations (and on PostgreSQL kept, named after the
/// migrations' checksum, for the next process; scripts/test drops it with the other `portico_t_`
/// databases).
pub async fn fresh_migrated_url(blocks: &[&[Migration]]) -> Result<(String, Cleanup), StoreError> {
    match migrated_template(blocks).await? {
        Template::Postgres(template) => new_postgres_database(Some(&template)).await,
        Template::Sqlite(file) => {
            let (copy, fresh) = new_sqlite_folder()?;
            std::fs::copy(&file, &copy)?;
            Ok(fresh)
        }
    }
}

#[derive(Clone)]
enum Template {
    /// The template database's name.
    Postgres(String),
    /// The migrated SQLite file to copy.
    Sqlite(PathBuf),
}

/// The template for this set of migrations, made by the first test that asks; the others wait
/// for it. (Each test has its own runtime, so the cell is awaited across runtimes; the template is
/// made on connections opened and closed inside the one call.)
async fn migrated_template(blocks: &[&[Migration]]) -> Result<Template, StoreError> {
    type Cells = Mutex<HashMap<String, Arc<tokio::sync::OnceCell<Template>>>>;
    static CELLS: OnceLock<Cells> = OnceLock::new();
    let key = migrations_key(blocks);
    let cell = CELLS
        .get_or_init(Default::default)
        .lock()
        // A test that panicked while holding it left the map whole: carry on with it.
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .entry(key.clone())
        .or_default()
        .clone();
    cell.get_or_try_init(|| make_template(blocks, &key))
        .await
        .cloned()
}

/// Names a set of migrations by what they hold, so that an edited migration gets a new template.
fn migrations_key(blocks: &[&[Migration]]) -> String {
    let mut hash = Sha256::new();
    for migration in blocks.iter().flat_map(|block| block.iter()) {
        hash.update(migration.id.as_bytes());
        hash.update([0]);
        hash.update(migration.sql.as_bytes());
        hash.update([0]);
    }
    hex::encode(&hash.finalize()[..8])
}

async fn make_template(blocks: &[&[Migration]], key: &str) -> Result<Template, StoreError> {
    let name = format!("portico_t_template_{key}");
    if wants_postgres() {
        make_postgres_template(blocks, &name).await
    } else {
        make_sqlite_template(blocks, &name).await
    }
}

/// Migrates a database under a name of its own, then renames it to the template's name: a
/// template that exists is therefore complete, whichever process made it.
async fn make_postgres_template(
    blocks: &[&[Migration]],
    name: &str,
) -> Result<Template, StoreError> {
    let admin = Db::connect(&postgres_admin_url(), 1).await?;
    let result = async {
        let (exists,): (bool,) =
            sqlx::query_as("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
                .bind(name)
                .fetch_one(admin.pool())
                .await?;
        if exists {
            return Ok(());
        }
        let building = format!("portico_t_building_{}", uuid::Uuid::new_v4().simple());
        sqlx::raw_sql(&format!("CREATE DATABASE {building}"))
            .execute(admin.pool())
            .await?;
        let db = Db::connect(&postgres_url_of(&building)?, 2).await?;
        let migrated = crate::migrate::run(&db, blocks).await;
        db.close().await;
        migrated?;
        let renamed = sqlx::raw_sql(&format!("ALTER DATABASE {building} RENAME TO {name}"))
            .execute(admin.pool())
            .await;
        if renamed.is_err() {
            // Another process finished first: use its template, drop this one.
            sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
                .execute(admin.pool())
                .await?;
        }
        Ok::<(), StoreError>(())
    }
    .await;
    admin.close().await;
    result.map(|()| Template::Postgres(name.to_owned()))
}

/// Migrates a new file, writes a compacted copy of it (`VACUUM INTO`: one file, no journal) under
/// a name of its own and renames that into place.
async fn make_sqlite_template(blocks: &[&[Migration]], name: &str) -> Result<Template, StoreError> {
    let folder = std::env::temp_dir().join(name);
    let file = folder.join("portico.db");
    if file.exists() {
        return Ok(Template::Sqlite(file));
    }
    std::fs::create_dir_all(&folder)?;
    let scratch = std::env::temp_dir().join(format!(
        "portico_t_building_{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&scratch)?;
    let result = async {
        let url = format!("sqlite://{}?mode=rwc", scratch.join("portico.db").display());
        // Two: the migration holds one connection for its lock while it applies with another.
        let db = Db::connect(&url, 2).await?;
        let migrated = crate::migrate::run(&db, blocks).await;
        let compacted = scratch.join("template.db");
        let vacuumed = match migrated {
            Ok(_) => sqlx::query("VACUUM INTO $1")
                .bind(compacted.display().to_string())
                .execute(db.pool())
                .await
                .map(|_| ())
                .map_err(StoreError::from),
            Err(e) => Err(e),
        };
        db.close().await;
        vacuumed?;
        std::fs::rename(&compacted, &file)?;
        Ok::<(), StoreError>(())
    }
    .await;
    let _ = std::fs::remove_dir_all(&scratch);
    result.map(|()| Template::Sqlite(file))
}

fn postgres_url_of(name: &str) -> Result<String, StoreError> {
    let mut url = url::Url::parse(&postgres_admin_url())
        .map_err(|e| StoreError::UnsupportedUrl(e.to_string()))?;
    url.set_path(name);
    Ok(url.to_string())
}
