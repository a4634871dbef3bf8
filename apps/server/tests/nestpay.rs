//! Customers pay through NestPay, end to end: the real `kasa` server and the local NestPay bank
//! (apps/nestpay-sandbox), with the test doing what the browser does (following forms, typing the
//! card into the form that goes to the bank). After each scenario the customer's holding, card
//! departments and audit log are checked.

mod support;

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::html::{Form, forms};
use support::{
    Kasa, SANDBOX_API_PASSWORD, SANDBOX_API_USER, SANDBOX_CLIENT_ID, SANDBOX_STORE_KEY, Sandbox,
};

/// Test cards of the sandbox (apps/nestpay-sandbox/README.md).
const APPROVED: &str = "4508034508034509";
const DECLINED_05: &str = "4000000000000002";
const DECLINED_51: &str = "4000000000000051";
const SECURE_FAILED: &str = "4000000000000010";
const HALF_SECURE: &str = "4000000000000028";

/// A shop: Kasa and the bank, an administrator, a catalogue and one customer in a browser.
struct Shop {
    kasa: Kasa,
    sandbox: Sandbox,
    admin: String,
    browser: reqwest::Client,
    token: String,
    cookie: String,
    customer_id: String,
    department_id: String,
    credits: String,
    monthly: String,
}

impl Shop {
    async fn open(store_type: &str, env: &[(&str, String)]) -> Self {
        let sandbox = Sandbox::start();
        let kasa = Kasa::start_with_env(env).await;
        let admin = kasa.admin_token().await;
        let department = kasa
            .post(
                "/v1/departments",
                &admin,
                json!({ "name": "Teknik Destek", "credits_per_request": 1, "reason": "setup" }),
            )
            .await;
        let department_id = department["id"].as_str().unwrap().to_owned();
        let package = |name: &str, kind: &str, amount: &str| {
            let mut body = json!({ "name": name, "kind": kind, "department_ids": [department_id],
                "price": { "amount": amount, "currency": "TRY" }, "on_sale": true,
                "reason": "setup" });
            if kind == "credit" {
                body["credits"] = json!(10);
            } else {
                body["days"] = json!(30);
            }
            body
        };
        let credits = kasa
            .post(
                "/v1/packages",
                &admin,
                package("10 kredi", "credit", "100.00"),
            )
            .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let monthly = kasa
            .post(
                "/v1/packages",
                &admin,
                package("Aylık", "subscription", "250.00"),
            )
            .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let (status, body) = kasa
            .call(
                reqwest::Method::PUT,
                "/v1/settings/payment-systems/nestpay",
                Some(&admin),
                Some(json!({
                    "enabled": true,
                    "configuration": { "base_url": sandbox.base, "client_id": SANDBOX_CLIENT_ID,
                                       "store_type": store_type },
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
        let support::BillingBrowser {
            client: browser,
            cookie,
            token,
        } = kasa.billing_browser(&admin, &customer_id).await;
        Self {
            kasa,
            sandbox,
            admin,
            browser,
            token,
            cookie,
            customer_id,
            department_id,
            credits,
            monthly,
        }
    }

    async fn page(&self, path: &str) -> (StatusCode, String) {
        let response = self
            .browser
            .get(format!("{}{path}", self.kasa.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    }

    async fn post_form(&self, url: &str, fields: &[(String, String)]) -> (StatusCode, String) {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let mut request = self
            .browser
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        if url.starts_with(&self.kasa.base) {
            request = request.header("cookie", &self.cookie);
        }
        let response = request.send().await.unwrap();
        (response.status(), response.text().await.unwrap())
    }

    /// Presses "buy" on a package: the form Kasa's page hands to the bank.
    async fn checkout(&self, package_id: &str, confirm_forfeit: bool) -> Form {
        let mut fields = vec![("package_id".to_owned(), package_id.to_owned())];
        if confirm_forfeit {
            fields.push(("confirm_forfeit".to_owned(), "yes".to_owned()));
        }
        let (status, html) = self
            .post_form(&format!("{}/billing/checkout", self.kasa.base), &fields)
            .await;
        assert_eq!(status, StatusCode::OK, "{html}");
        let form = forms(&html)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no form in {html}"));
        assert!(
            form.action.starts_with(&self.sandbox.base),
            "the form goes to the bank, not to Kasa: {}",
            form.action
        );
        form
    }

    /// What the browser does at the bank: types the card where asked, passes 3-D Secure, and
    /// stops at the form the bank sends back to Kasa.
    async fn pay_at_bank(&self, mut form: Form, card: &str) -> Form {
        for _ in 0..6 {
            if form.action.starts_with(&self.kasa.base) {
                return form;
            }
            if form
                .input_names
                .iter()
                .any(|name| name.eq_ignore_ascii_case("pan"))
            {
                form.set("pan", card);
                form.set("cv2", "123");
                form.set("Ecom_Payment_Card_ExpDate_Month", "12");
                form.set("Ecom_Payment_Card_ExpDate_Year", "30");
            }
            let action = if form.action.starts_with("http") {
                form.action.clone()
            } else {
                format!("{}{}", self.sandbox.base, form.action)
            };
            let (_, html) = self.post_form(&action, &form.fields).await;
            form = forms(&html)
                .into_iter()
                .next()
                .unwrap_or_else(|| panic!("the bank's page has no form: {html}"));
        }
        panic!("the bank never sent the browser back to Kasa");
    }

    /// The browser arrives back at Kasa with the bank's post, and follows Kasa's redirect to
    /// the result page (POST, redirect, GET); the result page (or the refusal, which is not
    /// redirected).
    async fn return_to_kasa(&self, callback: &Form) -> (StatusCode, String) {
        assert!(
            !callback
                .fields
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case("pan")
                    || name.eq_ignore_ascii_case("cv2")),
            "the bank never sends the card number or security code back"
        );
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&callback.fields)
            .finish();
        let response = self
            .browser
            .post(&callback.action)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        if response.status() == StatusCode::SEE_OTHER {
            let location = response.headers()["location"].to_str().unwrap().to_owned();
            assert!(location.starts_with("/billing/result/"), "{location}");
            return self.page(&location).await;
        }
        (response.status(), response.text().await.unwrap())
    }

    async fn buy(&self, package_id: &str, card: &str) -> (Form, StatusCode, String) {
        let form = self.checkout(package_id, false).await;
        let callback = self.pay_at_bank(form, card).await;
        let (status, html) = self.return_to_kasa(&callback).await;
        (callback, status, html)
    }

    async fn context(&self) -> Value {
        self.kasa
            .get(
                &format!("/v1/billing-context?customer_id={}", self.customer_id),
                &self.admin,
            )
            .await
    }

    async fn audit_actions(&self) -> Vec<String> {
        let audit = self
            .kasa
            .get(
                &format!("/v1/audit?subject=customer:{}", self.customer_id),
                &self.admin,
            )
            .await;
        audit
            .as_array()
            .unwrap()
            .iter()
            .map(|entry| entry["action"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    async fn department_enabled(&self) -> bool {
        self.context().await["card"]
            .as_array()
            .unwrap()
            .iter()
            .any(|department| department["department_id"] == self.department_id.as_str())
    }

    async fn only_purchase(&self) -> Value {
        let context = self.context().await;
        let purchases = context["purchases"].as_array().unwrap();
        assert_eq!(purchases.len(), 1, "{context}");
        purchases[0].clone()
    }

    async fn act(&self, purchase_id: &str, action: &str, body: Value) -> (StatusCode, Value) {
        self.kasa
            .call(
                reqwest::Method::POST,
                &format!("/v1/purchases/{purchase_id}/{action}"),
                Some(&self.admin),
                Some(body),
            )
            .await
    }

    async fn end_of_day(&self) {
        let response = self
            .browser
            .post(format!("{}/sandbox/end-of-day", self.sandbox.base))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
    }
}

fn text_of(html: &str) -> String {
    html.replace("&#39;", "'").replace("&amp;", "&")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approved_card_buys_credits_once_and_replays_change_nothing() {
    let shop = Shop::open("3d_pay", &[]).await;
    let (_, page) = shop.page("/billing").await;
    assert!(
        page.contains("10 kredi") && page.contains("Satın al"),
        "{page}"
    );

    let form = shop.checkout(&shop.credits, false).await;
    assert!(
        form.input_names.iter().any(|name| name == "pan"),
        "3d_pay: the card is typed into the form that posts to the bank"
    );
    assert!(
        form.get("pan").is_none(),
        "Kasa never fills in a card number"
    );
    let callback = shop.pay_at_bank(form, APPROVED).await;
    // As a real bank does, the bank echoes the card's expiry and adds fields of its own, all
    // signed: Kasa must verify them, not refuse them.
    assert_eq!(callback.get("Ecom_Payment_Card_ExpDate_Month"), Some("12"));
    assert_eq!(callback.get("Ecom_Payment_Card_ExpDate_Year"), Some("30"));
    assert!(callback.get("ACQBIN").is_some(), "{:?}", callback.fields);
    let (status, html) = shop.return_to_kasa(&callback).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(text_of(&html).contains("Ödemeniz alındı"), "{html}");
    assert!(html.contains("10 kredi"), "{html}");

    let context = shop.context().await;
    assert_eq!(context["holding"]["balance"], 10);
    assert!(shop.department_enabled().await);
    let purchase = shop.only_purchase().await;
    assert_eq!(purchase["status"], "completed");
    assert_eq!(purchase["payment"]["status"], "captured");

    // The same post again (refresh, back button): the same answer, nothing granted twice.
    let (status, again) = shop.return_to_kasa(&callback).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text_of(&again).contains("Ödemeniz alındı"));
    assert_eq!(shop.context().await["holding"]["balance"], 10);
    let completed = shop
        .audit_actions()
        .await
        .iter()
        .filter(|action| *action == "purchase.completed")
        .count();
    assert_eq!(completed, 1);
    // The invoice was issued with the payment.
    let invoices = shop
        .kasa
        .get(
            &format!(
                "/v1/purchases/{}/invoices",
                purchase["id"].as_str().unwrap()
            ),
            &shop.admin,
        )
        .await;
    assert_eq!(invoices.as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declined_cards_and_failed_3d_secure_grant_nothing() {
    let shop = Shop::open("3d_pay", &[]).await;
    // The reason in plain words, never the bank's code (issue 16).
    for (card, expected, code) in [
        (DECLINED_05, "bir neden belirtmeden reddetti", "(05)"),
        (DECLINED_51, "bakiyesi veya limiti yetersiz", "(51)"),
        (SECURE_FAILED, "güvenlik doğrulaması", "mdStatus"),
    ] {
        let (_, status, html) = shop.buy(&shop.credits, card).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(
            text_of(&html).contains("Ödeme gerçekleşmedi"),
            "{card}: {html}"
        );
        assert!(text_of(&html).contains(expected), "{card}: {html}");
        assert!(!html.contains(code), "{card}: {html}");
    }
    let context = shop.context().await;
    assert_eq!(context["holding"]["kind"], "nothing");
    assert!(!shop.department_enabled().await);
    let purchases = context["purchases"].as_array().unwrap();
    assert_eq!(purchases.len(), 3);
    assert!(
        purchases
            .iter()
            .all(|purchase| purchase["status"] == "failed")
    );
    assert_eq!(
        shop.audit_actions()
            .await
            .iter()
            .filter(|action| *action == "purchase.failed")
            .count(),
        3
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_or_unknown_callback_changes_nothing() {
    let shop = Shop::open("3d_pay", &[]).await;
    let form = shop.checkout(&shop.credits, false).await;
    let callback = shop.pay_at_bank(form, DECLINED_05).await;
    // Turn the decline into an approval: the signature no longer matches.
    let mut forged = callback.clone();
    forged.set("ProcReturnCode", "00");
    forged.set("Response", "Approved");
    forged.set("mdStatus", "1");
    let (status, html) = shop.return_to_kasa(&forged).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
    assert!(text_of(&html).contains("doğrulanamadı"), "{html}");
    let purchase = shop.only_purchase().await;
    assert_eq!(
        purchase["status"], "pending",
        "a forged post changes nothing"
    );
    // An order Kasa never started.
    let mut unknown = callback.clone();
    unknown.set("oid", "no-such-order");
    let (status, _) = shop.return_to_kasa(&unknown).await;
    assert!(status == StatusCode::BAD_REQUEST || status == StatusCode::NOT_FOUND);
    // The expiry the bank echoed is signed: changed or taken away, the post is refused.
    assert_eq!(callback.get("Ecom_Payment_Card_ExpDate_Month"), Some("12"));
    let mut other_expiry = callback.clone();
    other_expiry.set("Ecom_Payment_Card_ExpDate_Month", "11");
    let (status, _) = shop.return_to_kasa(&other_expiry).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let mut no_expiry = callback.clone();
    no_expiry
        .fields
        .retain(|(name, _)| !name.starts_with("Ecom_Payment_Card_ExpDate_"));
    let (status, _) = shop.return_to_kasa(&no_expiry).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // A card number or security code posted to Kasa is refused unread, even empty.
    for (name, value) in [("pan", APPROVED), ("PAN", ""), ("cv2", "123")] {
        let mut with_card = callback.clone();
        with_card.set(name, value);
        let (status, _) = shop.post_form(&with_card.action, &with_card.fields).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{name}");
    }
    assert_eq!(shop.context().await["holding"]["kind"], "nothing");
    assert_eq!(shop.only_purchase().await["status"], "pending");
    // The genuine post still settles it.
    let (status, _) = shop.return_to_kasa(&callback).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(shop.only_purchase().await["status"], "failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bank_hosted_page_takes_the_card_itself() {
    let shop = Shop::open("3d_pay_hosting", &[]).await;
    let form = shop.checkout(&shop.monthly, false).await;
    assert!(
        !form.input_names.iter().any(|name| name == "pan"),
        "3d_pay_hosting: Kasa's page asks for no card"
    );
    let callback = shop.pay_at_bank(form, APPROVED).await;
    let (status, html) = shop.return_to_kasa(&callback).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(text_of(&html).contains("Aboneliğiniz"), "{html}");
    assert_eq!(shop.context().await["holding"]["kind"], "subscription");
    assert!(shop.department_enabled().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agents_void_the_same_day_and_refund_after_the_end_of_day() {
    let shop = Shop::open("3d_pay", &[]).await;
    // Same day: a full refund is done as a void; the package goes back.
    shop.buy(&shop.credits, APPROVED).await;
    let first = shop.only_purchase().await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, partial) = shop
        .act(
            &first,
            "refunds",
            json!({ "amount": { "amount": "10.00", "currency": "TRY" }, "reason": "goodwill" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{partial}");
    assert_eq!(partial["code"], "not-settled");
    let (status, done) = shop
        .act(
            &first,
            "refunds",
            json!({ "reason": "customer changed their mind" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["voided_instead_of_refund"], true);
    assert_eq!(done["purchase"]["payment"]["status"], "voided");
    assert_eq!(done["credits_reversed"], 10);
    assert_eq!(done["document"]["kind"], "credit_note");
    assert_eq!(shop.context().await["holding"]["balance"], 0);
    assert!(!shop.department_enabled().await);
    let order = done["purchase"]["payment"]["order_id"].as_str().unwrap();
    let at_bank: Value = shop
        .browser
        .get(format!("{}/sandbox/orders/{order}", shop.sandbox.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(at_bank["voided"], true, "{at_bank}");

    // After the end of day: a partial refund keeps the package, the rest takes it back.
    shop.buy(&shop.credits, APPROVED).await;
    shop.end_of_day().await;
    let context = shop.context().await;
    let second = context["purchases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|purchase| purchase["id"] != first.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, done) = shop
        .act(
            &second,
            "refunds",
            json!({ "amount": { "amount": "30.00", "currency": "TRY" }, "reason": "late answer" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["purchase"]["payment"]["status"], "partially_refunded");
    assert_eq!(shop.context().await["holding"]["balance"], 10);
    let (status, void) = shop
        .act(&second, "voids", json!({ "reason": "too late to void" }))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{void}");
    let (status, done) = shop
        .act(
            &second,
            "refunds",
            json!({ "reason": "closing the account" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["action"]["amount"]["amount"], "70.00");
    assert_eq!(done["purchase"]["payment"]["status"], "refunded");
    assert_eq!(shop.context().await["holding"]["balance"], 0);
    let actions = shop.audit_actions().await;
    for expected in [
        "payment.refund_failed",
        "payment.void_succeeded",
        "payment.refund_succeeded",
    ] {
        assert!(
            actions.iter().any(|action| action == expected),
            "{actions:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agents_refunds_add_up_against_the_limit_shown_before_they_act() {
    let shop = Shop::open("3d_pay", &[]).await;
    shop.buy(&shop.credits, APPROVED).await;
    shop.end_of_day().await;
    let purchase = shop.only_purchase().await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for limit in [
        json!({ "amount": "20.00", "currency": "USD" }),
        json!({ "amount": "50.00", "currency": "TRY" }),
    ] {
        let (status, role) = shop
            .kasa
            .call(
                reqwest::Method::PUT,
                "/v1/roles/agent/refund-limit",
                Some(&shop.admin),
                Some(json!({ "max_refund": limit, "reason": "policy" })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{role}");
    }
    let roles = shop.kasa.get("/v1/roles", &shop.admin).await;
    let agent_role = roles
        .as_array()
        .unwrap()
        .iter()
        .find(|role| role["name"] == "agent")
        .unwrap();
    assert_eq!(
        agent_role["max_refunds"],
        json!([{ "amount": "50.00", "currency": "TRY" }, { "amount": "20.00", "currency": "USD" }]),
        "{agent_role}"
    );
    let agent = shop.kasa.api_key(&shop.admin, "agent").await;
    let allowance_path = format!("/v1/purchases/{purchase}/refund-allowance");
    let allowance = shop.kasa.get(&allowance_path, &agent).await;
    assert_eq!(allowance["currency"], "TRY", "{allowance}");
    assert_eq!(allowance["limit"]["amount"], "50.00", "{allowance}");
    assert_eq!(allowance["remaining"]["amount"], "50.00", "{allowance}");
    assert_eq!(allowance["refundable"]["amount"], "100.00", "{allowance}");
    let refund = |amount: &str| json!({ "amount": { "amount": amount, "currency": "TRY" }, "reason": "goodwill" });
    let agent_refund = |amount: &str| {
        let body = refund(amount);
        let kasa = &shop.kasa;
        let path = format!("/v1/purchases/{purchase}/refunds");
        let agent = agent.clone();
        async move {
            kasa.call(reqwest::Method::POST, &path, Some(&agent), Some(body))
                .await
        }
    };
    let (status, done) = agent_refund("40.00").await;
    assert_eq!(status, StatusCode::OK, "{done}");
    let allowance = shop.kasa.get(&allowance_path, &agent).await;
    assert_eq!(
        allowance["given_back_today"]["amount"], "40.00",
        "{allowance}"
    );
    assert_eq!(
        allowance["given_back_of_payment"]["amount"], "40.00",
        "{allowance}"
    );
    assert_eq!(
        allowance["refunded_of_payment"]["amount"], "40.00",
        "{allowance}"
    );
    assert_eq!(allowance["remaining"]["amount"], "10.00", "{allowance}");
    // 40 + 40 would pass a per-action limit of 50: the limit adds up.
    let (status, refused) = agent_refund("40.00").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    assert_eq!(refused["code"], "refund-limit-exceeded", "{refused}");
    let facts = &refused["facts"];
    assert_eq!(facts["currency"], "TRY", "{refused}");
    assert_eq!(facts["limit"]["amount"], "50.00", "{refused}");
    assert_eq!(facts["given_back_today"]["amount"], "40.00", "{refused}");
    assert_eq!(
        facts["given_back_of_payment"]["amount"], "40.00",
        "{refused}"
    );
    assert_eq!(facts["remaining"]["amount"], "10.00", "{refused}");
    let (status, done) = agent_refund("10.00").await;
    assert_eq!(status, StatusCode::OK, "{done}");
    let (status, refused) = agent_refund("0.01").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    assert_eq!(refused["facts"]["remaining"]["amount"], "0.00", "{refused}");
    // An admin has no limit: the rest goes back.
    let (status, done) = shop
        .act(&purchase, "refunds", json!({ "reason": "closing" }))
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["action"]["amount"]["amount"], "50.00");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_whose_callback_never_arrives_is_reconciled() {
    let shop = Shop::open(
        "3d_pay",
        &[("KASA_RECONCILE_AFTER_SECONDS", "1".to_owned())],
    )
    .await;
    let form = shop.checkout(&shop.credits, false).await;
    // The customer pays, then closes the browser before the bank sends them back.
    let _lost = shop.pay_at_bank(form, APPROVED).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let context = shop.context().await;
        if context["holding"]["balance"] == 10 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not reconciled in 30 s: {context}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert!(shop.department_enabled().await);
    let purchase = shop.only_purchase().await;
    assert_eq!(purchase["status"], "completed");
    let audit = shop
        .kasa
        .get(
            &format!("/v1/audit?subject=customer:{}", shop.customer_id),
            &shop.admin,
        )
        .await;
    let completed = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["action"] == "purchase.completed")
        .expect("completed");
    assert_eq!(completed["actor"], "system:reconciliation");
}

/// The same purchase in a real headless browser (chromium): clicks, typing and the bank's
/// auto-submitted forms as a customer's browser runs them; the card number goes to the bank only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_buys_in_a_real_browser_and_the_card_goes_only_to_the_bank() {
    let shop = Shop::open("3d_pay", &[]).await;
    let report = support::run_browser_script(
        "buy.mjs",
        &[&shop.kasa.base, &shop.token, "10 kredi", APPROVED],
    );
    assert!(
        report["result"]
            .as_str()
            .unwrap()
            .contains("Ödemeniz alındı"),
        "{report}"
    );
    assert_eq!(
        report["cardSentTo"],
        json!([shop.sandbox.base]),
        "the card number reached only the bank"
    );
    assert_eq!(shop.context().await["holding"]["balance"], 10);
}

/// A half-secure 3-D Secure result the bank charged, on a store that accepts only full
/// authentication: nothing is granted and the charge is voided at the bank at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_secure_charge_is_voided_at_the_bank() {
    let shop = Shop::open("3d_pay", &[]).await;
    let (callback, status, html) = shop.buy(&shop.credits, HALF_SECURE).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(text_of(&html).contains("Ödeme gerçekleşmedi"), "{html}");
    assert_eq!(shop.context().await["holding"]["kind"], "nothing");
    let purchase = shop.only_purchase().await;
    assert_eq!(purchase["status"], "failed");
    assert_eq!(purchase["payment"]["status"], "voided");
    let order = callback.get("oid").unwrap().to_owned();
    let at_bank: Value = shop
        .browser
        .get(format!("{}/sandbox/orders/{order}", shop.sandbox.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(at_bank["voided"], true, "{at_bank}");
}

/// The billing page applies the package rules before anyone pays: switching kinds shows what
/// would be forfeited and needs a ticked confirmation (rule 6); renewing a subscription more than
/// 30 days before its end is refused with the date renewal opens (rule 5).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_warns_before_a_forfeit_and_refuses_an_early_renewal() {
    let shop = Shop::open("3d_pay", &[]).await;
    let quarterly = shop
        .kasa
        .post(
            "/v1/packages",
            &shop.admin,
            json!({ "name": "Üç aylık", "kind": "subscription", "days": 90,
                    "department_ids": [shop.department_id],
                    "price": { "amount": "600.00", "currency": "TRY" }, "on_sale": true,
                    "reason": "setup" }),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    shop.buy(&shop.credits, APPROVED).await;
    let (_, page) = shop.page("/billing").await;
    let text = text_of(&page);
    assert!(text.contains("10 kredi"), "{page}");
    assert!(
        text.contains("Bu paketi alırsanız kalan krediniz silinir: 10 kredi"),
        "{page}"
    );
    assert!(page.contains("name=\"confirm_forfeit\""), "{page}");
    // Without the confirmation the purchase does not start; the page says why.
    let (status, refused) = shop
        .post_form(
            &format!("{}/billing/checkout", shop.kasa.base),
            &[("package_id".to_owned(), quarterly.clone())],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        text_of(&refused).contains("Devam etmek için uyarıyı onaylayın"),
        "{refused}"
    );
    // Confirmed: the credits are forfeited for 90 days of subscription.
    let form = shop.checkout(&quarterly, true).await;
    let callback = shop.pay_at_bank(form, APPROVED).await;
    let (status, _) = shop.return_to_kasa(&callback).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(shop.context().await["holding"]["kind"], "subscription");
    // 90 days left: renewal opens 30 days before the end, and the page says from when.
    let (_, page) = shop.page("/billing").await;
    assert!(
        text_of(&page).contains("Aboneliğinizi şu tarihten itibaren yenileyebilirsiniz"),
        "{page}"
    );
    let quarterly_card = page
        .split("<div class=\"package\"")
        .find(|card| card.contains(&quarterly))
        .and_then(|card| card.split("</div>").next())
        .unwrap();
    assert!(!quarterly_card.contains("<button"), "{quarterly_card}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_authorise_only_store_pre_authorises_and_an_agent_captures_part() {
    let shop = Shop::open("3d_pay", &[]).await;
    let settings = |capture: &str| {
        json!({
            "enabled": true,
            "configuration": { "base_url": shop.sandbox.base, "client_id": SANDBOX_CLIENT_ID,
                               "store_type": "3d_pay", "capture": capture },
            "reason": "pre-authorise, capture when the work is done" })
    };
    let (status, refused) = shop
        .kasa
        .call(
            reqwest::Method::PUT,
            "/v1/settings/payment-systems/nestpay",
            Some(&shop.admin),
            Some(settings("later")),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert_eq!(refused["code"], "invalid-input");
    let (status, saved) = shop
        .kasa
        .call(
            reqwest::Method::PUT,
            "/v1/settings/payment-systems/nestpay",
            Some(&shop.admin),
            Some(settings("authorise_only")),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");

    let (callback, _, _) = shop.buy(&shop.credits, APPROVED).await;
    assert!(
        callback
            .fields
            .iter()
            .any(|(name, value)| name == "TranType" && value == "PreAuth"),
        "{:?}",
        callback.fields
    );
    let purchase = shop.only_purchase().await;
    let purchase_id = purchase["id"].as_str().unwrap().to_owned();
    assert_eq!(purchase["payment"]["status"], "authorised", "{purchase}");
    assert_eq!(shop.context().await["holding"]["balance"], 10);

    let (status, refused) = shop
        .act(&purchase_id, "refunds", json!({ "reason": "too early" }))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert_eq!(refused["code"], "payment-action-not-allowed");
    let (status, captured) = shop
        .act(
            &purchase_id,
            "captures",
            json!({ "amount": { "amount": "60.00", "currency": "TRY" }, "reason": "work done" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{captured}");
    assert_eq!(captured["purchase"]["payment"]["status"], "captured");
    assert_eq!(captured["document"]["gross"]["amount"], "60.00");
    let order = captured["purchase"]["payment"]["order_id"]
        .as_str()
        .unwrap();
    let at_bank: Value = shop
        .browser
        .get(format!("{}/sandbox/orders/{order}", shop.sandbox.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(at_bank["captured_minor"], 6_000, "{at_bank}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_authorisation_nobody_captures_is_voided_at_the_bank() {
    let shop = Shop::open(
        "3d_pay",
        &[("KASA_AUTHORISATION_VOID_AFTER_DAYS", "0".to_owned())],
    )
    .await;
    let (status, saved) = shop
        .kasa
        .call(
            reqwest::Method::PUT,
            "/v1/settings/payment-systems/nestpay",
            Some(&shop.admin),
            Some(json!({
                "enabled": true,
                "configuration": { "base_url": shop.sandbox.base, "client_id": SANDBOX_CLIENT_ID,
                                   "store_type": "3d_pay", "capture": "authorise_only" },
                "reason": "pre-authorise" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    shop.buy(&shop.credits, APPROVED).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    let purchase = loop {
        let purchase = shop.only_purchase().await;
        if purchase["payment"]["status"] == "voided" {
            break purchase;
        }
        assert!(Instant::now() < deadline, "not voided in 30 s: {purchase}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert_eq!(shop.context().await["holding"]["balance"], 0, "taken back");
    let order = purchase["payment"]["order_id"].as_str().unwrap();
    let at_bank: Value = shop
        .browser
        .get(format!("{}/sandbox/orders/{order}", shop.sandbox.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(at_bank["voided"], true, "{at_bank}");
    assert!(
        shop.audit_actions()
            .await
            .contains(&"payment.void_succeeded".to_owned())
    );
}
