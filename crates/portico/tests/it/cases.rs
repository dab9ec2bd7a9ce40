//! The flagship, address registration in Sofia, end to end over HTTP: a citizen applies, the home's
//! owner consents in their own account, an operator of the right district works the case, and
//! the applicant sees the result. Also: who may see what, and transitions the process refuses.

use crate::support::{Client, Page, TestApp};
use portico::demo::{DEMO_PASSWORD, DEMO_TOTP_SECRET};
use portico_catalog::service::nomenclatures;
use reqwest::StatusCode;

pub const SERVICE: &str = "/services/address-registration-sofia";
pub const OPERATOR: &str = "operator.sredets@sofia.portico.demo";

pub async fn seeded() -> TestApp {
    seeded_with(|_| {}).await
}

/// The demo data on an app whose test configuration `adjust` changed first.
pub async fn seeded_with(adjust: impl FnOnce(&mut portico::config::Config)) -> TestApp {
    let app = TestApp::start_with(adjust).await;
    portico::demo::seed(&app.db, &app.clock)
        .await
        .expect("demo data");
    app
}

/// An address code of Sofia's list in the given district.
pub async fn address_in(app: &TestApp, district: &str) -> String {
    nomenclatures::list(&app.db, nomenclatures::SOFIA_ADDRESSES)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.attribute("district") == Some(district))
        .map(|e| e.code)
        .expect("an address in the district")
}

/// Registers a citizen with an authenticator app; returns the client, their EGN and TOTP key.
pub async fn citizen(app: &TestApp, email: &str) -> (Client, String, String) {
    let (client, egn) = app.register(email).await;
    let setup = client.get("/account/totp").await;
    let secret = setup.texts("#totp-secret").pop().unwrap().replace(' ', "");
    let done = client
        .post_form("/account/totp", &[("code", &app.totp(&secret))])
        .await;
    assert_eq!(done.status, StatusCode::OK);
    app.advance(30);
    (client, egn, secret)
}

/// A citizen whose personal number was verified at a counter, signed in again with both
/// factors: a session of substantial assurance, as deciding a consent needs.
pub async fn verified_citizen(app: &TestApp, email: &str) -> (Client, String, String) {
    let (client, egn, secret) = citizen(app, email).await;
    crate::assurance::verify_at_counter(app, &egn).await;
    crate::assurance::sign_in_again(app, &client, email, &secret).await;
    (client, egn, secret)
}

