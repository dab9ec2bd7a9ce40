//! Consents: a person named by their personal number agrees (or not) in their own account.

use super::views::service_title;
use super::CasesState;
use crate::model::Consent;
use crate::service::consents::{self, Outcome};
use crate::service::{applications, notifications};
use crate::strings::TABLES;
use crate::CasesError;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use portico_http::{render, AppError, CsrfForm, PageContext, SessionUser, SignedIn};
use serde::Deserialize;

pub struct ConsentView {
    pub consent: Consent,
    pub applicant: String,
    pub service: String,
    pub number: String,
    /// What the consent is about: the address, as the form labels it. Only that, not the rest
    /// of the application, which is none of the consenting person's business.
    pub address: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "consents.html")]
struct ListPage {
    page: PageContext,
    items: Vec<ConsentView>,
    done: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "consent.html")]
struct ShowPage {
    page: PageContext,
    item: ConsentView,
}

/// The signed-in person's own personal number: consents are addressed by it.
async fn my_personal_id(
    state: &CasesState,
    user: &SessionUser,
) -> Result<Option<String>, AppError> {
    let account = portico_identity::service::accounts::get(&state.app.db, &user.account_id).await?;
    Ok(account
        .and_then(|a| a.personal_id)
        .map(|p| p.value().to_owned()))
}

async fn view(
    state: &CasesState,
    consent: Consent,
    lang: portico_http::Lang,
) -> Result<ConsentView, AppError> {
    let app = applications::get(&state.app.db, &consent.application_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let applicant = portico_identity::service::accounts::get(&state.app.db, &app.applicant_id)
        .await?
        .map(|a| a.display_name())
        .unwrap_or_default();
    let address = match super::filling::form_of(state, &app).await {
        Ok(form) => super::filling::review_rows(state, &app, &form, lang)
            .await?
            .into_iter()
            .filter(|r| r.widget == "address")
            .map(|r| (r.label, r.value))
            .collect(),
        Err(_) => Vec::new(),
    };
    Ok(ConsentView {
        address,
        applicant,
        service: service_title(&state.app.db, &app.service_id, lang).await,
        number: app.tracking_number.unwrap_or_default(),
        consent,
    })
}

pub async fn list(
    State(state): State<CasesState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    axum::extract::Query(q): axum::extract::Query<DoneQuery>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let mut items = Vec::new();
    if let Some(pid) = my_personal_id(&state, &user).await? {
        for consent in consents::pending_for(&state.app.db, &pid).await? {
            items.push(view(&state, consent, page.lang).await?);
        }
    }
    let done = q.done.is_some();
    Ok(render(&ListPage { page, items, done })?.into_response())
}

/// The consent, if it names the signed-in person; "not found" for anybody else.
async fn mine(
    state: &CasesState,
    user: &SessionUser,
    id: &str,
) -> Result<(Consent, String), AppError> {
    if !portico_core::ids::is_valid_id(id) {
        return Err(AppError::NotFound);
    }
    let pid = my_personal_id(state, user)
        .await?
        .ok_or(AppError::NotFound)?;
    match consents::get(&state.app.db, id).await? {
        Some(c) if c.personal_id == pid => Ok((c, pid)),
        _ => Err(AppError::NotFound),
    }
}

pub async fn show(
    State(state): State<CasesState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let (consent, _) = mine(&state, &user, &id).await?;
    let item = view(&state, consent, page.lang).await?;
    Ok(render(&ShowPage { page, item })?.into_response())
}

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    decision: String,
}

pub async fn decide(
    State(state): State<CasesState>,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> Result<Response, AppError> {
    let (_, pid) = mine(&state, &user, &id).await?;
    let give = match form.decision.as_str() {
        "give" => true,
        "refuse" => false,
        _ => return Err(AppError::BadRequest("decision")),
    };
    let now = state.app.clock.now();
    let mut tx = state.app.db.begin().await?;
    let (consent, outcome) =
        consents::decide(&mut tx, &id, &user.account_id, &pid, give, now).await?;
    let app = applications::get(&state.app.db, &consent.application_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let number = app.tracking_number.clone().unwrap_or_default();
    match outcome {
        Outcome::AllGiven => {
            applications::system_transition(&mut tx, &app.id, "consent_given", now).await?;
        }
        Outcome::Refused => {
            applications::system_transition(&mut tx, &app.id, "consent_refused", now).await?;
        }
        Outcome::Waiting => {
            notifications::notify(
                &mut tx,
                &app.applicant_id,
                Some(&app.id),
                &format!("Заявление {number}: дадено е съгласие, очакват се и други"),
                &format!("Application {number}: a consent was given; others are still pending"),
                now,
            )
            .await?;
        }
    }
    tx.commit().await.map_err(CasesError::from)?;
    state.app.jobs_waker.notify_one();
    Ok(Redirect::to("/consents?done=1").into_response())
}
