//! Jobs that keep payments moving without an agent: authorisations left uncaptured are voided
//! after a while, and payment actions left `requested` by a crash are resolved from the
//! gateway's own record. Both act as a system actor, audited like an agent's action.

use kasa_domain::Actor;
use kasa_ports::{
    ActionContext, CaptureMode, GatewayName, PaymentAction, PaymentActionKind, PaymentActionState,
    PaymentResultStatus, PaymentStatusReport, StoreError, capture_mode_of,
};
use time::Duration;

use crate::Billing;
use crate::grant::recorded_outside_gateways;
use crate::payment_actions::{
    ActOnPayment, PaymentActionDone, PaymentActionError, Position, RequestedAction, Settled,
    store_money,
};
use crate::purchase::reason;

/// What became of one action left `requested`.
#[derive(Debug)]
pub enum ResolvedAction {
    /// The gateway shows it happened: recorded as succeeded, with everything that follows.
    Succeeded(Box<kasa_ports::FinishedPaymentAction>),
    /// The gateway shows it did not happen: recorded as failed, nothing moved.
    Failed(Box<kasa_ports::FinishedPaymentAction>),
    /// The gateway could not be asked; left for the next run.
    Unresolved {
        /// The action.
        action: Box<PaymentAction>,
        /// Why.
        error: String,
    },
}

fn system(job: &str, why: &str) -> ActionContext {
    ActionContext {
        actor: Actor::System {
            job: job.to_owned(),
        },
        reason: reason(why),
        request_id: None,
        idempotency: None,
    }
}

/// Whether the gateway's record shows `action` done, given what was recorded before it.
fn happened(action: &PaymentAction, before: &Position, report: &PaymentStatusReport) -> bool {
    match action.kind {
        PaymentActionKind::Capture => report.result.status == PaymentResultStatus::Captured,
        PaymentActionKind::Void => report.voided,
        PaymentActionKind::Refund => report.refunded.is_some_and(|refunded| {
            before
                .refunded
                .checked_add(&action.amount)
                .and_then(|expected| refunded.checked_cmp(&expected))
                .is_ok_and(|order| order.is_ge())
        }),
    }
}

impl Billing {
    /// How checkout through `gateway` takes the money: the payment system's `capture` setting
    /// (`immediate`, the default, or `authorise_only`: an agent captures later).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`]; [`StoreError::Corrupt`] for a stored setting that is not
    /// one of the two.
    pub async fn checkout_capture_mode(
        &self,
        gateway: &GatewayName,
    ) -> Result<CaptureMode, StoreError> {
        let systems = self.ports.settings.payment_systems().await?;
        systems
            .iter()
            .find(|system| &system.gateway == gateway)
            .map_or(Ok(CaptureMode::Immediate), |system| {
                capture_mode_of(&system.configuration).map_err(StoreError::Corrupt)
            })
    }

    /// Voids authorisations that completed more than `older_than` ago and were never captured,
    /// through [`Self::act_on_payment`] as the `authorisation-expiry` system actor (the
    /// package goes back with the void). Returns each void's outcome.
    ///
    /// # Errors
    /// [`StoreError`] when the list cannot be read.
    pub async fn void_uncaptured_authorisations(
        &self,
        older_than: Duration,
        limit: u32,
    ) -> Result<Vec<Result<PaymentActionDone, PaymentActionError>>, StoreError> {
        let now = self.ports.clock.now();
        let authorised = self
            .ports
            .purchases
            .authorised_purchases(now - older_than, limit)
            .await?;
        let mut outcomes = Vec::with_capacity(authorised.len());
        for purchase in authorised {
            let outcome = self
                .act_on_payment(ActOnPayment {
                    purchase_id: purchase.id,
                    action: RequestedAction::Void,
                    refund_limits: Vec::new(),
                    context: system(
                        "authorisation-expiry",
                        "the authorisation was not captured in time",
                    ),
                })
                .await;
            if let Err(error) = &outcome {
                tracing::warn!(purchase = %purchase.id, %error, "an uncaptured authorisation could not be voided");
            }
            outcomes.push(outcome);
        }
        Ok(outcomes)
    }

    /// Resolves payment actions still `requested` more than `older_than` after they were
    /// asked (a crash between the gateway's answer and its record): the gateway's status of
    /// the payment decides whether each happened (recorded as succeeded, with its credit note,
    /// invoice or take-back) or not (failed). Manual payments have no gateway to ask: their
    /// unrecorded refund is failed, to be recorded again. Acts as the
    /// `payment-action-resolution` system actor.
    ///
    /// # Errors
    /// [`StoreError`] when the list cannot be read or an answer cannot be recorded.
    pub async fn resolve_stuck_payment_actions(
        &self,
        older_than: Duration,
        limit: u32,
    ) -> Result<Vec<ResolvedAction>, PaymentActionError> {
        let now = self.ports.clock.now();
        let stuck = self
            .ports
            .payment_actions
            .requested_payment_actions(now - older_than, limit)
            .await?;
        let mut resolved = Vec::with_capacity(stuck.len());
        for action in stuck {
            resolved.push(self.resolve_stuck(action).await?);
        }
        Ok(resolved)
    }

    async fn resolve_stuck(
        &self,
        action: PaymentAction,
    ) -> Result<ResolvedAction, PaymentActionError> {
        let context = system(
            "payment-action-resolution",
            "the action's answer was never recorded; the gateway's status decides",
        );
        let purchase = self.ports.purchases.purchase(action.purchase_id).await?;
        let payment = purchase
            .payment
            .clone()
            .ok_or(PaymentActionError::NoPayment)?;
        let before: Vec<PaymentAction> = self
            .ports
            .payment_actions
            .payment_actions(purchase.id)
            .await?
            .into_iter()
            .filter(|other| other.id != action.id && other.state != PaymentActionState::Requested)
            .collect();
        let position = Position::of(&payment, &before).map_err(store_money)?;
        let done = if recorded_outside_gateways(&payment.gateway) {
            false
        } else {
            let Some(gateway) = self.ports.gateways.get(&payment.gateway).cloned() else {
                return Ok(ResolvedAction::Unresolved {
                    action: Box::new(action),
                    error: format!("Kasa has no payment system `{}`", payment.gateway),
                });
            };
            match gateway.query_status(payment.handle()).await {
                Ok(report) => happened(&action, &position, &report),
                Err(error) => {
                    tracing::warn!(action = %action.id, %error, "order status query failed; will retry");
                    return Ok(ResolvedAction::Unresolved {
                        action: Box::new(action),
                        error: error.to_string(),
                    });
                }
            }
        };
        let recorded = if done {
            let settled = Settled {
                purchase: &purchase,
                payment: &payment,
                position: &position,
                context: &context,
            };
            self.finish_succeeded(&settled, &action, None)
                .await
                .map(|finished| ResolvedAction::Succeeded(Box::new(finished)))
        } else {
            self.finish_failed(
                &purchase,
                &action,
                "the gateway's status shows it did not happen".to_owned(),
                &context,
            )
            .await
            .map(|finished| ResolvedAction::Failed(Box::new(finished)))
        };
        match recorded {
            // Finished meanwhile (its own answer arrived late): nothing to resolve.
            Err(PaymentActionError::Store(StoreError::AlreadyExists { .. })) => {
                Ok(ResolvedAction::Unresolved {
                    action: Box::new(action),
                    error: "finished meanwhile".to_owned(),
                })
            }
            other => other,
        }
    }
}
