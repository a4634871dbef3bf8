//! Settings: one JSON document per section, and payment systems (whose credentials only
//! [`SettingsStore::payment_system_credentials`] returns). Credentials are sealed under the
//! store's secrets key when it has one (ADR 0008); those kept in clear are still read.

use async_trait::async_trait;
use std::collections::{BTreeMap, BTreeSet};

use kasa_ports::{
    ActionContext, AuditRecord, BillingSettings, GatewayName, Logo, PaymentSystem,
    PaymentSystemChange, Secret, SettingsStore, StoreError,
};
use sea_orm::{DatabaseTransaction, Value};
use time::OffsetDateTime;

use crate::SqlStore;
use crate::codec::{Codec, Row, corrupt, text};
use crate::rows::{Connection, execute, fetch_all, fetch_one, insert_audit};
use crate::secrets::{SecretsKey, StoredCredential, UnsealError};

const BILLING: &str = "billing";
const LOGO: &str = "logo";

async fn read_section<T: serde::de::DeserializeOwned>(
    connection: &impl Connection,
    codec: Codec,
    section: &str,
) -> Result<Option<T>, StoreError> {
    match fetch_one(
        connection,
        codec.statement(
            "SELECT value FROM settings WHERE section = $1",
            [text(section)],
        ),
    )
    .await?
    {
        Some(row) => codec.row(&row).json("value").map(Some),
        None => Ok(None),
    }
}

async fn read_billing(
    connection: &impl Connection,
    codec: Codec,
) -> Result<Option<BillingSettings>, StoreError> {
    read_section(connection, codec, BILLING).await
}

async fn write_section(
    connection: &impl Connection,
    codec: Codec,
    section: &str,
    value: &impl serde::Serialize,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    execute(
        connection,
        codec.statement(
            "INSERT INTO settings (section, value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (section) DO UPDATE SET value = excluded.value, \
             updated_at = excluded.updated_at",
            [text(section), codec.json(value), codec.at(at)],
        ),
    )
    .await
    .map(|_| ())
}

/// A payment system's row: the system and its credentials as stored (sealed or in clear).
type StoredSystem = (PaymentSystem, BTreeMap<String, StoredCredential>);

fn payment_system(row: &Row<'_>) -> Result<StoredSystem, StoreError> {
    let credentials: BTreeMap<String, StoredCredential> = row.json("credentials")?;
    let system = PaymentSystem {
        gateway: row.label("gateway")?,
        enabled: row.flag("enabled")?,
        configuration: row.json("configuration")?,
        credentials_set: credentials.keys().cloned().collect(),
    };
    Ok((system, credentials))
}

async fn read_payment_system(
    connection: &impl Connection,
    codec: Codec,
    gateway: &GatewayName,
) -> Result<Option<StoredSystem>, StoreError> {
    fetch_one(
        connection,
        codec.statement(
            "SELECT gateway, enabled, configuration, credentials FROM payment_systems \
             WHERE gateway = $1",
            [text(gateway.as_str())],
        ),
    )
    .await?
    .map(|row| payment_system(&codec.row(&row)))
    .transpose()
}

async fn read_payment_systems(
    connection: &impl Connection,
    codec: Codec,
) -> Result<Vec<StoredSystem>, StoreError> {
    fetch_all(
        connection,
        codec.statement(
            "SELECT gateway, enabled, configuration, credentials FROM payment_systems \
             ORDER BY gateway",
            [],
        ),
    )
    .await?
    .iter()
    .map(|row| payment_system(&codec.row(row)))
    .collect()
}

/// A stored credential that does not open with the configured key (or without one).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("payment system `{gateway}`, credential `{name}`: {error}")]
pub struct UnreadableCredential {
    /// The gateway.
    pub gateway: String,
    /// The credential's name.
    pub name: String,
    /// Why.
    pub error: UnsealError,
}

/// Why a rotation could not run.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored credential does not open.
    #[error(transparent)]
    Unreadable(#[from] UnreadableCredential),
}

