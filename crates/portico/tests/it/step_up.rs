//! Step-up confirmation (`portico_identity::service::step_up`) on the real database, with codes
//! sent through the job queue to the SMTP sink and SMS gateway.

use crate::support::{Client, TestApp};
use portico_core::Clock;
use portico_identity::service::step_up::{self, Channel};
use portico_identity::IdentityError;
use reqwest::StatusCode;

async fn account_id(app: &TestApp, email: &str) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM accounts WHERE email = $1")
        .bind(email)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    id
}

/// The six digits after `marker` in a message.
fn code_after(text: &str, marker: &str) -> String {
    let rest = text
        .split(marker)
        .nth(1)
        .unwrap_or_else(|| panic!("{text}"));
    let code: String = rest.trim_start().chars().take(6).collect();
    assert!(code.chars().all(|c| c.is_ascii_digit()), "{text}");
    code
}

async fn enrol_totp(app: &TestApp, client: &Client) -> String {
    let setup = client.get("/account/totp").await;
    let secret = setup.texts("#totp-secret").pop().unwrap().replace(' ', "");
    let done = client
        .post_form("/account/totp", &[("code", &app.totp(&secret))])
        .await;
    assert_eq!(done.status, StatusCode::OK);
    app.advance(30);
    secret
}

async fn step_up_audit(app: &TestApp, outcome: &str) -> i64 {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT details FROM audit_log WHERE action = 'identity.step_up'")
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    rows.iter()
        .filter(|(d,)| {
            let v: serde_json::Value = serde_json::from_str(d).unwrap();
            v["outcome"] == outcome && v["purpose"] == "test.sign"
        })
        .count() as i64
}

#[tokio::test]
async fn an_authenticator_code_confirms_once() {
    let app = TestApp::start().await;
    let (client, _) = app.register("stepup-totp@example.bg").await;
    let secret = enrol_totp(&app, &client).await;
    let id = account_id(&app, "stepup-totp@example.bg").await;
    let code = app.totp(&secret);
    let now = app.clock.now();
    let proof = step_up::confirm(&app.db, &id, &code, "test.sign", now)
        .await
        .unwrap();
    assert!(proof.is_for(&id, "test.sign"));
    assert!(!proof.is_for(&id, "payments.pay"));
    assert_eq!(proof.method(), "totp");
    assert_eq!(proof.at(), now);
    let again = step_up::confirm(&app.db, &id, &code, "test.sign", now).await;
    assert!(matches!(again, Err(IdentityError::WrongCode)), "{again:?}");
    assert_eq!(step_up_audit(&app, "confirmed").await, 1);
    assert_eq!(step_up_audit(&app, "wrong_code").await, 1);
}

#[tokio::test]
async fn an_emailed_code_works_once_for_its_purpose_and_not_after_five_minutes() {
    let app = TestApp::start().await;
    app.register("stepup-mail@example.bg").await;
    let id = account_id(&app, "stepup-mail@example.bg").await;
    let now = app.clock.now();
    step_up::send_code(&app.db, &id, Channel::Email, "test.sign", None, now)
        .await
        .unwrap();
    let mail = app.mail.wait_for("Your confirmation code is").await;
    let code = code_after(&mail, "Your confirmation code is");
    // Not for another purpose.
    let other = step_up::confirm(&app.db, &id, &code, "payments.pay", now).await;
    assert!(matches!(other, Err(IdentityError::WrongCode)), "{other:?}");
    let proof = step_up::confirm(&app.db, &id, &code, "test.sign", now)
        .await
        .unwrap();
    assert_eq!(proof.method(), "email");
    assert_eq!(proof.account_id(), id);
    assert_eq!(proof.purpose(), "test.sign");
    let reused = step_up::confirm(&app.db, &id, &code, "test.sign", now).await;
    assert!(
        matches!(reused, Err(IdentityError::WrongCode)),
        "{reused:?}"
    );

    // A fresh code, five minutes and a second later, no longer works.
    step_up::send_code(&app.db, &id, Channel::Email, "test.sign", None, now)
        .await
        .unwrap();
    let mail = app.mail.message(2).await;
    let late = code_after(&mail, "Your confirmation code is");
    app.advance(301);
    let expired = step_up::confirm(&app.db, &id, &late, "test.sign", app.clock.now()).await;
    assert!(
        matches!(expired, Err(IdentityError::WrongCode)),
        "{expired:?}"
    );
    // The audit log has the outcomes and never the codes.
    let details: Vec<(String,)> = sqlx::query_as("SELECT details FROM audit_log")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    assert!(details
        .iter()
        .all(|(d,)| !d.contains(&code) && !d.contains(&late)));
    assert_eq!(step_up_audit(&app, "confirmed").await, 1);
}

