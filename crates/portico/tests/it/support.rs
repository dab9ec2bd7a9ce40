//! The test harness: a real Portico on an ephemeral port with a fresh database of the kind the run
//! asks for (`PORTICO_TEST_DATABASE=sqlite|postgres`), a real SMTP sink and SMS gateway on
//! loopback, and an HTTP client that behaves like a browser without JavaScript.

use chrono::Utc;
use portico::app;
use portico::config::Config;
use portico_core::FixedClock;
use portico_store::Db;
use reqwest::header::{HeaderMap, LOCATION};
use reqwest::StatusCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::Notify;

pub const PASSWORD: &str = "a long test password";

pub struct TestApp {
    pub base: String,
    pub db: Db,
    pub db_url: String,
    pub clock: FixedClock,
    pub mail: SmtpSink,
    pub sms: SmsSink,
    pub data_dir: tempfile::TempDir,
    /// The configuration it was built with (another node of the same installation copies it).
    pub config: Config,
    /// Removes the test's database when the test ends.
    _cleanup: portico_store::testdb::Cleanup,
    /// The client-certificate TLS listener (`https://127.0.0.1:port`), when configured.
    pub tls_base: Option<String>,
}

/// Another node of a test app's installation: its own port, pool, job worker and search index.
pub struct Node {
    pub base: String,
}

impl TestApp {
    pub async fn start() -> TestApp {
        Self::start_with(|_| {}).await
    }

    /// Starts with the test configuration changed by `adjust` (e.g. trusted proxies).
    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
        // Already migrated (copied from a template); serve_node's migrate finds nothing to do.
        let (db_url, cleanup) = portico_store::testdb::fresh_migrated_url(&app::migrations())
            .await
            .expect("test database");
        let data_dir = tempfile::tempdir().expect("temp dir");
        let mail = SmtpSink::start().await;
        let sms = SmsSink::start().await;
        let mut config = Config::for_test(data_dir.path().to_path_buf(), db_url.clone());
        config.smtp_url = Some(format!("smtp://{}", mail.address));
        config.sms_url = Some(format!("http://{}/send", sms.address));
        config.sms_token = Some("sms-test-token".into());
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        config.base_url = format!("http://{address}");
        adjust(&mut config);
        // Rounded to a step start so that TOTP tests can move by whole steps.
        let start = Utc::now().timestamp() / 30 * 30 + 1;
        let clock = FixedClock::new(chrono::DateTime::from_timestamp(start, 0).expect("time"));
        let (db, tls_base) = serve_node(&config, listener, &clock).await;
        TestApp {
            tls_base,
            base: format!("http://{address}"),
            db,
            db_url,
            clock,
            mail,
            sms,
            data_dir,
            config,
            _cleanup: cleanup,
        }
    }

    /// A second node of this installation, as a load balancer would have behind it: the same
    /// database, data folder (so the same secret and signing key), clock and sinks, changed by
    /// `adjust`, on its own port with its own connection pool, job worker and search index.
    pub async fn another_node_with(&self, adjust: impl FnOnce(&mut Config)) -> Node {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        let mut config = self.config.clone();
        config.base_url = format!("http://{address}");
        adjust(&mut config);
        serve_node(&config, listener, &self.clock).await;
        Node {
            base: format!("http://{address}"),
        }
    }

    pub fn client(&self) -> Client {
        Client::new(&self.base)
    }

    pub async fn count(&self, sql: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(sql)
            .fetch_one(self.db.pool())
            .await
            .expect("count");
        n
    }

    /// Registers a citizen through the form and returns the signed-in client and the EGN used.
    pub async fn register(&self, email: &str) -> (Client, String) {
        let egn = fresh_egn();
        let client = self.register_with(email, &egn).await;
        (client, egn)
    }

    /// Registers a citizen with the given EGN through the form; returns the signed-in client.
    pub async fn register_with(&self, email: &str, egn: &str) -> Client {
        let client = self.client();
        self.register_in(&client, email, egn).await;
        client
    }

    /// Registers a citizen with the given EGN through the form, in this browser.
    pub async fn register_in(&self, client: &Client, email: &str, egn: &str) {
        let egn = egn.to_owned();
        let page = client.get("/register").await;
        assert_eq!(page.status, StatusCode::OK);
        let response = client
            .post_form(
                "/register",
                &[
                    ("personal_id_kind", "egn"),
                    ("personal_id", &egn),
                    ("given_name", "Иван"),
                    ("family_name", "Петров"),
                    ("email", email),
                    ("phone", "0888 123 456"),
                    ("password", PASSWORD),
                    ("password_confirm", PASSWORD),
                ],
            )
            .await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
        assert_eq!(response.location(), "/account/totp");
    }

    /// Marks the phone number of the account with `email` verified, as `/account/contact` does
    /// when the code sent to it comes back (that flow is tested in `contact.rs`): codes by SMS
    /// go only to a verified number.
    pub async fn phone_verified(&self, email: &str) {
        sqlx::query("UPDATE accounts SET phone_verified_at = $1 WHERE email = $2")
            .bind(portico_core::clock::to_millis(portico_core::Clock::now(
                &self.clock,
            )))
            .bind(email)
            .execute(self.db.pool())
            .await
            .expect("phone verified");
    }

    /// The TOTP code for `secret` at the test clock's time, from the RFC 6238 code written out in
    /// `totp_reference.rs` (not from `totp_rs`, which the server checks codes with).
    pub fn totp(&self, secret: &str) -> String {
        let key = crate::totp_reference::base32_decode(secret).expect("base32");
        let now = portico_core::Clock::now(&self.clock).timestamp();
        crate::totp_reference::totp(&key, u64::try_from(now).expect("after 1970"), 6)
    }

    pub fn advance(&self, seconds: i64) {
        self.clock.advance(chrono::Duration::seconds(seconds));
    }
}

