//! Adopting a shared service template: one screen for an administration's admin.

use crate::model::{parse_amount, Contact, Overrides, Text};
use crate::search::SearchIndex;
use crate::service::{self, templates};
use crate::strings::TABLES;
use crate::CatalogError;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use portico_core::money::Currency;
use portico_http::{
    render, AppError, AppState, CsrfForm, Field, FieldError, PageContext, SessionUser, SignedIn,
};
use portico_identity::model::Administration;
use serde::Deserialize;

const ADMINISTRATION_ADMIN: portico_core::Role = portico_core::Role::AdministrationAdmin;

/// The administrations this person may add services for: all for a platform admin, else those
/// they are an administration admin of. Nobody else may adopt anything.
pub(super) async fn administrable(
    state: &AppState,
    user: &SessionUser,
) -> Result<Vec<Administration>, AppError> {
    let all = portico_identity::service::administrations::list(&state.db)
        .await
        .map_err(CatalogError::from)?;
    if user.is_platform_admin() {
        return Ok(all);
    }
    Ok(all
        .into_iter()
        .filter(|a| user.has_role(&a.id, ADMINISTRATION_ADMIN))
        .collect())
}

/// The administration asked for, if this person may act for it; 403 otherwise.
async fn authorise(
    state: &AppState,
    user: &SessionUser,
    administration_id: Option<&str>,
) -> Result<Result<Administration, Vec<Administration>>, AppError> {
    let mut allowed = administrable(state, user).await?;
    if allowed.is_empty() {
        return Err(AppError::Forbidden);
    }
    match administration_id.filter(|id| !id.is_empty()) {
        Some(id) => allowed
            .into_iter()
            .find(|a| a.id == id)
            .map(Ok)
            .ok_or(AppError::Forbidden),
        None if allowed.len() == 1 => Ok(Ok(allowed.remove(0))),
        None => Ok(Err(allowed)),
    }
}

#[derive(Template)]
#[template(path = "adopt_choose.html")]
struct ChoosePage {
    page: PageContext,
    administrations: Vec<(String, String)>,
}

struct TemplateChoice {
    id: String,
    key: String,
    title: String,
    summary: String,
    checked: bool,
}

struct UnitChoice {
    code: String,
    name: String,
    checked: bool,
}

/// What was typed, kept to show again.
#[derive(Debug, Default, Clone)]
struct AdoptInput {
    template: String,
    slug: String,
    fee: String,
    fee_note_bg: String,
    fee_note_en: String,
    deadline: String,
    units: Vec<String>,
    contact_phone: String,
    contact_email: String,
    contact_address_bg: String,
    contact_address_en: String,
}

impl AdoptInput {
    fn from_pairs(pairs: &[(String, String)]) -> (String, AdoptInput) {
        let mut administration_id = String::new();
        let mut input = AdoptInput::default();
        for (key, value) in pairs {
            let value = value.trim().to_owned();
            match key.as_str() {
                "administration_id" => administration_id = value,
                "template" => input.template = value,
                "slug" => input.slug = value,
                "fee" => input.fee = value,
                "fee_note_bg" => input.fee_note_bg = value,
                "fee_note_en" => input.fee_note_en = value,
                "deadline" => input.deadline = value,
                "units" => input.units.push(value),
                "contact_phone" => input.contact_phone = value,
                "contact_email" => input.contact_email = value,
                "contact_address_bg" => input.contact_address_bg = value,
                "contact_address_en" => input.contact_address_en = value,
                _ => {}
            }
        }
        (administration_id, input)
    }
}

#[derive(Template)]
#[template(path = "adopt.html")]
struct AdoptPage {
    page: PageContext,
    administration_id: String,
    administration_name: String,
    templates: Vec<TemplateChoice>,
    units: Vec<UnitChoice>,
    input: AdoptInput,
    errors: Vec<FieldError>,
    fee_default: String,
    deadline_default: String,
}

