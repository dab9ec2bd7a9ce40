//! The public check of result documents, for anyone who is shown one (a bank, a landlord, the
//! person themselves): `/documents` takes a verification code or the file; `/documents/{code}`
//! (the link printed on every PDF) says what was issued under that code and compares a file
//! with it. No sign-in: what is shown names the administration, the service, the case number,
//! the decision and the date, never the person.

use super::CasesState;
use crate::service::results::{self, IssuedFacts, Verdict};
use askama::Template;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portico_http::csrf::{token_matches, CsrfCookie, CSRF_FIELD};
use portico_http::{render, AppError, FieldError, PageContext};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "documents.html")]
struct DocumentsPage {
    page: PageContext,
    /// The document issued under the code in the path, if any.
    issued: Option<IssuedFacts>,
    /// The code asked for, as typed, when nothing was issued under it.
    unknown_code: Option<String>,
    /// What checking a file found, after a post.
    verdict: Option<Verdict>,
    /// The code a posted file is compared with (hidden field).
    code: String,
    /// What was wrong with the post (no file chosen).
    errors: Vec<FieldError>,
}

impl DocumentsPage {
    fn new(page: PageContext) -> DocumentsPage {
        DocumentsPage {
            page,
            issued: None,
            unknown_code: None,
            verdict: None,
            code: String::new(),
            errors: Vec::new(),
        }
    }

    /// The facts to list: those of the checked file when it was genuine or is not the code's
    /// document (then they are the code's), else those of the code in the path.
    fn shown(&self) -> Option<&IssuedFacts> {
        match &self.verdict {
            Some(Verdict::Genuine(f)) | Some(Verdict::NotTheDocumentOfCode(f)) => Some(f),
            Some(Verdict::NotIssued) => None,
            None => self.issued.as_ref(),
        }
    }

    fn date(&self, facts: &IssuedFacts) -> String {
        portico_core::calendar::sofia_local(facts.issued_at)
            .format("%d.%m.%Y %H:%M")
            .to_string()
    }
}

#[derive(Deserialize)]
pub struct CodeQuery {
    #[serde(default)]
    code: Option<String>,
}

/// `/documents`: the form (a code, or the file). A code typed here goes to its own page.
pub async fn index(page: PageContext, Query(q): Query<CodeQuery>) -> Result<Response, AppError> {
    if let Some(typed) = q.code.as_deref().filter(|c| !c.trim().is_empty()) {
        return Ok(match results::normalise_code(typed) {
            Some(code) => Redirect::to(&format!("/documents/{code}")).into_response(),
            None => not_found(page, typed)?,
        });
    }
    Ok(render(&DocumentsPage::new(page))?.into_response())
}

fn not_found(page: PageContext, typed: &str) -> Result<Response, AppError> {
    let mut view = DocumentsPage::new(page);
    view.unknown_code = Some(typed.chars().take(40).collect());
    Ok((StatusCode::NOT_FOUND, render(&view)?).into_response())
}

/// `/documents/{code}`: what was issued under the code, and a form to compare a file with it.
pub async fn show(
    State(state): State<CasesState>,
    page: PageContext,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    match results::by_code(&state.cases, &code, page.lang).await? {
        Some(issued) => {
            let mut view = DocumentsPage::new(page);
            view.code = issued.verification_code.clone().unwrap_or_default();
            view.issued = Some(issued);
            Ok(render(&view)?.into_response())
        }
        None => not_found(page, &code),
    }
}

/// `POST /documents/check` (multipart: `document`, and `code` when comparing with one): the
/// verdict on the file. Changes nothing; the CSRF token is checked all the same, as on every
/// form.
pub async fn check(
    State(state): State<CasesState>,
    page: PageContext,
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
    let (mut token, mut code, mut file) = (String::new(), String::new(), None);
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("malformed_form"))?
    {
        match field.name().unwrap_or("") {
            CSRF_FIELD => token = field.text().await.unwrap_or_default(),
            "code" => code = field.text().await.unwrap_or_default(),
            "document" => {
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|_| AppError::BadRequest("upload_failed"))?;
                if !bytes.is_empty() {
                    file = Some(bytes);
                }
            }
            _ => {}
        }
    }
    if cookie.is_empty() || !token_matches(&state.app.config.csrf_key, &cookie, &token) {
        return Err(AppError::Csrf);
    }
    let code = code.trim().to_owned();
    let issued = if code.is_empty() {
        None
    } else {
        results::by_code(&state.cases, &code, page.lang).await?
    };
    let lang = page.lang;
    let mut view = DocumentsPage::new(page);
    view.code = issued
        .as_ref()
        .and_then(|i| i.verification_code.clone())
        .unwrap_or_default();
    view.issued = issued;
    let Some(file) = file else {
        view.errors = vec![FieldError::new("document", "documents_file_missing")];
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)?).into_response());
    };
    let code = (!view.code.is_empty()).then_some(view.code.as_str());
    view.verdict = Some(results::check(&state.cases, code, &file, lang).await?);
    Ok(render(&view)?.into_response())
}
