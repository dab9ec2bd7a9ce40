//! Promises of the README's Security and Configuration sections that no other test checked:
//! sessions stored only as hashes, SMS code lifetime and tries, malformed settings refused by
//! name, `Secure` cookies on HTTPS, `/readyz` without a database, periodic audit checkpoints, and
//! `--help` on every command. Some run the real `portico` binary.

use crate::support::{fresh_egn, Client, TestApp, PASSWORD};
use reqwest::StatusCode;
use sqlx::Row;
use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Every value of every row of every table, as text.
pub async fn every_value(app: &TestApp) -> Vec<String> {
    let tables_sql = if portico_store::testdb::wants_postgres() {
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'"
    } else {
        "SELECT name FROM sqlite_master WHERE type = 'table'"
    };
    let tables: Vec<(String,)> = sqlx::query_as(tables_sql)
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    assert!(tables.len() > 10, "{tables:?}");
    let mut values = Vec::new();
    for (table,) in tables {
        let rows = sqlx::query(&format!("SELECT * FROM {table}"))
            .fetch_all(app.db.pool())
            .await
            .unwrap();
        for row in rows {
            for (i, _) in row.columns().iter().enumerate() {
                if let Ok(Some(s)) = row.try_get::<Option<String>, _>(i) {
                    values.push(s);
                } else if let Ok(Some(b)) = row.try_get::<Option<Vec<u8>>, _>(i) {
                    values.push(String::from_utf8_lossy(&b).into_owned());
                }
            }
        }
    }
    values
}

fn session_cookie(page: &crate::support::Page) -> String {
    page.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("portico_session="))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_owned()
}

