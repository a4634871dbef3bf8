//! The register's numbering check on SQLite and the real PostgreSQL: in a real history (two
//! years of invoices and credit notes) nothing is missing; after a document is removed by hand
//! (the append-only trigger dropped first), the check names exactly its number, and a counter
//! moved past the last document names the numbers after it.

mod support;

use std::sync::Arc;

use kasa_ports::{NumberingCheck, ReportStore};
use kasa_postgres::SqlStore;
use sea_orm::{ConnectionTrait, Statement, Value};

fn check<'a>(checks: &'a [NumberingCheck], series: &str, year: i32) -> &'a NumberingCheck {
    checks
        .iter()
        .find(|check| check.series == series && check.year == year)
        .unwrap_or_else(|| panic!("a check of {series} {year}: {checks:?}"))
}

async fn gaps_are_named(store: Arc<SqlStore>, postgres: bool) {
    let history = kasa_testkit::contract::books::write_history(store.clone(), 3).await;
    let invoice = history.unreferenced_invoice.clone();
    let before = store.numbering_checks(2000, 2100).await.unwrap();
    assert!(!before.is_empty());
    assert!(
        before.iter().all(|check| check.missing.is_empty()),
        "{before:?}"
    );
    let whole = check(&before, &invoice.series, invoice.year).clone();
    assert!(whole.documents > 1);

    let backend = store.connection().get_database_backend();
    let run = |sql: &str, values: Vec<Value>| Statement::from_sql_and_values(backend, sql, values);
    let connection = store.connection();
    connection
        .execute_raw(run(
            if postgres {
                "DROP TRIGGER invoices_append_only ON invoices"
            } else {
                "DROP TRIGGER invoices_no_delete"
            },
            vec![],
        ))
        .await
        .unwrap();
    connection
        .execute_raw(run(
            "DELETE FROM invoices WHERE series = $1 AND year = $2 AND sequence = $3",
            vec![
                Value::from(invoice.series.clone()),
                Value::from(i64::from(invoice.year)),
                Value::from(i64::from(invoice.sequence)),
            ],
        ))
        .await
        .unwrap();
    connection
        .execute_raw(run(
            "UPDATE invoice_counters SET last_sequence = last_sequence + 2 \
             WHERE series = $1 AND year = $2",
            vec![
                Value::from(invoice.series.clone()),
                Value::from(i64::from(invoice.year)),
            ],
        ))
        .await
        .unwrap();
    let after = store.numbering_checks(2000, 2100).await.unwrap();
    let damaged = check(&after, &invoice.series, invoice.year);
    assert_eq!(damaged.documents, whole.documents - 1);
    assert_eq!(damaged.last_number, whole.last_number + 2);
    let mut expected = vec![(invoice.sequence, invoice.sequence)];
    if invoice.sequence == whole.last_number {
        expected = vec![(invoice.sequence, whole.last_number + 2)];
    } else {
        expected.push((whole.last_number + 1, whole.last_number + 2));
    }
    assert_eq!(damaged.missing, expected);
    assert!(
        after
            .iter()
            .filter(|other| (&other.series, other.year) != (&invoice.series, invoice.year))
            .all(|other| other.missing.is_empty())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gaps_are_named_on_sqlite() {
    let Some((store, _file)) = support::fresh_sqlite_store().await else {
        return;
    };
    gaps_are_named(store, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gaps_are_named_on_postgres() {
    let Some((store, _schema)) = support::fresh_postgres_store().await else {
        return;
    };
    gaps_are_named(store, true).await;
}
