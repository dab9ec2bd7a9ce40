//! Bulgarian typed in Latin letters, both ways.
//!
//! [`to_latin`] is the official scheme of the Transliteration Act (Закон за транслитерацията,
//! 2009): щ → sht, ъ → a, ь → y, ю → yu, я → ya, ц → ts, and `-ия` at the end of a word → `-ia`.
//! [`to_cyrillic`] reads what people actually type, which is that scheme and the informal ones
//! of chats and phones: `4` for ч, `6` for ш, `6t`/`sht` for щ, `q`/`ia`/`ja` for я, `c` for ц,
//! `j` for ж or й, `y`/`u` for ъ, `w` for в, `x` for х. Several readings are possible, so it gives
//! them all (the likeliest first, at most [`MAX_READINGS`]); search tries each.

/// How many readings of one word [`to_cyrillic`] gives at most.
pub const MAX_READINGS: usize = 16;

/// The official transliteration of a lower-case Bulgarian word.
pub fn to_latin(word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    let mut out = String::with_capacity(word.len() + 4);
    for (i, c) in chars.iter().enumerate() {
        match c {
            'а' => out.push('a'),
            'б' => out.push('b'),
            'в' => out.push('v'),
            'г' => out.push('g'),
            'д' => out.push('d'),
            'е' => out.push('e'),
            'ж' => out.push_str("zh"),
            'з' => out.push('z'),
            'и' => out.push('i'),
            'й' => out.push('y'),
            'к' => out.push('k'),
            'л' => out.push('l'),
            'м' => out.push('m'),
            'н' => out.push('n'),
            'о' => out.push('o'),
            'п' => out.push('p'),
            'р' => out.push('r'),
            'с' => out.push('s'),
            'т' => out.push('t'),
            'у' => out.push('u'),
            'ф' => out.push('f'),
            'х' => out.push('h'),
            'ц' => out.push_str("ts"),
            'ч' => out.push_str("ch"),
            'ш' => out.push_str("sh"),
            'щ' => out.push_str("sht"),
            'ъ' => out.push('a'),
            'ь' => out.push('y'),
            'ю' => out.push_str("yu"),
            // -ия at the end of a word is -ia (България → Bulgaria).
            'я' if i + 1 == chars.len() && i > 0 && chars[i - 1] == 'и' => out.push('a'),
            'я' => out.push_str("ya"),
            _ => out.push(*c),
        }
    }
    out
}

/// Latin spellings, longest first, and the Cyrillic each may stand for, likeliest first.
const SPELLINGS: &[(&str, &[&str])] = &[
    ("sht", &["щ"]),
    ("6t", &["щ", "шт"]),
    ("dzh", &["дж"]),
    ("zh", &["ж"]),
    ("ch", &["ч"]),
    ("sh", &["ш"]),
    ("ts", &["ц", "тс"]),
    ("tz", &["ц"]),
    ("yu", &["ю"]),
    ("ju", &["ю", "жу"]),
    ("iu", &["ю", "ию"]),
    ("ya", &["я"]),
    ("ja", &["я", "жа"]),
    ("ia", &["ия", "я"]),
    ("yo", &["йо"]),
    ("kh", &["х"]),
    ("a", &["а", "ъ"]),
    ("b", &["б"]),
    ("c", &["ц", "к"]),
    ("d", &["д"]),
    ("e", &["е"]),
    ("f", &["ф"]),
    ("g", &["г"]),
    ("h", &["х"]),
    ("i", &["и", "й"]),
    ("j", &["ж", "й"]),
    ("k", &["к"]),
    ("l", &["л"]),
    ("m", &["м"]),
    ("n", &["н"]),
    ("o", &["о"]),
    ("p", &["п"]),
    ("q", &["я"]),
    ("r", &["р"]),
    ("s", &["с"]),
    ("t", &["т"]),
    ("u", &["у", "ъ"]),
    ("v", &["в"]),
    ("w", &["в"]),
    ("x", &["х", "кс"]),
    ("y", &["ъ", "й", "и"]),
    ("z", &["з"]),
    ("4", &["ч"]),
    ("6", &["ш", "щ"]),
];

/// Whether a normalised word may be Bulgarian typed in Latin letters: ASCII letters, perhaps
/// with the digits that stand for letters, and at least one letter.
pub fn may_be_latin_bulgarian(word: &str) -> bool {
    word.chars().any(|c| c.is_ascii_lowercase())
        && word
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '4' || c == '6')
}

