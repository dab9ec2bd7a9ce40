//! `/admin/services/{slug}`: the service console of an administration admin for one service it
//! provides: its own fee, deadline, units, contacts and opening hours, payment and delivery
//! channels and required documents, and publishing or withdrawing it. The rules are in
//! [`crate::service::local`]; this page reads the form and shows the refusals.

use super::managed;
use crate::model::{parse_amount, Contact, Service, Text};
use crate::search::SearchIndex;
use crate::service::{editing, local, local::LocalParts};
use crate::strings::TABLES;
use crate::topics::{self, DELIVERY_CHANNELS, PAYMENT_OPTIONS};
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

/// One checkbox or radio of a list.
struct Choice {
    code: String,
    name: String,
    checked: bool,
}

/// One process of the library, as the page offers it.
struct ProcessChoice {
    key: &'static str,
    name: &'static str,
    about: &'static str,
    checked: bool,
}

/// What was typed, kept to show again.
#[derive(Debug, Default, Clone)]
struct EditInput {
    fee: String,
    fee_note_bg: String,
    fee_note_en: String,
    deadline: String,
    main_unit: String,
    units: Vec<String>,
    contact_phone: String,
    contact_email: String,
    contact_address_bg: String,
    contact_address_en: String,
    contact_hours_bg: String,
    contact_hours_en: String,
    payment_options: Vec<String>,
    delivery_channels: Vec<String>,
    documents_bg: String,
    documents_en: String,
}

fn amount_text(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

impl EditInput {
    fn of(service: &Service) -> EditInput {
        let f = &service.facts;
        EditInput {
            fee: amount_text(f.fee.minor),
            fee_note_bg: f.fee_note.bg.clone(),
            fee_note_en: f.fee_note.en.clone(),
            deadline: f.deadline_working_days.to_string(),
            main_unit: f.units.first().cloned().unwrap_or_default(),
            units: f.units.clone(),
            contact_phone: f.contact.phone.clone(),
            contact_email: f.contact.email.clone(),
            contact_address_bg: f.contact.address.bg.clone(),
            contact_address_en: f.contact.address.en.clone(),
            contact_hours_bg: f.contact.hours.bg.clone(),
            contact_hours_en: f.contact.hours.en.clone(),
            payment_options: f.payment_options.clone(),
            delivery_channels: f.delivery_channels.clone(),
            documents_bg: lines(f.required_documents.iter().map(|d| d.bg.as_str())),
            documents_en: lines(f.required_documents.iter().map(|d| d.en.as_str())),
        }
    }

    fn from_pairs(pairs: &[(String, String)]) -> EditInput {
        let mut input = EditInput::default();
        for (key, value) in pairs {
            let kept = value.trim().to_owned();
            match key.as_str() {
                "fee" => input.fee = kept,
                "fee_note_bg" => input.fee_note_bg = kept,
                "fee_note_en" => input.fee_note_en = kept,
                "deadline" => input.deadline = kept,
                "main_unit" => input.main_unit = kept,
                "units" => input.units.push(kept),
                "contact_phone" => input.contact_phone = kept,
                "contact_email" => input.contact_email = kept,
                "contact_address_bg" => input.contact_address_bg = kept,
                "contact_address_en" => input.contact_address_en = kept,
                "contact_hours_bg" => input.contact_hours_bg = kept,
                "contact_hours_en" => input.contact_hours_en = kept,
                "payment_options" => input.payment_options.push(kept),
                "delivery_channels" => input.delivery_channels.push(kept),
                "documents_bg" => input.documents_bg = value.clone(),
                "documents_en" => input.documents_en = value.clone(),
                _ => {}
            }
        }
        input
    }

    /// The parts to store, or the field errors of what cannot be read.
    fn parts(&self, current: &Service) -> Result<LocalParts, Vec<FieldError>> {
        let mut errors = Vec::new();
        let fee = if self.fee.is_empty() {
            Some(portico_core::Money::new(0, current.facts.fee.currency))
        } else {
            parse_amount(&self.fee, current.facts.fee.currency)
        };
        if fee.is_none() {
            errors.push(FieldError::new("fee", "catalog.fee.invalid"));
        }
        let deadline = self.deadline.parse::<u32>().ok();
        if deadline.is_none() {
            errors.push(FieldError::new("deadline", "catalog.deadline.invalid"));
        }
        // The main unit first, then the others in the order of the list.
        let mut units = Vec::new();
        if !self.main_unit.is_empty() {
            units.push(self.main_unit.clone());
        }
        for u in &self.units {
            if !units.contains(u) {
                units.push(u.clone());
            }
        }
        let bg: Vec<&str> = non_empty_lines(&self.documents_bg);
        let en: Vec<&str> = non_empty_lines(&self.documents_en);
        if bg.len() != en.len() {
            errors.push(FieldError::new(
                "required_documents",
                "catalog.documents.unpaired",
            ));
        }
        let (Some(fee), Some(deadline), true) = (fee, deadline, errors.is_empty()) else {
            return Err(errors);
        };
        Ok(LocalParts {
            fee,
            fee_note: Text::new(&self.fee_note_bg, &self.fee_note_en),
            deadline_working_days: deadline,
            units,
            contact: Contact {
                phone: self.contact_phone.clone(),
                email: self.contact_email.clone(),
                address: Text::new(&self.contact_address_bg, &self.contact_address_en),
                hours: Text::new(&self.contact_hours_bg, &self.contact_hours_en),
            },
            payment_options: self.payment_options.clone(),
            delivery_channels: self.delivery_channels.clone(),
            required_documents: bg
                .iter()
                .zip(en.iter())
                .map(|(b, e)| Text::new(b, e))
                .collect(),
        })
    }
}

fn lines<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items.collect::<Vec<_>>().join("\n")
}

