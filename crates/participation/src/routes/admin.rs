//! The administration's pages: its processes, the review of a process's proposals (feasible,
//! not feasible, merged, always with a published reason) and the abuse signals. Somebody who
//! does not run the process's administration gets NotFound.

use super::pages::{money, Shown, TABLES};
use super::ParticipationState;
use crate::error::ParticipationError;
use crate::model::{Proposal, ProposalStatus, Review};
use crate::service::signals::{self, Signal};
use crate::service::{administers, processes, proposals};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use portico_http::{render, AppError, CsrfForm, FieldError, PageContext, SignedIn};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "participation_admin_list.html")]
struct ListPage {
    page: PageContext,
    /// The administrations the person runs (id, name): each with its "open" links.
    administrations: Vec<(String, String)>,
    items: Vec<Shown>,
    consultations: Vec<super::consultations::ShownConsultation>,
}

/// The processes of the administrations the person runs.
pub async fn list(
    State(state): State<ParticipationState>,
    SignedIn(user): SignedIn,
    page: PageContext,
) -> Result<Response, AppError> {
    let actor = user.actor();
    let items = processes::list(&state.ctx)
        .await?
        .into_iter()
        .filter(|p| administers(&actor, &p.administration_id))
        .map(|process| Shown { process })
        .collect();
    let consultations = crate::service::consultations::list(&state.ctx)
        .await?
        .into_iter()
        .filter(|c| administers(&actor, &c.administration_id))
        .map(|c| super::consultations::ShownConsultation { c })
        .collect();
    let mut administrations = Vec::new();
    for id in super::process_form::administered(&user) {
        if let Some(a) = portico_identity::service::administrations::get(&state.ctx.db, &id)
            .await
            .map_err(AppError::internal)?
        {
            let name = match page.lang {
                portico_http::Lang::Bg => a.name_bg,
                portico_http::Lang::En => a.name_en,
            };
            administrations.push((a.id, name));
        }
    }
    Ok(render(&ListPage {
        page: page.with_strings(TABLES),
        administrations,
        items,
        consultations,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "participation_admin.html")]
struct AdminPage {
    page: PageContext,
    p: Shown,
    items: Vec<Proposal>,
    total: i64,
    signals: Vec<Signal>,
    errors: Vec<FieldError>,
    previous: String,
    next: String,
    /// The key of the notice to show, or empty.
    notice: &'static str,
    /// The funded projects, once voting has closed, for their follow-up.
    funded: Vec<crate::service::tally::ProjectCount>,
    updates: std::collections::HashMap<String, crate::model::ProjectUpdate>,
}

impl AdminPage {
    fn note_error(&self, number: &i64) -> Option<&'static str> {
        self.page
            .field_error(&self.errors, &format!("note-{number}"))
    }
    fn implementation_option(&self, s: &str) -> &'static str {
        self.page.t(&format!("participation_implementation_{s}"))
    }
    fn current(&self, id: &str, s: &str) -> bool {
        self.updates.get(id).is_some_and(|u| u.status.as_str() == s)
    }
    fn spent_units(&self, id: &str) -> String {
        self.updates
            .get(id)
            .map(|u| (u.spent_minor / 100).to_string())
            .unwrap_or_default()
    }
    fn status_label(&self, s: &str) -> &'static str {
        super::pages::status_label(&self.page, s)
    }
    fn reason_error(&self, number: &i64) -> Option<&'static str> {
        self.page
            .field_error(&self.errors, &format!("reason-{number}"))
    }
    fn money(&self, minor: &i64) -> String {
        money(*minor, &self.p.process.rules.currency)
    }
    fn when(&self, ms: &i64) -> String {
        super::pages::when(*ms)
    }
    fn signal_label(&self, kind: &str) -> &'static str {
        self.page
            .strings
            .find(&format!("participation_signal_{kind}"))
            .unwrap_or("")
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct AdminQuery {
    #[serde(default)]
    after: Option<String>,
    #[serde(default)]
    before: Option<String>,
    #[serde(default)]
    done: Option<String>,
    #[serde(default)]
    updated: Option<String>,
    #[serde(default)]
    opened: Option<String>,
    #[serde(default)]
    rules: Option<String>,
}

const PAGE_SIZE: i64 = 20;

