//! NestPay's signatures: hash ver3 (SHA-512 over every posted field) for gate requests and
//! callbacks, and the legacy ver1 (SHA-1 over named fields) that older stores still receive.
//!
//! These functions are public so that developers embedding Kasa (and the `kasa nestpay hash` and
//! `kasa nestpay verify` commands) can sign and check exactly what the adapter signs and checks.
//!
//! # Which fields ver3 leaves out
//!
//! The protocol leaves out `hash` (`HASH` in callbacks), `encoding` and Ziraat's `NATIONALIDNO`,
//! compared without regard to case ([`EXCLUDED_FROM_VER3`]). The same rule is applied to two
//! messages that differ in which card fields they can carry:
//!
//! - **The gate request** ([`hash_ver3_request`]): **decision of the Kasa team**, the card
//!   fields [`CARD_FIELDS`] (`pan`, `cv2`, `Ecom_Payment_Card_ExpDate_Month`,
//!   `Ecom_Payment_Card_ExpDate_Year`) are left out too. In `3d_pay` the customer types them into
//!   the checkout page *after* Kasa has signed the form, and the browser posts them straight to
//!   the bank; they cannot be part of a signature made before they exist.
//! - **The callback** ([`hash_ver3_callback`], [`verify_callback_signature`]): nothing else is
//!   left out. Real banks echo the expiry fields (never `pan` or `cv2`) and add fields of their
//!   own (`EXTRA_*`, `ACQBIN`, `cavv`, ...), and their `HASH` covers every posted field but
//!   `HASH`, `encoding` and `NATIONALIDNO`. Until 2026-12-03 Kasa left the expiry out here as
//!   well, so genuine callbacks failed verification (ADR 0006).
//!
//! # Ordering
//!
//! Fields are ordered by name compared character by character in lower case (the order of
//! Java's `String.CASE_INSENSITIVE_ORDER` for ASCII names), stably, so two fields with the same
//! name keep their arrival order. Names where case folding or digit runs could order differently
//! between implementations (`item9`/`item10`, `Extra_a`/`ExtraB`) are avoided by Kasa's forms.

use std::cmp::Ordering;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha1::Sha1;
use sha2::{Digest, Sha512};
use subtle::ConstantTimeEq;

/// The card fields of a `3d_pay` form, exactly as the bank expects them: the checkout page adds
/// inputs with these names to the signed form, and the browser posts them to the bank only.
pub const CARD_FIELDS: [&str; 4] = [PAN_FIELD, CV2_FIELD, EXPIRY_MONTH_FIELD, EXPIRY_YEAR_FIELD];

/// The card number input of a `3d_pay` checkout page.
pub const PAN_FIELD: &str = "pan";
/// The card security code input of a `3d_pay` checkout page.
pub const CV2_FIELD: &str = "cv2";
/// The expiry month input (two digits, `01`-`12`) of a `3d_pay` checkout page.
pub const EXPIRY_MONTH_FIELD: &str = "Ecom_Payment_Card_ExpDate_Month";
/// The expiry year input (two digits, e.g. `29`) of a `3d_pay` checkout page.
pub const EXPIRY_YEAR_FIELD: &str = "Ecom_Payment_Card_ExpDate_Year";

/// Fields no ver3 hash includes, request or callback, compared without regard to case: the
/// protocol's `hash` (the callback's `HASH`), `encoding` and Ziraat's `NATIONALIDNO`.
pub const EXCLUDED_FROM_VER3: [&str; 3] = ["hash", "encoding", "NATIONALIDNO"];

/// Whether every ver3 hash leaves this field out ([`EXCLUDED_FROM_VER3`]): what a callback's
/// signature does not cover.
#[must_use]
pub fn is_excluded_from_ver3_callback(name: &str) -> bool {
    EXCLUDED_FROM_VER3
        .iter()
        .any(|excluded| excluded.eq_ignore_ascii_case(name))
}

/// Whether the ver3 hash of a gate request leaves this field out: [`EXCLUDED_FROM_VER3`] and
/// the card fields [`CARD_FIELDS`] (a Kasa decision, see the module docs).
#[must_use]
pub fn is_excluded_from_ver3_request(name: &str) -> bool {
    is_excluded_from_ver3_callback(name)
        || CARD_FIELDS
            .iter()
            .any(|card_field| card_field.eq_ignore_ascii_case(name))
}

