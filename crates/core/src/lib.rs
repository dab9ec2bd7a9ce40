//! Portico's shared vocabulary. Nothing here touches a database or the network: these are the
//! types and rules that every building block agrees on.

pub mod calendar;
pub mod clock;
pub mod eik;
pub mod ids;
pub mod money;
pub mod pagination;
pub mod personal_id;
pub mod pseudonym;
pub mod tenancy;

pub use clock::{Clock, FixedClock, SystemClock};
pub use eik::{Eik, EikError};
pub use ids::new_id;
pub use money::{Money, MoneyError};
pub use pagination::Page;
pub use personal_id::{PersonalId, PersonalIdError};
pub use pseudonym::Pseudonymiser;
pub use tenancy::AdministrationKind;
