//! The public dashboard: the whole platform, one administration, one service; month by month
//! over the last year, with charts and their data tables, and the same figures as CSV and JSON
//! (`?format=csv`, `?format=json`).

use super::views::{self, Series};
use super::{plausible_id, InsightsState};
use crate::model::{Kpis, Scope};
use crate::service::{feedback, kpis, scopes};
use crate::strings::TABLES;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use portico_http::{render, AppError, Lang, PageContext, ValidPath};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
pub struct Format {
    format: Option<String>,
}

pub struct Card {
    pub id: &'static str,
    pub label: &'static str,
    pub value: String,
    pub hint: &'static str,
    pub formula: &'static str,
}

pub struct Chart {
    pub id: String,
    pub title: &'static str,
    pub svg: String,
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

pub struct GroupRow {
    pub href: String,
    pub name: String,
    pub cells: Vec<String>,
}

pub struct Comment {
    pub month: String,
    pub rating: String,
    pub text: String,
    pub answer: String,
}

#[derive(Template)]
#[template(path = "performance.html")]
struct DashboardPage {
    page: PageContext,
    heading: String,
    intro: &'static str,
    up: Option<(String, String)>,
    period: String,
    cards: Vec<Card>,
    charts: Vec<Chart>,
    groups_title: &'static str,
    group_columns: Vec<&'static str>,
    groups: Vec<GroupRow>,
    comments: Vec<Comment>,
    feedback_href: String,
    inquiry_href: String,
    here_path: String,
}

fn cards(page: &PageContext, k: &Kpis) -> Vec<Card> {
    let lang = page.lang;
    let card = |id: &'static str, value: String| Card {
        id,
        label: page.t(&format!("insights_kpi_{id}")),
        value,
        hint: page.t(&format!("insights_kpi_{id}_hint")),
        formula: page.t(&format!("insights_kpi_{id}_formula")),
    };
    vec![
        card("take_up", views::pct(k.take_up, lang)),
        card("completion", views::pct(k.completion, lang)),
        card(
            "time",
            format!(
                "{} / {}",
                views::days(k.median_days),
                views::days(k.p90_days)
            ),
        ),
        card("deadline", views::days_f(k.deadline_days, lang)),
        card("overdue", views::pct(k.overdue_share, lang)),
        card("cost", views::euro(k.cost_per_transaction, lang)),
        card("satisfaction", views::pct(k.satisfaction, lang)),
        card("no_paper", views::pct(k.no_paper, lang)),
        card(
            "transactions",
            views::int(k.counts.submitted + k.counter + k.post, lang),
        ),
        card(
            "inquiries",
            format!(
                "{} / {}",
                views::int(k.inquiries, lang),
                views::int(k.inquiries_overdue, lang)
            ),
        ),
    ]
}

