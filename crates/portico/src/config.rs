//! Configuration, read once from the environment into a typed struct. Every setting has a safe
//! default for a laptop; a malformed value stops start-up with a message naming the variable.

use anyhow::{bail, Context, Result};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub db_max_connections: u32,
    pub base_url: String,
    pub blob_url: String,
    /// The object store's options (`AWS_ENDPOINT`, `AWS_REGION`, credentials …): read from the
    /// `AWS_*` variables; never printed.
    pub blob_options: Vec<(String, String)>,
    pub secure_cookies: bool,
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub sms_url: Option<String>,
    pub sms_token: Option<String>,
    pub signing_key_pem: Option<String>,
    pub signing_cert_pem: Option<String>,
    pub secret: Option<String>,
    /// eDelivery's master keys, `VERSION:HEX64` comma-separated (`PORTICO_DELIVERY_KEYS`);
    /// version 1 is derived from the platform secret unless given. Never printed.
    pub delivery_keys: Option<String>,
    /// Webhook endpoints may be on loopback and private networks
    /// (`PORTICO_DELIVERY_WEBHOOKS_ALLOW_PRIVATE=true`; development and tests only). Off by
    /// default: https to public internet addresses only, checked again after DNS at delivery.
    pub delivery_webhooks_allow_private: bool,
    /// The most an eDelivery export may hold, the sum of its files in bytes
    /// (`PORTICO_DELIVERY_MAX_EXPORT_BYTES`, default 4 GiB).
    pub delivery_max_export_bytes: u64,
    pub checkpoint_secs: u64,
    /// How old the oldest audit row not covered by a checkpoint in the file may be before
    /// `portico audit verify` fails.
    pub checkpoint_max_age_secs: u64,
    pub log_json: bool,
    /// Proxies whose `X-Forwarded-For` names the client (`PORTICO_TRUSTED_PROXIES`).
    pub trusted_proxies: Vec<portico_http::client_addr::IpNet>,
    /// Serve `/design` (the component gallery): on in debug builds, off in release builds
    /// unless `PORTICO_DESIGN_PAGE=true`.
    pub design_page: bool,
    /// Serve `/bench/bare`, the benchmarks' baseline route (`PORTICO_BENCH=true`; off by default).
    pub bench_routes: bool,
    /// When set, `/metrics` answers only requests with `Authorization: Bearer <token>`
    /// (`PORTICO_METRICS_TOKEN`).
    pub metrics_token: Option<String>,
    /// `serve` may write e-mail and SMS to files in the data folder instead of sending them
    /// (`PORTICO_DEV_SINKS=true`); without it, `serve` needs `PORTICO_SMTP_URL` and `PORTICO_SMS_URL`.
    pub dev_sinks: bool,
    /// A session with no request for this many minutes ends (`PORTICO_IDLE_TIMEOUT_MINUTES`, 30).
    pub idle_timeout_minutes: i64,
    /// Sign-in with a qualified certificate: the trusted CAs (PEM bundle,
    /// `PORTICO_CLIENT_CA_FILE`); certificate sign-in is off without it.
    pub client_ca_file: Option<PathBuf>,
    /// Revocation lists of those CAs: files or http(s) URLs (`PORTICO_CLIENT_CRL`).
    pub client_crl: Vec<portico_identity::service::certificates::CrlSource>,
    /// How often the CRLs are read again (`PORTICO_CLIENT_CRL_REFRESH_SECS`, 3600).
    pub client_crl_refresh_secs: u64,
    /// The header a trusted proxy forwards the client certificate in (`PORTICO_CLIENT_CERT_HEADER`).
    pub client_cert_header: String,
    /// The TLS listener that asks for client certificates (`PORTICO_TLS_CLIENT_CERT_LISTEN`),
    /// with its certificate chain and key (`PORTICO_TLS_CERT`, `PORTICO_TLS_KEY`, PEM files).
    pub tls_client_cert_listen: Option<SocketAddr>,
    pub tls_cert_file: Option<PathBuf>,
    pub tls_key_file: Option<PathBuf>,
    /// Where the sign-in page's "sign in with a certificate" leads (`PORTICO_CLIENT_CERT_URL`).
    pub client_cert_url: Option<String>,
    /// External eID providers people sign in through (OpenID Connect; `PORTICO_OIDC_PROVIDERS`
    /// and `PORTICO_OIDC_<NAME>_…`, see `portico_identity::service::eid::SETTINGS`).
    pub oidc_providers: Vec<portico_identity::service::eid::ProviderConfig>,
    /// The sandbox card provider's API (`PORTICO_PAY_SANDBOX_URL`); paying by card is offered
    /// only when it is set, with `PORTICO_PAY_SANDBOX_SECRET` (both sides sign with it).
    pub pay_sandbox_url: Option<String>,
    pub pay_sandbox_secret: Option<String>,
}

