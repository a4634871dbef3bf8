//! The records that cross the store port: what is persisted and read back.

use std::collections::BTreeSet;

use kasa_domain::{
    Actor, AuditEntryId, Credits, Customer, CustomerCard, CustomerId, DepartmentId, EmailAddress,
    ExternalId, Holding, InvoiceId, Language, Money, OutboxMessageId, Package, PaymentId,
    PurchaseId, Reason, UsageChargeId, UsageKey,
};
use kasa_subscriptions::{ForfeitConfirmation, Forfeiture, PurchaseChannel};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{CaptureMode, GatewayName, GatewayReference, OrderId, PaymentHandle};

/// Who is acting, why, and in which request: every change carries it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionContext {
    /// Who.
    pub actor: Actor,
    /// Why.
    pub reason: Reason,
    /// The HTTP request (or job run) that caused it, for tracing.
    pub request_id: Option<String>,
    /// The `Idempotency-Key` the request holds, if any: the transaction that makes the change
    /// marks it applied, so the key is applied exactly when the change committed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency: Option<IdempotencyMark>,
}

impl ActionContext {
    /// The same context, carrying the request's claimed `Idempotency-Key` (if any).
    #[must_use]
    pub fn with_idempotency(mut self, mark: Option<IdempotencyMark>) -> Self {
        self.idempotency = mark;
        self
    }
}

/// A claimed `Idempotency-Key`, as the change it guards carries it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdempotencyMark {
    /// Whose key (a user, an API key).
    pub principal: String,
    /// The key.
    pub key: String,
    /// The claim's token: a request whose claim was taken over by a retry cannot commit.
    pub claim_token: String,
}

/// How to find a customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum CustomerLookup {
    /// By Kasa's id.
    Id {
        /// The id.
        id: CustomerId,
    },
    /// By e-mail address.
    Email {
        /// The address.
        email: EmailAddress,
    },
    /// By an id in a help desk or gateway.
    External {
        /// The external id.
        external_id: ExternalId,
    },
}

/// A customer with everything the package rules look at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerState {
    /// The customer.
    pub customer: Customer,
    /// The departments enabled on the card.
    pub card: CustomerCard,
    /// What the customer holds.
    pub holding: Holding,
    /// Changes whenever the holding's shape changes (kind, terms); store calls that decide on
    /// the holding pass it back and fail with [`crate::StoreError::StaleVersion`] if it moved.
    /// Balance changes do not move it: they are atomic in the store.
    pub version: i64,
}

/// Where a purchase stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PurchaseStatus {
    /// Started, waiting for the gateway.
    Pending,
    /// Paid (or granted) and applied: credits granted or term added.
    Completed,
    /// The payment failed; nothing was granted.
    Failed,
    /// Paid but not applied, because applying would forfeit something the customer never
    /// confirmed; an agent decides (grant with confirmation, or refund).
    NeedsAttention,
}

impl PurchaseStatus {
    /// The stored label.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::NeedsAttention => "needs_attention",
        }
    }
}

/// Where a payment stands at the gateway.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Started, no result yet.
    Pending,
    /// Authorised, not captured.
    Authorised,
    /// Captured.
    Captured,
    /// Declined by the bank or 3-D Secure.
    Declined,
    /// Voided.
    Voided,
    /// Refunded in part.
    PartiallyRefunded,
    /// Refunded in full.
    Refunded,
}

impl PaymentStatus {
    /// The stored label.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Authorised => "authorised",
            Self::Captured => "captured",
            Self::Declined => "declined",
            Self::Voided => "voided",
            Self::PartiallyRefunded => "partially_refunded",
            Self::Refunded => "refunded",
        }
    }
}

/// A payment through a gateway (or `manual`, for an agent's charged grant).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// Its id.
    pub id: PaymentId,
    /// Which gateway.
    pub gateway: GatewayName,
    /// Kasa's order id at that gateway (unique per gateway).
    pub order_id: OrderId,
    /// The amount.
    pub amount: Money,
    /// Sale or authorise only.
    pub capture: CaptureMode,
    /// Where it stands.
    pub status: PaymentStatus,
    /// The gateway's reference, once known.
    pub reference: Option<GatewayReference>,
    /// The gateway's failure code and message, if it failed.
    pub failure: Option<String>,
    /// The card paid with, once the gateway told (brand and last four digits).
    #[serde(default)]
    pub card: Option<crate::PaymentCard>,
}

