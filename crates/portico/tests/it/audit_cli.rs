//! `portico audit verify` run as a separate process against the database the server wrote.

use crate::support::{run_cli, TestApp, PASSWORD};

#[tokio::test]
async fn verify_passes_on_an_untouched_log_and_names_an_edited_row() {
    let app = TestApp::start().await;
    let (client, _) = app.register("audit@example.bg").await;
    client.sign_out().await;
    client
        .sign_in_password("audit@example.bg", "wrong password here")
        .await;
    client.sign_in_password("audit@example.bg", PASSWORD).await;

    let (code, out) = run_cli(&app, &["audit", "checkpoint"]).await;
    assert_eq!(code, 0, "{out}");
    let (code, out) = run_cli(&app, &["audit", "verify"]).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("audit log intact"), "{out}");

    // Someone with database access hides the failed sign-in.
    let (seq,): (i64,) =
        sqlx::query_as("SELECT seq FROM audit_log WHERE action = 'identity.sign_in_failed'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    sqlx::query("UPDATE audit_log SET action = 'identity.sign_in' WHERE seq = $1")
        .bind(seq)
        .execute(app.db.pool())
        .await
        .unwrap();
    let (code, out) = run_cli(&app, &["audit", "verify"]).await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&format!("row {seq} was edited")), "{out}");
}

#[tokio::test]
async fn verify_names_a_deleted_row() {
    let app = TestApp::start().await;
    app.register("audit2@example.bg").await;
    let total = app.count("SELECT COUNT(*) FROM audit_log").await;
    assert!(total >= 2);
    sqlx::query("DELETE FROM audit_log WHERE seq = 1")
        .execute(app.db.pool())
        .await
        .unwrap();
    let (code, out) = run_cli(&app, &["audit", "verify"]).await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("row 1 is missing"), "{out}");
}

/// A row's hash as docs/audit.md describes it, written out here rather than taken from
/// portico-audit: SHA-256 over each field as its length (8 bytes, big-endian) and its bytes.
fn row_hash(row: &AuditRow) -> String {
    use sha2::{Digest, Sha256};
    let mut out = Vec::new();
    let mut field = |bytes: &[u8]| {
        out.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
        out.extend_from_slice(bytes);
    };
    field(b"portico-audit-v1");
    field(row.0.to_string().as_bytes());
    field(row.1.to_string().as_bytes());
    field(row.2.as_bytes());
    field(row.3.as_bytes());
    field(row.4.as_bytes());
    match &row.5 {
        Some(a) => {
            field(b"1");
            field(a.as_bytes());
        }
        None => field(b"0"),
    }
    field(row.6.as_bytes());
    field(row.7.as_bytes());
    hex::encode(Sha256::digest(&out))
}

type AuditRow = (
    i64,
    i64,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
);

/// Changes a row's details and recomputes its hash, as someone with database access could.
async fn rewrite_row(app: &TestApp, seq: i64, details: &str) {
    let mut row: AuditRow = sqlx::query_as(
        "SELECT seq, at, actor, action, subject, administration_id, details, prev_hash
         FROM audit_log WHERE seq = $1",
    )
    .bind(seq)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    row.6 = details.to_owned();
    sqlx::query("UPDATE audit_log SET details = $1, hash = $2 WHERE seq = $3")
        .bind(&row.6)
        .bind(row_hash(&row))
        .bind(seq)
        .execute(app.db.pool())
        .await
        .unwrap();
}

async fn app_with_log() -> TestApp {
    let app = TestApp::start().await;
    app.register("tamper@example.bg").await;
    app.register("tamper2@example.bg").await;
    assert!(app.count("SELECT COUNT(*) FROM audit_log").await >= 4);
    app
}

async fn verify_fails_with(app: &TestApp, expected: &str) {
    let (code, out) = run_cli(app, &["audit", "verify"]).await;
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!("AUDIT LOG TAMPERED: {expected}")),
        "{out}"
    );
}

/// Someone with database access deletes the newest rows, the checkpoint that covered them, and
/// sets the head back: the chain alone is consistent, but the checkpoint file in the data folder
/// still holds the checkpoint, so `audit verify` fails.
#[tokio::test]
async fn verify_fails_when_a_checkpoint_in_the_file_was_removed_from_the_database() {
    let app = TestApp::start().await;
    app.register("audit-anchor@example.bg").await;
    let (code, out) = run_cli(&app, &["audit", "checkpoint"]).await;
    assert_eq!(code, 0, "{out}");
    let file = app.data_dir.path().join("audit-checkpoints.jsonl");
    let text = std::fs::read_to_string(&file).expect("the checkpoint file");
    let line: serde_json::Value =
        serde_json::from_str(text.lines().last().expect("a line")).expect("JSON");
    let seq = line["seq"].as_i64().expect("seq");
    assert!(seq >= 2, "{text}");
    let (code, out) = run_cli(&app, &["audit", "verify"]).await;
    assert_eq!(code, 0, "{out}");

    for sql in [
        "DELETE FROM audit_checkpoints".to_owned(),
        format!("DELETE FROM audit_log WHERE seq >= {seq}"),
        format!(
            "UPDATE audit_head SET seq = {0}, hash = (SELECT hash FROM audit_log WHERE seq = {0})",
            seq - 1
        ),
    ] {
        sqlx::query(&sql).execute(app.db.pool()).await.unwrap();
    }
    let (code, out) = run_cli(&app, &["audit", "verify"]).await;
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "checkpoint at row {seq} is in the checkpoint file but was removed from the database"
        )),
        "{out}"
    );
}

