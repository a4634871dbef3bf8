//! NestPay's signatures, as the protocol document describes them: hash ver3 (SHA-512 over the
//! sorted, escaped field values) for requests and callbacks, and the legacy ver1 (SHA-1 over a
//! fixed concatenation).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha1::Sha1;
use sha2::{Digest as _, Sha512};

/// Fields never part of a ver3 hash (compared case-insensitively): the hash itself, the form
/// encoding, Ziraat's `NATIONALIDNO`, and the card fields the customer types after the merchant
/// signed the form (a team decision: the merchant cannot sign what it never sees).
const LEFT_OUT_OF_VER3: [&str; 7] = [
    "hash",
    "encoding",
    "NATIONALIDNO",
    "pan",
    "cv2",
    "Ecom_Payment_Card_ExpDate_Month",
    "Ecom_Payment_Card_ExpDate_Year",
];

/// The fields, in order, whose values make a ver1 callback's `HASHPARAMSVAL`.
pub const VER1_CALLBACK_PARAMS: [&str; 10] = [
    "clientid",
    "oid",
    "AuthCode",
    "ProcReturnCode",
    "Response",
    "mdStatus",
    "cavv",
    "eci",
    "md",
    "rnd",
];

/// Whether a field takes part in a ver3 hash.
pub fn is_hashed_by_ver3(name: &str) -> bool {
    !LEFT_OUT_OF_VER3
        .iter()
        .any(|left_out| left_out.eq_ignore_ascii_case(name))
}

/// `\` becomes `\\`, then `|` becomes `\|`.
fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('|', "\\|")
}

/// The text a ver3 hash is taken over: the hashed fields' values ordered by name ignoring case,
/// escaped, joined with `|`, then `|` and the escaped store key.
pub fn ver3_plaintext(fields: &[(String, String)], store_key: &str) -> String {
    let mut hashed: Vec<&(String, String)> = fields
        .iter()
        .filter(|(name, _)| is_hashed_by_ver3(name))
        .collect();
    hashed.sort_by_key(|(name, _)| name.to_ascii_lowercase());
    let mut parts: Vec<String> = hashed.iter().map(|(_, value)| escape(value)).collect();
    parts.push(escape(store_key));
    parts.join("|")
}

/// The ver3 hash of posted fields: base64 of the SHA-512 of [`ver3_plaintext`].
pub fn ver3(fields: &[(String, String)], store_key: &str) -> String {
    BASE64.encode(Sha512::digest(ver3_plaintext(fields, store_key).as_bytes()))
}

/// base64 of the SHA-1 of a text: the whole ver1 algorithm once the text is assembled.
pub fn ver1(text: &str) -> String {
    BASE64.encode(Sha1::digest(text.as_bytes()))
}

/// The ver1 request hash: `clientid + oid + amount + okUrl + failUrl + islemtipi + taksit + rnd
/// + storekey`, each value as posted (missing values are empty).
pub fn ver1_request(value_of: impl Fn(&str) -> String, store_key: &str) -> String {
    let text: String = [
        "clientid",
        "oid",
        "amount",
        "okUrl",
        "failUrl",
        "islemtipi",
        "taksit",
        "rnd",
    ]
    .iter()
    .map(|name| value_of(name))
    .chain(std::iter::once(store_key.to_owned()))
    .collect();
    ver1(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect()
    }

    #[test]
    fn the_vendor_example_of_the_protocol_document() {
        let fields = fields(&[
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
        ]);
        assert_eq!(
            ver3_plaintext(&fields, "TEST1234"),
            "95.93|billToCompany|name|https://yoursite.com/callback|100200127|949|\
             https://yoursite.com/fail|ver3||tr|https://yoursite.com/ok|1715000000|3d|Auth|TEST1234"
        );
        assert_eq!(
            ver3(&fields, "TEST1234"),
            "TX/adVRVplssPyiZuXkvUxlRRroHIvbChDcK2gbi03HkzcopbMVUqkfk8FO0HXuSC7QgRS6t6cnUYE51nKiKbQ=="
        );
    }

    #[test]
    fn the_escaping_example_of_the_protocol_document() {
        let fields = fields(&[
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
        ]);
        assert_eq!(
            ver3_plaintext(&fields, "Sk|y\\Key"),
            "10.00|Çağrı Öz|100200127|949|https://m.example/fail|ver3||en|ORD\\|1\\\\A|\
             https://m.example/ok|abc|3d_pay|Auth|Sk\\|y\\\\Key"
        );
        assert_eq!(
            ver3(&fields, "Sk|y\\Key"),
            "H5suGOF6fOWTqct664h2OcfLB308HGE89OYbjwyrhxcw/CE0bhJt6tHwm0mgVduFlQ20qs9GgtaXjkmeqNbN6g=="
        );
    }

    #[test]
    fn card_fields_and_the_hash_itself_are_left_out_whatever_their_case() {
        let plain = fields(&[("oid", "1"), ("amount", "5.00")]);
        let mut posted = plain.clone();
        posted.extend(fields(&[
            ("PAN", "4508034508034509"),
            ("cv2", "123"),
            ("Ecom_Payment_Card_ExpDate_Month", "12"),
            ("ecom_payment_card_expdate_year", "30"),
            ("HASH", "x"),
            ("Encoding", "utf-8"),
        ]));
        assert_eq!(ver3(&posted, "k"), ver3(&plain, "k"));
    }

    #[test]
    fn ver1_is_base64_of_sha1() {
        assert_eq!(ver1("abc"), "qZk+NkcGgWq6PiVxeFDCbJzQ2J0=");
        let request = ver1_request(
            |name| match name {
                "clientid" => "1".to_owned(),
                "rnd" => "r".to_owned(),
                _ => String::new(),
            },
            "key",
        );
        assert_eq!(request, ver1("1rkey"));
    }
}
