//! The mediator: runs one query with its context. It checks the context (a legal basis, a valid
//! subject identifier), finds the operation and version, checks the caller's grant, checks the
//! parameters against the request schema, calls the adapter, keeps only the granted fields,
//! writes the query log (every outcome, answered or refused), and signs the answer on request.

use super::adapters::{self, Call};
use super::caller::{acting, Acting};
use super::log::Entry;
use super::Registries;
use crate::error::RegistryError;
use crate::model::{Operation, QueryAnswer, QueryContext, QueryRequest, SubjectKind};
use portico_core::clock::to_millis;
use portico_core::{Actor, Eik, PersonalId};
use serde_json::{Map, Value};
use std::time::Instant;

/// The subject's identifier, checked: an EGN or LNCh for a person, an EIK for a company.
pub fn subject_identifier(kind: SubjectKind, raw: &str) -> Result<String, RegistryError> {
    let raw = raw.trim();
    match kind {
        SubjectKind::Person => PersonalId::parse_egn(raw)
            .or_else(|e| PersonalId::parse_lnch(raw).map_err(|_| e))
            .map(|id| id.value().to_owned())
            .map_err(|e| RegistryError::InvalidSubject(e.code())),
        SubjectKind::Company => Eik::parse(raw)
            .map(|e| e.as_str().to_owned())
            .map_err(|e| RegistryError::InvalidSubject(e.code())),
    }
}

/// The date a deferred query becomes visible to its subject, as epoch ms, with its reason.
fn deferral(ctx: &QueryContext) -> Result<(Option<i64>, Option<String>), RegistryError> {
    let until = ctx
        .defer_until
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let reason = ctx
        .deferral_reason
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    match (until, reason) {
        (None, None) => Ok((None, None)),
        (Some(date), Some(reason)) => {
            let day = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
                .map_err(|_| RegistryError::Invalid("deferral_invalid"))?;
            let at = day
                .and_hms_opt(0, 0, 0)
                .map(|t| t.and_utc())
                .ok_or(RegistryError::Invalid("deferral_invalid"))?;
            Ok((Some(to_millis(at)), Some(reason.to_owned())))
        }
        _ => Err(RegistryError::Invalid("deferral_invalid")),
    }
}

/// Runs a query for `actor`. Every attempt, answered or refused, is in the query log before this
/// returns; an answer is returned only once its log entry is durable.
pub async fn query(
    ctx: &Registries,
    actor: &Actor,
    request: &QueryRequest,
) -> Result<QueryAnswer, RegistryError> {
    let started = Instant::now();
    let query_id = portico_core::new_id().to_string();
    let at = to_millis(ctx.clock.now());
    let context = &request.context;
    let who = acting(actor, context.administration_id.as_deref());
    let mut entry = Entry {
        id: query_id.clone(),
        at,
        register_code: request.register.clone(),
        operation_code: request.operation.clone(),
        version: request.version.clone(),
        administration_id: who.as_ref().ok().map(|w| w.administration_id.clone()),
        actor: actor.audit_id(),
        employee: context
            .employee
            .clone()
            .or_else(|| who.as_ref().ok().and_then(|w| w.employee_account.clone())),
        employee_role: context
            .employee_role
            .clone()
            .or_else(|| who.as_ref().ok().and_then(|w| w.employee_role.clone())),
        legal_basis: context.legal_basis.clone().filter(|l| !l.trim().is_empty()),
        service: context.service.clone(),
        case_ref: context.case.clone(),
        subject_hash: None,
        fields: Vec::new(),
        outcome: "refused",
        error_code: None,
        duration_us: 0,
        visible_from: None,
        deferral_reason: None,
    };
    let result = run(ctx, request, who, &query_id, at, &mut entry).await;
    entry.duration_us = i64::try_from(started.elapsed().as_micros()).unwrap_or(i64::MAX);
    match result {
        Ok(mut answer) => {
            entry.outcome = "answered";
            entry.fields = answer.fields.clone();
            ctx.log.write(entry).await?;
            if request.signed {
                let payload = serde_json::to_value(&answer)?;
                answer.jws = Some(
                    ctx.key
                        .sign_jws(&payload)
                        .map_err(|e| RegistryError::Internal(e.to_string()))?,
                );
            }
            Ok(answer)
        }
        Err(e) => {
            entry.outcome = match e {
                RegistryError::AdapterTimeout
                | RegistryError::AdapterBadResponse(_)
                | RegistryError::AdapterFailed(_)
                | RegistryError::Store(_)
                | RegistryError::Internal(_) => "failed",
                _ => "refused",
            };
            entry.error_code = Some(e.code());
            tracing::info!(
                register = %request.register,
                operation = %request.operation,
                subject = entry.subject_hash.as_deref().unwrap_or("-"),
                code = e.code(),
                "registries: query not answered"
            );
            ctx.log.write(entry).await?;
            Err(e)
        }
    }
}

