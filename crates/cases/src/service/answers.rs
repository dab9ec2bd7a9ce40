//! An application's answers as people read them: each field with the form's label and the
//! chosen option's text, in the form's order. Used by the review page, the case page, the
//! consent page and the result document, so they all say the same thing.

use crate::model::Application;
use crate::service::applications;
use crate::CasesError;
use portico_catalog::forms::{self, FormVersion};
use portico_catalog::model::Service;
use portico_core::Lang;
use portico_store::Db;
use serde_json::Value;

/// One answered field.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The field's name in the form's data.
    pub name: String,
    /// The field's widget (`address`, `file`, `egn` …).
    pub widget: &'static str,
    /// The field's `id` on its step's page, to link back to it.
    pub field_id: String,
    /// The step the field is asked on.
    pub step: usize,
    pub label: String,
    pub value: String,
}

/// The form version the application was started with. A missing one is an error: the
/// application cannot be read without it.
/// It is read as the service asks it (`FormVersion::for_service`): with the administration's
/// own lists where its adoption replaced the template's, and without the fields that name people
/// the platform finds in the registers for it ([`super::found`]).
pub async fn form_of(db: &Db, app: &Application) -> Result<FormVersion, CasesError> {
    let service = service_of(db, app).await?;
    let form = form_for_service(db, app, &service).await?;
    // Without the fields of the people the platform finds itself for this application.
    let found = super::found::roles(db, &app.id).await?;
    Ok(super::found::forms_without(form, &found))
}

/// The form version the application was started with, as its service asks it, with every
/// field (also those of the people the platform finds: see [`form_of`]).
pub async fn form_for_service(
    db: &Db,
    app: &Application,
    service: &Service,
) -> Result<FormVersion, CasesError> {
    let form = forms::get_version(db, &app.form_version_id)
        .await?
        .ok_or_else(|| {
            CasesError::Internal(format!(
                "form version {} of application {} is missing",
                app.form_version_id, app.id
            ))
        })?;
    Ok(form.for_service(service))
}

/// The service the application is for.
pub async fn service_of(db: &Db, app: &Application) -> Result<Service, CasesError> {
    service(db, &app.service_id).await
}

pub async fn service(db: &Db, service_id: &str) -> Result<Service, CasesError> {
    portico_catalog::service::get(db, service_id)
        .await?
        .ok_or_else(|| CasesError::Internal(format!("service {service_id} is missing")))
}

/// The service's title in a language, for lists and headings.
pub async fn service_title(db: &Db, service_id: &str, lang: Lang) -> Result<String, CasesError> {
    Ok(service(db, service_id).await?.title(lang).to_owned())
}

/// Every answered field, in the order of the form; fields left empty are left out.
pub async fn readable(
    db: &Db,
    app: &Application,
    form: &FormVersion,
    lang: Lang,
) -> Result<Vec<Answer>, CasesError> {
    let attachments = applications::attachments(db, &app.id).await?;
    let mut answers = Vec::new();
    for index in 0..form.steps().len() {
        let view = form.step_view(db, index, lang, &app.data, &[]).await?;
        for field in view.fields {
            let value = if field.widget == "file" {
                let ids: Vec<&str> = app
                    .data
                    .get(&field.name)
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                attachments
                    .iter()
                    .filter(|a| ids.contains(&a.id.as_str()))
                    .map(|a| a.filename.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            } else if let Some(selected) = field
                .options
                .iter()
                .filter(|o| o.selected)
                .map(|o| o.label.clone())
                .reduce(|a, b| format!("{a}, {b}"))
            {
                selected
            } else if field.widget == "checkbox" {
                if field.checked {
                    lang.choose("Да", "Yes").to_owned()
                } else {
                    String::new()
                }
            } else if field.widget == "date" && !field.year.is_empty() {
                format!("{}.{}.{}", field.day, field.month, field.year)
            } else {
                field.value.clone()
            };
            if value.is_empty() {
                continue;
            }
            answers.push(Answer {
                name: field.name,
                widget: field.widget,
                field_id: field.id,
                step: index,
                label: field.label,
                value,
            });
        }
    }
    Ok(answers)
}

/// The same answers as staff read them: a field's `staff_label` where the form gives one, so an
/// operator is not addressed as the applicant ("Your EGN").
pub async fn readable_for_staff(
    db: &Db,
    app: &Application,
    lang: Lang,
) -> Result<Vec<Answer>, CasesError> {
    let form = form_of(db, app).await?;
    let mut answers = readable(db, app, &form, lang).await?;
    for answer in &mut answers {
        if let Some(label) = form
            .field(&answer.name)
            .and_then(|f| f.staff_label.as_ref())
        {
            answer.label = label.get(lang).to_owned();
        }
    }
    Ok(answers)
}

/// The answers of an application, read with its own form.
pub async fn readable_answers(
    db: &Db,
    app: &Application,
    lang: Lang,
) -> Result<Vec<Answer>, CasesError> {
    let form = form_of(db, app).await?;
    readable(db, app, &form, lang).await
}
