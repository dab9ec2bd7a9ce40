//! From posted strings to typed, checked values: one step at a time, then the whole document.

use super::layout::{property, schema_requires, DateRule, LayoutField, Step, Widget};
use super::{compiled, FormVersion};
use crate::service::nomenclatures;
use crate::CatalogError;
use chrono::{Months, NaiveDate};
use jsonschema::error::ValidationErrorKind;
use portico_core::{Eik, PersonalId};
use portico_http::FieldError;
use portico_store::Db;
use serde_json::{Map, Value};
use std::collections::HashSet;

/// The code for a missing answer, by the kind of question.
fn missing_code(widget: Widget) -> &'static str {
    match widget {
        Widget::Select | Widget::Radios | Widget::Address => "form.choose",
        Widget::File => "form.file.required",
        Widget::Checkbox => "form.confirm",
        _ => "form.required",
    }
}

fn schema_code(kind: &ValidationErrorKind, widget: Option<Widget>) -> &'static str {
    use ValidationErrorKind as K;
    match kind {
        K::Required { .. } => widget.map(missing_code).unwrap_or("form.required"),
        K::MaxLength { .. } => "form.too_long",
        K::MinLength { .. } => "form.too_short",
        K::Pattern { .. } => "form.pattern",
        K::Minimum { .. } | K::ExclusiveMinimum { .. } => "form.too_small",
        K::Maximum { .. } | K::ExclusiveMaximum { .. } => "form.too_large",
        K::MaxItems { .. } => "form.too_many",
        K::MinItems { .. } => widget.map(missing_code).unwrap_or("form.required"),
        K::Enum { .. } | K::Constant { .. } => "form.option.unknown",
        K::Format { format } if format == "date" => "form.date.invalid",
        _ => "form.invalid",
    }
}

/// Whether the person is younger than `years` on `today`.
fn younger_than(birth: NaiveDate, years: u32, today: NaiveDate) -> bool {
    today
        .checked_sub_months(Months::new(years.saturating_mul(12)))
        .is_some_and(|limit| birth > limit)
}

/// Whether `bytes` start with the signature of `content_type`, for PDF, JPEG and PNG; other
/// types have no signature checked here and pass.
pub fn content_matches(content_type: &str, bytes: &[u8]) -> bool {
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let signature: &[u8] = match mime.as_str() {
        "application/pdf" => b"%PDF-",
        "image/jpeg" => &[0xFF, 0xD8, 0xFF],
        "image/png" => &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A],
        _ => return true,
    };
    bytes.starts_with(signature)
}

/// A personal number: an EGN or, for a foreigner, an LNCh. A field with an age limit needs an
/// EGN, the only one that tells a date of birth.
fn check_egn(raw: &str, field: &LayoutField, today: Option<NaiveDate>) -> Result<String, String> {
    let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    let id = match PersonalId::parse_egn(&compact) {
        Ok(id) => id,
        Err(e) if field.max_age_years.is_some() => return Err(e.code().to_owned()),
        Err(e) => PersonalId::parse_lnch(&compact).map_err(|_| e.code().to_owned())?,
    };
    if let (Some(years), Some(today)) = (field.max_age_years, today) {
        if !id
            .birth_date()
            .is_some_and(|birth| younger_than(birth, years, today))
        {
            return Err("form.egn.too_old".into());
        }
    }
    Ok(compact)
}

