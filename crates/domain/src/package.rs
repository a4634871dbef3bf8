//! Billing packages (product rule 2): credit-based (N credits) or subscription-based (N days),
//! covering one or more departments, priced in one currency, on sale or not.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::{Credits, DepartmentId, Money, PackageId};

/// What a package gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PackageKind {
    /// A number of credits, added to the balance.
    Credit {
        /// Credits granted per purchase.
        credits: Credits,
    },
    /// A number of days of access to the package's departments.
    Subscription {
        /// Length of one term in days.
        days: u32,
    },
}

impl PackageKind {
    /// Whether two kinds are the same kind (both credit or both subscription).
    #[must_use]
    pub const fn same_kind_as(&self, other: &Self) -> bool {
        matches!(
            (self, other),
            (Self::Credit { .. }, Self::Credit { .. })
                | (Self::Subscription { .. }, Self::Subscription { .. })
        )
    }

    /// `credit` or `subscription`.
    #[must_use]
    pub const fn label(&self) -> &'static str {
        match self {
            Self::Credit { .. } => "credit",
            Self::Subscription { .. } => "subscription",
        }
    }
}

/// Why a package definition was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PackageError {
    /// Blank or overlong name.
    #[error("a package name is 1-200 characters")]
    InvalidName,
    /// Every package covers at least one department.
    #[error("a package covers at least one department")]
    NoDepartments,
    /// A credit package grants at least one credit.
    #[error("a credit package grants at least one credit")]
    NoCredits,
    /// A subscription lasts 1 to 3660 days.
    #[error("a subscription package lasts 1 to 3660 days, got {0}")]
    InvalidDays(u32),
    /// Prices are not negative.
    #[error("a package price must not be negative")]
    NegativePrice,
}

/// A billing package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// Its id.
    pub id: PackageId,
    /// Display name.
    pub name: String,
    /// Credits or days.
    pub kind: PackageKind,
    /// The departments it covers (never empty).
    pub departments: BTreeSet<DepartmentId>,
    /// Price of one purchase.
    pub price: Money,
    /// Whether customers can buy it now.
    pub on_sale: bool,
}

impl Package {
    /// The longest subscription term accepted.
    pub const MAX_DAYS: u32 = 3660;

    /// Makes a package, checking every rule of its definition.
    ///
    /// # Errors
    /// [`PackageError`] naming the broken rule.
    pub fn new(
        id: PackageId,
        name: &str,
        kind: PackageKind,
        departments: BTreeSet<DepartmentId>,
        price: Money,
        on_sale: bool,
    ) -> Result<Self, PackageError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(PackageError::InvalidName);
        }
        if departments.is_empty() {
            return Err(PackageError::NoDepartments);
        }
        match kind {
            PackageKind::Credit { credits } if credits.is_zero() => {
                return Err(PackageError::NoCredits);
            }
            PackageKind::Subscription { days } if days == 0 || days > Self::MAX_DAYS => {
                return Err(PackageError::InvalidDays(days));
            }
            _ => {}
        }
        if price.amount().is_sign_negative() && !price.is_zero() {
            return Err(PackageError::NegativePrice);
        }
        Ok(Self {
            id,
            name: name.to_owned(),
            kind,
            departments,
            price,
            on_sale,
        })
    }

    /// Whether the package covers `department`.
    #[must_use]
    pub fn covers(&self, department: DepartmentId) -> bool {
        self.departments.contains(&department)
    }
}
