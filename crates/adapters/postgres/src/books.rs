//! The books as stored, for `kasa verify`: keyset pages of customers with their holding and
//! every ledger entry, of invoice numbers, and of payments with their actions. Values are read
//! raw (a negative balance is a number here, not a refusal), so the pure checks can name what is
//! wrong instead of the read failing.
//!
//! Each page is one read transaction (REPEATABLE READ, READ ONLY on PostgreSQL; on SQLite a
//! deferred transaction, whose first read fixes the snapshot in WAL mode), so a customer's
//! balance and entries, or a payment and its actions, are seen at one moment even while Kasa
//! runs. Pages follow the primary and unique keys (`customers.id`, `credit_ledger (customer_id,
//! entry_number)`, `invoices (series, year, sequence)`, `payments.purchase_id`,
//! `payment_actions (purchase_id, requested_at)`), so every page is an index range scan; the
//! invoice summary is one grouped scan of the `(series, year, sequence)` index.

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use kasa_credits::LedgerEntryKind;
use kasa_credits::books::{InvoiceSeriesSummary, StoredCreditHolding, StoredLedgerEntry};
use kasa_domain::{CustomerId, PurchaseId, UsageKey, UsageKind};
use kasa_ports::{
    BooksSize, BooksStore, CustomerBooks, LedgerBooksPage, LedgerPosition, PaymentBooks,
    StoreError, UsageSummaryCheck,
};
use sea_orm::{AccessMode, DatabaseTransaction, IsolationLevel, TransactionTrait, Value};

use crate::codec::{Codec, Row, corrupt, id, text};
use crate::payment_actions::{COLUMNS as ACTION_COLUMNS, payment_action};
use crate::rows::{fetch_all, fetch_one, limit, payment};
use crate::store::unavailable;
use crate::{Backend, SqlStore};

/// The payment columns, named as [`payment`] reads them, with the purchase and its buyer.
const PAYMENT_COLUMNS: &str = "SELECT y.purchase_id, p.customer_id, y.id AS payment_id, \
    y.gateway, y.order_id, y.amount, y.currency, y.capture_mode, y.status AS payment_status, \
    y.reference, y.failure \
    FROM payments y JOIN purchases p ON p.id = y.purchase_id";

/// A customer row of a ledger page: the holding's columns are empty without a holding row.
struct CustomerRow {
    customer_id: CustomerId,
    holding: Option<StoredCreditHolding>,
}

fn count(row: &Row<'_>, column: &str) -> Result<u64, StoreError> {
    u64::try_from(row.int(column)?).map_err(corrupt)
}

fn ledger_entry(row: &Row<'_>) -> Result<(CustomerId, StoredLedgerEntry), StoreError> {
    let customer_id: CustomerId = row.id("customer_id")?;
    let entry_number = row.int("entry_number")?;
    let read = || -> Result<StoredLedgerEntry, StoreError> {
        let usage = match row.opt_text("usage_kind")? {
            None => None,
            Some(_) => {
                let kind: UsageKind = row.label("usage_kind")?;
                let reference = row.opt_text("usage_reference")?.unwrap_or_default();
                Some(UsageKey::new(kind, &reference).map_err(corrupt)?)
            }
        };
        Ok(StoredLedgerEntry {
            entry_number,
            kind: row.label::<LedgerEntryKind>("kind")?,
            delta: row.int("delta")?,
            balance_after: row.int("balance_after")?,
            purchase_id: row.opt_id("purchase_id")?,
            purchase_owner: row.opt_id("purchase_owner")?,
            usage,
        })
    };
    let entry = read().map_err(|error| {
        corrupt(format!(
            "ledger entry {entry_number} of customer {customer_id}: {error}"
        ))
    })?;
    Ok((customer_id, entry))
}

/// `WHERE` conditions joined with `AND` (nothing when there are none).
fn conditions(conditions: &[String]) -> String {
    if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {} ", conditions.join(" AND "))
    }
}

impl SqlStore {
    /// A read transaction that sees one snapshot.
    async fn begin_read(&self) -> Result<DatabaseTransaction, StoreError> {
        match self.backend() {
            Backend::Postgres => {
                self.db
                    .begin_with_config(
                        Some(IsolationLevel::RepeatableRead),
                        Some(AccessMode::ReadOnly),
                    )
                    .await
            }
            // Isolation levels do not apply; a deferred transaction's first read fixes its
            // snapshot.
            Backend::Sqlite => self.db.begin().await,
        }
        .map_err(unavailable)
    }

