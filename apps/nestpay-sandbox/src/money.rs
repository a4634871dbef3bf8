//! Amounts and currencies at NestPay's edge. Inside the sandbox an amount is an integer number of
//! minor units (every currency it knows has two decimals); NestPay's texts are converted here.

use std::str::FromStr as _;

use rust_decimal::Decimal;

/// A currency the sandbox knows, by its ISO 4217 codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Currency {
    /// The numeric code NestPay speaks (`949`).
    pub numeric: &'static str,
    /// The alphabetic code (`TRY`), for pages.
    pub alpha: &'static str,
}

/// The currencies NestPay stores commonly take; all have two decimals.
pub const CURRENCIES: [Currency; 4] = [
    Currency {
        numeric: "949",
        alpha: "TRY",
    },
    Currency {
        numeric: "840",
        alpha: "USD",
    },
    Currency {
        numeric: "978",
        alpha: "EUR",
    },
    Currency {
        numeric: "826",
        alpha: "GBP",
    },
];

/// The currency with this numeric code.
pub fn currency(numeric: &str) -> Option<Currency> {
    CURRENCIES
        .iter()
        .copied()
        .find(|currency| currency.numeric == numeric)
}

/// The gate's `amount`: digits, a dot and exactly two decimals (`100.25`), more than zero.
pub fn parse_gate_amount(text: &str) -> Option<i64> {
    let (whole, decimals) = text.split_once('.')?;
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || whole.len() > 12 || decimals.len() != 2 || !digits(decimals) {
        return None;
    }
    let minor = format!("{whole}{decimals}").parse::<i64>().ok()?;
    (minor > 0).then_some(minor)
}

/// The XML API's `Total`: a dot decimal with at most two decimals (`10`, `10.5`, `10.50`),
/// more than zero.
pub fn parse_api_total(text: &str) -> Option<i64> {
    if text.starts_with(['-', '+']) || text.contains(['e', 'E', ',', '_']) {
        return None;
    }
    let amount = Decimal::from_str(text).ok()?;
    if amount.scale() > 2 || amount <= Decimal::ZERO {
        return None;
    }
    let minor = amount.checked_mul(Decimal::ONE_HUNDRED)?.normalize();
    i64::try_from(minor).ok()
}

/// Minor units as NestPay writes amounts: `10025` is `100.25`.
pub fn format_minor(minor: i64) -> String {
    Decimal::new(minor, 2).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gate_amounts_are_strict() {
        assert_eq!(parse_gate_amount("100.25"), Some(10025));
        assert_eq!(parse_gate_amount("0.01"), Some(1));
        for wrong in [
            "100", "100.2", "100,25", "1,000.00", "-1.00", "0.00", ".50", "1.000",
        ] {
            assert_eq!(parse_gate_amount(wrong), None, "{wrong}");
        }
    }

    #[test]
    fn api_totals_take_up_to_two_decimals() {
        assert_eq!(parse_api_total("10"), Some(1000));
        assert_eq!(parse_api_total("10.5"), Some(1050));
        assert_eq!(parse_api_total("30.00"), Some(3000));
        for wrong in ["0", "-5.00", "1.001", "abc", "1e3", ""] {
            assert_eq!(parse_api_total(wrong), None, "{wrong}");
        }
        assert_eq!(format_minor(10025), "100.25");
        assert_eq!(format_minor(7000), "70.00");
    }
}
