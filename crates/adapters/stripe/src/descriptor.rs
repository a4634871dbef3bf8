//! What the Stripe gateway is, for Kasa's gateway registry: its capabilities, the settings of
//! its payment system (`PUT /v1/settings/payment-systems/stripe`) and how it is built from them.
//!
//! Settings: `publishable_key` (`pk_…`, shown to customers' browsers), optionally `base_url` (a
//! Stripe-compatible server, e.g. localstripe), `capture`; `timeout_seconds`,
//! `webhook_tolerance_seconds` (default 300) and `statement_descriptor` are read too but not
//! offered on the form. Credentials: `secret_key` (`sk_…`) and `webhook_secret` (`whsec_…`).
//! Stripe sends events to `POST /gateways/stripe/webhook`.

use std::collections::BTreeMap;
use std::sync::Arc;

use kasa_ports::{
    BrowserCheckout, GatewayCapabilities, GatewayDescriptor, GatewayError, GatewaySetting,
    PaymentGateway, PaymentSystem, Secret,
};

use crate::{GATEWAY_NAME, StripeConfig, StripeGateway};

/// Stripe's capabilities: Stripe.js takes and confirms the card on Kasa's page; cards are saved
/// (SetupIntents) and charged every period by Stripe Billing; manual capture; partial refunds.
pub const CAPABILITIES: GatewayCapabilities = GatewayCapabilities {
    saved_cards: true,
    authorise_then_capture: true,
    partial_refunds: true,
    recurring: true,
    browser_checkout: BrowserCheckout::ClientConfirmation,
};

/// The Stripe gateway as Kasa's registry lists it.
pub const DESCRIPTOR: GatewayDescriptor = GatewayDescriptor {
    name: GATEWAY_NAME,
    capabilities: CAPABILITIES,
    settings: &[
        GatewaySetting::text("publishable_key"),
        GatewaySetting::text("base_url"),
        GatewaySetting::CAPTURE,
    ],
    credentials: &["secret_key", "webhook_secret"],
    build: build_gateway,
};

/// Builds the Stripe adapter from its payment system.
///
/// # Errors
/// [`GatewayError::Misconfigured`] naming the missing or wrong setting.
pub fn build_gateway(
    system: &PaymentSystem,
    credentials: &BTreeMap<String, Secret>,
) -> Result<Arc<dyn PaymentGateway>, GatewayError> {
    let config = StripeConfig::from_settings(&system.configuration, credentials)?;
    Ok(Arc::new(StripeGateway::new(config)?))
}
