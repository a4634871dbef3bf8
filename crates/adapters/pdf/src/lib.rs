//! Kasa's billing documents as PDF: an invoice, receipt or credit note on one A4 page, in
//! Turkish or English, drawn with krilla in DejaVu Sans (embedded, so Turkish letters and the
//! lira sign render on every machine; the font's licence is in `fonts/`).
//!
//! Promises: the page shows exactly what was issued (the store's frozen document: seller,
//! buyer, lines, totals, payment, number, date); nothing is recomputed here.

// Layout coordinates are points on a page (f32 in krilla's API), never money: amounts are
// printed from the issued document's decimals.
#![allow(clippy::float_arithmetic)]

use std::sync::OnceLock;

use kasa_domain::Money;
use kasa_ports::{Invoice, InvoiceKind, Logo, LogoFormat};
use krilla::Document;
use krilla::geom::{Point, Size, Transform};
use krilla::image::Image;
use krilla::page::PageSettings;
use krilla::text::{Font, TextDirection};
use serde_json::Value;

const FONT: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
const A4: (f32, f32) = (595.0, 842.0);
const MARGIN: f32 = 56.0;

/// Why a document could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The embedded font could not be read (a build problem).
    #[error("the embedded font cannot be read")]
    Font,
    /// krilla refused the document.
    #[error("the PDF could not be written: {0}")]
    Write(String),
    /// The logo is not an image krilla can decode.
    #[error("the logo cannot be drawn: {0}")]
    Logo(String),
}

/// The box the logo is fitted into, top right, in points (keeping its proportions).
const LOGO_BOX: (f32, f32) = (140.0, 56.0);

fn font() -> Result<Font, PdfError> {
    static FONT_DATA: OnceLock<Option<Font>> = OnceLock::new();
    FONT_DATA
        .get_or_init(|| Font::new(FONT.to_vec().into(), 0))
        .clone()
        .ok_or(PdfError::Font)
}

struct Labels {
    title: &'static str,
    number: &'static str,
    date: &'static str,
    seller: &'static str,
    buyer: &'static str,
    tax_office: &'static str,
    tax_number: &'static str,
    description: &'static str,
    rate: &'static str,
    net: &'static str,
    tax: &'static str,
    gross: &'static str,
    totals: &'static str,
    payment: &'static str,
    refers_to: &'static str,
}

fn labels(kind: InvoiceKind, turkish: bool) -> Labels {
    let title = match (kind, turkish) {
        (InvoiceKind::Invoice, true) => "FATURA",
        (InvoiceKind::Invoice, false) => "INVOICE",
        (InvoiceKind::Receipt, true) => "MAKBUZ",
        (InvoiceKind::Receipt, false) => "RECEIPT",
        (InvoiceKind::CreditNote, true) => "İADE FATURASI",
        (InvoiceKind::CreditNote, false) => "CREDIT NOTE",
    };
    if turkish {
        Labels {
            title,
            number: "Numara",
            date: "Tarih",
            seller: "Satıcı",
            buyer: "Alıcı",
            tax_office: "Vergi dairesi",
            tax_number: "Vergi no",
            description: "Açıklama",
            rate: "KDV %",
            net: "Tutar",
            tax: "KDV",
            gross: "Toplam",
            totals: "Genel toplam",
            payment: "Ödeme",
            refers_to: "İlgili fatura",
        }
    } else {
        Labels {
            title,
            number: "Number",
            date: "Date",
            seller: "Seller",
            buyer: "Buyer",
            tax_office: "Tax office",
            tax_number: "Tax number",
            description: "Description",
            rate: "VAT %",
            net: "Net",
            tax: "VAT",
            gross: "Total",
            totals: "Grand total",
            payment: "Payment",
            refers_to: "Corrects invoice",
        }
    }
}

/// An amount as people read it: `₺1.234,50` in Turkish, `TRY 1,234.50` in English.
fn amount(money: &Money, turkish: bool) -> String {
    let text = money.amount().to_string();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let (sign, digits) = whole
        .strip_prefix('-')
        .map_or(("", whole), |digits| ("-", digits));
    let separator = if turkish { '.' } else { ',' };
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            grouped.push(separator);
        }
        grouped.push(digit);
    }
    let decimal = if turkish { ',' } else { '.' };
    let number = if fraction.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}{decimal}{fraction}")
    };
    match (money.currency().symbol(), turkish) {
        (symbol, true) => format!("{symbol}{number}"),
        (_, false) => format!("{} {number}", money.currency().alpha_code()),
    }
}

