//! The publishers' pages: their administrations' datasets in every state (`/data/mine`), a new
//! dataset (`/data/new`), changing one (`/data/{name}/edit`) and adding a resource, a file or a
//! link (`/data/{name}/resources/new`). The rules are the service's (the `data_publisher` role or
//! an administration admin, at substantial assurance); these pages only read forms and show
//! the problems, every one at once, in an error summary.

use super::upload::{receive, Received};
use super::OpenDataState;
use crate::error::{OpenDataError, Problem};
use crate::model::{
    Dataset, DatasetInput, DatasetState, ResourceInput, FREQUENCIES, LICENCES, THEMES,
};
use crate::service::{datasets, organisations, publisher, resources};
use crate::strings::TABLES;
use askama::Template;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portico_core::{Actor, Lang};
use portico_http::csrf::{token_matches, CsrfCookie, CSRF_FIELD};
use portico_http::{render, AppError, CsrfForm, Field, PageContext, SignedIn};

/// One problem as the page shows it: the field's id (the error summary links to it) and the
/// message.
pub struct Shown {
    pub field: String,
    pub message: String,
}

pub(super) fn shown(page: &PageContext, problems: &[Problem]) -> Vec<Shown> {
    problems
        .iter()
        .map(|p| Shown {
            field: p.field.to_owned(),
            message: p.message(&page.strings),
        })
        .collect()
}

fn error_of(errors: &[Shown], field: &str) -> Option<String> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.clone())
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "opendata_form.html")]
struct FormPage {
    page: PageContext,
    editing: String,
    action: String,
    errors: Vec<Shown>,
    administrations: Vec<Choice>,
    fields: Vec<(Field, Option<String>)>,
    notes: Vec<(Field, Option<String>)>,
    themes: Vec<Choice>,
    themes_error: Option<String>,
    licences: Vec<Choice>,
    licence_error: Option<String>,
    frequencies: Vec<Choice>,
    frequency_error: Option<String>,
    states: Vec<Choice>,
}

fn field(page: &PageContext, name: &'static str, kind: &'static str, value: &str) -> Field {
    Field {
        name,
        label: page.t(&format!("od_field_{name}")),
        hint: page
            .strings
            .find(&format!("od_field_{name}_hint"))
            .unwrap_or(""),
        error: None,
        input_type: kind,
        value: value.to_owned(),
        autocomplete: "off",
    }
}

fn form_page(
    page: PageContext,
    actor: &Actor,
    orgs: &[crate::service::organisations::Organisation],
    editing: Option<&Dataset>,
    administration: &str,
    input: &DatasetInput,
    errors: Vec<Shown>,
) -> FormPage {
    let lang = page.lang;
    let mine = publisher::administrations(actor);
    let administrations = if editing.is_some() {
        Vec::new()
    } else {
        orgs.iter()
            .filter(|a| mine.contains(&a.id))
            .map(|a| Choice {
                value: a.id.clone(),
                label: match lang {
                    Lang::Bg => a.name_bg.clone(),
                    Lang::En => a.name_en.clone(),
                },
                checked: a.id == administration,
            })
            .collect()
    };
    let with_error = |f: Field| {
        let e = error_of(&errors, f.name);
        (f, e)
    };
    let fields = vec![
        with_error(field(&page, "name", "text", &input.name)),
        with_error(field(&page, "title_bg", "text", &input.title_bg)),
        with_error(field(&page, "title_en", "text", &input.title_en)),
    ];
    let notes = vec![
        with_error(field(&page, "notes_bg", "text", &input.notes_bg)),
        with_error(field(&page, "notes_en", "text", &input.notes_en)),
    ];
    let mut more = vec![
        with_error(field(&page, "keywords", "text", &input.keywords.join(", "))),
        with_error(field(&page, "contact_name", "text", &input.contact_name)),
        with_error(field(&page, "contact_email", "email", &input.contact_email)),
        with_error(field(
            &page,
            "temporal_start",
            "text",
            input.temporal_start.as_deref().unwrap_or(""),
        )),
        with_error(field(
            &page,
            "temporal_end",
            "text",
            input.temporal_end.as_deref().unwrap_or(""),
        )),
        with_error(field(
            &page,
            "spatial",
            "text",
            input.spatial.as_deref().unwrap_or(""),
        )),
    ];
    let mut fields = fields;
    fields.append(&mut more);
    // The date problems are the service's "date.invalid" for either date.
    let themes = THEMES
        .iter()
        .map(|(code, bg, en)| Choice {
            value: (*code).to_owned(),
            label: match lang {
                Lang::Bg => (*bg).to_owned(),
                Lang::En => (*en).to_owned(),
            },
            checked: input.themes.iter().any(|t| t == code),
        })
        .collect();
    let licences = LICENCES
        .iter()
        .map(|(id, title, _)| Choice {
            value: (*id).to_owned(),
            label: (*title).to_owned(),
            checked: input.licence == *id,
        })
        .collect();
    let frequencies = FREQUENCIES
        .iter()
        .map(|f| Choice {
            value: (*f).to_owned(),
            label: page.t(&format!("od_frequency_{f}")).to_owned(),
            checked: input.frequency == *f,
        })
        .collect();
    let state = input.state.unwrap_or(DatasetState::Draft);
    let mut states = vec![DatasetState::Draft, DatasetState::Published];
    if editing.is_some() {
        states.push(DatasetState::Withdrawn);
    }
    let states = states
        .into_iter()
        .map(|s| Choice {
            value: s.as_str().to_owned(),
            label: page.t(&format!("od_state_{}", s.as_str())).to_owned(),
            checked: s == state,
        })
        .collect();
    FormPage {
        editing: editing.map(|d| d.name.clone()).unwrap_or_default(),
        action: editing.map_or("/data/new".to_owned(), |d| format!("/data/{}/edit", d.name)),
        themes_error: error_of(&errors, "themes"),
        licence_error: error_of(&errors, "licence"),
        frequency_error: error_of(&errors, "frequency"),
        administrations,
        fields,
        notes,
        themes,
        licences,
        frequencies,
        states,
        errors,
        page,
    }
}

