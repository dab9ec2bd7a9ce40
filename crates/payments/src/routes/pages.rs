//! The payer's page: every payment they owe or paid, its payment code and bank details, and
//! each change of its state.

use super::PaymentsState;
use crate::error::PaymentError;
use crate::model::PaymentState;
use crate::model::PaymentWithHistory;
use crate::service::card;
use crate::service::requests;
use crate::strings::TABLES;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use portico_core::Id;
use portico_http::{render, AppError, CsrfForm, PageContext, SignedIn, ValidPath};
use serde::Deserialize;

pub(super) fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    portico_core::calendar::sofia_local(t)
        .format("%d.%m.%Y %H:%M")
        .to_string()
}

pub(super) fn amount(minor: i64, currency: &str) -> String {
    let exponent = crate::validate::currency(Some(currency)).map_or(2, |(_, e)| e);
    if exponent == 0 {
        return format!("{minor} {currency}");
    }
    let scale = 10i64.pow(u32::from(exponent));
    let width = usize::from(exponent);
    format!(
        "{}.{:0width$} {currency}",
        minor / scale,
        (minor % scale).abs()
    )
}

/// The shell's tag colour for a state.
pub(super) fn tag(s: crate::model::PaymentState) -> &'static str {
    use crate::model::PaymentState as S;
    match s {
        S::Paid => "decided",
        S::Created | S::Ordered => "waiting",
        S::Started | S::Authorised => "progress",
        S::Failed | S::Expired => "red",
        S::Cancelled | S::RefundedPart | S::Refunded => "draft",
    }
}

pub struct HistoryRow {
    pub when: String,
    pub state: String,
    /// The change's amount (a refund's) and note, when it has them.
    pub body: String,
}

pub struct PaymentRow {
    pub id: String,
    /// Whether the payer can pay it by card now.
    pub payable: bool,
    pub code: String,
    pub reason: String,
    pub amount: String,
    pub tag: &'static str,
    pub state: String,
    pub beneficiary: String,
    pub iban: String,
    pub bic: String,
    pub application_ref: String,
    pub expires: String,
    pub history: Vec<HistoryRow>,
}

#[derive(Template)]
#[template(path = "payments.html")]
struct MinePage {
    page: PageContext,
    payments: Vec<PaymentRow>,
    /// A banner: its title and text, and whether it is good news.
    notice: Option<(String, String, bool)>,
}

