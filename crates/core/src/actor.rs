//! Who is acting. Every service function of every block takes an [`Actor`], whether the request
//! came from a page, the JSON API, a job or a provider's callback, so the rules are written once
//! and checked the same way on every path.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The roles staff hold in an administration (or one of its units).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Operator,
    AdministrationAdmin,
    RegisterOwner,
    PlatformAdmin,
    /// Checks people's identity documents at a counter and marks their identifiers verified.
    IdentityVerifier,
    /// Publishes the administration's open datasets.
    DataPublisher,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Operator,
        Role::AdministrationAdmin,
        Role::RegisterOwner,
        Role::PlatformAdmin,
        Role::IdentityVerifier,
        Role::DataPublisher,
    ];

    /// The stable name stored in the database and used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::AdministrationAdmin => "administration_admin",
            Role::RegisterOwner => "register_owner",
            Role::PlatformAdmin => "platform_admin",
            Role::IdentityVerifier => "identity_verifier",
            Role::DataPublisher => "data_publisher",
        }
    }

    /// May work an administration's cases (its queue, its case pages).
    pub fn works_cases(self) -> bool {
        matches!(self, Role::Operator | Role::AdministrationAdmin)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0}")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

/// A role held in an administration, for the whole of it or for one unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleGrant {
    pub administration_id: String,
    pub unit_id: Option<String>,
    pub role: Role,
}

/// How well a person's identity was proven (eIDAS levels of assurance).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Assurance {
    Low,
    Substantial,
    High,
}

impl Assurance {
    pub const ALL: [Assurance; 3] = [Assurance::Low, Assurance::Substantial, Assurance::High];

    /// The stable name stored in the database (`low`, `substantial`, `high`).
    pub fn as_str(self) -> &'static str {
        match self {
            Assurance::Low => "low",
            Assurance::Substantial => "substantial",
            Assurance::High => "high",
        }
    }

    /// The stored name back; anything unknown reads as `Low`, the level that grants least.
    pub fn from_stored(s: &str) -> Assurance {
        Assurance::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .unwrap_or(Assurance::Low)
    }
}

impl fmt::Display for Assurance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An action needs a higher level of assurance than the acting person's session has. Nothing was
/// done; the person is told why and how to raise their level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("this action needs assurance {needed}; the session has {current}")]
pub struct NeedsAssurance {
    pub needed: Assurance,
    pub current: Assurance,
}

/// A person acting through a signed-in session: a citizen, or staff with their roles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub account_id: String,
    pub assurance: Assurance,
    pub roles: Vec<RoleGrant>,
    /// Whom they act for under a mandate ("acting as"), if anyone: actions are theirs, done on
    /// the principal's behalf, and record both.
    pub on_behalf_of: Option<OnBehalfOf>,
}

/// The principal of a mandate a person acts under: another person (their account), or a
/// company (its EIK) the person represents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OnBehalfOf {
    pub mandate_id: String,
    pub account_id: Option<String>,
    pub company_eik: Option<String>,
}

/// An institution's system, authenticated as an API client of one administration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiClient {
    pub client_id: String,
    pub administration_id: String,
    pub scopes: Vec<String>,
}

/// Whoever a service function acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    Person(Person),
    ApiClient(ApiClient),
    /// The platform itself: a job, a timer, a provider's verified callback. The name says which,
    /// and is what the audit log records as the actor.
    System(&'static str),
}

/// A work scope: an administration, and one unit of it unless the role covers all of them.
pub type Scope = (String, Option<String>);

impl Actor {
    /// A signed-in person with no staff roles (what tests and jobs acting for one use).
    pub fn person(account_id: &str, assurance: Assurance) -> Actor {
        Actor::Person(Person {
            account_id: account_id.to_owned(),
            assurance,
            roles: Vec::new(),
            on_behalf_of: None,
        })
    }

    /// The account whose affairs the actor handles: under a mandate from a person, that person's;
    /// otherwise the person's own. (A company's representative handles no person's affairs.)
    pub fn principal_account_id(&self) -> Option<&str> {
        match self {
            Actor::Person(p) => match &p.on_behalf_of {
                Some(o) => o.account_id.as_deref(),
                None => Some(&p.account_id),
            },
            _ => None,
        }
    }

    /// The mandate the actor acts under, if any.
    pub fn on_behalf_of(&self) -> Option<&OnBehalfOf> {
        match self {
            Actor::Person(p) => p.on_behalf_of.as_ref(),
            _ => None,
        }
    }

