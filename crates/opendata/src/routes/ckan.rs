//! The CKAN Action API: `GET|POST /api/3/action/{action}` with the parameters in the query, a
//! JSON body, a form or a multipart body (uploads), answered in CKAN's envelope
//! (`{"help", "success", "result"}`) and CKAN's error shapes and status codes (400 bad request,
//! 403 "Authorization Error", 404 "Not Found Error", 409 "Validation Error" and
//! "Search Query Error"), so CKAN's clients work unchanged.

use super::caller::Caller;
use super::OpenDataState;
use crate::error::{OpenDataError, Problem};
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Path, Query, State};
use axum::http::{HeaderMap, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use portico_http::{Lang, Strings};
use serde_json::{json, Map, Value};

mod actions;
mod dicts;

/// An action's parameters, and the file of a multipart upload (its name and bytes).
pub struct Params {
    pub map: Map<String, Value>,
    pub upload: Option<(String, bytes::Bytes)>,
}

impl Params {
    pub fn str(&self, key: &str) -> Option<String> {
        match self.map.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub fn int(&self, key: &'static str) -> Result<Option<i64>, ActionError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| ActionError::validation(key, "param.not_integer")),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| ActionError::validation(key, "param.not_integer")),
            Some(_) => Err(ActionError::validation(key, "param.not_integer")),
        }
    }

    pub fn bool(&self, key: &str) -> bool {
        match self.map.get(key) {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => {
                matches!(s.to_ascii_lowercase().as_str(), "true" | "1" | "yes")
            }
            _ => false,
        }
    }

    /// A JSON value given as JSON or, in a query or form, as a JSON string.
    pub fn json(&self, key: &'static str) -> Result<Option<Value>, ActionError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => serde_json::from_str(s)
                .map(Some)
                .map_err(|_| ActionError::validation(key, "param.not_json")),
            Some(v) => Ok(Some(v.clone())),
        }
    }

    /// A list given as a JSON array, a JSON string of one, or comma-separated words.
    pub fn list(&self, key: &'static str) -> Result<Option<Vec<String>>, ActionError> {
        let value = match self.map.get(key) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::String(s)) if s.trim_start().starts_with('[') => self.json(key)?,
            Some(Value::String(s)) => {
                return Ok(Some(
                    s.split(',')
                        .map(|p| p.trim().to_owned())
                        .filter(|p| !p.is_empty())
                        .collect(),
                ))
            }
            Some(v) => Some(v.clone()),
        };
        match value {
            Some(Value::Array(items)) => Ok(Some(
                items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
            )),
            _ => Err(ActionError::validation(key, "param.not_list")),
        }
    }
}

/// How an action fails, in CKAN's terms.
#[derive(Debug)]
pub enum ActionError {
    BadRequest(String),
    Domain(OpenDataError),
}

impl ActionError {
    pub fn validation(field: &'static str, code: &'static str) -> ActionError {
        ActionError::Domain(OpenDataError::invalid(field, code))
    }
}

impl From<OpenDataError> for ActionError {
    fn from(e: OpenDataError) -> Self {
        ActionError::Domain(e)
    }
}

/// The language of the messages: Bulgarian when the client prefers it, else English.
pub(super) fn lang(headers: &HeaderMap) -> Lang {
    let bg = headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("bg"));
    if bg {
        Lang::Bg
    } else {
        Lang::En
    }
}

/// A problem's message, with the line of the file it was found on.
pub fn problem_message(strings: &Strings, p: &Problem) -> String {
    p.message(strings)
}

fn envelope(base: &str, action: &str, success: bool) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(
        "help".into(),
        Value::String(format!("{base}/api/3/action/help_show?name={action}")),
    );
    m.insert("success".into(), Value::Bool(success));
    m
}

