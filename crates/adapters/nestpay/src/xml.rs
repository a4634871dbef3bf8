//! The XML API's documents: `CC5Request` written in ISO-8859-9, `CC5Response` read in whatever
//! encoding it declares (ISO-8859-9 when it declares none), and what a response means.

use std::borrow::Cow;
use std::collections::BTreeMap;

use kasa_ports::GatewayError;
use quick_xml::Reader;
use quick_xml::events::Event;

/// The encoding Kasa writes requests in, as the protocol's documents declare it.
pub const REQUEST_ENCODING: &str = "ISO-8859-9";
/// The `Content-Type` of a request: the raw XML document as the body.
pub const REQUEST_CONTENT_TYPE: &str = "text/xml; charset=ISO-8859-9";

/// A `CC5Request`: credentials, then the operation's elements in the protocol's order.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Cc5Request<'a> {
    /// `Name`: the API user.
    pub name: &'a str,
    /// `Password`: the API password.
    pub password: &'a str,
    /// `ClientId`: the merchant number.
    pub client_id: &'a str,
    /// `Type` (`Void`, `Credit`, `PostAuth`), absent for queries.
    pub kind: Option<&'a str>,
    /// `OrderId`.
    pub order_id: &'a str,
    /// `Total`, dot decimal.
    pub total: Option<&'a str>,
    /// `Currency`, numeric.
    pub currency: Option<&'a str>,
    /// The `Extra` block's elements (`ORDERSTATUS`, `ORDERHISTORY`).
    pub extra: Vec<(&'a str, &'a str)>,
}

impl std::fmt::Debug for Cc5Request<'_> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Cc5Request")
            .field("name", &self.name)
            .field("password", &"***")
            .field("client_id", &self.client_id)
            .field("kind", &self.kind)
            .field("order_id", &self.order_id)
            .field("total", &self.total)
            .field("currency", &self.currency)
            .field("extra", &self.extra)
            .finish()
    }
}

/// A character XML 1.0 cannot carry, even as a reference.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{what} contains a control character XML cannot carry")]
pub(crate) struct UnwritableText {
    what: &'static str,
}

impl From<UnwritableText> for GatewayError {
    fn from(error: UnwritableText) -> Self {
        Self::Misconfigured(format!("NestPay API request: {error}"))
    }
}

/// Escapes element text: `&`, `<`, `>` (and quotes, harmless in text).
fn push_escaped(
    document: &mut String,
    what: &'static str,
    text: &str,
) -> Result<(), UnwritableText> {
    for c in text.chars() {
        match c {
            '&' => document.push_str("&amp;"),
            '<' => document.push_str("&lt;"),
            '>' => document.push_str("&gt;"),
            '"' => document.push_str("&quot;"),
            '\'' => document.push_str("&apos;"),
            '\t' | '\n' | '\r' => document.push(c),
            c if c < ' ' || c == '\u{fffe}' || c == '\u{ffff}' => {
                return Err(UnwritableText { what });
            }
            c => document.push(c),
        }
    }
    Ok(())
}

fn push_element(
    document: &mut String,
    name: &str,
    what: &'static str,
    text: &str,
) -> Result<(), UnwritableText> {
    document.push('<');
    document.push_str(name);
    document.push('>');
    push_escaped(document, what, text)?;
    document.push_str("</");
    document.push_str(name);
    document.push('>');
    Ok(())
}

impl Cc5Request<'_> {
    /// The document as text, declared ISO-8859-9 (what [`Self::to_bytes`] encodes).
    pub(crate) fn to_xml(&self) -> Result<String, UnwritableText> {
        let mut document =
            format!("<?xml version=\"1.0\" encoding=\"{REQUEST_ENCODING}\"?>\n<CC5Request>");
        push_element(&mut document, "Name", "the API user", self.name)?;
        push_element(&mut document, "Password", "the API password", self.password)?;
        push_element(&mut document, "ClientId", "the client id", self.client_id)?;
        if let Some(kind) = self.kind {
            push_element(&mut document, "Type", "the type", kind)?;
        }
        push_element(&mut document, "OrderId", "the order id", self.order_id)?;
        if let Some(total) = self.total {
            push_element(&mut document, "Total", "the total", total)?;
        }
        if let Some(currency) = self.currency {
            push_element(&mut document, "Currency", "the currency", currency)?;
        }
        if !self.extra.is_empty() {
            document.push_str("<Extra>");
            for (name, value) in &self.extra {
                push_element(&mut document, name, "an Extra value", value)?;
            }
            document.push_str("</Extra>");
        }
        document.push_str("</CC5Request>");
        Ok(document)
    }

    /// The document's bytes in ISO-8859-9.
    pub(crate) fn to_bytes(&self) -> Result<Vec<u8>, UnwritableText> {
        Ok(encode_iso_8859_9(&self.to_xml()?))
    }
}

