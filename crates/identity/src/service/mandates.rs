//! Mandates: a person authorises another person to act for them (every service, or named ones,
//! until a date), confirmed with step-up and revocable at once; and a company's representatives,
//! recorded by an administration admin until the commercial register is connected. The agent
//! switches "acting as" in the header ([`act_as`]); the session then carries the mandate, checked
//! afresh on every request ([`acting_for`]), so a revoked or expired mandate stops at once.

use crate::service::step_up::StepUp;
use crate::IdentityError;
use chrono::{DateTime, Utc};
use portico_audit::Event;
use portico_core::clock::{from_millis, to_millis};
use portico_core::{new_id, Actor, Assurance, Eik, Role};
use portico_http::session::ActingFor;
use portico_store::{Db, Tx};

/// The step-up purpose that confirms granting a mandate.
pub const GRANT_PURPOSE: &str = "identity.mandate_grant";

/// Granting a mandate and acting under one need the person to be known, not only claimed.
pub const ASSURANCE: Assurance = Assurance::Substantial;

/// Which services a mandate covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Services {
    All,
    Named(Vec<String>),
}

impl Services {
    fn stored(&self) -> String {
        match self {
            Services::All => "*".into(),
            Services::Named(names) => names.join(","),
        }
    }

    fn from_stored(s: &str) -> Services {
        if s == "*" {
            Services::All
        } else {
            Services::Named(s.split(',').map(str::to_owned).collect())
        }
    }

    /// From a form: `*` or nothing for all; otherwise service slugs separated by commas or spaces.
    pub fn parse(s: &str) -> Result<Services, IdentityError> {
        let names: Vec<String> = s
            .split([',', ' ', '\n'])
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .collect();
        if names.is_empty() || names.iter().any(|n| n == "*") {
            return Ok(Services::All);
        }
        let ok = names.len() <= 50
            && names.iter().all(|n| {
                n.len() <= 100
                    && n.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            });
        if !ok {
            return Err(IdentityError::field("services", "mandate_services_invalid"));
        }
        Ok(Services::Named(names))
    }

    pub fn covers(&self, service: &str) -> bool {
        match self {
            Services::All => true,
            Services::Named(names) => names.iter().any(|n| n == service),
        }
    }
}

/// A mandate as its principal and agent see it.
#[derive(Debug, Clone)]
pub struct Mandate {
    pub id: String,
    pub principal_account_id: Option<String>,
    pub company_eik: Option<String>,
    /// The principal's name: the person's, or the company's.
    pub principal_name: String,
    pub agent_account_id: String,
    pub agent_name: String,
    pub services: Services,
    pub valid_until: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Mandate {
    pub fn active_at(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.valid_until > now
    }
}

type Row = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
);

const SELECT: &str = "SELECT m.id, m.principal_account_id, m.company_eik, m.company_name, p.given_name, p.family_name,
        m.agent_account_id, a.given_name, a.family_name, m.services, m.valid_until, m.revoked_at
     FROM mandates m JOIN accounts a ON a.id = m.agent_account_id
     LEFT JOIN accounts p ON p.id = m.principal_account_id";

fn from_row(r: Row) -> Mandate {
    let (id, principal, eik, company, pg, pf, agent, ag, af, services, until, revoked) = r;
    Mandate {
        principal_name: match (company, pg, pf) {
            (Some(company), _, _) => company,
            (None, Some(g), Some(f)) => format!("{g} {f}"),
            _ => String::new(),
        },
        id,
        principal_account_id: principal,
        company_eik: eik,
        agent_account_id: agent,
        agent_name: format!("{ag} {af}"),
        services: Services::from_stored(&services),
        valid_until: from_millis(until),
        revoked_at: revoked.map(from_millis),
    }
}

/// What a person asks for when they grant a mandate.
#[derive(Debug, Clone)]
pub struct NewMandate {
    /// The agent's personal number.
    pub agent_personal_id: String,
    pub services: Services,
    pub valid_until: DateTime<Utc>,
}

fn check_until(until: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), IdentityError> {
    if until <= now || until > now + chrono::Duration::days(5 * 366) {
        return Err(IdentityError::field("valid_until", "mandate_until_invalid"));
    }
    Ok(())
}

async fn agent_by_personal_id(tx: &mut Tx, personal_id: &str) -> Result<String, IdentityError> {
    let found: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM accounts WHERE personal_id = $1 AND kind = 'citizen' AND disabled_at IS NULL",
    )
    .bind(personal_id.trim())
    .fetch_optional(&mut **tx)
    .await?;
    found
        .map(|(id,)| id)
        .ok_or_else(|| IdentityError::field("agent_personal_id", "mandate_agent_unknown"))
}

