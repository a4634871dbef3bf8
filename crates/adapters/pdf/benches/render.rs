//! Per-invoice render time: `cargo bench -p kasa-pdf --bench render` (or `scripts/bench`).
//! Prints figures (time per document and documents per second); not a test. Every document is
//! a tagged PDF/A-2a file validated by krilla as it is written.

use std::time::Instant;

use kasa_domain::{Currency, Money, PriceBasis, TaxRate, TaxedAmount};
use kasa_pdf::render_invoice;
use kasa_ports::{Invoice, InvoiceKind, InvoiceNumber, Logo, NewInvoice};
use rust_decimal::Decimal;
use time::macros::datetime;

fn invoice(language: &str, kind: InvoiceKind) -> Invoice {
    let price = Money::new(Decimal::new(10_000, 2), Currency::Try).unwrap();
    let line = TaxedAmount::of(
        price,
        TaxRate::new(Decimal::from(20)).unwrap(),
        PriceBasis::TaxInclusive,
    )
    .unwrap();
    Invoice {
        number: InvoiceNumber {
            series: "KSA".to_owned(),
            year: 2026,
            sequence: 1,
        },
        issued: NewInvoice {
            id: uuid::Uuid::from_u128(1).into(),
            kind,
            series: "KSA".to_owned(),
            purchase_id: uuid::Uuid::from_u128(2).into(),
            customer_id: uuid::Uuid::from_u128(3).into(),
            issued_at: datetime!(2026-11-23 12:00 UTC),
            total: line,
            document: serde_json::json!({
                "language": language,
                "seller": { "name": "Örnek Yazılım A.Ş.", "address": "Bağdat Cad. 1, İstanbul",
                            "tax_office": "Kadıköy", "tax_number": "1234567890" },
                "buyer": { "name": "Ayşe Yılmaz", "email": "ayse@example.com" },
                "lines": [{ "description": "10 Kredi — Teknik Destek", "tax_rate_percent": "20",
                            "net": "83.33", "tax": "16.67", "gross": "100.00" }],
                "payment": { "method": "nestpay", "order_id": "KSA-ORDER-1" },
            }),
            refers_to: None,
        },
    }
}

/// Renders `invoice` `runs` times and prints the time per invoice and the size.
fn measure(what: &str, invoice: &Invoice, logo: Option<&Logo>) {
    let warm = render_invoice(invoice, logo).expect("renders");
    let runs = 500_u32;
    let started = Instant::now();
    for _ in 0..runs {
        std::hint::black_box(render_invoice(std::hint::black_box(invoice), logo).expect("renders"));
    }
    let elapsed = started.elapsed();
    let each = elapsed / runs;
    let per_second = u128::from(runs) * 1_000_000_000 / elapsed.as_nanos().max(1);
    println!(
        "invoice PDF {what}: {each:.2?} per invoice ({per_second} documents per second) over {runs} renders, {} bytes each",
        warm.len()
    );
}

fn main() {
    let invoice = invoice("tr", InvoiceKind::Invoice);
    measure("without a logo", &invoice, None);
    let logo = Logo::new(include_bytes!("../tests/fixtures/logo.png").to_vec()).expect("a PNG");
    measure("with the seller's logo", &invoice, Some(&logo));
    let mut long = invoice.clone();
    long.issued.document["lines"] = serde_json::Value::Array(
        (1..=60)
            .map(|n| {
                serde_json::json!({ "description": format!("Satır {n}: danışmanlık saati"),
                    "tax_rate_percent": "20", "net": "0.83", "tax": "0.17", "gross": "1.00" })
            })
            .collect(),
    );
    measure("of 60 lines on 2 pages, with the logo", &long, Some(&logo));
}
