//! Every use case's refusals and failures as problem documents, in one place: each use-case
//! error enum has one function here that maps it, exhaustively, to a status and a stable code
//! (docs/api-errors.md). The API and the staff console both answer with these.

use kasa_billing::reports::ReportError;
use kasa_billing::{
    AdjustCreditsError, ApprovalError, AskQuestionError, CancelPaymentRequestError,
    CancelSubscriptionError, ChargeError, CheckCouponError, CreateCouponError,
    CreatePaymentRequestError, GrantPackageError, ImportPaymentError, PaymentActionError,
    QUESTIONS_PER_HOUR, StartRecurringError,
};
use kasa_credits::ChargeRefusal;
use kasa_domain::Money;
use kasa_domain::{CouponError, Package, PackageError};
use kasa_ports::GatewayError;
use kasa_ports::StoreError;
use kasa_subscriptions::CancellationError;
use kasa_subscriptions::PurchaseRefusal;
use poem::http::StatusCode;

use crate::dates::rfc3339;
use crate::problem::{ApiError, store_error};
use crate::reports::QueryError;

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
        PaymentActionError::GatewayCannot { .. } => problem(
            StatusCode::CONFLICT,
            "not-supported-by-gateway",
            "The payment system cannot do this",
        ),
        PaymentActionError::Gateway(error) => gateway_problem(&error),
        PaymentActionError::Store(error) => store_error(error),
    }
}

/// A refused import of a payment received elsewhere (ADR 0025); none of these changed anything.
pub(crate) fn import_problem(error: ImportPaymentError) -> ApiError {
    let detail = error.to_string();
    match error {
        ImportPaymentError::Invalid { field, message } => {
            ApiError::invalid(message).on_field(field)
        }
        ImportPaymentError::NotFound(entity) => ApiError::not_found(entity),
        ImportPaymentError::AlreadyPaid(purchase) => ApiError::new(
            StatusCode::CONFLICT,
            "purchase-already-paid",
            "The purchase is already paid",
            "the purchase was paid already (through its gateway or another import); nothing \
             was recorded",
        )
        .with_facts(serde_json::json!({
            "purchase_id": purchase.id.to_string(),
            "paid_with": purchase.payment.as_ref().map(|payment| payment.gateway.to_string()),
            "reference": purchase.payment.as_ref().and_then(|payment| payment.reference.as_ref().map(|reference| reference.0.clone())),
        })),
        ImportPaymentError::NotPending(_) => ApiError::new(
            StatusCode::CONFLICT,
            "purchase-not-pending",
            "The purchase is not pending",
            format!("{detail}: it was closed unpaid or is held for an agent; nothing was recorded"),
        ),
        ImportPaymentError::RequestNotOpen(request) => ApiError::new(
            StatusCode::CONFLICT,
            "payment-request-not-payable",
            "The payment request cannot be paid",
            "the payment request was cancelled or has expired; nothing was recorded",
        )
        .with_facts(serde_json::json!({
            "cancelled": request.cancellation.is_some(),
            "expires_at": rfc3339(request.expires_at),
        })),
        ImportPaymentError::NoPayment => ApiError::new(
            StatusCode::CONFLICT,
            "no-gateway-payment",
            "The purchase has no payment",
            detail,
        ),
        ImportPaymentError::ReferenceUsed { purchase_id, .. } => ApiError::new(
            StatusCode::CONFLICT,
            "import-reference-used",
            "This reference was imported for another purchase",
            format!("{detail}; a reference pays one purchase; nothing was recorded"),
        )
        .with_facts(serde_json::json!({ "purchase_id": purchase_id.to_string() })),
        ImportPaymentError::AmountMismatch { owed, given } => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "import-amount-mismatch",
            "The amount is not what is owed",
            format!("{detail}; nothing was recorded (a payment is imported whole)"),
        )
        .on_field("amount")
        .with_facts(serde_json::json!({ "owed": money_fact(owed), "given": money_fact(given) })),
        ImportPaymentError::GatewayPaymentUnderWay(_) => ApiError::new(
            StatusCode::CONFLICT,
            "gateway-payment-under-way",
            "The payment at the gateway could not be given up",
            format!("{detail}; nothing was recorded; try again later"),
        ),
        ImportPaymentError::Refused(refusal) => purchase_refusal(&refusal),
        ImportPaymentError::Store(error) => store_error(error),
    }
}

fn money_fact(money: Money) -> serde_json::Value {
    serde_json::json!({ "amount": money.amount(), "currency": money.currency().alpha_code() })
}

