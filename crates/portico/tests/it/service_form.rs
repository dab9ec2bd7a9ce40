//! The service console's form editor and process choice (issue 15, item 2): an administration
//! admin previews and publishes a new version of a service's e-form and chooses its process from
//! the library. A refusal names the reason and changes nothing; an application already started
//! finishes on the form it started with; nobody else reaches the pages.

use crate::catalog::{administration_id, seeded, staff};
use crate::support::{Client, Page, TestApp};
use portico::demo::SOFIA_EIK;
use portico_identity::Role;
use reqwest::StatusCode;
use serde_json::Value;

const SLUG: &str = "birth-certificate-sofia";
const CONSOLE: &str = "/admin/services/birth-certificate-sofia";
const EDITOR: &str = "/admin/services/birth-certificate-sofia/form";
const NEW_LABEL: &str = "За кого искате удостоверението за раждане?";

fn hrefs(page: &Page, selector: &str) -> Vec<String> {
    page.html()
        .select(&scraper::Selector::parse(selector).unwrap())
        .filter_map(|e| e.value().attr("href").map(str::to_owned))
        .collect()
}

/// The service's form key and the versions stored under it.
async fn stored_form(app: &TestApp) -> (String, i64) {
    let (key,): (String,) = sqlx::query_as("SELECT form_key FROM services WHERE slug = $1")
        .bind(SLUG)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let versions = app
        .count(&format!(
            "SELECT COUNT(*) FROM forms WHERE form_key = '{key}'"
        ))
        .await;
    (key, versions)
}

/// The definition the editor shows, with the first field's Bulgarian label changed.
fn relabelled(editor: &Page) -> (String, String) {
    let schema = editor.texts("textarea#schema").remove(0);
    let mut layout: Value = serde_json::from_str(&editor.texts("textarea#layout")[0]).unwrap();
    layout["steps"][0]["fields"][0]["label"]["bg"] = Value::from(NEW_LABEL);
    (schema, layout.to_string())
}

/// The labels of the first step a person sees on starting an application now.
async fn first_step_labels(citizen: &Client, step: &str) -> Vec<String> {
    let page = citizen.get(step).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.texts("legend, label")
}

/// Posts the editor: `action` is the button pressed (`preview` or `publish`).
async fn post_editor(admin: &Client, schema: &str, layout: &str, action: &str) -> Page {
    admin
        .post_form(
            EDITOR,
            &[("schema", schema), ("layout", layout), ("action", action)],
        )
        .await
}

async fn admin(app: &TestApp, email: &str) -> Client {
    staff(app, email, SOFIA_EIK, Role::AdministrationAdmin).await
}

