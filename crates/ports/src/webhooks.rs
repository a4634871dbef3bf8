//! Outgoing webhooks (ADR 0022): integrators' endpoints, the events Kasa reports to them, and
//! each delivery's attempts.
//!
//! An event is queued by the store in the transaction of the fact it reports: the store writes
//! every change to money, packages and credits with an audit record, and
//! [`webhook_events_for`] reads that record into the events it means, so there is one place
//! that says which fact is which event and no use case has to remember to queue one. Events are
//! queued only for the enabled endpoints that subscribe to their type (none subscribed: nothing
//! is written). Delivery is the server's worker: claimed with a lease, signed, posted, logged,
//! retried with backoff ([`webhook_retry_delay`]).

use std::fmt;
use std::str::FromStr;

use async_trait::async_trait;
use kasa_domain::{WebhookEndpointId, WebhookEventId};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::{ActionContext, AuditRecord, OutboxPayload, Secret, StoreError};

macro_rules! event_types {
    ($($(#[$meta:meta])* $variant:ident => $name:literal,)*) => {
        /// What happened, as an integrator subscribes to it (`purchase.completed`, ...).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum WebhookEventType {
            $($(#[$meta])* #[serde(rename = $name)] $variant,)*
        }

        impl WebhookEventType {
            /// Every event type, in the order the docs list them.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)*];

            /// Its name on the wire (`purchase.completed`).
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)*
                }
            }
        }
    };
}

event_types! {
    /// A purchase was paid and applied.
    PurchaseCompleted => "purchase.completed",
    /// A purchase's payment failed.
    PurchaseFailed => "purchase.failed",
    /// A payment was refunded, in full or in part.
    PaymentRefunded => "payment.refunded",
    /// An authorised or captured payment was voided.
    PaymentVoided => "payment.voided",
    /// An authorised payment was captured.
    PaymentCaptured => "payment.captured",
    /// A first subscription term began.
    SubscriptionStarted => "subscription.started",
    /// A subscription was renewed (its new term starts where the old one ends).
    SubscriptionRenewed => "subscription.renewed",
    /// A subscription ends within days (its renewal window is open).
    SubscriptionEndingSoon => "subscription.ending_soon",
    /// A subscription's last term ended.
    SubscriptionEnded => "subscription.ended",
    /// A credit balance fell low.
    CreditsLow => "credits.low",
    /// A credit balance reached zero.
    CreditsExhausted => "credits.exhausted",
    /// An invoice, receipt or credit note was issued.
    InvoiceIssued => "invoice.issued",
    /// A ticket or chat charge was refused.
    ChargeRefused => "charge.refused",
    /// A payment request was paid.
    PaymentRequestPaid => "payment_request.paid",
}

impl fmt::Display for WebhookEventType {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// A name that is no webhook event type.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a webhook event type")]
pub struct UnknownWebhookEventType(pub String);

impl FromStr for WebhookEventType {
    type Err = UnknownWebhookEventType;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .copied()
            .find(|kind| kind.as_str() == name)
            .ok_or_else(|| UnknownWebhookEventType(name.to_owned()))
    }
}

/// An event to queue: its type and what it says (the fact's own record).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewWebhookEvent {
    /// Its type.
    pub event_type: WebhookEventType,
    /// Its `data`: the subject (`customer:<id>`) and the fact's record.
    pub data: serde_json::Value,
}

/// The events an audit record reports (none for most records). The stores call this in the
/// transaction that writes the record, so an event exists exactly when its fact does.
#[must_use]
pub fn webhook_events_for(record: &AuditRecord) -> Vec<NewWebhookEvent> {
    let event = |event_type| NewWebhookEvent {
        event_type,
        data: serde_json::json!({
            "subject": record.subject,
            "object": record.after,
        }),
    };
    match record.action.as_str() {
        "purchase.completed" => {
            let mut events = vec![event(WebhookEventType::PurchaseCompleted)];
            let effect = record
                .after
                .as_ref()
                .and_then(|after| after.pointer("/decision/effect"));
            if let Some(effect) = effect.filter(|effect| effect["kind"] == "add_subscription_term")
            {
                events.push(event(if effect["renewal"] == true {
                    WebhookEventType::SubscriptionRenewed
                } else {
                    WebhookEventType::SubscriptionStarted
                }));
            }
            events
        }
        "purchase.failed" => vec![event(WebhookEventType::PurchaseFailed)],
        "payment.refund_succeeded" => vec![event(WebhookEventType::PaymentRefunded)],
        "payment.void_succeeded" => vec![event(WebhookEventType::PaymentVoided)],
        "payment.capture_succeeded" => vec![event(WebhookEventType::PaymentCaptured)],
        "subscription.terms_ended" => vec![event(WebhookEventType::SubscriptionEnded)],
        _ => Vec::new(),
    }
}

