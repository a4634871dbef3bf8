//! Agents' actions on a purchase's payment at its gateway: refund, void, capture.

use crate::api::problems::{approval_problem, recurring_problem};
use kasa_billing::{
    ActOnPayment, ApprovalListing, DecideApproval, GiveBackOutcome, PaymentActionDone,
    RefundAllowance, RequestedAction, StartRecurring,
};
use kasa_domain::{CustomerId, Money, Permission, PurchaseId};
use kasa_ports::{ApprovalRequest, ApprovalRequestState, GatewayName, PaymentAction, Recurring};
use poem::web::Data;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi, Union};

use super::bodies::{InvoiceBody, PurchaseBody};
use super::problems::action_problem;
use super::{MoneyBody, Tag, parse_id};
use crate::app::App;
use crate::auth::{Bearer, Caller};
use crate::dates::rfc3339;
use crate::idempotency::{idempotent, idempotent_change};
use crate::problem::{ApiError, store_error};

/// A refund: of everything not refunded yet, or of `amount`.
#[derive(Debug, Object)]
pub struct RefundRequest {
    /// How much to give back; leave out for everything not refunded yet. Before the bank's end
    /// of day a full refund is done as a void and a partial one is refused.
    pub amount: Option<MoneyBody>,
    /// Why (audit log).
    pub reason: String,
}

/// A void of the whole payment, before settlement.
#[derive(Debug, Object)]
pub struct VoidRequest {
    /// Why (audit log).
    pub reason: String,
}

/// A capture of an authorised payment: all of it, or `amount`.
#[derive(Debug, Object)]
pub struct CaptureRequest {
    /// How much to take; leave out for the whole authorised amount.
    pub amount: Option<MoneyBody>,
    /// Why (audit log).
    pub reason: String,
}

/// One action on a payment, as recorded.
#[derive(Debug, Object)]
pub struct PaymentActionBody {
    /// Its id.
    pub id: String,
    /// `capture`, `void` or `refund`.
    pub kind: String,
    /// How much.
    pub amount: MoneyBody,
    /// `requested` (the gateway's answer is not recorded yet), `succeeded` or `failed`.
    pub state: String,
    /// The gateway's reference of the operation.
    pub reference: Option<String>,
    /// The gateway's refusal or error.
    pub detail: Option<String>,
    /// Who asked, e.g. `agent:…`.
    pub actor: String,
    /// Why.
    pub reason: String,
    /// When asked.
    pub requested_at: String,
    /// When the gateway's answer was recorded.
    pub finished_at: Option<String>,
}

impl From<PaymentAction> for PaymentActionBody {
    fn from(action: PaymentAction) -> Self {
        Self {
            id: action.id.to_string(),
            kind: snake_case(&action.kind),
            amount: action.amount.into(),
            state: snake_case(&action.state),
            reference: action.reference.map(|reference| reference.0),
            detail: action.detail,
            actor: action.actor.to_string(),
            reason: action.reason.as_str().to_owned(),
            requested_at: rfc3339(action.requested_at),
            finished_at: action.finished_at.map(rfc3339),
        }
    }
}

/// The snake-case name serde gives an enum value.
fn snake_case<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// What an action did.
#[derive(Debug, Object)]
pub struct PaymentActionResultBody {
    /// The action as recorded.
    pub action: PaymentActionBody,
    /// The purchase afterwards (its payment's status included).
    pub purchase: PurchaseBody,
    /// The invoice (a capture) or credit note (a refund or void) issued.
    pub document: Option<InvoiceBody>,
    /// Credits taken back with the package (a full refund or void of a credit package).
    pub credits_reversed: Option<i64>,
    /// A full refund the bank could not make before its end of day was done as a void.
    pub voided_instead_of_refund: bool,
}

impl From<PaymentActionDone> for PaymentActionResultBody {
    fn from(done: PaymentActionDone) -> Self {
        let finished = done.finished;
        Self {
            action: finished.action.into(),
            purchase: finished.purchase.into(),
            document: finished.document.map(Into::into),
            credits_reversed: finished.credits_reversed.map(|credits| credits.get()),
            voided_instead_of_refund: done.voided_instead_of_refund,
        }
    }
}

