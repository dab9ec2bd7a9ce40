//! E-forms: a JSON Schema (draft 2020-12) for the data, plus a layout in steps for the pages.
//!
//! A published [`FormVersion`] never changes: publishing again makes a new version (a new row),
//! and an application keeps the id of the version it was started with, so a change to a form
//! never breaks an application already in progress.
//!
//! The pages are drawn on the server, one step at a time: [`FormVersion::step_view`] gives what
//! the `form_step_fields.html` partial draws, [`FormVersion::parse_step`] turns what was posted
//! into typed values or field errors, and [`FormVersion::validate`] is the final gate over the
//! whole document.

pub mod field_list;
pub mod layout;
mod messages;
mod parse;
mod view;

pub use layout::{
    Condition, Confirmation, ConsentRule, DateRule, Layout, LayoutField, OptionDef, PersonFinder,
    RegisterCheck, RoutingRule, Step, Widget,
};
pub use view::{ErrorLink, FieldView, OptionView, StepView};

use crate::CatalogError;
use chrono::{DateTime, Utc};
use portico_audit::Event;
use portico_core::clock::{from_millis, to_millis};
use portico_core::new_id;
use portico_store::{Db, Tx};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use utoipa::ToSchema;

pub const DRAFT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";

/// One published version of a form. Immutable.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FormVersion {
    pub id: String,
    pub form_key: String,
    pub version: i64,
    #[schema(value_type = Object)]
    pub schema: Value,
    #[schema(value_type = Object)]
    pub layout: Layout,
    pub published_at: DateTime<Utc>,
    pub published_by: String,
}

impl FormVersion {
    pub fn steps(&self) -> &[Step] {
        &self.layout.steps
    }

    pub fn step(&self, index: usize) -> Option<&Step> {
        self.layout.steps.get(index)
    }

    pub fn field(&self, name: &str) -> Option<&LayoutField> {
        self.layout.field(name)
    }

    /// The nomenclatures the form's fields choose from, each once.
    pub fn nomenclatures(&self) -> Vec<String> {
        let mut lists: Vec<String> = self
            .layout
            .steps
            .iter()
            .flat_map(|s| s.fields.iter())
            .filter_map(|f| f.nomenclature.clone())
            .collect();
        lists.sort();
        lists.dedup();
        lists
    }

    /// The form as a service asks it: fields whose nomenclature the service replaces with its
    /// administration's own list (an adoption's `nomenclatures`) choose from that list, so the
    /// page offers, the answers are checked against, and the case is routed by the adopter's
    /// entries, not the template's.
    pub fn for_service(mut self, service: &crate::model::Service) -> FormVersion {
        if service.nomenclatures.is_empty() {
            return self;
        }
        for field in self
            .layout
            .steps
            .iter_mut()
            .flat_map(|s| s.fields.iter_mut())
        {
            if let Some(own) = field
                .nomenclature
                .as_ref()
                .and_then(|n| service.nomenclatures.get(n))
            {
                field.nomenclature = Some(own.clone());
            }
        }
        self
    }

    /// The form without these fields: the platform answers them itself for this application
    /// (the people a consent rule finds in a register). They leave the steps, and the schema
    /// (its `required` lists, also inside `allOf`/`anyOf`/`oneOf`/`if`/`then`/`else`) no longer
    /// asks for them; what they would have held keeps its type.
    pub fn without_fields(mut self, names: &[&str]) -> FormVersion {
        if names.is_empty() {
            return self;
        }
        for step in &mut self.layout.steps {
            step.fields.retain(|f| !names.contains(&f.name.as_str()));
        }
        fn unrequire(schema: &mut Value, names: &[&str]) {
            let Value::Object(map) = schema else { return };
            if let Some(Value::Array(required)) = map.get_mut("required") {
                required.retain(|r| !r.as_str().is_some_and(|r| names.contains(&r)));
            }
            for key in ["allOf", "anyOf", "oneOf"] {
                if let Some(Value::Array(items)) = map.get_mut(key) {
                    items.iter_mut().for_each(|i| unrequire(i, names));
                }
            }
            for key in ["if", "then", "else"] {
                if let Some(sub) = map.get_mut(key) {
                    unrequire(sub, names);
                }
            }
        }
        unrequire(&mut self.schema, names);
        self
    }

