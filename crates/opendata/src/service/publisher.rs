//! Who may publish for an administration: its staff with the `data_publisher` role (or its
//! administration admins), and its API clients holding the `opendata` scope.

use super::organisations;
use crate::error::OpenDataError;
use portico_core::{Actor, Assurance, Role};

/// The level of assurance a person needs to publish.
pub const PUBLISHING_ASSURANCE: Assurance = Assurance::Substantial;

/// True when `actor` publishes for `administration_id`. The platform's own organisation
/// ([`organisations::PLATFORM_ID`]) is written by the platform's system actor only: no person's
/// role and no API client's scope reaches it.
pub fn may_publish(actor: &Actor, administration_id: &str) -> bool {
    if administration_id == organisations::PLATFORM_ID {
        return matches!(actor, Actor::System(_));
    }
    match actor {
        Actor::ApiClient(c) => {
            c.administration_id == administration_id && c.scopes.iter().any(|s| s == super::SCOPE)
        }
        Actor::Person(_) => {
            actor.has_role(administration_id, Role::DataPublisher)
                || actor.has_role(administration_id, Role::AdministrationAdmin)
        }
        Actor::System(_) => true,
    }
}

/// Refuses unless `actor` publishes for `administration_id` at the needed assurance.
pub fn require(actor: &Actor, administration_id: &str) -> Result<(), OpenDataError> {
    if !may_publish(actor, administration_id) {
        return Err(OpenDataError::Forbidden);
    }
    actor.require(PUBLISHING_ASSURANCE)?;
    Ok(())
}

/// The administrations `actor` publishes for (a person's roles; a client's own administration).
pub fn administrations(actor: &Actor) -> Vec<String> {
    match actor {
        Actor::ApiClient(c) if c.scopes.iter().any(|s| s == super::SCOPE) => {
            vec![c.administration_id.clone()]
        }
        Actor::Person(p) => {
            let mut out: Vec<String> = p
                .roles
                .iter()
                .filter(|r| matches!(r.role, Role::DataPublisher | Role::AdministrationAdmin))
                .map(|r| r.administration_id.clone())
                .collect();
            out.sort();
            out.dedup();
            out
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use portico_core::{ApiClient, Person, RoleGrant};

    #[test]
    fn clients_need_the_scope_and_people_the_role() {
        let client = |scopes: &[&str]| {
            Actor::ApiClient(ApiClient {
                client_id: "c".into(),
                administration_id: "sofia".into(),
                scopes: scopes.iter().map(|s| s.to_string()).collect(),
            })
        };
        assert!(may_publish(&client(&["opendata"]), "sofia"));
        assert!(!may_publish(&client(&["opendata"]), "burgas"));
        assert!(!may_publish(&client(&["cases"]), "sofia"));
        let person = |role| {
            Actor::Person(Person {
                account_id: "p".into(),
                assurance: Assurance::Substantial,
                roles: vec![RoleGrant {
                    administration_id: "sofia".into(),
                    unit_id: None,
                    role,
                }],
                on_behalf_of: None,
            })
        };
        assert!(may_publish(&person(Role::DataPublisher), "sofia"));
        assert!(!may_publish(&person(Role::Operator), "sofia"));
        assert!(require(&person(Role::DataPublisher), "burgas").is_err());
        // The platform's organisation: its system actor only.
        let platform = organisations::PLATFORM_ID;
        assert!(may_publish(&Actor::System("opendata"), platform));
        for role in [
            Role::AdministrationAdmin,
            Role::DataPublisher,
            Role::PlatformAdmin,
        ] {
            // Even a grant naming the platform's id (which identity never makes) does not reach it.
            let granted = Actor::Person(Person {
                account_id: "p".into(),
                assurance: Assurance::High,
                roles: vec![RoleGrant {
                    administration_id: platform.into(),
                    unit_id: None,
                    role,
                }],
                on_behalf_of: None,
            });
            assert!(!may_publish(&granted, platform));
        }
        let client_of_platform = Actor::ApiClient(ApiClient {
            client_id: "c".into(),
            administration_id: platform.into(),
            scopes: vec!["opendata".into()],
        });
        assert!(!may_publish(&client_of_platform, platform));
    }
}
