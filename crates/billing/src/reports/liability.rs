//! The prepaid-credit liability: credits sold but not yet delivered, valued at what the customer
//! paid for them, first in, first out (docs/finance.md has the method with an example).
//!
//! Each grant of a paid purchase is a *lot*: its credits and the money its documents billed
//! (invoices and receipts of that purchase, before the report's end). Consumption, forfeiture,
//! negative adjustments and reversals take credits from a customer's oldest lot first (a
//! reversal first from the lot of the purchase it reverses). Taking `k` of a lot's `r` remaining
//! credits takes `value × k ÷ r` of its remaining value, rounded once to the minor unit, half
//! away from zero; the last credit takes whatever value is left, so nothing is lost to rounding
//! and every movement adds up to the closing balance exactly. Money given back without taking
//! the credits back (a partial refund) lowers the lot's remaining value. Free credits (agents'
//! uncharged grants, positive adjustments) are lots without value: they are delivered like the
//! others but owe no money.

use std::collections::{BTreeMap, VecDeque};

use kasa_credits::LedgerEntryKind;
use kasa_domain::{Currency, CustomerId, Money, PurchaseId};
use kasa_ports::{InvoiceKind, LiabilitySources, StoreError};
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Bucket {
    Sold,
    Consumed,
    Forfeited,
    Refunded,
    Adjusted,
}

#[derive(Clone, Debug)]
struct Lot {
    purchase: Option<PurchaseId>,
    credits: i64,
    value: Option<Money>,
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
    value: BTreeMap<(Slot, String, Bucket), Money>,
    /// Paid credits moved per slot and currency (signed).
    credits: BTreeMap<(Slot, String), i64>,
    currencies: BTreeMap<String, Currency>,
    free_credits: i64,
}

fn corrupt(what: impl Into<String>) -> ReportError {
    ReportError::Store(StoreError::Corrupt(what.into()))
}

impl Movements {
    fn record(
        &mut self,
        slot: Slot,
        bucket: Bucket,
        value: Option<Money>,
        credits: i64,
    ) -> Result<(), ReportError> {
        let Some(value) = value else {
            self.free_credits += credits;
            return Ok(());
        };
        let code = value.currency().alpha_code().to_owned();
        self.currencies.insert(code.clone(), value.currency());
        let sum = self
            .value
            .entry((slot, code.clone(), bucket))
            .or_insert_with(|| Money::zero(value.currency()));
        *sum = sum.checked_add(&value)?;
        *self.credits.entry((slot, code)).or_default() += credits;
        Ok(())
    }
}

/// `value × part ÷ whole`, rounded once (half away from zero).
fn share(value: Money, part: i64, whole: i64) -> Result<Money, ReportError> {
    if part == whole {
        return Ok(value);
    }
    let part = u32::try_from(part).map_err(|_| corrupt("credits out of range"))?;
    let whole = u32::try_from(whole).map_err(|_| corrupt("credits out of range"))?;
    Ok(value.prorate(part, whole)?)
}

/// Takes `credits` from the lots, first from the lot of `first` (a reversal's purchase), then
/// oldest first; returns the pieces taken as (value, credits).
fn take(
    lots: &mut VecDeque<Lot>,
    credits: i64,
    first: Option<PurchaseId>,
) -> Result<Vec<(Option<Money>, i64)>, ReportError> {
    let mut pieces = Vec::new();
    let mut wanted = credits;
    let mut order: Vec<usize> = (0..lots.len()).collect();
    if let Some(first) = first
        && let Some(position) = lots.iter().position(|lot| lot.purchase == Some(first))
    {
        order.retain(|&index| index != position);
        order.insert(0, position);
    }
    for index in order {
        if wanted == 0 {
            break;
        }
        let lot = &mut lots[index];
        let taken = wanted.min(lot.credits);
        if taken == 0 {
            continue;
        }
        let value = match lot.value {
            Some(remaining) => {
                let part = share(remaining, taken, lot.credits)?;
                lot.value = Some(remaining.checked_sub(&part)?);
                Some(part)
            }
            None => None,
        };
        lot.credits -= taken;
        wanted -= taken;
        pieces.push((value, taken));
    }
    lots.retain(|lot| lot.credits > 0);
    if wanted > 0 {
        return Err(corrupt(format!(
            "the ledger takes {credits} credits where the lots hold {} fewer",
            wanted
        )));
    }
    Ok(pieces)
}

struct Note {
    purchase: PurchaseId,
    at: OffsetDateTime,
    amount: Money,
}

/// What each credit purchase was paid (its invoices and receipts), and the money given back
/// for each (its credit notes), oldest first.
fn prices(
    sources: &LiabilitySources,
) -> Result<(BTreeMap<PurchaseId, Money>, Vec<Note>), ReportError> {
    let mut paid: BTreeMap<PurchaseId, Money> = BTreeMap::new();
    let mut notes = Vec::new();
    for document in &sources.documents {
        if document.kind == InvoiceKind::CreditNote {
            notes.push(Note {
                purchase: document.purchase_id,
                at: document.issued_at,
                amount: document.gross,
            });
        } else {
            let sum = match paid.get(&document.purchase_id) {
                Some(sum) => sum.checked_add(&document.gross)?,
                None => document.gross,
            };
            paid.insert(document.purchase_id, sum);
        }
    }
    notes.sort_by_key(|note| note.at);
    Ok((paid, notes))
}

