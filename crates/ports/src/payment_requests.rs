//! Payment requests: an agent asks a customer to pay a package or an amount, with a description
//! and an expiry; the customer pays it on the billing pages through a purchase linked to the
//! request. The store guarantees a request is paid at most once: starting its payment is one
//! conditional change of the request (open, not expired, no payment under way or completed),
//! so two tabs, a double submit or two servers cannot start two payments of one request.

use async_trait::async_trait;
use kasa_domain::{Actor, CustomerId, Money, PackageId, PaymentRequestId, PurchaseId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::StoreError;
use crate::{
    ActionContext, AuditRecord, NewPurchase, OutboxPayload, Purchase, PurchaseItem, PurchaseStatus,
};

/// Where a payment request stands, as its reader sees it now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentRequestState {
    /// Waiting for the customer's payment (one may be under way).
    Open,
    /// Its purchase completed: paid, invoiced.
    Paid,
    /// Not paid before its expiry; it can no longer be paid.
    Expired,
    /// An agent cancelled it; it can no longer be paid.
    Cancelled,
}

impl PaymentRequestState {
    /// The label the API and pages use (`open`, `paid`, `expired`, `cancelled`).
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Paid => "paid",
            Self::Expired => "expired",
            Self::Cancelled => "cancelled",
        }
    }
}

/// Who cancelled a request, when and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRequestCancellation {
    /// Who.
    pub actor: Actor,
    /// Why.
    pub reason: kasa_domain::Reason,
    /// When.
    #[serde(with = "kasa_domain::instant")]
    pub at: OffsetDateTime,
}

/// A payment request as stored, with the state of its latest payment attempt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRequest {
    /// Its id.
    pub id: PaymentRequestId,
    /// Who is asked to pay.
    pub customer_id: CustomerId,
    /// What is paid for, as it was when asked: a package (its price then is the amount asked,
    /// less any coupon) or an amount with its description.
    pub item: PurchaseItem,
    /// What is asked, in the agent's words, shown to the customer.
    pub description: String,
    /// The amount asked: the package's price when the request was made, less the coupon's
    /// discount when it carries one.
    pub amount: Money,
    /// The coupon the agent put on it, priced when asked; redeemed by the purchase paying it.
    #[serde(default)]
    pub coupon: Option<crate::PurchaseCoupon>,
    /// When it was made.
    #[serde(with = "kasa_domain::instant")]
    pub created_at: OffsetDateTime,
    /// Who made it and why.
    pub created_by: ActionContext,
    /// After this it can no longer be paid.
    #[serde(with = "kasa_domain::instant")]
    pub expires_at: OffsetDateTime,
    /// Set when an agent cancelled it.
    pub cancellation: Option<PaymentRequestCancellation>,
    /// The latest purchase started to pay it and where it stands.
    pub purchase: Option<(PurchaseId, PurchaseStatus)>,
}

impl PaymentRequest {
    /// Where it stands at `now`: a completed purchase makes it paid (even past its expiry, when
    /// the payment started before); otherwise cancelled, expired or open.
    #[must_use]
    pub fn state(&self, now: OffsetDateTime) -> PaymentRequestState {
        if matches!(self.purchase, Some((_, PurchaseStatus::Completed))) {
            PaymentRequestState::Paid
        } else if self.cancellation.is_some() {
            PaymentRequestState::Cancelled
        } else if now >= self.expires_at {
            PaymentRequestState::Expired
        } else {
            PaymentRequestState::Open
        }
    }

    /// Whether a payment of it is under way (started, not yet failed or completed) or taken
    /// but held for an agent: no other payment may start meanwhile.
    #[must_use]
    pub fn payment_under_way(&self) -> bool {
        matches!(
            self.purchase,
            Some((_, PurchaseStatus::Pending | PurchaseStatus::NeedsAttention))
        )
    }

    /// Whether a payment may start at `now`: open and no payment under way.
    #[must_use]
    pub fn payable(&self, now: OffsetDateTime) -> bool {
        self.state(now) == PaymentRequestState::Open && !self.payment_under_way()
    }

    /// The package's id, when a package is asked for.
    #[must_use]
    pub fn package_id(&self) -> Option<PackageId> {
        self.item.package().map(|package| package.id)
    }
}

/// A payment request to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPaymentRequest {
    /// Its id.
    pub id: PaymentRequestId,
    /// Who is asked to pay.
    pub customer_id: CustomerId,
    /// The package as it is now, or the amount asked for.
    pub item: PurchaseItem,
    /// What is asked.
    pub description: String,
    /// The amount asked (after the coupon's discount).
    pub amount: Money,
    /// The coupon the agent put on it.
    pub coupon: Option<crate::PurchaseCoupon>,
    /// When it stops being payable.
    pub expires_at: OffsetDateTime,
    /// Who asks and why.
    pub context: ActionContext,
    /// When.
    pub at: OffsetDateTime,
    /// Its audit record.
    pub audit: AuditRecord,
    /// The e-mail with the link, queued in the same transaction.
    pub notification: Option<OutboxPayload>,
}

/// What an attempt to start paying a request did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestPaymentStart {
    /// The purchase is recorded and linked: the only payment of the request under way.
    Started(Box<Purchase>),
    /// Nothing changed: the request is not payable now (paid, cancelled, expired, or a payment
    /// is under way); here as it stands.
    NotPayable(Box<PaymentRequest>),
}

/// What an attempt to cancel a request did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestCancellation {
    /// Cancelled now.
    Cancelled(Box<PaymentRequest>),
    /// Nothing changed: it was paid, cancelled or expired, or a payment is under way.
    NotCancellable(Box<PaymentRequest>),
}

/// Stores payment requests.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PaymentRequestStore: Send + Sync {
    /// Records a request with its audit entry, and queues its e-mail.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown customer or package,
    /// [`StoreError::AlreadyExists`] for a reused id, [`StoreError::Unavailable`].
    async fn create_payment_request(
        &self,
        request: NewPaymentRequest,
    ) -> Result<PaymentRequest, StoreError>;

    /// One request.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn payment_request(&self, id: PaymentRequestId) -> Result<PaymentRequest, StoreError>;

    /// A customer's requests, newest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn customer_payment_requests(
        &self,
        customer_id: CustomerId,
    ) -> Result<Vec<PaymentRequest>, StoreError>;

    /// Starts paying a request, atomically: when the request is open at `purchase.created_at`
    /// (not cancelled, not expired) and its latest purchase is absent or failed, records
    /// `purchase` (pending, with its payment) and links it; otherwise changes nothing. Of any
    /// number of concurrent calls for one request, at most one starts.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown request, [`StoreError::AlreadyExists`] for a
    /// reused order id, [`StoreError::Unavailable`].
    async fn start_request_payment(
        &self,
        request_id: PaymentRequestId,
        purchase: NewPurchase,
    ) -> Result<RequestPaymentStart, StoreError>;

    /// Cancels a request, atomically, when it is open at `at` with no payment under way,
    /// recording who and why with an audit entry; otherwise changes nothing.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Unavailable`].
    async fn cancel_payment_request(
        &self,
        request_id: PaymentRequestId,
        audit: AuditRecord,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<RequestCancellation, StoreError>;
}