/// The `invoice.issued` event of a document (the stores queue it where they number it).
#[must_use]
pub fn webhook_event_for_invoice(invoice: &crate::Invoice) -> NewWebhookEvent {
    NewWebhookEvent {
        event_type: WebhookEventType::InvoiceIssued,
        data: serde_json::json!({
            "subject": format!("customer:{}", invoice.issued.customer_id),
            "object": invoice,
        }),
    }
}

/// The purchase a `purchase.completed` record completed, if that is what `record` is: a
/// payment request paid by it is reported as `payment_request.paid` (the stores look the request
/// up in the same transaction).
#[must_use]
pub fn completed_purchase(record: &AuditRecord) -> Option<kasa_domain::PurchaseId> {
    if record.action != "purchase.completed" {
        return None;
    }
    let id = record.after.as_ref()?.get("purchase_id")?.as_str()?;
    id.parse::<uuid::Uuid>()
        .ok()
        .map(kasa_domain::PurchaseId::from)
}

/// The `payment_request.paid` event of a request paid by `purchase_id`.
#[must_use]
pub fn webhook_event_for_paid_request(
    request_id: kasa_domain::PaymentRequestId,
    purchase_id: kasa_domain::PurchaseId,
    customer_id: kasa_domain::CustomerId,
) -> NewWebhookEvent {
    NewWebhookEvent {
        event_type: WebhookEventType::PaymentRequestPaid,
        data: serde_json::json!({
            "subject": format!("customer:{customer_id}"),
            "object": { "payment_request_id": request_id, "purchase_id": purchase_id },
        }),
    }
}

/// A charge's credit balance crossing the low-balance mark or reaching zero: the events a
/// recorded charge means (`credits.low` when the balance was at or above `low_balance_threshold`
/// before the charge and is below it after; `credits.exhausted` when it is zero after; both
/// when one charge does both). Only the crossing is reported, not every charge below the mark:
/// a top-up above it re-arms it. The stores call this in the transaction that records the
/// charge (PostgreSQL evaluates the same rule inside the charge statement, with
/// [`credits_event_data`] and the balance filled in by the statement at `/object/balance`).
#[must_use]
pub fn webhook_events_for_charge(
    charge: &crate::UsageCharge,
    low_balance_threshold: kasa_domain::Credits,
) -> Vec<NewWebhookEvent> {
    let Some(after) = charge.balance_after else {
        return Vec::new();
    };
    let before = after.get().saturating_add(charge.credits.get());
    let threshold = low_balance_threshold.get();
    let mut events = Vec::new();
    if charge.credits.get() > 0 && before >= threshold && after.get() < threshold {
        events.push(WebhookEventType::CreditsLow);
    }
    if charge.credits.get() > 0 && after.is_zero() {
        events.push(WebhookEventType::CreditsExhausted);
    }
    events
        .into_iter()
        .map(|event_type| NewWebhookEvent {
            event_type,
            data: credits_event_data(charge, low_balance_threshold, Some(after)),
        })
        .collect()
}

/// The `data` of `credits.low` and `credits.exhausted`: the balance after the charge (`None`:
/// left `null` for the statement to fill in), the mark, and the charge that crossed it.
#[must_use]
pub fn credits_event_data(
    charge: &crate::UsageCharge,
    low_balance_threshold: kasa_domain::Credits,
    balance: Option<kasa_domain::Credits>,
) -> serde_json::Value {
    serde_json::json!({
        "subject": format!("customer:{}", charge.customer_id),
        "object": {
            "customer_id": charge.customer_id,
            "balance": balance,
            "low_balance_threshold": low_balance_threshold,
            "usage_charge_id": charge.id,
            "department_id": charge.department_id,
            "usage_kind": charge.usage.kind(),
            "usage_reference": charge.usage.reference(),
            "credits": charge.credits,
        },
    })
}

