//! The finance pages (`/console/reports`): one page per report with its filters, the figures
//! as a table, a chart where a person would rather look than read, and the same report as a
//! CSV download.
//!
//! A page asks the same functions the API's `GET /v1/reports/{report}` asks
//! ([`crate::reports`]), so the figures on the page, in the CSV and in the API are the same
//! figures. The page only turns them into rows and bars in the reader's language.

mod view;

use askama::Template;
use kasa_billing::reports::{Report, ReportKind, ReportRequest};
use kasa_domain::Permission;
use poem::http::{StatusCode, header};
use poem::web::{Data, Path, Query};
use poem::{Response, Route, get, handler};
use time::{Date, Month};

use super::charts::Chart;
use super::session::{Staff, encode};
use super::{Chrome, render};
use crate::api::problems::{query_problem, report_problem};
use crate::app::App;
use crate::problem::ApiError;
use crate::reports::{
    QueryError, ReportQuery, csv, csv_file_name, decimal_mark, report_kind, report_request,
};

/// The report pages' routes, under `/console`.
pub fn routes(route: Route) -> Route {
    route
        .at("/reports", get(index))
        .at("/reports/:report", get(report_page))
        .at("/reports/:report/csv", get(report_csv))
}

/// A report as the pages know it: its address and its words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportInfo {
    /// Its address segment, the API's name (`revenue`, `credit-liability`).
    pub slug: &'static str,
    /// The words key of its name.
    pub name: &'static str,
    /// The words key of one sentence on what it answers.
    pub about: &'static str,
}

/// Every report, in the order finance closes a month.
pub const REPORTS: [ReportInfo; 7] = [
    ReportInfo {
        slug: "revenue",
        name: "report-pages.revenue",
        about: "report-pages.revenue.about",
    },
    ReportInfo {
        slug: "invoices",
        name: "report-pages.invoices",
        about: "report-pages.invoices.about",
    },
    ReportInfo {
        slug: "tax",
        name: "report-pages.tax",
        about: "report-pages.tax.about",
    },
    ReportInfo {
        slug: "refunds",
        name: "report-pages.refunds",
        about: "report-pages.refunds.about",
    },
    ReportInfo {
        slug: "usage",
        name: "report-pages.usage",
        about: "report-pages.usage.about",
    },
    ReportInfo {
        slug: "subscriptions",
        name: "report-pages.subscriptions",
        about: "report-pages.subscriptions.about",
    },
    ReportInfo {
        slug: "credit-liability",
        name: "report-pages.credit-liability",
        about: "report-pages.credit-liability.about",
    },
];

/// The report named `slug`, if there is one.
fn report_info(slug: &str) -> Option<&'static ReportInfo> {
    REPORTS.iter().find(|report| report.slug == slug)
}

/// A link to a period that is often asked for ("last month").
#[derive(Clone, Debug)]
struct Shortcut {
    href: String,
    words: String,
}

/// A calendar month: its first day and the first day of the next.
fn month_of(day: Date) -> (Date, Date) {
    let first = day.replace_day(1).unwrap_or(day);
    let next = if first.month() == Month::December {
        Date::from_calendar_date(first.year() + 1, Month::January, 1)
    } else {
        Date::from_calendar_date(first.year(), first.month().next(), 1)
    }
    .unwrap_or(first);
    (first, next)
}