impl AdoptPage {
    fn error(&self, name: &str) -> Option<&'static str> {
        self.page.field_error(&self.errors, name)
    }

    fn field(&self, name: &'static str) -> Field {
        let value = match name {
            "slug" => &self.input.slug,
            "fee" => &self.input.fee,
            "fee_note_bg" => &self.input.fee_note_bg,
            "fee_note_en" => &self.input.fee_note_en,
            "deadline" => &self.input.deadline,
            "contact_phone" => &self.input.contact_phone,
            "contact_email" => &self.input.contact_email,
            "contact_address_bg" => &self.input.contact_address_bg,
            _ => &self.input.contact_address_en,
        };
        let input_type = match name {
            "contact_email" => "email",
            "contact_phone" => "tel",
            _ => "text",
        };
        self.page
            .field(&self.errors, name, input_type, value, "off")
    }
}

#[derive(Deserialize)]
pub struct AdoptQuery {
    administration: Option<String>,
}

async fn adopt_page(
    state: &AppState,
    page: PageContext,
    administration: &Administration,
    input: AdoptInput,
    errors: Vec<FieldError>,
) -> Result<AdoptPage, AppError> {
    let lang = page.lang;
    let all_templates = templates::list(&state.db).await?;
    let adopted: Vec<String> = service::list_for_administration(&state.db, &administration.id)
        .await?
        .into_iter()
        .filter_map(|s| s.template_id)
        .collect();
    let choices: Vec<TemplateChoice> = all_templates
        .iter()
        .filter(|t| !adopted.contains(&t.id) || t.key == input.template)
        .map(|t| TemplateChoice {
            id: format!("template-{}", t.key),
            key: t.key.clone(),
            title: t.facts.title.get(lang).to_owned(),
            summary: t.facts.description.get(lang).to_owned(),
            checked: t.key == input.template,
        })
        .collect();
    let chosen = all_templates
        .iter()
        .find(|t| t.key == input.template)
        .or_else(|| all_templates.first());
    let units =
        portico_identity::service::administrations::list_units(&state.db, &administration.id)
            .await
            .map_err(CatalogError::from)?
            .into_iter()
            .map(|u| UnitChoice {
                checked: input.units.contains(&u.code),
                name: match lang {
                    portico_http::Lang::Bg => u.name_bg,
                    portico_http::Lang::En => u.name_en,
                },
                code: u.code,
            })
            .collect();
    let free = page.t("service_free");
    Ok(AdoptPage {
        administration_id: administration.id.clone(),
        administration_name: administration.name(lang).to_owned(),
        templates: choices,
        units,
        fee_default: chosen
            .map(|t| super::services::fee_text(t.facts.fee, lang, free))
            .unwrap_or_default(),
        deadline_default: chosen
            .map(|t| t.facts.deadline_working_days.to_string())
            .unwrap_or_default(),
        input,
        errors,
        page,
    })
}

/// The adoption screen (or, for someone who administers several administrations, the choice of one).
pub async fn form(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Query(q): Query<AdoptQuery>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let administration = match authorise(&state, &user, q.administration.as_deref()).await? {
        Ok(a) => a,
        Err(several) => {
            let lang = page.lang;
            return Ok(render(&ChoosePage {
                administrations: several
                    .into_iter()
                    .map(|a| (a.id.clone(), a.name(lang).to_owned()))
                    .collect(),
                page,
            })?
            .into_response());
        }
    };
    let input = AdoptInput {
        slug: String::new(),
        ..AdoptInput::default()
    };
    let view = adopt_page(&state, page, &administration, input, vec![]).await?;
    Ok(render(&view)?.into_response())
}

