//! The store ports. Each method is one atomic change (one transaction inside the adapter),
//! shaped by the use case that calls it; transactions never cross a port.

use async_trait::async_trait;
use kasa_credits::LedgerEntry;
use kasa_domain::{
    Actor, AuditEntryId, Credits, Customer, CustomerCard, CustomerId, Department, DepartmentId,
    EmailAddress, Holding, LedgerEntryId, Money, OutboxMessageId, Package, PackageId, PurchaseId,
    Reason, UsageChargeId, UsageKey,
};
use kasa_subscriptions::{CancellationPlan, PurchaseDecision};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{
    ActionContext, AuditEntry, AuditRecord, BillingSettings, ChargeBasis, CustomerLookup,
    CustomerState, GatewayName, GatewayReference, Invoice, Logo, NewInvoice, NewPurchase, OrderId,
    OutboxMessage, OutboxPayload, PaymentStatus, PaymentSystem, PaymentSystemChange, Purchase,
    PurchaseStatus, Secret, UsageCharge,
};

/// What a [`StoreError::NotFound`] (and the API's `not-found` problem) did not find: one name per
/// kind of thing, so callers match a variant instead of a string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    /// An API key.
    ApiKey,
    /// A four-eyes approval request.
    ApprovalRequest,
    /// A signed billing-page link.
    BillingLink,
    /// A coupon.
    Coupon,
    /// A customer.
    Customer,
    /// A department.
    Department,
    /// A queued help-desk call.
    HelpDeskCall,
    /// An integration's help-desk API connection.
    HelpDeskConnection,
    /// A help-desk integration.
    Integration,
    /// An invoice, receipt or credit note.
    Invoice,
    /// A message in the mail outbox.
    OutboxMessage,
    /// A billing package.
    Package,
    /// A payment.
    Payment,
    /// A refund, void or capture.
    PaymentAction,
    /// A payment request.
    PaymentRequest,
    /// A payment system (gateway settings).
    PaymentSystem,
    /// A purchase.
    Purchase,
    /// A customer's billing question.
    Question,
    /// A gateway's recurring payment.
    RecurringPayment,
    /// A session or link token.
    Token,
    /// A message in the mail outbox that is not sent yet.
    UndeliveredOutboxMessage,
    /// A staff user.
    User,
    /// An outgoing webhook delivery.
    WebhookDelivery,
    /// An outgoing webhook endpoint.
    WebhookEndpoint,
    /// A payment gateway, by name.
    Gateway,
    /// A payment gateway's webhook settings.
    GatewayWebhook,
    /// A help-desk event endpoint.
    HelpDeskEndpoint,
    /// The branding logo.
    Logo,
    /// A report.
    Report,
    /// An integration's Zendesk app.
    ZendeskApp,
    /// A purchase or document of the signed-in customer.
    OwnDocument,
}

impl Entity {
    /// Its name in messages (`customer`, `payment request`, ...).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::ApiKey => "API key",
            Self::ApprovalRequest => "approval request",
            Self::BillingLink => "billing link",
            Self::Coupon => "coupon",
            Self::Customer => "customer",
            Self::Department => "department",
            Self::HelpDeskCall => "help-desk call",
            Self::HelpDeskConnection => "help-desk connection",
            Self::Integration => "integration",
            Self::Invoice => "invoice",
            Self::OutboxMessage => "outbox message",
            Self::Package => "package",
            Self::Payment => "payment",
            Self::PaymentAction => "payment action",
            Self::PaymentRequest => "payment request",
            Self::PaymentSystem => "payment system",
            Self::Purchase => "purchase",
            Self::Question => "question",
            Self::RecurringPayment => "recurring payment",
            Self::Token => "token",
            Self::UndeliveredOutboxMessage => "undelivered outbox message",
            Self::User => "user",
            Self::WebhookDelivery => "webhook delivery",
            Self::WebhookEndpoint => "webhook endpoint",
            Self::Gateway => "gateway",
            Self::GatewayWebhook => "gateway webhook",
            Self::HelpDeskEndpoint => "help-desk endpoint",
            Self::Logo => "logo",
            Self::Report => "report",
            Self::ZendeskApp => "zendesk app",
            Self::OwnDocument => "purchase or document of yours",
        }
    }
}

