//! Finance reports: revenue, the invoice register with its numbering check, KDV per rate,
//! refunds, usage, subscriptions and the prepaid-credit liability.
//!
//! Every figure is computed here, once, from the facts a [`ReportStore`] selects (documents,
//! payment actions, charges, subscription terms, the credit ledger), so the in-memory, SQLite
//! and PostgreSQL stores give the same reports. Days and months are calendar days and months in
//! a configured time zone ([`ReportZone`], Europe/Istanbul by default); amounts are summed per
//! currency with checked arithmetic and never across currencies. Each report is also a
//! [`ReportTable`] (named columns, typed cells) that the API, the CLI, CSV files and the console
//! pages all render. The methods are written down in docs/finance.md.

mod activity;
mod documents;
mod liability;
mod table;
mod window;

use kasa_domain::{Currency, Money, MoneyError};
use kasa_ports::{CatalogStore, RegisterCursor, ReportStore, StoreError};
use time::OffsetDateTime;

pub use activity::{
    SubscriptionRow, SubscriptionsReport, UsageRow, subscriptions_report, usage_report,
    usage_report_from_totals, usage_summary_answers,
};
pub use documents::{
    DocumentState, RefundRow, RegisterEntry, RegisterReport, RevenueRow, TaxRow, refunds_report,
    register_report, revenue_report, revenue_report_from_totals, tax_report,
    tax_report_from_totals, totals,
};
pub use liability::{
    LiabilityReport, LiabilityRow, liability_report, liability_report_from_totals,
};
pub use table::{Cell, Column, ColumnKind, ReportTable};
pub use window::{Grouping, Period, ReportWindow, ReportZone};

/// The reports, by the name the API and CLI use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReportKind {
    /// Gross, refunds and net.
    Revenue,
    /// The invoice register and its numbering check.
    Invoices,
    /// KDV per rate and period.
    Tax,
    /// Money given back.
    Refunds,
    /// Tickets and chats per department.
    Usage,
    /// Subscriptions active, ending, cancelled, renewing.
    Subscriptions,
    /// Credits sold but not delivered, valued first in, first out.
    CreditLiability,
}

impl ReportKind {
    /// Every report, in the order the console lists them.
    pub const ALL: [Self; 7] = [
        Self::Revenue,
        Self::Invoices,
        Self::Tax,
        Self::Refunds,
        Self::Usage,
        Self::Subscriptions,
        Self::CreditLiability,
    ];

    /// The name in paths and commands (`credit-liability`, ...).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Revenue => "revenue",
            Self::Invoices => "invoices",
            Self::Tax => "tax",
            Self::Refunds => "refunds",
            Self::Usage => "usage",
            Self::Subscriptions => "subscriptions",
            Self::CreditLiability => "credit-liability",
        }
    }

    /// The report called `name`, if there is one.
    #[must_use]
    pub fn named(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

/// Why a report could not be made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    /// The dates, grouping or zone asked for do not make a window.
    #[error("{0}")]
    InvalidWindow(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<MoneyError> for ReportError {
    fn from(error: MoneyError) -> Self {
        Self::Store(StoreError::Corrupt(format!("report arithmetic: {error}")))
    }
}

/// What to report on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportRequest {
    /// Which report.
    pub kind: ReportKind,
    /// Which days, grouped how, in which zone.
    pub window: ReportWindow,
    /// The subscriptions report: "ending" means within this many days.
    pub ending_within_days: u32,
    /// Now (the subscriptions report stands at the window's end, or now when that is later).
    pub now: OffsetDateTime,
}

/// A report, made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Report {
    /// Revenue.
    Revenue(Vec<RevenueRow>),
    /// The register.
    Invoices(RegisterReport),
    /// KDV.
    Tax(Vec<TaxRow>),
    /// Refunds.
    Refunds(Vec<RefundRow>),
    /// Usage.
    Usage(Vec<UsageRow>),
    /// Subscriptions.
    Subscriptions(SubscriptionsReport),
    /// The liability.
    CreditLiability(LiabilityReport),
}

impl Report {
    /// The report as a table.
    #[must_use]
    pub fn table(&self, window: &ReportWindow) -> ReportTable {
        match self {
            Self::Revenue(rows) => documents::revenue_table(rows),
            Self::Invoices(register) => documents::register_table(register, window),
            Self::Tax(rows) => documents::tax_table(rows),
            Self::Refunds(rows) => documents::refunds_table(rows, window),
            Self::Usage(rows) => activity::usage_table(rows),
            Self::Subscriptions(report) => activity::subscriptions_table(report, window),
            Self::CreditLiability(report) => liability::liability_table(report),
        }
    }
}

