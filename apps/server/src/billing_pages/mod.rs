//! The customer's hosted billing pages, in Turkish and English: what they hold, the packages
//! they may buy (with the forfeit warning and the renewal-window refusal where they apply), the
//! checkout that hands the card to the bank, and the page the bank sends them back to.
//!
//! A customer arrives with a billing link (`/billing?token=kasa_customer_…`); the token moves
//! into an HTTP-only, `SameSite=Lax` cookie so that it leaves the address bar, and other sites
//! cannot post forms with it. Card numbers never reach Kasa: for `3d_pay` the card form posts
//! straight to the bank, for `3d_pay_hosting` the bank's own page asks for the card, and the
//! return endpoint refuses any request that carries a card number (`pan`) or security code
//! (`cv2`). The card's expiry comes back from the bank, signed, and is only verified.
//!
//! The pages are templates under `templates/billing/` with their own layout and stylesheet
//! (`static/billing.css`); their words, dates and amounts come from [`kasa_locale`] (the
//! `billing.*` words), written in the customer's language.

mod checkout;
mod coupons;
mod gateway_return;
mod overview;
mod payment_requests;
mod portal;
mod portal_card;
mod portal_documents;
mod portal_history;
mod portal_language;
mod portal_new_link;
mod portal_result;
mod portal_tax_details;
mod questions;
mod stripe;

use askama::Template;
use kasa_domain::{Customer, CustomerId, Language};
use kasa_locale::Locale;
use poem::http::{StatusCode, header};
use poem::{Request, Response, Route, get, post};

use crate::app::App;
use crate::auth::{CUSTOMER_LINK_PREFIX, token_hash};
use crate::web::Chrome;

pub(crate) use portal::PortalChrome;

/// The customer's billing pages and the bank's way back to them; every one knows the seller,
/// the reader's language and the form token ([`portal::around`]).
pub fn routes(route: Route) -> Route {
    route
        .at("/billing", portal::around(get(overview::billing_page)))
        .at(
            "/billing/checkout",
            portal::around(post(checkout::checkout)),
        )
        .at(
            "/billing/requests/:id",
            portal::around(get(payment_requests::request_page)),
        )
        .at(
            "/billing/requests/:id/pay",
            portal::around(post(payment_requests::pay)),
        )
        .at(
            "/billing/questions",
            portal::around(get(questions::questions_page).post(questions::ask)),
        )
        .at(
            "/billing/card",
            portal::around(get(stripe::card_page).post(stripe::save_card)),
        )
        .at(
            "/billing/history",
            portal::around(get(portal_history::history_page)),
        )
        .at(
            "/billing/documents/:file",
            portal::around(get(portal_documents::document_pdf)),
        )
        .at(
            "/billing/language",
            portal::around(post(portal_language::switch_language)),
        )
        .at(
            "/billing/result/:purchase",
            portal::around(get(portal_result::result_page)),
        )
        .at(
            "/billing/new-link",
            portal::around(post(portal_new_link::request_new_link)),
        )
        .at(
            "/billing/new-link/sent",
            portal::around(get(portal_new_link::new_link_sent)),
        )
        .at(
            "/billing/tax-details",
            portal::around(
                get(portal_tax_details::tax_details_page)
                    .post(portal_tax_details::save_tax_details),
            ),
        )
        .at(
            "/billing/payment-method",
            portal::around(get(portal_card::payment_method_page)),
        )
        .at("/billing/logo", get(portal::logo))
        .at("/billing/*rest", portal::around(portal::not_found))
        .at(
            "/gateways/:gateway/return",
            portal::around(post(gateway_return::gateway_return)),
        )
}

/// The cookie that carries the customer's billing-link token.
const COOKIE: &str = "kasa_billing";

/// The pages' Content-Security-Policy: styles and scripts only from Kasa's own files (no inline
/// code), forms may post to the bank, and no other site may frame the pages (clickjacking).
const PAGE_POLICY: &str = "default-src 'self'; object-src 'none'; base-uri 'none'; \
                           form-action *; frame-ancestors 'none'";

/// The frame of a billing page for a reader of `locale`, with a notice at the top: the
/// seller, the menu, the language switch and the form token of this request.
fn chrome(locale: Locale, notice: Option<String>) -> PortalChrome {
    let request = portal::current();
    PortalChrome::new(
        Chrome {
            locale,
            user_name: String::new(),
            csrf: request.csrf.clone().unwrap_or_default(),
            section: "billing",
            here: request.path.clone(),
            stylesheet: crate::static_files::url("billing.css"),
            notice,
            menu: Vec::new(),
        },
        request,
    )
}

/// A rendered page with the pages' own policy.
fn page<T: Template>(status: StatusCode, template: &T) -> Response {
    page_with_policy(status, template, PAGE_POLICY)
}

/// A rendered page with its own Content-Security-Policy; never cached, never framed.
fn page_with_policy<T: Template>(status: StatusCode, template: &T, policy: &str) -> Response {
    match template.render() {
        Ok(html) => {
            let mut response = crate::web::html_response(status, html, policy);
            response
                .headers_mut()
                .insert(header::X_FRAME_OPTIONS, "DENY".parse().expect("a header"));
            response
        }
        Err(error) => {
            tracing::error!(%error, "a billing page failed to render");
            crate::problem::ApiError::internal(&error).response(None)
        }
    }
}

