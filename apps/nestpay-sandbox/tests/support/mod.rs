//! What the black-box tests share: the real binary on a free port, a browser that follows the
//! bank's forms, the test's own ver3/ver1 hashing (written again here on purpose), and the XML
//! API in ISO-8859-9.

// Each test binary uses a different part of this module.
#![allow(dead_code)]

use std::io::BufRead as _;
use std::process::{Child, Command, Stdio};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::Digest as _;

/// The default store.
pub const CLIENT_ID: &str = "100200127";
/// Its key.
pub const STORE_KEY: &str = "TEST1234";
/// Where the shop's pages would be (never contacted: the tests stop at the bank's post-back).
pub const OK_URL: &str = "https://shop.example/nestpay/ok?x=1&y=2";
/// The shop's failure page.
pub const FAIL_URL: &str = "https://shop.example/nestpay/fail";

/// Test cards (README.md).
pub const APPROVED: &str = "4508034508034509";
/// Mastercard, approved.
pub const APPROVED_MASTERCARD: &str = "5406675406675403";

/// The sandbox binary, stopped when dropped.
#[derive(Debug)]
pub struct Sandbox {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// A client that follows no redirects (there should be none).
    pub http: reqwest::Client,
}

impl Sandbox {
    /// Starts the binary on a free loopback port and reads where it listens.
    pub fn start() -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_nestpay-sandbox"));
        for (name, _) in std::env::vars() {
            if name.starts_with("NESTPAY_SANDBOX_") {
                command.env_remove(name);
            }
        }
        let mut child = command
            .args(["--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the sandbox starts");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the listening line");
        let base = line
            .trim_end()
            .strip_prefix("nestpay-sandbox listening on ")
            .filter(|url| url.starts_with("http://127.0.0.1:"))
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .to_owned();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client");
        Self { child, base, http }
    }

    /// Posts a form; the status and the page.
    pub async fn post_form(&self, url: &str, fields: &[(String, String)]) -> (u16, String) {
        let url = if url.starts_with("http") {
            url.to_owned()
        } else {
            format!("{}{url}", self.base)
        };
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let response = self
            .http
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("the sandbox answers");
        let status = response.status().as_u16();
        (status, response.text().await.expect("a page"))
    }

    /// An order's state at the bank (`None`: unknown).
    pub async fn order(&self, order_id: &str) -> Option<serde_json::Value> {
        let response = self
            .http
            .get(format!("{}/sandbox/orders/{order_id}", self.base))
            .send()
            .await
            .expect("answers");
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return None;
        }
        Some(response.json().await.expect("json"))
    }

    /// Runs end of day.
    pub async fn end_of_day(&self) {
        let response = self
            .http
            .post(format!("{}/sandbox/end-of-day", self.base))
            .send()
            .await
            .expect("answers");
        assert!(response.status().is_success());
    }

    /// Posts a CC5 document (already encoded) as the raw body; the decoded answer and its
    /// raw bytes.
    pub async fn api_raw(&self, body: Vec<u8>, content_type: &str) -> (String, Vec<u8>) {
        let response = self
            .http
            .post(format!("{}/fim/api", self.base))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("answers");
        assert_eq!(
            response.headers()["content-type"],
            "text/xml; charset=ISO-8859-9"
        );
        let bytes = response.bytes().await.expect("bytes").to_vec();
        let (text, _, malformed) = encoding_rs::WINDOWS_1254.decode(&bytes);
        assert!(!malformed);
        (text.into_owned(), bytes)
    }

    /// Posts a CC5 request (body elements after the credentials) in ISO-8859-9.
    pub async fn api(&self, elements: &str) -> String {
        self.api_raw(iso_8859_9(&cc5_request(elements)), "text/xml")
            .await
            .0
    }

    /// Pays an order through the 3d_pay gate with a card, as a browser would; the post-back.
    pub async fn pay(&self, order_id: &str, amount: &str, tran_type: &str, card: &str) -> Form {
        let mut fields = gate_fields(order_id, amount, "3d_pay", tran_type);
        sign_ver3(&mut fields);
        fields.extend(card_fields(card, "12", "30"));
        let (status, page) = self.post_form("/fim/est3dgate", &fields).await;
        assert_eq!(status, 200, "{page}");
        let secure = first_form(&page);
        assert!(secure.action.starts_with("/fim/acs/"), "{page}");
        let (status, page) = self.post_form(&secure.action, &secure.fields).await;
        assert_eq!(status, 200, "{page}");
        first_form(&page)
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A CC5Request with the default API credentials.
pub fn cc5_request(elements: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"ISO-8859-9\"?>\n<CC5Request><Name>kasa-api</Name>\
         <Password>kasa-api-pass</Password><ClientId>{CLIENT_ID}</ClientId>{elements}\
         </CC5Request>"
    )
}

