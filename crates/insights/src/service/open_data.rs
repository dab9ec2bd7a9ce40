//! The performance figures as an open dataset: every service's KPIs month by month, as CSV and
//! JSON distributions of the dataset [`DATASET`] in the open data portal, published through the
//! open data block's service functions (never its tables), with its DCAT-AP metadata, as the
//! platform's own organisation (`organisations::PLATFORM_ID`, written only by system actors). A job
//! ([`PUBLISH_JOB`]) recomputes the figures from the counters every [`PUBLISH_EVERY_SECONDS`]
//! and replaces the files only when they changed (a file is stored under its SHA-256, so an
//! unchanged file is recognised by its key). The same minimum group size as on the dashboard
//! holds: a ratio over fewer than [`super::kpis::MIN_GROUP`] people is left empty.

use super::kpis::{self, By};
use super::Insights;
use crate::model::{Kpis, Scope};
use crate::InsightsError;
use chrono::NaiveDate;
use portico_core::Actor;
use portico_opendata::model::{DatasetInput, DatasetState, ResourceInput};
use portico_opendata::service::{datasets, organisations, resources, OpenData};
use portico_store::jobs::{self, JobHandler, NewJob};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write;

/// The dataset's name (its address is `/data/portico-service-performance`).
pub const DATASET: &str = "portico-service-performance";
/// Its two distributions.
pub const CSV_FILE: &str = "service-performance.csv";
pub const JSON_FILE: &str = "service-performance.json";
/// The job that keeps it current, and how often it looks.
pub const PUBLISH_JOB: &str = "insights.publish_figures";
pub const PUBLISH_EVERY_SECONDS: i64 = 3600;
const ACTOR: Actor = Actor::System("insights");

/// The CSV's columns, in order (the JSON's rows have the same keys).
pub const COLUMNS: [&str; 26] = [
    "month",
    "administration",
    "administration_eik",
    "service",
    "service_title_bg",
    "service_title_en",
    "started",
    "submitted_online",
    "counter",
    "post",
    "decided",
    "approved",
    "refused",
    "overdue",
    "paid",
    "delivered",
    "ratings",
    "completion_rate",
    "digital_take_up",
    "median_working_days",
    "p90_working_days",
    "legal_deadline_working_days",
    "overdue_share",
    "cost_per_transaction_eur",
    "satisfaction",
    "no_paper_no_visit",
];

fn cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn ratio(v: Option<f64>) -> serde_json::Value {
    v.map_or(serde_json::Value::Null, |v| {
        serde_json::json!((v * 10.0).round() / 10.0)
    })
}

fn one_row(
    month: &str,
    service: &str,
    names: &Names,
    k: &Kpis,
) -> Vec<(&'static str, serde_json::Value)> {
    use serde_json::json;
    let (administration, eik, slug, title_bg, title_en) = names.of(service);
    let c = &k.counts;
    let values = vec![
        json!(month),
        json!(administration),
        json!(eik),
        json!(slug),
        json!(title_bg),
        json!(title_en),
        json!(c.started),
        json!(c.submitted),
        json!(k.counter),
        json!(k.post),
        json!(c.decided),
        json!(c.approved),
        json!(c.refused),
        json!(c.overdue),
        json!(c.paid),
        json!(c.delivered),
        json!(c.ratings),
        ratio(k.completion),
        ratio(k.take_up),
        k.median_days.map_or(serde_json::Value::Null, |d| json!(d)),
        k.p90_days.map_or(serde_json::Value::Null, |d| json!(d)),
        ratio(k.deadline_days),
        ratio(k.overdue_share),
        k.cost_per_transaction
            .map_or(serde_json::Value::Null, |m| json!(m as f64 / 100.0)),
        ratio(k.satisfaction),
        ratio(k.no_paper),
    ];
    COLUMNS.into_iter().zip(values).collect()
}

/// Who each service is, for the rows (read through the catalog's and identity's functions).
#[derive(Default)]
struct Names {
    services: BTreeMap<String, (String, String, String, String, String)>,
}

