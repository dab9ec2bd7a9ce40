//! The rules of citizen participation: plain async functions that take a [`Participation`]
//! context and an [`portico_core::Actor`].

pub mod attachments;
pub mod ballots;
pub mod consultations;
pub mod consultations_demo;
pub mod demo;
pub mod follow_up;
pub mod geofence;
pub mod processes;
pub mod proposals;
pub mod signals;
pub mod tally;
pub mod verification;

use portico_core::{Actor, Clock, Pseudonymiser, Role};
use portico_store::{BlobStore, Db};
use std::sync::Arc;

/// The scope an API client needs to run its administration's processes.
pub const SCOPE: &str = "participation";

/// What the participation rules need.
#[derive(Clone)]
pub struct Participation {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub pseudonymiser: Pseudonymiser,
    /// The registry exchange, for the population-register checks before voting. Without it
    /// nobody can be verified (`register_unavailable`).
    pub registries: Option<portico_registries::service::Registries>,
    /// Where the proposals' photos and documents are kept. Without it nothing can be attached
    /// (`attachments_unavailable`).
    pub blobs: Option<BlobStore>,
}

impl Participation {
    pub fn new(db: Db, clock: Arc<dyn Clock>, pseudonymiser: Pseudonymiser) -> Participation {
        Participation {
            db,
            clock,
            pseudonymiser,
            registries: None,
            blobs: None,
        }
    }

    /// With the registry exchange, so that voters can be verified.
    pub fn with_registries(mut self, registries: portico_registries::service::Registries) -> Self {
        self.registries = Some(registries);
        self
    }

    /// With a blob store, so that authors can attach photos and documents to their proposals.
    pub fn with_blobs(mut self, blobs: BlobStore) -> Self {
        self.blobs = Some(blobs);
        self
    }

    /// A person's keyed hash inside one process (the voters table's key).
    pub fn person_key(&self, process_id: &str, account: &str) -> String {
        self.pseudonymiser
            .pseudonym(&format!("participation:{process_id}:person:{account}"))
    }

    /// A phone number's keyed hash inside one process.
    pub fn phone_key(&self, process_id: &str, phone: &str) -> String {
        self.pseudonymiser
            .pseudonym(&format!("participation:{process_id}:phone:{phone}"))
    }

    /// A registered address's keyed hash inside one process (for the abuse signals).
    pub fn address_key(&self, process_id: &str, address: &str) -> String {
        self.pseudonymiser
            .pseudonym(&format!("participation:{process_id}:address:{address}"))
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
