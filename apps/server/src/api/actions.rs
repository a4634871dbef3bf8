//! Agents' actions on a customer: grant a package, adjust credits, cancel a subscription.

use crate::api::problems::{adjust_error, cancel_error, grant_error};
use kasa_billing::GrantPackage;
use kasa_domain::{CustomerCard, CustomerId, Holding, PackageId, Permission};
use kasa_ports::Purchase;
use kasa_subscriptions::{CancellationTiming, ForfeitConfirmation};
use poem::web::Data;
use poem_openapi::param::{Header, Path};
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};
use time::OffsetDateTime;

use super::bodies::{HoldingBody, PurchaseBody, holding_body};
use super::customers::{CardDepartmentBody, card_body};
use super::payments::caller_refund_limits;
use super::problems::action_problem;
use super::{MAX_CREDITS, Tag, parse_id};
use crate::app::App;
use crate::auth::{Bearer, Caller};
use crate::dates::rfc3339;
use crate::idempotency::idempotent_change;
use crate::problem::{ApiError, store_error};

/// Grant a package.
#[derive(Debug, Object)]
pub struct GrantRequest {
    /// The package (it need not be on sale).
    pub package_id: String,
    /// The agent confirms forfeiting what the customer holds, when switching kinds.
    #[oai(default)]
    pub confirm_forfeit: bool,
    /// The customer paid outside a gateway (recorded as a captured manual payment).
    #[oai(default)]
    pub charged: bool,
    /// Why (audit log).
    pub reason: String,
}

/// The customer after an action.
#[derive(Debug, Object)]
pub struct ActionResult {
    /// What they hold now.
    pub holding: HoldingBody,
    /// The departments on their card now.
    pub card: Vec<CardDepartmentBody>,
    /// The purchase, for a grant.
    pub purchase: Option<PurchaseBody>,
    /// For a cancellation: when access ends.
    pub ends_at: Option<String>,
    /// For a prorated cancellation: each paid purchase's refund of the unused time, made
    /// through its payment (`purchase_id`, `amount`, `currency`, `outcome`: `succeeded` with
    /// `payment_action_id`, `payment_status` and `credit_note`; `pending_approval` with
    /// `approval_request_id` and `expires_at` when four-eyes approval applies; or `failed` with
    /// the `problem`'s `code` and `detail`: nothing moved for that one).
    pub prorated_refunds: Option<serde_json::Value>,
}

/// Add or remove credits.
#[derive(Debug, Object)]
pub struct AdjustRequest {
    /// Credits to add (positive) or remove (negative), never zero.
    pub delta: i64,
    /// Why (audit log).
    pub reason: String,
}

/// When a cancellation takes effect.
#[derive(Debug, Enum, Clone, Copy)]
#[oai(rename_all = "snake_case")]
pub enum CancelTiming {
    /// At once: departments are released now.
    Now,
    /// At the end of the paid time.
    AtEnd,
}

/// Cancel a subscription.
#[derive(Debug, Object)]
pub struct CancelRequest {
    /// Now or at the end.
    pub timing: CancelTiming,
    /// Refund the unused time of each paid purchase through its payment (cancelling now); the
    /// answer lists each refund's outcome.
    #[oai(default)]
    pub prorated_refund: bool,
    /// Why (audit log).
    pub reason: String,
}

/// A prorated refund as the cancellation's answer shows it: what was owed and what moved.
pub(crate) fn prorated_refund_body(refund: kasa_billing::ProratedRefund) -> serde_json::Value {
    let mut body = serde_json::json!({
        "purchase_id": refund.purchase_id,
        "amount": refund.amount.amount().to_string(),
        "currency": refund.amount.currency().alpha_code(),
    });
    let outcome = match refund.outcome {
        Ok(kasa_billing::GiveBackOutcome::PendingApproval(request)) => serde_json::json!({
            "outcome": "pending_approval",
            "approval_request_id": request.id,
            "expires_at": rfc3339(request.expires_at),
        }),
        Ok(kasa_billing::GiveBackOutcome::Done(done)) => serde_json::json!({
            "outcome": "succeeded",
            "payment_action_id": done.finished.action.id,
            "payment_status": done.finished.purchase.payment.as_ref().map(|payment| payment.status.label()),
            "credit_note": done.finished.document.map(|document| document.number.to_string()),
            "voided_instead_of_refund": done.voided_instead_of_refund,
        }),
        Err(error) => {
            let problem = action_problem(error);
            serde_json::json!({
                "outcome": "failed",
                "problem": { "code": problem.code(), "detail": problem.detail() },
            })
        }
    };
    if let (Some(body), serde_json::Value::Object(outcome)) = (body.as_object_mut(), outcome) {
        body.extend(outcome);
    }
    body
}

impl ActionResult {
    /// What the customer holds and the departments on their card, after an action.
    pub(crate) fn of(
        holding: &Holding,
        card: &CustomerCard,
        purchase: Option<Purchase>,
        now: OffsetDateTime,
    ) -> Self {
        Self {
            holding: holding_body(holding, now),
            card: card_body(card),
            purchase: purchase.map(PurchaseBody::from),
            ends_at: None,
            prorated_refunds: None,
        }
    }
}

/// The customer as an action left them, read again from the store.
pub(crate) async fn action_result(
    app: &App,
    customer_id: CustomerId,
) -> Result<ActionResult, ApiError> {
    let state = app
        .store
        .customer_state(customer_id)
        .await
        .map_err(store_error)?;
    Ok(ActionResult::of(
        &state.holding,
        &state.card,
        None,
        app.clock.now(),
    ))
}