impl Names {
    async fn load(db: &portico_store::Db, ids: &[&String]) -> Result<Names, InsightsError> {
        let orgs = portico_identity::service::administrations::list(db).await?;
        let mut services = BTreeMap::new();
        for id in ids {
            if let Some(s) = portico_catalog::service::get(db, id).await? {
                let org = orgs.iter().find(|a| a.id == s.administration_id);
                services.insert(
                    (*id).clone(),
                    (
                        org.map_or(String::new(), |a| a.name_bg.clone()),
                        org.map_or(String::new(), |a| a.eik.as_str().to_owned()),
                        s.slug.clone(),
                        s.facts.title.bg.clone(),
                        s.facts.title.en.clone(),
                    ),
                );
            }
        }
        Ok(Names { services })
    }

    fn of(&self, service: &str) -> (&str, &str, &str, &str, &str) {
        match self.services.get(service) {
            Some((a, e, s, b, n)) => (a, e, s, b, n),
            None => ("", "", "", "", ""),
        }
    }
}

/// Every service's figures month by month, from the first month counted to `today`'s, as CSV
/// and as JSON.
pub async fn figures(
    db: &portico_store::Db,
    today: NaiveDate,
) -> Result<(String, String), InsightsError> {
    let first: Option<(Option<String>,)> =
        sqlx::query_as("SELECT MIN(month) FROM insights_monthly WHERE service_id <> ''")
            .fetch_optional(db.pool())
            .await?;
    let this_month = kpis::month(today);
    let from = first
        .and_then(|(m,)| m)
        .filter(|m| *m <= this_month)
        .and_then(|m| NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").ok());
    let months = from.map_or_else(Vec::new, |from| kpis::months_between(from, today));
    let mut by_month = Vec::with_capacity(months.len());
    for m in &months {
        let groups = kpis::grouped(
            db,
            &Scope::Platform,
            By::Service,
            std::slice::from_ref(m),
            today,
        )
        .await?;
        by_month.push((m.clone(), groups));
    }
    let ids: Vec<&String> = {
        let mut ids: Vec<&String> = by_month
            .iter()
            .flat_map(|(_, g)| g.keys())
            .filter(|s| !s.is_empty())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    };
    let names = Names::load(db, &ids).await?;
    let mut csv = COLUMNS.join(",");
    csv.push('\n');
    let mut rows = Vec::new();
    for (month, groups) in &by_month {
        for (service, k) in groups {
            // Fees paid for no service count for the platform only (the dashboard shows them).
            if service.is_empty() {
                continue;
            }
            let row = one_row(month, service, &names, k);
            let line: Vec<String> = row
                .iter()
                .map(|(_, v)| match v {
                    serde_json::Value::Null => String::new(),
                    serde_json::Value::String(s) => cell(s),
                    other => other.to_string(),
                })
                .collect();
            let _ = writeln!(csv, "{}", line.join(","));
            rows.push(serde_json::Value::Object(
                row.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            ));
        }
    }
    let json = serde_json::to_string_pretty(&serde_json::json!({
        "dataset": DATASET,
        "minimum_group_size": kpis::MIN_GROUP,
        "columns": COLUMNS,
        "rows": rows,
    }))?;
    Ok((csv, json))
}

fn opendata_error(e: portico_opendata::OpenDataError) -> InsightsError {
    match e {
        portico_opendata::OpenDataError::Store(e) => InsightsError::Store(e),
        other => InsightsError::Internal(format!("publishing the figures: {other}")),
    }
}

fn metadata() -> DatasetInput {
    DatasetInput {
        name: DATASET.into(),
        title_bg: "Показатели за изпълнението на административните услуги в Портико".into(),
        title_en: "Performance of the administrative services on Portico".into(),
        notes_bg: "За всяка услуга и всеки месец: започнати и подадени заявления онлайн, на гише \
                   и по пощата, решения и просрочени решения, цифрово използване, дял на \
                   завършените, работни дни до решение (медиана и 90-и перцентил) спрямо законовия \
                   срок, разход за една услуга, удовлетвореност и дял без хартия и без посещение. \
                   Показател за група от по-малко от 5 души не се публикува. Обновява се сам."
            .into(),
        notes_en: "For every service and month: applications started and submitted online, at the \
                   counter and by post, decisions and late decisions, digital take-up, completion \
                   rate, working days to decision (median and 90th percentile) against the legal \
                   deadline, cost per transaction, satisfaction and the share with no paper and no \
                   visit. A figure about fewer than 5 people is left empty. Kept up to date by the \
                   platform."
            .into(),
        themes: vec!["GOVE".into()],
        keywords: vec![
            "показатели".into(),
            "услуги".into(),
            "удовлетвореност".into(),
        ],
        licence: "cc-zero".into(),
        contact_name: String::new(),
        contact_email: String::new(),
        temporal_start: None,
        temporal_end: None,
        spatial: None,
        frequency: "DAILY".into(),
        state: Some(DatasetState::Published),
    }
}

fn unchanged(r: &portico_opendata::model::Resource, body: &[u8]) -> bool {
    r.blob_key.as_deref() == Some(hex::encode(Sha256::digest(body)).as_str())
}

/// Publishes the figures as the platform's organisation, or brings them up to date; true when a
/// file changed.
pub async fn publish(ctx: &Insights, open: &OpenData) -> Result<bool, InsightsError> {
    let (csv, json) = figures(&ctx.db, ctx.today()).await?;
    let d = match datasets::find(&open.db, DATASET)
        .await
        .map_err(opendata_error)?
    {
        Some(d) if d.administration_id == organisations::PLATFORM_ID => d,
        // The name is reserved for the platform (and migrated to it), so this is a bug.
        Some(d) => {
            return Err(InsightsError::Internal(format!(
                "{DATASET} belongs to {}, not to the platform",
                d.administration_id
            )))
        }
        None => datasets::create(open, &ACTOR, organisations::PLATFORM_ID, metadata())
            .await
            .map_err(opendata_error)?,
    };
    let mut changed = false;
    for (file, body) in [(CSV_FILE, csv), (JSON_FILE, json)] {
        let body = bytes::Bytes::from(body);
        match d.resources.iter().find(|r| r.name == file) {
            Some(r) if unchanged(r, &body) => {}
            Some(r) => {
                resources::replace_upload(open, &ACTOR, &r.id, file, body)
                    .await
                    .map_err(opendata_error)?;
                changed = true;
            }
            None => {
                resources::add(
                    open,
                    &ACTOR,
                    &d.id,
                    ResourceInput {
                        name: file.into(),
                        upload: Some((file.into(), body)),
                        ..Default::default()
                    },
                )
                .await
                .map_err(opendata_error)?;
                changed = true;
            }
        }
    }
    Ok(changed)
}

/// Schedules the publishing job `after_seconds` from now.
pub async fn schedule(ctx: &Insights, after_seconds: i64) -> Result<(), InsightsError> {
    let now = ctx.now();
    let mut tx = ctx.db.begin().await?;
    let mut job = NewJob::now(PUBLISH_JOB, serde_json::json!({}), now);
    job.run_at = now + chrono::Duration::seconds(after_seconds);
    jobs::enqueue(&mut tx, job, now).await?;
    tx.commit().await?;
    Ok(())
}

/// The job: publishes what changed, then runs again in an hour.
pub struct PublishJob {
    pub insights: Insights,
    pub open: OpenData,
}

#[async_trait::async_trait]
impl JobHandler for PublishJob {
    // A job queued before the platform organisation names an administration: it is ignored.
    async fn run(&self, _payload: &serde_json::Value) -> Result<(), String> {
        publish(&self.insights, &self.open)
            .await
            .map_err(|e| e.to_string())?;
        schedule(&self.insights, PUBLISH_EVERY_SECONDS)
            .await
            .map_err(|e| e.to_string())
    }

    fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(120)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_cell_with_a_comma_or_a_quote_is_quoted() {
        assert_eq!(super::cell("Sofia"), "Sofia");
        assert_eq!(super::cell("a, b"), "\"a, b\"");
        assert_eq!(super::cell("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn ratios_are_rounded_to_a_tenth_and_a_missing_one_is_null() {
        assert_eq!(super::ratio(Some(66.666)), serde_json::json!(66.7));
        assert_eq!(super::ratio(None), serde_json::Value::Null);
    }
}
