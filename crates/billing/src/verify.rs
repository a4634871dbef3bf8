//! Checking the books (`kasa verify`): after a restore or an upgrade, are the books whole?
//!
//! Every customer's credit ledger is replayed through the ledger's rules
//! ([`kasa_credits::books::LedgerAudit`]: the balance chain, never below zero, a ticket charged
//! once, a purchase granted and reversed once, the stored balance and entry count equal to the
//! entries); invoice numbers are checked for gaps per series and year (a summary per series and
//! year, and where it is not whole the numbers themselves through
//! [`kasa_credits::books::InvoiceNumberingAudit`], naming what is missing or repeated); every
//! payment's refunds are checked against
//! its captures, with the same reckoning the refund action uses. Each inconsistency is reported
//! to the [`BooksObserver`] as it is found (so a badly broken database does not fill memory),
//! naming the customer, the invoice series, year and number, or the payment.
//!
//! The store is read page by page ([`BooksStore`]); nothing is changed.

use std::fmt;

use kasa_credits::books::{
    InvoiceNumberingAudit, InvoiceNumberingProblem, InvoiceSeriesSummary, LedgerAudit,
    LedgerProblem, StoredCreditHolding, StoredInvoiceNumber,
};
use kasa_domain::{CustomerId, Money, PaymentId, PurchaseId};
use kasa_ports::{
    BooksSize, BooksStore, DocumentSummaryDifference, LedgerPosition, LiabilityDifference,
    PaymentActionKind, PaymentActionState, PaymentBooks, PaymentStatus, StoreError,
    UsageSummaryDifference,
};
use serde::Serialize;
use time::OffsetDateTime;

use crate::payment_actions::Position;

/// How much is read per page. The defaults keep a page to a few megabytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BooksPages {
    /// Customers per page of ledgers.
    pub customers: u32,
    /// Ledger entries per page (a longer ledger continues over several pages).
    pub ledger_entries: u32,
    /// Invoice numbers per page (read only for a series and year that is not whole).
    pub invoice_numbers: u32,
    /// Payments per page.
    pub payments: u32,
}

impl Default for BooksPages {
    fn default() -> Self {
        Self {
            customers: 1_000,
            ledger_entries: 10_000,
            invoice_numbers: 10_000,
            payments: 1_000,
        }
    }
}

/// The parts of the books, checked one after the other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BooksSection {
    /// Customers' credit ledgers and balances.
    Ledgers,
    /// Invoice, receipt and credit-note numbers.
    InvoiceNumbers,
    /// Payments, their captures, voids and refunds.
    Payments,
    /// The usage summary against the charges (ADR 0020).
    UsageSummary,
    /// The revenue and tax summaries against the documents (ADR 0020).
    DocumentSummary,
    /// The credit liability's stored valuations and summary against a replay (ADR 0020).
    LiabilitySummary,
}

impl BooksSection {
    /// What the section checks, in a few words.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Ledgers => "customers' ledgers",
            Self::InvoiceNumbers => "invoice numbers",
            Self::Payments => "payments",
            Self::UsageSummary => "usage summary",
            Self::DocumentSummary => "document summaries",
            Self::LiabilitySummary => "credit liability",
        }
    }
}

