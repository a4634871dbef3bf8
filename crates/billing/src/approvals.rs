//! Four-eyes approval of give-backs (docs/permissions.md): a refund, or a void of a captured
//! payment, above the billing settings' threshold in its currency waits for a second person
//! with the refund permission. Approving runs the action through [`Billing::act_on_payment`]
//! with the approver's identity and refund limits; the request is claimed in one store
//! transaction first, so two approvals at once run it once. The one who asked never decides.

use kasa_domain::{ApprovalRequestId, Money};
use kasa_ports::{
    ApprovalDecision, ApprovalRequest, ApprovalRequestState, ApprovalRequestedAction, AuditRecord,
    FinishedApproval, NewApprovalRequest, PaymentActionKind, PaymentActionState, StoreError,
    new_id,
};

use crate::grant::recorded_outside_gateways;
use crate::payment_actions::{Position, gives_back, plan, store_money};
use crate::{ActOnPayment, Billing, PaymentActionDone, PaymentActionError, RequestedAction};

/// What asking for a give-back did.
#[derive(Clone, Debug)]
pub enum GiveBackOutcome {
    /// It ran.
    Done(Box<PaymentActionDone>),
    /// It is above the four-eyes threshold: it waits for another person's approval.
    PendingApproval(Box<ApprovalRequest>),
}

/// An approval or rejection.
#[derive(Clone, Debug)]
pub struct DecideApproval {
    /// The request.
    pub id: ApprovalRequestId,
    /// The approver's role's refund limits (they apply to the approved action).
    pub refund_limits: Vec<Money>,
    /// The decider and their reason.
    pub context: kasa_ports::ActionContext,
}

/// Which requests to list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApprovalListing {
    /// Every request.
    All,
    /// Waiting and not expired.
    Pending,
    /// Waiting but past their expiry.
    Expired,
    /// In this stored state.
    State(ApprovalRequestState),
}

/// Why an approval or rejection was refused.
#[derive(Debug, thiserror::Error)]
pub enum ApprovalError {
    /// No such request.
    #[error("approval request not found")]
    NotFound,
    /// The one who asked cannot decide their own request.
    #[error("you asked for this give-back: another person must approve or reject it")]
    ApproverIsRequester,
    /// It expired before anyone approved it.
    #[error("this approval request expired; ask again")]
    Expired,
    /// It was approved or rejected already.
    #[error("this approval request is {state} already")]
    Closed {
        /// Where it stands.
        state: &'static str,
    },
    /// It was approved, and the action was refused or failed (the request is `failed`).
    #[error(transparent)]
    Action(PaymentActionError),
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for ApprovalError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound {
                entity: kasa_ports::Entity::ApprovalRequest,
            } => Self::NotFound,
            other => Self::Store(other),
        }
    }
}

fn state_label(state: ApprovalRequestState) -> &'static str {
    match state {
        ApprovalRequestState::Pending => "pending",
        ApprovalRequestState::Approving => "being approved",
        ApprovalRequestState::Approved => "approved",
        ApprovalRequestState::Failed => "approved (and failed)",
        ApprovalRequestState::Rejected => "rejected",
    }
}

impl Billing {
    /// Refunds or voids like [`Billing::act_on_payment`], unless four-eyes approval is on and
    /// the give-back is above its threshold: then it records an approval request instead
    /// (audited `refund.approval_requested`) and nothing moves.
    ///
    /// # Errors
    /// [`PaymentActionError`], also for a request that could not run at all (checked when
    /// asked, so that nobody is asked to approve what cannot happen).
    pub async fn give_back_or_request_approval(
        &self,
        request: ActOnPayment,
    ) -> Result<GiveBackOutcome, PaymentActionError> {
        if let Some(pending) = self.approval_needed(&request).await? {
            return Ok(GiveBackOutcome::PendingApproval(Box::new(pending)));
        }
        self.act_on_payment(request)
            .await
            .map(|done| GiveBackOutcome::Done(Box::new(done)))
    }

