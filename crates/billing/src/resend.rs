//! An agent sends a customer one of their documents (invoice, receipt or credit note) again.

use kasa_domain::InvoiceId;
use kasa_ports::{
    ActionContext, Audience, CaptureMode, Invoice, InvoiceKind, OutboxPayload, StoreError,
};

use crate::Billing;
use crate::purchase::audit_record;

/// Why a document could not be sent again.
#[derive(Debug, thiserror::Error)]
pub enum ResendDocumentError {
    /// No such document.
    #[error("invoice not found")]
    NotFound,
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for ResendDocumentError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound { .. } => Self::NotFound,
            other => Self::Store(other),
        }
    }
}

impl Billing {
    /// Queues the e-mail a document was first sent with, again, to the customer's address and
    /// in their language as they are now, with an audit entry naming who asked and why (one
    /// transaction: the mail goes only if the entry is written). The mail is delivered by the
    /// outbox like every other, with retries.
    ///
    /// Which e-mail: a credit note, or the invoice of a capture (a payment authorised first),
    /// came in "here is your document"; the invoice or receipt of a purchase paid at once came
    /// in the customer's purchase notification, which carries it.
    ///
    /// # Errors
    /// [`ResendDocumentError`].
    pub async fn resend_document(
        &self,
        invoice_id: InvoiceId,
        context: ActionContext,
    ) -> Result<Invoice, ResendDocumentError> {
        let invoice = self.ports.invoices.invoice(invoice_id).await?;
        let purchase = self
            .ports
            .purchases
            .purchase(invoice.issued.purchase_id)
            .await?;
        let customer = self
            .ports
            .customers
            .find_customer(kasa_ports::CustomerLookup::Id {
                id: invoice.issued.customer_id,
            })
            .await?;
        let captured_later = purchase
            .payment
            .as_ref()
            .is_some_and(|payment| payment.capture == CaptureMode::AuthoriseOnly);
        let email = if invoice.issued.kind == InvoiceKind::CreditNote || captured_later {
            OutboxPayload::DocumentNotification {
                purchase_id: purchase.id,
                invoice_id,
                to: vec![customer.email.clone()],
                language: customer.language,
            }
        } else {
            OutboxPayload::PurchaseNotification {
                purchase_id: purchase.id,
                audience: Audience::Customer,
                to: vec![customer.email.clone()],
                cc: Vec::new(),
                language: customer.language,
            }
        };
        let audit = audit_record(
            "invoice.resent",
            customer.id,
            Some(serde_json::json!({
                "invoice_id": invoice_id,
                "number": invoice.number.to_string(),
                "kind": invoice.issued.kind,
                "to": [customer.email],
            })),
        );
        self.ports
            .invoices
            .queue_document_email(email, audit, context, self.ports.clock.now())
            .await?;
        Ok(invoice)
    }
}
