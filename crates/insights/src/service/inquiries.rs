//! Inquiries: a person (signed in, or giving an e-mail address) asks an administration a
//! question about a service or an application. It gets a reference and a deadline
//! ([`DEADLINE_WORKING_DAYS`] working days, on Bulgaria's calendar); the administration's
//! operators answer it in the back office, and the answer is sent by e-mail. One
//! administration's staff never see another's inquiries (they do not exist for them).

use super::{administrations_of, staff_of, Insights};
use crate::model::Inquiry;
use crate::InsightsError;
use chrono::NaiveDate;
use portico_core::calendar::{sofia_date, WorkingCalendar};
use portico_core::clock::{from_millis, to_millis};
use portico_core::{new_id, Actor, FieldError};
use portico_identity::transport::{Email, EMAIL_JOB};
use portico_store::jobs::{self, NewJob};
use rand::Rng;

/// The time an administration has to answer.
pub const DEADLINE_WORKING_DAYS: u32 = 14;
pub const MIN_QUESTION: usize = 10;
pub const MAX_QUESTION: usize = 4000;
pub const MAX_REF: usize = 64;

/// A question as the person asks it.
#[derive(Debug, Clone, Default)]
pub struct NewInquiry {
    pub administration_id: String,
    pub service_id: Option<String>,
    pub application_ref: Option<String>,
    /// Required when the person is not signed in.
    pub email: Option<String>,
    pub question: String,
}

/// A plausible e-mail address (the answer goes there; a wrong one only loses the answer).
pub fn plausible_email(s: &str) -> bool {
    let s = s.trim();
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && s.len() <= 254
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// A reference to quote: `ЗВ-` is not used, so it reads the same in both languages.
fn reference(year: i32) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    let code: String = (0..6)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect();
    format!("Q-{year}-{code}")
}