#[tokio::test]
async fn verify_names_a_row_rewritten_with_its_hash_recomputed() {
    let app = app_with_log().await;
    // The hash written out in this test agrees with the platform's: an untouched rewrite passes.
    let (details,): (String,) = sqlx::query_as("SELECT details FROM audit_log WHERE seq = 2")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    rewrite_row(&app, 2, &details).await;
    let (code, out) = run_cli(&app, &["audit", "verify"]).await;
    assert_eq!(code, 0, "{out}");

    rewrite_row(&app, 2, "{}").await;
    verify_fails_with(
        &app,
        "row 3 does not follow the row before it: rows were reordered or replaced",
    )
    .await;
}

#[tokio::test]
async fn verify_names_the_newest_row_rewritten_with_its_hash_recomputed() {
    let app = app_with_log().await;
    let last = app.count("SELECT MAX(seq) FROM audit_log").await;
    rewrite_row(&app, last, "{}").await;
    verify_fails_with(
        &app,
        &format!("row {last} was rewritten: the chain's head holds another hash for it"),
    )
    .await;
}

#[tokio::test]
async fn verify_names_reordered_rows() {
    let app = app_with_log().await;
    for (to, from) in [(-1, 2), (2, 3), (3, -1)] {
        sqlx::query("UPDATE audit_log SET seq = $1 WHERE seq = $2")
            .bind(to)
            .bind(from)
            .execute(app.db.pool())
            .await
            .unwrap();
    }
    verify_fails_with(
        &app,
        "row 2 was edited: its content does not match its hash",
    )
    .await;
}

#[tokio::test]
async fn verify_names_the_first_of_several_edited_rows() {
    let app = app_with_log().await;
    sqlx::query("UPDATE audit_log SET details = '{}' WHERE seq IN (2, 3, 4)")
        .execute(app.db.pool())
        .await
        .unwrap();
    verify_fails_with(
        &app,
        "row 2 was edited: its content does not match its hash",
    )
    .await;
}

#[tokio::test]
async fn verify_catches_a_truncated_tail_through_the_last_checkpoint() {
    let app = app_with_log().await;
    let (code, out) = run_cli(&app, &["audit", "checkpoint"]).await;
    assert_eq!(code, 0, "{out}");
    let last = app.count("SELECT MAX(seq) FROM audit_log").await;
    // The newest two rows go, and the head is set back to agree with what is left.
    sqlx::query("DELETE FROM audit_log WHERE seq > $1")
        .bind(last - 2)
        .execute(app.db.pool())
        .await
        .unwrap();
    sqlx::query(
        "UPDATE audit_head SET seq = $1, hash = (SELECT hash FROM audit_log WHERE seq = $1)",
    )
    .bind(last - 2)
    .execute(app.db.pool())
    .await
    .unwrap();
    verify_fails_with(
        &app,
        &format!(
            "rows after {} were deleted: the chain's head is at {last}",
            last - 2
        ),
    )
    .await;
}

#[tokio::test]
async fn verify_refuses_a_checkpoint_not_signed_by_the_platform() {
    let app = app_with_log().await;
    let (code, out) = run_cli(&app, &["audit", "checkpoint"]).await;
    assert_eq!(code, 0, "{out}");
    // The same checkpoint, signed again with a key that is not the platform's.
    let (seq, hash, at): (i64, String, i64) =
        sqlx::query_as("SELECT seq, hash, at FROM audit_checkpoints")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    let other = portico_audit::SigningKey::generate();
    let forged = other.sign(format!("portico-audit-checkpoint\n{seq}\n{hash}\n{at}").as_bytes());
    sqlx::query("UPDATE audit_checkpoints SET signature = $1 WHERE seq = $2")
        .bind(forged)
        .bind(seq)
        .execute(app.db.pool())
        .await
        .unwrap();
    verify_fails_with(
        &app,
        &format!("checkpoint at row {seq} is not valid: the signature is not the platform's"),
    )
    .await;
}

/// Rows older than PORTICO_CHECKPOINT_MAX_AGE_SECS that no checkpoint in the file covers fail
/// the check (here the allowed age is zero, so every row not covered is too old); once the head
/// is signed, and the checkpoint is in the file, it passes.
#[tokio::test]
async fn verify_fails_when_the_head_has_no_recent_checkpoint() {
    let app = TestApp::start().await;
    app.register("audit-stale@example.bg").await;
    let verify_strict = || async {
        let out = crate::support::cli_command(&app)
            .args(["audit", "verify"])
            .env("PORTICO_CHECKPOINT_MAX_AGE_SECS", "0")
            .output()
            .await
            .expect("run portico");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let (code, out) = verify_strict().await;
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("are covered by no checkpoint in the checkpoint file"),
        "{out}"
    );
    let (code, out) = run_cli(&app, &["audit", "checkpoint"]).await;
    assert_eq!(code, 0, "{out}");
    let (code, out) = verify_strict().await;
    assert_eq!(code, Some(0), "{out}");
}