/// Encodes text in ISO-8859-9 (Latin-5): ASCII and the Latin-1 letters as themselves, the six
/// Turkish letters at their Latin-5 places (Ğ ğ İ ı Ş ş), and anything else, including the
/// C1 range that `windows-1254` would fill, as an XML character reference (`&#8364;`), which
/// any XML reader decodes whatever the document's encoding. Only for XML text.
#[must_use]
pub(crate) fn encode_iso_8859_9(text: &str) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(text.len());
    for c in text.chars() {
        let code = u32::from(c);
        let latin5 = match c {
            'Ğ' => Some(0xD0),
            'İ' => Some(0xDD),
            'Ş' => Some(0xDE),
            'ğ' => Some(0xF0),
            'ı' => Some(0xFD),
            'ş' => Some(0xFE),
            // Latin-1 letters whose places Latin-5 gave to the Turkish ones.
            'Ð' | 'Ý' | 'Þ' | 'ð' | 'ý' | 'þ' => None,
            _ if code < 0x80 || (0xA0..=0xFF).contains(&code) => u8::try_from(code).ok(),
            _ => None,
        };
        match latin5 {
            Some(byte) => bytes.push(byte),
            None => bytes.extend_from_slice(format!("&#{code};").as_bytes()),
        }
    }
    bytes
}

/// The encoding a document declares in its `<?xml ... encoding="..."?>`, `None` when it
/// declares none (a UTF-8 byte order mark counts as declaring UTF-8).
fn declared_encoding(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Some(encoding_rs::UTF_8);
    }
    let head = &bytes[..bytes.len().min(200)];
    let head = String::from_utf8_lossy(head);
    let declaration = head.trim_start().strip_prefix("<?xml")?;
    let declaration = &declaration[..declaration.find("?>")?];
    let after = &declaration[declaration.find("encoding")? + "encoding".len()..];
    let after = after.trim_start().strip_prefix('=')?.trim_start();
    let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let label = &after[1..];
    let label = &label[..label.find(quote)?];
    encoding_rs::Encoding::for_label(label.trim().as_bytes())
}

/// Decodes a response body by its declared encoding, ISO-8859-9 when it declares none (or one
/// `encoding_rs` does not know). ISO-8859-9 is read with WHATWG's `windows-1254`, its superset.
#[must_use]
pub(crate) fn decode_document(bytes: &[u8]) -> String {
    let encoding = declared_encoding(bytes).unwrap_or(encoding_rs::WINDOWS_1254);
    let (text, _, _) = encoding.decode(bytes);
    text.into_owned()
}

/// A parsed `CC5Response`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Cc5Response {
    /// The root's child elements with text (`OrderId`, `Response`, `ProcReturnCode`, ...).
    pub fields: BTreeMap<String, String>,
    /// The `Extra` block's elements (`ERRORCODE`, `TRANS_STAT`, `TRX1`, ...).
    pub extra: BTreeMap<String, String>,
}

impl Cc5Response {
    /// The trimmed, non-empty value of a top-level element.
    pub(crate) fn field(&self, name: &str) -> Option<&str> {
        non_empty(self.fields.get(name))
    }

