//! Bulgarian first, English beside it. Each block keeps its words in Fluent files beside its code
//! (`crates/<block>/i18n/bg.ftl` and `en.ftl`), compiled into the binary and exposed as one
//! [`Translations`] value; [`Strings`] looks a key up in the block's files, then in the shell's
//! common ones. Keys in code and templates keep their dotted or snake_case spelling
//! (`personal_id.missing`); the Fluent id is the same key with dots and underscores written as
//! hyphens ([`fluent_id`]). See docs/i18n.md.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::FluentResource;
pub use fluent_bundle::{FluentArgs, FluentValue};
use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

pub use portico_core::Lang;

pub const LANG_COOKIE: &str = "lang";

/// One block's translations: its Fluent files in both languages, compiled in, parsed once on
/// first use (the binary parses every registered block at start-up, see [`check_all`]).
///
/// Declare it as a `static` (it holds the parsed bundles), with [`translations!`](crate::translations):
/// `pub static TRANSLATIONS: Translations = portico_http::translations!("cases");`
pub struct Translations {
    block: &'static str,
    bg: &'static str,
    en: &'static str,
    loaded: OnceLock<Loaded>,
}

/// A block's `i18n/bg.ftl` and `i18n/en.ftl`, compiled into the binary.
#[macro_export]
macro_rules! translations {
    ($block:literal) => {
        $crate::i18n::Translations::new(
            $block,
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/i18n/bg.ftl")),
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/i18n/en.ftl")),
        )
    };
}

type Bundle = FluentBundle<FluentResource>;

struct Loaded {
    bg: Language,
    en: Language,
    problems: Vec<String>,
}

/// One language of one block: the bundle (for messages with arguments) and every message
/// already formatted without arguments (what nearly every lookup wants, with no work per request).
struct Language {
    bundle: Bundle,
    plain: HashMap<String, String>,
}

/// A block's Fluent files do not parse, or define an id twice.
#[derive(Debug, thiserror::Error)]
#[error("translations are broken: {}", problems.join("; "))]
pub struct I18nError {
    pub problems: Vec<String>,
}

impl std::fmt::Debug for Translations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Translations").field(&self.block).finish()
    }
}

/// The Fluent id of a key as code and templates spell it: dots and underscores become hyphens
/// (`personal_id.missing` → `personal-id-missing`).
pub fn fluent_id(key: &str) -> Cow<'_, str> {
    if key.contains(['.', '_']) {
        Cow::Owned(key.replace(['.', '_'], "-"))
    } else {
        Cow::Borrowed(key)
    }
}

/// The Fluent id of an audit action's label: `cases.submitted` → `audit-cases-submitted`.
pub fn audit_id(action: &str) -> String {
    format!("audit-{}", fluent_id(action))
}

impl Translations {
    pub const fn new(block: &'static str, bg: &'static str, en: &'static str) -> Self {
        Translations {
            block,
            bg,
            en,
            loaded: OnceLock::new(),
        }
    }

    /// The block's name, as in `crates/<block>`.
    pub fn block(&self) -> &'static str {
        self.block
    }

    /// The Fluent source of one language.
    pub fn source(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Bg => self.bg,
            Lang::En => self.en,
        }
    }

    fn loaded(&self) -> &Loaded {
        self.loaded.get_or_init(|| {
            let mut problems = Vec::new();
            let bg = Language::parse(self.block, Lang::Bg, self.bg, &mut problems);
            let en = Language::parse(self.block, Lang::En, self.en, &mut problems);
            for problem in &problems {
                tracing::error!(block = self.block, problem, "broken translation file");
            }
            Loaded { bg, en, problems }
        })
    }

    fn language(&self, lang: Lang) -> &Language {
        let loaded = self.loaded();
        match lang {
            Lang::Bg => &loaded.bg,
            Lang::En => &loaded.en,
        }
    }

    /// Parses both files now; every parse error and duplicate id, with its file and line.
    pub fn check(&self) -> Result<(), I18nError> {
        let problems = &self.loaded().problems;
        if problems.is_empty() {
            Ok(())
        } else {
            Err(I18nError {
                problems: problems.clone(),
            })
        }
    }

    /// The message ids one language defines.
    pub fn ids(&self, lang: Lang) -> BTreeSet<&str> {
        self.language(lang)
            .plain
            .keys()
            .map(String::as_str)
            .collect()
    }

    /// Whether one language defines the message `id` (a Fluent id, not a key).
    pub fn has(&self, lang: Lang, id: &str) -> bool {
        self.language(lang).plain.contains_key(id)
    }

    fn plain(&'static self, lang: Lang, id: &str) -> Option<&'static str> {
        self.language(lang).plain.get(id).map(String::as_str)
    }

    fn format(&self, lang: Lang, id: &str, args: &FluentArgs) -> Option<String> {
        let bundle = &self.language(lang).bundle;
        let pattern = bundle.get_message(id)?.value()?;
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(args), &mut errors);
        if !errors.is_empty() {
            tracing::warn!(id, ?errors, "translation formatted with errors");
        }
        Some(text.into_owned())
    }
}

