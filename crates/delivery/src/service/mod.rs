//! The rules of eDelivery. Use cases (`messages::send`, `messages::prepare` + `messages::send_in`
//! for a caller that sends inside its own transaction, `messages::list`, `messages::open`,
//! `messages::attachment`, `evidence::chain`) take an [`portico_core::Actor`] and a [`Delivery`]
//! context; pages, the API, jobs and other blocks (cases) all call them.

pub mod access;
pub mod attachments;
mod context;
pub mod destinations;
pub mod evidence;
pub mod export;
pub mod grants;
pub mod idempotency;
pub mod keys;
pub mod mailboxes;
pub mod messages;
pub mod notifications;
pub mod rejections;
pub mod segments;
pub mod senders;
pub mod uploads;
pub mod webhooks;

pub use context::{Delivery, MaxExportBytes, Policy, DEFAULT_MAX_EXPORT_BYTES};
