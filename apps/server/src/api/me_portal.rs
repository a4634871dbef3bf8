//! The JSON of what the customer portal shows and does (`/v1/me/history`, `/v1/me/language`,
//! `/v1/me/tax-details`): bodies and the work behind the operations `MeApi` declares.

use kasa_billing::portal_history::{
    HISTORY_PAGE_LIMIT, HistoryEntry, HistoryQuery, customer_history,
};
use kasa_domain::{Customer, CustomerId, Language, PurchaseId};
use kasa_ports::{ActionContext, InvoiceKind, PaymentActionKind};
use poem_openapi::Object;

use super::customers::save_customer_change;
use super::{MoneyBody, parse_optional_id};
use crate::app::App;
use crate::dates::rfc3339;
use crate::problem::{ApiError, store_error};

/// One page of the customer's history, newest first.
#[derive(Debug, Object)]
pub struct MyHistory {
    /// Purchases with their payments, refunds, voids and documents.
    pub entries: Vec<MyHistoryEntry>,
    /// Pass as `before` for the next (older) page; absent on the last page.
    pub next_before: Option<String>,
}

/// One purchase and what happened to its money.
#[derive(Debug, Object)]
pub struct MyHistoryEntry {
    /// The purchase's id.
    pub purchase_id: String,
    /// When it was started.
    pub created_at: String,
    /// When it was applied, if it was.
    pub completed_at: Option<String>,
    /// The package's id; absent when it paid an amount asked for.
    pub package_id: Option<String>,
    /// The package's name as bought; absent when it paid an amount asked for.
    pub package_name: Option<String>,
    /// What an amount asked for paid for; absent for a package.
    pub description: Option<String>,
    /// What was paid (absent for a package given without payment).
    pub amount: Option<MoneyBody>,
    /// `paid`, `authorised`, `partially_refunded`, `refunded`, `voided`, `granted`,
    /// `declined`, `pending`, `expired` (a checkout left unpaid for an hour) or `in_review`.
    pub state: String,
    /// How it was paid.
    pub payment: Option<MyPaymentBody>,
    /// Captures, voids and refunds the gateway made, oldest first.
    pub movements: Vec<MyMovementBody>,
    /// Its documents, oldest first.
    pub documents: Vec<MyDocumentBody>,
}

/// How a purchase was paid.
#[derive(Debug, Object)]
pub struct MyPaymentBody {
    /// The gateway: `nestpay`, `stripe`, or `manual` (recorded by the seller's team).
    pub method: String,
    /// The card, when the gateway told which (brand and last four digits only).
    pub card: Option<MyCardBody>,
}

/// A card as its holder recognises it.
#[derive(Debug, Object)]
pub struct MyCardBody {
    /// `visa`, `mastercard`, `amex`, `troy` or `card`.
    pub brand: String,
    /// The last four digits.
    pub last4: String,
}

/// A capture, void or refund.
#[derive(Debug, Object)]
pub struct MyMovementBody {
    /// `capture`, `void` or `refund`.
    pub kind: String,
    /// How much.
    pub amount: MoneyBody,
    /// When the gateway did it.
    pub at: String,
}

/// A document to download.
#[derive(Debug, Object)]
pub struct MyDocumentBody {
    /// Its id.
    pub id: String,
    /// `invoice`, `receipt` or `credit_note`.
    pub kind: String,
    /// Its number.
    pub number: String,
    /// When issued.
    pub issued_at: String,
    /// Its total.
    pub gross: MoneyBody,
    /// Where to download it (this API, with the same token).
    pub pdf_url: String,
}

/// The customer's language.
#[derive(Debug, Object)]
pub struct MyLanguageBody {
    /// `tr` or `en`.
    pub language: String,
}

