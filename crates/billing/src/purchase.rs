//! Buying a package through a gateway: start (decide, record, hand the browser to the gateway)
//! and complete (verify the gateway's word, apply once).

use kasa_domain::{Actor, CustomerId, Holding, PackageId, PaymentId, PurchaseId, Reason};
use kasa_ports::{
    ActionContext, AppliedPurchase, Audience, AuditRecord, CaptureMode, CustomerState,
    GatewayCallback, GatewayError, GatewayName, NewPurchase, OrderId, OutboxPayload, Payment,
    PaymentFailure, PaymentInitiation, PaymentResult, PaymentResultStatus, PaymentSettlement,
    PaymentStart, PaymentStatus, Purchase, PurchaseApplication, PurchaseItem, PurchaseStatus,
    PurchaseTarget, StoreError, new_id,
};
use kasa_subscriptions::{
    ForfeitConfirmation, PurchaseChannel, PurchaseDecision, PurchaseEffect, PurchaseRefusal,
    decide_purchase,
};
use time::Duration;

use crate::{Billing, MAX_DECISION_ATTEMPTS};

/// A customer starts buying a package.
#[derive(Clone, Debug)]
pub struct StartPurchase {
    /// Who buys.
    pub customer_id: CustomerId,
    /// What.
    pub package_id: PackageId,
    /// Through which gateway.
    pub gateway: GatewayName,
    /// The answer to the forfeit warning.
    pub confirmation: ForfeitConfirmation,
    /// Sale or authorise only.
    pub capture: CaptureMode,
    /// Where the browser returns after success.
    pub success_url: String,
    /// Where the browser returns after failure.
    pub failure_url: String,
    /// Who (the customer, or an agent sending a payment link) and which request.
    pub context: ActionContext,
    /// A coupon code as the customer typed it (any case); `None` without a coupon.
    pub coupon_code: Option<String>,
}

/// A started purchase and how the browser continues.
#[derive(Clone, Debug)]
pub struct StartedPurchase {
    /// The pending purchase.
    pub purchase: Purchase,
    /// What the browser does next.
    pub initiation: PaymentInitiation,
}

/// Why a purchase could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartPurchaseError {
    /// A package rule refuses it (renewal too early, forfeit not confirmed, not on sale).
    #[error(transparent)]
    Refused(#[from] PurchaseRefusal),
    /// No such customer.
    #[error("customer not found")]
    CustomerNotFound,
    /// No such package.
    #[error("package not found")]
    PackageNotFound,
    /// A free package needs no gateway: grant it instead.
    #[error("the package is free; grant it instead of buying it")]
    FreePackage,
    /// The gateway is not configured.
    #[error("payment system `{0}` is not configured")]
    UnknownGateway(GatewayName),
    /// The coupon does not apply; nothing was recorded.
    #[error(transparent)]
    Coupon(kasa_domain::CouponRefusal),
    /// The gateway failed; the purchase is recorded as failed.
    #[error(transparent)]
    Gateway(GatewayError),
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

/// What a callback (or a status query) did to its purchase.
#[derive(Clone, Debug)]
pub enum PurchaseCompletion {
    /// Applied now: credits granted or term added.
    Completed(Box<AppliedPurchase>),
    /// It had been applied or closed before: nothing changed.
    AlreadyProcessed(Box<Purchase>),
    /// The payment was declined; nothing granted.
    Declined(Box<Purchase>),
    /// Paid, but not applicable without an agent (see [`PurchaseStatus::NeedsAttention`]).
    NeedsAttention(Box<Purchase>),
    /// The gateway has not decided yet.
    StillPending(Box<Purchase>),
}

/// Why a callback was not processed. None of these change anything.
#[derive(Debug, thiserror::Error)]
pub enum CompletePurchaseError {
    /// The gateway is not configured.
    #[error("payment system `{0}` is not configured")]
    UnknownGateway(GatewayName),
    /// The signature failed or the message is not the gateway's.
    #[error(transparent)]
    Gateway(GatewayError),
    /// The order is not one of Kasa's.
    #[error("unknown order `{0}`")]
    UnknownOrder(OrderId),
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for StartPurchaseError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound {
                entity: kasa_ports::Entity::Customer,
            } => Self::CustomerNotFound,
            StoreError::NotFound {
                entity: kasa_ports::Entity::Package,
            } => Self::PackageNotFound,
            StoreError::CouponRefused(refusal) => Self::Coupon(refusal),
            other => Self::Store(other),
        }
    }
}

