//! Once only: the flagship form arrives with the applicant's children filled in from the
//! population register, says where they came from, and the look-up is in the person's "my data"
//! with the service's legal basis; nobody whose identity is only claimed opens a register entry,
//! and an administration without a grant does not ask.

use crate::cases::{citizen, seeded, verified_citizen, SERVICE};
use crate::support::TestApp;
use portico_registries::service::{demo, Registries};
use reqwest::StatusCode;
use std::sync::Arc;

fn registries(app: &TestApp) -> Registries {
    Registries::new(
        app.db.clone(),
        Arc::new(app.clock.clone()),
        portico_audit::SigningKey::generate(),
        portico_core::Pseudonymiser::new(b"once-only-test-key".to_vec()),
    )
}

fn person(egn: &str, given: &str, father: Option<&str>) -> demo::PersonRecord {
    demo::PersonRecord {
        egn: egn.to_owned(),
        given_name: given.into(),
        middle_name: "Петрова".into(),
        family_name: "Колева".into(),
        birth_date: portico_core::PersonalId::parse_egn(egn)
            .unwrap()
            .birth_date()
            .unwrap(),
        sex: "female",
        permanent_address: "sof-0001".into(),
        current_address: "sof-0001".into(),
        mother_egn: None,
        father_egn: father.map(str::to_owned),
    }
}

/// The applicant and two children of theirs in the population register; the children's EGNs.
async fn family_of(app: &TestApp, egn: &str) -> Vec<String> {
    let born = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let children = vec![
        portico_core::personal_id::synthetic_egn(born(2016, 5, 20), 17),
        portico_core::personal_id::synthetic_egn(born(2019, 11, 3), 208),
    ];
    demo::insert_people(
        &registries(app),
        &[
            person(egn, "Анна", None),
            person(&children[0], "Мила", Some(egn)),
            person(&children[1], "Ева", Some(egn)),
        ],
    )
    .await
    .unwrap();
    children
}

/// Every look-up in the query log (each test has its own database, and the demo asks none).
async fn look_ups(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM registries_query_log").await
}

/// The first step of a new (or the open) application: its path and page.
async fn first_step(
    client: &crate::support::Client,
    service: &str,
) -> (String, crate::support::Page) {
    let start = client.get(&format!("{service}/apply")).await;
    assert_eq!(start.status, StatusCode::SEE_OTHER, "{}", start.body);
    let path = start.location().to_owned();
    let step = client.get(&path).await;
    assert_eq!(step.status, StatusCode::OK, "{}", step.body);
    (path, step)
}

#[tokio::test]
async fn the_form_arrives_with_the_children_from_the_population_register_and_says_so() {
    let app = seeded().await;
    let (applicant, egn, _) = verified_citizen(&app, "once@example.bg").await;
    let children = family_of(&app, &egn).await;

    let (path, step) = first_step(&applicant, SERVICE).await;
    let filled: Vec<String> = step
        .texts("textarea#children_egns")
        .first()
        .expect("the children's field")
        .lines()
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(filled, children, "both children, from the register");
    let source = step.texts("#children_egns-source");
    assert_eq!(source.len(), 1, "{}", step.body);
    assert!(
        source[0].contains("Национален регистър на населението"),
        "{source:?}"
    );
    assert!(step
        .attr("textarea#children_egns", "aria-describedby")
        .unwrap()
        .contains("children_egns-source"));
    // The values are the person's to change: the field stays editable.
    assert!(step.attr("textarea#children_egns", "readonly").is_none());

    // The form takes them as they are: both are under 18.
    let posted = applicant
        .post_form(
            &path,
            &[
                ("include_children", "yes"),
                ("children_egns", &children.join("\n")),
                ("other_parent_egn", &crate::support::fresh_egn()),
            ],
        )
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);

    // The prefill, then each child's record to find their other parent (here, only the
    // applicant is named: nobody else's consent is needed).
    assert_eq!(look_ups(&app).await, 3);
    // The look-up is the person's to see: Sofia, for address registration, with its legal basis.
    let my_data = applicant.get("/my-data").await;
    let rows = my_data.texts("#query-log tr.query-row");
    assert_eq!(rows.len(), 1, "{}", my_data.body);
    assert!(rows[0].contains("Столична община"), "{}", rows[0]);
    assert!(
        rows[0].contains("Закон за гражданската регистрация"),
        "{}",
        rows[0]
    );

    // Coming back to the draft asks the registers no more.
    let resumed = applicant.get(&format!("{SERVICE}/apply")).await;
    assert_ne!(
        resumed.location(),
        path,
        "the draft resumes where it was left"
    );
    let again = applicant.get(&path).await;
    assert_eq!(again.texts("#children_egns-source").len(), 1);
    assert_eq!(look_ups(&app).await, 3);
}

