//! Reconciliation: the statement lines an import could not simply match (partial, excess,
//! duplicate, reversed, not payable, another currency, unknown) wait for a person of the
//! administration, who resolves each: by matching it to a payment, which the line then pays
//! (only along the allowed transitions, only with the whole amount in its currency), or by
//! marking it resolved with a note (money sent back, the rest asked for …). Each resolution is
//! audited; a resolved line is resolved once. The administration's statements and their lines
//! can be exported as CSV.

use super::listing::{csv_line, decimal};
use super::requests::{self, Change};
use super::{acting, Payments};
use crate::code;
use crate::error::PaymentError;
use crate::model::PaymentState;
use chrono::{DateTime, Utc};
use portico_core::clock::{from_millis, to_millis};
use portico_core::Actor;

/// The outcomes a person must look at.
pub const TO_RESOLVE: [&str; 7] = [
    "partial",
    "excess",
    "duplicate",
    "reversed",
    "not_payable",
    "currency_mismatch",
    "unknown",
];

/// One line of an imported statement.
#[derive(Debug, Clone)]
pub struct Line {
    /// The line's key (what it is known by; what a resolution names).
    pub key: String,
    pub statement_id: String,
    pub message_id: String,
    pub entry_ref: String,
    pub amount_minor: i64,
    pub currency: String,
    pub remittance: String,
    pub outcome: String,
    pub booked: String,
    /// The code of the payment the import matched it to, if any.
    pub payment_code: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// `matched` or `noted`.
    pub resolution: Option<String>,
    pub resolution_note: Option<String>,
    /// The code of the payment a person matched it to.
    pub resolved_code: Option<String>,
    /// The account of the person who resolved it.
    pub resolved_by: Option<String>,
}

/// An imported statement.
#[derive(Debug, Clone)]
pub struct Statement {
    pub id: String,
    pub message_id: String,
    pub account_iban: String,
    pub imported_at: DateTime<Utc>,
    pub lines: i64,
    /// Lines still waiting for a person.
    pub open: i64,
}

