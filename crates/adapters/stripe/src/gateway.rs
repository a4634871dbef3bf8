//! [`StripeGateway`]: the [`PaymentGateway`] port on Stripe's PaymentIntents.

use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use kasa_domain::{EmailAddress, Money};
use kasa_ports::{
    CaptureMode, GatewayCallback, GatewayError, GatewayEvent, GatewayEventKind, GatewayName,
    GatewayReceipt, GatewayReference, OrderId, PaymentCard, PaymentGateway, PaymentHandle,
    PaymentInitiation, PaymentResult, PaymentResultStatus, PaymentStart, PaymentStatusReport,
    RecurringStart,
};

use crate::client::{
    NewCustomer, NewPlan, PlanInterval, StripeClient, StripeError, from_stripe_amount,
    to_stripe_amount,
};
use crate::config::{Dialect, StripeConfig};
use crate::event::{HandledEvent, StripeEvent};
use crate::form::{Form, IdempotencyKey};
use crate::types::{Expandable, List, PaymentIntent};
use crate::webhook::verify_signature;

/// The gateway's name, stored with each payment.
pub const GATEWAY_NAME: &str = "stripe";
/// The PaymentIntent metadata key that carries Kasa's order id.
pub const ORDER_ID_METADATA_KEY: &str = "kasa_order_id";
/// The PaymentIntent metadata key that carries what is bought (also on localstripe).
pub const DESCRIPTION_METADATA_KEY: &str = "kasa_description";
/// The header Stripe signs webhooks in (names are lower-cased in [`GatewayCallback`]).
pub const SIGNATURE_HEADER: &str = "stripe-signature";
/// Stripe's limit on a metadata value.
const MAX_METADATA_VALUE_CHARS: usize = 500;

/// The Stripe gateway of one account.
///
/// - `start_payment` finds the customer by e-mail (or creates them) and creates a PaymentIntent
///   (`capture_method` `manual` for authorise-only); the checkout page confirms it with
///   Stripe.js and the returned client secret.
/// - `verify_callback` verifies a webhook's `Stripe-Signature` ([`Self::verify_webhook`]) and
///   reads the PaymentIntent it carries.
/// - `capture`, `void` (cancel), `refund` and `query_status` need the PaymentIntent id
///   ([`PaymentHandle::reference`]); `query_status` without it looks the order up.
///
/// Every POST carries an idempotency key derived from Kasa's order id (see ADR 0007).
#[derive(Clone, Debug)]
pub struct StripeGateway {
    client: StripeClient,
}

impl StripeGateway {
    /// A gateway for the account `config` describes.
    ///
    /// # Errors
    /// [`GatewayError::Misconfigured`] when the config is invalid ([`StripeConfig::validate`]).
    pub fn new(config: StripeConfig) -> Result<Self, GatewayError> {
        Ok(Self {
            client: StripeClient::new(config)?,
        })
    }

    /// The API client, for the operations the port does not have (customers, cards,
    /// subscriptions, tax IDs).
    #[must_use]
    pub const fn client(&self) -> &StripeClient {
        &self.client
    }

    /// The account's settings.
    #[must_use]
    pub const fn config(&self) -> &StripeConfig {
        self.client.config()
    }

    /// Verifies a webhook delivery's `Stripe-Signature` with the endpoint secret and the
    /// tolerance, against the system clock, and reads the event.
    ///
    /// # Errors
    /// [`GatewayError::InvalidSignature`] when the header is missing or malformed, no signature
    /// matches (a changed body or another secret), or the signature is older than the tolerance
    /// (a replay); [`GatewayError::Malformed`] when the verified body is not an event.
    pub fn verify_event(&self, callback: &GatewayCallback) -> Result<StripeEvent, GatewayError> {
        self.verify_event_at(callback, unix_now())
    }