impl Billing {
    /// Starts a purchase: decides with the package rules (a refusal says what to do), records
    /// the pending purchase and payment, and asks the gateway how the browser continues.
    ///
    /// # Errors
    /// [`StartPurchaseError`].
    pub async fn start_purchase(
        &self,
        request: StartPurchase,
    ) -> Result<StartedPurchase, StartPurchaseError> {
        let gateway = self
            .ports
            .gateways
            .get(&request.gateway)
            .cloned()
            .ok_or_else(|| StartPurchaseError::UnknownGateway(request.gateway.clone()))?;
        let state = self
            .ports
            .customers
            .customer_state(request.customer_id)
            .await
            .map_err(StartPurchaseError::from)?;
        let package = self
            .ports
            .catalog
            .package(request.package_id)
            .await
            .map_err(StartPurchaseError::from)?;
        let now = self.ports.clock.now();
        decide_purchase(
            &package,
            &state.holding,
            now,
            PurchaseChannel::CustomerCheckout,
            request.confirmation,
        )?;
        if package.price.is_zero() {
            return Err(StartPurchaseError::FreePackage);
        }
        let purchase_id: PurchaseId = new_id();
        let order_id = OrderId(purchase_id.as_uuid().simple().to_string());
        let description = package.name.clone();
        let coupon = match request.coupon_code.as_deref().map(str::trim) {
            Some(code) if !code.is_empty() => Some(
                self.price_with_coupon(request.customer_id, code, &package)
                    .await
                    .map_err(StartPurchaseError::from)?,
            ),
            _ => None,
        };
        // The payment is the discounted price (the coupon's rule, rounded once, in the core).
        let amount = match &coupon {
            Some(coupon) => coupon
                .list_price
                .checked_sub(&coupon.discount)
                .map_err(|error| {
                    StartPurchaseError::Store(StoreError::Corrupt(error.to_string()))
                })?,
            None => package.price,
        };
        let pending = self
            .ports
            .purchases
            .create_pending_purchase(NewPurchase {
                id: purchase_id,
                customer_id: request.customer_id,
                item: PurchaseItem::Package(package),
                channel: PurchaseChannel::CustomerCheckout,
                forfeit_confirmation: request.confirmation,
                started_by: request.context.clone(),
                created_at: now,
                payment: Some(Payment {
                    id: new_id::<PaymentId>(),
                    gateway: request.gateway.clone(),
                    order_id: order_id.clone(),
                    amount,
                    capture: request.capture,
                    status: PaymentStatus::Pending,
                    reference: None,
                    failure: None,
                    card: None,
                }),
                coupon,
            })
            .await
            .map_err(StartPurchaseError::from)?;
        let start = PaymentStart {
            order_id,
            amount,
            capture: request.capture,
            customer_email: state.customer.email.clone(),
            customer_name: state.customer.name.clone(),
            language: state.customer.language,
            description,
            success_url: request.success_url,
            failure_url: request.failure_url,
        };
        self.hand_to_gateway(gateway.as_ref(), pending, start, request.context, now)
            .await
    }

