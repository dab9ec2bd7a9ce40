//! What the rules of applications need besides the actor: the database (to read other blocks
//! through their service functions and to open transactions), the blob store for documents, the
//! platform's signing key and the clock. Pages, the API, jobs and tests all build one of these;
//! none of it knows about HTTP.

use chrono::{DateTime, Utc};
use portico_audit::SigningKey;
use portico_core::Clock;
use portico_store::{BlobStore, Db};
use std::sync::Arc;
use tokio::sync::Notify;

#[derive(Clone)]
pub struct Cases {
    pub db: Db,
    pub blobs: BlobStore,
    pub key: SigningKey,
    pub clock: Arc<dyn Clock>,
    /// Wakes this node's job worker after a commit that enqueued work.
    pub jobs_waker: Arc<Notify>,
    /// The public address, for links printed in documents.
    pub base_url: String,
    /// The registry exchange, for forms filled once only from base registers; `None` where the
    /// platform runs without it (fields are then left for the person).
    pub registries: Option<portico_registries::service::Registries>,
}

impl Cases {
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Called after a commit that enqueued jobs (notifications), so they go out at once.
    pub(crate) fn wake_jobs(&self) {
        self.jobs_waker.notify_one();
    }

    /// The eDelivery rules on the same database, blobs, key and clock (results are sent there).
    pub fn delivery(&self) -> portico_delivery::service::Delivery {
        portico_delivery::service::Delivery::new(
            self.db.clone(),
            self.blobs.clone(),
            self.key.clone(),
            self.clock.clone(),
            self.jobs_waker.clone(),
            self.base_url.clone(),
        )
    }
}
