//! The service console's rules: what an administration sets for itself on a service it provides
//! (fee, deadline, the units that work it, contacts and opening hours, payment and delivery
//! channels, required documents), and publishing or withdrawing it. Only the administration's
//! own admins (or a platform admin) may, signed in with two factors; every change is audited and
//! bumps the catalog version. The form and process are changed in [`super::editing`]; applications keep
//! the form version they were started with, so a change never breaks one in progress.

use super::bump_version;
use super::services::{service_from, COLUMNS};
use crate::model::{Contact, Service, Text};
use crate::topics::{self, DELIVERY_CHANNELS, PAYMENT_OPTIONS};
use crate::CatalogError;
use chrono::{DateTime, Utc};
use portico_audit::Event;
use portico_core::clock::to_millis;
use portico_core::{Actor, Assurance, FieldError, Money, Role};
use portico_store::Tx;

/// What an administration decides for itself about a service it provides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalParts {
    pub fee: Money,
    pub fee_note: Text,
    pub deadline_working_days: u32,
    /// Unit codes. The first is where an application goes when the form does not route it (by
    /// the district of an address, for instance).
    pub units: Vec<String>,
    pub contact: Contact,
    pub payment_options: Vec<String>,
    pub delivery_channels: Vec<String>,
    pub required_documents: Vec<Text>,
}

impl LocalParts {
    /// The parts as a service has them now.
    pub fn of(service: &Service) -> LocalParts {
        let f = &service.facts;
        LocalParts {
            fee: f.fee,
            fee_note: f.fee_note.clone(),
            deadline_working_days: f.deadline_working_days,
            units: f.units.clone(),
            contact: f.contact.clone(),
            payment_options: f.payment_options.clone(),
            delivery_channels: f.delivery_channels.clone(),
            required_documents: f.required_documents.clone(),
        }
    }

    /// Checks the parts against the administration's units; every problem is a field error.
    pub fn check(&self, unit_codes: &[String]) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.fee.minor < 0 {
            errors.push(FieldError::new("fee", "catalog.fee.invalid"));
        }
        if self.deadline_working_days > 365 {
            errors.push(FieldError::new("deadline", "catalog.deadline.invalid"));
        }
        let mut seen = Vec::new();
        for u in &self.units {
            if !unit_codes.contains(u) || seen.contains(&u) {
                errors.push(FieldError::new("units", "catalog.unit.unknown"));
                break;
            }
            seen.push(u);
        }
        if self.fee.minor > 0 && self.payment_options.is_empty() {
            errors.push(FieldError::new(
                "payment_options",
                "catalog.payment.missing",
            ));
        }
        if self
            .payment_options
            .iter()
            .any(|p| !topics::is_known(PAYMENT_OPTIONS, p))
        {
            errors.push(FieldError::new("payment_options", "catalog.code.unknown"));
        }
        if self.delivery_channels.is_empty() {
            errors.push(FieldError::new(
                "delivery_channels",
                "catalog.delivery.missing",
            ));
        } else if self
            .delivery_channels
            .iter()
            .any(|d| !topics::is_known(DELIVERY_CHANNELS, d))
        {
            errors.push(FieldError::new("delivery_channels", "catalog.code.unknown"));
        }
        let email = self.contact.email.trim();
        let plausible = email.contains('@') && email.contains('.');
        if !email.is_empty() && !plausible {
            errors.push(FieldError::new("contact_email", "catalog.email.invalid"));
        }
        if self.required_documents.len() > 30
            || self
                .required_documents
                .iter()
                .any(|d| d.bg.trim().is_empty() || d.en.trim().is_empty())
        {
            errors.push(FieldError::new(
                "required_documents",
                "catalog.documents.unpaired",
            ));
        }
        errors
    }
}

/// The API scope that lets an administration's API client run the console for its services.
pub const SCOPE: &str = "catalog";

/// Who may run the console for a service: its administration's admin or a platform admin,
/// signed in with two factors (the level of assurance `substantial`), or an API client of that
/// administration with the scope `catalog`.
pub(crate) fn authorize(actor: &Actor, administration_id: &str) -> Result<(), CatalogError> {
    if !may_manage(actor, administration_id) {
        return Err(CatalogError::Forbidden);
    }
    Ok(actor.require(Assurance::Substantial)?)
}

/// May this actor run the console for services of this administration (whatever their level of
/// assurance)? For pages that decide between 404 and showing the service.
pub fn may_manage(actor: &Actor, administration_id: &str) -> bool {
    match actor {
        Actor::ApiClient(c) => {
            c.administration_id == administration_id && c.scopes.iter().any(|s| s == SCOPE)
        }
        _ => {
            actor.is_platform_admin()
                || actor.has_role(administration_id, Role::AdministrationAdmin)
        }
    }
}