    /// Asks the gateway how the browser continues with a recorded pending purchase; when the
    /// gateway fails, the purchase is closed as failed. Shared by checkout and payment requests.
    pub(crate) async fn hand_to_gateway(
        &self,
        gateway: &dyn kasa_ports::PaymentGateway,
        pending: Purchase,
        start: PaymentStart,
        context: ActionContext,
        now: time::OffsetDateTime,
    ) -> Result<StartedPurchase, StartPurchaseError> {
        let purchase_id = pending.id;
        let customer_id = pending.customer_id;
        match gateway.start_payment(start).await {
            Ok(initiation) => {
                if let PaymentInitiation::ClientConfirmation { reference, .. } = &initiation {
                    // Without it a lost webhook could not be reconciled: the gateway finds the
                    // payment by its own reference. Failing here would strand the customer at a
                    // payment the gateway has already created, so it is logged and the webhook
                    // (which carries Kasa's order id) still settles the purchase.
                    if let Err(error) = self
                        .ports
                        .purchases
                        .record_payment_reference(purchase_id, reference.clone(), now)
                        .await
                    {
                        tracing::warn!(%purchase_id, %error, "could not record the gateway's payment reference");
                    }
                }
                Ok(StartedPurchase {
                    purchase: pending,
                    initiation,
                })
            }
            Err(error) => {
                let failure = PaymentFailure {
                    purchase_id,
                    purchase_status: PurchaseStatus::Failed,
                    payment_status: PaymentStatus::Declined,
                    reference: None,
                    detail: format!("the gateway could not start the payment: {error}"),
                    audit: audit_record("purchase.failed", customer_id, None),
                    context,
                    at: now,
                };
                if let Err(store_error) = self.ports.purchases.fail_purchase(failure).await {
                    tracing::warn!(%purchase_id, %store_error, "could not record a failed payment start");
                }
                Err(StartPurchaseError::Gateway(error))
            }
        }
    }

    /// Processes a gateway callback or webhook: verifies it (a forged one changes nothing),
    /// finds its purchase and applies it at most once.
    ///
    /// # Errors
    /// [`CompletePurchaseError`]; none of them change anything.
    pub async fn complete_purchase(
        &self,
        gateway_name: &GatewayName,
        callback: GatewayCallback,
        request_id: Option<String>,
    ) -> Result<PurchaseCompletion, CompletePurchaseError> {
        let gateway = self
            .ports
            .gateways
            .get(gateway_name)
            .cloned()
            .ok_or_else(|| CompletePurchaseError::UnknownGateway(gateway_name.clone()))?;
        let result = gateway.verify_callback(callback).await.map_err(|error| {
            tracing::warn!(gateway = %gateway_name, %error, "gateway callback rejected");
            CompletePurchaseError::Gateway(error)
        })?;
        self.settle_reported(gateway_name, result, request_id).await
    }

    /// Applies a verified payment result from the gateway to its purchase, at most once.
    pub(crate) async fn settle_reported(
        &self,
        gateway_name: &GatewayName,
        result: PaymentResult,
        request_id: Option<String>,
    ) -> Result<PurchaseCompletion, CompletePurchaseError> {
        let purchase = self
            .ports
            .purchases
            .purchase_by_order(gateway_name.clone(), result.order_id.clone())
            .await
            .map_err(|error| match error {
                StoreError::NotFound { .. } => {
                    tracing::warn!(gateway = %gateway_name, order = %result.order_id, "callback for an unknown order");
                    CompletePurchaseError::UnknownOrder(result.order_id.clone())
                }
                other => CompletePurchaseError::Store(other),
            })?;
        let context = ActionContext {
            actor: Actor::System {
                job: format!("{gateway_name}-callback"),
            },
            reason: reason("the payment gateway reported the payment result"),
            request_id,
            idempotency: None,
        };
        self.settle_payment(purchase, result, context)
            .await
            .map_err(CompletePurchaseError::Store)
    }