fn row(
    page: &PageContext,
    p: PaymentWithHistory,
    card: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> PaymentRow {
    let state_label = |s: crate::model::PaymentState| {
        page.t(&format!("payments_state_{}", s.as_str())).to_owned()
    };
    let currency = p.payment.currency.clone();
    PaymentRow {
        history: p
            .history
            .iter()
            .map(|e| HistoryRow {
                when: when(e.at),
                state: state_label(e.to_state),
                body: [e.amount_minor.map(|m| amount(m, &currency)), e.note.clone()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" — "),
            })
            .collect(),
        id: p.payment.id.clone(),
        payable: card
            && matches!(
                p.payment.state,
                PaymentState::Created | PaymentState::Started
            )
            && p.payment.expires_at > now,
        code: p.payment.code,
        reason: p.payment.reason,
        amount: amount(p.payment.amount_minor, &currency),
        tag: tag(p.payment.state),
        state: state_label(p.payment.state),
        beneficiary: p.payment.beneficiary_name,
        iban: p.payment.iban,
        bic: p.payment.bic,
        application_ref: p.payment.application_ref.unwrap_or_default(),
        expires: when(p.payment.expires_at),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct MineQuery {
    /// Back from the card provider: the payment's code.
    #[serde(default)]
    back: Option<String>,
    /// Paying could not start: why.
    #[serde(default)]
    error: Option<String>,
}

pub async fn mine(
    State(state): State<PaymentsState>,
    SignedIn(user): SignedIn,
    Query(query): Query<MineQuery>,
    page: PageContext,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let list = requests::for_payer(&state.payments, &user.actor()).await?;
    let now = state.payments.now();
    let mut notice = None;
    if let Some(code) = &query.back {
        if let Some(p) = list.iter().find(|p| &p.payment.code == code) {
            let last = card::last_status(&state.payments, &p.payment.id).await?;
            let key = match p.payment.state {
                PaymentState::Paid => "paid",
                PaymentState::Failed => "declined",
                PaymentState::Started if last.as_deref() == Some("declined") => "declined",
                _ => "waiting",
            };
            notice = Some((
                page.t(&format!("payments_back_{key}_title")).to_owned(),
                page.t(&format!("payments_back_{key}")).to_owned(),
                key == "paid",
            ));
        }
    }
    if let Some(error) = &query.error {
        let key = match error.as_str() {
            "provider_unavailable" => "provider_unavailable",
            _ => "not_payable",
        };
        notice = Some((
            page.t("payments_pay_failed_title").to_owned(),
            page.t(&format!("payments_error_{key}")).to_owned(),
            false,
        ));
    }
    let card = state.card.is_some();
    let payments = list.into_iter().map(|p| row(&page, p, card, now)).collect();
    Ok(render(&MinePage {
        page,
        payments,
        notice,
    })?
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct PayForm {}

#[derive(Template)]
#[template(path = "pay_provider.html")]
struct ToProviderPage {
    page: PageContext,
    amount: String,
    beneficiary: String,
    code: String,
    /// The provider's hosted page.
    url: String,
}

/// The payer chooses to pay by card: sent to the provider's hosted page. If the provider does
/// not answer, they come back to their payments with a message and nothing changed.
pub async fn pay(
    State(state): State<PaymentsState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    ValidPath(id): ValidPath<Id>,
    CsrfForm(_): CsrfForm<PayForm>,
) -> Result<Response, AppError> {
    let provider = state.card.clone().ok_or(AppError::NotFound)?;
    let base = state.app.config.base_url.clone();
    match card::start(
        &state.payments,
        provider.as_ref(),
        &user.actor(),
        &id,
        &base,
    )
    .await
    {
        Ok(url) => {
            // A page with a link, not a redirect: the shell's Content-Security-Policy lets a
            // form lead only to Portico itself (`form-action 'self'`), redirects included.
            let payment = requests::get(&state.payments, &user.actor(), &id)
                .await?
                .payment;
            let page = page.with_strings(TABLES);
            Ok(render(&ToProviderPage {
                amount: amount(payment.amount_minor, &payment.currency),
                beneficiary: payment.beneficiary_name,
                code: payment.code,
                url,
                page,
            })?
            .into_response())
        }
        Err(PaymentError::ProviderUnavailable) => {
            Ok(Redirect::to("/payments?error=provider_unavailable").into_response())
        }
        Err(PaymentError::NotAllowed { .. }) => {
            Ok(Redirect::to("/payments?error=not_payable").into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Back from the provider's page: to the payer's payments, with a banner saying how it went.
pub async fn back(
    State(state): State<PaymentsState>,
    SignedIn(user): SignedIn,
    ValidPath(id): ValidPath<Id>,
) -> Result<Response, AppError> {
    let payment = requests::get(&state.payments, &user.actor(), &id).await?;
    Ok(Redirect::to(&format!(
        "/payments?back={}#payment-{}",
        payment.payment.code, payment.payment.code
    ))
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::amount;

    #[test]
    fn amounts_in_minor_units_are_written_with_their_currency() {
        assert_eq!(amount(1050, "EUR"), "10.50 EUR");
        assert_eq!(amount(5, "EUR"), "0.05 EUR");
        assert_eq!(amount(1200, "JPY"), "1200 JPY");
        assert_eq!(amount(1234, "KWD"), "1.234 KWD");
    }
}
