//! The gate side: the signed form the browser posts to `/fim/est3Dgate`, and reading the
//! callback the bank posts back to `okUrl`/`failUrl`.

use std::str::FromStr;

use kasa_domain::{Currency, Decimal, Money};
use kasa_ports::{
    CaptureMode, GatewayError, GatewayReference, OrderId, PaymentCard, PaymentResult,
    PaymentResultStatus, PaymentStart,
};

use crate::config::NestPayConfig;
use crate::hash::{Signature, SignatureError, hash_ver3_request, verify_callback_signature};

/// The `TranType` of a sale (authorise and capture).
pub const TRAN_TYPE_SALE: &str = "Auth";
/// The `TranType` of an authorisation only (captured later with `PostAuth`).
pub const TRAN_TYPE_PRE_AUTHORISATION: &str = "PreAuth";

/// The ISO 4217 numeric code NestPay wants for `currency`, for the currencies whose minor unit
/// is two decimals (TRY 949, USD 840, EUR 978, GBP 826).
///
/// # Errors
/// [`GatewayError::Unsupported`] for any other currency.
pub fn currency_code(currency: Currency) -> Result<&'static str, GatewayError> {
    let code = match currency.numeric_code() {
        949 => "949",
        840 => "840",
        978 => "978",
        826 => "826",
        _ => {
            return Err(GatewayError::Unsupported(format!(
                "payments in {currency} through NestPay"
            )));
        }
    };
    if currency.minor_unit_exponent() == 2 {
        Ok(code)
    } else {
        Err(GatewayError::Unsupported(format!(
            "payments in {currency} through NestPay (it takes two decimals)"
        )))
    }
}

/// The currency of a NestPay numeric code (`949` → TRY), `None` when Kasa does not sell in it.
#[must_use]
pub fn currency_from_code(code: &str) -> Option<Currency> {
    let numeric = code.trim().parse::<u16>().ok()?;
    Currency::from_numeric_code(numeric).filter(|currency| currency_code(*currency).is_ok())
}

/// An amount as NestPay writes it: dot decimal, exactly two decimals, no thousands separator
/// (`100` → `100.00`, `95.93` → `95.93`).
///
/// # Errors
/// [`GatewayError::Unsupported`] for an unsupported currency or an amount that is not above
/// zero.
pub fn format_amount(amount: &Money) -> Result<String, GatewayError> {
    currency_code(amount.currency())?;
    if !amount.is_positive() {
        return Err(GatewayError::Unsupported(format!(
            "a NestPay amount of {amount}; it must be above zero"
        )));
    }
    let mut decimal = amount.amount();
    // Money already holds exactly the currency's minor unit; rescaling to 2 changes nothing.
    decimal.rescale(2);
    Ok(decimal.to_string())
}

/// Reads a NestPay dot-decimal amount (`95.93`) in `currency`.
///
/// # Errors
/// [`GatewayError::Malformed`] when it is no amount of that currency.
pub fn parse_amount(text: &str, currency: Currency) -> Result<Money, GatewayError> {
    let decimal = Decimal::from_str(text.trim())
        .map_err(|_| GatewayError::Malformed(format!("`{text}` is not a NestPay amount")))?;
    Money::non_negative(decimal, currency)
        .map_err(|error| GatewayError::Malformed(format!("NestPay amount `{text}`: {error}")))
}

