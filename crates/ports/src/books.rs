//! Reads for checking the books (`kasa verify`): every customer's credit ledger beside the
//! holding's stored balance, the invoice numbers of each series and year (a summary, and the
//! numbers themselves where the summary shows something wrong), every payment with its captures,
//! voids and refunds, page by page and as stored. Nothing here changes anything.
//!
//! The pages are keyset pages (after the last key of the previous page), so a check of millions
//! of rows holds one page at a time, however long one customer's ledger is; each page is read
//! in one transaction, so a customer's balance is read with its last entries (earlier entries
//! never change: the ledger is append-only) and a payment with its actions, at one moment even
//! while Kasa runs.

use async_trait::async_trait;
use kasa_credits::books::{InvoiceSeriesSummary, StoredCreditHolding, StoredLedgerEntry};
use kasa_domain::{CustomerId, DepartmentId, PurchaseId, UsageKind};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{ChargeBasis, Payment, PaymentAction, StoreError};

/// How much there is to check, for progress.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BooksSize {
    /// Customers.
    pub customers: u64,
    /// Credit ledger entries.
    pub ledger_entries: u64,
    /// Invoices, receipts and credit notes.
    pub invoices: u64,
    /// Payments.
    pub payments: u64,
}

/// Where a page of ledgers starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LedgerPosition {
    /// After this customer…
    pub customer_id: CustomerId,
    /// …after this entry of theirs, when their ledger continues on the next page; after all of
    /// it when `None`.
    pub after_entry: Option<i64>,
}

/// One customer's credit books as stored, or the part of them a page holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerBooks {
    /// The customer (for entries of a customer that is not stored, the id they name).
    pub customer_id: CustomerId,
    /// The holding's balance and entry count, read with the customer's last entries (in the
    /// same snapshot); `None` when the customer has no holding row (or is not stored at all).
    /// Only given when `complete`.
    pub holding: Option<StoredCreditHolding>,
    /// The entries this page holds, by entry number: all of them, or part of a long ledger that
    /// began on an earlier page or continues on the next.
    pub entries: Vec<StoredLedgerEntry>,
    /// Whether the customer's ledger ends in this page.
    pub complete: bool,
}

/// A page of customers' credit books.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerBooksPage {
    /// The customers, by id.
    pub customers: Vec<CustomerBooks>,
    /// Where the next page starts; `None` when this page was the last.
    pub next: Option<LedgerPosition>,
}

/// A payment with everything agents and gateways did to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentBooks {
    /// The purchase it pays.
    pub purchase_id: PurchaseId,
    /// The buyer.
    pub customer_id: CustomerId,
    /// The payment.
    pub payment: Payment,
    /// Its captures, voids and refunds (in flight, succeeded or failed), oldest first.
    pub actions: Vec<PaymentAction>,
}

/// An hour, department, kind and basis where the usage summary and the charges disagree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageSummaryDifference {
    /// The UTC hour.
    pub hour: OffsetDateTime,
    /// The department.
    pub department_id: DepartmentId,
    /// Ticket or chat.
    pub kind: UsageKind,
    /// How the charges were covered.
    pub basis: ChargeBasis,
    /// Charges and credits the summary holds (its shards added up).
    pub summary: (u64, i64),
    /// Charges and credits the charges themselves add up to.
    pub charges: (u64, i64),
}

/// The usage summary recomputed from the charges.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageSummaryCheck {
    /// Hours, departments, kinds and bases compared.
    pub compared: u64,
    /// Where they disagree, by hour.
    pub differences: Vec<UsageSummaryDifference>,
}

/// One place where the stored liability valuation (ADR 0020) and its replay disagree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LiabilityDifference {
    /// A customer's stored valuations or lots differ from the replay of their movements.
    Customer {
        /// Whose.
        customer_id: CustomerId,
        /// What differs, in words (the movement, what is stored, what the replay gives).
        detail: String,
    },
    /// The summary of one hour and currency (its shards added up) differs from the replay's.
    Summary {
        /// The hour (its first instant, UTC).
        hour: OffsetDateTime,
        /// The currency; empty for free credits.
        currency: String,
        /// Sold, consumed, forfeited, refunded, adjusted and credits the summary holds.
        summary: String,
        /// The same replayed from the ledger and the documents.
        replayed: String,
    },
}

