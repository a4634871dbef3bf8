//! An agent cancels a subscription, now or at its end.

use kasa_domain::{CustomerId, Holding, Money, PurchaseId};
use kasa_ports::{ActionContext, CancelSubscription, StoreError};
use kasa_subscriptions::{CancellationError, CancellationTiming, plan_cancellation};

use crate::GiveBackOutcome;
use crate::payment_actions::{ActOnPayment, PaymentActionError, RequestedAction};
use crate::purchase::audit_record;
use crate::{Billing, MAX_DECISION_ATTEMPTS};

/// A prorated refund of one paid purchase, made through [`Billing::act_on_payment`] after the
/// cancellation was recorded.
#[derive(Debug)]
pub struct ProratedRefund {
    /// The purchase whose payment is refunded.
    pub purchase_id: PurchaseId,
    /// The unused time's share of its payment.
    pub amount: Money,
    /// The refund action's outcome: done (with its credit note), waiting for another
    /// person's approval (four-eyes approval is on and it is above the threshold), or refused /
    /// failed at the gateway (nothing moved; the agent sees why and may refund by hand).
    pub outcome: Result<GiveBackOutcome, PaymentActionError>,
}

/// A done cancellation.
#[derive(Debug)]
pub struct CancelledSubscription {
    /// The holding after (nothing, when cancelled now).
    pub holding: Holding,
    /// When access ends.
    pub ends_at: time::OffsetDateTime,
    /// What a prorated refund of the unused time comes to, per paid purchase (computed with
    /// [`Money::prorate`]: unused whole days over term days, rounded once per purchase). Empty
    /// when no proration was asked for or access continues to the end.
    pub prorated_refunds: Vec<(PurchaseId, Money)>,
    /// Each prorated refund as made through the payment's gateway (a manual payment's is
    /// recorded), in the order of `prorated_refunds`; what moved and what did not.
    pub refunds: Vec<ProratedRefund>,
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
            StoreError::NotFound {
                entity: kasa_ports::Entity::Customer,
            } => Self::CustomerNotFound,
            other => Self::Store(other),
        }
    }
}

impl Billing {
    /// Cancels the customer's subscription now (access ends, departments are released) or at
    /// its end (nothing renews after the paid terms); a renewing subscription at a gateway is
    /// stopped there first (now, or at the end of its period). With `prorated_refund`, each
    /// paid purchase's unused share is then refunded through [`Self::act_on_payment`] (one code
    /// path: audited, within `refund_limits`, with its credit note); a refund that is refused or
    /// fails leaves the cancellation in place and is reported in
    /// [`CancelledSubscription::refunds`].
    ///
    /// # Errors
    /// [`CancelSubscriptionError`].
    pub async fn cancel_subscription(
        &self,
        customer_id: CustomerId,
        timing: CancellationTiming,
        prorated_refund: bool,
        refund_limits: Vec<Money>,
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
                    let refunds = self
                        .refund_prorated(&prorated_refunds, refund_limits, &context)
                        .await;
                    return Ok(CancelledSubscription {
                        holding,
                        ends_at,
                        prorated_refunds,
                        refunds,
                    });
                }
                Err(StoreError::StaleVersion) if attempt < MAX_DECISION_ATTEMPTS => {}
                Err(error) => return Err(error.into()),
            }
        }
    }
}

impl Billing {
    /// Refunds each prorated amount through the payment's gateway, one action per payment (or
    /// asks for approval, as any refund above the four-eyes threshold).
    async fn refund_prorated(
        &self,
        prorated: &[(PurchaseId, Money)],
        refund_limits: Vec<Money>,
        context: &ActionContext,
    ) -> Vec<ProratedRefund> {
        let mut refunds = Vec::with_capacity(prorated.len());
        for (purchase_id, amount) in prorated.iter().copied() {
            let outcome = if amount.is_positive() {
                self.give_back_or_request_approval(ActOnPayment {
                    purchase_id,
                    action: RequestedAction::Refund {
                        amount: Some(amount),
                    },
                    refund_limits: refund_limits.clone(),
                    context: context.clone(),
                })
                .await
            } else {
                Err(PaymentActionError::NotAllowed {
                    status: "captured",
                    hint: "no unused time is left to refund",
                })
            };
            if let Err(error) = &outcome {
                tracing::warn!(purchase = %purchase_id, %error, "prorated refund not made");
            }
            refunds.push(ProratedRefund {
                purchase_id,
                amount,
                outcome,
            });
        }
        refunds
    }
}
