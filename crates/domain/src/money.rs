//! Money: a decimal amount in one currency. No floats, checked arithmetic, no silent mixing of
//! currencies, and no more decimals than the currency has minor units.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// An ISO 4217 currency Kasa can sell in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum Currency {
    /// Turkish lira.
    Try,
    /// US dollar.
    Usd,
    /// Euro.
    Eur,
    /// Pound sterling.
    Gbp,
}

impl Currency {
    /// Every supported currency.
    pub const ALL: [Self; 4] = [Self::Try, Self::Usd, Self::Eur, Self::Gbp];

    /// The ISO 4217 alphabetic code, e.g. `TRY`.
    #[must_use]
    pub const fn alpha_code(self) -> &'static str {
        match self {
            Self::Try => "TRY",
            Self::Usd => "USD",
            Self::Eur => "EUR",
            Self::Gbp => "GBP",
        }
    }

    /// The ISO 4217 numeric code, e.g. 949 for TRY (NestPay wants this one).
    #[must_use]
    pub const fn numeric_code(self) -> u16 {
        match self {
            Self::Try => 949,
            Self::Usd => 840,
            Self::Eur => 978,
            Self::Gbp => 826,
        }
    }

    /// How many decimal places the minor unit has (2 for kuruş, cents and pence).
    #[must_use]
    pub const fn minor_unit_exponent(self) -> u32 {
        match self {
            Self::Try | Self::Usd | Self::Eur | Self::Gbp => 2,
        }
    }

    /// The currency sign used on invoices and pages.
    #[must_use]
    pub const fn symbol(self) -> &'static str {
        match self {
            Self::Try => "₺",
            Self::Usd => "$",
            Self::Eur => "€",
            Self::Gbp => "£",
        }
    }

    /// Looks a currency up by its ISO 4217 numeric code.
    #[must_use]
    pub fn from_numeric_code(code: u16) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|currency| currency.numeric_code() == code)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.alpha_code())
    }
}

impl FromStr for Currency {
    type Err = MoneyError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|currency| currency.alpha_code().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| MoneyError::UnknownCurrency(text.to_owned()))
    }
}

impl From<Currency> for String {
    fn from(currency: Currency) -> Self {
        currency.alpha_code().to_owned()
    }
}

impl TryFrom<String> for Currency {
    type Error = MoneyError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

/// Why a money value could not be made or computed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// The currency code is not one Kasa knows.
    #[error("unknown currency `{0}`; use one of TRY, USD, EUR, GBP")]
    UnknownCurrency(String),
    /// The amount has more decimals than the currency's minor unit.
    #[error("{amount} has more than {exponent} decimals, the smallest unit of {currency}")]
    TooPrecise {
        /// The amount as given.
        amount: Decimal,
        /// The currency.
        currency: Currency,
        /// Its minor-unit exponent.
        exponent: u32,
    },
    /// Two amounts in different currencies were combined.
    #[error("cannot combine {left} with {right}")]
    CurrencyMismatch {
        /// The left operand's currency.
        left: Currency,
        /// The right operand's currency.
        right: Currency,
    },
    /// The result does not fit.
    #[error("amount out of range")]
    Overflow,
    /// A price or payment amount must not be negative.
    #[error("amount must not be negative, got {0}")]
    Negative(Decimal),
}

/// An amount of money in one currency.
///
/// The amount never has more decimals than the currency's minor unit; values with trailing zeros
/// are normalised to exactly that many decimals (`10` TRY is held as `10.00`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "MoneyParts", into = "MoneyParts")]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

#[derive(Serialize, Deserialize)]
struct MoneyParts {
    amount: Decimal,
    currency: Currency,
}

impl TryFrom<MoneyParts> for Money {
    type Error = MoneyError;

    fn try_from(parts: MoneyParts) -> Result<Self, Self::Error> {
        Self::new(parts.amount, parts.currency)
    }
}

impl From<Money> for MoneyParts {
    fn from(money: Money) -> Self {
        Self {
            amount: money.amount,
            currency: money.currency,
        }
    }
}

