//! The use-case facade and the ports it is wired with.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use kasa_ports::{
    CatalogStore, ChargeStore, Clock, CustomerStore, DocumentRenderer, GatewayName, HistoryStore,
    HoldingStore, InvoiceStore, Mailer, OutboxStore, PaymentActionStore, PaymentGateway,
    PurchaseStore, QuestionStore, SettingsStore, Store,
};

/// The configured payment gateways, by name.
#[derive(Clone, Default)]
pub struct Gateways(BTreeMap<GatewayName, Arc<dyn PaymentGateway>>);

impl Gateways {
    /// No gateways.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a gateway under its own name.
    #[must_use]
    pub fn with(mut self, gateway: Arc<dyn PaymentGateway>) -> Self {
        self.0.insert(gateway.name(), gateway);
        self
    }

    /// The gateway called `name`.
    #[must_use]
    pub fn get(&self, name: &GatewayName) -> Option<&Arc<dyn PaymentGateway>> {
        self.0.get(name)
    }

    /// The names of the configured gateways.
    pub fn names(&self) -> impl Iterator<Item = &GatewayName> {
        self.0.keys()
    }
}

impl fmt::Debug for Gateways {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.debug_list().entries(self.0.keys()).finish()
    }
}

/// Everything the use cases reach the world through.
#[derive(Clone)]
pub struct BillingPorts {
    /// Departments and packages.
    pub catalog: Arc<dyn CatalogStore>,
    /// Customers and cards.
    pub customers: Arc<dyn CustomerStore>,
    /// Purchases and payments.
    pub purchases: Arc<dyn PurchaseStore>,
    /// Ticket and chat charges.
    pub charges: Arc<dyn ChargeStore>,
    /// Credit adjustments, cancellations, expiry.
    pub holdings: Arc<dyn HoldingStore>,
    /// The outbox.
    pub outbox: Arc<dyn OutboxStore>,
    /// Settings.
    pub settings: Arc<dyn SettingsStore>,
    /// Captures, voids and refunds.
    pub payment_actions: Arc<dyn PaymentActionStore>,
    /// Invoices, receipts and credit notes.
    pub invoices: Arc<dyn InvoiceStore>,
    /// Customers' billing questions.
    pub questions: Arc<dyn QuestionStore>,
    /// Reads of what happened (purchases, charges, the ledger).
    pub history: Arc<dyn HistoryStore>,
    /// Coupons.
    pub coupons: Arc<dyn kasa_ports::CouponStore>,
    /// Payment gateways.
    pub gateways: Gateways,
    /// Outgoing mail.
    pub mailer: Arc<dyn Mailer>,
    /// Invoices as files, attached to customers' mail.
    pub documents: Arc<dyn DocumentRenderer>,
    /// The clock.
    pub clock: Arc<dyn Clock>,
}

impl BillingPorts {
    /// Wires every store port to one store that implements them all.
    pub fn from_store<S>(
        store: Arc<S>,
        gateways: Gateways,
        mailer: Arc<dyn Mailer>,
        documents: Arc<dyn DocumentRenderer>,
        clock: Arc<dyn Clock>,
    ) -> Self
    where
        S: Store + 'static,
    {
        Self {
            catalog: store.clone(),
            customers: store.clone(),
            purchases: store.clone(),
            charges: store.clone(),
            holdings: store.clone(),
            outbox: store.clone(),
            settings: store.clone(),
            payment_actions: store.clone(),
            questions: store.clone(),
            history: store.clone(),
            invoices: store.clone(),
            coupons: store,
            gateways,
            mailer,
            documents,
            clock,
        }
    }
}

impl fmt::Debug for BillingPorts {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("BillingPorts")
            .field("gateways", &self.gateways)
            .finish_non_exhaustive()
    }
}

/// How the outbox worker retries a temporary mail failure: attempt `n` waits
/// `first_retry × 2^(n-1)`, at most `max_retry`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeliveryPolicy {
    /// The wait after the first failure.
    pub first_retry: time::Duration,
    /// The longest wait.
    pub max_retry: time::Duration,
}

impl Default for DeliveryPolicy {
    fn default() -> Self {
        Self {
            first_retry: time::Duration::minutes(1),
            max_retry: time::Duration::hours(6),
        }
    }
}

/// When balance and subscription events are reported (ADR 0023): per installation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventThresholds {
    /// A charge taking the credit balance from at or above this to below it reports
    /// `credits.low` (default 10 credits).
    pub low_balance_threshold: kasa_domain::Credits,
    /// A subscription whose last term ends within this many days reports
    /// `subscription.ending_soon`, once per term (default 7).
    pub subscription_ending_soon_days: u32,
}

impl EventThresholds {
    /// The default low-balance mark, in credits.
    pub const DEFAULT_LOW_BALANCE_CREDITS: u32 = 10;
    /// The default warning before a subscription ends, in days.
    pub const DEFAULT_ENDING_SOON_DAYS: u32 = 7;
}

impl Default for EventThresholds {
    fn default() -> Self {
        Self {
            low_balance_threshold: kasa_domain::Credits::from_u32(
                Self::DEFAULT_LOW_BALANCE_CREDITS,
            ),
            subscription_ending_soon_days: Self::DEFAULT_ENDING_SOON_DAYS,
        }
    }
}

/// The use cases. Cheap to clone; share one per process.
#[derive(Clone, Debug)]
pub struct Billing {
    pub(crate) ports: BillingPorts,
    pub(crate) delivery: DeliveryPolicy,
    pub(crate) events: EventThresholds,
}

impl Billing {
    /// Wires the use cases.
    #[must_use]
    pub fn new(ports: BillingPorts) -> Self {
        Self {
            ports,
            delivery: DeliveryPolicy::default(),
            events: EventThresholds::default(),
        }
    }

    /// Uses other thresholds for `credits.low` and `subscription.ending_soon`.
    #[must_use]
    pub fn with_event_thresholds(mut self, events: EventThresholds) -> Self {
        self.events = events;
        self
    }

    /// Uses another retry policy for mail delivery.
    #[must_use]
    pub fn with_delivery_policy(mut self, delivery: DeliveryPolicy) -> Self {
        self.delivery = delivery;
        self
    }

    /// The ports, for the server's read-only endpoints.
    #[must_use]
    pub fn ports(&self) -> &BillingPorts {
        &self.ports
    }
}
