//! Help-desk integrations: their secrets are sealed under the secrets key (ADR 0008), bound to
//! the integration's id, and never stored in clear or written to the audit log.

use async_trait::async_trait;
use kasa_domain::{FrameOrigin, IntegrationId};
use kasa_ports::{ActionContext, Integration, IntegrationStore, Secret, StoreError};
use time::OffsetDateTime;

use crate::SqlStore;
use crate::codec::{Row, corrupt, id, text};
use crate::rows::{execute, execute_unique, fetch_all, fetch_one, insert_audit};
use crate::secrets::{open, seal, unsealable};

const COLUMNS: &str = "id, name, kind, allowed_origins, created_at, revoked_at";

/// What a sealed integration secret is bound to, beside its id (the "gateway" part of the
/// associated data of ADR 0008, which no payment system is named).
pub(crate) const SEALED_AS: &str = "panel-integration";

fn integration(row: &Row<'_>) -> Result<Integration, StoreError> {
    let allowed_origins: Vec<FrameOrigin> = row.json("allowed_origins")?;
    if allowed_origins.is_empty() {
        return Err(corrupt("an integration without an allowed origin"));
    }
    Ok(Integration {
        id: row.id("id")?,
        name: row.text("name")?,
        kind: row.text("kind")?.parse().map_err(corrupt)?,
        allowed_origins,
        created_at: row.at("created_at")?,
        revoked_at: row.opt_at("revoked_at")?,
    })
}

#[async_trait]
impl IntegrationStore for SqlStore {
    async fn create_integration(
        &self,
        integration: Integration,
        secret: Secret,
        context: ActionContext,
    ) -> Result<(), StoreError> {
        let key = self.secrets_key.as_deref().ok_or_else(|| {
            StoreError::Unavailable(
                "no secrets key is configured: integration secrets are stored only encrypted"
                    .to_owned(),
            )
        })?;
        let sealed = seal(key, SEALED_AS, &integration.id.to_string(), secret.expose())
            .map_err(unsealable("an integration secret"))?;
        self.in_transaction(async |tx, codec| {
            execute_unique(
                tx,
                codec.statement(
                    "INSERT INTO integrations (id, name, kind, allowed_origins, sealed_secret, \
                     created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                    [
                        id(integration.id),
                        text(integration.name.clone()),
                        text(integration.kind.name()),
                        codec.json(&integration.allowed_origins),
                        text(sealed),
                        codec.at(integration.created_at),
                    ],
                ),
                || "integration".to_owned(),
            )
            .await?;
            let record = integration.audit_record("integration.created");
            insert_audit(tx, codec, &record, &context, integration.created_at).await
        })
        .await
    }

    async fn integrations(&self) -> Result<Vec<Integration>, StoreError> {
        let codec = self.codec;
        fetch_all(
            &self.db,
            codec.statement(
                &format!("SELECT {COLUMNS} FROM integrations ORDER BY created_at DESC, id DESC"),
                [],
            ),
        )
        .await?
        .iter()
        .map(|row| integration(&codec.row(row)))
        .collect()
    }

    async fn integration_with_secret(
        &self,
        integration_id: IntegrationId,
    ) -> Result<(Integration, Secret), StoreError> {
        let codec = self.codec;
        let row = fetch_one(
            &self.db,
            codec.statement(
                &format!("SELECT {COLUMNS}, sealed_secret FROM integrations WHERE id = $1"),
                [id(integration_id)],
            ),
        )
        .await?
        .ok_or(StoreError::NotFound {
            entity: kasa_ports::Entity::Integration,
        })?;
        let row = codec.row(&row);
        let found = integration(&row)?;
        let secret = open(
            self.secrets_key.as_deref(),
            SEALED_AS,
            &integration_id.to_string(),
            &row.text("sealed_secret")?,
        )
        .map_err(unsealable("an integration secret"))?;
        Ok((found, Secret::new(secret)))
    }

    async fn revoke_integration(
        &self,
        integration_id: IntegrationId,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<Integration, StoreError> {
        self.in_transaction(async |tx, codec| {
            let changed = execute(
                tx,
                codec.statement(
                    "UPDATE integrations SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
                    [id(integration_id), codec.at(at)],
                ),
            )
            .await?;
            let row = fetch_one(
                tx,
                codec.statement(
                    &format!("SELECT {COLUMNS} FROM integrations WHERE id = $1"),
                    [id(integration_id)],
                ),
            )
            .await?
            .ok_or(StoreError::NotFound {
                entity: kasa_ports::Entity::Integration,
            })?;
            let revoked = integration(&codec.row(&row))?;
            if changed > 0 {
                insert_audit(
                    tx,
                    codec,
                    &revoked.audit_record("integration.revoked"),
                    &context,
                    at,
                )
                .await?;
            }
            Ok(revoked)
        })
        .await
    }
}

