//! `GET /billing/result/{purchase}`: what became of a payment, where the bank's return sends
//! the browser (POST, redirect, GET: Back and reload only read it again). A refused payment is
//! explained in plain words with a button to try again on the same page.

use askama::Template;
use kasa_billing::declines::DeclineReason;
use kasa_domain::PurchaseId;
use kasa_ports::PurchaseStatus;
use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{Request, Response, handler};

use super::{PortalChrome, chrome, message};
use crate::app::App;

/// The result page.
#[derive(Template)]
#[template(path = "billing/result.html")]
struct ResultPage {
    c: PortalChrome,
    text: String,
    /// Whether the payment went through (or is on its way).
    paid: bool,
    /// The checkout to try again, when it was refused and the customer is signed in.
    retry: Option<Retry>,
}

/// The same package, through the same gateway, again.
struct Retry {
    package_id: String,
    gateway: String,
}

/// The result of one purchase: its buyer's, or the browser the bank sent back (the purchase's
/// id is not guessable); another signed-in customer sees "not found".
#[handler]
pub async fn result_page(app: Data<&App>, request: &Request, purchase: Path<String>) -> Response {
    let default = super::default_locale();
    let Some(purchase_id) = purchase.parse::<uuid::Uuid>().ok().map(PurchaseId::from) else {
        return message(StatusCode::NOT_FOUND, default, "billing.unknown-order");
    };
    let Ok(purchase) = app.store.purchase(purchase_id).await else {
        return message(StatusCode::NOT_FOUND, default, "billing.unknown-order");
    };
    let signed_in =
        super::customer_of(&app, crate::web::cookie(request, super::COOKIE).as_deref()).await;
    if signed_in.is_some_and(|customer_id| customer_id != purchase.customer_id) {
        return message(StatusCode::NOT_FOUND, default, "billing.unknown-order");
    }
    let locale = super::customer_locale(&app, purchase.customer_id).await;
    let text = super::gateway_return::purchase_result(locale, &purchase);
    let refused = purchase.status == PurchaseStatus::Failed;
    let retry = (refused && signed_in.is_some())
        .then(|| {
            // A package is bought again; an amount is paid again on its request's page.
            purchase
                .payment
                .as_ref()
                .zip(purchase.item.package())
                .map(|(payment, package)| Retry {
                    package_id: package.id.to_string(),
                    gateway: payment.gateway.to_string(),
                })
        })
        .flatten();
    super::page(
        StatusCode::OK,
        &ResultPage {
            c: chrome(locale, None),
            text,
            paid: !refused,
            retry,
        },
    )
}

/// The words key of a refusal's reason.
pub(super) fn decline_words(reason: DeclineReason) -> &'static str {
    match reason {
        DeclineReason::InsufficientFunds => "portal.decline-insufficient-funds",
        DeclineReason::ExpiredCard => "portal.decline-expired-card",
        DeclineReason::WrongCardDetails => "portal.decline-wrong-card-details",
        DeclineReason::AuthenticationFailed => "portal.decline-authentication-failed",
        DeclineReason::CardNotPermitted => "portal.decline-card-not-permitted",
        DeclineReason::TemporaryProblem => "portal.decline-temporary-problem",
        DeclineReason::Declined => "portal.decline-declined",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_refusal_reason_has_words_in_both_languages() {
        let words = kasa_locale::entries().unwrap_or_else(|error| panic!("{error}"));
        for reason in kasa_billing::declines::DeclineReason::ALL {
            let key = super::decline_words(reason);
            assert!(words.contains_key(key), "{key}");
        }
    }
}
