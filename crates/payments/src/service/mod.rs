//! The rules of ePayment: plain async functions that take a [`Payments`] context and an
//! [`portico_core::Actor`].

pub mod accounts;
pub mod acting;
pub mod card;
pub mod expiry;
pub mod held;
pub mod listing;
pub mod notify;
pub mod reconcile;
pub mod requests;
pub mod statements;

use portico_core::Clock;
use portico_store::Db;
use std::sync::Arc;
use tokio::sync::Notify;

/// The scope an API client needs to ask for payments.
pub const SCOPE: &str = "payments";

/// What the payment rules need: the database, the clock, and the job worker's waker.
#[derive(Clone)]
pub struct Payments {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub jobs_waker: Arc<Notify>,
}

impl Payments {
    pub fn new(db: Db, clock: Arc<dyn Clock>, jobs_waker: Arc<Notify>) -> Payments {
        Payments {
            db,
            clock,
            jobs_waker,
        }
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}
