//! Ballots: one per voter per process, enforced by the voters table's primary key; the ballot's
//! content kept in another table with no person, no time and no shared id, found only by the hash
//! of the receipt that the voter alone holds. A changed ballot replaces its content in place
//! (same receipt hash), so the person is never linked to it and it counts once, as last cast.
//!
//! A ballot is taken only from a voter verified by [`super::verification::start`] (population
//! register, phone, location), with the code sent to their phone; the verification's district
//! and age band go to the voters row (turnout) and the verification is deleted.

use super::{processes, signals, verification, Participation};
use crate::error::ParticipationError;
use crate::model::{BallotRule, Phase, Process, ProposalStatus};
use portico_core::{Actor, Assurance};
use portico_store::Tx;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

/// What a verified voter casts.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct Cast {
    /// The chosen proposals' ids.
    pub choices: Vec<String>,
    /// The code sent by SMS when the voter was verified.
    pub code: String,
}

/// What the voter keeps: the receipt (shown once) finds the ballot.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Receipt {
    pub receipt: String,
    pub receipt_hash: String,
}

/// A ballot as the receipt finds it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Ballot {
    pub process_id: String,
    pub receipt_hash: String,
    pub choices: Vec<String>,
}

/// The hash under which a receipt's ballot is stored and published.
pub fn receipt_hash(receipt: &str) -> String {
    hex::encode(Sha256::digest(receipt.trim().as_bytes()))
}