/// Builds the signed gate form for a payment, with `rnd` as the fresh random value: `clientid`,
/// `storetype`, `amount`, `currency`, `oid`, `okUrl`, `failUrl`, `rnd`, `TranType`, `Instalment`
/// (empty: one payment), `hashAlgorithm=ver3`, `lang`, `BillToName`, `Email`, `encoding=utf-8`
/// and `hash` ([`hash_ver3_request`] over all of them but `encoding`). Card fields are not
/// included, nor covered by the hash: for `3d_pay` the checkout page adds
/// [`crate::CARD_FIELDS`].
///
/// None of these names differ only where case folding or digit runs could sort them differently
/// between implementations.
///
/// # Errors
/// [`GatewayError::Unsupported`] for an unsupported currency or a non-positive amount,
/// [`GatewayError::Misconfigured`] for an empty order id or return URL.
pub fn gate_form_fields(
    config: &NestPayConfig,
    request: &PaymentStart,
    rnd: &str,
) -> Result<Vec<(String, String)>, GatewayError> {
    let amount = format_amount(&request.amount)?;
    let currency = currency_code(request.amount.currency())?;
    for (what, value) in [
        ("the order id", request.order_id.0.as_str()),
        ("the success URL", request.success_url.as_str()),
        ("the failure URL", request.failure_url.as_str()),
    ] {
        if value.trim().is_empty() {
            return Err(GatewayError::Misconfigured(format!("NestPay needs {what}")));
        }
    }
    let tran_type = match request.capture {
        CaptureMode::Immediate => TRAN_TYPE_SALE,
        CaptureMode::AuthoriseOnly => TRAN_TYPE_PRE_AUTHORISATION,
    };
    let mut fields: Vec<(String, String)> = [
        ("clientid", config.client_id.trim()),
        ("storetype", config.store_type.as_str()),
        ("amount", amount.as_str()),
        ("currency", currency),
        ("oid", request.order_id.0.as_str()),
        ("okUrl", request.success_url.as_str()),
        ("failUrl", request.failure_url.as_str()),
        ("rnd", rnd),
        ("TranType", tran_type),
        ("Instalment", ""),
        ("hashAlgorithm", "ver3"),
        ("lang", request.language.code()),
        ("BillToName", request.customer_name.trim()),
        ("Email", request.customer_email.as_str()),
        // The checkout page is UTF-8: say so, or the bank may read Turkish letters as
        // ISO-8859-9 and the hash would not match. Never part of the hash.
        ("encoding", "utf-8"),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value.to_owned()))
    .collect();
    let hash = hash_ver3_request(&fields, config.store_key.expose());
    fields.push(("hash".to_owned(), hash));
    Ok(fields)
}

/// Reads a callback's raw `application/x-www-form-urlencoded` body into fields, in order.
///
/// Each name and value is percent-decoded to bytes and read as UTF-8 when it is valid UTF-8,
/// else as ISO-8859-9 (banks that ignore `encoding=utf-8` post Turkish letters as Latin-5
/// bytes, and a lossy UTF-8 reading would break the hash of a name like `Ayşe`).
#[must_use]
pub fn parse_callback_body(body: &[u8]) -> Vec<(String, String)> {
    body.split(|byte| *byte == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = match pair.iter().position(|byte| *byte == b'=') {
                Some(equals) => (&pair[..equals], &pair[equals + 1..]),
                None => (pair, &[][..]),
            };
            (decode_form_component(name), decode_form_component(value))
        })
        .collect()
}

/// `+` is a space, `%XX` a byte; the bytes are UTF-8 or else ISO-8859-9.
fn decode_form_component(component: &[u8]) -> String {
    let spaced: Vec<u8> = component
        .iter()
        .map(|byte| if *byte == b'+' { b' ' } else { *byte })
        .collect();
    let bytes: Vec<u8> = percent_encoding::percent_decode(&spaced).collect();
    match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(not_utf8) => encoding_rs::WINDOWS_1254
            .decode_without_bom_handling(not_utf8.as_bytes())
            .0
            .into_owned(),
    }
}

/// The fields to judge a callback by: its raw body when it has one and it is a form post (the
/// bytes the bank sent, decoded by [`parse_callback_body`]), else the decoded `fields`.
#[must_use]
pub fn callback_fields(callback: &kasa_ports::GatewayCallback) -> Vec<(String, String)> {
    let form_post = callback
        .headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
        .is_none_or(|(_, value)| {
            value
                .trim()
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    if callback.raw_body.is_empty() || !form_post {
        callback.fields.clone()
    } else {
        parse_callback_body(&callback.raw_body)
    }
}

/// The callback's fields, looked up by name without regard to case; a field the decision reads
/// must not arrive twice.
struct CallbackFields<'a> {
    fields: &'a [(String, String)],
}

impl<'a> CallbackFields<'a> {
    /// The non-empty value of `name`, `None` when absent or empty.
    fn get(&self, name: &str) -> Result<Option<&'a str>, GatewayError> {
        let mut found: Option<&'a str> = None;
        for (field, value) in self.fields {
            if field.eq_ignore_ascii_case(name) {
                if found.is_some() {
                    return Err(GatewayError::Malformed(format!(
                        "the callback field `{name}` arrived more than once"
                    )));
                }
                found = Some(value.as_str());
            }
        }
        Ok(found.map(str::trim).filter(|value| !value.is_empty()))
    }
}

