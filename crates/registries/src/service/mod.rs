//! The rules of the registry exchange: plain async functions that take a [`Registries`] context
//! and an [`portico_core::Actor`].

pub mod access;
pub mod adapters;
pub mod caller;
pub mod catalogue;
pub mod corrections;
pub mod demo;
pub mod log;
pub mod mediator;
pub mod my_data;
pub mod print;

pub use mediator::query;

use portico_audit::SigningKey;
use portico_core::{Clock, Pseudonymiser};
use portico_store::Db;
use std::sync::Arc;

/// The scope an API client needs to query registers.
pub const SCOPE: &str = "registries";

/// What the registry rules need: the database, the clock, the key that signs requests to
/// owners' services and answers, the pseudonymiser that hides subjects, an HTTP client for
/// external adapters, and the query log's writer.
#[derive(Clone)]
pub struct Registries {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub key: SigningKey,
    pub pseudonymiser: Pseudonymiser,
    pub http: reqwest::Client,
    pub log: log::QueryLog,
    pub schemas: Arc<adapters::SchemaCache>,
    /// What makes "my data" a PDF file (the platform's; see [`print`]).
    pub pdf: print::Maker,
}

impl Registries {
    /// Builds the context and starts the query log's writer on the current Tokio runtime.
    pub fn new(
        db: Db,
        clock: Arc<dyn Clock>,
        key: SigningKey,
        pseudonymiser: Pseudonymiser,
    ) -> Registries {
        let log = log::QueryLog::start(db.clone());
        Registries {
            db,
            clock,
            key,
            pseudonymiser,
            // Each operation sets its own timeout on the request; redirects are not followed
            // (an owner's service answers where it is registered).
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap_or_default(),
            log,
            schemas: Arc::default(),
            pdf: None,
        }
    }

    /// The same context, making PDFs with `maker`.
    pub fn with_pdf(mut self, maker: Arc<dyn print::PdfMaker>) -> Registries {
        self.pdf = Some(maker);
        self
    }

    /// The keyed hash a subject's identifier is stored and looked up as.
    pub fn subject_hash(&self, identifier: &str) -> String {
        self.pseudonymiser.pseudonym(identifier.trim())
    }
}
