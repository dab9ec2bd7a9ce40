//! The OpenID Connect provider driven by an independent relying party: Python's Authlib
//! (tests/interop/oidc_rp.py) signs a person in through the real server with the code flow and
//! PKCE, checks the ID token against the JWKS, reads userinfo, and is refused a replayed code, a
//! bad PKCE verifier and an unregistered redirect URI. Missing python3 or authlib fail this test:
//! `scripts/test` installs them (tests/interop/requirements.txt).

use crate::catalog::{administration_id, seeded, staff};
use crate::support::fresh_egn;
use portico_identity::Role;
use reqwest::StatusCode;
use serde_json::json;
use std::path::Path;

const BURGAS_EIK: &str = "000056814";

#[tokio::test]
async fn an_independent_relying_party_signs_in_through_portico() {
    let app = seeded().await;
    let burgas = administration_id(&app, BURGAS_EIK).await;
    let admin = staff(
        &app,
        "oidc-admin@burgas.example.bg",
        BURGAS_EIK,
        Role::AdministrationAdmin,
    )
    .await;
    let redirect = "http://127.0.0.1:9/callback";
    // Redirect URIs are checked when registered too: no plain http off loopback, no fragments.
    let refused = admin
        .post_json(
            &format!("/api/v1/administrations/{burgas}/oidc-clients"),
            &json!({ "name": "Портал", "redirect_uris": ["http://portal.example/cb"] }),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let made = admin
        .post_json(
            &format!("/api/v1/administrations/{burgas}/oidc-clients"),
            &json!({ "name": "Портал на Община Бургас", "redirect_uris": [redirect] }),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let body = made.json();
    let client_id = body["client"]["id"].as_str().unwrap().to_owned();
    let secret = body["client_secret"].as_str().unwrap().to_owned();

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/interop/oidc_rp.py");
    let base = app.base.clone();
    let egn = fresh_egn();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("python3")
            .arg(script)
            .env("PORTICO_BASE", base)
            .env("CLIENT_ID", client_id)
            .env("CLIENT_SECRET", secret)
            .env("REDIRECT_URI", redirect)
            .env("EGN", egn)
            .output()
            .expect("python3 must be installed to run the interoperability test")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.starts_with("ok: "), "{stdout}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'identity.oidc_consent'")
            .await,
        3,
        "three consents: the full flow, the bad verifier, the refresh"
    );
}