impl Money {
    /// Makes an amount, refusing more decimals than the currency has.
    ///
    /// # Errors
    /// [`MoneyError::TooPrecise`] when `amount` has digits below the minor unit.
    pub fn new(amount: Decimal, currency: Currency) -> Result<Self, MoneyError> {
        let exponent = currency.minor_unit_exponent();
        let normalized = amount.normalize();
        if normalized.scale() > exponent {
            return Err(MoneyError::TooPrecise {
                amount,
                currency,
                exponent,
            });
        }
        let mut held = normalized;
        held.rescale(exponent);
        Ok(Self {
            amount: held,
            currency,
        })
    }

    /// Makes a non-negative amount, as prices and payments are.
    ///
    /// # Errors
    /// [`MoneyError::Negative`] or [`MoneyError::TooPrecise`].
    pub fn non_negative(amount: Decimal, currency: Currency) -> Result<Self, MoneyError> {
        if amount.is_sign_negative() && !amount.is_zero() {
            return Err(MoneyError::Negative(amount));
        }
        Self::new(amount, currency)
    }

    /// Zero in `currency`.
    #[must_use]
    pub fn zero(currency: Currency) -> Self {
        let mut amount = Decimal::ZERO;
        amount.rescale(currency.minor_unit_exponent());
        Self { amount, currency }
    }

    /// Makes an amount from integer minor units (kuruş, cents), as Stripe sends them.
    ///
    /// # Errors
    /// [`MoneyError::Overflow`] is impossible for `i64` input but kept for symmetry.
    pub fn from_minor_units(minor_units: i64, currency: Currency) -> Result<Self, MoneyError> {
        let amount = Decimal::new(minor_units, currency.minor_unit_exponent());
        Self::new(amount, currency)
    }

    /// The amount in integer minor units, as Stripe wants them.
    ///
    /// # Errors
    /// [`MoneyError::Overflow`] when it does not fit in an `i64`.
    pub fn to_minor_units(&self) -> Result<i64, MoneyError> {
        let scaled = self.amount.mantissa();
        i64::try_from(scaled).map_err(|_| MoneyError::Overflow)
    }

    /// The decimal amount.
    #[must_use]
    pub const fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency.
    #[must_use]
    pub const fn currency(&self) -> Currency {
        self.currency
    }

    /// Whether the amount is zero.
    #[must_use]
    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    /// Whether the amount is above zero.
    #[must_use]
    pub fn is_positive(&self) -> bool {
        self.amount > Decimal::ZERO
    }

    /// `self + other`.
    ///
    /// # Errors
    /// [`MoneyError::CurrencyMismatch`] or [`MoneyError::Overflow`].
    pub fn checked_add(&self, other: &Self) -> Result<Self, MoneyError> {
        self.same_currency(other)?;
        let sum = self
            .amount
            .checked_add(other.amount)
            .ok_or(MoneyError::Overflow)?;
        Self::new(sum, self.currency)
    }

    /// `self - other`.
    ///
    /// # Errors
    /// [`MoneyError::CurrencyMismatch`] or [`MoneyError::Overflow`].
    pub fn checked_sub(&self, other: &Self) -> Result<Self, MoneyError> {
        self.same_currency(other)?;
        let difference = self
            .amount
            .checked_sub(other.amount)
            .ok_or(MoneyError::Overflow)?;
        Self::new(difference, self.currency)
    }

    /// Compares two amounts of the same currency.
    ///
    /// # Errors
    /// [`MoneyError::CurrencyMismatch`].
    pub fn checked_cmp(&self, other: &Self) -> Result<std::cmp::Ordering, MoneyError> {
        self.same_currency(other)?;
        Ok(self.amount.cmp(&other.amount))
    }

    /// `self × numerator ÷ denominator`, rounded once to the minor unit, half away from zero
    /// (the rounding used for prorated refunds).
    ///
    /// # Errors
    /// [`MoneyError::Overflow`] on overflow or a zero denominator.
    pub fn prorate(&self, numerator: u32, denominator: u32) -> Result<Self, MoneyError> {
        if denominator == 0 {
            return Err(MoneyError::Overflow);
        }
        let product = self
            .amount
            .checked_mul(Decimal::from(numerator))
            .ok_or(MoneyError::Overflow)?;
        let quotient = product
            .checked_div(Decimal::from(denominator))
            .ok_or(MoneyError::Overflow)?;
        let rounded = quotient.round_dp_with_strategy(
            self.currency.minor_unit_exponent(),
            rust_decimal::RoundingStrategy::MidpointAwayFromZero,
        );
        Self::new(rounded, self.currency)
    }

