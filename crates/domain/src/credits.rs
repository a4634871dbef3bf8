//! Credits: what a credit package grants and a ticket or chat consumes. Not money: a whole,
//! never-negative number with its own type.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A whole, non-negative number of credits.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(try_from = "i64", into = "i64")]
pub struct Credits(i64);

/// Why a number is not a valid amount of credits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CreditsError {
    /// Credits are never negative.
    #[error("credits must not be negative, got {0}")]
    Negative(i64),
}

impl Credits {
    /// No credits.
    pub const ZERO: Self = Self(0);

    /// Makes an amount of credits.
    ///
    /// # Errors
    /// [`CreditsError::Negative`] for a negative number.
    pub const fn new(amount: i64) -> Result<Self, CreditsError> {
        if amount < 0 {
            Err(CreditsError::Negative(amount))
        } else {
            Ok(Self(amount))
        }
    }

    /// Makes an amount from an unsigned number, which is always valid.
    #[must_use]
    pub const fn from_u32(amount: u32) -> Self {
        Self(amount as i64)
    }

    /// The number of credits.
    #[must_use]
    pub const fn get(self) -> i64 {
        self.0
    }

    /// Whether this is zero.
    #[must_use]
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// `self + other`, `None` on overflow.
    #[must_use]
    pub fn checked_add(self, other: Self) -> Option<Self> {
        self.0.checked_add(other.0).map(Self)
    }

    /// `self - other`, `None` when the result would be negative.
    #[must_use]
    pub fn checked_sub(self, other: Self) -> Option<Self> {
        self.0
            .checked_sub(other.0)
            .filter(|left| *left >= 0)
            .map(Self)
    }
}

impl TryFrom<i64> for Credits {
    type Error = CreditsError;

    fn try_from(amount: i64) -> Result<Self, Self::Error> {
        Self::new(amount)
    }
}

impl From<Credits> for i64 {
    fn from(credits: Credits) -> Self {
        credits.0
    }
}

impl fmt::Display for Credits {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(formatter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credits_are_never_negative() {
        assert_eq!(Credits::new(-1), Err(CreditsError::Negative(-1)));
        assert_eq!(Credits::new(0), Ok(Credits::ZERO));
        assert_eq!(Credits::from_u32(3).checked_sub(Credits::from_u32(4)), None);
        assert_eq!(
            Credits::from_u32(3).checked_sub(Credits::from_u32(3)),
            Some(Credits::ZERO)
        );
        assert!(Credits::try_from(-5).is_err());
        assert_eq!(
            Credits::from_u32(2).checked_add(Credits::from_u32(3)),
            Some(Credits::from_u32(5))
        );
    }
}
