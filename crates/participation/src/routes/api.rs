//! The participation block's JSON API: processes, proposals, supports, comments, reviews.
//! Errors are the platform's `{"error": {"code", "message", "details"}}` with this block's codes.

use super::ParticipationState;
use crate::error::ParticipationError;
use crate::model::{
    Comment, HistoryEntry, NewProcess, NewProposal, Process, Proposal, ProposalPage,
    ProposalStatus, Review, Rules,
};
use crate::service::ballots::{self, Ballot, Cast, Receipt};
use crate::service::signals::{self, Signal};
use crate::service::tally::{self, BallotSet, Tally};
use crate::service::verification::{self, Verified, Verify};
use crate::service::{processes, proposals};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use portico_http::{ApiActor, AppState, ClientAddr, Lang, Strings};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn api_router(state: ParticipationState) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_processes, open_process))
        .routes(routes!(get_process))
        .routes(routes!(change_rules))
        .routes(routes!(list_proposals, submit_proposal))
        .routes(routes!(get_proposal))
        .routes(routes!(support))
        .routes(routes!(comment))
        .routes(routes!(review))
        .routes(routes!(verify))
        .routes(routes!(cast, change_ballot))
        .routes(routes!(find_receipt))
        .routes(routes!(get_tally))
        .routes(routes!(ballot_set))
        .routes(routes!(ballot_set_csv))
        .routes(routes!(get_signals))
        .with_state(state.clone())
        .merge(super::consultations_api::router(state))
}

/// A participation error as the API answers it.
pub struct ApiError(pub ParticipationError);

impl From<ParticipationError> for ApiError {
    fn from(e: ParticipationError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        if e.code() == "internal" {
            tracing::error!(error = %e, "participation: internal error");
            return portico_http::AppError::internal(e).into_response();
        }
        if let ParticipationError::NeedsAssurance(n) = e {
            return portico_http::AppError::NeedsAssurance(n).into_response();
        }
        let strings = Strings::new(Lang::En, crate::strings::TABLES);
        let message = strings
            .find(&format!("participation_error_{}", e.code()))
            .unwrap_or("The request was refused.");
        let body = serde_json::json!({
            "error": { "code": e.code(), "message": message, "details": {} }
        });
        (e.status(), Json(body)).into_response()
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProcessList {
    pub items: Vec<Process>,
}

/// Every participatory process. Public.
#[utoipa::path(get, path = "/api/v1/participation/processes", tag = "participation", security(()),
    responses((status = 200, body = ProcessList)))]
async fn list_processes(
    State(state): State<ParticipationState>,
) -> Result<Json<ProcessList>, ApiError> {
    Ok(Json(ProcessList {
        items: processes::list(&state.ctx).await?,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: String,
}

/// An administration opens a participatory process (its admins, or its systems with the
/// `participation` scope).
#[utoipa::path(post, path = "/api/v1/participation/processes", tag = "participation",
    security(("session" = []), ("client_credentials" = ["participation"])),
    request_body = NewProcess,
    responses((status = 200, body = Created),
        (status = 403, body = portico_http::ApiErrorBody),
        (status = 422, body = portico_http::ApiErrorBody, description = "phases_out_of_order, slug_taken, budget_invalid …")))]
async fn open_process(
    State(state): State<ParticipationState>,
    ApiActor(actor): ApiActor,
    Json(body): Json<NewProcess>,
) -> Result<Json<Created>, ApiError> {
    Ok(Json(Created {
        id: processes::open(&state.ctx, &actor, &body).await?,
    }))
}

/// A process by id or slug, with its phase, rules and topics. Public.
#[utoipa::path(get, path = "/api/v1/participation/processes/{id}", tag = "participation", security(()),
    params(("id" = String, Path)),
    responses((status = 200, body = Process), (status = 404, body = portico_http::ApiErrorBody)))]
