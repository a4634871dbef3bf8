//! The document summaries (ADR 0020): what the revenue and tax reports add up, kept per UTC hour
//! by the transaction that issues each invoice, receipt or credit note, so they can never drift
//! from the documents.
//!
//! Every store derives a document's rows with the same functions here, and `kasa verify`
//! recomputes the summaries from the documents with them ([`DocumentSummaryTally`]); the revenue
//! and tax reports read the summaries added up per period ([`RevenueTotal`], [`TaxTotal`]).

use std::collections::BTreeMap;

use kasa_domain::{Currency, Decimal, Money};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use crate::{Invoice, InvoiceKind, usage_hour};

/// Which side of the books a document is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentSide {
    /// Invoices and receipts: money billed.
    Billed,
    /// Credit notes: money given back.
    Credited,
}

impl DocumentSide {
    /// The side of a document of `kind`.
    #[must_use]
    pub const fn of(kind: InvoiceKind) -> Self {
        match kind {
            InvoiceKind::Invoice | InvoiceKind::Receipt => Self::Billed,
            InvoiceKind::CreditNote => Self::Credited,
        }
    }

    /// `billed` or `credited`, as stored.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Billed => "billed",
            Self::Credited => "credited",
        }
    }
}

/// A row of the revenue summary: the UTC hour, side, currency, gateway and package.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RevenueBucket {
    /// The UTC hour (its first instant).
    pub hour: OffsetDateTime,
    /// Billed or credited.
    pub side: DocumentSide,
    /// The currency.
    pub currency: Currency,
    /// The gateway named on the document ([`document_gateway`]).
    pub gateway: String,
    /// The package as bought ([`document_package`]).
    pub package: String,
}

/// A row of the tax summary: the UTC hour, side, currency and KDV rate.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TaxBucket {
    /// The UTC hour (its first instant).
    pub hour: OffsetDateTime,
    /// Billed or credited.
    pub side: DocumentSide,
    /// The currency.
    pub currency: Currency,
    /// The rate in percent, normalized (`20`, `8.5`).
    pub rate_percent: Decimal,
}

/// What one document adds to the summaries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentSummaryRows {
    /// Its revenue row and gross amount (one document).
    pub revenue: (RevenueBucket, Decimal),
    /// Its tax rows (one per rate) with the base and tax of its lines at that rate.
    pub tax: Vec<(TaxBucket, Decimal, Decimal)>,
}

fn text_at<'a>(document: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter()
        .try_fold(document, |value, key| value.get(key))
        .and_then(Value::as_str)
}

/// The gateway named on a document (`payment.method`), or `-` when it names none.
#[must_use]
pub fn document_gateway(invoice: &Invoice) -> String {
    text_at(&invoice.issued.document, &["payment", "method"])
        .unwrap_or("-")
        .to_owned()
}

/// The package as bought: the first line's description, or `-`.
#[must_use]
pub fn document_package(invoice: &Invoice) -> String {
    invoice
        .issued
        .document
        .get("lines")
        .and_then(|lines| lines.get(0))
        .and_then(|line| line.get("description"))
        .and_then(Value::as_str)
        .unwrap_or("-")
        .to_owned()
}

fn decimal_of(value: Option<&Value>) -> Option<Decimal> {
    match value? {
        Value::String(text) => text.parse().ok(),
        Value::Number(number) => number.to_string().parse().ok(),
        _ => None,
    }
}

/// A document whose lines do not add up to its totals.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("its lines do not add up to its totals")]
pub struct LinesDoNotAddUp;

/// The (rate, net, tax) of each line of a document; a document without readable lines is one
/// line of its totals at rate 0 (so no amount is ever left out of a sum).
///
/// # Errors
/// [`LinesDoNotAddUp`] when the lines are readable but their sums are not the totals.
pub fn document_tax_lines(
    invoice: &Invoice,
) -> Result<Vec<(Decimal, Money, Money)>, LinesDoNotAddUp> {
    let currency = invoice.issued.total.gross.currency();
    let lines = invoice
        .issued
        .document
        .get("lines")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let parsed: Option<Vec<(Decimal, Money, Money)>> = lines
        .iter()
        .map(|line| {
            Some((
                decimal_of(line.get("tax_rate_percent"))?,
                Money::new(decimal_of(line.get("net"))?, currency).ok()?,
                Money::new(decimal_of(line.get("tax"))?, currency).ok()?,
            ))
        })
        .collect();
    let total = invoice.issued.total;
    match parsed {
        Some(lines) if !lines.is_empty() => {
            let mut net = Money::zero(currency);
            let mut tax = Money::zero(currency);
            for (_, line_net, line_tax) in &lines {
                net = net.checked_add(line_net).map_err(|_| LinesDoNotAddUp)?;
                tax = tax.checked_add(line_tax).map_err(|_| LinesDoNotAddUp)?;
            }
            if net == total.net && tax == total.tax {
                Ok(lines)
            } else {
                Err(LinesDoNotAddUp)
            }
        }
        _ => Ok(vec![(Decimal::ZERO, total.net, total.tax)]),
    }
}

