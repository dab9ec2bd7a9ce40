//! Composes the building blocks into one application: storage, keys, every block's routes and
//! job handlers, and the shell's layers around them.

use crate::config::Config;
use anyhow::{Context, Result};
use axum::routing::get;
use axum::{Json, Router};
use portico_audit::SigningKey;
use portico_core::{Clock, Pseudonymiser};
use portico_http::{shell, AppState, BlockDef, Mount, ShellConfig};
use portico_identity::routes::DbSessions;
use portico_identity::transport::{FileSink, HttpSmsGateway, Mailer, SmsGateway, SmtpMailer};
use portico_store::jobs::{JobHandler, Worker};
use portico_store::{BlobStore, Db, Migration};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

/// The building blocks, in dependency order. Adding a block is one line here.
pub const BLOCKS: &[BlockDef] = &[
    portico_identity::BLOCK,
    portico_catalog::BLOCK,
    portico_cases::BLOCK,
    portico_registries::BLOCK,
    portico_delivery::BLOCK,
    portico_participation::BLOCK,
    portico_payments::BLOCK,
    portico_opendata::BLOCK,
    portico_insights::BLOCK,
];

/// The shell's translations and every block's, in the order of [`BLOCKS`]. The shell parses them
/// at start-up and looks audit-action labels up in all of them.
pub fn translations() -> &'static [&'static portico_http::Translations] {
    static ALL: std::sync::OnceLock<Vec<&'static portico_http::Translations>> =
        std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        std::iter::once(&portico_http::TRANSLATIONS)
            .chain(BLOCKS.iter().map(|b| b.translations))
            .collect()
    })
}

/// Every migration: storage and audit first (every block writes jobs and audit rows), then each
/// block's, in the order of [`BLOCKS`].
pub fn migrations() -> Vec<&'static [Migration]> {
    let mut all = vec![portico_store::MIGRATIONS, portico_audit::MIGRATIONS];
    all.extend(BLOCKS.iter().map(|b| b.migrations));
    all
}

pub async fn connect(config: &Config) -> Result<Db> {
    // Every command that reads or writes accounts opens the database here: the key that seals
    // authenticator secrets is derived from the platform secret first.
    portico_identity::service::secret_box::install_key(&platform_secret(config)?);
    if config.database_url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir).with_context(|| {
            format!(
                "cannot create the data folder {}",
                config.data_dir.display()
            )
        })?;
    }
    Db::connect(&config.database_url, config.db_max_connections)
        .await
        .with_context(|| {
            format!(
                "cannot open the database at {}",
                portico_store::db::redact(&config.database_url)
            )
        })
}

pub async fn migrate(db: &Db) -> Result<Vec<String>> {
    Ok(portico_store::migrate::run(db, &migrations()).await?)
}

/// The platform key with its certificate chain: each configured, or made once in the data folder.
pub fn signing_key(config: &Config, now: chrono::DateTime<chrono::Utc>) -> Result<SigningKey> {
    let key = match &config.signing_key_pem {
        Some(pem) => SigningKey::from_pem(pem).context("PORTICO_SIGNING_KEY")?,
        None => SigningKey::load_or_create(&config.data_dir)?,
    };
    Ok(match &config.signing_cert_pem {
        Some(chain) => key.with_chain_pem(chain).context("PORTICO_SIGNING_CERT")?,
        None => key.with_chain_in(&config.data_dir, now)?,
    })
}

/// eDelivery's master keys (configured, version 1 derived from the platform secret unless
/// given), kept for every `Delivery` built on this signing key.
pub fn install_delivery_keys(config: &Config, signing_key: &SigningKey) -> Result<()> {
    let keys = portico_delivery::service::keys::MasterKeys::from_config(
        config.delivery_keys.as_deref(),
        &platform_secret(config)?,
    )
    .map_err(anyhow::Error::msg)?;
    portico_delivery::service::keys::install(signing_key, keys);
    Ok(())
}

