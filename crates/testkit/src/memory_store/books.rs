//! The books as the in-memory store holds them, for `kasa verify`'s use case: the same pages
//! the database stores give. (The in-memory store is built on the pure ledger, so its books are
//! whole by construction; this is what the real stores' books are compared with.)

use std::ops::Bound;

use async_trait::async_trait;
use kasa_credits::books::{StoredCreditHolding, StoredInvoiceNumber, StoredLedgerEntry};
use kasa_domain::{CustomerId, PurchaseId};
use kasa_ports::{BooksSize, BooksStore, CustomerBooks, LedgerBooksPage, PaymentBooks, StoreError};

use super::{CustomerRow, MemoryStore, State};

fn count(items: usize) -> u64 {
    u64::try_from(items).unwrap_or(u64::MAX)
}

fn customer_books(state: &State, row: &CustomerRow) -> CustomerBooks {
    let entries: Vec<StoredLedgerEntry> = row
        .ledger
        .entries()
        .iter()
        .zip(1..)
        .map(|(entry, entry_number)| StoredLedgerEntry {
            entry_number,
            kind: entry.kind,
            delta: entry.delta,
            balance_after: entry.balance_after.get(),
            purchase_id: entry.purchase_id,
            purchase_owner: entry
                .purchase_id
                .and_then(|id| state.purchases.get(&id))
                .map(|purchase| purchase.customer_id),
            usage: entry.usage.clone(),
        })
        .collect();
    CustomerBooks {
        customer_id: row.customer.id,
        holding: Some(StoredCreditHolding {
            credit_balance: row.ledger.balance().get(),
            ledger_entries: i64::try_from(entries.len()).unwrap_or(i64::MAX),
        }),
        entries,
    }
}

#[async_trait]
impl BooksStore for MemoryStore {
    async fn books_size(&self) -> Result<BooksSize, StoreError> {
        self.read(|state| {
            Ok(BooksSize {
                customers: count(state.customers.len()),
                ledger_entries: state
                    .customers
                    .values()
                    .map(|row| count(row.ledger.entries().len()))
                    .sum(),
                invoices: count(state.invoices.len()),
                payments: count(
                    state
                        .purchases
                        .values()
                        .filter(|purchase| purchase.payment.is_some())
                        .count(),
                ),
            })
        })
    }

    async fn ledger_books_page(
        &self,
        after: Option<CustomerId>,
        max_customers: u32,
        max_entries: u32,
    ) -> Result<LedgerBooksPage, StoreError> {
        self.read(|state| {
            let start = after.map_or(Bound::Unbounded, Bound::Excluded);
            let mut customers = Vec::new();
            let mut entries = 0_usize;
            let mut rows = state.customers.range((start, Bound::Unbounded)).peekable();
            while let Some((_, row)) = rows.next() {
                let books = customer_books(state, row);
                entries += books.entries.len();
                customers.push(books);
                let full = customers.len() >= usize::try_from(max_customers).unwrap_or(usize::MAX)
                    || entries >= usize::try_from(max_entries).unwrap_or(usize::MAX);
                if full {
                    let next_after = rows.peek().map(|_| row.customer.id);
                    return Ok(LedgerBooksPage {
                        customers,
                        next_after,
                    });
                }
            }
            Ok(LedgerBooksPage {
                customers,
                next_after: None,
            })
        })
    }

    async fn invoice_counters(&self) -> Result<Vec<StoredInvoiceNumber>, StoreError> {
        self.read(|state| {
            Ok(state
                .invoice_counters
                .iter()
                .map(|((series, year), last)| StoredInvoiceNumber {
                    series: series.clone(),
                    year: *year,
                    sequence: i64::from(*last),
                })
                .collect())
        })
    }

    async fn invoice_numbers_page(
        &self,
        after: Option<StoredInvoiceNumber>,
        limit: u32,
    ) -> Result<Vec<StoredInvoiceNumber>, StoreError> {
        self.read(|state| {
            let mut numbers: Vec<StoredInvoiceNumber> = state
                .invoices
                .iter()
                .map(|invoice| StoredInvoiceNumber {
                    series: invoice.number.series.clone(),
                    year: invoice.number.year,
                    sequence: i64::from(invoice.number.sequence),
                })
                .filter(|number| after.as_ref().is_none_or(|after| number > after))
                .collect();
            numbers.sort();
            numbers.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            Ok(numbers)
        })
    }

    async fn payments_page(
        &self,
        after: Option<PurchaseId>,
        limit: u32,
    ) -> Result<Vec<PaymentBooks>, StoreError> {
        self.read(|state| {
            let start = after.map_or(Bound::Unbounded, Bound::Excluded);
            Ok(state
                .purchases
                .range((start, Bound::Unbounded))
                .filter_map(|(id, purchase)| {
                    let payment = purchase.payment.clone()?;
                    Some(PaymentBooks {
                        purchase_id: *id,
                        customer_id: purchase.customer_id,
                        payment,
                        actions: state
                            .payment_actions
                            .iter()
                            .filter(|action| action.purchase_id == *id)
                            .cloned()
                            .collect(),
                    })
                })
                .take(usize::try_from(limit).unwrap_or(usize::MAX))
                .collect())
        })
    }
}
