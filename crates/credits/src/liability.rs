//! The prepaid-credit liability's lots, pure: what a customer's credits are worth, first in,
//! first out (docs/finance.md, "The method"; ADR 0020, "Credit liability").
//!
//! A customer's [`CreditLots`] are kept with the holding; every movement of credits or of the
//! money paid for them changes them and returns a [`Valuation`]: the value it moved per currency
//! and the paid and free credits it moved. The stores call these functions in the transaction
//! that writes the movement and store the valuation with it; the report's replay calls the same
//! functions, so the two can only differ when something was written around them.
//!
//! - A grant or a positive adjustment starts a lot of free credits (no value).
//! - An invoice or receipt of a credit purchase gives that purchase's lot its value (adds the
//!   document's gross to it), counted as sold when issued; its credits become paid credits. A
//!   document issued when the lot's credits are all gone changes nothing.
//! - Taking `k` of a lot's `r` credits takes `value × k ÷ r` of its value, rounded once to the
//!   minor unit, half away from zero; the last credit takes whatever is left.
//! - Money given back without the credits (a credit note) lowers the purchase's lot's value, never
//!   below zero.

use std::collections::{BTreeMap, VecDeque};

use kasa_domain::{Currency, Money, MoneyError, PurchaseId};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Where a valued movement is counted in the liability report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LiabilityBucket {
    /// Credits granted, and the money their documents billed.
    Sold,
    /// Credits consumed by tickets and chats.
    Consumed,
    /// Credits forfeited on switching to a subscription.
    Forfeited,
    /// Credits reversed by a refund, and money given back by credit notes.
    Refunded,
    /// Credits taken away by an agent's adjustment.
    Adjusted,
}

impl LiabilityBucket {
    /// Every bucket, in report order.
    pub const ALL: [Self; 5] = [
        Self::Sold,
        Self::Consumed,
        Self::Forfeited,
        Self::Refunded,
        Self::Adjusted,
    ];

    /// The bucket of a ledger entry of `kind` moving `delta` credits.
    #[must_use]
    pub const fn of_entry(kind: crate::LedgerEntryKind, delta: i64) -> Self {
        match kind {
            crate::LedgerEntryKind::Granted => Self::Sold,
            crate::LedgerEntryKind::Adjusted if delta > 0 => Self::Sold,
            crate::LedgerEntryKind::Adjusted => Self::Adjusted,
            crate::LedgerEntryKind::Consumed => Self::Consumed,
            crate::LedgerEntryKind::Forfeited => Self::Forfeited,
            crate::LedgerEntryKind::Reversed => Self::Refunded,
        }
    }
}

/// What one movement moved in one currency (or, without a currency, in free credits).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValuedMove {
    /// The lots' currency; `None` for free credits (they owe no money).
    pub currency: Option<Currency>,
    /// The value moved (never negative; its bucket says which way).
    pub value: Decimal,
    /// The credits moved (signed: taken credits are negative).
    pub credits: i64,
}

/// What one movement moved: one [`ValuedMove`] per currency, free credits first, then by
/// currency. Empty when nothing was moved (a credit note after its lot was used up).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Valuation(pub Vec<ValuedMove>);

impl Valuation {
    fn from_pieces(pieces: impl IntoIterator<Item = (Option<Currency>, Decimal, i64)>) -> Self {
        let mut sums: BTreeMap<Option<Currency>, (Decimal, i64)> = BTreeMap::new();
        for (currency, value, credits) in pieces {
            let sum = sums.entry(currency).or_insert((Decimal::ZERO, 0));
            sum.0 += value;
            sum.1 += credits;
        }
        Self(
            sums.into_iter()
                .map(|(currency, (value, credits))| ValuedMove {
                    currency,
                    value,
                    credits,
                })
                .collect(),
        )
    }

    /// Whether it moved nothing at all.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The same movement with every amount at the currency's scale (as stores read it back), so
    /// a stored valuation compares equal to a recomputed one.
    #[must_use]
    pub fn normalized(&self) -> Self {
        Self::from_pieces(self.0.iter().map(|moved| {
            let mut value = moved.value.normalize();
            if let Some(currency) = moved.currency {
                value.rescale(currency.minor_unit_exponent());
            }
            (moved.currency, value, moved.credits)
        }))
    }
}

