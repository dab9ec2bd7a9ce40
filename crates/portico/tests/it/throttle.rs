//! Throttles that hold under parallel attempts, per account whatever the identifier, and per
//! client address (with and without a trusted proxy in front).

use crate::support::{Client, TestApp, PASSWORD};
use reqwest::StatusCode;
use std::sync::Arc;

/// Fires `n` sign-ins with `password` for `identifier` at once from one browser; returns statuses.
async fn parallel_sign_ins(
    client: Arc<Client>,
    identifier: &str,
    password: &str,
    n: usize,
) -> Vec<StatusCode> {
    client.get("/login").await;
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..n {
        let client = client.clone();
        let (identifier, password) = (identifier.to_owned(), password.to_owned());
        set.spawn(async move {
            client
                .post_form(
                    "/login",
                    &[("identifier", &identifier), ("password", &password)],
                )
                .await
                .status
        });
    }
    let mut statuses = Vec::new();
    while let Some(status) = set.join_next().await {
        statuses.push(status.unwrap());
    }
    statuses
}

fn count(statuses: &[StatusCode], status: StatusCode) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

#[tokio::test]
async fn parallel_wrong_passwords_are_each_counted_and_lock_the_account() {
    let app = TestApp::start().await;
    let (client, _) = app.register("parallel@example.bg").await;
    client.sign_out().await;
    let statuses = parallel_sign_ins(
        Arc::new(client),
        "parallel@example.bg",
        "not the password",
        100,
    )
    .await;
    assert_eq!(
        count(&statuses, StatusCode::UNPROCESSABLE_ENTITY),
        3,
        "{statuses:?}"
    );
    assert_eq!(
        count(&statuses, StatusCode::TOO_MANY_REQUESTS),
        97,
        "{statuses:?}"
    );
    // Three free failures and the fourth that locks: no more passwords were checked.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'identity.sign_in_failed'")
            .await,
        4
    );
    let fresh = app.client();
    let locked = fresh
        .sign_in_password("parallel@example.bg", PASSWORD)
        .await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(locked.headers["retry-after"], "5");
    app.advance(6);
    let ok = fresh
        .sign_in_password("parallel@example.bg", PASSWORD)
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
}

#[tokio::test]
async fn concurrent_first_failures_never_give_a_server_error() {
    let app = TestApp::start().await;
    let statuses = parallel_sign_ins(
        Arc::new(app.client()),
        "nobody-yet@example.bg",
        "whatever it is",
        30,
    )
    .await;
    assert_eq!(
        count(&statuses, StatusCode::INTERNAL_SERVER_ERROR),
        0,
        "{statuses:?}"
    );
    assert_eq!(
        count(&statuses, StatusCode::UNPROCESSABLE_ENTITY),
        3,
        "{statuses:?}"
    );
    assert_eq!(
        count(&statuses, StatusCode::TOO_MANY_REQUESTS),
        27,
        "{statuses:?}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'identity.sign_in_failed'")
            .await,
        4,
        "four passwords were checked"
    );

    // Wrong second-factor codes, which cost nothing to check, fired at once at a fresh key.
    let (client, _) = app.register("first-codes@example.bg").await;
    let setup = client.get("/account/totp").await;
    let secret = setup.texts("#totp-secret").pop().unwrap().replace(' ', "");
    client
        .post_form("/account/totp", &[("code", &app.totp(&secret))])
        .await;
    client.sign_out().await;
    client
        .sign_in_password("first-codes@example.bg", PASSWORD)
        .await;
    client.get("/login/second-factor").await;
    let client = Arc::new(client);
    let mut set = tokio::task::JoinSet::new();
    for i in 0..30 {
        let client = client.clone();
        set.spawn(async move {
            client
                .post_form("/login/totp", &[("code", &(100_000 + i).to_string())])
                .await
                .status
        });
    }
    let mut statuses = Vec::new();
    while let Some(status) = set.join_next().await {
        statuses.push(status.unwrap());
    }
    assert_eq!(
        count(&statuses, StatusCode::INTERNAL_SERVER_ERROR),
        0,
        "{statuses:?}"
    );
    assert_eq!(
        count(&statuses, StatusCode::UNPROCESSABLE_ENTITY),
        3,
        "{statuses:?}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'identity.second_factor_failed'")
            .await,
        4
    );
}

