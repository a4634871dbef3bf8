//! NestPay from the payment-system settings, and the operator's debugging commands.
//!
//! Settings (`PUT /v1/settings/payment-systems/nestpay`): configuration `bank` (`isbank`,
//! `akbank`, `halkbank`, `ziraat`, `asseco-test`) or `base_url` (any other NestPay host, or
//! the local sandbox), `client_id`, `store_type` (`3d_pay` or `3d_pay_hosting`),
//! `half_secure_allowed` (default false); credentials `store_key`, `api_user`, `api_password`.

use std::collections::BTreeMap;
use std::sync::Arc;

use kasa_ports::{GatewayError, PaymentGateway, PaymentSystem, Secret};

/// Builds the NestPay adapter from its settings.
///
/// # Errors
/// [`GatewayError::Misconfigured`] naming the missing or wrong setting.
pub fn build_gateway(
    system: &PaymentSystem,
    credentials: &BTreeMap<String, Secret>,
) -> Result<Arc<dyn PaymentGateway>, GatewayError> {
    let config = kasa_nestpay::NestPayConfig::from_settings(&system.configuration, credentials)?;
    Ok(Arc::new(kasa_nestpay::NestPayGateway::new(config)?))
}
