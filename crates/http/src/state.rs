use crate::i18n::Translations;
use crate::session::SessionResolver;
use portico_core::{Clock, Pseudonymiser};
use portico_store::{BlobStore, Db};
use std::sync::Arc;
use tokio::sync::Notify;

/// Settings the shell needs, read once at start-up by the binary.
#[derive(Clone)]
pub struct ShellConfig {
    /// The public address people reach Portico at, used in links sent by e-mail.
    pub base_url: String,
    /// Cookies marked `Secure` (on everywhere but plain-HTTP development).
    pub secure_cookies: bool,
    /// Keys the CSRF tokens; derived from the platform secret.
    pub csrf_key: [u8; 32],
    /// Proxies whose `X-Forwarded-For` is believed (see [`crate::client_addr`]); none by default.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Serve `/design`, the page that shows every component (development builds, or
    /// `PORTICO_DESIGN_PAGE=true`).
    pub design_page: bool,
    /// When set, `/metrics` answers only `Authorization: Bearer <token>`; otherwise 404.
    pub metrics_token: Option<String>,
}

impl std::fmt::Debug for ShellConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShellConfig")
            .field("base_url", &self.base_url)
            .field("secure_cookies", &self.secure_cookies)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("design_page", &self.design_page)
            .finish_non_exhaustive()
    }
}

/// What every request handler can reach. Cheap to clone: everything is behind an `Arc` or a pool.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub blobs: BlobStore,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<ShellConfig>,
    pub sessions: Arc<dyn SessionResolver>,
    /// Checks API clients' access tokens (`Authorization: Bearer`); implemented by identity.
    pub bearer: Arc<dyn crate::api_auth::BearerResolver>,
    pub pseudonymiser: Pseudonymiser,
    /// Wakes this node's job worker after a commit that enqueued work.
    pub jobs_waker: Arc<Notify>,
    /// Every block's translations, registered by the binary and parsed at start-up.
    pub translations: &'static [&'static Translations],
}