/// The liability over the window, from everything before its end.
///
/// # Errors
/// [`ReportError::Store`] when the ledger takes credits no lot holds, a sum overflows, or the
/// movements do not add up to the lots' remaining value (a bug).
pub fn liability_report(
    window: &ReportWindow,
    sources: &LiabilitySources,
) -> Result<LiabilityReport, ReportError> {
    let (paid, notes) = prices(sources)?;
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
    let mut notes_of: BTreeMap<CustomerId, VecDeque<&Note>> = BTreeMap::new();
    for note in &notes {
        if let Some(customer_id) = owner.get(&note.purchase) {
            notes_of.entry(*customer_id).or_default().push_back(note);
        }
    }
    let mut movements = Movements::default();
    let mut remaining: Vec<Lot> = Vec::new();
    for (customer_id, entries) in &customers {
        let mut lots: VecDeque<Lot> = VecDeque::new();
        let mut pending = notes_of.remove(customer_id).unwrap_or_default();
        for entry in entries {
            while let Some(note) = pending.front().filter(|note| note.at < entry.at) {
                give_back(&mut lots, note, slot_of(note.at), &mut movements)?;
                pending.pop_front();
            }
            apply(&mut lots, entry, &paid, slot_of(entry.at), &mut movements)?;
        }
        for note in pending {
            give_back(&mut lots, note, slot_of(note.at), &mut movements)?;
        }
        remaining.extend(lots);
    }
    let report = rows(window, &movements)?;
    check_closing(&report, &remaining)?;
    Ok(report)
}

fn apply(
    lots: &mut VecDeque<Lot>,
    entry: &kasa_credits::LedgerEntry,
    paid: &BTreeMap<PurchaseId, Money>,
    slot: Slot,
    movements: &mut Movements,
) -> Result<(), ReportError> {
    let bucket = match entry.kind {
        LedgerEntryKind::Granted => {
            let value = entry
                .purchase_id
                .and_then(|purchase| paid.get(&purchase))
                .copied();
            lots.push_back(Lot {
                purchase: entry.purchase_id,
                credits: entry.delta,
                value,
            });
            return movements.record(slot, Bucket::Sold, value, entry.delta);
        }
        LedgerEntryKind::Adjusted if entry.delta > 0 => {
            lots.push_back(Lot {
                purchase: None,
                credits: entry.delta,
                value: None,
            });
            return movements.record(slot, Bucket::Sold, None, entry.delta);
        }
        LedgerEntryKind::Adjusted => Bucket::Adjusted,
        LedgerEntryKind::Consumed => Bucket::Consumed,
        LedgerEntryKind::Forfeited => Bucket::Forfeited,
        LedgerEntryKind::Reversed => Bucket::Refunded,
    };
    let first = (entry.kind == LedgerEntryKind::Reversed)
        .then_some(entry.purchase_id)
        .flatten();
    for (value, credits) in take(lots, -entry.delta, first)? {
        movements.record(slot, bucket, value, -credits)?;
    }
    Ok(())
}

fn give_back(
    lots: &mut VecDeque<Lot>,
    note: &Note,
    slot: Slot,
    movements: &mut Movements,
) -> Result<(), ReportError> {
    let Some(lot) = lots
        .iter_mut()
        .find(|lot| lot.purchase == Some(note.purchase))
    else {
        return Ok(());
    };
    let Some(value) = lot.value else {
        return Ok(());
    };
    let reduction = if note.amount.checked_cmp(&value)? == std::cmp::Ordering::Less {
        note.amount
    } else {
        value
    };
    lot.value = Some(value.checked_sub(&reduction)?);
    movements.record(slot, Bucket::Refunded, Some(reduction), 0)
}

fn rows(window: &ReportWindow, movements: &Movements) -> Result<LiabilityReport, ReportError> {
    let mut report = LiabilityReport {
        rows: Vec::new(),
        totals: Vec::new(),
        free_credits: movements.free_credits,
    };
    for (code, currency) in &movements.currencies {
        let zero = Money::zero(*currency);
        let moved = |slot: Slot, bucket: Bucket| -> Money {
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
        let mut opening = moved(opening_slot, Bucket::Sold)
            .checked_sub(&moved(opening_slot, Bucket::Consumed))?
            .checked_sub(&moved(opening_slot, Bucket::Forfeited))?
            .checked_sub(&moved(opening_slot, Bucket::Refunded))?
            .checked_sub(&moved(opening_slot, Bucket::Adjusted))?;
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
                sold: moved(slot, Bucket::Sold),
                consumed: moved(slot, Bucket::Consumed),
                forfeited: moved(slot, Bucket::Forfeited),
                refunded: moved(slot, Bucket::Refunded),
                adjusted: moved(slot, Bucket::Adjusted),
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
fn check_closing(report: &LiabilityReport, lots: &[Lot]) -> Result<(), ReportError> {
    for total in &report.totals {
        let mut held = Money::zero(total.currency);
        for lot in lots {
            if let Some(value) = lot.value.filter(|value| value.currency() == total.currency) {
                held = held.checked_add(&value)?;
            }
        }
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
