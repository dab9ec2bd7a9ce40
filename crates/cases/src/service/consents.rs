//! Consents from another person, given in their own account: the owner of the home someone
//! registers at, the second parent of a child.

use crate::model::{Consent, ConsentRequest};
use crate::CasesError;
use chrono::{DateTime, Utc};
use portico_core::clock::to_millis;
use portico_core::{new_id, PersonalId};
use portico_store::{Db, Tx};

pub async fn request(
    tx: &mut Tx,
    application_id: &str,
    consent: &ConsentRequest,
    now: DateTime<Utc>,
) -> Result<(), CasesError> {
    sqlx::query(
        "INSERT INTO consents (id, application_id, personal_id, role, status, created_at, personal_id_kind) VALUES ($1, $2, $3, $4, 'pending', $5, $6)",
    )
    .bind(new_id())
    .bind(application_id)
    .bind(&consent.personal_id)
    .bind(&consent.role)
    .bind(to_millis(now))
    .bind(&consent.personal_id_kind)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Consents still pending on an application that ended: closed, so nobody is left with a
/// request they can no longer answer.
pub async fn close_pending(
    tx: &mut Tx,
    application_id: &str,
    now: DateTime<Utc>,
) -> Result<u64, CasesError> {
    let done = sqlx::query(
        "UPDATE consents SET status = 'closed', decided_at = $1 WHERE application_id = $2 AND status = 'pending'",
    )
    .bind(to_millis(now))
    .bind(application_id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

type Row = (String, String, String, String, String, String);

fn from_row((id, application_id, personal_id, role, status, personal_id_kind): Row) -> Consent {
    Consent {
        id,
        application_id,
        personal_id_kind,
        personal_id,
        role,
        status,
    }
}

/// Whether the consent names this person: the same kind of identifier with the same value.
pub fn names(consent: &Consent, person: &PersonalId) -> bool {
    consent.personal_id_kind == person.kind() && consent.personal_id == person.value()
}

/// Consents waiting for the person with this personal number (of its kind).
pub async fn pending_for(db: &Db, person: &PersonalId) -> Result<Vec<Consent>, CasesError> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, application_id, personal_id, role, status, personal_id_kind FROM consents WHERE personal_id = $1 AND personal_id_kind = $2 AND status = 'pending' ORDER BY created_at",
    )
    .bind(person.value())
    .bind(person.kind())
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(from_row).collect())
}

pub async fn for_application(db: &Db, application_id: &str) -> Result<Vec<Consent>, CasesError> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, application_id, personal_id, role, status, personal_id_kind FROM consents WHERE application_id = $1 ORDER BY created_at",
    )
    .bind(application_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(from_row).collect())
}

pub async fn get(db: &Db, id: &str) -> Result<Option<Consent>, CasesError> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT id, application_id, personal_id, role, status, personal_id_kind FROM consents WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(from_row))
}

/// What deciding a consent did to its application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Other consents are still pending.
    Waiting,
    /// Every consent is given: the case continues.
    AllGiven,
    /// Refused: the case stops.
    Refused,
}

/// Records the decision of the person whose personal number the consent names.
pub async fn decide(
    tx: &mut Tx,
    consent_id: &str,
    account_id: &str,
    person: &PersonalId,
    give: bool,
    now: DateTime<Utc>,
) -> Result<(Consent, Outcome), CasesError> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT id, application_id, personal_id, role, status, personal_id_kind FROM consents WHERE id = $1",
    )
    .bind(consent_id)
    .fetch_optional(&mut **tx)
    .await?;
    let consent = row.map(from_row).ok_or(CasesError::NotFound)?;
    // Only the person named may decide; to anyone else the consent does not exist.
    if !names(&consent, person) {
        return Err(CasesError::NotFound);
    }
    let status = if give { "given" } else { "refused" };
    let updated = sqlx::query("UPDATE consents SET status = $1, decided_by = $2, decided_at = $3 WHERE id = $4 AND status = 'pending'")
        .bind(status)
        .bind(account_id)
        .bind(to_millis(now))
        .bind(consent_id)
        .execute(&mut **tx)
        .await?;
    if updated.rows_affected() != 1 {
        return Err(CasesError::Conflict);
    }
    let event = portico_audit::Event::new(account_id, "cases.consent", account_id)
        .with(serde_json::json!({ "application": consent.application_id, "role": consent.role, "given": give }));
    portico_audit::append(tx, event, now).await?;
    if !give {
        return Ok((consent, Outcome::Refused));
    }
    let (pending,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM consents WHERE application_id = $1 AND status = 'pending'",
    )
    .bind(&consent.application_id)
    .fetch_one(&mut **tx)
    .await?;
    Ok((
        consent,
        if pending == 0 {
            Outcome::AllGiven
        } else {
            Outcome::Waiting
        },
    ))
}

/// The consent, when it names the acting person; "not found" for anybody else.
pub async fn addressed_to(
    db: &Db,
    actor: &portico_core::Actor,
    id: &str,
) -> Result<(Consent, PersonalId), CasesError> {
    let person = personal_id_of(db, actor)
        .await?
        .ok_or(CasesError::NotFound)?;
    match get(db, id).await? {
        Some(c) if names(&c, &person) => Ok((c, person)),
        _ => Err(CasesError::NotFound),
    }
}

