//! Integrations' help-desk API connections: the secret (API token, API key, app secret) sealed
//! under the secrets key (ADR 0008), bound to the integration's id, never stored in clear or
//! written to the audit log.

use async_trait::async_trait;
use kasa_domain::IntegrationId;
use kasa_ports::{ActionContext, HelpDeskConnection, HelpDeskConnectionStore, Secret, StoreError};

use crate::SqlStore;
use crate::codec::{Row, id, opt_text, text};
use crate::rows::{execute, fetch_one, insert_audit};
use crate::secrets::{open, seal, unsealable};

/// What a sealed connection secret is bound to, beside its integration's id.
pub(crate) const SEALED_AS: &str = "help-desk-connection";

/// Where the connection secrets are (the start-up check and the key rotation walk it).
pub(crate) const SEALED: crate::integrations::SealedSecrets = crate::integrations::SealedSecrets {
    sealed_as: SEALED_AS,
    table: "help_desk_connections",
    id_column: "integration_id",
    secret_column: "sealed_secret",
};

const COLUMNS: &str = "base_url, login, mailbox, updated_at";

fn connection(row: &Row<'_>) -> Result<HelpDeskConnection, StoreError> {
    Ok(HelpDeskConnection {
        base_url: row.text("base_url")?,
        login: row.opt_text("login")?,
        mailbox: row.opt_text("mailbox")?,
        updated_at: row.at("updated_at")?,
    })
}

#[async_trait]
impl HelpDeskConnectionStore for SqlStore {
    async fn save_help_desk_connection(
        &self,
        integration: IntegrationId,
        saved: HelpDeskConnection,
        secret: Secret,
        context: ActionContext,
    ) -> Result<(), StoreError> {
        let key = self.secrets_key.as_deref().ok_or_else(|| {
            StoreError::Unavailable(
                "no secrets key is configured: help-desk credentials are stored only encrypted"
                    .to_owned(),
            )
        })?;
        let sealed = seal(key, SEALED_AS, &integration.to_string(), secret.expose())
            .map_err(unsealable("a help-desk connection secret"))?;
        self.in_transaction(async |tx, codec| {
            fetch_one(
                tx,
                codec.statement(
                    "SELECT id FROM integrations WHERE id = $1",
                    [id(integration)],
                ),
            )
            .await?
            .ok_or(StoreError::NotFound {
                entity: kasa_ports::Entity::Integration,
            })?;
            let before = fetch_one(
                tx,
                codec.statement(
                    &format!(
                        "SELECT {COLUMNS} FROM help_desk_connections WHERE integration_id = $1"
                    ),
                    [id(integration)],
                ),
            )
            .await?
            .map(|row| connection(&codec.row(&row)))
            .transpose()?;
            let values = [
                id(integration),
                text(saved.base_url.clone()),
                opt_text(saved.login.clone()),
                opt_text(saved.mailbox.clone()),
                text(sealed),
                codec.at(saved.updated_at),
            ];
            let sql = if before.is_some() {
                "UPDATE help_desk_connections SET base_url = $2, login = $3, mailbox = $4, \
                 sealed_secret = $5, updated_at = $6 WHERE integration_id = $1"
            } else {
                "INSERT INTO help_desk_connections (integration_id, base_url, login, mailbox, \
                 sealed_secret, updated_at) VALUES ($1, $2, $3, $4, $5, $6)"
            };
            execute(tx, codec.statement(sql, values)).await?;
            insert_audit(
                tx,
                codec,
                &saved.audit_record(integration, before.as_ref()),
                &context,
                saved.updated_at,
            )
            .await
        })
        .await
    }

    async fn help_desk_connection(
        &self,
        integration: IntegrationId,
    ) -> Result<Option<HelpDeskConnection>, StoreError> {
        let codec = self.codec;
        fetch_one(
            &self.db,
            codec.statement(
                &format!("SELECT {COLUMNS} FROM help_desk_connections WHERE integration_id = $1"),
                [id(integration)],
            ),
        )
        .await?
        .map(|row| connection(&codec.row(&row)))
        .transpose()
    }

    async fn help_desk_connection_with_secret(
        &self,
        integration: IntegrationId,
    ) -> Result<(HelpDeskConnection, Secret), StoreError> {
        let codec = self.codec;
        let row = fetch_one(
            &self.db,
            codec.statement(
                &format!(
                    "SELECT {COLUMNS}, sealed_secret FROM help_desk_connections \
                     WHERE integration_id = $1"
                ),
                [id(integration)],
            ),
        )
        .await?
        .ok_or(StoreError::NotFound {
            entity: kasa_ports::Entity::HelpDeskConnection,
        })?;
        let row = codec.row(&row);
        let found = connection(&row)?;
        let secret = open(
            self.secrets_key.as_deref(),
            SEALED_AS,
            &integration.to_string(),
            &row.text("sealed_secret")?,
        )
        .map_err(unsealable("a help-desk connection secret"))?;
        Ok((found, Secret::new(secret)))
    }
}