/// Compares two field names the way ver3 orders them: lower case, character by character.
fn compare_names_ignoring_case(left: &str, right: &str) -> Ordering {
    left.chars()
        .flat_map(char::to_lowercase)
        .cmp(right.chars().flat_map(char::to_lowercase))
}

/// Escapes a value for ver3: `\` becomes `\\` first, then `|` becomes `\|`.
fn escape_ver3(value: &str) -> String {
    value.replace('\\', "\\\\").replace('|', "\\|")
}

/// The text hash ver3 digests: the values of every field `excluded` does not reject, ordered by
/// name ignoring case, escaped, joined with `|`, then `|` and the escaped store key.
fn ver3_plaintext<N: AsRef<str>, V: AsRef<str>>(
    fields: &[(N, V)],
    store_key: &str,
    excluded: fn(&str) -> bool,
) -> String {
    let mut included: Vec<(&str, &str)> = fields
        .iter()
        .map(|(name, value)| (name.as_ref(), value.as_ref()))
        .filter(|(name, _)| !excluded(name))
        .collect();
    // `sort_by` is stable: fields with the same name keep their arrival order.
    included.sort_by(|(left, _), (right, _)| compare_names_ignoring_case(left, right));
    let mut plaintext = String::new();
    for (_, value) in included {
        plaintext.push_str(&escape_ver3(value));
        plaintext.push('|');
    }
    plaintext.push_str(&escape_ver3(store_key));
    plaintext
}

/// Standard base64 of the SHA-512 of a plaintext's UTF-8 bytes (88 characters).
fn sha512_base64(plaintext: &str) -> String {
    BASE64.encode(Sha512::digest(plaintext.as_bytes()))
}

/// The text hash ver3 digests for a gate request (for the debugging command): every field but
/// [`EXCLUDED_FROM_VER3`] and the card fields, ordered by name ignoring case, escaped, joined
/// with `|`, then `|` and the escaped store key.
#[must_use]
pub fn hash_ver3_request_plaintext<N: AsRef<str>, V: AsRef<str>>(
    fields: &[(N, V)],
    store_key: &str,
) -> String {
    ver3_plaintext(fields, store_key, is_excluded_from_ver3_request)
}

/// Hash ver3 of a gate request, as Kasa signs its form: standard base64 of the SHA-512 of
/// [`hash_ver3_request_plaintext`] (88 characters). The card fields are not covered.
#[must_use]
pub fn hash_ver3_request<N: AsRef<str>, V: AsRef<str>>(
    fields: &[(N, V)],
    store_key: &str,
) -> String {
    sha512_base64(&hash_ver3_request_plaintext(fields, store_key))
}

/// The text hash ver3 digests for a callback (for the debugging command): every field but
/// [`EXCLUDED_FROM_VER3`] (so the echoed expiry fields and the bank's own fields are in),
/// ordered by name ignoring case, escaped, joined with `|`, then `|` and the escaped store key.
#[must_use]
pub fn hash_ver3_callback_plaintext<N: AsRef<str>, V: AsRef<str>>(
    fields: &[(N, V)],
    store_key: &str,
) -> String {
    ver3_plaintext(fields, store_key, is_excluded_from_ver3_callback)
}

/// Hash ver3 of a callback, as the bank signs it: standard base64 of the SHA-512 of
/// [`hash_ver3_callback_plaintext`] (88 characters).
#[must_use]
pub fn hash_ver3_callback<N: AsRef<str>, V: AsRef<str>>(
    fields: &[(N, V)],
    store_key: &str,
) -> String {
    sha512_base64(&hash_ver3_callback_plaintext(fields, store_key))
}

/// The legacy ver1 request hash: `base64(SHA1(clientid + oid + amount + okUrl + failUrl +
/// islemtipi + taksit + rnd + storekey))`, plain concatenation. Kasa signs its own requests with
/// ver3; this is for developers checking old integrations.
#[must_use]
#[expect(
    clippy::too_many_arguments,
    reason = "the protocol's nine values, in the protocol's order"
)]
pub fn hash_ver1_request(
    clientid: &str,
    oid: &str,
    amount: &str,
    ok_url: &str,
    fail_url: &str,
    islemtipi: &str,
    taksit: &str,
    rnd: &str,
    store_key: &str,
) -> String {
    let plaintext = [
        clientid, oid, amount, ok_url, fail_url, islemtipi, taksit, rnd, store_key,
    ]
    .concat();
    sha1_base64(&plaintext)
}

