//! Coupons over HTTP against the real binary and the local NestPay bank: an administrator makes
//! one, a customer checks it and buys with it on the billing page, the bank takes the
//! discounted price, the invoice shows the discount as its own line with KDV on what was paid,
//! and a refund gives back at most what was paid.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::html::{Form, forms};
use support::{
    Kasa, SANDBOX_API_PASSWORD, SANDBOX_API_USER, SANDBOX_CLIENT_ID, SANDBOX_STORE_KEY, Sandbox,
};

const APPROVED: &str = "4508034508034509";

struct Shop {
    kasa: Kasa,
    sandbox: Sandbox,
    admin: String,
    browser: reqwest::Client,
    token: String,
    cookie: String,
    customer_id: String,
    package_id: String,
}

impl Shop {
    async fn open() -> Self {
        let sandbox = Sandbox::start();
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
                        "department_ids": [department["id"]],
                        "price": { "amount": "400.00", "currency": "TRY" }, "on_sale": true,
                        "reason": "setup" }),
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
            package_id: package["id"].as_str().unwrap().to_owned(),
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

    async fn checkout(&self, coupon: &str) -> (StatusCode, String) {
        let fields = vec![
            ("package_id".to_owned(), self.package_id.clone()),
            ("coupon_code".to_owned(), coupon.to_owned()),
        ];
        self.post_form(&format!("{}/billing/checkout", self.kasa.base), &fields)
            .await
    }

    async fn pay_at_bank(&self, mut form: Form) {
        for _ in 0..6 {
            if form.action.starts_with(&self.kasa.base) {
                let (status, html) = self.post_form(&form.action, &form.fields).await;
                assert!(status.is_success() || status.is_redirection(), "{html}");
                return;
            }
            if form
                .input_names
                .iter()
                .any(|name| name.eq_ignore_ascii_case("pan"))
            {
                form.set("pan", APPROVED);
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

    async fn coupon_check(&self, code: &str) -> Value {
        self.kasa
            .get(
                &format!("/v1/me/coupons/{code}?package_id={}", self.package_id),
                &self.token,
            )
            .await
    }
}

fn text_of(html: &str) -> String {
    html.replace("&#39;", "'").replace("&amp;", "&")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_buys_with_a_coupon_and_pays_invoices_and_gets_back_the_discounted_price() {
    let shop = Shop::open().await;
    let kasa = &shop.kasa;

    // Staff: agents read, only catalogue managers write, always with a reason.
    let agent = kasa.api_key(&shop.admin, "agent").await;
    let input = json!({ "code": "yaz25", "percent": "12.5", "max_redemptions": 5,
                        "max_per_customer": 1, "reason": "summer campaign" });
    let (status, refused) = kasa
        .call(
            Method::POST,
            "/v1/coupons",
            Some(&agent),
            Some(input.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    let mut no_reason = input.clone();
    no_reason["reason"] = json!("");
    let (status, refused) = kasa
        .call(
            Method::POST,
            "/v1/coupons",
            Some(&shop.admin),
            Some(no_reason),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert_eq!(refused["code"], "reason-required");
    let coupon = kasa.post("/v1/coupons", &shop.admin, input.clone()).await;
    assert_eq!(coupon["code"], "YAZ25");
    assert_eq!(coupon["percent"], "12.5");
    assert_eq!(coupon["enabled"], true);
    let (status, taken) = kasa
        .call(Method::POST, "/v1/coupons", Some(&shop.admin), Some(input))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{taken}");
    assert_eq!(taken["code"], "coupon-code-taken");
    let (status, invalid) = kasa
        .call(
            Method::POST,
            "/v1/coupons",
            Some(&shop.admin),
            Some(json!({ "code": "HEPSI", "percent": "120", "reason": "typo" })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{invalid}");
    assert_eq!(invalid["facts"]["field"], "percent", "{invalid}");
    let listed = kasa.get("/v1/coupons", &agent).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let coupon_id = coupon["id"].as_str().unwrap();
    assert_eq!(
        kasa.get(&format!("/v1/coupons/{coupon_id}"), &agent).await["code"],
        "YAZ25"
    );

    // The customer checks codes over the API and on the page, in Turkish.
    let check = shop.coupon_check("yaz25").await;
    assert_eq!(check["applies"], true, "{check}");
    assert_eq!(check["price"]["amount"], "350.00");
    assert_eq!(check["discount"]["amount"], "50.00");
    let unknown = shop.coupon_check("KIS10").await;
    assert_eq!(unknown["applies"], false);
    assert_eq!(unknown["refusal"], "coupon-unknown");
    assert!(
        unknown["message"]
            .as_str()
            .unwrap()
            .starts_with("Bu kupon kodunu tanımıyoruz"),
        "{unknown}"
    );
    let (status, staff) = kasa
        .call(
            Method::GET,
            &format!("/v1/me/coupons/YAZ25?package_id={}", shop.package_id),
            Some(&shop.admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{staff}");

    let (status, html) = shop
        .page(&format!(
            "/billing?package_id={}&coupon_code=kis10",
            shop.package_id
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        text_of(&html).contains("Bu kupon kodunu tanımıyoruz"),
        "a refused code says why next to the field: {html}"
    );
    let (_, html) = shop
        .page(&format!(
            "/billing?package_id={}&coupon_code=yaz25",
            shop.package_id
        ))
        .await;
    let html = text_of(&html);
    assert!(
        html.contains("YAZ25 kuponu: 400,00 ₺ yerine 350,00 ₺ ödersiniz (50,00 ₺ indirim)."),
        "{html}"
    );
    assert!(html.contains("Kuponla 350,00 ₺ öde"), "{html}");

    // A refused code at checkout stays on the page with the reason.
    let (status, html) = shop.checkout("KIS10").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        text_of(&html).contains("Bu kupon kodunu tanımıyoruz"),
        "{html}"
    );
    assert!(
        forms(&html)
            .iter()
            .all(|form| !form.action.starts_with(&shop.sandbox.base))
    );

    // The accepted one shows the discounted price before the bank, which takes exactly that.
    let (status, html) = shop.checkout("Yaz25").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let html_text = text_of(&html);
    assert!(html_text.contains("10 kredi — 350,00 ₺"), "{html_text}");
    assert!(
        html_text.contains("400,00 ₺ yerine 350,00 ₺"),
        "{html_text}"
    );
    let bank_form = forms(&html).into_iter().next().expect("the bank's form");
    assert!(bank_form.action.starts_with(&shop.sandbox.base));
    assert_eq!(bank_form.get("amount"), Some("350.00"));
    shop.pay_at_bank(bank_form).await;

    let context = kasa
        .get(
            &format!("/v1/billing-context?customer_id={}", shop.customer_id),
            &shop.admin,
        )
        .await;
    assert_eq!(context["holding"]["balance"], 10, "{context}");
    let purchase = &context["purchases"][0];
    assert_eq!(purchase["status"], "completed", "{purchase}");
    assert_eq!(purchase["payment"]["amount"]["amount"], "350.00");
    let purchase_id = purchase["id"].as_str().unwrap().to_owned();
    let detail = kasa
        .get(&format!("/v1/purchases/{purchase_id}"), &shop.admin)
        .await;
    assert_eq!(detail["coupon"]["code"], "YAZ25", "{detail}");
    assert_eq!(detail["coupon"]["discount"]["amount"], "50.00");

    // The invoice: the package at its list price, the discount as its own line, KDV (20 %,
    // inside the price) worked out once on the 350.00 paid; the lines add up to the total.
    let invoices = kasa
        .get(
            &format!("/v1/purchases/{purchase_id}/invoices"),
            &shop.admin,
        )
        .await;
    let invoice = &invoices[0];
    assert_eq!(invoice["gross"]["amount"], "350.00", "{invoice}");
    assert_eq!(invoice["tax"]["amount"], "58.33");
    assert_eq!(invoice["net"]["amount"], "291.67");
    let lines = invoice["document"]["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2, "{invoice}");
    assert_eq!(lines[0]["gross"], "400.00");
    assert_eq!(lines[1]["kind"], "discount");
    assert_eq!(lines[1]["coupon_code"], "YAZ25");
    assert_eq!(lines[1]["gross"], "-50.00");
    assert_eq!(lines[1]["tax"], "-8.34");
    assert_eq!(lines[1]["net"], "-41.66");

    // The same customer may use it once.
    let again = shop.coupon_check("yaz25").await;
    assert_eq!(again["refusal"], "coupon-used-up-for-customer", "{again}");
    assert_eq!(
        kasa.get(&format!("/v1/coupons/{coupon_id}"), &agent).await["redemptions"],
        1
    );

    // A refund gives back at most what was paid.
    let response = shop
        .browser
        .post(format!("{}/sandbox/end-of-day", shop.sandbox.base))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    let (status, too_much) = kasa
        .call(
            Method::POST,
            &format!("/v1/purchases/{purchase_id}/refunds"),
            Some(&shop.admin),
            Some(json!({ "amount": { "amount": "400.00", "currency": "TRY" },
                         "reason": "customer asked" })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{too_much}");
    assert_eq!(too_much["code"], "amount-too-large");
    assert_eq!(too_much["facts"]["available"]["amount"], "350.00");
    let (status, refunded) = kasa
        .call(
            Method::POST,
            &format!("/v1/purchases/{purchase_id}/refunds"),
            Some(&shop.admin),
            Some(json!({ "reason": "customer asked" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{refunded}");
    assert_eq!(refunded["action"]["amount"]["amount"], "350.00");
    assert_eq!(refunded["document"]["gross"]["amount"], "350.00");
    assert_eq!(refunded["purchase"]["payment"]["status"], "refunded");

    // Switched off: audited with its reason, refused at the next check.
    let (status, refused) = kasa
        .call(
            Method::POST,
            &format!("/v1/coupons/{coupon_id}/disable"),
            Some(&agent),
            Some(json!({ "reason": "campaign over" })),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    let disabled = kasa
        .post(
            &format!("/v1/coupons/{coupon_id}/disable"),
            &shop.admin,
            json!({ "reason": "campaign over" }),
        )
        .await;
    assert_eq!(disabled["enabled"], false);
    assert_eq!(disabled["disabled_reason"], "campaign over");
    let audit = kasa
        .get(
            &format!("/v1/audit?subject=coupon:{coupon_id}"),
            &shop.admin,
        )
        .await;
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|entry| entry["action"].as_str())
        .collect();
    assert!(actions.contains(&"coupon.created"), "{actions:?}");
    assert!(actions.contains(&"coupon.disabled"), "{actions:?}");
    let (status, html) = shop.checkout("yaz25").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        text_of(&html).contains("Bu kupon artık geçerli değil"),
        "{html}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_makes_and_disables_coupons_in_the_console() {
    let Some(kasa) = Kasa::start(support::Backend::Sqlite).await else {
        return;
    };
    let admin = kasa.admin_token().await;
    let cookie =
        support::console_cookie(&kasa, support::ADMIN_EMAIL, support::ADMIN_PASSWORD).await;
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let get = |path: String| {
        let request = browser
            .get(format!("{}{path}", kasa.base))
            .header("cookie", &cookie);
        async move {
            let response = request.send().await.unwrap();
            (response.status(), response.text().await.unwrap())
        }
    };
    let post = |path: String, fields: Vec<(&'static str, String)>| {
        let request = browser
            .post(format!("{}{path}", kasa.base))
            .header("cookie", &cookie)
            .form(&fields);
        async move {
            let response = request.send().await.unwrap();
            let location = response
                .headers()
                .get("location")
                .map(|value| value.to_str().unwrap().to_owned());
            (response.status(), location, response.text().await.unwrap())
        }
    };
    let (status, page) = get("/console/coupons".to_owned()).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("href=\"/console/coupons\""), "in the menu");
    let csrf = support::field_value(&page, "csrf");

    // A refused form stays, with the refusal next to its field and what was typed kept.
    let (status, _, page) = post(
        "/console/coupons".to_owned(),
        vec![
            ("csrf", csrf.clone()),
            ("code", "yaz25".to_owned()),
            ("percent", "150".to_owned()),
            ("reason", "summer".to_owned()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(page.contains("id=\"percent-error\""), "{page}");
    assert!(page.contains("value=\"yaz25\""), "{page}");

    let (status, location, page) = post(
        "/console/coupons".to_owned(),
        vec![
            ("csrf", csrf.clone()),
            ("code", "yaz25".to_owned()),
            ("amounts", "50 TRY, 5 usd".to_owned()),
            ("valid_from", "2026-06-01".to_owned()),
            ("max_redemptions", "10".to_owned()),
            ("reason", "summer".to_owned()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert_eq!(location.as_deref(), Some("/console/coupons?created=YAZ25"));
    let listed = kasa.get("/v1/coupons", &admin).await;
    let coupon = &listed[0];
    assert_eq!(coupon["code"], "YAZ25");
    assert_eq!(coupon["amounts"][1]["currency"], "USD", "{coupon}");
    assert_eq!(
        coupon["valid_from"], "2026-05-31T21:00:00Z",
        "a day in Turkey's time"
    );
    let id = coupon["id"].as_str().unwrap();
    let (_, page) = get("/console/coupons?created=YAZ25".to_owned()).await;
    assert!(page.contains("YAZ25 kuponu oluşturuldu."), "{page}");
    assert!(page.contains("0 / 10"), "{page}");

    // Disabling: the confirmation states the effect, and a reason is required.
    let (status, page) = get(format!("/console/coupons/{id}/disable")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("kalıcı olarak kapatılsın mı"), "{page}");
    let (status, _, page) = post(
        format!("/console/coupons/{id}/disable"),
        vec![("csrf", csrf.clone()), ("reason", String::new())],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert_eq!(kasa.get("/v1/coupons", &admin).await[0]["enabled"], true);
    let (status, location, _) = post(
        format!("/console/coupons/{id}/disable"),
        vec![("csrf", csrf), ("reason", "campaign over".to_owned())],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some("/console/coupons?disabled=YAZ25"));
    let coupon = kasa.get(&format!("/v1/coupons/{id}"), &admin).await;
    assert_eq!(coupon["enabled"], false);
    assert_eq!(coupon["disabled_reason"], "campaign over");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_coupon_pages_pass_the_checks_in_a_real_browser() {
    let shop = Shop::open().await;
    let base = shop.kasa.base.clone();
    let token = shop.token.clone();
    let report = tokio::task::spawn_blocking(move || {
        support::run_browser_script(
            "coupons.mjs",
            &[
                &base,
                support::ADMIN_EMAIL,
                support::ADMIN_PASSWORD,
                &token,
                "10 kredi",
            ],
        )
    })
    .await
    .unwrap();
    support::assert_pages_pass(&report);
    let steps = &report["steps"];
    assert_eq!(steps["created"], "Coupon YAZ25 created.", "{report:#}");
    assert!(
        steps["row"].as_str().unwrap().contains("0 / 10"),
        "{report:#}"
    );
    assert!(
        steps["confirm"]
            .as_str()
            .unwrap()
            .contains("cannot be undone"),
        "{report:#}"
    );
    assert!(
        steps["refused"]
            .as_str()
            .unwrap()
            .starts_with("Bu kupon kodunu tanımıyoruz"),
        "{report:#}"
    );
    assert_eq!(
        steps["applied"], "YAZ25 kuponu: 400,00 ₺ yerine 350,00 ₺ ödersiniz (50,00 ₺ indirim).",
        "{report:#}"
    );
    assert_eq!(steps["buy"], "Kuponla 350,00 ₺ öde", "{report:#}");
}
