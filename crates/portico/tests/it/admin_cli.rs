//! `portico admin …` and `portico demo`: onboarding from the command line.

use crate::support::{run_cli, TestApp};

#[tokio::test]
async fn adding_an_administration_validates_its_eik_and_parent() {
    let app = TestApp::start().await;
    let before = app.count("SELECT COUNT(*) FROM administrations").await;
    let base = [
        "admin",
        "add-administration",
        "--name-bg",
        "Община Тест",
        "--name-en",
        "Test Municipality",
        "--kind",
        "municipality",
    ];

    let (code, out) = run_cli(&app, &[&base[..], &["--eik", "000696328"]].concat()).await;
    assert_ne!(code, 0);
    assert!(
        out.contains("EIK \"000696328\" is not valid: the check digit does not match"),
        "{out}"
    );

    let (code, out) = run_cli(
        &app,
        &[&base[..], &["--eik", "000056814", "--parent", "999999999"]].concat(),
    )
    .await;
    assert_ne!(code, 0);
    assert!(
        out.contains("no administration with EIK or id \"999999999\""),
        "{out}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM administrations").await,
        before,
        "a refused command changes nothing"
    );

    let (code, out) = run_cli(&app, &[&base[..], &["--eik", "000056814"]].concat()).await;
    assert_eq!(code, 0, "{out}");
    let (code, out) = run_cli(&app, &[&base[..], &["--eik", "000056814"]].concat()).await;
    assert_ne!(code, 0, "the same EIK twice");
    assert!(out.contains("eik.taken"), "{out}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM administrations").await,
        before + 1
    );
}

#[tokio::test]
async fn the_first_admin_of_an_administration_gets_an_account_and_a_role() {
    let app = TestApp::start().await;
    run_cli(
        &app,
        &[
            "admin",
            "add-administration",
            "--name-bg",
            "Община Бургас",
            "--name-en",
            "Burgas",
            "--kind",
            "municipality",
            "--eik",
            "000056814",
        ],
    )
    .await;
    let (code, out) = run_cli(
        &app,
        &[
            "admin",
            "add-staff",
            "--administration",
            "123456789",
            "--email",
            "x@burgas.bg",
            "--given-name",
            "А",
            "--family-name",
            "Б",
        ],
    )
    .await;
    assert_ne!(code, 0);
    assert!(out.contains("no administration with EIK or id"), "{out}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM accounts").await,
        0,
        "nothing is created for an unknown administration"
    );

    let (code, out) = run_cli(
        &app,
        &[
            "admin",
            "add-staff",
            "--administration",
            "000056814",
            "--email",
            "admin@burgas.bg",
            "--given-name",
            "Анна",
            "--family-name",
            "Колева",
        ],
    )
    .await;
    assert_eq!(code, 0, "{out}");
    let password = out
        .lines()
        .find_map(|l| l.split("securely): ").nth(1))
        .expect("a one-time password is printed")
        .trim()
        .to_owned();

    let client = app.client();
    let page = client.sign_in_password("admin@burgas.bg", &password).await;
    assert_eq!(page.location(), "/login/second-factor?next=");
    let roles = app
        .count("SELECT COUNT(*) FROM role_assignments WHERE role = 'administration_admin'")
        .await;
    assert_eq!(roles, 1);
    let audited = app
        .count("SELECT COUNT(*) FROM audit_log WHERE action = 'identity.role_granted'")
        .await;
    assert_eq!(audited, 1, "the role change is in the audit log");
}

#[tokio::test]
async fn demo_seeding_is_idempotent() {
    let app = TestApp::start().await;
    let (code, out) = run_cli(&app, &["demo", "--seed-only"]).await;
    assert_eq!(code, 0, "{out}");
    let counts = |app: &TestApp| {
        let app_db = app.db.clone();
        async move {
            let mut v = Vec::new();
            for table in [
                "administrations",
                "units",
                "accounts",
                "role_assignments",
                "totp_factors",
                "audit_log",
            ] {
                let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
                    .fetch_one(app_db.pool())
                    .await
                    .unwrap();
                v.push((table, n));
            }
            v
        }
    };
    let first = counts(&app).await;
    assert_eq!(
        first[0],
        ("administrations", 30),
        "Sofia, its 24 districts, Burgas, Veliko Tarnovo, Chelopech, and the keepers of the population and commercial registers"
    );
    let (code, out) = run_cli(&app, &["demo", "--seed-only"]).await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(counts(&app).await, first);
}

#[tokio::test]
async fn benchmark_services_are_added_once_and_found_by_search() {
    let app = TestApp::start().await;
    let (code, out) = run_cli(&app, &["demo", "--seed-only"]).await;
    assert_eq!(code, 0, "{out}");
    let (code, out) = run_cli(&app, &["bench-seed", "--services", "40"]).await;
    assert_eq!((code, out.trim()), (0, "added 40 synthetic services"));
    let (_, out) = run_cli(&app, &["bench-seed", "--services", "40"]).await;
    assert_eq!(out.trim(), "added 0 synthetic services");
    let results = app
        .client()
        .get("/api/v1/services?q=%D1%81%D1%82%D1%80%D0%BE%D0%B5%D0%B6")
        .await
        .json();
    let text = results.to_string();
    assert!(
        text.contains("bench-8"),
        "«строеж» finds the synthetic construction permits: {text}"
    );
}
