//! The help-desk outbox on every store: the contract on memory, SQLite and PostgreSQL.

mod support;

use std::sync::Arc;

use kasa_postgres::{SecretsKey, SqlStore};
use kasa_testkit::MemoryStore;
use kasa_testkit::contract::help_desk_calls::{
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
