//! Once only, for the people whose consent an application needs: the platform finds them in the
//! base registers instead of the applicant naming them. A form's consent rule says where
//! (`found_in`: the owners of the chosen address in the address register, the other parent of
//! each child in the population register), and the applicant is shown who will be asked, by
//! name.
//!
//! When a draft is started, each such rule is taken on (a *finder* of the application) only if
//! the platform may ask: the session proves the applicant's identity at substantial assurance,
//! the applicant has a personal number, and the service's administration holds a grant in force
//! for the operations (Chelopech adopted Sofia's form with no grant, so its applicants name the
//! people as before). While a rule is taken on, its person field leaves the form
//! ([`forms_without`]). After each saved step the people are looked up again if the answers
//! they depend on changed ([`refresh`]); a register that cannot answer (it fails, names nobody,
//! the session is no longer substantial) gives the rule back to the applicant: the field is asked
//! again, with a message saying why.
//!
//! Every look-up goes through the registries block's mediator like a prefill
//! ([`super::lookups::for_case`]): for the case's administration, with the service's legal basis,
//! the service and the case, so it is in the query log and on the "my data" page of the person
//! looked up.

use crate::model::Application;
use crate::CasesError;
use portico_catalog::forms::{ConsentRule, FormVersion, PersonFinder};
use portico_catalog::model::Service;
use portico_core::{Actor, Assurance, PersonalId};
use portico_registries::model::QueryAnswer;
use portico_store::Db;
use serde_json::{Map, Value};

/// A person the platform found for a consent rule of an application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundPerson {
    pub role: String,
    pub personal_id_kind: String,
    pub personal_id: String,
    /// Their names as the population register holds them.
    pub name: String,
    /// The look-up (in the registries block's query log) that named them.
    pub query_id: String,
    /// Epoch milliseconds.
    pub at: i64,
}

/// Takes on the form's consent rules that the platform can answer for this new draft (see the
/// module's documentation); returns their roles.
pub async fn offer(
    cases: &super::Cases,
    actor: &Actor,
    app: &Application,
    form: &FormVersion,
) -> Result<Vec<String>, CasesError> {
    let Some(registries) = cases.registries.as_ref() else {
        return Ok(Vec::new());
    };
    let finders: Vec<(&ConsentRule, &PersonFinder)> = form
        .layout
        .consents
        .iter()
        .filter_map(|r| Some((r, r.found_in.as_ref()?)))
        .collect();
    if finders.is_empty() || actor.require(Assurance::Substantial).is_err() {
        return Ok(Vec::new());
    }
    if applicant_id(&cases.db, app).await?.is_none() {
        return Ok(Vec::new());
    }
    let mut taken = Vec::new();
    for (rule, finder) in finders {
        let Some((names_register, names_operation)) = finder.names_operation() else {
            continue;
        };
        let mut granted = true;
        for (register, operation) in [
            (finder.register.as_str(), finder.operation.as_str()),
            (names_register, names_operation),
        ] {
            granted &= portico_registries::service::mediator::grant_in_force(
                registries,
                &app.administration_id,
                register,
                operation,
            )
            .await?
            .is_some();
        }
        if granted {
            taken.push(rule.role.clone());
        }
    }
    let mut tx = cases.db.begin().await?;
    for role in &taken {
        sqlx::query(
            "INSERT INTO application_finders (application_id, role, inputs) VALUES ($1, $2, NULL)",
        )
        .bind(&app.id)
        .bind(role)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(taken)
}

/// The roles of the application's consent rules the platform answers.
pub async fn roles(db: &Db, application_id: &str) -> Result<Vec<String>, CasesError> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT role FROM application_finders WHERE application_id = $1 ORDER BY role",
    )
    .bind(application_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|(r,)| r).collect())
}

/// The form as this application asks it: without the person fields of the consent rules the
/// platform answers.
pub fn forms_without(form: FormVersion, roles: &[String]) -> FormVersion {
    let fields: Vec<String> = form
        .layout
        .consents
        .iter()
        .filter(|r| r.found_in.is_some() && roles.contains(&r.role))
        .map(|r| r.person.clone())
        .collect();
    let names: Vec<&str> = fields.iter().map(String::as_str).collect();
    form.without_fields(&names)
}