/// Text in ISO-8859-9 (Turkish letters only; the tests use nothing else outside ASCII).
pub fn iso_8859_9(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1254.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

/// The text of the first `<name>` element of an XML answer.
pub fn element(xml: &str, name: &str) -> Option<String> {
    let start = xml.find(&format!("<{name}>"))? + name.len() + 2;
    let end = xml[start..].find(&format!("</{name}>"))? + start;
    Some(
        xml[start..end]
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&apos;", "'")
            .replace("&quot;", "\"")
            .replace("&amp;", "&"),
    )
}

/// The fields a merchant signs for the gate (everything but the hash and the card).
pub fn gate_fields(
    order_id: &str,
    amount: &str,
    store_type: &str,
    tran_type: &str,
) -> Vec<(String, String)> {
    [
        ("clientid", CLIENT_ID),
        ("storetype", store_type),
        ("amount", amount),
        ("currency", "949"),
        ("oid", order_id),
        ("okUrl", OK_URL),
        ("failUrl", FAIL_URL),
        ("rnd", "r4nd0m-1"),
        ("TranType", tran_type),
        ("Instalment", ""),
        ("hashAlgorithm", "ver3"),
        ("lang", "en"),
        ("encoding", "utf-8"),
        ("BillToName", "Çağrı \"Öz\" <b>|\\"),
    ]
    .iter()
    .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
    .collect()
}

/// The card fields the customer types.
pub fn card_fields(pan: &str, month: &str, year: &str) -> Vec<(String, String)> {
    [
        ("pan", pan),
        ("cv2", "123"),
        ("Ecom_Payment_Card_ExpDate_Month", month),
        ("Ecom_Payment_Card_ExpDate_Year", year),
    ]
    .iter()
    .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
    .collect()
}

/// Left out of every ver3 hash: the hash itself, `encoding`, Ziraat's `NATIONALIDNO`.
fn is_never_hashed(name: &str) -> bool {
    ["hash", "encoding", "nationalidno"].contains(&name.to_ascii_lowercase().as_str())
}

/// Also left out of a gate request's ver3 hash (the team's decision): the card fields.
fn is_card_field(name: &str) -> bool {
    ["pan", "cv2"].contains(&name.to_ascii_lowercase().as_str())
        || name
            .to_ascii_lowercase()
            .starts_with("ecom_payment_card_expdate_")
}

/// Hash ver3 as the protocol describes it, written independently of the sandbox's, over the
/// fields `left_out` keeps.
fn ver3_over(fields: &[(String, String)], key: &str, left_out: impl Fn(&str) -> bool) -> String {
    let mut kept: Vec<_> = fields.iter().filter(|(name, _)| !left_out(name)).collect();
    kept.sort_by_key(|(name, _)| name.to_lowercase());
    let escape = |value: &str| value.replace('\\', "\\\\").replace('|', "\\|");
    let mut text = kept
        .iter()
        .map(|(_, value)| escape(value))
        .collect::<Vec<_>>()
        .join("|");
    text.push('|');
    text.push_str(&escape(key));
    BASE64.encode(sha2::Sha512::digest(text.as_bytes()))
}

/// A gate request's ver3 hash: the card fields are left out.
pub fn ver3(fields: &[(String, String)], key: &str) -> String {
    ver3_over(fields, key, |name| {
        is_never_hashed(name) || is_card_field(name)
    })
}

/// A callback's ver3 hash: every posted field but `HASH`, `encoding` and `NATIONALIDNO`, so the
/// echoed expiry is covered.
pub fn ver3_callback(fields: &[(String, String)], key: &str) -> String {
    ver3_over(fields, key, is_never_hashed)
}

/// Adds `hash` (ver3 with the default key).
pub fn sign_ver3(fields: &mut Vec<(String, String)>) {
    let signed = ver3(fields, STORE_KEY);
    fields.push(("hash".to_owned(), signed));
}

/// base64(SHA-1(text)).
pub fn sha1_base64(text: &str) -> String {
    BASE64.encode(sha1::Sha1::digest(text.as_bytes()))
}

/// A form as a browser sees it: where it posts and what it sends.
#[derive(Clone, Debug)]
pub struct Form {
    /// `action`, unescaped.
    pub action: String,
    /// Inputs with a value, in order.
    pub fields: Vec<(String, String)>,
    /// Every input's name.
    pub input_names: Vec<String>,
}

impl Form {
    /// A field's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, value)| value.as_str())
    }

    /// Checks the bank's ver3 `HASH` over everything else it posted (the echoed expiry too).
    pub fn assert_signed_ver3(&self) {
        let hash = self.get("HASH").expect("a HASH");
        assert_eq!(
            hash,
            ver3_callback(&self.fields, STORE_KEY),
            "callback signature"
        );
    }
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// `name="value"` inside one tag.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = tag[start..].find('"')? + start;
    Some(unescape(&tag[start..end]))
}

/// The first form of a page.
pub fn first_form(html: &str) -> Form {
    let start = html
        .find("<form")
        .unwrap_or_else(|| panic!("no form: {html}"));
    let end = html[start..].find("</form>").expect("closed") + start;
    let body = &html[start..end];
    let tag_end = body.find('>').expect("tag");
    let mut form = Form {
        action: attribute(&body[..tag_end], "action").expect("action"),
        fields: Vec::new(),
        input_names: Vec::new(),
    };
    let mut rest = body;
    while let Some(at) = rest.find("<input") {
        let tag_end = rest[at..].find('>').expect("input end") + at;
        let tag = &rest[at..tag_end];
        let name = attribute(tag, "name").expect("named input");
        form.input_names.push(name.clone());
        if let Some(value) = attribute(tag, "value") {
            form.fields.push((name, value));
        }
        rest = &rest[tag_end..];
    }
    form
}