/// The acting person authorises another person. Needs [`ASSURANCE`] and a step-up proof for
/// [`GRANT_PURPOSE`]; the agent is named by personal number and must have an account. Audited
/// as `identity.mandate_granted` (for the principal, naming the agent's account).
pub async fn grant(
    tx: &mut Tx,
    actor: &Actor,
    confirmed: &StepUp,
    new: &NewMandate,
    now: DateTime<Utc>,
) -> Result<String, IdentityError> {
    let principal = actor.account_id().ok_or(IdentityError::Forbidden)?;
    if actor.on_behalf_of().is_some() {
        // An agent does not pass their principal's affairs on to someone else.
        return Err(IdentityError::Forbidden);
    }
    if !confirmed.is_for(principal, GRANT_PURPOSE) {
        return Err(IdentityError::WrongCode);
    }
    check_until(new.valid_until, now)?;
    let agent = agent_by_personal_id(tx, &new.agent_personal_id).await?;
    if agent == principal {
        return Err(IdentityError::field(
            "agent_personal_id",
            "mandate_agent_self",
        ));
    }
    let id = new_id();
    sqlx::query(
        "INSERT INTO mandates (id, principal_account_id, agent_account_id, services, valid_until, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(principal)
    .bind(&agent)
    .bind(new.services.stored())
    .bind(to_millis(new.valid_until))
    .bind(principal)
    .bind(to_millis(now))
    .execute(&mut **tx)
    .await?;
    let event =
        Event::new(principal, "identity.mandate_granted", principal).with(serde_json::json!({
            "mandate": id, "agent": agent, "services": new.services.stored(),
            "valid_until": to_millis(new.valid_until),
        }));
    portico_audit::append(tx, event, now).await?;
    Ok(id)
}

/// A company's representative, recorded by an administration admin (or the platform admin).
/// Audited as `identity.representative_recorded`.
pub async fn record_representative(
    tx: &mut Tx,
    actor: &Actor,
    company: &Eik,
    company_name: &str,
    representative_personal_id: &str,
    valid_until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<String, IdentityError> {
    let admin = match actor {
        Actor::Person(p)
            if p.roles
                .iter()
                .any(|r| matches!(r.role, Role::AdministrationAdmin | Role::PlatformAdmin)) =>
        {
            p.account_id.clone()
        }
        _ => return Err(IdentityError::Forbidden),
    };
    let name = company_name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(IdentityError::field(
            "company_name",
            "mandate_company_name_invalid",
        ));
    }
    check_until(valid_until, now)?;
    let agent = agent_by_personal_id(tx, representative_personal_id).await?;
    let id = new_id();
    sqlx::query(
        "INSERT INTO mandates (id, company_eik, company_name, agent_account_id, services, valid_until, created_by, created_at)
         VALUES ($1, $2, $3, $4, '*', $5, $6, $7)",
    )
    .bind(&id)
    .bind(company.as_str())
    .bind(name)
    .bind(&agent)
    .bind(to_millis(valid_until))
    .bind(&admin)
    .bind(to_millis(now))
    .execute(&mut **tx)
    .await?;
    let event = Event::new(&admin, "identity.representative_recorded", &agent)
        .with(serde_json::json!({ "mandate": id, "company_eik": company.as_str() }));
    portico_audit::append(tx, event, now).await?;
    Ok(id)
}

/// Ends a mandate at once: its principal, its agent (renouncing it), or, for a company's, an
/// administration admin. Sessions acting under it stop on their next request. To anyone else
/// it does not exist. Audited as `identity.mandate_revoked`.
pub async fn revoke(
    tx: &mut Tx,
    actor: &Actor,
    mandate_id: &str,
    now: DateTime<Utc>,
) -> Result<(), IdentityError> {
    let me = actor.account_id().ok_or(IdentityError::NotFound)?;
    let sql = format!("{SELECT} WHERE m.id = $1");
    let row: Option<Row> = sqlx::query_as(&sql)
        .bind(mandate_id)
        .fetch_optional(&mut **tx)
        .await?;
    let mandate = row.map(from_row).ok_or(IdentityError::NotFound)?;
    let is_admin = matches!(actor, Actor::Person(p) if p.roles.iter().any(|r| matches!(r.role, Role::AdministrationAdmin | Role::PlatformAdmin)));
    let allowed = mandate.principal_account_id.as_deref() == Some(me)
        || mandate.agent_account_id == me
        || (mandate.company_eik.is_some() && is_admin);
    if !allowed || actor.on_behalf_of().is_some() {
        return Err(IdentityError::NotFound);
    }
    sqlx::query(
        "UPDATE mandates SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL",
    )
    .bind(to_millis(now))
    .bind(me)
    .bind(mandate_id)
    .execute(&mut **tx)
    .await?;
    let subject = mandate
        .principal_account_id
        .clone()
        .unwrap_or_else(|| mandate.agent_account_id.clone());
    let event = Event::new(me, "identity.mandate_revoked", &subject)
        .with(serde_json::json!({ "mandate": mandate_id, "agent": mandate.agent_account_id }));
    portico_audit::append(tx, event, now).await?;
    Ok(())
}

/// The mandates a person gave (as principal), newest first.
pub async fn given(db: &Db, account_id: &str) -> Result<Vec<Mandate>, IdentityError> {
    let sql = format!("{SELECT} WHERE m.principal_account_id = $1 ORDER BY m.created_at DESC");
    let rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(account_id)
        .fetch_all(db.pool())
        .await?;
    Ok(rows.into_iter().map(from_row).collect())
}

/// The mandates a person holds (as agent) that are in force now.
pub async fn held(
    db: &Db,
    account_id: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Mandate>, IdentityError> {
    let sql = format!(
        "{SELECT} WHERE m.agent_account_id = $1 AND m.revoked_at IS NULL AND m.valid_until > $2 ORDER BY m.created_at DESC"
    );
    let rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(account_id)
        .bind(to_millis(now))
        .fetch_all(db.pool())
        .await?;
    Ok(rows.into_iter().map(from_row).collect())
}

/// Starts acting under `mandate_id` in this session, or stops (`None`). The mandate must be the
/// person's own and in force, and the session at least [`ASSURANCE`]. Audited as
/// `identity.acting_as` with the mandate (or `null`).
pub async fn act_as(
    tx: &mut Tx,
    actor: &Actor,
    session_id: &str,
    mandate_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), IdentityError> {
    let me = actor.account_id().ok_or(IdentityError::Forbidden)?;
    if let Some(id) = mandate_id {
        actor
            .require(ASSURANCE)
            .map_err(IdentityError::NeedsAssurance)?;
        let found: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM mandates WHERE id = $1 AND agent_account_id = $2 AND revoked_at IS NULL AND valid_until > $3",
        )
        .bind(id)
        .bind(me)
        .bind(to_millis(now))
        .fetch_optional(&mut **tx)
        .await?;
        if found.is_none() {
            return Err(IdentityError::NotFound);
        }
    }
    sqlx::query("UPDATE sessions SET acting_for = $1 WHERE id = $2 AND account_id = $3")
        .bind(mandate_id)
        .bind(session_id)
        .bind(me)
        .execute(&mut **tx)
        .await?;
    let event =
        Event::new(me, "identity.acting_as", me).with(serde_json::json!({ "mandate": mandate_id }));
    portico_audit::append(tx, event, now).await?;
    Ok(())
}

/// The principal a session acts for, if its mandate is still in force (else nobody: a revoked
/// or expired mandate ends acting at once).
pub async fn acting_for(
    db: &Db,
    agent_account_id: &str,
    mandate_id: &str,
    now: DateTime<Utc>,
) -> Result<Option<ActingFor>, IdentityError> {
    let sql = format!(
        "{SELECT} WHERE m.id = $1 AND m.agent_account_id = $2 AND m.revoked_at IS NULL AND m.valid_until > $3"
    );
    let row: Option<Row> = sqlx::query_as(&sql)
        .bind(mandate_id)
        .bind(agent_account_id)
        .bind(to_millis(now))
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(from_row).map(|m| ActingFor {
        mandate_id: m.id,
        account_id: m.principal_account_id,
        company_eik: m.company_eik,
        name: m.principal_name,
    }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn services_are_all_or_named_slugs() {
        assert_eq!(Services::parse("").unwrap(), Services::All);
        assert_eq!(Services::parse("*").unwrap(), Services::All);
        let named = Services::parse("address-registration-sofia, local-tax").unwrap();
        assert!(named.covers("local-tax"));
        assert!(!named.covers("other"));
        assert!(Services::parse("DROP TABLE").is_err());
    }
}
