//! Bank transfers matched by importing camt.053 statements: each credit line is matched by the
//! payment code in its remittance information or end-to-end id, then by amount and currency.
//! An exact match pays the payment (only along the allowed transitions); partial, excess,
//! duplicate, reversed, unpayable and unknown lines are kept for a person to resolve. Every line
//! is kept once by its key, so importing a statement twice changes nothing.

use super::requests::{self, Change};
use super::{acting, Payments};
use crate::camt::{self, CamtError, Entry};
use crate::code;
use crate::error::PaymentError;
use crate::model::PaymentState;
use portico_core::clock::to_millis;
use portico_core::{new_id, Actor};
use std::collections::BTreeMap;

/// The largest statement accepted.
pub const MAX_BYTES: u64 = 64 * 1024 * 1024;

/// The body limit of the routes that take a statement (the API and the upload page), above
/// the platform's default: the largest statement and room for a form's other parts, so a file
/// just over [`MAX_BYTES`] gets `statement_too_large` rather than a bare 413.
pub const ROUTE_BODY_LIMIT: usize = 65 * 1024 * 1024;

// A route may raise its limit only up to the platform's ceiling.
const _: () = assert!(ROUTE_BODY_LIMIT <= portico_http::shell::MAX_RAISED_BODY_BYTES);
const _: () = assert!(ROUTE_BODY_LIMIT as u64 > MAX_BYTES);

/// What an import did: how many lines had each outcome (`already_imported` for lines known
/// before), and the statement's id.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Imported {
    pub statement_id: String,
    pub message_id: String,
    pub outcomes: BTreeMap<String, u64>,
}