fn trimmed(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Asks a question. `actor` is the signed-in person, or `None` (then an e-mail address is needed).
pub async fn ask(
    ctx: &Insights,
    actor: Option<&Actor>,
    new: &NewInquiry,
) -> Result<Inquiry, InsightsError> {
    let mut errors = Vec::new();
    let administration =
        portico_identity::service::administrations::get(&ctx.db, &new.administration_id).await?;
    if administration.is_none() {
        errors.push(FieldError::new(
            "administration",
            "insights_error_administration",
        ));
    }
    let service_id = trimmed(new.service_id.as_deref());
    if let Some(id) = &service_id {
        let s = portico_catalog::service::get(&ctx.db, id).await?;
        if s.is_none_or(|s| s.administration_id != new.administration_id) {
            errors.push(FieldError::new("service", "insights_error_service"));
        }
    }
    let application_ref = trimmed(new.application_ref.as_deref());
    if application_ref
        .as_ref()
        .is_some_and(|r| r.chars().count() > MAX_REF || r.chars().any(char::is_control))
    {
        errors.push(FieldError::new(
            "application_ref",
            "insights_error_reference",
        ));
    }
    let account_id = actor.and_then(|a| a.account_id()).map(str::to_owned);
    let email = trimmed(new.email.as_deref());
    match (&account_id, &email) {
        (_, Some(e)) if !plausible_email(e) => {
            errors.push(FieldError::new("email", "insights_error_email"));
        }
        (None, None) => errors.push(FieldError::new("email", "insights_error_email")),
        _ => {}
    }
    let question = new.question.trim().to_owned();
    let length = question.chars().count();
    if !(MIN_QUESTION..=MAX_QUESTION).contains(&length) {
        errors.push(FieldError::new("question", "insights_error_question"));
    }
    if !errors.is_empty() {
        return Err(InsightsError::Invalid(errors));
    }
    let now = ctx.now();
    let deadline = WorkingCalendar::bulgaria().deadline(now, DEADLINE_WORKING_DAYS);
    let id = new_id();
    let mut tx = ctx.db.begin().await?;
    let mut reference_used = String::new();
    for _ in 0..5 {
        let candidate = reference(
            sofia_date(now)
                .format("%Y")
                .to_string()
                .parse()
                .unwrap_or(0),
        );
        let taken: Option<(String,)> =
            sqlx::query_as("SELECT id FROM insights_inquiries WHERE reference = $1")
                .bind(&candidate)
                .fetch_optional(&mut *tx)
                .await?;
        if taken.is_none() {
            reference_used = candidate;
            break;
        }
    }
    if reference_used.is_empty() {
        return Err(InsightsError::Internal("no free inquiry reference".into()));
    }
    sqlx::query(
        "INSERT INTO insights_inquiries (id, reference, administration_id, service_id, application_ref, account_id, email, \
         question, asked_at, asked_on, deadline) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&id)
    .bind(&reference_used)
    .bind(&new.administration_id)
    .bind(&service_id)
    .bind(&application_ref)
    .bind(&account_id)
    .bind(&email)
    .bind(&question)
    .bind(to_millis(now))
    .bind(sofia_date(now).format("%Y-%m-%d").to_string())
    .bind(deadline.format("%Y-%m-%d").to_string())
    .execute(&mut *tx)
    .await?;
    super::stored::mark(
        &mut tx,
        &new.administration_id,
        service_id.as_deref().unwrap_or(""),
        now,
    )
    .await?;
    portico_audit::append(
        &mut tx,
        portico_audit::Event::new(
            &actor.map_or_else(|| "anonymous".to_owned(), Actor::audit_id),
            "insights.inquiry_asked",
            &id,
        )
        .in_administration(&new.administration_id)
        .with(serde_json::json!({ "reference": reference_used })),
        now,
    )
    .await?;
    tx.commit().await?;
    get_any(ctx, &id).await
}

type Row = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    i64,
    String,
    Option<String>,
    Option<i64>,
);

const COLUMNS: &str = "id, reference, administration_id, service_id, application_ref, email, question, asked_at, deadline, answer, answered_at";

fn from_row(r: Row) -> Inquiry {
    Inquiry {
        id: r.0,
        reference: r.1,
        administration_id: r.2,
        service_id: r.3,
        application_ref: r.4,
        email: r.5,
        question: r.6,
        asked_at: from_millis(r.7),
        deadline: NaiveDate::parse_from_str(&r.8, "%Y-%m-%d").unwrap_or_default(),
        answer: r.9,
        answered_at: r.10.map(from_millis),
    }
}

async fn get_any(ctx: &Insights, id: &str) -> Result<Inquiry, InsightsError> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM insights_inquiries WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(ctx.db.pool())
    .await?;
    row.map(from_row).ok_or(InsightsError::NotFound)
}

/// One inquiry, for the staff of its administration only.
pub async fn get(ctx: &Insights, actor: &Actor, id: &str) -> Result<Inquiry, InsightsError> {
    let inquiry = get_any(ctx, id).await?;
    if !staff_of(actor, &inquiry.administration_id) {
        return Err(InsightsError::NotFound);
    }
    Ok(inquiry)
}

/// The unanswered inquiries of the administrations the actor works for, the earliest deadline
/// first (the overdue ones on top), and the number of them that are overdue.
pub async fn queue(ctx: &Insights, actor: &Actor) -> Result<(Vec<Inquiry>, usize), InsightsError> {
    let mut out = Vec::new();
    for administration in administrations_of(actor) {
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM insights_inquiries WHERE administration_id = $1 AND answered_on IS NULL \
             ORDER BY deadline, asked_at LIMIT 200"
        ))
        .bind(&administration)
        .fetch_all(ctx.db.pool())
        .await?;
        out.extend(rows.into_iter().map(from_row));
    }
    out.sort_by_key(|i| (i.deadline, i.asked_at));
    let today = ctx.today();
    let overdue = out.iter().filter(|i| i.overdue(today)).count();
    Ok((out, overdue))
}

