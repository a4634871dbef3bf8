//! Stripe's objects as this adapter reads them. Every field but `id` may be missing or `null`
//! (it then takes its default), unknown fields are ignored, and ids that Stripe can expand into
//! objects are [`Expandable`], so answers of other API versions and of localstripe still read.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// A field's default when it is `null` as well as when it is missing.
fn nullable<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// Metadata values are text at Stripe; anything else (from a fake) is kept as its JSON text.
fn metadata<'de, D>(deserializer: D) -> Result<BTreeMap<String, String>, D::Error>
where
    D: Deserializer<'de>,
{
    let values = Option::<BTreeMap<String, Value>>::deserialize(deserializer)?.unwrap_or_default();
    Ok(values
        .into_iter()
        .filter_map(|(key, value)| match value {
            Value::Null => None,
            Value::String(text) => Some((key, text)),
            other => Some((key, other.to_string())),
        })
        .collect())
}

/// An id Stripe may have replaced by the object it names (`expand[]`, or localstripe, which
/// always inlines some).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Expandable<T> {
    /// Just the id.
    Id(String),
    /// The object.
    Object(Box<T>),
}

/// Objects that have an id.
pub trait HasId {
    /// The object's id.
    fn id(&self) -> &str;
}

impl<T: HasId> Expandable<T> {
    /// The id, whichever form came.
    #[must_use]
    pub fn id(&self) -> &str {
        match self {
            Self::Id(id) => id,
            Self::Object(object) => object.id(),
        }
    }

    /// The object, when it was expanded.
    #[must_use]
    pub fn object(&self) -> Option<&T> {
        match self {
            Self::Id(_) => None,
            Self::Object(object) => Some(object),
        }
    }
}

macro_rules! has_id {
    ($($type:ty),*) => {
        $(impl HasId for $type {
            fn id(&self) -> &str {
                &self.id
            }
        })*
    };
}

has_id!(
    Customer,
    PaymentIntent,
    Charge,
    Refund,
    PaymentMethod,
    SetupIntent,
    Plan,
    Product,
    Subscription,
    TaxId,
    Invoice
);

/// A page of a list (`{"object":"list","data":[…],"has_more":…}`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub struct List<T> {
    /// The items of this page.
    #[serde(default = "Vec::new", deserialize_with = "nullable")]
    pub data: Vec<T>,
    /// Whether more items follow.
    #[serde(default, deserialize_with = "nullable")]
    pub has_more: bool,
}

impl<T> Default for List<T> {
    fn default() -> Self {
        Self {
            data: Vec::new(),
            has_more: false,
        }
    }
}

/// What a DELETE answers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct Deleted {
    /// The deleted object's id.
    pub id: String,
    /// `true`.
    #[serde(default, deserialize_with = "nullable")]
    pub deleted: bool,
}

/// A customer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct Customer {
    /// `cus_…`.
    pub id: String,
    /// The e-mail address.
    #[serde(default)]
    pub email: Option<String>,
    /// The name.
    #[serde(default)]
    pub name: Option<String>,
    /// Invoice settings (the default payment method).
    #[serde(default, deserialize_with = "nullable")]
    pub invoice_settings: InvoiceSettings,
    /// Whether the customer was deleted.
    #[serde(default, deserialize_with = "nullable")]
    pub deleted: bool,
    /// Metadata.
    #[serde(default, deserialize_with = "metadata")]
    pub metadata: BTreeMap<String, String>,
}

/// A customer's invoice settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct InvoiceSettings {
    /// The payment method subscriptions and invoices charge.
    #[serde(default)]
    pub default_payment_method: Option<Expandable<PaymentMethod>>,
}

