//! Finance reports as the API, the CLI and the console give them: the query (dates, grouping,
//! zone, format) turned into a request for the use case, the report turned into a JSON body or a
//! CSV file (RFC 4180, UTF-8 with a byte-order mark so spreadsheets read Turkish letters; with a
//! decimal comma the separator is a semicolon, as spreadsheets set to Turkish expect).

use std::collections::BTreeMap;

use std::sync::Arc;

use base64::Engine as _;
use kasa_billing::reports::{
    Cell, ColumnKind, Grouping, REGISTER_PAGE_MAX, Report, ReportError, ReportKind, ReportRequest,
    ReportTable, ReportWindow, ReportZone, make_report, register_documents_page, register_page,
};
use kasa_ports::{NumberingCheck, RegisterCursor, Store};
use poem_openapi::Object;
use serde::Serialize;
use time::OffsetDateTime;
use time::macros::format_description;

/// How many days ahead "ending soon" looks in the subscriptions report unless asked otherwise.
pub const DEFAULT_ENDING_WITHIN_DAYS: u32 = 30;

/// The query of a report, as text from a URL or a command line.
#[derive(Clone, Debug, Default)]
pub struct ReportQuery {
    /// First day, `YYYY-MM-DD` (default: the first of this month).
    pub from: Option<String>,
    /// Last day, included (default: today).
    pub to: Option<String>,
    /// `day` or `month` (default `month`).
    pub group: Option<String>,
    /// An IANA zone (default: the configured one).
    pub time_zone: Option<String>,
    /// The subscriptions report's horizon in days.
    pub ending_within_days: Option<u32>,
}

/// How many documents a page of the register holds unless `limit` says otherwise.
pub const REGISTER_PAGE_DEFAULT: u32 = 1_000;

/// A page of the invoice register: after which document, and how many.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterPaging {
    /// After this document (from the first when `None`).
    pub after: Option<RegisterCursor>,
    /// At most this many documents.
    pub limit: u32,
}

/// The cursor of the page after `cursor`'s document, as the API gives it: opaque (base64url of
/// the issue time in Unix nanoseconds, the year, the number and the series).
#[must_use]
pub fn encode_cursor(cursor: &RegisterCursor) -> String {
    let text = format!(
        "{}|{}|{}|{}",
        cursor.issued_at.unix_timestamp_nanos(),
        cursor.year,
        cursor.sequence,
        cursor.series
    );
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

/// A cursor given back by a caller.
///
/// # Errors
/// A [`QueryError`] on `cursor` when it is not one this server gave.
pub fn decode_cursor(text: &str) -> Result<RegisterCursor, QueryError> {
    let refused = || {
        query_error(
            "cursor",
            "cursor is not one a page of this register gave (use `next_cursor` as given)",
        )
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim())
        .map_err(|_| refused())?;
    let text = String::from_utf8(bytes).map_err(|_| refused())?;
    let mut parts = text.splitn(4, '|');
    let mut next = || parts.next().ok_or_else(refused);
    let nanos: i128 = next()?.parse().map_err(|_| refused())?;
    let year: i32 = next()?.parse().map_err(|_| refused())?;
    let sequence: u32 = next()?.parse().map_err(|_| refused())?;
    let series = next()?.to_owned();
    let issued_at = OffsetDateTime::from_unix_timestamp_nanos(nanos).map_err(|_| refused())?;
    Ok(RegisterCursor {
        issued_at,
        series,
        year,
        sequence,
    })
}

/// The register's paging from `limit` and `cursor`: `None` for other reports (which refuse
/// them), a page of [`REGISTER_PAGE_DEFAULT`] documents unless `limit` says otherwise for the
/// register.
///
/// # Errors
/// A [`QueryError`] on `limit` or `cursor`.
pub fn register_paging(
    kind: ReportKind,
    limit: Option<u32>,
    cursor: Option<&str>,
) -> Result<Option<RegisterPaging>, QueryError> {
    if kind != ReportKind::Invoices {
        if limit.is_some() {
            return Err(query_error("limit", "only the invoices report has pages"));
        }
        if cursor.is_some() {
            return Err(query_error("cursor", "only the invoices report has pages"));
        }
        return Ok(None);
    }
    let limit = limit.unwrap_or(REGISTER_PAGE_DEFAULT);
    if limit == 0 || limit > REGISTER_PAGE_MAX {
        return Err(query_error(
            "limit",
            format!("limit is 1 to {REGISTER_PAGE_MAX} documents a page"),
        ));
    }
    let after = cursor
        .filter(|cursor| !cursor.trim().is_empty())
        .map(decode_cursor)
        .transpose()?;
    Ok(Some(RegisterPaging { after, limit }))
}

/// `json` or `csv`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    /// The JSON body.
    Json,
    /// A CSV file.
    Csv,
}

