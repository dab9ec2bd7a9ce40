//! The pages, driven like a browser without JavaScript: the processes list and page (reached
//! from the footer), proposals (list with paging, propose, support, comment), verify and vote,
//! the change of a ballot with its receipt, the receipt check, the results, and the
//! administration's review page; refusals say why in the page's language and change nothing.

use super::ballots::{admin_of, fixture, Fixture};
use super::*;
use crate::support::Client;

/// A signed-in citizen of substantial assurance living at `sof-0001`, in the population
/// register with their EGN.
async fn resident(fx: &Fixture, email: &str) -> Client {
    let (client, egn, _) = crate::cases::verified_citizen(&fx.app, email).await;
    let born = portico_core::PersonalId::parse_egn(&egn)
        .unwrap()
        .birth_date()
        .unwrap();
    portico_registries::service::demo::insert_people(
        &fx.registries,
        &[portico_registries::service::demo::PersonRecord {
            egn,
            given_name: "Анна".into(),
            middle_name: "Петрова".into(),
            family_name: "Колева".into(),
            birth_date: born,
            sex: "female",
            permanent_address: "sof-0001".into(),
            current_address: "sof-0001".into(),
            mother_egn: None,
            father_egn: None,
        }],
    )
    .await
    .unwrap();
    client
}

fn sms_code(fx: &Fixture, phone: &str) -> Option<String> {
    fx.app
        .sms
        .received
        .lock()
        .unwrap()
        .iter()
        .rev()
        .find(|(_, b)| b["to"] == phone)
        .and_then(|(_, b)| {
            b["text"]
                .as_str()
                .unwrap_or_default()
                .split_whitespace()
                .find(|w| w.len() == 6 && w.chars().all(|c| c.is_ascii_digit()))
                .map(str::to_owned)
        })
}

async fn wait_code(fx: &Fixture, phone: &str) -> String {
    for _ in 0..100 {
        if let Some(code) = sms_code(fx, phone) {
            return code;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no SMS to {phone}");
}

#[tokio::test]
async fn a_resident_verifies_votes_changes_the_vote_and_sees_the_result_on_the_pages() {
    let fx = fixture().await;
    let (id, p) = fx.voting(|_| {}).await;
    let client = resident(&fx, "voter@example.bg").await;

    // The footer leads to the processes; the process page leads to voting.
    let home = client.get("/").await;
    assert_eq!(
        home.attr("#footer-participation", "href").as_deref(),
        Some("/participation")
    );
    let list = client.get("/participation").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("София избира ЗЕЛЕНО"));
    let page = client.get("/participation/green").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("/participation/green/vote"));
    let proposals = client.get("/participation/green/proposals").await;
    assert_eq!(proposals.texts("#proposals tbody tr").len(), 3);

    // Verify: a bad phone is refused with its reason, then a good one sends a code.
    let form = client.get("/participation/green/vote").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form
        .html()
        .select(&scraper::Selector::parse("#verify-form").unwrap())
        .next()
        .is_some());
    let bad = client
        .post_form("/participation/green/verify", &[("phone", "02 981 1111")])
        .await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(bad
        .body
        .contains("Посочете български мобилен телефонен номер."));
    let sent = client
        .post_form("/participation/green/verify", &[("phone", "0888 910 000")])
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let code = wait_code(&fx, "0888910000").await;
    let ballot = client.get("/participation/green/vote").await;
    assert!(ballot.body.contains("ballot-form"));
    // A wrong code: the reason, and no ballot.
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let refused = client
        .post_form(
            "/participation/green/vote",
            &[("choices", p[0].as_str()), ("code", wrong)],
        )
        .await;
    assert!(refused.body.contains("Кодът не е верен."));
    assert_eq!(ballots_of(&fx).await, 0);
    // Without the CSRF token nothing happens.
    let forged = client
        .post_raw(
            "/participation/green/vote",
            &[("choices", p[0].as_str()), ("code", &code)],
        )
        .await;
    assert_ne!(forged.status, StatusCode::OK);
    assert_eq!(ballots_of(&fx).await, 0);
    let voted = client
        .post_form(
            "/participation/green/vote",
            &[
                ("choices", p[0].as_str()),
                ("choices", p[1].as_str()),
                ("code", &code),
            ],
        )
        .await;
    assert_eq!(voted.status, StatusCode::OK, "{}", voted.body);
    let receipt = voted.texts("#receipt-value").pop().unwrap();
    assert_eq!(receipt.len(), 32);

    // Anybody checks the receipt; the voter changes the ballot with it.
    let checked = fx
        .app
        .client()
        .get(&format!("/participation/receipts?receipt={receipt}"))
        .await;
    assert_eq!(checked.texts("#ballot-choices li").len(), 2);
    let again = client.get("/participation/green/vote").await;
    assert!(again.body.contains("already-voted"));
    let changed = client
        .post_form(
            "/participation/green/change",
            &[("choices", p[2].as_str()), ("receipt", &receipt)],
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(changed.texts("#ballot-choices li").len(), 1);
    let unknown = fx
        .app
        .client()
        .get("/participation/receipts?receipt=0123456789abcdef0123456789abcdef")
        .await;
    assert!(unknown.body.contains("Няма бюлетина с тази разписка."));

    // Not live: no count until voting closes; then the count, in English too.
    let early = client.get("/participation/green/results").await;
    assert!(early.body.contains("not-yet"));
    fx.app.advance(DAY / 1000 + 1);
    let results = client.get("/participation/green/results").await;
    assert_eq!(results.status, StatusCode::OK);
    let votes: Vec<String> = results.texts("#tally .votes");
    assert_eq!(votes, vec!["1", "0", "0"]);
    assert!(results.body.contains(&format!(
        "/api/v1/participation/processes/{id}/ballots.json"
    )));
    client
        .get("/lang?to=en&back=/participation/green/results")
        .await;
    let english = client.get("/participation/green/results").await;
    assert!(english.body.contains("How the winners are chosen"));
}

