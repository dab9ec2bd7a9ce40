//! Accounts and sign-in, driven through the pages as a person would.

use crate::support::{Client, TestApp, PASSWORD};
use reqwest::StatusCode;

/// Enrols TOTP on the signed-in client; returns the secret.
async fn enrol_totp(app: &TestApp, client: &Client) -> String {
    let setup = client.get("/account/totp").await;
    assert_eq!(setup.status, StatusCode::OK);
    assert_eq!(setup.texts(".qr svg").len(), 1, "a QR code is shown");
    let secret = setup
        .texts("#totp-secret")
        .pop()
        .expect("the key is shown for manual entry");
    let done = client
        .post_form("/account/totp", &[("code", &app.totp(&secret))])
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(
        done.texts("ul.code-list li").len(),
        10,
        "ten recovery codes are shown once"
    );
    assert_eq!(done.headers["cache-control"], "no-store");
    secret.replace(' ', "")
}

#[tokio::test]
async fn register_enrol_totp_sign_out_and_sign_in_with_both_factors() {
    let app = TestApp::start().await;
    let (client, _) = app.register("maria@example.bg").await;
    let secret = enrol_totp(&app, &client).await;
    let account = client.get("/account").await;
    assert_eq!(account.texts("h1"), vec!["Моят профил"]);
    assert!(account.body.contains("Иван Петров"));
    client.sign_out().await;
    assert_eq!(
        client.get("/account").await.location(),
        "/login?next=%2Faccount"
    );

    let password_step = client.sign_in_password("Maria@Example.bg", PASSWORD).await;
    assert_eq!(password_step.status, StatusCode::SEE_OTHER);
    assert_eq!(password_step.location(), "/login/second-factor?next=");
    assert_eq!(
        client.get("/account").await.status,
        StatusCode::SEE_OTHER,
        "a password alone does not sign in"
    );

    let second = client.get("/login/second-factor").await;
    assert!(second
        .attr("form[action='/login/totp'] input#code", "name")
        .is_some());
    // The enrolment code's step cannot be used again; a wrong code is refused with a message.
    let wrong = client
        .post_form("/login/totp", &[("code", &app.totp(&secret))])
        .await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reused code is refused"
    );
    assert_eq!(
        wrong.texts(".error-summary a"),
        vec!["Кодът не е верен, изтекъл е или вече е използван"]
    );
    app.advance(30);
    let done = client
        .post_form("/login/totp", &[("code", &app.totp(&secret))])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/start");
    assert_eq!(client.get("/account").await.status, StatusCode::OK);

    let activity = client.get("/api/v1/me/activity").await.json();
    let actions: Vec<&str> = activity["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions[0], "identity.sign_in");
    assert!(actions.contains(&"identity.second_factor_failed"));
    assert!(actions.contains(&"identity.totp_enrolled"));
}

#[tokio::test]
async fn the_session_token_changes_at_each_step_of_sign_in() {
    let app = TestApp::start().await;
    let (client, _) = app.register("token@example.bg").await;
    let secret = enrol_totp(&app, &client).await;
    client.sign_out().await;
    let cookie = |page: &crate::support::Page| {
        page.headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|c| c.starts_with("portico_session="))
            .expect("a session cookie")
    };
    let pending = cookie(&client.sign_in_password("token@example.bg", PASSWORD).await);
    client.get("/login/second-factor").await;
    app.advance(30);
    let complete = cookie(
        &client
            .post_form("/login/totp", &[("code", &app.totp(&secret))])
            .await,
    );
    assert_ne!(pending, complete);
    assert!(complete.contains("HttpOnly") && complete.contains("SameSite=Lax"));
}

#[tokio::test]
async fn a_recovery_code_works_once() {
    let app = TestApp::start().await;
    let (client, _) = app.register("recovery@example.bg").await;
    let setup = client.get("/account/totp").await;
    let secret = setup.texts("#totp-secret").pop().unwrap();
    let codes = client
        .post_form("/account/totp", &[("code", &app.totp(&secret))])
        .await
        .texts("ul.code-list li");
    client.sign_out().await;
    for expected in [StatusCode::SEE_OTHER, StatusCode::UNPROCESSABLE_ENTITY] {
        let other = app.client();
        other
            .sign_in_password("recovery@example.bg", PASSWORD)
            .await;
        other.get("/login/second-factor").await;
        let page = other.post_form("/login/totp", &[("code", &codes[0])]).await;
        assert_eq!(page.status, expected);
    }
}