/// Why a movement cannot be valued: the lots and the ledger disagree (a bug or damage).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LiabilityError {
    /// The ledger takes more credits than the lots hold.
    #[error("the ledger takes {wanted} credits where the lots hold {held}")]
    NotEnoughCredits {
        /// Credits asked for.
        wanted: i64,
        /// Credits the lots hold.
        held: i64,
    },
    /// An amount out of range or in another currency.
    #[error(transparent)]
    Money(#[from] MoneyError),
    /// Credits out of the range a share can be computed for.
    #[error("{0} credits are out of range")]
    OutOfRange(i64),
}

/// One lot: credits from one grant, and what is left of the money paid for them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreditLot {
    /// The purchase that granted it (none for a positive adjustment).
    pub purchase_id: Option<PurchaseId>,
    /// Credits left (more than zero: a used-up lot is removed).
    pub credits: i64,
    /// Value left; `None` while no document has billed it (free credits).
    pub value: Option<Money>,
}

/// The stored form of a lot (JSON in the holding; PostgreSQL's charge statement reads and writes
/// the same shape, `kasa_take_credits` in migration 0043).
#[derive(Serialize, Deserialize)]
struct StoredLot {
    purchase_id: Option<PurchaseId>,
    credits: i64,
    currency: Option<Currency>,
    value: Option<Decimal>,
    exponent: Option<u32>,
}

/// A customer's lots, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CreditLots(VecDeque<CreditLot>);

impl Serialize for CreditLots {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let stored: Vec<StoredLot> = self
            .0
            .iter()
            .map(|lot| StoredLot {
                purchase_id: lot.purchase_id,
                credits: lot.credits,
                currency: lot.value.map(|value| value.currency()),
                value: lot.value.map(|value| value.amount()),
                exponent: lot
                    .value
                    .map(|value| value.currency().minor_unit_exponent()),
            })
            .collect();
        stored.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for CreditLots {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let stored = Vec::<StoredLot>::deserialize(deserializer)?;
        stored
            .into_iter()
            .map(|lot| {
                let value = match (lot.currency, lot.value) {
                    (Some(currency), Some(amount)) => {
                        Some(Money::new(amount, currency).map_err(serde::de::Error::custom)?)
                    }
                    (None, None) => None,
                    _ => return Err(serde::de::Error::custom("a lot's value without currency")),
                };
                if lot.credits <= 0 {
                    return Err(serde::de::Error::custom("a lot without credits"));
                }
                Ok(CreditLot {
                    purchase_id: lot.purchase_id,
                    credits: lot.credits,
                    value,
                })
            })
            .collect::<Result<VecDeque<_>, _>>()
            .map(Self)
    }
}

/// `value × part ÷ whole`, rounded once (half away from zero); the whole takes all.
fn share(value: Money, part: i64, whole: i64) -> Result<Money, LiabilityError> {
    if part == whole {
        return Ok(value);
    }
    let part_u32 = u32::try_from(part).map_err(|_| LiabilityError::OutOfRange(part))?;
    let whole_u32 = u32::try_from(whole).map_err(|_| LiabilityError::OutOfRange(whole))?;
    Ok(value.prorate(part_u32, whole_u32)?)
}

impl CreditLots {
    /// No lots.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The lots, oldest first.
    pub fn lots(&self) -> impl Iterator<Item = &CreditLot> {
        self.0.iter()
    }

    /// Credits the lots hold (equal to the balance).
    #[must_use]
    pub fn credits(&self) -> i64 {
        self.0.iter().map(|lot| lot.credits).sum()
    }

    /// Value held per currency.
    ///
    /// # Errors
    /// [`LiabilityError::Money`] when a sum overflows.
    pub fn value_held(&self) -> Result<BTreeMap<Currency, Money>, LiabilityError> {
        let mut held: BTreeMap<Currency, Money> = BTreeMap::new();
        for value in self.0.iter().filter_map(|lot| lot.value) {
            let sum = held
                .entry(value.currency())
                .or_insert_with(|| Money::zero(value.currency()));
            *sum = sum.checked_add(&value)?;
        }
        Ok(held)
    }

    /// Free credits held.
    #[must_use]
    pub fn free_credits(&self) -> i64 {
        self.0
            .iter()
            .filter(|lot| lot.value.is_none())
            .map(|lot| lot.credits)
            .sum()
    }

