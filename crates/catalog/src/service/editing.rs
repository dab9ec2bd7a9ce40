//! The service console's rules for a service's form and process: an administration admin
//! publishes a new version of the service's e-form, and chooses the process its applications
//! follow from the library.
//!
//! A form shared by several services (the templates share a few) is never changed for all of
//! them: the first edit gives the service its own copy, under a form key of its own, numbered
//! after the version it was copied from. Publishing always makes a new version; an application
//! keeps the version it was started with (and the cases block keeps the process key it was
//! started with), so no change breaks an application in progress.

use super::local::{authorize, get_in};
use super::{bump_version, nomenclatures};
use crate::forms::{self, FormVersion};
use crate::model::Service;
use crate::CatalogError;
use chrono::{DateTime, Utc};
use portico_audit::Event;
use portico_core::clock::to_millis;
use portico_core::{Actor, FieldError};
use portico_store::Tx;
use serde_json::Value;
use std::collections::BTreeMap;

/// One process of the library a service may follow. The definitions belong to the cases block,
/// which runs them; the catalog keeps only which one a service chose (a test in the cases block
/// checks that every key here is one it can run).
#[derive(Debug, Clone, Copy)]
pub struct LibraryProcess {
    pub key: &'static str,
    pub name_bg: &'static str,
    pub name_en: &'static str,
    pub about_bg: &'static str,
    pub about_en: &'static str,
    /// Whether it waits for the consent of the people the form names.
    pub consents: bool,
}

impl LibraryProcess {
    pub fn name(&self, lang: portico_http::Lang) -> &'static str {
        match lang {
            portico_http::Lang::Bg => self.name_bg,
            portico_http::Lang::En => self.name_en,
        }
    }

    pub fn about(&self, lang: portico_http::Lang) -> &'static str {
        match lang {
            portico_http::Lang::Bg => self.about_bg,
            portico_http::Lang::En => self.about_en,
        }
    }
}

/// The processes an administration may choose from. Each waits for the fee first when the
/// service has one.
pub const PROCESS_LIBRARY: &[LibraryProcess] = &[
    LibraryProcess {
        key: "standard",
        name_bg: "Стандартна",
        name_en: "Standard",
        about_bg: "Подадено, плащане на таксата (ако има), разглеждане, искане на допълнителна информация, решение.",
        about_en: "Submitted, the fee paid (if there is one), in review, more information asked for, decided.",
        consents: false,
    },
    LibraryProcess {
        key: "with_consent",
        name_bg: "Със съгласие",
        name_en: "With consents",
        about_bg: "Като стандартната, но преди разглеждане чака съгласието на лицата, посочени във формуляра (собственик, втори родител).",
        about_en: "Like the standard one, but before review it waits for the consent of the people the form names (an owner, a second parent).",
        consents: true,
    },
    LibraryProcess {
        key: "address_registration",
        name_bg: "Адресна регистрация",
        name_en: "Address registration",
        about_bg: "Съгласие на собственика, плащане и разглеждане, както при адресна регистрация.",
        about_en: "The owner's consent, the fee and review, as for an address registration.",
        consents: true,
    },
];

/// The library process with this key (`with-consent` and `with_consent` are the same key).
pub fn library_process(key: &str) -> Option<&'static LibraryProcess> {
    let key = key.replace('-', "_");
    PROCESS_LIBRARY.iter().find(|p| p.key == key)
}

/// Whether this key names a process that waits for consents (a key outside the library is
/// assumed not to).
fn takes_consents(process_key: &str) -> bool {
    library_process(process_key).is_some_and(|p| p.consents)
}

/// The form key a service's own copy of its form has: its slug.
pub fn own_form_key(service: &Service) -> Option<String> {
    forms::is_valid_key(&service.slug).then(|| service.slug.clone())
}

