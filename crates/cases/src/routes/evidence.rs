//! Signed evidence for download, as compact JWS files: the submission record and the result
//! statement. The applicant, and staff who may work the case, may download them.

use super::CasesState;
use crate::model::Application;
use crate::service::{access, evidence};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use portico_core::Id;
use portico_http::{AppError, SessionUser, SignedIn, ValidPath};

async fn visible(
    state: &CasesState,
    user: &SessionUser,
    id: &str,
) -> Result<Application, AppError> {
    Ok(access::visible(&state.app.db, &user.actor(), id).await?)
}

fn jws_file(name: &str, app: &Application, jws: String) -> Response {
    let number = app.tracking_number.as_deref().unwrap_or("draft");
    (
        [
            (header::CONTENT_TYPE, "application/jose".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}-{number}.jws\""),
            ),
        ],
        jws,
    )
        .into_response()
}

pub async fn submission(
    State(state): State<CasesState>,
    SignedIn(user): SignedIn,
    ValidPath(id): ValidPath<Id>,
) -> Result<Response, AppError> {
    let app = visible(&state, &user, &id).await?;
    let jws = evidence::submission_jws(&app)
        .ok_or(AppError::NotFound)?
        .to_owned();
    Ok(jws_file("submission", &app, jws))
}

pub async fn result(
    State(state): State<CasesState>,
    SignedIn(user): SignedIn,
    ValidPath(id): ValidPath<Id>,
) -> Result<Response, AppError> {
    let app = visible(&state, &user, &id).await?;
    let jws = evidence::result_jws(&state.app.db, &app.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(jws_file("result", &app, jws))
}
