//! HTTP safety against the real binary: request bodies are capped before they are read, 405
//! answers say which methods a path takes, sign-in is throttled, billing links can be revoked
//! and signing out tells the truth.

mod support;

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{ADMIN_EMAIL, ADMIN_PASSWORD, Backend, Kasa};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A response read off a raw connection.
#[derive(Debug)]
struct RawAnswer {
    status: u16,
    head: String,
    body: Value,
}

/// Sends `head` (the request line and headers, without the blank line), then `body` from
/// another task (its write errors are ignored: the server may stop reading), and reads the
/// answer within 10 s.
async fn raw_exchange(base: &str, head: &str, body: Vec<u8>) -> RawAnswer {
    let address = base.trim_start_matches("http://");
    let stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connects");
    let (mut reader, mut writer) = stream.into_split();
    let head = format!("{head}\r\nHost: {address}\r\n\r\n");
    let writing = tokio::spawn(async move {
        writer.write_all(head.as_bytes()).await?;
        for chunk in body.chunks(64 * 1024) {
            writer.write_all(chunk).await?;
        }
        writer.flush().await?;
        // Keep the connection open (a half-close could end the request early).
        Ok::<_, std::io::Error>(writer)
    });
    let read = async {
        let mut received = Vec::new();
        let mut buffer = [0_u8; 8192];
        loop {
            if let Some(end) = find(&received, b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&received[..end]).to_string();
                let length: usize = head
                    .lines()
                    .find_map(|line| {
                        let (name, value) = line.split_once(':')?;
                        name.eq_ignore_ascii_case("content-length")
                            .then(|| value.trim().parse().ok())?
                    })
                    .unwrap_or(0);
                if received.len() >= end + 4 + length {
                    let body = &received[end + 4..end + 4 + length];
                    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
                    let body = serde_json::from_slice(body).unwrap_or(Value::Null);
                    return RawAnswer { status, head, body };
                }
            }
            let count = reader
                .read(&mut buffer)
                .await
                .expect("the answer is readable");
            assert!(
                count > 0,
                "the server closed before answering: {received:?}"
            );
            received.extend_from_slice(&buffer[..count]);
        }
    };
    let answer = tokio::time::timeout(Duration::from_secs(10), read)
        .await
        .expect("an answer within 10 s");
    writing.abort();
    answer
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

fn assert_too_large(answer: &RawAnswer) {
    assert_eq!(answer.status, 413, "{answer:?}");
    assert!(
        answer
            .head
            .to_ascii_lowercase()
            .contains("content-type: application/problem+json"),
        "{answer:?}"
    );
    assert_eq!(answer.body["code"], "payload-too-large", "{answer:?}");
}

