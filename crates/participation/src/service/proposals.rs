//! Proposals: submitted by signed-in people during the proposals phase, supported and commented
//! on by others, reviewed by the administration (feasible, not feasible, merged) with a published
//! reason. Every change is kept in the proposal's history.

use super::{administers, processes, Participation};
use crate::error::ParticipationError;
use crate::model::{
    Comment, HistoryEntry, NewProposal, Phase, Proposal, ProposalPage, ProposalStatus, Proposers,
    Review,
};
use portico_audit::Event;
use portico_core::{new_id, Actor, Assurance};
use portico_store::Tx;

const TITLE_MAX: usize = 200;
const TEXT_MAX: usize = 10_000;
const COMMENT_MAX: usize = 2_000;

fn unique(e: sqlx::Error) -> Result<(), ParticipationError> {
    let e: portico_store::StoreError = e.into();
    if e.is_unique_violation() {
        Ok(())
    } else {
        Err(e.into())
    }
}

pub(crate) async fn history(
    tx: &mut Tx,
    proposal_id: &str,
    at: i64,
    actor: &Actor,
    kind: &str,
    detail: serde_json::Value,
) -> Result<(), ParticipationError> {
    sqlx::query(
        "INSERT INTO participation_proposal_history (id, proposal_id, at, actor, kind, detail) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new_id().to_string())
    .bind(proposal_id)
    .bind(at)
    .bind(actor.audit_id())
    .bind(kind)
    .bind(detail.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Adds `delta` to the process's count of proposals in `status`, in the writer's transaction:
/// the list reads these counts instead of counting rows on every page.
pub(crate) async fn add_to_count(
    tx: &mut Tx,
    process_id: &str,
    status: &str,
    delta: i64,
) -> Result<(), ParticipationError> {
    sqlx::query(
        "INSERT INTO participation_proposal_counts (process_id, status, proposals) VALUES ($1, $2, $3) \
         ON CONFLICT (process_id, status) DO UPDATE SET proposals = participation_proposal_counts.proposals + excluded.proposals",
    )
    .bind(process_id)
    .bind(status)
    .bind(delta)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// How many proposals the process has (of the status, or in all), from the kept counts.
async fn count_of(
    tx: &mut Tx,
    process_id: &str,
    status: Option<ProposalStatus>,
) -> Result<i64, ParticipationError> {
    let (filter, status) = status_filter(status);
    let (total,): (i64,) = sqlx::query_as(&format!(
        "SELECT CAST(COALESCE(SUM(proposals), 0) AS BIGINT) FROM participation_proposal_counts \
         WHERE process_id = $1 {filter}"
    ))
    .bind(process_id)
    .bind(status)
    .fetch_one(&mut **tx)
    .await?;
    Ok(total)
}

/// A person proposes a project in a process during its proposals phase.
pub async fn submit(
    ctx: &Participation,
    actor: &Actor,
    process_id: &str,
    new: &NewProposal,
) -> Result<String, ParticipationError> {
    let account = actor
        .account_id()
        .ok_or(ParticipationError::Forbidden)?
        .to_owned();
    let title = new.title.trim();
    let description = new.description.trim();
    if title.is_empty() || title.chars().count() > TITLE_MAX {
        return Err(ParticipationError::Invalid("proposal_title_invalid"));
    }
    if description.is_empty() || description.chars().count() > TEXT_MAX {
        return Err(ParticipationError::Invalid("proposal_description_invalid"));
    }
    if new.latitude.is_some() != new.longitude.is_some()
        || new.latitude.is_some_and(|l| !(-90.0..=90.0).contains(&l))
        || new
            .longitude
            .is_some_and(|l| !(-180.0..=180.0).contains(&l))
    {
        return Err(ParticipationError::Invalid("location_invalid"));
    }
    let now = ctx.clock.now();
    let at = portico_core::clock::to_millis(now);
    let mut tx = ctx.db.begin().await?;
    let process = processes::load(&mut tx, process_id, at).await?;
    if process.phase != Phase::Proposals {
        return Err(ParticipationError::Refused("not_in_proposals"));
    }
    if process.rules.proposers == Proposers::Residents {
        actor.require(Assurance::Substantial)?;
    }
    if new.budget_minor <= 0 || new.budget_minor > process.rules.budget_minor {
        return Err(ParticipationError::Invalid("proposal_budget_invalid"));
    }
    let mut topics: Vec<&str> = new.topics.iter().map(|t| t.trim()).collect();
    topics.sort_unstable();
    topics.dedup();
    if topics.is_empty()
        || topics
            .iter()
            .any(|t| !process.topics.iter().any(|pt| pt.code == *t))
    {
        return Err(ParticipationError::Invalid("proposal_topics_invalid"));
    }
    let (number,): (i64,) = sqlx::query_as(
        "SELECT COALESCE(MAX(number), 0) + 1 FROM participation_proposals WHERE process_id = $1",
    )
    .bind(&process.id)
    .fetch_one(&mut *tx)
    .await?;
    let id = new_id().to_string();
    sqlx::query(
        "INSERT INTO participation_proposals (id, process_id, number, author_account_id, title, description, \
         budget_minor, district, latitude, longitude, status, supports, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'submitted', 0, $11)",
    )
    .bind(&id)
    .bind(&process.id)
    .bind(number)
    .bind(&account)
    .bind(title)
    .bind(description)
    .bind(new.budget_minor)
    .bind(new.district.as_deref().map(str::trim).filter(|d| !d.is_empty()))
    .bind(new.latitude.map(|l| l.to_string()))
    .bind(new.longitude.map(|l| l.to_string()))
    .bind(at)
    .execute(&mut *tx)
    .await
    .map_err(|e| {
        let e: portico_store::StoreError = e.into();
        if e.is_unique_violation() {
            // Another proposal took the number at the same moment: the person tries again.
            ParticipationError::Refused("try_again")
        } else {
            e.into()
        }
    })?;
    add_to_count(&mut tx, &process.id, ProposalStatus::Submitted.as_str(), 1).await?;
    for t in &topics {
        sqlx::query(
            "INSERT INTO participation_proposal_topics (proposal_id, topic_code) VALUES ($1, $2)",
        )
        .bind(&id)
        .bind(t)
        .execute(&mut *tx)
        .await?;
    }
    history(
        &mut tx,
        &id,
        at,
        actor,
        "submitted",
        serde_json::json!({ "title": title, "budget_minor": new.budget_minor, "topics": topics }),
    )
    .await?;
    portico_audit::append(
        &mut tx,
        Event::new(&actor.audit_id(), "participation.proposal_submitted", &id)
            .in_administration(&process.administration_id),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

type Row = (
    String,
    String,
    i64,
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    i64,
    i64,
);

const COLUMNS: &str =
    "id, process_id, number, title, description, budget_minor, district, latitude, \
    longitude, status, review_reason, merged_into, supports, created_at";

fn from_row(r: Row, topics: Vec<String>) -> Proposal {
    Proposal {
        id: r.0,
        process_id: r.1,
        number: r.2,
        title: r.3,
        description: r.4,
        budget_minor: r.5,
        district: r.6,
        latitude: r.7.and_then(|l| l.parse().ok()),
        longitude: r.8.and_then(|l| l.parse().ok()),
        topics,
        status: ProposalStatus::parse(&r.9).unwrap_or(ProposalStatus::Submitted),
        review_reason: r.10,
        merged_into: r.11,
        supports: r.12,
        created_at: r.13,
    }
}

async fn topics_of(tx: &mut Tx, id: &str) -> Result<Vec<String>, ParticipationError> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT topic_code FROM participation_proposal_topics WHERE proposal_id = $1 ORDER BY topic_code",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|(t,)| t).collect())
}

async fn load(tx: &mut Tx, id: &str) -> Result<Proposal, ParticipationError> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM participation_proposals WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    let row = row.ok_or(ParticipationError::NotFound)?;
    let topics = topics_of(tx, &row.0).await?;
    Ok(from_row(row, topics))
}

/// A proposal. Proposals are public.
pub async fn get(ctx: &Participation, id: &str) -> Result<Proposal, ParticipationError> {
    let mut tx = ctx.db.begin().await?;
    let p = load(&mut tx, id).await?;
    tx.commit().await?;
    Ok(p)
}

/// A process's proposal by its number in the process.
pub async fn by_number(
    ctx: &Participation,
    process_id: &str,
    number: i64,
) -> Result<Option<Proposal>, ParticipationError> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM participation_proposals WHERE process_id = $1 AND number = $2",
    )
    .bind(process_id)
    .bind(number)
    .fetch_optional(ctx.db.pool())
    .await?;
    match row {
        Some((id,)) => Ok(Some(get(ctx, &id).await?)),
        None => Ok(None),
    }
}

/// Where a page of proposals starts. The sort key is the proposal's number in its process, which
/// both indexes lead with (`UNIQUE (process_id, number)` and `(process_id, status, number)`), so
/// a page costs the same however deep it is: no `OFFSET` walks the rows before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cursor {
    First,
    /// The proposals numbered after this one.
    After(i64),
    /// The proposals numbered before this one (the page that ends just before it).
    Before(i64),
}

impl Cursor {
    /// The cursor of a link's `after` or `before` (at most one; a number from 0 up).
    pub fn parse(after: Option<&str>, before: Option<&str>) -> Result<Cursor, ParticipationError> {
        let number = |s: &str| {
            s.trim()
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or(ParticipationError::Invalid("cursor_invalid"))
        };
        match (
            after.filter(|s| !s.is_empty()),
            before.filter(|s| !s.is_empty()),
        ) {
            (None, None) => Ok(Cursor::First),
            (Some(a), None) => Ok(Cursor::After(number(a)?)),
            (None, Some(b)) => Ok(Cursor::Before(number(b)?)),
            (Some(_), Some(_)) => Err(ParticipationError::Invalid("cursor_invalid")),
        }
    }
}

/// `AND status = $2` when a status is asked for; the same placeholder either way keeps one bind
/// order for both queries.
fn status_filter(status: Option<ProposalStatus>) -> (&'static str, &'static str) {
    match status {
        Some(s) => ("AND status = $2", s.as_str()),
        None => ("AND $2 = $2", ""),
    }
}

/// Whether the process has a proposal (of the status) on the given side of `number`: one probe
/// of the index, for the "previous" and "next" links.
async fn any_beyond(
    tx: &mut Tx,
    process_id: &str,
    status: Option<ProposalStatus>,
    comparison: &str,
    number: i64,
) -> Result<bool, ParticipationError> {
    let (filter, status) = status_filter(status);
    let row: Option<(i64,)> = sqlx::query_as(&format!(
        "SELECT number FROM participation_proposals WHERE process_id = $1 {filter} \
         AND number {comparison} $3 LIMIT 1"
    ))
    .bind(process_id)
    .bind(status)
    .bind(number)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.is_some())
}

