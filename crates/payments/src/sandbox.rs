//! The sandbox card provider: a stand-in for a real acquirer's hosted payment page, run as its
//! own HTTP service (`portico sandbox-pay`), so that its callbacks really cross the network.
//!
//! - `POST /v1/sessions` (signed by Portico with the shared secret) opens a session and answers
//!   its id and the hosted page's address.
//! - `POST /v1/refunds` (signed by Portico) sends money taken on a session back to the card:
//!   only a captured session, never more than was taken in all, in its currency; the same
//!   `refund_id` again answers the same refund (a retry refunds nothing twice).
//! - `GET /pay/{id}` is the hosted page; `POST /pay/{id}` takes a test card:
//!   [`CARD_SUCCEEDS`] is authorised and captured, [`CARD_DECLINED`] is declined, and
//!   [`CARD_TIMES_OUT`] is accepted and then never confirmed (the provider "times out"). Each
//!   outcome is sent to Portico as signed callbacks, retried with backoff until Portico
//!   answers 2xx, and the payer is sent back to Portico.
//!
//! Sessions live in the process's memory: the sandbox is a test double, not a ledger.

use crate::provider::{Callback, CardStatus, Refund, RefundRequest, Session, SessionRequest};
use crate::signing;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A card that is authorised and captured.
pub const CARD_SUCCEEDS: &str = "4242424242424242";
/// A card that is declined.
pub const CARD_DECLINED: &str = "4000000000000002";
/// A card the provider accepts and then never confirms: Portico hears nothing back.
pub const CARD_TIMES_OUT: &str = "4000000000000119";

/// How many times a callback is sent before the sandbox gives up on it.
pub const CALLBACK_ATTEMPTS: u32 = 6;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Stage {
    Open,
    Done(&'static str),
}

#[derive(Debug, Clone)]
struct Open {
    request: SessionRequest,
    stage: Stage,
}

/// A refund the sandbox made: the session, the amount and the sandbox's own id.
type Refunded = (String, i64, String);

#[derive(Clone)]
pub struct Sandbox {
    secret: Arc<Vec<u8>>,
    /// The address payers reach the sandbox at (for the hosted page's links).
    public_url: String,
    sessions: Arc<Mutex<HashMap<String, Open>>>,
    /// Refunds made, by Portico's refund id: the session, the amount and the sandbox's id.
    refunds: Arc<Mutex<HashMap<String, Refunded>>>,
    http: reqwest::Client,
}

impl Sandbox {
    pub fn new(secret: &[u8], public_url: &str) -> Result<Sandbox, String> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Sandbox {
            secret: Arc::new(secret.to_vec()),
            public_url: public_url.trim_end_matches('/').to_owned(),
            sessions: Arc::new(Mutex::new(HashMap::new())),
            refunds: Arc::new(Mutex::new(HashMap::new())),
            http,
        })
    }

    pub fn router(self) -> Router {
        Router::new()
            .route("/v1/sessions", post(open_session))
            .route("/v1/refunds", post(refund))
            .route("/pay/{id}", get(page).post(pay))
            .route("/healthz", get(|| async { "ok" }))
            .with_state(self)
    }

    /// How much was refunded on a session, in all (what a test double's ledger says).
    pub fn refunded_minor(&self, session_id: &str) -> i64 {
        self.refunds.lock().map_or(0, |r| {
            r.values()
                .filter(|(s, _, _)| s == session_id)
                .map(|(_, a, _)| a)
                .sum()
        })
    }

    fn session(&self, id: &str) -> Option<Open> {
        self.sessions.lock().ok()?.get(id).cloned()
    }

    fn finish(&self, id: &str, outcome: &'static str) -> bool {
        let Ok(mut sessions) = self.sessions.lock() else {
            return false;
        };
        match sessions.get_mut(id) {
            Some(open) if open.stage == Stage::Open => {
                open.stage = Stage::Done(outcome);
                true
            }
            _ => false,
        }
    }

    /// Sends one signed callback, retrying with backoff until Portico answers 2xx. Says whether
    /// it was acknowledged.
    pub async fn deliver(&self, url: &str, callback: &Callback) -> bool {
        let Ok(body) = serde_json::to_vec(callback) else {
            return false;
        };
        for attempt in 0..CALLBACK_ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(200 * 2u64.pow(attempt))).await;
            }
            let signature = signing::sign(&self.secret, chrono::Utc::now().timestamp(), &body);
            let sent = self
                .http
                .post(url)
                .header("content-type", "application/json")
                .header(signing::HEADER, signature)
                .body(body.clone())
                .send()
                .await;
            match sent {
                Ok(r) if r.status().is_success() => return true,
                Ok(r) => {
                    tracing::warn!(status = %r.status(), attempt, "sandbox-pay: callback refused")
                }
                Err(e) => {
                    tracing::warn!(error = %e, attempt, "sandbox-pay: callback not delivered")
                }
            }
        }
        false
    }
}

fn new_id() -> String {
    let bytes: [u8; 16] = rand::random();
    hex::encode(bytes)
}

async fn open_session(State(s): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    if !verified(&s, &headers, &body) {
        return (StatusCode::UNAUTHORIZED, "signature").into_response();
    }
    let Ok(request) = serde_json::from_slice::<SessionRequest>(&body) else {
        return (StatusCode::BAD_REQUEST, "body").into_response();
    };
    if request.amount_minor <= 0 {
        return (StatusCode::UNPROCESSABLE_ENTITY, "amount").into_response();
    }
    let id = new_id();
    let url = format!("{}/pay/{id}", s.public_url);
    if let Ok(mut sessions) = s.sessions.lock() {
        sessions.insert(
            id.clone(),
            Open {
                request,
                stage: Stage::Open,
            },
        );
    }
    Json(Session { id, url }).into_response()
}

