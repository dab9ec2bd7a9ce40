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

    let (code, out) = run_cli(&app, &["audit", "checkpoint"]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = run_cli(&app, &["audit", "verify"]);
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
    let (code, out) = run_cli(&app, &["audit", "verify"]);
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
    let (code, out) = run_cli(&app, &["audit", "verify"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("row 1 is missing"), "{out}");
}

/// Someone with database access deletes the newest rows, the checkpoint that covered them, and
/// sets the head back: the chain alone is consistent, but the checkpoint file in the data folder
/// still holds the checkpoint, so `audit verify` fails.
#[tokio::test]
async fn verify_fails_when_a_checkpoint_in_the_file_was_removed_from_the_database() {
    let app = TestApp::start().await;
    app.register("audit-anchor@example.bg").await;
    let (code, out) = run_cli(&app, &["audit", "checkpoint"]);
    assert_eq!(code, 0, "{out}");
    let file = app.data_dir.path().join("audit-checkpoints.jsonl");
    let text = std::fs::read_to_string(&file).expect("the checkpoint file");
    let line: serde_json::Value =
        serde_json::from_str(text.lines().last().expect("a line")).expect("JSON");
    let seq = line["seq"].as_i64().expect("seq");
    assert!(seq >= 2, "{text}");
    let (code, out) = run_cli(&app, &["audit", "verify"]);
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
    let (code, out) = run_cli(&app, &["audit", "verify"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "checkpoint at row {seq} is in the checkpoint file but was removed from the database"
        )),
        "{out}"
    );
}

/// Rows older than PORTICO_CHECKPOINT_MAX_AGE_SECS that no checkpoint in the file covers fail
/// the check (here the allowed age is zero, so every row not covered is too old); once the head
/// is signed, and the checkpoint is in the file, it passes.
#[tokio::test]
async fn verify_fails_when_the_head_has_no_recent_checkpoint() {
    let app = TestApp::start().await;
    app.register("audit-stale@example.bg").await;
    let verify_strict = || {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_portico"))
            .args(["audit", "verify"])
            .env("DATABASE_URL", &app.db_url)
            .env("PORTICO_DATA_DIR", app.data_dir.path())
            .env("PORTICO_LOG", "error")
            .env("PORTICO_CHECKPOINT_MAX_AGE_SECS", "0")
            .output()
            .expect("run portico");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    std::thread::sleep(std::time::Duration::from_millis(5));
    let (code, out) = verify_strict();
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("are covered by no checkpoint in the checkpoint file"),
        "{out}"
    );
    let (code, out) = run_cli(&app, &["audit", "checkpoint"]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = verify_strict();
    assert_eq!(code, Some(0), "{out}");
}