async fn admin_page(
    state: &ParticipationState,
    page: PageContext,
    user: &portico_http::SessionUser,
    slug: &str,
    cursor: proposals::Cursor,
    errors: Vec<FieldError>,
    notice: &'static str,
) -> Result<Response, AppError> {
    let actor = user.actor();
    let process = processes::get(&state.ctx, slug).await?;
    if !administers(&actor, &process.administration_id) {
        return Err(AppError::NotFound);
    }
    let found = proposals::list(
        &state.ctx,
        &process.id,
        Some(ProposalStatus::Submitted),
        cursor,
        PAGE_SIZE,
    )
    .await?;
    let signals = signals::report(
        &state.ctx,
        &actor,
        &process.id,
        &signals::Thresholds::default(),
    )
    .await?;
    let (funded, updates) = if matches!(
        process.phase,
        crate::model::Phase::Counting | crate::model::Phase::Results
    ) {
        let count = crate::service::tally::count(&state.ctx, &process.id).await?;
        (
            count.projects.into_iter().filter(|p| p.funded).collect(),
            crate::service::follow_up::latest(&state.ctx, &process.id).await?,
        )
    } else {
        (Vec::new(), std::collections::HashMap::new())
    };
    let base = format!("/participation/{}/admin", process.slug);
    let (previous, next) = super::pages::page_links(&base, &found);
    Ok(render(&AdminPage {
        page: page.with_strings(TABLES),
        previous,
        next,
        items: found.items,
        total: found.total,
        signals,
        errors,
        notice,
        funded,
        updates,
        p: Shown { process },
    })?
    .into_response())
}

pub async fn show(
    State(state): State<ParticipationState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path(slug): Path<String>,
    Query(q): Query<AdminQuery>,
) -> Result<Response, AppError> {
    admin_page(
        &state,
        page,
        &user,
        &slug,
        // A cursor that is not a number shows the first page.
        proposals::Cursor::parse(q.after.as_deref(), q.before.as_deref())
            .unwrap_or(proposals::Cursor::First),
        Vec::new(),
        if q.opened.is_some() {
            "participation_process_opened"
        } else if q.rules.is_some() {
            "participation_rules_changed"
        } else if q.updated.is_some() {
            "participation_project_updated"
        } else if q.done.is_some() {
            "participation_reviewed"
        } else {
            ""
        },
    )
    .await
}

/// Reviews one proposal from the review list.
pub async fn review(
    State(state): State<ParticipationState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let get = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let proposal = proposals::get(&state.ctx, &id).await?;
    let process = processes::get(&state.ctx, &proposal.process_id).await?;
    if !administers(&user.actor(), &process.administration_id) {
        return Err(AppError::NotFound);
    }
    let result = match ProposalStatus::parse(&get("status")) {
        None => Err(ParticipationError::Invalid("review_status_invalid")),
        Some(status) => {
            let merged_into = Some(get("merged_into")).filter(|m| !m.is_empty());
            // A merge names the other proposal by its number in the process.
            let merged_into = match (status, merged_into) {
                (ProposalStatus::Merged, Some(n)) => match n.parse::<i64>() {
                    Ok(number) => proposals::by_number(&state.ctx, &process.id, number)
                        .await?
                        .map(|p| p.id)
                        .or(Some(n)),
                    Err(_) => Some(n),
                },
                (_, m) => m,
            };
            proposals::review(
                &state.ctx,
                &user.actor(),
                &id,
                &Review {
                    status,
                    reason: get("reason"),
                    merged_into,
                },
            )
            .await
        }
    };
    match result {
        Ok(_) => Ok(
            Redirect::to(&format!("/participation/{}/admin?done=1", process.slug)).into_response(),
        ),
        Err(ParticipationError::Invalid(code)) | Err(ParticipationError::Refused(code)) => {
            let errors = vec![FieldError::new(
                &format!("reason-{}", proposal.number),
                &format!("participation_error_{code}"),
            )];
            admin_page(
                &state,
                page,
                &user,
                &process.slug,
                proposals::Cursor::First,
                errors,
                "",
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// Publishes an update of a funded project's implementation from the administration's page.
pub async fn implementation(
    State(state): State<ParticipationState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let get = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let proposal = proposals::get(&state.ctx, &id).await?;
    let process = processes::get(&state.ctx, &proposal.process_id).await?;
    let actor = user.actor();
    if !administers(&actor, &process.administration_id) {
        return Err(AppError::NotFound);
    }
    let spent = get("spent").replace([' ', '\u{a0}'], "");
    let spent = if spent.is_empty() {
        Some(0)
    } else {
        spent.parse::<i64>().ok().map(|s| s.saturating_mul(100))
    };
    let result = match (crate::model::Implementation::parse(&get("status")), spent) {
        (None, _) => Err(ParticipationError::Invalid("implementation_invalid")),
        (_, None) => Err(ParticipationError::Invalid("spent_invalid")),
        (Some(status), Some(spent_minor)) => {
            crate::service::follow_up::update(
                &state.ctx,
                &actor,
                &id,
                &crate::model::NewProjectUpdate {
                    status,
                    spent_minor,
                    note: get("note"),
                },
            )
            .await
        }
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!(
            "/participation/{}/admin?updated=1#follow-up",
            process.slug
        ))
        .into_response()),
        Err(ParticipationError::Invalid(code)) | Err(ParticipationError::Refused(code)) => {
            let errors = vec![FieldError::new(
                &format!("note-{}", proposal.number),
                &format!("participation_error_{code}"),
            )];
            admin_page(
                &state,
                page,
                &user,
                &process.slug,
                proposals::Cursor::First,
                errors,
                "",
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
