use super::bump_version;
use crate::model::{Contact, NewService, Overrides, Service, ServiceFacts, Text};
use crate::service::templates;
use crate::CatalogError;
use chrono::{DateTime, Utc};
use portico_audit::Event;
use portico_core::clock::{from_millis, to_millis};
use portico_core::money::Currency;
use portico_core::FieldError;
use portico_core::{new_id, Money};
use portico_store::{Db, Tx};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::BTreeMap;

pub(super) const COLUMNS: &str = "id, slug, administration_id, template_id, title_bg, title_en, \
    description_bg, description_en, legal_basis_bg, legal_basis_en, deadline_working_days, \
    fee_minor, fee_currency, fee_note_bg, fee_note_en, payment_options, delivery_channels, \
    required_documents, who_may_apply, topic, life_event, units, contact, form_key, process_key, \
    published_at, nomenclatures, population, state_deadlines";

fn currency(code: &str) -> Result<Currency, CatalogError> {
    match code {
        "BGN" => Ok(Currency::Bgn),
        "EUR" => Ok(Currency::Eur),
        other => Err(CatalogError::Internal(format!("unknown currency {other}"))),
    }
}

fn text(row: &AnyRow, bg: &str, en: &str) -> Result<Text, CatalogError> {
    Ok(Text {
        bg: row.try_get(bg)?,
        en: row.try_get(en)?,
    })
}

fn json<T: serde::de::DeserializeOwned>(row: &AnyRow, column: &str) -> Result<T, CatalogError> {
    let raw: String = row.try_get(column)?;
    Ok(serde_json::from_str(&raw)?)
}

pub(super) fn service_from(row: &AnyRow) -> Result<Service, CatalogError> {
    let deadline: i64 = row.try_get("deadline_working_days")?;
    let fee_currency: String = row.try_get("fee_currency")?;
    let published_at: Option<i64> = row.try_get("published_at")?;
    Ok(Service {
        id: row.try_get("id")?,
        slug: row.try_get("slug")?,
        administration_id: row.try_get("administration_id")?,
        template_id: row.try_get("template_id")?,
        facts: ServiceFacts {
            title: text(row, "title_bg", "title_en")?,
            description: text(row, "description_bg", "description_en")?,
            legal_basis: text(row, "legal_basis_bg", "legal_basis_en")?,
            deadline_working_days: u32::try_from(deadline).unwrap_or(0),
            fee: Money::new(row.try_get("fee_minor")?, currency(&fee_currency)?),
            fee_note: text(row, "fee_note_bg", "fee_note_en")?,
            payment_options: json(row, "payment_options")?,
            delivery_channels: json(row, "delivery_channels")?,
            required_documents: json(row, "required_documents")?,
            who_may_apply: json(row, "who_may_apply")?,
            topic: row.try_get("topic")?,
            life_event: row.try_get("life_event")?,
            units: json(row, "units")?,
            contact: json(row, "contact")?,
        },
        form_key: row.try_get("form_key")?,
        process_key: row.try_get("process_key")?,
        published_at: published_at.map(from_millis),
        nomenclatures: match row.try_get::<Option<String>, _>("nomenclatures")? {
            Some(raw) => serde_json::from_str(&raw)?,
            None => BTreeMap::new(),
        },
        population: row
            .try_get::<Option<i64>, _>("population")?
            .and_then(|p| u64::try_from(p).ok()),
        state_deadlines: match row.try_get::<Option<String>, _>("state_deadlines")? {
            Some(raw) => serde_json::from_str(&raw)?,
            None => BTreeMap::new(),
        },
    })
}

/// A slug is lower-case Latin letters and digits in words joined by hyphens.
pub(crate) fn is_valid_slug(slug: &str) -> bool {
    (3..=100).contains(&slug.len())
        && slug.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// The default address of an adopted service: the template's key and the administration's
/// English name without words like "Municipality", e.g. `address-registration-sofia`.
pub fn slug_for(template_key: &str, administration_name_en: &str) -> String {
    const NOISE: [&str; 7] = [
        "municipality",
        "district",
        "ministry",
        "agency",
        "of",
        "the",
        "and",
    ];
    let lower = administration_name_en.to_lowercase();
    let words: Vec<String> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty() && !NOISE.contains(w))
        .map(str::to_owned)
        .collect();
    if words.is_empty() {
        template_key.to_owned()
    } else {
        format!("{template_key}-{}", words.join("-"))
    }
}

