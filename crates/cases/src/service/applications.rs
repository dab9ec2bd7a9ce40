//! Applications from draft to decision.

use crate::model::{Application, ConsentRequest, Event, ServiceInfo, TransitionInput, DRAFT};
use crate::process::{ProcessRole, Provided, StateKind};
use crate::service::{consents, notifications, processes, tracking};
use crate::CasesError;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use portico_audit::SigningKey;
use portico_core::calendar::WorkingCalendar;
use portico_core::clock::{from_millis, to_millis};
use portico_core::new_id;
use portico_insights::model::{Event as Measured, EventKind as Kind};
use portico_registries::model::CaseEnd;
use portico_store::{Db, Tx};
use sha2::{Digest, Sha256};

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    tracking_number: Option<String>,
    service_id: String,
    administration_id: String,
    unit_id: Option<String>,
    applicant_id: String,
    form_version_id: String,
    process_key: String,
    state: String,
    data: String,
    current_step: i64,
    assigned_to: Option<String>,
    state_deadline: Option<String>,
    final_deadline: Option<String>,
    submitted_at: Option<i64>,
    submission_hash: Option<String>,
    submission_signature: Option<String>,
    result_blob: Option<String>,
    version: i64,
    created_at: i64,
    updated_at: i64,
    state_deadlines: Option<String>,
}

const COLUMNS: &str = "id, tracking_number, service_id, administration_id, unit_id, applicant_id, form_version_id, \
     process_key, state, data, current_step, assigned_to, state_deadline, final_deadline, submitted_at, \
     submission_hash, submission_signature, result_blob, version, created_at, updated_at, state_deadlines";

fn date(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
}

fn from_row(r: Row) -> Result<Application, CasesError> {
    let data = serde_json::from_str(&r.data).map_err(|e| {
        CasesError::Internal(format!("application {} has unreadable data: {e}", r.id))
    })?;
    let state_deadlines = match &r.state_deadlines {
        Some(raw) => serde_json::from_str(raw).map_err(|e| {
            CasesError::Internal(format!(
                "application {} has unreadable deadlines: {e}",
                r.id
            ))
        })?,
        None => Default::default(),
    };
    Ok(Application {
        state_deadlines,
        id: r.id,
        tracking_number: r.tracking_number,
        service_id: r.service_id,
        administration_id: r.administration_id,
        unit_id: r.unit_id,
        applicant_id: r.applicant_id,
        form_version_id: r.form_version_id,
        process_key: r.process_key,
        state: r.state,
        data,
        current_step: r.current_step,
        assigned_to: r.assigned_to,
        state_deadline: date(r.state_deadline),
        final_deadline: date(r.final_deadline),
        submitted_at: r.submitted_at.map(from_millis),
        submission_hash: r.submission_hash,
        submission_signature: r.submission_signature,
        result_blob: r.result_blob,
        version: r.version,
        created_at: from_millis(r.created_at),
        updated_at: from_millis(r.updated_at),
    })
}

pub async fn get(db: &Db, id: &str) -> Result<Option<Application>, CasesError> {
    let sql = format!("SELECT {COLUMNS} FROM applications WHERE id = $1");
    let row: Option<Row> = sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.map(from_row).transpose()
}

/// The application as this transaction sees it.
pub async fn get_in_tx(tx: &mut Tx, id: &str) -> Result<Application, CasesError> {
    get_in(tx, id).await
}

async fn get_in(tx: &mut Tx, id: &str) -> Result<Application, CasesError> {
    let sql = format!("SELECT {COLUMNS} FROM applications WHERE id = $1");
    let row: Option<Row> = sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    row.map(from_row).transpose()?.ok_or(CasesError::NotFound)
}

pub async fn list_for_applicant(
    db: &Db,
    applicant_id: &str,
) -> Result<Vec<Application>, CasesError> {
    let sql = format!("SELECT {COLUMNS} FROM applications WHERE applicant_id = $1 ORDER BY updated_at DESC LIMIT 200");
    let rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(applicant_id)
        .fetch_all(db.pool())
        .await?;
    rows.into_iter().map(from_row).collect()
}

