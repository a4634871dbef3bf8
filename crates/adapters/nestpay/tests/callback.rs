//! The gateway's side of the bank's callback: the approval matrix, signatures (ver3 and legacy
//! ver1), store checks, and the form `start_payment` hands the browser.

use base64::Engine as _;
use kasa_domain::{Currency, EmailAddress, Language, Money};
use kasa_nestpay::{
    BankHost, CARD_FIELDS, NestPayConfig, NestPayGateway, StoreType, hash_ver3_callback,
    verify_callback_signature,
};
use kasa_ports::{
    CaptureMode, GatewayCallback, GatewayError, GatewayReference, OrderId, PaymentGateway,
    PaymentInitiation, PaymentResultStatus, PaymentStart, Secret,
};
use rust_decimal_macros::dec;
use sha1::Digest as _;

const STORE_KEY: &str = "TEST1234";

fn gateway(half_secure_allowed: bool) -> NestPayGateway {
    let mut config = NestPayConfig::new(
        BankHost::Custom("http://127.0.0.1:9".to_owned()),
        "100200127",
        Secret::new(STORE_KEY),
        "api",
        Secret::new("p4ss"),
        StoreType::ThreeDPay,
    );
    config.half_secure_allowed = half_secure_allowed;
    NestPayGateway::new(config).unwrap()
}

/// What the bank posts back for a 3d_pay sale, with these outcome fields, signed with ver3.
fn callback(outcome: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = [
        ("clientid", "100200127"),
        ("storetype", "3d_pay"),
        ("amount", "95.93"),
        ("currency", "949"),
        ("oid", "ORD-1"),
        ("okUrl", "https://kasa.example/gateways/nestpay/return"),
        ("failUrl", "https://kasa.example/gateways/nestpay/return"),
        ("TranType", "Auth"),
        ("Instalment", ""),
        ("hashAlgorithm", "ver3"),
        ("lang", "tr"),
        ("BillToName", "Ayşe Çağrı"),
        ("Email", "ayse@example.com"),
        ("encoding", "utf-8"),
        ("rnd", "bank-fresh-rnd"),
        ("ReturnOid", "ORD-1"),
        ("MaskedPan", "450803***4509"),
        ("EXTRA_CARDBRAND", "VISA"),
        ("EXTRA_TRXDATE", "20240112 10:11:12"),
    ]
    .into_iter()
    .chain(outcome.iter().copied())
    .map(|(name, value)| (name.to_owned(), value.to_owned()))
    .collect();
    sign(&mut fields);
    fields
}

fn sign(fields: &mut Vec<(String, String)>) {
    fields.retain(|(name, _)| name != "HASH");
    let hash = hash_ver3_callback(fields, STORE_KEY);
    fields.push(("HASH".to_owned(), hash));
}

fn approved(md_status: &str) -> Vec<(&str, &str)> {
    vec![
        ("mdStatus", md_status),
        ("Response", "Approved"),
        ("ProcReturnCode", "00"),
        ("AuthCode", "123456"),
        ("HostRefNum", "401200000001"),
        ("TransId", "24012AbCd"),
        ("ErrMsg", ""),
        ("mdErrorMsg", "Authenticated"),
    ]
}

fn declined(code: &str, message: &'static str) -> Vec<(&'static str, String)> {
    vec![
        ("mdStatus", "1".to_owned()),
        ("Response", "Declined".to_owned()),
        ("ProcReturnCode", code.to_owned()),
        ("TransId", "24012Decl".to_owned()),
        ("ErrMsg", message.to_owned()),
    ]
}

async fn verify(
    gateway: &NestPayGateway,
    fields: Vec<(String, String)>,
) -> Result<kasa_ports::PaymentResult, GatewayError> {
    gateway
        .verify_callback(GatewayCallback {
            fields,
            ..GatewayCallback::default()
        })
        .await
}

fn lira(amount: kasa_domain::Decimal) -> Money {
    Money::new(amount, Currency::Try).unwrap()
}

