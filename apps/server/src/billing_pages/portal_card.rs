//! `GET /billing/payment-method`: the card the customer pays with. Stripe keeps a card for
//! renewals: it is shown masked (brand and last four digits, read from Stripe) with "update my
//! card"; NestPay keeps none (the card is typed at the bank each time), and the page says so.

use askama::Template;
use poem::http::StatusCode;
use poem::web::Data;
use poem::{Request, Response, handler};

use super::{PortalChrome, chrome, page};
use crate::app::App;

/// The page.
#[derive(Template)]
#[template(path = "billing/payment_method.html")]
struct PaymentMethodPage {
    c: PortalChrome,
    /// Stripe is offered: what it keeps, in words (`None`: it could not be asked now).
    stripe: Option<Option<String>>,
    /// Whether NestPay is offered (it keeps no card).
    nestpay: bool,
}

/// The customer's card(s), by gateway.
#[handler]
pub async fn payment_method_page(app: Data<&App>, request: &Request) -> Response {
    let (customer, locale) = match super::page_customer(&app, request).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let gateways = super::overview::checkout_gateways(&app)
        .await
        .unwrap_or_default();
    let stripe = if gateways.iter().any(|name| name == "stripe") {
        match super::stripe::stripe_gateway(&app) {
            Some(gateway) => match gateway.saved_card(customer.email.clone()).await {
                Ok(card) => Some(card.map(|card| {
                    locale.fill(
                        "portal.card-ending",
                        &[
                            (
                                "brand",
                                locale.t(super::portal_history::brand_words(card.brand())),
                            ),
                            ("last4", card.last4()),
                        ],
                    )
                })),
                Err(error) => {
                    tracing::warn!(%error, "the saved card could not be read from Stripe");
                    None
                }
            },
            None => None,
        }
    } else {
        None
    };
    let stripe_offered = gateways.iter().any(|name| name == "stripe");
    page(
        StatusCode::OK,
        &PaymentMethodPage {
            c: chrome(locale, None),
            stripe: if stripe_offered {
                Some(stripe.flatten())
            } else {
                None
            },
            nestpay: gateways.iter().any(|name| name == "nestpay"),
        },
    )
}
