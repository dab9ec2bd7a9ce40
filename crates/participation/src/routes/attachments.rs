//! A proposal's photos and documents on the pages: the author's upload (a multipart form that
//! needs no script, with its CSRF token), the author's removal, anybody's download; and the
//! author's withdrawal of the proposal. The rules are in `service::attachments` and
//! `service::proposals`.

use super::pages::{proposal_page, refusal};
use super::ParticipationState;
use crate::service::attachments::{self, Upload, MAX_BYTES};
use crate::service::{processes, proposals};
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use portico_http::csrf::{token_matches, CsrfCookie, CSRF_FIELD};
use portico_http::{AppError, CsrfForm, PageContext, SignedIn};

/// A size as the pages show it: `820 B`, `12.4 KB`, `1.2 MB`.
pub fn size(bytes: i64) -> String {
    let b = bytes as f64;
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", b / (1024.0 * 1024.0))
    } else if bytes >= 1024 {
        format!("{:.1} KB", b / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

/// `POST /participation/proposals/{id}/attachments` (multipart: `file`, `alt`, `_csrf`): the
/// author attaches a photo or a PDF. A refusal draws the proposal's page again with its reason.
pub async fn upload(
    State(state): State<ParticipationState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, AppError> {
    let cookie = req
        .extensions()
        .get::<CsrfCookie>()
        .map(|c| c.0.clone())
        .unwrap_or_default();
    let mut multipart = Multipart::from_request(req, &state)
        .await
        .map_err(|_| AppError::BadRequest("malformed_form"))?;
    let (mut token, mut alt, mut file_name) = (String::new(), String::new(), String::new());
    let mut bytes: Vec<u8> = Vec::new();
    let mut too_large = false;
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("malformed_form"))?
    {
        match field.name().unwrap_or("") {
            CSRF_FIELD => token = field.text().await.unwrap_or_default(),
            "alt" => alt = field.text().await.unwrap_or_default(),
            "file" => {
                file_name = field.file_name().unwrap_or("").to_owned();
                // Read in pieces; past the limit the rest is read and dropped (the request's
                // own limit bounds it), so a file too large is never held whole.
                while let Some(chunk) = field
                    .chunk()
                    .await
                    .map_err(|_| AppError::BadRequest("upload_failed"))?
                {
                    if too_large || bytes.len() + chunk.len() > MAX_BYTES {
                        too_large = true;
                        bytes.clear();
                        continue;
                    }
                    bytes.extend_from_slice(&chunk);
                }
            }
            _ => {}
        }
    }
    if cookie.is_empty() || !token_matches(&state.app.config.csrf_key, &cookie, &token) {
        return Err(AppError::Csrf);
    }
    let result = if too_large {
        Err(crate::ParticipationError::Invalid("attachment_too_large"))
    } else {
        let upload = Upload {
            file_name,
            bytes: bytes.into(),
            alt: alt.clone(),
        };
        attachments::attach(&state.ctx, &user.actor(), &id, &upload).await
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!(
            "/participation/proposals/{id}?done=attached#attachments"
        ))
        .into_response()),
        Err(e) => {
            let errors = refusal(e, "file")?;
            proposal_page(&state, page, &id, errors, String::new(), alt, "").await
        }
    }
}

/// `GET /participation/attachments/{id}`: the file, as the type its content was found to be.
/// Images are shown in the page; a PDF is downloaded.
pub async fn download(
    State(state): State<ParticipationState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (a, bytes) = attachments::file(&state.ctx, &id).await?;
    let disposition = format!(
        "{}; filename=\"{}\"",
        if a.is_image() { "inline" } else { "attachment" },
        a.download_name()
    );
    Ok((
        [
            (header::CONTENT_TYPE, a.content_type.clone()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (header::CONTENT_SECURITY_POLICY, "sandbox".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

/// `POST /participation/attachments/{id}/remove`: the author removes one.
pub async fn remove(
    State(state): State<ParticipationState>,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let a = attachments::remove(&state.ctx, &user.actor(), &id).await?;
    Ok(Redirect::to(&format!(
        "/participation/proposals/{}?done=attachment_removed#attachments",
        a.proposal_id
    ))
    .into_response())
}

/// `POST /participation/proposals/{id}/withdraw`: the author withdraws the proposal, with its
/// attachments; back to the process's proposals.
pub async fn withdraw(
    State(state): State<ParticipationState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let proposal = proposals::get(&state.ctx, &id).await?;
    match proposals::withdraw(&state.ctx, &user.actor(), &id).await {
        Ok(_) => {
            let process = processes::get(&state.ctx, &proposal.process_id).await?;
            Ok(Redirect::to(&format!("/participation/{}/proposals", process.slug)).into_response())
        }
        Err(e) => {
            let errors = refusal(e, "withdraw")?;
            proposal_page(&state, page, &id, errors, String::new(), String::new(), "").await
        }
    }
}
