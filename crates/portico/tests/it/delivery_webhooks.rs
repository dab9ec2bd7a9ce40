//! Webhooks for institutions: an administration's API client registers an endpoint; new
//! messages to its mailboxes and the evidence of the messages it sends are POSTed, signed with
//! HMAC-SHA256 over the time and the body, with a sequence number per mailbox. A receiver on
//! loopback that is down at first gets every event once it is up (the job queue retries).

use crate::cases::{seeded, seeded_with};
use crate::delivery::{administration, api_client, api_notice, bearer, BURGAS_EIK, SOFIA_EIK};
use crate::support::fresh_egn;
use portico_core::Clock;
use portico_delivery::service::webhooks;
use reqwest::{Method, StatusCode};
use sha2::Digest;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

type Received = Arc<Mutex<Vec<(String, String)>>>;

async fn receiver(listener: tokio::net::TcpListener, received: Received) {
    use axum::routing::post;
    let app = axum::Router::new().route(
        "/hook",
        post(move |headers: axum::http::HeaderMap, body: String| {
            let received = received.clone();
            async move {
                let signature = headers
                    .get(webhooks::SIGNATURE_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned();
                received.lock().unwrap().push((signature, body));
                StatusCode::NO_CONTENT
            }
        }),
    );
    axum::serve(listener, app).await.unwrap();
}

#[tokio::test]
async fn a_webhook_receiver_that_is_down_gets_every_event_signed_once_it_is_up() {
    use portico_identity::Role;
    let app = seeded().await;
    let sofia = administration(&app, SOFIA_EIK).await;
    let burgas = administration(&app, BURGAS_EIK).await;
    let sofia_admin = crate::catalog::staff(
        &app,
        "hooks-admin@sofia.example.bg",
        SOFIA_EIK,
        Role::AdministrationAdmin,
    )
    .await;
    let burgas_admin = crate::catalog::staff(
        &app,
        "hooks-admin@burgas.example.bg",
        BURGAS_EIK,
        Role::AdministrationAdmin,
    )
    .await;
    let (_, _, sofia_system) = api_client(&app, &sofia_admin, &sofia, &["delivery"]).await;
    let (_, _, burgas_system) = api_client(&app, &burgas_admin, &burgas, &["delivery"]).await;

    // A free port on loopback, with nothing listening yet: the receiver is down.
    let address = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap()
    };
    let url = format!("http://{address}/hook");
    let (status, _, refused) = bearer(
        &app,
        &sofia_system,
        Method::POST,
        "/api/v1/mailbox/webhooks",
        Some(&serde_json::json!({ "url": "http://sofia.example.bg/hook" })),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let (status, _, hook) = bearer(
        &app,
        &sofia_system,
        Method::POST,
        "/api/v1/mailbox/webhooks",
        Some(&serde_json::json!({ "url": url })),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{hook}");
    let secret = hook["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{hook}");
    let (_, _, listed) = bearer(
        &app,
        &sofia_system,
        Method::GET,
        "/api/v1/mailbox/webhooks",
        None,
        None,
    )
    .await;
    assert_eq!(listed["items"][0]["url"], url.as_str());
    assert!(
        listed["items"][0].get("secret").is_none(),
        "the secret is shown once"
    );
    // Burgas's system does not see Sofia's endpoints; a person registers none.
    let (_, _, theirs) = bearer(
        &app,
        &burgas_system,
        Method::GET,
        "/api/v1/mailbox/webhooks",
        None,
        None,
    )
    .await;
    assert_eq!(theirs["items"].as_array().unwrap().len(), 0);
    let person = sofia_admin
        .post_json(
            "/api/v1/mailbox/webhooks",
            &serde_json::json!({ "url": url }),
        )
        .await;
    assert_eq!(person.status, StatusCode::FORBIDDEN, "{}", person.body);

    // Sofia sends a citizen a notice (evidence of acceptance and delivery reaches Sofia), and
    // Burgas sends Sofia a document (a new message in Sofia's mailbox).
    let citizen = serde_json::json!({ "kind": "person", "identifier": fresh_egn() });
    let (status, _, _) = bearer(
        &app,
        &sofia_system,
        Method::POST,
        "/api/v1/mailbox/messages",
        Some(&api_notice(&sofia, citizen, "Известие")),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let to_sofia = serde_json::json!({ "kind": "administration", "identifier": sofia });
    let (status, _, sent) = bearer(
        &app,
        &burgas_system,
        Method::POST,
        "/api/v1/mailbox/messages",
        Some(&api_notice(&burgas, to_sofia, "Писмо до София")),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let from_burgas = sent["message_id"].as_str().unwrap().to_owned();
    let total = app
        .count("SELECT COUNT(*) FROM delivery_webhook_events")
        .await;
    assert_eq!(
        total, 3,
        "acceptance, consignment, and the message received"
    );

    // Every event was tried and failed: nothing listens.
    crate::delivery::wait_for_count(
        &app,
        "SELECT COUNT(*) FROM delivery_webhook_events WHERE attempts >= 1 AND delivered_at IS NULL AND last_error IS NOT NULL",
        total,
    )
    .await;

    // The receiver comes up; as the retries come due, it gets every event.
    let received: Received = Arc::default();
    let listener = tokio::net::TcpListener::bind(address).await.unwrap();
    tokio::spawn(receiver(listener, received.clone()));
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let ids: std::collections::BTreeSet<String> = received
            .lock()
            .unwrap()
            .iter()
            .map(|(_, b)| {
                serde_json::from_str::<serde_json::Value>(b).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        if ids.len() as i64 == total {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} of {total} events arrived",
            ids.len()
        );
        app.advance(30);
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM delivery_webhook_events WHERE delivered_at IS NOT NULL")
            .await,
        total
    );

    // Each is signed (checked as a receiver does: in constant time, within the replay window),
    // numbered 1, 2, 3 in Sofia's mailbox, and says what happened.
    let now = app.clock.now();
    let mut by_seq = BTreeMap::new();
    for (signature, body) in received.lock().unwrap().iter() {
        assert!(
            webhooks::check_signature(&secret, signature, body, now),
            "{signature}"
        );
        assert!(!webhooks::check_signature(
            "whsec_other",
            signature,
            body,
            now
        ));
        assert!(
            !webhooks::check_signature(
                &secret,
                signature,
                body,
                now + chrono::Duration::minutes(10)
            ),
            "a replay after the window is refused"
        );
        let event: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(event["mailbox"]["identifier"], sofia.as_str());
        by_seq.insert(event["seq"].as_i64().unwrap(), event);
    }
    assert_eq!(by_seq.keys().copied().collect::<Vec<_>>(), [1, 2, 3]);
    // An independent receiver (Python's standard library) agrees, and refuses a changed body.
    let (signature, body) = received.lock().unwrap()[0].clone();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("body.json");
    std::fs::write(&file, &body).unwrap();
    let python = |file: &std::path::Path| {
        let out = std::process::Command::new("python3")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../tests/interop/verify_webhook.py"
            ))
            .args([secret.as_str(), signature.as_str(), file.to_str().unwrap()])
            .arg(now.timestamp().to_string())
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, out) = python(&file);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.starts_with("VALID"), "{out}");
    std::fs::write(&file, body.replacen("\"seq\"", "\"seq\" ", 1)).unwrap();
    let (code, out) = python(&file);
    assert_eq!(code, Some(1), "{out}");
    assert_eq!(by_seq[&1]["data"]["event"], "SubmissionAcceptance");
    assert_eq!(by_seq[&2]["data"]["event"], "ContentConsignment");
    assert!(
        by_seq[&2]["data"]["jws"]
            .as_str()
            .unwrap()
            .split('.')
            .count()
            == 3
    );
    assert_eq!(by_seq[&3]["type"], "message.received");
    assert_eq!(by_seq[&3]["data"]["message"], from_burgas.as_str());
    // Told of it, Sofia's system reads it over the API: the content its hash names, and the
    // attachment byte for byte.
    let content = reqwest::Client::new()
        .get(format!(
            "{}/api/v1/mailbox/messages/{from_burgas}/content",
            app.base
        ))
        .bearer_auth(&sofia_system)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(
        hex::encode(sha2::Sha256::digest(&content)),
        by_seq[&3]["data"]["content_sha256"].as_str().unwrap()
    );
    let attachment = reqwest::Client::new()
        .get(format!(
            "{}/api/v1/mailbox/messages/{from_burgas}/attachments/0",
            app.base
        ))
        .bearer_auth(&sofia_system)
        .send()
        .await
        .unwrap();
    assert_eq!(attachment.status(), StatusCode::OK);
    assert_eq!(attachment.headers()["content-type"], "application/pdf");
    assert_eq!(
        attachment.bytes().await.unwrap().to_vec(),
        crate::delivery::pdf().bytes
    );
    // Burgas's system, the sender, reads it too.
    let (status, _, _) = bearer(
        &app,
        &burgas_system,
        Method::GET,
        &format!("/api/v1/mailbox/messages/{from_burgas}/content"),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // Removed, it hears of nothing more.
    let id = hook["id"].as_str().unwrap();
    let (status, _, _) = bearer(
        &app,
        &burgas_system,
        Method::DELETE,
        &format!("/api/v1/mailbox/webhooks/{id}"),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not Burgas's to remove");
    let (status, _, _) = bearer(
        &app,
        &sofia_system,
        Method::DELETE,
        &format!("/api/v1/mailbox/webhooks/{id}"),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let to_sofia = serde_json::json!({ "kind": "administration", "identifier": sofia });
    bearer(
        &app,
        &burgas_system,
        Method::POST,
        "/api/v1/mailbox/messages",
        Some(&api_notice(&burgas, to_sofia, "Още едно писмо")),
        None,
    )
    .await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM delivery_webhook_events")
            .await,
        total
    );
}

/// A loopback listener that counts the connections made to it (and answers none).
async fn counting_listener() -> (std::net::SocketAddr, Arc<std::sync::atomic::AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = count.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            drop(socket);
        }
    });
    (address, count)
}