    /// Asks the gateways about purchases still pending after `older_than` (a lost callback) and
    /// settles them, so that a customer who paid always gets the package; a checkout still
    /// undecided [`crate::CHECKOUT_EXPIRES_AFTER`] after it started is given up at the gateway
    /// ([`kasa_ports::PaymentGateway::abandon`]) and closed as failed (`declined (abandoned)`),
    /// which frees its coupon redemption and its payment request. Returns what happened to each
    /// purchase looked at.
    ///
    /// # Errors
    /// [`StoreError`] when the pending list cannot be read; a gateway failure for one purchase
    /// is logged and leaves it pending for the next run.
    pub async fn reconcile_pending_purchases(
        &self,
        older_than: Duration,
        limit: u32,
    ) -> Result<Vec<PurchaseCompletion>, StoreError> {
        let now = self.ports.clock.now();
        let pending = self
            .ports
            .purchases
            .pending_purchases(now - older_than, limit)
            .await?;
        let mut completions = Vec::with_capacity(pending.len());
        for purchase in pending {
            let Some(payment) = purchase.payment.clone() else {
                continue;
            };
            let Some(gateway) = self.ports.gateways.get(&payment.gateway).cloned() else {
                tracing::warn!(purchase = %purchase.id, gateway = %payment.gateway, "pending purchase of an unconfigured gateway");
                continue;
            };
            let mut queried = gateway.query_status(payment.handle()).await;
            let mut why = "no callback arrived; the gateway's order status was queried";
            let abandoned =
                now - purchase.created_at >= crate::portal_history::CHECKOUT_EXPIRES_AFTER;
            let undecided = queried
                .as_ref()
                .is_ok_and(|report| report.result.status == PaymentResultStatus::Pending)
                // NestPay refuses a status query of an order it has no transaction of.
                || matches!(queried, Err(GatewayError::Refused { .. }));
            if abandoned && undecided {
                // The customer left the gateway's page long ago: give the payment up at the
                // gateway so it can no longer succeed, and close the checkout as expired (its
                // coupon and its payment request are free again).
                queried = gateway.abandon(payment.handle()).await;
                why = "the checkout was not finished within an hour; it expired";
            }
            match queried {
                Ok(report) => {
                    let context = ActionContext {
                        actor: Actor::System {
                            job: "reconciliation".to_owned(),
                        },
                        reason: reason(why),
                        request_id: None,
                        idempotency: None,
                    };
                    completions.push(
                        self.settle_payment(purchase, report.result, context)
                            .await?,
                    );
                }
                Err(error) => {
                    tracing::warn!(purchase = %purchase.id, %error, abandoned, "order status query failed; will retry");
                }
            }
        }
        Ok(completions)
    }

