//! Sign-in through an external eID provider (Portico as the OpenID Connect relying party),
//! against a real, independently written provider on loopback: panva's `oidc-provider` from npm
//! (`tests/oidc-op/op.mjs`, started by each test). Only its login screen is the test's: the
//! test says who signs in; discovery, JWKS, PKCE, codes, ID tokens and userinfo are the
//! provider's own. A misbehaving provider (another nonce, audience, issuer, a changed payload) is
//! the same provider re-signing its ID token once with its own key.

use crate::support::{fresh_egn, Client, TestApp};
use portico_identity::service::eid::ProviderConfig;
use reqwest::StatusCode;
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;

const SECRET: &str = "a-client-secret-of-the-test-provider";

fn op_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/oidc-op")
}

/// `npm ci` once per test run when the provider's packages are not installed.
fn install_once() {
    static DONE: Mutex<bool> = Mutex::new(false);
    let mut done = DONE.lock().unwrap_or_else(|e| e.into_inner());
    if *done || op_dir().join("node_modules/oidc-provider").exists() {
        *done = true;
        return;
    }
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(op_dir())
        .status()
        .expect("npm (Node.js) is needed for the eID tests");
    assert!(status.success(), "npm ci in tests/oidc-op failed");
    *done = true;
}

/// The provider's process; stopped when the test ends.
struct Op {
    issuer: String,
    child: Child,
}

