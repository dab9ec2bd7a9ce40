//! Signed checkpoints kept outside the database as well: an append-only file of JSON lines
//! (`audit-checkpoints.jsonl` in the data folder), one per checkpoint. Someone who can rewrite the
//! database can delete rows *and* the checkpoints that cover them; the file still holds those
//! checkpoints, so `portico audit verify` notices. Lines are only ever appended and synced to disk.

use crate::model::Problem;
use crate::{AuditError, SigningKey};
use chrono::{DateTime, Duration, Utc};
use portico_core::clock::{from_millis, to_millis};
use portico_store::Db;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The file's name in the data folder.
pub const FILE_NAME: &str = "audit-checkpoints.jsonl";

/// One line of the file: a checkpoint as the database holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnchorLine {
    pub seq: i64,
    pub hash: String,
    /// When it was signed, RFC 3339 (for people reading the file).
    pub time: String,
    /// The same instant in milliseconds, as signed.
    pub at_ms: i64,
    pub key_id: String,
    pub signature: String,
}

#[derive(Debug, Clone)]
pub struct Anchor {
    path: PathBuf,
}

type CheckpointRow = (i64, String, i64, String, String);

async fn db_checkpoints(db: &Db, after: i64) -> Result<Vec<AnchorLine>, AuditError> {
    let rows: Vec<CheckpointRow> = sqlx::query_as(
        "SELECT seq, hash, at, key_id, signature FROM audit_checkpoints WHERE seq > $1 ORDER BY seq",
    )
    .bind(after)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(seq, hash, at_ms, key_id, signature)| AnchorLine {
            seq,
            hash,
            time: from_millis(at_ms).to_rfc3339(),
            at_ms,
            key_id,
            signature,
        })
        .collect())
}

impl Anchor {
    pub fn in_folder(data_dir: &Path) -> Anchor {
        Anchor {
            path: data_dir.join(FILE_NAME),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file's lines, oldest first; none when there is no file yet. A line that is not a
    /// checkpoint is an error naming its line number (the file was edited).
    pub async fn read(&self) -> Result<Vec<AnchorLine>, AuditError> {
        let path = self.path.clone();
        let text = match tokio::fs::read_to_string(&path).await {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(AuditError::Anchor(format!("{}: {e}", path.display()))),
        };
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                serde_json::from_str(l).map_err(|e| {
                    AuditError::Anchor(format!("{} line {}: {e}", path.display(), i + 1))
                })
            })
            .collect()
    }

