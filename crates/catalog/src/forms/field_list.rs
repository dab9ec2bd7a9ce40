//! The form editor's field list: a form seen as rows, one a field (its labels in Bulgarian and
//! English, its type, whether it is required, its step), edited without JavaScript (each button
//! is a submit: add another field, remove, move up or down) and turned back into a JSON Schema and
//! a layout.
//!
//! The rows are edits on top of a *base* definition (the one the editor was opened with): a
//! field the base has keeps everything the list does not show (hint, condition, messages,
//! prefill, its schema property with its limits) while its type stays the same; a new field, or
//! one whose type changed, gets the plain property of its type. Whatever comes out is checked by
//! [`super::check_definition`] like a definition typed as JSON.

use super::layout::{property, schema_requires, Layout, LayoutField, OptionDef, Widget};
use crate::model::Text;
use portico_core::FieldError;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// The types the list offers for any field. `address` and `egn_list` need more than a row can
/// say (a nomenclature, an age limit): a field that already is one keeps it, none becomes one.
pub const OFFERED: &[Widget] = &[
    Widget::Text,
    Widget::Textarea,
    Widget::Number,
    Widget::Date,
    Widget::Radios,
    Widget::Select,
    Widget::Checkbox,
    Widget::Egn,
    Widget::Eik,
    Widget::File,
];

/// At most this many rows are read from a post.
const MAX_ROWS: usize = 200;

/// The accepted types and largest size of a new attachment field.
const FILE_TYPES: &[&str] = &["application/pdf", "image/jpeg", "image/png"];
const FILE_MAX_BYTES: u64 = 10 * 1024 * 1024;

/// One field as the list shows and posts it; every part as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRow {
    /// The schema property it fills (hidden in the page; made up for a new field).
    pub name: String,
    pub label_bg: String,
    pub label_en: String,
    pub widget: String,
    pub required: bool,
    /// The id of its step.
    pub step: String,
    /// For a choice: one answer a line, `value | Bulgarian | English`.
    pub options: String,
}

/// A button of the list other than preview and publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    Add,
    Remove(usize),
    Up(usize),
    Down(usize),
}

impl Edit {
    /// `add`, `remove-3`, `up-3`, `down-3`.
    pub fn parse(action: &str) -> Option<Edit> {
        if action == "add" {
            return Some(Edit::Add);
        }
        let (verb, index) = action.split_once('-')?;
        let index: usize = index.parse().ok()?;
        match verb {
            "remove" => Some(Edit::Remove(index)),
            "up" => Some(Edit::Up(index)),
            "down" => Some(Edit::Down(index)),
            _ => None,
        }
    }
}