/// The shortest platform secret accepted: 32 bytes (the one made on first run is 64 hex digits).
pub const MIN_SECRET_BYTES: usize = 32;

/// The platform secret: configured, or created once in the data folder (readable by its owner only).
/// An empty or short secret (under [`MIN_SECRET_BYTES`]) stops the node with a message naming
/// where it came from, since every key derived from it would be weak.
fn platform_secret(config: &Config) -> Result<Vec<u8>> {
    if let Some(secret) = &config.secret {
        return long_enough(secret.trim().as_bytes().to_vec(), "PORTICO_SECRET");
    }
    let path = config.data_dir.join("secret.key");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        return long_enough(
            existing.trim().as_bytes().to_vec(),
            &format!("the platform secret file {}", path.display()),
        );
    }
    std::fs::create_dir_all(&config.data_dir)?;
    let mut bytes = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    let secret = hex::encode(bytes);
    write_private(&path, secret.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(secret.into_bytes())
}

fn long_enough(secret: Vec<u8>, source: &str) -> Result<Vec<u8>> {
    if secret.len() < MIN_SECRET_BYTES {
        anyhow::bail!(
            "{source} is {} bytes long; it must hold at least {MIN_SECRET_BYTES} bytes (for example 64 hex digits from `openssl rand -hex 32`)",
            secret.len()
        );
    }
    Ok(secret)
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?
        .write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

/// Separate keys for separate purposes, all from the one platform secret: HMAC-SHA256(secret, purpose).
fn derive_key(secret: &[u8], purpose: &str) -> [u8; 32] {
    use hmac::{Hmac, Mac};
    match <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret) {
        Ok(mut mac) => {
            mac.update(purpose.as_bytes());
            mac.finalize().into_bytes().into()
        }
        // HMAC accepts keys of every length; an empty fallback would only weaken, never crash.
        Err(_) => [0u8; 32],
    }
}

pub struct Platform {
    pub router: Router,
    /// Certificate sign-in, when trusted CAs are configured (the TLS listener hints their names).
    pub certificates: Option<portico_identity::routes::certificates::CertificateLogin>,
    /// The client-certificate TLS listener's address, certificate chain and key files.
    pub tls_listener: Option<(std::net::SocketAddr, std::path::PathBuf, std::path::PathBuf)>,
    pub state: AppState,
    pub worker: Worker,
    pub signing_key: SigningKey,
}

fn mailer(config: &Config) -> Result<Arc<dyn Mailer>> {
    Ok(match &config.smtp_url {
        Some(url) => Arc::new(SmtpMailer::new(url, &config.mail_from).map_err(anyhow::Error::msg)?),
        None => Arc::new(FileSink::new(config.data_dir.join("mail.log"))),
    })
}

fn sms_gateway(config: &Config) -> Result<Arc<dyn SmsGateway>> {
    Ok(match &config.sms_url {
        Some(url) => Arc::new(
            HttpSmsGateway::new(url, config.sms_token.clone()).map_err(anyhow::Error::msg)?,
        ),
        None => Arc::new(FileSink::new(config.data_dir.join("sms.log"))),
    })
}