/// Connects, migrates, builds and serves one node on `listener`, with its job worker polling,
/// and its client-certificate TLS listener when configured (its address is returned).
async fn serve_node(
    config: &Config,
    listener: TcpListener,
    clock: &FixedClock,
) -> (Db, Option<String>) {
    let db = app::connect(config).await.expect("connect");
    app::migrate(&db).await.expect("migrate");
    let platform = app::build(config, db.clone(), Arc::new(clock.clone())).expect("build");
    tokio::spawn(
        platform
            .worker
            .clone()
            .run_forever(Duration::from_millis(50)),
    );
    let mut tls_base = None;
    if let (Some((listen, cert, key)), Some(login)) =
        (&platform.tls_listener, platform.certificates.as_ref())
    {
        let tls = portico::tls::server_config(cert, key, login.trust.ca_subjects()).expect("tls");
        let tls_listener = TcpListener::bind(listen).await.expect("bind tls");
        tls_base = Some(format!(
            "https://{}",
            tls_listener.local_addr().expect("tls address")
        ));
        tokio::spawn(portico::tls::serve(
            tls_listener,
            platform.router.clone(),
            tls,
        ));
    }
    tokio::spawn(async move {
        let service = platform
            .router
            .into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(listener, service).await.expect("serve");
    });
    (db, tls_base)
}

/// A valid EGN that no other test uses.
pub fn fresh_egn() -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    let date = chrono::NaiveDate::from_ymd_opt(
        rng.gen_range(1940..2005),
        rng.gen_range(1..=12),
        rng.gen_range(1..=28),
    )
    .expect("date");
    portico_core::personal_id::synthetic_egn(date, rng.gen_range(0..1000))
}

pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn html(&self) -> scraper::Html {
        scraper::Html::parse_document(&self.body)
    }

    /// The text of every element matching a CSS selector.
    pub fn texts(&self, selector: &str) -> Vec<String> {
        let sel = scraper::Selector::parse(selector).expect("selector");
        self.html()
            .select(&sel)
            .map(|e| e.text().collect::<String>().trim().to_owned())
            .collect()
    }

    pub fn attr(&self, selector: &str, attr: &str) -> Option<String> {
        let sel = scraper::Selector::parse(selector).expect("selector");
        self.html()
            .select(&sel)
            .next()
            .and_then(|e| e.value().attr(attr))
            .map(str::to_owned)
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("JSON body")
    }
}

