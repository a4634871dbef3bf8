//! Configuration: built-in defaults, then a TOML file, then environment variables, then command
//! line flags (each overrides the one before). With nothing set, Kasa keeps a SQLite file in the
//! working directory and listens on 127.0.0.1:8080.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use kasa_ports::Secret;
use kasa_postgres::SecretsKey;
use serde::Deserialize;

/// The settings `kasa serve` runs with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Where to listen.
    pub listen: SocketAddr,
    /// `sqlite://FILE` or `postgres://…`.
    pub database_url: String,
    /// `text` or `json` log lines.
    pub log_format: LogFormat,
    /// How long a sign-in lasts, in hours.
    pub session_hours: i64,
    /// The mail server; without one, e-mails wait in the outbox.
    pub smtp: Option<SmtpSettings>,
    /// How often the outbox worker looks for mail to send, in milliseconds.
    pub outbox_interval_ms: u64,
    /// The wait after a first failed delivery, in seconds (doubling, at most six hours).
    pub mail_first_retry_seconds: u64,
    /// The wait after a help-desk call's first failure, in seconds (doubling, at most six
    /// hours; a rate limit waits as long as the help desk asks).
    pub help_desk_first_retry_seconds: u64,
    /// The wait after a webhook delivery's first failure, in seconds; later waits grow in the
    /// same proportion as the schedule of ADR 0022 (1 min, 5 min, 30 min, 2 h, 5 h, then 10 h).
    pub webhook_first_retry_seconds: u64,
    /// The low-balance mark: a charge taking a credit balance from at or above it to below it
    /// reports `credits.low` (ADR 0023).
    pub credits_low_threshold: u32,
    /// How many days before a subscription's last term ends `subscription.ending_soon` is
    /// reported (once per term).
    pub subscription_ending_soon_days: u32,
    /// How often the expiry job (ended terms, subscriptions ending soon) runs, in seconds.
    pub expiry_interval_seconds: u64,
    /// The address customers' browsers reach Kasa at (the bank returns them here); `None`
    /// means `http://` + the listen address.
    pub public_url: Option<String>,
    /// How long a payment may wait for its gateway's callback before Kasa asks the gateway
    /// for the order's status, in seconds.
    pub reconcile_after_seconds: u64,
    /// How long an authorisation may wait for an agent's capture before Kasa voids it, in days.
    pub authorisation_void_after_days: u64,
    /// How long a payment action may stay `requested` (no answer recorded, e.g. after a crash)
    /// before Kasa resolves it from the gateway's status, in seconds.
    pub resolve_payment_actions_after_seconds: u64,
    /// How long a request whose Idempotency-Key took effect may run before a retry is told it
    /// was applied without an answer, in seconds.
    pub idempotency_lease_seconds: u64,
    /// A console session ends after this many minutes without a page.
    pub console_idle_minutes: u64,
    /// The key payment-system credentials are encrypted with (ADR 0008); without one they
    /// cannot be saved through the API, and those kept in clear are read as they are.
    pub secrets_key: Option<SecretsKey>,
    /// The largest request body Kasa reads, in bytes (the logo upload may always send 1 MiB,
    /// gateway callbacks at most 256 KiB).
    pub max_body_bytes: usize,
    /// How hard sign-in is throttled per account and per client address.
    pub sign_in_throttle: crate::throttle::ThrottlePolicy,
    /// Forged gateway deliveries are written to the audit log at most once per gateway per
    /// this many seconds (with a count).
    pub security_event_interval_seconds: u64,
    /// The time zone finance reports count days and months in (an IANA name).
    pub report_time_zone: kasa_billing::reports::ReportZone,
}

/// The mail server.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    /// Host name.
    pub host: String,
    /// Port.
    pub port: u16,
    /// `starttls`, `tls` or `none`.
    pub security: SmtpSecurityName,
    /// User name, when the server wants one.
    pub username: Option<String>,
    /// Password (never logged).
    pub password: Option<String>,
    /// The sender address.
    pub from: String,
    /// The sender's name.
    pub from_name: String,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

/// How the mail connection is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurityName {
    /// STARTTLS (port 587).
    Starttls,
    /// TLS from the start (port 465).
    Tls,
    /// None: only for a server on this machine.
    None,
}

