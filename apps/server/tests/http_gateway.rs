//! The `http` gateway end to end: the real `kasa` server configured with payment system `http`
//! pointing at the reference receiver (examples/http-gateway/receiver.py, Python standard
//! library) on loopback. A customer buys a package: Kasa sends the browser to the receiver's
//! payment page, the customer approves, the page brings the signed result back and Kasa
//! completes the purchase once; a tampered result changes nothing. An agent's refund and void go
//! to the receiver, and so does a capture of a payment authorised only; a refund whose answer was
//! lost is sent again with the same idempotency key and done once; a tampered answer is refused
//! and nothing moves.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Kasa, html};

const SECRET: &str = "kasa-http-gateway-shared-secret";

/// The reference receiver on a free loopback port; stopped when dropped.
struct Receiver {
    child: Child,
    base: String,
    http: reqwest::Client,
}

impl Receiver {
    fn start() -> Self {
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/http-gateway/receiver.py"
        );
        let mut child = Command::new("python3")
            .args([script, "--secret", SECRET, "--port", "0", "--test-hooks"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs the reference receiver");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the receiver says where it listens");
        let base = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        Self {
            child,
            base,
            http: reqwest::Client::new(),
        }
    }

    /// Makes the receiver do the next `operation` but lose (`drop`) or tamper with its answer.
    async fn next(&self, answer: &str, operation: &str) {
        self.http
            .post(format!("{}/_test/next", self.base))
            .json(&json!({ "answer": answer, "operation": operation }))
            .send()
            .await
            .unwrap();
    }