/// What a refund or void did: it ran (`outcome: done`, the action's result), or four-eyes
/// approval is on and it is above the threshold, so it waits for another person (`outcome:
/// pending_approval`, the approval request; nothing moved).
#[derive(Debug, Union)]
#[oai(discriminator_name = "outcome")]
// A response body built once per request and serialised at once: boxing would only add a
// poem-openapi indirection to the discriminated union.
#[allow(clippy::large_enum_variant)]
pub enum GiveBackResultBody {
    /// It ran.
    #[oai(mapping = "done")]
    Done(PaymentActionResultBody),
    /// It waits for approval.
    #[oai(mapping = "pending_approval")]
    PendingApproval(ApprovalRequestBody),
}

/// A give-back waiting for (or decided by) a second person.
#[derive(Debug, Object)]
pub struct ApprovalRequestBody {
    /// Its id.
    pub id: String,
    /// The purchase whose payment it gives back.
    pub purchase_id: String,
    /// `refund` or `void`.
    pub action: String,
    /// How much.
    pub amount: MoneyBody,
    /// `pending`, `expired` (pending past `expires_at`), `approving` (its action is running),
    /// `approved`, `failed` (approved, but the action was refused or failed) or `rejected`.
    pub state: String,
    /// Who asked.
    pub requested_by: String,
    /// Why.
    pub reason: String,
    /// When asked.
    pub requested_at: String,
    /// When it can no longer be approved.
    pub expires_at: String,
    /// Who approved or rejected it.
    pub decided_by: Option<String>,
    /// Why they did.
    pub decision_reason: Option<String>,
    /// When they did.
    pub decided_at: Option<String>,
    /// The payment action the approval ran.
    pub payment_action_id: Option<String>,
    /// Why the approved action failed.
    pub detail: Option<String>,
}

impl ApprovalRequestBody {
    pub(crate) fn of(request: ApprovalRequest, now: time::OffsetDateTime) -> Self {
        let label = |value: serde_json::Value| value.as_str().unwrap_or_default().to_owned();
        Self {
            id: request.id.to_string(),
            purchase_id: request.purchase_id.to_string(),
            action: label(serde_json::json!(request.action)),
            amount: request.amount.into(),
            state: if request.is_expired(now) {
                "expired".to_owned()
            } else {
                label(serde_json::json!(request.state))
            },
            requested_by: request.requested_by.to_string(),
            reason: request.reason.as_str().to_owned(),
            requested_at: rfc3339(request.requested_at),
            expires_at: rfc3339(request.expires_at),
            decided_by: request.decided_by.map(|actor| actor.to_string()),
            decision_reason: request
                .decision_reason
                .map(|reason| reason.as_str().to_owned()),
            decided_at: request.decided_at.map(rfc3339),
            payment_action_id: request.payment_action_id.map(|id| id.to_string()),
            detail: request.detail,
        }
    }
}

/// An approval or rejection of an approval request.
#[derive(Debug, Object)]
pub struct ApprovalDecisionRequest {
    /// Why (audit log).
    pub reason: String,
}

/// An approved request and the action it ran.
#[derive(Debug, Object)]
pub struct ApprovalResultBody {
    /// The request, `approved`.
    pub approval_request: ApprovalRequestBody,
    /// The action's result.
    pub result: PaymentActionResultBody,
}

fn approval_listing(state: Option<&str>) -> Result<ApprovalListing, ApiError> {
    Ok(match state {
        None => ApprovalListing::All,
        Some("pending") => ApprovalListing::Pending,
        Some("expired") => ApprovalListing::Expired,
        Some("approving") => ApprovalListing::State(ApprovalRequestState::Approving),
        Some("approved") => ApprovalListing::State(ApprovalRequestState::Approved),
        Some("failed") => ApprovalListing::State(ApprovalRequestState::Failed),
        Some("rejected") => ApprovalListing::State(ApprovalRequestState::Rejected),
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "state `{other}`: pending, expired, approving, approved, failed or rejected"
            )));
        }
    })
}

/// Refunds a purchase's payment as `caller` (the JSON API and the console): at most once per
/// `key`; four-eyes approval may make it a request instead.
pub(crate) async fn refund_payment(
    app: &App,
    caller: &Caller,
    id: &str,
    key: Option<String>,
    body: &RefundRequest,
) -> Result<Json<GiveBackResultBody>, ApiError> {
    idempotent(
        app,
        caller,
        key,
        &format!("refund_payment {id}"),
        body,
        |mark| async {
            let amount = money(body.amount.as_ref())?;
            give_back(
                app,
                caller,
                id,
                RequestedAction::Refund { amount },
                &body.reason,
                mark,
            )
            .await
        },
    )
    .await
}

