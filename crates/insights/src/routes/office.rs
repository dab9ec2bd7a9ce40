//! The back office's insights pages: the inquiries queue (overdue on top, counted), answering
//! an inquiry, the administration's feedback (answer, hide with a reason), and the monthly
//! figures an administrator enters. Each shows only the actor's own administrations.

use super::{plausible_id, InsightsState};
use crate::model::{Feedback, Figures, Inquiry};
use crate::service::{administrations_of, feedback, figures, inquiries};
use crate::strings::TABLES;
use crate::InsightsError;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use portico_core::{Actor, Role};
use portico_http::{render, AppError, CsrfForm, FieldError, PageContext, SignedIn, ValidPath};
use serde::Deserialize;

fn unprocessable(mut r: Response) -> Response {
    *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    r
}

pub struct QueueRow {
    pub inquiry: Inquiry,
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "office_inquiries.html")]
struct QueuePage {
    page: PageContext,
    rows: Vec<QueueRow>,
    overdue: usize,
}

pub async fn inquiries(
    State(state): State<InsightsState>,
    SignedIn(user): SignedIn,
    page: PageContext,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let actor = user.actor();
    if administrations_of(&actor).is_empty() {
        return Err(AppError::NotFound);
    }
    let (list, overdue) = inquiries::queue(&state.insights, &actor).await?;
    let today = state.insights.today();
    let rows = list
        .into_iter()
        .map(|i| QueueRow {
            overdue: i.overdue(today),
            inquiry: i,
        })
        .collect();
    Ok(render(&QueuePage {
        page,
        rows,
        overdue,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "office_inquiry.html")]
struct InquiryPage {
    page: PageContext,
    inquiry: Inquiry,
    overdue: bool,
    answer: String,
    errors: Vec<FieldError>,
}

pub async fn inquiry(
    State(state): State<InsightsState>,
    SignedIn(user): SignedIn,
    ValidPath(id): ValidPath<String>,
    page: PageContext,
) -> Result<Response, AppError> {
    if !plausible_id(&id) {
        return Err(AppError::NotFound);
    }
    let page = page.with_strings(TABLES);
    let inquiry = inquiries::get(&state.insights, &user.actor(), &id).await?;
    let overdue = inquiry.overdue(state.insights.today());
    Ok(render(&InquiryPage {
        page,
        inquiry,
        overdue,
        answer: String::new(),
        errors: Vec::new(),
    })?
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    answer: String,
}

pub async fn answer_inquiry(
    State(state): State<InsightsState>,
    SignedIn(user): SignedIn,
    ValidPath(id): ValidPath<String>,
    page: PageContext,
    CsrfForm(form): CsrfForm<AnswerForm>,
) -> Result<Response, AppError> {
    if !plausible_id(&id) {
        return Err(AppError::NotFound);
    }
    let page = page.with_strings(TABLES);
    let actor = user.actor();
    match inquiries::answer(&state.insights, &actor, &id, &form.answer).await {
        Ok(_) => Ok(Redirect::to("/office/inquiries").into_response()),
        Err(InsightsError::Invalid(errors)) => {
            let inquiry = inquiries::get(&state.insights, &actor, &id).await?;
            let overdue = inquiry.overdue(state.insights.today());
            Ok(unprocessable(
                render(&InquiryPage {
                    page,
                    inquiry,
                    overdue,
                    answer: form.answer,
                    errors,
                })?
                .into_response(),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

pub struct FeedbackRow {
    pub f: Feedback,
    pub rating: &'static str,
}

#[derive(Template)]
#[template(path = "office_feedback.html")]
struct FeedbackPage {
    page: PageContext,
    items: Vec<FeedbackRow>,
    errors: Vec<FieldError>,
    failed: String,
}

async fn feedback_page(
    state: &InsightsState,
    actor: &Actor,
    page: PageContext,
    errors: Vec<FieldError>,
    failed: String,
) -> Result<Response, AppError> {
    let mut items = Vec::new();
    for a in administrations_of(actor) {
        items.extend(
            feedback::for_administration(&state.insights, actor, &a)
                .await?
                .into_iter()
                .map(|f| FeedbackRow {
                    rating: page.t(&format!("insights_rating_{}", f.rating)),
                    f,
                }),
        );
    }
    Ok(render(&FeedbackPage {
        page,
        items,
        errors,
        failed,
    })?
    .into_response())
}

pub async fn feedback(
    State(state): State<InsightsState>,
    SignedIn(user): SignedIn,
    page: PageContext,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let actor = user.actor();
    if administrations_of(&actor).is_empty() {
        return Err(AppError::NotFound);
    }
    feedback_page(&state, &actor, page, Vec::new(), String::new()).await
}

#[derive(Debug, Deserialize)]
pub struct TextForm {
    #[serde(default)]
    text: String,
}

pub async fn answer_feedback(
    State(state): State<InsightsState>,
    SignedIn(user): SignedIn,
    ValidPath(id): ValidPath<String>,
    page: PageContext,
    CsrfForm(form): CsrfForm<TextForm>,
) -> Result<Response, AppError> {
    if !plausible_id(&id) {
        return Err(AppError::NotFound);
    }
    let page = page.with_strings(TABLES);
    let actor = user.actor();
    match feedback::answer(&state.insights, &actor, &id, &form.text).await {
        Ok(()) => Ok(Redirect::to("/office/feedback").into_response()),
        Err(InsightsError::Invalid(errors)) => Ok(unprocessable(
            feedback_page(&state, &actor, page, errors, id).await?,
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn hide_feedback(
    State(state): State<InsightsState>,
    SignedIn(user): SignedIn,
    ValidPath(id): ValidPath<String>,
    page: PageContext,
    CsrfForm(form): CsrfForm<TextForm>,
) -> Result<Response, AppError> {
    if !plausible_id(&id) {
        return Err(AppError::NotFound);
    }
    let page = page.with_strings(TABLES);
    let actor = user.actor();
    match feedback::hide(&state.insights, &actor, &id, &form.text).await {
        Ok(()) => Ok(Redirect::to("/office/feedback").into_response()),
        Err(InsightsError::Invalid(errors)) => Ok(unprocessable(
            feedback_page(&state, &actor, page, errors, id).await?,
        )),
        Err(e) => Err(e.into()),
    }
}

pub struct ServiceOption {
    pub id: String,
    pub title: String,
    pub selected: bool,
}

pub struct Input {
    pub name: &'static str,
    pub label: &'static str,
    pub value: String,
    /// Already translated; empty when the input has none.
    pub hint: &'static str,
}

pub struct FiguresRow {
    pub month: String,
    pub service: String,
    pub counter: i64,
    pub post: i64,
    pub cost: String,
}

#[derive(Template)]
#[template(path = "office_figures.html")]
struct FiguresPage {
    page: PageContext,
    services: Vec<ServiceOption>,
    rows: Vec<FiguresRow>,
    inputs: Vec<Input>,
    errors: Vec<FieldError>,
    saved: bool,
}

/// The administration the actor administers (the first, when several).
fn administered(actor: &Actor) -> Option<String> {
    match actor {
        Actor::Person(p) => p
            .roles
            .iter()
            .find(|g| g.role == Role::AdministrationAdmin)
            .map(|g| g.administration_id.clone()),
        _ => None,
    }
}

/// Euro as typed (`1234`, `1234.50`, `1234,5`) in cents.
pub fn parse_euro(s: &str) -> Option<i64> {
    let s = s.trim().replace([' ', '\u{a0}'], "").replace(',', ".");
    let (whole, cents) = match s.split_once('.') {
        Some((w, c)) if !c.is_empty() && c.len() <= 2 && c.chars().all(|d| d.is_ascii_digit()) => {
            (w.to_owned(), format!("{c:0<2}"))
        }
        Some(_) => return None,
        None => (s.clone(), "00".to_owned()),
    };
    if whole.is_empty() || !whole.chars().all(|d| d.is_ascii_digit()) || whole.len() > 12 {
        return None;
    }
    let v = whole.parse::<i64>().ok()? * 100 + cents.parse::<i64>().ok()?;
    (v <= figures::MAX_VALUE).then_some(v)
}

#[allow(clippy::too_many_arguments)]
async fn figures_page(
    state: &InsightsState,
    actor: &Actor,
    page: PageContext,
    selected: &str,
    values: (String, String, String, String),
    errors: Vec<FieldError>,
    saved: bool,
) -> Result<Response, AppError> {
    let administration = administered(actor).ok_or(AppError::NotFound)?;
    let services =
        portico_catalog::service::list_for_administration(&state.insights.db, &administration)
            .await
            .map_err(AppError::internal)?;
    let titles: std::collections::BTreeMap<String, String> = services
        .iter()
        .map(|s| (s.id.clone(), s.title(page.lang).to_owned()))
        .collect();
    let rows = figures::list(&state.insights, actor, &administration)
        .await?
        .into_iter()
        .map(|f: Figures| FiguresRow {
            month: super::views::month_label(&f.month),
            service: titles.get(&f.service_id).cloned().unwrap_or_default(),
            counter: f.counter_count,
            post: f.post_count,
            cost: super::views::euro(Some(f.cost_minor), page.lang),
        })
        .collect();
    let services = services
        .into_iter()
        .map(|s| ServiceOption {
            selected: s.id == selected,
            title: s.title(page.lang).to_owned(),
            id: s.id,
        })
        .collect();
    let inputs = vec![
        Input {
            name: "month",
            label: page.t("insights_figures_month"),
            value: values.0,
            hint: page.t("insights_figures_month_hint"),
        },
        Input {
            name: "counter",
            label: page.t("insights_figures_counter"),
            value: values.1,
            hint: "",
        },
        Input {
            name: "post",
            label: page.t("insights_figures_post"),
            value: values.2,
            hint: "",
        },
        Input {
            name: "cost",
            label: page.t("insights_figures_cost"),
            value: values.3,
            hint: page.t("insights_figures_cost_hint"),
        },
    ];
    let r = render(&FiguresPage {
        page,
        services,
        rows,
        inputs,
        errors: errors.clone(),
        saved,
    })?
    .into_response();
    Ok(if errors.is_empty() {
        r
    } else {
        unprocessable(r)
    })
}

#[derive(Debug, Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

pub async fn figures(
    State(state): State<InsightsState>,
    SignedIn(user): SignedIn,
    axum::extract::Query(q): axum::extract::Query<SavedQuery>,
    page: PageContext,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let month = state.insights.today().format("%Y-%m").to_string();
    figures_page(
        &state,
        &user.actor(),
        page,
        "",
        (month, String::new(), String::new(), String::new()),
        Vec::new(),
        q.saved.is_some(),
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct FiguresForm {
    #[serde(default)]
    service: String,
    #[serde(default)]
    month: String,
    #[serde(default)]
    counter: String,
    #[serde(default)]
    post: String,
    #[serde(default)]
    cost: String,
}

pub async fn enter_figures(
    State(state): State<InsightsState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    CsrfForm(form): CsrfForm<FiguresForm>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let actor = user.actor();
    let administration = administered(&actor).ok_or(AppError::NotFound)?;
    let mut errors = Vec::new();
    let today = state.insights.today();
    let month = figures::parse_month(&form.month, today);
    if month.is_none() {
        errors.push(FieldError::new("month", "insights_error_month"));
    }
    let counter = figures::parse_amount(&form.counter);
    if counter.is_none() {
        errors.push(FieldError::new("counter", "insights_error_amount"));
    }
    let post = figures::parse_amount(&form.post);
    if post.is_none() {
        errors.push(FieldError::new("post", "insights_error_amount"));
    }
    let cost = parse_euro(&form.cost);
    if cost.is_none() {
        errors.push(FieldError::new("cost", "insights_error_amount"));
    }
    let values = (
        form.month.clone(),
        form.counter.clone(),
        form.post.clone(),
        form.cost.clone(),
    );
    if let (true, Some(month), Some(counter), Some(post), Some(cost)) =
        (errors.is_empty(), month, counter, post, cost)
    {
        let f = Figures {
            administration_id: administration,
            service_id: form.service.clone(),
            month,
            counter_count: counter,
            post_count: post,
            cost_minor: cost,
            currency: figures::CURRENCY.to_owned(),
        };
        match figures::enter(&state.insights, &actor, &f).await {
            Ok(()) => return Ok(Redirect::to("/office/figures?saved=1").into_response()),
            Err(InsightsError::Invalid(e)) => errors = e,
            Err(e) => return Err(e.into()),
        }
    }
    figures_page(&state, &actor, page, &form.service, values, errors, false).await
}

#[cfg(test)]
mod tests {
    use super::parse_euro;

    #[test]
    fn euro_as_typed() {
        assert_eq!(parse_euro("1234"), Some(123_400));
        assert_eq!(parse_euro("1234,5"), Some(123_450));
        assert_eq!(parse_euro("1 234.56"), Some(123_456));
        assert_eq!(parse_euro("-3"), None);
        assert_eq!(parse_euro("1.234"), None);
        assert_eq!(parse_euro(""), None);
        assert_eq!(parse_euro("abc"), None);
    }
}
