//! `POST /billing/checkout`: starts a purchase and hands the browser to the bank (or to
//! Stripe.js).

use askama::Template;
use kasa_billing::{StartPurchase, StartPurchaseError, StartedPurchase};
use kasa_domain::{Money, PackageId};
use kasa_locale::Locale;
use kasa_ports::{ActionContext, CaptureMode, GatewayName, PaymentInitiation, Purchase};
use kasa_subscriptions::{ForfeitConfirmation, PurchaseRefusal};
use poem::http::StatusCode;
use poem::web::{Data, Form};
use poem::{Request, Response, handler};

use super::overview::{overview, renewal_opens};
use super::{chrome, message, page};
use crate::app::App;
use crate::web::see_other;

/// The checkout form's fields.
#[derive(Debug, serde::Deserialize)]
pub struct CheckoutForm {
    package_id: String,
    confirm_forfeit: Option<String>,
    /// A registered gateway's name; the registry's first when absent (forms of earlier pages).
    gateway: Option<String>,
    /// A coupon code as typed; empty or absent for none.
    coupon_code: Option<String>,
}

/// Starts a purchase and hands the browser to the bank.
#[handler]
pub async fn checkout(app: Data<&App>, request: &Request, form: Form<CheckoutForm>) -> Response {
    let customer_id = match super::cookie_customer(&app, request).await {
        Ok(customer_id) => customer_id,
        Err(page) => return page,
    };
    let locale = super::customer_locale(&app, customer_id).await;
    let Ok(package_id) = form.package_id.parse::<uuid::Uuid>().map(PackageId::from) else {
        return message(StatusCode::BAD_REQUEST, locale, "billing.unknown-order");
    };
    let Checkout {
        gateway,
        capture,
        return_url,
    } = match chosen_gateway(&app, locale, form.gateway.as_deref()).await {
        Ok(chosen) => chosen,
        Err(page) => return page,
    };
    let started = app
        .billing
        .start_purchase(StartPurchase {
            coupon_code: form.coupon_code.clone(),
            customer_id,
            package_id,
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
                reason: kasa_domain::Reason::new("checkout").unwrap_or_else(|_| unreachable!()),
                request_id: crate::request_id::RequestId::of(request),
                idempotency: None,
            },
        })
        .await;
    let started = match started {
        Ok(started) => started,
        Err(StartPurchaseError::Refused(refusal)) => {
            let notice = match refusal {
                PurchaseRefusal::ForfeitNotConfirmed { .. } => {
                    locale.t("billing.must-confirm").to_owned()
                }
                PurchaseRefusal::RenewalTooEarly { opens_at, .. } => {
                    renewal_opens(locale, opens_at)
                }
                PurchaseRefusal::NotOnSale => locale.t("billing.none-on-sale").to_owned(),
            };
            return overview(&app, customer_id, Some(notice)).await;
        }
        Err(StartPurchaseError::Coupon(refusal)) => {
            // Said next to the field of the package it was typed for, in the customer's words.
            let code = form.coupon_code.clone().unwrap_or_default();
            return super::overview::overview_with_coupon(
                &app,
                customer_id,
                Some(crate::api::coupons::refusal_message(locale, &refusal)),
                Some((package_id, code)),
            )
            .await;
        }
        Err(error) => {
            tracing::warn!(%error, "checkout could not start");
            return unavailable(locale);
        }
    };
    hand_to_gateway(&app, locale, started).await
}

/// The gateway a buy form chose, how it captures, and where it sends the browser back.
pub(super) struct Checkout {
    pub(super) gateway: GatewayName,
    pub(super) capture: CaptureMode,
    pub(super) return_url: String,
}

/// The payment system a form names (the registry's first when it names none), with its capture
/// mode; the page to show instead when it is unknown or its settings cannot be read.
pub(super) async fn chosen_gateway(
    app: &App,
    locale: Locale,
    named: Option<&str>,
) -> Result<Checkout, Response> {
    let named = named.unwrap_or(crate::gateways::REGISTRY[0].name);
    let Some(gateway) =
        crate::gateways::descriptor(named).map(|descriptor| GatewayName::new(descriptor.name))
    else {
        return Err(message(
            StatusCode::BAD_REQUEST,
            locale,
            "billing.unavailable",
        ));
    };
    let capture = match app.billing.checkout_capture_mode(&gateway).await {
        Ok(capture) => capture,
        Err(error) => {
            tracing::warn!(%error, %gateway, "checkout could not read the payment system's capture mode");
            return Err(unavailable(locale));
        }
    };
    let return_url = format!("{}/gateways/{gateway}/return", app.public_url);
    Ok(Checkout {
        gateway,
        capture,
        return_url,
    })
}

/// "Buying is unavailable", in the reader's words.
pub(super) fn unavailable(locale: Locale) -> Response {
    message(
        StatusCode::SERVICE_UNAVAILABLE,
        locale,
        "billing.unavailable",
    )
}

/// Hands the browser to the gateway a started purchase names: the bank's form, a redirect to
/// a hosted page, or the card page where the gateway's script confirms the payment.
pub(super) async fn hand_to_gateway(
    app: &App,
    locale: Locale,
    started: StartedPurchase,
) -> Response {
    match started.initiation {
        PaymentInitiation::PostForm { action_url, fields } => {
            bank_form(locale, action_url, fields, &started.purchase)
        }
        PaymentInitiation::Redirect { url } => see_other(&url),
        PaymentInitiation::ClientConfirmation { client_secret, .. } => {
            match super::stripe::browser_settings(app).await {
                Some(settings) => super::stripe::payment_page(
                    locale,
                    &settings,
                    &client_secret,
                    &started.purchase,
                ),
                None => unavailable(locale),
            }
        }
    }
}

/// The signed form for the bank: with card inputs for `3d_pay` (posted straight to the bank),
/// sent on by itself otherwise (the bank's page asks for the card).
#[derive(Template)]
#[template(path = "billing/bank_form.html")]
struct BankFormPage<'a> {
    c: super::PortalChrome,
    package_name: &'a str,
    price: Money,
    /// The coupon's discount in words, when one applies.
    coupon: Option<String>,
    action_url: String,
    /// The signed fields, hidden.
    fields: Vec<(String, String)>,
    /// Whether the card is typed here (`3d_pay`) rather than on the bank's page.
    card_form: bool,
    /// The script that sends the form on by itself.
    redirect_script: String,
}

pub(super) fn bank_form(
    locale: Locale,
    action_url: String,
    fields: Vec<(String, String)>,
    purchase: &Purchase,
) -> Response {
    let card_form = fields
        .iter()
        .any(|(name, value)| name.eq_ignore_ascii_case("storetype") && value == "3d_pay");
    page(
        StatusCode::OK,
        &BankFormPage {
            c: chrome(locale, None),
            package_name: purchase.item.name(),
            // What the bank will take: the discounted price when a coupon applies.
            price: purchase
                .payment
                .as_ref()
                .map_or(purchase.item.price(), |payment| payment.amount),
            coupon: purchase.coupon.as_ref().map(|coupon| {
                locale.fill(
                    "coupons.applied",
                    &[
                        ("code", coupon.code.as_str()),
                        (
                            "price",
                            &locale.money(
                                &purchase
                                    .payment
                                    .as_ref()
                                    .map_or(purchase.item.price(), |payment| payment.amount),
                            ),
                        ),
                        ("list_price", &locale.money(&coupon.list_price)),
                        ("discount", &locale.money(&coupon.discount)),
                    ],
                )
            }),
            action_url,
            fields,
            card_form,
            redirect_script: crate::static_files::url("bank-redirect.js"),
        },
    )
}