#[tokio::test]
async fn an_invalid_egn_is_refused_field_by_field_and_nothing_is_stored() {
    let app = TestApp::start().await;
    let client = app.client();
    client.get("/register").await;
    let page = client
        .post_form(
            "/register",
            &[
                ("personal_id_kind", "egn"),
                ("personal_id", "7523169264"),
                ("given_name", "Иван"),
                ("family_name", ""),
                ("email", "ivan@example.bg"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.texts(".error-summary a"),
        vec![
            "Въведеното ЕГН/ЛНЧ не е валидно — проверете цифрите",
            "Въведете фамилното си име"
        ]
    );
    assert_eq!(
        page.attr(".error-summary a", "href").as_deref(),
        Some("#personal_id")
    );
    assert_eq!(
        page.attr("#personal_id", "aria-describedby").as_deref(),
        Some("personal_id-hint personal_id-error")
    );
    assert_eq!(
        page.attr("#email", "value").as_deref(),
        Some("ivan@example.bg"),
        "what was typed is kept"
    );
    assert_eq!(
        page.attr("#password", "value").as_deref(),
        Some(""),
        "passwords are never sent back"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, 0);
}

#[tokio::test]
async fn the_same_person_cannot_register_twice() {
    let app = TestApp::start().await;
    let (_, egn) = app.register("first@example.bg").await;
    let client = app.client();
    client.get("/register").await;
    let page = client
        .post_form(
            "/register",
            &[
                ("personal_id_kind", "egn"),
                ("personal_id", &egn),
                ("given_name", "Иван"),
                ("family_name", "Петров"),
                ("email", "FIRST@example.bg"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.texts(".error-summary a").len(),
        2,
        "both the EGN and the e-mail are taken"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 1);
}

#[tokio::test]
async fn a_form_posted_without_its_csrf_token_changes_nothing() {
    let app = TestApp::start().await;
    let client = app.client();
    client.get("/register").await;
    let fields = [
        ("personal_id_kind", "egn"),
        ("personal_id", "7523169263"),
        ("given_name", "Иван"),
        ("family_name", "Петров"),
        ("email", "csrf@example.bg"),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
    ];
    let page = client.post_raw("/register", &fields).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(page.texts("h1"), vec!["Формулярът е изтекъл"]);
    let mut forged = fields.to_vec();
    forged.push((
        "_csrf",
        "0000000000000000000000000000000000000000000000000000000000000000",
    ));
    assert_eq!(
        client.post_raw("/register", &forged).await.status,
        StatusCode::FORBIDDEN
    );
    // A token from another visitor's cookie does not work either: the other visitor's own
    // page holds a valid token, but only for their cookie.
    let other = app.client();
    let theirs = other
        .get("/register")
        .await
        .attr("input[name=_csrf]", "value")
        .expect("the other visitor's form has a token");
    let mine = client
        .get("/register")
        .await
        .attr("input[name=_csrf]", "value")
        .expect("this visitor's form has a token");
    assert_ne!(theirs, mine, "each visitor has a token of their own");
    let mut stolen = fields.to_vec();
    stolen.push(("_csrf", theirs.as_str()));
    let page = client.post_raw("/register", &stolen).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(page.texts("h1"), vec!["Формулярът е изтекъл"]);
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 0);

    // The same form with this visitor's own token goes through: the refusals above were the
    // token's doing.
    let mut own = fields.to_vec();
    own.push(("_csrf", mine.as_str()));
    assert_eq!(
        client.post_raw("/register", &own).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 1);
}

#[tokio::test]
async fn failed_sign_ins_are_slowed_down_with_a_clear_message() {
    let app = TestApp::start().await;
    let (client, _) = app.register("slow@example.bg").await;
    client.sign_out().await;
    for _ in 0..3 {
        let page = client
            .sign_in_password("slow@example.bg", "not the password")
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            page.texts(".error-summary a"),
            vec!["Имейлът/ЕГН или паролата не са верни"]
        );
    }
    let fourth = client
        .sign_in_password("slow@example.bg", "not the password")
        .await;
    assert_eq!(fourth.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(fourth.headers["retry-after"], "5");
    assert!(fourth.texts(".error-summary a")[0].starts_with("Твърде много неуспешни опити"));
    // Even the right password waits: the delay does not tell a guesser when they are right.
    let locked = client.sign_in_password("slow@example.bg", PASSWORD).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    app.advance(6);
    let fifth = client
        .sign_in_password("slow@example.bg", "still not it")
        .await;
    assert_eq!(fifth.headers["retry-after"], "10", "the delay grows");
    app.advance(11);
    let ok = client.sign_in_password("slow@example.bg", PASSWORD).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    // Unknown accounts are slowed down exactly the same way.
    for _ in 0..3 {
        client
            .sign_in_password("nobody@example.bg", "whatever it is")
            .await;
    }
    assert_eq!(
        client
            .sign_in_password("nobody@example.bg", "whatever it is")
            .await
            .status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn wrong_second_factors_are_slowed_down_too() {
    let app = TestApp::start().await;
    let (client, _) = app.register("codes@example.bg").await;
    enrol_totp(&app, &client).await;
    client.sign_out().await;
    client.sign_in_password("codes@example.bg", PASSWORD).await;
    client.get("/login/second-factor").await;
    for _ in 0..3 {
        assert_eq!(
            client
                .post_form("/login/totp", &[("code", "000000")])
                .await
                .status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    let fourth = client.post_form("/login/totp", &[("code", "000000")]).await;
    assert_eq!(fourth.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(fourth.texts("h1"), vec!["Твърде много опити"]);
}

#[tokio::test]
async fn sign_in_with_a_link_received_by_email() {
    let app = TestApp::start().await;
    let (client, _) = app.register("link@example.bg").await;
    client.sign_out().await;
    client.sign_in_password("link@example.bg", PASSWORD).await;
    let second = client.get("/login/second-factor").await;
    assert!(
        second
            .attr("form[action='/login/totp']", "action")
            .is_none(),
        "no TOTP form without TOTP"
    );
    let sent = client.post_form("/login/email-link", &[]).await;
    assert_eq!(sent.texts("h1"), vec!["Проверете имейла си"]);

    let body = app.mail.message(1).await;
    assert_eq!(app.mail.count(), 1, "one e-mail per request");
    assert!(body.contains("Здравейте, Иван Петров!"), "{body}");
    let link = body
        .split_whitespace()
        .find(|w| w.contains("/login/email-link?token="))
        .expect("a link in the e-mail")
        .to_owned();
    let path = link
        .strip_prefix(&app.base)
        .expect("the link points at this Portico");

    // Opened in another browser, the link does nothing.
    let elsewhere = app.client();
    assert_eq!(elsewhere.get(path).await.status, StatusCode::BAD_REQUEST);

    let opened = client.get(path).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER);
    assert_eq!(opened.location(), "/start");
    assert_eq!(client.get("/account").await.status, StatusCode::OK);

    // The same link a second time, after signing out and starting again: spent.
    client.sign_out().await;
    client.sign_in_password("link@example.bg", PASSWORD).await;
    let again = client.get(path).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_eq!(again.texts("h1"), vec!["Връзката не работи"]);
}

#[tokio::test]
async fn an_expired_email_link_is_refused() {
    let app = TestApp::start().await;
    let (client, _) = app.register("late@example.bg").await;
    client.sign_out().await;
    client.sign_in_password("late@example.bg", PASSWORD).await;
    client.get("/login/second-factor").await;
    client.post_form("/login/email-link", &[]).await;
    let body = app.mail.message(1).await;
    let link = body
        .split_whitespace()
        .find(|w| w.contains("token="))
        .unwrap()
        .to_owned();
    app.advance(9 * 60);
    // The pending session itself lasts 10 minutes; the link 15. Past 10, both are gone.
    app.advance(2 * 60);
    let page = client.get(link.strip_prefix(&app.base).unwrap()).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    assert_eq!(page.texts("h1"), vec!["Връзката не работи"]);
    assert_eq!(client.get("/account").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn sign_in_with_a_code_by_sms_through_the_http_gateway() {
    let app = TestApp::start().await;
    let (client, _) = app.register("sms@example.bg").await;
    app.phone_verified("sms@example.bg").await;
    client.sign_out().await;
    client.sign_in_password("sms@example.bg", PASSWORD).await;
    client.get("/login/second-factor").await;
    let form = client.post_form("/login/sms", &[]).await;
    assert_eq!(form.status, StatusCode::OK);
    let (auth, sms) = app.sms.message(1).await;
    assert_eq!(auth.as_deref(), Some("Bearer sms-test-token"));
    assert_eq!(sms["to"], "+359888123456");
    let text = sms["text"].as_str().unwrap();
    let code: String = text
        .chars()
        .filter(|c| c.is_ascii_digit())
        .take(6)
        .collect();
    let wrong = client
        .post_form("/login/sms/verify", &[("code", "999999")])
        .await;
    if code != "999999" {
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let ok = client
        .post_form("/login/sms/verify", &[("code", &code)])
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(client.get("/account").await.status, StatusCode::OK);
}

#[tokio::test]
async fn sign_out_everywhere_ends_every_session() {
    let app = TestApp::start().await;
    let (phone, _) = app.register("everywhere@example.bg").await;
    let secret = enrol_totp(&app, &phone).await;
    let laptop = app.client();
    laptop
        .sign_in_password("everywhere@example.bg", PASSWORD)
        .await;
    laptop.get("/login/second-factor").await;
    app.advance(30);
    laptop
        .post_form("/login/totp", &[("code", &app.totp(&secret))])
        .await;
    assert_eq!(laptop.get("/account").await.status, StatusCode::OK);

    phone.get("/account").await;
    let out = phone.post_form("/account/sign-out-everywhere", &[]).await;
    assert_eq!(out.location(), "/login");
    assert_eq!(laptop.get("/account").await.status, StatusCode::SEE_OTHER);
    assert_eq!(phone.get("/account").await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
}

#[tokio::test]
async fn no_one_sees_another_persons_account() {
    let app = TestApp::start().await;
    let (alice, _) = app.register("alice@example.bg").await;
    let (bob, _) = app.register("bob@example.bg").await;
    let alice_me = alice.get("/api/v1/me").await.json();
    let bob_me = bob.get("/api/v1/me").await.json();
    assert_ne!(alice_me["id"], bob_me["id"]);
    let bob_activity = bob.get("/api/v1/me/activity").await.json();
    for entry in bob_activity["items"].as_array().unwrap() {
        assert_eq!(entry["subject"], bob_me["id"], "only Bob's own entries");
    }
    assert!(!bob.get("/account").await.body.contains("alice@example.bg"));
}

#[tokio::test]
async fn pages_that_need_a_signed_in_person_send_others_to_sign_in() {
    let app = TestApp::start().await;
    let c = app.client();
    for path in ["/account", "/account/totp"] {
        let page = c.get(path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert!(page.location().starts_with("/login?next="), "{path}");
    }
    c.get("/login").await;
    for path in [
        "/account/totp",
        "/account/totp/remove",
        "/account/sign-out-everywhere",
    ] {
        assert_eq!(
            c.post_form(path, &[]).await.status,
            StatusCode::SEE_OTHER,
            "{path}"
        );
    }
    // The second-factor steps need a pending sign-in.
    assert_eq!(
        c.post_form("/login/totp", &[("code", "123456")])
            .await
            .location(),
        "/login"
    );
}

#[tokio::test]
async fn sign_ins_abandoned_by_their_clients_leave_nothing_locked() {
    let app = TestApp::start().await;
    let (client, _) = app.register("hangup@example.bg").await;
    client.sign_out().await;
    // Clients that give up a few milliseconds into a sign-in, as a closed laptop or an impatient
    // proxy would: the server must not be left with a half-begun transaction.
    let mut hangups = Vec::new();
    for i in 0..24u64 {
        let base = app.base.clone();
        hangups.push(tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .unwrap();
            let page = http
                .get(format!("{base}/login"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let token = scraper::Html::parse_document(&page)
                .select(&scraper::Selector::parse("input[name=_csrf]").unwrap())
                .next()
                .and_then(|e| e.value().attr("value").map(str::to_owned))
                .unwrap();
            let _ = http
                .post(format!("{base}/login"))
                .timeout(std::time::Duration::from_millis(1 + i % 12))
                .form(&[
                    ("_csrf", token.as_str()),
                    ("identifier", "hangup@example.bg"),
                    ("password", PASSWORD),
                ])
                .send()
                .await;
        }));
    }
    for h in hangups {
        h.await.unwrap();
    }
    // Each sign-in runs to its end on the server though its client is gone: the right password
    // clears the attempts it counted. Until the last has ended the account may still be held
    // for a few seconds (attempts are counted before the password is checked); then nothing of
    // them is left, on a slow machine as on a fast one.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while app
        .count("SELECT COUNT(*) FROM throttle WHERE key LIKE 'login:account:%' AND failures > 0")
        .await
        > 0
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the abandoned sign-ins left the account's attempts counted"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // The test's clock stands still, so a hold the throttle set while the hangups overlapped
    // (seen on a loaded machine: 5 s, on the client address or the account) would never pass by
    // itself; the clock moves past the longest hold. What must not be left is a database lock.
    app.advance(16 * 60);
    for _ in 0..3 {
        let page = client.sign_in_password("hangup@example.bg", PASSWORD).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    }
}

/// Signs in with both factors, giving `next` to every step as the pages do; returns where the
/// last step sends the person.
async fn sign_in_with_next(app: &TestApp, email: &str, secret: &str, next: &str) -> String {
    let client = app.client();
    let login = client.get(&format!("/login?next={next}")).await;
    assert_eq!(login.status, StatusCode::OK, "next={next}");
    let kept = login.attr("input[name=next]", "value").unwrap_or_default();
    let decoded: String = url::form_urlencoded::parse(format!("n={next}").as_bytes())
        .map(|(_, v)| v.into_owned())
        .next()
        .unwrap_or_default();
    let password = client
        .post_form(
            "/login",
            &[
                ("identifier", email),
                ("password", PASSWORD),
                ("next", &decoded),
            ],
        )
        .await;
    assert_eq!(password.status, StatusCode::SEE_OTHER, "next={next}");
    let second = client.get(password.location()).await;
    assert_eq!(second.status, StatusCode::OK, "next={next}");
    let done = client
        .post_form(
            "/login/totp",
            &[("code", &app.totp(secret)), ("next", &decoded)],
        )
        .await;
    assert_eq!(
        done.status,
        StatusCode::SEE_OTHER,
        "next={next}: {}",
        done.body
    );
    app.advance(30);
    assert!(
        kept.is_empty() || kept.starts_with('/'),
        "the sign-in page keeps only a local next, not {kept:?}"
    );
    done.location().to_owned()
}

#[tokio::test]
async fn sign_in_never_sends_people_off_site() {
    let app = TestApp::start().await;
    let email = "next@example.bg";
    let (client, _) = app.register(email).await;
    let secret = enrol_totp(&app, &client).await.replace(' ', "");
    app.advance(30);
    for next in crate::shell::HOSTILE_TARGETS {
        let target = sign_in_with_next(&app, email, &secret, next).await;
        assert_eq!(target, "/start", "next={next}");
    }
    let target = sign_in_with_next(&app, email, &secret, "%2Fapplications%3Fx%3D1").await;
    assert_eq!(target, "/applications?x=1");
}

#[tokio::test]
async fn an_email_link_past_its_own_15_minutes_is_refused() {
    let app = TestApp::start().await;
    let (client, _) = app.register("late15@example.bg").await;
    client.sign_out().await;
    client.sign_in_password("late15@example.bg", PASSWORD).await;
    client.get("/login/second-factor").await;
    client.post_form("/login/email-link", &[]).await;
    let body = app.mail.message(1).await;
    let link = body
        .split_whitespace()
        .find(|w| w.contains("token="))
        .unwrap()
        .to_owned();
    // The pending session is kept alive past its own 10 minutes, so that only the link's own
    // limit is left to refuse it.
    let later = portico_core::clock::to_millis(
        portico_core::Clock::now(&app.clock) + chrono::Duration::hours(1),
    );
    sqlx::query("UPDATE sessions SET expires_at = $1 WHERE stage = 'password'")
        .bind(later)
        .execute(app.db.pool())
        .await
        .unwrap();
    app.advance(15 * 60 + 1);
    let page = client.get(link.strip_prefix(&app.base).unwrap()).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    assert_eq!(page.texts("h1"), vec!["Връзката не работи"]);
    assert_eq!(client.get("/account").await.status, StatusCode::SEE_OTHER);
}

/// What a citizen's activity shows of something staff did to their account: what and when, and
/// that it was staff, but not the staff member's account id or the entry's internal details.
#[tokio::test]
async fn a_persons_activity_names_no_staff_member_and_no_internal_details() {
    let app = TestApp::start().await;
    let (citizen, _) = app.register("activity@example.bg").await;
    let me = citizen.get("/api/v1/me").await.json();
    let id = me["id"].as_str().unwrap().to_owned();
    let mut tx = app.db.begin().await.unwrap();
    let event = portico_audit::Event::new("op-7f3a-internal", "identity.role_granted", &id)
        .with(serde_json::json!({ "unit": "unit-internal-42" }));
    portico_audit::append(&mut tx, event, chrono::Utc::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let activity = citizen.get("/api/v1/me/activity").await;
    assert_eq!(activity.status, StatusCode::OK);
    assert!(
        !activity.body.contains("op-7f3a-internal"),
        "{}",
        activity.body
    );
    assert!(
        !activity.body.contains("unit-internal-42"),
        "{}",
        activity.body
    );
    let json = activity.json();
    let items = json["items"].as_array().unwrap();
    assert_eq!(items[0]["action"], "identity.role_granted");
    assert_eq!(items[0]["by"], "staff");
    let registered = items
        .iter()
        .find(|e| e["action"] == "identity.registered")
        .unwrap();
    assert_eq!(registered["by"], "you");
    let page = citizen.get("/account").await;
    assert!(!page.body.contains("op-7f3a-internal"));
}
