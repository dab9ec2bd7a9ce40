//! A building block describes itself once: its name, its migrations, its translations, and how
//! it mounts on the
//! platform (page routes, OpenAPI routes, job handlers). The binary keeps one list of blocks;
//! adding a block is one line there.

use crate::state::AppState;
use axum::Router;
use portico_store::jobs::JobHandler;
use portico_store::Migration;
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;

/// The static description of a block, as its crate exports it (`pub const BLOCK: BlockDef`).
pub struct BlockDef {
    pub name: &'static str,
    /// Its tables, applied in order after the blocks before it in the platform's list.
    pub migrations: &'static [Migration],
    /// Its words in Bulgarian and English, with the labels of the audit actions it writes.
    pub translations: &'static crate::i18n::Translations,
    /// Builds its routes and job handlers on the running platform.
    pub mount: fn(&Mount) -> Result<Mounted, MountError>,
}

/// What a block is given when it mounts: the shell's state, and the platform's shared parts
/// (the signing key, the mailer, the SMS gateway, the search index …) by type.
pub struct Mount {
    pub state: AppState,
    pub shared: axum::http::Extensions,
}

impl Mount {
    /// A shared part this block needs; missing is a start-up error naming it.
    pub fn get<T: Clone + Send + Sync + 'static>(&self, block: &str) -> Result<T, MountError> {
        self.shared.get::<T>().cloned().ok_or_else(|| MountError {
            block: block.to_owned(),
            missing: std::any::type_name::<T>(),
        })
    }
}

#[derive(Debug, thiserror::Error)]
#[error("block {block} needs {missing}, which the platform did not provide")]
pub struct MountError {
    pub block: String,
    pub missing: &'static str,
}

/// A block's contribution to the running platform.
pub struct Mounted {
    pub pages: Router<AppState>,
    pub api: OpenApiRouter<AppState>,
    pub jobs: Vec<(&'static str, Arc<dyn JobHandler>)>,
}

impl Default for Mounted {
    fn default() -> Self {
        Mounted {
            pages: Router::new(),
            api: OpenApiRouter::new(),
            jobs: Vec::new(),
        }
    }
}
