//! Once only: a new application arrives filled with what the platform already knows about the
//! applicant: their account (name, identifier, contacts) and, for fields bound to a base register
//! (`register:{register}/{operation}#{path}` in the form's layout), the register's answer.
//!
//! A register is asked through the registries block's mediator, as the cases block acting for the
//! service's administration, with the service's legal basis, the service and the case named, so
//! the look-up is in the query log and on the person's "my data" page like any other. It is asked
//! only when the person's session proves their identity at substantial assurance (a claimed
//! identifier must not open another person's register entry) and the administration holds a grant
//! for the operation. Each value taken is kept with its source, so the form says where it came
//! from.

use crate::model::Application;
use crate::CasesError;
use portico_catalog::forms::{FormVersion, RegisterBinding};
use portico_catalog::model::Service;
use portico_core::clock::{from_millis, to_millis};
use portico_core::{Actor, Assurance, Lang};
use portico_http::i18n::FluentArgs;
use portico_http::Strings;
use portico_store::{Db, Tx};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A value a register gave, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub field: String,
    pub register: String,
    pub operation: String,
    /// The look-up in the registries block's query log.
    pub query_id: String,
    /// Epoch milliseconds.
    pub at: i64,
}

/// What the applicant's account holds, for the fields whose prefill key names it.
pub async fn from_account(
    db: &Db,
    account_id: &str,
    form: &FormVersion,
) -> Result<Map<String, Value>, CasesError> {
    let account = portico_identity::service::accounts::get(db, account_id)
        .await?
        .ok_or(CasesError::NotFound)?;
    let mut data = Map::new();
    for (field, key) in form.prefills() {
        let value = match key {
            "applicant.personal_id" => account.personal_id.as_ref().map(|p| p.value().to_owned()),
            "applicant.given_name" => Some(account.given_name.clone()),
            "applicant.family_name" => Some(account.family_name.clone()),
            "applicant.name" => Some(account.display_name()),
            "applicant.email" => Some(account.email.clone()),
            "applicant.phone" => account.phone.clone(),
            _ => None,
        };
        if let Some(v) = value {
            data.insert(field.to_owned(), Value::String(v));
        }
    }
    Ok(data)
}

/// Fills a new draft's register-bound fields from the registers, once, and records where each
/// value came from. Nothing is asked when the form binds no field, the session is below
/// substantial assurance, the applicant has no personal identifier, or the administration has no
/// grant; a register that fails leaves its fields for the person to fill (the failure is in the
/// query log), so a slow register never stops an application from being started.
pub async fn from_registers(
    cases: &super::Cases,
    actor: &Actor,
    app: &Application,
    service: &Service,
    form: &FormVersion,
) -> Result<Vec<Source>, CasesError> {
    let bindings = form.register_bindings();
    let Some(registries) = cases.registries.as_ref() else {
        return Ok(Vec::new());
    };
    if bindings.is_empty() || actor.require(Assurance::Substantial).is_err() {
        return Ok(Vec::new());
    }
    let Some(subject) = portico_identity::service::accounts::get(&cases.db, &app.applicant_id)
        .await?
        .and_then(|a| a.personal_id)
    else {
        return Ok(Vec::new());
    };
    // One look-up per operation, however many fields it fills.
    let mut by_operation: BTreeMap<(String, String), Vec<(String, RegisterBinding)>> =
        BTreeMap::new();
    for (field, binding) in bindings {
        by_operation
            .entry((binding.register.clone(), binding.operation.clone()))
            .or_default()
            .push((field.name.clone(), binding));
    }
    let mut data = app.data.as_object().cloned().unwrap_or_default();
    let mut sources = Vec::new();
    for ((register, operation), fields) in by_operation {
        let granted = portico_registries::service::mediator::grant_in_force(
            registries,
            &app.administration_id,
            &register,
            &operation,
        )
        .await?;
        if granted.is_none() {
            continue;
        }
        let request = super::lookups::for_case(
            service,
            app,
            &subject,
            &register,
            &operation,
            Value::Object(Map::new()),
        );
        let answer = match portico_registries::service::query(
            registries,
            &Actor::System("cases"),
            &request,
        )
        .await
        {
            Ok(answer) => answer,
            Err(e) => {
                tracing::warn!(register = %register, operation = %operation, error = %e, "prefill from a register failed; the person fills the fields");
                continue;
            }
        };
        for (field, binding) in fields {
            let Some(value) = binding.value_in(&answer.data) else {
                continue;
            };
            data.insert(field.clone(), value);
            sources.push(Source {
                field,
                register: register.clone(),
                operation: operation.clone(),
                query_id: answer.query_id.clone(),
                at: answer.at,
            });
        }
    }
    if sources.is_empty() {
        return Ok(sources);
    }
    let mut tx = cases.db.begin().await?;
    super::applications::save_draft(
        &mut tx,
        &app.id,
        &app.applicant_id,
        &Value::Object(data),
        app.current_step,
        cases.now(),
    )
    .await?;
    record(&mut tx, &app.id, &sources).await?;
    tx.commit().await?;
    Ok(sources)
}

async fn record(tx: &mut Tx, application_id: &str, sources: &[Source]) -> Result<(), CasesError> {
    for s in sources {
        sqlx::query(
            "INSERT INTO application_prefills (application_id, field, register_code, operation_code, query_id, at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(application_id)
        .bind(&s.field)
        .bind(&s.register)
        .bind(&s.operation)
        .bind(&s.query_id)
        .bind(s.at)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Where the application's prefilled values came from, by field.
pub async fn sources_of(db: &Db, application_id: &str) -> Result<Vec<Source>, CasesError> {
    let rows: Vec<(String, String, String, String, i64)> = sqlx::query_as(
        "SELECT field, register_code, operation_code, query_id, at FROM application_prefills \
         WHERE application_id = $1 ORDER BY field",
    )
    .bind(application_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(field, register, operation, query_id, at)| Source {
            field,
            register,
            operation,
            query_id,
            at,
        })
        .collect())
}

/// Under each prefilled field, where its value came from ("From the register: National
/// population register, 02.12.2026"), in the page's language: (field, text). The registers'
/// names are read once for all the fields.
pub async fn describe(
    cases: &super::Cases,
    sources: &[Source],
    lang: Lang,
) -> Result<Vec<(String, String)>, CasesError> {
    let registers = match (cases.registries.as_ref(), sources.is_empty()) {
        (Some(registries), false) => {
            let now = to_millis(cases.now());
            portico_registries::service::catalogue::list(&registries.db, now).await?
        }
        _ => Vec::new(),
    };
    let strings = Strings::new(lang, crate::strings::TABLES);
    Ok(sources
        .iter()
        .map(|source| {
            let name = registers
                .iter()
                .find(|r| r.code == source.register)
                .map(|r| match lang {
                    Lang::Bg => r.name_bg.clone(),
                    Lang::En => r.name_en.clone(),
                })
                .unwrap_or_else(|| source.register.clone());
            let mut args = FluentArgs::new();
            args.set("register", name);
            args.set(
                "date",
                super::results::date_in(lang, from_millis(source.at)),
            );
            (
                source.field.clone(),
                strings.format("prefill_source", &args),
            )
        })
        .collect())
}