async fn get_process(
    State(state): State<ParticipationState>,
    Path(id): Path<String>,
) -> Result<Json<Process>, ApiError> {
    Ok(Json(processes::get(&state.ctx, &id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct RulesChange {
    pub version: i64,
    pub rules: Rules,
}

/// Changes a process's rules; refused with `rules_locked` once the first ballot is cast.
#[utoipa::path(put, path = "/api/v1/participation/processes/{id}/rules", tag = "participation",
    security(("session" = []), ("client_credentials" = ["participation"])),
    params(("id" = String, Path)), request_body = RulesChange,
    responses((status = 200, body = Process), (status = 409, body = portico_http::ApiErrorBody, description = "rules_locked, stale_version")))]
async fn change_rules(
    State(state): State<ParticipationState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    Json(body): Json<RulesChange>,
) -> Result<Json<Process>, ApiError> {
    Ok(Json(
        processes::change_rules(&state.ctx, &actor, &id, body.version, &body.rules).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct ProposalQuery {
    #[serde(default)]
    pub status: Option<ProposalStatus>,
    #[serde(default)]
    pub limit: Option<i64>,
    /// The proposals numbered after this one: the page's `next_after`.
    #[serde(default)]
    pub after: Option<String>,
    /// The proposals numbered before this one: the page's `previous_before`.
    #[serde(default)]
    pub before: Option<String>,
    /// No longer taken (pages follow cursors); refused, so that an old client is not silently
    /// given the first page again and again.
    #[serde(default)]
    #[param(ignore)]
    pub offset: Option<String>,
}

/// A page of a process's proposals (at most 100), in the order they came, from a cursor
/// (`after` or `before` a proposal number; `cursor_invalid` otherwise). Public.
#[utoipa::path(get, path = "/api/v1/participation/processes/{id}/proposals", tag = "participation", security(()),
    params(("id" = String, Path), ProposalQuery),
    responses((status = 200, body = ProposalPage),
        (status = 422, body = portico_http::ApiErrorBody, description = "cursor_invalid")))]
async fn list_proposals(
    State(state): State<ParticipationState>,
    Path(id): Path<String>,
    Query(q): Query<ProposalQuery>,
) -> Result<Json<ProposalPage>, ApiError> {
    if q.offset.is_some() {
        return Err(ParticipationError::Invalid("cursor_invalid").into());
    }
    let cursor = proposals::Cursor::parse(q.after.as_deref(), q.before.as_deref())?;
    Ok(Json(
        proposals::list(&state.ctx, &id, q.status, cursor, q.limit.unwrap_or(20)).await?,
    ))
}

/// A signed-in person proposes a project during the proposals phase.
#[utoipa::path(post, path = "/api/v1/participation/processes/{id}/proposals", tag = "participation",
    security(("session" = [])), params(("id" = String, Path)), request_body = NewProposal,
    responses((status = 200, body = Created), (status = 409, body = portico_http::ApiErrorBody, description = "not_in_proposals"),
        (status = 422, body = portico_http::ApiErrorBody)))]
async fn submit_proposal(
    State(state): State<ParticipationState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    Json(body): Json<NewProposal>,
) -> Result<Json<Created>, ApiError> {
    Ok(Json(Created {
        id: proposals::submit(&state.ctx, &actor, &id, &body).await?,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct ProposalView {
    pub proposal: Proposal,
    /// Its photos and documents (each served at its `url`).
    pub attachments: Vec<crate::model::Attachment>,
    pub comments: Vec<Comment>,
    pub history: Vec<HistoryEntry>,
}

/// A proposal with its photos and documents, comments and history. Public.
#[utoipa::path(get, path = "/api/v1/participation/proposals/{id}", tag = "participation", security(()),
    params(("id" = String, Path)),
    responses((status = 200, body = ProposalView), (status = 404, body = portico_http::ApiErrorBody)))]
async fn get_proposal(
    State(state): State<ParticipationState>,
    Path(id): Path<String>,
) -> Result<Json<ProposalView>, ApiError> {
    let proposal = proposals::get(&state.ctx, &id).await?;
    Ok(Json(ProposalView {
        attachments: crate::service::attachments::list(&state.ctx, &proposal.id).await?,
        comments: proposals::comments(&state.ctx, &proposal.id).await?,
        history: proposals::history_of(&state.ctx, &proposal.id).await?,
        proposal,
    }))
}

/// A signed-in person supports a proposal (once).
#[utoipa::path(post, path = "/api/v1/participation/proposals/{id}/support", tag = "participation",
    security(("session" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Proposal), (status = 409, body = portico_http::ApiErrorBody, description = "support_closed")))]
async fn support(
    State(state): State<ParticipationState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Proposal>, ApiError> {
    Ok(Json(proposals::support(&state.ctx, &actor, &id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct CommentBody {
    pub body: String,
}

/// A signed-in person comments on a proposal.
#[utoipa::path(post, path = "/api/v1/participation/proposals/{id}/comments", tag = "participation",
    security(("session" = [])), params(("id" = String, Path)), request_body = CommentBody,
    responses((status = 200, body = Comment), (status = 422, body = portico_http::ApiErrorBody)))]
async fn comment(
    State(state): State<ParticipationState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    Json(body): Json<CommentBody>,
) -> Result<Json<Comment>, ApiError> {
    Ok(Json(
        proposals::comment(&state.ctx, &actor, &id, &body.body).await?,
    ))
}

/// The administration reviews a proposal (feasible, not feasible, merged) with a published reason.
#[utoipa::path(post, path = "/api/v1/participation/proposals/{id}/review", tag = "participation",
    security(("session" = []), ("client_credentials" = ["participation"])),
    params(("id" = String, Path)), request_body = Review,
    responses((status = 200, body = Proposal), (status = 403, body = portico_http::ApiErrorBody)))]
async fn review(
    State(state): State<ParticipationState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    Json(body): Json<Review>,
) -> Result<Json<Proposal>, ApiError> {
    Ok(Json(
        proposals::review(&state.ctx, &actor, &id, &body).await?,
    ))
}

/// A signed-in person (substantial assurance) asks to be verified to vote: residence and age
/// from the population register (with the process's legal basis), a phone no other voter used,
/// and the location where the process has a boundary. A code is sent to the phone by SMS.
#[utoipa::path(post, path = "/api/v1/participation/processes/{id}/verification", tag = "participation",
    security(("session" = [])), params(("id" = String, Path)), request_body = Verify,
    responses((status = 200, body = Verified),
        (status = 409, body = portico_http::ApiErrorBody, description = "not_resident, under_age, phone_used, outside_boundary, location_required, already_voted, not_in_voting, no_personal_id, register_unavailable, too_many_codes"),
        (status = 422, body = portico_http::ApiErrorBody, description = "phone_invalid")))]