impl std::fmt::Debug for Config {
    /// Secrets and credentials never reach a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &portico_store::db::redact(&self.database_url),
            )
            .field("base_url", &self.base_url)
            .field(
                "smtp",
                &self.smtp_url.as_deref().map(portico_store::db::redact),
            )
            .field("sms_gateway", &self.sms_url.is_some())
            .field("trusted_proxies", &self.trusted_proxies)
            .finish_non_exhaustive()
    }
}

/// Every variable Portico reads, for `--help` and for the unknown-variable warning.
pub const VARIABLES: &[(&str, &str)] = &[
    ("PORTICO_LISTEN", "address to listen on (default 127.0.0.1:8080)"),
    ("PORTICO_DATA_DIR", "folder for the SQLite file, blobs, keys and dev sinks (default ./data)"),
    ("DATABASE_URL", "sqlite://… or postgres://… (default: SQLite file in the data folder)"),
    ("PORTICO_DB_MAX_CONNECTIONS", "connection pool size (default 10)"),
    ("PORTICO_BASE_URL", "public URL, used in e-mailed links (default http://<listen>)"),
    ("PORTICO_BLOB_URL", "blob store: a folder, file:///…, or s3://bucket/prefix (default <data>/blobs)"),
    ("PORTICO_SECURE_COOKIES", "true/false (default: true when the base URL is https)"),
    ("PORTICO_SMTP_URL", "smtp://host:port or smtps://user:pass@host (default: write mail to <data>/mail.log)"),
    ("PORTICO_MAIL_FROM", "sender address (default Portico <no-reply@portico.localhost>)"),
    ("PORTICO_SMS_URL", "HTTP SMS gateway endpoint (default: write SMS to <data>/sms.log)"),
    ("PORTICO_SMS_TOKEN", "bearer token for the SMS gateway"),
    ("PORTICO_SIGNING_KEY", "the platform's Ed25519 key as PKCS#8 PEM (default: <data>/signing-key.pem, created on first run)"),
    ("PORTICO_SIGNING_CERT", "the key's certificate chain as PEM, its certificate first, then the platform CA (default: <data>/signing-chain.pem with the CA in <data>/platform-ca.pem, made on first run)"),
    ("PORTICO_SECRET", "key for CSRF tokens and pseudonyms (default: <data>/secret.key, created on first run)"),
    ("PORTICO_DELIVERY_KEYS", "eDelivery master keys that wrap each mailbox's data key, VERSION:64-hex comma-separated, the highest current (default: version 1 derived from the platform secret); after adding a version run `portico delivery rotate-keys`"),
    ("PORTICO_DELIVERY_WEBHOOKS_ALLOW_PRIVATE", "true/false: let institutions' webhook endpoints be on loopback (also over plain http) and private networks, for development and tests only (default false: https to public internet addresses only)"),
    ("PORTICO_DELIVERY_MAX_EXPORT_BYTES", "the most an eDelivery export (a mailbox or a thread as a ZIP) may hold, the sum of its files in bytes, at least 1048576 (default 4294967296, 4 GiB); a larger one is refused with a message"),
    ("PORTICO_CHECKPOINT_SECS", "how often the audit chain is signed (default 300)"),
    ("PORTICO_CHECKPOINT_MAX_AGE_SECS", "audit verify fails when rows this old are not in a checkpoint of the file (default 2 × interval + 60)"),
    ("PORTICO_TRUSTED_PROXIES", "comma-separated IPs/CIDRs of reverse proxies whose X-Forwarded-For is believed (default none)"),
    ("PORTICO_LOG", "log filter, e.g. info or portico=debug (default info)"),
    ("PORTICO_LOG_FORMAT", "text or json (default text)"),
    ("PORTICO_DESIGN_PAGE", "true/false: serve /design, the component gallery (default: true in debug builds, false in release builds)"),
    ("PORTICO_BENCH", "true/false: serve /bench/bare, the benchmarks' baseline route (default false; bench/*.sh set it)"),
    ("PORTICO_DEV_SINKS", "true/false: let `serve` write e-mail and SMS to <data>/mail.log and <data>/sms.log when PORTICO_SMTP_URL or PORTICO_SMS_URL is unset (default false: serve refuses to start; demo always may)"),
    ("PORTICO_IDLE_TIMEOUT_MINUTES", "minutes without a request after which a session ends (default 30)"),
    ("PORTICO_METRICS_TOKEN", "when set, /metrics needs Authorization: Bearer <token> (default: open)"),
    ("PORTICO_CLIENT_CA_FILE", "PEM bundle of the CAs whose client certificates sign people in at level high (default none: certificate sign-in off)"),
    ("PORTICO_CLIENT_CRL", "comma-separated CRL files or http(s) URLs of those CAs, DER or PEM (default none: revocation not checked)"),
    ("PORTICO_CLIENT_CRL_REFRESH_SECS", "how often the CRLs are read again (default 3600)"),
    ("PORTICO_CLIENT_CERT_HEADER", "header a trusted proxy forwards the client certificate in, URL-encoded PEM (default X-Client-Cert)"),
    ("PORTICO_TLS_CLIENT_CERT_LISTEN", "address of a second, TLS listener that asks for client certificates (default none)"),
    ("PORTICO_TLS_CERT", "that listener's certificate chain, a PEM file"),
    ("PORTICO_TLS_KEY", "that listener's private key, a PEM file"),
    ("PORTICO_PAY_SANDBOX_URL", "the sandbox card provider's address (`portico sandbox-pay`); paying by card is off without it"),
    ("PORTICO_PAY_SANDBOX_SECRET", "the secret Portico and the sandbox card provider sign their messages with (at least 32 bytes)"),
    ("PORTICO_CLIENT_CERT_URL", "where the sign-in page links for certificate sign-in (default /login/certificate, or on the TLS listener when set)"),
];

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parse_bool(name: &str, value: &str) -> Result<bool> {
    match value {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => bail!("{name} must be true or false, not {value:?}"),
    }
}

