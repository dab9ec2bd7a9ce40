//! A register owner decides access requests on a page: approve for named fields until a date,
//! or refuse with a reason; both audited. Only the owners of the register's administration see a
//! request; anyone else gets "not found", and nothing is decided without the form's token.

use crate::cases::seeded;
use crate::support::{Client, TestApp};
use portico::demo::{DEMO_PASSWORD, DEMO_TOTP_SECRET};
use portico_core::{Actor, ApiClient, Clock, Role};
use portico_registries::model::AccessRequest;
use portico_registries::service::{access, catalogue, demo, Registries};
use reqwest::StatusCode;
use std::sync::Arc;

fn ctx(app: &TestApp) -> Registries {
    Registries::new(
        app.db.clone(),
        Arc::new(app.clock.clone()),
        portico_audit::SigningKey::generate(),
        portico_core::Pseudonymiser::new(b"owners-test-key".to_vec()),
    )
}

/// A staff member of an administration with one role, signed in with both factors.
async fn staff_of(app: &TestApp, email: &str, administration_id: &str, role: Role) -> Client {
    use portico_identity::model::NewStaff;
    use portico_identity::service::{accounts, password, roles, totp};
    let hash = password::hash(DEMO_PASSWORD.to_owned()).await.unwrap();
    let now = app.clock.now();
    let mut tx = app.db.begin().await.unwrap();
    let new = NewStaff {
        given_name: "Мира".into(),
        family_name: "Иванова".into(),
        email: email.into(),
        password: String::new(),
    };
    let id = accounts::create_staff(&mut tx, &new, &hash, "test", now)
        .await
        .unwrap();
    totp::enrol_with_secret(&mut tx, &id, DEMO_TOTP_SECRET, now)
        .await
        .unwrap();
    roles::grant(&mut tx, &id, administration_id, None, role, "test", now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    crate::cases::staff(app, email).await
}

async fn burgas(app: &TestApp) -> String {
    let mut tx = app.db.begin().await.unwrap();
    let id = portico_identity::service::administrations::find_by_eik_in(&mut tx, "000056814")
        .await
        .unwrap()
        .unwrap()
        .id;
    tx.commit().await.unwrap();
    id
}

async fn ask(ctx: &Registries, administration_id: &str, purpose: &str) -> String {
    let client = Actor::ApiClient(ApiClient {
        client_id: "burgas-system".into(),
        administration_id: administration_id.into(),
        scopes: vec!["registries".into()],
    });
    let request = AccessRequest {
        register: "commercial".into(),
        operation: "company".into(),
        version: "1".into(),
        administration_id: None,
        legal_basis: "Закон за обществените поръчки, чл. 58".into(),
        purpose: purpose.into(),
        fields: vec!["name".into(), "legal_form".into(), "representatives".into()],
    };
    access::request(ctx, &client, &request).await.unwrap().id
}

#[tokio::test]
async fn an_owner_decides_access_requests_on_a_page_and_nobody_else_can() {
    let app = seeded().await;
    let ctx = ctx(&app);
    let burgas = burgas(&app).await;
    let first = ask(&ctx, &burgas, "Проверка на участници в поръчки").await;
    let second = ask(&ctx, &burgas, "Любопитство").await;
    let (agency, _) = catalogue::find_operation(&app.db, "commercial", "company", None)
        .await
        .unwrap()
        .unwrap();
    let owner = staff_of(&app, "keeper@registry.bg", &agency, Role::RegisterOwner).await;
    let stranger = staff_of(&app, "stranger@burgas.bg", &burgas, Role::RegisterOwner).await;

    let page = owner.get("/registries/access-requests").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let sections = page.texts("section.access-request h2");
    assert_eq!(sections.len(), 2, "{}", page.body);
    assert!(sections[0].contains("Община Бургас"), "{sections:?}");
    assert!(page.body.contains("Проверка на участници в поръчки"));
    // The fields asked for are ticked; the others are offered unticked.
    assert!(page
        .attr(&format!("#field-{first}-name"), "checked")
        .is_some());
    assert!(page
        .attr(&format!("#field-{first}-seat"), "checked")
        .is_none());

    // Another administration's owner sees none of it and decides nothing; nor does a citizen.
    let theirs = stranger.get("/registries/access-requests").await;
    assert!(theirs.texts("section.access-request").is_empty());
    assert_eq!(theirs.texts("#no-requests").len(), 1);
    let path = format!("/registries/access-requests/{first}");
    let approve = [
        ("decision", "approve"),
        ("field", "name"),
        ("field", "legal_form"),
        ("valid_until", "2099-12-31"),
    ];
    let refused = stranger.post_form(&path, &approve).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let (citizen, _, _) = crate::cases::citizen(&app, "curious@example.bg").await;
    assert_eq!(
        citizen.get("/registries/access-requests").await.status,
        StatusCode::NOT_FOUND
    );
    // Without the form's token nothing is decided.
    let forged = owner.post_raw(&path, &approve).await;
    assert_ne!(forged.status, StatusCode::SEE_OTHER);
    assert_eq!(
        access::get(&app.db, &first).await.unwrap().unwrap().status,
        "pending"
    );

    // Bad input: a clear error, nothing changed.
    let past = owner
        .post_form(
            &path,
            &[
                ("decision", "approve"),
                ("field", "name"),
                ("valid_until", "2001-01-01"),
            ],
        )
        .await;
    assert_eq!(past.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        past.body.contains("Изберете дата в бъдещето"),
        "{}",
        past.body
    );
    let none = owner
        .post_form(
            &path,
            &[("decision", "approve"), ("valid_until", "2099-12-31")],
        )
        .await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(none.body.contains("Изберете поне едно поле"));
    assert_eq!(
        access::get(&app.db, &first).await.unwrap().unwrap().status,
        "pending"
    );

    // The owner approves two of the three fields asked for, until a date.
    let done = owner.post_form(&path, &approve).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let approved = access::get(&app.db, &first).await.unwrap().unwrap();
    assert_eq!(approved.status, "approved");
    assert_eq!(approved.granted_fields, ["name", "legal_form"]);
    let until = chrono::DateTime::from_timestamp_millis(approved.valid_until.unwrap()).unwrap();
    assert_eq!(
        until.format("%Y-%m-%d %H:%M").to_string(),
        "2099-12-31 22:00",
        "the end of the day in Sofia"
    );

    // And refuses the other, with a reason (none given first: asked for).
    let path = format!("/registries/access-requests/{second}");
    let blank = owner
        .post_form(&path, &[("decision", "refuse"), ("reason", " ")])
        .await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(blank.body.contains("Посочете причината"));
    let done = owner
        .post_form(
            &path,
            &[("decision", "refuse"), ("reason", "Няма правно основание")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(
        access::get(&app.db, &second).await.unwrap().unwrap().status,
        "refused"
    );
    let after = owner.get(done.location()).await;
    assert!(after.texts("section.access-request").is_empty());
    assert!(after.body.contains("Искането е отказано"));
    for (action, id) in [
        ("registries.access_approved", &first),
        ("registries.access_refused", &second),
    ] {
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM audit_log WHERE action = '{action}' AND subject = '{id}' AND administration_id = '{agency}'"
            ))
            .await,
            1,
            "{action}"
        );
    }
}