fn error_response(state: &OpenDataState, action: &str, lang: Lang, e: ActionError) -> Response {
    let strings = Strings::new(lang, crate::strings::TABLES);
    let t = |key: &str| strings.t(key).to_owned();
    let (status, error) = match e {
        ActionError::BadRequest(detail) => (
            StatusCode::BAD_REQUEST,
            json!({ "__type": "Bad request", "message": format!("Bad request - {detail}") }),
        ),
        ActionError::Domain(OpenDataError::NotFound) => (
            StatusCode::NOT_FOUND,
            json!({ "__type": "Not Found Error", "message": format!("Not found: {}", t("opendata-error-not-found")) }),
        ),
        ActionError::Domain(OpenDataError::Forbidden | OpenDataError::NeedsAssurance(_)) => (
            StatusCode::FORBIDDEN,
            json!({ "__type": "Authorization Error", "message": format!("Access denied: {}", t("opendata-error-forbidden")) }),
        ),
        ActionError::Domain(OpenDataError::Invalid(problems)) => {
            let mut m = Map::new();
            m.insert("__type".into(), "Validation Error".into());
            for p in &problems {
                let entry = m
                    .entry(p.field.to_owned())
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(list) = entry {
                    list.push(problem_message(&strings, p).into());
                }
            }
            (StatusCode::CONFLICT, Value::Object(m))
        }
        ActionError::Domain(OpenDataError::SearchQuery(code)) => (
            StatusCode::CONFLICT,
            json!({ "__type": "Search Query Error", "message": format!("Search Query is invalid: {}", t(code)) }),
        ),
        ActionError::Domain(other) => {
            tracing::error!(error = %other, action, "opendata: internal error");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({ "__type": "Internal Server Error", "message": t("opendata-error-internal") }),
            )
        }
    };
    let mut body = envelope(&state.app.config.base_url, action, false);
    body.insert("error".into(), error);
    (status, Json(Value::Object(body))).into_response()
}

async fn run(
    state: OpenDataState,
    caller: Caller,
    action: String,
    headers: &HeaderMap,
    params: Result<Params, ActionError>,
) -> Response {
    let lang = lang(headers);
    if caller.bad_token {
        return error_response(
            &state,
            &action,
            lang,
            ActionError::Domain(OpenDataError::Forbidden),
        );
    }
    let result = match params {
        Ok(params) => actions::dispatch(&state, &caller, &action, params).await,
        Err(e) => Err(e),
    };
    respond(&state, &action, lang, result)
}

fn respond(
    state: &OpenDataState,
    action: &str,
    lang: Lang,
    result: Result<Value, ActionError>,
) -> Response {
    match result {
        Ok(result) => {
            let mut body = envelope(&state.app.config.base_url, action, true);
            body.insert("result".into(), result);
            Json(Value::Object(body)).into_response()
        }
        Err(e) => error_response(state, action, lang, e),
    }
}

/// `POST /api/3/action/resource_create` on its own route, whose body may be up to 1 GiB: a
/// multipart upload's file is read as it comes ([`super::upload::receive`]), after the caller
/// and the dataset (`package_id`, which must come before the file) are known to be allowed.
/// A CSV over 20 MB is stored and checked as it streams, and loaded by a job; anything else
/// goes on as every other action.
pub async fn resource_create(
    State(state): State<OpenDataState>,
    caller: Caller,
    req: Request<Body>,
) -> Response {
    const ACTION: &str = "resource_create";
    let multipart = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if !multipart || caller.bad_token {
        return action_post(State(state), caller, Path(ACTION.to_owned()), req).await;
    }
    let lang = lang(req.headers());
    let result = streamed_resource_create(&state, &caller, req).await;
    respond(&state, ACTION, lang, result)
}

async fn streamed_resource_create(
    state: &OpenDataState,
    caller: &Caller,
    req: Request<Body>,
) -> Result<Value, ActionError> {
    use super::upload::{receive, Received};
    let actor = actions::writer(caller)?;
    let mut multipart = Multipart::from_request(req, state)
        .await
        .map_err(|e| ActionError::BadRequest(format!("the multipart body cannot be read: {e}")))?;
    let mut map = Map::new();
    let mut received = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                return Err(ActionError::validation(
                    "upload",
                    "upload.too_large_streamed",
                ))
            }
        };
        let name = field.name().unwrap_or("").to_owned();
        if field.file_name().is_none() {
            let text = field
                .text()
                .await
                .map_err(|_| ActionError::BadRequest("a field is not text".into()))?;
            map.insert(name, Value::String(text));
            continue;
        }
        let params = Params {
            map: map.clone(),
            upload: None,
        };
        let package = params
            .str("package_id")
            .ok_or_else(|| ActionError::validation("package_id", "param.missing"))?;
        let d = crate::service::datasets::visible(&state.ctx.db, Some(actor), &package).await?;
        crate::service::resources::may_add(&state.ctx, actor, &d.id).await?;
        let format = params.str("format");
        received = Some((
            d,
            receive(&state.ctx, field, format.as_deref(), true).await?,
        ));
    }
    let mut params = Params { map, upload: None };
    match received {
        Some((d, Received::Large(file_name, stored))) => {
            let input = crate::model::ResourceInput {
                name: params.str("name").unwrap_or_default(),
                description: params.str("description").unwrap_or_default(),
                ..Default::default()
            };
            let r = crate::service::resources::add_streamed(
                &state.ctx, actor, &d.id, &input, &file_name, &stored,
            )
            .await?;
            Ok(dicts::resource(
                state.app.config.base_url.trim_end_matches('/'),
                &d,
                &r,
            ))
        }
        Some((_, Received::Small(file_name, bytes))) => {
            params.upload = Some((file_name, bytes));
            actions::dispatch(state, caller, "resource_create", params).await
        }
        None => actions::dispatch(state, caller, "resource_create", params).await,
    }
}