/// The form's fields as the service takes them (and the administration chosen).
fn read_form(pairs: &[(String, String)]) -> (String, DatasetInput) {
    let one = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let opt = |k: &str| Some(one(k)).filter(|v| !v.is_empty());
    let input = DatasetInput {
        name: one("name"),
        title_bg: one("title_bg"),
        title_en: one("title_en"),
        notes_bg: one("notes_bg"),
        notes_en: one("notes_en"),
        themes: pairs
            .iter()
            .filter(|(k, _)| k == "themes")
            .map(|(_, v)| v.clone())
            .collect(),
        keywords: one("keywords")
            .split([',', ';'])
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(str::to_owned)
            .collect(),
        licence: one("licence"),
        contact_name: one("contact_name"),
        contact_email: one("contact_email"),
        temporal_start: opt("temporal_start"),
        temporal_end: opt("temporal_end"),
        spatial: opt("spatial"),
        frequency: one("frequency"),
        state: Some(DatasetState::from_stored(&one("state"))),
    };
    (one("administration"), input)
}

/// A person who publishes for at least one administration; anyone else is told "Not found".
pub(super) fn publisher_of(user: &portico_http::SessionUser) -> Result<Actor, AppError> {
    let actor = user.actor();
    if publisher::administrations(&actor).is_empty() {
        return Err(AppError::NotFound);
    }
    Ok(actor)
}

pub(super) fn page_errors(e: OpenDataError) -> Result<Vec<Problem>, AppError> {
    match e {
        OpenDataError::Invalid(p) => Ok(p),
        other => Err(other.into()),
    }
}

pub struct MineRow {
    pub name: String,
    pub title: String,
    pub state: &'static str,
    pub tag: &'static str,
}

#[derive(Template)]
#[template(path = "opendata_mine.html")]
struct MinePage {
    page: PageContext,
    rows: Vec<MineRow>,
}

/// `GET /data/mine`: the datasets of the administrations this person publishes for.
pub async fn mine(
    State(state): State<OpenDataState>,
    SignedIn(user): SignedIn,
    page: PageContext,
) -> Result<Response, AppError> {
    let actor = publisher_of(&user)?;
    let page = page.with_strings(TABLES);
    let list =
        datasets::of_administrations(&state.ctx.db, &publisher::administrations(&actor)).await?;
    let rows = list
        .iter()
        .map(|d| MineRow {
            name: d.name.clone(),
            title: match page.lang {
                Lang::En if !d.title_en.is_empty() => d.title_en.clone(),
                _ => d.title_bg.clone(),
            },
            state: page.t(&format!("od_state_{}", d.state.as_str())),
            tag: match d.state {
                DatasetState::Published => "decided",
                DatasetState::Draft => "draft",
                DatasetState::Withdrawn => "red",
            },
        })
        .collect();
    Ok(render(&MinePage { page, rows })?.into_response())
}

