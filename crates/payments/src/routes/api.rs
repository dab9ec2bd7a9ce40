//! The payments block's JSON API: administrations' systems ask for payments (with an
//! `Idempotency-Key`), read them with their history, cancel and refund them. Errors are the
//! platform's `{"error": {"code", "message", "details"}}` with this block's stable codes.

use super::PaymentsState;
use crate::error::PaymentError;
use crate::model::{NewPayment, PaymentWithHistory};
use crate::service::requests;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use portico_core::Id;
use portico_http::{ApiActor, AppState, Lang, Strings, ValidPath};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn api_router(state: PaymentsState) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create))
        .routes(routes!(show))
        .routes(routes!(cancel))
        .routes(routes!(refund))
        .routes(routes!(provider_callback))
        .routes(routes!(set_endpoint, show_endpoint, remove_endpoint))
        .merge(
            // A statement may be larger than the platform's default body limit: this route
            // only raises its own (every other route keeps the platform's).
            OpenApiRouter::new()
                .routes(routes!(import_statement))
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::service::statements::ROUTE_BODY_LIMIT,
                )),
        )
        .with_state(state)
}

/// A payments error as the API answers it.
pub struct ApiError(pub PaymentError);

impl From<PaymentError> for ApiError {
    fn from(e: PaymentError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        if e.code() == "internal" {
            tracing::error!(error = %e, "payments: internal error");
            return portico_http::AppError::internal(e).into_response();
        }
        let strings = Strings::new(Lang::En, crate::strings::TABLES);
        let message = strings
            .find(&format!("payments_error_{}", e.code()))
            .unwrap_or("The request was refused.");
        let details = match &e {
            PaymentError::NotAllowed { from, to } => serde_json::json!({ "from": from, "to": to }),
            _ => serde_json::json!({}),
        };
        let body = serde_json::json!({
            "error": { "code": e.code(), "message": message, "details": details }
        });
        (e.status(), Json(body)).into_response()
    }
}

/// Asks for a payment. Send an `Idempotency-Key` header: a retry with the same key and the same
/// body answers the payment made the first time (200, `Idempotent-Replayed: true`); the same key
/// with another body is refused (409) and changes nothing.
#[utoipa::path(post, path = "/api/v1/payments", tag = "payments",
    security(("client_credentials" = ["payments"])),
    params(("Idempotency-Key" = Option<String>, Header, description = "a key unique per request, up to 255 visible ASCII characters")),
    request_body = NewPayment,
    responses((status = 201, body = PaymentWithHistory, description = "created"),
        (status = 200, body = PaymentWithHistory, description = "the same request made before with this key"),
        (status = 403, body = portico_http::ApiErrorBody, description = "not_a_payment_client"),
        (status = 409, body = portico_http::ApiErrorBody, description = "idempotency_key_reused"),
        (status = 422, body = portico_http::ApiErrorBody, description = "amount_invalid, currency_invalid, iban_invalid, bic_invalid, obligor_invalid, expiry_invalid …")))]
async fn create(
    State(state): State<PaymentsState>,
    ApiActor(actor): ApiActor,
    headers: HeaderMap,
    Json(body): Json<NewPayment>,
) -> Result<Response, ApiError> {
    let key = match headers.get("idempotency-key") {
        None => None,
        Some(v) => Some(
            v.to_str()
                .map_err(|_| PaymentError::Invalid("idempotency_key_invalid"))?,
        ),
    };
    let created = requests::create(&state.payments, &actor, &body, key).await?;
    let status = if created.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let replayed = if created.replayed { "true" } else { "false" };
    Ok((
        status,
        [("idempotent-replayed", replayed)],
        Json(created.payment),
    )
        .into_response())
}

/// A payment with its history, to its administration's systems (and to its payer).
#[utoipa::path(get, path = "/api/v1/payments/{id}", tag = "payments",
    security(("session" = []), ("client_credentials" = ["payments"])),
    params(("id" = String, Path)),
    responses((status = 200, body = PaymentWithHistory),
        (status = 404, body = portico_http::ApiErrorBody)))]
