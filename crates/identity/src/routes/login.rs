//! Signing in: a password first, then a second factor (authenticator code, recovery code, a link
//! by e-mail or a code by SMS). Each step renews the session token.

use super::{clear_session_cookie, redirect_with_session};
use crate::service::{accounts, codes, password, sessions, throttle, totp};
use crate::strings::TABLES;
use crate::transport::{Email, Sms, EMAIL_JOB, SMS_JOB};
use crate::IdentityError;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use portico_audit::Event;
use portico_http::redirect::{local_path, safe_local_path};
use portico_http::session::AnySession;
use portico_http::{
    render, AppError, AppState, ClientAddr, CsrfForm, Field, FieldError, PageContext, SessionUser,
};
use portico_store::jobs::{enqueue, NewJob, CODES_QUEUE};
use portico_store::Tx;
use serde::Deserialize;

/// Where sign-in ends when no `next` page was asked for: `/start` sends each person on to
/// their work (their queue, the console, their consents or applications; see the binary's
/// `landing` module).
const LANDING: &str = "/start";

#[derive(Debug, Default, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    identifier: String,
    #[serde(default)]
    password: String,
    #[serde(default, deserialize_with = "local_path")]
    next: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct NextQuery {
    #[serde(default, deserialize_with = "local_path")]
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    page: PageContext,
    identifier: String,
    next: String,
    errors: Vec<FieldError>,
    retry_after: Option<i64>,
    /// Where "sign in with a certificate" leads, when it is configured.
    cert_link: String,
    /// External eID providers' buttons: (name, label in the page's language).
    eid: Vec<(String, String)>,
}

impl LoginPage {
    fn field(
        &self,
        name: &'static str,
        input_type: &'static str,
        autocomplete: &'static str,
    ) -> Field {
        let value = if name == "identifier" {
            self.identifier.as_str()
        } else {
            ""
        };
        self.page
            .field(&self.errors, name, input_type, value, autocomplete)
    }
}

pub async fn form(
    page: PageContext,
    Query(q): Query<NextQuery>,
    cert: Option<axum::Extension<super::certificates::CertificateLink>>,
    eid: Option<axum::Extension<super::eid::EidButtons>>,
) -> Result<Response, AppError> {
    if page.signed_in() {
        return Ok(Redirect::to(LANDING).into_response());
    }
    let page = page.with_strings(TABLES);
    let next = q.next.unwrap_or_default();
    let eid = eid
        .map(|e| {
            e.0 .0
                .iter()
                .map(|b| (b.name.clone(), b.label(page.lang).to_owned()))
                .collect()
        })
        .unwrap_or_default();
    Ok(render(&LoginPage {
        page,
        identifier: String::new(),
        next,
        cert_link: cert.map(|c| c.0 .0.clone()).unwrap_or_default(),
        eid,
        errors: vec![],
        retry_after: None,
    })?
    .into_response())
}

