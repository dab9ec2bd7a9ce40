//! Consents: a person named by their personal number agrees (or not) in their own account.

use super::views::{self, service_title};
use super::{confirm, CasesState};
use crate::model::Consent;
use crate::service::{answers, applications, consents};
use crate::strings::TABLES;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portico_core::Id;
use portico_http::{
    render, AppError, CsrfForm, FieldError, PageContext, SessionUser, SignedIn, StepUpOffer,
    ValidPath,
};
use portico_identity::service::step_up;
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
    /// The second-factor field and "send me a code"; `None` when the session's level of
    /// assurance is below what deciding needs: the page then says why and how to raise it
    /// instead of offering the buttons.
    offer: Option<StepUpOffer>,
    errors: Vec<FieldError>,
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

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    code_sent: Option<String>,
    /// `refuse`: the "are you sure?" page of a refusal (where "send me a code" comes back to).
    decision: Option<String>,
}

pub async fn show(
    State(state): State<CasesState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    ValidPath(id): ValidPath<Id>,
    axum::extract::Query(q): axum::extract::Query<ShowQuery>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let actor = user.actor();
    let (consent, _) = consents::addressed_to(&state.app.db, &actor, &id).await?;
    let can_decide = actor.require(consents::DECIDE_ASSURANCE).is_ok();
    if can_decide && q.decision.as_deref() == Some("refuse") {
        let offer = offer(&state, &user, &id, true, q.code_sent.as_deref()).await?;
        return refusal_page(&state, page, consent, offer).await;
    }
    let offer = match can_decide {
        true => Some(offer(&state, &user, &id, false, q.code_sent.as_deref()).await?),
        false => None,
    };
    show_page(&state, page, consent, offer).await
}

async fn show_page(
    state: &CasesState,
    page: PageContext,
    consent: Consent,
    offer: Option<StepUpOffer>,
) -> Result<Response, AppError> {
    let item = view(state, consent, page.lang).await?;
    let refused = offer.as_ref().is_some_and(|o| o.error.is_some());
    let (status, errors) = match refused {
        true => (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![FieldError::new("code", "code.wrong")],
        ),
        false => (StatusCode::OK, vec![]),
    };
    let template = ShowPage {
        page,
        item,
        offer,
        errors,
    };
    Ok((status, render(&template)?).into_response())
}

/// Deciding is confirmed with the second factor, for [`consents::STEP_UP_PURPOSE`]; "send me a
/// code" comes back to the consent page, or to the refusal's "are you sure?" page.
async fn offer(
    state: &CasesState,
    user: &SessionUser,
    id: &str,
    refusing: bool,
    code_sent: Option<&str>,
) -> Result<StepUpOffer, AppError> {
    let back = match refusing {
        true => format!("/consents/{id}?decision=refuse"),
        false => format!("/consents/{id}"),
    };
    views::step_up_offer(
        &state.app.db,
        &user.account_id,
        consents::STEP_UP_PURPOSE,
        back,
        code_sent,
    )
    .await
}

/// A refusal ends the other person's application: asked once, with the code, before it is done.
async fn refusal_page(
    state: &CasesState,
    page: PageContext,
    consent: Consent,
    offer: StepUpOffer,
) -> Result<Response, AppError> {
    let id = consent.id.clone();
    let item = view(state, consent, page.lang).await?;
    let confirm = confirm::Confirm {
        caption: format!("{} — {}", item.service, item.number),
        title: page.t("confirm_refuse_consent_title").to_owned(),
        body: page.t("confirm_refuse_consent_body").to_owned(),
        action: format!("/consents/{id}"),
        fields: vec![("decision".to_owned(), "refuse".to_owned())],
        button: page.t("consent_refuse").to_owned(),
        warning: true,
        cancel: format!("/consents/{id}"),
        step_up: Some(offer),
    };
    confirm::page(page, confirm)
}

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    decision: String,
    #[serde(default)]
    confirmed: Option<String>,
    /// The second factor's code (authenticator, recovery or sent code).
    #[serde(default)]
    code: String,
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
    let page = page.with_strings(TABLES);
    let actor = user.actor();
    // Before any code is checked: someone who may not decide spends no code on it.
    let consent = consents::decidable_by(&state.app.db, &actor, &id).await?;
    if !give && !confirm::confirmed(&form.confirmed) {
        let mut offer = offer(&state, &user, &id, true, None).await?;
        offer.code = form.code.trim().to_owned();
        return refusal_page(&state, page, consent, offer).await;
    }
    let confirmed = match step_up::confirm(
        &state.app.db,
        &user.account_id,
        &form.code,
        consents::STEP_UP_PURPOSE,
        state.app.clock.now(),
    )
    .await
    {
        Ok(confirmed) => confirmed,
        Err(portico_identity::IdentityError::WrongCode) => {
            let mut offer = offer(&state, &user, &id, !give, None).await?;
            offer.error = Some(page.t("code.wrong"));
            return match give {
                true => show_page(&state, page, consent, Some(offer)).await,
                false => refusal_page(&state, page, consent, offer).await,
            };
        }
        Err(e) => return Err(e.into()),
    };
    consents::give_or_refuse(&state.cases, &actor, &id, give, &confirmed).await?;
    Ok(Redirect::to("/consents?done=1").into_response())
}
