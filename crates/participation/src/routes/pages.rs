//! The citizens' pages: processes, proposals (list, page, propose, support, comment), verify and
//! vote (with the change of a ballot), the receipt check and the results. Every rule is in
//! `service`; a refused form is drawn again with its reason in an error summary, nothing changed.

use super::ParticipationState;
use crate::error::ParticipationError;
use crate::model::{NewProposal, Phase, Process, Proposal, ProposalStatus};
use crate::service::ballots::{self, Ballot, Cast, Receipt};
use crate::service::tally::{self, Tally};
use crate::service::verification::{self, Verify, VoterState};
use crate::service::{administers, processes, proposals};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use portico_http::{render, AppError, ClientAddr, CsrfForm, FieldError, PageContext, SignedIn};
use serde::Deserialize;

pub static TABLES: &[&portico_http::Translations] = crate::strings::TABLES;

/// A proposals page shows this many.
pub const PAGE_SIZE: i64 = 20;

/// An amount in minor units as the pages show it: `1 000 000 BGN`.
pub fn money(minor: i64, currency: &str) -> String {
    let whole = (minor / 100).to_string();
    let mut out = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) && c != '-' {
            out.push('\u{a0}');
        }
        out.push(c);
    }
    format!("{out}\u{a0}{currency}")
}

pub fn when(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|at| {
            portico_core::calendar::sofia_local(at)
                .format("%d.%m.%Y %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

fn phase_key(phase: Phase) -> &'static str {
    match phase {
        Phase::Upcoming => "participation_phase_upcoming",
        Phase::Proposals => "participation_phase_proposals",
        Phase::Review => "participation_phase_review",
        Phase::Waiting => "participation_phase_waiting",
        Phase::Voting => "participation_phase_voting",
        Phase::Counting => "participation_phase_counting",
        Phase::Results => "participation_phase_results",
    }
}

fn status_key(status: ProposalStatus) -> &'static str {
    match status {
        ProposalStatus::Submitted => "participation_status_submitted",
        ProposalStatus::Feasible => "participation_status_feasible",
        ProposalStatus::NotFeasible => "participation_status_not_feasible",
        ProposalStatus::Merged => "participation_status_merged",
    }
}

fn status_kind(status: ProposalStatus) -> &'static str {
    match status {
        ProposalStatus::Submitted => "waiting",
        ProposalStatus::Feasible => "decided",
        ProposalStatus::NotFeasible | ProposalStatus::Merged => "refused",
    }
}

/// A refusal as the page's error summary shows it, pointing at `field`.
pub(super) fn refusal(e: ParticipationError, field: &str) -> Result<Vec<FieldError>, AppError> {
    match e {
        ParticipationError::Invalid(code) | ParticipationError::Refused(code) => {
            Ok(vec![FieldError::new(
                field,
                &format!("participation_error_{code}"),
            )])
        }
        other => Err(other.into()),
    }
}

/// What the process's templates share.
pub struct Shown {
    pub process: Process,
}

impl Shown {
    pub fn title(&self, page: &PageContext) -> String {
        match page.lang {
            portico_http::Lang::Bg => self.process.title_bg.clone(),
            portico_http::Lang::En => self.process.title_en.clone(),
        }
    }
    pub fn phase(&self, page: &PageContext) -> &'static str {
        page.t(phase_key(self.process.phase))
    }
    /// A link under the process's page: `p.link("/vote")`.
    pub fn link(&self, tail: &str) -> String {
        format!("/participation/{}{tail}", self.process.slug)
    }
    pub fn budget(&self) -> String {
        money(
            self.process.rules.budget_minor,
            &self.process.rules.currency,
        )
    }
    pub fn topic(&self, page: &PageContext, code: &str) -> String {
        self.process
            .topics
            .iter()
            .find(|t| t.code == code)
            .map(|t| match page.lang {
                portico_http::Lang::Bg => t.name_bg.clone(),
                portico_http::Lang::En => t.name_en.clone(),
            })
            .unwrap_or_else(|| code.to_owned())
    }
}

// ---- Processes ----

#[derive(Template)]
#[template(path = "participation_processes.html")]
struct ProcessesPage {
    page: PageContext,
    items: Vec<Shown>,
    consultations: Vec<super::consultations::ShownConsultation>,
}

