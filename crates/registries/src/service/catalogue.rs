//! The register of registers: registers, their owners and legal bases, their operations with
//! schemas and versions, and who may query what.

use super::Registries;
use crate::error::RegistryError;
use crate::model::{
    Adapter, GrantView, NewOperation, NewRegister, Operation, Register, SubjectKind,
};
use portico_audit::Event;
use portico_core::clock::to_millis;
use portico_core::{new_id, Actor, Role};
use portico_store::{Db, Tx};

/// Names of an administration in both languages (empty when unknown).
pub async fn administration_name(db: &Db, id: &str) -> Result<(String, String), RegistryError> {
    Ok(
        match portico_identity::service::administrations::get(db, id).await? {
            Some(a) => (a.name_bg, a.name_en),
            None => (String::new(), String::new()),
        },
    )
}

/// Platform admins and the platform itself define registers; a register owner of the owning
/// administration adds operations to its registers.
fn may_define(actor: &Actor, owner: &str) -> bool {
    matches!(actor, Actor::System(_))
        || actor.is_platform_admin()
        || actor.has_role(owner, Role::RegisterOwner)
}

pub async fn define_register(
    ctx: &Registries,
    actor: &Actor,
    new: &NewRegister,
) -> Result<String, RegistryError> {
    if !(matches!(actor, Actor::System(_)) || actor.is_platform_admin()) {
        return Err(RegistryError::Forbidden);
    }
    let code = new.code.trim();
    if code.is_empty() || new.legal_basis.trim().is_empty() {
        return Err(RegistryError::Invalid("register_incomplete"));
    }
    let now = ctx.clock.now();
    let id = new_id().to_string();
    let mut tx = ctx.db.begin().await?;
    let existing: Option<(String,)> =
        sqlx::query_as("SELECT id FROM registries_registers WHERE code = $1")
            .bind(code)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some((id,)) = existing {
        return Ok(id);
    }
    sqlx::query(
        "INSERT INTO registries_registers (id, code, owner_administration_id, name_bg, name_en, legal_basis, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(code)
    .bind(&new.owner_administration_id)
    .bind(&new.name_bg)
    .bind(&new.name_en)
    .bind(&new.legal_basis)
    .bind(to_millis(now))
    .execute(&mut *tx)
    .await?;
    portico_audit::append(
        &mut tx,
        Event::new(&actor.audit_id(), "registries.register_defined", &id)
            .in_administration(&new.owner_administration_id)
            .with(serde_json::json!({ "code": code })),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn register_row(tx: &mut Tx, code: &str) -> Result<Option<(String, String)>, RegistryError> {
    Ok(sqlx::query_as(
        "SELECT id, owner_administration_id FROM registries_registers WHERE code = $1",
    )
    .bind(code)
    .fetch_optional(&mut **tx)
    .await?)
}

/// Adds an operation (idempotent on register, code and version). Its schemas must compile and
/// its personal fields be fields of its response.
pub async fn define_operation(
    ctx: &Registries,
    actor: &Actor,
    new: &NewOperation,
) -> Result<String, RegistryError> {
    super::adapters::compile(&new.request_schema)
        .map_err(|_| RegistryError::Invalid("schema_invalid"))?;
    super::adapters::compile(&new.response_schema)
        .map_err(|_| RegistryError::Invalid("schema_invalid"))?;
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    let (register_id, owner) = register_row(&mut tx, &new.register_code)
        .await?
        .ok_or(RegistryError::NotFound)?;
    if !may_define(actor, &owner) {
        return Err(RegistryError::Forbidden);
    }
    let existing: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM registries_operations WHERE register_id = $1 AND code = $2 AND version = $3",
    )
    .bind(&register_id)
    .bind(&new.code)
    .bind(&new.version)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((id,)) = existing {
        return Ok(id);
    }
    let id = new_id().to_string();
    let (adapter, url) = new.adapter.stored();
    sqlx::query(
        "INSERT INTO registries_operations (id, register_id, code, version, name_bg, name_en, subject_kind, \
         request_schema, response_schema, personal_fields, adapter, endpoint_url, timeout_ms, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(&id)
    .bind(&register_id)
    .bind(&new.code)
    .bind(&new.version)
    .bind(&new.name_bg)
    .bind(&new.name_en)
    .bind(new.subject_kind.as_str())
    .bind(new.request_schema.to_string())
    .bind(new.response_schema.to_string())
    .bind(serde_json::to_string(&new.personal_fields)?)
    .bind(adapter)
    .bind(url)
    .bind(new.timeout_ms)
    .bind(to_millis(now))
    .execute(&mut *tx)
    .await?;
    portico_audit::append(
        &mut tx,
        Event::new(&actor.audit_id(), "registries.operation_defined", &id)
            .in_administration(&owner)
            .with(serde_json::json!({
                "register": new.register_code, "operation": new.code, "version": new.version
            })),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

type OperationRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    i64,
);

const OPERATION_COLUMNS: &str = "o.id, o.code, o.version, o.name_bg, o.name_en, o.subject_kind, \
     o.request_schema, o.response_schema, o.personal_fields, o.adapter, o.endpoint_url, o.timeout_ms";

fn operation_from(row: OperationRow) -> Operation {
    let (
        id,
        code,
        version,
        name_bg,
        name_en,
        kind,
        request,
        response,
        personal,
        adapter,
        url,
        timeout_ms,
    ) = row;
    Operation {
        id,
        code,
        version,
        name_bg,
        name_en,
        subject_kind: SubjectKind::from_stored(&kind),
        request_schema: serde_json::from_str(&request).unwrap_or_default(),
        response_schema: serde_json::from_str(&response).unwrap_or_default(),
        personal_fields: serde_json::from_str(&personal).unwrap_or_default(),
        adapter: Adapter::from_stored(&adapter, url),
        timeout_ms,
        grants: Vec::new(),
    }
}

/// The register's owner and one operation: the named version, or the newest when none is named.
pub async fn find_operation(
    db: &Db,
    register: &str,
    operation: &str,
    version: Option<&str>,
) -> Result<Option<(String, Operation)>, RegistryError> {
    let sql = format!(
        "SELECT r.owner_administration_id, {OPERATION_COLUMNS} FROM registries_operations o \
         JOIN registries_registers r ON r.id = o.register_id \
         WHERE r.code = $1 AND o.code = $2 AND ($3 = '' OR o.version = $3) \
         ORDER BY o.created_at DESC, o.version DESC"
    );
    type WithOwner = (
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        i64,
    );
    let row: Option<WithOwner> = sqlx::query_as(&sql)
        .bind(register)
        .bind(operation)
        .bind(version.unwrap_or(""))
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(|r| {
        (
            r.0,
            operation_from((
                r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9, r.10, r.11, r.12,
            )),
        )
    }))
}

/// Every register with its operations and the grants in force at `now`: the register of
/// registers, public.
pub async fn list(db: &Db, now: i64) -> Result<Vec<Register>, RegistryError> {
    let registers: Vec<(String, String, String, String, String, String)> = sqlx::query_as(
        "SELECT id, code, name_bg, name_en, owner_administration_id, legal_basis \
         FROM registries_registers ORDER BY code",
    )
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::new();
    for (id, code, name_bg, name_en, owner, legal_basis) in registers {
        let sql = format!(
            "SELECT {OPERATION_COLUMNS} FROM registries_operations o WHERE o.register_id = $1 ORDER BY o.code, o.version"
        );
        let rows: Vec<OperationRow> = sqlx::query_as(&sql).bind(&id).fetch_all(db.pool()).await?;
        let mut operations = Vec::new();
        for row in rows {
            let mut op = operation_from(row);
            op.grants = grants_in_force(db, &op.id, now).await?;
            operations.push(op);
        }
        let (owner_name_bg, owner_name_en) = administration_name(db, &owner).await?;
        out.push(Register {
            id,
            code,
            name_bg,
            name_en,
            owner_administration_id: owner,
            owner_name_bg,
            owner_name_en,
            legal_basis,
            operations,
        });
    }
    Ok(out)
}

async fn grants_in_force(
    db: &Db,
    operation_id: &str,
    now: i64,
) -> Result<Vec<GrantView>, RegistryError> {
    type GrantRow = (String, String, String, Option<String>, Option<i64>);
    let rows: Vec<GrantRow> = sqlx::query_as(
        "SELECT administration_id, legal_basis, purpose, granted_fields, valid_until FROM registries_access \
         WHERE operation_id = $1 AND approved_at IS NOT NULL AND revoked_at IS NULL \
         AND valid_from <= $2 AND valid_until > $2 ORDER BY requested_at",
    )
    .bind(operation_id)
    .bind(now)
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::new();
    for (administration_id, legal_basis, purpose, fields, valid_until) in rows {
        let (bg, en) = administration_name(db, &administration_id).await?;
        out.push(GrantView {
            administration_id,
            administration_name_bg: bg,
            administration_name_en: en,
            legal_basis,
            purpose,
            fields: fields
                .and_then(|f| serde_json::from_str(&f).ok())
                .unwrap_or_default(),
            valid_until: valid_until.unwrap_or(0),
        });
    }
    Ok(out)
}
