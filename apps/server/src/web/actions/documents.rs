//! Send an invoice, receipt or credit note again.

use kasa_domain::{Customer, Permission};

use super::{Action, Chrome, Fact, Outcome, Values, customer_page, fact, value};
use crate::api::parse_id;
use crate::app::App;
use crate::problem::{ApiError, store_error};
use crate::web::session::Staff;

/// Send the customer an invoice, receipt or credit note again.
pub(super) struct Resend {
    invoice: kasa_ports::Invoice,
    customer: Customer,
}

impl Action for Resend {
    const PERMISSION: Permission = Permission::BillingActions;
    const WORDS: &'static str = "actions.resend";
    const SCOPE: &'static str = "invoices";
    const PATH: &'static str = "resend";

    async fn load(app: &App, _staff: &Staff, target: &str) -> Result<Self, ApiError> {
        let invoice = app
            .store
            .invoice(parse_id(target, "invoice")?)
            .await
            .map_err(store_error)?;
        let customer = app
            .store
            .find_customer(kasa_ports::CustomerLookup::Id {
                id: invoice.issued.customer_id,
            })
            .await
            .map_err(store_error)?;
        Ok(Self { invoice, customer })
    }

    type Subject = Customer;

    fn subject(&self) -> &Customer {
        &self.customer
    }

    fn facts(&self, c: &Chrome) -> Vec<Fact> {
        let kind = match self.invoice.issued.kind {
            kasa_ports::InvoiceKind::Invoice => "actions.resend.invoice",
            kasa_ports::InvoiceKind::Receipt => "actions.resend.receipt",
            kasa_ports::InvoiceKind::CreditNote => "actions.resend.credit-note",
        };
        vec![
            fact(
                c.t("actions.resend.document"),
                c.fill(kind, &[("number", &self.invoice.number.to_string())]),
            ),
            fact(
                c.t("actions.resend.total"),
                c.money(&self.invoice.issued.total.gross),
            ),
            fact(
                c.t("actions.resend.issued"),
                c.date(&self.invoice.issued.issued_at),
            ),
            fact(
                c.t("actions.resend.to"),
                self.customer.email.as_str().to_owned(),
            ),
        ]
    }

    async fn run(
        &self,
        app: &App,
        staff: &Staff,
        _c: &Chrome,
        target: &str,
        values: &Values,
        key: String,
    ) -> Result<Outcome, ApiError> {
        let body = crate::api::access::ReasonBody {
            reason: value(values, "reason").to_owned(),
        };
        crate::api::records::resend_invoice(app, &staff.caller, target, Some(key), &body).await?;
        Ok(Outcome::Redirect(customer_page(
            &self.customer,
            Some("resent"),
        )))
    }
}