/// A browser without JavaScript: keeps cookies, does not follow redirects (tests look at them),
/// and posts forms with the CSRF token of the last page it loaded.
pub struct Client {
    base: String,
    http: reqwest::Client,
    csrf: Mutex<String>,
}

impl Client {
    pub fn new(base: &str) -> Client {
        Self::with_headers(base, HeaderMap::new())
    }

    /// The same browser (its cookies too) talking to another address, such as a second node
    /// behind the same load balancer (cookies are kept per host, not per port).
    pub fn at(&self, base: &str) -> Client {
        Client {
            base: base.to_owned(),
            http: self.http.clone(),
            csrf: Mutex::new(self.csrf.lock().expect("lock").clone()),
        }
    }

    /// A client that sends `X-Forwarded-For: <hops>` with every request, as a proxy (or a
    /// client pretending to be behind one) would.
    pub fn forwarded_for(base: &str, hops: &str) -> Client {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", hops.parse().expect("header value"));
        Self::with_headers(base, headers)
    }

    /// A client that sends one more header with every request (a proxy's, or a forged one).
    pub fn with_header(base: &str, name: &'static str, value: &str) -> Client {
        let mut headers = HeaderMap::new();
        headers.insert(name, value.parse().expect("header value"));
        Self::with_headers(base, headers)
    }

    /// A browser built on this HTTP client (say, one with a TLS client certificate).
    pub fn from_http(base: &str, http: reqwest::Client) -> Client {
        Client {
            base: base.to_owned(),
            http,
            csrf: Mutex::new(String::new()),
        }
    }

    fn with_headers(base: &str, headers: HeaderMap) -> Client {
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Client {
            base: base.to_owned(),
            http,
            csrf: Mutex::new(String::new()),
        }
    }

    async fn page(&self, response: reqwest::Response) -> Page {
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.text().await.expect("body");
        let page = Page {
            status,
            headers,
            body,
        };
        if let Some(token) = page.attr("input[name=_csrf]", "value") {
            *self.csrf.lock().expect("lock") = token;
        }
        page
    }

    pub async fn get(&self, path: &str) -> Page {
        let response = self
            .http
            .get(format!("{}{}", self.base, path))
            .send()
            .await
            .expect("GET");
        self.page(response).await
    }

    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.csrf.lock().expect("lock").clone();
        let mut form: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
        form.extend_from_slice(fields);
        self.post_raw(path, &form).await
    }

    /// Posts a JSON body, as an API client would (with this client's session cookie).
    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> Page {
        let response = self
            .http
            .post(format!("{}{}", self.base, path))
            .json(body)
            .send()
            .await
            .expect("POST JSON");
        self.page(response).await
    }

    /// Posts a multipart form with one file, and the CSRF token of the last page.
    pub async fn post_file(
        &self,
        path: &str,
        field: &str,
        filename: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Page {
        let token = self.csrf.lock().expect("lock").clone();
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(filename.to_owned())
            .mime_str(content_type)
            .expect("mime");
        let form = reqwest::multipart::Form::new()
            .text("_csrf", token)
            .part(field.to_owned(), part);
        let response = self
            .http
            .post(format!("{}{}", self.base, path))
            .multipart(form)
            .send()
            .await
            .expect("POST multipart");
        self.page(response).await
    }

    /// Posts a multipart form of several parts, with this client's CSRF token added.
    pub async fn post_multipart(&self, path: &str, form: reqwest::multipart::Form) -> Page {
        let token = self.csrf.lock().expect("lock").clone();
        let response = self
            .http
            .post(format!("{}{}", self.base, path))
            .multipart(form.text("_csrf", token))
            .send()
            .await
            .expect("POST multipart");
        self.page(response).await
    }

    /// The CSRF token of the last page loaded.
    pub fn csrf_token(&self) -> String {
        self.csrf.lock().expect("lock").clone()
    }

    /// Posts a multipart form with its parts in the order given, as a browser sends a form's
    /// fields in the page's order (put `_csrf` where the form has it: [`Client::csrf_token`]).
    pub async fn post_multipart_in_order(
        &self,
        path: &str,
        form: reqwest::multipart::Form,
    ) -> Page {
        let response = self
            .http
            .post(format!("{}{}", self.base, path))
            .multipart(form)
            .send()
            .await
            .expect("POST multipart");
        self.page(response).await
    }

    /// GETs a file: its status, headers and the body's bytes as they came.
    pub async fn get_bytes(&self, path: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
        let response = self
            .http
            .get(format!("{}{}", self.base, path))
            .send()
            .await
            .expect("GET");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("body").to_vec();
        (status, headers, bytes)
    }

    /// Posts a multipart form with text fields, one file, and the CSRF token of the last page.
    pub async fn post_file_with(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        field: &str,
        filename: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Page {
        let token = self.csrf.lock().expect("lock").clone();
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(filename.to_owned())
            .mime_str(content_type)
            .expect("mime");
        let mut form = reqwest::multipart::Form::new().text("_csrf", token);
        for (name, value) in fields {
            form = form.text(name.to_string(), value.to_string());
        }
        let response = self
            .http
            .post(format!("{}{}", self.base, path))
            .multipart(form.part(field.to_owned(), part))
            .send()
            .await
            .expect("POST multipart");
        self.page(response).await
    }

    /// Posts exactly these fields: no CSRF token unless given.
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let response = self
            .http
            .post(format!("{}{}", self.base, path))
            .form(fields)
            .send()
            .await
            .expect("POST");
        self.page(response).await
    }

    /// Signs in with a password; returns the page the password step redirects to.
    pub async fn sign_in_password(&self, identifier: &str, password: &str) -> Page {
        self.get("/login").await;
        self.post_form(
            "/login",
            &[("identifier", identifier), ("password", password)],
        )
        .await
    }

    pub async fn sign_out(&self) {
        self.get("/account").await;
        let page = self.post_form("/logout", &[]).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
    }
}

