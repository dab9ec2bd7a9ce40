//! The open data portal over the real server: an administration's API client publishes through
//! the CKAN Action API, CKAN's own Python client (`ckanapi`, tests/interop/ckan_client.py) reads
//! it unchanged, and malformed uploads and calls get CKAN-shaped errors and change nothing.
//! Missing python3 or ckanapi fail the test: `scripts/test` installs them.

use crate::support::TestApp;
use portico_core::{Actor, AdministrationKind, Assurance, Clock, Eik, Person, Role, RoleGrant};
use portico_identity::model::NewAdministration;
use portico_identity::service::api_clients::{AuthMethod, NewApiClient};
use portico_identity::service::{administrations, api_clients};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::path::Path;

pub const SOFIA_EIK: &str = "000696327";
pub const BURGAS_EIK: &str = "000056814";

/// Two administrations (their ids): Sofia and Burgas.
pub async fn two_administrations(app: &TestApp) -> (String, String) {
    let mut tx = app.db.begin().await.unwrap();
    let mut ids = Vec::new();
    for (bg, en, eik) in [
        ("Столична община", "Sofia Municipality", SOFIA_EIK),
        ("Община Бургас", "Burgas Municipality", BURGAS_EIK),
    ] {
        let a = administrations::create(
            &mut tx,
            &NewAdministration {
                name_bg: bg.into(),
                name_en: en.into(),
                kind: AdministrationKind::Municipality,
                eik: Eik::parse(eik).unwrap(),
                parent_id: None,
            },
            "test",
            app.clock.now(),
        )
        .await
        .unwrap();
        ids.push(a.id);
    }
    tx.commit().await.unwrap();
    (ids[0].clone(), ids[1].clone())
}

/// An access token of a new API client of `administration` with `scopes`.
pub async fn client_token(app: &TestApp, administration: &str, scopes: &[&str]) -> String {
    let admin = Actor::Person(Person {
        account_id: "admin".into(),
        assurance: Assurance::Substantial,
        roles: vec![RoleGrant {
            administration_id: administration.into(),
            unit_id: None,
            role: Role::AdministrationAdmin,
        }],
        on_behalf_of: None,
    });
    let mut tx = app.db.begin().await.unwrap();
    let created = api_clients::create(
        &mut tx,
        &admin,
        administration,
        &NewApiClient {
            name: "Open data publishing".into(),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            auth_method: AuthMethod::ClientSecret,
            public_key: None,
        },
        app.clock.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let r = reqwest::Client::new()
        .post(format!("{}/oauth/token", app.base))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", created.client.id.as_str()),
            ("client_secret", created.client_secret.as_deref().unwrap()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

/// Calls an action with a JSON body (and CKAN's raw `Authorization: <token>` when given).
pub async fn action(
    app: &TestApp,
    token: Option<&str>,
    name: &str,
    body: Value,
) -> (StatusCode, Value) {
    let mut r = reqwest::Client::new()
        .post(format!("{}/api/3/action/{name}", app.base))
        .json(&body);
    if let Some(t) = token {
        r = r.header("Authorization", t);
    }
    let r = r.send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap())
}

async fn upload(
    app: &TestApp,
    token: &str,
    package: &str,
    file: &str,
    bytes: &[u8],
) -> (StatusCode, Value) {
    let form = reqwest::multipart::Form::new()
        .text("package_id", package.to_owned())
        .part(
            "upload",
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(file.to_owned()),
        );
    let r = reqwest::Client::new()
        .post(format!("{}/api/3/action/resource_create", app.base))
        .header("Authorization", token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap())
}

fn dataset(name: &str, org: &str) -> Value {
    json!({
        "name": name, "title": "Райони на София", "title_en": "Districts of Sofia",
        "notes": "Границите на 24-те района.", "notes_en": "The boundaries of the 24 districts.",
        "owner_org": org, "license_id": "cc-by-4.0", "tags": [{"name": "райони"}],
        "groups": [{"name": "regi"}], "frequency": "ANNUAL",
    })
}

#[tokio::test]
async fn ckanapi_publishes_lists_searches_shows_updates_and_reads_the_datastore() {
    let app = TestApp::start().await;
    let (sofia, burgas) = two_administrations(&app).await;
    let token = client_token(&app, &sofia, &["opendata"]).await;
    let _ = burgas;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/interop/ckan_client.py");
    let base = app.base.clone();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("python3")
            .arg(script)
            .args([&base, &token, SOFIA_EIK, BURGAS_EIK])
            .output()
            .expect("python3 must be installed to run the interoperability test")
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "ckanapi: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(
        seen["broken_csv"],
        "Line 3: this row does not have as many fields as the header."
    );
    assert_eq!(seen["taken"], "That URL is already in use.");
    assert_eq!(seen["version"], "2");
    assert_eq!(seen["datastore_q"], 1);
    assert_eq!(seen["facets"]["res_format"]["CSV"], 1);
    assert_eq!(seen["facets"]["groups"]["envi"], 1);
    assert_eq!(seen["facets"]["organization"][SOFIA_EIK], 1);
    // The refused calls changed nothing: one dataset, one resource, three versions.
    assert_eq!(app.count("SELECT COUNT(*) FROM opendata_datasets").await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM opendata_resources").await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM opendata_dataset_versions")
            .await,
        3
    );
}