async fn assert_healthy(kasa: &Kasa) {
    let (status, body) = kasa.call(Method::GET, "/healthz", None, None).await;
    assert_eq!((status, body), (StatusCode::OK, json!("ok")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_larger_than_the_limit_is_refused_before_it_is_read() {
    let kasa = Kasa::start(Backend::Sqlite).await.expect("SQLite");
    let admin = kasa.admin_token().await;

    // An anonymous 128 MB sign-in: answered from the headers alone, no byte of the body sent.
    let started = Instant::now();
    let answer = raw_exchange(
        &kasa.base,
        "POST /v1/sessions HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 134217728",
        Vec::new(),
    )
    .await;
    assert_too_large(&answer);
    assert_eq!(answer.body["facts"]["limit_bytes"], 1024 * 1024);
    assert!(started.elapsed() < Duration::from_secs(5));

    // A body without a length (chunked) is cut off once it passes the limit.
    let mut chunked = Vec::new();
    let piece = vec![b' '; 16 * 1024];
    chunked.extend_from_slice(b"4000\r\n");
    chunked.extend_from_slice(&piece);
    chunked.extend_from_slice(b"\r\n");
    let chunked: Vec<u8> = chunked.repeat(80); // 1.25 MiB of spaces
    let answer = raw_exchange(
        &kasa.base,
        &format!(
            "POST /v1/customers HTTP/1.1\r\nAuthorization: Bearer {admin}\r\n\
             Content-Type: application/json\r\nTransfer-Encoding: chunked"
        ),
        chunked,
    )
    .await;
    assert_too_large(&answer);

    // Gateways' callbacks are small: 300 KB is too much there.
    let answer = raw_exchange(
        &kasa.base,
        "POST /gateways/nestpay/return HTTP/1.1\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 300000",
        Vec::new(),
    )
    .await;
    assert_too_large(&answer);
    assert_eq!(answer.body["facts"]["limit_bytes"], 256 * 1024);

    // A small body within the limit still works, and so does the server.
    let (status, body) = kasa
        .call(
            Method::POST,
            "/v1/sessions",
            None,
            Some(json!({ "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_healthy(&kasa).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_body_limit_is_configurable_and_the_logo_upload_keeps_its_room() {
    let kasa = Kasa::start_with_env(&[("KASA_MAX_BODY_BYTES", "2000".to_owned())]).await;
    let admin = kasa.admin_token().await;
    let customer =
        json!({ "name": "x".repeat(3000), "email": "big@example.com", "reason": "test" });
    let (status, problem) = kasa
        .call(Method::POST, "/v1/customers", Some(&admin), Some(customer))
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload-too-large")),
        "{problem}"
    );
    assert_eq!(problem["facts"]["limit_bytes"], 2000);
    // A logo of 600 KB (base64) is read: it is refused for what it is, not for its size.
    let logo = json!({ "image_base64": "A".repeat(600_000), "reason": "test" });
    let (status, problem) = kasa
        .call(Method::PUT, "/v1/settings/logo", Some(&admin), Some(logo))
        .await;
    assert_ne!(status, StatusCode::PAYLOAD_TOO_LARGE, "{problem}");
    assert!(status.is_client_error(), "{status} {problem}");
    assert_healthy(&kasa).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_405_says_which_methods_the_path_takes() {
    let kasa = Kasa::start(Backend::Sqlite).await.expect("SQLite");
    let client = reqwest::Client::new();
    for (method, path, allowed) in [
        (Method::GET, "/v1/charges", "POST"),
        (Method::DELETE, "/v1/customers", "GET, POST"),
        (
            Method::POST,
            "/v1/customers/0195f1c0-0000-7000-8000-000000000000",
            "GET, PUT",
        ),
        (Method::GET, "/v1/sessions/current", "DELETE"),
        (Method::GET, "/billing/checkout", "POST"),
        (Method::DELETE, "/billing/card", "GET, POST"),
        (Method::GET, "/gateways/stripe/webhook", "POST"),
    ] {
        let response = client
            .request(method.clone(), format!("{}{path}", kasa.base))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        assert_eq!(
            response
                .headers()
                .get("allow")
                .and_then(|value| value.to_str().ok()),
            Some(allowed),
            "{method} {path}"
        );
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["code"], "method-not-allowed");
    }
}

/// Signs in; the status, the `Retry-After` header and the body.
async fn sign_in(kasa: &Kasa, email: &str, password: &str) -> (StatusCode, Option<u64>, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/v1/sessions", kasa.base))
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse().ok());
    (status, retry_after, response.json().await.unwrap())
}

/// Polls (every 100 ms, at most 20 s) until the administrator's right password signs in.
async fn wait_until_the_right_password_works(kasa: &Kasa) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, _, body) = sign_in(kasa, ADMIN_EMAIL, ADMIN_PASSWORD).await;
        if status == StatusCode::OK {
            return;
        }
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
        assert!(Instant::now() < deadline, "still throttled after 20 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_sign_ins_are_throttled_per_account_and_per_address() {
    let kasa = Kasa::start_with_env(&[
        ("KASA_SIGN_IN_FAILURES_PER_ACCOUNT", "3".to_owned()),
        ("KASA_SIGN_IN_FAILURES_PER_ADDRESS", "6".to_owned()),
        ("KASA_SIGN_IN_FIRST_LOCKOUT_MS", "1500".to_owned()),
        ("KASA_SIGN_IN_MAX_LOCKOUT_MS", "1500".to_owned()),
    ])
    .await;
    // Successful sign-ins never count against the address.
    for _ in 0..8 {
        kasa.admin_token().await;
    }
    for _ in 0..3 {
        let (status, _, body) = sign_in(&kasa, ADMIN_EMAIL, "guess-guess-guess").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    }
    // The account waits now: even the right password is refused, with Retry-After.
    let (status, retry_after, problem) = sign_in(&kasa, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{problem}");
    assert_eq!(problem["code"], "too-many-attempts");
    assert!(matches!(retry_after, Some(1..=2)), "{retry_after:?}");
    // After the wait the right password works, and clears the account.
    wait_until_the_right_password_works(&kasa).await;
    let (status, _, body) = sign_in(&kasa, ADMIN_EMAIL, "guess-guess-guess").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");

    // The address: 6 failures over any accounts (4 so far) and it waits too.
    for email in ["a@example.com", "b@example.com"] {
        let (status, _, body) = sign_in(&kasa, email, "guess-guess-guess").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    }
    let (status, retry_after, problem) = sign_in(&kasa, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{problem}");
    assert!(retry_after.is_some());
    wait_until_the_right_password_works(&kasa).await;
}

async fn billing_links_are_revocable_and_signing_out_is_truthful(backend: Backend) {
    let Some(kasa) = Kasa::start(backend).await else {
        return;
    };
    let admin = kasa.admin_token().await;
    let customer = kasa
        .post(
            "/v1/customers",
            &admin,
            json!({ "email": "linked@example.com", "name": "Linked", "reason": "test" }),
        )
        .await;
    let customer_id = customer["id"].as_str().unwrap().to_owned();
    let links = format!("/v1/customers/{customer_id}/billing-links");
    let first = kasa
        .post(&links, &admin, json!({ "reason": "checkout" }))
        .await;
    let second = kasa
        .post(&links, &admin, json!({ "reason": "checkout" }))
        .await;
    let first_token = first["token"].as_str().unwrap();
    let second_token = second["token"].as_str().unwrap();
    // Used once, so the token is in the server's cache when it is revoked.
    kasa.get("/v1/me/billing", first_token).await;

    let listed = kasa.get(&links, &admin).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(2), "{listed}");
    assert_eq!(listed[0]["id"], second["id"]);
    assert_eq!(listed[1]["id"], first["id"]);
    assert!(listed[0]["revoked_at"].is_null());
    assert!(!listed.to_string().contains("kasa_customer_"), "{listed}");

    // Revoking needs a reason, names the customer's own link, and takes effect at once.
    let revoke = format!("{links}/{}", first["id"].as_str().unwrap());
    let (status, problem) = kasa
        .call(
            Method::DELETE,
            &revoke,
            Some(&admin),
            Some(json!({ "reason": "" })),
        )
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("reason-required"))
    );
    let other = kasa
        .post(
            "/v1/customers",
            &admin,
            json!({ "email": "other@example.com", "name": "Other", "reason": "test" }),
        )
        .await;
    let (status, problem) = kasa
        .call(
            Method::DELETE,
            &format!(
                "/v1/customers/{}/billing-links/{}",
                other["id"].as_str().unwrap(),
                first["id"].as_str().unwrap()
            ),
            Some(&admin),
            Some(json!({ "reason": "leaked" })),
        )
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not-found"))
    );
    let (status, revoked) = kasa
        .call(
            Method::DELETE,
            &revoke,
            Some(&admin),
            Some(json!({ "reason": "sent to the wrong address" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{revoked}");
    assert!(revoked["revoked_at"].is_string(), "{revoked}");
    let (status, problem) = kasa
        .call(Method::GET, "/v1/me/billing", Some(first_token), None)
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid-credentials"))
    );
    kasa.get("/v1/me/billing", second_token).await;
    // Revoking again changes nothing.
    let (status, again) = kasa
        .call(
            Method::DELETE,
            &revoke,
            Some(&admin),
            Some(json!({ "reason": "again" })),
        )
        .await;
    assert_eq!(
        (status, &again["revoked_at"]),
        (StatusCode::OK, &revoked["revoked_at"])
    );
    let audit = kasa
        .get("/v1/audit?action=customer.billing_link_revoked", &admin)
        .await;
    assert_eq!(audit.as_array().map(Vec::len), Some(1), "{audit}");
    assert_eq!(audit[0]["reason"], "sent to the wrong address");
    assert_eq!(audit[0]["subject"], format!("customer:{customer_id}"));

    // A customer signing out revokes their link.
    let (status, body) = kasa
        .call(
            Method::DELETE,
            "/v1/sessions/current",
            Some(second_token),
            None,
        )
        .await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({ "signed_out": true }))
    );
    let (status, _) = kasa
        .call(Method::GET, "/v1/me/billing", Some(second_token), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let listed = kasa.get(&links, &admin).await;
    assert!(listed[0]["revoked_at"].is_string(), "{listed}");

    // An API key cannot sign out, and says so; it keeps working.
    let key = kasa.api_key(&admin, "read_only").await;
    kasa.get("/v1/departments", &key).await;
    let (status, problem) = kasa
        .call(Method::DELETE, "/v1/sessions/current", Some(&key), None)
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("not-a-session"))
    );
    kasa.get("/v1/departments", &key).await;

    // A user's session ends.
    let (status, _) = kasa
        .call(Method::DELETE, "/v1/sessions/current", Some(&admin), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = kasa
        .call(Method::GET, "/v1/departments", Some(&admin), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn billing_links_are_revocable_and_signing_out_is_truthful_on_sqlite() {
    billing_links_are_revocable_and_signing_out_is_truthful(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn billing_links_are_revocable_and_signing_out_is_truthful_on_postgres() {
    billing_links_are_revocable_and_signing_out_is_truthful(Backend::Postgres).await;
}

/// Every inline `<script>` (one without `src`) and `<style>` in `html`, and every `style=`.
fn inline_code(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut found = Vec::new();
    for (at, _) in lower.match_indices("<script") {
        let tag = &lower[at..at + lower[at..].find('>').unwrap_or(0)];
        if !tag.contains(" src=") {
            found.push(html[at..].chars().take(80).collect());
        }
    }
    for needle in ["<style", " style="] {
        for (at, _) in lower.match_indices(needle) {
            found.push(html[at..].chars().take(80).collect());
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn billing_pages_cannot_be_framed_and_run_no_inline_code() {
    let kasa = Kasa::start(Backend::Sqlite).await.expect("SQLite");
    let admin = kasa.admin_token().await;
    let customer = kasa
        .post(
            "/v1/customers",
            &admin,
            json!({ "email": "page@example.com", "name": "Page", "reason": "test" }),
        )
        .await;
    let browser = kasa
        .billing_browser(&admin, customer["id"].as_str().unwrap())
        .await;
    // The billing page, and a page that only says something (an unknown link).
    let pages = [
        browser
            .client
            .get(format!("{}/billing", kasa.base))
            .header("cookie", &browser.cookie)
            .send()
            .await
            .unwrap(),
        browser
            .client
            .get(format!("{}/billing?token=kasa_customer_unknown", kasa.base))
            .send()
            .await
            .unwrap(),
    ];
    let mut stylesheets = Vec::new();
    for page in pages {
        let headers = page.headers().clone();
        let policy = headers["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        assert_eq!(headers["x-frame-options"], "DENY");
        let html = page.text().await.unwrap();
        assert_eq!(inline_code(&html), Vec::<String>::new(), "{html}");
        let start = html
            .find("href=\"/static/billing.css?v=")
            .expect("the stylesheet")
            + 6;
        stylesheets.push(html[start..start + html[start..].find('"').unwrap()].to_owned());
    }
    // The stylesheet is a file of Kasa's own, cached for long (its address changes with it).
    let response = reqwest::get(format!("{}{}", kasa.base, stylesheets[0]))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/css; charset=utf-8"
    );
    assert!(
        response.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age=31536000"),
    );
    assert!(response.text().await.unwrap().contains("font-family"));
    for script in ["stripe-card.js", "bank-redirect.js"] {
        let response = reqwest::get(format!("{}/static/{script}", kasa.base))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{script}");
        assert_eq!(
            response.headers()["content-type"],
            "text/javascript; charset=utf-8"
        );
    }
    let response = reqwest::get(format!("{}/static/nothing.js", kasa.base))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

/// The audit entries of forged deliveries for `gateway`, oldest first.
async fn forged_entries(kasa: &Kasa, admin: &str, gateway: &str) -> Vec<Value> {
    let entries = kasa
        .get(
            &format!("/v1/audit?action=security.forged_callback&subject=gateway:{gateway}"),
            admin,
        )
        .await;
    let mut entries = entries.as_array().unwrap().clone();
    entries.reverse();
    entries
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_callbacks_leave_rate_limited_security_events() {
    let kasa =
        Kasa::start_with_env(&[("KASA_SECURITY_EVENT_INTERVAL_SECONDS", "1".to_owned())]).await;
    let admin = kasa.admin_token().await;
    for (gateway, settings) in [
        (
            "nestpay",
            json!({ "enabled": true,
                    "configuration": { "base_url": "http://127.0.0.1:9", "client_id": "100200127",
                                       "store_type": "3d_pay" },
                    "credentials": { "store_key": "TEST1234", "api_user": "u",
                                     "api_password": "p" },
                    "reason": "setup" }),
        ),
        (
            "stripe",
            json!({ "enabled": true,
                    "configuration": { "base_url": "http://127.0.0.1:9",
                                       "publishable_key": "pk_test_x" },
                    "credentials": { "secret_key": "sk_test_x", "webhook_secret": "whsec_x" },
                    "reason": "setup" }),
        ),
    ] {
        let (status, body) = kasa
            .call(
                Method::PUT,
                &format!("/v1/settings/payment-systems/{gateway}"),
                Some(&admin),
                Some(settings),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let client = reqwest::Client::new();
    // A flood of forged webhooks: each refused, and one entry at once.
    for _ in 0..5 {
        let response = client
            .post(format!("{}/gateways/stripe/webhook", kasa.base))
            .header("stripe-signature", "t=1,v1=00")
            .header("content-type", "application/json")
            .body(r#"{"id":"evt_forged","type":"payment_intent.succeeded"}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    }
    // A forged bank return.
    let response = client
        .post(format!("{}/gateways/nestpay/return", kasa.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(
            "clientid=100200127&oid=forged&Response=Approved&ProcReturnCode=00&mdStatus=1\
             &hashAlgorithm=ver3&HASHPARAMSVAL=x&HASH=Zm9yZ2Vk",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    // Written at once for the first; the others are counted into one entry after the interval.
    let deadline = Instant::now() + Duration::from_secs(20);
    let stripe = loop {
        let entries = forged_entries(&kasa, &admin, "stripe").await;
        if entries.len() >= 2 {
            break entries;
        }
        assert!(
            Instant::now() < deadline,
            "no second entry in 20 s: {entries:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(stripe.len(), 2, "{stripe:?}");
    assert_eq!(stripe[0]["after"]["count"], 1);
    assert_eq!(stripe[1]["after"]["count"], 4);
    assert_eq!(stripe[0]["after"]["source_addresses"], json!(["127.0.0.1"]));
    assert_eq!(stripe[0]["actor"], "system:gateway-callbacks");
    let nestpay = forged_entries(&kasa, &admin, "nestpay").await;
    assert_eq!(nestpay.len(), 1, "{nestpay:?}");
    assert_eq!(nestpay[0]["after"]["count"], 1);
    assert_eq!(
        nestpay[0]["after"]["reasons"][0]
            .as_str()
            .map(|reason| reason.starts_with("return:")),
        Some(true)
    );
}

/// A 5xx is logged once, on one line that carries the request id and the cause together (the
/// request's span): a customer row broken behind Kasa's back makes `GET /v1/customers/{id}` a
/// 500 `internal`; the client sees only the code and the request id, the log the rest.
#[tokio::test]
async fn a_server_error_is_logged_with_its_request_id_and_cause() {
    let folder = std::env::temp_dir().join(format!("kasa-log-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&folder).expect("a test folder");
    let url = format!("sqlite://{}", folder.join("kasa.sqlite3").display());
    let created = support::kasa_command(&url, &folder)
        .args(["create-admin", "--email", ADMIN_EMAIL])
        .env("KASA_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .output()
        .expect("kasa create-admin runs");
    assert!(created.status.success(), "create-admin: {created:?}");
    let kasa = Kasa::serve_on(
        &url,
        &folder,
        &[],
        &[
            ("KASA_SECRETS_KEY", support::TEST_SECRETS_KEY),
            ("KASA_LOG_FORMAT", "json"),
        ],
    )
    .await
    .unwrap_or_else(|(status, log)| panic!("kasa serve stopped ({status}): {log}"));
    let admin = kasa.admin_token().await;
    let customer = kasa
        .post(
            "/v1/customers",
            &admin,
            json!({ "email": "ayse@example.com", "name": "Ayşe", "reason": "new" }),
        )
        .await;
    let id = customer["id"].as_str().expect("an id").to_owned();
    {
        use sea_orm::ConnectionTrait as _;
        let db = sea_orm::Database::connect(&url)
            .await
            .expect("the file opens");
        db.execute_unprepared("UPDATE customers SET email = 'not-an-address'")
            .await
            .expect("broken behind Kasa's back");
        db.close().await.expect("closed");
    }
    let request_id = format!("log-test-{}", uuid::Uuid::now_v7().simple());
    let answer = reqwest::Client::new()
        .get(format!("{}/v1/customers/{id}", kasa.base))
        .bearer_auth(&admin)
        .header("x-request-id", &request_id)
        .send()
        .await
        .expect("an answer");
    assert_eq!(answer.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let problem: Value = answer.json().await.expect("a problem");
    assert_eq!(problem["code"], "internal");
    assert_eq!(problem["request_id"], request_id.as_str());
    assert!(
        !problem.to_string().contains("not-an-address"),
        "no internals in the answer: {problem}"
    );

    // The log is written by another process: poll for the line (bounded).
    let log_file = std::fs::read_dir(&folder)
        .expect("the folder")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| path.extension().is_some_and(|ext| ext == "log"))
        .expect("the server's log file");
    let started = Instant::now();
    let (line, lines) = loop {
        let log = std::fs::read_to_string(&log_file).unwrap_or_default();
        let lines: Vec<Value> = log
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect();
        let failed = lines
            .iter()
            .find(|line| {
                line["fields"]["message"] == "request failed"
                    && line["span"]["request_id"] == request_id.as_str()
            })
            .cloned();
        if let Some(line) = failed {
            break (line, lines);
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no `request failed` line for {request_id}:\n{log}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let cause = line["span"]["cause"].as_str().unwrap_or_default();
    assert!(
        cause.starts_with("internal error: ") && cause.contains("not-an-address"),
        "the cause is on the line with the request id: {line}"
    );
    assert!(
        line["fields"]["status"]
            .as_str()
            .unwrap_or_default()
            .starts_with("500")
    );
    let mentions = lines
        .iter()
        .filter(|line| line.to_string().contains("not-an-address"))
        .count();
    assert_eq!(mentions, 1, "the cause is logged once: {lines:#?}");
    drop(kasa);
    let _ = std::fs::remove_dir_all(&folder);
}
