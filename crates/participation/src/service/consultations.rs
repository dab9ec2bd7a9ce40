//! Public consultations: an administration publishes a draft act or strategy in sections for
//! comment until a deadline; signed-in people comment on the whole draft or on a section; after
//! the deadline the administration answers every comment (accepted, partly accepted, not
//! accepted, with the reason) and publishes them all with a summary report. Comments are
//! published without their authors; before publication only their author and the
//! administration see them.

use super::{administers, Participation};
use crate::error::ParticipationError;
use crate::model::{
    Answer, Consultation, ConsultationComment, ConsultationPhase, NewConsultation, Section,
};
use portico_audit::Event;
use portico_core::{new_id, Actor};
use portico_store::Tx;

const TITLE_MAX: usize = 300;
const TEXT_MAX: usize = 50_000;
const SECTIONS_MAX: usize = 200;
pub const COMMENT_MAX: usize = 5_000;
const REASON_MAX: usize = 5_000;

fn phase(opens_at: i64, closes_at: i64, published_at: Option<i64>, now: i64) -> ConsultationPhase {
    if published_at.is_some() {
        ConsultationPhase::Published
    } else if now < opens_at {
        ConsultationPhase::Upcoming
    } else if now < closes_at {
        ConsultationPhase::Open
    } else {
        ConsultationPhase::Answering
    }
}

fn too_long(s: &str, max: usize) -> bool {
    s.is_empty() || s.chars().count() > max
}

/// An administration opens a consultation on a draft (its admins, or its API clients with the
/// `participation` scope).
pub async fn open(
    ctx: &Participation,
    actor: &Actor,
    new: &NewConsultation,
) -> Result<String, ParticipationError> {
    if !administers(actor, &new.administration_id) {
        return Err(ParticipationError::Forbidden);
    }
    let slug = new.slug.trim();
    if slug.is_empty()
        || slug.len() > 100
        || !slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(ParticipationError::Invalid("slug_invalid"));
    }
    let (title_bg, title_en) = (new.title_bg.trim(), new.title_en.trim());
    if too_long(title_bg, TITLE_MAX) || too_long(title_en, TITLE_MAX) {
        return Err(ParticipationError::Invalid("title_missing"));
    }
    let summary = new.summary.trim();
    if too_long(summary, TEXT_MAX) {
        return Err(ParticipationError::Invalid("consultation_summary_invalid"));
    }
    if new.closes_at <= new.opens_at {
        return Err(ParticipationError::Invalid("consultation_dates_invalid"));
    }
    if new.sections.is_empty() || new.sections.len() > SECTIONS_MAX {
        return Err(ParticipationError::Invalid("consultation_sections_invalid"));
    }
    if new
        .sections
        .iter()
        .any(|s| too_long(s.heading.trim(), TITLE_MAX) || too_long(s.body.trim(), TEXT_MAX))
    {
        return Err(ParticipationError::Invalid("consultation_sections_invalid"));
    }
    let now = ctx.clock.now();
    let at = portico_core::clock::to_millis(now);
    let id = new_id().to_string();
    let mut tx = ctx.db.begin().await?;
    let taken: Option<(String,)> =
        sqlx::query_as("SELECT id FROM participation_consultations WHERE slug = $1")
            .bind(slug)
            .fetch_optional(&mut *tx)
            .await?;
    if taken.is_some() {
        return Err(ParticipationError::Invalid("slug_taken"));
    }
    sqlx::query(
        "INSERT INTO participation_consultations (id, administration_id, slug, title_bg, title_en, \
         summary, opens_at, closes_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(&new.administration_id)
    .bind(slug)
    .bind(title_bg)
    .bind(title_en)
    .bind(summary)
    .bind(new.opens_at)
    .bind(new.closes_at)
    .bind(at)
    .execute(&mut *tx)
    .await
    .map_err(|e| {
        let e: portico_store::StoreError = e.into();
        if e.is_unique_violation() {
            ParticipationError::Invalid("slug_taken")
        } else {
            e.into()
        }
    })?;
    for (n, s) in new.sections.iter().enumerate() {
        sqlx::query(
            "INSERT INTO participation_consultation_sections (consultation_id, number, heading, body) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&id)
        .bind(i64::try_from(n).unwrap_or(0) + 1)
        .bind(s.heading.trim())
        .bind(s.body.trim())
        .execute(&mut *tx)
        .await?;
    }
    portico_audit::append(
        &mut tx,
        Event::new(&actor.audit_id(), "participation.consultation_opened", &id)
            .in_administration(&new.administration_id)
            .with(serde_json::json!({ "slug": slug })),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

type Row = (
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    Option<String>,
    Option<i64>,
);

const COLUMNS: &str = "id, administration_id, slug, title_bg, title_en, summary, opens_at, \
    closes_at, report, published_at";

async fn finish(tx: &mut Tx, r: Row, now: i64) -> Result<Consultation, ParticipationError> {
    let sections: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT number, heading, body FROM participation_consultation_sections \
         WHERE consultation_id = $1 ORDER BY number",
    )
    .bind(&r.0)
    .fetch_all(&mut **tx)
    .await?;
    let (comments,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM participation_consultation_comments WHERE consultation_id = $1",
    )
    .bind(&r.0)
    .fetch_one(&mut **tx)
    .await?;
    Ok(Consultation {
        phase: phase(r.6, r.7, r.9, now),
        id: r.0,
        administration_id: r.1,
        slug: r.2,
        title_bg: r.3,
        title_en: r.4,
        summary: r.5,
        opens_at: r.6,
        closes_at: r.7,
        report: r.8,
        published_at: r.9,
        sections: sections
            .into_iter()
            .map(|(number, heading, body)| Section {
                number,
                heading,
                body,
            })
            .collect(),
        comments,
    })
}

async fn load(tx: &mut Tx, id_or_slug: &str, now: i64) -> Result<Consultation, ParticipationError> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM participation_consultations WHERE id = $1 OR slug = $1"
    ))
    .bind(id_or_slug)
    .fetch_optional(&mut **tx)
    .await?;
    let row = row.ok_or(ParticipationError::NotFound)?;
    finish(tx, row, now).await
}