    /// Applies a verified payment result to its purchase, once.
    async fn settle_payment(
        &self,
        purchase: Purchase,
        result: PaymentResult,
        context: ActionContext,
    ) -> Result<PurchaseCompletion, StoreError> {
        if purchase.status != PurchaseStatus::Pending {
            if purchase.status == PurchaseStatus::Failed
                && matches!(
                    result.status,
                    PaymentResultStatus::Captured | PaymentResultStatus::Authorised
                )
            {
                // The gateway took money for a purchase Kasa closed as failed: nothing is granted
                // on it, so the money must go back. Loud, for the operator's alerts.
                tracing::error!(
                    purchase = %purchase.id,
                    order = %result.order_id,
                    "the gateway reports money taken for a failed purchase; refund or void it at the gateway"
                );
            }
            return Ok(PurchaseCompletion::AlreadyProcessed(Box::new(purchase)));
        }
        let expected_amount = purchase.payment.as_ref().map(|payment| payment.amount);
        let settlement_status = match &result.status {
            PaymentResultStatus::Pending => {
                return Ok(PurchaseCompletion::StillPending(Box::new(purchase)));
            }
            PaymentResultStatus::Declined { code, message } => {
                let detail = format!("declined ({code}): {message}");
                let closed = self
                    .close_unapplied(
                        &purchase,
                        PurchaseStatus::Failed,
                        PaymentStatus::Declined,
                        &result,
                        detail,
                        context,
                    )
                    .await?;
                return Ok(closed.map_or_else(
                    || PurchaseCompletion::AlreadyProcessed(Box::new(purchase)),
                    |p| PurchaseCompletion::Declined(Box::new(p)),
                ));
            }
            PaymentResultStatus::ChargedButRefused { code, message } => {
                let detail = format!("refused ({code}): {message}");
                let closed = self
                    .close_unapplied(
                        &purchase,
                        PurchaseStatus::Failed,
                        PaymentStatus::Captured,
                        &result,
                        detail,
                        context,
                    )
                    .await?;
                let Some(closed) = closed else {
                    return Ok(PurchaseCompletion::AlreadyProcessed(Box::new(purchase)));
                };
                // Money taken for a payment Kasa refuses goes straight back.
                let voided = self
                    .act_on_payment(crate::ActOnPayment {
                        purchase_id: closed.id,
                        action: crate::RequestedAction::Void,
                        refund_limits: Vec::new(),
                        context: ActionContext {
                            actor: Actor::System {
                                job: "refused-payment-void".to_owned(),
                            },
                            reason: reason(
                                "the gateway charged a payment the store's rules refuse",
                            ),
                            request_id: None,
                            idempotency: None,
                        },
                    })
                    .await;
                return Ok(match voided {
                    Ok(done) => PurchaseCompletion::Declined(Box::new(done.finished.purchase)),
                    Err(error) => {
                        tracing::error!(purchase = %closed.id, %error, "a refused payment could not be voided; an agent must void or refund it");
                        PurchaseCompletion::Declined(Box::new(closed))
                    }
                });
            }
            PaymentResultStatus::Authorised => PaymentStatus::Authorised,
            PaymentResultStatus::Captured => PaymentStatus::Captured,
        };
        if let (Some(expected), Some(reported)) = (expected_amount, result.amount)
            && expected != reported
        {
            let detail =
                format!("the gateway reported {reported}, but the purchase costs {expected}");
            return self
                .hold_for_agent(purchase, settlement_status, &result, detail, context)
                .await;
        }
        let settlement = PaymentSettlement {
            status: settlement_status,
            reference: result.reference.clone(),
            card: result.card.clone(),
            import: None,
        };
        let target = PurchaseTarget::Pending {
            purchase_id: purchase.id,
        };
        match self
            .apply_purchase_decision(
                target,
                &purchase.item,
                purchase.customer_id,
                PurchaseChannel::PaidCompletion,
                purchase.forfeit_confirmation,
                &purchase.started_by,
                Some(settlement),
                purchase.payment.as_ref(),
                purchase.coupon.as_ref(),
                context.clone(),
            )
            .await
        {
            Ok(applied) => Ok(PurchaseCompletion::Completed(Box::new(applied))),
            Err(ApplyError::Store(StoreError::PurchaseNotPending(_))) => {
                let current = self.ports.purchases.purchase(purchase.id).await?;
                Ok(PurchaseCompletion::AlreadyProcessed(Box::new(current)))
            }
            Err(ApplyError::Store(error)) => Err(error),
            Err(ApplyError::Refused(refusal)) => {
                let detail = format!("paid, but not applied: {refusal}");
                self.hold_for_agent(purchase, settlement_status, &result, detail, context)
                    .await
            }
        }
    }

    async fn hold_for_agent(
        &self,
        purchase: Purchase,
        payment_status: PaymentStatus,
        result: &PaymentResult,
        detail: String,
        context: ActionContext,
    ) -> Result<PurchaseCompletion, StoreError> {
        tracing::warn!(purchase = %purchase.id, %detail, "paid purchase needs an agent");
        let closed = self
            .close_unapplied(
                &purchase,
                PurchaseStatus::NeedsAttention,
                payment_status,
                result,
                detail,
                context,
            )
            .await?;
        Ok(closed.map_or_else(
            || PurchaseCompletion::AlreadyProcessed(Box::new(purchase)),
            |p| PurchaseCompletion::NeedsAttention(Box::new(p)),
        ))
    }

