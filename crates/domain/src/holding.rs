//! What a customer holds (product rule 3: one kind at a time): nothing, a credit balance, or a
//! subscription made of one or more back-to-back terms (a renewal adds a term that starts where
//! the previous one ends, rule 5).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::{Credits, DepartmentId, PackageId, PurchaseId};

/// What a customer holds right now.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Holding {
    /// Nothing bought yet, or what was held has ended.
    #[default]
    Nothing,
    /// A credit balance (possibly zero).
    Credits {
        /// The balance, derived from the credit ledger.
        balance: Credits,
    },
    /// A subscription.
    Subscription(Subscription),
}

impl Holding {
    /// Whether something of value would be lost by switching kinds at `now`: a positive balance
    /// or a subscription with time left.
    #[must_use]
    pub fn has_value_at(&self, now: OffsetDateTime) -> bool {
        match self {
            Self::Nothing => false,
            Self::Credits { balance } => !balance.is_zero(),
            Self::Subscription(subscription) => subscription.ends_at() > now,
        }
    }
}

/// One paid (or granted) period of access to a package's departments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionTerm {
    /// The purchase that paid for it.
    pub purchase_id: PurchaseId,
    /// The package bought.
    pub package_id: PackageId,
    /// The departments the term gives access to.
    pub departments: BTreeSet<DepartmentId>,
    /// First instant of access.
    #[serde(with = "crate::instant")]
    pub starts_at: OffsetDateTime,
    /// First instant without access.
    #[serde(with = "crate::instant")]
    pub ends_at: OffsetDateTime,
}

impl SubscriptionTerm {
    /// Whether the term gives access at `now`.
    #[must_use]
    pub fn is_active_at(&self, now: OffsetDateTime) -> bool {
        self.starts_at <= now && now < self.ends_at
    }
}

/// Why a list of terms is not a subscription.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SubscriptionTermError {
    /// A subscription has at least one term.
    #[error("a subscription has at least one term")]
    NoTerms,
    /// Each term ends after it starts.
    #[error("a subscription term must end after it starts")]
    EmptyTerm,
    /// Terms follow each other without gaps or overlaps.
    #[error("subscription terms must be back to back: one starts where the previous ends")]
    NotContiguous,
}

/// A subscription: back-to-back terms, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "SubscriptionParts", into = "SubscriptionParts")]
pub struct Subscription {
    terms: Vec<SubscriptionTerm>,
    cancel_at_end: bool,
}

#[derive(Serialize, Deserialize)]
struct SubscriptionParts {
    terms: Vec<SubscriptionTerm>,
    cancel_at_end: bool,
}

impl TryFrom<SubscriptionParts> for Subscription {
    type Error = SubscriptionTermError;

    fn try_from(parts: SubscriptionParts) -> Result<Self, Self::Error> {
        Self::new(parts.terms, parts.cancel_at_end)
    }
}

impl From<Subscription> for SubscriptionParts {
    fn from(subscription: Subscription) -> Self {
        Self {
            terms: subscription.terms,
            cancel_at_end: subscription.cancel_at_end,
        }
    }
}

impl Subscription {
    /// Makes a subscription from its terms, sorting them and checking they are back to back.
    ///
    /// # Errors
    /// [`SubscriptionTermError`] for no terms, an empty term or a gap or overlap.
    pub fn new(
        mut terms: Vec<SubscriptionTerm>,
        cancel_at_end: bool,
    ) -> Result<Self, SubscriptionTermError> {
        terms.sort_by_key(|term| term.starts_at);
        if terms.is_empty() {
            return Err(SubscriptionTermError::NoTerms);
        }
        if terms.iter().any(|term| term.ends_at <= term.starts_at) {
            return Err(SubscriptionTermError::EmptyTerm);
        }
        if terms
            .windows(2)
            .any(|pair| pair[0].ends_at != pair[1].starts_at)
        {
            return Err(SubscriptionTermError::NotContiguous);
        }
        Ok(Self {
            terms,
            cancel_at_end,
        })
    }

    /// The terms, oldest first.
    #[must_use]
    pub fn terms(&self) -> &[SubscriptionTerm] {
        &self.terms
    }

    /// Whether it stops at its end instead of being renewed by a gateway subscription.
    #[must_use]
    pub const fn cancel_at_end(&self) -> bool {
        self.cancel_at_end
    }

    /// When access starts.
    #[must_use]
    pub fn starts_at(&self) -> OffsetDateTime {
        self.terms[0].starts_at
    }

    /// When the last paid term ends.
    #[must_use]
    pub fn ends_at(&self) -> OffsetDateTime {
        self.terms[self.terms.len() - 1].ends_at
    }

    /// The term giving access at `now`, if any.
    #[must_use]
    pub fn active_term_at(&self, now: OffsetDateTime) -> Option<&SubscriptionTerm> {
        self.terms.iter().find(|term| term.is_active_at(now))
    }

    /// Whether the subscription gives access to `department` at `now`.
    #[must_use]
    pub fn covers_at(&self, department: DepartmentId, now: OffsetDateTime) -> bool {
        self.active_term_at(now)
            .is_some_and(|term| term.departments.contains(&department))
    }

    /// Time left until the end (zero once ended).
    #[must_use]
    pub fn remaining_at(&self, now: OffsetDateTime) -> Duration {
        (self.ends_at() - now).max(Duration::ZERO)
    }

    /// Whether it has ended at `now`.
    #[must_use]
    pub fn has_ended_at(&self, now: OffsetDateTime) -> bool {
        self.ends_at() <= now
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;
    use uuid::Uuid;

    use super::*;

    fn term(n: u128, starts_at: OffsetDateTime, ends_at: OffsetDateTime) -> SubscriptionTerm {
        SubscriptionTerm {
            purchase_id: PurchaseId::from_uuid(Uuid::from_u128(n)),
            package_id: PackageId::from_uuid(Uuid::from_u128(100)),
            departments: BTreeSet::from([DepartmentId::from_uuid(Uuid::from_u128(7))]),
            starts_at,
            ends_at,
        }
    }

    #[test]
    fn terms_must_be_back_to_back() {
        let a = datetime!(2026-01-01 0:00 UTC);
        let b = datetime!(2026-02-01 0:00 UTC);
        let c = datetime!(2026-03-01 0:00 UTC);
        assert!(Subscription::new(vec![term(2, b, c), term(1, a, b)], false).is_ok());
        assert_eq!(
            Subscription::new(
                vec![term(1, a, b), term(2, c, c + Duration::days(1))],
                false
            ),
            Err(SubscriptionTermError::NotContiguous)
        );
        assert_eq!(
            Subscription::new(vec![], false),
            Err(SubscriptionTermError::NoTerms)
        );
        assert_eq!(
            Subscription::new(vec![term(1, b, a)], false),
            Err(SubscriptionTermError::EmptyTerm)
        );
    }

    #[test]
    fn coverage_follows_the_active_term() {
        let a = datetime!(2026-01-01 0:00 UTC);
        let b = datetime!(2026-02-01 0:00 UTC);
        let subscription = Subscription::new(vec![term(1, a, b)], false).unwrap();
        let department = DepartmentId::from_uuid(Uuid::from_u128(7));
        assert!(subscription.covers_at(department, a));
        assert!(
            !subscription.covers_at(department, b),
            "the end instant is outside"
        );
        assert!(subscription.has_ended_at(b));
        assert_eq!(subscription.remaining_at(a), Duration::days(31));
        assert_eq!(
            subscription.remaining_at(b + Duration::days(3)),
            Duration::ZERO
        );
    }
}