async fn run(
    ctx: &Registries,
    request: &QueryRequest,
    who: Result<Acting, RegistryError>,
    query_id: &str,
    now: i64,
    entry: &mut Entry,
) -> Result<QueryAnswer, RegistryError> {
    let who = who?;
    let context = &request.context;
    let legal_basis = entry
        .legal_basis
        .clone()
        .ok_or(RegistryError::LegalBasisRequired)?;
    let (_, op) = super::catalogue::find_operation(
        &ctx.db,
        &request.register,
        &request.operation,
        request.version.as_deref(),
    )
    .await?
    .ok_or(RegistryError::UnknownOperation)?;
    entry.version = Some(op.version.clone());
    let subject = subject_identifier(op.subject_kind, &context.subject)?;
    entry.subject_hash = Some(ctx.subject_hash(&subject));
    let (visible_from, reason) = deferral(context)?;
    entry.visible_from = visible_from;
    entry.deferral_reason = reason;
    let granted =
        super::access::granted_fields(&ctx.db, &who.administration_id, &op.id, now).await?;
    ctx.schemas
        .check(&op, false, &request.parameters)
        .map_err(RegistryError::InvalidRequest)?;
    let full = adapters::call(
        ctx,
        &op,
        &Call {
            query_id,
            register: &request.register,
            subject: &subject,
            parameters: &request.parameters,
            administration_id: &who.administration_id,
            legal_basis: &legal_basis,
        },
    )
    .await?;
    let (data, fields) = only_granted(&op, &full, &granted);
    Ok(QueryAnswer {
        query_id: query_id.to_owned(),
        register: request.register.clone(),
        operation: op.code.clone(),
        version: op.version.clone(),
        at: now,
        data,
        fields,
        jws: None,
    })
}

/// The answer's granted fields only, in the schema's order of properties (alphabetical, as
/// stored); the list of fields returned.
fn only_granted(op: &Operation, full: &Value, granted: &[String]) -> (Value, Vec<String>) {
    let mut data = Map::new();
    let mut fields = Vec::new();
    let order = op.response_fields();
    for name in order.iter().filter(|f| granted.contains(f)) {
        if let Some(v) = full.get(name) {
            data.insert(name.clone(), v.clone());
            fields.push(name.clone());
        }
    }
    (Value::Object(data), fields)
}

/// What a block that fills a form from a register needs to know before it asks: the operation's
/// name (to say where a value came from) when `administration_id` holds a grant in force for it,
/// `None` when it does not (so the person's log does not fill with refused look-ups that nobody
/// meant to make).
pub async fn grant_in_force(
    ctx: &Registries,
    administration_id: &str,
    register: &str,
    operation: &str,
) -> Result<Option<Operation>, RegistryError> {
    let Some((_, op)) =
        super::catalogue::find_operation(&ctx.db, register, operation, None).await?
    else {
        return Ok(None);
    };
    let now = to_millis(ctx.clock.now());
    match super::access::granted_fields(&ctx.db, administration_id, &op.id, now).await {
        Ok(_) => Ok(Some(op)),
        Err(RegistryError::NoGrant | RegistryError::GrantExpired) => Ok(None),
        Err(e) => Err(e),
    }
}