/// An SMTP server on loopback that accepts every message and keeps it.
#[derive(Clone)]
pub struct SmtpSink {
    pub address: std::net::SocketAddr,
    messages: Arc<Mutex<Vec<String>>>,
    arrived: Arc<Notify>,
    /// How long it takes to accept each message (a slow relay).
    delay: Duration,
    /// When set, only messages containing this text are slow.
    slow_only: Option<String>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        Self::start_slow(Duration::ZERO).await
    }

    /// A sink that takes `delay` to accept each message.
    pub async fn start_slow(delay: Duration) -> SmtpSink {
        Self::start_slow_for(delay, None).await
    }

    /// A sink that takes `delay` to accept each message containing `pattern` (a relay stuck on
    /// some messages), and accepts the others at once.
    pub async fn start_slow_for(delay: Duration, pattern: Option<&str>) -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind smtp");
        let sink = SmtpSink {
            address: listener.local_addr().expect("addr"),
            messages: Arc::default(),
            arrived: Arc::new(Notify::new()),
            delay,
            slow_only: pattern.map(str::to_owned),
        };
        let accepting = sink.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let sink = accepting.clone();
                tokio::spawn(async move { sink.session(stream).await });
            }
        });
        sink
    }

    async fn session(&self, stream: tokio::net::TcpStream) {
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read).lines();
        let _ = write.write_all(b"220 sink ESMTP\r\n").await;
        let mut data: Option<String> = None;
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(buffer) = data.as_mut() {
                if line == "." {
                    let slow = match &self.slow_only {
                        Some(pattern) => buffer.contains(pattern.as_str()),
                        None => true,
                    };
                    if slow {
                        tokio::time::sleep(self.delay).await;
                    }
                    self.messages
                        .lock()
                        .expect("lock")
                        .push(data.take().unwrap_or_default());
                    self.arrived.notify_waiters();
                    let _ = write.write_all(b"250 queued\r\n").await;
                } else {
                    buffer.push_str(line.strip_prefix('.').unwrap_or(&line));
                    buffer.push_str("\r\n");
                }
                continue;
            }
            let verb = line.split_whitespace().next().unwrap_or("").to_uppercase();
            let reply: &[u8] = match verb.as_str() {
                "EHLO" | "HELO" => b"250 sink\r\n",
                "DATA" => {
                    data = Some(String::new());
                    b"354 go ahead\r\n"
                }
                "QUIT" => {
                    let _ = write.write_all(b"221 bye\r\n").await;
                    return;
                }
                _ => b"250 OK\r\n",
            };
            let _ = write.write_all(reply).await;
        }
    }

    /// Waits for the `n`-th message (1-based) and returns its decoded text body.
    pub async fn message(&self, n: usize) -> String {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(raw) = self.messages.lock().expect("lock").get(n - 1).cloned() {
                let parsed = mailparse::parse_mail(raw.as_bytes()).expect("MIME");
                return parsed.get_body().expect("body");
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no e-mail #{n} arrived within 10 s"
            );
            let _ = tokio::time::timeout(Duration::from_millis(100), self.arrived.notified()).await;
        }
    }

    pub fn count(&self) -> usize {
        self.messages.lock().expect("lock").len()
    }

    /// Every message as received, headers included.
    pub fn raw(&self) -> Vec<String> {
        self.messages.lock().expect("lock").clone()
    }

    /// Waits (up to 10 s) for a message whose decoded body contains `text`.
    pub async fn wait_for(&self, text: &str) -> String {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let raw: Vec<String> = self.messages.lock().expect("lock").clone();
            for message in raw {
                let parsed = mailparse::parse_mail(message.as_bytes()).expect("MIME");
                let body = parsed.get_body().expect("body");
                if body.contains(text) {
                    return body;
                }
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no e-mail containing {text:?} within 10 s"
            );
            let _ = tokio::time::timeout(Duration::from_millis(100), self.arrived.notified()).await;
        }
    }
}