/// Voids a purchase's payment as `caller`: at most once per `key`.
pub(crate) async fn void_payment(
    app: &App,
    caller: &Caller,
    id: &str,
    key: Option<String>,
    body: &VoidRequest,
) -> Result<Json<GiveBackResultBody>, ApiError> {
    idempotent(
        app,
        caller,
        key,
        &format!("void_payment {id}"),
        body,
        |mark| give_back(app, caller, id, RequestedAction::Void, &body.reason, mark),
    )
    .await
}

/// Captures an authorised payment as `caller`: at most once per `key`.
pub(crate) async fn capture_payment(
    app: &App,
    caller: &Caller,
    id: &str,
    key: Option<String>,
    body: &CaptureRequest,
) -> Result<Json<PaymentActionResultBody>, ApiError> {
    idempotent(
        app,
        caller,
        key,
        &format!("capture_payment {id}"),
        body,
        |mark| async {
            let amount = money(body.amount.as_ref())?;
            act(
                app,
                caller,
                id,
                RequestedAction::Capture { amount },
                &body.reason,
                mark,
            )
            .await
        },
    )
    .await
}

/// What `caller` may still refund of a purchase's payment under their role's limits.
pub(crate) async fn refund_allowance(
    app: &App,
    caller: &Caller,
    purchase_id: PurchaseId,
) -> Result<RefundAllowance, ApiError> {
    let limits = caller_refund_limits(app, caller).await?;
    app.billing
        .refund_allowance(purchase_id, &caller.actor, &limits)
        .await
        .map_err(action_problem)
}

/// The caller's role's refund limits, one per currency (none for a caller without a role); also
/// for refunds made by other actions (a cancellation's prorated refunds).
pub(crate) async fn caller_refund_limits(
    app: &App,
    caller: &Caller,
) -> Result<Vec<Money>, ApiError> {
    Ok(match caller.role {
        Some(role) => super::access::limits_of(
            &app.access.refund_limits().await.map_err(store_error)?,
            role,
        ),
        None => Vec::new(),
    })
}

/// What the caller may still refund of a purchase's payment.
#[derive(Debug, Object)]
pub struct RefundAllowanceBody {
    /// The payment's currency.
    pub currency: String,
    /// The caller's role's limit in that currency; absent when there is none (not limited).
    pub limit: Option<MoneyBody>,
    /// What the caller gave back today (UTC day), on every payment, in that currency: refunds
    /// and voids of captured payments, requested or succeeded.
    pub given_back_today: MoneyBody,
    /// What the caller gave back of this payment.
    pub given_back_of_payment: MoneyBody,
    /// What has been refunded of this payment, by anyone.
    pub refunded_of_payment: MoneyBody,
    /// What is left to refund of this payment.
    pub refundable: MoneyBody,
    /// What the caller may refund now: the least of `refundable` and what the limit leaves of
    /// this payment and of today.
    pub remaining: MoneyBody,
    /// The start of the day `given_back_today` counts (RFC 3339, UTC).
    pub day_starts_at: String,
    /// Its end (exclusive).
    pub day_ends_at: String,
}

fn money(amount: Option<&MoneyBody>) -> Result<Option<Money>, ApiError> {
    amount.map(MoneyBody::money).transpose()
}

/// The request to act on a purchase's payment as `caller`: their context (carrying the request's
/// idempotency key) and their role's refund limits.
async fn payment_request(
    app: &App,
    caller: &Caller,
    purchase_id: &str,
    action: RequestedAction,
    reason: &str,
    mark: Option<kasa_ports::IdempotencyMark>,
) -> Result<ActOnPayment, ApiError> {
    // Checked in this order: the reason, the id, then the limits (a read).
    Ok(ActOnPayment {
        context: caller.context(reason)?.with_idempotency(mark),
        purchase_id: parse_id::<PurchaseId>(purchase_id, "purchase")?,
        refund_limits: caller_refund_limits(app, caller).await?,
        action,
    })
}

