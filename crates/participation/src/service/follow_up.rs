//! The follow-up of the funded projects: once voting has closed, the administration publishes
//! updates of each funded project's implementation (status, spent so far, a note); the latest is
//! shown with the results and every one on the project's page.

use super::{administers, processes, tally, Participation};
use crate::error::ParticipationError;
use crate::model::{Implementation, NewProjectUpdate, Phase, ProjectUpdate};
use portico_audit::Event;
use portico_core::new_id;
use portico_core::Actor;
use std::collections::HashMap;

const NOTE_MAX: usize = 5_000;

/// The administration publishes an update of a funded project. Refused before voting closes
/// (`follow_up_not_yet`), for a project the count did not fund (`not_funded`), without a note
/// (`update_note_missing`), or with a negative amount (`spent_invalid`).
pub async fn update(
    ctx: &Participation,
    actor: &Actor,
    proposal_id: &str,
    new: &NewProjectUpdate,
) -> Result<ProjectUpdate, ParticipationError> {
    let note = new.note.trim();
    if note.is_empty() || note.chars().count() > NOTE_MAX {
        return Err(ParticipationError::Invalid("update_note_missing"));
    }
    if new.spent_minor < 0 {
        return Err(ParticipationError::Invalid("spent_invalid"));
    }
    let proposal = super::proposals::get(ctx, proposal_id).await?;
    let process = processes::get(ctx, &proposal.process_id).await?;
    if !administers(actor, &process.administration_id) {
        return Err(ParticipationError::NotFound);
    }
    if !matches!(process.phase, Phase::Counting | Phase::Results) {
        return Err(ParticipationError::Refused("follow_up_not_yet"));
    }
    // The count is final once voting has closed, so the funded set does not move.
    let count = tally::count(ctx, &process.id).await?;
    if !count
        .projects
        .iter()
        .any(|p| p.id == proposal.id && p.funded)
    {
        return Err(ParticipationError::Refused("not_funded"));
    }
    let now = ctx.clock.now();
    let at = portico_core::clock::to_millis(now);
    let id = new_id().to_string();
    let mut tx = ctx.db.begin().await?;
    sqlx::query(
        "INSERT INTO participation_project_updates (id, proposal_id, at, status, spent_minor, note) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(&proposal.id)
    .bind(at)
    .bind(new.status.as_str())
    .bind(new.spent_minor)
    .bind(note)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO participation_proposal_history (id, proposal_id, at, actor, kind, detail) \
         VALUES ($1, $2, $3, $4, 'implementation', $5)",
    )
    .bind(new_id().to_string())
    .bind(&proposal.id)
    .bind(at)
    .bind(actor.audit_id())
    .bind(
        serde_json::json!({ "status": new.status.as_str(), "spent_minor": new.spent_minor })
            .to_string(),
    )
    .execute(&mut *tx)
    .await?;
    portico_audit::append(
        &mut tx,
        Event::new(
            &actor.audit_id(),
            "participation.project_updated",
            &proposal.id,
        )
        .in_administration(&process.administration_id)
        .with(serde_json::json!({ "status": new.status.as_str() })),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(ProjectUpdate {
        id,
        proposal_id: proposal.id,
        at,
        status: new.status,
        spent_minor: new.spent_minor,
        note: note.to_owned(),
    })
}

type Row = (String, String, i64, String, i64, String);

fn of(r: Row) -> ProjectUpdate {
    ProjectUpdate {
        id: r.0,
        proposal_id: r.1,
        at: r.2,
        status: Implementation::parse(&r.3).unwrap_or(Implementation::Planned),
        spent_minor: r.4,
        note: r.5,
    }
}

/// A project's updates, oldest first. Public.
pub async fn updates(
    ctx: &Participation,
    proposal_id: &str,
) -> Result<Vec<ProjectUpdate>, ParticipationError> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, proposal_id, at, status, spent_minor, note FROM participation_project_updates \
         WHERE proposal_id = $1 ORDER BY at, id",
    )
    .bind(proposal_id)
    .fetch_all(ctx.db.pool())
    .await?;
    Ok(rows.into_iter().map(of).collect())
}

/// The latest update of each project of a process that has one. Public.
pub async fn latest(
    ctx: &Participation,
    process_id: &str,
) -> Result<HashMap<String, ProjectUpdate>, ParticipationError> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT u.id, u.proposal_id, u.at, u.status, u.spent_minor, u.note \
         FROM participation_project_updates u \
         JOIN participation_proposals p ON p.id = u.proposal_id \
         WHERE p.process_id = $1 ORDER BY u.at, u.id",
    )
    .bind(process_id)
    .fetch_all(ctx.db.pool())
    .await?;
    Ok(rows.into_iter().map(|r| (r.1.clone(), of(r))).collect())
}