impl From<UnreadableCredential> for StoreError {
    /// For port calls: a missing or wrong key makes the credentials unavailable until the
    /// operator configures the right one; anything else is damaged data.
    fn from(unreadable: UnreadableCredential) -> Self {
        match unreadable.error {
            UnsealError::NoKey { .. }
            | UnsealError::WrongKey { .. }
            | UnsealError::NoRandomness => Self::Unavailable(unreadable.to_string()),
            UnsealError::UnknownFormat(_) | UnsealError::Malformed | UnsealError::Tampered => {
                corrupt(unreadable)
            }
        }
    }
}

/// Opens every credential of `gateway`.
fn open_all(
    key: Option<&SecretsKey>,
    gateway: &str,
    stored: &BTreeMap<String, StoredCredential>,
) -> Result<BTreeMap<String, Secret>, UnreadableCredential> {
    stored
        .iter()
        .map(|(name, credential)| {
            credential
                .open(key, gateway, name)
                .map(|value| (name.clone(), Secret::new(value)))
                .map_err(|error| UnreadableCredential {
                    gateway: gateway.to_owned(),
                    name: name.clone(),
                    error,
                })
        })
        .collect()
}

/// Seals every credential of `gateway` under `key` (in clear without one).
fn seal_all(
    key: Option<&SecretsKey>,
    gateway: &str,
    credentials: &BTreeMap<String, Secret>,
) -> Result<BTreeMap<String, StoredCredential>, UnreadableCredential> {
    credentials
        .iter()
        .map(|(name, secret)| {
            StoredCredential::seal(key, gateway, name, secret.expose())
                .map(|stored| (name.clone(), stored))
                .map_err(|error| UnreadableCredential {
                    gateway: gateway.to_owned(),
                    name: name.clone(),
                    error,
                })
        })
        .collect()
}

/// How the stored payment-system credentials are kept, as [`SqlStore::check_credentials`]
/// found them: names by gateway, never values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CredentialsAtRest {
    /// Sealed under the configured key (each one opened to check it).
    pub sealed: BTreeMap<String, Vec<String>>,
    /// Kept in clear.
    pub clear: BTreeMap<String, Vec<String>>,
    /// Those that do not open (no key, another key, damaged).
    pub unreadable: Vec<UnreadableCredential>,
}

impl CredentialsAtRest {
    /// How many credentials are kept in clear.
    #[must_use]
    pub fn clear_count(&self) -> usize {
        self.clear.values().map(Vec::len).sum()
    }

    /// How many credentials are sealed.
    #[must_use]
    pub fn sealed_count(&self) -> usize {
        self.sealed.values().map(Vec::len).sum()
    }
}

/// What [`SqlStore::rotate_secrets_key`] did: names by gateway and key ids, never values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyRotation {
    /// The id of the key every credential is now sealed under.
    pub key_id: String,
    /// The credentials sealed anew, by gateway.
    pub credentials: BTreeMap<String, Vec<String>>,
    /// The ids of the keys they were sealed under before.
    pub previous_key_ids: BTreeSet<String>,
    /// How many were kept in clear before.
    pub were_clear: usize,
}

impl KeyRotation {
    /// How many credentials were sealed anew.
    #[must_use]
    pub fn count(&self) -> usize {
        self.credentials.values().map(Vec::len).sum()
    }
}

impl SqlStore {
    fn key(&self) -> Option<&SecretsKey> {
        self.secrets_key.as_deref()
    }

    /// Opens every stored credential with the configured key, so that a server can refuse to
    /// start with a missing or wrong key rather than fail at a customer's payment; reports
    /// which are sealed, which are kept in clear and which do not open.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the database fails, [`StoreError::Corrupt`] when a
    /// row does not read.
    pub async fn check_credentials(&self) -> Result<CredentialsAtRest, StoreError> {
        let mut found = CredentialsAtRest::default();
        for (system, stored) in read_payment_systems(&self.db, self.codec).await? {
            let gateway = system.gateway.as_str();
            for (name, credential) in stored {
                let list = match credential.open(self.key(), gateway, &name) {
                    Err(error) => {
                        found.unreadable.push(UnreadableCredential {
                            gateway: gateway.to_owned(),
                            name,
                            error,
                        });
                        continue;
                    }
                    Ok(_) if matches!(credential, StoredCredential::Clear(_)) => &mut found.clear,
                    Ok(_) => &mut found.sealed,
                };
                list.entry(gateway.to_owned()).or_default().push(name);
            }
        }
        for table in crate::integrations::SEALED_SECRETS {
            for (id, sealed) in table.sealed(&self.db, self.codec).await? {
                match table.open(self.key(), &id, &sealed) {
                    Ok(_) => found
                        .sealed
                        .entry(table.sealed_as.to_owned())
                        .or_default()
                        .push(id),
                    Err(unreadable) => found.unreadable.push(unreadable),
                }
            }
        }
        Ok(found)
    }

