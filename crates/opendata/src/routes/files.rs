//! The file of an uploaded resource, at the address CKAN gives it
//! (`/dataset/{dataset}/resource/{resource}/download/{file}`), for whoever may see its dataset.

use super::{Caller, OpenDataState};
use crate::service::resources;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use portico_http::AppError;

pub async fn download(
    State(state): State<OpenDataState>,
    caller: Caller,
    Path((dataset, resource, _file)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    let r = resources::visible(&state.ctx.db, caller.reader(), &resource).await?;
    if r.dataset_id != dataset {
        return Err(AppError::NotFound);
    }
    let bytes = resources::file(&state.ctx, &r).await?;
    let mimetype = r
        .mimetype
        .clone()
        .unwrap_or_else(|| "application/octet-stream".into());
    let disposition = format!(
        "attachment; filename=\"{}\"",
        r.file_name
            .as_deref()
            .unwrap_or("resource")
            .replace(['"', '\\', '\r', '\n'], "_")
    );
    Ok((
        [
            (header::CONTENT_TYPE, mimetype),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}