    /// The consents this application needs, from its answers: for each rule whose condition
    /// holds, the personal number named in its field (trimmed, when one is given).
    pub fn consents_needed<'a>(&'a self, data: &Value) -> Vec<(&'a ConsentRule, String)> {
        self.layout
            .consents
            .iter()
            .filter(|rule| {
                rule.when
                    .as_ref()
                    .is_none_or(|c| data.get(&c.field) == Some(&c.equals))
            })
            .filter_map(|rule| {
                let named = data.get(&rule.person)?.as_str()?.trim();
                (!named.is_empty()).then(|| (rule, named.to_owned()))
            })
            .collect()
    }

    /// The fields the application fills in from what it knows about the applicant, as
    /// (field name, prefill key), e.g. `("applicant_egn", "applicant.personal_id")`.
    pub fn prefills(&self) -> Vec<(&str, &str)> {
        self.layout
            .steps
            .iter()
            .flat_map(|s| s.fields.iter())
            .filter_map(|f| f.prefill.as_deref().map(|p| (f.name.as_str(), p)))
            .collect()
    }

    /// The fields filled in from a base register, with their binding (a prefill key of the form
    /// `register:{register}/{operation}#{path}`).
    pub fn register_bindings(&self) -> Vec<(&LayoutField, RegisterBinding)> {
        self.layout
            .steps
            .iter()
            .flat_map(|s| s.fields.iter())
            .filter_map(|f| Some((f, RegisterBinding::parse(f.prefill.as_deref()?)?)))
            .collect()
    }

    /// Whether a step has attachment fields (its form must be posted as `multipart/form-data`).
    pub fn step_has_files(&self, index: usize) -> bool {
        self.step(index)
            .is_some_and(|s| s.fields.iter().any(|f| f.widget == Widget::File))
    }
}

