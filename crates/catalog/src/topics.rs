//! The fixed vocabularies of the catalog: topics, life events, payment options and delivery
//! channels. Codes are stored; names are shown, from the catalog's Fluent files, under the id
//! `<list>-<code>` (`topic-address`, `payment-bank-transfer`).

use portico_http::{Lang, Strings};

/// One vocabulary: the prefix of its names' ids and its codes, in the order pages list them.
#[derive(Debug, Clone, Copy)]
pub struct Vocabulary {
    pub prefix: &'static str,
    pub codes: &'static [&'static str],
}

pub const TOPICS: Vocabulary = Vocabulary {
    prefix: "topic",
    codes: &[
        "civil-status",
        "address",
        "construction",
        "local-taxes",
        "property",
        "business",
        "social",
    ],
};

pub const LIFE_EVENTS: Vocabulary = Vocabulary {
    prefix: "life-event",
    codes: &[
        "moving-home",
        "birth",
        "marriage",
        "death",
        "building-a-home",
        "owning-property",
        "starting-a-business",
    ],
};

pub const PAYMENT_OPTIONS: Vocabulary = Vocabulary {
    prefix: "payment",
    codes: &["card", "epay", "bank_transfer", "cash"],
};

pub const DELIVERY_CHANNELS: Vocabulary = Vocabulary {
    prefix: "delivery",
    codes: &["edelivery", "email", "post", "counter"],
};

fn id(list: Vocabulary, code: &str) -> String {
    format!("{}_{code}", list.prefix)
}

/// The name of `code` in `list`, or the code itself if unknown.
pub fn name(list: Vocabulary, code: &str, lang: Lang) -> String {
    if !is_known(list, code) {
        return code.to_owned();
    }
    Strings::new(lang, crate::strings::TABLES)
        .find(&id(list, code))
        .unwrap_or(code)
        .to_owned()
}

/// Every code of `list` with its name, for a page's choices.
pub fn entries(list: Vocabulary, lang: Lang) -> Vec<(&'static str, &'static str)> {
    let strings = Strings::new(lang, crate::strings::TABLES);
    list.codes
        .iter()
        .map(|code| (*code, strings.find(&id(list, code)).unwrap_or(code)))
        .collect()
}

pub fn is_known(list: Vocabulary, code: &str) -> bool {
    list.codes.contains(&code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use portico_http::i18n::fluent_id;

    #[test]
    fn codes_are_unique_and_named_in_both_languages() {
        for list in [TOPICS, LIFE_EVENTS, PAYMENT_OPTIONS, DELIVERY_CHANNELS] {
            let mut codes = list.codes.to_vec();
            codes.sort();
            codes.dedup();
            assert_eq!(codes.len(), list.codes.len());
            for code in list.codes {
                for lang in [Lang::Bg, Lang::En] {
                    let id = fluent_id(&id(list, code)).into_owned();
                    assert!(crate::TRANSLATIONS.has(lang, &id), "{id} in {lang:?}");
                }
            }
        }
        assert_eq!(name(TOPICS, "address", Lang::En), "Address registration");
        assert_eq!(
            name(PAYMENT_OPTIONS, "bank_transfer", Lang::Bg),
            "С банков превод"
        );
        assert_eq!(name(TOPICS, "nope", Lang::En), "nope");
        assert_eq!(
            entries(LIFE_EVENTS, Lang::Bg)[1],
            ("birth", "Раждане на дете")
        );
    }
}
