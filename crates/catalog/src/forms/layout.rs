//! A form's layout: the steps a person goes through, and for each field how it is asked (widget,
//! label, hint, options) and the rules JSON Schema cannot say well (EGN checksums, addresses from a
//! nomenclature, dates in the past, attachments' types and sizes, fields that apply only when
//! another answer is given).

use crate::model::Text;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    pub steps: Vec<Step>,
    /// Other people whose consent a submitted application needs, named by fields of the form.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consents: Vec<ConsentRule>,
    /// Which answer decides the unit that works the case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing: Option<RoutingRule>,
    /// What operators check in base registers from the case ("does the applicant own the
    /// address?"), instead of asking the applicant for certificates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<RegisterCheck>,
}

/// A check an operator runs from the case: one look-up of a register operation about the
/// applicant, with parameters taken from the answers, and what its answer must say.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterCheck {
    /// A short key, kept with each run of the check.
    pub id: String,
    /// The question it answers, as the operator reads it.
    pub label: Text,
    pub register: String,
    pub operation: String,
    /// The operation's parameters: parameter name → the form field whose answer it takes.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub parameters: BTreeMap<String, String>,
    /// Offered only when this answer is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
    pub confirm: Confirmation,
}

/// What the register's answer must say for the check to be confirmed: a field of the answer
/// equals a value, or every EGN an answer lists is among the answer's (`children[].egn`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum Confirmation {
    Equals { answer: String, value: Value },
    ContainsAll { answer: String, field: String },
}

/// "When this is answered so, the person named in that field must consent." The cases block reads
/// these; no service's field names are known to Rust code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentRule {
    /// A short key for the capacity they consent in (`owner`, `parent`), kept with the consent.
    pub role: String,
    /// What they are, as the consenting person and the applicant read it ("the home's owner").
    pub label: Text,
    /// The `egn` field that names them.
    pub person: String,
    /// Asked only when this answer is given (e.g. `owns_home` equals `no`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
    /// The fields the consenting person is shown; nothing else of the application.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shows: Vec<String>,
    /// Where the platform finds them itself, so the applicant does not name them: the owners of
    /// the chosen address in the address register, the other parent of each child in the
    /// population register. Where the register cannot answer, `person` is asked as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub found_in: Option<PersonFinder>,
}

/// "Ask this register operation, and the people it names are the ones to consent." The look-up
/// is about the applicant with parameters from the answers (the owners of `address`), or about
/// each person an `egn_list` answer names (`subjects`: each child); every personal number in
/// the answer's `people` fields (a string, or an array of strings) except the applicant's own is
/// asked, under the name `names` gives them (`given_name` and `family_name` of that operation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonFinder {
    pub register: String,
    pub operation: String,
    /// The operation's parameters: parameter name → the form field whose answer it takes.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub parameters: BTreeMap<String, String>,
    /// An `egn_list` field: ask about each person it names instead of the applicant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subjects: Option<String>,
    /// The answer's fields that hold the personal numbers of the people to ask.
    pub people: Vec<String>,
    /// The operation that gives each found person's name (`register/operation`).
    pub names: String,
}

impl PersonFinder {
    /// The fields of the form whose answers the look-up depends on.
    pub fn inputs(&self) -> Vec<&str> {
        let mut fields: Vec<&str> = self.parameters.values().map(String::as_str).collect();
        fields.extend(self.subjects.as_deref());
        fields
    }

    /// The register and operation that name the found people.
    pub fn names_operation(&self) -> Option<(&str, &str)> {
        self.names.split_once('/')
    }

    /// The personal numbers an answer names in the `people` fields.
    pub fn people_in<'a>(&self, answer: &'a Value) -> Vec<&'a str> {
        let mut out = Vec::new();
        for field in &self.people {
            match answer.get(field) {
                Some(Value::String(s)) => out.push(s.as_str()),
                Some(Value::Array(items)) => out.extend(items.iter().filter_map(Value::as_str)),
                _ => {}
            }
        }
        out
    }
}

