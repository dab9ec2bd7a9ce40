//! The JSON API of public consultations: the drafts and their sections, comments while open,
//! the administration's answers and the published report; and the follow-up of funded
//! projects (their implementation updates).

use super::api::{ApiError, Created};
use super::ParticipationState;
use crate::model::{Answer, Consultation, ConsultationComment, ConsultationPhase, NewConsultation};
use crate::service::consultations;
use axum::extract::{Path, State};
use axum::Json;
use portico_http::{ApiActor, AppState};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router(state: ParticipationState) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, open))
        .routes(routes!(get_one))
        .routes(routes!(all_comments, comment))
        .routes(routes!(answer))
        .routes(routes!(publish))
        .routes(routes!(project_updates, update_project))
        .with_state(state)
}

#[derive(Serialize, ToSchema)]
pub struct ConsultationList {
    pub items: Vec<Consultation>,
}

/// Every public consultation, the newest deadline first. Public.
#[utoipa::path(get, path = "/api/v1/participation/consultations", tag = "participation", security(()),
    responses((status = 200, body = ConsultationList)))]
async fn list(State(state): State<ParticipationState>) -> Result<Json<ConsultationList>, ApiError> {
    Ok(Json(ConsultationList {
        items: consultations::list(&state.ctx).await?,
    }))
}

/// An administration publishes a draft in sections for comment until a deadline (its admins,
/// or its systems with the `participation` scope).
#[utoipa::path(post, path = "/api/v1/participation/consultations", tag = "participation",
    security(("session" = []), ("client_credentials" = ["participation"])),
    request_body = NewConsultation,
    responses((status = 200, body = Created),
        (status = 403, body = portico_http::ApiErrorBody),
        (status = 422, body = portico_http::ApiErrorBody, description = "slug_taken, consultation_dates_invalid, consultation_sections_invalid …")))]
