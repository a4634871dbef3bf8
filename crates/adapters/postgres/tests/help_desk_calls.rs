//! The help-desk outbox on every store: the contract on memory, SQLite and PostgreSQL.

mod support;

use std::sync::Arc;

use sea_orm::{ConnectionTrait, Statement};

use kasa_ports::{HelpDeskConnectionStore, IntegrationStore, StoreError};
use kasa_postgres::{SecretsKey, SqlStore};
use kasa_testkit::MemoryStore;
use kasa_testkit::contract::help_desk_calls::{
    a_connection_keeps_its_secret_out_of_the_audit_log,
    concurrent_queueing_of_one_key_queues_it_once,
    help_desk_calls_are_queued_once_and_delivered_once,
};

fn sealing(store: &Arc<SqlStore>) -> Arc<SqlStore> {
    Arc::new(
        (**store)
            .clone()
            .with_secrets_key(Some(SecretsKey::generate().unwrap())),
    )
}

#[tokio::test]
async fn the_memory_store_keeps_the_contract() {
    help_desk_calls_are_queued_once_and_delivered_once(Arc::new(MemoryStore::new())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_memory_store_queues_a_key_once_under_concurrency() {
    concurrent_queueing_of_one_key_queues_it_once(Arc::new(MemoryStore::new())).await;
}

#[tokio::test]
async fn sqlite_keeps_the_contract() {
    let Some((store, _guard)) = support::fresh_sqlite_store().await else {
        return;
    };
    help_desk_calls_are_queued_once_and_delivered_once(sealing(&store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_queues_a_key_once_under_concurrency() {
    let Some((store, _guard)) = support::fresh_sqlite_store().await else {
        return;
    };
    concurrent_queueing_of_one_key_queues_it_once(sealing(&store)).await;
}

#[tokio::test]
async fn postgres_keeps_the_contract() {
    let Some((store, _guard)) = support::fresh_postgres_store().await else {
        return;
    };
    help_desk_calls_are_queued_once_and_delivered_once(sealing(&store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_queues_a_key_once_under_concurrency() {
    let Some((store, _guard)) = support::fresh_postgres_store().await else {
        return;
    };
    concurrent_queueing_of_one_key_queues_it_once(sealing(&store)).await;
}

#[tokio::test]
async fn the_memory_store_keeps_connections() {
    a_connection_keeps_its_secret_out_of_the_audit_log(Arc::new(MemoryStore::new())).await;
}

async fn sealed_connection_on(store: Arc<SqlStore>) {
    let sealing = sealing(&store);
    a_connection_keeps_its_secret_out_of_the_audit_log(sealing.clone()).await;
    let connection = sealing.connection();
    let rows = connection
        .query_all_raw(Statement::from_string(
            connection.get_database_backend(),
            "SELECT sealed_secret FROM help_desk_connections",
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let sealed: String = rows[0].try_get("", "sealed_secret").unwrap();
    assert!(sealed.starts_with("v1:"), "{sealed}");
    assert!(!sealed.contains("zendesk-token"), "stored in clear");
    let without_key = (*store).clone().with_secrets_key(None);
    let integrations = without_key.integrations().await.unwrap();
    assert!(matches!(
        without_key
            .help_desk_connection_with_secret(integrations[0].id)
            .await,
        Err(StoreError::Unavailable(_))
    ));
}

#[tokio::test]
async fn sqlite_seals_connections() {
    let Some((store, _guard)) = support::fresh_sqlite_store().await else {
        return;
    };
    sealed_connection_on(store).await;
}

#[tokio::test]
async fn postgres_seals_connections() {
    let Some((store, _guard)) = support::fresh_postgres_store().await else {
        return;
    };
    sealed_connection_on(store).await;
}