impl ProcessesPage {
    fn when(&self, ms: &i64) -> String {
        when(*ms)
    }
}

pub async fn list(
    State(state): State<ParticipationState>,
    page: PageContext,
) -> Result<Response, AppError> {
    let items = processes::list(&state.ctx)
        .await?
        .into_iter()
        .map(|process| Shown { process })
        .collect();
    let consultations = crate::service::consultations::list(&state.ctx)
        .await?
        .into_iter()
        .map(|c| super::consultations::ShownConsultation { c })
        .collect();
    Ok(render(&ProcessesPage {
        page: page.with_strings(TABLES),
        items,
        consultations,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "participation_process.html")]
struct ProcessPage {
    page: PageContext,
    p: Shown,
    administers: bool,
    feasible: i64,
}

impl ProcessPage {
    fn rule(&self) -> String {
        let r = &self.p.process.rules;
        match r.ballot_rule {
            crate::model::BallotRule::UpToN => self
                .page
                .t_count("participation_rule_up_to_n", r.max_choices),
            crate::model::BallotRule::Knapsack => self.page.t("participation_rule_knapsack").into(),
        }
    }
    fn proposal_dates(&self) -> String {
        let ph = &self.p.process.phases;
        format!("{} – {}", when(ph.proposals_from), when(ph.proposals_until))
    }
    fn voting_dates(&self) -> String {
        let ph = &self.p.process.phases;
        format!("{} – {}", when(ph.voting_from), when(ph.voting_until))
    }
    fn area(&self) -> String {
        let r = &self.p.process.rules;
        if r.voter_area == "municipality" {
            self.page.t("participation_area_municipality").into()
        } else {
            format!(
                "{} {}",
                self.page.t("participation_area_district"),
                r.voter_area
            )
        }
    }
}

pub async fn show(
    State(state): State<ParticipationState>,
    page: PageContext,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let process = processes::get(&state.ctx, &slug).await?;
    let administers = page
        .user
        .as_ref()
        .is_some_and(|u| administers(&u.actor(), &process.administration_id));
    let feasible = proposals::list(
        &state.ctx,
        &process.id,
        Some(ProposalStatus::Feasible),
        proposals::Cursor::First,
        1,
    )
    .await?
    .total;
    Ok(render(&ProcessPage {
        page: page.with_strings(TABLES),
        p: Shown { process },
        administers,
        feasible,
    })?
    .into_response())
}

// ---- Proposals ----

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    after: Option<String>,
    #[serde(default)]
    before: Option<String>,
    #[serde(default)]
    status: Option<String>,
}

#[derive(Template)]
#[template(path = "participation_proposals.html")]
struct ProposalsPage {
    page: PageContext,
    p: Shown,
    items: Vec<Proposal>,
    total: i64,
    status: String,
    first: i64,
    last: i64,
    previous: String,
    next: String,
}

pub fn status_label(page: &PageContext, s: &str) -> &'static str {
    page.strings
        .find(&format!("participation_status_{s}"))
        .unwrap_or("")
}

impl ProposalsPage {
    fn selected(&self, s: &str) -> bool {
        self.status == s
    }
    fn status_label(&self, s: &str) -> &'static str {
        status_label(&self.page, s)
    }
    fn status(&self, s: &ProposalStatus) -> &'static str {
        self.page.t(status_key(*s))
    }
    fn status_kind(&self, s: &ProposalStatus) -> &'static str {
        status_kind(*s)
    }
    fn money(&self, minor: &i64) -> String {
        money(*minor, &self.p.process.rules.currency)
    }
}

/// The "previous" and "next" links of a page of proposals under `base` (with or without a
/// query of its own), empty where there is none: plain links, so paging needs no script.
pub fn page_links(base: &str, found: &crate::model::ProposalPage) -> (String, String) {
    let and = if base.contains('?') { '&' } else { '?' };
    (
        found
            .previous_before
            .map(|b| format!("{base}{and}before={b}"))
            .unwrap_or_default(),
        found
            .next_after
            .map(|a| format!("{base}{and}after={a}"))
            .unwrap_or_default(),
    )
}

