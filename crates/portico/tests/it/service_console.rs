//! The service console (issue 15, item 2): an administration admin changes what is its own on a
//! service it provides (fee, deadline, the unit that receives the applications, contacts and
//! opening hours, payment and delivery channels, required documents), withdraws it and publishes
//! it again. A refusal names each field and changes nothing; nobody else reaches the page.

use crate::catalog::{administration_id, search, seeded, staff};
use crate::support::TestApp;
use portico::demo::SOFIA_EIK;
use portico_core::Clock;
use portico_identity::Role;
use reqwest::StatusCode;

pub const SLUG: &str = "birth-certificate-sofia";
pub const PAGE: &str = "/admin/services/birth-certificate-sofia";

/// The values of an attribute of every element the selector finds.
fn attrs(page: &crate::support::Page, selector: &str, attr: &str) -> Vec<String> {
    page.html()
        .select(&scraper::Selector::parse(selector).unwrap())
        .filter_map(|e| e.value().attr(attr).map(str::to_owned))
        .collect()
}

pub async fn stored_fee(app: &TestApp) -> i64 {
    app.count(&format!(
        "SELECT fee_minor FROM services WHERE slug = '{SLUG}'"
    ))
    .await
}

pub fn valid<'a>(fee: &'a str, main_unit: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("fee", fee),
        ("fee_note_bg", "Двойна такса при бърза услуга"),
        ("fee_note_en", "Double for the express service"),
        ("deadline", "3"),
        ("main_unit", main_unit),
        ("contact_phone", "02 987 6543"),
        ("contact_email", "grao@sofia.bg"),
        ("contact_address_bg", "ул. Московска 33"),
        ("contact_address_en", "33 Moskovska Street"),
        ("contact_hours_bg", "пон.–пет. 8:30–17:30"),
        ("contact_hours_en", "Mon–Fri 8:30–17:30"),
        ("payment_options", "card"),
        ("payment_options", "cash"),
        ("delivery_channels", "edelivery"),
        (
            "documents_bg",
            "Лична карта\nПълномощно, ако подавате за друг",
        ),
        (
            "documents_en",
            "Identity card\nA power of attorney if you apply for someone else",
        ),
    ]
}

#[tokio::test]
async fn an_admin_sets_the_local_parts_of_a_service_and_withdraws_it() {
    let app = seeded().await;
    let admin = staff(
        &app,
        "console@sofia.bg",
        SOFIA_EIK,
        Role::AdministrationAdmin,
    )
    .await;

    // The console lists the service and leads to its page.
    let console = admin.get("/admin").await;
    assert_eq!(console.status, StatusCode::OK);
    assert!(
        attrs(&console, "a.console-service", "href").contains(&PAGE.to_owned()),
        "{:?}",
        attrs(&console, "a.console-service", "href")
    );
    let page = admin.get(PAGE).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.attr("#fee", "value").as_deref(), Some("5.00"));
    assert_eq!(page.texts("#service-status .tag"), vec!["Публикувана"]);

    // Refused with each reason; nothing changed.
    let mut bad = valid("пет лева", "cao");
    bad.retain(|(k, _)| *k != "documents_en" && *k != "payment_options");
    bad.push(("documents_en", "Identity card"));
    bad.push(("units", "not-a-unit"));
    let refused = admin.post_form(PAGE, &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        attrs(&refused, ".error-summary a", "href"),
        vec!["#fee", "#required_documents"]
    );
    assert_eq!(
        refused.attr("#contact_hours_bg", "value").as_deref(),
        Some("пон.–пет. 8:30–17:30"),
        "what was typed is kept"
    );
    let mut no_unit = valid("7,50", "no-such-unit");
    no_unit.retain(|(k, _)| *k != "payment_options");
    let refused = admin.post_form(PAGE, &no_unit).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        attrs(&refused, ".error-summary a", "href"),
        vec!["#units", "#payment_options"]
    );
    assert_eq!(stored_fee(&app).await, 500);
    let raw = admin.post_raw(PAGE, &valid("1", "cao")).await;
    assert_eq!(raw.status, StatusCode::FORBIDDEN, "without the CSRF token");
    assert_eq!(stored_fee(&app).await, 500);

    // Saved: the public page shows the new facts.
    let saved = admin.post_form(PAGE, &valid("7,50", "cao")).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location(), format!("{PAGE}?done=saved"));
    assert_eq!(stored_fee(&app).await, 750);
    let public = app.client().get(&format!("/services/{SLUG}")).await;
    assert_eq!(public.status, StatusCode::OK);
    for shown in [
        "7,50 €",
        "Двойна такса при бърза услуга",
        "пон.–пет. 8:30–17:30",
        "grao@sofia.bg",
        "Пълномощно, ако подавате за друг",
    ] {
        assert!(public.body.contains(shown), "{shown} on the service page");
    }
    let again = admin.get(PAGE).await;
    assert_eq!(again.attr("#deadline", "value").as_deref(), Some("3"));
    assert_eq!(
        again
            .attr("#main_unit option[selected]", "value")
            .as_deref(),
        Some("cao")
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'catalog.service_changed'")
            .await,
        1
    );

    // Withdrawn: no page, not found by search, no new application; then published again.
    let (citizen, _) = app.register("console.citizen@example.bg").await;
    assert!(search(&citizen, "удостоверение за раждане")
        .await
        .contains(&SLUG.to_owned()));
    let withdrawn = admin
        .post_form(&format!("{PAGE}/publication"), &[("publish", "no")])
        .await;
    assert_eq!(
        withdrawn.status,
        StatusCode::SEE_OTHER,
        "{}",
        withdrawn.body
    );
    assert_eq!(withdrawn.location(), format!("{PAGE}?done=unpublished"));
    assert_eq!(
        app.client().get(&format!("/services/{SLUG}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(!search(&citizen, "удостоверение за раждане")
        .await
        .contains(&SLUG.to_owned()));
    assert_eq!(
        citizen.get(&format!("/services/{SLUG}/apply")).await.status,
        StatusCode::NOT_FOUND
    );
    let console = admin.get("/admin").await;
    assert!(console.body.contains("Не е публикувана"));
    let page = admin.get(PAGE).await;
    assert_eq!(page.texts("#service-status .tag"), vec!["Не е публикувана"]);
    let published = admin
        .post_form(&format!("{PAGE}/publication"), &[("publish", "yes")])
        .await;
    assert_eq!(published.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.client().get(&format!("/services/{SLUG}")).await.status,
        StatusCode::OK
    );
    assert!(search(&citizen, "удостоверение за раждане")
        .await
        .contains(&SLUG.to_owned()));
    let sofia = administration_id(&app, SOFIA_EIK).await;
    for action in ["catalog.service_unpublished", "catalog.service_published"] {
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM audit_log WHERE action = '{action}' AND administration_id = '{sofia}'"
            ))
            .await,
            1,
            "{action}"
        );
    }
}

