//! The reports made from the documents: revenue (what invoices and receipts billed, less what
//! credit notes gave back), the register, KDV per rate, and refunds with their credit notes.

use std::collections::{BTreeMap, VecDeque};

use kasa_domain::{Currency, Decimal, Money, MoneyError, PurchaseId};
use kasa_ports::{
    DocumentSide, Invoice, InvoiceKind, NumberingCheck, RefundFact, RevenueTotal, StoreError,
    TaxTotal, document_gateway, document_package, document_tax_lines,
};
use serde_json::Value;
use time::OffsetDateTime;

use super::table::{Cell, Column, ReportTable};
use super::{ReportError, ReportWindow, add_to, zero};

/// Revenue of one period, currency, gateway and package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevenueRow {
    /// The period's label.
    pub period: String,
    /// The currency.
    pub currency: Currency,
    /// The gateway that took the money (`testpay`, `nestpay`, `stripe`).
    pub gateway: String,
    /// The package as bought.
    pub package: String,
    /// Invoices and receipts issued.
    pub documents: u64,
    /// Their gross total.
    pub gross: Money,
    /// Credit notes issued.
    pub credit_notes: u64,
    /// Their gross total (money given back).
    pub refunds: Money,
    /// `gross - refunds`.
    pub net: Money,
}

fn text_at<'a>(document: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter()
        .try_fold(document, |value, key| value.get(key))
        .and_then(Value::as_str)
}

fn is_credit_note(invoice: &Invoice) -> bool {
    invoice.issued.kind == InvoiceKind::CreditNote
}

/// Revenue per period, currency, gateway and package, from the documents issued in the window.
///
/// # Errors
/// [`ReportError::Store`] when a sum overflows.
pub fn revenue_report(
    window: &ReportWindow,
    documents: &[Invoice],
) -> Result<Vec<RevenueRow>, ReportError> {
    let totals: Vec<RevenueTotal> = documents
        .iter()
        .filter_map(|invoice| {
            Some(RevenueTotal {
                period: window.period_index(invoice.issued.issued_at)?,
                side: DocumentSide::of(invoice.issued.kind),
                currency: invoice.issued.total.gross.currency(),
                gateway: document_gateway(invoice),
                package: document_package(invoice),
                documents: 1,
                gross: invoice.issued.total.gross.amount(),
            })
        })
        .collect();
    revenue_report_from_totals(window, &totals)
}

fn unknown_period(report: &str, period: usize, window: &ReportWindow) -> ReportError {
    ReportError::Store(StoreError::Corrupt(format!(
        "{report} totals of period {period} of {}",
        window.periods().len()
    )))
}

/// Revenue per period, currency, gateway and package from the store's revenue summary (the
/// same figures as [`revenue_report`] over the documents; ADR 0020).
///
/// # Errors
/// [`ReportError::Store`] when a sum overflows or a total names no period of the window.
pub fn revenue_report_from_totals(
    window: &ReportWindow,
    totals: &[RevenueTotal],
) -> Result<Vec<RevenueRow>, ReportError> {
    let mut rows: BTreeMap<(usize, String, String, String), RevenueRow> = BTreeMap::new();
    for total in totals {
        let period = window
            .periods()
            .get(total.period)
            .ok_or_else(|| unknown_period("revenue", total.period, window))?;
        let currency = total.currency;
        let row = rows
            .entry((
                total.period,
                currency.alpha_code().to_owned(),
                total.gateway.clone(),
                total.package.clone(),
            ))
            .or_insert_with(|| RevenueRow {
                period: period.label.clone(),
                currency,
                gateway: total.gateway.clone(),
                package: total.package.clone(),
                documents: 0,
                gross: zero(currency),
                credit_notes: 0,
                refunds: zero(currency),
                net: zero(currency),
            });
        let gross = Money::new(total.gross, currency)?;
        match total.side {
            DocumentSide::Credited => {
                row.credit_notes += total.documents;
                row.refunds = row.refunds.checked_add(&gross)?;
                row.net = row.net.checked_sub(&gross)?;
            }
            DocumentSide::Billed => {
                row.documents += total.documents;
                row.gross = row.gross.checked_add(&gross)?;
                row.net = row.net.checked_add(&gross)?;
            }
        }
    }
    Ok(rows.into_values().collect())
}

pub(crate) fn revenue_table(rows: &[RevenueRow]) -> ReportTable {
    ReportTable {
        columns: vec![
            Column::text("period"),
            Column::text("currency"),
            Column::text("gateway"),
            Column::text("package"),
            Column::count("documents"),
            Column::amount("gross"),
            Column::count("credit_notes"),
            Column::amount("refunds"),
            Column::amount("net"),
        ],
        rows: rows
            .iter()
            .map(|row| {
                vec![
                    Cell::text(&row.period),
                    Cell::text(row.currency.alpha_code()),
                    Cell::text(&row.gateway),
                    Cell::text(&row.package),
                    Cell::count(row.documents),
                    Cell::Amount(row.gross.amount()),
                    Cell::count(row.credit_notes),
                    Cell::Amount(row.refunds.amount()),
                    Cell::Amount(row.net.amount()),
                ]
            })
            .collect(),
    }
}

