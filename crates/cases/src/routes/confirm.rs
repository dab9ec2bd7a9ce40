//! "Are you sure?" before what cannot be undone: approving or refusing a case, withdrawing an
//! application, refusing a consent. The first post of such an action draws this page (nothing
//! changes); its button posts the same fields again with `confirmed=yes`. Works without
//! JavaScript, and the rules stay in the service: this is only a second look.

use askama::Template;
use axum::response::{IntoResponse, Response};
use portico_http::{render, AppError, PageContext};

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
}

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmPage {
    page: PageContext,
    confirm: Confirm,
}

/// True when the person already said yes on the confirmation page.
pub fn confirmed(value: &Option<String>) -> bool {
    value.as_deref() == Some("yes")
}

pub fn page(page: PageContext, confirm: Confirm) -> Result<Response, AppError> {
    Ok(render(&ConfirmPage { page, confirm })?.into_response())
}
