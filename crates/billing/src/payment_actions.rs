//! Agents' actions on a payment at its gateway: capture, void and refund (full or partial).
//!
//! Each action is recorded as requested before the gateway is called and finished after, with
//! everything that follows in the same transaction: the payment's status, the package taken back
//! (a full refund or a void), the invoice of a capture or the credit note of a refund, the audit
//! entry. One action at a time per payment (the store refuses a second while one is in flight),
//! so two agents can never refund the same money twice.

use kasa_domain::{Actor, Money, MoneyError, PaymentActionId, PurchaseId};
use kasa_ports::{
    ActionContext, AuditRecord, FinishedPaymentAction, GatewayError, GivenBackCheck, Invoice,
    InvoiceKind, NewInvoice, NewPaymentAction, OutboxPayload, Payment, PaymentAction,
    PaymentActionKind, PaymentActionOutcome, PaymentActionResult, PaymentActionState,
    PaymentStatus, Purchase, PurchaseStatus, StoreError, new_id,
};

use crate::grant::recorded_outside_gateways;
use crate::invoicing::{credit_note_for, invoice_for};
use crate::{Billing, MAX_DECISION_ATTEMPTS};

/// What an agent asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestedAction {
    /// Capture an authorised payment: all of it (`None`) or part.
    Capture {
        /// How much; `None` for the whole authorised amount.
        amount: Option<Money>,
    },
    /// Void the payment (before settlement).
    Void,
    /// Refund a captured payment: what is left of it (`None`) or part.
    Refund {
        /// How much; `None` for everything not refunded yet.
        amount: Option<Money>,
    },
}

/// An agent's action on a purchase's payment.
#[derive(Clone, Debug)]
pub struct ActOnPayment {
    /// The purchase.
    pub purchase_id: PurchaseId,
    /// What to do.
    pub action: RequestedAction,
    /// The caller's role's refund limits, at most one per currency (docs/permissions.md): in
    /// the payment's currency, what the caller gives back of one payment, and in one UTC day,
    /// stays within it. No limit in the payment's currency means no limit.
    pub refund_limits: Vec<Money>,
    /// Who and why.
    pub context: ActionContext,
}

/// What an action did.
#[derive(Clone, Debug)]
pub struct PaymentActionDone {
    /// The action as recorded, the purchase after, the document issued.
    pub finished: FinishedPaymentAction,
    /// A full refund the gateway could not make before settlement was done as a void.
    pub voided_instead_of_refund: bool,
}