#[tokio::test]
async fn a_claimed_identity_opens_no_register_entry() {
    let app = seeded().await;
    // Someone registered with the number of a person in the register, not proven at a counter.
    let (claimant, egn, _) = citizen(&app, "claims@example.bg").await;
    family_of(&app, &egn).await;
    let (_, step) = first_step(&claimant, SERVICE).await;
    assert!(step.texts("#children_egns-source").is_empty());
    let field = step.texts("textarea#children_egns");
    assert!(field.iter().all(|t| t.trim().is_empty()), "{field:?}");
    assert_eq!(look_ups(&app).await, 0, "nothing was asked");
}

#[tokio::test]
async fn an_administration_without_a_grant_does_not_ask() {
    let app = seeded().await;
    let (applicant, egn, _) = verified_citizen(&app, "chelopech-once@example.bg").await;
    family_of(&app, &egn).await;
    // Chelopech adopted the same form, but holds no grant for the population register.
    let (_, step) = first_step(&applicant, "/services/address-registration-chelopech").await;
    assert!(step.texts("#children_egns-source").is_empty());
    assert_eq!(look_ups(&app).await, 0, "no refused look-up either");
}

#[tokio::test]
async fn an_operator_checks_ownership_in_the_address_register_from_the_case() {
    use crate::cases::{address_in, fill_address_registration, staff, submit, OPERATOR};
    let app = seeded().await;
    let (owner, owner_egn, owner_secret) = verified_citizen(&app, "owner-check@example.bg").await;
    let (tenant, _, tenant_secret) = verified_citizen(&app, "tenant-check@example.bg").await;
    let address = address_in(&app, "sredets").await;
    demo::insert_owners(&registries(&app), &[(address.clone(), owner_egn.clone())])
        .await
        .unwrap();
    // Both say they own the home (fill_address_registration with no owner answers "yes").
    let owned = fill_address_registration(&app, &owner, None, "sredets").await;
    submit(&app, &owner, &owned, &owner_secret).await;
    let claimed = fill_address_registration(&app, &tenant, None, "sredets").await;
    submit(&app, &tenant, &claimed, &tenant_secret).await;
    let before = look_ups(&app).await;

    let operator = staff(&app, OPERATOR).await;
    let outcome = |page: &crate::support::Page| {
        page.texts("#check-applicant_owns_address .check-outcome")
            .first()
            .cloned()
    };
    let case = operator.get(&format!("/office/cases/{owned}")).await;
    assert_eq!(case.status, StatusCode::OK, "{}", case.body);
    assert_eq!(outcome(&case), None, "not run yet");
    // The children's check is not offered: this application registers no children.
    assert!(case.texts("#check-children_are_applicants").is_empty());
    let check = |id: &str| format!("/office/cases/{id}/checks/applicant_owns_address");

    let ran = operator.post_form(&check(&owned), &[]).await;
    assert_eq!(ran.status, StatusCode::SEE_OTHER, "{}", ran.body);
    let case = operator.get(&format!("/office/cases/{owned}")).await;
    assert_eq!(outcome(&case).as_deref(), Some("Потвърдено"));
    // The run is on the case's timeline, in words, for staff only.
    let entries = case.texts(".timeline__item--internal");
    assert!(
        entries.iter().any(|e| e.contains("Проверка в регистър")
            && e.contains("Собственик ли е заявителят на адреса?: Потвърдено")),
        "{entries:?}"
    );
    let own_view = owner.get(&format!("/applications/{owned}")).await;
    assert!(
        !own_view.body.contains("Проверка в регистър"),
        "not on the applicant's timeline"
    );

    operator.post_form(&check(&claimed), &[]).await;
    let case = operator.get(&format!("/office/cases/{claimed}")).await;
    assert_eq!(outcome(&case).as_deref(), Some("Не се потвърждава"));
    assert_eq!(look_ups(&app).await, before + 2, "one look-up a run");

    // The owner sees the operator's look-up about them, with the service's legal basis.
    // (The other row is the form's prefill, which found no record of this test person.)
    let my_data = owner.get("/my-data").await;
    let rows = my_data.texts("#query-log tr.query-row");
    let check_row = rows
        .iter()
        .find(|r| r.contains("Адресен регистър на София"))
        .unwrap_or_else(|| panic!("{}", my_data.body));
    assert!(check_row.contains("Столична община"), "{check_row}");
    assert!(
        check_row.contains("Закон за гражданската регистрация"),
        "{check_row}"
    );

    // The applicant cannot run a check on their own case, nor can an operator run one without
    // the form's token, or one the case does not call for.
    let by_applicant = owner.post_form(&check(&owned), &[]).await;
    assert_eq!(
        by_applicant.status,
        StatusCode::FORBIDDEN,
        "{}",
        by_applicant.location()
    );
    let no_token = operator.post_raw(&check(&owned), &[]).await;
    assert_ne!(no_token.status, StatusCode::SEE_OTHER);
    let unknown = operator
        .post_form(
            &format!("/office/cases/{owned}/checks/children_are_applicants"),
            &[],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        look_ups(&app).await,
        before + 2,
        "none of those asked a register"
    );
}

