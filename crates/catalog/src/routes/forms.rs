//! A preview of a form, one step at a time, drawn with the same partials as applications. Posting
//! a step checks it exactly as an application would, and stores nothing.

use crate::forms::{self, FormVersion, StepView};
use crate::strings::TABLES;
use crate::CatalogError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portico_http::{render, AppError, AppState, CsrfForm, PageContext, CSRF_FIELD};
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
pub struct StepQuery {
    step: Option<usize>,
}

#[derive(Template)]
#[template(path = "form_preview.html")]
struct PreviewPage {
    page: PageContext,
    form_key: String,
    version: i64,
    step: StepView,
    /// (number, title, link) of every step.
    steps: Vec<(usize, String, String)>,
    action: String,
    ok: bool,
}

async fn load(
    state: &AppState,
    form_key: &str,
    step: Option<usize>,
) -> Result<(FormVersion, usize), AppError> {
    let valid_key = !form_key.is_empty()
        && form_key.len() <= 80
        && form_key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !valid_key {
        return Err(AppError::NotFound);
    }
    let form = forms::current(&state.db, form_key)
        .await?
        .ok_or(AppError::NotFound)?;
    let number = step.unwrap_or(1);
    if number == 0 || number > form.steps().len() {
        return Err(AppError::NotFound);
    }
    Ok((form, number - 1))
}

fn page_for(page: PageContext, form: &FormVersion, step: StepView, ok: bool) -> PreviewPage {
    let lang = page.lang;
    PreviewPage {
        form_key: form.form_key.clone(),
        version: form.version,
        steps: form
            .steps()
            .iter()
            .enumerate()
            .map(|(i, s)| {
                (
                    i + 1,
                    s.title.get(lang).to_owned(),
                    format!("/forms/{}/preview?step={}", form.form_key, i + 1),
                )
            })
            .collect(),
        action: format!("/forms/{}/preview?step={}", form.form_key, step.number),
        step,
        ok,
        page,
    }
}

pub async fn preview(
    State(state): State<AppState>,
    page: PageContext,
    Path(form_key): Path<String>,
    Query(q): Query<StepQuery>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let (form, index) = load(&state, &form_key, q.step).await?;
    let empty = Value::Object(Default::default());
    let step = form
        .step_view(&state.db, index, page.lang, &empty, &[])
        .await?;
    Ok(render(&page_for(page, &form, step, false))?.into_response())
}

pub async fn check(
    State(state): State<AppState>,
    page: PageContext,
    Path(form_key): Path<String>,
    Query(q): Query<StepQuery>,
    CsrfForm(posted): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let (form, index) = load(&state, &form_key, q.step).await?;
    let posted: Vec<(String, String)> = posted
        .into_iter()
        .filter(|(k, _)| k != CSRF_FIELD)
        .collect();
    let today = state.clock.now().date_naive();
    let echo = form.echo(index, &posted);
    match form.parse_step(&state.db, index, &posted, today).await {
        Ok(_) => {
            let step = form
                .step_view(&state.db, index, page.lang, &echo, &[])
                .await?;
            Ok(render(&page_for(page, &form, step, true))?.into_response())
        }
        Err(CatalogError::Invalid(errors)) => {
            let step = form
                .step_view(&state.db, index, page.lang, &echo, &errors)
                .await?;
            let html = render(&page_for(page, &form, step, false))?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