/// A payment request that could not be made.
pub(crate) fn create_error(error: CreatePaymentRequestError) -> ApiError {
    match error {
        CreatePaymentRequestError::CustomerNotFound => {
            ApiError::not_found(kasa_ports::Entity::Customer)
        }
        CreatePaymentRequestError::PackageNotFound => {
            ApiError::not_found(kasa_ports::Entity::Package)
        }
        CreatePaymentRequestError::FreePackage => ApiError::invalid(
            "the package is free: grant it (POST /v1/customers/{id}/grants) instead of asking \
             for a payment",
        )
        .on_field("package_id"),
        CreatePaymentRequestError::InvalidAmount(amount) => ApiError::invalid(format!(
            "an amount asked for is more than 0 and at most {}, not {amount}",
            kasa_billing::MAX_AMOUNT
        ))
        .on_field("amount"),
        CreatePaymentRequestError::CouponNeedsPackage => ApiError::invalid(
            "a coupon discounts a package; for an amount, ask for the discounted amount itself",
        )
        .on_field("coupon_code"),
        CreatePaymentRequestError::InvalidDescription => {
            ApiError::invalid("a description is 1-500 characters").on_field("description")
        }
        CreatePaymentRequestError::InvalidValidity(days) => ApiError::invalid(format!(
            "a payment request is valid for 1 to 90 days, not {days}"
        ))
        .on_field("valid_days"),
        CreatePaymentRequestError::Coupon(refusal) => {
            crate::problem::coupon_refused(&refusal).on_field("coupon_code")
        }
        CreatePaymentRequestError::Store(error) => store_error(error),
    }
}

/// A payment request that is not there (any other store failure as itself).
pub(crate) fn request_not_found(error: StoreError) -> ApiError {
    match error {
        StoreError::NotFound { .. } => ApiError::not_found(kasa_ports::Entity::PaymentRequest),
        other => store_error(other),
    }
}

/// A refused query as a problem on its field.
pub(crate) fn query_problem(error: QueryError) -> ApiError {
    if error.field == "report" {
        return ApiError::not_found(kasa_ports::Entity::Report).with_facts(serde_json::json!({
            "detail": error.detail,
        }));
    }
    ApiError::invalid(error.detail).on_field(error.field)
}

/// A failed report as a problem.
pub(crate) fn report_problem(error: ReportError) -> ApiError {
    match error {
        ReportError::InvalidWindow(detail) => ApiError::invalid(detail).on_field("from"),
        ReportError::Store(error) => store_error(error),
    }
}

/// A refused approval decision.
pub(crate) fn approval_problem(error: ApprovalError) -> ApiError {
    let detail = error.to_string();
    match error {
        ApprovalError::NotFound => ApiError::not_found(kasa_ports::Entity::ApprovalRequest),
        ApprovalError::ApproverIsRequester => ApiError::new(
            StatusCode::FORBIDDEN,
            "approver-is-requester",
            "You asked for this give-back",
            detail,
        ),
        ApprovalError::Expired => ApiError::new(
            StatusCode::CONFLICT,
            "approval-request-expired",
            "The approval request expired",
            detail,
        ),
        ApprovalError::Closed { .. } => ApiError::new(
            StatusCode::CONFLICT,
            "approval-request-closed",
            "The approval request was decided already",
            detail,
        ),
        ApprovalError::Action(error) => action_problem(error),
        ApprovalError::Store(error) => store_error(error),
    }
}

/// A refused renewing subscription.
pub(crate) fn recurring_problem(error: StartRecurringError) -> ApiError {
    let detail = error.to_string();
    match error {
        StartRecurringError::CustomerNotFound => ApiError::not_found(kasa_ports::Entity::Customer),
        StartRecurringError::PackageNotFound => ApiError::not_found(kasa_ports::Entity::Package),
        StartRecurringError::NotASubscription => ApiError::new(
            StatusCode::CONFLICT,
            "not-a-subscription-package",
            "Only subscription packages renew",
            detail,
        ),
        StartRecurringError::Refused(refusal) => purchase_refusal(&refusal),
        StartRecurringError::HoldsCredits(_) => ApiError::new(
            StatusCode::CONFLICT,
            "holds-credits",
            "The customer holds credits",
            detail,
        ),
        StartRecurringError::AlreadyRecurring(_) => ApiError::new(
            StatusCode::CONFLICT,
            "already-renewing",
            "A renewing subscription is running",
            detail,
        ),
        StartRecurringError::UnknownGateway(_) => ApiError::new(
            StatusCode::CONFLICT,
            "gateway-misconfigured",
            "The payment system is not set up for this",
            detail,
        ),
        StartRecurringError::Gateway(error) => gateway_problem(&error),
        StartRecurringError::Store(error) => store_error(error),
    }
}

/// A charge that could not be decided (nothing found, or the store failed).
pub(crate) fn charge_error(error: ChargeError) -> ApiError {
    match error {
        ChargeError::CustomerNotFound => ApiError::not_found(kasa_ports::Entity::Customer),
        ChargeError::DepartmentNotFound => ApiError::not_found(kasa_ports::Entity::Department),
        ChargeError::Store(error) => store_error(error),
    }
}