/// `GET /data/new`.
pub async fn new_form(
    State(state): State<OpenDataState>,
    SignedIn(user): SignedIn,
    page: PageContext,
) -> Result<Response, AppError> {
    let actor = publisher_of(&user)?;
    let page = page.with_strings(TABLES);
    let orgs = organisations::list(&state.ctx.db).await?;
    let first = publisher::administrations(&actor)
        .first()
        .cloned()
        .unwrap_or_default();
    let input = DatasetInput {
        licence: "cc-by-4.0".into(),
        frequency: "IRREG".into(),
        ..Default::default()
    };
    let view = form_page(page, &actor, &orgs, None, &first, &input, Vec::new());
    Ok(render(&view)?.into_response())
}

/// `POST /data/new`: creates the dataset, or shows the form again with its problems.
pub async fn create(
    State(state): State<OpenDataState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = publisher_of(&user)?;
    let page = page.with_strings(TABLES);
    let (mut administration, input) = read_form(&pairs);
    let mine = publisher::administrations(&actor);
    if mine.len() == 1 {
        administration = mine[0].clone();
    }
    let problems = if mine.contains(&administration) {
        match datasets::create(&state.ctx, &actor, &administration, input.clone()).await {
            Ok(d) => return Ok(Redirect::to(&format!("/data/{}", d.name)).into_response()),
            Err(e) => page_errors(e)?,
        }
    } else {
        vec![Problem::new("administration", "od_administration_missing")]
    };
    let orgs = organisations::list(&state.ctx.db).await?;
    let errors = shown(&page, &problems);
    let view = form_page(page, &actor, &orgs, None, &administration, &input, errors);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)?).into_response())
}

/// The dataset a publisher may change, or "Not found".
pub(super) async fn editable(
    state: &OpenDataState,
    actor: &Actor,
    name: &str,
) -> Result<Dataset, AppError> {
    let d = datasets::find(&state.ctx.db, name)
        .await?
        .ok_or(AppError::NotFound)?;
    if !publisher::may_publish(actor, &d.administration_id) {
        return Err(AppError::NotFound);
    }
    Ok(d)
}

/// `GET /data/{name}/edit`.
pub async fn edit_form(
    State(state): State<OpenDataState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path(name): Path<String>,
) -> Result<Response, AppError> {
    let actor = publisher_of(&user)?;
    let d = editable(&state, &actor, &name).await?;
    let page = page.with_strings(TABLES);
    let orgs = organisations::list(&state.ctx.db).await?;
    let input = d.input();
    let view = form_page(page, &actor, &orgs, Some(&d), "", &input, Vec::new());
    Ok(render(&view)?.into_response())
}

/// `POST /data/{name}/edit`: saves a new version, or shows the form again with its problems.
pub async fn update(
    State(state): State<OpenDataState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path(name): Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = publisher_of(&user)?;
    let d = editable(&state, &actor, &name).await?;
    let page = page.with_strings(TABLES);
    let (_, input) = read_form(&pairs);
    let problems = match datasets::update(&state.ctx, &actor, &d.id, input.clone()).await {
        Ok(saved) => return Ok(Redirect::to(&format!("/data/{}", saved.name)).into_response()),
        Err(e) => page_errors(e)?,
    };
    let orgs = organisations::list(&state.ctx.db).await?;
    let errors = shown(&page, &problems);
    let view = form_page(page, &actor, &orgs, Some(&d), "", &input, errors);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)?).into_response())
}

#[derive(Template)]
#[template(path = "opendata_resource_form.html")]
struct ResourcePage {
    page: PageContext,
    name: String,
    back_href: String,
    title: String,
    errors: Vec<Shown>,
    resource_name: String,
    description: String,
    url: String,
    upload_error: Option<String>,
    url_error: Option<String>,
    format_error: Option<String>,
}

