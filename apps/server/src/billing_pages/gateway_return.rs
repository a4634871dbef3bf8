//! `POST /gateways/{gateway}/return`: where the bank sends the customer back.

use kasa_billing::PurchaseCompletion;
use kasa_domain::Language;
use kasa_locale::Locale;
use kasa_ports::{GatewayError, Purchase, PurchaseStatus};
use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{Body, Request, Response, handler};

use super::{credits, default_locale, message, say};
use crate::app::App;

/// The card number and security code: a browser must only ever send them to the bank, and no
/// bank posts them back, so the return endpoint refuses any post carrying one (names compared
/// ignoring case, whatever the value), unread. The card's expiry
/// (`Ecom_Payment_Card_ExpDate_Month`, `_Year`) is deliberately not here: real banks echo it in
/// the callback and sign it, so it must reach the gateway's verification; Kasa never logs,
/// stores or shows it (ADR 0006, 2026-12-03).
const REFUSED_CARD_FIELDS: [&str; 2] = ["pan", "cv2"];

/// Where the bank sends the customer back (its okUrl and failUrl): verifies the signature,
/// records the payment and completes the purchase once, and shows the result. A forged,
/// tampered or replayed post changes nothing.
#[handler]
pub async fn gateway_return(
    app: Data<&App>,
    request: &Request,
    gateway: Path<String>,
    body: Body,
) -> Response {
    let Ok(raw) = body.into_bytes_limit(64 * 1024).await else {
        return message(
            StatusCode::PAYLOAD_TOO_LARGE,
            default_locale(),
            "billing.not-verified",
        );
    };
    let raw = raw.to_vec();
    let fields: Vec<(String, String)> = form_urlencoded::parse(&raw)
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    let posted_language = fields
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("lang"))
        .map(|(_, value)| value.as_str());
    let mut locale = Locale::new(match posted_language {
        Some("en") => Language::En,
        _ => Language::Tr,
    });
    if fields.iter().any(|(name, _)| {
        REFUSED_CARD_FIELDS
            .iter()
            .any(|refused| refused.eq_ignore_ascii_case(name))
    }) {
        tracing::error!(gateway = %gateway.0, "a gateway return carried a card number or security code; refused without reading it");
        return message(StatusCode::BAD_REQUEST, locale, "billing.not-verified");
    }
    let Some(gateway_name) = app.gateway_named(&gateway.0) else {
        return message(StatusCode::NOT_FOUND, locale, "billing.unknown-order");
    };
    let callback = crate::gateways::callback_of(request, raw, fields);
    let request_id = crate::request_id::RequestId::of(request);
    let completion = app
        .billing
        .complete_purchase(&gateway_name, callback, request_id.clone())
        .await;
    if let Err(kasa_billing::CompletePurchaseError::Gateway(GatewayError::InvalidSignature)) =
        &completion
    {
        app.security_events.forged(crate::security_events::Forgery {
            gateway: gateway_name.to_string(),
            channel: "return",
            source_address: crate::security_events::peer(request),
            reason: "the signature does not verify, or the store is not ours".to_owned(),
            request_id,
        });
    }
    let purchase = match &completion {
        Ok(
            PurchaseCompletion::AlreadyProcessed(purchase)
            | PurchaseCompletion::Declined(purchase)
            | PurchaseCompletion::NeedsAttention(purchase)
            | PurchaseCompletion::StillPending(purchase),
        ) => Some(purchase.as_ref().clone()),
        Ok(PurchaseCompletion::Completed(applied)) => Some(applied.purchase.clone()),
        Err(_) => None,
    };
    if let Some(purchase) = &purchase
        && completion.is_ok()
    {
        // POST, redirect, GET: Back and reload show the result again and never post the
        // bank's answer a second time.
        return crate::web::see_other(&format!("/billing/result/{}", purchase.id));
    }
    if let Some(purchase) = &purchase {
        locale = super::customer_locale(&app, purchase.customer_id).await;
    }
    let (status, text) = result_of(completion, purchase.as_ref(), locale);
    say(status, locale, text, true)
}

/// The return page's status and words for what the completion did.
fn result_of(
    completion: Result<PurchaseCompletion, kasa_billing::CompletePurchaseError>,
    purchase: Option<&Purchase>,
    locale: Locale,
) -> (StatusCode, String) {
    match (completion, purchase) {
        (Err(kasa_billing::CompletePurchaseError::Gateway(_)), _) => (
            StatusCode::BAD_REQUEST,
            locale.t("billing.not-verified").to_owned(),
        ),
        (Err(kasa_billing::CompletePurchaseError::UnknownOrder(_)), _) => (
            StatusCode::NOT_FOUND,
            locale.t("billing.unknown-order").to_owned(),
        ),
        (Err(error), _) => {
            tracing::warn!(%error, "gateway return failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                locale.t("billing.unavailable").to_owned(),
            )
        }
        (
            Ok(PurchaseCompletion::Completed(_) | PurchaseCompletion::AlreadyProcessed(_)),
            Some(purchase),
        ) if purchase.status == PurchaseStatus::Completed => {
            (StatusCode::OK, approved(locale, purchase))
        }
        (Ok(PurchaseCompletion::NeedsAttention(_)), _) => {
            (StatusCode::OK, locale.t("billing.attention").to_owned())
        }
        (Ok(PurchaseCompletion::StillPending(_)), _) => {
            (StatusCode::OK, locale.t("billing.pending").to_owned())
        }
        (Ok(_), purchase) => (StatusCode::OK, declined(locale, purchase)),
    }
}

/// What became of `purchase`, in words, by its status.
pub(super) fn purchase_result(locale: Locale, purchase: &Purchase) -> String {
    match purchase.status {
        PurchaseStatus::Completed => approved(locale, purchase),
        PurchaseStatus::Pending => locale.t("billing.pending").to_owned(),
        PurchaseStatus::NeedsAttention => locale.t("billing.attention").to_owned(),
        _ => declined(locale, Some(purchase)),
    }
}

/// A completed purchase: thanks, and the new balance or the term's end.
fn approved(locale: Locale, purchase: &Purchase) -> String {
    let outcome = purchase.outcome.as_ref();
    let mut text = locale.t("billing.approved").to_owned();
    if let Some(balance) = outcome.and_then(|outcome| outcome.balance_after) {
        text.push(' ');
        text.push_str(&locale.fill(
            "billing.approved-credits",
            &[("credits", &credits(locale, balance))],
        ));
    }
    if let Some((_, ends_at)) = outcome.and_then(|outcome| outcome.term) {
        text.push(' ');
        text.push_str(&locale.fill("billing.approved-term", &[("date", &locale.date(ends_at))]));
    }
    text
}

/// A payment that did not go through, with the reason in plain words (the gateway's codes are
/// for agents: they stay in the payment's failure).
pub(super) fn declined(locale: Locale, purchase: Option<&Purchase>) -> String {
    let failure = purchase
        .and_then(|purchase| purchase.payment.as_ref())
        .and_then(|payment| payment.failure.as_deref())
        .unwrap_or_default();
    let reason = kasa_billing::declines::DeclineReason::of_failure(failure);
    locale
        .fill(
            "billing.declined",
            &[(
                "reason",
                locale.t(super::portal_result::decline_words(reason)),
            )],
        )
        .trim_end()
        .to_owned()
}