pub async fn action_get(
    State(state): State<OpenDataState>,
    caller: Caller,
    Path(action): Path<String>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    let mut map = Map::new();
    for (k, v) in query {
        map.insert(k, Value::String(v));
    }
    run(
        state,
        caller,
        action,
        &headers,
        Ok(Params { map, upload: None }),
    )
    .await
}

/// `GET …/resource_create` (its POST has its own route): answered as every action.
pub async fn resource_create_get(
    state: State<OpenDataState>,
    caller: Caller,
    headers: HeaderMap,
    query: Query<Vec<(String, String)>>,
) -> Response {
    action_get(
        state,
        caller,
        Path("resource_create".to_owned()),
        headers,
        query,
    )
    .await
}

pub async fn action_post(
    State(state): State<OpenDataState>,
    caller: Caller,
    Path(action): Path<String>,
    req: Request<Body>,
) -> Response {
    let headers = req.headers().clone();
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let params = if content_type.starts_with("multipart/form-data") {
        read_multipart(req, &state).await
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        match axum::body::to_bytes(req.into_body(), crate::service::MAX_UPLOAD_BYTES).await {
            Ok(bytes) => {
                let mut map = Map::new();
                for (k, v) in url::form_urlencoded::parse(&bytes) {
                    map.insert(k.into_owned(), Value::String(v.into_owned()));
                }
                Ok(Params { map, upload: None })
            }
            Err(_) => Err(ActionError::BadRequest("the body cannot be read".into())),
        }
    } else {
        match axum::body::to_bytes(req.into_body(), crate::service::MAX_UPLOAD_BYTES).await {
            Ok(bytes) if bytes.iter().all(|b| b.is_ascii_whitespace()) => Ok(Params {
                map: Map::new(),
                upload: None,
            }),
            Ok(bytes) => match serde_json::from_slice::<Value>(&bytes) {
                Ok(Value::Object(map)) => Ok(Params { map, upload: None }),
                Ok(_) => Err(ActionError::BadRequest(
                    "JSON Error: the body must be a JSON object".into(),
                )),
                Err(e) => Err(ActionError::BadRequest(format!("JSON Error: {e}"))),
            },
            Err(_) => Err(ActionError::BadRequest("the body cannot be read".into())),
        }
    };
    run(state, caller, action, &headers, params).await
}

async fn read_multipart(req: Request<Body>, state: &OpenDataState) -> Result<Params, ActionError> {
    let mut multipart = Multipart::from_request(req, state)
        .await
        .map_err(|e| ActionError::BadRequest(format!("the multipart body cannot be read: {e}")))?;
    let mut map = Map::new();
    let mut upload = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                return Err(ActionError::validation("upload", "upload.too_large"));
            }
        };
        let name = field.name().unwrap_or("").to_owned();
        if let Some(file_name) = field.file_name().map(str::to_owned) {
            let bytes = field
                .bytes()
                .await
                .map_err(|_| ActionError::validation("upload", "upload.too_large"))?;
            upload = Some((file_name, bytes));
        } else {
            let text = field
                .text()
                .await
                .map_err(|_| ActionError::BadRequest("a field is not text".into()))?;
            map.insert(name, Value::String(text));
        }
    }
    Ok(Params { map, upload })
}
