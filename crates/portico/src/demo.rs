//! Demo data: Sofia Municipality with its 24 districts, Burgas, Veliko Tarnovo and Chelopech, and
//! a few accounts to try every role. The administrations and accounts are JSON files in
//! `crates/portico/demo/` (the catalog's services are the catalog's own files, see
//! `docs/catalog.md`), compiled into the binary. Seeding is idempotent: each thing is looked up
//! by its natural key (EIK, unit code, e-mail) and created only if missing, so running the demo
//! twice gives the same data, not twice the data.

use anyhow::{anyhow, bail, Context, Result};
use portico_core::{AdministrationKind, Clock, Eik};
use portico_identity::model::{NewAdministration, NewStaff, Registration, Role};
use portico_identity::service::{accounts, administrations, password, roles};
use portico_store::Db;
use serde::Deserialize;
use std::collections::HashMap;

pub const DEMO_PASSWORD: &str = "portico-demo-password";
/// Everyone in the demo shares this authenticator key, so a tester can add it to an app once.
pub const DEMO_TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
pub const SOFIA_EIK: &str = "000696327";
const SYSTEM: &str = "system:demo";

/// The administrations, in the order they are created.
const ADMINISTRATIONS: (&str, &str) = (
    "demo/administrations.json",
    include_str!("../demo/administrations.json"),
);
/// The accounts, in the order they are created.
const ACCOUNTS: (&str, &str) = ("demo/accounts.json", include_str!("../demo/accounts.json"));

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Name {
    bg: String,
    en: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoUnit {
    code: String,
    name: Name,
}

/// An administration with its units. Each of its `districts` becomes an administration of kind
/// `district` under it (EIK: the parent's nine digits, the district's number from 001, a check
/// digit) with the `district_units`, and also a unit of the parent with the district's code.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoAdministration {
    eik: String,
    name: Name,
    kind: AdministrationKind,
    #[serde(default)]
    districts: Vec<DemoUnit>,
    #[serde(default)]
    district_units: Vec<DemoUnit>,
    #[serde(default)]
    units: Vec<DemoUnit>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoRole {
    role: String,
    administration_eik: String,
    #[serde(default)]
    unit: Option<String>,
}

/// A citizen's synthetic EGN (birth date and serial) and phone.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoCitizen {
    born: chrono::NaiveDate,
    egn_serial: u32,
    phone: String,
}

/// A staff account with its roles, or a citizen's account.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoAccount {
    email: String,
    given_name: String,
    family_name: String,
    /// What the start-up message says the account is for.
    shown_as: String,
    #[serde(default)]
    roles: Vec<DemoRole>,
    #[serde(default)]
    citizen: Option<DemoCitizen>,
}

fn parse<T: serde::de::DeserializeOwned>((path, text): (&str, &str)) -> Result<T> {
    serde_json::from_str(text).with_context(|| format!("demo data {path}"))
}

fn role(name: &str) -> Result<Role> {
    name.parse()
        .map_err(|_| anyhow!("demo data {}: unknown role {name}", ACCOUNTS.0))
}

/// What the demo created (or found), for the start-up message.
#[derive(Debug, Default)]
pub struct Seeded {
    pub administrations: usize,
    pub accounts: Vec<(String, String)>,
}

async fn ensure_administration(
    db: &Db,
    clock: &dyn Clock,
    new: NewAdministration,
) -> Result<String> {
    let mut tx = db.begin().await?;
    if let Some(existing) = administrations::find_by_eik_in(&mut tx, new.eik.as_str()).await? {
        return Ok(existing.id);
    }
    let created = administrations::create(&mut tx, &new, SYSTEM, clock.now()).await?;
    tx.commit().await?;
    Ok(created.id)
}

