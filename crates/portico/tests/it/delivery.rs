//! eDelivery over HTTP and through its service functions: a case's result arrives in the
//! applicant's mailbox with signed evidence (sending accepted, delivered, opened) that Python's
//! jwcrypto and `portico evidence verify` check, as one piece and as a chain; a changed byte
//! fails; nobody reads a message that is not theirs; a message waits for someone without an
//! account; bad attachments are refused with nothing stored; e-mail notifications go through
//! the real SMTP sink with their statuses; an unopened message gets evidence of non-retrieval.

use crate::cases::{
    citizen, fill_address_registration, seeded, staff, submit, transition, verified_citizen,
    OPERATOR,
};
use crate::support::{fresh_egn, run_cli, Client, TestApp};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use portico_core::{Actor, ApiClient, Clock};
use portico_delivery::model::{Address, MailboxKind, NewAttachment, NewMessage};
use portico_delivery::service::{messages, Delivery};
use portico_delivery::DeliveryError;
use reqwest::StatusCode;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;

static DELIVERY_TABLES: &[&portico_http::Translations] = &[&portico_delivery::TRANSLATIONS];
pub(crate) const SOFIA_EIK: &str = "000696327";
pub(crate) const BURGAS_EIK: &str = "000056814";

fn interop(script: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/interop")
        .join(script)
}

/// Runs an independent verifier script; returns its exit code and output.
fn python(script: &str, args: &[&Path]) -> (i32, String) {
    let out = std::process::Command::new("python3")
        .arg(interop(script))
        .args(args)
        .output()
        .expect("python3 must be installed to run the interoperability test");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub(crate) fn payload(jws: &str) -> serde_json::Value {
    let part = jws.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

/// A JSON value with its objects' keys sorted (serialised without spaces: a request's canonical
/// form, whose SHA-256 idempotency keys and rejection evidence name).
fn sorted_json(v: &serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(map) => {
            let ordered: std::collections::BTreeMap<&String, serde_json::Value> =
                map.iter().map(|(k, v)| (k, sorted_json(v))).collect();
            serde_json::json!(ordered)
        }
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.iter().map(sorted_json).collect())
        }
        other => other.clone(),
    }
}

/// The same JWS with one byte of its payload changed.
fn with_changed_payload(jws: &str) -> String {
    let mut parts: Vec<String> = jws.split('.').map(str::to_owned).collect();
    let mut bytes = URL_SAFE_NO_PAD.decode(&parts[1]).unwrap();
    let i = bytes.len() / 2;
    bytes[i] ^= 0x04;
    parts[1] = URL_SAFE_NO_PAD.encode(bytes);
    parts.join(".")
}

/// The delivery rules on the test app's database, blobs, key and clock, as another block or a
/// job would call them.
pub(crate) fn delivery(app: &TestApp) -> Delivery {
    let key = portico::app::signing_key(&app.config, app.clock.now()).unwrap();
    let blobs = portico_store::BlobStore::from_url(&app.config.blob_url).unwrap();
    Delivery::new(
        app.db.clone(),
        blobs,
        key,
        Arc::new(app.clock.clone()),
        Arc::new(tokio::sync::Notify::new()),
        app.base.clone(),
    )
}

pub(crate) async fn administration(app: &TestApp, eik: &str) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM administrations WHERE eik = $1")
        .bind(eik)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    id
}

/// An institution's system: an API client of the administration with these scopes.
pub(crate) fn system_of(administration_id: &str, scopes: &[&str]) -> Actor {
    Actor::ApiClient(ApiClient {
        client_id: format!("system-{administration_id}"),
        administration_id: administration_id.to_owned(),
        scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
    })
}

pub(crate) fn notice(from: &str, to_egn: &str, attachments: Vec<NewAttachment>) -> NewMessage {
    NewMessage {
        sender: Address::administration(from, Some("Столична община".into())),
        recipients: vec![Address::person(to_egn, None)],
        subject: "Уведомление за данък".into(),
        body: "Ред първи.\nРед втори.".into(),
        service_id: None,
        application_id: None,
        attachments,
        reply_to: None,
    }
}

pub(crate) fn pdf() -> NewAttachment {
    NewAttachment {
        file_name: "notice.pdf".into(),
        media_type: "application/pdf".into(),
        bytes: b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n".to_vec(),
    }
}

/// Registers a citizen with the given EGN, enrols an authenticator, has the EGN verified at a
/// counter and signs in again: a session of substantial assurance.
pub(crate) async fn verified_with_egn(app: &TestApp, email: &str, egn: &str) -> Client {
    let client = app.register_with(email, egn).await;
    let setup = client.get("/account/totp").await;
    let secret = setup.texts("#totp-secret").pop().unwrap().replace(' ', "");
    client
        .post_form("/account/totp", &[("code", &app.totp(&secret))])
        .await;
    app.advance(30);
    crate::assurance::verify_at_counter(app, egn).await;
    crate::assurance::sign_in_again(app, &client, email, &secret).await;
    client
}

async fn approve(app: &TestApp, operator: &Client, id: &str) {
    let claim_page = operator.get(&format!("/office/cases/{id}")).await;
    let version = claim_page.attr("input[name=version]", "value").unwrap();
    operator
        .post_form(
            &format!("/office/cases/{id}/claim"),
            &[("version", &version)],
        )
        .await;
    for step in ["start_review", "approve"] {
        let done = transition(app, operator, id, step, &[]).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{step}: {}", done.body);
    }
}