fn verified(s: &Sandbox, headers: &HeaderMap, body: &[u8]) -> bool {
    let signature = headers
        .get(signing::HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    signing::verify(&s.secret, signature, body, chrono::Utc::now().timestamp()).is_ok()
}

/// Money taken on a session goes back to the card: only a captured session, in its currency,
/// never more than was taken in all; the same refund id again answers the same refund.
async fn refund(State(s): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    if !verified(&s, &headers, &body) {
        return (StatusCode::UNAUTHORIZED, "signature").into_response();
    }
    let Ok(request) = serde_json::from_slice::<RefundRequest>(&body) else {
        return (StatusCode::BAD_REQUEST, "body").into_response();
    };
    let Some(open) = s.session(&request.session_id) else {
        return (StatusCode::NOT_FOUND, "no such session").into_response();
    };
    if open.stage != Stage::Done("captured") {
        return (StatusCode::CONFLICT, "nothing was taken on this session").into_response();
    }
    if request.amount_minor <= 0
        || !request
            .currency
            .eq_ignore_ascii_case(&open.request.currency)
    {
        return (StatusCode::UNPROCESSABLE_ENTITY, "amount").into_response();
    }
    let Ok(mut refunds) = s.refunds.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Some((session, amount, id)) = refunds.get(&request.refund_id) {
        if *session == request.session_id && *amount == request.amount_minor {
            return Json(Refund {
                id: id.clone(),
                amount_minor: *amount,
            })
            .into_response();
        }
        return (StatusCode::CONFLICT, "refund id used for another refund").into_response();
    }
    let taken_back: i64 = refunds
        .values()
        .filter(|(session, _, _)| *session == request.session_id)
        .map(|(_, a, _)| a)
        .sum();
    if taken_back + request.amount_minor > open.request.amount_minor {
        return (StatusCode::UNPROCESSABLE_ENTITY, "more than was taken").into_response();
    }
    let id = format!("re_{}", new_id());
    refunds.insert(
        request.refund_id.clone(),
        (request.session_id.clone(), request.amount_minor, id.clone()),
    );
    Json(Refund {
        id,
        amount_minor: request.amount_minor,
    })
    .into_response()
}

#[derive(Template)]
#[template(path = "sandbox_pay.html")]
struct PayPage {
    id: String,
    merchant: String,
    description: String,
    amount: String,
    reference: String,
    error: bool,
    done: bool,
    return_url: String,
}

fn amount(minor: i64, currency: &str) -> String {
    format!("{}.{:02} {currency}", minor / 100, (minor % 100).abs())
}

fn render_page(id: &str, open: &Open, error: bool) -> Response {
    let page = PayPage {
        id: id.to_owned(),
        merchant: open.request.merchant.clone(),
        description: open.request.description.clone(),
        amount: amount(open.request.amount_minor, &open.request.currency),
        reference: open.request.reference.clone(),
        error,
        done: open.stage != Stage::Open,
        return_url: open.request.return_url.clone(),
    };
    match page.render() {
        Ok(html) => {
            let status = if error {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            (status, Html(html)).into_response()
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

async fn page(State(s): State<Sandbox>, Path(id): Path<String>) -> Response {
    match s.session(&id) {
        Some(open) => render_page(&id, &open, false),
        None => (StatusCode::NOT_FOUND, "no such session").into_response(),
    }
}

#[derive(Deserialize)]
struct CardForm {
    card_number: String,
}

async fn pay(
    State(s): State<Sandbox>,
    Path(id): Path<String>,
    Form(form): Form<CardForm>,
) -> Response {
    let Some(open) = s.session(&id) else {
        return (StatusCode::NOT_FOUND, "no such session").into_response();
    };
    if open.stage != Stage::Open {
        // Paid or declined already: nothing is taken twice.
        return Redirect::to(&open.request.return_url).into_response();
    }
    let card: String = form
        .card_number
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let steps: &[CardStatus] = match card.as_str() {
        CARD_SUCCEEDS => &[CardStatus::Authorised, CardStatus::Captured],
        CARD_DECLINED => &[CardStatus::Declined],
        CARD_TIMES_OUT => &[],
        _ => return render_page(&id, &open, true),
    };
    let outcome = match steps.last() {
        Some(last) => last.as_str(),
        None => "timed_out",
    };
    if !s.finish(&id, outcome) {
        return Redirect::to(&open.request.return_url).into_response();
    }
    let callbacks: Vec<Callback> = steps
        .iter()
        .map(|status| Callback {
            event_id: new_id(),
            session_id: id.clone(),
            status: *status,
            amount_minor: open.request.amount_minor,
            currency: open.request.currency.clone(),
            reference: Some(open.request.reference.clone()),
        })
        .collect();
    // The first attempt of each callback is made before the payer is sent back, so Portico
    // usually knows the outcome when they arrive; retries go on in the background.
    let url = open.request.callback_url.clone();
    let sandbox = s.clone();
    let delivery = tokio::spawn(async move {
        for callback in &callbacks {
            sandbox.deliver(&url, callback).await;
        }
    });
    let _ = tokio::time::timeout(Duration::from_secs(3), delivery).await;
    Redirect::to(&open.request.return_url).into_response()
}

/// Serves the sandbox on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, sandbox: Sandbox) -> std::io::Result<()> {
    axum::serve(listener, sandbox.router()).await
}
