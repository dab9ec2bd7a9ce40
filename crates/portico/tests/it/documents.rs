//! The result a person receives is a PDF (read here by poppler's `pdftotext`, a tool written
//! apart from Portico), with the platform's JWS over its SHA-256 (checked by Python's jwcrypto
//! and openssl) and a verification link to a public page where anyone checks a copy; a changed
//! byte fails there. Results issued as plain text before PDFs still download and verify.
//! Missing `pdftotext` (Debian's poppler-utils), python3, jwcrypto or openssl fail this test:
//! `scripts/test` installs them.

use crate::cases::{
    citizen, fill_address_registration, seeded, staff, submit, transition, OPERATOR,
};
use crate::evidence::{download, payload, verify_everywhere};
use crate::support::{Client, TestApp};
use portico_core::Clock;
use reqwest::StatusCode;
use sha2::{Digest, Sha256};

/// A citizen's address registration in Sredets, submitted and approved; returns the applicant,
/// the application id and its tracking number.
async fn approved(app: &TestApp, email: &str) -> (Client, String, String) {
    let (applicant, _, secret) = citizen(app, email).await;
    let id = fill_address_registration(app, &applicant, None, "sredets").await;
    let submitted = submit(app, &applicant, &id, &secret).await;
    assert_eq!(
        submitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        submitted.body
    );
    let number = applicant
        .get(&format!("/applications/{id}"))
        .await
        .texts("#tracking-number")
        .pop()
        .unwrap();
    let operator = staff(app, OPERATOR).await;
    let case = operator.get(&format!("/office/cases/{id}")).await;
    let version = case.attr("input[name=version]", "value").unwrap();
    operator
        .post_form(
            &format!("/office/cases/{id}/claim"),
            &[("version", &version)],
        )
        .await;
    for step in ["start_review", "approve"] {
        let done = transition(app, &operator, &id, step, &[]).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{step}: {}", done.body);
    }
    (applicant, id, number)
}

