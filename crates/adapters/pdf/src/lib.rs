//! Kasa's billing documents as PDF: an invoice, receipt or credit note on one A4 page, in
//! Turkish or English, drawn with krilla in DejaVu Sans (embedded, so Turkish letters and the
//! lira sign render on every machine; the font's licence is in `fonts/`).
//!
//! Promises: the page shows exactly what was issued (the store's frozen document: seller,
//! buyer, lines, totals, payment, number, date); nothing is recomputed here. Its words, dates
//! and amounts come from [`kasa_locale`] (`pdf.*`, and the `document.*` names the e-mails
//! share), written as the document's language writes them.

// Layout coordinates are points on a page (f32 in krilla's API), never money: amounts are
// printed from the issued document's decimals.
#![allow(clippy::float_arithmetic)]

use std::sync::OnceLock;

use kasa_domain::{Language, Money};
use kasa_locale::Locale;
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

/// The words key of the title of a kind of document.
const fn title_key(kind: InvoiceKind) -> &'static str {
    match kind {
        InvoiceKind::Invoice => "pdf.title.invoice",
        InvoiceKind::Receipt => "pdf.title.receipt",
        InvoiceKind::CreditNote => "pdf.title.credit-note",
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
    let locale = Locale::new(if document["language"].as_str() == Some("en") {
        Language::En
    } else {
        Language::Tr
    });
    let label = |key: &'static str| locale.t(key);
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
    line(&mut surface, MARGIN, y, 20.0, label(title_key(issued.kind)));
    y += 28.0;
    line(
        &mut surface,
        MARGIN,
        y,
        10.0,
        &format!("{}: {}", label("document.number"), invoice.number),
    );
    y += 14.0;
    line(
        &mut surface,
        MARGIN,
        y,
        10.0,
        &format!("{}: {}", label("pdf.date"), locale.date(issued.issued_at)),
    );
    if let Some(referred) = issued.refers_to {
        y += 14.0;
        line(
            &mut surface,
            MARGIN,
            y,
            10.0,
            &format!("{}: {referred}", label("document.refers-to")),
        );
    }
    y += 28.0;
    let seller = &document["seller"];
    let buyer = &document["buyer"];
    let column = A4.0 / 2.0;
    line(&mut surface, MARGIN, y, 11.0, label("pdf.seller"));
    line(&mut surface, column, y, 11.0, label("pdf.buyer"));
    y += 15.0;
    let seller_lines = party_lines(seller, locale);
    let buyer_lines = party_lines(buyer, locale);
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
        "pdf.description",
        "pdf.rate",
        "pdf.net",
        "document.tax",
        "document.total",
    ]) {
        let header = label(header);
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
            .map_or_else(|| text(value), |parsed| locale.money(&parsed))
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
    for (key, value) in [
        ("pdf.net", &total.net),
        ("document.tax", &total.tax),
        ("pdf.grand-total", &total.gross),
    ] {
        line(&mut surface, 360.0, y, 11.0, label(key));
        line(&mut surface, 470.0, y, 11.0, &locale.money(value));
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
        .fold(format!("{}:", label("pdf.payment")), |line, part| {
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
fn party_lines(party: &Value, locale: Locale) -> Vec<String> {
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
        lines.push(format!("{}: {office}", locale.t("pdf.tax-office")));
    }
    if let Some(number) = present("tax_number") {
        lines.push(format!("{}: {number}", locale.t("pdf.tax-number")));
    }
    lines
}
