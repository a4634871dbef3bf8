//! Cards: format checks (Luhn, expiry, CVV), brands, masking, and the test cards that decide
//! an outcome. The table here is the one in README.md; Kasa's end-to-end tests rely on it.

/// What the issuer answers once 3-D Secure is done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IssuerAnswer {
    /// `ProcReturnCode` `00`.
    Approved,
    /// A two-digit issuer refusal code (`05`, `51`, `54`, `57`).
    Declined(&'static str),
}

/// The simulated result of one card: the 3-D Secure status, then the issuer's answer (none
/// when authentication failed, as no payment is attempted then).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CardOutcome {
    /// `mdStatus`: `1` full authentication, `2` half-secure, `0` failed.
    pub md_status: &'static str,
    /// The issuer's answer; `None` when 3-D Secure failed.
    pub issuer: Option<IssuerAnswer>,
}

/// One row of the test card table.
#[derive(Debug)]
pub struct TestCard {
    /// The card number (Luhn-valid).
    pub number: &'static str,
    /// What happens with it.
    pub outcome: CardOutcome,
    /// The README's description of the row.
    pub description: &'static str,
}

const FULL: &str = "1";
const APPROVE: Option<IssuerAnswer> = Some(IssuerAnswer::Approved);

const fn card(
    number: &'static str,
    md_status: &'static str,
    issuer: Option<IssuerAnswer>,
    description: &'static str,
) -> TestCard {
    TestCard {
        number,
        outcome: CardOutcome { md_status, issuer },
        description,
    }
}

const fn decline(code: &'static str) -> Option<IssuerAnswer> {
    Some(IssuerAnswer::Declined(code))
}

/// The test cards; any other Luhn-valid number is approved with full authentication.
#[rustfmt::skip]
pub const TEST_CARDS: [TestCard; 8] = [
    card("4508034508034509", FULL, APPROVE, "approved (Visa): mdStatus 1, ProcReturnCode 00"),
    card("5406675406675403", FULL, APPROVE, "approved (Mastercard): mdStatus 1, ProcReturnCode 00"),
    card("4000000000000002", FULL, decline("05"), "declined, do not honour: mdStatus 1, ProcReturnCode 05"),
    card("4000000000000051", FULL, decline("51"), "declined, insufficient funds: mdStatus 1, ProcReturnCode 51"),
    card("4000000000000549", FULL, decline("54"), "declined, expired card: mdStatus 1, ProcReturnCode 54"),
    card("4000000000000572", FULL, decline("57"), "declined, not permitted to cardholder: mdStatus 1, ProcReturnCode 57"),
    card("4000000000000010", "0", None, "3-D Secure failed: mdStatus 0, no payment attempted, Response Declined, ProcReturnCode 99"),
    card("4000000000000028", "2", APPROVE, "half-secure: mdStatus 2, approved with ProcReturnCode 00 and captured (the merchant decides)"),
];

/// The outcome of a card number (already checked with [`is_valid_pan`]) with an expiry that
/// has or has not passed: an expired card is declined with `54` whatever its number.
pub fn outcome_for(pan: &str, expired: bool) -> CardOutcome {
    let listed = TEST_CARDS.iter().find(|card| card.number == pan);
    let outcome = listed.map_or(card("", FULL, APPROVE, "").outcome, |card| card.outcome);
    match outcome.issuer {
        Some(_) if expired => CardOutcome {
            md_status: outcome.md_status,
            issuer: decline("54"),
        },
        _ => outcome,
    }
}

/// The issuer's text for a refusal code, in Turkish and English.
pub fn refusal_text(code: &str) -> (&'static str, &'static str) {
    match code {
        "05" => ("Red-Onaylanmadı", "Do not honour"),
        "51" => ("Yetersiz bakiye", "Insufficient funds"),
        "54" => ("Kartın son kullanma tarihi geçmiş", "Expired card"),
        "57" => (
            "Kart sahibine bu işlem izni yok",
            "Transaction not permitted to cardholder",
        ),
        _ => ("İşlem onaylanmadı", "Declined"),
    }
}

/// 12 to 19 digits passing the Luhn check.
pub fn is_valid_pan(pan: &str) -> bool {
    (12..=19).contains(&pan.len()) && pan.bytes().all(|byte| byte.is_ascii_digit()) && luhn(pan)
}

fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(position, byte)| {
            let digit = u32::from(byte - b'0');
            if position % 2 == 1 {
                let doubled = digit * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                digit
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// A CVV: three or four digits.
pub fn is_valid_cvv(cvv: &str) -> bool {
    (3..=4).contains(&cvv.len()) && cvv.bytes().all(|byte| byte.is_ascii_digit())
}

/// A card's expiry month.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expiry {
    /// 1 to 12.
    pub month: u8,
    /// Four digits.
    pub year: i32,
}

impl Expiry {
    /// Reads `Ecom_Payment_Card_ExpDate_Month` (1 or 2 digits) and `..._Year` (2 digits, or 4).
    pub fn parse(month: &str, year: &str) -> Option<Self> {
        let digits = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
        if !digits(month) || month.len() > 2 || !digits(year) || ![2, 4].contains(&year.len()) {
            return None;
        }
        let month: u8 = month.parse().ok()?;
        let year: i32 = year.parse().ok()?;
        let year = if year < 100 { 2000 + year } else { year };
        (1..=12).contains(&month).then_some(Self { month, year })
    }

    /// Whether the card stopped working before `today`'s month.
    pub fn has_passed(self, today: time::Date) -> bool {
        (self.year, self.month) < (today.year(), u8::from(today.month()))
    }
}

/// The card scheme, as `EXTRA_CARDBRAND` names it.
pub fn brand(pan: &str) -> &'static str {
    let prefix = |length: usize| pan.get(..length).and_then(|text| text.parse::<u32>().ok());
    match (prefix(1), prefix(2), prefix(4)) {
        (_, _, Some(9792)) => "TROY",
        (Some(4), _, _) => "VISA",
        (_, Some(51..=55), _) | (_, _, Some(2221..=2720)) => "MASTERCARD",
        (_, Some(34 | 37), _) => "AMEX",
        _ => "OTHER",
    }
}

/// `MaskedPan`: the first six and last four digits, `***` between (`450803***4509`).
pub fn masked_pan(pan: &str) -> String {
    let (first, last) = (&pan[..6], &pan[pan.len() - 4..]);
    format!("{first}***{last}")
}

/// `maskedCreditCard`: every hidden digit a `*`, in groups of four (`4508 03** **** 4509`).
pub fn masked_credit_card(pan: &str) -> String {
    let hidden_until = pan.len() - 4;
    let characters: Vec<char> = pan
        .chars()
        .enumerate()
        .map(|(index, digit)| {
            if (6..hidden_until).contains(&index) {
                '*'
            } else {
                digit
            }
        })
        .collect();
    characters
        .chunks(4)
        .map(|group| group.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_test_card_is_luhn_valid_and_distinct() {
        for card in &TEST_CARDS {
            assert!(is_valid_pan(card.number), "{}", card.number);
        }
        let mut numbers: Vec<_> = TEST_CARDS.iter().map(|card| card.number).collect();
        numbers.sort_unstable();
        numbers.dedup();
        assert_eq!(numbers.len(), TEST_CARDS.len());
        assert!(!is_valid_pan("4508034508034508"));
        assert!(!is_valid_pan("45080345080"));
        assert!(!is_valid_pan("4508 0345 0803 4509"));
    }

    #[test]
    fn outcomes_follow_the_table_and_expiry() {
        assert_eq!(
            outcome_for("4000000000000051", false).issuer,
            Some(IssuerAnswer::Declined("51"))
        );
        assert_eq!(
            outcome_for("4111111111111111", false).issuer,
            Some(IssuerAnswer::Approved)
        );
        assert_eq!(
            outcome_for("4508034508034509", true).issuer,
            Some(IssuerAnswer::Declined("54"))
        );
        let failed = outcome_for("4000000000000010", true);
        assert_eq!((failed.md_status, failed.issuer), ("0", None));
    }

    #[test]
    fn expiry_and_masks() {
        let today = time::macros::date!(2026 - 11 - 23);
        assert!(Expiry::parse("12", "30").is_some_and(|e| !e.has_passed(today)));
        assert!(Expiry::parse("11", "26").is_some_and(|e| !e.has_passed(today)));
        assert!(Expiry::parse("10", "2026").is_some_and(|e| e.has_passed(today)));
        assert_eq!(Expiry::parse("13", "30"), None);
        assert_eq!(Expiry::parse("1", "3"), None);
        assert_eq!(masked_pan("4508034508034509"), "450803***4509");
        assert_eq!(
            masked_credit_card("4508034508034509"),
            "4508 03** **** 4509"
        );
        assert_eq!(brand("5406675406675403"), "MASTERCARD");
        assert_eq!(brand("9792030000000000"), "TROY");
    }
}
