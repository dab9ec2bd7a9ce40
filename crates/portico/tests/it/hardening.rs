//! "Make what exists trustworthy": second factors asked for again, recovery codes salted.

use crate::support::{Client, TestApp};
use reqwest::StatusCode;
use sha2::{Digest, Sha256};

/// Enrols TOTP on the signed-in client; returns the secret and the recovery codes.
async fn enrol(app: &TestApp, client: &Client) -> (String, Vec<String>) {
    let setup = client.get("/account/totp").await;
    let secret = setup.texts("#totp-secret").pop().unwrap().replace(' ', "");
    let done = client
        .post_form("/account/totp", &[("code", &app.totp(&secret))])
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    (secret, done.texts("ul.code-list li"))
}

// Before the fix, a bare POST with the CSRF token removed the factor (303 and no row left).
#[tokio::test]
async fn removing_the_authenticator_app_asks_for_a_code_from_it_again() {
    let app = TestApp::start().await;
    let (client, _) = app.register("remove@example.bg").await;
    let (secret, _) = enrol(&app, &client).await;
    let account = client.get("/account").await;
    assert!(account
        .attr("form[action='/account/totp/remove'] input#code", "name")
        .is_some());
    let factors = "SELECT COUNT(*) FROM totp_factors WHERE confirmed_at IS NOT NULL";

    for code in ["", "000000"] {
        let refused = client
            .post_form("/account/totp/remove", &[("code", code)])
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{code:?}");
        assert_eq!(
            refused.texts(".error-summary a"),
            vec!["Кодът не е верен, изтекъл е или вече е използван"]
        );
        assert_eq!(app.count(factors).await, 1, "the factor stays");
    }

    app.advance(30);
    let removed = client
        .post_form("/account/totp/remove", &[("code", &app.totp(&secret))])
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.body);
    assert_eq!(removed.location(), "/account?done=totp_removed");
    assert_eq!(app.count(factors).await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM recovery_codes").await, 0);
    let page = client.get("/account?done=totp_removed").await;
    assert!(page
        .body
        .contains("Приложението за удостоверяване е премахнато."));
}

#[tokio::test]
async fn a_recovery_code_also_confirms_removing_the_authenticator_app() {
    let app = TestApp::start().await;
    let (client, _) = app.register("remove-rc@example.bg").await;
    let (_, codes) = enrol(&app, &client).await;
    let removed = client
        .post_form("/account/totp/remove", &[("code", &codes[3])])
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM totp_factors").await, 0);
}

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

// Before the fix, code_hash was the bare SHA-256 of the code: the same for every account,
// open to one precomputed table (the first assertion failed).
#[tokio::test]
async fn recovery_codes_are_hashed_with_a_salt_of_their_account() {
    let app = TestApp::start().await;
    let (first, _) = app.register("salt1@example.bg").await;
    let (_, codes) = enrol(&app, &first).await;
    for code in &codes {
        let bare = sha256_hex(&code.replace('-', ""));
        let n = app
            .count(&format!(
                "SELECT COUNT(*) FROM recovery_codes WHERE code_hash = '{bare}'"
            ))
            .await;
        assert_eq!(n, 0, "no row holds the unsalted hash");
    }
    let (second, _) = app.register("salt2@example.bg").await;
    enrol(&app, &second).await;
    assert_eq!(
        app.count("SELECT COUNT(DISTINCT salt) FROM recovery_codes WHERE salt IS NOT NULL")
            .await,
        2,
        "one salt per account"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM recovery_codes WHERE salt IS NULL")
            .await,
        0
    );
    // The salted codes still sign in, once each.
    first.sign_out().await;
    for expected in [StatusCode::SEE_OTHER, StatusCode::UNPROCESSABLE_ENTITY] {
        let other = app.client();
        other
            .sign_in_password("salt1@example.bg", crate::support::PASSWORD)
            .await;
        other.get("/login/second-factor").await;
        let page = other.post_form("/login/totp", &[("code", &codes[0])]).await;
        assert_eq!(page.status, expected);
    }
}

