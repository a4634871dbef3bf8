//! Words, dates and money as a person reads them, in Turkish or English. The pages, the e-mails
//! and the PDFs all take their words from here, so one thing has one name in each language, and
//! no template or document formats a date or an amount itself.
//!
//! The words live in `crates/locale/words/*.txt`, one file per area, each entry with both
//! languages side by side:
//!
//! ```text
//! [sign-in.title]
//! en = Sign in
//! tr = Oturum aç
//! ```
//!
//! A value may name parameters in braces (`{amount}`), filled by [`Locale::fill`]. The files are
//! compiled in; a test checks every entry has both languages.

mod words;

use kasa_domain::{Language, Money};
use time::{Month, OffsetDateTime, UtcOffset};

pub use words::{WordsError, entries};

/// How to write for one reader: their language and the time zone dates are shown in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Locale {
    language: Language,
    offset: UtcOffset,
}

impl Locale {
    /// Turkey's time (UTC+03:00 all year since 2016): the zone Kasa shows dates in.
    pub const TURKEY: UtcOffset = match UtcOffset::from_hms(3, 0, 0) {
        Ok(offset) => offset,
        Err(_) => UtcOffset::UTC,
    };

    /// Writing in `language`, dates in Turkey's time.
    #[must_use]
    pub const fn new(language: Language) -> Self {
        Self {
            language,
            offset: Self::TURKEY,
        }
    }

    /// The same, with dates shown at `offset`.
    #[must_use]
    pub const fn at_offset(self, offset: UtcOffset) -> Self {
        Self { offset, ..self }
    }

    /// The language.
    #[must_use]
    pub const fn language(&self) -> Language {
        self.language
    }

    /// The ISO 639-1 code, for `<html lang>`.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        self.language.code()
    }

    /// The words of `key` in this language. An unknown key gives the key itself (a test keeps
    /// every key the templates use in the files).
    #[must_use]
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        words::lookup(key, self.language).unwrap_or(key)
    }

    /// The words of `key` with each `{name}` replaced by its value.
    #[must_use]
    pub fn fill(&self, key: &str, values: &[(&str, &str)]) -> String {
        let mut text = self.t(key).to_owned();
        for (name, value) in values {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    /// An amount: `1.234,56 ₺` in Turkish, `₺1,234.56` in English (the currency's sign, or its
    /// code where it has none).
    #[must_use]
    pub fn money(&self, money: &Money) -> String {
        let text = money.amount().to_string();
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
        let (sign, digits) = whole
            .strip_prefix('-')
            .map_or(("", whole), |digits| ("-", digits));
        let turkish = self.language == Language::Tr;
        let grouped = group(digits, if turkish { '.' } else { ',' });
        let places = usize::try_from(money.currency().minor_unit_exponent()).unwrap_or(2);
        let mut fraction = fraction.to_owned();
        while fraction.len() < places {
            fraction.push('0');
        }
        let decimal = if turkish { ',' } else { '.' };
        let number = if fraction.is_empty() {
            grouped
        } else {
            format!("{grouped}{decimal}{fraction}")
        };
        let symbol = money.currency().symbol();
        if turkish {
            format!("{sign}{number} {symbol}")
        } else {
            format!("{sign}{symbol}{number}")
        }
    }

    /// A whole number with thousands grouped: `12.500` / `12,500`.
    #[must_use]
    pub fn number(&self, number: i64) -> String {
        let digits = number.unsigned_abs().to_string();
        let separator = if self.language == Language::Tr {
            '.'
        } else {
            ','
        };
        let sign = if number < 0 { "-" } else { "" };
        format!("{sign}{}", group(&digits, separator))
    }

    /// A day: `02.01.2027` in Turkish, `2 Jan 2027` in English.
    #[must_use]
    pub fn date(&self, at: OffsetDateTime) -> String {
        let at = at.to_offset(self.offset);
        match self.language {
            Language::Tr => format!("{:02}.{:02}.{}", at.day(), u8::from(at.month()), at.year()),
            Language::En => format!(
                "{} {} {}",
                at.day(),
                month_abbreviation(at.month()),
                at.year()
            ),
        }
    }

    /// A moment to the minute: `02.01.2027 14:05` / `2 Jan 2027, 14:05`.
    #[must_use]
    pub fn date_time(&self, at: OffsetDateTime) -> String {
        let local = at.to_offset(self.offset);
        let clock = format!("{:02}:{:02}", local.hour(), local.minute());
        match self.language {
            Language::Tr => format!("{} {clock}", self.date(at)),
            Language::En => format!("{}, {clock}", self.date(at)),
        }
    }
}

/// `digits` (no sign) with `separator` between each group of three.
fn group(digits: &str, separator: char) -> String {
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(separator);
        }
        grouped.push(digit);
    }
    grouped
}

const fn month_abbreviation(month: Month) -> &'static str {
    match month {
        Month::January => "Jan",
        Month::February => "Feb",
        Month::March => "Mar",
        Month::April => "Apr",
        Month::May => "May",
        Month::June => "Jun",
        Month::July => "Jul",
        Month::August => "Aug",
        Month::September => "Sep",
        Month::October => "Oct",
        Month::November => "Nov",
        Month::December => "Dec",
    }
}

#[cfg(test)]
mod tests {
    use kasa_domain::Currency;
    use rust_decimal_macros::dec;
    use time::macros::datetime;

    use super::*;

    const TR: Locale = Locale::new(Language::Tr);
    const EN: Locale = Locale::new(Language::En);

    #[test]
    fn money_reads_as_each_language_writes_it() {
        let money = Money::new(dec!(1234.56), Currency::Try).unwrap();
        assert_eq!(TR.money(&money), "1.234,56 ₺");
        assert_eq!(EN.money(&money), "₺1,234.56");
        let whole = Money::new(dec!(400), Currency::Try).unwrap();
        assert_eq!(TR.money(&whole), "400,00 ₺");
        assert_eq!(EN.money(&whole), "₺400.00");
        let refund = Money::new(dec!(-1234567.5), Currency::Eur).unwrap();
        assert_eq!(TR.money(&refund), "-1.234.567,50 €");
        assert_eq!(EN.money(&refund), "-€1,234,567.50");
    }

    #[test]
    fn dates_are_shown_in_turkey_time() {
        // 22:30 UTC on 1 January is already 2 January in Istanbul.
        let at = datetime!(2027-01-01 22:30 UTC);
        assert_eq!(TR.date(at), "02.01.2027");
        assert_eq!(EN.date(at), "2 Jan 2027");
        assert_eq!(TR.date_time(at), "02.01.2027 01:30");
        assert_eq!(EN.date_time(at), "2 Jan 2027, 01:30");
        assert_eq!(EN.at_offset(UtcOffset::UTC).date(at), "1 Jan 2027");
    }

    #[test]
    fn numbers_are_grouped() {
        assert_eq!(TR.number(12_500), "12.500");
        assert_eq!(EN.number(-1_234_567), "-1,234,567");
        assert_eq!(EN.number(999), "999");
    }

    #[test]
    fn words_come_in_both_languages_and_fill_their_parameters() {
        assert_eq!(EN.t("common.sign-out"), "Sign out");
        assert_eq!(TR.t("common.sign-out"), "Oturumu kapat");
        assert_eq!(EN.t("no.such.key"), "no.such.key");
        assert_eq!(
            EN.fill("common.page-of", &[("page", "2"), ("pages", "5")]),
            "Page 2 of 5"
        );
    }
}
