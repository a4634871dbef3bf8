//! What the panel's test and benchmark share: a server with an administrator on a given
//! database, an integration made through the API, and URLs signed as docs/panel.md says.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

use serde_json::{Value, json};

use crate::support::{ADMIN_EMAIL, ADMIN_PASSWORD, Kasa, kasa_command};

/// Now, in Unix seconds.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// `kasa create-admin` then `kasa serve` on `database_url` in `folder` with `secrets_key`.
pub async fn serve_with_admin(
    database_url: &str,
    folder: &std::path::Path,
    secrets_key: &str,
) -> Kasa {
    let created = kasa_command(database_url, folder)
        .args(["create-admin", "--email", ADMIN_EMAIL])
        .env("KASA_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .output()
        .expect("kasa create-admin runs");
    assert!(created.status.success(), "{created:?}");
    Kasa::serve_on(
        database_url,
        folder,
        &[],
        &[("KASA_SECRETS_KEY", secrets_key)],
    )
    .await
    .expect("kasa serves")
}

/// Creates an integration of `kind` for `origin` through the API: its id and its secret.
pub async fn create_integration(kasa: &Kasa, kind: &str, origin: &str) -> (String, String) {
    let admin = kasa.admin_token().await;
    let created = kasa
        .post(
            "/v1/integrations",
            &admin,
            json!({ "name": format!("{kind} desk"), "kind": kind, "allowed_origins": [origin],
                    "reason": "panel test" }),
        )
        .await;
    let secret = created["secret"]
        .as_str()
        .expect("a secret once")
        .to_owned();
    assert!(secret.starts_with("kasa_panel_"), "{created}");
    let id = created["integration"]["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    (id, secret)
}

/// A panel URL signed with `secret` (sorted `key=value` lines, HMAC-SHA256, hex).
pub fn signed(base: &str, secret: &str, params: &[(&str, &str)]) -> String {
    let mut sorted = params.to_vec();
    sorted.sort_by_key(|(key, _)| *key);
    let canonical = sorted
        .iter()
        .map(|(key, value)| format!("{key}={value}"))
        .collect::<Vec<_>>()
        .join("\n");
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    let signature: String = ring::hmac::sign(&key, canonical.as_bytes())
        .as_ref()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let query: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params.iter().copied())
        .append_pair("signature", &signature)
        .finish();
    format!("{base}/panel?{query}")
}

/// The session token in a panel page's "Refresh" link.
pub fn session_of(html: &str) -> String {
    let start = html.find("/panel?session=").expect("a refresh link") + 15;
    let rest = &html[start..];
    rest[..rest.find('"').expect("the link's end")].to_owned()
}

fn id(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_owned()
}

/// `ayse@example.com` (Ayşe Yılmaz, Turkish, `zendesk:42`) holding 3 of 5 credits after ticket
/// 12345 was charged 2.
pub async fn customer_with_credits(kasa: &Kasa) {
    let admin = kasa.admin_token().await;
    let support = kasa
        .post(
            "/v1/departments",
            &admin,
            json!({ "name": "Teknik Destek", "credits_per_request": 2, "reason": "setup" }),
        )
        .await;
    let five = kasa
        .post(
            "/v1/packages",
            &admin,
            json!({ "name": "5 kredi", "kind": "credit", "credits": 5,
                    "department_ids": [id(&support)], "on_sale": true,
                    "price": { "amount": "50.00", "currency": "TRY" }, "reason": "setup" }),
        )
        .await;
    let customer = kasa
        .post(
            "/v1/customers",
            &admin,
            json!({ "email": "ayse@example.com", "name": "Ayşe Yılmaz", "language": "tr",
                    "external_ids": [{ "system": "zendesk", "value": "42" }], "reason": "new" }),
        )
        .await;
    kasa.post(
        &format!("/v1/customers/{}/grants", id(&customer)),
        &admin,
        json!({ "package_id": id(&five), "charged": true, "reason": "paid by bank transfer" }),
    )
    .await;
    let help_desk = kasa.api_key(&admin, "help_desk").await;
    kasa.post(
        "/v1/charges",
        &help_desk,
        json!({ "customer": { "email": "ayse@example.com" }, "department_id": id(&support),
                "kind": "ticket", "reference": "12345" }),
    )
    .await;
}

/// A query parameter's value by name, escaped for an HTML attribute (empty when absent).
pub type Parameter<'a> = &'a dyn Fn(&str) -> String;

/// A help desk's pages on their own origin: each GET is answered with the HTML `page` makes
/// of the query's parameters. Returns `http://127.0.0.1:PORT`; serves until the test ends.
pub fn host_server(page: fn(Parameter<'_>) -> String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port for the host page");
    let base = format!("http://{}", listener.local_addr().expect("its address"));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(&stream);
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            let mut header = String::new();
            while reader.read_line(&mut header).is_ok_and(|read| read > 2) {
                header.clear();
            }
            let target = request_line.split(' ').nth(1).unwrap_or("/");
            let query = target
                .split_once('?')
                .map_or("", |(_, query)| query)
                .to_owned();
            // A parameter's value, escaped for an HTML attribute.
            let value = |name: &str| {
                form_urlencoded::parse(query.as_bytes())
                    .find(|(key, _)| key == name)
                    .map(|(_, value)| value.replace('&', "&amp;").replace('"', "&quot;"))
                    .unwrap_or_default()
            };
            let body = page(&value);
            let mut stream = &stream;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: \
                 {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    base
}