pub async fn proposals_page(
    State(state): State<ParticipationState>,
    page: PageContext,
    Path(slug): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let process = processes::get(&state.ctx, &slug).await?;
    let status = q.status.as_deref().and_then(ProposalStatus::parse);
    // A cursor that is not a number (an edited or truncated link) shows the first page.
    let cursor = proposals::Cursor::parse(q.after.as_deref(), q.before.as_deref())
        .unwrap_or(proposals::Cursor::First);
    let found = proposals::list(&state.ctx, &process.id, status, cursor, PAGE_SIZE).await?;
    let status_param = status.map(|s| s.as_str()).unwrap_or_default().to_owned();
    let base = format!(
        "/participation/{}/proposals?status={status_param}",
        process.slug
    );
    let (previous, next) = page_links(&base, &found);
    Ok(render(&ProposalsPage {
        page: page.with_strings(TABLES),
        previous,
        next,
        first: found.items.first().map_or(0, |p| p.number),
        last: found.items.last().map_or(0, |p| p.number),
        total: found.total,
        items: found.items,
        status: status_param,
        p: Shown { process },
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "participation_proposal.html")]
struct ProposalPage {
    page: PageContext,
    p: Shown,
    proposal: Proposal,
    comments: Vec<crate::model::Comment>,
    history: Vec<crate::model::HistoryEntry>,
    updates: Vec<crate::model::ProjectUpdate>,
    attachments: Vec<crate::model::Attachment>,
    /// The person looking is the proposal's author: their forms are shown.
    author: bool,
    errors: Vec<FieldError>,
    comment: String,
    /// The alt text typed with a refused upload, kept.
    alt: String,
    notice: &'static str,
}

impl ProposalPage {
    fn notice_text(&self) -> &'static str {
        self.page.t(self.notice)
    }
    fn location(&self) -> String {
        match (self.proposal.latitude, self.proposal.longitude) {
            (Some(lat), Some(lon)) => format!("{lat:.5}, {lon:.5}"),
            _ => String::new(),
        }
    }
    fn topics(&self) -> String {
        self.proposal
            .topics
            .iter()
            .map(|t| self.p.topic(&self.page, t))
            .collect::<Vec<_>>()
            .join(", ")
    }
    fn status(&self) -> &'static str {
        self.page.t(status_key(self.proposal.status))
    }
    fn status_kind(&self) -> &'static str {
        status_kind(self.proposal.status)
    }
    fn money(&self, minor: &i64) -> String {
        money(*minor, &self.p.process.rules.currency)
    }
    fn when(&self, ms: &i64) -> String {
        when(*ms)
    }
    fn history_label(&self, kind: &str) -> &'static str {
        self.page
            .strings
            .find(&format!("participation_history_{kind}"))
            .unwrap_or("")
    }
    fn open_for_support(&self) -> bool {
        matches!(
            self.p.process.phase,
            Phase::Upcoming | Phase::Proposals | Phase::Review | Phase::Waiting
        )
    }
    fn open_for_comments(&self) -> bool {
        self.p.process.phase != Phase::Results
    }
    /// The author may add, remove and withdraw while proposals are taken.
    fn author_may_change(&self) -> bool {
        self.author && self.p.process.phase == Phase::Proposals
    }
    fn may_withdraw(&self) -> bool {
        self.author_may_change() && self.proposal.status == ProposalStatus::Submitted
    }
    fn images(&self) -> Vec<&crate::model::Attachment> {
        self.attachments.iter().filter(|a| a.is_image()).collect()
    }
    fn documents(&self) -> Vec<&crate::model::Attachment> {
        self.attachments.iter().filter(|a| !a.is_image()).collect()
    }
    fn size(&self, bytes: &i64) -> String {
        super::attachments::size(*bytes)
    }
    fn room(&self) -> bool {
        self.attachments.len() < crate::service::attachments::MAX_ATTACHMENTS
    }
    fn error(&self, name: &str) -> &'static str {
        self.page.field_error(&self.errors, name).unwrap_or("")
    }
    fn implementation(&self, u: &crate::model::ProjectUpdate) -> &'static str {
        implementation_label(&self.page, u.status)
    }
    fn implementation_kind(&self, u: &crate::model::ProjectUpdate) -> &'static str {
        implementation_kind(u.status)
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct Notice {
    #[serde(default)]
    done: Option<String>,
}

