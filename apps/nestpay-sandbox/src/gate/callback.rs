//! The post-back to `okUrl`/`failUrl`: which request fields come back (all but the card number,
//! the CVV and the request's hash; the card's expiry does come back, as from real banks), what
//! the bank adds for each outcome, a fresh `rnd`, and the signature (ver3 `HASH` over every
//! posted field, or ver1 `HASHPARAMS`, `HASHPARAMSVAL`, `HASH`).

use crate::cards::{self, CardOutcome, IssuerAnswer};
use crate::clock::{self, ALPHANUMERIC};
use crate::form::Fields;
use crate::hash::{self, Message, VER1_CALLBACK_PARAMS};
use crate::html::Lang;
use crate::orders::Transaction;

use super::checks::{Card, GateError, Signature};

/// The fields the bank adds to the echoed request.
pub type BankFields = Vec<(&'static str, String)>;

/// The card number and CVV: never echoed.
const CARD_SECRETS: [&str; 2] = ["pan", "cv2"];

/// The card's expiry: echoed as typed, like any request field, and signed.
const EXPIRY_FIELDS: [&str; 2] = [
    "Ecom_Payment_Card_ExpDate_Month",
    "Ecom_Payment_Card_ExpDate_Year",
];

/// The sandbox bank's own acquirer BIN (`ACQBIN`), made up.
const ACQUIRER_BIN: &str = "990077";
/// The issuer the sandbox names for every test card (`EXTRA_CARDISSUER`).
const CARD_ISSUER: &str = "NESTPAY SANDBOX BANK";

/// The fields the bank sets itself; a request field of the same name is not echoed.
#[rustfmt::skip]
const BANK_FIELDS: [&str; 24] = [
    "hash", "rnd", "mdStatus", "mdErrorMsg", "md", "xid", "eci", "cavv", "Response",
    "ProcReturnCode", "AuthCode", "HostRefNum", "TransId", "ErrMsg", "ErrorCode", "MaskedPan",
    "maskedCreditCard", "EXTRA_CARDBRAND", "EXTRA_CARDISSUER", "EXTRA_TRXDATE", "ACQBIN",
    "ReturnOid", "HASHPARAMS", "HASHPARAMSVAL",
];

fn is_one_of(name: &str, list: &[&str]) -> bool {
    list.iter().any(|entry| entry.eq_ignore_ascii_case(name))
}

/// `pan` or `cv2`.
pub fn is_card_secret(name: &str) -> bool {
    is_one_of(name, &CARD_SECRETS)
}

/// Adds the expiry typed on the bank's card page (3d_pay_hosting) to the request's fields,
/// replacing any, so that the post-back echoes it as it echoes a 3d_pay form's.
pub fn add_typed_expiry(request_fields: &mut Vec<(String, String)>, card_page: &Fields) {
    request_fields.retain(|(name, _)| !is_one_of(name, &EXPIRY_FIELDS));
    request_fields.extend(
        card_page
            .0
            .iter()
            .filter(|(name, _)| is_one_of(name, &EXPIRY_FIELDS))
            .cloned(),
    );
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

/// The card's display data, the bank's own fields and the order, after 3-D Secure.
pub fn card_fields(card: &Card, order_id: &str) -> BankFields {
    vec![
        ("MaskedPan", cards::masked_pan(&card.pan)),
        ("maskedCreditCard", cards::masked_credit_card(&card.pan)),
        ("EXTRA_CARDBRAND", cards::brand(&card.pan).to_owned()),
        ("EXTRA_CARDISSUER", CARD_ISSUER.to_owned()),
        ("EXTRA_TRXDATE", clock::trx_date(clock::now())),
        ("ACQBIN", ACQUIRER_BIN.to_owned()),
        ("ReturnOid", order_id.to_owned()),
    ]
}

/// Every field of the post-back: the request's (the card's expiry included, but not its number
/// or CVV, the request's hash or what the bank sets itself), the bank's, a fresh `rnd`, and the
/// signature.
pub fn assemble(
    request_fields: &[(String, String)],
    bank_fields: BankFields,
    signature: Signature,
    store_key: &str,
) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = request_fields
        .iter()
        .filter(|(name, _)| !is_card_secret(name) && !is_one_of(name, &BANK_FIELDS))
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

/// Adds `HASH` (ver3 over every posted field, the expiry included), or `HASHPARAMS`,
/// `HASHPARAMSVAL` and `HASH` (ver1).
fn sign(fields: &mut Vec<(String, String)>, signature: Signature, store_key: &str) {
    match signature {
        Signature::Ver3 => {
            let signed = hash::ver3(fields, store_key, Message::Callback);
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
