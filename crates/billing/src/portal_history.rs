//! A customer's own billing history, as the portal and `GET /v1/me/history` show it: each
//! purchase with how it was paid (gateway, card), the captures, voids and refunds made on it,
//! and its documents (invoice or receipt, credit notes), newest first, in keyset pages.
//!
//! Outside the facade (like `reports`): a read that needs only the stores. The one rule it
//! adds is what a customer is told a purchase's state is ([`HistoryState`]): an abandoned
//! checkout — pending longer than [`CHECKOUT_EXPIRES_AFTER`] — reads as expired (ADR 0017).

use kasa_domain::{CustomerId, PurchaseId};
use kasa_ports::{
    HistoryStore, Invoice, InvoiceStore, PaymentAction, PaymentActionState, PaymentActionStore,
    PaymentStatus, Purchase, PurchaseQuery, PurchaseStatus, StoreError,
};
use time::{Duration, OffsetDateTime};

/// How long a checkout may stay unpaid before the customer is told it expired. NestPay's 3-D
/// Secure pages and Stripe's confirmation both give up well within it; a payment the gateway
/// reports later (the reconciliation job asks) still completes the purchase.
pub const CHECKOUT_EXPIRES_AFTER: Duration = Duration::hours(1);

/// The most entries one page holds.
pub const HISTORY_PAGE_LIMIT: u32 = 50;

/// What page of whose history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HistoryQuery {
    /// Whose.
    pub customer_id: CustomerId,
    /// Only purchases older than this one (the previous page's `next`).
    pub before: Option<PurchaseId>,
    /// At most this many (1 to [`HISTORY_PAGE_LIMIT`]).
    pub limit: u32,
}

/// One page of a customer's history.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryPage {
    /// Newest first.
    pub entries: Vec<HistoryEntry>,
    /// The cursor of the next (older) page, when there is one.
    pub next: Option<PurchaseId>,
}

/// One purchase and what happened to its money.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryEntry {
    /// The purchase, with its payment (gateway, amount, card).
    pub purchase: Purchase,
    /// Where it stands, as the customer is told.
    pub state: HistoryState,
    /// The captures, voids and refunds the gateway made on it, oldest first (requested and
    /// failed ones are left out: nothing moved).
    pub actions: Vec<PaymentAction>,
    /// Its documents, oldest first: the invoice or receipt, then credit notes.
    pub documents: Vec<Invoice>,
}

/// A purchase's state in the customer's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HistoryState {
    /// Paid in full.
    Paid,
    /// The money is reserved on the card, not taken yet.
    Authorised,
    /// Part of the money was given back.
    PartiallyRefunded,
    /// All the money was given back.
    Refunded,
    /// Cancelled before the money was taken.
    Voided,
    /// Given by the seller without a payment.
    Granted,
    /// The bank refused it (or it could not be accepted).
    Declined,
    /// Waiting for the bank.
    Pending,
    /// Abandoned: never paid, and no longer payable.
    Expired,
    /// Paid, and a person at the seller is looking at it.
    InReview,
}

/// Whether a failed purchase was a checkout given up unfinished (the reconciliation job's
/// `declined (abandoned): ...`), which the customer reads as expired rather than declined.
fn abandoned(purchase: &Purchase) -> bool {
    let given_up = format!("declined ({}):", kasa_ports::ABANDONED_CODE);
    purchase
        .payment
        .as_ref()
        .and_then(|payment| payment.failure.as_deref())
        .is_some_and(|failure| failure.starts_with(&given_up))
}

