//! The registries block's JSON API: the register of registers, the mediator, the access matrix.
//! Errors are the platform's `{"error": {"code", "message", "details"}}` with the registry's own
//! stable codes (`no_grant`, `grant_expired`, `legal_basis_required`, `unknown_operation`,
//! `invalid_subject`, `adapter_timeout` …).

use super::{Caller, RegistriesState};
use crate::error::RegistryError;
use crate::model::{Access, AccessDecision, AccessRequest, QueryAnswer, QueryContext, Register};
use crate::service::{access, catalogue, mediator};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use portico_core::clock::to_millis;
use portico_http::{AppState, Lang, Strings};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn api_router(state: RegistriesState) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_registers))
        .routes(routes!(query))
        .routes(routes!(request_access))
        .routes(routes!(decide_access))
        .with_state(state)
}

/// A registry error as the API answers it.
pub struct ApiError(pub RegistryError);

impl From<RegistryError> for ApiError {
    fn from(e: RegistryError) -> Self {
        ApiError(e)
    }
}

impl From<portico_http::AppError> for ApiError {
    fn from(e: portico_http::AppError) -> Self {
        ApiError(RegistryError::Internal(e.to_string()))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        if e.code() == "internal" {
            tracing::error!(error = %e, "registries: internal error");
            return portico_http::AppError::internal(e).into_response();
        }
        let strings = Strings::new(Lang::En, crate::strings::TABLES);
        let message = strings
            .find(&format!("registries_error_{}", e.code()))
            .unwrap_or("The request was refused.");
        let details = match &e {
            RegistryError::InvalidSubject(why) => serde_json::json!({ "reason": why }),
            RegistryError::InvalidRequest(why) | RegistryError::AdapterBadResponse(why) => {
                serde_json::json!({ "reason": why })
            }
            _ => serde_json::json!({}),
        };
        let body = serde_json::json!({
            "error": { "code": e.code(), "message": message, "details": details }
        });
        (e.status(), Json(body)).into_response()
    }
}

#[derive(Serialize, ToSchema)]
pub struct RegisterList {
    pub items: Vec<Register>,
}

/// The register of registers: every register, its owner and legal basis, its operations with
/// their versions and schemas, and who may query what. Public.
#[utoipa::path(get, path = "/api/v1/registries", tag = "registries", security(()),
    responses((status = 200, body = RegisterList)))]
async fn list_registers(
    State(state): State<RegistriesState>,
) -> Result<Json<RegisterList>, ApiError> {
    let now = to_millis(state.ctx.clock.now());
    Ok(Json(RegisterList {
        items: catalogue::list(&state.ctx.db, now).await?,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct QueryBody {
    #[serde(default)]
    pub version: Option<String>,
    pub context: QueryContext,
    #[serde(default = "empty")]
    #[schema(value_type = Object)]
    pub parameters: serde_json::Value,
    #[serde(default)]
    pub signed: bool,
}

fn empty() -> serde_json::Value {
    serde_json::json!({})
}

/// Queries a register's operation through the mediator, with its context. Answers only the
/// fields the caller's administration was granted; every attempt is in the query log.
#[utoipa::path(post, path = "/api/v1/registries/{register}/{operation}", tag = "registries",
    security(("session" = []), ("client_credentials" = ["registries"])),
    params(("register" = String, Path), ("operation" = String, Path)),
    request_body = QueryBody,
    responses((status = 200, body = QueryAnswer),
        (status = 403, body = portico_http::ApiErrorBody, description = "no_grant, grant_expired, not_a_registry_client"),
        (status = 404, body = portico_http::ApiErrorBody, description = "unknown_operation, no_record"),
        (status = 422, body = portico_http::ApiErrorBody, description = "legal_basis_required, invalid_subject, invalid_request"),
        (status = 502, body = portico_http::ApiErrorBody, description = "adapter_bad_response, adapter_failed"),
        (status = 504, body = portico_http::ApiErrorBody, description = "adapter_timeout")))]
async fn query(
    State(state): State<RegistriesState>,
    Caller(actor): Caller,
    Path((register, operation)): Path<(String, String)>,
    Json(body): Json<QueryBody>,
) -> Result<Json<QueryAnswer>, ApiError> {
    let request = crate::model::QueryRequest {
        register,
        operation,
        version: body.version,
        context: body.context,
        parameters: body.parameters,
        signed: body.signed,
    };
    Ok(Json(mediator::query(&state.ctx, &actor, &request).await?))
}

/// An administration asks for access to an operation, for a legal basis and purpose.
#[utoipa::path(post, path = "/api/v1/registries/access-requests", tag = "registries", security(("session" = []), ("client_credentials" = ["registries"])),
    request_body = AccessRequest,
    responses((status = 200, body = Access), (status = 422, body = portico_http::ApiErrorBody)))]
async fn request_access(
    State(state): State<RegistriesState>,
    Caller(actor): Caller,
    Json(body): Json<AccessRequest>,
) -> Result<Json<Access>, ApiError> {
    Ok(Json(access::request(&state.ctx, &actor, &body).await?))
}

/// The register's owner approves (fields and a period) or refuses an access request.
#[utoipa::path(post, path = "/api/v1/registries/access-requests/{id}/decision", tag = "registries", security(("session" = []), ("client_credentials" = ["registries"])),
    params(("id" = String, Path)),
    request_body = AccessDecision,
    responses((status = 200, body = Access), (status = 404, body = portico_http::ApiErrorBody)))]
async fn decide_access(
    State(state): State<RegistriesState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    Json(body): Json<AccessDecision>,
) -> Result<Json<Access>, ApiError> {
    Ok(Json(access::decide(&state.ctx, &actor, &id, &body).await?))
}