fn options_text(options: &[OptionDef]) -> String {
    options
        .iter()
        .map(|o| format!("{} | {} | {}", o.value, o.label.bg, o.label.en))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The rows of a definition, in the order a person meets the fields.
pub fn rows_of(schema: &Value, layout: &Layout) -> Vec<FieldRow> {
    let mut rows = Vec::new();
    for step in &layout.steps {
        for field in &step.fields {
            rows.push(FieldRow {
                name: field.name.clone(),
                label_bg: field.label.bg.clone(),
                label_en: field.label.en.clone(),
                widget: field.widget.as_str().to_owned(),
                required: field
                    .required
                    .unwrap_or_else(|| schema_requires(schema, &field.name)),
                step: step.id.clone(),
                options: options_text(&field.options),
            });
        }
    }
    rows
}

/// The rows posted: `name-0`, `label_bg-0`, `label_en-0`, `widget-0`, `required-0` (present when
/// ticked), `step-0`, `options-0`, then `-1`… up to the first index without a name.
pub fn read_rows(pairs: &[(String, String)]) -> Vec<FieldRow> {
    let posted: HashMap<&str, &str> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let get = |part: &str, i: usize| {
        posted
            .get(format!("{part}-{i}").as_str())
            .map(|v| (*v).to_owned())
    };
    let mut rows = Vec::new();
    for i in 0..MAX_ROWS {
        let Some(name) = get("name", i) else { break };
        rows.push(FieldRow {
            name,
            label_bg: get("label_bg", i).unwrap_or_default(),
            label_en: get("label_en", i).unwrap_or_default(),
            widget: get("widget", i).unwrap_or_default(),
            required: get("required", i).is_some(),
            step: get("step", i).unwrap_or_default(),
            options: get("options", i).unwrap_or_default(),
        });
    }
    rows
}

/// A name for a new field that neither the base nor another row uses.
fn new_name(rows: &[FieldRow], schema: &Value) -> String {
    (rows.len() + 1..)
        .map(|n| format!("field_{n}"))
        .find(|name| rows.iter().all(|r| r.name != *name) && property(schema, name).is_none())
        .unwrap_or_default()
}

/// Applies a button to the rows. Moving up past the first field of a step puts the field at the
/// end of the step before; moving down past the last, at the start of the next. A new field is a
/// required text field at the end of the last step. An index out of range changes nothing.
pub fn apply(rows: &mut Vec<FieldRow>, edit: Edit, schema: &Value, layout: &Layout) {
    match edit {
        Edit::Add => {
            let step = layout
                .steps
                .last()
                .map(|s| s.id.clone())
                .unwrap_or_default();
            let name = new_name(rows, schema);
            rows.push(FieldRow {
                name,
                label_bg: String::new(),
                label_en: String::new(),
                widget: Widget::Text.as_str().to_owned(),
                required: true,
                step,
                options: String::new(),
            });
        }
        Edit::Remove(i) if i < rows.len() => {
            rows.remove(i);
        }
        Edit::Up(i) if i > 0 && i < rows.len() => {
            if rows[i - 1].step == rows[i].step {
                rows.swap(i - 1, i);
            } else {
                rows[i].step = rows[i - 1].step.clone();
            }
        }
        Edit::Down(i) if i + 1 < rows.len() => {
            if rows[i + 1].step == rows[i].step {
                rows.swap(i, i + 1);
            } else {
                rows[i].step = rows[i + 1].step.clone();
            }
        }
        _ => {}
    }
    order(rows, layout);
}

/// Puts the rows in the order of their steps (a row whose step was changed goes where that
/// step's rows are), keeping their order within a step.
pub fn order(rows: &mut [FieldRow], layout: &Layout) {
    let steps: Vec<&str> = layout.steps.iter().map(|s| s.id.as_str()).collect();
    rows.sort_by_key(|row| steps.iter().position(|s| *s == row.step));
}

fn widget_named(name: &str) -> Option<Widget> {
    serde_json::from_value(Value::String(name.to_owned())).ok()
}

/// The property a new field of this type gets.
fn plain_property(widget: Widget) -> Value {
    match widget {
        Widget::Textarea => json!({"type": "string", "maxLength": 3000}),
        Widget::Number => json!({"type": "integer"}),
        Widget::Date => json!({"type": "string", "format": "date"}),
        Widget::Checkbox => json!({"type": "boolean"}),
        Widget::Egn => json!({"type": "string", "pattern": "^[0-9]{10}$"}),
        Widget::Eik => json!({"type": "string", "pattern": "^[0-9]{9}([0-9]{4})?$"}),
        Widget::File => json!({"type": "array", "items": {"type": "string"}, "maxItems": 1}),
        _ => json!({"type": "string", "maxLength": 300}),
    }
}

/// `value | bg | en` lines; `None` when a line is not so.
fn parse_options(text: &str) -> Option<Vec<OptionDef>> {
    let mut options = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let parts: Vec<&str> = line.split('|').map(str::trim).collect();
        let [value, bg, en] = parts.as_slice() else {
            return None;
        };
        if value.is_empty() || bg.is_empty() || en.is_empty() {
            return None;
        }
        options.push(OptionDef {
            value: (*value).to_owned(),
            label: Text::new(bg, en),
            hint: None,
        });
    }
    Some(options)
}