    /// A ledger entry: its bucket and what it moved. Grants and positive adjustments start a free
    /// lot; everything else takes credits, oldest first (a reversal first from its purchase's lot).
    ///
    /// # Errors
    /// [`LiabilityError`] when the lots hold fewer credits than the entry takes.
    pub fn apply_entry(
        &mut self,
        kind: crate::LedgerEntryKind,
        delta: i64,
        purchase_id: Option<PurchaseId>,
    ) -> Result<(LiabilityBucket, Valuation), LiabilityError> {
        let bucket = LiabilityBucket::of_entry(kind, delta);
        if delta > 0 {
            let purchase_id = match kind {
                crate::LedgerEntryKind::Granted => purchase_id,
                _ => None,
            };
            self.0.push_back(CreditLot {
                purchase_id,
                credits: delta,
                value: None,
            });
            return Ok((
                bucket,
                Valuation::from_pieces([(None, Decimal::ZERO, delta)]),
            ));
        }
        let first = match kind {
            crate::LedgerEntryKind::Reversed => purchase_id,
            _ => None,
        };
        Ok((bucket, self.take(-delta, first)?))
    }

    /// Takes `wanted` credits: first from the lot of `first` (a reversal's purchase), then oldest
    /// first.
    ///
    /// # Errors
    /// [`LiabilityError::NotEnoughCredits`] (nothing is changed then).
    pub fn take(
        &mut self,
        wanted: i64,
        first: Option<PurchaseId>,
    ) -> Result<Valuation, LiabilityError> {
        let held = self.credits();
        if wanted > held || wanted < 0 {
            return Err(LiabilityError::NotEnoughCredits { wanted, held });
        }
        let mut order: Vec<usize> = (0..self.0.len()).collect();
        if let Some(first) = first
            && let Some(position) = self.0.iter().position(|lot| lot.purchase_id == Some(first))
        {
            order.retain(|&index| index != position);
            order.insert(0, position);
        }
        let mut pieces = Vec::new();
        let mut left = wanted;
        for index in order {
            if left == 0 {
                break;
            }
            let lot = &mut self.0[index];
            let taken = left.min(lot.credits);
            let value = match lot.value {
                Some(remaining) => {
                    let part = share(remaining, taken, lot.credits)?;
                    lot.value = Some(remaining.checked_sub(&part)?);
                    Some(part)
                }
                None => None,
            };
            lot.credits -= taken;
            left -= taken;
            pieces.push((
                value.map(|value| value.currency()),
                value.map_or(Decimal::ZERO, |value| value.amount()),
                -taken,
            ));
        }
        self.0.retain(|lot| lot.credits > 0);
        Ok(Valuation::from_pieces(pieces))
    }

    /// A money document of a credit purchase: an invoice or receipt bills the lot (sold), a
    /// credit note gives money back (refunded).
    ///
    /// # Errors
    /// [`LiabilityError::Money`] when the lot is valued in another currency or a sum overflows.
    pub fn apply_document(
        &mut self,
        credit_note: bool,
        purchase_id: PurchaseId,
        gross: Money,
    ) -> Result<(LiabilityBucket, Valuation), LiabilityError> {
        if credit_note {
            Ok((
                LiabilityBucket::Refunded,
                self.give_back(purchase_id, gross)?,
            ))
        } else {
            Ok((LiabilityBucket::Sold, self.bill(purchase_id, gross)?))
        }
    }

    /// An invoice or receipt of `purchase_id` billed `gross`: its lot (if any credits are left)
    /// is worth that much more, and its credits are paid credits from now on. Counted as sold.
    ///
    /// # Errors
    /// [`LiabilityError::Money`] when the lot is valued in another currency or a sum overflows.
    pub fn bill(
        &mut self,
        purchase_id: PurchaseId,
        gross: Money,
    ) -> Result<Valuation, LiabilityError> {
        let Some(lot) = self
            .0
            .iter_mut()
            .find(|lot| lot.purchase_id == Some(purchase_id))
        else {
            return Ok(Valuation::default());
        };
        let currency = Some(gross.currency());
        Ok(match lot.value {
            Some(value) => {
                lot.value = Some(value.checked_add(&gross)?);
                Valuation::from_pieces([(currency, gross.amount(), 0)])
            }
            None => {
                lot.value = Some(gross);
                Valuation::from_pieces([
                    (None, Decimal::ZERO, -lot.credits),
                    (currency, gross.amount(), lot.credits),
                ])
            }
        })
    }

