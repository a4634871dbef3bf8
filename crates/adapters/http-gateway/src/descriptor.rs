//! What the `http` gateway is, for Kasa's gateway registry (docs/http-gateway.md, ADR 0024).

use std::collections::BTreeMap;
use std::sync::Arc;

use kasa_ports::{
    BrowserCheckout, GatewayCapabilities, GatewayDescriptor, GatewayError, GatewaySetting,
    PaymentGateway, PaymentSystem, Secret,
};

use crate::{GATEWAY_NAME, HttpGateway, HttpGatewayConfig};

/// The contract's capabilities: the integrator's page takes the card (a redirect; Kasa keeps
/// no card and charges none by itself), authorise-then-capture and refunds of any part are
/// operations of the contract; recurring payments and saved cards are not (yet).
pub const CAPABILITIES: GatewayCapabilities = GatewayCapabilities {
    saved_cards: false,
    authorise_then_capture: true,
    partial_refunds: true,
    recurring: false,
    browser_checkout: BrowserCheckout::LeavesKasa,
};

/// The `http` gateway as Kasa's registry lists it.
pub const DESCRIPTOR: GatewayDescriptor = GatewayDescriptor {
    name: GATEWAY_NAME,
    capabilities: CAPABILITIES,
    settings: &[
        GatewaySetting::text("endpoint_url"),
        GatewaySetting::text("timeout_seconds"),
        GatewaySetting::CAPTURE,
    ],
    credentials: &["shared_secret"],
    build: build_gateway,
};

/// Builds the adapter from its payment system.
///
/// # Errors
/// [`GatewayError::Misconfigured`] naming the missing or wrong setting.
pub fn build_gateway(
    system: &PaymentSystem,
    credentials: &BTreeMap<String, Secret>,
) -> Result<Arc<dyn PaymentGateway>, GatewayError> {
    let config = HttpGatewayConfig::from_settings(&system.configuration, credentials)?;
    Ok(Arc::new(HttpGateway::new(config)?))
}
