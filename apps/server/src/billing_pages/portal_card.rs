//! `GET /billing/payment-method`: the card the customer pays with, per gateway offered. A
//! gateway that keeps cards for renewals (Stripe) shows the card masked (brand and last four
//! digits, read from the gateway) with "update my card"; one that keeps none (NestPay: the card
//! is typed at the bank each time) says so. Which is which comes from the registry's
//! capabilities.

use askama::Template;
use poem::http::StatusCode;
use poem::web::Data;
use poem::{Request, Response, handler};

use super::{PortalChrome, chrome, page};
use crate::app::App;
use crate::gateways::{KEEPS_NO_CARD_WORDS, capabilities_of, gateway_words};

/// The page.
#[derive(Template)]
#[template(path = "billing/payment_method.html")]
struct PaymentMethodPage {
    c: PortalChrome,
    /// The gateway that keeps the customer's card, when offered: its words, and the card it
    /// keeps in words (`None`: it could not be asked now; `Some(None)`: it keeps none yet).
    saved: Option<(String, Option<String>)>,
    /// The offered gateways that keep no card: their name, their words, and the note saying so.
    keeps_none: Vec<(String, String, String)>,
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
    let keeps_cards =
        |name: &str| capabilities_of(name).is_some_and(|capabilities| capabilities.saved_cards);
    let card_gateway = super::stripe::card_gateway(&app)
        .filter(|gateway| gateways.iter().any(|name| name == gateway.name().as_str()));
    let saved = match card_gateway {
        Some(gateway) => {
            let card = match gateway.saved_card(customer.email.clone()).await {
                Ok(card) => card.map(|card| {
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
                }),
                Err(error) => {
                    tracing::warn!(%error, gateway = %gateway.name(), "the saved card could not be read");
                    None
                }
            };
            Some((
                super::overview::checkout_words(locale, gateway.name().as_str()),
                card,
            ))
        }
        None => None,
    };
    let keeps_none = gateways
        .iter()
        .filter(|name| !keeps_cards(name))
        .map(|name| {
            (
                name.clone(),
                super::overview::checkout_words(locale, name),
                gateway_words(locale, KEEPS_NO_CARD_WORDS, name),
            )
        })
        .collect();
    page(
        StatusCode::OK,
        &PaymentMethodPage {
            c: chrome(locale, None),
            saved,
            keeps_none,
        },
    )
}
