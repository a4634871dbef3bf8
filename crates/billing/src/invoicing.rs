//! The invoice (or receipt) a paid purchase gets, composed from the settings, the customer and
//! the package as bought; the store numbers it in the purchase's own transaction.

use kasa_domain::{Customer, InvoiceId, MoneyError, Package, PurchaseId, TaxedAmount};
use kasa_ports::{BillingSettings, NewInvoice, Payment, new_id};
use time::OffsetDateTime;

/// The document for one paid purchase of one package.
///
/// # Errors
/// [`MoneyError::Overflow`] on absurd prices.
pub(crate) fn invoice_for(
    settings: &BillingSettings,
    purchase_id: PurchaseId,
    customer: &Customer,
    package: &Package,
    payment: &Payment,
    at: OffsetDateTime,
) -> Result<NewInvoice, MoneyError> {
    let invoicing = &settings.invoicing;
    let line = TaxedAmount::of(package.price, invoicing.tax_rate, invoicing.price_basis)?;
    let total = TaxedAmount::total(&[line], package.price.currency())?;
    let document = serde_json::json!({
        "language": customer.language,
        "currency": package.price.currency().alpha_code(),
        "seller": {
            "name": settings.company_name,
            "address": invoicing.seller_address,
            "tax_office": invoicing.seller_tax_office,
            "tax_number": invoicing.seller_tax_number,
        },
        "buyer": {
            "name": customer.name,
            "email": customer.email,
        },
        "lines": [{
            "description": package.name,
            "quantity": 1,
            "tax_rate_percent": invoicing.tax_rate.percent(),
            "price_basis": invoicing.price_basis,
            "net": line.net.amount(),
            "tax": line.tax.amount(),
            "gross": line.gross.amount(),
        }],
        "payment": {
            "method": payment.gateway,
            "order_id": payment.order_id,
        },
    });
    Ok(NewInvoice {
        id: new_id::<InvoiceId>(),
        kind: invoicing.kind,
        series: invoicing.series.clone(),
        purchase_id,
        customer_id: customer.id,
        issued_at: at,
        total,
        document,
        refers_to: None,
    })
}
