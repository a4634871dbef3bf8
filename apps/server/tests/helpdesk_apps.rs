//! The help desks' apps against the real binary (integrations/, ADR 0014): the Zendesk app's
//! signed-URL sign-in with a committed test RSA key pair (tokens signed here by `openssl`, as
//! Zendesk signs them), its refusals, the panel it opens in a real chromium inside an iframe of
//! another origin; the Help Scout Dynamic App's answer and its refusals.

mod panel_kit;
mod support;

use std::io::{Read, Write};
use std::process::{Command, Stdio};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use panel_kit::{create_integration, customer_with_credits, now};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{ADMIN_EMAIL, ADMIN_PASSWORD, Backend, Kasa, assert_pages_pass, run_browser_script};

const KEYS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../crates/adapters/helpdesk/tests/keys"
);
const INSTALLATION: &str = "https://acme.zendesk.com/api/v2/apps/installations/360001.json";

fn key_file(name: &str) -> String {
    format!("{KEYS}/{name}")
}

fn public_key() -> String {
    std::fs::read_to_string(key_file("zendesk-app-test.pub.pem")).expect("the test public key")
}

/// A JWT as Zendesk makes it: RS256 over `header.payload`, signed by `openssl dgst -sha256
/// -sign` with the app's private key.
fn zendesk_token(claims: &Value) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(r#"{"typ":"JWT","alg":"RS256"}"#),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let mut openssl = Command::new("openssl")
        .args(["dgst", "-sha256", "-sign"])
        .arg(key_file("zendesk-app-test.pk8.pem"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("openssl runs");
    openssl
        .stdin
        .take()
        .expect("its input")
        .write_all(input.as_bytes())
        .expect("the signing input");
    let mut signature = Vec::new();
    openssl
        .stdout
        .take()
        .expect("its output")
        .read_to_end(&mut signature)
        .expect("the signature");
    assert!(openssl.wait().expect("openssl ends").success());
    assert_eq!(signature.len(), 256, "a 2048-bit signature");
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

fn claims(audience: &str, issuer: &str, expires: i64) -> Value {
    json!({
        "iss": issuer, "aud": audience, "sub": 99, "iat": expires - 300, "exp": expires,
        "qsh": "", "context": { "product": "support", "location": "ticket_sidebar" }
    })
}

/// A help desk's page on its own origin: `GET /zendesk?action=URL&token=JWT` answers a page
/// that POSTs `token` into its iframe at `action`, as Zendesk opens a signed-URL app.
fn host_server() -> String {
    panel_kit::host_server(|value| {
        format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Ticket \
             12345</title></head><body><main><h1>Ticket 12345</h1><form method=\"post\" \
             action=\"{}\" target=\"app\"><input type=\"hidden\" name=\"token\" \
             value=\"{}\"></form><iframe name=\"app\" title=\"Kasa billing\" width=\"360\" \
             height=\"800\"></iframe></main><script>document.forms[0].submit();</script>\
             </body></html>",
            value("action"),
            value("token")
        )
    })
}

async fn post_token(kasa: &Kasa, integration: &str, token: &str) -> (StatusCode, String, String) {
    let response = reqwest::Client::new()
        .post(format!("{}/panel/zendesk/{integration}", kasa.base))
        .form(&[("token", token)])
        .send()
        .await
        .expect("kasa answers");
    let status = response.status();
    let policy = response
        .headers()
        .get("content-security-policy")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, policy, response.text().await.expect("a page"))
}

fn attribute(html: &str, name: &str) -> String {
    let start = html.find(&format!("{name}=\"")).expect("the attribute") + name.len() + 2;
    html[start..start + html[start..].find('"').expect("its end")]
        .replace("&amp;", "&")
        .replace("&#38;", "&")
}

async fn get(url: &str) -> (StatusCode, String) {
    let response = reqwest::get(url).await.expect("kasa answers");
    (response.status(), response.text().await.expect("a page"))
}

#[tokio::test]
async fn the_zendesk_app_opens_the_panel_only_with_a_token_zendesk_signed() {
    let kasa = Kasa::start(Backend::Sqlite).await.expect("kasa starts");
    let host = host_server();
    let elsewhere = host_server();
    customer_with_credits(&kasa).await;
    let admin = kasa.admin_token().await;
    let (integration, _) = create_integration(&kasa, "zendesk", &host).await;
    let path = format!("/v1/integrations/{integration}/zendesk-app");

    // Before the key is set, Zendesk's first load is refused and says why.
    let valid = zendesk_token(&claims(INSTALLATION, "acme.zendesk.com", now() + 300));
    let (status, _, html) = post_token(&kasa, &integration, &valid).await;
    assert_eq!(status, StatusCode::CONFLICT, "{html}");
    let (status, _) = kasa.call(Method::GET, &path, Some(&admin), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Setting the key: checked, audited, only for administrators.
    let agent = kasa.api_key(&admin, "agent").await;
    let body = |key: &str, url: &str| json!({ "public_key_pem": key, "installation_url": url, "reason": "installed the app" });
    let (status, _) = kasa
        .call(
            Method::PUT,
            &path,
            Some(&agent),
            Some(body(&public_key(), INSTALLATION)),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for (key, url) in [
        ("not a key".to_owned(), INSTALLATION),
        (
            public_key(),
            "https://acme.example.com/installations/1.json",
        ),
    ] {
        let (status, answer) = kasa
            .call(Method::PUT, &path, Some(&admin), Some(body(&key, url)))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        assert_eq!(answer["code"], "zendesk-app-invalid", "{answer}");
    }
    let (status, answer) = kasa
        .call(
            Method::PUT,
            &path,
            Some(&admin),
            Some(body(&public_key(), INSTALLATION)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["installation_url"], INSTALLATION);
    let read = kasa.get(&path, &admin).await;
    assert_eq!(read["public_key_pem"], public_key().trim());
    let audit = kasa.get("/v1/audit?limit=100", &admin).await.to_string();
    assert!(audit.contains("integration.zendesk-app-set"), "{audit}");

    // Zendesk's first load: the page asking ZAF for the requester, framed only by the desk.
    let (status, policy, html) = post_token(&kasa, &integration, &valid).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        policy.contains("script-src 'self' https://static.zdassets.com")
            && policy.ends_with(&format!("frame-ancestors {host}")),
        "{policy}"
    );
    assert!(
        !html.contains("Ayşe"),
        "nothing of a customer before ZAF names them"
    );
    let open = attribute(&html, "data-open");
    let grant = attribute(&html, "data-grant");
    let opened = |grant: &str, extra: &str| {
        format!(
            "{}{open}?grant={}{extra}",
            kasa.base,
            form_urlencoded::byte_serialize(grant.as_bytes()).collect::<String>()
        )
    };
    let (status, panel) = get(&opened(
        &grant,
        "&email=ayse%40example.com&ticket=12345&lang=en",
    ))
    .await;
    assert_eq!(status, StatusCode::OK, "{panel}");
    assert!(
        panel.contains("Ayşe Yılmaz") && panel.contains("3 credits") && panel.contains("12345"),
        "{panel}"
    );
    let (status, panel) = get(&opened(&grant, "&email=nobody%40example.com")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!panel.contains("Ayşe"));

    // A grant changed, missing or for another integration opens nothing.
    let (other_integration, _) = create_integration(&kasa, "zendesk", &host).await;
    let (expires, mac) = grant.split_once('.').expect("expires.mac");
    let stretched = format!("{}.{mac}", expires.parse::<i64>().unwrap() + 60);
    for refused in [
        opened(&stretched, "&email=ayse%40example.com"),
        opened("", "&email=ayse%40example.com"),
        opened(&grant, "&email=ayse%40example.com").replace(&integration, &other_integration),
    ] {
        let (status, page) = get(&refused).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{refused}: {page}");
        assert!(!page.contains("Ayşe"), "{refused}");
    }

    // Tokens Zendesk did not sign for this installation are refused with 401.
    let other_key = {
        let forged_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256"}"#);
        let forged_claims = URL_SAFE_NO_PAD
            .encode(claims(INSTALLATION, "acme.zendesk.com", now() + 300).to_string());
        format!(
            "{forged_header}.{forged_claims}.{}",
            valid.rsplit('.').next().unwrap()
        )
    };
    let tampered = {
        let parts: Vec<&str> = valid.split('.').collect();
        let changed = URL_SAFE_NO_PAD
            .encode(claims(INSTALLATION, "acme.zendesk.com", now() + 86_400).to_string());
        format!("{}.{changed}.{}", parts[0], parts[2])
    };
    let refused_tokens = [
        (
            "another installation",
            zendesk_token(&claims(
                "https://acme.zendesk.com/api/v2/apps/installations/7.json",
                "acme.zendesk.com",
                now() + 300,
            )),
        ),
        (
            "another account",
            zendesk_token(&claims(INSTALLATION, "evil.zendesk.com", now() + 300)),
        ),
        (
            "expired",
            zendesk_token(&claims(INSTALLATION, "acme.zendesk.com", now() - 600)),
        ),
        ("tampered", tampered),
        ("another header", other_key),
        ("missing", String::new()),
        ("garbage", "not.a.jwt".to_owned()),
    ];
    for (what, token) in &refused_tokens {
        let (status, _, page) = post_token(&kasa, &integration, token).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {page}");
        assert!(
            !page.contains("data-grant") && !page.contains("Ayşe"),
            "{what}"
        );
    }
    let (status, _, _) = post_token(&kasa, "0193a5c2-7d4e-7000-8000-0000000000aa", &valid).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // In chromium: the desk's page posts the token into its iframe; the app asks ZAF and
    // shows the panel; an expired token shows a refusal; another origin's frame stays empty.
    let action = format!("{}/panel/zendesk/{integration}", kasa.base);
    let expired = refused_tokens[2].1.clone();
    let (host_base, other_base, kasa_base) = (host.clone(), elsewhere.clone(), kasa.base.clone());
    let second = other_integration.clone();
    let report = tokio::task::spawn_blocking(move || {
        run_browser_script(
            "helpdesk-zendesk.mjs",
            &[
                &host_base,
                &other_base,
                &action,
                &valid,
                &expired,
                &kasa_base,
                ADMIN_EMAIL,
                ADMIN_PASSWORD,
                &second,
                &public_key(),
                INSTALLATION,
            ],
        )
    })
    .await
    .expect("the browser run");
    assert_pages_pass(&report);
    let steps = &report["steps"];
    assert_eq!(steps["framed"]["h1"], "Ayşe Yılmaz", "{report:#}");
    assert!(
        steps["framed"]["frameUrl"]
            .as_str()
            .is_some_and(|url| url.contains("/open?") && url.contains("ticket=12345")),
        "{report:#}"
    );
    assert!(
        steps["framed"]["text"]
            .as_str()
            .is_some_and(|text| text.contains("3 credits")),
        "{report:#}"
    );
    assert!(
        !steps["expired"]["text"]
            .as_str()
            .unwrap_or_default()
            .contains("Ayşe"),
        "{report:#}"
    );
    assert!(
        steps["expired"]["text"]
            .as_str()
            .is_some_and(|text| text.contains("does not verify")),
        "{report:#}"
    );
    assert!(
        steps["elsewhere"]["frameUrl"]
            .as_str()
            .is_some_and(|url| url.starts_with("chrome-error://")),
        "the browser refused the frame: {report:#}"
    );
    assert_eq!(
        report["checks"].as_array().map(Vec::len),
        Some(3),
        "{report:#}"
    );
    assert!(
        steps["refusedKey"]
            .as_str()
            .is_some_and(|text| text.contains("public key or installation address is not valid")),
        "{report:#}"
    );
    assert!(
        steps["saved"]
            .as_str()
            .is_some_and(|text| text.contains("The Zendesk app key was saved.")),
        "{report:#}"
    );
    let saved = kasa
        .get(
            &format!("/v1/integrations/{other_integration}/zendesk-app"),
            &admin,
        )
        .await;
    assert_eq!(saved["installation_url"], INSTALLATION, "{saved}");
    assert_eq!(saved["public_key_pem"], public_key().trim());
}

/// The Help Scout app key an operator derives from the integration's secret:
/// `printf '%s' helpscout-dynamic-app | openssl dgst -sha256 -hmac "$SECRET" | cut -c1-40`.
fn helpscout_key(secret: &str) -> String {
    let mut openssl = Command::new("openssl")
        .args(["dgst", "-sha256", "-hmac", secret])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("openssl runs");
    openssl
        .stdin
        .take()
        .expect("its input")
        .write_all(b"helpscout-dynamic-app")
        .expect("written");
    let mut out = String::new();
    openssl
        .stdout
        .take()
        .expect("its output")
        .read_to_string(&mut out)
        .expect("read");
    assert!(openssl.wait().expect("openssl ends").success());
    out.trim().rsplit(' ').next().expect("the digest")[..40].to_owned()
}

fn helpscout_signature(key: &str, body: &[u8]) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, key.as_bytes());
    STANDARD.encode(ring::hmac::sign(&key, body).as_ref())
}

async fn dynamic_app(
    kasa: &Kasa,
    integration: &str,
    body: &[u8],
    signature: Option<&str>,
) -> (StatusCode, String, Value) {
    let mut request = reqwest::Client::new()
        .post(format!(
            "{}/helpdesk/helpscout/{integration}/app",
            kasa.base
        ))
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(signature) = signature {
        request = request.header("X-HelpScout-Signature", signature);
    }
    let response = request.send().await.expect("kasa answers");
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (
        status,
        content_type,
        response.json().await.unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn the_help_scout_dynamic_app_answers_a_signed_summary_with_a_panel_link() {
    let kasa = Kasa::start(Backend::Sqlite).await.expect("kasa starts");
    customer_with_credits(&kasa).await;
    let (integration, secret) =
        create_integration(&kasa, "helpscout", "https://secure.helpscout.net").await;
    let key = helpscout_key(&secret);
    assert_eq!(key.len(), 40, "Help Scout takes at most 40 characters");
    // The shape of Help Scout's request (developer.helpscout.com, Legacy Dynamic Apps).
    let body = json!({
        "ticket": { "id": 2_391_938_111_u64, "number": 349, "subject": "Fatura" },
        "customer": { "id": 1, "fname": "Ayşe", "lname": "Yılmaz", "email": "ayse@example.com",
                      "emails": ["ayse@example.com"] },
        "user": { "fname": "Ali", "lname": "Veli", "id": 7, "role": "user", "convRedirect": 0 },
        "mailbox": { "id": 3, "email": "destek@example.com" }
    })
    .to_string();
    let signature = helpscout_signature(&key, body.as_bytes());
    let (status, content_type, answer) =
        dynamic_app(&kasa, &integration, body.as_bytes(), Some(&signature)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let html = answer["html"].as_str().expect("an html answer");
    assert!(
        html.contains("Ayşe Yılmaz") && html.contains("Kredi") && html.contains(">3<"),
        "{html}"
    );
    // Its link is a signed panel URL for the conversation, good now.
    let start = html.find("href=\"").expect("a panel link") + 6;
    let link = html[start..start + html[start..].find('"').unwrap()]
        .replace("&amp;", "&")
        .replace("&#38;", "&");
    assert!(link.starts_with(&format!("{}/panel?", kasa.base)), "{link}");
    assert!(
        link.contains("ticket=349") && link.contains("&signature="),
        "{link}"
    );
    let (status, panel) = get(&link).await;
    assert_eq!(status, StatusCode::OK, "{panel}");
    assert!(panel.contains("Ayşe Yılmaz"));

    // A customer Kasa does not know: said so, nothing else.
    let stranger = body.replace("ayse@example.com", "nobody@example.com");
    let (status, _, answer) = dynamic_app(
        &kasa,
        &integration,
        stranger.as_bytes(),
        Some(&helpscout_signature(&key, stranger.as_bytes())),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let html = answer["html"].as_str().unwrap();
    assert!(
        html.contains("No customer in Kasa") && !html.contains("href"),
        "{html}"
    );

    // Refused: a changed body, another key, no signature, an unknown integration.
    let tampered = body.replace("349", "350");
    for (what, integration_id, sent, signature) in [
        (
            "tampered",
            integration.as_str(),
            tampered.as_str(),
            Some(signature.clone()),
        ),
        (
            "the integration secret itself",
            integration.as_str(),
            body.as_str(),
            Some(helpscout_signature(&secret, body.as_bytes())),
        ),
        ("unsigned", integration.as_str(), body.as_str(), None),
        (
            "unknown",
            "0193a5c2-7d4e-7000-8000-0000000000aa",
            body.as_str(),
            Some(signature.clone()),
        ),
    ] {
        let (status, content_type, answer) =
            dynamic_app(&kasa, integration_id, sent.as_bytes(), signature.as_deref()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {answer}");
        assert!(
            content_type.starts_with("application/problem+json"),
            "{what}"
        );
        assert_eq!(answer["code"], "helpscout-signature-invalid", "{what}");
        assert!(!answer.to_string().contains("Ayşe"), "{what}");
    }
    let garbage = b"not json";
    let (status, _, answer) = dynamic_app(
        &kasa,
        &integration,
        garbage,
        Some(&helpscout_signature(&key, garbage)),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(answer["code"], "helpscout-body-invalid");

    // Revoked: refused after the signature.
    let admin = kasa.admin_token().await;
    kasa.post(
        &format!("/v1/integrations/{integration}/revoke"),
        &admin,
        json!({ "reason": "desk retired" }),
    )
    .await;
    let (status, _, answer) =
        dynamic_app(&kasa, &integration, body.as_bytes(), Some(&signature)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
}

fn integrations_script(args: &[&str]) -> std::process::Output {
    Command::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/integrations"
    ))
    .args(args)
    .output()
    .expect("scripts/integrations runs")
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("a folder");
    for entry in std::fs::read_dir(from).expect("a folder to copy") {
        let entry = entry.expect("an entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("its type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copied");
        }
    }
}

#[test]
fn the_app_packages_build_and_validate_and_a_broken_one_does_not() {
    let checked = integrations_script(&["check"]);
    assert!(checked.status.success(), "{checked:?}");

    let folder = std::env::temp_dir().join(format!("kasa-apps-{}", uuid::Uuid::now_v7()));
    let out = folder.join("out");
    let built = integrations_script(&[
        "zendesk",
        "--kasa-url",
        "https://kasa.example.com",
        "--integration",
        "0193a5c2-7d4e-7000-8000-0000000000aa",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(built.status.success(), "{built:?}");
    let manifest = Command::new("unzip")
        .arg("-p")
        .arg(out.join("kasa-zendesk.zip"))
        .arg("manifest.json")
        .output()
        .expect("unzip runs");
    let manifest: Value = serde_json::from_slice(&manifest.stdout).expect("the zipped manifest");
    assert_eq!(
        manifest["location"]["support"]["ticket_sidebar"]["url"],
        "https://kasa.example.com/panel/zendesk/0193a5c2-7d4e-7000-8000-0000000000aa"
    );
    assert_eq!(manifest["signedUrls"], true);
    let built = integrations_script(&["freshdesk", "--out", out.to_str().unwrap()]);
    assert!(built.status.success(), "{built:?}");
    assert!(out.join("kasa-freshdesk.zip").exists());
    let refused = integrations_script(&[
        "zendesk",
        "--kasa-url",
        "http://kasa.example.com",
        "--integration",
        "x",
    ]);
    assert!(!refused.status.success());

    // The check fails on what the vendors' docs forbid.
    let root = folder.join("integrations");
    copy_tree(
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../integrations")),
        &root,
    );
    let zendesk = root.join("zendesk/manifest.json");
    let text = std::fs::read_to_string(&zendesk).unwrap();
    std::fs::write(
        &zendesk,
        text.replace("\"signedUrls\": true", "\"signedUrls\": false")
            .replace("user_sidebar", "user_sidebarr"),
    )
    .unwrap();
    let iparams = root.join("freshdesk/config/iparams.json");
    let text = std::fs::read_to_string(&iparams).unwrap();
    std::fs::write(
        &iparams,
        text.replace("\"secure\": true", "\"secure\": false"),
    )
    .unwrap();
    let signing = root.join("freshdesk/server/lib/panel_url.js");
    let text = std::fs::read_to_string(&signing).unwrap();
    std::fs::write(&signing, text.replace(".join('\\n')", ".join('&')")).unwrap();
    std::fs::remove_file(root.join("zendesk/translations/tr.json")).unwrap();
    let broken = integrations_script(&["check", "--root", root.to_str().unwrap()]);
    assert!(!broken.status.success());
    let said = String::from_utf8_lossy(&broken.stderr);
    for expected in [
        "`signedUrls` must be true",
        "`user_sidebarr` is not a support location",
        "tr.json: missing",
        "`panel_secret` must be secure",
        "does not sign docs/panel.md's example",
    ] {
        assert!(said.contains(expected), "{expected}: {said}");
    }
    let _ = std::fs::remove_dir_all(folder);
}
