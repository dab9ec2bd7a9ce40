//! The administration's pages for a participatory process: opening one and changing its rules.
//! Both read the form into what the API takes (`NewProcess`, `Rules`) and call the same service
//! functions (`processes::open`, `processes::change_rules`), so the checks, the audit entries
//! and the locking once ballots are cast are the API's. A refusal is drawn again next to its
//! field; somebody who does not run the administration gets NotFound.

use super::form::{self, Refused, Values};
use super::pages::{Shown, TABLES};
use super::ParticipationState;
use crate::model::{BallotRule, NewProcess, Phases, Proposers, Rules, Topic};
use crate::service::{administers, processes};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use portico_core::Role;
use portico_http::{render, AppError, CsrfForm, FieldError, PageContext, SessionUser, SignedIn};
use serde::Deserialize;

/// The six dates of a process, in the order they must follow.
pub const DATES: [&str; 6] = [
    "proposals_from",
    "proposals_until",
    "review_until",
    "voting_from",
    "voting_until",
    "results_from",
];

#[derive(Template)]
#[template(path = "participation_process_form.html")]
struct ProcessForm {
    page: PageContext,
    errors: Vec<FieldError>,
    values: Values,
    /// The administration the process is opened for, and its name.
    administration: String,
    administration_name: String,
    /// Set when the rules of this process are changed; none when a process is opened.
    p: Option<Shown>,
}

impl ProcessForm {
    fn error(&self, name: &str) -> &'static str {
        form::error_of(&self.page, &self.errors, name)
    }
    fn value(&self, name: &str) -> &str {
        self.values.get(name)
    }
    fn is(&self, name: &str, value: &str) -> bool {
        self.values.is(name, value)
    }
    fn choice_label(&self, name: &str, value: &str) -> &'static str {
        form::choice_label(&self.page, name, value)
    }
    /// A plain input drawn by the shell's `field.html`.
    fn input(&self, name: &'static str, input_type: &'static str) -> portico_http::Field {
        form::input(&self.page, &self.errors, &self.values, name, input_type)
    }
    /// The rules are locked (a ballot is cast): the page says so and offers no form.
    fn locked(&self) -> bool {
        self.p.as_ref().is_some_and(|p| p.process.locked)
    }
    fn action(&self) -> String {
        match &self.p {
            Some(p) => p.link("/rules"),
            None => "/participation/admin/processes".into(),
        }
    }
}

/// Which field a refusal of `processes::open` or `change_rules` points at.
fn field_of(code: &str) -> &'static str {
    match code {
        "slug_invalid" | "slug_taken" => "slug",
        "title_missing" => "title_bg",
        "phases_out_of_order" => "proposals_from",
        "voter_area_missing" => "voter_area",
        "min_age_invalid" => "min_age",
        "budget_invalid" => "budget",
        "max_choices_invalid" => "max_choices",
        "legal_basis_missing" => "legal_basis",
        "boundary_invalid" => "boundary",
        "topics_missing" | "topic_duplicate" | "topic_line_invalid" => "topics",
        _ => "proposers",
    }
}

