//! What the panel's test and benchmark share: a server with an administrator on a given
//! database, an integration made through the API, and URLs signed as docs/panel.md says.

#![allow(dead_code)]

use serde_json::json;

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
