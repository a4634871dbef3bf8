//! Payment requests end to end, on the real `kasa` server with the local NestPay bank and a real
//! SMTP server (maildev): an agent asks, the customer gets the link by e-mail, opens it, submits
//! the pay form twice (two tabs, a double click), pays once at the bank, and the bank's post is
//! replayed: one purchase, one payment, one invoice, and the request paid; through Stripe
//! (localstripe and its webhook) likewise. Cancelled requests cannot be paid; the API's
//! permissions and refusals, the console's forms and a real browser on a phone are checked too.

mod support;

use std::time::{Duration, Instant};

use kasa_testkit::maildev::MailDev;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::html::{Form, forms};
use support::{
    Kasa, SANDBOX_API_PASSWORD, SANDBOX_API_USER, SANDBOX_CLIENT_ID, SANDBOX_STORE_KEY, Sandbox,
};

const APPROVED: &str = "4508034508034509";

async fn wait_for_mail(maildev: &MailDev, count: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let received = maildev.received().await;
        if received.len() >= count {
            return received;
        }
        assert!(
            Instant::now() < deadline,
            "{count} messages did not arrive in 30 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A customer's browser: follows no redirects, carries the billing cookie once it has one.
struct Browser {
    client: reqwest::Client,
    cookie: Option<String>,
}

impl Browser {
    fn new() -> Self {
        Self {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookie: None,
        }
    }

    async fn get(&mut self, url: &str) -> (StatusCode, Option<String>, String) {
        let mut request = self.client.get(url);
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        let response = request.send().await.unwrap();
        if let Some(set) = response.headers().get("set-cookie") {
            self.cookie = Some(set.to_str().unwrap().split(';').next().unwrap().to_owned());
        }
        let location = response
            .headers()
            .get("location")
            .map(|location| location.to_str().unwrap().to_owned());
        (response.status(), location, response.text().await.unwrap())
    }

    async fn post(
        &self,
        url: &str,
        fields: &[(String, String)],
    ) -> (StatusCode, Option<String>, String) {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let mut request = self
            .client
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        let response = request.send().await.unwrap();
        let location = response
            .headers()
            .get("location")
            .map(|location| location.to_str().unwrap().to_owned());
        (response.status(), location, response.text().await.unwrap())
    }

    /// What the browser does at the bank: types the card, passes 3-D Secure, and stops at the
    /// form the bank sends back to Kasa.
    async fn pay_at_bank(&self, kasa: &Kasa, sandbox: &Sandbox, mut form: Form) -> Form {
        for _ in 0..6 {
            if form.action.starts_with(&kasa.base) {
                return form;
            }
            if form.input_names.iter().any(|name| name == "pan") {
                form.set("pan", APPROVED);
                form.set("cv2", "123");
                form.set("Ecom_Payment_Card_ExpDate_Month", "12");
                form.set("Ecom_Payment_Card_ExpDate_Year", "30");
            }
            let action = if form.action.starts_with("http") {
                form.action.clone()
            } else {
                format!("{}{}", sandbox.base, form.action)
            };
            let (_, _, html) = self.post(&action, &form.fields).await;
            form = forms(&html)
                .into_iter()
                .next()
                .unwrap_or_else(|| panic!("the bank's page has no form: {html}"));
        }
        panic!("the bank never sent the browser back to Kasa");
    }
}

/// The link in a received mail's text.
fn link_in(mail: &Value, base: &str) -> String {
    let text = mail["text"].as_str().unwrap_or_default();
    let start = text
        .find(&format!("{base}/billing/requests/"))
        .unwrap_or_else(|| panic!("no link in {text}"));
    text[start..].split_whitespace().next().unwrap().to_owned()
}

/// Kasa on the local NestPay bank, mailing through maildev, with a department, an off-sale
/// 25-credit package at 480.00 TRY and a Turkish customer: (Kasa, admin token, package id,
/// customer id).
async fn nestpay_shop(maildev: &MailDev, sandbox: &Sandbox) -> (Kasa, String, String, String) {
    let kasa = Kasa::start_with_env(&[
        ("KASA_SMTP_HOST", "127.0.0.1".to_owned()),
        ("KASA_SMTP_PORT", maildev.smtp_port.to_string()),
        ("KASA_SMTP_SECURITY", "none".to_owned()),
        ("KASA_SMTP_FROM", "billing@kasa.example".to_owned()),
        ("KASA_OUTBOX_INTERVAL_MS", "200".to_owned()),
    ])
    .await;
    let admin = kasa.admin_token().await;
    let department = kasa
        .post(
            "/v1/departments",
            &admin,
            json!({ "name": "Teknik Destek", "credits_per_request": 1, "reason": "setup" }),
        )
        .await;
    // Off sale: an agent may still ask for it.
    let package = kasa
        .post(
            "/v1/packages",
            &admin,
            json!({ "name": "Özel 25 kredi", "kind": "credit", "credits": 25,
                    "department_ids": [department["id"]], "on_sale": false,
                    "price": { "amount": "480.00", "currency": "TRY" }, "reason": "setup" }),
        )
        .await;
    let package_id = package["id"].as_str().unwrap().to_owned();
    let (status, body) = kasa
        .call(
            Method::PUT,
            "/v1/settings/payment-systems/nestpay",
            Some(&admin),
            Some(json!({
                "enabled": true,
                "configuration": { "base_url": sandbox.base, "client_id": SANDBOX_CLIENT_ID,
                                   "store_type": "3d_pay" },
                "credentials": { "store_key": SANDBOX_STORE_KEY, "api_user": SANDBOX_API_USER,
                                 "api_password": SANDBOX_API_PASSWORD },
                "reason": "setup" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let customer = kasa
        .post(
            "/v1/customers",
            &admin,
            json!({ "email": "ayse@example.com", "name": "Ayşe Yılmaz", "language": "tr",
                    "reason": "new" }),
        )
        .await;
    let customer_id = customer["id"].as_str().unwrap().to_owned();
    (kasa, admin, package_id, customer_id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_request_is_paid_once_under_double_submit_and_replayed_callbacks() {
    let maildev = MailDev::start().await;
    let sandbox = Sandbox::start();
    let (kasa, admin, package_id, customer_id) = nestpay_shop(&maildev, &sandbox).await;
    let requests_path = format!("/v1/customers/{customer_id}/payment-requests");

    // Who may ask: agents; a help desk's key reads but does not ask.
    let help_desk = kasa.api_key(&admin, "help_desk").await;
    let ask = json!({ "package_id": package_id, "description": "Kasım ayı ek destek",
                      "reason": "asked on the phone" });
    let (status, refused) = kasa
        .call(
            Method::POST,
            &requests_path,
            Some(&help_desk),
            Some(ask.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    let (status, refused) = kasa
        .call(
            Method::POST,
            &requests_path,
            Some(&admin),
            Some(json!({ "package_id": package_id, "description": " ", "reason": "x" })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert_eq!(refused["facts"]["field"], "description");

    let request = kasa.post(&requests_path, &admin, ask).await;
    let request_id = request["id"].as_str().unwrap().to_owned();
    assert_eq!(request["state"], "open", "{request}");
    assert_eq!(request["amount"]["amount"], "480.00");
    assert_eq!(request["description"], "Kasım ayı ek destek");
    let listed = kasa.get(&requests_path, &help_desk).await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");

    // The e-mail, in Turkish, with the link to the request's page.
    let received = wait_for_mail(&maildev, 1).await;
    let mail = &received[0];
    assert_eq!(mail["to"][0]["address"], "ayse@example.com");
    assert!(
        mail["subject"]
            .as_str()
            .unwrap()
            .starts_with("Ödeme talebi"),
        "{}",
        mail["subject"]
    );
    let link = link_in(mail, &kasa.base);
    assert!(
        link.contains(&request_id) && link.contains("token=kasa_customer_"),
        "{link}"
    );

    // The customer opens it: the token moves into the cookie.
    let mut browser = Browser::new();
    let (status, location, _) = browser.get(&link).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let page_url = format!("{}/billing/requests/{request_id}", kasa.base);
    assert_eq!(location.as_deref(), Some(&page_url[kasa.base.len()..]));
    let (status, _, page) = browser.get(&page_url).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("Kasım ayı ek destek") && page.contains("data-state=\"open\""),
        "{page}"
    );
    let (_, _, overview) = browser.get(&format!("{}/billing", kasa.base)).await;
    assert!(
        overview.contains(&format!("/billing/requests/{request_id}")),
        "{overview}"
    );

    // The customer sees it under /v1/me too; staff endpoints stay closed to them.
    let token = link.split("token=").nth(1).unwrap().to_owned();
    let mine = kasa.get("/v1/me/payment-requests", &token).await;
    assert_eq!(mine[0]["id"], request_id.as_str(), "{mine}");
    let (status, _) = kasa
        .call(Method::GET, &requests_path, Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Two tabs submit the pay form: one bank form, the other back to the page.
    let pay_url = format!("{page_url}/pay");
    let gateway = vec![("gateway".to_owned(), "nestpay".to_owned())];
    let first = browser.post(&pay_url, &gateway);
    let second = browser.post(&pay_url, &gateway);
    let (first, second) = tokio::join!(first, second);
    let mut bank_forms = Vec::new();
    for (status, location, html) in [first, second] {
        match status {
            StatusCode::OK => bank_forms.push(forms(&html).into_iter().next().unwrap()),
            StatusCode::SEE_OTHER => {
                assert_eq!(location.as_deref(), Some(&page_url[kasa.base.len()..]));
            }
            other => panic!("a submit answered {other}: {html}"),
        }
    }
    assert_eq!(bank_forms.len(), 1, "one payment started of two submits");
    let (_, _, page) = browser.get(&page_url).await;
    assert!(page.contains("request-under-way"), "{page}");
    assert!(
        !page.contains("pay-request"),
        "no pay form while a payment is under way"
    );
    let (status, refused) = kasa
        .call(
            Method::POST,
            &format!("/v1/payment-requests/{request_id}/cancel"),
            Some(&admin),
            Some(json!({ "reason": "changed my mind" })),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert_eq!(refused["code"], "payment-request-not-cancellable");

    // Paid at the bank; the bank's post comes back three times (refresh, back, a replay).
    let callback = browser
        .pay_at_bank(&kasa, &sandbox, bank_forms.remove(0))
        .await;
    for _ in 0..3 {
        // The return redirects to the purchase's result page (POST, redirect, GET).
        let (status, location, html) = browser.post(&callback.action, &callback.fields).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
        let location = location.expect("a result page");
        assert!(location.starts_with("/billing/result/"), "{location}");
        let (status, _, html) = browser.get(&format!("{}{location}", kasa.base)).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(
            html.replace("&#39;", "'").contains("Ödemeniz alındı"),
            "{html}"
        );
    }
    let paid = kasa
        .get(&format!("/v1/payment-requests/{request_id}"), &admin)
        .await;
    assert_eq!(paid["state"], "paid", "{paid}");
    let purchase_id = paid["purchase_id"].as_str().unwrap().to_owned();
    let purchases = kasa
        .get(&format!("/v1/purchases?customer_id={customer_id}"), &admin)
        .await;
    let purchases = purchases
        .as_array()
        .or_else(|| purchases["items"].as_array())
        .unwrap_or_else(|| panic!("{purchases}"))
        .clone();
    assert_eq!(purchases.len(), 1, "one purchase: {purchases:?}");
    assert_eq!(purchases[0]["status"], "completed");
    assert_eq!(purchases[0]["payment"]["status"], "captured");
    assert_eq!(purchases[0]["payment"]["amount"]["amount"], "480.00");
    let invoices = kasa
        .get(&format!("/v1/purchases/{purchase_id}/invoices"), &admin)
        .await;
    assert_eq!(
        invoices.as_array().unwrap().len(),
        1,
        "one invoice: {invoices}"
    );
    let context = kasa
        .get(
            &format!("/v1/billing-context?customer_id={customer_id}"),
            &admin,
        )
        .await;
    assert_eq!(context["holding"]["balance"], 25, "granted once");

    // Paid: the page says so, and paying again goes nowhere.
    let (_, _, page) = browser.get(&page_url).await;
    assert!(
        page.contains("data-state=\"paid\"") && !page.contains("pay-request"),
        "{page}"
    );
    let (status, location, _) = browser.post(&pay_url, &gateway).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some(&page_url[kasa.base.len()..]));

    // A cancelled request cannot be paid; the cancellation is audited with its reason.
    let other = kasa
        .post(
            &requests_path,
            &admin,
            json!({ "package_id": package_id, "description": "Aralık", "valid_days": 3,
                    "reason": "asked" }),
        )
        .await;
    let other_id = other["id"].as_str().unwrap().to_owned();
    let cancelled = kasa
        .post(
            &format!("/v1/payment-requests/{other_id}/cancel"),
            &admin,
            json!({ "reason": "paid by bank transfer" }),
        )
        .await;
    assert_eq!(cancelled["state"], "cancelled", "{cancelled}");
    assert_eq!(cancelled["cancel_reason"], "paid by bank transfer");
    let other_page = format!("{}/billing/requests/{other_id}", kasa.base);
    let (status, location, _) = browser.post(&format!("{other_page}/pay"), &gateway).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some(&other_page[kasa.base.len()..]));
    let (_, _, page) = browser.get(&other_page).await;
    assert!(page.contains("data-state=\"cancelled\""), "{page}");
    let audit = kasa
        .get(&format!("/v1/audit?subject=customer:{customer_id}"), &admin)
        .await;
    assert!(
        audit.as_array().unwrap().iter().any(|entry| {
            entry["action"] == "payment_request.cancelled"
                && entry["reason"] == "paid by bank transfer"
        }),
        "{audit}"
    );
    let purchases_after = kasa
        .get(&format!("/v1/purchases?customer_id={customer_id}"), &admin)
        .await;
    let count = purchases_after
        .as_array()
        .or_else(|| purchases_after["items"].as_array())
        .map_or(0, Vec::len);
    assert_eq!(count, 1, "nothing more was bought");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coupon_on_a_payment_request_is_priced_when_asked_and_redeemed_once_when_paid() {
    let maildev = MailDev::start().await;
    let sandbox = Sandbox::start();
    let (kasa, admin, package_id, customer_id) = nestpay_shop(&maildev, &sandbox).await;
    let requests_path = format!("/v1/customers/{customer_id}/payment-requests");
    let coupon = kasa
        .post(
            "/v1/coupons",
            &admin,
            json!({ "code": "talep20", "percent": "20", "max_redemptions": 1,
                    "package_ids": [package_id], "reason": "a loyal customer" }),
        )
        .await;
    let coupon_url = format!("/v1/coupons/{}", coupon["id"].as_str().unwrap());

    // An unknown code is refused on its field, and nothing is asked or mailed.
    let (status, refused) = kasa
        .call(
            Method::POST,
            &requests_path,
            Some(&admin),
            Some(
                json!({ "package_id": package_id, "description": "Yıllık destek",
                         "coupon_code": "YOK10", "reason": "asked" }),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["code"], "coupon-unknown");
    assert_eq!(refused["facts"]["field"], "coupon_code");

    // Priced when asked: 480.00 less 20 % is 384.00; nothing is redeemed yet.
    let request = kasa
        .post(
            &requests_path,
            &admin,
            json!({ "package_id": package_id, "description": "Yıllık destek",
                    "coupon_code": " talep20 ", "reason": "asked" }),
        )
        .await;
    let request_id = request["id"].as_str().unwrap().to_owned();
    assert_eq!(request["amount"]["amount"], "384.00", "{request}");
    assert_eq!(request["coupon"]["code"], "TALEP20");
    assert_eq!(request["coupon"]["list_price"]["amount"], "480.00");
    assert_eq!(request["coupon"]["discount"]["amount"], "96.00");
    assert_eq!(kasa.get(&coupon_url, &admin).await["redemptions"], 0);

    // The customer's page shows the list price, the discount and what they pay.
    let received = wait_for_mail(&maildev, 1).await;
    let mut browser = Browser::new();
    browser.get(&link_in(&received[0], &kasa.base)).await;
    let page_url = format!("{}/billing/requests/{request_id}", kasa.base);
    let (_, _, page) = browser.get(&page_url).await;
    for shown in ["480,00", "İndirim (TALEP20)", "96,00", "384,00"] {
        assert!(page.contains(shown), "{shown} in {page}");
    }

    // The bank is asked for the discounted amount; paying redeems the coupon once.
    let gateway = vec![("gateway".to_owned(), "nestpay".to_owned())];
    let (status, _, html) = browser.post(&format!("{page_url}/pay"), &gateway).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let bank_form = forms(&html).into_iter().next().unwrap();
    assert_eq!(bank_form.get("amount"), Some("384.00"));
    let callback = browser.pay_at_bank(&kasa, &sandbox, bank_form).await;
    let (status, _, html) = browser.post(&callback.action, &callback.fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    let paid = kasa
        .get(&format!("/v1/payment-requests/{request_id}"), &admin)
        .await;
    assert_eq!(paid["state"], "paid", "{paid}");
    assert_eq!(kasa.get(&coupon_url, &admin).await["redemptions"], 1);
    let purchase_id = paid["purchase_id"].as_str().unwrap();
    let detail = kasa
        .get(&format!("/v1/purchases/{purchase_id}"), &admin)
        .await;
    assert_eq!(detail["coupon"]["code"], "TALEP20", "{detail}");
    assert_eq!(detail["payment"]["amount"]["amount"], "384.00");

    // The invoice: the package at its list price and the discount as its own line, KDV on
    // what was paid.
    let invoices = kasa
        .get(&format!("/v1/purchases/{purchase_id}/invoices"), &admin)
        .await;
    let invoice = &invoices[0];
    assert_eq!(invoice["gross"]["amount"], "384.00", "{invoice}");
    assert_eq!(invoice["tax"]["amount"], "64.00");
    let lines = invoice["document"]["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2, "{invoice}");
    assert_eq!(lines[0]["gross"], "480.00");
    assert_eq!(lines[1]["kind"], "discount");
    assert_eq!(lines[1]["coupon_code"], "TALEP20");
    assert_eq!(lines[1]["gross"], "-96.00");

    // Used up: a second request with it is refused.
    let (status, refused) = kasa
        .call(
            Method::POST,
            &requests_path,
            Some(&admin),
            Some(json!({ "package_id": package_id, "description": "Bir daha",
                         "coupon_code": "TALEP20", "reason": "asked" })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["code"], "coupon-used-up");
}

/// A request for an amount, not a package: exactly one of the two is asked for; the mail and the
/// page name no package; the bank takes the amount; the invoice has one line (the description,
/// the amount); the credits the customer holds are the same after paying and after a refund.
#[tokio::test]
async fn an_amount_request_is_paid_invoiced_and_refunded_without_touching_the_holding() {
    let maildev = MailDev::start().await;
    let sandbox = Sandbox::start();
    let (kasa, admin, package_id, customer_id) = nestpay_shop(&maildev, &sandbox).await;
    let requests_path = format!("/v1/customers/{customer_id}/payment-requests");
    kasa.post(
        &format!("/v1/customers/{customer_id}/grants"),
        &admin,
        json!({ "package_id": package_id, "reason": "opening balance" }),
    )
    .await;
    let context_path = format!("/v1/billing-context?customer_id={customer_id}");
    let holding = kasa.get(&context_path, &admin).await["holding"].clone();
    assert_eq!(holding["balance"], 25, "{holding}");

    let amount = json!({ "amount": "250.00", "currency": "TRY" });
    for (body, field) in [
        (
            json!({ "package_id": package_id, "amount": amount, "description": "İkisi",
                    "reason": "asked" }),
            "amount",
        ),
        (
            json!({ "description": "Hiçbiri", "reason": "asked" }),
            "package_id",
        ),
        (
            json!({ "amount": { "amount": "0", "currency": "TRY" }, "description": "Sıfır",
                    "reason": "asked" }),
            "amount",
        ),
        (
            json!({ "amount": amount, "description": "Kuponlu", "coupon_code": "YAZ10",
                    "reason": "asked" }),
            "coupon_code",
        ),
    ] {
        let (status, refused) = kasa
            .call(Method::POST, &requests_path, Some(&admin), Some(body))
            .await;
        assert!(status.is_client_error(), "{status} {refused}");
        assert_eq!(refused["facts"]["field"], field, "{refused}");
    }

    let request = kasa
        .post(
            &requests_path,
            &admin,
            json!({ "amount": amount, "description": "Kurulum ve eğitim hizmeti",
                    "reason": "agreed on the phone" }),
        )
        .await;
    let request_id = request["id"].as_str().unwrap().to_owned();
    assert_eq!(request["amount"]["amount"], "250.00", "{request}");
    assert!(request["package_id"].is_null() && request["package_name"].is_null());

    // The mail asks for the amount and names no package (the grant's mail came first).
    let received = wait_for_mail(&maildev, 2).await;
    let mail = received
        .iter()
        .find(|mail| {
            mail["subject"]
                .as_str()
                .is_some_and(|subject| subject.starts_with("Ödeme talebi"))
        })
        .expect("the request's mail");
    let text = mail["text"].as_str().unwrap();
    assert!(
        text.contains("Kurulum ve eğitim hizmeti") && text.contains("250,00"),
        "{text}"
    );
    assert!(!text.contains("Paket"), "{text}");

    let mut browser = Browser::new();
    browser.get(&link_in(mail, &kasa.base)).await;
    let page_url = format!("{}/billing/requests/{request_id}", kasa.base);
    let (_, _, page) = browser.get(&page_url).await;
    assert!(
        page.contains("Kurulum ve eğitim hizmeti")
            && page.contains("250,00")
            && !page.contains("request-package"),
        "{page}"
    );
    let gateway = vec![("gateway".to_owned(), "nestpay".to_owned())];
    let (status, _, html) = browser.post(&format!("{page_url}/pay"), &gateway).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let bank_form = forms(&html).into_iter().next().unwrap();
    assert_eq!(bank_form.get("amount"), Some("250.00"));
    let callback = browser.pay_at_bank(&kasa, &sandbox, bank_form).await;
    let (status, _, html) = browser.post(&callback.action, &callback.fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    // The callback again changes nothing.
    let (status, _, _) = browser.post(&callback.action, &callback.fields).await;
    assert!(status.is_redirection() || status.is_success(), "{status}");

    let paid = kasa
        .get(&format!("/v1/payment-requests/{request_id}"), &admin)
        .await;
    assert_eq!(paid["state"], "paid", "{paid}");
    let purchase_id = paid["purchase_id"].as_str().unwrap();
    let detail = kasa
        .get(&format!("/v1/purchases/{purchase_id}"), &admin)
        .await;
    assert!(detail["package"].is_null(), "{detail}");
    assert_eq!(
        detail["amount_item"]["description"],
        "Kurulum ve eğitim hizmeti"
    );
    assert_eq!(detail["amount_item"]["amount"]["amount"], "250.00");
    assert_eq!(detail["status"], "completed");
    let invoices = kasa
        .get(&format!("/v1/purchases/{purchase_id}/invoices"), &admin)
        .await;
    assert_eq!(invoices.as_array().unwrap().len(), 1, "{invoices}");
    let lines = invoices[0]["document"]["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 1, "{invoices}");
    assert_eq!(lines[0]["description"], "Kurulum ve eğitim hizmeti");
    assert_eq!(lines[0]["gross"], "250.00");
    assert_eq!(invoices[0]["gross"]["amount"], "250.00");
    assert_eq!(
        kasa.get(&context_path, &admin).await["holding"],
        holding,
        "paying an amount changes no credits"
    );

    // The customer's history names what was paid for.
    let (_, _, history) = browser.get(&format!("{}/billing/history", kasa.base)).await;
    assert!(history.contains("Kurulum ve eğitim hizmeti"), "{history}");

    // A full refund gives the money back with a credit note and takes nothing back.
    let (status, refunded) = kasa
        .call(
            Method::POST,
            &format!("/v1/purchases/{purchase_id}/refunds"),
            Some(&admin),
            Some(json!({ "reason": "the training was cancelled" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{refunded}");
    assert_eq!(refunded["action"]["amount"]["amount"], "250.00");
    assert_eq!(refunded["document"]["gross"]["amount"], "250.00");
    // NestPay gives a same-day refund back as a void of the sale.
    let status = &refunded["purchase"]["payment"]["status"];
    assert!(status == "refunded" || status == "voided", "{refunded}");
    assert_eq!(kasa.get(&context_path, &admin).await["holding"], holding);
}

/// Posts a console form (`fields` plus the page's CSRF token and key) as the agent.
async fn console_post(
    client: &reqwest::Client,
    session: &str,
    url: &str,
    form_html: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let csrf = support::field_value(form_html, "csrf");
    let key = support::field_value(form_html, "key");
    let mut all: Vec<(&str, &str)> = vec![("csrf", &csrf), ("key", &key)];
    all.extend_from_slice(fields);
    client
        .post(url)
        .header("cookie", session)
        .header("accept-language", "en")
        .form(&all)
        .send()
        .await
        .unwrap()
}

async fn console_get(client: &reqwest::Client, session: &str, url: &str) -> String {
    client
        .get(url)
        .header("cookie", session)
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_asks_for_a_payment_and_cancels_it_in_the_console_with_confirmations() {
    let kasa = Kasa::start(support::Backend::Sqlite)
        .await
        .expect("kasa starts");
    let admin = kasa.admin_token().await;
    let department = kasa
        .post(
            "/v1/departments",
            &admin,
            json!({ "name": "Destek", "credits_per_request": 1, "reason": "setup" }),
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
    let package_id = package["id"].as_str().unwrap().to_owned();
    let customer = kasa
        .post(
            "/v1/customers",
            &admin,
            json!({ "email": "john@example.com", "name": "John Smith", "language": "en",
                    "reason": "new" }),
        )
        .await;
    let customer_id = customer["id"].as_str().unwrap().to_owned();
    kasa.post(
        "/v1/users",
        &admin,
        json!({ "email": "agent@example.com", "name": "Ajan", "role": "agent",
                "password": "a long agent password", "reason": "hired" }),
    )
    .await;
    let session =
        support::console_cookie(&kasa, "agent@example.com", "a long agent password").await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let customer_page = format!("{}/console/customers/{customer_id}", kasa.base);
    let page = console_get(&client, &session, &customer_page).await;
    assert!(
        page.contains("Payment requests") && page.contains("No payment requests yet."),
        "{page}"
    );
    assert!(page.contains(&format!("/console/customers/{customer_id}/payment-request")));

    // Ask: a blank description is refused next to its field; then the confirmation says what
    // the customer will receive; confirming sends it once.
    let ask_url = format!("{customer_page}/payment-request");
    let form = console_get(&client, &session, &ask_url).await;
    let refused = console_post(
        &client,
        &session,
        &ask_url,
        &form,
        &[
            ("package", &package_id),
            ("description", ""),
            ("reason", "asked"),
        ],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = refused.text().await.unwrap();
    assert!(refused.contains("description-error"), "{refused}");
    // A coupon that does not exist is refused next to its field, in the agent's words.
    kasa.post(
        "/v1/coupons",
        &admin,
        json!({ "code": "DEC10", "percent": "10", "reason": "december" }),
    )
    .await;
    let refused = console_post(
        &client,
        &session,
        &ask_url,
        &form,
        &[
            ("package", &package_id),
            ("description", "December support"),
            ("coupon", "NOPE"),
            ("reason", "asked"),
        ],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = refused.text().await.unwrap();
    assert!(refused.contains("coupon-error"), "{refused}");
    let reviewed = console_post(
        &client,
        &session,
        &ask_url,
        &form,
        &[
            ("package", &package_id),
            ("description", "December support"),
            ("valid_days", "7"),
            ("coupon", "dec10"),
            ("reason", "asked on the phone"),
        ],
    )
    .await
    .text()
    .await
    .unwrap();
    assert!(
        reviewed.contains("Kasa will e-mail john@example.com a link to pay")
            && reviewed.contains("90.00")
            && reviewed.contains("The coupon DEC10 takes")
            && reviewed.contains("can be paid for 7 days"),
        "{reviewed}"
    );
    let fields = [
        ("package", package_id.as_str()),
        ("description", "December support"),
        ("valid_days", "7"),
        ("coupon", "dec10"),
        ("reason", "asked on the phone"),
        ("step", "confirm"),
    ];
    for _ in 0..2 {
        let confirmed = console_post(&client, &session, &ask_url, &reviewed, &fields).await;
        assert_eq!(confirmed.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            confirmed.headers()["location"].to_str().unwrap(),
            format!("/console/customers/{customer_id}?done=payment-requested")
        );
    }
    let requests = kasa
        .get(
            &format!("/v1/customers/{customer_id}/payment-requests"),
            &admin,
        )
        .await;
    let requests = requests.as_array().unwrap();
    assert_eq!(
        requests.len(),
        1,
        "a confirmation sent twice asks once: {requests:?}"
    );
    let request_id = requests[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(requests[0]["amount"]["amount"], "90.00");
    assert_eq!(requests[0]["coupon"]["code"], "DEC10");
    assert_eq!(requests[0]["state"], "open");
    let page = console_get(
        &client,
        &session,
        &format!("{customer_page}?done=payment-requested"),
    )
    .await;
    assert!(
        page.contains("The payment request was sent.")
            && page.contains("December support")
            && page.contains("data-state=\"open\""),
        "{page}"
    );

    // Cancel: the confirmation states the effect; the reason is audited.
    let cancel_url = format!("{}/console/payment-requests/{request_id}/cancel", kasa.base);
    assert!(page.contains(&format!("/console/payment-requests/{request_id}/cancel")));
    let form = console_get(&client, &session, &cancel_url).await;
    let reviewed = console_post(
        &client,
        &session,
        &cancel_url,
        &form,
        &[("reason", "paid by bank transfer")],
    )
    .await
    .text()
    .await
    .unwrap();
    assert!(
        reviewed.contains("The customer can no longer pay this request"),
        "{reviewed}"
    );
    let confirmed = console_post(
        &client,
        &session,
        &cancel_url,
        &reviewed,
        &[("reason", "paid by bank transfer"), ("step", "confirm")],
    )
    .await;
    assert_eq!(confirmed.status(), StatusCode::SEE_OTHER);
    let request = kasa
        .get(&format!("/v1/payment-requests/{request_id}"), &admin)
        .await;
    assert_eq!(request["state"], "cancelled", "{request}");
    assert_eq!(request["cancel_reason"], "paid by bank transfer");
    let page = console_get(&client, &session, &customer_page).await;
    assert!(page.contains("data-state=\"cancelled\""), "{page}");
    assert!(!page.contains(&format!("/console/payment-requests/{request_id}/cancel")));

    // An amount, not a package: a coupon is refused on its field; a bad amount on its own;
    // the confirmation names the amount and says nothing held changes.
    let form = console_get(&client, &session, &ask_url).await;
    assert!(form.contains("An amount, not a package"), "{form}");
    for (amount, coupon, field) in [
        ("12,5x", "", "amount-error"),
        ("250,00", "DEC10", "coupon-error"),
    ] {
        let refused = console_post(
            &client,
            &session,
            &ask_url,
            &form,
            &[
                ("package", "amount"),
                ("amount", amount),
                ("currency", "EUR"),
                ("description", "On-site training"),
                ("coupon", coupon),
                ("reason", "asked"),
            ],
        )
        .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let refused = refused.text().await.unwrap();
        assert!(refused.contains(field), "{field}: {refused}");
    }
    let fields = [
        ("package", "amount"),
        ("amount", "250,00"),
        ("currency", "EUR"),
        ("description", "On-site training"),
        ("reason", "agreed by mail"),
    ];
    let reviewed = console_post(&client, &session, &ask_url, &form, &fields)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        reviewed.contains("a link to pay €250.00 for what the description says")
            && reviewed.contains("changes no credits or subscription"),
        "{reviewed}"
    );
    let mut confirm = fields.to_vec();
    confirm.push(("step", "confirm"));
    let confirmed = console_post(&client, &session, &ask_url, &reviewed, &confirm).await;
    assert_eq!(confirmed.status(), StatusCode::SEE_OTHER);
    let requests = kasa
        .get(
            &format!("/v1/customers/{customer_id}/payment-requests"),
            &admin,
        )
        .await;
    let newest = &requests[0];
    assert_eq!(newest["amount"]["amount"], "250.00", "{requests}");
    assert_eq!(newest["amount"]["currency"], "EUR");
    assert!(newest["package_id"].is_null(), "{newest}");
    assert_eq!(newest["description"], "On-site training");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_pays_a_request_from_the_emailed_link_on_a_phone_in_a_real_browser() {
    let report = pay_a_request_in_a_browser("tr", None, None).await;
    let steps = &report["steps"];
    assert_eq!(steps["lang"], "tr");
    assert_eq!(steps["amount"], "1.234,50 ₺");
    assert_eq!(
        steps["listPrice"],
        Value::Null,
        "no coupon, no discount rows"
    );
    assert_eq!(steps["cardFormSummary"], "Paket 10 — 1.234,50 ₺");
    assert!(
        steps["result"]
            .as_str()
            .unwrap()
            .contains("Ödemeniz alındı"),
        "{report:#}"
    );
    assert_eq!(steps["paidWords"], "Ödendi");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_english_customer_pays_a_discounted_request_on_a_phone_in_a_real_browser() {
    let report = pay_a_request_in_a_browser("en", Some("LOYAL10"), None).await;
    let steps = &report["steps"];
    assert_eq!(steps["lang"], "en");
    assert_eq!(steps["listPrice"], "₺1,234.50", "{report:#}");
    assert_eq!(steps["discount"], "−₺123.45");
    assert_eq!(steps["amount"], "₺1,111.05");
    assert_eq!(steps["cardFormSummary"], "Paket 10 — ₺1,111.05");
    assert!(
        steps["result"]
            .as_str()
            .unwrap()
            .contains("Payment received. Thank you!"),
        "{report:#}"
    );
    assert_eq!(steps["paidWords"], "Paid");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_pays_an_amount_request_on_a_phone_in_a_real_browser() {
    let report = pay_a_request_in_a_browser("tr", None, Some("750.00")).await;
    let steps = &report["steps"];
    assert_eq!(steps["amount"], "750,00 ₺", "{report:#}");
    assert_eq!(steps["listPrice"], Value::Null);
    assert_eq!(steps["cardFormSummary"], "Kasım ayı ek destek — 750,00 ₺");
    assert!(
        steps["result"]
            .as_str()
            .unwrap()
            .contains("Ödemeniz alındı"),
        "{report:#}"
    );
    assert_eq!(steps["paidWords"], "Ödendi");
}

/// A customer speaking `language` pays a request for a 1,234.50 TRY package (less `coupon`,
/// 10 %, when given), or for `amount` TRY when given, from the e-mailed link in headless
/// Chromium on a phone; returns the script's report after the checks every language shares
/// (the token leaves the address, the request ends paid with one invoice, every page passes
/// axe).
async fn pay_a_request_in_a_browser(
    language: &str,
    coupon: Option<&str>,
    amount: Option<&str>,
) -> Value {
    let maildev = MailDev::start().await;
    let sandbox = Sandbox::start();
    let kasa = Kasa::start_with_env(&[
        ("KASA_SMTP_HOST", "127.0.0.1".to_owned()),
        ("KASA_SMTP_PORT", maildev.smtp_port.to_string()),
        ("KASA_SMTP_SECURITY", "none".to_owned()),
        ("KASA_SMTP_FROM", "billing@kasa.example".to_owned()),
        ("KASA_OUTBOX_INTERVAL_MS", "200".to_owned()),
    ])
    .await;
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
            json!({ "name": "Paket 10", "kind": "credit", "credits": 10,
                    "department_ids": [department["id"]], "on_sale": true,
                    "price": { "amount": "1234.50", "currency": "TRY" }, "reason": "setup" }),
        )
        .await;
    let (status, body) = kasa
        .call(
            Method::PUT,
            "/v1/settings/payment-systems/nestpay",
            Some(&admin),
            Some(json!({
                "enabled": true,
                "configuration": { "base_url": sandbox.base, "client_id": SANDBOX_CLIENT_ID,
                                   "store_type": "3d_pay" },
                "credentials": { "store_key": SANDBOX_STORE_KEY, "api_user": SANDBOX_API_USER,
                                 "api_password": SANDBOX_API_PASSWORD },
                "reason": "setup" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    if let Some(code) = coupon {
        kasa.post(
            "/v1/coupons",
            &admin,
            json!({ "code": code, "percent": "10", "reason": "loyalty" }),
        )
        .await;
    }
    let customer = kasa
        .post(
            "/v1/customers",
            &admin,
            json!({ "email": "ayse@example.com", "name": "Ayşe Yılmaz", "language": language,
                    "reason": "new" }),
        )
        .await;
    let customer_id = customer["id"].as_str().unwrap().to_owned();
    let request = kasa
        .post(
            &format!("/v1/customers/{customer_id}/payment-requests"),
            &admin,
            match amount {
                Some(amount) => json!({ "amount": { "amount": amount, "currency": "TRY" },
                                        "description": "Kasım ayı ek destek",
                                        "reason": "asked on the phone" }),
                None => json!({ "package_id": package["id"], "description": "Kasım ayı ek destek",
                                "coupon_code": coupon, "reason": "asked on the phone" }),
            },
        )
        .await;
    let request_id = request["id"].as_str().unwrap().to_owned();
    let received = wait_for_mail(&maildev, 1).await;
    let link = link_in(&received[0], &kasa.base);

    let base = kasa.base.clone();
    let locale = if language == "tr" { "tr-TR" } else { "en-GB" };
    let report = tokio::task::spawn_blocking(move || {
        support::run_browser_script("payment-request.mjs", &[&base, &link, APPROVED, locale])
    })
    .await
    .unwrap();
    support::assert_pages_pass(&report);
    let steps = &report["steps"];
    assert_eq!(
        steps["url"],
        format!("/billing/requests/{request_id}"),
        "the token leaves the address: {report:#}"
    );
    assert_eq!(steps["description"], "Kasım ayı ek destek");
    assert_eq!(steps["state"], "open");
    assert_eq!(steps["paidState"], "paid");
    assert_eq!(steps["payButtons"], 0);
    assert_eq!(steps["openRequests"], 0);

    let paid = kasa
        .get(&format!("/v1/payment-requests/{request_id}"), &admin)
        .await;
    assert_eq!(paid["state"], "paid", "{paid}");
    let invoices = kasa
        .get(
            &format!(
                "/v1/purchases/{}/invoices",
                paid["purchase_id"].as_str().unwrap()
            ),
            &admin,
        )
        .await;
    assert_eq!(invoices.as_array().unwrap().len(), 1, "{invoices}");
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_request_is_paid_once_through_stripe_even_from_two_tabs() {
    use kasa_stripe::{Form as StripeForm, IdempotencyKey, StripeClient, StripeConfig};
    use kasa_testkit::localstripe::{LocalStripe, PUBLISHABLE_KEY, SECRET_KEY};
    const WEBHOOK_SECRET: &str = "whsec_kasa_requests_test";

    let stripe = LocalStripe::start().await;
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
            "/v1/settings/payment-systems/stripe",
            Some(&admin),
            Some(json!({
                "enabled": true,
                "configuration": { "base_url": stripe.base_url(),
                                   "publishable_key": PUBLISHABLE_KEY, "dialect": "localstripe" },
                "credentials": { "secret_key": SECRET_KEY, "webhook_secret": WEBHOOK_SECRET },
                "reason": "setup" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    stripe
        .register_webhook(
            "kasa",
            &format!("{}/gateways/stripe/webhook", kasa.base),
            WEBHOOK_SECRET,
        )
        .await;
    let customer = kasa
        .post(
            "/v1/customers",
            &admin,
            json!({ "email": "jane@example.com", "name": "Jane Doe", "language": "en",
                    "reason": "new" }),
        )
        .await;
    let customer_id = customer["id"].as_str().unwrap().to_owned();
    let request = kasa
        .post(
            &format!("/v1/customers/{customer_id}/payment-requests"),
            &admin,
            json!({ "package_id": package["id"], "description": "December support",
                    "reason": "asked by e-mail" }),
        )
        .await;
    let request_id = request["id"].as_str().unwrap().to_owned();
    let billing = kasa.billing_browser(&admin, &customer_id).await;
    let mut browser = Browser {
        client: billing.client,
        cookie: Some(billing.cookie),
    };
    let page_url = format!("{}/billing/requests/{request_id}", kasa.base);
    let gateway = vec![("gateway".to_owned(), "stripe".to_owned())];
    let (status, _, html) = browser.post(&format!("{page_url}/pay"), &gateway).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let start = html.find("data-client-secret=\"").unwrap() + "data-client-secret=\"".len();
    let client_secret = &html[start..start + html[start..].find('"').unwrap()];
    let payment_intent = client_secret.split("_secret_").next().unwrap().to_owned();
    // A second tab: no second PaymentIntent.
    let (status, location, _) = browser.post(&format!("{page_url}/pay"), &gateway).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some(&page_url[kasa.base.len()..]));

    // What Stripe.js does with the card: a payment method, then the confirmation.
    let mut config = StripeConfig::new(
        kasa_ports::Secret::new(SECRET_KEY),
        kasa_ports::Secret::new(WEBHOOK_SECRET),
    );
    config.base_url = stripe.base_url().to_owned();
    let api = StripeClient::new(config).unwrap();
    let key = |what: &str| IdempotencyKey::derived(&["browser", &payment_intent, what]);
    let method: Value = api
        .post(
            "/v1/payment_methods",
            &StripeForm::new()
                .field("type", "card")
                .nested("card", "number", "4242424242424242")
                .nested("card", "exp_month", 12)
                .nested("card", "exp_year", 2034)
                .nested("card", "cvc", "123"),
            &key("card"),
        )
        .await
        .unwrap();
    let _: Value = api
        .post(
            &format!("/v1/payment_intents/{payment_intent}"),
            &StripeForm::new().field("payment_method", method["id"].as_str().unwrap()),
            &key("method"),
        )
        .await
        .unwrap();
    let _: Value = api
        .post(
            &format!("/v1/payment_intents/{payment_intent}/confirm"),
            &StripeForm::new(),
            &key("confirm"),
        )
        .await
        .unwrap();

    // The webhook settles it; the request is paid, once, with one invoice.
    let deadline = Instant::now() + Duration::from_secs(30);
    let paid = loop {
        let request = kasa
            .get(&format!("/v1/payment-requests/{request_id}"), &admin)
            .await;
        if request["state"] == "paid" {
            break request;
        }
        assert!(
            Instant::now() < deadline,
            "the webhook did not settle the request in 30 s: {request}\n{}",
            stripe.output()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let purchase_id = paid["purchase_id"].as_str().unwrap();
    let invoices = kasa
        .get(&format!("/v1/purchases/{purchase_id}/invoices"), &admin)
        .await;
    assert_eq!(invoices.as_array().unwrap().len(), 1, "{invoices}");
    let purchases = kasa
        .get(&format!("/v1/purchases?customer_id={customer_id}"), &admin)
        .await;
    assert_eq!(purchases.as_array().unwrap().len(), 1, "{purchases}");
    let context = kasa
        .get(
            &format!("/v1/billing-context?customer_id={customer_id}"),
            &admin,
        )
        .await;
    assert_eq!(context["holding"]["balance"], 10);
    let (_, _, page) = browser.get(&page_url).await;
    assert!(
        page.contains("data-state=\"paid\"") && page.contains("Paid"),
        "{page}"
    );
}
