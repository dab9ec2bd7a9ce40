use crate::chain::{self, RowFields};
use crate::model::{AuditEntry, Event, Problem, VerifyReport};
use crate::{AuditError, SigningKey};
use chrono::{DateTime, Utc};
use futures_lite::StreamExt;
use portico_core::clock::{from_millis, to_millis};
use portico_core::Page;
use portico_store::{Db, Tx};

/// Appends an event to the chain inside the caller's transaction.
pub async fn append(tx: &mut Tx, event: Event, now: DateTime<Utc>) -> Result<i64, AuditError> {
    // Taking the head first serialises appenders; the new row's predecessor is the old head.
    let (seq, prev_hash): (i64, String) =
        sqlx::query_as("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
            .fetch_one(&mut **tx)
            .await?;
    let details = event.details.to_string();
    let at_ms = to_millis(now);
    let hash = chain::hash(&RowFields {
        seq,
        at_ms,
        actor: &event.actor,
        action: &event.action,
        subject: &event.subject,
        administration_id: event.administration_id.as_deref(),
        details: &details,
        prev_hash: &prev_hash,
    });
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, action, subject, administration_id, details, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(seq)
    .bind(at_ms)
    .bind(&event.actor)
    .bind(&event.action)
    .bind(&event.subject)
    .bind(&event.administration_id)
    .bind(&details)
    .bind(&prev_hash)
    .bind(&hash)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&hash)
        .execute(&mut **tx)
        .await?;
    Ok(seq)
}

type Row = (
    i64,
    i64,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
);

pub(crate) fn checkpoint_message(seq: i64, hash: &str, at_ms: i64) -> Vec<u8> {
    format!("portico-audit-checkpoint\n{seq}\n{hash}\n{at_ms}").into_bytes()
}

/// Signs the chain's current head, unless it is already signed. Returns the signed sequence number.
pub async fn checkpoint(
    db: &Db,
    key: &SigningKey,
    now: DateTime<Utc>,
) -> Result<Option<i64>, AuditError> {
    let mut tx = db.begin().await?;
    let (seq, hash): (i64, String) =
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?;
    let exists: Option<(i64,)> = sqlx::query_as("SELECT seq FROM audit_checkpoints WHERE seq = $1")
        .bind(seq)
        .fetch_optional(&mut *tx)
        .await?;
    if seq == 0 || exists.is_some() {
        return Ok(None);
    }
    let at_ms = to_millis(now);
    let signature = key.sign(&checkpoint_message(seq, &hash, at_ms));
    sqlx::query("INSERT INTO audit_checkpoints (seq, hash, at, key_id, signature) VALUES ($1, $2, $3, $4, $5)")
        .bind(seq)
        .bind(&hash)
        .bind(at_ms)
        .bind(key.key_id())
        .bind(signature)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Some(seq))
}

