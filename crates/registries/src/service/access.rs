//! The access matrix: an administration asks for an operation for a legal basis and purpose; the
//! register's owner approves it, limited to named response fields and a period, or refuses. Each
//! step is audited. Queries look their grant up here.

use super::caller::acting;
use super::Registries;
use crate::error::RegistryError;
use crate::model::{Access, AccessDecision, AccessRequest};
use portico_audit::Event;
use portico_core::clock::to_millis;
use portico_core::{new_id, Actor, Role};
use portico_store::Db;

fn clean(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

/// An administration (its API client, or its staff) asks for access.
pub async fn request(
    ctx: &Registries,
    actor: &Actor,
    input: &AccessRequest,
) -> Result<Access, RegistryError> {
    let who = acting(actor, input.administration_id.as_deref())?;
    let (_, op) = super::catalogue::find_operation(
        &ctx.db,
        &input.register,
        &input.operation,
        Some(&input.version),
    )
    .await?
    .ok_or(RegistryError::UnknownOperation)?;
    let legal_basis = clean(&input.legal_basis).ok_or(RegistryError::LegalBasisRequired)?;
    let purpose = clean(&input.purpose).ok_or(RegistryError::Invalid("purpose_required"))?;
    let known = op.response_fields();
    if input.fields.is_empty() || input.fields.iter().any(|f| !known.contains(f)) {
        return Err(RegistryError::Invalid("unknown_field"));
    }
    let now = ctx.clock.now();
    let id = new_id().to_string();
    let mut tx = ctx.db.begin().await?;
    sqlx::query(
        "INSERT INTO registries_access (id, operation_id, administration_id, legal_basis, purpose, \
         requested_fields, requested_by, requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(&op.id)
    .bind(&who.administration_id)
    .bind(&legal_basis)
    .bind(&purpose)
    .bind(serde_json::to_string(&input.fields)?)
    .bind(actor.audit_id())
    .bind(to_millis(now))
    .execute(&mut *tx)
    .await?;
    portico_audit::append(
        &mut tx,
        Event::new(&actor.audit_id(), "registries.access_requested", &id)
            .in_administration(&who.administration_id)
            .with(serde_json::json!({
                "register": input.register, "operation": input.operation, "version": op.version,
                "legal_basis": legal_basis, "purpose": purpose, "fields": input.fields,
            })),
        now,
    )
    .await?;
    tx.commit().await?;
    get(&ctx.db, &id).await?.ok_or(RegistryError::NotFound)
}

type AccessRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
);

const ACCESS_COLUMNS: &str =
    "id, operation_id, administration_id, legal_basis, purpose, requested_fields, \
     approved_at, refused_at, refusal_reason, granted_fields, valid_from, valid_until";

fn access_from(row: AccessRow) -> Access {
    let (
        id,
        operation_id,
        administration_id,
        legal_basis,
        purpose,
        requested,
        approved,
        refused,
        reason,
        granted,
        from,
        until,
    ) = row;
    let status = if approved.is_some() {
        "approved"
    } else if refused.is_some() {
        "refused"
    } else {
        "pending"
    };
    Access {
        id,
        operation_id,
        administration_id,
        legal_basis,
        purpose,
        requested_fields: serde_json::from_str(&requested).unwrap_or_default(),
        status: status.into(),
        granted_fields: granted
            .and_then(|g| serde_json::from_str(&g).ok())
            .unwrap_or_default(),
        valid_from: from,
        valid_until: until,
        refusal_reason: reason,
    }
}

pub async fn get(db: &Db, id: &str) -> Result<Option<Access>, RegistryError> {
    let sql = format!("SELECT {ACCESS_COLUMNS} FROM registries_access WHERE id = $1");
    let row: Option<AccessRow> = sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(access_from))
}

