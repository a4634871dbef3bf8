//! NestPay's signatures, as the protocol document describes them: hash ver3 (SHA-512 over the
//! sorted, escaped field values) for requests and callbacks, and the legacy ver1 (SHA-1 over a
//! fixed concatenation).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha1::Sha1;
use sha2::{Digest as _, Sha512};

/// Fields no ver3 hash covers, request or callback (compared case-insensitively): the hash
/// itself (`hash`, `HASH`), the form encoding and Ziraat's `NATIONALIDNO`.
const LEFT_OUT_OF_VER3: [&str; 3] = ["hash", "encoding", "NATIONALIDNO"];

/// The card fields, also left out of a gate request's ver3 hash: the customer types them after
/// the merchant signed the form (a team decision: the merchant cannot sign what it never sees).
/// A callback's hash covers whatever of them the bank posts back (the expiry).
const CARD_FIELDS: [&str; 4] = [
    "pan",
    "cv2",
    "Ecom_Payment_Card_ExpDate_Month",
    "Ecom_Payment_Card_ExpDate_Year",
];

/// Which message a ver3 hash signs; they differ only in the card fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Message {
    /// The merchant's gate form: the card fields are left out.
    Request,
    /// The bank's post-back: every field but `HASH`, `encoding` and `NATIONALIDNO` is covered,
    /// the echoed expiry included.
    Callback,
}

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

fn is_one_of(name: &str, list: &[&str]) -> bool {
    list.iter().any(|entry| entry.eq_ignore_ascii_case(name))
}

/// Whether a field takes part in a ver3 hash of `message`.
pub fn is_hashed_by_ver3(name: &str, message: Message) -> bool {
    !is_one_of(name, &LEFT_OUT_OF_VER3)
        && (message == Message::Callback || !is_one_of(name, &CARD_FIELDS))
}

/// `\` becomes `\\`, then `|` becomes `\|`.
fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('|', "\\|")
}

/// The text a ver3 hash of `message` is taken over: the hashed fields' values ordered by name
/// ignoring case, escaped, joined with `|`, then `|` and the escaped store key.
pub fn ver3_plaintext(fields: &[(String, String)], store_key: &str, message: Message) -> String {
    let mut hashed: Vec<&(String, String)> = fields
        .iter()
        .filter(|(name, _)| is_hashed_by_ver3(name, message))
        .collect();
    hashed.sort_by_key(|(name, _)| name.to_ascii_lowercase());
    let mut parts: Vec<String> = hashed.iter().map(|(_, value)| escape(value)).collect();
    parts.push(escape(store_key));
    parts.join("|")
}

/// The ver3 hash of posted fields: base64 of the SHA-512 of [`ver3_plaintext`].
pub fn ver3(fields: &[(String, String)], store_key: &str, message: Message) -> String {
    BASE64.encode(Sha512::digest(
        ver3_plaintext(fields, store_key, message).as_bytes(),
    ))
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
            ver3_plaintext(&fields, "TEST1234", Message::Request),
            "95.93|billToCompany|name|https://yoursite.com/callback|100200127|949|\
             https://yoursite.com/fail|ver3||tr|https://yoursite.com/ok|1715000000|3d|Auth|TEST1234"
        );
        assert_eq!(
            ver3(&fields, "TEST1234", Message::Request),
            "TX/adVRVplssPyiZuXkvUxlRRroHIvbChDcK2gbi03HkzcopbMVUqkfk8FO0HXuSC7QgRS6t6cnUYE51nKiKbQ=="
        );
        // No card fields: a callback of these fields hashes the same.
        assert_eq!(
            ver3(&fields, "TEST1234", Message::Callback),
            ver3(&fields, "TEST1234", Message::Request)
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
            ver3_plaintext(&fields, "Sk|y\\Key", Message::Request),
            "10.00|Çağrı Öz|100200127|949|https://m.example/fail|ver3||en|ORD\\|1\\\\A|\
             https://m.example/ok|abc|3d_pay|Auth|Sk\\|y\\\\Key"
        );
        assert_eq!(
            ver3(&fields, "Sk|y\\Key", Message::Request),
            "H5suGOF6fOWTqct664h2OcfLB308HGE89OYbjwyrhxcw/CE0bhJt6tHwm0mgVduFlQ20qs9GgtaXjkmeqNbN6g=="
        );
        assert_eq!(
            ver3(&fields, "Sk|y\\Key", Message::Callback),
            ver3(&fields, "Sk|y\\Key", Message::Request)
        );
    }

    #[test]
    fn the_hash_itself_encoding_and_nationalidno_are_left_out_whatever_their_case() {
        let plain = fields(&[("oid", "1"), ("amount", "5.00")]);
        let mut posted = plain.clone();
        posted.extend(fields(&[
            ("HASH", "x"),
            ("hash", "y"),
            ("Encoding", "utf-8"),
            ("NationalIdNo", "12345678901"),
        ]));
        for message in [Message::Request, Message::Callback] {
            assert_eq!(ver3(&posted, "k", message), ver3(&plain, "k", message));
        }
    }

    #[test]
    fn card_fields_are_left_out_of_requests_but_covered_in_callbacks() {
        let plain = fields(&[("oid", "1"), ("amount", "5.00")]);
        let mut posted = plain.clone();
        posted.extend(fields(&[
            ("PAN", "4508034508034509"),
            ("cv2", "123"),
            ("Ecom_Payment_Card_ExpDate_Month", "12"),
            ("ecom_payment_card_expdate_year", "30"),
        ]));
        assert_eq!(
            ver3(&posted, "k", Message::Request),
            ver3(&plain, "k", Message::Request)
        );
        let mut echoed = plain;
        echoed.extend(fields(&[
            ("Ecom_Payment_Card_ExpDate_Year", "30"),
            ("Ecom_Payment_Card_ExpDate_Month", "12"),
        ]));
        assert_eq!(
            ver3_plaintext(&echoed, "k", Message::Callback),
            "5.00|12|30|1|k"
        );
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