async fn insert(
    tx: &mut Tx,
    new: &NewService,
    template_id: Option<&str>,
    nomenclatures: &BTreeMap<String, String>,
    population: Option<u64>,
    now: DateTime<Utc>,
) -> Result<Service, CatalogError> {
    let mut errors = new.facts.check();
    if !is_valid_slug(&new.slug) {
        errors.push(FieldError::new("slug", "catalog.slug.invalid"));
    }
    if !errors.is_empty() {
        return Err(CatalogError::Invalid(errors));
    }
    let f = &new.facts;
    let id = new_id();
    if get_by_slug_in(tx, &new.slug).await?.is_some() {
        return Err(CatalogError::field("slug", "catalog.slug.taken"));
    }
    if let Some(template_id) = template_id {
        let adopted: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM services WHERE administration_id = $1 AND template_id = $2",
        )
        .bind(&new.administration_id)
        .bind(template_id)
        .fetch_optional(&mut **tx)
        .await?;
        if adopted.is_some() {
            return Err(CatalogError::field(
                "template",
                "catalog.template.already_adopted",
            ));
        }
    }
    let result = sqlx::query(
        "INSERT INTO services (id, slug, administration_id, template_id, title_bg, title_en,
            description_bg, description_en, legal_basis_bg, legal_basis_en, deadline_working_days,
            fee_minor, fee_currency, fee_note_bg, fee_note_en, payment_options, delivery_channels,
            required_documents, who_may_apply, topic, life_event, units, contact, form_key,
            process_key, published_at, created_at, updated_at, nomenclatures, population)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
            $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30)",
    )
    .bind(&id)
    .bind(&new.slug)
    .bind(&new.administration_id)
    .bind(template_id)
    .bind(f.title.bg.trim())
    .bind(f.title.en.trim())
    .bind(&f.description.bg)
    .bind(&f.description.en)
    .bind(&f.legal_basis.bg)
    .bind(&f.legal_basis.en)
    .bind(i64::from(f.deadline_working_days))
    .bind(f.fee.minor)
    .bind(f.fee.currency.code())
    .bind(&f.fee_note.bg)
    .bind(&f.fee_note.en)
    .bind(serde_json::to_string(&f.payment_options)?)
    .bind(serde_json::to_string(&f.delivery_channels)?)
    .bind(serde_json::to_string(&f.required_documents)?)
    .bind(serde_json::to_string(&f.who_may_apply)?)
    .bind(&f.topic)
    .bind(&f.life_event)
    .bind(serde_json::to_string(&f.units)?)
    .bind(serde_json::to_string(&f.contact)?)
    .bind(&new.form_key)
    .bind(&new.process_key)
    .bind(to_millis(now))
    .bind(to_millis(now))
    .bind(to_millis(now))
    .bind(if nomenclatures.is_empty() {
        None
    } else {
        Some(serde_json::to_string(nomenclatures)?)
    })
    .bind(population.and_then(|p| i64::try_from(p).ok()))
    .execute(&mut **tx)
    .await;
    if let Err(e) = result {
        let e = portico_store::StoreError::from(e);
        // Someone took the slug or adopted the template between the checks and the insert.
        return Err(if e.is_unique_violation() {
            CatalogError::Conflict
        } else {
            e.into()
        });
    }
    bump_version(tx).await?;
    Ok(Service {
        id,
        slug: new.slug.clone(),
        administration_id: new.administration_id.clone(),
        template_id: template_id.map(str::to_owned),
        facts: new.facts.clone(),
        form_key: new.form_key.clone(),
        process_key: new.process_key.clone(),
        published_at: Some(now),
        nomenclatures: nomenclatures.clone(),
        population,
        state_deadlines: BTreeMap::new(),
    })
}