impl HistoryState {
    /// A stable lower-case name (the JSON's `state`, the words' key).
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Paid => "paid",
            Self::Authorised => "authorised",
            Self::PartiallyRefunded => "partially_refunded",
            Self::Refunded => "refunded",
            Self::Voided => "voided",
            Self::Granted => "granted",
            Self::Declined => "declined",
            Self::Pending => "pending",
            Self::Expired => "expired",
            Self::InReview => "in_review",
        }
    }

    /// Every state.
    pub const ALL: [Self; 10] = [
        Self::Paid,
        Self::Authorised,
        Self::PartiallyRefunded,
        Self::Refunded,
        Self::Voided,
        Self::Granted,
        Self::Declined,
        Self::Pending,
        Self::Expired,
        Self::InReview,
    ];

    /// The state of `purchase` at `now`.
    #[must_use]
    pub fn of(purchase: &Purchase, now: OffsetDateTime) -> Self {
        let payment = purchase.payment.as_ref().map(|payment| payment.status);
        match purchase.status {
            PurchaseStatus::Pending if now - purchase.created_at >= CHECKOUT_EXPIRES_AFTER => {
                Self::Expired
            }
            PurchaseStatus::Pending => Self::Pending,
            PurchaseStatus::Failed => match payment {
                Some(PaymentStatus::Voided) => Self::Voided,
                Some(PaymentStatus::Refunded) => Self::Refunded,
                _ if abandoned(purchase) => Self::Expired,
                _ => Self::Declined,
            },
            PurchaseStatus::NeedsAttention => Self::InReview,
            PurchaseStatus::Completed => match payment {
                None => Self::Granted,
                Some(PaymentStatus::Authorised) => Self::Authorised,
                Some(PaymentStatus::PartiallyRefunded) => Self::PartiallyRefunded,
                Some(PaymentStatus::Refunded) => Self::Refunded,
                Some(PaymentStatus::Voided) => Self::Voided,
                Some(PaymentStatus::Declined) => Self::Declined,
                Some(PaymentStatus::Captured | PaymentStatus::Pending) => Self::Paid,
            },
        }
    }
}