    /// Every operation the receiver got: `{operation, key, done}`.
    async fn log(&self) -> Vec<Value> {
        let log: Value = self
            .http
            .get(format!("{}/_test/log", self.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        log.as_array().unwrap().clone()
    }

    async fn operations(&self, operation: &str) -> Vec<Value> {
        self.log()
            .await
            .into_iter()
            .filter(|entry| entry["operation"] == operation)
            .collect()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Shop {
    receiver: Receiver,
    kasa: Kasa,
    admin: String,
    browser: support::BillingBrowser,
    customer_id: String,
    package_id: String,
}

impl Shop {
    async fn open() -> Self {
        let receiver = Receiver::start();
        let kasa = Kasa::start_with_env(&[]).await;
        let admin = kasa.admin_token().await;
        let department = kasa
            .post(
                "/v1/departments",
                &admin,
                json!({ "name": "Teknik Destek", "credits_per_request": 1, "reason": "setup" }),
            )
            .await;
        let package = kasa
            .post(
                "/v1/packages",
                &admin,
                json!({ "name": "10 kredi", "kind": "credit", "credits": 10,
                        "department_ids": [department["id"]], "on_sale": true,
                        "price": { "amount": "100.00", "currency": "TRY" }, "reason": "setup" }),
            )
            .await;
        let (status, body) = kasa
            .call(
                Method::PUT,
                "/v1/settings/payment-systems/http",
                Some(&admin),
                Some(json!({
                    "enabled": true,
                    "configuration": { "endpoint_url": receiver.base, "capture": "immediate" },
                    "credentials": { "shared_secret": SECRET },
                    "reason": "setup" })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(
            !body.to_string().contains(SECRET),
            "never read back: {body}"
        );
        let customer = kasa
            .post(
                "/v1/customers",
                &admin,
                json!({ "email": "ayse@example.com", "name": "Ayşe Yılmaz", "language": "tr",
                        "reason": "new" }),
            )
            .await;
        let customer_id = customer["id"].as_str().unwrap().to_owned();
        let browser = kasa.billing_browser(&admin, &customer_id).await;
        Self {
            receiver,
            kasa,
            admin,
            browser,
            customer_id,
            package_id: package["id"].as_str().unwrap().to_owned(),
        }
    }

    /// Presses "buy" with `http`, then approves on the receiver's page: the form that takes
    /// the signed result back to Kasa.
    async fn buy_and_approve(&self) -> html::Form {
        let form = form_urlencoded::Serializer::new(String::new())
            .append_pair("package_id", &self.package_id)
            .append_pair("gateway", "http")
            .finish();
        let response = self
            .browser
            .client
            .post(format!("{}/billing/checkout", self.kasa.base))
            .header("cookie", &self.browser.cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let page = response.headers()["location"].to_str().unwrap().to_owned();
        assert!(
            page.starts_with(&format!("{}/pay/", self.receiver.base)),
            "{page}"
        );
        let shown = reqwest::get(&page).await.unwrap().text().await.unwrap();
        assert!(shown.contains("100.00 TRY"), "{shown}");
        let back = reqwest::Client::new()
            .post(&page)
            .form(&[("decision", "approve")])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        html::forms(&back).remove(0)
    }

    /// Posts the payment page's result to Kasa as the customer's browser would.
    async fn come_back(&self, form: &html::Form) -> (StatusCode, String) {
        let response = self
            .browser
            .client
            .post(&form.action)
            .form(&form.fields)
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    }

    /// The customer's credits (0 when they hold nothing).
    async fn balance(&self) -> i64 {
        self.kasa
            .get(
                &format!("/v1/billing-context?customer_id={}", self.customer_id),
                &self.admin,
            )
            .await["holding"]["balance"]
            .as_i64()
            .unwrap_or(0)
    }

    async fn purchases(&self) -> Vec<Value> {
        let page = self
            .kasa
            .get(
                &format!("/v1/purchases?customer_id={}", self.customer_id),
                &self.admin,
            )
            .await;
        page["items"]
            .as_array()
            .or(page.as_array())
            .cloned()
            .unwrap_or_default()
    }

    async fn act(&self, purchase_id: &str, action: &str, body: Value) -> (StatusCode, Value) {
        self.kasa
            .call(
                Method::POST,
                &format!("/v1/purchases/{purchase_id}/{action}"),
                Some(&self.admin),
                Some(body),
            )
            .await
    }
}

#[tokio::test]
async fn a_customer_pays_through_the_integrators_endpoint_and_refunds_and_voids_go_there_once() {
    let shop = Shop::open().await;

    // The customer buys and approves; the result comes back through the browser.
    let form = shop.buy_and_approve().await;
    assert!(
        form.action.ends_with("/gateways/http/return"),
        "{}",
        form.action
    );

    // Tampered on the way (a larger amount): refused, nothing granted.
    let mut tampered = form.clone();
    let payload = tampered
        .get("kasa_payload")
        .unwrap()
        .replace("100.00", "1000.00");
    tampered.set("kasa_payload", &payload);
    let (status, _) = shop.come_back(&tampered).await;
    assert!(status.is_client_error(), "{status}");
    assert_eq!(shop.balance().await, 0);
    let purchases = shop.purchases().await;
    assert_eq!(purchases.len(), 1, "{purchases:?}");
    assert_eq!(purchases[0]["status"], "pending", "{purchases:?}");

    // The genuine result completes the purchase, once, however often it arrives.
    let (status, page) = shop.come_back(&form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "to the result page: {page}");
    let (status, _) = shop.come_back(&form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(shop.balance().await, 10, "granted once");
    let purchase = shop.purchases().await.remove(0);
    assert_eq!(purchase["status"], "completed", "{purchase}");
    assert_eq!(purchase["payment"]["gateway"], "http", "{purchase}");
    let purchase_id = purchase["id"].as_str().unwrap().to_owned();

    // A refund whose answer is lost on the way is sent again with the same key: done once.
    shop.receiver.next("drop", "refund").await;
    let (status, refunded) = shop
        .act(
            &purchase_id,
            "refunds",
            json!({ "amount": { "amount": "40.00", "currency": "TRY" }, "reason": "goodwill" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{refunded}");
    let refunds = shop.receiver.operations("refund").await;
    assert_eq!(refunds.len(), 2, "sent twice: {refunds:?}");
    assert_eq!(refunds[0]["key"], refunds[1]["key"], "with one key");
    assert_eq!(
        (refunds[0]["done"].clone(), refunds[1]["done"].clone()),
        (json!(true), json!(false))
    );

    // A tampered answer (here to the status query a refund starts with) is refused: nothing
    // is refunded at the receiver and nothing recorded as given back.
    shop.receiver.next("tamper", "status").await;
    let (status, refused) = shop
        .act(
            &purchase_id,
            "refunds",
            json!({ "amount": { "amount": "10.00", "currency": "TRY" }, "reason": "goodwill" }),
        )
        .await;
    assert!(!status.is_success(), "{refused}");
    assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR, "{refused}");
    assert_eq!(
        shop.receiver.operations("refund").await.len(),
        2,
        "no refund sent"
    );
    let allowance = shop
        .kasa
        .get(
            &format!("/v1/purchases/{purchase_id}/refund-allowance"),
            &shop.admin,
        )
        .await;
    assert!(
        allowance.to_string().contains("60.00"),
        "60.00 left to refund: {allowance}"
    );

    // A second purchase is voided at the receiver.
    let form = shop.buy_and_approve().await;
    let (status, _) = shop.come_back(&form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let second = shop
        .purchases()
        .await
        .into_iter()
        .find(|purchase| purchase["id"] != purchase_id.as_str())
        .unwrap();
    let (status, voided) = shop
        .act(
            second["id"].as_str().unwrap(),
            "voids",
            json!({ "reason": "bought twice" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{voided}");
    assert_eq!(
        voided["purchase"]["payment"]["status"], "voided",
        "{voided}"
    );
    assert_eq!(shop.receiver.operations("void").await.len(), 1);
    assert_eq!(shop.balance().await, 10, "the voided package is taken back");

    // Authorise now, capture later: the agent captures part at the receiver.
    let (status, body) = shop
        .kasa
        .call(
            Method::PUT,
            "/v1/settings/payment-systems/http",
            Some(&shop.admin),
            Some(json!({
                "enabled": true,
                "configuration": { "endpoint_url": shop.receiver.base,
                                   "capture": "authorise_only" },
                "reason": "capture after the work" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "the stored secret is kept: {body}");
    let form = shop.buy_and_approve().await;
    assert!(form.get("kasa_payload").unwrap().contains("\"authorised\""));
    let (status, _) = shop.come_back(&form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let third = shop
        .purchases()
        .await
        .into_iter()
        .find(|purchase| purchase["payment"]["status"] == "authorised")
        .expect("an authorised purchase");
    let (status, captured) = shop
        .act(
            third["id"].as_str().unwrap(),
            "captures",
            json!({ "amount": { "amount": "60.00", "currency": "TRY" }, "reason": "work done" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{captured}");
    assert_eq!(
        captured["purchase"]["payment"]["status"], "captured",
        "{captured}"
    );
    let captures = shop.receiver.operations("capture").await;
    assert_eq!(captures.len(), 1, "{captures:?}");
}

#[tokio::test]
async fn a_customer_pays_on_the_integrators_page_in_a_real_browser() {
    let shop = Shop::open().await;
    let report = support::run_browser_script(
        "http-gateway.mjs",
        &[&shop.kasa.base, &shop.browser.token, "10 kredi"],
    );
    support::assert_pages_pass(&report);
    let steps = &report["steps"];
    assert!(
        steps["paymentPage"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{}/pay/", shop.receiver.base)),
        "{report:#}"
    );
    assert!(
        steps["resultUrl"]
            .as_str()
            .unwrap()
            .starts_with("/billing/result/"),
        "{report:#}"
    );
    assert!(
        steps["result"].as_str().unwrap().contains("10"),
        "the result names the credits: {report:#}"
    );
    assert_eq!(shop.balance().await, 10, "granted once");
}
