//! Levels of assurance: a self-registered personal number is only claimed (low) until it is
//! verified at a counter; deciding a consent needs substantial.

use crate::cases::{citizen, fill_address_registration, seeded, staff, state_of, submit};
use crate::support::{Client, TestApp, PASSWORD};
use reqwest::StatusCode;

const VERIFIER: &str = "verifier@sofia.portico.demo";

/// Signs a citizen in again with their password and authenticator code.
pub async fn sign_in_again(app: &TestApp, client: &Client, email: &str, secret: &str) {
    client.sign_out().await;
    let page = client.sign_in_password(email, PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    client.get("/login/second-factor").await;
    let done = client
        .post_form("/login/totp", &[("code", &app.totp(secret))])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    app.advance(30);
}

/// Sofia's identity verifier finds the account by `egn` and returns the check page.
async fn find_at_counter(verifier: &Client, egn: &str) -> crate::support::Page {
    verifier.get("/verify").await;
    let found = verifier
        .post_form("/verify/find", &[("personal_id", egn)])
        .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    found
}

/// The demo identity verifier checks an identity card for the account with `egn`.
pub async fn verify_at_counter(app: &TestApp, egn: &str) {
    let verifier = staff(app, VERIFIER).await;
    let found = find_at_counter(&verifier, egn).await;
    let action = found
        .attr(
            "form[action^='/verify/']:not([action$='/release'])",
            "action",
        )
        .expect("the check form");
    let done = verifier
        .post_form(
            &action,
            &[
                ("document_kind", "identity_card"),
                ("document_number", "AA 1234567"),
                ("checked_in_person", "yes"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/verify?done=1");
}

#[tokio::test]
async fn someone_elses_claimed_number_cannot_consent_and_the_verified_owner_can() {
    let app = seeded().await;
    // Someone registers with a number that is not theirs: it is only claimed.
    let (impostor, egn, impostor_secret) = citizen(&app, "impostor@example.bg").await;
    let (applicant, _, secret) = citizen(&app, "applicant@example.bg").await;
    let id = fill_address_registration(&app, &applicant, Some(&egn), "sredets").await;
    submit(&app, &applicant, &id, &secret).await;
    assert_eq!(state_of(&app, &id).await, "waiting_consent");

    // Even signed in with both factors, the claimed number keeps the session low.
    sign_in_again(&app, &impostor, "impostor@example.bg", &impostor_secret).await;
    let account = impostor.get("/account").await;
    assert_eq!(
        account.texts("#identity-assurance"),
        vec!["ниско (заявена самоличност)"]
    );
    let link = impostor
        .get("/consents")
        .await
        .attr("main a[href^='/consents/']", "href")
        .expect("the request is addressed to the number");
    let request = impostor.get(&link).await;
    assert_eq!(request.status, StatusCode::OK);
    assert!(request.attr("button[value=give]", "value").is_none());
    assert_eq!(
        request.texts("#assurance-needed h2"),
        vec!["Първо трябва да потвърдите самоличността си"]
    );
    // Posting the decision anyway is refused with the reason, and nothing is done.
    let refused = impostor.post_form(&link, &[("decision", "give")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        refused.texts("h1"),
        vec!["Първо трябва да потвърдите самоличността си"]
    );
    assert!(refused.body.contains("гише"), "{}", refused.body);
    assert_eq!(state_of(&app, &id).await, "waiting_consent");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM consents WHERE decided_at IS NOT NULL")
            .await,
        0
    );
    // In English too.
    impostor.get("/lang?to=en&back=%2F").await;
    let english = impostor.post_form(&link, &[("decision", "give")]).await;
    assert_eq!(english.status, StatusCode::FORBIDDEN);
    assert_eq!(
        english.texts("h1"),
        vec!["You need to verify your identity first"]
    );
    assert!(english.body.contains("counter"), "{}", english.body);
    impostor.get("/lang?to=bg&back=%2F").await;

    // The real owner comes to a counter: the verifier takes the claimed number off the
    // other account, the owner registers with it, and the verifier checks their document.
    let verifier = staff(&app, VERIFIER).await;
    let header = verifier.get("/verify").await;
    assert!(header
        .attr(".header__nav a[href='/verify']", "href")
        .is_some());
    let found = find_at_counter(&verifier, &egn).await;
    let release = found
        .attr("form[action$='/release']", "action")
        .expect("a claimed number can be released");
    let released = verifier.post_form(&release, &[]).await;
    assert_eq!(released.location(), "/verify?done=released");

    let owner = app.register_with("owner@example.bg", &egn).await;
    let setup = owner.get("/account/totp").await;
    let owner_secret = setup.texts("#totp-secret").pop().unwrap().replace(' ', "");
    owner
        .post_form("/account/totp", &[("code", &app.totp(&owner_secret))])
        .await;
    app.advance(30);
    verify_at_counter(&app, &egn).await;

    // The owner sees when, where and by whom (a role, not a name) it was done.
    let account = owner.get("/account").await;
    assert_eq!(
        account.texts("#identity-assurance"),
        vec!["значително (проверена самоличност)"]
    );
    let shown = account.texts("#verifications li").join(" ");
    assert!(shown.contains("Столична община"), "{shown}");
    assert!(
        shown.contains("служител за проверка на самоличност"),
        "{shown}"
    );
    assert!(
        !shown.contains("Стоянова"),
        "the verifier's name is not shown"
    );
    // The session opened at registration set up the authenticator app, so it holds both
    // factors: the verification counts in it from its next request.
    assert_eq!(
        account.texts("#session-assurance"),
        vec!["значително (проверена самоличност)"]
    );
    sign_in_again(&app, &owner, "owner@example.bg", &owner_secret).await;

    // The impostor's account no longer receives the request; the owner's does, and they decide.
    assert!(impostor.get(&link).await.status != StatusCode::OK);
    let request = owner.get(&link).await;
    assert!(request.attr("button[value=give]", "value").is_some());
    let given = crate::cases::decide_consent(&app, &owner, &link, &owner_secret, "give").await;
    assert_eq!(given.status, StatusCode::SEE_OTHER, "{}", given.body);
    assert_eq!(given.location(), "/consents?done=1");
    assert_ne!(state_of(&app, &id).await, "waiting_consent");

    // Audited, with the document's kind and never its number.
    let (details,): (String,) = sqlx::query_as(
        "SELECT details FROM audit_log WHERE action = 'identity.verified_at_counter'",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert!(details.contains("identity_card"), "{details}");
    assert!(!details.contains("1234567"), "{details}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'identity.claim_released'")
            .await,
        1
    );
    let (hash,): (String,) = sqlx::query_as("SELECT document_hash FROM identity_verifications")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert!(!hash.contains("1234567"));
}

#[tokio::test]
async fn only_an_identity_verifier_may_verify() {
    let app = seeded().await;
    let (_, egn, _) = citizen(&app, "someone@example.bg").await;
    let operator = staff(&app, "operator.sredets@sofia.portico.demo").await;
    assert_eq!(operator.get("/verify").await.status, StatusCode::FORBIDDEN);
    let tried = operator
        .post_form("/verify/find", &[("personal_id", &egn)])
        .await;
    assert_eq!(tried.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM identity_verifications")
            .await,
        0
    );
}