#[tokio::test]
async fn full_3ds_and_00_is_captured_with_amount_and_reference() {
    let result = verify(&gateway(false), callback(&approved("1")))
        .await
        .unwrap();
    assert_eq!(result.order_id, OrderId("ORD-1".to_owned()));
    assert_eq!(result.status, PaymentResultStatus::Captured);
    assert_eq!(result.amount, Some(lira(dec!(95.93))));
    assert_eq!(
        result.reference,
        Some(GatewayReference("24012AbCd".to_owned()))
    );
}

#[tokio::test]
async fn a_preauth_is_authorised() {
    let mut fields = callback(&approved("1"));
    for (name, value) in &mut fields {
        if name == "TranType" {
            *value = "PreAuth".to_owned();
        }
    }
    sign(&mut fields);
    let result = verify(&gateway(false), fields).await.unwrap();
    assert_eq!(result.status, PaymentResultStatus::Authorised);
}

#[tokio::test]
async fn an_unknown_tran_type_is_pending() {
    let mut fields = callback(&approved("1"));
    for (name, value) in &mut fields {
        if name == "TranType" {
            *value = "Sale".to_owned();
        }
    }
    sign(&mut fields);
    let result = verify(&gateway(false), fields).await.unwrap();
    assert_eq!(result.status, PaymentResultStatus::Pending);
}

#[tokio::test]
async fn issuer_declines_carry_the_proc_return_code() {
    for (code, message) in [("05", "Red-Onaylanmadı"), ("51", "Yetersiz bakiye")] {
        let outcome = declined(code, message);
        let outcome: Vec<(&str, &str)> = outcome
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        let result = verify(&gateway(false), callback(&outcome)).await.unwrap();
        assert_eq!(
            result.status,
            PaymentResultStatus::Declined {
                code: code.to_owned(),
                message: message.to_owned()
            }
        );
        assert_eq!(
            result.reference,
            Some(GatewayReference("24012Decl".to_owned()))
        );
    }
}

#[tokio::test]
async fn a_failed_3ds_is_declined_with_the_md_status() {
    let fields = callback(&[
        ("mdStatus", "0"),
        ("mdErrorMsg", "Not authenticated"),
        ("Response", "Declined"),
        ("ProcReturnCode", "99"),
        ("ErrMsg", ""),
    ]);
    let result = verify(&gateway(true), fields).await.unwrap();
    assert_eq!(
        result.status,
        PaymentResultStatus::Declined {
            code: "mdStatus-0".to_owned(),
            message: "Not authenticated".to_owned()
        }
    );
}