async fn verify(
    State(state): State<ParticipationState>,
    ApiActor(actor): ApiActor,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<String>,
    Json(body): Json<Verify>,
) -> Result<Json<Verified>, ApiError> {
    let client = state.app.pseudonymiser.pseudonym(&addr.to_string());
    let verified = verification::start(&state.ctx, &actor, &id, &body, Some(&client)).await?;
    state.app.jobs_waker.notify_one();
    Ok(Json(verified))
}

/// A verified person casts their ballot with the code sent to their phone. The answer's
/// receipt is shown once: it finds the ballot and lets the voter change it.
#[utoipa::path(post, path = "/api/v1/participation/processes/{id}/ballots", tag = "participation",
    security(("session" = [])), params(("id" = String, Path)), request_body = Cast,
    responses((status = 200, body = Receipt),
        (status = 409, body = portico_http::ApiErrorBody, description = "not_verified, code_wrong, code_expired, already_voted, phone_used, not_in_voting"),
        (status = 422, body = portico_http::ApiErrorBody, description = "ballot_invalid, too_many_choices, over_budget")))]
async fn cast(
    State(state): State<ParticipationState>,
    ApiActor(actor): ApiActor,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<String>,
    Json(body): Json<Cast>,
) -> Result<Json<Receipt>, ApiError> {
    let network = network_key(&state, &id, addr);
    Ok(Json(
        ballots::cast(&state.ctx, &actor, &id, &body, Some(&network)).await?,
    ))
}