/// The people found for the application's consent rules, by role and name.
pub async fn people(db: &Db, application_id: &str) -> Result<Vec<FoundPerson>, CasesError> {
    type Row = (String, String, String, String, String, i64);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT role, personal_id_kind, personal_id, name, query_id, at FROM application_found_people \
         WHERE application_id = $1 ORDER BY role, name, personal_id",
    )
    .bind(application_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(role, personal_id_kind, personal_id, name, query_id, at)| FoundPerson {
                role,
                personal_id_kind,
                personal_id,
                name,
                query_id,
                at,
            },
        )
        .collect())
}

/// A rule of an application the platform answers: its role, and the answers (canonical JSON)
/// it last looked the people up from.
pub type Finder = (String, Option<String>);

/// The rules of the application the platform answers.
pub async fn finders(db: &Db, application_id: &str) -> Result<Vec<Finder>, CasesError> {
    Ok(
        sqlx::query_as("SELECT role, inputs FROM application_finders WHERE application_id = $1")
            .bind(application_id)
            .fetch_all(db.pool())
            .await?,
    )
}

/// Looks the people up again for every rule the platform answers whose answers changed since
/// the last look-up (nothing is asked when they did not). Returns the roles given back to the
/// applicant because the register could not answer; their person fields are asked again.
pub async fn refresh(
    cases: &super::Cases,
    actor: &Actor,
    app: &Application,
) -> Result<Vec<String>, CasesError> {
    let finders = finders(&cases.db, &app.id).await?;
    if finders.is_empty() {
        return Ok(Vec::new());
    }
    let service = super::answers::service_of(&cases.db, app).await?;
    let form = super::answers::form_for_service(&cases.db, app, &service).await?;
    refresh_with(cases, actor, app, &form, &service, finders).await
}

/// [`refresh`], for a caller that has read the application's service, form and finders already.
pub async fn refresh_with(
    cases: &super::Cases,
    actor: &Actor,
    app: &Application,
    form: &FormVersion,
    service: &Service,
    finders: Vec<Finder>,
) -> Result<Vec<String>, CasesError> {
    let mut given_back = Vec::new();
    for (role, stored) in finders {
        let Some((rule, finder)) = form
            .layout
            .consents
            .iter()
            .find(|r| r.role == role)
            .and_then(|r| Some((r, r.found_in.as_ref()?)))
        else {
            continue;
        };
        if !rule.applies(&app.data) {
            if stored.is_some() {
                store(&cases.db, &app.id, &role, None, &[]).await?;
            }
            continue;
        }
        let Some(inputs) = inputs_of(finder, &app.data) else {
            continue;
        };
        if stored.as_deref() == Some(inputs.as_str()) {
            continue;
        }
        let found = if actor.require(Assurance::Substantial).is_ok() {
            find(cases, service, app, &role, finder).await?
        } else {
            None
        };
        match found {
            Some(people) => store(&cases.db, &app.id, &role, Some(&inputs), &people).await?,
            None => {
                give_back(&cases.db, &app.id, &role).await?;
                given_back.push(role);
            }
        }
    }
    Ok(given_back)
}

/// The answers the look-up depends on, as canonical JSON; `None` until all are given.
fn inputs_of(finder: &PersonFinder, data: &Value) -> Option<String> {
    let mut inputs = Map::new();
    for field in finder.inputs() {
        let value = data.get(field).filter(|v| !v.is_null())?;
        inputs.insert(field.to_owned(), value.clone());
    }
    // serde_json's map keeps keys sorted, so the same answers give the same text.
    Some(Value::Object(inputs).to_string())
}