/// The text of a PDF as poppler's pdftotext reads it.
pub(crate) fn pdftotext(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("result.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8", "-layout"])
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (Debian's poppler-utils) must be installed to run this test");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Posts a file to the public check, as a stranger would from the page (with `code` when
/// comparing with a code's document); returns the verdict's `data-verdict` and the page.
async fn check(
    client: &Client,
    code: Option<&str>,
    file: Vec<u8>,
) -> (String, crate::support::Page) {
    let from = code.map_or("/documents".to_owned(), |c| format!("/documents/{c}"));
    client.get(&from).await;
    let fields: Vec<(&str, &str)> = code.map(|c| ("code", c)).into_iter().collect();
    let page = client
        .post_file_with(
            "/documents/check",
            &fields,
            "document",
            "result.pdf",
            "application/pdf",
            file,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let verdict = page.attr("#verdict", "data-verdict").unwrap_or_default();
    (verdict, page)
}

#[tokio::test]
async fn the_result_is_a_signed_pdf_that_anyone_can_check() {
    let app = seeded().await;
    let (applicant, id, number) = approved(&app, "pdf@example.bg").await;

    // The application page offers the PDF and says where anyone can check it.
    let page = applicant.get(&format!("/applications/{id}")).await;
    assert_eq!(
        page.attr("#result-check", "href").as_deref(),
        Some("/documents")
    );
    let (status, headers, pdf) = applicant
        .get_bytes(&format!("/applications/{id}/result"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers.get("content-type").unwrap(), "application/pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    if let Ok(path) = std::env::var("PORTICO_TEST_KEEP_PDF") {
        std::fs::write(path, &pdf).unwrap();
    }

    // What it says, read by an independent tool: the administration, the decision, its legal
    // basis, the date and the case number, in Bulgarian and then in English.
    let text = pdftotext(&pdf);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "Столична община",
        "Sofia Municipality",
        "РЕШЕНИЕ по заявление №",
        "Решение Одобрено",
        "Decision Approved",
        "Закон за гражданската регистрация",
        "Civil Registration Act",
        number.as_str(),
        "Адресна регистрация",
        "ул. Шипка 6, София",
    ] {
        assert!(
            flat.contains(expected),
            "{expected:?} is not in the PDF:\n{text}"
        );
    }
    let today = portico_core::calendar::sofia_local(app.clock.now())
        .format("%d.%m.%Y")
        .to_string();
    assert!(
        flat.contains(&format!("Дата на решението {today} г.")),
        "{text}"
    );
    let link = format!("{}/documents/", app.base);
    let at = flat
        .find(&link)
        .unwrap_or_else(|| panic!("no verification link in:\n{text}"));
    let code: String = flat[at + link.len()..].chars().take(19).collect();
    assert_eq!(
        portico_cases::service::results::normalise_code(&code),
        Some(code.clone())
    );

    // The signed statement names exactly these bytes and this code, and verifies with jwcrypto.
    let jws = download(&applicant, &format!("/applications/{id}/result.jws")).await;
    let stated: serde_json::Value = serde_json::from_slice(&payload(&jws)).unwrap();
    assert_eq!(
        stated["document_sha256"],
        hex::encode(Sha256::digest(&pdf)).as_str()
    );
    assert_eq!(stated["document_media_type"], "application/pdf");
    assert_eq!(stated["verification_code"], code.as_str());
    assert_eq!(stated["tracking_number"], number.as_str());
    let dir = tempfile::tempdir().unwrap();
    verify_everywhere(&app, dir.path(), "result", &jws).await;

    // Anyone, signed in or not, follows the link and sees what was issued, not who to.
    let stranger = app.client();
    let shown = stranger.get(&format!("/documents/{code}")).await;
    assert_eq!(shown.status, StatusCode::OK);
    let issued = shown.texts("#issued").join(" ");
    for expected in [
        "Столична община",
        number.as_str(),
        "Одобрено",
        code.as_str(),
    ] {
        assert!(issued.contains(expected), "{expected}: {issued}");
    }
    // (Every test citizen is Иван Петров: the PDF names him, the public page does not.)
    assert!(flat.contains("Иван Петров"), "{text}");
    assert!(!shown.body.contains("Петров"), "the page names the person");
    // Typed by hand, lower case with spaces, it leads to the same page.
    let typed = stranger
        .get(&format!(
            "/documents?code={}",
            code.to_lowercase().replace('-', "+")
        ))
        .await;
    assert_eq!(typed.location(), format!("/documents/{code}"));

    // The file itself is genuine, with the code and without it.
    assert_eq!(
        check(&stranger, Some(&code), pdf.clone()).await.0,
        "genuine"
    );
    assert_eq!(check(&stranger, None, pdf.clone()).await.0, "genuine");
    // One changed byte: not the document of the code, and not a document at all.
    let mut changed = pdf.clone();
    let middle = changed.len() / 2;
    changed[middle] ^= 0x01;
    let (verdict, page) = check(&stranger, Some(&code), changed.clone()).await;
    assert_eq!(verdict, "altered", "{}", page.body);
    assert_eq!(check(&stranger, None, changed).await.0, "not-issued");

    // An unknown code, and a post without a file.
    let unknown = stranger.get("/documents/2345-6789-ABCD-EFGH").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(!unknown.texts("#unknown-code").is_empty());
    stranger.get("/documents").await;
    let empty = stranger
        .post_file_with(
            "/documents/check",
            &[],
            "document",
            "",
            "application/pdf",
            Vec::new(),
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        empty.attr(".error-summary a", "href").as_deref(),
        Some("#document")
    );
    // The form needs its CSRF token like every other.
    let forged = app.client();
    let refused = forged
        .post_file_with(
            "/documents/check",
            &[],
            "document",
            "r.pdf",
            "application/pdf",
            pdf,
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_result_issued_as_text_before_pdfs_still_downloads_and_verifies() {
    let app = seeded().await;
    let (applicant, id, number) = approved(&app, "old-result@example.bg").await;

    // What earlier versions issued: a plain-text document and a statement without a media type
    // or code, signed by the same platform key.
    let old = format!("РЕЗУЛТАТ ОТ АДМИНИСТРАТИВНА УСЛУГА\nЗаявление №: {number}\n").into_bytes();
    let blobs =
        portico_store::BlobStore::from_url(app.data_dir.path().join("blobs").to_str().unwrap())
            .unwrap();
    let blob = blobs.put(old.clone().into()).await.unwrap();
    let key = portico_audit::SigningKey::load_or_create(app.data_dir.path())
        .unwrap()
        .with_chain_in(app.data_dir.path(), app.clock.now())
        .unwrap();
    let jws = key
        .sign_jws(&serde_json::json!({
            "type": "portico.result",
            "application": id,
            "tracking_number": number,
            "decision": "approved",
            "document_sha256": hex::encode(Sha256::digest(&old)),
        }))
        .unwrap();
    let mut tx = app.db.begin().await.unwrap();
    sqlx::query("UPDATE applications SET result_blob = $1 WHERE id = $2")
        .bind(&blob)
        .bind(&id)
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query(
        "UPDATE result_evidence SET document_sha256 = $1, jws = $2, media_type = NULL, verification_code = NULL WHERE application_id = $3",
    )
    .bind(hex::encode(Sha256::digest(&old)))
    .bind(&jws)
    .bind(&id)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let (status, headers, bytes) = applicant
        .get_bytes(&format!("/applications/{id}/result"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers.get("content-type").unwrap(),
        "text/plain; charset=utf-8"
    );
    assert!(headers
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap()
        .contains(&format!("result-{number}.txt")));
    assert_eq!(bytes, old);
    let stranger = app.client();
    assert_eq!(check(&stranger, None, old.clone()).await.0, "genuine");
    let mut changed = old;
    changed[0] ^= 0x01;
    assert_eq!(check(&stranger, None, changed).await.0, "not-issued");
}

#[tokio::test]
async fn the_deadline_is_the_legal_one_throughout_and_says_when_it_is_paused() {
    let app = seeded().await;
    let (applicant, _, secret) = citizen(&app, "deadline@example.bg").await;
    let id = fill_address_registration(&app, &applicant, None, "sredets").await;
    let submitted = submit(&app, &applicant, &id, &secret).await;
    let receipt = applicant.get(submitted.location()).await;
    let promised = receipt.texts("#receipt-deadline").pop().unwrap();
    assert!(!promised.is_empty());
    assert_eq!(receipt.texts("#legal-deadline"), vec![promised.clone()]);

    let operator = staff(&app, OPERATOR).await;
    let case = operator.get(&format!("/office/cases/{id}")).await;
    let version = case.attr("input[name=version]", "value").unwrap();
    operator
        .post_form(
            &format!("/office/cases/{id}/claim"),
            &[("version", &version)],
        )
        .await;
    let done = transition(&app, &operator, &id, "start_review", &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    // Review started: the same legal deadline, nothing paused.
    let page = applicant.get(&format!("/applications/{id}")).await;
    assert_eq!(page.texts("#legal-deadline"), vec![promised.clone()]);
    assert!(page.texts("#deadline-paused").is_empty());
    // Waiting for the applicant: the page says the deadline stops running.
    let asked = transition(
        &app,
        &operator,
        &id,
        "request_information",
        &[("message", "Моля, приложете договор за наем.")],
    )
    .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
    let page = applicant.get(&format!("/applications/{id}")).await;
    assert_eq!(page.texts("#legal-deadline"), vec![promised]);
    assert_eq!(
        page.texts("#deadline-paused"),
        vec!["Срокът спира да тече, докато администрацията чака вашия отговор, и продължава, когато отговорите."]
    );
}

/// Item 4 of issue 7: roles were shown as code (`administration_admin`).
#[tokio::test]
async fn the_account_page_names_roles_in_words_not_code() {
    let app = seeded().await;
    let admin = staff(&app, "admin@sofia.portico.demo").await;
    let account = admin.get("/account").await;
    assert_eq!(account.status, StatusCode::OK);
    let roles = account.texts("main .tag");
    assert!(
        roles
            .iter()
            .any(|r| r == "Администратор на администрацията"),
        "{roles:?}"
    );
    assert!(!account.body.contains("administration_admin"), "{roles:?}");
}
