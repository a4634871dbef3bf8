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