/// How log lines look.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// For people.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: "sqlite://kasa.sqlite3".to_owned(),
            log_format: LogFormat::Text,
            session_hours: 12,
            smtp: None,
            outbox_interval_ms: 5_000,
            mail_first_retry_seconds: 60,
            help_desk_first_retry_seconds: 30,
            webhook_first_retry_seconds: 60,
            credits_low_threshold: kasa_billing::EventThresholds::DEFAULT_LOW_BALANCE_CREDITS,
            subscription_ending_soon_days: kasa_billing::EventThresholds::DEFAULT_ENDING_SOON_DAYS,
            expiry_interval_seconds: 60,
            public_url: None,
            reconcile_after_seconds: 600,
            authorisation_void_after_days: 7,
            resolve_payment_actions_after_seconds: 600,
            idempotency_lease_seconds: 300,
            console_idle_minutes: 30,
            secrets_key: None,
            max_body_bytes: 1024 * 1024,
            sign_in_throttle: crate::throttle::ThrottlePolicy::default(),
            security_event_interval_seconds: 60,
            report_time_zone: kasa_billing::reports::ReportZone::istanbul(),
        }
    }
}

/// The file's shape: every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<SocketAddr>,
    database_url: Option<String>,
    log_format: Option<LogFormat>,
    session_hours: Option<i64>,
    smtp_host: Option<String>,
    smtp_port: Option<u16>,
    smtp_security: Option<SmtpSecurityName>,
    smtp_username: Option<String>,
    smtp_password: Option<String>,
    smtp_from: Option<String>,
    smtp_from_name: Option<String>,
    outbox_interval_ms: Option<u64>,
    mail_first_retry_seconds: Option<u64>,
    help_desk_first_retry_seconds: Option<u64>,
    webhook_first_retry_seconds: Option<u64>,
    credits_low_threshold: Option<u32>,
    subscription_ending_soon_days: Option<u32>,
    expiry_interval_seconds: Option<u64>,
    public_url: Option<String>,
    reconcile_after_seconds: Option<u64>,
    authorisation_void_after_days: Option<u64>,
    resolve_payment_actions_after_seconds: Option<u64>,
    idempotency_lease_seconds: Option<u64>,
    console_idle_minutes: Option<u64>,
    secrets_key: Option<Secret>,
    secrets_key_file: Option<PathBuf>,
    max_body_bytes: Option<usize>,
    sign_in_failures_per_account: Option<u32>,
    sign_in_failures_per_address: Option<u32>,
    sign_in_first_lockout_ms: Option<u64>,
    sign_in_max_lockout_ms: Option<u64>,
    security_event_interval_seconds: Option<u64>,
    report_time_zone: Option<String>,
}

