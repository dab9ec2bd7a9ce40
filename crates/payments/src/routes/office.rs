//! The back office's payments pages, for a person of an administration's staff (operator or
//! administrator, at substantial assurance): the administration's payments with filters and a
//! CSV export, one payment with its history and a refund (whole or part, confirmed before it is
//! made), the reconciliation screen (statement lines to resolve: match to a payment or mark
//! resolved with a note; each statement's lines as CSV), and the camt.053 upload. A person with
//! roles in several administrations chooses one (`a`); another administration's payments do
//! not exist for them.

use super::pages::{amount, tag, when};
use super::PaymentsState;
use crate::error::PaymentError;
use crate::model::{Payment, PaymentState, PaymentWithHistory};
use crate::service::held::{self, HeldCallback};
use crate::service::listing::{self, Filter};
use crate::service::reconcile::{self, Line, Statement};
use crate::service::{acting, requests, statements};
use crate::strings::TABLES;
use askama::Template;
use axum::extract::{FromRequest, Multipart, Query, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use portico_core::{Actor, FieldError, Id};
use portico_http::csrf::{token_matches, CsrfCookie, CSRF_FIELD};
use portico_http::{render, AppError, CsrfForm, PageContext, SignedIn, ValidPath};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The administration the person works in now: the one asked for (`a`) if they are its staff,
/// else their first. Someone with no such role has no payments pages.
async fn administration(
    state: &PaymentsState,
    actor: &Actor,
    asked: Option<&str>,
    page: &PageContext,
) -> Result<(String, Vec<(String, String)>), AppError> {
    let ids = acting::staff_administrations(actor);
    let chosen = match asked.filter(|a| !a.is_empty()) {
        Some(a) => ids.iter().find(|i| *i == a).cloned(),
        None => ids.first().cloned(),
    }
    .ok_or(AppError::NotFound)?;
    acting::staff_of(actor, &chosen)?;
    let mut names = Vec::new();
    for id in &ids {
        let name = portico_identity::service::administrations::get(&state.app.db, id)
            .await
            .map_err(PaymentError::from)?
            .map(|a| match page.lang {
                portico_core::Lang::En => a.name_en,
                _ => a.name_bg,
            })
            .unwrap_or_else(|| id.clone());
        names.push((id.clone(), name));
    }
    Ok((chosen, names))
}

fn state_label(page: &PageContext, s: PaymentState) -> String {
    page.t(&format!("payments_state_{}", s.as_str())).to_owned()
}

pub struct ListRow {
    pub id: String,
    pub code: String,
    pub reason: String,
    pub amount: String,
    pub state: String,
    pub tag: &'static str,
    pub created: String,
    pub application_ref: String,
}

#[derive(Template)]
#[template(path = "office_payments.html")]
struct ListPage {
    page: PageContext,
    administration: String,
    administrations: Vec<(String, String)>,
    rows: Vec<ListRow>,
    /// The filter as the person gave it, to write back into the form.
    q: ListQuery,
    states: Vec<(String, String)>,
    reasons: Vec<String>,
    /// The query string of the filter (for the CSV link).
    query: String,
    errors: Vec<FieldError>,
    full: bool,
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
pub struct ListQuery {
    #[serde(default)]
    pub a: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub code: String,
}

fn filter_of(q: &ListQuery) -> (Filter, Vec<FieldError>) {
    let mut errors = Vec::new();
    let mut date = |s: &str, field: &str| {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        if d.is_none() {
            errors.push(FieldError::new(field, "payments_office_date_invalid"));
        }
        d
    };
    let from = date(&q.from, "from");
    let to = date(&q.to, "to");
    let filter = Filter {
        state: PaymentState::parse(q.state.trim()),
        from,
        to,
        reason: Some(q.reason.trim().to_owned()).filter(|r| !r.is_empty()),
        code: Some(q.code.trim().to_owned()).filter(|c| !c.is_empty()),
    };
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            errors.push(FieldError::new("to", "payments_office_range_invalid"));
        }
    }
    (filter, errors)
}

