//! Billing packages (product rule 2): credit-based (N credits) or subscription-based (N days),
//! covering one or more departments, priced in one currency, on sale or not.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::{Credits, DepartmentId, Language, Money, PackageId};

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
    /// A description is at most [`PackageDescription::MAX_CHARS`] characters.
    #[error("a package description is at most 2000 characters")]
    DescriptionTooLong,
}

/// What a package is, told to customers in Turkish and in English (either may be empty).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageDescription {
    /// In Turkish.
    pub tr: String,
    /// In English.
    pub en: String,
}

impl PackageDescription {
    /// The longest description accepted, per language.
    pub const MAX_CHARS: usize = 2000;

    /// A description in both languages, trimmed.
    ///
    /// # Errors
    /// [`PackageError::DescriptionTooLong`].
    pub fn new(tr: &str, en: &str) -> Result<Self, PackageError> {
        let (tr, en) = (tr.trim(), en.trim());
        if tr.chars().count() > Self::MAX_CHARS || en.chars().count() > Self::MAX_CHARS {
            return Err(PackageError::DescriptionTooLong);
        }
        Ok(Self {
            tr: tr.to_owned(),
            en: en.to_owned(),
        })
    }

    /// The description for a reader of `language`, else the other language's, else none.
    #[must_use]
    pub fn for_reader(&self, language: Language) -> Option<&str> {
        let (first, second) = match language {
            Language::Tr => (&self.tr, &self.en),
            Language::En => (&self.en, &self.tr),
        };
        [first, second]
            .into_iter()
            .find(|text| !text.is_empty())
            .map(String::as_str)
    }
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
    /// What it is, for customers (purchases made before descriptions existed have none).
    #[serde(default)]
    pub description: PackageDescription,
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
            description: PackageDescription::default(),
        })
    }

    /// The package with `description`.
    #[must_use]
    pub fn with_description(self, description: PackageDescription) -> Self {
        Self {
            description,
            ..self
        }
    }

    /// Whether the package covers `department`.
    #[must_use]
    pub fn covers(&self, department: DepartmentId) -> bool {
        self.departments.contains(&department)
    }

    /// What one ticket in `department` costs out of this credit package: the price × the
    /// department's credits per request ÷ the package's credits, rounded once to the minor
    /// unit with [`Money::prorate`]. `None` for a subscription (its tickets are covered for the
    /// term), a department it does not cover, or a free department.
    #[must_use]
    pub fn price_per_ticket(&self, department: &crate::Department) -> Option<Money> {
        let PackageKind::Credit { credits } = self.kind else {
            return None;
        };
        if !self.covers(department.id) || department.credits_per_request.is_zero() {
            return None;
        }
        let per_request = u32::try_from(department.credits_per_request.get()).ok()?;
        let credits = u32::try_from(credits.get()).ok()?;
        self.price.prorate(per_request, credits).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credit_package_prices_one_ticket_per_department_and_a_subscription_does_not() {
        let support = crate::Department::new(
            DepartmentId::from_uuid(uuid::Uuid::from_u128(1)),
            "Destek",
            Credits::from_u32(3),
        )
        .unwrap();
        let price = Money::new("100.00".parse().unwrap(), crate::Currency::Try).unwrap();
        let credits = Package::new(
            PackageId::from_uuid(uuid::Uuid::from_u128(2)),
            "10 kredi",
            PackageKind::Credit {
                credits: Credits::from_u32(7),
            },
            BTreeSet::from([support.id]),
            price,
            true,
        )
        .unwrap();
        // 100 × 3 ÷ 7 = 42.857… → 42.86, rounded once.
        assert_eq!(
            credits.price_per_ticket(&support).unwrap().amount(),
            "42.86".parse().unwrap()
        );
        let monthly = Package::new(
            PackageId::from_uuid(uuid::Uuid::from_u128(3)),
            "Aylık",
            PackageKind::Subscription { days: 30 },
            BTreeSet::from([support.id]),
            price,
            true,
        )
        .unwrap();
        assert_eq!(monthly.price_per_ticket(&support), None);
    }

    #[test]
    fn a_description_is_read_in_the_readers_language_else_the_other() {
        let both = PackageDescription::new(" Türkçe ", "English").unwrap();
        assert_eq!(both.for_reader(Language::Tr), Some("Türkçe"));
        assert_eq!(both.for_reader(Language::En), Some("English"));
        let turkish_only = PackageDescription::new("Yalnız Türkçe", "").unwrap();
        assert_eq!(turkish_only.for_reader(Language::En), Some("Yalnız Türkçe"));
        assert_eq!(PackageDescription::default().for_reader(Language::Tr), None);
        assert_eq!(
            PackageDescription::new(&"a".repeat(2001), ""),
            Err(PackageError::DescriptionTooLong)
        );
    }
}
