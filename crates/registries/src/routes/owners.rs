//! `/registries/access-requests`: a register owner's page of the access requests waiting for
//! their decision: approve for named response fields until a date, or refuse with a reason. Only
//! the owners of the register's administration (`register_owner`) and the platform's admins (all
//! of them, with the owning administration named) see a request; to anyone else it does not
//! exist. The decision is the service's (`service::access::decide`), audited there.

use super::RegistriesState;
use crate::model::AccessDecision;
use crate::service::{access, catalogue};
use crate::strings::TABLES;
use crate::RegistryError;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use portico_core::clock::to_millis;
use portico_core::{Actor, Id, Role};
use portico_http::{render, AppError, CsrfForm, Lang, PageContext, SignedIn, ValidPath};
use serde::Deserialize;

/// One request as the owner reads it.
pub struct RequestRow {
    pub id: String,
    pub administration: String,
    pub register: String,
    /// The administration that keeps the register (platform admins see every register's).
    pub owner: String,
    pub operation: String,
    pub legal_basis: String,
    pub purpose: String,
    /// Every field of the answer: (name, asked for).
    pub fields: Vec<(String, bool)>,
    /// The proposed end of the grant (`YYYY-MM-DD`).
    pub until: String,
    /// The error shown with this request, if its last decision was refused.
    pub error: String,
}

#[derive(Template)]
#[template(path = "access_requests.html")]
struct RequestsPage {
    page: PageContext,
    requests: Vec<RequestRow>,
    done: String,
}

#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
}

/// Register owners (of any administration) and the platform's admins only; anyone else gets
/// "not found".
fn owner_only(actor: &Actor) -> Result<(), AppError> {
    match actor {
        Actor::Person(p) if p.roles.iter().any(|r| r.role == Role::RegisterOwner) => Ok(()),
        _ if actor.is_platform_admin() => Ok(()),
        _ => Err(AppError::NotFound),
    }
}

async fn rows(
    state: &RegistriesState,
    actor: &Actor,
    lang: Lang,
) -> Result<Vec<RequestRow>, AppError> {
    let pending = access::pending_for_owner(&state.ctx, actor).await?;
    let now = state.ctx.clock.now();
    let registers = catalogue::list(&state.ctx.db, to_millis(now)).await?;
    let pick = |bg: &str, en: &str| match lang {
        Lang::Bg => bg.to_owned(),
        _ => en.to_owned(),
    };
    let until = portico_core::calendar::sofia_date(now + chrono::Duration::days(365))
        .format("%Y-%m-%d")
        .to_string();
    let mut out = Vec::new();
    for a in pending {
        let Some((register, operation)) = registers.iter().find_map(|r| {
            r.operations
                .iter()
                .find(|o| o.id == a.operation_id)
                .map(|o| (r, o))
        }) else {
            continue;
        };
        let administration =
            portico_identity::service::administrations::get(&state.app.db, &a.administration_id)
                .await?
                .map(|adm| adm.name(lang).to_owned())
                .unwrap_or_else(|| a.administration_id.clone());
        out.push(RequestRow {
            administration,
            register: pick(&register.name_bg, &register.name_en),
            owner: pick(&register.owner_name_bg, &register.owner_name_en),
            operation: format!(
                "{} ({} {})",
                pick(&operation.name_bg, &operation.name_en),
                operation.code,
                operation.version
            ),
            legal_basis: a.legal_basis.clone(),
            purpose: a.purpose.clone(),
            fields: operation
                .response_fields()
                .into_iter()
                .map(|f| {
                    let asked = a.requested_fields.contains(&f);
                    (f, asked)
                })
                .collect(),
            until: until.clone(),
            error: String::new(),
            id: a.id,
        });
    }
    Ok(out)
}

async fn page_with(
    state: &RegistriesState,
    page: PageContext,
    actor: &Actor,
    done: String,
    error: Option<(&str, &'static str)>,
) -> Result<Response, AppError> {
    let mut requests = rows(state, actor, page.lang).await?;
    let status = match error {
        Some((id, code)) => {
            for r in requests.iter_mut().filter(|r| r.id == id) {
                r.error = page.t(&format!("access_error_{code}")).to_owned();
            }
            StatusCode::UNPROCESSABLE_ENTITY
        }
        None => StatusCode::OK,
    };
    Ok((
        status,
        render(&RequestsPage {
            page,
            requests,
            done,
        })?,
    )
        .into_response())
}

pub async fn list(
    State(state): State<RegistriesState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Query(done): Query<Done>,
) -> Result<Response, AppError> {
    let actor = user.actor();
    owner_only(&actor)?;
    let done = match done.done.as_deref() {
        Some("approved") => "approved",
        Some("refused") => "refused",
        _ => "",
    };
    page_with(
        &state,
        page.with_strings(TABLES),
        &actor,
        done.to_owned(),
        None,
    )
    .await
}

/// `POST /registries/access-requests/{id}`: `decision` is `approve` (with a `field` for each
/// granted field and `valid_until`, `YYYY-MM-DD`) or `refuse` (with a `reason`).
pub async fn decide(
    State(state): State<RegistriesState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    ValidPath(id): ValidPath<Id>,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = user.actor();
    owner_only(&actor)?;
    let page = page.with_strings(TABLES);
    let value = |k: &str| {
        form.iter()
            .find(|(name, _)| name == k)
            .map(|(_, v)| v.trim())
            .unwrap_or("")
    };
    let decision = match value("decision") {
        "approve" => {
            let fields: Vec<String> = form
                .iter()
                .filter(|(k, _)| k == "field")
                .map(|(_, v)| v.clone())
                .collect();
            // The grant ends at the end of the chosen day, Sofia time.
            let until = NaiveDate::parse_from_str(value("valid_until"), "%Y-%m-%d")
                .ok()
                .and_then(|d| d.succ_opt())
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .and_then(|midnight| {
                    // Sofia is UTC+2, or UTC+3 in summer: the instant its clocks show midnight.
                    [2, 3].into_iter().find_map(|h| {
                        let t = midnight.and_utc() - chrono::Duration::hours(h);
                        (portico_core::calendar::sofia_local(t) == midnight).then_some(t)
                    })
                });
            let Some(until) = until else {
                return page_with(&state, page, &actor, String::new(), Some((&id, "period"))).await;
            };
            AccessDecision::Approve {
                fields,
                valid_until: to_millis(until),
            }
        }
        "refuse" => AccessDecision::Refuse {
            reason: value("reason").to_owned(),
        },
        _ => return Err(AppError::BadRequest("decision")),
    };
    match access::decide(&state.ctx, &actor, &id, &decision).await {
        Ok(decided) => Ok(Redirect::to(&format!(
            "/registries/access-requests?done={}",
            decided.status
        ))
        .into_response()),
        Err(RegistryError::Invalid(code)) => {
            let code = match code {
                "unknown_field" => "fields",
                "period_in_past" => "period",
                "reason_required" => "reason",
                _ => "decided",
            };
            page_with(&state, page, &actor, String::new(), Some((&id, code))).await
        }
        Err(e) => Err(e.into()),
    }
}