/// One page of rows from the cursor on, in number order, and whether there are more beyond it
/// (on the side the cursor reads towards).
async fn rows_from(
    tx: &mut Tx,
    process_id: &str,
    status: Option<ProposalStatus>,
    cursor: Cursor,
    limit: i64,
) -> Result<(Vec<Row>, bool), ParticipationError> {
    let (filter, status) = status_filter(status);
    let (bound, order, key) = match cursor {
        Cursor::First => ("", "ASC", 0),
        Cursor::After(n) => ("AND number > $3", "ASC", n),
        Cursor::Before(n) => ("AND number < $3", "DESC", n),
    };
    let bound = if bound.is_empty() {
        "AND $3 = $3"
    } else {
        bound
    };
    // One row more than the page tells whether another page follows.
    let mut rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM participation_proposals WHERE process_id = $1 {filter} {bound} \
         ORDER BY number {order} LIMIT $4"
    ))
    .bind(process_id)
    .bind(status)
    .bind(key)
    .bind(limit + 1)
    .fetch_all(&mut **tx)
    .await?;
    let more = rows.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    if order == "DESC" {
        rows.reverse();
    }
    Ok((rows, more))
}

/// The topics of a page's proposals in one query, not one per proposal.
async fn topics_of_page(
    tx: &mut Tx,
    rows: &[Row],
) -> Result<std::collections::HashMap<String, Vec<String>>, ParticipationError> {
    let mut topics: std::collections::HashMap<String, Vec<String>> =
        std::collections::HashMap::new();
    if rows.is_empty() {
        return Ok(topics);
    }
    let marks: Vec<String> = (1..=rows.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT proposal_id, topic_code FROM participation_proposal_topics \
         WHERE proposal_id IN ({}) ORDER BY topic_code",
        marks.join(", ")
    );
    let mut q = sqlx::query_as::<_, (String, String)>(&sql);
    for row in rows {
        q = q.bind(&row.0);
    }
    for (proposal, topic) in q.fetch_all(&mut **tx).await? {
        topics.entry(proposal).or_default().push(topic);
    }
    Ok(topics)
}

