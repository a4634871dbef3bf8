//! Configuration: built-in defaults, then a TOML file, then environment variables, then command
//! line flags (each overrides the one before). With nothing set, Kasa keeps a SQLite file in the
//! working directory and listens on 127.0.0.1:8080.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

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
    /// The address customers' browsers reach Kasa at (the bank returns them here); `None`
    /// means `http://` + the listen address.
    pub public_url: Option<String>,
    /// How long a payment may wait for its gateway's callback before Kasa asks the gateway
    /// for the order's status, in seconds.
    pub reconcile_after_seconds: u64,
    /// How long a request whose Idempotency-Key took effect may run before a retry is told it
    /// was applied without an answer, in seconds.
    pub idempotency_lease_seconds: u64,
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
            public_url: None,
            reconcile_after_seconds: 600,
            idempotency_lease_seconds: 300,
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
    public_url: Option<String>,
    reconcile_after_seconds: Option<u64>,
    idempotency_lease_seconds: Option<u64>,
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
    /// The address customers' browsers reach Kasa at, e.g. `https://billing.example.com`; the
    /// bank sends customers back there after paying [default: http:// + the listen address].
    #[arg(long, env = "KASA_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// How long a payment waits for its gateway's callback before Kasa asks the gateway for
    /// the order's status, in seconds [default: 600].
    #[arg(long, env = "KASA_RECONCILE_AFTER_SECONDS")]
    pub reconcile_after_seconds: Option<u64>,
    /// How long a request whose Idempotency-Key took effect may still be running before a retry
    /// is told that it was applied but its answer was lost, in seconds [default: 300].
    #[arg(long, env = "KASA_IDEMPOTENCY_LEASE_SECONDS")]
    pub idempotency_lease_seconds: Option<u64>,
    /// Fill an empty database with demo departments, packages, customers, users and a help desk
    /// key, and print how to try them. Never in production.
    #[arg(long, env = "KASA_DEMO")]
    pub demo: bool,
}

/// Why the configuration could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
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
            public_url: overrides
                .public_url
                .clone()
                .or(file.public_url)
                .map(|url| url.trim_end_matches('/').to_owned()),
            reconcile_after_seconds: overrides
                .reconcile_after_seconds
                .or(file.reconcile_after_seconds)
                .unwrap_or(defaults.reconcile_after_seconds),
            idempotency_lease_seconds: overrides
                .idempotency_lease_seconds
                .or(file.idempotency_lease_seconds)
                .unwrap_or(defaults.idempotency_lease_seconds),
        })
    }
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
}
