//! What finance reports read: the documents, payment actions, charges, subscriptions and the
//! credit ledger, as facts over a time window. The reports themselves (grouping by period in a
//! time zone, sums per currency, the liability's first-in-first-out valuation) are computed
//! from these facts by the use case, once, for every store alike; the store only selects.
//!
//! Every window is half open, `[from, to)`, in UTC instants.

use async_trait::async_trait;
use kasa_credits::LedgerEntry;
use kasa_domain::{CustomerId, DepartmentId, Money, PurchaseId, UsageKind};
use time::{OffsetDateTime, UtcOffset};

use crate::{ChargeBasis, Invoice, InvoiceKind, PaymentAction, RevenueTotal, StoreError, TaxTotal};

/// Where a page of the invoice register starts: after the document with this issue time,
/// series, year and number (the register's order). Opaque to API callers (a cursor).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegisterCursor {
    /// The last document's issue time.
    pub issued_at: OffsetDateTime,
    /// Its series.
    pub series: String,
    /// Its year.
    pub year: i32,
    /// Its number.
    pub sequence: u32,
}

impl RegisterCursor {
    /// The cursor after `invoice`.
    #[must_use]
    pub fn after(invoice: &Invoice) -> Self {
        Self {
            issued_at: invoice.issued.issued_at,
            series: invoice.number.series.clone(),
            year: invoice.number.year,
            sequence: invoice.number.sequence,
        }
    }
}

/// The numbers one series took in one year, and the ones missing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NumberingCheck {
    /// The series.
    pub series: String,
    /// The year.
    pub year: i32,
    /// How many documents the series has in that year.
    pub documents: u64,
    /// The highest number taken: the counter's, or the highest stored document's when that is
    /// higher (both are kept in step by the store; a difference is itself a gap or damage).
    pub last_number: u32,
    /// Missing numbers as inclusive ranges `(first, last)`, lowest first.
    pub missing: Vec<(u32, u32)>,
}

/// A give-back (a refund, or a void of captured money) that succeeded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundFact {
    /// The action as recorded (its `finished_at` is set).
    pub action: PaymentAction,
    /// Whose payment.
    pub customer_id: CustomerId,
    /// Their name.
    pub customer_name: String,
    /// The gateway that gave the money back.
    pub gateway: String,
}

/// Where a customer's subscription stands at a moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubscriptionPosition {
    /// Whose.
    pub customer_id: CustomerId,
    /// Their name.
    pub customer_name: String,
    /// Their e-mail address.
    pub email: String,
    /// The package of the last term.
    pub package_name: String,
    /// When the last term ends.
    pub ends_at: OffsetDateTime,
    /// Whether a term covers the moment asked about.
    pub covered: bool,
    /// Cancelled at the end of the term.
    pub cancel_at_end: bool,
    /// The gateway renewing it each period, when one is.
    pub renewing_at: Option<String>,
}

/// A money document's amount, for valuing credit lots.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentAmount {
    /// The purchase it bills.
    pub purchase_id: PurchaseId,
    /// Invoice, receipt or credit note.
    pub kind: InvoiceKind,
    /// What the customer paid (or got back).
    pub gross: Money,
    /// When issued.
    pub issued_at: OffsetDateTime,
    /// How many ledger entries its customer had when it was issued (it was valued after them);
    /// `None` when not recorded (the replay then goes by time, an entry first at one instant).
    pub ledger_entries_before: Option<u64>,
}

/// Everything the prepaid-credit liability is computed from, up to a moment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LiabilitySources {
    /// Every credit ledger entry before the moment, by customer then entry number.
    pub entries: Vec<(CustomerId, LedgerEntry)>,
    /// Every document before the moment of a purchase that granted credits.
    pub documents: Vec<DocumentAmount>,
}

/// Ticket and chat charges of one period, department, kind and basis, from the usage summary
/// (charges counted per UTC hour in the transaction that records them; ADR 0020).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageTotal {
    /// The period's index in the list asked about.
    pub period: usize,
    /// The department.
    pub department_id: DepartmentId,
    /// Ticket or chat.
    pub kind: UsageKind,
    /// How they were covered.
    pub basis: ChargeBasis,
    /// How many charges.
    pub charges: u64,
    /// The credits they took.
    pub credits: i64,
}

/// The liability summary added up for one period (or, with no period, everything before the
/// first) and one currency (ADR 0020): the value of valued movements per bucket and the paid
/// credits they moved; without a currency, the free credits moved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiabilityTotal {
    /// The period's index in the list asked about; `None` for everything before it (the opening).
    pub period: Option<usize>,
    /// The currency; `None` for free credits.
    pub currency: Option<kasa_domain::Currency>,
    /// Value sold, consumed, forfeited, refunded and adjusted, in
    /// [`kasa_credits::liability::LiabilityBucket::ALL`] order.
    pub values: [rust_decimal::Decimal; 5],
    /// Credits moved (paid credits, or free credits without a currency).
    pub credits: i64,
}

/// The UTC hour an instant falls in (its first instant): the usage summary's bucket.
#[must_use]
pub fn usage_hour(at: OffsetDateTime) -> OffsetDateTime {
    let at = at.to_offset(UtcOffset::UTC);
    at.replace_time(time::Time::from_hms(at.hour(), 0, 0).unwrap_or(time::Time::MIDNIGHT))
}

