//! What the administration's forms share: a submitted form's values, a date typed in Sofia's
//! time, an amount in whole units, and a refusal drawn next to its field.

use crate::error::ParticipationError;
use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use portico_http::{FieldError, PageContext};

/// A submitted (or prefilled) form: its fields as the person typed them.
#[derive(Debug, Clone, Default)]
pub struct Values(pub Vec<(String, String)>);

impl Values {
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .unwrap_or("")
    }

    /// Whether a checkbox or radio button of this value is chosen.
    pub fn is(&self, name: &str, value: &str) -> bool {
        self.get(name) == value
    }

    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.0.retain(|(k, _)| k != name);
        self.0.push((name.to_owned(), value.into()));
    }
}

/// A refusal for the form field it concerns: `Invalid(code)` drawn next to `field`.
pub struct Refused {
    pub code: &'static str,
    pub field: &'static str,
}

impl Refused {
    pub fn at(field: &'static str, code: &'static str) -> Refused {
        Refused { code, field }
    }
}

/// The field errors of a refusal from the service, placed by `field_of`; anything but a
/// refusal (a database error …) goes on as the error it is.
pub fn refusal(
    e: ParticipationError,
    field_of: fn(&str) -> &'static str,
) -> Result<Vec<FieldError>, ParticipationError> {
    match e {
        ParticipationError::Invalid(code) | ParticipationError::Refused(code) => {
            Ok(vec![FieldError::new(
                field_of(code),
                &format!("participation_error_{code}"),
            )])
        }
        other => Err(other),
    }
}

pub fn errors_of(r: &Refused) -> Vec<FieldError> {
    vec![FieldError::new(
        r.field,
        &format!("participation_error_{}", r.code),
    )]
}

/// The label and hint keys of a form field (the hint empty when it has none): written out, so
/// that the translations test finds each key.
fn keys_of(name: &str) -> (&'static str, &'static str) {
    match name {
        "title_bg" => ("participation_form_title_bg", ""),
        "title_en" => ("participation_form_title_en", ""),
        "slug" => ("participation_form_slug", "participation_form_slug_hint"),
        "theme" => ("participation_form_theme", "participation_form_theme_hint"),
        "proposals_from" => ("participation_form_proposals_from", ""),
        "proposals_until" => ("participation_form_proposals_until", ""),
        "review_until" => ("participation_form_review_until", ""),
        "voting_from" => ("participation_form_voting_from", ""),
        "voting_until" => ("participation_form_voting_until", ""),
        "results_from" => ("participation_form_results_from", ""),
        "voter_area" => (
            "participation_form_voter_area",
            "participation_form_voter_area_hint",
        ),
        "min_age" => ("participation_form_min_age", ""),
        "budget" => (
            "participation_form_budget",
            "participation_form_budget_hint",
        ),
        "currency" => (
            "participation_form_currency",
            "participation_form_currency_hint",
        ),
        "max_choices" => (
            "participation_form_max_choices",
            "participation_form_max_choices_hint",
        ),
        "opens_on" => (
            "participation_form_opens_on",
            "participation_form_opens_on_hint",
        ),
        "closes_on" => (
            "participation_form_closes_on",
            "participation_form_closes_on_hint",
        ),
        _ => ("", ""),
    }
}

/// One input of a form, drawn by the shell's `field.html`.
pub fn input(
    page: &PageContext,
    errors: &[FieldError],
    values: &Values,
    name: &'static str,
    input_type: &'static str,
) -> portico_http::Field {
    let (label, hint) = keys_of(name);
    portico_http::Field {
        name,
        label: page.t(label),
        hint: if hint.is_empty() { "" } else { page.t(hint) },
        error: page.field_error(errors, name),
        input_type,
        value: values.get(name).to_owned(),
        autocomplete: "off",
    }
}

/// The label of one choice of a radio or check box.
pub fn choice_label(page: &PageContext, name: &str, value: &str) -> &'static str {
    page.t(match (name, value) {
        ("proposers", "anyone") => "participation_form_proposers_anyone",
        ("proposers", _) => "participation_form_proposers_residents",
        ("ballot_rule", "up_to_n") => "participation_form_ballot_rule_up_to_n",
        ("ballot_rule", _) => "participation_form_ballot_rule_knapsack",
        ("allow_change", _) => "participation_form_allow_change",
        _ => "participation_form_tally_live",
    })
}

/// The error message of one field, empty when it has none.
pub fn error_of(page: &PageContext, errors: &[FieldError], name: &str) -> &'static str {
    page.field_error(errors, name).unwrap_or("")
}

/// A day as typed (`2027-03-01` from a date picker, or `01.03.2027`), as the epoch milliseconds
/// of its 00:00 in Sofia.
pub fn sofia_day(typed: &str) -> Option<i64> {
    parse_day(typed).map(sofia_midnight)
}

/// The end of a day as typed: 00:00 in Sofia on the day after it (a deadline "until 5 March"
/// takes comments all of 5 March).
pub fn sofia_day_after(typed: &str) -> Option<i64> {
    parse_day(typed)?.succ_opt().map(sofia_midnight)
}

fn parse_day(typed: &str) -> Option<NaiveDate> {
    let typed = typed.trim();
    NaiveDate::parse_from_str(typed, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(typed, "%d.%m.%Y"))
        .ok()
}

/// 00:00 in Sofia on `date`: two hours before in UTC in winter, three in summer (asked of the
/// calendar's own rule, so that both directions agree).
fn sofia_midnight(date: NaiveDate) -> i64 {
    let local = NaiveDateTime::from(date);
    let at = |hours| (local - TimeDelta::hours(hours)).and_utc();
    let winter = at(2);
    let utc = if portico_core::calendar::sofia_local(winter) == local {
        winter
    } else {
        at(3)
    };
    utc.timestamp_millis()
}

/// An amount in whole units as typed (`1 000 000`, `250000`) in minor units.
pub fn whole_units(typed: &str) -> Option<i64> {
    typed
        .replace([' ', '\u{a0}', '_'], "")
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .and_then(|n| n.checked_mul(100))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_starts_at_midnight_in_sofia_in_winter_and_in_summer() {
        // 1 March 2027, 00:00 EET = 28 February 22:00 UTC.
        assert_eq!(
            sofia_day("2027-03-01"),
            Some(
                chrono::DateTime::parse_from_rfc3339("2027-02-28T22:00:00Z")
                    .unwrap()
                    .timestamp_millis()
            )
        );
        // 1 July 2027, 00:00 EEST = 30 June 21:00 UTC; the other spelling gives the same.
        let july = chrono::DateTime::parse_from_rfc3339("2027-06-30T21:00:00Z")
            .unwrap()
            .timestamp_millis();
        assert_eq!(sofia_day("2027-07-01"), Some(july));
        assert_eq!(sofia_day("01.07.2027"), Some(july));
        // The last Sunday of October 2027 is the 31st: 1 November starts at 22:00 UTC again.
        assert_eq!(
            sofia_day_after("2027-10-31"),
            Some(
                chrono::DateTime::parse_from_rfc3339("2027-10-31T22:00:00Z")
                    .unwrap()
                    .timestamp_millis()
            )
        );
        assert_eq!(sofia_day("31.02.2027"), None);
        assert_eq!(sofia_day("tomorrow"), None);
    }

    #[test]
    fn amounts_are_whole_units() {
        assert_eq!(whole_units("1 000 000"), Some(100_000_000));
        assert_eq!(whole_units("0"), None);
        assert_eq!(whole_units("-5"), None);
        assert_eq!(whole_units("12,50"), None);
    }
}