/// Where a document stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DocumentState {
    /// An invoice or receipt nothing corrects.
    Paid,
    /// Corrected by credit notes for less than its total: how much.
    PartlyCredited(Money),
    /// Corrected in full.
    FullyCredited,
    /// A credit note.
    CreditNote,
}

impl DocumentState {
    /// `paid`, `partly_credited`, `fully_credited` or `credit_note`.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Paid => "paid",
            Self::PartlyCredited(_) => "partly_credited",
            Self::FullyCredited => "fully_credited",
            Self::CreditNote => "credit_note",
        }
    }
}

/// A line of the register.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterEntry {
    /// The document.
    pub document: Invoice,
    /// The buyer's name, as on the document.
    pub buyer: String,
    /// The buyer's tax number, as on the document.
    pub tax_number: Option<String>,
    /// The number of the document a credit note corrects.
    pub refers_to: Option<String>,
    /// Its state at the end of the window.
    pub state: DocumentState,
}

/// The register and the numbering check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterReport {
    /// Every document issued in the window, by issue time.
    pub entries: Vec<RegisterEntry>,
    /// Every series of every year the window touches, with the numbers missing.
    pub numbering: Vec<NumberingCheck>,
    /// Where the next page starts, when this is a page of the register that is not the last.
    pub next: Option<kasa_ports::RegisterCursor>,
}

/// The register of `documents` (issued in the window), their states from `corrections` (credit
/// notes issued by the window's end that correct them) and the numbering checks.
///
/// # Errors
/// [`ReportError::Store`] when a sum overflows or a credit note's currency is not its
/// original's.
pub fn register_report(
    documents: Vec<Invoice>,
    corrections: &[Invoice],
    numbering: Vec<NumberingCheck>,
) -> Result<RegisterReport, ReportError> {
    let mut credited: BTreeMap<kasa_domain::InvoiceId, Money> = BTreeMap::new();
    for note in corrections {
        if let Some(original) = note.issued.refers_to {
            let gross = note.issued.total.gross;
            let sum = match credited.get(&original) {
                Some(sum) => sum.checked_add(&gross)?,
                None => gross,
            };
            credited.insert(original, sum);
        }
    }
    let numbers: BTreeMap<kasa_domain::InvoiceId, String> = documents
        .iter()
        .chain(corrections)
        .map(|invoice| (invoice.issued.id, invoice.number.to_string()))
        .collect();
    let entries = documents
        .into_iter()
        .map(|document| {
            let state = if is_credit_note(&document) {
                DocumentState::CreditNote
            } else {
                match credited.get(&document.issued.id) {
                    None => DocumentState::Paid,
                    Some(sum) => {
                        if sum.checked_cmp(&document.issued.total.gross)?
                            == std::cmp::Ordering::Less
                        {
                            DocumentState::PartlyCredited(*sum)
                        } else {
                            DocumentState::FullyCredited
                        }
                    }
                }
            };
            let refers_to = document.issued.refers_to.map(|original| {
                numbers.get(&original).cloned().unwrap_or_else(|| {
                    text_at(&document.issued.document, &["refers_to", "number"])
                        .unwrap_or("-")
                        .to_owned()
                })
            });
            Ok(RegisterEntry {
                buyer: text_at(&document.issued.document, &["buyer", "name"])
                    .unwrap_or("-")
                    .to_owned(),
                tax_number: text_at(&document.issued.document, &["buyer", "tax_number"])
                    .filter(|number| !number.is_empty())
                    .map(str::to_owned),
                refers_to,
                state,
                document,
            })
        })
        .collect::<Result<Vec<_>, MoneyError>>()?;
    Ok(RegisterReport {
        entries,
        numbering,
        next: None,
    })
}

fn kind_name(kind: InvoiceKind) -> &'static str {
    match kind {
        InvoiceKind::Invoice => "invoice",
        InvoiceKind::Receipt => "receipt",
        InvoiceKind::CreditNote => "credit_note",
    }
}

