//! `/admin/services/{slug}/applications`: for the service console (the catalog's
//! `/admin/services/{slug}`), the applications of a service still in progress and the version of
//! the form each one was started with, beside the form's newest version. An application keeps its
//! version to the end, so a newer form never breaks one in progress. Only the service's
//! administration admins (and platform admins) see it; anyone else gets 404.

use super::views::{local_time, state_label};
use super::CasesState;
use crate::service::applications;
use crate::strings::TABLES;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use portico_catalog::forms;
use portico_http::{render, AppError, PageContext, SignedIn};
use std::collections::BTreeMap;

pub struct Row {
    pub number: String,
    pub state: String,
    pub started: String,
    pub version: i64,
    /// Started on an older version than the newest.
    pub older: bool,
}

#[derive(Template)]
#[template(path = "service_applications.html")]
struct ServiceApplicationsPage {
    page: PageContext,
    slug: String,
    title: String,
    /// The form's newest version (0: the service has no form).
    current_version: i64,
    rows: Vec<Row>,
}

pub async fn list(
    State(state): State<CasesState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let db = &state.app.db;
    let service = portico_catalog::service::by_slug(db, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    if !portico_catalog::service::local::may_manage(&user.actor(), &service.administration_id) {
        return Err(AppError::NotFound);
    }
    let current_version = match &service.form_key {
        Some(key) => forms::current(db, key).await?.map_or(0, |f| f.version),
        None => 0,
    };
    let mut versions: BTreeMap<String, i64> = BTreeMap::new();
    let mut rows = Vec::new();
    for app in applications::in_progress_for_service(db, &service.id).await? {
        let version = match versions.get(&app.form_version_id) {
            Some(v) => *v,
            None => {
                let v = forms::get_version(db, &app.form_version_id)
                    .await?
                    .map_or(0, |f| f.version);
                versions.insert(app.form_version_id.clone(), v);
                v
            }
        };
        rows.push(Row {
            number: app
                .tracking_number
                .clone()
                .unwrap_or_else(|| page.t("service_applications_draft").to_owned()),
            state: state_label(&app, page.lang)?,
            started: local_time(&app.created_at),
            version,
            older: version < current_version,
        });
    }
    Ok(render(&ServiceApplicationsPage {
        title: service.title(page.lang).to_owned(),
        slug: service.slug,
        current_version,
        rows,
        page,
    })?
    .into_response())
}