/// Values given on the command line or in the environment (clap reads both).
#[derive(Clone, Debug, Default, clap::Args)]
pub struct Overrides {
    /// A TOML configuration file (default: ./kasa.toml when it exists).
    #[arg(long, env = "KASA_CONFIG")]
    pub config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "KASA_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// `sqlite://FILE` (created if missing) or `postgres://USER@HOST:PORT/DATABASE`
    /// [default: sqlite://kasa.sqlite3].
    #[arg(long, env = "KASA_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Log lines as `text` or `json` [default: text].
    #[arg(long, env = "KASA_LOG_FORMAT", value_enum)]
    pub log_format: Option<LogFormat>,
    /// The mail server's host; without one, e-mails wait in the outbox.
    #[arg(long, env = "KASA_SMTP_HOST")]
    pub smtp_host: Option<String>,
    /// The mail server's port [default: 587].
    #[arg(long, env = "KASA_SMTP_PORT")]
    pub smtp_port: Option<u16>,
    /// `starttls`, `tls` or `none` (only for a server on this machine) [default: starttls].
    #[arg(long, env = "KASA_SMTP_SECURITY", value_enum)]
    pub smtp_security: Option<SmtpSecurityName>,
    /// The mail server's user name.
    #[arg(long, env = "KASA_SMTP_USERNAME")]
    pub smtp_username: Option<String>,
    /// The mail server's password (prefer the environment variable or the file).
    #[arg(long, env = "KASA_SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<String>,
    /// The sender address of Kasa's e-mails.
    #[arg(long, env = "KASA_SMTP_FROM")]
    pub smtp_from: Option<String>,
    /// How often the outbox worker looks for mail to send, in milliseconds [default: 5000].
    #[arg(long, env = "KASA_OUTBOX_INTERVAL_MS")]
    pub outbox_interval_ms: Option<u64>,
    /// The wait after a first failed delivery, in seconds; it doubles each time, up to six
    /// hours [default: 60].
    #[arg(long, env = "KASA_MAIL_FIRST_RETRY_SECONDS")]
    pub mail_first_retry_seconds: Option<u64>,
    /// The wait after a help-desk call's first failure, in seconds; it doubles each time, up
    /// to six hours [default: 30].
    #[arg(long, env = "KASA_HELP_DESK_FIRST_RETRY_SECONDS")]
    pub help_desk_first_retry_seconds: Option<u64>,
    /// The wait after a webhook delivery's first failure, in seconds; later waits grow as ADR
    /// 0022's schedule does [default: 60].
    #[arg(long, env = "KASA_WEBHOOK_FIRST_RETRY_SECONDS")]
    pub webhook_first_retry_seconds: Option<u64>,
    /// The low-balance mark in credits: a charge taking a balance from at or above it to
    /// below it sends the `credits.low` webhook [default: 10].
    #[arg(long, env = "KASA_CREDITS_LOW_THRESHOLD")]
    pub credits_low_threshold: Option<u32>,
    /// How many days before a subscription ends the `subscription.ending_soon` webhook is sent,
    /// once per term [default: 7].
    #[arg(long, env = "KASA_SUBSCRIPTION_ENDING_SOON_DAYS")]
    pub subscription_ending_soon_days: Option<u32>,
    /// How often the expiry job (ended terms, subscriptions ending soon) runs, in seconds
    /// [default: 60].
    #[arg(long, env = "KASA_EXPIRY_INTERVAL_SECONDS")]
    pub expiry_interval_seconds: Option<u64>,
    /// The address customers' browsers reach Kasa at, e.g. `https://billing.example.com`; the
    /// bank sends customers back there after paying [default: http:// + the listen address].
    #[arg(long, env = "KASA_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// How long a payment waits for its gateway's callback before Kasa asks the gateway for
    /// the order's status, in seconds [default: 600].
    #[arg(long, env = "KASA_RECONCILE_AFTER_SECONDS")]
    pub reconcile_after_seconds: Option<u64>,
    /// How long an authorisation (capture `authorise_only`) may wait for an agent's capture
    /// before Kasa voids it, in days [default: 7].
    #[arg(long, env = "KASA_AUTHORISATION_VOID_AFTER_DAYS")]
    pub authorisation_void_after_days: Option<u64>,
    /// How long a refund, void or capture may stay `requested` with no answer recorded (a
    /// crash) before Kasa resolves it from the gateway's status, in seconds [default: 600].
    #[arg(long, env = "KASA_RESOLVE_PAYMENT_ACTIONS_AFTER_SECONDS")]
    pub resolve_payment_actions_after_seconds: Option<u64>,
    /// How long a request whose Idempotency-Key took effect may still be running before a retry
    /// is told that it was applied but its answer was lost, in seconds [default: 300].
    #[arg(long, env = "KASA_IDEMPOTENCY_LEASE_SECONDS")]
    pub idempotency_lease_seconds: Option<u64>,
    /// A console session ends after this many minutes without a page [default: 30].
    #[arg(long, env = "KASA_CONSOLE_IDLE_MINUTES")]
    pub console_idle_minutes: Option<u64>,
    /// The key payment-system credentials are encrypted with: 32 random bytes in base64
    /// (`openssl rand -base64 32`). Prefer the environment variable or a file.
    #[arg(long, env = "KASA_SECRETS_KEY", hide_env_values = true, value_parser = secret)]
    pub secrets_key: Option<Secret>,
    /// A file holding the secrets key (instead of KASA_SECRETS_KEY).
    #[arg(long, env = "KASA_SECRETS_KEY_FILE")]
    pub secrets_key_file: Option<PathBuf>,
    /// The largest request body Kasa reads, in bytes; a larger one is refused with 413 before
    /// it is read [default: 1048576].
    #[arg(long, env = "KASA_MAX_BODY_BYTES")]
    pub max_body_bytes: Option<usize>,
    /// Failed sign-ins an account may have before it must wait [default: 5].
    #[arg(long, env = "KASA_SIGN_IN_FAILURES_PER_ACCOUNT")]
    pub sign_in_failures_per_account: Option<u32>,
    /// Failed sign-ins a client address may have before it must wait [default: 20].
    #[arg(long, env = "KASA_SIGN_IN_FAILURES_PER_ADDRESS")]
    pub sign_in_failures_per_address: Option<u32>,
    /// The first wait after too many failed sign-ins, in milliseconds; it doubles with each
    /// further failure [default: 1000].
    #[arg(long, env = "KASA_SIGN_IN_FIRST_LOCKOUT_MS")]
    pub sign_in_first_lockout_ms: Option<u64>,
    /// The longest wait after failed sign-ins, in milliseconds [default: 300000].
    #[arg(long, env = "KASA_SIGN_IN_MAX_LOCKOUT_MS")]
    pub sign_in_max_lockout_ms: Option<u64>,
    /// Forged gateway callbacks and webhooks are written to the audit log at most once per
    /// gateway per this many seconds, with a count [default: 60].
    #[arg(long, env = "KASA_SECURITY_EVENT_INTERVAL_SECONDS")]
    pub security_event_interval_seconds: Option<u64>,
    /// The time zone finance reports count days and months in (default Europe/Istanbul).
    #[arg(long, env = "KASA_REPORT_TIME_ZONE")]
    pub report_time_zone: Option<String>,
    /// Fill an empty database with demo departments, packages, customers, users and a help desk
    /// key, and print how to try them. Never in production.
    #[arg(long, env = "KASA_DEMO")]
    pub demo: bool,
}

