//! The prepaid-credit liability: credits sold but not yet delivered, valued at what the customer
//! paid for them, first in, first out (docs/finance.md has the method with an example).
//!
//! Each grant is a *lot*; the invoices and receipts of its purchase give it its value when they
//! are issued. Consumption, forfeiture, negative adjustments and reversals take credits from a
//! customer's oldest lot first (a reversal first from the lot of the purchase it reverses), valued
//! by [`kasa_credits::liability`]: the same code the stores run when they write each movement.
//!
//! Two ways to the same figures (ADR 0020): [`liability_report_from_totals`] adds up the hourly
//! summary the stores keep with every movement (whole-hour periods), and [`liability_report`]
//! replays the ledger and the documents (any zone; and the reference a contract test and
//! `kasa verify` hold the summary to).

use std::collections::{BTreeMap, VecDeque};

use kasa_credits::LedgerEntryKind;
use kasa_credits::liability::{CreditLots, LiabilityBucket, LiabilityError, Valuation};
use kasa_domain::{Currency, CustomerId, Money, PurchaseId};
use kasa_ports::{DocumentAmount, InvoiceKind, LiabilitySources, LiabilityTotal, StoreError};
use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::table::{Cell, Column, ReportTable};
use super::{ReportError, ReportWindow};

/// The liability's movement in one period and currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiabilityRow {
    /// The period's label, or `total` for the whole window.
    pub period: String,
    /// The currency.
    pub currency: Currency,
    /// Value owed at the period's start.
    pub opening: Money,
    /// Value of credits granted for money.
    pub sold: Money,
    /// Value of credits consumed by tickets and chats.
    pub consumed: Money,
    /// Value of credits forfeited (a switch to a subscription).
    pub forfeited: Money,
    /// Value that left with refunds (credits reversed, or money given back).
    pub refunded: Money,
    /// Value of credits taken away by agents' adjustments.
    pub adjusted: Money,
    /// Value owed at the period's end.
    pub closing: Money,
    /// Paid credits outstanding at the period's end.
    pub credits_closing: i64,
}

/// The liability over the window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiabilityReport {
    /// Per period and currency.
    pub rows: Vec<LiabilityRow>,
    /// Per currency over the whole window.
    pub totals: Vec<LiabilityRow>,
    /// Free credits outstanding at the window's end (they owe no money).
    pub free_credits: i64,
}

/// Where a movement falls: before the window (the opening), or in a period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Slot {
    Opening,
    Period(usize),
}

#[derive(Default)]
struct Movements {
    /// Value moved per slot, currency and bucket.
    value: BTreeMap<(Slot, String, LiabilityBucket), Money>,
    /// Paid credits moved per slot and currency (signed).
    credits: BTreeMap<(Slot, String), i64>,
    currencies: BTreeMap<String, Currency>,
    free_credits: i64,
}

fn corrupt(what: impl Into<String>) -> ReportError {
    ReportError::Store(StoreError::Corrupt(what.into()))
}

impl Movements {
    fn add(
        &mut self,
        slot: Slot,
        bucket: LiabilityBucket,
        currency: Option<Currency>,
        value: Decimal,
        credits: i64,
    ) -> Result<(), ReportError> {
        let Some(currency) = currency else {
            self.free_credits += credits;
            return Ok(());
        };
        let value = Money::new(value, currency)?;
        let code = currency.alpha_code().to_owned();
        self.currencies.insert(code.clone(), currency);
        let sum = self
            .value
            .entry((slot, code.clone(), bucket))
            .or_insert_with(|| Money::zero(currency));
        *sum = sum.checked_add(&value)?;
        *self.credits.entry((slot, code)).or_default() += credits;
        Ok(())
    }

    fn record(
        &mut self,
        slot: Slot,
        bucket: LiabilityBucket,
        valuation: &Valuation,
    ) -> Result<(), ReportError> {
        for piece in &valuation.0 {
            self.add(slot, bucket, piece.currency, piece.value, piece.credits)?;
        }
        Ok(())
    }
}

fn lots_error(error: LiabilityError) -> ReportError {
    corrupt(error.to_string())
}