async fn open(
    State(state): State<ParticipationState>,
    ApiActor(actor): ApiActor,
    Json(body): Json<NewConsultation>,
) -> Result<Json<Created>, ApiError> {
    Ok(Json(Created {
        id: consultations::open(&state.ctx, &actor, &body).await?,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct ConsultationView {
    pub consultation: Consultation,
    /// Every comment with its answer, once published; empty before.
    pub comments: Vec<ConsultationComment>,
}

/// A consultation by id or slug with its sections, and once published its comments with their
/// answers and the summary report. Public.
#[utoipa::path(get, path = "/api/v1/participation/consultations/{id}", tag = "participation", security(()),
    params(("id" = String, Path)),
    responses((status = 200, body = ConsultationView), (status = 404, body = portico_http::ApiErrorBody)))]
async fn get_one(
    State(state): State<ParticipationState>,
    Path(id): Path<String>,
) -> Result<Json<ConsultationView>, ApiError> {
    let consultation = consultations::get(&state.ctx, &id).await?;
    let comments = if consultation.phase == ConsultationPhase::Published {
        consultations::comments(&state.ctx, None, &consultation.id).await?
    } else {
        Vec::new()
    };
    Ok(Json(ConsultationView {
        consultation,
        comments,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct CommentList {
    pub items: Vec<ConsultationComment>,
}

/// Every comment with its answer: for the consultation's administration at any time, for
/// others once published (`comments_not_published`).
#[utoipa::path(get, path = "/api/v1/participation/consultations/{id}/comments", tag = "participation",
    security(("session" = []), ("client_credentials" = ["participation"])),
    params(("id" = String, Path)),
    responses((status = 200, body = CommentList), (status = 409, body = portico_http::ApiErrorBody, description = "comments_not_published")))]
async fn all_comments(
    State(state): State<ParticipationState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<CommentList>, ApiError> {
    Ok(Json(CommentList {
        items: consultations::comments(&state.ctx, Some(&actor), &id).await?,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewComment {
    /// The section's number; none for the whole draft.
    #[serde(default)]
    pub section: Option<i64>,
    pub body: String,
}

/// A signed-in person comments on the whole draft or on a section, until the deadline.
#[utoipa::path(post, path = "/api/v1/participation/consultations/{id}/comments", tag = "participation",
    security(("session" = [])), params(("id" = String, Path)), request_body = NewComment,
    responses((status = 200, body = ConsultationComment),
        (status = 409, body = portico_http::ApiErrorBody, description = "consultation_closed"),
        (status = 422, body = portico_http::ApiErrorBody, description = "consultation_comment_invalid, section_invalid")))]
async fn comment(
    State(state): State<ParticipationState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    Json(body): Json<NewComment>,
) -> Result<Json<ConsultationComment>, ApiError> {
    Ok(Json(
        consultations::comment(&state.ctx, &actor, &id, body.section, &body.body).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NewAnswer {
    pub answer: Answer,
    pub reason: String,
}

/// The administration answers a comment after the deadline, with the reason.
#[utoipa::path(post, path = "/api/v1/participation/consultations/comments/{id}/answer", tag = "participation",
    security(("session" = []), ("client_credentials" = ["participation"])),
    params(("id" = String, Path)), request_body = NewAnswer,
    responses((status = 200, body = ConsultationComment),
        (status = 409, body = portico_http::ApiErrorBody, description = "answering_closed"),
        (status = 422, body = portico_http::ApiErrorBody, description = "answer_reason_missing")))]
async fn answer(
    State(state): State<ParticipationState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    Json(body): Json<NewAnswer>,
) -> Result<Json<ConsultationComment>, ApiError> {
    Ok(Json(
        consultations::answer(&state.ctx, &actor, &id, body.answer, &body.reason).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NewReport {
    pub report: String,
}

/// The administration publishes every comment with its answer and the summary report.
#[utoipa::path(post, path = "/api/v1/participation/consultations/{id}/report", tag = "participation",
    security(("session" = []), ("client_credentials" = ["participation"])),
    params(("id" = String, Path)), request_body = NewReport,
    responses((status = 200, body = Consultation),
        (status = 409, body = portico_http::ApiErrorBody, description = "comments_unanswered, answering_closed")))]
async fn publish(
    State(state): State<ParticipationState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    Json(body): Json<NewReport>,
) -> Result<Json<Consultation>, ApiError> {
    Ok(Json(
        consultations::publish(&state.ctx, &actor, &id, &body.report).await?,
    ))
}

// ---- Follow-up of funded projects ----

#[derive(Serialize, ToSchema)]
pub struct UpdateList {
    pub items: Vec<crate::model::ProjectUpdate>,
}

/// A funded project's implementation updates, oldest first. Public.
#[utoipa::path(get, path = "/api/v1/participation/proposals/{id}/updates", tag = "participation", security(()),
    params(("id" = String, Path)),
    responses((status = 200, body = UpdateList)))]
async fn project_updates(
    State(state): State<ParticipationState>,
    Path(id): Path<String>,
) -> Result<Json<UpdateList>, ApiError> {
    crate::service::proposals::get(&state.ctx, &id).await?;
    Ok(Json(UpdateList {
        items: crate::service::follow_up::updates(&state.ctx, &id).await?,
    }))
}

/// The administration publishes an update of a funded project once voting has closed.
#[utoipa::path(post, path = "/api/v1/participation/proposals/{id}/updates", tag = "participation",
    security(("session" = []), ("client_credentials" = ["participation"])),
    params(("id" = String, Path)), request_body = crate::model::NewProjectUpdate,
    responses((status = 200, body = crate::model::ProjectUpdate),
        (status = 409, body = portico_http::ApiErrorBody, description = "follow_up_not_yet, not_funded"),
        (status = 422, body = portico_http::ApiErrorBody, description = "update_note_missing, spent_invalid")))]
async fn update_project(
    State(state): State<ParticipationState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    Json(body): Json<crate::model::NewProjectUpdate>,
) -> Result<Json<crate::model::ProjectUpdate>, ApiError> {
    Ok(Json(
        crate::service::follow_up::update(&state.ctx, &actor, &id, &body).await?,
    ))
}
