//! Bar charts drawn by the server as SVG, for the report pages (revenue over time, usage by
//! department, liability over time).
//!
//! This module only computes geometry: where each bar, tick and label goes, in whole pixels of a
//! fixed `viewBox`. The markup is the template `console/reports/chart.html` (so the escaping is
//! askama's and the colours are classes in `console.css`: the CSP forbids `style=`). Amounts stay
//! [`Decimal`] all the way: a value becomes a pixel by one checked multiplication and division,
//! rounded once (`round_dp(0)`, banker's rounding) into an `i64`. The chart repeats what the
//! page's table says; it never is the only place a figure appears.

use kasa_domain::Decimal;

/// The drawing's width in `viewBox` units (it scales to the page's width).
pub const WIDTH: i64 = 720;
/// The drawing's height.
pub const HEIGHT: i64 = 300;
/// Room left of the plot for the value axis' labels.
const LEFT: i64 = 96;
/// Room right of the plot.
const RIGHT: i64 = 12;
/// Room above the plot.
const TOP: i64 = 14;
/// Room below the plot for the category labels.
const BOTTOM: i64 = 40;
/// The widest bar: one period alone is a bar, not a wall.
const MAX_BAR_PX: i64 = 48;
/// How many steps the value axis aims for.
const STEPS: i64 = 4;
/// The most category labels written under the plot (others are skipped, the bars' own titles
/// still name them).
const MAX_LABELS: usize = 12;
/// The longest category label written (in characters) before it is shortened with `…`.
const LABEL_CHARS: usize = 14;
/// The width of a label's character at the chart's 12 px type, rounded up (digits are about
/// 7.6 px in the console's sans-serif), so labels are spaced not to overlap.
const CHAR_PX: i64 = 8;
/// The least room between two labels.
const LABEL_GAP_PX: i64 = 8;

/// What to draw: categories along the bottom (periods, departments), one bar per series in each.
#[derive(Clone, Debug)]
pub struct ChartData {
    /// The chart's name (the SVG's `<title>`).
    pub title: String,
    /// One sentence on what it shows (the SVG's `<desc>`).
    pub description: String,
    /// The series' names, in drawing order (the legend).
    pub series: Vec<String>,
    /// Each category's label and one value per series.
    pub categories: Vec<(String, Vec<Decimal>)>,
    /// Whether the values are counts (the axis then steps by whole numbers).
    pub counts: bool,
}

/// A bar, in pixels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bar {
    /// Left edge.
    pub x: i64,
    /// Top edge.
    pub y: i64,
    /// Width.
    pub width: i64,
    /// Height (at least 0).
    pub height: i64,
    /// Which series (its colour class `series-N`).
    pub series: usize,
    /// What the bar says when pointed at: category, series and the value as the reader writes it.
    pub title: String,
}

/// A line of the value axis with its label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tick {
    /// Its height in pixels.
    pub y: i64,
    /// The value, as the reader writes it.
    pub label: String,
    /// The value itself.
    pub value: Decimal,
}

/// A category's label under the plot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// The label's centre.
    pub x: i64,
    /// The label's baseline.
    pub y: i64,
    /// The words written (shortened when long).
    pub text: String,
}

/// A legend entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LegendEntry {
    /// Which series (its colour class `series-N`).
    pub series: usize,
    /// Its name.
    pub name: String,
}

/// A chart ready for the template: every position a whole number of pixels.
#[derive(Clone, Debug)]
pub struct Chart {
    /// A page-unique id for the title and description (`aria-labelledby`).
    pub id: String,
    /// The chart's name.
    pub title: String,
    /// What it shows.
    pub description: String,
    /// The `viewBox` width.
    pub width: i64,
    /// The `viewBox` height.
    pub height: i64,
    /// The plot's left edge (the value axis).
    pub plot_left: i64,
    /// The plot's right edge.
    pub plot_right: i64,
    /// The plot's top edge.
    pub plot_top: i64,
    /// The plot's bottom edge.
    pub plot_bottom: i64,
    /// Where zero is (the category axis is drawn there).
    pub zero_y: i64,
    /// The x of the value axis' labels (right-aligned to it).
    pub tick_label_x: i64,
    /// The value axis' lines and labels, lowest first.
    pub ticks: Vec<Tick>,
    /// The bars.
    pub bars: Vec<Bar>,
    /// The category labels.
    pub labels: Vec<Label>,
    /// The legend (empty for a single series).
    pub legend: Vec<LegendEntry>,
}

