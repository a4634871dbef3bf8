//! Payments made elsewhere (a bank transfer, cash, another processor) recorded against a pending
//! purchase or an open payment request (ADR 0025): idempotent by reference, completing the
//! purchase as its gateway payment would have (invoice, mail, webhooks).

use kasa_billing::{ImportDone, ImportPayment};
use kasa_domain::{Permission, PurchaseId};
use kasa_ports::{ImportMethod, ImportedPayment};
use kasa_subscriptions::ForfeitConfirmation;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::bodies::PurchaseBody;
use super::problems::{import_problem, request_not_found};
use super::{MoneyBody, Tag, parse_id};
use crate::app::App;
use crate::auth::{Bearer, Caller};
use crate::dates::rfc3339;
use crate::problem::{ApiError, store_error};

/// How the money was paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ImportMethodBody {
    /// A bank transfer (havale / EFT).
    BankTransfer,
    /// Cash.
    Cash,
    /// Another payment processor.
    Other,
}

impl From<ImportMethodBody> for ImportMethod {
    fn from(method: ImportMethodBody) -> Self {
        match method {
            ImportMethodBody::BankTransfer => Self::BankTransfer,
            ImportMethodBody::Cash => Self::Cash,
            ImportMethodBody::Other => Self::Other,
        }
    }
}

impl From<ImportMethod> for ImportMethodBody {
    fn from(method: ImportMethod) -> Self {
        match method {
            ImportMethod::BankTransfer => Self::BankTransfer,
            ImportMethod::Cash => Self::Cash,
            ImportMethod::Other => Self::Other,
        }
    }
}

/// A payment received elsewhere.
#[derive(Debug, Object)]
pub struct ImportedPaymentCreate {
    /// How it was paid.
    pub method: ImportMethodBody,
    /// The bank's or processor's reference (or the cash receipt's number), 1-100 characters
    /// after trimming: a reference is imported once. Sending it again for the same purchase
    /// answers the first import (`created: false`); for another purchase it is refused (409
    /// `import-reference-used`).
    #[oai(validator(min_length = 1, max_length = 100))]
    pub reference: String,
    /// The amount received: exactly what the purchase or request owes (else 422
    /// `import-amount-mismatch`, nothing recorded).
    pub amount: MoneyBody,
    /// When the money was received (RFC 3339, not in the future).
    pub received_at: String,
    /// A note kept with it (at most 500 characters).
    #[oai(validator(max_length = 500))]
    pub note: Option<String>,
    /// For a package of the other kind than what the customer holds: confirms that what they
    /// hold is forfeited (rule 6). A purchase the customer confirmed at checkout keeps that.
    #[oai(default)]
    pub confirm_forfeit: bool,
    /// Why (audit log).
    pub reason: String,
}

/// A payment received elsewhere, as recorded.
#[derive(Debug, Object)]
pub struct ImportedPaymentBody {
    /// How it was paid.
    pub method: ImportMethodBody,
    /// Its reference.
    pub reference: String,
    /// The amount received.
    pub amount: MoneyBody,
    /// When the money was received (RFC 3339).
    pub received_at: String,
    /// The note kept with it.
    pub note: Option<String>,
    /// When it was recorded in Kasa (RFC 3339).
    pub recorded_at: String,
    /// The payment it settled.
    pub payment_id: String,
}

impl From<ImportedPayment> for ImportedPaymentBody {
    fn from(imported: ImportedPayment) -> Self {
        Self {
            method: imported.import.method.into(),
            reference: imported.import.reference.0,
            amount: imported.amount.into(),
            received_at: rfc3339(imported.import.received_at),
            note: imported.import.note,
            recorded_at: rfc3339(imported.recorded_at),
            payment_id: imported.payment_id.to_string(),
        }
    }
}

/// What an import did.
#[derive(Debug, Object)]
pub struct ImportResultBody {
    /// `false` when this reference had been imported for this purchase before: nothing changed
    /// now, and this is the first import's record.
    pub created: bool,
    /// The payment received.
    pub imported_payment: ImportedPaymentBody,
    /// The purchase it paid, as it stands (completed, its payment captured).
    pub purchase: PurchaseBody,
}