/// Why an action was refused or failed. Only [`PaymentActionError::Gateway`] is recorded (as a
/// failed action); the others change nothing.
#[derive(Debug, thiserror::Error)]
pub enum PaymentActionError {
    /// No such purchase.
    #[error("purchase not found")]
    PurchaseNotFound,
    /// The purchase was granted free: there is no payment to act on.
    #[error("this purchase has no payment (it was granted free); adjust credits or cancel instead")]
    NoPayment,
    /// The payment is in a state that does not allow the action.
    #[error("the payment is {status}; {hint}")]
    NotAllowed {
        /// The payment's status.
        status: &'static str,
        /// What the agent can do.
        hint: &'static str,
    },
    /// The amount is zero, negative, or in another currency than the payment.
    #[error("the amount must be positive and in {currency}")]
    InvalidAmount {
        /// The payment's currency.
        currency: &'static str,
    },
    /// More than is left to capture or refund.
    #[error("at most {available} can be {verb}")]
    AmountTooLarge {
        /// What is left.
        available: Money,
        /// `captured` or `refunded`.
        verb: &'static str,
    },
    /// More than the caller's role may give back (of this payment, or today).
    #[error(
        "your role may give back at most {limit} of one payment and in one day (UTC); you gave back {given_back_today} today and {given_back_of_payment} of this payment, so at most {remaining} now"
    )]
    OverRefundLimit {
        /// The role's limit in the payment's currency.
        limit: Money,
        /// What the caller gave back (or is giving back) today in that currency.
        given_back_today: Money,
        /// What the caller gave back (or is giving back) of this payment.
        given_back_of_payment: Money,
        /// What the caller may still give back of this payment now.
        remaining: Money,
    },
    /// The gateway refuses a partial refund before settlement (end of day); a full refund would
    /// be voided instead.
    #[error(
        "the payment is not settled yet, so only the whole payment can be given back (as a void) until the end of day"
    )]
    PartialRefundBeforeSettlement,
    /// Another action on this payment has not finished.
    #[error("another action on this payment is in progress; try again when it has finished")]
    InProgress,
    /// What the decision rests on (the payment's actions, or the caller's give-backs of the
    /// day counted against a limit) kept changing while it was decided.
    #[error(
        "the payment's actions or your refunds of the day kept changing while this was decided; send it again"
    )]
    ChangedMeanwhile,
    /// The payment was made outside Kasa (a charged grant): no gateway holds it, so there is
    /// nothing to void; a refund records money given back outside Kasa.
    #[error(
        "this payment was made outside Kasa (manual): it cannot be voided; record a refund of the money given back instead"
    )]
    NotVoidable,
    /// The payment's gateway is one Kasa has no adapter for.
    #[error("Kasa has no payment system `{0}`")]
    UnknownGateway(String),
    /// The payment's gateway cannot do this, as its capabilities say (a partial refund at one
    /// without partial refunds, a capture at one without authorise-then-capture): nothing was
    /// asked of it and nothing is recorded.
    #[error("the payment system `{gateway}` cannot {what}")]
    GatewayCannot {
        /// The gateway.
        gateway: String,
        /// What it cannot do, in words (`give back part of a payment`).
        what: &'static str,
    },
    /// The gateway refused or failed; the action is recorded as failed and nothing moved.
    #[error(transparent)]
    Gateway(GatewayError),
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for PaymentActionError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound {
                entity: kasa_ports::Entity::Purchase,
            } => Self::PurchaseNotFound,
            other => Self::Store(other),
        }
    }
}

/// Where a payment's money stands, from its status and its finished actions (also what
/// `kasa verify` checks payments with: one definition of captured and refunded).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Position {
    pub(crate) captured: Money,
    pub(crate) refunded: Money,
    pub(crate) voided: bool,
}

impl Position {
    pub(crate) fn of(payment: &Payment, actions: &[PaymentAction]) -> Result<Self, MoneyError> {
        let currency = payment.amount.currency();
        let succeeded = |kind| {
            actions
                .iter()
                .filter(move |action| {
                    action.kind == kind && action.state == PaymentActionState::Succeeded
                })
                .try_fold(Money::zero(currency), |sum, action| {
                    sum.checked_add(&action.amount)
                })
        };
        // Captured by an agent's capture actions, or at once by the sale itself.
        let captures = succeeded(PaymentActionKind::Capture)?;
        let sold = matches!(
            payment.status,
            PaymentStatus::Captured
                | PaymentStatus::PartiallyRefunded
                | PaymentStatus::Refunded
                | PaymentStatus::Voided
        );
        let captured = if captures.is_zero() && sold {
            payment.amount
        } else {
            captures
        };
        Ok(Self {
            captured,
            refunded: succeeded(PaymentActionKind::Refund)?,
            voided: payment.status == PaymentStatus::Voided,
        })
    }

    fn refundable(&self) -> Result<Money, MoneyError> {
        self.captured.checked_sub(&self.refunded)
    }
}

/// What an answer is recorded against.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Settled<'a> {
    pub(crate) purchase: &'a Purchase,
    pub(crate) payment: &'a Payment,
    pub(crate) position: &'a Position,
    pub(crate) context: &'a ActionContext,
}

/// Whether an action counts against refund limits, and the daily sum its decision saw.
#[derive(Clone, Debug)]
struct Limits {
    gives_back: bool,
    check: Option<GivenBackCheck>,
}

/// The action to send, with its amount settled.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Planned {
    pub(crate) kind: PaymentActionKind,
    pub(crate) amount: Money,
}

fn not_allowed(payment: &Payment, hint: &'static str) -> PaymentActionError {
    PaymentActionError::NotAllowed {
        status: payment.status.label(),
        hint,
    }
}