/// A consultation by id or slug, with its sections. Public.
pub async fn get(
    ctx: &Participation,
    id_or_slug: &str,
) -> Result<Consultation, ParticipationError> {
    let mut tx = ctx.db.begin().await?;
    let c = load(&mut tx, id_or_slug, ctx.now()).await?;
    tx.commit().await?;
    Ok(c)
}

/// Every consultation, the newest deadline first. Public.
pub async fn list(ctx: &Participation) -> Result<Vec<Consultation>, ParticipationError> {
    let now = ctx.now();
    let mut tx = ctx.db.begin().await?;
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM participation_consultations ORDER BY closes_at DESC, id"
    ))
    .fetch_all(&mut *tx)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(finish(&mut tx, r, now).await?);
    }
    tx.commit().await?;
    Ok(out)
}

/// A signed-in person comments on the whole draft (`section` none) or on one of its sections,
/// while the consultation is open.
pub async fn comment(
    ctx: &Participation,
    actor: &Actor,
    id_or_slug: &str,
    section: Option<i64>,
    body: &str,
) -> Result<ConsultationComment, ParticipationError> {
    let account = actor.account_id().ok_or(ParticipationError::Forbidden)?;
    let body = body.trim();
    if too_long(body, COMMENT_MAX) {
        return Err(ParticipationError::Invalid("consultation_comment_invalid"));
    }
    let at = ctx.now();
    let mut tx = ctx.db.begin().await?;
    let c = load(&mut tx, id_or_slug, at).await?;
    if c.phase != ConsultationPhase::Open {
        return Err(ParticipationError::Refused("consultation_closed"));
    }
    if let Some(n) = section {
        if !c.sections.iter().any(|s| s.number == n) {
            return Err(ParticipationError::Invalid("section_invalid"));
        }
    }
    let id = new_id().to_string();
    sqlx::query(
        "INSERT INTO participation_consultation_comments (id, consultation_id, section, \
         author_account_id, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(&c.id)
    .bind(section)
    .bind(account)
    .bind(body)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(ConsultationComment {
        id,
        section,
        body: body.to_owned(),
        created_at: at,
        answer: None,
        answer_reason: None,
    })
}

type CommentRow = (
    String,
    Option<i64>,
    String,
    i64,
    Option<String>,
    Option<String>,
);

fn comment_of(r: CommentRow) -> ConsultationComment {
    ConsultationComment {
        id: r.0,
        section: r.1,
        body: r.2,
        created_at: r.3,
        answer: r.4.as_deref().and_then(Answer::parse),
        answer_reason: r.5,
    }
}

const COMMENT_COLUMNS: &str = "id, section, body, created_at, answer, answer_reason";

/// A consultation's comments with their answers, oldest first: for everybody once published,
/// before that for the consultation's administration only (`comments_not_published`).
pub async fn comments(
    ctx: &Participation,
    actor: Option<&Actor>,
    id_or_slug: &str,
) -> Result<Vec<ConsultationComment>, ParticipationError> {
    let mut tx = ctx.db.begin().await?;
    let c = load(&mut tx, id_or_slug, ctx.now()).await?;
    let admin = actor.is_some_and(|a| administers(a, &c.administration_id));
    if c.phase != ConsultationPhase::Published && !admin {
        return Err(ParticipationError::Refused("comments_not_published"));
    }
    let rows: Vec<CommentRow> = sqlx::query_as(&format!(
        "SELECT {COMMENT_COLUMNS} FROM participation_consultation_comments \
         WHERE consultation_id = $1 ORDER BY created_at, id"
    ))
    .bind(&c.id)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(rows.into_iter().map(comment_of).collect())
}

/// The comments a person has made on a consultation, oldest first.
pub async fn own_comments(
    ctx: &Participation,
    actor: &Actor,
    consultation_id: &str,
) -> Result<Vec<ConsultationComment>, ParticipationError> {
    let Some(account) = actor.account_id() else {
        return Ok(Vec::new());
    };
    let rows: Vec<CommentRow> = sqlx::query_as(&format!(
        "SELECT {COMMENT_COLUMNS} FROM participation_consultation_comments \
         WHERE consultation_id = $1 AND author_account_id = $2 ORDER BY created_at, id"
    ))
    .bind(consultation_id)
    .bind(account)
    .fetch_all(ctx.db.pool())
    .await?;
    Ok(rows.into_iter().map(comment_of).collect())
}

/// The administration answers a comment after the deadline and before publication: accepted,
/// partly accepted or not accepted, always with a reason. Answering again replaces the answer.
pub async fn answer(
    ctx: &Participation,
    actor: &Actor,
    comment_id: &str,
    answer: Answer,
    reason: &str,
) -> Result<ConsultationComment, ParticipationError> {
    let reason = reason.trim();
    if too_long(reason, REASON_MAX) {
        return Err(ParticipationError::Invalid("answer_reason_missing"));
    }
    let now = ctx.clock.now();
    let at = portico_core::clock::to_millis(now);
    let mut tx = ctx.db.begin().await?;
    let found: Option<(String,)> = sqlx::query_as(
        "SELECT consultation_id FROM participation_consultation_comments WHERE id = $1",
    )
    .bind(comment_id)
    .fetch_optional(&mut *tx)
    .await?;
    let (consultation_id,) = found.ok_or(ParticipationError::NotFound)?;
    let c = load(&mut tx, &consultation_id, at).await?;
    if !administers(actor, &c.administration_id) {
        return Err(ParticipationError::NotFound);
    }
    if c.phase != ConsultationPhase::Answering {
        return Err(ParticipationError::Refused("answering_closed"));
    }
    sqlx::query(
        "UPDATE participation_consultation_comments SET answer = $1, answer_reason = $2, \
         answered_at = $3 WHERE id = $4",
    )
    .bind(answer.as_str())
    .bind(reason)
    .bind(at)
    .bind(comment_id)
    .execute(&mut *tx)
    .await?;
    portico_audit::append(
        &mut tx,
        Event::new(
            &actor.audit_id(),
            "participation.consultation_answered",
            comment_id,
        )
        .in_administration(&c.administration_id)
        .with(serde_json::json!({ "answer": answer.as_str() })),
        now,
    )
    .await?;
    let row: CommentRow = sqlx::query_as(&format!(
        "SELECT {COMMENT_COLUMNS} FROM participation_consultation_comments WHERE id = $1"
    ))
    .bind(comment_id)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(comment_of(row))
}

/// The administration publishes every comment with its answer and the summary report, once
/// each comment is answered (`comments_unanswered`). Publication is final.
pub async fn publish(
    ctx: &Participation,
    actor: &Actor,
    id_or_slug: &str,
    report: &str,
) -> Result<Consultation, ParticipationError> {
    let report = report.trim();
    if too_long(report, TEXT_MAX) {
        return Err(ParticipationError::Invalid("report_missing"));
    }
    let now = ctx.clock.now();
    let at = portico_core::clock::to_millis(now);
    let mut tx = ctx.db.begin().await?;
    let c = load(&mut tx, id_or_slug, at).await?;
    if !administers(actor, &c.administration_id) {
        return Err(ParticipationError::NotFound);
    }
    if c.phase != ConsultationPhase::Answering {
        return Err(ParticipationError::Refused("answering_closed"));
    }
    let (unanswered,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM participation_consultation_comments \
         WHERE consultation_id = $1 AND answer IS NULL",
    )
    .bind(&c.id)
    .fetch_one(&mut *tx)
    .await?;
    if unanswered > 0 {
        return Err(ParticipationError::Refused("comments_unanswered"));
    }
    // Only one publication wins if two admins publish at once.
    let done = sqlx::query(
        "UPDATE participation_consultations SET report = $1, published_at = $2 \
         WHERE id = $3 AND published_at IS NULL",
    )
    .bind(report)
    .bind(at)
    .bind(&c.id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(ParticipationError::Refused("answering_closed"));
    }
    portico_audit::append(
        &mut tx,
        Event::new(
            &actor.audit_id(),
            "participation.consultation_published",
            &c.id,
        )
        .in_administration(&c.administration_id),
        now,
    )
    .await?;
    let c = load(&mut tx, &c.id, at).await?;
    tx.commit().await?;
    Ok(c)
}