    fn same_currency(&self, other: &Self) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            })
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{} {}", self.amount, self.currency)
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    #[test]
    fn currencies_carry_their_iso_codes() {
        let table = [
            (Currency::Try, "TRY", 949, 2),
            (Currency::Usd, "USD", 840, 2),
            (Currency::Eur, "EUR", 978, 2),
            (Currency::Gbp, "GBP", 826, 2),
        ];
        for (currency, alpha, numeric, exponent) in table {
            assert_eq!(currency.alpha_code(), alpha);
            assert_eq!(currency.numeric_code(), numeric);
            assert_eq!(currency.minor_unit_exponent(), exponent);
            assert_eq!(alpha.parse::<Currency>(), Ok(currency));
            assert_eq!(alpha.to_lowercase().parse::<Currency>(), Ok(currency));
            assert_eq!(Currency::from_numeric_code(numeric), Some(currency));
        }
        assert!("XYZ".parse::<Currency>().is_err());
    }

    #[test]
    fn amounts_are_normalised_to_the_minor_unit() {
        let money = Money::new(dec!(10), Currency::Try).unwrap();
        assert_eq!(money.amount().to_string(), "10.00");
        assert_eq!(
            Money::new(dec!(10.500), Currency::Try)
                .unwrap()
                .amount()
                .to_string(),
            "10.50"
        );
        assert!(matches!(
            Money::new(dec!(10.001), Currency::Try),
            Err(MoneyError::TooPrecise { .. })
        ));
    }

    #[test]
    fn minor_units_round_trip() {
        let money = Money::from_minor_units(12_345, Currency::Eur).unwrap();
        assert_eq!(money.amount(), dec!(123.45));
        assert_eq!(money.to_minor_units(), Ok(12_345));
        assert_eq!(
            Money::new(dec!(1), Currency::Usd).unwrap().to_minor_units(),
            Ok(100)
        );
    }

    #[test]
    fn currencies_never_mix() {
        let lira = Money::new(dec!(1), Currency::Try).unwrap();
        let euro = Money::new(dec!(1), Currency::Eur).unwrap();
        assert!(matches!(
            lira.checked_add(&euro),
            Err(MoneyError::CurrencyMismatch { .. })
        ));
        assert!(matches!(
            lira.checked_sub(&euro),
            Err(MoneyError::CurrencyMismatch { .. })
        ));
        assert_eq!(lira.checked_add(&lira).unwrap().amount(), dec!(2.00));
    }

    #[test]
    fn negative_prices_are_refused() {
        assert!(matches!(
            Money::non_negative(dec!(-1), Currency::Try),
            Err(MoneyError::Negative(_))
        ));
        assert!(Money::non_negative(dec!(0), Currency::Try).is_ok());
    }

    #[test]
    fn proration_rounds_once_half_away_from_zero() {
        let price = Money::new(dec!(100.00), Currency::Try).unwrap();
        assert_eq!(price.prorate(1, 3).unwrap().amount(), dec!(33.33));
        assert_eq!(price.prorate(2, 3).unwrap().amount(), dec!(66.67));
        let odd = Money::new(dec!(0.05), Currency::Try).unwrap();
        assert_eq!(odd.prorate(1, 2).unwrap().amount(), dec!(0.03));
        assert!(price.prorate(1, 0).is_err());
    }

    #[test]
    fn money_serialises_as_a_decimal_string_and_currency_code() {
        let money = Money::new(dec!(95.93), Currency::Try).unwrap();
        let json = serde_json::to_string(&money).unwrap();
        assert_eq!(json, r#"{"amount":"95.93","currency":"TRY"}"#);
        let back: Money = serde_json::from_str(&json).unwrap();
        assert_eq!(back, money);
        assert!(serde_json::from_str::<Money>(r#"{"amount":"1.001","currency":"TRY"}"#).is_err());
    }
}
