//! Settings: one JSON document per section.

use async_trait::async_trait;
use kasa_ports::{ActionContext, AuditRecord, BillingSettings, SettingsStore, StoreError};
use sea_orm::ConnectionTrait;
use time::OffsetDateTime;

use crate::SqlStore;
use crate::codec::{Codec, text};
use crate::rows::{execute, fetch_one, insert_audit};

const BILLING: &str = "billing";

async fn read_billing(
    connection: &impl ConnectionTrait,
    codec: Codec,
) -> Result<Option<BillingSettings>, StoreError> {
    match fetch_one(
        connection,
        codec.statement(
            "SELECT value FROM settings WHERE section = $1",
            [text(BILLING)],
        ),
    )
    .await?
    {
        Some(row) => codec.row(&row).json("value").map(Some),
        None => Ok(None),
    }
}

#[async_trait]
impl SettingsStore for SqlStore {
    async fn billing_settings(&self) -> Result<BillingSettings, StoreError> {
        Ok(read_billing(&self.db, self.codec)
            .await?
            .unwrap_or_default())
    }

    async fn save_billing_settings(
        &self,
        settings: BillingSettings,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.in_transaction(async |tx, codec| {
            let before = read_billing(tx, codec).await?;
            execute(
                tx,
                codec.statement(
                    "INSERT INTO settings (section, value, updated_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (section) DO UPDATE SET value = excluded.value, \
                     updated_at = excluded.updated_at",
                    [text(BILLING), codec.json(&settings), codec.at(at)],
                ),
            )
            .await?;
            let record = AuditRecord::billing_settings_saved(before.as_ref(), &settings);
            insert_audit(tx, codec, &record, &context, at).await
        })
        .await
    }
}
