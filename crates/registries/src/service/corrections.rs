//! A person's request to correct a value a base register holds about them. It is stored here
//! (what, the correct value, why, the owner's deadline) and, through the outbox, becomes a case
//! at the register's owning administration: the job [`CORRECTION_JOB`] is committed with the
//! request, and its handler (the cases block's, which this block does not know) opens the case
//! and records it here with [`opened_in`]. The person follows the case from "my data".
//!
//! When the case ends, the cases block calls [`case_ended`] in the decision's own transaction:
//! the owner's answer (approved, refused with its reasons, or withdrawn by the person) is
//! recorded here, and an approved correction of a value the built-in population register holds
//! ([`CORRECTABLE`]) is written into that register with the old and the new value in its history
//! (`registries_people_history`). Any other approved correction (another register's value, an
//! external register) is marked for the owner to apply in their own register.

use super::Registries;
use crate::error::RegistryError;
use crate::model::{CaseEnd, Correction, NewCorrection};
use crate::strings::TABLES;
use chrono::{DateTime, Utc};
use portico_audit::Event;
use portico_core::clock::to_millis;
use portico_core::{new_id, Actor};
use portico_http::{Lang, Strings};
use portico_store::jobs::{self, NewJob};
use portico_store::{Db, Tx};
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::Row as _;

/// How long a register's owner has to answer a correction request.
pub const CORRECTION_DAYS: i64 = 14;

/// The outbox job committed with every correction request: `{"correction_id": …}`. Whoever opens
/// cases handles it (the portico binary registers the cases block's handler).
pub const CORRECTION_JOB: &str = "registries_correction";

const COLUMNS: &str = "c.id, r.code, c.field, c.proposed_value, c.reason, c.created_at, \
     c.deadline_at, c.answered_at, c.answer, c.application_id, c.tracking_number, c.field_key, \
     c.outcome, c.applied";

/// How many columns [`COLUMNS`] names: a query's own columns follow them.
const COLUMN_COUNT: usize = 14;

fn from_row(r: &AnyRow) -> Result<Correction, sqlx::Error> {
    Ok(Correction {
        id: r.try_get(0)?,
        register_code: r.try_get(1)?,
        field: r.try_get(2)?,
        proposed_value: r.try_get(3)?,
        reason: r.try_get(4)?,
        created_at: r.try_get(5)?,
        deadline_at: r.try_get(6)?,
        answered_at: r.try_get(7)?,
        answer: r.try_get(8)?,
        application_id: r.try_get(9)?,
        tracking_number: r.try_get(10)?,
        field_key: r.try_get(11)?,
        outcome: r.try_get(12)?,
        applied: r.try_get(13)?,
    })
}

