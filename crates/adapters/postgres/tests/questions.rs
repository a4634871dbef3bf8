//! Customers' questions on every store: the contract on memory, SQLite and PostgreSQL.

mod support;

use std::sync::Arc;

use kasa_postgres::{SecretsKey, SqlStore};
use kasa_testkit::MemoryStore;
use kasa_testkit::contract::questions::questions_are_recorded_with_their_mail_and_ticket_at_once;

fn sealing(store: &Arc<SqlStore>) -> Arc<SqlStore> {
    Arc::new(
        (**store)
            .clone()
            .with_secrets_key(Some(SecretsKey::generate().unwrap())),
    )
}

#[tokio::test]
async fn the_memory_store_keeps_the_contract() {
    questions_are_recorded_with_their_mail_and_ticket_at_once(Arc::new(MemoryStore::new())).await;
}

#[tokio::test]
async fn sqlite_keeps_the_contract() {
    let Some((store, _guard)) = support::fresh_sqlite_store().await else {
        return;
    };
    questions_are_recorded_with_their_mail_and_ticket_at_once(sealing(&store)).await;
}

#[tokio::test]
async fn postgres_keeps_the_contract() {
    let Some((store, _guard)) = support::fresh_postgres_store().await else {
        return;
    };
    questions_are_recorded_with_their_mail_and_ticket_at_once(sealing(&store)).await;
}