/// A person of the population register, of the given sex, with parents.
fn adult(egn: &str, given: &str, family: &str) -> demo::PersonRecord {
    demo::PersonRecord {
        given_name: given.into(),
        family_name: family.into(),
        ..person(egn, given, None)
    }
}

async fn consents_for(app: &TestApp, egn: &str, role: &str) -> i64 {
    // Digits only: the EGNs are the test's own.
    assert!(egn.bytes().all(|b| b.is_ascii_digit()));
    app.count(&format!(
        "SELECT COUNT(*) FROM consents WHERE personal_id = '{egn}' AND role = '{role}' AND status = 'pending'"
    ))
    .await
}

#[tokio::test]
async fn the_owners_of_the_address_are_found_in_the_address_register_and_asked() {
    use crate::cases::{address_in, submit};
    let app = seeded().await;
    let (tenant, tenant_egn, secret) = verified_citizen(&app, "tenant-found@example.bg").await;
    let (owner_client, owner_egn, _) = verified_citizen(&app, "owner-found@example.bg").await;
    let co_owner = crate::support::fresh_egn();
    let reg = registries(&app);
    demo::insert_people(
        &reg,
        &[
            adult(&tenant_egn, "Анна", "Колева"),
            adult(&owner_egn, "Росица", "Димова"),
            adult(&co_owner, "Стоян", "Димов"),
        ],
    )
    .await
    .unwrap();
    let address = address_in(&app, "sredets").await;
    demo::insert_owners(
        &reg,
        &[
            (address.clone(), owner_egn.clone()),
            (address.clone(), co_owner.clone()),
        ],
    )
    .await
    .unwrap();

    let (path, _) = first_step(&tenant, SERVICE).await;
    let id = path.split('/').nth(2).unwrap().to_owned();
    let posted = tenant.post_form(&path, &[("include_children", "no")]).await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    let step1 = tenant.get(&format!("/applications/{id}/step/1")).await;
    assert!(
        step1.texts("[name=owner_egn]").is_empty() && !step1.body.contains("name=\"owner_egn\""),
        "the form does not ask for the owner: {}",
        step1.body
    );
    let before = look_ups(&app).await;
    let posted = tenant
        .post_form(
            &format!("/applications/{id}/step/1"),
            &[
                ("address_kind", "current"),
                ("address", &address),
                ("owns_home", "no"),
            ],
        )
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    // The address, then each owner's name: three look-ups, each in the log.
    assert_eq!(look_ups(&app).await, before + 3);
    tenant
        .post_form(&format!("/applications/{id}/step/2"), &[])
        .await;

    let review = tenant.get(&format!("/applications/{id}/review")).await;
    let asked = review.texts("#consenters li");
    assert_eq!(asked.len(), 2, "{}", review.body);
    assert!(
        asked
            .iter()
            .any(|a| a.contains("Росица Димова") && a.contains("собственик на жилището")),
        "{asked:?}"
    );
    assert!(asked.iter().any(|a| a.contains("Стоян Димов")), "{asked:?}");
    assert!(
        !review.body.contains(&owner_egn) && !review.body.contains(&co_owner),
        "names, not EGNs"
    );

    submit(&app, &tenant, &id, &secret).await;
    // The application's page says who was asked and where each stands, by name.
    let shown = tenant.get(&format!("/applications/{id}")).await;
    let asked = shown.texts("#consenters li");
    assert_eq!(asked.len(), 2, "{}", shown.body);
    assert!(asked.iter().all(|a| a.contains("очаква се")), "{asked:?}");
    assert!(asked.iter().any(|a| a.contains("Росица Димова")));
    assert!(!shown.body.contains(&owner_egn) && !shown.body.contains(&co_owner));
    assert_eq!(consents_for(&app, &owner_egn, "owner").await, 1);
    assert_eq!(consents_for(&app, &co_owner, "owner").await, 1);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM applications WHERE id = '{id}' AND state = 'waiting_consent'"
        ))
        .await,
        1
    );
    // The owner has the request in their account, and sees on "my data" that Sofia read their
    // name for it, with the service's legal basis.
    let consents = owner_client.get("/consents").await;
    assert_eq!(consents.texts("main li a").len(), 1, "{}", consents.body);
    let my_data = owner_client.get("/my-data").await;
    let rows = my_data.texts("#query-log tr.query-row");
    assert!(
        rows.iter()
            .any(|r| r.contains("Столична община")
                && r.contains("Закон за гражданската регистрация")),
        "{rows:?}"
    );
}