pub(crate) fn store_money(error: MoneyError) -> PaymentActionError {
    PaymentActionError::Store(StoreError::Corrupt(format!("payment amounts: {error}")))
}

/// Checks `requested` against the payment and what is left; returns the amount to use.
/// Refuses what the payment's gateway cannot do, before anything is recorded or asked of it: a
/// capture whatever the payment's state, a partial refund once it is `planned`.
fn check_capabilities(
    gateway: &dyn kasa_ports::PaymentGateway,
    position: &Position,
    requested: RequestedAction,
    planned: Option<Planned>,
) -> Result<(), PaymentActionError> {
    let capabilities = gateway.capabilities();
    let cannot = |what| {
        Err(PaymentActionError::GatewayCannot {
            gateway: gateway.name().to_string(),
            what,
        })
    };
    match (requested, planned) {
        (RequestedAction::Capture { .. }, _) if !capabilities.authorise_then_capture => {
            cannot("capture an authorised payment later")
        }
        (RequestedAction::Refund { .. }, Some(planned)) if !capabilities.partial_refunds => {
            let whole = position.refunded.is_zero()
                && planned.amount == position.refundable().map_err(store_money)?;
            if whole {
                Ok(())
            } else {
                cannot("give back part of a payment (only the whole of it)")
            }
        }
        _ => Ok(()),
    }
}

pub(crate) fn plan(
    payment: &Payment,
    position: &Position,
    requested: RequestedAction,
) -> Result<Planned, PaymentActionError> {
    let currency = payment.amount.currency();
    let check_amount = |amount: Option<Money>, available: Money, verb| match amount {
        None => Ok(available),
        Some(amount) if amount.currency() != currency || !amount.is_positive() => {
            Err(PaymentActionError::InvalidAmount {
                currency: currency.alpha_code(),
            })
        }
        Some(amount) if amount.checked_cmp(&available).map_err(store_money)?.is_gt() => {
            Err(PaymentActionError::AmountTooLarge { available, verb })
        }
        Some(amount) => Ok(amount),
    };
    match requested {
        RequestedAction::Capture { amount } => {
            if payment.status != PaymentStatus::Authorised {
                return Err(not_allowed(
                    payment,
                    "only an authorised (not yet captured) payment can be captured",
                ));
            }
            Ok(Planned {
                kind: PaymentActionKind::Capture,
                amount: check_amount(amount, payment.amount, "captured")?,
            })
        }
        RequestedAction::Void => match payment.status {
            PaymentStatus::Authorised | PaymentStatus::Captured => Ok(Planned {
                kind: PaymentActionKind::Void,
                amount: if payment.status == PaymentStatus::Authorised {
                    payment.amount
                } else {
                    position.refundable().map_err(store_money)?
                },
            }),
            _ => Err(not_allowed(
                payment,
                "only an authorised or captured payment that was not refunded can be voided",
            )),
        },
        RequestedAction::Refund { amount } => {
            if !matches!(
                payment.status,
                PaymentStatus::Captured | PaymentStatus::PartiallyRefunded
            ) || position.voided
            {
                return Err(not_allowed(
                    payment,
                    if payment.status == PaymentStatus::Authorised {
                        "an authorised payment is not captured: void it instead"
                    } else {
                        "only a captured payment can be refunded"
                    },
                ));
            }
            let available = position.refundable().map_err(store_money)?;
            if !available.is_positive() {
                return Err(not_allowed(payment, "nothing is left to refund"));
            }
            Ok(Planned {
                kind: PaymentActionKind::Refund,
                amount: check_amount(amount, available, "refunded")?,
            })
        }
    }
}

/// Whether `planned` gives money back: a refund, or a void of a captured payment.
pub(crate) fn gives_back(planned: &Planned, payment: &Payment) -> bool {
    match planned.kind {
        PaymentActionKind::Refund => true,
        PaymentActionKind::Void => payment.status == PaymentStatus::Captured,
        PaymentActionKind::Capture => false,
    }
}

