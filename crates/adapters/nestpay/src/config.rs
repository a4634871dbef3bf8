//! A NestPay store's settings: which bank (a preset or any base URL), the store's credentials,
//! its store type and its 3-D Secure policy.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use kasa_ports::{GatewayError, Secret};
use serde::{Deserialize, Serialize};

/// The gate path under a bank's base URL.
pub const GATE_PATH: &str = "/fim/est3Dgate";
/// The XML API path under a bank's base URL.
pub const API_PATH: &str = "/fim/api";
/// The shared Asseco test host every NestPay bank sends its merchants to for integration.
pub const ASSECO_TEST_BASE_URL: &str = "https://entegrasyon.asseco-see.com.tr";
/// How long an XML API call may take by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// A NestPay bank Kasa knows the host of. Any other NestPay bank (TEB, Şekerbank, Balkan and
/// Moroccan banks, ...) is configured as [`BankHost::Custom`] with its base URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Bank {
    /// Türkiye İş Bankası, `sanalpos.isbank.com.tr`. Some sources give `spos.isbank.com.tr`;
    /// a store on that host uses [`BankHost::Custom`].
    #[serde(rename = "isbank")]
    IsBankasi,
    /// Akbank, `www.sanalakpos.com`.
    #[serde(rename = "akbank")]
    Akbank,
    /// Halkbank, `sanalpos.halkbank.com.tr`.
    #[serde(rename = "halkbank")]
    Halkbank,
    /// Ziraat Bankası, `sanalpos2.ziraatbank.com.tr`.
    #[serde(rename = "ziraat")]
    Ziraat,
    /// Asseco's shared test host, `entegrasyon.asseco-see.com.tr`, where every bank above
    /// tests its merchants.
    #[serde(rename = "asseco-test")]
    AssecoTest,
}

impl Bank {
    /// Every preset.
    pub const ALL: [Self; 5] = [
        Self::IsBankasi,
        Self::Akbank,
        Self::Halkbank,
        Self::Ziraat,
        Self::AssecoTest,
    ];

    /// The short name used in settings and on the command line (`isbank`, `asseco-test`).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::IsBankasi => "isbank",
            Self::Akbank => "akbank",
            Self::Halkbank => "halkbank",
            Self::Ziraat => "ziraat",
            Self::AssecoTest => "asseco-test",
        }
    }

    /// The bank's name for people.
    #[must_use]
    pub const fn display_name(self) -> &'static str {
        match self {
            Self::IsBankasi => "Türkiye İş Bankası",
            Self::Akbank => "Akbank",
            Self::Halkbank => "Halkbank",
            Self::Ziraat => "Ziraat Bankası",
            Self::AssecoTest => "Asseco test",
        }
    }

    /// The base URL payments go to: the bank's production host (the shared test host for
    /// [`Bank::AssecoTest`]).
    #[must_use]
    pub const fn base_url(self) -> &'static str {
        match self {
            Self::IsBankasi => "https://sanalpos.isbank.com.tr",
            Self::Akbank => "https://www.sanalakpos.com",
            Self::Halkbank => "https://sanalpos.halkbank.com.tr",
            Self::Ziraat => "https://sanalpos2.ziraatbank.com.tr",
            Self::AssecoTest => ASSECO_TEST_BASE_URL,
        }
    }

    /// Where this bank's merchants test: the shared Asseco host for all of them.
    #[must_use]
    pub const fn test_base_url(self) -> &'static str {
        ASSECO_TEST_BASE_URL
    }
}

impl fmt::Display for Bank {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

/// A bank name that is not a preset.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown NestPay bank `{0}`; use isbank, akbank, halkbank, ziraat, asseco-test or a base URL"
)]
pub struct UnknownBank(pub String);

impl FromStr for Bank {
    type Err = UnknownBank;

    /// Reads `isbank`, `akbank`, `halkbank`, `ziraat`, `asseco-test` (case, `_` or `-` and a few
    /// spellings such as `is-bankasi` or `ziraat-bankasi` do not matter).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let normalised: String = text
            .trim()
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .flat_map(char::to_lowercase)
            .collect();
        match normalised.as_str() {
            "isbank" | "isbankasi" | "turkiyeisbankasi" => Ok(Self::IsBankasi),
            "akbank" => Ok(Self::Akbank),
            "halkbank" | "halkbankasi" => Ok(Self::Halkbank),
            "ziraat" | "ziraatbank" | "ziraatbankasi" => Ok(Self::Ziraat),
            "assecotest" | "asseco" | "test" => Ok(Self::AssecoTest),
            _ => Err(UnknownBank(text.to_owned())),
        }
    }
}

