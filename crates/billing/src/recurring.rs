//! Subscription packages that renew themselves through a gateway (a Stripe subscription): set
//! up with the customer's saved card, each paid period applied as a purchase of the package
//! (once per gateway invoice, through the same path as any paid purchase: the package rules,
//! the invoice, the notifications), stopped now or at the period's end, and kept in step when
//! the gateway ends it.

use kasa_domain::{Actor, CustomerId, PackageId, PackageKind, PaymentId, PurchaseId};
use kasa_ports::{
    ActionContext, CaptureMode, GatewayError, GatewayName, GatewayReference, NewPurchase, OrderId,
    Payment, PaymentResult, PaymentResultStatus, PaymentStatus, PurchaseItem, Recurring,
    RecurringStart, RecurringState, StoreError, new_id,
};
use kasa_subscriptions::{ForfeitConfirmation, PurchaseChannel, PurchaseRefusal, decide_purchase};

use crate::purchase::{audit_record, reason};
use crate::{Billing, CompletePurchaseError, PurchaseCompletion};

/// A period of a renewing subscription the gateway reports paid.
#[derive(Clone, Debug)]
pub(crate) struct RecurringPeriod {
    /// The gateway's subscription.
    pub subscription: GatewayReference,
    /// The gateway's invoice of the period (the purchase's order id).
    pub invoice_id: String,
    /// The gateway's payment of the period, when named.
    pub payment: Option<GatewayReference>,
    /// What was paid.
    pub amount: kasa_domain::Money,
}

/// An agent (or the customer) sets up a renewing subscription.
#[derive(Clone, Debug)]
pub struct StartRecurring {
    /// Whose.
    pub customer_id: CustomerId,
    /// Which subscription package each period buys.
    pub package_id: PackageId,
    /// Through which gateway.
    pub gateway: GatewayName,
    /// Who and why.
    pub context: ActionContext,
}

/// Why a renewing subscription could not be set up. Nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum StartRecurringError {
    /// No such customer.
    #[error("customer not found")]
    CustomerNotFound,
    /// No such package.
    #[error("package not found")]
    PackageNotFound,
    /// Only subscription packages renew.
    #[error("only a subscription package renews itself; this one is a credit package")]
    NotASubscription,
    /// A package rule refuses the first period.
    #[error(transparent)]
    Refused(#[from] PurchaseRefusal),
    /// The customer holds credits, which a renewing subscription's first period would forfeit.
    #[error(
        "the customer holds {0} credits; a renewing subscription never forfeits them: let them \
         be used up, or sell the subscription package once (with the forfeit confirmed) first"
    )]
    HoldsCredits(i64),
    /// The customer already has one running.
    #[error("the customer already has a renewing subscription ({0}); cancel it first")]
    AlreadyRecurring(GatewayReference),
    /// The gateway is not configured.
    #[error("payment system `{0}` is not configured")]
    UnknownGateway(GatewayName),
    /// The gateway refused or failed.
    #[error(transparent)]
    Gateway(GatewayError),
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for StartRecurringError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound {
                entity: kasa_ports::Entity::Customer,
            } => Self::CustomerNotFound,
            StoreError::NotFound {
                entity: kasa_ports::Entity::Package,
            } => Self::PackageNotFound,
            other => Self::Store(other),
        }
    }
}

