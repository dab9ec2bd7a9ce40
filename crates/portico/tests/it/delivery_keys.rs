//! eDelivery's encryption at rest and grants with an end: the stored body, content and
//! attachments are not the plaintext (while the evidence names the plaintext's hash); rotating
//! the master key re-wraps data keys only and old messages stay readable; a wrong key fails
//! clearly and shows nothing; a grant ends by itself and the grantee is told by e-mail.

use crate::cases::seeded;
use crate::delivery::{administration, delivery, notice, system_of, verified_with_egn, SOFIA_EIK};
use crate::support::{fresh_egn, TestApp};
use portico_core::Clock;
use portico_delivery::model::NewAttachment;
use portico_delivery::service::messages;
use reqwest::StatusCode;
use sha2::{Digest, Sha256};
use std::path::Path;

const SECRET_BODY: &str = "Поверително: сметка 4711-ТАЙНА.";
const SECRET_BYTES: &[u8] = b"%PDF-1.7\n% SECRET-MARKER-0815 \n1 0 obj\n<<>>\nendobj\n%%EOF\n";

fn secret_pdf() -> NewAttachment {
    NewAttachment {
        file_name: "secret.pdf".into(),
        media_type: "application/pdf".into(),
        bytes: SECRET_BYTES.to_vec(),
    }
}