impl std::fmt::Display for Entity {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.name())
    }
}

/// Why a store call failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The thing asked for does not exist.
    #[error("{entity} not found")]
    NotFound {
        /// What kind of thing.
        entity: Entity,
    },
    /// A unique thing already exists (an e-mail, an external id, an order id).
    #[error("{what} already exists")]
    AlreadyExists {
        /// What collided.
        what: String,
    },
    /// The purchase was already applied or closed: applying it again changes nothing.
    #[error("purchase {0} is no longer pending")]
    PurchaseNotPending(PurchaseId),
    /// The customer's holding changed since it was read; read again and decide again.
    #[error("the customer's holding changed meanwhile")]
    StaleVersion,
    /// The balance is too low for the change.
    #[error("insufficient credits: balance {balance}")]
    InsufficientCredits {
        /// The balance when refused.
        balance: Credits,
    },
    /// The database could not be reached or failed.
    #[error("the store is unavailable: {0}")]
    Unavailable(String),
    /// A stored row broke an invariant when read back (a bug or tampering).
    #[error("corrupt stored data: {0}")]
    Corrupt(String),
    /// The request's `Idempotency-Key` was taken over by a retry of the same request: this one
    /// changed nothing (the retry makes the change).
    #[error("the idempotency key was taken over by a retry")]
    IdempotencyKeyTakenOver,
    /// The purchase's coupon does not apply (checked again inside the purchase's transaction,
    /// so a coupon used up or switched off meanwhile is refused here).
    #[error(transparent)]
    CouponRefused(kasa_domain::CouponRefusal),
}

/// Reads and writes departments and packages.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait CatalogStore: Send + Sync {
    /// One department.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Unavailable`].
    async fn department(&self, id: DepartmentId) -> Result<Department, StoreError>;

    /// Every department, by name.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn departments(&self) -> Result<Vec<Department>, StoreError>;

    /// Creates or changes a department, with an audit entry.
    ///
    /// # Errors
    /// [`StoreError::AlreadyExists`] for a duplicate name, [`StoreError::Unavailable`].
    async fn save_department(
        &self,
        department: Department,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// One package.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Unavailable`].
    async fn package(&self, id: PackageId) -> Result<Package, StoreError>;

    /// Every package, on sale or not, by name.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn packages(&self) -> Result<Vec<Package>, StoreError>;

    /// Creates or changes a package, with an audit entry.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown department, [`StoreError::Unavailable`].
    async fn save_package(
        &self,
        package: Package,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<(), StoreError>;
}

/// An operator enables or disables a department on a customer's card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetDepartment {
    /// Whose card.
    pub customer_id: CustomerId,
    /// Which department.
    pub department_id: DepartmentId,
    /// Enable (by hand) or disable.
    pub enabled: bool,
    /// Who and why.
    pub context: ActionContext,
    /// When.
    #[serde(with = "kasa_domain::instant")]
    pub at: OffsetDateTime,
}

/// A search for customers, as a person types it into the console's search box.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerSearch {
    /// What was typed: part of an e-mail or name (any case), an external id (`zendesk:42`, or
    /// just `42`), a ticket or chat id charged to the customer, or Kasa's id.
    pub text: String,
    /// How many matches to skip (earlier pages).
    pub offset: u64,
    /// At most this many.
    pub limit: u32,
}