/// How amounts are written in CSV.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecimalMark {
    /// `149.90`, fields separated by commas.
    Dot,
    /// `149,90`, fields separated by semicolons.
    Comma,
}

/// Why a query was refused (a 400 for the API, exit code 2 for the CLI).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryError {
    /// The parameter at fault.
    pub field: &'static str,
    /// What is wrong, for a person.
    pub detail: String,
}

fn query_error(field: &'static str, detail: impl Into<String>) -> QueryError {
    QueryError {
        field,
        detail: detail.into(),
    }
}

fn parse_date(field: &'static str, text: &str) -> Result<time::Date, QueryError> {
    time::Date::parse(text, format_description!("[year]-[month]-[day]")).map_err(|_| {
        query_error(
            field,
            format!("{field} `{text}` is not a date like 2026-11-30 (YYYY-MM-DD)"),
        )
    })
}

/// The report called `name`.
///
/// # Errors
/// A [`QueryError`] on `report` naming the reports there are.
pub fn report_kind(name: &str) -> Result<ReportKind, QueryError> {
    ReportKind::named(name).ok_or_else(|| {
        let names: Vec<&str> = ReportKind::ALL.iter().map(|kind| kind.name()).collect();
        query_error(
            "report",
            format!("`{name}` is not a report; one of {}", names.join(", ")),
        )
    })
}

/// `json` (the default) or `csv`.
///
/// # Errors
/// A [`QueryError`] on `format`.
pub fn report_format(text: Option<&str>) -> Result<ReportFormat, QueryError> {
    match text.unwrap_or("json") {
        "json" => Ok(ReportFormat::Json),
        "csv" => Ok(ReportFormat::Csv),
        other => Err(query_error(
            "format",
            format!("format `{other}` is json or csv"),
        )),
    }
}

/// `dot` (the default) or `comma`.
///
/// # Errors
/// A [`QueryError`] on `decimal`.
pub fn decimal_mark(text: Option<&str>) -> Result<DecimalMark, QueryError> {
    match text.unwrap_or("dot") {
        "dot" => Ok(DecimalMark::Dot),
        "comma" => Ok(DecimalMark::Comma),
        other => Err(query_error(
            "decimal",
            format!("decimal `{other}` is dot or comma"),
        )),
    }
}

/// The use case's request for `kind` from the query, in `default_zone` unless the query names
/// one; dates default to this month up to today in that zone.
///
/// # Errors
/// A [`QueryError`] naming the parameter at fault.
pub fn report_request(
    kind: ReportKind,
    query: &ReportQuery,
    default_zone: &ReportZone,
    now: OffsetDateTime,
) -> Result<ReportRequest, QueryError> {
    let zone = match &query.time_zone {
        Some(name) => {
            ReportZone::named(name).map_err(|error| query_error("time_zone", error.to_string()))?
        }
        None => default_zone.clone(),
    };
    let today = zone.date_of(now);
    let to = match &query.to {
        Some(text) => parse_date("to", text)?,
        None => today,
    };
    let from = match &query.from {
        Some(text) => parse_date("from", text)?,
        None => to.replace_day(1).unwrap_or(to),
    };
    let grouping = match query.group.as_deref().unwrap_or("month") {
        "month" => Grouping::Month,
        "day" => Grouping::Day,
        other => {
            return Err(query_error(
                "group",
                format!("group `{other}` is day or month"),
            ));
        }
    };
    let window = ReportWindow::new(from, to, grouping, zone).map_err(|error| {
        query_error(
            if matches!(error, ReportError::InvalidWindow(_)) {
                "from"
            } else {
                "report"
            },
            error.to_string(),
        )
    })?;
    let ending_within_days = query
        .ending_within_days
        .unwrap_or(DEFAULT_ENDING_WITHIN_DAYS);
    if ending_within_days > 3_660 {
        return Err(query_error(
            "ending_within_days",
            "ending_within_days is at most 3660",
        ));
    }
    Ok(ReportRequest {
        kind,
        window,
        ending_within_days,
        now,
    })
}

