//! Where the cases block's pages look their words up. The words themselves are in
//! `crates/cases/i18n/bg.ftl` and `en.ftl`.

use portico_http::Translations;

pub static TABLES: &[&Translations] = &[&crate::TRANSLATIONS];

/// For the back office's case page: the registries block's words for why a register check could
/// not be made.
pub static OFFICE_TABLES: &[&Translations] =
    &[&crate::TRANSLATIONS, &portico_registries::TRANSLATIONS];

/// For pages that draw a form's fields: the catalog's form words as well.
pub static FORM_TABLES: &[&Translations] = &[&crate::TRANSLATIONS, &portico_catalog::TRANSLATIONS];