impl Billing {
    /// Sets up a renewing subscription at the gateway with the customer's saved card. The first
    /// period is applied when the gateway reports it paid (webhook), like every later one.
    ///
    /// # Errors
    /// [`StartRecurringError`]; none of them change anything.
    pub async fn start_recurring(
        &self,
        request: StartRecurring,
    ) -> Result<Recurring, StartRecurringError> {
        let gateway = self
            .ports
            .gateways
            .get(&request.gateway)
            .cloned()
            .ok_or_else(|| StartRecurringError::UnknownGateway(request.gateway.clone()))?;
        let state = self
            .ports
            .customers
            .customer_state(request.customer_id)
            .await?;
        let package = self.ports.catalog.package(request.package_id).await?;
        let PackageKind::Subscription { days } = package.kind else {
            return Err(StartRecurringError::NotASubscription);
        };
        if let kasa_domain::Holding::Credits { balance } = &state.holding
            && balance.get() > 0
        {
            return Err(StartRecurringError::HoldsCredits(balance.get()));
        }
        let now = self.ports.clock.now();
        decide_purchase(
            &package,
            &state.holding,
            now,
            PurchaseChannel::CustomerCheckout,
            ForfeitConfirmation::NotConfirmed,
        )?;
        if let Some(running) = self
            .ports
            .purchases
            .customer_recurring(request.customer_id)
            .await?
            .into_iter()
            .find(|recurring| recurring.state != RecurringState::Ended)
        {
            return Err(StartRecurringError::AlreadyRecurring(running.subscription));
        }
        let subscription = gateway
            .start_recurring(RecurringStart {
                customer_id: request.customer_id.to_string(),
                customer_email: state.customer.email.clone(),
                customer_name: state.customer.name.clone(),
                package_id: package.id.to_string(),
                package_name: package.name.clone(),
                amount: package.price,
                days,
                idempotency_key: new_id::<kasa_domain::PurchaseId>().to_string(),
            })
            .await
            .map_err(StartRecurringError::Gateway)?;
        let recurring = Recurring {
            gateway: request.gateway.clone(),
            subscription,
            customer_id: request.customer_id,
            package_id: package.id,
            state: RecurringState::Active,
            created_at: now,
            updated_at: now,
        };
        let saved = self
            .ports
            .purchases
            .save_recurring(
                recurring.clone(),
                recurring_audit("recurring.started", &recurring),
                request.context,
            )
            .await;
        if let Err(error) = saved {
            // Unrecorded, it would be charged every period with nothing granted (or twice, beside
            // one started at the same moment): stop it at the gateway again.
            if let Err(undo) = gateway
                .cancel_recurring(recurring.subscription.clone(), false)
                .await
            {
                tracing::error!(subscription = %recurring.subscription, %undo, %error, "a renewing subscription Kasa could not record is still running at the gateway: cancel it there");
            }
            return Err(match error {
                StoreError::AlreadyExists { .. } => {
                    StartRecurringError::AlreadyRecurring(recurring.subscription)
                }
                other => other.into(),
            });
        }
        Ok(recurring)
    }

    /// Stops the customer's renewing subscriptions at their gateways (now, or at the end of the
    /// paid period), before Kasa cancels the subscription itself.
    pub(crate) async fn stop_recurring(
        &self,
        customer_id: CustomerId,
        at_period_end: bool,
        context: &ActionContext,
    ) -> Result<(), GatewayError> {
        let unavailable = |error: StoreError| GatewayError::Unavailable(error.to_string());
        let running = self
            .ports
            .purchases
            .customer_recurring(customer_id)
            .await
            .map_err(unavailable)?
            .into_iter()
            .filter(|recurring| recurring.state != RecurringState::Ended);
        for mut recurring in running {
            let gateway = self
                .ports
                .gateways
                .get(&recurring.gateway)
                .cloned()
                .ok_or_else(|| GatewayError::Misconfigured(recurring.gateway.to_string()))?;
            gateway
                .cancel_recurring(recurring.subscription.clone(), at_period_end)
                .await?;
            recurring.state = if at_period_end {
                RecurringState::Cancelling
            } else {
                RecurringState::Ended
            };
            recurring.updated_at = self.ports.clock.now();
            self.ports
                .purchases
                .save_recurring(
                    recurring.clone(),
                    recurring_audit("recurring.cancelled", &recurring),
                    context.clone(),
                )
                .await
                .map_err(unavailable)?;
        }
        Ok(())
    }

