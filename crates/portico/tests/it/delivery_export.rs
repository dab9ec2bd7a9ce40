//! eDelivery's ZIP export: a mailbox and a thread export with their messages, attachments and
//! evidence and a signed manifest; `portico evidence verify` checks the ZIP whole, and a changed
//! byte, a changed file (even with the manifest's hash updated) or a missing one fails. Nobody
//! exports what they may not read.

use crate::cases::seeded;
use crate::delivery::{
    administration, delivery, notice, pdf, system_of, verified_with_egn, SOFIA_EIK,
};
use crate::support::{fresh_egn, run_cli, TestApp};
use portico_delivery::service::messages;
use reqwest::StatusCode;
use sha2::{Digest, Sha256};
use std::io::{Cursor, Read, Write};

/// The ZIP with each file passed through `change` (None: left out), written anew as a forger
/// would (with correct CRCs).
fn repack(zip: &[u8], change: impl Fn(&str, Vec<u8>) -> Option<Vec<u8>>) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let name = entry.name().unwrap().into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        if let Some(bytes) = change(&name, bytes) {
            out.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
                .unwrap();
            out.write_all(&bytes).unwrap();
        }
    }
    out.finish().unwrap().into_inner()
}

fn names(zip: &[u8]) -> Vec<String> {
    let archive = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
    archive
        .file_names()
        .map(|n| n.unwrap().into_owned())
        .collect()
}

async fn verify(app: &TestApp, zip: &[u8]) -> (i32, String) {
    let path = app.data_dir.path().join(format!(
        "export-{}.zip",
        hex::encode(&Sha256::digest(zip)[..6])
    ));
    std::fs::write(&path, zip).unwrap();
    run_cli(app, &["evidence", "verify", path.to_str().unwrap()]).await
}

