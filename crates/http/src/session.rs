//! Who is making the request. The identity block owns sessions and implements
//! [`SessionResolver`]; the shell only asks it, once per request (see
//! [`crate::middleware::load_session`]), and hands the answer to handlers through extractors.

use crate::error::AppError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::Serialize;

pub const SESSION_COOKIE: &str = "portico_session";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountKind {
    Citizen,
    Staff,
}

pub use portico_core::RoleGrant;
use portico_core::{Actor, Assurance, Person, Role};

#[derive(Debug, Clone, Serialize)]
pub struct SessionUser {
    pub session_id: String,
    pub account_id: String,
    pub display_name: String,
    pub kind: AccountKind,
    /// False between the password and the second factor: such a session may only finish signing in.
    pub fully_authenticated: bool,
    pub roles: Vec<RoleGrant>,
    /// The session's level of assurance: the lower of how the person signed in and how their
    /// identifier was proven (a self-registered identifier is only claimed, `Low`, until it is
    /// verified, e.g. at a counter).
    pub assurance: Assurance,
    /// Whom the person acts for under a mandate ("acting as"), shown on every page.
    pub acting_for: Option<ActingFor>,
    /// The person holds mandates they may act under (the header offers to switch).
    pub has_mandates: bool,
}

/// The principal a session acts for, as the header names them.
#[derive(Debug, Clone, Serialize)]
pub struct ActingFor {
    pub mandate_id: String,
    /// The principal's account, when the principal is a person.
    pub account_id: Option<String>,
    /// The company's EIK, when the principal is a company.
    pub company_eik: Option<String>,
    pub name: String,
}

impl SessionUser {
    pub fn has_role(&self, administration_id: &str, role: Role) -> bool {
        self.roles
            .iter()
            .any(|r| r.administration_id == administration_id && r.role == role)
    }

    pub fn is_platform_admin(&self) -> bool {
        self.roles.iter().any(|r| r.role == Role::PlatformAdmin)
    }

    /// The person behind this session, as service functions see them.
    pub fn actor(&self) -> Actor {
        Actor::Person(Person {
            account_id: self.account_id.clone(),
            assurance: self.assurance,
            roles: self.roles.clone(),
            on_behalf_of: self.acting_for.as_ref().map(|a| portico_core::OnBehalfOf {
                mandate_id: a.mandate_id.clone(),
                account_id: a.account_id.clone(),
                company_eik: a.company_eik.clone(),
            }),
        })
    }

    /// Works a queue of cases in some unit or administration.
    pub fn is_operator(&self) -> bool {
        self.roles.iter().any(|r| r.role == Role::Operator)
    }

    /// Checks identity documents at a counter.
    pub fn is_identity_verifier(&self) -> bool {
        self.roles.iter().any(|r| r.role == Role::IdentityVerifier)
    }

    /// Administers an administration (or the whole platform): their work is in the console.
    pub fn is_admin(&self) -> bool {
        self.roles
            .iter()
            .any(|r| matches!(r.role, Role::AdministrationAdmin | Role::PlatformAdmin))
    }

    /// Where this person's work is, when they have not asked for a particular page: the queue
    /// for operators, the console for admins. `None` for everyone else (citizens' landing
    /// depends on their applications and consents, which the shell does not know).
    pub fn staff_landing(&self) -> Option<&'static str> {
        if self.is_operator() {
            Some("/office")
        } else if self.is_admin() {
            Some("/admin")
        } else if self.is_identity_verifier() {
            Some("/verify")
        } else {
            None
        }
    }
}

#[async_trait::async_trait]
pub trait SessionResolver: Send + Sync + 'static {
    /// The session behind a cookie value, if it exists and has not expired.
    async fn resolve(&self, token: &str) -> Result<Option<SessionUser>, AppError>;
}

/// The session found for this request (set by the `load_session` middleware).
#[derive(Debug, Clone, Default)]
pub struct CurrentSession(pub Option<SessionUser>);

/// A person who has completed sign-in with both factors. Rejects everyone else with
/// [`AppError::Unauthorized`], which pages turn into a redirect to the sign-in page.
#[derive(Debug, Clone)]
pub struct SignedIn(pub SessionUser);

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<CurrentSession>() {
            Some(CurrentSession(Some(user))) if user.fully_authenticated => {
                Ok(SignedIn(user.clone()))
            }
            _ => Err(AppError::Unauthorized),
        }
    }
}

/// The session, whatever its stage, or none.
#[derive(Debug, Clone)]
pub struct AnySession(pub Option<SessionUser>);

impl<S: Send + Sync> FromRequestParts<S> for AnySession {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(AnySession(
            parts
                .extensions
                .get::<CurrentSession>()
                .and_then(|c| c.0.clone()),
        ))
    }
}