/// The keyed hash of a client's network inside a process, for the abuse signals.
pub(crate) fn network_key(
    state: &ParticipationState,
    process: &str,
    addr: std::net::IpAddr,
) -> String {
    state.app.pseudonymiser.pseudonym(&format!(
        "participation:{process}:network:{}",
        signals::network_of(addr)
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct BallotChange {
    pub receipt: String,
    pub choices: Vec<String>,
}

/// A voter changes their ballot, with their receipt, until voting closes (where allowed).
#[utoipa::path(put, path = "/api/v1/participation/processes/{id}/ballots", tag = "participation",
    security(("session" = [])), params(("id" = String, Path)), request_body = BallotChange,
    responses((status = 200, body = Ballot),
        (status = 409, body = portico_http::ApiErrorBody, description = "change_not_allowed, receipt_unknown, not_in_voting")))]
async fn change_ballot(
    State(state): State<ParticipationState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    Json(body): Json<BallotChange>,
) -> Result<Json<Ballot>, ApiError> {
    Ok(Json(
        ballots::change(&state.ctx, &actor, &id, &body.receipt, &body.choices).await?,
    ))
}

/// The ballot a receipt (or its published SHA-256 hash) finds. Names nobody.
#[utoipa::path(get, path = "/api/v1/participation/receipts/{receipt}", tag = "participation", security(()),
    params(("receipt" = String, Path)),
    responses((status = 200, body = Ballot), (status = 404, body = portico_http::ApiErrorBody)))]
async fn find_receipt(
    State(state): State<ParticipationState>,
    Path(receipt): Path<String>,
) -> Result<Json<Ballot>, ApiError> {
    Ok(Json(ballots::find(&state.ctx, &receipt).await?))
}

/// The tally: votes per project, the funded projects by the published rule, turnout by district
/// and age band. Public once voting has closed, or live where the process says so.
#[utoipa::path(get, path = "/api/v1/participation/processes/{id}/tally", tag = "participation", security(()),
    params(("id" = String, Path)),
    responses((status = 200, body = Tally), (status = 409, body = portico_http::ApiErrorBody, description = "tally_not_public")))]
async fn get_tally(
    State(state): State<ParticipationState>,
    Path(id): Path<String>,
) -> Result<Json<Tally>, ApiError> {
    Ok(Json(tally::count(&state.ctx, &id).await?))
}

/// The published set of counted ballots (receipt hashes and choices, ordered by hash) with the
/// feasible projects and the budget: what `scripts/recount.py` recounts.
#[utoipa::path(get, path = "/api/v1/participation/processes/{id}/ballots.json", tag = "participation", security(()),
    params(("id" = String, Path)),
    responses((status = 200, body = BallotSet), (status = 409, body = portico_http::ApiErrorBody, description = "tally_not_public")))]
async fn ballot_set(
    State(state): State<ParticipationState>,
    Path(id): Path<String>,
) -> Result<Json<BallotSet>, ApiError> {
    Ok(Json(tally::ballot_set(&state.ctx, &id).await?))
}

/// The published ballots as CSV (`receipt_hash,choices`, choices separated by spaces).
#[utoipa::path(get, path = "/api/v1/participation/processes/{id}/ballots.csv", tag = "participation", security(()),
    params(("id" = String, Path)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 409, body = portico_http::ApiErrorBody)))]
async fn ballot_set_csv(
    State(state): State<ParticipationState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let set = tally::ballot_set(&state.ctx, &id).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"ballots.csv\"",
            ),
        ],
        tally::ballots_csv(&set),
    )
        .into_response())
}

#[derive(Serialize, ToSchema)]
pub struct SignalList {
    pub items: Vec<Signal>,
}

/// Abuse signals for the process's administration: many ballots from one network in an hour,
/// bursts, many voters at one address. Counters only; nobody is blocked.
#[utoipa::path(get, path = "/api/v1/participation/processes/{id}/signals", tag = "participation",
    security(("session" = []), ("client_credentials" = ["participation"])),
    params(("id" = String, Path)),
    responses((status = 200, body = SignalList), (status = 404, body = portico_http::ApiErrorBody)))]
async fn get_signals(
    State(state): State<ParticipationState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<SignalList>, ApiError> {
    Ok(Json(SignalList {
        items: signals::report(&state.ctx, &actor, &id, &signals::Thresholds::default()).await?,
    }))
}