/// `base64(SHA1(text))`.
fn sha1_base64(text: &str) -> String {
    BASE64.encode(Sha1::digest(text.as_bytes()))
}

/// Which rule signed a callback that verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Signature {
    /// Hash ver3: every field the bank posted but [`EXCLUDED_FROM_VER3`] is covered.
    Ver3,
    /// Legacy ver1: only the fields named in `HASHPARAMS` are covered; any other field of the
    /// callback could have been changed by the browser and must not be trusted.
    Ver1 {
        /// The field names from `HASHPARAMS`, in their order.
        signed_fields: Vec<String>,
    },
}

impl Signature {
    /// Whether the signature covers the field `name` (compared without regard to case).
    #[must_use]
    pub fn covers(&self, name: &str) -> bool {
        match self {
            Self::Ver3 => !is_excluded_from_ver3_callback(name),
            Self::Ver1 { signed_fields } => signed_fields
                .iter()
                .any(|signed| signed.eq_ignore_ascii_case(name)),
        }
    }
}

/// Why a callback's signature did not verify.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The callback carries no `HASH` (or `hash`) field, or it is empty.
    #[error("the callback carries no HASH")]
    MissingHash,
    /// A field the signature depends on arrived more than once (names compared without regard to
    /// case), so which value was signed is ambiguous.
    #[error("the field `{0}` arrived more than once")]
    DuplicateField(String),
    /// A ver1 callback (`HASHPARAMS` present) without `HASHPARAMSVAL`.
    #[error("the ver1 callback carries HASHPARAMS but no HASHPARAMSVAL")]
    MissingHashParamsVal,
    /// A ver1 callback whose `HASHPARAMSVAL` is not the concatenation of the fields that
    /// `HASHPARAMS` names.
    #[error("HASHPARAMSVAL does not match the fields HASHPARAMS names")]
    HashParamsMismatch,
    /// The hash does not match the fields and the store key.
    #[error("the hash does not match")]
    Mismatch,
}

/// The value of the field `name` (without regard to case), `None` when absent.
///
/// # Errors
/// [`SignatureError::DuplicateField`] when it arrived more than once.
fn unique_field<'a, N: AsRef<str>, V: AsRef<str>>(
    fields: &'a [(N, V)],
    name: &str,
) -> Result<Option<&'a str>, SignatureError> {
    let mut found = None;
    for (field_name, value) in fields {
        if field_name.as_ref().eq_ignore_ascii_case(name) {
            if found.is_some() {
                return Err(SignatureError::DuplicateField(name.to_owned()));
            }
            found = Some(value.as_ref());
        }
    }
    Ok(found)
}

/// Compares two hashes in constant time (for equal lengths; lengths are not secret).
fn hashes_equal(expected: &str, received: &str) -> bool {
    expected.as_bytes().ct_eq(received.as_bytes()).into()
}

/// Verifies a callback's signature with the store key and tells which rule signed it.
///
/// Ver1 is recognised by a `HASHPARAMS` field, unless the callback says `hashAlgorithm=ver3`
/// (then ver3 applies to every field, `HASHPARAMS` included). For ver1 the value string is
/// rebuilt from the fields `HASHPARAMS` names (a missing field counts as empty), must equal
/// `HASHPARAMSVAL`, and `base64(SHA1(value string + store key))` must equal `HASH`. For ver3
/// the hash is recomputed over every posted field but [`EXCLUDED_FROM_VER3`]
/// ([`hash_ver3_callback`]): the echoed expiry fields and the bank's own fields are covered. The
/// final comparison runs in constant time.
///
/// # Errors
/// [`SignatureError`] saying why it did not verify; the callback must then change nothing.
pub fn verify_callback_signature<N: AsRef<str>, V: AsRef<str>>(
    fields: &[(N, V)],
    store_key: &str,
) -> Result<Signature, SignatureError> {
    let received = unique_field(fields, "hash")?
        .filter(|hash| !hash.is_empty())
        .ok_or(SignatureError::MissingHash)?;
    let declares_ver3 = unique_field(fields, "hashAlgorithm")?
        .is_some_and(|algorithm| algorithm.trim().eq_ignore_ascii_case("ver3"));
    let hash_params = unique_field(fields, "HASHPARAMS")?;
    match hash_params {
        Some(hash_params) if !declares_ver3 => {
            verify_ver1(fields, hash_params, received, store_key)
        }
        _ => {
            if hashes_equal(&hash_ver3_callback(fields, store_key), received) {
                Ok(Signature::Ver3)
            } else {
                Err(SignatureError::Mismatch)
            }
        }
    }
}