/// An open draft of this service by this person, to continue rather than start over.
pub async fn open_draft(
    db: &Db,
    applicant_id: &str,
    service_id: &str,
) -> Result<Option<Application>, CasesError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM applications WHERE applicant_id = $1 AND service_id = $2 AND state = 'draft' \
         ORDER BY updated_at DESC LIMIT 1"
    );
    let row: Option<Row> = sqlx::query_as(&sql)
        .bind(applicant_id)
        .bind(service_id)
        .fetch_optional(db.pool())
        .await?;
    row.map(from_row).transpose()
}

/// Starts a draft with the form version current today; the application keeps that version
/// whatever happens to the form later.
pub async fn start_draft(
    tx: &mut Tx,
    applicant_id: &str,
    service: &ServiceInfo,
    form_version_id: &str,
    prefill: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<Application, CasesError> {
    processes::get(&service.process_key)?;
    let id = new_id();
    sqlx::query(
        "INSERT INTO applications (id, service_id, administration_id, applicant_id, form_version_id, process_key, state, \
         stage, data, current_step, version, created_at, updated_at, state_deadlines) \
         VALUES ($1, $2, $3, $4, $5, $6, 'draft', 'draft', $7, 0, 1, $8, $8, $9)",
    )
    .bind(&id)
    .bind(&service.id)
    .bind(&service.administration_id)
    .bind(applicant_id)
    .bind(form_version_id)
    .bind(&service.process_key)
    .bind(prefill.to_string())
    .bind(to_millis(now))
    .bind(if service.state_deadlines.is_empty() {
        None
    } else {
        Some(serde_json::to_string(&service.state_deadlines).map_err(|e| {
            CasesError::Internal(format!("deadlines of service {}: {e}", service.id))
        })?)
    })
    .execute(&mut **tx)
    .await?;
    let started = Measured::of(
        &format!("started:{id}"),
        Kind::Started,
        &service.id,
        &service.administration_id,
        now,
    );
    portico_insights::service::events::emit(tx, &started.about(&id), now).await?;
    get_in(tx, &id).await
}

/// Stores the draft's answers (all of them, as the form merged them) and the step to come back to.
pub async fn save_draft(
    tx: &mut Tx,
    id: &str,
    applicant_id: &str,
    data: &serde_json::Value,
    next_step: i64,
    now: DateTime<Utc>,
) -> Result<Application, CasesError> {
    let app = get_in(tx, id).await?;
    if app.applicant_id != applicant_id {
        return Err(CasesError::NotFound);
    }
    if !app.is_draft() {
        return Err(CasesError::AlreadySubmitted);
    }
    sqlx::query("UPDATE applications SET data = $1, current_step = $2, version = version + 1, updated_at = $3 WHERE id = $4")
        .bind(data.to_string())
        .bind(next_step)
        .bind(to_millis(now))
        .bind(id)
        .execute(&mut **tx)
        .await?;
    get_in(tx, id).await
}

fn calendar() -> WorkingCalendar {
    WorkingCalendar::bulgaria()
}

/// The stage a state belongs to, by its kind in the process: what queues select on.
fn stage_of(process_key: &str, state: &str) -> Result<&'static str, CasesError> {
    let def = processes::get(process_key)?;
    Ok(match def.state(state).map(|s| s.kind) {
        Some(StateKind::Open) => "open",
        Some(StateKind::WaitingApplicant) => "waiting_applicant",
        Some(StateKind::WaitingConsent) => "waiting_consent",
        Some(StateKind::WaitingPayment) => "waiting_payment",
        Some(StateKind::Final) => "final",
        None => {
            return Err(CasesError::Internal(format!(
                "state {state} is not in process {process_key}"
            )))
        }
    })
}

/// The deadline for a state the case enters now: the administration's own for that state when
/// the case was started with one, else the process's, if it gives that state one.
fn state_deadline(
    app: &Application,
    state: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>, CasesError> {
    let def = processes::get(&app.process_key)?;
    let days = match app.state_deadlines.get(state) {
        Some(days) => Some(*days),
        None => def
            .states
            .iter()
            .find(|s| s.id == state)
            .and_then(|s| s.deadline_working_days),
    };
    Ok(days.map(|n| calendar().deadline(now, n).format("%Y-%m-%d").to_string()))
}

/// One line of a case's timeline.
struct NewEvent<'a> {
    actor_id: &'a str,
    kind: &'a str,
    from_state: Option<&'a str>,
    to_state: Option<&'a str>,
    transition: Option<&'a str>,
    body: Option<&'a str>,
    /// `public` (the applicant sees it) or `internal` (staff only).
    visibility: &'a str,
}

