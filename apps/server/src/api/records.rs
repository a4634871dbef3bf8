//! Records: purchases, their invoices (also as PDF) and the audit log.

use kasa_domain::{CustomerId, Permission};
use kasa_ports::{AuditQuery, PurchaseQuery};
use poem::web::Data;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::{Binary, Json};
use poem_openapi::{ApiResponse, OpenApi};

use super::access::ReasonBody;
use super::bodies::{AuditEntryBody, InvoiceBody, PurchaseBody};
use super::{Tag, parse_id, parse_optional_id};
use crate::app::App;
use crate::auth::{Bearer, Caller};
use crate::idempotency::idempotent;
use crate::problem::{ApiError, store_error};

/// A billing document as a PDF file.
#[derive(Debug, ApiResponse)]
pub enum PdfDocument {
    /// The PDF.
    #[oai(status = 200, content_type = "application/pdf")]
    Pdf(
        Binary<Vec<u8>>,
        #[oai(header = "Content-Disposition")] String,
    ),
}

/// One of a purchase's documents as a PDF, for the staff or (with `customer`) for its buyer.
pub(crate) async fn invoice_pdf(
    app: &App,
    purchase_id: &str,
    invoice_id: &str,
    customer: Option<CustomerId>,
) -> Result<PdfDocument, ApiError> {
    let purchase_id: kasa_domain::PurchaseId = parse_id(purchase_id, "purchase")?;
    let invoice_id: kasa_domain::InvoiceId = parse_id(invoice_id, "invoice")?;
    let invoice = app
        .store
        .purchase_invoices(purchase_id)
        .await
        .map_err(store_error)?
        .into_iter()
        .find(|invoice| invoice.issued.id == invoice_id)
        .filter(|invoice| customer.is_none_or(|customer| invoice.issued.customer_id == customer))
        .ok_or_else(|| ApiError::not_found(kasa_ports::Entity::Invoice))?;
    let logo = app.store.logo().await.map_err(store_error)?;
    let pdf = kasa_pdf::render_invoice(&invoice, logo.as_ref())
        .map_err(|error| ApiError::internal(&error))?;
    Ok(PdfDocument::Pdf(
        Binary(pdf),
        format!("attachment; filename=\"{}.pdf\"", invoice.number),
    ))
}

/// Purchases, invoices and the audit log.
#[derive(Debug)]
pub struct RecordsApi;