fn charts(page: &PageContext, months: &[Kpis], deadline: Option<f64>) -> Vec<Chart> {
    let lang = page.lang;
    let labels: Vec<String> = months.iter().map(|k| k.month.clone()).collect();
    let online = page.t("insights_series_online");
    let offline = page.t("insights_series_offline");
    let median = page.t("insights_series_median");
    let p90 = page.t("insights_series_p90");
    let take_up = Chart {
        id: "chart-take-up".into(),
        title: page.t("insights_chart_take_up"),
        svg: views::bar_chart(
            "chart-take-up",
            page.t("insights_chart_take_up"),
            page.t("insights_chart_take_up_desc"),
            &labels,
            &[
                Series {
                    name: online,
                    colour: "#1d70b8",
                    values: months.iter().map(|k| k.counts.submitted as f64).collect(),
                },
                Series {
                    name: offline,
                    colour: "#505a5f",
                    values: months.iter().map(|k| (k.counter + k.post) as f64).collect(),
                },
            ],
            None,
        ),
        columns: vec![
            page.t("insights_col_month"),
            online,
            page.t("insights_col_counter"),
            page.t("insights_col_post"),
            page.t("insights_kpi_take_up"),
        ],
        rows: months
            .iter()
            .map(|k| {
                vec![
                    views::month_label(&k.month),
                    views::int(k.counts.submitted, lang),
                    views::int(k.counter, lang),
                    views::int(k.post, lang),
                    views::pct(k.take_up, lang),
                ]
            })
            .collect(),
    };
    let reference = deadline.map(|d| (page.t("insights_series_deadline"), d));
    let time = Chart {
        id: "chart-time".into(),
        title: page.t("insights_chart_time"),
        svg: views::bar_chart(
            "chart-time",
            page.t("insights_chart_time"),
            page.t("insights_chart_time_desc"),
            &labels,
            &[
                Series {
                    name: median,
                    colour: "#1d70b8",
                    values: months
                        .iter()
                        .map(|k| k.median_days.unwrap_or(0) as f64)
                        .collect(),
                },
                Series {
                    name: p90,
                    colour: "#003078",
                    values: months
                        .iter()
                        .map(|k| k.p90_days.unwrap_or(0) as f64)
                        .collect(),
                },
            ],
            reference,
        ),
        columns: vec![
            page.t("insights_col_month"),
            page.t("insights_col_decided"),
            median,
            p90,
            page.t("insights_kpi_overdue"),
        ],
        rows: months
            .iter()
            .map(|k| {
                vec![
                    views::month_label(&k.month),
                    views::int(k.counts.decided, lang),
                    views::days(k.median_days),
                    views::days(k.p90_days),
                    views::pct(k.overdue_share, lang),
                ]
            })
            .collect(),
    };
    let satisfaction = Chart {
        id: "chart-completion".into(),
        title: page.t("insights_chart_completion"),
        svg: views::bar_chart(
            "chart-completion",
            page.t("insights_chart_completion"),
            page.t("insights_chart_completion_desc"),
            &labels,
            &[
                Series {
                    name: page.t("insights_kpi_completion"),
                    colour: "#1d70b8",
                    values: months.iter().map(|k| k.completion.unwrap_or(0.0)).collect(),
                },
                Series {
                    name: page.t("insights_kpi_satisfaction"),
                    colour: "#00703c",
                    values: months
                        .iter()
                        .map(|k| k.satisfaction.unwrap_or(0.0))
                        .collect(),
                },
            ],
            None,
        ),
        columns: vec![
            page.t("insights_col_month"),
            page.t("insights_col_started"),
            page.t("insights_kpi_completion"),
            page.t("insights_col_ratings"),
            page.t("insights_kpi_satisfaction"),
        ],
        rows: months
            .iter()
            .map(|k| {
                vec![
                    views::month_label(&k.month),
                    views::int(k.counts.started, lang),
                    views::pct(k.completion, lang),
                    views::int(k.counts.ratings, lang),
                    views::pct(k.satisfaction, lang),
                ]
            })
            .collect(),
    };
    vec![take_up, time, satisfaction]
}

fn group_columns(page: &PageContext) -> Vec<&'static str> {
    vec![
        page.t("insights_col_transactions"),
        page.t("insights_kpi_take_up"),
        page.t("insights_kpi_completion"),
        page.t("insights_col_median"),
        page.t("insights_kpi_overdue"),
        page.t("insights_kpi_cost"),
        page.t("insights_kpi_satisfaction"),
    ]
}

fn group_cells(k: &Kpis, lang: Lang) -> Vec<String> {
    vec![
        views::int(k.counts.submitted + k.counter + k.post, lang),
        views::pct(k.take_up, lang),
        views::pct(k.completion, lang),
        views::days(k.median_days),
        views::pct(k.overdue_share, lang),
        views::euro(k.cost_per_transaction, lang),
        views::pct(k.satisfaction, lang),
    ]
}

