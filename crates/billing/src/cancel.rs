//! An agent cancels a subscription, now or at its end.

use kasa_domain::{CustomerId, Holding, Money, PurchaseId};
use kasa_ports::{ActionContext, CancelSubscription, StoreError};
use kasa_subscriptions::{CancellationError, CancellationTiming, plan_cancellation};
use serde::Serialize;

use crate::purchase::audit_record;
use crate::{Billing, MAX_DECISION_ATTEMPTS};

/// A done cancellation.
#[derive(Clone, Debug, Serialize)]
pub struct CancelledSubscription {
    /// The holding after (nothing, when cancelled now).
    pub holding: Holding,
    /// When access ends.
    #[serde(with = "kasa_domain::instant")]
    pub ends_at: time::OffsetDateTime,
    /// What a prorated refund of the unused time comes to, per paid purchase (computed with
    /// [`Money::prorate`]: unused whole days over term days, rounded once per purchase). Empty
    /// when no proration was asked for or access continues to the end. Issuing the refund is a
    /// separate, gateway-specific agent action.
    pub prorated_refunds: Vec<(PurchaseId, Money)>,
}

/// Why a cancellation was refused.
#[derive(Debug, thiserror::Error)]
pub enum CancelSubscriptionError {
    /// The customer holds no subscription.
    #[error("the customer holds no subscription")]
    NoSubscription,
    /// The subscription rule refuses it.
    #[error(transparent)]
    Refused(#[from] CancellationError),
    /// No such customer.
    #[error("customer not found")]
    CustomerNotFound,
    /// The gateway could not stop the renewing subscription; nothing was cancelled.
    #[error(transparent)]
    Gateway(kasa_ports::GatewayError),
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for CancelSubscriptionError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound { entity: "customer" } => Self::CustomerNotFound,
            other => Self::Store(other),
        }
    }
}

impl Billing {
    /// Cancels the customer's subscription now (access ends, departments are released) or at
    /// its end (nothing renews after the paid terms); a renewing subscription at a gateway is
    /// stopped there first (now, or at the end of its period).
    ///
    /// # Errors
    /// [`CancelSubscriptionError`].
    pub async fn cancel_subscription(
        &self,
        customer_id: CustomerId,
        timing: CancellationTiming,
        prorated_refund: bool,
        context: ActionContext,
    ) -> Result<CancelledSubscription, CancelSubscriptionError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let state = self.ports.customers.customer_state(customer_id).await?;
            let Holding::Subscription(subscription) = &state.holding else {
                return Err(CancelSubscriptionError::NoSubscription);
            };
            let now = self.ports.clock.now();
            let plan = plan_cancellation(subscription, timing, prorated_refund, now)?;
            if attempt == 1 {
                // A subscription that renews itself at a gateway stops there first: otherwise the
                // gateway would charge the next period of a cancelled subscription.
                self.stop_recurring(customer_id, timing == CancellationTiming::AtEnd, &context)
                    .await
                    .map_err(CancelSubscriptionError::Gateway)?;
            }
            let mut prorated_refunds = Vec::with_capacity(plan.refunds.len());
            for refund in &plan.refunds {
                let purchase = self.ports.purchases.purchase(refund.purchase_id).await?;
                if let Some(payment) = purchase.payment {
                    let amount = payment
                        .amount
                        .prorate(refund.unused_days, refund.term_days)
                        .map_err(|error| StoreError::Corrupt(error.to_string()))?;
                    prorated_refunds.push((purchase.id, amount));
                }
            }
            let ends_at = plan.ends_at;
            let cancel = CancelSubscription {
                customer_id,
                expected_version: state.version,
                audit: kasa_ports::AuditRecord {
                    before: Some(serde_json::json!({ "subscription": subscription })),
                    ..audit_record(
                        "subscription.cancelled",
                        customer_id,
                        Some(serde_json::json!({
                            "timing": timing,
                            "ends_at": kasa_domain::instant::rfc3339(ends_at),
                            "prorated_refunds": prorated_refunds,
                        })),
                    )
                },
                plan,
                context: context.clone(),
                at: now,
            };
            match self.ports.holdings.cancel_subscription(cancel).await {
                Ok(holding) => {
                    return Ok(CancelledSubscription {
                        holding,
                        ends_at,
                        prorated_refunds,
                    });
                }
                Err(StoreError::StaleVersion) if attempt < MAX_DECISION_ATTEMPTS => {}
                Err(error) => return Err(error.into()),
            }
        }
    }
}
