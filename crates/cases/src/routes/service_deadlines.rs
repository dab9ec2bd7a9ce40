//! `/admin/services/{slug}/deadlines`: for the service console (the catalog's
//! `/admin/services/{slug}`), the administration tunes its service's process: the deadline in
//! working days of each state where the administration works the case, in place of the
//! library's. The process definitions are this block's, so this page is too; the deadlines are
//! stored with the service by the catalog ([`portico_catalog::service::editing::set_state_deadlines`]),
//! and an application is started with them (applications in progress keep theirs). Only the
//! service's administration admins (and platform admins) reach it; anyone else gets 404.

use super::CasesState;
use crate::process::StateKind;
use crate::service::processes;
use crate::strings::FORM_TABLES;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portico_catalog::model::Service;
use portico_catalog::CatalogError;
use portico_http::{render, AppError, CsrfForm, FieldError, PageContext, SignedIn};
use serde::Deserialize;
use std::collections::BTreeMap;

/// One state whose deadline the administration may set.
pub struct Row {
    pub id: String,
    pub label: String,
    /// The library's deadline (0: none).
    pub library: u32,
    /// As typed, or the administration's deadline, or empty for the library's.
    pub value: String,
    pub error: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "service_deadlines.html")]
struct DeadlinesPage {
    page: PageContext,
    slug: String,
    title: String,
    process: String,
    rows: Vec<Row>,
    errors: Vec<FieldError>,
    saved: bool,
}

#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

async fn managed(
    state: &CasesState,
    user: &portico_http::SessionUser,
    slug: &str,
) -> Result<Service, AppError> {
    let service = portico_catalog::service::by_slug(&state.app.db, slug)
        .await?
        .ok_or(AppError::NotFound)?;
    if !portico_catalog::service::local::may_manage(&user.actor(), &service.administration_id) {
        return Err(AppError::NotFound);
    }
    Ok(service)
}

/// The states the administration works in (and any the library gives a deadline): where a
/// deadline of its own means something.
fn tunable(service: &Service) -> Result<Vec<&'static crate::process::State>, AppError> {
    let def = processes::get(&service.process_key)?;
    Ok(def
        .states
        .iter()
        .filter(|s| s.kind == StateKind::Open || s.deadline_working_days.is_some())
        .filter(|s| s.kind != StateKind::Final)
        .collect())
}

fn page_of(
    page: PageContext,
    service: &Service,
    typed: Option<&BTreeMap<String, String>>,
    errors: Vec<FieldError>,
    saved: bool,
) -> Result<DeadlinesPage, AppError> {
    let bg = page.lang == portico_http::Lang::Bg;
    let rows = tunable(service)?
        .into_iter()
        .map(|s| Row {
            id: s.id.clone(),
            label: if bg {
                s.label_bg.clone()
            } else {
                s.label_en.clone()
            },
            library: s.deadline_working_days.unwrap_or(0),
            value: match typed {
                Some(typed) => typed.get(&s.id).cloned().unwrap_or_default(),
                None => service
                    .state_deadlines
                    .get(&s.id)
                    .map(u32::to_string)
                    .unwrap_or_default(),
            },
            error: page.field_error(&errors, &format!("deadline-{}", s.id)),
        })
        .collect();
    let process = portico_catalog::service::editing::library_process(&service.process_key)
        .map_or_else(
            || service.process_key.clone(),
            |p| p.name(page.lang).to_owned(),
        );
    Ok(DeadlinesPage {
        slug: service.slug.clone(),
        title: service.title(page.lang).to_owned(),
        process,
        rows,
        errors,
        saved,
        page,
    })
}

pub async fn show(
    State(state): State<CasesState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path(slug): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, AppError> {
    let page = page.with_strings(FORM_TABLES);
    let service = managed(&state, &user, &slug).await?;
    let saved = done.done.as_deref() == Some("saved");
    Ok(render(&page_of(page, &service, None, vec![], saved)?)?.into_response())
}

/// Saves the deadlines: a number for a state is the administration's, empty is the library's.
pub async fn save(
    State(state): State<CasesState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path(slug): Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let page = page.with_strings(FORM_TABLES);
    let service = managed(&state, &user, &slug).await?;
    let mut typed = BTreeMap::new();
    let mut deadlines = BTreeMap::new();
    let mut errors = Vec::new();
    for s in tunable(&service)? {
        let value = pairs
            .iter()
            .find(|(k, _)| *k == format!("deadline-{}", s.id))
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default();
        if !value.is_empty() {
            match value.parse::<u32>() {
                Ok(days) => {
                    deadlines.insert(s.id.clone(), days);
                }
                Err(_) => errors.push(FieldError::new(
                    &format!("deadline-{}", s.id),
                    "catalog.deadlines.range",
                )),
            }
        }
        typed.insert(s.id.clone(), value);
    }
    if errors.is_empty() {
        let now = state.app.clock.now();
        let mut tx = state.app.db.begin().await?;
        match portico_catalog::service::editing::set_state_deadlines(
            &mut tx,
            &user.actor(),
            &service.id,
            &deadlines,
            now,
        )
        .await
        {
            Ok(_) => {
                tx.commit().await?;
                let to = format!("/admin/services/{slug}/deadlines?done=saved");
                return Ok(Redirect::to(&to).into_response());
            }
            Err(CatalogError::Invalid(refused)) => errors = refused,
            Err(e) => return Err(e.into()),
        }
    }
    let view = page_of(page, &service, Some(&typed), errors, false)?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)?).into_response())
}
