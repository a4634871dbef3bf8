//! Kasa's billing documents as PDF: an invoice, receipt or credit note on A4 pages, in Turkish
//! or English, drawn with krilla in DejaVu Sans (embedded, so Turkish letters and the lira sign
//! render on every machine; the font's licence is in `fonts/`).
//!
//! Promises: the pages show exactly what was issued (the store's frozen document: seller,
//! buyer, lines including discounts, totals, payment, number, date); nothing is recomputed
//! here. Lines that do not fit go on to further pages, each numbered "page n of m" with the
//! table's header repeated. Every file is a tagged PDF (headings, paragraphs, the lines as a
//! table, the logo as a figure with a text alternative) that krilla validates as PDF/A-2a, for
//! screen readers and for archiving. Its words, dates
//! and amounts come from [`kasa_locale`] (`pdf.*`, and the `document.*` names the e-mails
//! share), written as the document's language writes them.

// Layout coordinates are points on a page (f32 in krilla's API), never money: amounts are
// printed from the issued document's decimals.
#![allow(clippy::float_arithmetic)]

mod layout;
mod measure;

use std::collections::BTreeMap;
use std::num::NonZeroU16;
use std::sync::OnceLock;

use kasa_domain::Language;
use kasa_locale::Locale;
use kasa_ports::{Invoice, Logo, LogoFormat};
use krilla::configure::{Archival, ConfigurationBuilder};
use krilla::geom::{Point, Size, Transform};
use krilla::image::Image;
use krilla::metadata::{DateTime, Metadata};
use krilla::page::PageSettings;
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, Node, SpanTag, TableHeaderScope, Tag, TagGroup,
    TagTree,
};
use krilla::text::{Font, TextDirection};
use krilla::{Document, SerializeSettings};

use layout::{Block, Role};

const FONT: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

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
        LogoFormat::Png => Image::from_png(data, false),
        LogoFormat::Jpeg => Image::from_jpeg(data, false),
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

/// Draws `invoice` as a tagged PDF/A-2a document (as many A4 pages as its lines need, each
/// numbered), with the seller's `logo` at the top right of the first page.
///
/// # Errors
/// [`PdfError`] when the font, the logo or the writer fails (including a document that would
/// not meet PDF/A-2a).
pub fn render_invoice(invoice: &Invoice, logo: Option<&Logo>) -> Result<Vec<u8>, PdfError> {
    let document = &invoice.issued.document;
    let language = if document["language"].as_str() == Some("en") {
        Language::En
    } else {
        Language::Tr
    };
    let locale = Locale::new(language);
    let logo = logo.map(logo_image).transpose()?;
    let placed = layout::lay_out(invoice, locale, logo.is_some());
    let font = font()?;
    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A2_A)
        .finish()
        .map_err(|error| PdfError::Write(format!("{error:?}")))?;
    let mut pdf = Document::new_with(SerializeSettings {
        configuration,
        enable_tagging: true,
        ..SerializeSettings::default()
    });
    let seller = document["seller"]["name"].as_str().unwrap_or_default();
    let title = format!(
        "{} {}",
        locale.t(layout::title_key(invoice.issued.kind)),
        invoice.number
    );
    pdf.set_metadata(
        Metadata::new()
            .title(title.clone())
            .language(language_tag(language).to_owned())
            .creator("Kasa".to_owned())
            .authors(vec![seller.to_owned()])
            .document_id(invoice.issued.id.to_string())
            .creation_date(issue_date(invoice.issued.issued_at)),
    );
    let mut identifiers = Identifiers::default();
    for page_index in 0..placed.pages {
        let settings = PageSettings::from_wh(layout::PAGE.0, layout::PAGE.1)
            .ok_or_else(|| PdfError::Write("page size".into()))?;
        let mut page = pdf.start_page_with(settings);
        let mut surface = page.surface();
        if page_index == 0
            && let Some(image) = &logo
            && let Some(size) = logo_size(image)
        {
            // Top right, its top edge level with the title's.
            let x = layout::PAGE.0 - layout::MARGIN - size.width();
            let id = surface.start_tagged(ContentTag::Other);
            surface.push_transform(&Transform::from_translate(x, layout::MARGIN - 6.0));
            surface.draw_image(image.clone(), size);
            surface.pop();
            surface.end_tagged();
            identifiers.logo.push(id.into());
        }
        for text in placed.texts.iter().filter(|text| text.page == page_index) {
            let tag = if text.role == Role::Artifact {
                ContentTag::Artifact(Artifact::new(ArtifactType::PaginationOther, None))
            } else {
                ContentTag::Span(SpanTag::empty())
            };
            let id = surface.start_tagged(tag);
            surface.draw_text(
                Point::from_xy(text.x, text.y),
                font.clone(),
                text.size,
                &text.words,
                false,
                TextDirection::Auto,
            );
            surface.end_tagged();
            identifiers.record(text.role, id);
        }
        surface.finish();
        page.finish();
    }
    pdf.set_tag_tree(identifiers.tree(&placed.blocks, language, seller, locale));
    pdf.finish()
        .map_err(|error| PdfError::Write(format!("{error:?}")))
}