#[tokio::test]
async fn an_admin_previews_and_publishes_a_form_and_applications_started_keep_theirs() {
    let app = seeded().await;
    let admin = admin(&app, "forms@sofia.bg").await;
    let (shared_key, shared_versions) = stored_form(&app).await;
    let others = app
        .count(&format!(
            "SELECT COUNT(*) FROM services WHERE form_key = '{shared_key}'"
        ))
        .await;
    assert!(others > 1, "the demo's certificate form is shared");

    // A citizen starts an application before the change.
    let (early, _) = app.register("forms.early@example.bg").await;
    let started = early.get(&format!("/services/{SLUG}/apply")).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let early_step = started.location().to_owned();
    assert!(!first_step_labels(&early, &early_step)
        .await
        .contains(&NEW_LABEL.to_owned()));

    // The console leads to the editor, which shows the form and a preview of it.
    let console = admin.get(CONSOLE).await;
    assert_eq!(hrefs(&console, "#edit-form"), vec![EDITOR]);
    let editor = admin.get(EDITOR).await;
    assert_eq!(editor.status, StatusCode::OK, "{}", editor.body);
    assert_eq!(editor.texts("#service-form-shared").len(), 1);
    assert!(!editor.texts("#form-preview .form-preview-step").is_empty());
    let (schema, layout) = relabelled(&editor);

    // Preview: drawn as typed, nothing stored.
    let preview = post_editor(&admin, &schema, &layout, "preview").await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(preview
        .texts("#form-preview legend, #form-preview label")
        .contains(&NEW_LABEL.to_owned()));
    assert_eq!(
        stored_form(&app).await,
        (shared_key.clone(), shared_versions)
    );

    // Refused, with the reason, in the language of the page; nothing changed.
    let mut stray: Value = serde_json::from_str(&layout).unwrap();
    stray["steps"][0]["fields"][0]["name"] = Value::from("no_such_property");
    let stray = stray.to_string();
    for (action, lang) in [("publish", "bg"), ("preview", "en")] {
        admin.get(&format!("/lang?to={lang}&back=%2F")).await;
        let refused = post_editor(&admin, &schema, &stray, action).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{action}");
        assert_eq!(hrefs(&refused, ".error-summary a"), vec!["#schema"]);
        let message = &refused.texts(".error-summary a")[0];
        let expected = if lang == "bg" {
            "не може да се публикува"
        } else {
            "cannot be published"
        };
        assert!(message.contains(expected), "{lang}: {message}");
        assert!(refused.texts("#form-reason")[0].contains("no_such_property"));
        assert!(
            refused.texts("textarea#layout")[0].contains("no_such_property"),
            "what was typed is kept"
        );
    }
    admin.get("/lang?to=bg&back=%2F").await;
    let broken = post_editor(&admin, &schema, "{ steps: ", "publish").await;
    assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(hrefs(&broken, ".error-summary a"), vec!["#layout"]);
    let forged = admin
        .post_raw(
            EDITOR,
            &[
                ("schema", &schema),
                ("layout", &layout),
                ("action", "publish"),
            ],
        )
        .await;
    assert_eq!(
        forged.status,
        StatusCode::FORBIDDEN,
        "without the CSRF token"
    );
    assert_eq!(
        stored_form(&app).await,
        (shared_key.clone(), shared_versions)
    );

    // Published: the service gets its own copy, numbered after the shared one.
    let published = post_editor(&admin, &schema, &layout, "publish").await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );
    assert_eq!(published.location(), format!("{EDITOR}?done=published"));
    let after = admin.get(published.location()).await;
    assert_eq!(after.texts("#service-form-banner").len(), 1);
    assert!(after.texts("#service-form-shared").is_empty());
    assert_eq!(
        after.texts("#service-form-version strong"),
        vec![(shared_versions + 1).to_string()]
    );
    assert_eq!(stored_form(&app).await, (SLUG.to_owned(), 1));
    let still_shared = app
        .count(&format!(
            "SELECT COUNT(*) FROM services WHERE form_key = '{shared_key}'"
        ))
        .await;
    assert_eq!(
        still_shared,
        others - 1,
        "the other services keep the shared form"
    );
    let sofia = administration_id(&app, SOFIA_EIK).await;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'catalog.service_form_changed' AND administration_id = '{sofia}'"
        ))
        .await,
        1
    );

    // A new application asks the new question; the early one still asks the old.
    let (late, _) = app.register("forms.late@example.bg").await;
    let started = late.get(&format!("/services/{SLUG}/apply")).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    assert!(first_step_labels(&late, started.location())
        .await
        .contains(&NEW_LABEL.to_owned()));
    assert!(!first_step_labels(&early, &early_step)
        .await
        .contains(&NEW_LABEL.to_owned()));
    let list = admin.get(&format!("{CONSOLE}/applications")).await;
    assert_eq!(
        list.texts("#service-applications .form-version"),
        vec![
            format!("{shared_versions} по-ранна версия"),
            (shared_versions + 1).to_string()
        ]
    );

    // A second publish is the next version of the service's own copy.
    let again = post_editor(&admin, &schema, &layout, "publish").await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(stored_form(&app).await, (SLUG.to_owned(), 2));
}

