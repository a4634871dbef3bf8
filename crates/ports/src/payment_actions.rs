//! Captures, voids and refunds: what agents ask of a payment's gateway, recorded before the
//! gateway is called and finished after, so that money moved at the bank is never lost to a
//! crash and two agents never act on one payment at once.

use async_trait::async_trait;
use kasa_domain::{
    Actor, ApprovalRequestId, Credits, Currency, CustomerId, Money, PaymentActionId, PurchaseId,
    Reason,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{
    ActionContext, AuditRecord, GatewayReference, Invoice, NewInvoice, OutboxPayload,
    PaymentStatus, Purchase, StoreError,
};

/// What is asked of the gateway.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentActionKind {
    /// Take (part of) an authorised amount.
    Capture,
    /// Cancel the payment before settlement.
    Void,
    /// Give back (part of) a captured amount.
    Refund,
}

/// Where an action stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentActionState {
    /// Recorded; the gateway's answer is not recorded yet.
    Requested,
    /// The gateway did it.
    Succeeded,
    /// The gateway refused or failed; nothing moved.
    Failed,
}

/// One action on one payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentAction {
    /// Its id.
    pub id: PaymentActionId,
    /// The purchase whose payment it acts on.
    pub purchase_id: PurchaseId,
    /// Capture, void or refund.
    pub kind: PaymentActionKind,
    /// How much (a void's amount is what it cancels).
    pub amount: Money,
    /// Where it stands.
    pub state: PaymentActionState,
    /// The gateway's reference of the operation, when it succeeded.
    pub reference: Option<GatewayReference>,
    /// The gateway's refusal or error, when it failed.
    pub detail: Option<String>,
    /// Who asked.
    pub actor: Actor,
    /// Why.
    pub reason: Reason,
    /// The request that asked.
    pub request_id: Option<String>,
    /// When asked.
    #[serde(with = "kasa_domain::instant")]
    pub requested_at: OffsetDateTime,
    /// When the gateway's answer was recorded.
    pub finished_at: Option<OffsetDateTime>,
}

/// An action about to be sent to the gateway.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPaymentAction {
    /// Its id.
    pub id: PaymentActionId,
    /// The purchase whose payment it acts on.
    pub purchase_id: PurchaseId,
    /// Capture, void or refund.
    pub kind: PaymentActionKind,
    /// How much.
    pub amount: Money,
    /// How many actions the payment had when this one was decided: the store refuses the
    /// action when another was recorded meanwhile, so the decision is made again.
    pub expected_actions: u32,
    /// Whether it gives money back (a refund, or a void of a captured payment): only these
    /// count against refund limits.
    #[serde(default)]
    pub gives_back: bool,
    /// The caller's give-backs in the limit's day, as the decision saw them: the store sums
    /// them again (serialised per caller) and refuses the action when they differ, so the
    /// decision is made again and two actions at once never both pass a daily limit.
    #[serde(default)]
    pub given_back_check: Option<GivenBackCheck>,
    /// Who and why.
    pub context: ActionContext,
    /// When.
    #[serde(with = "kasa_domain::instant")]
    pub at: OffsetDateTime,
}

/// What a caller had given back in a window when an action was decided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GivenBackCheck {
    /// The window's start (inclusive).
    #[serde(with = "kasa_domain::instant")]
    pub since: OffsetDateTime,
    /// The window's end (exclusive).
    #[serde(with = "kasa_domain::instant")]
    pub until: OffsetDateTime,
    /// The sum of the caller's requested and succeeded give-backs in the action's currency
    /// in the window.
    pub expected: Money,
}

/// The gateway's answer to an action and everything that follows from it, applied together.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentActionResult {
    /// The action.
    pub action_id: PaymentActionId,
    /// Its purchase.
    pub purchase_id: PurchaseId,
    /// The buyer.
    pub customer_id: CustomerId,
    /// What the gateway said.
    pub outcome: PaymentActionOutcome,
    /// The audit entry.
    pub audit: AuditRecord,
    /// Who and why.
    pub context: ActionContext,
    /// When.
    #[serde(with = "kasa_domain::instant")]
    pub at: OffsetDateTime,
}

