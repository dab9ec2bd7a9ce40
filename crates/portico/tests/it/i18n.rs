//! Translations: every key that a template or the code looks up has Bulgarian and English text,
//! both languages define the same ids, the Fluent files parse, and every audit action a person
//! may see in their account history has a readable label.
//!
//! Keys are found by reading the sources, so a new `page.t("…")`, `FieldError::new(_, "…")` or
//! `Event::new(_, "…", _)` without its words fails here, before anyone sees a "?".

use portico::app::translations;
use portico_http::i18n::{audit_id, fluent_id, Translations};
use portico_http::Lang;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const LANGS: [Lang; 2] = [Lang::Bg, Lang::En];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// A path as a reader finds it: `crates/cases/templates/step.html`.
fn shown(path: &Path) -> String {
    let path = path.to_string_lossy();
    match path.find("/crates/") {
        Some(at) => path[at + 1..].to_owned(),
        None => path.into_owned(),
    }
}

/// Every file under `dir` whose name ends in `ext`, with its text.
fn files(dir: &Path, ext: &str, out: &mut Vec<(PathBuf, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, ext, out);
        } else if path.to_string_lossy().ends_with(ext) {
            out.push((path.clone(), std::fs::read_to_string(&path).unwrap()));
        }
    }
}

/// `crates/*/templates/**/*.html`.
fn templates() -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for krate in std::fs::read_dir(workspace().join("crates"))
        .unwrap()
        .flatten()
    {
        files(&krate.path().join("templates"), ".html", &mut out);
    }
    out
}

/// `crates/*/src/**/*.rs`, each cut at its first `#[cfg(test)]` (test modules sit at the end of
/// a file by house style), and without files that only hold tests.
fn sources() -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for krate in std::fs::read_dir(workspace().join("crates"))
        .unwrap()
        .flatten()
    {
        files(&krate.path().join("src"), ".rs", &mut out);
    }
    out.retain(|(path, _)| !path.ends_with("tests.rs"));
    for (_, text) in &mut out {
        if let Some(at) = text.find("#[cfg(test)]") {
            text.truncate(at);
        }
    }
    out
}

/// The string literal that starts at `text` (after optional spaces), if any.
fn literal(text: &str) -> Option<&str> {
    let rest = text.trim_start().strip_prefix('"')?;
    rest.find('"').map(|end| &rest[..end])
}

/// The text after each occurrence of `pattern`.
fn after<'a>(text: &'a str, pattern: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    text.match_indices(pattern)
        .map(move |(at, _)| &text[at + pattern.len()..])
}

/// The text after the first top-level comma of a call's arguments, if the call has one.
fn second_argument(args: &str) -> Option<&str> {
    let mut depth = 0;
    for (i, c) in args.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => return None,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => return Some(&args[i + 1..]),
            _ => {}
        }
    }
    None
}

/// A message key as code spells it: `back`, `service_free`, `personal_id.missing`.
fn is_key(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
}

/// A field-error code: `<field>.<what>`, such as `password.too_short` or `form.file.too_big`.
fn is_code(s: &str) -> bool {
    is_key(s) && s.contains('.') && !s.ends_with('.') && !s.contains("..")
}

/// Dotted literals in the code that are not message keys: job kinds, step-up purposes, the
/// types of signed statements, data paths in a form's answers, file names. Everything else of
/// the shape `<field>.<what>` is taken for an error code.
fn is_not_a_key(s: &str) -> bool {
    const JOB_KINDS: &[&str] = &[
        "identity.email",
        "identity.sms",
        "cases.notify_email",
        "delivery.notify_email",
        "delivery.non_handover",
        "delivery.notify_grantee",
        "delivery.notify_sms",
        "delivery.webhook",
        "opendata.refresh_service_catalog",
        "opendata.load_csv",
        "opendata.index_features",
        "insights.event",
        "insights.abandon",
        "insights.publish_figures",
        "insights.refresh",
    ];
    const PURPOSES_AND_TYPES: &[&str] = &[
        // The event type of a payment's callback to its administration's system.
        "payment.state_changed",
        "cases.submit",
        "cases.consent",
        "identity.factor_remove",
        "identity.totp_secret.v1",
        "identity.eid_attempt.v1",
        "identity.mandate_grant",
        "identity.contact_change",
        "portico.result",
        "portico.delivery.evidence",
        "portico.delivery.message",
        "portico.delivery.export",
        "portico.delivery.export_manifest",
        "delivery.master_key.v1",
        // A webhook event's type (crates/delivery).
        "message.received",
        // A parameter of CKAN's package_search (crates/opendata).
        "facet.field",
    ];
    const FILE_ENDINGS: &[&str] = &[
        ".html", ".log", ".db", ".key", ".ftl", ".json", ".pem", ".txt", ".jws", ".csv",
        ".geojson", ".xlsx",
    ];
    JOB_KINDS.contains(&s)
        || PURPOSES_AND_TYPES.contains(&s)
        || s.starts_with("applicant.")
        || FILE_ENDINGS.iter().any(|e| s.ends_with(e))
}