fn text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The PDF renderer behind the [`kasa_ports::DocumentRenderer`] port.
#[derive(Clone, Copy, Debug, Default)]
pub struct PdfRenderer;

impl kasa_ports::DocumentRenderer for PdfRenderer {
    fn content_type(&self) -> &'static str {
        "application/pdf"
    }

    fn extension(&self) -> &'static str {
        "pdf"
    }

    fn render(
        &self,
        invoice: &Invoice,
        logo: Option<&Logo>,
    ) -> Result<Vec<u8>, kasa_ports::DocumentError> {
        render_invoice(invoice, logo).map_err(|error| kasa_ports::DocumentError(error.to_string()))
    }
}

/// Decodes the logo for krilla.
fn logo_image(logo: &Logo) -> Result<Image, PdfError> {
    let data = logo.bytes().to_vec().into();
    match logo.format() {
        LogoFormat::Png => Image::from_png(data, true),
        LogoFormat::Jpeg => Image::from_jpeg(data, true),
    }
    .map_err(PdfError::Logo)
}

/// Checks that `logo` can be drawn (decodes it and measures it).
///
/// # Errors
/// [`PdfError::Logo`] naming why not.
pub fn check_logo(logo: &Logo) -> Result<(), PdfError> {
    let image = logo_image(logo)?;
    logo_size(&image)
        .map(|_| ())
        .ok_or_else(|| PdfError::Logo("the image has no pixels".to_owned()))
}

/// The logo's drawn size: fitted into [`LOGO_BOX`], never enlarged past its pixels.
fn logo_size(image: &Image) -> Option<Size> {
    let (width, height) = image.size();
    #[allow(clippy::cast_precision_loss)] // image sides are far below 2^24 pixels
    let (width, height) = (width as f32, height as f32);
    let scale = (LOGO_BOX.0 / width).min(LOGO_BOX.1 / height).min(1.0);
    Size::from_wh(width * scale, height * scale)
}

