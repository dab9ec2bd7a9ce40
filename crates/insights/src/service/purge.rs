//! What insights forgets: the raw material behind the counters once it is older than
//! [`RETENTION_DAYS`]. The counters themselves (and the ratings added to them) are kept
//! indefinitely; what goes is the list of event ids already counted (`insights_seen`), drafts
//! that were submitted or abandoned, and feedback with its comments. Run by every node's periodic
//! purge; deleting twice deletes nothing more.

use crate::InsightsError;
use chrono::{DateTime, Utc};
use portico_store::Tx;

/// How long raw events (their ids), resolved drafts and feedback are kept: thirteen months, the
/// dashboard's year and a month more, far beyond any retry of an event's job (finished jobs are
/// kept a week), so an event replayed within it is still counted once.
pub const RETENTION_DAYS: i64 = 400;

/// What one purge deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub seen: u64,
    pub drafts: u64,
    pub feedback: u64,
}

/// Deletes what is older than the retention as of `now`, in the caller's transaction.
pub async fn purge(tx: &mut Tx, now: DateTime<Utc>) -> Result<Purged, InsightsError> {
    let cutoff = portico_core::calendar::sofia_date(now - chrono::Duration::days(RETENTION_DAYS))
        .format("%Y-%m-%d")
        .to_string();
    let seen = sqlx::query("DELETE FROM insights_seen WHERE day < $1")
        .bind(&cutoff)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    let drafts =
        sqlx::query("DELETE FROM insights_drafts WHERE state <> 'open' AND started_on < $1")
            .bind(&cutoff)
            .execute(&mut **tx)
            .await?
            .rows_affected();
    let feedback = sqlx::query("DELETE FROM insights_feedback WHERE day < $1")
        .bind(&cutoff)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(Purged {
        seen,
        drafts,
        feedback,
    })
}
