//! The administration's staff work its payments on the back office's pages: the list with its
//! filters (state, dates, service, code) and its CSV, a camt.053 statement uploaded on a page,
//! the reconciliation screen (a line matched to a payment pays it; another marked resolved with
//! a note; a wrong match changes nothing), each statement's lines as CSV, and refunds in part
//! and in whole, each confirmed first. Another administration's staff, and citizens, see none
//! of it.

use crate::catalog::{administration_id, seeded, staff};
use crate::payments::{client_token, request, send};
use crate::payments_camt::{entry, statement};
use crate::support::{fresh_egn, TestApp};

use portico::demo::SOFIA_EIK;
use portico_identity::Role;
use reqwest::StatusCode;
use serde_json::Value;

const BURGAS_EIK: &str = "000056814";

fn lines_sel() -> scraper::Selector {
    scraper::Selector::parse("section.statement-line").unwrap()
}

async fn state(app: &TestApp, id: &str) -> String {
    let (s,): (String,) = sqlx::query_as("SELECT state FROM payments_requests WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    s
}

async fn ask(app: &TestApp, token: &str, reason: &str) -> (String, String) {
    let mut body = request(&fresh_egn());
    body["reason"] = Value::String(reason.into());
    let (status, _, body) = send(
        app,
        token,
        reqwest::Method::POST,
        "/api/v1/payments",
        None,
        Some(&body),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (
        body["id"].as_str().unwrap().to_owned(),
        body["code"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn staff_filter_export_reconcile_and_refund_their_administrations_payments_only() {
    let app = seeded().await;
    let sofia = administration_id(&app, SOFIA_EIK).await;
    let token = client_token(&app, SOFIA_EIK, &["payments"]).await;
    let burgas_token = client_token(&app, BURGAS_EIK, &["payments"]).await;
    let (p1, c1) = ask(&app, &token, "Такса за удостоверение").await;
    let (p2, c2) = ask(&app, &token, "Такса за удостоверение").await;
    let (p3, c3) = ask(&app, &token, "Такса за разрешение").await;
    let (theirs, theirs_code) = ask(&app, &burgas_token, "Такса в Бургас").await;

    let operator = staff(
        &app,
        "pay-office@sofia.example.bg",
        SOFIA_EIK,
        Role::Operator,
    )
    .await;
    let list = operator.get("/office/payments").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let codes = list.texts("#office-payments tbody tr td:first-child a");
    for c in [&c1, &c2, &c3] {
        assert!(codes.contains(c), "{codes:?}");
    }
    assert!(!codes.contains(&theirs_code));
    // Reached from the back office's queue.
    let queue = operator.get("/office").await;
    assert!(
        queue.body.contains("href=\"/office/payments\""),
        "{}",
        queue.body
    );

    // A statement uploaded on the page: one line pays p1, one is short for p2, one has no code.
    let page = operator
        .get(&format!("/office/payments/statements?a={sofia}"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let xml = statement(&[
        entry("OF1", "10.50", true, false, &[("", &c1)]),
        entry("OF2", "4.00", true, false, &[("", &c2)]),
        entry(
            "OF3",
            "10.50",
            true,
            false,
            &[("", "за удостоверение на Иван")],
        ),
    ]);
    let uploaded = operator
        .post_file_with(
            "/office/payments/statements",
            &[("a", &sofia)],
            "statement",
            "statement.xml",
            "application/xml",
            xml.clone().into_bytes(),
        )
        .await;
    assert_eq!(uploaded.status, StatusCode::OK, "{}", uploaded.body);
    let report = uploaded.texts("#imported li").join(" | ");
    assert!(report.contains("Платено плащане: 1"), "{report}");
    assert!(report.contains("По-малко от поисканото: 1"), "{report}");
    assert!(report.contains("Не е намерено плащане: 1"), "{report}");
    assert_eq!(state(&app, &p1).await, "paid");
    // A file that is not a statement is refused with a message; nothing is imported.
    operator.get("/office/payments/statements").await;
    let bad = operator
        .post_file_with(
            "/office/payments/statements",
            &[("a", &sofia)],
            "statement",
            "bomb.xml",
            "application/xml",
            b"<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY a \"aaaa\">]><d>&a;</d>".to_vec(),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("DTD"), "{}", bad.body);

    // Filters: by state, by code as a person types it, by service, by dates.
    let paid = operator.get("/office/payments?state=paid").await;
    assert_eq!(
        paid.texts("#office-payments tbody tr td:first-child a"),
        [c1.as_str()]
    );
    let typed = c2.to_lowercase().replace('0', "o");
    let by_code = operator
        .get(&format!("/office/payments?code={}", typed))
        .await;
    assert_eq!(
        by_code.texts("#office-payments tbody tr td:first-child a"),
        [c2.as_str()]
    );
    let by_reason = operator
        .get("/office/payments?reason=%D0%A2%D0%B0%D0%BA%D1%81%D0%B0+%D0%B7%D0%B0+%D1%80%D0%B0%D0%B7%D1%80%D0%B5%D1%88%D0%B5%D0%BD%D0%B8%D0%B5")
        .await;
    assert_eq!(
        by_reason.texts("#office-payments tbody tr td:first-child a"),
        [c3.as_str()]
    );
    let today = portico_core::calendar::sofia_date(portico_core::Clock::now(&app.clock));
    let yesterday = today.pred_opt().unwrap();
    let none = operator
        .get(&format!("/office/payments?to={yesterday}"))
        .await;
    assert!(none.texts("#office-payments tbody tr").is_empty());
    assert!(none.body.contains("id=\"no-payments\""));
    let all_today = operator
        .get(&format!("/office/payments?from={today}&to={today}"))
        .await;
    assert_eq!(
        all_today.texts("#office-payments tbody tr").len(),
        3,
        "{}",
        all_today.body
    );
    let bad_date = operator.get("/office/payments?from=03.12.2026").await;
    assert_eq!(bad_date.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_date.body.contains("href=\"#from\""));

    // The list as CSV, with the same filter.
    let (status, headers, csv) = operator
        .get_bytes(&format!("/office/payments/export.csv?a={sofia}&state=paid"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = String::from_utf8(csv).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[0].starts_with("id,code,state,amount,currency"));
    assert!(
        lines[1].contains(&format!("{p1},{c1},paid,10.50,EUR")),
        "{csv}"
    );

    // Reconciliation: the short line and the line without a code wait for a person.
    let rec = operator.get("/office/payments/reconciliation").await;
    assert_eq!(rec.status, StatusCode::OK, "{}", rec.body);
    let waiting = rec
        .html()
        .select(&lines_sel())
        .filter_map(|e| e.value().attr("data-entry").map(str::to_owned))
        .collect::<Vec<_>>();
    assert_eq!(waiting, ["OF2", "OF3"], "{}", rec.body);
    let key = |entry: &str| format!("{sofia}|BG80BNBG96611020345678|{entry}|0|false");
    // The short line cannot pay p2: refused, nothing changes.
    let short = operator
        .post_form(
            "/office/payments/reconciliation/match",
            &[
                ("a", &sofia),
                ("line", &key("OF2")),
                ("code", &c2),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.body.contains("по-малко"), "{}", short.body);
    assert_eq!(state(&app, &p2).await, "created");
    // Nor can a line pay another administration's payment.
    let other = operator
        .post_form(
            "/office/payments/reconciliation/match",
            &[
                ("a", &sofia),
                ("line", &key("OF3")),
                ("code", &theirs_code),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(state(&app, &theirs).await, "created");
    // The line without a code was for p3: matched by hand, it pays it.
    let matched = operator
        .post_form(
            "/office/payments/reconciliation/match",
            &[
                ("a", &sofia),
                ("line", &key("OF3")),
                ("code", &c3),
                ("note", "the payer called"),
            ],
        )
        .await;
    assert_eq!(matched.status, StatusCode::SEE_OTHER, "{}", matched.body);
    assert_eq!(state(&app, &p3).await, "paid");
    // The short line: a note is needed to mark it resolved.
    let empty = operator
        .post_form(
            "/office/payments/reconciliation/resolve",
            &[("a", &sofia), ("line", &key("OF2")), ("note", "  ")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let noted = operator
        .post_form(
            "/office/payments/reconciliation/resolve",
            &[
                ("a", &sofia),
                ("line", &key("OF2")),
                ("note", "4.00 EUR sent back"),
            ],
        )
        .await;
    assert_eq!(noted.status, StatusCode::SEE_OTHER);
    assert_eq!(state(&app, &p2).await, "created");
    let rec = operator.get("/office/payments/reconciliation").await;
    assert!(rec
        .html()
        .select(&lines_sel())
        .filter_map(|e| e.value().attr("data-entry").map(str::to_owned))
        .collect::<Vec<_>>()
        .is_empty());
    assert!(rec.body.contains("id=\"no-lines\""));
    // A line is resolved once.
    let again = operator
        .post_form(
            "/office/payments/reconciliation/resolve",
            &[("a", &sofia), ("line", &key("OF2")), ("note", "again")],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'payments.line_resolved'")
            .await,
        2
    );
    // The reconciled statement's lines as CSV.
    let (status, _, lines_csv) = operator
        .get_bytes(&format!("/office/payments/reconciliation.csv?a={sofia}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let lines_csv = String::from_utf8(lines_csv).unwrap();
    assert_eq!(lines_csv.lines().count(), 4, "{lines_csv}");
    assert!(
        lines_csv.contains("OF3,2026-12-03,10.50,EUR,unknown,,"),
        "{lines_csv}"
    );
    assert!(
        lines_csv.contains(&format!("matched,{c3},the payer called")),
        "{lines_csv}"
    );
    assert!(
        lines_csv.contains("noted,,4.00 EUR sent back"),
        "{lines_csv}"
    );

    // Refunds: a wrong amount is refused; a right one is confirmed first, then made.
    let p = operator.get(&format!("/office/payments/{p1}")).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("id=\"refund\""));
    let too_much = operator
        .post_form(
            &format!("/office/payments/{p1}/refund"),
            &[("amount", "20"), ("note", "")],
        )
        .await;
    assert_eq!(too_much.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_much.body.contains("href=\"#amount\""));
    let confirm = operator
        .post_form(
            &format!("/office/payments/{p1}/refund"),
            &[("amount", "2,50"), ("note", "overpaid")],
        )
        .await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.body.contains("2.50 EUR"), "{}", confirm.body);
    // Paid by bank transfer: the page says the money is paid out by a person.
    assert!(
        confirm.texts("#refund-how")[0].contains("банков превод"),
        "{}",
        confirm.body
    );
    assert_eq!(state(&app, &p1).await, "paid", "asking is not refunding");
    let done = operator
        .post_form(
            &format!("/office/payments/{p1}/refund"),
            &[("amount", "2.50"), ("note", "overpaid"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(state(&app, &p1).await, "refunded_part");
    let page = operator
        .get(&format!("/office/payments/{p1}?refunded=1"))
        .await;
    assert!(page.body.contains("overpaid"));
    operator
        .post_form(
            &format!("/office/payments/{p1}/refund"),
            &[("amount", "8.00"), ("note", ""), ("confirm", "yes")],
        )
        .await;
    assert_eq!(state(&app, &p1).await, "refunded");
    let (by,): (String,) = sqlx::query_as(
        "SELECT actor FROM payments_events WHERE request_id = $1 AND to_state = 'refunded'",
    )
    .bind(&p1)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert!(
        !by.starts_with("client:") && !by.starts_with("system:"),
        "a person: {by}"
    );

    // Burgas's staff see none of Sofia's; a citizen has no payments back office.
    let burgas = staff(
        &app,
        "pay-office@burgas.example.bg",
        BURGAS_EIK,
        Role::Operator,
    )
    .await;
    assert_eq!(
        burgas.get(&format!("/office/payments/{p2}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        burgas
            .get(&format!("/office/payments?a={sofia}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let theirs_list = burgas.get("/office/payments").await;
    assert_eq!(
        theirs_list.texts("#office-payments tbody tr td:first-child a"),
        [theirs_code.as_str()]
    );
    let theirs_rec = burgas.get("/office/payments/reconciliation").await;
    assert!(theirs_rec
        .html()
        .select(&lines_sel())
        .filter_map(|e| e.value().attr("data-entry").map(str::to_owned))
        .collect::<Vec<_>>()
        .is_empty());
    burgas.get("/office/payments").await;
    let steal = burgas
        .post_form(
            &format!("/office/payments/{p2}/refund"),
            &[("amount", "1"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(steal.status, StatusCode::NOT_FOUND);
    let (citizen, _) = app.register("pay-office-citizen@example.bg").await;
    assert_eq!(
        citizen.get("/office/payments").await.status,
        StatusCode::NOT_FOUND
    );
}

/// A statement of about 30 MiB (over the platform's default body limit of 25 MiB): one credit
/// paying `code` and enough debits, each with a long additional entry information, to fill it.
fn big_statement(message_id: &str, prefix: &str, code: &str) -> String {
    let filler = "изходящ превод ".repeat(300);
    let mut entries = vec![entry(
        &format!("{prefix}-0"),
        "10.50",
        true,
        false,
        &[("", code)],
    )];
    let mut size = 0;
    let mut n = 1;
    while size < 30 * 1024 * 1024 {
        let e = entry(&format!("{prefix}-{n}"), "1.00", false, false, &[("", "")]).replace(
            "</Ntry>",
            &format!("<AddtlNtryInf>{filler}</AddtlNtryInf></Ntry>"),
        );
        size += e.len();
        entries.push(e);
        n += 1;
    }
    statement(&entries).replace("MSG-1", message_id)
}

#[tokio::test]
async fn a_statement_over_the_platforms_body_limit_is_taken_on_its_own_routes_only() {
    let app = seeded().await;
    let sofia = administration_id(&app, SOFIA_EIK).await;
    let token = client_token(&app, SOFIA_EIK, &["payments"]).await;
    let (p1, c1) = ask(&app, &token, "Такса за удостоверение").await;
    let (p2, c2) = ask(&app, &token, "Такса за удостоверение").await;

    // Over the API.
    let xml = big_statement("MSG-BIG-API", "BA", &c1);
    assert!(xml.len() > 30 * 1024 * 1024 && xml.len() < 32 * 1024 * 1024);
    let (status, report) = crate::payments_camt::import(&app, &token, &xml).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["outcomes"]["matched"], 1, "{report}");
    assert_eq!(state(&app, &p1).await, "paid");

    // On the upload page.
    let operator = staff(
        &app,
        "big-statement@sofia.example.bg",
        SOFIA_EIK,
        Role::Operator,
    )
    .await;
    operator
        .get(&format!("/office/payments/statements?a={sofia}"))
        .await;
    let uploaded = operator
        .post_file_with(
            "/office/payments/statements",
            &[("a", &sofia)],
            "statement",
            "statement.xml",
            "application/xml",
            big_statement("MSG-BIG-PAGE", "BP", &c2).into_bytes(),
        )
        .await;
    assert_eq!(uploaded.status, StatusCode::OK, "{}", uploaded.body);
    assert!(
        uploaded
            .texts("#imported li")
            .join(" | ")
            .contains("Платено плащане: 1"),
        "{}",
        uploaded.body
    );
    assert_eq!(state(&app, &p2).await, "paid");

    // Elsewhere, 30 MiB is still too much: a payment request over the API, a page's form.
    let huge = "x".repeat(30 * 1024 * 1024);
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/payments", app.base))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(format!("{{\"reason\": \"{huge}\"}}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    operator.get("/office/payments/reconciliation").await;
    let form = operator
        .post_form(
            "/office/payments/reconciliation/resolve",
            &[("a", &sofia), ("line", "x"), ("note", &huge)],
        )
        .await;
    assert_eq!(form.status, StatusCode::PAYLOAD_TOO_LARGE);
    let page = operator
        .post_file_with(
            &format!("/office/payments/{p1}/refund"),
            &[("amount", "1")],
            "file",
            "big.bin",
            "application/octet-stream",
            huge.into_bytes(),
        )
        .await;
    assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM payments_events WHERE to_state = 'refunded_part'")
            .await,
        0
    );
}
