//! Callbacks as real banks post them: the card's expiry (`Ecom_Payment_Card_ExpDate_Month`,
//! `_Year`) and fields of the bank's own come back, and the ver3 `HASH` covers every posted field
//! but `HASH`, `encoding` and Ziraat's `NATIONALIDNO` (nestpay.md, "Callback"). Such a callback
//! verifies; any change to it after signing does not.
//!
//! The bank's signature is made here by [`bank_hash`], written from the protocol document alone,
//! and pinned by a worked example whose plaintext and hash were computed outside Rust (Python's
//! `hashlib`, checked with `openssl dgst -sha512`).

use base64::Engine as _;
use kasa_domain::{Currency, Money};
use kasa_nestpay::{
    BankHost, NestPayConfig, NestPayGateway, SignatureError, StoreType, verify_callback_signature,
};
use kasa_ports::{GatewayCallback, GatewayError, PaymentGateway, PaymentResultStatus, Secret};
use rust_decimal_macros::dec;
use sha2::Digest as _;

const STORE_KEY: &str = "TEST1234";
const EXPIRY_MONTH: &str = "Ecom_Payment_Card_ExpDate_Month";
const EXPIRY_YEAR: &str = "Ecom_Payment_Card_ExpDate_Year";

/// What ver3 hashes for the worked example: the values ordered by name ignoring case (`ACQBIN`,
/// `amount`, `AuthCode`, `BillToName`, `cavv`, `clientid`, `currency`, `eci`, the two expiry
/// fields, `ErrMsg`, `EXTRA_CARDBRAND`, `EXTRA_TRXDATE`, `failUrl`, `hashAlgorithm`,
/// `HostRefNum`, `Instalment`, `lang`, `MaskedPan`, `md`, `mdErrorMsg`, `mdStatus`, `oid`,
/// `okUrl`, `ProcReturnCode`, `Response`, `ReturnOid`, `rnd`, `storetype`, `TransId`,
/// `TranType`, `xid`), then the store key. `encoding` and `NATIONALIDNO` are left out.
const WORKED_EXAMPLE_PLAINTEXT: &str = "454672|95.93|123456|name|cavvValue1=|100200127|949|05|12|30||VISA|20261203 10:11:12|https://yoursite.com/fail|ver3|633712345678||tr|450803***4509|mdValue1|Authenticated|1|ORDER-1|https://yoursite.com/ok|00|Approved|ORDER-1|bankRnd20261203|3d_pay|26337AbCd0001|Auth|xidValue1=|TEST1234";
/// SHA-512 of [`WORKED_EXAMPLE_PLAINTEXT`], standard base64.
const WORKED_EXAMPLE_HASH: &str =
    "v/xG432RfqK3ZJaroIp/ysYysHuOBnth/AqhKXWjuR0ZGmlJ3Jte+IT5Z3brJMM3256kgzTBDnhnMFBw47Ksvw==";
/// The hash of the same fields with the expiry left out, as Kasa recomputed it before
/// 2026-12-03 (ADR 0006): a genuine callback never carries this one.
const WORKED_EXAMPLE_HASH_WITHOUT_EXPIRY: &str =
    "4Ss9VJIvZeD9TP+xd5C/kwW9/KT1Tjh01b6f6PfJMnPr92Ufbj0deeuLyLbRtUFW1dscd4zODKjzCYLtr8xp7A==";

/// An approved 3d_pay sale as the bank posts it back to `okUrl`, without its `HASH`: the
/// request's fields (but `pan`, `cv2` and the request hash), the expiry the customer typed,
/// the bank's own fields (`ACQBIN`, `EXTRA_*`, 3-D Secure data, Ziraat's `NATIONALIDNO`) and a
/// fresh `rnd`.
fn worked_example_unsigned() -> Vec<(String, String)> {
    [
        ("clientid", "100200127"),
        ("storetype", "3d_pay"),
        ("amount", "95.93"),
        ("currency", "949"),
        ("oid", "ORDER-1"),
        ("okUrl", "https://yoursite.com/ok"),
        ("failUrl", "https://yoursite.com/fail"),
        ("TranType", "Auth"),
        ("Instalment", ""),
        ("hashAlgorithm", "ver3"),
        ("lang", "tr"),
        ("encoding", "utf-8"),
        ("BillToName", "name"),
        (EXPIRY_MONTH, "12"),
        (EXPIRY_YEAR, "30"),
        ("mdStatus", "1"),
        ("mdErrorMsg", "Authenticated"),
        ("md", "mdValue1"),
        ("xid", "xidValue1="),
        ("eci", "05"),
        ("cavv", "cavvValue1="),
        ("Response", "Approved"),
        ("ProcReturnCode", "00"),
        ("AuthCode", "123456"),
        ("HostRefNum", "633712345678"),
        ("TransId", "26337AbCd0001"),
        ("ErrMsg", ""),
        ("MaskedPan", "450803***4509"),
        ("EXTRA_CARDBRAND", "VISA"),
        ("EXTRA_TRXDATE", "20261203 10:11:12"),
        ("ACQBIN", "454672"),
        ("ReturnOid", "ORDER-1"),
        ("NATIONALIDNO", "12345678901"),
        ("rnd", "bankRnd20261203"),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value.to_owned()))
    .collect()
}