/// A page of a process's proposals in the order they came (by number), optionally of one
/// status, from a cursor; with the cursors of the pages before and after it.
pub async fn list(
    ctx: &Participation,
    process_id: &str,
    status: Option<ProposalStatus>,
    cursor: Cursor,
    limit: i64,
) -> Result<ProposalPage, ParticipationError> {
    let limit = limit.clamp(1, 100);
    let mut tx = ctx.db.begin().await?;
    let process = processes::load(&mut tx, process_id, ctx.now()).await?;
    // The kept count, not a `COUNT(*)` over the process's rows.
    let total = count_of(&mut tx, &process.id, status).await?;
    let (mut rows, mut more) = rows_from(&mut tx, &process.id, status, cursor, limit).await?;
    let mut cursor = cursor;
    if matches!(cursor, Cursor::Before(_)) && !more {
        // Going back reached the start: show the whole first page, not a short one.
        cursor = Cursor::First;
        (rows, more) = rows_from(&mut tx, &process.id, status, cursor, limit).await?;
    }
    // The cursors the links carry: the first number shown (or, past the end, the one after the
    // cursor) for "previous", the last shown for "next".
    let first = rows.first().map(|r| r.2);
    let last = rows.last().map(|r| r.2);
    let (previous_before, next_after) = match cursor {
        Cursor::First => (None, last.filter(|_| more)),
        Cursor::After(n) => {
            let before = first.unwrap_or(n.saturating_add(1));
            let earlier = any_beyond(&mut tx, &process.id, status, "<", before).await?;
            (Some(before).filter(|_| earlier), last.filter(|_| more))
        }
        Cursor::Before(n) => {
            let after = last.unwrap_or(n.saturating_sub(1));
            let later = any_beyond(&mut tx, &process.id, status, ">", after).await?;
            (first.filter(|_| more), Some(after).filter(|_| later))
        }
    };
    let mut topics = topics_of_page(&mut tx, &rows).await?;
    let items = rows
        .into_iter()
        .map(|row| {
            let t = topics.remove(&row.0).unwrap_or_default();
            from_row(row, t)
        })
        .collect();
    tx.commit().await?;
    Ok(ProposalPage {
        items,
        total,
        limit,
        previous_before,
        next_after,
    })
}

