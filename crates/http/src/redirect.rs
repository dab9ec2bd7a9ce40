//! Where a `next` or `back` parameter may send a person: only to a path on this site.
//!
//! An open redirect lets a phishing link borrow the platform's name (`/login?next=` that ends on
//! another host after a real sign-in). Browsers are generous in what they take for another host:
//! they drop tabs and newlines anywhere in a URL, read `\` as `/`, and `//host` as a host; so
//! `/\t/evil.example` is `//evil.example` to them. A target is therefore accepted only when it
//! is a plain local path in every form it may take: as given and after each round of percent
//! decoding, it has no control characters, no backslash, no `//` in its path, and it starts with
//! one `/`. What passes is parsed as a URL against this site and written back in its normalised,
//! percent-encoded form, which is always a valid `Location` header.

use axum::http::HeaderValue;
use serde::{Deserialize, Deserializer};
use url::Url;

/// Longer targets are refused: no page of ours needs one.
const MAX_LEN: usize = 2048;

/// Percent-decoding rounds looked through (`%2525…` hides a `%` once per round).
const MAX_DECODES: usize = 4;

/// One form of the target: starts with a single `/`, with nothing a browser could read as
/// another host or scheme.
fn is_plain_local(form: &str) -> bool {
    let path = form.split(['?', '#']).next().unwrap_or_default();
    path.starts_with('/')
        && !path.contains("//")
        && !form.chars().any(|c| c.is_control() || c == '\\')
}

/// The target as a local path (`/services?q=1`), or `None` if it is anything else: empty, a full
/// URL, `//host`, `javascript:`, or with control characters, backslashes or `//`, encoded or not.
pub fn safe_local_path(candidate: &str) -> Option<String> {
    if candidate.is_empty() || candidate.len() > MAX_LEN || candidate.contains(' ') {
        return None;
    }
    let mut form = candidate.to_owned();
    let mut settled = false;
    for _ in 0..=MAX_DECODES {
        if !is_plain_local(&form) {
            return None;
        }
        let decoded = percent_encoding::percent_decode_str(&form)
            .decode_utf8_lossy()
            .into_owned();
        if decoded == form {
            settled = true;
            break;
        }
        form = decoded;
    }
    if !settled {
        return None;
    }
    let base = Url::parse("http://portico.invalid/").ok()?;
    let url = base.join(candidate).ok()?;
    if url.origin() != base.origin() || !url.username().is_empty() || url.password().is_some() {
        return None;
    }
    let mut local = url.path().to_owned();
    if let Some(query) = url.query() {
        local.push('?');
        local.push_str(query);
    }
    if let Some(fragment) = url.fragment() {
        local.push('#');
        local.push_str(fragment);
    }
    (is_plain_local(&local) && HeaderValue::from_str(&local).is_ok()).then_some(local)
}

/// For `#[serde(default, deserialize_with = "portico_http::redirect::local_path")]` on a
/// `next`/`back` field: keeps the target only when [`safe_local_path`] accepts it, so a hostile
/// one is dropped before the handler sees it (and the handler's default applies).
pub fn local_path<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let raw: Option<String> = Option::deserialize(d)?;
    Ok(raw.as_deref().and_then(safe_local_path))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn local_paths_are_kept() {
        for (given, kept) in [
            ("/", "/"),
            ("/account", "/account"),
            ("/account?x=1", "/account?x=1"),
            (
                "/services?q=%D0%B0%D0%B4%D1%80%D0%B5%D1%81",
                "/services?q=%D0%B0%D0%B4%D1%80%D0%B5%D1%81",
            ),
            (
                "/services?q=адрес",
                "/services?q=%D0%B0%D0%B4%D1%80%D0%B5%D1%81",
            ),
            ("/services?q=a%20b", "/services?q=a%20b"),
            (
                "/applications/1/step/0#errors",
                "/applications/1/step/0#errors",
            ),
            ("/a/../account", "/account"),
            ("/javascript:alert(1)", "/javascript:alert(1)"),
            (
                "/search?next=https://x.example",
                "/search?next=https://x.example",
            ),
        ] {
            assert_eq!(safe_local_path(given).as_deref(), Some(kept), "{given:?}");
        }
    }

    #[test]
    fn hostile_targets_are_refused() {
        for hostile in [
            "",
            "account",
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "/%09/evil.example",
            "/\r/x",
            "/%0d/x",
            "/\n/x",
            "/%0a/x",
            "/\0",
            "/%00",
            "/x\u{7f}",
            "/%7f",
            "/%c2%85/x",
            "/%2f%2fevil.example",
            "/%2F%2Fevil.example",
            "%2f%2fevil.example",
            "/%5cevil.example",
            "/%5Cevil.example",
            "/%255cevil.example",
            "/%252f%252fevil.example",
            "/%25252f%25252fevil.example",
            "/%2525252525252f",
            "/a//b",
            "/ /evil.example",
            "/?x=%0d%0aSet-Cookie:%20a=b",
            "https://evil.example",
            "http://portico.invalid/account",
            "HTTPS://evil.example/",
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,hi",
            "mailto:a@evil.example",
            " /account",
        ] {
            assert_eq!(safe_local_path(hostile), None, "{hostile:?}");
        }
        assert_eq!(safe_local_path(&format!("/{}", "a".repeat(MAX_LEN))), None);
    }

    #[test]
    fn what_is_kept_is_a_valid_location_header() {
        for given in ["/services?q=адрес", "/a b", "/x?y=\"z\"", "/x#ä"] {
            if let Some(kept) = safe_local_path(given) {
                assert!(HeaderValue::from_str(&kept).is_ok(), "{given:?} → {kept:?}");
            }
        }
    }

    #[test]
    fn a_form_field_keeps_only_a_safe_target() {
        #[derive(Deserialize)]
        struct Q {
            #[serde(default, deserialize_with = "local_path")]
            next: Option<String>,
        }
        let q: Q = serde_urlencoded::from_str("next=%2Faccount").unwrap();
        assert_eq!(q.next.as_deref(), Some("/account"));
        let q: Q = serde_urlencoded::from_str("next=%2F%09%2Fevil.example").unwrap();
        assert_eq!(q.next, None);
        let q: Q = serde_urlencoded::from_str("next=").unwrap();
        assert_eq!(q.next, None);
        let q: Q = serde_urlencoded::from_str("").unwrap();
        assert_eq!(q.next, None);
    }
}