/// The people the registers name for one rule, with their names; `None` when a register cannot
/// answer (a refusal, a failure, no record, or an answer that names nobody at all). The
/// applicant is never among them: nobody consents to their own application.
async fn find(
    cases: &super::Cases,
    service: &Service,
    app: &Application,
    role: &str,
    finder: &PersonFinder,
) -> Result<Option<Vec<FoundPerson>>, CasesError> {
    let Some(registries) = cases.registries.as_ref() else {
        return Ok(None);
    };
    let Some(applicant) = applicant_id(&cases.db, app).await? else {
        return Ok(None);
    };
    let subjects: Vec<PersonalId> = match &finder.subjects {
        Some(field) => {
            let listed: Vec<&str> = match app.data.get(field) {
                Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            let mut subjects = Vec::new();
            for egn in listed {
                match PersonalId::parse_egn(egn) {
                    Ok(p) => subjects.push(p),
                    Err(_) => return Ok(None),
                }
            }
            subjects
        }
        None => vec![applicant.clone()],
    };
    if subjects.is_empty() {
        return Ok(None);
    }
    let mut parameters = Map::new();
    for (name, field) in &finder.parameters {
        let Some(value) = app.data.get(field) else {
            return Ok(None);
        };
        parameters.insert(name.clone(), value.clone());
    }
    let mut named: Vec<(PersonalId, String, i64)> = Vec::new();
    for subject in &subjects {
        let request = super::lookups::for_case(
            service,
            app,
            subject,
            &finder.register,
            &finder.operation,
            Value::Object(parameters.clone()),
        );
        let Some(answer) = ask(registries, &request).await else {
            return Ok(None);
        };
        let people = finder.people_in(&answer.data);
        if people.is_empty() {
            // The register knows no owner of the address, no parent of the child: it cannot say
            // who must consent.
            return Ok(None);
        }
        for egn in people {
            let Ok(person) = PersonalId::parse_egn(egn) else {
                continue;
            };
            if person == applicant || named.iter().any(|(p, _, _)| *p == person) {
                continue;
            }
            named.push((person, answer.query_id.clone(), answer.at));
        }
    }
    let Some((names_register, names_operation)) = finder.names_operation() else {
        return Ok(None);
    };
    let mut found = Vec::new();
    for (person, query_id, at) in named {
        let request = super::lookups::for_case(
            service,
            app,
            &person,
            names_register,
            names_operation,
            Value::Object(Map::new()),
        );
        let Some(answer) = ask(registries, &request).await else {
            return Ok(None);
        };
        let part = |k: &str| answer.data.get(k).and_then(Value::as_str).unwrap_or("");
        let name = format!("{} {}", part("given_name"), part("family_name"))
            .trim()
            .to_owned();
        if name.is_empty() {
            return Ok(None);
        }
        found.push(FoundPerson {
            role: role.to_owned(),
            personal_id_kind: person.kind().to_owned(),
            personal_id: person.value().to_owned(),
            name,
            query_id,
            at,
        });
    }
    Ok(Some(found))
}

async fn ask(
    registries: &portico_registries::service::Registries,
    request: &portico_registries::model::QueryRequest,
) -> Option<QueryAnswer> {
    match portico_registries::service::query(registries, &Actor::System("cases"), request).await {
        Ok(answer) => Some(answer),
        Err(e) => {
            tracing::warn!(register = %request.register, operation = %request.operation, error = %e.code(), "finding who must consent failed; the applicant names them");
            None
        }
    }
}

async fn applicant_id(db: &Db, app: &Application) -> Result<Option<PersonalId>, CasesError> {
    Ok(
        portico_identity::service::accounts::get(db, &app.applicant_id)
            .await?
            .and_then(|a| a.personal_id),
    )
}

/// Replaces the people found for a rule, with the answers they were found from.
async fn store(
    db: &Db,
    application_id: &str,
    role: &str,
    inputs: Option<&str>,
    people: &[FoundPerson],
) -> Result<(), CasesError> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM application_found_people WHERE application_id = $1 AND role = $2")
        .bind(application_id)
        .bind(role)
        .execute(&mut *tx)
        .await?;
    for p in people {
        sqlx::query(
            "INSERT INTO application_found_people (application_id, role, personal_id_kind, personal_id, name, query_id, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(application_id)
        .bind(role)
        .bind(&p.personal_id_kind)
        .bind(&p.personal_id)
        .bind(&p.name)
        .bind(&p.query_id)
        .bind(p.at)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query(
        "UPDATE application_finders SET inputs = $1 WHERE application_id = $2 AND role = $3",
    )
    .bind(inputs)
    .bind(application_id)
    .bind(role)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The applicant names them after all: the rule is no longer the platform's for this draft.
async fn give_back(db: &Db, application_id: &str, role: &str) -> Result<(), CasesError> {
    let mut tx = db.begin().await?;
    for table in ["application_found_people", "application_finders"] {
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE application_id = $1 AND role = $2"
        ))
        .bind(application_id)
        .bind(role)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
