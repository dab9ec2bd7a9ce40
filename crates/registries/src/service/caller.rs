//! The one place that says for which administration an actor queries registers, and as whom.
//! API clients act for their administration when they hold the `registries` scope; staff act for
//! the administration they hold a role in (the one they name, when several); the platform itself
//! (a block's prefill) names the administration whose service it serves.

use crate::error::RegistryError;
use portico_core::Actor;

/// Who asks, as the access matrix and the query log see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acting {
    pub administration_id: String,
    /// The person's account, when a person asks.
    pub employee_account: Option<String>,
    /// The role the person holds there.
    pub employee_role: Option<String>,
}

pub fn acting(actor: &Actor, named: Option<&str>) -> Result<Acting, RegistryError> {
    match actor {
        Actor::ApiClient(client) => {
            if !client.scopes.iter().any(|s| s == super::SCOPE) {
                return Err(RegistryError::NotAClient);
            }
            if named.is_some_and(|n| n != client.administration_id) {
                return Err(RegistryError::NotAClient);
            }
            Ok(Acting {
                administration_id: client.administration_id.clone(),
                employee_account: None,
                employee_role: None,
            })
        }
        Actor::Person(person) => {
            let mut roles = person
                .roles
                .iter()
                .filter(|r| named.is_none_or(|n| n == r.administration_id));
            let first = roles.next().ok_or(RegistryError::NotAClient)?;
            if named.is_none()
                && person
                    .roles
                    .iter()
                    .any(|r| r.administration_id != first.administration_id)
            {
                // Several administrations: the query must say which one it is for.
                return Err(RegistryError::NotAClient);
            }
            Ok(Acting {
                administration_id: first.administration_id.clone(),
                employee_account: Some(person.account_id.clone()),
                employee_role: Some(first.role.as_str().to_owned()),
            })
        }
        Actor::System(_) => match named {
            Some(id) => Ok(Acting {
                administration_id: id.to_owned(),
                employee_account: None,
                employee_role: None,
            }),
            None => Err(RegistryError::NotAClient),
        },
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use portico_core::{ApiClient, Assurance, Person, Role, RoleGrant};

    #[test]
    fn clients_need_the_scope_and_act_for_their_own_administration() {
        let client = |scopes: &[&str]| {
            Actor::ApiClient(ApiClient {
                client_id: "c".into(),
                administration_id: "sofia".into(),
                scopes: scopes.iter().map(|s| s.to_string()).collect(),
            })
        };
        assert_eq!(
            acting(&client(&["registries"]), None)
                .unwrap()
                .administration_id,
            "sofia"
        );
        assert!(acting(&client(&["cases"]), None).is_err());
        assert!(acting(&client(&["registries"]), Some("burgas")).is_err());
    }

    #[test]
    fn staff_act_for_their_administration_and_citizens_not_at_all() {
        let grant = |a: &str| RoleGrant {
            administration_id: a.into(),
            unit_id: None,
            role: Role::Operator,
        };
        let person = |roles| {
            Actor::Person(Person {
                account_id: "p".into(),
                assurance: Assurance::Substantial,
                roles,
                on_behalf_of: None,
            })
        };
        let one = acting(&person(vec![grant("sofia")]), None).unwrap();
        assert_eq!(one.employee_role.as_deref(), Some("operator"));
        assert!(acting(&person(vec![]), None).is_err());
        let two = person(vec![grant("sofia"), grant("burgas")]);
        assert!(acting(&two, None).is_err());
        assert_eq!(
            acting(&two, Some("burgas")).unwrap().administration_id,
            "burgas"
        );
        assert!(acting(&Actor::System("cases"), None).is_err());
    }
}
