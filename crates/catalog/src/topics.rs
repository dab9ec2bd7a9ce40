//! The fixed vocabularies of the catalog: topics, life events, payment options and delivery
//! channels, each a code with its Bulgarian and English name. Codes are stored; names are shown.

use portico_http::i18n::Entry;
use portico_http::Lang;

pub const TOPICS: &[Entry] = &[
    (
        "civil-status",
        "Гражданска регистрация",
        "Civil registration",
    ),
    ("address", "Адресна регистрация", "Address registration"),
    (
        "construction",
        "Строителство и устройство на територията",
        "Construction and planning",
    ),
    (
        "local-taxes",
        "Местни данъци и такси",
        "Local taxes and fees",
    ),
    ("property", "Общинска собственост", "Municipal property"),
    ("business", "Бизнес и търговия", "Business and trade"),
    ("social", "Социални услуги", "Social services"),
];

pub const LIFE_EVENTS: &[Entry] = &[
    ("moving-home", "Смяна на адрес", "Moving home"),
    ("birth", "Раждане на дете", "Having a child"),
    ("marriage", "Сключване на брак", "Getting married"),
    ("death", "Смърт на близък", "Death of a relative"),
    ("building-a-home", "Строеж на дом", "Building a home"),
    (
        "owning-property",
        "Притежаване на имот или превозно средство",
        "Owning property or a vehicle",
    ),
    (
        "starting-a-business",
        "Започване на бизнес",
        "Starting a business",
    ),
];

pub const PAYMENT_OPTIONS: &[Entry] = &[
    ("card", "С банкова карта онлайн", "By card online"),
    (
        "epay",
        "Чрез ePay или Пей точка",
        "Through ePay or a payment point",
    ),
    ("bank_transfer", "С банков превод", "By bank transfer"),
    ("cash", "В брой на гише", "In cash at the counter"),
];

pub const DELIVERY_CHANNELS: &[Entry] = &[
    (
        "edelivery",
        "В електронната ви пощенска кутия в Портико",
        "To your Portico eDelivery mailbox",
    ),
    ("email", "По имейл", "By email"),
    (
        "post",
        "С препоръчано писмо по пощата",
        "By registered post",
    ),
    (
        "counter",
        "На гише в центъра за административно обслужване",
        "At the service centre counter",
    ),
];

/// The name of `code` in `list`, or the code itself if unknown.
pub fn name(list: &'static [Entry], code: &str, lang: Lang) -> String {
    list.iter()
        .find(|e| e.0 == code)
        .map(|e| lang.pick(e).to_owned())
        .unwrap_or_else(|| code.to_owned())
}

pub fn is_known(list: &'static [Entry], code: &str) -> bool {
    list.iter().any(|e| e.0 == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_named_in_both_languages() {
        for list in [TOPICS, LIFE_EVENTS, PAYMENT_OPTIONS, DELIVERY_CHANNELS] {
            let mut codes: Vec<_> = list.iter().map(|e| e.0).collect();
            codes.sort();
            codes.dedup();
            assert_eq!(codes.len(), list.len());
            assert!(list.iter().all(|e| !e.1.is_empty() && !e.2.is_empty()));
        }
        assert_eq!(name(TOPICS, "address", Lang::En), "Address registration");
        assert_eq!(name(TOPICS, "nope", Lang::En), "nope");
    }
}
