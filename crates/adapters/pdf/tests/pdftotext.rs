//! The PDF read back with poppler-utils (installed by scripts/test): numbers, totals and Turkish
//! text come out as issued; discount lines, card payments, further pages, the tag tree and the
//! PDF/A claim are there.

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
                "payment": { "method": "nestpay", "order_id": "KSA-ORDER-1", "reference": "24012AbCd",
                             "card": { "brand": "visa", "last4": "4509" } },
            }),
            refers_to: None,
        },
    }
}

/// What a poppler-utils `tool` prints about `pdf`, run with `args` before the file.
fn poppler(tool: &str, args: &[&str], pdf: &[u8]) -> String {
    let path = std::env::temp_dir().join(format!("kasa-invoice-{}.pdf", uuid::Uuid::now_v7()));
    std::fs::write(&path, pdf).unwrap();
    let output = Command::new(tool)
        .args(args)
        .arg(&path)
        .args(if tool == "pdftotext" { &["-"][..] } else { &[] })
        .output()
        .expect("poppler-utils run (scripts/test installs them)");
    let _ = std::fs::remove_file(&path);
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

fn extract(pdf: &[u8]) -> String {
    poppler("pdftotext", &["-layout"], pdf)
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
        "Açıklama",
        "Miktar",
        "KDV hariç",
        "KDV dahil",
        "KDV hariç toplam",
        "Hesaplanan KDV",
        "Genel toplam (KDV dahil)",
        "Ödeme yöntemi: Kredi kartı (banka sanal POS): Visa •••• 4509",
        "Sipariş no: KSA-ORDER-1",
        "Ödeme referansı: 24012AbCd",
        "Sayfa 1 / 1",
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
    for expected in [
        "RECEIPT",
        "Grand total (VAT included)",
        "Total excluding VAT",
        "₺100.00",
        "₺16.67",
        "Paid by: Card (bank virtual POS): Visa •••• 4509",
        "Page 1 of 1",
    ] {
        assert!(
            text.contains(expected),
            "`{expected}` missing from:\n{text}"
        );
    }
}

#[test]
fn a_payment_received_elsewhere_names_its_method_and_reference_in_both_languages() {
    for (method, language, words) in [
        ("bank_transfer", "tr", "Ödeme yöntemi: Havale / EFT"),
        ("bank_transfer", "en", "Paid by: Bank transfer"),
        ("cash", "tr", "Ödeme yöntemi: Nakit"),
        ("cash", "en", "Paid by: Cash"),
        ("other", "tr", "Ödeme yöntemi: Diğer"),
        ("other", "en", "Paid by: Other"),
    ] {
        let mut imported = invoice(language, InvoiceKind::Invoice);
        imported.issued.document["payment"] = serde_json::json!({
            "method": method, "order_id": "KSA-ORDER-2", "reference": "TR33-0001"
        });
        let text = extract(&render_invoice(&imported, None).unwrap());
        assert!(text.contains(words), "`{words}` missing from:\n{text}");
        assert!(
            text.contains("TR33-0001"),
            "the reference is missing from:\n{text}"
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

#[test]
fn a_discount_is_its_own_line_with_negative_amounts() {
    let mut discounted = invoice("tr", InvoiceKind::Invoice);
    discounted.issued.document["lines"] = serde_json::json!([
        { "kind": "item", "description": "Yıllık paket", "quantity": 1, "tax_rate_percent": "20",
          "net": "104.17", "tax": "20.83", "gross": "125.00" },
        { "kind": "discount", "description": "İndirim: kupon YAZ25", "coupon_code": "YAZ25",
          "quantity": 1, "tax_rate_percent": "20", "net": "-20.84", "tax": "-4.16",
          "gross": "-25.00" },
    ]);
    let text = extract(&render_invoice(&discounted, None).unwrap());
    for expected in [
        "Yıllık paket",
        "125,00 ₺",
        "İndirim: kupon YAZ25",
        "-25,00 ₺",
        "-4,16 ₺",
    ] {
        assert!(
            text.contains(expected),
            "`{expected}` missing from:\n{text}"
        );
    }
}

#[test]
fn lines_that_do_not_fit_go_on_to_numbered_pages_with_the_header_repeated() {
    let mut long = invoice("tr", InvoiceKind::Invoice);
    let lines: Vec<serde_json::Value> = (1..=90)
        .map(|n| {
            serde_json::json!({ "description": format!("Satır {n}: danışmanlık saati, Teknik Destek departmanı için ayrıntılı açıklama"),
                "quantity": 1, "tax_rate_percent": "20", "net": "0.83", "tax": "0.17", "gross": "1.00" })
        })
        .collect();
    long.issued.document["lines"] = serde_json::Value::Array(lines);
    let pdf = render_invoice(&long, None).unwrap();
    let info = poppler("pdfinfo", &[], &pdf);
    let pages: usize = info
        .lines()
        .find_map(|line| line.strip_prefix("Pages:"))
        .and_then(|pages| pages.trim().parse().ok())
        .unwrap_or_else(|| panic!("no page count in {info}"));
    assert!(pages >= 3, "{pages} pages");
    let text = extract(&pdf);
    for n in 1..=90 {
        assert!(text.contains(&format!("Satır {n}:")), "line {n} is missing");
    }
    assert_eq!(
        text.matches("Açıklama").count(),
        pages,
        "a header on every page"
    );
    for page in 1..=pages {
        assert!(
            text.contains(&format!("Sayfa {page} / {pages}")),
            "page {page} is numbered"
        );
    }
    // The totals come once, after the last line.
    let last_page = text
        .split('\u{c}')
        .rfind(|page| !page.trim().is_empty())
        .unwrap();
    assert!(
        last_page.contains("Genel toplam (KDV dahil)"),
        "{last_page}"
    );
    assert_eq!(text.matches("Genel toplam").count(), 1);
}

#[test]
fn every_document_is_tagged_and_claims_pdf_a_2a_with_its_title_and_language() {
    let logo = Logo::new(include_bytes!("fixtures/logo.png").to_vec()).unwrap();
    let mut note = invoice("tr", InvoiceKind::CreditNote);
    note.issued.refers_to = Some(uuid::Uuid::from_u128(9).into());
    note.issued.document["refers_to"] = serde_json::json!({ "number": "KSA-2026-000007" });
    let pdf = render_invoice(&note, Some(&logo)).unwrap();
    let info = poppler("pdfinfo", &[], &pdf);
    assert!(info.contains("Tagged:          yes"), "{info}");
    assert!(
        info.contains("Title:           İADE FATURASI KSA-2026-000001"),
        "{info}"
    );
    let metadata = poppler("pdfinfo", &["-meta"], &pdf);
    assert!(
        metadata.contains("pdfaid:part") && metadata.contains('2'),
        "{metadata}"
    );
    assert!(metadata.contains("pdfaid:conformance"), "{metadata}");
    let structure = poppler("pdfinfo", &["-struct"], &pdf);
    for tag in ["H1", "Table", "TH", "TD", "Figure", "P"] {
        assert!(
            structure.contains(tag),
            "no {tag} in the tag tree:\n{structure}"
        );
    }
    assert!(extract(&pdf).contains("İlgili fatura: KSA-2026-000007"));
}
