//! Pagination with a hard upper bound, so no request can ask the database for everything.

use serde::Deserialize;

pub const MAX_PAGE_SIZE: i64 = 100;

#[derive(Debug, Clone, Copy, Deserialize)]
pub struct Page {
    #[serde(default = "default_limit")]
    pub limit: i64,
    #[serde(default)]
    pub offset: i64,
}

fn default_limit() -> i64 {
    20
}

impl Default for Page {
    fn default() -> Self {
        Self {
            limit: default_limit(),
            offset: 0,
        }
    }
}

impl Page {
    /// The page clamped to sane bounds.
    pub fn clamped(self) -> Self {
        Self {
            limit: self.limit.clamp(1, MAX_PAGE_SIZE),
            offset: self.offset.max(0),
        }
    }
}
