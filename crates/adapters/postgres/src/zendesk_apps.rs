//! Each integration's Zendesk app: the public key and installation its signed-URL tokens are
//! checked against (not secrets, so kept in clear).

use async_trait::async_trait;
use kasa_domain::IntegrationId;
use kasa_ports::{ActionContext, HelpDeskAppStore, StoreError, ZendeskApp};
use time::OffsetDateTime;

use crate::SqlStore;
use crate::codec::{Codec, Row, id, text};
use crate::rows::{execute, fetch_one, insert_audit};

fn zendesk_app(row: &Row<'_>) -> Result<ZendeskApp, StoreError> {
    Ok(ZendeskApp {
        public_key_pem: row.text("public_key_pem")?,
        audience: row.text("audience")?,
    })
}

async fn read(
    connection: &impl crate::rows::Connection,
    codec: Codec,
    integration: IntegrationId,
) -> Result<Option<ZendeskApp>, StoreError> {
    fetch_one(
        connection,
        codec.statement(
            "SELECT public_key_pem, audience FROM integration_zendesk_apps \
             WHERE integration_id = $1",
            [id(integration)],
        ),
    )
    .await?
    .map(|row| zendesk_app(&codec.row(&row)))
    .transpose()
}

#[async_trait]
impl HelpDeskAppStore for SqlStore {
    async fn set_zendesk_app(
        &self,
        integration: IntegrationId,
        app: ZendeskApp,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
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
            let before = read(tx, codec, integration).await?;
            execute(
                tx,
                codec.statement(
                    "INSERT INTO integration_zendesk_apps (integration_id, public_key_pem, \
                     audience, updated_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (integration_id) DO UPDATE SET \
                     public_key_pem = excluded.public_key_pem, audience = excluded.audience, \
                     updated_at = excluded.updated_at",
                    [
                        id(integration),
                        text(app.public_key_pem.clone()),
                        text(app.audience.clone()),
                        codec.at(at),
                    ],
                ),
            )
            .await?;
            let record = app.audit_record(integration, before.as_ref());
            insert_audit(tx, codec, &record, &context, at).await
        })
        .await
    }

    async fn zendesk_app(
        &self,
        integration: IntegrationId,
    ) -> Result<Option<ZendeskApp>, StoreError> {
        read(&self.db, self.codec, integration).await
    }
}
