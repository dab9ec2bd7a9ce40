//! API clients over the real server: an administration admin makes a client on the console page
//! (or over the API), the client gets a token at `POST /oauth/token` with its secret or a signed
//! assertion (RFC 7523), and calls the cases API with it — in its own administration only.

use crate::catalog::{administration_id, seeded, staff};
use crate::service_layer::{cases_context, draft, person};
use crate::support::{Client, TestApp};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use portico::demo::{DEMO_TOTP_SECRET, SOFIA_EIK};
use portico_cases::service::submission;
use portico_core::{Actor, Assurance, Clock};
use portico_identity::service::step_up;
use portico_identity::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

const BURGAS_EIK: &str = "000056814";

/// A submitted application to Sofia (its id), made through the service layer.
async fn sofia_case(app: &TestApp) -> String {
    let cases = cases_context(app);
    let n = rand::random::<u32>();
    let (applicant_id, egn) = person(app, &format!("api-applicant-{n}@example.bg")).await;
    let (_, owner_egn) = person(app, &format!("api-owner-{n}@example.bg")).await;
    let id = draft(app, &applicant_id, &egn, &owner_egn).await;
    let proof = step_up::confirm(
        &app.db,
        &applicant_id,
        &app.totp(DEMO_TOTP_SECRET),
        submission::STEP_UP_PURPOSE,
        app.clock.now(),
    )
    .await
    .unwrap();
    submission::submit(
        &cases,
        &Actor::person(&applicant_id, Assurance::Substantial),
        &id,
        &proof,
    )
    .await
    .unwrap();
    app.advance(30);
    id
}

