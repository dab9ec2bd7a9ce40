//! The cases block's JSON API.

use super::CasesState;
use crate::model::{Application, TransitionInput};
use crate::service::{access, applications, decisions};
use axum::extract::State;
use axum::Json;
use portico_core::Id;
use portico_http::{ApiActor, AppError, AppState, ValidPath};
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

/// The signed-in person's applications, newest first (people only: an API client is refused).
#[utoipa::path(get, path = "/api/v1/applications", tag = "cases",
    security(("session" = [])),
    responses((status = 200, body = ApplicationList), (status = 401, body = portico_http::ApiErrorBody),
              (status = 403, body = portico_http::ApiErrorBody, description = "Not a person")))]
async fn my_applications(
    State(state): State<CasesState>,
    actor: ApiActor,
) -> Result<Json<ApplicationList>, AppError> {
    let person = actor.person()?;
    Ok(Json(ApplicationList {
        items: applications::list_for_applicant(&state.app.db, &person.account_id).await?,
    }))
}

/// One application: the applicant's own, or one in the caller's work scope as staff, or (for an
/// API client with the scope `cases`) one of its administration's.
#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "cases",
    params(("id" = String, Path, description = "Application id")),
    security(("session" = []), ("client_credentials" = ["cases"])),
    responses((status = 200, body = Application), (status = 401, body = portico_http::ApiErrorBody),
              (status = 403, body = portico_http::ApiErrorBody, description = "The token lacks the scope `cases`"),
              (status = 404, body = portico_http::ApiErrorBody)))]
async fn get_application(
    State(state): State<CasesState>,
    actor: ApiActor,
    ValidPath(id): ValidPath<Id>,
) -> Result<Json<Application>, AppError> {
    let actor = actor.require_scope(access::SCOPE)?;
    Ok(Json(access::visible(&state.app.db, actor, &id).await?))
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
    security(("session" = []), ("client_credentials" = ["cases"])),
    responses((status = 200, body = Application),
              (status = 401, body = portico_http::ApiErrorBody),
              (status = 403, body = portico_http::ApiErrorBody, description = "The token lacks the scope `cases`"),
              (status = 400, body = portico_http::ApiErrorBody, description = "The process does not allow this transition"),
              (status = 404, body = portico_http::ApiErrorBody),
              (status = 409, body = portico_http::ApiErrorBody, description = "Someone else changed the case first")))]
async fn take_transition(
    State(state): State<CasesState>,
    actor: ApiActor,
    ValidPath(id): ValidPath<Id>,
    Json(request): Json<TransitionRequest>,
) -> Result<Json<Application>, AppError> {
    let actor = actor.require_scope(access::SCOPE)?;
    let input = TransitionInput {
        reason: request.reason,
        message: request.message,
    };
    let updated = decisions::take(
        &state.cases,
        actor,
        &id,
        &request.transition,
        request.version,
        &input,
    )
    .await?;
    Ok(Json(updated))
}
