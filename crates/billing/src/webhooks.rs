//! Gateway webhooks: a verified event is acted on once per event id. Payment events settle
//! their purchase (the same path as the browser's return, so a purchase is applied at most
//! once whichever arrives first); refund events record money given back at the gateway that
//! Kasa has not recorded yet; a renewing subscription's paid period becomes a purchase, and its
//! end is recorded; other events are acknowledged and recorded. The id is recorded after the
//! effect, so every effect is idempotent on its own (a crash in between repeats it harmlessly).

use kasa_domain::Actor;
use kasa_ports::{
    ActionContext, GatewayCallback, GatewayError, GatewayEventKind, GatewayName,
    ProcessedGatewayEvent, StoreError,
};

use crate::purchase::reason;
use crate::recurring::RecurringPeriod;
use crate::{Billing, CompletePurchaseError, PaymentActionError, PurchaseCompletion};

/// What a webhook delivery did.
#[derive(Debug)]
pub enum WebhookOutcome {
    /// The event id was processed before: nothing changed.
    Duplicate,
    /// A payment event, applied to its purchase (or found applied already).
    Payment(PurchaseCompletion),
    /// A refund made at the gateway was recorded (`true`), or Kasa had it already (`false`).
    Refund {
        /// Whether a new refund was recorded.
        recorded: bool,
    },
    /// A renewing subscription ended at the gateway (`true`), or Kasa knew already (`false`).
    RecurringEnded {
        /// Whether it was running until now.
        ended: bool,
    },
    /// The event names a payment Kasa does not have (another shop on the same gateway
    /// account): acknowledged and left alone.
    UnknownPayment(String),
    /// An event Kasa does not act on.
    Ignored,
}

impl WebhookOutcome {
    /// A short description for the event record and logs.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Self::Duplicate => "duplicate".to_owned(),
            Self::Payment(PurchaseCompletion::Completed(applied)) => {
                format!("purchase {} completed", applied.purchase.id)
            }
            Self::Payment(PurchaseCompletion::AlreadyProcessed(purchase)) => {
                format!("purchase {} was settled before", purchase.id)
            }
            Self::Payment(PurchaseCompletion::Declined(purchase)) => {
                format!("purchase {} declined", purchase.id)
            }
            Self::Payment(PurchaseCompletion::NeedsAttention(purchase)) => {
                format!("purchase {} needs attention", purchase.id)
            }
            Self::Payment(PurchaseCompletion::StillPending(purchase)) => {
                format!("purchase {} still pending", purchase.id)
            }
            Self::Refund { recorded: true } => "refund recorded".to_owned(),
            Self::Refund { recorded: false } => "refund already recorded".to_owned(),
            Self::RecurringEnded { ended: true } => "renewing subscription ended".to_owned(),
            Self::RecurringEnded { ended: false } => {
                "renewing subscription had ended already".to_owned()
            }
            Self::UnknownPayment(payment) => format!("unknown payment {payment}, ignored"),
            Self::Ignored => "ignored".to_owned(),
        }
    }
}

/// Why a webhook delivery was not processed; the gateway delivers it again later, which is what
/// [`WebhookError::RetryLater`] asks for. A forged or stale delivery changes nothing; a store
/// failure may come after part of the event's effect, which is why every effect is idempotent.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// The gateway is not configured.
    #[error("payment system `{0}` is not configured")]
    UnknownGateway(GatewayName),
    /// The signature failed, the delivery is stale, or it is not the gateway's.
    #[error(transparent)]
    Gateway(GatewayError),
    /// The event is the gateway's but Kasa cannot act on what it says (a currency or amount
    /// that does not fit the payment); logged for a person to look at.
    #[error("the event cannot be acted on: {0}")]
    Unprocessable(String),
    /// Kasa cannot decide now (an action on the payment is in flight); deliver again.
    #[error("an action on this payment is in flight; deliver the event again later")]
    RetryLater,
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<CompletePurchaseError> for WebhookError {
    fn from(error: CompletePurchaseError) -> Self {
        match error {
            CompletePurchaseError::UnknownGateway(name) => Self::UnknownGateway(name),
            CompletePurchaseError::Gateway(error) => Self::Gateway(error),
            CompletePurchaseError::UnknownOrder(order) => {
                Self::Unprocessable(format!("no purchase has the order {order}"))
            }
            CompletePurchaseError::Store(error) => Self::Store(error),
        }
    }
}