#[tokio::test]
async fn malformed_uploads_and_calls_get_ckan_errors_and_change_nothing() {
    let app = TestApp::start().await;
    let (sofia, burgas) = two_administrations(&app).await;
    let token = client_token(&app, &sofia, &["opendata"]).await;

    // Not JSON, an unknown action, a bad parameter: CKAN's 400 and 409 shapes.
    let r = reqwest::Client::new()
        .post(format!("{}/api/3/action/package_create", app.base))
        .header("Authorization", &token)
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["success"], false);
    assert!(body["help"].as_str().unwrap().contains("help_show"));
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("Bad request - JSON Error"));
    let (status, body) = action(&app, None, "no_such_action", json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(
        body["error"]["message"],
        "Bad request - Action name not known: no_such_action"
    );
    let (status, body) = action(&app, None, "package_search", json!({ "rows": "many" })).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["__type"], "Validation Error");
    assert_eq!(
        body["error"]["rows"][0],
        "This parameter must be a whole number."
    );

    // Every problem of a dataset at once, in the language asked for.
    let r = reqwest::Client::new()
        .post(format!("{}/api/3/action/package_create", app.base))
        .header("Authorization", &token)
        .header("Accept-Language", "bg")
        .json(&json!({ "name": "Bad Name", "title": "", "owner_org": SOFIA_EIK, "license_id": "mine", "groups": [{"name": "nope"}] }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["__type"], "Validation Error");
    assert_eq!(
        body["error"]["title_bg"][0],
        "Напишете заглавието на български."
    );
    for field in ["name", "licence", "themes"] {
        assert!(body["error"][field].is_array(), "{field}: {body}");
    }

    // A token without the scope, and another administration's, may not publish here.
    let cases_token = client_token(&app, &sofia, &["cases"]).await;
    let (status, body) = action(
        &app,
        Some(&cases_token),
        "package_create",
        dataset("x-data", SOFIA_EIK),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["__type"], "Authorization Error");
    let burgas_token = client_token(&app, &burgas, &["opendata"]).await;
    let (status, _) = action(
        &app,
        Some(&burgas_token),
        "package_create",
        dataset("x-data", SOFIA_EIK),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = action(&app, Some("not-a-token"), "package_list", json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) FROM opendata_datasets").await, 0);

    // A draft is the publisher's alone.
    let mut draft = dataset("sofia-districts", SOFIA_EIK);
    draft["state"] = "draft".into();
    let (status, created) = action(&app, Some(&token), "package_create", draft).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(created["result"]["state"], "draft");
    let id = created["result"]["id"].as_str().unwrap().to_owned();
    let (status, _) = action(
        &app,
        None,
        "package_show",
        json!({ "id": "sofia-districts" }),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = action(
        &app,
        Some(&burgas_token),
        "package_show",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = action(&app, None, "package_list", json!({})).await;
    assert_eq!(list["result"], json!([]));

    // Bad files: each refused naming its line (or what is wrong), none stored.
    let bad: &[(&str, &[u8], &str)] = &[
        (
            "a.csv",
            b"a,b\n1,2\n3\n",
            "Line 3: this row does not have as many fields as the header.",
        ),
        (
            "b.csv",
            b"name,town\n\xc8\xe2\xe0\xed,\xd1\xee\xf4\xe8\xff\n",
            "Line 2: the file is not in UTF-8; save it as UTF-8 and upload it again.",
        ),
        (
            "c.json",
            b"{\n  \"a\": 1,\n  \"b\": \n}",
            "Line 4: the JSON cannot be read here.",
        ),
        (
            "d.geojson",
            br#"{"type": "Point", "coordinates": [23.3, 42.7]}"#,
            "The file is not GeoJSON: a FeatureCollection of Features with geometries.",
        ),
        (
            "e.xls",
            b"PK\x03\x04",
            "Uploads may be CSV, JSON, GeoJSON or XLSX.",
        ),
        ("f.csv", b"", "The file is empty."),
    ];
    for (file, bytes, message) in bad {
        let (status, body) = upload(&app, &token, &id, file, bytes).await;
        assert_eq!(status, StatusCode::CONFLICT, "{file}: {body}");
        assert_eq!(body["error"]["__type"], "Validation Error");
        let field = if file.ends_with(".xls") {
            "format"
        } else {
            "upload"
        };
        assert_eq!(body["error"][field][0], *message, "{file}");
    }
    let big = vec![b'a'; 21 * 1024 * 1024];
    let (status, _) = upload(&app, &token, &id, "big.csv", &big).await;
    assert!(
        status == StatusCode::CONFLICT || status == StatusCode::PAYLOAD_TOO_LARGE,
        "{status}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM opendata_resources").await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM opendata_datastore_fields")
            .await,
        0
    );

    // A good GeoJSON file is kept and served back as it was.
    let geojson = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"Средец"},"geometry":{"type":"Point","coordinates":[23.32,42.69]}}]}"#.as_bytes();
    let (status, body) = upload(&app, &token, &id, "districts.geojson", geojson).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["result"]["format"], "GeoJSON");
    assert_eq!(body["result"]["datastore_active"], false);
    let url = body["result"]["url"].as_str().unwrap().to_owned();
    // Not yet published: the file is the publisher's too.
    assert_eq!(
        reqwest::get(&url).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let (status, _) = action(
        &app,
        Some(&token),
        "package_patch",
        json!({ "id": id, "state": "active" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let got = reqwest::get(&url).await.unwrap();
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(got.bytes().await.unwrap().as_ref(), geojson);

    // Datastore errors: an unknown resource, an unknown field.
    let (status, _) = action(
        &app,
        None,
        "datastore_search",
        json!({ "resource_id": "nope" }),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let csv = "district,population\nСредец,31000\nТриадица,70000\n";
    let (_, r) = upload(&app, &token, &id, "population.csv", csv.as_bytes()).await;
    let rid = r["result"]["id"].as_str().unwrap().to_owned();
    let (status, body) = action(
        &app,
        None,
        "datastore_search",
        json!({ "resource_id": rid, "sort": "nope desc" }),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, body) = action(
        &app,
        None,
        "datastore_search",
        json!({ "resource_id": rid, "filters": {"population": "many"} }),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, body) = action(
        &app,
        None,
        "datastore_search",
        json!({ "resource_id": rid, "sort": "population desc" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["result"]["records"][0]["district"], "Триадица");
    assert_eq!(body["result"]["records"][0]["population"], 70000);
}

#[tokio::test]
async fn the_dcat_ap_catalogue_parses_with_rdflib_and_passes_the_shacl_shapes() {
    let app = TestApp::start().await;
    let (sofia, _) = two_administrations(&app).await;
    let token = client_token(&app, &sofia, &["opendata"]).await;
    let mut d = dataset("sofia-districts", SOFIA_EIK);
    d["contact_email"] = "opendata@sofia.example.bg".into();
    d["temporal_start"] = "2024-01-01".into();
    let (status, created) = action(&app, Some(&token), "package_create", d).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = created["result"]["id"].as_str().unwrap().to_owned();
    let (status, _) = upload(
        &app,
        &token,
        &id,
        "population.csv",
        "district,population\n\"Средец, \"\"център\"\"\",31000\n".as_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let mut draft = dataset("a-draft", SOFIA_EIK);
    draft["state"] = "draft".into();
    action(&app, Some(&token), "package_create", draft).await;
    let catalog = app.client().get("/catalog.ttl").await;
    assert_eq!(catalog.status, StatusCode::OK);
    assert!(catalog.body.contains("sofia-districts") && !catalog.body.contains("a-draft"));
    assert_eq!(
        app.client().get("/dataset/a-draft.ttl").await.status,
        StatusCode::NOT_FOUND
    );
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/interop/dcat_check.py");
    let urls = vec![
        format!("{}/catalog.ttl", app.base),
        format!("{}/catalog.ttl?page=2", app.base),
        format!("{}/dataset/sofia-districts.ttl", app.base),
    ];
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("python3")
            .arg(script)
            .args(urls)
            .output()
            .expect("python3 must be installed to run the interoperability test")
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success() && text.starts_with("conforms"),
        "pySHACL: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