#[OpenApi(prefix_path = "/v1")]
impl RecordsApi {
    /// Purchases (paid subscriptions and credit packages), newest first, filtered by customer
    /// and status; page with `before` (the last purchase's id).
    #[oai(
        path = "/purchases",
        method = "get",
        operation_id = "list_purchases",
        tag = "Tag::Records"
    )]
    async fn all_purchases(
        &self,
        app: Data<&App>,
        auth: Bearer,
        customer_id: Query<Option<String>>,
        /// `pending`, `completed`, `failed` or `needs_attention`.
        status: Query<Option<String>>,
        before: Query<Option<String>>,
        #[oai(
            default = "default_limit",
            validator(minimum(value = "1"), maximum(value = "200"))
        )]
        limit: Query<u32>,
    ) -> Result<Json<Vec<PurchaseBody>>, ApiError> {
        auth.0.require(Permission::ReadBilling)?;
        let status = status
            .0
            .as_deref()
            .map(|text| {
                serde_json::from_value(serde_json::Value::String(text.to_owned())).map_err(|_| {
                    ApiError::invalid(
                        "status is one of pending, completed, failed, needs_attention",
                    )
                })
            })
            .transpose()?;
        let purchases = app
            .store
            .purchases(PurchaseQuery {
                customer_id: parse_optional_id(customer_id.0.as_deref(), "customer")?,
                status,
                before: parse_optional_id(before.0.as_deref(), "purchase")?,
                limit: limit.0,
            })
            .await
            .map_err(store_error)?;
        Ok(Json(purchases.into_iter().map(Into::into).collect()))
    }

    /// One purchase, with its payment.
    #[oai(
        path = "/purchases/:id",
        method = "get",
        operation_id = "get_purchase",
        tag = "Tag::Records"
    )]
    async fn one_purchase(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
    ) -> Result<Json<PurchaseBody>, ApiError> {
        auth.0.require(Permission::ReadBilling)?;
        let purchase = app
            .store
            .purchase(parse_id(&id, "purchase")?)
            .await
            .map_err(store_error)?;
        Ok(Json(purchase.into()))
    }

    /// The invoices, receipts and credit notes of a purchase.
    #[oai(
        path = "/purchases/:id/invoices",
        method = "get",
        operation_id = "list_purchase_invoices",
        tag = "Tag::Records"
    )]
    async fn purchase_invoices(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
    ) -> Result<Json<Vec<InvoiceBody>>, ApiError> {
        auth.0.require(Permission::ReadBilling)?;
        let purchase_id: kasa_domain::PurchaseId = parse_id(&id, "purchase")?;
        let invoices = app
            .store
            .purchase_invoices(purchase_id)
            .await
            .map_err(store_error)?;
        Ok(Json(invoices.into_iter().map(Into::into).collect()))
    }

    /// Sends the customer one of their documents (invoice, receipt or credit note) again: the
    /// e-mail it first came in is queued once more, to the customer's address as it is now, and
    /// the audit log records who asked and why (`invoice.resent`).
    #[oai(
        path = "/invoices/:id/resend",
        method = "post",
        operation_id = "resend_invoice",
        tag = "Tag::Actions"
    )]
    async fn resend_invoice(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        /// Send the same key again to get the first answer, never a second e-mail.
        #[oai(name = "Idempotency-Key")]
        idempotency_key: Header<Option<String>>,
        body: Json<ReasonBody>,
    ) -> Result<Json<InvoiceBody>, ApiError> {
        auth.0.require(Permission::BillingActions)?;
        resend_invoice(&app, &auth.0, &id, idempotency_key.0, &body.0).await
    }

    /// One of a purchase's documents as a PDF.
    #[oai(
        path = "/purchases/:id/invoices/:invoice_id/pdf",
        method = "get",
        operation_id = "download_invoice",
        tag = "Tag::Records"
    )]
    async fn download_invoice(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        invoice_id: Path<String>,
    ) -> Result<PdfDocument, ApiError> {
        auth.0.require(Permission::ReadBilling)?;
        invoice_pdf(&app, &id, &invoice_id, None).await
    }

    /// The audit log, newest first; page with `before` (the last entry's id).
    #[oai(
        path = "/audit",
        method = "get",
        operation_id = "list_audit",
        tag = "Tag::Records"
    )]
    async fn audit(
        &self,
        app: Data<&App>,
        auth: Bearer,
        subject: Query<Option<String>>,
        action: Query<Option<String>>,
        before: Query<Option<String>>,
        #[oai(
            default = "default_limit",
            validator(minimum(value = "1"), maximum(value = "200"))
        )]
        limit: Query<u32>,
    ) -> Result<Json<Vec<AuditEntryBody>>, ApiError> {
        let before = parse_optional_id(before.0.as_deref(), "audit entry")?;
        let query = AuditQuery {
            subject: subject.0,
            action: action.0,
            before,
            limit: limit.0,
        };
        let entries = audit_entries(&app, &auth.0, query).await?;
        Ok(Json(entries.into_iter().map(Into::into).collect()))
    }
}

/// The audit log entries matching `query`, newest first (`GET /v1/audit`).
pub(crate) async fn audit_entries(
    app: &App,
    caller: &crate::auth::Caller,
    query: AuditQuery,
) -> Result<Vec<kasa_ports::AuditEntry>, ApiError> {
    caller.require(Permission::ReadAudit)?;
    app.store.audit_entries(query).await.map_err(store_error)
}

fn default_limit() -> u32 {
    50
}

/// Sends a document again as `caller` (the JSON API and the console): at most once per `key`.
pub(crate) async fn resend_invoice(
    app: &App,
    caller: &Caller,
    id: &str,
    key: Option<String>,
    body: &ReasonBody,
) -> Result<Json<InvoiceBody>, ApiError> {
    idempotent(
        app,
        caller,
        key,
        &format!("resend_invoice {id}"),
        body,
        |mark| async {
            let context = caller.context(&body.reason)?.with_idempotency(mark);
            let invoice = app
                .billing
                .resend_document(parse_id(id, "invoice")?, context)
                .await
                .map_err(crate::api::problems::resend_error)?;
            Ok(Json(invoice.into()))
        },
    )
    .await
}
