//! Value-added tax (KDV) on invoice lines. Prices are either tax-inclusive (the package price is
//! what the customer pays) or tax-exclusive (tax is added on top), per the seller's settings.
//!
//! Rounding happens once per line, at the currency's minor unit, half away from zero: the
//! line's tax is computed and rounded, and the other amount follows by addition or subtraction,
//! so `net + tax = gross` holds exactly on every line and therefore on the totals, which are
//! plain sums of the lines.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::{Money, MoneyError};

/// A tax rate in percent, 0 to 100 (e.g. 20 for the standard KDV rate).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Decimal", into = "Decimal")]
pub struct TaxRate(Decimal);

/// A rate outside 0-100 %.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a tax rate is between 0 and 100 percent, got {0}")]
pub struct TaxRateError(pub Decimal);

impl TryFrom<Decimal> for TaxRate {
    type Error = TaxRateError;

    fn try_from(percent: Decimal) -> Result<Self, Self::Error> {
        Self::new(percent)
    }
}

impl From<TaxRate> for Decimal {
    fn from(rate: TaxRate) -> Self {
        rate.0
    }
}

impl TaxRate {
    /// A rate in percent.
    ///
    /// # Errors
    /// [`TaxRateError`] outside 0-100.
    pub fn new(percent: Decimal) -> Result<Self, TaxRateError> {
        if percent.is_sign_negative() || percent > Decimal::ONE_HUNDRED {
            return Err(TaxRateError(percent));
        }
        Ok(Self(percent.normalize()))
    }

    /// The rate in percent.
    #[must_use]
    pub const fn percent(self) -> Decimal {
        self.0
    }
}

/// Whether prices include the tax.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceBasis {
    /// The price is what the customer pays; the tax is inside it.
    TaxInclusive,
    /// The tax is added to the price.
    TaxExclusive,
}

/// The amounts of one line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxedAmount {
    /// Before tax.
    pub net: Money,
    /// The tax.
    pub tax: Money,
    /// What the customer pays.
    pub gross: Money,
}

impl TaxedAmount {
    /// Splits (tax-inclusive) or extends (tax-exclusive) `price` at `rate`, rounding the tax
    /// once.
    ///
    /// # Errors
    /// [`MoneyError::Overflow`] on absurd amounts.
    pub fn of(price: Money, rate: TaxRate, basis: PriceBasis) -> Result<Self, MoneyError> {
        let currency = price.currency();
        let percent = rate.percent();
        let exact_tax = match basis {
            PriceBasis::TaxExclusive => price
                .amount()
                .checked_mul(percent)
                .and_then(|product| product.checked_div(Decimal::ONE_HUNDRED)),
            PriceBasis::TaxInclusive => price
                .amount()
                .checked_mul(percent)
                .and_then(|product| product.checked_div(Decimal::ONE_HUNDRED + percent)),
        }
        .ok_or(MoneyError::Overflow)?;
        let tax = Money::new(
            exact_tax.round_dp_with_strategy(
                currency.minor_unit_exponent(),
                RoundingStrategy::MidpointAwayFromZero,
            ),
            currency,
        )?;
        Ok(match basis {
            PriceBasis::TaxExclusive => Self {
                net: price,
                tax,
                gross: price.checked_add(&tax)?,
            },
            PriceBasis::TaxInclusive => Self {
                net: price.checked_sub(&tax)?,
                tax,
                gross: price,
            },
        })
    }

    /// The sum of several lines.
    ///
    /// # Errors
    /// [`MoneyError::CurrencyMismatch`] when lines differ in currency, [`MoneyError::Overflow`].
    pub fn total(lines: &[Self], currency: crate::Currency) -> Result<Self, MoneyError> {
        let zero = Money::zero(currency);
        lines.iter().try_fold(
            Self {
                net: zero,
                tax: zero,
                gross: zero,
            },
            |sum, line| {
                Ok(Self {
                    net: sum.net.checked_add(&line.net)?,
                    tax: sum.tax.checked_add(&line.tax)?,
                    gross: sum.gross.checked_add(&line.gross)?,
                })
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    use super::*;
    use crate::Currency;

    fn lira(amount: Decimal) -> Money {
        Money::new(amount, Currency::Try).unwrap()
    }

    #[test]
    fn kdv_is_split_out_of_an_inclusive_price_and_added_to_an_exclusive_one() {
        let rate = TaxRate::new(dec!(20)).unwrap();
        let inclusive =
            TaxedAmount::of(lira(dec!(120.00)), rate, PriceBasis::TaxInclusive).unwrap();
        assert_eq!(
            (inclusive.net, inclusive.tax, inclusive.gross),
            (lira(dec!(100.00)), lira(dec!(20.00)), lira(dec!(120.00)))
        );
        let exclusive =
            TaxedAmount::of(lira(dec!(100.00)), rate, PriceBasis::TaxExclusive).unwrap();
        assert_eq!(
            (exclusive.net, exclusive.tax, exclusive.gross),
            (lira(dec!(100.00)), lira(dec!(20.00)), lira(dec!(120.00)))
        );
    }

    #[test]
    fn the_tax_is_rounded_once_half_away_from_zero() {
        let rate = TaxRate::new(dec!(20)).unwrap();
        // 99.99 × 20/120 = 16.665 → 16.67; net follows: 83.32.
        let line = TaxedAmount::of(lira(dec!(99.99)), rate, PriceBasis::TaxInclusive).unwrap();
        assert_eq!((line.net, line.tax), (lira(dec!(83.32)), lira(dec!(16.67))));
        // 0.05 × 10% = 0.005, exactly half a kuruş → 0.01.
        let ten = TaxRate::new(dec!(10)).unwrap();
        let line = TaxedAmount::of(lira(dec!(0.05)), ten, PriceBasis::TaxExclusive).unwrap();
        assert_eq!(line.tax, lira(dec!(0.01)));
        let zero = TaxedAmount::of(
            lira(dec!(10)),
            TaxRate::new(dec!(0)).unwrap(),
            PriceBasis::TaxInclusive,
        )
        .unwrap();
        assert_eq!((zero.net, zero.tax), (lira(dec!(10)), lira(dec!(0))));
    }

    #[test]
    fn rates_outside_zero_to_a_hundred_are_refused() {
        assert!(TaxRate::new(dec!(-1)).is_err());
        assert!(TaxRate::new(dec!(100.01)).is_err());
        assert!(TaxRate::new(dec!(100)).is_ok());
        let parsed: Result<TaxRate, _> = serde_json::from_str("\"120\"");
        assert!(parsed.is_err());
    }

    proptest! {
        #[test]
        fn net_plus_tax_is_gross_on_every_line_and_on_the_total(
            cents in proptest::collection::vec(0_i64..10_000_000, 1..8),
            rate in 0_u32..=100,
            inclusive in any::<bool>(),
        ) {
            let rate = TaxRate::new(Decimal::from(rate)).unwrap();
            let basis = if inclusive { PriceBasis::TaxInclusive } else { PriceBasis::TaxExclusive };
            let lines: Vec<TaxedAmount> = cents
                .iter()
                .map(|cents| {
                    TaxedAmount::of(Money::from_minor_units(*cents, Currency::Try).unwrap(), rate, basis)
                        .unwrap()
                })
                .collect();
            for line in &lines {
                prop_assert_eq!(line.net.checked_add(&line.tax).unwrap(), line.gross);
                prop_assert!(!line.tax.amount().is_sign_negative());
            }
            let total = TaxedAmount::total(&lines, Currency::Try).unwrap();
            prop_assert_eq!(total.net.checked_add(&total.tax).unwrap(), total.gross);
        }
    }
}
