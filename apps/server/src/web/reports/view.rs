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
    let main = table(
        c,
        "report-rows",
        c.t("report-pages.rows"),
        &report.table(window),
    );
    match report {
        Report::Revenue(rows) => revenue(c, rows, window, main),
        Report::Invoices(register) => {
            let mut numbering = Table {
                id: "numbering".to_owned(),
                caption: c.t("report-pages.numbering").to_owned(),
                headers: headers(
                    c,
                    &["series", "year", "documents", "last_number", "missing"],
                ),
                rows: Vec::new(),
            };
            let mut gaps = 0_u64;
            for check in &register.numbering {
                gaps = check
                    .missing
                    .iter()
                    .map(|(first, last)| u64::from(last.saturating_sub(*first)) + 1)
                    .fold(gaps, u64::saturating_add);
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
                    c.fill(
                        "report-pages.tax.base-in",
                        &[("currency", base.currency().alpha_code())],
                    ),
                    c.money(base),
                ));
                summary.push((
                    c.fill(
                        "report-pages.tax.kdv-in",
                        &[("currency", tax.currency().alpha_code())],
                    ),
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
                (
                    c.t("report-pages.subscriptions.active").to_owned(),
                    c.number(&count(report.active)),
                ),
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
        Report::CreditLiability(report) => liability(
            c,
            &report.rows,
            &report.totals,
            report.free_credits,
            window,
            main,
        ),
    }
}

/// Revenue: net per currency at the top, net per period as a chart per currency.
fn revenue(c: &Chrome, rows: &[RevenueRow], window: &ReportWindow, main: Table) -> View {
    let mut summary = Vec::new();
    let mut charts = Vec::new();
    for net in totals(rows.iter().map(|row| row.net)) {
        let currency = net.currency();
        summary.push((
            c.fill(
                "report-pages.revenue.net-in",
                &[("currency", currency.alpha_code())],
            ),
            c.money(&net),
        ));
        let amounts = rows
            .iter()
            .filter(|row| row.currency == currency)
            .map(|row| (row.period.as_str(), row.net));
        charts.extend(period_chart(c, window, currency, "revenue", "net", amounts));
    }
    for gross in totals(rows.iter().map(|row| row.gross)) {
        summary.push((
            c.fill(
                "report-pages.revenue.gross-in",
                &[("currency", gross.currency().alpha_code())],
            ),
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
        match departments
            .iter_mut()
            .find(|(name, ..)| *name == row.department)
        {
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
            .map(|(name, tickets, chats)| {
                (name, vec![Decimal::from(tickets), Decimal::from(chats)])
            })
            .collect(),
        counts: true,
    };
    let format = |value: Decimal| c.number(&whole(value));
    View {
        summary: vec![
            (
                c.t("report-pages.column.tickets").to_owned(),
                c.number(&count(tickets)),
            ),
            (
                c.t("report-pages.column.chats").to_owned(),
                c.number(&count(chats)),
            ),
            (
                c.t("report-pages.column.credits_consumed").to_owned(),
                c.number(&credits),
            ),
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
        let amounts = rows
            .iter()
            .filter(|row| row.currency == currency)
            .map(|row| (row.period.as_str(), row.closing));
        charts.extend(period_chart(
            c,
            window,
            currency,
            "liability",
            "closing",
            amounts,
        ));
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

/// A chart of one amount per period of the window in `currency` (zero for a period without
/// one; several in a period are added): the words `report-pages.{name}.chart` and
/// `.chart-about`, the series named by column `series`.
fn period_chart<'a>(
    c: &Chrome,
    window: &ReportWindow,
    currency: Currency,
    name: &str,
    series: &str,
    amounts: impl Iterator<Item = (&'a str, Money)> + Clone,
) -> Option<Chart> {
    let categories = window
        .periods()
        .iter()
        .map(|period| {
            let sum = amounts
                .clone()
                .filter(|(label, _)| *label == period.label)
                .try_fold(Money::zero(currency), |sum, (_, amount)| {
                    sum.checked_add(&amount)
                })
                .map_or(Decimal::ZERO, |sum| sum.amount());
            (period.label.clone(), vec![sum])
        })
        .collect();
    let data = ChartData {
        title: c.fill(
            &format!("report-pages.{name}.chart"),
            &[("currency", currency.alpha_code())],
        ),
        description: c.t(&format!("report-pages.{name}.chart-about")).to_owned(),
        series: vec![c.t(&format!("report-pages.column.{series}")).to_owned()],
        categories,
        counts: false,
    };
    let format = |value: Decimal| money_or_plain(c, value, currency);
    let id = format!("{name}-{}", currency.alpha_code().to_lowercase());
    Chart::bars(&id, data, &format)
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
            text: c
                .t(&format!("report-pages.column.{}", column.key))
                .to_owned(),
            numeric: matches!(column.kind, ColumnKind::Amount | ColumnKind::Count),
        })
        .collect();
    let currency_at = report
        .columns
        .iter()
        .position(|column| column.key == "currency");
    let rows = report
        .rows
        .iter()
        .map(|cells| {
            let currency =
                currency_at
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

#[cfg(test)]
mod tests {
    use kasa_billing::reports::{
        Grouping, LiabilityReport, RegisterReport, ReportZone, SubscriptionsReport, TaxRow,
    };
    use kasa_domain::Language;
    use kasa_locale::Locale;
    use kasa_ports::NumberingCheck;
    use time::macros::{date, datetime};

    use super::*;

    fn chrome(language: Language) -> Chrome {
        Chrome {
            locale: Locale::new(language),
            user_name: "Elif".to_owned(),
            csrf: String::new(),
            section: "reports",
            here: "/console/reports".to_owned(),
            stylesheet: String::new(),
            notice: None,
            menu: Vec::new(),
        }
    }

    fn november(grouping: Grouping) -> ReportWindow {
        ReportWindow::new(
            date!(2026 - 11 - 01),
            date!(2026 - 11 - 30),
            grouping,
            ReportZone::istanbul(),
        )
        .unwrap()
    }

    fn money(amount: &str, currency: Currency) -> Money {
        Money::new(amount.parse().unwrap(), currency).unwrap()
    }

    fn revenue_row(
        period: &str,
        currency: Currency,
        gross: &str,
        refunds: &str,
        net: &str,
    ) -> RevenueRow {
        RevenueRow {
            period: period.to_owned(),
            currency,
            gateway: "testpay".to_owned(),
            package: "10 kredi".to_owned(),
            documents: 1,
            gross: money(gross, currency),
            credit_notes: u64::from(refunds != "0.00"),
            refunds: money(refunds, currency),
            net: money(net, currency),
        }
    }

    /// Every report, empty: their columns are all there is to name.
    fn every_report() -> Vec<Report> {
        vec![
            Report::Revenue(Vec::new()),
            Report::Invoices(RegisterReport {
                entries: Vec::new(),
                numbering: Vec::new(),
                next: None,
            }),
            Report::Tax(Vec::new()),
            Report::Refunds(Vec::new()),
            Report::Usage(Vec::new()),
            Report::Subscriptions(SubscriptionsReport {
                at: datetime!(2026-11-30 21:00 UTC),
                ending_within_days: 30,
                rows: Vec::new(),
                active: 0,
                ending_soon: 0,
                cancelled_at_end: 0,
                renewing_at_gateway: 0,
            }),
            Report::CreditLiability(LiabilityReport {
                rows: Vec::new(),
                totals: Vec::new(),
                free_credits: 0,
            }),
        ]
    }

    #[test]
    fn every_column_of_every_report_has_words_in_both_languages() {
        let words = kasa_locale::entries().unwrap();
        let window = november(Grouping::Month);
        let mut columns = 0;
        for report in every_report() {
            for column in report.table(&window).columns {
                let key = format!("report-pages.column.{}", column.key);
                assert!(words.contains_key(key.as_str()), "no words for {key}");
                columns += 1;
            }
        }
        assert!(columns > 50, "{columns} columns");
    }

    #[test]
    fn revenue_sums_per_currency_and_draws_a_bar_per_period_for_each() {
        let rows = vec![
            revenue_row("2026-11-03", Currency::Try, "100.00", "30.00", "70.00"),
            revenue_row("2026-11-03", Currency::Usd, "50.00", "0.00", "50.00"),
            revenue_row("2026-11-20", Currency::Try, "249.90", "0.00", "249.90"),
        ];
        let window = november(Grouping::Day);
        let c = chrome(Language::En);
        let page = view(&c, &Report::Revenue(rows), &window);
        assert_eq!(
            page.summary,
            vec![
                ("Net revenue (TRY)".to_owned(), "₺319.90".to_owned()),
                ("Net revenue (USD)".to_owned(), "$50.00".to_owned()),
                ("Gross revenue (TRY)".to_owned(), "₺349.90".to_owned()),
                ("Gross revenue (USD)".to_owned(), "$50.00".to_owned()),
            ]
        );
        assert_eq!(page.charts.len(), 2);
        let lira = &page.charts[0];
        assert_eq!(lira.bars.len(), 30, "a bar for every day of November");
        assert_eq!(lira.bars[2].title, "2026-11-03 · Net: ₺70.00");
        assert_eq!(lira.bars[19].title, "2026-11-20 · Net: ₺249.90");
        assert_eq!(lira.bars[0].height, 0);
        assert!(lira.bars[19].height > lira.bars[2].height);
        assert_eq!(page.charts[1].id, "revenue-usd");
        assert_eq!(lira.title, "Net revenue per period in TRY");
        assert!(lira.description.starts_with("One bar per period"));
        let table = &page.tables[0];
        assert_eq!(table.headers[5].text, "Gross");
        assert!(table.headers[5].numeric);
        let cells: Vec<&str> = table.rows[0]
            .cells
            .iter()
            .map(|cell| cell.text.as_str())
            .collect();
        assert_eq!(
            cells,
            [
                "2026-11-03",
                "TRY",
                "testpay",
                "10 kredi",
                "1",
                "₺100.00",
                "1",
                "₺30.00",
                "₺70.00"
            ]
        );
        assert_eq!(table.rows[0].cells[8].label, "Net");
    }

    #[test]
    fn turkish_readers_get_turkish_amounts_rates_and_words() {
        let rows = vec![TaxRow {
            period: "2026-11".to_owned(),
            currency: Currency::Try,
            rate_percent: "20".parse().unwrap(),
            invoiced_base: money("83.33", Currency::Try),
            invoiced_tax: money("16.67", Currency::Try),
            credited_base: money("25.00", Currency::Try),
            credited_tax: money("5.00", Currency::Try),
            base: money("58.33", Currency::Try),
            tax: money("11.67", Currency::Try),
        }];
        let c = chrome(Language::Tr);
        let page = view(&c, &Report::Tax(rows), &november(Grouping::Month));
        assert_eq!(
            page.summary,
            vec![
                ("Matrah (TRY)".to_owned(), "58,33 ₺".to_owned()),
                ("KDV (TRY)".to_owned(), "11,67 ₺".to_owned()),
            ]
        );
        let cells: Vec<&str> = page.tables[0].rows[0]
            .cells
            .iter()
            .map(|cell| cell.text.as_str())
            .collect();
        assert_eq!(cells[2], "%20");
        assert_eq!(cells[8], "11,67 ₺");
        assert_eq!(page.tables[0].headers[2].text, "KDV oranı");
        assert_eq!(
            cell_text(
                &chrome(Language::En),
                "rate_percent",
                &ReportCell::Amount("1.5".parse().unwrap()),
                None
            ),
            "1.5%"
        );
        assert_eq!(
            cell_text(
                &c,
                "state",
                &ReportCell::Text("partly_credited".to_owned()),
                None
            ),
            "Kısmen iade edildi"
        );
        assert_eq!(
            cell_text(&c, "active", &ReportCell::Flag(true), None),
            "Evet"
        );
        assert_eq!(
            cell_text(&c, "package", &ReportCell::Text("paid".to_owned()), None),
            "paid",
            "only known values of known columns are translated"
        );
    }

    #[test]
    fn the_register_names_its_missing_numbers() {
        let register = RegisterReport {
            entries: Vec::new(),
            numbering: vec![
                NumberingCheck {
                    series: "KSA".to_owned(),
                    year: 2026,
                    documents: 7,
                    last_number: 10,
                    missing: vec![(4, 4), (8, 9)],
                },
                NumberingCheck {
                    series: "KSA-CN".to_owned(),
                    year: 2026,
                    documents: 2,
                    last_number: 2,
                    missing: Vec::new(),
                },
            ],
            next: None,
        };
        let c = chrome(Language::En);
        let page = view(&c, &Report::Invoices(register), &november(Grouping::Month));
        assert_eq!(
            page.summary[1],
            ("Missing numbers".to_owned(), "3".to_owned())
        );
        let numbering = &page.tables[1];
        let missing: Vec<&str> = numbering
            .rows
            .iter()
            .map(|row| row.cells[4].text.as_str())
            .collect();
        assert_eq!(missing, ["4, 8–9", "None"]);
    }

    #[test]
    fn the_liability_shows_what_is_owed_at_the_end_with_a_total_row() {
        let row = |period: &str, closing: &str| LiabilityRow {
            period: period.to_owned(),
            currency: Currency::Try,
            opening: money("0.00", Currency::Try),
            sold: money("100.00", Currency::Try),
            consumed: money("30.00", Currency::Try),
            forfeited: money("0.00", Currency::Try),
            refunded: money("30.00", Currency::Try),
            adjusted: money("0.00", Currency::Try),
            closing: money(closing, Currency::Try),
            credits_closing: 4,
        };
        let report = LiabilityReport {
            rows: vec![row("2026-11", "40.00")],
            totals: vec![row("total", "40.00")],
            free_credits: 3,
        };
        let c = chrome(Language::En);
        let page = view(
            &c,
            &Report::CreditLiability(report),
            &november(Grouping::Month),
        );
        assert_eq!(
            page.summary[0],
            ("Owed on 2026-11-30 (TRY)".to_owned(), "₺40.00".to_owned())
        );
        assert_eq!(page.summary[1].1, "3");
        assert_eq!(page.charts.len(), 1);
        assert_eq!(
            page.charts[0].title,
            "Liability at the end of each period in TRY"
        );
        assert_eq!(page.charts[0].bars[0].title, "2026-11 · Closing: ₺40.00");
        let rows = &page.tables[0].rows;
        assert!(!rows[0].total);
        assert!(rows[1].total);
        assert_eq!(rows[1].cells[0].text, "Total");
    }
}