    /// [`Self::verify_webhook`] at the Unix time `now` (for tests and replays).
    ///
    /// # Errors
    /// As [`Self::verify_webhook`].
    pub fn verify_event_at(
        &self,
        callback: &GatewayCallback,
        now: i64,
    ) -> Result<StripeEvent, GatewayError> {
        let header = callback
            .headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(SIGNATURE_HEADER))
            .map(|(_, value)| value.as_str())
            .ok_or_else(|| {
                tracing::warn!("a Stripe webhook came without a Stripe-Signature header");
                GatewayError::InvalidSignature
            })?;
        let config = self.config();
        verify_signature(
            &callback.raw_body,
            header,
            config.webhook_secret.expose(),
            now,
            Some(config.webhook_tolerance_seconds),
        )
        .map_err(|error| {
            tracing::warn!(%error, "a Stripe webhook did not verify");
            GatewayError::InvalidSignature
        })?;
        StripeEvent::parse(&callback.raw_body)
    }

    /// The PaymentIntent form Kasa sends for `request`, for the Stripe customer `customer_id`.
    ///
    /// # Errors
    /// [`GatewayError::Refused`] for an amount that does not fit Stripe's integers.
    pub fn payment_intent_form(
        &self,
        request: &PaymentStart,
        customer_id: &str,
    ) -> Result<Form, GatewayError> {
        let (amount, currency) = to_stripe_amount(&request.amount)?;
        let capture_method = match request.capture {
            CaptureMode::Immediate => "automatic",
            CaptureMode::AuthoriseOnly => "manual",
        };
        let description: String = request
            .description
            .chars()
            .take(MAX_METADATA_VALUE_CHARS)
            .collect();
        let form = Form::new()
            .field("amount", amount)
            .field("currency", currency)
            .field("capture_method", capture_method)
            .field("customer", customer_id)
            .nested("metadata", ORDER_ID_METADATA_KEY, &request.order_id.0)
            .nested("metadata", DESCRIPTION_METADATA_KEY, &description);
        Ok(match self.config().dialect {
            Dialect::Stripe => form
                .field("description", &description)
                .field("receipt_email", request.customer_email.as_str())
                .optional(
                    "statement_descriptor_suffix",
                    self.config().statement_descriptor.as_deref(),
                ),
            Dialect::LocalStripe => form,
        })
    }

    /// The most recent PaymentIntent of a Kasa order, found by its metadata: Stripe's search
    /// API first; where the server has none (localstripe answers 404) the 100 most recent
    /// PaymentIntents are scanned.
    ///
    /// # Errors
    /// [`GatewayError::Unavailable`], [`GatewayError::Timeout`], ….
    pub async fn find_payment_intent(
        &self,
        order_id: &OrderId,
    ) -> Result<Option<PaymentIntent>, GatewayError> {
        let escaped = order_id.0.replace('\\', "\\\\").replace('\'', "\\'");
        let query = Form::new()
            .field(
                "query",
                format!("metadata['{ORDER_ID_METADATA_KEY}']:'{escaped}'"),
            )
            .field("limit", 10);
        let found: Result<List<PaymentIntent>, StripeError> =
            self.client.get("/v1/payment_intents/search", &query).await;
        let candidates = match found {
            Ok(page) => page.data,
            Err(
                StripeError::Api { status: 404, .. }
                | StripeError::UnreadableError { status: 404, .. },
            ) => {
                let page: List<PaymentIntent> = self
                    .client
                    .get("/v1/payment_intents", &Form::new().field("limit", 100))
                    .await?;
                page.data
            }
            Err(error) => return Err(error.into()),
        };
        let newest = candidates
            .into_iter()
            .filter(|intent| intent.metadata.get(ORDER_ID_METADATA_KEY) == Some(&order_id.0))
            .max_by_key(|intent| intent.created);
        match newest {
            // Re-read with the latest charge expanded, as query_status needs it.
            Some(intent) => Ok(Some(self.client.retrieve_payment_intent(&intent.id).await?)),
            None => Ok(None),
        }
    }
}

/// Seconds since the Unix epoch by the system clock (the adapter may read it; core crates do
/// not).
fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}

/// The PaymentIntent id a capture, void or refund needs.
fn payment_intent_id<'a>(
    payment: &'a PaymentHandle,
    operation: &str,
) -> Result<&'a str, GatewayError> {
    payment
        .reference
        .as_ref()
        .map(|reference| reference.0.as_str())
        .ok_or_else(|| GatewayError::Refused {
            code: "missing_payment_intent".to_owned(),
            message: format!(
                "the order {} has no Stripe PaymentIntent id, so it cannot {operation}; query its \
                 status first",
                payment.order_id
            ),
        })
}

/// Refuses an amount in another currency than the payment's.
fn check_currency(amount: &Money, intent: &PaymentIntent) -> Result<(), GatewayError> {
    if amount
        .currency()
        .alpha_code()
        .eq_ignore_ascii_case(&intent.currency)
    {
        Ok(())
    } else {
        Err(GatewayError::Refused {
            code: "currency_mismatch".to_owned(),
            message: format!(
                "the amount is in {}, the payment {} in {}",
                amount.currency(),
                intent.id,
                intent.currency.to_ascii_uppercase()
            ),
        })
    }
}