/// Reads the overrides; every problem is a field error.
fn overrides(input: &AdoptInput, unit_codes: &[String]) -> Result<Overrides, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut o = Overrides::default();
    if input.template.is_empty() {
        errors.push(FieldError::new("template", "catalog.template.missing"));
    }
    if !input.slug.is_empty() {
        o.slug = Some(input.slug.to_lowercase());
    }
    if !input.fee.is_empty() {
        match parse_amount(&input.fee, Currency::Eur) {
            Some(fee) => o.fee = Some(fee),
            None => errors.push(FieldError::new("fee", "catalog.fee.invalid")),
        }
    }
    if !input.fee_note_bg.is_empty() || !input.fee_note_en.is_empty() {
        o.fee_note = Some(Text::new(&input.fee_note_bg, &input.fee_note_en));
    }
    if !input.deadline.is_empty() {
        match input.deadline.parse::<u32>() {
            Ok(days) if days <= 365 => o.deadline_working_days = Some(days),
            _ => errors.push(FieldError::new("deadline", "catalog.deadline.invalid")),
        }
    }
    if !input.units.is_empty() {
        if input.units.iter().all(|u| unit_codes.contains(u)) {
            o.units = Some(input.units.clone());
        } else {
            errors.push(FieldError::new("units", "catalog.unit.unknown"));
        }
    }
    let email = &input.contact_email;
    let plausible = email.contains('@') && email.contains('.');
    if !email.is_empty() && !plausible {
        errors.push(FieldError::new("contact_email", "catalog.email.invalid"));
    }
    let contact = Contact {
        phone: input.contact_phone.clone(),
        email: input.contact_email.clone(),
        address: Text::new(&input.contact_address_bg, &input.contact_address_en),
        hours: Text::default(),
    };
    if contact != Contact::default() {
        o.contact = Some(contact);
    }
    if errors.is_empty() {
        Ok(o)
    } else {
        Err(errors)
    }
}

/// Publishes the adopted service and shows its page.
pub async fn submit(
    State(state): State<AppState>,
    Extension(index): Extension<SearchIndex>,
    SignedIn(user): SignedIn,
    page: PageContext,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let (administration_id, input) = AdoptInput::from_pairs(&pairs);
    let administration = match authorise(&state, &user, Some(&administration_id)).await? {
        Ok(a) => a,
        Err(_) => return Err(AppError::Forbidden),
    };
    let unit_codes: Vec<String> =
        portico_identity::service::administrations::list_units(&state.db, &administration.id)
            .await
            .map_err(CatalogError::from)?
            .into_iter()
            .map(|u| u.code)
            .collect();
    let overrides = match overrides(&input, &unit_codes) {
        Ok(mut o) => {
            if o.slug.is_none() {
                o.slug = Some(service::slug_for(&input.template, &administration.name_en));
            }
            o
        }
        Err(errors) => return refuse(&state, page, &administration, input, errors).await,
    };
    let mut tx = state.db.begin().await?;
    let adopted = service::adopt(
        &mut tx,
        &input.template,
        &administration.id,
        &overrides,
        &user.account_id,
        state.clock.now(),
    )
    .await;
    let adopted = match adopted {
        Ok(s) => s,
        Err(CatalogError::Invalid(errors)) => {
            return refuse(&state, page, &administration, input, errors).await
        }
        Err(CatalogError::UnknownTemplate(_)) => {
            let errors = vec![FieldError::new("template", "catalog.template.missing")];
            return refuse(&state, page, &administration, input, errors).await;
        }
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    index.invalidate();
    tracing::info!(service = %adopted.id, slug = %adopted.slug, "service adopted");
    Ok(Redirect::to(&format!("/services/{}", adopted.slug)).into_response())
}

async fn refuse(
    state: &AppState,
    page: PageContext,
    administration: &Administration,
    input: AdoptInput,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let view = adopt_page(state, page, administration, input, on_this_page(errors)).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)?).into_response())
}

/// The fields the adopt page has. A problem with a fact this page does not ask (the template's
/// title, topic, channels) is shown on the template question, so every link in the error
/// summary leads to something on the page.
const ADOPT_FIELDS: &[&str] = &[
    "template",
    "slug",
    "fee",
    "fee_note_bg",
    "fee_note_en",
    "deadline",
    "units",
    "contact_phone",
    "contact_email",
    "contact_address_bg",
    "contact_address_en",
];

fn on_this_page(errors: Vec<FieldError>) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|mut e| {
            if !ADOPT_FIELDS.contains(&e.field.as_str()) {
                e.field = "template".into();
            }
            e
        })
        .collect()
}