/// Whether an instant is the first of a UTC hour (a period starting there can be read from the
/// usage summary).
#[must_use]
pub fn on_the_hour(at: OffsetDateTime) -> bool {
    usage_hour(at) == at
}

/// The reads finance reports are made of.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ReportStore: Send + Sync {
    /// Invoices, receipts and credit notes issued in `[from, to)`, by issue time, then series,
    /// year and number.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn documents_issued(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<Invoice>, StoreError>;

    /// At most `limit` documents issued in `[from, to)` after `after` (from the first when
    /// `None`), in the order of [`Self::documents_issued`]: a page of the register.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn documents_page(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
        after: Option<RegisterCursor>,
        limit: u32,
    ) -> Result<Vec<Invoice>, StoreError>;

    /// Credit notes issued before `before` that correct one of `originals`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn credit_notes_correcting_documents(
        &self,
        originals: Vec<kasa_domain::InvoiceId>,
        before: OffsetDateTime,
    ) -> Result<Vec<Invoice>, StoreError>;

    /// The revenue summary (ADR 0020) added up per period (each `[start, end)`, every bound on
    /// the hour), side, currency, gateway and package; only rows with documents.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn revenue_totals(
        &self,
        periods: &[(OffsetDateTime, OffsetDateTime)],
    ) -> Result<Vec<RevenueTotal>, StoreError>;

    /// The tax summary (ADR 0020) added up per period (each `[start, end)`, every bound on the
    /// hour), side, currency and rate.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn tax_totals(
        &self,
        periods: &[(OffsetDateTime, OffsetDateTime)],
    ) -> Result<Vec<TaxTotal>, StoreError>;

    /// Credit notes issued in `[from, to)`, in the order of [`Self::documents_issued`].
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn credit_notes_issued(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<Invoice>, StoreError>;

    /// Credit notes issued before `to` that correct a document issued in `[from, to)`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn credit_notes_correcting(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<Invoice>, StoreError>;

    /// The numbering of every series in the years `first_year..=last_year`, with its gaps; by
    /// series then year.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn numbering_checks(
        &self,
        first_year: i32,
        last_year: i32,
    ) -> Result<Vec<NumberingCheck>, StoreError>;

    /// Refunds, and voids that gave captured money back, that succeeded in `[from, to)`, by
    /// the time they finished.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn refunds_finished(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<RefundFact>, StoreError>;

    /// Ticket and chat charges made in `[from, to)`, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn charges_made(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<crate::UsageCharge>, StoreError>;

    /// The usage summary added up per period (each `[start, end)`, every bound on the hour,
    /// see [`on_the_hour`]), department, kind and basis; only combinations with charges.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn usage_totals(
        &self,
        periods: &[(OffsetDateTime, OffsetDateTime)],
    ) -> Result<Vec<UsageTotal>, StoreError>;

    /// Every customer whose last subscription term ends after `at`, soonest end first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn subscription_positions(
        &self,
        at: OffsetDateTime,
    ) -> Result<Vec<SubscriptionPosition>, StoreError>;

    /// The liability summary added up per period (each `[start, end)`, every bound on the hour,
    /// see [`on_the_hour`]) and currency, and before the first period (the opening); only
    /// combinations with movements.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn liability_totals(
        &self,
        periods: &[(OffsetDateTime, OffsetDateTime)],
    ) -> Result<Vec<LiabilityTotal>, StoreError>;

    /// The ledger and the documents of credit purchases before `to`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn liability_sources(&self, to: OffsetDateTime) -> Result<LiabilitySources, StoreError>;
}

/// Fills the missing ranges of a sorted list of numbers taken from 1 to `last_number`.
#[must_use]
pub fn missing_numbers(sorted: &[u32], last_number: u32) -> Vec<(u32, u32)> {
    let mut missing = Vec::new();
    let mut expected = 1_u32;
    for &number in sorted {
        if number > expected {
            missing.push((expected, number - 1));
        }
        expected = expected.max(number.saturating_add(1));
    }
    if last_number >= expected {
        missing.push((expected, last_number));
    }
    missing
}

#[cfg(test)]
mod tests {
    use super::missing_numbers;

    #[test]
    fn hours_are_utc_hours() {
        use time::macros::datetime;
        assert_eq!(
            super::usage_hour(datetime!(2026-10-31 23:59:59.5 +03:00)),
            datetime!(2026-10-31 20:00 UTC)
        );
        assert!(super::on_the_hour(datetime!(2026-11-01 00:00 +03:00)));
        assert!(!super::on_the_hour(datetime!(2026-11-01 00:00 +05:30)));
    }

    #[test]
    fn missing_numbers_are_named_as_ranges() {
        assert_eq!(missing_numbers(&[1, 2, 3], 3), vec![]);
        assert_eq!(missing_numbers(&[2, 3, 7], 9), vec![(1, 1), (4, 6), (8, 9)]);
        assert_eq!(missing_numbers(&[], 2), vec![(1, 2)]);
        assert_eq!(missing_numbers(&[1, 1, 2], 2), vec![]);
    }
}