/// A page that only says something, with the way back to the packages when `back`.
#[derive(Template)]
#[template(path = "billing/message.html")]
struct MessagePage {
    c: PortalChrome,
    text: String,
    back: bool,
}

/// A page saying the words of `key`.
fn message(status: StatusCode, locale: Locale, key: &str) -> Response {
    say(status, locale, locale.t(key).to_owned(), false)
}

/// A page saying `text`.
fn say(status: StatusCode, locale: Locale, text: String, back: bool) -> Response {
    page(
        status,
        &MessagePage {
            c: chrome(locale, None),
            text,
            back,
        },
    )
}

/// The pages' language before the customer is known: the one the reader chose on the pages
/// (remembered in a cookie) or their browser asks for, Turkish otherwise.
fn default_locale() -> Locale {
    Locale::new(portal::current().language)
}

/// Whether the billing module is on (product rule 11): off, the pages sell nothing.
async fn billing_on(app: &App) -> bool {
    app.billing_switch
        .is_on(app.store.as_ref())
        .await
        .unwrap_or(false)
}

/// The customer whose billing-link token the request carries (query or cookie).
async fn customer_of(app: &App, token: Option<&str>) -> Option<CustomerId> {
    let token = token.filter(|token| token.starts_with(CUSTOMER_LINK_PREFIX))?;
    match app
        .access
        .token_owner(token_hash(token), app.clock.now())
        .await
    {
        Ok(kasa_ports::TokenOwner::Customer(customer_id)) => Some(customer_id),
        _ => None,
    }
}

/// The customer of the page's billing-link cookie; the page to show instead when billing is
/// off or the link is invalid.
async fn cookie_customer(app: &App, request: &Request) -> Result<CustomerId, Response> {
    if !billing_on(app).await {
        return Err(message(
            StatusCode::SERVICE_UNAVAILABLE,
            default_locale(),
            "billing.unavailable",
        ));
    }
    customer_of(app, crate::web::cookie(request, COOKIE).as_deref())
        .await
        .ok_or_else(|| portal_new_link::link_invalid(StatusCode::UNAUTHORIZED, default_locale()))
}

/// The customer of the page's billing-link cookie, and how to write for them.
async fn page_customer(app: &App, request: &Request) -> Result<(Customer, Locale), Response> {
    let customer_id = cookie_customer(app, request).await?;
    let state =
        app.store.customer_state(customer_id).await.map_err(|_| {
            portal_new_link::link_invalid(StatusCode::UNAUTHORIZED, default_locale())
        })?;
    let locale = Locale::new(state.customer.language);
    Ok((state.customer, locale))
}

/// How to write for the customer (Turkish when the customer cannot be read).
async fn customer_locale(app: &App, customer_id: CustomerId) -> Locale {
    Locale::new(
        app.store
            .customer_state(customer_id)
            .await
            .map_or(Language::Tr, |state| state.customer.language),
    )
}

/// `n credits` in the reader's words.
fn credits(locale: Locale, credits: kasa_domain::Credits) -> String {
    locale.fill(
        "billing.credits-count",
        &[("credits", &locale.number(credits.get()))],
    )
}

#[cfg(test)]
mod tests {
    /// The pages' templates and modules, as compiled in.
    const SOURCES: &[(&str, &str)] = &[
        (
            "base.html",
            include_str!("../../templates/billing/base.html"),
        ),
        (
            "message.html",
            include_str!("../../templates/billing/message.html"),
        ),
        (
            "overview.html",
            include_str!("../../templates/billing/overview.html"),
        ),
        (
            "bank_form.html",
            include_str!("../../templates/billing/bank_form.html"),
        ),
        (
            "stripe.html",
            include_str!("../../templates/billing/stripe.html"),
        ),
        (
            "questions.html",
            include_str!("../../templates/billing/questions.html"),
        ),
        ("mod.rs", include_str!("mod.rs")),
        ("overview.rs", include_str!("overview.rs")),
        ("checkout.rs", include_str!("checkout.rs")),
        ("stripe.rs", include_str!("stripe.rs")),
        ("gateway_return.rs", include_str!("gateway_return.rs")),
        ("questions.rs", include_str!("questions.rs")),
    ];

    #[test]
    fn every_word_the_pages_use_is_in_the_word_files() {
        let words = kasa_locale::entries().unwrap_or_else(|error| panic!("{error}"));
        let mut used = 0;
        for (file, source) in SOURCES {
            // This test's own text names no words.
            let source = source.split("#[cfg(test)]").next().unwrap_or_default();
            for piece in source.split("\"billing.").skip(1) {
                let key = format!("billing.{}", &piece[..piece.find('"').unwrap_or(0)]);
                if key == "billing.css" {
                    continue;
                }
                assert!(words.contains_key(key.as_str()), "{file} uses {key}");
                used += 1;
            }
        }
        assert!(used > 30, "{used} words found");
    }
}
