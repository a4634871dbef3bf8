//! Coupons: a code a customer enters at checkout for a discount on a package's price.
//!
//! The pricing rule lives here and nowhere else: a percentage discount is the price times the
//! percentage, rounded once to the currency's minor unit, half away from zero; a fixed discount
//! is the coupon's amount in the price's currency. A discount that would leave nothing (or less
//! than nothing) to pay is refused ([`CouponRefusal::CoversWholePrice`]): a paid purchase goes
//! through a payment gateway, and no gateway takes a zero payment. A 100 % coupon can be made
//! (for the day packages are granted with one), but it never applies at a checkout. Every reason
//! a coupon does not apply is a typed [`CouponRefusal`].

use std::collections::BTreeSet;
use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{CouponId, Currency, Money, MoneyError, PackageId};

/// A coupon's code: 1 to 40 of `A-Z`, `0-9`, `-` and `_`, held in upper case. Codes are
/// compared case-insensitively because they are normalised when made (`yaz25` is `YAZ25`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CouponCode(String);

/// Why a text is not a coupon code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a coupon code is 1 to 40 letters A-Z, digits, `-` or `_`")]
pub struct CouponCodeError;

impl CouponCode {
    /// The longest code accepted.
    pub const MAX_LENGTH: usize = 40;

    /// Normalises (trims, upper-cases) and checks a code.
    ///
    /// # Errors
    /// [`CouponCodeError`] when empty, too long, or with another character.
    pub fn new(text: &str) -> Result<Self, CouponCodeError> {
        let code = text.trim().to_ascii_uppercase();
        let valid = !code.is_empty()
            && code.len() <= Self::MAX_LENGTH
            && code.bytes().all(|byte| {
                byte.is_ascii_uppercase() || byte.is_ascii_digit() || byte == b'-' || byte == b'_'
            });
        if valid {
            Ok(Self(code))
        } else {
            Err(CouponCodeError)
        }
    }

    /// The code, upper case.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CouponCode {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl TryFrom<String> for CouponCode {
    type Error = CouponCodeError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::new(&text)
    }
}

impl From<CouponCode> for String {
    fn from(code: CouponCode) -> Self {
        code.0
    }
}

/// What a coupon takes off.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CouponDiscount {
    /// A share of the price: above 0 and at most 100 percent, at most two decimals.
    Percentage {
        /// The percentage (`12.5` is 12.5 %).
        percent: Decimal,
    },
    /// A fixed amount, one per currency; a price in a currency without one is refused.
    Fixed {
        /// The amounts, each above zero, one per currency.
        amounts: Vec<Money>,
    },
}

impl CouponDiscount {
    /// The discount on `price`, before the "something is left to pay" rule: a percentage is
    /// rounded once to the minor unit, half away from zero; a fixed amount is taken as it is.
    ///
    /// # Errors
    /// [`CouponRefusal::NoAmountInCurrency`] for a fixed discount without the price's currency.
    pub fn discount_on(&self, price: Money) -> Result<Money, CouponRefusal> {
        let currency = price.currency();
        match self {
            Self::Percentage { percent } => {
                let exact = price
                    .amount()
                    .checked_mul(*percent)
                    .and_then(|product| product.checked_div(Decimal::ONE_HUNDRED))
                    .ok_or(CouponRefusal::CoversWholePrice)?;
                let rounded = exact.round_dp_with_strategy(
                    currency.minor_unit_exponent(),
                    RoundingStrategy::MidpointAwayFromZero,
                );
                Money::new(rounded, currency).map_err(|_| CouponRefusal::CoversWholePrice)
            }
            Self::Fixed { amounts } => amounts
                .iter()
                .find(|amount| amount.currency() == currency)
                .copied()
                .ok_or(CouponRefusal::NoAmountInCurrency { currency }),
        }
    }

    fn check(&self) -> Result<(), CouponError> {
        match self {
            Self::Percentage { percent } => {
                if *percent <= Decimal::ZERO
                    || *percent > Decimal::ONE_HUNDRED
                    || percent.normalize().scale() > 2
                {
                    return Err(CouponError::InvalidPercentage(*percent));
                }
            }
            Self::Fixed { amounts } => {
                if amounts.is_empty() {
                    return Err(CouponError::NoAmounts);
                }
                let mut currencies = BTreeSet::new();
                for amount in amounts {
                    if !amount.is_positive() {
                        return Err(CouponError::AmountNotPositive(*amount));
                    }
                    if !currencies.insert(amount.currency().alpha_code()) {
                        return Err(CouponError::DuplicateCurrency(amount.currency()));
                    }
                }
            }
        }
        Ok(())
    }
}

