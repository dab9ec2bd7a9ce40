//! The identity block's JSON API, documented in the OpenAPI document from these handlers.

use crate::model::{Administration, Unit};
use crate::service::administrations;
use crate::IdentityError;
use axum::extract::{Path, Query, State};
use axum::Json;
use portico_core::Page;
use portico_http::{AppError, AppState, SignedIn};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_administrations))
        .routes(routes!(get_administration))
        .routes(routes!(me))
        .routes(routes!(my_activity))
}

#[derive(Serialize, ToSchema)]
pub struct AdministrationList {
    pub items: Vec<Administration>,
}

/// Every administration on the platform (public information).
#[utoipa::path(get, path = "/api/v1/administrations", tag = "identity", security(()),
    responses((status = 200, body = AdministrationList)))]
async fn list_administrations(
    State(state): State<AppState>,
) -> Result<Json<AdministrationList>, AppError> {
    Ok(Json(AdministrationList {
        items: administrations::list(&state.db).await?,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct AdministrationDetail {
    #[serde(flatten)]
    pub administration: Administration,
    pub units: Vec<Unit>,
    pub children: Vec<Administration>,
}

/// One administration with its units and the administrations under it.
#[utoipa::path(get, path = "/api/v1/administrations/{id}", tag = "identity", security(()),
    params(("id" = String, Path, description = "Administration id")),
    responses((status = 200, body = AdministrationDetail),
              (status = 404, body = portico_http::ApiErrorBody, description = "No such administration")))]
async fn get_administration(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<AdministrationDetail>, AppError> {
    if !portico_core::ids::is_valid_id(&id) {
        return Err(IdentityError::UnknownAdministration.into());
    }
    let administration = administrations::get(&state.db, &id)
        .await?
        .ok_or(IdentityError::UnknownAdministration)?;
    let units = administrations::list_units(&state.db, &id).await?;
    let children = administrations::list_children(&state.db, &id).await?;
    Ok(Json(AdministrationDetail {
        administration,
        units,
        children,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: String,
    pub name: String,
    pub kind: String,
    #[schema(value_type = Vec<Object>)]
    pub roles: Vec<portico_http::RoleGrant>,
}

/// The signed-in account.
#[utoipa::path(get, path = "/api/v1/me", tag = "identity", security(("session" = [])),
    responses((status = 200, body = Me), (status = 401, body = portico_http::ApiErrorBody)))]
async fn me(SignedIn(user): SignedIn) -> Json<Me> {
    Json(Me {
        id: user.account_id,
        name: user.display_name,
        kind: match user.kind {
            portico_http::AccountKind::Citizen => "citizen".into(),
            portico_http::AccountKind::Staff => "staff".into(),
        },
        roles: user.roles,
    })
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PageParams {
    /// At most 100.
    limit: Option<i64>,
    offset: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ActivityList {
    pub items: Vec<ActivityItem>,
}

/// One entry of a person's own activity: what happened and who did it in words the person can
/// use ("you", "staff", "system", "anonymous"), never another account's id, an administration's
/// internal ids or the entry's internal details.
#[derive(Serialize, ToSchema)]
pub struct ActivityItem {
    pub seq: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub action: String,
    /// The person's own account id.
    pub subject: String,
    /// `you`, `staff` (someone working for an administration), `system` or `anonymous`.
    pub by: &'static str,
}

impl ActivityItem {
    fn of(entry: portico_audit::AuditEntry, account_id: &str) -> ActivityItem {
        let by = match entry.actor.as_str() {
            a if a == account_id => "you",
            "anonymous" => "anonymous",
            "system" => "system",
            _ => "staff",
        };
        ActivityItem {
            seq: entry.seq,
            at: entry.at,
            action: entry.action,
            subject: entry.subject,
            by,
        }
    }
}

/// What happened to the signed-in person's account, newest first, from the audit log.
#[utoipa::path(get, path = "/api/v1/me/activity", tag = "identity", security(("session" = [])), params(PageParams),
    responses((status = 200, body = ActivityList), (status = 401, body = portico_http::ApiErrorBody)))]
async fn my_activity(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Query(p): Query<PageParams>,
) -> Result<Json<ActivityList>, AppError> {
    let page = Page {
        limit: p.limit.unwrap_or(20),
        offset: p.offset.unwrap_or(0),
    };
    let items = portico_audit::list_for_subject(&state.db, &user.account_id, page)
        .await
        .map_err(IdentityError::from)?
        .into_iter()
        .map(|e| ActivityItem::of(e, &user.account_id))
        .collect();
    Ok(Json(ActivityList { items }))
}