    /// Seals every stored credential anew under `new_key`, in one transaction: each is opened
    /// with the configured key (or read in clear) first, so nothing changes unless all open.
    /// `new_key` may be the configured key: that seals what is kept in clear. Audited as
    /// `settings.secrets_key_rotated` (key ids and credential names, never values) when there
    /// was anything to seal. The store keeps its own key: connect again with `new_key`.
    ///
    /// # Errors
    /// [`CredentialsError::Unreadable`] for the first credential that does not open;
    /// [`CredentialsError::Store`] when the database fails.
    pub async fn rotate_secrets_key(
        &self,
        new_key: &SecretsKey,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<KeyRotation, CredentialsError> {
        let write = self.begin_write().await?;
        match self
            .reseal_all(&write.transaction, new_key, &context, at)
            .await
        {
            Ok(rotation) => Ok(write.finish(Ok(rotation)).await?),
            Err(error) => {
                write.rollback().await;
                Err(error)
            }
        }
    }

    async fn reseal_all(
        &self,
        tx: &DatabaseTransaction,
        new_key: &SecretsKey,
        context: &ActionContext,
        at: OffsetDateTime,
    ) -> Result<KeyRotation, CredentialsError> {
        let codec = self.codec;
        // Lock every row (PostgreSQL) so that no save interleaves with the rotation.
        execute(
            tx,
            codec.statement("UPDATE payment_systems SET gateway = gateway", []),
        )
        .await?;
        let mut rotation = KeyRotation {
            key_id: new_key.id().to_owned(),
            ..KeyRotation::default()
        };
        let mut opened = Vec::new();
        for (system, stored) in read_payment_systems(tx, codec).await? {
            let gateway = system.gateway.as_str().to_owned();
            for credential in stored.values() {
                match credential.key_id() {
                    Some(key_id) => {
                        rotation.previous_key_ids.insert(key_id.to_owned());
                    }
                    None => rotation.were_clear += 1,
                }
            }
            let credentials = open_all(self.key(), &gateway, &stored)?;
            if !credentials.is_empty() {
                opened.push((gateway, credentials));
            }
        }
        for (gateway, credentials) in opened {
            let sealed = seal_all(Some(new_key), &gateway, &credentials)?;
            execute(
                tx,
                codec.statement(
                    "UPDATE payment_systems SET credentials = $2, updated_at = $3 \
                     WHERE gateway = $1",
                    [text(gateway.clone()), codec.json(&sealed), codec.at(at)],
                ),
            )
            .await?;
            rotation
                .credentials
                .insert(gateway, credentials.into_keys().collect());
        }
        for table in crate::integrations::SEALED_SECRETS {
            let (ids, key_ids) = table.reseal(tx, codec, self.key(), new_key).await?;
            rotation.previous_key_ids.extend(key_ids);
            if !ids.is_empty() {
                rotation.credentials.insert(table.sealed_as.to_owned(), ids);
            }
        }
        if rotation.count() > 0 {
            let record = AuditRecord {
                action: "settings.secrets_key_rotated".to_owned(),
                subject: "settings:secrets_key".to_owned(),
                before: Some(serde_json::json!({
                    "key_ids": rotation.previous_key_ids,
                    "credentials_in_clear": rotation.were_clear,
                })),
                after: Some(serde_json::json!({
                    "key_id": rotation.key_id,
                    "credentials": rotation.credentials,
                })),
            };
            insert_audit(tx, codec, &record, context, at).await?;
        }
        Ok(rotation)
    }
}

#[async_trait]
impl SettingsStore for SqlStore {
    async fn billing_settings(&self) -> Result<BillingSettings, StoreError> {
        Ok(read_billing(&self.db, self.codec)
            .await?
            .unwrap_or_default())
    }

