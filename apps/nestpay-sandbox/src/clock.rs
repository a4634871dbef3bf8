//! The bank's clock and its date formats. The bank runs on Turkish time (UTC+3 all year).

use time::format_description::BorrowedFormatItem;
use time::macros::{format_description, offset};
use time::{OffsetDateTime, UtcOffset};

/// Turkey's offset; it has had no daylight saving time since 2016.
const BANK_OFFSET: UtcOffset = offset!(+3);

const TRX_DATE: &[BorrowedFormatItem<'static>] =
    format_description!("[year][month][day] [hour]:[minute]:[second]");
const DTTM: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day] [hour]:[minute]:[second].[subsecond digits:3]");

/// Now, on the bank's clock.
pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc().to_offset(BANK_OFFSET)
}

/// `TRXDATE` / `EXTRA_TRXDATE`: `20261123 14:05:09`.
pub fn trx_date(at: OffsetDateTime) -> String {
    at.format(TRX_DATE).unwrap_or_default()
}

/// The status fields' `*_DTTM`: `2026-11-23 14:05:09.000`.
pub fn dttm(at: OffsetDateTime) -> String {
    at.format(DTTM).unwrap_or_default()
}

/// A random number for references and tokens (the operating system's generator).
pub fn random_u64() -> u64 {
    // Without the OS generator (it does not fail on supported systems) the clock still varies.
    getrandom::u64().unwrap_or_else(|_| {
        u64::try_from(OffsetDateTime::now_utc().unix_timestamp_nanos() & i128::from(u64::MAX))
            .unwrap_or_default()
    })
}

/// `length` random characters from `alphabet`.
pub fn random_text(alphabet: &[u8], length: usize) -> String {
    let base = u64::try_from(alphabet.len()).unwrap_or(1).max(1);
    (0..length)
        .map(|_| {
            let index = usize::try_from(random_u64() % base).unwrap_or_default();
            char::from(alphabet[index])
        })
        .collect()
}

/// Digits only.
pub const DIGITS: &[u8] = b"0123456789";
/// Letters and digits.
pub const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let at = time::macros::datetime!(2026-11-23 14:05:09.25 +3);
        assert_eq!(trx_date(at), "20261123 14:05:09");
        assert_eq!(dttm(at), "2026-11-23 14:05:09.250");
        assert_eq!(random_text(DIGITS, 6).len(), 6);
    }
}
