//! `/start`: where a person's work is, for the moment after sign-in when they did not ask for a
//! particular page. It lives in the binary because it asks two blocks: identity (who, with
//! which roles) and cases (is anything waiting for them).
//!
//! - operators go to their work queue (`/office`), administration and platform admins to the
//!   console (`/admin`);
//! - a citizen asked for their consent goes to `/consents`;
//! - a citizen with applications goes to `/applications`, anyone else to the home page.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use portico_http::{AppError, AppState, SignedIn};

pub fn router() -> Router<AppState> {
    Router::new().route("/start", get(start))
}

async fn start(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
) -> Result<Response, AppError> {
    Ok(Redirect::to(landing(&state, &user).await?).into_response())
}

/// The path of the page with this person's work.
pub async fn landing(
    state: &AppState,
    user: &portico_http::SessionUser,
) -> Result<&'static str, AppError> {
    if let Some(staff) = user.staff_landing() {
        return Ok(staff);
    }
    let account = portico_identity::service::accounts::get(&state.db, &user.account_id).await?;
    if let Some(personal_id) = account.and_then(|a| a.personal_id) {
        let pending =
            portico_cases::service::consents::pending_for(&state.db, &personal_id).await?;
        if !pending.is_empty() {
            return Ok("/consents");
        }
    }
    let applications =
        portico_cases::service::applications::list_for_applicant(&state.db, &user.account_id)
            .await?;
    Ok(if applications.is_empty() {
        "/"
    } else {
        "/applications"
    })
}
