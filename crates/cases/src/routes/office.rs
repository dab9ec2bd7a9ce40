//! The back office: an operator's queue and the case page where they work an application.

use super::confirm;
use super::views::{local_date, local_time, service_title, state_label};
use super::CasesState;
use crate::model::{Application, Attachment, Consent, Event, TransitionInput};
use crate::process::{ProcessRole, Requirement, StateKind};
use crate::service::{access, answers, applications, checks, consents, decisions, processes};
use crate::strings::{OFFICE_TABLES, TABLES};
use crate::CasesError;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portico_core::{Id, Role};
use portico_http::{
    render, AppError, CsrfForm, FieldError, Lang, PageContext, SessionUser, SignedIn, ValidPath,
};
use serde::Deserialize;

pub struct QueueRow {
    pub id: String,
    pub number: String,
    pub service: String,
    pub state: String,
    /// The state's tag colour, from [`super::views::status_kind`].
    pub status: &'static str,
    pub deadline: String,
    pub overdue: bool,
    pub assigned: String,
}

pub struct UnitQueue {
    pub title: String,
    pub open: Vec<QueueRow>,
    pub done: Vec<QueueRow>,
}

#[derive(Template)]
#[template(path = "office_queue.html")]
struct QueuePage {
    page: PageContext,
    queues: Vec<UnitQueue>,
}

async fn scope_title(
    state: &CasesState,
    administration: &str,
    unit: Option<&str>,
    lang: Lang,
) -> Result<String, AppError> {
    use portico_identity::service::administrations;
    let admin = administrations::get(&state.app.db, administration).await?;
    let mut title = admin
        .as_ref()
        .map(|a| a.name(lang).to_owned())
        .unwrap_or_default();
    if let Some(unit) = unit {
        let units = administrations::list_units(&state.app.db, administration).await?;
        if let Some(u) = units.iter().find(|u| u.id == unit) {
            title = format!(
                "{title} — {}",
                if lang == Lang::Bg {
                    &u.name_bg
                } else {
                    &u.name_en
                }
            );
        }
    }
    Ok(title)
}

async fn rows(
    state: &CasesState,
    apps: Vec<Application>,
    user: &SessionUser,
    lang: Lang,
) -> Result<Vec<QueueRow>, AppError> {
    let today = portico_core::calendar::sofia_date(state.app.clock.now());
    let mut out = Vec::with_capacity(apps.len());
    for app in apps {
        out.push(QueueRow {
            number: app.tracking_number.clone().unwrap_or_default(),
            service: service_title(&state.app.db, &app.service_id, lang).await?,
            state: state_label(&app, lang)?,
            status: super::views::status_kind(&app, false),
            deadline: app
                .state_deadline
                .as_ref()
                .map(local_date)
                .unwrap_or_default(),
            overdue: app.state_deadline.is_some_and(|d| d < today),
            assigned: match app.assigned_to.as_deref() {
                Some(id) if id == user.account_id => {
                    if lang == Lang::Bg {
                        "вие".into()
                    } else {
                        "you".into()
                    }
                }
                Some(_) => {
                    if lang == Lang::Bg {
                        "друг служител".into()
                    } else {
                        "another officer".into()
                    }
                }
                None => String::new(),
            },
            id: app.id,
        });
    }
    Ok(out)
}

