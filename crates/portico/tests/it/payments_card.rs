//! Paying a fee by card through the sandbox card provider, which runs as its own HTTP service
//! on another port, so its callbacks really cross the network: a service with a fee shows it
//! before submitting, the case waits for it, the payer pays on the provider's hosted page and
//! comes back, the case moves on (through the payments outbox job) and the receipt is in their
//! eDelivery mailbox. Then the callbacks a provider can get wrong: the same one twice, out of
//! order, a bad or old signature, another amount or currency, money after expiry, a provider
//! that does not answer — never paid twice, nothing lost.

use crate::cases::{state_of, submit, verified_citizen};
use crate::support::{Client, Page, TestApp};
use portico::config::Config;
use portico_core::Clock;
use portico_payments::sandbox::{Sandbox, CARD_DECLINED, CARD_SUCCEEDS, CARD_TIMES_OUT};
use portico_payments::signing;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

const SECRET: &str = "a sandbox secret of at least thirty-two bytes";
const SERVICE: &str = "/services/permanent-address-certificate-sofia";

/// Starts the sandbox card provider on its own port and returns its address, and the sandbox
/// itself (its ledger of refunds).
async fn sandbox() -> (String, Sandbox) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let sandbox = Sandbox::new(SECRET.as_bytes(), &base).unwrap();
    tokio::spawn(portico_payments::sandbox::serve(listener, sandbox.clone()));
    (base, sandbox)
}

async fn seeded_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    static STARTING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let app = {
        let _one_at_a_time = STARTING.lock().await;
        TestApp::start_with(adjust).await
    };
    portico::demo::seed(&app.db, &app.clock)
        .await
        .expect("demo data");
    app
}

/// A seeded Portico that pays through a sandbox provider of its own.
async fn with_provider() -> (TestApp, String) {
    let (app, provider, _) = with_sandbox().await;
    (app, provider)
}

async fn with_sandbox() -> (TestApp, String, Sandbox) {
    let (provider, sandbox) = sandbox().await;
    let url = provider.clone();
    let app = seeded_with(move |c| {
        c.pay_sandbox_url = Some(url);
        c.pay_sandbox_secret = Some(SECRET.into());
    })
    .await;
    (app, provider, sandbox)
}

/// The EIK of the administration a payment is for.
async fn eik_of(app: &TestApp, payment: &str) -> String {
    let (eik,): (String,) = sqlx::query_as(
        "SELECT a.eik FROM administrations a JOIN payments_requests r \
         ON r.administration_id = a.id WHERE r.id = $1",
    )
    .bind(payment)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    eik
}

/// Fills and submits the fee-paying demo service; returns the application's id.
async fn apply(app: &TestApp, client: &Client, secret: &str) -> String {
    let start = client.get(&format!("{SERVICE}/apply")).await;
    assert_eq!(start.status, StatusCode::SEE_OTHER, "{}", start.body);
    let step0 = start.location().to_owned();
    let id = step0.split('/').nth(2).unwrap().to_owned();
    client.get(&step0).await;
    // The certificate-request form of the shared template library: for whom, then why.
    let next = client.post_form(&step0, &[("for_whom", "self")]).await;
    assert_eq!(next.status, StatusCode::SEE_OTHER, "{}", next.body);
    let step1 = next.location().to_owned();
    client.get(&step1).await;
    let next = client
        .post_form(&step1, &[("purpose", "За банката"), ("copies", "1")])
        .await;
    assert_eq!(next.status, StatusCode::SEE_OTHER, "{}", next.body);
    let mut at = next.location().to_owned();
    while at.contains("/step/") {
        client.get(&at).await;
        let next = client.post_form(&at, &[]).await;
        assert_eq!(next.status, StatusCode::SEE_OTHER, "{}", next.body);
        at = next.location().to_owned();
    }
    assert_eq!(at, format!("/applications/{id}/review"));
    // The amount is shown before submitting.
    let review = client.get(&at).await;
    assert_eq!(review.texts("#fee-hint").len(), 1, "{}", review.body);
    assert!(review.body.contains("2,50 €"), "{}", review.body);
    let done = submit(app, client, &id, secret).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    id
}