impl From<ImportDone> for ImportResultBody {
    fn from(done: ImportDone) -> Self {
        Self {
            created: done.created,
            imported_payment: done.imported.into(),
            purchase: done.purchase.into(),
        }
    }
}

/// Where an import goes.
#[derive(Clone, Copy, Debug)]
pub(crate) enum ImportTarget {
    /// A pending purchase.
    Purchase(PurchaseId),
    /// An open payment request.
    PaymentRequest(kasa_domain::PaymentRequestId),
}

/// The import the body describes, checked, in `caller`'s name.
pub(crate) fn import_request(
    caller: &Caller,
    body: &ImportedPaymentCreate,
) -> Result<ImportPayment, ApiError> {
    let context = caller.context(&body.reason)?;
    let amount = body
        .amount
        .money()
        .map_err(|error| error.on_field("amount"))?;
    let received_at = OffsetDateTime::parse(&body.received_at, &Rfc3339).map_err(|_| {
        ApiError::invalid(format!(
            "`{}` is not an RFC 3339 time like 2026-07-01T09:30:00Z",
            body.received_at
        ))
        .on_field("received_at")
    })?;
    Ok(ImportPayment {
        method: body.method.into(),
        reference: body.reference.clone(),
        amount,
        received_at,
        note: body.note.clone(),
        confirmation: if body.confirm_forfeit {
            ForfeitConfirmation::Confirmed
        } else {
            ForfeitConfirmation::NotConfirmed
        },
        context,
    })
}

/// Records the import against its target (the JSON API and the console).
pub(crate) async fn import_payment(
    app: &App,
    target: ImportTarget,
    import: ImportPayment,
) -> Result<ImportDone, ApiError> {
    match target {
        ImportTarget::Purchase(purchase_id) => {
            app.billing.import_payment(purchase_id, import).await
        }
        ImportTarget::PaymentRequest(request_id) => {
            app.payment_requests
                .import_payment(request_id, import)
                .await
        }
    }
    .map_err(import_problem)
}

/// The JSON API's answer to an import.
async fn record(
    app: &App,
    caller: &Caller,
    target: ImportTarget,
    body: &ImportedPaymentCreate,
) -> Result<Json<ImportResultBody>, ApiError> {
    // What is not there is `not-found` whatever the body says.
    match target {
        ImportTarget::Purchase(purchase_id) => {
            app.store.purchase(purchase_id).await.map_err(store_error)?;
        }
        ImportTarget::PaymentRequest(request_id) => {
            app.payment_requests
                .request(request_id)
                .await
                .map_err(request_not_found)?;
        }
    }
    let import = import_request(caller, body)?;
    Ok(Json(import_payment(app, target, import).await?.into()))
}

/// Payments received elsewhere.
#[derive(Debug)]
pub struct ImportedPaymentsApi;

#[OpenApi(prefix_path = "/v1", tag = "Tag::Actions")]
impl ImportedPaymentsApi {
    /// Records a payment made elsewhere (a bank transfer, cash, another processor) against a
    /// pending purchase: its payment at a gateway is given up first, then the purchase completes
    /// as a gateway payment would (credits or term, departments, invoice, mail, webhooks),
    /// audited. Idempotent by reference.
    #[oai(
        path = "/purchases/:id/imported-payments",
        method = "post",
        operation_id = "import_purchase_payment"
    )]
    async fn import_for_purchase(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        body: Json<ImportedPaymentCreate>,
    ) -> Result<Json<ImportResultBody>, ApiError> {
        auth.0.require(Permission::RecordPayments)?;
        let target = ImportTarget::Purchase(parse_id(&id, "purchase")?);
        record(&app, &auth.0, target, &body.0).await
    }

    /// Records a payment made elsewhere against an open payment request (or the payment of it
    /// under way): the request becomes paid, with its invoice, mail and webhooks, as when the
    /// customer pays it on its page. Idempotent by reference.
    #[oai(
        path = "/payment-requests/:id/imported-payments",
        method = "post",
        operation_id = "import_payment_request_payment"
    )]
    async fn import_for_request(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        body: Json<ImportedPaymentCreate>,
    ) -> Result<Json<ImportResultBody>, ApiError> {
        auth.0.require(Permission::RecordPayments)?;
        let target = ImportTarget::PaymentRequest(parse_id(&id, "payment request")?);
        record(&app, &auth.0, target, &body.0).await
    }
}
