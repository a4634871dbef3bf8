//! Payment requests (ADR 0016): agents ask a customer to pay a package or an amount and cancel
//! what is not paid; agents and the customer see where each stands. The customer pays on the request's page
//! (`/billing/requests/{id}`), reached from the e-mail Kasa sends.

use crate::api::problems::{cancel_payment_request_error, create_error, request_not_found};
use kasa_billing::{CreatePaymentRequest, PaymentRequestDraft, RequestedItem};
use kasa_domain::{CustomerId, Permission};
use kasa_ports::{ActionContext, PaymentRequest};
use poem::http::StatusCode;
use poem::web::Data;
use poem_openapi::param::{Header, Path};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::{MoneyBody, Tag, parse_id};
use crate::app::App;
use crate::auth::{Bearer, Caller};
use crate::dates::rfc3339;
use crate::idempotency::idempotent_change;
use crate::problem::{ApiError, store_error};

/// Ask a customer to pay a package or an amount: give exactly one of `package_id` and `amount`.
#[derive(Debug, Object)]
pub struct PaymentRequestCreate {
    /// The package, paid at its current price (less the coupon's discount, when one is given).
    pub package_id: Option<String>,
    /// An amount, paid as it is (more than 0, at most 1000000, in a currency a gateway takes):
    /// paying it issues an invoice with one line (the description, the amount) and changes no
    /// credits, subscription or department.
    pub amount: Option<MoneyBody>,
    /// What is asked, shown to the customer (1-500 characters); for an amount, also the
    /// invoice line's text.
    pub description: String,
    /// Days until the request expires: 1-90, 14 when absent.
    pub valid_days: Option<u32>,
    /// A coupon code to take off the package's price (any case): checked now for this customer
    /// and package (its dates hold until the request expires), redeemed when the request is
    /// paid. Refused with the coupon's own 422 problem (`coupon-used-up`, ...); coupons are for
    /// packages, so an amount request with one is refused (422).
    pub coupon_code: Option<String>,
    /// Why (audited).
    pub reason: String,
}

/// The coupon on a payment request.
#[derive(Clone, Debug, Object)]
pub struct PaymentRequestCouponBody {
    /// The code, as stored (upper case).
    pub code: String,
    /// The package's price before the discount.
    pub list_price: MoneyBody,
    /// What the coupon takes off; `amount` is `list_price - discount`.
    pub discount: MoneyBody,
}

/// Why a request is cancelled.
#[derive(Debug, Object)]
pub struct PaymentRequestCancel {
    /// Why (audited).
    pub reason: String,
}

/// A payment request and where it stands.
#[derive(Clone, Debug, Object)]
pub struct PaymentRequestBody {
    /// Its id.
    pub id: String,
    /// Who is asked to pay.
    pub customer_id: String,
    /// `open`, `paid`, `expired` or `cancelled`.
    pub state: String,
    /// Whether a payment of it is being processed (it cannot be paid again or cancelled
    /// meanwhile).
    pub payment_under_way: bool,
    /// The package paid for; absent when an amount is asked for.
    pub package_id: Option<String>,
    /// The package's name; absent when an amount is asked for.
    pub package_name: Option<String>,
    /// What is asked.
    pub description: String,
    /// The amount asked (after the coupon's discount, when it carries one).
    pub amount: MoneyBody,
    /// The coupon the agent put on it, if any.
    pub coupon: Option<PaymentRequestCouponBody>,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// When it stops being payable (RFC 3339).
    pub expires_at: String,
    /// The purchase paying it (the latest attempt), if any.
    pub purchase_id: Option<String>,
    /// When it was cancelled, if it was.
    pub cancelled_at: Option<String>,
    /// Why it was cancelled, if it was.
    pub cancel_reason: Option<String>,
    /// The page where the customer pays it (the customer's billing link opens it).
    pub page_url: String,
}

