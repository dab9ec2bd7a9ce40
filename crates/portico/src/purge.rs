//! The periodic purge: each block forgets what it no longer needs through its own function
//! (identity its expired sessions, codes and throttle rows; insights its raw events and
//! feedback past their retention; storage its finished jobs). Every
//! node runs it; the deletions are idempotent, so nodes running it at once do no harm.

use anyhow::Result;
use chrono::{DateTime, Duration, Utc};
use portico_store::Db;

/// How often a node purges.
pub const EVERY: std::time::Duration = std::time::Duration::from_secs(60 * 60);

/// How long a finished (done or dead) job is kept, for the operator's view of what went out.
pub fn keep_jobs() -> Duration {
    Duration::days(7)
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub identity: portico_identity::service::purge::Purged,
    pub insights: portico_insights::service::purge::Purged,
    pub jobs: u64,
}

/// Purges once, as of `now`.
pub async fn run(db: &Db, now: DateTime<Utc>) -> Result<Purged> {
    let mut tx = db.begin().await?;
    let identity = portico_identity::service::purge::purge(&mut tx, now).await?;
    tx.commit().await?;
    let mut tx = db.begin().await?;
    let insights = portico_insights::service::purge::purge(&mut tx, now).await?;
    tx.commit().await?;
    let jobs = portico_store::jobs::purge(db, now, now - keep_jobs()).await?;
    Ok(Purged {
        identity,
        insights,
        jobs,
    })
}

/// Purges every [`EVERY`] until the process ends.
pub async fn periodically(db: Db, clock: std::sync::Arc<dyn portico_core::Clock>) {
    let mut ticker = tokio::time::interval(EVERY);
    loop {
        ticker.tick().await;
        match run(&db, clock.now()).await {
            Ok(purged) => tracing::info!(?purged, "purged what is no longer needed"),
            Err(error) => tracing::warn!(%error, "could not purge"),
        }
    }
}
