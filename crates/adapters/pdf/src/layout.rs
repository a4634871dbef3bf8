//! Where everything on an issued document goes: a list of texts placed on pages, each with the
//! part of the document it belongs to (its role), computed before anything is drawn so that
//! every page can say "page 2 of 3" and the tag tree can follow the reading order.

use kasa_domain::Money;
use kasa_locale::Locale;
use kasa_ports::{Invoice, InvoiceKind};
use serde_json::Value;

use crate::measure::{width, wrap};

/// The page, in points (A4).
pub(crate) const PAGE: (f32, f32) = (595.0, 842.0);
/// The left and right margin.
pub(crate) const MARGIN: f32 = 50.0;
/// The right edge of the text.
const RIGHT: f32 = PAGE.0 - MARGIN;
/// The lowest baseline content may use; the footer lives below it.
const BOTTOM: f32 = PAGE.1 - 72.0;
/// The footer's baseline.
const FOOTER: f32 = PAGE.1 - 36.0;
/// The table's type size and line height.
const TABLE_SIZE: f32 = 9.0;
const TABLE_LEADING: f32 = 12.0;
/// The description column's left edge and width; the other columns are right-aligned to these
/// edges: quantity, rate, net, tax, gross.
const DESCRIPTION: (f32, f32) = (MARGIN, 190.0);
const NUMBER_EDGES: [f32; 5] = [285.0, 330.0, 405.0, 475.0, RIGHT];

/// What part of the document a text is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// The document's title (a heading).
    Title,
    /// A line of a paragraph; texts with the same number make one paragraph.
    Paragraph(usize),
    /// A column header of the lines table.
    Header(usize),
    /// A cell of the lines table: row, column.
    Cell(usize, usize),
    /// Repeated headers and page numbers: drawn for the eye, left out of the reading order.
    Artifact,
}

/// One text placed on a page; `y` is its baseline from the top.
#[derive(Clone, Debug)]
pub(crate) struct Placed {
    pub(crate) page: usize,
    pub(crate) x: f32,
    pub(crate) y: f32,
    pub(crate) size: f32,
    pub(crate) words: String,
    pub(crate) role: Role,
}

/// The parts of the document in reading order, as the tag tree lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Block {
    Title,
    Paragraph(usize),
    Logo,
    Table { rows: usize, columns: usize },
}

/// The document laid out.
#[derive(Debug, Default)]
pub(crate) struct Layout {
    pub(crate) texts: Vec<Placed>,
    pub(crate) blocks: Vec<Block>,
    pub(crate) pages: usize,
}

/// The words key of the title of a kind of document.
pub(crate) const fn title_key(kind: InvoiceKind) -> &'static str {
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

struct Builder {
    layout: Layout,
    page: usize,
    y: f32,
    paragraphs: usize,
}

impl Builder {
    fn place(&mut self, x: f32, size: f32, words: impl Into<String>, role: Role) {
        self.layout.texts.push(Placed {
            page: self.page,
            x,
            y: self.y,
            size,
            words: words.into(),
            role,
        });
    }

    fn place_right(&mut self, edge: f32, size: f32, words: String, role: Role) {
        let x = edge - width(&words, size);
        self.place(x, size, words, role);
    }

    /// A new paragraph, listed in the reading order; returns its role.
    fn paragraph(&mut self) -> Role {
        let number = self.paragraphs;
        self.paragraphs += 1;
        self.layout.blocks.push(Block::Paragraph(number));
        Role::Paragraph(number)
    }

    /// Moves to the next page when `height` more points do not fit on this one.
    fn make_room(&mut self, height: f32) -> bool {
        if self.y + height <= BOTTOM {
            return false;
        }
        self.page += 1;
        self.y = MARGIN + 10.0;
        true
    }
}

