//! Demo data for the catalog: the shared "Address registration" template with its form, adopted
//! by Sofia Municipality (worked in its 24 districts) and by Chelopech; Sofia's addresses; and a
//! few other real-life services in Sofia, Burgas, Veliko Tarnovo and Chelopech.
//!
//! The data is JSON under `crates/catalog/demo/` (the format is in `docs/catalog.md`), compiled
//! into the binary, read with serde into the model types. Seeding is idempotent: each thing is
//! looked up by its natural key (slug, template key, form key, entry code) first.

use crate::forms;
use crate::model::{NewService, NomenclatureEntry, Overrides, ServiceFacts};
use crate::service::{self, nomenclatures, templates};
use crate::CatalogError;
use portico_core::Clock;
use portico_identity::service::administrations;
use portico_store::Db;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

const SYSTEM: &str = "system:demo";
pub const ADDRESS_REGISTRATION: &str = "address-registration";
pub const GENERAL_APPLICATION: &str = "general-application";
pub const SOFIA_EIK: &str = "000696327";

/// One data file: its path under `crates/catalog/demo/` and its text.
#[derive(Debug, Clone, Copy)]
pub struct DemoFile {
    pub path: &'static str,
    pub text: &'static str,
}

macro_rules! demo_files {
    ($($path:literal),* $(,)?) => {
        &[$(DemoFile { path: $path, text: include_str!(concat!("../demo/", $path)) }),*]
    };
}