fn non_empty_lines(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
}

#[derive(Template)]
#[template(path = "service_console.html")]
struct ServiceConsolePage {
    page: PageContext,
    slug: String,
    title: String,
    administration_name: String,
    published: bool,
    /// `saved`, `published`, `unpublished` or nothing: what was just done.
    banner: &'static str,
    units: Vec<Choice>,
    payment_options: Vec<Choice>,
    delivery_channels: Vec<Choice>,
    /// Whether the form sends each application to a unit by one of its answers.
    form_routes: bool,
    /// The library's processes, the service's own checked.
    processes: Vec<ProcessChoice>,
    /// The version of the form new applications start with (0: no form).
    form_version: i64,
    input: EditInput,
    errors: Vec<FieldError>,
}

impl ServiceConsolePage {
    /// The two lists of channels: (field, choices).
    fn channel_lists(&self) -> [(&'static str, &[Choice]); 2] {
        [
            ("payment_options", &self.payment_options),
            ("delivery_channels", &self.delivery_channels),
        ]
    }

    fn error(&self, name: &str) -> Option<&'static str> {
        self.page.field_error(&self.errors, name)
    }

    fn field(&self, name: &'static str) -> Field {
        let i = &self.input;
        let value = match name {
            "fee_note_bg" => &i.fee_note_bg,
            "fee_note_en" => &i.fee_note_en,
            "contact_phone" => &i.contact_phone,
            "contact_email" => &i.contact_email,
            "contact_address_bg" => &i.contact_address_bg,
            "contact_address_en" => &i.contact_address_en,
            "contact_hours_bg" => &i.contact_hours_bg,
            _ => &i.contact_hours_en,
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
pub struct Done {
    done: Option<String>,
}

async fn unit_list(
    state: &AppState,
    administration_id: &str,
) -> Result<Vec<portico_identity::model::Unit>, AppError> {
    Ok(
        portico_identity::service::administrations::list_units(&state.db, administration_id)
            .await
            .map_err(CatalogError::from)?,
    )
}

async fn view(
    state: &AppState,
    page: PageContext,
    current: &Service,
    input: EditInput,
    errors: Vec<FieldError>,
    banner: &'static str,
) -> Result<ServiceConsolePage, AppError> {
    let lang = page.lang;
    let administration =
        portico_identity::service::administrations::get(&state.db, &current.administration_id)
            .await
            .map_err(CatalogError::from)?
            .map(|a| a.name(lang).to_owned())
            .unwrap_or_default();
    let units = unit_list(state, &current.administration_id)
        .await?
        .into_iter()
        .map(|u| Choice {
            checked: input.units.contains(&u.code),
            name: match lang {
                portico_http::Lang::Bg => u.name_bg,
                portico_http::Lang::En => u.name_en,
            },
            code: u.code,
        })
        .collect();
    let choices = |list, chosen: &[String]| -> Vec<Choice> {
        topics::entries(list, lang)
            .into_iter()
            .map(|(code, name)| Choice {
                code: code.to_owned(),
                name: name.to_owned(),
                checked: chosen.iter().any(|c| c == code),
            })
            .collect()
    };
    let form = match &current.form_key {
        Some(key) => crate::forms::current(&state.db, key).await?,
        None => None,
    };
    let chosen = editing::library_process(&current.process_key).map(|p| p.key);
    let processes = editing::PROCESS_LIBRARY
        .iter()
        .map(|p| ProcessChoice {
            key: p.key,
            name: p.name(lang),
            about: p.about(lang),
            checked: chosen == Some(p.key),
        })
        .collect();
    Ok(ServiceConsolePage {
        slug: current.slug.clone(),
        title: current.title(lang).to_owned(),
        administration_name: administration,
        published: current.published_at.is_some(),
        banner,
        units,
        payment_options: choices(PAYMENT_OPTIONS, &input.payment_options),
        delivery_channels: choices(DELIVERY_CHANNELS, &input.delivery_channels),
        form_routes: form.as_ref().is_some_and(|f| f.layout.routing.is_some()),
        form_version: form.as_ref().map_or(0, |f| f.version),
        processes,
        input,
        errors,
        page,
    })
}

fn banner_of(done: Option<&str>) -> &'static str {
    match done {
        Some("saved") => "service_console_saved",
        Some("published") => "service_console_published",
        Some("unpublished") => "service_console_unpublished",
        Some("process") => "service_console_process_saved",
        _ => "",
    }
}

/// The console page of one service.
pub async fn show(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path(slug): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let current = managed(&state, &user, &slug).await?;
    let input = EditInput::of(&current);
    let view = view(
        &state,
        page,
        &current,
        input,
        vec![],
        banner_of(done.done.as_deref()),
    )
    .await?;
    Ok(render(&view)?.into_response())
}

/// The fields the page has; a refusal about anything else is shown on the fee.
const FIELDS: &[&str] = &[
    "fee",
    "fee_note_bg",
    "fee_note_en",
    "deadline",
    "units",
    "contact_phone",
    "contact_email",
    "contact_address_bg",
    "contact_address_en",
    "contact_hours_bg",
    "contact_hours_en",
    "payment_options",
    "delivery_channels",
    "required_documents",
];

/// Saves the administration's own parts of the service.
pub async fn save(
    State(state): State<AppState>,
    Extension(index): Extension<SearchIndex>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path(slug): Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let current = managed(&state, &user, &slug).await?;
    let input = EditInput::from_pairs(&pairs);
    let unit_codes: Vec<String> = unit_list(&state, &current.administration_id)
        .await?
        .into_iter()
        .map(|u| u.code)
        .collect();
    let refusal = match input.parts(&current) {
        Ok(parts) => {
            let mut tx = state.db.begin().await?;
            let actor = user.actor();
            match local::update(
                &mut tx,
                &actor,
                &current.id,
                &parts,
                &unit_codes,
                state.clock.now(),
            )
            .await
            {
                Ok(_) => {
                    tx.commit().await?;
                    index.invalidate();
                    return Ok(
                        Redirect::to(&format!("/admin/services/{slug}?done=saved")).into_response()
                    );
                }
                Err(CatalogError::Invalid(errors)) => errors,
                Err(e) => return Err(e.into()),
            }
        }
        Err(errors) => errors,
    };
    let errors = refusal
        .into_iter()
        .map(|mut e| {
            if !FIELDS.contains(&e.field.as_str()) {
                e.field = "fee".into();
            }
            e
        })
        .collect();
    let view = view(&state, page, &current, input, errors, "").await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)?).into_response())
}

