//! Payment gateways' webhook endpoint, `POST /gateways/{gateway}/webhook`.

use kasa_billing::{WebhookError, WebhookOutcome};
use kasa_ports::{GatewayError, GatewayName, StoreError};
use poem::http::StatusCode;
use poem::web::{Data, Json, Path};
use poem::{Body, IntoResponse, Request, Response, handler};

use crate::app::App;
use crate::problem::{ApiError, store_error};

/// The largest webhook body read; Stripe's events are a few kilobytes.
const MAX_WEBHOOK_BYTES: usize = 512 * 1024;

/// A gateway's webhook deliveries (`POST /gateways/{gateway}/webhook`): verified with the
/// gateway's signature, acted on once per event id. Answers 200 when the event was processed
/// (or seen before), a problem document otherwise: 400 `invalid-signature` for a forged,
/// tampered or stale delivery (nothing changes), 503 `retry-later` when Kasa cannot decide now
/// (the gateway delivers again).
#[handler]
pub async fn webhook(
    app: Data<&App>,
    request: &Request,
    gateway: Path<String>,
    body: Body,
) -> Response {
    let request_id = crate::request_id::RequestId::of(request);
    let problem = |error: ApiError| error.response(request_id.clone());
    let Ok(raw) = body.into_bytes_limit(MAX_WEBHOOK_BYTES).await else {
        return problem(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "The body is too large",
            format!("a webhook body is at most {MAX_WEBHOOK_BYTES} bytes"),
        ));
    };
    let Some(gateway_name) = app.gateway_named(&gateway.0) else {
        return problem(ApiError::not_found(kasa_ports::Entity::Gateway));
    };
    let callback = crate::gateways::callback_of(request, raw.to_vec(), Vec::new());
    match app
        .billing
        .process_webhook(&gateway_name, callback, request_id.clone())
        .await
    {
        Ok(outcome) => received(&outcome),
        Err(error) => {
            if matches!(error, WebhookError::Gateway(GatewayError::InvalidSignature)) {
                app.security_events.forged(crate::security_events::Forgery {
                    gateway: gateway_name.to_string(),
                    channel: "webhook",
                    source_address: crate::security_events::peer(request),
                    reason: "the signature does not verify, or is too old".to_owned(),
                    request_id: request_id.clone(),
                });
            }
            problem(webhook_problem(&gateway_name, error))
        }
    }
}

fn received(outcome: &WebhookOutcome) -> Response {
    Json(serde_json::json!({
        "received": true,
        "duplicate": matches!(outcome, WebhookOutcome::Duplicate),
        "outcome": outcome.describe(),
    }))
    .into_response()
}

fn webhook_problem(gateway: &GatewayName, error: WebhookError) -> ApiError {
    match error {
        WebhookError::UnknownGateway(_) | WebhookError::Gateway(GatewayError::Unsupported(_)) => {
            ApiError::not_found(kasa_ports::Entity::GatewayWebhook)
        }
        WebhookError::Gateway(GatewayError::InvalidSignature) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid-signature",
            "The webhook did not verify",
            format!(
                "the delivery's signature or age is not {gateway}'s; nothing was changed \
                 (check the endpoint's signing secret in the payment-system settings)"
            ),
        ),
        WebhookError::Gateway(GatewayError::Misconfigured(detail)) => ApiError::new(
            StatusCode::CONFLICT,
            "gateway-misconfigured",
            "The payment system is not set up",
            detail,
        ),
        WebhookError::Gateway(GatewayError::Unavailable(_) | GatewayError::Timeout) => {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "gateway-unavailable",
                "The payment gateway did not answer",
                "Kasa could not reach the payment system's settings or the gateway; deliver \
                 the event again later",
            )
        }
        WebhookError::Gateway(other) => unprocessable(gateway, &other),
        WebhookError::Unprocessable(detail) => unprocessable(gateway, &detail),
        WebhookError::RetryLater => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "retry-later",
            "Deliver this event again later",
            "Kasa cannot decide about this event yet (an action on its payment is in flight, or \
             the subscription it names is being recorded); nothing was changed",
        ),
        WebhookError::Store(StoreError::Corrupt(detail)) => ApiError::internal(&detail),
        WebhookError::Store(error) => store_error(error),
    }
}

/// A verified event Kasa cannot act on: logged for a person, and the gateway delivers it again.
fn unprocessable(gateway: &GatewayName, detail: &dyn std::fmt::Display) -> ApiError {
    tracing::error!(%gateway, %detail, "a verified webhook event cannot be acted on");
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "unprocessable-event",
        "Kasa cannot act on this event",
        format!("the event verified but {detail}; nothing was changed"),
    )
}