    /// A credit note of `purchase_id` gave `amount` back while the credits stay: the lot's
    /// value falls by that much (never below zero). Counted as refunded.
    ///
    /// # Errors
    /// [`LiabilityError::Money`] when the lot is valued in another currency.
    pub fn give_back(
        &mut self,
        purchase_id: PurchaseId,
        amount: Money,
    ) -> Result<Valuation, LiabilityError> {
        let Some(lot) = self
            .0
            .iter_mut()
            .find(|lot| lot.purchase_id == Some(purchase_id))
        else {
            return Ok(Valuation::default());
        };
        let Some(value) = lot.value else {
            return Ok(Valuation::default());
        };
        let reduction = if amount.checked_cmp(&value)? == std::cmp::Ordering::Less {
            amount
        } else {
            value
        };
        lot.value = Some(value.checked_sub(&reduction)?);
        Ok(Valuation::from_pieces([(
            Some(value.currency()),
            reduction.amount(),
            0,
        )]))
    }
}

/// Summed valued movements per UTC hour and currency (`""` for free credits): the five buckets'
/// values in [`LiabilityBucket::ALL`] order, and the credits moved.
pub type LiabilitySums = BTreeMap<(OffsetDateTime, String), ([Decimal; 5], i64)>;

/// Adds a movement's valuation to the sums of its hour.
pub fn add_to_sums(
    sums: &mut LiabilitySums,
    hour: OffsetDateTime,
    bucket: LiabilityBucket,
    valuation: &Valuation,
) {
    let index = LiabilityBucket::ALL
        .iter()
        .position(|each| *each == bucket)
        .unwrap_or(0);
    for piece in &valuation.0 {
        let currency = piece
            .currency
            .map_or_else(String::new, |currency| currency.alpha_code().to_owned());
        let sum = sums
            .entry((hour, currency))
            .or_insert(([Decimal::ZERO; 5], 0));
        sum.0[index] += piece.value;
        sum.1 += piece.credits;
    }
}

/// What a stored movement was, for the replay check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordedMovement {
    /// A ledger entry.
    Entry {
        /// Its kind.
        kind: crate::LedgerEntryKind,
        /// Its signed change.
        delta: i64,
    },
    /// A money document of a credit purchase.
    Document {
        /// A credit note (money given back) rather than an invoice or receipt.
        credit_note: bool,
        /// Its gross amount.
        gross: Money,
    },
}

/// One stored movement of a customer with the valuation stored with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedValuation {
    /// How a person finds it (`ledger entry 7`, `document KSA-2026-000001`).
    pub name: String,
    /// What it was.
    pub movement: RecordedMovement,
    /// The purchase it belongs to.
    pub purchase_id: Option<PurchaseId>,
    /// The UTC hour it fell in.
    pub hour: OffsetDateTime,
    /// The valuation stored with it (`None`: nothing stored).
    pub stored: Option<Valuation>,
}

/// Replays one customer's movements (in the order they were written) and names every movement
/// whose stored valuation differs from the replay's, and the held lots if they differ; adds the
/// replay's valuations to `sums`.
#[must_use]
pub fn check_customer(
    movements: &[RecordedValuation],
    stored_lots: &CreditLots,
    sums: &mut LiabilitySums,
) -> Vec<String> {
    let mut lots = CreditLots::new();
    let mut problems = Vec::new();
    for movement in movements {
        let replayed = match &movement.movement {
            RecordedMovement::Entry { kind, delta } => {
                lots.apply_entry(*kind, *delta, movement.purchase_id)
            }
            RecordedMovement::Document { credit_note, gross } => match movement.purchase_id {
                Some(purchase_id) => lots.apply_document(*credit_note, purchase_id, *gross),
                None => Ok((LiabilityBucket::Sold, Valuation::default())),
            },
        };
        let (bucket, valuation) = match replayed {
            Ok(replayed) => replayed,
            Err(error) => {
                problems.push(format!("{}: {error}", movement.name));
                return problems;
            }
        };
        let expected = valuation.normalized();
        match &movement.stored {
            Some(stored) if stored.normalized() == expected => {}
            Some(stored) => problems.push(format!(
                "{} stores {} where the replay gives {}",
                movement.name,
                describe(stored),
                describe(&expected)
            )),
            // Never valued: written around Kasa's writers (a restore), so the summary never
            // counted it either; its hour is not blamed for it.
            None => {
                problems.push(format!(
                    "{} stores no valuation where the replay gives {}",
                    movement.name,
                    describe(&expected)
                ));
                continue;
            }
        }
        add_to_sums(sums, movement.hour, bucket, &valuation);
    }
    if &lots != stored_lots {
        problems.push(format!(
            "the holding keeps lots of {} credits worth {:?} where the replay gives {} credits worth {:?}",
            stored_lots.credits(),
            stored_lots.value_held().unwrap_or_default(),
            lots.credits(),
            lots.value_held().unwrap_or_default()
        ));
    }
    problems
}

