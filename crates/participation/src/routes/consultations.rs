//! The pages of public consultations: a draft in sections with its deadline, the comment form
//! while it is open, the person's own comments, and once published every comment with its
//! answer and the summary report; for the administration, the page that answers the comments
//! and publishes them. Somebody who does not run the consultation's administration gets
//! NotFound on that page.

use super::pages::{when, TABLES};
use super::ParticipationState;
use crate::error::ParticipationError;
use crate::model::{Answer, Consultation, ConsultationComment, ConsultationPhase};
use crate::service::{administers, consultations};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use portico_http::{render, AppError, CsrfForm, FieldError, PageContext, SignedIn};
use serde::Deserialize;

/// What a consultation's templates share.
pub struct ShownConsultation {
    pub c: Consultation,
}

impl ShownConsultation {
    pub fn title(&self, page: &PageContext) -> String {
        match page.lang {
            portico_http::Lang::Bg => self.c.title_bg.clone(),
            portico_http::Lang::En => self.c.title_en.clone(),
        }
    }
    pub fn phase(&self, page: &PageContext) -> &'static str {
        page.t(match self.c.phase {
            ConsultationPhase::Upcoming => "participation_consultation_upcoming",
            ConsultationPhase::Open => "participation_consultation_open",
            ConsultationPhase::Answering => "participation_consultation_answering",
            ConsultationPhase::Published => "participation_consultation_published",
        })
    }
    pub fn link(&self, tail: &str) -> String {
        format!("/participation/consultations/{}{tail}", self.c.slug)
    }
    pub fn deadline(&self) -> String {
        when(self.c.closes_at)
    }
    pub fn is_open(&self) -> bool {
        self.c.phase == ConsultationPhase::Open
    }
    pub fn is_answering(&self) -> bool {
        self.c.phase == ConsultationPhase::Answering
    }
    /// "Whole draft" or "2. Heading".
    pub fn section_label(&self, page: &PageContext, section: &Option<i64>) -> String {
        match section {
            None => page.t("participation_consultation_whole").to_owned(),
            Some(n) => self
                .c
                .sections
                .iter()
                .find(|s| s.number == *n)
                .map(|s| format!("{}. {}", s.number, s.heading))
                .unwrap_or_default(),
        }
    }
}

fn answer_label(page: &PageContext, a: &Option<Answer>) -> &'static str {
    match a {
        Some(a) => page.t(&format!("participation_answer_{}", a.as_str())),
        None => page.t("participation_answer_none"),
    }
}

fn answer_kind(a: &Option<Answer>) -> &'static str {
    match a {
        Some(Answer::Accepted) => "decided",
        Some(Answer::PartlyAccepted) => "progress",
        Some(Answer::NotAccepted) => "refused",
        None => "waiting",
    }
}

#[derive(Template)]
#[template(path = "participation_consultation.html")]
struct ConsultationPage {
    page: PageContext,
    s: ShownConsultation,
    /// Every comment with its answer, once published.
    published: Vec<ConsultationComment>,
    own: Vec<ConsultationComment>,
    administers: bool,
    errors: Vec<FieldError>,
    body: String,
    section: String,
    notice: bool,
}

impl ConsultationPage {
    fn label(&self, section: &Option<i64>) -> String {
        self.s.section_label(&self.page, section)
    }
    fn answer(&self, a: &Option<Answer>) -> &'static str {
        answer_label(&self.page, a)
    }
    fn answer_kind(&self, a: &Option<Answer>) -> &'static str {
        answer_kind(a)
    }
    fn chosen(&self, value: &str) -> bool {
        self.section == value
    }
    fn when(&self, ms: &i64) -> String {
        when(*ms)
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct Done {
    #[serde(default)]
    done: Option<String>,
    #[serde(default)]
    opened: Option<String>,
}

async fn consultation_page(
    state: &ParticipationState,
    page: PageContext,
    slug: &str,
    errors: Vec<FieldError>,
    body: String,
    section: String,
    notice: bool,
) -> Result<Response, AppError> {
    let c = consultations::get(&state.ctx, slug).await?;
    let actor = page.user.as_ref().map(|u| u.actor());
    let administers = actor
        .as_ref()
        .is_some_and(|a| administers(a, &c.administration_id));
    let published = if c.phase == ConsultationPhase::Published {
        consultations::comments(&state.ctx, None, &c.id).await?
    } else {
        Vec::new()
    };
    let own = match &actor {
        Some(a) => consultations::own_comments(&state.ctx, a, &c.id).await?,
        None => Vec::new(),
    };
    Ok(render(&ConsultationPage {
        page: page.with_strings(TABLES),
        s: ShownConsultation { c },
        published,
        own,
        administers,
        errors,
        body,
        section,
        notice,
    })?
    .into_response())
}

pub async fn show(
    State(state): State<ParticipationState>,
    page: PageContext,
    Path(slug): Path<String>,
    Query(d): Query<Done>,
) -> Result<Response, AppError> {
    consultation_page(
        &state,
        page,
        &slug,
        Vec::new(),
        String::new(),
        String::new(),
        d.done.is_some(),
    )
    .await
}

fn field(pairs: &[(String, String)], name: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default()
}

/// A comment from the consultation's page.
pub async fn comment(
    State(state): State<ParticipationState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let body = field(&form, "body");
    let section_value = field(&form, "section");
    let section = match section_value.as_str() {
        "" | "whole" => Ok(None),
        n => n
            .parse::<i64>()
            .map(Some)
            .map_err(|_| ParticipationError::Invalid("section_invalid")),
    };
    let result = match section {
        Ok(section) => {
            consultations::comment(&state.ctx, &user.actor(), &slug, section, &body).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!(
            "/participation/consultations/{slug}?done=1#own-comments"
        ))
        .into_response()),
        Err(ParticipationError::Invalid(code)) | Err(ParticipationError::Refused(code)) => {
            let field = if code == "section_invalid" {
                "section"
            } else {
                "body"
            };
            let errors = vec![FieldError::new(
                field,
                &format!("participation_error_{code}"),
            )];
            consultation_page(&state, page, &slug, errors, body, section_value, false).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---- The administration's page ----

#[derive(Template)]
#[template(path = "participation_consultation_admin.html")]
struct AnswerPage {
    page: PageContext,
    s: ShownConsultation,
    comments: Vec<ConsultationComment>,
    errors: Vec<FieldError>,
    report: String,
    /// The confirmation shown on top (a string key), empty for none.
    notice: &'static str,
}

impl AnswerPage {
    fn label(&self, section: &Option<i64>) -> String {
        self.s.section_label(&self.page, section)
    }
    fn answer(&self, a: &Option<Answer>) -> &'static str {
        answer_label(&self.page, a)
    }
    fn answer_kind(&self, a: &Option<Answer>) -> &'static str {
        answer_kind(a)
    }
    fn answer_is(&self, a: &Option<Answer>, value: &str) -> bool {
        a.is_some_and(|a| a.as_str() == value)
    }
    fn reason_error(&self, n: &usize) -> Option<&'static str> {
        self.page.field_error(&self.errors, &format!("reason-{n}"))
    }
    fn report_error(&self) -> &'static str {
        self.page.field_error(&self.errors, "report").unwrap_or("")
    }
    fn answer_option(&self, value: &str) -> &'static str {
        self.page.t(&format!("participation_answer_{value}"))
    }
}