/// The liability over the window, replayed from everything before its end.
///
/// # Errors
/// [`ReportError::Store`] when the ledger takes credits no lot holds, a sum overflows, or the
/// movements do not add up to the lots' remaining value (a bug).
pub fn liability_report(
    window: &ReportWindow,
    sources: &LiabilitySources,
) -> Result<LiabilityReport, ReportError> {
    let slot_of = |at: OffsetDateTime| -> Slot {
        if at < window.start() {
            Slot::Opening
        } else {
            window.period_index(at).map_or(Slot::Opening, Slot::Period)
        }
    };
    let mut customers: BTreeMap<CustomerId, Vec<&kasa_credits::LedgerEntry>> = BTreeMap::new();
    let mut owner: BTreeMap<PurchaseId, CustomerId> = BTreeMap::new();
    for (customer_id, entry) in &sources.entries {
        customers.entry(*customer_id).or_default().push(entry);
        if entry.kind == LedgerEntryKind::Granted
            && let Some(purchase_id) = entry.purchase_id
        {
            owner.insert(purchase_id, *customer_id);
        }
    }
    let mut documents = sources.documents.iter().collect::<Vec<_>>();
    documents.sort_by_key(|document| document.issued_at);
    let mut documents_of: BTreeMap<CustomerId, VecDeque<&DocumentAmount>> = BTreeMap::new();
    for document in documents {
        if let Some(customer_id) = owner.get(&document.purchase_id) {
            documents_of
                .entry(*customer_id)
                .or_default()
                .push_back(document);
        }
    }
    let mut movements = Movements::default();
    let mut held: BTreeMap<Currency, Money> = BTreeMap::new();
    for (customer_id, entries) in &customers {
        let mut lots = CreditLots::new();
        let mut pending = documents_of.remove(customer_id).unwrap_or_default();
        // A document goes where it was valued: after the entries its customer had then (or, when
        // that was not recorded, by time, an entry first at one instant).
        for (index, entry) in entries.iter().enumerate() {
            let index = u64::try_from(index).unwrap_or(u64::MAX);
            while let Some(document) = pending.front().filter(|document| {
                document
                    .ledger_entries_before
                    .map_or(document.issued_at < entry.at, |before| before <= index)
            }) {
                apply_document(
                    &mut lots,
                    document,
                    slot_of(document.issued_at),
                    &mut movements,
                )?;
                pending.pop_front();
            }
            let (bucket, valuation) = lots
                .apply_entry(entry.kind, entry.delta, entry.purchase_id)
                .map_err(lots_error)?;
            movements.record(slot_of(entry.at), bucket, &valuation)?;
        }
        for document in pending {
            apply_document(
                &mut lots,
                document,
                slot_of(document.issued_at),
                &mut movements,
            )?;
        }
        for (currency, value) in lots.value_held().map_err(lots_error)? {
            let sum = held
                .entry(currency)
                .or_insert_with(|| Money::zero(currency));
            *sum = sum.checked_add(&value)?;
        }
    }
    let report = rows(window, &movements)?;
    check_closing(&report, &held)?;
    Ok(report)
}

fn apply_document(
    lots: &mut CreditLots,
    document: &DocumentAmount,
    slot: Slot,
    movements: &mut Movements,
) -> Result<(), ReportError> {
    let (bucket, valuation) = lots
        .apply_document(
            document.kind == InvoiceKind::CreditNote,
            document.purchase_id,
            document.gross,
        )
        .map_err(lots_error)?;
    movements.record(slot, bucket, &valuation)
}

/// The liability over the window from the hourly summary the stores keep with every movement
/// (ADR 0020), added up per period and before the first one by the store; only for windows whose
/// periods start and end on UTC hours ([`super::usage_summary_answers`]). Equal to
/// [`liability_report`] over the same history (a contract test holds them equal on every store).
///
/// # Errors
/// [`ReportError::Store`] when a sum overflows, an amount has more decimals than its currency,
/// or paid credits outstanding fall below zero (a summary that does not add up).
pub fn liability_report_from_totals(
    window: &ReportWindow,
    totals: &[LiabilityTotal],
) -> Result<LiabilityReport, ReportError> {
    let mut movements = Movements::default();
    for total in totals {
        let slot = total.period.map_or(Slot::Opening, Slot::Period);
        if total
            .period
            .is_some_and(|period| period >= window.periods().len())
        {
            return Err(corrupt("a liability total for a period not asked about"));
        }
        let Some(currency) = total.currency else {
            movements.free_credits += total.credits;
            continue;
        };
        for (bucket, value) in LiabilityBucket::ALL.iter().zip(total.values) {
            movements.add(slot, *bucket, Some(currency), value, 0)?;
        }
        let code = currency.alpha_code().to_owned();
        *movements.credits.entry((slot, code)).or_default() += total.credits;
    }
    let report = rows(window, &movements)?;
    if report.totals.iter().any(|total| total.credits_closing < 0) || movements.free_credits < 0 {
        return Err(corrupt(
            "the liability summary leaves fewer than no credits",
        ));
    }
    Ok(report)
}