/// The request as the API shows it at `now`.
pub(crate) fn request_body(app: &App, request: &PaymentRequest) -> PaymentRequestBody {
    let now = app.payment_requests.now();
    PaymentRequestBody {
        id: request.id.to_string(),
        customer_id: request.customer_id.to_string(),
        state: request.state(now).label().to_owned(),
        payment_under_way: request.payment_under_way(),
        package_id: request.package_id().map(|id| id.to_string()),
        package_name: request.item.package().map(|package| package.name.clone()),
        description: request.description.clone(),
        amount: request.amount.into(),
        coupon: request
            .coupon
            .as_ref()
            .map(|coupon| PaymentRequestCouponBody {
                code: coupon.code.as_str().to_owned(),
                list_price: coupon.list_price.into(),
                discount: coupon.discount.into(),
            }),
        created_at: rfc3339(request.created_at),
        expires_at: rfc3339(request.expires_at),
        purchase_id: request
            .purchase
            .map(|(purchase_id, _)| purchase_id.to_string()),
        cancelled_at: request
            .cancellation
            .as_ref()
            .map(|cancellation| rfc3339(cancellation.at)),
        cancel_reason: request
            .cancellation
            .as_ref()
            .map(|cancellation| cancellation.reason.as_str().to_owned()),
        page_url: page_url(app, request.id),
    }
}

/// The request's page on the billing pages.
pub(crate) fn page_url(app: &App, id: kasa_domain::PaymentRequestId) -> String {
    format!("{}/billing/requests/{id}", app.public_url)
}

/// Checks, links and sends a request as `caller` (the JSON API and the console), at most once
/// per `key`: the billing link in the mail lasts until the request expires, and a day more so
/// the paid page can still be seen.
pub(crate) async fn create_payment_request(
    app: &App,
    caller: &Caller,
    customer: &str,
    key: Option<String>,
    body: &PaymentRequestCreate,
) -> Result<Json<PaymentRequestBody>, ApiError> {
    idempotent_change(
        app,
        caller,
        key,
        &format!("create_payment_request {customer}"),
        body,
        &body.reason,
        |context| async move {
            let customer_id: CustomerId = parse_id(customer, "customer")?;
            let item = requested_item(body)?;
            let draft: PaymentRequestDraft = app
                .payment_requests
                .draft(CreatePaymentRequest {
                    customer_id,
                    item,
                    description: body.description.clone(),
                    valid_days: body.valid_days,
                    coupon_code: body.coupon_code.clone(),
                    context: context.clone(),
                })
                .await
                .map_err(create_error)?;
            let hours = (draft.expires_at - app.payment_requests.now()).whole_hours() + 24;
            // The request's own transaction marks the idempotency key applied, not the link's.
            let link_context = ActionContext {
                idempotency: None,
                ..context
            };
            let (_, token, _) =
                super::billing_links::new_billing_link(app, customer_id, link_context, hours)
                    .await?;
            let link = format!("{}?token={token}", page_url(app, draft.id));
            let request = app
                .payment_requests
                .send(draft, link)
                .await
                .map_err(create_error)?;
            Ok(Json(request_body(app, &request)))
        },
    )
    .await
}

/// What the body asks for: exactly one of a package and an amount.
fn requested_item(body: &PaymentRequestCreate) -> Result<RequestedItem, ApiError> {
    match (&body.package_id, &body.amount) {
        (Some(package_id), None) => parse_id(package_id, "package")
            .map(RequestedItem::Package)
            .map_err(|error| error.on_field("package_id")),
        (None, Some(amount)) => amount
            .money()
            .map(RequestedItem::Amount)
            .map_err(|error| error.on_field("amount")),
        (Some(_), Some(_)) => Err(ApiError::invalid(
            "give a package_id or an amount, not both: a request asks for one of them",
        )
        .on_field("amount")),
        (None, None) => Err(ApiError::invalid(
            "give a package_id (a package at its price) or an amount (with the description)",
        )
        .on_field("package_id")),
    }
}

/// Cancels a request (audited with the agent's reason).
pub(crate) async fn cancel_payment_request(
    app: &App,
    id: kasa_domain::PaymentRequestId,
    context: ActionContext,
) -> Result<PaymentRequest, ApiError> {
    app.payment_requests
        .cancel(id, context)
        .await
        .map_err(|error| cancel_payment_request_error(app.payment_requests.now(), error))
}

