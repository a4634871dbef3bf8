//! The documents money movements get: the invoice (or receipt) of a paid purchase, and the
//! credit note of a refund or void, composed from the settings, the customer and the package as
//! bought; the store numbers them in the movement's own transaction.

use kasa_domain::{
    Customer, InvoiceId, Money, MoneyError, Package, PriceBasis, PurchaseId, TaxRate, TaxedAmount,
};
use kasa_ports::{BillingSettings, Invoice, InvoiceKind, NewInvoice, Payment, new_id};
use time::OffsetDateTime;

/// The document for one purchase of one package, paid `amount` (the price, or less after a
/// partial capture).
///
/// # Errors
/// [`MoneyError::Overflow`] on absurd prices.
pub(crate) fn invoice_for(
    settings: &BillingSettings,
    purchase_id: PurchaseId,
    customer: &Customer,
    package: &Package,
    payment: &Payment,
    amount: Money,
    at: OffsetDateTime,
) -> Result<NewInvoice, MoneyError> {
    let invoicing = &settings.invoicing;
    let line = TaxedAmount::of(amount, invoicing.tax_rate, invoicing.price_basis)?;
    let total = TaxedAmount::total(&[line], amount.currency())?;
    let mut document = serde_json::json!({
        "language": customer.language,
        "currency": amount.currency().alpha_code(),
        "seller": {
            "name": settings.company_name,
            "address": invoicing.seller_address,
            "tax_office": invoicing.seller_tax_office,
            "tax_number": invoicing.seller_tax_number,
        },
        "buyer": {
            "name": customer.name,
            "email": customer.email,
            "address": customer.tax_details.billing_address,
            "tax_office": customer.tax_details.tax_office,
            "tax_number": customer.tax_details.tax_id,
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
            "reference": payment.reference,
        },
    });
    if let Some(card) = &payment.card {
        // The card as the customer knows it (brand and last four digits), when the gateway told.
        document["payment"]["card"] = serde_json::json!({
            "brand": card.brand(),
            "last4": card.last4(),
        });
    }
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

/// The credit note for `refunded` (gross, what goes back to the customer) of an issued invoice
/// or receipt: same seller, buyer and tax rate as the original, the tax taken out of the refunded
/// amount and rounded once, numbered in the credit-note series.
///
/// # Errors
/// [`MoneyError`] when the amount's currency is not the original's, or on overflow.
pub(crate) fn credit_note_for(
    settings: &BillingSettings,
    original: &Invoice,
    refunded: Money,
    at: OffsetDateTime,
) -> Result<NewInvoice, MoneyError> {
    let issued = &original.issued;
    let original_currency = issued.total.gross.currency();
    if refunded.currency() != original_currency {
        return Err(MoneyError::CurrencyMismatch {
            left: refunded.currency(),
            right: original_currency,
        });
    }
    let rate = issued.document["lines"][0]["tax_rate_percent"]
        .as_str()
        .and_then(|percent| percent.parse().ok())
        .and_then(|percent| TaxRate::new(percent).ok())
        .unwrap_or(settings.invoicing.tax_rate);
    let line = TaxedAmount::of(refunded, rate, PriceBasis::TaxInclusive)?;
    let total = TaxedAmount::total(&[line], original_currency)?;
    let description = issued.document["lines"][0]["description"]
        .as_str()
        .unwrap_or_default();
    let mut document = issued.document.clone();
    document["lines"] = serde_json::json!([{
        "description": description,
        "quantity": 1,
        "tax_rate_percent": rate.percent(),
        "price_basis": PriceBasis::TaxInclusive,
        "net": line.net.amount(),
        "tax": line.tax.amount(),
        "gross": line.gross.amount(),
    }]);
    document["refers_to"] = serde_json::json!({
        "id": issued.id,
        "number": original.number.to_string(),
        "issued_at": issued
            .issued_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
    });
    Ok(NewInvoice {
        id: new_id::<InvoiceId>(),
        kind: InvoiceKind::CreditNote,
        series: settings.invoicing.credit_note_series.clone(),
        purchase_id: issued.purchase_id,
        customer_id: issued.customer_id,
        issued_at: at,
        total,
        document,
        refers_to: Some(issued.id),
    })
}