impl Chart {
    /// Lays out `data`; `format` writes a value as the reader writes it (an amount with its
    /// currency, a count). `None` when there is nothing to draw (no categories or no series).
    pub fn bars(id: &str, data: ChartData, format: &dyn Fn(Decimal) -> String) -> Option<Self> {
        let series_count = data.series.len();
        if data.categories.is_empty() || series_count == 0 {
            return None;
        }
        let values = data
            .categories
            .iter()
            .flat_map(|(_, values)| values.iter().copied());
        let (low, high) = values.fold((Decimal::ZERO, Decimal::ZERO), |(low, high), value| {
            (low.min(value), high.max(value))
        });
        let axis = Axis::spanning(low, high, data.counts);
        let plot_left = LEFT;
        let plot_right = WIDTH - RIGHT;
        let plot_top = TOP;
        let plot_bottom = HEIGHT - BOTTOM;
        let scale = Scale {
            axis: axis.clone(),
            top: plot_top,
            bottom: plot_bottom,
        };
        let ticks = axis
            .ticks()
            .into_iter()
            .map(|value| Tick {
                y: scale.y(value),
                label: format(value),
                value,
            })
            .collect();
        let zero_y = scale.y(Decimal::ZERO);
        let categories = i64::try_from(data.categories.len()).unwrap_or(i64::MAX);
        let band = ((plot_right - plot_left) / categories).max(1);
        // A quarter of each band is the gap between categories; the bars share the rest.
        let bar_width =
            ((band - band / 4) / i64::try_from(series_count).unwrap_or(1)).clamp(1, MAX_BAR_PX);
        let group_left = (band - bar_width * i64::try_from(series_count).unwrap_or(1)) / 2;
        let widest = data
            .categories
            .iter()
            .map(|(label, _)| shorten(label).chars().count())
            .max()
            .unwrap_or(0);
        let label_px = i64::try_from(widest).unwrap_or(LABEL_CHARS as i64) * CHAR_PX + LABEL_GAP_PX;
        let every = data
            .categories
            .len()
            .div_ceil(MAX_LABELS)
            .max(usize::try_from((label_px + band - 1) / band).unwrap_or(1));
        let mut bars = Vec::new();
        let mut labels = Vec::new();
        for (index, (label, values)) in data.categories.iter().enumerate() {
            let band_left = plot_left + band * i64::try_from(index).unwrap_or(0);
            for (series, value) in values.iter().take(series_count).enumerate() {
                let y = scale.y(*value);
                bars.push(Bar {
                    x: band_left + group_left + bar_width * i64::try_from(series).unwrap_or(0),
                    y: y.min(zero_y),
                    width: bar_width,
                    height: (y - zero_y).abs(),
                    series,
                    title: format!("{label} · {}: {}", data.series[series], format(*value)),
                });
            }
            if index % every == 0 {
                labels.push(Label {
                    x: band_left + band / 2,
                    y: plot_bottom + 18,
                    text: shorten(label),
                });
            }
        }
        let legend = if series_count > 1 {
            data.series
                .iter()
                .enumerate()
                .map(|(series, name)| LegendEntry {
                    series,
                    name: name.clone(),
                })
                .collect()
        } else {
            Vec::new()
        };
        Some(Self {
            id: id.to_owned(),
            title: data.title,
            description: data.description,
            width: WIDTH,
            height: HEIGHT,
            plot_left,
            plot_right,
            plot_top,
            plot_bottom,
            zero_y,
            tick_label_x: plot_left - 6,
            ticks,
            bars,
            labels,
            legend,
        })
    }
}

/// A category label short enough to sit under its bar.
fn shorten(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        label.to_owned()
    } else {
        let mut short: String = label.chars().take(LABEL_CHARS - 1).collect();
        short.push('…');
        short
    }
}

/// The value axis: from `low` to `high` in steps of `step`, each a round number (1, 2 or 5
/// times a power of ten), zero always on it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Axis {
    low: Decimal,
    high: Decimal,
    step: Decimal,
}

impl Axis {
    /// The smallest round axis holding `low..=high` (`low <= 0 <= high`); for `counts`, in
    /// whole steps.
    fn spanning(low: Decimal, high: Decimal, counts: bool) -> Self {
        let span = high.checked_sub(low).unwrap_or(Decimal::MAX);
        if span.is_zero() {
            return Self {
                low: Decimal::ZERO,
                high: Decimal::ONE,
                step: Decimal::ONE,
            };
        }
        let raw = span / Decimal::from(STEPS);
        let step = if counts {
            round_step(raw).max(Decimal::ONE)
        } else {
            round_step(raw)
        };
        let low = (low / step).floor().checked_mul(step).unwrap_or(low);
        let high = (high / step).ceil().checked_mul(step).unwrap_or(high);
        Self { low, high, step }
    }

