//! Why a payment was refused, sorted into the few reasons a customer can act on. The gateways'
//! codes (NestPay's `ProcReturnCode`, `ErrMsg` codes like `CORE-2012` and `mdStatus`; Stripe's
//! decline and error codes) are for agents and logs; the customer is told one of these in plain
//! words and offered to try again (ADR 0017).

/// A refusal, as the customer can act on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeclineReason {
    /// Not enough money or limit on the card.
    InsufficientFunds,
    /// The card has expired.
    ExpiredCard,
    /// A card number, expiry date or security code was typed wrong.
    WrongCardDetails,
    /// The 3-D Secure check (the bank's SMS code) did not pass.
    AuthenticationFailed,
    /// The card may not be used for this payment (online or foreign payments blocked, limits).
    CardNotPermitted,
    /// The bank or the payment system had a problem; trying again later may work.
    TemporaryProblem,
    /// The bank said no without saying why.
    Declined,
}

impl DeclineReason {
    /// Every reason.
    pub const ALL: [Self; 7] = [
        Self::InsufficientFunds,
        Self::ExpiredCard,
        Self::WrongCardDetails,
        Self::AuthenticationFailed,
        Self::CardNotPermitted,
        Self::TemporaryProblem,
        Self::Declined,
    ];

    /// A stable lower-case name (words keys, JSON).
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::InsufficientFunds => "insufficient_funds",
            Self::ExpiredCard => "expired_card",
            Self::WrongCardDetails => "wrong_card_details",
            Self::AuthenticationFailed => "authentication_failed",
            Self::CardNotPermitted => "card_not_permitted",
            Self::TemporaryProblem => "temporary_problem",
            Self::Declined => "declined",
        }
    }

    /// The reason a stored failure (`declined (51): Yetersiz bakiye`, `declined
    /// (CORE-2012): …`, `declined (mdStatus-0): …`, `declined (insufficient_funds): …`) names.
    #[must_use]
    pub fn of_failure(failure: &str) -> Self {
        let code = failure
            .split_once('(')
            .and_then(|(_, rest)| rest.split_once(')'))
            .map_or("", |(code, _)| code.trim());
        let by_code = Self::of_code(code);
        if !matches!(by_code, Self::Declined | Self::TemporaryProblem) {
            return by_code;
        }
        // Some banks put the telling code in the message (`CORE-2012` after a `99`).
        let message = failure.split_once(':').map_or("", |(_, message)| message);
        message
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .filter(|word| word.starts_with("CORE-") || word.contains('_'))
            .map(Self::of_code)
            .find(|reason| !matches!(reason, Self::Declined | Self::TemporaryProblem))
            .unwrap_or(by_code)
    }

    /// The reason a single gateway code names.
    #[must_use]
    pub fn of_code(code: &str) -> Self {
        let code = code.trim();
        if code.starts_with("mdStatus") {
            return Self::AuthenticationFailed;
        }
        match code {
            // NestPay (ISO 8583 response codes) and Stripe decline codes.
            "51" | "insufficient_funds" | "card_velocity_exceeded" | "61" | "65" => {
                Self::InsufficientFunds
            }
            "54" | "33" | "expired_card" | "invalid_expiry_month" | "invalid_expiry_year" => {
                Self::ExpiredCard
            }
            "14" | "82" | "N7" | "CORE-2012" | "CORE-2008" | "CORE-2009" | "incorrect_number"
            | "invalid_number" | "incorrect_cvc" | "invalid_cvc" | "incorrect_zip" => {
                Self::WrongCardDetails
            }
            "authentication_required"
            | "authentication_failure"
            | "payment_intent_authentication_failure" => Self::AuthenticationFailed,
            "57"
            | "58"
            | "62"
            | "transaction_not_allowed"
            | "card_not_supported"
            | "currency_not_supported"
            | "restricted_card" => Self::CardNotPermitted,
            "91"
            | "96"
            | "99"
            | "processing_error"
            | "issuer_not_available"
            | "try_again_later"
            | "rate_limit" => Self::TemporaryProblem,
            _ => Self::Declined,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_failures_name_the_reason_the_customer_can_act_on() {
        let cases = [
            (
                "declined (51): Yetersiz bakiye",
                DeclineReason::InsufficientFunds,
            ),
            ("declined (05): Do not honour", DeclineReason::Declined),
            (
                "declined (CORE-2012): The credit card number is not in a valid format.",
                DeclineReason::WrongCardDetails,
            ),
            (
                "declined (99): CORE-2012 The credit card number is not in a valid format.",
                DeclineReason::WrongCardDetails,
            ),
            (
                "declined (99): Sistem hatası",
                DeclineReason::TemporaryProblem,
            ),
            (
                "declined (mdStatus-0): 3-D Secure authentication failed",
                DeclineReason::AuthenticationFailed,
            ),
            ("declined (54): Expired card", DeclineReason::ExpiredCard),
            (
                "declined (insufficient_funds): Your card has insufficient funds.",
                DeclineReason::InsufficientFunds,
            ),
            (
                "declined (incorrect_cvc): …",
                DeclineReason::WrongCardDetails,
            ),
            (
                "declined (card_declined): Your card was declined.",
                DeclineReason::Declined,
            ),
            ("", DeclineReason::Declined),
        ];
        for (failure, expected) in cases {
            assert_eq!(DeclineReason::of_failure(failure), expected, "{failure}");
        }
    }
}
