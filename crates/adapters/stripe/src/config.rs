//! A Stripe account's settings: where the API is, the keys, the webhook secret and tolerance,
//! the timeout, and which dialect the server speaks.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use kasa_ports::{GatewayError, Secret};

/// Stripe's API.
pub const DEFAULT_BASE_URL: &str = "https://api.stripe.com";
/// How long one API call may take by default (connection included).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest accepted age of a webhook signature by default, as Stripe's own libraries.
pub const DEFAULT_WEBHOOK_TOLERANCE_SECONDS: i64 = 300;
/// The API version every request asks for (`Stripe-Version`), so answers keep the shape this
/// adapter reads whatever the account's default is: `latest_charge` is an id, subscriptions
/// still carry `current_period_end`, plans are accepted as subscription items.
pub const DEFAULT_API_VERSION: &str = "2024-06-20";
/// How many times a failed call is sent again by default (same `Idempotency-Key`).
pub const DEFAULT_MAX_NETWORK_RETRIES: u32 = 1;

/// Which server the adapter talks to. Real Stripe by default; `localstripe` (the fake used in
/// tests and demos) refuses some PaymentIntent fields real Stripe takes, so they are left out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Dialect {
    /// Stripe's API.
    #[default]
    Stripe,
    /// localstripe: PaymentIntents are created without `description`, `receipt_email` and
    /// `statement_descriptor_suffix` (it answers 400 to unknown fields); the description still
    /// travels in `metadata[kasa_description]`.
    LocalStripe,
}

impl Dialect {
    fn parse(text: &str) -> Result<Self, GatewayError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "stripe" => Ok(Self::Stripe),
            "localstripe" => Ok(Self::LocalStripe),
            _ => Err(GatewayError::Misconfigured(format!(
                "Stripe: unknown dialect `{text}`; use stripe or localstripe"
            ))),
        }
    }
}

/// One Stripe account's settings. `Debug` never shows the secret key or the webhook secret.
#[derive(Clone, PartialEq, Eq)]
pub struct StripeConfig {
    /// The API's base URL, without a trailing slash (`https://api.stripe.com`; plain `http` only
    /// for a server on this machine, such as localstripe).
    pub base_url: String,
    /// The publishable key (`pk_…`) the checkout page's script uses; not a secret.
    pub publishable_key: Option<String>,
    /// The secret (`sk_…`) or restricted (`rk_…`) API key.
    pub secret_key: Secret,
    /// The webhook endpoint's signing secret (`whsec_…`).
    pub webhook_secret: Secret,
    /// The largest accepted age of a webhook signature, in seconds.
    pub webhook_tolerance_seconds: i64,
    /// How long one API call may take (connection included).
    pub timeout: Duration,
    /// The suffix shown on card statements after the account's prefix (up to 22 characters in
    /// all; at least one letter; none of `<>\'"*`).
    pub statement_descriptor: Option<String>,
    /// The `Stripe-Version` sent with every request.
    pub api_version: String,
    /// How many times a call that failed on the way (connection, timeout, HTTP 409/429/5xx) is
    /// sent again with the same `Idempotency-Key`.
    pub max_network_retries: u32,
    /// Real Stripe or localstripe.
    pub dialect: Dialect,
}

impl fmt::Debug for StripeConfig {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("StripeConfig")
            .field("base_url", &self.base_url)
            .field("publishable_key", &self.publishable_key)
            .field("secret_key", &self.secret_key)
            .field("webhook_secret", &self.webhook_secret)
            .field("webhook_tolerance_seconds", &self.webhook_tolerance_seconds)
            .field("timeout", &self.timeout)
            .field("statement_descriptor", &self.statement_descriptor)
            .field("api_version", &self.api_version)
            .field("max_network_retries", &self.max_network_retries)
            .field("dialect", &self.dialect)
            .finish()
    }
}