/// This month, last month and this year in the reader's time zone, as `(words key, from,
/// to)` with `to` the last day included.
fn periods(today: Date) -> [(&'static str, Date, Date); 3] {
    let (this_month, next_month) = month_of(today);
    let (last_month, _) = month_of(this_month.previous_day().unwrap_or(this_month));
    let last_day = |next: Date| next.previous_day().unwrap_or(next);
    let january = Date::from_calendar_date(today.year(), Month::January, 1).unwrap_or(today);
    let december = Date::from_calendar_date(today.year(), Month::December, 31).unwrap_or(today);
    [
        (
            "report-pages.period.last-month",
            last_month,
            last_day(this_month),
        ),
        (
            "report-pages.period.this-month",
            this_month,
            last_day(next_month),
        ),
        ("report-pages.period.this-year", january, december),
    ]
}

/// The report pages' index.
#[derive(Template)]
#[template(path = "console/reports/index.html")]
struct IndexPage {
    c: Chrome,
    reports: &'static [ReportInfo],
    shortcuts: Vec<Shortcut>,
}

/// `GET /console/reports`: the reports, with a shortcut to last month's revenue.
#[handler]
pub async fn index(app: Data<&App>, staff: Staff) -> Response {
    if let Err(page) = staff.require(Permission::ReadFinance) {
        return page;
    }
    let c = staff.chrome_for("reports", "/console/reports".to_owned());
    let today = app.report_zone.date_of(app.clock.now());
    let shortcuts = periods(today)
        .into_iter()
        .take(2)
        .map(|(words, from, to)| Shortcut {
            href: format!("/console/reports/revenue?from={from}&to={to}&group=day"),
            words: c.fill("report-pages.revenue-of", &[("period", c.t(words))]),
        })
        .collect();
    render(
        StatusCode::OK,
        &IndexPage {
            c,
            reports: &REPORTS,
            shortcuts,
        },
    )
}

/// A filter of a report page.
#[derive(Clone, Debug)]
struct FilterField {
    name: &'static str,
    label: &'static str,
    kind: &'static str,
    value: String,
    options: Vec<(&'static str, &'static str)>,
    invalid: bool,
}

/// A table of a report page.
#[derive(Clone, Debug)]
struct Table {
    id: String,
    caption: String,
    headers: Vec<Header>,
    rows: Vec<Row>,
}

/// A column's heading.
#[derive(Clone, Debug)]
struct Header {
    text: String,
    numeric: bool,
}

/// A row of a table.
#[derive(Clone, Debug)]
struct Row {
    cells: Vec<Cell>,
    total: bool,
}

/// A cell: its text and its column's name (shown before it on a phone).
#[derive(Clone, Debug)]
struct Cell {
    text: String,
    label: String,
    numeric: bool,
}

/// A report page.
#[derive(Template)]
#[template(path = "console/reports/report.html")]
struct ReportPage {
    c: Chrome,
    report: &'static ReportInfo,
    fields: Vec<FilterField>,
    shortcuts: Vec<Shortcut>,
    csv_href: String,
    problem: Option<String>,
    summary: Vec<(String, String)>,
    charts: Vec<Chart>,
    tables: Vec<Table>,
    /// The register: its pages' note, and the links to its first and next pages.
    paged: bool,
    first_href: Option<String>,
    next_href: Option<String>,
}

/// A report page's query, as typed in its filters: the API's parameters, as text (the
/// report's own parser checks them, [`crate::reports::report_request`]).
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    ending_within_days: String,
    #[serde(default)]
    decimal: String,
    /// The register's page (the API's `next_cursor`), not a filter: never carried to the CSV.
    #[serde(default)]
    cursor: String,
}

impl PageQuery {
    /// The filled filters, as `(name, value)`.
    fn filled(&self) -> Vec<(&'static str, &str)> {
        [
            ("from", self.from.as_str()),
            ("to", self.to.as_str()),
            ("group", self.group.as_str()),
            ("ending_within_days", self.ending_within_days.as_str()),
            ("decimal", self.decimal.as_str()),
        ]
        .into_iter()
        .map(|(name, value)| (name, value.trim()))
        .filter(|(_, value)| !value.is_empty())
        .collect()
    }

