//! Which days a report covers, in which time zone, and how they are grouped: calendar days or
//! months in the zone, each turned into the half-open span of instants `[start, end)` it covers
//! (so a day of 23 or 25 hours at a daylight-saving change is still one day).

use jiff::civil::Date as CivilDate;
use jiff::tz::TimeZone;
use time::{Date, OffsetDateTime};

use super::ReportError;

/// The longest window a report covers, in days (ten years).
const MAX_DAYS: i64 = 3_660;
/// The most periods one report lists (a year and a bit of days).
const MAX_PERIODS: usize = 400;

/// A time zone from the IANA database (bundled into the binary).
#[derive(Clone, Debug)]
pub struct ReportZone {
    name: String,
    zone: TimeZone,
}

impl PartialEq for ReportZone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for ReportZone {}

impl ReportZone {
    /// The default: Türkiye's time.
    pub const DEFAULT: &'static str = "Europe/Istanbul";

    /// The zone called `name` (`Europe/Istanbul`, `UTC`, ...).
    ///
    /// # Errors
    /// [`ReportError::InvalidWindow`] for a name the database does not know.
    pub fn named(name: &str) -> Result<Self, ReportError> {
        TimeZone::get(name)
            .map(|zone| Self {
                name: name.to_owned(),
                zone,
            })
            .map_err(|_| {
                ReportError::InvalidWindow(format!(
                    "`{name}` is not a time zone of the IANA database (e.g. Europe/Istanbul, UTC)"
                ))
            })
    }

    /// Europe/Istanbul.
    ///
    /// # Panics
    /// Never: the bundled database has it.
    #[must_use]
    pub fn istanbul() -> Self {
        Self::named(Self::DEFAULT).expect("the bundled time zone database has Europe/Istanbul")
    }

    /// Its name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The first instant of `date` in this zone.
    fn start_of(&self, date: CivilDate) -> Result<OffsetDateTime, ReportError> {
        let zoned = date
            .to_zoned(self.zone.clone())
            .map_err(|error| ReportError::InvalidWindow(format!("{date}: {error}")))?;
        OffsetDateTime::from_unix_timestamp_nanos(zoned.timestamp().as_nanosecond())
            .map_err(|error| ReportError::InvalidWindow(error.to_string()))
    }

    /// The calendar date of `at` in this zone.
    #[must_use]
    pub fn date_of(&self, at: OffsetDateTime) -> Date {
        jiff::Timestamp::from_nanosecond(at.unix_timestamp_nanos())
            .ok()
            .and_then(|timestamp| {
                let date = timestamp.to_zoned(self.zone.clone()).date();
                Date::from_calendar_date(
                    i32::from(date.year()),
                    time::Month::try_from(u8::try_from(date.month()).ok()?).ok()?,
                    u8::try_from(date.day()).ok()?,
                )
                .ok()
            })
            .unwrap_or_else(|| at.date())
    }

    /// The calendar date and time of `at` in this zone, as `YYYY-MM-DD HH:MM:SS`.
    #[must_use]
    pub fn local_time(&self, at: OffsetDateTime) -> String {
        let nanos = at.unix_timestamp_nanos();
        jiff::Timestamp::from_nanosecond(nanos).map_or_else(
            |_| at.to_string(),
            |timestamp| {
                timestamp
                    .to_zoned(self.zone.clone())
                    .strftime("%Y-%m-%d %H:%M:%S")
                    .to_string()
            },
        )
    }
}

/// Days or months.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Grouping {
    /// One period per calendar day.
    Day,
    /// One period per calendar month (the first and last may be partial).
    Month,
}

impl Grouping {
    /// `day` or `month`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Month => "month",
        }
    }
}

/// One period of a report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Period {
    /// `2026-11` or `2026-11-23`.
    pub label: String,
    /// Its first instant.
    pub start: OffsetDateTime,
    /// The first instant after it.
    pub end: OffsetDateTime,
}

/// The days a report covers (both `from` and `to` included), grouped, in a zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportWindow {
    from: Date,
    to: Date,
    grouping: Grouping,
    zone: ReportZone,
    periods: Vec<Period>,
}

fn civil(date: Date) -> Result<CivilDate, ReportError> {
    CivilDate::new(
        i16::try_from(date.year())
            .map_err(|_| ReportError::InvalidWindow(format!("{date}: year out of range")))?,
        i8::try_from(u8::from(date.month())).unwrap_or(1),
        i8::try_from(date.day()).unwrap_or(1),
    )
    .map_err(|error| ReportError::InvalidWindow(format!("{date}: {error}")))
}

fn next_day(date: CivilDate) -> Result<CivilDate, ReportError> {
    date.tomorrow()
        .map_err(|error| ReportError::InvalidWindow(error.to_string()))
}

