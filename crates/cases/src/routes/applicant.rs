//! The applicant's side once a form is filled: their applications, each with its status and
//! timeline, answering a request for information, withdrawing, and the result.

use super::confirm;
use super::views::{local_date, local_time, resume_target, service_title, state_label};
use super::CasesState;
use crate::model::{Application, Event, TransitionInput};
use crate::process::{ProcessRole, StateKind};
use crate::service::{access, applications, decisions, processes, results};
use crate::strings::TABLES;
use crate::CasesError;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use portico_core::Id;
use portico_http::{
    render, AppError, CsrfForm, FieldError, Lang, PageContext, SessionUser, SignedIn, ValidPath,
};
use serde::Deserialize;

pub struct ListRow {
    pub id: String,
    pub number: String,
    pub service: String,
    pub state: String,
    pub updated: String,
    pub draft: bool,
    pub step: i64,
    /// The state's tag colour, from [`super::views::status_kind`].
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "applications.html")]
struct ListPage {
    page: PageContext,
    rows: Vec<ListRow>,
    notifications: Vec<(String, String)>,
}

pub async fn list(
    State(state): State<CasesState>,
    SignedIn(user): SignedIn,
    page: PageContext,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    // Under a mandate, the principal's applications ("acting as").
    let actor = user.actor();
    // (A company's representative: the company has no applications of a person's here yet.)
    let apps = match actor.principal_account_id() {
        Some(whose) => applications::list_for_applicant(&state.app.db, whose).await?,
        None => Vec::new(),
    };
    let mut rows = Vec::with_capacity(apps.len());
    for app in apps {
        rows.push(ListRow {
            number: app.tracking_number.clone().unwrap_or_default(),
            service: service_title(&state.app.db, &app.service_id, page.lang).await?,
            state: state_label(&app, page.lang)?,
            updated: local_time(&app.updated_at),
            draft: app.is_draft(),
            step: app.current_step,
            status: super::views::status_kind(&app, true),
            id: app.id,
        });
    }
    let notifications = crate::service::notifications::list(&state.app.db, &user.account_id)
        .await?
        .into_iter()
        .take(10)
        .map(|n| {
            (
                local_time(&n.created_at),
                if page.lang == Lang::Bg {
                    n.text_bg
                } else {
                    n.text_en
                },
            )
        })
        .collect();
    Ok(render(&ListPage {
        page,
        rows,
        notifications,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "application.html")]
struct ShowPage {
    page: PageContext,
    app: Application,
    service: String,
    state: String,
    just_submitted: bool,
    /// The case is decided (or ended): what was decided, and why when the decision says.
    decision: Option<(String, String)>,
    timeline: Vec<Event>,
    waiting_for_me: bool,
    can_withdraw: bool,
    /// The eDelivery messages that carried the result to the applicant's mailbox.
    delivered: Vec<String>,
    /// The people the platform found and asked for consent: (name, capacity, where it stands).
    consenters: Vec<(String, String, String)>,
    errors: Vec<FieldError>,
    /// The fee asked for the application, newest first.
    payments: Vec<FeeView>,
}

/// A fee asked for an application, as its applicant sees it.
pub struct FeeView {
    pub id: String,
    pub code: String,
    pub amount: String,
    pub paid: bool,
    /// Whether it can be paid now (the "pay" step).
    pub payable: bool,
}

impl ShowPage {
    fn when(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        local_time(at)
    }

    fn final_deadline(&self) -> String {
        self.app
            .final_deadline
            .as_ref()
            .map(local_date)
            .unwrap_or_default()
    }

    fn event_label(&self, e: &Event) -> String {
        super::views::event_label(&self.app, e, &self.page)
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    submitted: Option<String>,
}

async fn own(state: &CasesState, user: &SessionUser, id: &str) -> Result<Application, AppError> {
    Ok(access::own(&state.app.db, &user.actor(), id).await?)
}

/// Who the platform found and asked for consent, by name (never by EGN), with their answer.
async fn asked_by_name(
    state: &CasesState,
    app: &Application,
    page: &PageContext,
) -> Result<Vec<(String, String, String)>, AppError> {
    let found = crate::service::found::people(&state.app.db, &app.id).await?;
    if found.is_empty() || app.is_draft() {
        return Ok(Vec::new());
    }
    let form = crate::service::answers::form_of(&state.app.db, app).await?;
    let consents = crate::service::consents::for_application(&state.app.db, &app.id).await?;
    Ok(consents
        .into_iter()
        .filter_map(|c| {
            let person = found.iter().find(|p| {
                p.role == c.role
                    && p.personal_id == c.personal_id
                    && p.personal_id_kind == c.personal_id_kind
            })?;
            let capacity = form
                .layout
                .consents
                .iter()
                .find(|r| r.role == c.role)
                .map(|r| r.label.get(page.lang).to_owned())
                .unwrap_or_default();
            Some((
                person.name.clone(),
                capacity,
                page.t(&format!("consent_status_{}", c.status)).to_owned(),
            ))
        })
        .collect())
}

async fn show_page(
    state: &CasesState,
    page: PageContext,
    app: Application,
    just_submitted: bool,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let def = processes::get(&app.process_key)?;
    let kind = def.state(&app.state).map(|s| s.kind);
    let timeline = applications::timeline(&state.app.db, &app.id, false).await?;
    let decision = if kind == Some(StateKind::Final) {
        let reason = timeline
            .iter()
            .rev()
            .find(|e| e.to_state.as_deref() == Some(app.state.as_str()))
            .and_then(|e| e.body.clone())
            .unwrap_or_default();
        Some((state_label(&app, page.lang)?, reason))
    } else {
        None
    };
    let consenters = asked_by_name(state, &app, &page).await?;
    let now = state.cases.now();
    let payments = crate::service::fees::payments_of(&state.cases, &app.id)
        .await?
        .into_iter()
        .map(|p| {
            use portico_payments::model::PaymentState as P;
            FeeView {
                payable: app.state == crate::service::fees::WAITING
                    && matches!(p.state, P::Created | P::Started)
                    && p.expires_at > now,
                paid: matches!(p.state, P::Paid | P::RefundedPart | P::Refunded),
                amount: super::views::money(p.amount_minor, &p.currency, page.lang),
                id: p.id,
                code: p.code,
            }
        })
        .collect();
    let template = ShowPage {
        consenters,
        payments,
        decision,
        service: service_title(&state.app.db, &app.service_id, page.lang).await?,
        state: state_label(&app, page.lang)?,
        timeline,
        waiting_for_me: kind == Some(StateKind::WaitingApplicant),
        can_withdraw: !def
            .available(&app.state, ProcessRole::Applicant)
            .iter()
            .all(|t| t.id != "withdraw"),
        just_submitted,
        delivered: crate::service::delivery::messages_of(&state.app.db, &app.id).await?,
        errors,
        app,
        page,
    };
    let status = if template.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, render(&template)?).into_response())
}

pub async fn show(
    State(state): State<CasesState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    ValidPath(id): ValidPath<Id>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, AppError> {
    let app = own(&state, &user, &id).await?;
    if app.is_draft() {
        let target = resume_target(&state.app.db, &app).await?;
        return Ok(Redirect::to(&target).into_response());
    }
    show_page(
        &state,
        page.with_strings(TABLES),
        app,
        q.submitted.is_some(),
        vec![],
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct RespondForm {
    #[serde(default)]
    message: String,
    version: i64,
}

pub async fn respond(
    State(state): State<CasesState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    ValidPath(id): ValidPath<Id>,
    CsrfForm(form): CsrfForm<RespondForm>,
) -> Result<Response, AppError> {
    let app = own(&state, &user, &id).await?;
    let page = page.with_strings(TABLES);
    if form.message.trim().is_empty() {
        return show_page(
            &state,
            page,
            app,
            false,
            vec![FieldError::new("message", "respond.missing")],
        )
        .await;
    }
    let input = TransitionInput {
        reason: None,
        message: Some(form.message.clone()),
    };
    match decisions::take(
        &state.cases,
        &user.actor(),
        &id,
        "provide_information",
        form.version,
        &input,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/applications/{id}")).into_response()),
        Err(CasesError::Transition(code)) => {
            show_page(
                &state,
                page,
                app,
                false,
                vec![FieldError::new("message", code)],
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct WithdrawForm {
    version: i64,
    #[serde(default)]
    confirmed: Option<String>,
}

pub async fn withdraw(
    State(state): State<CasesState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    ValidPath(id): ValidPath<Id>,
    CsrfForm(form): CsrfForm<WithdrawForm>,
) -> Result<Response, AppError> {
    if !confirm::confirmed(&form.confirmed) {
        let app = own(&state, &user, &id).await?;
        let page = page.with_strings(TABLES);
        let number = app.tracking_number.clone().unwrap_or_default();
        let confirm = confirm::Confirm {
            caption: format!(
                "{} — {number}",
                service_title(&state.app.db, &app.service_id, page.lang).await?
            ),
            title: page.t("confirm_withdraw_title").to_owned(),
            body: page.t("confirm_withdraw_body").to_owned(),
            action: format!("/applications/{id}/withdraw"),
            fields: vec![("version".to_owned(), form.version.to_string())],
            button: page.t("withdraw_button").to_owned(),
            warning: true,
            cancel: format!("/applications/{id}"),
            step_up: None,
        };
        return confirm::page(page, confirm);
    }
    decisions::take(
        &state.cases,
        &user.actor(),
        &id,
        "withdraw",
        form.version,
        &TransitionInput::default(),
    )
    .await?;
    Ok(Redirect::to(&format!("/applications/{id}")).into_response())
}

pub async fn result(
    State(state): State<CasesState>,
    SignedIn(user): SignedIn,
    ValidPath(id): ValidPath<Id>,
) -> Result<Response, AppError> {
    let app = own(&state, &user, &id).await?;
    let document = results::issued(&state.cases, &app)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, document.media_type),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", document.file_name),
            ),
        ],
        document.bytes,
    )
        .into_response())
}
