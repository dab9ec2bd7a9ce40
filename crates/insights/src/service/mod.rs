//! The rules of insights: plain async functions over the database, taking an
//! [`portico_core::Actor`] where a person acts.

pub mod counters;
pub mod events;
pub mod feedback;
pub mod figures;
pub mod history;
pub mod inquiries;
pub mod kpis;
pub mod open_data;
pub mod purge;
pub mod scopes;
pub mod stored;

use portico_core::{Actor, Clock, Role};
use portico_store::Db;
use std::sync::Arc;
use tokio::sync::Notify;

/// What the insights rules need: the database, the clock and the job worker's waker; and, on
/// this node, one recompute of the stored figures at a time and the day a page last asked for one.
#[derive(Clone)]
pub struct Insights {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub jobs_waker: Arc<Notify>,
    pub refresh_lock: Arc<tokio::sync::Mutex<()>>,
    pub refresh_requested_on: Arc<std::sync::Mutex<Option<chrono::NaiveDate>>>,
}

impl Insights {
    pub fn new(db: Db, clock: Arc<dyn Clock>, jobs_waker: Arc<Notify>) -> Insights {
        Insights {
            db,
            clock,
            jobs_waker,
            refresh_lock: Default::default(),
            refresh_requested_on: Default::default(),
        }
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    pub fn today(&self) -> chrono::NaiveDate {
        portico_core::calendar::sofia_date(self.now())
    }
}

/// Whether the actor works for this administration (an operator or its administrator), or runs
/// the platform.
pub fn staff_of(actor: &Actor, administration_id: &str) -> bool {
    actor.has_role(administration_id, Role::Operator)
        || actor.has_role(administration_id, Role::AdministrationAdmin)
}

/// The administrations the actor works for (as an operator or administrator).
pub fn administrations_of(actor: &Actor) -> Vec<String> {
    let mut ids: Vec<String> = match actor {
        Actor::Person(p) => p
            .roles
            .iter()
            .filter(|g| matches!(g.role, Role::Operator | Role::AdministrationAdmin))
            .map(|g| g.administration_id.clone())
            .collect(),
        _ => Vec::new(),
    };
    ids.sort();
    ids.dedup();
    ids
}
