//! Migration 0042's backfill: an installation that issued documents before the revenue and tax
//! summaries existed gets them summed from its documents (PostgreSQL in SQL, SQLite in Rust),
//! equal to what issuing them would have written, on SQLite and the real PostgreSQL.

mod support;

use std::sync::Arc;

use kasa_ports::{BooksStore, ReportStore};
use kasa_postgres::SqlStore;
use sea_orm::ConnectionTrait;
use time::macros::datetime;

const STEP: &str = "m20261205_000042_document_summaries";

async fn the_backfill_equals_the_documents(store: Arc<SqlStore>) {
    kasa_testkit::contract::books::write_history(store.clone(), 3).await;
    let written = store.document_summary_check().await.unwrap();
    assert!(written.differences.is_empty(), "{written:?}");
    assert!(written.compared >= 4, "{written:?}");
    let hours = [(
        datetime!(2000-01-01 00:00 UTC),
        datetime!(2100-01-01 00:00 UTC),
    )];
    let revenue = store.revenue_totals(&hours).await.unwrap();
    let tax = store.tax_totals(&hours).await.unwrap();
    // As if the installation had never had the step: no summaries, the step not applied.
    for statement in [
        "DROP TABLE revenue_summary",
        "DROP TABLE tax_summary",
        "DROP INDEX invoices_in_register_order",
    ] {
        store
            .connection()
            .execute_unprepared(statement)
            .await
            .unwrap();
    }
    store
        .connection()
        .execute_unprepared(&format!(
            "DELETE FROM seaql_migrations WHERE version = '{STEP}'"
        ))
        .await
        .unwrap();
    assert_eq!(store.migrate().await.unwrap(), vec![STEP.to_owned()]);
    let backfilled = store.document_summary_check().await.unwrap();
    assert_eq!(backfilled, written);
    assert_eq!(store.revenue_totals(&hours).await.unwrap(), revenue);
    assert_eq!(store.tax_totals(&hours).await.unwrap(), tax);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_backfill_equals_the_documents_on_sqlite() {
    let Some((store, _file)) = support::fresh_sqlite_store().await else {
        return;
    };
    the_backfill_equals_the_documents(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_backfill_equals_the_documents_on_postgres() {
    let Some((store, _schema)) = support::fresh_postgres_store().await else {
        return;
    };
    the_backfill_equals_the_documents(store).await;
}