/// The definition the rows make from the base: a schema and a layout for
/// [`super::check_definition`]. A row refused (a label missing, a type not offered, choices not
/// written as `value | bg | en`, a step the form has not) is a field error named after its input
/// (`label_bg-2`), and nothing is made.
pub fn build(
    schema: &Value,
    layout: &Layout,
    rows: &[FieldRow],
) -> Result<(Value, Value), Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut fields: Vec<(String, LayoutField, Value)> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let base = layout.field(&row.name);
        if row.label_bg.trim().is_empty() {
            errors.push(FieldError::new(
                &format!("label_bg-{i}"),
                "catalog.fields.label_bg",
            ));
        }
        if row.label_en.trim().is_empty() {
            errors.push(FieldError::new(
                &format!("label_en-{i}"),
                "catalog.fields.label_en",
            ));
        }
        let widget = widget_named(&row.widget)
            .filter(|w| OFFERED.contains(w) || base.is_some_and(|b| b.widget == *w));
        let Some(widget) = widget else {
            errors.push(FieldError::new(
                &format!("widget-{i}"),
                "catalog.fields.widget",
            ));
            continue;
        };
        if !layout.steps.iter().any(|s| s.id == row.step) {
            errors.push(FieldError::new(&format!("step-{i}"), "catalog.fields.step"));
        }
        let mut options = Vec::new();
        if matches!(widget, Widget::Radios | Widget::Select) {
            match parse_options(&row.options) {
                Some(parsed) if !parsed.is_empty() => options = parsed,
                _ => errors.push(FieldError::new(
                    &format!("options-{i}"),
                    "catalog.fields.options",
                )),
            }
        }
        let label = Text::new(row.label_bg.trim(), row.label_en.trim());
        let same = base.filter(|b| b.widget == widget);
        let (mut field, mut prop) = match same {
            Some(b) => (
                b.clone(),
                property(schema, &b.name)
                    .cloned()
                    .unwrap_or_else(|| plain_property(widget)),
            ),
            None => {
                let mut field: LayoutField = match serde_json::from_value(json!({
                    "name": row.name,
                    "widget": widget.as_str(),
                    "label": {"bg": "", "en": ""},
                })) {
                    Ok(f) => f,
                    Err(_) => {
                        errors.push(FieldError::new(
                            &format!("widget-{i}"),
                            "catalog.fields.widget",
                        ));
                        continue;
                    }
                };
                if let Some(b) = base {
                    field.hint = b.hint.clone();
                    field.when = b.when.clone();
                    field.staff_label = b.staff_label.clone();
                }
                if widget == Widget::File {
                    field.accept = FILE_TYPES.iter().map(|t| (*t).to_owned()).collect();
                    field.max_bytes = Some(FILE_MAX_BYTES);
                }
                (field, plain_property(widget))
            }
        };
        field.label = label;
        if matches!(widget, Widget::Radios | Widget::Select) {
            field.options = options;
            if let Some(p) = prop.as_object_mut() {
                let values: Vec<Value> = field
                    .options
                    .iter()
                    .map(|o| Value::from(o.value.as_str()))
                    .collect();
                p.insert("type".into(), Value::from("string"));
                p.insert("enum".into(), Value::Array(values));
            }
        }
        fields.push((row.step.clone(), field, prop));
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let mut schema = schema.clone();
    let removed: Vec<String> = layout
        .steps
        .iter()
        .flat_map(|s| s.fields.iter())
        .map(|f| f.name.clone())
        .filter(|name| rows.iter().all(|r| r.name != *name))
        .collect();
    let mut properties = schema
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for name in &removed {
        properties.remove(name);
    }
    let mut required: Vec<Value> = schema
        .get("required")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    required.retain(|v| v.as_str().is_some_and(|n| !removed.iter().any(|r| r == n)));
    for ((_, field, prop), row) in fields.iter_mut().zip(rows) {
        properties.insert(field.name.clone(), prop.clone());
        let listed = required.iter().any(|v| v.as_str() == Some(&field.name));
        if field.when.is_some() {
            // A field asked only under a condition cannot be required by the schema itself.
            field.required = Some(row.required);
        } else {
            field.required = None;
            if row.required && !listed {
                required.push(Value::from(field.name.as_str()));
            } else if !row.required && listed {
                required.retain(|v| v.as_str() != Some(&field.name));
            }
        }
    }
    if let Some(object) = schema.as_object_mut() {
        object.insert("properties".into(), Value::Object(properties));
        if required.is_empty() {
            object.remove("required");
        } else {
            object.insert("required".into(), Value::Array(required));
        }
    }

    let mut layout = layout.clone();
    for step in &mut layout.steps {
        step.fields = fields
            .iter()
            .filter(|(s, _, _)| *s == step.id)
            .map(|(_, f, _)| f.clone())
            .collect();
    }
    let layout = serde_json::to_value(&layout).unwrap_or(Value::Object(Map::new()));
    Ok((schema, layout))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn definition() -> (Value, Layout) {
        let schema = json!({
            "$schema": super::super::DRAFT_2020_12,
            "type": "object",
            "properties": {
                "for_whom": {"type": "string", "enum": ["self", "other"]},
                "other_egn": {"type": "string", "pattern": "^[0-9]{10}$"},
                "purpose": {"type": "string", "minLength": 2, "maxLength": 300},
                "copies": {"type": "integer", "minimum": 1, "maximum": 10}
            },
            "required": ["for_whom", "purpose"]
        });
        let layout: Layout = serde_json::from_value(json!({"steps": [
            {"id": "who", "title": {"bg": "Кой", "en": "Who"}, "fields": [
                {"name": "for_whom", "widget": "radios", "label": {"bg": "За кого", "en": "For whom"},
                 "options": [{"value": "self", "label": {"bg": "За мен", "en": "Me"}},
                             {"value": "other", "label": {"bg": "За друг", "en": "Someone else"}}]},
                {"name": "other_egn", "widget": "egn", "required": true,
                 "when": {"field": "for_whom", "equals": "other"},
                 "label": {"bg": "ЕГН", "en": "EGN"}, "hint": {"bg": "10 цифри", "en": "10 digits"}}
            ]},
            {"id": "what", "title": {"bg": "Какво", "en": "What"}, "fields": [
                {"name": "purpose", "widget": "text", "label": {"bg": "Цел", "en": "Purpose"}},
                {"name": "copies", "widget": "number", "label": {"bg": "Брой", "en": "Copies"}}
            ]}
        ]}))
        .unwrap();
        (schema, layout)
    }

    fn checked(schema: &Value, layout: &Layout, rows: &[FieldRow]) -> (Value, Layout) {
        let (schema, layout) = build(schema, layout, rows).unwrap();
        let layout = crate::forms::check_definition(&schema, &layout).unwrap();
        (schema, layout)
    }

    #[test]
    fn the_rows_of_a_form_give_it_back_unchanged() {
        let (schema, layout) = definition();
        let rows = rows_of(&schema, &layout);
        assert_eq!(
            rows.iter()
                .map(|r| (r.name.as_str(), r.required, r.step.as_str()))
                .collect::<Vec<_>>(),
            vec![
                ("for_whom", true, "who"),
                ("other_egn", true, "who"),
                ("purpose", true, "what"),
                ("copies", false, "what")
            ]
        );
        assert_eq!(
            rows[0].options,
            "self | За мен | Me\nother | За друг | Someone else"
        );
        let (built_schema, built_layout) = checked(&schema, &layout, &rows);
        assert_eq!(built_schema, schema);
        assert_eq!(built_layout, layout);
    }

    #[test]
    fn a_posted_list_is_read_back_as_rows() {
        let (schema, layout) = definition();
        let rows = rows_of(&schema, &layout);
        let mut pairs = Vec::new();
        for (i, r) in rows.iter().enumerate() {
            pairs.push((format!("name-{i}"), r.name.clone()));
            pairs.push((format!("label_bg-{i}"), r.label_bg.clone()));
            pairs.push((format!("label_en-{i}"), r.label_en.clone()));
            pairs.push((format!("widget-{i}"), r.widget.clone()));
            if r.required {
                pairs.push((format!("required-{i}"), "yes".into()));
            }
            pairs.push((format!("step-{i}"), r.step.clone()));
            pairs.push((format!("options-{i}"), r.options.clone()));
        }
        assert_eq!(read_rows(&pairs), rows);
    }

    #[test]
    fn fields_are_added_relabelled_retyped_required_and_removed() {
        let (schema, layout) = definition();
        let mut rows = rows_of(&schema, &layout);
        apply(&mut rows, Edit::Add, &schema, &layout);
        assert_eq!(rows.len(), 5);
        assert_eq!(
            (rows[4].name.as_str(), rows[4].step.as_str()),
            ("field_5", "what")
        );
        // A new field needs its labels before anything is made of it.
        let refused = build(&schema, &layout, &rows).unwrap_err();
        let named: Vec<&str> = refused.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(named, vec!["label_bg-4", "label_en-4"]);

        rows[4].label_bg = "Дата на раждане".into();
        rows[4].label_en = "Date of birth".into();
        rows[4].widget = "date".into();
        rows[0].label_en = "Who is it for?".into();
        rows[3].required = true;
        rows[3].widget = "text".into();
        rows[1].required = false;
        rows.remove(2);
        let (built, layout2) = checked(&schema, &layout, &rows);
        assert_eq!(built["properties"]["field_5"]["format"], "date");
        assert!(built["properties"].get("purpose").is_none(), "removed");
        assert_eq!(built["required"], json!(["for_whom", "copies", "field_5"]));
        assert_eq!(
            built["properties"]["copies"],
            json!({"type": "string", "maxLength": 300}),
            "a retyped field gets its new type's property"
        );
        let who = layout2.field("for_whom").unwrap();
        assert_eq!(who.label.en, "Who is it for?");
        assert_eq!(who.options.len(), 2, "what the list does not show is kept");
        let other = layout2.field("other_egn").unwrap();
        assert_eq!(other.required, Some(false));
        assert_eq!(other.hint.as_ref().unwrap().en, "10 digits");
        assert!(other.when.is_some());
    }

    #[test]
    fn choices_are_written_one_a_line_and_become_the_schemas_enum() {
        let (schema, layout) = definition();
        let mut rows = rows_of(&schema, &layout);
        rows[0].options =
            "self | За мен | Me\nchild | За дете | My child\nother | За друг | Someone else".into();
        let (built, layout2) = checked(&schema, &layout, &rows);
        assert_eq!(
            built["properties"]["for_whom"]["enum"],
            json!(["self", "child", "other"])
        );
        assert_eq!(
            layout2.field("for_whom").unwrap().options[1].label.en,
            "My child"
        );

        rows[0].options = "self, За мен".into();
        let refused = build(&schema, &layout, &rows).unwrap_err();
        assert_eq!(refused[0].field, "options-0");
        rows[0].widget = "address".into();
        let refused = build(&schema, &layout, &rows).unwrap_err();
        assert_eq!(refused[0].field, "widget-0", "an address needs its list");
    }

    #[test]
    fn fields_move_within_and_across_steps() {
        let (schema, layout) = definition();
        let mut rows = rows_of(&schema, &layout);
        let names = |rows: &[FieldRow]| -> Vec<String> {
            rows.iter()
                .map(|r| format!("{}@{}", r.name, r.step))
                .collect()
        };
        apply(&mut rows, Edit::Down(2), &schema, &layout);
        assert_eq!(
            names(&rows),
            vec![
                "for_whom@who",
                "other_egn@who",
                "copies@what",
                "purpose@what"
            ]
        );
        apply(&mut rows, Edit::Up(2), &schema, &layout);
        assert_eq!(
            names(&rows),
            vec![
                "for_whom@who",
                "other_egn@who",
                "copies@who",
                "purpose@what"
            ],
            "up from the top of a step: the end of the step before"
        );
        apply(&mut rows, Edit::Down(1), &schema, &layout);
        apply(&mut rows, Edit::Up(0), &schema, &layout);
        apply(&mut rows, Edit::Remove(9), &schema, &layout);
        assert_eq!(
            names(&rows),
            vec![
                "for_whom@who",
                "copies@who",
                "other_egn@who",
                "purpose@what"
            ]
        );
        let (_, moved) = checked(&schema, &layout, &rows);
        assert_eq!(moved.steps[0].fields.len(), 3);

        // A condition must name an earlier field: moving the condition after it is refused.
        apply(&mut rows, Edit::Up(2), &schema, &layout);
        apply(&mut rows, Edit::Up(1), &schema, &layout);
        let (schema2, layout2) = build(&schema, &layout, &rows).unwrap();
        let reason = crate::forms::check_definition(&schema2, &layout2).unwrap_err();
        assert!(reason.contains("other_egn"), "{reason}");
    }

    #[test]
    fn buttons_are_read_from_their_values() {
        assert_eq!(Edit::parse("add"), Some(Edit::Add));
        assert_eq!(Edit::parse("remove-3"), Some(Edit::Remove(3)));
        assert_eq!(Edit::parse("up-0"), Some(Edit::Up(0)));
        assert_eq!(Edit::parse("down-12"), Some(Edit::Down(12)));
        assert_eq!(Edit::parse("down-x"), None);
        assert_eq!(Edit::parse("publish"), None);
    }
}