fn rows(window: &ReportWindow, movements: &Movements) -> Result<LiabilityReport, ReportError> {
    let mut report = LiabilityReport {
        rows: Vec::new(),
        totals: Vec::new(),
        free_credits: movements.free_credits,
    };
    for (code, currency) in &movements.currencies {
        let zero = Money::zero(*currency);
        let moved = |slot: Slot, bucket: LiabilityBucket| -> Money {
            movements
                .value
                .get(&(slot, code.clone(), bucket))
                .copied()
                .unwrap_or(zero)
        };
        let credits = |slot: Slot| {
            movements
                .credits
                .get(&(slot, code.clone()))
                .copied()
                .unwrap_or(0)
        };
        let opening_slot = Slot::Opening;
        let mut opening = moved(opening_slot, LiabilityBucket::Sold)
            .checked_sub(&moved(opening_slot, LiabilityBucket::Consumed))?
            .checked_sub(&moved(opening_slot, LiabilityBucket::Forfeited))?
            .checked_sub(&moved(opening_slot, LiabilityBucket::Refunded))?
            .checked_sub(&moved(opening_slot, LiabilityBucket::Adjusted))?;
        let mut credits_open = credits(opening_slot);
        let mut total = LiabilityRow {
            period: "total".to_owned(),
            currency: *currency,
            opening,
            sold: zero,
            consumed: zero,
            forfeited: zero,
            refunded: zero,
            adjusted: zero,
            closing: opening,
            credits_closing: credits_open,
        };
        for (index, period) in window.periods().iter().enumerate() {
            let slot = Slot::Period(index);
            let row = LiabilityRow {
                period: period.label.clone(),
                currency: *currency,
                opening,
                sold: moved(slot, LiabilityBucket::Sold),
                consumed: moved(slot, LiabilityBucket::Consumed),
                forfeited: moved(slot, LiabilityBucket::Forfeited),
                refunded: moved(slot, LiabilityBucket::Refunded),
                adjusted: moved(slot, LiabilityBucket::Adjusted),
                closing: opening,
                credits_closing: credits_open + credits(slot),
            };
            let closing = opening
                .checked_add(&row.sold)?
                .checked_sub(&row.consumed)?
                .checked_sub(&row.forfeited)?
                .checked_sub(&row.refunded)?
                .checked_sub(&row.adjusted)?;
            total.sold = total.sold.checked_add(&row.sold)?;
            total.consumed = total.consumed.checked_add(&row.consumed)?;
            total.forfeited = total.forfeited.checked_add(&row.forfeited)?;
            total.refunded = total.refunded.checked_add(&row.refunded)?;
            total.adjusted = total.adjusted.checked_add(&row.adjusted)?;
            total.closing = closing;
            total.credits_closing = row.credits_closing;
            opening = closing;
            credits_open = row.credits_closing;
            report.rows.push(LiabilityRow { closing, ..row });
        }
        report.totals.push(total);
    }
    Ok(report)
}

/// The closing balance per currency equals what the lots still hold: the movements add up.
fn check_closing(
    report: &LiabilityReport,
    held: &BTreeMap<Currency, Money>,
) -> Result<(), ReportError> {
    for total in &report.totals {
        let held = held
            .get(&total.currency)
            .copied()
            .unwrap_or_else(|| Money::zero(total.currency));
        if held != total.closing {
            return Err(corrupt(format!(
                "the liability's movements close at {} {} but its lots hold {}",
                total.closing.amount(),
                total.currency.alpha_code(),
                held.amount()
            )));
        }
    }
    Ok(())
}

pub(crate) fn liability_table(report: &LiabilityReport) -> ReportTable {
    ReportTable {
        columns: vec![
            Column::text("period"),
            Column::text("currency"),
            Column::amount("opening"),
            Column::amount("sold"),
            Column::amount("consumed"),
            Column::amount("forfeited"),
            Column::amount("refunded"),
            Column::amount("adjusted"),
            Column::amount("closing"),
            Column::count("credits_closing"),
        ],
        rows: report
            .rows
            .iter()
            .chain(&report.totals)
            .map(|row| {
                vec![
                    Cell::text(&row.period),
                    Cell::text(row.currency.alpha_code()),
                    Cell::Amount(row.opening.amount()),
                    Cell::Amount(row.sold.amount()),
                    Cell::Amount(row.consumed.amount()),
                    Cell::Amount(row.forfeited.amount()),
                    Cell::Amount(row.refunded.amount()),
                    Cell::Amount(row.adjusted.amount()),
                    Cell::Amount(row.closing.amount()),
                    Cell::Count(row.credits_closing),
                ]
            })
            .collect(),
    }
}