async fn ensure_unit(
    db: &Db,
    clock: &dyn Clock,
    administration_id: &str,
    code: &str,
    bg: &str,
    en: &str,
) -> Result<String> {
    if let Some(unit) = administrations::list_units(db, administration_id)
        .await?
        .into_iter()
        .find(|u| u.code == code)
    {
        return Ok(unit.id);
    }
    let mut tx = db.begin().await?;
    let unit = administrations::create_unit(
        &mut tx,
        administration_id,
        code,
        bg,
        en,
        SYSTEM,
        clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(unit.id)
}

fn eik(digits: &str) -> Result<Eik> {
    Eik::parse(digits).map_err(|e| anyhow!("demo EIK {digits}: {e}"))
}

/// A 13-digit EIK for a subdivision: the parent's nine digits, a 3-digit number, a check digit.
fn branch_eik(parent: &str, n: usize) -> Result<Eik> {
    Eik::complete(&format!("{parent}{n:03}"))
        .ok_or_else(|| anyhow!("cannot make a branch EIK for {parent}/{n}"))
}

async fn ensure_staff(
    db: &Db,
    clock: &dyn Clock,
    email: &str,
    given: &str,
    family: &str,
) -> Result<String> {
    if let Some(account) = accounts::find_by_email(db, email).await? {
        return Ok(account.id);
    }
    let hash = password::hash(DEMO_PASSWORD.to_owned()).await?;
    let staff = NewStaff {
        given_name: given.into(),
        family_name: family.into(),
        email: email.into(),
        password: String::new(),
    };
    let mut tx = db.begin().await?;
    let id = accounts::create_staff(&mut tx, &staff, &hash, SYSTEM, clock.now()).await?;
    tx.commit().await?;
    Ok(id)
}

async fn ensure_role(
    db: &Db,
    clock: &dyn Clock,
    account: &str,
    administration: &str,
    unit: Option<&str>,
    role: Role,
) -> Result<()> {
    let mut tx = db.begin().await?;
    roles::grant(
        &mut tx,
        account,
        administration,
        unit,
        role,
        SYSTEM,
        clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn ensure_citizen(
    db: &Db,
    clock: &dyn Clock,
    egn: &str,
    account: &DemoAccount,
    phone: &str,
) -> Result<String> {
    if let Some(existing) = accounts::find_by_email(db, &account.email).await? {
        return Ok(existing.id);
    }
    let reg = Registration {
        personal_id_kind: "egn".into(),
        personal_id: egn.into(),
        given_name: account.given_name.clone(),
        family_name: account.family_name.clone(),
        email: account.email.clone(),
        phone: phone.into(),
        password: DEMO_PASSWORD.into(),
        password_confirm: DEMO_PASSWORD.into(),
    };
    let valid = accounts::validate(&reg).map_err(|e| anyhow!("demo citizen: {e}"))?;
    let hash = password::hash(DEMO_PASSWORD.to_owned()).await?;
    let mut tx = db.begin().await?;
    let created = accounts::register(&mut tx, &valid, &hash, clock.now()).await?;
    tx.commit().await?;
    Ok(created.id)
}

/// Gives a demo account the shared authenticator key, if it has none yet.
async fn ensure_demo_totp(db: &Db, clock: &dyn Clock, account_id: &str) -> Result<()> {
    use portico_identity::service::totp;
    if totp::is_enrolled(db, account_id).await? {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    totp::enrol_with_secret(&mut tx, account_id, DEMO_TOTP_SECRET, clock.now()).await?;
    tx.commit().await?;
    Ok(())
}

/// How many ballots the demo's "Sofia Chooses GREEN" starts with (2022's had more than 7,000).
pub const DEMO_BALLOTS: usize = 7_200;

/// The demo's participatory budgets: "Sofia Chooses GREEN" open for voting with `ballots`
/// ballots, and "Sofia Chooses 2027" taking proposals (apart from [`seed`], which the tests
/// share, so that their counts of ballots start from none). Returns the ballots written.
pub async fn seed_participation(db: &Db, clock: &dyn Clock, ballots: usize) -> Result<usize> {
    let mut tx = db.begin().await?;
    let sofia = administrations::find_by_eik_in(&mut tx, SOFIA_EIK)
        .await?
        .ok_or_else(|| anyhow!("demo data: Sofia Municipality is missing"))?;
    tx.commit().await?;
    let ctx = portico_participation::service::Participation::new(
        db.clone(),
        std::sync::Arc::new(portico_core::FixedClock::new(clock.now())),
        portico_core::Pseudonymiser::new(b"participation-demo".to_vec()),
    );
    Ok(portico_participation::service::demo::seed(&ctx, &sofia.id, ballots).await?)
}

/// How many synthetic people the demo puts in the population register (besides the demo
/// citizen's family); `portico registries generate --people N` makes more.
pub const DEMO_PEOPLE: usize = 400;

/// A registries context for seeding: it signs nothing and logs no queries, so a throwaway key
/// and pseudonymiser are enough.
fn registries(db: &Db, clock: &dyn Clock) -> portico_registries::service::Registries {
    portico_registries::service::Registries::new(
        db.clone(),
        std::sync::Arc::new(portico_core::FixedClock::new(clock.now())),
        portico_audit::SigningKey::generate(),
        portico_core::Pseudonymiser::new(b"seeding".to_vec()),
    )
}

/// `portico registries generate`: the demo registers (when Sofia exists) and `people` synthetic
/// people with their addresses and companies. Returns what it made.
pub async fn generate_registries(
    db: &Db,
    clock: &dyn Clock,
    people: usize,
) -> Result<portico_registries::service::demo::Generated> {
    let ctx = registries(db, clock);
    let mut tx = db.begin().await?;
    let sofia = administrations::find_by_eik_in(&mut tx, SOFIA_EIK).await?;
    tx.commit().await?;
    if let Some(sofia) = sofia {
        portico_registries::service::demo::define(&ctx, &sofia.id).await?;
    }
    Ok(portico_registries::service::demo::generate(&ctx, people).await?)
}

/// A valid Bulgarian IBAN (ISO 13616 check digits) of the central bank's test range, one per
/// demo administration: `BGkk BNBG 9661 30nn nnnn nn`.
pub fn demo_iban(n: usize) -> String {
    let bban = format!("BNBG966130{:08}", n % 100_000_000);
    // ISO 7064 mod 97-10 over the BBAN, then "BG00", letters as 10..35.
    let digits: String = format!("{bban}BG00")
        .chars()
        .map(|c| match c.to_digit(36) {
            Some(d) => d.to_string(),
            None => String::new(),
        })
        .collect();
    let remainder = digits
        .bytes()
        .fold(0u32, |r, b| (r * 10 + u32::from(b - b'0')) % 97);
    format!("BG{:02}{bban}", 98 - remainder)
}

/// Every demo administration is paid into its own account, so its services' fees can be asked.
async fn ensure_payment_accounts(
    db: &Db,
    clock: &dyn Clock,
    ids: &HashMap<String, String>,
) -> Result<()> {
    let payments = portico_payments::service::Payments::new(
        db.clone(),
        std::sync::Arc::new(portico_core::FixedClock::new(clock.now())),
        std::sync::Arc::new(tokio::sync::Notify::new()),
    );
    let mut eiks: Vec<&String> = ids.keys().collect();
    eiks.sort();
    for (n, eik) in eiks.into_iter().enumerate() {
        let id = &ids[eik];
        if portico_payments::service::accounts::get(db, id)
            .await?
            .is_some()
        {
            continue;
        }
        let Some(administration) = administrations::get(db, id).await? else {
            continue;
        };
        let name: String = administration.name_bg.chars().take(70).collect();
        portico_payments::service::accounts::set(
            &payments,
            &portico_core::Actor::System("demo"),
            id,
            &name,
            &demo_iban(n + 1),
            "BNBGBGSD",
        )
        .await?;
    }
    Ok(())
}

pub async fn seed(db: &Db, clock: &dyn Clock) -> Result<Seeded> {
    let mut seeded = Seeded::default();
    let listed: Vec<DemoAdministration> = parse(ADMINISTRATIONS)?;
    // EIK → id, for the roles below.
    let mut ids = HashMap::new();
    for a in &listed {
        let id = ensure_administration(
            db,
            clock,
            NewAdministration {
                name_bg: a.name.bg.clone(),
                name_en: a.name.en.clone(),
                kind: a.kind,
                eik: eik(&a.eik)?,
                parent_id: None,
            },
        )
        .await?;
        seeded.administrations += 1;
        for (n, district) in a.districts.iter().enumerate() {
            let district_eik = branch_eik(&a.eik, n + 1)?;
            let district_id = ensure_administration(
                db,
                clock,
                NewAdministration {
                    name_bg: district.name.bg.clone(),
                    name_en: district.name.en.clone(),
                    kind: AdministrationKind::District,
                    eik: district_eik.clone(),
                    parent_id: Some(id.clone()),
                },
            )
            .await?;
            seeded.administrations += 1;
            for unit in &a.district_units {
                ensure_unit(
                    db,
                    clock,
                    &district_id,
                    &unit.code,
                    &unit.name.bg,
                    &unit.name.en,
                )
                .await?;
            }
            // Sofia works address registrations in its districts: one unit of the municipality each.
            ensure_unit(
                db,
                clock,
                &id,
                &district.code,
                &district.name.bg,
                &district.name.en,
            )
            .await?;
            ids.insert(district_eik.to_string(), district_id);
        }
        for unit in &a.units {
            ensure_unit(db, clock, &id, &unit.code, &unit.name.bg, &unit.name.en).await?;
        }
        ids.insert(a.eik.clone(), id);
    }

    ensure_payment_accounts(db, clock, &ids).await?;

    let listed: Vec<DemoAccount> = parse(ACCOUNTS)?;
    let mut created = Vec::new();
    for a in &listed {
        let account = match &a.citizen {
            Some(c) => {
                let egn = portico_core::personal_id::synthetic_egn(c.born, c.egn_serial);
                ensure_citizen(db, clock, &egn, a, &c.phone).await?
            }
            None => ensure_staff(db, clock, &a.email, &a.given_name, &a.family_name).await?,
        };
        for r in &a.roles {
            let Some(administration) = ids.get(&r.administration_eik) else {
                bail!(
                    "demo data {}: {} has a role in {}, which is not a demo administration",
                    ACCOUNTS.0,
                    a.email,
                    r.administration_eik
                );
            };
            let unit = match &r.unit {
                Some(code) => Some(
                    administrations::list_units(db, administration)
                        .await?
                        .into_iter()
                        .find(|u| &u.code == code)
                        .map(|u| u.id)
                        .ok_or_else(|| anyhow!("demo data {}: no unit {code}", ACCOUNTS.0))?,
                ),
                None => None,
            };
            ensure_role(
                db,
                clock,
                &account,
                administration,
                unit.as_deref(),
                role(&r.role)?,
            )
            .await?;
        }
        created.push(account);
    }
    for id in &created {
        ensure_demo_totp(db, clock, id).await?;
    }
    portico_catalog::demo::seed(db, clock).await?;
    // The base registers, with the demo citizen and their family in the population register.
    let ivan = listed
        .iter()
        .find_map(|a| a.citizen.as_ref())
        .map(|c| portico_core::personal_id::synthetic_egn(c.born, c.egn_serial))
        .ok_or_else(|| anyhow!("demo data {}: no citizen", ACCOUNTS.0))?;
    let sofia = ids
        .get(SOFIA_EIK)
        .ok_or_else(|| anyhow!("demo data: Sofia Municipality is missing"))?;
    portico_registries::service::demo::seed(&registries(db, clock), sofia, &ivan, DEMO_PEOPLE)
        .await?;
    // The citizen first, then staff from the unit up, as the README lists them.
    seeded.accounts = listed
        .into_iter()
        .rev()
        .map(|a| (a.email, a.shown_as))
        .collect();
    Ok(seeded)
}

/// The open data portal's demo datasets (generated; see `portico_opendata::demo`), through the
/// block's service functions with the configured blob store. The number created.
pub async fn seed_open_data(
    config: &crate::config::Config,
    db: &Db,
    clock: std::sync::Arc<dyn Clock>,
) -> Result<usize> {
    let blobs =
        portico_store::BlobStore::from_url_opts(&config.blob_url, config.blob_options.clone())?;
    let ctx = portico_opendata::service::OpenData {
        db: db.clone(),
        blobs,
        clock,
        index: Default::default(),
    };
    Ok(portico_opendata::demo::seed(&ctx).await?)
}

/// Publishes the demo's performance figures as an open dataset (as the platform's own
/// organisation, as for the service catalog) and, the first time, schedules the job that keeps
/// them current. Says whether the dataset was new.
pub async fn publish_performance(
    config: &crate::config::Config,
    db: &Db,
    clock: std::sync::Arc<dyn Clock>,
) -> Result<bool> {
    use portico_insights::service::{open_data, Insights};
    let blobs =
        portico_store::BlobStore::from_url_opts(&config.blob_url, config.blob_options.clone())?;
    let open = portico_opendata::service::OpenData {
        db: db.clone(),
        blobs,
        clock: clock.clone(),
        index: Default::default(),
    };
    let insights = Insights::new(db.clone(), clock, Default::default());
    let first = portico_opendata::service::datasets::find(db, open_data::DATASET)
        .await?
        .is_none();
    open_data::publish(&insights, &open).await?;
    if first {
        open_data::schedule(&insights, open_data::PUBLISH_EVERY_SECONDS).await?;
    }
    Ok(first)
}

#[cfg(test)]
mod tests;