/// Customers and their cards.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait CustomerStore: Send + Sync {
    /// Creates a customer with an empty card and no holding, with an audit entry.
    ///
    /// # Errors
    /// [`StoreError::AlreadyExists`] for a taken e-mail or external id,
    /// [`StoreError::Unavailable`].
    async fn create_customer(
        &self,
        customer: Customer,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// Finds a customer.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Unavailable`].
    async fn find_customer(&self, lookup: CustomerLookup) -> Result<Customer, StoreError>;

    /// The customers `search` matches, by e-mail then id; blank text matches nobody.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn search_customers(&self, search: CustomerSearch) -> Result<Vec<Customer>, StoreError>;

    /// A customer with card, holding and version.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn customer_state(&self, id: CustomerId) -> Result<CustomerState, StoreError>;

    /// Changes a customer's e-mail, name, language, external ids and tax details, with an audit
    /// entry, provided the customer is still as `expected` (as read before the change was made):
    /// a concurrent edit is never overwritten silently.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::AlreadyExists`] for a taken e-mail or external id,
    /// [`StoreError::StaleVersion`] when the customer changed since `expected` was read (nothing
    /// is written), [`StoreError::Unavailable`].
    async fn update_customer(
        &self,
        customer: Customer,
        expected: Customer,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// Enables a department by hand or disables it, with an audit entry; returns the card.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown customer or department,
    /// [`StoreError::Unavailable`].
    async fn set_department(&self, change: SetDepartment) -> Result<CustomerCard, StoreError>;
}

/// The purchase being applied: a pending one (paid through a gateway) or a new one (a grant).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PurchaseTarget {
    /// A pending purchase started earlier.
    Pending {
        /// Its id.
        purchase_id: PurchaseId,
    },
    /// A purchase recorded and applied at once.
    New {
        /// It.
        purchase: Box<NewPurchase>,
    },
}

/// The gateway's word on a payment being applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentSettlement {
    /// Captured or authorised.
    pub status: PaymentStatus,
    /// The gateway's reference.
    pub reference: Option<GatewayReference>,
    /// The card paid with, when the gateway told.
    #[serde(default)]
    pub card: Option<crate::PaymentCard>,
    /// A payment received elsewhere and imported (ADR 0025): the payment takes the method as
    /// its gateway and the import's reference, and the import is recorded with it; a reference
    /// already imported for another purchase refuses the whole application.
    #[serde(default)]
    pub import: Option<crate::PaymentImport>,
}

/// Applies a purchase decision: one transaction that ends the previous holding (forfeiture
/// entry, released departments), adds credits (one grant per purchase) or a term, enables the
/// package's departments, completes the purchase and its payment, issues its invoice (the
/// next number), writes the audit entry and queues the notifications. A purchase of an amount
/// (no package) has no decision: it completes with its payment and invoice and leaves the
/// holding as it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseApplication {
    /// Which purchase.
    pub target: PurchaseTarget,
    /// Whose.
    pub customer_id: CustomerId,
    /// The [`CustomerState::version`] the decision was made on.
    pub expected_version: i64,
    /// What to do to the holding (`None` for an amount: nothing).
    pub decision: Option<PurchaseDecision>,
    /// The payment's new state, when paid through a gateway.
    pub settlement: Option<PaymentSettlement>,
    /// The audit entry.
    pub audit: AuditRecord,
    /// When it forfeits what the customer held and someone else than the one completing it (the
    /// customer at checkout, before the bank's callback completes it) confirmed that: the
    /// confirmation, recorded in the audit log under the confirming person's name.
    pub forfeiture_confirmation: Option<(AuditRecord, ActionContext)>,
    /// Notifications to queue.
    pub notifications: Vec<OutboxPayload>,
    /// The invoice or receipt to issue with it, when it was paid.
    pub invoice: Option<NewInvoice>,
    /// Who and why.
    pub context: ActionContext,
    /// When.
    #[serde(with = "kasa_domain::instant")]
    pub at: OffsetDateTime,
}

/// The result of applying a purchase.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedPurchase {
    /// The completed purchase, with its outcome.
    pub purchase: Purchase,
    /// The customer's holding after.
    pub holding: Holding,
    /// The customer's card after.
    pub card: CustomerCard,
}

/// A payment that will not be applied: declined, or paid but held for an agent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentFailure {
    /// Which purchase.
    pub purchase_id: PurchaseId,
    /// `Failed` (declined) or `NeedsAttention` (paid, not applicable without an agent).
    pub purchase_status: PurchaseStatus,
    /// The payment's new state.
    pub payment_status: PaymentStatus,
    /// The gateway's reference, if any.
    pub reference: Option<GatewayReference>,
    /// What went wrong, for agents.
    pub detail: String,
    /// The audit entry.
    pub audit: AuditRecord,
    /// Who and why.
    pub context: ActionContext,
    /// When.
    #[serde(with = "kasa_domain::instant")]
    pub at: OffsetDateTime,
}

