//! Several nodes on one PostgreSQL, as the README promises: two `portico` apps built on the same
//! database, each on its own port with its own pool, job worker and search index, share sessions,
//! throttles, jobs and the catalog; nodes that start together migrate once; an edited migration
//! is refused.
//!
//! Multi-node is a PostgreSQL setup (the README: "point them at one PostgreSQL"), so the tests of
//! nodes run only when `PORTICO_TEST_DATABASE=postgres`; on SQLite they return at once, saying so.
//! The edited-migration test runs on both databases.

use crate::catalog::{administration_id, search, seeded, staff};
use crate::support::{run_cli, Client, SmtpSink, TestApp, PASSWORD};
use portico_identity::transport::{Email, EMAIL_JOB};
use portico_store::jobs::{enqueue, NewJob};
use portico_store::testdb::wants_postgres;
use reqwest::StatusCode;
use std::collections::HashSet;
use std::time::{Duration, Instant};

fn postgres_only(test: &str) -> bool {
    if !wants_postgres() {
        eprintln!(
            "{test}: several nodes share one PostgreSQL; run with PORTICO_TEST_DATABASE=postgres"
        );
    }
    wants_postgres()
}

#[tokio::test]
async fn a_session_started_on_one_node_works_on_the_other() {
    if !postgres_only("sessions") {
        return;
    }
    let app = TestApp::start().await;
    let node_b = app.another_node_with(|_| {}).await;
    let (on_a, _) = app.register("two-nodes@example.bg").await;
    assert_eq!(on_a.get("/account").await.status, StatusCode::OK);

    // The same browser, sent by the load balancer to the other node.
    let on_b = on_a.at(&node_b.base);
    let account = on_b.get("/account").await;
    assert_eq!(account.status, StatusCode::OK, "{}", account.location());
    assert!(account.body.contains("two-nodes@example.bg"));

    // Signing out on B ends the session on A too.
    on_b.sign_out().await;
    let after = on_a.get("/account").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert!(
        after.location().starts_with("/login"),
        "{}",
        after.location()
    );
}

#[tokio::test]
async fn failed_sign_ins_on_one_node_count_on_the_other() {
    if !postgres_only("throttles") {
        return;
    }
    let app = TestApp::start().await;
    let node_b = app.another_node_with(|_| {}).await;
    let (client, _) = app.register("throttled-nodes@example.bg").await;
    client.sign_out().await;
    for _ in 0..3 {
        let page = client
            .sign_in_password("throttled-nodes@example.bg", "not the password")
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    // Another browser on node B: the fourth failure was made elsewhere, and still locks.
    let on_b = Client::new(&node_b.base);
    let fourth = on_b
        .sign_in_password("throttled-nodes@example.bg", "not the password")
        .await;
    assert_eq!(fourth.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(fourth.headers["retry-after"], "5");
    let right = on_b
        .sign_in_password("throttled-nodes@example.bg", PASSWORD)
        .await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS, "locked on B");
    let right = client
        .sign_in_password("throttled-nodes@example.bg", PASSWORD)
        .await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS, "and on A");
}

