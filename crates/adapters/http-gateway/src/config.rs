//! The `http` payment system's settings: `endpoint_url` (the integrator's base URL: `https://`,
//! or `http://` on loopback only), optionally `timeout_seconds` (default 10, at most 60), and the
//! credential `shared_secret` (signs both ways; stored sealed, never logged or returned).

use std::collections::BTreeMap;
use std::time::Duration;

use kasa_ports::{GatewayError, Secret};

/// The integrator's endpoint and the secret shared with it.
#[derive(Clone)]
pub struct HttpGatewayConfig {
    /// The base URL; operations are posted to `<endpoint_url>/<operation>`.
    pub endpoint_url: String,
    /// Signs Kasa's requests and verifies the integrator's answers and returns.
    pub shared_secret: Secret,
    /// Each exchange (connecting, sending, reading the answer) ends within this.
    pub timeout: Duration,
}

impl std::fmt::Debug for HttpGatewayConfig {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("HttpGatewayConfig")
            .field("endpoint_url", &self.endpoint_url)
            .field("shared_secret", &"***")
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Whether `url` may be an endpoint: `https://host…`, or `http://` on 127.0.0.1, localhost or
/// [::1] (a receiver on the same machine; everything else crosses a network in the clear).
#[must_use]
pub fn endpoint_allowed(url: &str) -> bool {
    let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|prefix| {
            url.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
        });
    let https = url
        .strip_prefix("https://")
        .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'));
    (https || loopback) && url.len() <= 2000 && url.parse::<hyper::Uri>().is_ok()
}

fn misconfigured(what: &str) -> GatewayError {
    GatewayError::Misconfigured(format!("http gateway: {what}"))
}

impl HttpGatewayConfig {
    /// Reads the settings.
    ///
    /// # Errors
    /// [`GatewayError::Misconfigured`] naming the missing or wrong setting.
    pub fn from_settings(
        configuration: &serde_json::Map<String, serde_json::Value>,
        credentials: &BTreeMap<String, Secret>,
    ) -> Result<Self, GatewayError> {
        let endpoint_url = match configuration.get("endpoint_url") {
            Some(serde_json::Value::String(url)) if !url.trim().is_empty() => {
                url.trim().trim_end_matches('/').to_owned()
            }
            _ => return Err(misconfigured("endpoint_url is not set")),
        };
        if !endpoint_allowed(&endpoint_url) {
            return Err(misconfigured(
                "endpoint_url must be https:// (http:// only on 127.0.0.1, localhost or [::1])",
            ));
        }
        let timeout_seconds = match configuration.get("timeout_seconds") {
            None | Some(serde_json::Value::Null) => 10,
            Some(serde_json::Value::String(text)) if text.trim().is_empty() => 10,
            Some(serde_json::Value::String(text)) => text
                .trim()
                .parse::<u64>()
                .map_err(|_| misconfigured("timeout_seconds must be a whole number"))?,
            Some(value) => value
                .as_u64()
                .ok_or_else(|| misconfigured("timeout_seconds must be a whole number"))?,
        };
        if !(1..=60).contains(&timeout_seconds) {
            return Err(misconfigured("timeout_seconds must be 1 to 60"));
        }
        let shared_secret = credentials
            .get("shared_secret")
            .filter(|secret| secret.expose().len() >= 16)
            .cloned()
            .ok_or_else(|| misconfigured("shared_secret is not set (at least 16 characters)"))?;
        Ok(Self {
            endpoint_url,
            shared_secret,
            timeout: Duration::from_secs(timeout_seconds),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(url: &str) -> serde_json::Map<String, serde_json::Value> {
        serde_json::json!({ "endpoint_url": url })
            .as_object()
            .unwrap()
            .clone()
    }

    fn secret() -> BTreeMap<String, Secret> {
        BTreeMap::from([(
            "shared_secret".to_owned(),
            Secret::new("0123456789abcdef-secret"),
        )])
    }

    #[test]
    fn https_anywhere_and_http_only_on_loopback() {
        for good in [
            "https://pay.example/kasa",
            "http://127.0.0.1:8099",
            "http://localhost/x",
        ] {
            assert!(
                HttpGatewayConfig::from_settings(&settings(good), &secret()).is_ok(),
                "{good}"
            );
        }
        for bad in [
            "http://pay.example",
            "http://127.0.0.1.evil.example/",
            "ftp://x",
            "",
        ] {
            assert!(
                matches!(
                    HttpGatewayConfig::from_settings(&settings(bad), &secret()),
                    Err(GatewayError::Misconfigured(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_secret_is_required_and_never_shown() {
        let missing =
            HttpGatewayConfig::from_settings(&settings("https://a.example"), &BTreeMap::new());
        assert!(matches!(missing, Err(GatewayError::Misconfigured(_))));
        let config =
            HttpGatewayConfig::from_settings(&settings("https://a.example"), &secret()).unwrap();
        assert!(!format!("{config:?}").contains("0123456789abcdef"));
        assert_eq!(config.timeout, Duration::from_secs(10));
    }
}
