//! Onboarding an administration in the browser: a platform admin creates it
//! (`/admin/administrations`) and invites its first admin; the admin (or the platform admin)
//! adds its units, one at a time or from a CSV file, and invites its staff to units with roles
//! (`/admin/administrations/{id}`); an invited person opens `/invitations/{token}`, chooses a
//! password and goes on to set up a second factor. The rules are in
//! [`crate::service::invitations`] and [`crate::service::administrations`].

use super::redirect_with_session;
use crate::model::{Administration, NewAdministration, NewStaff, Role};
use crate::service::administrations::{self, Contacts, LineProblem, NewUnit};
use crate::service::invitations::{self, NewInvitation, INVITABLE};
use crate::service::{accounts, password, roles, sessions};
use crate::strings::TABLES;
use crate::IdentityError;
use askama::Template;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portico_audit::Event;
use portico_core::{Actor, AdministrationKind, Eik};
use portico_http::csrf::{token_matches, CsrfCookie, CSRF_FIELD};
use portico_http::session::AnySession;
use portico_http::{
    render, AppError, AppState, CsrfForm, Field, FieldError, PageContext, SessionUser, SignedIn,
};
use serde::Deserialize;

pub fn pages() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route(
            "/admin/administrations",
            get(list_page).post(create_administration),
        )
        .route("/admin/administrations/{id}", get(administration_page))
        .route("/admin/administrations/{id}/units", post(add_unit))
        .route("/admin/administrations/{id}/units/file", post(upload_units))
        .route("/admin/administrations/{id}/invitations", post(invite))
        .route("/invitations/{token}", get(invitation_form).post(accept))
}

fn name_of(a: &Administration, lang: portico_http::Lang) -> String {
    a.name(lang).to_owned()
}

// ---------------------------------------------------------------------------------------------
// The list of administrations and the form that adds one (platform admins only).

#[derive(Debug, Default, Clone, Deserialize)]
pub struct NewAdministrationForm {
    #[serde(default)]
    name_bg: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    eik: String,
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    contact_email: String,
    #[serde(default)]
    contact_phone: String,
    #[serde(default)]
    contact_address: String,
    #[serde(default)]
    admin_email: String,
}

#[derive(Template)]
#[template(path = "onboarding_list.html")]
struct ListPage {
    page: PageContext,
    /// (id, name, kind, EIK, parent's name)
    rows: Vec<(String, String, &'static str, String, String)>,
    parents: Vec<(String, String)>,
    form: NewAdministrationForm,
    errors: Vec<FieldError>,
}

impl ListPage {
    fn field(&self, name: &'static str, input_type: &'static str) -> Field {
        let value = match name {
            "name_bg" => &self.form.name_bg,
            "name_en" => &self.form.name_en,
            "eik" => &self.form.eik,
            "contact_email" => &self.form.contact_email,
            "contact_phone" => &self.form.contact_phone,
            "contact_address" => &self.form.contact_address,
            _ => &self.form.admin_email,
        };
        self.page
            .field(&self.errors, name, input_type, value, "off")
    }

    fn error(&self, name: &str) -> Option<&'static str> {
        self.page.field_error(&self.errors, name)
    }

    fn kinds(&self) -> Vec<(&'static str, &'static str, bool)> {
        AdministrationKind::ALL
            .into_iter()
            .map(|k| {
                (
                    k.as_str(),
                    self.page.t(&format!("kind_{}", k.as_str())),
                    self.form.kind == k.as_str(),
                )
            })
            .collect()
    }
}

fn kind_key(kind: AdministrationKind) -> String {
    format!("kind_{}", kind.as_str())
}

async fn list_view(
    state: &AppState,
    page: PageContext,
    form: NewAdministrationForm,
    errors: Vec<FieldError>,
) -> Result<ListPage, AppError> {
    let all = administrations::list(&state.db).await?;
    let lang = page.lang;
    let name_by_id = |id: &Option<String>| {
        id.as_ref()
            .and_then(|id| all.iter().find(|a| &a.id == id))
            .map(|a| name_of(a, lang))
            .unwrap_or_default()
    };
    let rows = all
        .iter()
        .map(|a| {
            (
                a.id.clone(),
                name_of(a, lang),
                page.t(&kind_key(a.kind)),
                a.eik.as_str().to_owned(),
                name_by_id(&a.parent_id),
            )
        })
        .collect();
    let parents = all
        .iter()
        .filter(|a| a.parent_id.is_none())
        .map(|a| (a.id.clone(), name_of(a, lang)))
        .collect();
    Ok(ListPage {
        page,
        rows,
        parents,
        form,
        errors,
    })
}

