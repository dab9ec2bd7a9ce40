//! Consents: a person named by their personal number agrees (or not) in their own account.

use super::confirm;
use super::views::service_title;
use super::CasesState;
use crate::model::Consent;
use crate::service::{answers, applications, consents};
use crate::strings::TABLES;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use portico_core::Id;
use portico_http::{render, AppError, CsrfForm, PageContext, SignedIn, ValidPath};
use serde::Deserialize;

pub struct ConsentView {
    pub consent: Consent,
    pub applicant: String,
    pub service: String,
    pub number: String,
    /// The capacity they consent in, as the form names it ("owner of the home").
    pub role_label: String,
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
    /// False when the session's level of assurance is below what deciding needs: the page says
    /// why and how to raise it instead of offering the buttons.
    can_decide: bool,
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
    // Only what the form's consent rule shows: not the rest of the application.
    let form = answers::form_of(&state.app.db, &app).await?;
    let rule = form
        .layout
        .consents
        .iter()
        .find(|rule| rule.role == consent.role);
    let shows: Vec<&str> = rule
        .map(|rule| rule.shows.iter().map(String::as_str).collect())
        .unwrap_or_default();
    let role_label = rule
        .map(|rule| rule.label.get(lang).to_owned())
        .unwrap_or_else(|| consent.role.clone());
    let address = answers::readable(&state.app.db, &app, &form, lang)
        .await?
        .into_iter()
        .filter(|a| shows.contains(&a.name.as_str()))
        .map(|a| (a.label, a.value))
        .collect();
    Ok(ConsentView {
        address,
        applicant,
        service: service_title(&state.app.db, &app.service_id, lang).await?,
        number: app.tracking_number.unwrap_or_default(),
        role_label,
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
    if let Some(pid) = consents::personal_id_of(&state.app.db, &user.actor()).await? {
        for consent in consents::pending_for(&state.app.db, &pid).await? {
            items.push(view(&state, consent, page.lang).await?);
        }
    }
    let done = q.done.is_some();
    Ok(render(&ListPage { page, items, done })?.into_response())
}

pub async fn show(
    State(state): State<CasesState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    ValidPath(id): ValidPath<Id>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let actor = user.actor();
    let (consent, _) = consents::addressed_to(&state.app.db, &actor, &id).await?;
    let item = view(&state, consent, page.lang).await?;
    let can_decide = actor.require(consents::DECIDE_ASSURANCE).is_ok();
    Ok(render(&ShowPage {
        page,
        item,
        can_decide,
    })?
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    decision: String,
    #[serde(default)]
    confirmed: Option<String>,
}

pub async fn decide(
    State(state): State<CasesState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    ValidPath(id): ValidPath<Id>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> Result<Response, AppError> {
    let give = match form.decision.as_str() {
        "give" => true,
        "refuse" => false,
        _ => return Err(AppError::BadRequest("decision")),
    };
    // A refusal ends the other person's application: asked once before it is done.
    if !give && !confirm::confirmed(&form.confirmed) {
        let page = page.with_strings(TABLES);
        let (consent, _) = consents::addressed_to(&state.app.db, &user.actor(), &id).await?;
        let item = view(&state, consent, page.lang).await?;
        let confirm = confirm::Confirm {
            caption: format!("{} — {}", item.service, item.number),
            title: page.t("confirm_refuse_consent_title").to_owned(),
            body: page.t("confirm_refuse_consent_body").to_owned(),
            action: format!("/consents/{id}"),
            fields: vec![("decision".to_owned(), "refuse".to_owned())],
            button: page.t("consent_refuse").to_owned(),
            warning: true,
            cancel: format!("/consents/{id}"),
        };
        return confirm::page(page, confirm);
    }
    consents::give_or_refuse(&state.cases, &user.actor(), &id, give).await?;
    Ok(Redirect::to("/consents?done=1").into_response())
}
