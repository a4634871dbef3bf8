//! Outgoing webhooks on every store: the contract on memory, SQLite and PostgreSQL, and the
//! endpoints' secrets sealed at rest.

mod support;

use std::sync::Arc;

use sea_orm::{ConnectionTrait, Statement};

use kasa_postgres::{SecretsKey, SqlStore};
use kasa_testkit::MemoryStore;
use kasa_testkit::contract::webhooks::{
    a_paid_payment_request_is_reported, balance_refusal_and_ending_soon_events_are_queued_once,
    webhook_events_are_queued_with_their_facts_and_delivered_once,
};

fn sealing(store: &Arc<SqlStore>) -> Arc<SqlStore> {
    Arc::new(
        (**store)
            .clone()
            .with_secrets_key(Some(SecretsKey::generate().unwrap())),
    )
}

async fn sealed_on(store: &Arc<SqlStore>) {
    let sealing = sealing(store);
    webhook_events_are_queued_with_their_facts_and_delivered_once(sealing.clone()).await;
    let connection = sealing.connection();
    let rows = connection
        .query_all_raw(Statement::from_string(
            connection.get_database_backend(),
            "SELECT sealed_secret FROM webhook_endpoints",
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    for row in rows {
        let sealed: String = row.try_get("", "sealed_secret").unwrap();
        assert!(sealed.starts_with("v1:"), "{sealed}");
        assert!(!sealed.contains("whsec"), "stored in clear");
    }
}

#[tokio::test]
async fn the_memory_store_keeps_the_contract() {
    webhook_events_are_queued_with_their_facts_and_delivered_once(Arc::new(MemoryStore::new()))
        .await;
    a_paid_payment_request_is_reported(Arc::new(MemoryStore::new())).await;
}

#[tokio::test]
async fn sqlite_keeps_the_contract_and_seals_secrets() {
    let Some((store, _guard)) = support::fresh_sqlite_store().await else {
        return;
    };
    sealed_on(&store).await;
}

#[tokio::test]
async fn postgres_keeps_the_contract_and_seals_secrets() {
    let Some((store, _guard)) = support::fresh_postgres_store().await else {
        return;
    };
    sealed_on(&store).await;
}

#[tokio::test]
async fn sqlite_reports_a_paid_request() {
    let Some((store, _guard)) = support::fresh_sqlite_store().await else {
        return;
    };
    a_paid_payment_request_is_reported(sealing(&store)).await;
}

#[tokio::test]
async fn postgres_reports_a_paid_request() {
    let Some((store, _guard)) = support::fresh_postgres_store().await else {
        return;
    };
    a_paid_payment_request_is_reported(sealing(&store)).await;
}

#[tokio::test]
async fn the_memory_store_reports_balances_refusals_and_endings() {
    balance_refusal_and_ending_soon_events_are_queued_once(Arc::new(MemoryStore::new())).await;
}

#[tokio::test]
async fn sqlite_reports_balances_refusals_and_endings() {
    let Some((store, _guard)) = support::fresh_sqlite_store().await else {
        return;
    };
    balance_refusal_and_ending_soon_events_are_queued_once(sealing(&store)).await;
}

#[tokio::test]
async fn postgres_reports_balances_refusals_and_endings() {
    let Some((store, _guard)) = support::fresh_postgres_store().await else {
        return;
    };
    balance_refusal_and_ending_soon_events_are_queued_once(sealing(&store)).await;
}
