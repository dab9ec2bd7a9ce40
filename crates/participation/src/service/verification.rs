//! Verification before voting: a person proves they may vote in a process. Checked in this
//! order, each refusal naming its reason:
//!
//! 1. the voting phase and a sign-in of at least substantial assurance (`not_in_voting`,
//!    `assurance_too_low`), and no ballot of theirs yet (`already_voted`);
//! 2. where the process has a boundary, a location inside it (`location_required`,
//!    `outside_boundary`), checked on the server;
//! 3. a phone number that no other voter of the process used (`phone_used`);
//! 4. residence and age from the population register, through the registries mediator with the
//!    process's legal basis, so that each look-up is in the query log and on the person's
//!    "my data" page (`no_personal_id`, `register_unavailable`, `not_resident`, `under_age`);
//! 5. a six-digit code sent by SMS to that phone, through identity's SMS job and its sending
//!    limits (`too_many_codes`). The ballot is taken only with the code ([`super::ballots::cast`]).
//!
//! The verification row holds keyed hashes of the person, the phone and the registered
//! address, the district and age band (for turnout), the code's hash and its expiry. It is
//! deleted when the ballot is cast.

use super::{geofence, processes, Participation};
use crate::error::ParticipationError;
use crate::model::{Phase, Process};
use chrono::{Datelike, NaiveDate};
use portico_core::{Actor, Assurance};
use portico_registries::model::{QueryContext, QueryRequest};
use portico_registries::service::Registries;
use portico_store::jobs::{enqueue, NewJob, CODES_QUEUE};
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

/// How long a sent code works.
pub const CODE_MINUTES: i64 = 10;
/// Wrong codes allowed before the code is spent.
pub const MAX_ATTEMPTS: i64 = 5;

/// What a person gives to be verified.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct Verify {
    /// The voter's mobile phone number: the code is sent there (one voter per number).
    pub phone: String,
    #[serde(default)]
    pub latitude: Option<f64>,
    #[serde(default)]
    pub longitude: Option<f64>,
}

/// A verification that passed the checks: a code was sent to the phone.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Verified {
    /// The phone number's last digits, to remind the person where the code went.
    pub phone_ending: String,
    pub expires_at: i64,
}

/// What the population register says of a voter, as far as a process needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub district: String,
    pub age_band: &'static str,
    /// The registered address's code, kept only as a keyed hash.
    pub address: String,
}

/// A Bulgarian mobile number in national form (`08…`, ten digits).
pub fn phone_digits(raw: &str) -> Result<String, ParticipationError> {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let national = digits
        .strip_prefix("359")
        .map(|d| format!("0{d}"))
        .unwrap_or(digits);
    if national.len() != 10 || !national.starts_with("08") {
        return Err(ParticipationError::Invalid("phone_invalid"));
    }
    Ok(national)
}

/// The age band turnout is counted in.
pub fn age_band(age: i64) -> &'static str {
    match age {
        ..=17 => "under_18",
        18..=29 => "18_29",
        30..=44 => "30_44",
        45..=64 => "45_64",
        _ => "65_plus",
    }
}

/// Whole years between a birth date and a day.
pub fn age_on(born: NaiveDate, day: NaiveDate) -> i64 {
    let mut age = i64::from(day.year() - born.year());
    if (day.month(), day.day()) < (born.month(), born.day()) {
        age -= 1;
    }
    age
}

pub(crate) fn code_hash(process_id: &str, person_key: &str, code: &str) -> String {
    hex::encode(Sha256::digest(
        format!("{process_id}:{person_key}:{}", code.trim()).as_bytes(),
    ))
}

fn request(
    process: &Process,
    subject: &str,
    register: &str,
    operation: &str,
    parameters: Value,
) -> QueryRequest {
    QueryRequest {
        register: register.to_owned(),
        operation: operation.to_owned(),
        version: None,
        context: QueryContext {
            legal_basis: Some(process.rules.legal_basis.clone()),
            service: Some(format!("participation:{}", process.slug)),
            case: Some(process.title_bg.clone()),
            subject: subject.to_owned(),
            administration_id: Some(process.administration_id.clone()),
            ..QueryContext::default()
        },
        parameters,
        signed: false,
    }
}