async fn show(
    State(state): State<PaymentsState>,
    ApiActor(actor): ApiActor,
    ValidPath(id): ValidPath<Id>,
) -> Result<Json<PaymentWithHistory>, ApiError> {
    Ok(Json(requests::get(&state.payments, &actor, &id).await?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CancelBody {
    #[serde(default)]
    pub note: Option<String>,
}

/// The administration withdraws a payment that was not paid.
#[utoipa::path(post, path = "/api/v1/payments/{id}/cancel", tag = "payments",
    security(("client_credentials" = ["payments"])),
    params(("id" = String, Path)),
    request_body = CancelBody,
    responses((status = 200, body = PaymentWithHistory),
        (status = 404, body = portico_http::ApiErrorBody),
        (status = 409, body = portico_http::ApiErrorBody, description = "transition_not_allowed")))]
async fn cancel(
    State(state): State<PaymentsState>,
    ApiActor(actor): ApiActor,
    ValidPath(id): ValidPath<Id>,
    Json(body): Json<CancelBody>,
) -> Result<Json<PaymentWithHistory>, ApiError> {
    Ok(Json(
        requests::cancel(&state.payments, &actor, &id, body.note.as_deref()).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RefundBody {
    pub amount_minor: i64,
    #[serde(default)]
    pub note: Option<String>,
}

/// The administration pays back part or all of what is left of a paid amount.
#[utoipa::path(post, path = "/api/v1/payments/{id}/refunds", tag = "payments",
    security(("client_credentials" = ["payments"])),
    params(("id" = String, Path)),
    request_body = RefundBody,
    responses((status = 200, body = PaymentWithHistory),
        (status = 404, body = portico_http::ApiErrorBody),
        (status = 409, body = portico_http::ApiErrorBody, description = "transition_not_allowed"),
        (status = 422, body = portico_http::ApiErrorBody, description = "refund_amount_invalid, refund_refused (the card provider refused it)"),
        (status = 503, body = portico_http::ApiErrorBody, description = "provider_unavailable: the card provider did not answer; nothing was refunded")))]
async fn refund(
    State(state): State<PaymentsState>,
    ApiActor(actor): ApiActor,
    ValidPath(id): ValidPath<Id>,
    Json(body): Json<RefundBody>,
) -> Result<Json<PaymentWithHistory>, ApiError> {
    Ok(Json(
        requests::refund(
            &state.payments,
            state.card.as_deref(),
            &actor,
            &id,
            body.amount_minor,
            body.note.as_deref(),
        )
        .await?,
    ))
}

#[derive(Debug, serde::Serialize, ToSchema)]
pub struct CallbackAnswer {
    /// What the callback did: applied, duplicate, stale, or held for a person to resolve
    /// (amount_mismatch, paid_after_expiry, paid_when_closed, unknown_session).
    pub outcome: String,
}

/// A card provider's server-to-server callback, signed with HMAC-SHA256 over the timestamp and
/// the body (`Portico-Signature: t=…,v1=…`). Every verified callback is acknowledged (200) so
/// the provider stops resending it; the same event twice changes nothing.
#[utoipa::path(post, path = "/api/v1/payments/callbacks/{provider}", tag = "payments",
    // No bearer token: the provider proves itself by the HMAC signature.
    security(()),
    params(("provider" = String, Path), ("Portico-Signature" = String, Header)),
    request_body(content = String, content_type = "application/json", description = "the provider's event: event_id, session_id, status (authorised, captured, declined), amount_minor, currency"),
    responses((status = 200, body = CallbackAnswer),
        (status = 401, body = portico_http::ApiErrorBody, description = "signature_invalid"),
        (status = 404, body = portico_http::ApiErrorBody),
        (status = 422, body = portico_http::ApiErrorBody, description = "callback_invalid")))]
async fn provider_callback(
    State(state): State<PaymentsState>,
    Path(provider): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<CallbackAnswer>, ApiError> {
    let card = state
        .card
        .clone()
        .filter(|c| c.name() == provider)
        .ok_or(PaymentError::NoProvider)?;
    let signature = headers
        .get(crate::signing::HEADER)
        .and_then(|v| v.to_str().ok());
    let outcome =
        crate::service::card::callback(&state.payments, card.as_ref(), signature, &body).await?;
    Ok(Json(CallbackAnswer {
        outcome: outcome.as_str().to_owned(),
    }))
}

/// Imports an ISO 20022 camt.053 bank statement (the XML as the body): credit lines are matched
/// by the payment code in the remittance information or end-to-end id, amount and currency. An
/// exact match pays the payment; partial, excess, duplicate, reversed, unpayable and unknown
/// lines are kept for a person to resolve. The same statement again changes nothing
/// (`already_imported`). DTDs, foreign entities and files over 64 MiB are refused.
#[utoipa::path(post, path = "/api/v1/payments/statements", tag = "payments",
    security(("client_credentials" = ["payments"])),
    request_body(content = String, content_type = "application/xml", description = "a camt.053 statement"),
    responses((status = 200, body = crate::service::statements::Imported),
        (status = 403, body = portico_http::ApiErrorBody, description = "not_a_payment_client"),
        (status = 422, body = portico_http::ApiErrorBody, description = "statement_invalid, statement_hostile, statement_too_large")))]
async fn import_statement(
    State(state): State<PaymentsState>,
    ApiActor(actor): ApiActor,
    body: Bytes,
) -> Result<Json<crate::service::statements::Imported>, ApiError> {
    Ok(Json(
        crate::service::statements::import(&state.payments, &actor, None, &body).await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/payments/callback-endpoint", tag = "payments",
    security(("client_credentials" = ["payments"])),
    request_body = crate::service::notify::NewEndpoint,
    responses((status = 200, body = crate::service::notify::Endpoint, description = "named; the secret is in this answer only"),
        (status = 403, body = portico_http::ApiErrorBody, description = "not_a_payment_client"),
        (status = 422, body = portico_http::ApiErrorBody, description = "endpoint_url_invalid")))]
async fn set_endpoint(
    State(state): State<PaymentsState>,
    ApiActor(actor): ApiActor,
    Json(body): Json<crate::service::notify::NewEndpoint>,
) -> Result<Json<crate::service::notify::Endpoint>, ApiError> {
    Ok(Json(
        crate::service::notify::set_endpoint(&state.payments, &state.notify_key, &actor, &body)
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/payments/callback-endpoint", tag = "payments",
    security(("client_credentials" = ["payments"])),
    responses((status = 200, body = crate::service::notify::Endpoint),
        (status = 404, body = portico_http::ApiErrorBody, description = "none named")))]
async fn show_endpoint(
    State(state): State<PaymentsState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<crate::service::notify::Endpoint>, ApiError> {
    Ok(Json(
        crate::service::notify::endpoint(&state.payments, &actor)
            .await?
            .ok_or(PaymentError::NotFound)?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/payments/callback-endpoint", tag = "payments",
    security(("client_credentials" = ["payments"])),
    responses((status = 204, description = "removed"),
        (status = 404, body = portico_http::ApiErrorBody, description = "none named")))]
async fn remove_endpoint(
    State(state): State<PaymentsState>,
    ApiActor(actor): ApiActor,
) -> Result<StatusCode, ApiError> {
    crate::service::notify::remove_endpoint(&state.payments, &actor).await?;
    Ok(StatusCode::NO_CONTENT)
}