    /// Runs `read` in one read transaction.
    async fn in_snapshot<T>(
        &self,
        read: impl AsyncFnOnce(&DatabaseTransaction, Codec) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let transaction = self.begin_read().await?;
        let result = read(&transaction, self.codec).await;
        // Nothing was written: ending the transaction either way only releases the snapshot.
        if let Err(error) = transaction.commit().await {
            tracing::warn!(%error, "ending a read transaction failed");
        }
        result
    }
}

async fn customer_rows(
    tx: &DatabaseTransaction,
    codec: Codec,
    from: Option<LedgerPosition>,
    max_customers: u32,
) -> Result<Vec<CustomerRow>, StoreError> {
    let mut values = Vec::new();
    let mut filter = Vec::new();
    if let Some(from) = from {
        values.push(id(from.customer_id));
        // A ledger that continues brings its customer's holding along again.
        let operator = if from.after_entry.is_some() {
            ">="
        } else {
            ">"
        };
        filter.push(format!("c.id {operator} $1"));
    }
    values.push(limit(max_customers));
    let sql = format!(
        "SELECT c.id, h.credit_balance, h.ledger_entries FROM customers c \
         LEFT JOIN holdings h ON h.customer_id = c.id {}ORDER BY c.id LIMIT ${}",
        conditions(&filter),
        values.len()
    );
    fetch_all(tx, codec.statement(&sql, values))
        .await?
        .iter()
        .map(|row| {
            let row = codec.row(row);
            let customer_id: CustomerId = row.id("id")?;
            let holding = match (
                row.opt_int("credit_balance")?,
                row.opt_int("ledger_entries")?,
            ) {
                (Some(credit_balance), Some(ledger_entries)) => Some(StoredCreditHolding {
                    credit_balance,
                    ledger_entries,
                }),
                _ => None,
            };
            Ok(CustomerRow {
                customer_id,
                holding,
            })
        })
        .collect()
}

/// Up to `max_entries` ledger entries from `from` on, up to the customer `up_to` (to the end
/// when `None`), by customer and entry number.
async fn entries_from(
    tx: &DatabaseTransaction,
    codec: Codec,
    from: Option<LedgerPosition>,
    up_to: Option<CustomerId>,
    max_entries: u32,
) -> Result<Vec<(CustomerId, StoredLedgerEntry)>, StoreError> {
    let mut values = Vec::new();
    let mut filter = Vec::new();
    match from {
        None => {}
        Some(LedgerPosition {
            customer_id,
            after_entry: None,
        }) => {
            values.push(id(customer_id));
            filter.push("l.customer_id > $1".to_owned());
        }
        Some(LedgerPosition {
            customer_id,
            after_entry: Some(entry_number),
        }) => {
            values.extend([id(customer_id), Value::from(entry_number)]);
            filter.push("(l.customer_id, l.entry_number) > ($1, $2)".to_owned());
        }
    }
    if let Some(up_to) = up_to {
        values.push(id(up_to));
        filter.push(format!("l.customer_id <= ${}", values.len()));
    }
    values.push(limit(max_entries));
    let sql = format!(
        "SELECT l.customer_id, l.entry_number, l.kind, l.delta, l.balance_after, \
         l.purchase_id, p.customer_id AS purchase_owner, l.usage_kind, l.usage_reference \
         FROM credit_ledger l LEFT JOIN purchases p ON p.id = l.purchase_id \
         {}ORDER BY l.customer_id, l.entry_number LIMIT ${}",
        conditions(&filter),
        values.len()
    );
    fetch_all(tx, codec.statement(&sql, values))
        .await?
        .iter()
        .map(|row| ledger_entry(&codec.row(row)))
        .collect()
}

#[async_trait]
impl BooksStore for SqlStore {
    async fn books_size(&self) -> Result<BooksSize, StoreError> {
        self.in_snapshot(async |tx, codec| {
            let row = fetch_one(
                tx,
                codec.statement(
                    "SELECT (SELECT COUNT(*) FROM customers) AS customers, \
                     (SELECT COUNT(*) FROM credit_ledger) AS ledger_entries, \
                     (SELECT COUNT(*) FROM invoices) AS invoices, \
                     (SELECT COUNT(*) FROM payments) AS payments",
                    [],
                ),
            )
            .await?
            .ok_or_else(|| corrupt("the counts returned no row"))?;
            let row = codec.row(&row);
            Ok(BooksSize {
                customers: count(&row, "customers")?,
                ledger_entries: count(&row, "ledger_entries")?,
                invoices: count(&row, "invoices")?,
                payments: count(&row, "payments")?,
            })
        })
        .await
    }