pub(super) async fn proposal_page(
    state: &ParticipationState,
    page: PageContext,
    id: &str,
    errors: Vec<FieldError>,
    comment: String,
    alt: String,
    notice: &'static str,
) -> Result<Response, AppError> {
    let proposal = proposals::get(&state.ctx, id).await?;
    let process = processes::get(&state.ctx, &proposal.process_id).await?;
    let author = match &page.user {
        Some(u) => proposals::is_author(&state.ctx, &u.actor(), &proposal.id).await?,
        None => false,
    };
    Ok(render(&ProposalPage {
        attachments: crate::service::attachments::list(&state.ctx, &proposal.id).await?,
        author,
        alt,
        page: page.with_strings(TABLES),
        comments: proposals::comments(&state.ctx, &proposal.id).await?,
        history: proposals::history_of(&state.ctx, &proposal.id).await?,
        updates: crate::service::follow_up::updates(&state.ctx, &proposal.id).await?,
        proposal,
        p: Shown { process },
        errors,
        comment,
        notice,
    })?
    .into_response())
}

pub async fn proposal(
    State(state): State<ParticipationState>,
    page: PageContext,
    Path(id): Path<String>,
    Query(n): Query<Notice>,
) -> Result<Response, AppError> {
    let notice = match n.done.as_deref() {
        Some("supported") => "participation_supported",
        Some("commented") => "participation_commented",
        Some("proposed") => "participation_proposed",
        Some("attached") => "participation_attached",
        Some("attachment_removed") => "participation_attachment_removed",
        _ => "",
    };
    proposal_page(
        &state,
        page,
        &id,
        Vec::new(),
        String::new(),
        String::new(),
        notice,
    )
    .await
}

pub async fn support(
    State(state): State<ParticipationState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    match proposals::support(&state.ctx, &user.actor(), &id).await {
        Ok(p) => Ok(
            Redirect::to(&format!("/participation/proposals/{}?done=supported", p.id))
                .into_response(),
        ),
        Err(e) => {
            let errors = refusal(e, "support")?;
            proposal_page(&state, page, &id, errors, String::new(), String::new(), "").await
        }
    }
}

fn field(pairs: &[(String, String)], name: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default()
}

fn fields(pairs: &[(String, String)], name: &str) -> Vec<String> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_owned())
        .collect()
}

pub async fn comment(
    State(state): State<ParticipationState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let body = field(&form, "body");
    match proposals::comment(&state.ctx, &user.actor(), &id, &body).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/participation/proposals/{id}?done=commented#comments"
        ))
        .into_response()),
        Err(e) => {
            let errors = refusal(e, "body")?;
            proposal_page(&state, page, &id, errors, body, String::new(), "").await
        }
    }
}

#[derive(Template)]
#[template(path = "participation_propose.html")]
struct ProposePage {
    page: PageContext,
    p: Shown,
    errors: Vec<FieldError>,
    title: String,
    description: String,
    budget: String,
    district: String,
    latitude: String,
    longitude: String,
    topics: Vec<String>,
}

impl ProposePage {
    fn checked(&self, code: &str) -> bool {
        self.topics.iter().any(|t| t == code)
    }
    fn error(&self, name: &str) -> &'static str {
        self.page.field_error(&self.errors, name).unwrap_or("")
    }
}

pub async fn propose_form(
    State(state): State<ParticipationState>,
    SignedIn(_user): SignedIn,
    page: PageContext,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let process = processes::get(&state.ctx, &slug).await?;
    Ok(render(&ProposePage {
        page: page.with_strings(TABLES),
        p: Shown { process },
        errors: Vec::new(),
        title: String::new(),
        description: String::new(),
        budget: String::new(),
        district: String::new(),
        latitude: String::new(),
        longitude: String::new(),
        topics: Vec::new(),
    })?
    .into_response())
}

/// Which form field a proposal's refusal points at.
fn proposal_field(code: &str) -> &'static str {
    match code {
        "proposal_title_invalid" => "title",
        "proposal_description_invalid" => "description",
        "proposal_budget_invalid" => "budget",
        "proposal_topics_invalid" => "topics",
        "location_invalid" => "latitude",
        _ => "title",
    }
}