/// Draws `invoice` as a one-page PDF, with the seller's `logo` at the top right.
///
/// # Errors
/// [`PdfError`] when the font, the logo or the writer fails.
pub fn render_invoice(invoice: &Invoice, logo: Option<&Logo>) -> Result<Vec<u8>, PdfError> {
    let issued = &invoice.issued;
    let document = &issued.document;
    let turkish = document["language"].as_str() != Some("en");
    let labels = labels(issued.kind, turkish);
    let font = font()?;
    let mut pdf = Document::new();
    let mut page = pdf.start_page_with(
        PageSettings::from_wh(A4.0, A4.1).ok_or_else(|| PdfError::Write("page size".into()))?,
    );
    let mut surface = page.surface();
    if let Some(logo) = logo {
        let image = logo_image(logo)?;
        if let Some(size) = logo_size(&image) {
            // Top right, its top edge level with the title's.
            let x = A4.0 - MARGIN - size.width();
            surface.push_transform(&Transform::from_translate(x, MARGIN - 20.0));
            surface.draw_image(image, size);
            surface.pop();
        }
    }
    let mut y = MARGIN;
    let line =
        |surface: &mut krilla::surface::Surface<'_>, x: f32, y: f32, size: f32, words: &str| {
            surface.draw_text(
                Point::from_xy(x, y),
                font.clone(),
                size,
                words,
                false,
                TextDirection::Auto,
            );
        };
    line(&mut surface, MARGIN, y, 20.0, labels.title);
    y += 28.0;
    line(
        &mut surface,
        MARGIN,
        y,
        10.0,
        &format!("{}: {}", labels.number, invoice.number),
    );
    y += 14.0;
    let date = issued.issued_at.date();
    line(
        &mut surface,
        MARGIN,
        y,
        10.0,
        &format!(
            "{}: {:02}.{:02}.{}",
            labels.date,
            date.day(),
            u8::from(date.month()),
            date.year()
        ),
    );
    if let Some(referred) = issued.refers_to {
        y += 14.0;
        line(
            &mut surface,
            MARGIN,
            y,
            10.0,
            &format!("{}: {referred}", labels.refers_to),
        );
    }
    y += 28.0;
    let seller = &document["seller"];
    let buyer = &document["buyer"];
    let column = A4.0 / 2.0;
    line(&mut surface, MARGIN, y, 11.0, labels.seller);
    line(&mut surface, column, y, 11.0, labels.buyer);
    y += 15.0;
    let seller_lines = party_lines(seller, &labels);
    let buyer_lines = party_lines(buyer, &labels);
    for index in 0..seller_lines.len().max(buyer_lines.len()) {
        if let Some(seller_line) = seller_lines.get(index) {
            line(&mut surface, MARGIN, y, 10.0, seller_line);
        }
        if let Some(buyer_line) = buyer_lines.get(index) {
            line(&mut surface, column, y, 10.0, buyer_line);
        }
        y += 13.0;
    }
    y += 20.0;
    let columns = [MARGIN, 300.0, 360.0, 430.0, 500.0];
    for (x, header) in columns.iter().zip([
        labels.description,
        labels.rate,
        labels.net,
        labels.tax,
        labels.gross,
    ]) {
        line(&mut surface, *x, y, 10.0, header);
    }
    y += 16.0;
    let currency = issued.total.gross.currency();
    let money = |value: &Value| -> String {
        value
            .as_str()
            .map(str::to_owned)
            .or_else(|| value.as_number().map(ToString::to_string))
            .and_then(|decimal| decimal.parse().ok())
            .and_then(|decimal| Money::new(decimal, currency).ok())
            .map_or_else(|| text(value), |parsed| amount(&parsed, turkish))
    };
    for item in document["lines"].as_array().into_iter().flatten() {
        let cells = [
            text(&item["description"]),
            text(&item["tax_rate_percent"]),
            money(&item["net"]),
            money(&item["tax"]),
            money(&item["gross"]),
        ];
        for (x, cell) in columns.iter().zip(cells) {
            line(&mut surface, *x, y, 10.0, &cell);
        }
        y += 14.0;
    }
    y += 20.0;
    let total = &issued.total;
    for (label, value) in [
        (labels.net, &total.net),
        (labels.tax, &total.tax),
        (labels.totals, &total.gross),
    ] {
        line(&mut surface, 360.0, y, 11.0, label);
        line(&mut surface, 470.0, y, 11.0, &amount(value, turkish));
        y += 15.0;
    }
    y += 20.0;
    let payment = &document["payment"];
    line(
        &mut surface,
        MARGIN,
        y,
        10.0,
        &[
            text(&payment["method"]),
            text(&payment["order_id"]),
            text(&payment["reference"]),
        ]
        .iter()
        .filter(|part| !part.is_empty())
        .fold(format!("{}:", labels.payment), |line, part| {
            format!("{line} {part}")
        }),
    );
    surface.finish();
    page.finish();
    pdf.finish()
        .map_err(|error| PdfError::Write(format!("{error:?}")))
}

/// A seller's or buyer's block: name, e-mail, each address line, tax office and number; what
/// the document does not have is left out.
fn party_lines(party: &Value, labels: &Labels) -> Vec<String> {
    let present = |key: &str| party[key].as_str().filter(|value| !value.trim().is_empty());
    let mut lines: Vec<String> = ["name", "email"]
        .into_iter()
        .filter_map(present)
        .map(str::to_owned)
        .collect();
    lines.extend(
        present("address")
            .into_iter()
            .flat_map(str::lines)
            .map(str::to_owned),
    );
    if let Some(office) = present("tax_office") {
        lines.push(format!("{}: {office}", labels.tax_office));
    }
    if let Some(number) = present("tax_number") {
        lines.push(format!("{}: {number}", labels.tax_number));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use kasa_domain::{Currency, Decimal};

    #[test]
    fn amounts_read_the_way_each_language_writes_them() {
        let money = Money::new(Decimal::new(123_450, 2), Currency::Try).unwrap();
        assert_eq!(amount(&money, true), "₺1.234,50");
        assert_eq!(amount(&money, false), "TRY 1,234.50");
        let small = Money::new(Decimal::new(1667, 2), Currency::Try).unwrap();
        assert_eq!(amount(&small, true), "₺16,67");
    }
}
