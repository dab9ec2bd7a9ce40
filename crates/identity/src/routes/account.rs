//! The person's own account: details, second factors, sessions, and what happened to the account.

use super::clear_session_cookie;
use crate::service::{accounts, administrations, sessions, step_up, totp};
use crate::strings::TABLES;
use crate::IdentityError;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use portico_audit::{AuditEntry, Event};
use portico_core::Page;
use portico_http::{
    render, AppError, AppState, CsrfForm, Field, FieldError, PageContext, SignedIn,
};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    page: PageContext,
    name: String,
    personal_id: String,
    email: String,
    phone: String,
    has_totp: bool,
    active_sessions: i64,
    roles: Vec<(String, String)>,
    activity: Vec<AuditEntry>,
    banner: &'static str,
    errors: Vec<FieldError>,
    /// How well the identifier is proven, and this session's level, as words.
    identity_level: &'static str,
    session_level: &'static str,
    /// Whether the identifier is still only claimed (then the page says how to verify it).
    claimed: bool,
    /// Checks at a counter: when, where (the administration), and by which role.
    verifications: Vec<(DateTime<Utc>, String, &'static str)>,
}

fn level_key(level: portico_core::Assurance) -> &'static str {
    match level {
        portico_core::Assurance::Low => "assurance_low",
        portico_core::Assurance::Substantial => "assurance_substantial",
        portico_core::Assurance::High => "assurance_high",
    }
}

impl AccountPage {
    /// The second factor asked for again before the authenticator app is removed.
    fn code_field(&self) -> Field {
        self.page
            .field(&self.errors, "code", "text", "", "one-time-code")
    }