/// Refuses a PaymentIntent whose metadata names another order.
fn check_order(intent: &PaymentIntent, order_id: &OrderId) -> Result<(), GatewayError> {
    match intent.metadata.get(ORDER_ID_METADATA_KEY) {
        Some(owner) if owner != &order_id.0 => Err(GatewayError::Malformed(format!(
            "the PaymentIntent {} belongs to the order {owner}, not {order_id}",
            intent.id
        ))),
        _ => Ok(()),
    }
}

/// A PaymentIntent's state as the port's status, by its `status` field: `succeeded` →
/// captured, `requires_capture` → authorised, `canceled` → declined (`canceled`),
/// `requires_payment_method` after a failed attempt → declined with the attempt's code;
/// anything else (`processing`, `requires_action`, `requires_confirmation`, a new status) →
/// pending, never success.
#[must_use]
pub fn payment_status(intent: &PaymentIntent) -> PaymentResultStatus {
    match intent.status.as_str() {
        "succeeded" => PaymentResultStatus::Captured,
        "requires_capture" => PaymentResultStatus::Authorised,
        "canceled" => canceled(intent),
        "requires_payment_method" if intent.last_payment_error.is_some() => failed(intent),
        _ => PaymentResultStatus::Pending,
    }
}

fn canceled(intent: &PaymentIntent) -> PaymentResultStatus {
    PaymentResultStatus::Declined {
        code: "canceled".to_owned(),
        message: intent.cancellation_reason.as_ref().map_or_else(
            || "the payment was canceled".to_owned(),
            |reason| format!("the payment was canceled ({reason})"),
        ),
    }
}

fn failed(intent: &PaymentIntent) -> PaymentResultStatus {
    let error = intent.last_payment_error.clone().unwrap_or_default();
    PaymentResultStatus::Declined {
        code: error
            .decline_code
            .or(error.code)
            .unwrap_or_else(|| "payment_failed".to_owned()),
        message: error
            .message
            .unwrap_or_else(|| "the payment failed".to_owned()),
    }
}

/// A webhook's PaymentIntent as the port's result: the event type decides for the four types
/// that name an outcome, the PaymentIntent's status for the others.
fn result_of_event(event: &StripeEvent) -> Result<PaymentResult, GatewayError> {
    let intent = event.payment_intent()?;
    let status = match event.event_type.as_str() {
        "payment_intent.succeeded" => PaymentResultStatus::Captured,
        "payment_intent.amount_capturable_updated" => PaymentResultStatus::Authorised,
        "payment_intent.payment_failed" => failed(&intent),
        "payment_intent.canceled" => canceled(&intent),
        _ => payment_status(&intent),
    };
    result_of(&intent, status)
}

fn result_of(
    intent: &PaymentIntent,
    status: PaymentResultStatus,
) -> Result<PaymentResult, GatewayError> {
    let order_id = intent
        .metadata
        .get(ORDER_ID_METADATA_KEY)
        .cloned()
        .ok_or_else(|| {
            GatewayError::Malformed(format!(
                "the PaymentIntent {} carries no metadata.{ORDER_ID_METADATA_KEY}",
                intent.id
            ))
        })?;
    let minor_units = intent
        .amount_received
        .filter(|received| *received > 0)
        .unwrap_or(intent.amount);
    Ok(PaymentResult {
        order_id: OrderId(order_id),
        status,
        amount: Some(from_stripe_amount(minor_units, &intent.currency)?),
        reference: Some(GatewayReference(intent.id.clone())),
        card: card_of(intent),
    })
}

/// The card a PaymentIntent was paid with, when Stripe inlined it: the payment method's card,
/// else the latest charge's `payment_method_details.card` (brand and last four digits only).
fn card_of(intent: &PaymentIntent) -> Option<PaymentCard> {
    let from_method = match &intent.payment_method {
        Some(Expandable::Object(method)) => method.card.clone(),
        _ => None,
    };
    let from_charge = || match &intent.latest_charge {
        Some(Expandable::Object(charge)) => charge
            .payment_method_details
            .as_ref()
            .and_then(|details| details.card.clone()),
        _ => None,
    };
    let card = from_method.or_else(from_charge)?;
    PaymentCard::new(&card.brand, &card.last4).ok()
}