/// Walks the whole chain in order, streaming (the log can be large), and reports the first problem.
pub async fn verify(db: &Db, key: &SigningKey) -> Result<VerifyReport, AuditError> {
    let checkpoints: Vec<(i64, String, i64, String)> =
        sqlx::query_as("SELECT seq, hash, at, signature FROM audit_checkpoints ORDER BY seq")
            .fetch_all(db.pool())
            .await?;
    let mut report = VerifyReport {
        rows: 0,
        checkpoints: checkpoints.len() as i64,
        problem: None,
    };
    for (seq, hash, at, signature) in &checkpoints {
        if !key.verify(&checkpoint_message(*seq, hash, *at), signature) {
            report.problem = Some(Problem::BadCheckpoint {
                seq: *seq,
                reason: "the signature is not the platform's".into(),
            });
            return Ok(report);
        }
    }
    let mut checkpoints = checkpoints.into_iter().peekable();

    let mut rows = sqlx::query_as::<_, Row>(
        "SELECT seq, at, actor, action, subject, administration_id, details, prev_hash, hash
         FROM audit_log ORDER BY seq",
    )
    .fetch(db.pool());
    let mut expected_seq = 1;
    let mut prev = "0".repeat(64);
    while let Some(row) = rows.next().await {
        let (seq, at_ms, actor, action, subject, administration_id, details, prev_hash, hash) =
            row?;
        report.rows += 1;
        if seq != expected_seq {
            report.problem = Some(Problem::Missing {
                expected_seq,
                found_seq: seq,
            });
            return Ok(report);
        }
        let recomputed = chain::hash(&RowFields {
            seq,
            at_ms,
            actor: &actor,
            action: &action,
            subject: &subject,
            administration_id: administration_id.as_deref(),
            details: &details,
            prev_hash: &prev_hash,
        });
        if recomputed != hash {
            report.problem = Some(Problem::Edited { seq });
            return Ok(report);
        }
        if prev_hash != prev {
            report.problem = Some(Problem::BrokenLink { seq });
            return Ok(report);
        }
        while let Some((cp_seq, cp_hash, _, _)) = checkpoints.peek() {
            if *cp_seq > seq {
                break;
            }
            if *cp_seq == seq && *cp_hash != hash {
                report.problem = Some(Problem::BadCheckpoint {
                    seq,
                    reason: "the chain was rewritten after it was signed".into(),
                });
                return Ok(report);
            }
            checkpoints.next();
        }
        prev = hash;
        expected_seq += 1;
    }
    drop(rows);
    let (head_seq, head_hash): (i64, String) =
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(db.pool())
            .await?;
    if head_seq != expected_seq - 1 {
        report.problem = Some(Problem::Truncated {
            head_seq,
            last_seq: expected_seq - 1,
        });
    } else if head_hash != prev {
        // No row after the newest one to hold its hash: the head does.
        report.problem = Some(Problem::HeadMismatch { seq: head_seq });
    } else if let Some((seq, _, _, _)) = checkpoints.next() {
        report.problem = Some(Problem::Truncated {
            head_seq: seq,
            last_seq: expected_seq - 1,
        });
    }
    Ok(report)
}