/// A signed-in person supports a proposal (once; again changes nothing) until voting begins.
pub async fn support(
    ctx: &Participation,
    actor: &Actor,
    id: &str,
) -> Result<Proposal, ParticipationError> {
    let account = actor.account_id().ok_or(ParticipationError::Forbidden)?;
    let at = ctx.now();
    let mut tx = ctx.db.begin().await?;
    let proposal = load(&mut tx, id).await?;
    let process = processes::load(&mut tx, &proposal.process_id, at).await?;
    if !matches!(process.phase, Phase::Proposals | Phase::Review) {
        return Err(ParticipationError::Refused("support_closed"));
    }
    let inserted = sqlx::query(
        "INSERT INTO participation_supports (proposal_id, account_id, created_at) VALUES ($1, $2, $3)",
    )
    .bind(&proposal.id)
    .bind(account)
    .bind(at)
    .execute(&mut *tx)
    .await;
    match inserted {
        Ok(_) => {
            sqlx::query("UPDATE participation_proposals SET supports = supports + 1 WHERE id = $1")
                .bind(&proposal.id)
                .execute(&mut *tx)
                .await?;
        }
        Err(e) => {
            unique(e)?;
            return Ok(proposal);
        }
    }
    let proposal = load(&mut tx, id).await?;
    tx.commit().await?;
    Ok(proposal)
}

/// A signed-in person comments on a proposal until results are published.
pub async fn comment(
    ctx: &Participation,
    actor: &Actor,
    id: &str,
    body: &str,
) -> Result<Comment, ParticipationError> {
    let account = actor.account_id().ok_or(ParticipationError::Forbidden)?;
    let body = body.trim();
    if body.is_empty() || body.chars().count() > COMMENT_MAX {
        return Err(ParticipationError::Invalid("comment_invalid"));
    }
    let at = ctx.now();
    let mut tx = ctx.db.begin().await?;
    let proposal = load(&mut tx, id).await?;
    let process = processes::load(&mut tx, &proposal.process_id, at).await?;
    if matches!(process.phase, Phase::Upcoming | Phase::Results) {
        return Err(ParticipationError::Refused("comments_closed"));
    }
    let comment_id = new_id().to_string();
    sqlx::query(
        "INSERT INTO participation_comments (id, proposal_id, author_account_id, body, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&comment_id)
    .bind(&proposal.id)
    .bind(account)
    .bind(body)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Comment {
        id: comment_id,
        body: body.to_owned(),
        created_at: at,
    })
}