/// Why the configuration could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The reports' time zone is not one the database knows.
    #[error("report_time_zone (KASA_REPORT_TIME_ZONE): {message}")]
    ReportTimeZone {
        /// What is wrong.
        message: String,
    },
    /// The file could not be read.
    #[error("cannot read the configuration file {path}: {source}")]
    Read {
        /// Which file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A setting that goes with another is missing.
    #[error("missing setting: {what}")]
    Missing {
        /// Which, and what it is for.
        what: &'static str,
    },
    /// The secrets key cannot be read or is not a key (the message never repeats it).
    #[error("the secrets key ({setting}): {message}")]
    SecretsKey {
        /// Where it was set.
        setting: String,
        /// What is wrong.
        message: String,
    },
    /// The file is not valid.
    #[error("the configuration file {path} is not valid: {message}")]
    Invalid {
        /// Which file.
        path: PathBuf,
        /// What is wrong, with the line.
        message: String,
    },
}

impl Config {
    /// Defaults, the file (the one named, or ./kasa.toml if present), then the overrides.
    ///
    /// # Errors
    /// [`ConfigError`] when a named file cannot be read or a file is not valid.
    pub fn load(overrides: &Overrides) -> Result<Self, ConfigError> {
        let file = match &overrides.config {
            Some(path) => Some(read(path)?),
            None if Path::new("kasa.toml").exists() => Some(read(Path::new("kasa.toml"))?),
            None => None,
        }
        .unwrap_or_default();
        let defaults = Self::default();
        Ok(Self {
            listen: overrides.listen.or(file.listen).unwrap_or(defaults.listen),
            database_url: overrides
                .database_url
                .clone()
                .or(file.database_url)
                .unwrap_or(defaults.database_url),
            log_format: overrides
                .log_format
                .or(file.log_format)
                .unwrap_or(defaults.log_format),
            session_hours: file.session_hours.unwrap_or(defaults.session_hours),
            smtp: match overrides.smtp_host.clone().or(file.smtp_host) {
                None => None,
                Some(host) => Some(SmtpSettings {
                    host,
                    port: overrides.smtp_port.or(file.smtp_port).unwrap_or(587),
                    security: overrides
                        .smtp_security
                        .or(file.smtp_security)
                        .unwrap_or(SmtpSecurityName::Starttls),
                    username: overrides.smtp_username.clone().or(file.smtp_username),
                    password: overrides.smtp_password.clone().or(file.smtp_password),
                    from: overrides.smtp_from.clone().or(file.smtp_from).ok_or(
                        ConfigError::Missing {
                            what: "smtp_from (KASA_SMTP_FROM): the sender address of e-mails",
                        },
                    )?,
                    from_name: file.smtp_from_name.unwrap_or_else(|| "Kasa".to_owned()),
                }),
            },
            outbox_interval_ms: overrides
                .outbox_interval_ms
                .or(file.outbox_interval_ms)
                .unwrap_or(defaults.outbox_interval_ms),
            mail_first_retry_seconds: overrides
                .mail_first_retry_seconds
                .or(file.mail_first_retry_seconds)
                .unwrap_or(defaults.mail_first_retry_seconds),
            help_desk_first_retry_seconds: overrides
                .help_desk_first_retry_seconds
                .or(file.help_desk_first_retry_seconds)
                .unwrap_or(defaults.help_desk_first_retry_seconds),
            webhook_first_retry_seconds: overrides
                .webhook_first_retry_seconds
                .or(file.webhook_first_retry_seconds)
                .unwrap_or(defaults.webhook_first_retry_seconds),
            credits_low_threshold: overrides
                .credits_low_threshold
                .or(file.credits_low_threshold)
                .unwrap_or(defaults.credits_low_threshold),
            subscription_ending_soon_days: overrides
                .subscription_ending_soon_days
                .or(file.subscription_ending_soon_days)
                .unwrap_or(defaults.subscription_ending_soon_days),
            expiry_interval_seconds: overrides
                .expiry_interval_seconds
                .or(file.expiry_interval_seconds)
                .unwrap_or(defaults.expiry_interval_seconds),
            public_url: overrides
                .public_url
                .clone()
                .or(file.public_url)
                .map(|url| url.trim_end_matches('/').to_owned()),
            reconcile_after_seconds: overrides
                .reconcile_after_seconds
                .or(file.reconcile_after_seconds)
                .unwrap_or(defaults.reconcile_after_seconds),
            authorisation_void_after_days: overrides
                .authorisation_void_after_days
                .or(file.authorisation_void_after_days)
                .unwrap_or(defaults.authorisation_void_after_days),
            resolve_payment_actions_after_seconds: overrides
                .resolve_payment_actions_after_seconds
                .or(file.resolve_payment_actions_after_seconds)
                .unwrap_or(defaults.resolve_payment_actions_after_seconds),
            idempotency_lease_seconds: overrides
                .idempotency_lease_seconds
                .or(file.idempotency_lease_seconds)
                .unwrap_or(defaults.idempotency_lease_seconds),
            console_idle_minutes: overrides
                .console_idle_minutes
                .or(file.console_idle_minutes)
                .unwrap_or(defaults.console_idle_minutes)
                .clamp(1, 24 * 60),
            secrets_key: secrets_key(
                KeySource::new(
                    overrides.secrets_key.as_ref(),
                    overrides.secrets_key_file.as_deref(),
                    "KASA_SECRETS_KEY",
                    "KASA_SECRETS_KEY_FILE",
                )
                .or(KeySource::new(
                    file.secrets_key.as_ref(),
                    file.secrets_key_file.as_deref(),
                    "secrets_key in the configuration file",
                    "secrets_key_file in the configuration file",
                ))
                .transpose()?,
            )?,
            max_body_bytes: overrides
                .max_body_bytes
                .or(file.max_body_bytes)
                .unwrap_or(defaults.max_body_bytes),
            sign_in_throttle: crate::throttle::ThrottlePolicy {
                failures_allowed_per_account: overrides
                    .sign_in_failures_per_account
                    .or(file.sign_in_failures_per_account)
                    .unwrap_or(defaults.sign_in_throttle.failures_allowed_per_account),
                failures_allowed_per_address: overrides
                    .sign_in_failures_per_address
                    .or(file.sign_in_failures_per_address)
                    .unwrap_or(defaults.sign_in_throttle.failures_allowed_per_address),
                first_lockout: overrides
                    .sign_in_first_lockout_ms
                    .or(file.sign_in_first_lockout_ms)
                    .map_or(
                        defaults.sign_in_throttle.first_lockout,
                        Duration::from_millis,
                    ),
                max_lockout: overrides
                    .sign_in_max_lockout_ms
                    .or(file.sign_in_max_lockout_ms)
                    .map_or(defaults.sign_in_throttle.max_lockout, Duration::from_millis),
            },
            security_event_interval_seconds: overrides
                .security_event_interval_seconds
                .or(file.security_event_interval_seconds)
                .unwrap_or(defaults.security_event_interval_seconds),
            report_time_zone: match overrides.report_time_zone.clone().or(file.report_time_zone) {
                Some(name) => kasa_billing::reports::ReportZone::named(&name).map_err(|error| {
                    ConfigError::ReportTimeZone {
                        message: error.to_string(),
                    }
                })?,
                None => defaults.report_time_zone,
            },
        })
    }
}