    async fn ledger_books_page(
        &self,
        from: Option<LedgerPosition>,
        max_customers: u32,
        max_entries: u32,
    ) -> Result<LedgerBooksPage, StoreError> {
        let (max_customers, max_entries) = (max_customers.max(1), max_entries.max(1));
        self.in_snapshot(async |tx, codec| {
            let rows = customer_rows(tx, codec, from, max_customers).await?;
            let customers_full = rows.len() >= usize::try_from(max_customers).unwrap_or(usize::MAX);
            let last_customer = rows.last().map(|row| row.customer_id);
            // On the last page of customers the entries run to the end: entries of customers
            // that are not stored (a restore without foreign keys) are found too.
            let up_to = if customers_full { last_customer } else { None };
            let entries = entries_from(tx, codec, from, up_to, max_entries).await?;
            // When the entries fill the page, the last customer's ledger may go on: it
            // continues on the next page, and the customers after it wait for that page.
            let cut = (entries.len() >= usize::try_from(max_entries).unwrap_or(usize::MAX))
                .then(|| {
                    entries
                        .last()
                        .map(|(customer_id, entry)| (*customer_id, entry.entry_number))
                })
                .flatten();
            // Ids order the same here as in both databases (bytes, compared in order).
            let mut books: BTreeMap<CustomerId, CustomerBooks> = BTreeMap::new();
            for row in rows {
                if cut.is_some_and(|(customer_id, _)| row.customer_id > customer_id) {
                    break;
                }
                books.insert(
                    row.customer_id,
                    CustomerBooks {
                        customer_id: row.customer_id,
                        holding: row.holding,
                        entries: Vec::new(),
                        complete: true,
                    },
                );
            }
            for (customer_id, entry) in entries {
                books
                    .entry(customer_id)
                    .or_insert_with(|| CustomerBooks {
                        customer_id,
                        holding: None,
                        entries: Vec::new(),
                        complete: true,
                    })
                    .entries
                    .push(entry);
            }
            let next = match cut {
                Some((customer_id, entry_number)) => {
                    if let Some(cut_short) = books.get_mut(&customer_id) {
                        cut_short.complete = false;
                        cut_short.holding = None;
                    }
                    Some(LedgerPosition {
                        customer_id,
                        after_entry: Some(entry_number),
                    })
                }
                None if customers_full => last_customer.map(|customer_id| LedgerPosition {
                    customer_id,
                    after_entry: None,
                }),
                None => None,
            };
            Ok(LedgerBooksPage {
                customers: books.into_values().collect(),
                next,
            })
        })
        .await
    }

    async fn invoice_series(&self) -> Result<Vec<InvoiceSeriesSummary>, StoreError> {
        self.in_snapshot(async |tx, codec| {
            let mut series: BTreeMap<(String, i32), InvoiceSeriesSummary> = BTreeMap::new();
            let year = |row: &Row<'_>| i32::try_from(row.int("year")?).map_err(corrupt);
            let issued = fetch_all(
                tx,
                codec.statement(
                    "SELECT series, year, COUNT(*) AS issued, MIN(sequence) AS lowest, \
                     MAX(sequence) AS highest FROM invoices GROUP BY series, year",
                    [],
                ),
            )
            .await?;
            for row in &issued {
                let row = codec.row(row);
                let key = (row.text("series")?, year(&row)?);
                series.insert(
                    key.clone(),
                    InvoiceSeriesSummary {
                        series: key.0,
                        year: key.1,
                        issued: row.int("issued")?,
                        lowest: row.opt_int("lowest")?,
                        highest: row.opt_int("highest")?,
                        counter: None,
                    },
                );
            }
            let counters = fetch_all(
                tx,
                codec.statement(
                    "SELECT series, year, last_sequence FROM invoice_counters",
                    [],
                ),
            )
            .await?;
            for row in &counters {
                let row = codec.row(row);
                let key = (row.text("series")?, year(&row)?);
                series
                    .entry(key.clone())
                    .or_insert_with(|| InvoiceSeriesSummary {
                        series: key.0,
                        year: key.1,
                        issued: 0,
                        lowest: None,
                        highest: None,
                        counter: None,
                    })
                    .counter = Some(row.int("last_sequence")?);
            }
            Ok(series.into_values().collect())
        })
        .await
    }

