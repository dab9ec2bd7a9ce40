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