/// Payment requests.
#[derive(Debug)]
pub struct PaymentRequestsApi;

#[OpenApi(prefix_path = "/v1", tag = "Tag::Customers")]
impl PaymentRequestsApi {
    /// Asks a customer to pay a package at its current price (less a coupon's discount, when
    /// one is given) or an amount, with a description and an expiry; Kasa e-mails the customer
    /// a link to the request's page (audited).
    #[oai(
        path = "/customers/:id/payment-requests",
        method = "post",
        operation_id = "create_payment_request"
    )]
    async fn create(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        /// Send the same key again to get the first answer, never a second request.
        #[oai(name = "Idempotency-Key")]
        idempotency_key: Header<Option<String>>,
        body: Json<PaymentRequestCreate>,
    ) -> Result<Json<PaymentRequestBody>, ApiError> {
        auth.0.require(Permission::BillingActions)?;
        create_payment_request(&app, &auth.0, &id, idempotency_key.0, &body.0).await
    }

    /// A customer's payment requests, newest first, with where each stands.
    #[oai(
        path = "/customers/:id/payment-requests",
        method = "get",
        operation_id = "list_payment_requests"
    )]
    async fn list(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
    ) -> Result<Json<Vec<PaymentRequestBody>>, ApiError> {
        auth.0.require(Permission::ReadBilling)?;
        let customer_id: CustomerId = parse_id(&id, "customer")?;
        let requests = app
            .payment_requests
            .customer_requests(customer_id)
            .await
            .map_err(store_error)?;
        Ok(Json(
            requests
                .iter()
                .map(|request| request_body(&app, request))
                .collect(),
        ))
    }

    /// One payment request and where it stands.
    #[oai(
        path = "/payment-requests/:id",
        method = "get",
        operation_id = "get_payment_request"
    )]
    async fn one(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
    ) -> Result<Json<PaymentRequestBody>, ApiError> {
        auth.0.require(Permission::ReadBilling)?;
        let id = parse_id(&id, "payment request")?;
        let request = app
            .payment_requests
            .request(id)
            .await
            .map_err(request_not_found)?;
        Ok(Json(request_body(&app, &request)))
    }

    /// Cancels an open payment request (audited with the reason); a paid, expired or cancelled
    /// one, or one whose payment is being processed, is refused with 409.
    #[oai(
        path = "/payment-requests/:id/cancel",
        method = "post",
        operation_id = "cancel_payment_request"
    )]
    async fn cancel(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        body: Json<PaymentRequestCancel>,
    ) -> Result<Json<PaymentRequestBody>, ApiError> {
        auth.0.require(Permission::BillingActions)?;
        let context = auth.0.context(&body.reason)?;
        let id = parse_id(&id, "payment request")?;
        let request = cancel_payment_request(&app, id, context).await?;
        Ok(Json(request_body(&app, &request)))
    }

    /// The signed-in customer's own payment requests, newest first (with a billing link's token
    /// only).
    #[oai(
        path = "/me/payment-requests",
        method = "get",
        operation_id = "my_payment_requests"
    )]
    async fn mine(
        &self,
        app: Data<&App>,
        auth: Bearer,
    ) -> Result<Json<Vec<PaymentRequestBody>>, ApiError> {
        let kasa_domain::Actor::Customer { customer_id } = auth.0.actor else {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Not permitted",
                "/v1/me is for customers' billing links; staff use \
                 /v1/customers/{id}/payment-requests",
            ));
        };
        let requests = app
            .payment_requests
            .customer_requests(customer_id)
            .await
            .map_err(store_error)?;
        Ok(Json(
            requests
                .iter()
                .map(|request| request_body(&app, request))
                .collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_error_codes_are_catalogued() {
        let catalogue = include_str!("../../../../docs/api-errors.md");
        assert!(catalogue.contains("`payment-request-not-cancellable`"));
    }
}
