//! `kasa verify`'s reads on SQLite and the real PostgreSQL: the books of a real history written
//! through the use cases are whole, read in pages of every size (the contract case), and the
//! pages of a ledger read keep a customer's entries together.

mod support;

use kasa_credits::books::StoredLedgerEntry;
use kasa_ports::BooksStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_history_has_whole_books_on_sqlite() {
    let Some((store, _file)) = support::fresh_sqlite_store().await else {
        return;
    };
    kasa_testkit::contract::books::a_real_history_has_whole_books(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_history_has_whole_books_on_postgres() {
    let Some((store, _schema)) = support::fresh_postgres_store().await else {
        return;
    };
    kasa_testkit::contract::books::a_real_history_has_whole_books(store).await;
}

/// Every page holds whole customers, within the entry budget unless one customer alone
/// exceeds it, and the pages together hold every entry once, in order.
async fn ledger_pages_keep_customers_whole<S: BooksStore + kasa_ports::Store + 'static>(
    store: std::sync::Arc<S>,
) {
    let history = kasa_testkit::contract::books::write_history(store.clone(), 2).await;
    let mut after = None;
    let mut seen: Vec<(kasa_domain::CustomerId, Vec<StoredLedgerEntry>)> = Vec::new();
    let mut pages = 0;
    loop {
        let page = store.ledger_books_page(after, 10, 4).await.unwrap();
        pages += 1;
        assert!(pages < 100, "the pages end");
        // A page stops taking customers once their entries reach the budget.
        let before_last: usize = page.customers[..page.customers.len().saturating_sub(1)]
            .iter()
            .map(|books| books.entries.len())
            .sum();
        assert!(before_last < 4, "{page:?}");
        for books in page.customers {
            assert!(
                books.holding.is_some(),
                "every customer has a holding: {books:?}"
            );
            seen.push((books.customer_id, books.entries));
        }
        match page.next_after {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert!(pages > 2, "{pages} pages");
    assert_eq!(u64::try_from(seen.len()).unwrap(), history.size.customers);
    let ids: std::collections::BTreeSet<_> = seen.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids.len(), seen.len(), "no customer comes twice");
    for (_, entries) in &seen {
        let numbers: Vec<i64> = entries.iter().map(|entry| entry.entry_number).collect();
        assert_eq!(
            numbers,
            (1..=i64::try_from(numbers.len()).unwrap()).collect::<Vec<_>>()
        );
    }
    let ayse = seen
        .iter()
        .find(|(id, _)| *id == history.credit_customer)
        .unwrap();
    assert_eq!(i64::try_from(ayse.1.len()).unwrap(), history.credit_entries);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ledger_pages_keep_customers_whole_on_sqlite() {
    let Some((store, _file)) = support::fresh_sqlite_store().await else {
        return;
    };
    ledger_pages_keep_customers_whole(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ledger_pages_keep_customers_whole_on_postgres() {
    let Some((store, _schema)) = support::fresh_postgres_store().await else {
        return;
    };
    ledger_pages_keep_customers_whole(store).await;
}
