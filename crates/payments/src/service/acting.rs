//! The one place that says for which administration an actor asks for or changes payments:
//! an API client for its own administration when it holds the `payments` scope; the platform
//! itself (the service layer for a case, a job, a provider's verified callback) for the
//! administration it names. People only read their own payments (`requests::for_payer`).

use crate::error::PaymentError;
use portico_core::{Actor, Assurance, Role};

/// What a member of an administration's staff needs to work its payments on the back office's
/// pages (read them, refund, import statements, resolve lines): their session at substantial
/// assurance or better.
pub const STAFF_ASSURANCE: Assurance = Assurance::Substantial;

/// The administrations whose payments a person works: those where they are an operator or an
/// administrator (of the whole administration or of one of its units), sorted.
pub fn staff_administrations(actor: &Actor) -> Vec<String> {
    let mut ids: Vec<String> = match actor {
        Actor::Person(p) => p
            .roles
            .iter()
            .filter(|g| matches!(g.role, Role::Operator | Role::AdministrationAdmin))
            .map(|g| g.administration_id.clone())
            .collect(),
        _ => Vec::new(),
    };
    ids.sort();
    ids.dedup();
    ids
}

/// A person of `administration_id`'s staff at [`STAFF_ASSURANCE`]: Ok. Anyone else is told the
/// payments do not exist for them; a staff session at a lower level is asked to raise it.
pub fn staff_of(actor: &Actor, administration_id: &str) -> Result<(), PaymentError> {
    if !staff_administrations(actor)
        .iter()
        .any(|a| a == administration_id)
    {
        return Err(PaymentError::NotFound);
    }
    actor.require(STAFF_ASSURANCE)?;
    Ok(())
}

/// For which administration a statement is imported: its own system or the platform as for
/// [`administration`], or a person of its staff naming it.
pub fn importer(actor: &Actor, named: Option<&str>) -> Result<String, PaymentError> {
    match (actor, named) {
        (Actor::Person(_), Some(named)) => {
            staff_of(actor, named)?;
            Ok(named.to_owned())
        }
        _ => administration(actor, named),
    }
}

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

/// Whether the actor works the payments of `administration_id` (reads them, cancels, refunds):
/// its API client with the scope, the platform, or a person of its staff at
/// [`STAFF_ASSURANCE`].
pub fn works_for(actor: &Actor, administration_id: &str) -> bool {
    match actor {
        Actor::ApiClient(client) => {
            client.administration_id == administration_id
                && client.scopes.iter().any(|s| s == super::SCOPE)
        }
        Actor::System(_) => true,
        Actor::Person(_) => staff_of(actor, administration_id).is_ok(),
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

    #[test]
    fn staff_work_their_own_administrations_payments_at_substantial_assurance() {
        use portico_core::{Person, RoleGrant};
        let staff = |role: Role, assurance: Assurance| {
            Actor::Person(Person {
                account_id: "s".into(),
                assurance,
                roles: vec![RoleGrant {
                    administration_id: "sofia".into(),
                    unit_id: Some("district".into()),
                    role,
                }],
                on_behalf_of: None,
            })
        };
        let operator = staff(Role::Operator, Assurance::Substantial);
        assert!(works_for(&operator, "sofia"));
        assert!(!works_for(&operator, "burgas"));
        assert_eq!(importer(&operator, Some("sofia")).unwrap(), "sofia");
        assert!(importer(&operator, Some("burgas")).is_err());
        assert!(importer(&operator, None).is_err());
        assert!(works_for(
            &staff(Role::AdministrationAdmin, Assurance::High),
            "sofia"
        ));
        assert!(!works_for(&staff(Role::Operator, Assurance::Low), "sofia"));
        assert!(!works_for(
            &staff(Role::DataPublisher, Assurance::High),
            "sofia"
        ));
        // Staff do not ask for payments: that is the service layer's and systems' business.
        assert!(administration(&operator, Some("sofia")).is_err());
    }
}
