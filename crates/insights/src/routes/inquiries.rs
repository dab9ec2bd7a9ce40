//! Asking an administration a question, and (signed in) the questions one asked.

use super::InsightsState;
use crate::model::Inquiry;
use crate::service::inquiries::{self, NewInquiry};
use crate::strings::TABLES;
use crate::InsightsError;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use portico_http::{render, AppError, CsrfForm, FieldError, PageContext, SignedIn};
use serde::Deserialize;

#[derive(Debug, Deserialize, Default)]
pub struct Prefill {
    administration: Option<String>,
    service: Option<String>,
    application: Option<String>,
}

pub struct Option_ {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "inquiry_new.html")]
struct AskPage {
    page: PageContext,
    administrations: Vec<Option_>,
    services: Vec<Option_>,
    application_ref: String,
    email: String,
    question: String,
    signed_in: bool,
    errors: Vec<FieldError>,
}

#[derive(Template)]
#[template(path = "inquiry_sent.html")]
struct SentPage {
    page: PageContext,
    reference: String,
    deadline: String,
}

#[derive(Template)]
#[template(path = "inquiries_mine.html")]
struct MinePage {
    page: PageContext,
    inquiries: Vec<Inquiry>,
}

async fn ask_page(
    state: &InsightsState,
    page: PageContext,
    administration: &str,
    service: &str,
    rest: (String, String, String),
    errors: Vec<FieldError>,
) -> Result<AskPage, AppError> {
    let db = &state.insights.db;
    let administrations = portico_identity::service::administrations::list(db)
        .await?
        .into_iter()
        .map(|a| Option_ {
            selected: a.id == administration,
            label: a.name(page.lang).to_owned(),
            value: a.id,
        })
        .collect();
    let services = if administration.is_empty() {
        Vec::new()
    } else {
        portico_catalog::service::list_for_administration(db, administration)
            .await
            .map_err(AppError::internal)?
            .into_iter()
            .filter(|s| s.published_at.is_some())
            .map(|s| Option_ {
                selected: s.id == service,
                label: s.title(page.lang).to_owned(),
                value: s.id,
            })
            .collect()
    };
    let signed_in = page.signed_in();
    Ok(AskPage {
        page,
        administrations,
        services,
        application_ref: rest.0,
        email: rest.1,
        question: rest.2,
        signed_in,
        errors,
    })
}

pub async fn form(
    State(state): State<InsightsState>,
    Query(q): Query<Prefill>,
    page: PageContext,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let p = ask_page(
        &state,
        page,
        q.administration.as_deref().unwrap_or(""),
        q.service.as_deref().unwrap_or(""),
        (
            q.application.unwrap_or_default(),
            String::new(),
            String::new(),
        ),
        Vec::new(),
    )
    .await?;
    Ok(render(&p)?.into_response())
}

#[derive(Debug, Deserialize)]
pub struct AskForm {
    #[serde(default)]
    administration: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    application_ref: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    question: String,
}

pub async fn ask(
    State(state): State<InsightsState>,
    page: PageContext,
    CsrfForm(form): CsrfForm<AskForm>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let actor = page
        .user
        .as_ref()
        .filter(|u| u.fully_authenticated)
        .map(|u| u.actor());
    let new = NewInquiry {
        administration_id: form.administration.clone(),
        service_id: Some(form.service.clone()),
        application_ref: Some(form.application_ref.clone()),
        email: Some(form.email.clone()),
        question: form.question.clone(),
    };
    match inquiries::ask(&state.insights, actor.as_ref(), &new).await {
        Ok(i) => Ok(render(&SentPage {
            page,
            reference: i.reference,
            deadline: i.deadline.format("%d.%m.%Y").to_string(),
        })?
        .into_response()),
        Err(InsightsError::Invalid(errors)) => {
            let p = ask_page(
                &state,
                page,
                &form.administration,
                &form.service,
                (form.application_ref, form.email, form.question),
                errors,
            )
            .await?;
            let mut response = render(&p)?.into_response();
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn mine(
    State(state): State<InsightsState>,
    SignedIn(user): SignedIn,
    page: PageContext,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let inquiries = inquiries::mine(&state.insights, &user.actor()).await?;
    Ok(render(&MinePage { page, inquiries })?.into_response())
}