    /// The trimmed, non-empty value of an `Extra` element (names compared without regard to
    /// case, as banks differ).
    pub(crate) fn extra(&self, name: &str) -> Option<&str> {
        non_empty(self.extra.get(name).or_else(|| {
            self.extra
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(name))
                .map(|(_, value)| value)
        }))
    }

    /// An `Extra` value as it came, tabs and all (history rows), `None` when absent.
    pub(crate) fn extra_raw(&self, name: &str) -> Option<&str> {
        self.extra.get(name).map(String::as_str)
    }

    /// `Response` is `Approved` and `ProcReturnCode` is `00`.
    pub(crate) fn is_approved(&self) -> bool {
        self.field("Response")
            .is_some_and(|response| response.eq_ignore_ascii_case("Approved"))
            && self.field("ProcReturnCode") == Some("00")
    }

    /// The message to show: `ErrMsg`, else the error code, else the response.
    pub(crate) fn message(&self) -> String {
        self.field("ErrMsg")
            .or_else(|| self.extra("ERRORCODE"))
            .or_else(|| self.field("Response"))
            .unwrap_or("no message")
            .to_owned()
    }

    /// Approved, or the [`GatewayError`] the response stands for: `CORE-2508` is
    /// [`GatewayError::NotSettled`] (refund before end of day: void instead); other `CORE-…`
    /// codes (`CORE-2008` not voidable, ...) are [`GatewayError::Refused`]; a `Declined`
    /// response with an issuer code is [`GatewayError::Declined`]; wrong API credentials are
    /// [`GatewayError::Misconfigured`] when the message says so; any other `Error` is
    /// [`GatewayError::Refused`] with the best code available.
    pub(crate) fn outcome(&self) -> Result<(), GatewayError> {
        if self.is_approved() {
            return Ok(());
        }
        let response = self.field("Response").ok_or_else(|| {
            GatewayError::Malformed("the CC5Response carries no Response".to_owned())
        })?;
        let message = self.message();
        let error_code = self.extra("ERRORCODE");
        if response.eq_ignore_ascii_case("Approved") {
            return Err(GatewayError::Malformed(format!(
                "an Approved CC5Response with ProcReturnCode {:?}",
                self.field("ProcReturnCode")
            )));
        }
        if looks_like_wrong_credentials(&message) {
            return Err(GatewayError::Misconfigured(format!(
                "the NestPay API refused the credentials: {message}"
            )));
        }
        match error_code {
            Some(code) if code.eq_ignore_ascii_case("CORE-2508") => {
                return Err(GatewayError::NotSettled { message });
            }
            Some(code) if code.to_ascii_uppercase().starts_with("CORE-") => {
                return Err(GatewayError::Refused {
                    code: code.to_owned(),
                    message,
                });
            }
            _ => {}
        }
        let proc_return_code = self.field("ProcReturnCode");
        if response.eq_ignore_ascii_case("Declined")
            && let Some(code) = proc_return_code.filter(|code| *code != "99")
        {
            return Err(GatewayError::Declined {
                code: code.to_owned(),
                message,
            });
        }
        let code = error_code
            .or(proc_return_code)
            .unwrap_or(response)
            .to_owned();
        Err(GatewayError::Refused { code, message })
    }
}

fn non_empty(value: Option<&String>) -> Option<&str> {
    value
        .map(|value| value.trim())
        .filter(|value| !value.is_empty())
}

/// Whether an error message says the API user or password is wrong. NestPay has no documented
/// code for it, so this is a heuristic over English and Turkish wordings; a miss only turns a
/// [`GatewayError::Misconfigured`] into a [`GatewayError::Refused`].
fn looks_like_wrong_credentials(message: &str) -> bool {
    let lower = message.to_lowercase();
    [
        "password",
        "credential",
        "authentication failed",
        "user name",
        "username",
        "şifre",
        "sifre",
        "kullanıcı adı",
        "kullanici adi",
    ]
    .iter()
    .any(|phrase| lower.contains(phrase))
}

