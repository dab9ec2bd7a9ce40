//! The rules of applications reached without any HTTP session: the same service functions the
//! pages call, driven by a person (with a step-up proof), the platform itself (a consent
//! completing a case) and an institution's system as an API client of the administration.

use crate::support::TestApp;
use portico::demo::{DEMO_TOTP_SECRET, SOFIA_EIK};
use portico_cases::model::TransitionInput;
use portico_cases::service::{applications, consents, decisions, submission, Cases};
use portico_cases::CasesError;
use portico_core::{Actor, ApiClient, Assurance, Clock};
use portico_identity::service::{accounts, administrations, step_up, totp};
use std::sync::Arc;

pub async fn seeded() -> TestApp {
    let app = TestApp::start().await;
    portico::demo::seed(&app.db, &app.clock)
        .await
        .expect("demo data");
    app
}

pub fn cases_context(app: &TestApp) -> Cases {
    Cases {
        db: app.db.clone(),
        blobs: portico_store::BlobStore::from_url(
            app.data_dir.path().join("service-blobs").to_str().unwrap(),
        )
        .unwrap(),
        // The installation's key: eDelivery finds its master keys by it (results are sealed).
        key: portico::app::signing_key(&app.config, app.clock.now()).unwrap(),
        clock: Arc::new(app.clock.clone()),
        jobs_waker: Arc::new(tokio::sync::Notify::new()),
        base_url: app.base.clone(),
        registries: None,
    }
}