fn describe(valuation: &Valuation) -> String {
    if valuation.0.is_empty() {
        return "nothing".to_owned();
    }
    valuation
        .0
        .iter()
        .map(|piece| match piece.currency {
            Some(currency) => format!("{} {} ({} credits)", piece.value, currency, piece.credits),
            None => format!("{} free credits", piece.credits),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LedgerEntryKind;
    use rust_decimal_macros::dec;

    fn try_money(amount: Decimal) -> Money {
        Money::new(amount, Currency::Try).unwrap()
    }

    #[test]
    fn the_finance_example_values_each_taking() {
        let first = PurchaseId::from_uuid(uuid::Uuid::from_u128(1));
        let second = PurchaseId::from_uuid(uuid::Uuid::from_u128(2));
        let mut lots = CreditLots::new();
        lots.apply_entry(LedgerEntryKind::Granted, 10, Some(first))
            .unwrap();
        let sold = lots.bill(first, try_money(dec!(100.00))).unwrap();
        assert_eq!(
            sold.0,
            vec![
                ValuedMove {
                    currency: None,
                    value: Decimal::ZERO,
                    credits: -10
                },
                ValuedMove {
                    currency: Some(Currency::Try),
                    value: dec!(100.00),
                    credits: 10
                }
            ]
        );
        let (bucket, consumed) = lots
            .apply_entry(LedgerEntryKind::Consumed, -2, None)
            .unwrap();
        assert_eq!(bucket, LiabilityBucket::Consumed);
        assert_eq!(consumed.0[0].value, dec!(20.00));
        lots.apply_entry(LedgerEntryKind::Granted, 50, Some(second))
            .unwrap();
        lots.bill(second, try_money(dec!(400.00))).unwrap();
        let consumed = lots.take(2, None).unwrap();
        assert_eq!(consumed.0[0].value, dec!(20.00));
        let refunded = lots.give_back(first, try_money(dec!(30.00))).unwrap();
        assert_eq!(refunded.0[0].value, dec!(30.00));
        assert_eq!(
            lots.value_held().unwrap()[&Currency::Try],
            try_money(dec!(430.00))
        );
        assert_eq!(lots.credits(), 56);
        let json = serde_json::to_string(&lots).unwrap();
        let back: CreditLots = serde_json::from_str(&json).unwrap();
        assert_eq!(back, lots);
    }

    #[test]
    fn rounding_never_loses_money_and_reversals_take_their_own_lot_first() {
        let first = PurchaseId::from_uuid(uuid::Uuid::from_u128(1));
        let second = PurchaseId::from_uuid(uuid::Uuid::from_u128(2));
        let mut lots = CreditLots::new();
        lots.apply_entry(LedgerEntryKind::Granted, 3, Some(first))
            .unwrap();
        lots.bill(first, try_money(dec!(10.00))).unwrap();
        lots.apply_entry(LedgerEntryKind::Granted, 5, Some(second))
            .unwrap();
        let taken: Vec<Decimal> = (0..3)
            .map(|_| lots.take(1, None).unwrap().0[0].value)
            .collect();
        assert_eq!(taken, vec![dec!(3.33), dec!(3.34), dec!(3.33)]);
        lots.apply_entry(LedgerEntryKind::Adjusted, 4, None)
            .unwrap();
        let (_, reversed) = lots
            .apply_entry(LedgerEntryKind::Reversed, -5, Some(second))
            .unwrap();
        assert_eq!(
            reversed.0,
            vec![ValuedMove {
                currency: None,
                value: Decimal::ZERO,
                credits: -5
            }]
        );
        assert_eq!(lots.credits(), 4);
        assert!(matches!(
            lots.take(5, None),
            Err(LiabilityError::NotEnoughCredits { wanted: 5, held: 4 })
        ));
        assert_eq!(lots.credits(), 4);
    }
}