pub async fn list(
    State(state): State<PaymentsState>,
    SignedIn(user): SignedIn,
    Query(q): Query<ListQuery>,
    page: PageContext,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let actor = user.actor();
    let (a, administrations) = administration(&state, &actor, Some(&q.a), &page).await?;
    let (filter, errors) = filter_of(&q);
    let payments = if errors.is_empty() {
        listing::list(&state.payments, &actor, &a, &filter, listing::PAGE_ROWS).await?
    } else {
        Vec::new()
    };
    let reasons = listing::reasons(&state.payments, &actor, &a).await?;
    let full = payments.len() as i64 >= listing::PAGE_ROWS;
    let rows = payments
        .into_iter()
        .map(|p| ListRow {
            amount: amount(p.amount_minor, &p.currency),
            state: state_label(&page, p.state),
            tag: tag(p.state),
            created: when(p.created_at),
            application_ref: p.application_ref.unwrap_or_default(),
            id: p.id,
            code: p.code,
            reason: p.reason,
        })
        .collect();
    let states = PaymentState::ALL
        .into_iter()
        .map(|s| (s.as_str().to_owned(), state_label(&page, s)))
        .collect();
    let mut shown = q.clone();
    shown.a = a.clone();
    let query = serde_urlencoded::to_string(&shown).unwrap_or_default();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((
        status,
        render(&ListPage {
            page,
            administration: a,
            administrations,
            rows,
            q: shown,
            states,
            reasons,
            query,
            errors,
            full,
        })?,
    )
        .into_response())
}

fn csv_response(name: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.csv\""),
            ),
        ],
        body,
    )
        .into_response()
}

pub async fn export(
    State(state): State<PaymentsState>,
    SignedIn(user): SignedIn,
    Query(q): Query<ListQuery>,
    page: PageContext,
) -> Result<Response, AppError> {
    let actor = user.actor();
    let (a, _) = administration(&state, &actor, Some(&q.a), &page).await?;
    let (filter, errors) = filter_of(&q);
    if !errors.is_empty() {
        return Err(AppError::BadRequest("payments_office_date_invalid"));
    }
    let body = listing::csv(&state.payments, &actor, &a, &filter).await?;
    Ok(csv_response("payments", body))
}

pub struct HistoryRow {
    pub when: String,
    pub state: String,
    pub body: String,
}

#[derive(Template)]
#[template(path = "office_payment.html")]
struct PaymentPage {
    page: PageContext,
    back: String,
    p: Payment,
    amount: String,
    refunded: String,
    left: String,
    state: String,
    tag: &'static str,
    created: String,
    expires: String,
    history: Vec<HistoryRow>,
    refundable: bool,
    /// The refund form's values, written back after an error.
    refund_amount: String,
    refund_note: String,
    errors: Vec<FieldError>,
    /// A banner after a refund.
    notice: Option<(String, String)>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    #[serde(default)]
    refunded: Option<String>,
}

fn payment_page(
    page: PageContext,
    p: PaymentWithHistory,
    refund_amount: String,
    refund_note: String,
    errors: Vec<FieldError>,
    notice: Option<(String, String)>,
) -> PaymentPage {
    let currency = p.payment.currency.clone();
    let history = p
        .history
        .iter()
        .map(|e| HistoryRow {
            when: when(e.at),
            state: state_label(&page, e.to_state),
            body: [e.amount_minor.map(|m| amount(m, &currency)), e.note.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" — "),
        })
        .collect();
    let pay = p.payment;
    PaymentPage {
        back: format!("/office/payments?a={}", pay.administration_id),
        amount: amount(pay.amount_minor, &currency),
        refunded: amount(pay.refunded_minor, &currency),
        left: listing::decimal(pay.amount_minor - pay.refunded_minor, &currency),
        state: state_label(&page, pay.state),
        tag: tag(pay.state),
        created: when(pay.created_at),
        expires: when(pay.expires_at),
        refundable: matches!(pay.state, PaymentState::Paid | PaymentState::RefundedPart),
        history,
        p: pay,
        refund_amount,
        refund_note,
        errors,
        notice,
        page,
    }
}

