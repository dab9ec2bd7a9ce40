//! The cases block's JSON API.

use super::office::take_operator_transition;
use super::views::may_work;
use super::CasesState;
use crate::model::{Application, TransitionInput};
use crate::service::applications;
use axum::extract::{Path, State};
use axum::Json;
use portico_http::{AppError, AppState, SignedIn};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn api_router(state: CasesState) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(my_applications))
        .routes(routes!(get_application))
        .routes(routes!(take_transition))
        .with_state(state)
}

#[derive(Serialize, ToSchema)]
pub struct ApplicationList {
    pub items: Vec<Application>,
}

/// The signed-in person's applications, newest first.
#[utoipa::path(get, path = "/api/v1/applications", tag = "cases",
    responses((status = 200, body = ApplicationList), (status = 401, body = portico_http::ApiErrorBody)))]
async fn my_applications(
    State(state): State<CasesState>,
    SignedIn(user): SignedIn,
) -> Result<Json<ApplicationList>, AppError> {
    Ok(Json(ApplicationList {
        items: applications::list_for_applicant(&state.app.db, &user.account_id).await?,
    }))
}

/// One application: the applicant's own, or one in the caller's work scope as staff.
#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "cases",
    params(("id" = String, Path, description = "Application id")),
    responses((status = 200, body = Application), (status = 404, body = portico_http::ApiErrorBody)))]
async fn get_application(
    State(state): State<CasesState>,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
) -> Result<Json<Application>, AppError> {
    if !portico_core::ids::is_valid_id(&id) {
        return Err(AppError::NotFound);
    }
    match applications::get(&state.app.db, &id).await? {
        Some(app) if app.applicant_id == user.account_id || may_work(&user, &app) => Ok(Json(app)),
        _ => Err(AppError::NotFound),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TransitionRequest {
    /// The id of a transition of the service's process, e.g. `start_review`.
    pub transition: String,
    /// The application's `version` the caller last saw; a newer one means someone else acted first.
    pub version: i64,
    pub reason: Option<String>,
    pub message: Option<String>,
}

/// An operator moves a case along its process. Refused with 400 when the process does not allow
/// it, 409 when the case changed since `version`.
#[utoipa::path(post, path = "/api/v1/applications/{id}/transitions", tag = "cases",
    params(("id" = String, Path, description = "Application id")),
    request_body = TransitionRequest,
    responses((status = 200, body = Application),
              (status = 400, body = portico_http::ApiErrorBody, description = "The process does not allow this transition"),
              (status = 404, body = portico_http::ApiErrorBody),
              (status = 409, body = portico_http::ApiErrorBody, description = "Someone else changed the case first")))]
async fn take_transition(
    State(state): State<CasesState>,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
    Json(request): Json<TransitionRequest>,
) -> Result<Json<Application>, AppError> {
    if !portico_core::ids::is_valid_id(&id) {
        return Err(AppError::NotFound);
    }
    let app = match applications::get(&state.app.db, &id).await? {
        Some(app) if may_work(&user, &app) => app,
        _ => return Err(AppError::NotFound),
    };
    let input = TransitionInput {
        reason: request.reason,
        message: request.message,
    };
    let updated = take_operator_transition(
        &state,
        &user,
        &app,
        &request.transition,
        request.version,
        &input,
    )
    .await?;
    Ok(Json(updated))
}
