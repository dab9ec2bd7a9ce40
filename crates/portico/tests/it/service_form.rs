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

const FIELDS: &str = "/admin/services/birth-certificate-sofia/form/fields";
const PHONE_BG: &str = "Телефон за връзка";

/// What the field list posts as drawn: every input of `#field-list` but the CSRF token (which
/// `post_form` adds), a select's chosen option and a box only when ticked.
fn list_inputs(page: &Page) -> Vec<(String, String)> {
    let html = page.html();
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    let form = html
        .select(&sel("#field-list"))
        .next()
        .expect("the field list");
    let mut pairs = Vec::new();
    for element in form.select(&sel("input, select, textarea")) {
        let e = element.value();
        let Some(name) = e.attr("name") else { continue };
        if name == "_csrf" {
            continue;
        }
        let value = match e.name() {
            "textarea" => element.text().collect::<String>(),
            "select" => element
                .select(&sel("option[selected]"))
                .next()
                .or_else(|| element.select(&sel("option")).next())
                .and_then(|o| o.value().attr("value"))
                .unwrap_or("")
                .to_owned(),
            _ if e.attr("type") == Some("checkbox") && e.attr("checked").is_none() => continue,
            _ => e.attr("value").unwrap_or("").to_owned(),
        };
        pairs.push((name.to_owned(), value));
    }
    pairs
}

fn set(pairs: &mut [(String, String)], name: &str, value: &str) {
    let found = pairs.iter_mut().find(|(k, _)| k == name);
    found.unwrap_or_else(|| panic!("no input {name}")).1 = value.to_owned();
}

/// Presses a button of the field list on the page as drawn, with these inputs changed.
async fn press(admin: &Client, page: &Page, changes: &[(&str, &str)], action: &str) -> Page {
    let mut pairs = list_inputs(page);
    for (name, value) in changes {
        set(&mut pairs, name, value);
    }
    pairs.push(("action".into(), action.into()));
    let fields: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    admin.post_form(FIELDS, &fields).await
}

fn row_labels(page: &Page) -> Vec<String> {
    let html = page.html();
    let sel = scraper::Selector::parse("#field-list input[name^=label_bg-]").unwrap();
    html.select(&sel)
        .map(|e| e.value().attr("value").unwrap_or("").to_owned())
        .collect()
}