/// The acting person's own personal number, by which consents are addressed.
pub async fn personal_id_of(
    db: &Db,
    actor: &portico_core::Actor,
) -> Result<Option<PersonalId>, CasesError> {
    let Some(account_id) = actor.account_id() else {
        return Ok(None);
    };
    let account = portico_identity::service::accounts::get(db, account_id).await?;
    Ok(account.and_then(|a| a.personal_id))
}

/// The level of assurance deciding a consent needs: the person must be known to be the one the
/// personal number names, not only to have claimed it.
pub const DECIDE_ASSURANCE: portico_core::Assurance = portico_core::Assurance::Substantial;

/// What the person confirms with their second factor when they decide a consent.
pub const STEP_UP_PURPOSE: &str = "cases.consent";

/// The consent, when the acting person may decide it now: it names them and their session's
/// level of assurance is enough. Pages ask this before they ask for a code, so that nobody
/// spends a code on a decision they cannot make.
pub async fn decidable_by(
    db: &Db,
    actor: &portico_core::Actor,
    consent_id: &str,
) -> Result<Consent, CasesError> {
    let (consent, _) = addressed_to(db, actor, consent_id).await?;
    actor.require(DECIDE_ASSURANCE)?;
    Ok(consent)
}

/// The person a consent names gives or refuses it, confirmed with their second factor
/// (`confirmed`, for [`STEP_UP_PURPOSE`]); the case moves on when every consent is in, and stops
/// when one is refused. Needs [`DECIDE_ASSURANCE`]: a session below it is refused with
/// [`CasesError::NeedsAssurance`] and nothing is done.
pub async fn give_or_refuse(
    cases: &super::Cases,
    actor: &portico_core::Actor,
    consent_id: &str,
    give: bool,
    confirmed: &portico_identity::service::step_up::StepUp,
) -> Result<Outcome, CasesError> {
    let (_, personal_id) = addressed_to(&cases.db, actor, consent_id).await?;
    actor.require(DECIDE_ASSURANCE)?;
    let account_id = actor.account_id().ok_or(CasesError::NotFound)?;
    if !confirmed.is_for(account_id, STEP_UP_PURPOSE) {
        return Err(CasesError::Forbidden);
    }
    // A service with a fee asks for it once everyone has consented (nobody pays for an
    // application a consent may still stop): what the fee needs is read from other blocks
    // before the transaction, as on submitting.
    let fee = if give {
        fee_once_consented(cases, consent_id).await?
    } else {
        None
    };
    let now = cases.now();
    let mut tx = cases.db.begin().await?;
    let (consent, outcome) =
        decide(&mut tx, consent_id, account_id, &personal_id, give, now).await?;
    let app = super::applications::get_in_tx(&mut tx, &consent.application_id).await?;
    let number = app.tracking_number.clone().unwrap_or_default();
    match outcome {
        Outcome::AllGiven => {
            super::applications::system_transition(&mut tx, &app.id, "consent_given", now).await?;
            if let Some(fee) = &fee {
                let payment = super::fees::ask_in(&mut tx, &app.id, &number, fee, now).await?;
                let sum = super::fees::amount(payment.amount_minor, &payment.currency);
                super::notifications::notify(
                    &mut tx,
                    &app.applicant_id,
                    Some(&app.id),
                    &format!("Заявление {number}: всички съгласия са дадени. Платете таксата от {sum}, за да продължи."),
                    &format!("Application {number}: everyone has consented. Pay the fee of {sum} for it to go on."),
                    now,
                )
                .await?;
            }
        }
        Outcome::Refused => {
            super::applications::system_transition(&mut tx, &app.id, "consent_refused", now)
                .await?;
        }
        Outcome::Waiting => {
            super::notifications::notify(
                &mut tx,
                &app.applicant_id,
                Some(&app.id),
                &format!("Заявление {number}: дадено е съгласие, очакват се и други"),
                &format!("Application {number}: a consent was given; others are still pending"),
                now,
            )
            .await?;
        }
    }
    tx.commit().await?;
    cases.wake_jobs();
    Ok(outcome)
}

/// The fee the application of `consent_id` asks for once every consent is given, if its
/// service has one and its process waits for it.
async fn fee_once_consented(
    cases: &super::Cases,
    consent_id: &str,
) -> Result<Option<super::fees::Fee>, CasesError> {
    let Some(consent) = get(&cases.db, consent_id).await? else {
        return Ok(None);
    };
    let Some(app) = super::applications::get(&cases.db, &consent.application_id).await? else {
        return Ok(None);
    };
    let service = super::answers::service_of(&cases.db, &app).await?;
    let applicant = portico_identity::service::accounts::get(&cases.db, &app.applicant_id).await?;
    super::fees::fee_for(
        &cases.db,
        &app,
        &service,
        applicant
            .as_ref()
            .and_then(|a| a.personal_id.as_ref())
            .map(|p| p.value()),
    )
    .await
}