impl Drop for Op {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Op {
    /// Starts the provider with Portico (`base`) as its clients `portico` (RS256) and
    /// `portico-es` (ES256), and these people.
    fn start(base: &str, accounts: serde_json::Value) -> Op {
        install_once();
        let client = |id: &str, provider: &str, alg: &str| {
            json!({
                "client_id": id,
                "client_secret": SECRET,
                "redirect_uris": [format!("{base}/login/eid/{provider}/callback")],
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
                "id_token_signed_response_alg": alg,
            })
        };
        let clients = json!([
            client("portico", "test", "RS256"),
            client("portico-es", "test-es", "ES256")
        ]);
        let mut child = Command::new("node")
            .arg("op.mjs")
            .current_dir(op_dir())
            .env("OP_CLIENTS", clients.to_string())
            .env("OP_ACCOUNTS", accounts.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node is needed for the eID tests");
        let mut line = String::new();
        let mut out = BufReader::new(child.stdout.take().expect("stdout"));
        out.read_line(&mut line).expect("the provider's first line");
        // Drained until the provider ends, so that it never writes into a closed pipe.
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        let issuer = line
            .trim()
            .strip_prefix("listening ")
            .unwrap_or_else(|| panic!("the provider did not start: {line:?}"))
            .to_owned();
        Op { issuer, child }
    }

    fn providers(&self) -> Vec<ProviderConfig> {
        let issuer = self.issuer.clone();
        let get = move |name: &str| -> Option<String> {
            Some(match name {
                "PORTICO_OIDC_PROVIDERS" => "test,test-es".into(),
                "PORTICO_OIDC_TEST_ISSUER" | "PORTICO_OIDC_TEST_ES_ISSUER" => issuer.clone(),
                "PORTICO_OIDC_TEST_CLIENT_ID" => "portico".into(),
                "PORTICO_OIDC_TEST_ES_CLIENT_ID" => "portico-es".into(),
                "PORTICO_OIDC_TEST_CLIENT_SECRET" | "PORTICO_OIDC_TEST_ES_CLIENT_SECRET" => {
                    SECRET.into()
                }
                "PORTICO_OIDC_TEST_SCOPES" | "PORTICO_OIDC_TEST_ES_SCOPES" => {
                    "openid profile email person".into()
                }
                "PORTICO_OIDC_TEST_ACR_VALUES" | "PORTICO_OIDC_TEST_ES_ACR_VALUES" => {
                    "http://eidas.europa.eu/LoA/high http://eidas.europa.eu/LoA/substantial http://eidas.europa.eu/LoA/low".into()
                }
                "PORTICO_OIDC_TEST_LABEL_BG" => "Вход с тестова еИД".into(),
                "PORTICO_OIDC_TEST_LABEL_EN" => "Sign in with test eID".into(),
                _ => return None,
            })
        };
        ProviderConfig::from_env(get).expect("providers")
    }

    async fn post(&self, path: &str, body: serde_json::Value) {
        let response = reqwest::Client::new()
            .post(format!("{}{path}", self.issuer))
            .json(&body)
            .send()
            .await
            .expect("provider");
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
    }

    /// The next person to sign in at the provider, and the eIDAS level it vouches for.
    async fn next_login(&self, sub: &str, level: &str) {
        self.post(
            "/_test/login",
            json!({ "sub": sub, "acr": format!("http://eidas.europa.eu/LoA/{level}") }),
        )
        .await;
    }
}

/// A Portico whose sign-in page offers the test provider (twice: RS256 and ES256 clients).
async fn start(accounts: serde_json::Value) -> (TestApp, Op) {
    let mut op = None;
    let app = TestApp::start_with(|config| {
        let started = Op::start(&config.base_url, accounts);
        config.oidc_providers = started.providers();
        op = Some(started);
    })
    .await;
    (app, op.expect("provider"))
}

fn person(egn: &str, given: &str, mailbox: &str) -> serde_json::Value {
    json!({
        "person_identifier": format!("PNOBG-{egn}"),
        "given_name": given,
        "family_name": "Тестова",
        "email": format!("{mailbox}@eid.example"),
        "email_verified": true,
    })
}

/// Begins a sign-in with `provider` in `browser` and follows the provider's redirects (login and
/// consent finished by the provider for the person it was told about) up to the moment the
/// browser would come back to Portico: returns that callback's path and query.
async fn to_callback(app: &TestApp, op: &Op, browser: &Client, provider: &str) -> String {
    browser.get("/login").await;
    let page = browser
        .post_form(&format!("/login/eid/{provider}"), &[("next", "")])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let location = page.location().to_owned();
    assert!(
        location.starts_with(&format!("{}/auth?", op.issuer)),
        "{location}"
    );
    assert!(
        location.contains("code_challenge_method=S256"),
        "{location}"
    );
    follow_to_portico(app, op, browser, location).await
}

/// Follows the provider's redirects from `location` until the browser would come back to
/// Portico: returns that callback's path and query.
async fn follow_to_portico(
    app: &TestApp,
    op: &Op,
    browser: &Client,
    mut location: String,
) -> String {
    for _ in 0..10 {
        if let Some(path) = location.strip_prefix(&app.base) {
            return path.to_owned();
        }
        let path = location
            .strip_prefix(&op.issuer)
            .map(str::to_owned)
            .unwrap_or_else(|| location.clone());
        assert!(path.starts_with('/'), "unexpected redirect {location}");
        let page = browser.at(&op.issuer).get(&path).await;
        assert!(
            page.status.is_redirection(),
            "the provider answered {} at {path}: {}",
            page.status,
            page.body
        );
        location = page.location().to_owned();
    }
    panic!("the provider never sent the browser back");
}

fn reason(page: &crate::support::Page) -> String {
    page.attr("#eid-refused-reason", "data-reason")
        .unwrap_or_else(|| format!("no reason on a {} page: {}", page.status, page.body))
}

fn replace_param(path: &str, name: &str, value: &str) -> String {
    let (base, query) = path.split_once('?').expect("query");
    let pairs: Vec<String> = query
        .split('&')
        .map(|p| {
            if p.starts_with(&format!("{name}=")) {
                format!("{name}={value}")
            } else {
                p.to_owned()
            }
        })
        .collect();
    format!("{base}?{}", pairs.join("&"))
}

#[tokio::test]
async fn the_sign_in_page_offers_the_configured_providers_in_both_languages() {
    let (app, _op) = start(json!({})).await;
    let browser = app.client();
    let page = browser.get("/login").await;
    assert_eq!(
        page.texts("#eid-test"),
        vec!["Вход с тестова еИД".to_owned()]
    );
    assert_eq!(page.texts("#eid-test-es"), vec!["test-es".to_owned()]);
    assert!(page
        .attr("form[action='/login/eid/test'] input[name=_csrf]", "value")
        .is_some());
    browser.get("/lang?to=en&back=/login").await;
    let page = browser.get("/login").await;
    assert_eq!(
        page.texts("#eid-test"),
        vec!["Sign in with test eID".to_owned()]
    );
    assert!(page.body.contains("Sign in with an electronic identity"));
}

#[tokio::test]
async fn a_person_signs_in_through_the_provider_at_its_level_and_again_to_the_same_account() {
    let egn = fresh_egn();
    let (app, op) = start(json!({ "maria": person(&egn, "Мария", "maria") })).await;
    for provider in ["test", "test-es"] {
        op.next_login("maria", "high").await;
        let browser = app.client();
        let callback = to_callback(&app, &op, &browser, provider).await;
        let page = browser.get(&callback).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        assert_eq!(page.location(), "/start");
        let account = browser.get("/api/v1/me").await;
        assert_eq!(account.status, StatusCode::OK, "{}", account.body);
        let me = account.json();
        assert_eq!(me["name"], "Мария Тестова", "{me}");
    }
    // One account for the number, proven at the provider's level, linked to both clients' subject.
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM accounts WHERE personal_id = '{egn}' AND identity_assurance = 'high' AND email = 'maria@eid.example'"
        ))
        .await,
        1
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM eid_links").await, 2);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sessions WHERE sign_in_assurance = 'high'")
            .await,
        2
    );
}