/// Where a store's bank is: a preset, or any base URL (another NestPay bank, or the local
/// sandbox such as `http://127.0.0.1:8089`; plain `http` is allowed for that).
///
/// In JSON it is one key of the surrounding object: `"bank": "isbank"` or
/// `"base_url": "http://127.0.0.1:8089"`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BankHost {
    /// A preset bank's production host (or the shared test host for [`Bank::AssecoTest`]).
    #[serde(rename = "bank")]
    Bank(Bank),
    /// A base URL: scheme, host, optional port and path prefix, without `/fim/...`.
    #[serde(rename = "base_url")]
    Custom(String),
}

impl BankHost {
    /// Reads a bank name or, when it starts with `http://` or `https://`, a base URL (for the
    /// command line).
    ///
    /// # Errors
    /// [`UnknownBank`] for a name that is no preset.
    pub fn parse(text: &str) -> Result<Self, UnknownBank> {
        let trimmed = text.trim();
        let lower = trimmed.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            Ok(Self::Custom(trimmed.to_owned()))
        } else {
            trimmed.parse().map(Self::Bank)
        }
    }

    /// The base URL, checked: `http` or `https`, a host, no query or fragment. Trailing slashes
    /// are dropped, and so is a pasted `/fim/est3Dgate` or `/fim/api` (in any case).
    ///
    /// # Errors
    /// [`GatewayError::Misconfigured`] naming what is wrong.
    pub fn base_url(&self) -> Result<String, GatewayError> {
        let text = match self {
            Self::Bank(bank) => return Ok(bank.base_url().to_owned()),
            Self::Custom(text) => text.trim(),
        };
        let url = url::Url::parse(text).map_err(|error| {
            GatewayError::Misconfigured(format!(
                "the NestPay base URL `{text}` is invalid: {error}"
            ))
        })?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(GatewayError::Misconfigured(format!(
                "the NestPay base URL `{text}` must be an http or https URL with a host"
            )));
        }
        if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
            return Err(GatewayError::Misconfigured(format!(
                "the NestPay base URL `{text}` must not carry a query, fragment or user"
            )));
        }
        let mut base = url.as_str().trim_end_matches('/').to_owned();
        for suffix in [GATE_PATH, API_PATH] {
            let lower = base.to_ascii_lowercase();
            if lower.ends_with(&suffix.to_ascii_lowercase()) {
                base.truncate(base.len() - suffix.len());
            }
        }
        Ok(base.trim_end_matches('/').to_owned())
    }
}

impl fmt::Display for BankHost {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bank(bank) => write!(formatter, "{bank}"),
            Self::Custom(url) => formatter.write_str(url),
        }
    }
}

/// How the store takes the card.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StoreType {
    /// `3d_pay`: the card inputs are on Kasa's checkout page and the browser posts them straight
    /// to the bank together with the signed fields.
    #[default]
    #[serde(rename = "3d_pay")]
    ThreeDPay,
    /// `3d_pay_hosting`: the bank's own page asks for the card.
    #[serde(rename = "3d_pay_hosting")]
    ThreeDPayHosting,
}

impl StoreType {
    /// The `storetype` value the gate expects.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ThreeDPay => "3d_pay",
            Self::ThreeDPayHosting => "3d_pay_hosting",
        }
    }

    /// Whether Kasa's checkout page must show the card inputs ([`crate::CARD_FIELDS`]).
    #[must_use]
    pub const fn card_on_merchant_page(self) -> bool {
        matches!(self, Self::ThreeDPay)
    }
}

impl fmt::Display for StoreType {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

impl FromStr for StoreType {
    type Err = GatewayError;

    /// Reads `3d_pay` or `3d_pay_hosting` (any case, `-` for `_`). `3d` (3-D Secure only, the
    /// merchant provisioning afterwards) is not supported.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "3d_pay" => Ok(Self::ThreeDPay),
            "3d_pay_hosting" => Ok(Self::ThreeDPayHosting),
            _ => Err(GatewayError::Misconfigured(format!(
                "unsupported NestPay store type `{text}`; use 3d_pay or 3d_pay_hosting"
            ))),
        }
    }
}

