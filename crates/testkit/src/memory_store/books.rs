//! The books as the in-memory store holds them, for `kasa verify`'s use case: the same pages
//! the database stores give. (The in-memory store is built on the pure ledger, so its books are
//! whole by construction; this is what the real stores' books are compared with.)

use std::collections::BTreeMap;
use std::ops::Bound;

use async_trait::async_trait;
use kasa_credits::books::{InvoiceSeriesSummary, StoredCreditHolding, StoredLedgerEntry};
use kasa_domain::PurchaseId;
use kasa_ports::{
    BooksSize, BooksStore, CustomerBooks, LedgerBooksPage, LedgerPosition, PaymentBooks,
    StoreError, UsageSummaryCheck,
};

use super::{CustomerRow, MemoryStore, State};

fn count(items: usize) -> u64 {
    u64::try_from(items).unwrap_or(u64::MAX)
}

/// A customer's entries after entry `after_entry`, as stored.
fn stored_entries(state: &State, row: &CustomerRow, after_entry: i64) -> Vec<StoredLedgerEntry> {
    row.ledger
        .entries()
        .iter()
        .zip(1..)
        .filter(|(_, entry_number)| *entry_number > after_entry)
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
        .collect()
}

fn holding(row: &CustomerRow) -> StoredCreditHolding {
    StoredCreditHolding {
        credit_balance: row.ledger.balance().get(),
        ledger_entries: i64::try_from(row.ledger.entries().len()).unwrap_or(i64::MAX),
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
        from: Option<LedgerPosition>,
        max_customers: u32,
        max_entries: u32,
    ) -> Result<LedgerBooksPage, StoreError> {
        let max_customers = usize::try_from(max_customers.max(1)).unwrap_or(usize::MAX);
        let max_entries = usize::try_from(max_entries.max(1)).unwrap_or(usize::MAX);
        self.read(|state| {
            let start = match from {
                None => Bound::Unbounded,
                Some(from) if from.after_entry.is_some() => Bound::Included(from.customer_id),
                Some(from) => Bound::Excluded(from.customer_id),
            };
            let mut customers: Vec<CustomerBooks> = Vec::new();
            let mut room = max_entries;
            for (customer_id, row) in state.customers.range((start, Bound::Unbounded)) {
                if let Some(last) = customers
                    .last()
                    .filter(|_| customers.len() == max_customers)
                {
                    let next = Some(LedgerPosition {
                        customer_id: last.customer_id,
                        after_entry: None,
                    });
                    return Ok(LedgerBooksPage { customers, next });
                }
                let after_entry = from
                    .filter(|from| from.customer_id == *customer_id)
                    .and_then(|from| from.after_entry)
                    .unwrap_or(0);
                let mut entries = stored_entries(state, row, after_entry);
                if entries.len() > room {
                    entries.truncate(room);
                    let last = entries
                        .last()
                        .map_or(after_entry, |entry| entry.entry_number);
                    customers.push(CustomerBooks {
                        customer_id: *customer_id,
                        holding: None,
                        entries,
                        complete: false,
                    });
                    return Ok(LedgerBooksPage {
                        customers,
                        next: Some(LedgerPosition {
                            customer_id: *customer_id,
                            after_entry: Some(last),
                        }),
                    });
                }
                room -= entries.len();
                customers.push(CustomerBooks {
                    customer_id: *customer_id,
                    holding: Some(holding(row)),
                    entries,
                    complete: true,
                });
            }
            Ok(LedgerBooksPage {
                customers,
                next: None,
            })
        })
    }

    async fn invoice_series(&self) -> Result<Vec<InvoiceSeriesSummary>, StoreError> {
        self.read(|state| {
            let mut series: BTreeMap<(String, i32), InvoiceSeriesSummary> = BTreeMap::new();
            let blank = |(series, year): &(String, i32)| InvoiceSeriesSummary {
                series: series.clone(),
                year: *year,
                issued: 0,
                lowest: None,
                highest: None,
                counter: None,
            };
            for invoice in &state.invoices {
                let key = (invoice.number.series.clone(), invoice.number.year);
                let sequence = i64::from(invoice.number.sequence);
                let summary = series.entry(key.clone()).or_insert_with(|| blank(&key));
                summary.issued += 1;
                summary.lowest = Some(summary.lowest.map_or(sequence, |low| low.min(sequence)));
                summary.highest = Some(summary.highest.map_or(sequence, |high| high.max(sequence)));
            }
            for (key, last) in &state.invoice_counters {
                series
                    .entry(key.clone())
                    .or_insert_with(|| blank(key))
                    .counter = Some(i64::from(*last));
            }
            Ok(series.into_values().collect())
        })
    }

    async fn invoice_numbers_page(
        &self,
        series: String,
        year: i32,
        after: Option<i64>,
        up_to: i64,
        limit: u32,
    ) -> Result<Vec<i64>, StoreError> {
        self.read(|state| {
            let mut numbers: Vec<i64> = state
                .invoices
                .iter()
                .filter(|invoice| invoice.number.series == series && invoice.number.year == year)
                .map(|invoice| i64::from(invoice.number.sequence))
                .filter(|sequence| {
                    after.is_none_or(|after| *sequence > after) && *sequence <= up_to
                })
                .collect();
            numbers.sort_unstable();
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

    async fn usage_summary_check(&self) -> Result<UsageSummaryCheck, StoreError> {
        self.read(|state| Ok(super::reports::usage_summary_check(state)))
    }

    async fn document_summary_check(&self) -> Result<kasa_ports::DocumentSummaryCheck, StoreError> {
        self.read(|state| Ok(super::reports::document_summary_check(state)))
    }

    async fn liability_check(&self) -> Result<kasa_ports::LiabilityCheck, StoreError> {
        self.read(|state| Ok(super::liability::liability_check(state)))
    }
}