    async fn payment_systems(&self) -> Result<Vec<PaymentSystem>, StoreError> {
        Ok(read_payment_systems(&self.db, self.codec)
            .await?
            .into_iter()
            .map(|(system, _)| system)
            .collect())
    }

    async fn save_payment_system(
        &self,
        change: PaymentSystemChange,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<PaymentSystem, StoreError> {
        self.in_transaction(async |tx, codec| {
            // Lock the row (PostgreSQL) before reading the credentials to merge, so that two
            // saves cannot lose one another's credentials.
            execute(
                tx,
                codec.statement(
                    "UPDATE payment_systems SET gateway = gateway WHERE gateway = $1",
                    [text(change.gateway.as_str())],
                ),
            )
            .await?;
            let before = read_payment_system(tx, codec, &change.gateway).await?;
            let gateway = change.gateway.as_str();
            // Every credential is sealed again under the configured key, so that saving also
            // seals those kept in clear before a key was configured. Those the change replaces
            // are not opened: re-sending a damaged one is how it is mended.
            let kept: BTreeMap<String, StoredCredential> = before
                .as_ref()
                .map(|(_, stored)| {
                    stored
                        .iter()
                        .filter(|(name, _)| !change.credentials.contains_key(*name))
                        .map(|(name, credential)| (name.clone(), credential.clone()))
                        .collect()
                })
                .unwrap_or_default();
            let stored = open_all(self.key(), gateway, &kept)?;
            let credentials = change.merged_credentials(stored);
            let system = change.system(&credentials);
            let sealed = seal_all(self.key(), gateway, &credentials)?;
            execute(
                tx,
                codec.statement(
                    "INSERT INTO payment_systems (gateway, enabled, configuration, credentials, \
                     updated_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (gateway) DO UPDATE SET \
                     enabled = excluded.enabled, configuration = excluded.configuration, \
                     credentials = excluded.credentials, updated_at = excluded.updated_at",
                    [
                        text(change.gateway.as_str()),
                        Value::from(change.enabled),
                        codec.json(&change.configuration),
                        codec.json(&sealed),
                        codec.at(at),
                    ],
                ),
            )
            .await?;
            let record = AuditRecord::payment_system_saved(
                before.as_ref().map(|(system, _)| system),
                &change,
            );
            insert_audit(tx, codec, &record, &context, at).await?;
            Ok(system)
        })
        .await
    }

    async fn payment_system_credentials(
        &self,
        gateway: GatewayName,
    ) -> Result<BTreeMap<String, Secret>, StoreError> {
        let (_, stored) = read_payment_system(&self.db, self.codec, &gateway)
            .await?
            .ok_or(StoreError::NotFound {
                entity: kasa_ports::Entity::PaymentSystem,
            })?;
        Ok(open_all(self.key(), gateway.as_str(), &stored)?)
    }

    async fn save_billing_settings(
        &self,
        settings: BillingSettings,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.in_transaction(async |tx, codec| {
            let before = read_billing(tx, codec).await?;
            write_section(tx, codec, BILLING, &settings, at).await?;
            let record = AuditRecord::billing_settings_saved(before.as_ref(), &settings);
            insert_audit(tx, codec, &record, &context, at).await
        })
        .await
    }

    async fn logo(&self) -> Result<Option<Logo>, StoreError> {
        read_section(&self.db, self.codec, LOGO).await
    }

    async fn save_logo(
        &self,
        logo: Option<Logo>,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.in_transaction(async |tx, codec| {
            let before: Option<Logo> = read_section(tx, codec, LOGO).await?;
            match &logo {
                Some(logo) => write_section(tx, codec, LOGO, logo, at).await?,
                None => {
                    execute(
                        tx,
                        codec.statement("DELETE FROM settings WHERE section = $1", [text(LOGO)]),
                    )
                    .await?;
                }
            }
            let record = AuditRecord::logo_saved(before.as_ref(), logo.as_ref());
            insert_audit(tx, codec, &record, &context, at).await
        })
        .await
    }
}