/// A proposal's comments, oldest first.
pub async fn comments(ctx: &Participation, id: &str) -> Result<Vec<Comment>, ParticipationError> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT id, body, created_at FROM participation_comments WHERE proposal_id = $1 ORDER BY created_at, id",
    )
    .bind(id)
    .fetch_all(ctx.db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, body, created_at)| Comment {
            id,
            body,
            created_at,
        })
        .collect())
}

/// A proposal's history, oldest first.
pub async fn history_of(
    ctx: &Participation,
    id: &str,
) -> Result<Vec<HistoryEntry>, ParticipationError> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT at, kind, detail FROM participation_proposal_history WHERE proposal_id = $1 ORDER BY at, id",
    )
    .bind(id)
    .fetch_all(ctx.db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(at, kind, detail)| HistoryEntry {
            at,
            kind,
            detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
        })
        .collect())
}

/// The administration reviews a proposal: feasible, not feasible, or merged into another of the
/// same process, always with a published reason. Possible until voting begins.
pub async fn review(
    ctx: &Participation,
    actor: &Actor,
    id: &str,
    review: &Review,
) -> Result<Proposal, ParticipationError> {
    let reason = review.reason.trim();
    if reason.is_empty() || reason.chars().count() > TEXT_MAX {
        return Err(ParticipationError::Invalid("review_reason_missing"));
    }
    let now = ctx.clock.now();
    let at = portico_core::clock::to_millis(now);
    let mut tx = ctx.db.begin().await?;
    let proposal = load(&mut tx, id).await?;
    let process = processes::load(&mut tx, &proposal.process_id, at).await?;
    if !administers(actor, &process.administration_id) {
        return Err(ParticipationError::Forbidden);
    }
    if !matches!(
        process.phase,
        Phase::Proposals | Phase::Review | Phase::Waiting
    ) {
        return Err(ParticipationError::Refused("review_closed"));
    }
    let merged_into = match review.status {
        ProposalStatus::Submitted => {
            return Err(ParticipationError::Invalid("review_status_invalid"))
        }
        ProposalStatus::Merged => {
            let target = review
                .merged_into
                .as_deref()
                .ok_or(ParticipationError::Invalid("merge_target_invalid"))?;
            let other = load(&mut tx, target)
                .await
                .map_err(|_| ParticipationError::Invalid("merge_target_invalid"))?;
            if other.id == proposal.id
                || other.process_id != proposal.process_id
                || other.status == ProposalStatus::Merged
            {
                return Err(ParticipationError::Invalid("merge_target_invalid"));
            }
            Some(other.id)
        }
        _ => None,
    };
    // Only from the status read above: a review or withdrawal that changed it in between makes
    // this one try again, so the kept counts move once per change.
    let updated = sqlx::query(
        "UPDATE participation_proposals SET status = $1, review_reason = $2, merged_into = $3 \
         WHERE id = $4 AND status = $5",
    )
    .bind(review.status.as_str())
    .bind(reason)
    .bind(merged_into.as_deref())
    .bind(&proposal.id)
    .bind(proposal.status.as_str())
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() != 1 {
        return Err(ParticipationError::Refused("try_again"));
    }
    if review.status != proposal.status {
        add_to_count(&mut tx, &process.id, proposal.status.as_str(), -1).await?;
        add_to_count(&mut tx, &process.id, review.status.as_str(), 1).await?;
    }
    history(
        &mut tx,
        &proposal.id,
        at,
        actor,
        "reviewed",
        serde_json::json!({
            "from": proposal.status.as_str(),
            "status": review.status.as_str(),
            "reason": reason,
            "merged_into": merged_into,
        }),
    )
    .await?;
    portico_audit::append(
        &mut tx,
        Event::new(
            &actor.audit_id(),
            "participation.proposal_reviewed",
            &proposal.id,
        )
        .in_administration(&process.administration_id)
        .with(serde_json::json!({ "status": review.status.as_str() })),
        now,
    )
    .await?;
    let proposal = load(&mut tx, &proposal.id).await?;
    tx.commit().await?;
    Ok(proposal)
}

/// Whether the actor wrote the proposal (authors are not published; the pages ask this to offer
/// the author's own forms).
pub async fn is_author(
    ctx: &Participation,
    actor: &Actor,
    id: &str,
) -> Result<bool, ParticipationError> {
    let Some(account) = actor.account_id() else {
        return Ok(false);
    };
    let row: Option<(String,)> =
        sqlx::query_as("SELECT author_account_id FROM participation_proposals WHERE id = $1")
            .bind(id)
            .fetch_optional(ctx.db.pool())
            .await?;
    Ok(row.is_some_and(|(a,)| a == account))
}

