use chrono::{DateTime, Utc};
use portico_core::money::Currency;
use portico_core::Money;
use portico_http::Lang;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A text in Bulgarian and English.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Text {
    pub bg: String,
    pub en: String,
}

impl Text {
    pub fn new(bg: &str, en: &str) -> Self {
        Text {
            bg: bg.to_owned(),
            en: en.to_owned(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Bg => &self.bg,
            Lang::En => &self.en,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.bg.trim().is_empty() && self.en.trim().is_empty()
    }
}

/// Where people can ask about a service.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Contact {
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub address: Text,
    #[serde(default)]
    pub hours: Text,
}

/// The facts the Unified Model asks every provider to publish about a service. A template holds
/// them once; each administration's service holds its own copy, with its own overrides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ServiceFacts {
    pub title: Text,
    /// A short description: what the service gives and when a person needs it.
    pub description: Text,
    pub legal_basis: Text,
    /// The time the administration has to decide, in working days.
    pub deadline_working_days: u32,
    /// The fee in minor units (0: free of charge).
    #[schema(value_type = Object, example = json!({"minor": 500, "currency": "EUR"}))]
    pub fee: Money,
    /// How the fee is determined (urgency, per page, per square metre…).
    #[serde(default)]
    pub fee_note: Text,
    /// Codes: `card`, `bank_transfer`, `epay`, `cash` (see [`crate::topics::PAYMENT_OPTIONS`]).
    #[serde(default)]
    pub payment_options: Vec<String>,
    /// Codes: `edelivery`, `email`, `post`, `counter` (see [`crate::topics::DELIVERY_CHANNELS`]).
    #[serde(default)]
    pub delivery_channels: Vec<String>,
    #[serde(default)]
    pub required_documents: Vec<Text>,
    #[serde(default)]
    pub who_may_apply: Vec<Text>,
    /// A topic code (see [`crate::topics::TOPICS`]).
    pub topic: String,
    /// A life event code (see [`crate::topics::LIFE_EVENTS`]).
    #[serde(default)]
    pub life_event: Option<String>,
    /// The units (codes or ids of identity units) that work applications for this service.
    #[serde(default)]
    pub units: Vec<String>,
    #[serde(default)]
    pub contact: Contact,
}

impl ServiceFacts {
    /// Checks the facts; every problem is a field error named after the fact.
    pub fn check(&self) -> Vec<portico_core::FieldError> {
        let facts = self;
        let mut errors = Vec::new();
        if facts.title.bg.trim().is_empty() || facts.title.en.trim().is_empty() {
            errors.push(portico_core::FieldError::new(
                "title",
                "catalog.title.missing",
            ));
        }
        if facts.fee.minor < 0 {
            errors.push(portico_core::FieldError::new("fee", "catalog.fee.invalid"));
        }
        if facts.deadline_working_days > 365 {
            errors.push(portico_core::FieldError::new(
                "deadline",
                "catalog.deadline.invalid",
            ));
        }
        if !crate::topics::is_known(crate::topics::TOPICS, &facts.topic) {
            errors.push(portico_core::FieldError::new(
                "topic",
                "catalog.topic.unknown",
            ));
        }
        if let Some(event) = &facts.life_event {
            if !crate::topics::is_known(crate::topics::LIFE_EVENTS, event) {
                errors.push(portico_core::FieldError::new(
                    "life_event",
                    "catalog.life_event.unknown",
                ));
            }
        }
        if facts
            .payment_options
            .iter()
            .any(|p| !crate::topics::is_known(crate::topics::PAYMENT_OPTIONS, p))
        {
            errors.push(portico_core::FieldError::new(
                "payment_options",
                "catalog.code.unknown",
            ));
        }
        if facts
            .delivery_channels
            .iter()
            .any(|d| !crate::topics::is_known(crate::topics::DELIVERY_CHANNELS, d))
        {
            errors.push(portico_core::FieldError::new(
                "delivery_channels",
                "catalog.code.unknown",
            ));
        }
        errors
    }
}

impl ServiceFacts {
    pub fn is_free(&self) -> bool {
        self.fee.minor == 0
    }
}

