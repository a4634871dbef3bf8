//! `GET /billing/requests/{id}`: a payment request an agent sent, where the customer sees what
//! is asked and pays it; `POST /billing/requests/{id}/pay` starts the payment (the store lets
//! one start per request, so a second submit or tab lands back on the page, which says a
//! payment is being processed). The open requests are also listed on `/billing`.

use askama::Template;
use kasa_billing::{PayRequestError, StartPurchaseError, StartRequestPayment};
use kasa_domain::{CustomerId, Money, PackageKind, PaymentRequestId};
use kasa_locale::Locale;
use kasa_ports::{ActionContext, PaymentRequestState};
use kasa_subscriptions::{ForfeitConfirmation, PurchaseChannel, PurchaseRefusal, decide_purchase};
use poem::http::{StatusCode, header};
use poem::web::{Data, Form, Path, Query};
use poem::{Request, Response, handler};

use super::checkout::{Checkout, chosen_gateway, hand_to_gateway, unavailable};
use super::overview::renewal_opens;
use super::{COOKIE, PortalChrome, billing_on, chrome, customer_of, default_locale, message};
use crate::app::App;
use crate::web::see_other;

/// `?token=` of the link in the request's e-mail.
#[derive(Debug, serde::Deserialize)]
pub struct RequestLinkQuery {
    token: Option<String>,
}

/// The pay form's fields.
#[derive(Debug, serde::Deserialize)]
pub struct PayForm {
    confirm_forfeit: Option<String>,
    /// `nestpay` or `stripe`.
    gateway: Option<String>,
}

/// An open request as the billing page lists it.
pub(super) struct OpenRequestRow {
    pub(super) id: PaymentRequestId,
    pub(super) description: String,
    pub(super) amount: Money,
    /// When it expires, in words.
    pub(super) expires: String,
}

/// The customer's open requests (payable or being paid), newest first, for `/billing`.
pub(super) async fn open_requests(
    app: &App,
    customer_id: CustomerId,
    locale: Locale,
) -> Result<Vec<OpenRequestRow>, kasa_ports::StoreError> {
    let now = app.payment_requests.now();
    Ok(app
        .payment_requests
        .customer_requests(customer_id)
        .await?
        .into_iter()
        .filter(|request| request.state(now) == PaymentRequestState::Open)
        .map(|request| OpenRequestRow {
            id: request.id,
            expires: locale.date_time(request.expires_at),
            description: request.description,
            amount: request.amount,
        })
        .collect())
}

/// The request's page.
#[derive(Template)]
#[template(path = "billing/payment_request.html")]
struct RequestPage {
    c: PortalChrome,
    id: PaymentRequestId,
    description: String,
    /// The package's name and size (`10 credits` or `30 days`); `None` for an amount.
    package: Option<(String, String)>,
    amount: Money,
    /// The coupon's words (`Discount (CODE)`), the list price and what it takes off.
    coupon: Option<(String, Money, Money)>,
    expires: String,
    /// `payment-requests.state.*`.
    state_words: &'static str,
    state: &'static str,
    under_way: bool,
    /// Whether the pay form shows.
    payable: bool,
    /// What paying forfeits, when it does (the form then asks for a confirmation).
    forfeit: Option<String>,
    /// Why it cannot be paid yet (the renewal window), when so.
    refusal: Option<String>,
    gateways: Vec<(String, String)>,
}

fn parse_request_id(id: &str) -> Option<PaymentRequestId> {
    id.parse::<uuid::Uuid>().ok().map(PaymentRequestId::from)
}

/// The request's page. A link's token moves into the cookie first.
#[handler]
pub async fn request_page(
    app: Data<&App>,
    request: &Request,
    Path(id): Path<String>,
    query: Query<RequestLinkQuery>,
) -> Response {
    let Some(request_id) = parse_request_id(&id) else {
        return message(
            StatusCode::NOT_FOUND,
            default_locale(),
            "payment-requests.not-found",
        );
    };
    if let Some(token) = &query.token {
        return arrive(&app, request, token, request_id).await;
    }
    let customer_id = match super::cookie_customer(&app, request).await {
        Ok(customer_id) => customer_id,
        Err(page) => return page,
    };
    let locale = super::customer_locale(&app, customer_id).await;
    match render(&app, customer_id, request_id, locale).await {
        Ok(Some(page)) => super::page(StatusCode::OK, &page),
        Ok(None) => message(StatusCode::NOT_FOUND, locale, "payment-requests.not-found"),
        Err(error) => {
            tracing::warn!(%error, "payment request page failed");
            message(
                StatusCode::SERVICE_UNAVAILABLE,
                locale,
                "billing.unavailable",
            )
        }
    }
}

/// The e-mailed link: the token moves from the address into the cookie, and the browser comes
/// back to the request's page without it.
async fn arrive(app: &App, request: &Request, token: &str, id: PaymentRequestId) -> Response {
    if !billing_on(app).await {
        return message(
            StatusCode::SERVICE_UNAVAILABLE,
            default_locale(),
            "billing.unavailable",
        );
    }
    if customer_of(app, Some(token)).await.is_none() {
        return message(
            StatusCode::UNAUTHORIZED,
            default_locale(),
            "billing.link-invalid",
        );
    }
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, format!("/billing/requests/{id}"))
        .header(header::CACHE_CONTROL, "no-store")
        .header(
            header::SET_COOKIE,
            crate::web::cookie_header(app, request, COOKIE, token, Some(604_800)),
        )
        .finish()
}