/// What the gateway said, and what Kasa does about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum PaymentActionOutcome {
    /// Done at the gateway.
    Succeeded {
        /// The gateway's reference of the operation.
        reference: Option<GatewayReference>,
        /// The payment's status now.
        payment_status: PaymentStatus,
        /// Whether the package goes back (full refund or void of an applied purchase): credits
        /// reversed (the smaller of the grant and the balance), the subscription term ended,
        /// the departments it enabled released.
        take_back: bool,
        /// The invoice (a capture) or credit note (a refund or void) to issue.
        document: Option<Box<NewInvoice>>,
        /// Mail to queue (the customer's copy of the document).
        notifications: Vec<OutboxPayload>,
    },
    /// Refused or failed at the gateway: nothing moved.
    Failed {
        /// The gateway's code and message.
        detail: String,
    },
}

/// A finished action and what it did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinishedPaymentAction {
    /// The action as recorded.
    pub action: PaymentAction,
    /// The purchase afterwards.
    pub purchase: Purchase,
    /// The invoice or credit note issued.
    pub document: Option<Invoice>,
    /// Credits taken back, when the package was.
    pub credits_reversed: Option<Credits>,
}

/// The give-back an approval request asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalRequestedAction {
    /// A refund of `amount`.
    Refund,
    /// A void of a captured payment (of `amount`, what was left of it).
    Void,
}

/// Where an approval request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalRequestState {
    /// Waiting for another person (until it expires).
    Pending,
    /// Claimed by an approver whose action is running.
    Approving,
    /// Approved and the action succeeded.
    Approved,
    /// Approved but the action was refused or failed (`detail` says why).
    Failed,
    /// Rejected (`decision_reason` says why).
    Rejected,
}

/// A give-back waiting for (or decided by) a second person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalRequest {
    /// Its id.
    pub id: ApprovalRequestId,
    /// The purchase whose payment it gives back.
    pub purchase_id: PurchaseId,
    /// Refund or void.
    pub action: ApprovalRequestedAction,
    /// How much, as decided when requested.
    pub amount: Money,
    /// Where it stands (a pending request past `expires_at` is expired).
    pub state: ApprovalRequestState,
    /// Who asked.
    pub requested_by: Actor,
    /// Why they asked.
    pub reason: Reason,
    /// The request that asked.
    pub request_id: Option<String>,
    /// When asked.
    #[serde(with = "kasa_domain::instant")]
    pub requested_at: OffsetDateTime,
    /// When it can no longer be approved.
    #[serde(with = "kasa_domain::instant")]
    pub expires_at: OffsetDateTime,
    /// Who approved or rejected it.
    pub decided_by: Option<Actor>,
    /// Why they did.
    pub decision_reason: Option<Reason>,
    /// When they did.
    pub decided_at: Option<OffsetDateTime>,
    /// The payment action the approval ran.
    pub payment_action_id: Option<PaymentActionId>,
    /// Why the approved action failed.
    pub detail: Option<String>,
}

impl ApprovalRequest {
    /// Whether it can no longer be approved at `now`.
    #[must_use]
    pub fn is_expired(&self, now: OffsetDateTime) -> bool {
        self.state == ApprovalRequestState::Pending && self.expires_at <= now
    }
}

/// A new approval request, recorded with its audit entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewApprovalRequest {
    /// The request (state `pending`, nothing decided).
    pub request: ApprovalRequest,
    /// `refund.approval_requested`.
    pub audit: AuditRecord,
    /// Who and why.
    pub context: ActionContext,
}

/// A decision on a pending request: claimed for approval, or rejected.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalDecision {
    /// The request.
    pub id: ApprovalRequestId,
    /// `approving` (the approver claims it) or `rejected`.
    pub state: ApprovalRequestState,
    /// The audit entry (`refund.rejected`), when the decision is final.
    pub audit: Option<AuditRecord>,
    /// The decider and their reason.
    pub context: ActionContext,
    /// When.
    #[serde(with = "kasa_domain::instant")]
    pub at: OffsetDateTime,
}