    /// The query string to carry to the CSV and back to the page (only the filled filters).
    fn query_string(&self) -> String {
        self.filled()
            .iter()
            .map(|(name, value)| format!("{name}={}", encode(value)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The report's request, or the refusal of the filter at fault.
    fn request(&self, app: &App, kind: ReportKind) -> Result<ReportRequest, QueryError> {
        let text = |value: &str| Some(value.trim().to_owned()).filter(|value| !value.is_empty());
        let ending_within_days = match text(&self.ending_within_days) {
            Some(days) => Some(days.parse::<u32>().map_err(|_| QueryError {
                field: "ending_within_days",
                detail: format!("`{days}` is not a number of days"),
            })?),
            None => None,
        };
        let query = ReportQuery {
            from: text(&self.from),
            to: text(&self.to),
            group: text(&self.group),
            time_zone: None,
            ending_within_days,
        };
        report_request(kind, &query, &app.report_zone, app.clock.now())
    }
}

/// A made report, or why not (the API's problem) and the filter at fault.
async fn made(
    app: &App,
    kind: ReportKind,
    query: &PageQuery,
) -> Result<(ReportRequest, Report), (ApiError, Option<&'static str>)> {
    let request = query.request(app, kind).map_err(|error| {
        let field = error.field;
        (query_problem(error), Some(field))
    })?;
    let cursor = Some(query.cursor.trim()).filter(|cursor| !cursor.is_empty());
    let paging = crate::reports::register_paging(kind, None, cursor).map_err(|error| {
        let field = error.field;
        (query_problem(error), Some(field))
    })?;
    let report = crate::reports::run_paged(app.store.as_ref(), &request, paging.as_ref())
        .await
        .map_err(|error| (report_problem(error), None))?;
    Ok((request, report))
}

/// `GET /console/reports/{report}?from=&to=&group=&ending_within_days=&decimal=`: a report's
/// page.
#[handler]
pub async fn report_page(
    app: Data<&App>,
    staff: Staff,
    Path(slug): Path<String>,
    query: Query<PageQuery>,
) -> Response {
    if let Err(page) = staff.require(Permission::ReadFinance) {
        return page;
    }
    let (Some(report), Ok(kind)) = (report_info(&slug), report_kind(&slug)) else {
        return staff.message_page(StatusCode::NOT_FOUND, "report-pages.unknown");
    };
    let query_string = query.query_string();
    let here = format!("/console/reports/{}?{query_string}", report.slug);
    let c = staff.chrome_for("reports", here);
    let today = app.report_zone.date_of(app.clock.now());
    let shortcuts = periods(today)
        .into_iter()
        .map(|(words, from, to)| Shortcut {
            href: format!(
                "/console/reports/{}?from={from}&to={to}&group={}",
                report.slug,
                if words.ends_with("year") {
                    "month"
                } else {
                    "day"
                }
            ),
            words: c.t(words).to_owned(),
        })
        .collect();
    let page_href = |cursor: Option<String>| {
        let mut href = format!("/console/reports/{}?{query_string}", report.slug);
        if let Some(cursor) = cursor {
            href.push_str(&format!("&cursor={}", encode(&cursor)));
        }
        href
    };
    let paged = kind == ReportKind::Invoices;
    let mut next_href = None;
    let first_href = (paged && !query.cursor.trim().is_empty()).then(|| page_href(None));
    let (status, problem, field, shown) = match made(&app, kind, &query).await {
        Ok((request, made)) => {
            if let Report::Invoices(register) = &made {
                next_href = register
                    .next
                    .as_ref()
                    .map(|next| page_href(Some(crate::reports::encode_cursor(next))));
            }
            let shown = view::view(&c, &made, &request.window);
            (StatusCode::OK, None, None, Some((request, shown)))
        }
        Err((error, field)) => {
            // The filter's own words where the files have them (the API's detail is English).
            let words = field
                .map(|field| format!("report-pages.invalid.{field}"))
                .map(|key| c.t(&key).to_owned())
                .filter(|words| !words.starts_with("report-pages."));
            let problem = words.unwrap_or_else(|| c.problem(&error));
            (error.status(), Some(problem), field, None)
        }
    };
    let fields = filter_fields(
        report,
        &query,
        shown.as_ref().map(|(request, _)| request),
        field,
    );
    let (summary, charts, tables) = shown.map_or_else(Default::default, |(_, view)| {
        (view.summary, view.charts, view.tables)
    });
    render(
        status,
        &ReportPage {
            csv_href: format!("/console/reports/{}/csv?{query_string}", report.slug),
            c,
            report,
            fields,
            shortcuts,
            problem,
            summary,
            charts,
            tables,
            paged,
            first_href,
            next_href,
        },
    )
}

/// The filters `report` has, filled from `query`, or from the request made (its defaults)
/// where `query` leaves them blank; `invalid` is the one a refusal names.
fn filter_fields(
    report: &ReportInfo,
    query: &PageQuery,
    request: Option<&ReportRequest>,
    invalid: Option<&str>,
) -> Vec<FilterField> {
    let value = |typed: &str, made: Option<String>| {
        if typed.trim().is_empty() {
            made.unwrap_or_default()
        } else {
            typed.trim().to_owned()
        }
    };
    let field =
        |name: &'static str, label: &'static str, kind: &'static str, value: String| FilterField {
            name,
            label,
            kind,
            value,
            options: Vec::new(),
            invalid: invalid == Some(name),
        };
    let mut fields = vec![
        field(
            "from",
            "report-pages.filter.from",
            "date",
            value(
                &query.from,
                request.map(|made| made.window.from().to_string()),
            ),
        ),
        field(
            "to",
            "report-pages.filter.to",
            "date",
            value(&query.to, request.map(|made| made.window.to().to_string())),
        ),
    ];
    if matches!(
        report.slug,
        "revenue" | "tax" | "usage" | "credit-liability"
    ) {
        fields.push(FilterField {
            options: vec![
                ("month", "report-pages.group.month"),
                ("day", "report-pages.group.day"),
            ],
            ..field(
                "group",
                "report-pages.filter.group",
                "select",
                value(
                    &query.group,
                    request.map(|made| made.window.grouping().name().to_owned()),
                ),
            )
        });
    }
    if report.slug == "subscriptions" {
        fields.push(field(
            "ending_within_days",
            "report-pages.filter.days",
            "number",
            value(
                &query.ending_within_days,
                request.map(|made| made.ending_within_days.to_string()),
            ),
        ));
    }
    fields.push(FilterField {
        options: vec![
            ("dot", "report-pages.decimal.dot"),
            ("comma", "report-pages.decimal.comma"),
        ],
        ..field(
            "decimal",
            "report-pages.filter.decimal",
            "select",
            value(&query.decimal, Some("dot".to_owned())),
        )
    });
    fields
}

/// `GET /console/reports/{report}/csv?...`: the report as the API's CSV file, to download.
#[handler]
pub async fn report_csv(
    app: Data<&App>,
    staff: Staff,
    Path(slug): Path<String>,
    query: Query<PageQuery>,
) -> Response {
    if let Err(page) = staff.require(Permission::ReadFinance) {
        return page;
    }
    let Ok(kind) = report_kind(&slug) else {
        return staff.message_page(StatusCode::NOT_FOUND, "report-pages.unknown");
    };
    let mark = match decimal_mark(Some(query.decimal.trim()).filter(|mark| !mark.is_empty())) {
        Ok(mark) => mark,
        Err(error) => return staff.refusal_page(&query_problem(error)),
    };
    // The CSV holds the whole window: the register's page, if the page named one, is not
    // the file's.
    let query = PageQuery {
        cursor: String::new(),
        ..query.0
    };
    let (request, report) = match made(&app, kind, &query).await {
        Ok(made) => made,
        Err((error, _)) => return staff.refusal_page(&error),
    };
    let body = if kind == ReportKind::Invoices {
        // Every page of the register, streamed (the first was read above, so a store that
        // cannot answer is a refusal page rather than a cut file).
        poem::Body::from_bytes_stream(crate::reports::register_csv_stream(
            app.store.clone(),
            request.clone(),
            mark,
        ))
    } else {
        poem::Body::from(csv(&report.table(&request.window), mark))
    };
    Response::builder()
        .status(StatusCode::OK)
        .content_type("text/csv; charset=utf-8")
        .header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", csv_file_name(&request)),
        )
        .header(header::CACHE_CONTROL, "no-store")
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .body(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_periods_are_whole_calendar_months_and_the_year() {
        let day = |year, month, day| Date::from_calendar_date(year, month, day).unwrap();
        let [last, this, year] = periods(day(2027, Month::January, 15));
        assert_eq!(
            (last.1, last.2),
            (
                day(2026, Month::December, 1),
                day(2026, Month::December, 31)
            )
        );
        assert_eq!(
            (this.1, this.2),
            (day(2027, Month::January, 1), day(2027, Month::January, 31))
        );
        assert_eq!(
            (year.1, year.2),
            (day(2027, Month::January, 1), day(2027, Month::December, 31))
        );
        let [last, ..] = periods(day(2028, Month::March, 1));
        assert_eq!(
            (last.1, last.2),
            (
                day(2028, Month::February, 1),
                day(2028, Month::February, 29)
            )
        );
    }

    #[test]
    fn every_report_has_a_page_and_unknown_names_none() {
        let slugs: Vec<&str> = REPORTS.iter().map(|report| report.slug).collect();
        let kinds: Vec<&str> = ReportKind::ALL.iter().map(|kind| kind.name()).collect();
        assert_eq!(
            slugs, kinds,
            "a page for every report the API has, in its order"
        );
        assert!(report_info("credit-liability").is_some());
        assert!(report_info("payroll").is_none());
    }

    #[test]
    fn every_word_the_pages_name_is_in_the_word_files() {
        const SOURCES: &[(&str, &str)] = &[
            ("mod.rs", include_str!("mod.rs")),
            ("view.rs", include_str!("view.rs")),
            (
                "index.html",
                include_str!("../../../templates/console/reports/index.html"),
            ),
            (
                "report.html",
                include_str!("../../../templates/console/reports/report.html"),
            ),
        ];
        let words = kasa_locale::entries().unwrap_or_else(|error| panic!("{error}"));
        let mut used = 0;
        for (file, source) in SOURCES {
            // The tests' own text names no words.
            let source = source.split("#[cfg(test)]").next().unwrap_or_default();
            for piece in source.split("\"report-pages.").skip(1) {
                let key = format!("report-pages.{}", &piece[..piece.find('"').unwrap_or(0)]);
                // Keys completed at run time (`report-pages.column.{key}`) are checked by view's
                // tests, column by column.
                if key.ends_with('.') || key.contains('{') {
                    continue;
                }
                assert!(words.contains_key(key.as_str()), "{file} uses {key}");
                used += 1;
            }
        }
        assert!(used > 40, "{used} words found");
    }
}
