//! `/admin/services/{slug}/form`: the e-form editor of the service console. The admin edits the
//! form's JSON Schema and layout, sees every step drawn as an applicant would see it
//! ("Preview", which stores nothing), and publishes a new version ("Publish"). The rules are in
//! [`crate::service::editing`]; a refusal is shown with its reason and nothing changes.

use super::managed;
use crate::forms::field_list::{self, FieldRow};
use crate::forms::{self, FormVersion, Layout, StepView};
use crate::model::Service;
use crate::search::SearchIndex;
use crate::service::editing;
use crate::strings::TABLES;
use crate::CatalogError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use portico_http::{render, AppError, AppState, CsrfForm, FieldError, PageContext, SignedIn};
use serde::Deserialize;
use serde_json::Value;

#[derive(Template)]
#[template(path = "service_form.html")]
struct FormEditorPage {
    page: PageContext,
    slug: String,
    title: String,
    /// The version new applications start with now (0: the service has no form yet).
    current_version: i64,
    /// Whether the service still uses a form shared with others (the first publish copies it).
    shared: bool,
    /// The definition the field list edits, carried along in hidden inputs (empty: no form).
    base_schema: String,
    base_layout: String,
    rows: Vec<RowView>,
    /// The JSON view's text areas.
    schema: String,
    layout: String,
    /// Whether the JSON view is shown open (it was the one posted).
    advanced: bool,
    /// Every step as a person sees it, of the definition shown (as typed, after a preview).
    preview: Vec<StepView>,
    errors: Vec<FieldError>,
    /// Why `forms::check_definition` refused the definition, as it says it.
    reason: String,
    /// Whether that reason is about the field list's definition (else the JSON's).
    reason_in_list: bool,
    published: bool,
}

impl FormEditorPage {
    fn back(&self) -> String {
        format!("/admin/services/{}", self.slug)
    }

    fn error(&self, name: &str) -> Option<&'static str> {
        self.page.field_error(&self.errors, name)
    }
}

/// One choice of a `<select>` of the field list.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// One row of the field list, ready to draw.
struct RowView {
    index: usize,
    /// 1-based, for people.
    number: usize,
    name: String,
    label_bg: String,
    label_en: String,
    required: bool,
    options: String,
    is_choice: bool,
    widgets: Vec<Choice>,
    steps: Vec<Choice>,
    first: bool,
    last: bool,
    label_bg_error: Option<&'static str>,
    label_en_error: Option<&'static str>,
    widget_error: Option<&'static str>,
    step_error: Option<&'static str>,
    options_error: Option<&'static str>,
}

fn widget_label(page: &PageContext, widget: &str) -> String {
    page.t(&format!("service_fields_widget_{widget}"))
        .to_owned()
}

fn row_views(
    page: &PageContext,
    layout: &Layout,
    rows: &[FieldRow],
    errors: &[FieldError],
) -> Vec<RowView> {
    let error = |part: &str, i: usize| page.field_error(errors, &format!("{part}-{i}"));
    let count = rows.len();
    rows.iter()
        .enumerate()
        .map(|(i, row)| {
            let mut widgets: Vec<Choice> = field_list::OFFERED
                .iter()
                .map(|w| Choice {
                    value: w.as_str().to_owned(),
                    label: widget_label(page, w.as_str()),
                    selected: w.as_str() == row.widget,
                })
                .collect();
            // A type the list does not offer stays on offer for the field that has it.
            let own = layout
                .field(&row.name)
                .map(|f| f.widget.as_str())
                .filter(|w| widgets.iter().all(|c| c.value != *w));
            if let Some(own) = own {
                widgets.push(Choice {
                    value: own.to_owned(),
                    label: widget_label(page, own),
                    selected: own == row.widget,
                });
            }
            let is_choice = matches!(row.widget.as_str(), "radios" | "select");
            RowView {
                index: i,
                number: i + 1,
                name: row.name.clone(),
                label_bg: row.label_bg.clone(),
                label_en: row.label_en.clone(),
                required: row.required,
                options: row.options.clone(),
                is_choice,
                widgets,
                steps: layout
                    .steps
                    .iter()
                    .map(|s| Choice {
                        value: s.id.clone(),
                        label: s.title.get(page.lang).to_owned(),
                        selected: s.id == row.step,
                    })
                    .collect(),
                first: i == 0,
                last: i + 1 == count,
                label_bg_error: error("label_bg", i),
                label_en_error: error("label_en", i),
                widget_error: error("widget", i),
                step_error: error("step", i),
                options_error: error("options", i),
            }
        })
        .collect()
}

#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

