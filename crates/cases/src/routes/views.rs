//! Small pieces shared by the applicant's and the operator's pages.

use crate::model::Application;
use crate::service::{answers, processes};
use chrono::{DateTime, NaiveDate, Utc};
use portico_http::{AppError, Lang};
use portico_store::Db;

/// The state's name in the person's language. A state its process does not know is an error.
pub fn state_label(app: &Application, lang: Lang) -> Result<String, AppError> {
    if app.is_draft() {
        return Ok(lang.choose("Чернова", "Draft").to_owned());
    }
    let def = processes::get(&app.process_key)?;
    let state = def.state(&app.state).ok_or_else(|| {
        AppError::Internal(format!(
            "state {} is not in process {}",
            app.state, app.process_key
        ))
    })?;
    Ok(lang.choose(&state.label_bg, &state.label_en).to_owned())
}

/// The colour of a state's tag (the shell's `tag--{kind}` classes, see its components): grey for
/// a draft or a withdrawn case, yellow when the applicant must act ("waiting for you", only on
/// the applicant's own pages), blue while the administration works on it, green when decided,
/// red when refused. A final state counts as refused when its id says so (`refused`, `rejected`).
pub fn status_kind(app: &Application, for_applicant: bool) -> &'static str {
    use crate::process::StateKind;
    if app.is_draft() {
        return "draft";
    }
    let kind = processes::get(&app.process_key)
        .ok()
        .and_then(|def| def.state(&app.state).map(|s| s.kind));
    match kind {
        Some(StateKind::WaitingApplicant | StateKind::WaitingPayment) if for_applicant => "waiting",
        Some(StateKind::Final) if app.state.contains("refus") || app.state.contains("reject") => {
            "refused"
        }
        Some(StateKind::Final) if app.state.contains("withdraw") => "draft",
        Some(StateKind::Final) => "decided",
        _ => "progress",
    }
}

/// An amount in minor units as people read it: `2,50 €` in Bulgarian, `€2.50` in English
/// (other currencies after the number).
pub fn money(minor: i64, currency: &str, lang: portico_http::Lang) -> String {
    let (whole, cents) = (minor / 100, (minor % 100).abs());
    match (lang, currency) {
        (portico_http::Lang::Bg, "EUR") => format!("{whole},{cents:02} €"),
        (portico_http::Lang::En, "EUR") => format!("€{whole}.{cents:02}"),
        (portico_http::Lang::Bg, other) => format!("{whole},{cents:02} {other}"),
        (portico_http::Lang::En, other) => format!("{whole}.{cents:02} {other}"),
    }
}

/// Sofia local time, as people read it: `05.03.2026 14:07`.
pub fn local_time(at: &DateTime<Utc>) -> String {
    portico_core::calendar::sofia_local(*at)
        .format("%d.%m.%Y %H:%M")
        .to_string()
}

pub fn local_date(d: &NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// The service's title for lists and headings.
pub async fn service_title(db: &Db, service_id: &str, lang: Lang) -> Result<String, AppError> {
    Ok(answers::service_title(db, service_id, lang).await?)
}

/// Where a person continues a draft: the step they stopped at, or "check your answers" once
/// every step is done.
pub async fn resume_target(db: &Db, draft: &Application) -> Result<String, AppError> {
    let form = answers::form_of(db, draft).await?;
    Ok(if draft.current_step as usize >= form.steps().len() {
        format!("/applications/{}/review", draft.id)
    } else {
        format!("/applications/{}/step/{}", draft.id, draft.current_step)
    })
}

/// How a timeline entry reads: the state the case entered, or what happened.
pub fn event_label(
    app: &Application,
    e: &crate::model::Event,
    page: &portico_http::PageContext,
) -> String {
    match e.kind.as_str() {
        "submitted" => page.t("ev_submitted").to_owned(),
        "assigned" => page.t("ev_assigned").to_owned(),
        "note" => page.t("ev_note").to_owned(),
        "check" => page.t("ev_check").to_owned(),
        // What the platform did on its own (consents complete, one refused) reads as what
        // happened, not as the state the case went back to.
        "state" if e.actor_id == "system" => {
            let transition = e.transition.as_deref().unwrap_or("");
            match processes::get(&app.process_key) {
                Ok(def) => match def.transitions.iter().find(|t| t.id == transition) {
                    Some(t) => page.lang.choose(&t.label_bg, &t.label_en).to_owned(),
                    None => transition.to_owned(),
                },
                Err(_) => transition.to_owned(),
            }
        }
        "state" => {
            let to = e.to_state.as_deref().unwrap_or("");
            match processes::get(&app.process_key).map(|d| d.state(to).cloned()) {
                Ok(Some(s)) => page.lang.choose(&s.label_bg, &s.label_en).to_owned(),
                // Drawn inside a template, where an error cannot stop the page: logged, and the
                // state's id shown as it is.
                other => {
                    tracing::error!(process = %app.process_key, state = to, ok = other.is_ok(), "timeline state has no label");
                    to.to_owned()
                }
            }
        }
        _ => page.t("ev_message").to_owned(),
    }
}

/// What the second-factor field and the "send me a code" buttons show this person on a page
/// that confirms `purpose` and comes back to `back` after a code is sent.
pub async fn step_up_offer(
    db: &Db,
    account_id: &str,
    purpose: &str,
    back: String,
    code_sent: Option<&str>,
) -> Result<portico_http::StepUpOffer, AppError> {
    let has_totp = portico_identity::service::totp::is_enrolled(db, account_id).await?;
    // Codes by SMS go only to a verified number.
    let has_phone = portico_identity::service::accounts::verified_phone(db, account_id)
        .await?
        .is_some();
    Ok(portico_http::StepUpOffer {
        has_totp,
        has_phone,
        code_sent: portico_http::StepUpOffer::sent_flag(code_sent),
        purpose: purpose.to_owned(),
        back,
        ..Default::default()
    })
}
