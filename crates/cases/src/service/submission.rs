//! Submitting an application: the final check of the answers, the unit that will work it, the
//! consents it needs, the signed record and tracking number, and everyone told, in one
//! transaction. Submitting is signing, so it takes a step-up proof from identity.

use crate::model::{Application, ConsentRequest};
use crate::service::applications::{self, Routing};
use crate::service::found::{self, FoundPerson};
use crate::service::{access, answers, notifications};
use crate::CasesError;
use portico_catalog::forms::FormVersion;
use portico_catalog::model::Service;
use portico_core::{Actor, FieldError};
use portico_identity::model::Account;
use portico_identity::service::step_up::StepUp;
use portico_store::Db;
use serde_json::Value;

/// What the step-up proof must have been asked for.
pub const STEP_UP_PURPOSE: &str = "cases.submit";

/// A submitted application's receipt.
#[derive(Debug, Clone)]
pub struct Submitted {
    pub application: Application,
    pub tracking_number: String,
}

/// Submits the actor's draft. A second submission of the same draft (a double click, a retry)
/// is [`CasesError::AlreadySubmitted`] and changes nothing; the caller shows the receipt.
pub async fn submit(
    cases: &super::Cases,
    actor: &Actor,
    id: &str,
    confirmed: &StepUp,
) -> Result<Submitted, CasesError> {
    let db = &cases.db;
    let account_id = actor.account_id().ok_or(CasesError::Forbidden)?;
    if !confirmed.is_for(account_id, STEP_UP_PURPOSE) {
        return Err(CasesError::Forbidden);
    }
    let app = access::own(db, actor, id).await?;
    if !app.is_draft() {
        return Err(CasesError::AlreadySubmitted);
    }
    // The people the platform finds, found again if the answers changed; a register that can
    // no longer say gives the question back to the applicant (the form asks it again, below).
    found::refresh(cases, actor, &app).await?;
    let form = answers::form_of(db, &app).await?;
    let problems = form.validate(&app.data);
    if !problems.is_empty() {
        return Err(CasesError::Invalid(problems));
    }
    let service = answers::service_of(db, &app).await?;
    let applicant = portico_identity::service::accounts::get(db, account_id)
        .await?
        .ok_or(CasesError::Forbidden)?;
    let found = found::people(db, &app.id).await?;
    let finders = found::roles(db, &app.id).await?;
    let consents = consents_needed(&form, &app.data, &applicant, &finders, &found)?;
    let unit = route_to_unit(db, &service, &form, &app.data).await?;
    let fee = super::fees::fee_for(
        db,
        &app,
        &service,
        applicant.personal_id.as_ref().map(|p| p.value()),
    )
    .await?;
    // Everything read from other blocks is read before the transaction, so the transaction holds
    // one connection and no lock while it waits for anything else.
    let mut to_tell = Vec::new();
    for consent in &consents {
        if let Some(account) =
            portico_identity::service::accounts::find_by_personal_id(db, &consent.personal_id)
                .await?
        {
            // Only the person of that kind of identifier is told (and may answer).
            if account
                .personal_id
                .as_ref()
                .is_some_and(|p| p.kind() == consent.personal_id_kind)
            {
                to_tell.push(account.id);
            }
        }
    }

    let now = cases.now();
    let routing = Routing {
        unit_id: unit.as_deref(),
        deadline_working_days: service.facts.deadline_working_days,
        consents: &consents,
    };
    let mut tx = db.begin().await?;
    let submission =
        applications::submit(&mut tx, id, account_id, &routing, &cases.key, now).await?;
    let number = &submission.tracking_number;
    if let Some(fee) = &fee {
        // A case that waits for consent is asked for its fee once everyone has consented
        // (consents::give_or_refuse); otherwise now.
        if consents.is_empty() {
            super::fees::ask_in(&mut tx, id, number, fee, now).await?;
        }
    }
    let (bg, en) = (&service.facts.title.bg, &service.facts.title.en);
    notifications::notify(
        &mut tx,
        account_id,
        Some(id),
        &format!("Заявлението ви за „{bg}“ е подадено. Номер: {number}"),
        &format!("Your application for \"{en}\" was submitted. Number: {number}"),
        now,
    )
    .await?;
    for person in &to_tell {
        notifications::notify(
            &mut tx,
            person,
            Some(id),
            &format!("Искане за съгласие по заявление {number} за „{bg}“. Вижте „Искания за съгласие“ в профила си."),
            &format!("Your consent is asked for application {number} for \"{en}\". See \"Requests for your consent\" in your account."),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    cases.wake_jobs();
    tracing::info!(application = %id, "application submitted");
    Ok(Submitted {
        application: applications::get(db, id)
            .await?
            .ok_or(CasesError::NotFound)?,
        tracking_number: submission.tracking_number,
    })
}

/// The consents the form declares for these answers. Nobody consents to their own application:
/// naming oneself is refused on the field that does it. For the rules the platform answers
/// (`finders`, by role), the people it found are asked, each once, instead of a field's.
pub fn consents_needed(
    form: &FormVersion,
    data: &Value,
    applicant: &Account,
    finders: &[String],
    found: &[FoundPerson],
) -> Result<Vec<ConsentRequest>, CasesError> {
    let own = applicant.personal_id.as_ref();
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for rule in form
        .layout
        .consents
        .iter()
        .filter(|r| finders.contains(&r.role) && r.applies(data))
    {
        for person in found.iter().filter(|p| p.role == rule.role) {
            let is_own = own.is_some_and(|p| {
                p.kind() == person.personal_id_kind && p.value() == person.personal_id
            });
            if !is_own {
                out.push(ConsentRequest {
                    personal_id_kind: person.personal_id_kind.clone(),
                    personal_id: person.personal_id.clone(),
                    role: rule.role.clone(),
                });
            }
        }
    }
    for (rule, personal_id) in form
        .consents_needed(data)
        .into_iter()
        .filter(|(r, _)| !finders.contains(&r.role))
    {
        // The fields that name a person who consents are EGN fields.
        let kind = "egn";
        if own.is_some_and(|p| p.kind() == kind && p.value() == personal_id) {
            problems.push(FieldError::new(&rule.person, "consent.self"));
            continue;
        }
        out.push(ConsentRequest {
            personal_id_kind: kind.to_owned(),
            personal_id,
            role: rule.role.clone(),
        });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(CasesError::Invalid(problems))
    }
}

/// The unit that works the case: by the form's routing rule (e.g. the district of the chosen
/// address), else the service's first unit.
async fn route_to_unit(
    db: &Db,
    service: &Service,
    form: &FormVersion,
    data: &Value,
) -> Result<Option<String>, CasesError> {
    let units =
        portico_identity::service::administrations::list_units(db, &service.administration_id)
            .await?;
    if let Some(rule) = &form.layout.routing {
        let list = form
            .field(&rule.field)
            .and_then(|f| f.nomenclature.as_deref());
        let code = data.get(&rule.field).and_then(Value::as_str);
        if let (Some(list), Some(code)) = (list, code) {
            let entry = portico_catalog::service::nomenclatures::get(db, list, code).await?;
            if let Some(unit_code) = entry.as_ref().and_then(|e| e.attribute(&rule.attribute)) {
                if let Some(unit) = units.iter().find(|u| u.code == unit_code) {
                    return Ok(Some(unit.id.clone()));
                }
            }
        }
    }
    let first = service.facts.units.first();
    Ok(units
        .iter()
        .find(|u| Some(&u.code) == first || Some(&u.id) == first)
        .map(|u| u.id.clone()))
}
