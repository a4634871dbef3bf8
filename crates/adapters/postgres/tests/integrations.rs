//! Help-desk integrations on every store: the contract on memory, SQLite and PostgreSQL; on the
//! SQL stores the secret is sealed in its column and nothing is stored without a secrets key.

mod support;

use std::sync::Arc;

use kasa_domain::{FrameOrigin, IntegrationId, IntegrationKind};
use kasa_ports::{Integration, IntegrationStore, Secret, StoreError};
use kasa_postgres::{SecretsKey, SqlStore};
use kasa_testkit::contract::integrations::an_integration_keeps_its_secret_and_is_revoked_once;
use kasa_testkit::contract::zendesk_apps::a_zendesk_app_is_set_replaced_and_audited;
use kasa_testkit::{MemoryStore, TestBilling, agent_context};
use sea_orm::{ConnectionTrait, Statement};

#[tokio::test]
async fn the_memory_store_keeps_the_contract() {
    an_integration_keeps_its_secret_and_is_revoked_once(Arc::new(MemoryStore::new())).await;
    a_zendesk_app_is_set_replaced_and_audited(Arc::new(MemoryStore::new())).await;
}

async fn sealed_on(store: Arc<SqlStore>) {
    let key = SecretsKey::generate().unwrap();
    let without_key = (*store).clone().with_secrets_key(None);
    let integration = Integration {
        id: IntegrationId::from(uuid::Uuid::now_v7()),
        name: "Desk".to_owned(),
        kind: IntegrationKind::Custom,
        allowed_origins: vec![FrameOrigin::parse("https://desk.example").unwrap()],
        created_at: TestBilling::START,
        revoked_at: None,
    };
    assert!(matches!(
        without_key
            .create_integration(
                integration.clone(),
                Secret::new("kasa_panel_x"),
                agent_context("t")
            )
            .await,
        Err(StoreError::Unavailable(_))
    ));
    assert!(without_key.integrations().await.unwrap().is_empty());

    let sealing = Arc::new((*store).clone().with_secrets_key(Some(key)));
    an_integration_keeps_its_secret_and_is_revoked_once(sealing.clone()).await;
    a_zendesk_app_is_set_replaced_and_audited(sealing.clone()).await;
    let connection = sealing.connection();
    let rows = connection
        .query_all_raw(Statement::from_string(
            connection.get_database_backend(),
            "SELECT sealed_secret FROM integrations",
        ))
        .await
        .unwrap();
    for row in rows {
        let sealed: String = row.try_get("", "sealed_secret").unwrap();
        assert!(sealed.starts_with("v1:"), "{sealed}");
        assert!(!sealed.contains("contract-secret"), "stored in clear");
    }
    let other_key = (*store)
        .clone()
        .with_secrets_key(Some(SecretsKey::generate().unwrap()));
    let listed = other_key.integrations().await.unwrap();
    assert!(matches!(
        other_key.integration_with_secret(listed[0].id).await,
        Err(StoreError::Unavailable(_))
    ));
}

#[tokio::test]
async fn sqlite_seals_the_secret() {
    let Some((store, _guard)) = support::fresh_sqlite_store().await else {
        return;
    };
    sealed_on(store).await;
}

#[tokio::test]
async fn postgres_seals_the_secret() {
    let Some((store, _guard)) = support::fresh_postgres_store().await else {
        return;
    };
    sealed_on(store).await;
}