impl<'a> NewEvent<'a> {
    fn public(actor_id: &'a str, kind: &'a str) -> Self {
        NewEvent {
            actor_id,
            kind,
            from_state: None,
            to_state: None,
            transition: None,
            body: None,
            visibility: "public",
        }
    }

    fn internal(actor_id: &'a str, kind: &'a str) -> Self {
        NewEvent {
            visibility: "internal",
            ..NewEvent::public(actor_id, kind)
        }
    }
}

async fn record_event(
    tx: &mut Tx,
    application_id: &str,
    e: NewEvent<'_>,
    now: DateTime<Utc>,
) -> Result<(), CasesError> {
    sqlx::query(
        "INSERT INTO application_events (id, application_id, at, actor_id, kind, from_state, to_state, transition, body, visibility) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(new_id())
    .bind(application_id)
    .bind(to_millis(now))
    .bind(e.actor_id)
    .bind(e.kind)
    .bind(e.from_state)
    .bind(e.to_state)
    .bind(e.transition)
    .bind(e.body)
    .bind(e.visibility)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The signed submission record: what was submitted, by whom, when.
#[derive(Debug, Clone)]
pub struct Submission {
    pub tracking_number: String,
    pub hash: String,
    pub signature: String,
}

fn submission_record(
    app: &Application,
    tracking_number: &str,
    attachments: &[String],
    now: DateTime<Utc>,
) -> serde_json::Value {
    // serde_json sorts object keys, so the same application always gives the same bytes.
    serde_json::json!({
        "tracking_number": tracking_number,
        "service_id": app.service_id,
        "form_version_id": app.form_version_id,
        "applicant_id": app.applicant_id,
        "data": app.data,
        "attachments": attachments,
        "submitted_at": now.to_rfc3339(),
    })
}

/// Where a submitted application goes and what it waits for, decided from its answers.
#[derive(Debug, Clone, Copy)]
pub struct Routing<'a> {
    /// The unit that will work it (e.g. the district of the new address).
    pub unit_id: Option<&'a str>,
    /// The service's deadline for the whole case.
    pub deadline_working_days: u32,
    /// The consents to collect before an operator sees it.
    pub consents: &'a [ConsentRequest],
}

/// Submits a draft, as it was when the caller checked it (`app`). Exactly one of several
/// concurrent submissions of the same draft wins (the update is conditional on the draft state
/// and its version); the others get [`CasesError::AlreadySubmitted`], and a draft changed since
/// it was checked [`CasesError::Conflict`]. With consents to collect, the case waits for them
/// before it reaches an operator.
pub async fn submit(
    tx: &mut Tx,
    app: &Application,
    applicant_id: &str,
    routing: &Routing<'_>,
    key: &SigningKey,
    now: DateTime<Utc>,
) -> Result<Submission, CasesError> {
    submit_with_numbers(
        tx,
        app,
        applicant_id,
        routing,
        key,
        now,
        tracking::draws(now.year()),
    )
    .await
}

/// [`submit`], giving the first of `numbers` that no other application holds.
pub(crate) async fn submit_with_numbers(
    tx: &mut Tx,
    app: &Application,
    applicant_id: &str,
    routing: &Routing<'_>,
    key: &SigningKey,
    now: DateTime<Utc>,
    numbers: impl Iterator<Item = String>,
) -> Result<Submission, CasesError> {
    let Routing {
        unit_id,
        deadline_working_days,
        consents: needed_consents,
    } = *routing;
    let id = app.id.as_str();
    if app.applicant_id != applicant_id {
        return Err(CasesError::NotFound);
    }
    if !app.is_draft() {
        return Err(CasesError::AlreadySubmitted);
    }
    let def = processes::get(&app.process_key)?;
    let first_state = def.initial.clone();
    let attachments: Vec<String> = sqlx::query_as::<_, (String,)>(
        "SELECT blob_key FROM attachments WHERE application_id = $1 ORDER BY blob_key",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(|r| r.0)
    .collect();
    let final_deadline = calendar()
        .deadline(now, deadline_working_days)
        .format("%Y-%m-%d")
        .to_string();
    let mut submitted = None;
    for number in numbers {
        let record = submission_record(app, &number, &attachments, now);
        let hash = hex::encode(Sha256::digest(record.to_string()));
        // A JWS whose payload is exactly the hashed record (see docs/audit.md, "Signed evidence").
        let signature = key.sign_jws(&record)?;
        let update = sqlx::query(
            "UPDATE applications SET state = $1, tracking_number = $2, unit_id = $3, submitted_at = $4, submission_hash = $5, \
             submission_signature = $6, final_deadline = $7, state_deadline = $8, stage = $10, version = version + 1, \
             updated_at = $4 WHERE id = $9 AND state = 'draft' AND version = $11 AND applicant_id = $12",
        )
        .bind(&first_state)
        .bind(&number)
        .bind(unit_id)
        .bind(to_millis(now))
        .bind(&hash)
        .bind(&signature)
        .bind(&final_deadline)
        .bind(state_deadline(app, &first_state, now)?)
        .bind(id)
        .bind(stage_of(&app.process_key, &first_state)?)
        .bind(app.version)
        .bind(applicant_id);
        match tracking::taking_number(tx, update).await? {
            Some(0) => return Err(changed_since_checked(tx, app).await),
            Some(_) => {
                submitted = Some(Submission {
                    tracking_number: number,
                    hash,
                    signature,
                });
                break;
            }
            None => tracing::warn!("tracking number collision; drawing another"),
        }
    }
    let Submission {
        tracking_number,
        hash,
        signature,
    } = submitted.ok_or_else(|| {
        CasesError::Internal("no free tracking number after several draws".into())
    })?;
    let event = NewEvent {
        from_state: Some(DRAFT),
        to_state: Some(&first_state),
        ..NewEvent::public(applicant_id, "submitted")
    };
    record_event(tx, id, event, now).await?;
    let submitted = Measured::of(
        &format!("submitted:{id}"),
        Kind::Submitted,
        &app.service_id,
        &app.administration_id,
        now,
    );
    portico_insights::service::events::emit(tx, &submitted.about(id), now).await?;
    if !needed_consents.is_empty() {
        for consent in needed_consents {
            consents::request(tx, id, consent, now).await?;
        }
        // The process says how a case waits for consent: the system's transition into such a state.
        let to_consent = def
            .available(&first_state, ProcessRole::System)
            .into_iter()
            .find(|t| {
                def.state(&t.to)
                    .is_some_and(|s| s.kind == StateKind::WaitingConsent)
            })
            .map(|t| t.id.clone())
            .ok_or_else(|| {
                CasesError::Internal(format!("process {} cannot wait for consent", def.key))
            })?;
        system_transition(tx, id, &to_consent, now).await?;
    }
    let event = portico_audit::Event::new(applicant_id, "cases.submitted", applicant_id)
        .in_administration(&app.administration_id)
        .with(serde_json::json!({ "application": id, "tracking_number": tracking_number, "hash": hash }));
    portico_audit::append(tx, event, now).await?;
    Ok(Submission {
        tracking_number,
        hash,
        signature,
    })
}

/// Why a draft's conditional submit updated nothing: submitted since, or changed since it was
/// checked.
async fn changed_since_checked(tx: &mut Tx, app: &Application) -> CasesError {
    match get_in(tx, &app.id).await {
        Ok(now) if !now.is_draft() => CasesError::AlreadySubmitted,
        Ok(now) if now.applicant_id != app.applicant_id => CasesError::NotFound,
        Ok(_) => CasesError::Conflict,
        Err(e) => e,
    }
}

/// Who is acting on a case, as the process sees them.
#[derive(Debug, Clone)]
pub struct ActingAs<'a> {
    pub account_id: &'a str,
    pub actor: ProcessRole,
}

/// Takes a transition of the case's process, checked against the definition, on the version of
/// the case the actor saw. Returns the updated application.
pub async fn transition(
    tx: &mut Tx,
    id: &str,
    seen_version: i64,
    acting: ActingAs<'_>,
    transition_id: &str,
    input: &TransitionInput,
    now: DateTime<Utc>,
) -> Result<Application, CasesError> {
    let app = get_in(tx, id).await?;
    if app.version != seen_version {
        return Err(CasesError::Conflict);
    }
    let def = processes::get(&app.process_key)?;
    let provided = Provided {
        reason: input
            .reason
            .as_deref()
            .is_some_and(|r| !r.trim().is_empty()),
        message: input
            .message
            .as_deref()
            .is_some_and(|m| !m.trim().is_empty()),
        result_document: true,
        assigned_to_actor: app.assigned_to.as_deref() == Some(acting.account_id),
    };
    let t = def
        .transition(&app.state, transition_id, acting.actor, &provided)
        .map_err(|e| CasesError::Transition(e.code()))?;
    let to = t.to.clone();
    let updated = sqlx::query(
        "UPDATE applications SET state = $1, state_deadline = $2, stage = $6, version = version + 1, updated_at = $3 \
         WHERE id = $4 AND version = $5",
    )
    .bind(&to)
    .bind(state_deadline(&app, &to, now)?)
    .bind(to_millis(now))
    .bind(id)
    .bind(seen_version)
    .bind(stage_of(&app.process_key, &to)?)
    .execute(&mut **tx)
    .await?;
    if updated.rows_affected() != 1 {
        return Err(CasesError::Conflict);
    }
    let body = input
        .reason
        .as_deref()
        .or(input.message.as_deref())
        .filter(|b| !b.trim().is_empty());
    let event = NewEvent {
        from_state: Some(&app.state),
        to_state: Some(&to),
        transition: Some(transition_id),
        body,
        ..NewEvent::public(acting.account_id, "state")
    };
    record_event(tx, id, event, now).await?;
    if stage_of(&app.process_key, &to)? == "final" {
        // A case that ended (withdrawn, refused, decided) asks nobody for consent any more.
        consents::close_pending(tx, id, now).await?;
        // Measured once, when the case first reaches a final state.
        let kind = if to == "withdrawn" {
            Kind::Withdrawn
        } else {
            Kind::Decided
        };
        let ended = Measured::of(
            &format!("ended:{id}"),
            kind,
            &app.service_id,
            &app.administration_id,
            now,
        );
        let ended = ended.decision(
            &to,
            app.submitted_at.unwrap_or(app.created_at),
            app.final_deadline,
        );
        portico_insights::service::events::emit(tx, &ended, now).await?;
        // A case that is a person's correction request answers it, in this transaction (the
        // registries block records the answer and corrects its register; other cases are not
        // its, and change nothing there).
        let end = match to.as_str() {
            "approved" => Some(CaseEnd::Approved),
            "refused" => Some(CaseEnd::Refused),
            "withdrawn" => Some(CaseEnd::Withdrawn),
            _ => None,
        };
        if let Some(end) = end {
            // The owner's words with the decision; a withdrawal is the person's own doing.
            let reason = input
                .reason
                .as_deref()
                .filter(|_| end != CaseEnd::Withdrawn);
            portico_registries::service::corrections::case_ended(
                tx,
                id,
                end,
                reason,
                acting.account_id,
                now,
            )
            .await?;
        }
    }
    let event = portico_audit::Event::new(acting.account_id, "cases.transition", &app.applicant_id)
        .in_administration(&app.administration_id)
        .with(serde_json::json!({ "application": id, "from": app.state, "to": to, "transition": transition_id }));
    portico_audit::append(tx, event, now).await?;
    let state = def.states.iter().find(|s| s.id == to);
    let (bg, en) = state
        .map(|s| (s.label_bg.as_str(), s.label_en.as_str()))
        .unwrap_or((to.as_str(), to.as_str()));
    let number = app.tracking_number.clone().unwrap_or_default();
    notifications::notify(
        tx,
        &app.applicant_id,
        Some(id),
        &format!("Заявление {number}: {bg}"),
        &format!("Application {number}: {en}"),
        now,
    )
    .await?;
    get_in(tx, id).await
}

/// An operator takes a case (or an administrator gives it to one): the case records who works it.
pub async fn assign(
    tx: &mut Tx,
    id: &str,
    seen_version: i64,
    by: &str,
    to: &str,
    now: DateTime<Utc>,
) -> Result<Application, CasesError> {
    let app = get_in(tx, id).await?;
    let def = processes::get(&app.process_key)?;
    if def
        .states
        .iter()
        .any(|s| s.id == app.state && s.kind == StateKind::Final)
        || app.is_draft()
    {
        return Err(CasesError::Transition("transition.not_allowed"));
    }
    let updated = sqlx::query("UPDATE applications SET assigned_to = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4")
        .bind(to)
        .bind(to_millis(now))
        .bind(id)
        .bind(seen_version)
        .execute(&mut **tx)
        .await?;
    if updated.rows_affected() != 1 {
        return Err(CasesError::Conflict);
    }
    let body = if by == to { None } else { Some(to) };
    record_event(
        tx,
        id,
        NewEvent {
            body,
            ..NewEvent::internal(by, "assigned")
        },
        now,
    )
    .await?;
    let event = portico_audit::Event::new(by, "cases.assigned", &app.applicant_id)
        .in_administration(&app.administration_id)
        .with(serde_json::json!({ "application": id, "to": to }));
    portico_audit::append(tx, event, now).await?;
    get_in(tx, id).await
}

/// A register check an operator ran from the case, on the staff's timeline: `transition` holds
/// the check's id and `body` its outcome (`confirmed`, `not_confirmed`, or `failed:{code}`).
pub async fn add_check_event(
    tx: &mut Tx,
    id: &str,
    by: &str,
    check_id: &str,
    outcome: &str,
    now: DateTime<Utc>,
) -> Result<(), CasesError> {
    record_event(
        tx,
        id,
        NewEvent {
            transition: Some(check_id),
            body: Some(outcome),
            ..NewEvent::internal(by, "check")
        },
        now,
    )
    .await
}

/// An internal note: seen by staff only, never by the applicant.
pub async fn add_note(
    tx: &mut Tx,
    id: &str,
    by: &str,
    text: &str,
    now: DateTime<Utc>,
) -> Result<(), CasesError> {
    if text.trim().is_empty() {
        return Err(CasesError::Invalid(vec![portico_core::FieldError::new(
            "note",
            "note.missing",
        )]));
    }
    get_in(tx, id).await?;
    record_event(
        tx,
        id,
        NewEvent {
            body: Some(text.trim()),
            ..NewEvent::internal(by, "note")
        },
        now,
    )
    .await
}

/// The applicant's answer to a request for information, kept on the timeline.
pub async fn add_message(
    tx: &mut Tx,
    id: &str,
    by: &str,
    text: &str,
    now: DateTime<Utc>,
) -> Result<(), CasesError> {
    record_event(
        tx,
        id,
        NewEvent {
            body: Some(text.trim()),
            ..NewEvent::public(by, "message")
        },
        now,
    )
    .await
}

pub async fn set_result(tx: &mut Tx, id: &str, blob_key: &str) -> Result<(), CasesError> {
    sqlx::query("UPDATE applications SET result_blob = $1 WHERE id = $2")
        .bind(blob_key)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct EventRow {
    at: i64,
    actor_id: String,
    kind: String,
    from_state: Option<String>,
    to_state: Option<String>,
    transition: Option<String>,
    body: Option<String>,
    visibility: String,
}

pub async fn timeline(db: &Db, id: &str, include_internal: bool) -> Result<Vec<Event>, CasesError> {
    let rows: Vec<EventRow> = sqlx::query_as(
        "SELECT at, actor_id, kind, from_state, to_state, transition, body, visibility FROM application_events \
         WHERE application_id = $1 AND (visibility = 'public' OR $2 = 1) ORDER BY at, id",
    )
    .bind(id)
    .bind(if include_internal { 1i64 } else { 0i64 })
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Event {
            at: from_millis(r.at),
            actor_id: r.actor_id,
            kind: r.kind,
            from_state: r.from_state,
            to_state: r.to_state,
            transition: r.transition,
            body: r.body,
            visibility: r.visibility,
        })
        .collect())
}

