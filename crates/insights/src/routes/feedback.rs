//! Giving feedback on a service: the five-point scale and an optional comment. Nothing about
//! the person is read or kept (the page works signed out as well as signed in).

use super::{plausible_id, InsightsState};
use crate::model::Stage;
use crate::service::feedback::{self, NewFeedback, SCALE};
use crate::strings::TABLES;
use crate::InsightsError;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use portico_http::{render, AppError, CsrfForm, FieldError, PageContext, ValidPath};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct StageQuery {
    stage: Option<String>,
}

pub struct Choice {
    pub value: i64,
    pub label: &'static str,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "feedback.html")]
struct FeedbackPage {
    page: PageContext,
    service_id: String,
    service: String,
    stage: &'static str,
    choices: Vec<Choice>,
    comment: String,
    errors: Vec<FieldError>,
}

#[derive(Template)]
#[template(path = "feedback_thanks.html")]
struct ThanksPage {
    page: PageContext,
    service_id: String,
}

async fn title(state: &InsightsState, id: &str, page: &PageContext) -> Result<String, AppError> {
    if !plausible_id(id) {
        return Err(AppError::NotFound);
    }
    portico_catalog::service::get(&state.insights.db, id)
        .await
        .map_err(AppError::internal)?
        .filter(|s| s.published_at.is_some())
        .map(|s| s.title(page.lang).to_owned())
        .ok_or(AppError::NotFound)
}

fn choices(page: &PageContext, rating: Option<i64>) -> Vec<Choice> {
    SCALE
        .iter()
        .map(|(value, key)| Choice {
            value: *value,
            label: page.t(key),
            checked: rating == Some(*value),
        })
        .collect()
}

pub async fn form(
    State(state): State<InsightsState>,
    ValidPath(service_id): ValidPath<String>,
    Query(q): Query<StageQuery>,
    page: PageContext,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let service = title(&state, &service_id, &page).await?;
    let stage = Stage::parse(q.stage.as_deref().unwrap_or("submitted"))
        .unwrap_or(Stage::Submitted)
        .as_str();
    let choices = choices(&page, None);
    Ok(render(&FeedbackPage {
        page,
        service_id,
        service,
        stage,
        choices,
        comment: String::new(),
        errors: Vec::new(),
    })?
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct FeedbackForm {
    rating: Option<String>,
    #[serde(default)]
    comment: String,
    stage: Option<String>,
}

pub async fn give(
    State(state): State<InsightsState>,
    ValidPath(service_id): ValidPath<String>,
    page: PageContext,
    CsrfForm(form): CsrfForm<FeedbackForm>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let service = title(&state, &service_id, &page).await?;
    let stage = Stage::parse(form.stage.as_deref().unwrap_or("")).unwrap_or(Stage::Submitted);
    let rating = form.rating.as_deref().and_then(|r| r.trim().parse().ok());
    let given = NewFeedback {
        service_id: &service_id,
        stage,
        rating,
        comment: &form.comment,
    };
    match feedback::give(&state.insights, &given).await {
        Ok(()) => Ok(render(&ThanksPage { page, service_id })?.into_response()),
        Err(InsightsError::Invalid(errors)) => {
            let choices = choices(&page, rating);
            let mut response = render(&FeedbackPage {
                page,
                service_id,
                service,
                stage: stage.as_str(),
                choices,
                comment: form.comment,
                errors,
            })?
            .into_response();
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}