/// Purchases and their payments.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PurchaseStore: Send + Sync {
    /// Records a pending purchase and its pending payment.
    ///
    /// # Errors
    /// [`StoreError::AlreadyExists`] for a duplicate order id, [`StoreError::NotFound`] for an
    /// unknown customer, [`StoreError::Unavailable`].
    async fn create_pending_purchase(&self, purchase: NewPurchase) -> Result<Purchase, StoreError>;

    /// One purchase.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Unavailable`].
    async fn purchase(&self, id: PurchaseId) -> Result<Purchase, StoreError>;

    /// The purchase paid by a gateway order.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Unavailable`].
    async fn purchase_by_order(
        &self,
        gateway: GatewayName,
        order_id: OrderId,
    ) -> Result<Purchase, StoreError>;

    /// Pending purchases started before `started_before`, oldest first (for reconciliation).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn pending_purchases(
        &self,
        started_before: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<Purchase>, StoreError>;

    /// Completed purchases whose payment is still only authorised (never captured nor voided)
    /// and that completed before `completed_before`, oldest first (for voiding authorisations
    /// left uncaptured).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn authorised_purchases(
        &self,
        completed_before: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<Purchase>, StoreError>;

    /// Applies a purchase (see [`PurchaseApplication`]), all or nothing.
    ///
    /// # Errors
    /// [`StoreError::PurchaseNotPending`] when it was already applied or closed (nothing
    /// changes: this is what makes a duplicate callback harmless), [`StoreError::StaleVersion`]
    /// when the holding moved, [`StoreError::AlreadyExists`] when the settlement imports a
    /// reference imported before, [`StoreError::NotFound`], [`StoreError::Unavailable`].
    async fn apply_purchase(
        &self,
        application: PurchaseApplication,
    ) -> Result<AppliedPurchase, StoreError>;

    /// Closes a pending purchase without applying it.
    ///
    /// # Errors
    /// [`StoreError::PurchaseNotPending`] when it is no longer pending (a late failure never
    /// undoes a completed purchase), [`StoreError::NotFound`], [`StoreError::Unavailable`].
    async fn fail_purchase(&self, failure: PaymentFailure) -> Result<Purchase, StoreError>;

    /// Remembers the gateway's reference of a pending purchase's payment, learnt when the
    /// payment started (a Stripe PaymentIntent id), so later calls can find it. A payment that
    /// already has a reference, or is no longer pending, keeps what it has.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Unavailable`].
    async fn record_payment_reference(
        &self,
        purchase_id: PurchaseId,
        reference: GatewayReference,
        at: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// The purchase whose payment has this gateway reference (a Stripe PaymentIntent id).
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Unavailable`].
    async fn purchase_by_reference(
        &self,
        gateway: GatewayName,
        reference: GatewayReference,
    ) -> Result<Purchase, StoreError>;

    /// The imported payment with this reference (ADR 0025).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when no payment was imported with it, [`StoreError::Unavailable`].
    async fn imported_payment(
        &self,
        reference: GatewayReference,
    ) -> Result<crate::ImportedPayment, StoreError>;

    /// Whether a gateway's webhook event was processed already.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn gateway_event_processed(
        &self,
        gateway: GatewayName,
        event_id: String,
    ) -> Result<bool, StoreError>;

    /// Records a processed webhook event; returns `false` (and changes nothing) when the id
    /// was recorded before.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn record_gateway_event(&self, event: ProcessedGatewayEvent) -> Result<bool, StoreError>;

    /// Records a recurring payment, or its new state, with an audit entry.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown customer or package, [`StoreError::Unavailable`].
    async fn save_recurring(
        &self,
        recurring: Recurring,
        audit: AuditRecord,
        context: ActionContext,
    ) -> Result<(), StoreError>;

    /// A recurring payment by its gateway subscription.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Unavailable`].
    async fn recurring(
        &self,
        gateway: GatewayName,
        subscription: GatewayReference,
    ) -> Result<Recurring, StoreError>;

    /// A customer's recurring payments, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn customer_recurring(
        &self,
        customer_id: CustomerId,
    ) -> Result<Vec<Recurring>, StoreError>;
}

