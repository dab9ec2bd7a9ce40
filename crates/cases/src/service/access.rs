//! Who may see and act on an application. Every use case asks here, whoever the actor is; to
//! anyone without the right an application does not exist ("not found", never "forbidden"), so
//! ids cannot be probed.

use crate::model::Application;
use crate::process::ProcessRole;
use crate::service::applications;
use crate::CasesError;
use portico_core::Actor;
use portico_store::Db;

/// The API scope an institution's client needs to work its administration's cases.
pub const SCOPE: &str = "cases";

/// True when the actor's roles (or an API client's scope) cover the case's administration and
/// unit. Drafts belong to their applicant alone.
pub fn may_work(actor: &Actor, app: &Application) -> bool {
    !app.is_draft() && actor.may_work_in(SCOPE, &app.administration_id, app.unit_id.as_deref())
}

/// The actor is the applicant, or acts for them under a mandate ("acting as"): a mandate's
/// agent sees and answers the principal's applications, and no longer their own while acting.
pub fn is_applicant(actor: &Actor, app: &Application) -> bool {
    actor.principal_account_id() == Some(app.applicant_id.as_str())
}

/// The part the actor plays in the case's process. The applicant is the applicant even when
/// they are also staff of the administration: nobody works their own case.
pub fn process_role(actor: &Actor, app: &Application) -> Option<ProcessRole> {
    match actor {
        Actor::System(_) => Some(ProcessRole::System),
        _ if is_applicant(actor, app) => Some(ProcessRole::Applicant),
        _ if may_work(actor, app) => Some(ProcessRole::Operator),
        _ => None,
    }
}

/// True when the actor has somewhere to work cases at all (the back office is theirs).
pub fn is_staff(actor: &Actor) -> bool {
    !actor.work_scopes(SCOPE).is_empty()
}

/// The actor's own application.
pub async fn own(db: &Db, actor: &Actor, id: &str) -> Result<Application, CasesError> {
    match applications::get(db, id).await? {
        Some(app) if is_applicant(actor, &app) => Ok(app),
        _ => Err(CasesError::NotFound),
    }
}

/// A case the actor may work; staff without any work scope are refused outright.
pub async fn workable(db: &Db, actor: &Actor, id: &str) -> Result<Application, CasesError> {
    if !is_staff(actor) {
        return Err(CasesError::Forbidden);
    }
    match applications::get(db, id).await? {
        Some(app) if may_work(actor, &app) => Ok(app),
        _ => Err(CasesError::NotFound),
    }
}

/// An application the actor may read: their own, or one they may work.
pub async fn visible(db: &Db, actor: &Actor, id: &str) -> Result<Application, CasesError> {
    match applications::get(db, id).await? {
        Some(app) if is_applicant(actor, &app) || may_work(actor, &app) => Ok(app),
        _ => Err(CasesError::NotFound),
    }
}