#[tokio::test]
async fn endpoints_on_internal_networks_are_refused_at_registration_and_after_dns_at_delivery() {
    use portico_identity::Role;
    // As in production: no development switch.
    let app = seeded_with(|c| c.delivery_webhooks_allow_private = false).await;
    let sofia = administration(&app, SOFIA_EIK).await;
    let burgas = administration(&app, BURGAS_EIK).await;
    let sofia_admin = crate::catalog::staff(
        &app,
        "ssrf-admin@sofia.example.bg",
        SOFIA_EIK,
        Role::AdministrationAdmin,
    )
    .await;
    let burgas_admin = crate::catalog::staff(
        &app,
        "ssrf-admin@burgas.example.bg",
        BURGAS_EIK,
        Role::AdministrationAdmin,
    )
    .await;
    let (_, _, sofia_system) = api_client(&app, &sofia_admin, &sofia, &["delivery"]).await;
    let (_, _, burgas_system) = api_client(&app, &burgas_admin, &burgas, &["delivery"]).await;
    let (address, connections) = counting_listener().await;
    let port = address.port();

    for (url, code) in [
        (format!("http://{address}/hook"), "delivery.webhook.bad_url"),
        (
            "http://93.184.215.14/hook".to_owned(),
            "delivery.webhook.bad_url",
        ),
        (
            format!("https://{address}/hook"),
            "delivery.webhook.private_address",
        ),
        (
            format!("https://localhost:{port}/hook"),
            "delivery.webhook.private_address",
        ),
        (
            "https://169.254.169.254/latest/meta-data/".to_owned(),
            "delivery.webhook.private_address",
        ),
        (
            "https://10.20.30.40/hook".to_owned(),
            "delivery.webhook.private_address",
        ),
        (
            "https://[::ffff:192.168.0.1]/hook".to_owned(),
            "delivery.webhook.private_address",
        ),
        (
            "https://[fd00:ec2::254]/hook".to_owned(),
            "delivery.webhook.private_address",
        ),
    ] {
        let (status, _, body) = bearer(
            &app,
            &sofia_system,
            Method::POST,
            "/api/v1/mailbox/webhooks",
            Some(&serde_json::json!({ "url": url })),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {body}");
        assert!(body.to_string().contains(code), "{url}: {body}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM delivery_webhooks").await, 0);

    // A public address is accepted.
    let (status, _, hook) = bearer(
        &app,
        &sofia_system,
        Method::POST,
        "/api/v1/mailbox/webhooks",
        Some(&serde_json::json!({ "url": "https://93.184.215.14/hook" })),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{hook}");
    let id = hook["id"].as_str().unwrap().to_owned();
    // Its name now resolves to an internal address (DNS rebinding, played here by pointing
    // the endpoint at a name that resolves to loopback, where a listener waits).
    let rebound = format!("https://localhost:{port}/hook");
    sqlx::query("UPDATE delivery_webhooks SET url = $1 WHERE id = $2")
        .bind(&rebound)
        .bind(&id)
        .execute(app.db.pool())
        .await
        .unwrap();
    let to_sofia = serde_json::json!({ "kind": "administration", "identifier": sofia });
    let (status, _, _) = bearer(
        &app,
        &burgas_system,
        Method::POST,
        "/api/v1/mailbox/messages",
        Some(&api_notice(&burgas, to_sofia, "Писмо до София")),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    crate::delivery::wait_for_count(
        &app,
        "SELECT COUNT(*) FROM delivery_webhook_events WHERE attempts >= 1 AND delivered_at IS NULL AND last_error LIKE '%not a public internet address%'",
        1,
    )
    .await;
    assert_eq!(
        connections.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "the platform never connected to the internal address"
    );

    // The administration's admin finds the console from the admin console and from the
    // administration's mailbox, and sees the endpoint failing and why.
    let console = sofia_admin.get("/admin").await;
    let link = console
        .attr(
            &format!("a.console-webhooks[href$=\"administration={sofia}\"]"),
            "href",
        )
        .expect("the console links to the webhooks page");
    let (mailbox,): (String,) = sqlx::query_as(
        "SELECT id FROM delivery_mailboxes WHERE kind = 'administration' AND identifier = $1",
    )
    .bind(&sofia)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let list = sofia_admin
        .get(&format!("/mailbox?mailbox={mailbox}"))
        .await;
    assert_eq!(
        list.attr("#mailbox-webhooks", "href").as_deref(),
        Some(link.as_str())
    );
    let page = sofia_admin.get(&link).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.texts(".webhook-url"), std::slice::from_ref(&rebound));
    assert_eq!(page.texts(".webhook-failing"), ["1"]);
    assert_eq!(page.texts(".webhook-delivered"), ["0"]);
    let errors = page.texts(".webhook-error");
    assert_eq!(errors.len(), 1, "{}", page.body);
    assert!(errors[0].contains("127.0.0.1"), "{errors:?}");
    assert_eq!(page.texts(".webhook-event code"), ["message.received"]);

    // Another administration's admin, and a citizen, see nothing of it.
    let theirs = burgas_admin.get(&link).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    let (citizen, _) = app.register("ssrf-citizen@example.bg").await;
    assert_eq!(
        citizen.get("/mailbox/webhooks").await.status,
        StatusCode::FORBIDDEN
    );
    let _ = burgas_admin.get("/mailbox").await;
    let refused = burgas_admin
        .post_form(
            &format!("/mailbox/webhooks/{id}/remove"),
            &[("administration", &sofia)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM delivery_webhooks WHERE deleted_at IS NULL")
            .await,
        1
    );

    // Sofia's admin removes it: gone from the page, and it hears of nothing more.
    let removed = sofia_admin
        .post_form(
            &format!("/mailbox/webhooks/{id}/remove"),
            &[("administration", &sofia)],
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.body);
    let after = sofia_admin.get(removed.location()).await;
    assert!(
        !after.texts("#webhooks-banner").is_empty(),
        "{}",
        after.body
    );
    assert!(!after.texts("#webhooks-none").is_empty());
    assert_eq!(
        app.count("SELECT COUNT(*) FROM delivery_webhooks WHERE deleted_at IS NULL")
            .await,
        0
    );
}
