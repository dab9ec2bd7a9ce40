//! Mandates (`/account/mandates`): authorise someone to act for you (confirmed with your second
//! factor), revoke at once, act for whoever authorised you (`/acting-as`, also in the header's
//! banner); and, for administration admins, a company's representatives (`/representatives`).
//! The rules are in [`crate::service::mandates`].

use crate::service::mandates::{self, NewMandate, Services};
use crate::service::step_up;
use crate::strings::TABLES;
use crate::IdentityError;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDate, Utc};
use portico_core::{Eik, Id};
use portico_http::redirect::local_path;
use portico_http::{
    render, AppError, AppState, CsrfForm, FieldError, PageContext, SignedIn, ValidPath,
};
use serde::Deserialize;

/// One mandate as a row of the page.
struct Row {
    id: String,
    name: String,
    services: String,
    until: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "mandates.html")]
struct MandatesPage {
    page: PageContext,
    held: Vec<Row>,
    given: Vec<Row>,
    errors: Vec<FieldError>,
    form: GrantForm,
    banner: &'static str,
}

impl MandatesPage {
    fn error(&self, field: &str) -> Option<&'static str> {
        self.page.field_error(&self.errors, field)
    }
}

fn services_text(page: &PageContext, services: &Services) -> String {
    match services {
        Services::All => page.t("mandate_services_all").to_owned(),
        Services::Named(names) => names.join(", "),
    }
}

