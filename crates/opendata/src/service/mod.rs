//! The rules of the open data portal: plain async functions over an [`OpenData`] context and an
//! [`portico_core::Actor`].

pub mod datasets;
pub mod datastore;
pub mod features_load;
pub mod files;
pub mod geo;
pub mod index;
pub mod json_stream;
pub mod loads;
pub mod organisations;
pub mod own_data;
pub mod publisher;
pub mod resources;
pub mod search;

use portico_core::Clock;
use portico_store::{BlobStore, Db};
use std::sync::Arc;

/// The scope an API client needs to publish its administration's datasets.
pub const SCOPE: &str = "opendata";

/// The largest file a publisher may upload.
pub const MAX_UPLOAD_BYTES: usize = 20 * 1024 * 1024;

/// The largest CSV a publisher may upload: over [`MAX_UPLOAD_BYTES`] it is streamed to the blob
/// store and checked as it comes, then loaded by a job ([`loads`]).
pub const MAX_STREAMED_UPLOAD_BYTES: u64 = 1024 * 1024 * 1024;

/// What the open data rules need: the database, the blob store the files live in, the clock.
#[derive(Clone)]
pub struct OpenData {
    pub db: Db,
    pub blobs: BlobStore,
    pub clock: Arc<dyn Clock>,
    /// This node's search index of the published datasets.
    pub index: Arc<index::SearchIndex>,
}

impl OpenData {
    pub fn now_millis(&self) -> i64 {
        portico_core::clock::to_millis(self.clock.now())
    }
}