/// The UTC day `now` falls in, `[start, end)`: the window of daily refund limits.
#[must_use]
pub fn refund_limit_day(now: time::OffsetDateTime) -> (time::OffsetDateTime, time::OffsetDateTime) {
    let start = now
        .to_offset(time::UtcOffset::UTC)
        .replace_time(time::Time::MIDNIGHT);
    (start, start + time::Duration::DAY)
}

/// What one caller may still give back of one payment under their role's limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RefundAllowance {
    /// The role's limit in the payment's currency; `None` when there is none (no limit).
    pub limit: Option<Money>,
    /// What the caller gave back today (UTC), requested or succeeded, in that currency.
    pub given_back_today: Money,
    /// What the caller gave back of this payment, requested or succeeded.
    pub given_back_of_payment: Money,
    /// What has been refunded of this payment, by anyone.
    pub refunded_of_payment: Money,
    /// What is left to refund of this payment.
    pub refundable: Money,
    /// What the caller may refund now: the least of what is left and what the limit leaves
    /// of this payment and of today.
    pub remaining: Money,
    /// The day the daily sum counts, `[start, end)` in UTC.
    pub day: (time::OffsetDateTime, time::OffsetDateTime),
}

/// The limit's sums for one caller and one payment, as decided.
struct LimitView {
    limit: Option<Money>,
    given_back_today: Money,
    given_back_of_payment: Money,
    day: (time::OffsetDateTime, time::OffsetDateTime),
}

impl LimitView {
    /// What the limit leaves (not counting what the payment has left); `None` for no limit.
    fn left(&self) -> Result<Option<Money>, MoneyError> {
        let Some(limit) = self.limit else {
            return Ok(None);
        };
        let zero = Money::zero(limit.currency());
        let least = |a: Money, b: Money| -> Result<Money, MoneyError> {
            Ok(if a.checked_cmp(&b)?.is_lt() { a } else { b })
        };
        let today = limit.checked_sub(&self.given_back_today)?;
        let of_payment = limit.checked_sub(&self.given_back_of_payment)?;
        let left = least(today, of_payment)?;
        Ok(Some(if left.is_positive() { left } else { zero }))
    }

    fn check(&self, amount: Money) -> Result<(), PaymentActionError> {
        let Some(left) = self.left().map_err(store_money)? else {
            return Ok(());
        };
        if amount.checked_cmp(&left).map_err(store_money)?.is_gt() {
            return Err(PaymentActionError::OverRefundLimit {
                limit: self.limit.unwrap_or(left),
                given_back_today: self.given_back_today,
                given_back_of_payment: self.given_back_of_payment,
                remaining: left,
            });
        }
        Ok(())
    }
}