    /// Closes a pending purchase without applying it; `None` when it was closed meanwhile.
    async fn close_unapplied(
        &self,
        purchase: &Purchase,
        purchase_status: PurchaseStatus,
        payment_status: PaymentStatus,
        result: &PaymentResult,
        detail: String,
        context: ActionContext,
    ) -> Result<Option<Purchase>, StoreError> {
        let action = match purchase_status {
            PurchaseStatus::NeedsAttention => "purchase.needs_attention",
            _ => "purchase.failed",
        };
        let failure = PaymentFailure {
            purchase_id: purchase.id,
            purchase_status,
            payment_status,
            reference: result.reference.clone(),
            audit: audit_record(
                action,
                purchase.customer_id,
                Some(serde_json::json!({ "detail": detail })),
            ),
            detail,
            context,
            at: self.ports.clock.now(),
        };
        match self.ports.purchases.fail_purchase(failure).await {
            Ok(closed) => Ok(Some(closed)),
            Err(StoreError::PurchaseNotPending(_)) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Decides and applies a purchase in one store call, deciding again when the holding moved
    /// meanwhile. Shared by gateway completions and agent grants. A purchase of an amount has
    /// nothing to decide: it completes with its payment and invoice, the holding untouched.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn apply_purchase_decision(
        &self,
        target: PurchaseTarget,
        item: &PurchaseItem,
        customer_id: CustomerId,
        channel: PurchaseChannel,
        confirmation: ForfeitConfirmation,
        confirmed_by: &ActionContext,
        settlement: Option<PaymentSettlement>,
        payment: Option<&Payment>,
        coupon: Option<&kasa_ports::PurchaseCoupon>,
        context: ActionContext,
    ) -> Result<AppliedPurchase, ApplyError> {
        let settings = self.ports.settings.billing_settings().await?;
        // A purchase paid in full (captured) gets its invoice in the same transaction.
        let captured = settlement
            .as_ref()
            .is_some_and(|settlement| settlement.status == PaymentStatus::Captured);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let state = self.ports.customers.customer_state(customer_id).await?;
            let now = self.ports.clock.now();
            let decision = item
                .package()
                .map(|package| decide_purchase(package, &state.holding, now, channel, confirmation))
                .transpose()?;
            let purchase_id = match &target {
                PurchaseTarget::Pending { purchase_id } => *purchase_id,
                PurchaseTarget::New { purchase } => purchase.id,
            };
            let application = PurchaseApplication {
                target: target.clone(),
                customer_id,
                expected_version: state.version,
                audit: kasa_ports::AuditRecord {
                    before: Some(serde_json::json!({ "holding": state.holding })),
                    ..audit_record(
                        "purchase.completed",
                        customer_id,
                        Some(match &decision {
                            Some(decision) => serde_json::json!({
                                "purchase_id": purchase_id,
                                "package_id": item.package().map(|package| package.id),
                                "package_name": item.name(),
                                "decision": decision,
                                "holding": holding_after(&state.holding, decision),
                            }),
                            None => serde_json::json!({
                                "purchase_id": purchase_id,
                                "description": item.name(),
                                "amount": item.price().amount().to_string(),
                                "currency": item.price().currency().alpha_code(),
                            }),
                        }),
                    )
                },
                forfeiture_confirmation: decision.as_ref().and_then(|decision| {
                    forfeiture_confirmation(
                        decision,
                        customer_id,
                        purchase_id,
                        confirmed_by,
                        &context,
                    )
                }),
                notifications: purchase_notifications(&settings, &state, purchase_id),
                invoice: match payment.filter(|_| captured) {
                    Some(payment) => Some(
                        crate::invoicing::invoice_for(
                            &settings,
                            purchase_id,
                            &state.customer,
                            item.name(),
                            // The document names the gateway's reference this settlement brings.
                            &Payment {
                                reference: settlement
                                    .as_ref()
                                    .and_then(|settled| settled.reference.clone())
                                    .or_else(|| payment.reference.clone()),
                                card: settlement
                                    .as_ref()
                                    .and_then(|settled| settled.card.clone())
                                    .or_else(|| payment.card.clone()),
                                ..payment.clone()
                            },
                            payment.amount,
                            coupon,
                            now,
                        )
                        .map_err(|error| StoreError::Corrupt(format!("invoice: {error}")))?,
                    ),
                    None => None,
                },
                decision,
                settlement: settlement.clone(),
                context: context.clone(),
                at: now,
            };
            match self.ports.purchases.apply_purchase(application).await {
                Err(StoreError::StaleVersion) if attempt < MAX_DECISION_ATTEMPTS => {
                    tracing::debug!(%customer_id, attempt, "holding moved; deciding again");
                }
                other => return other.map_err(ApplyError::Store),
            }
        }
    }
}