/// What a verified callback says, before it becomes a [`PaymentResult`].
fn read_status(
    fields: &CallbackFields<'_>,
    signature: &Signature,
    half_secure_allowed: bool,
) -> Result<PaymentResultStatus, GatewayError> {
    let proc_return_code = fields.get("ProcReturnCode")?;
    let md_status = fields.get("mdStatus")?;
    let response = fields.get("Response")?;
    let error_code = fields.get("ErrorCode")?;
    let message = fields
        .get("ErrMsg")?
        .or(fields.get("mdErrorMsg")?)
        .unwrap_or_default()
        .to_owned();
    let secure_enough = match md_status {
        Some("1") => Some(true),
        Some("2" | "3" | "4") => Some(half_secure_allowed),
        Some(_) => Some(false),
        None => None,
    };
    if let (Some(false), Some(status)) = (secure_enough, md_status) {
        let detail = fields
            .get("mdErrorMsg")?
            .or(fields.get("ErrMsg")?)
            .unwrap_or("3-D Secure authentication failed");
        let code = format!("mdStatus-{status}");
        if proc_return_code == Some("00") {
            // 3d_pay may charge half-secure results; this store does not accept them, so the
            // charge must be voided.
            return Ok(PaymentResultStatus::ChargedButRefused {
                code,
                message: format!(
                    "{detail}: the bank charged the card, but this store accepts only full \
                     3-D Secure authentication"
                ),
            });
        }
        return Ok(PaymentResultStatus::Declined {
            code,
            message: detail.to_owned(),
        });
    }
    let approved_code = proc_return_code == Some("00");
    let response_consistent = response.is_none_or(|text| text.eq_ignore_ascii_case("Approved"));
    if approved_code && secure_enough == Some(true) && response_consistent {
        return approved_status(fields, signature);
    }
    if approved_code {
        // `00` without a 3-D Secure result, or with a non-approved Response: not a success.
        return Ok(PaymentResultStatus::Pending);
    }
    let gateway_error = proc_return_code.is_none_or(|code| code == "99");
    let code = match (error_code, proc_return_code) {
        (Some(error), _) if gateway_error => Some(error),
        (_, Some(code)) => Some(code),
        (Some(error), None) => Some(error),
        (None, None) => None,
    };
    match code {
        Some(code) => Ok(PaymentResultStatus::Declined {
            code: code.to_owned(),
            message,
        }),
        None if response.is_some_and(|text| {
            text.eq_ignore_ascii_case("Declined") || text.eq_ignore_ascii_case("Error")
        }) =>
        {
            Ok(PaymentResultStatus::Declined {
                code: response.unwrap_or_default().to_owned(),
                message,
            })
        }
        None => Ok(PaymentResultStatus::Pending),
    }
}

/// Captured for `Auth`, authorised for `PreAuth`; pending for anything else. With a ver1
/// signature that does not cover `TranType`, only "authorised" is claimed: an unsigned
/// `PreAuth` changed to `Auth` must not pass for a capture.
fn approved_status(
    fields: &CallbackFields<'_>,
    signature: &Signature,
) -> Result<PaymentResultStatus, GatewayError> {
    let tran_type = fields.get("TranType")?;
    if !signature.covers("TranType") {
        return Ok(PaymentResultStatus::Authorised);
    }
    Ok(match tran_type {
        Some(kind) if kind.eq_ignore_ascii_case(TRAN_TYPE_SALE) => PaymentResultStatus::Captured,
        Some(kind) if kind.eq_ignore_ascii_case(TRAN_TYPE_PRE_AUTHORISATION) => {
            PaymentResultStatus::Authorised
        }
        _ => PaymentResultStatus::Pending,
    })
}

/// The amount the callback reports, when the signature covers it.
fn read_amount(
    fields: &CallbackFields<'_>,
    signature: &Signature,
) -> Result<Option<Money>, GatewayError> {
    if !signature.covers("amount") || !signature.covers("currency") {
        return Ok(None);
    }
    let Some(amount) = fields.get("amount")? else {
        return Ok(None);
    };
    let code = fields.get("currency")?.ok_or_else(|| {
        GatewayError::Malformed("the callback has an amount but no currency".to_owned())
    })?;
    let currency = currency_from_code(code).ok_or_else(|| {
        GatewayError::Malformed(format!("the callback's currency `{code}` is not supported"))
    })?;
    parse_amount(amount, currency).map(Some)
}