/// A PaymentIntent: one payment's life at Stripe.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct PaymentIntent {
    /// `pi_…`.
    pub id: String,
    /// When it was made (Unix seconds).
    #[serde(default)]
    pub created: Option<i64>,
    /// The amount in minor units.
    #[serde(default, deserialize_with = "nullable")]
    pub amount: i64,
    /// How much was captured, in minor units (missing at localstripe).
    #[serde(default)]
    pub amount_received: Option<i64>,
    /// How much may still be captured, in minor units (missing at localstripe).
    #[serde(default)]
    pub amount_capturable: Option<i64>,
    /// The currency, lower-case ISO code.
    #[serde(default, deserialize_with = "nullable")]
    pub currency: String,
    /// `requires_payment_method`, `requires_confirmation`, `requires_action`, `processing`,
    /// `requires_capture`, `canceled` or `succeeded`.
    #[serde(default, deserialize_with = "nullable")]
    pub status: String,
    /// The secret the checkout page confirms with.
    #[serde(default)]
    pub client_secret: Option<String>,
    /// `automatic`, `automatic_async` or `manual`.
    #[serde(default)]
    pub capture_method: Option<String>,
    /// The customer.
    #[serde(default)]
    pub customer: Option<Expandable<Customer>>,
    /// The payment method.
    #[serde(default)]
    pub payment_method: Option<Expandable<PaymentMethod>>,
    /// Metadata (`kasa_order_id`).
    #[serde(default, deserialize_with = "metadata")]
    pub metadata: BTreeMap<String, String>,
    /// The latest charge (an id unless expanded; localstripe always inlines it).
    #[serde(default)]
    pub latest_charge: Option<Expandable<Charge>>,
    /// Why the last attempt failed.
    #[serde(default)]
    pub last_payment_error: Option<ApiErrorDetails>,
    /// Why it was canceled.
    #[serde(default)]
    pub cancellation_reason: Option<String>,
    /// What the customer must still do (3-D Secure), when anything.
    #[serde(default)]
    pub next_action: Option<Value>,
    /// The invoice this payment pays, for subscription payments.
    #[serde(default)]
    pub invoice: Option<Expandable<Invoice>>,
}

/// A charge (the card payment under a PaymentIntent).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct Charge {
    /// `ch_…`.
    pub id: String,
    /// The authorised amount, in minor units.
    #[serde(default, deserialize_with = "nullable")]
    pub amount: i64,
    /// The captured amount, in minor units (missing at localstripe and in old API versions).
    #[serde(default)]
    pub amount_captured: Option<i64>,
    /// The refunded amount, in minor units; after a partial capture Stripe counts the released
    /// rest here too.
    #[serde(default, deserialize_with = "nullable")]
    pub amount_refunded: i64,
    /// Whether it was captured.
    #[serde(default, deserialize_with = "nullable")]
    pub captured: bool,
    /// Whether it was refunded in full.
    #[serde(default, deserialize_with = "nullable")]
    pub refunded: bool,
    /// `succeeded`, `pending` or `failed`.
    #[serde(default, deserialize_with = "nullable")]
    pub status: String,
    /// The currency, lower-case ISO code.
    #[serde(default, deserialize_with = "nullable")]
    pub currency: String,
    /// The PaymentIntent it belongs to.
    #[serde(default)]
    pub payment_intent: Option<String>,
    /// Why it failed.
    #[serde(default)]
    pub failure_code: Option<String>,
    /// Why it failed, in words.
    #[serde(default)]
    pub failure_message: Option<String>,
    /// How it was paid (the card's brand and last four digits).
    #[serde(default)]
    pub payment_method_details: Option<ChargePaymentMethodDetails>,
}

/// How a charge was paid.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct ChargePaymentMethodDetails {
    /// The card's public details, for card payments.
    #[serde(default)]
    pub card: Option<CardDetails>,
}

/// A refund.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct Refund {
    /// `re_…`.
    pub id: String,
    /// The refunded amount, in minor units.
    #[serde(default, deserialize_with = "nullable")]
    pub amount: i64,
    /// The currency, lower-case ISO code.
    #[serde(default, deserialize_with = "nullable")]
    pub currency: String,
    /// `pending`, `succeeded`, `failed`, `canceled` or `requires_action`.
    #[serde(default, deserialize_with = "nullable")]
    pub status: String,
    /// The refunded PaymentIntent.
    #[serde(default)]
    pub payment_intent: Option<String>,
    /// The refunded charge.
    #[serde(default)]
    pub charge: Option<String>,
    /// Metadata.
    #[serde(default, deserialize_with = "metadata")]
    pub metadata: BTreeMap<String, String>,
}

