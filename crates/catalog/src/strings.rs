//! Where the catalog block's pages look their words up. The words themselves are in
//! `crates/catalog/i18n/bg.ftl` and `en.ftl`; form messages there take the arguments `$label` (the
//! field's label as written), `$label-lower` (the label inside a sentence), `$min`, `$max`,
//! `$age`, `$types` and `$size`.

use portico_http::Translations;

pub static TABLES: &[&Translations] = &[&crate::TRANSLATIONS];