#[tokio::test]
async fn nobody_else_reaches_a_services_console() {
    let app = seeded().await;
    // Burgas' admin, Sofia's operator and a citizen: the page is not there for them.
    let burgas_eik = {
        let (eik,): (String,) =
            sqlx::query_as("SELECT eik FROM administrations WHERE name_en LIKE 'Burgas%'")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        eik
    };
    let other = staff(
        &app,
        "console@burgas.bg",
        &burgas_eik,
        Role::AdministrationAdmin,
    )
    .await;
    let operator = staff(&app, "operator@sofia.bg", SOFIA_EIK, Role::Operator).await;
    let (citizen, _) = app.register("console.nosy@example.bg").await;
    for client in [&other, &operator, &citizen] {
        assert_eq!(client.get(PAGE).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            client.post_form(PAGE, &valid("0", "cao")).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            client
                .post_form(&format!("{PAGE}/publication"), &[("publish", "no")])
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
    assert_eq!(
        app.client().get(PAGE).await.status,
        StatusCode::SEE_OTHER,
        "sign in first"
    );
    assert_eq!(stored_fee(&app).await, 500);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM services WHERE slug = '{SLUG}' AND published_at IS NOT NULL"
        ))
        .await,
        1
    );
    // A platform admin may.
    let platform = staff(&app, "console@platform.bg", SOFIA_EIK, Role::PlatformAdmin).await;
    assert_eq!(platform.get(PAGE).await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_console_shows_which_form_version_each_application_in_progress_uses() {
    let app = seeded().await;
    let admin = staff(
        &app,
        "versions@sofia.bg",
        SOFIA_EIK,
        Role::AdministrationAdmin,
    )
    .await;
    let list = format!("{PAGE}/applications");
    let page = admin.get(PAGE).await;
    assert_eq!(
        page.attr("#service-applications", "href").as_deref(),
        Some(list.as_str())
    );
    let empty = admin.get(&list).await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
    assert_eq!(empty.texts("#no-applications").len(), 1);

    // A citizen starts an application; then the form gets a new version.
    let (citizen, _) = app.register("versions.citizen@example.bg").await;
    let started = citizen.get(&format!("/services/{SLUG}/apply")).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let (form_key,): (String,) = sqlx::query_as("SELECT form_key FROM services WHERE slug = $1")
        .bind(SLUG)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let (schema, layout, version): (String, String, i64) = sqlx::query_as(
        "SELECT schema_json, layout_json, version FROM forms WHERE form_key = $1 ORDER BY version DESC LIMIT 1",
    )
    .bind(&form_key)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let mut tx = app.db.begin().await.unwrap();
    portico_catalog::forms::publish(
        &mut tx,
        &form_key,
        &serde_json::from_str(&schema).unwrap(),
        &serde_json::from_str(&layout).unwrap(),
        "test",
        app.clock.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let listed = admin.get(&list).await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(
        listed.texts("#current-form-version strong"),
        vec![(version + 1).to_string()]
    );
    let rows = listed.texts("#service-applications tbody tr");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        listed.texts("#service-applications .form-version"),
        vec![format!("{version} по-ранна версия")]
    );

    // Another administration's admin does not see them.
    let (burgas_eik,): (String,) =
        sqlx::query_as("SELECT eik FROM administrations WHERE name_en LIKE 'Burgas%'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    let other = staff(
        &app,
        "versions@burgas.bg",
        &burgas_eik,
        Role::AdministrationAdmin,
    )
    .await;
    assert_eq!(other.get(&list).await.status, StatusCode::NOT_FOUND);
    assert_eq!(citizen.get(&list).await.status, StatusCode::NOT_FOUND);
}