impl ReportWindow {
    /// The days `from` to `to`, both included.
    ///
    /// # Errors
    /// [`ReportError::InvalidWindow`] when `to` is before `from`, the window is longer than ten
    /// years, or it would list more than 400 periods (a day grouping over more than a year).
    pub fn new(
        from: Date,
        to: Date,
        grouping: Grouping,
        zone: ReportZone,
    ) -> Result<Self, ReportError> {
        if to < from {
            return Err(ReportError::InvalidWindow(format!(
                "to ({to}) is before from ({from})"
            )));
        }
        if (to - from).whole_days() >= MAX_DAYS {
            return Err(ReportError::InvalidWindow(format!(
                "a report covers at most {MAX_DAYS} days"
            )));
        }
        let last = civil(to)?;
        let mut periods = Vec::new();
        let mut day = civil(from)?;
        while day <= last {
            let period_last = match grouping {
                Grouping::Day => day,
                Grouping::Month => day.last_of_month().min(last),
            };
            let after = next_day(period_last)?;
            periods.push(Period {
                label: match grouping {
                    Grouping::Day => day.strftime("%Y-%m-%d").to_string(),
                    Grouping::Month => day.strftime("%Y-%m").to_string(),
                },
                start: zone.start_of(day)?,
                end: zone.start_of(after)?,
            });
            if periods.len() > MAX_PERIODS {
                return Err(ReportError::InvalidWindow(format!(
                    "a report lists at most {MAX_PERIODS} periods: group by month, or ask for \
                     fewer days"
                )));
            }
            day = after;
        }
        Ok(Self {
            from,
            to,
            grouping,
            zone,
            periods,
        })
    }

    /// The first day.
    #[must_use]
    pub const fn from(&self) -> Date {
        self.from
    }

    /// The last day (included).
    #[must_use]
    pub const fn to(&self) -> Date {
        self.to
    }

    /// Days or months.
    #[must_use]
    pub const fn grouping(&self) -> Grouping {
        self.grouping
    }

    /// The zone.
    #[must_use]
    pub const fn zone(&self) -> &ReportZone {
        &self.zone
    }

    /// The periods, in order.
    #[must_use]
    pub fn periods(&self) -> &[Period] {
        &self.periods
    }

    /// The first instant covered.
    #[must_use]
    pub fn start(&self) -> OffsetDateTime {
        self.periods
            .first()
            .map_or(OffsetDateTime::UNIX_EPOCH, |period| period.start)
    }

    /// The first instant after the window.
    #[must_use]
    pub fn end(&self) -> OffsetDateTime {
        self.periods
            .last()
            .map_or(OffsetDateTime::UNIX_EPOCH, |period| period.end)
    }

    /// The period `at` falls in, if any.
    #[must_use]
    pub fn period_of(&self, at: OffsetDateTime) -> Option<&Period> {
        self.period_index(at).map(|index| &self.periods[index])
    }

    /// The position of the period `at` falls in, if any.
    #[must_use]
    pub fn period_index(&self, at: OffsetDateTime) -> Option<usize> {
        let index = self
            .periods
            .partition_point(|period| period.start <= at)
            .checked_sub(1)?;
        (at < self.periods[index].end).then_some(index)
    }

    /// The earliest calendar year (of documents' numbers, which follow UTC) the window touches.
    #[must_use]
    pub fn first_year(&self) -> i32 {
        self.start().year()
    }

    /// The latest such year.
    #[must_use]
    pub fn last_year(&self) -> i32 {
        (self.end() - time::Duration::NANOSECOND).year()
    }
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::{Grouping, ReportWindow, ReportZone};

    #[test]
    fn istanbul_days_start_at_21_utc_the_day_before() {
        let window = ReportWindow::new(
            date!(2026 - 11 - 01),
            date!(2026 - 11 - 02),
            Grouping::Day,
            ReportZone::istanbul(),
        )
        .unwrap();
        assert_eq!(window.periods().len(), 2);
        assert_eq!(window.start(), datetime!(2026-10-31 21:00 UTC));
        assert_eq!(window.end(), datetime!(2026-11-02 21:00 UTC));
        assert_eq!(window.periods()[1].label, "2026-11-02");
        let last_second_of_the_first = datetime!(2026-11-01 20:59:59.999999 UTC);
        assert_eq!(
            window.period_of(last_second_of_the_first).unwrap().label,
            "2026-11-01"
        );
        assert_eq!(
            window
                .period_of(datetime!(2026-11-01 21:00 UTC))
                .unwrap()
                .label,
            "2026-11-02"
        );
        assert!(
            window
                .period_of(datetime!(2026-10-31 20:59:59 UTC))
                .is_none()
        );
        assert!(window.period_of(datetime!(2026-11-02 21:00 UTC)).is_none());
    }

    #[test]
    fn months_are_calendar_months_and_a_daylight_saving_day_is_one_day() {
        let berlin = ReportZone::named("Europe/Berlin").unwrap();
        let window = ReportWindow::new(
            date!(2026 - 03 - 15),
            date!(2026 - 05 - 10),
            Grouping::Month,
            berlin.clone(),
        )
        .unwrap();
        let labels: Vec<&str> = window.periods().iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels, ["2026-03", "2026-04", "2026-05"]);
        assert_eq!(window.periods()[1].start, datetime!(2026-03-31 22:00 UTC));
        let change = ReportWindow::new(
            date!(2026 - 03 - 29),
            date!(2026 - 03 - 29),
            Grouping::Day,
            berlin,
        )
        .unwrap();
        assert_eq!(
            change.end() - change.start(),
            time::Duration::hours(23),
            "the spring change's day has 23 hours"
        );
    }

    #[test]
    fn bad_windows_and_zones_are_refused() {
        let zone = ReportZone::istanbul();
        assert!(
            ReportWindow::new(
                date!(2026 - 02 - 01),
                date!(2026 - 01 - 01),
                Grouping::Day,
                zone.clone()
            )
            .is_err()
        );
        assert!(
            ReportWindow::new(
                date!(2024 - 01 - 01),
                date!(2026 - 01 - 01),
                Grouping::Day,
                zone
            )
            .is_err()
        );
        assert!(ReportZone::named("Mars/Olympus").is_err());
    }
}