// Each list is seeded in its order. A file in `demo/` that no list names fails a unit test.
pub const NOMENCLATURES: &[DemoFile] = demo_files![
    "nomenclatures/sofia_addresses.json",
    "nomenclatures/chelopech_addresses.json",
];
pub const FORMS: &[DemoFile] = demo_files![
    "forms/address-registration.json",
    "forms/general-application.json",
    "forms/outdoor-seating.json",
    "forms/certificate-request.json",
    "forms/permit-application.json",
    "forms/register-correction.json",
];
pub const TEMPLATES: &[DemoFile] = demo_files![
    "templates/address-registration.json",
    "templates/accommodation-classification.json",
    "templates/advertising-permit.json",
    "templates/as-built-documentation.json",
    "templates/birth-certificate.json",
    "templates/building-permit.json",
    "templates/burial-plot.json",
    "templates/civil-marriage.json",
    "templates/civil-status-documents-abroad.json",
    "templates/current-address-certificate.json",
    "templates/death-certificate.json",
    "templates/design-visa.json",
    "templates/disabled-parking-card.json",
    "templates/excavation-permit.json",
    "templates/first-grade-admission.json",
    "templates/general-application.json",
    "templates/heirs-certificate.json",
    "templates/home-social-care.json",
    "templates/investment-project-approval.json",
    "templates/kindergarten-admission.json",
    "templates/land-plot-sketch.json",
    "templates/local-tax-declaration.json",
    "templates/local-tax-refund.json",
    "templates/marital-status-certificate.json",
    "templates/municipal-farmland-rent.json",
    "templates/municipal-housing-register.json",
    "templates/municipal-property-certificate.json",
    "templates/name-identity-certificate.json",
    "templates/occupancy-certificate.json",
    "templates/one-off-social-assistance.json",
    "templates/outdoor-seating.json",
    "templates/patent-tax-declaration.json",
    "templates/permanent-address-certificate.json",
    "templates/pet-registration.json",
    "templates/property-tax-assessment.json",
    "templates/public-event-permit.json",
    "templates/register-correction.json",
    "templates/report-a-problem.json",
    "templates/residents-parking-permit.json",
    "templates/school-transport.json",
    "templates/shop-opening-hours.json",
    "templates/sports-hall-booking.json",
    "templates/street-vending-permit.json",
    "templates/tax-assessment-certificate.json",
    "templates/tax-debt-certificate.json",
    "templates/taxi-permit.json",
    "templates/temporary-structure-permit.json",
    "templates/tolerance-certificate.json",
    "templates/tourist-tax-declaration.json",
    "templates/tree-felling-permit.json",
    "templates/vehicle-tax.json",
    "templates/waste-fee-exemption.json",
];
pub const ADOPTIONS: &[DemoFile] = demo_files![
    "adoptions/address-registration-sofia.json",
    "adoptions/address-registration-chelopech.json",
    "adoptions/accommodation-classification-burgas.json",
    "adoptions/advertising-permit-sofia.json",
    "adoptions/as-built-documentation-burgas.json",
    "adoptions/birth-certificate-sofia.json",
    "adoptions/building-permit-sofia.json",
    "adoptions/burial-plot-sofia.json",
    "adoptions/civil-marriage-veliko-tarnovo.json",
    "adoptions/civil-status-documents-abroad-sofia.json",
    "adoptions/current-address-certificate-burgas.json",
    "adoptions/death-certificate-burgas.json",
    "adoptions/design-visa-sofia.json",
    "adoptions/disabled-parking-card-burgas.json",
    "adoptions/excavation-permit-sofia.json",
    "adoptions/first-grade-admission-burgas.json",
    "adoptions/general-application-chelopech.json",
    "adoptions/heirs-certificate-sredets.json",
    "adoptions/home-social-care-veliko-tarnovo.json",
    "adoptions/investment-project-approval-burgas.json",
    "adoptions/kindergarten-admission-sofia.json",
    "adoptions/land-plot-sketch-sofia.json",
    "adoptions/local-tax-declaration-burgas.json",
    "adoptions/local-tax-refund-sofia.json",
    "adoptions/marital-status-certificate-sofia.json",
    "adoptions/municipal-farmland-rent-chelopech.json",
    "adoptions/municipal-housing-register-sofia.json",
    "adoptions/municipal-property-certificate-veliko-tarnovo.json",
    "adoptions/name-identity-certificate-sofia.json",
    "adoptions/occupancy-certificate-veliko-tarnovo.json",
    "adoptions/one-off-social-assistance-veliko-tarnovo.json",
    "adoptions/outdoor-seating-sofia.json",
    "adoptions/patent-tax-declaration-veliko-tarnovo.json",
    "adoptions/permanent-address-certificate-sofia.json",
    "adoptions/pet-registration-sofia.json",
    "adoptions/property-tax-assessment-veliko-tarnovo.json",
    "adoptions/public-event-permit-sofia.json",
    "adoptions/register-correction-sofia.json",
    "adoptions/report-a-problem-chelopech.json",
    "adoptions/residents-parking-permit-sofia.json",
    "adoptions/school-transport-chelopech.json",
    "adoptions/shop-opening-hours-burgas.json",
    "adoptions/sports-hall-booking-veliko-tarnovo.json",
    "adoptions/street-vending-permit-burgas.json",
    "adoptions/tax-assessment-certificate-chelopech.json",
    "adoptions/tax-debt-certificate-sofia.json",
    "adoptions/taxi-permit-veliko-tarnovo.json",
    "adoptions/temporary-structure-permit-sofia.json",
    "adoptions/tolerance-certificate-veliko-tarnovo.json",
    "adoptions/tourist-tax-declaration-burgas.json",
    "adoptions/tree-felling-permit-sofia.json",
    "adoptions/vehicle-tax-burgas.json",
    "adoptions/waste-fee-exemption-sofia.json",
];
pub const SERVICES: &[DemoFile] = demo_files![
    "services/heirs-certificate-burgas.json",
    "services/marital-status-certificate-veliko-tarnovo.json",
];

/// A nomenclature and the entries the demo makes sure it has.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DemoNomenclature {
    pub key: String,
    pub entries: Vec<NomenclatureEntry>,
}

/// A form, published as its first version if the key has none.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DemoForm {
    pub key: String,
    pub schema: Value,
    pub layout: Value,
}

