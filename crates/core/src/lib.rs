//! Portico's shared vocabulary. Nothing here touches a database or the network: these are the
//! types and rules that every building block agrees on.

pub mod actor;
pub mod calendar;
pub mod clock;
pub mod eik;
pub mod field_error;
pub mod ids;
pub mod lang;
pub mod money;
pub mod pagination;
pub mod personal_id;
pub mod pseudonym;
pub mod tenancy;

pub use actor::{Actor, ApiClient, Assurance, NeedsAssurance, OnBehalfOf, Person, Role, RoleGrant};
pub use clock::{Clock, FixedClock, SystemClock};
pub use eik::{Eik, EikError};
pub use field_error::FieldError;
pub use ids::{new_id, Id};
pub use lang::Lang;
pub use money::{Money, MoneyError};
pub use pagination::Page;
pub use personal_id::{PersonalId, PersonalIdError};
pub use pseudonym::Pseudonymiser;
pub use tenancy::AdministrationKind;