/// Verifies a gate callback and reads the payment result from it (see
/// [`crate::NestPayGateway`]'s `verify_callback` for the rules).
///
/// # Errors
/// [`GatewayError::InvalidSignature`] when the signature fails, does not cover the fields the
/// decision reads (ver1), or is for another store (`clientid`); [`GatewayError::Malformed`]
/// when `oid` or `clientid` is missing, a decision field arrived twice, or the amount is
/// unreadable.
pub fn read_callback(
    config: &NestPayConfig,
    fields: &[(String, String)],
) -> Result<PaymentResult, GatewayError> {
    let signature = verify_callback_signature(fields, config.store_key.expose()).map_err(
        |error: SignatureError| {
            tracing::warn!(%error, "NestPay callback signature rejected");
            GatewayError::InvalidSignature
        },
    )?;
    let fields = CallbackFields { fields };
    let order_field = if fields.get("oid")?.is_some() {
        "oid"
    } else {
        "ReturnOid"
    };
    let order_id = fields
        .get(order_field)?
        .ok_or_else(|| GatewayError::Malformed("the callback carries no oid".to_owned()))?;
    let client_id = fields
        .get("clientid")?
        .ok_or_else(|| GatewayError::Malformed("the callback carries no clientid".to_owned()))?;
    let mut decision_fields = vec![order_field, "clientid", "ProcReturnCode"];
    if fields.get("mdStatus")?.is_some() {
        decision_fields.push("mdStatus");
    }
    if let Some(uncovered) = decision_fields.iter().find(|name| !signature.covers(name)) {
        tracing::warn!(
            field = uncovered,
            "NestPay ver1 callback does not sign a field it is judged by"
        );
        return Err(GatewayError::InvalidSignature);
    }
    if client_id != config.client_id.trim() {
        tracing::warn!(client_id, "NestPay callback signed for another store");
        return Err(GatewayError::InvalidSignature);
    }
    let status = read_status(&fields, &signature, config.half_secure_allowed)?;
    let amount = read_amount(&fields, &signature)?;
    let reference = fields
        .get("TransId")?
        .or(fields.get("HostRefNum")?)
        .map(|reference| GatewayReference(reference.to_owned()));
    // The card is shown to the customer, never judged by: read only when signed.
    let card = if signature.covers("MaskedPan") {
        fields.get("MaskedPan")?.and_then(card_of_masked_pan)
    } else {
        None
    };
    Ok(PaymentResult {
        order_id: OrderId(order_id.to_owned()),
        status,
        amount,
        reference,
        card,
    })
}