/// Where a recurring payment stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecurringState {
    /// Renews at the end of each period.
    Active,
    /// Stops at the end of the paid period.
    Cancelling,
    /// Stopped: no more periods.
    Ended,
}

impl RecurringState {
    /// The stored label.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Cancelling => "cancelling",
            Self::Ended => "ended",
        }
    }
}

/// A recurring payment at a gateway that renews a customer's subscription package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recurring {
    /// The gateway.
    pub gateway: GatewayName,
    /// The gateway's subscription.
    pub subscription: GatewayReference,
    /// Whose.
    pub customer_id: CustomerId,
    /// The package each period buys.
    pub package_id: PackageId,
    /// Where it stands.
    pub state: RecurringState,
    /// When it was set up.
    #[serde(with = "kasa_domain::instant")]
    pub created_at: OffsetDateTime,
    /// When its state last changed.
    #[serde(with = "kasa_domain::instant")]
    pub updated_at: OffsetDateTime,
}

/// A webhook event Kasa has acted on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessedGatewayEvent {
    /// The gateway.
    pub gateway: GatewayName,
    /// Its event id.
    pub event_id: String,
    /// Its event type.
    pub event_type: String,
    /// What Kasa did (`purchase completed`, `duplicate`, `ignored`, ...).
    pub outcome: String,
    /// When.
    #[serde(with = "kasa_domain::instant")]
    pub at: OffsetDateTime,
}

/// What the charge decision needs, read in one go.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargeContextQuery {
    /// The customer.
    pub customer: CustomerLookup,
    /// The department.
    pub department_id: DepartmentId,
    /// The ticket or chat.
    pub usage: UsageKey,
}

/// The answer to a [`ChargeContextQuery`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargeContext {
    /// The customer's id.
    pub customer_id: CustomerId,
    /// The department.
    pub department: Department,
    /// The card.
    pub card: CustomerCard,
    /// The holding.
    pub holding: Holding,
    /// The earlier charge of the same ticket or chat, if any.
    pub existing_charge: Option<UsageCharge>,
}

/// A ticket or chat to let through.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewUsageCharge {
    /// Its id.
    pub id: UsageChargeId,
    /// The ledger entry's id, when credits are consumed.
    pub ledger_entry_id: LedgerEntryId,
    /// Whose.
    pub customer_id: CustomerId,
    /// Which department.
    pub department_id: DepartmentId,
    /// The ticket or chat.
    pub usage: UsageKey,
    /// Credits to consume (zero for free or subscription).
    pub credits: Credits,
    /// Why it is let through.
    pub basis: ChargeBasis,
    /// Who asked.
    pub actor: Actor,
    /// The ledger reason (e.g. "ticket 123 opened in Support").
    pub reason: Reason,
    /// When.
    #[serde(with = "kasa_domain::instant")]
    pub at: OffsetDateTime,
    /// The installation's low-balance mark: a charge taking the balance from at or above it
    /// to below it queues `credits.low` (and one taking it to zero `credits.exhausted`), in the
    /// charge's own transaction ([`crate::webhook_events_for_charge`]).
    pub low_balance_threshold: Credits,
}

/// What recording a charge did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum RecordedCharge {
    /// Recorded now (and credits consumed, if any).
    Recorded {
        /// The charge.
        charge: UsageCharge,
    },
    /// The same ticket or chat was recorded before: nothing changed.
    AlreadyCharged {
        /// The earlier charge.
        charge: UsageCharge,
    },
}

/// Ticket and chat charges: the hot path.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ChargeStore: Send + Sync {
    /// Reads everything the charge decision needs.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] with entity `customer` or `department`,
    /// [`StoreError::Unavailable`].
    async fn charge_context(&self, query: ChargeContextQuery) -> Result<ChargeContext, StoreError>;

    /// Records a charge once per (customer, ticket or chat), consuming its credits atomically:
    /// never below zero, never twice.
    ///
    /// # Errors
    /// [`StoreError::InsufficientCredits`] when the balance dropped meanwhile (nothing is
    /// recorded), [`StoreError::Unavailable`].
    async fn record_charge(&self, charge: NewUsageCharge) -> Result<RecordedCharge, StoreError>;

    /// Reports a refused ticket or chat as `charge.refused` to the endpoints that subscribe
    /// to it (nothing else is written: a refusal changes nothing).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn record_refusal(&self, refused: crate::RefusedCharge) -> Result<(), StoreError>;
}

