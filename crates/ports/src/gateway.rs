//! The payment gateway port: NestPay, Stripe and custom gateways implement it.

use std::fmt;

use async_trait::async_trait;
use kasa_domain::{EmailAddress, Language, Money};
use serde::{Deserialize, Serialize};

/// A configured gateway's name, e.g. `nestpay` or `stripe`; payments remember it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GatewayName(String);

impl GatewayName {
    /// Makes a name: a short lower-case word.
    ///
    /// # Panics
    /// Never for the names Kasa uses; a name with other characters is a programming error.
    #[must_use]
    pub fn new(name: &str) -> Self {
        assert!(
            !name.is_empty()
                && name.len() <= 40
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-'),
            "a gateway name is a short lower-case word, got {name:?}"
        );
        Self(name.to_owned())
    }

    /// The name as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for GatewayName {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// The merchant's order id sent to the gateway; unique per gateway.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrderId(pub String);

impl fmt::Display for OrderId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// The gateway's own reference of a payment (NestPay `TransId`/`HostRefNum`, a Stripe
/// PaymentIntent id).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GatewayReference(pub String);

impl fmt::Display for GatewayReference {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// How a gateway finds a payment it took: Kasa's order id and, once known, the gateway's own
/// reference (Stripe needs its PaymentIntent id; NestPay finds orders by Kasa's id).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PaymentHandle {
    /// Kasa's order id.
    pub order_id: OrderId,
    /// The gateway's reference, when the payment has one yet.
    pub reference: Option<GatewayReference>,
}

/// Whether the gateway should capture at once or only authorise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaptureMode {
    /// Sale: authorise and capture.
    Immediate,
    /// Authorise only; an agent captures later.
    AuthoriseOnly,
}

/// The capture mode a payment system's configuration asks for: its `capture` setting,
/// `immediate` (the default, also when absent) or `authorise_only`.
///
/// # Errors
/// A message naming the setting when it is something else.
pub fn capture_mode_of(
    configuration: &serde_json::Map<String, serde_json::Value>,
) -> Result<CaptureMode, String> {
    match configuration.get("capture") {
        None | Some(serde_json::Value::Null) => Ok(CaptureMode::Immediate),
        Some(serde_json::Value::String(mode)) if mode == "immediate" => Ok(CaptureMode::Immediate),
        Some(serde_json::Value::String(mode)) if mode == "authorise_only" => {
            Ok(CaptureMode::AuthoriseOnly)
        }
        Some(other) => Err(format!(
            "`capture` must be \"immediate\" or \"authorise_only\", not {other}"
        )),
    }
}

/// What the gateway needs to start a payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentStart {
    /// Kasa's order id for this payment.
    pub order_id: OrderId,
    /// How much.
    pub amount: Money,
    /// Sale or authorise only.
    pub capture: CaptureMode,
    /// The customer's e-mail.
    pub customer_email: EmailAddress,
    /// The customer's name.
    pub customer_name: String,
    /// The language of the gateway's pages.
    pub language: Language,
    /// What is bought, for the gateway's records.
    pub description: String,
    /// Where the customer returns after success.
    pub success_url: String,
    /// Where the customer returns after failure.
    pub failure_url: String,
}

/// How the customer's browser continues a started payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PaymentInitiation {
    /// Post a form to the gateway (NestPay's 3D gate).
    PostForm {
        /// The form's action URL.
        action_url: String,
        /// The fields, in order.
        fields: Vec<(String, String)>,
    },
    /// Send the browser to a URL (a hosted page).
    Redirect {
        /// Where to.
        url: String,
    },
    /// The page confirms with the gateway's script (Stripe PaymentIntent client secret).
    ClientConfirmation {
        /// The gateway's payment reference.
        reference: GatewayReference,
        /// The secret the page uses.
        client_secret: String,
    },
}

/// What a gateway posted back (browser callback or webhook), exactly as received.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewayCallback {
    /// The raw body, for signatures over bytes (Stripe).
    pub raw_body: Vec<u8>,
    /// Form fields, decoded, in arrival order (NestPay).
    pub fields: Vec<(String, String)>,
    /// Request headers, names lower-cased.
    pub headers: Vec<(String, String)>,
}