/// The unit is the one whose code is this attribute of the nomenclature entry chosen in `field`
/// (e.g. the `district` of the chosen address); otherwise the service's first unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingRule {
    pub field: String,
    pub attribute: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub id: String,
    pub title: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    pub fields: Vec<LayoutField>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Widget {
    Text,
    Textarea,
    Number,
    /// Three inputs (day, month, year) posted as `{name}-day`, `{name}-month`, `{name}-year`;
    /// stored as `YYYY-MM-DD`.
    Date,
    Select,
    Radios,
    /// One box; stored as `true` or `false`.
    Checkbox,
    /// A Bulgarian personal number, checked with its checksum and birth date.
    Egn,
    /// A company's EIK/BULSTAT, checked with its checksum.
    Eik,
    /// Several EGNs, one a line; stored as an array.
    EgnList,
    /// A code from a nomenclature (the field's `nomenclature`), chosen from a list.
    Address,
    /// Attachments: the data holds the ids of uploaded files (uploads belong to the cases block).
    File,
}

impl Widget {
    pub fn as_str(self) -> &'static str {
        match self {
            Widget::Text => "text",
            Widget::Textarea => "textarea",
            Widget::Number => "number",
            Widget::Date => "date",
            Widget::Select => "select",
            Widget::Radios => "radios",
            Widget::Checkbox => "checkbox",
            Widget::Egn => "egn",
            Widget::Eik => "eik",
            Widget::EgnList => "egn_list",
            Widget::Address => "address",
            Widget::File => "file",
        }
    }

    /// Widgets where the person picks rather than types.
    pub fn is_choice(self) -> bool {
        matches!(self, Widget::Select | Widget::Radios | Widget::Address)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionDef {
    pub value: String,
    pub label: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<Text>,
}

/// A field that applies only when an earlier field of the same step has this value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub field: String,
    pub equals: Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateRule {
    Past,
    Future,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayoutField {
    /// The property of the schema this field fills.
    pub name: String,
    pub widget: Widget,
    pub label: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<Text>,
    /// Whether an answer is needed; by default, whether the schema's `required` lists the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
    /// For `select` and `radios`: the answers, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<OptionDef>,
    /// For `address`: the nomenclature the code comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nomenclature: Option<String>,
    /// For `file`: accepted MIME types.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accept: Vec<String>,
    /// For `file`: the largest accepted file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_bytes: Option<u64>,
    /// For `file`: how many files at most (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_files: Option<u32>,
    /// For `date`: whether it must be in the past or the future.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<DateRule>,
    /// For `egn` and `egn_list`: the person must be younger than this many years.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age_years: Option<u32>,
    /// A value the application fills in from what is known about the applicant (for example
    /// `applicant.personal_id`); the cases block sets it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefill: Option<String>,
    /// Shown but not taken from what is posted (prefilled values).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub readonly: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autocomplete: Option<String>,
    /// Messages for this field by error code, e.g. `form.required` → "Enter the owner's EGN".
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub messages: BTreeMap<String, Text>,
    /// The label as staff read the answer ("The applicant's EGN"), where the applicant's wording
    /// speaks to them ("Your EGN").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_label: Option<Text>,
}

impl LayoutField {
    pub fn max_files(&self) -> usize {
        self.max_files.unwrap_or(1).max(1) as usize
    }
}

/// What a schema says about the document's properties.
pub(crate) fn property<'a>(schema: &'a Value, name: &str) -> Option<&'a Value> {
    schema.get("properties").and_then(|p| p.get(name))
}

pub(crate) fn schema_requires(schema: &Value, name: &str) -> bool {
    schema
        .get("required")
        .and_then(Value::as_array)
        .is_some_and(|r| r.iter().any(|v| v.as_str() == Some(name)))
}

/// The JSON types a widget's value has, to check the schema agrees.
fn expected_type(widget: Widget) -> &'static [&'static str] {
    match widget {
        Widget::Number => &["integer", "number"],
        Widget::Checkbox => &["boolean"],
        Widget::EgnList | Widget::File => &["array"],
        _ => &["string"],
    }
}