/// The register's owner decides. Only a register owner of the owning administration (or a
/// platform admin) may; to anyone else the request does not exist.
pub async fn decide(
    ctx: &Registries,
    actor: &Actor,
    id: &str,
    decision: &AccessDecision,
) -> Result<Access, RegistryError> {
    let access = get(&ctx.db, id).await?.ok_or(RegistryError::NotFound)?;
    let (owner, register_code, op_code, version, response_schema): (String, String, String, String, String) =
        sqlx::query_as(
            "SELECT r.owner_administration_id, r.code, o.code, o.version, o.response_schema \
             FROM registries_operations o JOIN registries_registers r ON r.id = o.register_id WHERE o.id = $1",
        )
        .bind(&access.operation_id)
        .fetch_one(ctx.db.pool())
        .await?;
    if !(matches!(actor, Actor::System(_))
        || actor.has_role(&owner, Role::RegisterOwner)
        || actor.is_platform_admin())
    {
        return Err(RegistryError::NotFound);
    }
    if access.status != "pending" {
        return Err(RegistryError::Invalid("already_decided"));
    }
    let now = ctx.clock.now();
    let now_ms = to_millis(now);
    let mut tx = ctx.db.begin().await?;
    let (event, details) = match decision {
        AccessDecision::Approve {
            fields,
            valid_until,
        } => {
            let schema: serde_json::Value = serde_json::from_str(&response_schema)?;
            let known: Vec<String> = schema
                .get("properties")
                .and_then(|p| p.as_object())
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default();
            if fields.is_empty() || fields.iter().any(|f| !known.contains(f)) {
                return Err(RegistryError::Invalid("unknown_field"));
            }
            if *valid_until <= now_ms {
                return Err(RegistryError::Invalid("period_in_past"));
            }
            sqlx::query(
                "UPDATE registries_access SET approved_at = $1, decided_by = $2, granted_fields = $3, \
                 valid_from = $1, valid_until = $4 WHERE id = $5 AND approved_at IS NULL AND refused_at IS NULL",
            )
            .bind(now_ms)
            .bind(actor.audit_id())
            .bind(serde_json::to_string(fields)?)
            .bind(valid_until)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            (
                Event::new(&actor.audit_id(), "registries.access_approved", id),
                serde_json::json!({ "fields": fields, "valid_until": valid_until }),
            )
        }
        AccessDecision::Refuse { reason } => {
            let reason = clean(reason).ok_or(RegistryError::Invalid("reason_required"))?;
            sqlx::query(
                "UPDATE registries_access SET refused_at = $1, decided_by = $2, refusal_reason = $3 \
                 WHERE id = $4 AND approved_at IS NULL AND refused_at IS NULL",
            )
            .bind(now_ms)
            .bind(actor.audit_id())
            .bind(&reason)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            (
                Event::new(&actor.audit_id(), "registries.access_refused", id),
                serde_json::json!({ "reason": reason }),
            )
        }
    };
    let mut details = details;
    details["register"] = register_code.into();
    details["operation"] = op_code.into();
    details["version"] = version.into();
    details["administration"] = access.administration_id.clone().into();
    portico_audit::append(&mut tx, event.in_administration(&owner).with(details), now).await?;
    tx.commit().await?;
    get(&ctx.db, id).await?.ok_or(RegistryError::NotFound)
}

/// The fields an administration may read from an operation at `now`; `NoGrant` when it never
/// had access, `GrantExpired` when its access has ended.
pub async fn granted_fields(
    db: &Db,
    administration_id: &str,
    operation_id: &str,
    now: i64,
) -> Result<Vec<String>, RegistryError> {
    type GrantRow = (Option<String>, Option<i64>, Option<i64>, Option<i64>);
    let rows: Vec<GrantRow> = sqlx::query_as(
        "SELECT granted_fields, valid_from, valid_until, revoked_at FROM registries_access \
         WHERE administration_id = $1 AND operation_id = $2 AND approved_at IS NOT NULL",
    )
    .bind(administration_id)
    .bind(operation_id)
    .fetch_all(db.pool())
    .await?;
    if rows.is_empty() {
        return Err(RegistryError::NoGrant);
    }
    let mut fields: Vec<String> = Vec::new();
    for (granted, from, until, revoked) in &rows {
        let in_force =
            revoked.is_none() && from.is_some_and(|f| f <= now) && until.is_some_and(|u| u > now);
        if in_force {
            for f in granted
                .as_deref()
                .and_then(|g| serde_json::from_str::<Vec<String>>(g).ok())
                .unwrap_or_default()
            {
                if !fields.contains(&f) {
                    fields.push(f);
                }
            }
        }
    }
    if fields.is_empty() {
        return Err(RegistryError::GrantExpired);
    }
    Ok(fields)
}

/// Requests waiting for a decision by the owners this actor answers for (every one, for a
/// platform admin).
pub async fn pending_for_owner(
    ctx: &Registries,
    actor: &Actor,
) -> Result<Vec<Access>, RegistryError> {
    let sql = format!(
        "SELECT {} FROM registries_access a WHERE a.approved_at IS NULL AND a.refused_at IS NULL \
         AND a.operation_id IN (SELECT o.id FROM registries_operations o JOIN registries_registers r \
         ON r.id = o.register_id WHERE r.owner_administration_id = $1) ORDER BY a.requested_at",
        ACCESS_COLUMNS
            .split(", ")
            .map(|c| format!("a.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut out = Vec::new();
    if actor.is_platform_admin() {
        // The platform's admins decide for every register (for an owner not yet on the platform).
        let sql = format!(
            "SELECT {} FROM registries_access a WHERE a.approved_at IS NULL AND a.refused_at IS NULL \
             ORDER BY a.requested_at",
            ACCESS_COLUMNS
                .split(", ")
                .map(|c| format!("a.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let rows: Vec<AccessRow> = sqlx::query_as(&sql).fetch_all(ctx.db.pool()).await?;
        return Ok(rows.into_iter().map(access_from).collect());
    }
    if let Actor::Person(p) = actor {
        for r in p.roles.iter().filter(|r| r.role == Role::RegisterOwner) {
            let rows: Vec<AccessRow> = sqlx::query_as(&sql)
                .bind(&r.administration_id)
                .fetch_all(ctx.db.pool())
                .await?;
            out.extend(rows.into_iter().map(access_from));
        }
    }
    Ok(out)
}