    fn when(&self, at: &DateTime<Utc>) -> String {
        // Stored in UTC, shown in Sofia time.
        portico_core::calendar::sofia_local(*at)
            .format("%d.%m.%Y %H:%M")
            .to_string()
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct BannerQuery {
    done: Option<String>,
}

pub async fn overview(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Query(q): Query<BannerQuery>,
) -> Result<Response, AppError> {
    let banner = match q.done.as_deref() {
        Some("totp") => "totp_enrolled_banner",
        Some("totp_removed") => "totp_removed_banner",
        Some("email_changed") => "contact_email_changed_banner",
        Some("phone_changed") => "contact_phone_changed_banner",
        _ => "",
    };
    account_page(&state, &user, page, banner, vec![]).await
}

async fn account_page(
    state: &AppState,
    user: &portico_http::SessionUser,
    page: PageContext,
    banner: &'static str,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let account = accounts::get(&state.db, &user.account_id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let has_totp = totp::is_enrolled(&state.db, &account.id).await?;
    let active_sessions = sessions::count_active(&state.db, &account.id, state.clock.now()).await?;
    let activity = portico_audit::list_for_subject(
        &state.db,
        &account.id,
        Page {
            limit: 10,
            offset: 0,
        },
    )
    .await
    .map_err(IdentityError::from)?;
    let mut roles = Vec::new();
    for grant in &user.roles {
        let name = administrations::get(&state.db, &grant.administration_id)
            .await?
            .map(|a| a.name(page.lang).to_owned())
            .unwrap_or_default();
        // The role as people name it, not its code.
        let role = page.t(&format!("role_{}", grant.role.as_str())).to_owned();
        roles.push((name, role));
    }
    let identity_level =
        crate::service::verification::identity_level(&state.db, &account.id).await?;
    let mut verifications = Vec::new();
    for v in crate::service::verification::list_for(&state.db, &account.id).await? {
        let name = administrations::get(&state.db, &v.administration_id)
            .await?
            .map(|a| a.name(page.lang).to_owned())
            .unwrap_or_default();
        let document = match v.document_kind.as_str() {
            "passport" => "document_kind_passport",
            "residence_permit" => "document_kind_residence_permit",
            _ => "document_kind_identity_card",
        };
        verifications.push((v.at, name, page.t(document)));
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let html = render(&AccountPage {
        name: account.display_name(),
        personal_id: account
            .personal_id
            .map(|p| p.to_string())
            .unwrap_or_default(),
        email: account.email,
        phone: account.phone.unwrap_or_default(),
        has_totp,
        active_sessions,
        roles,
        activity,
        banner,
        errors,
        identity_level: page.t(level_key(identity_level)),
        session_level: page.t(level_key(user.assurance)),
        claimed: identity_level == portico_core::Assurance::Low
            && account.kind == crate::model::AccountKind::Citizen,
        verifications,
        page,
    })?;
    Ok((status, html).into_response())
}

#[derive(Template)]
#[template(path = "totp_setup.html")]
struct TotpSetupPage {
    page: PageContext,
    qr_svg: String,
    secret: String,
    errors: Vec<FieldError>,
}

impl TotpSetupPage {
    fn code_field(&self) -> Field {
        self.page
            .field(&self.errors, "code", "text", "", "one-time-code")
    }

    /// The key in groups of four, easier to type by hand.
    fn grouped_secret(&self) -> String {
        self.secret
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn qr_svg(data: &str) -> Result<String, AppError> {
    let code = qrcode::QrCode::new(data.as_bytes()).map_err(AppError::internal)?;
    Ok(code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .build())
}

async fn totp_setup_page(
    state: &AppState,
    page: PageContext,
    user_id: &str,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let account = accounts::get(&state.db, user_id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let enrolment = match totp::pending(&state.db, user_id, &account.email).await? {
        Some(e) => e,
        None => {
            let mut tx = state.db.begin().await?;
            let e = totp::begin(&mut tx, user_id, &account.email, state.clock.now()).await?;
            tx.commit().await?;
            e
        }
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let html = render(&TotpSetupPage {
        page,
        qr_svg: qr_svg(&enrolment.otpauth_url)?,
        secret: enrolment.secret,
        errors,
    })?;
    Ok((status, html).into_response())
}

pub async fn totp_form(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    page: PageContext,
) -> Result<Response, AppError> {
    if totp::is_enrolled(&state.db, &user.account_id).await? {
        return Ok(Redirect::to("/account").into_response());
    }
    totp_setup_page(&state, page.with_strings(TABLES), &user.account_id, vec![]).await
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

#[derive(Template)]
#[template(path = "recovery_codes.html")]
struct RecoveryCodesPage {
    page: PageContext,
    codes: Vec<String>,
}

pub async fn totp_confirm(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let mut tx = state.db.begin().await?;
    match totp::confirm(
        &mut tx,
        &user.account_id,
        &user.session_id,
        &form.code,
        state.clock.now(),
    )
    .await
    {
        Ok(codes) => {
            tx.commit().await?;
            let mut response = render(&RecoveryCodesPage { page, codes })?.into_response();
            // Recovery codes are shown once: no cache may keep the page.
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                header::HeaderValue::from_static("no-store"),
            );
            Ok(response)
        }
        Err(IdentityError::WrongCode) => {
            drop(tx);
            totp_setup_page(
                &state,
                page,
                &user.account_id,
                vec![FieldError::new("code", "code.wrong")],
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct Empty {}

/// The step-up purpose of removing (or, by removing then setting up again, replacing) the
/// authenticator app.
pub const REMOVE_FACTOR: &str = totp::REMOVE_PURPOSE;

/// Removing the authenticator app asks for one of its codes (or a recovery code) again, so a
/// session left open on a shared computer cannot take the second factor off the account.
pub async fn totp_remove(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Result<Response, AppError> {
    let now = state.clock.now();
    let proof =
        match step_up::confirm(&state.db, &user.account_id, &form.code, REMOVE_FACTOR, now).await {
            Ok(proof) => proof,
            Err(IdentityError::WrongCode) => {
                let errors = vec![FieldError::new("code", "code.wrong")];
                return account_page(&state, &user, page, "", errors).await;
            }
            Err(e) => return Err(e.into()),
        };
    let mut tx = state.db.begin().await?;
    totp::remove(&mut tx, &proof, now).await?;
    tx.commit().await?;
    Ok(Redirect::to("/account?done=totp_removed").into_response())
}

pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, AppError> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let ended = sessions::delete_all(&mut tx, &user.account_id).await?;
    let event = Event::new(
        &user.account_id,
        "identity.signed_out_everywhere",
        &user.account_id,
    )
    .with(serde_json::json!({ "sessions": ended }));
    portico_audit::append(&mut tx, event, now)
        .await
        .map_err(IdentityError::from)?;
    tx.commit().await?;
    let mut response = Redirect::to("/login").into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, clear_session_cookie(&state));
    Ok(response)
}