type LineRow = (
    String,
    String,
    String,
    String,
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

const LINE_SQL: &str = "SELECT l.line_key, l.statement_id, s.message_id, l.entry_ref, \
     l.amount_minor, l.currency, l.remittance, l.outcome, l.booked, p.code, l.resolved_at, \
     l.resolution, l.resolution_note, r.code, l.resolved_by \
     FROM payments_statement_lines l \
     JOIN payments_statements s ON s.id = l.statement_id \
     LEFT JOIN payments_requests p ON p.id = l.payment_id \
     LEFT JOIN payments_requests r ON r.id = l.resolved_payment_id \
     WHERE l.administration_id = $1";

fn line_from(r: LineRow) -> Line {
    Line {
        key: r.0,
        statement_id: r.1,
        message_id: r.2,
        entry_ref: r.3,
        amount_minor: r.4,
        currency: r.5,
        remittance: r.6,
        outcome: r.7,
        booked: r.8,
        payment_code: r.9,
        resolved_at: r.10.map(from_millis),
        resolution: r.11,
        resolution_note: r.12,
        resolved_code: r.13,
        resolved_by: r.14,
    }
}

fn in_list() -> String {
    TO_RESOLVE
        .iter()
        .map(|o| format!("'{o}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The lines waiting for a person (oldest first) and the last 50 resolved (newest first).
pub async fn lines(
    ctx: &Payments,
    actor: &Actor,
    administration_id: &str,
) -> Result<(Vec<Line>, Vec<Line>), PaymentError> {
    acting::staff_of(actor, administration_id)?;
    let open: Vec<LineRow> = sqlx::query_as(&format!(
        "{LINE_SQL} AND l.outcome IN ({}) AND l.resolved_at IS NULL \
         ORDER BY l.created_at, l.line_key LIMIT 500",
        in_list()
    ))
    .bind(administration_id)
    .fetch_all(ctx.db.pool())
    .await?;
    let done: Vec<LineRow> = sqlx::query_as(&format!(
        "{LINE_SQL} AND l.resolved_at IS NOT NULL ORDER BY l.resolved_at DESC, l.line_key LIMIT 50"
    ))
    .bind(administration_id)
    .fetch_all(ctx.db.pool())
    .await?;
    Ok((
        open.into_iter().map(line_from).collect(),
        done.into_iter().map(line_from).collect(),
    ))
}

/// The administration's statements, newest first, with how many lines each has and how many
/// still wait for a person.
pub async fn statements(
    ctx: &Payments,
    actor: &Actor,
    administration_id: &str,
) -> Result<Vec<Statement>, PaymentError> {
    acting::staff_of(actor, administration_id)?;
    let rows: Vec<(String, String, String, i64, i64, i64)> = sqlx::query_as(&format!(
        "SELECT s.id, s.message_id, s.account_iban, s.imported_at, \
         (SELECT COUNT(*) FROM payments_statement_lines l WHERE l.statement_id = s.id), \
         (SELECT COUNT(*) FROM payments_statement_lines l WHERE l.statement_id = s.id \
          AND l.outcome IN ({}) AND l.resolved_at IS NULL) \
         FROM payments_statements s WHERE s.administration_id = $1 \
         ORDER BY s.imported_at DESC, s.id LIMIT 100",
        in_list()
    ))
    .bind(administration_id)
    .fetch_all(ctx.db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Statement {
            id: r.0,
            message_id: r.1,
            account_iban: r.2,
            imported_at: from_millis(r.3),
            lines: r.4,
            open: r.5,
        })
        .collect())
}

async fn open_line(
    tx: &mut portico_store::Tx,
    administration_id: &str,
    key: &str,
) -> Result<Line, PaymentError> {
    let row: Option<LineRow> = sqlx::query_as(&format!("{LINE_SQL} AND l.line_key = $2"))
        .bind(administration_id)
        .bind(key)
        .fetch_optional(&mut **tx)
        .await?;
    let line = row.map(line_from).ok_or(PaymentError::NotFound)?;
    if line.resolved_at.is_some() || !TO_RESOLVE.contains(&line.outcome.as_str()) {
        return Err(PaymentError::Invalid("line_resolved"));
    }
    Ok(line)
}

#[allow(clippy::too_many_arguments)]
async fn mark(
    tx: &mut portico_store::Tx,
    actor: &Actor,
    administration_id: &str,
    line: &Line,
    resolution: &str,
    note: Option<&str>,
    payment_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), PaymentError> {
    let done = sqlx::query(
        "UPDATE payments_statement_lines SET resolved_at = $1, resolved_by = $2, resolution = $3, \
         resolution_note = $4, resolved_payment_id = $5 \
         WHERE line_key = $6 AND resolved_at IS NULL",
    )
    .bind(to_millis(now))
    .bind(actor.audit_id())
    .bind(resolution)
    .bind(note)
    .bind(payment_id)
    .bind(&line.key)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(PaymentError::Conflict);
    }
    portico_audit::append(
        tx,
        portico_audit::Event::new(
            &actor.audit_id(),
            "payments.line_resolved",
            &line.statement_id,
        )
        .in_administration(administration_id)
        .with(serde_json::json!({
            "entry_ref": line.entry_ref, "outcome": line.outcome, "resolution": resolution,
            "payment_id": payment_id, "amount_minor": line.amount_minor,
            "currency": line.currency,
        })),
        now,
    )
    .await?;
    Ok(())
}

fn note_text(note: &str) -> Result<String, PaymentError> {
    let note = note.trim();
    if note.is_empty() || note.chars().count() > 500 || note.chars().any(char::is_control) {
        return Err(PaymentError::Invalid("note_invalid"));
    }
    Ok(note.to_owned())
}

/// Marks a line resolved with a note (what the person did about it). Nothing else changes.
pub async fn resolve(
    ctx: &Payments,
    actor: &Actor,
    administration_id: &str,
    key: &str,
    note: &str,
) -> Result<(), PaymentError> {
    acting::staff_of(actor, administration_id)?;
    let note = note_text(note)?;
    let now = ctx.now();
    let mut tx = ctx.db.begin().await?;
    let line = open_line(&mut tx, administration_id, key).await?;
    mark(
        &mut tx,
        actor,
        administration_id,
        &line,
        "noted",
        Some(&note),
        None,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Matches a line to the administration's payment with `written_code`: the line pays it when
/// the payment can still be paid, in the line's currency, for no more than the line brought.
/// Otherwise nothing changes and the reason is the error's code (`payment_code_invalid`,
/// `line_not_payment`, `line_currency_mismatch`, `line_amount_short`, or the transition's).
pub async fn match_to(
    ctx: &Payments,
    actor: &Actor,
    administration_id: &str,
    key: &str,
    written_code: &str,
    note: Option<&str>,
) -> Result<String, PaymentError> {
    acting::staff_of(actor, administration_id)?;
    let note = match note.map(str::trim) {
        None | Some("") => None,
        Some(n) => Some(note_text(n)?),
    };
    let normal =
        code::normalise(written_code).ok_or(PaymentError::Invalid("payment_code_invalid"))?;
    let now = ctx.now();
    let mut tx = ctx.db.begin().await?;
    let line = open_line(&mut tx, administration_id, key).await?;
    if line.outcome == "reversed" || line.amount_minor <= 0 {
        return Err(PaymentError::Invalid("line_not_payment"));
    }
    let payment = super::statements::find_payment(&mut tx, administration_id, &normal)
        .await?
        .ok_or(PaymentError::Invalid("payment_code_invalid"))?;
    if !payment.currency.eq_ignore_ascii_case(&line.currency) {
        return Err(PaymentError::Invalid("line_currency_mismatch"));
    }
    if line.amount_minor < payment.amount_minor {
        return Err(PaymentError::Invalid("line_amount_short"));
    }
    let text = format!(
        "bank transfer {}{}",
        line.entry_ref,
        note.as_deref()
            .map(|n| format!(" — {n}"))
            .unwrap_or_default()
    );
    let change = Change {
        to: PaymentState::Paid,
        amount_minor: None,
        note: Some(&text),
    };
    requests::change_in(&mut tx, actor, &payment, &change, now).await?;
    mark(
        &mut tx,
        actor,
        administration_id,
        &line,
        "matched",
        note.as_deref(),
        Some(&payment.id),
        now,
    )
    .await?;
    tx.commit().await?;
    ctx.jobs_waker.notify_one();
    Ok(payment.id)
}

/// A statement's lines (or every statement's, when `statement_id` is `None`) with their
/// outcome and resolution, as CSV (UTF-8, a header line, CRLF).
pub async fn csv(
    ctx: &Payments,
    actor: &Actor,
    administration_id: &str,
    statement_id: Option<&str>,
) -> Result<String, PaymentError> {
    acting::staff_of(actor, administration_id)?;
    let rows: Vec<LineRow> = match statement_id {
        Some(id) => {
            sqlx::query_as(&format!(
                "{LINE_SQL} AND l.statement_id = $2 ORDER BY l.created_at, l.line_key"
            ))
            .bind(administration_id)
            .bind(id)
            .fetch_all(ctx.db.pool())
            .await?
        }
        None => {
            sqlx::query_as(&format!(
                "{LINE_SQL} ORDER BY l.created_at, l.line_key LIMIT 100000"
            ))
            .bind(administration_id)
            .fetch_all(ctx.db.pool())
            .await?
        }
    };
    if rows.is_empty() && statement_id.is_some() {
        let known: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM payments_statements WHERE id = $1 AND administration_id = $2",
        )
        .bind(statement_id)
        .bind(administration_id)
        .fetch_optional(ctx.db.pool())
        .await?;
        known.ok_or(PaymentError::NotFound)?;
    }
    let mut out = csv_line(&[
        "statement",
        "entry_ref",
        "booked",
        "amount",
        "currency",
        "outcome",
        "payment_code",
        "remittance",
        "resolution",
        "resolved_payment_code",
        "resolution_note",
        "resolved_at",
    ]);
    for line in rows.into_iter().map(line_from) {
        out.push_str(&csv_line(&[
            line.message_id.as_str(),
            &line.entry_ref,
            &line.booked,
            &decimal(line.amount_minor, &line.currency),
            &line.currency,
            &line.outcome,
            line.payment_code.as_deref().unwrap_or(""),
            &line.remittance,
            line.resolution.as_deref().unwrap_or(""),
            line.resolved_code.as_deref().unwrap_or(""),
            line.resolution_note.as_deref().unwrap_or(""),
            &line.resolved_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
        ]));
    }
    Ok(out)
}