async fn ballots_of(fx: &Fixture) -> i64 {
    fx.app
        .count("SELECT COUNT(*) FROM participation_ballots")
        .await
}

#[tokio::test]
async fn people_propose_support_and_comment_and_the_administration_reviews_on_the_pages() {
    let fx = fixture().await;
    let mut new = green(&fx.app, "green");
    new.administration_id = fx.sofia.clone();
    processes::open(&fx.ctx, &admin_of(&fx.sofia), &new)
        .await
        .unwrap();
    let client = resident(&fx, "proposer@example.bg").await;
    // Bad input: the reason, and nothing saved.
    let bad = client
        .post_form(
            "/participation/green/propose",
            &[("title", ""), ("description", "Нещо"), ("budget", "1000")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(bad.body.contains("error-summary"));
    assert_eq!(
        fx.app
            .count("SELECT COUNT(*) FROM participation_proposals")
            .await,
        0
    );
    let made = client
        .post_form(
            "/participation/green/propose",
            &[
                ("title", "Дървета на <b>Витошка</b>"),
                ("description", "Засаждане на 40 липи."),
                ("budget", "50 000"),
                ("topics", "trees"),
                ("district", "sredets"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let at = made.location().to_owned();
    let page = client.get(&at).await;
    assert_eq!(
        page.texts("#proposal-title"),
        vec!["Дървета на <b>Витошка</b>"]
    );
    assert!(!page.body.contains("<b>Витошка"), "escaped");
    let path = at.split('?').next().unwrap().to_owned();
    let supported = client.post_form(&format!("{path}/support"), &[]).await;
    assert_eq!(supported.status, StatusCode::SEE_OTHER);
    let commented = client
        .post_form(&format!("{path}/comments"), &[("body", "Чудесно!")])
        .await;
    assert_eq!(commented.status, StatusCode::SEE_OTHER);
    let page = client.get(&path).await;
    assert_eq!(page.texts("#comment-list .comment p"), vec!["Чудесно!"]);
    assert!(page.body.contains("50\u{a0}000\u{a0}BGN"));

    // The citizen has no review page; the administration's admin reviews with a reason.
    assert_eq!(
        client.get("/participation/green/admin").await.status,
        StatusCode::NOT_FOUND
    );
    let admin = crate::cases::staff(&fx.app, "admin@sofia.portico.demo").await;
    let review = admin.get("/participation/green/admin").await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.body);
    assert_eq!(review.texts("#to-review").len(), 1);
    let proposal_id = path.rsplit('/').next().unwrap();
    let no_reason = admin
        .post_form(
            &format!("/participation/proposals/{proposal_id}/review"),
            &[("status", "feasible"), ("reason", "")],
        )
        .await;
    assert!(no_reason.body.contains("error-summary"));
    let done = admin
        .post_form(
            &format!("/participation/proposals/{proposal_id}/review"),
            &[
                ("status", "feasible"),
                ("reason", "Общината може да го изпълни."),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = client.get(&path).await;
    assert!(page.body.contains("Общината може да го изпълни."));
    assert_eq!(page.texts("#history li").len(), 2);
    // The platform's own admin does not run Sofia's process.
    let platform = crate::cases::staff(&fx.app, "platform@portico.demo").await;
    assert_eq!(
        platform.get("/participation/green/admin").await.status,
        StatusCode::NOT_FOUND
    );
}