/// Lays out `invoice` for a reader of `locale`; `logo` says whether a logo takes the top right.
pub(crate) fn lay_out(invoice: &Invoice, locale: Locale, logo: bool) -> Layout {
    let issued = &invoice.issued;
    let document = &issued.document;
    let mut b = Builder {
        layout: Layout::default(),
        page: 0,
        y: MARGIN + 14.0,
        paragraphs: 0,
    };
    b.layout.blocks.push(Block::Title);
    b.place(MARGIN, 20.0, locale.t(title_key(issued.kind)), Role::Title);
    if logo {
        b.layout.blocks.push(Block::Logo);
    }
    b.y += 26.0;
    let meta = b.paragraph();
    b.place(
        MARGIN,
        10.0,
        format!("{}: {}", locale.t("document.number"), invoice.number),
        meta,
    );
    b.y += 14.0;
    let date = b.paragraph();
    b.place(
        MARGIN,
        10.0,
        format!(
            "{}: {}",
            locale.t("pdf.date"),
            locale.date(issued.issued_at)
        ),
        date,
    );
    if issued.refers_to.is_some() {
        let referred = &document["refers_to"];
        let number = Some(text(&referred["number"]))
            .filter(|number| !number.is_empty())
            .or_else(|| issued.refers_to.map(|id| id.to_string()))
            .unwrap_or_default();
        b.y += 14.0;
        let refers = b.paragraph();
        b.place(
            MARGIN,
            10.0,
            format!("{}: {number}", locale.t("document.refers-to")),
            refers,
        );
    }
    b.y += 30.0;
    parties(&mut b, document, locale);
    b.y += 24.0;
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
    lines_table(&mut b, document, locale, &money);
    b.y += 10.0;
    totals(&mut b, invoice, locale);
    b.y += 10.0;
    payment(&mut b, &document["payment"], locale);
    footers(&mut b, invoice, locale);
    b.layout
}