/// The card a `MaskedPan` (`450803***4509`: the first six and last four digits) names: its
/// brand from the leading digits (4 Visa; 51-55 and 2221-2720 Mastercard; 34 and 37 American
/// Express; 9792 Troy; otherwise just `card`) and its last four digits. `None` when it does
/// not end in four digits.
#[must_use]
pub fn card_of_masked_pan(masked_pan: &str) -> Option<PaymentCard> {
    let compact: String = masked_pan.chars().filter(|c| !c.is_whitespace()).collect();
    let leading: String = compact.chars().take_while(char::is_ascii_digit).collect();
    let trailing: String = compact
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if trailing.len() < 4 {
        return None;
    }
    let last4 = &trailing[trailing.len() - 4..];
    let prefix = |digits: usize| {
        leading
            .get(..digits)
            .and_then(|text| text.parse::<u32>().ok())
    };
    let brand = if leading.starts_with('4') {
        "visa"
    } else if prefix(2).is_some_and(|two| (51..=55).contains(&two))
        || prefix(4).is_some_and(|four| (2221..=2720).contains(&four))
    {
        "mastercard"
    } else if prefix(2).is_some_and(|two| two == 34 || two == 37) {
        "amex"
    } else if prefix(4) == Some(9792) {
        "troy"
    } else {
        "card"
    };
    PaymentCard::new(brand, last4).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_masked_pan_names_the_brand_by_its_leading_digits_and_keeps_the_last_four() {
        let cases = [
            ("450803***4509", Some(("visa", "4509"))),
            ("5406 75** **** 0103", Some(("mastercard", "0103"))),
            ("222100***0012", Some(("mastercard", "0012"))),
            ("272099***7777", Some(("mastercard", "7777"))),
            ("272100***7777", Some(("card", "7777"))),
            ("374245***1001", Some(("amex", "1001"))),
            ("340000***0009", Some(("amex", "0009"))),
            ("979203***1234", Some(("troy", "1234"))),
            ("601100***0004", Some(("card", "0004"))),
            ("****", None),
            ("450803***45", None),
            ("", None),
        ];
        for (masked, expected) in cases {
            let card = super::card_of_masked_pan(masked);
            assert_eq!(
                card.as_ref().map(|card| (card.brand(), card.last4())),
                expected,
                "{masked}"
            );
        }
    }

    use kasa_domain::{EmailAddress, Language};
    use kasa_ports::Secret;
    use rust_decimal_macros::dec;

    use super::*;
    use crate::config::{BankHost, StoreType};
    use crate::hash::hash_ver3_request_plaintext;

    fn config() -> NestPayConfig {
        NestPayConfig::new(
            BankHost::Custom("http://127.0.0.1:9".to_owned()),
            "100200127",
            Secret::new("TEST1234"),
            "api",
            Secret::new("p4ss"),
            StoreType::ThreeDPay,
        )
    }

    fn start(amount: Money, capture: CaptureMode) -> PaymentStart {
        PaymentStart {
            order_id: OrderId("ORD-1".to_owned()),
            amount,
            capture,
            customer_email: EmailAddress::parse("ayse@example.com").unwrap(),
            customer_name: "Ayşe Çağrı".to_owned(),
            language: Language::Tr,
            description: "10 credits".to_owned(),
            success_url: "https://kasa.example/gateways/nestpay/return".to_owned(),
            failure_url: "https://kasa.example/gateways/nestpay/return".to_owned(),
        }
    }

    fn lira(amount: Decimal) -> Money {
        Money::new(amount, Currency::Try).unwrap()
    }

    fn value<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
        fields
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, value)| value.as_str())
            .unwrap_or_else(|| panic!("no field {name}"))
    }

    #[test]
    fn the_gate_form_carries_every_field_and_a_ver3_hash() {
        let fields = gate_form_fields(
            &config(),
            &start(lira(dec!(100)), CaptureMode::Immediate),
            "r4nd",
        )
        .unwrap();
        let names: Vec<&str> = fields.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(
            names,
            [
                "clientid",
                "storetype",
                "amount",
                "currency",
                "oid",
                "okUrl",
                "failUrl",
                "rnd",
                "TranType",
                "Instalment",
                "hashAlgorithm",
                "lang",
                "BillToName",
                "Email",
                "encoding",
                "hash"
            ]
        );
        assert_eq!(value(&fields, "clientid"), "100200127");
        assert_eq!(value(&fields, "storetype"), "3d_pay");
        assert_eq!(value(&fields, "amount"), "100.00");
        assert_eq!(value(&fields, "currency"), "949");
        assert_eq!(value(&fields, "TranType"), "Auth");
        assert_eq!(value(&fields, "Instalment"), "");
        assert_eq!(value(&fields, "hashAlgorithm"), "ver3");
        assert_eq!(value(&fields, "lang"), "tr");
        assert_eq!(value(&fields, "BillToName"), "Ayşe Çağrı");
        assert_eq!(value(&fields, "Email"), "ayse@example.com");
        assert_eq!(
            hash_ver3_request_plaintext(&fields, "TEST1234"),
            "100.00|Ayşe Çağrı|100200127|949|ayse@example.com|https://kasa.example/gateways/nestpay/return|ver3||tr|ORD-1|https://kasa.example/gateways/nestpay/return|r4nd|3d_pay|Auth|TEST1234"
        );
        assert_eq!(
            value(&fields, "hash"),
            hash_ver3_request(&fields, "TEST1234")
        );
        // The card fields the page adds do not change the request's signature.
        let mut with_card = fields.clone();
        for name in crate::CARD_FIELDS {
            with_card.push((name.to_owned(), "4508034508034509".to_owned()));
        }
        assert_eq!(
            hash_ver3_request(&with_card, "TEST1234"),
            value(&fields, "hash")
        );
    }

    #[test]
    fn amounts_are_dot_decimals_with_two_places() {
        for (amount, text) in [
            (dec!(100), "100.00"),
            (dec!(95.93), "95.93"),
            (dec!(0.5), "0.50"),
            (dec!(1234567.8), "1234567.80"),
        ] {
            assert_eq!(format_amount(&lira(amount)).unwrap(), text);
        }
        assert!(matches!(
            format_amount(&lira(dec!(0))),
            Err(GatewayError::Unsupported(_))
        ));
        assert_eq!(
            parse_amount("95.93", Currency::Try).unwrap(),
            lira(dec!(95.93))
        );
        assert_eq!(parse_amount("100", Currency::Try).unwrap(), lira(dec!(100)));
        assert!(parse_amount("95,93", Currency::Try).is_err());
        assert!(parse_amount("1.001", Currency::Try).is_err());
    }

    #[test]
    fn currencies_go_by_their_numeric_codes() {
        for (currency, code) in [
            (Currency::Try, "949"),
            (Currency::Usd, "840"),
            (Currency::Eur, "978"),
            (Currency::Gbp, "826"),
        ] {
            let money = Money::new(dec!(10), currency).unwrap();
            let fields =
                gate_form_fields(&config(), &start(money, CaptureMode::Immediate), "r").unwrap();
            assert_eq!(value(&fields, "currency"), code);
            assert_eq!(currency_from_code(code), Some(currency));
        }
        assert_eq!(currency_from_code("392"), None);
        assert_eq!(currency_from_code("TRY"), None);
    }

    #[test]
    fn authorise_only_sends_preauth_and_english_pages_say_en() {
        let mut request = start(lira(dec!(5)), CaptureMode::AuthoriseOnly);
        request.language = Language::En;
        let mut config = config();
        config.store_type = StoreType::ThreeDPayHosting;
        let fields = gate_form_fields(&config, &request, "r").unwrap();
        assert_eq!(value(&fields, "TranType"), "PreAuth");
        assert_eq!(value(&fields, "lang"), "en");
        assert_eq!(value(&fields, "storetype"), "3d_pay_hosting");
    }

    #[test]
    fn callback_bodies_decode_utf8_and_iso_8859_9() {
        let fields = parse_callback_body(
            b"BillToName=Ay%C5%9Fe+%C3%87a%C4%9Fr%C4%B1&x=&flag&ErrMsg=%DE%FEifre%3D1",
        );
        assert_eq!(
            fields,
            [
                ("BillToName".to_owned(), "Ayşe Çağrı".to_owned()),
                ("x".to_owned(), String::new()),
                ("flag".to_owned(), String::new()),
                ("ErrMsg".to_owned(), "Şşifre=1".to_owned()),
            ]
        );
        let latin5 = parse_callback_body(b"BillToName=Ay%FEe+%C7a%F0r%FD");
        assert_eq!(latin5[0].1, "Ayşe Çağrı");
    }

    #[test]
    fn the_raw_form_body_wins_over_lossy_fields() {
        let callback = kasa_ports::GatewayCallback {
            raw_body: b"BillToName=Ay%FEe".to_vec(),
            fields: vec![("BillToName".to_owned(), "Ay\u{fffd}e".to_owned())],
            headers: vec![(
                "content-type".to_owned(),
                "application/x-www-form-urlencoded".to_owned(),
            )],
        };
        assert_eq!(callback_fields(&callback)[0].1, "Ayşe");
        let json = kasa_ports::GatewayCallback {
            headers: vec![("content-type".to_owned(), "application/json".to_owned())],
            ..callback.clone()
        };
        assert_eq!(callback_fields(&json), json.fields);
        let fields_only = kasa_ports::GatewayCallback {
            raw_body: Vec::new(),
            ..callback
        };
        assert_eq!(callback_fields(&fields_only), fields_only.fields);
    }

    #[test]
    fn an_empty_order_id_is_refused() {
        let mut request = start(lira(dec!(5)), CaptureMode::Immediate);
        request.order_id = OrderId(String::new());
        assert!(matches!(
            gate_form_fields(&config(), &request, "r"),
            Err(GatewayError::Misconfigured(_))
        ));
    }
}