pub async fn propose(
    State(state): State<ParticipationState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let process = processes::get(&state.ctx, &slug).await?;
    let mut shown = ProposePage {
        page: page.with_strings(TABLES),
        errors: Vec::new(),
        title: field(&form, "title"),
        description: field(&form, "description"),
        budget: field(&form, "budget"),
        district: field(&form, "district"),
        latitude: field(&form, "latitude"),
        longitude: field(&form, "longitude"),
        topics: fields(&form, "topics"),
        p: Shown {
            process: process.clone(),
        },
    };
    let budget = shown
        .budget
        .replace([' ', '\u{a0}'], "")
        .parse::<i64>()
        .ok();
    let coordinate = |s: &str| -> Result<Option<f64>, ()> {
        if s.is_empty() {
            Ok(None)
        } else {
            s.replace(',', ".").parse::<f64>().map(Some).map_err(|_| ())
        }
    };
    let (lat, lon) = (coordinate(&shown.latitude), coordinate(&shown.longitude));
    let result = match (budget, lat, lon) {
        (None, _, _) => Err(ParticipationError::Invalid("proposal_budget_invalid")),
        (_, Err(()), _) | (_, _, Err(())) => Err(ParticipationError::Invalid("location_invalid")),
        (Some(budget), Ok(latitude), Ok(longitude)) => {
            let new = NewProposal {
                title: shown.title.clone(),
                description: shown.description.clone(),
                budget_minor: budget.saturating_mul(100),
                district: Some(shown.district.clone()).filter(|d| !d.is_empty()),
                latitude,
                longitude,
                topics: shown.topics.clone(),
            };
            proposals::submit(&state.ctx, &user.actor(), &process.id, &new).await
        }
    };
    match result {
        Ok(id) => Ok(
            Redirect::to(&format!("/participation/proposals/{id}?done=proposed")).into_response(),
        ),
        Err(e) => {
            let field = proposal_field(e.code());
            shown.errors = refusal(e, field)?;
            Ok(render(&shown)?.into_response())
        }
    }
}

// ---- Verify and vote ----

#[derive(Template)]
#[template(path = "participation_vote.html")]
struct VotePage {
    page: PageContext,
    p: Shown,
    /// `verify`, `ballot`, `change` or `closed`.
    step: &'static str,
    errors: Vec<FieldError>,
    phone: String,
    chosen: Vec<String>,
    feasible: Vec<Proposal>,
    expires: String,
}

impl VotePage {
    fn expires_text(&self) -> String {
        format!(
            "{} {}",
            self.page.t("participation_code_until"),
            self.expires
        )
    }
    fn money(&self, minor: &i64) -> String {
        money(*minor, &self.p.process.rules.currency)
    }
    fn checked(&self, id: &str) -> bool {
        self.chosen.iter().any(|c| c == id)
    }
    fn error(&self, name: &str) -> &'static str {
        self.page.field_error(&self.errors, name).unwrap_or("")
    }
    fn rule(&self) -> String {
        let r = &self.p.process.rules;
        match r.ballot_rule {
            crate::model::BallotRule::UpToN => self
                .page
                .t_count("participation_rule_up_to_n", r.max_choices),
            crate::model::BallotRule::Knapsack => format!(
                "{} {}",
                self.page.t("participation_rule_knapsack"),
                self.p.budget()
            ),
        }
    }
}

async fn vote_page(
    state: &ParticipationState,
    page: PageContext,
    process: Process,
    actor: &portico_core::Actor,
    errors: Vec<FieldError>,
    phone: String,
    chosen: Vec<String>,
) -> Result<Response, AppError> {
    let voter = verification::state_of(&state.ctx, actor, &process.id).await?;
    let (step, expires) = match (process.phase, voter) {
        (Phase::Voting, VoterState::Unverified) => ("verify", String::new()),
        (Phase::Voting, VoterState::CodeSent { expires_at }) => ("ballot", when(expires_at)),
        (Phase::Voting, VoterState::Voted) if process.rules.allow_change => {
            ("change", String::new())
        }
        (Phase::Voting, VoterState::Voted) => ("voted", String::new()),
        _ => ("closed", String::new()),
    };
    let feasible = if step == "ballot" || step == "change" {
        proposals::list(
            &state.ctx,
            &process.id,
            Some(ProposalStatus::Feasible),
            proposals::Cursor::First,
            100,
        )
        .await?
        .items
    } else {
        Vec::new()
    };
    Ok(render(&VotePage {
        page: page.with_strings(TABLES),
        p: Shown { process },
        step,
        errors,
        phone,
        chosen,
        feasible,
        expires,
    })?
    .into_response())
}