impl Payment {
    /// What the gateway needs to find this payment.
    #[must_use]
    pub fn handle(&self) -> PaymentHandle {
        PaymentHandle {
            order_id: self.order_id.clone(),
            reference: self.reference.clone(),
        }
    }
}

/// What applying a purchase did, kept with the purchase (notifications and receipts show it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseOutcome {
    /// The credit balance right after the grant (credit packages).
    pub balance_after: Option<Credits>,
    /// The term added (subscription packages): start and end.
    #[serde(with = "kasa_domain::instant::option_span", default)]
    pub term: Option<(OffsetDateTime, OffsetDateTime)>,
    /// What switching kinds forfeited, if anything.
    pub forfeited: Option<Forfeiture>,
    /// The departments this purchase enabled.
    pub departments_enabled: BTreeSet<DepartmentId>,
}

/// What a purchase pays for: a package (applying it follows the package rules) or an amount an
/// agent asked for with a description (ADR 0016: a payment only, with no credits, term or
/// forfeiture).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PurchaseItem {
    /// A package as it was when bought (later edits of the package do not change it).
    Package(Package),
    /// An amount asked for, with what it is for.
    Amount(AmountItem),
}

/// An amount a customer is asked to pay, not tied to a package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmountItem {
    /// What it pays for, in the agent's words (the invoice line's description).
    pub description: String,
    /// How much, tax included as the seller's prices are.
    pub amount: Money,
}

impl PurchaseItem {
    /// The package, when it is one.
    #[must_use]
    pub const fn package(&self) -> Option<&Package> {
        match self {
            Self::Package(package) => Some(package),
            Self::Amount(_) => None,
        }
    }

    /// What a person reads: the package's name or the amount's description.
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Self::Package(package) => &package.name,
            Self::Amount(item) => &item.description,
        }
    }

    /// Its price before any coupon.
    #[must_use]
    pub const fn price(&self) -> Money {
        match self {
            Self::Package(package) => package.price,
            Self::Amount(item) => item.amount,
        }
    }

    /// The departments it enables (none for an amount).
    #[must_use]
    pub fn departments(&self) -> BTreeSet<DepartmentId> {
        self.package()
            .map(|package| package.departments.clone())
            .unwrap_or_default()
    }
}

/// One purchase: of a package, or of an amount asked for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Purchase {
    /// Its id.
    pub id: PurchaseId,
    /// Who bought it.
    pub customer_id: CustomerId,
    /// What it pays for, as it was when bought.
    pub item: PurchaseItem,
    /// Checkout, agent grant.
    pub channel: PurchaseChannel,
    /// The answer to the forfeit warning given when it started.
    pub forfeit_confirmation: ForfeitConfirmation,
    /// Where it stands.
    pub status: PurchaseStatus,
    /// Who started it and why.
    pub started_by: ActionContext,
    /// When it started.
    #[serde(with = "kasa_domain::instant")]
    pub created_at: OffsetDateTime,
    /// When it was applied.
    pub completed_at: Option<OffsetDateTime>,
    /// Its payment, if paid (a free grant has none).
    pub payment: Option<Payment>,
    /// What applying it did.
    pub outcome: Option<PurchaseOutcome>,
    /// The coupon it uses; its payment is the discounted price.
    #[serde(default)]
    pub coupon: Option<crate::PurchaseCoupon>,
}

/// A purchase to record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPurchase {
    /// Its id.
    pub id: PurchaseId,
    /// Who buys.
    pub customer_id: CustomerId,
    /// What it pays for: the package as it is now, or an amount asked for.
    pub item: PurchaseItem,
    /// How it is bought.
    pub channel: PurchaseChannel,
    /// The answer to the forfeit warning.
    pub forfeit_confirmation: ForfeitConfirmation,
    /// Who and why.
    pub started_by: ActionContext,
    /// When.
    #[serde(with = "kasa_domain::instant")]
    pub created_at: OffsetDateTime,
    /// The payment, if any.
    pub payment: Option<Payment>,
    /// The coupon it uses, redeemed in the same transaction (refused with
    /// [`crate::StoreError::CouponRefused`] when it no longer applies).
    #[serde(default)]
    pub coupon: Option<crate::PurchaseCoupon>,
}

