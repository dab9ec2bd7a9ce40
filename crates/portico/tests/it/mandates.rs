//! Mandates: a person authorises another (confirmed with their second factor), the agent
//! switches "acting as" and sees the principal's applications with a banner naming the
//! principal on every page; revoking ends it at once; a company's representative is recorded by
//! an administration admin.

use crate::cases::{citizen, fill_address_registration, seeded, staff, submit, verified_citizen};
use crate::support::{Client, TestApp};
use reqwest::StatusCode;

/// A date a year after the test clock, as the form's date field sends it.
fn in_a_year(app: &TestApp) -> String {
    (portico_core::Clock::now(&app.clock) + chrono::Duration::days(365))
        .format("%Y-%m-%d")
        .to_string()
}

async fn grant(
    app: &TestApp,
    principal: &Client,
    agent_egn: &str,
    code: &str,
) -> crate::support::Page {
    principal.get("/account/mandates").await;
    principal
        .post_form(
            "/account/mandates",
            &[
                ("agent_personal_id", agent_egn),
                ("services", ""),
                ("valid_until", &in_a_year(app)),
                ("code", code),
            ],
        )
        .await
}

async fn mandate_id(app: &TestApp) -> String {
    let (id,): (String,) =
        sqlx::query_as("SELECT id FROM mandates ORDER BY created_at DESC LIMIT 1")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    id
}

#[tokio::test]
async fn an_agent_acts_for_their_principal_until_the_mandate_is_revoked() {
    let app = seeded().await;
    let (principal, _, principal_secret) = verified_citizen(&app, "principal@example.bg").await;
    let (agent, agent_egn, _) = verified_citizen(&app, "agent@example.bg").await;
    let id = fill_address_registration(&app, &principal, None, "sredets").await;
    submit(&app, &principal, &id, &principal_secret).await;
    let case = format!("/applications/{id}");
    // Not the agent's: it does not exist for them.
    assert_eq!(agent.get(&case).await.status, StatusCode::NOT_FOUND);

    // A wrong second-factor code grants nothing.
    let wrong = grant(&app, &principal, &agent_egn, "000000").await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        wrong.body
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM mandates").await, 0);
    // Nor does naming oneself or nobody.
    let unknown = grant(&app, &principal, "7523169263", &app.totp(&principal_secret)).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        unknown.texts("#agent_personal_id-error"),
        vec!["Няма профил с този личен номер"]
    );
    app.advance(30);
    assert_eq!(app.count("SELECT COUNT(*) FROM mandates").await, 0);

    let granted = grant(&app, &principal, &agent_egn, &app.totp(&principal_secret)).await;
    app.advance(30);
    assert_eq!(granted.status, StatusCode::SEE_OTHER, "{}", granted.body);
    assert_eq!(granted.location(), "/account/mandates?done=granted");
    let mandate = mandate_id(&app).await;

    // The agent's header offers it; they switch.
    let page = agent.get("/account").await;
    assert!(page
        .attr(".header__nav a[href='/account/mandates']", "href")
        .is_some());
    assert!(page.attr("#acting-for", "id").is_none());
    let list = agent.get("/account/mandates").await;
    assert!(list
        .attr(&format!("button[data-mandate='{mandate}']"), "data-mandate")
        .is_some());
    let switched = agent
        .post_form(
            "/acting-as",
            &[("mandate", &mandate), ("back", "/applications")],
        )
        .await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER, "{}", switched.body);
    assert_eq!(switched.location(), "/applications");

    // Every page names the principal; the principal's application is theirs to follow.
    let applications = agent.get("/applications").await;
    assert_eq!(applications.texts("#acting-for-name"), vec!["Иван Петров"]);
    assert!(applications.body.contains(&case), "{}", applications.body);
    let shown = agent.get(&case).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert_eq!(shown.texts("#acting-for-name"), vec!["Иван Петров"]);
    let (details,): (String,) =
        sqlx::query_as("SELECT details FROM audit_log WHERE action = 'identity.acting_as'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert!(details.contains(&mandate), "{details}");

    // Revoked: the agent's very next request acts for nobody.
    principal.get("/account/mandates").await;
    let revoked = principal
        .post_form(&format!("/account/mandates/{mandate}/revoke"), &[])
        .await;
    assert_eq!(revoked.location(), "/account/mandates?done=revoked");
    let after = agent.get(&case).await;
    assert_eq!(after.status, StatusCode::NOT_FOUND);
    assert!(after.attr("#acting-for", "id").is_none());
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('identity.mandate_granted', 'identity.mandate_revoked')")
            .await,
        2
    );
    // Switching to it again is refused: it does not exist any more.
    agent.get("/account/mandates").await;
    let again = agent
        .post_form("/acting-as", &[("mandate", &mandate)])
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn only_a_known_person_grants_or_acts_and_strangers_cannot_revoke() {
    let app = seeded().await;
    let (principal, _, secret) = verified_citizen(&app, "principal@example.bg").await;
    // A person whose number is only claimed may not act for anyone.
    let (claimed, claimed_egn, claimed_secret) = citizen(&app, "claimed@example.bg").await;
    crate::assurance::sign_in_again(&app, &claimed, "claimed@example.bg", &claimed_secret).await;
    let granted = grant(&app, &principal, &claimed_egn, &app.totp(&secret)).await;
    app.advance(30);
    assert_eq!(granted.status, StatusCode::SEE_OTHER, "{}", granted.body);
    let mandate = mandate_id(&app).await;
    claimed.get("/account/mandates").await;
    let refused = claimed
        .post_form("/acting-as", &[("mandate", &mandate)])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(claimed
        .get("/account")
        .await
        .attr("#acting-for", "id")
        .is_none());
    // Nor grant.
    let (other, _, _) = verified_citizen(&app, "other@example.bg").await;
    let low_grant = grant(&app, &claimed, &claimed_egn, &app.totp(&claimed_secret)).await;
    assert_eq!(low_grant.status, StatusCode::FORBIDDEN);
    // Someone else's mandate does not exist for a stranger.
    other.get("/account/mandates").await;
    let stranger = other
        .post_form(&format!("/account/mandates/{mandate}/revoke"), &[])
        .await;
    assert_eq!(stranger.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM mandates WHERE revoked_at IS NOT NULL")
            .await,
        0
    );
}