/// The signed-in person's own inquiries, newest first.
pub async fn mine(ctx: &Insights, actor: &Actor) -> Result<Vec<Inquiry>, InsightsError> {
    let Some(account) = actor.account_id() else {
        return Ok(Vec::new());
    };
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM insights_inquiries WHERE account_id = $1 ORDER BY asked_at DESC LIMIT 100"
    ))
    .bind(account)
    .fetch_all(ctx.db.pool())
    .await?;
    Ok(rows.into_iter().map(from_row).collect())
}

/// An operator answers; the answer is e-mailed to the person (to the address they gave, or to
/// their account's). An inquiry is answered once.
pub async fn answer(
    ctx: &Insights,
    actor: &Actor,
    id: &str,
    text: &str,
) -> Result<Inquiry, InsightsError> {
    let inquiry = get(ctx, actor, id).await?;
    if inquiry.answered_at.is_some() {
        return Err(InsightsError::field("answer", "insights_error_answered"));
    }
    let text = text.trim();
    if text.chars().count() < 2 || text.chars().count() > MAX_QUESTION {
        return Err(InsightsError::field("answer", "insights_error_answer"));
    }
    let account: Option<(Option<String>,)> =
        sqlx::query_as("SELECT account_id FROM insights_inquiries WHERE id = $1")
            .bind(id)
            .fetch_optional(ctx.db.pool())
            .await?;
    let to = match (&inquiry.email, account.and_then(|a| a.0)) {
        (Some(e), _) => Some(e.clone()),
        (None, Some(account)) => portico_identity::service::accounts::get(&ctx.db, &account)
            .await?
            .map(|a| a.email),
        (None, None) => None,
    };
    let now = ctx.now();
    let mut tx = ctx.db.begin().await?;
    let done = sqlx::query(
        "UPDATE insights_inquiries SET answer = $1, answered_by = $2, answered_at = $3, answered_on = $4 \
         WHERE id = $5 AND answered_at IS NULL",
    )
    .bind(text)
    .bind(actor.audit_id())
    .bind(to_millis(now))
    .bind(sofia_date(now).format("%Y-%m-%d").to_string())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(InsightsError::field("answer", "insights_error_answered"));
    }
    super::stored::mark(
        &mut tx,
        &inquiry.administration_id,
        inquiry.service_id.as_deref().unwrap_or(""),
        now,
    )
    .await?;
    if let Some(to) = to {
        let reference = &inquiry.reference;
        let email = Email {
            to,
            subject: format!("Отговор на запитване {reference} / Answer to inquiry {reference}"),
            body: format!(
                "Въпрос:\n{q}\n\nОтговор:\n{text}\n\n---\nQuestion:\n{q}\n\nAnswer:\n{text}\n",
                q = inquiry.question
            ),
        };
        jobs::enqueue(
            &mut tx,
            NewJob::now(EMAIL_JOB, serde_json::to_value(email)?, now),
            now,
        )
        .await?;
    }
    portico_audit::append(
        &mut tx,
        portico_audit::Event::new(&actor.audit_id(), "insights.inquiry_answered", id)
            .in_administration(&inquiry.administration_id)
            .with(serde_json::json!({ "reference": inquiry.reference })),
        now,
    )
    .await?;
    tx.commit().await?;
    ctx.jobs_waker.notify_one();
    get_any(ctx, id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_plausible_or_refused() {
        assert!(plausible_email("maria@example.bg"));
        assert!(!plausible_email("maria"));
        assert!(!plausible_email("maria@localhost"));
        assert!(!plausible_email("ma ria@example.bg"));
        assert!(!plausible_email("@example.bg"));
    }

    #[test]
    fn references_read_alike_in_both_languages() {
        let r = reference(2026);
        assert!(r.starts_with("Q-2026-"));
        assert_eq!(r.len(), "Q-2026-ABCDEF".len());
    }
}
