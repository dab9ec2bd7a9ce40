//! `portico admin …`: onboarding administrations and their first staff from the command line.

use anyhow::{anyhow, bail, Result};
use portico_core::{AdministrationKind, Clock, Eik};
use portico_identity::model::{Administration, NewAdministration, NewStaff, Role};
use portico_identity::service::{accounts, administrations, password, roles};
use portico_identity::IdentityError;
use portico_store::Db;
use std::str::FromStr;

const ACTOR: &str = "system:cli";

/// Explains an identity error in a sentence for the terminal.
fn explain(e: IdentityError) -> anyhow::Error {
    match e {
        IdentityError::Invalid(fields) => {
            let list: Vec<String> = fields
                .iter()
                .map(|f| format!("{}: {}", f.field, f.code))
                .collect();
            anyhow!("invalid input ({})", list.join(", "))
        }
        IdentityError::UnknownAdministration => {
            anyhow!("no administration with that EIK or id exists; nothing was changed")
        }
        IdentityError::UnknownUnit => {
            anyhow!("that administration has no unit with this code; nothing was changed")
        }
        other => anyhow!(other),
    }
}

pub async fn find_administration(db: &Db, eik_or_id: &str) -> Result<Administration> {
    if let Some(found) = administrations::get(db, eik_or_id).await.map_err(explain)? {
        return Ok(found);
    }
    let mut tx = db.begin().await?;
    let found = administrations::find_by_eik_in(&mut tx, eik_or_id.trim())
        .await
        .map_err(explain)?;
    found.ok_or_else(|| {
        anyhow!("no administration with EIK or id {eik_or_id:?} exists; nothing was changed")
    })
}

pub async fn add_administration(
    db: &Db,
    clock: &dyn Clock,
    name_bg: &str,
    name_en: &str,
    kind: &str,
    eik: &str,
    parent: Option<&str>,
) -> Result<Administration> {
    let kind = AdministrationKind::from_str(kind).map_err(|_| {
        anyhow!("kind must be one of ministry, agency, municipality, district, other; not {kind:?}")
    })?;
    let eik = Eik::parse(eik).map_err(|e| anyhow!("EIK {eik:?} is not valid: {e}"))?;
    let parent_id = match parent {
        Some(p) => Some(find_administration(db, p).await?.id),
        None => None,
    };
    let new = NewAdministration {
        name_bg: name_bg.into(),
        name_en: name_en.into(),
        kind,
        eik,
        parent_id,
    };
    let mut tx = db.begin().await?;
    let created = administrations::create(&mut tx, &new, ACTOR, clock.now())
        .await
        .map_err(explain)?;
    tx.commit().await?;
    Ok(created)
}

pub async fn add_unit(
    db: &Db,
    clock: &dyn Clock,
    administration: &str,
    code: &str,
    name_bg: &str,
    name_en: &str,
) -> Result<String> {
    let administration = find_administration(db, administration).await?;
    let mut tx = db.begin().await?;
    let unit = administrations::create_unit(
        &mut tx,
        &administration.id,
        code,
        name_bg,
        name_en,
        ACTOR,
        clock.now(),
    )
    .await
    .map_err(explain)?;
    tx.commit().await?;
    Ok(unit.id)
}

pub struct StaffRequest<'a> {
    pub administration: &'a str,
    pub unit: Option<&'a str>,
    pub email: &'a str,
    pub given_name: &'a str,
    pub family_name: &'a str,
    pub role: &'a str,
    pub password: &'a str,
}

/// Creates a staff account with a role in an administration, checking everything before any write.
pub async fn add_staff(db: &Db, clock: &dyn Clock, req: StaffRequest<'_>) -> Result<String> {
    let role = Role::from_str(req.role)
        .map_err(|_| anyhow!("role must be one of operator, administration_admin, register_owner, platform_admin, identity_verifier, data_publisher; not {:?}", req.role))?;
    if let Some(problem) = password::check_strength(req.password) {
        bail!(
            "the password is not acceptable ({problem}): use at least {} characters",
            password::MIN_LENGTH
        );
    }
    let administration = find_administration(db, req.administration).await?;
    let unit_id = match req.unit {
        Some(code) => Some(
            administrations::list_units(db, &administration.id)
                .await
                .map_err(explain)?
                .into_iter()
                .find(|u| u.code == code)
                .ok_or_else(|| {
                    anyhow!(
                        "{} has no unit with code {code:?}; nothing was changed",
                        administration.name_en
                    )
                })?
                .id,
        ),
        None => None,
    };
    let hash = password::hash(req.password.to_owned())
        .await
        .map_err(explain)?;
    let staff = NewStaff {
        given_name: req.given_name.into(),
        family_name: req.family_name.into(),
        email: req.email.into(),
        password: String::new(),
    };
    // The account and its role are one change: both or neither.
    let mut tx = db.begin().await?;
    let id = accounts::create_staff(&mut tx, &staff, &hash, ACTOR, clock.now())
        .await
        .map_err(explain)?;
    roles::grant(
        &mut tx,
        &id,
        &administration.id,
        unit_id.as_deref(),
        role,
        ACTOR,
        clock.now(),
    )
    .await
    .map_err(explain)?;
    tx.commit().await?;
    Ok(id)
}