/// A ticket or chat that was refused (reported as `charge.refused`; nothing else is written).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedCharge {
    /// Whose.
    pub customer_id: kasa_domain::CustomerId,
    /// Which department.
    pub department_id: kasa_domain::DepartmentId,
    /// The ticket or chat.
    pub usage: kasa_domain::UsageKey,
    /// Why.
    pub refusal: kasa_credits::ChargeRefusal,
    /// The credit balance (zero when the customer holds a subscription or nothing).
    pub balance: kasa_domain::Credits,
    /// The department's price.
    pub price: kasa_domain::Credits,
    /// Who asked (the help desk).
    pub actor: kasa_domain::Actor,
    /// When.
    #[serde(with = "kasa_domain::instant")]
    pub at: OffsetDateTime,
}

/// The `charge.refused` event of a refusal.
#[must_use]
pub fn webhook_event_for_refusal(refused: &RefusedCharge) -> NewWebhookEvent {
    NewWebhookEvent {
        event_type: WebhookEventType::ChargeRefused,
        data: serde_json::json!({
            "subject": format!("customer:{}", refused.customer_id),
            "object": {
                "customer_id": refused.customer_id,
                "department_id": refused.department_id,
                "usage_kind": refused.usage.kind(),
                "usage_reference": refused.usage.reference(),
                "refusal": refused.refusal,
                "balance": refused.balance,
                "price": refused.price,
                "actor": refused.actor,
            },
        }),
    }
}

/// A subscription's last term, ending soon (reported once per term as
/// `subscription.ending_soon`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndingSubscriptionTerm {
    /// Whose.
    pub customer_id: kasa_domain::CustomerId,
    /// The purchase that bought the term.
    pub purchase_id: kasa_domain::PurchaseId,
    /// The package.
    pub package_id: kasa_domain::PackageId,
    /// When it (and with it the subscription) ends.
    #[serde(with = "kasa_domain::instant")]
    pub ends_at: OffsetDateTime,
}

/// The `subscription.ending_soon` event of a term.
#[must_use]
pub fn webhook_event_for_ending_term(term: &EndingSubscriptionTerm) -> NewWebhookEvent {
    NewWebhookEvent {
        event_type: WebhookEventType::SubscriptionEndingSoon,
        data: serde_json::json!({
            "subject": format!("customer:{}", term.customer_id),
            "object": {
                "customer_id": term.customer_id,
                "purchase_id": term.purchase_id,
                "package_id": term.package_id,
                "ends_at": kasa_domain::instant::rfc3339(term.ends_at),
            },
        }),
    }
}

/// An event as it is delivered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookEvent {
    /// Its id (`id` of the envelope: receivers drop an id they have seen).
    pub id: WebhookEventId,
    /// Its type.
    pub event_type: WebhookEventType,
    /// When the fact happened (and the event was queued, in the same transaction).
    #[serde(with = "kasa_domain::instant")]
    pub created_at: OffsetDateTime,
    /// What it says.
    pub data: serde_json::Value,
}

impl WebhookEvent {
    /// The body posted to every endpoint, the same on every attempt and replay:
    /// `{"id", "type", "created_at", "data"}`.
    #[must_use]
    pub fn body(&self) -> String {
        serde_json::json!({
            "id": self.id,
            "type": self.event_type,
            "created_at": kasa_domain::instant::rfc3339(self.created_at),
            "data": self.data,
        })
        .to_string()
    }
}

/// An integrator's endpoint (its secret is never part of it: it is shown once, when made).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookEndpoint {
    /// Its id.
    pub id: WebhookEndpointId,
    /// Where events are posted (`https://`, or `http://` on loopback).
    pub url: String,
    /// The operator's note of what it is for.
    pub description: String,
    /// The event types it receives.
    pub event_types: Vec<WebhookEventType>,
    /// Whether events are queued for it and delivered.
    pub enabled: bool,
    /// Why Kasa switched it off (persistent failure); `None` when on or switched off by hand.
    pub disabled_reason: Option<String>,
    /// Since when every attempt to it has failed (cleared by a success).
    pub failing_since: Option<OffsetDateTime>,
    /// When it was made.
    #[serde(with = "kasa_domain::instant")]
    pub created_at: OffsetDateTime,
}