/// The state of a payment as the gateway reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PaymentResultStatus {
    /// Authorised, not captured yet.
    Authorised,
    /// Captured: the money is taken.
    Captured,
    /// Refused by the bank or by 3-D Secure.
    Declined {
        /// The gateway's code (e.g. `05`, `51`).
        code: String,
        /// The gateway's message.
        message: String,
    },
    /// The gateway took the money, but the store's rules refuse the payment (NestPay: a
    /// half-secure 3-D Secure result the bank charged while only full authentication is
    /// accepted). Kasa grants nothing and voids the payment.
    ChargedButRefused {
        /// The gateway's code (e.g. `mdStatus-2`).
        code: String,
        /// Why it is refused.
        message: String,
    },
    /// Not decided yet, or a status the adapter does not recognise (never taken for success).
    Pending,
}

/// A verified callback or status query result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentResult {
    /// Kasa's order id.
    pub order_id: OrderId,
    /// The outcome.
    pub status: PaymentResultStatus,
    /// The amount the gateway says it processed, when it says.
    pub amount: Option<Money>,
    /// The gateway's reference, when known.
    pub reference: Option<GatewayReference>,
    /// The card paid with, as far as the gateway tells (brand and last four digits only).
    #[serde(default)]
    pub card: Option<PaymentCard>,
}

/// The card a payment was made with, as a customer recognises it: its brand (`visa`,
/// `mastercard`, `amex`, `troy`, or `card` when unknown) and its last four digits. Never more
/// of the number than that.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "PaymentCardParts", into = "PaymentCardParts")]
pub struct PaymentCard {
    brand: String,
    last4: String,
}

/// [`PaymentCard`]'s serialised form.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct PaymentCardParts {
    brand: String,
    last4: String,
}

impl TryFrom<PaymentCardParts> for PaymentCard {
    type Error = String;

    fn try_from(parts: PaymentCardParts) -> Result<Self, Self::Error> {
        Self::new(&parts.brand, &parts.last4)
    }
}

impl From<PaymentCard> for PaymentCardParts {
    fn from(card: PaymentCard) -> Self {
        Self {
            brand: card.brand,
            last4: card.last4,
        }
    }
}

impl PaymentCard {
    /// A card from its brand (lower-cased; a short word of letters, digits, `_` or `-`, else
    /// `card`) and its last four digits.
    ///
    /// # Errors
    /// A message when `last4` is not exactly four digits.
    pub fn new(brand: &str, last4: &str) -> Result<Self, String> {
        if last4.len() != 4 || !last4.chars().all(|c| c.is_ascii_digit()) {
            return Err(format!(
                "a card's last four digits are four digits, not {last4:?}"
            ));
        }
        let brand = brand.trim().to_ascii_lowercase();
        let brand = if !brand.is_empty()
            && brand.len() <= 20
            && brand
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            brand
        } else {
            "card".to_owned()
        };
        Ok(Self {
            brand,
            last4: last4.to_owned(),
        })
    }

    /// `visa`, `mastercard`, `amex`, `troy`, ... or `card`.
    #[must_use]
    pub fn brand(&self) -> &str {
        &self.brand
    }

    /// The last four digits.
    #[must_use]
    pub fn last4(&self) -> &str {
        &self.last4
    }
}

/// What a capture, void or refund returned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewayReceipt {
    /// The gateway's reference of this operation.
    pub reference: Option<GatewayReference>,
    /// The amount it applied to.
    pub amount: Option<Money>,
}

/// The gateway's answer to an order-status query.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentStatusReport {
    /// The payment's state.
    pub result: PaymentResult,
    /// How much has been refunded so far.
    pub refunded: Option<Money>,
    /// Whether it has been voided.
    pub voided: bool,
}

/// A verified webhook event: what the gateway says happened, with its own event id (the same
/// event may be delivered more than once; Kasa acts on each id once).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewayEvent {
    /// The gateway's event id (Stripe `evt_…`).
    pub id: String,
    /// The gateway's event type, for logs and the event record (`payment_intent.succeeded`).
    pub event_type: String,
    /// What it means for Kasa.
    pub kind: GatewayEventKind,
}

