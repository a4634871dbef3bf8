//! Whether a ticket or chat may open and what it costs (product rules 1, 7, 8 and 9).

use kasa_domain::{Credits, CustomerCard, Department, Holding, Package};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// What opening a ticket or chat in a department does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum ChargeDecision {
    /// The department costs nothing (rule 1): let it through.
    Free,
    /// An active subscription covers the department: let it through at no credit cost.
    CoveredBySubscription {
        /// When the subscription ends.
        #[serde(with = "kasa_domain::instant")]
        ends_at: OffsetDateTime,
    },
    /// Consume the department's price from the balance.
    ConsumeCredits {
        /// The price.
        price: Credits,
    },
    /// Refuse.
    Refused(ChargeRefusal),
}

/// Why a ticket or chat was refused. Every variant says what the customer can do about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum ChargeRefusal {
    /// The department is not enabled on the customer's card (rule 8).
    DepartmentNotEnabled,
    /// The balance is below the department's price (rule 9).
    InsufficientCredits {
        /// The balance.
        balance: Credits,
        /// The department's price.
        price: Credits,
    },
    /// The subscription has ended.
    SubscriptionExpired {
        /// When it ended.
        #[serde(with = "kasa_domain::instant")]
        ended_at: OffsetDateTime,
        /// The department's price in credits.
        price: Credits,
    },
    /// The active subscription does not cover this department, and the customer cannot also
    /// hold credits (rule 3).
    NotCoveredBySubscription {
        /// The department's price in credits.
        price: Credits,
    },
    /// The customer holds no package, and the department is not free.
    NoPackage {
        /// The department's price in credits.
        price: Credits,
    },
}

/// Decides a ticket or chat charge from the customer's card and holding at `now`.
///
/// The order matters: the card is the gate (rule 8: even a free department must be enabled);
/// then price zero is free; then a subscription covering the department; then the balance.
#[must_use]
pub fn decide_charge(
    department: &Department,
    card: &CustomerCard,
    holding: &Holding,
    now: OffsetDateTime,
) -> ChargeDecision {
    if !card.is_enabled(department.id) {
        return ChargeDecision::Refused(ChargeRefusal::DepartmentNotEnabled);
    }
    let price = department.credits_per_request;
    if price.is_zero() {
        return ChargeDecision::Free;
    }
    match holding {
        Holding::Subscription(subscription) if subscription.covers_at(department.id, now) => {
            ChargeDecision::CoveredBySubscription {
                ends_at: subscription.ends_at(),
            }
        }
        Holding::Subscription(subscription) if subscription.has_ended_at(now) => {
            ChargeDecision::Refused(ChargeRefusal::SubscriptionExpired {
                ended_at: subscription.ends_at(),
                price,
            })
        }
        Holding::Subscription(_) => {
            ChargeDecision::Refused(ChargeRefusal::NotCoveredBySubscription { price })
        }
        Holding::Credits { balance } if *balance >= price => {
            ChargeDecision::ConsumeCredits { price }
        }
        Holding::Credits { balance } => {
            ChargeDecision::Refused(ChargeRefusal::InsufficientCredits {
                balance: *balance,
                price,
            })
        }
        Holding::Nothing => ChargeDecision::Refused(ChargeRefusal::NoPackage { price }),
    }
}

/// The packages on sale that cover `department`, cheapest first: what a refusal offers.
#[must_use]
pub fn packages_covering<'a>(
    packages: impl IntoIterator<Item = &'a Package>,
    department: kasa_domain::DepartmentId,
) -> Vec<&'a Package> {
    let mut covering: Vec<&Package> = packages
        .into_iter()
        .filter(|package| package.on_sale && package.covers(department))
        .collect();
    covering.sort_by(|left, right| {
        (left.price.currency(), left.price.amount(), &left.name).cmp(&(
            right.price.currency(),
            right.price.amount(),
            &right.name,
        ))
    });
    covering
}

#[cfg(test)]
mod tests;
