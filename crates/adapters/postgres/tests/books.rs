//! `kasa verify`'s reads on SQLite and the real PostgreSQL: the books of a real history written
//! through the use cases are whole, read in pages of every size (the contract case), and the
//! ledger pages stay within their limits and miss nothing.

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

/// Pages hold at most the customers and entries asked for, however long a ledger is (it
/// continues on the next page), and together every customer once and every entry once, in
/// order, with the holding given where the customer's ledger ends.
async fn ledger_pages_stay_small_and_miss_nothing<S: BooksStore + kasa_ports::Store + 'static>(
    store: std::sync::Arc<S>,
) {
    let history = kasa_testkit::contract::books::write_history(store.clone(), 2).await;
    for (max_customers, max_entries) in [(2, 3), (10, 1), (1, 100), (3, 5)] {
        let mut from = None;
        let mut ledgers: Vec<(kasa_domain::CustomerId, Vec<StoredLedgerEntry>)> = Vec::new();
        let mut completed = Vec::new();
        let mut pages = 0;
        loop {
            let page = store
                .ledger_books_page(from, max_customers, max_entries)
                .await
                .unwrap();
            pages += 1;
            assert!(pages < 200, "the pages end");
            assert!(page.customers.len() <= usize::try_from(max_customers).unwrap());
            let entries: usize = page.customers.iter().map(|books| books.entries.len()).sum();
            assert!(entries <= usize::try_from(max_entries).unwrap(), "{page:?}");
            for books in page.customers {
                match ledgers.last_mut() {
                    Some((customer_id, entries)) if *customer_id == books.customer_id => {
                        entries.extend(books.entries);
                    }
                    _ => ledgers.push((books.customer_id, books.entries)),
                }
                if books.complete {
                    let holding = books.holding.expect("every customer has a holding");
                    completed.push((books.customer_id, holding));
                } else {
                    assert_eq!(books.holding, None, "a holding comes where its ledger ends");
                }
            }
            match page.next {
                Some(next) => from = Some(next),
                None => break,
            }
        }
        let ids: Vec<_> = ledgers.iter().map(|(id, _)| *id).collect();
        assert_eq!(
            ids,
            completed.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
            "every customer is completed once, in order"
        );
        assert_eq!(u64::try_from(ids.len()).unwrap(), history.size.customers);
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(sorted, ids, "customers come by id");
        for ((_, entries), (_, holding)) in ledgers.iter().zip(&completed) {
            let numbers: Vec<i64> = entries.iter().map(|entry| entry.entry_number).collect();
            let expected: Vec<i64> = (1..=holding.ledger_entries).collect();
            assert_eq!(numbers, expected);
        }
        let (_, ayse) = completed
            .iter()
            .find(|(id, _)| *id == history.credit_customer)
            .unwrap();
        assert_eq!(ayse.ledger_entries, history.credit_entries);
        assert_eq!(ayse.credit_balance, history.credit_balance);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ledger_pages_stay_small_and_miss_nothing_on_sqlite() {
    let Some((store, _file)) = support::fresh_sqlite_store().await else {
        return;
    };
    ledger_pages_stay_small_and_miss_nothing(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ledger_pages_stay_small_and_miss_nothing_on_postgres() {
    let Some((store, _schema)) = support::fresh_postgres_store().await else {
        return;
    };
    ledger_pages_stay_small_and_miss_nothing(store).await;
}