/// A saved payment method (a card).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct PaymentMethod {
    /// `pm_…`.
    pub id: String,
    /// `card`, `sepa_debit`, …
    #[serde(rename = "type", default, deserialize_with = "nullable")]
    pub method_type: String,
    /// The customer it is attached to.
    #[serde(default)]
    pub customer: Option<String>,
    /// The card's public details.
    #[serde(default)]
    pub card: Option<CardDetails>,
}

/// A card's public details.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct CardDetails {
    /// `visa`, `mastercard`, …
    #[serde(default, deserialize_with = "nullable")]
    pub brand: String,
    /// The last four digits.
    #[serde(default, deserialize_with = "nullable")]
    pub last4: String,
    /// Expiry month, 1-12.
    #[serde(default, deserialize_with = "nullable")]
    pub exp_month: u32,
    /// Expiry year.
    #[serde(default, deserialize_with = "nullable")]
    pub exp_year: u32,
}

/// A SetupIntent: saving a card for later payments.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct SetupIntent {
    /// `seti_…`.
    pub id: String,
    /// `requires_payment_method`, `requires_confirmation`, `requires_action`, `processing`,
    /// `canceled` or `succeeded`.
    #[serde(default, deserialize_with = "nullable")]
    pub status: String,
    /// The customer the card is saved for.
    #[serde(default)]
    pub customer: Option<String>,
    /// The card, once given.
    #[serde(default)]
    pub payment_method: Option<Expandable<PaymentMethod>>,
    /// The secret the card page confirms with.
    #[serde(default)]
    pub client_secret: Option<String>,
    /// `off_session` or `on_session`.
    #[serde(default)]
    pub usage: Option<String>,
}

/// A plan: a price that repeats (Kasa makes one per subscription package).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct Plan {
    /// `plan_…` (or the id given at creation).
    pub id: String,
    /// The amount per interval, in minor units.
    #[serde(default, deserialize_with = "nullable")]
    pub amount: i64,
    /// The currency, lower-case ISO code.
    #[serde(default, deserialize_with = "nullable")]
    pub currency: String,
    /// `day`, `week`, `month` or `year`.
    #[serde(default, deserialize_with = "nullable")]
    pub interval: String,
    /// How many intervals one period has.
    #[serde(default, deserialize_with = "nullable")]
    pub interval_count: u32,
    /// Whether it can be subscribed to.
    #[serde(default, deserialize_with = "nullable")]
    pub active: bool,
    /// The product.
    #[serde(default)]
    pub product: Option<Expandable<Product>>,
    /// Metadata.
    #[serde(default, deserialize_with = "metadata")]
    pub metadata: BTreeMap<String, String>,
}

/// A product (what a plan sells).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct Product {
    /// `prod_…`.
    pub id: String,
    /// Its name.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
}

/// A subscription of a customer to a plan.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct Subscription {
    /// `sub_…`.
    pub id: String,
    /// The customer.
    #[serde(default)]
    pub customer: Option<Expandable<Customer>>,
    /// `incomplete`, `incomplete_expired`, `trialing`, `active`, `past_due`, `canceled`,
    /// `unpaid` or `paused`.
    #[serde(default, deserialize_with = "nullable")]
    pub status: String,
    /// Whether it ends at the end of the current period.
    #[serde(default, deserialize_with = "nullable")]
    pub cancel_at_period_end: bool,
    /// When it was canceled (Unix seconds).
    #[serde(default)]
    pub canceled_at: Option<i64>,
    /// When it ended (Unix seconds).
    #[serde(default)]
    pub ended_at: Option<i64>,
    /// The current period's start (Unix seconds; on the items from API version 2025-03-31).
    #[serde(default)]
    pub current_period_start: Option<i64>,
    /// The current period's end (Unix seconds; on the items from API version 2025-03-31).
    #[serde(default)]
    pub current_period_end: Option<i64>,
    /// The items (Kasa makes one per subscription).
    #[serde(default, deserialize_with = "nullable")]
    pub items: List<SubscriptionItem>,
    /// The latest invoice.
    #[serde(default)]
    pub latest_invoice: Option<Expandable<Invoice>>,
    /// Metadata.
    #[serde(default, deserialize_with = "metadata")]
    pub metadata: BTreeMap<String, String>,
}