/// A shared service template.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DemoTemplate {
    pub key: String,
    pub form_key: Option<String>,
    pub process_key: String,
    pub facts: ServiceFacts,
}

/// An administration adopting a template; skipped when the administration is not there.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DemoAdoption {
    pub template: String,
    pub administration_eik: String,
    pub overrides: Overrides,
}

/// A service made directly, without a template; skipped when its administration is not there.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DemoService {
    pub slug: String,
    pub administration_eik: String,
    pub form_key: Option<String>,
    pub process_key: String,
    pub facts: ServiceFacts,
}

/// Every demo file, parsed.
#[derive(Debug, Clone)]
pub struct DemoData {
    pub nomenclatures: Vec<DemoNomenclature>,
    pub forms: Vec<DemoForm>,
    pub templates: Vec<DemoTemplate>,
    pub adoptions: Vec<DemoAdoption>,
    pub services: Vec<DemoService>,
}

fn demo_error(file: &DemoFile, reason: impl std::fmt::Display) -> CatalogError {
    CatalogError::DemoData {
        file: file.path,
        reason: reason.to_string(),
    }
}

/// The keys of `written` that `read` does not have: fields serde ignored, most likely typos.
fn unknown_keys(written: &Value, read: &Value, at: &str, found: &mut Vec<String>) {
    match (written, read) {
        (Value::Object(w), Value::Object(r)) => {
            for (key, value) in w {
                let here = format!("{at}/{key}");
                match r.get(key) {
                    Some(known) => unknown_keys(value, known, &here, found),
                    None => found.push(here),
                }
            }
        }
        (Value::Array(w), Value::Array(r)) => {
            for (i, (value, known)) in w.iter().zip(r).enumerate() {
                unknown_keys(value, known, &format!("{at}/{i}"), found);
            }
        }
        _ => {}
    }
}

/// Parses one file into `T`, refusing fields that `T` does not have. The error names the file.
pub fn parse<T: Serialize + DeserializeOwned>(file: &DemoFile) -> Result<T, CatalogError> {
    let written: Value = serde_json::from_str(file.text).map_err(|e| demo_error(file, e))?;
    let parsed: T = serde_json::from_value(written.clone()).map_err(|e| demo_error(file, e))?;
    let read = serde_json::to_value(&parsed).map_err(|e| demo_error(file, e))?;
    let mut unknown = Vec::new();
    unknown_keys(&written, &read, "", &mut unknown);
    if !unknown.is_empty() {
        return Err(demo_error(
            file,
            format!("unknown field(s) {}", unknown.join(", ")),
        ));
    }
    Ok(parsed)
}

fn parse_all<T: Serialize + DeserializeOwned>(files: &[DemoFile]) -> Result<Vec<T>, CatalogError> {
    files.iter().map(parse).collect()
}

/// Reads every demo file.
pub fn load() -> Result<DemoData, CatalogError> {
    Ok(DemoData {
        nomenclatures: parse_all(NOMENCLATURES)?,
        forms: parse_all(FORMS)?,
        templates: parse_all(TEMPLATES)?,
        adoptions: parse_all(ADOPTIONS)?,
        services: parse_all(SERVICES)?,
    })
}

/// A demo form's schema and layout, by key.
pub fn form(key: &str) -> Result<(Value, Value), CatalogError> {
    for file in FORMS {
        let form: DemoForm = parse(file)?;
        if form.key == key {
            return Ok((form.schema, form.layout));
        }
    }
    Err(CatalogError::NotFound)
}

/// The address registration form: who applies (and for which children), the new address, and
/// an optional proof of the right to live there. (`Null`s if its file does not parse, which the
/// unit tests over every demo file rule out.)
pub fn address_registration_form() -> (Value, Value) {
    form(ADDRESS_REGISTRATION).unwrap_or_default()
}