/// The administrations the person runs, by id.
pub(super) fn administered(user: &SessionUser) -> Vec<String> {
    let mut ids: Vec<String> = user
        .roles
        .iter()
        .filter(|g| g.role == Role::AdministrationAdmin)
        .map(|g| g.administration_id.clone())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// The administration a form is for: the one asked for, else the person's first; NotFound for
/// one the person does not run.
pub(super) async fn administration_of(
    state: &ParticipationState,
    user: &SessionUser,
    page: &PageContext,
    asked: Option<&str>,
) -> Result<(String, String), AppError> {
    let id = match asked.filter(|a| !a.is_empty()) {
        Some(a) => a.to_owned(),
        None => administered(user)
            .into_iter()
            .next()
            .ok_or(AppError::NotFound)?,
    };
    if !administers(&user.actor(), &id) {
        return Err(AppError::NotFound);
    }
    let found = portico_identity::service::administrations::get(&state.ctx.db, &id)
        .await
        .map_err(AppError::internal)?
        .ok_or(AppError::NotFound)?;
    let name = match page.lang {
        portico_http::Lang::Bg => found.name_bg,
        portico_http::Lang::En => found.name_en,
    };
    Ok((found.id, name))
}

/// The rules as the form gives them.
fn rules_of(v: &Values) -> Result<Rules, Refused> {
    let number = |name: &'static str, code: &'static str| {
        v.get(name)
            .parse::<i64>()
            .map_err(|_| Refused::at(name, code))
    };
    let boundary = match v.get("boundary") {
        "" => None,
        text => Some(
            serde_json::from_str(text).map_err(|_| Refused::at("boundary", "boundary_invalid"))?,
        ),
    };
    let ballot_rule = BallotRule::parse(v.get("ballot_rule"))
        .ok_or(Refused::at("ballot_rule", "choice_invalid"))?;
    Ok(Rules {
        proposers: Proposers::parse(v.get("proposers"))
            .ok_or(Refused::at("proposers", "choice_invalid"))?,
        voter_area: v.get("voter_area").to_owned(),
        min_age: number("min_age", "min_age_invalid")?,
        budget_minor: form::whole_units(v.get("budget"))
            .ok_or(Refused::at("budget", "budget_invalid"))?,
        currency: v.get("currency").to_uppercase(),
        ballot_rule,
        // A knapsack ballot is bounded by the budget, not by a number of choices.
        max_choices: match (ballot_rule, v.get("max_choices")) {
            (BallotRule::Knapsack, "") => 0,
            _ => number("max_choices", "max_choices_invalid")?,
        },
        allow_change: v.is("allow_change", "yes"),
        legal_basis: v.get("legal_basis").to_owned(),
        boundary,
        tally_live: v.is("tally_live", "yes"),
    })
}

/// Topics typed one a line: `code; name in Bulgarian; name in English`.
fn topics_of(typed: &str) -> Result<Vec<Topic>, Refused> {
    typed
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let parts: Vec<&str> = line.split(';').map(str::trim).collect();
            match parts.as_slice() {
                [code, bg, en] if !code.is_empty() && !bg.is_empty() && !en.is_empty() => {
                    Ok(Topic {
                        code: (*code).to_owned(),
                        name_bg: (*bg).to_owned(),
                        name_en: (*en).to_owned(),
                    })
                }
                _ => Err(Refused::at("topics", "topic_line_invalid")),
            }
        })
        .collect()
}

/// The whole form as a new process.
fn new_process(administration: &str, v: &Values) -> Result<NewProcess, Refused> {
    let mut days = [0i64; 6];
    for (day, name) in days.iter_mut().zip(DATES) {
        *day = form::sofia_day(v.get(name)).ok_or(Refused::at(name, "date_invalid"))?;
    }
    let [proposals_from, proposals_until, review_until, voting_from, voting_until, results_from] =
        days;
    Ok(NewProcess {
        administration_id: administration.to_owned(),
        slug: v.get("slug").to_owned(),
        title_bg: v.get("title_bg").to_owned(),
        title_en: v.get("title_en").to_owned(),
        theme: v.get("theme").to_owned(),
        phases: Phases {
            proposals_from,
            proposals_until,
            review_until,
            voting_from,
            voting_until,
            results_from,
        },
        rules: rules_of(v)?,
        topics: topics_of(v.get("topics"))?,
    })
}

/// What a new process's form starts with: the common rules, so an admin changes only what
/// differs.
fn defaults() -> Values {
    let mut v = Values::default();
    for (name, value) in [
        ("proposers", "anyone"),
        ("voter_area", "municipality"),
        ("min_age", "16"),
        ("currency", "BGN"),
        ("ballot_rule", "up_to_n"),
        ("max_choices", "3"),
        ("allow_change", "yes"),
    ] {
        v.set(name, value);
    }
    v
}

