//! What a gateway adapter is, as data the server reads: its name, what it can do
//! ([`GatewayCapabilities`]), the settings and credentials its payment system takes, and how its
//! adapter is built from them. Each adapter crate exports one [`GatewayDescriptor`]; the server
//! keeps one list of them (its gateway registry) and never matches on a gateway's name.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::{GatewayError, PaymentGateway, PaymentSystem, Secret};

/// How a started checkout continues in the customer's browser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BrowserCheckout {
    /// The browser is sent on to the gateway: a signed form post (NestPay's 3-D gate) or a
    /// redirect to a hosted page. Kasa's own pages run no gateway script.
    LeavesKasa,
    /// The gateway's script takes the card on Kasa's page and confirms the payment there with a
    /// client secret (Stripe Elements): the page loads that script.
    ClientConfirmation,
}

/// What a gateway can do. The use cases refuse what it cannot, with a clear problem, before
/// anything reaches the gateway; pages offer only what it can.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GatewayCapabilities {
    /// It keeps the customer's card for later (card update, the card renewals charge).
    pub saved_cards: bool,
    /// It can authorise now and capture later (the `capture = authorise_only` setting).
    pub authorise_then_capture: bool,
    /// It can give back part of a captured payment.
    pub partial_refunds: bool,
    /// It charges a saved card every period by itself (renewing subscriptions).
    pub recurring: bool,
    /// How checkout continues in the browser.
    pub browser_checkout: BrowserCheckout,
}

impl GatewayCapabilities {
    /// What every gateway offers through the port's required methods: capture, void, refund
    /// (also in part), and a checkout that leaves Kasa's pages; no saved cards, no recurring.
    pub const CORE: Self = Self {
        saved_cards: false,
        authorise_then_capture: true,
        partial_refunds: true,
        recurring: false,
        browser_checkout: BrowserCheckout::LeavesKasa,
    };
}

/// A public setting of a payment system (shown and returned; never a secret).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GatewaySetting {
    /// The configuration key the adapter reads.
    pub name: &'static str,
    /// The values it may take, when it is a choice (empty: free text).
    pub choices: &'static [GatewayChoice],
    /// Whether a choice may be left empty (forms then offer "none").
    pub optional: bool,
}

/// One value a choice setting may take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GatewayChoice {
    /// The value stored.
    pub value: &'static str,
    /// A proper name shown as it is in every language (a bank's name); `None`: the words come
    /// from the locale (`operator.payment.<setting>.<value>`).
    pub proper_name: Option<&'static str>,
}

impl GatewayChoice {
    /// A value whose words come from the locale.
    #[must_use]
    pub const fn worded(value: &'static str) -> Self {
        Self {
            value,
            proper_name: None,
        }
    }
}

impl GatewaySetting {
    /// A free-text setting.
    #[must_use]
    pub const fn text(name: &'static str) -> Self {
        Self {
            name,
            choices: &[],
            optional: true,
        }
    }

    /// The `capture` setting every gateway with authorise-then-capture takes
    /// ([`crate::capture_mode_of`]).
    pub const CAPTURE: Self = Self {
        name: "capture",
        choices: &[
            GatewayChoice::worded("immediate"),
            GatewayChoice::worded("authorise_only"),
        ],
        optional: false,
    };
}

/// Builds a gateway adapter from a payment system's settings and its credentials.
pub type GatewayBuilder =
    fn(&PaymentSystem, &BTreeMap<String, Secret>) -> Result<Arc<dyn PaymentGateway>, GatewayError>;

/// Everything Kasa needs to know of a gateway adapter to offer it.
#[derive(Clone, Copy)]
pub struct GatewayDescriptor {
    /// The gateway's name, stored with every payment (a short lower-case word, forever).
    pub name: &'static str,
    /// What it can do.
    pub capabilities: GatewayCapabilities,
    /// The public settings its payment system takes, in the order forms show them.
    pub settings: &'static [GatewaySetting],
    /// The credentials it takes: secrets, stored sealed, write-only, never returned or logged.
    pub credentials: &'static [&'static str],
    /// Builds the adapter from the stored payment system.
    pub build: GatewayBuilder,
}

impl std::fmt::Debug for GatewayDescriptor {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("GatewayDescriptor")
            .field("name", &self.name)
            .field("capabilities", &self.capabilities)
            .field("settings", &self.settings)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}
