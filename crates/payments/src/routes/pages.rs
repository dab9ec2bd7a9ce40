//! The payer's page: every payment they owe or paid, its payment code and bank details, and
//! each change of its state.

use super::PaymentsState;
use crate::model::PaymentWithHistory;
use crate::service::requests;
use crate::strings::TABLES;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use portico_http::{render, AppError, PageContext, SignedIn};

fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    portico_core::calendar::sofia_local(t)
        .format("%d.%m.%Y %H:%M")
        .to_string()
}

fn amount(minor: i64, currency: &str) -> String {
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
fn tag(s: crate::model::PaymentState) -> &'static str {
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
}

fn row(page: &PageContext, p: PaymentWithHistory) -> PaymentRow {
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

pub async fn mine(
    State(state): State<PaymentsState>,
    SignedIn(user): SignedIn,
    page: PageContext,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let list = requests::for_payer(&state.payments, &user.actor()).await?;
    let payments = list.into_iter().map(|p| row(&page, p)).collect();
    Ok(render(&MinePage { page, payments })?.into_response())
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