#[tokio::test]
async fn half_secure_approves_only_when_the_store_allows_it() {
    for md_status in ["2", "3", "4"] {
        let fields = callback(&approved(md_status));
        let allowed = verify(&gateway(true), fields.clone()).await.unwrap();
        assert_eq!(allowed.status, PaymentResultStatus::Captured, "{md_status}");
        let refused = verify(&gateway(false), fields).await.unwrap();
        match refused.status {
            PaymentResultStatus::ChargedButRefused { code, message } => {
                assert_eq!(code, format!("mdStatus-{md_status}"));
                assert!(message.contains("charged"), "{message}");
            }
            other => panic!("mdStatus {md_status} without half-secure: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_gate_error_carries_the_hpp_code() {
    let fields = callback(&[
        ("Response", "Error"),
        ("ProcReturnCode", "99"),
        ("ErrorCode", "HPP-1006"),
        ("ErrMsg", "Hash değeri geçersiz"),
    ]);
    let result = verify(&gateway(false), fields).await.unwrap();
    assert_eq!(
        result.status,
        PaymentResultStatus::Declined {
            code: "HPP-1006".to_owned(),
            message: "Hash değeri geçersiz".to_owned()
        }
    );
}

#[tokio::test]
async fn nothing_recognisable_is_pending_never_success() {
    for outcome in [
        vec![],
        vec![("mdStatus", "1")],
        vec![
            ("mdStatus", "1"),
            ("ProcReturnCode", "00"),
            ("Response", "Declined"),
        ],
        vec![("ProcReturnCode", "00"), ("Response", "Approved")],
    ] {
        let result = verify(&gateway(true), callback(&outcome)).await.unwrap();
        assert_eq!(result.status, PaymentResultStatus::Pending, "{outcome:?}");
    }
}

#[tokio::test]
async fn a_tampered_field_is_an_invalid_signature() {
    let original = callback(
        &declined("05", "Red")
            .iter()
            .map(|(n, v)| (*n, v.as_str()))
            .collect::<Vec<_>>(),
    );
    for target in ["ProcReturnCode", "amount", "oid", "mdStatus", "Response"] {
        let mut tampered = original.clone();
        for (name, value) in &mut tampered {
            if name == target {
                *value = match target {
                    "ProcReturnCode" => "00".to_owned(),
                    "amount" => "0.01".to_owned(),
                    "oid" => "ORD-2".to_owned(),
                    "mdStatus" => "2".to_owned(),
                    _ => "Approved".to_owned(),
                };
            }
        }
        assert_eq!(
            verify(&gateway(false), tampered).await,
            Err(GatewayError::InvalidSignature),
            "{target}"
        );
    }
    let mut added = original;
    added.push(("mdStatus".to_owned(), "1".to_owned()));
    assert_eq!(
        verify(&gateway(false), added).await,
        Err(GatewayError::InvalidSignature)
    );
}

#[tokio::test]
async fn a_callback_without_hash_is_an_invalid_signature() {
    let mut fields = callback(&approved("1"));
    fields.retain(|(name, _)| name != "HASH");
    assert_eq!(
        verify(&gateway(false), fields).await,
        Err(GatewayError::InvalidSignature)
    );
}

#[tokio::test]
async fn a_callback_signed_with_another_key_is_an_invalid_signature() {
    let mut fields = callback(&approved("1"));
    fields.retain(|(name, _)| name != "HASH");
    let hash = hash_ver3_callback(&fields, "OTHERKEY");
    fields.push(("HASH".to_owned(), hash));
    assert_eq!(
        verify(&gateway(false), fields).await,
        Err(GatewayError::InvalidSignature)
    );
}

#[tokio::test]
async fn another_stores_callback_is_rejected_and_missing_ids_are_malformed() {
    let mut other_store = callback(&approved("1"));
    for (name, value) in &mut other_store {
        if name == "clientid" {
            *value = "999999999".to_owned();
        }
    }
    sign(&mut other_store);
    assert_eq!(
        verify(&gateway(false), other_store).await,
        Err(GatewayError::InvalidSignature)
    );
    for missing in ["clientid", "oid"] {
        let mut fields = callback(&approved("1"));
        fields.retain(|(name, _)| name != missing && !(missing == "oid" && name == "ReturnOid"));
        sign(&mut fields);
        assert!(
            matches!(
                verify(&gateway(false), fields).await,
                Err(GatewayError::Malformed(_))
            ),
            "{missing}"
        );
    }
}

#[tokio::test]
async fn a_duplicated_decision_field_is_malformed() {
    let mut fields = callback(&approved("1"));
    fields.push(("procreturncode".to_owned(), "00".to_owned()));
    sign(&mut fields);
    assert!(matches!(
        verify(&gateway(false), fields).await,
        Err(GatewayError::Malformed(_))
    ));
}

fn sha1_base64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(sha1::Sha1::digest(text.as_bytes()))
}

/// A legacy ver1 callback: HASHPARAMS names the signed fields, which exclude the amount and
/// TranType.
fn ver1_callback(proc_return_code: &str, md_status: &str) -> Vec<(String, String)> {
    let signed = [
        ("clientid", "100200127"),
        ("oid", "ORD-1"),
        ("AuthCode", "123456"),
        ("ProcReturnCode", proc_return_code),
        (
            "Response",
            if proc_return_code == "00" {
                "Approved"
            } else {
                "Declined"
            },
        ),
        ("mdStatus", md_status),
        ("cavv", "AAABBBCCC"),
        ("eci", "05"),
        ("md", "mdvalue"),
        ("rnd", "r4nd"),
    ];
    let value: String = signed.iter().map(|(_, value)| *value).collect();
    let mut fields: Vec<(String, String)> = signed
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect();
    for (name, value) in [
        ("amount", "95.93"),
        ("currency", "949"),
        ("TranType", "Auth"),
        ("TransId", "24012Ver1"),
        ("ErrMsg", ""),
        (
            "HASHPARAMS",
            "clientid:oid:AuthCode:ProcReturnCode:Response:mdStatus:cavv:eci:md:rnd:",
        ),
        ("HASHPARAMSVAL", value.as_str()),
        ("HASH", sha1_base64(&format!("{value}{STORE_KEY}")).as_str()),
    ] {
        fields.push((name.to_owned(), value.to_owned()));
    }
    fields
}

#[tokio::test]
async fn a_valid_ver1_callback_is_approved_but_claims_only_what_it_signs() {
    let fields = ver1_callback("00", "1");
    assert!(matches!(
        verify_callback_signature(&fields, STORE_KEY),
        Ok(kasa_nestpay::Signature::Ver1 { .. })
    ));
    let result = verify(&gateway(false), fields).await.unwrap();
    // TranType and the amount are not signed: no capture claimed, no amount reported.
    assert_eq!(result.status, PaymentResultStatus::Authorised);
    assert_eq!(result.amount, None);
    assert_eq!(
        result.reference,
        Some(GatewayReference("24012Ver1".to_owned()))
    );
    let declined = verify(&gateway(false), ver1_callback("51", "1"))
        .await
        .unwrap();
    assert!(matches!(
        declined.status,
        PaymentResultStatus::Declined { code, .. } if code == "51"
    ));
}

#[tokio::test]
async fn a_tampered_ver1_callback_is_an_invalid_signature() {
    let mut fields = ver1_callback("51", "1");
    for (name, value) in &mut fields {
        if name == "ProcReturnCode" {
            *value = "00".to_owned();
        }
    }
    assert_eq!(
        verify(&gateway(false), fields.clone()).await,
        Err(GatewayError::InvalidSignature)
    );
    // Changing HASHPARAMSVAL along with the field does not help: the hash covers the value.
    for (name, value) in &mut fields {
        if name == "HASHPARAMSVAL" {
            *value = value.replacen("51Declined", "00Declined", 1);
        }
    }
    assert_eq!(
        verify(&gateway(false), fields).await,
        Err(GatewayError::InvalidSignature)
    );
}

#[tokio::test]
async fn a_ver1_signature_that_leaves_out_the_return_code_is_not_enough() {
    let value = "100200127ORD-1";
    let fields: Vec<(String, String)> = [
        ("clientid", "100200127"),
        ("oid", "ORD-1"),
        ("ProcReturnCode", "00"),
        ("mdStatus", "1"),
        ("HASHPARAMS", "clientid:oid:"),
        ("HASHPARAMSVAL", value),
        ("HASH", sha1_base64(&format!("{value}{STORE_KEY}")).as_str()),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value.to_owned()))
    .collect();
    assert!(verify_callback_signature(&fields, STORE_KEY).is_ok());
    assert_eq!(
        verify(&gateway(false), fields).await,
        Err(GatewayError::InvalidSignature)
    );
}

fn payment(capture: CaptureMode) -> PaymentStart {
    PaymentStart {
        order_id: OrderId("ORD-1".to_owned()),
        amount: lira(dec!(100)),
        capture,
        customer_email: EmailAddress::parse("ayse@example.com").unwrap(),
        customer_name: "Ayşe Çağrı".to_owned(),
        language: Language::En,
        description: "10 credits".to_owned(),
        success_url: "https://kasa.example/ok".to_owned(),
        failure_url: "https://kasa.example/fail".to_owned(),
    }
}

#[tokio::test]
async fn start_payment_posts_a_signed_form_to_the_gate() {
    let gateway = gateway(false);
    let PaymentInitiation::PostForm { action_url, fields } = gateway
        .start_payment(payment(CaptureMode::Immediate))
        .await
        .unwrap()
    else {
        panic!("a form");
    };
    assert_eq!(action_url, "http://127.0.0.1:9/fim/est3Dgate");
    let value = |wanted: &str| {
        fields
            .iter()
            .find(|(name, _)| name == wanted)
            .map(|(_, value)| value.clone())
    };
    assert_eq!(value("amount").as_deref(), Some("100.00"));
    assert_eq!(value("currency").as_deref(), Some("949"));
    assert_eq!(value("TranType").as_deref(), Some("Auth"));
    assert_eq!(value("lang").as_deref(), Some("en"));
    assert_eq!(value("storetype").as_deref(), Some("3d_pay"));
    for card_field in CARD_FIELDS {
        assert_eq!(value(card_field), None);
    }
    assert!(verify_callback_signature(&fields, STORE_KEY).is_ok());
    // A fresh rnd every time.
    let PaymentInitiation::PostForm { fields: again, .. } = gateway
        .start_payment(payment(CaptureMode::AuthoriseOnly))
        .await
        .unwrap()
    else {
        panic!("a form");
    };
    let rnd = |fields: &[(String, String)]| {
        fields
            .iter()
            .find(|(name, _)| name == "rnd")
            .map(|(_, value)| value.clone())
    };
    assert_ne!(rnd(&fields), rnd(&again));
    assert!(again.contains(&("TranType".to_owned(), "PreAuth".to_owned())));
}

#[tokio::test]
async fn start_payment_refuses_zero_amounts() {
    let mut request = payment(CaptureMode::Immediate);
    request.amount = Money::zero(Currency::Eur);
    assert!(matches!(
        gateway(false).start_payment(request).await,
        Err(GatewayError::Unsupported(_))
    ));
}

/// A form body as a bank that ignores `encoding=utf-8` would post it: Turkish letters as
/// ISO-8859-9 bytes, percent-encoded.
fn latin5_form_body(fields: &[(String, String)]) -> Vec<u8> {
    let encode = |text: &str| -> String {
        text.chars()
            .map(|c| {
                let byte = match c {
                    'ş' => 0xFE,
                    'Ç' => 0xC7,
                    'ğ' => 0xF0,
                    'ı' => 0xFD,
                    c if c.is_ascii_alphanumeric() || "-._".contains(c) => return c.to_string(),
                    c => u8::try_from(u32::from(c)).expect("ASCII"),
                };
                format!("%{byte:02X}")
            })
            .collect()
    };
    fields
        .iter()
        .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

#[tokio::test]
async fn a_raw_iso_8859_9_form_body_verifies_where_lossy_fields_would_not() {
    let signed = callback(&approved("1"));
    let raw_body = latin5_form_body(&signed);
    assert!(raw_body.windows(3).any(|window| window == b"%FE"));
    // What a lossy UTF-8 form reader makes of it.
    let lossy: Vec<(String, String)> = signed
        .iter()
        .map(|(name, value)| (name.clone(), value.replace('ş', "\u{fffd}")))
        .collect();
    assert_eq!(
        verify(&gateway(false), lossy.clone()).await,
        Err(GatewayError::InvalidSignature)
    );
    let result = gateway(false)
        .verify_callback(GatewayCallback {
            raw_body,
            fields: lossy,
            headers: vec![(
                "content-type".to_owned(),
                "application/x-www-form-urlencoded".to_owned(),
            )],
        })
        .await
        .unwrap();
    assert_eq!(result.status, PaymentResultStatus::Captured);
}