/// A unit's queue: open cases of the administration (and unit, when given), by deadline.
pub async fn queue(
    db: &Db,
    administration_id: &str,
    unit_id: Option<&str>,
) -> Result<Vec<Application>, CasesError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM applications WHERE administration_id = $1 AND ($2 IS NULL OR unit_id = $2) \
         AND stage IN ('open', 'waiting_applicant') \
         ORDER BY CASE WHEN state_deadline IS NULL THEN 1 ELSE 0 END, state_deadline, submitted_at LIMIT 500"
    );
    let rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(administration_id)
        .bind(unit_id)
        .fetch_all(db.pool())
        .await?;
    rows.into_iter().map(from_row).collect()
}

/// The applications of a service still in progress (drafts and cases not yet in a final state),
/// newest first, for the service console's view of which form version each one uses.
pub async fn in_progress_for_service(
    db: &Db,
    service_id: &str,
) -> Result<Vec<Application>, CasesError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM applications WHERE service_id = $1 AND stage <> 'final' \
         ORDER BY created_at DESC LIMIT 500"
    );
    let rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(service_id)
        .fetch_all(db.pool())
        .await?;
    rows.into_iter().map(from_row).collect()
}

/// Cases that reached a final state, for the back office's "done" list.
pub async fn done(
    db: &Db,
    administration_id: &str,
    unit_id: Option<&str>,
) -> Result<Vec<Application>, CasesError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM applications WHERE administration_id = $1 AND ($2 IS NULL OR unit_id = $2) \
         AND stage = 'final' ORDER BY updated_at DESC LIMIT 100"
    );
    let rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(administration_id)
        .bind(unit_id)
        .fetch_all(db.pool())
        .await?;
    rows.into_iter().map(from_row).collect()
}