#[tokio::test]
async fn bad_state_another_browser_a_replayed_answer_or_code_and_an_unknown_provider_are_refused() {
    let egn = fresh_egn();
    let (app, op) = start(json!({ "ivan": person(&egn, "Иван", "ivan") })).await;
    op.next_login("ivan", "substantial").await;
    let browser = app.client();
    let callback = to_callback(&app, &op, &browser, "test").await;

    // Another state, or the right one from a browser that did not begin the sign-in.
    let page = browser
        .get(&replace_param(&callback, "state", "made-up-state"))
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(reason(&page), "bad_state");
    let page = app.client().get(&callback).await;
    assert_eq!(reason(&page), "bad_state");
    let page = browser.get(&replace_param(&callback, "state", "")).await;
    assert_eq!(reason(&page), "bad_state");
    assert_eq!(app.count("SELECT COUNT(*) FROM eid_links").await, 0);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM accounts WHERE personal_id = '{egn}'"
        ))
        .await,
        0
    );

    // The real answer works once; the same answer again is refused.
    let page = browser.get(&callback).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let page = app.client().get(&callback).await;
    assert_eq!(reason(&page), "replayed");
    let page = browser.get(&callback).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(reason(&page), "replayed");

    // The used code under a new sign-in's state: the provider refuses to redeem it again (and
    // the new sign-in's PKCE verifier is not the code's).
    let other = app.client();
    let fresh = to_callback(&app, &op, &other, "test").await;
    let old_code = callback
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("code="))
        .expect("code");
    let page = other.get(&replace_param(&fresh, "code", old_code)).await;
    assert_eq!(reason(&page), "token_refused");
    assert_eq!(app.count("SELECT COUNT(*) FROM eid_links").await, 1);

    // An unknown provider, to begin with or to answer for.
    let page = browser
        .post_form("/login/eid/nobody", &[("next", "")])
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(reason(&page), "unknown_provider");
    let page = browser
        .get("/login/eid/nobody/callback?code=x&state=y")
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(reason(&page), "unknown_provider");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'identity.eid_refused'")
            .await,
        8
    );
}

