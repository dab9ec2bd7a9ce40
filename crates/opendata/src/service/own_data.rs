//! The platform's own data, published here and kept current: the service catalog (each
//! published service with its Unified Model facts) as the dataset `portico-service-catalog`,
//! read through the catalog's service functions (never its tables), published as the platform's
//! own organisation ([`organisations::PLATFORM_ID`]) by its system actor. A job
//! ([`REFRESH_JOB`]) compares the catalog's change counter with the one last published and, when
//! it moved, replaces the CSV; then it schedules itself again.

use super::{datasets, organisations, resources, OpenData};
use crate::error::OpenDataError;
use crate::model::{DatasetInput, DatasetState, ResourceInput};
use portico_core::Actor;
use portico_store::jobs::{self, JobHandler, NewJob};
use std::fmt::Write;

/// The dataset's name.
pub const DATASET: &str = "portico-service-catalog";
/// The job that keeps it current, and how often it looks.
pub const REFRESH_JOB: &str = "opendata.refresh_service_catalog";
pub const REFRESH_EVERY_SECONDS: i64 = 3600;
const KEY: &str = "service-catalog";
const FILE: &str = "service-catalog.csv";
const ACTOR: Actor = Actor::System("opendata");

fn cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The catalog as CSV: one row per published service.
async fn catalog_csv(ctx: &OpenData) -> Result<String, OpenDataError> {
    let services = portico_catalog::service::list_published(&ctx.db)
        .await
        .map_err(|e| OpenDataError::Internal(format!("the service catalog: {e}")))?;
    let orgs = organisations::list(&ctx.db).await?;
    let mut out = String::from(
        "slug,title_bg,title_en,administration,administration_eik,topic,legal_basis_bg,\
         deadline_working_days,fee,currency,payment_options,delivery_channels,required_documents,\
         address\n",
    );
    for s in services {
        let org = orgs.iter().find(|a| a.id == s.administration_id);
        let f = &s.facts;
        let currency = serde_json::to_value(f.fee.currency)
            .ok()
            .and_then(|v| v.as_str().map(str::to_uppercase))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{}.{:02},{},{},{},{},{}",
            cell(&s.slug),
            cell(&f.title.bg),
            cell(&f.title.en),
            cell(org.map_or("", |a| a.name_bg.as_str())),
            org.and_then(|a| a.eik.clone()).unwrap_or_default(),
            cell(&f.topic),
            cell(&f.legal_basis.bg),
            f.deadline_working_days,
            f.fee.minor / 100,
            (f.fee.minor % 100).abs(),
            currency,
            cell(&f.payment_options.join("; ")),
            cell(&f.delivery_channels.join("; ")),
            cell(
                &f.required_documents
                    .iter()
                    .map(|d| d.bg.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            cell(&format!("/services/{}", s.slug)),
        );
    }
    Ok(out)
}

/// Publishes the service catalog as the platform's organisation, or brings it up to date; true
/// when something changed.
pub async fn refresh_service_catalog(ctx: &OpenData) -> Result<bool, OpenDataError> {
    let version = portico_catalog::service::version(&ctx.db)
        .await
        .map_err(|e| OpenDataError::Internal(format!("the service catalog: {e}")))?;
    let stored: Option<(i64, String)> =
        sqlx::query_as("SELECT source_version, resource_id FROM opendata_own_data WHERE key = $1")
            .bind(KEY)
            .fetch_optional(ctx.db.pool())
            .await?;
    if stored.as_ref().is_some_and(|(v, _)| *v == version) {
        return Ok(false);
    }
    let body = bytes::Bytes::from(catalog_csv(ctx).await?);
    let resource_id = match stored {
        Some((_, resource_id)) => {
            resources::replace_upload(ctx, &ACTOR, &resource_id, FILE, body).await?;
            resource_id
        }
        None => {
            let d = match datasets::find(&ctx.db, DATASET).await? {
                // Only the platform's own (the name is reserved for it; a database from before
                // the platform organisation had it moved by migration 0006).
                Some(d) if d.administration_id == organisations::PLATFORM_ID => d,
                Some(d) => {
                    return Err(OpenDataError::Internal(format!(
                        "{DATASET} belongs to {}, not to the platform",
                        d.administration_id
                    )))
                }
                None => {
                    datasets::create(
                        ctx,
                        &ACTOR,
                        organisations::PLATFORM_ID,
                        DatasetInput {
                            name: DATASET.into(),
                            title_bg: "Каталог на административните услуги в Портико".into(),
                            title_en: "Catalogue of the administrative services on Portico".into(),
                            notes_bg: "Всички публикувани услуги с фактите от Унифицирания модел: \
                                       правно основание, срок, такса, начини на плащане и на \
                                       получаване, изисквани документи. Обновява се сам."
                                .into(),
                            notes_en: "Every published service with its Unified Model facts: \
                                       legal basis, deadline, fee, payment and delivery options, \
                                       required documents. Kept up to date by the platform."
                                .into(),
                            themes: vec!["GOVE".into()],
                            keywords: vec!["услуги".into(), "унифициран модел".into()],
                            licence: "cc-zero".into(),
                            contact_name: String::new(),
                            contact_email: String::new(),
                            temporal_start: None,
                            temporal_end: None,
                            spatial: None,
                            frequency: "DAILY".into(),
                            state: Some(DatasetState::Published),
                        },
                    )
                    .await?
                }
            };
            let r = resources::add(
                ctx,
                &ACTOR,
                &d.id,
                ResourceInput {
                    name: FILE.into(),
                    upload: Some((FILE.into(), body)),
                    ..Default::default()
                },
            )
            .await?;
            r.id
        }
    };
    sqlx::query("DELETE FROM opendata_own_data WHERE key = $1")
        .bind(KEY)
        .execute(ctx.db.pool())
        .await?;
    sqlx::query(
        "INSERT INTO opendata_own_data (key, source_version, resource_id) VALUES ($1, $2, $3)",
    )
    .bind(KEY)
    .bind(version)
    .bind(&resource_id)
    .execute(ctx.db.pool())
    .await?;
    Ok(true)
}

/// Schedules the refresh job `after_seconds` from now.
pub async fn schedule(ctx: &OpenData, after_seconds: i64) -> Result<(), OpenDataError> {
    let mut tx = ctx.db.begin().await?;
    let mut job = NewJob::now(REFRESH_JOB, serde_json::json!({}), ctx.clock.now());
    job.run_at = ctx.clock.now() + chrono::Duration::seconds(after_seconds);
    jobs::enqueue(&mut tx, job, ctx.clock.now()).await?;
    tx.commit().await?;
    Ok(())
}

/// The job: refreshes, then runs again in an hour.
pub struct RefreshJob {
    pub ctx: OpenData,
}

#[async_trait::async_trait]
impl JobHandler for RefreshJob {
    // A job queued before the platform organisation names an administration: it is ignored.
    async fn run(&self, _payload: &serde_json::Value) -> Result<(), String> {
        refresh_service_catalog(&self.ctx)
            .await
            .map_err(|e| e.to_string())?;
        schedule(&self.ctx, REFRESH_EVERY_SECONDS)
            .await
            .map_err(|e| e.to_string())
    }

    fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(120)
    }
}
