//! The administration's page that opens a public consultation: the form is read into what the
//! API takes (`NewConsultation`) and goes to the same `consultations::open`, with its checks and
//! its audit entry. A refusal is drawn again next to its field.

use super::form::{self, Refused, Values};
use super::pages::TABLES;
use super::process_form::{administration_of, NewQuery};
use super::ParticipationState;
use crate::model::{NewConsultation, Section};
use crate::service::consultations;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use portico_http::{render, AppError, CsrfForm, FieldError, PageContext, SignedIn};

#[derive(Template)]
#[template(path = "participation_consultation_form.html")]
struct ConsultationForm {
    page: PageContext,
    errors: Vec<FieldError>,
    values: Values,
    administration: String,
    administration_name: String,
}

impl ConsultationForm {
    fn error(&self, name: &str) -> &'static str {
        form::error_of(&self.page, &self.errors, name)
    }
    fn value(&self, name: &str) -> &str {
        self.values.get(name)
    }
    /// A plain input drawn by the shell's `field.html`.
    fn input(&self, name: &'static str, input_type: &'static str) -> portico_http::Field {
        form::input(&self.page, &self.errors, &self.values, name, input_type)
    }
}

/// Which field a refusal of `consultations::open` points at.
fn field_of(code: &str) -> &'static str {
    match code {
        "slug_invalid" | "slug_taken" => "slug",
        "consultation_summary_invalid" => "summary",
        "consultation_dates_invalid" => "opens_on",
        "consultation_sections_invalid" => "sections",
        _ => "title_bg",
    }
}

/// Sections typed one after another, separated by a line `---`: the first line of each is its
/// heading, the lines after it its text.
fn sections_of(typed: &str) -> Vec<Section> {
    let typed = typed.replace("\r\n", "\n");
    typed
        .split("\n---")
        .map(|block| block.trim_start_matches('-').trim())
        .filter(|block| !block.is_empty())
        .map(|block| {
            let (heading, body) = block.split_once('\n').unwrap_or((block, ""));
            Section {
                number: 0,
                heading: heading.trim().to_owned(),
                body: body.trim().to_owned(),
            }
        })
        .collect()
}

/// The form as a new consultation: open from 00:00 of its first day, comments taken until the
/// end of the last day (both in Sofia's time).
fn new_consultation(administration: &str, v: &Values) -> Result<NewConsultation, Refused> {
    let opens_at =
        form::sofia_day(v.get("opens_on")).ok_or(Refused::at("opens_on", "date_invalid"))?;
    let closes_at = form::sofia_day_after(v.get("closes_on"))
        .ok_or(Refused::at("closes_on", "date_invalid"))?;
    Ok(NewConsultation {
        administration_id: administration.to_owned(),
        slug: v.get("slug").to_owned(),
        title_bg: v.get("title_bg").to_owned(),
        title_en: v.get("title_en").to_owned(),
        summary: v.get("summary").to_owned(),
        opens_at,
        closes_at,
        sections: sections_of(v.get("sections")),
    })
}

/// The form that opens a consultation.
pub async fn new_form(
    State(state): State<ParticipationState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    Query(q): Query<NewQuery>,
) -> Result<Response, AppError> {
    let (administration, administration_name) =
        administration_of(&state, &user, &page, q.administration.as_deref()).await?;
    Ok(render(&ConsultationForm {
        page: page.with_strings(TABLES),
        errors: Vec::new(),
        values: Values::default(),
        administration,
        administration_name,
    })?
    .into_response())
}

/// Opens a consultation from the form.
pub async fn open(
    State(state): State<ParticipationState>,
    SignedIn(user): SignedIn,
    page: PageContext,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let values = Values(fields);
    let (administration, administration_name) =
        administration_of(&state, &user, &page, Some(values.get("administration"))).await?;
    let errors = match new_consultation(&administration, &values) {
        Err(r) => form::errors_of(&r),
        Ok(new) => match consultations::open(&state.ctx, &user.actor(), &new).await {
            Ok(_) => {
                return Ok(Redirect::to(&format!(
                    "/participation/consultations/{}/admin?opened=1",
                    new.slug.trim()
                ))
                .into_response())
            }
            Err(e) => form::refusal(e, field_of)?,
        },
    };
    Ok(render(&ConsultationForm {
        page: page.with_strings(TABLES),
        errors,
        values,
        administration,
        administration_name,
    })?
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_split_by_a_line_of_dashes() {
        let s = sections_of("Чл. 1\nПредмет.\n\nВтори абзац.\r\n---\nЧл. 2\nОбхват.\n---\n");
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].heading, "Чл. 1");
        assert_eq!(s[0].body, "Предмет.\n\nВтори абзац.");
        assert_eq!(s[1].heading, "Чл. 2");
        assert_eq!(s[1].body, "Обхват.");
        assert!(sections_of("  \n---\n").is_empty());
    }
}