/// An agent adds or removes credits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdjustCredits {
    /// Whose.
    pub customer_id: CustomerId,
    /// The version the customer was read at (the holding must still be credits or nothing).
    pub expected_version: i64,
    /// The ledger entry's id.
    pub ledger_entry_id: LedgerEntryId,
    /// The signed change, never zero.
    pub delta: i64,
    /// The audit entry.
    pub audit: AuditRecord,
    /// Who and why.
    pub context: ActionContext,
    /// When.
    #[serde(with = "kasa_domain::instant")]
    pub at: OffsetDateTime,
}

/// An agent cancels a subscription.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelSubscription {
    /// Whose.
    pub customer_id: CustomerId,
    /// The version the plan was made on.
    pub expected_version: i64,
    /// What to do.
    pub plan: CancellationPlan,
    /// The audit entry.
    pub audit: AuditRecord,
    /// Who and why.
    pub context: ActionContext,
    /// When.
    #[serde(with = "kasa_domain::instant")]
    pub at: OffsetDateTime,
}

/// Terms that have ended are removed and their departments released.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpireTerms {
    /// Whose.
    pub customer_id: CustomerId,
    /// The version the terms were read at.
    pub expected_version: i64,
    /// The purchases whose terms ended.
    pub purchases: Vec<PurchaseId>,
    /// The audit entry.
    pub audit: AuditRecord,
    /// Who (the expiry job) and why.
    pub context: ActionContext,
    /// When.
    #[serde(with = "kasa_domain::instant")]
    pub at: OffsetDateTime,
}

/// Changes to what a customer holds, outside purchases and charges.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait HoldingStore: Send + Sync {
    /// Adds or removes credits with a ledger entry and an audit entry; returns the balance.
    ///
    /// # Errors
    /// [`StoreError::InsufficientCredits`] when removing more than the balance,
    /// [`StoreError::StaleVersion`], [`StoreError::NotFound`], [`StoreError::Unavailable`].
    async fn adjust_credits(&self, adjustment: AdjustCredits) -> Result<Credits, StoreError>;

    /// Cancels a subscription per plan; returns the holding after.
    ///
    /// # Errors
    /// [`StoreError::StaleVersion`], [`StoreError::NotFound`], [`StoreError::Unavailable`].
    async fn cancel_subscription(&self, cancel: CancelSubscription) -> Result<Holding, StoreError>;

    /// Reports, once per term, each subscription whose last term ends after `at` and at or
    /// before `ending_before` as `subscription.ending_soon` (up to `limit` terms): the term is
    /// marked reported and the event queued in one transaction, so a term is reported once
    /// however often the job runs or on however many servers. Returns the terms reported.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn report_subscriptions_ending_soon(
        &self,
        at: OffsetDateTime,
        ending_before: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<crate::EndingSubscriptionTerm>, StoreError>;

    /// Customers holding a subscription term that ended at or before `now`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn customers_with_ended_terms(
        &self,
        now: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<CustomerId>, StoreError>;

    /// Removes ended terms and releases their departments; returns the holding after.
    ///
    /// # Errors
    /// [`StoreError::StaleVersion`], [`StoreError::NotFound`], [`StoreError::Unavailable`].
    async fn expire_terms(&self, expiry: ExpireTerms) -> Result<Holding, StoreError>;
}