impl Language {
    fn parse(block: &str, lang: Lang, source: &str, problems: &mut Vec<String>) -> Language {
        let file = format!("crates/{block}/i18n/{}.ftl", lang.code());
        let line_of = |at: usize| source[..at.min(source.len())].matches('\n').count() + 1;
        let resource = match FluentResource::try_new(source.to_owned()) {
            Ok(resource) => resource,
            Err((resource, errors)) => {
                for e in errors {
                    // The line of the entry that does not parse, where a reader starts looking.
                    let at = e.slice.as_ref().map_or(e.pos.start, |s| s.start);
                    problems.push(format!("{file}:{}: {e}", line_of(at)));
                }
                resource
            }
        };
        let mut ids = Vec::new();
        for entry in resource.entries() {
            if let fluent_syntax::ast::Entry::Message(m) = entry {
                ids.push(m.id.name.to_owned());
            }
        }
        let locale = lang.code().parse().unwrap_or_default();
        let mut bundle = Bundle::new_concurrent(vec![locale]);
        // Unicode isolation marks around arguments only help right-to-left scripts; Bulgarian and
        // English have none, and the marks would stand between a number and its search in tests.
        bundle.set_use_isolating(false);
        if let Err(errors) = bundle.add_resource(resource) {
            for e in errors {
                problems.push(format!("{file}: {e}"));
            }
        }
        let mut plain = HashMap::new();
        for id in ids {
            let Some(pattern) = bundle.get_message(&id).and_then(|m| m.value()) else {
                continue;
            };
            // Messages that take arguments are formatted again with them; without, a plural
            // shows its default variant and a missing argument its name, visible in review.
            let mut errors = Vec::new();
            let text = bundle
                .format_pattern(pattern, None, &mut errors)
                .into_owned();
            plain.insert(id, text);
        }
        Language { bundle, plain }
    }
}

/// Parses every registered block's files: a broken file stops the node at start-up.
pub fn check_all(blocks: &[&Translations]) -> Result<(), I18nError> {
    let problems: Vec<String> = blocks
        .iter()
        .filter_map(|t| t.check().err())
        .flat_map(|e| e.problems)
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(I18nError { problems })
    }
}

/// The shell's own words, used by the layout and error pages of every block; looked up after a
/// block's own.
pub static COMMON: Translations = crate::translations!("http");

/// A language together with the translations to look words up in.
#[derive(Debug, Clone, Copy)]
pub struct Strings {
    pub lang: Lang,
    /// The page's own blocks, searched in order, then [`COMMON`].
    pub tables: &'static [&'static Translations],
    /// Every block the binary registered, for words any block may own (audit-action labels).
    pub all: &'static [&'static Translations],
}