fn platform_admin(user: &SessionUser) -> Result<(), AppError> {
    if user.is_platform_admin() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub async fn list_page(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    page: PageContext,
) -> Result<Response, AppError> {
    platform_admin(&user)?;
    let view = list_view(
        &state,
        page.with_strings(TABLES),
        NewAdministrationForm::default(),
        vec![],
    )
    .await?;
    Ok(render(&view)?.into_response())
}

/// Checks the form; every problem is a field error.
fn read_administration(
    form: &NewAdministrationForm,
) -> Result<(NewAdministration, Contacts), Vec<FieldError>> {
    let mut errors = Vec::new();
    for (name, value) in [("name_bg", &form.name_bg), ("name_en", &form.name_en)] {
        if value.trim().is_empty() {
            errors.push(FieldError::new(name, &format!("{name}.missing")));
        } else if value.chars().count() > 200 {
            errors.push(FieldError::new(name, "name.too_long"));
        }
    }
    let kind = form.kind.parse::<AdministrationKind>().ok();
    if kind.is_none() {
        errors.push(FieldError::new("kind", "administration.kind_missing"));
    }
    let eik = match form.eik.trim() {
        "" => {
            errors.push(FieldError::new("eik", "eik.missing"));
            None
        }
        value => match Eik::parse(value) {
            Ok(eik) => Some(eik),
            Err(e) => {
                errors.push(FieldError::new("eik", e.code()));
                None
            }
        },
    };
    let email = accounts::normalise_email(&form.contact_email);
    if !email.is_empty() && !accounts::email_is_plausible(&email) {
        errors.push(FieldError::new("contact_email", "email.invalid"));
    }
    let phone = form.contact_phone.trim();
    let phone = if phone.is_empty() {
        String::new()
    } else {
        match accounts::normalise_phone(phone) {
            Some(p) => p,
            None => {
                errors.push(FieldError::new("contact_phone", "phone.invalid"));
                String::new()
            }
        }
    };
    if form.contact_address.chars().count() > 300 {
        errors.push(FieldError::new("contact_address", "name.too_long"));
    }
    let admin_email = accounts::normalise_email(&form.admin_email);
    if !admin_email.is_empty() && !accounts::email_is_plausible(&admin_email) {
        errors.push(FieldError::new("admin_email", "email.invalid"));
    }
    match (kind, eik) {
        (Some(kind), Some(eik)) if errors.is_empty() => Ok((
            NewAdministration {
                name_bg: form.name_bg.trim().to_owned(),
                name_en: form.name_en.trim().to_owned(),
                kind,
                eik,
                parent_id: Some(form.parent_id.trim().to_owned()).filter(|p| !p.is_empty()),
            },
            Contacts {
                email,
                phone,
                address: form.contact_address.trim().to_owned(),
            },
        )),
        _ => Err(errors),
    }
}

/// Creates the administration with its contacts and, when an e-mail is given, the invitation
/// of its first admin: all in one transaction, each step audited.
pub async fn create_administration(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    CsrfForm(form): CsrfForm<NewAdministrationForm>,
) -> Result<Response, AppError> {
    platform_admin(&user)?;
    let page = page.with_strings(TABLES);
    let (new, contacts) = match read_administration(&form) {
        Ok(read) => read,
        Err(errors) => return refuse_list(&state, page, form, errors).await,
    };
    let actor = user.actor();
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let created = match administrations::create(&mut tx, &new, &user.account_id, now).await {
        Ok(a) => a,
        Err(IdentityError::Invalid(errors)) => {
            return refuse_list(&state, page, form, errors).await
        }
        Err(IdentityError::UnknownAdministration) => {
            let errors = vec![FieldError::new(
                "parent_id",
                "administration.parent_unknown",
            )];
            return refuse_list(&state, page, form, errors).await;
        }
        Err(e) => return Err(e.into()),
    };
    administrations::set_contacts(&mut tx, &created.id, &contacts).await?;
    let admin_email = form.admin_email.trim();
    if !admin_email.is_empty() {
        let invitation = NewInvitation {
            email: admin_email,
            administration_id: &created.id,
            unit_id: None,
            role: Role::AdministrationAdmin,
        };
        match invitations::create(&mut tx, &actor, &invitation, &state.config.base_url, now).await {
            Ok(_) => {}
            Err(IdentityError::Invalid(mut errors)) => {
                for e in &mut errors {
                    e.field = "admin_email".into();
                }
                return refuse_list(&state, page, form, errors).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
    tx.commit().await?;
    state.jobs_waker.notify_one();
    tracing::info!(administration = %created.id, "administration created");
    Ok(Redirect::to(&format!(
        "/admin/administrations/{}?done=created",
        created.id
    ))
    .into_response())
}

async fn refuse_list(
    state: &AppState,
    page: PageContext,
    form: NewAdministrationForm,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let view = list_view(state, page, form, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)?).into_response())
}

// ---------------------------------------------------------------------------------------------
// One administration: its units, staff and invitations.

#[derive(Debug, Default, Clone, Deserialize)]
pub struct UnitForm {
    #[serde(default, rename = "unit_code")]
    code: String,
    #[serde(default)]
    unit_name_bg: String,
    #[serde(default)]
    unit_name_en: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct InviteForm {
    #[serde(default, rename = "invite_email")]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    unit: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

struct StaffRow {
    name: String,
    role: &'static str,
    unit: String,
}

struct InvitationRow {
    email: String,
    role: &'static str,
    unit: String,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "onboarding_administration.html")]
struct AdministrationPage {
    page: PageContext,
    id: String,
    name: String,
    kind: &'static str,
    eik: String,
    parent: String,
    contacts: Contacts,
    /// (code, name)
    units: Vec<(String, String)>,
    staff: Vec<StaffRow>,
    invitations: Vec<InvitationRow>,
    unit_form: UnitForm,
    invite_form: InviteForm,
    errors: Vec<FieldError>,
    /// Each problem of an uploaded units file: (line, message).
    lines: Vec<(usize, &'static str)>,
    banner: &'static str,
    is_platform_admin: bool,
}

impl AdministrationPage {
    fn field(&self, name: &'static str, input_type: &'static str) -> Field {
        let value = match name {
            "unit_code" => &self.unit_form.code,
            "unit_name_bg" => &self.unit_form.unit_name_bg,
            "unit_name_en" => &self.unit_form.unit_name_en,
            _ => &self.invite_form.email,
        };
        self.page
            .field(&self.errors, name, input_type, value, "off")
    }

    fn error(&self, name: &str) -> Option<&'static str> {
        self.page.field_error(&self.errors, name)
    }

    fn roles(&self) -> Vec<(&'static str, &'static str, bool)> {
        let chosen = if self.invite_form.role.is_empty() {
            "operator"
        } else {
            self.invite_form.role.as_str()
        };
        INVITABLE
            .into_iter()
            .map(|r| {
                (
                    r.as_str(),
                    self.page.t(&format!("role_{}", r.as_str())),
                    r.as_str() == chosen,
                )
            })
            .collect()
    }

    fn line_message(&self, line: &usize, message: &&'static str) -> String {
        format!("{} {line}: {message}", self.page.t("units_file_line"))
    }
}

/// The administration, if this person may administer it; NotFound otherwise, so another
/// administration's page reveals nothing, not even that it exists.
async fn administered(
    state: &AppState,
    actor: &Actor,
    id: &str,
) -> Result<Administration, AppError> {
    if !invitations::may_administer(actor, id) {
        return Err(AppError::NotFound);
    }
    administrations::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)
}

#[allow(clippy::too_many_arguments)]
async fn administration_view(
    state: &AppState,
    page: PageContext,
    user: &SessionUser,
    administration: &Administration,
    unit_form: UnitForm,
    invite_form: InviteForm,
    errors: Vec<FieldError>,
    lines: Vec<(usize, &'static str)>,
    banner: &'static str,
) -> Result<AdministrationPage, AppError> {
    let lang = page.lang;
    let actor = user.actor();
    let units = administrations::list_units(&state.db, &administration.id).await?;
    let unit_name = |id: &Option<String>| {
        id.as_ref()
            .and_then(|id| units.iter().find(|u| &u.id == id))
            .map(|u| match lang {
                portico_http::Lang::Bg => u.name_bg.clone(),
                portico_http::Lang::En => u.name_en.clone(),
            })
            .unwrap_or_default()
    };
    let mut staff = Vec::new();
    for role in INVITABLE {
        for h in roles::holders(&state.db, &administration.id, role).await? {
            staff.push(StaffRow {
                name: h.name,
                role: page.t(&format!("role_{}", role.as_str())),
                unit: unit_name(&h.unit_id),
            });
        }
    }
    let now = state.clock.now();
    let invitations = invitations::list(&state.db, &actor, &administration.id)
        .await?
        .into_iter()
        .map(|i| InvitationRow {
            status: page.t(if i.used_at.is_some() {
                "invitation_status_used"
            } else if i.is_open(now) {
                "invitation_status_open"
            } else {
                "invitation_status_expired"
            }),
            role: page.t(&format!("role_{}", i.role.as_str())),
            unit: unit_name(&i.unit_id),
            email: i.email,
        })
        .collect();
    let parent = match &administration.parent_id {
        Some(p) => administrations::get(&state.db, p)
            .await?
            .map(|a| name_of(&a, lang))
            .unwrap_or_default(),
        None => String::new(),
    };
    Ok(AdministrationPage {
        id: administration.id.clone(),
        name: name_of(administration, lang),
        kind: page.t(&kind_key(administration.kind)),
        eik: administration.eik.as_str().to_owned(),
        parent,
        contacts: administrations::contacts(&state.db, &administration.id).await?,
        units: units
            .iter()
            .map(|u| {
                (
                    u.code.clone(),
                    match lang {
                        portico_http::Lang::Bg => u.name_bg.clone(),
                        portico_http::Lang::En => u.name_en.clone(),
                    },
                )
            })
            .collect(),
        staff,
        invitations,
        unit_form,
        invite_form,
        errors,
        lines,
        banner,
        is_platform_admin: user.is_platform_admin(),
        page,
    })
}

pub async fn administration_page(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, AppError> {
    let administration = administered(&state, &user.actor(), &id).await?;
    let banner = match q.done.as_deref() {
        Some("created") => "administration_created_banner",
        Some("unit") => "unit_added_banner",
        Some("units") => "units_added_banner",
        Some("invited") => "invitation_sent_banner",
        _ => "",
    };
    let view = administration_view(
        &state,
        page.with_strings(TABLES),
        &user,
        &administration,
        UnitForm::default(),
        InviteForm::default(),
        vec![],
        vec![],
        banner,
    )
    .await?;
    Ok(render(&view)?.into_response())
}

#[allow(clippy::too_many_arguments)]
async fn refuse_administration(
    state: &AppState,
    page: PageContext,
    user: &SessionUser,
    administration: &Administration,
    unit_form: UnitForm,
    invite_form: InviteForm,
    errors: Vec<FieldError>,
    lines: Vec<(usize, &'static str)>,
) -> Result<Response, AppError> {
    let view = administration_view(
        state,
        page,
        user,
        administration,
        unit_form,
        invite_form,
        errors,
        lines,
        "",
    )
    .await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)?).into_response())
}

fn back_to(id: &str, done: &str) -> Response {
    Redirect::to(&format!("/admin/administrations/{id}?done={done}")).into_response()
}

/// Adds one unit typed on the page.
pub async fn add_unit(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<UnitForm>,
) -> Result<Response, AppError> {
    let administration = administered(&state, &user.actor(), &id).await?;
    let page = page.with_strings(TABLES);
    let unit = NewUnit {
        code: form.code.trim().to_owned(),
        name_bg: form.unit_name_bg.trim().to_owned(),
        name_en: form.unit_name_en.trim().to_owned(),
    };
    let field_for = |code: &str| match code {
        "unit.code_invalid" | "unit.code_taken" => "unit_code",
        _ if unit.name_bg.is_empty() || unit.name_bg.chars().count() > 200 => "unit_name_bg",
        _ => "unit_name_en",
    };
    let problem = match administrations::check_unit(&unit) {
        Some(code) => Some(code),
        None => {
            let mut tx = state.db.begin().await?;
            match administrations::add_units(
                &mut tx,
                &administration.id,
                std::slice::from_ref(&unit),
                &[],
                &user.account_id,
                state.clock.now(),
            )
            .await
            {
                Ok(_) => {
                    tx.commit().await?;
                    None
                }
                Err(Ok(problems)) => problems.first().map(|p| p.code),
                Err(Err(e)) => return Err(e.into()),
            }
        }
    };
    match problem {
        None => Ok(back_to(&administration.id, "unit")),
        Some(code) => {
            let errors = vec![FieldError::new(field_for(code), code)];
            refuse_administration(
                &state,
                page,
                &user,
                &administration,
                form,
                InviteForm::default(),
                errors,
                vec![],
            )
            .await
        }
    }
}

/// At most this many bytes in an uploaded units file (500 units fit easily).
const MAX_UNITS_FILE_BYTES: usize = 256 * 1024;

/// Adds the units of an uploaded CSV file: all of them, or (naming every bad line) none.
pub async fn upload_units(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, AppError> {
    let cookie = req
        .extensions()
        .get::<CsrfCookie>()
        .map(|c| c.0.clone())
        .unwrap_or_default();
    let mut multipart = Multipart::from_request(req, &state)
        .await
        .map_err(|_| AppError::BadRequest("malformed_form"))?;
    let (mut token, mut file) = (String::new(), None::<Vec<u8>>);
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("malformed_form"))?
    {
        match field.name().unwrap_or("") {
            CSRF_FIELD => token = field.text().await.unwrap_or_default(),
            "units_file" => {
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|_| AppError::BadRequest("upload_failed"))?;
                if !bytes.is_empty() {
                    file = Some(bytes.to_vec());
                }
            }
            _ => {}
        }
    }
    if cookie.is_empty() || !token_matches(&state.config.csrf_key, &cookie, &token) {
        return Err(AppError::Csrf);
    }
    let administration = administered(&state, &user.actor(), &id).await?;
    let page = page.with_strings(TABLES);
    let refuse = |code: &str, problems: Vec<LineProblem>| {
        let lines = problems
            .iter()
            .map(|p| (p.line, page.t(p.code)))
            .collect::<Vec<_>>();
        (vec![FieldError::new("units_file", code)], lines)
    };
    let (errors, lines) = match file {
        None => refuse("unit.file_missing", vec![]),
        Some(bytes) if bytes.len() > MAX_UNITS_FILE_BYTES => refuse("unit.file_too_big", vec![]),
        Some(bytes) => match String::from_utf8(bytes) {
            Err(_) => refuse("unit.file_not_utf8", vec![]),
            Ok(text) => match administrations::parse_units_csv(&text) {
                Err(problems) => refuse("unit.file_invalid", problems),
                Ok(parsed) => {
                    let (lines, units): (Vec<usize>, Vec<NewUnit>) = parsed.into_iter().unzip();
                    let mut tx = state.db.begin().await?;
                    match administrations::add_units(
                        &mut tx,
                        &administration.id,
                        &units,
                        &lines,
                        &user.account_id,
                        state.clock.now(),
                    )
                    .await
                    {
                        Ok(added) => {
                            tx.commit().await?;
                            tracing::info!(administration = %administration.id, units = added.len(), "units added from a file");
                            return Ok(back_to(&administration.id, "units"));
                        }
                        Err(Ok(problems)) => refuse("unit.file_invalid", problems),
                        Err(Err(e)) => return Err(e.into()),
                    }
                }
            },
        },
    };
    refuse_administration(
        &state,
        page,
        &user,
        &administration,
        UnitForm::default(),
        InviteForm::default(),
        errors,
        lines,
    )
    .await
}

/// Invites a person to a role (and, for an operator, optionally a unit).
pub async fn invite(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<InviteForm>,
) -> Result<Response, AppError> {
    let actor = user.actor();
    let administration = administered(&state, &actor, &id).await?;
    let page = page.with_strings(TABLES);
    let role = form
        .role
        .parse::<Role>()
        .ok()
        .filter(|r| INVITABLE.contains(r));
    let units = administrations::list_units(&state.db, &administration.id).await?;
    let unit = form.unit.trim();
    let unit_id = if unit.is_empty() {
        Ok(None)
    } else {
        units
            .iter()
            .find(|u| u.code == unit)
            .map(|u| Some(u.id.clone()))
            .ok_or(())
    };
    let result = match (role, unit_id) {
        (None, _) => Err(vec![FieldError::new("role", "invitation.role_invalid")]),
        (_, Err(())) => Err(vec![FieldError::new("unit", "invitation.unit_unknown")]),
        (Some(role), Ok(unit_id)) => {
            let now = state.clock.now();
            let mut tx = state.db.begin().await?;
            let new = NewInvitation {
                email: &form.email,
                administration_id: &administration.id,
                unit_id: unit_id.as_deref(),
                role,
            };
            match invitations::create(&mut tx, &actor, &new, &state.config.base_url, now).await {
                Ok(_) => {
                    tx.commit().await?;
                    state.jobs_waker.notify_one();
                    Ok(())
                }
                Err(IdentityError::Invalid(mut errors)) => {
                    for e in &mut errors {
                        if e.field == "email" {
                            e.field = "invite_email".into();
                        }
                    }
                    Err(errors)
                }
                Err(e) => return Err(e.into()),
            }
        }
    };
    match result {
        Ok(()) => Ok(back_to(&administration.id, "invited")),
        Err(errors) => {
            refuse_administration(
                &state,
                page,
                &user,
                &administration,
                UnitForm::default(),
                form,
                errors,
                vec![],
            )
            .await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Accepting an invitation.

#[derive(Debug, Default, Clone, Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    given_name: String,
    #[serde(default)]
    family_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationPage {
    page: PageContext,
    token: String,
    administration: String,
    role: &'static str,
    email: String,
    /// The invited address has an account already: sign in with it, then accept.
    existing: bool,
    /// Signed in as that account.
    signed_in_as_invited: bool,
    form: AcceptForm,
    errors: Vec<FieldError>,
}

impl InvitationPage {
    fn field(
        &self,
        name: &'static str,
        input_type: &'static str,
        autocomplete: &'static str,
    ) -> Field {
        let value = match name {
            "given_name" => &self.form.given_name,
            "family_name" => &self.form.family_name,
            _ => "",
        };
        self.page
            .field(&self.errors, name, input_type, value, autocomplete)
    }
}

#[derive(Template)]
#[template(path = "invitation_invalid.html")]
struct InvalidPage {
    page: PageContext,
}

fn invalid(page: PageContext) -> Result<Response, AppError> {
    Ok((
        StatusCode::NOT_FOUND,
        render(&InvalidPage {
            page: page.with_strings(TABLES),
        })?,
    )
        .into_response())
}

async fn invitation_view(
    state: &AppState,
    page: PageContext,
    session: &Option<SessionUser>,
    token: &str,
    invitation: &invitations::Invitation,
    form: AcceptForm,
    errors: Vec<FieldError>,
) -> Result<InvitationPage, AppError> {
    let administration = administrations::get(&state.db, &invitation.administration_id)
        .await?
        .map(|a| name_of(&a, page.lang))
        .unwrap_or_default();
    let existing = accounts::find_by_email(&state.db, &invitation.email).await?;
    let signed_in_as_invited = match (session, &existing) {
        (Some(s), Some(a)) => s.fully_authenticated && s.account_id == a.id,
        _ => false,
    };
    Ok(InvitationPage {
        token: token.to_owned(),
        administration,
        role: page.t(&format!("role_{}", invitation.role.as_str())),
        email: invitation.email.clone(),
        existing: existing.is_some(),
        signed_in_as_invited,
        form,
        errors,
        page,
    })
}

/// A token is 43 URL-safe characters; anything else is not looked up.
fn plausible_token(token: &str) -> bool {
    token.len() == 43
        && token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

pub async fn invitation_form(
    State(state): State<AppState>,
    AnySession(session): AnySession,
    page: PageContext,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    if !plausible_token(&token) {
        return invalid(page);
    }
    let invitation = match invitations::open(&state.db, &token, state.clock.now()).await {
        Ok(i) => i,
        Err(IdentityError::WrongCode) => return invalid(page),
        Err(e) => return Err(e.into()),
    };
    let view = invitation_view(
        &state,
        page.with_strings(TABLES),
        &session,
        &token,
        &invitation,
        AcceptForm::default(),
        vec![],
    )
    .await?;
    Ok(render(&view)?.into_response())
}

fn check_accept(form: &AcceptForm) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (name, value) in [
        ("given_name", &form.given_name),
        ("family_name", &form.family_name),
    ] {
        if value.trim().is_empty() {
            errors.push(FieldError::new(name, &format!("{name}.missing")));
        } else if value.chars().count() > 100 {
            errors.push(FieldError::new(name, "name.too_long"));
        }
    }
    if let Some(code) = password::check_strength(&form.password) {
        errors.push(FieldError::new("password", code));
    } else if form.password != form.password_confirm {
        errors.push(FieldError::new("password_confirm", "password.mismatch"));
    }
    errors
}

/// Uses the invitation: with a new account (then on to set up the authenticator app), or,
/// for someone signed in with the invited address, by adding the role to their account.
pub async fn accept(
    State(state): State<AppState>,
    AnySession(session): AnySession,
    page: PageContext,
    Path(token): Path<String>,
    CsrfForm(form): CsrfForm<AcceptForm>,
) -> Result<Response, AppError> {
    if !plausible_token(&token) {
        return invalid(page);
    }
    let now = state.clock.now();
    let invitation = match invitations::open(&state.db, &token, now).await {
        Ok(i) => i,
        Err(IdentityError::WrongCode) => return invalid(page),
        Err(e) => return Err(e.into()),
    };
    let page = page.with_strings(TABLES);
    if let Some(existing) = accounts::find_by_email(&state.db, &invitation.email).await? {
        let Some(user) = session.filter(|s| s.fully_authenticated && s.account_id == existing.id)
        else {
            let next: String =
                url::form_urlencoded::byte_serialize(format!("/invitations/{token}").as_bytes())
                    .collect();
            return Ok(Redirect::to(&format!("/login?next={next}")).into_response());
        };
        let mut tx = state.db.begin().await?;
        match invitations::accept_existing(&mut tx, &token, &user.account_id, &existing.email, now)
            .await
        {
            Ok(_) => {}
            Err(IdentityError::WrongCode) => return invalid(page),
            Err(e) => return Err(e.into()),
        }
        tx.commit().await?;
        return Ok(Redirect::to("/start").into_response());
    }
    let errors = check_accept(&form);
    if !errors.is_empty() {
        let view =
            invitation_view(&state, page, &session, &token, &invitation, form, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)?).into_response());
    }
    let hash = password::hash(form.password.clone()).await?;
    let staff = NewStaff {
        given_name: form.given_name.trim().to_owned(),
        family_name: form.family_name.trim().to_owned(),
        email: invitation.email.clone(),
        password: String::new(),
    };
    let mut tx = state.db.begin().await?;
    let account_id = match invitations::accept_new(&mut tx, &token, &staff, &hash, now).await {
        Ok(id) => id,
        // Used in a parallel request, or its address registered meanwhile.
        Err(IdentityError::WrongCode) | Err(IdentityError::Invalid(_)) => return invalid(page),
        Err(e) => return Err(e.into()),
    };
    if let Some(old) = &session {
        sessions::delete(&mut tx, &old.session_id).await?;
    }
    let new_session = sessions::create(
        &mut tx,
        &account_id,
        sessions::STAGE_COMPLETE,
        // Opened with the password just chosen and the link from the mailbox: the second
        // factor is set up next.
        portico_core::Assurance::Low,
        now,
    )
    .await?;
    let event = Event::new(&account_id, "identity.sign_in", &account_id)
        .with(serde_json::json!({ "method": "invitation" }));
    portico_audit::append(&mut tx, event, now)
        .await
        .map_err(IdentityError::from)?;
    tx.commit().await?;
    tracing::info!(account = %account_id, "invitation accepted");
    Ok(redirect_with_session(
        &state,
        "/account/totp",
        &new_session.token,
    ))
}
