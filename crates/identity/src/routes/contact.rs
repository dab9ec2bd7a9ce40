//! `/account/contact`: changing one's e-mail address or phone number (after the current second
//! factor), and verifying them by a code sent to the new destination. Rules in
//! [`crate::service::contact`].

use super::login::address_key;
use crate::service::contact::{self, Kind, PURPOSE};
use crate::service::{accounts, step_up, totp};
use crate::strings::TABLES;
use crate::IdentityError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use portico_http::{
    render, AppError, AppState, ClientAddr, CsrfForm, Field, FieldError, PageContext, SignedIn,
    StepUpOffer,
};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "contact.html")]
struct ContactPage {
    page: PageContext,
    email: String,
    phone: String,
    email_verified: bool,
    phone_verified: bool,
    kind: String,
    value: String,
    errors: Vec<FieldError>,
    offer: StepUpOffer,
}

impl ContactPage {
    fn value_field(&self) -> Field {
        self.page
            .field(&self.errors, "new_contact", "text", &self.value, "off")
    }

    fn error(&self, field: &str) -> Option<&'static str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| self.page.t(&e.code))
    }
}

#[derive(Template)]
#[template(path = "contact_code.html")]
struct ContactCodePage {
    page: PageContext,
    id: String,
    kind: &'static str,
    new_value: String,
    errors: Vec<FieldError>,
}

impl ContactCodePage {
    fn code_field(&self) -> Field {
        self.page
            .field(&self.errors, "contact_code", "text", "", "one-time-code")
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ContactQuery {
    code_sent: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    kind: String,
    #[serde(default, rename = "new_contact")]
    value: String,
    #[serde(default)]
    code: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct CodeForm {
    #[serde(default, rename = "contact_code")]
    code: String,
}

fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn contact_page(
    state: &AppState,
    account_id: &str,
    page: PageContext,
    form: ChangeForm,
    code_sent: Option<&str>,
    errors: Vec<FieldError>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let account = accounts::get(&state.db, account_id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let (email_verified, phone_verified) = contact::verified(&state.db, account_id).await?;
    let code_error = errors
        .iter()
        .find(|e| e.field == "code")
        .map(|e| page.t(&e.code));
    let offer = StepUpOffer {
        has_totp: totp::is_enrolled(&state.db, account_id).await?,
        // Codes by SMS go only to a verified number.
        has_phone: account.phone.is_some() && phone_verified,
        code_sent: StepUpOffer::sent_flag(code_sent),
        purpose: PURPOSE.into(),
        back: "/account/contact".into(),
        code: String::new(),
        error: code_error,
    };
    let html = render(&ContactPage {
        email: account.email,
        phone: account.phone.unwrap_or_default(),
        email_verified,
        phone_verified,
        kind: if form.kind == "phone" {
            "phone".into()
        } else {
            "email".into()
        },
        value: form.value,
        errors,
        offer,
        page,
    })?;
    Ok(no_store((status, html).into_response()))
}

pub async fn form(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Query(q): Query<ContactQuery>,
) -> Result<Response, AppError> {
    contact_page(
        &state,
        &user.account_id,
        page,
        ChangeForm::default(),
        q.code_sent.as_deref(),
        vec![],
        StatusCode::OK,
    )
    .await
}

pub async fn begin(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    client: ClientAddr,
    CsrfForm(form): CsrfForm<ChangeForm>,
) -> Result<Response, AppError> {
    let now = state.clock.now();
    let Some(kind) = Kind::parse(&form.kind) else {
        let errors = vec![FieldError::new("kind", "contact_kind_missing")];
        return contact_page(
            &state,
            &user.account_id,
            page,
            form,
            None,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    // Checking what the account already has changes nothing: no second factor is asked for.
    let needs =
        contact::needs_second_factor(&state.db, &user.account_id, kind, &form.value).await?;
    let proof = if !needs {
        None
    } else {
        match step_up::confirm(&state.db, &user.account_id, &form.code, PURPOSE, now).await {
            Ok(proof) => Some(proof),
            Err(IdentityError::WrongCode) => {
                let errors = vec![FieldError::new("code", "code.wrong")];
                return contact_page(
                    &state,
                    &user.account_id,
                    page,
                    form,
                    None,
                    errors,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
            Err(e) => return Err(e.into()),
        }
    };
    let started = contact::begin(
        &state.db,
        &user.account_id,
        kind,
        &form.value,
        proof.as_ref(),
        Some(&address_key(&state, &client)),
        now,
    )
    .await;
    match started {
        Ok(id) => {
            state.jobs_waker.notify_one();
            Ok(Redirect::to(&format!("/account/contact/{id}")).into_response())
        }
        Err(IdentityError::Invalid(errors)) => {
            contact_page(
                &state,
                &user.account_id,
                page,
                form,
                None,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn code_page(
    state: &AppState,
    account_id: &str,
    page: PageContext,
    id: &str,
    errors: Vec<FieldError>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let change = contact::pending(&state.db, account_id, id, state.clock.now()).await?;
    let html = render(&ContactCodePage {
        page: page.with_strings(TABLES),
        id: change.id,
        kind: change.kind.as_str(),
        new_value: change.new_value,
        errors,
    })?;
    Ok(no_store((status, html).into_response()))
}

pub async fn code_form(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    code_page(&state, &user.account_id, page, &id, vec![], StatusCode::OK).await
}

pub async fn confirm(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Result<Response, AppError> {
    match contact::confirm(
        &state.db,
        &user.account_id,
        &id,
        &form.code,
        state.clock.now(),
    )
    .await
    {
        Ok(kind) => {
            state.jobs_waker.notify_one();
            Ok(Redirect::to(&format!("/account?done={}_changed", kind.as_str())).into_response())
        }
        Err(IdentityError::WrongCode) => {
            let errors = vec![FieldError::new("contact_code", "code.wrong")];
            code_page(
                &state,
                &user.account_id,
                page,
                &id,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(IdentityError::Invalid(errors)) => {
            code_page(
                &state,
                &user.account_id,
                page,
                &id,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