impl Strings {
    pub fn new(lang: Lang, tables: &'static [&'static Translations]) -> Self {
        Strings {
            lang,
            tables,
            all: &[],
        }
    }

    fn search(&self) -> impl Iterator<Item = &'static Translations> + '_ {
        self.tables.iter().copied().chain(std::iter::once(&COMMON))
    }

    /// The string for `key`; "?" if no table has it (visible in review, never a crash).
    pub fn t(&self, key: &str) -> &'static str {
        self.find(key).unwrap_or_else(|| {
            tracing::warn!(key, "missing translation");
            "?"
        })
    }

    /// The string for `key`, if any table has it.
    pub fn find(&self, key: &str) -> Option<&'static str> {
        let id = fluent_id(key);
        self.search().find_map(|t| t.plain(self.lang, &id))
    }

    /// The message for `key` with its arguments (`{ $name }` in the file); "?" if missing.
    pub fn format(&self, key: &str, args: &FluentArgs) -> String {
        let id = fluent_id(key);
        self.search()
            .find_map(|t| t.format(self.lang, &id, args))
            .unwrap_or_else(|| {
                tracing::warn!(key, "missing translation");
                "?".to_owned()
            })
    }

    /// The message for `key` with `$count` set, for plurals (`{ $count -> [one] … *[other] … }`).
    pub fn count<'a>(&self, key: &str, count: impl Into<FluentValue<'a>>) -> String {
        let mut args = FluentArgs::new();
        args.set("count", count);
        self.format(key, &args)
    }

    /// The person-readable label of an audit action, from whichever block writes it
    /// (`audit-<action>` in that block's files); "?" if none has it.
    pub fn audit_label(&self, action: &str) -> &'static str {
        let id = audit_id(action);
        self.all
            .iter()
            .copied()
            .chain(self.search())
            .find_map(|t| t.plain(self.lang, &id))
            .unwrap_or_else(|| {
                tracing::warn!(action, "audit action without a label");
                "?"
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static BROKEN: Translations = Translations::new(
        "broken",
        "ok = Добре\nbad = { $x\n",
        "ok = Fine\nok = Twice\n",
    );
    static PLURAL: Translations = Translations::new(
        "plural",
        "days = { $count ->\n    [one] { $count } ден\n   *[other] { $count } дни\n}\nfield-label = Поле\n",
        "days = { $count ->\n    [one] { $count } day\n   *[other] { $count } days\n}\nfield-label = Field\n",
    );

    static PLURAL_TABLES: &[&Translations] = &[&PLURAL];

    #[test]
    fn common_files_parse_and_agree() {
        assert!(COMMON.check().is_ok(), "{:?}", COMMON.check());
        assert_eq!(COMMON.ids(Lang::Bg), COMMON.ids(Lang::En));
        assert!(COMMON.has(Lang::Bg, "service-name"));
    }

    #[test]
    fn parse_errors_and_duplicates_are_reported_with_their_file() {
        let err = BROKEN.check().unwrap_err();
        assert!(
            err.problems
                .iter()
                .any(|p| p.starts_with("crates/broken/i18n/bg.ftl:2")),
            "{err}"
        );
        assert!(
            err.problems
                .iter()
                .any(|p| p.starts_with("crates/broken/i18n/en.ftl")),
            "{err}"
        );
    }

    #[test]
    fn keys_map_to_fluent_ids() {
        assert_eq!(fluent_id("personal_id.missing"), "personal-id-missing");
        assert_eq!(fluent_id("back"), "back");
        assert_eq!(audit_id("cases.submitted"), "audit-cases-submitted");
        let strings = Strings::new(Lang::En, PLURAL_TABLES);
        assert_eq!(strings.t("field_label"), "Field");
        assert_eq!(
            strings.t("nav_home"),
            "Home",
            "falls back to the common words"
        );
        assert_eq!(strings.t("no_such_key"), "?");
    }

    #[test]
    fn plurals_follow_each_language() {
        let bg = Strings::new(Lang::Bg, PLURAL_TABLES);
        let en = Strings::new(Lang::En, PLURAL_TABLES);
        assert_eq!(bg.count("days", 1), "1 ден");
        assert_eq!(bg.count("days", 5), "5 дни");
        assert_eq!(en.count("days", 1), "1 day");
        assert_eq!(en.count("days", 21), "21 days");
    }
}
