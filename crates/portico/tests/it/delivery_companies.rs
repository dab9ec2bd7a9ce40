//! A company's mailbox is read by its representatives: a company mandate in force (recorded by
//! an administration admin) lets its holder list, open and answer the company's messages, with
//! a session of substantial assurance; when the mandate ends the mailbox is gone for them.

use crate::cases::seeded;
use crate::cases::staff;
use crate::delivery::{administration, delivery, notice, system_of, verified_with_egn, SOFIA_EIK};
use crate::support::fresh_egn;
use portico_delivery::model::{Address, MailboxKind};
use portico_delivery::service::messages;
use reqwest::StatusCode;

const COMPANY_EIK: &str = "000056814";

#[tokio::test]
async fn a_companys_representative_reads_and_answers_its_mailbox_while_the_mandate_lasts() {
    let app = seeded().await;
    let d = delivery(&app);
    let sofia = administration(&app, SOFIA_EIK).await;
    let egn = fresh_egn();
    let representative = verified_with_egn(&app, "company-rep@example.bg", &egn).await;
    let mut letter = notice(&sofia, &fresh_egn(), vec![]);
    letter.recipients = vec![Address {
        kind: MailboxKind::Company,
        identifier: COMPANY_EIK.into(),
        administration_id: None,
        display_name: Some("Пример ООД".into()),
    }];
    let id = messages::send(&d, &system_of(&sofia, &["delivery"]), letter)
        .await
        .unwrap()
        .message_id;
    let (mailbox,): (String,) = sqlx::query_as(
        "SELECT id FROM delivery_mailboxes WHERE kind = 'company' AND identifier = $1",
    )
    .bind(COMPANY_EIK)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let page = format!("/mailbox/messages/{id}");
    // Not theirs yet.
    assert_eq!(
        representative.get(&page).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        representative
            .get(&format!("/mailbox?mailbox={mailbox}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Sofia's administration admin records them as the company's representative.
    let admin = staff(&app, "admin@sofia.portico.demo").await;
    admin.get("/representatives").await;
    let until = (portico_core::Clock::now(&app.clock) + chrono::Duration::days(365))
        .format("%Y-%m-%d")
        .to_string();
    let done = admin
        .post_form(
            "/representatives",
            &[
                ("company_eik", COMPANY_EIK),
                ("company_name", "Пример ООД"),
                ("representative_personal_id", &egn),
                ("valid_until", &until),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);

    // Their mailbox page shows the company's; it lists the letter; opening it is the
    // company's retrieval; they answer from the company's mailbox.
    // (They have no mailbox of their own yet, so the company's is the one shown.)
    let mine = representative.get("/mailbox").await;
    assert_eq!(
        mine.texts("#mailbox-name strong"),
        ["Пример ООД"],
        "{}",
        mine.body
    );
    let listed = representative
        .get(&format!("/mailbox?mailbox={mailbox}"))
        .await;
    assert_eq!(listed.attr(".message-link", "href").unwrap(), page);
    let read = representative.get(&page).await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(read.body.contains("Ред първи."));
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM delivery_recipients WHERE message_id = '{id}' AND opened_at IS NOT NULL"
        ))
        .await,
        1
    );
    let answered = representative
        .post_form(&format!("{page}/reply"), &[("body", "Получихме го.")])
        .await;
    assert_eq!(answered.status, StatusCode::SEE_OTHER, "{}", answered.body);
    let (from,): (String,) =
        sqlx::query_as("SELECT sender_mailbox_id FROM delivery_messages WHERE reply_to = $1")
            .bind(&id)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(from, mailbox, "the answer is the company's");

    // The representative renounces the mandate: the company's mailbox is gone for them at once.
    let (mandate,): (String,) = sqlx::query_as("SELECT id FROM mandates WHERE company_eik = $1")
        .bind(COMPANY_EIK)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    representative.get("/account/mandates").await;
    let renounced = representative
        .post_form(&format!("/account/mandates/{mandate}/revoke"), &[])
        .await;
    assert_eq!(
        renounced.status,
        StatusCode::SEE_OTHER,
        "{}",
        renounced.body
    );
    assert_eq!(
        representative.get(&page).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        representative
            .get(&format!("/api/v1/mailbox/messages/{id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

/// A company mandate (identity's `mandates`) for named services, as the company gives it: there is
/// no page for a company to record one yet, so the test writes the row identity would.
async fn company_mandate(
    app: &crate::support::TestApp,
    agent_email: &str,
    services: &str,
) -> String {
    let (agent,): (String,) = sqlx::query_as("SELECT id FROM accounts WHERE email = $1")
        .bind(agent_email)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let id = portico_core::new_id();
    let now = portico_core::Clock::now(&app.clock);
    sqlx::query(
        "INSERT INTO mandates (id, company_eik, company_name, agent_account_id, services, valid_until, created_by, created_at) \
         VALUES ($1, $2, 'Пример ООД', $3, $4, $5, $3, $6)",
    )
    .bind(&id)
    .bind(COMPANY_EIK)
    .bind(&agent)
    .bind(services)
    .bind(portico_core::clock::to_millis(now + chrono::Duration::days(30)))
    .bind(portico_core::clock::to_millis(now))
    .execute(app.db.pool())
    .await
    .unwrap();
    id
}

#[tokio::test]
async fn a_person_the_company_authorised_for_edelivery_reads_and_answers_and_its_readers_see_who() {
    let app = seeded().await;
    let d = delivery(&app);
    let sofia = administration(&app, SOFIA_EIK).await;
    let clerk_email = "company-clerk@example.bg";
    let clerk = verified_with_egn(&app, clerk_email, &fresh_egn()).await;
    sqlx::query(
        "UPDATE accounts SET given_name = 'Мария', family_name = 'Колева' WHERE email = $1",
    )
    .bind(clerk_email)
    .execute(app.db.pool())
    .await
    .unwrap();
    let accountant_email = "company-accountant@example.bg";
    let accountant = verified_with_egn(&app, accountant_email, &fresh_egn()).await;
    let representative_email = "company-head@example.bg";
    let representative = verified_with_egn(&app, representative_email, &fresh_egn()).await;
    company_mandate(&app, representative_email, "*").await;
    let clerks = company_mandate(&app, clerk_email, "local-tax,edelivery").await;
    company_mandate(&app, accountant_email, "local-tax").await;

    let mut letter = notice(&sofia, &fresh_egn(), vec![]);
    letter.recipients = vec![Address {
        kind: MailboxKind::Company,
        identifier: COMPANY_EIK.into(),
        administration_id: None,
        display_name: Some("Пример ООД".into()),
    }];
    let system = system_of(&sofia, &["delivery"]);
    let id = messages::send(&d, &system, letter)
        .await
        .unwrap()
        .message_id;
    let page = format!("/mailbox/messages/{id}");
    let (mailbox,): (String,) = sqlx::query_as(
        "SELECT id FROM delivery_mailboxes WHERE kind = 'company' AND identifier = $1",
    )
    .bind(COMPANY_EIK)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let list = format!("/mailbox?mailbox={mailbox}");

    // A mandate for other services does not reach the company's mailbox.
    assert_eq!(accountant.get(&page).await.status, StatusCode::NOT_FOUND);
    assert_eq!(accountant.get(&list).await.status, StatusCode::NOT_FOUND);

    // The clerk, authorised for eDelivery, lists, opens and answers it for the company.
    assert_eq!(clerk.get(&list).await.status, StatusCode::OK);
    let read = clerk.get(&page).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    assert!(read.body.contains("Ред първи."));
    let answered = clerk
        .post_form(&format!("{page}/reply"), &[("body", "Ще платим до петък.")])
        .await;
    assert_eq!(answered.status, StatusCode::SEE_OTHER, "{}", answered.body);

    // The company's representative sees who opened and who answered for the company, on the
    // mailbox list and on the message page.
    let listed = representative.get(&list).await;
    assert_eq!(
        listed.texts(".opened-by"),
        ["Отворено от Мария Колева за Пример ООД"],
        "{}",
        listed.body
    );
    assert_eq!(
        listed.texts(".answered-by"),
        ["Отговорено от Мария Колева за Пример ООД"]
    );
    let seen = representative.get(&page).await;
    assert_eq!(
        seen.texts(".opened-by"),
        ["Отворено от Мария Колева за Пример ООД"]
    );
    let answers = seen.texts(".answered-by");
    assert_eq!(answers.len(), 1, "{}", seen.body);
    assert!(
        answers[0].starts_with("Отговорено от Мария Колева за Пример ООД"),
        "{answers:?}"
    );
    let reply = seen.attr("#answered a", "href").unwrap();
    let reply_page = representative.get(&reply).await;
    assert_eq!(reply_page.texts("#sent-by"), ["Мария Колева за Пример ООД"]);
    // The sender sees that the company opened it, not which person did.
    let over_api = messages::get(&d, &system, &id).await.unwrap();
    assert!(over_api.recipients[0].opened_at.is_some());
    assert_eq!(over_api.recipients[0].opened_by, None);
    assert!(over_api.answered.is_empty());

    // The mandate expires (here: its end moved to now): the mailbox is gone for the clerk at once.
    sqlx::query("UPDATE mandates SET valid_until = $1 WHERE id = $2")
        .bind(portico_core::clock::to_millis(portico_core::Clock::now(
            &app.clock,
        )))
        .bind(&clerks)
        .execute(app.db.pool())
        .await
        .unwrap();
    assert_eq!(clerk.get(&page).await.status, StatusCode::NOT_FOUND);
    assert_eq!(clerk.get(&list).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        clerk
            .get(&format!("/api/v1/mailbox/messages/{id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