/// A form definition as typed, read and checked but not stored: what a preview shows.
/// JSON that does not parse is a field error (`schema` or `layout`); a definition that
/// `forms::check_definition` refuses is [`CatalogError::BadForm`] with its reason; a list
/// (nomenclature) that has no entries, or consents the service's process does not wait for,
/// are field errors of the layout.
pub async fn draft(
    tx: &mut Tx,
    service: &Service,
    schema_text: &str,
    layout_text: &str,
    now: DateTime<Utc>,
) -> Result<FormVersion, CatalogError> {
    let mut errors = Vec::new();
    let schema: Option<Value> = serde_json::from_str(schema_text).ok();
    if schema.is_none() {
        errors.push(FieldError::new("schema", "catalog.form.schema_json"));
    }
    let layout: Option<Value> = serde_json::from_str(layout_text).ok();
    if layout.is_none() {
        errors.push(FieldError::new("layout", "catalog.form.layout_json"));
    }
    let (Some(schema), Some(layout)) = (schema, layout) else {
        return Err(CatalogError::Invalid(errors));
    };
    let parsed = forms::check_definition(&schema, &layout).map_err(CatalogError::BadForm)?;
    if !parsed.consents.is_empty() && !takes_consents(&service.process_key) {
        return Err(CatalogError::field(
            "layout",
            "catalog.form.consents_need_process",
        ));
    }
    let form = FormVersion {
        id: String::new(),
        form_key: service.form_key.clone().unwrap_or_default(),
        version: 0,
        schema,
        layout: parsed,
        published_at: now,
        published_by: String::new(),
    };
    // A field choosing from a list nobody has filled could never be answered.
    for list in form.clone().for_service(service).nomenclatures() {
        if !nomenclatures::exists_in(tx, &list).await? {
            return Err(CatalogError::field(
                "layout",
                "catalog.form.unknown_nomenclature",
            ));
        }
    }
    Ok(form)
}

/// Publishes a new version of the service's form: on its own copy (made now if the service
/// still uses a shared form), after the same checks as [`draft`]. Refused, nothing changes.
pub async fn publish_form(
    tx: &mut Tx,
    actor: &Actor,
    service_id: &str,
    schema_text: &str,
    layout_text: &str,
    now: DateTime<Utc>,
) -> Result<FormVersion, CatalogError> {
    let service = get_in(tx, service_id).await?;
    authorize(actor, &service.administration_id)?;
    let checked = draft(tx, &service, schema_text, layout_text, now).await?;
    let own = own_form_key(&service)
        .ok_or_else(|| CatalogError::Internal(format!("slug {} is no form key", service.slug)))?;
    let copied_from = match &service.form_key {
        Some(key) if *key != own => forms::current_in(tx, key).await?,
        _ => None,
    };
    if copied_from.is_some() && own_key_taken(tx, &own, &service.id).await? {
        return Err(CatalogError::Conflict);
    }
    let after = copied_from.as_ref().map_or(0, |f| f.version);
    let layout = serde_json::to_value(&checked.layout)?;
    let by = actor.audit_id();
    let published =
        forms::publish_after(tx, &own, after, &checked.schema, &layout, &by, now).await?;
    if service.form_key.as_deref() != Some(own.as_str()) {
        sqlx::query("UPDATE services SET form_key = $1, updated_at = $2 WHERE id = $3")
            .bind(&own)
            .bind(to_millis(now))
            .bind(&service.id)
            .execute(&mut **tx)
            .await?;
    }
    bump_version(tx).await?;
    let event = Event::new(&by, "catalog.service_form_changed", &service.id)
        .in_administration(&service.administration_id)
        .with(serde_json::json!({
            "slug": service.slug,
            "form_key": own,
            "version": published.version,
            "copied_from": copied_from.map(|f| f.form_key),
        }));
    portico_audit::append(tx, event, now).await?;
    Ok(published)
}