async fn answer_page(
    state: &ParticipationState,
    page: PageContext,
    user: &portico_http::SessionUser,
    slug: &str,
    errors: Vec<FieldError>,
    report: String,
    notice: &'static str,
) -> Result<Response, AppError> {
    let actor = user.actor();
    let c = consultations::get(&state.ctx, slug).await?;
    if !administers(&actor, &c.administration_id) {
        return Err(AppError::NotFound);
    }
    let comments = consultations::comments(&state.ctx, Some(&actor), &c.id).await?;
    Ok(render(&AnswerPage {
        page: page.with_strings(TABLES),
        s: ShownConsultation { c },
        comments,
        errors,
        report,
        notice,
    })?
    .into_response())
}

pub async fn admin(
    State(state): State<ParticipationState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path(slug): Path<String>,
    Query(d): Query<Done>,
) -> Result<Response, AppError> {
    answer_page(
        &state,
        page,
        &user,
        &slug,
        Vec::new(),
        String::new(),
        if d.opened.is_some() {
            "participation_consultation_opened"
        } else if d.done.is_some() {
            "participation_consultation_answered"
        } else {
            ""
        },
    )
    .await
}

/// Answers one comment from the administration's page.
pub async fn answer(
    State(state): State<ParticipationState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let slug = field(&form, "consultation");
    let c = consultations::get(&state.ctx, &slug).await?;
    let actor = user.actor();
    if !administers(&actor, &c.administration_id) {
        return Err(AppError::NotFound);
    }
    let result = match Answer::parse(&field(&form, "answer")) {
        None => Err(ParticipationError::Invalid("answer_invalid")),
        Some(a) => consultations::answer(&state.ctx, &actor, &id, a, &field(&form, "reason")).await,
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!(
            "/participation/consultations/{}/admin?done=1",
            c.slug
        ))
        .into_response()),
        Err(ParticipationError::Invalid(code)) | Err(ParticipationError::Refused(code)) => {
            let comments = consultations::comments(&state.ctx, Some(&actor), &c.id).await?;
            let n = comments.iter().position(|cm| cm.id == id).unwrap_or(0) + 1;
            let errors = vec![FieldError::new(
                &format!("reason-{n}"),
                &format!("participation_error_{code}"),
            )];
            answer_page(&state, page, &user, &c.slug, errors, String::new(), "").await
        }
        Err(e) => Err(e.into()),
    }
}

/// Publishes the comments with their answers and the summary report.
pub async fn publish(
    State(state): State<ParticipationState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let report = field(&form, "report");
    let c = consultations::get(&state.ctx, &slug).await?;
    if !administers(&user.actor(), &c.administration_id) {
        return Err(AppError::NotFound);
    }
    match consultations::publish(&state.ctx, &user.actor(), &c.id, &report).await {
        Ok(c) => {
            Ok(Redirect::to(&format!("/participation/consultations/{}", c.slug)).into_response())
        }
        Err(ParticipationError::Invalid(code)) | Err(ParticipationError::Refused(code)) => {
            let errors = vec![FieldError::new(
                "report",
                &format!("participation_error_{code}"),
            )];
            answer_page(&state, page, &user, &c.slug, errors, report, "").await
        }
        Err(e) => Err(e.into()),
    }
}