/// Why a ticket or chat was let through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChargeBasis {
    /// The department is free.
    Free,
    /// An active subscription covers it.
    Subscription,
    /// Credits were consumed.
    Credits,
}

impl ChargeBasis {
    /// The stored label.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Free => "free",
            Self::Subscription => "subscription",
            Self::Credits => "credits",
        }
    }
}

/// A ticket or chat that was let through, once per key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageCharge {
    /// Its id.
    pub id: UsageChargeId,
    /// Whose.
    pub customer_id: CustomerId,
    /// In which department.
    pub department_id: DepartmentId,
    /// The ticket or chat.
    pub usage: UsageKey,
    /// Credits consumed (zero unless the basis is credits).
    pub credits: Credits,
    /// Why it was let through.
    pub basis: ChargeBasis,
    /// The balance right after, when credits were consumed.
    pub balance_after: Option<Credits>,
    /// Who asked.
    pub actor: Actor,
    /// When.
    #[serde(with = "kasa_domain::instant")]
    pub at: OffsetDateTime,
}

/// An audit entry to write: what changed and how.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// A stable dotted code, e.g. `purchase.completed`, `credits.adjusted`.
    pub action: String,
    /// What changed, e.g. `customer:<id>`.
    pub subject: String,
    /// The state before, when it matters.
    pub before: Option<serde_json::Value>,
    /// The state after.
    pub after: Option<serde_json::Value>,
}

impl AuditRecord {
    /// An undelivered outbox message made due again by hand (`outbox.retried`).
    #[must_use]
    pub fn outbox_retried(before: &OutboxMessage, after: &OutboxMessage) -> Self {
        let state = |message: &OutboxMessage| {
            serde_json::json!({
                "attempts": message.attempts,
                "next_attempt_at": message.next_attempt_at.unix_timestamp(),
                "abandoned": message.abandoned,
                "last_error": message.last_error,
            })
        };
        Self {
            action: "outbox.retried".to_owned(),
            subject: format!("outbox:{}", after.id),
            before: Some(state(before)),
            after: Some(state(after)),
        }
    }

    /// A catalogue entry (`department`, `package`) created or changed.
    #[must_use]
    pub fn saved<T: Serialize>(
        kind: &str,
        id: impl std::fmt::Display,
        before: Option<&T>,
        after: &T,
    ) -> Self {
        Self {
            action: format!("{kind}.saved"),
            subject: format!("{kind}:{id}"),
            before: before.map(|old| serde_json::json!(old)),
            after: Some(serde_json::json!(after)),
        }
    }

    /// A customer created.
    #[must_use]
    pub fn customer_created(customer: &Customer) -> Self {
        Self {
            action: "customer.created".to_owned(),
            subject: format!("customer:{}", customer.id),
            before: None,
            after: Some(serde_json::json!(customer)),
        }
    }

    /// A customer's details changed.
    #[must_use]
    pub fn customer_updated(before: &Customer, after: &Customer) -> Self {
        Self {
            action: "customer.updated".to_owned(),
            subject: format!("customer:{}", after.id),
            before: Some(serde_json::json!(before)),
            after: Some(serde_json::json!(after)),
        }
    }

    /// A department enabled by hand on a card, or disabled.
    #[must_use]
    pub fn card_changed(
        customer_id: CustomerId,
        department_id: DepartmentId,
        enabled: bool,
        before: &CustomerCard,
        after: &CustomerCard,
    ) -> Self {
        Self {
            action: if enabled {
                "card.department_enabled"
            } else {
                "card.department_disabled"
            }
            .to_owned(),
            subject: format!("customer:{customer_id}"),
            before: Some(serde_json::json!(before)),
            after: Some(serde_json::json!({ "department_id": department_id, "card": after })),
        }
    }

