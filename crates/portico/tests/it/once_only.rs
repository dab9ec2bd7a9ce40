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

    // The look-up is the person's to see: Sofia, for address registration, with its legal basis.
    assert_eq!(look_ups(&app).await, 1);
    let my_data = applicant.get("/my-data").await;
    let rows = my_data.texts("#query-log tr.query-row");
    assert_eq!(rows.len(), 1, "{}", my_data.body);
    assert!(rows[0].contains("Столична община"), "{}", rows[0]);
    assert!(
        rows[0].contains("Закон за гражданската регистрация"),
        "{}",
        rows[0]
    );

    // Coming back to the draft asks the register no more.
    let resumed = applicant.get(&format!("{SERVICE}/apply")).await;
    assert_ne!(
        resumed.location(),
        path,
        "the draft resumes where it was left"
    );
    let again = applicant.get(&path).await;
    assert_eq!(again.texts("#children_egns-source").len(), 1);
    assert_eq!(look_ups(&app).await, 1);
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
