//! `GET /billing/history`: the customer's purchases, payments, refunds and voids, with their
//! documents to download, newest first, a page at a time (`?before=` the last one shown).

use askama::Template;
use kasa_billing::portal_history::{HistoryEntry, HistoryQuery, HistoryState, customer_history};
use kasa_domain::{PackageKind, PurchaseId};
use kasa_locale::Locale;
use kasa_ports::{InvoiceKind, Payment, PaymentActionKind, PurchaseItem};
use poem::http::StatusCode;
use poem::web::{Data, Query};
use poem::{Request, Response, handler};

use super::{PortalChrome, chrome, message};
use crate::app::App;

/// Entries per page.
const PAGE_SIZE: u32 = 10;

/// `?before=` of the history page.
#[derive(Debug, serde::Deserialize)]
pub struct HistoryParams {
    before: Option<String>,
}

/// The history page.
#[derive(Template)]
#[template(path = "billing/history.html")]
struct HistoryPage {
    c: PortalChrome,
    entries: Vec<EntryView>,
    /// The address of the next (older) page.
    older: Option<String>,
    /// Whether this is a later page (then the newest page is linked).
    later_page: bool,
}

/// One purchase, in the customer's words.
struct EntryView {
    id: String,
    what: String,
    date: String,
    amount: String,
    paid_with: String,
    state: String,
    state_label: &'static str,
    movements: Vec<String>,
    documents: Vec<DocumentView>,
}

/// A downloadable document.
struct DocumentView {
    href: String,
    title: String,
}

/// The history page.
#[handler]
pub async fn history_page(
    app: Data<&App>,
    request: &Request,
    params: Query<HistoryParams>,
) -> Response {
    let (customer, locale) = match super::page_customer(&app, request).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let before = match params.before.as_deref().filter(|text| !text.is_empty()) {
        None => None,
        Some(text) => match text.parse::<uuid::Uuid>() {
            Ok(uuid) => Some(PurchaseId::from(uuid)),
            Err(_) => return message(StatusCode::BAD_REQUEST, locale, "portal.history-bad-page"),
        },
    };
    let store = app.store.as_ref();
    let page = customer_history(
        store,
        store,
        store,
        HistoryQuery {
            customer_id: customer.id,
            before,
            limit: PAGE_SIZE,
        },
        app.clock.now(),
    )
    .await;
    let page = match page {
        Ok(page) => page,
        Err(kasa_ports::StoreError::NotFound { .. }) => {
            return message(StatusCode::NOT_FOUND, locale, "portal.history-bad-page");
        }
        Err(error) => {
            tracing::warn!(%error, "history page failed");
            return message(
                StatusCode::SERVICE_UNAVAILABLE,
                locale,
                "billing.unavailable",
            );
        }
    };
    super::page(
        StatusCode::OK,
        &HistoryPage {
            c: chrome(locale, None),
            entries: page
                .entries
                .iter()
                .map(|entry| entry_view(locale, entry))
                .collect(),
            older: page
                .next
                .map(|next| format!("/billing/history?before={next}")),
            later_page: before.is_some(),
        },
    )
}

