//! Where the identity block's pages look their words up. The words themselves are in
//! `crates/identity/i18n/bg.ftl` and `en.ftl`.

use portico_http::Translations;

pub static TABLES: &[&Translations] = &[&crate::TRANSLATIONS];
