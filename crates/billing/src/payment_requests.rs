//! Payment requests (ADR 0016): an agent asks a customer to pay a package at its price, or an
//! amount, with a description and an expiry; Kasa e-mails the customer a link to the request's
//! page, where the customer pays it through a gateway. The payment is an ordinary purchase
//! linked to the request, completed (and invoiced) by the ordinary callback; the store links at
//! most one purchase under way per request, so a request is never paid twice. A purchase of an
//! amount is a payment only: it completes and is invoiced (one line, the description, the
//! amount) and changes nothing the customer holds.
//!
//! An agent may put a coupon on a request: it is priced when the request is made (the amount
//! asked is the discounted price, and the coupon's validity dates are judged then), stored with
//! the request, and redeemed by the purchase that pays it, in that purchase's transaction, like
//! a checkout's coupon (its limits are counted then).

use std::sync::Arc;

use kasa_domain::CouponRefusal;
use kasa_domain::EmailAddress;
use kasa_domain::{
    CustomerId, Language, Money, Package, PackageId, PaymentId, PaymentRequestId, PurchaseId,
};
use kasa_locale::Locale;
use kasa_ports::{
    ActionContext, AuditRecord, CaptureMode, EmailMessage, GatewayName, NewPaymentRequest,
    NewPurchase, OrderId, OutboxPayload, Payment, PaymentRequest, PaymentRequestStore,
    PaymentStart, PaymentStatus, PurchaseCoupon, RequestCancellation, RequestPaymentStart,
    StoreError, new_id,
};
use kasa_ports::{AmountItem, PurchaseItem};
use kasa_subscriptions::{ForfeitConfirmation, PurchaseChannel, decide_purchase};
use time::{Duration, OffsetDateTime};

use crate::{Billing, StartPurchaseError, StartedPurchase};

/// How long a request stays payable when the agent does not say.
pub const DEFAULT_VALID_DAYS: u32 = 14;
/// The longest a request stays payable.
pub const MAX_VALID_DAYS: u32 = 90;
/// The longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 500;
/// The largest amount an agent may ask for, in the currency's units (a guard against a slip of
/// the keyboard; a larger sum is invoiced in parts or paid by bank transfer).
pub const MAX_AMOUNT: u32 = 1_000_000;

/// What an agent asks a customer to pay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestedItem {
    /// A package, at its current price (less a coupon's discount).
    Package(PackageId),
    /// An amount, for what the description says: paid and invoiced, it changes nothing the
    /// customer holds.
    Amount(Money),
}

/// An agent asks a customer to pay a package or an amount.
#[derive(Clone, Debug)]
pub struct CreatePaymentRequest {
    /// Who is asked.
    pub customer_id: CustomerId,
    /// A package or an amount.
    pub item: RequestedItem,
    /// What is asked, in the agent's words (1-500 characters).
    pub description: String,
    /// Days until it expires (1-90; [`DEFAULT_VALID_DAYS`] when `None`).
    pub valid_days: Option<u32>,
    /// A coupon code to apply to the package's price (any case); `None` or blank without one.
    /// Coupons are for packages: an amount request with one is refused.
    pub coupon_code: Option<String>,
    /// Who asks and why.
    pub context: ActionContext,
}

/// A checked request, not yet recorded: the server makes the link to its page (with a
/// billing-link token that lasts until `expires_at`) and then sends it with
/// [`PaymentRequests::send`].
#[derive(Clone, Debug)]
pub struct PaymentRequestDraft {
    /// The request's id (its page's address names it).
    pub id: PaymentRequestId,
    /// Who is asked.
    pub customer_id: CustomerId,
    /// When it stops being payable.
    pub expires_at: OffsetDateTime,
    item: PurchaseItem,
    coupon: Option<PurchaseCoupon>,
    description: String,
    email: EmailAddress,
    language: Language,
    context: ActionContext,
    at: OffsetDateTime,
}