impl StripeConfig {
    /// An account on Stripe's API with the defaults.
    #[must_use]
    pub fn new(secret_key: Secret, webhook_secret: Secret) -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            publishable_key: None,
            secret_key,
            webhook_secret,
            webhook_tolerance_seconds: DEFAULT_WEBHOOK_TOLERANCE_SECONDS,
            timeout: DEFAULT_TIMEOUT,
            statement_descriptor: None,
            api_version: DEFAULT_API_VERSION.to_owned(),
            max_network_retries: DEFAULT_MAX_NETWORK_RETRIES,
            dialect: Dialect::Stripe,
        }
    }

    /// Reads an account from Kasa's payment-system settings: the public `configuration`
    /// (`base_url` (default Stripe's), `publishable_key`, `timeout_seconds`,
    /// `webhook_tolerance_seconds` (default 300), `statement_descriptor`, `api_version`,
    /// `max_network_retries`, `dialect` (`stripe` or `localstripe`), all optional) and the
    /// `credentials` (`secret_key`, `webhook_secret`).
    ///
    /// # Errors
    /// [`GatewayError::Misconfigured`] naming the missing or wrong setting (never its value).
    pub fn from_settings(
        configuration: &serde_json::Map<String, serde_json::Value>,
        credentials: &BTreeMap<String, Secret>,
    ) -> Result<Self, GatewayError> {
        let text = |key: &str| -> Result<Option<String>, GatewayError> {
            match configuration.get(key) {
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(serde_json::Value::String(value)) => {
                    let value = value.trim();
                    Ok((!value.is_empty()).then(|| value.to_owned()))
                }
                Some(_) => Err(misconfigured(&format!("{key} must be text"))),
            }
        };
        let whole_number = |key: &str| -> Result<Option<u64>, GatewayError> {
            match configuration.get(key) {
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(value) => value
                    .as_u64()
                    .map(Some)
                    .ok_or_else(|| misconfigured(&format!("{key} must be a whole number"))),
            }
        };
        let secret = |key: &str| -> Result<Secret, GatewayError> {
            credentials
                .get(key)
                .map(|secret| Secret::new(secret.expose().trim()))
                .filter(|secret| !secret.expose().is_empty())
                .ok_or_else(|| misconfigured(&format!("{key} is not set")))
        };
        let mut config = Self::new(secret("secret_key")?, secret("webhook_secret")?);
        if let Some(base_url) = text("base_url")? {
            config.base_url = base_url.trim_end_matches('/').to_owned();
        }
        config.publishable_key = text("publishable_key")?;
        if let Some(seconds) = whole_number("timeout_seconds")? {
            config.timeout = Duration::from_secs(seconds);
        }
        if let Some(seconds) = whole_number("webhook_tolerance_seconds")? {
            config.webhook_tolerance_seconds = i64::try_from(seconds)
                .map_err(|_| misconfigured("webhook_tolerance_seconds is too large"))?;
        }
        config.statement_descriptor = text("statement_descriptor")?;
        if let Some(version) = text("api_version")? {
            config.api_version = version;
        }
        if let Some(retries) = whole_number("max_network_retries")? {
            config.max_network_retries = u32::try_from(retries)
                .map_err(|_| misconfigured("max_network_retries is too large"))?;
        }
        if let Some(dialect) = text("dialect")? {
            config.dialect = Dialect::parse(&dialect)?;
        }
        config.validate()?;
        Ok(config)
    }

    /// Checks what the adapter cannot work without: a usable base URL (`https`, or `http` to this
    /// machine only, so the secret key never crosses a network in clear), a secret key of
    /// Stripe's shape (`sk_…` or `rk_…`), a webhook secret (`whsec_…`), a publishable key of
    /// Stripe's shape when set (`pk_…`), a timeout above zero, a tolerance of at least one
    /// second, at most 10 retries, and a statement descriptor Stripe accepts.
    ///
    /// # Errors
    /// [`GatewayError::Misconfigured`] naming the problem (never a secret's value).
    pub fn validate(&self) -> Result<(), GatewayError> {
        check_base_url(&self.base_url)?;
        let secret_key = self.secret_key.expose();
        let has_prefix = |prefix: &str| {
            secret_key
                .strip_prefix(prefix)
                .is_some_and(|rest| !rest.is_empty())
        };
        if !(has_prefix("sk_") || has_prefix("rk_")) {
            return Err(misconfigured(
                "secret_key must be a secret (sk_…) or restricted (rk_…) API key",
            ));
        }
        if secret_key
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(misconfigured("secret_key contains spaces"));
        }
        if self
            .webhook_secret
            .expose()
            .strip_prefix("whsec_")
            .is_none_or(str::is_empty)
        {
            return Err(misconfigured(
                "webhook_secret must be an endpoint signing secret (whsec_…)",
            ));
        }
        if let Some(key) = &self.publishable_key
            && !key.starts_with("pk_")
        {
            return Err(misconfigured(
                "publishable_key must be a publishable key (pk_…)",
            ));
        }
        if self.timeout.is_zero() {
            return Err(misconfigured("the timeout must be above zero"));
        }
        if self.webhook_tolerance_seconds < 1 {
            return Err(misconfigured(
                "webhook_tolerance_seconds must be at least 1",
            ));
        }
        if self.max_network_retries > 10 {
            return Err(misconfigured("max_network_retries must be at most 10"));
        }
        if self.api_version.trim().is_empty() {
            return Err(misconfigured("api_version must not be empty"));
        }
        if let Some(descriptor) = &self.statement_descriptor {
            check_statement_descriptor(descriptor)?;
        }
        Ok(())
    }
}