pub async fn show(
    State(state): State<PaymentsState>,
    SignedIn(user): SignedIn,
    ValidPath(id): ValidPath<Id>,
    Query(q): Query<ShowQuery>,
    page: PageContext,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let actor = user.actor();
    let p = staff_payment(&state, &actor, &id).await?;
    let notice = q.refunded.map(|_| {
        (
            page.t("payments_office_refunded_title").to_owned(),
            page.t("payments_office_refunded").to_owned(),
        )
    });
    let left = listing::decimal(
        p.payment.amount_minor - p.payment.refunded_minor,
        &p.payment.currency,
    );
    Ok(render(&payment_page(
        page,
        p,
        left,
        String::new(),
        Vec::new(),
        notice,
    ))?
    .into_response())
}

/// The payment, when the actor is a person of its administration's staff; else it does not
/// exist for them.
async fn staff_payment(
    state: &PaymentsState,
    actor: &Actor,
    id: &str,
) -> Result<PaymentWithHistory, AppError> {
    let p = requests::get(&state.payments, actor, id).await?;
    acting::staff_of(actor, &p.payment.administration_id)?;
    Ok(p)
}

#[derive(Debug, Deserialize)]
pub struct RefundForm {
    #[serde(default)]
    amount: String,
    #[serde(default)]
    note: String,
    /// Present when the person confirmed on the confirmation page.
    #[serde(default)]
    confirm: Option<String>,
}

#[derive(Template)]
#[template(path = "office_refund_confirm.html")]
struct ConfirmPage {
    page: PageContext,
    back: String,
    id: String,
    code: String,
    payer: String,
    amount_text: String,
    amount: String,
    note: String,
    whole: bool,
    /// Paid by card: the money goes back through the card provider. Otherwise (a bank
    /// transfer) the refund is recorded for a person to pay out.
    by_card: bool,
}