/// Asks the population register (and the administration's address register) where the person
/// lives and how old they are, and checks both against the process's rules.
pub async fn standing(
    registries: &Registries,
    process: &Process,
    subject: &str,
    today: NaiveDate,
) -> Result<Standing, ParticipationError> {
    let actor = Actor::System("participation");
    let person = portico_registries::service::query(
        registries,
        &actor,
        &request(
            process,
            subject,
            "population",
            "person",
            Value::Object(Default::default()),
        ),
    )
    .await
    .map_err(|e| refusal(&e))?;
    let born = person.data["birth_date"]
        .as_str()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .ok_or(ParticipationError::Refused("register_unavailable"))?;
    let age = age_on(born, today);
    // The permanent address first, then the current one: either may make a resident.
    let mut addresses: Vec<String> = ["permanent_address", "current_address"]
        .iter()
        .filter_map(|k| person.data[*k].as_str().map(str::to_owned))
        .filter(|a| !a.is_empty())
        .collect();
    addresses.dedup();
    let mut found = None;
    for address in addresses {
        let answer = portico_registries::service::query(
            registries,
            &actor,
            &request(
                process,
                subject,
                "addresses",
                "address",
                serde_json::json!({ "address": address }),
            ),
        )
        .await;
        let district = match answer {
            Ok(a) => a.data["district"].as_str().map(str::to_owned),
            Err(portico_registries::RegistryError::NoRecord)
            | Err(portico_registries::RegistryError::InvalidRequest(_)) => None,
            Err(e) => return Err(refusal(&e)),
        };
        if let Some(district) = district {
            let area = process.rules.voter_area.as_str();
            if area == "municipality" || area == district {
                found = Some((district, address));
                break;
            }
        }
    }
    let (district, address) = found.ok_or(ParticipationError::Refused("not_resident"))?;
    if age < process.rules.min_age {
        return Err(ParticipationError::Refused("under_age"));
    }
    Ok(Standing {
        district,
        age_band: age_band(age),
        address,
    })
}

fn refusal(e: &portico_registries::RegistryError) -> ParticipationError {
    use portico_registries::RegistryError as R;
    match e {
        R::NoRecord => ParticipationError::Refused("not_resident"),
        _ => {
            tracing::warn!(error = %e, "participation: the population register did not answer");
            ParticipationError::Refused("register_unavailable")
        }
    }
}

/// Checks that the person may vote and sends a code to their phone. Doing it again sends a new
/// code (the old one stops working), within identity's sending limits. `client` is a pseudonym
/// of the client's address, for those limits.
pub async fn start(
    ctx: &Participation,
    actor: &Actor,
    process_id: &str,
    verify: &Verify,
    client: Option<&str>,
) -> Result<Verified, ParticipationError> {
    actor.require(Assurance::Substantial)?;
    let account = actor.account_id().ok_or(ParticipationError::Forbidden)?;
    let phone = phone_digits(&verify.phone)?;
    let now = ctx.clock.now();
    let at = portico_core::clock::to_millis(now);
    let process = processes::get(ctx, process_id).await?;
    if process.phase != Phase::Voting {
        return Err(ParticipationError::Refused("not_in_voting"));
    }
    if let Some(boundary) = &process.rules.boundary {
        let (Some(lat), Some(lon)) = (verify.latitude, verify.longitude) else {
            return Err(ParticipationError::Refused("location_required"));
        };
        if !geofence::contains(boundary, lat, lon)? {
            return Err(ParticipationError::Refused("outside_boundary"));
        }
    }
    let person = ctx.person_key(&process.id, account);
    let phone_key = ctx.phone_key(&process.id, &phone);
    check_not_voted(ctx, &process.id, &person, &phone_key).await?;
    let subject = portico_identity::service::accounts::get(&ctx.db, account)
        .await
        .map_err(|e| ParticipationError::Internal(e.to_string()))?
        .and_then(|a| a.personal_id)
        .ok_or(ParticipationError::Refused("no_personal_id"))?;
    let registries = ctx
        .registries
        .as_ref()
        .ok_or(ParticipationError::Refused("register_unavailable"))?;
    let standing = standing(registries, &process, subject.value(), now.date_naive()).await?;
    let code = format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000));
    let expires_at = at + CODE_MINUTES * 60_000;
    let mut tx = ctx.db.begin().await?;
    portico_identity::service::throttle::claim_send(&mut tx, account, &phone, client, now)
        .await
        .map_err(|e| match e {
            portico_identity::IdentityError::RateLimited(_) => {
                ParticipationError::Refused("too_many_codes")
            }
            other => ParticipationError::Internal(other.to_string()),
        })?;
    sqlx::query(
        "DELETE FROM participation_verifications WHERE process_id = $1 AND person_key = $2",
    )
    .bind(&process.id)
    .bind(&person)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO participation_verifications (process_id, person_key, phone_key, code_hash, district, age_band, expires_at, attempts, address_key) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8)",
    )
    .bind(&process.id)
    .bind(&person)
    .bind(&phone_key)
    .bind(code_hash(&process.id, &person, &code))
    .bind(&standing.district)
    .bind(standing.age_band)
    .bind(expires_at)
    .bind(ctx.address_key(&process.id, &standing.address))
    .execute(&mut *tx)
    .await?;
    let sms = portico_identity::transport::Sms {
        to: phone.clone(),
        text: format!(
            "Portico: {code} e kodyt za glasuvane / is your voting code ({})",
            process.slug
        ),
    };
    let job = NewJob::now(
        portico_identity::transport::SMS_JOB,
        serde_json::to_value(sms)?,
        now,
    )
    .on(CODES_QUEUE);
    enqueue(&mut tx, job, now).await?;
    tx.commit().await?;
    Ok(Verified {
        phone_ending: phone[phone.len() - 3..].to_owned(),
        expires_at,
    })
}

