//! Migrations. Each building block ships its own list (`MIGRATIONS` in its crate root); the binary
//! runs them all, in order, each in its own transaction. One SQL text serves both databases; the
//! single type that differs (binary data) is written `{{BLOB}}` and filled in here.

use crate::db::{Backend, Db};
use crate::StoreError;
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// `block/NNNN_name`, unique across the platform.
    pub id: &'static str,
    pub sql: &'static str,
}

fn render(sql: &str, backend: Backend) -> String {
    let blob = match backend {
        Backend::Sqlite => "BLOB",
        Backend::Postgres => "BYTEA",
    };
    sql.replace("{{BLOB}}", blob)
}

fn checksum(sql: &str) -> String {
    hex::encode(Sha256::digest(sql.as_bytes()))
}

/// Applies every migration not applied yet and checks that applied ones were not edited since.
/// Returns the ids it applied. Safe to run from several nodes at once on PostgreSQL (an advisory
/// lock serialises them); SQLite has one writer anyway.
pub async fn run(db: &Db, blocks: &[&[Migration]]) -> Result<Vec<String>, StoreError> {
    let mut conn = db.pool().acquire().await?;
    if db.backend() == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_lock(7036547)")
            .execute(&mut *conn)
            .await?;
    }
    // Under the lock: two nodes creating the table at once on a fresh PostgreSQL database would
    // collide in its catalog even with IF NOT EXISTS.
    let result = async {
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                id TEXT PRIMARY KEY,
                checksum TEXT NOT NULL,
                applied_at BIGINT NOT NULL
            )",
        )
        .execute(&mut *conn)
        .await?;
        apply_pending(db, blocks).await
    }
    .await;
    if db.backend() == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_unlock(7036547)")
            .execute(&mut *conn)
            .await?;
    }
    result
}

async fn apply_pending(db: &Db, blocks: &[&[Migration]]) -> Result<Vec<String>, StoreError> {
    let mut applied = Vec::new();
    for migration in blocks.iter().flat_map(|b| b.iter()) {
        let sql = render(migration.sql, db.backend());
        let sum = checksum(migration.sql);
        let existing: Option<(String,)> =
            sqlx::query_as("SELECT checksum FROM schema_migrations WHERE id = $1")
                .bind(migration.id)
                .fetch_optional(db.pool())
                .await?;
        match existing {
            Some((found,)) if found == sum => continue,
            Some((found,)) => {
                return Err(StoreError::MigrationChanged {
                    id: migration.id.to_owned(),
                    expected: sum,
                    found,
                })
            }
            None => {}
        }
        let mut tx = db.begin().await?;
        sqlx::raw_sql(&sql).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO schema_migrations (id, checksum, applied_at) VALUES ($1, $2, $3)")
            .bind(migration.id)
            .bind(&sum)
            .bind(chrono::Utc::now().timestamp_millis())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::info!(migration = migration.id, "applied migration");
        applied.push(migration.id.to_owned());
    }
    Ok(applied)
}
