//! Participatory processes: opened by an administration with phases, a theme, topics and rules;
//! the rules change only until the first ballot is cast.

use super::{administers, Participation};
use crate::error::ParticipationError;
use crate::model::{BallotRule, NewProcess, Phases, Process, Proposers, Rules, Topic};
use portico_audit::Event;
use portico_core::{new_id, Actor};
use portico_store::Tx;

fn check_rules(rules: &Rules) -> Result<(), ParticipationError> {
    if rules.voter_area.trim().is_empty() {
        return Err(ParticipationError::Invalid("voter_area_missing"));
    }
    if !(0..=120).contains(&rules.min_age) {
        return Err(ParticipationError::Invalid("min_age_invalid"));
    }
    if rules.budget_minor <= 0 || rules.currency.len() != 3 {
        return Err(ParticipationError::Invalid("budget_invalid"));
    }
    if rules.ballot_rule == BallotRule::UpToN && rules.max_choices < 1 {
        return Err(ParticipationError::Invalid("max_choices_invalid"));
    }
    if rules.legal_basis.trim().is_empty() {
        return Err(ParticipationError::Invalid("legal_basis_missing"));
    }
    if let Some(boundary) = &rules.boundary {
        crate::service::geofence::parse(boundary)?;
    }
    Ok(())
}

/// Opens a process. Only the administration's admins (or its systems) may.
pub async fn open(
    ctx: &Participation,
    actor: &Actor,
    new: &NewProcess,
) -> Result<String, ParticipationError> {
    if !administers(actor, &new.administration_id) {
        return Err(ParticipationError::Forbidden);
    }
    let slug = new.slug.trim();
    if slug.is_empty()
        || !slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(ParticipationError::Invalid("slug_invalid"));
    }
    if new.title_bg.trim().is_empty() || new.title_en.trim().is_empty() {
        return Err(ParticipationError::Invalid("title_missing"));
    }
    if !new.phases.valid() {
        return Err(ParticipationError::Invalid("phases_out_of_order"));
    }
    check_rules(&new.rules)?;
    if new.topics.is_empty() {
        return Err(ParticipationError::Invalid("topics_missing"));
    }
    let now = ctx.clock.now();
    let id = new_id().to_string();
    let mut tx = ctx.db.begin().await?;
    let taken: Option<(String,)> =
        sqlx::query_as("SELECT id FROM participation_processes WHERE slug = $1")
            .bind(slug)
            .fetch_optional(&mut *tx)
            .await?;
    if taken.is_some() {
        return Err(ParticipationError::Invalid("slug_taken"));
    }
    let p = &new.phases;
    let r = &new.rules;
    sqlx::query(
        "INSERT INTO participation_processes (id, administration_id, slug, title_bg, title_en, theme, \
         proposals_from, proposals_until, review_until, voting_from, voting_until, results_from, \
         proposers, voter_area, min_age, budget_minor, currency, ballot_rule, max_choices, allow_change, \
         legal_basis, boundary, created_at, version, tally_live) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, 1, $24)",
    )
    .bind(&id)
    .bind(&new.administration_id)
    .bind(slug)
    .bind(new.title_bg.trim())
    .bind(new.title_en.trim())
    .bind(new.theme.trim())
    .bind(p.proposals_from)
    .bind(p.proposals_until)
    .bind(p.review_until)
    .bind(p.voting_from)
    .bind(p.voting_until)
    .bind(p.results_from)
    .bind(r.proposers.as_str())
    .bind(r.voter_area.trim())
    .bind(r.min_age)
    .bind(r.budget_minor)
    .bind(&r.currency)
    .bind(r.ballot_rule.as_str())
    .bind(r.max_choices)
    .bind(i64::from(r.allow_change))
    .bind(r.legal_basis.trim())
    .bind(r.boundary.as_ref().map(|b| b.to_string()))
    .bind(portico_core::clock::to_millis(now))
    .bind(i64::from(r.tally_live))
    .execute(&mut *tx)
    .await?;
    for (i, t) in new.topics.iter().enumerate() {
        if t.code.trim().is_empty() {
            return Err(ParticipationError::Invalid("topics_missing"));
        }
        sqlx::query(
            "INSERT INTO participation_topics (process_id, code, name_bg, name_en, position) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&id)
        .bind(t.code.trim())
        .bind(&t.name_bg)
        .bind(&t.name_en)
        .bind(i64::try_from(i).unwrap_or(i64::MAX))
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            let e: portico_store::StoreError = e.into();
            if e.is_unique_violation() {
                ParticipationError::Invalid("topic_duplicate")
            } else {
                e.into()
            }
        })?;
    }
    portico_audit::append(
        &mut tx,
        Event::new(&actor.audit_id(), "participation.process_opened", &id)
            .in_administration(&new.administration_id)
            .with(serde_json::json!({ "slug": slug })),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    administration_id: String,
    slug: String,
    title_bg: String,
    title_en: String,
    theme: String,
    proposals_from: i64,
    proposals_until: i64,
    review_until: i64,
    voting_from: i64,
    voting_until: i64,
    results_from: i64,
    proposers: String,
    voter_area: String,
    min_age: i64,
    budget_minor: i64,
    currency: String,
    ballot_rule: String,
    max_choices: i64,
    allow_change: i64,
    legal_basis: String,
    boundary: Option<String>,
    version: i64,
    tally_live: i64,
}

const COLUMNS: &str = "id, administration_id, slug, title_bg, title_en, theme, proposals_from, \
    proposals_until, review_until, voting_from, voting_until, results_from, proposers, voter_area, \
    min_age, budget_minor, currency, ballot_rule, max_choices, allow_change, legal_basis, boundary, version, tally_live";