/// Something wrong with a payment's money.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum PaymentProblem {
    /// More was given back than was taken.
    #[error("refunds of {refunded} exceed the {captured} captured")]
    RefundsExceedCaptures {
        /// What was captured.
        captured: Money,
        /// What the succeeded refunds add up to.
        refunded: Money,
    },
    /// More was captured than the payment's amount.
    #[error("captures of {captured} exceed the payment's amount of {amount}")]
    CapturesExceedAmount {
        /// The payment's amount.
        amount: Money,
        /// What the succeeded captures add up to.
        captured: Money,
    },
    /// The payment and its actions are not in one currency.
    #[error("its amounts are not in one currency: {detail}")]
    MixedCurrencies {
        /// The arithmetic's complaint.
        detail: String,
    },
    /// The payment was voided more than once.
    #[error("it was voided {voids} times")]
    VoidedMoreThanOnce {
        /// Succeeded voids.
        voids: usize,
    },
    /// A void succeeded but the payment is not voided, or it is voided without a void.
    #[error("its status is {status}, but {voids} void(s) succeeded")]
    VoidDisagreesWithStatus {
        /// The payment's status.
        status: &'static str,
        /// Succeeded voids.
        voids: usize,
    },
    /// Money was refunded on a voided payment: given back twice.
    #[error("it was voided and {refunded} was refunded too")]
    RefundedAndVoided {
        /// What the succeeded refunds add up to.
        refunded: Money,
    },
    /// The status says otherwise than the refunds.
    #[error("its status is {status}, but {refunded} of {captured} was refunded")]
    RefundsDisagreeWithStatus {
        /// The payment's status.
        status: &'static str,
        /// What was captured.
        captured: Money,
        /// What the succeeded refunds add up to.
        refunded: Money,
    },
}

/// One inconsistency, named.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BooksProblem {
    /// A customer's credit books.
    Ledger {
        /// The customer.
        customer_id: CustomerId,
        /// What is wrong.
        problem: LedgerProblem,
    },
    /// Invoice numbering.
    InvoiceNumbering {
        /// What is wrong.
        problem: InvoiceNumberingProblem,
    },
    /// A payment.
    Payment {
        /// The payment.
        payment_id: PaymentId,
        /// Its purchase.
        purchase_id: PurchaseId,
        /// What is wrong.
        problem: PaymentProblem,
    },
    /// The usage summary of an hour disagrees with the charges it sums.
    UsageSummary {
        /// Where, and the two sides.
        difference: UsageSummaryDifference,
    },
    /// A row of the revenue or tax summary disagrees with the documents it sums.
    DocumentSummary {
        /// Where, and the two sides.
        difference: DocumentSummaryDifference,
    },
    /// The credit liability's stored valuation, lots or summary disagree with a replay.
    Liability {
        /// Where, and the two sides.
        difference: LiabilityDifference,
    },
    /// A row could not be read at all; the rest of its section was not checked.
    Unreadable {
        /// The section.
        section: BooksSection,
        /// Where reading stopped (the last key read before it), if anywhere.
        after: Option<String>,
        /// The store's complaint.
        detail: String,
    },
}

impl fmt::Display for BooksProblem {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ledger {
                customer_id,
                problem,
            } => write!(formatter, "customer {customer_id}: {problem}"),
            Self::InvoiceNumbering { problem } => write!(formatter, "invoice numbers: {problem}"),
            Self::Payment {
                payment_id,
                purchase_id,
                problem,
            } => write!(
                formatter,
                "payment {payment_id} (purchase {purchase_id}): {problem}"
            ),
            Self::UsageSummary { difference } => write!(
                formatter,
                "usage summary of the hour from {}, department {}, {} {}: it holds {} \
                 charge(s) and {} credit(s), the charges add up to {} and {}",
                difference
                    .hour
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_else(|_| difference.hour.to_string()),
                difference.department_id,
                difference.kind.label(),
                difference.basis.label(),
                difference.summary.0,
                difference.summary.1,
                difference.charges.0,
                difference.charges.1,
            ),
            Self::DocumentSummary { difference } => document_difference(formatter, difference),
            Self::Liability {
                difference:
                    LiabilityDifference::Customer {
                        customer_id,
                        detail,
                    },
            } => write!(
                formatter,
                "credit liability of customer {customer_id}: {detail}"
            ),
            Self::Liability {
                difference:
                    LiabilityDifference::Summary {
                        hour,
                        currency,
                        summary,
                        replayed,
                    },
            } => write!(
                formatter,
                "credit liability summary of the hour from {}, {}: it holds {summary}; the \
                 ledger and documents replayed give {replayed}",
                hour.format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_else(|_| hour.to_string()),
                if currency.is_empty() {
                    "free credits"
                } else {
                    currency.as_str()
                },
            ),
            Self::Unreadable {
                section,
                after,
                detail,
            } => {
                write!(formatter, "{} could not be read", section.label())?;
                if let Some(after) = after {
                    write!(formatter, " after {after}")?;
                }
                write!(formatter, ": {detail}; the rest of them was not checked")
            }
        }
    }
}