/// A refused or failed grant.
pub(crate) fn grant_error(error: GrantPackageError) -> ApiError {
    match error {
        GrantPackageError::Refused(refusal) => purchase_refusal(&refusal),
        GrantPackageError::CustomerNotFound => ApiError::not_found(kasa_ports::Entity::Customer),
        GrantPackageError::PackageNotFound => ApiError::not_found(kasa_ports::Entity::Package),
        GrantPackageError::Store(error) => store_error(error),
    }
}

/// A refused or failed credit adjustment.
pub(crate) fn adjust_error(error: AdjustCreditsError) -> ApiError {
    match error {
        AdjustCreditsError::Zero => {
            ApiError::invalid("an adjustment adds or removes at least one credit")
        }
        AdjustCreditsError::HoldsSubscription => ApiError::new(
            StatusCode::CONFLICT,
            "holds-subscription",
            "The customer holds a subscription",
            "credits can be adjusted only for a customer holding credits or nothing",
        ),
        AdjustCreditsError::InsufficientCredits { requested, balance } => ApiError::new(
            StatusCode::CONFLICT,
            "insufficient-credits",
            "Not enough credits",
            format!("cannot remove {requested} credits: the balance is {balance}"),
        )
        .with_facts(serde_json::json!({ "balance": balance.get() })),
        AdjustCreditsError::CustomerNotFound => ApiError::not_found(kasa_ports::Entity::Customer),
        AdjustCreditsError::Store(error) => store_error(error),
    }
}

/// A refused or failed cancellation.
pub(crate) fn cancel_error(error: CancelSubscriptionError) -> ApiError {
    match error {
        CancelSubscriptionError::NoSubscription => ApiError::new(
            StatusCode::CONFLICT,
            "no-subscription",
            "No subscription",
            "the customer holds no subscription to cancel",
        ),
        CancelSubscriptionError::Refused(CancellationError::AlreadyEnded { ended_at }) => {
            ApiError::new(
                StatusCode::CONFLICT,
                "subscription-already-ended",
                "The subscription already ended",
                format!("it ended at {}", rfc3339(ended_at)),
            )
        }
        CancelSubscriptionError::Refused(CancellationError::AlreadyCancelled { ends_at }) => {
            ApiError::new(
                StatusCode::CONFLICT,
                "subscription-already-cancelled",
                "The subscription is already cancelled",
                format!("it ends at {}", rfc3339(ends_at)),
            )
        }
        CancelSubscriptionError::CustomerNotFound => {
            ApiError::not_found(kasa_ports::Entity::Customer)
        }
        CancelSubscriptionError::Gateway(error) => gateway_problem(&error),
        CancelSubscriptionError::Store(error) => store_error(error),
    }
}

/// A refused package definition, naming its field.
pub(crate) fn package_error(error: PackageError) -> ApiError {
    let field = match error {
        PackageError::InvalidName => "name",
        PackageError::NoDepartments => "department_ids",
        PackageError::NoCredits => "credits",
        PackageError::InvalidDays(_) => "days",
        PackageError::NegativePrice => "price",
        PackageError::DescriptionTooLong => "description",
    };
    ApiError::invalid(error.to_string()).on_field(field)
}

/// A refused coupon definition as an API error, naming its field.
pub(crate) fn create_coupon_error(error: CreateCouponError) -> ApiError {
    match error {
        CreateCouponError::Invalid(error) => {
            let field = match error {
                CouponError::InvalidPercentage(_) => "percent",
                CouponError::NoAmounts
                | CouponError::AmountNotPositive(_)
                | CouponError::DuplicateCurrency(_) => "amounts",
                CouponError::EndsBeforeStart => "valid_until",
                CouponError::ZeroLimit => "max_redemptions",
            };
            ApiError::invalid(error.to_string()).on_field(field)
        }
        CreateCouponError::UnknownPackage(package_id) => {
            ApiError::invalid(format!("package {package_id} does not exist"))
                .on_field("package_ids")
        }
        CreateCouponError::Store(StoreError::AlreadyExists { .. }) => ApiError::new(
            poem::http::StatusCode::CONFLICT,
            "coupon-code-taken",
            "The coupon code is taken",
            "another coupon has this code (codes are compared without case); choose another",
        )
        .on_field("code"),
        CreateCouponError::Store(error) => store_error(error),
    }
}

/// A coupon check that could not be made, as a problem.
pub(crate) fn check_error(error: CheckCouponError) -> ApiError {
    match error {
        CheckCouponError::PackageNotFound => ApiError::not_found(kasa_ports::Entity::Package),
        CheckCouponError::Store(error) => store_error(error),
    }
}

