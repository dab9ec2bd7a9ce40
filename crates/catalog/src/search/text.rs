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
    "кой",
    "коя",
    "какво",
    "ми",
    "ни",
    "си",
    "съм",
    "че",
    "аз",
    "ли",
    "искам",
    "трябва",
    "къде",
    "пред",
    "мой",
    "моя",
    "нов",
    "нова",
    // Bulgarian typed in Latin letters
    "za",
    "na",
    "ot",
    "po",
    "pri",
    "kam",
    "kum",
    "ili",
    "se",
    "da",
    "ne",
    "sa",
    "kak",
    "mi",
    "si",
    "sam",
    "che",
    "li",
    "iskam",
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

/// Words that do not change (borrowed, indeclinable) and that a stem would confuse with others:
/// такси (taxi) is not такса (a fee).
const KEPT_AS_THEY_ARE: &[&str] = &["такси", "кафе", "хоби", "интервю", "уиски", "меню"];

pub fn is_cyrillic(word: &str) -> bool {
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

/// Definite articles and what the word they come off must end with, which shows it is one:
/// the feminine `-та` follows `-а`/`-я` (картата) or the consonants of the commonest feminine
/// nouns in a consonant (помощта, пролетта); the neuter `-то` follows `-о`/`-е`/`-и`/`-у`
/// (селото, удостоверението, таксито); the plural `-те` follows `-и`/`-е` (данъците); the
/// masculine `-ът`/`-ят`/`-ият` anything. So the `-та` of работа or the `-то` of място stays.
const ARTICLES: &[(&str, &str)] = &[
    ("ият", ""),
    ("ът", ""),
    ("ят", ""),
    ("та", "аящт"),
    ("то", "оеиую"),
    ("те", "ие"),
];

/// Endings of nouns, adjectives and the verb forms people type, longest first; each with what
/// replaces it. Verbal nouns and their verbs meet (паркиране, паркирам → паркир; плащане,
/// плащам → плащ), as do nouns in `-ение` and their plurals (удостоверение, удостоверения).
const ENDINGS: &[(&str, &str)] = &[
    ("ения", ""),
    ("ания", ""),
    ("ение", ""),
    ("ание", ""),
    ("ирам", "ир"),
    ("ираш", "ир"),
    ("ира", "ир"),
    ("ове", ""),
    ("еве", "й"),
    ("ане", ""),
    ("яне", ""),
    ("ам", ""),
    ("ям", ""),
    ("ия", ""),
    ("ии", ""),
    ("ие", ""),
    ("и", ""),
    ("а", ""),
    ("я", ""),
    ("о", ""),
    ("е", ""),
    ("ъ", ""),
    ("й", ""),
];

fn ends_with(chars: &[char], suffix: &str) -> bool {
    let n = suffix.chars().count();
    chars.len() >= n && chars[chars.len() - n..].iter().copied().eq(suffix.chars())
}

fn strip_article(chars: &mut Vec<char>) {
    for (article, after) in ARTICLES {
        let n = article.chars().count();
        if chars.len() < 3 + n || !ends_with(chars, article) {
            continue;
        }
        let before = chars[chars.len() - n - 1];
        let fits = after.is_empty() || after.contains(before);
        if fits {
            chars.truncate(chars.len() - n);
            return;
        }
    }
}

fn strip_ending(chars: &mut Vec<char>) {
    for (ending, replacement) in ENDINGS {
        let n = ending.chars().count();
        if chars.len() >= 3 + n && ends_with(chars, ending) {
            chars.truncate(chars.len() - n);
            chars.extend(replacement.chars());
            return;
        }
    }
}

/// A light Bulgarian stemmer, after Savoy's ("Searching strategies for the Bulgarian language",
/// the rules Lucene's BulgarianStemmer implements), with the verb and verbal-noun endings people
/// type: one definite article, then one ending, then the regular sound changes. Stems are for
/// matching, never shown.
pub fn stem_bg(word: &str) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    if chars.len() < 4 {
        return word.to_owned();
    }
    strip_article(&mut chars);
    strip_ending(&mut chars);
    let n = chars.len();
    // The fleeting е and ъ: адресен / адресна, местен / местни, театър / театри.
    let fleeting = n >= 5
        && ((chars[n - 2] == 'е' && chars[n - 1] == 'н')
            || (chars[n - 2] == 'ъ' && "нрл".contains(chars[n - 1])));
    if fleeting {
        chars.remove(n - 2);
    }
    // Consonants that change before the plural ending: данък / данъци, наследник /
    // наследници, улица / улици (ц → к both ways); подлог / подлози (з → г); монах / монаси is
    // too rare to risk.
    match chars.last() {
        Some('ц') => {
            chars.pop();
            chars.push('к');
        }
        Some('з') if word.ends_with("зи") && n >= 5 => {
            chars.pop();
            chars.push('г');
        }
        _ => {}
    }
    chars.into_iter().collect()
}