impl Billing {
    /// Captures, voids or refunds a purchase's payment at its gateway (see the module docs).
    /// A full refund the gateway refuses before settlement is done as a void, as the bank
    /// requires; a partial one is refused until then.
    ///
    /// # Errors
    /// [`PaymentActionError`].
    pub async fn act_on_payment(
        &self,
        request: ActOnPayment,
    ) -> Result<PaymentActionDone, PaymentActionError> {
        let mut attempt = 0;
        let (purchase, payment, gateway, position, planned, action) = loop {
            attempt += 1;
            // The actions first, then the purchase: an action finishing in between is then
            // seen by the store's count check, never half-seen.
            let actions = self
                .ports
                .payment_actions
                .payment_actions(request.purchase_id)
                .await?;
            let purchase = self.ports.purchases.purchase(request.purchase_id).await?;
            let payment = purchase
                .payment
                .clone()
                .ok_or(PaymentActionError::NoPayment)?;
            // A manual payment (a charged grant) or an imported one has no gateway: its
            // refunds record money given back outside Kasa.
            let gateway = if recorded_outside_gateways(&payment.gateway) {
                if request.action == RequestedAction::Void {
                    return Err(PaymentActionError::NotVoidable);
                }
                None
            } else {
                Some(
                    self.ports
                        .gateways
                        .get(&payment.gateway)
                        .cloned()
                        .ok_or_else(|| {
                            PaymentActionError::UnknownGateway(payment.gateway.to_string())
                        })?,
                )
            };
            if actions
                .iter()
                .any(|action| action.state == PaymentActionState::Requested)
            {
                return Err(PaymentActionError::InProgress);
            }
            let position = Position::of(&payment, &actions).map_err(store_money)?;
            if let Some(gateway) = &gateway {
                check_capabilities(gateway.as_ref(), &position, request.action, None)?;
            }
            let planned = plan(&payment, &position, request.action)?;
            if let Some(gateway) = &gateway {
                check_capabilities(gateway.as_ref(), &position, request.action, Some(planned))?;
            }
            let gives_back = gives_back(&planned, &payment);
            let mut check = None;
            if gives_back {
                let view = self
                    .limit_view(
                        &payment,
                        &actions,
                        &request.context.actor,
                        &request.refund_limits,
                    )
                    .await?;
                view.check(planned.amount)?;
                check = view.limit.map(|_| GivenBackCheck {
                    since: view.day.0,
                    until: view.day.1,
                    expected: view.given_back_today,
                });
            }
            let expected = u32::try_from(actions.len()).unwrap_or(u32::MAX);
            let limits = Limits { gives_back, check };
            match self
                .begin(&purchase, planned, expected, limits, &request.context)
                .await
            {
                Ok(action) => break (purchase, payment, gateway, position, planned, action),
                Err(PaymentActionError::Store(StoreError::StaleVersion))
                    if attempt < MAX_DECISION_ATTEMPTS =>
                {
                    tracing::debug!(purchase = %purchase.id, attempt, "payment moved; deciding again");
                }
                Err(PaymentActionError::Store(StoreError::StaleVersion)) => {
                    return Err(PaymentActionError::ChangedMeanwhile);
                }
                Err(other) => return Err(other),
            }
        };
        let settled = Settled {
            purchase: &purchase,
            payment: &payment,
            position: &position,
            context: &request.context,
        };
        let Some(gateway) = gateway else {
            // Only a refund gets here (a manual payment is captured and cannot be voided): the
            // money went back outside Kasa, and this records it.
            let receipt = kasa_ports::GatewayReceipt {
                reference: None,
                amount: Some(planned.amount),
            };
            return self
                .record_answer(&settled, &action, Ok(receipt), false)
                .await;
        };
        let handle = payment.handle();
        let answer = match planned.kind {
            PaymentActionKind::Capture => {
                gateway
                    .capture(handle, request_amount(request.action, planned))
                    .await
            }
            PaymentActionKind::Void => gateway.void(handle).await,
            PaymentActionKind::Refund => gateway.refund(handle, planned.amount).await,
        };
        match answer {
            Err(GatewayError::NotSettled { message })
                if planned.kind == PaymentActionKind::Refund =>
            {
                let whole = position.refunded.is_zero() && planned.amount == position.captured;
                self.finish_failed(
                    &purchase,
                    &action,
                    format!("not settled yet: {message}"),
                    &request.context,
                )
                .await?;
                if !whole {
                    return Err(PaymentActionError::PartialRefundBeforeSettlement);
                }
                tracing::info!(purchase = %purchase.id, "refund before settlement: voiding instead");
                let void = Planned {
                    kind: PaymentActionKind::Void,
                    amount: planned.amount,
                };
                let expected = u32::try_from(
                    self.ports
                        .payment_actions
                        .payment_actions(purchase.id)
                        .await?
                        .len(),
                )
                .unwrap_or(u32::MAX);
                // The same money the refund was allowed to give back: not checked again.
                let limits = Limits {
                    gives_back: true,
                    check: None,
                };
                let action = self
                    .begin(&purchase, void, expected, limits, &request.context)
                    .await?;
                let answer = gateway.void(payment.handle()).await;
                self.record_answer(&settled, &action, answer, true).await
            }
            answer => self.record_answer(&settled, &action, answer, false).await,
        }
    }