/// The durable outbox of side effects.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Claims up to `limit` messages due at `now` that are neither sent nor abandoned, and
    /// hides them from other claimers until `lease_until`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn claim_due_messages(
        &self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>, StoreError>;

    /// Marks a message delivered.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Unavailable`].
    async fn mark_message_sent(
        &self,
        id: OutboxMessageId,
        at: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// Records a failed attempt: retried at `retry_at`, or abandoned when `None`.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Unavailable`].
    async fn mark_message_failed(
        &self,
        id: OutboxMessageId,
        error: String,
        retry_at: Option<OffsetDateTime>,
    ) -> Result<(), StoreError>;

    /// Makes an undelivered message due at `at` (taking it back into delivery if it was
    /// abandoned), with an `outbox.retried` audit entry; returns the message after.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown or already sent message,
    /// [`StoreError::Unavailable`].
    async fn retry_message_now(
        &self,
        id: OutboxMessageId,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<OutboxMessage, StoreError>;
}

/// Settings.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SettingsStore: Send + Sync {
    /// The billing settings (defaults when never saved).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn billing_settings(&self) -> Result<BillingSettings, StoreError>;

    /// Every payment system, by gateway name (credentials never included).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn payment_systems(&self) -> Result<Vec<PaymentSystem>, StoreError>;

    /// Creates or changes a payment system, with an audit entry naming (never showing) the
    /// credentials changed.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn save_payment_system(
        &self,
        change: PaymentSystemChange,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<PaymentSystem, StoreError>;

    /// A payment system's credentials, for the gateway adapter only.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Unavailable`].
    async fn payment_system_credentials(
        &self,
        gateway: GatewayName,
    ) -> Result<std::collections::BTreeMap<String, Secret>, StoreError>;

    /// Saves the billing settings, with an audit entry.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn save_billing_settings(
        &self,
        settings: BillingSettings,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// The seller's logo for documents, if one was saved.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn logo(&self) -> Result<Option<Logo>, StoreError>;

    /// Saves (or with `None` removes) the logo, with an audit entry naming its format and size.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn save_logo(
        &self,
        logo: Option<Logo>,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<(), StoreError>;
}

/// Which audit entries to read, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    /// Only entries about this subject (e.g. `customer:<id>`).
    pub subject: Option<String>,
    /// Only entries with this action (e.g. `purchase.completed`).
    pub action: Option<String>,
    /// Only entries older than this one (the cursor of the previous page).
    pub before: Option<AuditEntryId>,
    /// At most this many.
    pub limit: u32,
}

/// What the staff console's dashboard counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DashboardQuery {
    /// Purchases completed and refunds made from this moment on (the start of today).
    pub since: OffsetDateTime,
    /// Customers whose credits ran out from this moment on (the start of the week).
    pub ran_out_since: OffsetDateTime,
    /// Now: subscriptions ending after it ...
    pub now: OffsetDateTime,
    /// ... and at the latest at this moment.
    pub ending_before: OffsetDateTime,
    /// At most this many customers in each list.
    pub limit: u32,
}

/// How many, and how much, in one currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CurrencyTally {
    /// How many.
    pub count: u64,
    /// Their sum.
    pub total: Money,
}

impl CurrencyTally {
    /// The amounts counted and summed per currency, in the order the currencies first appear.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] when a sum overflows.
    pub fn of(amounts: impl IntoIterator<Item = Money>) -> Result<Vec<Self>, StoreError> {
        let mut tallies: Vec<Self> = Vec::new();
        for amount in amounts {
            match tallies
                .iter_mut()
                .find(|tally| tally.total.currency() == amount.currency())
            {
                Some(tally) => {
                    tally.count += 1;
                    tally.total = tally
                        .total
                        .checked_add(&amount)
                        .map_err(|error| StoreError::Corrupt(error.to_string()))?;
                }
                None => tallies.push(Self {
                    count: 1,
                    total: amount,
                }),
            }
        }
        Ok(tallies)
    }
}

/// A customer on the dashboard, with the moment that put them there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DashboardCustomer {
    /// Who.
    pub id: CustomerId,
    /// Their name.
    pub name: String,
    /// Their e-mail address.
    pub email: EmailAddress,
    /// When their credits ran out, or when their subscription ends.
    pub at: OffsetDateTime,
}

/// The dashboard's figures.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DashboardFigures {
    /// Paid purchases completed since `since`, per currency (free grants carry no amount).
    pub purchases: Vec<CurrencyTally>,
    /// Refunds that succeeded since `since`, per currency.
    pub refunds: Vec<CurrencyTally>,
    /// Customers with no credits left (and no subscription) whose last ledger entry emptied
    /// the balance since `ran_out_since`; latest first.
    pub ran_out: Vec<DashboardCustomer>,
    /// Customers whose subscription (its last term) ends after `now` and by `ending_before`;
    /// soonest first.
    pub ending: Vec<DashboardCustomer>,
}