fn resource_page(
    page: PageContext,
    d: &Dataset,
    input: &ResourceInput,
    errors: Vec<Shown>,
) -> ResourcePage {
    let title = match page.lang {
        Lang::En if !d.title_en.is_empty() => d.title_en.clone(),
        _ => d.title_bg.clone(),
    };
    ResourcePage {
        name: d.name.clone(),
        back_href: format!("/data/{}", d.name),
        title,
        resource_name: input.name.clone(),
        description: input.description.clone(),
        url: input.url.clone().unwrap_or_default(),
        upload_error: error_of(&errors, "upload"),
        url_error: error_of(&errors, "url"),
        format_error: error_of(&errors, "format"),
        errors,
        page,
    }
}

/// `GET /data/{name}/resources/new`.
pub async fn resource_form(
    State(state): State<OpenDataState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path(name): Path<String>,
) -> Result<Response, AppError> {
    let actor = publisher_of(&user)?;
    let d = editable(&state, &actor, &name).await?;
    let page = page.with_strings(TABLES);
    let view = resource_page(page, &d, &ResourceInput::default(), Vec::new());
    Ok(render(&view)?.into_response())
}

/// `POST /data/{name}/resources/new` (multipart: `name`, `description`, `upload` or `url`): adds
/// the resource, or shows the form again saying what is wrong (the line, for a file). The CSRF
/// token comes before the file (the form's order) and is checked before a large file is read;
/// a CSV over 20 MB is streamed and checked as it comes, and its load queued: the page then
/// goes to the resource's page, which shows how far the load has got.
pub async fn add_resource(
    State(state): State<OpenDataState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path(name): Path<String>,
    req: Request,
) -> Result<Response, AppError> {
    let cookie = req
        .extensions()
        .get::<CsrfCookie>()
        .map(|c| c.0.clone())
        .unwrap_or_default();
    let actor = publisher_of(&user)?;
    let d = editable(&state, &actor, &name).await?;
    let mut multipart = Multipart::from_request(req, &state)
        .await
        .map_err(|_| AppError::BadRequest("malformed_form"))?;
    let mut token = String::new();
    let mut input = ResourceInput::default();
    let mut large = None;
    let mut problems = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            // The body ended short or over its limit, inside the file.
            Err(_) => {
                problems.push(Problem::new("upload", "upload.too_large_streamed"));
                break;
            }
        };
        match field.name().unwrap_or("") {
            CSRF_FIELD => token = field.text().await.unwrap_or_default(),
            "name" => input.name = field.text().await.unwrap_or_default(),
            "description" => input.description = field.text().await.unwrap_or_default(),
            "url" => {
                let url = field.text().await.unwrap_or_default();
                if !url.trim().is_empty() {
                    input.url = Some(url.trim().to_owned());
                }
            }
            "upload" => {
                // A file over 20 MB is streamed only after the form's token (which the form
                // sends first); a small one is held and the token checked after it.
                let token_first = !cookie.is_empty()
                    && token_matches(&state.app.config.csrf_key, &cookie, &token);
                match receive(&state.ctx, field, None, token_first).await {
                    // A browser sends an empty part when no file was chosen.
                    Ok(Received::Small(_, bytes)) if bytes.is_empty() => {}
                    Ok(Received::Small(file_name, bytes)) => {
                        input.upload = Some((file_name, bytes));
                    }
                    Ok(Received::Large(file_name, stored)) => large = Some((file_name, stored)),
                    Err(e) => problems.extend(page_errors(e)?),
                }
            }
            _ => {}
        }
    }
    if cookie.is_empty() || !token_matches(&state.app.config.csrf_key, &cookie, &token) {
        return Err(AppError::Csrf);
    }
    let page = page.with_strings(TABLES);
    if problems.is_empty() {
        let added = match &large {
            Some((file_name, stored)) => {
                resources::add_streamed(&state.ctx, &actor, &d.id, &input, file_name, stored)
                    .await
                    .map(|r| format!("/data/{}/resources/{}", d.name, r.id))
            }
            None => resources::add(&state.ctx, &actor, &d.id, input.clone())
                .await
                .map(|_| format!("/data/{}", d.name)),
        };
        match added {
            Ok(to) => return Ok(Redirect::to(&to).into_response()),
            Err(e) => problems = page_errors(e)?,
        }
    }
    let errors = shown(&page, &problems);
    let view = resource_page(page, &d, &input, errors);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)?).into_response())
}