/// The seller's and the buyer's blocks side by side.
fn parties(b: &mut Builder, document: &Value, locale: Locale) {
    let column = PAGE.0 / 2.0;
    let seller = party_lines(&document["seller"], locale);
    let buyer = party_lines(&document["buyer"], locale);
    let top = b.y;
    let mut bottom = top;
    for (x, heading, lines) in [(MARGIN, "pdf.seller", seller), (column, "pdf.buyer", buyer)] {
        b.y = top;
        let role = b.paragraph();
        b.place(x, 11.0, locale.t(heading), role);
        b.y += 15.0;
        let role = b.paragraph();
        for line in lines {
            for piece in wrap(&line, 10.0, column - MARGIN - 12.0) {
                b.place(x, 10.0, piece, role);
                b.y += 13.0;
            }
        }
        bottom = bottom.max(b.y);
    }
    b.y = bottom;
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

const HEADERS: [&str; 6] = [
    "pdf.description",
    "pdf.quantity",
    "pdf.rate",
    "pdf.line-net",
    "document.tax",
    "pdf.line-gross",
];

fn table_header(b: &mut Builder, locale: Locale, repeated: bool) {
    let role = |column| {
        if repeated {
            Role::Artifact
        } else {
            Role::Header(column)
        }
    };
    b.place(DESCRIPTION.0, TABLE_SIZE, locale.t(HEADERS[0]), role(0));
    for (column, edge) in NUMBER_EDGES.iter().enumerate() {
        b.place_right(
            *edge,
            TABLE_SIZE,
            locale.t(HEADERS[column + 1]).to_owned(),
            role(column + 1),
        );
    }
    b.y += TABLE_LEADING + 4.0;
}

/// The lines: description (wrapped), quantity, rate, net, tax, gross; the header is repeated
/// on every page the table reaches.
fn lines_table(
    b: &mut Builder,
    document: &Value,
    locale: Locale,
    money: &dyn Fn(&Value) -> String,
) {
    let items: Vec<&Value> = document["lines"].as_array().into_iter().flatten().collect();
    b.make_room(TABLE_LEADING * 3.0);
    table_header(b, locale, false);
    for (row, item) in items.iter().enumerate() {
        let description = wrap(&text(&item["description"]), TABLE_SIZE, DESCRIPTION.1);
        let height = TABLE_LEADING * description.len() as f32;
        if b.make_room(height) {
            table_header(b, locale, true);
        }
        let quantity = item["quantity"].as_i64().unwrap_or(1);
        let cells = [
            locale.number(quantity),
            text(&item["tax_rate_percent"]),
            money(&item["net"]),
            money(&item["tax"]),
            money(&item["gross"]),
        ];
        for (column, (edge, cell)) in NUMBER_EDGES.iter().zip(cells).enumerate() {
            b.place_right(*edge, TABLE_SIZE, cell, Role::Cell(row, column + 1));
        }
        for line in description {
            b.place(DESCRIPTION.0, TABLE_SIZE, line, Role::Cell(row, 0));
            b.y += TABLE_LEADING;
        }
        b.y += 2.0;
    }
    b.layout.blocks.push(Block::Table {
        rows: items.len(),
        columns: HEADERS.len(),
    });
}

/// The totals, each label with its amount right-aligned: net, KDV, the total to pay.
fn totals(b: &mut Builder, invoice: &Invoice, locale: Locale) {
    let total = &invoice.issued.total;
    b.make_room(3.0 * 16.0);
    for (key, value, size) in [
        ("pdf.total-net", &total.net, 10.0),
        ("pdf.total-tax", &total.tax, 10.0),
        ("pdf.grand-total", &total.gross, 11.5),
    ] {
        let role = b.paragraph();
        b.place(300.0, size, locale.t(key), role);
        b.place_right(RIGHT, size, locale.money(value), role);
        b.y += 16.0;
    }
}

/// How it was paid, as a person reads it, then the order number and the gateway's reference.
fn payment(b: &mut Builder, payment: &Value, locale: Locale) {
    let method = text(&payment["method"]);
    if method.is_empty() {
        return;
    }
    b.make_room(2.0 * 14.0);
    let mut how = match method.as_str() {
        "nestpay" => locale.t("pdf.method.nestpay").to_owned(),
        "stripe" => locale.t("pdf.method.stripe").to_owned(),
        "bank_transfer" => locale.t("pdf.method.bank-transfer").to_owned(),
        "cash" => locale.t("pdf.method.cash").to_owned(),
        "other" => locale.t("pdf.method.other").to_owned(),
        other => other.to_owned(),
    };
    let card = &payment["card"];
    let last4 = text(&card["last4"]);
    if !last4.is_empty() {
        let brand = brand_name(&text(&card["brand"]));
        let masked = format!("•••• {last4}");
        how = if brand.is_empty() {
            format!("{how}: {masked}")
        } else {
            format!("{how}: {brand} {masked}")
        };
    }
    let role = b.paragraph();
    b.place(
        MARGIN,
        10.0,
        format!("{}: {how}", locale.t("pdf.payment")),
        role,
    );
    b.y += 14.0;
    let references: Vec<String> = [
        ("pdf.order-id", text(&payment["order_id"])),
        ("pdf.reference", text(&payment["reference"])),
    ]
    .into_iter()
    .filter(|(_, value)| !value.is_empty())
    .map(|(key, value)| format!("{}: {value}", locale.t(key)))
    .collect();
    if !references.is_empty() {
        let role = b.paragraph();
        b.place(MARGIN, 8.5, references.join("   "), role);
        b.y += 14.0;
    }
}

/// A card brand as it is printed on the card.
fn brand_name(brand: &str) -> String {
    match brand {
        "visa" => "Visa".to_owned(),
        "mastercard" => "Mastercard".to_owned(),
        "amex" => "American Express".to_owned(),
        "troy" => "Troy".to_owned(),
        "" | "card" => String::new(),
        other => {
            let mut letters = other.chars();
            letters.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(letters).collect()
            })
        }
    }
}

/// Each page's footer: the document's number and "page n of m".
fn footers(b: &mut Builder, invoice: &Invoice, locale: Locale) {
    let pages = b.page + 1;
    b.layout.pages = pages;
    b.y = FOOTER;
    for page in 0..pages {
        b.page = page;
        b.place(MARGIN, 8.0, invoice.number.to_string(), Role::Artifact);
        let numbered = locale.fill(
            "pdf.page",
            &[
                ("page", &(page + 1).to_string()),
                ("pages", &pages.to_string()),
            ],
        );
        b.place_right(RIGHT, 8.0, numbered, Role::Artifact);
    }
}

#[cfg(test)]
mod tests {
    use super::brand_name;

    #[test]
    fn card_brands_are_written_as_on_the_card() {
        assert_eq!(brand_name("visa"), "Visa");
        assert_eq!(brand_name("amex"), "American Express");
        assert_eq!(brand_name("discover"), "Discover");
        assert_eq!(brand_name("card"), "");
    }
}