fn parse_date(day: &str, month: &str, year: &str) -> Option<NaiveDate> {
    let number = |s: &str| -> Option<u32> {
        let s = s.trim();
        (!s.is_empty() && s.len() <= 4 && s.chars().all(|c| c.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    if year.trim().len() != 4 {
        return None;
    }
    NaiveDate::from_ymd_opt(
        i32::try_from(number(year)?).ok()?,
        number(month)?,
        number(day)?,
    )
}

/// Every value posted under `name`.
fn values<'a>(posted: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    posted
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

fn first<'a>(posted: &'a [(String, String)], name: &str) -> &'a str {
    values(posted, name).first().map(|v| v.trim()).unwrap_or("")
}

impl FormVersion {
    /// Whether an answer to `field` is needed (when it applies at all).
    pub fn is_required(&self, field: &LayoutField) -> bool {
        field
            .required
            .unwrap_or_else(|| schema_requires(&self.schema, &field.name))
    }

    pub(super) fn allowed_options(&self, field: &LayoutField) -> Vec<String> {
        if !field.options.is_empty() {
            return field.options.iter().map(|o| o.value.clone()).collect();
        }
        property(&self.schema, &field.name)
            .and_then(|p| p.get("enum"))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// One field's value from what was posted: `Ok(None)` when nothing was given, `Err(code)`
    /// when what was given is not acceptable.
    fn parse_field(
        &self,
        field: &LayoutField,
        posted: &[(String, String)],
        today: NaiveDate,
        is_known: &dyn Fn(&str, &str) -> bool,
    ) -> Result<Option<Value>, String> {
        let name = field.name.as_str();
        let raw = first(posted, name);
        match field.widget {
            Widget::Text | Widget::Textarea => {
                Ok((!raw.is_empty()).then(|| Value::String(raw.replace("\r\n", "\n"))))
            }
            Widget::Number => {
                if raw.is_empty() {
                    return Ok(None);
                }
                let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
                let integer = property(&self.schema, name)
                    .and_then(|p| p.get("type"))
                    .and_then(Value::as_str)
                    != Some("number");
                if integer {
                    compact
                        .parse::<i64>()
                        .map(|n| Some(Value::from(n)))
                        .map_err(|_| "form.number.invalid".into())
                } else {
                    compact
                        .replace(',', ".")
                        .parse::<f64>()
                        .ok()
                        .and_then(serde_json::Number::from_f64)
                        .map(|n| Some(Value::Number(n)))
                        .ok_or_else(|| "form.number.invalid".into())
                }
            }
            Widget::Date => {
                let (day, month, year) = (
                    first(posted, &format!("{name}-day")),
                    first(posted, &format!("{name}-month")),
                    first(posted, &format!("{name}-year")),
                );
                if day.is_empty() && month.is_empty() && year.is_empty() {
                    return Ok(None);
                }
                let date = parse_date(day, month, year).ok_or("form.date.invalid")?;
                match field.date {
                    Some(DateRule::Past) if date >= today => Err("form.date.past".into()),
                    Some(DateRule::Future) if date <= today => Err("form.date.future".into()),
                    _ => Ok(Some(Value::String(date.format("%Y-%m-%d").to_string()))),
                }
            }
            Widget::Select | Widget::Radios => {
                if raw.is_empty() {
                    return Ok(None);
                }
                if self.allowed_options(field).iter().any(|o| o == raw) {
                    Ok(Some(Value::String(raw.to_owned())))
                } else {
                    Err("form.option.unknown".into())
                }
            }
            Widget::Checkbox => Ok(Some(Value::Bool(matches!(raw, "yes" | "true" | "on")))),
            Widget::Egn => {
                if raw.is_empty() {
                    return Ok(None);
                }
                check_egn(raw, field, Some(today)).map(|egn| Some(Value::String(egn)))
            }
            Widget::Eik => {
                if raw.is_empty() {
                    return Ok(None);
                }
                let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
                Eik::parse(&compact)
                    .map(|e| Some(Value::String(e.as_str().to_owned())))
                    .map_err(|e| e.code().to_owned())
            }
            Widget::EgnList => {
                let items: Vec<&str> = raw
                    .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
                    .filter(|s| !s.is_empty())
                    .collect();
                if items.is_empty() {
                    return Ok(None);
                }
                let mut list = Vec::new();
                for item in items {
                    let egn = check_egn(item, field, Some(today))?;
                    if !list.contains(&Value::String(egn.clone())) {
                        list.push(Value::String(egn));
                    }
                }
                Ok(Some(Value::Array(list)))
            }
            Widget::Address => {
                if raw.is_empty() {
                    return Ok(None);
                }
                let nomenclature = field.nomenclature.as_deref().unwrap_or("");
                if is_known(nomenclature, raw) {
                    Ok(Some(Value::String(raw.to_owned())))
                } else {
                    Err("form.address.unknown".into())
                }
            }
            Widget::File => {
                let ids: Vec<Value> = values(posted, name)
                    .into_iter()
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(|v| Value::String(v.to_owned()))
                    .collect();
                if ids.is_empty() {
                    Ok(None)
                } else if ids.len() > field.max_files() {
                    Err("form.too_many".into())
                } else {
                    Ok(Some(Value::Array(ids)))
                }
            }
        }
    }

    /// Turns the strings posted for one step into typed values for that step's fields, and
    /// checks them: answers needed, options, dates, EGN/EIK checksums, nomenclature codes (through
    /// `is_known(nomenclature, code)`), then the schema's own rules (lengths, patterns, ranges,
    /// formats). Fields that do not apply (their `when` is not met) and read-only fields are left
    /// out. On any problem, every field's problem is returned, and nothing is.
    ///
    /// Attachment fields take the ids of files already uploaded, posted under the field's name.
    pub fn parse_step_with(
        &self,
        step_index: usize,
        posted: &[(String, String)],
        today: NaiveDate,
        is_known: &dyn Fn(&str, &str) -> bool,
    ) -> Result<Map<String, Value>, CatalogError> {
        let step = self.step(step_index).ok_or(CatalogError::NotFound)?;
        let mut out = Map::new();
        let mut errors: Vec<FieldError> = Vec::new();
        for field in &step.fields {
            if field.readonly {
                continue;
            }
            if let Some(condition) = &field.when {
                if out.get(&condition.field) != Some(&condition.equals) {
                    continue;
                }
            }
            match self.parse_field(field, posted, today, is_known) {
                Ok(Some(Value::Bool(false))) if self.is_required(field) => {
                    errors.push(FieldError::new(&field.name, missing_code(field.widget)));
                }
                Ok(Some(value)) => {
                    out.insert(field.name.clone(), value);
                }
                Ok(None) if self.is_required(field) => {
                    errors.push(FieldError::new(&field.name, missing_code(field.widget)));
                }
                Ok(None) => {}
                Err(code) => errors.push(FieldError::new(&field.name, &code)),
            }
        }
        for error in self.schema_errors_for_step(step, &out) {
            if !errors.iter().any(|e| e.field == error.field) {
                errors.push(error);
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            // In the order the fields are on the page, for the error summary.
            let order = |name: &str| step.fields.iter().position(|f| f.name == name);
            errors.sort_by_key(|e| order(&e.field));
            Err(CatalogError::Invalid(errors))
        }
    }

    /// [`Self::parse_step_with`], looking address codes up in the catalog's nomenclatures.
    pub async fn parse_step(
        &self,
        db: &Db,
        step_index: usize,
        posted: &[(String, String)],
        today: NaiveDate,
    ) -> Result<Map<String, Value>, CatalogError> {
        let step = self.step(step_index).ok_or(CatalogError::NotFound)?;
        let mut known: HashSet<(String, String)> = HashSet::new();
        for field in step.fields.iter().filter(|f| f.widget == Widget::Address) {
            let nomenclature = field.nomenclature.as_deref().unwrap_or("");
            let code = first(posted, &field.name);
            if !code.is_empty() {
                for found in nomenclatures::known(db, nomenclature, &[code]).await? {
                    known.insert((nomenclature.to_owned(), found));
                }
            }
        }
        self.parse_step_with(step_index, posted, today, &|n, c| {
            known.contains(&(n.to_owned(), c.to_owned()))
        })
    }

    /// The schema's rules for the fields of one step, over the values parsed so far.
    fn schema_errors_for_step(&self, step: &Step, values: &Map<String, Value>) -> Vec<FieldError> {
        let mut properties = Map::new();
        for field in &step.fields {
            if let Some(p) = property(&self.schema, &field.name) {
                properties.insert(field.name.clone(), p.clone());
            }
        }
        let mut partial = serde_json::json!({ "type": "object", "properties": properties });
        if let Some(defs) = self.schema.get("$defs") {
            partial["$defs"] = defs.clone();
        }
        self.errors_against(&partial, &Value::Object(values.clone()))
    }

    fn errors_against(&self, schema: &Value, instance: &Value) -> Vec<FieldError> {
        let validator = match compiled(schema) {
            Ok(v) => v,
            Err(e) => {
                // Published schemas compile (checked at publishing); this is a bug, not input.
                tracing::error!(form = %self.id, error = %e, "form schema does not compile");
                return vec![FieldError::new("form", "form.invalid")];
            }
        };
        let mut errors: Vec<FieldError> = Vec::new();
        for error in validator.iter_errors(instance) {
            let (field, widget) = match error.kind() {
                ValidationErrorKind::Required { property } => {
                    let name = property.as_str().unwrap_or("").to_owned();
                    let widget = self.field(&name).map(|f| f.widget);
                    (name, widget)
                }
                _ => {
                    let name = error
                        .instance_path()
                        .iter()
                        .next()
                        .map(|s| s.to_string())
                        .unwrap_or_else(|| "form".to_owned());
                    let widget = self.field(&name).map(|f| f.widget);
                    (name, widget)
                }
            };
            if !errors.iter().any(|e| e.field == field) {
                errors.push(FieldError::new(&field, schema_code(error.kind(), widget)));
            }
        }
        errors
    }

    /// The final gate before an application is submitted: the whole document against the
    /// schema (draft 2020-12, formats checked), and personal and company numbers against their
    /// checksums. Empty when the document is valid.
    pub fn validate(&self, data: &Value) -> Vec<FieldError> {
        let mut errors = self.errors_against(&self.schema, data);
        for field in self.steps().iter().flat_map(|s| s.fields.iter()) {
            let Some(value) = data.get(&field.name) else {
                continue;
            };
            let problem = match (field.widget, value) {
                (Widget::Egn, Value::String(s)) => check_egn(s, field, None).err(),
                (Widget::EgnList, Value::Array(items)) => items
                    .iter()
                    .find_map(|v| check_egn(v.as_str().unwrap_or(""), field, None).err()),
                (Widget::Eik, Value::String(s)) => Eik::parse(s).err().map(|e| e.code().to_owned()),
                _ => None,
            };
            if let Some(code) = problem {
                if !errors.iter().any(|e| e.field == field.name) {
                    errors.push(FieldError::new(&field.name, &code));
                }
            }
        }
        errors
    }

    /// Checks an upload for an attachment field before it is stored: its type and size.
    pub fn check_attachment(
        &self,
        field: &str,
        content_type: &str,
        len: u64,
    ) -> Result<(), FieldError> {
        let Some(def) = self.field(field).filter(|f| f.widget == Widget::File) else {
            return Err(FieldError::new(field, "form.invalid"));
        };
        let mime = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if !def.accept.iter().any(|a| a.eq_ignore_ascii_case(&mime)) {
            return Err(FieldError::new(field, "form.file.type"));
        }
        if len == 0 {
            return Err(FieldError::new(field, "form.file.empty"));
        }
        if len > def.max_bytes.unwrap_or(0) {
            return Err(FieldError::new(field, "form.file.too_big"));
        }
        Ok(())
    }

    /// Checks an upload's first bytes against its declared type, for the types whose signature
    /// is known (PDF, JPEG, PNG): a file labelled as one of them must start as one.
    pub fn check_attachment_content(
        &self,
        field: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> Result<(), FieldError> {
        if content_matches(content_type, bytes) {
            Ok(())
        } else {
            Err(FieldError::new(field, "form.file.mislabelled"))
        }
    }

    /// What was posted for one step, as raw strings, to draw the step again after a refusal
    /// (pass it as `data` to [`Self::step_view`]): people see exactly what they typed.
    pub fn echo(&self, step_index: usize, posted: &[(String, String)]) -> Value {
        let mut out = Map::new();
        for field in self
            .step(step_index)
            .map(|s| s.fields.as_slice())
            .unwrap_or(&[])
        {
            match field.widget {
                Widget::File => {}
                Widget::Checkbox => {
                    let on = matches!(first(posted, &field.name), "yes" | "true" | "on");
                    out.insert(field.name.clone(), Value::Bool(on));
                }
                Widget::Date => {
                    for part in ["day", "month", "year"] {
                        let key = format!("{}-{part}", field.name);
                        let value = first(posted, &key).to_owned();
                        out.insert(key, Value::String(value));
                    }
                }
                _ => {
                    if let Some(raw) = values(posted, &field.name).first() {
                        out.insert(field.name.clone(), Value::String((*raw).to_owned()));
                    }
                }
            }
        }
        Value::Object(out)
    }

    /// Puts one step's parsed values into an application's data: the step's fields are replaced
    /// (answers that no longer apply are removed); read-only (prefilled) fields are kept.
    pub fn merge_step(&self, step_index: usize, data: &mut Value, parsed: Map<String, Value>) {
        if !data.is_object() {
            *data = Value::Object(Map::new());
        }
        if let (Some(step), Some(object)) = (self.step(step_index), data.as_object_mut()) {
            for field in step.fields.iter().filter(|f| !f.readonly) {
                object.remove(&field.name);
            }
            object.extend(parsed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::check_definition;
    use chrono::Utc;
    use serde_json::json;

    fn form() -> FormVersion {
        let schema = json!({
            "$schema": crate::forms::DRAFT_2020_12,
            "type": "object",
            "properties": {
                "name": { "type": "string", "maxLength": 10 },
                "born": { "type": "string", "format": "date" },
                "egn": { "type": "string", "pattern": "^[0-9]{10}$" },
                "kind": { "type": "string", "enum": ["permanent", "current"] },
                "address": { "type": "string" },
                "owner": { "type": "string", "enum": ["yes", "no"] },
                "owner_egn": { "type": "string" },
                "children": { "type": "array", "items": { "type": "string" }, "maxItems": 2 },
                "deed": { "type": "array", "items": { "type": "string" } }
            },
            "required": ["name", "egn", "kind", "address", "owner"]
        });
        let layout = json!({ "steps": [
            { "id": "one", "title": { "bg": "Стъпка", "en": "Step" }, "fields": [
                { "name": "name", "widget": "text", "label": { "bg": "Име", "en": "Name" } },
                { "name": "born", "widget": "date", "date": "past", "label": { "bg": "Дата на раждане", "en": "Date of birth" } },
                { "name": "egn", "widget": "egn", "label": { "bg": "ЕГН", "en": "EGN" } },
                { "name": "kind", "widget": "radios", "label": { "bg": "Вид", "en": "Kind" }, "options": [
                    { "value": "permanent", "label": { "bg": "Постоянен", "en": "Permanent" } },
                    { "value": "current", "label": { "bg": "Настоящ", "en": "Current" } } ] },
                { "name": "address", "widget": "address", "nomenclature": "sofia_addresses", "label": { "bg": "Адрес", "en": "Address" } },
                { "name": "owner", "widget": "radios", "label": { "bg": "Собственик ли сте?", "en": "Do you own it?" }, "options": [
                    { "value": "yes", "label": { "bg": "Да", "en": "Yes" } },
                    { "value": "no", "label": { "bg": "Не", "en": "No" } } ] },
                { "name": "owner_egn", "widget": "egn", "required": true, "when": { "field": "owner", "equals": "no" },
                  "label": { "bg": "ЕГН на собственика", "en": "Owner's EGN" } },
                { "name": "children", "widget": "egn_list", "max_age_years": 18, "label": { "bg": "Деца", "en": "Children" } }
            ] },
            { "id": "two", "title": { "bg": "Документи", "en": "Documents" }, "fields": [
                { "name": "deed", "widget": "file", "accept": ["application/pdf", "image/png"], "max_bytes": 1048576,
                  "label": { "bg": "Нотариален акт", "en": "Title deed" } }
            ] }
        ] });
        let parsed = check_definition(&schema, &layout).unwrap();
        FormVersion {
            id: "f".into(),
            form_key: "test".into(),
            version: 1,
            schema,
            layout: parsed,
            published_at: Utc::now(),
            published_by: "t".into(),
        }
    }

    fn post(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()
    }

    fn known(_: &str, code: &str) -> bool {
        code == "sofia-1"
    }

    fn codes(result: Result<Map<String, Value>, CatalogError>) -> Vec<(String, String)> {
        match result {
            Err(CatalogError::Invalid(errors)) => {
                errors.into_iter().map(|e| (e.field, e.code)).collect()
            }
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    fn child_egn() -> String {
        portico_core::personal_id::synthetic_egn(NaiveDate::from_ymd_opt(2015, 10, 1).unwrap(), 7)
    }

    #[test]
    fn a_valid_step_becomes_typed_values() {
        let f = form();
        let child = child_egn();
        let children = format!("{child}\n{child}");
        let values = f
            .parse_step_with(
                0,
                &post(&[
                    ("name", " Иван "),
                    ("born-day", "14"),
                    ("born-month", "7"),
                    ("born-year", "1985"),
                    ("egn", "7523169263"),
                    ("kind", "current"),
                    ("address", "sofia-1"),
                    ("owner", "yes"),
                    ("owner_egn", "this does not apply and is ignored"),
                    ("children", &children),
                ]),
                today(),
                &known,
            )
            .unwrap();
        assert_eq!(values["name"], "Иван");
        assert_eq!(values["born"], "1985-07-14");
        assert_eq!(values["children"], json!([child]));
        assert!(!values.contains_key("owner_egn"));
        let mut data = json!({ "owner_egn": "old", "other": 1 });
        f.merge_step(0, &mut data, values);
        assert!(data.get("owner_egn").is_none() && data["other"] == 1);
    }

    // Before the fix, an LNCh (a foreigner's number, prefilled from the account) was refused as
    // "not a valid EGN/LNCh" at submit.
    #[test]
    fn a_personal_number_field_takes_an_lnch_but_an_age_limit_needs_an_egn() {
        let f = form();
        let step = |egn: &str, children: &str| {
            f.parse_step_with(
                0,
                &post(&[
                    ("name", "Джон"),
                    ("born-day", "14"),
                    ("born-month", "7"),
                    ("born-year", "1985"),
                    ("egn", egn),
                    ("kind", "current"),
                    ("address", "sofia-1"),
                    ("owner", "yes"),
                    ("children", children),
                ]),
                today(),
                &known,
            )
        };
        let values = step("1001045968", "").unwrap();
        assert_eq!(values["egn"], "1001045968");
        assert_eq!(
            codes(step("1001045967", "")),
            vec![("egn".to_owned(), "personal_id.bad_checksum".to_owned())]
        );
        assert_eq!(
            codes(step("1001045968", "1001045968")),
            vec![("children".to_owned(), "personal_id.bad_checksum".to_owned())]
        );
    }

    #[test]
    fn declared_types_are_checked_against_the_first_bytes() {
        assert!(content_matches("application/pdf", b"%PDF-1.7\n"));
        assert!(!content_matches("application/pdf", b"<html>"));
        assert!(content_matches("image/png", b"\x89PNG\r\n\x1a\nrest"));
        assert!(!content_matches("image/png", b"%PDF-1.7"));
        assert!(content_matches(
            "image/jpeg; x=y",
            &[0xFF, 0xD8, 0xFF, 0xE0]
        ));
        assert!(!content_matches("IMAGE/JPEG", b"GIF89a"));
        assert!(content_matches("text/plain", b"anything"));
    }

    #[test]
    fn every_bad_field_is_named() {
        let f = form();
        let result = f.parse_step_with(
            0,
            &post(&[
                ("name", "far too long a name"),
                ("born-day", "31"),
                ("born-month", "2"),
                ("born-year", "1990"),
                ("egn", "7523169264"),
                ("kind", "holiday"),
                ("address", "nowhere"),
                ("owner", "no"),
                ("children", "7523169263"),
            ]),
            today(),
            &known,
        );
        assert_eq!(
            codes(result),
            vec![
                ("name".into(), "form.too_long".into()),
                ("born".into(), "form.date.invalid".into()),
                ("egn".into(), "personal_id.bad_checksum".into()),
                ("kind".into(), "form.option.unknown".into()),
                ("address".into(), "form.address.unknown".into()),
                ("owner_egn".into(), "form.required".into()),
                ("children".into(), "form.egn.too_old".into()),
            ]
        );
        let empty = f.parse_step_with(0, &[], today(), &known);
        assert_eq!(
            codes(empty),
            vec![
                ("name".into(), "form.required".into()),
                ("egn".into(), "form.required".into()),
                ("kind".into(), "form.choose".into()),
                ("address".into(), "form.choose".into()),
                ("owner".into(), "form.choose".into()),
            ]
        );
        let future = f.parse_step_with(
            0,
            &post(&[
                ("born-day", "1"),
                ("born-month", "1"),
                ("born-year", "2030"),
            ]),
            today(),
            &known,
        );
        assert!(codes(future).contains(&("born".into(), "form.date.past".into())));
    }

    #[test]
    fn the_whole_document_is_checked_at_the_end() {
        let f = form();
        let errors = f.validate(&json!({ "name": "Иван", "egn": "7523169264", "kind": "x" }));
        let pairs: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert!(pairs.contains(&("address", "form.choose")), "{pairs:?}");
        assert!(
            pairs.contains(&("kind", "form.option.unknown")),
            "{pairs:?}"
        );
        assert!(
            pairs.contains(&("egn", "form.pattern"))
                || pairs.contains(&("egn", "personal_id.bad_checksum"))
        );
        assert!(f
            .validate(&json!({ "name": "Иван", "egn": "7523169263", "kind": "current", "address": "a", "owner": "yes" }))
            .is_empty());
    }

    #[test]
    fn attachments_have_types_and_sizes() {
        let f = form();
        assert!(f.check_attachment("deed", "application/pdf", 1000).is_ok());
        assert!(f
            .check_attachment("deed", "Image/PNG; charset=binary", 1000)
            .is_ok());
        assert_eq!(
            f.check_attachment("deed", "image/gif", 10)
                .unwrap_err()
                .code,
            "form.file.type"
        );
        assert_eq!(
            f.check_attachment("deed", "application/pdf", 2 * 1048576)
                .unwrap_err()
                .code,
            "form.file.too_big"
        );
        assert_eq!(
            f.check_attachment("name", "application/pdf", 1)
                .unwrap_err()
                .code,
            "form.invalid"
        );
        let ids = f
            .parse_step_with(1, &post(&[("deed", "blob-1")]), today(), &known)
            .unwrap();
        assert_eq!(ids["deed"], json!(["blob-1"]));
        assert_eq!(
            codes(f.parse_step_with(1, &post(&[("deed", "a"), ("deed", "b")]), today(), &known)),
            vec![("deed".into(), "form.too_many".into())]
        );
    }
}