    /// The level of assurance an action needs: every action that must know who a person really
    /// is calls this first. A person passes when their session's level is at least `needed`. API
    /// clients and the system are not people: what they may do is decided by their scopes and
    /// by the service function, so the person's level does not apply to them.
    pub fn require(&self, needed: Assurance) -> Result<(), NeedsAssurance> {
        match self {
            Actor::Person(p) if p.assurance < needed => Err(NeedsAssurance {
                needed,
                current: p.assurance,
            }),
            _ => Ok(()),
        }
    }

    /// The id the audit log and timelines record for this actor.
    pub fn audit_id(&self) -> String {
        match self {
            Actor::Person(p) => p.account_id.clone(),
            Actor::ApiClient(c) => format!("client:{}", c.client_id),
            Actor::System(name) => format!("system:{name}"),
        }
    }

    /// The person's account, when a person acts.
    pub fn account_id(&self) -> Option<&str> {
        match self {
            Actor::Person(p) => Some(&p.account_id),
            _ => None,
        }
    }

    pub fn has_role(&self, administration_id: &str, role: Role) -> bool {
        match self {
            Actor::Person(p) => p
                .roles
                .iter()
                .any(|r| r.administration_id == administration_id && r.role == role),
            _ => false,
        }
    }

    pub fn is_platform_admin(&self) -> bool {
        matches!(self, Actor::Person(p) if p.roles.iter().any(|r| r.role == Role::PlatformAdmin))
    }

    /// Where this actor may work cases: a person's case-working roles, or an API client's whole
    /// administration when it holds `scope`.
    pub fn work_scopes(&self, scope: &str) -> Vec<Scope> {
        match self {
            Actor::Person(p) => p
                .roles
                .iter()
                .filter(|r| r.role.works_cases())
                .map(|r| (r.administration_id.clone(), r.unit_id.clone()))
                .collect(),
            Actor::ApiClient(c) if c.scopes.iter().any(|s| s == scope) => {
                vec![(c.administration_id.clone(), None)]
            }
            Actor::ApiClient(_) | Actor::System(_) => Vec::new(),
        }
    }

    /// True when the actor's scopes cover an administration's unit (or the whole administration).
    pub fn may_work_in(&self, scope: &str, administration_id: &str, unit_id: Option<&str>) -> bool {
        self.work_scopes(scope)
            .iter()
            .any(|(administration, unit)| {
                administration == administration_id
                    && (unit.is_none() || unit.as_deref() == unit_id)
            })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn operator(unit: Option<&str>) -> Actor {
        Actor::Person(Person {
            account_id: "op".into(),
            assurance: Assurance::Substantial,
            roles: vec![RoleGrant {
                administration_id: "sofia".into(),
                unit_id: unit.map(str::to_owned),
                role: Role::Operator,
            }],
            on_behalf_of: None,
        })
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        }
        assert!("admin".parse::<Role>().is_err());
    }

    #[test]
    fn a_unit_operator_works_only_their_unit() {
        let op = operator(Some("sredets"));
        assert!(op.may_work_in("cases", "sofia", Some("sredets")));
        assert!(!op.may_work_in("cases", "sofia", Some("lozenets")));
        assert!(!op.may_work_in("cases", "burgas", Some("sredets")));
        assert!(operator(None).may_work_in("cases", "sofia", Some("lozenets")));
    }

    #[test]
    fn an_api_client_works_its_own_administration_only_with_the_scope() {
        let client = Actor::ApiClient(ApiClient {
            client_id: "c1".into(),
            administration_id: "sofia".into(),
            scopes: vec!["cases".into()],
        });
        assert!(client.may_work_in("cases", "sofia", Some("any")));
        assert!(!client.may_work_in("cases", "burgas", None));
        assert!(!client.may_work_in("payments", "sofia", None));
        assert_eq!(client.audit_id(), "client:c1");
        assert!(Actor::System("jobs").work_scopes("cases").is_empty());
    }

    #[test]
    fn require_refuses_a_person_below_the_level() {
        let low = Actor::person("p", Assurance::Low);
        assert_eq!(
            low.require(Assurance::Substantial),
            Err(NeedsAssurance {
                needed: Assurance::Substantial,
                current: Assurance::Low
            })
        );
        assert!(low.require(Assurance::Low).is_ok());
        assert!(Actor::person("p", Assurance::High)
            .require(Assurance::Substantial)
            .is_ok());
        for level in Assurance::ALL {
            assert_eq!(Assurance::from_stored(level.as_str()), level);
        }
        assert_eq!(Assurance::from_stored("bogus"), Assurance::Low);
    }

    #[test]
    fn assurance_levels_are_ordered() {
        assert!(Assurance::Low < Assurance::Substantial);
        assert!(Assurance::Substantial < Assurance::High);
    }
}