/// Whether a form key is already someone else's: another service's or a template's.
async fn own_key_taken(tx: &mut Tx, key: &str, service_id: &str) -> Result<bool, CatalogError> {
    let (services,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM services WHERE form_key = $1 AND id <> $2")
            .bind(key)
            .bind(service_id)
            .fetch_one(&mut **tx)
            .await?;
    let (templates,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM service_templates WHERE form_key = $1")
            .bind(key)
            .fetch_one(&mut **tx)
            .await?;
    Ok(services + templates > 0)
}

/// Chooses the process from the library that the service's new applications follow.
/// Applications already started keep theirs. A form that names people to consent needs a
/// process that waits for them.
pub async fn set_process(
    tx: &mut Tx,
    actor: &Actor,
    service_id: &str,
    process_key: &str,
    now: DateTime<Utc>,
) -> Result<Service, CatalogError> {
    let mut service = get_in(tx, service_id).await?;
    authorize(actor, &service.administration_id)?;
    let chosen = library_process(process_key)
        .ok_or_else(|| CatalogError::field("process", "catalog.process.unknown"))?;
    if library_process(&service.process_key).is_some_and(|p| p.key == chosen.key) {
        return Ok(service);
    }
    if !chosen.consents {
        if let Some(key) = &service.form_key {
            let form = forms::current_in(tx, key).await?;
            if form.is_some_and(|f| !f.layout.consents.is_empty()) {
                return Err(CatalogError::field(
                    "process",
                    "catalog.process.form_needs_consents",
                ));
            }
        }
    }
    // Deadlines tuned for the states of the old process do not carry over to the new one.
    sqlx::query(
        "UPDATE services SET process_key = $1, state_deadlines = NULL, updated_at = $2 WHERE id = $3",
    )
        .bind(chosen.key)
        .bind(to_millis(now))
        .bind(&service.id)
        .execute(&mut **tx)
        .await?;
    bump_version(tx).await?;
    let event = Event::new(
        &actor.audit_id(),
        "catalog.service_process_changed",
        &service.id,
    )
    .in_administration(&service.administration_id)
    .with(serde_json::json!({
        "slug": service.slug,
        "from": service.process_key,
        "to": chosen.key,
    }));
    portico_audit::append(tx, event, now).await?;
    service.process_key = chosen.key.to_owned();
    service.state_deadlines.clear();
    Ok(service)
}

/// The longest deadline an administration may give a state, in working days (about a year).
pub const MAX_STATE_DEADLINE: u32 = 250;

/// Sets the administration's own deadlines, in working days, for states of the service's
/// process (state id → days; a state not named keeps the library's). Which states the process
/// has is the cases block's to say: it checks the ids before calling. Applications already
/// started keep the deadlines they were started with (the cases block copies them then).
/// A number out of range is a field error `deadline-{state}`; nothing changes.
pub async fn set_state_deadlines(
    tx: &mut Tx,
    actor: &Actor,
    service_id: &str,
    deadlines: &BTreeMap<String, u32>,
    now: DateTime<Utc>,
) -> Result<Service, CatalogError> {
    let mut service = get_in(tx, service_id).await?;
    authorize(actor, &service.administration_id)?;
    let mut errors = Vec::new();
    for (state, days) in deadlines {
        if state.is_empty()
            || !state
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(CatalogError::field("deadlines", "catalog.deadlines.state"));
        }
        if *days == 0 || *days > MAX_STATE_DEADLINE {
            errors.push(FieldError::new(
                &format!("deadline-{state}"),
                "catalog.deadlines.range",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(CatalogError::Invalid(errors));
    }
    if *deadlines == service.state_deadlines {
        return Ok(service);
    }
    let stored = if deadlines.is_empty() {
        None
    } else {
        Some(serde_json::to_string(deadlines)?)
    };
    sqlx::query("UPDATE services SET state_deadlines = $1, updated_at = $2 WHERE id = $3")
        .bind(stored)
        .bind(to_millis(now))
        .bind(&service.id)
        .execute(&mut **tx)
        .await?;
    bump_version(tx).await?;
    let event = Event::new(
        &actor.audit_id(),
        "catalog.service_deadlines_changed",
        &service.id,
    )
    .in_administration(&service.administration_id)
    .with(serde_json::json!({
        "slug": service.slug,
        "process": service.process_key,
        "from": service.state_deadlines,
        "to": deadlines,
    }));
    portico_audit::append(tx, event, now).await?;
    service.state_deadlines = deadlines.clone();
    Ok(service)
}
