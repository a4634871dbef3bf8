//! `GET /billing/documents/{invoice_id}.pdf`: one of the signed-in customer's documents
//! (invoice, receipt, credit note) as a PDF, for the browser (the cookie of the billing link;
//! `/v1/me/purchases/{id}/invoices/{invoice_id}/pdf` is the same with a bearer token).

use kasa_domain::InvoiceId;
use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{IntoResponse, Request, Response, handler};

use super::message;
use crate::app::App;

/// The document, when it is the signed-in customer's; "not found" otherwise (whether it exists
/// for someone else is not said).
#[handler]
pub async fn document_pdf(app: Data<&App>, request: &Request, file: Path<String>) -> Response {
    let (customer, locale) = match super::page_customer(&app, request).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let not_found = || message(StatusCode::NOT_FOUND, locale, "portal.document-not-found");
    let Some(invoice_id) = file
        .strip_suffix(".pdf")
        .and_then(|id| id.parse::<uuid::Uuid>().ok())
        .map(InvoiceId::from)
    else {
        return not_found();
    };
    let invoice = match app.store.invoice(invoice_id).await {
        Ok(invoice) if invoice.issued.customer_id == customer.id => invoice,
        Ok(_) | Err(kasa_ports::StoreError::NotFound { .. }) => return not_found(),
        Err(error) => {
            tracing::warn!(%error, "a document could not be read");
            return message(
                StatusCode::SERVICE_UNAVAILABLE,
                locale,
                "billing.unavailable",
            );
        }
    };
    match crate::api::records::invoice_pdf(
        &app,
        &invoice.issued.purchase_id.to_string(),
        &invoice_id.to_string(),
        Some(customer.id),
    )
    .await
    {
        Ok(pdf) => {
            let mut response = pdf.into_response();
            response.headers_mut().insert(
                poem::http::header::CACHE_CONTROL,
                poem::http::HeaderValue::from_static("private, no-store"),
            );
            response
        }
        Err(error) => {
            tracing::warn!(?error, "a document could not be rendered");
            message(
                StatusCode::SERVICE_UNAVAILABLE,
                locale,
                "billing.unavailable",
            )
        }
    }
}
