//! Webhook events: [`StripeEvent`] read from a verified payload, and [`HandledEvent`], the
//! events Kasa acts on with the fields it needs.

use kasa_domain::Money;
use kasa_ports::GatewayError;
use serde::Deserialize;
use serde_json::Value;

use crate::client::from_stripe_amount;
use crate::types::{Charge, Invoice, PaymentIntent, Subscription};

/// A webhook event (`{"id":"evt_…","type":"…","created":…,"data":{"object":{…}}}`).
#[derive(Clone, Debug, PartialEq)]
pub struct StripeEvent {
    /// `evt_…`: the same event may be delivered more than once; act on each id once.
    pub id: String,
    /// `payment_intent.succeeded`, `charge.refunded`, …
    pub event_type: String,
    /// When Stripe made the event (Unix seconds).
    pub created: i64,
    /// `data.object`: the object the event is about, as it was then.
    pub object: Value,
}

#[derive(Deserialize)]
struct RawEvent {
    id: String,
    #[serde(rename = "type")]
    event_type: String,
    #[serde(default)]
    created: Option<i64>,
    data: RawData,
}

#[derive(Deserialize)]
struct RawData {
    object: Value,
}

/// The events Kasa handles, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HandledEvent {
    /// `payment_intent.*`: a payment changed (succeeded, failed, canceled, authorised, …).
    PaymentIntent {
        /// The event type, to tell which change.
        event_type: String,
        /// The PaymentIntent as it was then.
        payment_intent: Box<PaymentIntent>,
    },
    /// `charge.refunded`: money was given back.
    ChargeRefunded {
        /// The charge.
        charge_id: String,
        /// Its PaymentIntent, when it has one.
        payment_intent_id: Option<String>,
        /// Everything refunded so far (a total, not this refund's amount).
        amount_refunded: Money,
    },
    /// `invoice.payment_succeeded` (or `invoice.paid`): a subscription period was paid.
    InvoicePaymentSucceeded {
        /// The invoice.
        invoice_id: String,
        /// The PaymentIntent that paid it, when the invoice names it (refunds go through it).
        payment_intent_id: Option<String>,
        /// The subscription it bills, when it bills one.
        subscription_id: Option<String>,
        /// What was paid.
        amount_paid: Money,
        /// The end of the paid service period (Unix seconds), when known.
        period_end_unix: Option<i64>,
    },
    /// `customer.subscription.deleted`: a subscription ended.
    SubscriptionDeleted {
        /// The subscription.
        subscription_id: String,
        /// Its customer.
        customer_id: Option<String>,
    },
    /// Any other event: acknowledged, nothing to do.
    Other,
}

impl StripeEvent {
    /// Reads an event from a webhook's raw body. Verify the signature first
    /// ([`crate::StripeGateway::verify_webhook`] does both).
    ///
    /// # Errors
    /// [`GatewayError::Malformed`] when it is not an event.
    pub fn parse(payload: &[u8]) -> Result<Self, GatewayError> {
        let raw: RawEvent = serde_json::from_slice(payload).map_err(|error| {
            GatewayError::Malformed(format!("the webhook body is not a Stripe event: {error}"))
        })?;
        Ok(Self {
            id: raw.id,
            event_type: raw.event_type,
            created: raw.created.unwrap_or_default(),
            object: raw.data.object,
        })
    }

    /// The object read as `T`.
    ///
    /// # Errors
    /// [`GatewayError::Malformed`] when it is not one.
    pub fn object_as<T: serde::de::DeserializeOwned>(&self) -> Result<T, GatewayError> {
        serde_json::from_value(self.object.clone()).map_err(|error| {
            GatewayError::Malformed(format!(
                "the object of the {} event {} could not be read: {error}",
                self.event_type, self.id
            ))
        })
    }

    /// Whether the event is about a PaymentIntent.
    #[must_use]
    pub fn is_payment_intent(&self) -> bool {
        self.event_type.starts_with("payment_intent.")
            && self.object.get("object").and_then(Value::as_str) != Some("charge")
    }

    /// The PaymentIntent of a `payment_intent.*` event.
    ///
    /// # Errors
    /// [`GatewayError::Malformed`] naming the event type for any other event.
    pub fn payment_intent(&self) -> Result<PaymentIntent, GatewayError> {
        if !self.is_payment_intent() {
            return Err(GatewayError::Malformed(format!(
                "the Stripe event {} is a {}, not a payment_intent event",
                self.id, self.event_type
            )));
        }
        self.object_as()
    }

    /// The event with the fields Kasa acts on.
    ///
    /// # Errors
    /// [`GatewayError::Malformed`] when a handled event lacks what Kasa needs (or has a
    /// currency Kasa does not sell in).
    pub fn handled(&self) -> Result<HandledEvent, GatewayError> {
        match self.event_type.as_str() {
            event_type if event_type.starts_with("payment_intent.") => {
                Ok(HandledEvent::PaymentIntent {
                    event_type: self.event_type.clone(),
                    payment_intent: Box::new(self.payment_intent()?),
                })
            }
            "charge.refunded" => {
                let charge: Charge = self.object_as()?;
                // An authorisation cancelled before capture shows as refunded: no money moved.
                if !charge.captured {
                    return Ok(HandledEvent::Other);
                }
                // After a partial capture Stripe counts the released rest as refunded too.
                let released = charge
                    .amount_captured
                    .map_or(0, |captured| charge.amount.saturating_sub(captured).max(0));
                Ok(HandledEvent::ChargeRefunded {
                    amount_refunded: from_stripe_amount(
                        charge.amount_refunded.saturating_sub(released).max(0),
                        &charge.currency,
                    )?,
                    charge_id: charge.id,
                    payment_intent_id: charge.payment_intent,
                })
            }
            "invoice.payment_succeeded" | "invoice.paid" => {
                let invoice: Invoice = self.object_as()?;
                Ok(HandledEvent::InvoicePaymentSucceeded {
                    payment_intent_id: invoice
                        .payment_intent
                        .as_ref()
                        .map(|intent| intent.id().to_owned()),
                    amount_paid: from_stripe_amount(invoice.amount_paid, &invoice.currency)?,
                    subscription_id: invoice.subscription_id().map(str::to_owned),
                    period_end_unix: invoice.service_period_end(),
                    invoice_id: invoice.id,
                })
            }
            "customer.subscription.deleted" => {
                let subscription: Subscription = self.object_as()?;
                Ok(HandledEvent::SubscriptionDeleted {
                    customer_id: subscription
                        .customer
                        .as_ref()
                        .map(|customer| customer.id().to_owned()),
                    subscription_id: subscription.id,
                })
            }
            _ => Ok(HandledEvent::Other),
        }
    }
}

