//! Verification at a counter (pages under `/verify`, for identity verifiers): find a person's
//! account by personal number, check their identity document in person, mark the identifier as
//! verified. The rules are in [`crate::service::verification`].

use crate::service::verification::DocumentKind;
use crate::service::{accounts, verification};
use crate::strings::TABLES;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use portico_core::{Id, Role};
use portico_http::{
    render, AppError, AppState, CsrfForm, PageContext, SessionUser, SignedIn, ValidPath,
};
use serde::Deserialize;

/// The administration the verifier works for: their first identity-verifier role.
fn verifier_administration(user: &SessionUser) -> Result<String, AppError> {
    user.roles
        .iter()
        .find(|r| r.role == Role::IdentityVerifier)
        .map(|r| r.administration_id.clone())
        .ok_or(AppError::Forbidden)
}

#[derive(Template)]
#[template(path = "verify_find.html")]
struct FindPage {
    page: PageContext,
    personal_id: String,
    not_found: bool,
    banner: &'static str,
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

pub async fn find_form(
    SignedIn(user): SignedIn,
    page: PageContext,
    Query(q): Query<DoneQuery>,
) -> Result<Response, AppError> {
    verifier_administration(&user)?;
    let page = page.with_strings(TABLES);
    Ok(render(&FindPage {
        page,
        personal_id: String::new(),
        not_found: false,
        banner: match q.done.as_deref() {
            Some("released") => "verify_released_banner",
            Some(_) => "verify_done_banner",
            None => "",
        },
    })?
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct FindForm {
    personal_id: String,
}

#[derive(Template)]
#[template(path = "verify_check.html")]
struct CheckPage {
    page: PageContext,
    account_id: String,
    name: String,
    personal_id: String,
    level: &'static str,
    /// Only a claimed number can be taken off an account.
    claimed: bool,
}

/// Looks the person up (by POST, so the number is never in an address or a log line).
pub async fn find(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    CsrfForm(form): CsrfForm<FindForm>,
) -> Result<Response, AppError> {
    verifier_administration(&user)?;
    let page = page.with_strings(TABLES);
    let personal_id = form.personal_id.trim().to_owned();
    let found = if personal_id.is_empty() || personal_id.len() > 20 {
        None
    } else {
        accounts::find_by_personal_id(&state.db, &personal_id).await?
    };
    let Some(account) = found else {
        return Ok(render(&FindPage {
            page,
            personal_id,
            not_found: true,
            banner: "",
        })?
        .into_response());
    };
    let level = verification::identity_level(&state.db, &account.id).await?;
    Ok(render(&CheckPage {
        claimed: level == portico_core::Assurance::Low,
        name: account.display_name(),
        personal_id,
        account_id: account.id,
        level: page.t(match level {
            portico_core::Assurance::Low => "assurance_low",
            portico_core::Assurance::Substantial => "assurance_substantial",
            portico_core::Assurance::High => "assurance_high",
        }),
        page,
    })?
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct CheckForm {
    document_kind: String,
    document_number: String,
    /// The verifier confirms they saw the document and the person in front of them.
    #[serde(default)]
    checked_in_person: Option<String>,
}

pub async fn verify(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    ValidPath(account_id): ValidPath<Id>,
    CsrfForm(form): CsrfForm<CheckForm>,
) -> Result<Response, AppError> {
    let administration_id = verifier_administration(&user)?;
    let kind =
        DocumentKind::parse(&form.document_kind).ok_or(AppError::BadRequest("document_kind"))?;
    if form.checked_in_person.as_deref() != Some("yes") {
        return Err(AppError::BadRequest("not_checked_in_person"));
    }
    let mut tx = state.db.begin().await?;
    verification::verify_at_counter(
        &mut tx,
        &user.actor(),
        &administration_id,
        account_id.as_str(),
        kind,
        &form.document_number,
        &state.pseudonymiser,
        state.clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/verify?done=1").into_response())
}

/// The account holding the number is not the person's at the counter: the claimed number is
/// taken off it (see [`verification::release_claim`]).
pub async fn release(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    ValidPath(account_id): ValidPath<Id>,
    CsrfForm(_): CsrfForm<ReleaseForm>,
) -> Result<Response, AppError> {
    let administration_id = verifier_administration(&user)?;
    let mut tx = state.db.begin().await?;
    verification::release_claim(
        &mut tx,
        &user.actor(),
        &administration_id,
        account_id.as_str(),
        state.clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/verify?done=released").into_response())
}

#[derive(Debug, Deserialize)]
pub struct ReleaseForm {}