#[tokio::test]
async fn the_email_and_the_personal_number_of_one_account_share_one_throttle() {
    let app = TestApp::start().await;
    let (client, egn) = app.register("both@example.bg").await;
    client.sign_out().await;
    for _ in 0..3 {
        let page = client
            .sign_in_password("both@example.bg", "not the password")
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let fourth = client.sign_in_password(&egn, "not the password").await;
    assert_eq!(fourth.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(fourth.headers["retry-after"], "5");
    let right = client.sign_in_password(&egn, PASSWORD).await;
    assert_eq!(
        right.status,
        StatusCode::TOO_MANY_REQUESTS,
        "locked by EGN too"
    );
    let right = client.sign_in_password("both@example.bg", PASSWORD).await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
}

/// Twenty-one wrong sign-ins for as many unknown identifiers, each from `client_for(i)`.
async fn spray(app: &TestApp, client_for: impl Fn(usize) -> Client) -> Vec<StatusCode> {
    let mut statuses = Vec::new();
    for i in 0..21 {
        let page = client_for(i)
            .sign_in_password(&format!("guess{i}@example.bg"), "Password123!")
            .await;
        statuses.push(page.status);
    }
    let _ = app;
    statuses
}

#[tokio::test]
async fn one_address_gets_twenty_free_failures_whatever_it_forges_in_x_forwarded_for() {
    let app = TestApp::start().await;
    let (victim, _) = app.register("victim@example.bg").await;
    victim.sign_out().await;
    // No trusted proxies (the default): the header is the client's own word and is ignored.
    let statuses = spray(&app, |i| {
        Client::forwarded_for(&app.base, &format!("198.51.100.{i}"))
    })
    .await;
    assert_eq!(count(&statuses[..20], StatusCode::UNPROCESSABLE_ENTITY), 20);
    assert_eq!(statuses[20], StatusCode::TOO_MANY_REQUESTS);
    let refused = Client::forwarded_for(&app.base, "203.0.113.50")
        .sign_in_password("victim@example.bg", PASSWORD)
        .await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.headers["retry-after"], "5");
    app.advance(6);
    let ok = victim.sign_in_password("victim@example.bg", PASSWORD).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_address_has_its_own_limit() {
    let app = TestApp::start_with(|config| {
        config.trusted_proxies =
            portico_http::client_addr::parse_trusted_proxies("127.0.0.1").unwrap();
    })
    .await;
    let (victim, _) = app.register("proxied@example.bg").await;
    victim.sign_out().await;
    let statuses = spray(&app, |_| Client::forwarded_for(&app.base, "203.0.113.7")).await;
    assert_eq!(count(&statuses[..20], StatusCode::UNPROCESSABLE_ENTITY), 20);
    assert_eq!(statuses[20], StatusCode::TOO_MANY_REQUESTS);
    let same = Client::forwarded_for(&app.base, "203.0.113.7")
        .sign_in_password("proxied@example.bg", PASSWORD)
        .await;
    assert_eq!(same.status, StatusCode::TOO_MANY_REQUESTS);
    // A hop forged to the left of the proxy's own entry changes nothing.
    let forged = Client::forwarded_for(&app.base, "192.0.2.1, 203.0.113.7")
        .sign_in_password("proxied@example.bg", PASSWORD)
        .await;
    assert_eq!(forged.status, StatusCode::TOO_MANY_REQUESTS);
    // Another client behind the same proxy is not held up.
    let other = Client::forwarded_for(&app.base, "198.51.100.9")
        .sign_in_password("proxied@example.bg", PASSWORD)
        .await;
    assert_eq!(other.status, StatusCode::SEE_OTHER, "{}", other.body);
}

#[tokio::test]
async fn sign_in_codes_by_sms_are_limited_per_account() {
    let app = TestApp::start().await;
    let (client, _) = app.register("texts@example.bg").await;
    app.phone_verified("texts@example.bg").await;
    client.sign_out().await;
    client.sign_in_password("texts@example.bg", PASSWORD).await;
    client.get("/login/second-factor").await;
    for _ in 0..5 {
        let sent = client.post_form("/login/sms", &[]).await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    }
    let sixth = client.post_form("/login/sms", &[]).await;
    assert_eq!(sixth.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(sixth.headers["retry-after"], "60");
    app.sms.message(5).await;
    assert_eq!(app.sms.received.lock().unwrap().len(), 5);
}

#[tokio::test]
async fn an_address_is_forgotten_after_an_hour_of_quiet_and_sends_are_limited_per_address() {
    use portico_core::Clock;
    use portico_identity::service::throttle;
    use portico_identity::IdentityError;
    let app = TestApp::start().await;
    let claim = |now| {
        let db = app.db.clone();
        async move {
            let mut tx = db.begin().await.unwrap();
            let result = throttle::claim(&mut tx, "test:addr", &throttle::ADDRESS, now).await;
            tx.commit().await.unwrap();
            result
        }
    };
    for _ in 0..20 {
        assert_eq!(claim(app.clock.now()).await.unwrap(), 0);
    }
    assert_eq!(claim(app.clock.now()).await.unwrap(), 5);
    assert!(matches!(
        claim(app.clock.now()).await,
        Err(IdentityError::RateLimited(5))
    ));
    app.advance(3601);
    assert_eq!(
        claim(app.clock.now()).await.unwrap(),
        0,
        "counting starts again"
    );

    // Twenty messages from one address, to as many accounts and destinations; not a 21st.
    let now = app.clock.now();
    for i in 0..20 {
        let mut tx = app.db.begin().await.unwrap();
        throttle::claim_send(
            &mut tx,
            &format!("account-{i}"),
            &format!("person{i}@example.bg"),
            Some("one-address"),
            now,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    let mut tx = app.db.begin().await.unwrap();
    let refused = throttle::claim_send(
        &mut tx,
        "account-x",
        "x@example.bg",
        Some("one-address"),
        now,
    )
    .await;
    assert!(
        matches!(refused, Err(IdentityError::RateLimited(60))),
        "{refused:?}"
    );
}
