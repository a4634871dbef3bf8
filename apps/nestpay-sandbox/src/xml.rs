//! `CC5Request` and `CC5Response` documents: decoding a request in the character set its XML
//! declaration names, reading its elements, and writing a response in ISO-8859-9.

use encoding_rs::{Encoding, UTF_8};
use quick_xml::escape::partial_escape as escape;
use quick_xml::events::Event;

use crate::form::encode_iso_8859_9;

/// A `CC5Request`: its top-level elements and those inside `Extra`, by exact name.
#[derive(Debug, Default)]
pub struct Cc5Request {
    /// `Name`, `Password`, `ClientId`, `Type`, `OrderId`, `Total`, `Currency`, ...
    pub elements: Vec<(String, String)>,
    /// `ORDERSTATUS`, `ORDERHISTORY`, ...
    pub extra: Vec<(String, String)>,
}

impl Cc5Request {
    /// A top-level element's text; empty elements count as absent.
    pub fn element(&self, name: &str) -> Option<&str> {
        find(&self.elements, name)
    }

    /// An `Extra` element's text.
    pub fn extra(&self, name: &str) -> Option<&str> {
        find(&self.extra, name)
    }
}

fn find<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(element, _)| element == name)
        .map(|(_, text)| text.as_str())
        .filter(|text| !text.is_empty())
}

/// The character set named by the XML declaration (`encoding="ISO-8859-9"`), else UTF-8.
fn declared_encoding(document: &[u8]) -> &'static Encoding {
    let head = &document[..document.len().min(200)];
    let Some(start) = head.windows(2).position(|pair| pair == b"<?") else {
        return UTF_8;
    };
    let declaration = &head[start..];
    let end = declaration
        .windows(2)
        .position(|pair| pair == b"?>")
        .unwrap_or(declaration.len());
    let declaration = String::from_utf8_lossy(&declaration[..end]);
    declaration
        .split_once("encoding")
        .and_then(|(_, rest)| {
            let rest = rest.trim_start().strip_prefix('=')?.trim_start();
            let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            rest[1..].split(quote).next().map(str::to_owned)
        })
        .and_then(|label| Encoding::for_label(label.trim().as_bytes()))
        .unwrap_or(UTF_8)
}

/// Reads a `CC5Request` document from its bytes.
///
/// # Errors
/// A description of what is wrong, when it is not well-formed XML with a `CC5Request` root.
pub fn parse_request(document: &[u8]) -> Result<Cc5Request, String> {
    let (text, _, malformed) = declared_encoding(document).decode(document);
    if malformed {
        return Err("the document does not match its declared encoding".to_owned());
    }
    let mut reader = quick_xml::Reader::from_str(&text);
    reader.config_mut().trim_text(true);
    let mut path: Vec<String> = Vec::new();
    let mut request = Cc5Request::default();
    let mut saw_root = false;
    loop {
        let event = reader.read_event().map_err(|error| error.to_string())?;
        // Depth counts the root as 1: `Name` is 2, `Extra/ORDERSTATUS` is 3.
        let (name, text, depth) = match event {
            Event::Start(start) => {
                let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
                if path.is_empty() {
                    if name != "CC5Request" || saw_root {
                        return Err(format!("the root element is `{name}`, not `CC5Request`"));
                    }
                    saw_root = true;
                }
                path.push(name);
                continue;
            }
            Event::End(_) => {
                path.pop();
                continue;
            }
            Event::Empty(empty) => (
                String::from_utf8_lossy(empty.name().as_ref()).into_owned(),
                String::new(),
                path.len() + 1,
            ),
            Event::Text(text) => (
                path.last().cloned().unwrap_or_default(),
                text.unescape().map_err(|e| e.to_string())?.into_owned(),
                path.len(),
            ),
            Event::CData(data) => (
                path.last().cloned().unwrap_or_default(),
                String::from_utf8_lossy(&data).into_owned(),
                path.len(),
            ),
            Event::Eof => break,
            _ => continue,
        };
        match (depth, path.get(1).map(String::as_str)) {
            (2, _) => request.elements.push((name, text)),
            (3, Some("Extra")) => request.extra.push((name, text)),
            _ => {}
        }
    }
    if saw_root && path.is_empty() {
        Ok(request)
    } else {
        Err("the document has no complete `CC5Request` root".to_owned())
    }
}