/// One NestPay store's settings.
///
/// Serde gives the shape of the server's settings: `{"bank": "isbank"` or `"base_url": "…"`,
/// `"client_id"`, `"store_key"`, `"api_user"`, `"api_password"`, `"store_type": "3d_pay"`,
/// `"half_secure_allowed": false`, `"timeout_seconds": 30}` (the last three optional). The
/// secrets are [`Secret`]s: `Debug` prints `Secret(***)`, but serialising writes them in clear,
/// as the settings store needs; never send a serialised config to a client.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NestPayConfig {
    /// The bank.
    #[serde(flatten)]
    pub bank: BankHost,
    /// The merchant number (`clientid`).
    pub client_id: String,
    /// The store key that signs gate requests and callbacks; never sent anywhere.
    pub store_key: Secret,
    /// The XML API user (not the store key).
    pub api_user: String,
    /// The XML API user's password.
    pub api_password: Secret,
    /// `3d_pay` or `3d_pay_hosting`.
    #[serde(default)]
    pub store_type: StoreType,
    /// Whether half-secure 3-D Secure results (`mdStatus` 2, 3, 4) may approve a payment. Off
    /// by default: only full authentication (`mdStatus` 1) approves.
    #[serde(default)]
    pub half_secure_allowed: bool,
    /// How long an XML API call may take (connection included).
    #[serde(
        rename = "timeout_seconds",
        with = "timeout_seconds",
        default = "default_timeout"
    )]
    pub timeout: Duration,
}

const fn default_timeout() -> Duration {
    DEFAULT_TIMEOUT
}