    async fn approval_needed(
        &self,
        request: &ActOnPayment,
    ) -> Result<Option<ApprovalRequest>, PaymentActionError> {
        if matches!(request.action, RequestedAction::Capture { .. }) {
            return Ok(None);
        }
        let four_eyes = self.ports.settings.billing_settings().await?.four_eyes;
        if four_eyes.thresholds.is_empty() {
            return Ok(None);
        }
        let store = &self.ports.payment_actions;
        let actions = store.payment_actions(request.purchase_id).await?;
        let purchase = self.ports.purchases.purchase(request.purchase_id).await?;
        let payment = purchase
            .payment
            .clone()
            .ok_or(PaymentActionError::NoPayment)?;
        if recorded_outside_gateways(&payment.gateway) && request.action == RequestedAction::Void {
            return Err(PaymentActionError::NotVoidable);
        }
        if actions
            .iter()
            .any(|action| action.state == PaymentActionState::Requested)
        {
            return Err(PaymentActionError::InProgress);
        }
        let position = Position::of(&payment, &actions).map_err(store_money)?;
        let planned = plan(&payment, &position, request.action)?;
        if !gives_back(&planned, &payment) || !four_eyes.needs_approval(&planned.amount) {
            return Ok(None);
        }
        let now = self.ports.clock.now();
        let context = &request.context;
        let pending = ApprovalRequest {
            id: new_id(),
            purchase_id: purchase.id,
            action: if planned.kind == PaymentActionKind::Void {
                ApprovalRequestedAction::Void
            } else {
                ApprovalRequestedAction::Refund
            },
            amount: planned.amount,
            state: ApprovalRequestState::Pending,
            requested_by: context.actor.clone(),
            reason: context.reason.clone(),
            request_id: context.request_id.clone(),
            requested_at: now,
            expires_at: now + time::Duration::minutes(i64::from(four_eyes.expires_after_minutes)),
            decided_by: None,
            decision_reason: None,
            decided_at: None,
            payment_action_id: None,
            detail: None,
        };
        let audit = AuditRecord {
            action: "refund.approval_requested".to_owned(),
            subject: format!("customer:{}", purchase.customer_id),
            before: None,
            after: Some(serde_json::json!({
                "approval_request_id": pending.id,
                "purchase_id": purchase.id,
                "action": pending.action,
                "amount": pending.amount,
                "expires_at": kasa_domain::instant::rfc3339(pending.expires_at),
            })),
        };
        let recorded = store
            .request_approval(NewApprovalRequest {
                request: pending,
                audit,
                context: context.clone(),
            })
            .await?;
        Ok(Some(recorded))
    }

