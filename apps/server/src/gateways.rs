//! The gateway registry, and payment gateways configured at run time through the settings API.
//!
//! [`REGISTRY`] is the one list of the gateways Kasa has adapters for: each adapter crate
//! exports a [`GatewayDescriptor`] (its name, capabilities, settings, credentials and builder),
//! and adding a gateway is one line here. Settings, pages, checkout and the API read the
//! registry and the capabilities; none of them matches on a gateway's name.
//!
//! Each registered gateway builds its adapter from the stored payment system (its configuration
//! and credentials) on first use, again after the settings change. Every port method is
//! forwarded, including those with a default (a default here would hide the adapter's own).

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use kasa_domain::{EmailAddress, Money};
use kasa_locale::Locale;
use kasa_ports::{
    GatewayCallback, GatewayCapabilities, GatewayDescriptor, GatewayError, GatewayEvent,
    GatewayName, GatewayReceipt, GatewayReference, PaymentGateway, PaymentHandle,
    PaymentInitiation, PaymentResult, PaymentStart, PaymentStatusReport, PaymentSystem,
    RecurringStart, Secret, SettingsStore,
};
use tokio::sync::RwLock;

/// Every gateway Kasa has an adapter for, one line each; the first is the one checkout offers
/// when no payment system is switched on (so the page says payments are unavailable).
pub const REGISTRY: &[GatewayDescriptor] = &[
    kasa_nestpay::DESCRIPTOR,
    kasa_stripe::DESCRIPTOR,
    kasa_http_gateway::DESCRIPTOR,
];

/// The registered gateway called `name`.
pub fn descriptor(name: &str) -> Option<&'static GatewayDescriptor> {
    REGISTRY.iter().find(|descriptor| descriptor.name == name)
}