/// Word-building suffixes, stripped from a stem to find the word's root, so that words of one
/// family meet: наследство / наследник, паркинг / паркиране, разрешително / разрешение,
/// детска / дете. A root match counts less than a stem match (see the index).
const DERIVATIONAL: &[&str] = &[
    "ителн",
    "телн",
    "ств",
    "ник",
    "ниц",
    "ичк",
    "инг",
    "ир",
    "ск",
    "ов",
    "ев",
    "ен",
    "н",
];

/// The root of a Bulgarian stem: one word-building suffix stripped, keeping three letters.
pub fn root_bg(stem: &str) -> String {
    let mut chars: Vec<char> = stem.chars().collect();
    for suffix in DERIVATIONAL {
        let n = suffix.chars().count();
        if chars.len() >= 3 + n && ends_with(&chars, suffix) {
            chars.truncate(chars.len() - n);
            break;
        }
    }
    chars.into_iter().collect()
}

/// The Snowball English stem of a word.
pub fn stem_english(word: &str) -> String {
    english().stem(word).into_owned()
}

fn english() -> &'static Stemmer {
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    STEMMER.get_or_init(|| Stemmer::create(Algorithm::English))
}

/// The stem of a normalised word, by its script.
pub fn stem(word: &str) -> String {
    if KEPT_AS_THEY_ARE.contains(&word) {
        word.to_owned()
    } else if is_cyrillic(word) {
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

    fn same(forms: &[&str]) {
        let stems: Vec<String> = forms.iter().map(|w| stem(w)).collect();
        assert!(
            stems.windows(2).all(|p| p[0] == p[1]),
            "{forms:?} → {stems:?}"
        );
    }

    fn different(a: &str, b: &str) {
        assert_ne!(stem(a), stem(b), "{a} and {b} must not meet");
    }

    #[test]
    fn articles_come_off_only_where_they_are_articles() {
        same(&["картата", "карта"]); // -та after a vowel
        same(&["помощта", "помощ"]); // after щ
        same(&["пролетта", "пролет"]); // after т
        same(&["селото", "село"]); // -то after a vowel
        same(&["услугите", "услуги", "услуга"]); // -те after a vowel
        same(&["адресът", "адреса", "адрес"]); // -ът, -а
        same(&["местният", "местния", "местен"]); // -ият, -ия
        assert_eq!(stem("място"), "мяст", "-то after a consonant stays");
        same(&["работа", "работи", "работата"]);
    }

    #[test]
    fn verbs_and_verbal_nouns_meet() {
        same(&["паркиране", "паркирам", "паркира"]);
        same(&["регистриране", "регистрирам"]);
        same(&["плащане", "плащам"]);
        same(&["подаване", "подавам"]);
    }

    #[test]
    fn plurals_and_sound_changes() {
        same(&["паркове", "парк"]); // -ове
        same(&["улица", "улици", "улиците"]); // ц both ways
        same(&["театър", "театри"]); // the fleeting ъ
        same(&["детска", "детски", "детското", "детския"]);
        same(&["градина", "градини", "градината"]);
        same(&["такса", "такси"][..1]);
        different("такси", "такса");
        different("кафе", "кафяв");
    }

    #[test]
    fn a_family_of_words_shares_a_root() {
        let root = |w: &str| root_bg(&stem(w));
        for family in [
            &["наследство", "наследници", "наследник", "наследниците"][..],
            &["паркинг", "паркиране", "паркирам"],
            &["разрешително", "разрешение", "разрешения"],
            &["детска", "дете"],
            &["адресна", "адрес", "адресен"],
        ] {
            let roots: Vec<String> = family.iter().map(|w| root(w)).collect();
            assert!(
                roots.windows(2).all(|p| p[0] == p[1]),
                "{family:?} → {roots:?}"
            );
        }
        assert_eq!(root_bg("дом"), "дом", "three letters stay");
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
