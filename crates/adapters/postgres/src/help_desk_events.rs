//! Help-desk event settings: the webhook secret sealed under the secrets key (ADR 0008), bound
//! to the integration's id, never stored in clear or written to the audit log; the department
//! mapping as JSON; the deliveries acted on, one row per signature.

use async_trait::async_trait;
use kasa_domain::IntegrationId;
use kasa_ports::{
    ActionContext, DepartmentMapping, HelpDeskEventSettings, HelpDeskEventStore, Secret, StoreError,
};
use time::OffsetDateTime;

use crate::SqlStore;
use crate::codec::{Codec, Row, id, text};
use crate::rows::{Connection, execute, fetch_one, insert_audit};
use crate::secrets::{open, seal, unsealable};

/// What a sealed webhook secret is bound to, beside the integration's id.
pub(crate) const SEALED_AS: &str = "help-desk-webhook";

/// Where the webhook secrets are (the start-up check and the key rotation walk it).
pub(crate) const SEALED: crate::integrations::SealedSecrets = crate::integrations::SealedSecrets {
    sealed_as: SEALED_AS,
    table: "help_desk_event_settings",
    id_column: "integration_id",
    secret_column: "sealed_webhook_secret",
};

fn settings(
    integration_id: IntegrationId,
    row: &Row<'_>,
) -> Result<HelpDeskEventSettings, StoreError> {
    Ok(HelpDeskEventSettings {
        integration_id,
        mappings: row.json::<Vec<DepartmentMapping>>("department_mappings")?,
        secret_set_at: row.opt_at("secret_set_at")?,
    })
}

/// The settings row (and its sealed secret), if there is one.
async fn stored(
    connection: &impl Connection,
    codec: Codec,
    integration_id: IntegrationId,
) -> Result<Option<(HelpDeskEventSettings, Option<String>)>, StoreError> {
    let Some(row) = fetch_one(
        connection,
        codec.statement(
            "SELECT department_mappings, secret_set_at, sealed_webhook_secret \
             FROM help_desk_event_settings WHERE integration_id = $1",
            [id(integration_id)],
        ),
    )
    .await?
    else {
        return Ok(None);
    };
    let row = codec.row(&row);
    Ok(Some((
        settings(integration_id, &row)?,
        row.opt_text("sealed_webhook_secret")?,
    )))
}

async fn integration_exists(
    connection: &impl Connection,
    codec: Codec,
    integration_id: IntegrationId,
) -> Result<(), StoreError> {
    fetch_one(
        connection,
        codec.statement(
            "SELECT id FROM integrations WHERE id = $1",
            [id(integration_id)],
        ),
    )
    .await?
    .map(|_| ())
    .ok_or(StoreError::NotFound {
        entity: kasa_ports::Entity::Integration,
    })
}

/// Writes the settings row (insert or replace) with this sealed secret.
async fn write(
    connection: &impl Connection,
    codec: Codec,
    settings: &HelpDeskEventSettings,
    sealed: Option<String>,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    // A typed NULL parameter differs per backend, so "no secret yet" is written as literals.
    let (secret_columns, mut values) = match (sealed, settings.secret_set_at) {
        (Some(sealed), Some(set_at)) => ("$4, $5", vec![text(sealed), codec.at(set_at)]),
        _ => ("NULL, NULL", Vec::new()),
    };
    let mut parameters = vec![
        id(settings.integration_id),
        codec.json(&settings.mappings),
        codec.at(at),
    ];
    parameters.append(&mut values);
    execute(
        connection,
        codec.statement(
            &format!(
                "INSERT INTO help_desk_event_settings (integration_id, department_mappings, \
                 updated_at, sealed_webhook_secret, secret_set_at) \
                 VALUES ($1, $2, $3, {secret_columns}) \
                 ON CONFLICT (integration_id) DO UPDATE SET \
                 sealed_webhook_secret = excluded.sealed_webhook_secret, \
                 secret_set_at = excluded.secret_set_at, \
                 department_mappings = excluded.department_mappings, \
                 updated_at = excluded.updated_at"
            ),
            parameters,
        ),
    )
    .await?;
    Ok(())
}

