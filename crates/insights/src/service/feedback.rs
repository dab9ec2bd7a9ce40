//! Feedback on a service, after submitting and after a result: a rating on GOV.UK's five-point
//! satisfaction scale and an optional comment. It is anonymous by construction: no account, no
//! session, no time finer than the day, and a random id (not a time-ordered one), so that the
//! administration reading it cannot tell whose it is. The administration answers comments and
//! hides abusive ones with a reason (both audited, as the staff member's actions).

use super::counters::{self, Key};
use super::kpis::MIN_GROUP;
use super::{staff_of, Insights};
use crate::model::{Counts, Feedback, Stage, ONLINE};
use crate::InsightsError;
use portico_core::clock::to_millis;
use portico_core::{Actor, FieldError};

/// The longest comment or answer kept.
pub const MAX_TEXT: usize = 1200;
/// The shortest reason for hiding a comment.
pub const MIN_REASON: usize = 5;

/// The five answers, best first, as GOV.UK's satisfaction survey words them (keys of the
/// translated labels).
pub const SCALE: [(i64, &str); 5] = [
    (5, "insights_rating_5"),
    (4, "insights_rating_4"),
    (3, "insights_rating_3"),
    (2, "insights_rating_2"),
    (1, "insights_rating_1"),
];

/// What a person gives.
#[derive(Debug, Clone)]
pub struct NewFeedback<'a> {
    pub service_id: &'a str,
    pub stage: Stage,
    pub rating: Option<i64>,
    pub comment: &'a str,
}

fn clean(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// Keeps one piece of feedback and counts its rating on today's row of the service.
pub async fn give(ctx: &Insights, f: &NewFeedback<'_>) -> Result<(), InsightsError> {
    let service = portico_catalog::service::get(&ctx.db, f.service_id)
        .await?
        .filter(|s| s.published_at.is_some())
        .ok_or(InsightsError::NotFound)?;
    let mut errors = Vec::new();
    let rating = f.rating.filter(|r| (1..=5).contains(r));
    if rating.is_none() {
        errors.push(FieldError::new("rating", "insights_error_rating"));
    }
    let comment = clean(f.comment);
    if comment
        .as_ref()
        .is_some_and(|c| c.chars().count() > MAX_TEXT)
    {
        errors.push(FieldError::new("comment", "insights_error_too_long"));
    }
    let Some(rating) = rating else {
        return Err(InsightsError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(InsightsError::Invalid(errors));
    }
    let today = ctx.today();
    let mut tx = ctx.db.begin().await?;
    sqlx::query(
        "INSERT INTO insights_feedback (id, service_id, administration_id, stage, rating, comment, day) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(&service.id)
    .bind(&service.administration_id)
    .bind(f.stage.as_str())
    .bind(rating)
    .bind(comment)
    .bind(today.format("%Y-%m-%d").to_string())
    .execute(&mut *tx)
    .await?;
    let counts = Counts {
        ratings: 1,
        rating_sum: rating,
        satisfied: i64::from(rating >= 4),
        ..Counts::default()
    };
    let key = Key {
        day: today,
        service_id: &service.id,
        channel: ONLINE,
        administration_id: &service.administration_id,
    };
    counters::add(&mut tx, key, &counts).await?;
    super::stored::mark(&mut tx, &service.administration_id, &service.id, ctx.now()).await?;
    tx.commit().await?;
    Ok(())
}

type Row = (
    String,
    String,
    String,
    String,
    i64,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
);

fn from_row(r: Row) -> Feedback {
    Feedback {
        id: r.0,
        service_id: r.1,
        administration_id: r.2,
        stage: r.3,
        rating: r.4,
        comment: r.5,
        month: r.6.chars().take(7).collect(),
        answer: r.7,
        hidden_reason: r.8,
    }
}

const COLUMNS: &str =
    "id, service_id, administration_id, stage, rating, comment, day, answer, hidden_reason";

/// Held back until enough people gave feedback: a comment is shown (to staff and publicly) only
/// when at least [`MIN_GROUP`] pieces of feedback were given on its service in its month, so
/// that staff who know who applied on a quiet day cannot tell whose it is.
fn enough() -> String {
    format!(
        " AND (SELECT COUNT(*) FROM insights_feedback g WHERE g.service_id = insights_feedback.service_id \
         AND substr(g.day, 1, 7) = substr(insights_feedback.day, 1, 7)) >= {MIN_GROUP}"
    )
}

/// An administration's feedback with comments, newest day first (its staff only), hidden ones too.
pub async fn for_administration(
    ctx: &Insights,
    actor: &Actor,
    administration_id: &str,
) -> Result<Vec<Feedback>, InsightsError> {
    if !staff_of(actor, administration_id) {
        return Err(InsightsError::NotFound);
    }
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM insights_feedback WHERE administration_id = $1 AND comment IS NOT NULL{} \
         ORDER BY day DESC, id LIMIT 200",
        enough()
    ))
    .bind(administration_id)
    .fetch_all(ctx.db.pool())
    .await?;
    Ok(rows.into_iter().map(from_row).collect())
}

/// A service's comments anyone may read: not hidden, newest day first.
pub async fn public_for_service(
    ctx: &Insights,
    service_id: &str,
    limit: i64,
) -> Result<Vec<Feedback>, InsightsError> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM insights_feedback WHERE service_id = $1 AND comment IS NOT NULL \
         AND hidden_at IS NULL{} ORDER BY day DESC, id LIMIT $2",
        enough()
    ))
    .bind(service_id)
    .bind(limit)
    .fetch_all(ctx.db.pool())
    .await?;
    Ok(rows.into_iter().map(from_row).collect())
}