    async fn invoice_numbers_page(
        &self,
        series: String,
        year: i32,
        after: Option<i64>,
        up_to: i64,
        count: u32,
    ) -> Result<Vec<i64>, StoreError> {
        let codec = self.codec;
        let mut values = vec![text(series), Value::from(i64::from(year))];
        let mut filter = vec!["series = $1".to_owned(), "year = $2".to_owned()];
        if let Some(after) = after {
            values.push(Value::from(after));
            filter.push(format!("sequence > ${}", values.len()));
        }
        values.push(Value::from(up_to));
        filter.push(format!("sequence <= ${}", values.len()));
        values.push(limit(count));
        let sql = format!(
            "SELECT sequence FROM invoices {}ORDER BY sequence LIMIT ${}",
            conditions(&filter),
            values.len()
        );
        fetch_all(&self.db, codec.statement(&sql, values))
            .await?
            .iter()
            .map(|row| codec.row(row).int("sequence"))
            .collect()
    }

    async fn payments_page(
        &self,
        after: Option<PurchaseId>,
        count: u32,
    ) -> Result<Vec<PaymentBooks>, StoreError> {
        self.in_snapshot(async |tx, codec| {
            let mut values = Vec::new();
            let mut filter = Vec::new();
            if let Some(after) = after {
                values.push(id(after));
                filter.push("y.purchase_id > $1".to_owned());
            }
            values.push(limit(count));
            let sql = format!(
                "{PAYMENT_COLUMNS} {}ORDER BY y.purchase_id LIMIT ${}",
                conditions(&filter),
                values.len()
            );
            let mut payments: Vec<PaymentBooks> = fetch_all(tx, codec.statement(&sql, values))
                .await?
                .iter()
                .map(|row| {
                    let row = codec.row(row);
                    let purchase_id: PurchaseId = row.id("purchase_id")?;
                    let payment = payment(&row)
                        .and_then(|payment| payment.ok_or_else(|| corrupt("no payment id")))
                        .map_err(|error| {
                            corrupt(format!("the payment of purchase {purchase_id}: {error}"))
                        })?;
                    Ok(PaymentBooks {
                        purchase_id,
                        customer_id: row.id("customer_id")?,
                        payment,
                        actions: Vec::new(),
                    })
                })
                .collect::<Result<_, StoreError>>()?;
            let (Some(first), Some(last)) = (payments.first(), payments.last()) else {
                return Ok(payments);
            };
            let actions = fetch_all(
                tx,
                codec.statement(
                    &format!(
                        "{ACTION_COLUMNS} WHERE purchase_id >= $1 AND purchase_id <= $2 \
                         ORDER BY purchase_id, requested_at, id"
                    ),
                    [id(first.purchase_id), id(last.purchase_id)],
                ),
            )
            .await?;
            let position: HashMap<PurchaseId, usize> = payments
                .iter()
                .enumerate()
                .map(|(index, books)| (books.purchase_id, index))
                .collect();
            for row in &actions {
                let action = payment_action(&codec.row(row))
                    .map_err(|error| corrupt(format!("a payment action in this page: {error}")))?;
                if let Some(index) = position.get(&action.purchase_id) {
                    payments[*index].actions.push(action);
                }
            }
            Ok(payments)
        })
        .await
    }

    async fn usage_summary_check(&self) -> Result<UsageSummaryCheck, StoreError> {
        self.in_snapshot(async |tx, codec| crate::usage_summary::check(tx, codec).await)
            .await
    }

    async fn document_summary_check(&self) -> Result<kasa_ports::DocumentSummaryCheck, StoreError> {
        self.in_snapshot(async |tx, codec| crate::document_summary::check(tx, codec).await)
            .await
    }

    async fn liability_check(&self) -> Result<kasa_ports::LiabilityCheck, StoreError> {
        self.in_snapshot(async |tx, codec| crate::liability::check(tx, codec).await)
            .await
    }
}

impl SqlStore {
    /// The migrations not applied yet, found without writing anything (not even sea-orm's
    /// bookkeeping table): for `kasa verify`, which reads a database as it is.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    pub async fn pending_migrations_read_only(&self) -> Result<Vec<String>, StoreError> {
        use kasa_migrations::{Migrator, MigratorTrait};
        let pending = Migrator::get_pending_migrations_read_only(&self.db)
            .await
            .map_err(unavailable)?;
        Ok(pending
            .iter()
            .map(|migration| migration.name().to_owned())
            .collect())
    }
}