/// How much of a PaymentIntent was refunded: the latest charge's `amount_refunded` less the part
/// a partial capture released (Stripe counts it as refunded). `None` when the charge was not
/// expanded.
fn refunded(intent: &PaymentIntent) -> Result<Option<Money>, GatewayError> {
    let Some(latest) = &intent.latest_charge else {
        return from_stripe_amount(0, &intent.currency).map(Some);
    };
    let Some(charge) = latest.object() else {
        return Ok(None);
    };
    let released = if charge.captured {
        let captured = charge
            .amount_captured
            .or(intent.amount_received.filter(|received| *received > 0))
            .unwrap_or(charge.amount);
        charge.amount.saturating_sub(captured).max(0)
    } else {
        0
    };
    let minor_units = charge.amount_refunded.saturating_sub(released).max(0);
    from_stripe_amount(minor_units, &intent.currency).map(Some)
}

/// The reference of a capture: the charge when known, else the PaymentIntent.
fn charge_or_intent(intent: &PaymentIntent) -> GatewayReference {
    GatewayReference(intent.latest_charge.as_ref().map_or_else(
        || intent.id.clone(),
        |charge| Expandable::id(charge).to_owned(),
    ))
}

impl StripeGateway {
    /// The Stripe customer with this e-mail, made when there is none.
    async fn customer_for(
        &self,
        email: &str,
        name: &str,
        language: Option<&str>,
        key: &IdempotencyKey,
    ) -> Result<crate::types::Customer, GatewayError> {
        if let Some(customer) = self.client.find_customer_by_email(email).await? {
            return Ok(customer);
        }
        let name = name.trim();
        Ok(self
            .client
            .create_customer(
                &NewCustomer {
                    email: email.to_owned(),
                    name: (!name.is_empty()).then(|| name.to_owned()),
                    preferred_locales: language.into_iter().map(str::to_owned).collect(),
                    metadata: Vec::new(),
                },
                key,
            )
            .await?)
    }
}

#[async_trait]
impl PaymentGateway for StripeGateway {
    fn name(&self) -> GatewayName {
        GatewayName::new(GATEWAY_NAME)
    }

    fn capabilities(&self) -> kasa_ports::GatewayCapabilities {
        crate::CAPABILITIES
    }

    async fn start_payment(
        &self,
        request: PaymentStart,
    ) -> Result<PaymentInitiation, GatewayError> {
        let customer = self
            .customer_for(
                request.customer_email.as_str(),
                &request.customer_name,
                Some(request.language.code()),
                &IdempotencyKey::derived(&[&request.order_id.0, "customer"]),
            )
            .await?;
        let form = self.payment_intent_form(&request, &customer.id)?;
        let intent = self
            .client
            .create_payment_intent(
                &form,
                &IdempotencyKey::derived(&[&request.order_id.0, "payment_intent"]),
            )
            .await?;
        let client_secret = intent.client_secret.ok_or_else(|| {
            GatewayError::Malformed(format!(
                "Stripe created the PaymentIntent {} without a client secret",
                intent.id
            ))
        })?;
        Ok(PaymentInitiation::ClientConfirmation {
            reference: GatewayReference(intent.id),
            client_secret,
        })
    }

    async fn verify_callback(
        &self,
        callback: GatewayCallback,
    ) -> Result<PaymentResult, GatewayError> {
        let event = self.verify_event(&callback)?;
        result_of_event(&event)
    }

    /// Verifies the delivery and says what it means for Kasa: PaymentIntent events of Kasa's
    /// payments (those carrying its order id) are payment results; `charge.refunded` is the
    /// PaymentIntent's refunded total; `invoice.payment_succeeded` of a subscription is a paid
    /// period; `customer.subscription.deleted` ends one; everything else is acknowledged and
    /// ignored.
    async fn verify_webhook(
        &self,
        callback: GatewayCallback,
    ) -> Result<GatewayEvent, GatewayError> {
        let event = self.verify_event(&callback)?;
        let kind = match event.handled()? {
            HandledEvent::PaymentIntent { payment_intent, .. }
                if payment_intent.metadata.contains_key(ORDER_ID_METADATA_KEY) =>
            {
                GatewayEventKind::Payment(result_of_event(&event)?)
            }
            HandledEvent::InvoicePaymentSucceeded {
                subscription_id: Some(subscription_id),
                invoice_id,
                payment_intent_id,
                amount_paid,
                ..
            } => GatewayEventKind::RecurringPaid {
                subscription: GatewayReference(subscription_id),
                invoice_id,
                payment: payment_intent_id.map(GatewayReference),
                amount: amount_paid,
            },
            HandledEvent::SubscriptionDeleted {
                subscription_id, ..
            } => GatewayEventKind::RecurringEnded {
                subscription: GatewayReference(subscription_id),
            },
            HandledEvent::ChargeRefunded {
                payment_intent_id: Some(payment_intent_id),
                amount_refunded,
                ..
            } => GatewayEventKind::Refunded {
                reference: GatewayReference(payment_intent_id),
                order_id: None,
                refunded_total: amount_refunded,
            },
            _ => GatewayEventKind::Ignored,
        };
        Ok(GatewayEvent {
            id: event.id,
            event_type: event.event_type,
            kind,
        })
    }

