//! Checks in base registers that an operator runs from the case ("does the applicant own the
//! address?", "are the children named theirs?"), declared in the form's layout (`checks`), so the
//! applicant is not asked for certificates another administration already holds.
//!
//! Each run is one look-up through the registries block's mediator, made by the operator for
//! their administration, with the service's legal basis, the service and the case as its context:
//! it is in the query log and on the applicant's "my data". The outcome (confirmed, not confirmed,
//! or could not be checked, with the reason) is kept with the case; the register's answer itself
//! is not, only what it confirmed.

use crate::model::Application;
use crate::process::ProcessRole;
use crate::service::{access, answers};
use crate::CasesError;
use portico_catalog::forms::RegisterCheck;
use portico_core::clock::to_millis;
use portico_core::{new_id, Actor};
use portico_store::Db;

pub const CONFIRMED: &str = "confirmed";
pub const NOT_CONFIRMED: &str = "not_confirmed";
pub const FAILED: &str = "failed";

/// One run of a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRun {
    pub check_id: String,
    /// [`CONFIRMED`], [`NOT_CONFIRMED`] or [`FAILED`].
    pub outcome: String,
    /// For a failed run, the registries block's error code (`no_grant`, `adapter_timeout`, …).
    pub error_code: Option<String>,
    pub query_id: Option<String>,
    pub actor_id: String,
    /// Epoch milliseconds.
    pub at: i64,
}

/// A check the case's answers call for, with its last run.
#[derive(Debug, Clone)]
pub struct Offered {
    pub check: RegisterCheck,
    pub last: Option<CheckRun>,
}

/// The checks an operator of the case may run now, with their last runs; an empty list for
/// anyone who does not work the case, a draft, or a form that declares none.
pub async fn offered(
    cases: &super::Cases,
    actor: &Actor,
    app: &Application,
) -> Result<Vec<Offered>, CasesError> {
    if app.is_draft() || access::process_role(actor, app) != Some(ProcessRole::Operator) {
        return Ok(Vec::new());
    }
    let form = answers::form_of(&cases.db, app).await?;
    let runs = runs_of(&cases.db, &app.id).await?;
    Ok(form
        .layout
        .checks
        .iter()
        .filter(|c| c.applies(&app.data))
        .map(|c| Offered {
            check: c.clone(),
            last: runs.iter().rev().find(|r| r.check_id == c.id).cloned(),
        })
        .collect())
}

/// Runs one check of the case as the operator. Anyone who may not work the case gets
/// [`CasesError::NotFound`]; a check the case does not call for is [`CasesError::Transition`].
pub async fn run(
    cases: &super::Cases,
    actor: &Actor,
    id: &str,
    check_id: &str,
) -> Result<CheckRun, CasesError> {
    let app = access::workable(&cases.db, actor, id).await?;
    let offered = offered(cases, actor, &app).await?;
    let check = offered
        .into_iter()
        .map(|o| o.check)
        .find(|c| c.id == check_id)
        .ok_or(CasesError::Transition("check_not_offered"))?;
    let outcome = look_up(cases, actor, &app, &check).await?;
    let run = CheckRun {
        check_id: check.id.clone(),
        outcome: outcome.0.to_owned(),
        error_code: outcome.1,
        query_id: outcome.2,
        actor_id: actor.audit_id(),
        at: to_millis(cases.now()),
    };
    record(&cases.db, &app.id, &run, cases.now()).await?;
    Ok(run)
}

type Outcome = (&'static str, Option<String>, Option<String>);

async fn look_up(
    cases: &super::Cases,
    actor: &Actor,
    app: &Application,
    check: &RegisterCheck,
) -> Result<Outcome, CasesError> {
    let Some(registries) = cases.registries.as_ref() else {
        return Ok((FAILED, Some("registries_unavailable".into()), None));
    };
    let Some(parameters) = check.parameters_from(&app.data) else {
        return Ok((FAILED, Some("answer_missing".into()), None));
    };
    let Some(subject) = portico_identity::service::accounts::get(&cases.db, &app.applicant_id)
        .await?
        .and_then(|a| a.personal_id)
    else {
        return Ok((FAILED, Some("no_personal_id".into()), None));
    };
    let service = portico_catalog::service::get(&cases.db, &app.service_id)
        .await?
        .ok_or_else(|| CasesError::Internal(format!("service of {} is missing", app.id)))?;
    let request = super::lookups::for_case(
        &service,
        app,
        &subject,
        &check.register,
        &check.operation,
        parameters,
    );
    match portico_registries::service::query(registries, actor, &request).await {
        Ok(answer) => {
            let confirmed = check.confirm.holds(&answer.data, &app.data);
            Ok((
                if confirmed { CONFIRMED } else { NOT_CONFIRMED },
                None,
                Some(answer.query_id),
            ))
        }
        // A refusal or an unreachable register is an outcome the operator reads, not an error
        // page: the case goes on, checked by other means.
        Err(e) => Ok((FAILED, Some(e.code().to_owned()), None)),
    }
}

/// Keeps the run with the case, and puts it on the case's (staff) timeline, in one transaction.
async fn record(
    db: &Db,
    application_id: &str,
    run: &CheckRun,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), CasesError> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO application_checks (id, application_id, check_id, outcome, error_code, query_id, actor_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id().to_string())
    .bind(application_id)
    .bind(&run.check_id)
    .bind(&run.outcome)
    .bind(&run.error_code)
    .bind(&run.query_id)
    .bind(&run.actor_id)
    .bind(run.at)
    .execute(&mut *tx)
    .await?;
    let outcome = match &run.error_code {
        Some(code) => format!("{}:{code}", run.outcome),
        None => run.outcome.clone(),
    };
    super::applications::add_check_event(
        &mut tx,
        application_id,
        &run.actor_id,
        &run.check_id,
        &outcome,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Every run of the case's checks, oldest first.
pub async fn runs_of(db: &Db, application_id: &str) -> Result<Vec<CheckRun>, CasesError> {
    type Row = (String, String, Option<String>, Option<String>, String, i64);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT check_id, outcome, error_code, query_id, actor_id, at FROM application_checks \
         WHERE application_id = $1 ORDER BY at, id",
    )
    .bind(application_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(check_id, outcome, error_code, query_id, actor_id, at)| CheckRun {
                check_id,
                outcome,
                error_code,
                query_id,
                actor_id,
                at,
            },
        )
        .collect())
}