#[tokio::test]
async fn each_job_runs_once_while_both_nodes_drain_the_queue() {
    if !postgres_only("jobs") {
        return;
    }
    // A slow mail relay, so that each node's worker is busy long enough for the other to join.
    let relay = SmtpSink::start_slow(Duration::from_millis(25)).await;
    let smtp = format!("smtp://{}", relay.address);
    let app = TestApp::start_with(|c| {
        c.smtp_url = Some(smtp.clone());
        c.mail_from = "Node A <a@portico.localhost>".into();
    })
    .await;
    let _node_b = app
        .another_node_with(|c| c.mail_from = "Node B <b@portico.localhost>".into())
        .await;

    const JOBS: usize = 40;
    let now = portico_core::Clock::now(&app.clock);
    let mut tx = app.db.begin().await.unwrap();
    for n in 0..JOBS {
        let email = Email {
            to: format!("job-{n}@example.bg"),
            subject: format!("job {n}"),
            body: "one of many".into(),
        };
        enqueue(
            &mut tx,
            NewJob::now(EMAIL_JOB, serde_json::to_value(&email).unwrap(), now),
            now,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();

    let deadline = Instant::now() + Duration::from_secs(20);
    while app
        .count("SELECT COUNT(*) FROM jobs WHERE status <> 'done'")
        .await
        > 0
    {
        assert!(Instant::now() < deadline, "the queue did not drain in 20 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Give a duplicate the time to arrive, if there were one.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let messages = relay.raw();
    assert_eq!(messages.len(), JOBS, "every job once, none twice");
    let recipients: HashSet<String> = messages
        .iter()
        .filter_map(|m| m.lines().find(|l| l.starts_with("To:")).map(str::to_owned))
        .collect();
    assert_eq!(recipients.len(), JOBS);
    let by = |node: &str| messages.iter().filter(|m| m.contains(node)).count();
    assert!(
        by("a@portico.localhost") > 0 && by("b@portico.localhost") > 0,
        "both nodes drained: A {} B {}",
        by("a@portico.localhost"),
        by("b@portico.localhost")
    );
}

#[tokio::test]
async fn a_service_adopted_on_one_node_is_found_on_the_other_within_the_refresh_period() {
    if !postgres_only("search") {
        return;
    }
    let app = seeded().await;
    let node_b = app.another_node_with(|_| {}).await;
    let on_b = Client::new(&node_b.base);
    // Node B has built its index before the adoption.
    assert!(!search(&on_b, "адресна регистрация")
        .await
        .iter()
        .any(|s| s == "address-registration-burgas"));

    let admin = staff(
        &app,
        "nodes-admin@burgas.example.bg",
        "000056814",
        portico_identity::Role::AdministrationAdmin,
    )
    .await;
    let burgas = administration_id(&app, "000056814").await;
    admin.get("/admin/catalog/adopt").await;
    let done = admin
        .post_form(
            "/admin/catalog/adopt",
            &[
                ("administration_id", &burgas),
                ("template", "address-registration"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let adopted = Instant::now();

    // docs/catalog.md: a node checks `catalog_version` at most every 3 s.
    loop {
        let found = search(&on_b, "адресна регистрация")
            .await
            .iter()
            .any(|s| s == "address-registration-burgas");
        if found {
            break;
        }
        assert!(
            adopted.elapsed() < Duration::from_millis(3500),
            "node B did not find the adopted service within the 3 s refresh period"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn two_nodes_migrating_a_fresh_database_at_once_apply_each_migration_once() {
    if !postgres_only("migrations") {
        return;
    }
    let (url, _cleanup) = portico_store::testdb::fresh_url().await.unwrap();
    let a = portico_store::Db::connect(&url, 3).await.unwrap();
    let b = portico_store::Db::connect(&url, 3).await.unwrap();
    let (on_a, on_b) = tokio::join!(portico::app::migrate(&a), portico::app::migrate(&b));
    let (on_a, on_b) = (on_a.unwrap(), on_b.unwrap());
    let every: Vec<&str> = portico::app::migrations()
        .iter()
        .flat_map(|block| block.iter().map(|m| m.id))
        .collect();
    let mut applied: Vec<String> = on_a.iter().chain(on_b.iter()).cloned().collect();
    applied.sort();
    let mut expected: Vec<String> = every.iter().map(|s| (*s).to_owned()).collect();
    expected.sort();
    assert_eq!(
        applied, expected,
        "each migration applied by exactly one node"
    );
    let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM schema_migrations")
        .fetch_one(a.pool())
        .await
        .unwrap();
    assert_eq!(rows as usize, every.len());
    a.close().await;
    b.close().await;
}

#[tokio::test]
async fn an_edited_migration_is_refused_naming_it() {
    let app = TestApp::start().await;
    // As if the SQL of an applied migration had been edited since: its stored checksum differs.
    let id = portico::app::migrations()[0][0].id;
    sqlx::query("UPDATE schema_migrations SET checksum = $1 WHERE id = $2")
        .bind("0".repeat(64))
        .bind(id)
        .execute(app.db.pool())
        .await
        .unwrap();
    let (code, output) = run_cli(&app, &["migrate"]).await;
    assert_ne!(code, 0, "{output}");
    assert!(
        output.contains(&format!("migration {id} was changed after it was applied")),
        "{output}"
    );
}