#[cfg(test)]
mod tests {
    use kasa_domain::Currency;

    use super::*;

    fn event(event_type: &str, object: Value) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "id": "evt_1", "object": "event", "type": event_type, "created": 1_700_000_000,
            "api_version": "2024-06-20", "data": {"object": object}
        }))
        .unwrap()
    }

    #[test]
    fn charge_refunded_reports_the_total_refunded() {
        // Shaped like Stripe's documented charge.refunded payload.
        let payload = event(
            "charge.refunded",
            serde_json::json!({"id": "ch_1", "object": "charge", "amount": 5000,
                "amount_captured": 5000, "captured": true,
                "amount_refunded": 2000, "currency": "try", "payment_intent": "pi_1",
                "refunded": false}),
        );
        let event = StripeEvent::parse(&payload).unwrap();
        assert_eq!(event.created, 1_700_000_000);
        assert_eq!(
            event.handled().unwrap(),
            HandledEvent::ChargeRefunded {
                charge_id: "ch_1".to_owned(),
                payment_intent_id: Some("pi_1".to_owned()),
                amount_refunded: Money::from_minor_units(2000, Currency::Try).unwrap(),
            }
        );
        assert!(matches!(
            event.payment_intent(),
            Err(GatewayError::Malformed(message)) if message.contains("charge.refunded")
        ));
    }

    #[test]
    fn charge_refunded_leaves_out_what_a_partial_capture_released_and_uncaptured_charges() {
        // 100.00 authorised, 60.00 captured (40.00 released), 20.00 refunded: Stripe says 60.00.
        let partly = StripeEvent::parse(&event(
            "charge.refunded",
            serde_json::json!({"id": "ch_2", "object": "charge", "amount": 10_000,
                "amount_captured": 6_000, "captured": true, "amount_refunded": 6_000,
                "currency": "try", "payment_intent": "pi_2"}),
        ))
        .unwrap();
        assert!(matches!(
            partly.handled().unwrap(),
            HandledEvent::ChargeRefunded { amount_refunded, .. }
                if amount_refunded == Money::from_minor_units(2_000, Currency::Try).unwrap()
        ));
        // An authorisation cancelled before capture is "refunded" without money moving.
        let cancelled = StripeEvent::parse(&event(
            "charge.refunded",
            serde_json::json!({"id": "ch_3", "object": "charge", "amount": 10_000,
                "captured": false, "amount_refunded": 10_000, "currency": "try",
                "payment_intent": "pi_3"}),
        ))
        .unwrap();
        assert_eq!(cancelled.handled().unwrap(), HandledEvent::Other);
    }

    #[test]
    fn invoice_and_subscription_events_read_their_ids() {
        let invoice = StripeEvent::parse(&event(
            "invoice.payment_succeeded",
            serde_json::json!({"id": "in_1", "object": "invoice", "subscription": "sub_1",
                "amount_paid": 9900, "currency": "usd", "period_end": 1,
                "lines": {"object": "list", "data": [{"period": {"start": 1, "end": 2}}]}}),
        ))
        .unwrap();
        assert_eq!(
            invoice.handled().unwrap(),
            HandledEvent::InvoicePaymentSucceeded {
                invoice_id: "in_1".to_owned(),
                payment_intent_id: None,
                subscription_id: Some("sub_1".to_owned()),
                amount_paid: Money::from_minor_units(9900, Currency::Usd).unwrap(),
                period_end_unix: Some(2),
            }
        );
        let deleted = StripeEvent::parse(&event(
            "customer.subscription.deleted",
            serde_json::json!({"id": "sub_1", "object": "subscription", "customer": "cus_1",
                "status": "canceled"}),
        ))
        .unwrap();
        assert_eq!(
            deleted.handled().unwrap(),
            HandledEvent::SubscriptionDeleted {
                subscription_id: "sub_1".to_owned(),
                customer_id: Some("cus_1".to_owned()),
            }
        );
        let other = StripeEvent::parse(&event(
            "customer.created",
            serde_json::json!({"id": "cus_1"}),
        ))
        .unwrap();
        assert_eq!(other.handled().unwrap(), HandledEvent::Other);
    }

    #[test]
    fn what_is_not_an_event_is_malformed() {
        for payload in [&b"not json"[..], br#"{"id":"evt_1"}"#, br#"[]"#] {
            assert!(matches!(
                StripeEvent::parse(payload),
                Err(GatewayError::Malformed(_))
            ));
        }
        let odd_currency = StripeEvent::parse(&event(
            "charge.refunded",
            serde_json::json!({"id": "ch_1", "captured": true, "amount_refunded": 1, "currency": "jpy"}),
        ))
        .unwrap();
        assert!(matches!(
            odd_currency.handled(),
            Err(GatewayError::Malformed(_))
        ));
    }
}
