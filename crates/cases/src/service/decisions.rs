//! Moving a case along its process, for whoever acts: an operator or an institution's system
//! working the case, the applicant withdrawing or answering a request for information, the
//! platform (a consent completed, a payment confirmed). A transition that issues the result
//! makes the signed result document first and stores it before the transaction begins, so the
//! transaction never waits on the blob store.

use crate::model::{Application, TransitionInput};
use crate::process::{ProcessRole, Requirement};
use crate::service::applications::{self, ActingAs};
use crate::service::{access, delivery, evidence, processes, results};
use crate::CasesError;
use portico_core::Actor;

/// Takes `transition_id` on the version of the case the actor saw. Anyone who may not act on
/// the case gets [`CasesError::NotFound`]; a transition the process does not allow the actor is
/// [`CasesError::Transition`]; a newer version is [`CasesError::Conflict`].
pub async fn take(
    cases: &super::Cases,
    actor: &Actor,
    id: &str,
    transition_id: &str,
    seen_version: i64,
    input: &TransitionInput,
) -> Result<Application, CasesError> {
    let app = applications::get(&cases.db, id)
        .await?
        .ok_or(CasesError::NotFound)?;
    let role = access::process_role(actor, &app).ok_or(CasesError::NotFound)?;
    let def = processes::get(&app.process_key)?;
    let issues_result = def
        .transitions
        .iter()
        .find(|t| t.id == transition_id && t.requires.contains(&Requirement::ResultDocument));
    let now = cases.now();
    let result = match issues_result {
        Some(t) if role == ProcessRole::Operator => {
            let document = results::document(cases, &app, &t.to, now).await?;
            let key = cases.blobs.put(document.bytes.clone().into()).await?;
            Some((document, key))
        }
        _ => None,
    };
    // The result goes to the applicant's mailbox; its files are stored before the transaction.
    let outgoing = match &result {
        Some((doc, _)) => {
            delivery::prepare_result(
                cases,
                actor,
                &app,
                &doc.bytes,
                &doc.media_type,
                &doc.file_name,
            )
            .await?
        }
        None => None,
    };
    let audit_id = actor.audit_id();
    let mut tx = cases.db.begin().await?;
    let acting = ActingAs {
        account_id: &audit_id,
        actor: role,
    };
    if role == ProcessRole::Applicant {
        if let Some(message) = input.message.as_deref().filter(|m| !m.trim().is_empty()) {
            applications::add_message(&mut tx, id, &audit_id, message, now).await?;
        }
    }
    let updated =
        applications::transition(&mut tx, id, seen_version, acting, transition_id, input, now)
            .await?;
    if let Some((document, key)) = &result {
        evidence::record_result(&mut tx, id, document, now).await?;
        applications::set_result(&mut tx, id, key).await?;
    }
    if let Some(outgoing) = outgoing {
        delivery::send_result(&mut tx, cases, actor, outgoing, id).await?;
    }
    tx.commit().await?;
    cases.wake_jobs();
    Ok(updated)
}

/// Whoever may work the case takes it (an operator, or an institution's system): the case
/// records that they work it.
pub async fn claim(
    cases: &super::Cases,
    actor: &Actor,
    id: &str,
    seen_version: i64,
) -> Result<Application, CasesError> {
    access::workable(&cases.db, actor, id).await?;
    record_assignment(cases, actor, id, seen_version, &actor.audit_id()).await
}

/// An administration admin gives the case to one of the operators who may work it.
pub async fn give(
    cases: &super::Cases,
    actor: &Actor,
    id: &str,
    seen_version: i64,
    to: &str,
) -> Result<Application, CasesError> {
    let app = access::workable(&cases.db, actor, id).await?;
    if !actor.has_role(
        &app.administration_id,
        portico_core::Role::AdministrationAdmin,
    ) {
        return Err(CasesError::Forbidden);
    }
    if !operators_for(cases, &app)
        .await?
        .iter()
        .any(|h| h.account_id == to)
    {
        return Err(CasesError::Invalid(vec![portico_core::FieldError::new(
            "operator",
            "assign.not_an_operator",
        )]));
    }
    record_assignment(cases, actor, id, seen_version, to).await
}

async fn record_assignment(
    cases: &super::Cases,
    actor: &Actor,
    id: &str,
    seen_version: i64,
    to: &str,
) -> Result<Application, CasesError> {
    let by = actor.audit_id();
    let mut tx = cases.db.begin().await?;
    let updated = applications::assign(&mut tx, id, seen_version, &by, to, cases.now()).await?;
    tx.commit().await?;
    Ok(updated)
}

/// The operators whose scope covers the case: its administration, and its unit or all units.
pub async fn operators_for(
    cases: &super::Cases,
    app: &Application,
) -> Result<Vec<portico_identity::service::roles::Holder>, CasesError> {
    let holders = portico_identity::service::roles::holders(
        &cases.db,
        &app.administration_id,
        portico_core::Role::Operator,
    )
    .await?;
    Ok(holders
        .into_iter()
        .filter(|h| h.unit_id.is_none() || h.unit_id == app.unit_id)
        .collect())
}

/// An internal note on a case, seen by staff only.
pub async fn note(
    cases: &super::Cases,
    actor: &Actor,
    id: &str,
    text: &str,
) -> Result<(), CasesError> {
    access::workable(&cases.db, actor, id).await?;
    let mut tx = cases.db.begin().await?;
    applications::add_note(&mut tx, id, &actor.audit_id(), text, cases.now()).await?;
    tx.commit().await?;
    Ok(())
}