/// Which purchases to read, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseQuery {
    /// Only this customer's.
    pub customer_id: Option<CustomerId>,
    /// Only purchases in this state.
    pub status: Option<PurchaseStatus>,
    /// Only purchases older than this one (the cursor of the previous page).
    pub before: Option<PurchaseId>,
    /// At most this many.
    pub limit: u32,
}

/// Reads of what happened: the ledger, charges, purchases, the audit log and the outbox. Every
/// list is newest first.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait HistoryStore: Send + Sync {
    /// A customer's latest credit ledger entries.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn ledger_entries(
        &self,
        customer_id: CustomerId,
        limit: u32,
    ) -> Result<Vec<LedgerEntry>, StoreError>;

    /// One page of a customer's credit ledger, newest first: `limit` entries after skipping
    /// the `offset` newest.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn ledger_page(
        &self,
        customer_id: CustomerId,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<LedgerEntry>, StoreError>;

    /// A customer's latest ticket and chat charges.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn usage_charges(
        &self,
        customer_id: CustomerId,
        limit: u32,
    ) -> Result<Vec<UsageCharge>, StoreError>;

    /// A customer's latest purchases, with their payments.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn customer_purchases(
        &self,
        customer_id: CustomerId,
        limit: u32,
    ) -> Result<Vec<Purchase>, StoreError>;

    /// Purchases matching the query, newest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn purchases(&self, query: PurchaseQuery) -> Result<Vec<Purchase>, StoreError>;

    /// Audit entries matching the query.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn audit_entries(&self, query: AuditQuery) -> Result<Vec<AuditEntry>, StoreError>;

    /// Writes an audit entry that goes with no change: a security event (forged gateway
    /// callbacks, ...) for operators to see.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn record_security_event(
        &self,
        record: AuditRecord,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// The staff console dashboard's figures.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn dashboard_figures(
        &self,
        query: DashboardQuery,
    ) -> Result<DashboardFigures, StoreError>;

    /// Outbox messages: all, or only the undelivered ones (not sent, whether still retried or
    /// abandoned).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn outbox_messages(
        &self,
        undelivered_only: bool,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>, StoreError>;
}

/// Invoices, receipts and credit notes: numbered without gaps, never changed once issued.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait InvoiceStore: Send + Sync {
    /// Issues a document: takes the next number of its series and year and stores it, in one
    /// transaction (a failure takes no number).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown purchase, customer or referred invoice,
    /// [`StoreError::AlreadyExists`] for a reused id, [`StoreError::Unavailable`].
    async fn issue_invoice(&self, invoice: NewInvoice) -> Result<Invoice, StoreError>;

    /// The documents of a purchase, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn purchase_invoices(&self, purchase_id: PurchaseId) -> Result<Vec<Invoice>, StoreError>;

    /// A customer's latest documents, newest first (by issue time, then series and number).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn customer_invoices(
        &self,
        customer_id: CustomerId,
        limit: u32,
    ) -> Result<Vec<Invoice>, StoreError>;
    /// One document by its id.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn invoice(&self, id: kasa_domain::InvoiceId) -> Result<Invoice, StoreError>;

    /// Queues a document's e-mail again (a resend), with its audit entry, in one transaction.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn queue_document_email(
        &self,
        email: OutboxPayload,
        audit: AuditRecord,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<(), StoreError>;
}

/// Every store port at once: what a complete store (in memory, SQLite, PostgreSQL) implements.
pub trait Store:
    CatalogStore
    + CustomerStore
    + PurchaseStore
    + ChargeStore
    + HoldingStore
    + OutboxStore
    + SettingsStore
    + HistoryStore
    + InvoiceStore
    + crate::PaymentActionStore
    + crate::ReportStore
    + crate::QuestionStore
    + crate::CouponStore
{
}

impl<T> Store for T where
    T: CatalogStore
        + CustomerStore
        + PurchaseStore
        + ChargeStore
        + HoldingStore
        + OutboxStore
        + SettingsStore
        + HistoryStore
        + InvoiceStore
        + crate::PaymentActionStore
        + crate::ReportStore
        + crate::QuestionStore
        + crate::CouponStore
{
}