/// A column of a report.
#[derive(Clone, Debug, Object, Serialize)]
pub struct ReportColumnBody {
    /// The stable key (also the CSV header), e.g. `gross`.
    pub key: String,
    /// `text`, `amount` (a decimal string in the row's `currency`), `count` or `flag`.
    pub kind: String,
}

/// One series of document numbers in one year, checked for gaps.
#[derive(Clone, Debug, Object, Serialize)]
pub struct NumberingBody {
    /// The series.
    pub series: String,
    /// The year.
    pub year: i32,
    /// Documents stored.
    pub documents: u64,
    /// The highest number taken.
    pub last_number: u32,
    /// Every missing number, as document numbers (`KSA-2026-000004`); empty when none is.
    pub missing: Vec<String>,
}

impl From<&NumberingCheck> for NumberingBody {
    fn from(check: &NumberingCheck) -> Self {
        Self {
            series: check.series.clone(),
            year: check.year,
            documents: check.documents,
            last_number: check.last_number,
            missing: check
                .missing
                .iter()
                .flat_map(|&(first, last)| first..=last)
                .take(1_000)
                .map(|sequence| {
                    kasa_ports::InvoiceNumber {
                        series: check.series.clone(),
                        year: check.year,
                        sequence,
                    }
                    .to_string()
                })
                .collect(),
        }
    }
}

/// A report: its window, columns and rows (each row one value per column: a string, a decimal
/// string for amounts, an integer for counts, a boolean for flags, or null).
#[derive(Clone, Debug, Object, Serialize)]
pub struct ReportBody {
    /// Which report (`revenue`, `invoices`, `tax`, `refunds`, `usage`, `subscriptions`,
    /// `credit-liability`).
    pub report: String,
    /// The first day (in `time_zone`).
    pub from: String,
    /// The last day, included.
    pub to: String,
    /// The zone days and months are counted in.
    pub time_zone: String,
    /// `day` or `month`.
    pub grouping: String,
    /// The columns.
    pub columns: Vec<ReportColumnBody>,
    /// The rows.
    pub rows: Vec<Vec<serde_json::Value>>,
    /// Figures about the whole report (the subscriptions' counts, the liability's free
    /// credits), by name.
    pub summary: BTreeMap<String, i64>,
    /// The invoices report only: every series of every year the window touches, with any
    /// missing numbers.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub numbering: Option<Vec<NumberingBody>>,
    /// The invoices report only: the register comes in pages (`limit` documents, 1,000 unless
    /// asked otherwise); this is the `cursor` that asks for the next page, absent on the last.
    /// The numbering check always covers every document of the years, whatever the page.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

fn kind_name(kind: ColumnKind) -> &'static str {
    match kind {
        ColumnKind::Text => "text",
        ColumnKind::Amount => "amount",
        ColumnKind::Count => "count",
        ColumnKind::Flag => "flag",
    }
}

fn json_cell(cell: &Cell) -> serde_json::Value {
    match cell {
        Cell::Text(text) => serde_json::Value::from(text.as_str()),
        Cell::Amount(amount) => serde_json::Value::from(amount.to_string()),
        Cell::Count(count) => serde_json::Value::from(*count),
        Cell::Flag(flag) => serde_json::Value::from(*flag),
        Cell::Empty => serde_json::Value::Null,
    }
}

fn summary(report: &Report) -> BTreeMap<String, i64> {
    let count = |value: u64| i64::try_from(value).unwrap_or(i64::MAX);
    match report {
        Report::Subscriptions(report) => BTreeMap::from([
            ("active".to_owned(), count(report.active)),
            ("ending_soon".to_owned(), count(report.ending_soon)),
            (
                "cancelled_at_end".to_owned(),
                count(report.cancelled_at_end),
            ),
            (
                "renewing_at_gateway".to_owned(),
                count(report.renewing_at_gateway),
            ),
            (
                "ending_within_days".to_owned(),
                i64::from(report.ending_within_days),
            ),
        ]),
        Report::CreditLiability(report) => {
            BTreeMap::from([("free_credits".to_owned(), report.free_credits)])
        }
        Report::Invoices(register) => BTreeMap::from([(
            "missing_numbers".to_owned(),
            register
                .numbering
                .iter()
                .flat_map(|check| &check.missing)
                .map(|&(first, last)| i64::from(last - first) + 1)
                .sum(),
        )]),
        _ => BTreeMap::new(),
    }
}