impl Billing {
    /// Verifies a webhook delivery and acts on its event once per event id.
    ///
    /// # Errors
    /// [`WebhookError`].
    pub async fn process_webhook(
        &self,
        gateway_name: &GatewayName,
        callback: GatewayCallback,
        request_id: Option<String>,
    ) -> Result<WebhookOutcome, WebhookError> {
        let gateway = self
            .ports
            .gateways
            .get(gateway_name)
            .cloned()
            .ok_or_else(|| WebhookError::UnknownGateway(gateway_name.clone()))?;
        let event = gateway.verify_webhook(callback).await.map_err(|error| {
            tracing::warn!(gateway = %gateway_name, %error, "webhook rejected");
            WebhookError::Gateway(error)
        })?;
        let purchases = &self.ports.purchases;
        if purchases
            .gateway_event_processed(gateway_name.clone(), event.id.clone())
            .await
            .map_err(WebhookError::Store)?
        {
            tracing::info!(gateway = %gateway_name, event = %event.id, "duplicate webhook event ignored");
            return Ok(WebhookOutcome::Duplicate);
        }
        let outcome = match event.kind {
            GatewayEventKind::Payment(result) => {
                match self.settle_reported(gateway_name, result, request_id).await {
                    Ok(completion) => WebhookOutcome::Payment(completion),
                    // Not Kasa's (another shop on the same gateway account): acknowledged, so
                    // the gateway stops delivering it.
                    Err(CompletePurchaseError::UnknownOrder(order)) => {
                        WebhookOutcome::UnknownPayment(order.to_string())
                    }
                    Err(other) => return Err(other.into()),
                }
            }
            GatewayEventKind::Refunded {
                reference,
                order_id,
                refunded_total,
            } => {
                let found = match order_id {
                    Some(order_id) => {
                        purchases
                            .purchase_by_order(gateway_name.clone(), order_id)
                            .await
                    }
                    None => {
                        purchases
                            .purchase_by_reference(gateway_name.clone(), reference.clone())
                            .await
                    }
                };
                let purchase = match found {
                    Ok(purchase) => purchase,
                    Err(StoreError::NotFound { .. }) => {
                        return self
                            .acknowledge(
                                gateway_name,
                                event.id,
                                event.event_type,
                                WebhookOutcome::UnknownPayment(reference.to_string()),
                            )
                            .await;
                    }
                    Err(other) => return Err(WebhookError::Store(other)),
                };
                let context = ActionContext {
                    actor: Actor::System {
                        job: format!("{gateway_name}-webhook"),
                    },
                    reason: reason("the payment gateway reported a refund made there"),
                    request_id,
                    idempotency: None,
                };
                let recorded = self
                    .record_gateway_refund(purchase.id, refunded_total, Some(reference), &context)
                    .await
                    .map_err(|error| match error {
                        PaymentActionError::InProgress => WebhookError::RetryLater,
                        PaymentActionError::Store(error) => WebhookError::Store(error),
                        other => WebhookError::Unprocessable(other.to_string()),
                    })?;
                WebhookOutcome::Refund {
                    recorded: recorded.is_some(),
                }
            }
            GatewayEventKind::RecurringPaid {
                subscription,
                invoice_id,
                payment,
                amount,
            } => WebhookOutcome::Payment(
                self.apply_recurring_payment(
                    gateway_name,
                    RecurringPeriod {
                        subscription,
                        invoice_id,
                        payment,
                        amount,
                    },
                    request_id,
                )
                .await
                .map_err(|error| match error {
                    // The gateway can report the first period before Kasa has recorded the
                    // subscription it just set up: the gateway delivers again.
                    CompletePurchaseError::UnknownOrder(_) => WebhookError::RetryLater,
                    other => other.into(),
                })?,
            ),
            GatewayEventKind::RecurringEnded { subscription } => WebhookOutcome::RecurringEnded {
                ended: self
                    .end_recurring(gateway_name, subscription, request_id)
                    .await
                    .map_err(WebhookError::Store)?,
            },
            GatewayEventKind::Ignored => WebhookOutcome::Ignored,
        };
        self.acknowledge(gateway_name, event.id, event.event_type, outcome)
            .await
    }

    /// Records that an event was acted on (or knowingly left alone), so a redelivery is a
    /// duplicate.
    async fn acknowledge(
        &self,
        gateway_name: &GatewayName,
        event_id: String,
        event_type: String,
        outcome: WebhookOutcome,
    ) -> Result<WebhookOutcome, WebhookError> {
        let description = outcome.describe();
        tracing::info!(gateway = %gateway_name, event = %event_id, event_type = %event_type, outcome = %description, "webhook event processed");
        let first = self
            .ports
            .purchases
            .record_gateway_event(ProcessedGatewayEvent {
                gateway: gateway_name.clone(),
                event_id: event_id.clone(),
                event_type,
                outcome: description,
                at: self.ports.clock.now(),
            })
            .await
            .map_err(WebhookError::Store)?;
        if !first {
            // Two deliveries of one event ran side by side; the effects are idempotent, so the
            // second changed nothing, and the first one's record stands.
            tracing::info!(gateway = %gateway_name, event = %event_id, "the event was recorded by a concurrent delivery");
        }
        Ok(outcome)
    }
}