#[tokio::test]
async fn a_texted_code_confirms_and_the_phone_is_limited_across_accounts() {
    let app = TestApp::start().await;
    // Both accounts registered with the same phone number (support's register uses one).
    app.register("stepup-sms1@example.bg").await;
    app.register("stepup-sms2@example.bg").await;
    app.phone_verified("stepup-sms1@example.bg").await;
    app.phone_verified("stepup-sms2@example.bg").await;
    let first = account_id(&app, "stepup-sms1@example.bg").await;
    let second = account_id(&app, "stepup-sms2@example.bg").await;
    let now = app.clock.now();
    step_up::send_code(&app.db, &first, Channel::Sms, "test.sign", None, now)
        .await
        .unwrap();
    let (_, sms) = app.sms.message(1).await;
    assert_eq!(sms["to"], "+359888123456");
    let code = code_after(sms["text"].as_str().unwrap(), "Portico:");
    let proof = step_up::confirm(&app.db, &first, &code, "test.sign", now)
        .await
        .unwrap();
    assert_eq!(proof.method(), "sms");
    for _ in 0..4 {
        step_up::send_code(&app.db, &first, Channel::Sms, "test.sign", None, now)
            .await
            .unwrap();
    }
    // Five texts to that phone: the other account cannot send a sixth there, but can e-mail.
    let refused = step_up::send_code(&app.db, &second, Channel::Sms, "test.sign", None, now).await;
    assert!(
        matches!(refused, Err(IdentityError::RateLimited(60))),
        "{refused:?}"
    );
    step_up::send_code(&app.db, &second, Channel::Email, "test.sign", None, now)
        .await
        .unwrap();
}

#[tokio::test]
async fn wrong_step_up_codes_are_slowed_down_even_for_the_right_one() {
    let app = TestApp::start().await;
    let (client, _) = app.register("stepup-wrong@example.bg").await;
    let secret = enrol_totp(&app, &client).await;
    let id = account_id(&app, "stepup-wrong@example.bg").await;
    let now = app.clock.now();
    for _ in 0..3 {
        let wrong = step_up::confirm(&app.db, &id, "000000", "test.sign", now).await;
        assert!(matches!(wrong, Err(IdentityError::WrongCode)), "{wrong:?}");
    }
    let fourth = step_up::confirm(&app.db, &id, "000000", "test.sign", now).await;
    assert!(
        matches!(fourth, Err(IdentityError::RateLimited(5))),
        "{fourth:?}"
    );
    let right = step_up::confirm(&app.db, &id, &app.totp(&secret), "test.sign", now).await;
    assert!(
        matches!(right, Err(IdentityError::RateLimited(5))),
        "{right:?}"
    );
    assert_eq!(step_up_audit(&app, "wrong_code").await, 4);
    assert_eq!(step_up_audit(&app, "rate_limited").await, 1);
    app.advance(6);
    step_up::confirm(
        &app.db,
        &id,
        &app.totp(&secret),
        "test.sign",
        app.clock.now(),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn parallel_wrong_step_up_codes_are_each_counted() {
    let app = TestApp::start().await;
    app.register("stepup-parallel@example.bg").await;
    let id = account_id(&app, "stepup-parallel@example.bg").await;
    let now = app.clock.now();
    let mut set = tokio::task::JoinSet::new();
    for i in 0..30 {
        let (db, id) = (app.db.clone(), id.clone());
        set.spawn(
            async move { step_up::confirm(&db, &id, &format!("{i:06}"), "test.sign", now).await },
        );
    }
    let (mut wrong, mut limited) = (0, 0);
    while let Some(result) = set.join_next().await {
        match result.unwrap() {
            Err(IdentityError::WrongCode) => wrong += 1,
            Err(IdentityError::RateLimited(_)) => limited += 1,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!((wrong, limited), (3, 27));
    assert_eq!(
        step_up_audit(&app, "wrong_code").await,
        4,
        "four codes were checked"
    );
}
