//! A person's request to correct a value a base register holds about them. It is stored here
//! (what, the correct value, why, the owner's deadline) and, through the outbox, becomes a case
//! at the register's owning administration: the job [`CORRECTION_JOB`] is committed with the
//! request, and its handler (the cases block's, which this block does not know) opens the case
//! and records it here with [`opened_in`]. The person follows the case from "my data".

use super::Registries;
use crate::error::RegistryError;
use crate::model::{Correction, NewCorrection};
use portico_audit::Event;
use portico_core::clock::to_millis;
use portico_core::{new_id, Actor};
use portico_store::jobs::{self, NewJob};
use portico_store::{Db, Tx};
use serde_json::json;

/// How long a register's owner has to answer a correction request.
pub const CORRECTION_DAYS: i64 = 14;

/// The outbox job committed with every correction request: `{"correction_id": …}`. Whoever opens
/// cases handles it (the portico binary registers the cases block's handler).
pub const CORRECTION_JOB: &str = "registries_correction";

type Row = (
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
);

const COLUMNS: &str = "c.id, r.code, c.field, c.proposed_value, c.reason, c.created_at, \
     c.deadline_at, c.answered_at, c.answer, c.application_id, c.tracking_number";

fn from_row(r: Row) -> Correction {
    let (
        id,
        register_code,
        field,
        proposed_value,
        reason,
        created_at,
        deadline_at,
        answered_at,
        answer,
        application_id,
        tracking_number,
    ) = r;
    Correction {
        id,
        register_code,
        field,
        proposed_value,
        reason,
        created_at,
        deadline_at,
        answered_at,
        answer,
        application_id,
        tracking_number,
    }
}

/// The person's correction requests, newest first.
pub async fn of_account(db: &Db, account_id: &str) -> Result<Vec<Correction>, RegistryError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM registries_corrections c JOIN registries_registers r \
         ON r.id = c.register_id WHERE c.account_id = $1 ORDER BY c.created_at DESC, c.id DESC"
    );
    let rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(account_id)
        .fetch_all(db.pool())
        .await?;
    Ok(rows.into_iter().map(from_row).collect())
}

/// What the handler of [`CORRECTION_JOB`] needs to open the case: the request, who asked, and
/// the register with its owner.
#[derive(Debug, Clone)]
pub struct ForCase {
    pub correction: Correction,
    pub account_id: String,
    pub owner_administration_id: String,
    pub register_name_bg: String,
    pub register_name_en: String,
}

/// A correction request by id, for the system opening its case (no actor: the job carries only
/// the id, and the request's own row says whose it is).
pub async fn for_case(db: &Db, id: &str) -> Result<Option<ForCase>, RegistryError> {
    let sql = format!(
        "SELECT {COLUMNS}, c.account_id, r.owner_administration_id, r.name_bg, r.name_en \
         FROM registries_corrections c JOIN registries_registers r ON r.id = c.register_id \
         WHERE c.id = $1"
    );
    let found = sqlx::query(&sql).bind(id).fetch_optional(db.pool()).await?;
    let Some(found) = found else {
        return Ok(None);
    };
    use sqlx::Row as _;
    let correction = Correction {
        id: found.try_get(0)?,
        register_code: found.try_get(1)?,
        field: found.try_get(2)?,
        proposed_value: found.try_get(3)?,
        reason: found.try_get(4)?,
        created_at: found.try_get(5)?,
        deadline_at: found.try_get(6)?,
        answered_at: found.try_get(7)?,
        answer: found.try_get(8)?,
        application_id: found.try_get(9)?,
        tracking_number: found.try_get(10)?,
    };
    Ok(Some(ForCase {
        correction,
        account_id: found.try_get(11)?,
        owner_administration_id: found.try_get(12)?,
        register_name_bg: found.try_get(13)?,
        register_name_en: found.try_get(14)?,
    }))
}

/// Records the case a correction request became, in the transaction that opened it. Returns
/// `false` (and changes nothing) when the request already has its case: the job ran twice, and
/// the caller rolls back.
pub async fn opened_in(
    tx: &mut Tx,
    id: &str,
    application_id: &str,
    tracking_number: &str,
) -> Result<bool, RegistryError> {
    let done = sqlx::query(
        "UPDATE registries_corrections SET application_id = $1, tracking_number = $2 \
         WHERE id = $3 AND application_id IS NULL",
    )
    .bind(application_id)
    .bind(tracking_number)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The person asks the register's owner to correct a value; the owner has [`CORRECTION_DAYS`]
/// days to answer. Audited in the owner's administration; the case is opened by the outbox job
/// committed with it.
pub async fn request(
    ctx: &Registries,
    actor: &Actor,
    input: &NewCorrection,
) -> Result<Correction, RegistryError> {
    let (account_id, egn) = super::my_data::own_identifier(ctx, actor).await?;
    let field = input.field.trim();
    let proposed = input.proposed_value.trim();
    let reason = input.reason.trim();
    if field.is_empty() || field.len() > 100 {
        return Err(RegistryError::Invalid("correction_field"));
    }
    if proposed.is_empty() || proposed.len() > 500 {
        return Err(RegistryError::Invalid("correction_value"));
    }
    if reason.is_empty() || reason.len() > 2000 {
        return Err(RegistryError::Invalid("correction_reason"));
    }
    let register: Option<(String, String)> = sqlx::query_as(
        "SELECT id, owner_administration_id FROM registries_registers WHERE code = $1",
    )
    .bind(input.register.trim())
    .fetch_optional(ctx.db.pool())
    .await?;
    let (register_id, owner) = register.ok_or(RegistryError::Invalid("correction_register"))?;
    let now = ctx.clock.now();
    let deadline = now + chrono::Duration::days(CORRECTION_DAYS);
    let id = new_id().to_string();
    let mut tx = ctx.db.begin().await?;
    sqlx::query(
        "INSERT INTO registries_corrections (id, register_id, account_id, subject_hash, field, \
         proposed_value, reason, created_at, deadline_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(&register_id)
    .bind(&account_id)
    .bind(ctx.subject_hash(&egn))
    .bind(field)
    .bind(proposed)
    .bind(reason)
    .bind(to_millis(now))
    .bind(to_millis(deadline))
    .execute(&mut *tx)
    .await?;
    portico_audit::append(
        &mut tx,
        Event::new(&actor.audit_id(), "registries.correction_requested", &id)
            .in_administration(&owner)
            .with(json!({ "register": input.register.trim(), "field": field })),
        now,
    )
    .await?;
    // The outbox: the case at the owner is opened at least once, after this commits.
    jobs::enqueue(
        &mut tx,
        NewJob::now(CORRECTION_JOB, json!({ "correction_id": id }), now),
        now,
    )
    .await?;
    tx.commit().await?;
    of_account(&ctx.db, &account_id)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(RegistryError::NotFound)
}
