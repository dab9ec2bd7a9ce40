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

pub(crate) async fn get_in(tx: &mut Tx, id: &str) -> Result<Option<Administration>, IdentityError> {
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

/// How people reach an administration (each may be empty).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contacts {
    pub email: String,
    pub phone: String,
    pub address: String,
}

/// Records how people reach the administration.
pub async fn set_contacts(
    tx: &mut Tx,
    administration_id: &str,
    contacts: &Contacts,
) -> Result<(), IdentityError> {
    let blank = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
    sqlx::query(
        "UPDATE administrations SET contact_email = $1, contact_phone = $2, contact_address = $3 WHERE id = $4",
    )
    .bind(blank(&contacts.email))
    .bind(blank(&contacts.phone))
    .bind(blank(&contacts.address))
    .bind(administration_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn contacts(db: &Db, administration_id: &str) -> Result<Contacts, IdentityError> {
    let row: Option<(Option<String>, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT contact_email, contact_phone, contact_address FROM administrations WHERE id = $1",
    )
    .bind(administration_id)
    .fetch_optional(db.pool())
    .await?;
    let (email, phone, address) = row.unwrap_or_default();
    Ok(Contacts {
        email: email.unwrap_or_default(),
        phone: phone.unwrap_or_default(),
        address: address.unwrap_or_default(),
    })
}

/// A unit to add: a short code (what routing and CSV files name it by) and its names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUnit {
    pub code: String,
    pub name_bg: String,
    pub name_en: String,
}

/// A problem on one line of a units file (1-based), with its message code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineProblem {
    pub line: usize,
    pub code: &'static str,
}

/// At most this many units in one file.
pub const MAX_UNITS_PER_FILE: usize = 500;

/// The problem with a unit's fields, if any: a code of 1–40 lower-case Latin letters, digits,
/// `-` or `_`, and both names, each at most 200 characters.
pub fn check_unit(unit: &NewUnit) -> Option<&'static str> {
    let code_ok = !unit.code.is_empty()
        && unit.code.len() <= 40
        && unit
            .code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !code_ok {
        return Some("unit.code_invalid");
    }
    if unit.name_bg.trim().is_empty() || unit.name_en.trim().is_empty() {
        return Some("unit.name_missing");
    }
    if unit.name_bg.chars().count() > 200 || unit.name_en.chars().count() > 200 {
        return Some("unit.name_too_long");
    }
    None
}

/// Reads a units file: CSV (comma or semicolon), one unit a line as `code,name_bg,name_en`, an
/// optional header line starting with `code`. Every problem is reported with its line; nothing
/// is returned unless the whole file is good.
pub fn parse_units_csv(text: &str) -> Result<Vec<(usize, NewUnit)>, Vec<LineProblem>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut units: Vec<(usize, NewUnit)> = Vec::new();
    let mut problems = Vec::new();
    // Line by line, so that every message names the line a person sees in their editor.
    for (n, text_line) in text.lines().enumerate() {
        let line = n + 1;
        if text_line.trim().is_empty() {
            continue;
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .delimiter(delimiter)
            .from_reader(text_line.as_bytes());
        let record = match reader.records().next() {
            Some(Ok(r)) => r,
            _ => {
                problems.push(LineProblem {
                    line,
                    code: "unit.csv_unreadable",
                });
                continue;
            }
        };
        if units.is_empty()
            && problems.is_empty()
            && record
                .get(0)
                .is_some_and(|c| c.eq_ignore_ascii_case("code"))
        {
            continue;
        }
        if record.len() != 3 {
            problems.push(LineProblem {
                line,
                code: "unit.csv_columns",
            });
            continue;
        }
        let unit = NewUnit {
            code: record[0].to_owned(),
            name_bg: record[1].to_owned(),
            name_en: record[2].to_owned(),
        };
        if let Some(code) = check_unit(&unit) {
            problems.push(LineProblem { line, code });
        } else if units.iter().any(|(_, u)| u.code == unit.code) {
            problems.push(LineProblem {
                line,
                code: "unit.code_repeated",
            });
        } else {
            units.push((line, unit));
        }
    }
    if units.is_empty() && problems.is_empty() {
        problems.push(LineProblem {
            line: 1,
            code: "unit.csv_empty",
        });
    }
    if units.len() > MAX_UNITS_PER_FILE {
        problems.push(LineProblem {
            line: MAX_UNITS_PER_FILE + 1,
            code: "unit.csv_too_many",
        });
    }
    if problems.is_empty() {
        Ok(units)
    } else {
        Err(problems)
    }
}

/// Adds units to an administration in the caller's transaction, each audited; refuses (adding
/// none) if any code is taken already. `lines` gives each unit's line in its file, for the
/// message; pass an empty slice for units typed on a form.
pub async fn add_units(
    tx: &mut Tx,
    administration_id: &str,
    units: &[NewUnit],
    lines: &[usize],
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Unit>, Result<Vec<LineProblem>, IdentityError>> {
    let taken: Vec<(String,)> =
        sqlx::query_as("SELECT code FROM units WHERE administration_id = $1")
            .bind(administration_id)
            .fetch_all(&mut **tx)
            .await
            .map_err(|e| Err(e.into()))?;
    let problems: Vec<LineProblem> = units
        .iter()
        .enumerate()
        .filter(|(_, u)| taken.iter().any(|(c,)| *c == u.code))
        .map(|(i, _)| LineProblem {
            line: lines.get(i).copied().unwrap_or(i + 1),
            code: "unit.code_taken",
        })
        .collect();
    if !problems.is_empty() {
        return Err(Ok(problems));
    }
    let mut added = Vec::with_capacity(units.len());
    for u in units {
        let unit = create_unit(
            tx,
            administration_id,
            &u.code,
            u.name_bg.trim(),
            u.name_en.trim(),
            actor,
            now,
        )
        .await
        .map_err(Err)?;
        added.push(unit);
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    #[test]
    fn a_units_file_with_a_header_and_semicolons() {
        let units =
            parse_units_csv("code;name_bg;name_en\nsredets;Район Средец;Sredets\n\nlozenets; Район Лозенец ;Lozenets\n")
                .unwrap();
        assert_eq!(units.len(), 2);
        assert_eq!(units[1].1.name_bg, "Район Лозенец");
        assert_eq!(units[1].0, 4);
    }

    #[test]
    fn every_bad_line_is_named() {
        let problems = parse_units_csv(
            "sredets,Район Средец,Sredets\nBad Code,Име,Name\nsredets,Пак,Again\nonly,two\nempty,,Name\n",
        )
        .unwrap_err();
        let got: Vec<(usize, &str)> = problems.iter().map(|p| (p.line, p.code)).collect();
        assert_eq!(
            got,
            vec![
                (2, "unit.code_invalid"),
                (3, "unit.code_repeated"),
                (4, "unit.csv_columns"),
                (5, "unit.name_missing"),
            ]
        );
        assert_eq!(
            parse_units_csv("\n\n").unwrap_err()[0].code,
            "unit.csv_empty"
        );
    }
}
