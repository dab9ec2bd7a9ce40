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

/// A draft checked and ready to submit: everything its submission needs from other blocks, read
/// once, before the transaction (so the transaction holds one connection and no lock while it
/// waits for anything else). Made by [`prepare`], used by [`submit_prepared`].
#[derive(Debug)]
pub struct Prepared {
    app: Application,
    service: Service,
    consents: Vec<ConsentRequest>,
    unit: Option<String>,
    fee: Option<super::fees::Fee>,
    /// The accounts told that their consent is asked.
    to_tell: Vec<String>,
}

/// Submits the actor's draft. A second submission of the same draft (a double click, a retry)
/// is [`CasesError::AlreadySubmitted`] and changes nothing; the caller shows the receipt.
pub async fn submit(
    cases: &super::Cases,
    actor: &Actor,
    id: &str,
    confirmed: &StepUp,
) -> Result<Submitted, CasesError> {
    let app = access::own(&cases.db, actor, id).await?;
    let prepared = prepare(cases, actor, &app).await?;
    let tracking_number = submit_prepared(cases, actor, prepared, confirmed).await?;
    Ok(Submitted {
        application: applications::get(&cases.db, id)
            .await?
            .ok_or(CasesError::NotFound)?,
        tracking_number,
    })
}

/// The final check of the actor's draft, before they are asked to sign: the answers against
/// the form as this application asks it, the people to consent, the unit and the fee.
/// [`CasesError::Invalid`] with what to correct; [`CasesError::AlreadySubmitted`] for a draft
/// submitted already.
pub async fn prepare(
    cases: &super::Cases,
    actor: &Actor,
    app: &Application,
) -> Result<Prepared, CasesError> {
    let db = &cases.db;
    if !access::is_applicant(actor, app) {
        return Err(CasesError::NotFound);
    }
    if !app.is_draft() {
        return Err(CasesError::AlreadySubmitted);
    }
    let account_id = actor.account_id().ok_or(CasesError::Forbidden)?;
    let service = answers::service_of(db, app).await?;
    let form = answers::form_for_service(db, app, &service).await?;
    let finders = found::finders(db, &app.id).await?;
    let mut finder_roles: Vec<String> = finders.iter().map(|(role, _)| role.clone()).collect();
    if !finders.is_empty() {
        // The people the platform finds, found again if the answers changed; a register that
        // can no longer say gives the question back to the applicant (asked again, below).
        let given_back = found::refresh_with(cases, actor, app, &form, &service, finders).await?;
        finder_roles.retain(|role| !given_back.contains(role));
    }
    let form = found::forms_without(form, &finder_roles);
    let problems = form.validate(&app.data);
    if !problems.is_empty() {
        return Err(CasesError::Invalid(problems));
    }
    let applicant = portico_identity::service::accounts::get(db, account_id)
        .await?
        .ok_or(CasesError::Forbidden)?;
    let found = if finder_roles.is_empty() {
        Vec::new()
    } else {
        found::people(db, &app.id).await?
    };
    let consents = consents_needed(&form, &app.data, &applicant, &finder_roles, &found)?;
    let unit = route_to_unit(db, &service, &form, &app.data).await?;
    let fee = super::fees::fee_for(
        db,
        app,
        &service,
        applicant.personal_id.as_ref().map(|p| p.value()),
    )
    .await?;
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
    Ok(Prepared {
        app: app.clone(),
        service,
        consents,
        unit,
        fee,
        to_tell,
    })
}

/// Submits a draft [`prepare`] checked, signed with the step-up proof, in one transaction. The
/// draft must be as it was checked: [`CasesError::Conflict`] if its answers changed since (a
/// step saved in another tab), [`CasesError::AlreadySubmitted`] if it was submitted since.
/// Returns the tracking number.
pub async fn submit_prepared(
    cases: &super::Cases,
    actor: &Actor,
    prepared: Prepared,
    confirmed: &StepUp,
) -> Result<String, CasesError> {
    let account_id = actor.account_id().ok_or(CasesError::Forbidden)?;
    if !confirmed.is_for(account_id, STEP_UP_PURPOSE) {
        return Err(CasesError::Forbidden);
    }
    let Prepared {
        app,
        service,
        consents,
        unit,
        fee,
        to_tell,
    } = prepared;
    let id = app.id.as_str();
    let now = cases.now();
    let routing = Routing {
        unit_id: unit.as_deref(),
        deadline_working_days: service.facts.deadline_working_days,
        consents: &consents,
    };
    let mut tx = cases.db.begin().await?;
    let submission =
        applications::submit(&mut tx, &app, account_id, &routing, &cases.key, now).await?;
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
    Ok(submission.tracking_number)
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