pub async fn vote_form(
    State(state): State<ParticipationState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let process = processes::get(&state.ctx, &slug).await?;
    vote_page(
        &state,
        page,
        process,
        &user.actor(),
        Vec::new(),
        String::new(),
        Vec::new(),
    )
    .await
}

pub async fn verify(
    State(state): State<ParticipationState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    ClientAddr(addr): ClientAddr,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let process = processes::get(&state.ctx, &slug).await?;
    let actor = user.actor();
    let number = |name: &str| field(&form, name).replace(',', ".").parse::<f64>().ok();
    let verify = Verify {
        phone: field(&form, "phone"),
        latitude: number("latitude"),
        longitude: number("longitude"),
    };
    let client = state.app.pseudonymiser.pseudonym(&addr.to_string());
    match verification::start(&state.ctx, &actor, &process.id, &verify, Some(&client)).await {
        Ok(_) => {
            state.app.jobs_waker.notify_one();
            Ok(Redirect::to(&format!("/participation/{}/vote", process.slug)).into_response())
        }
        Err(e) => {
            let field = match e.code() {
                "location_required" | "outside_boundary" => "latitude",
                _ => "phone",
            };
            let errors = refusal(e, field)?;
            vote_page(
                &state,
                page,
                process,
                &actor,
                errors,
                verify.phone,
                Vec::new(),
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "participation_receipt.html")]
struct ReceiptPage {
    page: PageContext,
    /// The receipt itself, shown once after casting (empty when checking one).
    receipt: String,
    /// The ballot found, with the titles of its choices.
    ballot: Option<Ballot>,
    choices: Vec<(String, String)>,
    process: Option<Shown>,
    changed: bool,
    errors: Vec<FieldError>,
    asked: String,
}

async fn receipt_page(
    state: &ParticipationState,
    page: PageContext,
    receipt: String,
    ballot: Option<Ballot>,
    changed: bool,
    errors: Vec<FieldError>,
    asked: String,
) -> Result<Response, AppError> {
    let mut choices = Vec::new();
    let mut process = None;
    if let Some(b) = &ballot {
        for id in &b.choices {
            let p = proposals::get(&state.ctx, id).await?;
            choices.push((p.id, format!("{}. {}", p.number, p.title)));
        }
        process = Some(Shown {
            process: processes::get(&state.ctx, &b.process_id).await?,
        });
    }
    Ok(render(&ReceiptPage {
        page: page.with_strings(TABLES),
        receipt,
        ballot,
        choices,
        process,
        changed,
        errors,
        asked,
    })?
    .into_response())
}

pub async fn cast(
    State(state): State<ParticipationState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    ClientAddr(addr): ClientAddr,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let process = processes::get(&state.ctx, &slug).await?;
    let actor = user.actor();
    let cast = Cast {
        choices: fields(&form, "choices"),
        code: field(&form, "code"),
    };
    let network = super::api::network_key(&state, &process.id, addr);
    match ballots::cast(&state.ctx, &actor, &process.id, &cast, Some(&network)).await {
        Ok(Receipt {
            receipt,
            receipt_hash,
        }) => {
            let ballot = ballots::find(&state.ctx, &receipt_hash).await?;
            receipt_page(
                &state,
                page,
                receipt,
                Some(ballot),
                false,
                Vec::new(),
                String::new(),
            )
            .await
        }
        Err(e) => {
            let field = match e.code() {
                "code_wrong" | "code_expired" | "not_verified" => "code",
                _ => "choices",
            };
            let errors = refusal(e, field)?;
            vote_page(
                &state,
                page,
                process,
                &actor,
                errors,
                String::new(),
                cast.choices,
            )
            .await
        }
    }
}

pub async fn change(
    State(state): State<ParticipationState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let process = processes::get(&state.ctx, &slug).await?;
    let actor = user.actor();
    let choices = fields(&form, "choices");
    let receipt = field(&form, "receipt");
    match ballots::change(&state.ctx, &actor, &process.id, &receipt, &choices).await {
        Ok(ballot) => {
            receipt_page(
                &state,
                page,
                String::new(),
                Some(ballot),
                true,
                Vec::new(),
                String::new(),
            )
            .await
        }
        Err(e) => {
            let field = if e.code() == "receipt_unknown" {
                "receipt"
            } else {
                "choices"
            };
            let errors = refusal(e, field)?;
            vote_page(
                &state,
                page,
                process,
                &actor,
                errors,
                String::new(),
                choices,
            )
            .await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ReceiptQuery {
    #[serde(default)]
    receipt: Option<String>,
}

/// Anybody with a receipt (or its published hash) sees the ballot it finds.
pub async fn check_receipt(
    State(state): State<ParticipationState>,
    page: PageContext,
    Query(q): Query<ReceiptQuery>,
) -> Result<Response, AppError> {
    let asked = q.receipt.unwrap_or_default().trim().to_owned();
    if asked.is_empty() {
        return receipt_page(&state, page, String::new(), None, false, Vec::new(), asked).await;
    }
    match ballots::find(&state.ctx, &asked).await {
        Ok(ballot) => {
            receipt_page(
                &state,
                page,
                String::new(),
                Some(ballot),
                false,
                Vec::new(),
                asked,
            )
            .await
        }
        Err(ParticipationError::NotFound) => {
            let errors = vec![FieldError::new(
                "receipt",
                "participation_receipt_not_found",
            )];
            receipt_page(&state, page, String::new(), None, false, errors, asked).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---- Results ----

#[derive(Template)]
#[template(path = "participation_results.html")]
struct ResultsPage {
    page: PageContext,
    p: Shown,
    tally: Option<Tally>,
    /// The latest update of each funded project that has one.
    updates: std::collections::HashMap<String, crate::model::ProjectUpdate>,
}

pub fn implementation_label(page: &PageContext, s: crate::model::Implementation) -> &'static str {
    page.t(&format!("participation_implementation_{}", s.as_str()))
}

pub fn implementation_kind(s: crate::model::Implementation) -> &'static str {
    use crate::model::Implementation as I;
    match s {
        I::Planned => "waiting",
        I::InProgress => "progress",
        I::Completed => "decided",
        I::Cancelled => "refused",
    }
}

impl ResultsPage {
    fn update(&self, id: &str) -> Option<&crate::model::ProjectUpdate> {
        self.updates.get(id)
    }
    fn implementation(&self, u: &crate::model::ProjectUpdate) -> &'static str {
        implementation_label(&self.page, u.status)
    }
    fn implementation_kind(&self, u: &crate::model::ProjectUpdate) -> &'static str {
        implementation_kind(u.status)
    }
    fn any_funded(&self) -> bool {
        self.tally
            .as_ref()
            .is_some_and(|t| t.closed && t.projects.iter().any(|p| p.funded))
    }
    fn money(&self, minor: &i64) -> String {
        money(*minor, &self.p.process.rules.currency)
    }
    fn band(&self, key: &str) -> &'static str {
        self.page
            .strings
            .find(&format!("participation_band_{key}"))
            .unwrap_or("")
    }
}

pub async fn results(
    State(state): State<ParticipationState>,
    page: PageContext,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let process = processes::get(&state.ctx, &slug).await?;
    let tally = match tally::count(&state.ctx, &process.id).await {
        Ok(t) => Some(t),
        Err(ParticipationError::Refused("tally_not_public")) => None,
        Err(e) => return Err(e.into()),
    };
    let updates = crate::service::follow_up::latest(&state.ctx, &process.id).await?;
    Ok(render(&ResultsPage {
        page: page.with_strings(TABLES),
        p: Shown { process },
        tally,
        updates,
    })?
    .into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn money_groups_thousands() {
        assert_eq!(
            super::money(100_000_000, "BGN"),
            "1\u{a0}000\u{a0}000\u{a0}BGN"
        );
        assert_eq!(super::money(50_000, "EUR"), "500\u{a0}EUR");
    }
}
