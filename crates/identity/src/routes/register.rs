use super::redirect_with_session;
use crate::model::Registration;
use crate::service::{accounts, password, sessions};
use crate::strings::TABLES;
use crate::IdentityError;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portico_audit::Event;
use portico_http::{render, AppError, AppState, CsrfForm, Field, FieldError, PageContext};

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    page: PageContext,
    form: Registration,
    errors: Vec<FieldError>,
}

impl RegisterPage {
    fn field(
        &self,
        name: &'static str,
        input_type: &'static str,
        autocomplete: &'static str,
    ) -> Field {
        let value = match name {
            "personal_id" => &self.form.personal_id,
            "given_name" => &self.form.given_name,
            "family_name" => &self.form.family_name,
            "email" => &self.form.email,
            "phone" => &self.form.phone,
            // Passwords are never sent back to the browser.
            _ => "",
        };
        self.page
            .field(&self.errors, name, input_type, value, autocomplete)
    }

    fn is_lnch(&self) -> bool {
        self.form.personal_id_kind == "lnch"
    }
}

pub async fn form(page: PageContext) -> Result<Response, AppError> {
    if page.signed_in() {
        return Ok(Redirect::to("/account").into_response());
    }
    let page = page.with_strings(TABLES);
    Ok(render(&RegisterPage {
        page,
        form: Registration::default(),
        errors: vec![],
    })?
    .into_response())
}

pub async fn submit(
    State(state): State<AppState>,
    page: PageContext,
    CsrfForm(form): CsrfForm<Registration>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let valid = match accounts::validate(&form) {
        Ok(valid) => valid,
        Err(IdentityError::Invalid(errors)) => return show_errors(page, form, errors),
        Err(e) => return Err(e.into()),
    };
    let hash = password::hash(valid.password.clone()).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let account = match accounts::register(&mut tx, &valid, &hash, now).await {
        Ok(account) => account,
        Err(IdentityError::Invalid(errors)) => return show_errors(page, form, errors),
        Err(e) => return Err(e.into()),
    };
    let session = sessions::create(
        &mut tx,
        &account.id,
        sessions::STAGE_COMPLETE,
        // Opened with the password just chosen: no second factor yet.
        portico_core::Assurance::Low,
        now,
    )
    .await?;
    let event = Event::new(&account.id, "identity.sign_in", &account.id)
        .with(serde_json::json!({ "method": "registration" }));
    portico_audit::append(&mut tx, event, now)
        .await
        .map_err(IdentityError::from)?;
    tx.commit().await?;
    tracing::info!(account = %account.id, "account registered");
    Ok(redirect_with_session(
        &state,
        "/account/totp",
        &session.token,
    ))
}

fn show_errors(
    page: PageContext,
    form: Registration,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let html = render(&RegisterPage { page, form, errors })?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
}