pub(crate) async fn wait_for_count(app: &TestApp, sql: &str, expected: i64) {
    for _ in 0..200 {
        if app.count(sql).await == expected {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{sql} never reached {expected}");
}

#[tokio::test]
async fn a_result_arrives_in_the_mailbox_with_evidence_that_independent_tools_verify() {
    let app = seeded().await;
    let dir = tempfile::tempdir().unwrap();
    let ca = app.data_dir.path().join("platform-ca.pem");
    let (applicant, egn, secret) = verified_citizen(&app, "mailbox@example.bg").await;
    let id = fill_address_registration(&app, &applicant, None, "sredets").await;
    let submitted = submit(&app, &applicant, &id, &secret).await;
    assert_eq!(
        submitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        submitted.body
    );
    let operator = staff(&app, OPERATOR).await;
    approve(&app, &operator, &id).await;

    // The application page links to the message; the header links to the mailbox.
    let page = applicant.get(&format!("/applications/{id}")).await;
    let number = page.texts("#tracking-number").pop().unwrap();
    let link = page
        .attr("#delivery-message", "href")
        .expect("a link to the message");
    assert!(link.starts_with("/mailbox/messages/"), "{link}");
    assert!(page
        .attr(".header__nav a[href='/mailbox']", "href")
        .is_some());

    // The e-mail says there is a message and links to it; it does not carry the content.
    let email = app.mail.wait_for("/mailbox/messages/").await;
    assert!(email.contains(&format!("{}{link}", app.base)), "{email}");
    assert!(
        !email.contains(&number),
        "no content in the e-mail: {email}"
    );
    assert!(
        !email.contains("Резултат"),
        "no subject in the e-mail: {email}"
    );

    // The mailbox lists it as new.
    let list = applicant.get("/mailbox").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let subjects = list.texts(".message-link");
    assert_eq!(subjects.len(), 1, "{subjects:?}");
    assert!(subjects[0].contains(&number), "{subjects:?}");
    assert_eq!(list.texts("#messages .tag"), ["Ново"]);

    // Opening it: the result is attached, and the content hash is shown.
    let message = applicant.get(&link).await;
    assert_eq!(message.status, StatusCode::OK, "{}", message.body);
    assert!(message.texts("#message-subject")[0].contains(&number));
    let shown_hash = message.texts("#content-sha256").pop().unwrap();
    assert_eq!(
        applicant.get("/mailbox").await.texts("#messages .tag"),
        ["Отворено"]
    );

    let content = applicant.get(&format!("{link}/message.json")).await;
    assert_eq!(content.status, StatusCode::OK);
    assert_eq!(sha256(content.body.as_bytes()), shown_hash);
    let stated: serde_json::Value = serde_json::from_str(&content.body).unwrap();
    assert_eq!(stated["application"], id.as_str());
    assert_eq!(stated["recipients"][0]["identifier"], egn.as_str());
    let attachment_link = message.attr(".attachment-link", "href").unwrap();
    // The result is a PDF (binary): compared as bytes.
    let (status, _, attachment) = applicant.get_bytes(&attachment_link).await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, result) = applicant
        .get_bytes(&format!("/applications/{id}/result"))
        .await;
    assert_eq!(attachment, result, "the attachment is the result document");
    assert_eq!(
        stated["attachments"][0]["sha256"],
        sha256(&attachment).as_str()
    );

    // The evidence: accepted, delivered, opened, chained, each naming the content.
    let chain = applicant.get(&format!("{link}/evidence")).await;
    assert_eq!(chain.status, StatusCode::OK);
    assert_eq!(
        chain.headers.get("content-type").unwrap(),
        "application/jose"
    );
    let pieces: Vec<&str> = chain.body.lines().collect();
    let events: Vec<String> = pieces
        .iter()
        .map(|p| payload(p)["event"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        events,
        [
            "SubmissionAcceptance",
            "ContentConsignment",
            "ContentHandover"
        ]
    );
    for (i, p) in pieces.iter().enumerate() {
        let s = payload(p);
        assert_eq!(s["seq"], i);
        assert_eq!(s["message_sha256"], shown_hash.as_str());
        assert_eq!(s["sender"]["kind"], "unit");
        assert!(
            s["sender"]["name"].as_str().unwrap().contains("Средец"),
            "{s}"
        );
        assert_eq!(s["recipients"][0]["identifier"], egn.as_str());
        let previous = if i == 0 {
            serde_json::Value::Null
        } else {
            sha256(pieces[i - 1].as_bytes()).into()
        };
        assert_eq!(s["previous"], previous);
    }
    assert_eq!(payload(pieces[2])["recipient"]["identifier"], egn.as_str());

    let chain_file = dir.path().join("chain.jws");
    std::fs::write(&chain_file, &chain.body).unwrap();
    let content_file = dir.path().join("message.json");
    std::fs::write(&content_file, &content.body).unwrap();
    let (code, out) = python(
        "verify_evidence_chain.py",
        &[&chain_file, &ca, &content_file],
    );
    assert_eq!(code, 0, "jwcrypto: {out}");
    assert!(out.contains("ContentHandover"), "{out}");
    let (code, out) = run_cli(
        &app,
        &[
            "evidence",
            "verify",
            "--content",
            content_file.to_str().unwrap(),
            chain_file.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(code, 0, "portico evidence verify: {out}");
    assert!(out.contains("evidence chain valid: 3 pieces"), "{out}");

    // One piece alone, as its own download, verifies with the existing single-piece tools.
    let one = applicant.get(&format!("{link}/evidence/2")).await;
    assert_eq!(one.body, pieces[2]);
    let one_file = dir.path().join("opened.jws");
    std::fs::write(&one_file, &one.body).unwrap();
    let (code, out) = python("verify_jws.py", &[&one_file, &ca]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = run_cli(
        &app,
        &[
            "evidence",
            "verify",
            "--content",
            content_file.to_str().unwrap(),
            one_file.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(code, 0, "{out}");

    // A changed byte in the message fails against the evidence, both ways.
    let mut changed = content.body.clone().into_bytes();
    let at = changed.iter().position(|b| *b == b'R').unwrap();
    changed[at] = b'r';
    let changed_file = dir.path().join("changed.json");
    std::fs::write(&changed_file, &changed).unwrap();
    let (code, out) = python(
        "verify_evidence_chain.py",
        &[&chain_file, &ca, &changed_file],
    );
    assert_eq!(code, 1, "{out}");
    let (code, out) = run_cli(
        &app,
        &[
            "evidence",
            "verify",
            "--content",
            changed_file.to_str().unwrap(),
            chain_file.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("the content was changed"), "{out}");
    // … and a changed byte in the attachment no longer has the hash the signed content names.
    let mut bytes = attachment.clone();
    bytes[0] ^= 1;
    assert_ne!(stated["attachments"][0]["sha256"], sha256(&bytes).as_str());

    // A changed byte in a piece of evidence, or a piece left out, fails the chain.
    let mut tampered: Vec<String> = pieces.iter().map(|p| (*p).to_owned()).collect();
    tampered[1] = with_changed_payload(&tampered[1]);
    let tampered_file = dir.path().join("tampered.jws");
    std::fs::write(&tampered_file, tampered.join("\n")).unwrap();
    let (code, out) = python("verify_evidence_chain.py", &[&tampered_file, &ca]);
    assert_eq!(code, 1, "{out}");
    let (code, out) = run_cli(
        &app,
        &["evidence", "verify", tampered_file.to_str().unwrap()],
    )
    .await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("the signature does not match"), "{out}");
    let gap_file = dir.path().join("gap.jws");
    std::fs::write(&gap_file, format!("{}\n{}\n", pieces[0], pieces[2])).unwrap();
    let (code, out) = python("verify_evidence_chain.py", &[&gap_file, &ca]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("incomplete"), "{out}");
    let (code, out) = run_cli(&app, &["evidence", "verify", gap_file.to_str().unwrap()]).await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("incomplete or out of order"), "{out}");

    // The notifications (e-mail and SMS) are "delivered", as the message page shows; the SMS
    // too carries the link and neither the subject nor the content.
    wait_for_count(
        &app,
        "SELECT COUNT(*) FROM delivery_notifications WHERE status = 'delivered'",
        2,
    )
    .await;
    let again = applicant.get(&link).await;
    assert_eq!(
        again.texts(".notification-status"),
        ["доставено", "доставено"]
    );
    // (Delivered, so the sink has it.)
    let texted: Vec<String> = app
        .sms
        .received
        .lock()
        .unwrap()
        .iter()
        .map(|(_, sms)| sms["text"].as_str().unwrap_or("").to_owned())
        .collect();
    let notice = texted
        .iter()
        .find(|t| t.contains("/mailbox/messages/"))
        .unwrap_or_else(|| panic!("no SMS with the link: {texted:?}"));
    assert!(notice.contains(&format!("{}{link}", app.base)), "{notice}");
    assert!(!notice.contains(&number), "no content in the SMS: {notice}");

    // The sending unit's operator sees it, opened by the recipient; opening it again as the
    // sender adds no evidence.
    let seen = operator.get(&link).await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.body);
    assert_eq!(seen.texts(".recipient-state"), ["Отворено"]);
    assert_eq!(
        operator
            .get(&format!("{link}/evidence"))
            .await
            .body
            .lines()
            .count(),
        3
    );
}

#[tokio::test]
async fn nobody_reads_a_message_that_is_not_theirs() {
    let app = seeded().await;
    let d = delivery(&app);
    let sofia = administration(&app, SOFIA_EIK).await;
    let burgas = administration(&app, BURGAS_EIK).await;
    let owner_egn = fresh_egn();
    let owner = verified_with_egn(&app, "reader@example.bg", &owner_egn).await;
    let sent = messages::send(
        &d,
        &system_of(&sofia, &["delivery"]),
        notice(&sofia, &owner_egn, vec![pdf()]),
    )
    .await
    .unwrap();
    let id = sent.message_id;
    let paths = [
        format!("/mailbox/messages/{id}"),
        format!("/mailbox/messages/{id}/attachments/0"),
        format!("/mailbox/messages/{id}/message.json"),
        format!("/mailbox/messages/{id}/evidence"),
        format!("/mailbox/messages/{id}/evidence/0"),
        format!("/api/v1/mailbox/messages/{id}"),
        format!("/api/v1/mailbox/messages/{id}/evidence"),
    ];

    // Another verified citizen: it does not exist, on pages and in the API.
    let (other, _, _) = verified_citizen(&app, "stranger@example.bg").await;
    for path in &paths {
        assert_eq!(
            other.get(path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let api = other.get(&paths[5]).await;
    assert_eq!(api.json()["error"]["code"], "not_found");
    assert!(other
        .get("/mailbox")
        .await
        .texts(".message-link")
        .is_empty());
    assert_eq!(
        other.get("/api/v1/mailbox/messages").await.json()["items"],
        serde_json::json!([])
    );

    // A session below substantial assurance is told so, and reads nothing.
    let (low, _, _) = citizen(&app, "low@example.bg").await;
    let refused = low.get("/mailbox").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert_eq!(
        low.get(&paths[5]).await.json()["error"]["code"],
        "assurance_too_low"
    );

    // Nobody opened it: no evidence of retrieval was written by those attempts.
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM delivery_evidence WHERE message_id = '{id}'"
        ))
        .await,
        2
    );

    // Another administration's system, and Sofia's without the delivery scope, do not see it.
    for actor in [
        system_of(&burgas, &["delivery"]),
        system_of(&sofia, &["cases"]),
    ] {
        assert!(matches!(
            messages::open(&d, &actor, &id).await,
            Err(DeliveryError::NotFound)
        ));
        assert!(matches!(
            messages::evidence(&d, &actor, &id).await,
            Err(DeliveryError::NotFound)
        ));
    }
    // Nor may they send as Sofia.
    assert!(matches!(
        messages::send(
            &d,
            &system_of(&burgas, &["delivery"]),
            notice(&sofia, &owner_egn, vec![])
        )
        .await,
        Err(DeliveryError::Forbidden)
    ));

    // The owner reads it over the API (that is its retrieval) …
    let read = owner.get(&paths[5]).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    assert_eq!(read.json()["subject"], "Уведомление за данък");
    assert!(read.json()["recipients"][0]["opened_at"].is_string());
    let evidence = owner.get(&paths[6]).await.json();
    assert_eq!(evidence["items"].as_array().unwrap().len(), 3);
    assert_eq!(evidence["items"][2]["event"], "ContentHandover");
    let pdf_download = owner.get(&paths[1]).await;
    assert_eq!(pdf_download.status, StatusCode::OK);
    assert_eq!(
        pdf_download.headers.get("content-type").unwrap(),
        "application/pdf"
    );

    // … and replies in the thread, which Sofia's system finds in Sofia's mailbox.
    owner.get(&paths[0]).await;
    let empty = owner
        .post_form(&format!("/mailbox/messages/{id}/reply"), &[("body", "  ")])
        .await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty
        .texts(".error-summary a")
        .contains(&"Въведете текста на съобщението".to_owned()));
    let replied = owner
        .post_form(
            &format!("/mailbox/messages/{id}/reply"),
            &[("body", "Благодаря.")],
        )
        .await;
    assert_eq!(replied.status, StatusCode::SEE_OTHER, "{}", replied.body);
    let reply_id = replied.location().rsplit('/').next().unwrap().to_owned();
    let sofia_system = system_of(&sofia, &["delivery"]);
    let (mailbox, inbox) =
        messages::received(&d, &sofia_system, None, portico_core::Page::default())
            .await
            .unwrap();
    assert_eq!(mailbox.unwrap().kind, MailboxKind::Administration);
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].id, reply_id);
    let reply = messages::open(&d, &sofia_system, &reply_id).await.unwrap();
    assert_eq!(reply.thread_id, id);
    assert_eq!(reply.subject, "Re: Уведомление за данък");
    assert_eq!(reply.sender.identifier, owner_egn);
}

#[tokio::test]
async fn a_message_waits_for_a_person_without_an_account_until_they_sign_in() {
    let app = seeded().await;
    let d = delivery(&app);
    let sofia = administration(&app, SOFIA_EIK).await;
    let egn = fresh_egn();
    let sent = messages::send(
        &d,
        &system_of(&sofia, &["delivery"]),
        notice(&sofia, &egn, vec![]),
    )
    .await
    .unwrap();
    // Nobody to notify yet.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM delivery_notifications")
            .await,
        0
    );

    let newcomer = verified_with_egn(&app, "newcomer@example.bg", &egn).await;
    let list = newcomer.get("/mailbox").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert_eq!(list.texts(".message-link"), ["Уведомление за данък"]);
    assert_eq!(
        list.attr(".message-link", "href").unwrap(),
        format!("/mailbox/messages/{}", sent.message_id)
    );
}

#[tokio::test]
async fn oversized_empty_and_mislabelled_attachments_are_refused_and_nothing_is_stored() {
    let app = seeded().await;
    let d = delivery(&app);
    let sofia = administration(&app, SOFIA_EIK).await;
    let egn = fresh_egn();
    let blobs = app.config.blob_url.clone();
    let count_files = move || {
        fn walk(p: &Path) -> usize {
            std::fs::read_dir(p)
                .map(|rd| {
                    rd.flatten()
                        .map(|e| {
                            if e.path().is_dir() {
                                walk(&e.path())
                            } else {
                                1
                            }
                        })
                        .sum()
                })
                .unwrap_or(0)
        }
        walk(Path::new(&blobs))
    };
    let tables = "SELECT (SELECT COUNT(*) FROM delivery_messages) + (SELECT COUNT(*) FROM delivery_attachments) + (SELECT COUNT(*) FROM delivery_evidence) + (SELECT COUNT(*) FROM delivery_mailboxes)";
    let rows_before = app.count(tables).await;
    let files_before = count_files();

    // Over HTTP, as the Sredets operator sending for Sofia: an empty file and a "PDF" that is not.
    let operator = staff(&app, OPERATOR).await;
    let mut rejected: Vec<(String, String)> = Vec::new();
    let request = |file_name: &str, media_type: &str, bytes: &[u8]| {
        serde_json::json!({
            "sender": { "kind": "administration", "identifier": sofia },
            "recipients": [{ "kind": "person", "identifier": egn }],
            "subject": "Документ",
            "body": "Вижте приложението.",
            "attachments": [{
                "file_name": file_name,
                "media_type": media_type,
                "content_base64": base64::engine::general_purpose::STANDARD.encode(bytes),
            }],
        })
    };
    for (name, media_type, bytes, code) in [
        (
            "empty.pdf",
            "application/pdf",
            &b""[..],
            "delivery.attachment.empty",
        ),
        (
            "virus.pdf",
            "application/pdf",
            &b"MZ\x90\x00\x03"[..],
            "delivery.attachment.mislabelled",
        ),
        (
            "tool.exe",
            "application/x-msdownload",
            &b"MZ\x90\x00"[..],
            "delivery.attachment.type_not_accepted",
        ),
    ] {
        let refused = operator
            .post_json(
                "/api/v1/mailbox/messages",
                &request(name, media_type, bytes),
            )
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name}: {}",
            refused.body
        );
        let body = refused.json();
        assert_eq!(body["error"]["code"], "invalid", "{body}");
        assert_eq!(
            body["error"]["details"]["fields"],
            serde_json::json!([{ "field": "attachments", "code": code }]),
            "{name}"
        );
        // A submission refused: the sender gets signed evidence of it, naming the reason.
        let rejection = refused
            .headers
            .get("portico-rejection")
            .unwrap_or_else(|| panic!("{name}: no SubmissionRejection evidence named"))
            .to_str()
            .unwrap()
            .to_owned();
        let evidence = operator
            .get(&format!("/api/v1/mailbox/rejections/{rejection}"))
            .await;
        assert_eq!(evidence.status, StatusCode::OK, "{}", evidence.body);
        let evidence = evidence.json();
        assert_eq!(evidence["event"], "SubmissionRejection");
        assert_eq!(
            evidence["reasons"],
            serde_json::json!([{ "field": "attachments", "code": code }])
        );
        let statement = payload(evidence["jws"].as_str().unwrap());
        assert_eq!(statement["event"], "SubmissionRejection", "{statement}");
        assert_eq!(statement["sender"]["identifier"], sofia.as_str());
        assert_eq!(statement["reasons"][0]["code"], code);
        assert_eq!(statement["recipients"], serde_json::json!([]));
        let submitted = request(name, media_type, bytes);
        assert_eq!(
            statement["message_sha256"].as_str().unwrap(),
            sha256(&serde_json::to_vec(&sorted_json(&submitted)).unwrap()),
            "the evidence names the submission's SHA-256 (keys sorted, no spaces)"
        );
        rejected.push((rejection, evidence["jws"].as_str().unwrap().to_owned()));
    }
    // The evidence verifies offline with `portico evidence verify`; nobody else reads it.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rejected.jws");
    std::fs::write(&file, &rejected[1].1).unwrap();
    let (code, out) = run_cli(&app, &["evidence", "verify", file.to_str().unwrap()]).await;
    assert_eq!(code, 0, "portico evidence verify: {out}");
    assert!(out.contains("SubmissionRejection"), "{out}");
    assert!(out.contains("delivery.attachment.mislabelled"), "{out}");
    let stranger = crate::catalog::staff(
        &app,
        "rejections@burgas.example.bg",
        BURGAS_EIK,
        portico_identity::Role::AdministrationAdmin,
    )
    .await;
    let other = stranger
        .get(&format!("/api/v1/mailbox/rejections/{}", rejected[0].0))
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND, "{}", other.body);
    // Not submissions, so no evidence: a request that is not a send (400), a sender the caller
    // may not send from (403).
    let malformed = operator
        .post_json(
            "/api/v1/mailbox/messages",
            &serde_json::json!({ "sender": "Sofia", "subject": 5 }),
        )
        .await;
    assert_eq!(
        malformed.status,
        StatusCode::BAD_REQUEST,
        "{}",
        malformed.body
    );
    assert!(malformed.headers.get("portico-rejection").is_none());
    let mut foreign = request("empty.pdf", "application/pdf", b"");
    foreign["sender"]["identifier"] = administration(&app, BURGAS_EIK).await.into();
    let foreign = operator
        .post_json("/api/v1/mailbox/messages", &foreign)
        .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN, "{}", foreign.body);
    assert!(foreign.headers.get("portico-rejection").is_none());
    assert_eq!(
        app.count("SELECT COUNT(*) FROM delivery_rejections").await,
        3,
        "one piece of evidence for each refused submission, none for the rest"
    );
    // Each code has its plain message in both languages (see i18n.rs for every key).
    let strings = portico_http::Strings {
        lang: portico_http::Lang::Bg,
        tables: DELIVERY_TABLES,
        all: portico::app::translations(),
    };
    assert_eq!(
        strings.t("delivery.attachment.mislabelled"),
        "Съдържанието на приложение не е от вида, който е посочен"
    );

    // Oversized: one byte over 10 MB, through the service (the HTTP body limit is lower still).
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(10 * 1024 * 1024 + 1, b' ');
    let oversized = NewAttachment {
        file_name: "big.pdf".into(),
        media_type: "application/pdf".into(),
        bytes: big,
    };
    match messages::send(
        &d,
        &system_of(&sofia, &["delivery"]),
        notice(&sofia, &egn, vec![pdf(), oversized]),
    )
    .await
    {
        Err(DeliveryError::Invalid(errors)) => {
            let codes: Vec<&str> = errors.iter().map(|e| e.code.as_str()).collect();
            assert_eq!(codes, ["delivery.attachment.too_large"]);
        }
        other => panic!("an oversized attachment must be refused: {other:?}"),
    }

    assert_eq!(app.count(tables).await, rows_before, "no rows were written");
    assert_eq!(count_files(), files_before, "no file was stored");

    // The same request with a real PDF goes through.
    let sent = operator
        .post_json(
            "/api/v1/mailbox/messages",
            &request("notice.pdf", "application/pdf", &pdf().bytes),
        )
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
    assert!(count_files() > files_before);
}

