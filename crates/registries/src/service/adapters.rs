//! Who answers an operation: a built-in base register (the demo's, in this block's tables) or the
//! register owner's HTTP service, called with a request signed by the platform (a JWS) and a
//! timeout, whose answer must match the operation's response schema.

use super::Registries;
use crate::error::RegistryError;
use crate::model::{Adapter, Operation};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub fn compile(schema: &Value) -> Result<jsonschema::Validator, String> {
    jsonschema::draft202012::options()
        .build(schema)
        .map_err(|e| e.to_string())
}

/// Compiled schemas by operation id and direction, so a query does not compile its schema again.
#[derive(Default)]
pub struct SchemaCache {
    compiled: Mutex<HashMap<(String, bool), Arc<jsonschema::Validator>>>,
}

impl SchemaCache {
    /// The first problem `value` has against the operation's request (or response) schema.
    pub fn check(&self, op: &Operation, response: bool, value: &Value) -> Result<(), String> {
        let key = (op.id.clone(), response);
        let cached = self.compiled.lock().ok().and_then(|m| m.get(&key).cloned());
        let validator = match cached {
            Some(v) => v,
            None => {
                let schema = if response {
                    &op.response_schema
                } else {
                    &op.request_schema
                };
                let v = Arc::new(compile(schema)?);
                if let Ok(mut m) = self.compiled.lock() {
                    m.insert(key, v.clone());
                }
                v
            }
        };
        let first = validator
            .iter_errors(value)
            .next()
            .map(|e| format!("{} at {}", e, e.instance_path()));
        match first {
            None => Ok(()),
            Some(e) => Err(e),
        }
    }
}

/// What the adapter is asked: the subject, the parameters, and the context the owner's service
/// is told (it may log it on its side too).
pub struct Call<'a> {
    pub query_id: &'a str,
    pub register: &'a str,
    pub subject: &'a str,
    pub parameters: &'a Value,
    pub administration_id: &'a str,
    pub legal_basis: &'a str,
}

/// Runs the operation and returns its whole answer (before the grant's fields are picked).
pub async fn call(
    ctx: &Registries,
    op: &Operation,
    call: &Call<'_>,
) -> Result<Value, RegistryError> {
    match &op.adapter {
        Adapter::Builtin { name } => builtin(ctx, name, call).await,
        Adapter::Http { url } => {
            let answer = http(ctx, op, url, call).await?;
            ctx.schemas
                .check(op, true, &answer)
                .map_err(RegistryError::AdapterBadResponse)?;
            Ok(answer)
        }
    }
}

async fn http(
    ctx: &Registries,
    op: &Operation,
    url: &str,
    call: &Call<'_>,
) -> Result<Value, RegistryError> {
    let request = json!({
        "query_id": call.query_id,
        "register": call.register,
        "operation": op.code,
        "version": op.version,
        "subject": call.subject,
        "parameters": call.parameters,
        "administration_id": call.administration_id,
        "legal_basis": call.legal_basis,
        "iat": ctx.clock.now().timestamp(),
    });
    let signed = ctx
        .key
        .sign_jws(&request)
        .map_err(|e| RegistryError::Internal(e.to_string()))?;
    let timeout = std::time::Duration::from_millis(op.timeout_ms.clamp(1, 60_000) as u64);
    let sent = ctx
        .http
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/jose")
        .timeout(timeout)
        .body(signed)
        .send()
        .await;
    let response = match sent {
        Ok(r) => r,
        Err(e) if e.is_timeout() => return Err(RegistryError::AdapterTimeout),
        Err(e) => return Err(RegistryError::AdapterFailed(without_url(&e))),
    };
    if !response.status().is_success() {
        return Err(RegistryError::AdapterFailed(format!(
            "status {}",
            response.status().as_u16()
        )));
    }
    let body = match response.bytes().await {
        Ok(b) => b,
        Err(e) if e.is_timeout() => return Err(RegistryError::AdapterTimeout),
        Err(e) => return Err(RegistryError::AdapterFailed(without_url(&e))),
    };
    serde_json::from_slice(&body)
        .map_err(|e| RegistryError::AdapterBadResponse(format!("not JSON: {e}")))
}

/// What went wrong in a call, without its URL (an owner's URL may carry a token).
fn without_url(e: &reqwest::Error) -> String {
    if e.is_connect() {
        "could not connect".into()
    } else if e.is_body() || e.is_decode() {
        "the answer could not be read".into()
    } else {
        "the call failed".into()
    }
}