/// Certificate sign-in as configured: the trusted CAs (`PORTICO_CLIENT_CA_FILE`), their CRLs,
/// the proxy's header, and where the sign-in page links to it.
fn certificate_login(
    config: &Config,
) -> Result<Option<portico_identity::routes::certificates::CertificateLogin>> {
    use portico_identity::service::certificates::CertificateTrust;
    let Some(path) = &config.client_ca_file else {
        return Ok(None);
    };
    let pem = std::fs::read(path)
        .with_context(|| format!("PORTICO_CLIENT_CA_FILE: cannot read {}", path.display()))?;
    let trust = CertificateTrust::new(
        &pem,
        config.client_crl.clone(),
        std::time::Duration::from_secs(config.client_crl_refresh_secs),
    )
    .map_err(|e| anyhow::anyhow!("PORTICO_CLIENT_CA_FILE {}: {e}", path.display()))?;
    if !trust.checks_revocation() {
        tracing::warn!(
            "PORTICO_CLIENT_CRL is not set: revoked client certificates are not refused"
        );
    }
    let url = match (&config.client_cert_url, config.tls_client_cert_listen) {
        (Some(url), _) => url.clone(),
        (None, Some(listen)) => {
            let host = url::Url::parse(&config.base_url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned))
                .unwrap_or_else(|| listen.ip().to_string());
            format!("https://{host}:{}/login/certificate", listen.port())
        }
        (None, None) => "/login/certificate".into(),
    };
    Ok(Some(
        portico_identity::routes::certificates::CertificateLogin {
            trust: std::sync::Arc::new(trust),
            header: config.client_cert_header.clone(),
            url,
        },
    ))
}
use portico_identity::routes::oauth::ApiSecurity;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Portico API",
        version = "1",
        description = "The JSON API of Portico, the open-source e-government platform. Errors are always `{\"error\": {\"code\", \"message\", \"details\"}}`."
    ),
    components(schemas(portico_http::ApiErrorBody)),
    modifiers(&ApiSecurity)
)]
struct ApiDoc;