/// The registered gateways' names, in order (`nestpay, stripe`), for messages.
pub fn registered_names() -> String {
    REGISTRY
        .iter()
        .map(|descriptor| descriptor.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The capabilities of the gateway called `name`; none when Kasa has no adapter for it.
pub fn capabilities_of(name: &str) -> Option<GatewayCapabilities> {
    descriptor(name).map(|descriptor| descriptor.capabilities)
}

/// The words of a gateway at checkout (`billing.gateway.<name>`: "Card (bank)").
pub const CHECKOUT_WORDS: &str = "billing.gateway";
/// How a purchase was paid, in the history (`portal.paid-with.<name>`; also `manual`).
pub const PAID_WITH_WORDS: &str = "portal.paid-with";
/// The card page's note for a gateway that keeps no card (`portal.card-keeps-none.<name>`).
pub const KEEPS_NO_CARD_WORDS: &str = "portal.card-keeps-none";

/// A gateway's words for customers: `<prefix>.<gateway>` when the locale has them, else
/// `<prefix>.other` (a gateway added without words still reads well in both languages).
pub fn gateway_words(locale: Locale, prefix: &str, gateway: &str) -> String {
    let own = format!("{prefix}.{gateway}");
    let words = locale.t(&own);
    if words == own {
        locale.t(&format!("{prefix}.other")).to_owned()
    } else {
        words.to_owned()
    }
}

/// A gateway whose adapter follows the stored settings.
pub struct ConfiguredGateway {
    name: GatewayName,
    descriptor: &'static GatewayDescriptor,
    settings: Arc<dyn SettingsStore>,
    current: RwLock<Option<(Arc<dyn PaymentGateway>, bool)>>,
}

impl std::fmt::Debug for ConfiguredGateway {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("ConfiguredGateway")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl ConfiguredGateway {
    /// The gateway `descriptor` registers, built from the settings in `settings`.
    pub fn new(descriptor: &'static GatewayDescriptor, settings: Arc<dyn SettingsStore>) -> Self {
        Self {
            name: GatewayName::new(descriptor.name),
            descriptor,
            settings,
            current: RwLock::new(None),
        }
    }

    /// Whether `system` with `credentials` would build an adapter (settings about to be saved).
    ///
    /// # Errors
    /// The adapter's [`GatewayError::Misconfigured`] naming the problem.
    pub fn check(
        &self,
        system: &PaymentSystem,
        credentials: &BTreeMap<String, Secret>,
    ) -> Result<(), GatewayError> {
        (self.descriptor.build)(system, credentials).map(|_| ())
    }

    /// Forgets the built adapter: the next call builds it from the saved settings.
    pub async fn reload(&self) {
        *self.current.write().await = None;
    }

    /// The adapter, for what only a switched-on payment system may start (payments, renewing
    /// subscriptions, saved cards); what is under way (callbacks, refunds) goes on when it is off.
    async fn switched_on(&self) -> Result<Arc<dyn PaymentGateway>, GatewayError> {
        let (adapter, enabled) = self.adapter().await?;
        if enabled {
            Ok(adapter)
        } else {
            Err(GatewayError::Misconfigured(format!(
                "payment system `{}` is switched off",
                self.name
            )))
        }
    }

    /// The adapter and whether customers may start payments through it.
    async fn adapter(&self) -> Result<(Arc<dyn PaymentGateway>, bool), GatewayError> {
        if let Some((adapter, enabled)) = self.current.read().await.as_ref() {
            return Ok((adapter.clone(), *enabled));
        }
        let unavailable =
            |error: kasa_ports::StoreError| GatewayError::Unavailable(error.to_string());
        let system = self
            .settings
            .payment_systems()
            .await
            .map_err(unavailable)?
            .into_iter()
            .find(|system| system.gateway == self.name)
            .ok_or_else(|| {
                GatewayError::Misconfigured(format!(
                    "payment system `{}` is not set up (PUT /v1/settings/payment-systems/{})",
                    self.name, self.name
                ))
            })?;
        let credentials = self
            .settings
            .payment_system_credentials(self.name.clone())
            .await
            .map_err(unavailable)?;
        let adapter = (self.descriptor.build)(&system, &credentials)?;
        *self.current.write().await = Some((adapter.clone(), system.enabled));
        Ok((adapter, system.enabled))
    }
}

#[async_trait]
impl PaymentGateway for ConfiguredGateway {
    fn name(&self) -> GatewayName {
        self.name.clone()
    }

    fn capabilities(&self) -> GatewayCapabilities {
        self.descriptor.capabilities
    }

    async fn start_payment(
        &self,
        request: PaymentStart,
    ) -> Result<PaymentInitiation, GatewayError> {
        self.switched_on().await?.start_payment(request).await
    }

    async fn verify_callback(
        &self,
        callback: GatewayCallback,
    ) -> Result<PaymentResult, GatewayError> {
        self.adapter().await?.0.verify_callback(callback).await
    }

    async fn verify_webhook(
        &self,
        callback: GatewayCallback,
    ) -> Result<GatewayEvent, GatewayError> {
        self.adapter().await?.0.verify_webhook(callback).await
    }

    async fn start_recurring(
        &self,
        start: RecurringStart,
    ) -> Result<GatewayReference, GatewayError> {
        self.switched_on().await?.start_recurring(start).await
    }

    async fn cancel_recurring(
        &self,
        subscription: GatewayReference,
        at_period_end: bool,
    ) -> Result<(), GatewayError> {
        self.adapter()
            .await?
            .0
            .cancel_recurring(subscription, at_period_end)
            .await
    }

    async fn start_card_update(
        &self,
        customer_email: EmailAddress,
        customer_name: String,
    ) -> Result<PaymentInitiation, GatewayError> {
        self.switched_on()
            .await?
            .start_card_update(customer_email, customer_name)
            .await
    }

    async fn finish_card_update(
        &self,
        customer_email: EmailAddress,
        reference: GatewayReference,
    ) -> Result<(), GatewayError> {
        self.switched_on()
            .await?
            .finish_card_update(customer_email, reference)
            .await
    }

    async fn capture(
        &self,
        payment: PaymentHandle,
        amount: Option<Money>,
    ) -> Result<GatewayReceipt, GatewayError> {
        self.adapter().await?.0.capture(payment, amount).await
    }

    async fn void(&self, payment: PaymentHandle) -> Result<GatewayReceipt, GatewayError> {
        self.adapter().await?.0.void(payment).await
    }

    async fn refund(
        &self,
        payment: PaymentHandle,
        amount: Money,
    ) -> Result<GatewayReceipt, GatewayError> {
        self.adapter().await?.0.refund(payment, amount).await
    }

    async fn query_status(
        &self,
        payment: PaymentHandle,
    ) -> Result<PaymentStatusReport, GatewayError> {
        self.adapter().await?.0.query_status(payment).await
    }

    async fn abandon(&self, payment: PaymentHandle) -> Result<PaymentStatusReport, GatewayError> {
        self.adapter().await?.0.abandon(payment).await
    }
}

/// A gateway's request as the port takes it: the raw body, form fields, and the headers with
/// lower-cased names (signatures are checked over what arrived).
pub fn callback_of(
    request: &poem::Request,
    raw_body: Vec<u8>,
    fields: Vec<(String, String)>,
) -> GatewayCallback {
    GatewayCallback {
        raw_body,
        fields,
        headers: request
            .headers()
            .iter()
            .filter_map(|(name, value)| {
                Some((
                    name.as_str().to_ascii_lowercase(),
                    value.to_str().ok()?.to_owned(),
                ))
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kasa_domain::Language;

    #[test]
    fn every_gateway_word_has_its_generic_fallback_in_both_languages() {
        for language in [Language::Tr, Language::En] {
            let locale = Locale::new(language);
            for prefix in [CHECKOUT_WORDS, PAID_WITH_WORDS, KEEPS_NO_CARD_WORDS] {
                let key = format!("{prefix}.other");
                assert_ne!(locale.t(&key), key, "{language:?}");
                assert_eq!(
                    gateway_words(locale, prefix, "no-such-gateway"),
                    locale.t(&key)
                );
            }
            for descriptor in REGISTRY {
                let key = format!("{CHECKOUT_WORDS}.{}", descriptor.name);
                assert_ne!(locale.t(&key), key, "{language:?} has no checkout words");
                let key = format!("{PAID_WITH_WORDS}.{}", descriptor.name);
                assert_ne!(locale.t(&key), key, "{language:?} has no history words");
            }
        }
    }

    #[test]
    fn the_registry_names_each_gateway_once_with_what_its_adapter_says() {
        for (index, descriptor) in REGISTRY.iter().enumerate() {
            assert_eq!(GatewayName::new(descriptor.name).as_str(), descriptor.name);
            // `manual` and the import methods name payments recorded outside every gateway
            // (ADR 0025): a gateway under one of them would never be called for its refunds.
            assert!(
                !kasa_billing::recorded_outside_gateways(&GatewayName::new(descriptor.name)),
                "{} is reserved for payments made outside the gateways",
                descriptor.name
            );
            assert!(
                REGISTRY[..index]
                    .iter()
                    .all(|earlier| earlier.name != descriptor.name),
                "{} twice",
                descriptor.name
            );
            let settings: Vec<_> = descriptor.settings.iter().map(|s| s.name).collect();
            assert!(
                descriptor
                    .credentials
                    .iter()
                    .all(|credential| !settings.contains(credential)),
                "a credential of {} is also a public setting",
                descriptor.name
            );
            assert_eq!(
                settings.contains(&"capture"),
                descriptor.capabilities.authorise_then_capture,
                "{} offers the capture setting exactly when it can capture later",
                descriptor.name
            );
        }
        assert_eq!(descriptor("stripe").map(|d| d.name), Some("stripe"));
        assert!(descriptor("paypal").is_none());
    }
}