pub(crate) fn register_table(register: &RegisterReport, window: &ReportWindow) -> ReportTable {
    ReportTable {
        columns: vec![
            Column::text("number"),
            Column::text("kind"),
            Column::text("issued_at"),
            Column::text("buyer"),
            Column::text("tax_number"),
            Column::text("currency"),
            Column::amount("net"),
            Column::amount("tax"),
            Column::amount("gross"),
            Column::text("refers_to"),
            Column::text("state"),
            Column::amount("credited"),
        ],
        rows: register
            .entries
            .iter()
            .map(|entry| {
                let issued = &entry.document.issued;
                let credited = match &entry.state {
                    DocumentState::PartlyCredited(sum) => Cell::Amount(sum.amount()),
                    DocumentState::FullyCredited => Cell::Amount(issued.total.gross.amount()),
                    DocumentState::Paid | DocumentState::CreditNote => Cell::Empty,
                };
                vec![
                    Cell::text(entry.document.number.to_string()),
                    Cell::text(kind_name(issued.kind)),
                    Cell::text(window.zone().local_time(issued.issued_at)),
                    Cell::text(&entry.buyer),
                    Cell::optional(entry.tax_number.clone()),
                    Cell::text(issued.total.gross.currency().alpha_code()),
                    Cell::Amount(issued.total.net.amount()),
                    Cell::Amount(issued.total.tax.amount()),
                    Cell::Amount(issued.total.gross.amount()),
                    Cell::optional(entry.refers_to.clone()),
                    Cell::text(entry.state.name()),
                    credited,
                ]
            })
            .collect(),
    }
}

/// KDV of one period, currency and rate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaxRow {
    /// The period's label.
    pub period: String,
    /// The currency.
    pub currency: Currency,
    /// The rate in percent (`20`).
    pub rate_percent: Decimal,
    /// Invoices' and receipts' net.
    pub invoiced_base: Money,
    /// Their tax.
    pub invoiced_tax: Money,
    /// Credit notes' net.
    pub credited_base: Money,
    /// Their tax.
    pub credited_tax: Money,
    /// `invoiced_base - credited_base`.
    pub base: Money,
    /// `invoiced_tax - credited_tax`: the KDV to declare.
    pub tax: Money,
}

/// KDV per period, currency and rate: invoices and receipts minus credit notes.
///
/// # Errors
/// [`ReportError::Store`] when a sum overflows or a document's lines do not add up.
pub fn tax_report(
    window: &ReportWindow,
    documents: &[Invoice],
) -> Result<Vec<TaxRow>, ReportError> {
    let mut totals = Vec::new();
    for invoice in documents {
        let Some(period) = window.period_index(invoice.issued.issued_at) else {
            continue;
        };
        let lines = document_tax_lines(invoice).map_err(|damage| {
            ReportError::Store(StoreError::Corrupt(format!(
                "document {}: {damage}",
                invoice.number
            )))
        })?;
        for (rate, net, tax) in lines {
            totals.push(TaxTotal {
                period,
                side: DocumentSide::of(invoice.issued.kind),
                currency: invoice.issued.total.gross.currency(),
                rate_percent: rate.normalize(),
                base: net.amount(),
                tax: tax.amount(),
            });
        }
    }
    tax_report_from_totals(window, &totals)
}

/// KDV per period, currency and rate from the store's tax summary (the same figures as
/// [`tax_report`] over the documents; ADR 0020).
///
/// # Errors
/// [`ReportError::Store`] when a sum overflows or a total names no period of the window.
pub fn tax_report_from_totals(
    window: &ReportWindow,
    totals: &[TaxTotal],
) -> Result<Vec<TaxRow>, ReportError> {
    let mut rows: BTreeMap<(usize, String, Decimal), TaxRow> = BTreeMap::new();
    for total in totals {
        let period = window
            .periods()
            .get(total.period)
            .ok_or_else(|| unknown_period("tax", total.period, window))?;
        let currency = total.currency;
        let rate = total.rate_percent.normalize();
        let row = rows
            .entry((total.period, currency.alpha_code().to_owned(), rate))
            .or_insert_with(|| TaxRow {
                period: period.label.clone(),
                currency,
                rate_percent: rate,
                invoiced_base: zero(currency),
                invoiced_tax: zero(currency),
                credited_base: zero(currency),
                credited_tax: zero(currency),
                base: zero(currency),
                tax: zero(currency),
            });
        let net = Money::new(total.base, currency)?;
        let tax = Money::new(total.tax, currency)?;
        match total.side {
            DocumentSide::Credited => {
                row.credited_base = row.credited_base.checked_add(&net)?;
                row.credited_tax = row.credited_tax.checked_add(&tax)?;
                row.base = row.base.checked_sub(&net)?;
                row.tax = row.tax.checked_sub(&tax)?;
            }
            DocumentSide::Billed => {
                row.invoiced_base = row.invoiced_base.checked_add(&net)?;
                row.invoiced_tax = row.invoiced_tax.checked_add(&tax)?;
                row.base = row.base.checked_add(&net)?;
                row.tax = row.tax.checked_add(&tax)?;
            }
        }
    }
    Ok(rows.into_values().collect())
}

