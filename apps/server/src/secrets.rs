//! Payment-system credentials at rest (ADR 0008): the check `kasa serve` makes before it serves
//! (a server without the key the credentials were encrypted with refuses to start, naming the
//! setting), and `kasa rotate-key`. Key values are never printed or logged; key ids are.

use std::path::PathBuf;
use std::process::ExitCode;

use kasa_domain::{Actor, Reason};
use kasa_ports::{ActionContext, Clock as _, Secret, SystemClock};
use kasa_postgres::{CredentialsError, KeyRotation, SqlStore, UnreadableCredential, UnsealError};

use crate::config::{self, KeySource};

/// Where the operator sets the key, for messages.
const KEY_SETTINGS: &str =
    "KASA_SECRETS_KEY (or KASA_SECRETS_KEY_FILE, or secrets_key / secrets_key_file in kasa.toml)";

/// Opens every stored credential with the configured key before the server serves.
///
/// # Errors
/// The message to stop with when the credentials are encrypted and no key, or another key, is
/// configured (or the database cannot be read). A damaged credential is logged, not fatal: an
/// admin mends it by saving it again.
pub async fn check_at_start(store: &SqlStore, demo: bool) -> Result<(), String> {
    let found = store
        .check_credentials()
        .await
        .map_err(|error| format!("cannot read the payment-system credentials: {error}"))?;
    if let Some(refusal) = found.unreadable.iter().find_map(refusal) {
        return Err(refusal);
    }
    for damaged in &found.unreadable {
        tracing::error!(
            "{damaged}; payments through `{gateway}` fail until the credential is sent again \
             (PUT /v1/settings/payment-systems/{gateway})",
            gateway = damaged.gateway
        );
    }
    if found.clear_count() > 0 {
        let names = found
            .clear
            .iter()
            .map(|(gateway, names)| format!("{gateway}: {}", names.join(", ")))
            .collect::<Vec<_>>()
            .join("; ");
        if store.seals_credentials() {
            tracing::warn!(
                "{} payment-system credential(s) are still stored in clear ({names}): run \
                 `kasa rotate-key` to encrypt them under the configured key",
                found.clear_count()
            );
        } else {
            tracing::warn!(
                "{} payment-system credential(s) are stored in clear ({names}): set {KEY_SETTINGS} \
                 and run `kasa rotate-key` to encrypt them",
                found.clear_count()
            );
        }
    } else if !store.seals_credentials() && !demo {
        tracing::warn!(
            "no secrets key configured: payment-system credentials cannot be saved until one is \
             (set {KEY_SETTINGS}; make one with `openssl rand -base64 32`)"
        );
    }
    Ok(())
}

/// Why the server must not start, when a credential does not open for want of the right key.
fn refusal(unreadable: &UnreadableCredential) -> Option<String> {
    match &unreadable.error {
        UnsealError::NoKey { key_id } => Some(format!(
            "the payment-system credentials in the database are encrypted (key id {key_id}) and \
             no secrets key is configured: set {KEY_SETTINGS} to the key they were encrypted with"
        )),
        UnsealError::WrongKey {
            sealed_with,
            configured,
        } => Some(format!(
            "the configured secrets key (key id {configured}) is not the key the payment-system \
             credentials were encrypted with (key id {sealed_with}): set {KEY_SETTINGS} to that \
             key; to change keys, run `kasa rotate-key` with the old key configured and the new \
             one in KASA_NEW_SECRETS_KEY"
        )),
        UnsealError::UnknownFormat(_) => Some(format!(
            "{unreadable}: it was written by a newer version of Kasa; run that version"
        )),
        UnsealError::Malformed | UnsealError::Tampered | UnsealError::NoRandomness => None,
    }
}

/// `kasa rotate-key`: what it reads.
#[derive(Debug, clap::Args)]
pub struct RotateKeyArgs {
    /// A TOML configuration file (default: ./kasa.toml when it exists); its database and
    /// secrets key are used.
    #[arg(long, env = "KASA_CONFIG")]
    config: Option<PathBuf>,
    /// `sqlite://FILE` or `postgres://USER@HOST:PORT/DATABASE` [default: sqlite://kasa.sqlite3].
    #[arg(long, env = "KASA_DATABASE_URL")]
    database_url: Option<String>,
    /// The current key, when the credentials are encrypted (prefer the environment variable
    /// or a file).
    #[arg(long, env = "KASA_SECRETS_KEY", hide_env_values = true, value_parser = config::secret)]
    secrets_key: Option<Secret>,
    /// A file holding the current key.
    #[arg(long, env = "KASA_SECRETS_KEY_FILE")]
    secrets_key_file: Option<PathBuf>,
    /// The new key: 32 random bytes in base64 (`openssl rand -base64 32`); prefer the
    /// environment variable or a file. Without one, the current key is used again, which
    /// encrypts the credentials stored in clear.
    #[arg(long, env = "KASA_NEW_SECRETS_KEY", hide_env_values = true, value_parser = config::secret)]
    new_key: Option<Secret>,
    /// A file holding the new key.
    #[arg(long, env = "KASA_NEW_SECRETS_KEY_FILE")]
    new_key_file: Option<PathBuf>,
    /// Why, for the audit log.
    #[arg(long, default_value = "secrets key rotated from the command line")]
    reason: String,
}

