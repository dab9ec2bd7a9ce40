//! What a page needs to draw one step of a form: the `form_step_fields.html` and
//! `form_error_summary.html` partials draw a [`StepView`].

use super::layout::{LayoutField, Widget};
use super::messages::{message, size_name, type_names};
use super::FormVersion;
use crate::model::NomenclatureEntry;
use crate::service::nomenclatures;
use crate::CatalogError;
use portico_http::i18n::FluentArgs;
use portico_http::{FieldError, Lang, Strings};
use portico_store::Db;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;

/// One step, ready to draw.
#[derive(Debug, Clone, Serialize)]
pub struct StepView {
    /// 0-based, as in [`FormVersion::step`].
    pub index: usize,
    /// 1-based, for "Step 2 of 3".
    pub number: usize,
    pub count: usize,
    /// "Стъпка 2 от 3" / "Step 2 of 3".
    pub progress: String,
    pub id: String,
    pub title: String,
    pub description: String,
    pub fields: Vec<FieldView>,
    /// For the error summary, in the order of the fields.
    pub errors: Vec<ErrorLink>,
    /// The step has attachment fields: post it as `multipart/form-data`.
    pub has_files: bool,
}

/// A field that applies only when an earlier radio question has a given answer is drawn under
/// that answer (GOV.UK's conditional reveal; CSS shows it while the answer is chosen, with or
/// without JavaScript). Fields drawn as groups themselves (radios, dates) stay where they are.
fn nest_conditional_fields(layout: &[LayoutField], fields: &mut [FieldView]) {
    for (i, def) in layout.iter().enumerate() {
        let Some(condition) = &def.when else { continue };
        let Some(equals) = condition.equals.as_str() else {
            continue;
        };
        if fields.get(i).is_none_or(FieldView::is_group) {
            continue;
        }
        let Some(option) = fields
            .iter_mut()
            .filter(|f| f.widget == "radios" && f.name == condition.field)
            .flat_map(|f| f.options.iter_mut())
            .find(|o| o.value == equals)
        else {
            continue;
        };
        option.conditional = true;
        let id = option.id.clone();
        if let Some(field) = fields.get_mut(i) {
            field.nested_in = id;
        }
    }
}

/// One line of the error summary: a link to the input with the problem.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorLink {
    pub target: String,
    pub message: String,
}

/// One question of the step.
#[derive(Debug, Clone, Serialize)]
pub struct FieldView {
    /// The name the value is posted under (dates: `{name}-day`, `-month`, `-year`).
    pub name: String,
    /// The id of the (first) input, the error summary's link target.
    pub id: String,
    /// `text`, `textarea`, `number`, `date`, `select`, `radios`, `checkbox`, `egn`, `eik`,
    /// `egn_list`, `address` or `file`.
    pub widget: &'static str,
    pub label: String,
    pub hint: String,
    pub error: Option<String>,
    pub value: String,
    pub day: String,
    pub month: String,
    pub year: String,
    /// For `select`, `radios` and `address`.
    pub options: Vec<OptionView>,
    /// For `checkbox`.
    pub checked: bool,
    pub required: bool,
    /// Prefilled and not editable.
    pub readonly: bool,
    /// Where a prefilled value came from ("From the population register, 2 December 2026"), set
    /// by the block that prefilled it; empty for values the person gave.
    pub source: String,
    /// For `file`: the `accept` attribute (MIME types, comma-separated) and the size limit.
    pub accept: String,
    pub max_bytes: u64,
    pub multiple: bool,
    pub autocomplete: String,
    /// `numeric` for identifiers and numbers, so phones show a number pad.
    pub inputmode: &'static str,
    /// The id of the radio option this field belongs to (it applies only when that answer is
    /// chosen), drawn under that option and shown while it is chosen; empty for other fields.
    pub nested_in: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct OptionView {
    pub id: String,
    pub value: String,
    pub label: String,
    pub hint: String,
    pub selected: bool,
    /// Some field of the step applies only when this option is chosen (drawn under it).
    pub conditional: bool,
}

impl FieldView {
    /// The ids `aria-describedby` names: the hint and the error, when present.
    pub fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if !self.hint.is_empty() {
            ids.push(format!("{}-hint", self.name));
        }
        if !self.source.is_empty() {
            ids.push(format!("{}-source", self.name));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.name));
        }
        ids.join(" ")
    }

    pub fn is(&self, widget: &str) -> bool {
        self.widget == widget
    }

    /// Drawn as a group of inputs in a fieldset with a legend (radios, dates).
    pub fn is_group(&self) -> bool {
        matches!(self.widget, "radios" | "date")
    }
}

fn text_of(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| text_of(Some(v)))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

