//! Outgoing webhooks (ADR 0022, docs/webhooks.md): integrators' endpoints (`/v1/webhook-endpoints`:
//! URL, event types, on/off; the signing secret shown once, when the endpoint is made, and stored
//! only encrypted), each endpoint's deliveries with their attempts' answers, and replay. Admins
//! only (`manage_access`): an endpoint receives every customer's billing facts.

use kasa_domain::{Permission, WebhookEndpointId, WebhookEventId};
use kasa_ports::{
    Secret, WebhookAttempt, WebhookDelivery, WebhookDeliveryState, WebhookEndpoint,
    WebhookEndpointChange, WebhookEventType,
};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};

use super::access::ReasonBody;
use super::{Tag, parse_id};
use crate::app::App;
use crate::auth::{Bearer, Caller};
use crate::dates::rfc3339;
use crate::problem::{ApiError, store_error};

macro_rules! event_type_bodies {
    ($($variant:ident => $name:literal,)*) => {
        /// An event type an endpoint subscribes to (docs/webhooks.md lists what each carries).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
        pub enum WebhookEventTypeBody {
            $(#[doc = $name] #[oai(rename = $name)] $variant,)*
        }

        impl From<WebhookEventTypeBody> for WebhookEventType {
            fn from(body: WebhookEventTypeBody) -> Self {
                match body {
                    $(WebhookEventTypeBody::$variant => Self::$variant,)*
                }
            }
        }

        impl From<WebhookEventType> for WebhookEventTypeBody {
            fn from(kind: WebhookEventType) -> Self {
                match kind {
                    $(WebhookEventType::$variant => Self::$variant,)*
                }
            }
        }
    };
}

event_type_bodies! {
    PurchaseCompleted => "purchase.completed",
    PurchaseFailed => "purchase.failed",
    PaymentRefunded => "payment.refunded",
    PaymentVoided => "payment.voided",
    PaymentCaptured => "payment.captured",
    SubscriptionStarted => "subscription.started",
    SubscriptionRenewed => "subscription.renewed",
    SubscriptionEndingSoon => "subscription.ending_soon",
    SubscriptionEnded => "subscription.ended",
    CreditsLow => "credits.low",
    CreditsExhausted => "credits.exhausted",
    InvoiceIssued => "invoice.issued",
    ChargeRefused => "charge.refused",
    PaymentRequestPaid => "payment_request.paid",
}

/// A new endpoint.
#[derive(Debug, Object)]
pub struct NewWebhookEndpointBody {
    /// Where events are posted: `https://…` (`http://` only on loopback).
    #[oai(validator(max_length = 2000, pattern = "^https?://[^\\s]+$"))]
    pub url: String,
    /// What it is for (shown in the console).
    #[oai(default, validator(max_length = 500))]
    pub description: String,
    /// The event types it receives (at least one).
    #[oai(validator(min_items = 1))]
    pub event_types: Vec<WebhookEventTypeBody>,
    /// Why (audit log).
    pub reason: String,
}

/// A change to an endpoint; what is left out stays as it is. Switching an endpoint on makes its
/// waiting deliveries due at once.
#[derive(Debug, Object)]
pub struct WebhookEndpointChangeBody {
    /// A new URL: `https://…` (`http://` only on loopback).
    #[oai(validator(max_length = 2000, pattern = "^https?://[^\\s]+$"))]
    pub url: Option<String>,
    /// A new description.
    #[oai(validator(max_length = 500))]
    pub description: Option<String>,
    /// New event types (at least one).
    #[oai(validator(min_items = 1))]
    pub event_types: Option<Vec<WebhookEventTypeBody>>,
    /// On or off.
    pub enabled: Option<bool>,
    /// Why (audit log).
    pub reason: String,
}

/// An endpoint (never its secret).
#[derive(Debug, Object)]
pub struct WebhookEndpointBody {
    /// Its id.
    pub id: String,
    /// Where events are posted.
    pub url: String,
    /// What it is for.
    pub description: String,
    /// The event types it receives.
    pub event_types: Vec<WebhookEventTypeBody>,
    /// Whether events are queued for it and delivered.
    pub enabled: bool,
    /// Why Kasa switched it off (every attempt failed for three days); none when on or switched
    /// off by hand.
    pub disabled_reason: Option<String>,
    /// Since when every attempt has failed (RFC 3339); none after a success.
    pub failing_since: Option<String>,
    /// When it was made (RFC 3339).
    pub created_at: String,
}

impl From<WebhookEndpoint> for WebhookEndpointBody {
    fn from(endpoint: WebhookEndpoint) -> Self {
        Self {
            id: endpoint.id.to_string(),
            url: endpoint.url,
            description: endpoint.description,
            event_types: endpoint.event_types.into_iter().map(Into::into).collect(),
            enabled: endpoint.enabled,
            disabled_reason: endpoint.disabled_reason,
            failing_since: endpoint.failing_since.map(rfc3339),
            created_at: rfc3339(endpoint.created_at),
        }
    }
}

/// A new endpoint and its signing secret: the only time the secret is shown.
#[derive(Debug, Object)]
pub struct CreatedWebhookEndpoint {
    /// The secret every delivery's `Kasa-Signature` is made with (`whsec_…`).
    pub secret: String,
    /// The endpoint.
    pub endpoint: WebhookEndpointBody,
}

/// One event's delivery to an endpoint.
#[derive(Debug, Object)]
pub struct WebhookDeliveryBody {
    /// The event's id (the envelope's `id`).
    pub event_id: String,
    /// Its type.
    pub event_type: WebhookEventTypeBody,
    /// When the fact happened (RFC 3339).
    pub created_at: String,
    /// `pending` or `delivered`.
    pub state: String,
    /// Attempts so far.
    pub attempts: u32,
    /// When the next attempt is due, while pending (RFC 3339).
    pub next_attempt_at: Option<String>,
    /// When the endpoint took it (RFC 3339).
    pub delivered_at: Option<String>,
    /// The body posted, exactly as signed.
    pub body: String,
}

impl From<WebhookDelivery> for WebhookDeliveryBody {
    fn from(delivery: WebhookDelivery) -> Self {
        let pending = delivery.state() == WebhookDeliveryState::Pending;
        Self {
            event_id: delivery.event.id.to_string(),
            event_type: delivery.event.event_type.into(),
            created_at: rfc3339(delivery.event.created_at),
            state: if pending { "pending" } else { "delivered" }.to_owned(),
            attempts: delivery.attempts,
            next_attempt_at: pending.then(|| rfc3339(delivery.next_attempt_at)),
            delivered_at: delivery.delivered_at.map(rfc3339),
            body: delivery.event.body(),
        }
    }
}

/// One attempt and the endpoint's answer.
#[derive(Debug, Object)]
pub struct WebhookAttemptBody {
    /// When (RFC 3339).
    pub attempted_at: String,
    /// The HTTP status, when the endpoint answered.
    pub status: Option<u16>,
    /// The start of the answer's body, or why there was none.
    pub answer: String,
    /// How long it took.
    pub duration_ms: u64,
}

impl From<WebhookAttempt> for WebhookAttemptBody {
    fn from(attempt: WebhookAttempt) -> Self {
        Self {
            attempted_at: rfc3339(attempt.attempted_at),
            status: attempt.status,
            answer: attempt.answer,
            duration_ms: attempt.duration_ms,
        }
    }
}

fn checked_url(url: &str) -> Result<String, ApiError> {
    let url = url.trim();
    kasa_webhooks::check_url(url).map_err(|refused| ApiError::invalid(refused.to_string()))?;
    Ok(url.to_owned())
}

fn event_types(bodies: &[WebhookEventTypeBody]) -> Result<Vec<WebhookEventType>, ApiError> {
    if bodies.is_empty() {
        return Err(ApiError::invalid("choose at least one event type"));
    }
    let mut types: Vec<WebhookEventType> = bodies.iter().copied().map(Into::into).collect();
    types.sort();
    types.dedup();
    Ok(types)
}

/// Makes an endpoint and its secret (the API and the console both call this).
///
/// # Errors
/// 403; 400 `invalid-input` (no reason, a URL that is not https, no event type); 409
/// `secrets-key-missing`; store errors.
pub(crate) async fn create_endpoint(
    app: &App,
    caller: &Caller,
    input: &NewWebhookEndpointBody,
) -> Result<(String, WebhookEndpoint), ApiError> {
    caller.require(Permission::ManageAccess)?;
    let context = caller.context(&input.reason)?;
    let endpoint = WebhookEndpoint {
        id: kasa_ports::new_id(),
        url: checked_url(&input.url)?,
        description: input.description.trim().to_owned(),
        event_types: event_types(&input.event_types)?,
        enabled: true,
        disabled_reason: None,
        failing_since: None,
        created_at: app.clock.now(),
    };
    if !app.database.seals_credentials() {
        return Err(super::integrations::secrets_key_missing());
    }
    let secret = crate::auth::new_token("whsec_")?;
    app.webhooks
        .create_webhook_endpoint(endpoint.clone(), Secret::new(secret.clone()), context)
        .await
        .map_err(store_error)?;
    let endpoint = app
        .webhooks
        .webhook_endpoint(endpoint.id)
        .await
        .map_err(store_error)?;
    Ok((secret, endpoint))
}

/// Changes an endpoint.
///
/// # Errors
/// 403; 400; 404; store errors.
pub(crate) async fn change_endpoint(
    app: &App,
    caller: &Caller,
    id: &str,
    input: &WebhookEndpointChangeBody,
) -> Result<WebhookEndpoint, ApiError> {
    caller.require(Permission::ManageAccess)?;
    let context = caller.context(&input.reason)?;
    let endpoint_id: WebhookEndpointId = parse_id(id, "webhook endpoint")?;
    let change = WebhookEndpointChange {
        url: input.url.as_deref().map(checked_url).transpose()?,
        description: input
            .description
            .as_deref()
            .map(|text| text.trim().to_owned()),
        event_types: input.event_types.as_deref().map(event_types).transpose()?,
        enabled: input.enabled,
    };
    app.webhooks
        .update_webhook_endpoint(endpoint_id, change, context, app.clock.now())
        .await
        .map_err(store_error)
}

/// Every endpoint, newest first.
///
/// # Errors
/// 403, store errors.
pub(crate) async fn endpoints(
    app: &App,
    caller: &Caller,
) -> Result<Vec<WebhookEndpoint>, ApiError> {
    caller.require(Permission::ManageAccess)?;
    app.webhooks.webhook_endpoints().await.map_err(store_error)
}

/// One endpoint and its newest deliveries.
///
/// # Errors
/// 403, 400, 404, store errors.
pub(crate) async fn endpoint_with_deliveries(
    app: &App,
    caller: &Caller,
    id: &str,
    limit: u32,
) -> Result<(WebhookEndpoint, Vec<WebhookDelivery>), ApiError> {
    caller.require(Permission::ManageAccess)?;
    let endpoint_id: WebhookEndpointId = parse_id(id, "webhook endpoint")?;
    let endpoint = app
        .webhooks
        .webhook_endpoint(endpoint_id)
        .await
        .map_err(store_error)?;
    let deliveries = app
        .webhooks
        .webhook_deliveries(endpoint_id, limit)
        .await
        .map_err(store_error)?;
    Ok((endpoint, deliveries))
}

/// A delivery's attempts, oldest first.
///
/// # Errors
/// 403, 400, store errors.
pub(crate) async fn attempts(
    app: &App,
    caller: &Caller,
    id: &str,
    event_id: &str,
) -> Result<Vec<WebhookAttempt>, ApiError> {
    caller.require(Permission::ManageAccess)?;
    let endpoint_id: WebhookEndpointId = parse_id(id, "webhook endpoint")?;
    let event_id: WebhookEventId = parse_id(event_id, "webhook event")?;
    app.webhooks
        .webhook_attempts(event_id, endpoint_id)
        .await
        .map_err(store_error)
}

/// Sends a delivery again (delivered or not): due at once, audited `webhook.replayed`.
///
/// # Errors
/// 403, 400 (no reason), 404 (no such delivery), store errors.
pub(crate) async fn replay(
    app: &App,
    caller: &Caller,
    id: &str,
    event_id: &str,
    reason: &str,
) -> Result<WebhookDelivery, ApiError> {
    caller.require(Permission::ManageAccess)?;
    let context = caller.context(reason)?;
    let endpoint_id: WebhookEndpointId = parse_id(id, "webhook endpoint")?;
    let event_id: WebhookEventId = parse_id(event_id, "webhook event")?;
    app.webhooks
        .replay_webhook_delivery(event_id, endpoint_id, context, app.clock.now())
        .await
        .map_err(store_error)
}

fn default_limit() -> u32 {
    50
}

/// Outgoing webhooks.
#[derive(Debug)]
pub struct WebhooksApi;

#[OpenApi(prefix_path = "/v1", tag = "Tag::Webhooks")]
impl WebhooksApi {
    /// Makes a webhook endpoint; the answer is the only time its signing secret is shown.
    #[oai(
        path = "/webhook-endpoints",
        method = "post",
        operation_id = "create_webhook_endpoint"
    )]
    async fn create_webhook_endpoint(
        &self,
        app: poem::web::Data<&App>,
        auth: Bearer,
        body: Json<NewWebhookEndpointBody>,
    ) -> Result<Json<CreatedWebhookEndpoint>, ApiError> {
        let (secret, endpoint) = create_endpoint(&app, &auth.0, &body).await?;
        Ok(Json(CreatedWebhookEndpoint {
            secret,
            endpoint: endpoint.into(),
        }))
    }

    /// Every webhook endpoint, newest first (never their secrets).
    #[oai(
        path = "/webhook-endpoints",
        method = "get",
        operation_id = "list_webhook_endpoints"
    )]
    async fn list_webhook_endpoints(
        &self,
        app: poem::web::Data<&App>,
        auth: Bearer,
    ) -> Result<Json<Vec<WebhookEndpointBody>>, ApiError> {
        let all = endpoints(&app, &auth.0).await?;
        Ok(Json(all.into_iter().map(Into::into).collect()))
    }

    /// Changes a webhook endpoint: URL, description, event types, on or off. Switching it on
    /// makes its waiting deliveries due at once.
    #[oai(
        path = "/webhook-endpoints/:id",
        method = "patch",
        operation_id = "update_webhook_endpoint"
    )]
    async fn update_webhook_endpoint(
        &self,
        app: poem::web::Data<&App>,
        auth: Bearer,
        id: Path<String>,
        body: Json<WebhookEndpointChangeBody>,
    ) -> Result<Json<WebhookEndpointBody>, ApiError> {
        let changed = change_endpoint(&app, &auth.0, &id, &body).await?;
        Ok(Json(changed.into()))
    }

    /// An endpoint's deliveries, newest event first, each with its state and body.
    #[oai(
        path = "/webhook-endpoints/:id/deliveries",
        method = "get",
        operation_id = "list_webhook_deliveries"
    )]
    async fn list_webhook_deliveries(
        &self,
        app: poem::web::Data<&App>,
        auth: Bearer,
        id: Path<String>,
        #[oai(
            default = "default_limit",
            validator(minimum(value = "1"), maximum(value = "200"))
        )]
        limit: Query<u32>,
    ) -> Result<Json<Vec<WebhookDeliveryBody>>, ApiError> {
        let (_, deliveries) = endpoint_with_deliveries(&app, &auth.0, &id, limit.0).await?;
        Ok(Json(deliveries.into_iter().map(Into::into).collect()))
    }

    /// A delivery's attempts, oldest first, each with the endpoint's answer.
    #[oai(
        path = "/webhook-endpoints/:id/deliveries/:event_id/attempts",
        method = "get",
        operation_id = "list_webhook_attempts"
    )]
    async fn list_webhook_attempts(
        &self,
        app: poem::web::Data<&App>,
        auth: Bearer,
        id: Path<String>,
        event_id: Path<String>,
    ) -> Result<Json<Vec<WebhookAttemptBody>>, ApiError> {
        let log = attempts(&app, &auth.0, &id, &event_id).await?;
        Ok(Json(log.into_iter().map(Into::into).collect()))
    }

    /// Sends an event to the endpoint again (the worker posts it within seconds), delivered
    /// before or not. Audited (`webhook.replayed`) with the reason.
    #[oai(
        path = "/webhook-endpoints/:id/deliveries/:event_id/replay",
        method = "post",
        operation_id = "replay_webhook_delivery"
    )]
    async fn replay_webhook_delivery(
        &self,
        app: poem::web::Data<&App>,
        auth: Bearer,
        id: Path<String>,
        event_id: Path<String>,
        body: Json<ReasonBody>,
    ) -> Result<Json<WebhookDeliveryBody>, ApiError> {
        let delivery = replay(&app, &auth.0, &id, &event_id, &body.reason).await?;
        Ok(Json(delivery.into()))
    }
}