/// The liability's stored valuations and summary compared with a replay of the ledger and the
/// documents of credit purchases.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiabilityCheck {
    /// Movements and summary rows (hour and currency) compared.
    pub compared: u64,
    /// Where they disagree.
    pub differences: Vec<LiabilityDifference>,
}

/// The liability summary as stored (its shards added up) against the replay's, hour by hour and
/// currency by currency (a missing row equals a row of zeros): adds what it compared and every
/// difference to `check`.
pub fn compare_liability_sums(
    stored: &kasa_credits::liability::LiabilitySums,
    replayed: &kasa_credits::liability::LiabilitySums,
    check: &mut LiabilityCheck,
) {
    let zero = ([rust_decimal::Decimal::ZERO; 5], 0);
    let show = |sums: &([rust_decimal::Decimal; 5], i64)| {
        format!(
            "sold {}, consumed {}, forfeited {}, refunded {}, adjusted {}, credits {}",
            sums.0[0].normalize(),
            sums.0[1].normalize(),
            sums.0[2].normalize(),
            sums.0[3].normalize(),
            sums.0[4].normalize(),
            sums.1
        )
    };
    let mut keys: Vec<&(OffsetDateTime, String)> = stored.keys().chain(replayed.keys()).collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        let summary = stored.get(key).unwrap_or(&zero);
        let expected = replayed.get(key).unwrap_or(&zero);
        check.compared += 1;
        if summary != expected {
            check.differences.push(LiabilityDifference::Summary {
                hour: key.0,
                currency: key.1.clone(),
                summary: show(summary),
                replayed: show(expected),
            });
        }
    }
}

/// Reads of the stored books for verification.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait BooksStore: Send + Sync {
    /// How many customers, ledger entries, invoices and payments are stored.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn books_size(&self) -> Result<BooksSize, StoreError>;

    /// The customers from `from` on (from the first when `None`), by id, each with its holding
    /// and its ledger entries: at most `max_customers` customers and `max_entries` entries (at
    /// least one of each), so a page stays small however long one ledger is; a ledger cut by
    /// the entry limit continues on the next page. Entries whose customer is not stored come
    /// as a customer without holding.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`]; [`StoreError::Corrupt`] for a row that cannot be read at
    /// all (an unknown entry kind, a malformed ticket id).
    async fn ledger_books_page(
        &self,
        from: Option<LedgerPosition>,
        max_customers: u32,
        max_entries: u32,
    ) -> Result<LedgerBooksPage, StoreError>;

    /// Every series and year of invoice numbers (with documents or a counter), by series and
    /// year: how many documents, their lowest and highest numbers, the counter; all read at one
    /// moment.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn invoice_series(&self) -> Result<Vec<InvoiceSeriesSummary>, StoreError>;

    /// The numbers issued in one series and year after `after` and up to `up_to`, in order (a
    /// number issued twice comes twice).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn invoice_numbers_page(
        &self,
        series: String,
        year: i32,
        after: Option<i64>,
        up_to: i64,
        limit: u32,
    ) -> Result<Vec<i64>, StoreError>;

    /// The payments of purchases after `after`, by purchase id, each with its actions.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`]; [`StoreError::Corrupt`] for a payment or action that cannot
    /// be read (an amount in no known currency, ...).
    async fn payments_page(
        &self,
        after: Option<PurchaseId>,
        limit: u32,
    ) -> Result<Vec<PaymentBooks>, StoreError>;

    /// The usage summary (ADR 0020) compared with the charges it sums, hour by hour.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`]; [`StoreError::Corrupt`] for a row that cannot be read.
    async fn usage_summary_check(&self) -> Result<UsageSummaryCheck, StoreError>;

    /// The revenue and tax summaries (ADR 0020) compared with the documents they sum, row by
    /// row (the documents read page by page, in one snapshot with the summaries).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`]; [`StoreError::Corrupt`] for a row that cannot be read.
    async fn document_summary_check(&self) -> Result<crate::DocumentSummaryCheck, StoreError>;

    /// The liability's stored valuations, lots and summary (ADR 0020) compared with a replay of
    /// every customer's ledger entries and credit-purchase documents
    /// ([`kasa_credits::liability::check_customer`]).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`]; [`StoreError::Corrupt`] for a row that cannot be read.
    async fn liability_check(&self) -> Result<LiabilityCheck, StoreError>;
}