/// The ver1 half of [`verify_callback_signature`].
fn verify_ver1<N: AsRef<str>, V: AsRef<str>>(
    fields: &[(N, V)],
    hash_params: &str,
    received: &str,
    store_key: &str,
) -> Result<Signature, SignatureError> {
    let signed_fields: Vec<String> = hash_params
        .split(':')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
        .collect();
    let mut rebuilt = String::new();
    for name in &signed_fields {
        rebuilt.push_str(unique_field(fields, name)?.unwrap_or_default());
    }
    let claimed =
        unique_field(fields, "HASHPARAMSVAL")?.ok_or(SignatureError::MissingHashParamsVal)?;
    if rebuilt != claimed {
        return Err(SignatureError::HashParamsMismatch);
    }
    rebuilt.push_str(store_key);
    if hashes_equal(&sha1_base64(&rebuilt), received) {
        Ok(Signature::Ver1 { signed_fields })
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first example of the protocol document (note `okurl` in lower case).
    fn vendor_example() -> Vec<(&'static str, &'static str)> {
        vec![
            ("clientid", "100200127"),
            ("amount", "95.93"),
            ("okurl", "https://yoursite.com/ok"),
            ("failUrl", "https://yoursite.com/fail"),
            ("TranType", "Auth"),
            ("Instalment", ""),
            ("callbackUrl", "https://yoursite.com/callback"),
            ("currency", "949"),
            ("rnd", "1715000000"),
            ("storetype", "3d"),
            ("hashAlgorithm", "ver3"),
            ("lang", "tr"),
            ("BillToName", "name"),
            ("BillToCompany", "billToCompany"),
        ]
    }

    /// The escaping example of the protocol document.
    fn escaping_example() -> Vec<(&'static str, &'static str)> {
        vec![
            ("clientid", "100200127"),
            ("oid", "ORD|1\\A"),
            ("amount", "10.00"),
            ("okUrl", "https://m.example/ok"),
            ("failUrl", "https://m.example/fail"),
            ("rnd", "abc"),
            ("storetype", "3d_pay"),
            ("hashAlgorithm", "ver3"),
            ("TranType", "Auth"),
            ("Instalment", ""),
            ("currency", "949"),
            ("lang", "en"),
            ("encoding", "utf-8"),
            ("BillToName", "Çağrı Öz"),
        ]
    }

    /// The documented examples are gate requests without card fields: the request and the
    /// callback rule agree on them.
    #[test]
    fn the_vendor_example_gives_the_documented_plaintext_and_hash() {
        let fields = vendor_example();
        let plaintext = "95.93|billToCompany|name|https://yoursite.com/callback|100200127|949|https://yoursite.com/fail|ver3||tr|https://yoursite.com/ok|1715000000|3d|Auth|TEST1234";
        let documented = "TX/adVRVplssPyiZuXkvUxlRRroHIvbChDcK2gbi03HkzcopbMVUqkfk8FO0HXuSC7QgRS6t6cnUYE51nKiKbQ==";
        assert_eq!(hash_ver3_request_plaintext(&fields, "TEST1234"), plaintext);
        assert_eq!(hash_ver3_callback_plaintext(&fields, "TEST1234"), plaintext);
        let hash = hash_ver3_request(&fields, "TEST1234");
        assert_eq!(hash, documented);
        assert_eq!(hash.len(), 88);
        assert_eq!(hash_ver3_callback(&fields, "TEST1234"), documented);
    }

    #[test]
    fn the_escaping_example_gives_the_documented_plaintext_and_hash() {
        let fields = escaping_example();
        let plaintext = "10.00|Çağrı Öz|100200127|949|https://m.example/fail|ver3||en|ORD\\|1\\\\A|https://m.example/ok|abc|3d_pay|Auth|Sk\\|y\\\\Key";
        let documented = "H5suGOF6fOWTqct664h2OcfLB308HGE89OYbjwyrhxcw/CE0bhJt6tHwm0mgVduFlQ20qs9GgtaXjkmeqNbN6g==";
        assert_eq!(hash_ver3_request_plaintext(&fields, "Sk|y\\Key"), plaintext);
        assert_eq!(
            hash_ver3_callback_plaintext(&fields, "Sk|y\\Key"),
            plaintext
        );
        assert_eq!(hash_ver3_request(&fields, "Sk|y\\Key"), documented);
        assert_eq!(hash_ver3_callback(&fields, "Sk|y\\Key"), documented);
    }

    #[test]
    fn owned_fields_hash_like_borrowed_ones() {
        let owned: Vec<(String, String)> = vendor_example()
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect();
        assert_eq!(
            hash_ver3_request(&owned, "TEST1234"),
            hash_ver3_request(&vendor_example(), "TEST1234")
        );
        assert_eq!(
            hash_ver3_callback(&owned, "TEST1234"),
            hash_ver3_callback(&vendor_example(), "TEST1234")
        );
    }

    #[test]
    fn excluded_fields_never_change_either_hash_whatever_their_case() {
        let request = hash_ver3_request(&vendor_example(), "TEST1234");
        let callback = hash_ver3_callback(&vendor_example(), "TEST1234");
        for name in ["hash", "HASH", "Encoding", "NATIONALIDNO", "nationalIdNo"] {
            let mut fields = vendor_example();
            fields.push((name, "12345678901"));
            assert_eq!(hash_ver3_request(&fields, "TEST1234"), request, "{name}");
            assert_eq!(hash_ver3_callback(&fields, "TEST1234"), callback, "{name}");
        }
    }

    #[test]
    fn card_fields_are_left_out_of_the_request_hash_but_covered_in_a_callback() {
        let request = hash_ver3_request(&vendor_example(), "TEST1234");
        let callback = hash_ver3_callback(&vendor_example(), "TEST1234");
        for name in [
            "pan",
            "PAN",
            "cv2",
            "Ecom_Payment_Card_ExpDate_Month",
            "ecom_payment_card_expdate_year",
        ] {
            let mut fields = vendor_example();
            fields.push((name, "12"));
            assert_eq!(hash_ver3_request(&fields, "TEST1234"), request, "{name}");
            assert_ne!(hash_ver3_callback(&fields, "TEST1234"), callback, "{name}");
            assert!(is_excluded_from_ver3_request(name), "{name}");
            assert!(!is_excluded_from_ver3_callback(name), "{name}");
        }
        let mut with_expiry = vendor_example();
        with_expiry.push(("Ecom_Payment_Card_ExpDate_Year", "30"));
        with_expiry.push(("Ecom_Payment_Card_ExpDate_Month", "12"));
        assert_eq!(
            hash_ver3_callback_plaintext(&with_expiry, "TEST1234"),
            "95.93|billToCompany|name|https://yoursite.com/callback|100200127|949|12|30|https://yoursite.com/fail|ver3||tr|https://yoursite.com/ok|1715000000|3d|Auth|TEST1234"
        );
    }

    #[test]
    fn the_order_of_arrival_does_not_matter() {
        let mut fields = vendor_example();
        fields.reverse();
        assert_eq!(
            hash_ver3_request(&fields, "TEST1234"),
            hash_ver3_request(&vendor_example(), "TEST1234")
        );
        assert_eq!(
            hash_ver3_callback(&fields, "TEST1234"),
            hash_ver3_callback(&vendor_example(), "TEST1234")
        );
    }

    #[test]
    fn empty_values_keep_their_place() {
        let with_empty = [("a", "1"), ("b", ""), ("c", "3")];
        assert_eq!(hash_ver3_callback_plaintext(&with_empty, "k"), "1||3|k");
        assert_eq!(hash_ver3_request_plaintext(&with_empty, "k"), "1||3|k");
    }

    #[test]
    fn ordering_ignores_case_and_is_stable() {
        let fields = [("b", "2"), ("A", "1"), ("B", "3"), ("a", "0")];
        assert_eq!(hash_ver3_callback_plaintext(&fields, "k"), "1|0|2|3|k");
        assert_eq!(hash_ver3_request_plaintext(&fields, "k"), "1|0|2|3|k");
    }

    /// A ver3 callback as the bank would post it back for the vendor example, echoing the
    /// card's expiry and adding fields of its own.
    fn signed_callback(store_key: &str) -> Vec<(String, String)> {
        let mut fields: Vec<(String, String)> = vendor_example()
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect();
        for (name, value) in [
            ("oid", "ORDER-1"),
            ("Response", "Approved"),
            ("ProcReturnCode", "00"),
            ("mdStatus", "1"),
            ("TransId", "24001AbC"),
            ("ErrMsg", ""),
            ("EXTRA_CARDBRAND", "VISA"),
            ("ACQBIN", "454672"),
            ("Ecom_Payment_Card_ExpDate_Month", "12"),
            ("Ecom_Payment_Card_ExpDate_Year", "30"),
        ] {
            fields.push((name.to_owned(), value.to_owned()));
        }
        let hash = hash_ver3_callback(&fields, store_key);
        fields.push(("HASH".to_owned(), hash));
        fields
    }

    #[test]
    fn a_signed_ver3_callback_verifies() {
        let fields = signed_callback("TEST1234");
        assert_eq!(
            verify_callback_signature(&fields, "TEST1234"),
            Ok(Signature::Ver3)
        );
        assert_eq!(
            verify_callback_signature(&fields, "OTHER"),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn a_lower_case_hash_field_is_accepted_but_not_two_hashes() {
        let mut fields = signed_callback("TEST1234");
        if let Some(hash) = fields.iter_mut().find(|(name, _)| name == "HASH") {
            hash.0 = "hash".to_owned();
        }
        assert_eq!(
            verify_callback_signature(&fields, "TEST1234"),
            Ok(Signature::Ver3)
        );
        let hash = hash_ver3_callback(&fields, "TEST1234");
        fields.push(("HASH".to_owned(), hash));
        assert_eq!(
            verify_callback_signature(&fields, "TEST1234"),
            Err(SignatureError::DuplicateField("hash".to_owned()))
        );
    }

    #[test]
    fn tampering_any_field_value_breaks_verification() {
        let original = signed_callback("TEST1234");
        for index in 0..original.len() {
            if original[index].0 == "HASH" {
                continue;
            }
            for replacement in ["", "x", "00", "1", "95.94"] {
                if original[index].1 == replacement {
                    continue;
                }
                let mut tampered = original.clone();
                tampered[index].1 = replacement.to_owned();
                assert_eq!(
                    verify_callback_signature(&tampered, "TEST1234"),
                    Err(SignatureError::Mismatch),
                    "changing {} to {replacement:?} must break the signature",
                    original[index].0
                );
            }
        }
    }

    #[test]
    fn adding_or_removing_a_field_breaks_verification() {
        let original = signed_callback("TEST1234");
        for added in ["Extra", "mdStatus2", "amount ", "Response"] {
            let mut tampered = original.clone();
            tampered.insert(0, (added.to_owned(), "1".to_owned()));
            assert!(
                verify_callback_signature(&tampered, "TEST1234").is_err(),
                "adding {added:?} must break the signature"
            );
        }
        for index in 0..original.len() {
            if original[index].0 == "HASH" || original[index].1.is_empty() {
                continue;
            }
            let mut tampered = original.clone();
            tampered.remove(index);
            assert_eq!(
                verify_callback_signature(&tampered, "TEST1234"),
                Err(SignatureError::Mismatch),
                "removing {} must break the signature",
                original[index].0
            );
        }
    }

    #[test]
    fn a_callback_without_hash_does_not_verify() {
        let mut fields = signed_callback("TEST1234");
        fields.retain(|(name, _)| name != "HASH");
        assert_eq!(
            verify_callback_signature(&fields, "TEST1234"),
            Err(SignatureError::MissingHash)
        );
        fields.push(("HASH".to_owned(), String::new()));
        assert_eq!(
            verify_callback_signature(&fields, "TEST1234"),
            Err(SignatureError::MissingHash)
        );
    }

    /// A ver1 callback: HASHPARAMS names the signed fields.
    fn ver1_callback(store_key: &str) -> Vec<(String, String)> {
        let values = [
            ("clientid", "100200127"),
            ("oid", "ORDER-1"),
            ("AuthCode", "123456"),
            ("ProcReturnCode", "00"),
            ("Response", "Approved"),
            ("mdStatus", "1"),
            ("cavv", "AAABBBCCC"),
            ("eci", "05"),
            ("md", "mdvalue"),
            ("rnd", "r4nd"),
        ];
        let mut fields: Vec<(String, String)> = values
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect();
        fields.push(("amount".to_owned(), "95.93".to_owned()));
        let hash_params = "clientid:oid:AuthCode:ProcReturnCode:Response:mdStatus:cavv:eci:md:rnd:";
        let value: String = values.iter().map(|(_, value)| *value).collect();
        let hash = sha1_base64(&format!("{value}{store_key}"));
        fields.push(("HASHPARAMS".to_owned(), hash_params.to_owned()));
        fields.push(("HASHPARAMSVAL".to_owned(), value));
        fields.push(("HASH".to_owned(), hash));
        fields
    }

    #[test]
    fn a_ver1_callback_verifies_and_names_what_it_covers() {
        let fields = ver1_callback("TEST1234");
        let signature = verify_callback_signature(&fields, "TEST1234").unwrap();
        assert!(
            matches!(&signature, Signature::Ver1 { signed_fields } if signed_fields.len() == 10)
        );
        assert!(signature.covers("procreturncode"));
        assert!(!signature.covers("amount"));
        assert_eq!(
            verify_callback_signature(&fields, "WRONG"),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn a_ver1_callback_with_a_tampered_signed_field_fails() {
        let mut fields = ver1_callback("TEST1234");
        if let Some(code) = fields.iter_mut().find(|(name, _)| name == "ProcReturnCode") {
            code.1 = "05".to_owned();
        }
        assert_eq!(
            verify_callback_signature(&fields, "TEST1234"),
            Err(SignatureError::HashParamsMismatch)
        );
    }

    #[test]
    fn a_ver1_callback_whose_hashparamsval_does_not_match_the_fields_fails() {
        // Change a field and HASHPARAMSVAL together: the value string no longer matches HASH.
        let mut fields = ver1_callback("TEST1234");
        for (name, value) in &mut fields {
            if name == "ProcReturnCode" {
                *value = "05".to_owned();
            }
            if name == "HASHPARAMSVAL" {
                *value = value.replacen("00Approved", "05Approved", 1);
            }
        }
        assert_eq!(
            verify_callback_signature(&fields, "TEST1234"),
            Err(SignatureError::Mismatch)
        );
        // HASHPARAMSVAL alone says something else than the fields.
        let mut fields = ver1_callback("TEST1234");
        if let Some(value) = fields.iter_mut().find(|(name, _)| name == "HASHPARAMSVAL") {
            value.1.push('x');
        }
        assert_eq!(
            verify_callback_signature(&fields, "TEST1234"),
            Err(SignatureError::HashParamsMismatch)
        );
        // Without HASHPARAMSVAL at all.
        let mut fields = ver1_callback("TEST1234");
        fields.retain(|(name, _)| name != "HASHPARAMSVAL");
        assert_eq!(
            verify_callback_signature(&fields, "TEST1234"),
            Err(SignatureError::MissingHashParamsVal)
        );
    }

    #[test]
    fn a_ver1_callback_with_a_duplicated_signed_field_fails() {
        let mut fields = ver1_callback("TEST1234");
        fields.push(("procreturncode".to_owned(), "00".to_owned()));
        assert_eq!(
            verify_callback_signature(&fields, "TEST1234"),
            Err(SignatureError::DuplicateField("ProcReturnCode".to_owned()))
        );
    }

    #[test]
    fn hashparams_in_a_ver3_callback_is_just_another_signed_field() {
        let mut fields: Vec<(String, String)> = signed_callback("TEST1234")
            .into_iter()
            .filter(|(name, _)| name != "HASH")
            .collect();
        fields.push(("HASHPARAMS".to_owned(), "clientid:oid:".to_owned()));
        fields.push(("HASHPARAMSVAL".to_owned(), "100200127ORDER-1".to_owned()));
        let hash = hash_ver3_callback(&fields, "TEST1234");
        fields.push(("HASH".to_owned(), hash));
        assert_eq!(
            verify_callback_signature(&fields, "TEST1234"),
            Ok(Signature::Ver3)
        );
    }

    #[test]
    fn the_ver1_request_hash_is_sha1_over_the_plain_concatenation() {
        let hash = hash_ver1_request(
            "100200127",
            "ORDER-1",
            "95.93",
            "https://m.example/ok",
            "https://m.example/fail",
            "Auth",
            "",
            "r4nd",
            "TEST1234",
        );
        assert_eq!(
            hash,
            sha1_base64(
                "100200127ORDER-195.93https://m.example/okhttps://m.example/failAuthr4ndTEST1234"
            )
        );
        assert_eq!(hash.len(), 28);
    }
}