fn hour_text(hour: OffsetDateTime) -> String {
    hour.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| hour.to_string())
}

fn document_difference(
    formatter: &mut fmt::Formatter<'_>,
    difference: &DocumentSummaryDifference,
) -> fmt::Result {
    match difference {
        DocumentSummaryDifference::Revenue {
            bucket,
            summary,
            documents,
        } => write!(
            formatter,
            "revenue summary of the hour from {}, {} {} via {} for {:?}: it holds {} document(s) \
             and {}, the documents add up to {} and {}",
            hour_text(bucket.hour),
            bucket.side.label(),
            bucket.currency.alpha_code(),
            bucket.gateway,
            bucket.package,
            summary.0,
            summary.1,
            documents.0,
            documents.1,
        ),
        DocumentSummaryDifference::Tax {
            bucket,
            summary,
            documents,
        } => write!(
            formatter,
            "tax summary of the hour from {}, {} {} at {}%: it holds base {} and tax {}, the \
             documents add up to {} and {}",
            hour_text(bucket.hour),
            bucket.side.label(),
            bucket.currency.alpha_code(),
            bucket.rate_percent,
            summary.0,
            summary.1,
            documents.0,
            documents.1,
        ),
    }
}

/// Hears how the check goes: the CLI draws progress and prints problems as they come; tests
/// collect them.
pub trait BooksObserver: Send {
    /// What there is to check.
    fn started(&mut self, _size: &BooksSize) {}

    /// A section starts; `total` is how many items it will check (customers, numbers,
    /// payments).
    fn section_started(&mut self, _section: BooksSection, _total: u64) {}

    /// `done` items of the section are checked.
    fn progressed(&mut self, _section: BooksSection, _done: u64) {}

    /// An inconsistency was found.
    fn found(&mut self, problem: BooksProblem);
}

/// What was checked, and how many problems were found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BooksChecked {
    /// Customers whose ledgers were replayed.
    pub customers: u64,
    /// Ledger entries replayed.
    pub ledger_entries: u64,
    /// Invoice numbers checked.
    pub invoice_numbers: u64,
    /// Series-and-years checked (with documents or a counter).
    pub invoice_series: u64,
    /// Payments checked.
    pub payments: u64,
    /// Hours, departments, kinds and bases of the usage summary compared with the charges.
    pub usage_summary_rows: u64,
    /// Rows of the revenue and tax summaries compared with the documents.
    pub document_summary_rows: u64,
    /// Valued movements and hours of the liability summary compared with a replay.
    pub liability_rows: u64,
    /// Inconsistencies found.
    pub problems: u64,
}

impl BooksChecked {
    /// Whether the books are whole: nothing was found.
    #[must_use]
    pub const fn is_whole(&self) -> bool {
        self.problems == 0
    }
}

/// Checks the books (see the module docs), page by page; reports each problem to `observer` as
/// it is found.
///
/// # Errors
/// [`StoreError::Unavailable`] (or any store failure but an unreadable row, which is reported as
/// a [`BooksProblem::Unreadable`]): the check could not finish.
pub async fn verify_books(
    store: &dyn BooksStore,
    pages: BooksPages,
    observer: &mut dyn BooksObserver,
) -> Result<BooksChecked, StoreError> {
    let size = store.books_size().await?;
    observer.started(&size);
    let mut run = Run {
        observer,
        checked: BooksChecked::default(),
        broken_ledgers: std::collections::BTreeSet::new(),
    };
    run.observer
        .section_started(BooksSection::Ledgers, size.customers);
    run.ledgers(store, pages).await?;
    run.observer
        .section_started(BooksSection::InvoiceNumbers, size.invoices);
    run.invoice_numbers(store, pages).await?;
    run.observer
        .section_started(BooksSection::Payments, size.payments);
    run.payments(store, pages).await?;
    // One comparison, made by the store.
    run.observer.section_started(BooksSection::UsageSummary, 1);
    run.usage_summary(store).await?;
    run.observer
        .section_started(BooksSection::DocumentSummary, 1);
    run.document_summary(store).await?;
    run.observer
        .section_started(BooksSection::LiabilitySummary, 1);
    run.liability(store).await?;
    Ok(run.checked)
}