/// Where a secrets key comes from: a value, or a file holding it.
#[derive(Debug)]
pub enum KeySource<'a> {
    /// The key itself, and the name of its setting.
    Value(&'a Secret, &'static str),
    /// A file holding it, and the name of its setting.
    File(&'a Path, &'static str),
}

impl<'a> KeySource<'a> {
    /// The source among a value and a file setting; both set is a mistake.
    ///
    /// # Errors
    /// [`ConfigError::SecretsKey`] when both are set.
    pub fn new(
        value: Option<&'a Secret>,
        file: Option<&'a Path>,
        value_setting: &'static str,
        file_setting: &'static str,
    ) -> Option<Result<Self, ConfigError>> {
        match (value, file) {
            (Some(_), Some(_)) => Some(Err(ConfigError::SecretsKey {
                setting: format!("{value_setting} and {file_setting}"),
                message: "set one of them, not both".to_owned(),
            })),
            (Some(value), None) => Some(Ok(Self::Value(value, value_setting))),
            (None, Some(file)) => Some(Ok(Self::File(file, file_setting))),
            (None, None) => None,
        }
    }
}

/// Reads the key from its source.
///
/// # Errors
/// [`ConfigError::SecretsKey`] when the file cannot be read or the text is not a key.
pub fn secrets_key(source: Option<KeySource<'_>>) -> Result<Option<SecretsKey>, ConfigError> {
    let (text, setting) = match source {
        None => return Ok(None),
        Some(KeySource::Value(value, setting)) => (value.expose().to_owned(), setting.to_owned()),
        Some(KeySource::File(path, setting)) => {
            let setting = format!("{setting}, {}", path.display());
            let text = std::fs::read_to_string(path).map_err(|error| ConfigError::SecretsKey {
                setting: setting.clone(),
                message: format!("cannot read the file: {error}"),
            })?;
            (text, setting)
        }
    };
    SecretsKey::from_base64(&text)
        .map(Some)
        .map_err(|error| ConfigError::SecretsKey {
            setting,
            message: error.to_string(),
        })
}