#[tokio::test]
async fn a_platform_admin_finds_every_waiting_request_from_the_console_and_decides_it() {
    let app = seeded().await;
    let ctx = ctx(&app);
    let burgas = burgas(&app).await;
    let asked = ask(&ctx, &burgas, "Проверка на участници в поръчки").await;
    let (agency, _) = catalogue::find_operation(&app.db, "commercial", "company", None)
        .await
        .unwrap()
        .unwrap();
    let admin = crate::cases::staff(&app, "platform@portico.demo").await;

    let console = admin.get("/admin").await;
    assert_eq!(console.status, StatusCode::OK, "{}", console.body);
    let link = console.attr("a#console-all-access-requests", "href");
    assert_eq!(link.as_deref(), Some("/registries/access-requests"));

    // Every register's waiting requests: Burgas's to the commercial register and the demo's
    // two (the Registry Agency's to Sofia's address register and to the population register),
    // each with the administration that keeps the register named.
    let page = admin.get("/registries/access-requests").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let sections = page.texts("section.access-request h2");
    assert_eq!(sections.len(), 3, "{sections:?}");
    assert!(sections.iter().any(|s| s.contains("Община Бургас")));
    assert!(page.body.contains("Проверка на адреса на управление"));
    let owners: Vec<String> = page
        .texts("section.access-request .summary-list__row")
        .into_iter()
        .filter(|row| row.starts_with("Регистърът се поддържа от"))
        .collect();
    assert_eq!(owners.len(), 3, "{owners:?}");
    let agency_name = portico_identity::service::administrations::get(&app.db, &agency)
        .await
        .unwrap()
        .unwrap()
        .name(portico_http::Lang::Bg)
        .to_owned();
    assert!(
        page.texts(&format!("#request-{asked} .summary-list__value"))
            .contains(&agency_name),
        "{agency_name}: {}",
        page.body
    );
    assert!(
        owners.iter().any(|o| o.contains("Столична община")),
        "{owners:?}"
    );

    let path = format!("/registries/access-requests/{asked}");
    let done = admin
        .post_form(
            &path,
            &[
                ("decision", "approve"),
                ("field", "name"),
                ("valid_until", "2099-12-31"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let approved = access::get(&app.db, &asked).await.unwrap().unwrap();
    assert_eq!(approved.status, "approved");
    assert_eq!(approved.granted_fields, ["name"]);
    // Audited in the owner's administration, as the platform admin's decision.
    let (administration, actor): (Option<String>, String) = sqlx::query_as(
        "SELECT administration_id, actor FROM audit_log WHERE action = 'registries.access_approved' \
         AND subject = $1",
    )
    .bind(&asked)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(administration.as_deref(), Some(agency.as_str()));
    assert!(!actor.is_empty() && !actor.starts_with("system"), "{actor}");
    let after = admin.get(done.location()).await;
    assert_eq!(after.texts("section.access-request h2").len(), 2);
    assert!(after.body.contains("Достъпът е одобрен"), "{}", after.body);
}

/// The person `email`, verified, in the demo population register as Анна Иванова Колева of
/// `sof-0001`; returns the client and their EGN.
async fn registered_person(app: &TestApp, email: &str) -> (Client, String) {
    let (citizen, egn, _) = crate::cases::verified_citizen(app, email).await;
    demo::insert_people(
        &ctx(app),
        &[demo::PersonRecord {
            egn: egn.clone(),
            given_name: "Анна".into(),
            middle_name: "Иванова".into(),
            family_name: "Колева".into(),
            birth_date: portico_core::PersonalId::parse_egn(&egn)
                .unwrap()
                .birth_date()
                .unwrap(),
            sex: "female",
            permanent_address: "sof-0001".into(),
            current_address: "sof-0001".into(),
            mother_egn: None,
            father_egn: None,
        }],
    )
    .await
    .unwrap();
    (citizen, egn)
}

/// The person asks for a correction; returns the id of the case it became at the owner (once
/// the node's job worker has opened it, up to ten seconds).
async fn correction_case(app: &TestApp, citizen: &Client, fields: &[(&str, &str)]) -> String {
    citizen.get("/my-data").await;
    let sent = citizen.post_form("/my-data/corrections", fields).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let value = fields
        .iter()
        .find(|(k, _)| *k == "proposed_value")
        .unwrap()
        .1;
    for _ in 0..200 {
        let case: Option<(Option<String>,)> = sqlx::query_as(
            "SELECT application_id FROM registries_corrections WHERE proposed_value = $1",
        )
        .bind(value)
        .fetch_optional(app.db.pool())
        .await
        .unwrap();
        if let Some((Some(id),)) = case {
            return id;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the correction request did not become a case");
}

/// The owner's operator takes the case and decides it (`approve`, or `refuse` with a reason).
async fn decide_case(app: &TestApp, operator: &Client, id: &str, decision: &[(&str, &str)]) {
    let case = operator.get(&format!("/office/cases/{id}")).await;
    assert_eq!(case.status, StatusCode::OK, "{}", case.body);
    let version = case.attr("input[name=version]", "value").unwrap();
    let claimed = operator
        .post_form(
            &format!("/office/cases/{id}/claim"),
            &[("version", &version)],
        )
        .await;
    assert_eq!(claimed.status, StatusCode::SEE_OTHER, "{}", claimed.body);
    let started = crate::cases::transition(app, operator, id, "start_review", &[]).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let (transition, extra) = decision.split_first().unwrap();
    let done = crate::cases::transition(app, operator, id, transition.1, extra).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
}

async fn population_value(app: &TestApp, egn: &str, column: &str) -> String {
    let (v,): (String,) = sqlx::query_as(&format!(
        "SELECT {column} FROM registries_people WHERE egn = $1"
    ))
    .bind(egn)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    v
}

#[tokio::test]
async fn an_approved_correction_changes_the_register_with_its_history_and_the_person_sees_the_answer(
) {
    let app = seeded().await;
    let (citizen, egn) = registered_person(&app, "anna@example.bg").await;
    let (population, _) = catalogue::find_operation(&app.db, "population", "person", None)
        .await
        .unwrap()
        .unwrap();

    // A value the register could not hold is refused at once, and nothing is stored.
    citizen.get("/my-data").await;
    let bad = citizen
        .post_form(
            "/my-data/corrections",
            &[
                ("register", "population"),
                ("field", "Настоящ адрес"),
                ("proposed_value", "ул. Несъществуваща 99"),
                ("reason", "Преместих се."),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body
            .contains("Посочете адрес от адресния регистър на София"),
        "{}",
        bad.body
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM registries_corrections")
            .await,
        0
    );

    let id = correction_case(
        &app,
        &citizen,
        &[
            ("register", "population"),
            ("field", "фамилно име"),
            ("proposed_value", "Колева-Петрова"),
            (
                "reason",
                "Сключих граждански брак, удостоверение № 77/2026.",
            ),
        ],
    )
    .await;
    let waiting = citizen.get("/my-data").await;
    assert_eq!(
        waiting.texts("tr.correction-row .correction-outcome"),
        ["Очаква отговор"]
    );

    // The population register's owner (the ministry) has its operator decide.
    let operator = staff_of(&app, "grao@mrrb.bg", &population, Role::Operator).await;
    decide_case(&app, &operator, &id, &[("transition", "approve")]).await;

    // The register holds the new value, with the old one in its history; both audited in the
    // owner's administration.
    assert_eq!(
        population_value(&app, &egn, "family_name").await,
        "Колева-Петрова"
    );
    let (field, old, new): (String, String, String) = sqlx::query_as(
        "SELECT field, old_value, new_value FROM registries_people_history WHERE egn = $1",
    )
    .bind(&egn)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(
        (field.as_str(), old.as_str(), new.as_str()),
        ("family_name", "Колева", "Колева-Петрова")
    );
    for action in [
        "registries.correction_answered",
        "registries.record_corrected",
    ] {
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM audit_log WHERE action = '{action}' AND administration_id = '{population}'"
            ))
            .await,
            1,
            "{action}"
        );
    }

    // "My data" shows the new value and the answer with its date, not "waiting".
    let mine = citizen.get("/my-data").await;
    assert!(mine
        .texts("#population dd")
        .iter()
        .any(|t| t == "Колева-Петрова"));
    assert_eq!(
        mine.texts("tr.correction-row .correction-outcome"),
        ["Одобрено: поправено в регистъра"]
    );
    let today = portico_core::calendar::sofia_local(app.clock.now())
        .format("%d.%m.%Y")
        .to_string();
    assert_eq!(
        mine.texts("tr.correction-row .correction-answered"),
        [format!("(на {today})")]
    );
    let (_, _, json) = citizen.get_bytes("/my-data.json").await;
    let json: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(json["corrections"][0]["outcome"], "approved");
    assert_eq!(json["corrections"][0]["applied"], "register");

    // A second decision on the same correction changes nothing: the case has ended, and the
    // registries block keeps the first answer even when told again.
    let (version,): (i64,) = sqlx::query_as("SELECT version FROM applications WHERE id = $1")
        .bind(&id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let again = operator
        .post_form(
            &format!("/office/cases/{id}/transition"),
            &[
                ("transition", "refuse"),
                ("version", &version.to_string()),
                ("confirmed", "yes"),
                ("reason", "Не"),
            ],
        )
        .await;
    assert_ne!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    let mut tx = app.db.begin().await.unwrap();
    let told = portico_registries::service::corrections::case_ended(
        &mut tx,
        &id,
        portico_registries::model::CaseEnd::Refused,
        Some("Не"),
        "someone",
        app.clock.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert!(!told);
    let (outcome, answer): (String, Option<String>) =
        sqlx::query_as("SELECT outcome, answer FROM registries_corrections")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!((outcome.as_str(), answer), ("approved", None));
    assert_eq!(
        population_value(&app, &egn, "family_name").await,
        "Колева-Петрова"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM registries_people_history")
            .await,
        1
    );

    // Another person sees none of it.
    let (other, _, _) = crate::cases::verified_citizen(&app, "other@example.bg").await;
    let theirs = other.get("/my-data").await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(theirs.texts("tr.correction-row").is_empty());
    assert!(!theirs.body.contains("Колева-Петрова"));
    let (_, _, json) = other.get_bytes("/my-data.json").await;
    assert!(!String::from_utf8_lossy(&json).contains("Колева-Петрова"));
    assert_ne!(
        other.get(&format!("/applications/{id}")).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_refused_correction_keeps_the_value_and_shows_the_reason_and_an_external_registers_is_for_its_owner(
) {
    let app = seeded().await;
    let registries = ctx(&app);
    let (citizen, egn) = registered_person(&app, "boris@example.bg").await;
    let (population, _) = catalogue::find_operation(&app.db, "population", "person", None)
        .await
        .unwrap()
        .unwrap();
    let operator = staff_of(&app, "grao@mrrb.bg", &population, Role::Operator).await;

    // Refused, with the reason: the register keeps its value; the person reads why.
    let refused = correction_case(
        &app,
        &citizen,
        &[
            ("register", "population"),
            ("field", "Current address"),
            ("proposed_value", "бул. Витоша 10"),
            ("reason", "Живея там от април."),
        ],
    )
    .await;
    let reason = "Няма подадена адресна карта за този адрес";
    decide_case(
        &app,
        &operator,
        &refused,
        &[("transition", "refuse"), ("reason", reason)],
    )
    .await;
    assert_eq!(
        population_value(&app, &egn, "current_address").await,
        "sof-0001"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM registries_people_history")
            .await,
        0
    );
    let mine = citizen.get("/my-data").await;
    assert_eq!(
        mine.texts("tr.correction-row .correction-outcome"),
        ["Отказано"]
    );
    assert_eq!(mine.texts("tr.correction-row .correction-answer"), [reason]);
    assert!(mine.texts("#population dd").iter().any(|t| t == "sof-0001"));

    // A register the owner keeps on its own service: approved, and marked for the owner to
    // correct there (Portico cannot change it).
    let burgas = burgas(&app).await;
    catalogue::define_register(
        &registries,
        &Actor::System("test"),
        &portico_registries::model::NewRegister {
            code: "vehicles".into(),
            owner_administration_id: burgas.clone(),
            name_bg: "Регистър на МПС".into(),
            name_en: "Vehicle register".into(),
            legal_basis: "Закон за движението по пътищата, чл. 140".into(),
        },
    )
    .await
    .unwrap();
    catalogue::define_operation(
        &registries,
        &Actor::System("test"),
        &portico_registries::model::NewOperation {
            register_code: "vehicles".into(),
            code: "vehicles".into(),
            version: "1".into(),
            name_bg: "МПС на лице".into(),
            name_en: "A person's vehicles".into(),
            subject_kind: portico_registries::model::SubjectKind::Person,
            request_schema: serde_json::json!({ "type": "object" }),
            response_schema: serde_json::json!({
                "type": "object", "properties": { "family_name": {"type": "string"} }
            }),
            personal_fields: vec!["family_name".into()],
            adapter: portico_registries::model::Adapter::Http {
                url: "http://127.0.0.1:9/vehicles".into(),
            },
            timeout_ms: 500,
        },
    )
    .await
    .unwrap();
    app.advance(60);
    let external = correction_case(
        &app,
        &citizen,
        &[
            ("register", "vehicles"),
            ("field", "Фамилно име"),
            ("proposed_value", "Колев"),
            ("reason", "Грешка при вписването."),
        ],
    )
    .await;
    let burgas_operator = staff_of(&app, "mps@burgas.bg", &burgas, Role::Operator).await;
    decide_case(
        &app,
        &burgas_operator,
        &external,
        &[("transition", "approve")],
    )
    .await;
    let mine = citizen.get("/my-data").await;
    let outcomes = mine.texts("tr.correction-row .correction-outcome");
    assert_eq!(
        outcomes,
        [
            "Одобрено: администрацията, която поддържа регистъра, ще го поправи в своя регистър",
            "Отказано"
        ],
        "newest first"
    );
    assert_eq!(population_value(&app, &egn, "family_name").await, "Колева");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'registries.correction_answered' AND administration_id = '{burgas}'"
        ))
        .await,
        1
    );
}
