//! Bank transfers matched from ISO 20022 camt.053 statements sent by an administration's system:
//! exact, partial, excess, duplicate, reversed, batched and unknown lines; the same statement
//! imported twice changes nothing; another administration's payments are never matched; hostile
//! XML is refused with a clear code.

use crate::catalog::seeded;
use crate::payments::{client_token, request, send};
use crate::support::{fresh_egn, TestApp};
use portico::demo::SOFIA_EIK;
use reqwest::StatusCode;
use serde_json::Value;

pub(crate) fn entry(
    reference: &str,
    amount: &str,
    credit: bool,
    reversal: bool,
    txs: &[(&str, &str)],
) -> String {
    let details: String = txs
        .iter()
        .map(|(amt, refs)| {
            let amount = if amt.is_empty() {
                String::new()
            } else {
                format!("<Amt Ccy=\"EUR\">{amt}</Amt>")
            };
            format!(
                "<TxDtls><Refs><EndToEndId>{refs}</EndToEndId></Refs>{amount}<RmtInf><Ustrd>Такса {refs}</Ustrd></RmtInf></TxDtls>"
            )
        })
        .collect();
    format!(
        "<Ntry><NtryRef>{reference}</NtryRef><Amt Ccy=\"EUR\">{amount}</Amt><CdtDbtInd>{}</CdtDbtInd>{}<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-12-03</Dt></BookgDt><AcctSvcrRef>{reference}</AcctSvcrRef><NtryDtls>{details}</NtryDtls></Ntry>",
        if credit { "CRDT" } else { "DBIT" },
        if reversal { "<RvslInd>true</RvslInd>" } else { "" },
    )
}

pub(crate) fn statement(entries: &[String]) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><GrpHdr><MsgId>MSG-1</MsgId><CreDtTm>2026-12-03T18:00:00+02:00</CreDtTm></GrpHdr><Stmt><Id>S-1</Id><Acct><Id><IBAN>BG80BNBG96611020345678</IBAN></Id></Acct>{}</Stmt></BkToCstmrStmt></Document>"#,
        entries.join("")
    )
}

pub(crate) async fn import(app: &TestApp, token: &str, xml: &str) -> (StatusCode, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/payments/statements", app.base))
        .bearer_auth(token)
        .header("content-type", "application/xml")
        .body(xml.to_owned())
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn state(app: &TestApp, id: &str) -> String {
    let (s,): (String,) = sqlx::query_as("SELECT state FROM payments_requests WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    s
}

#[tokio::test]
async fn a_statement_pays_what_matches_lists_the_rest_and_changes_nothing_the_second_time() {
    let app = seeded().await;
    let token = client_token(&app, SOFIA_EIK, &["payments"]).await;
    let mut payments = Vec::new();
    for n in 0..6 {
        let (status, _, body) = send(
            &app,
            &token,
            reqwest::Method::POST,
            "/api/v1/payments",
            Some(&format!("camt-{n}")),
            Some(&request(&fresh_egn())),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        payments.push((
            body["id"].as_str().unwrap().to_owned(),
            body["code"].as_str().unwrap().to_owned(),
        ));
    }
    let code = |n: usize| payments[n].1.clone();
    // A code as a person types it: lower case, with a space.
    let typed = format!("{} {}", &code(2)[..4], &code(2)[4..]).to_lowercase();
    let xml = statement(&[
        entry("E1", "10.50", true, false, &[("", &code(0))]),
        entry("E2", "5.00", true, false, &[("", &code(1))]),
        entry("E3", "12.00", true, false, &[("", &typed)]),
        entry("E4", "10.50", true, false, &[("", &code(0))]),
        entry("E5", "10.50", false, true, &[("", &code(3))]),
        entry("E6", "10.50", true, false, &[("", "no code at all")]),
        entry(
            "E7",
            "21.00",
            true,
            false,
            &[("10.50", &code(4)), ("10.50", &code(5))],
        ),
        entry("E8", "99.00", false, false, &[("", "rent")]),
    ]);
    let (status, report) = import(&app, &token, &xml).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let outcomes = &report["outcomes"];
    assert_eq!(outcomes["matched"], 3, "{report}");
    assert_eq!(outcomes["partial"], 1);
    assert_eq!(outcomes["excess"], 1);
    assert_eq!(outcomes["duplicate"], 1, "{report}");
    assert_eq!(outcomes["reversed"], 1);
    assert_eq!(outcomes["unknown"], 1);
    let mut states = Vec::new();
    for (id, _) in &payments {
        states.push(state(&app, id).await);
    }
    assert_eq!(
        states,
        ["paid", "created", "paid", "created", "paid", "paid"]
    );

    // The same statement again: every line known, nothing changes.
    let paid_before = app
        .count("SELECT COUNT(*) FROM payments_events WHERE to_state = 'paid'")
        .await;
    let (status, again) = import(&app, &token, &xml).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(
        again["outcomes"],
        serde_json::json!({ "already_imported": 8 })
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM payments_events WHERE to_state = 'paid'")
            .await,
        paid_before
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM payments_statement_lines")
            .await,
        8
    );

    // Another administration's statement never matches Sofia's payments.
    let burgas = client_token(&app, "000056814", &["payments"]).await;
    let other = statement(&[entry("B1", "10.50", true, false, &[("", &code(1))])]);
    let (_, report) = import(&app, &burgas, &other).await;
    assert_eq!(report["outcomes"], serde_json::json!({ "unknown": 1 }));
    assert_eq!(state(&app, &payments[1].0).await, "created");

    // Hostile and malformed files are refused and change nothing.
    let bomb = r#"<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><Document>&b;</Document>"#;
    let (status, body) = import(&app, &token, bomb).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "statement_hostile");
    let (status, body) = import(&app, &token, "<Document><Ntry>").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "statement_invalid");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM payments_statements").await,
        3
    );
}