    /// Records money the gateway says it gave back beyond what Kasa has recorded (a refund made
    /// in the gateway's dashboard): `refunded_total` is the gateway's running total. The
    /// difference becomes a succeeded refund action, with everything a refund brings (credit
    /// note and its mail, the package taken back when all is refunded, audit) and without
    /// calling the gateway. `None` when Kasa already has it all (its own refunds come back this
    /// way too).
    ///
    /// # Errors
    /// [`PaymentActionError::InProgress`] while an action on the payment is in flight (its
    /// answer may be this very refund: decide after it), store errors.
    pub(crate) async fn record_gateway_refund(
        &self,
        purchase_id: PurchaseId,
        refunded_total: Money,
        reference: Option<kasa_ports::GatewayReference>,
        context: &ActionContext,
    ) -> Result<Option<PaymentActionDone>, PaymentActionError> {
        let actions = self
            .ports
            .payment_actions
            .payment_actions(purchase_id)
            .await?;
        if actions
            .iter()
            .any(|action| action.state == PaymentActionState::Requested)
        {
            return Err(PaymentActionError::InProgress);
        }
        let purchase = self.ports.purchases.purchase(purchase_id).await?;
        let payment = purchase
            .payment
            .clone()
            .ok_or(PaymentActionError::NoPayment)?;
        let position = Position::of(&payment, &actions).map_err(store_money)?;
        let (Ok(unrecorded), Ok(refundable)) = (
            refunded_total.checked_sub(&position.refunded),
            position.captured.checked_sub(&position.refunded),
        ) else {
            return Err(PaymentActionError::Store(StoreError::Corrupt(format!(
                "the gateway's refund total {refunded_total} is not in the payment's currency"
            ))));
        };
        // Nothing new, or nothing that could have been given back (a voided payment, or one
        // refunded in full already): no refund is recorded.
        if !unrecorded.is_positive() || position.voided || !refundable.is_positive() {
            return Ok(None);
        }
        let planned = Planned {
            kind: PaymentActionKind::Refund,
            // Never more than is left: the gateway's total counts nothing Kasa has not seen.
            amount: if unrecorded
                .checked_cmp(&refundable)
                .is_ok_and(std::cmp::Ordering::is_gt)
            {
                refundable
            } else {
                unrecorded
            },
        };
        let expected = u32::try_from(actions.len()).unwrap_or(u32::MAX);
        // Given back at the gateway, not by a caller of Kasa: no limit applies.
        let limits = Limits {
            gives_back: true,
            check: None,
        };
        let action = self
            .begin(&purchase, planned, expected, limits, context)
            .await?;
        let settled = Settled {
            purchase: &purchase,
            payment: &payment,
            position: &position,
            context,
        };
        let receipt = kasa_ports::GatewayReceipt {
            reference,
            amount: Some(planned.amount),
        };
        self.record_answer(&settled, &action, Ok(receipt), false)
            .await
            .map(Some)
    }

    /// Records the gateway's answer to `action`: success with everything that follows, or
    /// failure (nothing moved).
    async fn record_answer(
        &self,
        settled: &Settled<'_>,
        action: &PaymentAction,
        answer: Result<kasa_ports::GatewayReceipt, GatewayError>,
        voided_instead_of_refund: bool,
    ) -> Result<PaymentActionDone, PaymentActionError> {
        match answer {
            Ok(receipt) => Ok(PaymentActionDone {
                finished: self
                    .finish_succeeded(settled, action, receipt.reference)
                    .await?,
                voided_instead_of_refund,
            }),
            Err(error) => {
                self.finish_failed(settled.purchase, action, error.to_string(), settled.context)
                    .await?;
                Err(PaymentActionError::Gateway(error))
            }
        }
    }