/// Creates a client with a secret over the API as the signed-in admin; (client_id, secret).
async fn client_with_secret(admin: &Client, administration: &str, name: &str) -> (String, String) {
    let created = admin
        .post_json(
            &format!("/api/v1/administrations/{administration}/api-clients"),
            &json!({ "name": name, "scopes": ["cases"], "auth_method": "client_secret" }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let body = created.json();
    (
        body["client"]["id"].as_str().unwrap().to_owned(),
        body["client_secret"].as_str().unwrap().to_owned(),
    )
}

async fn token_request(app: &TestApp, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/oauth/token", app.base))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn token(app: &TestApp, client_id: &str, secret: &str) -> (StatusCode, Value) {
    token_request(
        app,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
        ],
    )
    .await
}

async fn bearer_get(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{}{path}", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

fn access_token(v: &Value) -> String {
    v["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_console_client_works_its_own_administration_and_never_another() {
    let app = seeded().await;
    let sofia = administration_id(&app, SOFIA_EIK).await;
    let burgas = administration_id(&app, BURGAS_EIK).await;
    let case = sofia_case(&app).await;

    // Sofia's admin finds the page from the console and adds a client there.
    let admin = staff(
        &app,
        "api-admin@sofia.example.bg",
        SOFIA_EIK,
        Role::AdministrationAdmin,
    )
    .await;
    let console = admin.get("/admin").await;
    let href = format!("/admin/api-clients?administration={sofia}");
    assert!(
        console
            .attr(&format!("a[href=\"{href}\"]"), "href")
            .is_some(),
        "the console links to the API clients: {}",
        console.body
    );
    let list = admin.get(&href).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    // Nothing chosen: every problem at once, nothing made.
    let refused = admin
        .post_form(
            "/admin/api-clients",
            &[("administration", &sofia), ("name", "")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.texts(".error-summary__list a").len(),
        2,
        "{}",
        refused.body
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM api_clients").await, 0);
    let made = admin
        .post_form(
            "/admin/api-clients",
            &[
                ("administration", &sofia),
                ("name", "Деловодна система"),
                ("scope", "cases"),
                ("auth_method", "client_secret"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    assert_eq!(made.headers["cache-control"], "no-store");
    let client_id = made.texts("#client-id")[0].clone();
    let secret = made.texts("#client-secret")[0].clone();
    assert!(secret.starts_with("pcs_") && secret.len() > 40, "{secret}");
    // Shown once: the list names the client, never the secret; the database keeps only a hash.
    let list = admin.get(&href).await;
    assert!(list.body.contains(&client_id) && !list.body.contains(&secret));
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM api_clients WHERE secret_hash = '{}'",
            secret
        ))
        .await,
        0
    );

    // Burgas's admin makes one for Burgas over the API; Sofia's admin cannot list Burgas's.
    let burgas_admin = staff(
        &app,
        "api-admin@burgas.example.bg",
        BURGAS_EIK,
        Role::AdministrationAdmin,
    )
    .await;
    let (burgas_id, burgas_secret) = client_with_secret(&burgas_admin, &burgas, "Burgas").await;
    let foreign = admin
        .get(&format!("/api/v1/administrations/{burgas}/api-clients"))
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    let foreign = admin
        .post_json(
            &format!("/api/v1/administrations/{burgas}/api-clients"),
            &json!({ "name": "x", "scopes": ["cases"], "auth_method": "client_secret" }),
        )
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);

    let (status, sofia_token) = token(&app, &client_id, &secret).await;
    assert_eq!(status, StatusCode::OK, "{sofia_token}");
    assert_eq!(sofia_token["token_type"], "Bearer");
    assert_eq!(sofia_token["expires_in"], 300);
    assert_eq!(sofia_token["scope"], "cases");
    let sofia_token = access_token(&sofia_token);
    let (_, burgas_token) = token(&app, &burgas_id, &burgas_secret).await;
    let burgas_token = access_token(&burgas_token);

    // Sofia's system reads Sofia's case; Burgas's system is told it does not exist.
    let r = bearer_get(&app, &sofia_token, &format!("/api/v1/applications/{case}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let seen: Value = r.json().await.unwrap();
    assert_eq!(seen["id"], case.as_str());
    let r = bearer_get(&app, &burgas_token, &format!("/api/v1/applications/{case}")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Nor may Burgas's system move it.
    let version = seen["version"].as_i64().unwrap();
    let r = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/applications/{case}/transitions",
            app.base
        ))
        .bearer_auth(&burgas_token)
        .json(&json!({ "transition": "withdraw", "version": version }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let (v,): (i64,) = sqlx::query_as("SELECT version FROM applications WHERE id = $1")
        .bind(&case)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(v, version, "nothing changed");
    // A token is not a person: people's own routes refuse it.
    let r = bearer_get(&app, &sofia_token, "/api/v1/applications").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Nor can a client manage clients, even its own administration's.
    let r = bearer_get(
        &app,
        &sofia_token,
        &format!("/api/v1/administrations/{sofia}/api-clients"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // A token the platform did not sign, or a mangled one, is 401 with the RFC 6750 challenge.
    let mut forged = sofia_token.clone();
    forged.replace_range(forged.len() - 4.., "AAAA");
    for bad in [forged.as_str(), "not-a-token"] {
        let r = bearer_get(&app, bad, &format!("/api/v1/applications/{case}")).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            r.headers()["www-authenticate"],
            r#"Bearer error="invalid_token""#
        );
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "invalid_token");
    }

    // Tokens are short-lived: five minutes later the same token is refused.
    app.advance(299);
    let r = bearer_get(&app, &sofia_token, &format!("/api/v1/applications/{case}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    app.advance(2);
    let r = bearer_get(&app, &sofia_token, &format!("/api/v1/applications/{case}")).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // Revoked from the console (after confirming): its token and its secret stop working.
    let (_, fresh) = token(&app, &client_id, &secret).await;
    let fresh = access_token(&fresh);
    admin.get(&href).await;
    let unconfirmed = admin
        .post_form(&format!("/admin/api-clients/{client_id}/revoke"), &[])
        .await;
    assert_eq!(unconfirmed.status, StatusCode::BAD_REQUEST);
    let r = bearer_get(&app, &fresh, &format!("/api/v1/applications/{case}")).await;
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "not revoked without the confirmation"
    );
    let revoked = admin
        .post_form(
            &format!("/admin/api-clients/{client_id}/revoke"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER, "{}", revoked.body);
    let r = bearer_get(&app, &fresh, &format!("/api/v1/applications/{case}")).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let (status, body) = token(&app, &client_id, &secret).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "invalid_client");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'identity.api_client_revoked'")
            .await,
        1
    );
}

#[tokio::test]
async fn wrong_secrets_rotation_scopes_and_the_rate_limit() {
    let app = seeded().await;
    let sofia = administration_id(&app, SOFIA_EIK).await;
    let case = sofia_case(&app).await;
    let admin = staff(
        &app,
        "api-admin2@sofia.example.bg",
        SOFIA_EIK,
        Role::AdministrationAdmin,
    )
    .await;
    let (client_id, secret) = client_with_secret(&admin, &sofia, "Records").await;

    // A wrong secret: 401 with the OAuth error shape (RFC 6749 §5.2).
    let (status, body) = token(&app, &client_id, "pcs_wrong").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "invalid_client");
    assert!(body["error_description"].is_string());
    // HTTP Basic works the same way (and a wrong one is refused with a Basic challenge).
    let basic = |id: &str, s: &str| format!("Basic {}", STANDARD.encode(format!("{id}:{s}")));
    let r = reqwest::Client::new()
        .post(format!("{}/oauth/token", app.base))
        .header("authorization", basic(&client_id, &secret))
        .form(&[("grant_type", "client_credentials"), ("scope", "cases")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let old_token = access_token(&r.json().await.unwrap());
    let r = reqwest::Client::new()
        .post(format!("{}/oauth/token", app.base))
        .header("authorization", basic(&client_id, "nope"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Basic"));
    // Other grants, and scopes the client does not hold, are refused by name.
    let (status, body) = token_request(
        &app,
        &[
            ("grant_type", "password"),
            ("client_id", &client_id),
            ("client_secret", &secret),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unsupported_grant_type"))
    );
    let (status, body) = token_request(
        &app,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &client_id),
            ("client_secret", &secret),
            ("scope", "cases payments"),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_scope"))
    );

    // Rotation: a new secret; the old secret and the tokens made with it stop working.
    let rotated = admin
        .post_json(
            &format!("/api/v1/api-clients/{client_id}/rotation"),
            &json!({}),
        )
        .await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.body);
    let new_secret = rotated.json()["client_secret"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, secret);
    let (status, _) = token(&app, &client_id, &secret).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let r = bearer_get(&app, &old_token, &format!("/api/v1/applications/{case}")).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let (status, body) = token(&app, &client_id, &new_secret).await;
    assert_eq!(status, StatusCode::OK);
    let new_token = access_token(&body);
    let r = bearer_get(&app, &new_token, &format!("/api/v1/applications/{case}")).await;
    assert_eq!(r.status(), StatusCode::OK);

    // The client's scopes narrowed since the token was made: the route needing `cases` is 403.
    sqlx::query("UPDATE api_clients SET scopes = 'reports' WHERE id = $1")
        .bind(&client_id)
        .execute(app.db.pool())
        .await
        .unwrap();
    let r = bearer_get(&app, &new_token, &format!("/api/v1/applications/{case}")).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        r.headers()["www-authenticate"],
        r#"Bearer error="insufficient_scope", scope="cases""#
    );
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "insufficient_scope");
    sqlx::query("UPDATE api_clients SET scopes = 'cases' WHERE id = $1")
        .bind(&client_id)
        .execute(app.db.pool())
        .await
        .unwrap();

    // Rate limited: after five free failures (one more was counted above with Basic, and the
    // rotated-away secret), the client id is locked; even the right secret waits it out.
    let mut limited = None;
    for attempt in 0..10 {
        let r = reqwest::Client::new()
            .post(format!("{}/oauth/token", app.base))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", client_id.as_str()),
                ("client_secret", "pcs_guess"),
            ])
            .send()
            .await
            .unwrap();
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            limited = Some((
                attempt,
                r.headers()["retry-after"].to_str().unwrap().to_owned(),
            ));
            break;
        }
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let (attempt, retry_after) = limited.expect("the token endpoint is rate limited");
    assert!(
        attempt <= 4,
        "locked after a handful of failures, not {attempt}"
    );
    assert!(retry_after.parse::<i64>().unwrap() >= 1);
    let (status, body) = token(&app, &client_id, &new_secret).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["error"], "temporarily_unavailable");
    app.advance(retry_after.parse::<i64>().unwrap());
    let (status, _) = token(&app, &client_id, &new_secret).await;
    assert_eq!(status, StatusCode::OK);
}

/// A client assertion (RFC 7523) signed with `key`, as an institution's system would make one.
fn assertion(
    key: &ed25519_dalek::SigningKey,
    client_id: &str,
    audience: &str,
    now: i64,
    jti: &str,
) -> String {
    use ed25519_dalek::Signer;
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"EdDSA","typ":"JWT"}"#);
    let claims = URL_SAFE_NO_PAD.encode(
        json!({ "iss": client_id, "sub": client_id, "aud": audience,
                "iat": now, "exp": now + 60, "jti": jti })
        .to_string(),
    );
    let input = format!("{header}.{claims}");
    let signature = URL_SAFE_NO_PAD.encode(key.sign(input.as_bytes()).to_bytes());
    format!("{input}.{signature}")
}

#[tokio::test]
async fn private_key_jwt_clients_sign_their_own_assertions_once_each() {
    let app = seeded().await;
    let sofia = administration_id(&app, SOFIA_EIK).await;
    let case = sofia_case(&app).await;
    let admin = staff(
        &app,
        "api-admin3@sofia.example.bg",
        SOFIA_EIK,
        Role::AdministrationAdmin,
    )
    .await;
    let key = ed25519_dalek::SigningKey::from_bytes(&rand::random::<[u8; 32]>());
    let jwk = json!({ "kty": "OKP", "crv": "Ed25519",
                      "x": URL_SAFE_NO_PAD.encode(key.verifying_key().to_bytes()) });
    // A key that is not Ed25519 is a field error.
    let refused = admin
        .post_json(
            &format!("/api/v1/administrations/{sofia}/api-clients"),
            &json!({ "name": "Keyed", "scopes": ["cases"], "auth_method": "private_key_jwt",
                     "public_key": r#"{"kty":"RSA","n":"x","e":"AQAB"}"# }),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.json()["error"]["details"]["fields"][0]["field"],
        "public_key"
    );
    let created = admin
        .post_json(
            &format!("/api/v1/administrations/{sofia}/api-clients"),
            &json!({ "name": "Keyed", "scopes": ["cases"], "auth_method": "private_key_jwt",
                     "public_key": jwk.to_string() }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let body = created.json();
    assert!(
        body["client_secret"].is_null(),
        "no secret for a keyed client"
    );
    let client_id = body["client"]["id"].as_str().unwrap().to_owned();

    let now = app.clock.now().timestamp();
    let endpoint = format!("{}/oauth/token", app.base);
    let signed = assertion(&key, &client_id, &endpoint, now, "one");
    let form = |a: &str| {
        vec![
            ("grant_type".to_owned(), "client_credentials".to_owned()),
            (
                "client_assertion_type".to_owned(),
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_owned(),
            ),
            ("client_assertion".to_owned(), a.to_owned()),
        ]
    };
    let post = |f: Vec<(String, String)>| {
        let url = endpoint.clone();
        async move {
            let r = reqwest::Client::new()
                .post(url)
                .form(&f)
                .send()
                .await
                .unwrap();
            let status = r.status();
            (status, r.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = post(form(&signed)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let r = bearer_get(
        &app,
        &access_token(&body),
        &format!("/api/v1/applications/{case}"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    // The same assertion again is a replay.
    let (status, body) = post(form(&signed)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );
    // Signed by another key, for another audience, or expired: refused.
    let other = ed25519_dalek::SigningKey::from_bytes(&rand::random::<[u8; 32]>());
    for bad in [
        assertion(&other, &client_id, &endpoint, now, "two"),
        assertion(
            &key,
            &client_id,
            "https://elsewhere.example/token",
            now,
            "three",
        ),
        assertion(&key, &client_id, &endpoint, now - 120, "four"),
    ] {
        let (status, body) = post(form(&bad)).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("invalid_client"))
        );
    }
    // The issuer itself is an accepted audience too.
    let (status, _) = post(form(&assertion(&key, &client_id, &app.base, now, "five"))).await;
    assert_eq!(status, StatusCode::OK);

    // Rotating registers a new key: the old key's assertions stop working.
    let new_key = ed25519_dalek::SigningKey::from_bytes(&rand::random::<[u8; 32]>());
    use ed25519_dalek::pkcs8::EncodePublicKey;
    let pem = new_key
        .verifying_key()
        .to_public_key_pem(Default::default())
        .unwrap();
    let rotated = admin
        .post_json(
            &format!("/api/v1/api-clients/{client_id}/rotation"),
            &json!({ "public_key": pem }),
        )
        .await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.body);
    let (status, _) = post(form(&assertion(&key, &client_id, &endpoint, now, "six"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = post(form(&assertion(
        &new_key, &client_id, &endpoint, now, "seven",
    )))
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn every_api_route_states_who_may_call_it() {
    let app = TestApp::start().await;
    let doc = app.client().get("/api/v1/openapi.json").await.json();
    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    assert_eq!(
        schemes["client_credentials"]["flows"]["clientCredentials"]["tokenUrl"],
        "/oauth/token"
    );
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let security = op["security"]
                .as_array()
                .unwrap_or_else(|| panic!("{method} {path} states no security"));
            for requirement in security {
                for name in requirement.as_object().unwrap().keys() {
                    assert!(schemes.contains_key(name), "{method} {path}: {name}");
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 14, "{checked}");
    // The cases routes that clients may call name the scope they need.
    let get = &doc["paths"]["/api/v1/applications/{id}"]["get"]["security"];
    assert!(get
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["client_credentials"] == json!(["cases"])));
}