#[derive(Debug, Deserialize)]
pub struct PublicationForm {
    #[serde(default)]
    publish: String,
}

/// Publishes the service or withdraws it.
pub async fn publication(
    State(state): State<AppState>,
    Extension(index): Extension<SearchIndex>,
    SignedIn(user): SignedIn,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<PublicationForm>,
) -> Result<Response, AppError> {
    let current = managed(&state, &user, &slug).await?;
    let publish = match form.publish.as_str() {
        "yes" => true,
        "no" => false,
        _ => return Err(AppError::BadRequest("publish")),
    };
    let mut tx = state.db.begin().await?;
    local::set_published(
        &mut tx,
        &user.actor(),
        &current.id,
        publish,
        state.clock.now(),
    )
    .await?;
    tx.commit().await?;
    index.invalidate();
    let done = if publish { "published" } else { "unpublished" };
    Ok(Redirect::to(&format!("/admin/services/{slug}?done={done}")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct ProcessForm {
    #[serde(default)]
    process: String,
}

/// Chooses the process new applications of the service follow.
pub async fn process(
    State(state): State<AppState>,
    Extension(index): Extension<SearchIndex>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<ProcessForm>,
) -> Result<Response, AppError> {
    let page = page.with_strings(TABLES);
    let current = managed(&state, &user, &slug).await?;
    let mut tx = state.db.begin().await?;
    let now = state.clock.now();
    match editing::set_process(&mut tx, &user.actor(), &current.id, &form.process, now).await {
        Ok(_) => {
            tx.commit().await?;
            index.invalidate();
            Ok(Redirect::to(&format!("/admin/services/{slug}?done=process")).into_response())
        }
        Err(CatalogError::Invalid(errors)) => {
            let input = EditInput::of(&current);
            let view = view(&state, page, &current, input, errors, "").await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
