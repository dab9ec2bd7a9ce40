//! The administration's forms, driven like a browser without JavaScript: Sofia's admin finds
//! them from the console, opens a participatory process (bad input refused with its reason in
//! Bulgarian and English, nothing saved), changes its rules (with the version they saw), and
//! opens a public consultation; each is in the audit log as through the API; no CSRF token,
//! a citizen or the platform's admin changes nothing.

use super::ballots::fixture;
use super::*;
use crate::support::{Client, Page};
use portico_core::Clock;

/// The day `n` days from the test clock's today in Sofia, as a date input sends it.
fn day(app: &TestApp, n: i64) -> String {
    (portico_core::calendar::sofia_date(app.clock.now()) + chrono::TimeDelta::days(n)).to_string()
}

fn process_form(app: &TestApp, administration: &str) -> Vec<(String, String)> {
    [
        ("administration", administration.to_owned()),
        ("title_bg", "Бургас избира".to_owned()),
        ("title_en", "Burgas Chooses".to_owned()),
        ("slug", "burgas-chooses".to_owned()),
        ("theme", "green".to_owned()),
        ("proposals_from", day(app, 0)),
        ("proposals_until", day(app, 10)),
        ("review_until", day(app, 20)),
        ("voting_from", day(app, 21)),
        ("voting_until", day(app, 30)),
        ("results_from", day(app, 31)),
        (
            "topics",
            "trees; Дървета; Trees\r\nmobility; Мобилност; Mobility".to_owned(),
        ),
        ("proposers", "residents".to_owned()),
        ("voter_area", "sredets".to_owned()),
        ("min_age", "16".to_owned()),
        ("budget", "1 000 000".to_owned()),
        ("currency", "BGN".to_owned()),
        ("ballot_rule", "up_to_n".to_owned()),
        ("max_choices", "3".to_owned()),
        ("allow_change", "yes".to_owned()),
        ("legal_basis", "ЗМСМА, чл. 17".to_owned()),
        ("boundary", String::new()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// The form with one field changed.
fn with(form: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
    form.iter()
        .map(|(k, v)| {
            (
                k.clone(),
                if k == name {
                    value.to_owned()
                } else {
                    v.clone()
                },
            )
        })
        .collect()
}

async fn post(client: &Client, path: &str, form: &[(String, String)]) -> Page {
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    client.post_form(path, &fields).await
}

async fn processes_in_db(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM participation_processes")
        .await
}

#[tokio::test]
async fn sofias_admin_opens_a_process_and_changes_its_rules_on_the_pages() {
    let fx = fixture().await;
    let admin = crate::cases::staff(&fx.app, "admin@sofia.portico.demo").await;
    // From the console to the participation pages, and to the form for Sofia.
    let console = admin.get("/admin").await;
    assert_eq!(
        console.attr(".console-participation", "href").as_deref(),
        Some("/participation/admin")
    );
    let list = admin.get("/participation/admin").await;
    let link = list.attr(".open-process", "href").unwrap();
    assert_eq!(
        link,
        format!("/participation/admin/processes?administration={}", fx.sofia)
    );
    let form = admin.get(&link).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let good = process_form(&fx.app, &fx.sofia);

    // Bad input is refused with its reason next to the field, nothing saved.
    for (name, value, field, message) in [
        (
            "title_en",
            "",
            "title_bg",
            "Дайте заглавие на процеса на български и на английски.",
        ),
        (
            "voting_from",
            "скоро",
            "voting_from",
            "Въведете дата с ден, месец и година",
        ),
        (
            "voting_until",
            &day(&fx.app, 5),
            "proposals_from",
            "Датите на етапите трябва да следват",
        ),
        (
            "topics",
            "trees Дървета",
            "topics",
            "Напишете всяка тема на отделен ред",
        ),
        (
            "budget",
            "много",
            "budget",
            "Бюджетът трябва да е положителна сума",
        ),
        (
            "boundary",
            "{\"type\": \"Point\"",
            "boundary",
            "GeoJSON Polygon или MultiPolygon",
        ),
        ("slug", "Бургас", "slug", "Краткото име може да съдържа"),
    ] {
        let refused = post(
            &admin,
            "/participation/admin/processes",
            &with(&good, name, value),
        )
        .await;
        assert_eq!(refused.status, StatusCode::OK, "{name}");
        assert_eq!(
            refused.attr(".error-summary a", "href").as_deref(),
            Some(format!("#{field}").as_str()),
            "{name}"
        );
        assert!(
            refused.texts(&format!("#{field}-error"))[0].contains(message),
            "{name}: {:?}",
            refused.texts(".error-message")
        );
        // What was typed is kept.
        assert_eq!(
            refused.attr("#title_bg", "value").as_deref(),
            Some("Бургас избира")
        );
    }
    // No token, nothing saved.
    let fields: Vec<(&str, &str)> = good.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let forged = admin
        .post_raw("/participation/admin/processes", &fields)
        .await;
    assert_ne!(forged.status, StatusCode::SEE_OTHER);
    assert_eq!(processes_in_db(&fx.app).await, 0);

    // In English.
    admin.get("/lang?to=en&back=/participation/admin").await;
    admin.get(&link).await;
    let english = post(
        &admin,
        "/participation/admin/processes",
        &with(&good, "review_until", "x"),
    )
    .await;
    assert!(english.texts("#review_until-error")[0].contains("Give a date as day, month and year"));
    admin.get("/lang?to=bg&back=/participation/admin").await;
    admin.get(&link).await;

    let opened = post(&admin, "/participation/admin/processes", &good).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    assert_eq!(
        opened.location(),
        "/participation/burgas-chooses/admin?opened=1"
    );
    let shown = admin.get(opened.location()).await;
    assert!(shown.body.contains("Процесът е открит."));
    let api = fx
        .app
        .client()
        .get("/api/v1/participation/processes/burgas-chooses")
        .await
        .json();
    assert_eq!(api["administration_id"], fx.sofia.as_str());
    assert_eq!(api["phase"], "proposals");
    assert_eq!(api["rules"]["budget_minor"], 100_000_000);
    assert_eq!(api["rules"]["proposers"], "residents");
    assert_eq!(api["rules"]["voter_area"], "sredets");
    assert_eq!(api["rules"]["allow_change"], true);
    assert_eq!(api["rules"]["tally_live"], false);
    assert_eq!(api["topics"][1]["name_en"], "Mobility");
    // The voting opens at 00:00 Sofia time on its day.
    let voting_from = api["phases"]["voting_from"].as_i64().unwrap();
    let at = chrono::DateTime::from_timestamp_millis(voting_from).unwrap();
    assert_eq!(
        portico_core::calendar::sofia_local(at).to_string(),
        format!("{} 00:00:00", day(&fx.app, 21))
    );
    assert_eq!(
        fx.app
            .count("SELECT COUNT(*) FROM audit_log WHERE action = 'participation.process_opened'")
            .await,
        1
    );
    // The same short name again is refused.
    let again = post(&admin, "/participation/admin/processes", &good).await;
    assert!(again.texts("#slug-error")[0].contains("Друг процес вече има"));

    // The rules: from the process's admin page, filled in as they are.
    assert_eq!(
        shown.attr("#change-rules", "href").as_deref(),
        Some("/participation/burgas-chooses/rules")
    );
    let rules = admin.get("/participation/burgas-chooses/rules").await;
    assert_eq!(rules.status, StatusCode::OK, "{}", rules.body);
    assert_eq!(rules.attr("#budget", "value").as_deref(), Some("1000000"));
    assert_eq!(
        rules.attr("#voter_area", "value").as_deref(),
        Some("sredets")
    );
    let version = rules.attr("[name=version]", "value").unwrap();
    let change: Vec<(String, String)> = [
        ("version", version.as_str()),
        ("proposers", "anyone"),
        ("voter_area", "municipality"),
        ("min_age", "18"),
        ("budget", "2 000 000"),
        ("currency", "BGN"),
        ("ballot_rule", "knapsack"),
        ("max_choices", ""),
        ("tally_live", "yes"),
        ("legal_basis", "ЗМСМА, чл. 17"),
        ("boundary", ""),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let bad = post(
        &admin,
        "/participation/burgas-chooses/rules",
        &with(&change, "min_age", "200"),
    )
    .await;
    assert!(bad.texts("#min_age-error")[0].contains("Минималната възраст"));
    let saved = post(&admin, "/participation/burgas-chooses/rules", &change).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert!(admin
        .get(saved.location())
        .await
        .body
        .contains("Правилата са запазени."));
    let api = fx
        .app
        .client()
        .get("/api/v1/participation/processes/burgas-chooses")
        .await
        .json();
    assert_eq!(api["rules"]["budget_minor"], 200_000_000);
    assert_eq!(api["rules"]["ballot_rule"], "knapsack");
    assert_eq!(api["rules"]["min_age"], 18);
    assert_eq!(api["rules"]["allow_change"], false);
    assert_eq!(api["rules"]["tally_live"], true);
    // The version they saw is gone: refused, and the form shows the rules as they are now.
    let stale = post(
        &admin,
        "/participation/burgas-chooses/rules",
        &with(&change, "budget", "5"),
    )
    .await;
    assert!(stale.texts(".error-summary a")[0].contains("Процесът е променен"));
    assert_eq!(stale.attr("#budget", "value").as_deref(), Some("2000000"));
    assert_eq!(
        fx.app
            .count("SELECT COUNT(*) FROM audit_log WHERE action = 'participation.rules_changed'")
            .await,
        1
    );

    // Nobody else: a citizen and the platform's admin get NotFound and change nothing.
    let (citizen, _, _) = crate::cases::citizen(&fx.app, "maria@example.bg").await;
    let platform = crate::cases::staff(&fx.app, "platform@portico.demo").await;
    for other in [&citizen, &platform] {
        assert_eq!(other.get(&link).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            other
                .get("/participation/burgas-chooses/rules")
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let tried = post(
            other,
            "/participation/admin/processes",
            &with(&good, "slug", "other"),
        )
        .await;
        assert_eq!(tried.status, StatusCode::NOT_FOUND);
        let tried = post(
            other,
            "/participation/burgas-chooses/rules",
            &with(&change, "budget", "7"),
        )
        .await;
        assert_eq!(tried.status, StatusCode::NOT_FOUND);
    }
    assert_eq!(processes_in_db(&fx.app).await, 1);
}

#[tokio::test]
async fn sofias_admin_opens_a_consultation_on_the_pages() {
    let fx = fixture().await;
    let admin = crate::cases::staff(&fx.app, "admin@sofia.portico.demo").await;
    let list = admin.get("/participation/admin").await;
    let link = list.attr(".open-consultation", "href").unwrap();
    assert_eq!(admin.get(&link).await.status, StatusCode::OK);
    let good: Vec<(String, String)> = [
        ("administration", fx.sofia.clone()),
        ("title_bg", "Проект на наредба за велоалеите".to_owned()),
        ("title_en", "Draft ordinance on cycle lanes".to_owned()),
        ("slug", "cycle-lanes".to_owned()),
        ("summary", "Общината предлага нови правила.".to_owned()),
        ("opens_on", day(&fx.app, 0)),
        ("closes_on", day(&fx.app, 30)),
        (
            "sections",
            "Чл. 1. Предмет\r\nНаредбата урежда велоалеите.\r\n---\r\nЧл. 2. Обхват\r\nНа територията на общината.".to_owned(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    for (name, value, field, message) in [
        ("summary", "", "summary", ""),
        ("closes_on", "31.02.2027", "closes_on", "Въведете дата"),
        ("closes_on", &day(&fx.app, -2), "opens_on", ""),
        ("sections", "  ", "sections", ""),
    ] {
        let refused = post(
            &admin,
            "/participation/admin/consultations",
            &with(&good, name, value),
        )
        .await;
        assert_eq!(refused.status, StatusCode::OK, "{name}");
        assert_eq!(
            refused.attr(".error-summary a", "href").as_deref(),
            Some(format!("#{field}").as_str()),
            "{name}"
        );
        let error = &refused.texts(&format!("#{field}-error"))[0];
        assert!(error.contains(message), "{name}: {error}");
    }
    assert_eq!(
        fx.app
            .count("SELECT COUNT(*) FROM participation_consultations")
            .await,
        0
    );
    let opened = post(&admin, "/participation/admin/consultations", &good).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    assert_eq!(
        opened.location(),
        "/participation/consultations/cycle-lanes/admin?opened=1"
    );
    assert!(admin
        .get(opened.location())
        .await
        .body
        .contains("Проектът е публикуван за коментари."));
    let api = fx
        .app
        .client()
        .get("/api/v1/participation/consultations/cycle-lanes")
        .await
        .json()["consultation"]
        .clone();
    assert_eq!(api["phase"], "open");
    assert_eq!(api["sections"][1]["heading"], "Чл. 2. Обхват");
    assert_eq!(api["sections"][1]["body"], "На територията на общината.");
    // Comments are taken all of the last day: until 00:00 Sofia time on the day after it.
    let closes =
        chrono::DateTime::from_timestamp_millis(api["closes_at"].as_i64().unwrap()).unwrap();
    assert_eq!(
        portico_core::calendar::sofia_local(closes).to_string(),
        format!("{} 00:00:00", day(&fx.app, 31))
    );
    assert_eq!(
        fx.app
            .count(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'participation.consultation_opened'"
            )
            .await,
        1
    );
    // A citizen may not.
    let (citizen, _, _) = crate::cases::citizen(&fx.app, "maria@example.bg").await;
    assert_eq!(citizen.get(&link).await.status, StatusCode::NOT_FOUND);
    let tried = post(
        &citizen,
        "/participation/admin/consultations",
        &with(&good, "slug", "x"),
    )
    .await;
    assert_eq!(tried.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn once_a_ballot_is_cast_the_rules_page_says_they_are_locked_and_offers_no_form() {
    let fx = fixture().await;
    let (id, p) = fx.voting(|_| {}).await;
    let admin = crate::cases::staff(&fx.app, "admin@sofia.portico.demo").await;
    let open = admin.get("/participation/green/rules").await;
    assert_eq!(open.status, StatusCode::OK);
    assert!(open
        .attr("form[action=\"/participation/green/rules\"]", "method")
        .is_some());
    let (voter, _) = fx.person("sof-0001", 30).await;
    fx.vote(&voter, &id, "0888 123 456", &[&p[0]], None)
        .await
        .unwrap();
    let locked = admin.get("/participation/green/rules").await;
    assert_eq!(locked.status, StatusCode::OK);
    assert!(locked
        .body
        .contains("Правилата не могат да се променят: вече има подадени бюлетини."));
    assert_eq!(
        locked.attr("#rules-now", "href").as_deref(),
        Some("/participation/green")
    );
    assert!(locked
        .attr("form[action=\"/participation/green/rules\"]", "method")
        .is_none());
    assert!(locked.attr("input[name=min_age]", "value").is_none());
    // A post made anyway is refused by the rules, and nothing changes.
    let before = processes::get(&fx.ctx, &id).await.unwrap();
    let sent = admin
        .post_form(
            "/participation/green/rules",
            &[("version", &before.version.to_string()), ("min_age", "18")],
        )
        .await;
    assert_ne!(sent.status, StatusCode::SEE_OTHER);
    let after = processes::get(&fx.ctx, &id).await.unwrap();
    assert_eq!(after.rules, before.rules);
}
