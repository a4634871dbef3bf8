//! Ending subscriptions: expiry of terms and cancellation by an agent, with the prorated refund
//! that cancellation may carry.

use kasa_domain::{PurchaseId, Subscription, SubscriptionTerm};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The terms that have ended at `now` (their departments are released by the expiry job).
#[must_use]
pub fn expired_terms(subscription: &Subscription, now: OffsetDateTime) -> Vec<&SubscriptionTerm> {
    subscription
        .terms()
        .iter()
        .filter(|term| term.ends_at <= now)
        .collect()
}

/// When a cancellation takes effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CancellationTiming {
    /// Access ends now; unstarted and unused time can be refunded.
    Now,
    /// Access continues to the end of every paid term; nothing renews after that.
    AtEnd,
}

/// The unused part of one term, for a prorated refund.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermRefund {
    /// The purchase that paid for the term.
    pub purchase_id: PurchaseId,
    /// Whole days not used: the days not yet begun (a started day counts as used).
    pub unused_days: u32,
    /// The term's length in whole days.
    pub term_days: u32,
}

/// What a cancellation does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancellationPlan {
    /// When access ends.
    #[serde(with = "kasa_domain::instant")]
    pub ends_at: OffsetDateTime,
    /// The purchases whose terms end now (their departments are released); empty for `AtEnd`.
    pub ended_purchases: Vec<PurchaseId>,
    /// The unused time per term, when a prorated refund was asked for and access ends now.
    pub refunds: Vec<TermRefund>,
}

/// Plans cancelling `subscription` at `now`.
///
/// # Errors
/// [`CancellationError::AlreadyEnded`] when there is nothing left to cancel, and
/// [`CancellationError::AlreadyCancelled`] for a second cancellation at the end.
pub fn plan_cancellation(
    subscription: &Subscription,
    timing: CancellationTiming,
    prorated_refund: bool,
    now: OffsetDateTime,
) -> Result<CancellationPlan, CancellationError> {
    if subscription.has_ended_at(now) {
        return Err(CancellationError::AlreadyEnded {
            ended_at: subscription.ends_at(),
        });
    }
    match timing {
        CancellationTiming::AtEnd if subscription.cancel_at_end() => {
            Err(CancellationError::AlreadyCancelled {
                ends_at: subscription.ends_at(),
            })
        }
        CancellationTiming::AtEnd => Ok(CancellationPlan {
            ends_at: subscription.ends_at(),
            ended_purchases: Vec::new(),
            refunds: Vec::new(),
        }),
        CancellationTiming::Now => {
            let ended_purchases = subscription
                .terms()
                .iter()
                .map(|term| term.purchase_id)
                .collect();
            let refunds = if prorated_refund {
                subscription
                    .terms()
                    .iter()
                    .filter(|term| term.ends_at > now)
                    .map(|term| unused_part(term, now))
                    .filter(|refund| refund.unused_days > 0)
                    .collect()
            } else {
                Vec::new()
            };
            Ok(CancellationPlan {
                ends_at: now,
                ended_purchases,
                refunds,
            })
        }
    }
}

fn unused_part(term: &SubscriptionTerm, now: OffsetDateTime) -> TermRefund {
    const DAY_SECONDS: i64 = 86_400;
    let term_seconds = (term.ends_at - term.starts_at).whole_seconds();
    let unused_seconds = (term.ends_at - now.max(term.starts_at))
        .whole_seconds()
        .max(0);
    TermRefund {
        purchase_id: term.purchase_id,
        unused_days: u32::try_from(unused_seconds / DAY_SECONDS).unwrap_or(u32::MAX),
        term_days: u32::try_from(term_seconds / DAY_SECONDS)
            .unwrap_or(u32::MAX)
            .max(1),
    }
}

/// Why a subscription cannot be cancelled.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CancellationError {
    /// It has already ended.
    #[error("the subscription already ended at {ended_at}")]
    AlreadyEnded {
        /// When.
        ended_at: OffsetDateTime,
    },
    /// It is already set to end at its end.
    #[error("the subscription is already cancelled and ends at {ends_at}")]
    AlreadyCancelled {
        /// When it ends.
        ends_at: OffsetDateTime,
    },
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use kasa_domain::{PackageId, days};
    use time::macros::datetime;
    use uuid::Uuid;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-11-23 12:00 UTC);

    fn term(n: u128, starts_at: OffsetDateTime, length_days: u32) -> SubscriptionTerm {
        SubscriptionTerm {
            purchase_id: PurchaseId::from_uuid(Uuid::from_u128(n)),
            package_id: PackageId::from_uuid(Uuid::from_u128(99)),
            departments: BTreeSet::new(),
            starts_at,
            ends_at: starts_at + days(length_days),
        }
    }

    fn two_terms() -> Subscription {
        let first = term(1, NOW - days(10) - time::Duration::hours(6), 30);
        let second = term(2, first.ends_at, 30);
        Subscription::new(vec![first, second], false).unwrap()
    }

    #[test]
    fn cancelling_now_ends_every_term_and_refunds_unused_whole_days() {
        let plan = plan_cancellation(&two_terms(), CancellationTiming::Now, true, NOW).unwrap();
        assert_eq!(plan.ends_at, NOW);
        assert_eq!(plan.ended_purchases.len(), 2);
        let unused: Vec<(u32, u32)> = plan
            .refunds
            .iter()
            .map(|r| (r.unused_days, r.term_days))
            .collect();
        assert_eq!(
            unused,
            [(19, 30), (30, 30)],
            "the started day counts as used"
        );
    }

    #[test]
    fn cancelling_now_without_proration_refunds_nothing() {
        let plan = plan_cancellation(&two_terms(), CancellationTiming::Now, false, NOW).unwrap();
        assert!(plan.refunds.is_empty());
    }

    #[test]
    fn cancelling_at_the_end_keeps_every_paid_day() {
        let subscription = two_terms();
        let plan = plan_cancellation(&subscription, CancellationTiming::AtEnd, true, NOW).unwrap();
        assert_eq!(plan.ends_at, subscription.ends_at());
        assert!(plan.ended_purchases.is_empty());
        assert!(plan.refunds.is_empty());
        let cancelled = Subscription::new(subscription.terms().to_vec(), true).unwrap();
        assert!(matches!(
            plan_cancellation(&cancelled, CancellationTiming::AtEnd, false, NOW),
            Err(CancellationError::AlreadyCancelled { .. })
        ));
    }

    #[test]
    fn an_ended_subscription_cannot_be_cancelled() {
        let subscription = two_terms();
        let later = subscription.ends_at();
        assert!(matches!(
            plan_cancellation(&subscription, CancellationTiming::Now, true, later),
            Err(CancellationError::AlreadyEnded { .. })
        ));
    }

    #[test]
    fn expired_terms_are_those_ended_by_now() {
        let subscription = two_terms();
        assert!(expired_terms(&subscription, NOW).is_empty());
        let after_first = subscription.terms()[0].ends_at;
        assert_eq!(expired_terms(&subscription, after_first).len(), 1);
        assert_eq!(
            expired_terms(&subscription, subscription.ends_at()).len(),
            2
        );
    }
}