/// Why a request could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CreatePaymentRequestError {
    /// No such customer.
    #[error("customer not found")]
    CustomerNotFound,
    /// No such package.
    #[error("package not found")]
    PackageNotFound,
    /// A free package is granted, not paid for.
    #[error("the package is free; grant it instead of requesting a payment")]
    FreePackage,
    /// An amount asked for must be more than zero and at most [`MAX_AMOUNT`].
    #[error("an amount asked for is more than 0 and at most {MAX_AMOUNT}, got {0}")]
    InvalidAmount(Money),
    /// Coupons discount packages; an amount is asked as it is meant to be paid.
    #[error("a coupon applies to a package; ask for the discounted amount instead")]
    CouponNeedsPackage,
    /// The description is blank or longer than 500 characters.
    #[error("a description is 1-500 characters")]
    InvalidDescription,
    /// The expiry is not 1-90 days away.
    #[error("a payment request is valid for 1 to 90 days, got {0}")]
    InvalidValidity(u32),
    /// The coupon does not apply to this customer and package now; nothing was recorded.
    #[error(transparent)]
    Coupon(CouponRefusal),
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

/// A customer starts paying a request.
#[derive(Clone, Debug)]
pub struct StartRequestPayment {
    /// The request.
    pub request_id: PaymentRequestId,
    /// Who pays (only the request's customer may).
    pub customer_id: CustomerId,
    /// Through which gateway.
    pub gateway: GatewayName,
    /// The answer to the forfeit warning.
    pub confirmation: ForfeitConfirmation,
    /// Sale or authorise only.
    pub capture: CaptureMode,
    /// Where the browser returns after success.
    pub success_url: String,
    /// Where the browser returns after failure.
    pub failure_url: String,
    /// The customer and the HTTP request.
    pub context: ActionContext,
}

/// Why a request's payment did not start.
#[derive(Debug, thiserror::Error)]
pub enum PayRequestError {
    /// No such request for this customer.
    #[error("payment request not found")]
    NotFound,
    /// Paid, cancelled or expired, or a payment of it is under way; here as it stands.
    #[error("the payment request cannot be paid now")]
    NotPayable(Box<PaymentRequest>),
    /// The purchase could not start (package rules, gateway, store).
    #[error(transparent)]
    Start(#[from] StartPurchaseError),
}

/// Why a request could not be cancelled.
#[derive(Debug, thiserror::Error)]
pub enum CancelPaymentRequestError {
    /// No such request.
    #[error("payment request not found")]
    NotFound,
    /// Paid, cancelled or expired, or a payment of it is under way; here as it stands.
    #[error("the payment request cannot be cancelled now")]
    NotCancellable(Box<PaymentRequest>),
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

fn not_found_as<E>(error: StoreError, not_found: E, other: impl FnOnce(StoreError) -> E) -> E {
    match error {
        StoreError::NotFound {
            entity: kasa_ports::Entity::PaymentRequest,
        } => not_found,
        error => other(error),
    }
}

/// The payment-request use cases: the billing use cases and the request store.
#[derive(Clone)]
pub struct PaymentRequests {
    pub(crate) billing: Billing,
    pub(crate) store: Arc<dyn PaymentRequestStore>,
}

impl std::fmt::Debug for PaymentRequests {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("PaymentRequests")
            .finish_non_exhaustive()
    }
}

impl PaymentRequests {
    /// Wires the use cases.
    #[must_use]
    pub fn new(billing: Billing, store: Arc<dyn PaymentRequestStore>) -> Self {
        Self { billing, store }
    }

    /// Now, by the billing clock (requests expire by it).
    #[must_use]
    pub fn now(&self) -> OffsetDateTime {
        self.billing.ports.clock.now()
    }