/// Runs one action for `caller`, with their role's refund limit.
async fn act(
    app: &App,
    caller: &Caller,
    purchase_id: &str,
    action: RequestedAction,
    reason: &str,
    mark: Option<kasa_ports::IdempotencyMark>,
) -> Result<Json<PaymentActionResultBody>, ApiError> {
    let request = payment_request(app, caller, purchase_id, action, reason, mark).await?;
    let done = app
        .billing
        .act_on_payment(request)
        .await
        .map_err(action_problem)?;
    Ok(Json(done.into()))
}

/// Runs a refund or void for `caller`, or records it for another person's approval when
/// four-eyes approval applies.
async fn give_back(
    app: &App,
    caller: &Caller,
    purchase_id: &str,
    action: RequestedAction,
    reason: &str,
    mark: Option<kasa_ports::IdempotencyMark>,
) -> Result<Json<GiveBackResultBody>, ApiError> {
    let request = payment_request(app, caller, purchase_id, action, reason, mark).await?;
    let outcome = app
        .billing
        .give_back_or_request_approval(request)
        .await
        .map_err(action_problem)?;
    Ok(Json(match outcome {
        GiveBackOutcome::Done(done) => GiveBackResultBody::Done((*done).into()),
        GiveBackOutcome::PendingApproval(request) => {
            GiveBackResultBody::PendingApproval(ApprovalRequestBody::of(*request, app.clock.now()))
        }
    }))
}

/// Approves or rejects a request as `caller`.
fn decision(caller: &Caller, id: &str, reason: &str) -> Result<DecideApproval, ApiError> {
    Ok(DecideApproval {
        id: parse_id(id, "approval request")?,
        refund_limits: Vec::new(),
        context: caller.context(reason)?,
    })
}

/// A subscription package to renew itself through a gateway.
#[derive(Debug, Object, serde::Serialize)]
pub struct RecurringRequest {
    /// The subscription package each period buys.
    pub package_id: String,
    /// The gateway that charges the customer's saved card each period (`stripe`).
    #[oai(default = "default_recurring_gateway")]
    pub gateway: String,
    /// Why (audit log).
    pub reason: String,
}

/// The first registered gateway with recurring payments.
fn default_recurring_gateway() -> String {
    crate::gateways::REGISTRY
        .iter()
        .find(|descriptor| descriptor.capabilities.recurring)
        .map_or_else(String::new, |descriptor| descriptor.name.to_owned())
}

/// A renewing subscription.
#[derive(Debug, Object)]
pub struct RecurringBody {
    /// The gateway.
    pub gateway: String,
    /// The gateway's subscription id.
    pub subscription: String,
    /// The customer.
    pub customer_id: String,
    /// The package each period buys.
    pub package_id: String,
    /// `active` (renews), `cancelling` (stops at the period's end) or `ended`.
    pub state: String,
    /// When it was set up.
    pub created_at: String,
    /// When its state last changed.
    pub updated_at: String,
}

impl From<Recurring> for RecurringBody {
    fn from(recurring: Recurring) -> Self {
        Self {
            gateway: recurring.gateway.to_string(),
            subscription: recurring.subscription.0,
            customer_id: recurring.customer_id.to_string(),
            package_id: recurring.package_id.to_string(),
            state: recurring.state.label().to_owned(),
            created_at: rfc3339(recurring.created_at),
            updated_at: rfc3339(recurring.updated_at),
        }
    }
}

/// Refunds, voids, captures and renewing subscriptions.
#[derive(Debug)]
pub struct PaymentsApi;