/// A document uploaded for a field of the form, already in the blob store under `blob_key`.
pub struct NewAttachment<'a> {
    pub field: &'a str,
    pub blob_key: &'a str,
    pub filename: &'a str,
    pub content_type: &'a str,
    pub size: i64,
}

pub async fn add_attachment(
    tx: &mut Tx,
    application_id: &str,
    a: NewAttachment<'_>,
    by: &str,
    now: DateTime<Utc>,
) -> Result<String, CasesError> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO attachments (id, application_id, field, blob_key, filename, content_type, size, uploaded_by, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(application_id)
    .bind(a.field)
    .bind(a.blob_key)
    .bind(a.filename)
    .bind(a.content_type)
    .bind(a.size)
    .bind(by)
    .bind(to_millis(now))
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// For a field that takes one file: removes the draft's other attachments of `field`, so that a
/// new upload replaces the old one. Returns how many were removed. The blobs stay (the store is
/// content-addressed, and another attachment may hold the same bytes).
pub async fn replace_attachment(
    tx: &mut Tx,
    application_id: &str,
    field: &str,
    keep_id: &str,
) -> Result<u64, CasesError> {
    let app = get_in(tx, application_id).await?;
    if !app.is_draft() {
        return Err(CasesError::AlreadySubmitted);
    }
    let done = sqlx::query(
        "DELETE FROM attachments WHERE application_id = $1 AND field = $2 AND id <> $3",
    )
    .bind(application_id)
    .bind(field)
    .bind(keep_id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

pub async fn attachments(
    db: &Db,
    application_id: &str,
) -> Result<Vec<crate::model::Attachment>, CasesError> {
    let rows: Vec<(String, String, String, String, String, i64)> = sqlx::query_as(
        "SELECT id, field, blob_key, filename, content_type, size FROM attachments WHERE application_id = $1 ORDER BY uploaded_at",
    )
    .bind(application_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, field, blob_key, filename, content_type, size)| crate::model::Attachment {
                id,
                field,
                blob_key,
                filename,
                content_type,
                size,
            },
        )
        .collect())
}

/// The system moves a case on when its consents are complete (or one is refused).
pub async fn system_transition(
    tx: &mut Tx,
    id: &str,
    transition_id: &str,
    now: DateTime<Utc>,
) -> Result<Application, CasesError> {
    let app = get_in(tx, id).await?;
    transition(
        tx,
        id,
        app.version,
        ActingAs {
            account_id: "system",
            actor: ProcessRole::System,
        },
        transition_id,
        &TransitionInput::default(),
        now,
    )
    .await
}
