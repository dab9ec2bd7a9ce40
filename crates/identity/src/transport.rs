//! Sending e-mail and SMS. Messages are queued as jobs in the same transaction as the code they
//! carry, and sent by the job worker, so a slow mail server never holds up a page and a message
//! is retried if the server is down.

use async_trait::async_trait;
use lettre::message::{header::ContentType, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use portico_store::jobs::JobHandler;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::io::AsyncWriteExt;

pub const EMAIL_JOB: &str = "identity.email";
pub const SMS_JOB: &str = "identity.sms";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub body: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Sms {
    pub to: String,
    pub text: String,
}

#[async_trait]
pub trait Mailer: Send + Sync + 'static {
    async fn send(&self, email: &Email) -> Result<(), String>;
}

#[async_trait]
pub trait SmsGateway: Send + Sync + 'static {
    async fn send(&self, sms: &Sms) -> Result<(), String>;
}

/// E-mail over SMTP: `smtp://host:port` (plain, for a local relay), `smtps://…` (TLS) or
/// `smtp://…?tls=required` (STARTTLS); credentials in the URL's user and password.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMailer {
    pub fn new(url: &str, from: &str) -> Result<Self, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("SMTP URL: {e}"))?
            .build();
        let from = from
            .parse()
            .map_err(|e| format!("sender address {from:?}: {e}"))?;
        Ok(Self { transport, from })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, email: &Email) -> Result<(), String> {
        let to: Mailbox = email.to.parse().map_err(|e| format!("recipient: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&email.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(email.body.clone())
            .map_err(|e| e.to_string())?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// Development sink: each message appended to a file in the data folder, for the demo.
pub struct FileSink {
    path: PathBuf,
}

impl FileSink {
    pub fn new(path: PathBuf) -> Self {
        Self { path }
    }

    async fn append(&self, text: &str) -> Result<(), String> {
        if let Some(dir) = self.path.parent() {
            tokio::fs::create_dir_all(dir)
                .await
                .map_err(|e| e.to_string())?;
        }
        let mut f = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .await
            .map_err(|e| format!("{}: {e}", self.path.display()))?;
        f.write_all(text.as_bytes())
            .await
            .map_err(|e| e.to_string())
    }
}

#[async_trait]
impl Mailer for FileSink {
    async fn send(&self, email: &Email) -> Result<(), String> {
        self.append(&format!(
            "To: {}\nSubject: {}\n\n{}\n\n----\n",
            email.to, email.subject, email.body
        ))
        .await
    }
}

#[async_trait]
impl SmsGateway for FileSink {
    async fn send(&self, sms: &Sms) -> Result<(), String> {
        self.append(&format!("{}\t{}\n", sms.to, sms.text)).await
    }
}

/// An SMS gateway reached over HTTP: `POST {url}` with `{"to": "+359…", "text": "…"}` and an
/// optional bearer token. Any 2xx is success; anything else is retried by the job queue.
pub struct HttpSmsGateway {
    client: reqwest::Client,
    url: String,
    token: Option<String>,
}

impl HttpSmsGateway {
    pub fn new(url: &str, token: Option<String>) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            client,
            url: url.to_owned(),
            token,
        })
    }
}

#[async_trait]
impl SmsGateway for HttpSmsGateway {
    async fn send(&self, sms: &Sms) -> Result<(), String> {
        let mut request = self.client.post(&self.url).json(sms);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .await
            .map_err(|e| format!("SMS gateway: {e}"))?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(format!("SMS gateway answered {}", response.status()))
        }
    }
}

pub struct EmailJob(pub Arc<dyn Mailer>);

#[async_trait]
impl JobHandler for EmailJob {
    async fn run(&self, payload: &serde_json::Value) -> Result<(), String> {
        let email: Email = serde_json::from_value(payload.clone()).map_err(|e| e.to_string())?;
        self.0.send(&email).await
    }

    /// A person is waiting for this one: a relay that has not taken it in 20 s is tried again.
    fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(20)
    }
}

pub struct SmsJob(pub Arc<dyn SmsGateway>);

#[async_trait]
impl JobHandler for SmsJob {
    async fn run(&self, payload: &serde_json::Value) -> Result<(), String> {
        let sms: Sms = serde_json::from_value(payload.clone()).map_err(|e| e.to_string())?;
        self.0.send(&sms).await
    }

    /// Longer than the gateway client's own 10 s, so its error is the one recorded.
    fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(15)
    }
}