impl Config {
    /// What `serve` needs that `demo` does not: real e-mail and SMS, unless the development
    /// sinks are asked for. The message names the missing variables.
    pub fn check_for_serve(&self) -> Result<()> {
        if self.dev_sinks {
            return Ok(());
        }
        let missing: Vec<&str> = [
            ("PORTICO_SMTP_URL", self.smtp_url.is_none()),
            ("PORTICO_SMS_URL", self.sms_url.is_none()),
        ]
        .into_iter()
        .filter_map(|(name, missing)| missing.then_some(name))
        .collect();
        if !missing.is_empty() {
            bail!(
                "{} not set: `serve` sends sign-in codes by e-mail and SMS and will not start without them; set PORTICO_DEV_SINKS=true to write them to files in the data folder instead (development only), or run `portico demo`",
                missing.join(" and ")
            );
        }
        Ok(())
    }

    pub fn from_env() -> Result<Self> {
        let listen: SocketAddr = var("PORTICO_LISTEN")
            .unwrap_or_else(|| "127.0.0.1:8080".into())
            .parse()
            .context("PORTICO_LISTEN must be an address like 127.0.0.1:8080")?;
        let data_dir = PathBuf::from(var("PORTICO_DATA_DIR").unwrap_or_else(|| "data".into()));
        let database_url = var("DATABASE_URL").unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                data_dir.join("portico.db").display()
            )
        });
        if !(database_url.starts_with("sqlite:") || database_url.starts_with("postgres")) {
            bail!("DATABASE_URL must start with sqlite:// or postgres://");
        }
        let db_max_connections = match var("PORTICO_DB_MAX_CONNECTIONS") {
            Some(v) => v
                .parse()
                .context("PORTICO_DB_MAX_CONNECTIONS must be a whole number")?,
            None => 10,
        };
        let base_url = var("PORTICO_BASE_URL").unwrap_or_else(|| format!("http://{listen}"));
        url::Url::parse(&base_url).context("PORTICO_BASE_URL must be a full URL")?;
        let secure_cookies = match var("PORTICO_SECURE_COOKIES") {
            Some(v) => parse_bool("PORTICO_SECURE_COOKIES", &v)?,
            None => base_url.starts_with("https://"),
        };
        let checkpoint_secs = match var("PORTICO_CHECKPOINT_SECS") {
            Some(v) => v
                .parse()
                .context("PORTICO_CHECKPOINT_SECS must be a whole number of seconds")?,
            None => 300,
        };
        let checkpoint_max_age_secs = match var("PORTICO_CHECKPOINT_MAX_AGE_SECS") {
            Some(v) => v
                .parse()
                .context("PORTICO_CHECKPOINT_MAX_AGE_SECS must be a whole number of seconds")?,
            None => 2 * checkpoint_secs + 60,
        };
        let log_json = match var("PORTICO_LOG_FORMAT").as_deref() {
            None | Some("text") => false,
            Some("json") => true,
            Some(other) => bail!("PORTICO_LOG_FORMAT must be text or json, not {other:?}"),
        };
        let trusted_proxies = match var("PORTICO_TRUSTED_PROXIES") {
            Some(v) => portico_http::client_addr::parse_trusted_proxies(&v)
                .map_err(|e| anyhow::anyhow!("PORTICO_TRUSTED_PROXIES: {e}"))?,
            None => Vec::new(),
        };
        let design_page = match var("PORTICO_DESIGN_PAGE") {
            Some(v) => parse_bool("PORTICO_DESIGN_PAGE", &v)?,
            None => cfg!(debug_assertions),
        };
        let bench_routes = match var("PORTICO_BENCH") {
            Some(v) => parse_bool("PORTICO_BENCH", &v)?,
            None => false,
        };
        let delivery_webhooks_allow_private = match var("PORTICO_DELIVERY_WEBHOOKS_ALLOW_PRIVATE") {
            Some(v) => parse_bool("PORTICO_DELIVERY_WEBHOOKS_ALLOW_PRIVATE", &v)?,
            None => false,
        };
        let delivery_max_export_bytes = match var("PORTICO_DELIVERY_MAX_EXPORT_BYTES") {
            Some(v) => match v.trim().parse::<u64>() {
                Ok(n) if n >= 1024 * 1024 => n,
                _ => bail!("PORTICO_DELIVERY_MAX_EXPORT_BYTES must be a number of bytes, at least 1048576 (1 MiB), not {v:?}"),
            },
            None => portico_delivery::service::DEFAULT_MAX_EXPORT_BYTES,
        };
        let dev_sinks = match var("PORTICO_DEV_SINKS") {
            Some(v) => parse_bool("PORTICO_DEV_SINKS", &v)?,
            None => false,
        };
        let idle_timeout_minutes = match var("PORTICO_IDLE_TIMEOUT_MINUTES") {
            Some(v) => match v.trim().parse::<i64>() {
                Ok(n) if (1..=24 * 60).contains(&n) => n,
                _ => bail!("PORTICO_IDLE_TIMEOUT_MINUTES must be a number of minutes from 1 to 1440, not {v:?}"),
            },
            None => 30,
        };
        let client_crl_refresh_secs = match var("PORTICO_CLIENT_CRL_REFRESH_SECS") {
            Some(v) => match v.trim().parse::<u64>() {
                Ok(n) if n > 0 => n,
                _ => bail!(
                    "PORTICO_CLIENT_CRL_REFRESH_SECS must be a whole number of seconds, not {v:?}"
                ),
            },
            None => 3600,
        };
        let tls_client_cert_listen =
            match var("PORTICO_TLS_CLIENT_CERT_LISTEN") {
                Some(v) => Some(v.parse().context(
                    "PORTICO_TLS_CLIENT_CERT_LISTEN must be an address like 0.0.0.0:8443",
                )?),
                None => None,
            };
        let tls_cert_file = var("PORTICO_TLS_CERT").map(PathBuf::from);
        let tls_key_file = var("PORTICO_TLS_KEY").map(PathBuf::from);
        let client_ca_file = var("PORTICO_CLIENT_CA_FILE").map(PathBuf::from);
        if tls_client_cert_listen.is_some()
            && (tls_cert_file.is_none() || tls_key_file.is_none() || client_ca_file.is_none())
        {
            bail!("PORTICO_TLS_CLIENT_CERT_LISTEN needs PORTICO_TLS_CERT, PORTICO_TLS_KEY and PORTICO_CLIENT_CA_FILE");
        }
        let client_cert_header = var("PORTICO_CLIENT_CERT_HEADER")
            .unwrap_or_else(|| "x-client-cert".into())
            .to_ascii_lowercase();
        if axum::http::HeaderName::from_bytes(client_cert_header.as_bytes()).is_err() {
            bail!("PORTICO_CLIENT_CERT_HEADER must be a header name, not {client_cert_header:?}");
        }
        for (name, _) in std::env::vars() {
            let known = VARIABLES.iter().any(|(k, _)| *k == name)
                || portico_identity::service::eid::is_setting(&name);
            let test_only = name.starts_with("PORTICO_TEST_")
                || name.starts_with("PORTICO_BROWSER_")
                || name.starts_with("PORTICO_SKIP_")
                || name == "PORTICO_ONLY_DB";
            if name.starts_with("PORTICO_") && !known && !test_only {
                eprintln!("warning: {name} is not a Portico setting and is ignored (see `portico --help`)");
            }
        }
        let pay_sandbox_url = var("PORTICO_PAY_SANDBOX_URL");
        let pay_sandbox_secret = var("PORTICO_PAY_SANDBOX_SECRET");
        if let Some(url) = &pay_sandbox_url {
            if url::Url::parse(url).is_err() {
                bail!("PORTICO_PAY_SANDBOX_URL must be an http(s) address, not {url:?}");
            }
            if pay_sandbox_secret
                .as_deref()
                .is_none_or(|s| s.trim().len() < 32)
            {
                bail!(
                    "PORTICO_PAY_SANDBOX_URL needs PORTICO_PAY_SANDBOX_SECRET of at least 32 bytes"
                );
            }
        }
        Ok(Config {
            pay_sandbox_url,
            pay_sandbox_secret,
            listen,
            blob_url: var("PORTICO_BLOB_URL")
                .unwrap_or_else(|| data_dir.join("blobs").display().to_string()),
            blob_options: portico_store::blobs::aws_options_from_env(),
            data_dir,
            database_url,
            db_max_connections,
            base_url,
            secure_cookies,
            smtp_url: var("PORTICO_SMTP_URL"),
            mail_from: var("PORTICO_MAIL_FROM")
                .unwrap_or_else(|| "Portico <no-reply@portico.localhost>".into()),
            sms_url: var("PORTICO_SMS_URL"),
            sms_token: var("PORTICO_SMS_TOKEN"),
            signing_key_pem: var("PORTICO_SIGNING_KEY"),
            signing_cert_pem: var("PORTICO_SIGNING_CERT"),
            secret: var("PORTICO_SECRET"),
            delivery_keys: var("PORTICO_DELIVERY_KEYS"),
            delivery_webhooks_allow_private,
            delivery_max_export_bytes,
            checkpoint_secs,
            checkpoint_max_age_secs,
            log_json,
            trusted_proxies,
            design_page,
            bench_routes,
            metrics_token: var("PORTICO_METRICS_TOKEN"),
            dev_sinks,
            idle_timeout_minutes,
            client_ca_file,
            client_crl: var("PORTICO_CLIENT_CRL")
                .map(|v| portico_identity::service::certificates::CrlSource::parse_list(&v))
                .unwrap_or_default(),
            client_crl_refresh_secs,
            client_cert_header,
            tls_client_cert_listen,
            tls_cert_file,
            tls_key_file,
            client_cert_url: var("PORTICO_CLIENT_CERT_URL"),
            oidc_providers: portico_identity::service::eid::ProviderConfig::from_env(var)
                .map_err(anyhow::Error::msg)?,
        })
    }

    /// A configuration for tests: everything under `data_dir`, on `database_url`.
    pub fn for_test(data_dir: PathBuf, database_url: String) -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            blob_url: data_dir.join("blobs").display().to_string(),
            blob_options: Vec::new(),
            data_dir,
            database_url,
            db_max_connections: 5,
            base_url: "http://127.0.0.1".into(),
            secure_cookies: false,
            smtp_url: None,
            mail_from: "Portico <no-reply@portico.localhost>".into(),
            sms_url: None,
            sms_token: None,
            signing_key_pem: None,
            signing_cert_pem: None,
            secret: None,
            delivery_keys: None,
            // Tests run webhook receivers on loopback.
            delivery_webhooks_allow_private: true,
            delivery_max_export_bytes: portico_delivery::service::DEFAULT_MAX_EXPORT_BYTES,
            checkpoint_secs: 300,
            checkpoint_max_age_secs: 660,
            log_json: false,
            trusted_proxies: Vec::new(),
            design_page: false,
            bench_routes: false,
            metrics_token: None,
            dev_sinks: false,
            idle_timeout_minutes: 30,
            client_ca_file: None,
            client_crl: Vec::new(),
            client_crl_refresh_secs: 3600,
            client_cert_header: "x-client-cert".into(),
            tls_client_cert_listen: None,
            tls_cert_file: None,
            tls_key_file: None,
            client_cert_url: None,
            oidc_providers: Vec::new(),
            pay_sandbox_url: None,
            pay_sandbox_secret: None,
        }
    }
}
