//! The shell's components as people meet them: a header that links to each person's work, the
//! page sign-in lands on, the console, and the design page kept out of production.

use crate::cases::{citizen, fill_address_registration, seeded, staff, submit};
use crate::support::{Client, TestApp, PASSWORD};
use reqwest::StatusCode;

/// The header's links (their targets), in order.
fn header_links(page: &crate::support::Page) -> Vec<String> {
    page.html()
        .select(&scraper::Selector::parse(".header__nav a").unwrap())
        .filter_map(|a| a.value().attr("href").map(str::to_owned))
        .filter(|href| !href.starts_with("/lang"))
        .collect()
}

/// Signs a citizen in with password and authenticator; returns where sign-in sent them.
async fn sign_in_citizen(app: &TestApp, client: &Client, email: &str, secret: &str) -> String {
    let page = client.sign_in_password(email, PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    client.get("/login/second-factor").await;
    let done = client
        .post_form("/login/totp", &[("code", &app.totp(secret))])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    app.advance(30);
    done.location().to_owned()
}

/// Follows `/start` one hop: the page with this person's work.
async fn landing(client: &Client) -> String {
    let start = client.get("/start").await;
    assert_eq!(start.status, StatusCode::SEE_OTHER, "{}", start.body);
    start.location().to_owned()
}

#[tokio::test]
async fn each_person_lands_where_their_work_is_and_the_header_links_to_it() {
    let app = seeded().await;

    // Signed out: sign in and register.
    let anonymous = app.client();
    assert_eq!(
        header_links(&anonymous.get("/").await),
        vec!["/login", "/register"]
    );
    assert_eq!(
        anonymous.get("/start").await.location(),
        "/login?next=%2Fstart"
    );

    // A citizen with nothing yet goes to the home page.
    let (newcomer, _, newcomer_secret) = citizen(&app, "newcomer@example.bg").await;
    newcomer.sign_out().await;
    let after = sign_in_citizen(&app, &newcomer, "newcomer@example.bg", &newcomer_secret).await;
    assert_eq!(after, "/start");
    assert_eq!(landing(&newcomer).await, "/");
    let home = newcomer.get("/").await;
    assert_eq!(
        header_links(&home),
        vec![
            "/applications",
            "/consents",
            "/mailbox",
            "/payments",
            "/my-data",
            "/account"
        ]
    );

    // An applicant names the owner of the home, whose consent is then asked.
    let (owner, owner_egn, owner_secret) = citizen(&app, "owner@example.bg").await;
    let (applicant, _, secret) = citizen(&app, "applicant@example.bg").await;
    let id = fill_address_registration(&app, &applicant, Some(&owner_egn), "sredets").await;
    submit(&app, &applicant, &id, &secret).await;

    // The applicant, signed in again, lands on their applications…
    applicant.sign_out().await;
    sign_in_citizen(&app, &applicant, "applicant@example.bg", &secret).await;
    assert_eq!(landing(&applicant).await, "/applications");
    let list = applicant.get("/applications").await;
    assert_eq!(
        list.attr(".header__nav a[aria-current=page]", "href")
            .as_deref(),
        Some("/applications"),
        "the header marks where they are"
    );
    assert_eq!(
        list.attr("td .tag", "class").as_deref(),
        Some("tag tag--progress"),
        "a case waiting for someone else's consent is in progress for the applicant"
    );

    // …and the owner on the request for their consent.
    owner.sign_out().await;
    sign_in_citizen(&app, &owner, "owner@example.bg", &owner_secret).await;
    assert_eq!(landing(&owner).await, "/consents");

    // The district's operator: the work queue.
    let operator = staff(&app, "operator.sredets@sofia.portico.demo").await;
    assert_eq!(landing(&operator).await, "/office");
    let queue = operator.get("/office").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert_eq!(header_links(&queue), vec!["/office", "/account"]);
    assert!(
        queue
            .html()
            .select(&scraper::Selector::parse("td[data-label]").unwrap())
            .next()
            .is_some()
            || queue.texts("table a").is_empty(),
        "queue cells carry their column's name for narrow screens"
    );

    // Sofia's administration admin: the console, which leads to the catalog's admin pages.
    let admin = staff(&app, "admin@sofia.portico.demo").await;
    assert_eq!(landing(&admin).await, "/admin");
    let console = admin.get("/admin").await;
    assert_eq!(console.status, StatusCode::OK, "{}", console.body);
    assert_eq!(header_links(&console), vec!["/admin", "/account"]);
    let adopt = console
        .attr("main a[href^='/admin/catalog/adopt']", "href")
        .expect("the console links to adopting a service");
    assert_eq!(admin.get(&adopt).await.status, StatusCode::OK);
    assert!(
        console
            .texts("main a")
            .iter()
            .any(|t| t == "Адресна регистрация"),
        "the console lists the administration's services: {:?}",
        console.texts("main a")
    );

    // Citizens and operators have no console.
    assert_eq!(operator.get("/admin").await.status, StatusCode::FORBIDDEN);
    assert_eq!(applicant.get("/admin").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn sign_in_returns_to_the_page_asked_for() {
    let app = TestApp::start().await;
    let (client, _, secret) = citizen_without_demo(&app).await;
    client.sign_out().await;
    let login = client.get("/applications").await;
    assert_eq!(login.location(), "/login?next=%2Fapplications");
    client.get(login.location()).await;
    let page = client
        .post_form(
            "/login",
            &[
                ("identifier", "back@example.bg"),
                ("password", PASSWORD),
                ("next", "/applications"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    client.get(page.location()).await;
    let done = client
        .post_form(
            "/login/totp",
            &[("code", &app.totp(&secret)), ("next", "/applications")],
        )
        .await;
    assert_eq!(done.location(), "/applications");
}

async fn citizen_without_demo(app: &TestApp) -> (Client, String, String) {
    citizen(app, "back@example.bg").await
}

#[tokio::test]
async fn the_design_page_is_not_served_unless_configured() {
    let app = TestApp::start().await;
    assert_eq!(
        app.client().get("/design").await.status,
        StatusCode::NOT_FOUND
    );
    let script = app.client().get("/static/portico.js").await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(script.body.contains("error-summary"));
}

#[tokio::test]
async fn questions_that_apply_to_one_answer_are_drawn_under_it() {
    let app = seeded().await;
    let (client, _, _) = citizen(&app, "reveal@example.bg").await;
    let start = client
        .get("/services/address-registration-sofia/apply")
        .await;
    let step = client.get(start.location()).await;
    assert_eq!(step.status, StatusCode::OK);
    // "Children too?" — yes: their EGNs and the other parent's appear under that answer.
    let yes = step
        .attr("input[name=include_children][value=yes]", "aria-controls")
        .expect("the answer controls its questions");
    for name in ["children_egns", "other_parent_egn"] {
        assert_eq!(
            step.html()
                .select(&scraper::Selector::parse(&format!("#{yes} [name={name}]")).unwrap())
                .count(),
            1,
            "{name} is drawn under the answer it belongs to"
        );
    }
    assert!(
        step.attr("input[name=include_children][value=no]", "aria-controls")
            .is_none(),
        "the other answer reveals nothing"
    );
}
