//! Small pieces shared by the applicant's and the operator's pages.

use crate::model::Application;
use crate::service::processes;
use chrono::{DateTime, NaiveDate, Utc};
use portico_http::{Lang, SessionUser};
use portico_store::Db;

/// The state's name in the person's language.
pub fn state_label(app: &Application, lang: Lang) -> String {
    if app.is_draft() {
        return match lang {
            Lang::Bg => "Чернова".into(),
            Lang::En => "Draft".into(),
        };
    }
    processes::get(&app.process_key)
        .ok()
        .and_then(|def| def.state(&app.state))
        .map(|s| {
            if lang == Lang::Bg {
                s.label_bg.clone()
            } else {
                s.label_en.clone()
            }
        })
        .unwrap_or_else(|| app.state.clone())
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
        Some(StateKind::WaitingApplicant) if for_applicant => "waiting",
        Some(StateKind::Final) if app.state.contains("refus") || app.state.contains("reject") => {
            "refused"
        }
        Some(StateKind::Final) if app.state.contains("withdraw") => "draft",
        Some(StateKind::Final) => "decided",
        _ => "progress",
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
pub async fn service_title(db: &Db, service_id: &str, lang: Lang) -> String {
    match portico_catalog::service::get(db, service_id).await {
        Ok(Some(service)) => service.title(lang).to_owned(),
        _ => service_id.to_owned(),
    }
}

/// The (administration, unit) pairs in which a staff member may work cases.
pub fn work_scopes(user: &SessionUser) -> Vec<(String, Option<String>)> {
    user.roles
        .iter()
        .filter(|r| r.role == "operator" || r.role == "administration_admin")
        .map(|r| (r.administration_id.clone(), r.unit_id.clone()))
        .collect()
}

/// True when the staff member's roles cover this case: its administration, and its unit unless
/// the role covers the whole administration.
pub fn may_work(user: &SessionUser, app: &Application) -> bool {
    !app.is_draft()
        && work_scopes(user).iter().any(|(administration, unit)| {
            *administration == app.administration_id && (unit.is_none() || *unit == app.unit_id)
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
        "state" => {
            let to = e.to_state.as_deref().unwrap_or("");
            processes::get(&app.process_key)
                .ok()
                .and_then(|d| d.state(to))
                .map(|s| {
                    if page.lang == Lang::Bg {
                        s.label_bg.clone()
                    } else {
                        s.label_en.clone()
                    }
                })
                .unwrap_or_else(|| to.to_owned())
        }
        _ => page.t("ev_message").to_owned(),
    }
}
