//! Migrations apply forward from empty on both backends, once.

mod support;

use kasa_postgres::SqlStore;

async fn applies_once(store: &SqlStore) {
    assert!(
        store.pending_migrations().await.unwrap().is_empty(),
        "the fresh store is fully migrated"
    );
    assert!(
        store.migrate().await.unwrap().is_empty(),
        "migrating again applies nothing"
    );
    store.ping().await.unwrap();
}

#[tokio::test]
async fn sqlite_migrates_from_empty_once() {
    let (store, _file) = support::fresh_sqlite_store().await.unwrap();
    applies_once(&store).await;
}

#[tokio::test]
async fn postgres_migrates_from_empty_once() {
    let Some((store, _schema)) = support::fresh_postgres_store().await else {
        return;
    };
    applies_once(&store).await;
}

#[tokio::test]
async fn an_unknown_database_url_is_refused_clearly() {
    let error = SqlStore::connect(&kasa_postgres::StoreConfig::new("mysql://localhost/kasa"))
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("postgres:// or sqlite:"),
        "{error}"
    );
}
