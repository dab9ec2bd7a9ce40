//! Composes the building blocks into one application: storage, keys, every block's routes and
//! job handlers, and the shell's layers around them.

use crate::config::Config;
use anyhow::{Context, Result};
use axum::routing::get;
use axum::{Json, Router};
use portico_audit::SigningKey;
use portico_core::{Clock, Pseudonymiser};
use portico_http::{shell, AppState, ShellConfig};
use portico_identity::routes::DbSessions;
use portico_identity::transport::{
    EmailJob, FileSink, HttpSmsGateway, Mailer, SmsGateway, SmsJob, SmtpMailer, EMAIL_JOB, SMS_JOB,
};
use portico_store::jobs::{JobHandler, Worker};
use portico_store::{BlobStore, Db, Migration};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

/// Every block's migrations, in dependency order.
pub fn migrations() -> Vec<&'static [Migration]> {
    vec![
        portico_store::MIGRATIONS,
        portico_audit::MIGRATIONS,
        portico_identity::MIGRATIONS,
        portico_catalog::MIGRATIONS,
        portico_cases::MIGRATIONS,
    ]
}

pub async fn connect(config: &Config) -> Result<Db> {
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

pub fn signing_key(config: &Config) -> Result<SigningKey> {
    Ok(match &config.signing_key_pem {
        Some(pem) => SigningKey::from_pem(pem)?,
        None => SigningKey::load_or_create(&config.data_dir)?,
    })
}

/// The platform secret: configured, or created once in the data folder (readable by its owner only).
fn platform_secret(config: &Config) -> Result<Vec<u8>> {
    if let Some(secret) = &config.secret {
        return Ok(secret.as_bytes().to_vec());
    }
    let path = config.data_dir.join("secret.key");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        return Ok(existing.trim().as_bytes().to_vec());
    }
    std::fs::create_dir_all(&config.data_dir)?;
    let mut bytes = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    let secret = hex::encode(bytes);
    write_private(&path, secret.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(secret.into_bytes())
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

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Portico API",
        version = "1",
        description = "The JSON API of Portico, the open-source e-government platform. Errors are always `{\"error\": {\"code\", \"message\", \"details\"}}`."
    ),
    components(schemas(portico_http::ApiErrorBody))
)]
struct ApiDoc;

/// Builds the whole application on an open, migrated database.
pub fn build(config: &Config, db: Db, clock: Arc<dyn Clock>) -> Result<Platform> {
    // Installed before the first request, so that no request goes uncounted.
    shell::prometheus();
    let secret = platform_secret(config)?;
    let signing_key = signing_key(config)?;
    let blobs = BlobStore::from_url(&config.blob_url)?;
    let mut handlers: HashMap<String, Arc<dyn JobHandler>> = HashMap::new();
    let mailer = mailer(config)?;
    handlers.insert(EMAIL_JOB.into(), Arc::new(EmailJob(mailer.clone())));
    handlers.insert(
        portico_cases::jobs::JOB_KIND.into(),
        Arc::new(portico_cases::jobs::NotifyByEmail {
            db: db.clone(),
            mailer,
            base_url: config.base_url.clone(),
        }),
    );
    handlers.insert(SMS_JOB.into(), Arc::new(SmsJob(sms_gateway(config)?)));
    let worker = Worker::new(db.clone(), clock.clone(), handlers);

    let state = AppState {
        db: db.clone(),
        blobs,
        clock: clock.clone(),
        config: Arc::new(ShellConfig {
            base_url: config.base_url.clone(),
            secure_cookies: config.secure_cookies,
            csrf_key: derive_key(&secret, "csrf"),
            design_page: config.design_page,
        }),
        sessions: Arc::new(DbSessions {
            db: db.clone(),
            clock,
        }),
        pseudonymiser: Pseudonymiser::new(derive_key(&secret, "pseudonym").to_vec()),
        jobs_waker: worker.waker(),
    };

    // A broken process definition stops the node here, not half-way through someone's case.
    portico_cases::service::processes::check_all().map_err(anyhow::Error::msg)?;
    let cases = portico_cases::routes::CasesState {
        app: state.clone(),
        key: signing_key.clone(),
    };
    let search = portico_catalog::SearchIndex::new(db.clone());
    let (api, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(portico_identity::routes::api_router())
        .merge(portico_catalog::api_router(search.clone()))
        .merge(portico_cases::routes::api_router(cases.clone()))
        .split_for_parts();
    let openapi = Arc::new(openapi);
    let routes = Router::new()
        .route("/bench/bare", get(|| async { "ok" }))
        .route(
            "/api/v1/openapi.json",
            get(move || async move { Json(openapi.as_ref().clone()) }),
        )
        .merge(shell::routes())
        .merge(crate::landing::router())
        .merge(portico_identity::router())
        .merge(portico_catalog::router(search))
        .merge(portico_cases::routes::router(cases))
        .merge(api);
    let router = shell::apply_layers(routes, state.clone());
    Ok(Platform {
        router,
        state,
        worker,
        signing_key,
    })
}