/// The worked example with the bank's `HASH`.
fn worked_example() -> Vec<(String, String)> {
    let mut fields = worked_example_unsigned();
    fields.push(("HASH".to_owned(), WORKED_EXAMPLE_HASH.to_owned()));
    fields
}

/// The bank's ver3 plaintext for a callback, from nestpay.md alone: every posted field but
/// `HASH`, `encoding` and `NATIONALIDNO` (names ignoring case), ordered by name ignoring case,
/// `\` → `\\` then `|` → `\|`, joined with `|`, then `|` and the escaped store key.
fn bank_plaintext(fields: &[(String, String)], store_key: &str) -> String {
    let escape = |value: &str| value.replace('\\', "\\\\").replace('|', "\\|");
    let mut covered: Vec<&(String, String)> = fields
        .iter()
        .filter(|(name, _)| {
            !["hash", "encoding", "nationalidno"].contains(&name.to_ascii_lowercase().as_str())
        })
        .collect();
    covered.sort_by_key(|(name, _)| name.to_ascii_lowercase());
    let mut parts: Vec<String> = covered.iter().map(|(_, value)| escape(value)).collect();
    parts.push(escape(store_key));
    parts.join("|")
}

/// The bank's ver3 `HASH`: base64 of the SHA-512 of [`bank_plaintext`].
fn bank_hash(fields: &[(String, String)]) -> String {
    base64::engine::general_purpose::STANDARD.encode(sha2::Sha512::digest(
        bank_plaintext(fields, STORE_KEY).as_bytes(),
    ))
}

/// Signs `fields` as the bank does (any `HASH` replaced).
fn bank_signed(mut fields: Vec<(String, String)>) -> Vec<(String, String)> {
    fields.retain(|(name, _)| name != "HASH");
    let hash = bank_hash(&fields);
    fields.push(("HASH".to_owned(), hash));
    fields
}

fn set(fields: &mut [(String, String)], name: &str, value: &str) {
    let field = fields
        .iter_mut()
        .find(|(field, _)| field == name)
        .unwrap_or_else(|| panic!("no field {name}"));
    field.1 = value.to_owned();
}

fn without(fields: &[(String, String)], name: &str) -> Vec<(String, String)> {
    fields
        .iter()
        .filter(|(field, _)| field != name)
        .cloned()
        .collect()
}

fn gateway() -> NestPayGateway {
    NestPayGateway::new(NestPayConfig::new(
        BankHost::Custom("http://127.0.0.1:9".to_owned()),
        "100200127",
        Secret::new(STORE_KEY),
        "api",
        Secret::new("p4ss"),
        StoreType::ThreeDPay,
    ))
    .unwrap()
}

async fn verify(fields: Vec<(String, String)>) -> Result<kasa_ports::PaymentResult, GatewayError> {
    gateway()
        .verify_callback(GatewayCallback {
            fields,
            ..GatewayCallback::default()
        })
        .await
}

#[test]
fn the_test_signs_the_worked_example_as_computed_outside_rust() {
    let fields = worked_example_unsigned();
    assert_eq!(bank_plaintext(&fields, STORE_KEY), WORKED_EXAMPLE_PLAINTEXT);
    assert_eq!(bank_hash(&fields), WORKED_EXAMPLE_HASH);
}

#[tokio::test]
async fn a_genuine_callback_echoing_the_expiry_and_bank_fields_verifies_and_is_captured() {
    assert_eq!(
        verify_callback_signature(&worked_example(), STORE_KEY),
        Ok(kasa_nestpay::Signature::Ver3)
    );
    let result = verify(worked_example()).await.unwrap();
    assert_eq!(result.status, PaymentResultStatus::Captured);
    assert_eq!(
        result.amount,
        Some(Money::new(dec!(95.93), Currency::Try).unwrap())
    );
    // The field order of the post does not matter.
    let mut reversed = worked_example();
    reversed.reverse();
    assert_eq!(
        verify_callback_signature(&reversed, STORE_KEY),
        Ok(kasa_nestpay::Signature::Ver3)
    );
}

