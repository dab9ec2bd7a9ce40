//! Where the insights block's pages look their words up (`i18n/bg.ftl`, `i18n/en.ftl`).

use portico_http::Translations;

pub static TABLES: &[&Translations] = &[&crate::TRANSLATIONS];