    /// A Stripe subscription on a plan for the package (one plan per package, price and period,
    /// made with an idempotency key derived from them), charging the Stripe customer's default
    /// card. A customer without one is refused (`no-saved-card`): they save a card first.
    async fn start_recurring(
        &self,
        start: RecurringStart,
    ) -> Result<GatewayReference, GatewayError> {
        let customer = self
            .client
            .find_customer_by_email(start.customer_email.as_str())
            .await?
            .filter(|customer| customer.invoice_settings.default_payment_method.is_some())
            .ok_or_else(|| GatewayError::Refused {
                code: "no-saved-card".to_owned(),
                message: format!(
                    "Stripe has no saved card for {} to charge each period; the customer saves \
                     one first",
                    start.customer_email
                ),
            })?;
        let (minor_units, currency) = to_stripe_amount(&start.amount)?;
        let plan = self
            .client
            .create_plan(
                &NewPlan {
                    amount: start.amount,
                    interval: PlanInterval::Day,
                    interval_count: start.days,
                    product_name: start.package_name.clone(),
                    nickname: Some(format!("kasa {} ({} days)", start.package_name, start.days)),
                    metadata: vec![("kasa_package_id".to_owned(), start.package_id.clone())],
                },
                &IdempotencyKey::derived(&[
                    "plan",
                    &start.package_id,
                    &minor_units.to_string(),
                    &currency,
                    &start.days.to_string(),
                ]),
            )
            .await?;
        let subscription = self
            .client
            .create_subscription(
                &customer.id,
                &plan.id,
                &[
                    ("kasa_customer_id".to_owned(), start.customer_id.clone()),
                    ("kasa_package_id".to_owned(), start.package_id.clone()),
                ],
                &IdempotencyKey::derived(&[&start.idempotency_key, "subscription"]),
            )
            .await?;
        Ok(GatewayReference(subscription.id))
    }

    /// A SetupIntent for the Stripe customer with this e-mail (made when missing); Stripe.js
    /// confirms it with the card the customer types.
    async fn start_card_update(
        &self,
        customer_email: EmailAddress,
        customer_name: String,
    ) -> Result<PaymentInitiation, GatewayError> {
        // A key of its own per update, tied to the customer: retries of this request reuse it.
        let nonce = nonce();
        let key = |what: &str| {
            IdempotencyKey::derived(&["card-update", customer_email.as_str(), &nonce, what])
        };
        let customer = self
            .customer_for(
                customer_email.as_str(),
                &customer_name,
                None,
                &key("customer"),
            )
            .await?;
        let setup_intent = self
            .client
            .create_setup_intent(&customer.id, &[], &key("setup-intent"))
            .await?;
        let client_secret = setup_intent.client_secret.ok_or_else(|| {
            GatewayError::Malformed(format!(
                "Stripe created the SetupIntent {} without a client secret",
                setup_intent.id
            ))
        })?;
        Ok(PaymentInitiation::ClientConfirmation {
            reference: GatewayReference(setup_intent.id),
            client_secret,
        })
    }

    /// The confirmed SetupIntent's card becomes the Stripe customer's default (refused when the
    /// SetupIntent is not confirmed or belongs to someone else).
    async fn finish_card_update(
        &self,
        customer_email: EmailAddress,
        reference: GatewayReference,
    ) -> Result<(), GatewayError> {
        let customer = self
            .client
            .find_customer_by_email(customer_email.as_str())
            .await?
            .ok_or_else(|| GatewayError::Refused {
                code: "no-customer".to_owned(),
                message: format!("Stripe has no customer {customer_email}"),
            })?;
        self.client
            .use_setup_intent_as_default_card(&customer.id, &reference.0)
            .await
            .map_err(|error| match error {
                StripeError::InvalidRequest(message) => GatewayError::Refused {
                    code: "card-update-refused".to_owned(),
                    message,
                },
                other => other.into(),
            })?;
        Ok(())
    }

