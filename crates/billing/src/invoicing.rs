//! The documents money movements get: the invoice (or receipt) of a paid purchase, and the
//! credit note of a refund or void, composed from the settings, the customer and the package as
//! bought; the store numbers them in the movement's own transaction.

use kasa_domain::{
    Customer, InvoiceId, Money, MoneyError, PriceBasis, PurchaseId, TaxRate, TaxedAmount,
};
use kasa_ports::{
    BillingSettings, Invoice, InvoiceKind, NewInvoice, Payment, PurchaseCoupon, new_id,
};
use time::OffsetDateTime;

/// The document for one purchase of one package, paid `amount` (the price, or less after a
/// partial capture).
///
/// With a coupon the document has two lines: the package at its price before the discount
/// (`amount + discount`: the list price, unless a partial capture took less) and the discount
/// (`"kind": "discount"`, negative amounts). The tax is worked out once, on what was paid
/// (`amount`), which gives the document's total; the package line is taxed on its own and the
/// discount line is the difference, so the lines add up to the total to the last kuruş (ADR
/// 0015).
///
/// # Errors
/// [`MoneyError::Overflow`] on absurd prices.
#[allow(clippy::too_many_arguments)]
pub(crate) fn invoice_for(
    settings: &BillingSettings,
    purchase_id: PurchaseId,
    customer: &Customer,
    item_name: &str,
    payment: &Payment,
    amount: Money,
    coupon: Option<&PurchaseCoupon>,
    at: OffsetDateTime,
) -> Result<NewInvoice, MoneyError> {
    let invoicing = &settings.invoicing;
    let total = TaxedAmount::of(amount, invoicing.tax_rate, invoicing.price_basis)?;
    let list_price = match coupon {
        Some(coupon) => amount.checked_add(&coupon.discount)?,
        None => amount,
    };
    let line = TaxedAmount::of(list_price, invoicing.tax_rate, invoicing.price_basis)?;
    let mut lines = vec![serde_json::json!({
        "description": item_name,
        "quantity": 1,
        "tax_rate_percent": invoicing.tax_rate.percent(),
        "price_basis": invoicing.price_basis,
        "net": line.net.amount(),
        "tax": line.tax.amount(),
        "gross": line.gross.amount(),
    })];
    if let Some(coupon) = coupon {
        let discount = TaxedAmount {
            net: total.net.checked_sub(&line.net)?,
            tax: total.tax.checked_sub(&line.tax)?,
            gross: total.gross.checked_sub(&line.gross)?,
        };
        lines.push(serde_json::json!({
            "kind": "discount",
            "description": kasa_locale::Locale::new(customer.language)
                .fill("coupons.invoice-line", &[("code", &coupon.code.to_string())]),
            "coupon_code": coupon.code,
            "quantity": 1,
            "tax_rate_percent": invoicing.tax_rate.percent(),
            "price_basis": invoicing.price_basis,
            "net": discount.net.amount(),
            "tax": discount.tax.amount(),
            "gross": discount.gross.amount(),
        }));
    }
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
        "lines": lines,
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
