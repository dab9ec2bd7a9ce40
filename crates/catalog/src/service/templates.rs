//! Shared service templates: one set of facts, a form and a process that any administration can
//! adopt (see [`super::adopt`]).

use crate::model::{ServiceFacts, ServiceTemplate};
use crate::CatalogError;
use chrono::{DateTime, Utc};
use portico_audit::Event;
use portico_core::clock::to_millis;
use portico_core::new_id;
use portico_store::{Db, Tx};

type TemplateRow = (String, String, String, Option<String>, String);

fn template_from(row: TemplateRow) -> Result<ServiceTemplate, CatalogError> {
    let (id, key, facts, form_key, process_key) = row;
    Ok(ServiceTemplate {
        id,
        key,
        facts: serde_json::from_str(&facts)?,
        form_key,
        process_key,
    })
}

const COLUMNS: &str = "id, key, facts, form_key, process_key";

/// Adds a template. Its key must be new.
pub async fn create(
    tx: &mut Tx,
    key: &str,
    facts: &ServiceFacts,
    form_key: Option<&str>,
    process_key: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<ServiceTemplate, CatalogError> {
    let errors = facts.check();
    if !errors.is_empty() {
        return Err(CatalogError::Invalid(errors));
    }
    if get_by_key_in(tx, key).await?.is_some() {
        return Err(CatalogError::field("key", "catalog.template.key_taken"));
    }
    let id = new_id();
    sqlx::query(
        "INSERT INTO service_templates (id, key, facts, form_key, process_key, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(key)
    .bind(serde_json::to_string(facts)?)
    .bind(form_key)
    .bind(process_key)
    .bind(to_millis(now))
    .bind(to_millis(now))
    .execute(&mut **tx)
    .await?;
    let event = Event::new(actor, "catalog.template_created", &id)
        .with(serde_json::json!({ "key": key, "form_key": form_key, "process_key": process_key }));
    portico_audit::append(tx, event, now).await?;
    Ok(ServiceTemplate {
        id,
        key: key.to_owned(),
        facts: facts.clone(),
        form_key: form_key.map(str::to_owned),
        process_key: process_key.to_owned(),
    })
}

pub async fn get_by_key_in(
    tx: &mut Tx,
    key: &str,
) -> Result<Option<ServiceTemplate>, CatalogError> {
    let sql = format!("SELECT {COLUMNS} FROM service_templates WHERE key = $1");
    let row: Option<TemplateRow> = sqlx::query_as(&sql)
        .bind(key)
        .fetch_optional(&mut **tx)
        .await?;
    row.map(template_from).transpose()
}

pub async fn get_by_key(db: &Db, key: &str) -> Result<Option<ServiceTemplate>, CatalogError> {
    let sql = format!("SELECT {COLUMNS} FROM service_templates WHERE key = $1");
    let row: Option<TemplateRow> = sqlx::query_as(&sql)
        .bind(key)
        .fetch_optional(db.pool())
        .await?;
    row.map(template_from).transpose()
}

pub async fn list(db: &Db) -> Result<Vec<ServiceTemplate>, CatalogError> {
    let sql = format!("SELECT {COLUMNS} FROM service_templates ORDER BY key");
    let rows: Vec<TemplateRow> = sqlx::query_as(&sql).fetch_all(db.pool()).await?;
    rows.into_iter().map(template_from).collect()
}