/// A `CC5Response`.
#[derive(Debug, Default)]
pub struct Cc5Response {
    /// `OrderId`.
    pub order_id: String,
    /// `GroupId`.
    pub group_id: String,
    /// `Approved`, `Declined` or `Error`.
    pub response: &'static str,
    /// `AuthCode`.
    pub auth_code: String,
    /// `HostRefNum`.
    pub host_ref_num: String,
    /// `00` success, `99` error.
    pub proc_return_code: &'static str,
    /// `TransId`.
    pub trans_id: String,
    /// `ErrMsg`.
    pub err_msg: String,
    /// The `Extra` block, in order.
    pub extra: Vec<(String, String)>,
}

impl Cc5Response {
    /// The document as text (before encoding).
    pub fn to_xml(&self) -> String {
        let mut out =
            String::from("<?xml version=\"1.0\" encoding=\"ISO-8859-9\"?>\n<CC5Response>\n");
        for (name, value) in [
            ("OrderId", self.order_id.as_str()),
            ("GroupId", &self.group_id),
            ("Response", self.response),
            ("AuthCode", &self.auth_code),
            ("HostRefNum", &self.host_ref_num),
            ("ProcReturnCode", self.proc_return_code),
            ("TransId", &self.trans_id),
            ("ErrMsg", &self.err_msg),
        ] {
            out.push_str(&format!("  <{name}>{}</{name}>\n", escape(value)));
        }
        out.push_str("  <Extra>\n");
        for (name, value) in &self.extra {
            out.push_str(&format!(
                "    <{name}>{}</{name}>\n",
                escape(value.as_str())
            ));
        }
        out.push_str("  </Extra>\n</CC5Response>\n");
        out
    }

    /// The document encoded in ISO-8859-9, as it goes on the wire.
    pub fn to_bytes(&self) -> Vec<u8> {
        encode_iso_8859_9(&self.to_xml())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_in_iso_8859_9_is_read_with_its_turkish_letters() {
        let document = b"<?xml version=\"1.0\" encoding=\"ISO-8859-9\"?>\n<CC5Request>\
            <Name>kasa</Name><Password>p&amp;w</Password><ClientId>1</ClientId>\
            <OrderId>S\xDDPAR\xDD\xDE-\xF0</OrderId><Total/><Type></Type>\
            <Extra><ORDERSTATUS>QUERY</ORDERSTATUS></Extra></CC5Request>";
        let request = parse_request(document).expect("parsed");
        assert_eq!(request.element("OrderId"), Some("SİPARİŞ-ğ"));
        assert_eq!(request.element("Password"), Some("p&w"));
        assert_eq!(request.element("Total"), None);
        assert_eq!(request.element("Type"), None);
        assert_eq!(request.extra("ORDERSTATUS"), Some("QUERY"));
        assert_eq!(request.element("ORDERSTATUS"), None);
    }

    #[test]
    fn other_roots_and_broken_documents_are_refused() {
        assert!(parse_request(b"<CC5Response></CC5Response>").is_err());
        assert!(parse_request(b"<CC5Request><Name>a</CC5Request>").is_err());
        assert!(parse_request(b"not xml").is_err());
        assert!(parse_request("<CC5Request><Name>ş</Name></CC5Request>".as_bytes()).is_ok());
    }

    #[test]
    fn responses_are_iso_8859_9() {
        let response = Cc5Response {
            response: "Error",
            err_msg: "İade <yapılamaz> & ş".to_owned(),
            extra: vec![("ERRORCODE".to_owned(), "CORE-2508".to_owned())],
            ..Cc5Response::default()
        };
        let bytes = response.to_bytes();
        assert!(bytes.starts_with(b"<?xml version=\"1.0\" encoding=\"ISO-8859-9\"?>"));
        let expected: &[u8] = b"<ErrMsg>\xDDade &lt;yap\xFDlamaz&gt; &amp; \xFE</ErrMsg>";
        assert!(
            bytes
                .windows(expected.len())
                .any(|window| window == expected)
        );
    }
}