async fn staff_feedback(
    ctx: &Insights,
    actor: &Actor,
    id: &str,
) -> Result<Feedback, InsightsError> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM insights_feedback WHERE id = $1 AND comment IS NOT NULL{}",
        enough()
    ))
    .bind(id)
    .fetch_optional(ctx.db.pool())
    .await?;
    let f = row.map(from_row).ok_or(InsightsError::NotFound)?;
    if !staff_of(actor, &f.administration_id) {
        return Err(InsightsError::NotFound);
    }
    Ok(f)
}

/// The administration answers a comment (publicly, beside it); a new answer replaces the old.
pub async fn answer(
    ctx: &Insights,
    actor: &Actor,
    id: &str,
    text: &str,
) -> Result<(), InsightsError> {
    let f = staff_feedback(ctx, actor, id).await?;
    let Some(text) = clean(text).filter(|t| t.chars().count() <= MAX_TEXT) else {
        return Err(InsightsError::field("answer", "insights_error_answer"));
    };
    let now = ctx.now();
    let mut tx = ctx.db.begin().await?;
    sqlx::query(
        "UPDATE insights_feedback SET answer = $1, answered_by = $2, answered_at = $3 WHERE id = $4",
    )
    .bind(&text)
    .bind(actor.audit_id())
    .bind(to_millis(now))
    .bind(&f.id)
    .execute(&mut *tx)
    .await?;
    portico_audit::append(
        &mut tx,
        portico_audit::Event::new(&actor.audit_id(), "insights.feedback_answered", &f.id)
            .in_administration(&f.administration_id),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The administration hides an abusive comment, saying why (its rating still counts).
pub async fn hide(
    ctx: &Insights,
    actor: &Actor,
    id: &str,
    reason: &str,
) -> Result<(), InsightsError> {
    let f = staff_feedback(ctx, actor, id).await?;
    let Some(reason) =
        clean(reason).filter(|r| r.chars().count() >= MIN_REASON && r.chars().count() <= MAX_TEXT)
    else {
        return Err(InsightsError::field("reason", "insights_error_reason"));
    };
    let now = ctx.now();
    let mut tx = ctx.db.begin().await?;
    sqlx::query(
        "UPDATE insights_feedback SET hidden_reason = $1, hidden_by = $2, hidden_at = $3 WHERE id = $4",
    )
    .bind(&reason)
    .bind(actor.audit_id())
    .bind(to_millis(now))
    .bind(&f.id)
    .execute(&mut *tx)
    .await?;
    portico_audit::append(
        &mut tx,
        portico_audit::Event::new(&actor.audit_id(), "insights.feedback_hidden", &f.id)
            .in_administration(&f.administration_id)
            .with(serde_json::json!({ "reason": reason })),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
