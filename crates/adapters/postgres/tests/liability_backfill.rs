//! Migration 0043's backfill gives every ledger entry, document, holding and hour what writing
//! them gave: a random history is written through the use cases (valued as it goes), its
//! valuations, lots and summary are wiped, the backfill replays them, and the store's replay check
//! finds nothing while the summary's monthly totals are the same as before, on SQLite and PostgreSQL.

mod support;

use std::sync::Arc;

use kasa_ports::{BooksStore, LiabilityTotal, ReportStore};
use kasa_postgres::SqlStore;
use sea_orm::ConnectionTrait;
use time::macros::datetime;

/// The summary added up per month (Istanbul) of the history, and before it.
async fn liability(store: &SqlStore) -> Vec<LiabilityTotal> {
    store
        .liability_totals(&[
            (
                datetime!(2026-09-01 00:00 +03:00),
                datetime!(2026-10-01 00:00 +03:00),
            ),
            (
                datetime!(2026-10-01 00:00 +03:00),
                datetime!(2026-11-01 00:00 +03:00),
            ),
            (
                datetime!(2026-11-01 00:00 +03:00),
                datetime!(2026-12-01 00:00 +03:00),
            ),
        ])
        .await
        .expect("the totals")
}

async fn the_backfill_gives_what_writing_gave(store: Arc<SqlStore>, sqlite_url: Option<String>) {
    let sqlite = sqlite_url.is_some();
    kasa_testkit::contract::liability_summary::the_liability_summary_equals_the_replay_after_a_random_history(
        store.clone(),
    )
    .await;
    let written = liability(&store).await;
    assert!(written.len() > 4, "{written:?}");
    let wipe: &[&str] = if sqlite {
        &[
            "DROP TRIGGER credit_ledger_no_update",
            "DROP TRIGGER invoices_no_update",
            "UPDATE credit_ledger SET valuation = NULL",
            "UPDATE invoices SET valuation = NULL",
            "CREATE TRIGGER credit_ledger_no_update BEFORE UPDATE ON credit_ledger BEGIN \
             SELECT RAISE(ABORT, 'kasa: credit_ledger is append-only; UPDATE refused'); END",
            "CREATE TRIGGER invoices_no_update BEFORE UPDATE ON invoices BEGIN \
             SELECT RAISE(ABORT, 'kasa: invoices is append-only; UPDATE refused'); END",
            "UPDATE holdings SET credit_lots = '[]'",
            "DELETE FROM liability_summary",
        ]
    } else {
        &[
            "ALTER TABLE credit_ledger DISABLE TRIGGER credit_ledger_append_only",
            "ALTER TABLE invoices DISABLE TRIGGER invoices_append_only",
            "UPDATE credit_ledger SET valuation = NULL",
            "UPDATE invoices SET valuation = NULL",
            "ALTER TABLE credit_ledger ENABLE TRIGGER credit_ledger_append_only",
            "ALTER TABLE invoices ENABLE TRIGGER invoices_append_only",
            "UPDATE holdings SET credit_lots = '[]'",
            "DELETE FROM liability_summary",
        ]
    };
    // SQLite: one connection of its own, so the guards it lifts and restores are seen at once.
    let own = match &sqlite_url {
        Some(url) => Some(
            sea_orm::Database::connect(url.as_str())
                .await
                .expect("SQLite"),
        ),
        None => None,
    };
    let connection = own.as_ref().unwrap_or_else(|| store.connection());
    for statement in wipe {
        connection
            .execute_unprepared(statement)
            .await
            .unwrap_or_else(|error| panic!("{statement}: {error}"));
    }
    let wiped = store.liability_check().await.expect("the check");
    assert!(
        wiped.differences.len() > 10,
        "the wipe is seen: {:?}",
        wiped.differences.len()
    );
    kasa_migrations::backfill_liability(connection)
        .await
        .expect("the backfill");
    let check = store.liability_check().await.expect("the check");
    assert!(check.differences.is_empty(), "{:#?}", check.differences);
    assert_eq!(liability(&store).await, written);
}

#[tokio::test]
async fn sqlite_backfill_gives_what_writing_gave() {
    let (store, file) = support::fresh_sqlite_store().await.expect("SQLite");
    the_backfill_gives_what_writing_gave(store, Some(file.url())).await;
}

#[tokio::test]
async fn postgres_backfill_gives_what_writing_gave() {
    let Some((store, _schema)) = support::fresh_postgres_store().await else {
        return;
    };
    the_backfill_gives_what_writing_gave(store, None).await;
}