/// Agents' actions on a customer.
#[derive(Debug)]
pub struct ActionsApi;

#[OpenApi(prefix_path = "/v1")]
impl ActionsApi {
    /// Grants a package to a customer, free or paid outside a gateway.
    #[oai(
        path = "/customers/:id/grants",
        method = "post",
        operation_id = "grant_package",
        tag = "Tag::Actions"
    )]
    async fn grant(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        /// Send the same key again to get the first answer, never a second change.
        #[oai(name = "Idempotency-Key")]
        idempotency_key: Header<Option<String>>,
        body: Json<GrantRequest>,
    ) -> Result<Json<ActionResult>, ApiError> {
        auth.0.require(Permission::BillingActions)?;
        grant_package(&app, &auth.0, &id, idempotency_key.0, &body.0).await
    }

    /// Adds or removes credits by hand.
    #[oai(
        path = "/customers/:id/credit-adjustments",
        method = "post",
        operation_id = "adjust_credits",
        tag = "Tag::Actions"
    )]
    async fn adjust(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        /// Send the same key again to get the first answer, never a second change.
        #[oai(name = "Idempotency-Key")]
        idempotency_key: Header<Option<String>>,
        body: Json<AdjustRequest>,
    ) -> Result<Json<ActionResult>, ApiError> {
        auth.0.require(Permission::BillingActions)?;
        adjust_credits(&app, &auth.0, &id, idempotency_key.0, &body.0).await
    }

    /// Cancels a customer's subscription now or at its end.
    #[oai(
        path = "/customers/:id/subscription-cancellations",
        method = "post",
        operation_id = "cancel_subscription",
        tag = "Tag::Actions"
    )]
    async fn cancel(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        /// Send the same key again to get the first answer, never a second change.
        #[oai(name = "Idempotency-Key")]
        idempotency_key: Header<Option<String>>,
        body: Json<CancelRequest>,
    ) -> Result<Json<ActionResult>, ApiError> {
        auth.0.require(Permission::BillingActions)?;
        cancel_subscription(&app, &auth.0, &id, idempotency_key.0, &body.0).await
    }
}

/// Grants a package as `caller` (the JSON API and the console): at most once per `key`.
pub(crate) async fn grant_package(
    app: &App,
    caller: &Caller,
    id: &str,
    key: Option<String>,
    body: &GrantRequest,
) -> Result<Json<ActionResult>, ApiError> {
    idempotent_change(
        app,
        caller,
        key,
        &format!("grant_package {id}"),
        body,
        &body.reason,
        |context| async {
            let customer_id: CustomerId = parse_id(id, "customer")?;
            let applied = app
                .billing
                .grant_package(GrantPackage {
                    customer_id,
                    package_id: parse_id::<PackageId>(&body.package_id, "package")?,
                    confirmation: if body.confirm_forfeit {
                        ForfeitConfirmation::Confirmed
                    } else {
                        ForfeitConfirmation::NotConfirmed
                    },
                    charged: body.charged,
                    context,
                })
                .await
                .map_err(grant_error)?;
            Ok(Json(ActionResult::of(
                &applied.holding,
                &applied.card,
                Some(applied.purchase),
                app.clock.now(),
            )))
        },
    )
    .await
}

/// Adds or removes credits as `caller`: at most once per `key`.
pub(crate) async fn adjust_credits(
    app: &App,
    caller: &Caller,
    id: &str,
    key: Option<String>,
    body: &AdjustRequest,
) -> Result<Json<ActionResult>, ApiError> {
    if body.delta.unsigned_abs() > MAX_CREDITS.unsigned_abs() {
        return Err(ApiError::invalid(format!(
            "an adjustment moves at most {MAX_CREDITS} credits"
        )));
    }
    idempotent_change(
        app,
        caller,
        key,
        &format!("adjust_credits {id}"),
        body,
        &body.reason,
        |context| async {
            let customer_id: CustomerId = parse_id(id, "customer")?;
            app.billing
                .adjust_credits(customer_id, body.delta, context)
                .await
                .map_err(adjust_error)?;
            Ok(Json(action_result(app, customer_id).await?))
        },
    )
    .await
}

/// Cancels a subscription as `caller`, with their role's refund limits: at most once per `key`.
pub(crate) async fn cancel_subscription(
    app: &App,
    caller: &Caller,
    id: &str,
    key: Option<String>,
    body: &CancelRequest,
) -> Result<Json<ActionResult>, ApiError> {
    idempotent_change(
        app,
        caller,
        key,
        &format!("cancel_subscription {id}"),
        body,
        &body.reason,
        |context| async {
            let customer_id: CustomerId = parse_id(id, "customer")?;
            let timing = match body.timing {
                CancelTiming::Now => CancellationTiming::Now,
                CancelTiming::AtEnd => CancellationTiming::AtEnd,
            };
            let refund_limits = caller_refund_limits(app, caller).await?;
            let cancelled = app
                .billing
                .cancel_subscription(
                    customer_id,
                    timing,
                    body.prorated_refund,
                    refund_limits,
                    context,
                )
                .await
                .map_err(cancel_error)?;
            let mut result = action_result(app, customer_id).await?;
            result.ends_at = Some(rfc3339(cancelled.ends_at));
            result.prorated_refunds = Some(serde_json::Value::Array(
                cancelled
                    .refunds
                    .into_iter()
                    .map(prorated_refund_body)
                    .collect(),
            ));
            Ok(Json(result))
        },
    )
    .await
}