/// The form's values for a process's current rules.
fn values_of(rules: &Rules, version: i64) -> Values {
    let mut v = Values::default();
    v.set("proposers", rules.proposers.as_str());
    v.set("voter_area", rules.voter_area.as_str());
    v.set("min_age", rules.min_age.to_string());
    v.set("budget", (rules.budget_minor / 100).to_string());
    v.set("currency", rules.currency.as_str());
    v.set("ballot_rule", rules.ballot_rule.as_str());
    v.set("max_choices", rules.max_choices.to_string());
    if rules.allow_change {
        v.set("allow_change", "yes");
    }
    if rules.tally_live {
        v.set("tally_live", "yes");
    }
    v.set("legal_basis", rules.legal_basis.as_str());
    if let Some(b) = &rules.boundary {
        v.set("boundary", b.to_string());
    }
    v.set("version", version.to_string());
    v
}

#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    pub administration: Option<String>,
}

/// The form that opens a process.
pub async fn new_form(
    State(state): State<ParticipationState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Query(q): Query<NewQuery>,
) -> Result<Response, AppError> {
    let (administration, administration_name) =
        administration_of(&state, &user, &page, q.administration.as_deref()).await?;
    Ok(render(&ProcessForm {
        page: page.with_strings(TABLES),
        errors: Vec::new(),
        values: defaults(),
        administration,
        administration_name,
        p: None,
    })?
    .into_response())
}

/// Opens a process from the form.
pub async fn open(
    State(state): State<ParticipationState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let values = Values(fields);
    let (administration, administration_name) =
        administration_of(&state, &user, &page, Some(values.get("administration"))).await?;
    let errors = match new_process(&administration, &values) {
        Err(r) => form::errors_of(&r),
        Ok(new) => match processes::open(&state.ctx, &user.actor(), &new).await {
            Ok(_) => {
                return Ok(Redirect::to(&format!(
                    "/participation/{}/admin?opened=1",
                    new.slug.trim()
                ))
                .into_response())
            }
            Err(e) => form::refusal(e, field_of)?,
        },
    };
    Ok(render(&ProcessForm {
        page: page.with_strings(TABLES),
        errors,
        values,
        administration,
        administration_name,
        p: None,
    })?
    .into_response())
}

/// The process for its administration's admin; NotFound for anybody else.
async fn administered_process(
    state: &ParticipationState,
    user: &SessionUser,
    slug: &str,
) -> Result<crate::model::Process, AppError> {
    let process = processes::get(&state.ctx, slug).await?;
    if !administers(&user.actor(), &process.administration_id) {
        return Err(AppError::NotFound);
    }
    Ok(process)
}

/// The form that changes a process's rules, filled with the rules as they are.
pub async fn rules_form(
    State(state): State<ParticipationState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let process = administered_process(&state, &user, &slug).await?;
    Ok(render(&ProcessForm {
        page: page.with_strings(TABLES),
        errors: Vec::new(),
        values: values_of(&process.rules, process.version),
        administration: process.administration_id.clone(),
        administration_name: String::new(),
        p: Some(Shown { process }),
    })?
    .into_response())
}

/// Changes the rules from the form, with the version the admin saw (`stale_version` when the
/// process changed meanwhile, `rules_locked` once a ballot is cast).
pub async fn change_rules(
    State(state): State<ParticipationState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path(slug): Path<String>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let process = administered_process(&state, &user, &slug).await?;
    let mut values = Values(fields);
    let version = values.get("version").parse::<i64>().unwrap_or(0);
    let errors = match rules_of(&values) {
        Err(r) => form::errors_of(&r),
        Ok(rules) => {
            match processes::change_rules(&state.ctx, &user.actor(), &process.id, version, &rules)
                .await
            {
                Ok(p) => {
                    return Ok(
                        Redirect::to(&format!("/participation/{}/admin?rules=1", p.slug))
                            .into_response(),
                    )
                }
                Err(e) => {
                    if e.code() == "stale_version" {
                        // Somebody changed the rules meanwhile: show them as they are now.
                        let now = processes::get(&state.ctx, &process.id).await?;
                        values = values_of(&now.rules, now.version);
                    }
                    form::refusal(e, field_of)?
                }
            }
        }
    };
    Ok(render(&ProcessForm {
        page: page.with_strings(TABLES),
        errors,
        values,
        administration: process.administration_id.clone(),
        administration_name: String::new(),
        p: Some(Shown { process }),
    })?
    .into_response())
}