/// A refund asked on the payment's page: first a confirmation page (how much, to whom, whole
/// or part), then, confirmed, the refund itself; a wrong amount is shown on the payment's page
/// and nothing changes.
pub async fn refund(
    State(state): State<PaymentsState>,
    SignedIn(user): SignedIn,
    ValidPath(id): ValidPath<Id>,
    page: PageContext,
    CsrfForm(form): CsrfForm<RefundForm>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let actor = user.actor();
    let p = staff_payment(&state, &actor, &id).await?;
    let currency = p.payment.currency.clone();
    let left = p.payment.amount_minor - p.payment.refunded_minor;
    let note = form.note.trim().to_owned();
    let minor = listing::parse_decimal(&form.amount, &currency).filter(|m| *m <= left);
    let error = match minor {
        None => Some("payments_office_refund_amount_invalid"),
        Some(_) if note.chars().count() > 500 || note.chars().any(char::is_control) => {
            Some("payments_error_note_invalid")
        }
        Some(_) => None,
    };
    let Some(minor) = minor.filter(|_| error.is_none()) else {
        let errors = vec![FieldError::new(
            if error == Some("payments_error_note_invalid") {
                "note"
            } else {
                "amount"
            },
            error.unwrap_or("payments_office_refund_amount_invalid"),
        )];
        let view = payment_page(page, p, form.amount, form.note, errors, None);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)?).into_response());
    };
    if form.confirm.as_deref() != Some("yes") {
        let by_card = crate::service::card::captured_session(&state.app.db, &p.payment.id)
            .await?
            .is_some();
        return Ok(render(&ConfirmPage {
            by_card,
            back: format!("/office/payments/{}", p.payment.id),
            id: p.payment.id.clone(),
            code: p.payment.code.clone(),
            payer: p.payment.obligor_id.clone(),
            amount_text: amount(minor, &currency),
            amount: listing::decimal(minor, &currency),
            note,
            whole: minor == left,
            page,
        })?
        .into_response());
    }
    let note = Some(note.as_str()).filter(|n| !n.is_empty());
    let refunded = requests::refund(
        &state.payments,
        state.card.as_deref(),
        &actor,
        &id,
        minor,
        note,
    )
    .await;
    match refunded {
        Ok(_) => Ok(Redirect::to(&format!("/office/payments/{id}?refunded=1")).into_response()),
        Err(
            e @ (PaymentError::Invalid(_)
            | PaymentError::NotAllowed { .. }
            | PaymentError::Conflict
            | PaymentError::ProviderUnavailable),
        ) => {
            tracing::info!(code = e.code(), "refund refused");
            let p = staff_payment(&state, &actor, &id).await?;
            let key = match e {
                PaymentError::Invalid("refund_refused") => "payments_error_refund_refused",
                PaymentError::ProviderUnavailable => "payments_office_refund_unavailable",
                _ => "payments_office_refund_amount_invalid",
            };
            let errors = vec![FieldError::new("amount", key)];
            let view = payment_page(page, p, form.amount, form.note, errors, None);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub struct LineRow {
    pub n: usize,
    pub line: Line,
    pub amount: String,
    pub outcome: String,
    /// Who resolved it, once resolved.
    pub by: String,
}

/// A held card callback as the reconciliation screen shows it.
pub struct HeldRow {
    pub n: usize,
    /// What a failed resolution names it by (`held|provider|event`).
    pub key: String,
    pub held: HeldCallback,
    pub amount: String,
    pub outcome: String,
    pub status: String,
    pub received: String,
    /// What the payment asks for, and its state, when the callback's session is known.
    pub payment: Option<String>,
    pub acceptable: bool,
    /// Who resolved it, how and when, once resolved.
    pub resolved: Option<Resolved>,
}

pub struct Resolved {
    /// The person's name.
    pub who: String,
    pub how: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "office_reconciliation.html")]
struct ReconciliationPage {
    page: PageContext,
    back: String,
    administration: String,
    administrations: Vec<(String, String)>,
    open: Vec<LineRow>,
    done: Vec<LineRow>,
    held_open: Vec<HeldRow>,
    held_done: Vec<HeldRow>,
    statements: Vec<(Statement, String)>,
    errors: Vec<FieldError>,
    /// The line the error is about, and what the person wrote.
    failed: String,
    written_code: String,
    written_note: String,
    notice: Option<(String, String)>,
}

#[derive(Debug, Default, Deserialize)]
pub struct AQuery {
    #[serde(default)]
    a: String,
    #[serde(default)]
    done: Option<String>,
}

async fn line_rows(
    state: &PaymentsState,
    page: &PageContext,
    lines: Vec<Line>,
) -> Result<Vec<LineRow>, AppError> {
    let mut rows = Vec::new();
    for (n, line) in lines.into_iter().enumerate() {
        rows.push(LineRow {
            n: n + 1,
            amount: amount(line.amount_minor, &line.currency),
            outcome: page
                .t(&format!("payments_line_{}", line.outcome))
                .to_owned(),
            by: resolver_name(state, line.resolved_by.as_deref()).await?,
            line,
        });
    }
    Ok(rows)
}

/// The name of whoever resolved something (an account), as staff see it.
async fn resolver_name(state: &PaymentsState, by: Option<&str>) -> Result<String, AppError> {
    let Some(by) = by else {
        return Ok(String::new());
    };
    let account = portico_identity::service::accounts::get(&state.app.db, by)
        .await
        .map_err(PaymentError::from)?;
    Ok(account
        .map(|a| a.display_name())
        .unwrap_or_else(|| by.to_owned()))
}

async fn held_rows(
    state: &PaymentsState,
    page: &PageContext,
    items: Vec<HeldCallback>,
) -> Result<Vec<HeldRow>, AppError> {
    let mut rows = Vec::new();
    for (n, h) in items.into_iter().enumerate() {
        let resolved = match (&h.resolved_at, &h.resolution) {
            (Some(at), Some(how)) => Some(Resolved {
                who: resolver_name(state, h.resolved_by.as_deref()).await?,
                how: page
                    .t(&format!("payments_held_resolution_{how}"))
                    .to_owned(),
                at: when(*at),
            }),
            _ => None,
        };
        let payment = match (
            &h.payment_amount_minor,
            &h.payment_currency,
            h.payment_state,
        ) {
            (Some(a), Some(c), Some(s)) => {
                Some(format!("{} · {}", amount(*a, c), state_label(page, s)))
            }
            _ => None,
        };
        rows.push(HeldRow {
            n: n + 1,
            key: format!("held|{}|{}", h.provider, h.event_id),
            amount: amount(h.amount_minor, &h.currency),
            outcome: page.t(&format!("payments_held_{}", h.outcome)).to_owned(),
            status: page
                .t(&format!("payments_held_status_{}", h.status))
                .to_owned(),
            received: when(h.received_at),
            payment,
            acceptable: h.acceptable(),
            resolved,
            held: h,
        });
    }
    Ok(rows)
}

#[allow(clippy::too_many_arguments)]
async fn reconciliation_page(
    state: &PaymentsState,
    actor: &Actor,
    page: PageContext,
    asked: &str,
    errors: Vec<FieldError>,
    failed: String,
    written: (String, String),
    notice: Option<(String, String)>,
) -> Result<ReconciliationPage, AppError> {
    let (a, administrations) = administration(state, actor, Some(asked), &page).await?;
    let (open, done) = reconcile::lines(&state.payments, actor, &a).await?;
    let (held_open, held_done) = held::list(&state.payments, actor, &a).await?;
    let held_open = held_rows(state, &page, held_open).await?;
    let held_done = held_rows(state, &page, held_done).await?;
    let statements = reconcile::statements(&state.payments, actor, &a)
        .await?
        .into_iter()
        .map(|s| {
            let at = when(s.imported_at);
            (s, at)
        })
        .collect();
    Ok(ReconciliationPage {
        back: format!("/office/payments?a={a}"),
        open: line_rows(state, &page, open).await?,
        done: line_rows(state, &page, done).await?,
        held_open,
        held_done,
        administration: a,
        administrations,
        statements,
        errors,
        failed,
        written_code: written.0,
        written_note: written.1,
        notice,
        page,
    })
}

pub async fn reconciliation(
    State(state): State<PaymentsState>,
    SignedIn(user): SignedIn,
    Query(q): Query<AQuery>,
    page: PageContext,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let notice = q.done.map(|what| {
        if what == "callback" {
            (
                page.t("payments_held_done_title").to_owned(),
                page.t("payments_held_done").to_owned(),
            )
        } else {
            (
                page.t("payments_office_line_done_title").to_owned(),
                page.t("payments_office_line_done").to_owned(),
            )
        }
    });
    let view = reconciliation_page(
        &state,
        &user.actor(),
        page,
        &q.a,
        Vec::new(),
        String::new(),
        (String::new(), String::new()),
        notice,
    )
    .await?;
    Ok(render(&view)?.into_response())
}

#[derive(Debug, Deserialize)]
pub struct LineForm {
    #[serde(default)]
    a: String,
    #[serde(default)]
    line: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    note: String,
}

/// Which field an error of resolving a line belongs to.
fn line_error_field(code: &str) -> &'static str {
    match code {
        "note_invalid" => "note",
        _ => "code",
    }
}