impl FormVersion {
    fn field_view(
        &self,
        field: &LayoutField,
        lang: Lang,
        data: &Value,
        error: Option<String>,
        entries: Option<&Vec<NomenclatureEntry>>,
    ) -> FieldView {
        let name = field.name.clone();
        let value = text_of(data.get(&name));
        let (mut day, mut month, mut year) = (String::new(), String::new(), String::new());
        if field.widget == Widget::Date {
            let part = |p: &str| data.get(format!("{name}-{p}")).map(|v| text_of(Some(v)));
            if let (Some(d), Some(m), Some(y)) = (part("day"), part("month"), part("year")) {
                (day, month, year) = (d, m, y);
            } else if let Ok(date) = chrono::NaiveDate::parse_from_str(&value, "%Y-%m-%d") {
                use chrono::Datelike;
                (day, month, year) = (
                    date.day().to_string(),
                    date.month().to_string(),
                    date.year().to_string(),
                );
            }
        }
        let options: Vec<OptionView> = match field.widget {
            Widget::Select | Widget::Radios => {
                let defs: Vec<(String, String, String)> = if field.options.is_empty() {
                    self.allowed_options(field)
                        .into_iter()
                        .map(|v| (v.clone(), v, String::new()))
                        .collect()
                } else {
                    field
                        .options
                        .iter()
                        .map(|o| {
                            (
                                o.value.clone(),
                                o.label.get(lang).to_owned(),
                                o.hint
                                    .as_ref()
                                    .map(|h| h.get(lang).to_owned())
                                    .unwrap_or_default(),
                            )
                        })
                        .collect()
                };
                defs.into_iter()
                    .enumerate()
                    .map(|(i, (v, label, hint))| OptionView {
                        id: if i == 0 {
                            name.clone()
                        } else {
                            format!("{name}-{}", i + 1)
                        },
                        selected: v == value,
                        value: v,
                        label,
                        hint,
                        conditional: false,
                    })
                    .collect()
            }
            Widget::Address => {
                let mut entries: Vec<&NomenclatureEntry> =
                    entries.map(|e| e.iter().collect()).unwrap_or_default();
                entries.sort_by(|a, b| a.label.get(lang).cmp(b.label.get(lang)));
                entries
                    .into_iter()
                    .map(|e| OptionView {
                        id: format!("{name}-{}", e.code),
                        selected: e.code == value,
                        value: e.code.clone(),
                        label: e.label.get(lang).to_owned(),
                        hint: String::new(),
                        conditional: false,
                    })
                    .collect()
            }
            _ => Vec::new(),
        };
        let mut hint = field
            .hint
            .as_ref()
            .map(|h| h.get(lang).to_owned())
            .unwrap_or_default();
        if field.widget == Widget::File {
            let mut args = FluentArgs::new();
            args.set("types", type_names(&field.accept, lang));
            args.set("size", size_name(field.max_bytes.unwrap_or(0)));
            let limits =
                Strings::new(lang, crate::strings::TABLES).format("form_file_limits", &args);
            hint = if hint.is_empty() {
                limits
            } else {
                format!("{hint} ({limits})")
            };
        }
        let id = if field.widget == Widget::Date {
            format!("{name}-day")
        } else {
            name.clone()
        };
        FieldView {
            id,
            widget: field.widget.as_str(),
            label: field.label.get(lang).to_owned(),
            hint,
            error,
            checked: matches!(data.get(&name), Some(Value::Bool(true))),
            value,
            day,
            month,
            year,
            options,
            required: self.is_required(field),
            readonly: field.readonly,
            source: String::new(),
            accept: field.accept.join(","),
            max_bytes: field.max_bytes.unwrap_or(0),
            multiple: field.max_files() > 1,
            autocomplete: field
                .autocomplete
                .clone()
                .unwrap_or_else(|| "off".to_owned()),
            inputmode: match field.widget {
                Widget::Egn | Widget::Eik | Widget::Number => "numeric",
                _ => "",
            },
            nested_in: String::new(),
            name,
        }
    }

    /// A step ready to draw, with the nomenclatures its address fields choose from given.
    /// `data` is the application's data, or [`Self::echo`] of a refused post.
    pub fn step_view_with(
        &self,
        step_index: usize,
        lang: Lang,
        data: &Value,
        errors: &[FieldError],
        nomenclatures: &HashMap<String, Vec<NomenclatureEntry>>,
    ) -> Option<StepView> {
        let step = self.step(step_index)?;
        let mut fields = Vec::new();
        for field in &step.fields {
            let error = errors
                .iter()
                .find(|e| e.field == field.name)
                .map(|e| message(Some(field), &self.schema, &e.code, lang));
            let entries = field
                .nomenclature
                .as_ref()
                .and_then(|n| nomenclatures.get(n));
            fields.push(self.field_view(field, lang, data, error, entries));
        }
        nest_conditional_fields(&step.fields, &mut fields);
        let mut links: Vec<ErrorLink> = Vec::new();
        for e in errors {
            let field = step.fields.iter().find(|f| f.name == e.field);
            let target = fields
                .iter()
                .find(|f| f.name == e.field)
                .map(|f| f.id.clone())
                .unwrap_or_else(|| e.field.clone());
            if links.iter().any(|l| l.target == target) {
                continue;
            }
            links.push(ErrorLink {
                target,
                message: message(field, &self.schema, &e.code, lang),
            });
        }
        Some(StepView {
            index: step_index,
            number: step_index + 1,
            count: self.layout.steps.len(),
            progress: {
                let mut args = FluentArgs::new();
                args.set("number", step_index + 1);
                args.set("count", self.layout.steps.len());
                Strings::new(lang, crate::strings::TABLES).format("form_step_progress", &args)
            },
            id: step.id.clone(),
            title: step.title.get(lang).to_owned(),
            description: step
                .description
                .as_ref()
                .map(|d| d.get(lang).to_owned())
                .unwrap_or_default(),
            fields,
            errors: links,
            has_files: self.step_has_files(step_index),
        })
    }

    /// A step ready to draw: its title, and each field's label, hint, error message (in plain
    /// language, in `lang`), current value and options (address lists come from the database).
    pub async fn step_view(
        &self,
        db: &Db,
        step_index: usize,
        lang: Lang,
        data: &Value,
        errors: &[FieldError],
    ) -> Result<StepView, CatalogError> {
        let step = self.step(step_index).ok_or(CatalogError::NotFound)?;
        let mut lists = HashMap::new();
        for name in step.fields.iter().filter_map(|f| f.nomenclature.as_ref()) {
            if !lists.contains_key(name) {
                lists.insert(name.clone(), nomenclatures::list(db, name).await?);
            }
        }
        self.step_view_with(step_index, lang, data, errors, &lists)
            .ok_or(CatalogError::NotFound)
    }
}
