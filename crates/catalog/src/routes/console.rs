//! `/admin`: the console of an administration admin (or a platform admin): the administrations
//! they manage, each with its published services and the admin pages for it.

use super::admin::administrable;
use crate::service;
use crate::strings::TABLES;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use portico_http::{render, AppError, AppState, PageContext, SignedIn};

struct ConsoleAdministration {
    id: String,
    name: String,
    /// (slug, title, published) of each service it offers or has withdrawn.
    services: Vec<(String, String, bool)>,
    /// The admin also answers for its registers: a link to the access requests waiting.
    register_owner: bool,
}

#[derive(Template)]
#[template(path = "console.html")]
struct ConsolePage {
    page: PageContext,
    administrations: Vec<ConsoleAdministration>,
    /// Platform admins also add administrations (`/admin/administrations`).
    is_platform_admin: bool,
}

pub async fn console(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    page: PageContext,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let managed = administrable(&state, &user).await?;
    let actor = user.actor();
    if managed.is_empty() {
        return Err(AppError::Forbidden);
    }
    let mut administrations = Vec::with_capacity(managed.len());
    for a in managed {
        let services = service::list_for_administration(&state.db, &a.id)
            .await?
            .into_iter()
            .map(|s| {
                let published = s.published_at.is_some();
                (s.slug, s.facts.title.get(page.lang).to_owned(), published)
            })
            .collect();
        administrations.push(ConsoleAdministration {
            register_owner: actor.has_role(&a.id, portico_core::Role::RegisterOwner),
            name: a.name(page.lang).to_owned(),
            id: a.id,
            services,
        });
    }
    Ok(render(&ConsolePage {
        page,
        administrations,
        is_platform_admin: user.is_platform_admin(),
    })?
    .into_response())
}