/// The person's correction requests, newest first.
pub async fn of_account(db: &Db, account_id: &str) -> Result<Vec<Correction>, RegistryError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM registries_corrections c JOIN registries_registers r \
         ON r.id = c.register_id WHERE c.account_id = $1 ORDER BY c.created_at DESC, c.id DESC"
    );
    let rows = sqlx::query(&sql)
        .bind(account_id)
        .fetch_all(db.pool())
        .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
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
    Ok(Some(ForCase {
        correction: from_row(&found)?,
        account_id: found.try_get(COLUMN_COUNT)?,
        owner_administration_id: found.try_get(COLUMN_COUNT + 1)?,
        register_name_bg: found.try_get(COLUMN_COUNT + 2)?,
        register_name_en: found.try_get(COLUMN_COUNT + 3)?,
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
    let target = correctable(ctx, &register_id, field, proposed).await?;
    let (field_key, new_value) = match &target {
        Some((key, value)) => (Some(*key), Some(value.as_str())),
        None => (None, None),
    };
    let now = ctx.clock.now();
    let deadline = now + chrono::Duration::days(CORRECTION_DAYS);
    let id = new_id().to_string();
    let mut tx = ctx.db.begin().await?;
    sqlx::query(
        "INSERT INTO registries_corrections (id, register_id, account_id, subject_hash, field, \
         proposed_value, reason, created_at, deadline_at, field_key, new_value) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
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
    .bind(field_key)
    .bind(new_value)
    .execute(&mut *tx)
    .await?;
    portico_audit::append(
        &mut tx,
        Event::new(&actor.audit_id(), "registries.correction_requested", &id)
            .in_administration(&owner)
            .with(json!({ "register": input.register.trim(), "field": field, "field_key": field_key })),
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

/// The population register's values that Portico corrects itself when the owner approves: the
/// person's names and addresses. The key is the register's column and the field's name in the
/// answer. Other values (the birth date, which the EGN carries; parents) are for the owner.
pub const CORRECTABLE: &[&str] = &[
    "given_name",
    "middle_name",
    "family_name",
    "permanent_address",
    "current_address",
];

/// The adapter of the built-in population register (see [`super::adapters`]).
const POPULATION_ADAPTER: &str = "builtin:population/person";

fn normalised(s: &str) -> String {
    s.trim()
        .trim_end_matches(':')
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The correctable field a person named: its key, or its name as "my data" shows it, in either
/// language ("Настоящ адрес", "current address").
pub fn field_named(named: &str) -> Option<&'static str> {
    let named = normalised(named);
    CORRECTABLE.iter().copied().find(|key| {
        named == *key
            || [Lang::Bg, Lang::En].into_iter().any(|lang| {
                let label = Strings::new(lang, TABLES).t(&format!("registries_field_{key}"));
                normalised(label) == named
            })
    })
}

/// When the request is about a value Portico can correct itself (the built-in population
/// register, a [`CORRECTABLE`] field), that field and the value to write; a value that cannot be
/// written (a name with digits, an address the address register does not know) is refused now,
/// with a message that says what is expected, rather than approved and never applied.
async fn correctable(
    ctx: &Registries,
    register_id: &str,
    field: &str,
    proposed: &str,
) -> Result<Option<(&'static str, String)>, RegistryError> {
    let Some(key) = field_named(field) else {
        return Ok(None);
    };
    let (built_in,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM registries_operations WHERE register_id = $1 AND adapter = $2",
    )
    .bind(register_id)
    .bind(POPULATION_ADAPTER)
    .fetch_one(ctx.db.pool())
    .await?;
    if built_in == 0 {
        return Ok(None);
    }
    let value = proposed.split_whitespace().collect::<Vec<_>>().join(" ");
    if key.ends_with("_address") {
        let found: Vec<(String,)> = sqlx::query_as(
            "SELECT code FROM registries_addresses WHERE code = $1 OR street || ' ' || number = $2 \
             ORDER BY code LIMIT 2",
        )
        .bind(value.to_lowercase())
        .bind(&value)
        .fetch_all(ctx.db.pool())
        .await?;
        return match found.as_slice() {
            [(code,)] => Ok(Some((key, code.clone()))),
            _ => Err(RegistryError::Invalid("correction_address")),
        };
    }
    let name_like = value
        .chars()
        .all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '\''));
    if !name_like || value.chars().count() > 60 {
        return Err(RegistryError::Invalid("correction_name"));
    }
    Ok(Some((key, value)))
}

/// A correction whose case ended: its id, who asked, the field and value to write (if any), the
/// register's owner and code.
type Ended = (
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
);

/// The owner's decision on a correction's case, recorded in the transaction that takes it (the
/// cases block calls this for every case that reaches its end; a case that is not a
/// correction's changes nothing). An approved correction of a [`CORRECTABLE`] value is written
/// into the population register, with the old and the new value in its history; any other
/// approved one is marked for the owner to apply (`applied = owner`). Audited in the owner's
/// administration. Returns `false` (and changes nothing) when the case is not a correction's or
/// the correction was answered already: a second decision does not overwrite the first.
pub async fn case_ended(
    tx: &mut Tx,
    application_id: &str,
    end: CaseEnd,
    reason: Option<&str>,
    by: &str,
    now: DateTime<Utc>,
) -> Result<bool, RegistryError> {
    let found: Option<Ended> = sqlx::query_as(
        "SELECT c.id, c.account_id, c.field_key, c.new_value, r.owner_administration_id, r.code \
             FROM registries_corrections c JOIN registries_registers r ON r.id = c.register_id \
             WHERE c.application_id = $1 AND c.answered_at IS NULL",
    )
    .bind(application_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((id, account_id, field_key, new_value, owner, register_code)) = found else {
        return Ok(false);
    };
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    let answered = sqlx::query(
        "UPDATE registries_corrections SET outcome = $1, answer = $2, answered_at = $3, \
         answered_by = $4 WHERE id = $5 AND answered_at IS NULL",
    )
    .bind(end.code())
    .bind(reason)
    .bind(to_millis(now))
    .bind(by)
    .bind(&id)
    .execute(&mut **tx)
    .await?;
    if answered.rows_affected() != 1 {
        return Ok(false);
    }
    let applied = match (end, field_key.as_deref(), new_value.as_deref()) {
        (CaseEnd::Approved, Some(key), Some(value)) => {
            let written = Change {
                correction_id: &id,
                account_id: &account_id,
                key,
                value,
                owner: &owner,
                by,
            };
            Some(if written.apply(tx, now).await? {
                "register"
            } else {
                "owner"
            })
        }
        (CaseEnd::Approved, _, _) => Some("owner"),
        _ => None,
    };
    if let Some(applied) = applied {
        sqlx::query("UPDATE registries_corrections SET applied = $1 WHERE id = $2")
            .bind(applied)
            .bind(&id)
            .execute(&mut **tx)
            .await?;
    }
    portico_audit::append(
        tx,
        Event::new(by, "registries.correction_answered", &id)
            .in_administration(&owner)
            .with(json!({
                "register": register_code, "application": application_id,
                "outcome": end.code(), "applied": applied,
            })),
        now,
    )
    .await?;
    Ok(true)
}

/// An approved correction of the population register, to write.
struct Change<'a> {
    correction_id: &'a str,
    account_id: &'a str,
    key: &'a str,
    value: &'a str,
    owner: &'a str,
    by: &'a str,
}

impl Change<'_> {
    /// Writes the value into the person's record, the old and the new value into the register's
    /// history, and audits it; `false` when it cannot be written here (the person is not in the
    /// register, or the address is gone), which leaves it to the owner.
    async fn apply(&self, tx: &mut Tx, now: DateTime<Utc>) -> Result<bool, RegistryError> {
        // The column is one of a fixed list, never the request's own text.
        let Some(column) = CORRECTABLE.iter().copied().find(|k| *k == self.key) else {
            return Ok(false);
        };
        let account = portico_identity::service::accounts::get_in(tx, self.account_id).await?;
        let Some(egn) = account
            .and_then(|a| a.personal_id)
            .map(|p| p.value().to_owned())
        else {
            return Ok(false);
        };
        let old: Option<(String,)> = sqlx::query_as(&format!(
            "SELECT {column} FROM registries_people WHERE egn = $1"
        ))
        .bind(&egn)
        .fetch_optional(&mut **tx)
        .await?;
        let Some((old,)) = old else {
            return Ok(false);
        };
        if column.ends_with("_address") {
            let (known,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM registries_addresses WHERE code = $1")
                    .bind(self.value)
                    .fetch_one(&mut **tx)
                    .await?;
            if known == 0 {
                return Ok(false);
            }
        }
        if old == self.value {
            // The register holds it already: nothing to change, nothing to record.
            return Ok(true);
        }
        sqlx::query(&format!(
            "UPDATE registries_people SET {column} = $1 WHERE egn = $2"
        ))
        .bind(self.value)
        .bind(&egn)
        .execute(&mut **tx)
        .await?;
        let history_id = new_id().to_string();
        sqlx::query(
            "INSERT INTO registries_people_history (id, egn, field, old_value, new_value, \
             correction_id, changed_by, changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&history_id)
        .bind(&egn)
        .bind(column)
        .bind(&old)
        .bind(self.value)
        .bind(self.correction_id)
        .bind(self.by)
        .bind(to_millis(now))
        .execute(&mut **tx)
        .await?;
        portico_audit::append(
            tx,
            Event::new(self.by, "registries.record_corrected", self.correction_id)
                .in_administration(self.owner)
                .with(json!({ "register": "population", "field": column, "history": history_id })),
            now,
        )
        .await?;
        Ok(true)
    }
}