/// The `Authorization` header and JSON body of one request to the SMS gateway.
pub type ReceivedSms = (Option<String>, serde_json::Value);

/// An HTTP SMS gateway on loopback that records what it is asked to send.
#[derive(Clone)]
pub struct SmsSink {
    pub address: std::net::SocketAddr,
    pub received: Arc<Mutex<Vec<ReceivedSms>>>,
}

impl SmsSink {
    pub async fn start() -> SmsSink {
        use axum::routing::post;
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind sms");
        let sink = SmsSink {
            address: listener.local_addr().expect("addr"),
            received: Arc::default(),
        };
        let received = sink.received.clone();
        let router = axum::Router::new().route(
            "/send",
            post(
                move |headers: axum::http::HeaderMap,
                      axum::Json(body): axum::Json<serde_json::Value>| {
                    let received = received.clone();
                    async move {
                        let auth = headers
                            .get("authorization")
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_owned);
                        received.lock().expect("lock").push((auth, body));
                        axum::http::StatusCode::ACCEPTED
                    }
                },
            ),
        );
        tokio::spawn(async move { axum::serve(listener, router).await.expect("sms sink") });
        sink
    }

    pub async fn message(&self, n: usize) -> (Option<String>, serde_json::Value) {
        for _ in 0..100 {
            if let Some(m) = self.received.lock().expect("lock").get(n - 1).cloned() {
                return m;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no SMS #{n} arrived within 10 s");
    }
}

/// Runs the `portico` binary against the test app's database and data folder; returns the exit
/// code and everything it printed.
pub async fn run_cli(app: &TestApp, args: &[&str]) -> (i32, String) {
    let out = cli_command(app)
        .args(args)
        .output()
        .await
        .expect("run portico");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// `portico` for this test's installation, with exactly the environment the test gives it:
/// nothing of the developer's shell (a `PORTICO_*` setting, a `DATABASE_URL`, a stray variable
/// that draws a warning) reaches it, only `PATH` and this installation's database and folder.
///
/// A `tokio` process, awaited: the test's server runs on the test's own runtime, and a blocking
/// wait would stop it mid-transaction, holding SQLite's write lock while the command waits for it.
pub fn cli_command(app: &TestApp) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_portico"));
    command.env_clear();
    if let Some(path) = std::env::var_os("PATH") {
        command.env("PATH", path);
    }
    command
        .env("DATABASE_URL", &app.db_url)
        .env("PORTICO_DATA_DIR", app.data_dir.path())
        .env("PORTICO_LOG", "error");
    command
}