/// Imports a statement for `administration_id`: its own payments system (scope `payments`), the
/// platform, or a person of its staff (uploaded on the back office's page). A malformed or
/// hostile file is refused and nothing changes.
pub async fn import(
    ctx: &Payments,
    actor: &Actor,
    administration_id: Option<&str>,
    xml: &[u8],
) -> Result<Imported, PaymentError> {
    let administration_id = acting::importer(actor, administration_id)?;
    // Streamed: entries are read one by one; the lines are then matched in one transaction.
    let mut entries: Vec<Entry> = Vec::new();
    let (iban, message_id) = camt::read(xml, MAX_BYTES, |e| {
        if e.credit || e.reversal {
            entries.push(e);
        }
        Ok(())
    })
    .map_err(|e| {
        tracing::info!(error = %e, "camt.053 refused");
        match e {
            CamtError::TooLarge(_) => PaymentError::Invalid("statement_too_large"),
            CamtError::Dtd | CamtError::Entity(_) => PaymentError::Invalid("statement_hostile"),
            _ => PaymentError::Invalid("statement_invalid"),
        }
    })?;
    let now = ctx.now();
    let statement_id = new_id();
    let mut outcomes: BTreeMap<String, u64> = BTreeMap::new();
    let mut tx = ctx.db.begin().await?;
    sqlx::query(
        "INSERT INTO payments_statements (id, administration_id, message_id, account_iban, \
         imported_by, imported_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&statement_id)
    .bind(&administration_id)
    .bind(&message_id)
    .bind(&iban)
    .bind(actor.audit_id())
    .bind(to_millis(now))
    .execute(&mut *tx)
    .await?;
    for entry in &entries {
        let lines: Vec<(usize, Option<i64>, Option<String>, String)> =
            if entry.transactions.is_empty() {
                vec![(0, None, None, String::new())]
            } else {
                entry
                    .transactions
                    .iter()
                    .enumerate()
                    .map(|(i, t)| {
                        let refs = format!(
                            "{} {}",
                            t.remittance,
                            t.end_to_end_id.clone().unwrap_or_default()
                        );
                        (i, t.amount_minor, t.currency.clone(), refs)
                    })
                    .collect()
            };
        let single = lines.len() == 1;
        for (index, amount, currency, refs) in lines {
            let amount = match amount {
                Some(a) => a,
                None if single => entry.amount_minor,
                None => continue,
            };
            let currency = currency.unwrap_or_else(|| entry.currency.clone());
            let key = format!(
                "{administration_id}|{iban}|{}|{index}|{}",
                entry.reference, entry.reversal
            );
            let known: Option<(String,)> =
                sqlx::query_as("SELECT outcome FROM payments_statement_lines WHERE line_key = $1")
                    .bind(&key)
                    .fetch_optional(&mut *tx)
                    .await?;
            if known.is_some() {
                *outcomes.entry("already_imported".into()).or_default() += 1;
                continue;
            }
            let payment = find_payment(&mut tx, &administration_id, &refs).await?;
            let outcome = match &payment {
                None => "unknown",
                Some(_) if entry.reversal => "reversed",
                Some(p) if !p.currency.eq_ignore_ascii_case(&currency) => "currency_mismatch",
                Some(p)
                    if matches!(
                        p.state,
                        PaymentState::Paid | PaymentState::RefundedPart | PaymentState::Refunded
                    ) =>
                {
                    "duplicate"
                }
                Some(p) if !p.state.is_payable() || p.expires_at <= now => "not_payable",
                Some(p) if amount < p.amount_minor => "partial",
                Some(p) => {
                    let note = format!("bank transfer {}", entry.reference);
                    let change = Change {
                        to: PaymentState::Paid,
                        amount_minor: None,
                        note: Some(&note),
                    };
                    requests::change_in(&mut tx, actor, p, &change, now).await?;
                    if amount > p.amount_minor {
                        "excess"
                    } else {
                        "matched"
                    }
                }
            };
            sqlx::query(
                "INSERT INTO payments_statement_lines (line_key, statement_id, administration_id, \
                 payment_id, entry_ref, amount_minor, currency, remittance, outcome, booked, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(&key)
            .bind(&statement_id)
            .bind(&administration_id)
            .bind(payment.as_ref().map(|p| p.id.clone()))
            .bind(&entry.reference)
            .bind(amount)
            .bind(&currency)
            .bind(refs.trim().chars().take(500).collect::<String>())
            .bind(outcome)
            .bind(&entry.booked)
            .bind(to_millis(now))
            .execute(&mut *tx)
            .await?;
            *outcomes.entry(outcome.into()).or_default() += 1;
        }
    }
    portico_audit::append(
        &mut tx,
        portico_audit::Event::new(
            &actor.audit_id(),
            "payments.statement_imported",
            &statement_id,
        )
        .in_administration(&administration_id)
        .with(serde_json::json!({ "message_id": message_id, "iban": iban, "outcomes": outcomes })),
        now,
    )
    .await?;
    tx.commit().await?;
    ctx.jobs_waker.notify_one();
    Ok(Imported {
        statement_id,
        message_id,
        outcomes,
    })
}

/// The administration's payment whose code appears in the references, if any.
pub(crate) async fn find_payment(
    tx: &mut portico_store::Tx,
    administration_id: &str,
    refs: &str,
) -> Result<Option<crate::model::Payment>, PaymentError> {
    // A code may be written in groups ("ab12 cd34e"): each word, and each two neighbours joined.
    let words: Vec<&str> = refs
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty())
        .collect();
    let pairs = words.windows(2).map(|w| format!("{}{}", w[0], w[1]));
    let candidates = words.iter().map(|w| (*w).to_owned()).chain(pairs);
    for candidate in candidates {
        let Some(code) = code::normalise(&candidate) else {
            continue;
        };
        let id: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM payments_requests WHERE code = $1 AND administration_id = $2",
        )
        .bind(&code)
        .bind(administration_id)
        .fetch_optional(&mut **tx)
        .await?;
        if let Some((id,)) = id {
            return requests::read_in(tx, &id).await;
        }
    }
    Ok(None)
}