/// A plain application for services without a form of their own: what is asked, a phone, files.
pub fn general_application_form() -> (Value, Value) {
    form(GENERAL_APPLICATION).unwrap_or_default()
}

async fn find_administration(db: &Db, eik: &str) -> Result<Option<String>, CatalogError> {
    let mut tx = db.begin().await?;
    let found = administrations::find_by_eik_in(&mut tx, eik).await?;
    tx.rollback().await?;
    Ok(found.map(|a| a.id))
}

async fn ensure_form(db: &Db, clock: &dyn Clock, form: &DemoForm) -> Result<(), CatalogError> {
    if forms::current(db, &form.key).await?.is_some() {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    forms::publish(
        &mut tx,
        &form.key,
        &form.schema,
        &form.layout,
        SYSTEM,
        clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn ensure_template(
    db: &Db,
    clock: &dyn Clock,
    template: &DemoTemplate,
) -> Result<(), CatalogError> {
    if templates::get_by_key(db, &template.key).await?.is_some() {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    templates::create(
        &mut tx,
        &template.key,
        &template.facts,
        template.form_key.as_deref(),
        &template.process_key,
        SYSTEM,
        clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn ensure_adopted(
    db: &Db,
    clock: &dyn Clock,
    adoption: &DemoAdoption,
) -> Result<(), CatalogError> {
    if let Some(slug) = &adoption.overrides.slug {
        if service::by_slug(db, slug).await?.is_some() {
            return Ok(());
        }
    }
    let Some(administration_id) = find_administration(db, &adoption.administration_eik).await?
    else {
        return Ok(());
    };
    let mut tx = db.begin().await?;
    service::adopt(
        &mut tx,
        &adoption.template,
        &administration_id,
        &adoption.overrides,
        SYSTEM,
        clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn ensure_service(
    db: &Db,
    clock: &dyn Clock,
    demo: &DemoService,
) -> Result<(), CatalogError> {
    if service::by_slug(db, &demo.slug).await?.is_some() {
        return Ok(());
    }
    let Some(administration_id) = find_administration(db, &demo.administration_eik).await? else {
        return Ok(());
    };
    let new = NewService {
        slug: demo.slug.clone(),
        administration_id,
        facts: demo.facts.clone(),
        form_key: demo.form_key.clone(),
        process_key: demo.process_key.clone(),
    };
    let mut tx = db.begin().await?;
    service::create(&mut tx, &new, SYSTEM, clock.now()).await?;
    tx.commit().await?;
    Ok(())
}

/// What the demo has in the catalog afterwards.
#[derive(Debug, Default)]
pub struct SeededCatalog {
    pub services: usize,
    pub addresses: usize,
}

/// Seeds the catalog. Needs identity's demo administrations (Sofia and its districts, Burgas,
/// Veliko Tarnovo, Chelopech); services of those it cannot find are skipped.
pub async fn seed(db: &Db, clock: &dyn Clock) -> Result<SeededCatalog, CatalogError> {
    let data = load()?;
    let mut tx = db.begin().await?;
    for nomenclature in &data.nomenclatures {
        nomenclatures::add_missing(
            &mut tx,
            &nomenclature.key,
            &nomenclature.entries,
            SYSTEM,
            clock.now(),
        )
        .await?;
    }
    tx.commit().await?;
    for form in &data.forms {
        ensure_form(db, clock, form).await?;
    }
    for template in &data.templates {
        ensure_template(db, clock, template).await?;
    }
    for adoption in &data.adoptions {
        ensure_adopted(db, clock, adoption).await?;
    }
    for demo in &data.services {
        ensure_service(db, clock, demo).await?;
    }
    let addresses = data
        .nomenclatures
        .iter()
        .filter(|n| n.key == nomenclatures::SOFIA_ADDRESSES)
        .map(|n| n.entries.len())
        .sum();
    Ok(SeededCatalog {
        services: service::list_published(db).await?.len(),
        addresses,
    })
}

#[cfg(test)]
mod tests;