impl WebhookEndpoint {
    /// Its audit record (never the secret).
    #[must_use]
    pub fn audit_record(&self, action: &str, before: Option<&Self>) -> AuditRecord {
        let describe = |endpoint: &Self| {
            serde_json::json!({
                "url": endpoint.url,
                "description": endpoint.description,
                "event_types": endpoint.event_types,
                "enabled": endpoint.enabled,
                "disabled_reason": endpoint.disabled_reason,
            })
        };
        AuditRecord {
            action: action.to_owned(),
            subject: format!("webhook_endpoint:{}", self.id),
            before: before.map(describe),
            after: Some(describe(self)),
        }
    }
}

/// A change to an endpoint; `None` leaves a field as it is. Switching an endpoint on clears its
/// failure and makes its waiting deliveries due at once.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WebhookEndpointChange {
    /// A new URL.
    pub url: Option<String>,
    /// A new description.
    pub description: Option<String>,
    /// New event types (not empty).
    pub event_types: Option<Vec<WebhookEventType>>,
    /// On or off.
    pub enabled: Option<bool>,
}

impl WebhookEndpointChange {
    /// `endpoint` with the change made, and whether it switches the endpoint on (then its
    /// failure is cleared too). Event types are kept sorted and unique.
    #[must_use]
    pub fn apply(self, endpoint: &WebhookEndpoint) -> (WebhookEndpoint, bool) {
        let switched_on = self.enabled == Some(true) && !endpoint.enabled;
        let mut after = endpoint.clone();
        after.url = self.url.unwrap_or(after.url);
        after.description = self.description.unwrap_or(after.description);
        if let Some(mut event_types) = self.event_types {
            event_types.sort();
            event_types.dedup();
            after.event_types = event_types;
        }
        after.enabled = self.enabled.unwrap_or(after.enabled);
        if switched_on {
            after.disabled_reason = None;
            after.failing_since = None;
        }
        (after, switched_on)
    }
}

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WebhookDeliveryState {
    /// Not delivered yet (waiting for its first attempt or a retry).
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
}

/// One event's delivery to one endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDelivery {
    /// The event.
    pub event: WebhookEvent,
    /// The endpoint.
    pub endpoint_id: WebhookEndpointId,
    /// Attempts so far.
    pub attempts: u32,
    /// When the next attempt is due (while pending).
    #[serde(with = "kasa_domain::instant")]
    pub next_attempt_at: OffsetDateTime,
    /// When the endpoint took it.
    pub delivered_at: Option<OffsetDateTime>,
}

impl WebhookDelivery {
    /// The audit record of replaying it (`self` as it was before).
    #[must_use]
    pub fn replay_audit_record(&self) -> AuditRecord {
        AuditRecord {
            action: "webhook.replayed".to_owned(),
            subject: format!("webhook_endpoint:{}", self.endpoint_id),
            before: Some(serde_json::json!({
                "event_id": self.event.id,
                "delivered_at": self.delivered_at.map(kasa_domain::instant::rfc3339),
            })),
            after: Some(serde_json::json!({ "event_id": self.event.id })),
        }
    }

    /// Where it stands.
    #[must_use]
    pub const fn state(&self) -> WebhookDeliveryState {
        if self.delivered_at.is_some() {
            WebhookDeliveryState::Delivered
        } else {
            WebhookDeliveryState::Pending
        }
    }
}

/// A delivery claimed by the worker: the event, where it goes and the secret it is signed with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueWebhookDelivery {
    /// The delivery.
    pub delivery: WebhookDelivery,
    /// Its endpoint.
    pub endpoint: WebhookEndpoint,
    /// The endpoint's signing secret.
    pub secret: Secret,
}

/// One attempt of a delivery, as the log keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookAttempt {
    /// The event.
    pub event_id: WebhookEventId,
    /// The endpoint.
    pub endpoint_id: WebhookEndpointId,
    /// When it was made.
    #[serde(with = "kasa_domain::instant")]
    pub attempted_at: OffsetDateTime,
    /// The HTTP status the endpoint answered, if it answered.
    pub status: Option<u16>,
    /// The start of its answer's body, or why there was no answer.
    pub answer: String,
    /// How long it took.
    pub duration_ms: u64,
}