/// Why a purchase decision could not be applied.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ApplyError {
    #[error(transparent)]
    Refused(#[from] PurchaseRefusal),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The notifications a completed purchase queues (product rule 10): the operator's address with
/// its CC list, and the customer in their language.
fn purchase_notifications(
    settings: &kasa_ports::BillingSettings,
    state: &CustomerState,
    purchase_id: PurchaseId,
) -> Vec<OutboxPayload> {
    let mut notifications = Vec::with_capacity(2);
    let mut operator_to: Vec<_> = settings.notification_address.iter().cloned().collect();
    let mut operator_cc = settings.notification_cc.clone();
    if operator_to.is_empty() && !operator_cc.is_empty() {
        operator_to.push(operator_cc.remove(0));
    }
    if !operator_to.is_empty() {
        notifications.push(OutboxPayload::PurchaseNotification {
            purchase_id,
            audience: Audience::Operator,
            to: operator_to,
            cc: operator_cc,
            language: kasa_domain::Language::default(),
        });
    }
    notifications.push(OutboxPayload::PurchaseNotification {
        purchase_id,
        audience: Audience::Customer,
        to: vec![state.customer.email.clone()],
        cc: Vec::new(),
        language: state.customer.language,
    });
    notifications
}

pub(crate) fn audit_record(
    action: &str,
    customer_id: CustomerId,
    after: Option<serde_json::Value>,
) -> AuditRecord {
    AuditRecord {
        action: action.to_owned(),
        subject: format!("customer:{customer_id}"),
        before: None,
        after,
    }
}

/// The forfeiture's confirmation in the name of who gave it, when that is not who completes the
/// purchase (the customer ticked the box at checkout; the bank's callback completes it).
fn forfeiture_confirmation(
    decision: &PurchaseDecision,
    customer_id: CustomerId,
    purchase_id: PurchaseId,
    confirmed_by: &ActionContext,
    completed_by: &ActionContext,
) -> Option<(AuditRecord, ActionContext)> {
    let forfeiture = decision.holding_end.as_ref()?.forfeiture.as_ref()?;
    if confirmed_by.actor == completed_by.actor {
        return None;
    }
    let record = audit_record(
        "purchase.forfeiture_confirmed",
        customer_id,
        Some(serde_json::json!({ "purchase_id": purchase_id, "forfeiture": forfeiture })),
    );
    Some((
        record,
        ActionContext {
            idempotency: None,
            ..confirmed_by.clone()
        },
    ))
}

/// What the customer holds once `decision` is applied to `holding`, as the audit log shows it:
/// the balance, or when the subscription ends.
fn holding_after(holding: &Holding, decision: &PurchaseDecision) -> serde_json::Value {
    let kept = decision.holding_end.is_none();
    match &decision.effect {
        PurchaseEffect::GrantCredits { credits, .. } => {
            let balance = match holding {
                Holding::Credits { balance } if kept => balance.get(),
                _ => 0,
            };
            serde_json::json!({ "kind": "credits", "balance": balance + credits.get() })
        }
        PurchaseEffect::AddSubscriptionTerm { ends_at, .. } => serde_json::json!({
            "kind": "subscription",
            "ends_at": kasa_domain::instant::rfc3339(*ends_at),
        }),
    }
}

/// A reason Kasa writes itself; the texts are constants, so this cannot fail.
pub(crate) fn reason(text: &str) -> Reason {
    Reason::new(text).unwrap_or_else(|_| unreachable!("built-in reasons are valid"))
}