/// One page of `query.customer_id`'s history at `now`.
///
/// # Errors
/// [`StoreError::Unavailable`], [`StoreError::Corrupt`]; [`StoreError::NotFound`] when the
/// cursor is not one of the customer's purchases.
pub async fn customer_history(
    history: &dyn HistoryStore,
    invoices: &dyn InvoiceStore,
    payment_actions: &dyn PaymentActionStore,
    query: HistoryQuery,
    now: OffsetDateTime,
) -> Result<HistoryPage, StoreError> {
    let limit = query.limit.clamp(1, HISTORY_PAGE_LIMIT);
    let mut purchases = history
        .purchases(PurchaseQuery {
            customer_id: Some(query.customer_id),
            status: None,
            before: query.before,
            limit: limit + 1,
        })
        .await?;
    let next = if purchases.len() > limit as usize {
        purchases.truncate(limit as usize);
        purchases.last().map(|purchase| purchase.id)
    } else {
        None
    };
    let mut entries = Vec::with_capacity(purchases.len());
    for purchase in purchases {
        if purchase.customer_id != query.customer_id {
            // The store filters by customer; a stray row is never shown to another customer.
            continue;
        }
        let actions = payment_actions
            .payment_actions(purchase.id)
            .await?
            .into_iter()
            .filter(|action| action.state == PaymentActionState::Succeeded)
            .collect();
        let documents = invoices
            .purchase_invoices(purchase.id)
            .await?
            .into_iter()
            .filter(|invoice| invoice.issued.customer_id == query.customer_id)
            .collect();
        entries.push(HistoryEntry {
            state: HistoryState::of(&purchase, now),
            purchase,
            actions,
            documents,
        });
    }
    Ok(HistoryPage { entries, next })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use kasa_domain::{
        Actor, CustomerId, DepartmentId, Money, Package, PackageId, PackageKind, PaymentId, Reason,
    };
    use kasa_ports::{ActionContext, CaptureMode, GatewayName, OrderId, Payment};
    use kasa_subscriptions::{ForfeitConfirmation, PurchaseChannel};
    use time::macros::datetime;

    use super::*;

    fn purchase(status: PurchaseStatus, payment: Option<PaymentStatus>) -> Purchase {
        let price = Money::new("100.00".parse().unwrap(), kasa_domain::Currency::Try).unwrap();
        Purchase {
            id: PurchaseId::from_uuid(uuid::Uuid::from_u128(1)),
            customer_id: CustomerId::from_uuid(uuid::Uuid::from_u128(2)),
            item: kasa_ports::PurchaseItem::Package(
                Package::new(
                    PackageId::from_uuid(uuid::Uuid::from_u128(3)),
                    "10 kredi",
                    PackageKind::Credit {
                        credits: kasa_domain::Credits::from_u32(10),
                    },
                    BTreeSet::from([DepartmentId::from_uuid(uuid::Uuid::from_u128(4))]),
                    price,
                    true,
                )
                .unwrap(),
            ),
            channel: PurchaseChannel::CustomerCheckout,
            forfeit_confirmation: ForfeitConfirmation::NotConfirmed,
            status,
            started_by: ActionContext {
                actor: Actor::System {
                    job: "test".to_owned(),
                },
                reason: Reason::new("test").unwrap(),
                request_id: None,
                idempotency: None,
            },
            created_at: datetime!(2026-12-04 10:00 UTC),
            completed_at: None,
            payment: payment.map(|status| Payment {
                id: PaymentId::from_uuid(uuid::Uuid::from_u128(5)),
                gateway: GatewayName::new("nestpay"),
                order_id: OrderId("order-1".to_owned()),
                amount: price,
                capture: CaptureMode::Immediate,
                status,
                reference: None,
                failure: None,
                card: None,
            }),
            outcome: None,
            coupon: None,
        }
    }

    #[test]
    fn a_customer_is_told_each_state_in_their_terms_and_abandoned_checkouts_expire() {
        let started = datetime!(2026-12-04 10:00 UTC);
        let pending = purchase(PurchaseStatus::Pending, Some(PaymentStatus::Pending));
        assert_eq!(
            HistoryState::of(&pending, started + Duration::minutes(59)),
            HistoryState::Pending
        );
        assert_eq!(
            HistoryState::of(&pending, started + CHECKOUT_EXPIRES_AFTER),
            HistoryState::Expired
        );
        let at = started + Duration::days(1);
        let cases = [
            (PurchaseStatus::Completed, None, HistoryState::Granted),
            (
                PurchaseStatus::Completed,
                Some(PaymentStatus::Captured),
                HistoryState::Paid,
            ),
            (
                PurchaseStatus::Completed,
                Some(PaymentStatus::Authorised),
                HistoryState::Authorised,
            ),
            (
                PurchaseStatus::Completed,
                Some(PaymentStatus::PartiallyRefunded),
                HistoryState::PartiallyRefunded,
            ),
            (
                PurchaseStatus::Completed,
                Some(PaymentStatus::Refunded),
                HistoryState::Refunded,
            ),
            (
                PurchaseStatus::Completed,
                Some(PaymentStatus::Voided),
                HistoryState::Voided,
            ),
            (
                PurchaseStatus::Failed,
                Some(PaymentStatus::Declined),
                HistoryState::Declined,
            ),
            (
                PurchaseStatus::Failed,
                Some(PaymentStatus::Voided),
                HistoryState::Voided,
            ),
            (
                PurchaseStatus::NeedsAttention,
                Some(PaymentStatus::Captured),
                HistoryState::InReview,
            ),
        ];
        for (status, payment, expected) in cases {
            assert_eq!(
                HistoryState::of(&purchase(status, payment), at),
                expected,
                "{status:?} {payment:?}"
            );
        }
        let labels: BTreeSet<&str> = HistoryState::ALL
            .iter()
            .map(|state| state.label())
            .collect();
        assert_eq!(labels.len(), HistoryState::ALL.len());
    }
}