#[derive(Deserialize)]
pub struct EditorForm {
    #[serde(default)]
    schema: String,
    #[serde(default)]
    layout: String,
    /// `preview` or `publish`: the button pressed.
    #[serde(default)]
    action: String,
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

async fn current_form(
    state: &AppState,
    service: &Service,
) -> Result<Option<FormVersion>, AppError> {
    Ok(match &service.form_key {
        Some(key) => forms::current(&state.db, key).await?,
        None => None,
    })
}

/// Every step of a form drawn empty, with the service's own lists in place of the template's.
async fn steps_of(
    state: &AppState,
    page: &PageContext,
    form: FormVersion,
    service: &Service,
) -> Result<Vec<StepView>, AppError> {
    let form = form.for_service(service);
    let empty = Value::Object(Default::default());
    let mut views = Vec::with_capacity(form.steps().len());
    for index in 0..form.steps().len() {
        views.push(
            form.step_view(&state.db, index, page.lang, &empty, &[])
                .await?,
        );
    }
    Ok(views)
}

/// What the page shows: the field list over its base, the JSON view, a preview, the errors.
struct Shown {
    /// The field list's base definition; `None` when the service has no form.
    base: Option<(Value, Layout)>,
    rows: Vec<FieldRow>,
    schema: String,
    layout: String,
    advanced: bool,
    preview: Vec<StepView>,
    errors: Vec<FieldError>,
    reason: String,
    reason_in_list: bool,
}

impl Shown {
    /// A definition as it is: its rows, its JSON, nothing refused.
    fn of(schema: &Value, layout: &Layout) -> Shown {
        Shown {
            base: Some((schema.clone(), layout.clone())),
            rows: field_list::rows_of(schema, layout),
            schema: pretty(schema),
            layout: serde_json::to_value(layout)
                .map(|l| pretty(&l))
                .unwrap_or_default(),
            advanced: false,
            preview: vec![],
            errors: vec![],
            reason: String::new(),
            reason_in_list: false,
        }
    }

