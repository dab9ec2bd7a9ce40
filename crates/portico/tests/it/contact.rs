//! Changing and verifying one's e-mail address and phone number (issue #8 items 3–4): the
//! current second factor first, then a code sent to the new destination, throttled like
//! sign-in codes; nothing changes until the code comes back.

use crate::support::{Client, TestApp};
use reqwest::StatusCode;
use std::time::Duration;

fn six_digits(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.windows(6).enumerate().find_map(|(i, w)| {
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + 6);
        (w.iter().all(char::is_ascii_digit)
            && !before.is_some_and(|c| c.is_ascii_digit())
            && !after.is_some_and(char::is_ascii_digit))
        .then(|| w.iter().collect())
    })
}

/// The code in the newest e-mail to `to` that contains `text`, waiting up to 10 s for it.
pub(crate) async fn mailed_code(app: &TestApp, to: &str, text: &str) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        for raw in app.mail.raw().iter().rev() {
            let parsed = mailparse::parse_mail(raw.as_bytes()).expect("MIME");
            let addressed = parsed
                .headers
                .iter()
                .any(|h| h.get_key().eq_ignore_ascii_case("to") && h.get_value().contains(to));
            let body = parsed.get_body().expect("body");
            if addressed && body.contains(text) {
                return six_digits(&body).expect("a code in the message");
            }
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no e-mail to {to} with {text:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn mails_to(app: &TestApp, to: &str) -> usize {
    app.mail
        .raw()
        .iter()
        .filter(|raw| {
            mailparse::parse_mail(raw.as_bytes())
                .map(|m| {
                    m.headers.iter().any(|h| {
                        h.get_key().eq_ignore_ascii_case("to") && h.get_value().contains(to)
                    })
                })
                .unwrap_or(false)
        })
        .count()
}

/// The code in the newest SMS to `to` that contains `text`, waiting up to 10 s for it.
async fn texted_code(app: &TestApp, to: &str, text: &str) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let found = app
            .sms
            .received
            .lock()
            .unwrap()
            .iter()
            .rev()
            .find_map(|(_, body)| {
                let said = body["text"].as_str().unwrap_or("");
                (body["to"] == to && said.contains(text)).then(|| said.to_owned())
            });
        if let Some(said) = found {
            return six_digits(&said).expect("a code in the SMS");
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no SMS to {to} with {text:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A step-up code for the contact change, sent to the person's current address.
async fn step_up_code(app: &TestApp, client: &Client, email: &str) -> String {
    client.get("/account/contact").await;
    let sent = client
        .post_form(
            "/step-up/code",
            &[
                ("channel", "email"),
                ("purpose", "identity.contact_change"),
                ("back", "/account/contact"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(sent.location(), "/account/contact?code_sent=email");
    mailed_code(app, email, "потвърждение е").await
}

#[tokio::test]
async fn a_new_email_address_needs_the_second_factor_and_then_the_code_sent_to_it() {
    let app = TestApp::start().await;
    let (client, _) = app.register("old@example.com").await;
    let page = client.get("/account").await;
    assert_eq!(
        page.attr("#contact-link", "href").as_deref(),
        Some("/account/contact")
    );

    // Without the second factor: refused, nothing sent to the new address, nothing changed.
    client.get("/account/contact").await;
    let page = client
        .post_form(
            "/account/contact",
            &[
                ("kind", "email"),
                ("new_contact", "new@example.com"),
                ("code", "000000"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("error-summary"));
    assert_eq!(app.count("SELECT COUNT(*) FROM contact_changes").await, 0);

    // With it: a code goes to the new address; the account keeps the old one until it is typed.
    let code = step_up_code(&app, &client, "old@example.com").await;
    let page = client
        .post_form(
            "/account/contact",
            &[
                ("kind", "email"),
                ("new_contact", " New@Example.com "),
                ("code", &code),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let confirm = page.location().to_owned();
    assert!(confirm.starts_with("/account/contact/"), "{confirm}");
    let sent = mailed_code(&app, "new@example.com", "confirms this address").await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM accounts WHERE email = 'old@example.com' AND email_verified_at IS NULL")
            .await,
        1
    );

    // Another person cannot use the change; a wrong code changes nothing.
    let (other, _) = app.register("other@example.com").await;
    assert_eq!(other.get(&confirm).await.status, StatusCode::NOT_FOUND);
    let page = client.get(&confirm).await;
    assert!(page.body.contains("new@example.com"));
    let wrong = if sent == "111111" { "222222" } else { "111111" };
    let page = client.post_form(&confirm, &[("contact_code", wrong)]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM accounts WHERE email = 'new@example.com'")
            .await,
        0
    );

    let page = client.post_form(&confirm, &[("contact_code", &sent)]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(page.location(), "/account?done=email_changed");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM accounts WHERE email = 'new@example.com' AND email_verified_at IS NOT NULL")
            .await,
        1
    );
    // The old address is told; the code works once.
    mailed_code_or_notice(&app, "old@example.com", "was changed").await;
    let page = client.post_form(&confirm, &[("contact_code", &sent)]).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'identity.contact_changed'")
            .await,
        1
    );
}

/// Waits for an e-mail to `to` containing `text` (a notice has no code).
async fn mailed_code_or_notice(app: &TestApp, to: &str, text: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !app.mail.raw().iter().any(|raw| {
        let parsed = mailparse::parse_mail(raw.as_bytes()).expect("MIME");
        parsed.get_body().is_ok_and(|b| b.contains(text)) && raw.contains(to)
    }) {
        assert!(tokio::time::Instant::now() < deadline, "no notice to {to}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn the_registration_phone_is_verified_by_sms_without_a_second_factor_and_a_taken_address_is_refused(
) {
    let app = TestApp::start().await;
    let (client, _) = app.register("phone@example.com").await;
    app.register("taken@example.com").await;
    let page = client.get("/account/contact").await;
    assert!(page.attr("#phone-unverified", "class").is_some());
    assert!(page.attr("#verify-phone", "type").is_some());
    let page = client
        .post_form(
            "/account/contact",
            &[("kind", "phone"), ("new_contact", "0888 123 456")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let confirm = page.location().to_owned();
    let code = texted_code(&app, "+359888123456", "confirms this number").await;
    let page = client.post_form(&confirm, &[("contact_code", &code)]).await;
    assert_eq!(page.location(), "/account?done=phone_changed");
    let page = client.get("/account/contact").await;
    assert!(page.attr("#phone-verified", "class").is_some());

    // Another account's address, with a good second factor: a field error, nothing sent.
    let code = step_up_code(&app, &client, "phone@example.com").await;
    let before = mails_to(&app, "taken@example.com");
    let page = client
        .post_form(
            "/account/contact",
            &[
                ("kind", "email"),
                ("new_contact", "taken@example.com"),
                ("code", &code),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("href=\"#new_contact\""), "{}", page.body);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(mails_to(&app, "taken@example.com"), before);
}

#[tokio::test]
async fn codes_to_an_address_are_limited_like_sign_in_codes() {
    let app = TestApp::start().await;
    let (client, _) = app.register("often@example.com").await;
    client.get("/account/contact").await;
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let page = client
            .post_form(
                "/account/contact",
                &[("kind", "email"), ("new_contact", "often@example.com")],
            )
            .await;
        statuses.push(page.status);
    }
    assert_eq!(&statuses[..5], &[StatusCode::SEE_OTHER; 5]);
    assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
    // Only the newest code works.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM contact_changes WHERE used_at IS NULL")
            .await,
        1
    );
}

#[tokio::test]
async fn codes_go_only_to_a_verified_phone_and_verifying_it_is_a_step_of_its_own() {
    use portico_identity::service::step_up::{self, Channel};
    let app = TestApp::start().await;
    let (client, _) = app.register("unproven@example.bg").await;
    let account: (String,) = sqlx::query_as("SELECT id FROM accounts WHERE email = $1")
        .bind("unproven@example.bg")
        .fetch_one(app.db.pool())
        .await
        .unwrap();

    // The number given at registration may be anyone's: no sign-in code goes there, and the
    // second-factor page does not offer one.
    let other = app.client();
    other
        .sign_in_password("unproven@example.bg", crate::support::PASSWORD)
        .await;
    let page = other.get("/login/second-factor").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.attr("form[action='/login/sms']", "method").is_none());
    let sent = other.post_form("/login/sms", &[]).await;
    assert_eq!(sent.status, StatusCode::BAD_REQUEST);
    // Nor a step-up code, whoever asks.
    let refused = step_up::send_code(
        &app.db,
        &account.0,
        Channel::Sms,
        "cases.submit",
        None,
        portico_core::Clock::now(&app.clock),
    )
    .await;
    assert!(refused.is_err(), "{refused:?}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.sms.received.lock().unwrap().len(), 0, "nothing texted");
    // The contact page offers the verification, and no code by SMS for the change.
    let page = client.get("/account/contact").await;
    assert!(page.attr("#verify-phone", "type").is_some());
    assert!(page
        .attr(
            "form[action='/step-up/code'] input[name=channel][value=sms]",
            "value"
        )
        .is_none());

    // Verifying the number: a code sent to it, and typed back.
    let page = client
        .post_form(
            "/account/contact",
            &[("kind", "phone"), ("new_contact", "0888 123 456")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let confirm = page.location().to_owned();
    let code = texted_code(&app, "+359888123456", "confirms this number").await;
    let page = client.post_form(&confirm, &[("contact_code", &code)]).await;
    assert_eq!(page.location(), "/account?done=phone_changed");
    let page = client.get("/account/contact").await;
    assert!(page
        .attr(
            "form[action='/step-up/code'] input[name=channel][value=sms]",
            "value"
        )
        .is_some());

    // Now sign-in codes go there.
    let page = other.get("/login/second-factor").await;
    assert!(page.attr("form[action='/login/sms']", "method").is_some());
    let sent = other.post_form("/login/sms", &[]).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let code = texted_code(&app, "+359888123456", "sign-in code").await;
    let page = other
        .post_form("/login/sms/verify", &[("code", &code)])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(other.get("/account").await.status, StatusCode::OK);
}
