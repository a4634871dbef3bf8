//! A customer's own billing under `/v1/me`, reached with a billing link's token.

use kasa_domain::CustomerId;
use poem::http::StatusCode;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::Tag;
use super::bodies::{HoldingBody, PurchaseBody, UsageChargeBody, holding_body};
use super::customers::{CustomerBody, TaxDetailsBody, change_tax_details};
use super::me_portal::{MyHistory, MyLanguageBody, change_my_language, my_history};
use super::records::{PdfDocument, invoice_pdf};
use crate::app::App;
use crate::auth::Bearer;
use crate::problem::{ApiError, store_error};

/// A customer's own billing, as their billing link shows it (no internal notes or staff ids).
#[derive(Debug, Object)]
pub struct MyBilling {
    /// The customer.
    pub customer: CustomerBody,
    /// What they hold.
    pub holding: HoldingBody,
    /// Their latest tickets and chats charged.
    pub recent_charges: Vec<UsageChargeBody>,
    /// Their latest purchases, with payments.
    pub purchases: Vec<PurchaseBody>,
}

/// Customers' own billing.
#[derive(Debug)]
pub struct MeApi;

#[OpenApi(prefix_path = "/v1", tag = "Tag::Customers")]
impl MeApi {
    /// One of the customer's own documents as a PDF (with a billing link's token only).
    #[oai(
        path = "/me/purchases/:id/invoices/:invoice_id/pdf",
        method = "get",
        operation_id = "download_my_invoice"
    )]
    async fn download_my_invoice(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        invoice_id: Path<String>,
    ) -> Result<PdfDocument, ApiError> {
        let customer_id = own_customer(&auth, "/v1/purchases")?;
        invoice_pdf(&app, &id, &invoice_id, Some(customer_id)).await
    }

    /// The signed-in customer's own billing (with a billing link's token only).
    #[oai(path = "/me/billing", method = "get", operation_id = "my_billing")]
    async fn my_billing(&self, app: Data<&App>, auth: Bearer) -> Result<Json<MyBilling>, ApiError> {
        let customer_id = own_customer(&auth, "/v1/billing-context")?;
        let store = &app.store;
        let state = store
            .customer_state(customer_id)
            .await
            .map_err(store_error)?;
        let recent_charges = store
            .usage_charges(customer_id, 20)
            .await
            .map_err(store_error)?;
        let purchases = store
            .customer_purchases(customer_id, 20)
            .await
            .map_err(store_error)?;
        Ok(Json(MyBilling {
            customer: state.customer.into(),
            holding: holding_body(&state.holding, app.clock.now()),
            recent_charges: recent_charges.into_iter().map(Into::into).collect(),
            purchases: purchases
                .into_iter()
                .map(|purchase| {
                    let mut body = PurchaseBody::from(purchase);
                    // The failure detail is written for agents.
                    if let Some(payment) = body.payment.as_mut() {
                        payment.failure = None;
                    }
                    body
                })
                .collect(),
        }))
    }

    /// The signed-in customer changes their own tax id, tax office and billing address (with a
    /// billing link's token only); their next invoices carry them.
    #[oai(
        path = "/me/tax-details",
        method = "put",
        operation_id = "set_my_tax_details"
    )]
    async fn set_my_tax_details(
        &self,
        app: Data<&App>,
        auth: Bearer,
        body: Json<TaxDetailsBody>,
    ) -> Result<Json<CustomerBody>, ApiError> {
        let customer_id = own_customer(&auth, "/v1/customers/{id}/tax-details")?;
        let context = auth
            .0
            .context("changed by the customer on their billing page")?;
        let customer = change_tax_details(&app, customer_id, &body, context).await?;
        Ok(Json(customer.into()))
    }

    /// The signed-in customer's purchases, payments, refunds and voids with their documents,
    /// newest first, a page at a time (with a billing link's token only).
    #[oai(path = "/me/history", method = "get", operation_id = "my_history")]
    async fn my_history(
        &self,
        app: Data<&App>,
        auth: Bearer,
        /// The previous page's `next_before`.
        before: Query<Option<String>>,
        /// Entries per page, 1 to 50 (20 when absent).
        limit: Query<Option<u32>>,
    ) -> Result<Json<MyHistory>, ApiError> {
        let customer_id = own_customer(&auth, "/v1/purchases")?;
        Ok(Json(
            my_history(&app, customer_id, before.as_deref(), limit.0).await?,
        ))
    }

    /// The signed-in customer's tax id, tax office and billing address (with a billing link's
    /// token only).
    #[oai(
        path = "/me/tax-details",
        method = "get",
        operation_id = "my_tax_details"
    )]
    async fn my_tax_details(
        &self,
        app: Data<&App>,
        auth: Bearer,
    ) -> Result<Json<TaxDetailsBody>, ApiError> {
        let customer_id = own_customer(&auth, "/v1/customers/{id}")?;
        let state = app
            .store
            .customer_state(customer_id)
            .await
            .map_err(store_error)?;
        Ok(Json(state.customer.tax_details.into()))
    }

    /// The signed-in customer chooses the language of their pages, e-mails and documents
    /// (`tr` or `en`; with a billing link's token only).
    #[oai(
        path = "/me/language",
        method = "put",
        operation_id = "set_my_language"
    )]
    async fn set_my_language(
        &self,
        app: Data<&App>,
        auth: Bearer,
        body: Json<MyLanguageBody>,
    ) -> Result<Json<CustomerBody>, ApiError> {
        let customer_id = own_customer(&auth, "/v1/customers/{id}")?;
        let context = auth
            .0
            .context("language changed by the customer on their billing page")?;
        let customer = change_my_language(&app, customer_id, &body.language, context).await?;
        Ok(Json(customer.into()))
    }
}

/// The customer a billing link's token belongs to; staff are sent to their own endpoint.
pub(crate) fn own_customer(auth: &Bearer, staff_path: &str) -> Result<CustomerId, ApiError> {
    match auth.0.actor {
        kasa_domain::Actor::Customer { customer_id } => Ok(customer_id),
        _ => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Not permitted",
            format!("/v1/me is for customers' billing links; staff use {staff_path}"),
        )),
    }
}