/// What a webhook event means for Kasa.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum GatewayEventKind {
    /// A payment's state changed (succeeded, failed, authorised, ...).
    Payment(PaymentResult),
    /// Money was given back at the gateway: `refunded_total` is everything refunded on the
    /// payment so far (refunds made outside Kasa, e.g. in the gateway's dashboard, show up as
    /// more than Kasa has recorded).
    Refunded {
        /// The payment, by the gateway's reference (and Kasa's order id when the event names it).
        reference: GatewayReference,
        /// Kasa's order id, when the event carries it.
        order_id: Option<OrderId>,
        /// The total refunded so far.
        refunded_total: Money,
    },
    /// A recurring payment's period was paid (the first or a renewal).
    RecurringPaid {
        /// The gateway's subscription.
        subscription: GatewayReference,
        /// The gateway's invoice of this period: it makes the renewal's order id, so a period
        /// is applied once.
        invoice_id: String,
        /// The gateway's payment of this period (a Stripe PaymentIntent), which refunds go
        /// through; the invoice stands in when the gateway does not name it.
        payment: Option<GatewayReference>,
        /// What was paid.
        amount: Money,
    },
    /// A recurring payment ended at the gateway (cancelled, or its payments failed for good).
    RecurringEnded {
        /// The gateway's subscription.
        subscription: GatewayReference,
    },
    /// An event Kasa does not act on (acknowledged, recorded, ignored).
    Ignored,
}

/// A recurring payment to set up at the gateway: the customer's saved card is charged `amount`
/// every `days` days until it is cancelled (a subscription package that renews itself).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecurringStart {
    /// Kasa's customer id (kept in the gateway's metadata).
    pub customer_id: String,
    /// The customer's e-mail (the gateway's customer is found by it).
    pub customer_email: EmailAddress,
    /// The customer's name.
    pub customer_name: String,
    /// Kasa's package id (kept in the gateway's metadata; the gateway's plan is made once per
    /// package and price).
    pub package_id: String,
    /// What the customer sees.
    pub package_name: String,
    /// The price of one period.
    pub amount: Money,
    /// The period, in days.
    pub days: u32,
    /// A key unique to this request: the gateway's retries of it reuse it, so a retry never
    /// sets up a second recurring payment.
    pub idempotency_key: String,
}

/// Why a gateway call failed. Adapters translate every vendor error into one of these.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    /// The bank refused (card declined, insufficient funds, ...).
    #[error("declined ({code}): {message}")]
    Declined {
        /// The gateway's code.
        code: String,
        /// The gateway's message.
        message: String,
    },
    /// The gateway refused the operation for a business reason the merchant can act on (e.g.
    /// NestPay `CORE-2508`: refund before end of day, void instead).
    #[error("the gateway refused the operation ({code}): {message}")]
    Refused {
        /// The gateway's code.
        code: String,
        /// The gateway's message.
        message: String,
    },
    /// A refund was refused because the payment is not settled yet (NestPay `CORE-2508`, before
    /// the end of day): void the whole payment instead, or refund after settlement.
    #[error("the payment is not settled yet ({message}); void it instead")]
    NotSettled {
        /// The gateway's message.
        message: String,
    },
    /// The callback or webhook signature did not verify: it changes nothing.
    #[error("the gateway signature did not verify")]
    InvalidSignature,
    /// The callback or webhook is not something this gateway sends.
    #[error("malformed gateway message: {0}")]
    Malformed(String),
    /// The gateway could not be reached or failed on its side; retry later.
    #[error("the gateway is unavailable: {0}")]
    Unavailable(String),
    /// The gateway did not answer in time; the outcome is unknown until queried.
    #[error("the gateway did not answer in time")]
    Timeout,
    /// This gateway cannot do that (e.g. capture on a store without pre-authorisation).
    #[error("the gateway does not support {0}")]
    Unsupported(String),
    /// The gateway's settings are wrong or missing (credentials, URLs).
    #[error("the gateway is misconfigured: {0}")]
    Misconfigured(String),
}