/// Re-encrypts every payment-system credential under the new key, in one transaction, and says
/// what it did (names and key ids, never values).
pub async fn rotate_key(args: RotateKeyArgs) -> ExitCode {
    let overrides = config::Overrides {
        config: args.config,
        database_url: args.database_url,
        secrets_key: args.secrets_key,
        secrets_key_file: args.secrets_key_file,
        ..config::Overrides::default()
    };
    let (config, new_key) = match config::Config::load(&overrides).and_then(|config| {
        let new_key = config::secrets_key(
            KeySource::new(
                args.new_key.as_ref(),
                args.new_key_file.as_deref(),
                "KASA_NEW_SECRETS_KEY",
                "KASA_NEW_SECRETS_KEY_FILE",
            )
            .transpose()?,
        )?;
        Ok((config, new_key))
    }) {
        Ok(loaded) => loaded,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    let Some(new_key) = new_key.or_else(|| config.secrets_key.clone()) else {
        eprintln!(
            "error: give the new key in KASA_NEW_SECRETS_KEY or KASA_NEW_SECRETS_KEY_FILE \
             (32 random bytes in base64: `openssl rand -base64 32`)"
        );
        return ExitCode::from(2);
    };
    let context = match Reason::new(&args.reason) {
        Ok(reason) => ActionContext {
            actor: Actor::System {
                job: "rotate-key".to_owned(),
            },
            reason,
            request_id: None,
            idempotency: None,
        },
        Err(error) => {
            eprintln!("error: --reason: {error}");
            return ExitCode::from(2);
        }
    };
    let store = match crate::database::open_store(&config.database_url).await {
        Ok(store) => store.with_secrets_key(config.secrets_key.clone()),
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    match store
        .rotate_secrets_key(&new_key, context, SystemClock.now())
        .await
    {
        Ok(rotation) => {
            print!("{}", rotation_report(&rotation));
            ExitCode::SUCCESS
        }
        Err(CredentialsError::Unreadable(unreadable)) => {
            let advice = match unreadable.error {
                UnsealError::NoKey { .. } | UnsealError::WrongKey { .. } => format!(
                    "configure the key they are encrypted with in {KEY_SETTINGS}, and the new \
                     one in KASA_NEW_SECRETS_KEY"
                ),
                _ => format!(
                    "save it again first (PUT /v1/settings/payment-systems/{})",
                    unreadable.gateway
                ),
            };
            eprintln!("error: nothing was re-encrypted: {unreadable}; {advice}");
            ExitCode::from(2)
        }
        Err(CredentialsError::Store(error)) => {
            eprintln!("error: nothing was re-encrypted: {error}");
            ExitCode::FAILURE
        }
    }
}

/// What a rotation did, for the operator.
fn rotation_report(rotation: &KeyRotation) -> String {
    if rotation.count() == 0 {
        return "no payment-system credentials are stored: nothing to re-encrypt\n".to_owned();
    }
    let mut before = Vec::new();
    if !rotation.previous_key_ids.is_empty() {
        let ids: Vec<&str> = rotation
            .previous_key_ids
            .iter()
            .map(String::as_str)
            .collect();
        before.push(format!("encrypted under key id {}", ids.join(", ")));
    }
    if rotation.were_clear > 0 {
        before.push(format!("{} in clear", rotation.were_clear));
    }
    let mut report = format!(
        "re-encrypted {} credential(s) of {} payment system(s) under key id {} (before: {}):\n",
        rotation.count(),
        rotation.credentials.len(),
        rotation.key_id,
        before.join("; ")
    );
    for (gateway, names) in &rotation.credentials {
        report.push_str(&format!("  {gateway}: {}\n", names.join(", ")));
    }
    report.push_str(
        "start Kasa with this key in KASA_SECRETS_KEY (or KASA_SECRETS_KEY_FILE); a server \
         still running with the old key cannot read the credentials\n",
    );
    report
}