    /// Approval requests, newest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    pub async fn approval_requests(
        &self,
        listing: ApprovalListing,
        limit: u32,
    ) -> Result<Vec<ApprovalRequest>, StoreError> {
        let now = self.ports.clock.now();
        let store = &self.ports.payment_actions;
        Ok(match listing {
            ApprovalListing::All => store.approval_requests(None, limit).await?,
            ApprovalListing::State(state) => store.approval_requests(Some(state), limit).await?,
            ApprovalListing::Pending | ApprovalListing::Expired => {
                let expired = listing == ApprovalListing::Expired;
                let mut found = store
                    .approval_requests(Some(ApprovalRequestState::Pending), u32::MAX)
                    .await?;
                found.retain(|request| request.is_expired(now) == expired);
                found.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
                found
            }
        })
    }

    /// Checks that `decision`'s caller may decide the request now.
    async fn decidable(&self, decision: &DecideApproval) -> Result<ApprovalRequest, ApprovalError> {
        let request = self
            .ports
            .payment_actions
            .approval_request(decision.id)
            .await?;
        if request.requested_by == decision.context.actor {
            return Err(ApprovalError::ApproverIsRequester);
        }
        self.still_open(&request)?;
        Ok(request)
    }

    fn still_open(&self, request: &ApprovalRequest) -> Result<(), ApprovalError> {
        if request.state != ApprovalRequestState::Pending {
            return Err(ApprovalError::Closed {
                state: state_label(request.state),
            });
        }
        if request.is_expired(self.ports.clock.now()) {
            return Err(ApprovalError::Expired);
        }
        Ok(())
    }

    /// Moves the request out of `pending`, once.
    async fn claim(
        &self,
        decision: &DecideApproval,
        state: ApprovalRequestState,
        audit: Option<AuditRecord>,
    ) -> Result<ApprovalRequest, ApprovalError> {
        let store = &self.ports.payment_actions;
        match store
            .decide_approval_request(ApprovalDecision {
                id: decision.id,
                state,
                audit,
                context: decision.context.clone(),
                at: self.ports.clock.now(),
            })
            .await
        {
            Ok(request) => Ok(request),
            Err(StoreError::StaleVersion) => {
                let request = store.approval_request(decision.id).await?;
                self.still_open(&request)?;
                Err(ApprovalError::Expired)
            }
            Err(other) => Err(other.into()),
        }
    }

    /// Approves a pending request and runs its give-back with the approver's identity and
    /// refund limits. The request ends `approved`, or `failed` when the action was refused or
    /// failed (audited `refund.approved` / `refund.approval_failed`, naming both people).
    ///
    /// # Errors
    /// [`ApprovalError`].
    pub async fn approve_request(
        &self,
        decision: DecideApproval,
    ) -> Result<(ApprovalRequest, PaymentActionDone), ApprovalError> {
        let request = self.decidable(&decision).await?;
        let claimed = self
            .claim(&decision, ApprovalRequestState::Approving, None)
            .await?;
        let action = match request.action {
            ApprovalRequestedAction::Refund => RequestedAction::Refund {
                amount: Some(request.amount),
            },
            ApprovalRequestedAction::Void => RequestedAction::Void,
        };
        let outcome = self
            .act_on_payment(ActOnPayment {
                purchase_id: request.purchase_id,
                action,
                refund_limits: decision.refund_limits.clone(),
                context: decision.context.clone(),
            })
            .await;
        let (state, action_id, detail) = match &outcome {
            Ok(done) => (
                ApprovalRequestState::Approved,
                Some(done.finished.action.id),
                None,
            ),
            Err(error) => (ApprovalRequestState::Failed, None, Some(error.to_string())),
        };
        let audit = AuditRecord {
            action: if outcome.is_ok() {
                "refund.approved".to_owned()
            } else {
                "refund.approval_failed".to_owned()
            },
            subject: format!("purchase:{}", request.purchase_id),
            before: None,
            after: Some(serde_json::json!({
                "approval_request_id": request.id,
                "purchase_id": request.purchase_id,
                "amount": request.amount,
                "requested_by": request.requested_by.to_string(),
                "approved_by": decision.context.actor.to_string(),
                "payment_action_id": action_id,
                "detail": detail,
            })),
        };
        let finished = self
            .ports
            .payment_actions
            .finish_approval_request(FinishedApproval {
                id: claimed.id,
                state,
                payment_action_id: action_id,
                detail,
                audit,
                context: decision.context,
                at: self.ports.clock.now(),
            })
            .await?;
        match outcome {
            Ok(done) => Ok((finished, done)),
            Err(error) => Err(ApprovalError::Action(error)),
        }
    }

    /// Rejects a pending request (audited `refund.rejected`, naming both people); nothing
    /// moves.
    ///
    /// # Errors
    /// [`ApprovalError`].
    pub async fn reject_request(
        &self,
        decision: DecideApproval,
    ) -> Result<ApprovalRequest, ApprovalError> {
        let request = self.decidable(&decision).await?;
        let audit = AuditRecord {
            action: "refund.rejected".to_owned(),
            subject: format!("purchase:{}", request.purchase_id),
            before: None,
            after: Some(serde_json::json!({
                "approval_request_id": request.id,
                "purchase_id": request.purchase_id,
                "amount": request.amount,
                "requested_by": request.requested_by.to_string(),
                "rejected_by": decision.context.actor.to_string(),
            })),
        };
        self.claim(&decision, ApprovalRequestState::Rejected, Some(audit))
            .await
    }
}
