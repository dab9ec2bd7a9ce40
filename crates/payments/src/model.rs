//! The payments block's types: a payment request, its states and the only transitions between
//! them, and what its service functions take and return.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A payment request's state, as GOV.UK Pay names them, with bank transfers (`ordered`) and
/// partial refunds beside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentState {
    /// Asked for; nobody has started paying.
    Created,
    /// The payer is on the card provider's page.
    Started,
    /// The card provider authorised the amount; not captured yet.
    Authorised,
    /// The payer chose a bank transfer; waiting for the bank statement.
    Ordered,
    /// The money arrived (captured by the card provider, or matched on a statement).
    Paid,
    /// Not paid before its expiry.
    Expired,
    /// Withdrawn by the administration before it was paid.
    Cancelled,
    /// The provider declined or failed the payment.
    Failed,
    /// Part of the amount was paid back.
    RefundedPart,
    /// The whole amount was paid back.
    Refunded,
}

impl PaymentState {
    pub const ALL: [PaymentState; 10] = [
        PaymentState::Created,
        PaymentState::Started,
        PaymentState::Authorised,
        PaymentState::Ordered,
        PaymentState::Paid,
        PaymentState::Expired,
        PaymentState::Cancelled,
        PaymentState::Failed,
        PaymentState::RefundedPart,
        PaymentState::Refunded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentState::Created => "created",
            PaymentState::Started => "started",
            PaymentState::Authorised => "authorised",
            PaymentState::Ordered => "ordered",
            PaymentState::Paid => "paid",
            PaymentState::Expired => "expired",
            PaymentState::Cancelled => "cancelled",
            PaymentState::Failed => "failed",
            PaymentState::RefundedPart => "refunded_part",
            PaymentState::Refunded => "refunded",
        }
    }

    pub fn parse(s: &str) -> Option<PaymentState> {
        PaymentState::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// The states this one may change to; nothing else is ever allowed.
    pub fn next(self) -> &'static [PaymentState] {
        use PaymentState::*;
        match self {
            Created => &[Started, Ordered, Paid, Expired, Cancelled, Failed],
            Started => &[Authorised, Paid, Failed, Expired, Cancelled],
            Authorised => &[Paid, Failed, Cancelled],
            Ordered => &[Paid, Expired, Cancelled],
            Paid => &[RefundedPart, Refunded],
            RefundedPart => &[RefundedPart, Refunded],
            Expired | Cancelled | Failed | Refunded => &[],
        }
    }

    pub fn may_become(self, to: PaymentState) -> bool {
        self.next().contains(&to)
    }

    /// Whether the request can still be paid.
    pub fn is_payable(self) -> bool {
        matches!(
            self,
            PaymentState::Created | PaymentState::Started | PaymentState::Ordered
        )
    }

    /// Whether nothing more can happen to it.
    pub fn is_final(self) -> bool {
        self.next().is_empty()
    }
}

/// A payment request as an administration's system (or the service layer for a case) asks
/// for it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewPayment {
    /// The administration to be paid; an API client may leave it out (it is its own), the
    /// service layer must name it.
    #[serde(default)]
    pub administration_id: Option<String>,
    /// The amount in the currency's minor units (cents).
    pub amount_minor: i64,
    /// ISO 4217 alphabetic code; EUR when left out.
    #[serde(default)]
    pub currency: Option<String>,
    /// What the payment is for, as the payer and the bank statement show it.
    pub reason: String,
    /// Who is paid, as a bank transfer names them.
    pub beneficiary_name: String,
    /// The beneficiary's IBAN (ISO 13616), spaces allowed.
    pub iban: String,
    /// The beneficiary bank's BIC (ISO 9362), 8 or 11 characters.
    pub bic: String,
    /// Who pays: a personal identifier (EGN, LNCh) or a company's EIK.
    pub obligor_id: String,
    /// The application (its id or tracking number) the payment is for.
    #[serde(default)]
    pub application_ref: Option<String>,
    /// Until when it can be paid (RFC 3339); 7 days from now when left out.
    #[serde(default)]
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A payment request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Payment {
    pub id: String,
    pub administration_id: String,
    /// The payment code (with its check character) to quote at a bank or in a transfer.
    pub code: String,
    pub amount_minor: i64,
    pub currency: String,
    pub reason: String,
    pub beneficiary_name: String,
    pub iban: String,
    pub bic: String,
    pub obligor_id: String,
    pub application_ref: Option<String>,
    pub state: PaymentState,
    pub refunded_minor: i64,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i64,
}

/// One change of a payment's state.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaymentEvent {
    pub from_state: Option<PaymentState>,
    pub to_state: PaymentState,
    /// The amount the change was about (a refund's), when it had one.
    pub amount_minor: Option<i64>,
    pub note: Option<String>,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// A payment with its history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaymentWithHistory {
    #[serde(flatten)]
    pub payment: Payment,
    pub history: Vec<PaymentEvent>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_states_go_nowhere_and_paid_is_never_paid_again() {
        for s in PaymentState::ALL {
            assert_eq!(PaymentState::parse(s.as_str()), Some(s));
            assert!(!s.may_become(PaymentState::Created), "{s:?}");
        }
        for s in [
            PaymentState::Paid,
            PaymentState::RefundedPart,
            PaymentState::Refunded,
            PaymentState::Expired,
            PaymentState::Cancelled,
            PaymentState::Failed,
        ] {
            assert!(!s.may_become(PaymentState::Paid), "{s:?}");
        }
        assert!(PaymentState::Expired.is_final());
        assert!(PaymentState::Refunded.is_final());
        assert!(!PaymentState::Paid.is_final());
        assert!(PaymentState::Started.may_become(PaymentState::Authorised));
        assert!(!PaymentState::Ordered.may_become(PaymentState::Authorised));
        assert!(!PaymentState::Paid.may_become(PaymentState::Cancelled));
    }
}