/// `Duration` as whole seconds in settings.
mod timeout_seconds {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(
        timeout: &Duration,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(timeout.as_secs())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Duration, D::Error> {
        u64::deserialize(deserializer).map(Duration::from_secs)
    }
}

impl NestPayConfig {
    /// A store with the defaults: no half-secure approvals, a 30 s timeout.
    #[must_use]
    pub fn new(
        bank: BankHost,
        client_id: impl Into<String>,
        store_key: Secret,
        api_user: impl Into<String>,
        api_password: Secret,
        store_type: StoreType,
    ) -> Self {
        Self {
            bank,
            client_id: client_id.into(),
            store_key,
            api_user: api_user.into(),
            api_password,
            store_type,
            half_secure_allowed: false,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Reads a store from Kasa's payment-system settings: the public `configuration` (`bank` or
    /// `base_url`, `client_id`, `store_type`, optional `half_secure_allowed` and
    /// `timeout_seconds`) and the `credentials` (`store_key`, `api_user`, `api_password`;
    /// `api_user` is also read from the configuration when it is not a credential).
    ///
    /// # Errors
    /// [`GatewayError::Misconfigured`] naming the missing or wrong setting.
    pub fn from_settings(
        configuration: &serde_json::Map<String, serde_json::Value>,
        credentials: &BTreeMap<String, Secret>,
    ) -> Result<Self, GatewayError> {
        let text = |key: &str| -> Option<String> {
            configuration
                .get(key)
                .and_then(serde_json::Value::as_str)
                .map(str::trim)
                .filter(|value| !value.is_empty())
                .map(str::to_owned)
        };
        let missing =
            |what: &str| GatewayError::Misconfigured(format!("NestPay: {what} is not set"));
        let bank = match (text("base_url"), text("bank")) {
            (Some(url), _) => BankHost::Custom(url),
            (None, Some(name)) => BankHost::parse(&name)
                .map_err(|error| GatewayError::Misconfigured(error.to_string()))?,
            (None, None) => return Err(missing("bank (or base_url)")),
        };
        let client_id = text("client_id").ok_or_else(|| missing("client_id"))?;
        let store_type = text("store_type")
            .map(|value| value.parse())
            .transpose()?
            .unwrap_or_default();
        let half_secure_allowed = match configuration.get("half_secure_allowed") {
            None | Some(serde_json::Value::Null) => false,
            Some(serde_json::Value::Bool(allowed)) => *allowed,
            Some(_) => {
                return Err(GatewayError::Misconfigured(
                    "NestPay: half_secure_allowed must be true or false".to_owned(),
                ));
            }
        };
        let timeout = match configuration.get("timeout_seconds") {
            None | Some(serde_json::Value::Null) => DEFAULT_TIMEOUT,
            Some(value) => value
                .as_u64()
                .filter(|seconds| *seconds > 0)
                .map(Duration::from_secs)
                .ok_or_else(|| {
                    GatewayError::Misconfigured(
                        "NestPay: timeout_seconds must be a whole number above zero".to_owned(),
                    )
                })?,
        };
        let store_key = credentials
            .get("store_key")
            .filter(|key| !key.expose().is_empty())
            .cloned()
            .ok_or_else(|| missing("store_key"))?;
        let api_user = credentials
            .get("api_user")
            .map(|user| user.expose().trim().to_owned())
            .or_else(|| text("api_user"))
            .unwrap_or_default();
        let api_password = credentials
            .get("api_password")
            .cloned()
            .unwrap_or_else(|| Secret::new(""));
        let config = Self {
            bank,
            client_id,
            store_key,
            api_user,
            api_password,
            store_type,
            half_secure_allowed,
            timeout,
        };
        config.validate()?;
        Ok(config)
    }

    /// Checks what a gateway cannot work without: a base URL, a client id, a store key and a
    /// timeout above zero. API credentials are checked when an API call needs them.
    ///
    /// # Errors
    /// [`GatewayError::Misconfigured`] naming the problem.
    pub fn validate(&self) -> Result<(), GatewayError> {
        self.bank.base_url()?;
        if self.client_id.trim().is_empty() {
            return Err(GatewayError::Misconfigured(
                "NestPay: client_id is not set".to_owned(),
            ));
        }
        if self.store_key.expose().is_empty() {
            return Err(GatewayError::Misconfigured(
                "NestPay: store_key is not set".to_owned(),
            ));
        }
        if self.timeout.is_zero() {
            return Err(GatewayError::Misconfigured(
                "NestPay: the timeout must be above zero".to_owned(),
            ));
        }
        Ok(())
    }

    /// The gate URL the browser posts to: base URL + `/fim/est3Dgate`.
    ///
    /// # Errors
    /// [`GatewayError::Misconfigured`] for an invalid base URL.
    pub fn gate_url(&self) -> Result<String, GatewayError> {
        Ok(format!("{}{GATE_PATH}", self.bank.base_url()?))
    }

    /// The XML API URL: base URL + `/fim/api`.
    ///
    /// # Errors
    /// [`GatewayError::Misconfigured`] for an invalid base URL.
    pub fn api_url(&self) -> Result<String, GatewayError> {
        Ok(format!("{}{API_PATH}", self.bank.base_url()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bank_names_parse_and_print() {
        for bank in Bank::ALL {
            assert_eq!(bank.name().parse::<Bank>(), Ok(bank));
            assert_eq!(bank.to_string(), bank.name());
            assert!(bank.base_url().starts_with("https://"));
            assert_eq!(bank.test_base_url(), ASSECO_TEST_BASE_URL);
        }
        assert_eq!("İşBank".parse::<Bank>().ok(), None);
        assert_eq!("Is_Bankasi".parse::<Bank>(), Ok(Bank::IsBankasi));
        assert_eq!(" ZIRAAT ".parse::<Bank>(), Ok(Bank::Ziraat));
        assert_eq!("asseco_test".parse::<Bank>(), Ok(Bank::AssecoTest));
        assert!("teb".parse::<Bank>().is_err());
    }

    #[test]
    fn bank_hosts_match_the_protocol() {
        let hosts = [
            (Bank::IsBankasi, "https://sanalpos.isbank.com.tr"),
            (Bank::Akbank, "https://www.sanalakpos.com"),
            (Bank::Halkbank, "https://sanalpos.halkbank.com.tr"),
            (Bank::Ziraat, "https://sanalpos2.ziraatbank.com.tr"),
            (Bank::AssecoTest, "https://entegrasyon.asseco-see.com.tr"),
        ];
        for (bank, host) in hosts {
            assert_eq!(bank.base_url(), host);
        }
    }

    fn config(bank: BankHost) -> NestPayConfig {
        NestPayConfig::new(
            bank,
            "100200127",
            Secret::new("TEST1234"),
            "api",
            Secret::new("p4ss"),
            StoreType::ThreeDPay,
        )
    }

    #[test]
    fn gate_and_api_urls_hang_off_the_base_url() {
        let akbank = config(BankHost::Bank(Bank::Akbank));
        assert_eq!(
            akbank.gate_url().unwrap(),
            "https://www.sanalakpos.com/fim/est3Dgate"
        );
        assert_eq!(
            akbank.api_url().unwrap(),
            "https://www.sanalakpos.com/fim/api"
        );
        for text in [
            "http://127.0.0.1:8089",
            "http://127.0.0.1:8089/",
            "http://127.0.0.1:8089/fim/est3dgate",
            "http://127.0.0.1:8089/fim/API",
        ] {
            let sandbox = config(BankHost::Custom(text.to_owned()));
            assert_eq!(
                sandbox.api_url().unwrap(),
                "http://127.0.0.1:8089/fim/api",
                "{text}"
            );
        }
        let prefixed = config(BankHost::Custom("https://pos.example/bank/".to_owned()));
        assert_eq!(
            prefixed.gate_url().unwrap(),
            "https://pos.example/bank/fim/est3Dgate"
        );
    }

    #[test]
    fn bad_base_urls_are_misconfigurations() {
        for text in [
            "",
            "sanalpos.example",
            "ftp://pos.example",
            "https://pos.example/?x=1",
            "https://user:pw@pos.example",
        ] {
            assert!(
                matches!(
                    config(BankHost::Custom(text.to_owned())).validate(),
                    Err(GatewayError::Misconfigured(_))
                ),
                "{text}"
            );
        }
    }

    #[test]
    fn bank_host_parses_names_and_urls() {
        assert_eq!(
            BankHost::parse("halkbank"),
            Ok(BankHost::Bank(Bank::Halkbank))
        );
        assert_eq!(
            BankHost::parse("http://127.0.0.1:1/"),
            Ok(BankHost::Custom("http://127.0.0.1:1/".to_owned()))
        );
        assert!(BankHost::parse("nowhere").is_err());
    }

    #[test]
    fn store_types_read_and_print_their_wire_values() {
        assert_eq!("3d_pay".parse::<StoreType>(), Ok(StoreType::ThreeDPay));
        assert_eq!(
            "3D_PAY_HOSTING".parse::<StoreType>(),
            Ok(StoreType::ThreeDPayHosting)
        );
        assert!("3d".parse::<StoreType>().is_err());
        assert_eq!(StoreType::ThreeDPayHosting.to_string(), "3d_pay_hosting");
    }

    #[test]
    fn config_round_trips_through_json_and_hides_secrets_in_debug() {
        let config = config(BankHost::Bank(Bank::IsBankasi));
        let json = serde_json::to_value(&config).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "bank": "isbank", "client_id": "100200127", "store_key": "TEST1234",
                "api_user": "api", "api_password": "p4ss", "store_type": "3d_pay",
                "half_secure_allowed": false, "timeout_seconds": 30
            })
        );
        let back: NestPayConfig = serde_json::from_value(json).unwrap();
        assert_eq!(back, config);
        let debug = format!("{config:?}");
        assert!(
            !debug.contains("TEST1234") && !debug.contains("p4ss"),
            "{debug}"
        );

        let minimal: NestPayConfig = serde_json::from_value(serde_json::json!({
            "base_url": "http://127.0.0.1:8089", "client_id": "1", "store_key": "k",
            "api_user": "u", "api_password": "p"
        }))
        .unwrap();
        assert_eq!(
            minimal.bank,
            BankHost::Custom("http://127.0.0.1:8089".to_owned())
        );
        assert_eq!(minimal.store_type, StoreType::ThreeDPay);
        assert!(!minimal.half_secure_allowed);
        assert_eq!(minimal.timeout, DEFAULT_TIMEOUT);
    }

    #[test]
    fn config_reads_from_payment_system_settings() {
        let configuration = serde_json::json!({
            "bank": "ziraat", "client_id": " 100200127 ", "store_type": "3d_pay_hosting",
            "half_secure_allowed": true, "timeout_seconds": 5
        });
        let configuration = configuration.as_object().unwrap().clone();
        let mut credentials = BTreeMap::new();
        credentials.insert("store_key".to_owned(), Secret::new("TEST1234"));
        credentials.insert("api_user".to_owned(), Secret::new("api"));
        credentials.insert("api_password".to_owned(), Secret::new("p4ss"));
        let config = NestPayConfig::from_settings(&configuration, &credentials).unwrap();
        assert_eq!(config.bank, BankHost::Bank(Bank::Ziraat));
        assert_eq!(config.client_id, "100200127");
        assert_eq!(config.store_type, StoreType::ThreeDPayHosting);
        assert!(config.half_secure_allowed);
        assert_eq!(config.timeout, Duration::from_secs(5));
        assert_eq!(config.api_user, "api");

        let mut sandbox = configuration.clone();
        sandbox.insert("base_url".to_owned(), "http://127.0.0.1:9".into());
        let config = NestPayConfig::from_settings(&sandbox, &credentials).unwrap();
        assert_eq!(
            config.bank,
            BankHost::Custom("http://127.0.0.1:9".to_owned())
        );

        credentials.remove("store_key");
        assert!(matches!(
            NestPayConfig::from_settings(&configuration, &credentials),
            Err(GatewayError::Misconfigured(message)) if message.contains("store_key")
        ));
        let mut no_bank = configuration;
        no_bank.remove("bank");
        assert!(matches!(
            NestPayConfig::from_settings(&no_bank, &BTreeMap::new()),
            Err(GatewayError::Misconfigured(message)) if message.contains("bank")
        ));
    }
}