/// A secret on the command line or in the environment, never echoed by clap.
#[allow(clippy::unnecessary_wraps)] // clap's value parsers return a result
pub fn secret(text: &str) -> Result<Secret, std::convert::Infallible> {
    Ok(Secret::new(text))
}

fn read(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    toml::from_str(&text).map_err(|error| ConfigError::Invalid {
        path: path.to_owned(),
        message: error.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_overrides_defaults_and_flags_override_the_file() {
        let folder = std::env::temp_dir().join(format!("kasa-config-{}", std::process::id()));
        std::fs::create_dir_all(&folder).unwrap();
        let path = folder.join("kasa.toml");
        std::fs::write(
            &path,
            "listen = \"0.0.0.0:9000\"\ndatabase_url = \"postgres://db/kasa\"\nsession_hours = 2\n",
        )
        .unwrap();
        let mut overrides = Overrides {
            config: Some(path.clone()),
            ..Overrides::default()
        };
        let config = Config::load(&overrides).unwrap();
        assert_eq!(config.listen.to_string(), "0.0.0.0:9000");
        assert_eq!(config.database_url, "postgres://db/kasa");
        assert_eq!(
            (config.session_hours, config.log_format),
            (2, LogFormat::Text)
        );
        overrides.database_url = Some("sqlite://other.sqlite3".to_owned());
        assert_eq!(
            Config::load(&overrides).unwrap().database_url,
            "sqlite://other.sqlite3"
        );
        std::fs::write(&path, "listen = 8080\n").unwrap();
        assert!(matches!(
            Config::load(&overrides),
            Err(ConfigError::Invalid { .. })
        ));
        std::fs::write(&path, "lisen = \"x\"\n").unwrap();
        let error = Config::load(&overrides).unwrap_err().to_string();
        assert!(error.contains("lisen"), "{error}");
        std::fs::remove_dir_all(&folder).unwrap();
    }

    #[test]
    fn the_reports_time_zone_is_istanbul_unless_the_file_or_a_flag_names_another() {
        let folder =
            std::env::temp_dir().join(format!("kasa-config-zone-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&folder).unwrap();
        let path = folder.join("kasa.toml");
        std::fs::write(&path, "session_hours = 2\n").unwrap();
        let mut overrides = Overrides {
            config: Some(path.clone()),
            ..Overrides::default()
        };
        assert_eq!(
            Config::load(&overrides).unwrap().report_time_zone.name(),
            "Europe/Istanbul"
        );
        std::fs::write(&path, "report_time_zone = \"Europe/Berlin\"\n").unwrap();
        assert_eq!(
            Config::load(&overrides).unwrap().report_time_zone.name(),
            "Europe/Berlin"
        );
        overrides.report_time_zone = Some("UTC".to_owned());
        assert_eq!(
            Config::load(&overrides).unwrap().report_time_zone.name(),
            "UTC"
        );
        overrides.report_time_zone = Some("Mars/Olympus".to_owned());
        let error = Config::load(&overrides).unwrap_err().to_string();
        assert!(error.contains("KASA_REPORT_TIME_ZONE"), "{error}");
        std::fs::remove_dir_all(&folder).unwrap();
    }

    #[test]
    fn the_secrets_key_comes_from_the_environment_or_flags_before_the_file_and_is_never_shown() {
        let folder = std::env::temp_dir().join(format!("kasa-config-key-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&folder).unwrap();
        let (first, second) = (
            "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=",
            "ZWZnaGlqa2xtbm9wcXJzdHV2d3h5ent8fX5/gIGCg4Q=",
        );
        let path = folder.join("kasa.toml");
        std::fs::write(&path, format!("secrets_key = \"{first}\"\n")).unwrap();
        let key_file = folder.join("secrets.key");
        std::fs::write(&key_file, format!("{second}\n")).unwrap();
        let mut overrides = Overrides {
            config: Some(path.clone()),
            ..Overrides::default()
        };
        let key = |overrides: &Overrides| Config::load(overrides).map(|config| config.secrets_key);
        assert_eq!(
            key(&overrides).unwrap(),
            Some(SecretsKey::from_base64(first).unwrap())
        );
        overrides.secrets_key_file = Some(key_file.clone());
        assert_eq!(
            key(&overrides).unwrap(),
            Some(SecretsKey::from_base64(second).unwrap()),
            "the environment (or a flag) wins over the file"
        );
        overrides.secrets_key = Some(Secret::new(first));
        assert!(!format!("{overrides:?}").contains(first));
        let both = key(&overrides).unwrap_err().to_string();
        assert!(both.contains("set one of them"), "{both}");
        overrides.secrets_key_file = None;
        overrides.secrets_key = Some(Secret::new("c2hvcnQ="));
        let short = key(&overrides).unwrap_err().to_string();
        assert!(
            short.contains("KASA_SECRETS_KEY") && short.contains("5 bytes"),
            "{short}"
        );
        assert!(!short.contains("c2hvcnQ="), "{short}");
        overrides.secrets_key = None;
        overrides.secrets_key_file = Some(folder.join("missing.key"));
        let missing = key(&overrides).unwrap_err().to_string();
        assert!(missing.contains("missing.key"), "{missing}");
        overrides.secrets_key_file = None;
        std::fs::write(&path, "").unwrap();
        assert_eq!(key(&overrides).unwrap(), None);
        std::fs::remove_dir_all(&folder).unwrap();
    }
}