#[tokio::test]
async fn a_mailbox_and_a_thread_export_as_a_zip_that_evidence_verify_checks_whole() {
    let app = seeded().await;
    let d = delivery(&app);
    let sofia = administration(&app, SOFIA_EIK).await;
    let system = system_of(&sofia, &["delivery"]);
    let egn = fresh_egn();
    let owner = verified_with_egn(&app, "export-owner@example.bg", &egn).await;
    let stranger = verified_with_egn(&app, "export-stranger@example.bg", &fresh_egn()).await;
    let first = messages::send(&d, &system, notice(&sofia, &egn, vec![pdf()]))
        .await
        .unwrap()
        .message_id;
    messages::send(&d, &system, notice(&sofia, &egn, vec![]))
        .await
        .unwrap();
    let replied = owner
        .post_form(
            &format!("/mailbox/messages/{first}/reply"),
            &[("body", "Благодаря, получих го.")],
        )
        .await;
    assert_eq!(replied.status, StatusCode::SEE_OTHER, "{}", replied.body);

    // The whole mailbox, from its page: two received, one sent, each with its evidence.
    let page = owner.get("/mailbox").await;
    let link = page.attr("#mailbox-export", "href").unwrap();
    let (status, headers, zip) = owner.get_bytes(&link).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/zip");
    let inside = names(&zip);
    assert!(inside.contains(&"manifest.json".to_owned()), "{inside:?}");
    assert!(inside.contains(&"manifest.jws".to_owned()));
    assert!(inside.contains(&format!("messages/{first}/message.json")));
    assert!(inside.contains(&format!("messages/{first}/evidence.jws")));
    assert!(inside.contains(&format!("messages/{first}/attachments/0-notice.pdf")));
    let (code, out) = verify(&app, &zip).await;
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("export valid") && out.contains("3 messages"),
        "{out}"
    );

    // One changed byte of the ZIP as it came.
    let mut flipped = zip.clone();
    let at = flipped.len() / 3;
    flipped[at] ^= 0x20;
    let (code, out) = verify(&app, &flipped).await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("EVIDENCE NOT VALID"), "{out}");
    // An attachment changed by one byte, re-packed with good CRCs.
    let pdf_path = format!("messages/{first}/attachments/0-notice.pdf");
    let changed = repack(&zip, |name, mut bytes| {
        if name == pdf_path {
            bytes[10] ^= 0x01;
        }
        Some(bytes)
    });
    let (code, out) = verify(&app, &changed).await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("is not the file the manifest lists"), "{out}");
    // The same, with the manifest's hash of it updated: the signature no longer covers it.
    let mut attachment = Vec::new();
    zip::ZipArchive::new(Cursor::new(&zip[..]))
        .unwrap()
        .by_name(&pdf_path)
        .unwrap()
        .read_to_end(&mut attachment)
        .unwrap();
    let old_hash = hex::encode(Sha256::digest(&attachment));
    attachment[10] ^= 0x01;
    let new_hash = hex::encode(Sha256::digest(&attachment));
    let forged = repack(&zip, |name, bytes| {
        Some(match name {
            n if n == pdf_path => attachment.clone(),
            "manifest.json" => String::from_utf8(bytes)
                .unwrap()
                .replace(&old_hash, &new_hash)
                .into_bytes(),
            _ => bytes,
        })
    });
    let (code, out) = verify(&app, &forged).await;
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("manifest.json is not the one manifest.jws signs"),
        "{out}"
    );
    // A message's evidence left out.
    let evidence = format!("messages/{first}/evidence.jws");
    let missing = repack(&zip, |name, bytes| (name != evidence).then_some(bytes));
    let (code, out) = verify(&app, &missing).await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("listed in the manifest but missing"), "{out}");

    // One thread over the API: the notice and the reply, not the other message.
    let (status, _, thread) = owner
        .get_bytes(&format!("/api/v1/mailbox/messages/{first}/export"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (code, out) = verify(&app, &thread).await;
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(&format!("thread {first}")) && out.contains("2 messages"),
        "{out}"
    );
    // The message page links to its thread's export.
    let message = owner.get(&format!("/mailbox/messages/{first}")).await;
    assert_eq!(
        message.attr("#thread-export", "href").unwrap(),
        format!("/mailbox/messages/{first}/export")
    );

    // Nobody exports what they may not read; every export is audited.
    for path in [
        format!("/mailbox/messages/{first}/export"),
        format!("/api/v1/mailbox/messages/{first}/export"),
        link.clone(),
        format!("/api/v1/mailbox/export?{}", link.split('?').nth(1).unwrap()),
    ] {
        let (status, _, _) = stranger.get_bytes(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'delivery.exported'")
            .await,
        2
    );
}

/// A "PDF" of `len` bytes that does not compress away.
fn noisy_pdf(len: usize) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut x: u32 = 0x9e37_79b9;
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// The ZIP is written as it is sent (no `Content-Length`, the manifest first): so an attachment
/// that does not open, found only when the writer reaches it, cuts the download short after its
/// first bytes went out, where a ZIP made whole before the answer would have been a 500 with no
/// byte at all. The whole ZIP still verifies.
#[tokio::test]
async fn an_export_goes_out_as_it_is_made_and_a_file_that_fails_late_cuts_it_short() {
    let app = seeded().await;
    let d = delivery(&app);
    let sofia = administration(&app, SOFIA_EIK).await;
    let system = system_of(&sofia, &["delivery"]);
    let egn = fresh_egn();
    messages::send(&d, &system, notice(&sofia, &egn, vec![pdf()]))
        .await
        .unwrap();
    let mut last = pdf();
    last.bytes = noisy_pdf(300 * 1024);
    let late = messages::send(&d, &system, notice(&sofia, &egn, vec![last]))
        .await
        .unwrap()
        .message_id;
    let admin = crate::catalog::staff(
        &app,
        "export-admin@sofia.example.bg",
        SOFIA_EIK,
        portico_identity::Role::AdministrationAdmin,
    )
    .await;
    let (_, _, token) = crate::delivery::api_client(&app, &admin, &sofia, &["delivery"]).await;
    let (mailbox,): (String,) = sqlx::query_as(
        "SELECT id FROM delivery_mailboxes WHERE kind = 'administration' AND identifier = $1",
    )
    .bind(&sofia)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let url = format!("{}/api/v1/mailbox/export?mailbox={mailbox}", app.base);
    let http = reqwest::Client::new();

    // Whole: streamed, no length announced, the manifest first; it verifies.
    let whole = http.get(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(whole.status(), StatusCode::OK);
    assert!(whole.headers().get("content-length").is_none());
    assert_eq!(whole.headers()["content-type"], "application/zip");
    let zip = whole.bytes().await.unwrap().to_vec();
    assert_eq!(&zip[..4], b"PK\x03\x04");
    assert_eq!(&zip[30..30 + "manifest.json".len()], b"manifest.json");
    let (code, out) = verify(&app, &zip).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("2 messages"), "{out}");

    // The last attachment's stored file changed in its first segment: it does not open.
    let (blob,): (String,) = sqlx::query_as(
        "SELECT blob_sha256 FROM delivery_attachments WHERE message_id = $1 AND position = 0",
    )
    .bind(&late)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let path = std::path::Path::new(&app.config.blob_url)
        .join(&blob[..2])
        .join(&blob);
    let mut sealed = std::fs::read(&path).unwrap();
    let at = portico_delivery::service::segments::HEADER_BYTES + 100;
    sealed[at] ^= 0x01;
    std::fs::write(&path, &sealed).unwrap();
    let mut cut = http.get(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(
        cut.status(),
        StatusCode::OK,
        "the answer began before the file was reached"
    );
    let mut got = Vec::new();
    let mut broke = false;
    loop {
        match cut.chunk().await {
            Ok(Some(piece)) => got.extend_from_slice(&piece),
            Ok(None) => break,
            Err(_) => {
                broke = true;
                break;
            }
        }
    }
    assert!(broke, "the download is cut short, not ended as if whole");
    assert_eq!(&got[30..30 + "manifest.json".len()], b"manifest.json");
    assert!(got.len() < zip.len());
    assert!(
        zip::ZipArchive::new(Cursor::new(&got[..])).is_err(),
        "what arrived is not a whole ZIP"
    );
}

/// An export whose files add up to more than the limit is refused before anything is written:
/// the page says so in the person's language with the limit and what to do instead (413), the
/// API answers 413 `delivery.export.too_large`, and nothing is exported or audited. A thread
/// under the limit still exports.
#[tokio::test]
async fn an_export_over_its_size_limit_is_refused_with_a_clear_message() {
    let app = crate::cases::seeded_with(|c| c.delivery_max_export_bytes = 1024 * 1024).await;
    let d = delivery(&app);
    let sofia = administration(&app, SOFIA_EIK).await;
    let system = system_of(&sofia, &["delivery"]);
    let egn = fresh_egn();
    let owner = verified_with_egn(&app, "export-limit@example.bg", &egn).await;
    let small = messages::send(&d, &system, notice(&sofia, &egn, vec![pdf()]))
        .await
        .unwrap()
        .message_id;
    let mut big = pdf();
    big.bytes = noisy_pdf(1024 * 1024 + 1);
    messages::send(&d, &system, notice(&sofia, &egn, vec![big]))
        .await
        .unwrap();
    let exported = "SELECT COUNT(*) FROM audit_log WHERE action = 'delivery.exported'";
    let before = app.count(exported).await;

    let page = owner.get("/mailbox").await;
    let link = page.attr("#mailbox-export", "href").unwrap();
    let refused = owner.get(&link).await;
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        refused.texts("#export-too-large"),
        vec!["Този експорт е твърде голям"]
    );
    assert_eq!(refused.texts("#export-limit"), vec!["1 MB"]);
    assert!(refused.body.contains("Нищо не е експортирано."));
    let api = owner
        .get(&format!(
            "/api/v1/mailbox/export?{}",
            link.split('?').nth(1).unwrap()
        ))
        .await;
    assert_eq!(api.status, StatusCode::PAYLOAD_TOO_LARGE);
    let body = api.json();
    assert_eq!(body["error"]["code"], "too_large", "{body}");
    assert!(
        body.to_string().contains("delivery.export.too_large"),
        "{body}"
    );
    assert_eq!(app.count(exported).await, before, "nothing exported");

    let (status, _, thread) = owner
        .get_bytes(&format!("/mailbox/messages/{small}/export"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (code, out) = verify(&app, &thread).await;
    assert_eq!(code, 0, "{out}");
}
