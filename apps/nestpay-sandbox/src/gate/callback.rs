//! The post-back to `okUrl`/`failUrl`: which request fields come back, what the bank adds for
//! each outcome, a fresh `rnd`, and the signature (ver3 `HASH`, or ver1 `HASHPARAMS`,
//! `HASHPARAMSVAL`, `HASH`).

use crate::cards::{self, CardOutcome, IssuerAnswer};
use crate::clock::{self, ALPHANUMERIC};
use crate::hash::{self, VER1_CALLBACK_PARAMS};
use crate::html::Lang;
use crate::orders::Transaction;

use super::checks::{Card, GateError, Signature};

/// The fields the bank adds to the echoed request.
pub type BankFields = Vec<(&'static str, String)>;

/// The card fields of a gate form: never echoed, never hashed.
const CARD_FIELDS: [&str; 4] = [
    "pan",
    "cv2",
    "Ecom_Payment_Card_ExpDate_Month",
    "Ecom_Payment_Card_ExpDate_Year",
];

/// The fields the bank sets itself; a request field of the same name is not echoed.
#[rustfmt::skip]
const BANK_FIELDS: [&str; 22] = [
    "hash", "rnd", "mdStatus", "mdErrorMsg", "md", "xid", "eci", "cavv", "Response",
    "ProcReturnCode", "AuthCode", "HostRefNum", "TransId", "ErrMsg", "ErrorCode", "MaskedPan",
    "maskedCreditCard", "EXTRA_CARDBRAND", "EXTRA_TRXDATE", "ReturnOid", "HASHPARAMS",
    "HASHPARAMSVAL",
];

fn is_one_of(name: &str, list: &[&str]) -> bool {
    list.iter().any(|entry| entry.eq_ignore_ascii_case(name))
}

/// `pan`, `cv2` or an expiry field.
pub fn is_card_field(name: &str) -> bool {
    is_one_of(name, &CARD_FIELDS)
}

/// A refusal at the gate: no `mdStatus`, `Response=Error`, `ProcReturnCode=99`.
pub fn error_fields(error: &GateError, order_id: &str) -> BankFields {
    vec![
        ("Response", "Error".to_owned()),
        ("ProcReturnCode", "99".to_owned()),
        ("AuthCode", String::new()),
        ("HostRefNum", String::new()),
        ("TransId", String::new()),
        ("ErrMsg", error.message.clone()),
        ("ErrorCode", error.code.to_owned()),
        ("EXTRA_TRXDATE", clock::trx_date(clock::now())),
        ("ReturnOid", order_id.to_owned()),
    ]
}

/// `mdStatus` and the 3-D Secure data (`md`, `xid`, `eci`, `cavv`) of an outcome.
pub fn secure_fields(lang: Lang, card: &Card, outcome: CardOutcome, cancelled: bool) -> BankFields {
    let mastercard = cards::brand(&card.pan) == "MASTERCARD";
    let (eci, md_error) = match (outcome.md_status, mastercard) {
        ("1", false) => ("05", "Authenticated"),
        ("1", true) => ("02", "Authenticated"),
        ("2", false) => ("06", "Not enrolled: attempt"),
        ("2", true) => ("01", "Not enrolled: attempt"),
        _ if cancelled => (
            "",
            lang.pick("Kart sahibi iptal etti", "Cancelled by the cardholder"),
        ),
        _ => ("", "Not authenticated"),
    };
    let random = |length| clock::random_text(ALPHANUMERIC, length);
    let cavv = if eci.is_empty() {
        String::new()
    } else {
        format!("{}=", random(27))
    };
    vec![
        ("mdStatus", outcome.md_status.to_owned()),
        ("mdErrorMsg", md_error.to_owned()),
        ("md", random(40)),
        ("xid", format!("{}=", random(27))),
        ("eci", eci.to_owned()),
        ("cavv", cavv),
    ]
}

/// The issuer's answer to a booked payment: approved, or declined with `ISO8583-xx`.
pub fn payment_fields(lang: Lang, answer: IssuerAnswer, transaction: &Transaction) -> BankFields {
    let (response, message, error_code) = match answer {
        IssuerAnswer::Approved => ("Approved", String::new(), None),
        IssuerAnswer::Declined(code) => {
            let (turkish, english) = cards::refusal_text(code);
            let message = lang.pick(turkish, english).to_owned();
            ("Declined", message, Some(format!("ISO8583-{code}")))
        }
    };
    let mut fields = vec![
        ("Response", response.to_owned()),
        ("ProcReturnCode", transaction.proc_return_code.clone()),
        ("AuthCode", transaction.auth_code.clone()),
        ("HostRefNum", transaction.host_ref_num.clone()),
        ("TransId", transaction.trans_id.clone()),
        ("ErrMsg", message),
    ];
    fields.extend(error_code.map(|code| ("ErrorCode", code)));
    fields
}

/// 3-D Secure failed, so no payment was attempted.
pub fn not_attempted_fields(lang: Lang) -> BankFields {
    let message = lang.pick(
        "3-D Secure doğrulaması başarısız",
        "3-D Secure authentication failed",
    );
    vec![
        ("Response", "Declined".to_owned()),
        ("ProcReturnCode", "99".to_owned()),
        ("AuthCode", String::new()),
        ("HostRefNum", String::new()),
        ("TransId", String::new()),
        ("ErrMsg", message.to_owned()),
    ]
}

/// The card's display data and the order, after 3-D Secure.
pub fn card_fields(card: &Card, order_id: &str) -> BankFields {
    vec![
        ("MaskedPan", cards::masked_pan(&card.pan)),
        ("maskedCreditCard", cards::masked_credit_card(&card.pan)),
        ("EXTRA_CARDBRAND", cards::brand(&card.pan).to_owned()),
        ("EXTRA_TRXDATE", clock::trx_date(clock::now())),
        ("ReturnOid", order_id.to_owned()),
    ]
}

/// Every field of the post-back: the request's (but the card, the hash and what the bank sets
/// itself), the bank's, a fresh `rnd`, and the signature.
pub fn assemble(
    request_fields: &[(String, String)],
    bank_fields: BankFields,
    signature: Signature,
    store_key: &str,
) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = request_fields
        .iter()
        .filter(|(name, _)| !is_card_field(name) && !is_one_of(name, &BANK_FIELDS))
        .cloned()
        .collect();
    fields.extend(
        bank_fields
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value)),
    );
    fields.push(("rnd".to_owned(), clock::random_text(ALPHANUMERIC, 20)));
    sign(&mut fields, signature, store_key);
    fields
}

/// Adds `HASH` (ver3), or `HASHPARAMS`, `HASHPARAMSVAL` and `HASH` (ver1).
fn sign(fields: &mut Vec<(String, String)>, signature: Signature, store_key: &str) {
    match signature {
        Signature::Ver3 => {
            let signed = hash::ver3(fields, store_key);
            fields.push(("HASH".to_owned(), signed));
        }
        Signature::Ver1 => {
            let value_of = |wanted: &str| {
                fields
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(wanted))
                    .map(|(_, value)| value.clone())
                    .unwrap_or_default()
            };
            let params: String = VER1_CALLBACK_PARAMS
                .iter()
                .map(|name| format!("{name}:"))
                .collect();
            let values: String = VER1_CALLBACK_PARAMS
                .iter()
                .map(|name| value_of(name))
                .collect();
            let signed = hash::ver1(&format!("{values}{store_key}"));
            fields.extend([
                ("HASHPARAMS".to_owned(), params),
                ("HASHPARAMSVAL".to_owned(), values),
                ("HASH".to_owned(), signed),
            ]);
        }
        Signature::None => {}
    }
}
