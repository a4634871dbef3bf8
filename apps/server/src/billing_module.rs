//! The billing module's switch (product rule 11) and the refusal a billing endpoint answers
//! with while it is off. A leaf: it imports only `problem` from the crate.

use kasa_ports::Store;
use poem::http::StatusCode;

use crate::problem::{ApiError, store_error};

/// Whether the billing module is on (product rule 11), read from the settings at most every
/// [`BillingSwitch::TTL`]; saving the settings here refreshes it at once.
#[derive(Debug, Default)]
pub struct BillingSwitch {
    cached: std::sync::Mutex<Option<(bool, std::time::Instant)>>,
}

impl BillingSwitch {
    /// How long a read of the switch is trusted.
    pub const TTL: std::time::Duration = std::time::Duration::from_secs(5);

    /// Whether billing is on.
    pub async fn is_on(&self, store: &dyn Store) -> Result<bool, kasa_ports::StoreError> {
        if let Some((on, at)) = *self
            .cached
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            && at.elapsed() < Self::TTL
        {
            return Ok(on);
        }
        let on = store.billing_settings().await?.billing_enabled;
        self.set(on);
        Ok(on)
    }

    /// Records the switch as just saved.
    pub fn set(&self, on: bool) {
        *self
            .cached
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) =
            Some((on, std::time::Instant::now()));
    }
}

/// Paths that work with the billing module off: signing in, and what an administrator needs to
/// manage access and switch billing back on.
const OUTSIDE_BILLING: [&str; 6] = [
    "/v1/sessions",
    "/v1/users",
    "/v1/api-keys",
    "/v1/roles",
    "/v1/settings",
    "/v1/outbox",
];

/// With the billing module off (product rule 11), every billing endpoint answers 403
/// `billing-disabled` to an authenticated caller.
pub async fn billing_module_refusal(
    switch: &BillingSwitch,
    store: &dyn Store,
    path: &str,
) -> Option<ApiError> {
    if !path.starts_with("/v1/")
        || OUTSIDE_BILLING
            .iter()
            .any(|prefix| path.starts_with(prefix))
    {
        return None;
    }
    match switch.is_on(store).await {
        Ok(true) => None,
        Ok(false) => Some(ApiError::new(
            StatusCode::FORBIDDEN,
            "billing-disabled",
            "The billing module is off",
            "billing is switched off in the settings (PUT /v1/settings/billing); an \
             administrator can switch it on",
        )),
        Err(error) => Some(store_error(error)),
    }
}