/// The Cyrillic readings of a lower-case word typed in Latin letters, likeliest first (the first
/// takes every spelling's first reading); empty when the word is not Latin-typed Bulgarian.
/// Each reading of an ambiguous spelling past the first counts as one less likely step; readings
/// come in order of how many such steps they take, so the cap keeps the likeliest.
pub fn to_cyrillic(word: &str) -> Vec<String> {
    if !may_be_latin_bulgarian(word) {
        return Vec::new();
    }
    // Split into spellings, longest match first.
    let mut pieces: Vec<&'static [&'static str]> = Vec::new();
    let mut rest = word;
    while !rest.is_empty() {
        let Some((spelling, readings)) = SPELLINGS.iter().find(|(s, _)| rest.starts_with(s)) else {
            return Vec::new();
        };
        pieces.push(readings);
        rest = &rest[spelling.len()..];
    }
    // Breadth by the number of less likely choices: 0, then 1, then 2.
    let mut out: Vec<String> = Vec::new();
    for steps in 0..=2 {
        choose(&pieces, 0, steps, &mut String::new(), &mut out);
        if out.len() >= MAX_READINGS {
            break;
        }
    }
    out.truncate(MAX_READINGS);
    out
}

/// Every reading of `pieces[i..]` that takes exactly `steps` less likely choices.
fn choose(pieces: &[&[&str]], i: usize, steps: usize, acc: &mut String, out: &mut Vec<String>) {
    if out.len() >= MAX_READINGS {
        return;
    }
    if i == pieces.len() {
        if steps == 0 {
            out.push(acc.clone());
        }
        return;
    }
    for (k, reading) in pieces[i].iter().enumerate() {
        let cost = usize::from(k > 0);
        if cost > steps {
            break;
        }
        let len = acc.len();
        acc.push_str(reading);
        choose(pieces, i + 1, steps - cost, acc, out);
        acc.truncate(len);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_official_scheme() {
        // Examples of the Transliteration Act's scheme.
        for (bg, latin) in [
            ("софия", "sofia"),
            ("ямбол", "yambol"),
            ("щастие", "shtastie"),
            ("юлия", "yulia"),
            ("явор", "yavor"),
            ("цветелина", "tsvetelina"),
            ("жива", "zhiva"),
            ("чавдар", "chavdar"),
            ("шишман", "shishman"),
            ("йордан", "yordan"),
            ("ъгъл", "agal"),
            ("регистрация", "registratsia"),
            ("удостоверение", "udostoverenie"),
            ("наследници", "naslednitsi"),
            ("изпълнение", "izpalnenie"),
        ] {
            assert_eq!(to_latin(bg), latin, "{bg}");
        }
    }

    fn reads(latin: &str, bg: &str) {
        let readings = to_cyrillic(latin);
        assert!(
            readings.iter().any(|r| r == bg),
            "{latin} should read as {bg}: {readings:?}"
        );
    }

    #[test]
    fn official_spellings_read_back() {
        for bg in [
            "софия",
            "регистрация",
            "удостоверение",
            "наследници",
            "щастие",
            "юлия",
            "явор",
            "жилище",
            "чавдар",
            "изпълнение",
            "данък",
        ] {
            reads(&to_latin(bg), bg);
        }
        assert_eq!(to_cyrillic("adresna")[0], "адресна", "the likeliest first");
        assert_eq!(to_cyrillic("udostoverenie")[0], "удостоверение");
    }

    #[test]
    fn informal_spellings() {
        reads("registracia", "регистрация"); // c for ц, ia for ия
        reads("registraciq", "регистрация"); // q for я
        reads("udostoverenie", "удостоверение");
        reads("4ast", "част"); // 4 for ч
        reads("ku6ta", "къща"); // u for ъ, 6t for щ
        reads("kushta", "къща");
        reads("dqdo", "дядо");
        reads("jalba", "жалба"); // j for ж
        reads("danuk", "данък");
        reads("dyrjava", "държава"); // y for ъ, j for ж
        reads("xartiq", "хартия");
        reads("tsvetq", "цветя");
        reads("nasledstvo", "наследство");
        reads("parkirane", "паркиране");
        reads("detska", "детска");
        reads("6ofior", "шофиор"); // 6 for ш
    }

    #[test]
    fn what_is_not_latin_is_left_alone() {
        assert!(to_cyrillic("адрес").is_empty());
        assert!(to_cyrillic("2024").is_empty());
        assert!(to_cyrillic("a-b").is_empty());
        assert!(to_cyrillic("registracia").len() <= MAX_READINGS);
        let long = to_cyrillic("yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy");
        assert_eq!(long.len(), MAX_READINGS, "capped");
    }
}
