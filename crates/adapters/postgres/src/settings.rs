//! Settings: one JSON document per section, and payment systems (whose credentials only
//! [`SettingsStore::payment_system_credentials`] returns).

use async_trait::async_trait;
use std::collections::BTreeMap;

use kasa_ports::{
    ActionContext, AuditRecord, BillingSettings, GatewayName, Logo, PaymentSystem,
    PaymentSystemChange, Secret, SettingsStore, StoreError,
};
use sea_orm::{ConnectionTrait, Value};
use time::OffsetDateTime;

use crate::SqlStore;
use crate::codec::{Codec, Row, text};
use crate::rows::{execute, fetch_all, fetch_one, insert_audit};

const BILLING: &str = "billing";
const LOGO: &str = "logo";

async fn read_section<T: serde::de::DeserializeOwned>(
    connection: &impl ConnectionTrait,
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
    connection: &impl ConnectionTrait,
    codec: Codec,
) -> Result<Option<BillingSettings>, StoreError> {
    read_section(connection, codec, BILLING).await
}

async fn write_section(
    connection: &impl ConnectionTrait,
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

fn payment_system(row: &Row<'_>) -> Result<(PaymentSystem, BTreeMap<String, Secret>), StoreError> {
    let credentials: BTreeMap<String, Secret> = row.json("credentials")?;
    let system = PaymentSystem {
        gateway: row.label("gateway")?,
        enabled: row.flag("enabled")?,
        configuration: row.json("configuration")?,
        credentials_set: credentials.keys().cloned().collect(),
    };
    Ok((system, credentials))
}

async fn read_payment_system(
    connection: &impl ConnectionTrait,
    codec: Codec,
    gateway: &GatewayName,
) -> Result<Option<(PaymentSystem, BTreeMap<String, Secret>)>, StoreError> {
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

#[async_trait]
impl SettingsStore for SqlStore {
    async fn billing_settings(&self) -> Result<BillingSettings, StoreError> {
        Ok(read_billing(&self.db, self.codec)
            .await?
            .unwrap_or_default())
    }

    async fn payment_systems(&self) -> Result<Vec<PaymentSystem>, StoreError> {
        let codec = self.codec;
        fetch_all(
            &self.db,
            codec.statement(
                "SELECT gateway, enabled, configuration, credentials FROM payment_systems \
                 ORDER BY gateway",
                [],
            ),
        )
        .await?
        .iter()
        .map(|row| payment_system(&codec.row(row)).map(|(system, _)| system))
        .collect()
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
            let credentials =
                change.merged_credentials(before.clone().map(|(_, old)| old).unwrap_or_default());
            let system = change.system(&credentials);
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
                        codec.json(&credentials),
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
        read_payment_system(&self.db, self.codec, &gateway)
            .await?
            .map(|(_, credentials)| credentials)
            .ok_or(StoreError::NotFound {
                entity: "payment system",
            })
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