    /// A payment system saved: its configuration and the names of the credentials changed.
    #[must_use]
    pub fn payment_system_saved(
        before: Option<&PaymentSystem>,
        change: &PaymentSystemChange,
    ) -> Self {
        Self {
            action: "settings.payment_system_saved".to_owned(),
            subject: format!("payment_system:{}", change.gateway),
            before: before.map(|old| serde_json::json!(old)),
            after: Some(serde_json::json!({
                "gateway": change.gateway,
                "enabled": change.enabled,
                "configuration": change.configuration,
                "credentials_changed": change.credentials.keys().collect::<Vec<_>>(),
            })),
        }
    }

    /// The billing settings saved.
    #[must_use]
    pub fn billing_settings_saved(
        before: Option<&BillingSettings>,
        after: &BillingSettings,
    ) -> Self {
        Self {
            action: "settings.billing_saved".to_owned(),
            subject: "settings:billing".to_owned(),
            before: before.map(|old| serde_json::json!(old)),
            after: Some(serde_json::json!(after)),
        }
    }

    /// The documents' logo saved or removed (the audit keeps its format and size, not the
    /// image).
    #[must_use]
    pub fn logo_saved(before: Option<&crate::Logo>, after: Option<&crate::Logo>) -> Self {
        let describe = |logo: Option<&crate::Logo>| {
            logo.map(
                |logo| serde_json::json!({ "format": logo.format(), "bytes": logo.bytes().len() }),
            )
        };
        Self {
            action: "settings.logo_saved".to_owned(),
            subject: "settings:logo".to_owned(),
            before: describe(before),
            after: describe(after),
        }
    }
}

/// An entry of the append-only audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Its id.
    pub id: AuditEntryId,
    /// When.
    #[serde(with = "kasa_domain::instant")]
    pub at: OffsetDateTime,
    /// Who, why, which request.
    pub context: ActionContext,
    /// What.
    pub record: AuditRecord,
}

/// Who a notification is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// The operator's notification address (and its CC list).
    Operator,
    /// The customer.
    Customer,
}

/// A side effect waiting in the outbox. Recipients are fixed when it is queued; the message is
/// rendered from the stored records when it is delivered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OutboxPayload {
    /// "A purchase was completed" (product rule 10).
    PurchaseNotification {
        /// The purchase.
        purchase_id: PurchaseId,
        /// Operator or customer copy.
        audience: Audience,
        /// Main recipients.
        to: Vec<EmailAddress>,
        /// Copy recipients.
        cc: Vec<EmailAddress>,
        /// The language to render in.
        language: Language,
    },
    /// "Here is your document": an invoice or receipt issued after a capture, or the credit
    /// note of a refund or void, sent to the customer with the document attached.
    DocumentNotification {
        /// The purchase the document belongs to.
        purchase_id: PurchaseId,
        /// The document.
        invoice_id: InvoiceId,
        /// Recipients.
        to: Vec<EmailAddress>,
        /// The language to render in.
        language: Language,
    },
    /// A customer's billing question, to the support address with their billing context
    /// (replies go to the customer).
    QuestionNotification {
        /// The question.
        question_id: kasa_domain::QuestionId,
        /// Recipients (the support address, tagged with the customer).
        to: Vec<EmailAddress>,
        /// The language to render in.
        language: Language,
    },
    /// "Please pay": an agent's payment request, with the link to the page that pays it.
    PaymentRequestNotification {
        /// The request.
        payment_request_id: kasa_domain::PaymentRequestId,
        /// Who is asked (replies reach the help desk naming them).
        customer_id: CustomerId,
        /// What is asked, in the agent's words.
        description: String,
        /// The package paid for (`None` when an amount is asked for).
        #[serde(default)]
        package_name: Option<String>,
        /// The amount asked.
        amount: kasa_domain::Money,
        /// When it stops being payable.
        #[serde(with = "kasa_domain::instant")]
        expires_at: OffsetDateTime,
        /// The request's page, with a billing-link token that lasts until the expiry.
        link: String,
        /// Recipients.
        to: Vec<EmailAddress>,
        /// The language to render in.
        language: Language,
    },
    /// "Your webhook endpoint was switched off": to the operator, after an endpoint failed for
    /// days (ADR 0022).
    WebhookEndpointSwitchedOff {
        /// The endpoint.
        endpoint_id: kasa_domain::WebhookEndpointId,
        /// Its URL.
        url: String,
        /// Why, in Kasa's words (since when it failed, its last answer).
        reason: String,
        /// Recipients (the operator's notification address and its copies).
        to: Vec<EmailAddress>,
        /// The language to render in.
        language: Language,
    },
}