#[tokio::test]
async fn an_admin_chooses_the_process_and_applications_started_keep_theirs() {
    let app = seeded().await;
    let admin = admin(&app, "process@sofia.bg").await;
    let page = admin.get(CONSOLE).await;
    assert_eq!(
        page.attr("input[name=process][checked]", "value")
            .as_deref(),
        Some("standard")
    );
    let (citizen, _) = app.register("process.citizen@example.bg").await;
    let started = citizen.get(&format!("/services/{SLUG}/apply")).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER);

    let unknown = admin
        .post_form(&format!("{CONSOLE}/process"), &[("process", "no_such")])
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(hrefs(&unknown, ".error-summary a"), vec!["#process"]);
    assert_eq!(
        unknown.texts(".error-summary a"),
        vec!["Изберете процедура от списъка"]
    );
    let process_of = |slug: &'static str| {
        let app = &app;
        async move {
            let (key,): (String,) =
                sqlx::query_as("SELECT process_key FROM services WHERE slug = $1")
                    .bind(slug)
                    .fetch_one(app.db.pool())
                    .await
                    .unwrap();
            key
        }
    };
    assert_eq!(process_of(SLUG).await, "standard");

    let chosen = admin
        .post_form(
            &format!("{CONSOLE}/process"),
            &[("process", "with_consent")],
        )
        .await;
    assert_eq!(chosen.status, StatusCode::SEE_OTHER, "{}", chosen.body);
    assert_eq!(chosen.location(), format!("{CONSOLE}?done=process"));
    let page = admin.get(chosen.location()).await;
    assert_eq!(page.texts("#service-console-banner").len(), 1);
    assert_eq!(
        page.attr("input[name=process][checked]", "value")
            .as_deref(),
        Some("with_consent")
    );
    assert_eq!(process_of(SLUG).await, "with_consent");
    // The application started before keeps the process it started with.
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM applications WHERE process_key = 'standard' AND service_id = (SELECT id FROM services WHERE slug = '{SLUG}')"
        ))
        .await,
        1
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'catalog.service_process_changed'"
        )
        .await,
        1
    );
    // A form that asks for consents cannot go back to a process that does not wait for them.
    let address = "/admin/services/address-registration-sofia";
    let refused = admin
        .post_form(&format!("{address}/process"), &[("process", "standard")])
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert_eq!(hrefs(&refused, ".error-summary a"), vec!["#process"]);
    assert_eq!(
        process_of("address-registration-sofia").await,
        "address-registration"
    );
}

#[tokio::test]
async fn nobody_else_reaches_the_form_editor_or_the_process() {
    let app = seeded().await;
    let (burgas_eik,): (String,) =
        sqlx::query_as("SELECT eik FROM administrations WHERE name_en LIKE 'Burgas%'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    let other = staff(
        &app,
        "forms@burgas.bg",
        &burgas_eik,
        Role::AdministrationAdmin,
    )
    .await;
    let operator = staff(&app, "forms.operator@sofia.bg", SOFIA_EIK, Role::Operator).await;
    let (citizen, _) = app.register("forms.nosy@example.bg").await;
    let before = stored_form(&app).await;
    for client in [&other, &operator, &citizen] {
        assert_eq!(client.get(EDITOR).await.status, StatusCode::NOT_FOUND);
        let post = client
            .post_form(
                EDITOR,
                &[("schema", "{}"), ("layout", "{}"), ("action", "publish")],
            )
            .await;
        assert_eq!(post.status, StatusCode::NOT_FOUND);
        let process = client
            .post_form(
                &format!("{CONSOLE}/process"),
                &[("process", "with_consent")],
            )
            .await;
        assert_eq!(process.status, StatusCode::NOT_FOUND);
    }
    assert_eq!(app.client().get(EDITOR).await.status, StatusCode::SEE_OTHER);
    assert_eq!(stored_form(&app).await, before);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM services WHERE slug = '{SLUG}' AND process_key = 'standard'"
        ))
        .await,
        1
    );
}