    /// The customer's default card (`invoice_settings.default_payment_method`), read from
    /// Stripe: brand and last four digits.
    async fn saved_card(
        &self,
        customer_email: EmailAddress,
    ) -> Result<Option<PaymentCard>, GatewayError> {
        let Some(customer) = self
            .client
            .find_customer_by_email(customer_email.as_str())
            .await?
        else {
            return Ok(None);
        };
        let method = match customer.invoice_settings.default_payment_method {
            None => return Ok(None),
            Some(Expandable::Object(method)) => *method,
            Some(Expandable::Id(id)) => self.client.retrieve_payment_method(&id).await?,
        };
        Ok(method
            .card
            .and_then(|card| PaymentCard::new(&card.brand, &card.last4).ok()))
    }

    /// `DELETE /v1/subscriptions/{id}` now, or `cancel_at_period_end=true`.
    async fn cancel_recurring(
        &self,
        subscription: GatewayReference,
        at_period_end: bool,
    ) -> Result<(), GatewayError> {
        // Ended at Stripe already (its webhook lost or still on the way): nothing to stop.
        match self.client.retrieve_subscription(&subscription.0).await {
            Ok(found) if found.status == "canceled" => return Ok(()),
            Err(StripeError::Api { status: 404, .. }) => return Ok(()),
            Ok(_) => {}
            Err(other) => return Err(other.into()),
        }
        if at_period_end {
            self.client
                .set_cancel_at_period_end(
                    &subscription.0,
                    true,
                    &IdempotencyKey::derived(&[&subscription.0, "cancel-at-period-end"]),
                )
                .await?;
        } else {
            self.client.cancel_subscription_now(&subscription.0).await?;
        }
        Ok(())
    }

    async fn capture(
        &self,
        payment: PaymentHandle,
        amount: Option<Money>,
    ) -> Result<GatewayReceipt, GatewayError> {
        let intent_id = payment_intent_id(&payment, "be captured")?;
        if let Some(amount) = &amount {
            let intent = self.client.retrieve_payment_intent(intent_id).await?;
            check_order(&intent, &payment.order_id)?;
            check_currency(amount, &intent)?;
        }
        let amount_to_capture = amount.as_ref().map(to_stripe_amount).transpose()?;
        let amount_part = amount_to_capture
            .as_ref()
            .map_or_else(|| "full".to_owned(), |(minor, _)| minor.to_string());
        let intent = self
            .client
            .capture_payment_intent(
                intent_id,
                amount_to_capture.as_ref().map(|(minor, _)| *minor),
                &IdempotencyKey::derived(&[&payment.order_id.0, "capture", &amount_part]),
            )
            .await?;
        let captured = intent
            .amount_received
            .filter(|received| *received > 0)
            .or(amount_to_capture.map(|(minor, _)| minor))
            .unwrap_or(intent.amount);
        Ok(GatewayReceipt {
            reference: Some(charge_or_intent(&intent)),
            amount: Some(from_stripe_amount(captured, &intent.currency)?),
        })
    }

    async fn void(&self, payment: PaymentHandle) -> Result<GatewayReceipt, GatewayError> {
        let intent_id = payment_intent_id(&payment, "be voided")?;
        let intent = self
            .client
            .cancel_payment_intent(
                intent_id,
                &IdempotencyKey::derived(&[&payment.order_id.0, "cancel"]),
            )
            .await?;
        Ok(GatewayReceipt {
            reference: Some(GatewayReference(intent.id.clone())),
            amount: Some(from_stripe_amount(intent.amount, &intent.currency)?),
        })
    }

    async fn refund(
        &self,
        payment: PaymentHandle,
        amount: Money,
    ) -> Result<GatewayReceipt, GatewayError> {
        let intent_id = payment_intent_id(&payment, "be refunded")?;
        let intent = self.client.retrieve_payment_intent(intent_id).await?;
        check_order(&intent, &payment.order_id)?;
        check_currency(&amount, &intent)?;
        let (minor_units, _) = to_stripe_amount(&amount)?;
        // What Stripe counts as refunded so far makes a second refund of the same amount a
        // different request, and the same call sent again (retries inside the client) the same.
        let refunded_before = intent
            .latest_charge
            .as_ref()
            .and_then(Expandable::object)
            .map_or(0, |charge| charge.amount_refunded);
        let key = IdempotencyKey::derived(&[
            &payment.order_id.0,
            "refund",
            &minor_units.to_string(),
            &format!("after-{refunded_before}"),
        ]);
        let refund = self
            .client
            .create_refund(
                intent_id,
                Some(minor_units),
                &[(ORDER_ID_METADATA_KEY.to_owned(), payment.order_id.0.clone())],
                &key,
            )
            .await?;
        if matches!(refund.status.as_str(), "failed" | "canceled") {
            return Err(GatewayError::Refused {
                code: format!("refund_{}", refund.status),
                message: format!("Stripe's refund {} {}", refund.id, refund.status),
            });
        }
        let currency = if refund.currency.is_empty() {
            &intent.currency
        } else {
            &refund.currency
        };
        Ok(GatewayReceipt {
            reference: Some(GatewayReference(refund.id.clone())),
            amount: Some(from_stripe_amount(refund.amount, currency)?),
        })
    }