/// An outbox message and its delivery state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    /// Its id.
    pub id: OutboxMessageId,
    /// What to do.
    pub payload: OutboxPayload,
    /// When it was queued.
    #[serde(with = "kasa_domain::instant")]
    pub created_at: OffsetDateTime,
    /// Delivery attempts so far.
    pub attempts: u32,
    /// Not before this time.
    #[serde(with = "kasa_domain::instant")]
    pub next_attempt_at: OffsetDateTime,
    /// The last failure, if any.
    pub last_error: Option<String>,
    /// When the mail server accepted it.
    pub sent_at: Option<OffsetDateTime>,
    /// Set when it will never be retried (a permanent rejection).
    pub abandoned: bool,
}

/// The settings the billing use cases read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingSettings {
    /// The billing module is on (rule 11).
    pub billing_enabled: bool,
    /// The operator's notification address.
    pub notification_address: Option<EmailAddress>,
    /// Copies of operator notifications.
    pub notification_cc: Vec<EmailAddress>,
    /// Where customers' replies go (the help desk's support address).
    pub support_address: Option<EmailAddress>,
    /// The seller's name, shown in e-mails.
    pub company_name: String,
    /// How invoices are issued.
    #[serde(default)]
    pub invoicing: InvoiceSettings,
    /// Four-eyes approval of large give-backs (off by default).
    #[serde(default)]
    pub four_eyes: FourEyesSettings,
}

/// Four-eyes approval: a refund, or a void of a captured payment, above the threshold in its
/// currency becomes an approval request that another user with the refund permission approves
/// or rejects. No threshold in a currency means no approval in it; no thresholds means off.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FourEyesSettings {
    /// At most one per currency: give-backs larger than this need a second person.
    #[serde(default)]
    pub thresholds: Vec<Money>,
    /// How long a request waits for a decision, in minutes (0: it expires at once).
    #[serde(default = "default_four_eyes_expiry_minutes")]
    pub expires_after_minutes: u32,
}

fn default_four_eyes_expiry_minutes() -> u32 {
    24 * 60
}

impl Default for FourEyesSettings {
    fn default() -> Self {
        Self {
            thresholds: Vec::new(),
            expires_after_minutes: default_four_eyes_expiry_minutes(),
        }
    }
}

impl FourEyesSettings {
    /// Whether giving back `amount` needs a second person's approval.
    #[must_use]
    pub fn needs_approval(&self, amount: &Money) -> bool {
        self.thresholds.iter().any(|threshold| {
            threshold.currency() == amount.currency()
                && amount
                    .checked_cmp(threshold)
                    .is_ok_and(std::cmp::Ordering::is_gt)
        })
    }
}

impl Default for BillingSettings {
    fn default() -> Self {
        Self {
            billing_enabled: true,
            notification_address: None,
            notification_cc: Vec::new(),
            support_address: None,
            company_name: "Kasa".to_owned(),
            invoicing: InvoiceSettings::default(),
            four_eyes: FourEyesSettings::default(),
        }
    }
}

/// How billing documents are issued after a payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceSettings {
    /// Invoices or receipts.
    pub kind: InvoiceKind,
    /// The numbering series of invoices and receipts.
    pub series: String,
    /// The numbering series of credit notes.
    pub credit_note_series: String,
    /// The VAT (KDV) rate.
    pub tax_rate: kasa_domain::TaxRate,
    /// Whether package prices include the tax.
    pub price_basis: kasa_domain::PriceBasis,
    /// The seller's postal address.
    pub seller_address: Option<String>,
    /// The seller's tax office (vergi dairesi).
    pub seller_tax_office: Option<String>,
    /// The seller's tax number (vergi numarası).
    pub seller_tax_number: Option<String>,
}