/// Makes a report from the store.
///
/// # Errors
/// [`ReportError::Store`] when the store fails or holds figures that do not add up.
pub async fn make_report<S>(store: &S, request: &ReportRequest) -> Result<Report, ReportError>
where
    S: ReportStore + CatalogStore + ?Sized,
{
    let window = &request.window;
    let (from, to) = (window.start(), window.end());
    // The summaries answer when every period starts and ends on a UTC hour (ADR 0020).
    let summed = usage_summary_answers(window);
    let periods: Vec<_> = window
        .periods()
        .iter()
        .map(|period| (period.start, period.end))
        .collect();
    Ok(match request.kind {
        ReportKind::Revenue if summed => Report::Revenue(revenue_report_from_totals(
            window,
            &store.revenue_totals(&periods).await?,
        )?),
        ReportKind::Revenue => Report::Revenue(revenue_report(
            window,
            &store.documents_issued(from, to).await?,
        )?),
        ReportKind::Tax if summed => Report::Tax(tax_report_from_totals(
            window,
            &store.tax_totals(&periods).await?,
        )?),
        ReportKind::Invoices => {
            let documents = store.documents_issued(from, to).await?;
            let corrections = store.credit_notes_correcting(from, to).await?;
            let checks = store
                .numbering_checks(window.first_year(), window.last_year())
                .await?;
            Report::Invoices(register_report(documents, &corrections, checks)?)
        }
        ReportKind::Tax => Report::Tax(tax_report(
            window,
            &store.documents_issued(from, to).await?,
        )?),
        ReportKind::Refunds => {
            let refunds = store.refunds_finished(from, to).await?;
            let notes = store.credit_notes_issued(from, to).await?;
            Report::Refunds(refunds_report(&refunds, &notes))
        }
        ReportKind::Usage => {
            let departments = store.departments().await?;
            if summed {
                Report::Usage(usage_report_from_totals(
                    window,
                    &store.usage_totals(&periods).await?,
                    &departments,
                )?)
            } else {
                Report::Usage(usage_report(
                    window,
                    &store.charges_made(from, to).await?,
                    &departments,
                )?)
            }
        }
        ReportKind::Subscriptions => {
            let at = if to > request.now { request.now } else { to };
            Report::Subscriptions(subscriptions_report(
                at,
                request.ending_within_days,
                store.subscription_positions(at).await?,
            ))
        }
        ReportKind::CreditLiability => {
            // Whole-hour periods are sums of the hourly summary (ADR 0020); other zones replay.
            if usage_summary_answers(window) {
                let periods: Vec<_> = window
                    .periods()
                    .iter()
                    .map(|period| (period.start, period.end))
                    .collect();
                Report::CreditLiability(liability_report_from_totals(
                    window,
                    &store.liability_totals(&periods).await?,
                )?)
            } else {
                Report::CreditLiability(liability_report(
                    window,
                    &store.liability_sources(to).await?,
                )?)
            }
        }
    })
}

/// The most documents one page of the register holds.
pub const REGISTER_PAGE_MAX: u32 = 10_000;

/// One page of the invoice register: at most `limit` documents of the window after `after`
/// (from the first when `None`), their states at the window's end, the numbering check of every
/// series of every year the window touches (whole, whatever the page), and where the next page
/// starts (`next`, `None` on the last page).
///
/// # Errors
/// [`ReportError::InvalidWindow`] for a limit of 0 or above [`REGISTER_PAGE_MAX`];
/// [`ReportError::Store`] as [`make_report`].
pub async fn register_page<S>(
    store: &S,
    window: &ReportWindow,
    after: Option<RegisterCursor>,
    limit: u32,
) -> Result<RegisterReport, ReportError>
where
    S: ReportStore + ?Sized,
{
    let mut register = register_documents_page(store, window, after, limit).await?;
    register.numbering = store
        .numbering_checks(window.first_year(), window.last_year())
        .await?;
    Ok(register)
}

/// [`register_page`] without the numbering check (left empty): for what prints only the
/// documents, such as the register's CSV, which would otherwise count every number of the
/// year again on each of its pages.
///
/// # Errors
/// As [`register_page`].
pub async fn register_documents_page<S>(
    store: &S,
    window: &ReportWindow,
    after: Option<RegisterCursor>,
    limit: u32,
) -> Result<RegisterReport, ReportError>
where
    S: ReportStore + ?Sized,
{
    if limit == 0 || limit > REGISTER_PAGE_MAX {
        return Err(ReportError::InvalidWindow(format!(
            "a page holds 1 to {REGISTER_PAGE_MAX} documents, not {limit}"
        )));
    }
    let (from, to) = (window.start(), window.end());
    let documents = store.documents_page(from, to, after, limit).await?;
    let next = if documents.len() >= usize::try_from(limit).unwrap_or(usize::MAX) {
        documents.last().map(RegisterCursor::after)
    } else {
        None
    };
    let originals = documents
        .iter()
        .filter(|document| document.issued.kind != kasa_ports::InvoiceKind::CreditNote)
        .map(|document| document.issued.id)
        .collect();
    let corrections = store
        .credit_notes_correcting_documents(originals, to)
        .await?;
    let mut register = register_report(documents, &corrections, Vec::new())?;
    register.next = next;
    Ok(register)
}

/// Adds `amount` to the sum kept for its currency (a new sum for a new currency).
fn add_to(sums: &mut Vec<Money>, amount: Money) -> Result<(), MoneyError> {
    match sums
        .iter_mut()
        .find(|sum| sum.currency() == amount.currency())
    {
        Some(sum) => *sum = sum.checked_add(&amount)?,
        None => sums.push(amount),
    }
    Ok(())
}

/// The zero of `currency`, for sums that start empty.
fn zero(currency: Currency) -> Money {
    Money::zero(currency)
}