/// A table keeping one sealed secret per integration. The start-up check and the key rotation
/// walk [`SEALED_SECRETS`]; each store module names its own table there.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SealedSecrets {
    /// What the secret is sealed as (bound into the seal beside the integration's id).
    pub sealed_as: &'static str,
    /// The table.
    pub table: &'static str,
    /// Its integration id column.
    pub id_column: &'static str,
    /// Its sealed secret column (rows where it is null hold no secret).
    pub secret_column: &'static str,
}

/// Every table of integration secrets.
pub(crate) const SEALED_SECRETS: [SealedSecrets; 4] = [
    SealedSecrets {
        sealed_as: SEALED_AS,
        table: "integrations",
        id_column: "id",
        secret_column: "sealed_secret",
    },
    crate::help_desk_connections::SEALED,
    crate::help_desk_events::SEALED,
    crate::webhooks::SEALED,
];

impl SealedSecrets {
    /// Every integration id (text) and sealed secret of the table.
    pub(crate) async fn sealed(
        &self,
        connection: &impl crate::rows::Connection,
        codec: crate::codec::Codec,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let Self {
            table,
            id_column,
            secret_column,
            ..
        } = self;
        fetch_all(
            connection,
            codec.statement(
                &format!(
                    "SELECT {id_column}, {secret_column} FROM {table} \
                     WHERE {secret_column} IS NOT NULL ORDER BY {id_column}"
                ),
                [],
            ),
        )
        .await?
        .iter()
        .map(|row| {
            let row = codec.row(row);
            Ok((
                row.id::<IntegrationId>(id_column)?.to_string(),
                row.text(secret_column)?,
            ))
        })
        .collect()
    }

    /// Opens the secret sealed for the integration `id` (text), naming it when it does not open.
    pub(crate) fn open(
        &self,
        key: Option<&crate::SecretsKey>,
        id: &str,
        sealed: &str,
    ) -> Result<String, crate::UnreadableCredential> {
        open(key, self.sealed_as, id, sealed).map_err(|error| crate::UnreadableCredential {
            gateway: self.sealed_as.to_owned(),
            name: id.to_owned(),
            error,
        })
    }

    /// Seals every secret of the table anew under `new_key` inside the rotation's transaction
    /// (its rows locked first); returns the integration ids sealed and the key ids they were
    /// sealed under before.
    pub(crate) async fn reseal(
        &self,
        tx: &sea_orm::DatabaseTransaction,
        codec: crate::codec::Codec,
        key: Option<&crate::SecretsKey>,
        new_key: &crate::SecretsKey,
    ) -> Result<(Vec<String>, Vec<String>), crate::CredentialsError> {
        let Self {
            sealed_as,
            table,
            id_column,
            secret_column,
        } = *self;
        execute(
            tx,
            codec.statement(&format!("UPDATE {table} SET {id_column} = {id_column}"), []),
        )
        .await?;
        let mut ids = Vec::new();
        let mut previous = Vec::new();
        for (integration_id, sealed) in self.sealed(tx, codec).await? {
            let secret = self.open(key, &integration_id, &sealed)?;
            previous.extend(sealed.split(':').nth(1).map(str::to_owned));
            let resealed = seal(new_key, sealed_as, &integration_id, &secret).map_err(|error| {
                crate::UnreadableCredential {
                    gateway: sealed_as.to_owned(),
                    name: integration_id.clone(),
                    error,
                }
            })?;
            let uuid = integration_id
                .parse::<uuid::Uuid>()
                .map_err(|error| crate::CredentialsError::Store(corrupt(error)))?;
            execute(
                tx,
                codec.statement(
                    &format!("UPDATE {table} SET {secret_column} = $2 WHERE {id_column} = $1"),
                    [id(IntegrationId::from(uuid)), text(resealed)],
                ),
            )
            .await?;
            ids.push(integration_id);
        }
        Ok((ids, previous))
    }
}
