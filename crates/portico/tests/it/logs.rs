//! "Logs never contain personal identifiers in the clear, secrets or passwords" (README, Security):
//! the whole flagship (register, sign in, fill, submit, consent, approve, sign in again by SMS)
//! runs with every log line at `debug` written to a buffer, which is then searched for every
//! personal number, e-mail address, password, TOTP secret, session token and code used.
//!
//! The buffer is the test binary's one subscriber, so it also hears the tests running beside
//! this one; only this test's values are looked for.

use crate::cases::{
    citizen, fill_address_registration, seeded, staff, submit, transition, verified_citizen,
    OPERATOR,
};
use crate::support::PASSWORD;
use portico::demo::{DEMO_PASSWORD, DEMO_TOTP_SECRET};
use reqwest::StatusCode;
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Buffer {
    type Writer = Buffer;
    fn make_writer(&'a self) -> Buffer {
        self.clone()
    }
}

/// Every log line of this test binary from now on, at `debug`. A process-wide subscriber, not a
/// thread's: tracing caches per call site whether anyone listens, and a test on another thread
/// without a subscriber would otherwise switch call sites off for this one too.
fn captured_logs() -> Buffer {
    static BUFFER: std::sync::OnceLock<Buffer> = std::sync::OnceLock::new();
    BUFFER
        .get_or_init(|| {
            let buffer = Buffer::default();
            let subscriber = tracing_subscriber::fmt()
                .with_writer(buffer.clone())
                .with_ansi(false)
                .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
                .finish();
            tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
            buffer
        })
        .clone()
}

fn session_cookies(page: &crate::support::Page) -> Vec<String> {
    page.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|c| c.strip_prefix("portico_session="))
        .filter_map(|c| c.split(';').next())
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn the_flagship_leaves_no_personal_data_or_secret_in_the_logs() {
    let buffer = captured_logs();
    let app = seeded().await;
    let owner_email = "owner.logs@example.bg";
    let applicant_email = "applicant.logs@example.bg";
    let (owner, owner_egn, owner_secret) = verified_citizen(&app, owner_email).await;
    let (applicant, applicant_egn, applicant_secret) = citizen(&app, applicant_email).await;
    let id = fill_address_registration(&app, &applicant, Some(&owner_egn), "sredets").await;
    let submitted = submit(&app, &applicant, &id, &applicant_secret).await;
    assert_eq!(
        submitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        submitted.body
    );
    let consents = owner.get("/consents").await;
    let link = consents
        .attr("main a[href^='/consents/']", "href")
        .expect("a consent request");
    owner.get(&link).await;
    let decided = crate::cases::decide_consent(&app, &owner, &link, &owner_secret, "give").await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER);
    let operator = staff(&app, OPERATOR).await;
    let case = operator.get(&format!("/office/cases/{id}")).await;
    let version = case.attr("input[name=version]", "value").unwrap();
    operator
        .post_form(
            &format!("/office/cases/{id}/claim"),
            &[("version", &version)],
        )
        .await;
    for step in ["start_review", "approve"] {
        let page = transition(&app, &operator, &id, step, &[]).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{step}: {}", page.body);
    }
    let result = applicant.get(&format!("/applications/{id}/result")).await;
    assert_eq!(result.status, StatusCode::OK);

    // The owner signs in again with a code by SMS (to their verified number): a session token
    // at each step, and the code.
    app.phone_verified(owner_email).await;
    owner.sign_out().await;
    let password_step = owner.sign_in_password(&owner_egn, PASSWORD).await;
    owner.get("/login/second-factor").await;
    owner.post_form("/login/sms", &[]).await;
    // The code's SMS, not the delivery notice of the result (a link) that may come before it.
    let mut sms = serde_json::Value::Null;
    for _ in 0..100 {
        if let Some((_, found)) = app
            .sms
            .received
            .lock()
            .unwrap()
            .iter()
            .find(|(_, s)| !s["text"].as_str().unwrap_or("").contains("/mailbox/"))
        {
            sms = found.clone();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let code: String = sms["text"]
        .as_str()
        .unwrap()
        .chars()
        .filter(|c| c.is_ascii_digit())
        .take(6)
        .collect();
    let signed_in = owner
        .post_form("/login/sms/verify", &[("code", &code)])
        .await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
    let mut tokens = session_cookies(&password_step);
    tokens.extend(session_cookies(&signed_in));
    assert_eq!(tokens.len(), 2, "a new token at each step");

    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.lines().count() > 50,
        "the logs were captured: {} lines",
        logs.lines().count()
    );
    let mut secrets: Vec<(&str, String)> = vec![
        ("owner's EGN", owner_egn.clone()),
        ("applicant's EGN", applicant_egn.clone()),
        ("owner's e-mail", owner_email.to_owned()),
        ("applicant's e-mail", applicant_email.to_owned()),
        ("operator's e-mail", OPERATOR.to_owned()),
        ("password", PASSWORD.to_owned()),
        ("demo password", DEMO_PASSWORD.to_owned()),
        ("owner's TOTP secret", owner_secret.clone()),
        ("applicant's TOTP secret", applicant_secret.clone()),
        ("demo TOTP secret", DEMO_TOTP_SECRET.to_owned()),
        ("phone", "888123456".to_owned()),
        ("phone as typed", "0888 123 456".to_owned()),
    ];
    for token in &tokens {
        secrets.push(("session token", token.clone()));
    }
    for (what, value) in &secrets {
        assert!(
            !logs.contains(value.as_str()),
            "the logs contain the {what}: {}",
            logs.lines()
                .find(|l| l.contains(value.as_str()))
                .unwrap_or("")
        );
    }
    // A six-digit code could appear by chance inside a longer number: look for it standing alone.
    let alone = logs
        .split(|c: char| !c.is_ascii_digit())
        .any(|run| run == code);
    assert!(
        !alone,
        "the logs contain the SMS code: {}",
        logs.lines().find(|l| l.contains(&code)).unwrap_or("")
    );
}
