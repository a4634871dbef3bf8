//! Use-case refusals and gateway failures that more than one part of the API answers with,
//! as problem documents (the staff console shows the same ones).

use kasa_billing::PaymentActionError;
use kasa_domain::Money;
use kasa_ports::GatewayError;
use kasa_subscriptions::PurchaseRefusal;
use poem::http::StatusCode;

use crate::dates::rfc3339;
use crate::problem::{ApiError, store_error};

/// A refused purchase (grant, checkout, renewing subscription) as a 409 problem.
pub(crate) fn purchase_refusal(refusal: &PurchaseRefusal) -> ApiError {
    match refusal {
        PurchaseRefusal::RenewalTooEarly { ends_at, opens_at } => ApiError::new(
            StatusCode::CONFLICT,
            "renewal-too-early",
            "Too early to renew",
            format!(
                "the subscription ends at {}; renewal opens at {} (30 days before the end)",
                rfc3339(*ends_at),
                rfc3339(*opens_at)
            ),
        )
        .with_facts(serde_json::json!({
            "ends_at": rfc3339(*ends_at), "renewal_opens_at": rfc3339(*opens_at)
        })),
        PurchaseRefusal::ForfeitNotConfirmed { forfeiture } => ApiError::new(
            StatusCode::CONFLICT,
            "forfeit-not-confirmed",
            "Switching kinds forfeits what the customer holds",
            "this package is of the other kind: the customer's remaining credits or days would \
             be forfeited; send `confirm_forfeit: true` to go on",
        )
        .with_facts(serde_json::json!({ "forfeiture": forfeiture })),
        PurchaseRefusal::NotOnSale => ApiError::new(
            StatusCode::CONFLICT,
            "not-on-sale",
            "The package is not on sale",
            "this package is not on sale",
        ),
    }
}

/// A gateway's failure while acting on a payment.
pub(crate) fn gateway_problem(error: &GatewayError) -> ApiError {
    match error {
        GatewayError::Declined { .. }
        | GatewayError::Refused { .. }
        | GatewayError::NotSettled { .. } => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "gateway-refused",
            "The payment gateway refused",
            format!("{error}; nothing changed"),
        ),
        GatewayError::Unavailable(_) | GatewayError::Timeout => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "gateway-unavailable",
            "The payment gateway did not answer",
            format!(
                "{error}; the action is recorded as failed and nothing changed; try again later"
            ),
        ),
        GatewayError::Unsupported(_)
        | GatewayError::Misconfigured(_)
        | GatewayError::InvalidSignature
        | GatewayError::Malformed(_) => ApiError::new(
            StatusCode::CONFLICT,
            "gateway-misconfigured",
            "The payment system is not set up for this",
            format!("{error}; check the payment system's settings"),
        ),
    }
}

/// A refused or failed refund, void or capture (also a cancellation's prorated refund).
pub(crate) fn action_problem(error: PaymentActionError) -> ApiError {
    let detail = error.to_string();
    let problem = |status, code, title| ApiError::new(status, code, title, detail.clone());
    match error {
        PaymentActionError::PurchaseNotFound => ApiError::not_found(kasa_ports::Entity::Purchase),
        PaymentActionError::NoPayment => problem(
            StatusCode::CONFLICT,
            "no-gateway-payment",
            "The purchase has no payment",
        ),
        PaymentActionError::NotAllowed { .. } => problem(
            StatusCode::CONFLICT,
            "payment-action-not-allowed",
            "Not possible for this payment now",
        ),
        PaymentActionError::InvalidAmount { .. } => ApiError::invalid(detail),
        PaymentActionError::AmountTooLarge { available, .. } => problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "amount-too-large",
            "More than the payment has left",
        )
        .with_facts(serde_json::json!({ "available": { "amount": available.amount(), "currency": available.currency().alpha_code() } })),
        PaymentActionError::OverRefundLimit {
            limit,
            given_back_today,
            given_back_of_payment,
            remaining,
        } => problem(
            StatusCode::FORBIDDEN,
            "refund-limit-exceeded",
            "More than your role may give back",
        )
        .with_facts(serde_json::json!({
            "currency": limit.currency().alpha_code(),
            "limit": money_fact(limit),
            "given_back_today": money_fact(given_back_today),
            "given_back_of_payment": money_fact(given_back_of_payment),
            "remaining": money_fact(remaining),
        })),
        PaymentActionError::PartialRefundBeforeSettlement => problem(
            StatusCode::CONFLICT,
            "not-settled",
            "The bank has not settled the payment yet",
        ),
        PaymentActionError::InProgress => problem(
            StatusCode::CONFLICT,
            "payment-action-in-progress",
            "Another action on this payment is running",
        ),
        PaymentActionError::ChangedMeanwhile => problem(
            StatusCode::CONFLICT,
            "changed-meanwhile",
            "Changed while this was decided",
        ),
        PaymentActionError::NotVoidable => problem(
            StatusCode::CONFLICT,
            "not-voidable",
            "A payment made outside Kasa cannot be voided",
        ),
        PaymentActionError::UnknownGateway(_) => problem(
            StatusCode::CONFLICT,
            "unknown-payment-system",
            "Kasa has no such payment system",
        ),
        PaymentActionError::Gateway(error) => gateway_problem(&error),
        PaymentActionError::Store(error) => store_error(error),
    }
}

fn money_fact(money: Money) -> serde_json::Value {
    serde_json::json!({ "amount": money.amount(), "currency": money.currency().alpha_code() })
}