/// The figures as a download: one line per month (CSV), or everything (JSON).
fn download(format: &str, shown: &scopes::Dashboard) -> Result<Option<Response>, AppError> {
    let name = &shown.scope;
    match format {
        "json" => {
            let body = serde_json::to_string(shown).map_err(AppError::internal)?;
            Ok(Some(
                (
                    [
                        (header::CONTENT_TYPE, "application/json".to_owned()),
                        (
                            header::CONTENT_DISPOSITION,
                            format!("attachment; filename=\"performance-{name}.json\""),
                        ),
                    ],
                    body,
                )
                    .into_response(),
            ))
        }
        "csv" => {
            let mut out = String::from(
                "month,started,submitted,counter,post,decided,approved,refused,withdrawn,abandoned,overdue,\
                 median_working_days,p90_working_days,take_up_percent,completion_percent,overdue_percent,\
                 cost_minor_eur,cost_per_transaction_minor_eur,ratings,satisfaction_percent,no_paper_percent,inquiries,inquiries_overdue\n",
            );
            let opt = |v: Option<f64>| v.map(|v| format!("{v:.1}")).unwrap_or_default();
            let opt_i = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
            for k in &shown.months {
                let c = &k.counts;
                out.push_str(&format!(
                    "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
                    k.month,
                    c.started,
                    c.submitted,
                    k.counter,
                    k.post,
                    c.decided,
                    c.approved,
                    c.refused,
                    c.withdrawn,
                    c.abandoned,
                    c.overdue,
                    opt_i(k.median_days),
                    opt_i(k.p90_days),
                    opt(k.take_up),
                    opt(k.completion),
                    opt(k.overdue_share),
                    k.cost_minor,
                    opt_i(k.cost_per_transaction),
                    c.ratings,
                    opt(k.satisfaction),
                    opt(k.no_paper),
                    k.inquiries,
                    k.inquiries_overdue,
                ));
            }
            Ok(Some(
                (
                    [
                        (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                        (
                            header::CONTENT_DISPOSITION,
                            format!("attachment; filename=\"performance-{name}.csv\""),
                        ),
                    ],
                    out,
                )
                    .into_response(),
            ))
        }
        "" | "html" => Ok(None),
        _ => Err(AppError::NotFound),
    }
}

struct Scoped {
    scope: Scope,
    name: String,
    heading: String,
    intro: &'static str,
    up: Option<(String, String)>,
    deadline: Option<f64>,
    groups_title: &'static str,
    /// id → (name, link) of each group to list, in order.
    groups: Vec<(String, String, String)>,
    by: kpis::By,
    comments_for: Option<String>,
    feedback_href: String,
    inquiry_href: String,
    here_path: String,
}

async fn show(
    state: &InsightsState,
    page: PageContext,
    format: Format,
    s: Scoped,
) -> Result<Response, AppError> {
    let ctx = &state.insights;
    // The figures as the last recompute stored them (a few rows), never the counters.
    let ids: Vec<String> = s.groups.iter().map(|(id, _, _)| id.clone()).collect();
    let shown = scopes::dashboard(ctx, &s.name, &s.scope, s.by, &ids).await?;
    if let Some(r) = download(format.format.as_deref().unwrap_or(""), &shown)? {
        return Ok(r);
    }
    let scopes::Dashboard {
        months: series,
        total,
        groups: wanted,
        ..
    } = shown;
    let lang = page.lang;
    let empty = kpis::kpis("", &kpis::Parts::default());
    let rows = s
        .groups
        .iter()
        .map(|(id, name, href)| GroupRow {
            href: href.clone(),
            name: name.clone(),
            cells: group_cells(wanted.get(id).unwrap_or(&empty), lang),
        })
        .collect();
    let comments = match &s.comments_for {
        Some(service) => feedback::public_for_service(ctx, service, 10)
            .await?
            .into_iter()
            .map(|f| Comment {
                month: f.month,
                rating: page.t(&format!("insights_rating_{}", f.rating)).to_owned(),
                text: f.comment.unwrap_or_default(),
                answer: f.answer.unwrap_or_default(),
            })
            .collect(),
        None => Vec::new(),
    };
    let deadline = s.deadline.or(total.deadline_days);
    let period = format!(
        "{} – {}",
        views::month_label(series.first().map_or("", |k| k.month.as_str())),
        views::month_label(series.last().map_or("", |k| k.month.as_str()))
    );
    let cards = cards(&page, &total);
    let charts = charts(&page, &series, deadline);
    let group_columns = group_columns(&page);
    Ok(render(&DashboardPage {
        page,
        heading: s.heading,
        intro: s.intro,
        up: s.up,
        period,
        cards,
        charts,
        groups_title: s.groups_title,
        group_columns,
        groups: rows,
        comments,
        feedback_href: s.feedback_href,
        inquiry_href: s.inquiry_href,
        here_path: s.here_path,
    })?
    .into_response())
}

pub async fn platform(
    State(state): State<InsightsState>,
    Query(format): Query<Format>,
    page: PageContext,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let administrations = scopes::platform(&state.insights).await?;
    let groups = administrations
        .iter()
        .map(|a| {
            (
                a.id.clone(),
                a.name(page.lang).to_owned(),
                format!("/performance/administrations/{}", a.id),
            )
        })
        .collect();
    let scoped = Scoped {
        scope: Scope::Platform,
        name: "platform".into(),
        heading: page.t("insights_platform_title").to_owned(),
        intro: page.t("insights_platform_intro"),
        up: None,
        deadline: None,
        groups_title: page.t("insights_groups_administrations"),
        groups,
        by: kpis::By::Administration,
        comments_for: None,
        feedback_href: String::new(),
        inquiry_href: String::new(),
        here_path: "/performance".into(),
    };
    show(&state, page, format, scoped).await
}

pub async fn administration(
    State(state): State<InsightsState>,
    ValidPath(id): ValidPath<String>,
    Query(format): Query<Format>,
    page: PageContext,
) -> Result<Response, AppError> {
    if !plausible_id(&id) {
        return Err(AppError::NotFound);
    }
    let page = page.with_strings(TABLES);
    let (a, services) = scopes::administration(&state.insights, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let groups = services
        .iter()
        .map(|s| {
            (
                s.id.clone(),
                s.title(page.lang).to_owned(),
                format!("/performance/services/{}", s.id),
            )
        })
        .collect();
    let scoped = Scoped {
        scope: Scope::Administration(a.id.clone()),
        name: a.id.clone(),
        heading: a.name(page.lang).to_owned(),
        intro: page.t("insights_administration_intro"),
        up: Some((
            "/performance".into(),
            page.t("insights_platform_title").to_owned(),
        )),
        deadline: None,
        groups_title: page.t("insights_groups_services"),
        groups,
        by: kpis::By::Service,
        comments_for: None,
        feedback_href: String::new(),
        inquiry_href: format!("/inquiries/new?administration={}", a.id),
        here_path: format!("/performance/administrations/{}", a.id),
    };
    show(&state, page, format, scoped).await
}

pub async fn service(
    State(state): State<InsightsState>,
    ValidPath(id): ValidPath<String>,
    Query(format): Query<Format>,
    page: PageContext,
) -> Result<Response, AppError> {
    if !plausible_id(&id) {
        return Err(AppError::NotFound);
    }
    let page = page.with_strings(TABLES);
    let (s, siblings, administrations) = scopes::service(&state.insights, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let names: BTreeMap<String, String> = administrations
        .iter()
        .map(|(id, a)| (id.clone(), a.name(page.lang).to_owned()))
        .collect();
    // Administrations that adopted the same template, compared side by side.
    let siblings = siblings
        .into_iter()
        .map(|o| {
            (
                o.id.clone(),
                names
                    .get(&o.administration_id)
                    .cloned()
                    .unwrap_or_else(|| o.administration_id.clone()),
                format!("/performance/services/{}", o.id),
            )
        })
        .collect();
    let administration = names.get(&s.administration_id).cloned().unwrap_or_default();
    let scoped = Scoped {
        scope: Scope::Service(s.id.clone()),
        name: s.slug.clone(),
        heading: format!("{} — {}", s.title(page.lang), administration),
        intro: page.t("insights_service_intro"),
        up: Some((
            format!("/performance/administrations/{}", s.administration_id),
            administration,
        )),
        deadline: Some(f64::from(s.facts.deadline_working_days)),
        groups_title: page.t("insights_groups_template"),
        groups: siblings,
        by: kpis::By::Service,
        comments_for: Some(s.id.clone()),
        feedback_href: format!("/feedback/{}?stage=submitted", s.id),
        inquiry_href: format!(
            "/inquiries/new?administration={}&service={}",
            s.administration_id, s.id
        ),
        here_path: format!("/performance/services/{}", s.id),
    };
    show(&state, page, format, scoped).await
}