impl Subscription {
    /// The current period's end (Unix seconds), from the subscription or its first item.
    #[must_use]
    pub fn period_end(&self) -> Option<i64> {
        self.current_period_end.or_else(|| {
            self.items
                .data
                .first()
                .and_then(|item| item.current_period_end)
        })
    }
}

/// One item of a subscription.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct SubscriptionItem {
    /// `si_…`.
    pub id: String,
    /// The plan.
    #[serde(default)]
    pub plan: Option<Plan>,
    /// How many.
    #[serde(default)]
    pub quantity: Option<u32>,
    /// The current period's end (Unix seconds; API version 2025-03-31 and later).
    #[serde(default)]
    pub current_period_end: Option<i64>,
}

/// A customer's tax ID.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct TaxId {
    /// `txi_…`.
    pub id: String,
    /// `eu_vat`, `tr_tin`, …
    #[serde(rename = "type", default, deserialize_with = "nullable")]
    pub tax_id_type: String,
    /// The number.
    #[serde(default, deserialize_with = "nullable")]
    pub value: String,
    /// The country, ISO alpha-2.
    #[serde(default)]
    pub country: Option<String>,
    /// The customer.
    #[serde(default)]
    pub customer: Option<String>,
    /// Stripe's verification.
    #[serde(default)]
    pub verification: Option<TaxIdVerification>,
}

/// Stripe's verification of a tax ID.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct TaxIdVerification {
    /// `pending`, `verified`, `unverified` or `unavailable`.
    #[serde(default, deserialize_with = "nullable")]
    pub status: String,
}

/// An invoice (Stripe's, of a subscription payment; Kasa issues its own invoices).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct Invoice {
    /// `in_…`.
    pub id: String,
    /// `draft`, `open`, `paid`, `uncollectible` or `void`.
    #[serde(default, deserialize_with = "nullable")]
    pub status: String,
    /// The customer.
    #[serde(default)]
    pub customer: Option<String>,
    /// The subscription (before API version 2025-03-31; later under `parent`).
    #[serde(default)]
    pub subscription: Option<String>,
    /// Where the invoice comes from (API version 2025-03-31 and later).
    #[serde(default)]
    pub parent: Option<InvoiceParent>,
    /// What was paid, in minor units.
    #[serde(default, deserialize_with = "nullable")]
    pub amount_paid: i64,
    /// The currency, lower-case ISO code.
    #[serde(default, deserialize_with = "nullable")]
    pub currency: String,
    /// The invoice's own period end (Unix seconds; for a subscription's first invoice Stripe
    /// puts the creation time here, the service period is on the lines).
    #[serde(default)]
    pub period_end: Option<i64>,
    /// The lines.
    #[serde(default, deserialize_with = "nullable")]
    pub lines: List<InvoiceLine>,
    /// The PaymentIntent that paid it (the pinned API version names it here), as an id or
    /// expanded.
    #[serde(default)]
    pub payment_intent: Option<Expandable<PaymentIntent>>,
}

impl Invoice {
    /// The subscription it bills, wherever the API version put it.
    #[must_use]
    pub fn subscription_id(&self) -> Option<&str> {
        self.subscription.as_deref().or_else(|| {
            self.parent
                .as_ref()
                .and_then(|parent| parent.subscription_details.as_ref())
                .and_then(|details| details.subscription.as_deref())
        })
    }

    /// The end of the service period it bills: the first line's period end, else the invoice's.
    #[must_use]
    pub fn service_period_end(&self) -> Option<i64> {
        self.lines
            .data
            .first()
            .and_then(|line| line.period.as_ref())
            .and_then(|period| period.end)
            .or(self.period_end)
    }
}

/// Where an invoice comes from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct InvoiceParent {
    /// The subscription's details, for a subscription invoice.
    #[serde(default)]
    pub subscription_details: Option<SubscriptionDetails>,
}