#[OpenApi(prefix_path = "/v1", tag = "Tag::Actions")]
impl PaymentsApi {
    /// Refunds a purchase's payment, fully or in part, within the role's refund limit. A full
    /// refund (or the last part of one) takes the package back: credits reversed (never more
    /// than the balance), the subscription term ended, the departments it enabled released. A
    /// partial refund gives money back and keeps the package. A credit note is issued.
    #[oai(
        path = "/purchases/:id/refunds",
        method = "post",
        operation_id = "refund_payment"
    )]
    async fn refund(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        /// Send the same key again to get the first answer, never a second refund.
        #[oai(name = "Idempotency-Key")]
        idempotency_key: Header<Option<String>>,
        body: Json<RefundRequest>,
    ) -> Result<Json<GiveBackResultBody>, ApiError> {
        auth.0.require(Permission::Refund)?;
        refund_payment(&app, &auth.0, &id, idempotency_key.0, &body.0).await
    }

    /// Sets up a subscription package that renews itself: the gateway charges the customer's
    /// saved card (Stripe: the default card of the Stripe customer with the same e-mail) each
    /// period, and each paid period is applied like a purchase (term, invoice, e-mails) when the
    /// gateway reports it. Cancelling the subscription (`POST
    /// /v1/customers/{id}/subscription-cancellations`) stops it at the gateway too.
    #[oai(
        path = "/customers/:id/renewing-subscriptions",
        method = "post",
        operation_id = "start_renewing_subscription"
    )]
    async fn start_recurring(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        /// Send the same key again to get the first answer, never a second subscription.
        #[oai(name = "Idempotency-Key")]
        idempotency_key: Header<Option<String>>,
        body: Json<RecurringRequest>,
    ) -> Result<Json<RecurringBody>, ApiError> {
        auth.0.require(Permission::BillingActions)?;
        idempotent_change(
            &app,
            &auth.0,
            idempotency_key.0,
            &format!("start_renewing_subscription {}", id.0),
            &body.0,
            &body.reason,
            |context| async {
                let gateway = crate::gateways::descriptor(&body.gateway)
                    .filter(|descriptor| descriptor.capabilities.recurring)
                    .map(|descriptor| GatewayName::new(descriptor.name))
                    .ok_or_else(|| {
                        ApiError::invalid(format!(
                            "gateway: `{}` does not charge renewing subscriptions; {} does",
                            body.gateway,
                            default_recurring_gateway()
                        ))
                        .on_field("gateway")
                    })?;
                let recurring = app
                    .billing
                    .start_recurring(StartRecurring {
                        customer_id: parse_id(&id, "customer")?,
                        package_id: parse_id(&body.package_id, "package")?,
                        gateway,
                        context,
                    })
                    .await
                    .map_err(recurring_problem)?;
                Ok(Json(RecurringBody::from(recurring)))
            },
        )
        .await
    }

    /// A customer's renewing subscriptions, oldest first.
    #[oai(
        path = "/customers/:id/renewing-subscriptions",
        method = "get",
        operation_id = "list_renewing_subscriptions"
    )]
    async fn list_recurring(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
    ) -> Result<Json<Vec<RecurringBody>>, ApiError> {
        auth.0.require(Permission::ReadBilling)?;
        let customer_id: CustomerId = parse_id(&id, "customer")?;
        let found = app
            .store
            .customer_recurring(customer_id)
            .await
            .map_err(store_error)?;
        Ok(Json(found.into_iter().map(Into::into).collect()))
    }

    /// Voids a purchase's payment before the bank settles it; takes the package back like a
    /// full refund (the role's refund limit applies when money was taken).
    #[oai(
        path = "/purchases/:id/voids",
        method = "post",
        operation_id = "void_payment"
    )]
    async fn void(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        /// Send the same key again to get the first answer, never a second void.
        #[oai(name = "Idempotency-Key")]
        idempotency_key: Header<Option<String>>,
        body: Json<VoidRequest>,
    ) -> Result<Json<GiveBackResultBody>, ApiError> {
        auth.0.require(Permission::Refund)?;
        void_payment(&app, &auth.0, &id, idempotency_key.0, &body.0).await
    }

    /// Captures an authorised payment, fully or in part, and issues its invoice.
    #[oai(
        path = "/purchases/:id/captures",
        method = "post",
        operation_id = "capture_payment"
    )]
    async fn capture(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        /// Send the same key again to get the first answer, never a second capture.
        #[oai(name = "Idempotency-Key")]
        idempotency_key: Header<Option<String>>,
        body: Json<CaptureRequest>,
    ) -> Result<Json<PaymentActionResultBody>, ApiError> {
        auth.0.require(Permission::BillingActions)?;
        capture_payment(&app, &auth.0, &id, idempotency_key.0, &body.0).await
    }

    /// What the caller may still refund of a purchase's payment under their role's limit: the
    /// limit in the payment's currency, what they gave back today and of this payment, what is
    /// left of the payment, and so what they may refund now.
    #[oai(
        path = "/purchases/:id/refund-allowance",
        method = "get",
        operation_id = "get_refund_allowance",
        tag = "Tag::Records"
    )]
    async fn refund_allowance(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
    ) -> Result<Json<RefundAllowanceBody>, ApiError> {
        auth.0.require(Permission::Refund)?;
        let allowance = refund_allowance(&app, &auth.0, parse_id(&id, "purchase")?).await?;
        Ok(Json(RefundAllowanceBody {
            currency: allowance.refundable.currency().alpha_code().to_owned(),
            limit: allowance.limit.map(MoneyBody::from),
            given_back_today: allowance.given_back_today.into(),
            given_back_of_payment: allowance.given_back_of_payment.into(),
            refunded_of_payment: allowance.refunded_of_payment.into(),
            refundable: allowance.refundable.into(),
            remaining: allowance.remaining.into(),
            day_starts_at: rfc3339(allowance.day.0),
            day_ends_at: rfc3339(allowance.day.1),
        }))
    }

    /// A purchase's payment actions (refunds, voids, captures), oldest first.
    #[oai(
        path = "/purchases/:id/payment-actions",
        method = "get",
        operation_id = "list_payment_actions",
        tag = "Tag::Records"
    )]
    async fn list(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
    ) -> Result<Json<Vec<PaymentActionBody>>, ApiError> {
        auth.0.require(Permission::ReadBilling)?;
        let purchase_id: PurchaseId = parse_id(&id, "purchase")?;
        app.store.purchase(purchase_id).await.map_err(store_error)?;
        let actions = app
            .store
            .payment_actions(purchase_id)
            .await
            .map_err(store_error)?;
        Ok(Json(actions.into_iter().map(Into::into).collect()))
    }

    /// Approval requests (four-eyes approval of give-backs above the billing settings'
    /// threshold), newest first: all, or those in `state` (`pending` lists only those that can
    /// still be approved; `expired` those that waited too long).
    #[oai(
        path = "/approval-requests",
        method = "get",
        operation_id = "list_approval_requests",
        tag = "Tag::Records"
    )]
    async fn list_approval_requests(
        &self,
        app: Data<&App>,
        auth: Bearer,
        state: Query<Option<String>>,
    ) -> Result<Json<Vec<ApprovalRequestBody>>, ApiError> {
        auth.0.require(Permission::Refund)?;
        let listing = approval_listing(state.0.as_deref())?;
        let requests = app
            .billing
            .approval_requests(listing, 200)
            .await
            .map_err(store_error)?;
        let now = app.clock.now();
        Ok(Json(
            requests
                .into_iter()
                .map(|request| ApprovalRequestBody::of(request, now))
                .collect(),
        ))
    }

    /// Approves a pending request and runs its refund or void at once, with the approver's
    /// identity and role's refund limits (the requester's do not apply). The one who asked can
    /// never approve (403 `approver-is-requester`); an expired request cannot be approved (409
    /// `approval-request-expired`); a decided one is not decided again (409
    /// `approval-request-closed`), so two approvals at once run the action once. When the
    /// action is refused or fails, the request ends `failed` and the action's problem is
    /// answered.
    #[oai(
        path = "/approval-requests/:id/approval",
        method = "post",
        operation_id = "approve_approval_request"
    )]
    async fn approve(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        body: Json<ApprovalDecisionRequest>,
    ) -> Result<Json<ApprovalResultBody>, ApiError> {
        auth.0.require(Permission::Refund)?;
        let mut decision = decision(&auth.0, &id, &body.reason)?;
        decision.refund_limits = caller_refund_limits(&app, &auth.0).await?;
        let (request, done) = app
            .billing
            .approve_request(decision)
            .await
            .map_err(approval_problem)?;
        Ok(Json(ApprovalResultBody {
            approval_request: ApprovalRequestBody::of(request, app.clock.now()),
            result: done.into(),
        }))
    }

    /// Rejects a pending request: nothing moves. The one who asked cannot reject it either
    /// (403 `approver-is-requester`).
    #[oai(
        path = "/approval-requests/:id/rejection",
        method = "post",
        operation_id = "reject_approval_request"
    )]
    async fn reject(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        body: Json<ApprovalDecisionRequest>,
    ) -> Result<Json<ApprovalRequestBody>, ApiError> {
        auth.0.require(Permission::Refund)?;
        let request = app
            .billing
            .reject_request(decision(&auth.0, &id, &body.reason)?)
            .await
            .map_err(approval_problem)?;
        Ok(Json(ApprovalRequestBody::of(request, app.clock.now())))
    }
}
