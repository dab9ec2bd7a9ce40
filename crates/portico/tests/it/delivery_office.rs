//! eDelivery's send page for the office: an operator sends a message with files from their
//! administration's mailbox in the browser (a multipart form, no JavaScript), and sees the
//! message's number and its evidence. Bad fields, a mislabelled file, a form without its token
//! or with the token after the files, a sender they do not work for: each is refused and nothing
//! is stored. People without an office's role do not reach the page.

use crate::cases::seeded;
use crate::delivery::{administration, verified_with_egn, SOFIA_EIK};
use crate::support::{fresh_egn, Client, Page, TestApp};
use portico_identity::Role;
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use sha2::{Digest, Sha256};
use std::path::Path;

const ROWS: &str = "SELECT (SELECT COUNT(*) FROM delivery_messages) + (SELECT COUNT(*) FROM delivery_attachments) + (SELECT COUNT(*) FROM delivery_evidence)";

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| {
                    if e.path().is_dir() {
                        count_files(&e.path())
                    } else {
                        1
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

/// Rows and stored files: what a refused send must leave as it was.
async fn stored(app: &TestApp) -> (i64, usize) {
    (
        app.count(ROWS).await,
        count_files(Path::new(&app.config.blob_url)),
    )
}

fn file(name: &str, media_type: &str, bytes: &[u8]) -> Part {
    Part::bytes(bytes.to_vec())
        .file_name(name.to_owned())
        .mime_str(media_type)
        .unwrap()
}

/// The form as the page's browser sends it: the token first, the fields, then the files.
fn form(token: &str, fields: &[(&str, &str)], files: Vec<Part>) -> Form {
    let mut form = Form::new().text("_csrf", token.to_owned());
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    for f in files {
        form = form.part("file", f);
    }
    form
}

fn error_links(page: &Page) -> Vec<String> {
    page.html()
        .select(&scraper::Selector::parse(".error-summary a").unwrap())
        .filter_map(|a| a.value().attr("href").map(str::to_owned))
        .collect()
}

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n";

async fn send_page(operator: &Client) -> Page {
    let page = operator.get("/mailbox/send").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page
}

#[tokio::test]
async fn an_operator_sends_files_from_the_office_page_and_sees_the_message_number_and_evidence() {
    let app = seeded().await;
    let sofia = administration(&app, SOFIA_EIK).await;
    let operator =
        crate::catalog::staff(&app, "office.sender@sofia.bg", SOFIA_EIK, Role::Operator).await;
    let egn = fresh_egn();
    let citizen = verified_with_egn(&app, "office.recipient@example.bg", &egn).await;
    let from = format!("administration:{sofia}");

    // The mailbox leads to the page, which offers the administration's mailbox to send from.
    let mailbox = operator.get("/mailbox").await;
    assert_eq!(
        mailbox.attr("#mailbox-send", "href").as_deref(),
        Some("/mailbox/send")
    );
    let page = send_page(&operator).await;
    let offered: Vec<String> = page
        .html()
        .select(&scraper::Selector::parse("#sender option").unwrap())
        .filter_map(|o| o.value().attr("value").map(str::to_owned))
        .collect();
    assert!(offered.contains(&from), "{offered:?}");
    assert_eq!(
        page.attr("form[enctype='multipart/form-data']", "action")
            .as_deref(),
        Some("/mailbox/send")
    );
    let token = operator.csrf_token();
    let before = stored(&app).await;

    // Fields wrong: each is named, what was typed is kept, the file is not stored.
    let bad = operator
        .post_multipart_in_order(
            "/mailbox/send",
            form(
                &token,
                &[
                    ("sender", &from),
                    ("recipient_kind", "person"),
                    ("recipient", "1234567890"),
                    ("subject", ""),
                    ("body", "Приложено е удостоверението."),
                ],
                vec![file("certificate.pdf", "application/pdf", PDF)],
            ),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(error_links(&bad), vec!["#subject", "#recipient"]);
    assert_eq!(bad.texts("#body"), vec!["Приложено е удостоверението."]);
    assert_eq!(bad.texts("#attachments-again").len(), 1);
    assert_eq!(stored(&app).await, before, "nothing stored");

    // Several recipients, one on each line: each line is checked and named when it is wrong,
    // and nothing is sent if any is.
    let token = operator.csrf_token();
    let typed = format!("{egn}\n1234567890\n\n{}\n12345", fresh_egn());
    let lines = operator
        .post_multipart_in_order(
            "/mailbox/send",
            form(
                &token,
                &[
                    ("sender", &from),
                    ("recipient_kind", "person"),
                    ("recipient", &typed),
                    ("subject", "До няколко души"),
                    ("body", "Приложено е удостоверението."),
                ],
                vec![file("certificate.pdf", "application/pdf", PDF)],
            ),
        )
        .await;
    assert_eq!(
        lines.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        lines.body
    );
    assert_eq!(error_links(&lines), vec!["#recipient"]);
    assert_eq!(
        lines.texts("#recipient-lines li"),
        vec![
            "Ред 2 (1234567890): Личният номер на получател не е валиден ЕГН или ЛНЧ",
            "Ред 5 (12345): Личният номер на получател не е валиден ЕГН или ЛНЧ",
        ],
        "{}",
        lines.body
    );
    assert_eq!(lines.texts("#recipient"), vec![typed.clone()]);
    assert_eq!(stored(&app).await, before, "nothing stored");

    // A file that is not what it says: refused, and the file before it is removed.
    let token = operator.csrf_token();
    let fields = [
        ("sender", from.as_str()),
        ("recipient_kind", "person"),
        ("recipient", egn.as_str()),
        ("subject", "Удостоверение за адресна регистрация"),
        (
            "body",
            "Приложено е удостоверението.\nС уважение, Столична община",
        ),
    ];
    let mislabelled = operator
        .post_multipart_in_order(
            "/mailbox/send",
            form(
                &token,
                &fields,
                vec![
                    file("certificate.pdf", "application/pdf", PDF),
                    file("scan.pdf", "application/pdf", b"GIF89a not a pdf"),
                ],
            ),
        )
        .await;
    assert_eq!(mislabelled.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_links(&mislabelled), vec!["#attachments"]);
    assert_eq!(stored(&app).await, before, "nothing stored");

    // Without the token, or with it after the files: refused before a file is read.
    let token = operator.csrf_token();
    let no_token = operator
        .post_multipart_in_order(
            "/mailbox/send",
            form(
                "",
                &fields,
                vec![file("certificate.pdf", "application/pdf", PDF)],
            ),
        )
        .await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN);
    let mut late = Form::new();
    for (name, value) in fields {
        late = late.text(name, value.to_owned());
    }
    let late = late
        .part("file", file("certificate.pdf", "application/pdf", PDF))
        .text("_csrf", token.clone());
    let late = operator
        .post_multipart_in_order("/mailbox/send", late)
        .await;
    assert_eq!(late.status, StatusCode::FORBIDDEN);
    // A sender they do not work for.
    let burgas: (String,) =
        sqlx::query_as("SELECT id FROM administrations WHERE name_en LIKE 'Burgas%'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    let foreign = format!("administration:{}", burgas.0);
    let mut foreign_fields = fields.to_vec();
    foreign_fields[0] = ("sender", foreign.as_str());
    send_page(&operator).await;
    let token = operator.csrf_token();
    let wrong_sender = operator
        .post_multipart_in_order("/mailbox/send", form(&token, &foreign_fields, vec![]))
        .await;
    assert_eq!(wrong_sender.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_links(&wrong_sender), vec!["#sender"]);
    assert_eq!(stored(&app).await, before, "nothing stored");

    // Sent to two people: the confirmation names the message and shows its evidence.
    let form_page = send_page(&operator).await;
    let form_token = form_page
        .attr("input[name=form_token]", "value")
        .expect("the form's one-time token");
    let token = operator.csrf_token();
    let text = "Опис на приложенията.\n".as_bytes();
    let second = fresh_egn();
    let both = format!("{egn}\n{second}\n");
    let mut sent_fields = fields.to_vec();
    sent_fields[2] = ("recipient", both.as_str());
    sent_fields.push(("form_token", form_token.as_str()));
    let post = || {
        form(
            &token,
            &sent_fields,
            vec![
                file("certificate.pdf", "application/pdf", PDF),
                file("list.txt", "text/plain", text),
            ],
        )
    };
    let sent = operator
        .post_multipart_in_order("/mailbox/send", post())
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let after_first = stored(&app).await;
    // The same form sent again (a second click, a reload): the first send's result, and
    // nothing more sent or stored.
    let again = operator
        .post_multipart_in_order("/mailbox/send", post())
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    assert_eq!(again.location(), sent.location());
    assert_eq!(stored(&app).await, after_first, "sent once");
    let confirmation_path = sent.location();
    let id = confirmation_path
        .strip_prefix("/mailbox/sent/")
        .expect("the confirmation")
        .to_owned();
    let confirmation = operator.get(confirmation_path).await;
    assert_eq!(confirmation.status, StatusCode::OK, "{}", confirmation.body);
    assert_eq!(confirmation.texts("#sent-message-id"), vec![id.clone()]);
    assert_eq!(
        confirmation.texts("#evidence .timeline__what"),
        vec![
            "Изпращането е прието",
            "Доставено в кутията",
            "Доставено в кутията"
        ],
        "{}",
        confirmation.body
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM delivery_recipients WHERE message_id = '{}'",
            confirmation_path.trim_start_matches("/mailbox/sent/")
        ))
        .await,
        2,
        "one message to both"
    );
    assert_eq!(
        confirmation.texts(".attachment-sha256"),
        vec![
            hex::encode(Sha256::digest(PDF)),
            hex::encode(Sha256::digest(text))
        ]
    );
    let (status, _, chain) = operator
        .get_bytes(&format!("/mailbox/messages/{id}/evidence"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(String::from_utf8(chain).unwrap().lines().count(), 3);
    let (sender_id,): (String,) = sqlx::query_as(
        "SELECT m.identifier FROM delivery_messages d JOIN delivery_mailboxes m ON m.id = d.sender_mailbox_id WHERE d.id = $1",
    )
    .bind(&id)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(sender_id, sofia);

    // The recipient finds it and downloads the files as sent.
    let inbox = citizen.get("/mailbox").await;
    assert!(
        inbox.body.contains(&format!("/mailbox/messages/{id}")),
        "{}",
        inbox.body
    );
    let (status, _, got) = citizen
        .get_bytes(&format!("/mailbox/messages/{id}/attachments/0"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got, PDF);
    let (_, _, got) = citizen
        .get_bytes(&format!("/mailbox/messages/{id}/attachments/1"))
        .await;
    assert_eq!(got, text);
}

#[tokio::test]
async fn only_an_offices_staff_reach_the_send_page() {
    let app = seeded().await;
    let egn = fresh_egn();
    let citizen = verified_with_egn(&app, "office.nosy@example.bg", &egn).await;
    assert_eq!(
        citizen.get("/mailbox/send").await.status,
        StatusCode::FORBIDDEN
    );
    assert!(citizen
        .get("/mailbox")
        .await
        .texts("#mailbox-send")
        .is_empty());
    let token = citizen.csrf_token();
    let before = stored(&app).await;
    let tried = citizen
        .post_multipart_in_order(
            "/mailbox/send",
            form(
                &token,
                &[
                    ("sender", "administration:x"),
                    ("recipient", &egn),
                    ("subject", "x"),
                    ("body", "x"),
                ],
                vec![file("a.pdf", "application/pdf", PDF)],
            ),
        )
        .await;
    assert_eq!(tried.status, StatusCode::FORBIDDEN);
    assert_eq!(stored(&app).await, before);
    assert_eq!(
        app.client().get("/mailbox/send").await.status,
        StatusCode::SEE_OTHER,
        "sign in first"
    );
}