/// A citizen account (made once over the registration page, as anyone would) with an
/// authenticator; returns their account id and EGN.
pub async fn person(app: &TestApp, email: &str) -> (String, String) {
    let (_, egn) = app.register(email).await;
    let account = accounts::find_by_personal_id(&app.db, &egn)
        .await
        .unwrap()
        .unwrap();
    let mut tx = app.db.begin().await.unwrap();
    totp::enrol_with_secret(&mut tx, &account.id, DEMO_TOTP_SECRET, app.clock.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (account.id, egn)
}

/// A complete draft of Sofia's address registration, as the form would have saved it.
pub async fn draft(app: &TestApp, applicant_id: &str, egn: &str, owner_egn: &str) -> String {
    let service = portico_catalog::service::by_slug(&app.db, "address-registration-sofia")
        .await
        .unwrap()
        .unwrap();
    let form = portico_catalog::forms::current(&app.db, service.form_key.as_deref().unwrap())
        .await
        .unwrap()
        .unwrap();
    let address = portico_catalog::service::nomenclatures::list(
        &app.db,
        portico_catalog::service::nomenclatures::SOFIA_ADDRESSES,
    )
    .await
    .unwrap()
    .into_iter()
    .find(|e| e.attribute("district") == Some("sredets"))
    .unwrap()
    .code;
    let data = serde_json::json!({
        "applicant_egn": egn,
        "include_children": "no",
        "address_kind": "permanent",
        "address": address,
        "owns_home": "no",
        "owner_egn": owner_egn,
    });
    let info = portico_cases::model::ServiceInfo {
        id: service.id.clone(),
        administration_id: service.administration_id.clone(),
        process_key: service.process_key.clone(),
        state_deadlines: service.state_deadlines.clone(),
    };
    let now = app.clock.now();
    let mut tx = app.db.begin().await.unwrap();
    let draft = applications::start_draft(&mut tx, applicant_id, &info, &form.id, data, now)
        .await
        .unwrap();
    let steps = form.steps().len() as i64;
    applications::save_draft(&mut tx, &draft.id, applicant_id, &draft.data, steps, now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    draft.id
}

async fn sofia_client(app: &TestApp, scopes: &[&str]) -> Actor {
    let sofia = administrations::list(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.eik.to_string() == SOFIA_EIK)
        .unwrap();
    Actor::ApiClient(ApiClient {
        client_id: "sofia-records-system".into(),
        administration_id: sofia.id,
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
    })
}

/// The person's second factor confirmed for deciding a consent, with a real authenticator code.
async fn consent_proof(app: &TestApp, account_id: &str) -> step_up::StepUp {
    step_up::confirm(
        &app.db,
        account_id,
        &app.totp(DEMO_TOTP_SECRET),
        consents::STEP_UP_PURPOSE,
        app.clock.now(),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn a_case_moves_through_its_whole_process_without_an_http_session() {
    let app = seeded().await;
    let cases = cases_context(&app);
    let (applicant_id, applicant_egn) = person(&app, "no-http-applicant@example.bg").await;
    let (owner_id, owner_egn) = person(&app, "no-http-owner@example.bg").await;
    let id = draft(&app, &applicant_id, &applicant_egn, &owner_egn).await;
    let applicant = Actor::person(&applicant_id, Assurance::Substantial);

    // Submitting takes a step-up proof from identity: a real authenticator code.
    let code = app.totp(DEMO_TOTP_SECRET);
    let proof = step_up::confirm(
        &app.db,
        &applicant_id,
        &code,
        submission::STEP_UP_PURPOSE,
        app.clock.now(),
    )
    .await
    .unwrap();
    let receipt = submission::submit(&cases, &applicant, &id, &proof)
        .await
        .unwrap();
    assert_eq!(receipt.application.state, "waiting_consent");
    assert!(receipt
        .tracking_number
        .starts_with(&app.clock.now().format("%Y-").to_string()));
    // The same draft submitted again changes nothing.
    assert!(matches!(
        submission::submit(&cases, &applicant, &id, &proof).await,
        Err(CasesError::AlreadySubmitted)
    ));

    // The owner consents; the platform (a system actor) moves the case on.
    let owner = Actor::person(&owner_id, Assurance::Substantial);
    let pending = consents::pending_for(
        &app.db,
        &portico_core::PersonalId::parse_egn(&owner_egn).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(pending.len(), 1);
    // Without a proof of the second factor for deciding a consent, nothing is decided.
    let for_submitting = step_up::confirm(
        &app.db,
        &owner_id,
        &app.totp(DEMO_TOTP_SECRET),
        submission::STEP_UP_PURPOSE,
        app.clock.now(),
    )
    .await
    .unwrap();
    assert!(matches!(
        consents::give_or_refuse(&cases, &owner, &pending[0].id, true, &for_submitting).await,
        Err(CasesError::Forbidden)
    ));
    assert_eq!(
        consents::pending_for(
            &app.db,
            &portico_core::PersonalId::parse_egn(&owner_egn).unwrap()
        )
        .await
        .unwrap()
        .len(),
        1
    );
    app.advance(30);
    let proof = consent_proof(&app, &owner_id).await;
    let outcome = consents::give_or_refuse(&cases, &owner, &pending[0].id, true, &proof)
        .await
        .unwrap();
    assert_eq!(outcome, consents::Outcome::AllGiven);
    let app_now = applications::get(&app.db, &id).await.unwrap().unwrap();
    assert_eq!(app_now.state, "submitted");

    // Sofia's records system works the case as an API client with the cases scope.
    let unscoped = sofia_client(&app, &["payments"]).await;
    assert!(matches!(
        decisions::take(
            &cases,
            &unscoped,
            &id,
            "start_review",
            app_now.version,
            &TransitionInput::default()
        )
        .await,
        Err(CasesError::NotFound)
    ));
    let system = sofia_client(&app, &["cases"]).await;
    let claimed = decisions::claim(&cases, &system, &id, app_now.version)
        .await
        .unwrap();
    assert_eq!(
        claimed.assigned_to.as_deref(),
        Some("client:sofia-records-system")
    );
    let reviewing = decisions::take(
        &cases,
        &system,
        &id,
        "start_review",
        claimed.version,
        &TransitionInput::default(),
    )
    .await
    .unwrap();
    assert_eq!(reviewing.state, "in_review");
    // The applicant cannot approve their own case.
    assert!(matches!(
        decisions::take(
            &cases,
            &applicant,
            &id,
            "approve",
            reviewing.version,
            &TransitionInput::default()
        )
        .await,
        Err(CasesError::Transition(_))
    ));
    let approved = decisions::take(
        &cases,
        &system,
        &id,
        "approve",
        reviewing.version,
        &TransitionInput::default(),
    )
    .await
    .unwrap();
    assert_eq!(approved.state, "approved");
    let stored = applications::get(&app.db, &id).await.unwrap().unwrap();
    let key = stored.result_blob.clone().expect("the result was issued");
    let document = cases.blobs.get(&key).await.unwrap().unwrap();
    // A PDF (its text is read by pdftotext in tests/it/documents.rs), whose SHA-256 the
    // signed statement names.
    assert!(document.starts_with(b"%PDF-"));
    let issued = portico_cases::service::results::issued(&cases, &stored)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(issued.bytes, document.to_vec());
    assert_eq!(issued.media_type, "application/pdf");
    assert_eq!(
        issued.file_name,
        format!("result-{}.pdf", receipt.tracking_number)
    );

    // Every step is in the audit log, under the actor that took it.
    let actors: Vec<(String, String)> = sqlx::query_as(
        "SELECT actor, action FROM audit_log WHERE action LIKE 'cases.%' ORDER BY seq",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert!(
        actors.contains(&(applicant_id.clone(), "cases.submitted".into())),
        "{actors:?}"
    );
    assert!(
        actors.contains(&(owner_id.clone(), "cases.consent".into())),
        "{actors:?}"
    );
    assert!(
        actors.contains(&("system".into(), "cases.transition".into())),
        "{actors:?}"
    );
    assert!(
        actors.contains(&(
            "client:sofia-records-system".into(),
            "cases.transition".into()
        )),
        "{actors:?}"
    );
}

#[tokio::test]
async fn an_api_client_of_another_administration_cannot_reach_the_case() {
    let app = seeded().await;
    let cases = cases_context(&app);
    let (applicant_id, applicant_egn) = person(&app, "other-admin@example.bg").await;
    let (_, owner_egn) = person(&app, "other-admin-owner@example.bg").await;
    let id = draft(&app, &applicant_id, &applicant_egn, &owner_egn).await;
    let burgas = administrations::list(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.name_en.contains("Burgas"))
        .unwrap();
    let intruder = Actor::ApiClient(ApiClient {
        client_id: "burgas".into(),
        administration_id: burgas.id,
        scopes: vec!["cases".into()],
    });
    let before = applications::get(&app.db, &id).await.unwrap().unwrap();
    assert!(matches!(
        decisions::claim(&cases, &intruder, &id, before.version).await,
        Err(CasesError::NotFound)
    ));
    let after = applications::get(&app.db, &id).await.unwrap().unwrap();
    assert_eq!(after.version, before.version, "nothing changed");
}

#[tokio::test]
async fn the_applicant_cannot_name_themselves_as_the_owner_who_consents() {
    let app = seeded().await;
    let cases = cases_context(&app);
    let (applicant_id, egn) = person(&app, "self-owner@example.bg").await;
    let id = draft(&app, &applicant_id, &egn, &egn).await;
    let applicant = Actor::person(&applicant_id, Assurance::Substantial);
    let code = app.totp(DEMO_TOTP_SECRET);
    let proof = step_up::confirm(
        &app.db,
        &applicant_id,
        &code,
        submission::STEP_UP_PURPOSE,
        app.clock.now(),
    )
    .await
    .unwrap();
    match submission::submit(&cases, &applicant, &id, &proof).await {
        Err(CasesError::Invalid(errors)) => {
            assert_eq!(
                errors,
                vec![portico_core::FieldError::new("owner_egn", "consent.self")]
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    let still = applications::get(&app.db, &id).await.unwrap().unwrap();
    assert!(still.is_draft(), "nothing was submitted");
    assert_eq!(app.count("SELECT COUNT(*) FROM consents").await, 0);
}

#[tokio::test]
async fn a_withdrawn_application_closes_the_consents_it_was_waiting_for() {
    let app = seeded().await;
    let cases = cases_context(&app);
    let (applicant_id, applicant_egn) = person(&app, "withdraws@example.bg").await;
    let (owner_id, owner_egn) = person(&app, "withdraws-owner@example.bg").await;
    let id = draft(&app, &applicant_id, &applicant_egn, &owner_egn).await;
    let applicant = Actor::person(&applicant_id, Assurance::Substantial);
    let code = app.totp(DEMO_TOTP_SECRET);
    let proof = step_up::confirm(
        &app.db,
        &applicant_id,
        &code,
        submission::STEP_UP_PURPOSE,
        app.clock.now(),
    )
    .await
    .unwrap();
    let receipt = submission::submit(&cases, &applicant, &id, &proof)
        .await
        .unwrap();
    let pending = consents::pending_for(
        &app.db,
        &portico_core::PersonalId::parse_egn(&owner_egn).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(pending.len(), 1);

    let withdrawn = decisions::take(
        &cases,
        &applicant,
        &id,
        "withdraw",
        receipt.application.version,
        &TransitionInput::default(),
    )
    .await
    .unwrap();
    assert_eq!(withdrawn.state, "withdrawn");
    assert!(consents::pending_for(
        &app.db,
        &portico_core::PersonalId::parse_egn(&owner_egn).unwrap()
    )
    .await
    .unwrap()
    .is_empty());
    let closed = consents::get(&app.db, &pending[0].id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(closed.status, "closed");
    // Answering it now is a clear conflict, not a request left open forever.
    let owner = Actor::person(&owner_id, Assurance::Substantial);
    let proof = consent_proof(&app, &owner_id).await;
    assert!(matches!(
        consents::give_or_refuse(&cases, &owner, &pending[0].id, true, &proof).await,
        Err(CasesError::Conflict)
    ));
}
