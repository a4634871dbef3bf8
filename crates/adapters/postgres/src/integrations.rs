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
            entity: "integration",
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
                entity: "integration",
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

/// Every integration's id and sealed secret (for the start-up check and the key rotation).
pub(crate) async fn sealed_secrets(
    connection: &impl sea_orm::ConnectionTrait,
    codec: crate::codec::Codec,
) -> Result<Vec<(String, String)>, StoreError> {
    fetch_all(
        connection,
        codec.statement("SELECT id, sealed_secret FROM integrations ORDER BY id", []),
    )
    .await?
    .iter()
    .map(|row| {
        let row = codec.row(row);
        Ok((
            row.id::<IntegrationId>("id")?.to_string(),
            row.text("sealed_secret")?,
        ))
    })
    .collect()
}

/// Opens an integration's sealed secret (`id` as text), naming it when it does not open.
pub(crate) fn open_secret(
    key: Option<&crate::SecretsKey>,
    id: &str,
    sealed: &str,
) -> Result<String, crate::UnreadableCredential> {
    open_named(key, SEALED_AS, id, sealed)
}

/// Opens a secret sealed as `sealed_as` for the integration `id` (text), naming it when it does
/// not open.
pub(crate) fn open_named(
    key: Option<&crate::SecretsKey>,
    sealed_as: &str,
    id: &str,
    sealed: &str,
) -> Result<String, crate::UnreadableCredential> {
    open(key, sealed_as, id, sealed).map_err(|error| crate::UnreadableCredential {
        gateway: sealed_as.to_owned(),
        name: id.to_owned(),
        error,
    })
}

/// Seals every integration secret anew under `new_key` inside the rotation's transaction;
/// returns the ids sealed and the key ids they were sealed under before.
pub(crate) async fn reseal_secrets(
    tx: &sea_orm::DatabaseTransaction,
    codec: crate::codec::Codec,
    key: Option<&crate::SecretsKey>,
    new_key: &crate::SecretsKey,
) -> Result<(Vec<String>, Vec<String>), crate::CredentialsError> {
    execute(tx, codec.statement("UPDATE integrations SET id = id", [])).await?;
    let sealed = sealed_secrets(tx, codec).await?;
    reseal_each(
        tx,
        codec,
        (key, new_key),
        SEALED_AS,
        sealed,
        "UPDATE integrations SET sealed_secret = $2 WHERE id = $1",
    )
    .await
}

/// Opens each `(integration id, sealed)` secret sealed as `sealed_as` with the current key,
/// seals it under the new one and writes it with `update` (`$1` the id, `$2` the sealed text);
/// returns the ids and the key ids they were sealed under before.
pub(crate) async fn reseal_each(
    tx: &sea_orm::DatabaseTransaction,
    codec: crate::codec::Codec,
    (key, new_key): (Option<&crate::SecretsKey>, &crate::SecretsKey),
    sealed_as: &str,
    rows: Vec<(String, String)>,
    update: &str,
) -> Result<(Vec<String>, Vec<String>), crate::CredentialsError> {
    let mut ids = Vec::new();
    let mut previous = Vec::new();
    for (integration_id, sealed) in rows {
        let secret = open_named(key, sealed_as, &integration_id, &sealed)?;
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
            codec.statement(update, [id(IntegrationId::from(uuid)), text(resealed)]),
        )
        .await?;
        ids.push(integration_id);
    }
    Ok((ids, previous))
}