pub(crate) fn is_valid_key(key: &str) -> bool {
    (2..=80).contains(&key.len())
        && key.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Compiles a schema under draft 2020-12. Remote references are not fetched: a form must be
/// self-contained.
pub(crate) fn compile(schema: &Value) -> Result<jsonschema::Validator, String> {
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(schema)
        .map_err(|e| e.to_string())
}

/// At most this many compiled schemas are kept (forms and their steps); past it the cache
/// starts again.
const MAX_COMPILED: usize = 2_000;

/// The schema compiled, from a cache keyed by its text: forms are read for every request, and
/// compiling one (its patterns, formats and references) costs far more than validating answers
/// against it. A schema is immutable once published, and a changed one is another key.
pub(crate) fn compiled(schema: &Value) -> Result<Arc<jsonschema::Validator>, String> {
    type Cache = Mutex<HashMap<String, Arc<jsonschema::Validator>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let text = schema.to_string();
    if let Some(found) = cache.lock().ok().and_then(|c| c.get(&text).cloned()) {
        return Ok(found);
    }
    let validator = Arc::new(compile(schema)?);
    if let Ok(mut c) = cache.lock() {
        if c.len() >= MAX_COMPILED {
            c.clear();
        }
        c.insert(text, validator.clone());
    }
    Ok(validator)
}

/// Checks that a definition can be published: the schema is a valid draft 2020-12 schema for an
/// object, and the layout fits it.
pub fn check_definition(schema: &Value, layout: &Value) -> Result<Layout, String> {
    if let Some(declared) = schema.get("$schema") {
        if declared.as_str() != Some(DRAFT_2020_12) {
            return Err(format!(
                "the schema must be draft 2020-12 ({DRAFT_2020_12})"
            ));
        }
    }
    jsonschema::draft202012::meta::validate(schema).map_err(|e| e.to_string())?;
    compile(schema)?;
    if schema.get("type").and_then(Value::as_str) != Some("object")
        || !schema.get("properties").is_some_and(Value::is_object)
    {
        return Err("the schema must describe an object with properties".into());
    }
    let layout: Layout =
        serde_json::from_value(layout.clone()).map_err(|e| format!("layout: {e}"))?;
    layout::check(schema, &layout)?;
    Ok(layout)
}

/// Publishes a new version of a form (version 1 if the key is new). The schema must compile
/// under JSON Schema 2020-12 and every layout field must be a property of the schema.
pub async fn publish(
    tx: &mut Tx,
    form_key: &str,
    schema: &Value,
    layout: &Value,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<FormVersion, CatalogError> {
    publish_after(tx, form_key, 0, schema, layout, actor, now).await
}

/// Publishes a new version of a form numbered above `after` as well as above the key's own
/// versions: a service that takes its own copy of a shared form (version 3, say) starts its copy
/// at version 4, so "an earlier version" keeps meaning a smaller number for its applications.
pub async fn publish_after(
    tx: &mut Tx,
    form_key: &str,
    after: i64,
    schema: &Value,
    layout: &Value,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<FormVersion, CatalogError> {
    if !is_valid_key(form_key) {
        return Err(CatalogError::BadForm(format!(
            "form key {form_key:?} must be lower-case words joined by hyphens"
        )));
    }
    let parsed = check_definition(schema, layout).map_err(CatalogError::BadForm)?;
    let (latest,): (i64,) =
        sqlx::query_as("SELECT COALESCE(MAX(version), 0) FROM forms WHERE form_key = $1")
            .bind(form_key)
            .fetch_one(&mut **tx)
            .await?;
    let version = latest.max(after) + 1;
    let id = new_id();
    let inserted = sqlx::query(
        "INSERT INTO forms (id, form_key, version, schema_json, layout_json, published_by, published_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(form_key)
    .bind(version)
    .bind(schema.to_string())
    .bind(serde_json::to_string(&parsed)?)
    .bind(actor)
    .bind(to_millis(now))
    .execute(&mut **tx)
    .await;
    if let Err(e) = inserted {
        let e = portico_store::StoreError::from(e);
        // Two publishers of the same form at once: one wins, the other tries again.
        return Err(if e.is_unique_violation() {
            CatalogError::Conflict
        } else {
            e.into()
        });
    }
    let event = Event::new(actor, "catalog.form_published", &id)
        .with(serde_json::json!({ "form_key": form_key, "version": version }));
    portico_audit::append(tx, event, now).await?;
    Ok(FormVersion {
        id,
        form_key: form_key.to_owned(),
        version,
        schema: schema.clone(),
        layout: parsed,
        published_at: now,
        published_by: actor.to_owned(),
    })
}

type FormRow = (String, String, i64, String, String, String, i64);

const COLUMNS: &str = "id, form_key, version, schema_json, layout_json, published_by, published_at";

fn form_from(row: FormRow) -> Result<FormVersion, CatalogError> {
    let (id, form_key, version, schema, layout, published_by, published_at) = row;
    Ok(FormVersion {
        id,
        form_key,
        version,
        schema: serde_json::from_str(&schema)?,
        layout: serde_json::from_str(&layout)?,
        published_at: from_millis(published_at),
        published_by,
    })
}

/// A version by its id: what an application was filled with, whatever was published since.
pub async fn get_version(
    db: &Db,
    form_version_id: &str,
) -> Result<Option<FormVersion>, CatalogError> {
    let sql = format!("SELECT {COLUMNS} FROM forms WHERE id = $1");
    let row: Option<FormRow> = sqlx::query_as(&sql)
        .bind(form_version_id)
        .fetch_optional(db.pool())
        .await?;
    row.map(form_from).transpose()
}

/// The newest version of a form, in the caller's transaction.
pub async fn current_in(tx: &mut Tx, form_key: &str) -> Result<Option<FormVersion>, CatalogError> {
    let sql =
        format!("SELECT {COLUMNS} FROM forms WHERE form_key = $1 ORDER BY version DESC LIMIT 1");
    let row: Option<FormRow> = sqlx::query_as(&sql)
        .bind(form_key)
        .fetch_optional(&mut **tx)
        .await?;
    row.map(form_from).transpose()
}

/// The newest version of a form: what a new application starts with.
pub async fn current(db: &Db, form_key: &str) -> Result<Option<FormVersion>, CatalogError> {
    let sql =
        format!("SELECT {COLUMNS} FROM forms WHERE form_key = $1 ORDER BY version DESC LIMIT 1");
    let row: Option<FormRow> = sqlx::query_as(&sql)
        .bind(form_key)
        .fetch_optional(db.pool())
        .await?;
    row.map(form_from).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!({
            "$schema": DRAFT_2020_12,
            "type": "object",
            "properties": { "name": { "type": "string", "maxLength": 5 } },
            "required": ["name"]
        })
    }

    fn layout(field: &str) -> Value {
        json!({ "steps": [ { "id": "one", "title": { "bg": "Едно", "en": "One" },
            "fields": [ { "name": field, "widget": "text", "label": { "bg": "Име", "en": "Name" } } ] } ] })
    }

    #[test]
    fn a_field_the_platform_answers_leaves_the_steps_and_the_schemas_requirements() {
        let schema = json!({
            "$schema": DRAFT_2020_12,
            "type": "object",
            "properties": {
                "owns": { "type": "string", "enum": ["yes", "no"] },
                "owner": { "type": "string" }
            },
            "required": ["owns", "owner"],
            "allOf": [{
                "if": { "properties": { "owns": { "const": "no" } } },
                "then": { "required": ["owner"] }
            }]
        });
        let layout = json!({ "steps": [ { "id": "one", "title": { "bg": "Едно", "en": "One" }, "fields": [
            { "name": "owns", "widget": "radios", "label": { "bg": "С", "en": "O" } },
            { "name": "owner", "widget": "text", "label": { "bg": "С", "en": "O" } } ] } ] });
        let form = FormVersion {
            id: "f".into(),
            form_key: "f".into(),
            version: 1,
            layout: check_definition(&schema, &layout).unwrap(),
            schema,
            published_at: Utc::now(),
            published_by: "test".into(),
        };
        let data = json!({ "owns": "no" });
        assert!(!form.validate(&data).is_empty(), "asked as the form stands");
        let without = form.without_fields(&["owner"]);
        assert!(without.field("owner").is_none());
        assert!(without.field("owns").is_some());
        assert!(
            without.validate(&data).is_empty(),
            "{:?}",
            without.validate(&data)
        );
        // What it would have held keeps its type.
        assert!(!without
            .validate(&json!({ "owns": "no", "owner": 5 }))
            .is_empty());
    }

    #[test]
    fn definitions_are_checked_before_publishing() {
        assert!(check_definition(&schema(), &layout("name")).is_ok());
        let err = check_definition(&schema(), &layout("nickname")).unwrap_err();
        assert!(err.contains("not a property"), "{err}");
        let bad_schema = json!({ "type": "object", "properties": { "name": { "type": 12 } } });
        assert!(check_definition(&bad_schema, &layout("name")).is_err());
        let old_draft = json!({ "$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "properties": {} });
        assert!(check_definition(&old_draft, &layout("name")).is_err());
        let remote = json!({ "type": "object", "properties": { "name": { "$ref": "https://example.org/name.json" } } });
        assert!(
            check_definition(&remote, &layout("name")).is_err(),
            "remote references are refused"
        );
    }
}

/// A form field bound to a register operation: once only, the value comes from the register
/// instead of the person. `path` names a field of the operation's answer (`current_address`),
/// or a field of each item of an array (`children[].egn`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterBinding {
    pub register: String,
    pub operation: String,
    pub field: String,
    /// For `children[].egn`: `Some("egn")`, and `field` is `children`.
    pub each: Option<String>,
}

impl RegisterBinding {
    const PREFIX: &'static str = "register:";

    /// `register:population/person#children[].egn`; `None` for any other prefill key.
    pub fn parse(key: &str) -> Option<RegisterBinding> {
        let rest = key.strip_prefix(Self::PREFIX)?;
        let (source, path) = rest.split_once('#')?;
        let (register, operation) = source.split_once('/')?;
        let (field, each) = match path.split_once("[].") {
            Some((field, each)) => (field, Some(each.to_owned())),
            None => (path, None),
        };
        let word = |w: &str| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        };
        (word(register) && word(operation) && word(field) && each.as_deref().is_none_or(word)).then(
            || RegisterBinding {
                register: register.to_owned(),
                operation: operation.to_owned(),
                field: field.to_owned(),
                each,
            },
        )
    }

    /// The value this binding takes from an operation's answer: a string, or for `[]` paths the
    /// items' values one a line (as an `egn_list` field holds them).
    pub fn value_in(&self, answer: &Value) -> Option<Value> {
        let found = answer.get(&self.field)?;
        match &self.each {
            None => match found {
                Value::String(s) if !s.trim().is_empty() => Some(found.clone()),
                _ => None,
            },
            Some(key) => {
                let items: Vec<Value> = found
                    .as_array()?
                    .iter()
                    .filter_map(|item| item.get(key).filter(|v| v.is_string()).cloned())
                    .collect();
                (!items.is_empty()).then_some(Value::Array(items))
            }
        }
    }
}

#[cfg(test)]
mod register_binding_tests {
    use super::RegisterBinding;
    use serde_json::json;

    #[test]
    fn a_binding_names_a_register_an_operation_and_a_path() {
        assert_eq!(
            RegisterBinding::parse("register:population/person#children[].egn"),
            Some(RegisterBinding {
                register: "population".into(),
                operation: "person".into(),
                field: "children".into(),
                each: Some("egn".into()),
            })
        );
        let address = RegisterBinding::parse("register:population/person#current_address").unwrap();
        assert_eq!(address.each, None);
        for bad in [
            "applicant.personal_id",
            "register:population#x",
            "register:/person#x",
            "register:population/person#",
            "register:population/person#children[].",
            "register:Population/person#x",
            "register:population/person#a b",
        ] {
            assert_eq!(RegisterBinding::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_binding_takes_its_value_from_the_answer() {
        let answer = json!({
            "current_address": "ул. Оборище 1",
            "blank": " ",
            "children": [{"egn": "1545200011"}, {"name": "no egn"}, {"egn": "1849090502"}],
            "none": [],
        });
        let take = |key: &str| RegisterBinding::parse(key).unwrap().value_in(&answer);
        assert_eq!(
            take("register:p/o#current_address"),
            Some(json!("ул. Оборище 1"))
        );
        assert_eq!(
            take("register:p/o#children[].egn"),
            Some(json!(["1545200011", "1849090502"]))
        );
        assert_eq!(take("register:p/o#blank"), None);
        assert_eq!(take("register:p/o#none[].egn"), None);
        assert_eq!(take("register:p/o#missing"), None);
    }
}
