//! The web shell: health, metrics, the API's error format, languages, security headers.

use crate::support::TestApp;
use reqwest::StatusCode;

#[tokio::test]
async fn health_readiness_and_metrics() {
    let app = TestApp::start().await;
    let c = app.client();
    assert_eq!(c.get("/healthz").await.body, "ok");
    let ready = c.get("/readyz").await;
    assert_eq!(
        (ready.status, ready.body.as_str()),
        (StatusCode::OK, "ready")
    );
    c.get("/").await;
    let metrics = c.get("/metrics").await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert!(
        metrics.body.contains("portico_http_requests_total"),
        "{}",
        metrics.body
    );
    assert!(
        metrics.body.contains("route=\"/\""),
        "requests are counted per route"
    );
}

#[tokio::test]
async fn openapi_document_lists_the_api() {
    let app = TestApp::start().await;
    let doc = app.client().get("/api/v1/openapi.json").await.json();
    assert_eq!(doc["openapi"], "3.1.0");
    for path in [
        "/api/v1/administrations",
        "/api/v1/administrations/{id}",
        "/api/v1/me",
        "/api/v1/me/activity",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }
    assert!(doc["components"]["schemas"].get("ApiErrorBody").is_some());
}

#[tokio::test]
async fn api_errors_have_one_format() {
    let app = TestApp::start().await;
    let c = app.client();
    let unknown = c
        .get("/api/v1/administrations/0190a000-0000-7000-8000-000000000000")
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.json()["error"]["code"], "not_found");
    assert!(unknown.json()["error"]["message"].is_string());
    let malformed = c.get("/api/v1/administrations/not-an-id").await;
    assert_eq!(malformed.status, StatusCode::NOT_FOUND);
    let anonymous = c.get("/api/v1/me").await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.json()["error"]["code"], "unauthorized");
}

#[tokio::test]
async fn pages_are_bulgarian_first_and_switch_to_english() {
    let app = TestApp::start().await;
    let c = app.client();
    let missing = c.get("/no-such-page").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.attr("html", "lang").as_deref(), Some("bg"));
    assert_eq!(missing.texts("h1"), vec!["Страницата не е намерена"]);

    let switch = c.get("/lang?to=en&back=%2Fno-such-page").await;
    assert_eq!(switch.status, StatusCode::SEE_OTHER);
    assert_eq!(switch.location(), "/no-such-page");
    let missing = c.get("/no-such-page").await;
    assert_eq!(missing.attr("html", "lang").as_deref(), Some("en"));
    assert_eq!(missing.texts("h1"), vec!["Page not found"]);
    assert_eq!(
        missing.attr("a[hreflang=bg]", "href").as_deref(),
        Some("/lang?to=bg&back=%2Fno-such-page")
    );
}

#[tokio::test]
async fn the_language_switch_never_sends_people_off_site() {
    let app = TestApp::start().await;
    for back in [
        "%2F%2Fevil.example",
        "https%3A%2F%2Fevil.example",
        "%2F%5Cevil.example",
    ] {
        let page = app.client().get(&format!("/lang?to=en&back={back}")).await;
        assert_eq!(page.location(), "/", "back={back}");
    }
}

#[tokio::test]
async fn every_page_carries_security_headers_and_a_request_id() {
    let app = TestApp::start().await;
    let page = app.client().get("/").await;
    let h = &page.headers;
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert!(h["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));
    assert!(h.get("x-request-id").is_some());
    let csrf_cookie = h
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("csrf="));
    let csrf_cookie = csrf_cookie.expect("a CSRF cookie on first visit");
    assert!(csrf_cookie.contains("HttpOnly") && csrf_cookie.contains("SameSite=Strict"));
}

#[tokio::test]
async fn the_home_page_lists_joined_administrations() {
    let app = TestApp::start().await;
    portico::demo::seed(&app.db, &app.clock).await.unwrap();
    let home = app.client().get("/").await;
    let items = home.texts("main li");
    assert!(
        items.iter().any(|i| i.starts_with("Столична община")),
        "{items:?}"
    );
    assert!(
        !items.iter().any(|i| i.starts_with("Район Средец")),
        "districts are listed under Sofia, not at the top"
    );
}

/// Targets a browser would follow to another host (it drops tabs and newlines and reads `\` as
/// `/`), or that cannot be a `Location` header at all; each is given URL-encoded in the query.
pub const HOSTILE_TARGETS: &[&str] = &[
    "%2F%09%2Fevil.example",
    "%2F%250d%2Fx",
    "%2F%0d%2Fx",
    "%2F%0a%2Fx",
    "%2F%00",
    "%2F%2500",
    "%2F%5Cevil.example",
    "%2F%255cevil.example",
    "%2F%252f%252fevil.example",
    "%2F%2F%2Fevil.example",
    "%5C%5Cevil.example",
    "https%3A%2F%2Fevil.example",
    "javascript%3Aalert(1)",
    "%2Fa%0d%0aSet-Cookie%3A%20x%3Dy",
];

#[tokio::test]
async fn the_language_switch_refuses_encoded_and_control_character_targets() {
    let app = TestApp::start().await;
    for back in HOSTILE_TARGETS {
        let page = app.client().get(&format!("/lang?to=en&back={back}")).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "back={back}");
        assert_eq!(page.location(), "/", "back={back}");
    }
    // A local path with a query is kept, written in its encoded form.
    let page = app
        .client()
        .get("/lang?to=en&back=%2Fservices%3Fq%3D%D0%B0%D0%B4%D1%80%D0%B5%D1%81")
        .await;
    assert_eq!(
        page.location(),
        "/services?q=%D0%B0%D0%B4%D1%80%D0%B5%D1%81"
    );
}