/// A token for a new API client of Sofia with these scopes, made by its admin over the API.
async fn client_token(app: &TestApp, admin: &Client, scopes: &[&str]) -> String {
    let sofia = administration_id(app, SOFIA_EIK).await;
    let created = admin
        .post_json(
            &format!("/api/v1/administrations/{sofia}/api-clients"),
            &serde_json::json!({ "name": format!("console {scopes:?}"), "scopes": scopes, "auth_method": "client_secret" }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let body = created.json();
    let token: Value = reqwest::Client::new()
        .post(format!("{}/oauth/token", app.base))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", body["client"]["id"].as_str().unwrap()),
            ("client_secret", body["client_secret"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    token["access_token"].as_str().unwrap().to_owned()
}

/// Calls the API with a bearer token (or none); (status, body).
async fn call(
    app: &TestApp,
    token: Option<&str>,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new().request(method, format!("{}{path}", app.base));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn an_api_client_with_the_catalog_scope_runs_its_own_services_console() {
    use reqwest::Method;
    let app = seeded().await;
    let admin = admin(&app, "api.console@sofia.bg").await;
    let token = client_token(&app, &admin, &["catalog"]).await;
    let cases_only = client_token(&app, &admin, &["cases"]).await;
    let api = format!("/api/v1/console/services/{SLUG}");
    let (shared_key, shared_versions) = stored_form(&app).await;

    let (status, service) = call(&app, Some(&token), Method::GET, &api, None).await;
    assert_eq!(status, StatusCode::OK, "{service}");
    assert_eq!(service["process_key"], "standard");
    assert_eq!(service["form_key"], shared_key.as_str());
    let (status, body) = call(&app, Some(&cases_only), Method::GET, &api, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(
        call(&app, None, Method::GET, &api, None).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (burgas_slug,): (String,) = sqlx::query_as(
        "SELECT s.slug FROM services s JOIN administrations a ON a.id = s.administration_id \
         WHERE a.name_en LIKE 'Burgas%' LIMIT 1",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let burgas = format!("/api/v1/console/services/{burgas_slug}");
    assert_eq!(
        call(&app, Some(&token), Method::GET, &burgas, None).await.0,
        StatusCode::NOT_FOUND
    );
    let (status, _) = call(
        &app,
        Some(&token),
        Method::PUT,
        &format!("{burgas}/publication"),
        Some(serde_json::json!({ "published": false })),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another administration's service"
    );

    // A refused form: 422 with the checker's reason; nothing changed.
    let (_, form) = call(
        &app,
        None,
        Method::GET,
        &format!("/api/v1/forms/{shared_key}"),
        None,
    )
    .await;
    let mut stray = form["layout"].clone();
    stray["steps"][0]["fields"][0]["name"] = Value::from("no_such_property");
    let versions = format!("{api}/form-versions");
    let (status, refused) = call(
        &app,
        Some(&token),
        Method::POST,
        &versions,
        Some(serde_json::json!({ "schema": form["schema"], "layout": stray })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["error"]["code"], "bad_form");
    assert!(refused["error"]["details"]["reason"]
        .as_str()
        .unwrap()
        .contains("no_such_property"));
    assert_eq!(
        stored_form(&app).await,
        (shared_key.clone(), shared_versions)
    );

    // Published: the service's own copy, the next number, public at once.
    let mut layout = form["layout"].clone();
    layout["steps"][0]["fields"][0]["label"]["bg"] = Value::from(NEW_LABEL);
    let (status, version) = call(
        &app,
        Some(&token),
        Method::POST,
        &versions,
        Some(serde_json::json!({ "schema": form["schema"], "layout": layout })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{version}");
    assert_eq!(version["form_key"], SLUG);
    assert_eq!(version["version"], shared_versions + 1);
    let (_, public) = call(
        &app,
        None,
        Method::GET,
        &format!("/api/v1/forms/{SLUG}"),
        None,
    )
    .await;
    assert_eq!(
        public["layout"]["steps"][0]["fields"][0]["label"]["bg"],
        NEW_LABEL
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'catalog.service_form_changed' AND actor LIKE 'client:%'")
            .await,
        1
    );

    // The process, then withdrawn.
    let process = format!("{api}/process");
    let (status, body) = call(
        &app,
        Some(&token),
        Method::PUT,
        &process,
        Some(serde_json::json!({ "process": "no_such" })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = call(
        &app,
        Some(&token),
        Method::PUT,
        &process,
        Some(serde_json::json!({ "process": "with_consent" })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["process_key"], "with_consent");
    let (status, body) = call(
        &app,
        Some(&token),
        Method::PUT,
        &format!("{api}/publication"),
        Some(serde_json::json!({ "published": false })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["published_at"], Value::Null);
    assert_eq!(
        call(
            &app,
            None,
            Method::GET,
            &format!("/api/v1/services/{SLUG}"),
            None
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
}
