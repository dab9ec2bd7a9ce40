//! The one place that says for which administration an actor asks for or changes payments:
//! an API client for its own administration when it holds the `payments` scope; the platform
//! itself (the service layer for a case, a job, a provider's verified callback) for the
//! administration it names. People only read their own payments (`requests::for_payer`).

use crate::error::PaymentError;
use portico_core::Actor;

pub fn administration(actor: &Actor, named: Option<&str>) -> Result<String, PaymentError> {
    match actor {
        Actor::ApiClient(client) => {
            if !client.scopes.iter().any(|s| s == super::SCOPE) {
                return Err(PaymentError::NotAPaymentClient);
            }
            if named.is_some_and(|n| n != client.administration_id) {
                return Err(PaymentError::NotAPaymentClient);
            }
            Ok(client.administration_id.clone())
        }
        Actor::System(_) => named
            .map(str::to_owned)
            .ok_or(PaymentError::Invalid("administration_required")),
        Actor::Person(_) => Err(PaymentError::NotAPaymentClient),
    }
}

/// Whether the actor works the payments of `administration_id` (reads them, cancels, refunds).
pub fn works_for(actor: &Actor, administration_id: &str) -> bool {
    match actor {
        Actor::ApiClient(client) => {
            client.administration_id == administration_id
                && client.scopes.iter().any(|s| s == super::SCOPE)
        }
        Actor::System(_) => true,
        Actor::Person(_) => false,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use portico_core::{ApiClient, Assurance};

    #[test]
    fn clients_need_the_scope_and_ask_for_their_own_administration_only() {
        let client = |scopes: &[&str]| {
            Actor::ApiClient(ApiClient {
                client_id: "c".into(),
                administration_id: "sofia".into(),
                scopes: scopes.iter().map(|s| s.to_string()).collect(),
            })
        };
        assert_eq!(
            administration(&client(&["payments"]), None).unwrap(),
            "sofia"
        );
        assert!(administration(&client(&["cases"]), None).is_err());
        assert!(administration(&client(&["payments"]), Some("burgas")).is_err());
        assert!(works_for(&client(&["payments"]), "sofia"));
        assert!(!works_for(&client(&["payments"]), "burgas"));
        assert!(administration(&Actor::System("cases"), None).is_err());
        assert_eq!(
            administration(&Actor::System("cases"), Some("burgas")).unwrap(),
            "burgas"
        );
        let person = Actor::person("p", Assurance::High);
        assert!(administration(&person, Some("sofia")).is_err());
        assert!(!works_for(&person, "sofia"));
    }
}
