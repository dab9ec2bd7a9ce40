//! The rules of applications. The use cases (`submission::submit`, `decisions::take`,
//! `consents::give_or_refuse`, `results::document`, `answers::readable`) take an
//! [`portico_core::Actor`] and a [`Cases`] context, and are what pages, the API, jobs and tests
//! all call; `applications` and `consents` hold the transaction-level steps they are made of.

pub mod access;
pub mod answers;
pub mod applications;
pub mod checks;
pub mod consents;
mod context;
pub mod corrections;
pub mod decisions;
pub mod delivery;
pub mod evidence;
pub mod fees;
pub mod found;
mod lookups;
pub mod notifications;
pub mod prefill;
pub mod processes;
pub mod results;
pub mod submission;
pub mod tracking;
pub mod uploads;

pub use context::Cases;

#[cfg(test)]
mod tests;