fn files(dir: &Path) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if e.path().is_dir() {
            out.extend(files(&e.path()));
        } else {
            out.push(std::fs::read(e.path()).unwrap());
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

async fn send_secret(app: &TestApp, to_egn: &str) -> String {
    let d = delivery(app);
    let sofia = administration(app, SOFIA_EIK).await;
    let mut message = notice(&sofia, to_egn, vec![secret_pdf()]);
    message.body = SECRET_BODY.into();
    messages::send(&d, &system_of(&sofia, &["delivery"]), message)
        .await
        .unwrap()
        .message_id
}

/// Every stored part of a message: its body column, its wrapped keys, its sealed blobs' keys.
async fn stored_parts(app: &TestApp, id: &str) -> Vec<String> {
    let (body, blob): (String, Option<String>) =
        sqlx::query_as("SELECT body, content_blob FROM delivery_messages WHERE id = $1")
            .bind(id)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    let keys: Vec<(String,)> = sqlx::query_as(
        "SELECT wrapped_key FROM delivery_message_keys WHERE message_id = $1 ORDER BY mailbox_id",
    )
    .bind(id)
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    let mut out = vec![body, blob.unwrap()];
    out.extend(keys.into_iter().map(|k| k.0));
    out
}

#[tokio::test]
async fn bodies_and_attachments_are_encrypted_at_rest_and_evidence_names_the_plaintext() {
    let app = seeded().await;
    let egn = fresh_egn();
    let owner = verified_with_egn(&app, "sealed-owner@example.bg", &egn).await;
    let id = send_secret(&app, &egn).await;

    // In the database: the body is sealed, bound to the message; its key is wrapped for the
    // sender's and the recipient's mailbox, whose data keys are wrapped by master version 1.
    let (body,): (String,) = sqlx::query_as("SELECT body FROM delivery_messages WHERE id = $1")
        .bind(&id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert!(body.starts_with("enc1:"), "{body}");
    assert!(!body.contains("4711"), "{body}");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM delivery_message_keys WHERE message_id = '{id}'"
        ))
        .await,
        2
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM delivery_keys WHERE master_version <> 1")
            .await,
        0
    );
    // In the blob store: neither the attachment nor message.json (which holds the body) is there
    // as plaintext.
    let stored = files(Path::new(&app.config.blob_url));
    assert!(!stored.is_empty());
    for file in &stored {
        assert!(
            !contains(file, b"SECRET-MARKER-0815"),
            "an attachment in clear"
        );
        assert!(!contains(file, "4711-ТАЙНА".as_bytes()), "a body in clear");
    }

    // The recipient reads it all as sent, and the hashes the evidence names are the plaintext's.
    let page = owner.get(&format!("/mailbox/messages/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(SECRET_BODY), "{}", page.body);
    let (status, _, bytes) = owner
        .get_bytes(&format!("/mailbox/messages/{id}/attachments/0"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, SECRET_BYTES);
    let (_, _, content) = owner
        .get_bytes(&format!("/mailbox/messages/{id}/message.json"))
        .await;
    let content_json: serde_json::Value = serde_json::from_slice(&content).unwrap();
    assert_eq!(content_json["body"], SECRET_BODY);
    assert_eq!(
        content_json["attachments"][0]["sha256"],
        hex::encode(Sha256::digest(SECRET_BYTES))
    );
    let (_, _, chain) = owner
        .get_bytes(&format!("/mailbox/messages/{id}/evidence"))
        .await;
    let first = String::from_utf8(chain).unwrap();
    let statement = crate::delivery::payload(first.lines().next().unwrap());
    assert_eq!(
        statement["message_sha256"],
        hex::encode(Sha256::digest(&content))
    );
}

async fn rotate_cli(app: &TestApp, keys: &str) -> (i32, String) {
    let out = crate::support::cli_command(app)
        .args(["delivery", "rotate-keys"])
        .env("PORTICO_DELIVERY_KEYS", keys)
        .output()
        .await
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[tokio::test]
async fn rotating_the_master_key_rewraps_data_keys_only_and_a_wrong_key_fails_clearly() {
    let app = seeded().await;
    let egn = fresh_egn();
    let owner = verified_with_egn(&app, "rotation-owner@example.bg", &egn).await;
    let id = send_secret(&app, &egn).await;
    let before = stored_parts(&app, &id).await;
    let v2 = "2:".to_owned() + &"5a".repeat(32);
    let other_v1 = "1:".to_owned() + &"c3".repeat(32);

    // A node whose version 1 is another key cannot open the mailbox's data key: it shows
    // nothing of the message, and the service says which key does not fit.
    let wrong = app
        .another_node_with(|c| c.delivery_keys = Some(other_v1.clone()))
        .await;
    let page = owner
        .at(&wrong.base)
        .get(&format!("/mailbox/messages/{id}"))
        .await;
    assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!page.body.contains("4711"), "{}", page.body);
    let sofia = administration(&app, SOFIA_EIK).await;
    let err = messages::get(&delivery(&app), &system_of(&sofia, &["delivery"]), &id)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("does not open with delivery master key version 1"),
        "{err}"
    );
    // A bad configuration stops the node at start-up, naming the variable.
    let bad = portico_delivery::service::keys::MasterKeys::from_config(Some("2:short"), b"x")
        .unwrap_err();
    assert!(bad.contains("PORTICO_DELIVERY_KEYS"), "{bad}");

    // Rotation to version 2: both mailboxes' data keys re-wrapped, the message untouched.
    let (code, out) = rotate_cli(&app, &v2).await;
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("2 re-wrapped under master key version 2, 0 already under it"),
        "{out}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM delivery_keys WHERE master_version = 2")
            .await,
        2
    );
    assert_eq!(
        stored_parts(&app, &id).await,
        before,
        "messages are not re-encrypted"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'delivery.key_rewrapped'")
            .await,
        2
    );
    let (code, out) = rotate_cli(&app, &v2).await;
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("0 re-wrapped under master key version 2, 2 already"),
        "{out}"
    );

    // A node that has only version 2 right (its version 1 is another key) reads the old
    // message, attachment and all, and new messages are sealed under version 2.
    let rotated = app
        .another_node_with(|c| c.delivery_keys = Some(format!("{other_v1},{v2}")))
        .await;
    let there = owner.at(&rotated.base);
    let page = there.get(&format!("/mailbox/messages/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(SECRET_BODY));
    let (_, _, bytes) = there
        .get_bytes(&format!("/mailbox/messages/{id}/attachments/0"))
        .await;
    assert_eq!(bytes, SECRET_BYTES);
    let newer = send_secret(&app, &fresh_egn()).await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM delivery_keys WHERE master_version <> 2")
            .await,
        0,
        "the new recipient's data key is wrapped by version 2"
    );
    assert!(
        messages::get(&delivery(&app), &system_of(&sofia, &["delivery"]), &newer)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_grant_ends_on_its_last_day_and_the_grantee_is_told_by_email() {
    // Sessions outlive the days the clock moves on here (what is tested is the grant's end).
    let app = crate::cases::seeded_with(|c| c.idle_timeout_minutes = 10 * 24 * 60).await;
    let owner_egn = fresh_egn();
    let accountant_egn = fresh_egn();
    let owner = verified_with_egn(&app, "ending-owner@example.bg", &owner_egn).await;
    let accountant = verified_with_egn(&app, "accountant@example.bg", &accountant_egn).await;
    let id = send_secret(&app, &owner_egn).await;
    let page = owner.get(&format!("/mailbox/messages/{id}")).await;
    let mailbox = page
        .attr(
            "form[action=\"/mailbox/grants\"] input[name=mailbox]",
            "value",
        )
        .unwrap();
    let today = portico_core::calendar::sofia_date(app.clock.now());
    let grant = |ends_on: String| {
        let mailbox = mailbox.clone();
        let id = id.clone();
        let egn = accountant_egn.clone();
        let owner = &owner;
        async move {
            owner
                .post_form(
                    "/mailbox/grants",
                    &[
                        ("mailbox", mailbox.as_str()),
                        ("message", id.as_str()),
                        ("scope", "message"),
                        ("grantee", egn.as_str()),
                        ("ends_on", ends_on.as_str()),
                    ],
                )
                .await
        }
    };
    // Refused, with the field marked and nothing granted: not a date, a day in the past.
    for bad in [
        "31.12.2027".to_owned(),
        (today - chrono::Days::new(1)).to_string(),
    ] {
        let refused = grant(bad.clone()).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(refused.body.contains("ends-on-error"), "{}", refused.body);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM delivery_grants").await, 0);

    let last_day = today + chrono::Days::new(2);
    let granted = grant(last_day.to_string()).await;
    assert_eq!(granted.status, StatusCode::SEE_OTHER, "{}", granted.body);
    // The grantee is told, with a link and nothing of the message.
    let mail = app.mail.wait_for("Shared with you").await;
    assert!(mail.contains("/mailbox#shared"), "{mail}");
    assert!(
        mail.contains(&last_day.format("%d.%m.%Y").to_string()),
        "{mail}"
    );
    assert!(
        !mail.contains("4711") && !mail.contains("Уведомление"),
        "{mail}"
    );

    let listed = owner.get(&format!("/mailbox?mailbox={mailbox}")).await;
    let until = listed.texts(".grant-until");
    assert_eq!(until.len(), 1, "{}", listed.body);
    assert!(
        until[0].contains(&last_day.format("%d.%m.%Y").to_string()),
        "{until:?}"
    );
    let read = accountant.get(&format!("/mailbox/messages/{id}")).await;
    assert_eq!(read.status, StatusCode::OK);

    // After the last day the access is over: no reading, no listing, shown as ended.
    sqlx::query("UPDATE sessions SET expires_at = expires_at + 864000000")
        .execute(app.db.pool())
        .await
        .unwrap();
    app.advance(3 * 24 * 3600);
    let (owner_again, accountant_again) = (&owner, &accountant);
    assert_eq!(
        accountant_again
            .get(&format!("/mailbox/messages/{id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert!(accountant_again
        .get("/mailbox")
        .await
        .texts(".shared-link")
        .is_empty());
    let api = accountant_again
        .get(&format!("/api/v1/mailbox/messages/{id}"))
        .await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    let listed = owner_again
        .get(&format!("/api/v1/mailbox/grants?mailbox={mailbox}"))
        .await
        .json();
    assert_eq!(listed["items"][0]["ended"], true);
    assert_eq!(listed["items"][0]["ends_on"], last_day.to_string());
}
