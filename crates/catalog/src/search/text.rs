//! Words for search: normalised (lower case, Bulgarian letters made canonical), stripped of
//! stop words, and stemmed — Bulgarian with a light suffix-stripping stemmer, English with the
//! Snowball stemmer — so that "регистрации", "регистрацията" and "регистрация" are one word.

use rust_stemmers::{Algorithm, Stemmer};
use std::sync::OnceLock;

const STOP_WORDS: &[&str] = &[
    // Bulgarian
    "за",
    "на",
    "и",
    "в",
    "във",
    "от",
    "с",
    "със",
    "по",
    "до",
    "при",
    "към",
    "или",
    "се",
    "да",
    "не",
    "е",
    "са",
    "как",
    "как",
    "кой",
    "коя",
    "какво",
    "ми",
    "ни",
    "си",
    // English
    "a",
    "an",
    "the",
    "of",
    "for",
    "to",
    "in",
    "on",
    "and",
    "or",
    "by",
    "with",
    "my",
    "how",
    "is",
    "are",
    "i",
];

/// Lower case, `ѝ` as `и`, a decomposed `й` composed, other accents dropped.
pub fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        match c {
            'ѝ' => out.push('и'),
            // A combining breve after и is й typed in decomposed form.
            '\u{0306}' if out.ends_with('и') => {
                out.pop();
                out.push('й');
            }
            '\u{0300}'..='\u{036f}' => {}
            'ё' => out.push('е'),
            _ => out.push(c),
        }
    }
    out
}

fn is_cyrillic(word: &str) -> bool {
    word.chars().any(|c| ('\u{0400}'..='\u{04ff}').contains(&c))
}

/// The words of a text, normalised, without stop words and one-letter words.
pub fn words(s: &str) -> Vec<String> {
    normalise(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 2 && !STOP_WORDS.contains(w))
        .map(str::to_owned)
        .collect()
}

/// Definite articles, longest first: stripped before endings.
const ARTICLES: &[&str] = &["ият", "ът", "ят", "та", "то", "те"];

/// Plural and noun endings, longest first.
const ENDINGS: &[&str] = &[
    "ения", "ания", "ение", "ание", "ове", "еве", "ане", "яне", "ия", "ии", "ие", "и", "а", "я",
    "о", "е", "ъ", "й",
];

fn strip_first(chars: &mut Vec<char>, suffixes: &[&str], keep: usize) -> bool {
    for suffix in suffixes {
        let n = suffix.chars().count();
        if chars.len() >= keep + n && chars[chars.len() - n..].iter().copied().eq(suffix.chars()) {
            chars.truncate(chars.len() - n);
            return true;
        }
    }
    false
}

/// A light Bulgarian stemmer: one definite article, then one ending, then two regular sound
/// changes (адресен → адресн, данъци → данък). Stems are for matching, never shown.
pub fn stem_bg(word: &str) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    if chars.len() < 4 {
        return word.to_owned();
    }
    strip_first(&mut chars, ARTICLES, 3);
    strip_first(&mut chars, ENDINGS, 3);
    // The fleeting е: адресен / адресна, местен / местни.
    let n = chars.len();
    if n >= 5 && chars[n - 2] == 'е' && chars[n - 1] == 'н' {
        chars.remove(n - 2);
    }
    // к before the plural ending becomes ц (данък / данъци, наследник / наследници).
    if chars.last() == Some(&'ц') {
        chars.pop();
        chars.push('к');
    }
    chars.into_iter().collect()
}

fn english() -> &'static Stemmer {
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    STEMMER.get_or_init(|| Stemmer::create(Algorithm::English))
}

/// The stem of a normalised word, by its script.
pub fn stem(word: &str) -> String {
    if is_cyrillic(word) {
        stem_bg(word)
    } else if word.chars().all(|c| c.is_ascii_digit()) {
        word.to_owned()
    } else {
        english().stem(word).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_forms_share_a_stem() {
        let same = |forms: &[&str]| {
            let stems: Vec<String> = forms.iter().map(|w| stem(w)).collect();
            assert!(
                stems.windows(2).all(|p| p[0] == p[1]),
                "{forms:?} → {stems:?}"
            );
        };
        same(&[
            "регистрация",
            "регистрации",
            "регистрацията",
            "регистрациите",
        ]);
        same(&["адресна", "адресната", "адресни", "адресен"]);
        same(&["адрес", "адреса", "адресът", "адреси"]);
        same(&["удостоверение", "удостоверения", "удостоверението"]);
        same(&["наследник", "наследници", "наследниците"]);
        same(&["данък", "данъци", "данъка", "данъкът"]);
        same(&["местен", "местни", "местните"]);
        same(&["разрешение", "разрешения"]);
        same(&["строеж", "строежи"]);
        same(&["registration", "registrations"]);
        same(&["address", "addresses"]);
        same(&["certificate", "certificates"]);
        assert_eq!(stem("дом"), "дом", "short words are kept");
        assert_eq!(stem("2024"), "2024");
    }

    #[test]
    fn text_is_normalised_and_stop_words_dropped() {
        assert_eq!(normalise("ВИТОША"), "витоша");
        assert_eq!(normalise("ѝ"), "и");
        assert_eq!(normalise("и\u{0306}"), "й");
        assert_eq!(
            words("Удостоверение за наследници, the Certificate of heirs"),
            vec!["удостоверение", "наследници", "certificate", "heirs"]
        );
    }
}