/// Checks a layout against its schema: every field is a property of the schema with a type that
/// suits its widget, names are unique, conditions refer to earlier fields
/// of its step, choices have options (that the schema's `enum` allows), addresses name a
/// nomenclature and files their limits.
pub fn check(schema: &Value, layout: &Layout) -> Result<(), String> {
    if layout.steps.is_empty() {
        return Err("the layout has no steps".into());
    }
    let mut seen: HashSet<&str> = HashSet::new();
    let mut step_ids: HashSet<&str> = HashSet::new();
    for step in &layout.steps {
        let mut in_step: HashSet<&str> = HashSet::new();
        if !step_ids.insert(&step.id) {
            return Err(format!("step id {} is used twice", step.id));
        }
        if step.fields.is_empty() {
            return Err(format!("step {} has no fields", step.id));
        }
        for field in &step.fields {
            let name = field.name.as_str();
            let Some(prop) = property(schema, name) else {
                return Err(format!("field {name} is not a property of the schema"));
            };
            if name.is_empty()
                || !name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            {
                return Err(format!(
                    "field name {name:?} must be lower-case letters, digits and _"
                ));
            }
            if !seen.insert(name) {
                return Err(format!("field {name} appears twice in the layout"));
            }
            in_step.insert(name);
            if let Some(t) = prop.get("type").and_then(Value::as_str) {
                if !expected_type(field.widget).contains(&t) {
                    return Err(format!(
                        "field {name}: a {} widget cannot fill a property of type {t}",
                        field.widget.as_str()
                    ));
                }
            }
            if let Some(condition) = &field.when {
                if !in_step.contains(condition.field.as_str()) || condition.field == field.name {
                    return Err(format!(
                        "field {name}: its condition must refer to an earlier field of its step, not {}",
                        condition.field
                    ));
                }
            }
            match field.widget {
                Widget::Select | Widget::Radios => {
                    let allowed = prop.get("enum").and_then(Value::as_array);
                    if field.options.is_empty() && allowed.is_none() {
                        return Err(format!("field {name}: a choice needs options"));
                    }
                    if let Some(allowed) = allowed {
                        for option in &field.options {
                            if !allowed.iter().any(|v| v.as_str() == Some(&option.value)) {
                                return Err(format!(
                                    "field {name}: option {} is not in the schema's enum",
                                    option.value
                                ));
                            }
                        }
                    }
                }
                Widget::Address if field.nomenclature.is_none() => {
                    return Err(format!("field {name}: an address needs a nomenclature"));
                }
                Widget::File if field.accept.is_empty() || field.max_bytes.is_none() => {
                    return Err(format!(
                        "field {name}: an attachment needs accepted types and a maximum size"
                    ));
                }
                _ => {}
            }
        }
    }
    check_consents(layout)?;
    check_register_checks(layout)?;
    if let Some(routing) = &layout.routing {
        match layout.field(&routing.field) {
            Some(f) if f.widget == Widget::Address => {}
            _ => {
                return Err(format!(
                    "routing: {} is not an address field of the layout",
                    routing.field
                ))
            }
        }
    }
    Ok(())
}

impl ConsentRule {
    /// Whether the consent is needed with these answers.
    pub fn applies(&self, data: &Value) -> bool {
        self.when
            .as_ref()
            .is_none_or(|c| data.get(&c.field) == Some(&c.equals))
    }
}

impl RegisterCheck {
    /// Whether the check applies to these answers.
    pub fn applies(&self, data: &Value) -> bool {
        self.when
            .as_ref()
            .is_none_or(|c| data.get(&c.field) == Some(&c.equals))
    }

    /// The operation's parameters, from the answers; `None` when an answer it needs is missing.
    pub fn parameters_from(&self, data: &Value) -> Option<Value> {
        let mut parameters = serde_json::Map::new();
        for (name, field) in &self.parameters {
            let value = data.get(field).filter(|v| !v.is_null())?;
            parameters.insert(name.clone(), value.clone());
        }
        Some(Value::Object(parameters))
    }
}

impl Confirmation {
    /// Whether the register's answer confirms what the application says.
    pub fn holds(&self, answer: &Value, data: &Value) -> bool {
        match self {
            Confirmation::Equals {
                answer: path,
                value,
            } => answer.get(path) == Some(value),
            Confirmation::ContainsAll {
                answer: path,
                field,
            } => {
                let known = values_at(answer, path);
                let named: Vec<&str> = match data.get(field) {
                    Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
                    Some(Value::String(s)) => s.lines().map(str::trim).collect(),
                    _ => Vec::new(),
                };
                !named.is_empty() && named.iter().all(|n| known.iter().any(|k| k == n))
            }
        }
    }
}