/// When the document was issued, in UTC (the file's creation date: rendering the same document
/// twice gives the same metadata).
fn issue_date(at: time::OffsetDateTime) -> DateTime {
    let at = at.to_offset(time::UtcOffset::UTC);
    DateTime::new(u16::try_from(at.year()).unwrap_or_default())
        .month(u8::from(at.month()))
        .day(at.day())
        .hour(at.hour())
        .minute(at.minute())
        .second(at.second())
        .utc_offset_hour(0)
}

/// The document's language as a tag (RFC 3066).
const fn language_tag(language: Language) -> &'static str {
    match language {
        Language::Tr => "tr-TR",
        Language::En => "en",
    }
}

/// The marked pieces of each part of the document, collected while drawing.
#[derive(Default)]
struct Identifiers {
    title: Vec<Node>,
    logo: Vec<Node>,
    paragraphs: BTreeMap<usize, Vec<Node>>,
    headers: BTreeMap<usize, Vec<Node>>,
    cells: BTreeMap<(usize, usize), Vec<Node>>,
}

impl Identifiers {
    fn record(&mut self, role: Role, id: Identifier) {
        let list = match role {
            Role::Title => &mut self.title,
            Role::Paragraph(number) => self.paragraphs.entry(number).or_default(),
            Role::Header(column) => self.headers.entry(column).or_default(),
            Role::Cell(row, column) => self.cells.entry((row, column)).or_default(),
            Role::Artifact => return,
        };
        list.push(id.into());
    }

    /// The tag tree: heading, paragraphs, the logo as a figure and the lines as a table with
    /// column headers, in reading order.
    fn tree(
        mut self,
        blocks: &[Block],
        language: Language,
        seller: &str,
        locale: Locale,
    ) -> TagTree {
        let mut tree = TagTree::new().with_lang(Some(language_tag(language).to_owned()));
        let take = |nodes: &mut Vec<Node>| std::mem::take(nodes);
        for block in blocks {
            let group = match *block {
                Block::Title => {
                    TagGroup::with_children(Tag::Hn(NonZeroU16::MIN, None), take(&mut self.title))
                }
                Block::Paragraph(number) => TagGroup::with_children(
                    Tag::P,
                    self.paragraphs.remove(&number).unwrap_or_default(),
                ),
                Block::Logo => TagGroup::with_children(
                    Tag::Figure(Some(locale.fill("pdf.logo", &[("seller", seller)]))),
                    take(&mut self.logo),
                ),
                Block::Table { rows, columns } => self.table(rows, columns),
            };
            tree.push(group);
        }
        tree
    }

    fn table(&mut self, rows: usize, columns: usize) -> TagGroup {
        let header_row = TagGroup::with_children(
            Tag::TR,
            (0..columns)
                .map(|column| {
                    TagGroup::with_children(
                        Tag::TH(TableHeaderScope::Column),
                        self.headers.remove(&column).unwrap_or_default(),
                    )
                    .into()
                })
                .collect(),
        );
        let body_rows = (0..rows)
            .map(|row| {
                TagGroup::with_children(
                    Tag::TR,
                    (0..columns)
                        .map(|column| {
                            TagGroup::with_children(
                                Tag::TD,
                                self.cells.remove(&(row, column)).unwrap_or_default(),
                            )
                            .into()
                        })
                        .collect(),
                )
                .into()
            })
            .collect();
        TagGroup::with_children(
            Tag::Table,
            vec![
                TagGroup::with_children(Tag::THead, vec![header_row.into()]).into(),
                TagGroup::with_children(Tag::TBody, body_rows).into(),
            ],
        )
    }
}
