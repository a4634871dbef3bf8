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
    pub(crate) created_at: OffsetDateTime,
    pub(crate) expires_at: OffsetDateTime,
    pub(crate) state: &'static str,
    pub(crate) state_words: &'static str,
    pub(crate) under_way: bool,
    pub(crate) cancel_reason: Option<String>,
    pub(crate) cancellable: bool,
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
    let now = app.payment_requests.now();
    match app.payment_requests.customer_requests(customer_id).await {
        Ok(requests) => RequestsSection {
            rows: requests
                .into_iter()
                .map(|request| {
                    let state = request.state(now);
                    RequestRow {
                        id: request.id.to_string(),
                        package: request.package.name.clone(),
                        amount: request.amount,
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