    /// What `caller` may still give back of `purchase_id`'s payment under `limits` (their
    /// role's limits, one per currency): what the console shows before an agent acts.
    ///
    /// # Errors
    /// [`PaymentActionError::PurchaseNotFound`], [`PaymentActionError::NoPayment`], store
    /// errors.
    pub async fn refund_allowance(
        &self,
        purchase_id: PurchaseId,
        caller: &Actor,
        limits: &[Money],
    ) -> Result<RefundAllowance, PaymentActionError> {
        let actions = self
            .ports
            .payment_actions
            .payment_actions(purchase_id)
            .await?;
        let purchase = self.ports.purchases.purchase(purchase_id).await?;
        let payment = purchase.payment.ok_or(PaymentActionError::NoPayment)?;
        let position = Position::of(&payment, &actions).map_err(store_money)?;
        let view = self.limit_view(&payment, &actions, caller, limits).await?;
        let refundable = if position.voided
            || !matches!(
                payment.status,
                PaymentStatus::Captured | PaymentStatus::PartiallyRefunded
            ) {
            Money::zero(payment.amount.currency())
        } else {
            position.refundable().map_err(store_money)?
        };
        let remaining = match view.left().map_err(store_money)? {
            Some(left) if left.checked_cmp(&refundable).map_err(store_money)?.is_lt() => left,
            _ => refundable,
        };
        Ok(RefundAllowance {
            limit: view.limit,
            given_back_today: view.given_back_today,
            given_back_of_payment: view.given_back_of_payment,
            refunded_of_payment: position.refunded,
            refundable,
            remaining,
            day: view.day,
        })
    }

    /// The caller's give-backs that count against their limit in the payment's currency:
    /// today's (UTC, on every payment) and this payment's, requested or succeeded.
    async fn limit_view(
        &self,
        payment: &Payment,
        actions: &[PaymentAction],
        caller: &Actor,
        limits: &[Money],
    ) -> Result<LimitView, PaymentActionError> {
        let currency = payment.amount.currency();
        let day = refund_limit_day(self.ports.clock.now());
        let given_back_today = self
            .ports
            .payment_actions
            .given_back_by(caller.clone(), currency, day.0, day.1)
            .await?;
        // A void of a captured payment ends it, so of one payment only refunds add up.
        let given_back_of_payment = actions
            .iter()
            .filter(|action| {
                action.kind == PaymentActionKind::Refund
                    && action.state != PaymentActionState::Failed
                    && action.actor == *caller
            })
            .try_fold(Money::zero(currency), |sum, action| {
                sum.checked_add(&action.amount)
            })
            .map_err(store_money)?;
        Ok(LimitView {
            limit: limits
                .iter()
                .find(|limit| limit.currency() == currency)
                .copied(),
            given_back_today,
            given_back_of_payment,
            day,
        })
    }

    async fn begin(
        &self,
        purchase: &Purchase,
        planned: Planned,
        expected_actions: u32,
        limits: Limits,
        context: &ActionContext,
    ) -> Result<PaymentAction, PaymentActionError> {
        self.ports
            .payment_actions
            .begin_payment_action(NewPaymentAction {
                id: new_id::<PaymentActionId>(),
                purchase_id: purchase.id,
                kind: planned.kind,
                amount: planned.amount,
                expected_actions,
                gives_back: limits.gives_back,
                given_back_check: limits.check,
                context: context.clone(),
                at: self.ports.clock.now(),
            })
            .await
            .map_err(|error| match error {
                StoreError::AlreadyExists { .. } => PaymentActionError::InProgress,
                other => PaymentActionError::from(other),
            })
    }

    pub(crate) async fn finish_failed(
        &self,
        purchase: &Purchase,
        action: &PaymentAction,
        detail: String,
        context: &ActionContext,
    ) -> Result<FinishedPaymentAction, PaymentActionError> {
        tracing::warn!(purchase = %purchase.id, kind = ?action.kind, %detail, "payment action failed at the gateway");
        Ok(self
            .ports
            .payment_actions
            .finish_payment_action(PaymentActionResult {
                action_id: action.id,
                purchase_id: purchase.id,
                customer_id: purchase.customer_id,
                audit: action_audit(purchase, action, "failed", Some(&detail)),
                outcome: PaymentActionOutcome::Failed { detail },
                context: context.clone(),
                at: self.ports.clock.now(),
            })
            .await?)
    }