fn date(at: DateTime<Utc>) -> String {
    at.format("%d.%m.%Y").to_string()
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct GrantForm {
    #[serde(default)]
    agent_personal_id: String,
    #[serde(default)]
    services: String,
    #[serde(default)]
    valid_until: String,
    #[serde(default)]
    code: String,
}

async fn page_for(
    state: &AppState,
    page: PageContext,
    account_id: &str,
    form: GrantForm,
    errors: Vec<FieldError>,
    banner: &'static str,
) -> Result<Response, AppError> {
    let now = state.clock.now();
    let held = mandates::held(&state.db, account_id, now)
        .await?
        .into_iter()
        .map(|m| Row {
            services: services_text(&page, &m.services),
            until: date(m.valid_until),
            active: true,
            name: m.principal_name,
            id: m.id,
        })
        .collect();
    let given = mandates::given(&state.db, account_id)
        .await?
        .into_iter()
        .map(|m| Row {
            services: services_text(&page, &m.services),
            until: date(m.valid_until),
            active: m.active_at(now),
            name: m.agent_name,
            id: m.id,
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let html = render(&MandatesPage {
        page,
        held,
        given,
        errors,
        form,
        banner,
    })?;
    Ok((status, html).into_response())
}

pub async fn overview(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Query(q): Query<DoneQuery>,
) -> Result<Response, AppError> {
    let banner = match q.done.as_deref() {
        Some("granted") => "mandate_granted_banner",
        Some("revoked") => "mandate_revoked_banner",
        _ => "",
    };
    page_for(
        &state,
        page.with_strings(TABLES),
        &user.account_id,
        GrantForm::default(),
        vec![],
        banner,
    )
    .await
}

/// The end of the chosen day (Sofia's date, taken as UTC end of day).
fn parse_until(s: &str) -> Option<DateTime<Utc>> {
    let day = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s.trim(), "%d.%m.%Y"))
        .ok()?;
    day.and_hms_opt(23, 59, 59).map(|t| t.and_utc())
}

pub async fn grant(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    CsrfForm(form): CsrfForm<GrantForm>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let actor = user.actor();
    actor.require(mandates::ASSURANCE)?;
    let now = state.clock.now();
    let mut errors = Vec::new();
    let services = match Services::parse(&form.services) {
        Ok(s) => Some(s),
        Err(IdentityError::Invalid(mut e)) => {
            errors.append(&mut e);
            None
        }
        Err(e) => return Err(e.into()),
    };
    let until = parse_until(&form.valid_until);
    if until.is_none() {
        errors.push(FieldError::new("valid_until", "mandate_until_invalid"));
    }
    if form.agent_personal_id.trim().is_empty() {
        errors.push(FieldError::new(
            "agent_personal_id",
            "mandate_agent_unknown",
        ));
    }
    let (Some(services), Some(valid_until), true) = (services, until, errors.is_empty()) else {
        return page_for(&state, page, &user.account_id, form, errors, "").await;
    };
    // The second factor confirms it; a wrong code is counted and nothing is granted.
    let confirmed = match step_up::confirm(
        &state.db,
        &user.account_id,
        &form.code,
        mandates::GRANT_PURPOSE,
        now,
    )
    .await
    {
        Ok(proof) => proof,
        Err(IdentityError::WrongCode) => {
            let errors = vec![FieldError::new("code", "code.wrong")];
            return page_for(&state, page, &user.account_id, form, errors, "").await;
        }
        Err(e) => return Err(e.into()),
    };
    let new = NewMandate {
        agent_personal_id: form.agent_personal_id.clone(),
        services,
        valid_until,
    };
    let mut tx = state.db.begin().await?;
    match mandates::grant(&mut tx, &actor, &confirmed, &new, now).await {
        Ok(_) => {}
        Err(IdentityError::Invalid(errors)) => {
            drop(tx);
            return page_for(&state, page, &user.account_id, form, errors, "").await;
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(Redirect::to("/account/mandates?done=granted").into_response())
}

#[derive(Debug, Deserialize)]
pub struct Empty {}

pub async fn revoke(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    ValidPath(id): ValidPath<Id>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, AppError> {
    let mut tx = state.db.begin().await?;
    mandates::revoke(&mut tx, &user.actor(), id.as_str(), state.clock.now()).await?;
    tx.commit().await?;
    Ok(Redirect::to("/account/mandates?done=revoked").into_response())
}

#[derive(Debug, Deserialize)]
pub struct ActAsForm {
    /// The mandate to act under; empty to act for oneself again.
    #[serde(default)]
    mandate: String,
    #[serde(default, deserialize_with = "local_path")]
    back: Option<String>,
}

pub async fn act_as(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    CsrfForm(form): CsrfForm<ActAsForm>,
) -> Result<Response, AppError> {
    let mandate = Some(form.mandate.trim()).filter(|m| !m.is_empty());
    if mandate.is_some_and(|m| Id::parse(m).is_none()) {
        return Err(AppError::NotFound);
    }
    // The actor as themselves: switching is the person's own act, whoever they act for now.
    let mut actor = user.actor();
    if let portico_core::Actor::Person(p) = &mut actor {
        p.on_behalf_of = None;
    }
    let mut tx = state.db.begin().await?;
    mandates::act_as(
        &mut tx,
        &actor,
        &user.session_id,
        mandate,
        state.clock.now(),
    )
    .await?;
    tx.commit().await?;
    let back = form.back.unwrap_or_else(|| "/account/mandates".into());
    Ok(Redirect::to(&back).into_response())
}

#[derive(Template)]
#[template(path = "representatives.html")]
struct RepresentativesPage {
    page: PageContext,
    errors: Vec<FieldError>,
    done: bool,
}

impl RepresentativesPage {
    fn error(&self, field: &str) -> Option<&'static str> {
        self.page.field_error(&self.errors, field)
    }
}

fn require_admin(user: &portico_http::SessionUser) -> Result<(), AppError> {
    if user.is_admin() {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

pub async fn representatives_form(
    SignedIn(user): SignedIn,
    page: PageContext,
    Query(q): Query<DoneQuery>,
) -> Result<Response, AppError> {
    require_admin(&user)?;
    Ok(render(&RepresentativesPage {
        page: page.with_strings(TABLES),
        errors: vec![],
        done: q.done.is_some(),
    })?
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct RepresentativeForm {
    #[serde(default)]
    company_eik: String,
    #[serde(default)]
    company_name: String,
    #[serde(default)]
    representative_personal_id: String,
    #[serde(default)]
    valid_until: String,
}

pub async fn record_representative(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    CsrfForm(form): CsrfForm<RepresentativeForm>,
) -> Result<Response, AppError> {
    require_admin(&user)?;
    let page = page.with_strings(TABLES);
    let mut errors = Vec::new();
    let eik = Eik::parse(form.company_eik.trim()).ok();
    if eik.is_none() {
        errors.push(FieldError::new(
            "company_eik",
            "mandate_company_eik_invalid",
        ));
    }
    let until = parse_until(&form.valid_until);
    if until.is_none() {
        errors.push(FieldError::new("valid_until", "mandate_until_invalid"));
    }
    let result = match (eik, until) {
        (Some(eik), Some(until)) if errors.is_empty() => {
            let mut tx = state.db.begin().await?;
            let done = mandates::record_representative(
                &mut tx,
                &user.actor(),
                &eik,
                &form.company_name,
                &form.representative_personal_id,
                until,
                state.clock.now(),
            )
            .await;
            if done.is_ok() {
                tx.commit().await?;
            }
            done.map(|_| ())
        }
        _ => Err(IdentityError::Invalid(errors)),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/representatives?done=1").into_response()),
        Err(IdentityError::Invalid(errors)) => {
            let html = render(&RepresentativesPage {
                page,
                errors,
                done: false,
            })?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
