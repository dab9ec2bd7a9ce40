//! Filling in a service's e-form: one step at a time, saved as a draft after every step, then a
//! review page and submission with the second factor.

use super::views::resume_target;
use super::CasesState;
use crate::model::{Application, ServiceInfo};
use crate::service::applications::{self, NewAttachment};
use crate::service::{access, answers, found, prefill, submission, uploads as upload_rules};
use crate::strings::FORM_TABLES;
use crate::CasesError;
use askama::Template;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use portico_catalog::forms::{self, FormVersion, StepView};
use portico_catalog::model::Service;
use portico_catalog::CatalogError;
use portico_core::Id;
use portico_http::csrf::{token_matches, CsrfCookie, CSRF_FIELD};
use portico_http::{
    render, AppError, CsrfForm, FieldError, Lang, PageContext, SessionUser, SignedIn, ValidPath,
};
use portico_identity::service::step_up;
use serde::Deserialize;
use serde_json::Value;

async fn service_by_id(state: &CasesState, id: &str) -> Result<Service, AppError> {
    portico_catalog::service::get(&state.app.db, id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn form_of(state: &CasesState, app: &Application) -> Result<FormVersion, AppError> {
    Ok(answers::form_of(&state.app.db, app).await?)
}

fn info(service: &Service) -> ServiceInfo {
    ServiceInfo {
        id: service.id.clone(),
        administration_id: service.administration_id.clone(),
        process_key: service.process_key.clone(),
        state_deadlines: service.state_deadlines.clone(),
    }
}

/// `/services/{slug}/apply`: continue this person's draft of the service, or start one.
pub async fn start(
    State(state): State<CasesState>,
    SignedIn(user): SignedIn,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let service = portico_catalog::service::by_slug(&state.app.db, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(draft) =
        applications::open_draft(&state.app.db, &user.account_id, &service.id).await?
    {
        return Ok(Redirect::to(&resume_target(&state.app.db, &draft).await?).into_response());
    }
    // A service not (or no longer) published takes no new applications; drafts begun while it
    // was published can still be finished.
    if service.published_at.is_none() {
        return Err(AppError::NotFound);
    }
    let form_key = service.form_key.clone().ok_or(AppError::NotFound)?;
    let form = forms::current(&state.app.db, &form_key)
        .await?
        .ok_or(AppError::NotFound)?;
    let data = prefill::from_account(&state.app.db, &user.account_id, &form).await?;
    let mut tx = state.app.db.begin().await?;
    let app = applications::start_draft(
        &mut tx,
        &user.account_id,
        &info(&service),
        &form.id,
        Value::Object(data),
        state.app.clock.now(),
    )
    .await?;
    tx.commit().await?;
    // Once only: after the draft exists, so the look-ups name the case they serve.
    prefill::from_registers(&state.cases, &user.actor(), &app, &service, &form).await?;
    found::offer(&state.cases, &user.actor(), &app, &form).await?;
    Ok(Redirect::to(&format!("/applications/{}/step/0", app.id)).into_response())
}

#[derive(Template)]
#[template(path = "step.html")]
struct StepPage {
    page: PageContext,
    app_id: String,
    service: String,
    step: StepView,
    back: String,
    errors: Vec<FieldError>,
}

async fn own_draft(
    state: &CasesState,
    user: &SessionUser,
    id: &str,
) -> Result<Application, AppError> {
    Ok(access::own(&state.app.db, &user.actor(), id).await?)
}

async fn step_page(
    state: &CasesState,
    page: PageContext,
    app: &Application,
    form: &FormVersion,
    step: usize,
    data: &Value,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let mut view = form
        .step_view(&state.app.db, step, page.lang, data, &errors)
        .await?;
    let sources = prefill::sources_of(&state.app.db, &app.id).await?;
    for (name, text) in prefill::describe(&state.cases, &sources, page.lang).await? {
        if let Some(field) = view.fields.iter_mut().find(|f| f.name == name) {
            field.source = text;
        }
    }
    let service = service_by_id(state, &app.service_id).await?;
    let back = if step == 0 {
        format!("/services/{}", service.slug)
    } else {
        format!("/applications/{}/step/{}", app.id, step - 1)
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let template = StepPage {
        app_id: app.id.clone(),
        service: service.title(page.lang).to_owned(),
        step: view,
        back,
        errors,
        page,
    };
    Ok((status, render(&template)?).into_response())
}

pub async fn step_form(
    State(state): State<CasesState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    ValidPath((id, step)): ValidPath<(Id, usize)>,
) -> Result<Response, AppError> {
    let app = own_draft(&state, &user, &id).await?;
    if !app.is_draft() {
        return Ok(Redirect::to(&format!("/applications/{id}")).into_response());
    }
    let form = form_of(&state, &app).await?;
    if form.step(step).is_none() {
        return Err(AppError::NotFound);
    }
    step_page(
        &state,
        page.with_strings(FORM_TABLES),
        &app,
        &form,
        step,
        &app.data,
        vec![],
    )
    .await
}

/// An uploaded file, held until the form's CSRF token has been checked.
struct Upload {
    field: String,
    filename: String,
    content_type: String,
    bytes: axum::body::Bytes,
}

/// Reads a step's POST: URL-encoded, or multipart when the step has attachments. The CSRF token
/// is checked before anything is stored.
async fn read_step_post(
    state: &CasesState,
    req: Request,
) -> Result<(Vec<(String, String)>, Vec<Upload>), AppError> {
    let cookie = req
        .extensions()
        .get::<CsrfCookie>()
        .map(|c| c.0.clone())
        .unwrap_or_default();
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let mut posted = Vec::new();
    let mut uploads = Vec::new();
    if is_multipart {
        let mut multipart = Multipart::from_request(req, state)
            .await
            .map_err(|_| AppError::BadRequest("malformed_form"))?;
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|_| AppError::BadRequest("malformed_form"))?
        {
            let name = field.name().unwrap_or("").to_owned();
            match field.file_name().map(str::to_owned) {
                Some(filename) => {
                    let content_type = field
                        .content_type()
                        .unwrap_or("application/octet-stream")
                        .to_owned();
                    let bytes = field
                        .bytes()
                        .await
                        .map_err(|_| AppError::BadRequest("upload_failed"))?;
                    if !filename.is_empty() && !bytes.is_empty() {
                        uploads.push(Upload {
                            field: name,
                            filename,
                            content_type,
                            bytes,
                        });
                    }
                }
                None => posted.push((
                    name,
                    field
                        .text()
                        .await
                        .map_err(|_| AppError::BadRequest("malformed_form"))?,
                )),
            }
        }
    } else {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| AppError::from_body_rejection(&e))?;
        posted = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| AppError::BadRequest("malformed_form"))?;
    }
    let token = posted
        .iter()
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    if cookie.is_empty() || !token_matches(&state.app.config.csrf_key, &cookie, token) {
        return Err(AppError::Csrf);
    }
    Ok((posted, uploads))
}

pub async fn step_submit(
    State(state): State<CasesState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    ValidPath((id, step)): ValidPath<(Id, usize)>,
    req: Request,
) -> Result<Response, AppError> {
    let (mut posted, uploads) = read_step_post(&state, req).await?;
    let page = page.with_strings(FORM_TABLES);
    let app = own_draft(&state, &user, &id).await?;
    if !app.is_draft() {
        return Ok(Redirect::to(&format!("/applications/{id}")).into_response());
    }
    let form = form_of(&state, &app).await?;
    if form.step(step).is_none() {
        return Err(AppError::NotFound);
    }
    let now = state.app.clock.now();

    // Uploads first: all checked together against the step's rules and the draft's quota
    // before any is stored (one refused, none stored); then stored and kept with the draft even
    // if another field of the step is wrong, so nobody has to choose the file twice.
    let mut data = app.data.clone();
    let existing = applications::attachments(&state.app.db, &app.id).await?;
    let offered: Vec<upload_rules::Offered<'_>> = uploads
        .iter()
        .map(|u| upload_rules::Offered {
            field: &u.field,
            content_type: &u.content_type,
            bytes: &u.bytes,
        })
        .collect();
    let errors = upload_rules::check(&form, step, &existing, &offered);
    let accepted = if errors.is_empty() {
        uploads
    } else {
        Vec::new()
    };
    for upload in accepted {
        let size = upload.bytes.len() as i64;
        let key = state.app.blobs.put(upload.bytes).await?;
        let mut tx = state.app.db.begin().await?;
        let attachment = NewAttachment {
            field: &upload.field,
            blob_key: &key,
            filename: &upload.filename,
            content_type: &upload.content_type,
            size,
        };
        let attachment_id =
            applications::add_attachment(&mut tx, &app.id, attachment, &user.account_id, now)
                .await?;
        // A field that takes one file: the new upload replaces the old one, which is deleted.
        let single = form
            .field(&upload.field)
            .is_some_and(|f| f.max_files() == 1);
        if single {
            applications::replace_attachment(&mut tx, &app.id, &upload.field, &attachment_id)
                .await?;
        }
        tx.commit().await?;
        if let Value::Object(map) = &mut data {
            let entry = map
                .entry(upload.field.clone())
                .or_insert_with(|| Value::Array(vec![]));
            if single {
                *entry = Value::Array(vec![Value::String(attachment_id)]);
            } else if let Value::Array(ids) = entry {
                ids.push(Value::String(attachment_id));
            }
        }
    }
    // Only this application's own attachments can be named by id: an id of another
    // application's file, posted by hand, is dropped before the answers are read.
    let own: Vec<String> = applications::attachments(&state.app.db, &app.id)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    let file_fields: Vec<String> = form
        .step(step)
        .map(|s| {
            s.fields
                .iter()
                .filter(|f| f.widget == portico_catalog::forms::layout::Widget::File)
                .map(|f| f.name.clone())
                .collect()
        })
        .unwrap_or_default();
    posted.retain(|(name, value)| !file_fields.contains(name) || own.contains(value));
    // Files chosen earlier stay attached unless replaced.
    for field in form
        .step(step)
        .map(|s| s.fields.clone())
        .unwrap_or_default()
    {
        if field.widget == portico_catalog::forms::layout::Widget::File {
            if let Some(Value::Array(ids)) = data.get(&field.name) {
                for id in ids.iter().filter_map(Value::as_str) {
                    posted.push((field.name.clone(), id.to_owned()));
                }
            }
        }
    }

    let today = portico_core::calendar::sofia_date(now);
    let parsed = match form.parse_step(&state.app.db, step, &posted, today).await {
        Ok(parsed) if errors.is_empty() => parsed,
        Ok(_) => {
            let echo = merged_echo(&form, step, &data, &posted);
            return step_page(&state, page, &app, &form, step, &echo, errors).await;
        }
        Err(CatalogError::Invalid(mut field_errors)) => {
            field_errors.extend(errors);
            let echo = merged_echo(&form, step, &data, &posted);
            return step_page(&state, page, &app, &form, step, &echo, field_errors).await;
        }
        Err(e) => return Err(e.into()),
    };
    form.merge_step(step, &mut data, parsed);
    let next = step + 1;
    let last = next >= form.steps().len();
    let mut tx = state.app.db.begin().await?;
    applications::save_draft(&mut tx, &id, &user.account_id, &data, next as i64, now).await?;
    tx.commit().await?;
    // Once only: who must consent, found in the registers from the answers just given. Where a
    // register cannot say, the applicant is asked to name them, on the step that asks.
    let saved = Application { data, ..app };
    let given_back = found::refresh(&state.cases, &user.actor(), &saved).await?;
    if !given_back.is_empty() {
        let form = form_of(&state, &saved).await?;
        let people: Vec<String> = form
            .layout
            .consents
            .iter()
            .filter(|r| given_back.contains(&r.role))
            .map(|r| r.person.clone())
            .collect();
        let at = (0..form.steps().len()).find(|i| {
            form.step(*i)
                .is_some_and(|s| s.fields.iter().any(|f| people.contains(&f.name)))
        });
        if let Some(at) = at {
            let errors = people
                .iter()
                .filter(|p| {
                    form.step(at)
                        .is_some_and(|s| s.fields.iter().any(|f| &f.name == *p))
                })
                .map(|p| FieldError::new(p, "form.consent_not_found"))
                .collect();
            return step_page(&state, page, &saved, &form, at, &saved.data, errors).await;
        }
    }
    let target = if last {
        format!("/applications/{id}/review")
    } else {
        format!("/applications/{id}/step/{next}")
    };
    Ok(Redirect::to(&target).into_response())
}

/// The draft's data with what was just posted on top, to draw the step again as it was typed.
fn merged_echo(
    form: &FormVersion,
    step: usize,
    data: &Value,
    posted: &[(String, String)],
) -> Value {
    let mut out = data.clone();
    if let (Value::Object(out), Value::Object(echo)) = (&mut out, form.echo(step, posted)) {
        out.extend(echo);
    }
    out
}

pub struct ReviewRow {
    pub label: String,
    pub value: String,
    pub change: String,
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    page: PageContext,
    app: Application,
    service: String,
    rows: Vec<ReviewRow>,
    /// The people the platform found whose consent will be asked: (name, what they are).
    consenters: Vec<(String, String)>,
    /// Submitting is signing: the second-factor field and, without an app, "send me a code".
    offer: portico_http::StepUpOffer,
    errors: Vec<FieldError>,
    /// The fee to be paid after submitting, when the service has one and its process asks it.
    fee: Option<String>,
}

/// One line per answered field, in the order of the form, with a link to change it.
async fn review_rows(
    state: &CasesState,
    app: &Application,
    form: &FormVersion,
    lang: Lang,
) -> Result<Vec<ReviewRow>, AppError> {
    Ok(answers::readable(&state.app.db, app, form, lang)
        .await?
        .into_iter()
        .map(|a| ReviewRow {
            change: format!("/applications/{}/step/{}#{}", app.id, a.step, a.field_id),
            label: a.label,
            value: a.value,
        })
        .collect())
}

async fn review_page(
    state: &CasesState,
    page: PageContext,
    user: &SessionUser,
    app: Application,
    errors: Vec<FieldError>,
    code_sent: Option<&str>,
) -> Result<Response, AppError> {
    let form = form_of(state, &app).await?;
    let service = service_by_id(state, &app.service_id).await?;
    let rows = review_rows(state, &app, &form, page.lang).await?;
    let consenters = found::people(&state.app.db, &app.id)
        .await?
        .into_iter()
        .filter_map(|p| {
            let rule = form.layout.consents.iter().find(|r| r.role == p.role)?;
            rule.applies(&app.data)
                .then(|| (p.name, rule.label.get(page.lang).to_owned()))
        })
        .collect();
    let mut offer = super::views::step_up_offer(
        &state.app.db,
        &user.account_id,
        submission::STEP_UP_PURPOSE,
        format!("/applications/{}/review", app.id),
        code_sent,
    )
    .await?;
    offer.error = page.field_error(&errors, "code");
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let fee = if !service.facts.is_free()
        && crate::service::fees::process_takes_payment(&app.process_key)?
    {
        Some(super::views::money(
            service.facts.fee.minor,
            service.facts.fee.currency.code(),
            page.lang,
        ))
    } else {
        None
    };
    let template = ReviewPage {
        fee,
        service: service.title(page.lang).to_owned(),
        rows,
        consenters,
        offer,
        errors,
        app,
        page,
    };
    Ok((status, render(&template)?).into_response())
}

#[derive(Debug, Deserialize)]
pub struct ReviewQuery {
    code_sent: Option<String>,
}

pub async fn review(
    State(state): State<CasesState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    ValidPath(id): ValidPath<Id>,
    Query(q): Query<ReviewQuery>,
) -> Result<Response, AppError> {
    let app = own_draft(&state, &user, &id).await?;
    if !app.is_draft() {
        return Ok(Redirect::to(&format!("/applications/{id}")).into_response());
    }
    let page = page.with_strings(FORM_TABLES);
    review_page(&state, page, &user, app, vec![], q.code_sent.as_deref()).await
}

#[derive(Debug, Deserialize)]
pub struct SubmitForm {
    #[serde(default)]
    code: String,
}

/// Submitting is signing: the second factor first (identity's step-up, throttled), then the
/// rules of submission in the service.
pub async fn submit(
    State(state): State<CasesState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    ValidPath(id): ValidPath<Id>,
    CsrfForm(form_input): CsrfForm<SubmitForm>,
) -> Result<Response, AppError> {
    let page = page.with_strings(FORM_TABLES);
    let receipt = Redirect::to(&format!("/applications/{id}?submitted=1")).into_response();
    let app = own_draft(&state, &user, &id).await?;
    // A second click, a retry, a refresh: the application exists once; show its receipt.
    if !app.is_draft() {
        return Ok(receipt);
    }
    // Checked before the code is used, so a code is not spent on answers that must change.
    let prepared = match submission::prepare(&state.cases, &user.actor(), &app).await {
        Ok(prepared) => prepared,
        Err(CasesError::AlreadySubmitted) => return Ok(receipt),
        Err(CasesError::Invalid(problems)) => {
            return review_page(&state, page, &user, app, problems, None).await
        }
        Err(e) => return Err(e.into()),
    };
    let now = state.app.clock.now();
    let confirmed = match step_up::confirm(
        &state.app.db,
        &user.account_id,
        &form_input.code,
        submission::STEP_UP_PURPOSE,
        now,
    )
    .await
    {
        Ok(confirmed) => confirmed,
        Err(portico_identity::IdentityError::WrongCode) => {
            let errors = vec![FieldError::new("code", "code.wrong")];
            return review_page(&state, page, &user, app, errors, None).await;
        }
        Err(e) => return Err(e.into()),
    };
    match submission::submit_prepared(&state.cases, &user.actor(), prepared, &confirmed).await {
        Ok(_) | Err(CasesError::AlreadySubmitted) => Ok(receipt),
        Err(e) => Err(e.into()),
    }
}