async fn line_action(
    state: PaymentsState,
    actor: Actor,
    page: PageContext,
    form: LineForm,
    matching: bool,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let (a, _) = administration(&state, &actor, Some(&form.a), &page).await?;
    let done = if matching {
        reconcile::match_to(
            &state.payments,
            &actor,
            &a,
            &form.line,
            &form.code,
            Some(&form.note),
        )
        .await
        .map(|_| ())
    } else {
        reconcile::resolve(&state.payments, &actor, &a, &form.line, &form.note).await
    };
    match done {
        Ok(()) => Ok(Redirect::to(&format!(
            "/office/payments/reconciliation?a={}&done=1",
            urlencoding(&a)
        ))
        .into_response()),
        Err(PaymentError::Invalid(code)) | Err(PaymentError::NotAllowed { from: code, .. }) => {
            let code = if matching || code == "note_invalid" {
                code
            } else {
                "note_invalid"
            };
            let key = match code {
                "line_resolved"
                | "payment_code_invalid"
                | "line_not_payment"
                | "line_currency_mismatch"
                | "line_amount_short"
                | "note_invalid" => {
                    format!("payments_error_{code}")
                }
                _ => "payments_error_line_not_payable".to_owned(),
            };
            let field = if matching {
                line_error_field(code)
            } else {
                "note"
            };
            let errors = vec![FieldError::new(field, &key)];
            let view = reconciliation_page(
                &state,
                &actor,
                page,
                &a,
                errors,
                form.line,
                (form.code, form.note),
                None,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn urlencoding(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|e| e.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

pub async fn match_line(
    State(state): State<PaymentsState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    CsrfForm(form): CsrfForm<LineForm>,
) -> Result<Response, AppError> {
    line_action(state, user.actor(), page, form, true).await
}

pub async fn resolve_line(
    State(state): State<PaymentsState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    CsrfForm(form): CsrfForm<LineForm>,
) -> Result<Response, AppError> {
    line_action(state, user.actor(), page, form, false).await
}

#[derive(Debug, Deserialize)]
pub struct HeldForm {
    #[serde(default)]
    a: String,
    #[serde(default)]
    provider: String,
    #[serde(default)]
    event: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    note: String,
}

/// A held card callback resolved: refunded, accepted as paid, or dismissed with a reason.
pub async fn resolve_held(
    State(state): State<PaymentsState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    CsrfForm(form): CsrfForm<HeldForm>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let actor = user.actor();
    let (a, _) = administration(&state, &actor, Some(&form.a), &page).await?;
    let action = held::Action::parse(&form.action).ok_or(AppError::BadRequest("action_invalid"))?;
    let done = held::resolve(
        &state.payments,
        state.card.as_deref(),
        &actor,
        &a,
        &form.provider,
        &form.event,
        action,
        &form.note,
    )
    .await;
    match done {
        Ok(()) => Ok(Redirect::to(&format!(
            "/office/payments/reconciliation?a={}&done=callback",
            urlencoding(&a)
        ))
        .into_response()),
        Err(PaymentError::ProviderUnavailable) => {
            held_refused(
                &state,
                &actor,
                page,
                &a,
                &form,
                "payments_office_refund_unavailable",
            )
            .await
        }
        Err(PaymentError::Invalid(code)) | Err(PaymentError::NotAllowed { from: code, .. }) => {
            let key = match code {
                "refund_refused"
                | "callback_resolved"
                | "callback_not_captured"
                | "callback_currency_mismatch"
                | "callback_amount_short"
                | "reason_required"
                | "note_invalid" => format!("payments_error_{code}"),
                _ => "payments_error_callback_not_payable".to_owned(),
            };
            held_refused(&state, &actor, page, &a, &form, &key).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The reconciliation screen again, with why the held callback could not be resolved so.
async fn held_refused(
    state: &PaymentsState,
    actor: &Actor,
    page: PageContext,
    a: &str,
    form: &HeldForm,
    key: &str,
) -> Result<Response, AppError> {
    let errors = vec![FieldError::new("held-note", key)];
    let view = reconciliation_page(
        state,
        actor,
        page,
        a,
        errors,
        format!("held|{}|{}", form.provider, form.event),
        (String::new(), form.note.clone()),
        None,
    )
    .await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)?).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct LinesCsvQuery {
    #[serde(default)]
    a: String,
    #[serde(default)]
    statement: Option<String>,
}

pub async fn lines_csv(
    State(state): State<PaymentsState>,
    SignedIn(user): SignedIn,
    Query(q): Query<LinesCsvQuery>,
    page: PageContext,
) -> Result<Response, AppError> {
    let actor = user.actor();
    let (a, _) = administration(&state, &actor, Some(&q.a), &page).await?;
    let statement = q.statement.as_deref().filter(|s| !s.is_empty());
    let body = reconcile::csv(&state.payments, &actor, &a, statement).await?;
    Ok(csv_response("statement-lines", body))
}

#[derive(Template)]
#[template(path = "office_statements.html")]
struct UploadPage {
    page: PageContext,
    back: String,
    administration: String,
    administrations: Vec<(String, String)>,
    errors: Vec<FieldError>,
    /// After an import: the statement's message id and how many lines had each outcome.
    imported: Option<(String, Vec<(String, u64)>)>,
}

pub async fn upload_form(
    State(state): State<PaymentsState>,
    SignedIn(user): SignedIn,
    Query(q): Query<AQuery>,
    page: PageContext,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let (a, administrations) = administration(&state, &user.actor(), Some(&q.a), &page).await?;
    Ok(render(&UploadPage {
        page,
        back: format!("/office/payments/reconciliation?a={a}"),
        administration: a,
        administrations,
        errors: Vec::new(),
        imported: None,
    })?
    .into_response())
}

/// The statement uploaded as a file (multipart: `a`, `statement`), checked for the CSRF token
/// before it is read into the import.
pub async fn upload(
    State(state): State<PaymentsState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    req: Request,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let cookie = req
        .extensions()
        .get::<CsrfCookie>()
        .map(|c| c.0.clone())
        .unwrap_or_default();
    let mut multipart = Multipart::from_request(req, &state)
        .await
        .map_err(|_| AppError::BadRequest("malformed_form"))?;
    let (mut token, mut a, mut file) = (String::new(), String::new(), None);
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("malformed_form"))?
    {
        match field.name().unwrap_or("") {
            CSRF_FIELD => token = field.text().await.unwrap_or_default(),
            "a" => a = field.text().await.unwrap_or_default(),
            "statement" => {
                let bytes = field.bytes().await.map_err(|e| {
                    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                        AppError::PayloadTooLarge
                    } else {
                        AppError::BadRequest("upload_failed")
                    }
                })?;
                if !bytes.is_empty() {
                    file = Some(bytes);
                }
            }
            _ => {}
        }
    }
    if cookie.is_empty() || !token_matches(&state.app.config.csrf_key, &cookie, &token) {
        return Err(AppError::Csrf);
    }
    let actor = user.actor();
    let (a, administrations) = administration(&state, &actor, Some(&a), &page).await?;
    let failed = |page, administrations, code: &str| -> Result<Response, AppError> {
        let view = UploadPage {
            page,
            back: format!("/office/payments/reconciliation?a={a}"),
            administration: a.clone(),
            administrations,
            errors: vec![FieldError::new("statement", code)],
            imported: None,
        };
        Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)?).into_response())
    };
    let Some(file) = file else {
        return failed(page, administrations, "payments_office_statement_missing");
    };
    match statements::import(&state.payments, &actor, Some(&a), &file).await {
        Ok(done) => {
            let outcomes: BTreeMap<String, u64> = done.outcomes;
            let outcomes = outcomes
                .into_iter()
                .map(|(k, n)| (page.t(&format!("payments_line_{k}")).to_owned(), n))
                .collect();
            let view = UploadPage {
                page,
                back: format!("/office/payments/reconciliation?a={a}"),
                administration: a.clone(),
                administrations,
                errors: Vec::new(),
                imported: Some((done.message_id, outcomes)),
            };
            Ok(render(&view)?.into_response())
        }
        Err(PaymentError::Invalid(code)) => {
            let key = format!("payments_error_{code}");
            failed(page, administrations, &key)
        }
        Err(e) => Err(e.into()),
    }
}