/// Reads a `CC5Response` document (already decoded to text).
///
/// # Errors
/// [`GatewayError::Malformed`] when it is not XML or its root is not `CC5Response`.
pub(crate) fn parse_response(text: &str) -> Result<Cc5Response, GatewayError> {
    let malformed =
        |detail: String| GatewayError::Malformed(format!("NestPay API answer: {detail}"));
    // Text is kept as it came (a history row may end in empty, tab-separated columns); lookups
    // trim.
    let mut reader = Reader::from_str(text);
    let mut path: Vec<String> = Vec::new();
    let mut response = Cc5Response::default();
    let mut saw_root = false;
    loop {
        let event = reader
            .read_event()
            .map_err(|error| malformed(format!("not XML ({error})")))?;
        match event {
            Event::Start(start) => {
                let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
                if path.is_empty() {
                    if name != "CC5Response" || saw_root {
                        return Err(malformed(format!("unexpected root element `{name}`")));
                    }
                    saw_root = true;
                }
                path.push(name);
            }
            Event::Empty(empty) => {
                let name = String::from_utf8_lossy(empty.name().as_ref()).into_owned();
                if path.is_empty() {
                    return Err(malformed(format!("unexpected root element `{name}`")));
                }
                store_text(&mut response, &path, &name, Cow::Borrowed(""));
            }
            Event::End(_) => {
                path.pop();
            }
            Event::Text(text) => {
                let value = text
                    .unescape()
                    .map_err(|error| malformed(format!("bad text ({error})")))?;
                if let Some((last, parents)) = path.split_last() {
                    store_text(&mut response, parents, last, value);
                } else if !value.trim().is_empty() {
                    return Err(malformed("text outside the root element".to_owned()));
                }
            }
            Event::CData(data) => {
                let value = String::from_utf8_lossy(&data.into_inner()).into_owned();
                if let Some((last, parents)) = path.split_last() {
                    store_text(&mut response, parents, last, Cow::Owned(value));
                }
            }
            Event::Eof => break,
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if !saw_root || !path.is_empty() {
        return Err(malformed("no complete CC5Response element".to_owned()));
    }
    Ok(response)
}

/// Files the text of element `name` whose ancestors are `parents` (root first).
fn store_text(response: &mut Cc5Response, parents: &[String], name: &str, value: Cow<'_, str>) {
    let target = match parents {
        [root] if root == "CC5Response" => &mut response.fields,
        [root, extra] if root == "CC5Response" && extra == "Extra" => &mut response.extra,
        _ => return,
    };
    target
        .entry(name.to_owned())
        .and_modify(|existing| existing.push_str(&value))
        .or_insert_with(|| value.into_owned());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request<'a>() -> Cc5Request<'a> {
        Cc5Request {
            name: "api<user>",
            password: "p&ss\"wörd'ş",
            client_id: "100200127",
            kind: Some("Credit"),
            order_id: "ORD-1",
            total: Some("10.50"),
            currency: Some("949"),
            extra: Vec::new(),
        }
    }

    #[test]
    fn requests_are_written_in_the_protocols_order_with_escaped_text() {
        assert_eq!(
            request().to_xml().unwrap(),
            "<?xml version=\"1.0\" encoding=\"ISO-8859-9\"?>\n<CC5Request><Name>api&lt;user&gt;</Name><Password>p&amp;ss&quot;wörd&apos;ş</Password><ClientId>100200127</ClientId><Type>Credit</Type><OrderId>ORD-1</OrderId><Total>10.50</Total><Currency>949</Currency></CC5Request>"
        );
        let status = Cc5Request {
            kind: None,
            total: None,
            currency: None,
            extra: vec![("ORDERSTATUS", "QUERY")],
            ..request()
        };
        assert!(status.to_xml().unwrap().ends_with(
            "<ClientId>100200127</ClientId><OrderId>ORD-1</OrderId><Extra><ORDERSTATUS>QUERY</ORDERSTATUS></Extra></CC5Request>"
        ));
    }

    #[test]
    fn requests_are_encoded_in_iso_8859_9() {
        let bytes = request().to_bytes().unwrap();
        // ş is 0xFE and ö 0xF6 in ISO-8859-9; no UTF-8 multi-byte sequences remain.
        assert!(bytes.windows(2).any(|pair| pair == [0xF6, b'r']));
        let password_end = bytes
            .windows(b"</Password>".len())
            .position(|window| window == b"</Password>")
            .unwrap();
        assert_eq!(bytes[password_end - 1], 0xFE);
        assert_eq!(
            encode_iso_8859_9("ĞğİıŞşÇçÖöÜü"),
            [
                0xD0, 0xF0, 0xDD, 0xFD, 0xDE, 0xFE, 0xC7, 0xE7, 0xD6, 0xF6, 0xDC, 0xFC
            ]
        );
        // What Latin-5 cannot hold becomes a character reference.
        assert_eq!(encode_iso_8859_9("€ Ð"), b"&#8364; &#208;");
        // And encoding_rs reads it all back.
        let encoded = encode_iso_8859_9("ĞğİıŞşÇçÖöÜü");
        let (back, _, _) = encoding_rs::WINDOWS_1254.decode(&encoded);
        assert_eq!(back, "ĞğİıŞşÇçÖöÜü");
    }

    #[test]
    fn control_characters_are_refused() {
        let bad = Cc5Request {
            order_id: "ORD\u{1}",
            ..request()
        };
        assert!(bad.to_xml().is_err());
        assert!(matches!(
            GatewayError::from(bad.to_xml().unwrap_err()),
            GatewayError::Misconfigured(message) if message.contains("order id")
        ));
    }

    #[test]
    fn the_request_debug_hides_the_password() {
        let debug = format!("{:?}", request());
        assert!(!debug.contains("p&ss"), "{debug}");
    }

    fn iso(text: &str) -> Vec<u8> {
        encode_iso_8859_9(text)
    }

    fn parse(bytes: &[u8]) -> Cc5Response {
        parse_response(&decode_document(bytes)).unwrap()
    }

    #[test]
    fn an_approved_response_is_approved() {
        let response = parse(&iso(
            "<?xml version=\"1.0\" encoding=\"ISO-8859-9\"?>\n<CC5Response>\n  <OrderId>ORD-1</OrderId>\n  <GroupId>ORD-1</GroupId>\n  <Response>Approved</Response>\n  <AuthCode>123456</AuthCode>\n  <HostRefNum>401212345678</HostRefNum>\n  <ProcReturnCode>00</ProcReturnCode>\n  <TransId>24012AbCd</TransId>\n  <ErrMsg></ErrMsg>\n  <Extra>\n    <SETTLEID></SETTLEID>\n    <TRXDATE>20240112 10:11:12</TRXDATE>\n    <NUMCODE>00</NUMCODE>\n  </Extra>\n</CC5Response>",
        ));
        assert!(response.is_approved());
        assert_eq!(response.outcome(), Ok(()));
        assert_eq!(response.field("TransId"), Some("24012AbCd"));
        assert_eq!(response.field("ErrMsg"), None);
        assert_eq!(response.extra("TRXDATE"), Some("20240112 10:11:12"));
        assert_eq!(response.extra("numcode"), Some("00"));
    }

    fn error_response(code: &str, message: &str) -> Vec<u8> {
        iso(&format!(
            "<?xml version=\"1.0\" encoding=\"ISO-8859-9\"?><CC5Response><OrderId>ORD-1</OrderId><Response>Error</Response><ProcReturnCode>99</ProcReturnCode><ErrMsg>{message}</ErrMsg><Extra><ERRORCODE>{code}</ERRORCODE></Extra></CC5Response>"
        ))
    }

    #[test]
    fn core_2508_means_not_settled_yet() {
        let response = parse(&error_response(
            "CORE-2508",
            "Gün sonu yapılmamış işlem için iade yapılamaz, iptal ediniz.",
        ));
        assert_eq!(
            response.outcome(),
            Err(GatewayError::NotSettled {
                message: "Gün sonu yapılmamış işlem için iade yapılamaz, iptal ediniz.".to_owned()
            })
        );
    }

    #[test]
    fn core_2008_and_other_core_codes_are_refusals() {
        let response = parse(&error_response(
            "CORE-2008",
            "İptal edilmeye uygun satış işlemi bulunamadı.",
        ));
        assert_eq!(
            response.outcome(),
            Err(GatewayError::Refused {
                code: "CORE-2008".to_owned(),
                message: "İptal edilmeye uygun satış işlemi bulunamadı.".to_owned()
            })
        );
        let response = parse(&error_response("CORE-2603", "Invalid instalment"));
        assert!(matches!(
            response.outcome(),
            Err(GatewayError::Refused { code, .. }) if code == "CORE-2603"
        ));
    }

    #[test]
    fn an_issuer_decline_is_declined() {
        let response = parse(&iso(
            "<?xml version=\"1.0\" encoding=\"ISO-8859-9\"?><CC5Response><Response>Declined</Response><ProcReturnCode>05</ProcReturnCode><ErrMsg>Red-Onaylanmadı</ErrMsg><Extra><ERRORCODE>ISO8583-05</ERRORCODE></Extra></CC5Response>",
        ));
        assert_eq!(
            response.outcome(),
            Err(GatewayError::Declined {
                code: "05".to_owned(),
                message: "Red-Onaylanmadı".to_owned()
            })
        );
    }

    #[test]
    fn wrong_credentials_are_a_misconfiguration() {
        let response = parse(&error_response("", "Kullanıcı adı veya şifre hatalı"));
        assert!(matches!(
            response.outcome(),
            Err(GatewayError::Misconfigured(_))
        ));
        let response = parse(&error_response("", "Authentication failed: wrong password"));
        assert!(matches!(
            response.outcome(),
            Err(GatewayError::Misconfigured(_))
        ));
    }

    #[test]
    fn an_error_without_core_code_is_a_refusal_with_the_best_code() {
        let response = parse(&error_response("", "Sistem hatası"));
        assert_eq!(
            response.outcome(),
            Err(GatewayError::Refused {
                code: "99".to_owned(),
                message: "Sistem hatası".to_owned()
            })
        );
    }

    #[test]
    fn a_response_without_response_is_malformed() {
        let response = parse(b"<CC5Response><OrderId>1</OrderId></CC5Response>");
        assert!(matches!(
            response.outcome(),
            Err(GatewayError::Malformed(_))
        ));
    }

    #[test]
    fn turkish_messages_in_iso_8859_9_bytes_decode() {
        let mut bytes = b"<?xml version=\"1.0\" encoding=\"ISO-8859-9\"?><CC5Response><Response>Error</Response><ErrMsg>".to_vec();
        // "İşlem başarısız" in ISO-8859-9, written out byte by byte.
        bytes.extend_from_slice(&[
            0xDD, 0xFE, b'l', b'e', b'm', b' ', b'b', b'a', 0xFE, b'a', b'r', 0xFD, b's', 0xFD,
            b'z',
        ]);
        bytes.extend_from_slice(b"</ErrMsg></CC5Response>");
        let response = parse(&bytes);
        assert_eq!(response.field("ErrMsg"), Some("İşlem başarısız"));
        // Undeclared documents are read as ISO-8859-9 too.
        let mut plain = b"<CC5Response><ErrMsg>".to_vec();
        plain.extend_from_slice(&[0xDE, 0xFE]);
        plain.extend_from_slice(b"</ErrMsg></CC5Response>");
        assert_eq!(parse(&plain).field("ErrMsg"), Some("Şş"));
    }

    #[test]
    fn utf8_documents_are_read_as_utf8() {
        let text = "<?xml version='1.0' encoding='UTF-8'?><CC5Response><ErrMsg>İşlem başarısız &amp; &#351;</ErrMsg></CC5Response>";
        assert_eq!(
            parse(text.as_bytes()).field("ErrMsg"),
            Some("İşlem başarısız & ş")
        );
        let mut with_bom = vec![0xEF, 0xBB, 0xBF];
        with_bom.extend_from_slice(b"<CC5Response><ErrMsg>\xC5\x9F</ErrMsg></CC5Response>");
        assert_eq!(parse(&with_bom).field("ErrMsg"), Some("ş"));
    }

    #[test]
    fn non_xml_and_other_roots_are_malformed() {
        for text in [
            "",
            "hello",
            "<html><body>Bad gateway</body></html>",
            "<CC5Response><Response>Approved</Response>",
            "<CC5Response></CC5Response><CC5Response></CC5Response>",
        ] {
            assert!(
                matches!(parse_response(text), Err(GatewayError::Malformed(_))),
                "{text:?}"
            );
        }
    }

    #[test]
    fn history_rows_keep_their_tabs() {
        let response = parse(
            b"<CC5Response><Response>Approved</Response><ProcReturnCode>00</ProcReturnCode><Extra><TRXCOUNT>2</TRXCOUNT><TRX1>C\tA\t1.00</TRX1><TRX2>S\tC\t10.00</TRX2></Extra></CC5Response>",
        );
        assert_eq!(response.extra("TRXCOUNT"), Some("2"));
        assert_eq!(response.extra_raw("TRX1"), Some("C\tA\t1.00"));
    }
}
