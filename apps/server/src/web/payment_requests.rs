//! The payment-requests section of a customer's page in the console: each request with where it
//! stands, the way to ask for a payment and to cancel an open request (the actions live in
//! `actions::payment_requests`).

use kasa_domain::{CustomerId, Money, Permission};
use kasa_ports::PaymentRequestState;
use time::OffsetDateTime;

use super::session::Staff;
use crate::app::App;

/// The words key of a state.
pub(crate) const fn state_words(state: PaymentRequestState) -> &'static str {
    match state {
        PaymentRequestState::Open => "payment-requests.state.open",
        PaymentRequestState::Paid => "payment-requests.state.paid",
        PaymentRequestState::Expired => "payment-requests.state.expired",
        PaymentRequestState::Cancelled => "payment-requests.state.cancelled",
    }
}

/// One request as the section lists it.
pub(crate) struct RequestRow {
    pub(crate) id: String,
    pub(crate) description: String,
    pub(crate) package: String,
    pub(crate) amount: Money,
    /// The coupon's code, when the request carries one.
    pub(crate) coupon: Option<String>,
    pub(crate) created_at: OffsetDateTime,
    pub(crate) expires_at: OffsetDateTime,
    pub(crate) state: &'static str,
    pub(crate) state_words: &'static str,
    pub(crate) under_way: bool,
    pub(crate) cancel_reason: Option<String>,
    pub(crate) cancellable: bool,
    /// A payment received elsewhere can be recorded against it (ADR 0025).
    pub(crate) importable: bool,
}

/// The section: the requests, newest first, and what the reader may do.
#[derive(Default)]
pub(crate) struct RequestsSection {
    pub(crate) rows: Vec<RequestRow>,
    pub(crate) may_ask: bool,
    /// The requests could not be read (the rest of the page still shows).
    pub(crate) unavailable: bool,
}

/// Reads the section for `customer_id`.
pub(crate) async fn section(app: &App, staff: &Staff, customer_id: CustomerId) -> RequestsSection {
    let may_act = staff.may(Permission::BillingActions);
    let may_import = staff.may(Permission::RecordPayments);
    let now = app.payment_requests.now();
    match app.payment_requests.customer_requests(customer_id).await {
        Ok(requests) => RequestsSection {
            rows: requests
                .into_iter()
                .map(|request| {
                    let state = request.state(now);
                    RequestRow {
                        id: request.id.to_string(),
                        package: request.item.name().to_owned(),
                        amount: request.amount,
                        coupon: request
                            .coupon
                            .as_ref()
                            .map(|coupon| coupon.code.as_str().to_owned()),
                        created_at: request.created_at,
                        expires_at: request.expires_at,
                        state: state.label(),
                        state_words: state_words(state),
                        under_way: state == PaymentRequestState::Open
                            && request.payment_under_way(),
                        cancel_reason: request
                            .cancellation
                            .as_ref()
                            .map(|cancellation| cancellation.reason.as_str().to_owned()),
                        cancellable: may_act && request.payable(now),
                        importable: may_import && state == PaymentRequestState::Open,
                        description: request.description,
                    }
                })
                .collect(),
            may_ask: may_act,
            unavailable: false,
        },
        Err(error) => {
            tracing::warn!(%error, "payment requests could not be read");
            RequestsSection {
                may_ask: may_act,
                unavailable: true,
                ..RequestsSection::default()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    /// Every file that names payment-request words.
    const SOURCES: &[(&str, &str)] = &[
        (
            "billing/payment_request.html",
            include_str!("../../templates/billing/payment_request.html"),
        ),
        (
            "billing/open_requests.html",
            include_str!("../../templates/billing/open_requests.html"),
        ),
        (
            "console/payment_requests.html",
            include_str!("../../templates/console/payment_requests.html"),
        ),
        (
            "billing_pages/payment_requests.rs",
            include_str!("../billing_pages/payment_requests.rs"),
        ),
        (
            "web/actions/payment_requests.rs",
            include_str!("actions/payment_requests.rs"),
        ),
        (
            "web/payment_requests.rs",
            include_str!("payment_requests.rs"),
        ),
        (
            "kasa-billing payment_requests.rs",
            include_str!("../../../../crates/billing/src/payment_requests.rs"),
        ),
    ];

    #[test]
    fn every_payment_request_word_is_in_the_word_files_with_both_languages() {
        let words = kasa_locale::entries().unwrap_or_else(|error| panic!("{error}"));
        let mut used = 0;
        for (file, source) in SOURCES {
            let source = source.split("#[cfg(test)]").next().unwrap_or_default();
            for piece in source.split("\"payment-requests.").skip(1) {
                let key = format!(
                    "payment-requests.{}",
                    &piece[..piece.find('"').unwrap_or(0)]
                );
                assert!(words.contains_key(key.as_str()), "{file} uses {key}");
                used += 1;
            }
        }
        // The actions' submit and confirm buttons, and the notices after them.
        for key in [
            "payment-requests.ask.submit",
            "payment-requests.ask.confirm",
            "payment-requests.cancel.submit",
            "payment-requests.cancel.confirm",
            "customers.done.payment-requested",
            "customers.done.payment-request-cancelled",
        ] {
            assert!(words.contains_key(key), "{key}");
        }
        assert!(used > 30, "{used} words found");
    }
}