/// Staff only: everyone else is told the page is not for them.
fn staff(user: &SessionUser) -> Result<(), AppError> {
    if access::is_staff(&user.actor()) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub async fn queue(
    State(state): State<CasesState>,
    SignedIn(user): SignedIn,
    page: PageContext,
) -> Result<Response, AppError> {
    staff(&user)?;
    let page = page.with_strings(TABLES);
    let mut queues = Vec::new();
    for (administration, unit) in user.actor().work_scopes(access::SCOPE) {
        let open = applications::queue(&state.app.db, &administration, unit.as_deref()).await?;
        let done = applications::done(&state.app.db, &administration, unit.as_deref()).await?;
        queues.push(UnitQueue {
            title: scope_title(&state, &administration, unit.as_deref(), page.lang).await?,
            open: rows(&state, open, &user, page.lang).await?,
            done: rows(&state, done, &user, page.lang).await?,
        });
    }
    Ok(render(&QueuePage { page, queues })?.into_response())
}

pub struct ActionView {
    pub id: String,
    pub label: String,
    pub needs_reason: bool,
    pub needs_message: bool,
    pub warning: bool,
}

#[derive(Template)]
#[template(path = "office_case.html")]
struct CasePage {
    page: PageContext,
    app: Application,
    service: String,
    state: String,
    applicant: String,
    answers: Vec<(String, String)>,
    attachments: Vec<Attachment>,
    consents: Vec<Consent>,
    timeline: Vec<Event>,
    assigned_to_me: bool,
    assigned_to_other: bool,
    can_claim: bool,
    /// The process has actions for this case that need it taken first.
    needs_taking: bool,
    /// Operators an administration admin may give the case to: (account id, name).
    assignable: Vec<(String, String)>,
    actions: Vec<ActionView>,
    /// Checks in base registers the case calls for.
    checks: Vec<CheckView>,
    errors: Vec<FieldError>,
}

struct CheckView {
    id: String,
    label: String,
    /// `confirmed`, `not_confirmed`, `failed`, or empty when never run.
    outcome: String,
    /// Why a run failed, in the page's words.
    error: String,
    when: String,
}

impl CasePage {
    fn when(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        local_time(at)
    }

    fn deadline(&self) -> String {
        self.app
            .state_deadline
            .as_ref()
            .map(local_date)
            .unwrap_or_default()
    }

    fn event_label(&self, e: &Event) -> String {
        super::views::event_label(&self.app, e, &self.page)
    }
}

/// The case, if this staff member's roles cover it; "not found" otherwise.
async fn workable(
    state: &CasesState,
    user: &SessionUser,
    id: &str,
) -> Result<Application, AppError> {
    Ok(access::workable(&state.app.db, &user.actor(), id).await?)
}

async fn case_page(
    state: &CasesState,
    page: PageContext,
    user: &SessionUser,
    app: Application,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let lang = page.lang;
    let def = processes::get(&app.process_key)?;
    let in_final = def
        .state(&app.state)
        .is_some_and(|s| s.kind == StateKind::Final);
    let assigned_to_me = app.assigned_to.as_deref() == Some(user.account_id.as_str());
    // Actions that need the case taken are offered once this operator has taken it.
    let actions = def
        .available(&app.state, ProcessRole::Operator)
        .into_iter()
        .filter(|t| assigned_to_me || !t.requires.contains(&Requirement::Assigned))
        .map(|t| ActionView {
            id: t.id.clone(),
            label: if lang == Lang::Bg {
                t.label_bg.clone()
            } else {
                t.label_en.clone()
            },
            needs_reason: t.requires.contains(&Requirement::Reason),
            needs_message: t.requires.contains(&Requirement::Message),
            warning: t.requires.contains(&Requirement::Reason),
        })
        .collect();
    let answers = answers::readable_for_staff(&state.app.db, &app, lang)
        .await?
        .into_iter()
        .map(|a| (a.label, a.value))
        .collect();
    let needs_taking = !in_final
        && !assigned_to_me
        && def
            .available(&app.state, ProcessRole::Operator)
            .iter()
            .any(|t| t.requires.contains(&Requirement::Assigned));
    let applicant = portico_identity::service::accounts::get(&state.app.db, &app.applicant_id)
        .await?
        .map(|a| a.display_name())
        .unwrap_or_default();
    let assignable =
        if in_final || !user.has_role(&app.administration_id, Role::AdministrationAdmin) {
            Vec::new()
        } else {
            decisions::operators_for(&state.cases, &app)
                .await?
                .into_iter()
                .map(|h| (h.account_id, h.name))
                .collect()
        };
    let template = CasePage {
        needs_taking,
        assignable,
        service: service_title(&state.app.db, &app.service_id, lang).await?,
        state: state_label(&app, lang)?,
        applicant,
        answers,
        attachments: applications::attachments(&state.app.db, &app.id).await?,
        consents: consents::for_application(&state.app.db, &app.id).await?,
        timeline: with_checks_read(
            state,
            &app,
            applications::timeline(&state.app.db, &app.id, true).await?,
            lang,
        )
        .await?,
        assigned_to_other: app.assigned_to.is_some() && !assigned_to_me,
        can_claim: !in_final && !assigned_to_me,
        assigned_to_me,
        actions,
        checks: check_views(state, user, &app, lang).await?,
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

/// The timeline with each register check's entry in words: the question and what the register
/// said ("Does the applicant own the address?: Confirmed").
async fn with_checks_read(
    state: &CasesState,
    app: &Application,
    mut timeline: Vec<crate::model::Event>,
    lang: Lang,
) -> Result<Vec<crate::model::Event>, AppError> {
    if !timeline.iter().any(|e| e.kind == "check") {
        return Ok(timeline);
    }
    let strings = portico_http::Strings::new(lang, OFFICE_TABLES);
    let form = crate::service::answers::form_of(&state.app.db, app).await?;
    for e in timeline.iter_mut().filter(|e| e.kind == "check") {
        let id = e.transition.as_deref().unwrap_or("");
        let label = form
            .layout
            .checks
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.label.get(lang).to_owned())
            .unwrap_or_else(|| id.to_owned());
        let stored = e.body.clone().unwrap_or_default();
        let (outcome, code) = stored.split_once(':').unwrap_or((stored.as_str(), ""));
        let mut text = format!("{label}: {}", strings.t(&format!("office_check_{outcome}")));
        if !code.is_empty() {
            let why = strings
                .find(&format!("registries_error_{code}"))
                .unwrap_or_else(|| strings.t("office_check_failed_other"));
            text = format!("{text} ({why})");
        }
        e.body = Some(text);
    }
    Ok(timeline)
}

async fn check_views(
    state: &CasesState,
    user: &SessionUser,
    app: &Application,
    lang: Lang,
) -> Result<Vec<CheckView>, AppError> {
    let strings = portico_http::Strings::new(lang, OFFICE_TABLES);
    Ok(checks::offered(&state.cases, &user.actor(), app)
        .await?
        .into_iter()
        .map(|o| CheckView {
            id: o.check.id.clone(),
            label: o.check.label.get(lang).to_owned(),
            outcome: o
                .last
                .as_ref()
                .map(|r| r.outcome.clone())
                .unwrap_or_default(),
            error: o
                .last
                .as_ref()
                .and_then(|r| r.error_code.as_deref())
                .map(|code| {
                    strings
                        .find(&format!("registries_error_{code}"))
                        .unwrap_or_else(|| strings.t("office_check_failed_other"))
                        .to_owned()
                })
                .unwrap_or_default(),
            when: o
                .last
                .map(|r| local_time(&portico_core::clock::from_millis(r.at)))
                .unwrap_or_default(),
        })
        .collect())
}

/// Runs one of the case's register checks and shows the case again at its checks.
pub async fn check(
    State(state): State<CasesState>,
    SignedIn(user): SignedIn,
    ValidPath((id, check_id)): ValidPath<(Id, String)>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<Response, AppError> {
    checks::run(&state.cases, &user.actor(), &id, &check_id).await?;
    Ok(Redirect::to(&format!("/office/cases/{id}#checks")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct EmptyForm {}

pub async fn case(
    State(state): State<CasesState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    ValidPath(id): ValidPath<Id>,
) -> Result<Response, AppError> {
    let app = workable(&state, &user, &id).await?;
    case_page(&state, page.with_strings(TABLES), &user, app, vec![]).await
}

/// A document attached to a case the staff member may work; served as a download, never inline,
/// so an uploaded file cannot run as a page of this site.
pub async fn attachment(
    State(state): State<CasesState>,
    SignedIn(user): SignedIn,
    ValidPath((id, attachment_id)): ValidPath<(Id, Id)>,
) -> Result<Response, AppError> {
    let app = workable(&state, &user, &id).await?;
    let attachment = applications::attachments(&state.app.db, &app.id)
        .await?
        .into_iter()
        .find(|a| a.id == attachment_id.as_str())
        .ok_or(AppError::NotFound)?;
    let bytes = state
        .app
        .blobs
        .get(&attachment.blob_key)
        .await?
        .ok_or(AppError::NotFound)?;
    let filename = attachment.download_name();
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                attachment.content_type.clone(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
pub struct VersionForm {
    version: i64,
}

pub async fn claim(
    State(state): State<CasesState>,
    SignedIn(user): SignedIn,
    ValidPath(id): ValidPath<Id>,
    CsrfForm(form): CsrfForm<VersionForm>,
) -> Result<Response, AppError> {
    decisions::claim(&state.cases, &user.actor(), &id, form.version).await?;
    Ok(Redirect::to(&format!("/office/cases/{id}")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct AssignForm {
    operator: String,
    version: i64,
}

/// An administration admin gives the case to one of the operators who may work it.
pub async fn assign(
    State(state): State<CasesState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    ValidPath(id): ValidPath<Id>,
    CsrfForm(form): CsrfForm<AssignForm>,
) -> Result<Response, AppError> {
    match decisions::give(
        &state.cases,
        &user.actor(),
        &id,
        form.version,
        &form.operator,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/office/cases/{id}")).into_response()),
        Err(CasesError::Invalid(errors)) => {
            let app = workable(&state, &user, &id).await?;
            case_page(&state, page.with_strings(TABLES), &user, app, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    note: String,
}

pub async fn note(
    State(state): State<CasesState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    ValidPath(id): ValidPath<Id>,
    CsrfForm(form): CsrfForm<NoteForm>,
) -> Result<Response, AppError> {
    match decisions::note(&state.cases, &user.actor(), &id, &form.note).await {
        Ok(()) => Ok(Redirect::to(&format!("/office/cases/{id}#notes")).into_response()),
        Err(CasesError::Invalid(errors)) => {
            let app = workable(&state, &user, &id).await?;
            case_page(&state, page.with_strings(TABLES), &user, app, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct TransitionForm {
    transition: String,
    version: i64,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    confirmed: Option<String>,
}

/// A decision (a transition into a final state) is asked about once before it is taken; a
/// transition whose reason or message is missing goes straight to the service, which says so.
fn needs_confirmation(
    app: &Application,
    form: &TransitionForm,
) -> Result<Option<String>, AppError> {
    if confirm::confirmed(&form.confirmed) {
        return Ok(None);
    }
    let def = processes::get(&app.process_key)?;
    let Some(t) = def.transitions.iter().find(|t| t.id == form.transition) else {
        return Ok(None);
    };
    let given = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
    let complete = (!t.requires.contains(&Requirement::Reason) || given(&form.reason))
        && (!t.requires.contains(&Requirement::Message) || given(&form.message));
    let decides = def.state(&t.to).is_some_and(|s| s.kind == StateKind::Final);
    Ok((decides && complete && t.from.contains(&app.state)).then(|| t.id.clone()))
}

pub async fn transition(
    State(state): State<CasesState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    ValidPath(id): ValidPath<Id>,
    CsrfForm(form): CsrfForm<TransitionForm>,
) -> Result<Response, AppError> {
    let app = workable(&state, &user, &id).await?;
    if needs_confirmation(&app, &form)?.is_some() {
        return confirm_decision(&state, page.with_strings(TABLES), &app, &form).await;
    }
    let input = TransitionInput {
        reason: form.reason.clone(),
        message: form.message.clone(),
    };
    match decisions::take(
        &state.cases,
        &user.actor(),
        &app.id,
        &form.transition,
        form.version,
        &input,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/office/cases/{id}")).into_response()),
        Err(CasesError::Transition(code)) => {
            let field = match code {
                "transition.missing_reason" => "reason",
                "transition.missing_message" => "message",
                _ => "actions",
            };
            let errors = vec![FieldError::new(field, code)];
            case_page(&state, page.with_strings(TABLES), &user, app, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn confirm_decision(
    state: &CasesState,
    page: PageContext,
    app: &Application,
    form: &TransitionForm,
) -> Result<Response, AppError> {
    let def = processes::get(&app.process_key)?;
    let t = def
        .transitions
        .iter()
        .find(|t| t.id == form.transition)
        .ok_or(AppError::NotFound)?;
    let label = page.lang.choose(&t.label_bg, &t.label_en).to_owned();
    let mut fields = vec![
        ("transition".to_owned(), form.transition.clone()),
        ("version".to_owned(), form.version.to_string()),
    ];
    for (name, value) in [("reason", &form.reason), ("message", &form.message)] {
        if let Some(value) = value {
            fields.push((name.to_owned(), value.clone()));
        }
    }
    let number = app.tracking_number.clone().unwrap_or_default();
    let confirm = confirm::Confirm {
        caption: format!(
            "{} — {number}",
            service_title(&state.app.db, &app.service_id, page.lang).await?
        ),
        title: format!("{} „{label}“?", page.t("confirm_decision_title")),
        body: page.t("confirm_decision_body").to_owned(),
        action: format!("/office/cases/{}/transition", app.id),
        fields,
        button: label,
        warning: t.requires.contains(&Requirement::Reason),
        cancel: format!("/office/cases/{}", app.id),
        step_up: None,
    };
    confirm::page(page, confirm)
}