impl Default for InvoiceSettings {
    fn default() -> Self {
        Self {
            kind: InvoiceKind::Invoice,
            series: "KSA".to_owned(),
            credit_note_series: "KSA-CN".to_owned(),
            tax_rate: kasa_domain::TaxRate::new(kasa_domain::Decimal::from(20))
                .unwrap_or_else(|_| unreachable!("20 is a valid rate")),
            price_basis: kasa_domain::PriceBasis::TaxInclusive,
            seller_address: None,
            seller_tax_office: None,
            seller_tax_number: None,
        }
    }
}

/// A secret (a store key, an API password): never printed, logged or returned by a read.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    #[must_use]
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for the one place that needs it (signing a request to the gateway).
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("Secret(***)")
    }
}

/// A payment system as settings show it: its configuration and which credentials are set,
/// never their values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentSystem {
    /// The gateway (`nestpay`, `stripe`).
    pub gateway: GatewayName,
    /// Whether customers may pay through it.
    pub enabled: bool,
    /// Public settings (bank, store type, URLs, ...).
    pub configuration: serde_json::Map<String, serde_json::Value>,
    /// The names of the credentials that are set.
    pub credentials_set: Vec<String>,
}

/// A change to a payment system. Credentials not named keep their stored value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentSystemChange {
    /// The gateway.
    pub gateway: GatewayName,
    /// Whether customers may pay through it.
    pub enabled: bool,
    /// Public settings, replacing the old ones.
    pub configuration: serde_json::Map<String, serde_json::Value>,
    /// New credential values, by name.
    pub credentials: std::collections::BTreeMap<String, Secret>,
}

impl PaymentSystemChange {
    /// The stored credentials with this change's new values.
    #[must_use]
    pub fn merged_credentials(
        &self,
        mut stored: std::collections::BTreeMap<String, Secret>,
    ) -> std::collections::BTreeMap<String, Secret> {
        stored.extend(self.credentials.clone());
        stored
    }

    /// The payment system as it reads after the change, given its credentials.
    #[must_use]
    pub fn system(
        &self,
        credentials: &std::collections::BTreeMap<String, Secret>,
    ) -> PaymentSystem {
        PaymentSystem {
            gateway: self.gateway.clone(),
            enabled: self.enabled,
            configuration: self.configuration.clone(),
            credentials_set: credentials.keys().cloned().collect(),
        }
    }
}

/// What a billing document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceKind {
    /// A tax invoice.
    Invoice,
    /// A receipt.
    Receipt,
    /// A credit note for a refund, referring to the invoice it corrects.
    CreditNote,
}

/// A document's number: sequential without gaps per series and year.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct InvoiceNumber {
    /// The series (e.g. `KSA`, or `KSA-CN` for credit notes).
    pub series: String,
    /// The calendar year of issue.
    pub year: i32,
    /// 1, 2, 3, … within the series and year.
    pub sequence: u32,
}

impl std::fmt::Display for InvoiceNumber {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "{}-{}-{:06}",
            self.series, self.year, self.sequence
        )
    }
}

/// A document to issue; the store gives it its number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewInvoice {
    /// Its id.
    pub id: kasa_domain::InvoiceId,
    /// Invoice, receipt or credit note.
    pub kind: InvoiceKind,
    /// The numbering series.
    pub series: String,
    /// The purchase it bills.
    pub purchase_id: PurchaseId,
    /// The buyer.
    pub customer_id: CustomerId,
    /// When issued (its year picks the counter).
    #[serde(with = "kasa_domain::instant")]
    pub issued_at: OffsetDateTime,
    /// The totals.
    pub total: kasa_domain::TaxedAmount,
    /// The document as issued (seller, buyer, lines, payment), frozen.
    pub document: serde_json::Value,
    /// The invoice a credit note corrects.
    pub refers_to: Option<kasa_domain::InvoiceId>,
}

/// An issued document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    /// Its number.
    pub number: InvoiceNumber,
    /// Everything else, as issued.
    pub issued: NewInvoice,
}