/// The page of one of the customer's requests; `None` when it is not theirs.
async fn render(
    app: &App,
    customer_id: CustomerId,
    request_id: PaymentRequestId,
    locale: Locale,
) -> Result<Option<RequestPage>, kasa_ports::StoreError> {
    let request = match app.payment_requests.request(request_id).await {
        Ok(request) if request.customer_id == customer_id => request,
        Ok(_) | Err(kasa_ports::StoreError::NotFound { .. }) => return Ok(None),
        Err(error) => return Err(error),
    };
    let now = app.payment_requests.now();
    let state = request.state(now);
    let holding = app.store.customer_state(customer_id).await?.holding;
    // An amount changes nothing the customer holds: no package rule applies to it.
    let decision = request.item.package().map(|package| {
        decide_purchase(
            &kasa_domain::Package {
                price: request.amount,
                ..package.clone()
            },
            &holding,
            now,
            PurchaseChannel::AgentGrant,
            ForfeitConfirmation::NotConfirmed,
        )
    });
    let (forfeit, refusal) = match decision {
        None | Some(Ok(_)) => (None, None),
        Some(Err(PurchaseRefusal::ForfeitNotConfirmed { forfeiture })) => (
            Some(super::overview::forfeit_words(locale, &forfeiture)),
            None,
        ),
        Some(Err(PurchaseRefusal::RenewalTooEarly { opens_at, .. })) => {
            (None, Some(renewal_opens(locale, opens_at)))
        }
        Some(Err(PurchaseRefusal::NotOnSale)) => (None, None),
    };
    let gateways = super::overview::checkout_gateways(app)
        .await?
        .into_iter()
        .map(|name| {
            let words = super::overview::checkout_words(locale, &name);
            (name, words)
        })
        .collect();
    Ok(Some(RequestPage {
        c: chrome(locale, None),
        id: request.id,
        package: request
            .item
            .package()
            .map(|package| (package.name.clone(), size_words(locale, package))),
        amount: request.amount,
        coupon: request.coupon.as_ref().map(|coupon| {
            (
                locale.fill(
                    "payment-requests.discount",
                    &[("code", coupon.code.as_str())],
                ),
                coupon.list_price,
                coupon.discount,
            )
        }),
        expires: locale.date_time(request.expires_at),
        state_words: crate::web::payment_requests::state_words(state),
        state: state.label(),
        under_way: state == PaymentRequestState::Open && request.payment_under_way(),
        payable: request.payable(now) && refusal.is_none(),
        description: request.description,
        forfeit,
        refusal,
        gateways,
    }))
}

fn size_words(locale: Locale, package: &kasa_domain::Package) -> String {
    match package.kind {
        PackageKind::Credit { credits } => super::credits(locale, credits),
        PackageKind::Subscription { days } => locale.fill(
            "billing.days-count",
            &[("days", &locale.number(i64::from(days)))],
        ),
    }
}

/// Starts paying the request and hands the browser to the bank (or Stripe.js). A request that
/// cannot be paid now (paid, expired, cancelled, or a payment under way: a second submit or
/// tab) goes back to its page, which says why.
#[handler]
pub async fn pay(
    app: Data<&App>,
    request: &Request,
    Path(id): Path<String>,
    form: Form<PayForm>,
) -> Response {
    let customer_id = match super::cookie_customer(&app, request).await {
        Ok(customer_id) => customer_id,
        Err(page) => return page,
    };
    let locale = super::customer_locale(&app, customer_id).await;
    let Some(request_id) = parse_request_id(&id) else {
        return message(StatusCode::NOT_FOUND, locale, "payment-requests.not-found");
    };
    let page_address = format!("/billing/requests/{request_id}");
    let Checkout {
        gateway,
        capture,
        return_url,
    } = match chosen_gateway(&app, locale, form.gateway.as_deref()).await {
        Ok(chosen) => chosen,
        Err(page) => return page,
    };
    let started = app
        .payment_requests
        .start_payment(StartRequestPayment {
            request_id,
            customer_id,
            gateway,
            confirmation: if form.confirm_forfeit.is_some() {
                ForfeitConfirmation::Confirmed
            } else {
                ForfeitConfirmation::NotConfirmed
            },
            capture,
            success_url: return_url.clone(),
            failure_url: return_url,
            context: ActionContext {
                actor: kasa_domain::Actor::Customer { customer_id },
                reason: kasa_domain::Reason::new("payment request")
                    .unwrap_or_else(|_| unreachable!()),
                request_id: crate::request_id::RequestId::of(request),
                idempotency: None,
            },
        })
        .await;
    let started = match started {
        Ok(started) => started,
        Err(PayRequestError::NotFound) => {
            return message(StatusCode::NOT_FOUND, locale, "payment-requests.not-found");
        }
        // Its page says where it stands (POST, redirect, GET: reloading never pays again).
        Err(PayRequestError::NotPayable(_)) => return see_other(&page_address),
        Err(PayRequestError::Start(StartPurchaseError::Refused(refusal))) => {
            let key = match refusal {
                PurchaseRefusal::ForfeitNotConfirmed { .. } => "billing.must-confirm",
                PurchaseRefusal::RenewalTooEarly { .. } | PurchaseRefusal::NotOnSale => {
                    "billing.unavailable"
                }
            };
            return super::say(StatusCode::CONFLICT, locale, locale.t(key).to_owned(), true);
        }
        Err(error) => {
            tracing::warn!(%error, "a payment request's payment could not start");
            return unavailable(locale);
        }
    };
    hand_to_gateway(&app, locale, started).await
}
