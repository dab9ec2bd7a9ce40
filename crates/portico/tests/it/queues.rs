//! The job queues and the purge, through the real server: a sign-in link is not held up by a
//! backlog of mail on the default queue to a slow relay, and the periodic purge deletes exactly
//! the sessions, codes, throttle rows and finished jobs that are old.

use crate::support::{SmtpSink, TestApp, PASSWORD};
use portico_identity::transport::{Email, EMAIL_JOB};
use portico_store::jobs::{enqueue, NewJob, DEFAULT_QUEUE};
use reqwest::StatusCode;
use std::time::{Duration, Instant};

#[tokio::test]
async fn a_sign_in_link_arrives_at_once_while_the_relay_is_stuck_on_notifications() {
    // Every message to a "bulk-" address takes the relay 10 s; the others go at once.
    let relay = SmtpSink::start_slow_for(Duration::from_secs(10), Some("To: bulk-")).await;
    let smtp = format!("smtp://{}", relay.address);
    let app = TestApp::start_with(|c| c.smtp_url = Some(smtp.clone())).await;
    let (client, _) = app.register("waiting@example.bg").await;
    client.sign_out().await;

    // Twenty notifications on the default queue: more than its slots, each stuck for 10 s.
    let now = portico_core::Clock::now(&app.clock);
    let mut tx = app.db.begin().await.unwrap();
    for n in 0..20 {
        let email = Email {
            to: format!("bulk-{n}@example.bg"),
            subject: format!("notification {n}"),
            body: "your application moved on".into(),
        };
        let job = NewJob::now(EMAIL_JOB, serde_json::to_value(&email).unwrap(), now);
        assert_eq!(job.queue, DEFAULT_QUEUE);
        enqueue(&mut tx, job, now).await.unwrap();
    }
    tx.commit().await.unwrap();
    // The worker's poll picks them up and fills the default queue's slots.
    tokio::time::sleep(Duration::from_millis(500)).await;

    client
        .sign_in_password("waiting@example.bg", PASSWORD)
        .await;
    client.get("/login/second-factor").await;
    let asked = Instant::now();
    let sent = client.post_form("/login/email-link", &[]).await;
    assert_eq!(sent.texts("h1"), vec!["Проверете имейла си"]);
    let body = relay.wait_for("/login/email-link?token=").await;
    let waited = asked.elapsed();
    assert!(
        waited < Duration::from_secs(2),
        "the sign-in link waited {waited:?} behind the notifications"
    );
    assert!(body.contains("Здравейте, Иван Петров!"), "{body}");
    // None of the notifications has got through the relay yet.
    assert!(relay.raw().iter().all(|m| !m.contains("To: bulk-")));
}

async fn rows(app: &TestApp, sql: &str, cut: i64) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql)
        .bind(cut)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    n
}

/// Signs in with the password, asks for an e-mail link (a code and a job), then tries a wrong
/// password (a throttle row).
async fn leave_traces(app: &TestApp, email: &str, mails_before: usize) {
    let (client, _) = app.register(email).await;
    client.sign_out().await;
    client.sign_in_password(email, PASSWORD).await;
    client.get("/login/second-factor").await;
    client.post_form("/login/email-link", &[]).await;
    app.mail.message(mails_before + 1).await;
    let other = app.client();
    let wrong = other
        .sign_in_password(email, "not the password at all")
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_purge_deletes_exactly_what_is_old() {
    let app = TestApp::start().await;
    leave_traces(&app, "old-traces@example.bg", 0).await;
    // Let the worker record the job as done before the clock moves.
    let deadline = Instant::now() + Duration::from_secs(10);
    while app
        .count("SELECT COUNT(*) FROM jobs WHERE status <> 'done'")
        .await
        > 0
    {
        assert!(
            Instant::now() < deadline,
            "the sign-in mail's job did not finish"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let then = portico_core::Clock::now(&app.clock).timestamp_millis();
    app.advance(8 * 24 * 60 * 60);
    leave_traces(&app, "new-traces@example.bg", 1).await;
    let now = portico_core::Clock::now(&app.clock);

    // What each table holds from before the clock moved and from after.
    let old =
        |table: &str, column: &str| format!("SELECT COUNT(*) FROM {table} WHERE {column} <= $1");
    let new =
        |table: &str, column: &str| format!("SELECT COUNT(*) FROM {table} WHERE {column} > $1");
    let tables = [
        ("sessions", "created_at"),
        ("one_time_codes", "created_at"),
        ("throttle", "updated_at"),
        ("jobs", "created_at"),
    ];
    let mut before = Vec::new();
    for (table, column) in tables {
        let o = rows(&app, &old(table, column), then).await;
        let n = rows(&app, &new(table, column), then).await;
        assert!(
            o > 0 && n > 0,
            "{table}: {o} old, {n} new rows to begin with"
        );
        before.push((o, n));
    }
    // One e-mail link and one mail job on each side of the move.
    assert_eq!(before[1], (1, 1), "one_time_codes");
    assert_eq!(before[3], (1, 1), "jobs");

    let purged = portico::purge::run(&app.db, now).await.unwrap();
    assert_eq!(purged.identity.sessions, before[0].0 as u64);
    assert_eq!(purged.identity.one_time_codes, 1);
    assert_eq!(purged.identity.throttles, before[2].0 as u64);
    assert_eq!(purged.jobs, 1);
    for ((table, column), (_, kept)) in tables.into_iter().zip(before) {
        assert_eq!(
            rows(&app, &old(table, column), then).await,
            0,
            "{table}: old rows left"
        );
        assert_eq!(
            rows(&app, &new(table, column), then).await,
            kept,
            "{table}: new rows lost"
        );
    }
    // The account of the old traces is still there and can sign in.
    let client = app.client();
    let page = client
        .sign_in_password("old-traces@example.bg", PASSWORD)
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    // A second purge finds nothing more.
    let again = portico::purge::run(&app.db, now).await.unwrap();
    assert_eq!(again, portico::purge::Purged::default());
}