#[tokio::test]
async fn an_administration_admin_records_a_companys_representative() {
    let app = seeded().await;
    let (representative, egn, _) = verified_citizen(&app, "rep@example.bg").await;
    let citizen_tries = representative.get("/representatives").await;
    assert_eq!(citizen_tries.status, StatusCode::NOT_FOUND);
    let admin = staff(&app, "admin@sofia.portico.demo").await;
    admin.get("/representatives").await;
    let bad = admin
        .post_form(
            "/representatives",
            &[
                ("company_eik", "123"),
                ("company_name", "Пример ООД"),
                ("representative_personal_id", &egn),
                ("valid_until", &in_a_year(&app)),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("SELECT COUNT(*) FROM mandates").await, 0);
    let done = admin
        .post_form(
            "/representatives",
            &[
                ("company_eik", "000696327"),
                ("company_name", "Пример ООД"),
                ("representative_personal_id", &egn),
                ("valid_until", &in_a_year(&app)),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let mandate = mandate_id(&app).await;
    representative.get("/account/mandates").await;
    let switched = representative
        .post_form("/acting-as", &[("mandate", &mandate), ("back", "/account")])
        .await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER, "{}", switched.body);
    let page = representative.get("/account").await;
    assert_eq!(page.texts("#acting-for-name"), vec!["Пример ООД"]);
    // Stop acting for it.
    let stopped = representative
        .post_form("/acting-as", &[("mandate", ""), ("back", "/account")])
        .await;
    assert_eq!(stopped.status, StatusCode::SEE_OTHER);
    assert!(representative
        .get("/account")
        .await
        .attr("#acting-for", "id")
        .is_none());
}
