//! Help-desk event settings on every store: the contract on memory, SQLite and PostgreSQL; on
//! the SQL stores the webhook secret is sealed in its column and nothing is stored without a
//! secrets key.

mod support;

use std::sync::Arc;

use kasa_domain::{FrameOrigin, IntegrationId, IntegrationKind};
use kasa_ports::{HelpDeskEventStore, Integration, IntegrationStore, Secret, StoreError};
use kasa_postgres::{SecretsKey, SqlStore};
use kasa_testkit::contract::help_desk_events::webhook_secrets_mappings_and_deliveries;
use kasa_testkit::{MemoryStore, TestBilling, agent_context};
use sea_orm::{ConnectionTrait, Statement};

#[tokio::test]
async fn the_memory_store_keeps_the_contract() {
    webhook_secrets_mappings_and_deliveries(Arc::new(MemoryStore::new())).await;
}

async fn sealed_on(store: Arc<SqlStore>) {
    let key = SecretsKey::generate().unwrap();
    let sealing = Arc::new((*store).clone().with_secrets_key(Some(key)));
    webhook_secrets_mappings_and_deliveries(sealing.clone()).await;
    let connection = sealing.connection();
    let rows = connection
        .query_all_raw(Statement::from_string(
            connection.get_database_backend(),
            "SELECT sealed_webhook_secret FROM help_desk_event_settings",
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    for row in rows {
        let sealed: String = row.try_get("", "sealed_webhook_secret").unwrap();
        assert!(sealed.starts_with("v1:"), "{sealed}");
        assert!(!sealed.contains("never-audited"), "stored in clear");
    }

    let integration = Integration {
        id: IntegrationId::from(uuid::Uuid::now_v7()),
        name: "Desk".to_owned(),
        kind: IntegrationKind::Custom,
        allowed_origins: vec![FrameOrigin::parse("https://desk.example").unwrap()],
        created_at: TestBilling::START,
        revoked_at: None,
    };
    sealing
        .create_integration(
            integration.clone(),
            Secret::new("kasa_panel_y"),
            agent_context("t"),
        )
        .await
        .unwrap();
    let without_key = (*store).clone().with_secrets_key(None);
    assert!(matches!(
        without_key
            .set_webhook_secret(
                integration.id,
                Secret::new("kasa_whsec_x"),
                agent_context("t"),
                TestBilling::START
            )
            .await,
        Err(StoreError::Unavailable(_))
    ));
    sealing
        .set_webhook_secret(
            integration.id,
            Secret::new("kasa_whsec_x"),
            agent_context("t"),
            TestBilling::START,
        )
        .await
        .unwrap();
    let new_key = SecretsKey::generate().unwrap();
    let other_key = (*store).clone().with_secrets_key(Some(new_key.clone()));
    assert!(matches!(
        other_key.help_desk_event_settings(integration.id).await,
        Err(StoreError::Unavailable(_))
    ));

    // The start-up check opens the webhook secrets; a key rotation seals them anew.
    let checked = sealing.check_credentials().await.unwrap();
    assert_eq!(checked.sealed["help-desk-webhook"].len(), 2, "{checked:?}");
    assert!(checked.unreadable.is_empty());
    let rotation = sealing
        .rotate_secrets_key(&new_key, agent_context("rotate"), TestBilling::START)
        .await
        .unwrap();
    assert_eq!(rotation.credentials["help-desk-webhook"].len(), 2);
    let (_, opened) = other_key
        .help_desk_event_settings(integration.id)
        .await
        .unwrap();
    assert_eq!(opened.unwrap().expose(), "kasa_whsec_x");
    assert!(matches!(
        sealing.help_desk_event_settings(integration.id).await,
        Err(StoreError::Unavailable(_))
    ));
}

#[tokio::test]
async fn sqlite_seals_the_webhook_secret() {
    let Some((store, _guard)) = support::fresh_sqlite_store().await else {
        return;
    };
    sealed_on(store).await;
}

#[tokio::test]
async fn postgres_seals_the_webhook_secret() {
    let Some((store, _guard)) = support::fresh_postgres_store().await else {
        return;
    };
    sealed_on(store).await;
}
