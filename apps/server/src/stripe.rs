//! Stripe from the payment-system settings (its webhook endpoint is `webhook.rs`).
//!
//! Settings (`PUT /v1/settings/payment-systems/stripe`): configuration `publishable_key`
//! (`pk_…`, shown to customers' browsers), optionally `base_url` (a Stripe-compatible server,
//! e.g. localstripe), `timeout_seconds`, `webhook_tolerance_seconds` (default 300),
//! `statement_descriptor`; credentials `secret_key` (`sk_…`) and `webhook_secret` (`whsec_…`).
//! Stripe sends events to `POST /gateways/stripe/webhook`.

use std::collections::BTreeMap;
use std::sync::Arc;

use kasa_ports::{GatewayError, PaymentGateway, PaymentSystem, Secret};

/// Builds the Stripe adapter from its settings.
///
/// # Errors
/// [`GatewayError::Misconfigured`] naming the missing or wrong setting.
pub fn build_gateway(
    system: &PaymentSystem,
    credentials: &BTreeMap<String, Secret>,
) -> Result<Arc<dyn PaymentGateway>, GatewayError> {
    let config = kasa_stripe::StripeConfig::from_settings(&system.configuration, credentials)?;
    Ok(Arc::new(kasa_stripe::StripeGateway::new(config)?))
}