    /// Appends every checkpoint of the database newer than the file's last line (after a
    /// checkpoint is signed, and at start-up to catch up after a crash between the two writes),
    /// and syncs the file. Returns how many lines were added.
    pub async fn sync(&self, db: &Db) -> Result<usize, AuditError> {
        let last = self.read().await?.last().map(|l| l.seq).unwrap_or(0);
        let new = db_checkpoints(db, last).await?;
        if new.is_empty() {
            return Ok(0);
        }
        let mut text = String::new();
        for line in &new {
            text.push_str(
                &serde_json::to_string(line).map_err(|e| AuditError::Anchor(e.to_string()))?,
            );
            text.push('\n');
        }
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)?;
            file.write_all(text.as_bytes())?;
            file.sync_all()
        })
        .await
        .map_err(|e| AuditError::Anchor(e.to_string()))?
        .map_err(|e| AuditError::Anchor(format!("{}: {e}", self.path.display())))?;
        Ok(new.len())
    }

    /// What is wrong between the file, the database and the chain's head, if anything: a line of
    /// the file whose checkpoint the database no longer holds (or holds differently), a line not
    /// signed by the platform, a database checkpoint after the file's last line, or rows at the
    /// head that no checkpoint in the file covers although they are older than `max_age`.
    pub async fn check(
        &self,
        db: &Db,
        key: &SigningKey,
        max_age: Duration,
        now: DateTime<Utc>,
    ) -> Result<Option<Problem>, AuditError> {
        let lines = self.read().await?;
        let first = lines.first().map(|l| l.seq).unwrap_or(0);
        let in_db = db_checkpoints(db, first - 1).await?;
        let mut in_db = in_db.into_iter().peekable();
        for line in &lines {
            if !key.verify(
                &crate::service::checkpoint_message(line.seq, &line.hash, line.at_ms),
                &line.signature,
            ) {
                return Ok(Some(Problem::BadAnchor {
                    seq: line.seq,
                    reason: "its signature is not the platform's".into(),
                }));
            }
            while in_db.peek().is_some_and(|c| c.seq < line.seq) {
                // A checkpoint in the database between two lines of the file: not anchored.
                if let Some(c) = in_db.next() {
                    return Ok(Some(Problem::Unanchored { seq: c.seq }));
                }
            }
            match in_db.next() {
                Some(c) if c.seq == line.seq => {
                    if c.hash != line.hash || c.at_ms != line.at_ms || c.signature != line.signature
                    {
                        return Ok(Some(Problem::BadAnchor {
                            seq: line.seq,
                            reason: "the database's checkpoint differs from the file's".into(),
                        }));
                    }
                }
                _ => return Ok(Some(Problem::AnchorRemoved { seq: line.seq })),
            }
        }
        if let Some(c) = in_db.next() {
            return Ok(Some(Problem::Unanchored { seq: c.seq }));
        }
        let anchored = lines.last().map(|l| l.seq).unwrap_or(0);
        let oldest_uncovered: Option<(i64,)> =
            sqlx::query_as("SELECT at FROM audit_log WHERE seq = $1")
                .bind(anchored + 1)
                .fetch_optional(db.pool())
                .await?;
        if let Some((at_ms,)) = oldest_uncovered {
            if at_ms < to_millis(now - max_age) {
                let (head_seq,): (i64,) = sqlx::query_as("SELECT seq FROM audit_head WHERE id = 1")
                    .fetch_one(db.pool())
                    .await?;
                return Ok(Some(Problem::HeadNotCovered {
                    head_seq,
                    anchored_seq: anchored,
                    max_age_secs: max_age.num_seconds(),
                }));
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::model::Event;
    use crate::service::{append, checkpoint, verify};
    use portico_store::testdb;

    async fn add_rows(db: &Db, n: usize, at: DateTime<Utc>) {
        for i in 0..n {
            let mut tx = db.begin().await.unwrap();
            let event =
                Event::new("acct-1", "test.event", "subject-1").with(serde_json::json!({ "i": i }));
            append(&mut tx, event, at).await.unwrap();
            tx.commit().await.unwrap();
        }
    }

    struct Setup {
        t: testdb::TestDb,
        key: SigningKey,
        anchor: Anchor,
        _dir: tempfile::TempDir,
    }

    /// Five rows, signed, and the checkpoint in the file.
    async fn anchored() -> Setup {
        let t = testdb::fresh(&[crate::MIGRATIONS]).await.unwrap();
        let key = SigningKey::generate();
        let dir = tempfile::tempdir().unwrap();
        let anchor = Anchor::in_folder(dir.path());
        add_rows(&t.db, 5, Utc::now()).await;
        checkpoint(&t.db, &key, Utc::now()).await.unwrap();
        assert_eq!(anchor.sync(&t.db).await.unwrap(), 1);
        Setup {
            t,
            key,
            anchor,
            _dir: dir,
        }
    }

    async fn check(s: &Setup) -> Option<Problem> {
        s.anchor
            .check(&s.t.db, &s.key, Duration::minutes(10), Utc::now())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn the_file_holds_one_json_line_per_checkpoint_and_matches() {
        let s = anchored().await;
        assert_eq!(check(&s).await, None);
        add_rows(&s.t.db, 2, Utc::now()).await;
        checkpoint(&s.t.db, &s.key, Utc::now()).await.unwrap();
        assert_eq!(s.anchor.sync(&s.t.db).await.unwrap(), 1);
        assert_eq!(s.anchor.sync(&s.t.db).await.unwrap(), 0, "nothing twice");
        let text = std::fs::read_to_string(s.anchor.path()).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["seq"], 5);
        assert_eq!(lines[1]["seq"], 7);
        assert!(lines[1]["hash"].as_str().unwrap().len() == 64);
        assert!(lines[1]["time"].as_str().unwrap().contains('T'));
        assert!(!lines[1]["signature"].as_str().unwrap().is_empty());
        assert_eq!(check(&s).await, None);
    }

    /// Someone with the database deletes the newest rows *and* the checkpoint that covered them,
    /// and sets the head back: the chain alone verifies, the file does not.
    #[tokio::test]
    async fn checkpoints_removed_from_the_database_are_named() {
        let s = anchored().await;
        let db = &s.t.db;
        for sql in [
            "DELETE FROM audit_checkpoints",
            "DELETE FROM audit_log WHERE seq > 3",
            "UPDATE audit_head SET seq = 3, hash = (SELECT hash FROM audit_log WHERE seq = 3)",
        ] {
            sqlx::query(sql).execute(db.pool()).await.unwrap();
        }
        assert_eq!(verify(db, &s.key).await.unwrap().problem, None);
        assert_eq!(check(&s).await, Some(Problem::AnchorRemoved { seq: 5 }));
    }

    #[tokio::test]
    async fn a_file_cut_short_or_edited_is_named() {
        let s = anchored().await;
        std::fs::write(s.anchor.path(), "").unwrap();
        assert_eq!(check(&s).await, Some(Problem::Unanchored { seq: 5 }));

        s.anchor.sync(&s.t.db).await.unwrap();
        let text = std::fs::read_to_string(s.anchor.path()).unwrap();
        let mut line: AnchorLine = serde_json::from_str(text.trim()).unwrap();
        line.hash = "0".repeat(64);
        std::fs::write(
            s.anchor.path(),
            serde_json::to_string(&line).unwrap() + "\n",
        )
        .unwrap();
        assert!(matches!(
            check(&s).await,
            Some(Problem::BadAnchor { seq: 5, .. })
        ));
    }

    #[tokio::test]
    async fn a_head_without_a_recent_checkpoint_fails() {
        let s = anchored().await;
        let an_hour_ago = Utc::now() - Duration::hours(1);
        add_rows(&s.t.db, 3, an_hour_ago).await;
        assert_eq!(
            check(&s).await,
            Some(Problem::HeadNotCovered {
                head_seq: 8,
                anchored_seq: 5,
                max_age_secs: 600
            })
        );
        // Young rows after the last checkpoint are fine; signed and anchored, old ones are too.
        let lenient = s
            .anchor
            .check(&s.t.db, &s.key, Duration::hours(2), Utc::now())
            .await
            .unwrap();
        assert_eq!(lenient, None);
        checkpoint(&s.t.db, &s.key, Utc::now()).await.unwrap();
        s.anchor.sync(&s.t.db).await.unwrap();
        assert_eq!(check(&s).await, None);
    }
}