#[tokio::test]
async fn an_admin_edits_the_form_as_a_field_list_and_applications_started_keep_theirs() {
    let app = seeded().await;
    let admin = admin(&app, "fields@sofia.bg").await;
    let before = stored_form(&app).await;
    let (early, _) = app.register("fields.early@example.bg").await;
    let started = early.get(&format!("/services/{SLUG}/apply")).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let early_step = started.location().to_owned();
    let early_labels = first_step_labels(&early, &early_step).await;

    // The editor lists the form's fields, in the order an applicant meets them.
    let editor = admin.get(EDITOR).await;
    assert_eq!(editor.status, StatusCode::OK, "{}", editor.body);
    assert_eq!(
        row_labels(&editor),
        vec![
            "За кого искате документа?",
            "ЕГН на лицето",
            "Пред кого ще го представите?",
            "Брой екземпляри"
        ]
    );
    assert_eq!(
        editor.attr("#required-3", "checked").as_deref(),
        Some(""),
        "the schema requires the copies"
    );
    assert_eq!(
        editor
            .attr("#widget-3 option[selected]", "value")
            .as_deref(),
        Some("number")
    );

    // "Add another field" draws one more row, empty, at the end; nothing is stored.
    let added = press(&admin, &editor, &[], "add").await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    assert_eq!(row_labels(&added).len(), 5);
    assert_eq!(row_labels(&added)[4], "");
    assert_eq!(stored_form(&app).await, before);

    // Published without its labels: refused, field by field, in the page's language.
    for (lang, expected) in [
        ("bg", "Въведете етикета на полето на български"),
        ("en", "Enter the field's label in Bulgarian"),
    ] {
        admin.get(&format!("/lang?to={lang}&back=%2F")).await;
        let refused = press(&admin, &added, &[], "publish").await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            hrefs(&refused, ".error-summary a"),
            vec!["#label_bg-4", "#label_en-4"]
        );
        assert_eq!(refused.texts(".error-summary a")[0], expected);
        assert_eq!(row_labels(&refused).len(), 5, "the rows are kept");
    }
    admin.get("/lang?to=bg&back=%2F").await;
    assert_eq!(stored_form(&app).await, before);

    // Labelled, not required, moved up three times: past two fields of its step, then into
    // the step before. The first field is relabelled and the copies are no longer required.
    let mut page = press(
        &admin,
        &added,
        &[
            ("label_bg-4", PHONE_BG),
            ("label_en-4", "Phone for contact"),
            ("label_bg-0", NEW_LABEL),
        ],
        "up-4",
    )
    .await;
    for up in ["up-3", "up-2"] {
        page = press(&admin, &page, &[], up).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    }
    assert_eq!(
        row_labels(&page),
        vec![
            NEW_LABEL,
            "ЕГН на лицето",
            PHONE_BG,
            "Пред кого ще го представите?",
            "Брой екземпляри"
        ]
    );
    assert_eq!(
        page.attr("#step-2 option[selected]", "value").as_deref(),
        Some("person")
    );
    // The rows make a valid form, so the page previews it as it goes.
    assert!(page
        .texts("#form-preview legend, #form-preview label")
        .contains(&PHONE_BG.to_owned()));
    let mut pairs = list_inputs(&page);
    pairs.retain(|(k, _)| k != "required-2" && k != "required-4");
    pairs.push(("action".into(), "publish".into()));
    let fields: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(stored_form(&app).await, before, "nothing stored until now");
    let published = admin.post_form(FIELDS, &fields).await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );
    assert_eq!(published.location(), format!("{EDITOR}?done=published"));
    assert_eq!(stored_form(&app).await, (SLUG.to_owned(), 1));
    let (schema,): (String,) = sqlx::query_as(
        "SELECT schema_json FROM forms WHERE form_key = $1 ORDER BY version DESC LIMIT 1",
    )
    .bind(SLUG)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let schema: Value = serde_json::from_str(&schema).unwrap();
    assert_eq!(
        schema["required"],
        serde_json::json!(["for_whom", "purpose"]),
        "still JSON Schema underneath: the copies are no longer required, the phone is not"
    );
    assert_eq!(schema["properties"]["field_5"]["type"], "string");

    // A new application asks the new questions; the early one still asks the old.
    let (late, _) = app.register("fields.late@example.bg").await;
    let started = late.get(&format!("/services/{SLUG}/apply")).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let late_labels = first_step_labels(&late, started.location()).await;
    assert!(
        late_labels.contains(&NEW_LABEL.to_owned()),
        "{late_labels:?}"
    );
    assert!(
        late_labels.iter().any(|l| l.starts_with(PHONE_BG)),
        "{late_labels:?}"
    );
    assert_eq!(first_step_labels(&early, &early_step).await, early_labels);

    // A change the checker refuses (the EGN asked before the answer it depends on) is
    // refused with its reason, and nothing changes.
    let editor = admin.get(EDITOR).await;
    let moved = press(&admin, &editor, &[], "up-1").await;
    assert_eq!(moved.status, StatusCode::OK);
    assert!(
        moved.texts("#form-preview").is_empty(),
        "no preview of a refused form"
    );
    let refused = press(&admin, &moved, &[], "publish").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(hrefs(&refused, ".error-summary a"), vec!["#fields"]);
    assert!(
        refused.texts("#fields-reason")[0].contains("other_person_egn"),
        "{:?}",
        refused.texts("#fields-reason")
    );
    assert_eq!(stored_form(&app).await, (SLUG.to_owned(), 1));
}