#[tokio::test]
async fn a_failing_mail_server_leaves_the_notification_to_be_retried() {
    let app = TestApp::start_with(|c| c.smtp_url = Some("smtp://127.0.0.1:9".into())).await;
    portico::demo::seed(&app.db, &app.clock)
        .await
        .expect("demo data");
    let d = delivery(&app);
    let sofia = administration(&app, SOFIA_EIK).await;
    let egn = fresh_egn();
    let _client = app.register_with("unlucky@example.bg", &egn).await;
    messages::send(
        &d,
        &system_of(&sofia, &["delivery"]),
        notice(&sofia, &egn, vec![]),
    )
    .await
    .unwrap();
    wait_for_count(
        &app,
        "SELECT COUNT(*) FROM delivery_notifications WHERE status = 'temporary-failure'",
        1,
    )
    .await;
    // The job is still there, waiting for its next attempt: nothing was lost.
    wait_for_count(&app, "SELECT COUNT(*) FROM jobs WHERE kind = 'delivery.notify_email' AND status = 'pending' AND attempts >= 1", 1).await;
}

#[tokio::test]
async fn an_unopened_message_gets_evidence_of_non_retrieval_after_the_period() {
    let app = seeded().await;
    let d = delivery(&app);
    let sofia = administration(&app, SOFIA_EIK).await;
    let sofia_system = system_of(&sofia, &["delivery"]);
    let sent = messages::send(&d, &sofia_system, notice(&sofia, &fresh_egn(), vec![]))
        .await
        .unwrap();
    let id = sent.message_id;
    // Thirteen days on, nothing happens; after the fourteenth, the job records non-retrieval.
    app.advance(13 * 24 * 3600);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM delivery_evidence WHERE message_id = '{id}'"
        ))
        .await,
        2
    );
    app.advance(2 * 24 * 3600);
    wait_for_count(
        &app,
        &format!("SELECT COUNT(*) FROM delivery_evidence WHERE message_id = '{id}'"),
        3,
    )
    .await;

    let evidence = messages::evidence(&d, &sofia_system, &id).await.unwrap();
    let tokens: Vec<&str> = evidence.iter().map(|e| e.jws.as_str()).collect();
    let anchor = d.key.trust_anchor().unwrap().clone();
    let statements =
        portico_delivery::service::evidence::check_chain(&tokens, &anchor, app.clock.now())
            .unwrap();
    let events: Vec<&str> = statements
        .iter()
        .map(|s| s["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        [
            "SubmissionAcceptance",
            "ContentConsignment",
            "ContentNonHandover"
        ]
    );
    let message = messages::get(&d, &sofia_system, &id).await.unwrap();
    assert_eq!(message.recipients[0].status(), "not_opened");
}