#[tokio::test]
async fn a_wrong_nonce_audience_issuer_signature_or_expiry_is_refused_and_nothing_linked() {
    let egn = fresh_egn();
    let (app, op) = start(json!({ "petar": person(&egn, "Петър", "petar") })).await;
    let now = chrono::Utc::now().timestamp();
    let cases = [
        (
            json!({ "claims": { "nonce": "another-sign-in" } }),
            "wrong_nonce",
        ),
        (
            json!({ "claims": { "aud": "someone-else" } }),
            "wrong_audience",
        ),
        (
            json!({ "claims": { "aud": ["portico", "someone-else"] } }),
            "wrong_audience",
        ),
        (
            json!({ "claims": { "iss": "http://127.0.0.1:1" } }),
            "wrong_issuer",
        ),
        (json!({ "claims": { "exp": now - 3600 } }), "expired"),
        (
            json!({ "claims": { "acr": "http://eidas.europa.eu/LoA/high" }, "keepSignature": true }),
            "bad_signature",
        ),
    ];
    for provider in ["test", "test-es"] {
        for (tamper, expected) in &cases {
            op.next_login("petar", "low").await;
            let browser = app.client();
            let callback = to_callback(&app, &op, &browser, provider).await;
            op.post("/_test/tamper", tamper.clone()).await;
            let page = browser.get(&callback).await;
            assert_eq!(
                page.status,
                StatusCode::FORBIDDEN,
                "{tamper}: {}",
                page.body
            );
            assert_eq!(&reason(&page), expected, "{provider} {tamper}");
        }
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM eid_links").await, 0);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM accounts WHERE personal_id = '{egn}'"
        ))
        .await,
        0
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
}

#[tokio::test]
async fn a_number_another_account_only_claimed_is_never_merged_into_it() {
    let claimed = fresh_egn();
    let held = fresh_egn();
    let (app, op) = start(json!({
        "owner": person(&claimed, "Собственик", "owner"),
        "weak": person(&held, "Слаб", "weak"),
    }))
    .await;
    // Someone registered with the owner's number (claimed, low), and with another number.
    let claimant = app.register_with("claimant@example.com", &claimed).await;
    app.register_with("holder@example.com", &held).await;

    // A low-level eID cannot take a number another account holds: refused, nothing changes.
    op.next_login("weak", "low").await;
    let browser = app.client();
    let callback = to_callback(&app, &op, &browser, "test").await;
    let page = browser.get(&callback).await;
    assert_eq!(reason(&page), "identifier_held");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM accounts WHERE personal_id = '{held}' AND email = 'holder@example.com'"
        ))
        .await,
        1
    );

    // The owner, proven at substantial: a new account of their own; the claim is taken off the
    // claimant's account (its sessions end), and nothing of it is merged.
    op.next_login("owner", "substantial").await;
    let browser = app.client();
    let callback = to_callback(&app, &op, &browser, "test").await;
    let page = browser.get(&callback).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let me = browser.get("/api/v1/me").await.json();
    assert_eq!(me["name"], "Собственик Тестова", "{me}");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM accounts WHERE personal_id = '{claimed}' AND identity_assurance = 'substantial' AND email = 'owner@eid.example'"
        ))
        .await,
        1
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM accounts WHERE email = 'claimant@example.com' AND personal_id IS NULL"
        )
        .await,
        1
    );
    assert_eq!(
        claimant.get("/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'identity.claim_released_by_eid'")
            .await,
        1
    );
}