    /// Checks a request (customer, package, description, expiry) without recording it.
    ///
    /// # Errors
    /// [`CreatePaymentRequestError`].
    pub async fn draft(
        &self,
        request: CreatePaymentRequest,
    ) -> Result<PaymentRequestDraft, CreatePaymentRequestError> {
        let description = request.description.trim().to_owned();
        if description.is_empty() || description.chars().count() > MAX_DESCRIPTION_CHARS {
            return Err(CreatePaymentRequestError::InvalidDescription);
        }
        let valid_days = request.valid_days.unwrap_or(DEFAULT_VALID_DAYS);
        if !(1..=MAX_VALID_DAYS).contains(&valid_days) {
            return Err(CreatePaymentRequestError::InvalidValidity(valid_days));
        }
        let ports = &self.billing.ports;
        let state = ports
            .customers
            .customer_state(request.customer_id)
            .await
            .map_err(|error| match error {
                StoreError::NotFound { .. } => CreatePaymentRequestError::CustomerNotFound,
                other => CreatePaymentRequestError::Store(other),
            })?;
        let coupon_code = request
            .coupon_code
            .as_deref()
            .map(str::trim)
            .filter(|code| !code.is_empty());
        let item = match request.item {
            RequestedItem::Package(package_id) => {
                let package =
                    ports
                        .catalog
                        .package(package_id)
                        .await
                        .map_err(|error| match error {
                            StoreError::NotFound { .. } => {
                                CreatePaymentRequestError::PackageNotFound
                            }
                            other => CreatePaymentRequestError::Store(other),
                        })?;
                if package.price.is_zero() {
                    return Err(CreatePaymentRequestError::FreePackage);
                }
                PurchaseItem::Package(package)
            }
            RequestedItem::Amount(amount) => {
                if !amount.is_positive() || amount.amount() > kasa_domain::Decimal::from(MAX_AMOUNT)
                {
                    return Err(CreatePaymentRequestError::InvalidAmount(amount));
                }
                if coupon_code.is_some() {
                    return Err(CreatePaymentRequestError::CouponNeedsPackage);
                }
                PurchaseItem::Amount(AmountItem {
                    description: description.clone(),
                    amount,
                })
            }
        };
        let at = ports.clock.now();
        let coupon = match (coupon_code, item.package()) {
            (Some(code), Some(package)) => Some(PurchaseCoupon {
                // The agent's promise: the dates are judged now, for the request's lifetime.
                priced_at: Some(at),
                ..self
                    .billing
                    .price_with_coupon(request.customer_id, code, package)
                    .await
                    .map_err(|error| match error {
                        StoreError::CouponRefused(refusal) => {
                            CreatePaymentRequestError::Coupon(refusal)
                        }
                        other => CreatePaymentRequestError::Store(other),
                    })?
            }),
            _ => None,
        };
        Ok(PaymentRequestDraft {
            id: new_id(),
            customer_id: request.customer_id,
            expires_at: at + Duration::days(i64::from(valid_days)),
            item,
            coupon,
            description,
            email: state.customer.email,
            language: state.customer.language,
            context: request.context,
            at,
        })
    }

    /// Records a checked request (audited) and queues its e-mail with `link`, the request's
    /// page, in the customer's language.
    ///
    /// # Errors
    /// [`CreatePaymentRequestError::Store`] (or not found when the customer or package went).
    pub async fn send(
        &self,
        draft: PaymentRequestDraft,
        link: String,
    ) -> Result<PaymentRequest, CreatePaymentRequestError> {
        let amount = match &draft.coupon {
            Some(coupon) => coupon
                .list_price
                .checked_sub(&coupon.discount)
                .map_err(|error| {
                    CreatePaymentRequestError::Store(StoreError::Corrupt(error.to_string()))
                })?,
            None => draft.item.price(),
        };
        let audit = AuditRecord {
            action: "payment_request.created".to_owned(),
            subject: format!("customer:{}", draft.customer_id),
            before: None,
            after: Some(serde_json::json!({
                "payment_request_id": draft.id,
                "package_id": draft.item.package().map(|package| package.id),
                "package_name": draft.item.package().map(|package| package.name.as_str()),
                "amount": amount.amount().to_string(),
                "currency": amount.currency().alpha_code(),
                "description": draft.description,
                "expires_at": kasa_domain::instant::rfc3339(draft.expires_at),
                "coupon": draft.coupon.as_ref().map(|coupon| coupon.code.as_str()),
            })),
        };
        let notification = OutboxPayload::PaymentRequestNotification {
            payment_request_id: draft.id,
            customer_id: draft.customer_id,
            description: draft.description.clone(),
            package_name: draft.item.package().map(|package| package.name.clone()),
            amount,
            expires_at: draft.expires_at,
            link,
            to: vec![draft.email],
            language: draft.language,
        };
        self.store
            .create_payment_request(NewPaymentRequest {
                id: draft.id,
                customer_id: draft.customer_id,
                item: draft.item,
                description: draft.description,
                amount,
                coupon: draft.coupon,
                expires_at: draft.expires_at,
                context: draft.context,
                at: draft.at,
                audit,
                notification: Some(notification),
            })
            .await
            .map_err(|error| match error {
                StoreError::NotFound {
                    entity: kasa_ports::Entity::Customer,
                } => CreatePaymentRequestError::CustomerNotFound,
                StoreError::NotFound { .. } => CreatePaymentRequestError::PackageNotFound,
                other => CreatePaymentRequestError::Store(other),
            })
    }