/// Signs a staff member in with their password and authenticator code.
pub async fn staff(app: &TestApp, email: &str) -> Client {
    let client = app.client();
    let page = client.sign_in_password(email, DEMO_PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    client.get("/login/second-factor").await;
    let done = client
        .post_form("/login/totp", &[("code", &app.totp(DEMO_TOTP_SECRET))])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    app.advance(30);
    client
}

/// Fills the flagship form up to the review page; returns the application's id.
pub async fn fill_address_registration(
    app: &TestApp,
    client: &Client,
    owner_egn: Option<&str>,
    district: &str,
) -> String {
    let start = client.get(&format!("{SERVICE}/apply")).await;
    assert_eq!(start.status, StatusCode::SEE_OTHER, "{}", start.body);
    let step0 = start.location().to_owned();
    let id = step0.split('/').nth(2).unwrap().to_owned();
    assert_eq!(step0, format!("/applications/{id}/step/0"));
    let page = client.get(&step0).await;
    assert_eq!(page.status, StatusCode::OK);
    let next = client
        .post_form(&step0, &[("include_children", "no")])
        .await;
    assert_eq!(
        next.location(),
        format!("/applications/{id}/step/1"),
        "{}",
        next.body
    );
    client.get(&format!("/applications/{id}/step/1")).await;
    let address = address_in(app, district).await;
    let mut fields = vec![("address_kind", "permanent"), ("address", address.as_str())];
    match owner_egn {
        Some(owner) => fields.extend([("owns_home", "no"), ("owner_egn", owner)]),
        None => fields.push(("owns_home", "yes")),
    }
    let mut next = client
        .post_form(&format!("/applications/{id}/step/1"), &fields)
        .await;
    // With a session of substantial assurance Sofia looks the owner up in the address register
    // (the form does not ask); an address the register lists no owner of is asked again, and the
    // applicant names the owner as before.
    if next.status == StatusCode::UNPROCESSABLE_ENTITY
        && next.body.contains("Регистърът не може да посочи")
    {
        next = client
            .post_form(&format!("/applications/{id}/step/1"), &fields)
            .await;
    }
    assert_eq!(
        next.location(),
        format!("/applications/{id}/step/2"),
        "{}",
        next.body
    );
    client.get(&format!("/applications/{id}/step/2")).await;
    let next = client
        .post_form(&format!("/applications/{id}/step/2"), &[])
        .await;
    assert_eq!(
        next.location(),
        format!("/applications/{id}/review"),
        "{}",
        next.body
    );
    id
}

pub async fn submit(app: &TestApp, client: &Client, id: &str, secret: &str) -> Page {
    let review = client.get(&format!("/applications/{id}/review")).await;
    assert_eq!(review.status, StatusCode::OK);
    let page = client
        .post_form(
            &format!("/applications/{id}/submit"),
            &[("code", &app.totp(secret))],
        )
        .await;
    app.advance(30);
    page
}

/// Decides a consent as its person does: the decision, confirmed with the code of their
/// authenticator app; a refusal also says yes on its "are you sure?" page.
pub async fn decide_consent(
    app: &TestApp,
    client: &Client,
    link: &str,
    secret: &str,
    decision: &str,
) -> Page {
    let code = app.totp(secret);
    let mut fields = vec![("decision", decision), ("code", code.as_str())];
    if decision == "refuse" {
        fields.push(("confirmed", "yes"));
    }
    let page = client.post_form(link, &fields).await;
    app.advance(30);
    page
}

pub async fn state_of(app: &TestApp, id: &str) -> String {
    let (state,): (String,) = sqlx::query_as("SELECT state FROM applications WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    state
}

pub async fn transition(
    app: &TestApp,
    operator: &Client,
    id: &str,
    transition: &str,
    extra: &[(&str, &str)],
) -> Page {
    let case = operator.get(&format!("/office/cases/{id}")).await;
    assert_eq!(case.status, StatusCode::OK, "{}", case.body);
    let version = case.attr("input[name=version]", "value").unwrap();
    // Said yes on the confirmation page, as a person does for a decision.
    let mut fields = vec![
        ("transition", transition),
        ("version", version.as_str()),
        ("confirmed", "yes"),
    ];
    fields.extend_from_slice(extra);
    let page = operator
        .post_form(&format!("/office/cases/{id}/transition"), &fields)
        .await;
    let _ = app;
    page
}

#[tokio::test]
async fn address_registration_end_to_end() {
    let app = seeded().await;
    let (owner, owner_egn, owner_secret) = verified_citizen(&app, "owner@example.bg").await;
    let (applicant, _, secret) = citizen(&app, "applicant@example.bg").await;

    let id = fill_address_registration(&app, &applicant, Some(&owner_egn), "sredets").await;
    let review = applicant.get(&format!("/applications/{id}/review")).await;
    assert!(
        review
            .texts(".summary-list__value")
            .iter()
            .any(|v| v == &owner_egn),
        "the review shows the answers"
    );

    let submitted = submit(&app, &applicant, &id, &secret).await;
    assert_eq!(
        submitted.location(),
        format!("/applications/{id}?submitted=1")
    );
    let receipt = applicant
        .get(&format!("/applications/{id}?submitted=1"))
        .await;
    let number = receipt.texts("#tracking-number").pop().unwrap();
    assert!(
        portico_cases::service::tracking::is_valid(&number),
        "{number}"
    );
    assert_eq!(
        receipt.texts("#application-state"),
        vec!["Очаква се съгласие"]
    );

    // A double click: the same draft submitted again creates nothing new.
    let again = applicant
        .post_form(&format!("/applications/{id}/submit"), &[("code", "000000")])
        .await;
    assert_eq!(again.location(), format!("/applications/{id}?submitted=1"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM applications WHERE tracking_number IS NOT NULL")
            .await,
        1
    );

    // The owner is told by e-mail, and consents in their own account.
    let asked = app
        .mail
        .wait_for(&format!("Искане за съгласие по заявление {number}"))
        .await;
    assert!(asked.contains("Requests for your consent"), "{asked}");
    let consents = owner.get("/consents").await;
    let link = consents
        .attr("main a[href^='/consents/']", "href")
        .expect("a consent request for the owner");
    let request = owner.get(&link).await;
    let address_label = nomenclatures::list(&app.db, nomenclatures::SOFIA_ADDRESSES)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.attribute("district") == Some("sredets"))
        .map(|e| e.label.bg)
        .unwrap();
    let shown = request.texts(".summary-list__value");
    assert!(
        shown.contains(&address_label),
        "the owner sees which address: {shown:?}"
    );
    assert!(
        !request.body.contains("applicant@example.bg"),
        "and nothing else of the application"
    );
    let decided = decide_consent(&app, &owner, &link, &owner_secret, "give").await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER);
    let confirmation = owner.get(decided.location()).await;
    assert_eq!(
        confirmation.texts(".notification p"),
        vec!["Решението ви е записано. Заявителят е уведомен."]
    );
    assert_eq!(state_of(&app, &id).await, "submitted");

    // The operator of Sredets sees it in the queue and works it.
    let operator = staff(&app, OPERATOR).await;
    let queue = operator.get("/office").await;
    assert!(queue.texts("table a").contains(&number), "{}", queue.body);
    let case = operator.get(&format!("/office/cases/{id}")).await;
    let answers = case.texts(".summary-list__value");
    assert!(
        answers.contains(&address_label),
        "answers are shown as the form labels them: {answers:?}"
    );
    assert!(
        case.attr("button[data-transition=start_review]", "data-transition")
            .is_none(),
        "take the case first"
    );
    let claim_version = case.attr("input[name=version]", "value").unwrap();
    let claimed = operator
        .post_form(
            &format!("/office/cases/{id}/claim"),
            &[("version", &claim_version)],
        )
        .await;
    assert_eq!(claimed.status, StatusCode::SEE_OTHER);
    assert_eq!(
        transition(&app, &operator, &id, "start_review", &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        transition(&app, &operator, &id, "approve", &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(state_of(&app, &id).await, "approved");

    // The applicant sees the result and can download the signed certificate.
    let status = applicant.get(&format!("/applications/{id}")).await;
    assert_eq!(status.texts("#application-state"), vec!["Одобрено"]);
    let (status_code, headers, result) = applicant
        .get_bytes(&format!("/applications/{id}/result"))
        .await;
    assert_eq!(status_code, StatusCode::OK);
    assert_eq!(headers.get("content-type").unwrap(), "application/pdf");
    assert!(result.starts_with(b"%PDF-"));
    assert!(
        headers
            .get("content-disposition")
            .unwrap()
            .to_str()
            .unwrap()
            .contains(&format!("result-{number}.pdf")),
        "{headers:?}"
    );
    // …and was told at every change, in the account and by e-mail.
    let list = applicant.get("/applications").await;
    assert!(
        list.texts("main li").iter().any(|n| n.contains("Одобрено")),
        "{}",
        list.body
    );
    assert!(app.count("SELECT COUNT(*) FROM notifications").await >= 4);
    let email = app
        .mail
        .wait_for(&format!("Заявление {number}: Одобрено"))
        .await;
    assert!(
        email.contains(&format!("Application {number}: Approved")),
        "{email}"
    );
}

#[tokio::test]
async fn an_operator_of_another_district_sees_neither_the_queue_nor_the_case() {
    let app = seeded().await;
    let (applicant, _, secret) = citizen(&app, "a@example.bg").await;
    let id = fill_address_registration(&app, &applicant, None, "sredets").await;
    submit(&app, &applicant, &id, &secret).await;
    assert_eq!(state_of(&app, &id).await, "submitted");

    // An operator of Sofia's Mladost unit, with the demo key, created the way the demo creates staff.
    let id_mladost = {
        let staff = portico_identity::model::NewStaff {
            given_name: "Петя".into(),
            family_name: "Младенова".into(),
            email: "op.mladost@sofia.bg".into(),
            password: String::new(),
        };
        let hash = portico_identity::service::password::hash(DEMO_PASSWORD.into())
            .await
            .unwrap();
        let mut tx = app.db.begin().await.unwrap();
        let now = portico_core::Clock::now(&app.clock);
        let account =
            portico_identity::service::accounts::create_staff(&mut tx, &staff, &hash, "test", now)
                .await
                .unwrap();
        let sofia: (String,) =
            sqlx::query_as("SELECT id FROM administrations WHERE eik = '000696327'")
                .fetch_one(&mut *tx)
                .await
                .unwrap();
        let unit: (String,) = sqlx::query_as(
            "SELECT id FROM units WHERE administration_id = $1 AND code = 'mladost'",
        )
        .bind(&sofia.0)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        portico_identity::service::roles::grant(
            &mut tx,
            &account,
            &sofia.0,
            Some(&unit.0),
            portico_identity::model::Role::Operator,
            "test",
            now,
        )
        .await
        .unwrap();
        portico_identity::service::totp::enrol_with_secret(
            &mut tx,
            &account,
            DEMO_TOTP_SECRET,
            now,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        account
    };
    assert!(!id_mladost.is_empty());
    let other = staff(&app, "op.mladost@sofia.bg").await;
    let queue = other.get("/office").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(
        queue.texts("table a").is_empty(),
        "Mladost's queue does not show Sredets' case: {}",
        queue.body
    );
    assert_eq!(
        other.get(&format!("/office/cases/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other
            .get(&format!("/api/v1/applications/{id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // A citizen is not staff at all.
    assert_eq!(applicant.get("/office").await.status, StatusCode::FORBIDDEN);
    // Another citizen cannot see the application, over HTML or the API.
    let (stranger, _, _) = citizen(&app, "stranger@example.bg").await;
    assert_eq!(
        stranger.get(&format!("/applications/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        stranger
            .get(&format!("/api/v1/applications/{id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        stranger
            .get(&format!("/applications/{id}/result"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_transition_the_process_does_not_allow_is_refused_over_html_and_the_api() {
    let app = seeded().await;
    let (applicant, _, secret) = citizen(&app, "b@example.bg").await;
    let id = fill_address_registration(&app, &applicant, None, "sredets").await;
    submit(&app, &applicant, &id, &secret).await;
    let operator = staff(&app, OPERATOR).await;

    // Approving a case nobody has reviewed: not in the process.
    let page = transition(&app, &operator, &id, "approve", &[]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.texts(".error-summary a"),
        vec!["Това действие не е възможно в текущото състояние на заявлението"]
    );
    assert_eq!(state_of(&app, &id).await, "submitted");

    let version = operator
        .get(&format!("/office/cases/{id}"))
        .await
        .attr("input[name=version]", "value")
        .unwrap();
    let response = operator
        .post_json(&format!("/api/v1/applications/{id}/transitions"), &serde_json::json!({ "transition": "approve", "version": version.parse::<i64>().unwrap() }))
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(response.json()["error"]["code"], "transition.not_allowed");
    // A stale version: someone else acted first.
    let stale = operator
        .post_json(
            &format!("/api/v1/applications/{id}/transitions"),
            &serde_json::json!({ "transition": "start_review", "version": 0 }),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(state_of(&app, &id).await, "submitted");
}

#[tokio::test]
async fn two_operators_acting_at_once_one_wins_and_the_other_is_told() {
    let app = seeded().await;
    let (applicant, _, secret) = citizen(&app, "c@example.bg").await;
    let id = fill_address_registration(&app, &applicant, None, "sredets").await;
    submit(&app, &applicant, &id, &secret).await;
    let first = staff(&app, OPERATOR).await;
    let second = staff(&app, OPERATOR).await;
    let v1 = first
        .get(&format!("/office/cases/{id}"))
        .await
        .attr("input[name=version]", "value")
        .unwrap();
    let v2 = second
        .get(&format!("/office/cases/{id}"))
        .await
        .attr("input[name=version]", "value")
        .unwrap();
    assert_eq!(
        first
            .post_form(&format!("/office/cases/{id}/claim"), &[("version", &v1)])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let late = second
        .post_form(&format!("/office/cases/{id}/claim"), &[("version", &v2)])
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert_eq!(
        late.texts("h1"),
        vec!["Някой друг промени това междувременно"]
    );
}

#[tokio::test]
async fn invalid_answers_are_refused_field_by_field_and_nothing_is_stored() {
    let app = seeded().await;
    let (applicant, _, _) = citizen(&app, "d@example.bg").await;
    let start = applicant.get(&format!("{SERVICE}/apply")).await;
    let id = start.location().split('/').nth(2).unwrap().to_owned();
    applicant.get(&format!("/applications/{id}/step/0")).await;
    applicant
        .post_form(
            &format!("/applications/{id}/step/0"),
            &[("include_children", "no")],
        )
        .await;
    applicant.get(&format!("/applications/{id}/step/1")).await;
    let (before,): (String,) = sqlx::query_as("SELECT data FROM applications WHERE id = $1")
        .bind(&id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let page = applicant
        .post_form(
            &format!("/applications/{id}/step/1"),
            &[
                ("address", "no-such-address"),
                ("owns_home", "no"),
                ("owner_egn", "7523169264"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = page.texts(".error-summary a");
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert_eq!(errors[0], "Изберете постоянен или настоящ адрес");
    let (after,): (String,) = sqlx::query_as("SELECT data FROM applications WHERE id = $1")
        .bind(&id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(before, after, "nothing of a refused step is stored");
    assert_eq!(
        page.attr("#owner_egn", "value").as_deref(),
        Some("7523169264"),
        "what was typed is shown again"
    );
}

#[tokio::test]
async fn a_new_form_version_does_not_break_a_draft_in_progress() {
    let app = seeded().await;
    let (applicant, _, secret) = citizen(&app, "e@example.bg").await;
    let start = applicant.get(&format!("{SERVICE}/apply")).await;
    let id = start.location().split('/').nth(2).unwrap().to_owned();
    let (version_before,): (String,) =
        sqlx::query_as("SELECT form_version_id FROM applications WHERE id = $1")
            .bind(&id)
            .fetch_one(app.db.pool())
            .await
            .unwrap();

    // The municipality publishes a new version of the form, with a new required question.
    let (mut schema, mut layout) = portico_catalog::demo::address_registration_form();
    schema["properties"]["phone_for_contact"] =
        serde_json::json!({ "type": "string", "minLength": 5 });
    schema["required"]
        .as_array_mut()
        .unwrap()
        .push("phone_for_contact".into());
    layout["steps"][0]["fields"].as_array_mut().unwrap().push(serde_json::json!({
        "name": "phone_for_contact", "widget": "text", "label": { "bg": "Телефон", "en": "Phone" }
    }));
    let mut tx = app.db.begin().await.unwrap();
    let now = portico_core::Clock::now(&app.clock);
    portico_catalog::forms::publish(
        &mut tx,
        "address-registration",
        &schema,
        &layout,
        "test",
        now,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    // The draft keeps its version, and is completed and submitted without the new question.
    let id2 = fill_address_registration(&app, &applicant, None, "mladost").await;
    assert_eq!(id2, id, "the open draft is continued");
    let submitted = submit(&app, &applicant, &id, &secret).await;
    assert_eq!(
        submitted.location(),
        format!("/applications/{id}?submitted=1"),
        "{}",
        submitted.body
    );
    let (version_after,): (String,) =
        sqlx::query_as("SELECT form_version_id FROM applications WHERE id = $1")
            .bind(&id)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(version_before, version_after);
    // Routed by the address: Mladost's unit.
    let (unit_code,): (String,) = sqlx::query_as(
        "SELECT u.code FROM applications a JOIN units u ON u.id = a.unit_id WHERE a.id = $1",
    )
    .bind(&id)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(unit_code, "mladost");
}

#[tokio::test]
async fn a_child_is_registered_with_the_other_parents_consent_and_a_refusal_stops_the_case() {
    let app = seeded().await;
    let (other_parent, other_parent_egn, other_secret) =
        verified_citizen(&app, "parent2@example.bg").await;
    let (applicant, _, secret) = citizen(&app, "parent1@example.bg").await;
    let child = portico_core::personal_id::synthetic_egn(
        chrono::NaiveDate::from_ymd_opt(2016, 4, 9).unwrap(),
        311,
    );
    let adult = portico_core::personal_id::synthetic_egn(
        chrono::NaiveDate::from_ymd_opt(1990, 4, 9).unwrap(),
        311,
    );

    let start = applicant.get(&format!("{SERVICE}/apply")).await;
    let id = start.location().split('/').nth(2).unwrap().to_owned();
    applicant.get(&format!("/applications/{id}/step/0")).await;
    // An adult is not a child: refused on the field, with the other parent missing too.
    let refused = applicant
        .post_form(
            &format!("/applications/{id}/step/0"),
            &[("include_children", "yes"), ("children_egns", &adult)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.texts(".error-summary a").len(),
        2,
        "{:?}",
        refused.texts(".error-summary a")
    );
    let next = applicant
        .post_form(
            &format!("/applications/{id}/step/0"),
            &[
                ("include_children", "yes"),
                ("children_egns", &child),
                ("other_parent_egn", &other_parent_egn),
            ],
        )
        .await;
    assert_eq!(
        next.location(),
        format!("/applications/{id}/step/1"),
        "{}",
        next.body
    );
    applicant.get(&format!("/applications/{id}/step/1")).await;
    let address = address_in(&app, "sredets").await;
    applicant
        .post_form(
            &format!("/applications/{id}/step/1"),
            &[
                ("address_kind", "current"),
                ("address", &address),
                ("owns_home", "yes"),
            ],
        )
        .await;
    applicant.get(&format!("/applications/{id}/step/2")).await;
    applicant
        .post_form(&format!("/applications/{id}/step/2"), &[])
        .await;
    submit(&app, &applicant, &id, &secret).await;
    assert_eq!(state_of(&app, &id).await, "waiting_consent");

    // The operator does not see it before the consent.
    let operator = staff(&app, OPERATOR).await;
    assert!(operator.get("/office").await.texts("table a").is_empty());

    let link = other_parent
        .get("/consents")
        .await
        .attr("main a[href^='/consents/']", "href")
        .expect("a request for the other parent");
    let page = other_parent.get(&link).await;
    assert!(
        page.body.contains("като родител на детето"),
        "{}",
        page.body
    );
    decide_consent(&app, &other_parent, &link, &other_secret, "refuse").await;
    assert_eq!(state_of(&app, &id).await, "refused");
    let status = applicant.get(&format!("/applications/{id}")).await;
    assert_eq!(status.texts("#application-state"), vec!["Отказано"]);
    // A decided consent cannot be decided again.
    assert_eq!(
        decide_consent(&app, &other_parent, &link, &other_secret, "give")
            .await
            .status,
        StatusCode::CONFLICT
    );
    // And nobody but the named person can open it.
    assert_eq!(applicant.get(&link).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_applicant_answers_a_request_for_more_information_and_the_case_resumes() {
    let app = seeded().await;
    let (applicant, _, secret) = citizen(&app, "info@example.bg").await;
    let id = fill_address_registration(&app, &applicant, None, "sredets").await;
    submit(&app, &applicant, &id, &secret).await;
    let operator = staff(&app, OPERATOR).await;
    let v = operator
        .get(&format!("/office/cases/{id}"))
        .await
        .attr("input[name=version]", "value")
        .unwrap();
    operator
        .post_form(&format!("/office/cases/{id}/claim"), &[("version", &v)])
        .await;
    transition(&app, &operator, &id, "start_review", &[]).await;
    // Asking without saying what for is refused, field by field.
    let empty = transition(
        &app,
        &operator,
        &id,
        "request_information",
        &[("message", " ")],
    )
    .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let asked = transition(
        &app,
        &operator,
        &id,
        "request_information",
        &[("message", "Моля, приложете договора за наем.")],
    )
    .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    // An internal note is for staff only.
    operator
        .post_form(
            &format!("/office/cases/{id}/note"),
            &[("note", "Провери адреса в ГРАО")],
        )
        .await;

    let page = applicant.get(&format!("/applications/{id}")).await;
    assert_eq!(
        page.texts("#application-state"),
        vec!["Очаква се информация от заявителя"]
    );
    assert!(page.body.contains("Моля, приложете договора за наем."));
    assert!(
        !page.body.contains("Провери адреса"),
        "internal notes never reach the applicant"
    );
    let version = page
        .attr("form[action$='/respond'] input[name=version]", "value")
        .unwrap();
    let answered = applicant
        .post_form(
            &format!("/applications/{id}/respond"),
            &[
                ("message", "Изпратих договора по пощата."),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(answered.status, StatusCode::SEE_OTHER, "{}", answered.body);
    assert_eq!(state_of(&app, &id).await, "in_review");
    let case = operator.get(&format!("/office/cases/{id}")).await;
    assert!(
        case.body.contains("Изпратих договора по пощата.")
            && case.body.contains("Провери адреса в ГРАО")
    );
}

#[tokio::test]
async fn an_administration_admin_gives_a_case_to_an_operator_of_its_unit_only() {
    let app = seeded().await;
    let (applicant, _, secret) = citizen(&app, "assign@example.bg").await;
    let id = fill_address_registration(&app, &applicant, None, "sredets").await;
    submit(&app, &applicant, &id, &secret).await;
    let admin = staff(&app, "admin@sofia.portico.demo").await;
    let case = admin.get(&format!("/office/cases/{id}")).await;
    assert_eq!(
        case.status,
        StatusCode::OK,
        "Sofia's admin sees every unit's cases"
    );
    let options = case.texts("#operator option");
    assert_eq!(
        options,
        vec!["Георги Димитров"],
        "only Sredets' operator can be given a Sredets case"
    );
    let operator_id = case.attr("#operator option", "value").unwrap();
    let version = case.attr("input[name=version]", "value").unwrap();

    let wrong = admin
        .post_form(
            &format!("/office/cases/{id}/assign"),
            &[("operator", &id), ("version", &version)],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let done = admin
        .post_form(
            &format!("/office/cases/{id}/assign"),
            &[("operator", &operator_id), ("version", &version)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let operator = staff(&app, OPERATOR).await;
    let page = operator.get(&format!("/office/cases/{id}")).await;
    assert_eq!(
        page.texts("main p.body").first().map(String::as_str),
        Some("Вие работите по заявлението.")
    );
    // An operator cannot give cases away.
    let v = page.attr("input[name=version]", "value").unwrap();
    let refused = operator
        .post_form(
            &format!("/office/cases/{id}/assign"),
            &[("operator", &operator_id), ("version", &v)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn submitting_needs_the_second_factor_and_wrong_codes_are_slowed_down() {
    let app = seeded().await;
    let (applicant, _, _) = citizen(&app, "wrongcode@example.bg").await;
    let id = fill_address_registration(&app, &applicant, None, "sredets").await;
    applicant.get(&format!("/applications/{id}/review")).await;
    for _ in 0..3 {
        let page = applicant
            .post_form(&format!("/applications/{id}/submit"), &[("code", "000000")])
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            page.texts(".error-summary a"),
            vec!["Кодът не е верен, изтекъл е или вече е използван"]
        );
    }
    let fourth = applicant
        .post_form(&format!("/applications/{id}/submit"), &[("code", "000000")])
        .await;
    assert_eq!(fourth.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(state_of(&app, &id).await, "draft", "nothing was submitted");
}

#[tokio::test]
async fn attachments_are_checked_kept_with_the_draft_and_shown_to_the_operator_only() {
    let app = seeded().await;
    let (applicant, _, secret) = citizen(&app, "files@example.bg").await;
    let start = applicant.get(&format!("{SERVICE}/apply")).await;
    let id = start.location().split('/').nth(2).unwrap().to_owned();
    applicant.get(&format!("/applications/{id}/step/0")).await;
    applicant
        .post_form(
            &format!("/applications/{id}/step/0"),
            &[("include_children", "no")],
        )
        .await;
    applicant.get(&format!("/applications/{id}/step/1")).await;
    let address = address_in(&app, "sredets").await;
    applicant
        .post_form(
            &format!("/applications/{id}/step/1"),
            &[
                ("address_kind", "current"),
                ("address", &address),
                ("owns_home", "yes"),
            ],
        )
        .await;
    let step = format!("/applications/{id}/step/2");
    let page = applicant.get(&step).await;
    assert_eq!(
        page.attr("main form", "enctype").as_deref(),
        Some("multipart/form-data")
    );

    let html = applicant
        .post_file(
            &step,
            "ownership_document",
            "evil.html",
            "text/html",
            b"<script>x</script>".to_vec(),
        )
        .await;
    assert_eq!(html.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(html.texts(".error-summary a").len(), 1, "{}", html.body);
    let too_big = applicant
        .post_file(
            &step,
            "ownership_document",
            "big.pdf",
            "application/pdf",
            vec![b'%'; 5 * 1024 * 1024 + 1],
        )
        .await;
    assert_eq!(too_big.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM attachments").await,
        0,
        "refused files are not stored"
    );

    let pdf = b"%PDF-1.4\n%test\n".to_vec();
    let ok = applicant
        .post_file(
            &step,
            "ownership_document",
            "dogovor.pdf",
            "application/pdf",
            pdf.clone(),
        )
        .await;
    assert_eq!(
        ok.location(),
        format!("/applications/{id}/review"),
        "{}",
        ok.body
    );
    let review = applicant.get(&format!("/applications/{id}/review")).await;
    assert!(review
        .texts(".summary-list__value")
        .contains(&"dogovor.pdf".to_owned()));
    submit(&app, &applicant, &id, &secret).await;

    let operator = staff(&app, OPERATOR).await;
    let case = operator.get(&format!("/office/cases/{id}")).await;
    let link = case
        .attr("a[href*='/attachments/']", "href")
        .expect("a download link");
    let download = operator.get(&link).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.body.as_bytes(), pdf.as_slice());
    assert!(download.headers["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment;"));
    let (stranger, _, _) = citizen(&app, "nosy@example.bg").await;
    assert_eq!(
        stranger.get(&link).await.status,
        StatusCode::FORBIDDEN,
        "citizens are not staff"
    );
}

#[tokio::test]
async fn a_draft_that_reached_check_your_answers_resumes_there() {
    let app = seeded().await;
    let (applicant, _, _) = citizen(&app, "resumes@example.bg").await;
    let id = fill_address_registration(&app, &applicant, None, "sredets").await;
    // Starting the service again, or opening the draft, leads to "check your answers" (it used
    // to lead to a step past the last one, a 404).
    let again = applicant.get(&format!("{SERVICE}/apply")).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(again.location(), format!("/applications/{id}/review"));
    let opened = applicant.get(&format!("/applications/{id}")).await;
    assert_eq!(opened.location(), format!("/applications/{id}/review"));
    let review = applicant.get(&format!("/applications/{id}/review")).await;
    assert_eq!(review.status, StatusCode::OK);
}

#[tokio::test]
async fn the_timeline_says_the_owner_consented_not_submitted_again() {
    let app = seeded().await;
    let (applicant, _, secret) = citizen(&app, "timeline-applicant@example.bg").await;
    let (owner, owner_egn, owner_secret) =
        verified_citizen(&app, "timeline-owner@example.bg").await;
    let id = fill_address_registration(&app, &applicant, Some(&owner_egn), "sredets").await;
    assert_eq!(
        submit(&app, &applicant, &id, &secret).await.status,
        StatusCode::SEE_OTHER
    );
    let consents = owner.get("/consents").await;
    let link = consents.attr("main a[href^='/consents/']", "href").unwrap();
    let given = decide_consent(&app, &owner, &link, &owner_secret, "give").await;
    assert_eq!(given.status, StatusCode::SEE_OTHER, "{}", given.body);
    let page = applicant.get(&format!("/applications/{id}")).await;
    let entries = page.texts(".timeline__item strong");
    assert_eq!(
        entries,
        vec![
            "Заявлението е подадено",
            "Искане на съгласие от собственика или от другия родител",
            "Всички съгласия са дадени"
        ],
        "{}",
        page.body
    );
}

#[tokio::test]
async fn without_an_authenticator_an_application_is_submitted_with_an_emailed_code() {
    let app = seeded().await;
    // Registered, no authenticator app.
    let (applicant, _) = app.register("noapp@example.bg").await;
    let id = fill_address_registration(&app, &applicant, None, "sredets").await;
    let review = applicant.get(&format!("/applications/{id}/review")).await;
    assert_eq!(review.status, StatusCode::OK);
    assert!(review.texts("#no-app")[0].starts_with("Нямате приложение за удостоверяване?"));
    // The phone given at registration was never verified: no code is offered by SMS.
    assert_eq!(
        review.texts("form[action='/step-up/code'] button"),
        vec!["Изпратете ми код по имейл"]
    );
    app.phone_verified("noapp@example.bg").await;
    let review = applicant.get(&format!("/applications/{id}/review")).await;
    assert_eq!(
        review.texts("form[action='/step-up/code'] button"),
        vec!["Изпратете ми код по имейл", "Изпратете ми код по SMS"]
    );
    let sent = applicant
        .post_form(
            "/step-up/code",
            &[
                ("channel", "email"),
                ("purpose", "cases.submit"),
                ("back", &format!("/applications/{id}/review")),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(
        sent.location(),
        format!("/applications/{id}/review?code_sent=email")
    );
    let review = applicant.get(sent.location()).await;
    assert_eq!(
        review.texts(".notification p"),
        vec!["Изпратихме ви код по имейл. Въведете го по-долу до 5 минути."]
    );
    let mail = app.mail.wait_for("Your confirmation code is").await;
    let code: String = mail
        .split("Your confirmation code is ")
        .nth(1)
        .unwrap()
        .chars()
        .take(6)
        .collect();
    let submitted = applicant
        .post_form(&format!("/applications/{id}/submit"), &[("code", &code)])
        .await;
    assert_eq!(
        submitted.location(),
        format!("/applications/{id}?submitted=1"),
        "{}",
        submitted.body
    );
    assert_eq!(state_of(&app, &id).await, "submitted");
    // Somewhere else is not a place to be sent back to.
    applicant.get(&format!("/applications/{id}")).await;
    let away = applicant
        .post_form(
            "/step-up/code",
            &[
                ("channel", "email"),
                ("purpose", "cases.submit"),
                ("back", "//evil.example/phish"),
            ],
        )
        .await;
    assert_eq!(away.location(), "/account?code_sent=email");
}

#[tokio::test]
async fn the_account_history_names_a_submitted_application_in_words() {
    let app = seeded().await;
    let (applicant, _, secret) = citizen(&app, "history@example.bg").await;
    let id = fill_address_registration(&app, &applicant, None, "sredets").await;
    let submitted = submit(&app, &applicant, &id, &secret).await;
    assert_eq!(
        submitted.location(),
        format!("/applications/{id}?submitted=1")
    );

    let history = applicant.get("/account").await.texts("table td");
    assert!(
        history.iter().any(|t| t == "Подадено заявление"),
        "{history:?}"
    );
    assert!(!history.iter().any(|t| t == "?"), "{history:?}");

    applicant.get("/lang?to=en&back=/").await;
    let history = applicant.get("/account").await.texts("table td");
    assert!(
        history.iter().any(|t| t == "Application submitted"),
        "{history:?}"
    );
    assert!(!history.iter().any(|t| t == "?"), "{history:?}");
}

/// A second service whose consent is declared in its form, not in Rust: the building's owner
/// consents to an outdoor seating permit, with the same pages and rules as the flagship.
#[tokio::test]
async fn a_second_service_asks_the_consent_its_form_declares() {
    let app = seeded().await;
    let (applicant, _, secret) = citizen(&app, "cafe@example.bg").await;
    let (owner, owner_egn, owner_secret) =
        verified_citizen(&app, "building-owner@example.bg").await;
    let start = applicant.get("/services/outdoor-seating-sofia/apply").await;
    assert_eq!(start.status, StatusCode::SEE_OTHER, "{}", start.body);
    let step0 = start.location().to_owned();
    let id = step0.split('/').nth(2).unwrap().to_owned();
    applicant.get(&step0).await;
    let address = address_in(&app, "lozenets").await;
    let next = applicant
        .post_form(
            &step0,
            &[
                ("business_eik", "000696327"),
                ("address", &address),
                ("area_m2", "12"),
                ("owns_building", "no"),
                ("building_owner_egn", &owner_egn),
            ],
        )
        .await;
    assert_eq!(
        next.location(),
        format!("/applications/{id}/review"),
        "{}",
        next.body
    );
    // The fee is shown before submitting, as on any service with a fee.
    let review = applicant.get(&format!("/applications/{id}/review")).await;
    assert_eq!(review.texts("#fee-hint").len(), 1, "{}", review.body);
    assert!(review.body.contains("25,00 €"), "{}", review.body);
    let submitted = submit(&app, &applicant, &id, &secret).await;
    assert_eq!(
        submitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        submitted.body
    );
    assert_eq!(state_of(&app, &id).await, "waiting_consent");
    // Nothing is asked for while a consent may still stop the application.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM application_payments").await,
        0
    );

    // The owner is asked, sees only what the form's rule shows, and consents.
    let list = owner.get("/consents").await;
    let link = list.attr("main a[href^='/consents/']", "href").unwrap();
    let page = owner.get(&link).await;
    assert!(page.body.contains("12"), "the area is shown: {}", page.body);
    assert!(
        !page.body.contains("000696327"),
        "the business's EIK is not the owner's business"
    );
    let given = decide_consent(&app, &owner, &link, &owner_secret, "give").await;
    assert_eq!(given.status, StatusCode::SEE_OTHER, "{}", given.body);
    // Everyone has consented: the fee is asked for, from the applicant, and the case waits.
    assert_eq!(state_of(&app, &id).await, "waiting_payment");
    let (amount, code): (i64, String) = sqlx::query_as(
        "SELECT r.amount_minor, r.code FROM payments_requests r \
         JOIN application_payments a ON a.payment_id = r.id WHERE a.application_id = $1",
    )
    .bind(&id)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(amount, 2500);
    let page = applicant.get(&format!("/applications/{id}")).await;
    assert!(page.body.contains(&code), "{}", page.body);
    // Paid by bank transfer (the administration's statement): the case moves on.
    let token = crate::payments::client_token(&app, "000696327", &["payments"]).await;
    let xml = crate::payments_camt::statement(&[crate::payments_camt::entry(
        "SEAT-1",
        "25.00",
        true,
        false,
        &[("", &code)],
    )]);
    let (status, report) = crate::payments_camt::import(&app, &token, &xml).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["outcomes"]["matched"], 1, "{report}");
    for _ in 0..100 {
        if state_of(&app, &id).await == "submitted" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(state_of(&app, &id).await, "submitted");
    // Routed by the form's rule: the address's district.
    let (unit,): (String,) = sqlx::query_as(
        "SELECT u.code FROM applications a JOIN units u ON u.id = a.unit_id WHERE a.id = $1",
    )
    .bind(&id)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(unit, "lozenets");
}

/// What each person reads is written for them: the consent page names the service it is about
/// and the capacity the form gives the person; staff read "the applicant's EGN", not "your EGN";
/// the applicant sees what was decided and why.
#[tokio::test]
async fn each_person_reads_words_written_for_them() {
    let app = seeded().await;
    let (owner, owner_egn, owner_secret) = verified_citizen(&app, "words-owner@example.bg").await;
    let (applicant, _, secret) = citizen(&app, "words-applicant@example.bg").await;
    let id = fill_address_registration(&app, &applicant, Some(&owner_egn), "sredets").await;
    assert_eq!(
        submit(&app, &applicant, &id, &secret).await.status,
        StatusCode::SEE_OTHER
    );

    let list = owner.get("/consents").await;
    let link = list.attr("main a[href^='/consents/']", "href").unwrap();
    let consent = owner.get(&link).await;
    assert_eq!(
        consent.texts("h1"),
        vec!["Съгласие за „Адресна регистрация“"]
    );
    assert!(
        consent.texts("main p.body")[0].ends_with("ви посочи като собственик на жилището."),
        "{:?}",
        consent.texts("main p.body")
    );
    decide_consent(&app, &owner, &link, &owner_secret, "give").await;

    let operator = staff(&app, OPERATOR).await;
    let case = operator.get(&format!("/office/cases/{id}")).await;
    let keys = case.texts(".summary-list__key");
    assert!(keys.iter().any(|k| k == "ЕГН на заявителя"), "{keys:?}");
    assert!(!keys.iter().any(|k| k == "Вашето ЕГН"), "{keys:?}");
    let version = case.attr("input[name=version]", "value").unwrap();
    operator
        .post_form(
            &format!("/office/cases/{id}/claim"),
            &[("version", &version)],
        )
        .await;
    transition(&app, &operator, &id, "start_review", &[]).await;
    let refused = transition(
        &app,
        &operator,
        &id,
        "refuse",
        &[("reason", "Адресът не е жилищен")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER, "{}", refused.body);

    let page = applicant.get(&format!("/applications/{id}")).await;
    assert_eq!(
        page.texts(".notification__title"),
        vec!["Решение по заявлението"]
    );
    assert_eq!(
        page.texts(".notification__body"),
        vec!["Отказано. Адресът не е жилищен"]
    );
}

/// Deciding, withdrawing and refusing a consent are asked about once, saying what cannot be
/// undone; the first post changes nothing, and "yes" on the confirmation page does it.
#[tokio::test]
async fn what_cannot_be_undone_is_asked_about_first() {
    let app = seeded().await;
    let (owner, owner_egn, owner_secret) = verified_citizen(&app, "confirm-owner@example.bg").await;
    let (applicant, _, secret) = citizen(&app, "confirm-applicant@example.bg").await;
    let id = fill_address_registration(&app, &applicant, Some(&owner_egn), "sredets").await;
    assert_eq!(
        submit(&app, &applicant, &id, &secret).await.status,
        StatusCode::SEE_OTHER
    );

    // Refusing a consent.
    let link = owner
        .get("/consents")
        .await
        .attr("main a[href^='/consents/']", "href")
        .unwrap();
    let asked = owner.post_form(&link, &[("decision", "refuse")]).await;
    assert_eq!(asked.status, StatusCode::OK);
    assert_eq!(asked.texts("h1"), vec!["Да откажете ли съгласието си?"]);
    assert!(asked.texts("#cannot-be-undone")[0].contains("не може да бъде отменен"));
    assert_eq!(
        state_of(&app, &id).await,
        "waiting_consent",
        "nothing changed yet"
    );
    // Giving needs no second look.
    let given = decide_consent(&app, &owner, &link, &owner_secret, "give").await;
    assert_eq!(given.status, StatusCode::SEE_OTHER);

    // Approving.
    let operator = staff(&app, OPERATOR).await;
    let case = operator.get(&format!("/office/cases/{id}")).await;
    let version = case.attr("input[name=version]", "value").unwrap();
    operator
        .post_form(
            &format!("/office/cases/{id}/claim"),
            &[("version", &version)],
        )
        .await;
    transition(&app, &operator, &id, "start_review", &[]).await;
    let case = operator.get(&format!("/office/cases/{id}")).await;
    let version = case.attr("input[name=version]", "value").unwrap();
    let asked = operator
        .post_form(
            &format!("/office/cases/{id}/transition"),
            &[("transition", "approve"), ("version", &version)],
        )
        .await;
    assert_eq!(asked.status, StatusCode::OK);
    assert_eq!(
        asked.texts("h1"),
        vec!["Сигурни ли сте: „Одобряване и издаване на удостоверение“?"]
    );
    assert_eq!(
        state_of(&app, &id).await,
        "in_review",
        "nothing changed yet"
    );
    assert_eq!(
        asked.attr("form input[name=confirmed]", "value").as_deref(),
        Some("yes")
    );
    let fields: Vec<(String, String)> = asked
        .html()
        .select(&scraper::Selector::parse("form input[type=hidden]").unwrap())
        .map(|i| {
            (
                i.value().attr("name").unwrap().to_owned(),
                i.value().attr("value").unwrap().to_owned(),
            )
        })
        .filter(|(name, _)| name != "_csrf")
        .collect();
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let done = operator
        .post_form(&format!("/office/cases/{id}/transition"), &fields)
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(state_of(&app, &id).await, "approved");
}

#[tokio::test]
async fn withdrawing_is_asked_about_first() {
    let app = seeded().await;
    let (applicant, _, secret) = citizen(&app, "confirm-withdraw@example.bg").await;
    let id = fill_address_registration(&app, &applicant, None, "sredets").await;
    submit(&app, &applicant, &id, &secret).await;
    let page = applicant.get(&format!("/applications/{id}")).await;
    let version = page
        .attr("form[action$='/withdraw'] input[name=version]", "value")
        .unwrap();
    let asked = applicant
        .post_form(
            &format!("/applications/{id}/withdraw"),
            &[("version", &version)],
        )
        .await;
    assert_eq!(asked.status, StatusCode::OK);
    assert_eq!(asked.texts("h1"), vec!["Да оттеглите ли заявлението?"]);
    assert_eq!(state_of(&app, &id).await, "submitted");
    let done = applicant
        .post_form(
            &format!("/applications/{id}/withdraw"),
            &[("version", &version), ("confirmed", "yes")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(state_of(&app, &id).await, "withdrawn");
}

/// An operator of Sofia's `unit` (by its code), with the demo password and key, made the way the
/// demo makes staff. Returns the account id.
async fn sofia_operator(app: &TestApp, email: &str, unit: &str) -> String {
    let staff = portico_identity::model::NewStaff {
        given_name: "Мария".into(),
        family_name: "Иванова".into(),
        email: email.into(),
        password: String::new(),
    };
    let hash = portico_identity::service::password::hash(DEMO_PASSWORD.into())
        .await
        .unwrap();
    let mut tx = app.db.begin().await.unwrap();
    let now = portico_core::Clock::now(&app.clock);
    let account =
        portico_identity::service::accounts::create_staff(&mut tx, &staff, &hash, "test", now)
            .await
            .unwrap();
    let (sofia,): (String,) =
        sqlx::query_as("SELECT id FROM administrations WHERE eik = '000696327'")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
    let (unit,): (String,) =
        sqlx::query_as("SELECT id FROM units WHERE administration_id = $1 AND code = $2")
            .bind(&sofia)
            .bind(unit)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
    portico_identity::service::roles::grant(
        &mut tx,
        &account,
        &sofia,
        Some(&unit),
        portico_identity::model::Role::Operator,
        "test",
        now,
    )
    .await
    .unwrap();
    portico_identity::service::totp::enrol_with_secret(&mut tx, &account, DEMO_TOTP_SECRET, now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    account
}

async fn account_id(app: &TestApp, email: &str) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM accounts WHERE email = $1")
        .bind(email)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    id
}

/// What the database holds of a case's assignment: who works it, its version, the timeline's
/// assignment entries and the audit log's.
async fn assignment_of(app: &TestApp, id: &str) -> (Option<String>, i64, i64, i64) {
    let (assigned, version): (Option<String>, i64) =
        sqlx::query_as("SELECT assigned_to, version FROM applications WHERE id = $1")
            .bind(id)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    let (events,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM application_events WHERE application_id = $1 AND kind = 'assigned'",
    )
    .bind(id)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let audited = app
        .count("SELECT COUNT(*) FROM audit_log WHERE action = 'cases.assigned'")
        .await;
    (assigned, version, events, audited)
}

#[tokio::test]
async fn two_operator_accounts_claiming_one_case_at_once_one_wins_and_the_other_is_told() {
    let app = seeded().await;
    let (applicant, _, secret) = citizen(&app, "race@example.bg").await;
    let id = fill_address_registration(&app, &applicant, None, "sredets").await;
    submit(&app, &applicant, &id, &secret).await;
    let second_id = sofia_operator(&app, "op2.sredets@sofia.bg", "sredets").await;
    let first_id = account_id(&app, OPERATOR).await;
    let first = staff(&app, OPERATOR).await;
    let second = staff(&app, "op2.sredets@sofia.bg").await;
    let path = format!("/office/cases/{id}");
    let v1 = first
        .get(&path)
        .await
        .attr("input[name=version]", "value")
        .unwrap();
    let v2 = second
        .get(&path)
        .await
        .attr("input[name=version]", "value")
        .unwrap();
    assert_eq!(v1, v2, "both saw the same version");
    let (before, version, events, audited) = assignment_of(&app, &id).await;
    assert_eq!((before, events), (None, 0));

    let claim = format!("{path}/claim");
    let (f1, f2) = ([("version", v1.as_str())], [("version", v2.as_str())]);
    let (a, b) = tokio::join!(first.post_form(&claim, &f1), second.post_form(&claim, &f2));
    let (winner, loser) = match (a.status, b.status) {
        (StatusCode::SEE_OTHER, StatusCode::CONFLICT) => (first_id, b),
        (StatusCode::CONFLICT, StatusCode::SEE_OTHER) => (second_id, a),
        other => panic!(
            "one claim must win and one conflict: {other:?}\n{}\n{}",
            a.body, b.body
        ),
    };
    assert_eq!(
        loser.texts("h1"),
        vec!["Някой друг промени това междувременно"]
    );
    assert_eq!(
        assignment_of(&app, &id).await,
        (Some(winner), version + 1, 1, audited + 1),
        "one assignment recorded, on the case, its timeline and the audit log"
    );
}

#[tokio::test]
async fn an_admin_giving_a_case_to_an_operator_of_another_unit_is_refused_and_nothing_changes() {
    let app = seeded().await;
    let (applicant, _, secret) = citizen(&app, "elsewhere@example.bg").await;
    let id = fill_address_registration(&app, &applicant, None, "sredets").await;
    submit(&app, &applicant, &id, &secret).await;
    let mladost = sofia_operator(&app, "op.mladost.assign@sofia.bg", "mladost").await;
    let admin = staff(&app, "admin@sofia.portico.demo").await;
    let case = admin.get(&format!("/office/cases/{id}")).await;
    let version = case.attr("input[name=version]", "value").unwrap();
    let before = assignment_of(&app, &id).await;
    assert_eq!((&before.0, before.2), (&None, 0));
    let timeline_before = timeline_len(&app, &id).await;

    let refused = admin
        .post_form(
            &format!("/office/cases/{id}/assign"),
            &[("operator", &mladost), ("version", &version)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("Изберете служител, който работи в звеното на заявлението"),
        "{}",
        refused.body
    );
    assert_eq!(assignment_of(&app, &id).await, before, "nothing changed");
    assert_eq!(timeline_len(&app, &id).await, timeline_before);
}

async fn timeline_len(app: &TestApp, id: &str) -> i64 {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM application_events WHERE application_id = $1")
            .bind(id)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    n
}

/// Deciding a consent is the person's own act, as signing is: it takes their second factor. A
/// missing or wrong code decides nothing; a refusal asks for the code on its "are you sure?"
/// page; a person may use an e-mailed code instead of an app.
#[tokio::test]
async fn deciding_a_consent_takes_the_second_factor() {
    let app = seeded().await;
    let (owner, owner_egn, owner_secret) = verified_citizen(&app, "stepup-owner@example.bg").await;
    let (applicant, _, secret) = citizen(&app, "stepup-applicant@example.bg").await;
    let id = fill_address_registration(&app, &applicant, Some(&owner_egn), "sredets").await;
    submit(&app, &applicant, &id, &secret).await;
    let link = owner
        .get("/consents")
        .await
        .attr("main a[href^='/consents/']", "href")
        .unwrap();
    let page = owner.get(&link).await;
    assert_eq!(
        page.texts("label[for=code]"),
        vec!["Код от приложението за удостоверяване"]
    );
    let decided = || async {
        app.count("SELECT COUNT(*) FROM consents WHERE decided_at IS NOT NULL")
            .await
    };

    // No code, then a wrong one: the page again with the error, and nothing decided.
    for code in ["", "000000"] {
        let page = owner
            .post_form(&link, &[("decision", "give"), ("code", code)])
            .await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            page.body
        );
        assert_eq!(
            page.texts(".error-summary a"),
            vec!["Кодът не е верен, изтекъл е или вече е използван"]
        );
        assert_eq!(page.attr(".error-summary a", "href").unwrap(), "#code");
        assert_eq!(decided().await, 0);
    }
    assert_eq!(state_of(&app, &id).await, "waiting_consent");

    // A refusal: the "are you sure?" page asks for the code, keeping what was typed.
    let typed = app.totp(&owner_secret);
    let asked = owner
        .post_form(&link, &[("decision", "refuse"), ("code", &typed)])
        .await;
    assert_eq!(asked.status, StatusCode::OK);
    assert_eq!(asked.attr("#code", "value").unwrap(), typed);
    assert_eq!(decided().await, 0, "nothing decided on the first look");
    let wrong = owner
        .post_form(
            &link,
            &[
                ("decision", "refuse"),
                ("confirmed", "yes"),
                ("code", "000000"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.texts("h1"), vec!["Да откажете ли съгласието си?"]);
    assert_eq!(decided().await, 0);

    // Without the app at hand: a code by e-mail, for this purpose, brings them back here.
    let sent = owner
        .post_form(
            "/step-up/code",
            &[
                ("channel", "email"),
                ("purpose", "cases.consent"),
                ("back", &link),
            ],
        )
        .await;
    assert_eq!(sent.location(), format!("{link}?code_sent=email"));
    let back = owner.get(sent.location()).await;
    assert_eq!(
        back.texts(".notification p"),
        vec!["Изпратихме ви код по имейл. Въведете го по-долу до 5 минути."]
    );
    let mail = app.mail.wait_for("Your confirmation code is").await;
    let code: String = mail
        .split("Your confirmation code is ")
        .nth(1)
        .unwrap()
        .chars()
        .take(6)
        .collect();
    let given = owner
        .post_form(&link, &[("decision", "give"), ("code", &code)])
        .await;
    assert_eq!(given.location(), "/consents?done=1", "{}", given.body);
    assert_eq!(state_of(&app, &id).await, "submitted");
    let (method,): (String,) = sqlx::query_as(
        "SELECT details FROM audit_log WHERE action = 'identity.step_up' AND details LIKE '%cases.consent%' AND details LIKE '%confirmed%'",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert!(method.contains("\"email\""), "{method}");
}