#[tokio::test]
async fn session_tokens_are_stored_only_as_their_hashes() {
    let app = TestApp::start().await;
    let client = app.client();
    client.get("/register").await;
    let egn = fresh_egn();
    let registered = client
        .post_form(
            "/register",
            &[
                ("personal_id_kind", "egn"),
                ("personal_id", &egn),
                ("given_name", "Иван"),
                ("family_name", "Петров"),
                ("email", "hashed@example.bg"),
                ("phone", "0888 123 456"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(registered.status, StatusCode::SEE_OTHER);
    let token = session_cookie(&registered);
    assert!(token.len() >= 32, "{token}");
    assert_eq!(client.get("/account").await.status, StatusCode::OK);

    let values = every_value(&app).await;
    assert!(
        !values.iter().any(|v| v.contains(&token)),
        "the cookie value is in the database"
    );
    let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(token.as_bytes()));
    assert!(values.contains(&hash), "its SHA-256 is what is kept");
}

/// Signs in with the password and asks for a code by SMS; returns the client and the code.
async fn sms_code_requested(app: &TestApp, email: &str) -> (Client, String) {
    let (client, _) = app.register(email).await;
    app.phone_verified(email).await;
    client.sign_out().await;
    client.sign_in_password(email, PASSWORD).await;
    client.get("/login/second-factor").await;
    let form = client.post_form("/login/sms", &[]).await;
    assert_eq!(form.status, StatusCode::OK);
    let (_, sms) = app.sms.message(1).await;
    let code: String = sms["text"]
        .as_str()
        .unwrap()
        .chars()
        .filter(|c| c.is_ascii_digit())
        .take(6)
        .collect();
    (client, code)
}

/// A six-digit code that is not `code`.
fn wrong(code: &str) -> String {
    if code == "000000" { "111111" } else { "000000" }.to_owned()
}

/// Each wrong try is checked and counted; the account's code throttle answers the fourth and later
/// with 429 (docs/identity.md: three free failures, the fourth earns the lock).
fn wrong_try_status(attempt: usize) -> StatusCode {
    if attempt <= 3 {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::TOO_MANY_REQUESTS
    }
}

#[tokio::test]
async fn an_sms_code_works_after_four_wrong_tries_and_until_five_minutes() {
    let app = TestApp::start().await;
    let (client, code) = sms_code_requested(&app, "sms-four@example.bg").await;
    for attempt in 1..=4 {
        let page = client
            .post_form("/login/sms/verify", &[("code", &wrong(&code))])
            .await;
        assert_eq!(page.status, wrong_try_status(attempt), "{}", page.body);
        // Past the account's code throttle (5 s, 10 s, 20 s after the third failure).
        app.advance(21);
    }
    app.advance(299 - 4 * 21);
    let ok = client
        .post_form("/login/sms/verify", &[("code", &code)])
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(client.get("/account").await.status, StatusCode::OK);
}

#[tokio::test]
async fn an_sms_code_is_spent_by_five_wrong_tries() {
    let app = TestApp::start().await;
    let (client, code) = sms_code_requested(&app, "sms-five@example.bg").await;
    for attempt in 1..=5 {
        let page = client
            .post_form("/login/sms/verify", &[("code", &wrong(&code))])
            .await;
        assert_eq!(page.status, wrong_try_status(attempt), "{}", page.body);
        app.advance(21);
    }
    // Past the lock the fifth failure earned (10 s): the right code is checked, and refused as
    // spent, which counts as the sixth failure (so the answer is the throttle's 429).
    let late = client
        .post_form("/login/sms/verify", &[("code", &code)])
        .await;
    assert_eq!(late.status, StatusCode::TOO_MANY_REQUESTS, "{}", late.body);
    assert_eq!(client.get("/account").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_sms_code_expires_after_five_minutes() {
    let app = TestApp::start().await;
    let (client, code) = sms_code_requested(&app, "sms-late@example.bg").await;
    app.advance(301);
    let late = client
        .post_form("/login/sms/verify", &[("code", &code)])
        .await;
    assert_eq!(
        late.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        late.body
    );
    assert_eq!(client.get("/account").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn readyz_fails_without_the_database_and_healthz_still_answers() {
    let app = TestApp::start().await;
    let c = app.client();
    assert_eq!(c.get("/readyz").await.status, StatusCode::OK);
    // The node's pool is this one (a `Db` clone shares it): closing it loses the database.
    app.db.close().await;
    let ready = c.get("/readyz").await;
    assert_eq!(
        ready.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        ready.body
    );
    let health = c.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.body, "ok");
}

/// Runs `portico` with the test app's database and data folder plus `env`; waits for its end.
fn portico(app: &TestApp, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_portico"));
    command
        .args(args)
        .env("DATABASE_URL", &app.db_url)
        .env("PORTICO_DATA_DIR", app.data_dir.path())
        .env("PORTICO_LOG", "error");
    for (k, v) in env {
        command.env(k, v);
    }
    let out = command.output().expect("run portico");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// As [`portico`], but a process still running after 20 s (a node that started instead of
/// refusing) is killed and reported as exit code -1.
fn portico_within(app: &TestApp, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_portico"));
    command
        .args(args)
        .env("DATABASE_URL", &app.db_url)
        .env("PORTICO_DATA_DIR", app.data_dir.path())
        .env("PORTICO_LISTEN", "127.0.0.1:0")
        .env("PORTICO_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("run portico");
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return (-1, format!("still running after 20 s: {args:?} {env:?}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[tokio::test]
async fn a_malformed_setting_stops_start_up_naming_the_variable() {
    let app = TestApp::start().await;
    let cases = [
        ("PORTICO_DB_MAX_CONNECTIONS", "abc"),
        ("PORTICO_LISTEN", "everywhere"),
        ("PORTICO_CHECKPOINT_SECS", "soon"),
        ("PORTICO_SECURE_COOKIES", "maybe"),
        ("PORTICO_LOG_FORMAT", "xml"),
        ("PORTICO_BASE_URL", "portico.example"),
        ("PORTICO_TRUSTED_PROXIES", "the load balancer"),
        ("PORTICO_DESIGN_PAGE", "perhaps"),
        ("PORTICO_DELIVERY_MAX_EXPORT_BYTES", "lots"),
        ("PORTICO_DELIVERY_MAX_EXPORT_BYTES", "1000"),
        ("DATABASE_URL", "mysql://localhost/portico"),
    ];
    for (name, value) in cases {
        let (code, output) = portico_within(&app, &["serve"], &[(name, value)]);
        assert_eq!(code, 2, "{name}={value}: {output}");
        assert!(output.contains(name), "{name}={value}: {output}");
        assert!(!output.contains("listening"), "{output}");
    }
}

/// A `portico serve` child process, killed when dropped; its standard error is collected.
pub struct Served {
    child: Child,
    pub base: String,
    pub stderr: Arc<Mutex<String>>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `portico serve` on a free port with the test app's database and data folder plus
/// `env`, and waits (up to 60 s) until it answers `/healthz`.
pub async fn serve(app: &TestApp, env: &[(&str, &str)]) -> Served {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let mut command = Command::new(env!("CARGO_BIN_EXE_portico"));
    command
        .arg("serve")
        .env("DATABASE_URL", &app.db_url)
        .env("PORTICO_DATA_DIR", app.data_dir.path())
        .env("PORTICO_LISTEN", &listen)
        // No gateway in these tests: sign-in codes go to the data folder's file sinks.
        .env("PORTICO_DEV_SINKS", "true")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("start portico serve");
    let stderr = Arc::new(Mutex::new(String::new()));
    let mut pipe = child.stderr.take().unwrap();
    let collected = stderr.clone();
    std::thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        while let Ok(n) = pipe.read(&mut buffer) {
            if n == 0 {
                break;
            }
            collected
                .lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buffer[..n]));
        }
    });
    let served = Served {
        child,
        base: format!("http://{listen}"),
        stderr,
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = reqwest::get(format!("{}/healthz", served.base)).await {
            if r.status() == StatusCode::OK {
                return served;
            }
        }
        assert!(
            Instant::now() < deadline,
            "portico serve did not start: {}",
            served.stderr.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn cookies(headers: &reqwest::header::HeaderMap) -> Vec<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn cookies_are_secure_when_the_base_url_is_https() {
    let app = TestApp::start().await;
    let https = serve(&app, &[("PORTICO_BASE_URL", "https://portico.example.bg")]).await;
    let page = Client::new(&https.base).get("/login").await;
    let set = cookies(&page.headers);
    assert!(!set.is_empty());
    for cookie in &set {
        assert!(cookie.contains("; Secure"), "{cookie}");
        assert!(cookie.contains("HttpOnly"), "{cookie}");
    }
    drop(https);
    let http = serve(&app, &[("PORTICO_BASE_URL", "http://127.0.0.1")]).await;
    let page = Client::new(&http.base).get("/login").await;
    let set = cookies(&page.headers);
    assert!(!set.is_empty());
    assert!(set.iter().all(|c| !c.contains("Secure")), "{set:?}");
}

#[tokio::test]
async fn the_audit_chain_is_signed_periodically() {
    let app = TestApp::start().await;
    let node = serve(&app, &[("PORTICO_CHECKPOINT_SECS", "1")]).await;
    let checkpoints = "SELECT COUNT(*) FROM audit_checkpoints";
    let anchor = app.data_dir.path().join(portico_audit::anchor::FILE_NAME);
    let lines_in_file = || {
        std::fs::read_to_string(&anchor)
            .map(|text| text.lines().count() as i64)
            .unwrap_or(0)
    };
    // Something to sign, then something more: each new head gets its checkpoint within seconds,
    // in the database and in the file outside it (stopping the node between the two writes would
    // leave the file one line short until the next start-up catches up).
    for (n, email) in ["first@example.bg", "second@example.bg"].iter().enumerate() {
        app.register(email).await;
        let deadline = Instant::now() + Duration::from_secs(5);
        while app.count(checkpoints).await < n as i64 + 1 || lines_in_file() < n as i64 + 1 {
            assert!(
                Instant::now() < deadline,
                "no checkpoint #{} within 5 s: {}",
                n + 1,
                node.stderr.lock().unwrap()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    drop(node);
    let (code, output) = portico(&app, &["audit", "verify"], &[]);
    assert_eq!(code, 0, "{output}");
}

/// The subcommands `portico <path> --help` lists (clap's "Commands:" section).
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| l.trim() != "Commands:")
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .filter(|name| name != "help")
        .collect()
}

#[tokio::test]
async fn help_works_on_every_command() {
    let app = TestApp::start().await;
    let mut pending: Vec<Vec<String>> = vec![vec![]];
    let mut seen = Vec::new();
    while let Some(path) = pending.pop() {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let (code, output) = portico(&app, &args, &[]);
        assert_eq!(code, 0, "portico {}: {output}", args.join(" "));
        let usage = format!("Usage: portico {}", path.join(" "));
        assert!(output.contains(usage.trim_end()), "{usage}: {output}");
        for sub in subcommands(&output) {
            let mut next = path.clone();
            next.push(sub);
            pending.push(next);
        }
        seen.push(path.join(" "));
    }
    for expected in [
        "serve",
        "migrate",
        "demo",
        "audit verify",
        "evidence verify",
        "admin add-staff",
    ] {
        assert!(seen.iter().any(|s| s == expected), "{expected} in {seen:?}");
    }
}