async fn payment_of(app: &TestApp, application_id: &str) -> (String, String, i64, String) {
    sqlx::query_as(
        "SELECT r.id, r.state, r.amount_minor, r.code FROM payments_requests r \
         JOIN application_payments a ON a.payment_id = r.id WHERE a.application_id = $1",
    )
    .bind(application_id)
    .fetch_one(app.db.pool())
    .await
    .unwrap()
}

async fn payment_state(app: &TestApp, id: &str) -> String {
    let (state,): (String,) = sqlx::query_as("SELECT state FROM payments_requests WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    state
}

/// Presses "pay" on the application page; returns the hosted page's address.
async fn press_pay(client: &Client, application_id: &str) -> String {
    let page = client.get(&format!("/applications/{application_id}")).await;
    let action = page
        .attr("form[action$='/pay']", "action")
        .unwrap_or_else(|| panic!("a pay button: {}", page.body));
    let to_provider = client.post_form(&action, &[]).await;
    assert_eq!(to_provider.status, StatusCode::OK, "{}", to_provider.body);
    assert!(
        to_provider.body.contains("2.50 EUR"),
        "{}",
        to_provider.body
    );
    to_provider
        .attr("#to-provider", "href")
        .expect("a link to the provider")
}

/// Pays on the sandbox's hosted page with `card`; returns where the payer is sent back to.
async fn pay_on_provider(client: &Client, provider: &str, hosted: &str, card: &str) -> String {
    let path = hosted.strip_prefix(provider).expect("the provider's page");
    let browser = client.at(provider);
    let page = browser.get(path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("2.50 EUR"), "{}", page.body);
    let paid: Page = browser
        .post_form(
            path,
            &[("card_number", card), ("expiry", "12/30"), ("cvc", "123")],
        )
        .await;
    assert_eq!(paid.status, StatusCode::SEE_OTHER, "{}", paid.body);
    paid.location().to_owned()
}

async fn wait_for_state(app: &TestApp, id: &str, state: &str) {
    for _ in 0..100 {
        if state_of(app, id).await == state {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(state_of(app, id).await, state);
}

#[tokio::test]
async fn a_fee_is_paid_by_card_on_the_providers_page_and_the_case_moves_on_with_a_receipt() {
    let (app, provider, ledger) = with_sandbox().await;
    let (client, egn, secret) = verified_citizen(&app, "payer@example.bg").await;
    let id = apply(&app, &client, &secret).await;
    assert_eq!(state_of(&app, &id).await, "waiting_payment");
    let (payment, state, amount, code) = payment_of(&app, &id).await;
    assert_eq!((state.as_str(), amount), ("created", 250));
    let (obligor, reference): (String, String) = sqlx::query_as(
        "SELECT r.obligor_id, r.application_ref FROM payments_requests r WHERE r.id = $1",
    )
    .bind(&payment)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(obligor, egn);
    let (number,): (String,) =
        sqlx::query_as("SELECT tracking_number FROM applications WHERE id = $1")
            .bind(&id)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(reference, number);

    let hosted = press_pay(&client, &id).await;
    assert!(hosted.starts_with(&provider), "{hosted}");
    assert_eq!(payment_state(&app, &payment).await, "started");
    let back = pay_on_provider(&client, &provider, &hosted, CARD_SUCCEEDS).await;
    assert_eq!(back, format!("{}/payments/{payment}/return", app.base));
    let back = client.get(back.strip_prefix(&app.base).unwrap()).await;
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    let mine = client.get(back.location()).await;
    assert_eq!(
        mine.texts(".notification__title"),
        vec!["Плащането е получено"],
        "{}",
        mine.body
    );

    // The callbacks crossed the network: authorised, then paid, each once.
    assert_eq!(payment_state(&app, &payment).await, "paid");
    let history: Vec<(String,)> = sqlx::query_as(
        "SELECT to_state FROM payments_events WHERE request_id = $1 ORDER BY at, id",
    )
    .bind(&payment)
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    let history: Vec<&str> = history.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(history, ["created", "started", "authorised", "paid"]);

    // The outbox job moved the case on, as the payments system, and sent the receipt.
    wait_for_state(&app, &id, "submitted").await;
    let (by,): (String,) = sqlx::query_as(
        "SELECT actor FROM audit_log WHERE action = 'cases.transition' ORDER BY seq DESC LIMIT 1",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(by, "system:payments");
    // The fee is counted by insights once, for the application's service (not only for its
    // administration).
    let (service,): (String,) = sqlx::query_as("SELECT service_id FROM applications WHERE id = $1")
        .bind(&id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let counted_paid = |service: String| {
        let db = app.db.clone();
        async move {
            let (n,): (Option<i64>,) = sqlx::query_as(
                "SELECT CAST(SUM(paid) AS BIGINT) FROM insights_monthly WHERE service_id = $1",
            )
            .bind(service)
            .fetch_one(db.pool())
            .await
            .unwrap();
            n.unwrap_or(0)
        }
    };
    for _ in 0..200 {
        if counted_paid(service.clone()).await > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(counted_paid(service.clone()).await, 1);
    assert_eq!(
        counted_paid(String::new()).await,
        0,
        "not as a fee for no service"
    );
    let page = client.get(&format!("/applications/{id}")).await;
    assert_eq!(page.texts("#application-state"), vec!["Подадено"]);
    assert!(page.attr("form[action$='/pay']", "action").is_none());
    let mut receipts = 0;
    for _ in 0..100 {
        receipts = app
            .count("SELECT COUNT(*) FROM delivery_messages WHERE subject LIKE 'Разписка%'")
            .await;
        if receipts > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(receipts, 1);
    let mailbox = client.get("/mailbox").await;
    assert!(
        mailbox.body.contains("Разписка за платена такса"),
        "{}",
        mailbox.body
    );
    assert!(client.get("/payments").await.body.contains(&code));

    // Paying again changes nothing: the payment is not payable any more.
    let again = client
        .post_form(&format!("/payments/{payment}/pay"), &[])
        .await;
    assert_eq!(again.location(), "/payments?error=not_payable");

    // A refund of a card payment goes back to the card through the provider, across the
    // network, before it is recorded; more than is left is refused there and here.
    let session = hosted.rsplit('/').next().unwrap().to_owned();
    let token =
        crate::payments::client_token(&app, &eik_of(&app, &payment).await, &["payments"]).await;
    let refund = |amount: i64| {
        let (base, token, payment) = (app.base.clone(), token.clone(), payment.clone());
        async move {
            let r = reqwest::Client::new()
                .post(format!("{base}/api/v1/payments/{payment}/refunds"))
                .bearer_auth(token)
                .json(&json!({ "amount_minor": amount, "note": "overcharged" }))
                .send()
                .await
                .unwrap();
            (r.status(), r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (status, body) = refund(100).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "refunded_part", "{body}");
    assert_eq!(ledger.refunded_minor(&session), 100);
    let (status, _) = refund(200).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(ledger.refunded_minor(&session), 100);
    let (status, body) = refund(150).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ledger.refunded_minor(&session), 250);
    assert_eq!(payment_state(&app, &payment).await, "refunded");
    let notes: Vec<(Option<String>,)> = sqlx::query_as(
        "SELECT note FROM payments_events WHERE request_id = $1 AND to_state LIKE 'refunded%' \
         ORDER BY at, id",
    )
    .bind(&payment)
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert_eq!(notes.len(), 2);
    for (note,) in notes {
        assert!(
            note.as_deref().unwrap_or("").contains("card refund re_"),
            "{note:?}"
        );
    }
}

fn callback(session: &str, event: &str, status: &str, amount: i64, currency: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "event_id": event, "session_id": session, "status": status,
        "amount_minor": amount, "currency": currency,
    }))
    .unwrap()
}

/// Sends a callback to Portico as the provider does, signed at `at` with `secret`.
async fn deliver(app: &TestApp, body: &[u8], secret: &str, at: i64) -> (StatusCode, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/payments/callbacks/sandbox", app.base))
        .header("content-type", "application/json")
        .header(signing::HEADER, signing::sign(secret.as_bytes(), at, body))
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn paid_events(app: &TestApp, payment: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM payments_events WHERE request_id = $1 AND to_state = 'paid'",
    )
    .bind(payment)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    n
}

#[tokio::test]
async fn callbacks_twice_out_of_order_badly_signed_or_for_another_amount_never_pay_twice() {
    let (app, _provider) = with_provider().await;
    let (client, _, secret) = verified_citizen(&app, "callbacks@example.bg").await;
    let id = apply(&app, &client, &secret).await;
    let (payment, ..) = payment_of(&app, &id).await;
    let hosted = press_pay(&client, &id).await;
    let session = hosted.rsplit('/').next().unwrap().to_owned();
    let now = app.clock.now().timestamp();

    // A bad signature, another secret, an old or future timestamp: refused, nothing changes.
    let captured = callback(&session, "ev-captured", "captured", 250, "EUR");
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/payments/callbacks/sandbox", app.base))
        .header(signing::HEADER, format!("t={now},v1={}", "00".repeat(32)))
        .body(captured.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "signature_invalid");
    for (secret, at) in [
        ("another secret of at least thirty-two bytes", now),
        (SECRET, now - 301),
        (SECRET, now + 301),
    ] {
        let (status, body) = deliver(&app, &captured, secret, at).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    }
    let unsigned = reqwest::Client::new()
        .post(format!("{}/api/v1/payments/callbacks/sandbox", app.base))
        .body(captured.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(payment_state(&app, &payment).await, "started");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM payments_provider_events")
            .await,
        0
    );

    // Another amount or currency: acknowledged, held for a person, nothing paid.
    for (event, amount, currency) in [("ev-less", 249, "EUR"), ("ev-bgn", 250, "BGN")] {
        let body = callback(&session, event, "captured", amount, currency);
        let (status, answer) = deliver(&app, &body, SECRET, now).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(answer["outcome"], "amount_mismatch");
    }
    assert_eq!(payment_state(&app, &payment).await, "started");

    // Captured before its authorisation: paid once; the same event again, the late
    // authorisation and a second capture change nothing.
    let (_, answer) = deliver(&app, &captured, SECRET, now).await;
    assert_eq!(answer["outcome"], "applied");
    let (_, answer) = deliver(&app, &captured, SECRET, now + 1).await;
    assert_eq!(answer["outcome"], "duplicate");
    let late = callback(&session, "ev-authorised", "authorised", 250, "EUR");
    let (_, answer) = deliver(&app, &late, SECRET, now).await;
    assert_eq!(answer["outcome"], "stale");
    let second = callback(&session, "ev-captured-2", "captured", 250, "EUR");
    let (_, answer) = deliver(&app, &second, SECRET, now).await;
    assert_eq!(answer["outcome"], "stale");
    let declined = callback(&session, "ev-declined", "declined", 250, "EUR");
    let (_, answer) = deliver(&app, &declined, SECRET, now).await;
    assert_eq!(answer["outcome"], "stale");
    assert_eq!(payment_state(&app, &payment).await, "paid");
    assert_eq!(paid_events(&app, &payment).await, 1);

    // Twenty copies of one event at once: one row, still paid once.
    let burst = callback(&session, "ev-burst", "captured", 250, "EUR");
    let mut sends = Vec::new();
    for _ in 0..20 {
        let app_base = app.base.clone();
        let body = burst.clone();
        sends.push(tokio::spawn(async move {
            reqwest::Client::new()
                .post(format!("{app_base}/api/v1/payments/callbacks/sandbox"))
                .header(
                    signing::HEADER,
                    signing::sign(SECRET.as_bytes(), now, &body),
                )
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for s in sends {
        assert_eq!(s.await.unwrap(), StatusCode::OK);
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM payments_provider_events WHERE event_id = 'ev-burst'")
            .await,
        1
    );
    assert_eq!(paid_events(&app, &payment).await, 1);
    wait_for_state(&app, &id, "submitted").await;
    // The held ones are kept (and audited) for a person to resolve.
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM payments_provider_events WHERE outcome = 'amount_mismatch'"
        )
        .await,
        2
    );
    // A session nobody opened is kept too.
    let unknown = callback("no-such-session", "ev-unknown", "captured", 250, "EUR");
    let (_, answer) = deliver(&app, &unknown, SECRET, now).await;
    assert_eq!(answer["outcome"], "unknown_session");
}

#[tokio::test]
async fn a_declined_card_can_be_retried_and_a_provider_that_never_confirms_leaves_it_unpaid_until_expiry(
) {
    let (app, provider) = with_provider().await;
    let (client, _, secret) = verified_citizen(&app, "declined@example.bg").await;
    let id = apply(&app, &client, &secret).await;
    let (payment, ..) = payment_of(&app, &id).await;

    let hosted = press_pay(&client, &id).await;
    let back = pay_on_provider(&client, &provider, &hosted, CARD_DECLINED).await;
    let back = client.get(back.strip_prefix(&app.base).unwrap()).await;
    let mine = client.get(back.location()).await;
    assert_eq!(
        mine.texts(".notification__title"),
        vec!["Картата е отказана"]
    );
    assert_eq!(payment_state(&app, &payment).await, "started");
    assert_eq!(state_of(&app, &id).await, "waiting_payment");

    // Another try, with the card the provider never confirms.
    let hosted = press_pay(&client, &id).await;
    let session = hosted.rsplit('/').next().unwrap().to_owned();
    let back = pay_on_provider(&client, &provider, &hosted, CARD_TIMES_OUT).await;
    let back = client.get(back.strip_prefix(&app.base).unwrap()).await;
    client.get("/lang?to=en&back=/").await;
    let mine = client.get(back.location()).await;
    assert_eq!(
        mine.texts(".notification__title"),
        vec!["Waiting for the card provider"]
    );
    assert_eq!(payment_state(&app, &payment).await, "started");

    // The payment's time runs out: the expiry job expires it; money the provider takes after
    // that is not paid, but held (and audited) for a refund.
    app.advance(8 * 24 * 3600);
    for _ in 0..100 {
        if payment_state(&app, &payment).await == "expired" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(payment_state(&app, &payment).await, "expired");
    let late = callback(&session, "ev-late", "captured", 250, "EUR");
    let (status, answer) = deliver(&app, &late, SECRET, app.clock.now().timestamp()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["outcome"], "paid_after_expiry");
    assert_eq!(payment_state(&app, &payment).await, "expired");
    assert_eq!(paid_events(&app, &payment).await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'payments.callback_held'")
            .await,
        1
    );
    assert_eq!(state_of(&app, &id).await, "waiting_payment");
}

#[tokio::test]
async fn a_provider_that_does_not_answer_changes_nothing_and_the_payer_is_told() {
    // A provider that takes the connection and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });
    let app = seeded_with(move |c| {
        c.pay_sandbox_url = Some(url);
        c.pay_sandbox_secret = Some(SECRET.into());
    })
    .await;
    let (client, _, secret) = verified_citizen(&app, "silent@example.bg").await;
    let id = apply(&app, &client, &secret).await;
    let (payment, ..) = payment_of(&app, &id).await;
    let page = client.get(&format!("/applications/{id}")).await;
    let action = page.attr("form[action$='/pay']", "action").unwrap();
    let answer = client.post_form(&action, &[]).await;
    assert_eq!(answer.location(), "/payments?error=provider_unavailable");
    let mine = client.get(answer.location()).await;
    assert_eq!(
        mine.texts(".notification__title"),
        vec!["Плащането не можа да започне"]
    );
    assert_eq!(payment_state(&app, &payment).await, "created");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM payments_card_sessions")
            .await,
        0
    );
    // Another person's payment cannot be started at all.
    let (other, _, _) = verified_citizen(&app, "other-payer@example.bg").await;
    other.get("/payments").await;
    let theirs = other.post_form(&action, &[]).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
}

fn with_reference(body: &[u8], reference: &str) -> Vec<u8> {
    let mut v: Value = serde_json::from_slice(body).unwrap();
    v["reference"] = Value::String(reference.into());
    serde_json::to_vec(&v).unwrap()
}

fn held_events(page: &Page) -> Vec<String> {
    let sel = scraper::Selector::parse("section.held-callback").unwrap();
    page.html()
        .select(&sel)
        .filter_map(|e| e.value().attr("data-event").map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn held_card_payments_are_refunded_accepted_or_dismissed_by_the_administrations_staff() {
    use crate::catalog::staff;
    use portico_identity::Role;
    let (app, provider, ledger) = with_sandbox().await;
    let (client, _, secret) = verified_citizen(&app, "held@example.bg").await;
    let id = apply(&app, &client, &secret).await;
    let (payment, _, _, code) = payment_of(&app, &id).await;
    let hosted = press_pay(&client, &id).await;
    let session = hosted.rsplit('/').next().unwrap().to_owned();
    let now = app.clock.now().timestamp();

    // Held: more money than asked, another currency, an authorisation for less, and money on a
    // session nobody opened that names the payment's code; one without any code is nobody's.
    let sent = [
        callback(&session, "ev-more", "captured", 300, "EUR"),
        callback(&session, "ev-bgn", "captured", 250, "BGN"),
        callback(&session, "ev-auth-less", "authorised", 100, "EUR"),
        with_reference(
            &callback("lost-session", "ev-lost", "captured", 250, "EUR"),
            &code,
        ),
        callback("stray-session", "ev-stray", "captured", 250, "EUR"),
    ];
    for body in &sent {
        let (status, answer) = deliver(&app, body, SECRET, now).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_ne!(answer["outcome"], "applied");
    }
    assert_eq!(payment_state(&app, &payment).await, "started");

    let eik = eik_of(&app, &payment).await;
    let operator = staff(&app, "held-office@example.bg", &eik, Role::Operator).await;
    let rec = operator.get("/office/payments/reconciliation").await;
    assert_eq!(rec.status, StatusCode::OK, "{}", rec.body);
    let mut listed = held_events(&rec);
    listed.sort();
    assert_eq!(
        listed,
        ["ev-auth-less", "ev-bgn", "ev-lost", "ev-more"],
        "{}",
        rec.body
    );
    assert!(rec.body.contains("3.00 EUR"), "{}", rec.body);
    // Accepting is offered only where it can pay: the larger amount in the payment's currency.
    let accept_buttons = rec.texts("section.held-callback button[value='accept']");
    assert_eq!(accept_buttons.len(), 1, "{}", rec.body);
    assert_eq!(
        rec.texts("section.held-callback button[value='refund']")
            .len(),
        3
    );
    let resolve = |event: &str, action: &'static str, note: &'static str| {
        let operator = &operator;
        let event = event.to_owned();
        async move {
            operator
                .post_form(
                    "/office/payments/reconciliation/callback",
                    &[
                        ("provider", "sandbox"),
                        ("event", &event),
                        ("action", action),
                        ("note", note),
                    ],
                )
                .await
        }
    };

    // What cannot be done is refused with its reason, and changes nothing.
    let refused = resolve("ev-auth-less", "refund", "").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("не са взети пари"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("href=\"#held-note\""),
        "{}",
        refused.body
    );
    let refused = resolve("ev-bgn", "accept", "").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("различна валута"), "{}", refused.body);
    let refused = resolve("ev-lost", "accept", "").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let refused = resolve("ev-auth-less", "dismiss", "  ").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Посочете защо"), "{}", refused.body);
    assert_eq!(payment_state(&app, &payment).await, "started");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM payments_provider_events WHERE resolved_at IS NOT NULL")
            .await,
        0
    );

    // Another administration's staff cannot touch it.
    let other = staff(&app, "held-burgas@example.bg", "000056814", Role::Operator).await;
    other.get("/office/payments/reconciliation").await;
    let theirs = other
        .post_form(
            "/office/payments/reconciliation/callback",
            &[
                ("provider", "sandbox"),
                ("event", "ev-more"),
                ("action", "accept"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert!(held_events(&other.get("/office/payments/reconciliation").await).is_empty());

    // The larger card payment is accepted: the payment is paid and the case moves on.
    let accepted = resolve("ev-more", "accept", "the rest goes back").await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    assert_eq!(payment_state(&app, &payment).await, "paid");
    assert_eq!(paid_events(&app, &payment).await, 1);
    wait_for_state(&app, &id, "submitted").await;
    // Now that it is paid, the other money can only go back, or be dismissed. A refund asks
    // the provider, which took nothing on that session: it refuses, and nothing changes.
    assert_eq!(
        resolve("ev-bgn", "accept", "").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let refused = resolve("ev-bgn", "refund", "").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("отказа връщането"),
        "{}",
        refused.body
    );
    assert_eq!(
        resolve("ev-lost", "refund", "").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(ledger.refunded_minor(&session), 0);
    assert_eq!(
        resolve("ev-bgn", "dismiss", "the provider took nothing")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        resolve("ev-lost", "dismiss", "not ours").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        resolve("ev-auth-less", "dismiss", "the authorisation lapsed")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    // Resolved once.
    assert_eq!(
        resolve("ev-lost", "dismiss", "again").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // Money really taken for a payment cancelled meanwhile: held, and refunded to the card
    // through the provider, across the network.
    let (late_payer, _, late_secret) = verified_citizen(&app, "held-late@example.bg").await;
    let late_app = apply(&app, &late_payer, &late_secret).await;
    let (late, ..) = payment_of(&app, &late_app).await;
    let hosted = press_pay(&late_payer, &late_app).await;
    let late_session = hosted.rsplit('/').next().unwrap().to_owned();
    let token = crate::payments::client_token(&app, &eik, &["payments"]).await;
    let cancelled = reqwest::Client::new()
        .post(format!("{}/api/v1/payments/{late}/cancel", app.base))
        .bearer_auth(&token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), StatusCode::OK);
    pay_on_provider(&late_payer, &provider, &hosted, CARD_SUCCEEDS).await;
    assert_eq!(payment_state(&app, &late).await, "cancelled");
    let rec = operator.get("/office/payments/reconciliation").await;
    let held = held_events(&rec);
    assert_eq!(held.len(), 1, "{}", rec.body);
    assert!(rec.body.contains("Платено след отменяне"), "{}", rec.body);
    let event = held[0].as_str();
    assert_eq!(
        resolve(event, "accept", "").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let refunded = resolve(event, "refund", "").await;
    assert_eq!(refunded.status, StatusCode::SEE_OTHER, "{}", refunded.body);
    assert_eq!(ledger.refunded_minor(&late_session), 250);
    assert_eq!(
        resolve(event, "refund", "").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(ledger.refunded_minor(&late_session), 250);
    assert_eq!(payment_state(&app, &late).await, "cancelled");

    let rec = operator
        .get("/office/payments/reconciliation?done=callback")
        .await;
    assert!(held_events(&rec).is_empty(), "{}", rec.body);
    assert!(rec.body.contains("id=\"no-held\""));
    let resolved = rec.texts("#resolved-held tbody tr").join(" | ");
    assert!(
        resolved.contains("Прието като платено — the rest goes back"),
        "{resolved}"
    );
    assert!(
        resolved.contains("Върнато по картата — card refund re_"),
        "{resolved}"
    );
    assert!(
        resolved.contains("Отхвърлено — the authorisation lapsed"),
        "{resolved}"
    );
    assert!(resolved.contains("Анна Колева"), "{resolved}");
    assert_eq!(rec.texts("#resolved-held tbody tr").len(), 5);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'payments.callback_resolved'")
            .await,
        5
    );
    // The stray one, naming no payment, is nobody's to resolve; it stays held.
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM payments_provider_events WHERE event_id = 'ev-stray' \
             AND administration_id IS NULL AND resolved_at IS NULL"
        )
        .await,
        1
    );
}