/// The choices, checked against the process's rule: distinct feasible proposals of the process,
/// at most `max_choices` of them, or within the budget.
async fn check_choices(
    tx: &mut Tx,
    process: &Process,
    choices: &[String],
) -> Result<Vec<String>, ParticipationError> {
    let mut sorted: Vec<String> = choices.iter().map(|c| c.trim().to_owned()).collect();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted.is_empty() || sorted.len() != choices.len() {
        return Err(ParticipationError::Invalid("ballot_invalid"));
    }
    let mut total = 0i64;
    for id in &sorted {
        let row: Option<(String, String, i64)> = sqlx::query_as(
            "SELECT process_id, status, budget_minor FROM participation_proposals WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
        match row {
            Some((p, status, budget))
                if p == process.id && status == ProposalStatus::Feasible.as_str() =>
            {
                total = total.saturating_add(budget);
            }
            _ => return Err(ParticipationError::Invalid("ballot_invalid")),
        }
    }
    match process.rules.ballot_rule {
        BallotRule::UpToN => {
            if i64::try_from(sorted.len()).unwrap_or(i64::MAX) > process.rules.max_choices {
                return Err(ParticipationError::Invalid("too_many_choices"));
            }
        }
        BallotRule::Knapsack => {
            if total > process.rules.budget_minor {
                return Err(ParticipationError::Invalid("over_budget"));
            }
        }
    }
    Ok(sorted)
}

/// A verified person casts their ballot with the code sent to their phone. Two at once from the
/// same person end as one: the second is refused with `already_voted` by the voters table's
/// primary key. `network` is a pseudonym of the client's network, counted for the abuse signals
/// (never stored with the ballot).
pub async fn cast(
    ctx: &Participation,
    actor: &Actor,
    process_id: &str,
    cast: &Cast,
    network: Option<&str>,
) -> Result<Receipt, ParticipationError> {
    actor.require(Assurance::Substantial)?;
    let account = actor.account_id().ok_or(ParticipationError::Forbidden)?;
    let at = ctx.now();
    let mut tx = ctx.db.begin().await?;
    let process = processes::load(&mut tx, process_id, at).await?;
    if process.phase != Phase::Voting {
        return Err(ParticipationError::Refused("not_in_voting"));
    }
    let choices = check_choices(&mut tx, &process, &cast.choices).await?;
    let person = ctx.person_key(&process.id, account);
    // Taking the process's row first orders this ballot with a change of the rules.
    sqlx::query("UPDATE participation_processes SET version = version WHERE id = $1")
        .bind(&process.id)
        .execute(&mut *tx)
        .await?;
    let voted: Option<(String,)> = sqlx::query_as(
        "SELECT person_key FROM participation_voters WHERE process_id = $1 AND person_key = $2",
    )
    .bind(&process.id)
    .bind(&person)
    .fetch_optional(&mut *tx)
    .await?;
    if voted.is_some() {
        return Err(ParticipationError::Refused("already_voted"));
    }
    let pending: Option<(String, String, String, String, i64, i64, String)> = sqlx::query_as(
        "SELECT phone_key, code_hash, district, age_band, expires_at, attempts, address_key \
         FROM participation_verifications WHERE process_id = $1 AND person_key = $2",
    )
    .bind(&process.id)
    .bind(&person)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((phone, code_hash, district, age_band, expires_at, attempts, address)) = pending
    else {
        return Err(ParticipationError::Refused("not_verified"));
    };
    if expires_at <= at || attempts >= verification::MAX_ATTEMPTS {
        return Err(ParticipationError::Refused("code_expired"));
    }
    if code_hash != verification::code_hash(&process.id, &person, &cast.code) {
        sqlx::query(
            "UPDATE participation_verifications SET attempts = attempts + 1 \
             WHERE process_id = $1 AND person_key = $2",
        )
        .bind(&process.id)
        .bind(&person)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        return Err(ParticipationError::Refused("code_wrong"));
    }
    let used: Option<(String,)> = sqlx::query_as(
        "SELECT person_key FROM participation_voters WHERE process_id = $1 AND phone_key = $2",
    )
    .bind(&process.id)
    .bind(&phone)
    .fetch_optional(&mut *tx)
    .await?;
    if used.is_some() {
        return Err(ParticipationError::Refused("phone_used"));
    }
    sqlx::query(
        "INSERT INTO participation_voters (process_id, person_key, phone_key, district, age_band, voted) \
         VALUES ($1, $2, $3, $4, $5, 1)",
    )
    .bind(&process.id)
    .bind(&person)
    .bind(&phone)
    .bind(&district)
    .bind(&age_band)
    .execute(&mut *tx)
    .await
    .map_err(|e| {
        let e: portico_store::StoreError = e.into();
        if e.is_unique_violation() {
            ParticipationError::Refused("already_voted")
        } else {
            e.into()
        }
    })?;
    sqlx::query(
        "DELETE FROM participation_verifications WHERE process_id = $1 AND person_key = $2",
    )
    .bind(&process.id)
    .bind(&person)
    .execute(&mut *tx)
    .await?;
    let receipt = insert_ballot(&mut tx, &process.id, &choices).await?;
    signals::count_ballot(&mut tx, &process.id, at, network, &address).await?;
    // No audit entry names the voter with the ballot: the voters table says who voted.
    tx.commit().await?;
    Ok(receipt)
}

/// Writes a ballot under a new receipt's hash; returns the receipt.
pub async fn insert_ballot(
    tx: &mut Tx,
    process_id: &str,
    choices: &[String],
) -> Result<Receipt, ParticipationError> {
    let mut secret = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let receipt = hex::encode(secret);
    let hash = receipt_hash(&receipt);
    sqlx::query(
        "INSERT INTO participation_ballots (receipt_hash, process_id, choices) VALUES ($1, $2, $3)",
    )
    .bind(&hash)
    .bind(process_id)
    .bind(serde_json::to_string(choices)?)
    .execute(&mut **tx)
    .await?;
    Ok(Receipt {
        receipt,
        receipt_hash: hash,
    })
}

/// A voter changes their ballot until voting closes, where the process allows it, by presenting
/// their receipt: the content is replaced under the same receipt hash.
pub async fn change(
    ctx: &Participation,
    actor: &Actor,
    process_id: &str,
    receipt: &str,
    choices: &[String],
) -> Result<Ballot, ParticipationError> {
    actor.require(Assurance::Substantial)?;
    let account = actor.account_id().ok_or(ParticipationError::Forbidden)?;
    let at = ctx.now();
    let mut tx = ctx.db.begin().await?;
    let process = processes::load(&mut tx, process_id, at).await?;
    if process.phase != Phase::Voting {
        return Err(ParticipationError::Refused("not_in_voting"));
    }
    if !process.rules.allow_change {
        return Err(ParticipationError::Refused("change_not_allowed"));
    }
    let person = ctx.person_key(&process.id, account);
    let voted: Option<(String,)> = sqlx::query_as(
        "SELECT person_key FROM participation_voters WHERE process_id = $1 AND person_key = $2",
    )
    .bind(&process.id)
    .bind(&person)
    .fetch_optional(&mut *tx)
    .await?;
    if voted.is_none() {
        return Err(ParticipationError::Refused("receipt_unknown"));
    }
    let choices = check_choices(&mut tx, &process, choices).await?;
    let hash = receipt_hash(receipt);
    let changed = sqlx::query(
        "UPDATE participation_ballots SET choices = $1 WHERE receipt_hash = $2 AND process_id = $3",
    )
    .bind(serde_json::to_string(&choices)?)
    .bind(&hash)
    .bind(&process.id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(ParticipationError::Refused("receipt_unknown"));
    }
    tx.commit().await?;
    Ok(Ballot {
        process_id: process.id,
        receipt_hash: hash,
        choices,
    })
}

/// The ballot a receipt (or its published hash) finds. Anybody with it may look.
pub async fn find(ctx: &Participation, receipt: &str) -> Result<Ballot, ParticipationError> {
    let receipt = receipt.trim();
    let hash = if receipt.len() == 64 {
        receipt.to_owned()
    } else {
        receipt_hash(receipt)
    };
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT process_id, choices FROM participation_ballots WHERE receipt_hash = $1",
    )
    .bind(&hash)
    .fetch_optional(ctx.db.pool())
    .await?;
    let (process_id, choices) = row.ok_or(ParticipationError::NotFound)?;
    Ok(Ballot {
        process_id,
        receipt_hash: hash,
        choices: serde_json::from_str(&choices)?,
    })
}

/// How many ballots a process has.
pub async fn turnout(ctx: &Participation, process_id: &str) -> Result<i64, ParticipationError> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM participation_ballots WHERE process_id = $1")
            .bind(process_id)
            .fetch_one(ctx.db.pool())
            .await?;
    Ok(n)
}