/// Where a person stands in a process's vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoterState {
    /// Not verified yet (or the code has expired).
    Unverified,
    /// Verified: a code was sent and works until `expires_at`.
    CodeSent { expires_at: i64 },
    /// Has cast a ballot.
    Voted,
}

/// The signed-in person's state in a process (for the vote page).
pub async fn state_of(
    ctx: &Participation,
    actor: &Actor,
    process_id: &str,
) -> Result<VoterState, ParticipationError> {
    let Some(account) = actor.account_id() else {
        return Ok(VoterState::Unverified);
    };
    let person = ctx.person_key(process_id, account);
    let voted: Option<(i64,)> = sqlx::query_as(
        "SELECT voted FROM participation_voters WHERE process_id = $1 AND person_key = $2",
    )
    .bind(process_id)
    .bind(&person)
    .fetch_optional(ctx.db.pool())
    .await?;
    if voted.is_some() {
        return Ok(VoterState::Voted);
    }
    let pending: Option<(i64, i64)> = sqlx::query_as(
        "SELECT expires_at, attempts FROM participation_verifications WHERE process_id = $1 AND person_key = $2",
    )
    .bind(process_id)
    .bind(&person)
    .fetch_optional(ctx.db.pool())
    .await?;
    Ok(match pending {
        Some((expires_at, attempts)) if expires_at > ctx.now() && attempts < MAX_ATTEMPTS => {
            VoterState::CodeSent { expires_at }
        }
        _ => VoterState::Unverified,
    })
}

async fn check_not_voted(
    ctx: &Participation,
    process_id: &str,
    person: &str,
    phone_key: &str,
) -> Result<(), ParticipationError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT person_key, phone_key FROM participation_voters \
         WHERE process_id = $1 AND (person_key = $2 OR phone_key = $3)",
    )
    .bind(process_id)
    .bind(person)
    .bind(phone_key)
    .fetch_all(ctx.db.pool())
    .await?;
    if rows.iter().any(|(p, _)| p == person) {
        return Err(ParticipationError::Refused("already_voted"));
    }
    if !rows.is_empty() {
        return Err(ParticipationError::Refused("phone_used"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_counts_whole_years_and_bands_follow() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        assert_eq!(age_on(d(2010, 6, 15), d(2026, 6, 14)), 15);
        assert_eq!(age_on(d(2010, 6, 15), d(2026, 6, 15)), 16);
        assert_eq!(age_band(16), "under_18");
        assert_eq!(age_band(18), "18_29");
        assert_eq!(age_band(70), "65_plus");
    }

    #[test]
    fn phones_are_bulgarian_mobiles() {
        assert_eq!(
            phone_digits("+359 888 123 456").ok().as_deref(),
            Some("0888123456")
        );
        assert!(phone_digits("02 981 1111").is_err());
    }
}
