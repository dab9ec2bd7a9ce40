//! A register owner decides access requests on a page: approve for named fields until a date,
//! or refuse with a reason; both audited. Only the owners of the register's administration see a
//! request; anyone else gets "not found", and nothing is decided without the form's token.

use crate::cases::seeded;
use crate::support::{Client, TestApp};
use portico::demo::{DEMO_PASSWORD, DEMO_TOTP_SECRET};
use portico_core::{Actor, ApiClient, Clock, Role};
use portico_registries::model::AccessRequest;
use portico_registries::service::{access, catalogue, Registries};
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
    // (the Registry Agency's to Sofia's address register).
    let page = admin.get("/registries/access-requests").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let sections = page.texts("section.access-request h2");
    assert_eq!(sections.len(), 2, "{sections:?}");
    assert!(sections.iter().any(|s| s.contains("Община Бургас")));
    assert!(page.body.contains("Проверка на адреса на управление"));

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
    assert_eq!(after.texts("section.access-request h2").len(), 1);
    assert!(after.body.contains("Достъпът е одобрен"), "{}", after.body);
}
