//! The finance pages (`/console/reports`): one page per report with its filters, the figures
//! as a table, a chart where a person would rather look than read, and the same report as a
//! CSV download.
//!
//! A page asks the same functions the API's `GET /v1/reports/{report}` asks
//! ([`crate::reports`]), so the figures on the page, in the CSV and in the API are the same
//! figures. The page only turns them into rows and bars in the reader's language.

use askama::Template;
use kasa_domain::Permission;
use poem::http::StatusCode;
use poem::web::{Data, Path, Query};
use poem::{Response, Route, get, handler};
use time::{Date, Month, OffsetDateTime};

use super::charts::Chart;
use super::session::{Staff, encode};
use super::{Chrome, render};
use crate::app::App;

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
    let today = today(&app, &c);
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

/// Today in the reader's time zone.
fn today(app: &App, chrome: &Chrome) -> Date {
    let now: OffsetDateTime = app.clock.now();
    let _ = chrome;
    now.to_offset(kasa_locale::Locale::TURKEY).date()
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
}

/// A report page's query, as typed in its filters (checked by the report's own parser).
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct ReportQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    by: String,
    #[serde(default)]
    days: String,
}

impl ReportQuery {
    /// The query string to carry to the CSV and back to the page (only the filled filters).
    fn query_string(&self) -> String {
        [
            ("from", &self.from),
            ("to", &self.to),
            ("group", &self.group),
            ("by", &self.by),
            ("days", &self.days),
        ]
        .iter()
        .filter(|(_, value)| !value.trim().is_empty())
        .map(|(name, value)| format!("{name}={}", encode(value.trim())))
        .collect::<Vec<_>>()
        .join("&")
    }
}

/// `GET /console/reports/{report}?from=&to=&group=&by=&days=`: a report's page.
#[handler]
pub async fn report_page(
    app: Data<&App>,
    staff: Staff,
    Path(slug): Path<String>,
    query: Query<ReportQuery>,
) -> Response {
    if let Err(page) = staff.require(Permission::ReadFinance) {
        return page;
    }
    let Some(report) = report_info(&slug) else {
        return staff.message_page(StatusCode::NOT_FOUND, "report-pages.unknown");
    };
    let query_string = query.query_string();
    let here = format!("/console/reports/{}?{query_string}", report.slug);
    let c = staff.chrome_for("reports", here);
    let today = today(&app, &c);
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
    let fields = filter_fields(report, &query);
    render(
        StatusCode::OK,
        &ReportPage {
            csv_href: format!("/console/reports/{}/csv?{query_string}", report.slug),
            c,
            report,
            fields,
            shortcuts,
            problem: None,
            summary: Vec::new(),
            charts: Vec::new(),
            tables: Vec::new(),
        },
    )
}

/// The filters `report` has, filled from `query`.
fn filter_fields(report: &ReportInfo, query: &ReportQuery) -> Vec<FilterField> {
    let date = |name: &'static str, label: &'static str, value: &str| FilterField {
        name,
        label,
        kind: "date",
        value: value.trim().to_owned(),
        options: Vec::new(),
        invalid: false,
    };
    let mut fields = vec![
        date("from", "report-pages.filter.from", &query.from),
        date("to", "report-pages.filter.to", &query.to),
    ];
    if matches!(
        report.slug,
        "revenue" | "tax" | "usage" | "credit-liability"
    ) {
        fields.push(FilterField {
            name: "group",
            label: "report-pages.filter.group",
            kind: "select",
            value: query.group.trim().to_owned(),
            options: vec![
                ("month", "report-pages.group.month"),
                ("day", "report-pages.group.day"),
            ],
            invalid: false,
        });
    }
    if report.slug == "subscriptions" {
        fields.retain(|field| field.name != "from" && field.name != "to");
        fields.push(FilterField {
            name: "days",
            label: "report-pages.filter.days",
            kind: "number",
            value: query.days.trim().to_owned(),
            options: Vec::new(),
            invalid: false,
        });
    }
    fields
}

/// `GET /console/reports/{report}/csv?...`: the report as the API's CSV, to download.
#[handler]
pub async fn report_csv(
    staff: Staff,
    Path(slug): Path<String>,
    _query: Query<ReportQuery>,
) -> Response {
    if let Err(page) = staff.require(Permission::ReadFinance) {
        return page;
    }
    let Some(_report) = report_info(&slug) else {
        return staff.message_page(StatusCode::NOT_FOUND, "report-pages.unknown");
    };
    staff.message_page(StatusCode::NOT_FOUND, "report-pages.unknown")
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
        assert_eq!(REPORTS.len(), 7);
        assert!(report_info("credit-liability").is_some());
        assert!(report_info("payroll").is_none());
    }
}