    /// The values of the axis' lines, lowest first.
    fn ticks(&self) -> Vec<Decimal> {
        let mut ticks = Vec::new();
        let mut value = self.low;
        // The axis has about STEPS steps; the bound only guards against a bad step.
        while value <= self.high && ticks.len() <= 2 * usize::try_from(STEPS).unwrap_or(4) + 2 {
            ticks.push(value.normalize());
            value = match value.checked_add(self.step) {
                Some(next) => next,
                None => break,
            };
        }
        ticks
    }
}

/// The least of 1, 2, 5 times a power of ten that is at least `raw` (`raw > 0`).
fn round_step(raw: Decimal) -> Decimal {
    let ten = Decimal::TEN;
    let mut power = Decimal::ONE;
    // Up: the power of ten at most raw. Down: for raw below one. Both bounded by Decimal's range.
    while power.checked_mul(ten).is_some_and(|next| next <= raw) {
        power *= ten;
    }
    while power > raw && power.scale() < 27 {
        power /= ten;
    }
    [Decimal::ONE, Decimal::TWO, Decimal::from(5), ten]
        .into_iter()
        .filter_map(|factor| power.checked_mul(factor))
        .find(|step| *step >= raw)
        .unwrap_or_else(|| power.checked_mul(ten).unwrap_or(Decimal::MAX))
}

/// `pixels` rounded once (banker's rounding) to a whole number.
fn whole_pixels(pixels: Decimal) -> i64 {
    let whole = pixels.round_dp(0);
    let unit = 10_i128.checked_pow(whole.scale()).unwrap_or(1);
    i64::try_from(whole.mantissa() / unit).unwrap_or(0)
}

/// Values to pixels: `axis.low` at `bottom`, `axis.high` at `top`.
struct Scale {
    axis: Axis,
    top: i64,
    bottom: i64,
}