pub(crate) fn tax_table(rows: &[TaxRow]) -> ReportTable {
    ReportTable {
        columns: vec![
            Column::text("period"),
            Column::text("currency"),
            Column::amount("rate_percent"),
            Column::amount("invoiced_base"),
            Column::amount("invoiced_tax"),
            Column::amount("credited_base"),
            Column::amount("credited_tax"),
            Column::amount("base"),
            Column::amount("tax"),
        ],
        rows: rows
            .iter()
            .map(|row| {
                vec![
                    Cell::text(&row.period),
                    Cell::text(row.currency.alpha_code()),
                    Cell::Amount(row.rate_percent),
                    Cell::Amount(row.invoiced_base.amount()),
                    Cell::Amount(row.invoiced_tax.amount()),
                    Cell::Amount(row.credited_base.amount()),
                    Cell::Amount(row.credited_tax.amount()),
                    Cell::Amount(row.base.amount()),
                    Cell::Amount(row.tax.amount()),
                ]
            })
            .collect(),
    }
}

/// One give-back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundRow {
    /// When it succeeded.
    pub at: OffsetDateTime,
    /// The customer's name.
    pub customer: String,
    /// Their id.
    pub customer_id: kasa_domain::CustomerId,
    /// `refund` or `void`.
    pub kind: &'static str,
    /// How much.
    pub amount: Money,
    /// Why.
    pub reason: String,
    /// Who.
    pub by: String,
    /// The gateway.
    pub gateway: String,
    /// The gateway's reference of the refund.
    pub reference: Option<String>,
    /// The credit note's number (none when the payment was never invoiced).
    pub credit_note: Option<String>,
}

/// The refunds, each with the credit note issued with it: the credit note of the same purchase
/// issued at the moment the refund finished for the same amount.
#[must_use]
pub fn refunds_report(refunds: &[RefundFact], documents: &[Invoice]) -> Vec<RefundRow> {
    // The credit notes by purchase and issue time (a give-back's note is issued when it
    // finishes), each taken once: one pass over the notes, not one per refund.
    let mut notes: BTreeMap<(PurchaseId, OffsetDateTime), VecDeque<&Invoice>> = BTreeMap::new();
    for note in documents.iter().filter(|note| is_credit_note(note)) {
        notes
            .entry((note.issued.purchase_id, note.issued.issued_at))
            .or_default()
            .push_back(note);
    }
    refunds
        .iter()
        .map(|fact| {
            let action = &fact.action;
            let credit_note = action.finished_at.and_then(|finished_at| {
                let candidates = notes.get_mut(&(action.purchase_id, finished_at))?;
                let position = candidates
                    .iter()
                    .position(|note| note.issued.total.gross == action.amount)?;
                candidates
                    .remove(position)
                    .map(|note| note.number.to_string())
            });
            RefundRow {
                at: action.finished_at.unwrap_or(action.requested_at),
                customer: fact.customer_name.clone(),
                customer_id: fact.customer_id,
                kind: match action.kind {
                    kasa_ports::PaymentActionKind::Void => "void",
                    _ => "refund",
                },
                amount: action.amount,
                reason: action.reason.as_str().to_owned(),
                by: action.actor.to_string(),
                gateway: fact.gateway.clone(),
                reference: action
                    .reference
                    .as_ref()
                    .map(|reference| reference.0.clone()),
                credit_note,
            }
        })
        .collect()
}

pub(crate) fn refunds_table(rows: &[RefundRow], window: &ReportWindow) -> ReportTable {
    ReportTable {
        columns: vec![
            Column::text("at"),
            Column::text("customer"),
            Column::text("customer_id"),
            Column::text("kind"),
            Column::text("currency"),
            Column::amount("amount"),
            Column::text("reason"),
            Column::text("by"),
            Column::text("gateway"),
            Column::text("reference"),
            Column::text("credit_note"),
        ],
        rows: rows
            .iter()
            .map(|row| {
                vec![
                    Cell::text(window.zone().local_time(row.at)),
                    Cell::text(&row.customer),
                    Cell::text(row.customer_id.to_string()),
                    Cell::text(row.kind),
                    Cell::text(row.amount.currency().alpha_code()),
                    Cell::Amount(row.amount.amount()),
                    Cell::text(&row.reason),
                    Cell::text(&row.by),
                    Cell::text(&row.gateway),
                    Cell::optional(row.reference.clone()),
                    Cell::optional(row.credit_note.clone()),
                ]
            })
            .collect(),
    }
}

/// The total of `amounts` per currency.
///
/// # Errors
/// [`MoneyError::Overflow`].
pub fn totals(amounts: impl IntoIterator<Item = Money>) -> Result<Vec<Money>, MoneyError> {
    let mut sums = Vec::new();
    for amount in amounts {
        add_to(&mut sums, amount)?;
    }
    Ok(sums)
}
