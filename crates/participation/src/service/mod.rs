//! The rules of citizen participation: plain async functions that take a [`Participation`]
//! context and an [`portico_core::Actor`].

pub mod ballots;
pub mod geofence;
pub mod processes;
pub mod proposals;

use portico_core::{Actor, Clock, Pseudonymiser, Role};
use portico_store::Db;
use std::sync::Arc;

/// The scope an API client needs to run its administration's processes.
pub const SCOPE: &str = "participation";

/// What the participation rules need.
#[derive(Clone)]
pub struct Participation {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub pseudonymiser: Pseudonymiser,
}

impl Participation {
    pub fn new(db: Db, clock: Arc<dyn Clock>, pseudonymiser: Pseudonymiser) -> Participation {
        Participation {
            db,
            clock,
            pseudonymiser,
        }
    }

    pub fn now(&self) -> i64 {
        portico_core::clock::to_millis(self.clock.now())
    }
}

/// Whether the actor runs an administration's processes: its administration admins, its API
/// clients with the `participation` scope, and the platform itself (the demo).
pub fn administers(actor: &Actor, administration_id: &str) -> bool {
    match actor {
        Actor::System(_) => true,
        Actor::ApiClient(c) => {
            c.administration_id == administration_id && c.scopes.iter().any(|s| s == SCOPE)
        }
        Actor::Person(_) => actor.has_role(administration_id, Role::AdministrationAdmin),
    }
}
