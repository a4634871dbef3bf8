//! A made report as a page: the figures at the top, the charts, the tables in the reader's
//! words. Every figure comes from the report itself ([`Report`] and its [`ReportTable`]); sums
//! shown here are per currency, with the domain's checked arithmetic.

use kasa_billing::reports::{
    Cell as ReportCell, ColumnKind, LiabilityRow, Report, ReportTable, ReportWindow, RevenueRow,
    UsageRow,
};
use kasa_domain::{Currency, Decimal, Money};

use super::{Cell, Header, Row, Table};
use crate::web::Chrome;
use crate::web::charts::{Chart, ChartData};

/// What a report page shows under its filters.
#[derive(Debug, Default)]
pub(super) struct View {
    /// Headline figures: (what, how much).
    pub summary: Vec<(String, String)>,
    /// Charts.
    pub charts: Vec<Chart>,
    /// Tables.
    pub tables: Vec<Table>,
}

/// The page of `report` over `window`, for `c`'s reader.
pub(super) fn view(c: &Chrome, report: &Report, window: &ReportWindow) -> View {
    let main = table(c, "report-rows", c.t("report-pages.rows"), &report.table(window));
    match report {
        Report::Revenue(rows) => revenue(c, rows, window, main),
        Report::Invoices(register) => {
            let mut numbering = Table {
                id: "numbering".to_owned(),
                caption: c.t("report-pages.numbering").to_owned(),
                headers: headers(c, &["series", "year", "documents", "last_number", "missing"]),
                rows: Vec::new(),
            };
            let mut gaps = 0_usize;
            for check in &register.numbering {
                gaps += check.missing.len();
                let missing = if check.missing.is_empty() {
                    c.t("report-pages.numbering.none").to_owned()
                } else {
                    check
                        .missing
                        .iter()
                        .map(|(first, last)| {
                            if first == last {
                                first.to_string()
                            } else {
                                format!("{first}–{last}")
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                numbering.rows.push(row(
                    &numbering.headers,
                    vec![
                        (check.series.clone(), false),
                        (check.year.to_string(), false),
                        (c.number(&count(check.documents)), true),
                        (check.last_number.to_string(), true),
                        (missing, false),
                    ],
                ));
            }
            let mut summary = vec![(
                c.t("report-pages.documents").to_owned(),
                c.number(&count(register.entries.len())),
            )];
            summary.push((
                c.t("report-pages.numbering.gaps").to_owned(),
                if gaps == 0 {
                    c.t("report-pages.numbering.no-gaps").to_owned()
                } else {
                    c.number(&count(gaps))
                },
            ));
            View {
                summary,
                charts: Vec::new(),
                tables: vec![main, numbering],
            }
        }
        Report::Tax(rows) => {
            let taxes = totals(rows.iter().map(|row| row.tax));
            let bases = totals(rows.iter().map(|row| row.base));
            let mut summary = Vec::new();
            for (base, tax) in bases.iter().zip(&taxes) {
                summary.push((
                    c.fill("report-pages.tax.base-in", &[("currency", base.currency().alpha_code())]),
                    c.money(base),
                ));
                summary.push((
                    c.fill("report-pages.tax.kdv-in", &[("currency", tax.currency().alpha_code())]),
                    c.money(tax),
                ));
            }
            View {
                summary,
                charts: Vec::new(),
                tables: vec![main],
            }
        }
        Report::Refunds(rows) => View {
            summary: totals(rows.iter().map(|row| row.amount))
                .iter()
                .map(|total| {
                    (
                        c.fill(
                            "report-pages.refunds.total-in",
                            &[("currency", total.currency().alpha_code())],
                        ),
                        c.money(total),
                    )
                })
                .collect(),
            charts: Vec::new(),
            tables: vec![main],
        },
        Report::Usage(rows) => usage(c, rows, main),
        Report::Subscriptions(report) => View {
            summary: vec![
                (c.t("report-pages.subscriptions.active").to_owned(), c.number(&count(report.active))),
                (
                    c.fill(
                        "report-pages.subscriptions.ending",
                        &[("days", &report.ending_within_days.to_string())],
                    ),
                    c.number(&count(report.ending_soon)),
                ),
                (
                    c.t("report-pages.subscriptions.cancelled").to_owned(),
                    c.number(&count(report.cancelled_at_end)),
                ),
                (
                    c.t("report-pages.subscriptions.renewing").to_owned(),
                    c.number(&count(report.renewing_at_gateway)),
                ),
            ],
            charts: Vec::new(),
            tables: vec![main],
        },
        Report::CreditLiability(report) => liability(c, &report.rows, &report.totals, report.free_credits, window, main),
    }
}

/// Revenue: net per currency at the top, net per period as a chart per currency.
fn revenue(c: &Chrome, rows: &[RevenueRow], window: &ReportWindow, main: Table) -> View {
    let mut summary = Vec::new();
    let mut charts = Vec::new();
    for net in totals(rows.iter().map(|row| row.net)) {
        let currency = net.currency();
        summary.push((
            c.fill("report-pages.revenue.net-in", &[("currency", currency.alpha_code())]),
            c.money(&net),
        ));
        let of_currency: Vec<&RevenueRow> =
            rows.iter().filter(|row| row.currency == currency).collect();
        let per_period = per_period(window, currency, |label| {
            of_currency
                .iter()
                .filter(|row| row.period == label)
                .map(|row| row.net)
                .collect()
        });
        let data = ChartData {
            title: c.fill("report-pages.revenue.chart", &[("currency", currency.alpha_code())]),
            description: c.t("report-pages.revenue.chart-about").to_owned(),
            series: vec![c.t("report-pages.column.net").to_owned()],
            categories: per_period,
        };
        let format = |value: Decimal| money_or_plain(c, value, currency);
        let id = format!("revenue-{}", currency.alpha_code().to_lowercase());
        charts.extend(Chart::bars(&id, data, &format));
    }
    for gross in totals(rows.iter().map(|row| row.gross)) {
        summary.push((
            c.fill("report-pages.revenue.gross-in", &[("currency", gross.currency().alpha_code())]),
            c.money(&gross),
        ));
    }
    View {
        summary,
        charts,
        tables: vec![main],
    }
}

/// Usage: tickets and chats per department as a chart, the totals at the top.
fn usage(c: &Chrome, rows: &[UsageRow], main: Table) -> View {
    let mut departments: Vec<(String, u64, u64)> = Vec::new();
    for row in rows {
        match departments.iter_mut().find(|(name, ..)| *name == row.department) {
            Some((_, tickets, chats)) => {
                *tickets = tickets.saturating_add(row.tickets);
                *chats = chats.saturating_add(row.chats);
            }
            None => departments.push((row.department.clone(), row.tickets, row.chats)),
        }
    }
    let tickets: u64 = departments.iter().map(|(_, tickets, _)| *tickets).sum();
    let chats: u64 = departments.iter().map(|(_, _, chats)| *chats).sum();
    let credits: i64 = rows.iter().map(|row| row.credits_consumed).sum();
    let data = ChartData {
        title: c.t("report-pages.usage.chart").to_owned(),
        description: c.t("report-pages.usage.chart-about").to_owned(),
        series: vec![
            c.t("report-pages.column.tickets").to_owned(),
            c.t("report-pages.column.chats").to_owned(),
        ],
        categories: departments
            .into_iter()
            .map(|(name, tickets, chats)| (name, vec![Decimal::from(tickets), Decimal::from(chats)]))
            .collect(),
    };
    let format = |value: Decimal| c.number(&whole(value));
    View {
        summary: vec![
            (c.t("report-pages.column.tickets").to_owned(), c.number(&count(tickets))),
            (c.t("report-pages.column.chats").to_owned(), c.number(&count(chats))),
            (c.t("report-pages.column.credits_consumed").to_owned(), c.number(&credits)),
        ],
        charts: Chart::bars("usage", data, &format).into_iter().collect(),
        tables: vec![main],
    }
}

/// The liability: what is owed at the end per currency, and its closing value per period.
fn liability(
    c: &Chrome,
    rows: &[LiabilityRow],
    totals: &[LiabilityRow],
    free_credits: i64,
    window: &ReportWindow,
    main: Table,
) -> View {
    let to = window.to().to_string();
    let mut summary = Vec::new();
    let mut charts = Vec::new();
    for total in totals {
        let currency = total.currency;
        summary.push((
            c.fill(
                "report-pages.liability.closing-in",
                &[("currency", currency.alpha_code()), ("date", &to)],
            ),
            c.money(&total.closing),
        ));
        let per_period = per_period(window, currency, |label| {
            rows.iter()
                .filter(|row| row.currency == currency && row.period == label)
                .map(|row| row.closing)
                .collect()
        });
        let data = ChartData {
            title: c.fill("report-pages.liability.chart", &[("currency", currency.alpha_code())]),
            description: c.t("report-pages.liability.chart-about").to_owned(),
            series: vec![c.t("report-pages.column.closing").to_owned()],
            categories: per_period,
        };
        let format = |value: Decimal| money_or_plain(c, value, currency);
        let id = format!("liability-{}", currency.alpha_code().to_lowercase());
        charts.extend(Chart::bars(&id, data, &format));
    }
    summary.push((
        c.t("report-pages.liability.free-credits").to_owned(),
        c.number(&free_credits),
    ));
    View {
        summary,
        charts,
        tables: vec![main],
    }
}

/// One value per period of the window (zero for a period without rows), in order.
fn per_period(
    window: &ReportWindow,
    currency: Currency,
    amounts_of: impl Fn(&str) -> Vec<Money>,
) -> Vec<(String, Vec<Decimal>)> {
    window
        .periods()
        .iter()
        .map(|period| {
            let sum = amounts_of(&period.label)
                .into_iter()
                .try_fold(Money::zero(currency), |sum, amount| sum.checked_add(&amount))
                .map_or(Decimal::ZERO, |sum| sum.amount());
            (period.label.clone(), vec![sum])
        })
        .collect()
}

/// The sum of `amounts` per currency, in the order the currencies first appear. A sum that
/// overflows is left out (the table still shows every row).
fn totals(amounts: impl IntoIterator<Item = Money>) -> Vec<Money> {
    let mut sums: Vec<Money> = Vec::new();
    for amount in amounts {
        match sums
            .iter_mut()
            .find(|sum| sum.currency() == amount.currency())
        {
            Some(sum) => {
                if let Ok(added) = sum.checked_add(&amount) {
                    *sum = added;
                }
            }
            None => sums.push(amount),
        }
    }
    sums
}

/// An axis value as money when it has at most the currency's decimals, else as it is.
fn money_or_plain(c: &Chrome, value: Decimal, currency: Currency) -> String {
    Money::new(value, currency).map_or_else(|_| value.to_string(), |money| c.money(&money))
}

/// A count as the locale's number.
fn count(value: impl TryInto<i64>) -> i64 {
    value.try_into().unwrap_or(i64::MAX)
}

/// A whole Decimal (an axis value of counts) as an integer.
fn whole(value: Decimal) -> i64 {
    let rounded = value.round_dp(0);
    i64::try_from(rounded.mantissa() / 10_i128.pow(rounded.scale())).unwrap_or(0)
}

/// Column headings in the reader's words.
fn headers(c: &Chrome, keys: &[&str]) -> Vec<Header> {
    keys.iter()
        .map(|key| Header {
            text: c.t(&format!("report-pages.column.{key}")).to_owned(),
            numeric: matches!(*key, "documents" | "last_number"),
        })
        .collect()
}

/// A row from (text, numeric) cells under `headers`.
fn row(headers: &[Header], cells: Vec<(String, bool)>) -> Row {
    Row {
        cells: cells
            .into_iter()
            .zip(headers)
            .map(|((text, numeric), header)| Cell {
                text,
                label: header.text.clone(),
                numeric,
            })
            .collect(),
        total: false,
    }
}

/// A report's table in the reader's words: amounts in the row's currency, counts grouped,
/// flags as yes or no, the register's kinds and states named.
fn table(c: &Chrome, id: &str, caption: &str, report: &ReportTable) -> Table {
    let headers: Vec<Header> = report
        .columns
        .iter()
        .map(|column| Header {
            text: c.t(&format!("report-pages.column.{}", column.key)).to_owned(),
            numeric: matches!(column.kind, ColumnKind::Amount | ColumnKind::Count),
        })
        .collect();
    let currency_at = report.columns.iter().position(|column| column.key == "currency");
    let rows = report
        .rows
        .iter()
        .map(|cells| {
            let currency = currency_at
                .and_then(|index| cells.get(index))
                .and_then(|cell| match cell {
                    ReportCell::Text(code) => code.parse::<Currency>().ok(),
                    _ => None,
                });
            let total = cells
                .first()
                .is_some_and(|cell| matches!(cell, ReportCell::Text(text) if text == "total"));
            Row {
                cells: cells
                    .iter()
                    .zip(&report.columns)
                    .zip(&headers)
                    .map(|((cell, column), header)| Cell {
                        text: cell_text(c, column.key, cell, currency),
                        label: header.text.clone(),
                        numeric: header.numeric,
                    })
                    .collect(),
                total,
            }
        })
        .collect();
    Table {
        id: id.to_owned(),
        caption: caption.to_owned(),
        headers,
        rows,
    }
}

/// One cell as the reader writes it.
fn cell_text(c: &Chrome, key: &str, cell: &ReportCell, currency: Option<Currency>) -> String {
    match cell {
        ReportCell::Text(text) => {
            let words_key = format!("report-pages.value.{key}.{text}");
            match c.t(&words_key) {
                words if words == words_key => text.clone(),
                words => words.to_owned(),
            }
        }
        ReportCell::Amount(amount) if key == "rate_percent" => {
            let rate = amount.normalize().to_string();
            let rate = if c.locale.code() == "tr" {
                rate.replace('.', ",")
            } else {
                rate
            };
            c.fill("report-pages.percent", &[("rate", &rate)])
        }
        ReportCell::Amount(amount) => match currency {
            Some(currency) => money_or_plain(c, *amount, currency),
            None => amount.to_string(),
        },
        ReportCell::Count(count) => c.number(count),
        ReportCell::Flag(true) => c.t("report-pages.yes").to_owned(),
        ReportCell::Flag(false) => c.t("report-pages.no").to_owned(),
        ReportCell::Empty => String::new(),
    }
}
