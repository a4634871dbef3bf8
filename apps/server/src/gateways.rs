//! Payment gateways configured at run time through the settings API: each gateway Kasa has an
//! adapter for is registered once, and builds its adapter from the stored payment system (its
//! configuration and credentials) on first use, again after the settings change. Every port
//! method is forwarded, including those with a default (a default here would hide the
//! adapter's own).

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use kasa_domain::{EmailAddress, Money};
use kasa_ports::{
    GatewayCallback, GatewayError, GatewayEvent, GatewayName, GatewayReceipt, GatewayReference,
    PaymentGateway, PaymentHandle, PaymentInitiation, PaymentResult, PaymentStart,
    PaymentStatusReport, PaymentSystem, RecurringStart, Secret, SettingsStore,
};
use tokio::sync::RwLock;

/// Builds a gateway adapter from a payment system's settings.
pub type GatewayBuilder =
    fn(&PaymentSystem, &BTreeMap<String, Secret>) -> Result<Arc<dyn PaymentGateway>, GatewayError>;

/// A gateway whose adapter follows the stored settings.
pub struct ConfiguredGateway {
    name: GatewayName,
    settings: Arc<dyn SettingsStore>,
    build: GatewayBuilder,
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
    /// The gateway `name`, built with `build` from the settings in `settings`.
    pub fn new(name: &str, settings: Arc<dyn SettingsStore>, build: GatewayBuilder) -> Self {
        Self {
            name: GatewayName::new(name),
            settings,
            build,
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
        (self.build)(system, credentials).map(|_| ())
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
        let adapter = (self.build)(&system, &credentials)?;
        *self.current.write().await = Some((adapter.clone(), system.enabled));
        Ok((adapter, system.enabled))
    }
}

#[async_trait]
impl PaymentGateway for ConfiguredGateway {
    fn name(&self) -> GatewayName {
        self.name.clone()
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