fn misconfigured(what: &str) -> GatewayError {
    GatewayError::Misconfigured(format!("Stripe: {what}"))
}

/// `https://host[:port][/prefix]`, or `http://` to a loopback host.
fn check_base_url(base_url: &str) -> Result<(), GatewayError> {
    let bad = |why: &str| misconfigured(&format!("base_url `{base_url}` {why}"));
    let uri: hyper::Uri = base_url.parse().map_err(|_| bad("is not a URL"))?;
    let host = uri.host().ok_or_else(|| bad("has no host"))?;
    if uri.query().is_some() || base_url.contains('@') {
        return Err(bad("must not carry a query or user information"));
    }
    match uri.scheme_str() {
        Some("https") => Ok(()),
        Some("http") if is_loopback(host) => Ok(()),
        Some("http") => Err(bad(
            "uses plain http to another machine; use https (plain http only to this machine)",
        )),
        _ => Err(bad("must start with https://")),
    }
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|address| address.is_loopback())
}

/// Stripe's rules for a statement descriptor (suffix): 1 to 22 characters, at least one letter,
/// none of `<>\'"*`.
fn check_statement_descriptor(descriptor: &str) -> Result<(), GatewayError> {
    let length = descriptor.chars().count();
    if length == 0 || length > 22 {
        return Err(misconfigured(
            "statement_descriptor must be 1 to 22 characters",
        ));
    }
    if !descriptor.chars().any(char::is_alphabetic) {
        return Err(misconfigured(
            "statement_descriptor must contain at least one letter",
        ));
    }
    if descriptor
        .chars()
        .any(|c| matches!(c, '<' | '>' | '\\' | '\'' | '"' | '*'))
    {
        return Err(misconfigured(
            "statement_descriptor must not contain < > \\ ' \" or *",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET_KEY: &str = "sk_test_51Hsecretvalue";
    const WEBHOOK_SECRET: &str = "whsec_signingvalue";

    fn credentials() -> BTreeMap<String, Secret> {
        BTreeMap::from([
            ("secret_key".to_owned(), Secret::new(SECRET_KEY)),
            ("webhook_secret".to_owned(), Secret::new(WEBHOOK_SECRET)),
        ])
    }

    fn configuration(value: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn defaults_apply_when_only_the_credentials_are_set() {
        let config = StripeConfig::from_settings(&serde_json::Map::new(), &credentials()).unwrap();
        assert_eq!(config.base_url, "https://api.stripe.com");
        assert_eq!(config.webhook_tolerance_seconds, 300);
        assert_eq!(config.timeout, DEFAULT_TIMEOUT);
        assert_eq!(config.statement_descriptor, None);
        assert_eq!(config.api_version, DEFAULT_API_VERSION);
        assert_eq!(config.max_network_retries, 1);
        assert_eq!(config.dialect, Dialect::Stripe);
        assert_eq!(config.secret_key.expose(), SECRET_KEY);
    }

    #[test]
    fn every_setting_is_read() {
        let config = StripeConfig::from_settings(
            &configuration(serde_json::json!({
                "base_url": "http://127.0.0.1:8420/", "publishable_key": "pk_test_1",
                "timeout_seconds": 5, "webhook_tolerance_seconds": 60,
                "statement_descriptor": "KASA DESTEK", "api_version": "2023-10-16",
                "max_network_retries": 0, "dialect": "LocalStripe"
            })),
            &credentials(),
        )
        .unwrap();
        assert_eq!(config.base_url, "http://127.0.0.1:8420");
        assert_eq!(config.publishable_key.as_deref(), Some("pk_test_1"));
        assert_eq!(config.timeout, Duration::from_secs(5));
        assert_eq!(config.webhook_tolerance_seconds, 60);
        assert_eq!(config.statement_descriptor.as_deref(), Some("KASA DESTEK"));
        assert_eq!(config.api_version, "2023-10-16");
        assert_eq!(config.max_network_retries, 0);
        assert_eq!(config.dialect, Dialect::LocalStripe);
    }

    #[test]
    fn missing_or_wrong_settings_are_named_without_their_values() {
        let cases: Vec<(serde_json::Value, BTreeMap<String, Secret>, &str)> = vec![
            (serde_json::json!({}), BTreeMap::new(), "secret_key"),
            (
                serde_json::json!({}),
                BTreeMap::from([("secret_key".to_owned(), Secret::new(SECRET_KEY))]),
                "webhook_secret",
            ),
            (
                serde_json::json!({}),
                BTreeMap::from([
                    ("secret_key".to_owned(), Secret::new("pk_live_oops")),
                    ("webhook_secret".to_owned(), Secret::new(WEBHOOK_SECRET)),
                ]),
                "secret_key",
            ),
            (
                serde_json::json!({}),
                BTreeMap::from([
                    ("secret_key".to_owned(), Secret::new(SECRET_KEY)),
                    ("webhook_secret".to_owned(), Secret::new("signing")),
                ]),
                "webhook_secret",
            ),
            (
                serde_json::json!({"base_url": "http://stripe.example"}),
                credentials(),
                "plain http",
            ),
            (
                serde_json::json!({"base_url": "ftp://stripe.example"}),
                credentials(),
                "https",
            ),
            (
                serde_json::json!({"base_url": "https://stripe.example/?x=1"}),
                credentials(),
                "query",
            ),
            (
                serde_json::json!({"timeout_seconds": 0}),
                credentials(),
                "timeout",
            ),
            (
                serde_json::json!({"timeout_seconds": "5"}),
                credentials(),
                "timeout_seconds",
            ),
            (
                serde_json::json!({"webhook_tolerance_seconds": 0}),
                credentials(),
                "webhook_tolerance_seconds",
            ),
            (
                serde_json::json!({"publishable_key": "sk_test_oops"}),
                credentials(),
                "publishable_key",
            ),
            (
                serde_json::json!({"statement_descriptor": "1234"}),
                credentials(),
                "letter",
            ),
            (
                serde_json::json!({"statement_descriptor": "A VERY LONG DESCRIPTOR TEXT"}),
                credentials(),
                "22",
            ),
            (
                serde_json::json!({"statement_descriptor": "KASA*"}),
                credentials(),
                "must not contain",
            ),
            (
                serde_json::json!({"dialect": "paypal"}),
                credentials(),
                "dialect",
            ),
        ];
        for (settings, credentials, expected) in cases {
            let error = StripeConfig::from_settings(&configuration(settings.clone()), &credentials)
                .expect_err(&settings.to_string());
            let GatewayError::Misconfigured(message) = error else {
                panic!("{settings}: {error:?}");
            };
            assert!(message.contains(expected), "{settings}: {message}");
            assert!(
                !message.contains("51Hsecretvalue") && !message.contains("signingvalue"),
                "{message}"
            );
        }
    }

    #[test]
    fn loopback_hosts_may_use_plain_http() {
        for base_url in [
            "http://localhost:8420",
            "http://127.0.0.1:1",
            "http://[::1]:8420",
            "https://api.stripe.com",
            "https://stripe.example/prefix",
        ] {
            assert_eq!(check_base_url(base_url), Ok(()), "{base_url}");
        }
    }

    #[test]
    fn debug_output_hides_both_secrets() {
        let config = StripeConfig::new(Secret::new(SECRET_KEY), Secret::new(WEBHOOK_SECRET));
        let debug = format!("{config:?}");
        assert!(
            !debug.contains("secretvalue") && !debug.contains("signingvalue"),
            "{debug}"
        );
        assert!(debug.contains("Secret(***)"), "{debug}");
    }
}