/// What a coupon is: its code, discount, validity and limits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouponDefinition {
    /// The code customers type.
    pub code: CouponCode,
    /// What it takes off.
    pub discount: CouponDiscount,
    /// From when it applies.
    #[serde(with = "crate::instant")]
    pub valid_from: OffsetDateTime,
    /// Until when (exclusive); `None` for no end.
    #[serde(with = "crate::instant::option")]
    pub valid_until: Option<OffsetDateTime>,
    /// The packages it is limited to; empty for every package.
    pub package_ids: BTreeSet<PackageId>,
    /// How many purchases may use it in all; `None` for no limit.
    pub max_redemptions: Option<u32>,
    /// How many purchases of one customer may use it; `None` for no limit.
    pub max_per_customer: Option<u32>,
}

/// Why a coupon definition is not acceptable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CouponError {
    /// The percentage is not above 0 and at most 100 with at most two decimals.
    #[error("a percentage is above 0 and at most 100, with at most two decimals; got {0}")]
    InvalidPercentage(Decimal),
    /// A fixed discount without any amount.
    #[error("a fixed discount needs an amount in at least one currency")]
    NoAmounts,
    /// A fixed amount of zero or below.
    #[error("a fixed discount must be above zero, got {0}")]
    AmountNotPositive(Money),
    /// Two amounts in one currency.
    #[error("a fixed discount has one amount per currency; {0} appears twice")]
    DuplicateCurrency(Currency),
    /// `valid_until` is not after `valid_from`.
    #[error("the coupon must end after it starts")]
    EndsBeforeStart,
    /// A limit of zero (a coupon nobody could use).
    #[error("a redemption limit must be at least 1")]
    ZeroLimit,
}

/// How often a coupon has been used: by every customer, and by the one asking.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouponUsage {
    /// Purchases that use it (failed purchases do not count).
    pub total: u32,
    /// Of those, the asking customer's.
    pub by_customer: u32,
}

/// A price with a coupon applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouponPrice {
    /// The package's price.
    pub list_price: Money,
    /// What the coupon takes off (above or equal to zero, below the list price).
    pub discount: Money,
    /// What the customer pays: `list_price - discount`, above zero.
    pub price: Money,
}

/// Why a coupon does not apply. Each says what the customer can do about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum CouponRefusal {
    /// No coupon has this code.
    #[error("no coupon has this code")]
    Unknown,
    /// The coupon was switched off.
    #[error("the coupon is no longer offered")]
    Disabled,
    /// Its validity has not begun.
    #[error("the coupon is valid from {valid_from}")]
    NotYetValid {
        /// From when.
        #[serde(with = "crate::instant")]
        valid_from: OffsetDateTime,
    },
    /// Its validity has ended.
    #[error("the coupon ended at {valid_until}")]
    Expired {
        /// When it ended.
        #[serde(with = "crate::instant")]
        valid_until: OffsetDateTime,
    },
    /// It is limited to other packages.
    #[error("the coupon is not for this package")]
    NotForThisPackage,
    /// A fixed discount without an amount in the price's currency.
    #[error("the coupon has no amount in {currency}")]
    NoAmountInCurrency {
        /// The price's currency.
        currency: Currency,
    },
    /// Every redemption is taken.
    #[error("the coupon has been used up")]
    UsedUp,
    /// This customer used it as often as allowed.
    #[error("you have already used this coupon as often as allowed")]
    UsedUpForCustomer,
    /// The discount would leave nothing to pay through a payment gateway.
    #[error("the discount is as large as the price")]
    CoversWholePrice,
}

