//! The rules of applications, as plain functions over a database transaction.

pub mod applications;
pub mod consents;
pub mod evidence;
pub mod notifications;
pub mod processes;
pub mod tracking;

#[cfg(test)]
mod tests;
