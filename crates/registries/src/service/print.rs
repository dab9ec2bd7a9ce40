//! "My data" as a PDF file made by the server. The registries block lays the document out as
//! blocks; a [`PdfMaker`] given by the platform turns them into a PDF. The platform gives the
//! cases block's maker (the one result documents are made with: A4, DejaVu Sans embedded, so
//! Cyrillic reads and copies as text), wired in the portico binary, so this block knows no
//! other block's code.

use std::sync::Arc;

/// One piece of the document, top to bottom.
#[derive(Debug, Clone, PartialEq)]
pub enum PrintBlock {
    /// Bold text of the given size, in points.
    Heading(String, f32),
    /// Body text.
    Text(String),
    /// A label and its value side by side.
    Row(String, String),
    /// A thin line across the page.
    Rule,
    /// Vertical space, in points.
    Space(f32),
}

/// Makes a PDF of blocks. Fails only if the maker cannot (a font unreadable); the message is for
/// the log.
pub trait PdfMaker: Send + Sync + 'static {
    fn render(&self, title: &str, language: &str, blocks: &[PrintBlock])
        -> Result<Vec<u8>, String>;
}

/// The maker the platform gave, if any (without one, `/my-data.pdf` is not offered).
pub type Maker = Option<Arc<dyn PdfMaker>>;