/// The keys whose template lookup is not a literal, by the expression the template passes.
/// A new computed lookup fails the test until it is listed here with the keys it can produce.
fn computed_lookups(code_keys: &BTreeSet<String>) -> BTreeMap<&'static str, Vec<String>> {
    let banners: Vec<String> = code_keys
        .iter()
        .filter(|k| k.ends_with("_banner"))
        .cloned()
        .collect();
    let mut map = BTreeMap::new();
    // Field-error codes: found in the code below.
    map.insert("e.code.as_str()", Vec::new());
    // The account page's banner: a `…_banner` key chosen in its handler.
    map.insert("banner", banners);
    // The co-applicant roles and consent states of crates/cases (model and processes).
    map.insert(
        r#"format!("consent_role_{}", c.role).as_str()"#,
        vec!["consent_role_owner".into(), "consent_role_parent".into()],
    );
    map.insert(
        r#"format!("consent_status_{}", c.status).as_str()"#,
        ["pending", "given", "refused", "closed"]
            .iter()
            .map(|s| format!("consent_status_{s}"))
            .collect(),
    );
    // The outcomes of register checks from a case (crates/cases service::checks).
    map.insert(
        r#"format!("office_check_{}", c.outcome).as_str()"#,
        ["confirmed", "not_confirmed", "failed"]
            .iter()
            .map(|s| format!("office_check_{s}"))
            .collect(),
    );
    // The participation admin pages' notice after a review, a project update, opening a
    // process, changing its rules (routes::admin), opening or answering a consultation
    // (routes::consultations).
    map.insert(
        "notice",
        vec![
            "participation_reviewed".into(),
            "participation_project_updated".into(),
            "participation_process_opened".into(),
            "participation_rules_changed".into(),
            "participation_consultation_opened".into(),
            "participation_consultation_answered".into(),
        ],
    );
    // The header's links (portico_http::page::nav_links), by who is signed in.
    map.insert(
        "link.label",
        [
            "nav_sign_in",
            "nav_register",
            "nav_applications",
            "nav_consents",
            "nav_my_data",
            "nav_office",
            "nav_console",
            "nav_verify",
            "nav_account",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
    );
    map
}

/// Every key the templates look up, with where; and every computed lookup they make.
fn template_keys() -> (BTreeMap<String, String>, BTreeSet<String>) {
    let mut keys = BTreeMap::new();
    let mut computed = BTreeSet::new();
    for (path, text) in templates() {
        let place = shown(&path);
        for rest in after(&text, ".t(").chain(after(&text, ".t_count(")) {
            match literal(rest) {
                Some(key) => {
                    keys.insert(key.to_owned(), place.clone());
                }
                None => {
                    // The argument up to the call's closing parenthesis.
                    let mut depth = 0;
                    let end = rest
                        .char_indices()
                        .find(|&(_, c)| {
                            match c {
                                '(' => depth += 1,
                                ')' if depth == 0 => return true,
                                ')' => depth -= 1,
                                _ => {}
                            }
                            false
                        })
                        .map_or(rest.len(), |(i, _)| i);
                    computed.insert(rest[..end].trim().to_owned());
                }
            }
        }
        // `self.field("email", …)` draws the label `email_label` (and the optional `email_hint`).
        for rest in after(&text, "self.field(") {
            if let Some(name) = literal(rest) {
                keys.insert(format!("{name}_label"), place.clone());
            }
        }
    }
    (keys, computed)
}