/// A subscription invoice's origin.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct SubscriptionDetails {
    /// The subscription.
    #[serde(default)]
    pub subscription: Option<String>,
}

/// One line of an invoice.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct InvoiceLine {
    /// The amount, in minor units.
    #[serde(default, deserialize_with = "nullable")]
    pub amount: i64,
    /// The service period.
    #[serde(default)]
    pub period: Option<Period>,
}

/// A period (Unix seconds).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct Period {
    /// Start.
    #[serde(default)]
    pub start: Option<i64>,
    /// End.
    #[serde(default)]
    pub end: Option<i64>,
}

/// Stripe's error document: `{"error": {…}}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct ApiErrorBody {
    /// The error.
    pub error: ApiErrorDetails,
}

/// The details of an error (also a PaymentIntent's `last_payment_error`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct ApiErrorDetails {
    /// `api_error`, `card_error`, `idempotency_error` or `invalid_request_error`.
    #[serde(rename = "type", default)]
    pub error_type: Option<String>,
    /// A short code (`card_declined`, `resource_missing`, …).
    #[serde(default)]
    pub code: Option<String>,
    /// The bank's reason for a card decline (`insufficient_funds`, …).
    #[serde(default)]
    pub decline_code: Option<String>,
    /// The message.
    #[serde(default)]
    pub message: Option<String>,
    /// The parameter the error is about.
    #[serde(default)]
    pub param: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_and_null_fields_take_defaults_and_unknown_ones_are_ignored() {
        let intent: PaymentIntent = serde_json::from_value(serde_json::json!({
            "id": "pi_1", "amount": null, "status": "succeeded", "brand_new_field": {"x": 1},
            "metadata": {"kasa_order_id": "ord_1", "count": 2, "gone": null},
            "latest_charge": "ch_1"
        }))
        .unwrap();
        assert_eq!(intent.amount, 0);
        assert_eq!(intent.currency, "");
        assert_eq!(intent.metadata["kasa_order_id"], "ord_1");
        assert_eq!(intent.metadata["count"], "2");
        assert!(!intent.metadata.contains_key("gone"));
        assert_eq!(
            intent.latest_charge.as_ref().map(Expandable::id),
            Some("ch_1")
        );
        assert_eq!(intent.latest_charge.unwrap().object(), None);
    }

    #[test]
    fn expanded_objects_read_as_objects() {
        let intent: PaymentIntent = serde_json::from_value(serde_json::json!({
            "id": "pi_1", "latest_charge": {"id": "ch_1", "amount": 1000, "amount_refunded": 250}
        }))
        .unwrap();
        let charge = intent.latest_charge.as_ref().unwrap();
        assert_eq!(charge.id(), "ch_1");
        assert_eq!(charge.object().unwrap().amount_refunded, 250);
    }

    #[test]
    fn invoices_find_their_subscription_and_period_in_old_and_new_shapes() {
        let old: Invoice = serde_json::from_value(serde_json::json!({
            "id": "in_1", "subscription": "sub_1", "period_end": 10,
            "lines": {"data": [{"period": {"start": 10, "end": 20}}]}
        }))
        .unwrap();
        assert_eq!(old.subscription_id(), Some("sub_1"));
        assert_eq!(old.service_period_end(), Some(20));
        let new: Invoice = serde_json::from_value(serde_json::json!({
            "id": "in_2", "period_end": 30,
            "parent": {"type": "subscription_details",
                       "subscription_details": {"subscription": "sub_2"}}
        }))
        .unwrap();
        assert_eq!(new.subscription_id(), Some("sub_2"));
        assert_eq!(new.service_period_end(), Some(30));
    }

    #[test]
    fn subscriptions_find_their_period_end_on_the_items_in_new_versions() {
        let subscription: Subscription = serde_json::from_value(serde_json::json!({
            "id": "sub_1", "items": {"data": [{"id": "si_1", "current_period_end": 99}]}
        }))
        .unwrap();
        assert_eq!(subscription.period_end(), Some(99));
    }
}
