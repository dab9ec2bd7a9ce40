//! The catalog: search, service pages, adopting templates, forms and their versions, the API —
//! driven through the real server as a person (or an institution's system) would.

use crate::support::{Client, Page, TestApp, PASSWORD};
use portico::demo::{DEMO_PASSWORD, DEMO_TOTP_SECRET};
use portico_catalog::forms;
use portico_catalog::CatalogError;
use portico_core::Clock;
use reqwest::StatusCode;
use serde_json::json;

/// Starts the app with the demo data. Starts are spaced out: the test databases are named after
/// a UUIDv7 prefix, which is the same for two ids made in the same millisecond (see the report).
pub async fn seeded() -> TestApp {
    static STARTING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let app = {
        let _one_at_a_time = STARTING.lock().await;
        tokio::time::sleep(std::time::Duration::from_millis(3)).await;
        TestApp::start().await
    };
    portico::demo::seed(&app.db, &app.clock)
        .await
        .expect("demo data");
    app
}

pub async fn administration_id(app: &TestApp, eik: &str) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM administrations WHERE eik = $1")
        .bind(eik)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    id
}

fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The service addresses a results page links to, in order.
fn result_slugs(page: &Page) -> Vec<String> {
    let sel = scraper::Selector::parse("ol.results h2 a").unwrap();
    page.html()
        .select(&sel)
        .filter_map(|a| a.value().attr("href"))
        .map(|h| h.trim_start_matches("/services/").to_owned())
        .collect()
}

pub async fn search(client: &Client, query: &str) -> Vec<String> {
    let page = client.get(&format!("/services?q={}", encode(query))).await;
    assert_eq!(page.status, StatusCode::OK, "{query}");
    result_slugs(&page)
}

/// Signs in with a password and the authenticator code.
async fn sign_in(app: &TestApp, email: &str, password: &str) -> Client {
    let client = app.client();
    let step = client.sign_in_password(email, password).await;
    assert_eq!(step.status, StatusCode::SEE_OTHER, "{}", step.body);
    client.get("/login/second-factor").await;
    let done = client
        .post_form("/login/totp", &[("code", &app.totp(DEMO_TOTP_SECRET))])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    client
}