/// Every key the Rust code looks up or hands to a page as a field-error code, with where.
fn code_keys() -> BTreeMap<String, String> {
    let mut keys = BTreeMap::new();
    let audit: BTreeSet<String> = audit_actions().into_keys().collect();
    for (path, text) in sources() {
        let place = shown(&path);
        let mut add = |key: &str| {
            keys.insert(key.to_owned(), place.clone());
        };
        for rest in after(&text, ".t(")
            .chain(after(&text, ".t_count("))
            .chain(after(&text, ".count("))
            .chain(after(&text, ".format("))
        {
            if let Some(key) = literal(rest).filter(|k| is_key(k)) {
                add(key);
            }
        }
        // Field errors: `FieldError::new(field, "code")`, `IdentityError::field(field, "code")`,
        // `CatalogError::invalid(field, "code")`, and `page.field(&errors, "name", …)` labels.
        for call in ["FieldError::new(", "Error::field(", "Error::invalid("] {
            for rest in after(&text, call) {
                if let Some(code) = second_argument(rest).and_then(literal) {
                    add(code);
                }
            }
        }
        for rest in after(&text, ".field(&self.errors,") {
            if let Some(name) = literal(rest) {
                add(&format!("{name}_label"));
            }
        }
        // Codes chosen in a match or returned by a helper before they reach a `FieldError`.
        let mut rest = text.as_str();
        while let Some(start) = rest.find('"') {
            let Some(len) = rest[start + 1..].find('"') else {
                break;
            };
            let s = &rest[start + 1..start + 1 + len];
            if is_code(s) && !is_not_a_key(s) && !audit.contains(s) {
                add(s);
            }
            rest = &rest[start + len + 2..];
        }
        // The account page's banners.
        for rest in after(&text, "=> \"") {
            if let Some(end) = rest.find('"') {
                if rest[..end].ends_with("_banner") {
                    add(&rest[..end]);
                }
            }
        }
    }
    keys
}

/// Every action string passed to `portico_audit::Event::new` in the code, with where.
fn audit_actions() -> BTreeMap<String, String> {
    let mut actions = BTreeMap::new();
    for (path, text) in sources() {
        if path.starts_with(workspace().join("crates/audit")) {
            // The audit block's own examples in its docs and tests write no real actions.
            continue;
        }
        for rest in after(&text, "Event::new(") {
            let action = second_argument(rest).and_then(literal);
            let place = shown(&path);
            let action = action.unwrap_or_else(|| {
                panic!("{place}: Event::new with an action that is not a literal")
            });
            actions.insert(action.to_owned(), place);
        }
    }
    actions
}

/// Whether any of `blocks` defines `id` in `lang`.
fn defined(blocks: &[&Translations], lang: Lang, id: &str) -> bool {
    blocks.iter().any(|t| t.has(lang, id))
}

#[test]
fn every_fluent_file_parses_and_both_languages_define_the_same_ids() {
    let mut problems = Vec::new();
    for t in translations() {
        if let Err(e) = t.check() {
            problems.push(e.to_string());
        }
        let (bg, en) = (t.ids(Lang::Bg), t.ids(Lang::En));
        for id in bg.difference(&en) {
            problems.push(format!("{}: {id} is in bg.ftl, not in en.ftl", t.block()));
        }
        for id in en.difference(&bg) {
            problems.push(format!("{}: {id} is in en.ftl, not in bg.ftl", t.block()));
        }
        if t.block() != "http" {
            for id in bg.intersection(&portico_http::TRANSLATIONS.ids(Lang::Bg)) {
                problems.push(format!("{}: {id} shadows the shell's own", t.block()));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_key_used_in_a_template_or_the_code_has_both_languages() {
    let (template_keys, computed) = template_keys();
    let code_keys = code_keys();
    let known = computed_lookups(&code_keys.keys().cloned().collect());
    let mut missing = Vec::new();
    for expr in &computed {
        if !known.contains_key(expr.as_str()) {
            missing.push(format!(
                "a template looks up `{expr}`: list the keys it can produce in computed_lookups"
            ));
        }
    }
    let all = known
        .values()
        .flatten()
        .map(|k| (k.clone(), "computed in a template".to_owned()))
        .chain(template_keys)
        .chain(code_keys);
    let mut count = 0;
    for (key, place) in all {
        count += 1;
        let id = fluent_id(&key);
        for lang in LANGS {
            if !defined(translations(), lang, &id) {
                missing.push(format!(
                    "{place}: `{key}` ({id}) has no {} text",
                    lang.code()
                ));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
    assert!(
        count > 250,
        "the scan found only {count} keys: is it reading the sources?"
    );
}

#[test]
fn every_audit_action_has_a_label_in_both_languages() {
    let actions = audit_actions();
    for expected in ["cases.submitted", "cases.transition", "identity.sign_in"] {
        assert!(actions.contains_key(expected), "the scan missed {expected}");
    }
    let mut missing = Vec::new();
    for (action, place) in &actions {
        for lang in LANGS {
            if !defined(translations(), lang, &audit_id(action)) {
                missing.push(format!(
                    "{place}: audit action {action} has no {} label ({})",
                    lang.code(),
                    audit_id(action)
                ));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}