/// The rows a document adds to the summaries. A document whose lines do not add up (never one
/// Kasa issues) is summed as one line of its totals at rate 0, so the tax summary still equals
/// the register's totals; the report from the documents themselves names it as damaged.
#[must_use]
pub fn document_summary_rows(invoice: &Invoice) -> DocumentSummaryRows {
    let issued = &invoice.issued;
    let hour = usage_hour(issued.issued_at);
    let side = DocumentSide::of(issued.kind);
    let currency = issued.total.gross.currency();
    let lines = document_tax_lines(invoice)
        .unwrap_or_else(|_| vec![(Decimal::ZERO, issued.total.net, issued.total.tax)]);
    let mut per_rate: BTreeMap<Decimal, (Decimal, Decimal)> = BTreeMap::new();
    for (rate, net, tax) in lines {
        let sums = per_rate.entry(rate.normalize()).or_default();
        *sums = (sums.0 + net.amount(), sums.1 + tax.amount());
    }
    DocumentSummaryRows {
        revenue: (
            RevenueBucket {
                hour,
                side,
                currency,
                gateway: document_gateway(invoice),
                package: document_package(invoice),
            },
            issued.total.gross.amount(),
        ),
        tax: per_rate
            .into_iter()
            .map(|(rate_percent, (base, tax))| {
                (
                    TaxBucket {
                        hour,
                        side,
                        currency,
                        rate_percent,
                    },
                    base,
                    tax,
                )
            })
            .collect(),
    }
}

/// Revenue summed over one period, side, currency, gateway and package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevenueTotal {
    /// The period's index in the list asked about.
    pub period: usize,
    /// Billed or credited.
    pub side: DocumentSide,
    /// The currency.
    pub currency: Currency,
    /// The gateway.
    pub gateway: String,
    /// The package.
    pub package: String,
    /// How many documents.
    pub documents: u64,
    /// Their gross total.
    pub gross: Decimal,
}

/// KDV summed over one period, side, currency and rate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaxTotal {
    /// The period's index in the list asked about.
    pub period: usize,
    /// Billed or credited.
    pub side: DocumentSide,
    /// The currency.
    pub currency: Currency,
    /// The rate in percent, normalized.
    pub rate_percent: Decimal,
    /// The lines' net.
    pub base: Decimal,
    /// The lines' tax.
    pub tax: Decimal,
}

/// A row's sums as the summary holds them, and as the documents add up.
type Sides<T> = (T, T);

/// The summaries as sums per row: kept by the in-memory store, and built from the documents
/// (and from the stored rows) to compare them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DocumentSummaryTally {
    /// Documents and gross per revenue row.
    pub revenue: BTreeMap<RevenueBucket, (u64, Decimal)>,
    /// Base and tax per tax row.
    pub tax: BTreeMap<TaxBucket, (Decimal, Decimal)>,
}

impl DocumentSummaryTally {
    /// Adds a document's rows.
    pub fn add_document(&mut self, invoice: &Invoice) {
        let rows = document_summary_rows(invoice);
        let (bucket, gross) = rows.revenue;
        self.add_revenue(bucket, 1, gross);
        for (bucket, base, tax) in rows.tax {
            self.add_tax(bucket, base, tax);
        }
    }

    /// Adds to a revenue row.
    pub fn add_revenue(&mut self, bucket: RevenueBucket, documents: u64, gross: Decimal) {
        let sums = self.revenue.entry(bucket).or_default();
        *sums = (sums.0 + documents, sums.1 + gross);
    }

    /// Adds to a tax row.
    pub fn add_tax(&mut self, bucket: TaxBucket, base: Decimal, tax: Decimal) {
        let sums = self.tax.entry(bucket).or_default();
        *sums = (sums.0 + base, sums.1 + tax);
    }

    /// Every row where `summary` (as stored) and `documents` (recomputed) differ.
    #[must_use]
    pub fn compare(summary: &Self, documents: &Self) -> DocumentSummaryCheck {
        let mut check = DocumentSummaryCheck::default();
        let mut revenue: BTreeMap<&RevenueBucket, Sides<(u64, Decimal)>> = BTreeMap::new();
        for (bucket, sums) in &summary.revenue {
            revenue.entry(bucket).or_default().0 = *sums;
        }
        for (bucket, sums) in &documents.revenue {
            revenue.entry(bucket).or_default().1 = *sums;
        }
        for (bucket, (stored, counted)) in revenue {
            check.compared += 1;
            if stored != counted {
                check.differences.push(DocumentSummaryDifference::Revenue {
                    bucket: bucket.clone(),
                    summary: stored,
                    documents: counted,
                });
            }
        }
        let mut tax: BTreeMap<&TaxBucket, Sides<(Decimal, Decimal)>> = BTreeMap::new();
        for (bucket, sums) in &summary.tax {
            tax.entry(bucket).or_default().0 = *sums;
        }
        for (bucket, sums) in &documents.tax {
            tax.entry(bucket).or_default().1 = *sums;
        }
        for (bucket, (stored, counted)) in tax {
            check.compared += 1;
            if stored != counted {
                check.differences.push(DocumentSummaryDifference::Tax {
                    bucket: bucket.clone(),
                    summary: stored,
                    documents: counted,
                });
            }
        }
        check
    }
}

/// A row where a document summary and the documents disagree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "of", rename_all = "snake_case")]
pub enum DocumentSummaryDifference {
    /// A revenue row: documents and gross, stored and recomputed.
    Revenue {
        /// The row.
        bucket: RevenueBucket,
        /// What the summary holds.
        summary: (u64, Decimal),
        /// What the documents add up to.
        documents: (u64, Decimal),
    },
    /// A tax row: base and tax, stored and recomputed.
    Tax {
        /// The row.
        bucket: TaxBucket,
        /// What the summary holds.
        summary: (Decimal, Decimal),
        /// What the documents' lines add up to.
        documents: (Decimal, Decimal),
    },
}

/// The document summaries recomputed from the documents.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentSummaryCheck {
    /// Revenue and tax rows compared.
    pub compared: u64,
    /// Where they disagree: revenue rows by hour, then tax rows by hour.
    pub differences: Vec<DocumentSummaryDifference>,
}