/// The JSON body of a report.
#[must_use]
pub fn report_body(request: &ReportRequest, report: &Report) -> ReportBody {
    let window = &request.window;
    let table = report.table(window);
    ReportBody {
        report: request.kind.name().to_owned(),
        from: window.from().to_string(),
        to: window.to().to_string(),
        time_zone: window.zone().name().to_owned(),
        grouping: window.grouping().name().to_owned(),
        columns: table
            .columns
            .iter()
            .map(|column| ReportColumnBody {
                key: column.key.to_owned(),
                kind: kind_name(column.kind).to_owned(),
            })
            .collect(),
        rows: table
            .rows
            .iter()
            .map(|row| row.iter().map(json_cell).collect())
            .collect(),
        summary: summary(report),
        numbering: match report {
            Report::Invoices(register) => {
                Some(register.numbering.iter().map(NumberingBody::from).collect())
            }
            _ => None,
        },
        next_cursor: match report {
            Report::Invoices(register) => register.next.as_ref().map(encode_cursor),
            _ => None,
        },
    }
}

fn csv_field(text: &str, separator: char) -> String {
    if text.contains([separator, '"', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// A table as CSV: a byte-order mark, the header of column keys, one record per row, each line
/// ended by CRLF (RFC 4180).
#[must_use]
pub fn csv(table: &ReportTable, mark: DecimalMark) -> Vec<u8> {
    let mut text = String::from('\u{feff}');
    text.push_str(&csv_lines(table, mark, true));
    text.into_bytes()
}

fn csv_separator(mark: DecimalMark) -> char {
    match mark {
        DecimalMark::Dot => ',',
        DecimalMark::Comma => ';',
    }
}

/// The CSV lines of a table: its header when `header`, then its rows.
fn csv_lines(table: &ReportTable, mark: DecimalMark, header: bool) -> String {
    let separator = csv_separator(mark);
    let mut text = String::new();
    let mut line = |fields: Vec<String>| {
        let fields: Vec<String> = fields
            .iter()
            .map(|field| csv_field(field, separator))
            .collect();
        text.push_str(&fields.join(&separator.to_string()));
        text.push_str("\r\n");
    };
    if header {
        line(
            table
                .columns
                .iter()
                .map(|column| column.key.to_owned())
                .collect(),
        );
    }
    for row in &table.rows {
        line(
            row.iter()
                .map(|cell| match cell {
                    Cell::Text(text) => text.clone(),
                    Cell::Amount(amount) => match mark {
                        DecimalMark::Dot => amount.to_string(),
                        DecimalMark::Comma => amount.to_string().replace('.', ","),
                    },
                    Cell::Count(count) => count.to_string(),
                    Cell::Flag(flag) => flag.to_string(),
                    Cell::Empty => String::new(),
                })
                .collect(),
        );
    }
    text
}

/// How many documents each page of a streamed register CSV reads.
const CSV_PAGE: u32 = 2_000;

/// The whole invoice register as a CSV body that streams: the byte-order mark and header, then
/// each page's rows as it is read (so a year of documents never sits in memory at once). A
/// store failure after the first bytes ends the stream with an error (the client sees a cut
/// response, never a silently short file).
pub fn register_csv_stream(
    store: Arc<dyn Store>,
    request: ReportRequest,
    mark: DecimalMark,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static {
    // (the cursor of the next page, whether the header is written, whether it is done)
    futures_util::stream::unfold(
        (None::<RegisterCursor>, false, false),
        move |(after, started, done)| {
            let store = store.clone();
            let request = request.clone();
            async move {
                if done {
                    return None;
                }
                let page =
                    register_documents_page(store.as_ref(), &request.window, after, CSV_PAGE).await;
                let register = match page {
                    Ok(register) => register,
                    Err(error) => {
                        tracing::error!(%error, "the register's CSV stopped");
                        return Some((
                            Err(std::io::Error::other(error.to_string())),
                            (None, true, true),
                        ));
                    }
                };
                let next = register.next.clone();
                let table = Report::Invoices(register).table(&request.window);
                let mut text = if started {
                    String::new()
                } else {
                    String::from('\u{feff}')
                };
                text.push_str(&csv_lines(&table, mark, !started));
                let done = next.is_none();
                Some((Ok(text.into_bytes()), (next, true, done)))
            }
        },
    )
}

/// The file name of a report's CSV: `kasa-revenue-2026-11-01-2026-11-30.csv`.
#[must_use]
pub fn csv_file_name(request: &ReportRequest) -> String {
    format!(
        "kasa-{}-{}-{}.csv",
        request.kind.name(),
        request.window.from(),
        request.window.to()
    )
}

/// Makes a report from the store.
///
/// # Errors
/// [`ReportError`] from the use case.
pub async fn run(store: &dyn Store, request: &ReportRequest) -> Result<Report, ReportError> {
    make_report(store, request).await
}

/// Makes a report, the register as the page `paging` asks for.
///
/// # Errors
/// [`ReportError`] from the use case.
pub async fn run_paged(
    store: &dyn Store,
    request: &ReportRequest,
    paging: Option<&RegisterPaging>,
) -> Result<Report, ReportError> {
    match paging {
        Some(paging) if request.kind == ReportKind::Invoices => Ok(Report::Invoices(
            register_page(store, &request.window, paging.after.clone(), paging.limit).await?,
        )),
        _ => make_report(store, request).await,
    }
}

#[cfg(test)]
mod tests {
    use kasa_billing::reports::{Cell, Column, ColumnKind, ReportTable};
    use kasa_domain::Decimal;

    use super::{DecimalMark, csv};

    fn table() -> ReportTable {
        ReportTable {
            columns: vec![
                Column {
                    key: "buyer",
                    kind: ColumnKind::Text,
                },
                Column {
                    key: "gross",
                    kind: ColumnKind::Amount,
                },
                Column {
                    key: "paid",
                    kind: ColumnKind::Flag,
                },
            ],
            rows: vec![
                vec![
                    Cell::Text("Şükrü \"Çağ\", İnş.".to_owned()),
                    Cell::Amount(Decimal::new(14990, 2)),
                    Cell::Flag(true),
                ],
                vec![
                    Cell::Empty,
                    Cell::Amount(Decimal::new(-5, 1)),
                    Cell::Flag(false),
                ],
            ],
        }
    }

    #[test]
    fn a_register_cursor_comes_back_as_it_went_out() {
        use kasa_billing::reports::ReportKind;
        use kasa_ports::RegisterCursor;
        let cursor = RegisterCursor {
            issued_at: time::macros::datetime!(2025-10-31 20:59:59.123456 UTC),
            series: "KSA|CN".to_owned(),
            year: 2025,
            sequence: 42,
        };
        let text = super::encode_cursor(&cursor);
        assert_eq!(super::decode_cursor(&text), Ok(cursor.clone()));
        assert_eq!(
            super::decode_cursor("not a cursor").unwrap_err().field,
            "cursor"
        );
        let paging = super::register_paging(ReportKind::Invoices, None, Some(&text))
            .unwrap()
            .unwrap();
        assert_eq!((paging.after, paging.limit), (Some(cursor), 1_000));
        assert_eq!(
            super::register_paging(ReportKind::Revenue, Some(5), None)
                .unwrap_err()
                .field,
            "limit"
        );
    }

    #[test]
    fn csv_has_a_bom_crlf_lines_and_quotes_what_needs_quoting() {
        let bytes = csv(&table(), DecimalMark::Dot);
        assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert_eq!(
            text,
            "buyer,gross,paid\r\n\"Şükrü \"\"Çağ\"\", İnş.\",149.90,true\r\n,-0.5,false\r\n"
        );
    }

    #[test]
    fn a_decimal_comma_separates_fields_with_semicolons() {
        let bytes = csv(&table(), DecimalMark::Comma);
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert_eq!(
            text,
            "buyer;gross;paid\r\n\"Şükrü \"\"Çağ\"\", İnş.\";149,90;true\r\n;-0,5;false\r\n"
        );
    }
}
