//! Callbacks to an administration's own system: its API client names an endpoint and gets a
//! secret once; every change of one of its payments' state is POSTed there, signed with
//! HMAC-SHA256 over the time and the body, and retried with backoff until the endpoint answers
//! 2xx. A real HTTP receiver on loopback fails its first answers, then gets each notification;
//! each signature verifies (in constant time, within the replay window) and fails with another
//! secret, a changed body or an old time. Another administration's payments are never sent.

use crate::catalog::seeded;
use crate::payments::{client_token, request, send};
use crate::payments_camt::{entry, import, statement};
use crate::support::{fresh_egn, TestApp};
use portico::demo::SOFIA_EIK;
use portico_payments::signing;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

const BURGAS_EIK: &str = "000056814";

#[derive(Default)]
struct Receiver {
    /// Every request: its status answered, signature and body.
    seen: Mutex<Vec<(u16, String, String)>>,
    /// How many requests still get a 500.
    fail_first: AtomicUsize,
}

async fn receive(listener: tokio::net::TcpListener, r: Arc<Receiver>) {
    use axum::routing::post;
    let app = axum::Router::new().route(
        "/portico/payments",
        post(move |headers: axum::http::HeaderMap, body: String| {
            let r = r.clone();
            async move {
                let signature = headers
                    .get(signing::HEADER)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned();
                let failing = r
                    .fail_first
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok();
                let status = if failing {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::NO_CONTENT
                };
                r.seen
                    .lock()
                    .unwrap()
                    .push((status.as_u16(), signature, body));
                status
            }
        }),
    );
    axum::serve(listener, app).await.unwrap();
}

async fn ask(app: &TestApp, token: &str) -> (String, String) {
    let (status, _, body) = send(
        app,
        token,
        Method::POST,
        "/api/v1/payments",
        None,
        Some(&request(&fresh_egn())),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (
        body["id"].as_str().unwrap().to_owned(),
        body["code"].as_str().unwrap().to_owned(),
    )
}

fn acknowledged(r: &Receiver) -> Vec<Value> {
    r.seen
        .lock()
        .unwrap()
        .iter()
        .filter(|(status, _, _)| *status == 204)
        .map(|(_, _, body)| serde_json::from_str(body).unwrap())
        .collect()
}

#[tokio::test]
async fn an_administrations_system_is_told_of_every_change_signed_and_retried_until_it_answers() {
    let app = seeded().await;
    let token = client_token(&app, SOFIA_EIK, &["payments"]).await;
    let burgas = client_token(&app, BURGAS_EIK, &["payments"]).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/portico/payments", listener.local_addr().unwrap());
    let receiver = Arc::new(Receiver::default());
    receiver.fail_first.store(3, Ordering::SeqCst);
    tokio::spawn(receive(listener, receiver.clone()));

    // Only https, or http to this computer; the secret is shown once.
    let path = "/api/v1/payments/callback-endpoint";
    let (status, _, body) = send(
        &app,
        &token,
        Method::PUT,
        path,
        None,
        Some(&json!({ "url": "http://billing.example.bg/hook" })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "endpoint_url_invalid");
    let (status, _, first) = send(
        &app,
        &token,
        Method::PUT,
        path,
        None,
        Some(&json!({ "url": url })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let (status, _, named) = send(
        &app,
        &token,
        Method::PUT,
        path,
        None,
        Some(&json!({ "url": url })),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let secret = named["secret"].as_str().unwrap().to_owned();
    assert_ne!(
        first["secret"], named["secret"],
        "naming it again rotates the secret"
    );
    let (status, _, shown) = send(&app, &token, Method::GET, path, None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(shown["url"], url.as_str());
    assert!(shown.get("secret").is_none());

    // Three changes: one payment cancelled, another paid by a statement, then refunded in part.
    let (cancelled, _) = ask(&app, &token).await;
    let (paid, paid_code) = ask(&app, &token).await;
    let (status, _, _) = send(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/payments/{cancelled}/cancel"),
        None,
        Some(&json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, report) = import(
        &app,
        &token,
        &statement(&[entry("N1", "10.50", true, false, &[("", &paid_code)])]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let (status, _, _) = send(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/payments/{paid}/refunds"),
        None,
        Some(&json!({ "amount_minor": 250 })),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // Burgas's payment changes too, but Sofia's endpoint is not told.
    let (theirs, _) = ask(&app, &burgas).await;
    send(
        &app,
        &burgas,
        Method::POST,
        &format!("/api/v1/payments/{theirs}/cancel"),
        None,
        Some(&json!({})),
    )
    .await;

    // The first three answers are 500: the queue tries again, with backoff, until each is acked.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
    while acknowledged(&receiver).len() < 3 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{:?}",
            receiver.seen.lock().unwrap()
        );
        app.advance(30);
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    // Acknowledged ones are not sent again.
    for _ in 0..5 {
        app.advance(120);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let seen = receiver.seen.lock().unwrap().clone();
    assert_eq!(seen.iter().filter(|(s, _, _)| *s == 500).count(), 3);
    let acked = acknowledged(&receiver);
    assert_eq!(acked.len(), 3, "each acknowledged once: {seen:?}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM payments_notifications WHERE delivered_at IS NOT NULL")
            .await,
        3
    );
    assert_eq!(
        app.count("SELECT CAST(SUM(attempts) AS BIGINT) FROM payments_notifications")
            .await,
        6
    );
    let mut changes: Vec<(String, String, i64)> = acked
        .iter()
        .map(|n| {
            assert_eq!(n["type"], "payment.state_changed");
            (
                n["payment"]["id"].as_str().unwrap().to_owned(),
                n["payment"]["state"].as_str().unwrap().to_owned(),
                n["payment"]["version"].as_i64().unwrap(),
            )
        })
        .collect();
    changes.sort();
    let mut expected = vec![
        (cancelled.clone(), "cancelled".to_owned(), 2),
        (paid.clone(), "paid".to_owned(), 2),
        (paid.clone(), "refunded_part".to_owned(), 3),
    ];
    expected.sort();
    assert_eq!(changes, expected);
    assert!(!seen.iter().any(|(_, _, b)| b.contains(&theirs)));

    // Every signature verifies as a receiver checks it when it arrives (the time signed is
    // Portico's clock then, well within the window), and nothing else does.
    for (_, signature, body) in &seen {
        let signed: i64 = signature
            .split(',')
            .find_map(|p| p.strip_prefix("t="))
            .unwrap()
            .parse()
            .unwrap();
        let now = signed + 2;
        assert!(
            signing::verify(secret.as_bytes(), signature, body.as_bytes(), now).is_ok(),
            "{signature}"
        );
        assert_eq!(
            signing::verify(b"pcbsec_another", signature, body.as_bytes(), now),
            Err(signing::SignatureError::Mismatch)
        );
        let changed = body.replace("10", "11");
        assert!(signing::verify(secret.as_bytes(), signature, changed.as_bytes(), now).is_err());
        assert_eq!(
            signing::verify(secret.as_bytes(), signature, body.as_bytes(), now + 3600),
            Err(signing::SignatureError::Stale)
        );
    }

    // Removed: no more notifications are made. (The clock moved on: a fresh token.)
    let token = client_token(&app, SOFIA_EIK, &["payments"]).await;
    let (status, _, _) = send(&app, &token, Method::DELETE, path, None, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (later, _) = ask(&app, &token).await;
    send(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/payments/{later}/cancel"),
        None,
        Some(&json!({})),
    )
    .await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM payments_notifications")
            .await,
        3
    );
}