fn entry_view(locale: Locale, entry: &HistoryEntry) -> EntryView {
    let purchase = &entry.purchase;
    let what = match &purchase.item {
        PurchaseItem::Package(package) => {
            let size = match package.kind {
                PackageKind::Credit { credits } => super::credits(locale, credits),
                PackageKind::Subscription { days } => locale.fill(
                    "billing.days-count",
                    &[("days", &locale.number(i64::from(days)))],
                ),
            };
            format!("{} ({size})", package.name)
        }
        PurchaseItem::Amount(item) => item.description.clone(),
    };
    let amount = purchase.payment.as_ref().map_or_else(
        || locale.t("portal.no-charge").to_owned(),
        |payment| locale.money(&payment.amount),
    );
    EntryView {
        id: purchase.id.to_string(),
        what,
        date: locale.date_time(purchase.created_at),
        amount,
        paid_with: paid_with(locale, purchase.payment.as_ref()),
        state: locale.t(state_words(entry.state)).to_owned(),
        state_label: entry.state.label(),
        movements: entry
            .actions
            .iter()
            .map(|action| {
                let key = match action.kind {
                    PaymentActionKind::Capture => "portal.movement-captured",
                    PaymentActionKind::Void => "portal.movement-voided",
                    PaymentActionKind::Refund => "portal.movement-refunded",
                };
                locale.fill(
                    key,
                    &[
                        ("amount", &locale.money(&action.amount)),
                        (
                            "date",
                            &locale.date(action.finished_at.unwrap_or(action.requested_at)),
                        ),
                    ],
                )
            })
            .collect(),
        documents: entry
            .documents
            .iter()
            .map(|invoice| DocumentView {
                href: format!("/billing/documents/{}.pdf", invoice.issued.id),
                title: locale.fill(
                    document_words(invoice.issued.kind),
                    &[
                        ("number", &invoice.number.to_string()),
                        ("date", &locale.date(invoice.issued.issued_at)),
                    ],
                ),
            })
            .collect(),
    }
}

/// How a payment was made, as the customer knows it: the card's brand and last four digits, or
/// the way of paying in plain words.
pub(super) fn paid_with(locale: Locale, payment: Option<&Payment>) -> String {
    let Some(payment) = payment else {
        return locale.t("portal.paid-with-nothing").to_owned();
    };
    if let Some(card) = &payment.card {
        return locale.fill(
            "portal.card-ending",
            &[
                ("brand", locale.t(brand_words(card.brand()))),
                ("last4", card.last4()),
            ],
        );
    }
    locale
        .t(match payment.gateway.as_str() {
            "nestpay" => "portal.paid-with-bank-card",
            "stripe" => "portal.paid-with-stripe",
            "manual" => "portal.paid-with-manual",
            "bank_transfer" => "portal.paid-with-bank-transfer",
            "cash" => "portal.paid-with-cash",
            "other" => "portal.paid-with-other-processor",
            _ => "portal.paid-with-other",
        })
        .to_owned()
}

/// The words key of a card brand's name.
pub(super) fn brand_words(brand: &str) -> &'static str {
    match brand {
        "visa" => "portal.brand-visa",
        "mastercard" => "portal.brand-mastercard",
        "amex" => "portal.brand-amex",
        "troy" => "portal.brand-troy",
        _ => "portal.brand-card",
    }
}

/// The words key of a state.
pub(super) fn state_words(state: HistoryState) -> &'static str {
    match state {
        HistoryState::Paid => "portal.state-paid",
        HistoryState::Authorised => "portal.state-authorised",
        HistoryState::PartiallyRefunded => "portal.state-partially-refunded",
        HistoryState::Refunded => "portal.state-refunded",
        HistoryState::Voided => "portal.state-voided",
        HistoryState::Granted => "portal.state-granted",
        HistoryState::Declined => "portal.state-declined",
        HistoryState::Pending => "portal.state-pending",
        HistoryState::Expired => "portal.state-expired",
        HistoryState::InReview => "portal.state-in-review",
    }
}

/// The words key of a document's title.
fn document_words(kind: InvoiceKind) -> &'static str {
    match kind {
        InvoiceKind::Invoice => "portal.document-invoice",
        InvoiceKind::Receipt => "portal.document-receipt",
        InvoiceKind::CreditNote => "portal.document-credit-note",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_and_brand_has_words_in_both_languages() {
        let words = kasa_locale::entries().unwrap_or_else(|error| panic!("{error}"));
        let keys = HistoryState::ALL
            .into_iter()
            .map(state_words)
            .chain(["visa", "mastercard", "amex", "troy", "other"].map(brand_words))
            .chain(
                [
                    InvoiceKind::Invoice,
                    InvoiceKind::Receipt,
                    InvoiceKind::CreditNote,
                ]
                .map(document_words),
            );
        for key in keys {
            assert!(words.contains_key(key), "{key}");
        }
    }
}