    fn empty() -> Shown {
        Shown {
            base: None,
            rows: vec![],
            schema: String::new(),
            layout: String::new(),
            advanced: true,
            preview: vec![],
            errors: vec![],
            reason: String::new(),
            reason_in_list: false,
        }
    }
}

async fn page_of(
    state: &AppState,
    page: PageContext,
    service: &Service,
    shown: Shown,
    published: bool,
) -> Result<FormEditorPage, AppError> {
    let current = current_form(state, service).await?;
    let own = editing::own_form_key(service);
    let (base_schema, base_layout, rows) = match &shown.base {
        Some((schema, layout)) => (
            schema.to_string(),
            serde_json::to_string(layout).unwrap_or_default(),
            row_views(&page, layout, &shown.rows, &shown.errors),
        ),
        None => (String::new(), String::new(), vec![]),
    };
    Ok(FormEditorPage {
        slug: service.slug.clone(),
        title: service.title(page.lang).to_owned(),
        current_version: current.as_ref().map_or(0, |f| f.version),
        shared: service.form_key.is_some() && service.form_key != own,
        base_schema,
        base_layout,
        rows,
        schema: shown.schema,
        layout: shown.layout,
        advanced: shown.advanced,
        preview: shown.preview,
        errors: shown.errors,
        reason: shown.reason,
        reason_in_list: shown.reason_in_list,
        published,
        page,
    })
}

/// The editor, with the form as new applications get it now.
pub async fn show(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path(slug): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let service = managed(&state, &user, &slug).await?;
    let shown = match current_form(&state, &service).await? {
        Some(form) => {
            let mut shown = Shown::of(&form.schema, &form.layout);
            shown.preview = steps_of(&state, &page, form, &service).await?;
            shown
        }
        None => Shown::empty(),
    };
    let published = done.done.as_deref() == Some("published");
    let view = page_of(&state, page, &service, shown, published).await?;
    Ok(render(&view)?.into_response())
}

/// The JSON view: "Preview" draws the definition as typed; "Publish" makes it the form's new
/// version.
pub async fn submit(
    State(state): State<AppState>,
    Extension(index): Extension<SearchIndex>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<EditorForm>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let service = managed(&state, &user, &slug).await?;
    let now = state.clock.now();
    let outcome = match form.action.as_str() {
        "preview" => {
            // Read in a transaction that is never committed: a preview stores nothing.
            let mut tx = state.db.begin().await?;
            editing::draft(&mut tx, &service, &form.schema, &form.layout, now).await
        }
        "publish" => {
            let mut tx = state.db.begin().await?;
            match editing::publish_form(
                &mut tx,
                &user.actor(),
                &service.id,
                &form.schema,
                &form.layout,
                now,
            )
            .await
            {
                Ok(_) => {
                    tx.commit().await?;
                    index.invalidate();
                    let to = format!("/admin/services/{slug}/form?done=published");
                    return Ok(Redirect::to(&to).into_response());
                }
                Err(e) => Err(e),
            }
        }
        _ => return Err(AppError::BadRequest("action")),
    };
    let (mut shown, status) = match outcome {
        Ok(draft) => {
            // The field list goes on from what was previewed.
            let mut shown = Shown::of(&draft.schema, &draft.layout);
            shown.preview = steps_of(&state, &page, draft, &service).await?;
            (shown, StatusCode::OK)
        }
        Err(refusal) => {
            // The field list stays on the form as it is; the JSON view keeps what was typed.
            let mut shown = match current_form(&state, &service).await? {
                Some(f) => Shown::of(&f.schema, &f.layout),
                None => Shown::empty(),
            };
            match refusal {
                CatalogError::Invalid(errors) => shown.errors = errors,
                CatalogError::BadForm(reason) => {
                    shown.errors = vec![FieldError::new("schema", "catalog.form.refused")];
                    shown.reason = reason;
                }
                e => return Err(e.into()),
            }
            (shown, StatusCode::UNPROCESSABLE_ENTITY)
        }
    };
    shown.schema = form.schema;
    shown.layout = form.layout;
    shown.advanced = true;
    let view = page_of(&state, page, &service, shown, false).await?;
    Ok((status, render(&view)?).into_response())
}

/// The field list: its buttons add, remove and move fields (drawn again, nothing stored),
/// "Preview" draws the form the rows make, "Publish" makes it the form's new version. A row
/// refused, or a definition the checker refuses, is shown with the reason and nothing changes.
pub async fn fields(
    State(state): State<AppState>,
    Extension(index): Extension<SearchIndex>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path(slug): Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let service = managed(&state, &user, &slug).await?;
    let posted = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    let schema: Value =
        serde_json::from_str(posted("base_schema")).map_err(|_| AppError::BadRequest("base"))?;
    let layout: Layout =
        serde_json::from_str(posted("base_layout")).map_err(|_| AppError::BadRequest("base"))?;
    let action = posted("action");
    let edit = field_list::Edit::parse(action);
    if edit.is_none() && action != "preview" && action != "publish" {
        return Err(AppError::BadRequest("action"));
    }
    let mut rows = field_list::read_rows(&pairs);
    match edit {
        Some(edit) => field_list::apply(&mut rows, edit, &schema, &layout),
        None => field_list::order(&mut rows, &layout),
    }
    let now = state.clock.now();
    let mut shown = Shown::of(&schema, &layout);
    shown.rows = rows;
    let mut status = StatusCode::OK;
    match field_list::build(&schema, &layout, &shown.rows) {
        // After a button, a row not yet filled in is no error: it is drawn again.
        Err(_) if edit.is_some() => {}
        Err(errors) => {
            shown.errors = errors;
            status = StatusCode::UNPROCESSABLE_ENTITY;
        }
        Ok((built_schema, built_layout)) => {
            let (schema_text, layout_text) = (built_schema.to_string(), built_layout.to_string());
            shown.schema = pretty(&built_schema);
            shown.layout = pretty(&built_layout);
            let mut tx = state.db.begin().await?;
            let outcome = if action == "publish" {
                editing::publish_form(
                    &mut tx,
                    &user.actor(),
                    &service.id,
                    &schema_text,
                    &layout_text,
                    now,
                )
                .await
            } else {
                // Never committed: the preview stores nothing.
                editing::draft(&mut tx, &service, &schema_text, &layout_text, now).await
            };
            match outcome {
                Ok(_) if action == "publish" => {
                    tx.commit().await?;
                    index.invalidate();
                    let to = format!("/admin/services/{slug}/form?done=published");
                    return Ok(Redirect::to(&to).into_response());
                }
                Ok(draft) => shown.preview = steps_of(&state, &page, draft, &service).await?,
                Err(_) if edit.is_some() => {}
                Err(CatalogError::Invalid(errors)) => {
                    shown.errors = errors
                        .into_iter()
                        .map(|e| FieldError::new("fields", &e.code))
                        .collect();
                    status = StatusCode::UNPROCESSABLE_ENTITY;
                }
                Err(CatalogError::BadForm(reason)) => {
                    shown.errors = vec![FieldError::new("fields", "catalog.form.refused")];
                    shown.reason = reason;
                    shown.reason_in_list = true;
                    status = StatusCode::UNPROCESSABLE_ENTITY;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    let view = page_of(&state, page, &service, shown, false).await?;
    Ok((status, render(&view)?).into_response())
}