#[test]
fn the_expiry_is_covered_by_the_callback_signature() {
    let fields = worked_example();
    let refused = |fields: &[(String, String)], what: &str| {
        assert_eq!(
            verify_callback_signature(fields, STORE_KEY),
            Err(SignatureError::Mismatch),
            "{what} must break the signature"
        );
    };
    // Changed after signing.
    for (name, value) in [
        (EXPIRY_MONTH, "11"),
        (EXPIRY_MONTH, ""),
        (EXPIRY_YEAR, "31"),
        (EXPIRY_YEAR, "2030"),
        (EXPIRY_YEAR, ""),
    ] {
        let mut tampered = fields.clone();
        set(&mut tampered, name, value);
        refused(&tampered, &format!("{name} changed to {value:?}"));
    }
    // Month and year swapped.
    let mut swapped = fields.clone();
    set(&mut swapped, EXPIRY_MONTH, "30");
    set(&mut swapped, EXPIRY_YEAR, "12");
    refused(&swapped, "swapping month and year");
    // Removed.
    refused(&without(&fields, EXPIRY_MONTH), "removing the month");
    refused(&without(&fields, EXPIRY_YEAR), "removing the year");
    refused(
        &without(&without(&fields, EXPIRY_MONTH), EXPIRY_YEAR),
        "removing both",
    );
    // Sent twice.
    let mut twice = fields;
    twice.insert(0, (EXPIRY_MONTH.to_owned(), "12".to_owned()));
    refused(&twice, "a second month");
}

#[test]
fn expiry_added_to_a_callback_signed_without_it_is_refused() {
    let signed_without_expiry = bank_signed(without(
        &without(&worked_example(), EXPIRY_MONTH),
        EXPIRY_YEAR,
    ));
    assert_eq!(
        verify_callback_signature(&signed_without_expiry, STORE_KEY),
        Ok(kasa_nestpay::Signature::Ver3),
        "a bank that does not echo the expiry is still understood"
    );
    let mut expiry_added = signed_without_expiry;
    expiry_added.push((EXPIRY_MONTH.to_owned(), "12".to_owned()));
    expiry_added.push((EXPIRY_YEAR.to_owned(), "30".to_owned()));
    assert_eq!(
        verify_callback_signature(&expiry_added, STORE_KEY),
        Err(SignatureError::Mismatch)
    );
    // The expiry fields present but signed as a gate request is (left out): no bank does that.
    let mut signed_as_a_request = without(&worked_example(), "HASH");
    signed_as_a_request.push((
        "HASH".to_owned(),
        WORKED_EXAMPLE_HASH_WITHOUT_EXPIRY.to_owned(),
    ));
    assert_eq!(
        verify_callback_signature(&signed_as_a_request, STORE_KEY),
        Err(SignatureError::Mismatch)
    );
}

#[tokio::test]
async fn any_other_change_to_a_callback_with_expiry_is_refused() {
    let fields = worked_example();
    for (name, value) in [
        ("amount", "0.01"),
        ("amount", "95.94"),
        ("ProcReturnCode", "05"),
        ("mdStatus", "2"),
        ("oid", "ORDER-2"),
        ("ACQBIN", "000000"),
        ("EXTRA_CARDBRAND", "MASTERCARD"),
        ("rnd", "another"),
        ("ErrMsg", "x"),
    ] {
        let mut tampered = fields.clone();
        set(&mut tampered, name, value);
        assert_eq!(
            verify(tampered).await,
            Err(GatewayError::InvalidSignature),
            "{name} changed to {value:?}"
        );
    }
    for removed in ["ACQBIN", "EXTRA_TRXDATE", "cavv", "Instalment", "ErrMsg"] {
        assert_eq!(
            verify(without(&fields, removed)).await,
            Err(GatewayError::InvalidSignature),
            "{removed} removed"
        );
    }
    for (added, value) in [("EXTRA_EXTRAFIELD", "1"), ("pan", ""), ("cv2", "123")] {
        let mut tampered = fields.clone();
        tampered.insert(0, (added.to_owned(), value.to_owned()));
        assert_eq!(
            verify(tampered).await,
            Err(GatewayError::InvalidSignature),
            "{added} added"
        );
    }
    let mut other_key = without(&fields, "HASH");
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha512::digest(
        bank_plaintext(&other_key, "OTHERKEY").as_bytes(),
    ));
    other_key.push(("HASH".to_owned(), hash));
    assert_eq!(verify(other_key).await, Err(GatewayError::InvalidSignature));
}

#[test]
fn what_the_protocol_leaves_out_may_differ() {
    // nestpay.md: `HASH`, `encoding` and Ziraat's `NATIONALIDNO` are not covered.
    let mut fields = worked_example();
    set(&mut fields, "NATIONALIDNO", "98765432109");
    set(&mut fields, "encoding", "ISO-8859-9");
    assert_eq!(
        verify_callback_signature(&fields, STORE_KEY),
        Ok(kasa_nestpay::Signature::Ver3)
    );
    assert_eq!(
        verify_callback_signature(&without(&fields, "NATIONALIDNO"), STORE_KEY),
        Ok(kasa_nestpay::Signature::Ver3)
    );
}