/// A question that could not be asked.
pub(crate) fn question_problem(error: AskQuestionError) -> ApiError {
    let detail = error.to_string();
    match error {
        AskQuestionError::Subject => ApiError::invalid(detail).on_field("subject"),
        AskQuestionError::Message => ApiError::invalid(detail).on_field("message"),
        AskQuestionError::UnknownTopic => ApiError::not_found(kasa_ports::Entity::OwnDocument),
        AskQuestionError::NoRecipient => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "questions-not-set-up",
            "Billing questions are not set up",
            detail,
        ),
        AskQuestionError::TooMany => ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too-many-questions",
            "Too many questions",
            detail,
        )
        .with_facts(serde_json::json!({ "per_hour": QUESTIONS_PER_HOUR }))
        .with_retry_after(std::time::Duration::from_secs(3600)),
        AskQuestionError::Store(error) => store_error(error),
    }
}

/// A refused charge as a 402 problem: every refusal's facts give the customer's balance, the
/// department's price and the packages that would cover it.
pub(crate) fn charge_refusal(
    refusal: &ChargeRefusal,
    balance: kasa_domain::Credits,
    price: kasa_domain::Credits,
    packages: &[Package],
) -> ApiError {
    let status = StatusCode::PAYMENT_REQUIRED;
    let (code, title, detail, facts) = match refusal {
        ChargeRefusal::DepartmentNotEnabled => (
            "department-not-enabled",
            "The department is not enabled for this customer",
            "the customer's card does not include this department; a package that covers it \
             enables it, or an operator can enable it by hand"
                .to_owned(),
            serde_json::json!({}),
        ),
        ChargeRefusal::InsufficientCredits { balance, price } => (
            "insufficient-credits",
            "Not enough credits",
            format!("the ticket costs {price} credits and the balance is {balance}; buy a package"),
            serde_json::json!({ "balance": balance.get(), "price": price.get() }),
        ),
        ChargeRefusal::SubscriptionExpired { ended_at, price } => (
            "subscription-expired",
            "The subscription has ended",
            format!(
                "the subscription ended at {}; renew it or buy credits",
                rfc3339(*ended_at)
            ),
            serde_json::json!({ "ended_at": rfc3339(*ended_at), "price": price.get() }),
        ),
        ChargeRefusal::NotCoveredBySubscription { price } => (
            "not-covered-by-subscription",
            "The subscription does not cover this department",
            "the customer's subscription covers other departments; a package that covers this \
             one is needed"
                .to_owned(),
            serde_json::json!({ "price": price.get() }),
        ),
        ChargeRefusal::NoPackage { price } => (
            "no-package",
            "The customer holds no package",
            format!("the ticket costs {price} credits and the customer holds no package; buy one"),
            serde_json::json!({ "price": price.get() }),
        ),
    };
    let mut facts = facts;
    if let Some(object) = facts.as_object_mut() {
        object.insert("balance".to_owned(), balance.get().into());
        object.insert("price".to_owned(), price.get().into());
        object.insert("covering_packages".to_owned(), covering(packages));
    }
    ApiError::new(status, code, title, detail).with_facts(facts)
}

/// A payment request that could not be cancelled (its state read at `now`).
pub(crate) fn cancel_payment_request_error(
    now: time::OffsetDateTime,
    error: CancelPaymentRequestError,
) -> ApiError {
    match error {
        CancelPaymentRequestError::NotFound => {
            ApiError::not_found(kasa_ports::Entity::PaymentRequest)
        }
        CancelPaymentRequestError::NotCancellable(request) => {
            let state = request.state(now);
            let under_way = request.payment_under_way();
            ApiError::new(
                StatusCode::CONFLICT,
                "payment-request-not-cancellable",
                "The payment request cannot be cancelled",
                if under_way {
                    "a payment of this request is being processed; wait for its result".to_owned()
                } else {
                    format!("the payment request is {}; nothing changed", state.label())
                },
            )
            .with_facts(serde_json::json!({
                "state": state.label(),
                "payment_under_way": under_way,
            }))
        }
        CancelPaymentRequestError::Store(error) => store_error(error),
    }
}

/// A document that could not be sent again.
pub(crate) fn resend_error(error: kasa_billing::ResendDocumentError) -> ApiError {
    match error {
        kasa_billing::ResendDocumentError::NotFound => {
            ApiError::not_found(kasa_ports::Entity::Invoice)
        }
        kasa_billing::ResendDocumentError::Store(error) => store_error(error),
    }
}

/// The packages that would cover a refused department, as facts.
fn covering(packages: &[Package]) -> serde_json::Value {
    serde_json::Value::Array(
        packages
            .iter()
            .map(|package| {
                serde_json::json!({
                    "id": package.id,
                    "name": package.name,
                    "price": { "amount": package.price.amount().to_string(),
                               "currency": package.price.currency().alpha_code() },
                })
            })
            .collect(),
    )
}