/// The author withdraws their proposal during the proposals phase, while it is not reviewed and
/// no other proposal was merged into it: the proposal goes with its topics, supports, comments,
/// history and attachments, and the process's count loses it. The keys of its attachments' blobs
/// are returned (the bytes stay in the content-addressed store, which other blocks share).
pub async fn withdraw(
    ctx: &Participation,
    actor: &Actor,
    id: &str,
) -> Result<Vec<String>, ParticipationError> {
    let account = actor.account_id().ok_or(ParticipationError::Forbidden)?;
    let now = ctx.clock.now();
    let at = portico_core::clock::to_millis(now);
    let mut tx = ctx.db.begin().await?;
    let proposal = load(&mut tx, id).await?;
    let (author,): (String,) =
        sqlx::query_as("SELECT author_account_id FROM participation_proposals WHERE id = $1")
            .bind(&proposal.id)
            .fetch_one(&mut *tx)
            .await?;
    if author != account {
        return Err(ParticipationError::Forbidden);
    }
    let process = processes::load(&mut tx, &proposal.process_id, at).await?;
    if process.phase != Phase::Proposals || proposal.status != ProposalStatus::Submitted {
        return Err(ParticipationError::Refused("withdraw_closed"));
    }
    let merged: Option<(String,)> =
        sqlx::query_as("SELECT id FROM participation_proposals WHERE merged_into = $1 LIMIT 1")
            .bind(&proposal.id)
            .fetch_optional(&mut *tx)
            .await?;
    if merged.is_some() {
        return Err(ParticipationError::Refused("withdraw_closed"));
    }
    let blobs: Vec<(String,)> =
        sqlx::query_as("SELECT blob_key FROM participation_attachments WHERE proposal_id = $1")
            .bind(&proposal.id)
            .fetch_all(&mut *tx)
            .await?;
    for table in [
        "participation_attachments",
        "participation_proposal_topics",
        "participation_supports",
        "participation_comments",
        "participation_proposal_history",
    ] {
        sqlx::query(&format!("DELETE FROM {table} WHERE proposal_id = $1"))
            .bind(&proposal.id)
            .execute(&mut *tx)
            .await?;
    }
    let deleted =
        sqlx::query("DELETE FROM participation_proposals WHERE id = $1 AND status = 'submitted'")
            .bind(&proposal.id)
            .execute(&mut *tx)
            .await?;
    if deleted.rows_affected() != 1 {
        return Err(ParticipationError::Refused("try_again"));
    }
    add_to_count(&mut tx, &process.id, proposal.status.as_str(), -1).await?;
    portico_audit::append(
        &mut tx,
        Event::new(
            &actor.audit_id(),
            "participation.proposal_withdrawn",
            &proposal.id,
        )
        .in_administration(&process.administration_id),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(blobs.into_iter().map(|(b,)| b).collect())
}

/// A proposal with its place, for the map.
#[derive(Debug, Clone)]
pub struct Located {
    pub id: String,
    pub number: i64,
    pub title: String,
    pub status: ProposalStatus,
    pub latitude: f64,
    pub longitude: f64,
}

type LocatedRow = (String, i64, String, String, Option<String>, Option<String>);

/// The most proposals a map draws.
pub const MAP_MAX: i64 = 1000;

/// A process's proposals that have a location, in number order (at most [`MAP_MAX`]).
pub async fn located(
    ctx: &Participation,
    process_id: &str,
) -> Result<Vec<Located>, ParticipationError> {
    let rows: Vec<LocatedRow> = sqlx::query_as(
        "SELECT id, number, title, status, latitude, longitude FROM participation_proposals \
         WHERE process_id = $1 AND latitude IS NOT NULL AND longitude IS NOT NULL \
         ORDER BY number LIMIT $2",
    )
    .bind(process_id)
    .bind(MAP_MAX)
    .fetch_all(ctx.db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, number, title, status, lat, lon)| {
            Some(Located {
                id,
                number,
                title,
                status: ProposalStatus::parse(&status).unwrap_or(ProposalStatus::Submitted),
                latitude: lat?.parse().ok()?,
                longitude: lon?.parse().ok()?,
            })
        })
        .collect())
}