/// What an approved request's action did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinishedApproval {
    /// The request (in state `approving`).
    pub id: ApprovalRequestId,
    /// `approved` or `failed`.
    pub state: ApprovalRequestState,
    /// The action the approval ran, when one was recorded.
    pub payment_action_id: Option<PaymentActionId>,
    /// Why it failed.
    pub detail: Option<String>,
    /// `refund.approved` (naming requester and approver) or `refund.approval_failed`.
    pub audit: AuditRecord,
    /// The approver and their reason.
    pub context: ActionContext,
    /// When.
    #[serde(with = "kasa_domain::instant")]
    pub at: OffsetDateTime,
}

/// Payment actions.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PaymentActionStore: Send + Sync {
    /// Records an action as requested, before the gateway is called.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] (`payment`) when the purchase has no payment,
    /// [`StoreError::AlreadyExists`] when another action on the payment is still in flight,
    /// [`StoreError::StaleVersion`] when the payment has more actions than expected (decide
    /// again; also when the caller's give-backs differ from
    /// [`NewPaymentAction::given_back_check`]), [`StoreError::Unavailable`].
    async fn begin_payment_action(
        &self,
        action: NewPaymentAction,
    ) -> Result<PaymentAction, StoreError>;

    /// Records the gateway's answer and applies what follows (payment status, take-back,
    /// document, audit, mail) in one transaction.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] (`payment action`), [`StoreError::AlreadyExists`] when it was
    /// finished already, [`StoreError::Unavailable`].
    async fn finish_payment_action(
        &self,
        result: PaymentActionResult,
    ) -> Result<FinishedPaymentAction, StoreError>;

    /// Actions still `requested` (the gateway's answer never recorded, e.g. after a crash)
    /// that were requested before `requested_before`, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn requested_payment_actions(
        &self,
        requested_before: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<PaymentAction>, StoreError>;

    /// A purchase's payment actions, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn payment_actions(
        &self,
        purchase_id: PurchaseId,
    ) -> Result<Vec<PaymentAction>, StoreError>;

    /// The sum of `actor`'s requested and succeeded give-backs (refunds, voids of captured
    /// payments) in `currency` requested in `[since, until)`, on every payment.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`], [`StoreError::Corrupt`].
    async fn given_back_by(
        &self,
        actor: Actor,
        currency: Currency,
        since: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<Money, StoreError>;

    /// Records a give-back waiting for a second person, with its audit entry.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] (`purchase`), [`StoreError::Unavailable`].
    async fn request_approval(
        &self,
        new: NewApprovalRequest,
    ) -> Result<ApprovalRequest, StoreError>;

    /// One approval request.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] (`approval request`), [`StoreError::Unavailable`].
    async fn approval_request(&self, id: ApprovalRequestId) -> Result<ApprovalRequest, StoreError>;

    /// Approval requests in `state` (all when `None`), newest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn approval_requests(
        &self,
        state: Option<ApprovalRequestState>,
        limit: u32,
    ) -> Result<Vec<ApprovalRequest>, StoreError>;

    /// Moves a request from `pending` (and not expired at `decision.at`) to `approving` or
    /// `rejected` in one transaction, so that of two deciders at once only one succeeds.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] (`approval request`), [`StoreError::StaleVersion`] when it is
    /// no longer pending or has expired (read it again to tell which),
    /// [`StoreError::Unavailable`].
    async fn decide_approval_request(
        &self,
        decision: ApprovalDecision,
    ) -> Result<ApprovalRequest, StoreError>;

    /// Records the outcome of a claimed (`approving`) request's action, with its audit entry.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] (`approval request`), [`StoreError::StaleVersion`] when it is
    /// not `approving`, [`StoreError::Unavailable`].
    async fn finish_approval_request(
        &self,
        finished: FinishedApproval,
    ) -> Result<ApprovalRequest, StoreError>;
}
