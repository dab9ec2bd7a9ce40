//! `/admin/services/{slug}/form`: the e-form editor of the service console. The admin edits the
//! form's JSON Schema and layout, sees every step drawn as an applicant would see it
//! ("Preview", which stores nothing), and publishes a new version ("Publish"). The rules are in
//! [`crate::service::editing`]; a refusal is shown with its reason and nothing changes.

use super::managed;
use crate::forms::{self, FormVersion, StepView};
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
    schema: String,
    layout: String,
    /// Every step as a person sees it, of the definition shown (as typed, after a preview).
    preview: Vec<StepView>,
    errors: Vec<FieldError>,
    /// Why `forms::check_definition` refused the definition, as it says it.
    reason: String,
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

struct Shown {
    schema: String,
    layout: String,
    preview: Vec<StepView>,
    errors: Vec<FieldError>,
    reason: String,
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
    Ok(FormEditorPage {
        slug: service.slug.clone(),
        title: service.title(page.lang).to_owned(),
        current_version: current.as_ref().map_or(0, |f| f.version),
        shared: service.form_key.is_some() && service.form_key != own,
        schema: shown.schema,
        layout: shown.layout,
        preview: shown.preview,
        errors: shown.errors,
        reason: shown.reason,
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
        Some(form) => Shown {
            schema: pretty(&form.schema),
            layout: serde_json::to_value(&form.layout)
                .map(|l| pretty(&l))
                .unwrap_or_default(),
            preview: steps_of(&state, &page, form, &service).await?,
            errors: vec![],
            reason: String::new(),
        },
        None => Shown {
            schema: String::new(),
            layout: String::new(),
            preview: vec![],
            errors: vec![],
            reason: String::new(),
        },
    };
    let published = done.done.as_deref() == Some("published");
    let view = page_of(&state, page, &service, shown, published).await?;
    Ok(render(&view)?.into_response())
}

/// "Preview" draws the definition as typed; "Publish" makes it the form's new version.
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
    let mut shown = Shown {
        schema: form.schema,
        layout: form.layout,
        preview: vec![],
        errors: vec![],
        reason: String::new(),
    };
    let status = match outcome {
        Ok(draft) => {
            shown.preview = steps_of(&state, &page, draft, &service).await?;
            StatusCode::OK
        }
        Err(CatalogError::Invalid(errors)) => {
            shown.errors = errors;
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(CatalogError::BadForm(reason)) => {
            shown.errors = vec![FieldError::new("schema", "catalog.form.refused")];
            shown.reason = reason;
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(e) => return Err(e.into()),
    };
    let view = page_of(&state, page, &service, shown, false).await?;
    Ok((status, render(&view)?).into_response())
}