struct Run<'a> {
    observer: &'a mut dyn BooksObserver,
    checked: BooksChecked,
    /// Customers whose ledgers break the ledger's rules: their liability is not checked again
    /// (a valuation of a broken ledger would only repeat the ledger's problem).
    broken_ledgers: std::collections::BTreeSet<CustomerId>,
}

impl Run<'_> {
    fn found(&mut self, problem: BooksProblem) {
        if let BooksProblem::Ledger { customer_id, .. } = &problem {
            self.broken_ledgers.insert(*customer_id);
        }
        self.checked.problems += 1;
        self.observer.found(problem);
    }

    /// Keeps a page, or reports why it cannot be read (`None`: the section ends).
    fn readable<T>(
        &mut self,
        section: BooksSection,
        after: Option<String>,
        page: Result<T, StoreError>,
    ) -> Result<Option<T>, StoreError> {
        match page {
            Ok(page) => Ok(Some(page)),
            Err(StoreError::Corrupt(detail)) => {
                self.found(BooksProblem::Unreadable {
                    section,
                    after,
                    detail,
                });
                Ok(None)
            }
            Err(other) => Err(other),
        }
    }

    async fn ledgers(
        &mut self,
        store: &dyn BooksStore,
        pages: BooksPages,
    ) -> Result<(), StoreError> {
        let mut from: Option<LedgerPosition> = None;
        // A long ledger continues from page to page; its replay goes on with it.
        let mut open: Option<LedgerAudit> = None;
        loop {
            let page = store
                .ledger_books_page(from, pages.customers, pages.ledger_entries)
                .await;
            let shown = from.map(|from| match from.after_entry {
                Some(entry) => format!("entry {entry} of customer {}", from.customer_id),
                None => format!("customer {}", from.customer_id),
            });
            let Some(page) = self.readable(BooksSection::Ledgers, shown, page)? else {
                return Ok(());
            };
            for books in page.customers {
                let mut audit = match open.take() {
                    Some(audit) if audit.customer_id() == books.customer_id => audit,
                    other => {
                        if let Some(cut) = other {
                            self.cut_short(cut);
                        }
                        LedgerAudit::new(books.customer_id)
                    }
                };
                for entry in &books.entries {
                    audit.replay(entry);
                }
                if books.complete {
                    self.finish_customer(audit, books.holding);
                } else {
                    open = Some(audit);
                }
            }
            self.observer
                .progressed(BooksSection::Ledgers, self.checked.customers);
            match page.next {
                Some(next) if Some(next) != from => from = Some(next),
                _ => {
                    if let Some(cut) = open.take() {
                        self.cut_short(cut);
                    }
                    return Ok(());
                }
            }
        }
    }

    fn finish_customer(&mut self, audit: LedgerAudit, holding: Option<StoredCreditHolding>) {
        let customer_id = audit.customer_id();
        self.checked.customers += 1;
        self.checked.ledger_entries += u64::try_from(audit.entries()).unwrap_or(0);
        for problem in audit.finish(holding) {
            self.found(BooksProblem::Ledger {
                customer_id,
                problem,
            });
        }
    }

    /// A ledger the store's pages left unfinished (a store bug, never a stored inconsistency).
    fn cut_short(&mut self, audit: LedgerAudit) {
        self.checked.ledger_entries += u64::try_from(audit.entries()).unwrap_or(0);
        self.found(BooksProblem::Unreadable {
            section: BooksSection::Ledgers,
            after: Some(format!(
                "entry {} of customer {}",
                audit.entries(),
                audit.customer_id()
            )),
            detail: "the store's pages ended in the middle of this ledger".to_owned(),
        });
    }

    async fn invoice_numbers(
        &mut self,
        store: &dyn BooksStore,
        pages: BooksPages,
    ) -> Result<(), StoreError> {
        let summaries = store.invoice_series().await;
        let Some(summaries) = self.readable(BooksSection::InvoiceNumbers, None, summaries)? else {
            return Ok(());
        };
        for summary in summaries {
            self.checked.invoice_series += 1;
            if summary.is_whole() {
                self.checked.invoice_numbers += u64::try_from(summary.issued).unwrap_or(0);
            } else if !self.invoice_series(store, pages, &summary).await? {
                return Ok(());
            }
            self.observer
                .progressed(BooksSection::InvoiceNumbers, self.checked.invoice_numbers);
        }
        Ok(())
    }

    /// Reads the numbers of a series and year whose summary is not whole, to name what is
    /// wrong. Only numbers up to the summary's highest are read, so a document issued since
    /// does not count. `false` when they cannot be read.
    async fn invoice_series(
        &mut self,
        store: &dyn BooksStore,
        pages: BooksPages,
        summary: &InvoiceSeriesSummary,
    ) -> Result<bool, StoreError> {
        let mut audit = InvoiceNumberingAudit::new(summary.counter_number());
        let mut after = None;
        let limit = pages.invoice_numbers.max(1);
        while let Some(highest) = summary.highest {
            let page = store
                .invoice_numbers_page(summary.series.clone(), summary.year, after, highest, limit)
                .await;
            let shown = Some(match after {
                Some(sequence) => format!(
                    "number {}",
                    StoredInvoiceNumber {
                        series: summary.series.clone(),
                        year: summary.year,
                        sequence,
                    }
                ),
                None => format!("the start of series {} {}", summary.series, summary.year),
            });
            let Some(page) = self.readable(BooksSection::InvoiceNumbers, shown, page)? else {
                return Ok(false);
            };
            let full = page.len() >= usize::try_from(limit).unwrap_or(usize::MAX);
            after = page.last().copied();
            for sequence in page {
                let number = StoredInvoiceNumber {
                    series: summary.series.clone(),
                    year: summary.year,
                    sequence,
                };
                for problem in audit.check(number) {
                    self.found(BooksProblem::InvoiceNumbering { problem });
                }
            }
            if !full || after.is_none() {
                break;
            }
        }
        self.checked.invoice_numbers += audit.numbers();
        let (problems, _) = audit.finish();
        for problem in problems {
            self.found(BooksProblem::InvoiceNumbering { problem });
        }
        Ok(true)
    }

    /// The usage summary, recomputed from the charges by the store.
    async fn usage_summary(&mut self, store: &dyn BooksStore) -> Result<(), StoreError> {
        let check = store.usage_summary_check().await;
        let Some(check) = self.readable(BooksSection::UsageSummary, None, check)? else {
            return Ok(());
        };
        self.checked.usage_summary_rows = check.compared;
        for difference in check.differences {
            self.found(BooksProblem::UsageSummary { difference });
        }
        self.observer.progressed(BooksSection::UsageSummary, 1);
        Ok(())
    }

    /// The revenue and tax summaries, recomputed from the documents by the store.
    async fn document_summary(&mut self, store: &dyn BooksStore) -> Result<(), StoreError> {
        let check = store.document_summary_check().await;
        let Some(check) = self.readable(BooksSection::DocumentSummary, None, check)? else {
            return Ok(());
        };
        self.checked.document_summary_rows = check.compared;
        for difference in check.differences {
            self.found(BooksProblem::DocumentSummary { difference });
        }
        self.observer.progressed(BooksSection::DocumentSummary, 1);
        Ok(())
    }

    /// The liability's valuations, lots and summary, replayed by the store.
    async fn liability(&mut self, store: &dyn BooksStore) -> Result<(), StoreError> {
        let check = store.liability_check().await;
        let Some(check) = self.readable(BooksSection::LiabilitySummary, None, check)? else {
            return Ok(());
        };
        self.checked.liability_rows = check.compared;
        for difference in check.differences {
            if let LiabilityDifference::Customer { customer_id, .. } = &difference
                && self.broken_ledgers.contains(customer_id)
            {
                continue;
            }
            self.found(BooksProblem::Liability { difference });
        }
        self.observer.progressed(BooksSection::LiabilitySummary, 1);
        Ok(())
    }

    async fn payments(
        &mut self,
        store: &dyn BooksStore,
        pages: BooksPages,
    ) -> Result<(), StoreError> {
        let mut after: Option<PurchaseId> = None;
        loop {
            let page = store.payments_page(after, pages.payments).await;
            let shown = after.map(|id| format!("purchase {id}"));
            let Some(page) = self.readable(BooksSection::Payments, shown, page)? else {
                return Ok(());
            };
            let full = page.len() >= usize::try_from(pages.payments).unwrap_or(usize::MAX);
            let last = page.last().map(|books| books.purchase_id);
            for books in page {
                self.checked.payments += 1;
                for problem in payment_problems(&books) {
                    self.found(BooksProblem::Payment {
                        payment_id: books.payment.id,
                        purchase_id: books.purchase_id,
                        problem,
                    });
                }
            }
            self.observer
                .progressed(BooksSection::Payments, self.checked.payments);
            match last {
                Some(last) if full && Some(last) != after => after = Some(last),
                _ => return Ok(()),
            }
        }
    }
}