/// The built-in base registers.
async fn builtin(ctx: &Registries, name: &str, call: &Call<'_>) -> Result<Value, RegistryError> {
    match name {
        "population/person" => person(ctx, call.subject)
            .await?
            .ok_or(RegistryError::NoRecord),
        "addresses/address" => {
            let code = call
                .parameters
                .get("address")
                .and_then(Value::as_str)
                .unwrap_or_default();
            address(ctx, code, Some(call.subject))
                .await?
                .ok_or(RegistryError::NoRecord)
        }
        "commercial/company" => company(ctx, call.subject)
            .await?
            .ok_or(RegistryError::NoRecord),
        _ => Err(RegistryError::UnknownOperation),
    }
}

type PersonRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

/// Everything the population register holds about a person, children included.
pub async fn person(ctx: &Registries, egn: &str) -> Result<Option<Value>, RegistryError> {
    let row: Option<PersonRow> = sqlx::query_as(
        "SELECT egn, given_name, middle_name, family_name, birth_date, sex, permanent_address, \
         current_address, mother_egn, father_egn FROM registries_people WHERE egn = $1",
    )
    .bind(egn)
    .fetch_optional(ctx.db.pool())
    .await?;
    let Some((egn, given, middle, family, born, sex, permanent, current, mother, father)) = row
    else {
        return Ok(None);
    };
    let children: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT egn, given_name, family_name, birth_date FROM registries_people \
         WHERE mother_egn = $1 OR father_egn = $1 ORDER BY birth_date, egn",
    )
    .bind(&egn)
    .fetch_all(ctx.db.pool())
    .await?;
    Ok(Some(json!({
        "egn": egn,
        "given_name": given,
        "middle_name": middle,
        "family_name": family,
        "birth_date": born,
        "sex": sex,
        "permanent_address": permanent,
        "current_address": current,
        "mother_egn": mother,
        "father_egn": father,
        "children": children.into_iter().map(|(egn, given, family, born)| json!({
            "egn": egn, "given_name": given, "family_name": family, "birth_date": born
        })).collect::<Vec<_>>(),
    })))
}

/// An address of Sofia's register with its owners; with a subject, whether they own it.
pub async fn address(
    ctx: &Registries,
    code: &str,
    subject: Option<&str>,
) -> Result<Option<Value>, RegistryError> {
    let row: Option<(String, String, String, String, i64, i64)> = sqlx::query_as(
        "SELECT code, street, number, district, lat_e6, lon_e6 FROM registries_addresses WHERE code = $1",
    )
    .bind(code)
    .fetch_optional(ctx.db.pool())
    .await?;
    let Some((code, street, number, district, lat, lon)) = row else {
        return Ok(None);
    };
    let owners: Vec<(String,)> = sqlx::query_as(
        "SELECT owner_egn FROM registries_address_owners WHERE address_code = $1 ORDER BY owner_egn",
    )
    .bind(&code)
    .fetch_all(ctx.db.pool())
    .await?;
    let owners: Vec<String> = owners.into_iter().map(|(o,)| o).collect();
    Ok(Some(json!({
        "code": code,
        "street": street,
        "number": number,
        "district": district,
        "lat": lat as f64 / 1e6,
        "lon": lon as f64 / 1e6,
        "subject_is_owner": subject.is_some_and(|s| owners.iter().any(|o| o == s)),
        "owners": owners,
    })))
}

/// A company of the commercial register with its representatives.
pub async fn company(ctx: &Registries, eik: &str) -> Result<Option<Value>, RegistryError> {
    let row: Option<(String, String, String, String)> = sqlx::query_as(
        "SELECT eik, name, legal_form, seat FROM registries_companies WHERE eik = $1",
    )
    .bind(eik)
    .fetch_optional(ctx.db.pool())
    .await?;
    let Some((eik, name, legal_form, seat)) = row else {
        return Ok(None);
    };
    let reps: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT egn, name, role FROM registries_representatives WHERE eik = $1 ORDER BY egn",
    )
    .bind(&eik)
    .fetch_all(ctx.db.pool())
    .await?;
    Ok(Some(json!({
        "eik": eik,
        "name": name,
        "legal_form": legal_form,
        "seat": seat,
        "representatives": reps.into_iter().map(|(egn, name, role)| json!({
            "egn": egn, "name": name, "role": role
        })).collect::<Vec<_>>(),
    })))
}