fn login_failed(
    page: PageContext,
    form: LoginForm,
    retry_after: Option<i64>,
) -> Result<Response, AppError> {
    let status = if retry_after.is_some() {
        StatusCode::TOO_MANY_REQUESTS
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let code = if retry_after.is_some() {
        "login.wrong_credentials_delay"
    } else {
        "login.wrong_credentials"
    };
    let html = render(&LoginPage {
        page,
        identifier: form.identifier,
        next: form.next.unwrap_or_default(),
        errors: vec![FieldError::new("identifier", code)],
        retry_after,
        cert_link: String::new(),
        eid: Vec::new(),
    })?;
    let mut response = (status, html).into_response();
    if let Some(secs) = retry_after {
        if let Ok(v) = secs.to_string().parse() {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    Ok(response)
}

/// The throttle key of a client address: its pseudonym, never the address itself.
pub(super) fn address_key(state: &AppState, client: &ClientAddr) -> String {
    state.pseudonymiser.pseudonym(&client.limit_key())
}

/// Counts a sign-in attempt against the account (or, when no account has that identifier,
/// against the identifier) and against the client address, before the password is checked.
/// Returns the delay that applies should it fail; refused at once while either is locked.
async fn claim_sign_in(
    state: &AppState,
    account_key: &str,
    address_key: &str,
) -> Result<i64, IdentityError> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    // Dropping the transaction on refusal takes back whatever was counted in it.
    let by_address = throttle::claim(&mut tx, address_key, &throttle::ADDRESS, now).await?;
    let by_account = throttle::claim(&mut tx, account_key, &throttle::SIGN_IN, now).await?;
    tx.commit().await?;
    Ok(by_address.max(by_account))
}

pub async fn submit(
    State(state): State<AppState>,
    page: PageContext,
    AnySession(existing): AnySession,
    client: ClientAddr,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Result<Response, AppError> {
    // An attempt is counted before its password is checked, so the check must also run to its
    // end when the client hangs up (which drops this future): in a task of its own, a right
    // password still clears what it counted, instead of leaving the account locked.
    tokio::spawn(sign_in(state, page, existing, client, form))
        .await
        .map_err(AppError::internal)?
}

async fn sign_in(
    state: AppState,
    page: PageContext,
    existing: Option<SessionUser>,
    client: ClientAddr,
    form: LoginForm,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let found = accounts::find_for_sign_in(&state.db, &form.identifier).await?;
    // Throttled per account, whichever identifier (e-mail or personal number) names it; an
    // unknown identifier is throttled the same way, so the delay reveals nothing.
    let key = match &found {
        Some((account, _)) => format!("login:account:{}", account.id),
        None => format!(
            "login:{}",
            state
                .pseudonymiser
                .pseudonym(&accounts::normalise_email(&form.identifier))
        ),
    };
    let address_key = format!("login:addr:{}", address_key(&state, &client));
    let delay = match claim_sign_in(&state, &key, &address_key).await {
        Ok(delay) => delay,
        Err(IdentityError::RateLimited(secs)) => return login_failed(page, form, Some(secs)),
        Err(e) => return Err(e.into()),
    };

    let (account, hash) = match found {
        Some((account, hash)) => (Some(account), Some(hash)),
        None => (None, None),
    };
    let ok = password::verify(hash, form.password.clone()).await;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let account = match (ok, account) {
        (true, Some(account)) => account,
        (_, account) => {
            let subject = account.map(|a| a.id).unwrap_or_else(|| key.clone());
            portico_audit::append(
                &mut tx,
                Event::new("anonymous", "identity.sign_in_failed", &subject),
                now,
            )
            .await
            .map_err(IdentityError::from)?;
            tx.commit().await?;
            return login_failed(page, form, (delay > 0).then_some(delay));
        }
    };
    throttle::reset(&mut tx, &key).await?;
    throttle::forgive(&mut tx, &address_key, &throttle::ADDRESS, now).await?;
    if let Some(old) = existing {
        sessions::delete(&mut tx, &old.session_id).await?;
    }
    let session = sessions::create(
        &mut tx,
        &account.id,
        sessions::STAGE_PASSWORD,
        portico_core::Assurance::Low,
        now,
    )
    .await?;
    tx.commit().await?;
    let next: String =
        url::form_urlencoded::byte_serialize(form.next.unwrap_or_default().as_bytes()).collect();
    Ok(redirect_with_session(
        &state,
        &format!("/login/second-factor?next={next}"),
        &session.token,
    ))
}

#[derive(Template)]
#[template(path = "second_factor.html")]
struct SecondFactorPage {
    page: PageContext,
    has_totp: bool,
    has_phone: bool,
    next: String,
    errors: Vec<FieldError>,
}

impl SecondFactorPage {
    fn code_field(&self) -> Field {
        self.page
            .field(&self.errors, "code", "text", "", "one-time-code")
    }
}

/// The pending session of someone between their password and their second factor.
fn pending(session: Option<SessionUser>) -> Result<SessionUser, Redirect> {
    match session {
        Some(user) if !user.fully_authenticated => Ok(user),
        Some(_) => Err(Redirect::to("/account")),
        None => Err(Redirect::to("/login")),
    }
}

/// A person between their password and their second factor. Anyone else is sent where they
/// belong: signed-in people to their account, everyone else to the start of sign-in.
pub struct PendingSignIn(SessionUser);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for PendingSignIn {
    type Rejection = Redirect;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Redirect> {
        let AnySession(session) = match AnySession::from_request_parts(parts, state).await {
            Ok(session) => session,
            Err(never) => match never {},
        };
        pending(session).map(PendingSignIn)
    }
}

async fn second_factor_page(
    state: &AppState,
    page: PageContext,
    user: &SessionUser,
    next: String,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let has_totp = totp::is_enrolled(&state.db, &user.account_id).await?;
    // A code by SMS only to a number proven by a code sent to it.
    let has_phone = accounts::verified_phone(&state.db, &user.account_id)
        .await?
        .is_some();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let html = render(&SecondFactorPage {
        page,
        has_totp,
        has_phone,
        next,
        errors,
    })?;
    Ok((status, html).into_response())
}

pub async fn second_factor(
    State(state): State<AppState>,
    page: PageContext,
    PendingSignIn(user): PendingSignIn,
    Query(q): Query<NextQuery>,
) -> Result<Response, AppError> {
    second_factor_page(
        &state,
        page.with_strings(TABLES),
        &user,
        q.next.unwrap_or_default(),
        vec![],
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default, deserialize_with = "local_path")]
    next: Option<String>,
}

/// Completes sign-in after a correct second factor: new token, audit entry, redirect onwards.
async fn finish_sign_in(
    state: &AppState,
    mut tx: Tx,
    user: &SessionUser,
    method: &str,
    next: Option<&str>,
) -> Result<Response, AppError> {
    let now = state.clock.now();
    throttle::reset(&mut tx, &format!("code:{}", user.account_id)).await?;
    let session = sessions::complete(&mut tx, &user.session_id, &user.account_id, now).await?;
    let event = Event::new(&user.account_id, "identity.sign_in", &user.account_id)
        .with(serde_json::json!({ "method": method }));
    portico_audit::append(&mut tx, event, now)
        .await
        .map_err(IdentityError::from)?;
    tx.commit().await?;
    // The page they came from, else the page with their work.
    let target = next
        .and_then(safe_local_path)
        .unwrap_or_else(|| LANDING.to_owned());
    Ok(redirect_with_session(state, &target, &session.token))
}

/// Records a wrong second factor (already counted by [`begin_code_check`]).
async fn second_factor_failed(
    state: &AppState,
    mut tx: Tx,
    user: &SessionUser,
) -> Result<(), AppError> {
    let now = state.clock.now();
    portico_audit::append(
        &mut tx,
        Event::new(
            &user.account_id,
            "identity.second_factor_failed",
            &user.account_id,
        ),
        now,
    )
    .await
    .map_err(IdentityError::from)?;
    tx.commit().await?;
    Ok(())
}

/// Counts a code attempt against the account before the code is checked (committed at once, so
/// parallel guesses each count) and returns the transaction to check it in, with the delay that
/// applies should it be wrong.
async fn begin_code_check(state: &AppState, user: &SessionUser) -> Result<(Tx, i64), AppError> {
    let mut tx = state.db.begin().await?;
    let delay = throttle::claim(
        &mut tx,
        &format!("code:{}", user.account_id),
        &throttle::SIGN_IN,
        state.clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok((state.db.begin().await?, delay))
}

/// Refuses to send a code while wrong codes are being slowed down, and counts the message per
/// account, destination and client address.
async fn begin_code_send(
    state: &AppState,
    user: &SessionUser,
    destination: &str,
    client: &ClientAddr,
) -> Result<Tx, AppError> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    throttle::check(&mut tx, &format!("code:{}", user.account_id), now).await?;
    throttle::claim_send(
        &mut tx,
        &user.account_id,
        destination,
        Some(&address_key(state, client)),
        now,
    )
    .await?;
    Ok(tx)
}

pub async fn verify_totp(
    State(state): State<AppState>,
    page: PageContext,
    PendingSignIn(user): PendingSignIn,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Result<Response, AppError> {
    let (mut tx, delay) = begin_code_check(&state, &user).await?;
    if totp::verify(&mut tx, &user.account_id, &form.code, state.clock.now()).await? {
        return finish_sign_in(&state, tx, &user, "totp", form.next.as_deref()).await;
    }
    second_factor_failed(&state, tx, &user).await?;
    if delay > 0 {
        return Err(AppError::RateLimited {
            retry_after_secs: delay,
        });
    }
    let errors = vec![FieldError::new("code", "code.wrong")];
    second_factor_page(
        &state,
        page.with_strings(TABLES),
        &user,
        form.next.unwrap_or_default(),
        errors,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct SendForm {
    #[serde(default, deserialize_with = "local_path")]
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "code_sent.html")]
struct CodeSentPage {
    page: PageContext,
    by_sms: bool,
    next: String,
    errors: Vec<FieldError>,
}

impl CodeSentPage {
    fn code_field(&self) -> Field {
        let mut field = self
            .page
            .field(&self.errors, "code", "text", "", "one-time-code");
        field.label = self.page.t("sms_code_label");
        field.hint = self.page.t("sms_code_hint");
        field
    }
}

pub async fn send_email_link(
    State(state): State<AppState>,
    page: PageContext,
    PendingSignIn(user): PendingSignIn,
    client: ClientAddr,
    CsrfForm(form): CsrfForm<SendForm>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let account = accounts::get(&state.db, &user.account_id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let now = state.clock.now();
    let mut tx = begin_code_send(&state, &user, &account.email, &client).await?;
    let token = codes::issue(
        &mut tx,
        &user.account_id,
        &user.session_id,
        codes::EMAIL_LINK,
        now,
    )
    .await?;
    let link = format!(
        "{}/login/email-link?token={token}",
        state.config.base_url.trim_end_matches('/')
    );
    let email = Email {
        to: account.email.clone(),
        subject: page.t("email_link_subject").to_owned(),
        body: format!(
            "Здравейте, {name}!\n\nЗа да влезете в Портико, отворете тази връзка в същия браузър (валидна 15 минути):\n{link}\n\n\
             Hello {name},\n\nTo sign in to Portico, open this link in the same browser (valid for 15 minutes):\n{link}\n\n\
             Ако не сте поискали вход, не правете нищо. / If you did not try to sign in, do nothing.\n",
            name = account.display_name()
        ),
    };
    let message = serde_json::to_value(&email).map_err(AppError::internal)?;
    queue_code_message(&state, tx, &user, EMAIL_JOB, message, "email").await?;
    let html = render(&CodeSentPage {
        page,
        by_sms: false,
        next: form.next.unwrap_or_default(),
        errors: vec![],
    })?;
    Ok(html.into_response())
}

/// Queues the message carrying a one-time code in the transaction that created the code (so the
/// code and its message exist together or not at all), records that it was sent, and wakes this
/// node's job worker so it goes out at once.
async fn queue_code_message(
    state: &AppState,
    mut tx: Tx,
    user: &SessionUser,
    job_kind: &str,
    message: serde_json::Value,
    channel: &str,
) -> Result<(), AppError> {
    let now = state.clock.now();
    // On the codes' own queue: a backlog of notifications to a slow relay does not delay it.
    let job = NewJob::now(job_kind, message, now).on(CODES_QUEUE);
    enqueue(&mut tx, job, now).await?;
    let event = Event::new(
        &user.account_id,
        "identity.second_factor_sent",
        &user.account_id,
    )
    .with(serde_json::json!({ "channel": channel }));
    portico_audit::append(&mut tx, event, now)
        .await
        .map_err(IdentityError::from)?;
    tx.commit().await?;
    state.jobs_waker.notify_one();
    Ok(())
}

#[derive(Debug, Deserialize)]
pub struct LinkQuery {
    #[serde(default)]
    token: String,
}

#[derive(Template)]
#[template(path = "link_invalid.html")]
struct LinkInvalidPage {
    page: PageContext,
}

pub async fn open_email_link(
    State(state): State<AppState>,
    page: PageContext,
    AnySession(session): AnySession,
    Query(q): Query<LinkQuery>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let invalid = |page| -> Result<Response, AppError> {
        Ok((StatusCode::BAD_REQUEST, render(&LinkInvalidPage { page })?).into_response())
    };
    // The link works only in the browser that asked for it, while its sign-in is pending.
    let Ok(user) = pending(session) else {
        return invalid(page);
    };
    let (mut tx, _) = begin_code_check(&state, &user).await?;
    if codes::redeem(
        &mut tx,
        &user.session_id,
        codes::EMAIL_LINK,
        &q.token,
        state.clock.now(),
    )
    .await?
    {
        return finish_sign_in(&state, tx, &user, "email_link", None).await;
    }
    second_factor_failed(&state, tx, &user).await?;
    invalid(page)
}

pub async fn send_sms_code(
    State(state): State<AppState>,
    page: PageContext,
    PendingSignIn(user): PendingSignIn,
    client: ClientAddr,
    CsrfForm(form): CsrfForm<SendForm>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    // Never to a number that was not verified: it may be anyone's.
    let Some(phone) = accounts::verified_phone(&state.db, &user.account_id).await? else {
        return Err(AppError::BadRequest("no_phone"));
    };
    let now = state.clock.now();
    let mut tx = begin_code_send(&state, &user, &phone, &client).await?;
    let code = codes::issue(&mut tx, &user.account_id, &user.session_id, codes::SMS, now).await?;
    let sms = Sms {
        to: phone,
        text: format!("Portico: {code} e kodyt vi za vhod / is your sign-in code"),
    };
    let message = serde_json::to_value(&sms).map_err(AppError::internal)?;
    queue_code_message(&state, tx, &user, SMS_JOB, message, "sms").await?;
    let html = render(&CodeSentPage {
        page,
        by_sms: true,
        next: form.next.unwrap_or_default(),
        errors: vec![],
    })?;
    Ok(html.into_response())
}

pub async fn verify_sms_code(
    State(state): State<AppState>,
    page: PageContext,
    PendingSignIn(user): PendingSignIn,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Result<Response, AppError> {
    let (mut tx, delay) = begin_code_check(&state, &user).await?;
    if codes::redeem(
        &mut tx,
        &user.session_id,
        codes::SMS,
        &form.code,
        state.clock.now(),
    )
    .await?
    {
        return finish_sign_in(&state, tx, &user, "sms", form.next.as_deref()).await;
    }
    second_factor_failed(&state, tx, &user).await?;
    if delay > 0 {
        return Err(AppError::RateLimited {
            retry_after_secs: delay,
        });
    }
    let errors = vec![FieldError::new("code", "code.wrong")];
    let html = render(&CodeSentPage {
        page: page.with_strings(TABLES),
        by_sms: true,
        next: form.next.unwrap_or_default(),
        errors,
    })?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
}

#[derive(Debug, Deserialize)]
pub struct Empty {}

pub async fn logout(
    State(state): State<AppState>,
    AnySession(session): AnySession,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, AppError> {
    if let Some(user) = session {
        let mut tx = state.db.begin().await?;
        sessions::delete(&mut tx, &user.session_id).await?;
        tx.commit().await?;
    }
    let mut response = Redirect::to("/").into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, clear_session_cookie(&state));
    Ok(response)
}
