use crate::model::Role;
use crate::IdentityError;
use chrono::{DateTime, Utc};
use portico_audit::Event;
use portico_core::clock::to_millis;
use portico_core::new_id;
use portico_core::RoleGrant;
use portico_store::{Db, Tx};

/// Gives an account a role in an administration (and optionally one of its units). Granting a
/// role the account already holds changes nothing.
pub async fn grant(
    tx: &mut Tx,
    account_id: &str,
    administration_id: &str,
    unit_id: Option<&str>,
    role: Role,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<bool, IdentityError> {
    let known: Option<(String,)> = sqlx::query_as("SELECT id FROM administrations WHERE id = $1")
        .bind(administration_id)
        .fetch_optional(&mut **tx)
        .await?;
    if known.is_none() {
        return Err(IdentityError::UnknownAdministration);
    }
    if let Some(unit) = unit_id {
        let in_admin: Option<(String,)> =
            sqlx::query_as("SELECT id FROM units WHERE id = $1 AND administration_id = $2")
                .bind(unit)
                .bind(administration_id)
                .fetch_optional(&mut **tx)
                .await?;
        if in_admin.is_none() {
            return Err(IdentityError::UnknownUnit);
        }
    }
    let existing: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM role_assignments WHERE account_id = $1 AND administration_id = $2 AND role = $3
           AND ((unit_id IS NULL AND $4 IS NULL) OR unit_id = $4)",
    )
    .bind(account_id)
    .bind(administration_id)
    .bind(role.as_str())
    .bind(unit_id)
    .fetch_optional(&mut **tx)
    .await?;
    if existing.is_some() {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO role_assignments (id, account_id, administration_id, unit_id, role, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new_id())
    .bind(account_id)
    .bind(administration_id)
    .bind(unit_id)
    .bind(role.as_str())
    .bind(to_millis(now))
    .execute(&mut **tx)
    .await?;
    let event = Event::new(actor, "identity.role_granted", account_id)
        .in_administration(administration_id)
        .with(serde_json::json!({ "role": role.as_str(), "unit_id": unit_id }));
    portico_audit::append(tx, event, now).await?;
    Ok(true)
}

pub async fn revoke(
    tx: &mut Tx,
    account_id: &str,
    administration_id: &str,
    role: Role,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<bool, IdentityError> {
    let done = sqlx::query("DELETE FROM role_assignments WHERE account_id = $1 AND administration_id = $2 AND role = $3")
        .bind(account_id)
        .bind(administration_id)
        .bind(role.as_str())
        .execute(&mut **tx)
        .await?;
    if done.rows_affected() > 0 {
        let event = Event::new(actor, "identity.role_revoked", account_id)
            .in_administration(administration_id)
            .with(serde_json::json!({ "role": role.as_str() }));
        portico_audit::append(tx, event, now).await?;
    }
    Ok(done.rows_affected() > 0)
}

pub async fn list_for(db: &Db, account_id: &str) -> Result<Vec<RoleGrant>, IdentityError> {
    let rows: Vec<(String, Option<String>, String)> = sqlx::query_as(
        "SELECT administration_id, unit_id, role FROM role_assignments WHERE account_id = $1 ORDER BY created_at",
    )
    .bind(account_id)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(administration_id, unit_id, role)| {
            Ok(RoleGrant {
                administration_id,
                unit_id,
                role: parse_role(&role)?,
            })
        })
        .collect()
}

/// A staff member holding a role in an administration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub account_id: String,
    pub name: String,
    pub unit_id: Option<String>,
    pub role: Role,
}

/// A role name read back from the database; one this build does not know is an error, never a
/// silently dropped grant.
fn parse_role(name: &str) -> Result<Role, IdentityError> {
    name.parse()
        .map_err(|e: portico_core::actor::UnknownRole| IdentityError::Internal(e.to_string()))
}

/// Everyone holding `role` in the administration, by name: whom a case can be given to.
pub async fn holders(
    db: &Db,
    administration_id: &str,
    role: Role,
) -> Result<Vec<Holder>, IdentityError> {
    let rows: Vec<(String, String, String, Option<String>, String)> = sqlx::query_as(
        "SELECT a.id, a.given_name, a.family_name, r.unit_id, r.role FROM role_assignments r \
         JOIN accounts a ON a.id = r.account_id \
         WHERE r.administration_id = $1 AND r.role = $2 AND a.disabled_at IS NULL \
         ORDER BY a.family_name, a.given_name",
    )
    .bind(administration_id)
    .bind(role.as_str())
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(account_id, given, family, unit_id, role)| {
            Ok(Holder {
                account_id,
                name: format!("{given} {family}"),
                unit_id,
                role: parse_role(&role)?,
            })
        })
        .collect()
}