impl WebhookAttempt {
    /// Whether the endpoint took the event (any 2xx).
    #[must_use]
    pub fn succeeded(&self) -> bool {
        self.status
            .is_some_and(|status| (200..300).contains(&status))
    }
}

/// How long a delivery waits after its `attempts`-th failed attempt: 1 minute, 5 minutes, 30
/// minutes, 2 hours, 5 hours, then every 10 hours, so a delivery keeps being tried for days (an
/// endpoint failing for [`WEBHOOK_SWITCH_OFF_AFTER`] is switched off; its deliveries wait).
#[must_use]
pub fn webhook_retry_delay(attempts: u32) -> Duration {
    match attempts {
        0 | 1 => Duration::minutes(1),
        2 => Duration::minutes(5),
        3 => Duration::minutes(30),
        4 => Duration::hours(2),
        5 => Duration::hours(5),
        _ => Duration::hours(10),
    }
}

/// How long an endpoint may fail without a single success before Kasa switches it off and mails
/// the operator.
pub const WEBHOOK_SWITCH_OFF_AFTER: Duration = Duration::days(3);

/// Endpoints, their deliveries and the delivery log.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// Records a new endpoint with its signing secret (sealed at rest), audited
    /// `webhook_endpoint.created`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] (also when no secrets key is configured: secrets are stored
    /// only sealed).
    async fn create_webhook_endpoint(
        &self,
        endpoint: WebhookEndpoint,
        secret: Secret,
        context: ActionContext,
    ) -> Result<(), StoreError>;

    /// Every endpoint, newest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn webhook_endpoints(&self) -> Result<Vec<WebhookEndpoint>, StoreError>;

    /// One endpoint.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn webhook_endpoint(
        &self,
        endpoint_id: WebhookEndpointId,
    ) -> Result<WebhookEndpoint, StoreError>;

    /// Changes an endpoint, audited `webhook_endpoint.updated`; switching it on clears its
    /// failure and makes its pending deliveries due at `at`.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Unavailable`].
    async fn update_webhook_endpoint(
        &self,
        endpoint_id: WebhookEndpointId,
        change: WebhookEndpointChange,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<WebhookEndpoint, StoreError>;

    /// Claims up to `count` due deliveries of enabled endpoints, oldest first, leasing them until
    /// `lease_until`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`] (also a secret that does not open).
    async fn claim_due_webhook_deliveries(
        &self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        count: u32,
    ) -> Result<Vec<DueWebhookDelivery>, StoreError>;

    /// Logs an attempt and moves its delivery on: delivered on a 2xx (and the endpoint's failure
    /// cleared), otherwise due again at `retry_at` (and the endpoint failing since this attempt,
    /// unless it was already).
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Unavailable`].
    async fn record_webhook_attempt(
        &self,
        attempt: WebhookAttempt,
        retry_at: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// Switches an endpoint off for persistent failure and queues the operator's mail, in one
    /// transaction, audited `webhook_endpoint.switched_off`. `Ok(false)` when it was off already
    /// (nothing changes, no mail).
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Unavailable`].
    async fn switch_off_failing_webhook_endpoint(
        &self,
        endpoint_id: WebhookEndpointId,
        reason: String,
        mail: Option<OutboxPayload>,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError>;

    /// An endpoint's deliveries, newest event first, at most `count`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn webhook_deliveries(
        &self,
        endpoint_id: WebhookEndpointId,
        count: u32,
    ) -> Result<Vec<WebhookDelivery>, StoreError>;

    /// A delivery's attempts, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn webhook_attempts(
        &self,
        event_id: WebhookEventId,
        endpoint_id: WebhookEndpointId,
    ) -> Result<Vec<WebhookAttempt>, StoreError>;

    /// Replays a delivery: due at `at` again, delivered or not, audited `webhook.replayed`.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] (no such delivery), [`StoreError::Unavailable`].
    async fn replay_webhook_delivery(
        &self,
        event_id: WebhookEventId,
        endpoint_id: WebhookEndpointId,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<WebhookDelivery, StoreError>;
}