/// What is wrong with one payment's money: refunds beyond captures, captures beyond the amount,
/// voids and refunds that disagree with its status.
#[must_use]
pub fn payment_problems(books: &PaymentBooks) -> Vec<PaymentProblem> {
    let payment = &books.payment;
    let position = match Position::of(payment, &books.actions) {
        Ok(position) => position,
        Err(error) => {
            return vec![PaymentProblem::MixedCurrencies {
                detail: error.to_string(),
            }];
        }
    };
    let mut problems = Vec::new();
    let exceeds = |more: &Money, than: &Money| {
        more.checked_cmp(than)
            .map(std::cmp::Ordering::is_gt)
            .map_err(|error| PaymentProblem::MixedCurrencies {
                detail: error.to_string(),
            })
    };
    match exceeds(&position.captured, &payment.amount) {
        Ok(true) => problems.push(PaymentProblem::CapturesExceedAmount {
            amount: payment.amount,
            captured: position.captured,
        }),
        Ok(false) => {}
        Err(problem) => return vec![problem],
    }
    let over_refunded = match exceeds(&position.refunded, &position.captured) {
        Ok(over) => over,
        Err(problem) => return vec![problem],
    };
    if over_refunded {
        problems.push(PaymentProblem::RefundsExceedCaptures {
            captured: position.captured,
            refunded: position.refunded,
        });
    }
    let voids = books
        .actions
        .iter()
        .filter(|action| {
            action.kind == PaymentActionKind::Void && action.state == PaymentActionState::Succeeded
        })
        .count();
    if voids > 1 {
        problems.push(PaymentProblem::VoidedMoreThanOnce { voids });
    }
    if position.voided != (voids > 0) {
        problems.push(PaymentProblem::VoidDisagreesWithStatus {
            status: payment.status.label(),
            voids,
        });
    }
    if position.voided && position.refunded.is_positive() {
        problems.push(PaymentProblem::RefundedAndVoided {
            refunded: position.refunded,
        });
    }
    // The status follows the refunds: none, some, or all of what was captured. (Past the
    // captures the refunds were reported above; the status says nothing more then.)
    let status_fits = over_refunded
        || match payment.status {
            PaymentStatus::Refunded => {
                position.refunded.is_positive() && position.refunded == position.captured
            }
            PaymentStatus::PartiallyRefunded => {
                position.refunded.is_positive() && position.refunded != position.captured
            }
            PaymentStatus::Voided => true,
            PaymentStatus::Pending
            | PaymentStatus::Authorised
            | PaymentStatus::Captured
            | PaymentStatus::Declined => position.refunded.is_zero(),
        };
    if !status_fits {
        problems.push(PaymentProblem::RefundsDisagreeWithStatus {
            status: payment.status.label(),
            captured: position.captured,
            refunded: position.refunded,
        });
    }
    problems
}

#[cfg(test)]
mod tests;