// Before the fix, the prefilled read-only LNCh was refused at submit as not a valid EGN/LNCh.
#[tokio::test]
async fn a_foreigner_with_an_lnch_submits_the_address_registration() {
    let app = crate::cases::seeded().await;
    let client = app.client();
    client.get("/register").await;
    let registered = client
        .post_form(
            "/register",
            &[
                ("personal_id_kind", "lnch"),
                ("personal_id", "1001045968"),
                ("given_name", "John"),
                ("family_name", "Smith"),
                ("email", "lnch@example.bg"),
                ("phone", "0888 123 457"),
                ("password", crate::support::PASSWORD),
                ("password_confirm", crate::support::PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        registered.status,
        StatusCode::SEE_OTHER,
        "{}",
        registered.body
    );
    let (secret, _) = enrol(&app, &client).await;
    app.advance(30);
    let id = crate::cases::fill_address_registration(&app, &client, None, "sredets").await;
    let page = crate::cases::submit(&app, &client, &id, &secret).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(page.location(), format!("/applications/{id}?submitted=1"));
}

// Before the fix, pages had no Cache-Control and no HSTS was sent over https.
#[tokio::test]
async fn pages_are_not_stored_and_https_sites_send_hsts() {
    let app = TestApp::start().await;
    let (client, _) = app.register("nostore@example.bg").await;
    let account = client.get("/account").await;
    assert_eq!(account.status, StatusCode::OK);
    assert_eq!(account.headers["cache-control"], "no-store");
    assert!(account.headers.get("strict-transport-security").is_none());
    let css = client.get("/static/portico.css").await;
    assert_eq!(css.headers["cache-control"], "public, max-age=3600");

    let https = TestApp::start_with(|c| c.base_url = "https://portico.example".into()).await;
    let page = https.client().get("/healthz").await;
    assert_eq!(
        page.headers["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
    assert_eq!(page.headers["cache-control"], "no-store");
}

// Before the fix, /metrics was open to anyone and /bench/bare was always served.
#[tokio::test]
async fn metrics_can_need_a_token_and_the_bench_route_needs_its_flag() {
    let app = TestApp::start_with(|c| c.metrics_token = Some("m".repeat(32))).await;
    let anonymous = app.client().get("/metrics").await;
    assert_eq!(anonymous.status, StatusCode::NOT_FOUND);
    let wrong = reqwest::Client::new()
        .get(format!("{}/metrics", app.base))
        .bearer_auth("nope")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::NOT_FOUND);
    let right = reqwest::Client::new()
        .get(format!("{}/metrics", app.base))
        .bearer_auth("m".repeat(32))
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), StatusCode::OK);
    assert_eq!(
        app.client().get("/bench/bare").await.status,
        StatusCode::NOT_FOUND
    );

    let bench = TestApp::start_with(|c| c.bench_routes = true).await;
    let bare = bench.client().get("/bench/bare").await;
    assert_eq!((bare.status, bare.body.as_str()), (StatusCode::OK, "ok"));
    assert_eq!(bench.client().get("/metrics").await.status, StatusCode::OK);
}

// Before the fix, an anonymous POST of several MiB was read whole before its CSRF check refused it.
#[tokio::test]
async fn a_large_post_without_a_session_is_refused_before_it_is_read() {
    let app = TestApp::start().await;
    let filler = "x".repeat(17 * 1024);
    let anonymous = app.client();
    anonymous.get("/login").await;
    let big = anonymous
        .post_form(
            "/login",
            &[("identifier", "a@example.bg"), ("filler", &filler)],
        )
        .await;
    assert_eq!(big.status, StatusCode::PAYLOAD_TOO_LARGE);
    let small = anonymous
        .post_form(
            "/login",
            &[("identifier", "a@example.bg"), ("password", "wrong")],
        )
        .await;
    assert_eq!(
        small.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        small.body
    );

    // A signed-in person's forms may be larger (attachments).
    let (client, _) = app.register("bigpost@example.bg").await;
    let signed_in = client
        .post_form("/account/totp", &[("code", "000000"), ("filler", &filler)])
        .await;
    assert_eq!(signed_in.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// Runs `portico serve` with `env` on a free port; returns its exit code and output, or `None`
/// if it was still running after a few seconds (it started; it is then stopped).
fn serve_briefly(app: &TestApp, env: &[(&str, &str)]) -> Option<(i32, String)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_portico"));
    command
        .arg("serve")
        .env("DATABASE_URL", &app.db_url)
        .env("PORTICO_DATA_DIR", app.data_dir.path())
        .env("PORTICO_LISTEN", format!("127.0.0.1:{port}"))
        .env("PORTICO_LOG", "error")
        .env_remove("PORTICO_SMTP_URL")
        .env_remove("PORTICO_SMS_URL")
        .env_remove("PORTICO_DEV_SINKS")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::time::Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            return Some((status.code().unwrap_or(-1), text));
        }
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    None
}

// Before the fix, `serve` without SMTP and SMS settings quietly wrote sign-in codes to files.
#[tokio::test]
async fn serve_refuses_to_start_without_smtp_and_sms_unless_told_to_use_files() {
    let app = TestApp::start().await;
    let (code, text) = serve_briefly(&app, &[]).expect("serve stops at once");
    assert_ne!(code, 0);
    assert!(
        text.contains("PORTICO_SMTP_URL and PORTICO_SMS_URL not set"),
        "{text}"
    );
    let (code, text) = serve_briefly(&app, &[("PORTICO_SMTP_URL", "smtp://127.0.0.1:2525")])
        .expect("serve stops at once");
    assert_ne!(code, 0);
    assert!(text.contains("PORTICO_SMS_URL not set"), "{text}");
    assert!(!text.contains("PORTICO_SMTP_URL"), "{text}");
    assert_eq!(
        serve_briefly(&app, &[("PORTICO_DEV_SINKS", "true")]),
        None,
        "with the development flag it serves"
    );
}

// Before the fix, /services/{slug}/apply started a draft of an unpublished service.
#[tokio::test]
async fn an_unpublished_service_cannot_be_started() {
    let app = crate::cases::seeded().await;
    let (client, _, _) = crate::cases::citizen(&app, "unpublished@example.bg").await;
    let before = app.count("SELECT COUNT(*) FROM applications").await;
    sqlx::query(
        "UPDATE services SET published_at = NULL WHERE slug = 'address-registration-sofia'",
    )
    .execute(app.db.pool())
    .await
    .unwrap();
    let page = client
        .get("/services/address-registration-sofia/apply")
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(app.count("SELECT COUNT(*) FROM applications").await, before);
}

// Before the fix, a session lasted its 12 hours however long it went without a request.
#[tokio::test]
async fn a_session_ends_after_thirty_minutes_without_a_request() {
    let app = TestApp::start().await;
    let (client, _) = app.register("idle@example.bg").await;
    // Requests keep it alive: 25 minutes, a request, 25 minutes more.
    app.advance(25 * 60);
    assert_eq!(client.get("/account").await.status, StatusCode::OK);
    app.advance(25 * 60);
    assert_eq!(client.get("/account").await.status, StatusCode::OK);
    app.advance(30 * 60);
    let idle = client.get("/account").await;
    assert_eq!(idle.status, StatusCode::SEE_OTHER);
    assert_eq!(idle.location(), "/login?next=%2Faccount");

    let short = TestApp::start_with(|c| c.idle_timeout_minutes = 5).await;
    let (client, _) = short.register("idle5@example.bg").await;
    short.advance(4 * 60);
    assert_eq!(client.get("/account").await.status, StatusCode::OK);
    short.advance(5 * 60);
    assert_eq!(client.get("/account").await.status, StatusCode::SEE_OTHER);
}

/// A page does not fail, nor wait out the writer, because it cannot record that its session was
/// seen: here the writer is held by a long transaction (on SQLite, as a large file's load step
/// holds it), and the signed-in page still answers; a later request records the visit.
#[tokio::test]
async fn a_page_answers_while_the_writer_is_busy_and_a_later_request_records_the_visit() {
    let app = TestApp::start().await;
    let (client, _) = app.register("busy-writer@example.bg").await;
    let seen = || async {
        let (at,): (Option<i64>,) = sqlx::query_as(
            "SELECT s.last_seen_at FROM sessions s JOIN accounts a ON a.id = s.account_id \
             WHERE a.email = 'busy-writer@example.bg' ORDER BY s.created_at DESC LIMIT 1",
        )
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        at
    };
    let before = seen().await;
    app.advance(5 * 60);
    let mut held = app.db.begin().await.unwrap();
    sqlx::query("UPDATE sessions SET last_seen_at = last_seen_at WHERE id = 'nobody'")
        .execute(&mut *held)
        .await
        .unwrap();
    let page = client.get("/account").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    held.rollback().await.unwrap();
    assert_eq!(client.get("/account").await.status, StatusCode::OK);
    let after = seen().await;
    assert!(after > before, "{after:?} after {before:?}");
}

/// Starts the flagship service and fills it up to the documents step; returns (id, step path).
async fn at_documents_step(app: &TestApp, client: &Client) -> (String, String) {
    let start = client
        .get("/services/address-registration-sofia/apply")
        .await;
    let id = start.location().split('/').nth(2).unwrap().to_owned();
    client
        .post_form(
            &format!("/applications/{id}/step/0"),
            &[("include_children", "no")],
        )
        .await;
    let address: (String,) = sqlx::query_as(
        "SELECT code FROM nomenclature_entries WHERE nomenclature = 'sofia_addresses' ORDER BY code LIMIT 1",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let step1 = client
        .post_form(
            &format!("/applications/{id}/step/1"),
            &[
                ("address_kind", "current"),
                ("address", &address.0),
                ("owns_home", "yes"),
            ],
        )
        .await;
    let step = format!("/applications/{id}/step/2");
    assert_eq!(step1.location(), step, "{}", step1.body);
    (id, step)
}

// Before the fix, an HTML page posted as application/pdf was stored and offered for download.
#[tokio::test]
async fn a_file_whose_content_is_not_its_declared_type_is_refused() {
    let app = crate::cases::seeded().await;
    let (client, _, _) = crate::cases::citizen(&app, "mislabelled@example.bg").await;
    let (_, step) = at_documents_step(&app, &client).await;
    let fake = client
        .post_file(
            &step,
            "ownership_document",
            "deed.pdf",
            "application/pdf",
            b"<html><script>x</script></html>".to_vec(),
        )
        .await;
    assert_eq!(fake.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = fake.texts(".error-summary a");
    assert_eq!(errors.len(), 1, "{}", fake.body);
    assert!(
        errors[0].starts_with("Съдържанието на избрания файл не е "),
        "{errors:?}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM attachments").await, 0);
}

// Before the fix, the id of another application's attachment, posted as the field's value, was
// taken into this draft's answers (and shown to its operator).
#[tokio::test]
async fn an_attachment_of_another_application_cannot_be_named() {
    let app = crate::cases::seeded().await;
    let (owner, _, _) = crate::cases::citizen(&app, "owner-files@example.bg").await;
    let (_, step) = at_documents_step(&app, &owner).await;
    let ok = owner
        .post_file(
            &step,
            "ownership_document",
            "deed.pdf",
            "application/pdf",
            b"%PDF-1.4\n%test\n".to_vec(),
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let (theirs,): (String,) = sqlx::query_as("SELECT id FROM attachments")
        .fetch_one(app.db.pool())
        .await
        .unwrap();

    let (other, _, _) = crate::cases::citizen(&app, "borrower@example.bg").await;
    let (id, step) = at_documents_step(&app, &other).await;
    other
        .post_form(&step, &[("ownership_document", &theirs)])
        .await;
    let (data,): (String,) = sqlx::query_as("SELECT data FROM applications WHERE id = $1")
        .bind(&id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert!(!data.contains(&theirs), "{data}");
}

// Before the fix, a second upload to a one-file field was refused as too many files, and the
// first file could not be replaced.
#[tokio::test]
async fn a_new_upload_to_a_one_file_field_replaces_the_old_one() {
    let app = crate::cases::seeded().await;
    let (client, _, _) = crate::cases::citizen(&app, "replace@example.bg").await;
    let (id, step) = at_documents_step(&app, &client).await;
    for name in ["first.pdf", "second.pdf"] {
        client.get(&step).await;
        let done = client
            .post_file(
                &step,
                "ownership_document",
                name,
                "application/pdf",
                format!("%PDF-1.4\n%{name}\n").into_bytes(),
            )
            .await;
        assert_eq!(
            done.location(),
            format!("/applications/{id}/review"),
            "{}",
            done.body
        );
    }
    let (n, filename): (i64, String) =
        sqlx::query_as("SELECT COUNT(*), MAX(filename) FROM attachments WHERE application_id = $1")
            .bind(&id)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!((n, filename.as_str()), (1, "second.pdf"));
    let review = client.get(&format!("/applications/{id}/review")).await;
    let values = review.texts(".summary-list__value");
    assert!(values.contains(&"second.pdf".to_owned()), "{values:?}");
    assert!(!values.contains(&"first.pdf".to_owned()), "{values:?}");
}

async fn stored_totp_secret(app: &TestApp) -> String {
    let (secret,): (String,) = sqlx::query_as("SELECT secret FROM totp_factors")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    secret
}

/// Signs in with the password and a code from the authenticator app.
async fn sign_in_with_totp(app: &TestApp, email: &str, secret: &str) -> StatusCode {
    let client = app.client();
    client
        .sign_in_password(email, crate::support::PASSWORD)
        .await;
    app.advance(30);
    let done = client
        .post_form("/login/totp", &[("code", &app.totp(secret))])
        .await;
    assert_eq!(client.get("/account").await.status, StatusCode::OK);
    done.status
}

// Before the fix, the row held the base32 secret the page shows.
#[tokio::test]
async fn an_authenticator_secret_is_stored_encrypted() {
    let app = TestApp::start().await;
    let (client, _) = app.register("sealed@example.bg").await;
    let (secret, _) = enrol(&app, &client).await;
    assert_eq!(secret.len(), 32, "{secret}");
    let stored = stored_totp_secret(&app).await;
    assert!(stored.starts_with("enc1:"), "{stored}");
    assert!(!stored.contains(&secret), "{stored}");
    // Nothing in the row is a base32 secret (letters A–Z and digits 2–7 only, 16 or more).
    let base32_run = stored
        .split(|c: char| !(c.is_ascii_uppercase() || ('2'..='7').contains(&c)))
        .map(str::len)
        .max()
        .unwrap_or(0);
    assert!(base32_run < 16, "{stored}");
    client.sign_out().await;
    assert_eq!(
        sign_in_with_totp(&app, "sealed@example.bg", &secret).await,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_secret_stored_before_encryption_still_signs_in_and_is_then_sealed() {
    let app = TestApp::start().await;
    let (client, _) = app.register("legacy@example.bg").await;
    let (secret, _) = enrol(&app, &client).await;
    client.sign_out().await;
    // As a row written by the code before encryption.
    sqlx::query("UPDATE totp_factors SET secret = $1")
        .bind(&secret)
        .execute(app.db.pool())
        .await
        .unwrap();
    assert_eq!(
        sign_in_with_totp(&app, "legacy@example.bg", &secret).await,
        StatusCode::SEE_OTHER
    );
    let stored = stored_totp_secret(&app).await;
    assert!(
        stored.starts_with("enc1:") && !stored.contains(&secret),
        "{stored}"
    );
    assert_eq!(
        sign_in_with_totp(&app, "legacy@example.bg", &secret).await,
        StatusCode::SEE_OTHER
    );
}

// Before the fix, each file of the POST was stored as it was read: two files for a one-file
// field left one attachment behind (and two blobs).
#[tokio::test]
async fn two_files_for_a_one_file_field_are_refused_and_neither_is_stored() {
    let app = crate::cases::seeded().await;
    let (client, _, _) = crate::cases::citizen(&app, "two-files@example.bg").await;
    let (id, step) = at_documents_step(&app, &client).await;
    client.get(&step).await;
    let pdf = |name: &str| {
        reqwest::multipart::Part::bytes(format!("%PDF-1.4\n%{name}\n").into_bytes())
            .file_name(name.to_owned())
            .mime_str("application/pdf")
            .unwrap()
    };
    let form = reqwest::multipart::Form::new()
        .part("ownership_document", pdf("one.pdf"))
        .part("ownership_document", pdf("two.pdf"));
    let refused = client.post_multipart(&step, form).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert_eq!(
        refused.texts(".error-summary a"),
        vec!["„Документ за собственост или договор за наем (по желание)“: най-много 1"]
    );
    let stored =
        sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM attachments WHERE application_id = $1")
            .bind(&id)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(stored.0, 0);
    let blobs = app.data_dir.path().join("blobs");
    let files = std::fs::read_dir(&blobs).map(|d| d.count()).unwrap_or(0);
    assert_eq!(files, 0, "no blob was written to {}", blobs.display());
}

// Before the fix, consents were matched on the ten digits alone: the holder of the LNCh
// 7103101069 saw and could answer a consent asked of the EGN 7103101069.
#[tokio::test]
async fn an_lnch_never_answers_a_consent_asked_of_the_same_digits_as_an_egn() {
    const DIGITS: &str = "7103101069";
    assert!(portico_core::PersonalId::parse_egn(DIGITS).is_ok());
    assert!(portico_core::PersonalId::parse_lnch(DIGITS).is_ok());
    let app = crate::cases::seeded().await;
    let foreigner = app.client();
    foreigner.get("/register").await;
    let registered = foreigner
        .post_form(
            "/register",
            &[
                ("personal_id_kind", "lnch"),
                ("personal_id", DIGITS),
                ("given_name", "John"),
                ("family_name", "Smith"),
                ("email", "same-digits@example.bg"),
                ("phone", "0888 123 458"),
                ("password", crate::support::PASSWORD),
                ("password_confirm", crate::support::PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        registered.status,
        StatusCode::SEE_OTHER,
        "{}",
        registered.body
    );

    let (applicant, _, secret) = crate::cases::citizen(&app, "asks-egn@example.bg").await;
    let id =
        crate::cases::fill_address_registration(&app, &applicant, Some(DIGITS), "sredets").await;
    let submitted = crate::cases::submit(&app, &applicant, &id, &secret).await;
    assert_eq!(
        submitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        submitted.body
    );
    let (consent, kind): (String, String) =
        sqlx::query_as("SELECT id, personal_id_kind FROM consents WHERE application_id = $1")
            .bind(&id)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(kind, "egn");

    let list = foreigner.get("/consents").await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(
        list.attr("main a[href^='/consents/']", "href"),
        None,
        "{}",
        list.body
    );
    assert_eq!(
        foreigner.get(&format!("/consents/{consent}")).await.status,
        StatusCode::NOT_FOUND
    );
    let answered = foreigner
        .post_form(&format!("/consents/{consent}"), &[("decision", "give")])
        .await;
    assert_eq!(answered.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM consents WHERE decided_at IS NOT NULL")
            .await,
        0
    );
}

// Item 6 of the hardening issue: no transaction that holds a write lock waits for a second pool
// connection or for the blob store, so ten approvals at once on a pool of two all finish.
#[tokio::test]
async fn ten_approvals_at_once_on_a_pool_of_two_connections_all_finish() {
    use crate::cases::{citizen, fill_address_registration, staff, state_of, submit, OPERATOR};
    let app = TestApp::start_with(|c| c.db_max_connections = 2).await;
    portico::demo::seed(&app.db, &app.clock).await.unwrap();
    let (applicant, _, secret) = citizen(&app, "ten-at-once@example.bg").await;
    let mut ids = Vec::new();
    for _ in 0..10 {
        let id = fill_address_registration(&app, &applicant, None, "sredets").await;
        let submitted = submit(&app, &applicant, &id, &secret).await;
        assert_eq!(
            submitted.status,
            StatusCode::SEE_OTHER,
            "{}",
            submitted.body
        );
        ids.push(id);
    }
    // Each approval from its own signed-in operator session, the case claimed and under review.
    let mut ready = Vec::new();
    for id in &ids {
        let operator = staff(&app, OPERATOR).await;
        let case = operator.get(&format!("/office/cases/{id}")).await;
        let version = case.attr("input[name=version]", "value").unwrap();
        let claimed = operator
            .post_form(
                &format!("/office/cases/{id}/claim"),
                &[("version", &version)],
            )
            .await;
        assert_eq!(claimed.status, StatusCode::SEE_OTHER, "{}", claimed.body);
        let review = crate::cases::transition(&app, &operator, id, "start_review", &[]).await;
        assert_eq!(review.status, StatusCode::SEE_OTHER, "{}", review.body);
        let case = operator.get(&format!("/office/cases/{id}")).await;
        let version = case.attr("input[name=version]", "value").unwrap();
        ready.push((id.clone(), operator, version));
    }
    let mut approvals = tokio::task::JoinSet::new();
    for (id, operator, version) in ready {
        approvals.spawn(async move {
            operator
                .post_form(
                    &format!("/office/cases/{id}/transition"),
                    &[
                        ("transition", "approve"),
                        ("version", version.as_str()),
                        ("confirmed", "yes"),
                    ],
                )
                .await
                .status
        });
    }
    let statuses = tokio::time::timeout(std::time::Duration::from_secs(60), approvals.join_all())
        .await
        .expect("ten approvals finish within a minute");
    assert_eq!(statuses, vec![StatusCode::SEE_OTHER; 10]);
    for id in &ids {
        assert_eq!(state_of(&app, id).await, "approved");
    }
}
