//! `/admin/search/synonyms`: the search synonyms a platform admin adds to the shipped list
//! ("паркинг" also means "паркиране"), and removes. The rules are in
//! [`crate::service::synonyms`] (platform admin, two factors, audited, every node's index
//! picks the change up with the catalog version).

use crate::search::SearchIndex;
use crate::service::synonyms;
use crate::strings::TABLES;
use crate::CatalogError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use portico_http::{
    render, AppError, AppState, CsrfForm, Field, FieldError, PageContext, SignedIn,
};
use serde::Deserialize;

#[derive(Debug, Default, Clone, Deserialize)]
pub struct SynonymForm {
    #[serde(default)]
    term: String,
    #[serde(default)]
    means: String,
    #[serde(default)]
    both_ways: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

struct Row {
    id: String,
    term: String,
    means: String,
    both_ways: bool,
}

#[derive(Template)]
#[template(path = "synonyms.html")]
struct SynonymsPage {
    page: PageContext,
    added: Vec<Row>,
    shipped: Vec<Row>,
    form: SynonymForm,
    errors: Vec<FieldError>,
    banner: &'static str,
}

impl SynonymsPage {
    fn field(&self, name: &'static str) -> Field {
        let value = match name {
            "term" => &self.form.term,
            _ => &self.form.means,
        };
        self.page.field(&self.errors, name, "text", value, "off")
    }
}

fn row(id: String, s: crate::search::Synonym) -> Row {
    Row {
        id,
        term: s.term,
        means: s.means.join(", "),
        both_ways: s.both_ways,
    }
}

async fn view(
    state: &AppState,
    page: PageContext,
    form: SynonymForm,
    errors: Vec<FieldError>,
    banner: &'static str,
) -> Result<SynonymsPage, AppError> {
    let added = synonyms::list(&state.db)
        .await?
        .into_iter()
        .map(|a| row(a.id, a.synonym))
        .collect();
    let shipped = synonyms::shipped()
        .into_iter()
        .map(|s| row(String::new(), s))
        .collect();
    Ok(SynonymsPage {
        page,
        added,
        shipped,
        form,
        errors,
        banner,
    })
}

pub async fn list(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Query(q): Query<DoneQuery>,
) -> Result<Response, AppError> {
    if !user.is_platform_admin() {
        return Err(AppError::Forbidden);
    }
    let banner = match q.done.as_deref() {
        Some("added") => "synonym_added_banner",
        Some("removed") => "synonym_removed_banner",
        _ => "",
    };
    let page = page.with_strings(TABLES);
    Ok(render(&view(&state, page, SynonymForm::default(), vec![], banner).await?)?.into_response())
}

pub async fn add(
    State(state): State<AppState>,
    Extension(index): Extension<SearchIndex>,
    SignedIn(user): SignedIn,
    page: PageContext,
    CsrfForm(form): CsrfForm<SynonymForm>,
) -> Result<Response, AppError> {
    if !user.is_platform_admin() {
        return Err(AppError::Forbidden);
    }
    let page = page.with_strings(TABLES);
    let mut tx = state.db.begin().await?;
    let both_ways = form.both_ways.as_deref() == Some("yes");
    match synonyms::add(
        &mut tx,
        &user.actor(),
        &form.term,
        &form.means,
        both_ways,
        state.clock.now(),
    )
    .await
    {
        Ok(_) => {}
        Err(CatalogError::Invalid(errors)) => {
            let v = view(&state, page, form, errors, "").await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&v)?).into_response());
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    index.invalidate();
    Ok(Redirect::to("/admin/search/synonyms?done=added").into_response())
}

pub async fn remove(
    State(state): State<AppState>,
    Extension(index): Extension<SearchIndex>,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    if !user.is_platform_admin() {
        return Err(AppError::Forbidden);
    }
    let mut tx = state.db.begin().await?;
    synonyms::remove(&mut tx, &user.actor(), &id, state.clock.now()).await?;
    tx.commit().await?;
    index.invalidate();
    Ok(Redirect::to("/admin/search/synonyms?done=removed").into_response())
}
