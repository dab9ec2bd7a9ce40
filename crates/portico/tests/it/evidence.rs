//! Signed evidence checked by someone else's code: a citizen submits over HTTP, downloads the
//! submission record's JWS and, once approved, the result statement's; both are verified with
//! Python's jwcrypto plus `openssl verify` (tests/interop/verify_jws.py) and with
//! `portico evidence verify`, and a byte changed in the payload or the signature fails both.
//! Missing python3, jwcrypto or openssl fail this test: `scripts/test` installs them.

use crate::cases::{
    citizen, fill_address_registration, seeded, staff, submit, transition, OPERATOR,
};
use crate::support::{run_cli, Client, TestApp};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::StatusCode;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/interop/verify_jws.py")
}

/// Runs the independent verifier; returns its exit code and output.
pub(crate) fn python_verify(jws: &Path, ca: &Path) -> (i32, String) {
    let out = std::process::Command::new("python3")
        .arg(script())
        .arg(jws)
        .arg(ca)
        .output()
        .expect("python3 must be installed to run the interoperability test");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// The same JWS with one byte of one part (1 = payload, 2 = signature) changed.
fn with_changed_byte(jws: &str, part: usize) -> String {
    let mut parts: Vec<String> = jws.split('.').map(str::to_owned).collect();
    let mut bytes = URL_SAFE_NO_PAD.decode(&parts[part]).unwrap();
    let i = bytes.len() / 2;
    bytes[i] ^= 0x04;
    parts[part] = URL_SAFE_NO_PAD.encode(bytes);
    parts.join(".")
}

pub(crate) fn payload(jws: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD
        .decode(jws.split('.').nth(1).unwrap())
        .unwrap()
}

/// Checks a JWS both ways, then that a changed payload byte and a changed signature byte fail
/// both ways.
pub(crate) async fn verify_everywhere(app: &TestApp, dir: &Path, name: &str, jws: &str) {
    let ca = app.data_dir.path().join("platform-ca.pem");
    let file = dir.join(format!("{name}.jws"));
    std::fs::write(&file, jws).unwrap();
    let (code, out) = python_verify(&file, &ca);
    assert_eq!(code, 0, "jwcrypto + openssl: {out}");
    assert!(out.starts_with("VALID"), "{out}");
    let file_arg = file.to_str().unwrap();
    let (code, out) = run_cli(app, &["evidence", "verify", file_arg]).await;
    assert_eq!(code, 0, "portico evidence verify: {out}");
    assert!(out.contains("evidence valid"), "{out}");
    let ca_arg = ca.to_str().unwrap();
    let (code, out) = run_cli(app, &["evidence", "verify", "--ca", ca_arg, file_arg]).await;
    assert_eq!(code, 0, "portico evidence verify --ca: {out}");

    for (part, what) in [(1, "payload"), (2, "signature")] {
        let changed = dir.join(format!("{name}-changed-{what}.jws"));
        std::fs::write(&changed, with_changed_byte(jws, part)).unwrap();
        let (code, out) = python_verify(&changed, &ca);
        assert_eq!(code, 1, "a changed {what} must fail jwcrypto: {out}");
        assert!(out.contains("NOT VALID"), "{out}");
        let (code, out) = run_cli(app, &["evidence", "verify", changed.to_str().unwrap()]).await;
        assert_eq!(code, 1, "a changed {what} must fail portico: {out}");
        assert!(
            out.contains("EVIDENCE NOT VALID: the signature does not match"),
            "{out}"
        );
    }
}

pub(crate) async fn download(client: &Client, path: &str) -> String {
    let page = client.get(path).await;
    assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
    assert_eq!(
        page.headers.get("content-type").unwrap(),
        "application/jose",
        "{path}"
    );
    page.body
}

#[tokio::test]
async fn submission_and_result_are_jws_that_independent_tools_verify() {
    let app = seeded().await;
    let dir = tempfile::tempdir().unwrap();
    let (applicant, _, secret) = citizen(&app, "evidence@example.bg").await;
    let id = fill_address_registration(&app, &applicant, None, "sredets").await;
    let submitted = submit(&app, &applicant, &id, &secret).await;
    assert_eq!(
        submitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        submitted.body
    );

    // The page shows the record's SHA-256 and offers the signed record for download.
    let page = applicant.get(&format!("/applications/{id}")).await;
    let number = page.texts("#tracking-number").pop().unwrap();
    let shown_hash = page.texts(".summary-list__value code").pop().unwrap();
    let link = page.attr("#submission-jws", "href").unwrap();
    assert_eq!(link, format!("/applications/{id}/submission.jws"));
    let jws = download(&applicant, &link).await;

    // The signed payload is the record the page's hash is of, computed here, and states what
    // was submitted.
    let record = payload(&jws);
    assert_eq!(hex::encode(Sha256::digest(&record)), shown_hash);
    let stated: serde_json::Value = serde_json::from_slice(&record).unwrap();
    assert_eq!(stated["tracking_number"], number.as_str());
    assert_eq!(stated["data"]["owns_home"], "yes");
    assert_eq!(stated["data"]["address_kind"], "permanent");

    verify_everywhere(&app, dir.path(), "submission", &jws).await;
    let file = dir.path().join("submission.jws");
    let (_, out) = run_cli(&app, &["evidence", "verify", file.to_str().unwrap()]).await;
    assert!(out.contains(&number), "it says what it states: {out}");
    assert!(
        out.contains(&format!("payload SHA-256: {shown_hash}")),
        "{out}"
    );

    // Another platform's CA does not vouch for this platform's evidence.
    let stranger = portico_audit::SigningKey::generate();
    let other_ca = dir.path().join("other-ca.pem");
    std::fs::write(&other_ca, stranger.trust_anchor().unwrap().pem()).unwrap();
    let (code, out) = python_verify(&file, &other_ca);
    assert_eq!(code, 1, "{out}");
    let (code, out) = run_cli(
        &app,
        &[
            "evidence",
            "verify",
            "--ca",
            other_ca.to_str().unwrap(),
            file.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("is not signed by"), "{out}");

    // Staff who may work the case may download it too; another citizen may not.
    let operator = staff(&app, OPERATOR).await;
    assert_eq!(download(&operator, &link).await, jws);
    let (other, _) = app.register("someone-else@example.bg").await;
    assert_eq!(other.get(&link).await.status, StatusCode::NOT_FOUND);

    // Approved: the result document comes with a signed statement about it.
    let claim_page = operator.get(&format!("/office/cases/{id}")).await;
    let version = claim_page.attr("input[name=version]", "value").unwrap();
    operator
        .post_form(
            &format!("/office/cases/{id}/claim"),
            &[("version", &version)],
        )
        .await;
    for step in ["start_review", "approve"] {
        let done = transition(&app, &operator, &id, step, &[]).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{step}: {}", done.body);
    }
    let page = applicant.get(&format!("/applications/{id}")).await;
    let link = page.attr("#result-jws", "href").unwrap();
    let statement = download(&applicant, &link).await;
    let (status, _, document) = applicant
        .get_bytes(&format!("/applications/{id}/result"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let stated: serde_json::Value = serde_json::from_slice(&payload(&statement)).unwrap();
    assert_eq!(stated["application"], id.as_str());
    assert_eq!(stated["tracking_number"], number.as_str());
    assert_eq!(stated["decision"], "approved");
    assert!(stated["administration"]
        .as_str()
        .is_some_and(|a| !a.is_empty()));
    assert!(stated["issued_at"].as_str().is_some());
    assert_eq!(
        stated["document_sha256"],
        hex::encode(Sha256::digest(&document)).as_str(),
        "the statement names the document the applicant downloaded"
    );
    verify_everywhere(&app, dir.path(), "result", &statement).await;
}

#[tokio::test]
async fn evidence_verify_explains_itself() {
    let app = TestApp::start().await;
    let (code, out) = run_cli(&app, &["evidence", "verify", "--help"]).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("--ca"), "{out}");
    let missing = app.data_dir.path().join("nothing.jws");
    let (code, out) = run_cli(&app, &["evidence", "verify", missing.to_str().unwrap()]).await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("EVIDENCE NOT VALID: cannot read"), "{out}");
    let junk = app.data_dir.path().join("junk.jws");
    std::fs::write(&junk, "not a jws").unwrap();
    let (code, out) = run_cli(&app, &["evidence", "verify", junk.to_str().unwrap()]).await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("not a compact JWS"), "{out}");
}
