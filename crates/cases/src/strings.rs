//! Where the cases block's pages look their words up. The words themselves are in
//! `crates/cases/i18n/bg.ftl` and `en.ftl`.

use portico_http::Translations;

pub static TABLES: &[&Translations] = &[&crate::TRANSLATIONS];

/// For pages that draw a form's fields: the catalog's form words as well.
pub static FORM_TABLES: &[&Translations] = &[&crate::TRANSLATIONS, &portico_catalog::TRANSLATIONS];
