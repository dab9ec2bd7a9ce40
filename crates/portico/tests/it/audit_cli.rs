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
