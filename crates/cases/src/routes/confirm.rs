//! "Are you sure?" before what cannot be undone: approving or refusing a case, withdrawing an
//! application, refusing a consent. The first post of such an action draws this page (nothing
//! changes); its button posts the same fields again with `confirmed=yes`. Works without
//! JavaScript, and the rules stay in the service: this is only a second look.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portico_http::{render, AppError, FieldError, PageContext, StepUpOffer};

/// What the confirmation page says and posts.
pub struct Confirm {
    pub caption: String,
    pub title: String,
    /// What will happen, and that it cannot be undone.
    pub body: String,
    pub action: String,
    /// The action's own fields, posted again as they were.
    pub fields: Vec<(String, String)>,
    pub button: String,
    pub warning: bool,
    /// Where "cancel" and the back link go.
    pub cancel: String,
    /// For an action confirmed with the second factor: the code field, on this page.
    pub step_up: Option<StepUpOffer>,
}

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmPage {
    page: PageContext,
    confirm: Confirm,
    errors: Vec<FieldError>,
}

/// True when the person already said yes on the confirmation page.
pub fn confirmed(value: &Option<String>) -> bool {
    value.as_deref() == Some("yes")
}

/// The confirmation page; drawn again with the code's error (422) when the code was refused.
pub fn page(page: PageContext, confirm: Confirm) -> Result<Response, AppError> {
    let refused = confirm.step_up.as_ref().is_some_and(|o| o.error.is_some());
    let errors = if refused {
        vec![FieldError::new("code", "code.wrong")]
    } else {
        vec![]
    };
    let status = if refused {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        render(&ConfirmPage {
            page,
            confirm,
            errors,
        })?,
    )
        .into_response())
}