    pub(crate) async fn finish_succeeded(
        &self,
        settled: &Settled<'_>,
        action: &PaymentAction,
        reference: Option<kasa_ports::GatewayReference>,
    ) -> Result<FinishedPaymentAction, PaymentActionError> {
        let Settled {
            purchase,
            payment,
            position,
            context,
        } = *settled;
        let now = self.ports.clock.now();
        let settings = self.ports.settings.billing_settings().await?;
        let invoices = self.ports.invoices.purchase_invoices(purchase.id).await?;
        let original = invoices
            .iter()
            .find(|invoice| invoice.issued.kind != InvoiceKind::CreditNote);
        let applied = purchase.status == PurchaseStatus::Completed;
        let (payment_status, take_back, document) = match action.kind {
            PaymentActionKind::Capture => {
                let state = self
                    .ports
                    .customers
                    .customer_state(purchase.customer_id)
                    .await?;
                let invoice = invoice_for(
                    &settings,
                    purchase.id,
                    &state.customer,
                    purchase.item.name(),
                    payment,
                    action.amount,
                    purchase.coupon.as_ref(),
                    now,
                )
                .map_err(store_money)?;
                (PaymentStatus::Captured, false, Some(invoice))
            }
            PaymentActionKind::Void => (
                PaymentStatus::Voided,
                applied,
                credit_note(&settings, original, action.amount, now)?,
            ),
            PaymentActionKind::Refund => {
                let refunded = position
                    .refunded
                    .checked_add(&action.amount)
                    .map_err(store_money)?;
                let whole = refunded == position.captured;
                (
                    if whole {
                        PaymentStatus::Refunded
                    } else {
                        PaymentStatus::PartiallyRefunded
                    },
                    whole && applied,
                    credit_note(&settings, original, action.amount, now)?,
                )
            }
        };
        // The customer gets the document the action issued, in the same transaction.
        let mut notifications = Vec::new();
        if let Some(document) = &document {
            let customer = self
                .ports
                .customers
                .find_customer(kasa_ports::CustomerLookup::Id {
                    id: purchase.customer_id,
                })
                .await?;
            notifications.push(OutboxPayload::DocumentNotification {
                purchase_id: purchase.id,
                invoice_id: document.id,
                to: vec![customer.email],
                language: customer.language,
            });
        }
        Ok(self
            .ports
            .payment_actions
            .finish_payment_action(PaymentActionResult {
                action_id: action.id,
                purchase_id: purchase.id,
                customer_id: purchase.customer_id,
                audit: action_audit(purchase, action, "succeeded", None),
                outcome: PaymentActionOutcome::Succeeded {
                    reference,
                    payment_status,
                    take_back,
                    document: document.map(Box::new),
                    notifications,
                },
                context: context.clone(),
                at: now,
            })
            .await?)
    }
}

/// The amount to send with a capture: `None` (everything) unless the agent named a part.
fn request_amount(requested: RequestedAction, planned: Planned) -> Option<Money> {
    match requested {
        RequestedAction::Capture { amount: Some(_) } => Some(planned.amount),
        _ => None,
    }
}

/// A credit note for `amount` when the purchase was invoiced; nothing otherwise (an authorised
/// payment voided before capture was never invoiced).
fn credit_note(
    settings: &kasa_ports::BillingSettings,
    original: Option<&Invoice>,
    amount: Money,
    at: time::OffsetDateTime,
) -> Result<Option<NewInvoice>, PaymentActionError> {
    original
        .map(|original| credit_note_for(settings, original, amount, at))
        .transpose()
        .map_err(store_money)
}

fn action_audit(
    purchase: &Purchase,
    action: &PaymentAction,
    result: &str,
    detail: Option<&str>,
) -> AuditRecord {
    AuditRecord {
        action: format!(
            "payment.{}_{result}",
            match action.kind {
                PaymentActionKind::Capture => "capture",
                PaymentActionKind::Void => "void",
                PaymentActionKind::Refund => "refund",
            }
        ),
        subject: format!("customer:{}", purchase.customer_id),
        before: None,
        after: Some(serde_json::json!({
            "purchase_id": purchase.id,
            "payment_action_id": action.id,
            "amount": action.amount,
            "detail": detail,
        })),
    }
}