    /// One request.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Unavailable`].
    pub async fn request(&self, id: PaymentRequestId) -> Result<PaymentRequest, StoreError> {
        self.store.payment_request(id).await
    }

    /// A customer's requests, newest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    pub async fn customer_requests(
        &self,
        customer_id: CustomerId,
    ) -> Result<Vec<PaymentRequest>, StoreError> {
        self.store.customer_payment_requests(customer_id).await
    }

    /// Cancels an open request with no payment under way (audited with the agent's reason).
    ///
    /// # Errors
    /// [`CancelPaymentRequestError`].
    pub async fn cancel(
        &self,
        request_id: PaymentRequestId,
        context: ActionContext,
    ) -> Result<PaymentRequest, CancelPaymentRequestError> {
        let request = self
            .store
            .payment_request(request_id)
            .await
            .map_err(|error| {
                not_found_as(
                    error,
                    CancelPaymentRequestError::NotFound,
                    CancelPaymentRequestError::Store,
                )
            })?;
        let audit = AuditRecord {
            action: "payment_request.cancelled".to_owned(),
            subject: format!("customer:{}", request.customer_id),
            before: Some(serde_json::json!({ "state": "open" })),
            after: Some(serde_json::json!({
                "payment_request_id": request_id,
                "state": "cancelled",
            })),
        };
        let now = self.now();
        match self
            .store
            .cancel_payment_request(request_id, audit, context, now)
            .await
        {
            Ok(RequestCancellation::Cancelled(request)) => Ok(*request),
            Ok(RequestCancellation::NotCancellable(request)) => {
                Err(CancelPaymentRequestError::NotCancellable(request))
            }
            Err(error) => Err(not_found_as(
                error,
                CancelPaymentRequestError::NotFound,
                CancelPaymentRequestError::Store,
            )),
        }
    }

    /// Starts paying a request: checks it is the customer's and payable, decides with the
    /// package rules (the agent chose the package, so it need not be on sale), records the
    /// purchase linked to the request (refused when another payment of it is under way or
    /// done) and asks the gateway how the browser continues.
    ///
    /// # Errors
    /// [`PayRequestError`].
    pub async fn start_payment(
        &self,
        pay: StartRequestPayment,
    ) -> Result<StartedPurchase, PayRequestError> {
        let billing = &self.billing;
        let gateway = billing
            .ports
            .gateways
            .get(&pay.gateway)
            .cloned()
            .ok_or_else(|| StartPurchaseError::UnknownGateway(pay.gateway.clone()))?;
        let request = self
            .store
            .payment_request(pay.request_id)
            .await
            .map_err(|error| {
                not_found_as(error, PayRequestError::NotFound, |other| {
                    StartPurchaseError::Store(other).into()
                })
            })?;
        if request.customer_id != pay.customer_id {
            return Err(PayRequestError::NotFound);
        }
        let now = billing.ports.clock.now();
        if !request.payable(now) {
            return Err(PayRequestError::NotPayable(Box::new(request)));
        }
        let state = billing
            .ports
            .customers
            .customer_state(pay.customer_id)
            .await
            .map_err(StartPurchaseError::from)?;
        let item = requested_item(&request);
        if let PurchaseItem::Package(package) = &item {
            decide_purchase(
                package,
                &state.holding,
                now,
                PurchaseChannel::AgentGrant,
                pay.confirmation,
            )
            .map_err(StartPurchaseError::from)?;
        }
        let purchase_id: PurchaseId = new_id();
        let order_id = OrderId(purchase_id.as_uuid().simple().to_string());
        let amount: Money = request.amount;
        let started = self
            .store
            .start_request_payment(
                request.id,
                NewPurchase {
                    id: purchase_id,
                    customer_id: pay.customer_id,
                    item,
                    channel: PurchaseChannel::CustomerCheckout,
                    forfeit_confirmation: pay.confirmation,
                    started_by: pay.context.clone(),
                    created_at: now,
                    payment: Some(Payment {
                        id: new_id::<PaymentId>(),
                        gateway: pay.gateway.clone(),
                        order_id: order_id.clone(),
                        amount,
                        capture: pay.capture,
                        status: PaymentStatus::Pending,
                        reference: None,
                        failure: None,
                        card: None,
                    }),
                    coupon: request.coupon.clone(),
                },
            )
            .await
            .map_err(|error| {
                not_found_as(error, PayRequestError::NotFound, |other| {
                    StartPurchaseError::Store(other).into()
                })
            })?;
        let pending = match started {
            RequestPaymentStart::Started(purchase) => *purchase,
            RequestPaymentStart::NotPayable(request) => {
                return Err(PayRequestError::NotPayable(request));
            }
        };
        let start = PaymentStart {
            order_id,
            amount,
            capture: pay.capture,
            customer_email: state.customer.email.clone(),
            customer_name: state.customer.name.clone(),
            language: state.customer.language,
            description: request.description.clone(),
            success_url: pay.success_url,
            failure_url: pay.failure_url,
        };
        Ok(billing
            .hand_to_gateway(gateway.as_ref(), pending, start, pay.context, now)
            .await?)
    }
}

