//! ePayment over the real server: an administration's system asks for a payment with an
//! `Idempotency-Key` (a retry answers the same payment, another body under the same key is
//! refused), bad bank details change nothing, another administration never sees it; only the
//! allowed transitions happen, each audited; the payer sees their payments and every change on
//! their page; an unpaid request expires through the job queue and cannot be paid after.

use crate::catalog::{administration_id, seeded, staff};
use crate::support::{Client, TestApp};
use portico::demo::SOFIA_EIK;
use portico_core::{Actor, Clock};
use portico_identity::Role;
use portico_payments::model::{NewPayment, PaymentState};
use portico_payments::service::requests::{self, Change};
use portico_payments::service::{expiry, Payments};
use portico_payments::PaymentError;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::Arc;

const BURGAS_EIK: &str = "000056814";
const IBAN: &str = "BG80 BNBG 9661 1020 3456 78";

fn payments(app: &TestApp) -> Payments {
    Payments::new(
        app.db.clone(),
        Arc::new(app.clock.clone()),
        Arc::new(tokio::sync::Notify::new()),
    )
}

/// A token of a new API client of the administration with `eik`, made by its admin over the API.
pub(crate) async fn client_token(app: &TestApp, eik: &str, scopes: &[&str]) -> String {
    let administration = administration_id(app, eik).await;
    let n = rand::random::<u32>();
    let admin: Client = staff(
        app,
        &format!("pay-admin-{n}@example.bg"),
        eik,
        Role::AdministrationAdmin,
    )
    .await;
    let created = admin
        .post_json(
            &format!("/api/v1/administrations/{administration}/api-clients"),
            &json!({ "name": format!("billing {n}"), "scopes": scopes, "auth_method": "client_secret" }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let body = created.json();
    let r = reqwest::Client::new()
        .post(format!("{}/oauth/token", app.base))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", body["client"]["id"].as_str().unwrap()),
            ("client_secret", body["client_secret"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let token: Value = r.json().await.unwrap();
    token["access_token"].as_str().unwrap().to_owned()
}

pub(crate) fn request(obligor: &str) -> Value {
    json!({
        "amount_minor": 1050,
        "reason": "Такса за адресна регистрация",
        "beneficiary_name": "Столична община",
        "iban": IBAN,
        "bic": "bnbgbgsd",
        "obligor_id": obligor,
        "application_ref": "SOF-2026-000123",
    })
}

pub(crate) async fn send(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    key: Option<&str>,
    body: Option<&Value>,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let mut r = reqwest::Client::new()
        .request(method, format!("{}{path}", app.base))
        .bearer_auth(token);
    if let Some(key) = key {
        r = r.header("Idempotency-Key", key);
    }
    if let Some(body) = body {
        r = r.json(body);
    }
    let r = r.send().await.unwrap();
    let status = r.status();
    let headers = r.headers().clone();
    (status, headers, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn an_administrations_system_asks_for_a_payment_once_whatever_it_retries() {
    let app = seeded().await;
    let sofia = administration_id(&app, SOFIA_EIK).await;
    let token = client_token(&app, SOFIA_EIK, &["payments"]).await;
    let egn = crate::support::fresh_egn();
    let post = reqwest::Method::POST;

    let (status, headers, first) = send(
        &app,
        &token,
        post.clone(),
        "/api/v1/payments",
        Some("order-1"),
        Some(&request(&egn)),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(headers["idempotent-replayed"], "false");
    assert_eq!(first["administration_id"], sofia.as_str());
    assert_eq!(first["currency"], "EUR");
    assert_eq!(first["amount_minor"], 1050);
    assert_eq!(first["iban"], "BG80BNBG96611020345678");
    assert_eq!(first["bic"], "BNBGBGSD");
    assert_eq!(first["state"], "created");
    assert_eq!(first["history"].as_array().unwrap().len(), 1);
    let code = first["code"].as_str().unwrap();
    assert_eq!(
        portico_payments::code::normalise(&code.to_lowercase()).as_deref(),
        Some(code)
    );
    let id = first["id"].as_str().unwrap().to_owned();

    // The same request again under the same key: the same payment, nothing new.
    let (status, headers, again) = send(
        &app,
        &token,
        post.clone(),
        "/api/v1/payments",
        Some("order-1"),
        Some(&request(&egn)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(headers["idempotent-replayed"], "true");
    assert_eq!(again["id"], id.as_str());
    assert_eq!(again["code"], code);

    // Another body under the same key is refused; bad bank details are refused; nothing is made.
    let mut other = request(&egn);
    other["amount_minor"] = json!(2000);
    let (status, _, refused) = send(
        &app,
        &token,
        post.clone(),
        "/api/v1/payments",
        Some("order-1"),
        Some(&other),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert_eq!(refused["error"]["code"], "idempotency_key_reused");
    for (field, value, code) in [
        ("iban", "BG81BNBG96611020345678", "iban_invalid"),
        ("bic", "BNBG", "bic_invalid"),
        ("currency", "EURO", "currency_invalid"),
        ("amount_minor", "0", "amount_invalid"),
        ("obligor_id", "1234567890", "obligor_invalid"),
        ("expires_at", "2000-01-01T00:00:00Z", "expiry_invalid"),
    ] {
        let mut bad = request(&egn);
        bad[field] = if field == "amount_minor" {
            json!(0)
        } else {
            json!(value)
        };
        let (status, _, body) = send(
            &app,
            &token,
            post.clone(),
            "/api/v1/payments",
            Some(&format!("bad-{field}")),
            Some(&bad),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {body}");
        assert_eq!(body["error"]["code"], code);
        assert!(!body["error"]["message"].as_str().unwrap().is_empty());
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM payments_requests").await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM payments_idempotency").await,
        1
    );

    // Another administration's system, and a system without the scope, never see it.
    let burgas = client_token(&app, BURGAS_EIK, &["payments"]).await;
    let path = format!("/api/v1/payments/{id}");
    let (status, _, _) = send(&app, &burgas, reqwest::Method::GET, &path, None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = send(
        &app,
        &burgas,
        post.clone(),
        &format!("{path}/cancel"),
        None,
        Some(&json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let cases_only = client_token(&app, SOFIA_EIK, &["cases"]).await;
    let (status, _, body) = send(
        &app,
        &cases_only,
        post.clone(),
        "/api/v1/payments",
        None,
        Some(&request(&egn)),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "not_a_payment_client");
    let (status, _, _) = send(&app, &cases_only, reqwest::Method::GET, &path, None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Its own system cancels it; a cancelled payment can be neither cancelled nor refunded.
    let (status, _, cancelled) = send(
        &app,
        &token,
        post.clone(),
        &format!("{path}/cancel"),
        None,
        Some(&json!({ "note": "submitted twice" })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    assert_eq!(cancelled["state"], "cancelled");
    assert_eq!(cancelled["history"][1]["from_state"], "created");
    assert_eq!(cancelled["history"][1]["note"], "submitted twice");
    let (status, _, again) = send(
        &app,
        &token,
        post.clone(),
        &format!("{path}/cancel"),
        None,
        Some(&json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    assert_eq!(again["error"]["code"], "transition_not_allowed");
    assert_eq!(again["error"]["details"]["from"], "cancelled");
    let (status, _, _) = send(
        &app,
        &token,
        post,
        &format!("{path}/refunds"),
        None,
        Some(&json!({ "amount_minor": 100 })),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Each change is in the audit log, by the client that made it.
    let audited = |action: &str| {
        format!("SELECT COUNT(*) FROM audit_log WHERE action = '{action}' AND subject = '{id}'")
    };
    assert_eq!(app.count(&audited("payments.created")).await, 1);
    assert_eq!(app.count(&audited("payments.state_changed")).await, 1);

    // The OpenAPI document describes the routes from the handlers.
    let doc = app.client().get("/api/v1/openapi.json").await.json();
    assert!(doc["paths"]["/api/v1/payments"]["post"].is_object());
    assert!(doc["paths"]["/api/v1/payments/{id}/refunds"]["post"].is_object());
}

#[tokio::test]
async fn the_payer_sees_their_payments_and_every_change_and_nobody_elses() {
    let app = seeded().await;
    let sofia = administration_id(&app, SOFIA_EIK).await;
    let ctx = payments(&app);
    let (payer, egn, _) = crate::cases::verified_citizen(&app, "payer@example.bg").await;
    let (stranger, _, _) = crate::cases::verified_citizen(&app, "stranger@example.bg").await;

    // The service layer asks for a case's fee as the platform, naming the administration.
    let mut input: NewPayment = serde_json::from_value(request(&egn)).unwrap();
    let system = Actor::System("cases");
    let refused = requests::create(&ctx, &system, &input, None)
        .await
        .unwrap_err();
    assert!(matches!(
        refused,
        PaymentError::Invalid("administration_required")
    ));
    input.administration_id = Some(sofia.clone());
    let created = requests::create(&ctx, &system, &input, None).await.unwrap();
    assert!(!created.replayed);
    let id = created.payment.payment.id.clone();
    let code = created.payment.payment.code.clone();

    // Only allowed transitions: created → started → paid → partly refunded → refunded.
    let to = |to: PaymentState| Change {
        to,
        amount_minor: None,
        note: None,
    };
    requests::change(&ctx, &system, &id, &to(PaymentState::Started))
        .await
        .unwrap();
    let wrong = requests::change(&ctx, &system, &id, &to(PaymentState::Ordered))
        .await
        .unwrap_err();
    assert!(matches!(
        wrong,
        PaymentError::NotAllowed {
            from: "started",
            to: "ordered"
        }
    ));
    requests::change(&ctx, &system, &id, &to(PaymentState::Paid))
        .await
        .unwrap();
    let twice = requests::change(&ctx, &system, &id, &to(PaymentState::Paid))
        .await
        .unwrap_err();
    assert!(matches!(
        twice,
        PaymentError::NotAllowed { from: "paid", .. }
    ));
    let too_much = requests::refund(&ctx, None, &system, &id, 2000, None)
        .await
        .unwrap_err();
    assert!(matches!(
        too_much,
        PaymentError::Invalid("refund_amount_invalid")
    ));
    let part = requests::refund(&ctx, None, &system, &id, 50, Some("overcharged"))
        .await
        .unwrap();
    assert_eq!(part.payment.state, PaymentState::RefundedPart);
    assert_eq!(part.payment.refunded_minor, 50);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'payments.state_changed' AND subject = '{id}'"
        ))
        .await,
        3
    );

    // The payer finds the page from the header and sees the payment, its code and its history.
    let home = payer.get("/account").await;
    assert!(home.attr("a[href=\"/payments\"]", "href").is_some());
    let page = payer.get("/payments").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let section = format!("section[data-code=\"{code}\"]");
    assert!(page.attr(&section, "data-code").is_some(), "{}", page.body);
    assert!(page.body.contains("10.50 EUR"));
    assert!(page.body.contains("BG80BNBG96611020345678"));
    let history = page.texts(&format!("{section} .timeline__what"));
    assert_eq!(history.len(), 4, "{history:?}");
    assert!(page.body.contains("0.50 EUR — overcharged"));
    let json = payer.get(&format!("/api/v1/payments/{id}")).await;
    assert_eq!(json.status, StatusCode::OK);
    assert_eq!(json.json()["state"], "refunded_part");

    // Another person sees none of it.
    let other = stranger.get("/payments").await;
    assert_eq!(other.status, StatusCode::OK);
    assert!(!other.body.contains(&code));
    assert!(other.attr("#no-payments", "id").is_some());
    let probe = stranger.get(&format!("/api/v1/payments/{id}")).await;
    assert_eq!(probe.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_unpaid_request_expires_through_the_job_queue_and_cannot_be_paid_after() {
    let app = seeded().await;
    let sofia = administration_id(&app, SOFIA_EIK).await;
    let ctx = payments(&app);
    let system = Actor::System("cases");
    let mut input: NewPayment =
        serde_json::from_value(request(&crate::support::fresh_egn())).unwrap();
    input.administration_id = Some(sofia);
    input.expires_at = Some(app.clock.now() + chrono::Duration::hours(1));
    let created = requests::create(&ctx, &system, &input, None).await.unwrap();
    let id = created.payment.payment.id;

    // Not before its time.
    assert!(!expiry::expire(&ctx, &id).await.unwrap());
    app.advance(3600 + 1);
    let state =
        format!("SELECT COUNT(*) FROM payments_requests WHERE id = '{id}' AND state = 'expired'");
    for _ in 0..100 {
        if app.count(&state).await == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(app.count(&state).await, 1, "the expiry job never ran");
    let paid = requests::change(
        &ctx,
        &system,
        &id,
        &Change {
            to: PaymentState::Paid,
            amount_minor: None,
            note: None,
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(
        paid,
        PaymentError::NotAllowed {
            from: "expired",
            ..
        }
    ));
    // Running the job again changes nothing.
    assert!(!expiry::expire(&ctx, &id).await.unwrap());
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM payments_events WHERE request_id = '{id}'"
        ))
        .await,
        2
    );
}