/// The strings at `path` in an answer: `field`, or `array[].field` for each item.
fn values_at<'a>(answer: &'a Value, path: &str) -> Vec<&'a str> {
    match path.split_once("[].") {
        Some((array, key)) => answer
            .get(array)
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| i.get(key).and_then(Value::as_str))
                    .collect()
            })
            .unwrap_or_default(),
        None => answer
            .get(path)
            .and_then(Value::as_str)
            .into_iter()
            .collect(),
    }
}

fn check_register_checks(layout: &Layout) -> Result<(), String> {
    let mut ids = HashSet::new();
    for check in &layout.checks {
        if !ids.insert(check.id.as_str()) {
            return Err(format!("check {} is declared twice", check.id));
        }
        let mut fields: Vec<&String> = check.parameters.values().collect();
        fields.extend(check.when.as_ref().map(|w| &w.field));
        if let Confirmation::ContainsAll { field, .. } = &check.confirm {
            fields.push(field);
        }
        if let Some(missing) = fields.into_iter().find(|f| layout.field(f).is_none()) {
            return Err(format!(
                "check {}: it names {missing}, which is not a field",
                check.id
            ));
        }
    }
    Ok(())
}

fn check_consents(layout: &Layout) -> Result<(), String> {
    let mut roles = HashSet::new();
    for rule in &layout.consents {
        if !roles.insert(rule.role.as_str()) {
            return Err(format!("consent role {} is declared twice", rule.role));
        }
        match layout.field(&rule.person) {
            Some(f) if f.widget == Widget::Egn => {}
            _ => {
                return Err(format!(
                    "consent {}: {} is not an egn field of the layout",
                    rule.role, rule.person
                ))
            }
        }
        if let Some(when) = &rule.when {
            if layout.field(&when.field).is_none() {
                return Err(format!(
                    "consent {}: its condition names {}, which is not a field",
                    rule.role, when.field
                ));
            }
        }
        if let Some(missing) = rule.shows.iter().find(|f| layout.field(f).is_none()) {
            return Err(format!(
                "consent {}: it shows {missing}, which is not a field",
                rule.role
            ));
        }
        if let Some(finder) = &rule.found_in {
            if let Some(missing) = finder
                .inputs()
                .into_iter()
                .find(|f| layout.field(f).is_none())
            {
                return Err(format!(
                    "consent {}: it is found from {missing}, which is not a field",
                    rule.role
                ));
            }
            if let Some(subjects) = &finder.subjects {
                if layout.field(subjects).map(|f| f.widget) != Some(Widget::EgnList) {
                    return Err(format!(
                        "consent {}: {subjects} is not an egn_list field",
                        rule.role
                    ));
                }
            }
            if finder.people.is_empty() || finder.names_operation().is_none() {
                return Err(format!(
                    "consent {}: it needs the answer's people and the operation that names them",
                    rule.role
                ));
            }
        }
    }
    Ok(())
}

impl Layout {
    pub fn field(&self, name: &str) -> Option<&LayoutField> {
        self.steps
            .iter()
            .flat_map(|s| s.fields.iter())
            .find(|f| f.name == name)
    }
}

#[cfg(test)]
mod register_check_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_check_is_confirmed_only_by_what_the_register_says() {
        let owns: Confirmation = serde_json::from_value(
            json!({"equals": {"answer": "subject_is_owner", "value": true}}),
        )
        .unwrap();
        assert!(owns.holds(&json!({"subject_is_owner": true}), &json!({})));
        assert!(!owns.holds(&json!({"subject_is_owner": false}), &json!({})));
        assert!(
            !owns.holds(&json!({}), &json!({})),
            "a field not granted confirms nothing"
        );

        let children: Confirmation = serde_json::from_value(
            json!({"contains_all": {"answer": "children[].egn", "field": "children_egns"}}),
        )
        .unwrap();
        let register = json!({"children": [{"egn": "1545200011"}, {"egn": "1849090502"}]});
        assert!(children.holds(&register, &json!({"children_egns": ["1849090502"]})));
        assert!(!children.holds(
            &register,
            &json!({"children_egns": ["1849090502", "0000000000"]})
        ));
        assert!(
            !children.holds(&register, &json!({"children_egns": []})),
            "nothing named"
        );
    }
}