/// Publishes a service that is not based on a template.
pub async fn create(
    tx: &mut Tx,
    new: &NewService,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Service, CatalogError> {
    let service = insert(tx, new, None, &BTreeMap::new(), None, now).await?;
    let event = Event::new(actor, "catalog.service_created", &service.id)
        .in_administration(&service.administration_id)
        .with(serde_json::json!({ "slug": service.slug, "title_en": service.facts.title.en }));
    portico_audit::append(tx, event, now).await?;
    Ok(service)
}

/// An administration adopts a shared template: the service gets the template's facts, form and
/// process, with the administration's own fee, deadline, units and contacts where given, and is
/// published at once. The administration must exist (the caller checks it with identity).
pub async fn adopt(
    tx: &mut Tx,
    template_key: &str,
    administration_id: &str,
    overrides: &Overrides,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Service, CatalogError> {
    let template = templates::get_by_key_in(tx, template_key)
        .await?
        .ok_or_else(|| CatalogError::UnknownTemplate(template_key.to_owned()))?;
    let mut facts = template.facts.clone();
    if let Some(fee) = overrides.fee {
        facts.fee = fee;
    }
    if let Some(note) = &overrides.fee_note {
        facts.fee_note = note.clone();
    }
    if let Some(days) = overrides.deadline_working_days {
        facts.deadline_working_days = days;
    }
    if let Some(units) = &overrides.units {
        facts.units = units.clone();
    }
    if let Some(contact) = &overrides.contact {
        facts.contact = Contact {
            phone: contact.phone.trim().to_owned(),
            email: contact.email.trim().to_owned(),
            address: contact.address.clone(),
            hours: contact.hours.clone(),
        };
    }
    let slug = match &overrides.slug {
        Some(slug) => slug.trim().to_owned(),
        None => {
            let tail: String = administration_id
                .chars()
                .rev()
                .take(8)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            format!("{}-{}", template.key, tail.to_lowercase())
        }
    };
    // The administration's own lists must exist, and replace lists the form names.
    let nomenclatures = overrides.nomenclatures.clone().unwrap_or_default();
    if !nomenclatures.is_empty() {
        let form_lists = match &template.form_key {
            Some(key) => crate::forms::current_in(tx, key)
                .await?
                .map(|f| f.nomenclatures())
                .unwrap_or_default(),
            None => Vec::new(),
        };
        for (from, to) in &nomenclatures {
            if !form_lists.contains(from) || !super::nomenclatures::exists_in(tx, to).await? {
                return Err(CatalogError::field(
                    "nomenclatures",
                    "catalog.nomenclature.unknown",
                ));
            }
        }
    }
    let new = NewService {
        slug,
        administration_id: administration_id.to_owned(),
        facts,
        form_key: template.form_key.clone(),
        process_key: template.process_key.clone(),
    };
    let service = insert(
        tx,
        &new,
        Some(&template.id),
        &nomenclatures,
        overrides.population,
        now,
    )
    .await?;
    let event = Event::new(actor, "catalog.service_adopted", &service.id)
        .in_administration(administration_id)
        .with(serde_json::json!({
            "template": template.key,
            "slug": service.slug,
            "fee_minor": service.facts.fee.minor,
            "currency": service.facts.fee.currency.code(),
            "deadline_working_days": service.facts.deadline_working_days,
            "units": service.facts.units,
            "nomenclatures": service.nomenclatures,
        }));
    portico_audit::append(tx, event, now).await?;
    Ok(service)
}

async fn get_by_slug_in(tx: &mut Tx, slug: &str) -> Result<Option<Service>, CatalogError> {
    let sql = format!("SELECT {COLUMNS} FROM services WHERE slug = $1");
    let row = sqlx::query(&sql)
        .bind(slug)
        .fetch_optional(&mut **tx)
        .await?;
    row.as_ref().map(service_from).transpose()
}

/// A service by id, published or not.
pub async fn get(db: &Db, id: &str) -> Result<Option<Service>, CatalogError> {
    let sql = format!("SELECT {COLUMNS} FROM services WHERE id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(db.pool()).await?;
    row.as_ref().map(service_from).transpose()
}

/// A service by its address, published or not.
pub async fn by_slug(db: &Db, slug: &str) -> Result<Option<Service>, CatalogError> {
    let sql = format!("SELECT {COLUMNS} FROM services WHERE slug = $1");
    let row = sqlx::query(&sql)
        .bind(slug)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(service_from).transpose()
}

/// Every published service (what the search index is built from).
pub async fn list_published(db: &Db) -> Result<Vec<Service>, CatalogError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM services WHERE published_at IS NOT NULL ORDER BY title_bg, id"
    );
    let rows = sqlx::query(&sql).fetch_all(db.pool()).await?;
    rows.iter().map(service_from).collect()
}

pub async fn list_for_administration(
    db: &Db,
    administration_id: &str,
) -> Result<Vec<Service>, CatalogError> {
    let sql =
        format!("SELECT {COLUMNS} FROM services WHERE administration_id = $1 ORDER BY title_bg");
    let rows = sqlx::query(&sql)
        .bind(administration_id)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(service_from).collect()
}

/// The catalog's change counter (see [`super::bump_version`]).
pub async fn version(db: &Db) -> Result<i64, CatalogError> {
    let (v,): (i64,) = sqlx::query_as("SELECT version FROM catalog_version WHERE id = 1")
        .fetch_one(db.pool())
        .await?;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(is_valid_slug("address-registration-sofia"));
        assert!(!is_valid_slug("Address"));
        assert!(!is_valid_slug("a--b"));
        assert!(!is_valid_slug("-ab"));
        assert!(!is_valid_slug("ab"));
        assert_eq!(
            slug_for("address-registration", "Sofia Municipality"),
            "address-registration-sofia"
        );
        assert_eq!(
            slug_for("x-y", "Veliko Tarnovo Municipality"),
            "x-y-veliko-tarnovo"
        );
        assert_eq!(slug_for("x-y", "Municipality"), "x-y");
    }
}