    /// Applies a period the gateway reports paid: a purchase of the package whose order id is
    /// the gateway's invoice, so a period is applied once however often it is reported.
    pub(crate) async fn apply_recurring_payment(
        &self,
        gateway_name: &GatewayName,
        period: RecurringPeriod,
        request_id: Option<String>,
    ) -> Result<PurchaseCompletion, CompletePurchaseError> {
        let RecurringPeriod {
            subscription,
            invoice_id,
            payment,
            amount,
        } = period;
        let recurring = self
            .ports
            .purchases
            .recurring(gateway_name.clone(), subscription.clone())
            .await
            .map_err(|error| match error {
                StoreError::NotFound { .. } => {
                    CompletePurchaseError::UnknownOrder(OrderId(subscription.0.clone()))
                }
                other => CompletePurchaseError::Store(other),
            })?;
        let order_id = OrderId(invoice_id);
        let package = self
            .ports
            .catalog
            .package(recurring.package_id)
            .await
            .map_err(CompletePurchaseError::Store)?;
        let purchase_id: PurchaseId = new_id();
        let created = self
            .ports
            .purchases
            .create_pending_purchase(NewPurchase {
                id: purchase_id,
                customer_id: recurring.customer_id,
                item: PurchaseItem::Package(package),
                channel: PurchaseChannel::CustomerCheckout,
                // A period never forfeits anything: a customer who meanwhile holds credits is
                // refused by the package rules, and the paid period waits for an agent.
                forfeit_confirmation: ForfeitConfirmation::NotConfirmed,
                started_by: ActionContext {
                    actor: Actor::System {
                        job: format!("{gateway_name}-webhook"),
                    },
                    reason: reason("the gateway charged a renewing subscription's period"),
                    request_id: request_id.clone(),
                    idempotency: None,
                },
                created_at: self.ports.clock.now(),
                payment: Some(Payment {
                    id: new_id::<PaymentId>(),
                    gateway: gateway_name.clone(),
                    order_id: order_id.clone(),
                    amount,
                    capture: CaptureMode::Immediate,
                    status: PaymentStatus::Pending,
                    reference: None,
                    failure: None,
                    card: None,
                }),
                coupon: None,
            })
            .await;
        match created {
            // Reported before: the purchase exists, and settling it again changes nothing.
            Ok(_) | Err(StoreError::AlreadyExists { .. }) => {}
            Err(other) => return Err(CompletePurchaseError::Store(other)),
        }
        self.settle_reported(
            gateway_name,
            PaymentResult {
                reference: Some(payment.unwrap_or_else(|| GatewayReference(order_id.0.clone()))),
                order_id,
                status: PaymentResultStatus::Captured,
                amount: Some(amount),
                card: None,
            },
            request_id,
        )
        .await
    }

    /// The gateway ended a renewing subscription: no more periods (the paid term runs on).
    pub(crate) async fn end_recurring(
        &self,
        gateway_name: &GatewayName,
        subscription: GatewayReference,
        request_id: Option<String>,
    ) -> Result<bool, StoreError> {
        let mut recurring = match self
            .ports
            .purchases
            .recurring(gateway_name.clone(), subscription)
            .await
        {
            Ok(recurring) => recurring,
            Err(StoreError::NotFound { .. }) => return Ok(false),
            Err(other) => return Err(other),
        };
        if recurring.state == RecurringState::Ended {
            return Ok(false);
        }
        recurring.state = RecurringState::Ended;
        recurring.updated_at = self.ports.clock.now();
        self.ports
            .purchases
            .save_recurring(
                recurring.clone(),
                recurring_audit("recurring.ended", &recurring),
                ActionContext {
                    actor: Actor::System {
                        job: format!("{gateway_name}-webhook"),
                    },
                    reason: reason("the gateway ended the renewing subscription"),
                    request_id,
                    idempotency: None,
                },
            )
            .await?;
        Ok(true)
    }
}

fn recurring_audit(action: &str, recurring: &Recurring) -> kasa_ports::AuditRecord {
    audit_record(
        action,
        recurring.customer_id,
        Some(serde_json::json!({
            "gateway": recurring.gateway,
            "subscription": recurring.subscription,
            "package_id": recurring.package_id,
            "state": recurring.state,
        })),
    )
}