/// Builds the whole application on an open, migrated database.
pub fn build(config: &Config, db: Db, clock: Arc<dyn Clock>) -> Result<Platform> {
    // Installed before the first request, so that no request goes uncounted.
    shell::prometheus();
    // A broken translation file stops the node here, not as a "?" on someone's page.
    portico_http::i18n::check_all(translations())?;
    let secret = platform_secret(config)?;
    let signing_key = signing_key(config, clock.now())?;
    install_delivery_keys(config, &signing_key)?;
    let blobs = BlobStore::from_url_opts(&config.blob_url, config.blob_options.clone())?;
    let worker_waker = Arc::new(tokio::sync::Notify::new());

    let state = AppState {
        db: db.clone(),
        blobs,
        clock: clock.clone(),
        config: Arc::new(ShellConfig {
            base_url: config.base_url.clone(),
            secure_cookies: config.secure_cookies,
            csrf_key: derive_key(&secret, "csrf"),
            trusted_proxies: config.trusted_proxies.clone(),
            design_page: config.design_page,
            metrics_token: config.metrics_token.clone(),
        }),
        sessions: Arc::new(DbSessions {
            db: db.clone(),
            clock: clock.clone(),
            idle_timeout: chrono::Duration::minutes(config.idle_timeout_minutes),
        }),
        bearer: Arc::new(portico_identity::routes::ApiTokens {
            db: db.clone(),
            clock: clock.clone(),
            issuer: portico_identity::service::api_clients::TokenIssuer {
                key: signing_key.clone(),
                issuer: config.base_url.clone(),
            },
        }),
        pseudonymiser: Pseudonymiser::new(derive_key(&secret, "pseudonym").to_vec()),
        jobs_waker: worker_waker.clone(),
        translations: translations(),
    };

    // A broken process definition stops the node here, not half-way through someone's case.
    portico_cases::service::processes::check_all().map_err(anyhow::Error::msg)?;
    let mut shared = axum::http::Extensions::new();
    shared.insert(signing_key.clone());
    // "My data" as a PDF is made with the cases block's PDF maker (the result documents').
    shared.insert(
        portico_registries::service::Registries::new(
            db.clone(),
            clock.clone(),
            signing_key.clone(),
            state.pseudonymiser.clone(),
        )
        .with_pdf(Arc::new(portico_cases::service::results::Printer)),
    );
    if config.delivery_webhooks_allow_private {
        shared.insert(portico_delivery::service::webhooks::AllowPrivateEndpoints);
    }
    shared.insert(portico_delivery::service::MaxExportBytes(
        config.delivery_max_export_bytes,
    ));
    shared.insert(mailer(config)?);
    shared.insert(sms_gateway(config)?);
    if let (Some(url), Some(secret)) = (&config.pay_sandbox_url, &config.pay_sandbox_secret) {
        let card = portico_payments::provider::sandbox::SandboxCard::new(
            url,
            secret.trim().as_bytes(),
            portico_payments::provider::sandbox::START_TIMEOUT,
        )
        .map_err(anyhow::Error::msg)?;
        shared.insert(portico_payments::CardProviders(Arc::new(card)));
    }
    let certificates = certificate_login(config)?;
    if let Some(login) = &certificates {
        shared.insert(login.clone());
    }
    if !config.oidc_providers.is_empty() {
        let providers =
            portico_identity::service::eid::ExternalProviders::new(config.oidc_providers.clone())
                .map_err(anyhow::Error::msg)?;
        shared.insert(portico_identity::routes::eid::EidLogin(Arc::new(providers)));
    }
    let mount = Mount {
        state: state.clone(),
        shared,
    };
    let mut handlers: HashMap<String, Arc<dyn JobHandler>> = HashMap::new();
    let mut pages = Router::new();
    let mut api = OpenApiRouter::with_openapi(ApiDoc::openapi());
    for block in BLOCKS {
        let mounted = (block.mount)(&mount)?;
        pages = pages.merge(mounted.pages);
        api = api.merge(mounted.api);
        for (kind, handler) in mounted.jobs {
            handlers.insert(kind.to_owned(), handler);
        }
    }
    let worker = Worker::with_waker(db.clone(), clock, handlers, worker_waker);
    let (api, openapi) = api.split_for_parts();
    let openapi = Arc::new(openapi);
    let mut routes = Router::new();
    if config.bench_routes {
        // The benchmarks' baseline: the whole layer stack around a handler that does nothing.
        routes = routes.route("/bench/bare", get(|| async { "ok" }));
    }
    let routes = routes
        .route(
            "/api/v1/openapi.json",
            get(move || async move { Json(openapi.as_ref().clone()) }),
        )
        .merge(shell::routes())
        .merge(crate::landing::router())
        .merge(pages)
        .merge(api);
    let router = shell::apply_layers(routes, state.clone());
    Ok(Platform {
        router,
        certificates,
        tls_listener: match (
            config.tls_client_cert_listen,
            &config.tls_cert_file,
            &config.tls_key_file,
        ) {
            (Some(listen), Some(cert), Some(key)) => Some((listen, cert.clone(), key.clone())),
            _ => None,
        },
        state,
        worker,
        signing_key,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn config(dir: &Path) -> Config {
        Config::for_test(dir.to_path_buf(), "sqlite::memory:".into())
    }

    // Before the fix, an empty or short PORTICO_SECRET or secret file was taken as it was.
    #[test]
    fn a_short_or_empty_secret_stops_the_node_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = config(dir.path());
        for short in ["", "   ", "too-short-31-bytes-long-secret!"] {
            config.secret = Some(short.into());
            let error = platform_secret(&config).unwrap_err().to_string();
            assert!(error.starts_with("PORTICO_SECRET is "), "{error}");
            assert!(error.contains("at least 32 bytes"), "{error}");
        }
        config.secret = Some("x".repeat(32));
        assert_eq!(platform_secret(&config).unwrap(), b"x".repeat(32));

        config.secret = None;
        let file = dir.path().join("secret.key");
        std::fs::write(&file, "\n").unwrap();
        let error = platform_secret(&config).unwrap_err().to_string();
        assert_eq!(
            error,
            format!(
                "the platform secret file {} is 0 bytes long; it must hold at least 32 bytes (for example 64 hex digits from `openssl rand -hex 32`)",
                file.display()
            )
        );
    }

    #[test]
    fn a_secret_made_on_first_run_is_long_enough_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let config = config(dir.path());
        let made = platform_secret(&config).unwrap();
        assert_eq!(made.len(), 64);
        assert_eq!(platform_secret(&config).unwrap(), made);
    }
}