#[tokio::test]
async fn the_other_parent_of_each_child_is_found_in_the_population_register() {
    use crate::cases::submit;
    let app = seeded().await;
    let (mother, mother_egn, secret) = verified_citizen(&app, "mother-found@example.bg").await;
    let father = crate::support::fresh_egn();
    let born = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let children = [
        portico_core::personal_id::synthetic_egn(born(2017, 2, 11), 33),
        portico_core::personal_id::synthetic_egn(born(2020, 6, 1), 406),
    ];
    let child = |egn: &str, given: &str| demo::PersonRecord {
        mother_egn: Some(mother_egn.clone()),
        ..person(egn, given, Some(&father))
    };
    demo::insert_people(
        &registries(&app),
        &[
            adult(&mother_egn, "Десислава", "Ненова"),
            adult(&father, "Петко", "Ненов"),
            child(&children[0], "Ния"),
            child(&children[1], "Боян"),
        ],
    )
    .await
    .unwrap();

    let (path, step0) = first_step(&mother, SERVICE).await;
    assert!(
        !step0.body.contains("name=\"other_parent_egn\""),
        "the form does not ask for the other parent"
    );
    let id = path.split('/').nth(2).unwrap().to_owned();
    let posted = mother
        .post_form(
            &path,
            &[
                ("include_children", "yes"),
                ("children_egns", &children.join("\n")),
            ],
        )
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    let posted = mother
        .post_form(
            &format!("/applications/{id}/step/1"),
            &[
                ("address_kind", "current"),
                ("address", "sof-0003"),
                ("owns_home", "yes"),
            ],
        )
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    mother
        .post_form(&format!("/applications/{id}/step/2"), &[])
        .await;
    let review = mother.get(&format!("/applications/{id}/review")).await;
    let asked = review.texts("#consenters li");
    assert_eq!(
        asked.len(),
        1,
        "one father of both children: {}",
        review.body
    );
    assert!(
        asked[0].contains("Петко Ненов") && asked[0].contains("родител на детето"),
        "{asked:?}"
    );
    assert!(!review.body.contains(&father));

    submit(&app, &mother, &id, &secret).await;
    assert_eq!(consents_for(&app, &father, "parent").await, 1);
    assert_eq!(
        consents_for(&app, &mother_egn, "parent").await,
        0,
        "not the applicant"
    );
}

#[tokio::test]
async fn where_the_register_cannot_say_the_applicant_names_the_owner() {
    use crate::cases::address_in;
    let app = seeded().await;
    let (tenant, _, _) = verified_citizen(&app, "nobody-owns@example.bg").await;
    // The register lists no owner of this address.
    let address = address_in(&app, "sredets").await;
    let (path, _) = first_step(&tenant, SERVICE).await;
    let id = path.split('/').nth(2).unwrap().to_owned();
    tenant.post_form(&path, &[("include_children", "no")]).await;
    let fields = [
        ("address_kind", "current"),
        ("address", address.as_str()),
        ("owns_home", "no"),
    ];
    let asked = tenant
        .post_form(&format!("/applications/{id}/step/1"), &fields)
        .await;
    assert_eq!(
        asked.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        asked.body
    );
    assert!(
        asked.body.contains("Регистърът не може да посочи"),
        "{}",
        asked.body
    );
    assert!(asked.body.contains("name=\"owner_egn\""));
    let owner = crate::support::fresh_egn();
    let mut named = fields.to_vec();
    named.push(("owner_egn", &owner));
    let posted = tenant
        .post_form(&format!("/applications/{id}/step/1"), &named)
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    let review = tenant.get(&format!("/applications/{id}/review")).await;
    assert!(review.texts("#consenters li").is_empty());
    assert!(
        review.body.contains(&owner),
        "the owner's EGN as the applicant gave it"
    );

    // Chelopech has no grant, and a claimed identity opens nothing: both are asked as before.
    let (chelopech, _) = first_step(&tenant, "/services/address-registration-chelopech").await;
    let chelopech_id = chelopech.split('/').nth(2).unwrap().to_owned();
    let step = tenant
        .get(&format!("/applications/{chelopech_id}/step/1"))
        .await;
    assert!(step.body.contains("name=\"owner_egn\""));
    let (claimant, _, _) = citizen(&app, "claims-owner@example.bg").await;
    let (path, step0) = first_step(&claimant, SERVICE).await;
    assert!(step0.body.contains("name=\"other_parent_egn\""));
    let id = path.split('/').nth(2).unwrap().to_owned();
    let step = claimant.get(&format!("/applications/{id}/step/1")).await;
    assert!(step.body.contains("name=\"owner_egn\""));
}