/// One page of `customer_id`'s history.
///
/// # Errors
/// `invalid-input` for a malformed cursor or limit, `not-found` for a cursor that is not one
/// of the customer's purchases, store failures.
pub(crate) async fn my_history(
    app: &App,
    customer_id: CustomerId,
    before: Option<&str>,
    limit: Option<u32>,
) -> Result<MyHistory, ApiError> {
    let before: Option<PurchaseId> = parse_optional_id(before, "purchase")?;
    let limit = limit.unwrap_or(20);
    if !(1..=HISTORY_PAGE_LIMIT).contains(&limit) {
        return Err(ApiError::invalid(format!(
            "`limit` is 1 to {HISTORY_PAGE_LIMIT}"
        )));
    }
    if let Some(before) = before {
        let cursor = app.store.purchase(before).await.map_err(store_error)?;
        if cursor.customer_id != customer_id {
            return Err(ApiError::not_found(kasa_ports::Entity::Purchase));
        }
    }
    let store = app.store.as_ref();
    let page = customer_history(
        store,
        store,
        store,
        HistoryQuery {
            customer_id,
            before,
            limit,
        },
        app.clock.now(),
    )
    .await
    .map_err(store_error)?;
    Ok(MyHistory {
        entries: page.entries.into_iter().map(entry_body).collect(),
        next_before: page.next.map(|next| next.to_string()),
    })
}

fn entry_body(entry: HistoryEntry) -> MyHistoryEntry {
    let purchase = entry.purchase;
    MyHistoryEntry {
        purchase_id: purchase.id.to_string(),
        created_at: rfc3339(purchase.created_at),
        completed_at: purchase.completed_at.map(rfc3339),
        package_id: purchase
            .item
            .package()
            .map(|package| package.id.to_string()),
        package_name: purchase.item.package().map(|package| package.name.clone()),
        description: match &purchase.item {
            kasa_ports::PurchaseItem::Package(_) => None,
            kasa_ports::PurchaseItem::Amount(item) => Some(item.description.clone()),
        },
        amount: purchase
            .payment
            .as_ref()
            .map(|payment| payment.amount.into()),
        state: entry.state.label().to_owned(),
        payment: purchase.payment.as_ref().map(|payment| MyPaymentBody {
            method: payment.gateway.to_string(),
            card: payment.card.as_ref().map(|card| MyCardBody {
                brand: card.brand().to_owned(),
                last4: card.last4().to_owned(),
            }),
        }),
        movements: entry
            .actions
            .into_iter()
            .map(|action| MyMovementBody {
                kind: match action.kind {
                    PaymentActionKind::Capture => "capture",
                    PaymentActionKind::Void => "void",
                    PaymentActionKind::Refund => "refund",
                }
                .to_owned(),
                amount: action.amount.into(),
                at: rfc3339(action.finished_at.unwrap_or(action.requested_at)),
            })
            .collect(),
        documents: entry
            .documents
            .into_iter()
            .map(|invoice| MyDocumentBody {
                id: invoice.issued.id.to_string(),
                kind: match invoice.issued.kind {
                    InvoiceKind::Invoice => "invoice",
                    InvoiceKind::Receipt => "receipt",
                    InvoiceKind::CreditNote => "credit_note",
                }
                .to_owned(),
                number: invoice.number.to_string(),
                issued_at: rfc3339(invoice.issued.issued_at),
                gross: invoice.issued.total.gross.into(),
                pdf_url: format!(
                    "/v1/me/purchases/{}/invoices/{}/pdf",
                    invoice.issued.purchase_id, invoice.issued.id
                ),
            })
            .collect(),
    }
}

/// Changes the customer's language (audited with the customer as actor and `context`'s
/// reason); pages, e-mails and documents are written in it from now on.
///
/// # Errors
/// `invalid-input` for a language other than `tr` or `en`, store failures.
pub(crate) async fn change_my_language(
    app: &App,
    customer_id: CustomerId,
    language: &str,
    context: ActionContext,
) -> Result<Customer, ApiError> {
    let language: Language = language
        .parse()
        .map_err(|error: kasa_domain::CustomerError| ApiError::invalid(error.to_string()))?;
    let current = app
        .store
        .find_customer(kasa_ports::CustomerLookup::Id { id: customer_id })
        .await
        .map_err(store_error)?;
    if current.language == language {
        return Ok(current);
    }
    save_customer_change(app, customer_id, None, context, |current| {
        Ok(Customer {
            language,
            ..current.clone()
        })
    })
    .await
}