fn from_row(row: Row, topics: Vec<Topic>, locked: bool, now: i64) -> Process {
    let phases = Phases {
        proposals_from: row.proposals_from,
        proposals_until: row.proposals_until,
        review_until: row.review_until,
        voting_from: row.voting_from,
        voting_until: row.voting_until,
        results_from: row.results_from,
    };
    Process {
        id: row.id,
        administration_id: row.administration_id,
        slug: row.slug,
        title_bg: row.title_bg,
        title_en: row.title_en,
        theme: row.theme,
        phase: phases.at(now),
        phases,
        rules: Rules {
            proposers: Proposers::parse(&row.proposers).unwrap_or(Proposers::Residents),
            voter_area: row.voter_area,
            min_age: row.min_age,
            budget_minor: row.budget_minor,
            currency: row.currency,
            ballot_rule: BallotRule::parse(&row.ballot_rule).unwrap_or(BallotRule::UpToN),
            max_choices: row.max_choices,
            allow_change: row.allow_change != 0,
            legal_basis: row.legal_basis,
            boundary: row.boundary.and_then(|b| serde_json::from_str(&b).ok()),
            tally_live: row.tally_live != 0,
        },
        topics,
        locked,
        version: row.version,
    }
}

/// Whether any ballot has been cast in the process.
pub async fn locked(tx: &mut Tx, process_id: &str) -> Result<bool, ParticipationError> {
    // One row is enough: a process with thousands of ballots is not counted on every page.
    let any: Option<(i64,)> =
        sqlx::query_as("SELECT 1 FROM participation_ballots WHERE process_id = $1 LIMIT 1")
            .bind(process_id)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(any.is_some())
}

/// A process by id or slug, in a transaction. Processes are public.
pub async fn load(tx: &mut Tx, id_or_slug: &str, now: i64) -> Result<Process, ParticipationError> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM participation_processes WHERE id = $1 OR slug = $1"
    ))
    .bind(id_or_slug)
    .fetch_optional(&mut **tx)
    .await?;
    let row = row.ok_or(ParticipationError::NotFound)?;
    let topics: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT code, name_bg, name_en FROM participation_topics WHERE process_id = $1 ORDER BY position",
    )
    .bind(&row.id)
    .fetch_all(&mut **tx)
    .await?;
    let topics = topics
        .into_iter()
        .map(|(code, name_bg, name_en)| Topic {
            code,
            name_bg,
            name_en,
        })
        .collect();
    let locked = locked(tx, &row.id).await?;
    Ok(from_row(row, topics, locked, now))
}

/// A process by id or slug.
pub async fn get(ctx: &Participation, id_or_slug: &str) -> Result<Process, ParticipationError> {
    let mut tx = ctx.db.begin().await?;
    let p = load(&mut tx, id_or_slug, ctx.now()).await?;
    tx.commit().await?;
    Ok(p)
}

/// Every process, newest first.
pub async fn list(ctx: &Participation) -> Result<Vec<Process>, ParticipationError> {
    let ids: Vec<(String,)> =
        sqlx::query_as("SELECT id FROM participation_processes ORDER BY created_at DESC")
            .fetch_all(ctx.db.pool())
            .await?;
    let mut out = Vec::with_capacity(ids.len());
    for (id,) in ids {
        out.push(get(ctx, &id).await?);
    }
    Ok(out)
}

/// Changes the rules. Refused once the first ballot is cast (`rules_locked`), or when the
/// process changed since the version the admin saw.
pub async fn change_rules(
    ctx: &Participation,
    actor: &Actor,
    id: &str,
    version: i64,
    rules: &Rules,
) -> Result<Process, ParticipationError> {
    check_rules(rules)?;
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    let process = load(&mut tx, id, ctx.now()).await?;
    if !administers(actor, &process.administration_id) {
        return Err(ParticipationError::Forbidden);
    }
    // The row is written first, so a ballot cast at the same moment either sees the new rules
    // or makes this transaction see its ballot below.
    let changed = sqlx::query(
        "UPDATE participation_processes SET proposers = $1, voter_area = $2, min_age = $3, \
         budget_minor = $4, currency = $5, ballot_rule = $6, max_choices = $7, allow_change = $8, \
         legal_basis = $9, boundary = $10, tally_live = $13, version = version + 1 \
         WHERE id = $11 AND version = $12",
    )
    .bind(rules.proposers.as_str())
    .bind(rules.voter_area.trim())
    .bind(rules.min_age)
    .bind(rules.budget_minor)
    .bind(&rules.currency)
    .bind(rules.ballot_rule.as_str())
    .bind(rules.max_choices)
    .bind(i64::from(rules.allow_change))
    .bind(rules.legal_basis.trim())
    .bind(rules.boundary.as_ref().map(|b| b.to_string()))
    .bind(&process.id)
    .bind(version)
    .bind(i64::from(rules.tally_live))
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(ParticipationError::Refused("stale_version"));
    }
    if locked(&mut tx, &process.id).await? {
        return Err(ParticipationError::Refused("rules_locked"));
    }
    portico_audit::append(
        &mut tx,
        Event::new(
            &actor.audit_id(),
            "participation.rules_changed",
            &process.id,
        )
        .in_administration(&process.administration_id)
        .with(serde_json::to_value(rules)?),
        now,
    )
    .await?;
    let process = load(&mut tx, &process.id, ctx.now()).await?;
    tx.commit().await?;
    Ok(process)
}