    /// Cancels the PaymentIntent, which Stripe allows until it succeeds, so the card page can no
    /// longer pay it (without a `cancellation_reason`: localstripe, the test double, refuses
    /// every one, and the reason only labels the dashboard); an intent that succeeded, was
    /// authorised or failed meanwhile is reported as it stands, and one being processed (which
    /// Stripe will not cancel) stays pending.
    async fn abandon(&self, payment: PaymentHandle) -> Result<PaymentStatusReport, GatewayError> {
        let report = self.query_status(payment.clone()).await?;
        if report.result.status != PaymentResultStatus::Pending {
            return Ok(report);
        }
        let Some(reference) = report.result.reference.clone() else {
            // Stripe knows no payment of this order: there is nothing left to pay.
            return Ok(report.abandoned());
        };
        match self
            .client
            .cancel_payment_intent(
                &reference.0,
                &IdempotencyKey::derived(&[&payment.order_id.0, "abandon"]),
            )
            .await
        {
            Ok(_) => Ok(report.abandoned()),
            Err(error) => {
                // Decided meanwhile (it succeeded between the two calls)? Then that stands.
                let again = self.query_status(payment).await?;
                if again.result.status == PaymentResultStatus::Pending {
                    Err(error.into())
                } else {
                    Ok(again)
                }
            }
        }
    }

    async fn query_status(
        &self,
        payment: PaymentHandle,
    ) -> Result<PaymentStatusReport, GatewayError> {
        let intent = match &payment.reference {
            Some(reference) => Some(self.client.retrieve_payment_intent(&reference.0).await?),
            None => self.find_payment_intent(&payment.order_id).await?,
        };
        let Some(intent) = intent else {
            // Stripe knows no payment of this order: nothing happened yet.
            return Ok(PaymentStatusReport::nothing_yet(payment.order_id));
        };
        check_order(&intent, &payment.order_id)?;
        let mut result = result_of(&intent, payment_status(&intent)).or_else(|error| {
            // A PaymentIntent made outside Kasa has no order metadata; the handle names it.
            match error {
                GatewayError::Malformed(_)
                    if !intent.metadata.contains_key(ORDER_ID_METADATA_KEY) =>
                {
                    Ok(PaymentResult {
                        order_id: payment.order_id.clone(),
                        status: payment_status(&intent),
                        amount: Some(from_stripe_amount(intent.amount, &intent.currency)?),
                        reference: Some(GatewayReference(intent.id.clone())),
                        card: card_of(&intent),
                    })
                }
                other => Err(other),
            }
        })?;
        result.order_id = payment.order_id;
        Ok(PaymentStatusReport {
            refunded: refunded(&intent)?,
            voided: intent.status == "canceled",
            result,
        })
    }
}

