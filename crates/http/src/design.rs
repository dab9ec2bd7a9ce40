//! `/design`: every component of templates/components.html, each shown in Bulgarian and in
//! English, for the people who build pages. Served only when [`ShellConfig::design_page`] is
//! set (on in development builds, or with `PORTICO_DESIGN_PAGE=true`); elsewhere it is "not found".
//!
//! [`ShellConfig::design_page`]: crate::state::ShellConfig::design_page

use crate::error::AppError;
use crate::i18n::{Lang, Strings};
use crate::page::{render, PageContext};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

#[derive(Template)]
#[template(path = "design.html")]
struct DesignPage {
    page: PageContext,
    /// The same strings in each language, Bulgarian first.
    langs: [Strings; 2],
}

impl DesignPage {
    /// The character count's texts with the limit filled in.
    fn count_text(&self, s: &Strings, key: &str) -> String {
        s.t(key).replace("{n}", "200")
    }
}

pub async fn page(State(state): State<AppState>, page: PageContext) -> Result<Response, AppError> {
    if !state.config.design_page {
        return Err(AppError::NotFound);
    }
    let (tables, all) = (page.strings.tables, page.strings.all);
    let langs = [
        Strings {
            lang: Lang::Bg,
            tables,
            all,
        },
        Strings {
            lang: Lang::En,
            tables,
            all,
        },
    ];
    Ok(render(&DesignPage { page, langs })?.into_response())
}

#[cfg(test)]
mod tests {
    use crate::i18n::{fluent_id, Lang, COMMON};

    fn in_common(key: &str) -> bool {
        let id = fluent_id(key);
        COMMON.has(Lang::Bg, &id) && COMMON.has(Lang::En, &id)
    }

    /// Every key the shell's own templates look up (`t("…")`) is in the shell's table, in both
    /// languages: the layout, the header and /design use no block's strings.
    #[test]
    fn the_shells_templates_use_only_common_keys() {
        for (name, source) in [
            ("layout.html", include_str!("../templates/layout.html")),
            ("header.html", include_str!("../templates/header.html")),
            ("design.html", include_str!("../templates/design.html")),
            ("error.html", include_str!("../templates/error.html")),
            (
                "error_summary.html",
                include_str!("../templates/error_summary.html"),
            ),
        ] {
            for piece in source.split("t(\"").skip(1) {
                let key = piece.split('"').next().unwrap_or_default();
                assert!(
                    in_common(key),
                    "{name} uses {key:?}, which is not in COMMON"
                );
            }
        }
        for (href, label) in crate::page::nav_links(None) {
            assert!(in_common(label), "{href}: {label}");
        }
        for label in [
            "nav_applications",
            "nav_consents",
            "nav_office",
            "nav_console",
        ] {
            assert!(in_common(label), "{label}");
        }
    }
}
