//! The catalog block's pages and API: the home page with its search box, search results, the
//! service page, adopting a template, form previews, and `/api/v1/services`.

mod admin;
mod api;
mod console;
mod console_api;
mod forms;
mod home;
mod service_console;
mod service_form;
mod services;
mod synonyms;

use crate::model::Service;
use crate::search::SearchIndex;
use axum::routing::get;
use axum::{Extension, Router};
use portico_http::{AppError, AppState, SessionUser};

/// The JSON API: the public catalog and the service console.
pub fn api_router(index: SearchIndex) -> utoipa_axum::router::OpenApiRouter<AppState> {
    api::api_router(index.clone()).merge(console_api::console_api_router().layer(Extension(index)))
}

/// The pages. `/services/{slug}/apply` belongs to the cases block; the service page links to it.
pub fn router(index: SearchIndex) -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/services", get(services::results))
        .route("/services/{slug}", get(services::show))
        .route(
            "/forms/{form_key}/preview",
            get(forms::preview).post(forms::check),
        )
        .route("/admin", get(console::console))
        .route("/admin/catalog/adopt", get(admin::form).post(admin::submit))
        .route(
            "/admin/services/{slug}",
            get(service_console::show).post(service_console::save),
        )
        .route(
            "/admin/services/{slug}/form",
            get(service_form::show).post(service_form::submit),
        )
        .route(
            "/admin/services/{slug}/form/fields",
            axum::routing::post(service_form::fields),
        )
        .route(
            "/admin/services/{slug}/process",
            axum::routing::post(service_console::process),
        )
        .route(
            "/admin/services/{slug}/publication",
            axum::routing::post(service_console::publication),
        )
        .route(
            "/admin/search/synonyms",
            get(synonyms::list).post(synonyms::add),
        )
        .route(
            "/admin/search/synonyms/{id}/remove",
            axum::routing::post(synonyms::remove),
        )
        .layer(Extension(index))
}

/// The service, if this person may run its console; 404 for everyone else (as for a service
/// that does not exist), so nobody learns of another administration's unpublished services.
pub(crate) async fn managed(
    state: &AppState,
    user: &SessionUser,
    slug: &str,
) -> Result<Service, AppError> {
    if !crate::service::is_valid_slug(slug) {
        return Err(AppError::NotFound);
    }
    let found = crate::service::by_slug(&state.db, slug)
        .await?
        .ok_or(AppError::NotFound)?;
    if !crate::service::local::may_manage(&user.actor(), &found.administration_id) {
        return Err(AppError::NotFound);
    }
    Ok(found)
}

/// Names of administration kinds, for lists of administrations.
pub(crate) fn kind_name(
    kind: portico_core::AdministrationKind,
    lang: portico_http::Lang,
) -> &'static str {
    use portico_core::AdministrationKind::*;
    let (bg, en) = match kind {
        Ministry => ("министерство", "ministry"),
        Agency => ("агенция", "agency"),
        Municipality => ("община", "municipality"),
        District => ("район", "district"),
        Other => ("друга", "other"),
    };
    match lang {
        portico_http::Lang::Bg => bg,
        portico_http::Lang::En => en,
    }
}