/// An API client of the administration made over the API by its admin, and an access token for
/// it: (client id, secret, token).
pub(crate) async fn api_client(
    app: &TestApp,
    admin: &Client,
    administration: &str,
    scopes: &[&str],
) -> (String, String, String) {
    let created = admin
        .post_json(
            &format!("/api/v1/administrations/{administration}/api-clients"),
            &serde_json::json!({ "name": format!("System {}", rand::random::<u32>()),
                "scopes": scopes, "auth_method": "client_secret" }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let body = created.json();
    let id = body["client"]["id"].as_str().unwrap().to_owned();
    let secret = body["client_secret"].as_str().unwrap().to_owned();
    let token = access_token(app, &id, &secret).await;
    (id, secret, token)
}

async fn access_token(app: &TestApp, client_id: &str, secret: &str) -> String {
    let r = reqwest::Client::new()
        .post(format!("{}/oauth/token", app.base))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: serde_json::Value = r.json().await.unwrap();
    v["access_token"].as_str().unwrap().to_owned()
}

/// A bearer-token call: (status, headers, JSON body or null).
pub(crate) async fn bearer(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<&serde_json::Value>,
    key: Option<&str>,
) -> (StatusCode, reqwest::header::HeaderMap, serde_json::Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{path}", app.base))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(body);
    }
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    let r = request.send().await.unwrap();
    let status = r.status();
    let headers = r.headers().clone();
    (
        status,
        headers,
        r.json().await.unwrap_or(serde_json::Value::Null),
    )
}

pub(crate) fn api_notice(from: &str, to: serde_json::Value, subject: &str) -> serde_json::Value {
    serde_json::json!({
        "sender": { "kind": "administration", "identifier": from },
        "recipients": [to],
        "subject": subject,
        "body": "Съдържание на съобщението.",
        "attachments": [{ "file_name": "notice.pdf", "media_type": "application/pdf",
            "content_base64": base64::engine::general_purpose::STANDARD.encode(pdf().bytes) }],
    })
}

#[tokio::test]
async fn an_institutions_api_client_sends_and_reads_only_its_own_administrations_mailboxes() {
    use portico_identity::Role;
    use reqwest::Method;
    let app = seeded().await;
    let sofia = administration(&app, SOFIA_EIK).await;
    let burgas = administration(&app, BURGAS_EIK).await;
    let sofia_admin = crate::catalog::staff(
        &app,
        "delivery-admin@sofia.example.bg",
        SOFIA_EIK,
        Role::AdministrationAdmin,
    )
    .await;
    let burgas_admin = crate::catalog::staff(
        &app,
        "delivery-admin@burgas.example.bg",
        BURGAS_EIK,
        Role::AdministrationAdmin,
    )
    .await;
    let (_, _, sofia_system) = api_client(&app, &sofia_admin, &sofia, &["delivery"]).await;
    let (_, _, sofia_cases) = api_client(&app, &sofia_admin, &sofia, &["cases"]).await;
    let (_, _, burgas_system) = api_client(&app, &burgas_admin, &burgas, &["delivery"]).await;
    let egn = fresh_egn();
    let citizen_address = serde_json::json!({ "kind": "person", "identifier": egn });

    // Sofia's system sends from Sofia's mailbox; never from Burgas's.
    let (status, _, sent) = bearer(
        &app,
        &sofia_system,
        Method::POST,
        "/api/v1/mailbox/messages",
        Some(&api_notice(&sofia, citizen_address.clone(), "Известие")),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    let to_citizen = sent["message_id"].as_str().unwrap().to_owned();
    let (status, _, _) = bearer(
        &app,
        &sofia_system,
        Method::POST,
        "/api/v1/mailbox/messages",
        Some(&api_notice(&burgas, citizen_address.clone(), "Чуждо")),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Burgas's system sends to Sofia's administration: administrations exchange documents so.
    let (status, _, sent) = bearer(
        &app,
        &burgas_system,
        Method::POST,
        "/api/v1/mailbox/messages",
        Some(&api_notice(
            &burgas,
            serde_json::json!({ "kind": "administration", "identifier": sofia }),
            "Писмо до Столична община",
        )),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    let to_sofia = sent["message_id"].as_str().unwrap().to_owned();

    // Sofia's system receives it in its mailbox and reads it (its retrieval).
    let (status, _, list) = bearer(
        &app,
        &sofia_system,
        Method::GET,
        "/api/v1/mailbox/messages",
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["mailbox"]["identifier"], sofia.as_str());
    let sofia_mailbox = list["mailbox"]["id"].as_str().unwrap().to_owned();
    let ids: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![to_sofia.as_str()]);
    let (status, _, message) = bearer(
        &app,
        &sofia_system,
        Method::GET,
        &format!("/api/v1/mailbox/messages/{to_sofia}"),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{message}");
    let (status, _, evidence) = bearer(
        &app,
        &sofia_system,
        Method::GET,
        &format!("/api/v1/mailbox/messages/{to_sofia}/evidence"),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let events: Vec<String> = evidence["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            payload(e["jws"].as_str().unwrap())["event"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        events,
        [
            "SubmissionAcceptance",
            "ContentConsignment",
            "ContentHandover"
        ]
    );

    // Burgas's system can neither list Sofia's mailbox nor read what Sofia sent elsewhere.
    for path in [
        format!("/api/v1/mailbox/messages?mailbox={sofia_mailbox}"),
        format!("/api/v1/mailbox/messages/{to_citizen}"),
        format!("/api/v1/mailbox/messages/{to_citizen}/evidence"),
    ] {
        let (status, _, body) = bearer(&app, &burgas_system, Method::GET, &path, None, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
        assert_eq!(body["error"]["code"], "not_found");
    }

    // A client without the delivery scope is refused, whatever it asks; no token is 401.
    for (method, path) in [
        (Method::GET, "/api/v1/mailbox/messages".to_owned()),
        (Method::GET, format!("/api/v1/mailbox/messages/{to_sofia}")),
        (Method::POST, "/api/v1/mailbox/messages".to_owned()),
    ] {
        let body = api_notice(&sofia, citizen_address.clone(), "Без обхват");
        let (status, _, answer) =
            bearer(&app, &sofia_cases, method, &path, Some(&body), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {answer}");
        assert_eq!(answer["error"]["code"], "insufficient_scope");
    }
    let anonymous = reqwest::get(format!("{}/api/v1/mailbox/messages", app.base))
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM delivery_messages").await,
        2,
        "only the two sends that were allowed made messages"
    );
}

#[tokio::test]
async fn an_idempotency_key_sends_once_and_refuses_another_request() {
    use portico_identity::Role;
    use reqwest::Method;
    let app = seeded().await;
    let sofia = administration(&app, SOFIA_EIK).await;
    let admin = crate::catalog::staff(
        &app,
        "idempotent-admin@sofia.example.bg",
        SOFIA_EIK,
        Role::AdministrationAdmin,
    )
    .await;
    let (client_id, secret, token) = api_client(&app, &admin, &sofia, &["delivery"]).await;
    let (_, _, other_token) = api_client(&app, &admin, &sofia, &["delivery"]).await;
    let to = serde_json::json!({ "kind": "person", "identifier": fresh_egn() });
    let request = api_notice(&sofia, to.clone(), "Известие");
    let messages_count = "SELECT COUNT(*) FROM delivery_messages";
    let send = |token: String, body: serde_json::Value, key: &'static str| {
        let app = &app;
        async move {
            bearer(
                app,
                &token,
                Method::POST,
                "/api/v1/mailbox/messages",
                Some(&body),
                Some(key),
            )
            .await
        }
    };

    // The same key and request: the same answer, one message.
    let (status, headers, first) = send(token.clone(), request.clone(), "order-1").await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert!(headers.get("idempotent-replayed").is_none());
    let (status, headers, again) = send(token.clone(), request.clone(), "order-1").await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    assert_eq!(again, first);
    assert_eq!(headers["idempotent-replayed"], "true");
    assert_eq!(app.count(messages_count).await, 1);

    // The same key with another request: refused, clearly, and nothing sent.
    let (status, _, refused) = send(
        token.clone(),
        api_notice(&sofia, to.clone(), "Друго известие"),
        "order-1",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(
        refused["error"]["details"]["fields"][0]["code"],
        "delivery.idempotency.key_reused"
    );
    assert_eq!(app.count(messages_count).await, 1);
    let (status, _, bad) = send(token.clone(), request.clone(), "две думи").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert_eq!(app.count(messages_count).await, 1);

    // Keys are per client: another client's "order-1" is its own.
    let (status, _, theirs) = send(other_token, request.clone(), "order-1").await;
    assert_eq!(status, StatusCode::CREATED);
    assert_ne!(theirs["message_id"], first["message_id"]);
    assert_eq!(app.count(messages_count).await, 2);

    // Two sends with one new key at the same time: one message, both told of it.
    let (a, b) = tokio::join!(
        send(token.clone(), request.clone(), "order-2"),
        send(token.clone(), request.clone(), "order-2"),
    );
    assert_eq!(a.0, StatusCode::CREATED, "{}", a.2);
    assert_eq!(b.0, StatusCode::CREATED, "{}", b.2);
    assert_eq!(a.2["message_id"], b.2["message_id"]);
    assert_eq!(app.count(messages_count).await, 3);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM delivery_idempotency").await,
        3
    );

    // A key is kept a day; after that it may be used again.
    app.advance(portico_delivery::service::idempotency::KEEP_HOURS * 3600 + 60);
    let token = access_token(&app, &client_id, &secret).await;
    let (status, headers, later) = send(token, request.clone(), "order-1").await;
    assert_eq!(status, StatusCode::CREATED, "{later}");
    assert!(headers.get("idempotent-replayed").is_none());
    assert_ne!(later["message_id"], first["message_id"]);
    assert_eq!(app.count(messages_count).await, 4);
}

#[tokio::test]
async fn a_recipient_grants_a_third_party_who_reads_until_it_is_revoked() {
    let app = seeded().await;
    let d = delivery(&app);
    let sofia = administration(&app, SOFIA_EIK).await;
    let system = system_of(&sofia, &["delivery"]);
    let owner_egn = fresh_egn();
    let lawyer_egn = fresh_egn();
    let owner = verified_with_egn(&app, "grant-owner@example.bg", &owner_egn).await;
    let lawyer = verified_with_egn(&app, "grant-lawyer@example.bg", &lawyer_egn).await;
    let first = messages::send(&d, &system, notice(&sofia, &owner_egn, vec![pdf()]))
        .await
        .unwrap()
        .message_id;
    let second = messages::send(&d, &system, notice(&sofia, &owner_egn, vec![]))
        .await
        .unwrap()
        .message_id;
    let page = |id: &str| format!("/mailbox/messages/{id}");
    assert_eq!(
        lawyer.get(&page(&first)).await.status,
        StatusCode::NOT_FOUND
    );

    // Over HTML: the owner grants the lawyer this one message from its page.
    let message = owner.get(&page(&first)).await;
    let mailbox = message
        .attr(
            "form[action=\"/mailbox/grants\"] input[name=mailbox]",
            "value",
        )
        .unwrap();
    let bad = owner
        .post_form(
            "/mailbox/grants",
            &[
                ("mailbox", &mailbox),
                ("message", &first),
                ("scope", "message"),
                ("grantee", "123"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("grantee-error"), "{}", bad.body);
    let granted = owner
        .post_form(
            "/mailbox/grants",
            &[
                ("mailbox", &mailbox),
                ("message", &first),
                ("scope", "message"),
                ("grantee", &lawyer_egn),
            ],
        )
        .await;
    assert_eq!(granted.status, StatusCode::SEE_OTHER, "{}", granted.body);

    // The lawyer finds and reads it (page and API), and nothing else of the mailbox.
    let mine = lawyer.get("/mailbox").await;
    assert_eq!(
        mine.attr(".shared-link", "href").unwrap(),
        page(&first),
        "{}",
        mine.body
    );
    let read = lawyer.get(&page(&first)).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    assert!(read.body.contains("Ред първи."));
    assert_eq!(
        lawyer
            .get(&format!("/api/v1/mailbox/messages/{first}"))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        lawyer.get(&page(&second)).await.status,
        StatusCode::NOT_FOUND
    );
    // Reading through a grant is not the recipient's retrieval.
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM delivery_recipients WHERE message_id = '{second}' AND opened_at IS NOT NULL"
        ))
        .await,
        0
    );

    // The owner sees the grant and the reading on the mailbox page and over the API.
    let boxes = owner.get(&format!("/mailbox?mailbox={mailbox}")).await;
    assert_eq!(boxes.texts("#grant-list .grant").len(), 1, "{}", boxes.body);
    assert_eq!(boxes.texts(".grant-reads"), ["1"]);
    let listed = owner
        .get(&format!("/api/v1/mailbox/grants?mailbox={mailbox}"))
        .await
        .json();
    assert_eq!(
        listed["items"][0]["grantee_personal_id"],
        lawyer_egn.as_str()
    );
    assert_eq!(listed["items"][0]["reads"][0]["message_id"], first.as_str());
    // The lawyer may not see or change the owner's grants.
    assert_eq!(
        lawyer
            .get(&format!("/api/v1/mailbox/grants?mailbox={mailbox}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Over the API: the whole mailbox.
    let whole = owner
        .post_json(
            "/api/v1/mailbox/grants",
            &serde_json::json!({ "mailbox_id": mailbox, "scope": "mailbox",
                "grantee_personal_id": lawyer_egn }),
        )
        .await;
    assert_eq!(whole.status, StatusCode::CREATED, "{}", whole.body);
    let whole_id = whole.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(lawyer.get(&page(&second)).await.status, StatusCode::OK);
    let stolen = lawyer
        .post_json(
            &format!("/api/v1/mailbox/grants/{whole_id}/revoke"),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(stolen.status, StatusCode::NOT_FOUND);

    // Revoked (one over the API, one on the page): it stops at once.
    let revoked = owner
        .post_json(
            &format!("/api/v1/mailbox/grants/{whole_id}/revoke"),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT, "{}", revoked.body);
    assert_eq!(
        lawyer.get(&page(&second)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(lawyer.get(&page(&first)).await.status, StatusCode::OK);
    let boxes = owner.get(&format!("/mailbox?mailbox={mailbox}")).await;
    let action = boxes.attr("form.grant-revoke", "action").unwrap();
    let done = owner.post_form(&action, &[("mailbox", &mailbox)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    for id in [&first, &second] {
        assert_eq!(lawyer.get(&page(id)).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            lawyer
                .get(&format!("/api/v1/mailbox/messages/{id}"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
    assert!(lawyer
        .get("/mailbox")
        .await
        .texts(".shared-link")
        .is_empty());

    // Every grant, revocation and read is audited.
    let audited = |action: &'static str| {
        let app = &app;
        async move {
            app.count(&format!(
                "SELECT COUNT(*) FROM audit_log WHERE action = '{action}'"
            ))
            .await
        }
    };
    assert_eq!(audited("delivery.granted").await, 2);
    assert_eq!(audited("delivery.grant_revoked").await, 2);
    assert_eq!(audited("delivery.read_by_grant").await, 2);
}