#[tokio::test]
async fn an_account_made_by_an_eid_without_an_address_gives_its_first_one_with_only_the_code() {
    let egn = fresh_egn();
    let mut nameless = person(&egn, "Нова", "unused");
    nameless.as_object_mut().unwrap().remove("email");
    let (app, op) = start(json!({ "nova": nameless })).await;
    op.next_login("nova", "substantial").await;
    let browser = app.client();
    let callback = to_callback(&app, &op, &browser, "test").await;
    assert_eq!(browser.get(&callback).await.status, StatusCode::SEE_OTHER);
    let page = browser.get("/account/contact").await;
    assert!(page.body.contains("@accounts.invalid"), "{}", page.body);
    // No authenticator and an address that never delivers: no second factor to ask for.
    let page = browser
        .post_form(
            "/account/contact",
            &[
                ("kind", "email"),
                ("new_contact", "nova@example.com"),
                ("code", ""),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let confirm = page.location().to_owned();
    let code = crate::contact::mailed_code(&app, "nova@example.com", "confirms this address").await;
    let page = browser
        .post_form(&confirm, &[("contact_code", &code)])
        .await;
    assert_eq!(page.location(), "/account?done=email_changed");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM accounts WHERE personal_id = '{egn}' AND email = 'nova@example.com' AND email_verified_at IS NOT NULL"
        ))
        .await,
        1
    );
    // Once it has a real address, a change needs the second factor again.
    browser.get("/account/contact").await;
    let page = browser
        .post_form(
            "/account/contact",
            &[
                ("kind", "email"),
                ("new_contact", "else@example.com"),
                ("code", ""),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_provider_that_cannot_be_reached_is_a_502_with_its_reason_and_nothing_begun() {
    let app = TestApp::start_with(|config| {
        let get = |name: &str| -> Option<String> {
            Some(match name {
                "PORTICO_OIDC_PROVIDERS" => "down".into(),
                // Nothing listens on port 9 of loopback (discard, never served here).
                "PORTICO_OIDC_DOWN_ISSUER" => "http://127.0.0.1:9".into(),
                "PORTICO_OIDC_DOWN_CLIENT_ID" => "portico".into(),
                _ => return None,
            })
        };
        config.oidc_providers = ProviderConfig::from_env(get).expect("providers");
    })
    .await;
    let browser = app.client();
    browser.get("/login").await;
    let page = browser.post_form("/login/eid/down", &[("next", "")]).await;
    assert_eq!(page.status, StatusCode::BAD_GATEWAY);
    assert_eq!(reason(&page), "provider_unavailable");
    assert_eq!(app.count("SELECT COUNT(*) FROM eid_attempts").await, 0);
}

#[tokio::test]
async fn a_begun_sign_in_keeps_nothing_a_database_reader_could_use_works_once_and_expires() {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    use sqlx::{Column, Row};
    let egn = fresh_egn();
    let (app, op) = start(json!({ "petar": person(&egn, "Петър", "petar") })).await;
    op.next_login("petar", "substantial").await;
    let browser = app.client();
    browser.get("/login").await;
    let page = browser.post_form("/login/eid/test", &[("next", "")]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let location = page.location().to_owned();
    let query: std::collections::HashMap<String, String> = url::Url::parse(&location)
        .expect("authorization request")
        .query_pairs()
        .into_owned()
        .collect();
    let (nonce, challenge) = (&query["nonce"], &query["code_challenge"]);

    // Whatever the row holds, neither the nonce nor the PKCE verifier (whose S256 the provider
    // was sent) is readable there, nor the state or the browser's cookie.
    let rows = sqlx::query("SELECT * FROM eid_attempts")
        .fetch_all(app.db.pool())
        .await
        .expect("attempts");
    assert_eq!(rows.len(), 1);
    let cookie = page
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|h| h.to_str().ok()?.strip_prefix("portico_eid="))
        .map(|rest| rest.split(';').next().unwrap_or_default().to_owned())
        .next()
        .expect("the browser's binding cookie");
    assert!(cookie.len() >= 32);
    for column in rows[0].columns() {
        let Ok(Some(value)) = rows[0].try_get::<Option<String>, _>(column.ordinal()) else {
            continue;
        };
        let name = column.name();
        assert!(!value.contains(nonce.as_str()), "{name} holds the nonce");
        assert!(!value.contains(&query["state"]), "{name} holds the state");
        assert!(!value.contains(&cookie), "{name} holds the binding cookie");
        let s256 = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(Sha256::digest(value.as_bytes()));
        assert_ne!(&s256, challenge, "{name} holds the PKCE verifier");
    }

    // The browser that began it finishes it, once; taking it wipes what was sealed.
    let callback = follow_to_portico(&app, &op, &browser, location).await;
    let page = browser.get(&callback).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM eid_attempts WHERE used_at IS NOT NULL AND sealed = ''")
            .await,
        1
    );
    let page = browser.get(&callback).await;
    assert_eq!(reason(&page), "replayed");

    // An answer that comes more than ten minutes after its sign-in began is refused.
    op.next_login("petar", "substantial").await;
    let late = app.client();
    let callback = to_callback(&app, &op, &late, "test").await;
    app.advance(11 * 60);
    let page = late.get(&callback).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(reason(&page), "bad_state");
    assert_eq!(app.count("SELECT COUNT(*) FROM eid_links").await, 1);
}