/// A shared service template: facts, form and process that any administration can adopt.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceTemplate {
    pub id: String,
    pub key: String,
    pub facts: ServiceFacts,
    pub form_key: Option<String>,
    pub process_key: String,
}

/// A service as one administration provides it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Service {
    pub id: String,
    pub slug: String,
    pub administration_id: String,
    /// The template it was adopted from, if any.
    pub template_id: Option<String>,
    #[serde(flatten)]
    pub facts: ServiceFacts,
    /// The form people fill in to apply (its current version when they start).
    pub form_key: Option<String>,
    /// The process its applications follow (owned by the cases block).
    pub process_key: String,
    pub published_at: Option<DateTime<Utc>>,
    /// The administration's own lists for its form's fields: the form's nomenclature key →
    /// the one this service's fields choose from (an adoption's `nomenclatures` override).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub nomenclatures: BTreeMap<String, String>,
    /// How many people the administration serves, when known (search prefers the larger of
    /// equally good matches).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population: Option<u64>,
    /// The administration's own deadlines in working days for states of the process (state id
    /// → days); a state not named keeps the library's. The cases block reads them when an
    /// application is started.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub state_deadlines: BTreeMap<String, u32>,
}

impl Service {
    pub fn title(&self, lang: Lang) -> &str {
        self.facts.title.get(lang)
    }

    /// Where a person starts an application (the route belongs to the cases block).
    pub fn apply_path(&self) -> String {
        format!("/services/{}/apply", self.slug)
    }
}

/// A new service, created without a template (or by adopting one).
#[derive(Debug, Clone)]
pub struct NewService {
    pub slug: String,
    pub administration_id: String,
    pub facts: ServiceFacts,
    pub form_key: Option<String>,
    pub process_key: String,
}

/// What an administration changes when it adopts a template. `None` keeps the template's value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Overrides {
    /// The service's address (`/services/{slug}`); by default the template key and the
    /// administration's name.
    pub slug: Option<String>,
    pub fee: Option<Money>,
    pub fee_note: Option<Text>,
    pub deadline_working_days: Option<u32>,
    pub units: Option<Vec<String>>,
    pub contact: Option<Contact>,
    /// The administration's own lists in place of those the template's form names: the form's
    /// nomenclature key → the adopter's (e.g. its streets instead of Sofia's).
    pub nomenclatures: Option<BTreeMap<String, String>>,
    /// How many people the administration serves.
    pub population: Option<u64>,
}

/// One entry of a nomenclature (a list a form field chooses from).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NomenclatureEntry {
    pub code: String,
    pub label: Text,
    #[schema(value_type = Object)]
    pub attributes: serde_json::Value,
}

impl NomenclatureEntry {
    pub fn new(code: &str, label_bg: &str, label_en: &str, attributes: serde_json::Value) -> Self {
        NomenclatureEntry {
            code: code.to_owned(),
            label: Text::new(label_bg, label_en),
            attributes,
        }
    }

    /// A string attribute, e.g. `district` of an address.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).and_then(|v| v.as_str())
    }
}

/// Parses "12.50", "12,50" or "12" into minor units; `None` if it is not an amount.
pub fn parse_amount(s: &str, currency: Currency) -> Option<Money> {
    let s = s.trim().replace(',', ".");
    if s.is_empty() {
        return None;
    }
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, f),
        None => (s.as_str(), ""),
    };
    if whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 2
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let frac: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().ok()?
    };
    Some(Money::new(
        whole.checked_mul(100)?.checked_add(frac)?,
        currency,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_to_minor_units() {
        assert_eq!(
            parse_amount("12,5", Currency::Eur),
            Some(Money::new(1250, Currency::Eur))
        );
        assert_eq!(
            parse_amount("3", Currency::Bgn),
            Some(Money::new(300, Currency::Bgn))
        );
        assert_eq!(parse_amount("1.234", Currency::Eur), None);
        assert_eq!(parse_amount("-1", Currency::Eur), None);
        assert_eq!(parse_amount("", Currency::Eur), None);
    }
}