impl CouponRefusal {
    /// A stable machine-readable code (`coupon-used-up`), as the API reports it.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Unknown => "coupon-unknown",
            Self::Disabled => "coupon-disabled",
            Self::NotYetValid { .. } => "coupon-not-yet-valid",
            Self::Expired { .. } => "coupon-expired",
            Self::NotForThisPackage => "coupon-not-for-this-package",
            Self::NoAmountInCurrency { .. } => "coupon-no-amount-in-currency",
            Self::UsedUp => "coupon-used-up",
            Self::UsedUpForCustomer => "coupon-used-up-for-customer",
            Self::CoversWholePrice => "coupon-covers-whole-price",
        }
    }
}

/// A coupon as stored: its definition (checked when made), whether it is on, and when it was
/// made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Coupon {
    /// Its id.
    pub id: CouponId,
    definition: CouponDefinition,
    /// Whether it applies at all (a disabled coupon is never switched on again).
    pub enabled: bool,
    /// When it was made.
    #[serde(with = "crate::instant")]
    pub created_at: OffsetDateTime,
}

impl Coupon {
    /// Makes a coupon, checking its definition.
    ///
    /// # Errors
    /// [`CouponError`] naming the broken rule.
    pub fn new(
        id: CouponId,
        definition: CouponDefinition,
        enabled: bool,
        created_at: OffsetDateTime,
    ) -> Result<Self, CouponError> {
        definition.discount.check()?;
        if definition
            .valid_until
            .is_some_and(|until| until <= definition.valid_from)
        {
            return Err(CouponError::EndsBeforeStart);
        }
        if definition.max_redemptions == Some(0) || definition.max_per_customer == Some(0) {
            return Err(CouponError::ZeroLimit);
        }
        Ok(Self {
            id,
            definition,
            enabled,
            created_at,
        })
    }

    /// What it is.
    #[must_use]
    pub const fn definition(&self) -> &CouponDefinition {
        &self.definition
    }

    /// Its code.
    #[must_use]
    pub const fn code(&self) -> &CouponCode {
        &self.definition.code
    }