impl Scale {
    /// The pixel row of `value` (clamped to the plot).
    fn y(&self, value: Decimal) -> i64 {
        let span = self
            .axis
            .high
            .checked_sub(self.axis.low)
            .unwrap_or(Decimal::MAX);
        let height = Decimal::from(self.bottom - self.top);
        // Divide first: the fraction of the axis is at most one, so the product cannot overflow.
        let offset = value
            .checked_sub(self.axis.low)
            .and_then(|above| above.checked_div(span))
            .and_then(|fraction| fraction.checked_mul(height))
            .map_or(0, whole_pixels);
        (self.bottom - offset).clamp(self.top, self.bottom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn amount(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    fn plain(value: Decimal) -> String {
        value.to_string()
    }

    fn revenue(values: &[&str]) -> ChartData {
        ChartData {
            title: "Net revenue".to_owned(),
            description: "Net revenue per month".to_owned(),
            series: vec!["Net".to_owned()],
            categories: values
                .iter()
                .enumerate()
                .map(|(index, value)| (format!("2026-{:02}", index + 1), vec![amount(value)]))
                .collect(),
            counts: false,
        }
    }

    #[test]
    fn round_steps_are_one_two_or_five_times_a_power_of_ten() {
        assert_eq!(round_step(amount("0.7")), amount("1"));
        assert_eq!(round_step(amount("1")), amount("1"));
        assert_eq!(round_step(amount("1.2")), amount("2"));
        assert_eq!(round_step(amount("3")), amount("5"));
        assert_eq!(round_step(amount("7")), amount("10"));
        assert_eq!(round_step(amount("312.5")), amount("500"));
        assert_eq!(round_step(amount("0.013")), amount("0.02"));
        assert_eq!(round_step(amount("25000")), amount("50000"));
    }

    #[test]
    fn the_axis_holds_every_value_and_zero_on_round_lines() {
        let axis = Axis::spanning(Decimal::ZERO, amount("1250.50"), false);
        assert_eq!(axis.step, amount("500"));
        assert_eq!(axis.low, Decimal::ZERO);
        assert_eq!(axis.high, amount("1500"));
        let ticks = axis.ticks();
        assert_eq!(
            ticks,
            vec![amount("0"), amount("500"), amount("1000"), amount("1500")]
        );
        let negative = Axis::spanning(amount("-120"), amount("300"), false);
        assert_eq!(negative.step, amount("200"));
        assert_eq!(negative.low, amount("-200"));
        assert_eq!(negative.high, amount("400"));
        assert!(negative.ticks().contains(&Decimal::ZERO));
        // Two tickets: the axis counts 0, 1, 2, never half a ticket.
        let counts = Axis::spanning(Decimal::ZERO, amount("2"), true);
        assert_eq!(counts.ticks(), vec![amount("0"), amount("1"), amount("2")]);
        assert_eq!(
            Axis::spanning(Decimal::ZERO, amount("2"), false).step,
            amount("0.5")
        );
    }

    #[test]
    fn nothing_to_draw_is_no_chart_and_all_zero_is_a_flat_chart() {
        let empty = ChartData {
            categories: Vec::new(),
            ..revenue(&[])
        };
        assert!(Chart::bars("c", empty, &plain).is_none());
        let zero = Chart::bars("c", revenue(&["0", "0"]), &plain).unwrap();
        assert!(zero.bars.iter().all(|bar| bar.height == 0));
        assert_eq!(zero.zero_y, HEIGHT - BOTTOM);
    }

    #[test]
    fn bar_heights_are_proportional_to_the_amounts_in_whole_pixels() {
        let chart =
            Chart::bars("c", revenue(&["100.00", "200.00", "0.01", "400"]), &plain).unwrap();
        // The axis runs 0..400 over the plot's 246 pixels.
        let plot = HEIGHT - BOTTOM - TOP;
        assert_eq!(chart.ticks.last().unwrap().value, amount("400"));
        let heights: Vec<i64> = chart.bars.iter().map(|bar| bar.height).collect();
        assert_eq!(heights[3], plot);
        assert_eq!(heights[1], plot / 2);
        // 100 of 400 is 61.5 pixels: rounded once, to the even 62.
        assert_eq!(heights[0], 62);
        // A cent is no pixel at all, but it is still a bar with its value in its title.
        assert_eq!(heights[2], 0);
        assert!(chart.bars[2].title.ends_with("0.01"));
        for bar in &chart.bars {
            assert_eq!(bar.y + bar.height, chart.zero_y, "bars stand on zero");
            assert!(bar.x >= chart.plot_left && bar.x + bar.width <= chart.plot_right);
        }
        // Bars go left to right in the categories' order, without overlapping.
        for pair in chart.bars.windows(2) {
            assert!(pair[0].x + pair[0].width <= pair[1].x);
        }
    }

    #[test]
    fn negative_values_hang_below_zero() {
        let chart = Chart::bars("c", revenue(&["300", "-120"]), &plain).unwrap();
        let (up, down) = (&chart.bars[0], &chart.bars[1]);
        assert_eq!(up.y + up.height, chart.zero_y);
        assert_eq!(down.y, chart.zero_y);
        assert!(down.height > 0);
        assert!(chart.zero_y > chart.plot_top && chart.zero_y < chart.plot_bottom);
        // -120 of an axis -200..400 (246 px): 49.2 px.
        assert_eq!(down.height, 49);
    }

    #[test]
    fn ticks_are_labelled_by_the_readers_format_lowest_at_the_bottom() {
        let chart = Chart::bars("c", revenue(&["1250.50"]), &|value| format!("₺{value}")).unwrap();
        let labels: Vec<&str> = chart.ticks.iter().map(|tick| tick.label.as_str()).collect();
        assert_eq!(labels, ["₺0", "₺500", "₺1000", "₺1500"]);
        assert_eq!(chart.ticks[0].y, chart.plot_bottom);
        assert_eq!(chart.ticks[3].y, chart.plot_top);
        assert!(chart.ticks.windows(2).all(|pair| pair[0].y > pair[1].y));
    }

    #[test]
    fn several_series_sit_side_by_side_with_a_legend() {
        let data = ChartData {
            title: "Revenue".to_owned(),
            description: "Gross and refunds".to_owned(),
            series: vec!["Gross".to_owned(), "Refunds".to_owned()],
            categories: vec![
                ("Jan".to_owned(), vec![amount("10"), amount("2")]),
                ("Feb".to_owned(), vec![amount("20"), amount("0")]),
            ],
            counts: false,
        };
        let chart = Chart::bars("c", data, &plain).unwrap();
        assert_eq!(chart.bars.len(), 4);
        assert_eq!(chart.bars[0].series, 0);
        assert_eq!(chart.bars[1].series, 1);
        assert_eq!(chart.bars[0].x + chart.bars[0].width, chart.bars[1].x);
        assert_eq!(chart.legend.len(), 2);
        assert_eq!(chart.bars[1].title, "Jan · Refunds: 2");
        let single = Chart::bars("c", revenue(&["1"]), &plain).unwrap();
        assert!(single.legend.is_empty());
        // A lone bar keeps a bar's width, in the middle of the plot.
        let bar = &single.bars[0];
        assert_eq!(bar.width, MAX_BAR_PX);
        assert_eq!(
            bar.x + bar.width / 2,
            (single.plot_left + single.plot_right) / 2
        );
    }

    #[test]
    fn many_categories_keep_a_readable_number_of_labels() {
        let values: Vec<String> = (1..=31).map(|day| day.to_string()).collect();
        let values: Vec<&str> = values.iter().map(String::as_str).collect();
        let chart = Chart::bars("c", revenue(&values), &plain).unwrap();
        assert_eq!(chart.bars.len(), 31);
        assert!(chart.labels.len() <= MAX_LABELS);
        assert_eq!(chart.labels[0].text, "2026-01");
        // Seven characters need 64 px; a band is 19 px: every fourth label is written.
        assert_eq!(chart.labels.len(), 8);
        for pair in chart.labels.windows(2) {
            assert!(
                pair[1].x - pair[0].x >= 7 * CHAR_PX + LABEL_GAP_PX,
                "{pair:?}"
            );
        }
        let long = ChartData {
            categories: vec![(
                "Kurumsal Müşteri Destek Birimi".to_owned(),
                vec![amount("3")],
            )],
            ..revenue(&[])
        };
        let chart = Chart::bars("c", long, &plain).unwrap();
        assert_eq!(chart.labels[0].text.chars().count(), LABEL_CHARS);
        assert!(chart.labels[0].text.ends_with('…'));
        assert!(
            chart.bars[0]
                .title
                .starts_with("Kurumsal Müşteri Destek Birimi")
        );
    }

    #[test]
    fn huge_amounts_neither_overflow_nor_escape_the_plot() {
        let chart =
            Chart::bars("c", revenue(&["80000000000000000000000000", "1"]), &plain).unwrap();
        assert_eq!(chart.bars[0].y, chart.plot_top);
        assert_eq!(chart.bars[1].height, 0);
        // Decimal's very ends: no panic, every bar inside the plot.
        let extremes = revenue(&[
            "79228162514264337593543950335",
            "-79228162514264337593543950335",
            "0.0000000000000000000000000001",
        ]);
        let chart = Chart::bars("c", extremes, &plain).unwrap();
        for bar in &chart.bars {
            assert!(bar.y >= chart.plot_top && bar.y + bar.height <= chart.plot_bottom);
        }
    }

    /// The chart's own template, alone (the report pages include it the same way).
    #[derive(askama::Template)]
    #[template(path = "console/reports/chart.html")]
    struct ChartFigure<'a> {
        chart: &'a Chart,
    }

    #[test]
    fn the_svg_has_its_name_axes_labels_and_a_rect_per_bar_escaped() {
        use askama::Template;
        let data = ChartData {
            title: "Usage by department".to_owned(),
            description: "Tickets <and> chats".to_owned(),
            series: vec!["Tickets".to_owned(), "Chats".to_owned()],
            categories: vec![
                ("R&D".to_owned(), vec![amount("12"), amount("3")]),
                ("Satış".to_owned(), vec![amount("7"), amount("9")]),
            ],
            counts: true,
        };
        let chart = Chart::bars("usage", data, &plain).unwrap();
        let svg = ChartFigure { chart: &chart }.render().unwrap();
        assert!(svg.contains(r#"role="img" aria-labelledby="usage-title usage-desc""#));
        assert!(svg.contains(r#"<title id="usage-title">Usage by department</title>"#));
        assert!(
            svg.contains("Tickets &#60;and&#62; chats")
                || svg.contains("Tickets &lt;and&gt; chats")
        );
        assert_eq!(svg.matches("<rect ").count(), 4);
        assert_eq!(svg.matches(r#"class="axis""#).count(), 2);
        assert!(svg.contains(r#"viewBox="0 0 720 300""#));
        assert!(svg.contains("R&#38;D") || svg.contains("R&amp;D"));
        assert!(!svg.contains("R&D"));
        assert!(svg.contains(">Satış</text>"));
        for tick in &chart.ticks {
            assert!(svg.contains(&format!(">{}</text>", tick.label)));
        }
        assert!(svg.contains(r#"<span class="swatch series-1" aria-hidden="true"></span>Chats"#));
        assert!(!svg.contains("style="), "the CSP forbids style attributes");
    }
}