#[async_trait]
impl HelpDeskEventStore for SqlStore {
    async fn set_webhook_secret(
        &self,
        integration_id: IntegrationId,
        secret: Secret,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<HelpDeskEventSettings, StoreError> {
        let key = self.secrets_key.as_deref().ok_or_else(|| {
            StoreError::Unavailable(
                "no secrets key is configured: webhook secrets are stored only encrypted"
                    .to_owned(),
            )
        })?;
        let sealed = seal(key, SEALED_AS, &integration_id.to_string(), secret.expose())
            .map_err(unsealable("a help-desk webhook secret"))?;
        self.in_transaction(async |tx, codec| {
            integration_exists(tx, codec, integration_id).await?;
            let before = stored(tx, codec, integration_id)
                .await?
                .map(|(settings, _)| settings);
            let mut after = before
                .clone()
                .unwrap_or_else(|| HelpDeskEventSettings::empty(integration_id));
            after.secret_set_at = Some(at);
            write(tx, codec, &after, Some(sealed), at).await?;
            let record = after.audit_record("integration.webhook_secret_set", before.as_ref());
            insert_audit(tx, codec, &record, &context, at).await?;
            Ok(after)
        })
        .await
    }

    async fn set_department_mappings(
        &self,
        integration_id: IntegrationId,
        mappings: Vec<DepartmentMapping>,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<HelpDeskEventSettings, StoreError> {
        self.in_transaction(async |tx, codec| {
            integration_exists(tx, codec, integration_id).await?;
            let (before, sealed) = match stored(tx, codec, integration_id).await? {
                Some((settings, sealed)) => (Some(settings), sealed),
                None => (None, None),
            };
            let mut after = before
                .clone()
                .unwrap_or_else(|| HelpDeskEventSettings::empty(integration_id));
            after.mappings = mappings;
            write(tx, codec, &after, sealed, at).await?;
            let record = after.audit_record("integration.department_mapping_set", before.as_ref());
            insert_audit(tx, codec, &record, &context, at).await?;
            Ok(after)
        })
        .await
    }

    async fn help_desk_event_settings(
        &self,
        integration_id: IntegrationId,
    ) -> Result<(HelpDeskEventSettings, Option<Secret>), StoreError> {
        let Some((settings, sealed)) = stored(&self.db, self.codec, integration_id).await? else {
            return Ok((HelpDeskEventSettings::empty(integration_id), None));
        };
        let secret = sealed
            .map(|sealed| {
                open(
                    self.secrets_key.as_deref(),
                    SEALED_AS,
                    &integration_id.to_string(),
                    &sealed,
                )
                .map(Secret::new)
                .map_err(unsealable("a help-desk webhook secret"))
            })
            .transpose()?;
        Ok((settings, secret))
    }

    async fn record_help_desk_delivery(
        &self,
        integration_id: IntegrationId,
        fingerprint: String,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        self.in_transaction(async |tx, codec| {
            integration_exists(tx, codec, integration_id).await?;
            let inserted = execute(
                tx,
                codec.statement(
                    "INSERT INTO help_desk_deliveries (integration_id, fingerprint, received_at) \
                     VALUES ($1, $2, $3) ON CONFLICT (integration_id, fingerprint) DO NOTHING",
                    [id(integration_id), text(fingerprint.clone()), codec.at(at)],
                ),
            )
            .await?;
            Ok(inserted > 0)
        })
        .await
    }

    async fn help_desk_delivery_seen(
        &self,
        integration_id: IntegrationId,
        fingerprint: String,
    ) -> Result<bool, StoreError> {
        let codec = self.codec;
        Ok(fetch_one(
            &self.db,
            codec.statement(
                "SELECT 1 AS seen FROM help_desk_deliveries \
                 WHERE integration_id = $1 AND fingerprint = $2",
                [id(integration_id), text(fingerprint)],
            ),
        )
        .await?
        .is_some())
    }
}
