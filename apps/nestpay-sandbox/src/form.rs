//! Posted forms (`application/x-www-form-urlencoded`), decoded in the character set the form
//! names in its `encoding` field (UTF-8 when it names none), and ISO-8859-9 text.

use encoding_rs::{Encoding, UTF_8};

/// Posted fields, in the order they came, names as written.
#[derive(Clone, Debug, Default)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// The first value of a field, its name compared ignoring ASCII case.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(field, _)| field.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The value, or empty when absent.
    pub fn value(&self, name: &str) -> String {
        self.get(name).unwrap_or_default().to_owned()
    }

    /// A non-empty value.
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|value| !value.is_empty())
    }
}

/// Undoes `+` and `%XX` of one name or value, to raw bytes.
fn unescape(component: &[u8]) -> Vec<u8> {
    let spaced: Vec<u8> = component
        .iter()
        .map(|&byte| if byte == b'+' { b' ' } else { byte })
        .collect();
    percent_encoding::percent_decode(&spaced).collect()
}

/// The raw name/value byte pairs of a form body.
pub fn raw_pairs(body: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    body.split(|&byte| byte == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = match pair.iter().position(|&byte| byte == b'=') {
                Some(equals) => (&pair[..equals], &pair[equals + 1..]),
                None => (pair, &[][..]),
            };
            (unescape(name), unescape(value))
        })
        .collect()
}

/// A form body's fields, decoded as its `encoding` field says (UTF-8 by default).
pub fn parse(body: &[u8]) -> Fields {
    let pairs = raw_pairs(body);
    let encoding = pairs
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(b"encoding"))
        .and_then(|(_, value)| Encoding::for_label(value.trim_ascii()))
        .unwrap_or(UTF_8);
    let decode = |bytes: &[u8]| encoding.decode_without_bom_handling(bytes).0.into_owned();
    Fields(
        pairs
            .iter()
            .map(|(name, value)| (decode(name), decode(value)))
            .collect(),
    )
}

/// The six places where ISO-8859-9 differs from ISO-8859-1, both ways.
const TURKISH: [(u8, char); 6] = [
    (0xD0, 'Ğ'),
    (0xDD, 'İ'),
    (0xDE, 'Ş'),
    (0xF0, 'ğ'),
    (0xFD, 'ı'),
    (0xFE, 'ş'),
];

/// Encodes text in ISO-8859-9. Characters it lacks become XML character references
/// (`&#8364;`), so this is for XML text and attribute values only.
pub fn encode_iso_8859_9(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for character in text.chars() {
        let code = u32::from(character);
        let turkish = TURKISH.iter().find(|(_, letter)| *letter == character);
        let replaced_latin1 = TURKISH.iter().any(|(byte, _)| u32::from(*byte) == code);
        match (turkish, u8::try_from(code)) {
            (Some((byte, _)), _) => out.push(*byte),
            (None, Ok(byte)) if !(0x80..0xA0).contains(&byte) && !replaced_latin1 => out.push(byte),
            _ => out.extend_from_slice(format!("&#{code};").as_bytes()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_decode_in_their_declared_encoding() {
        let utf8 = parse(b"BillToName=%C3%87a%C4%9Fr%C4%B1+%C3%96z&oid=a%7Cb&empty=&bare");
        assert_eq!(utf8.get("billtoname"), Some("Çağrı Öz"));
        assert_eq!(utf8.get("OID"), Some("a|b"));
        assert_eq!(utf8.get("empty"), Some(""));
        assert_eq!(utf8.get("bare"), Some(""));
        let latin5 = parse(b"encoding=ISO-8859-9&name=%DE%FDk");
        assert_eq!(latin5.get("name"), Some("Şık"));
    }

    #[test]
    fn iso_8859_9_has_the_turkish_letters_and_references_the_rest() {
        assert_eq!(
            encode_iso_8859_9("İşğÜ ı€"),
            b"\xDD\xFE\xF0\xDC \xFD&#8364;".to_vec()
        );
        // Icelandic eth sits where ISO-8859-9 has Ğ: it must not come out as Ğ.
        assert_eq!(encode_iso_8859_9("ð"), b"&#240;".to_vec());
    }
}
