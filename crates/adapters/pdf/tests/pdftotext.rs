//! The PDF read back with pdftotext (poppler-utils, installed by scripts/test): numbers, totals
//! and Turkish text come out as issued.

use std::process::Command;

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
                "buyer": { "name": "Ayşe Yılmaz", "email": "ayse@example.com",
                           "address": "Moda Cad. 5\n34710 Kadıköy / İstanbul",
                           "tax_office": "Üsküdar", "tax_number": "10000000146" },
                "lines": [{ "description": "10 Kredi — Teknik Destek", "tax_rate_percent": "20",
                            "net": "83.33", "tax": "16.67", "gross": "100.00" }],
                "payment": { "method": "nestpay", "order_id": "KSA-ORDER-1", "reference": "24012AbCd" },
            }),
            refers_to: None,
        },
    }
}

fn extract(pdf: &[u8]) -> String {
    let path = std::env::temp_dir().join(format!("kasa-invoice-{}.pdf", uuid::Uuid::now_v7()));
    std::fs::write(&path, pdf).unwrap();
    let output = Command::new("pdftotext")
        .args(["-layout", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext runs (scripts/test installs poppler-utils)");
    let _ = std::fs::remove_file(&path);
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn a_turkish_invoice_reads_back_with_its_letters_lira_sign_numbers_and_totals() {
    let pdf = render_invoice(&invoice("tr", InvoiceKind::Invoice), None).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let text = extract(&pdf);
    for expected in [
        "FATURA",
        "KSA-2026-000001",
        "23.11.2026",
        "Örnek Yazılım A.Ş.",
        "Bağdat Cad. 1, İstanbul",
        "Vergi dairesi: Kadıköy",
        "Ayşe Yılmaz",
        "34710 Kadıköy / İstanbul",
        "Vergi dairesi: Üsküdar",
        "10000000146",
        "10 Kredi — Teknik Destek",
        "83,33 ₺",
        "16,67 ₺",
        "100,00 ₺",
        "Genel toplam",
        "nestpay KSA-ORDER-1 24012AbCd",
    ] {
        assert!(
            text.contains(expected),
            "`{expected}` missing from:\n{text}"
        );
    }
}

#[test]
fn an_english_receipt_uses_english_labels_and_english_amounts() {
    let text = extract(&render_invoice(&invoice("en", InvoiceKind::Receipt), None).unwrap());
    for expected in ["RECEIPT", "Grand total", "₺100.00", "₺16.67"] {
        assert!(
            text.contains(expected),
            "`{expected}` missing from:\n{text}"
        );
    }
}

/// What `pdfimages -list` (poppler-utils) says about a PDF's images: one row per image.
fn image_rows(pdf: &[u8]) -> Vec<String> {
    let path = std::env::temp_dir().join(format!("kasa-logo-{}.pdf", uuid::Uuid::now_v7()));
    std::fs::write(&path, pdf).unwrap();
    let output = Command::new("pdfimages")
        .args(["-list", path.to_str().unwrap()])
        .output()
        .expect("pdfimages runs (scripts/test installs poppler-utils)");
    let _ = std::fs::remove_file(&path);
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .skip(2)
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_sellers_logo_is_drawn_once_and_the_text_stays_readable() {
    let logo = Logo::new(include_bytes!("fixtures/logo.png").to_vec()).unwrap();
    kasa_pdf::check_logo(&logo).unwrap();
    let pdf = render_invoice(&invoice("tr", InvoiceKind::Invoice), Some(&logo)).unwrap();
    let images = image_rows(&pdf);
    assert_eq!(images.len(), 1, "{images:?}");
    assert!(images[0].contains("96    32"), "its own pixels: {images:?}");
    assert!(extract(&pdf).contains("KSA-2026-000001"));
    assert!(
        image_rows(&render_invoice(&invoice("tr", InvoiceKind::Invoice), None).unwrap()).is_empty()
    );

    // A file that only looks like a PNG is refused before it can break a document.
    let broken = Logo::new(b"\x89PNG\r\n\x1a\nnot really".to_vec()).unwrap();
    assert!(kasa_pdf::check_logo(&broken).is_err());
    assert!(render_invoice(&invoice("tr", InvoiceKind::Invoice), Some(&broken)).is_err());
}
