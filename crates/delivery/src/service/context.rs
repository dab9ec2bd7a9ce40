//! What the rules of eDelivery need besides the actor: the database, the blob store for
//! message contents and attachments, the platform's signing key for evidence, the clock, and
//! the sender's policy (limits, the period after which an unopened message gets evidence of
//! non-retrieval).

use chrono::{DateTime, Utc};
use portico_audit::SigningKey;
use portico_core::Clock;
use portico_store::{BlobStore, Db};
use std::sync::Arc;
use tokio::sync::Notify;

/// Limits and periods every message is sent under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// The largest attachment accepted in a JSON send (base64) and from another block, in bytes.
    pub max_attachment_bytes: usize,
    /// The largest attachment accepted by the streamed send (`…/messages/multipart`), in bytes.
    pub max_streamed_attachment_bytes: u64,
    /// How many attachments one message may carry.
    pub max_attachments: usize,
    /// After this many days unopened, a recipient's message gets `ContentNonHandover` evidence.
    pub non_handover_days: i64,
    /// Webhook endpoints may be on loopback and private networks, and on loopback over plain
    /// `http://` (`PORTICO_DELIVERY_WEBHOOKS_ALLOW_PRIVATE`; development and tests only, see
    /// `destinations`). Off: https to public addresses only.
    pub webhooks_allow_private: bool,
    /// The most an export (a mailbox or a thread as a ZIP) may hold: the sum of its files'
    /// sizes, in bytes (`PORTICO_DELIVERY_MAX_EXPORT_BYTES`, default 4 GiB). A larger one is
    /// refused before anything is written.
    pub max_export_bytes: u64,
}

/// The installation's [`Policy::max_export_bytes`], when the binary sets one (shared with the
/// block at start-up).
#[derive(Debug, Clone, Copy)]
pub struct MaxExportBytes(pub u64);

/// The default of [`Policy::max_export_bytes`]: 4 GiB.
pub const DEFAULT_MAX_EXPORT_BYTES: u64 = 4 * 1024 * 1024 * 1024;

impl Default for Policy {
    fn default() -> Self {
        Policy {
            max_attachment_bytes: 10 * 1024 * 1024,
            max_streamed_attachment_bytes: 100 * 1024 * 1024,
            max_attachments: 10,
            non_handover_days: 14,
            webhooks_allow_private: false,
            max_export_bytes: DEFAULT_MAX_EXPORT_BYTES,
        }
    }
}

#[derive(Clone)]
pub struct Delivery {
    pub db: Db,
    pub blobs: BlobStore,
    pub key: SigningKey,
    pub clock: Arc<dyn Clock>,
    /// Wakes this node's job worker after a commit that enqueued work.
    pub jobs_waker: Arc<Notify>,
    /// The public address, for links in notifications.
    pub base_url: String,
    pub policy: Policy,
    /// The installation's master keys and the data keys opened with them (`keys::install`).
    pub keys: Arc<super::keys::Keyring>,
}

impl Delivery {
    pub fn new(
        db: Db,
        blobs: BlobStore,
        key: SigningKey,
        clock: Arc<dyn Clock>,
        jobs_waker: Arc<Notify>,
        base_url: String,
    ) -> Delivery {
        let keys = super::keys::installed(&key).unwrap_or_else(|| {
            // Nothing installed for this key: every sealing fails with a message naming it.
            Arc::new(super::keys::Keyring::new(
                super::keys::MasterKeys::from_versions([]),
            ))
        });
        Delivery {
            keys,
            db,
            blobs,
            key,
            clock,
            jobs_waker,
            base_url,
            policy: Policy::default(),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Called after a commit that enqueued jobs, so they go out at once.
    pub fn wake_jobs(&self) {
        self.jobs_waker.notify_one();
    }
}