pub(crate) async fn get_in(tx: &mut Tx, id: &str) -> Result<Service, CatalogError> {
    let sql = format!("SELECT {COLUMNS} FROM services WHERE id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(&mut **tx).await?;
    row.as_ref()
        .map(service_from)
        .transpose()?
        .ok_or(CatalogError::NotFound)
}

/// Sets the administration's own parts of a service. `unit_codes` are the codes of the
/// administration's units (from identity). Refused field by field, nothing changed.
pub async fn update(
    tx: &mut Tx,
    actor: &Actor,
    service_id: &str,
    parts: &LocalParts,
    unit_codes: &[String],
    now: DateTime<Utc>,
) -> Result<Service, CatalogError> {
    let mut service = get_in(tx, service_id).await?;
    authorize(actor, &service.administration_id)?;
    let errors = parts.check(unit_codes);
    if !errors.is_empty() {
        return Err(CatalogError::Invalid(errors));
    }
    let before = LocalParts::of(&service);
    let contact = Contact {
        phone: parts.contact.phone.trim().to_owned(),
        email: parts.contact.email.trim().to_owned(),
        address: parts.contact.address.clone(),
        hours: parts.contact.hours.clone(),
    };
    sqlx::query(
        "UPDATE services SET fee_minor = $1, fee_currency = $2, fee_note_bg = $3, fee_note_en = $4,
            deadline_working_days = $5, units = $6, contact = $7, payment_options = $8,
            delivery_channels = $9, required_documents = $10, updated_at = $11
         WHERE id = $12",
    )
    .bind(parts.fee.minor)
    .bind(parts.fee.currency.code())
    .bind(&parts.fee_note.bg)
    .bind(&parts.fee_note.en)
    .bind(i64::from(parts.deadline_working_days))
    .bind(serde_json::to_string(&parts.units)?)
    .bind(serde_json::to_string(&contact)?)
    .bind(serde_json::to_string(&parts.payment_options)?)
    .bind(serde_json::to_string(&parts.delivery_channels)?)
    .bind(serde_json::to_string(&parts.required_documents)?)
    .bind(to_millis(now))
    .bind(&service.id)
    .execute(&mut **tx)
    .await?;
    bump_version(tx).await?;
    let f = &mut service.facts;
    f.fee = parts.fee;
    f.fee_note = parts.fee_note.clone();
    f.deadline_working_days = parts.deadline_working_days;
    f.units = parts.units.clone();
    f.contact = contact;
    f.payment_options = parts.payment_options.clone();
    f.delivery_channels = parts.delivery_channels.clone();
    f.required_documents = parts.required_documents.clone();
    let mut changed = Vec::new();
    let after = LocalParts::of(&service);
    for (name, differs) in [
        (
            "fee",
            before.fee != after.fee || before.fee_note != after.fee_note,
        ),
        (
            "deadline_working_days",
            before.deadline_working_days != after.deadline_working_days,
        ),
        ("units", before.units != after.units),
        ("contact", before.contact != after.contact),
        (
            "payment_options",
            before.payment_options != after.payment_options,
        ),
        (
            "delivery_channels",
            before.delivery_channels != after.delivery_channels,
        ),
        (
            "required_documents",
            before.required_documents != after.required_documents,
        ),
    ] {
        if differs {
            changed.push(name);
        }
    }
    let event = Event::new(&actor.audit_id(), "catalog.service_changed", &service.id)
        .in_administration(&service.administration_id)
        .with(serde_json::json!({
            "slug": service.slug,
            "changed": changed,
            "fee_minor": service.facts.fee.minor,
            "deadline_working_days": service.facts.deadline_working_days,
            "units": service.facts.units,
        }));
    portico_audit::append(tx, event, now).await?;
    Ok(service)
}

/// Publishes a service (`true`) or withdraws it from the catalog (`false`). A withdrawn service
/// is not found by search, its page is gone and it takes no new applications; drafts and
/// applications already begun go on. Doing what is already done changes nothing.
pub async fn set_published(
    tx: &mut Tx,
    actor: &Actor,
    service_id: &str,
    published: bool,
    now: DateTime<Utc>,
) -> Result<Service, CatalogError> {
    let mut service = get_in(tx, service_id).await?;
    authorize(actor, &service.administration_id)?;
    if service.published_at.is_some() == published {
        return Ok(service);
    }
    let at = published.then_some(now);
    sqlx::query("UPDATE services SET published_at = $1, updated_at = $2 WHERE id = $3")
        .bind(at.map(to_millis))
        .bind(to_millis(now))
        .bind(&service.id)
        .execute(&mut **tx)
        .await?;
    bump_version(tx).await?;
    service.published_at = at;
    let by = actor.audit_id();
    let event = if published {
        Event::new(&by, "catalog.service_published", &service.id)
    } else {
        Event::new(&by, "catalog.service_unpublished", &service.id)
    };
    let event = event
        .in_administration(&service.administration_id)
        .with(serde_json::json!({ "slug": service.slug }));
    portico_audit::append(tx, event, now).await?;
    Ok(service)
}
