//! A resource's page (`/data/{name}/resources/{id}`): what the file is, and, for a large CSV
//! loaded by a job, how far its load has got (queued; loading, N of M rows; loaded; failed and
//! why), so a person who uploaded a large file sees progress. The page does not refresh by
//! itself (a reload moves a screen reader to the top): it has a link that refreshes it, and a
//! link to have it refreshed every few seconds (the HTTP `Refresh` header, until the load ends),
//! with a link to stop that (WCAG 2.2.2). No JavaScript. A failed load's publisher may start it
//! again from the page (`POST …/load`, with the CSRF token; the rule is `loads::restart`).

use super::caller::Caller;
use super::publish::{page_errors, publisher_of, shown, Shown};
use super::OpenDataState;
use crate::service::loads::{self, LoadState};
use crate::service::{datasets, publisher, resources};
use crate::strings::TABLES;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::{HeaderName, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use portico_core::Lang;
use portico_http::{render, AppError, CsrfForm, PageContext, SignedIn};
use serde::Deserialize;

/// How often a watched page is refreshed, in seconds.
const REFRESH_SECONDS: u32 = 5;

#[derive(Template)]
#[template(path = "opendata_resource.html")]
struct ResourcePage {
    page: PageContext,
    title: String,
    back_href: String,
    name: String,
    format: String,
    size: String,
    download_href: String,
    api_href: String,
    fields_href: String,
    load: Option<LoadView>,
    /// The page's own address, and with `?watch=1`.
    self_href: String,
    watch_href: String,
    watching: bool,
    /// Where a failed load is started again, for its publisher (empty otherwise).
    restart_href: String,
    errors: Vec<Shown>,
}

struct LoadView {
    state: &'static str,
    label: &'static str,
    tag: &'static str,
    text: String,
    rows: i64,
    total: i64,
    running: bool,
}

#[derive(Debug, Deserialize)]
pub struct Watch {
    #[serde(default)]
    watch: Option<String>,
}

fn load_view(page: &PageContext, load: &loads::Load) -> LoadView {
    let mut args = fluent_bundle::FluentArgs::new();
    args.set("rows", load.rows);
    args.set("total", load.total_rows);
    let (key, tag) = match load.state {
        LoadState::Queued => ("od_load_queued", "waiting"),
        LoadState::Loading => ("od_load_loading", "progress"),
        LoadState::Done => ("od_load_done", "decided"),
        LoadState::Failed => ("od_load_failed", "red"),
    };
    let text = match (&load.state, load.problem.as_deref()) {
        // Stopped after its attempts, or failed after some rows were in: the reason, then how
        // far it got.
        (LoadState::Failed, Some(problem)) if problem == loads::STOPPED || load.rows > 0 => {
            format!(
                "{} {}",
                page.t(problem),
                page.strings.format("od_load_stopped_rows", &args)
            )
        }
        (_, Some(problem)) => format!("{} {}", page.strings.format(key, &args), page.t(problem)),
        (_, None) => page.strings.format(key, &args),
    };
    LoadView {
        state: load.state.as_str(),
        label: page.t(&format!("od_load_state_{}", load.state.as_str())),
        tag,
        text,
        rows: load.rows,
        total: load.total_rows,
        running: matches!(load.state, LoadState::Queued | LoadState::Loading),
    }
}

/// `GET /data/{name}/resources/{id}` (`?watch=1`: refreshed every few seconds while loading).
pub async fn resource_page(
    State(state): State<OpenDataState>,
    page: PageContext,
    caller: Caller,
    Path((name, id)): Path<(String, String)>,
    Query(watch): Query<Watch>,
) -> Result<Response, AppError> {
    let (view, watching) = view(
        &state,
        page,
        caller.session.as_ref(),
        (&name, &id),
        watch.watch.is_some(),
        Vec::new(),
    )
    .await?;
    let mut response = render(&view)?.into_response();
    if watching {
        response.headers_mut().insert(
            HeaderName::from_static("refresh"),
            HeaderValue::from(REFRESH_SECONDS),
        );
    }
    Ok(response)
}

/// `POST /data/{name}/resources/{id}/load`: the publisher starts a failed load again, then sees
/// the page; a load that has not failed is left as it is, and the page says so.
pub async fn restart(
    State(state): State<OpenDataState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path((name, id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = publisher_of(&user)?;
    let d = super::publish::editable(&state, &actor, &name).await?;
    let r = resources::get(&state.ctx.db, &id)
        .await?
        .filter(|r| r.dataset_id == d.id)
        .ok_or(AppError::NotFound)?;
    let problems = match loads::restart(&state.ctx, &actor, &r.id).await {
        Ok(_) => {
            return Ok(
                Redirect::to(&format!("/data/{}/resources/{}", d.name, r.id)).into_response(),
            )
        }
        Err(e) => page_errors(e)?,
    };
    let page = page.with_strings(TABLES);
    let errors = shown(&page, &problems);
    let (view, _) = view(&state, page, Some(&actor), (&name, &id), false, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)?).into_response())
}

/// The page of resource `id` of dataset `name` as `viewer` may see it; and whether it is
/// watched (refreshed while its load runs).
async fn view(
    state: &OpenDataState,
    page: PageContext,
    viewer: Option<&portico_core::Actor>,
    (name, id): (&str, &str),
    watch: bool,
    errors: Vec<Shown>,
) -> Result<(ResourcePage, bool), AppError> {
    let page = page.with_strings(TABLES);
    let d = datasets::visible(&state.ctx.db, viewer, name).await?;
    let r = resources::get(&state.ctx.db, id)
        .await?
        .filter(|r| r.dataset_id == d.id)
        .ok_or(AppError::NotFound)?;
    let load = loads::of_resource(&state.ctx.db, &r.id).await?;
    let may_edit = viewer.is_some_and(|a| publisher::may_publish(a, &d.administration_id));
    let failed = load.as_ref().is_some_and(|l| l.state == LoadState::Failed);
    let load = load.map(|l| load_view(&page, &l));
    let running = load.as_ref().is_some_and(|l| l.running);
    let watching = running && watch;
    let self_href = format!("/data/{}/resources/{}", d.name, r.id);
    let view = ResourcePage {
        title: match page.lang {
            Lang::En if !d.title_en.is_empty() => d.title_en.clone(),
            _ => d.title_bg.clone(),
        },
        back_href: format!("/data/{}", d.name),
        name: r.name.clone(),
        format: r.format.clone(),
        size: r.size.map(super::pages::size).unwrap_or_default(),
        download_href: match (&r.url, &r.file_name) {
            (Some(u), _) => u.clone(),
            (None, f) => format!(
                "/dataset/{}/resource/{}/download/{}",
                d.id,
                r.id,
                url::form_urlencoded::byte_serialize(f.as_deref().unwrap_or("file").as_bytes())
                    .collect::<String>()
            ),
        },
        api_href: if r.datastore_rows.is_some() {
            format!("/api/3/action/datastore_search?resource_id={}", r.id)
        } else {
            String::new()
        },
        fields_href: if may_edit && r.datastore_rows.is_some() {
            format!("{self_href}/fields")
        } else {
            String::new()
        },
        restart_href: if may_edit && failed {
            format!("{self_href}/load")
        } else {
            String::new()
        },
        load,
        watch_href: format!("{self_href}?watch=1"),
        self_href,
        watching,
        errors,
        page,
    };
    Ok((view, watching))
}
