//! What the NestPay gateway is, for Kasa's gateway registry: its capabilities, the settings of
//! its payment system (`PUT /v1/settings/payment-systems/nestpay`) and how it is built from them.
//!
//! Settings: `bank` (one of [`Bank::ALL`]) or `base_url` (any other NestPay host, or the local
//! sandbox), `client_id`, `store_type` (`3d_pay` or `3d_pay_hosting`), `capture`;
//! `half_secure_allowed` (default false) is read too but not offered on the form. Credentials:
//! `store_key`, `api_user`, `api_password`.

use std::collections::BTreeMap;
use std::sync::Arc;

use kasa_ports::{
    BrowserCheckout, GatewayCapabilities, GatewayChoice, GatewayDescriptor, GatewayError,
    GatewaySetting, PaymentGateway, PaymentSystem, Secret,
};

use crate::{Bank, GATEWAY_NAME, NestPayConfig, NestPayGateway};

const fn bank_choice(bank: Bank) -> GatewayChoice {
    GatewayChoice {
        value: bank.name(),
        proper_name: Some(bank.display_name()),
    }
}

const BANK_CHOICES: [GatewayChoice; Bank::ALL.len()] = [
    bank_choice(Bank::ALL[0]),
    bank_choice(Bank::ALL[1]),
    bank_choice(Bank::ALL[2]),
    bank_choice(Bank::ALL[3]),
    bank_choice(Bank::ALL[4]),
];

/// NestPay's capabilities: the card is typed at the bank's 3-D gate each time (no saved cards,
/// no recurring); sale or pre-authorisation with post-auth capture; refunds of any part once
/// the day's batch is settled (before that the bank voids the whole payment instead).
pub const CAPABILITIES: GatewayCapabilities = GatewayCapabilities {
    saved_cards: false,
    authorise_then_capture: true,
    partial_refunds: true,
    recurring: false,
    browser_checkout: BrowserCheckout::LeavesKasa,
};

/// The NestPay gateway as Kasa's registry lists it.
pub const DESCRIPTOR: GatewayDescriptor = GatewayDescriptor {
    name: GATEWAY_NAME,
    capabilities: CAPABILITIES,
    settings: &[
        GatewaySetting {
            name: "bank",
            choices: &BANK_CHOICES,
            optional: true,
        },
        GatewaySetting::text("base_url"),
        GatewaySetting::text("client_id"),
        GatewaySetting {
            name: "store_type",
            choices: &[
                GatewayChoice::worded("3d_pay"),
                GatewayChoice::worded("3d_pay_hosting"),
            ],
            optional: false,
        },
        GatewaySetting::CAPTURE,
    ],
    credentials: &["store_key", "api_user", "api_password"],
    build: build_gateway,
};

/// Builds the NestPay adapter from its payment system.
///
/// # Errors
/// [`GatewayError::Misconfigured`] naming the missing or wrong setting.
pub fn build_gateway(
    system: &PaymentSystem,
    credentials: &BTreeMap<String, Secret>,
) -> Result<Arc<dyn PaymentGateway>, GatewayError> {
    let config = NestPayConfig::from_settings(&system.configuration, credentials)?;
    Ok(Arc::new(NestPayGateway::new(config)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bank_choices_are_every_bank() {
        let values: Vec<_> = BANK_CHOICES.iter().map(|choice| choice.value).collect();
        let banks: Vec<_> = Bank::ALL.iter().map(|bank| bank.name()).collect();
        assert_eq!(values, banks);
    }
}
