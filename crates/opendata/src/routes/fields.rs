//! The publisher's page of a datastore resource's columns (`/data/{name}/resources/{id}/fields`):
//! the columns with their detected types, and a form that corrects one column's type (a column
//! detected as text made a whole number, a decimal number or a date). The rule is the service's
//! (`resources::retype_field`): when a value does not fit, nothing changes and the page lists
//! the rows that do not, in an error summary.

use super::publish::{editable, page_errors, publisher_of, shown, Choice, Shown};
use super::OpenDataState;
use crate::error::Problem;
use crate::model::Dataset;
use crate::service::datastore::{self, FieldType};
use crate::service::resources;
use crate::strings::TABLES;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portico_core::Lang;
use portico_http::{render, AppError, CsrfForm, PageContext, SignedIn};

/// The types a publisher may choose, in the order the form offers them.
const TYPES: [FieldType; 4] = [
    FieldType::Text,
    FieldType::Int,
    FieldType::Float,
    FieldType::Date,
];

pub struct FieldRow {
    pub name: String,
    pub kind: String,
}

#[derive(Template)]
#[template(path = "opendata_fields.html")]
struct FieldsPage {
    page: PageContext,
    title: String,
    back_href: String,
    action: String,
    resource: String,
    errors: Vec<Shown>,
    rows: Vec<FieldRow>,
    fields: Vec<Choice>,
    types: Vec<Choice>,
    saved: bool,
}

async fn view(
    state: &OpenDataState,
    page: PageContext,
    d: &Dataset,
    resource: &crate::model::Resource,
    chosen: (&str, &str),
    errors: Vec<Shown>,
    saved: bool,
) -> Result<FieldsPage, AppError> {
    let list = datastore::fields(&state.ctx.db, &resource.id).await?;
    let type_name = |t: FieldType| page.t(&format!("od_type_{}", t.as_str())).to_owned();
    let rows = list
        .iter()
        .map(|f| FieldRow {
            name: f.id.clone(),
            kind: type_name(f.kind),
        })
        .collect();
    let fields = list
        .iter()
        .map(|f| Choice {
            value: f.id.clone(),
            label: f.id.clone(),
            checked: f.id == chosen.0,
        })
        .collect();
    let types = TYPES
        .iter()
        .map(|t| Choice {
            value: t.as_str().to_owned(),
            label: type_name(*t),
            checked: t.as_str() == chosen.1,
        })
        .collect();
    let title = match page.lang {
        Lang::En if !d.title_en.is_empty() => d.title_en.clone(),
        _ => d.title_bg.clone(),
    };
    Ok(FieldsPage {
        title,
        back_href: format!("/data/{}", d.name),
        action: format!("/data/{}/resources/{}/fields", d.name, resource.id),
        resource: resource.name.clone(),
        errors,
        rows,
        fields,
        types,
        saved,
        page,
    })
}

/// The dataset (which this person publishes) and its resource in the datastore, or "Not found".
async fn target(
    state: &OpenDataState,
    actor: &portico_core::Actor,
    name: &str,
    id: &str,
) -> Result<(Dataset, crate::model::Resource), AppError> {
    let d = editable(state, actor, name).await?;
    let r = resources::get(&state.ctx.db, id)
        .await?
        .filter(|r| r.dataset_id == d.id && r.datastore_rows.is_some())
        .ok_or(AppError::NotFound)?;
    Ok((d, r))
}

/// `GET /data/{name}/resources/{id}/fields`.
async fn fields_form(
    State(state): State<OpenDataState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path((name, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let actor = publisher_of(&user)?;
    let (d, r) = target(&state, &actor, &name, &id).await?;
    let page = page.with_strings(TABLES);
    let view = view(&state, page, &d, &r, ("", ""), Vec::new(), false).await?;
    Ok(render(&view)?.into_response())
}

/// `POST /data/{name}/resources/{id}/fields` (`field`, `type`): corrects the column's type, or
/// shows the page again with the rows whose values do not fit.
pub async fn retype(
    State(state): State<OpenDataState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path((name, id)): Path<(String, String)>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = publisher_of(&user)?;
    let (d, r) = target(&state, &actor, &name, &id).await?;
    let page = page.with_strings(TABLES);
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let (field, kind) = (get("field"), get("type"));
    let problems = match FieldType::parse(kind) {
        None => vec![Problem::new("type", "datastore.type_unknown")],
        Some(to) => match resources::retype_field(&state.ctx, &actor, &r.id, field, to).await {
            Ok(_) => {
                return Ok(Redirect::to(&format!(
                    "/data/{}/resources/{}/fields?saved=1",
                    d.name, r.id
                ))
                .into_response())
            }
            Err(e) => page_errors(e)?,
        },
    };
    let errors = shown(&page, &problems);
    let view = view(&state, page, &d, &r, (field, kind), errors, false).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)?).into_response())
}

/// `GET …/fields?saved=1`: the page after a correction, saying so.
pub async fn fields_page(
    state: State<OpenDataState>,
    user: SignedIn,
    page: PageContext,
    path: Path<(String, String)>,
    axum::extract::Query(q): axum::extract::Query<Saved>,
) -> Result<Response, AppError> {
    if q.saved.is_none() {
        return fields_form(state, user, page, path).await;
    }
    let State(state) = state;
    let SignedIn(user) = user;
    let Path((name, id)) = path;
    let actor = publisher_of(&user)?;
    let (d, r) = target(&state, &actor, &name, &id).await?;
    let page = page.with_strings(TABLES);
    let view = view(&state, page, &d, &r, ("", ""), Vec::new(), true).await?;
    Ok(render(&view)?.into_response())
}

#[derive(Debug, serde::Deserialize)]
pub struct Saved {
    pub saved: Option<String>,
}