#[tokio::test]
async fn nobody_else_reaches_the_field_list() {
    let app = seeded().await;
    let admin = admin(&app, "fields.owner@sofia.bg").await;
    let editor = admin.get(EDITOR).await;
    let mut pairs = list_inputs(&editor);
    set(&mut pairs, "label_bg-0", NEW_LABEL);
    pairs.push(("action".into(), "publish".into()));
    let fields: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let before = stored_form(&app).await;
    let (burgas_eik,): (String,) =
        sqlx::query_as("SELECT eik FROM administrations WHERE name_en LIKE 'Burgas%'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    let other = staff(
        &app,
        "fields@burgas.bg",
        &burgas_eik,
        Role::AdministrationAdmin,
    )
    .await;
    let operator = staff(&app, "fields.operator@sofia.bg", SOFIA_EIK, Role::Operator).await;
    let (citizen, _) = app.register("fields.nosy@example.bg").await;
    for client in [&other, &operator, &citizen] {
        assert_eq!(
            client.post_form(FIELDS, &fields).await.status,
            StatusCode::NOT_FOUND
        );
    }
    assert_eq!(
        admin.post_raw(FIELDS, &fields).await.status,
        StatusCode::FORBIDDEN,
        "without the CSRF token"
    );
    assert_eq!(stored_form(&app).await, before);
    assert_eq!(
        admin.post_form(FIELDS, &fields).await.status,
        StatusCode::SEE_OTHER,
        "the same post by the admin publishes"
    );
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

/// The deadline of the state an application is in, as the case page shows it to staff, and
/// as counted from its submission with `days` working days.
async fn shown_and_counted(app: &TestApp, staff: &Client, id: &str, days: u32) -> (String, String) {
    let page = staff.get(&format!("/office/cases/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let rows = page.texts(".summary-list__row");
    let key = "Срок";
    let shown = rows
        .iter()
        .find(|r| r.starts_with(key))
        .unwrap_or_else(|| panic!("no deadline among {rows:?}"))
        .trim_start_matches(key)
        .trim()
        .to_owned();
    let (submitted_at,): (i64,) =
        sqlx::query_as("SELECT submitted_at FROM applications WHERE id = $1")
            .bind(id)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    let counted = portico_core::calendar::WorkingCalendar::bulgaria()
        .deadline(portico_core::clock::from_millis(submitted_at), days)
        .format("%d.%m.%Y")
        .to_string();
    (shown, counted)
}

#[tokio::test]
async fn an_admin_tunes_the_deadlines_and_applications_started_keep_theirs() {
    const TUNED: &str = "local-tax-refund-sofia";
    let console = format!("/admin/services/{TUNED}");
    let deadlines = format!("{console}/deadlines");
    let app = seeded().await;
    let admin = admin(&app, "deadlines@sofia.bg").await;
    let stored = || async {
        let (tuned,): (Option<String>,) =
            sqlx::query_as("SELECT state_deadlines FROM services WHERE slug = $1")
                .bind(TUNED)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        tuned
    };

    // An application started before the change: it keeps the library's deadlines.
    let (early, _, early_secret) = crate::cases::citizen(&app, "deadlines.early@example.bg").await;
    let early_id = crate::templates::fill(&early, TUNED, "general-application").await;

    // The console leads to the deadlines of its process's states, with the library's beside.
    let page = admin.get(&console).await;
    assert_eq!(hrefs(&page, "#tune-deadlines"), vec![deadlines.clone()]);
    let page = admin.get(&deadlines).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(
        page.texts("label"),
        vec!["Подадено", "В процес на разглеждане"]
    );
    assert_eq!(
        page.texts("#deadline-submitted-hint"),
        vec!["В библиотеката, работни дни: 3"]
    );

    // Refused, with the reason, nothing stored.
    for (typed, lang, expected) in [
        ("0", "bg", "Въведете цяло число работни дни"),
        ("три", "en", "Enter a whole number of working days"),
        ("251", "bg", "Въведете цяло число работни дни"),
    ] {
        admin.get(&format!("/lang?to={lang}&back=%2F")).await;
        let refused = admin
            .post_form(
                &deadlines,
                &[("deadline-submitted", typed), ("deadline-in_review", "")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{typed}");
        assert_eq!(
            hrefs(&refused, ".error-summary a"),
            vec!["#deadline-submitted"]
        );
        assert!(
            refused.texts(".error-summary a")[0].starts_with(expected),
            "{typed}"
        );
        assert_eq!(
            refused.attr("#deadline-submitted", "value").as_deref(),
            Some(typed)
        );
    }
    admin.get("/lang?to=bg&back=%2F").await;
    assert_eq!(stored().await, None);

    // Saved: 20 working days from submission instead of the library's 3.
    let saved = admin
        .post_form(
            &deadlines,
            &[("deadline-submitted", "20"), ("deadline-in_review", "")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location(), format!("{deadlines}?done=saved"));
    let after = admin.get(saved.location()).await;
    assert_eq!(after.texts("#service-deadlines-banner").len(), 1);
    assert_eq!(
        after.attr("#deadline-submitted", "value").as_deref(),
        Some("20")
    );
    assert_eq!(
        after.attr("#deadline-in_review", "value").as_deref(),
        Some("")
    );
    assert_eq!(stored().await.as_deref(), Some(r#"{"submitted":20}"#));
    let sofia = administration_id(&app, SOFIA_EIK).await;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'catalog.service_deadlines_changed' AND administration_id = '{sofia}'"
        ))
        .await,
        1
    );

    // Started after: the tuned deadline shows on the case; the early one keeps the library's.
    let (late, _, late_secret) = crate::cases::citizen(&app, "deadlines.late@example.bg").await;
    let late_id = crate::templates::fill(&late, TUNED, "general-application").await;
    for (client, id, secret) in [
        (&early, &early_id, &early_secret),
        (&late, &late_id, &late_secret),
    ] {
        let done = crate::cases::submit(&app, client, id, secret).await;
        assert_eq!(
            done.location(),
            format!("/applications/{id}?submitted=1"),
            "{}",
            done.body
        );
    }
    let (shown, counted) = shown_and_counted(&app, &admin, &late_id, 20).await;
    assert_eq!(shown, counted, "the tuned deadline");
    let (shown, counted) = shown_and_counted(&app, &admin, &early_id, 3).await;
    assert_eq!(
        shown, counted,
        "the library's deadline, as when it was started"
    );
    let (tuned_shown, _) = shown_and_counted(&app, &admin, &late_id, 20).await;
    assert_ne!(shown, tuned_shown, "the two differ");

    // Choosing another process puts the library's deadlines back.
    let chosen = admin
        .post_form(
            &format!("{console}/process"),
            &[("process", "with_consent")],
        )
        .await;
    assert_eq!(chosen.status, StatusCode::SEE_OTHER, "{}", chosen.body);
    assert_eq!(stored().await, None);
}

#[tokio::test]
async fn nobody_else_tunes_the_deadlines() {
    let app = seeded().await;
    let deadlines = "/admin/services/local-tax-refund-sofia/deadlines";
    let (burgas_eik,): (String,) =
        sqlx::query_as("SELECT eik FROM administrations WHERE name_en LIKE 'Burgas%'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    let other = staff(
        &app,
        "deadlines@burgas.bg",
        &burgas_eik,
        Role::AdministrationAdmin,
    )
    .await;
    let operator = staff(
        &app,
        "deadlines.operator@sofia.bg",
        SOFIA_EIK,
        Role::Operator,
    )
    .await;
    let (citizen, _) = app.register("deadlines.nosy@example.bg").await;
    for client in [&other, &operator, &citizen] {
        assert_eq!(client.get(deadlines).await.status, StatusCode::NOT_FOUND);
        let post = client
            .post_form(deadlines, &[("deadline-submitted", "20")])
            .await;
        assert_eq!(post.status, StatusCode::NOT_FOUND);
    }
    let admin = admin(&app, "deadlines.owner@sofia.bg").await;
    admin.get(deadlines).await;
    assert_eq!(
        admin
            .post_raw(deadlines, &[("deadline-submitted", "20")])
            .await
            .status,
        StatusCode::FORBIDDEN,
        "without the CSRF token"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM services WHERE state_deadlines IS NOT NULL")
            .await,
        0
    );
}

/// Calls the API as `call` does, with an `Idempotency-Key` when given; (status, whether the
/// answer says it was replayed, body).
async fn call_keyed(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    key: Option<&str>,
    body: Value,
) -> (StatusCode, bool, Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{path}", app.base))
        .bearer_auth(token)
        .json(&body);
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let replayed = response
        .headers()
        .get("idempotent-replayed")
        .is_some_and(|v| v == "true");
    let text = response.text().await.unwrap();
    (
        status,
        replayed,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn the_console_api_sets_the_local_parts_and_adopts_and_a_retry_with_its_key_does_nothing_more(
) {
    use reqwest::Method;
    let app = seeded().await;
    let admin = admin(&app, "api.local@sofia.bg").await;
    let token = client_token(&app, &admin, &["catalog"]).await;
    let cases_only = client_token(&app, &admin, &["cases"]).await;
    let api = format!("/api/v1/console/services/{SLUG}");
    let local = format!("{api}/local");

    // The local parts: what is given changes, the rest stays.
    let (_, before) = call(&app, Some(&token), Method::GET, &api, None).await;
    let change = serde_json::json!({
        "fee": {"minor": 700, "currency": "EUR"},
        "deadline_working_days": 12,
        "contact": {"phone": "02 555 0101", "email": "birth@sofia.example.bg",
                    "address": {"bg": "ул. Московска 33", "en": "33 Moskovska St"},
                    "hours": {"bg": "пон.–пет. 9–17", "en": "Mon–Fri 9–17"}}
    });
    let (status, _, changed) = call_keyed(&app, &token, Method::PATCH, &local, None, change).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["fee"]["minor"], 700);
    assert_eq!(changed["deadline_working_days"], 12);
    assert_eq!(changed["contact"]["phone"], "02 555 0101");
    assert_eq!(changed["units"], before["units"], "not given, not changed");
    let public = app.client().get(&format!("/services/{SLUG}")).await;
    assert!(
        public.body.contains("02 555 0101"),
        "the service page shows it"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'catalog.service_changed' AND actor LIKE 'client:%'")
        .await,
        1
    );

    // Refused field by field; nothing changed.
    for refused in [
        serde_json::json!({"delivery_channels": []}),
        serde_json::json!({"units": ["no-such-unit"]}),
        serde_json::json!({"deadline_working_days": 12, "colour": "red"}),
    ] {
        let (status, _, body) =
            call_keyed(&app, &token, Method::PATCH, &local, None, refused.clone()).await;
        assert!(
            status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::BAD_REQUEST,
            "{refused}: {status} {body}"
        );
    }
    let (_, after) = call(&app, Some(&token), Method::GET, &api, None).await;
    assert_eq!(after, changed);
    let (status, _, _) = call_keyed(
        &app,
        &cases_only,
        Method::PATCH,
        &local,
        None,
        serde_json::json!({"deadline_working_days": 3}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "without the scope");
    let (burgas_slug, burgas_id): (String, String) = sqlx::query_as(
        "SELECT s.slug, a.id FROM services s JOIN administrations a ON a.id = s.administration_id \
         WHERE a.name_en LIKE 'Burgas%' LIMIT 1",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let (status, _, _) = call_keyed(
        &app,
        &token,
        Method::PATCH,
        &format!("/api/v1/console/services/{burgas_slug}/local"),
        None,
        serde_json::json!({"deadline_working_days": 3}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another administration's service"
    );

    // A form version published twice with one key is one version; the same key with another
    // body is refused.
    let (shared_key, shared_versions) = stored_form(&app).await;
    let (_, form) = call(
        &app,
        None,
        Method::GET,
        &format!("/api/v1/forms/{shared_key}"),
        None,
    )
    .await;
    let mut layout = form["layout"].clone();
    layout["steps"][0]["fields"][0]["label"]["bg"] = Value::from(NEW_LABEL);
    let definition = serde_json::json!({"schema": form["schema"], "layout": layout});
    let versions = format!("{api}/form-versions");
    let (status, replayed, first) = call_keyed(
        &app,
        &token,
        Method::POST,
        &versions,
        Some("publish-1"),
        definition.clone(),
    )
    .await;
    assert_eq!((status, replayed), (StatusCode::CREATED, false), "{first}");
    let (status, replayed, again) = call_keyed(
        &app,
        &token,
        Method::POST,
        &versions,
        Some("publish-1"),
        definition.clone(),
    )
    .await;
    assert_eq!((status, replayed), (StatusCode::CREATED, true));
    assert_eq!(again, first, "the same answer");
    assert_eq!(
        stored_form(&app).await,
        (SLUG.to_owned(), 1),
        "one version made"
    );
    assert_eq!(first["version"], shared_versions + 1);
    let mut other = definition.clone();
    other["layout"]["steps"][0]["fields"][0]["label"]["en"] = Value::from("Someone else");
    let (status, _, body) = call_keyed(
        &app,
        &token,
        Method::POST,
        &versions,
        Some("publish-1"),
        other,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.to_string().contains("catalog.idempotency.key_reused"),
        "{body}"
    );
    assert_eq!(stored_form(&app).await, (SLUG.to_owned(), 1));
    // Two at once with one key: one version, the same answer to both.
    let (a, b) = tokio::join!(
        call_keyed(
            &app,
            &token,
            Method::POST,
            &versions,
            Some("publish-2"),
            definition.clone()
        ),
        call_keyed(
            &app,
            &token,
            Method::POST,
            &versions,
            Some("publish-2"),
            definition.clone()
        ),
    );
    assert_eq!(
        (a.0, b.0),
        (StatusCode::CREATED, StatusCode::CREATED),
        "{} {}",
        a.2,
        b.2
    );
    assert_eq!(a.2, b.2);
    assert!(a.1 != b.1, "one of them is the replay");
    assert_eq!(
        stored_form(&app).await,
        (SLUG.to_owned(), 2),
        "one more version"
    );
    let (status, _, _) = call_keyed(
        &app,
        &token,
        Method::POST,
        &versions,
        Some("не ascii"),
        definition.clone(),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a key that is not printable ASCII"
    );

    // Adopting a template: once per key.
    let adoptions = "/api/v1/console/adoptions";
    let adoption = serde_json::json!({
        "template": "general-application",
        "slug": "general-application-api-sofia",
        "deadline_working_days": 9
    });
    let (status, replayed, adopted) = call_keyed(
        &app,
        &token,
        Method::POST,
        adoptions,
        Some("adopt-1"),
        adoption.clone(),
    )
    .await;
    assert_eq!(
        (status, replayed),
        (StatusCode::CREATED, false),
        "{adopted}"
    );
    assert_eq!(adopted["slug"], "general-application-api-sofia");
    assert_eq!(adopted["deadline_working_days"], 9);
    let (status, replayed, again) = call_keyed(
        &app,
        &token,
        Method::POST,
        adoptions,
        Some("adopt-1"),
        adoption.clone(),
    )
    .await;
    assert_eq!((status, replayed), (StatusCode::CREATED, true));
    assert_eq!(again, adopted);
    let count_adopted =
        || app.count("SELECT COUNT(*) FROM services WHERE slug = 'general-application-api-sofia'");
    assert_eq!(count_adopted().await, 1);
    let (status, _, body) = call_keyed(
        &app,
        &token,
        Method::POST,
        adoptions,
        None,
        adoption.clone(),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "without the key, adopted already: {body}"
    );
    let mut other = adoption.clone();
    other["deadline_working_days"] = Value::from(10);
    let (status, _, body) = call_keyed(
        &app,
        &token,
        Method::POST,
        adoptions,
        Some("adopt-1"),
        other,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.to_string().contains("catalog.idempotency.key_reused"),
        "{body}"
    );
    assert_eq!(count_adopted().await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'catalog.service_adopted' AND actor LIKE 'client:%'")
        .await,
        1
    );

    // Not for another administration, nor without the scope, nor with a unit it has not.
    let mut elsewhere = adoption.clone();
    elsewhere["administration_id"] = Value::from(burgas_id);
    elsewhere["slug"] = Value::from("general-application-api-burgas");
    let (status, _, body) = call_keyed(
        &app,
        &token,
        Method::POST,
        adoptions,
        Some("adopt-2"),
        elsewhere,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let mut unscoped = adoption.clone();
    unscoped["slug"] = Value::from("general-application-api-2");
    let (status, _, _) = call_keyed(
        &app,
        &cases_only,
        Method::POST,
        adoptions,
        None,
        unscoped.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    unscoped["template"] = Value::from("kindergarten-admission");
    unscoped["units"] = serde_json::json!(["no-such-unit"]);
    let (status, _, body) = call_keyed(&app, &token, Method::POST, adoptions, None, unscoped).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM services WHERE slug LIKE 'general-application-api-%' OR slug = 'general-application-api-2'")
            .await,
        1
    );
}