/// Entries about one subject (a person's account), newest first: what a person is shown.
pub async fn list_for_subject(
    db: &Db,
    subject: &str,
    page: Page,
) -> Result<Vec<AuditEntry>, AuditError> {
    let page = page.clamped();
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT seq, at, actor, action, subject, administration_id, details, prev_hash, hash
         FROM audit_log WHERE subject = $1 ORDER BY seq DESC LIMIT $2 OFFSET $3",
    )
    .bind(subject)
    .bind(page.limit)
    .bind(page.offset)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(
            |(seq, at, actor, action, subject, administration_id, details, _, hash)| {
                let details =
                    serde_json::from_str(&details).map_err(|e| AuditError::Unreadable {
                        seq,
                        reason: e.to_string(),
                    })?;
                Ok(AuditEntry {
                    seq,
                    at: from_millis(at),
                    actor,
                    action,
                    subject,
                    administration_id,
                    details,
                    hash,
                })
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use portico_store::testdb;

    async fn chain_of(n: usize) -> testdb::TestDb {
        let t = testdb::fresh(&[crate::MIGRATIONS]).await.unwrap();
        for i in 0..n {
            let mut tx = t.db.begin().await.unwrap();
            let event = Event::new("acct-1", "test.event", &format!("subject-{}", i % 2))
                .with(serde_json::json!({ "i": i }));
            append(&mut tx, event, Utc::now()).await.unwrap();
            tx.commit().await.unwrap();
        }
        t
    }

    #[tokio::test]
    async fn an_untouched_chain_verifies() {
        let t = chain_of(5).await;
        let key = SigningKey::generate();
        checkpoint(&t.db, &key, Utc::now()).await.unwrap();
        let report = verify(&t.db, &key).await.unwrap();
        assert_eq!(report.problem, None);
        assert_eq!(report.rows, 5);
        assert_eq!(report.checkpoints, 1);
    }

    #[tokio::test]
    async fn an_edited_row_is_named() {
        let t = chain_of(5).await;
        sqlx::query("UPDATE audit_log SET details = '{\"i\":99}' WHERE seq = 3")
            .execute(t.db.pool())
            .await
            .unwrap();
        let report = verify(&t.db, &SigningKey::generate()).await.unwrap();
        assert_eq!(report.problem, Some(Problem::Edited { seq: 3 }));
    }

    #[tokio::test]
    async fn a_deleted_row_is_named() {
        let t = chain_of(5).await;
        sqlx::query("DELETE FROM audit_log WHERE seq = 2")
            .execute(t.db.pool())
            .await
            .unwrap();
        let report = verify(&t.db, &SigningKey::generate()).await.unwrap();
        assert_eq!(
            report.problem,
            Some(Problem::Missing {
                expected_seq: 2,
                found_seq: 3
            })
        );
    }

    #[tokio::test]
    async fn a_deleted_tail_is_noticed() {
        let t = chain_of(5).await;
        sqlx::query("DELETE FROM audit_log WHERE seq = 5")
            .execute(t.db.pool())
            .await
            .unwrap();
        let report = verify(&t.db, &SigningKey::generate()).await.unwrap();
        assert_eq!(
            report.problem,
            Some(Problem::Truncated {
                head_seq: 5,
                last_seq: 4
            })
        );
    }

    /// What someone with database access but without the key can do: change a row and recompute
    /// its own hash from the published encoding, leaving its link to the row before untouched.
    async fn rewrite(t: &testdb::TestDb, seq: i64, details: Option<&str>) -> String {
        let (seq, at_ms, actor, action, subject, administration_id, old_details, prev_hash, _) =
            sqlx::query_as::<_, Row>(
                "SELECT seq, at, actor, action, subject, administration_id, details, prev_hash, hash
                 FROM audit_log WHERE seq = $1",
            )
            .bind(seq)
            .fetch_one(t.db.pool())
            .await
            .unwrap();
        let details = details.map(str::to_owned).unwrap_or(old_details);
        let hash = chain::hash(&RowFields {
            seq,
            at_ms,
            actor: &actor,
            action: &action,
            subject: &subject,
            administration_id: administration_id.as_deref(),
            details: &details,
            prev_hash: &prev_hash,
        });
        sqlx::query("UPDATE audit_log SET details = $1, hash = $2 WHERE seq = $3")
            .bind(&details)
            .bind(&hash)
            .bind(seq)
            .execute(t.db.pool())
            .await
            .unwrap();
        hash
    }

    async fn swap_seq(t: &testdb::TestDb, a: i64, b: i64) {
        let q = "UPDATE audit_log SET seq = $1 WHERE seq = $2";
        for (to, from) in [(-1, a), (a, b), (b, -1)] {
            sqlx::query(q)
                .bind(to)
                .bind(from)
                .execute(t.db.pool())
                .await
                .unwrap();
        }
    }

    #[tokio::test]
    async fn a_row_rewritten_with_its_hash_recomputed_breaks_the_next_link() {
        let t = chain_of(5).await;
        rewrite(&t, 3, Some("{\"i\":99}")).await;
        let report = verify(&t.db, &SigningKey::generate()).await.unwrap();
        // Row 3 is consistent with itself; row 4 still points at row 3's old hash.
        assert_eq!(report.problem, Some(Problem::BrokenLink { seq: 4 }));
        assert_eq!(
            report.problem.unwrap().to_string(),
            "row 4 does not follow the row before it: rows were reordered or replaced"
        );
    }

    #[tokio::test]
    async fn the_newest_row_rewritten_with_its_hash_recomputed_disagrees_with_the_head() {
        let t = chain_of(5).await;
        rewrite(&t, 5, Some("{\"i\":99}")).await;
        let report = verify(&t.db, &SigningKey::generate()).await.unwrap();
        assert_eq!(report.problem, Some(Problem::HeadMismatch { seq: 5 }));
    }

    #[tokio::test]
    async fn reordered_rows_with_their_hashes_recomputed_break_the_link() {
        let t = chain_of(5).await;
        // Rows 2 and 3 change places and each gets a hash that matches its new seq: each row is
        // consistent with itself, so only the links can tell.
        swap_seq(&t, 2, 3).await;
        rewrite(&t, 2, None).await;
        rewrite(&t, 3, None).await;
        let report = verify(&t.db, &SigningKey::generate()).await.unwrap();
        assert_eq!(report.problem, Some(Problem::BrokenLink { seq: 2 }));
    }

    #[tokio::test]
    async fn the_first_of_several_edited_rows_is_named() {
        let t = chain_of(6).await;
        for seq in [5, 2, 4] {
            sqlx::query("UPDATE audit_log SET details = '{\"i\":99}' WHERE seq = $1")
                .bind(seq)
                .execute(t.db.pool())
                .await
                .unwrap();
        }
        let report = verify(&t.db, &SigningKey::generate()).await.unwrap();
        assert_eq!(report.problem, Some(Problem::Edited { seq: 2 }));
    }

    #[tokio::test]
    async fn a_truncated_tail_with_the_head_moved_back_fails_the_last_checkpoint() {
        let t = chain_of(5).await;
        let key = SigningKey::generate();
        assert_eq!(checkpoint(&t.db, &key, Utc::now()).await.unwrap(), Some(5));
        // Rows 4 and 5 go, and the head is set back to row 3 so that it agrees with what is left:
        // only the checkpoint signed at row 5 remembers the longer chain.
        sqlx::query("DELETE FROM audit_log WHERE seq > 3")
            .execute(t.db.pool())
            .await
            .unwrap();
        sqlx::query(
            "UPDATE audit_head SET seq = 3, hash = (SELECT hash FROM audit_log WHERE seq = 3)",
        )
        .execute(t.db.pool())
        .await
        .unwrap();
        let report = verify(&t.db, &key).await.unwrap();
        assert_eq!(
            report.problem,
            Some(Problem::Truncated {
                head_seq: 5,
                last_seq: 3
            })
        );
    }

    #[tokio::test]
    async fn a_checkpoint_signed_by_another_key_is_refused() {
        let t = chain_of(3).await;
        let platform = SigningKey::generate();
        let other = SigningKey::generate();
        assert_eq!(
            checkpoint(&t.db, &platform, Utc::now()).await.unwrap(),
            Some(3)
        );
        let mut tx = t.db.begin().await.unwrap();
        append(&mut tx, Event::new("a", "b", "c"), Utc::now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        // A checkpoint for row 4, correct in every field but signed with a key not the platform's.
        assert_eq!(
            checkpoint(&t.db, &other, Utc::now()).await.unwrap(),
            Some(4)
        );
        let report = verify(&t.db, &platform).await.unwrap();
        assert_eq!(
            report.problem,
            Some(Problem::BadCheckpoint {
                seq: 4,
                reason: "the signature is not the platform's".into()
            })
        );
    }

    #[tokio::test]
    async fn swapped_rows_are_named() {
        let t = chain_of(5).await;
        // Rows 2 and 3 change places without their hashes being recomputed: the seq is part of
        // what each hash covers, so the first moved row no longer matches its hash. (With the
        // hashes recomputed, see `reordered_rows_with_their_hashes_recomputed_break_the_link`.)
        swap_seq(&t, 2, 3).await;
        let report = verify(&t.db, &SigningKey::generate()).await.unwrap();
        assert_eq!(report.problem, Some(Problem::Edited { seq: 2 }));
    }

    #[tokio::test]
    async fn a_rewritten_chain_fails_its_signed_checkpoint() {
        let t = chain_of(3).await;
        let key = SigningKey::generate();
        checkpoint(&t.db, &key, Utc::now()).await.unwrap();
        // Someone with database access but without the key rebuilds the whole chain.
        sqlx::query("DELETE FROM audit_log")
            .execute(t.db.pool())
            .await
            .unwrap();
        sqlx::query("UPDATE audit_head SET seq = 0, hash = $1")
            .bind("0".repeat(64))
            .execute(t.db.pool())
            .await
            .unwrap();
        for _ in 0..3 {
            let mut tx = t.db.begin().await.unwrap();
            append(&mut tx, Event::new("intruder", "forged", "x"), Utc::now())
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        let report = verify(&t.db, &key).await.unwrap();
        assert!(
            matches!(report.problem, Some(Problem::BadCheckpoint { seq: 3, .. })),
            "{:?}",
            report.problem
        );
    }

    #[tokio::test]
    async fn a_rolled_back_change_leaves_no_entry() {
        let t = chain_of(1).await;
        let mut tx = t.db.begin().await.unwrap();
        append(&mut tx, Event::new("a", "b", "c"), Utc::now())
            .await
            .unwrap();
        tx.rollback().await.unwrap();
        let report = verify(&t.db, &SigningKey::generate()).await.unwrap();
        assert_eq!((report.rows, report.problem), (1, None));
    }
}