/// A payment gateway.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PaymentGateway: Send + Sync {
    /// This gateway's name, stored with each payment.
    fn name(&self) -> GatewayName;

    /// What this gateway can do (the same as its crate's descriptor says). The default is what
    /// the required methods offer: capture, void, refunds in part, no saved cards, no recurring.
    fn capabilities(&self) -> crate::GatewayCapabilities {
        crate::GatewayCapabilities::CORE
    }

    /// Starts a payment and tells how the customer's browser continues.
    ///
    /// # Errors
    /// [`GatewayError::Misconfigured`], [`GatewayError::Unavailable`], [`GatewayError::Timeout`].
    async fn start_payment(&self, request: PaymentStart)
    -> Result<PaymentInitiation, GatewayError>;

    /// Verifies a callback or webhook and reads the payment result from it.
    ///
    /// # Errors
    /// [`GatewayError::InvalidSignature`] when the signature fails (the caller changes nothing),
    /// [`GatewayError::Malformed`] when required fields are missing.
    async fn verify_callback(
        &self,
        callback: GatewayCallback,
    ) -> Result<PaymentResult, GatewayError>;

    /// Captures an authorised payment, fully (`None`) or partly.
    ///
    /// # Errors
    /// [`GatewayError::Refused`], [`GatewayError::Unsupported`], [`GatewayError::Unavailable`],
    /// [`GatewayError::Timeout`].
    async fn capture(
        &self,
        payment: PaymentHandle,
        amount: Option<Money>,
    ) -> Result<GatewayReceipt, GatewayError>;

    /// Voids (cancels) a payment before settlement.
    ///
    /// # Errors
    /// [`GatewayError::Refused`] when it can no longer be voided, [`GatewayError::Unavailable`],
    /// [`GatewayError::Timeout`].
    async fn void(&self, payment: PaymentHandle) -> Result<GatewayReceipt, GatewayError>;

    /// Refunds `amount` of a captured payment.
    ///
    /// # Errors
    /// [`GatewayError::NotSettled`] (before the end of day: void instead),
    /// [`GatewayError::Refused`],
    /// [`GatewayError::Unavailable`], [`GatewayError::Timeout`].
    async fn refund(
        &self,
        payment: PaymentHandle,
        amount: Money,
    ) -> Result<GatewayReceipt, GatewayError>;

    /// Verifies a webhook delivery (signature over the raw body, age) and reads its event.
    /// Gateways without webhooks keep this default, which refuses.
    ///
    /// # Errors
    /// [`GatewayError::InvalidSignature`] (a forged, tampered or stale delivery: it changes
    /// nothing), [`GatewayError::Malformed`], [`GatewayError::Unsupported`].
    async fn verify_webhook(
        &self,
        callback: GatewayCallback,
    ) -> Result<GatewayEvent, GatewayError> {
        let _ = callback;
        Err(GatewayError::Unsupported(format!(
            "webhooks from {}",
            self.name()
        )))
    }

    /// Sets up a recurring payment with the customer's saved card; returns the gateway's
    /// subscription reference. Its periods are paid and reported by webhook
    /// ([`GatewayEventKind::RecurringPaid`]). Gateways without recurring payments keep this
    /// default, which refuses.
    ///
    /// # Errors
    /// [`GatewayError::Refused`] (e.g. the customer has no saved card),
    /// [`GatewayError::Declined`], [`GatewayError::Unsupported`], [`GatewayError::Unavailable`],
    /// [`GatewayError::Timeout`].
    async fn start_recurring(
        &self,
        start: RecurringStart,
    ) -> Result<GatewayReference, GatewayError> {
        let _ = start;
        Err(GatewayError::Unsupported(format!(
            "recurring payments through {}",
            self.name()
        )))
    }

    /// Stops a recurring payment: now, or at the end of the paid period.
    ///
    /// # Errors
    /// [`GatewayError::Refused`], [`GatewayError::Unsupported`], [`GatewayError::Unavailable`],
    /// [`GatewayError::Timeout`].
    async fn cancel_recurring(
        &self,
        subscription: GatewayReference,
        at_period_end: bool,
    ) -> Result<(), GatewayError> {
        let _ = (subscription, at_period_end);
        Err(GatewayError::Unsupported(format!(
            "recurring payments through {}",
            self.name()
        )))
    }

    /// Starts a card update for the customer with this e-mail (made at the gateway when
    /// missing): the browser takes the card with the gateway's script and confirms it with the
    /// returned secret; [`Self::finish_card_update`] then makes it the card renewals charge.
    ///
    /// # Errors
    /// [`GatewayError::Unsupported`] (the default), [`GatewayError::Unavailable`],
    /// [`GatewayError::Timeout`].
    async fn start_card_update(
        &self,
        customer_email: EmailAddress,
        customer_name: String,
    ) -> Result<PaymentInitiation, GatewayError> {
        let _ = (customer_email, customer_name);
        Err(GatewayError::Unsupported(format!(
            "saved cards at {}",
            self.name()
        )))
    }

    /// Makes the card of a confirmed card update (`reference`, from
    /// [`Self::start_card_update`]) the default card of the customer with this e-mail.
    ///
    /// # Errors
    /// [`GatewayError::Refused`] when the update is not confirmed or is another customer's,
    /// [`GatewayError::Unsupported`] (the default), [`GatewayError::Unavailable`],
    /// [`GatewayError::Timeout`].
    async fn finish_card_update(
        &self,
        customer_email: EmailAddress,
        reference: GatewayReference,
    ) -> Result<(), GatewayError> {
        let _ = (customer_email, reference);
        Err(GatewayError::Unsupported(format!(
            "saved cards at {}",
            self.name()
        )))
    }

    /// The card the gateway keeps for the customer with this e-mail (the one renewals charge),
    /// brand and last four digits only; `None` when it keeps none for them.
    ///
    /// # Errors
    /// [`GatewayError::Unsupported`] (the default: the gateway keeps no cards, as NestPay's 3-D
    /// gate), [`GatewayError::Unavailable`], [`GatewayError::Timeout`].
    async fn saved_card(
        &self,
        customer_email: EmailAddress,
    ) -> Result<Option<PaymentCard>, GatewayError> {
        let _ = customer_email;
        Err(GatewayError::Unsupported(format!(
            "saved cards at {}",
            self.name()
        )))
    }

    /// Asks the gateway what became of a payment (reconciliation of lost callbacks).
    ///
    /// # Errors
    /// [`GatewayError::Unavailable`], [`GatewayError::Timeout`], [`GatewayError::Malformed`].
    async fn query_status(
        &self,
        payment: PaymentHandle,
    ) -> Result<PaymentStatusReport, GatewayError>;

    /// Gives up on a payment the customer left unfinished (an abandoned checkout) so that it
    /// can no longer succeed, and says where it stands: declined with the code
    /// [`ABANDONED_CODE`] when it is given up now ([`PaymentStatusReport::abandoned`]), or what
    /// the gateway decided meanwhile (captured, authorised, declined), which the caller applies
    /// instead. A payment that may still succeed and cannot be stopped (one being processed) is
    /// an error, and stays pending for the next attempt.
    ///
    /// # Errors
    /// [`GatewayError::Unavailable`], [`GatewayError::Timeout`], [`GatewayError::Malformed`],
    /// [`GatewayError::Refused`] when the gateway will not stop it.
    async fn abandon(&self, payment: PaymentHandle) -> Result<PaymentStatusReport, GatewayError>;
}

/// The failure code of a payment given up because the customer did not finish it
/// ([`PaymentGateway::abandon`]): its purchase failed as `declined (abandoned): ...`.
pub const ABANDONED_CODE: &str = "abandoned";

impl PaymentStatusReport {
    /// The report of an order the gateway knows no payment of yet: pending, nothing taken.
    #[must_use]
    pub const fn nothing_yet(order_id: OrderId) -> Self {
        Self {
            result: PaymentResult {
                order_id,
                status: PaymentResultStatus::Pending,
                amount: None,
                reference: None,
                card: None,
            },
            refunded: None,
            voided: false,
        }
    }

    /// This report, when still pending, as a payment given up now: declined with
    /// [`ABANDONED_CODE`]; any other report unchanged.
    #[must_use]
    pub fn abandoned(mut self) -> Self {
        if self.result.status == PaymentResultStatus::Pending {
            self.result.status = PaymentResultStatus::Declined {
                code: ABANDONED_CODE.to_owned(),
                message: "the customer did not finish paying; the checkout expired".to_owned(),
            };
        }
        self
    }
}
