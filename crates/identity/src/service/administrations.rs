use crate::model::{Administration, NewAdministration, Unit};
use crate::IdentityError;
use chrono::{DateTime, Utc};
use portico_audit::Event;
use portico_core::clock::to_millis;
use portico_core::{new_id, AdministrationKind, Eik};
use portico_store::{Db, Tx};
use std::str::FromStr;

type AdministrationRow = (String, String, String, String, String, Option<String>);

fn administration_from(row: AdministrationRow) -> Option<Administration> {
    let (id, name_bg, name_en, kind, eik, parent_id) = row;
    Some(Administration {
        id,
        name_bg,
        name_en,
        kind: AdministrationKind::from_str(&kind).ok()?,
        eik: Eik::parse(&eik).ok()?,
        parent_id,
    })
}

const COLUMNS: &str = "id, name_bg, name_en, kind, eik, parent_id";

/// Adds an administration. Its EIK must be unique and its parent, if any, must exist.
pub async fn create(
    tx: &mut Tx,
    new: &NewAdministration,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Administration, IdentityError> {
    if new.name_bg.trim().is_empty() {
        return Err(IdentityError::field("name_bg", "name_bg.missing"));
    }
    if new.name_en.trim().is_empty() {
        return Err(IdentityError::field("name_en", "name_en.missing"));
    }
    if let Some(parent) = &new.parent_id {
        if get_in(tx, parent).await?.is_none() {
            return Err(IdentityError::UnknownAdministration);
        }
    }
    if find_by_eik_in(tx, new.eik.as_str()).await?.is_some() {
        return Err(IdentityError::field("eik", "eik.taken"));
    }
    let id = new_id();
    sqlx::query(
        "INSERT INTO administrations (id, name_bg, name_en, kind, eik, parent_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(new.name_bg.trim())
    .bind(new.name_en.trim())
    .bind(new.kind.as_str())
    .bind(new.eik.as_str())
    .bind(&new.parent_id)
    .bind(to_millis(now))
    .execute(&mut **tx)
    .await?;
    let event = Event::new(actor, "identity.administration_created", &id)
        .in_administration(&id)
        .with(serde_json::json!({ "eik": new.eik.as_str(), "kind": new.kind.as_str(), "name_en": new.name_en }));
    portico_audit::append(tx, event, now).await?;
    Ok(Administration {
        id,
        name_bg: new.name_bg.trim().to_owned(),
        name_en: new.name_en.trim().to_owned(),
        kind: new.kind,
        eik: new.eik.clone(),
        parent_id: new.parent_id.clone(),
    })
}

pub async fn create_unit(
    tx: &mut Tx,
    administration_id: &str,
    code: &str,
    name_bg: &str,
    name_en: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Unit, IdentityError> {
    if get_in(tx, administration_id).await?.is_none() {
        return Err(IdentityError::UnknownAdministration);
    }
    let id = new_id();
    sqlx::query(
        "INSERT INTO units (id, administration_id, code, name_bg, name_en, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(administration_id)
    .bind(code)
    .bind(name_bg)
    .bind(name_en)
    .bind(to_millis(now))
    .execute(&mut **tx)
    .await?;
    let event = Event::new(actor, "identity.unit_created", &id)
        .in_administration(administration_id)
        .with(serde_json::json!({ "code": code, "name_en": name_en }));
    portico_audit::append(tx, event, now).await?;
    Ok(Unit {
        id,
        administration_id: administration_id.to_owned(),
        code: code.to_owned(),
        name_bg: name_bg.to_owned(),
        name_en: name_en.to_owned(),
    })
}

async fn get_in(tx: &mut Tx, id: &str) -> Result<Option<Administration>, IdentityError> {
    let sql = format!("SELECT {COLUMNS} FROM administrations WHERE id = $1");
    let row: Option<AdministrationRow> = sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.and_then(administration_from))
}

pub async fn find_by_eik_in(
    tx: &mut Tx,
    eik: &str,
) -> Result<Option<Administration>, IdentityError> {
    let sql = format!("SELECT {COLUMNS} FROM administrations WHERE eik = $1");
    let row: Option<AdministrationRow> = sqlx::query_as(&sql)
        .bind(eik)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.and_then(administration_from))
}

pub async fn get(db: &Db, id: &str) -> Result<Option<Administration>, IdentityError> {
    let sql = format!("SELECT {COLUMNS} FROM administrations WHERE id = $1");
    let row: Option<AdministrationRow> = sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.and_then(administration_from))
}

/// Every administration, parents before their children, by Bulgarian name.
pub async fn list(db: &Db) -> Result<Vec<Administration>, IdentityError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM administrations ORDER BY CASE WHEN parent_id IS NULL THEN 0 ELSE 1 END, name_bg"
    );
    let rows: Vec<AdministrationRow> = sqlx::query_as(&sql).fetch_all(db.pool()).await?;
    Ok(rows.into_iter().filter_map(administration_from).collect())
}

pub async fn list_children(db: &Db, parent_id: &str) -> Result<Vec<Administration>, IdentityError> {
    let sql =
        format!("SELECT {COLUMNS} FROM administrations WHERE parent_id = $1 ORDER BY name_bg");
    let rows: Vec<AdministrationRow> = sqlx::query_as(&sql)
        .bind(parent_id)
        .fetch_all(db.pool())
        .await?;
    Ok(rows.into_iter().filter_map(administration_from).collect())
}

pub async fn list_units(db: &Db, administration_id: &str) -> Result<Vec<Unit>, IdentityError> {
    let rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT id, administration_id, code, name_bg, name_en FROM units WHERE administration_id = $1 ORDER BY code",
    )
    .bind(administration_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, administration_id, code, name_bg, name_en)| Unit {
            id,
            administration_id,
            code,
            name_bg,
            name_en,
        })
        .collect())
}