/// What a purchase paying `request` buys. The amount asked is the price paid, whatever the
/// package costs today; with a coupon the package keeps the list price asked and the coupon
/// takes its discount off. An amount changes nothing the customer holds: no package rule applies.
pub(crate) fn requested_item(request: &PaymentRequest) -> PurchaseItem {
    match &request.item {
        PurchaseItem::Package(package) => PurchaseItem::Package(Package {
            price: request
                .coupon
                .as_ref()
                .map_or(request.amount, |coupon| coupon.list_price),
            ..package.clone()
        }),
        PurchaseItem::Amount(item) => PurchaseItem::Amount(item.clone()),
    }
}

/// The mail that asks a customer to pay a request, with the link to its page.
#[allow(clippy::too_many_arguments)]
pub(crate) fn render_payment_request_mail(
    description: &str,
    package_name: Option<&str>,
    amount: &Money,
    expires_at: OffsetDateTime,
    link: &str,
    customer_id: CustomerId,
    settings: &kasa_ports::BillingSettings,
    language: Language,
) -> EmailMessage {
    let locale = Locale::new(language);
    let opening = vec![
        locale.fill(
            "payment-requests.mail.intro",
            &[("company", &settings.company_name)],
        ),
        description.to_owned(),
    ];
    let package = package_name.map(|name| (locale.t("payment-requests.package"), name.to_owned()));
    let facts: Vec<(&str, String)> = package
        .into_iter()
        .chain([
            (locale.t("payment-requests.amount"), locale.money(amount)),
            (
                locale.t("payment-requests.expires"),
                locale.date_time(expires_at),
            ),
            (locale.t("payment-requests.mail.pay-here"), link.to_owned()),
        ])
        .collect();
    let html = crate::notifications::html_body(&opening, &facts, &settings.company_name, language)
        .replacen(
            "</table>",
            &format!(
                "</table><p><a href=\"{}\">{}</a></p>",
                crate::notifications::escape_html(link),
                crate::notifications::escape_html(locale.t("payment-requests.mail.pay-button"))
            ),
            1,
        );
    EmailMessage {
        to: Vec::new(),
        cc: Vec::new(),
        reply_to: settings
            .support_address
            .as_ref()
            .map(|support| crate::notifications::reply_address(support, customer_id, None)),
        subject: locale.fill(
            "payment-requests.mail.subject",
            &[("amount", &locale.money(amount))],
        ),
        text_body: crate::notifications::text_body(&opening, &facts, &settings.company_name),
        html_body: Some(html),
        attachments: Vec::new(),
        identity: None,
    }
}