/// A staff account with the given role in the administration with this EIK, signed in.
pub async fn staff(app: &TestApp, email: &str, eik: &str, role: portico_identity::Role) -> Client {
    use portico_identity::model::NewStaff;
    use portico_identity::service::{accounts, password, roles, totp};
    let administration = administration_id(app, eik).await;
    let hash = password::hash(PASSWORD.to_owned()).await.unwrap();
    let now = app.clock.now();
    let mut tx = app.db.begin().await.unwrap();
    let new = NewStaff {
        given_name: "Анна".into(),
        family_name: "Колева".into(),
        email: email.into(),
        password: String::new(),
    };
    let id = accounts::create_staff(&mut tx, &new, &hash, "test", now)
        .await
        .unwrap();
    totp::enrol_with_secret(&mut tx, &id, DEMO_TOTP_SECRET, now)
        .await
        .unwrap();
    roles::grant(&mut tx, &id, &administration, None, role, "test", now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    sign_in(app, email, PASSWORD).await
}

#[tokio::test]
async fn search_forgives_typos_and_endings_and_ranks_titles_first() {
    let app = seeded().await;
    let c = app.client();
    for query in [
        "адресна регистрация",
        "адресна регистраця",
        "регистрации",
        "Адресната регистрация",
        "address registration",
        "adress registration",
    ] {
        let slugs = search(&c, query).await;
        assert!(
            slugs.len() >= 2
                && slugs[..2]
                    .iter()
                    .all(|s| s.starts_with("address-registration-")),
            "{query}: the two address registrations come first, got {slugs:?}"
        );
    }
    // A service that only mentions address registration in its description comes after them.
    let slugs = search(&c, "адресна регистрация").await;
    let certificate = slugs
        .iter()
        .position(|s| s == "permanent-address-certificate-sofia")
        .expect("the description match is found too");
    assert!(certificate >= 2, "{slugs:?}");
    assert!(!slugs.contains(&"building-permit-sofia".to_owned()));

    // Filtered by administration: Sofia's own services and its districts', no one else's.
    let sofia = administration_id(&app, portico::demo::SOFIA_EIK).await;
    let page = c
        .get(&format!(
            "/services?q={}&administration={sofia}",
            encode("адресна регистрация")
        ))
        .await;
    let slugs = result_slugs(&page);
    assert_eq!(slugs[0], "address-registration-sofia");
    assert!(!slugs.iter().any(|s| s.ends_with("chelopech")), "{slugs:?}");
    assert_eq!(
        page.attr("select#administration option[selected]", "value"),
        Some(sofia.clone()),
        "the filter is kept"
    );
    let heirs = c
        .get(&format!(
            "/services?q={}&administration={sofia}",
            encode("наследници")
        ))
        .await;
    assert_eq!(
        result_slugs(&heirs),
        vec!["heirs-certificate-sredets"],
        "a district's service is Sofia's too; Burgas' is not"
    );
    assert_eq!(
        search(&c, "удостоверение за наследници").await.len(),
        2,
        "Sredets and Burgas"
    );
    let none = c.get("/services?q=xyzzyplugh").await;
    assert_eq!(none.texts("#result-count"), vec!["0"]);
    assert_eq!(
        c.get("/services?administration=not-an-id").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn from_the_home_page_to_the_start_of_the_form_in_three_clicks() {
    let app = seeded().await;
    let c = app.client();
    let home = c.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    // Click 1: search from the home page's one search box.
    let action = home.attr("form[role=search]", "action").unwrap();
    let input = home
        .attr("form[role=search] input[type=search]", "name")
        .unwrap();
    assert_eq!(
        home.attr("label[for=q]", "for").as_deref(),
        Some("q"),
        "the box has a label"
    );
    let results = c
        .get(&format!(
            "{action}?{input}={}",
            encode("адресна регистрация")
        ))
        .await;
    // Click 2: the first result.
    let first = results.attr("ol.results h2 a", "href").unwrap();
    assert!(
        first.starts_with("/services/address-registration-"),
        "{first}"
    );
    let service = c.get(&first).await;
    assert_eq!(service.status, StatusCode::OK);
    // Click 3: start.
    let start = service.attr("a#start", "href").unwrap();
    assert_eq!(start, format!("{first}/apply"));

    // The same through a life event instead of the search box.
    let moving = home
        .html()
        .select(&scraper::Selector::parse("a").unwrap())
        .find(|a| a.text().collect::<String>() == "Смяна на адрес")
        .and_then(|a| a.value().attr("href").map(str::to_owned))
        .unwrap();
    let listed = c.get(&moving).await;
    assert!(result_slugs(&listed).contains(&"address-registration-sofia".to_owned()));
}

#[tokio::test]
async fn the_service_page_shows_every_fact() {
    let app = seeded().await;
    let c = app.client();
    let page = c.get("/services/address-registration-sofia").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts("h1"), vec!["Адресна регистрация"]);
    let facts = page.texts("#facts dd").join(" | ");
    for expected in [
        "Столична община",
        "Закон за гражданската регистрация",
        "3 работни дни",
        "Безплатна",
        "В електронната ви пощенска кутия в Портико",
        "Адресна регистрация",
        "Смяна на адрес",
    ] {
        assert!(facts.contains(expected), "{expected} missing from {facts}");
    }
    assert_eq!(page.texts("#who-may-apply li").len(), 2);
    assert_eq!(page.texts("#required-documents li").len(), 2);
    assert!(page
        .texts("#contact dd")
        .join(" ")
        .contains("+359 2 9377 591"));

    let paid = c.get("/services/building-permit-sofia").await;
    let facts = paid.texts("#facts dd").join(" | ");
    assert!(facts.contains("50,00 €"), "{facts}");
    assert!(
        facts.contains("Според разгънатата застроена площ"),
        "{facts}"
    );
    assert!(facts.contains("С банкова карта онлайн"), "{facts}");

    c.get("/lang?to=en&back=/").await;
    let english = c.get("/services/address-registration-sofia").await;
    assert_eq!(english.texts("h1"), vec!["Address registration"]);
    assert!(english
        .texts("#facts dd")
        .join(" ")
        .contains("3 working days"));

    assert_eq!(
        c.get("/services/no-such-service").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.get("/services/..%2F..%2Fetc").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_new_form_version_leaves_the_old_one_unchanged() {
    let app = seeded().await;
    let first = forms::current(&app.db, "address-registration")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.version, 1);
    let (schema, mut layout) = portico_catalog::demo::address_registration_form();
    layout["steps"][1]["title"]["bg"] = json!("Новият ви адрес");
    let mut tx = app.db.begin().await.unwrap();
    let second = forms::publish(
        &mut tx,
        "address-registration",
        &schema,
        &layout,
        "test",
        app.clock.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(second.version, 2);
    assert_ne!(second.id, first.id);

    // An application started with version 1 still finds exactly what it was filled with.
    let old = forms::get_version(&app.db, &first.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(old.version, 1);
    assert_eq!(old.layout, first.layout);
    assert_eq!(old.schema, first.schema);
    assert_eq!(old.steps()[1].title.bg, "Новият адрес");
    let current = forms::current(&app.db, "address-registration")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(current.id, second.id);
    assert_eq!(current.steps()[1].title.bg, "Новият ви адрес");
    let api = app
        .client()
        .get(&format!("/api/v1/form-versions/{}", first.id))
        .await;
    assert_eq!(api.json()["version"], 1);

    // A layout that names a field the schema does not have is refused, and nothing is stored.
    let rows = app.count("SELECT COUNT(*) FROM forms").await;
    let mut broken = layout.clone();
    broken["steps"][0]["fields"][1]["name"] = json!("no_such_field");
    let mut tx = app.db.begin().await.unwrap();
    let refused = forms::publish(
        &mut tx,
        "address-registration",
        &schema,
        &broken,
        "test",
        app.clock.now(),
    )
    .await;
    assert!(
        matches!(refused, Err(CatalogError::BadForm(_))),
        "{refused:?}"
    );
    drop(tx);
    assert_eq!(app.count("SELECT COUNT(*) FROM forms").await, rows);
}

#[tokio::test]
async fn invalid_form_data_is_refused_field_by_field() {
    let app = seeded().await;
    let form = forms::current(&app.db, "address-registration")
        .await
        .unwrap()
        .unwrap();
    let today = app.clock.now().date_naive();
    let posted = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    let refused = form
        .parse_step(
            &app.db,
            1,
            &posted(&[
                ("address", "sof-9999"),
                ("owns_home", "no"),
                ("owner_egn", "7523169264"),
            ]),
            today,
        )
        .await;
    let errors: Vec<(String, String)> = match refused {
        Err(CatalogError::Invalid(errors)) => {
            errors.into_iter().map(|e| (e.field, e.code)).collect()
        }
        other => panic!("expected field errors, got {other:?}"),
    };
    assert_eq!(
        errors,
        vec![
            ("address_kind".into(), "form.choose".into()),
            ("address".into(), "form.address.unknown".into()),
            ("owner_egn".into(), "personal_id.bad_checksum".into()),
        ]
    );
    let accepted = form
        .parse_step(
            &app.db,
            1,
            &posted(&[
                ("address_kind", "permanent"),
                ("address", "sof-0008"),
                ("owns_home", "yes"),
            ]),
            today,
        )
        .await
        .unwrap();
    assert_eq!(accepted["address"], "sof-0008");
    let adult = crate::support::fresh_egn();
    let too_old = form
        .parse_step(
            &app.db,
            0,
            &posted(&[("include_children", "yes"), ("children_egns", &adult)]),
            today,
        )
        .await;
    assert!(
        matches!(&too_old, Err(CatalogError::Invalid(e)) if e[0].code == "form.egn.too_old"),
        "{too_old:?}"
    );

    // The same through the pages: an error summary, a message at each field, what was typed kept.
    let audit = app.count("SELECT COUNT(*) FROM audit_log").await;
    let c = app.client();
    let preview = c.get("/forms/address-registration/preview?step=2").await;
    assert_eq!(preview.status, StatusCode::OK);
    for id in ["address_kind", "address", "owns_home", "owner_egn"] {
        assert!(
            preview.attr(&format!("#{id}"), "name").is_some(),
            "{id} has an input"
        );
    }
    let sel = scraper::Selector::parse("input:not([type=hidden]), select, textarea").unwrap();
    let html = preview.html();
    for input in html.select(&sel) {
        let id = input.value().attr("id").expect("every input has an id");
        let label = scraper::Selector::parse(&format!("label[for='{id}']")).unwrap();
        assert!(html.select(&label).next().is_some(), "{id} has a label");
    }
    let page = c
        .post_form(
            "/forms/address-registration/preview?step=2",
            &[
                ("address", "sof-9999"),
                ("owns_home", "no"),
                ("owner_egn", "7523169264"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.texts(".error-summary a"),
        vec![
            "Изберете постоянен или настоящ адрес",
            "Изберете адрес от списъка",
            "Въведеното ЕГН/ЛНЧ не е валидно — проверете цифрите",
        ]
    );
    assert_eq!(
        page.attr(".error-summary a", "href").as_deref(),
        Some("#address_kind")
    );
    assert_eq!(
        page.attr("#owner_egn", "aria-describedby").as_deref(),
        Some("owner_egn-hint owner_egn-error")
    );
    assert_eq!(
        page.attr("#owner_egn", "value").as_deref(),
        Some("7523169264")
    );
    assert_eq!(page.texts(".form-group--error").len(), 3);
    assert!(page.texts("title")[0].starts_with("Грешка:"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log").await,
        audit,
        "nothing is stored"
    );
    let ok = c
        .post_form(
            "/forms/address-registration/preview?step=2",
            &[
                ("address_kind", "current"),
                ("address", "sof-0001"),
                ("owns_home", "yes"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.texts(".notification").len(), 1);
}

#[tokio::test]
async fn only_an_administrations_admins_may_adopt_for_it() {
    let app = seeded().await;
    let sofia = administration_id(&app, portico::demo::SOFIA_EIK).await;
    let anonymous = app.client();
    let page = anonymous.get("/admin/catalog/adopt").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(page.location().starts_with("/login?next="));

    let (citizen, _) = app.register("citizen@example.bg").await;
    assert_eq!(
        citizen.get("/admin/catalog/adopt").await.status,
        StatusCode::FORBIDDEN
    );

    let burgas_admin = staff(
        &app,
        "admin@burgas.example.bg",
        "000056814",
        portico_identity::Role::AdministrationAdmin,
    )
    .await;
    let own = burgas_admin.get("/admin/catalog/adopt").await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(own.texts(".caption"), vec!["Община Бургас"]);
    let other = burgas_admin
        .get(&format!("/admin/catalog/adopt?administration={sofia}"))
        .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    let services = app.count("SELECT COUNT(*) FROM services").await;
    let forged = burgas_admin
        .post_form(
            "/admin/catalog/adopt",
            &[
                ("administration_id", &sofia),
                ("template", "address-registration"),
                ("slug", "address-registration-sofia-2"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) FROM services").await, services);

    // An operator is staff, but not an admin.
    let operator = staff(
        &app,
        "operator@burgas.example.bg",
        "000056814",
        portico_identity::Role::Operator,
    )
    .await;
    assert_eq!(
        operator.get("/admin/catalog/adopt").await.status,
        StatusCode::FORBIDDEN
    );

    // The platform admin may act for anyone, after choosing whom for.
    let platform = sign_in(&app, "platform@portico.demo", DEMO_PASSWORD).await;
    let choose = platform.get("/admin/catalog/adopt").await;
    assert_eq!(choose.status, StatusCode::OK);
    assert!(choose.texts("li a").iter().any(|t| t == "Община Бургас"));
}

#[tokio::test]
async fn an_admin_adopts_a_template_in_one_screen_with_overrides() {
    let app = seeded().await;
    let admin = staff(
        &app,
        "admin@burgas.example.bg",
        "000056814",
        portico_identity::Role::AdministrationAdmin,
    )
    .await;
    let burgas = administration_id(&app, "000056814").await;
    let c = app.client();
    let theirs = |s: &String| {
        s.starts_with("address-registration-")
            && ![
                "address-registration-sofia",
                "address-registration-chelopech",
            ]
            .contains(&s.as_str())
    };
    assert!(
        !search(&c, "адресна регистрация").await.iter().any(theirs),
        "not yet"
    );
    let screen = admin.get("/admin/catalog/adopt").await;
    assert_eq!(
        screen.attr("input[name=template]", "value").as_deref(),
        Some("address-registration")
    );

    let services = app.count("SELECT COUNT(*) FROM services").await;
    let wrong = admin
        .post_form(
            "/admin/catalog/adopt",
            &[
                ("administration_id", &burgas),
                ("template", "address-registration"),
                ("fee", "два лева"),
                ("deadline", "-3"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        wrong.texts(".error-summary a"),
        vec![
            "Въведете такса като сума, например 5,00",
            "Срокът трябва да е цяло число работни дни между 0 и 365"
        ]
    );
    assert_eq!(wrong.attr("#fee", "value").as_deref(), Some("два лева"));
    assert_eq!(app.count("SELECT COUNT(*) FROM services").await, services);

    let done = admin
        .post_form(
            "/admin/catalog/adopt",
            &[
                ("administration_id", &burgas),
                ("template", "address-registration"),
                ("fee", "2,50"),
                ("deadline", "5"),
                ("units", "cao"),
                ("contact_phone", "+359 56 907 200"),
                ("contact_email", "cao@burgas.bg"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/services/address-registration-burgas");
    let page = c.get("/services/address-registration-burgas").await;
    let facts = page.texts("#facts dd").join(" | ");
    assert!(facts.contains("2,50 €"), "{facts}");
    assert!(facts.contains("5 работни дни"), "{facts}");
    assert!(
        facts.contains("Закон за гражданската регистрация"),
        "from the template: {facts}"
    );
    assert!(page
        .texts("#contact dd")
        .join(" ")
        .contains("cao@burgas.bg"));
    assert_eq!(
        page.attr("a#start", "href").as_deref(),
        Some("/services/address-registration-burgas/apply")
    );
    let service = portico_catalog::service::by_slug(&app.db, "address-registration-burgas")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(service.facts.units, vec!["cao"]);
    assert_eq!(service.form_key.as_deref(), Some("address-registration"));
    assert_eq!(service.process_key, "address-registration");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'catalog.service_adopted'")
            .await,
        i64::try_from(portico_catalog::demo::ADOPTIONS.len()).unwrap() + 1,
        "the demo's adoptions and Burgas'"
    );
    // The adopting node's index sees it at once.
    let found = c
        .get(&format!(
            "/services?q={}&administration={burgas}",
            encode("адресна регистрация")
        ))
        .await;
    assert_eq!(
        result_slugs(&found).first().map(String::as_str),
        Some("address-registration-burgas")
    );

    // Adopting the same template twice is refused.
    admin.get("/admin/catalog/adopt").await;
    let again = admin
        .post_form(
            "/admin/catalog/adopt",
            &[
                ("administration_id", &burgas),
                ("template", "address-registration"),
                ("slug", "address-registration-burgas-2"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        again.texts(".error-summary a"),
        vec!["Администрацията вече предоставя тази услуга"]
    );
}

#[tokio::test]
async fn the_json_api_searches_and_describes_services() {
    let app = seeded().await;
    let c = app.client();
    let found = c.get("/api/v1/services?q=address%20registration").await;
    assert_eq!(found.status, StatusCode::OK);
    let body = found.json();
    assert!(body["total"].as_u64().unwrap() >= 2);
    assert!(body["items"][0]["slug"]
        .as_str()
        .unwrap()
        .starts_with("address-registration-"));
    assert_eq!(body["items"][0]["title"]["en"], "Address registration");

    let sofia = administration_id(&app, portico::demo::SOFIA_EIK).await;
    let filtered = c
        .get(&format!(
            "/api/v1/services?q=registration&administration={sofia}&limit=1"
        ))
        .await
        .json();
    assert_eq!(filtered["items"].as_array().unwrap().len(), 1);
    assert_eq!(filtered["items"][0]["slug"], "address-registration-sofia");

    let unknown = c
        .get("/api/v1/services?administration=0190a000-0000-7000-8000-000000000000")
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.json()["error"]["code"], "not_found");

    let service = c
        .get("/api/v1/services/address-registration-sofia")
        .await
        .json();
    assert_eq!(service["deadline_working_days"], 3);
    assert_eq!(service["fee"]["minor"], 0);
    assert_eq!(service["process_key"], "address-registration");
    assert_eq!(service["units"].as_array().unwrap().len(), 24);

    let form = c.get("/api/v1/forms/address-registration").await.json();
    assert_eq!(form["version"], 1);
    assert_eq!(form["layout"]["steps"].as_array().unwrap().len(), 3);

    let doc = c.get("/api/v1/openapi.json").await.json();
    for path in [
        "/api/v1/services",
        "/api/v1/services/{slug}",
        "/api/v1/forms/{form_key}",
        "/api/v1/form-versions/{id}",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is documented");
    }
}

#[tokio::test]
async fn seeding_the_catalog_twice_changes_nothing() {
    let app = seeded().await;
    let counts = || async {
        let mut v = Vec::new();
        for table in [
            "services",
            "service_templates",
            "forms",
            "nomenclature_entries",
            "audit_log",
        ] {
            v.push(app.count(&format!("SELECT COUNT(*) FROM {table}")).await);
        }
        v
    };
    let first = counts().await;
    assert_eq!(first[3], 32 + 5, "Sofia's addresses and Chelopech's");
    portico_catalog::demo::seed(&app.db, &app.clock)
        .await
        .unwrap();
    assert_eq!(counts().await, first);
}

/// Before starting, a person is told what they will need: to sign in (with an EGN, or an LNCh
/// for a foreign national), a code to confirm, and the EGN of each person whose consent the
/// service's form can ask for.
#[tokio::test]
async fn the_service_page_says_what_you_will_need_before_you_start() {
    let app = TestApp::start().await;
    portico::demo::seed(&app.db, &app.clock).await.unwrap();
    let c = app.client();
    let page = c.get("/services/address-registration-sofia").await;
    let needs = page.texts("#what-you-need li");
    assert_eq!(needs.len(), 4, "{needs:?}");
    assert!(needs[0].contains("ЛНЧ"), "{needs:?}");
    assert!(needs[1].contains("по имейл или SMS"), "{needs:?}");
    assert!(
        needs[2].starts_with("ЕГН на собственик на жилището"),
        "{needs:?}"
    );
    assert!(
        needs[3].starts_with("ЕГН на родител на детето"),
        "{needs:?}"
    );
    let plain = c.get("/services/building-permit-sofia").await;
    assert_eq!(plain.texts("#what-you-need li").len(), 2);
}

/// No link leads to an empty list: topics and life events with no published service are not
/// offered; a search that finds nothing says what to try and offers the topics that have some.
#[tokio::test]
async fn empty_topics_are_hidden_and_an_empty_search_offers_a_way_on() {
    let app = TestApp::start().await;
    portico::demo::seed(&app.db, &app.clock).await.unwrap();
    // The demo has a service under every topic: take those of one topic and one life event off.
    sqlx::query(
        "UPDATE services SET published_at = NULL WHERE topic = 'social' OR life_event = 'birth'",
    )
    .execute(app.db.pool())
    .await
    .unwrap();
    sqlx::query("UPDATE catalog_version SET version = version + 1 WHERE id = 1")
        .execute(app.db.pool())
        .await
        .unwrap();
    let c = app.client();
    let home = c.get("/").await;
    let links: Vec<String> = home
        .html()
        .select(&scraper::Selector::parse("a[href^='/services?']").unwrap())
        .filter_map(|a| a.value().attr("href").map(str::to_owned))
        .collect();
    assert!(
        links.contains(&"/services?topic=address".to_owned()),
        "{links:?}"
    );
    assert!(
        !links.contains(&"/services?topic=social".to_owned()),
        "{links:?}"
    );
    assert!(
        !links.contains(&"/services?life_event=birth".to_owned()),
        "{links:?}"
    );
    for link in &links {
        let page = c.get(link).await;
        assert_ne!(
            page.texts("#result-count"),
            vec!["0"],
            "{link} lists nothing"
        );
    }

    let none = c.get("/services?q=xyzzyqwerty").await;
    assert_eq!(none.texts("#result-count"), vec!["0"]);
    assert_eq!(none.texts("#search-suggestions li").len(), 3);
    let topics = none.texts("#search-topics a");
    assert!(
        topics.contains(&"Адресна регистрация".to_owned()),
        "{topics:?}"
    );
}

/// Every link in the adopt page's error summary leads to an input on the page.
#[tokio::test]
async fn the_adopt_pages_error_summary_links_to_inputs_that_exist() {
    let app = seeded().await;
    let admin = staff(
        &app,
        "admin-links@burgas.example.bg",
        "000056814",
        portico_identity::Role::AdministrationAdmin,
    )
    .await;
    let sofia = administration_id(&app, "000056814").await;
    let wrong = admin
        .post_form(
            "/admin/catalog/adopt",
            &[
                ("administration_id", &sofia),
                ("fee", "два лева"),
                ("units", "no-such-unit"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = wrong.html();
    let links: Vec<String> = html
        .select(&scraper::Selector::parse(".error-summary a").unwrap())
        .filter_map(|a| a.value().attr("href").map(str::to_owned))
        .collect();
    assert!(links.len() >= 3, "{links:?}");
    for link in links {
        let id = link.trim_start_matches('#');
        let selector = scraper::Selector::parse(&format!(
            "input[id='{id}'], select[id='{id}'], textarea[id='{id}']"
        ))
        .unwrap();
        assert!(
            html.select(&selector).next().is_some(),
            "{link} leads nowhere"
        );
    }
}