/// A random text for the idempotency keys of a request that has no id of Kasa's (a card
/// update); the clock stands in should the system have no randomness to give.
fn nonce() -> String {
    let mut bytes = [0_u8; 16];
    if getrandom::fill(&mut bytes).is_ok() {
        hex::encode(bytes)
    } else {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_nanos())
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use kasa_ports::Secret;

    use super::*;
    use crate::types::{ApiErrorDetails, Charge};

    fn intent(status: &str) -> PaymentIntent {
        PaymentIntent {
            id: "pi_1".to_owned(),
            amount: 10_000,
            currency: "try".to_owned(),
            status: status.to_owned(),
            metadata: [(ORDER_ID_METADATA_KEY.to_owned(), "ord_1".to_owned())].into(),
            ..PaymentIntent::default()
        }
    }

    #[test]
    fn statuses_map_to_the_port_and_unknown_ones_stay_pending() {
        assert_eq!(
            payment_status(&intent("succeeded")),
            PaymentResultStatus::Captured
        );
        assert_eq!(
            payment_status(&intent("requires_capture")),
            PaymentResultStatus::Authorised
        );
        assert!(matches!(
            payment_status(&intent("canceled")),
            PaymentResultStatus::Declined { code, .. } if code == "canceled"
        ));
        for pending in [
            "requires_payment_method",
            "requires_confirmation",
            "requires_action",
            "processing",
            "something_new",
            "",
        ] {
            assert_eq!(
                payment_status(&intent(pending)),
                PaymentResultStatus::Pending,
                "{pending}"
            );
        }
        let mut declined = intent("requires_payment_method");
        declined.last_payment_error = Some(ApiErrorDetails {
            code: Some("card_declined".to_owned()),
            decline_code: Some("insufficient_funds".to_owned()),
            message: Some("Your card has insufficient funds.".to_owned()),
            ..ApiErrorDetails::default()
        });
        assert_eq!(
            payment_status(&declined),
            PaymentResultStatus::Declined {
                code: "insufficient_funds".to_owned(),
                message: "Your card has insufficient funds.".to_owned()
            }
        );
    }

    #[test]
    fn refunded_leaves_out_what_a_partial_capture_released() {
        let mut partly = intent("succeeded");
        partly.amount_received = Some(6_000);
        partly.latest_charge = Some(Expandable::Object(Box::new(Charge {
            id: "ch_1".to_owned(),
            amount: 10_000,
            amount_captured: Some(6_000),
            amount_refunded: 5_000,
            captured: true,
            ..Charge::default()
        })));
        assert_eq!(
            refunded(&partly).unwrap(),
            Some(from_stripe_amount(1_000, "try").unwrap())
        );
        let mut not_expanded = intent("succeeded");
        not_expanded.latest_charge = Some(Expandable::Id("ch_1".to_owned()));
        assert_eq!(refunded(&not_expanded).unwrap(), None);
        assert_eq!(
            refunded(&intent("requires_payment_method")).unwrap(),
            Some(from_stripe_amount(0, "try").unwrap())
        );
    }

    fn gateway(dialect: Dialect) -> StripeGateway {
        let mut config = StripeConfig::new(Secret::new("sk_test_1"), Secret::new("whsec_1"));
        config.dialect = dialect;
        config.statement_descriptor = Some("KASA".to_owned());
        StripeGateway::new(config).unwrap()
    }

    fn start(capture: CaptureMode) -> PaymentStart {
        PaymentStart {
            order_id: OrderId("ord_1".to_owned()),
            amount: Money::from_minor_units(105_050, kasa_domain::Currency::Try).unwrap(),
            capture,
            customer_email: kasa_domain::EmailAddress::parse("ayse@example.com").unwrap(),
            customer_name: "Ayşe".to_owned(),
            language: kasa_domain::Language::Tr,
            description: "10 kredi".to_owned(),
            success_url: "https://kasa.example/ok".to_owned(),
            failure_url: "https://kasa.example/fail".to_owned(),
        }
    }

    #[tokio::test]
    async fn the_payment_intent_form_carries_minor_units_capture_mode_and_the_order() {
        let form = gateway(Dialect::Stripe)
            .payment_intent_form(&start(CaptureMode::AuthoriseOnly), "cus_1")
            .unwrap();
        let fields: Vec<(&str, &str)> = form
            .fields()
            .iter()
            .map(|(key, value)| (key.as_str(), value.as_str()))
            .collect();
        assert_eq!(
            fields,
            [
                ("amount", "105050"),
                ("currency", "try"),
                ("capture_method", "manual"),
                ("customer", "cus_1"),
                ("metadata[kasa_order_id]", "ord_1"),
                ("metadata[kasa_description]", "10 kredi"),
                ("description", "10 kredi"),
                ("receipt_email", "ayse@example.com"),
                ("statement_descriptor_suffix", "KASA"),
            ]
        );
        let local = gateway(Dialect::LocalStripe)
            .payment_intent_form(&start(CaptureMode::Immediate), "cus_1")
            .unwrap();
        assert!(
            local
                .fields()
                .contains(&("capture_method".to_owned(), "automatic".to_owned()))
        );
        assert!(!local.fields().iter().any(|(key, _)| key == "description"
            || key == "receipt_email"
            || key == "statement_descriptor_suffix"));
    }

    #[tokio::test]
    async fn operations_without_a_payment_intent_id_are_refused_before_calling_stripe() {
        let gateway = gateway(Dialect::Stripe);
        let handle = PaymentHandle {
            order_id: OrderId("ord_1".to_owned()),
            reference: None,
        };
        let amount = Money::from_minor_units(100, kasa_domain::Currency::Try).unwrap();
        for result in [
            gateway.capture(handle.clone(), None).await,
            gateway.void(handle.clone()).await,
            gateway.refund(handle.clone(), amount).await,
        ] {
            assert!(matches!(
                result,
                Err(GatewayError::Refused { code, .. }) if code == "missing_payment_intent"
            ));
        }
    }
}