    /// The price of `package_id` at `list_price` with this coupon at `now`, given how often it
    /// was used; or why it does not apply. The checks run in the order a customer can act on:
    /// switched off, not yet / no longer valid, wrong package, wrong currency, used up (in all,
    /// then by this customer), and last the discount leaving nothing to pay.
    ///
    /// # Errors
    /// [`CouponRefusal`].
    pub fn price_for(
        &self,
        package_id: PackageId,
        list_price: Money,
        usage: CouponUsage,
        now: OffsetDateTime,
    ) -> Result<CouponPrice, CouponRefusal> {
        let definition = &self.definition;
        if !self.enabled {
            return Err(CouponRefusal::Disabled);
        }
        if now < definition.valid_from {
            return Err(CouponRefusal::NotYetValid {
                valid_from: definition.valid_from,
            });
        }
        if let Some(valid_until) = definition.valid_until
            && now >= valid_until
        {
            return Err(CouponRefusal::Expired { valid_until });
        }
        if !definition.package_ids.is_empty() && !definition.package_ids.contains(&package_id) {
            return Err(CouponRefusal::NotForThisPackage);
        }
        let discount = definition.discount.discount_on(list_price)?;
        if definition
            .max_redemptions
            .is_some_and(|max| usage.total >= max)
        {
            return Err(CouponRefusal::UsedUp);
        }
        if definition
            .max_per_customer
            .is_some_and(|max| usage.by_customer >= max)
        {
            return Err(CouponRefusal::UsedUpForCustomer);
        }
        let price = list_price
            .checked_sub(&discount)
            .map_err(|_: MoneyError| CouponRefusal::CoversWholePrice)?;
        if !price.is_positive() {
            return Err(CouponRefusal::CoversWholePrice);
        }
        Ok(CouponPrice {
            list_price,
            discount,
            price,
        })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rust_decimal_macros::dec;
    use time::macros::datetime;
    use uuid::Uuid;

    use super::*;

    fn try_(amount: Decimal) -> Money {
        Money::new(amount, Currency::Try).unwrap()
    }

    fn package() -> PackageId {
        PackageId::from_uuid(Uuid::from_u128(1))
    }

    fn coupon(discount: CouponDiscount) -> Coupon {
        Coupon::new(
            CouponId::from_uuid(Uuid::from_u128(9)),
            CouponDefinition {
                code: CouponCode::new("yaz25").unwrap(),
                discount,
                valid_from: datetime!(2026-06-01 00:00 UTC),
                valid_until: Some(datetime!(2026-09-01 00:00 UTC)),
                package_ids: BTreeSet::new(),
                max_redemptions: Some(10),
                max_per_customer: Some(1),
            },
            true,
            datetime!(2026-05-01 00:00 UTC),
        )
        .unwrap()
    }

    const SUMMER: OffsetDateTime = datetime!(2026-07-01 12:00 UTC);

    #[test]
    fn codes_are_normalised_to_upper_case_and_checked() {
        assert_eq!(CouponCode::new(" yaz-25_a ").unwrap().as_str(), "YAZ-25_A");
        assert_eq!(CouponCode::new("Yaz25"), CouponCode::new("YAZ25"));
        for bad in ["", "   ", "yaz 25", "yaz%", "ıyaz", &"A".repeat(41)] {
            assert_eq!(CouponCode::new(bad), Err(CouponCodeError), "{bad:?}");
        }
    }

    #[test]
    fn a_percentage_is_rounded_once_half_away_from_zero() {
        // 12.5 % of 0.20 is 0.025: rounded away from zero, 0.03.
        let coupon = coupon(CouponDiscount::Percentage {
            percent: dec!(12.5),
        });
        let price = coupon
            .price_for(package(), try_(dec!(0.20)), CouponUsage::default(), SUMMER)
            .unwrap();
        assert_eq!(price.discount, try_(dec!(0.03)));
        assert_eq!(price.price, try_(dec!(0.17)));
        let price = coupon
            .price_for(package(), try_(dec!(400)), CouponUsage::default(), SUMMER)
            .unwrap();
        assert_eq!(
            (price.discount, price.price),
            (try_(dec!(50)), try_(dec!(350)))
        );
    }

    #[test]
    fn a_fixed_discount_takes_its_amount_in_the_price_currency() {
        let coupon = coupon(CouponDiscount::Fixed {
            amounts: vec![try_(dec!(100)), Money::new(dec!(5), Currency::Usd).unwrap()],
        });
        let price = coupon
            .price_for(package(), try_(dec!(400)), CouponUsage::default(), SUMMER)
            .unwrap();
        assert_eq!(price.price, try_(dec!(300)));
        let euros = Money::new(dec!(40), Currency::Eur).unwrap();
        assert_eq!(
            coupon.price_for(package(), euros, CouponUsage::default(), SUMMER),
            Err(CouponRefusal::NoAmountInCurrency {
                currency: Currency::Eur
            })
        );
    }

    #[test]
    fn every_refusal_is_typed() {
        let base = coupon(CouponDiscount::Percentage { percent: dec!(10) });
        let price = try_(dec!(400));
        let free = CouponUsage::default();
        let cases: Vec<(Coupon, CouponUsage, OffsetDateTime, CouponRefusal)> = vec![
            (
                Coupon {
                    enabled: false,
                    ..base.clone()
                },
                free,
                SUMMER,
                CouponRefusal::Disabled,
            ),
            (
                base.clone(),
                free,
                datetime!(2026-05-31 23:59 UTC),
                CouponRefusal::NotYetValid {
                    valid_from: datetime!(2026-06-01 00:00 UTC),
                },
            ),
            (
                base.clone(),
                free,
                datetime!(2026-09-01 00:00 UTC),
                CouponRefusal::Expired {
                    valid_until: datetime!(2026-09-01 00:00 UTC),
                },
            ),
            (
                Coupon {
                    definition: CouponDefinition {
                        package_ids: BTreeSet::from([PackageId::from_uuid(Uuid::from_u128(2))]),
                        ..base.definition.clone()
                    },
                    ..base.clone()
                },
                free,
                SUMMER,
                CouponRefusal::NotForThisPackage,
            ),
            (
                base.clone(),
                CouponUsage {
                    total: 10,
                    by_customer: 0,
                },
                SUMMER,
                CouponRefusal::UsedUp,
            ),
            (
                base.clone(),
                CouponUsage {
                    total: 3,
                    by_customer: 1,
                },
                SUMMER,
                CouponRefusal::UsedUpForCustomer,
            ),
            (
                coupon(CouponDiscount::Percentage { percent: dec!(100) }),
                free,
                SUMMER,
                CouponRefusal::CoversWholePrice,
            ),
            (
                coupon(CouponDiscount::Fixed {
                    amounts: vec![try_(dec!(400))],
                }),
                free,
                SUMMER,
                CouponRefusal::CoversWholePrice,
            ),
            (
                coupon(CouponDiscount::Fixed {
                    amounts: vec![try_(dec!(500))],
                }),
                free,
                SUMMER,
                CouponRefusal::CoversWholePrice,
            ),
        ];
        for (coupon, usage, now, refusal) in cases {
            assert_eq!(coupon.price_for(package(), price, usage, now), Err(refusal));
        }
    }

    #[test]
    fn definitions_are_checked() {
        let base = coupon(CouponDiscount::Percentage { percent: dec!(10) });
        let make = |definition: CouponDefinition| {
            Coupon::new(base.id, definition, true, base.created_at).map(|_| ())
        };
        let with = |discount| CouponDefinition {
            discount,
            ..base.definition.clone()
        };
        for percent in [dec!(0), dec!(-5), dec!(100.01), dec!(10.125)] {
            assert_eq!(
                make(with(CouponDiscount::Percentage { percent })),
                Err(CouponError::InvalidPercentage(percent))
            );
        }
        assert_eq!(
            make(with(CouponDiscount::Fixed { amounts: vec![] })),
            Err(CouponError::NoAmounts)
        );
        assert_eq!(
            make(with(CouponDiscount::Fixed {
                amounts: vec![try_(dec!(1)), try_(dec!(2))]
            })),
            Err(CouponError::DuplicateCurrency(Currency::Try))
        );
        assert_eq!(
            make(with(CouponDiscount::Fixed {
                amounts: vec![try_(dec!(0))]
            })),
            Err(CouponError::AmountNotPositive(try_(dec!(0))))
        );
        assert_eq!(
            make(CouponDefinition {
                valid_until: Some(base.definition.valid_from),
                ..base.definition.clone()
            }),
            Err(CouponError::EndsBeforeStart)
        );
        assert_eq!(
            make(CouponDefinition {
                max_per_customer: Some(0),
                ..base.definition.clone()
            }),
            Err(CouponError::ZeroLimit)
        );
    }

    proptest! {
        #[test]
        fn a_discounted_price_is_the_list_price_less_a_rounded_share(
            minor in 1_i64..100_000_000,
            hundredths in 1_u32..=10_000,
        ) {
            let list_price = Money::from_minor_units(minor, Currency::Try).unwrap();
            let percent = Decimal::new(i64::from(hundredths), 2);
            let coupon = coupon(CouponDiscount::Percentage { percent });
            match coupon.price_for(package(), list_price, CouponUsage::default(), SUMMER) {
                Ok(price) => {
                    prop_assert!(price.price.is_positive());
                    prop_assert!(!price.discount.amount().is_sign_negative());
                    prop_assert_eq!(price.list_price.checked_sub(&price.discount).unwrap(), price.price);
                    // Rounded once: within half a minor unit of the exact share.
                    let exact = list_price.amount() * percent / Decimal::ONE_HUNDRED;
                    prop_assert!((price.discount.amount() - exact).abs() <= dec!(0.005));
                }
                Err(refusal) => {
                    prop_assert_eq!(refusal, CouponRefusal::CoversWholePrice);
                    let exact = list_price.amount() * percent / Decimal::ONE_HUNDRED;
                    prop_assert!(list_price.amount() - exact < dec!(0.005));
                }
            }
        }

        #[test]
        fn a_fixed_discount_never_leaves_a_zero_or_negative_price(
            price_minor in 1_i64..10_000_000,
            discount_minor in 1_i64..10_000_000,
        ) {
            let list_price = Money::from_minor_units(price_minor, Currency::Try).unwrap();
            let amount = Money::from_minor_units(discount_minor, Currency::Try).unwrap();
            let coupon = coupon(CouponDiscount::Fixed { amounts: vec![amount] });
            let priced = coupon.price_for(package(), list_price, CouponUsage::default(), SUMMER);
            if discount_minor < price_minor {
                let price = priced.unwrap();
                prop_assert_eq!(price.price.to_minor_units().unwrap(), price_minor - discount_minor);
            } else {
                prop_assert_eq!(priced, Err(CouponRefusal::CoversWholePrice));
            }
        }
    }
}
