//! The customer's billing pages in a real headless chromium, in Turkish and English: the words
//! and amounts each language writes, and every page checked with axe-core and at 390 px.

mod support;

use kasa_testkit::localstripe::{LocalStripe, PUBLISHABLE_KEY, SECRET_KEY};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{
    Kasa, SANDBOX_API_PASSWORD, SANDBOX_API_USER, SANDBOX_CLIENT_ID, SANDBOX_STORE_KEY, Sandbox,
    assert_pages_pass, run_browser_script,
};

/// A new customer writing in `language`, and a billing link's token for them.
async fn customer_link(kasa: &Kasa, admin: &str, email: &str, language: &str) -> (String, String) {
    let customer = kasa
        .post(
            "/v1/customers",
            admin,
            json!({ "email": email, "name": "Müşteri", "language": language, "reason": "new" }),
        )
        .await;
    let customer_id = customer["id"].as_str().unwrap().to_owned();
    let browser = kasa.billing_browser(admin, &customer_id).await;
    (customer_id, browser.token)
}

/// A department, a credit package priced 1,234.50 TRY and a 30-day subscription: the credit
/// package's id and name.
async fn catalogue(kasa: &Kasa, admin: &str) -> (Value, &'static str) {
    let department = kasa
        .post(
            "/v1/departments",
            admin,
            json!({ "name": "Teknik Destek", "credits_per_request": 1, "reason": "setup" }),
        )
        .await;
    let package = |body: Value, amount: &str| {
        let mut body = body;
        body["department_ids"] = json!([department["id"]]);
        body["on_sale"] = json!(true);
        body["reason"] = json!("setup");
        body["price"] = json!({ "amount": amount, "currency": "TRY" });
        kasa.post("/v1/packages", admin, body)
    };
    let credits = package(
        json!({ "name": "Paket 10", "kind": "credit", "credits": 10 }),
        "1234.50",
    )
    .await;
    package(
        json!({ "name": "Aylık", "kind": "subscription", "days": 30 }),
        "250.00",
    )
    .await;
    (credits["id"].clone(), "Paket 10")
}

/// NestPay switched on, with the local bank's `3d_pay` store.
async fn nestpay(kasa: &Kasa, admin: &str, sandbox: &Sandbox) {
    let (status, body) = kasa
        .call(
            reqwest::Method::PUT,
            "/v1/settings/payment-systems/nestpay",
            Some(admin),
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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_billing_pages_read_well_in_turkish_and_english_and_pass_the_checks() {
    let sandbox = Sandbox::start();
    let kasa = Kasa::start_with_env(&[]).await;
    let admin = kasa.admin_token().await;
    let (credits, package_name) = catalogue(&kasa, &admin).await;
    nestpay(&kasa, &admin, &sandbox).await;
    // The Turkish customer holds credits, so the subscription warns of their forfeit.
    let (turkish_id, turkish) = customer_link(&kasa, &admin, "ayse@example.com", "tr").await;
    kasa.post(
        &format!("/v1/customers/{turkish_id}/grants"),
        &admin,
        json!({ "package_id": credits, "reason": "welcome gift" }),
    )
    .await;
    let (_, english) = customer_link(&kasa, &admin, "jane@example.com", "en").await;

    let base = kasa.base.clone();
    let report = tokio::task::spawn_blocking(move || {
        run_browser_script(
            "billing-pages.mjs",
            &[&base, &turkish, &english, package_name],
        )
    })
    .await
    .unwrap();
    assert_pages_pass(&report);
    let steps = &report["steps"];
    assert_eq!(steps["cspErrors"], json!([]), "{report:#}");

    let tr = &steps["tr"];
    assert_eq!(tr["url"], "/billing", "the token leaves the address");
    assert_eq!(tr["lang"], "tr");
    assert_eq!(tr["heading"], "Destek paketleriniz");
    assert_eq!(tr["holding"], "10 kredi");
    let packages = tr["packages"].to_string();
    assert!(packages.contains("10 kredi — 1.234,50 ₺"), "{packages}");
    assert!(packages.contains("30 gün — 250,00 ₺"), "{packages}");
    assert!(
        packages.contains("Bu paketi alırsanız kalan krediniz silinir: 10 kredi"),
        "{packages}"
    );
    assert_eq!(tr["cardFormSummary"], "Paket 10 — 1.234,50 ₺");
    assert_eq!(
        tr["cardLabels"],
        json!([
            "Kart numarası",
            "Ay (AA)",
            "Yıl (YY)",
            "Güvenlik kodu (CVC)"
        ])
    );

    let en = &steps["en"];
    assert_eq!(en["lang"], "en");
    assert_eq!(en["heading"], "Your support packages");
    assert_eq!(en["holding"], "You have no package yet.");
    let packages = en["packages"].to_string();
    assert!(packages.contains("10 credits — ₺1,234.50"), "{packages}");
    assert!(packages.contains("30 days — ₺250.00"), "{packages}");
    assert_eq!(en["cardFormSummary"], "Paket 10 — ₺1,234.50");

    assert_eq!(
        steps["invalid"],
        "Bu bağlantı geçersiz veya süresi dolmuş. Destek ekibinden yeni bir bağlantı isteyin."
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_card_pages_of_stripe_pass_the_checks() {
    let sandbox = Sandbox::start();
    let stripe = LocalStripe::start().await;
    let kasa = Kasa::start_with_env(&[]).await;
    let admin = kasa.admin_token().await;
    let (_, package_name) = catalogue(&kasa, &admin).await;
    nestpay(&kasa, &admin, &sandbox).await;
    let (status, body) = kasa
        .call(
            reqwest::Method::PUT,
            "/v1/settings/payment-systems/stripe",
            Some(&admin),
            Some(json!({
                "enabled": true,
                "configuration": { "base_url": stripe.base_url(),
                                   "publishable_key": PUBLISHABLE_KEY, "dialect": "localstripe" },
                "credentials": { "secret_key": SECRET_KEY, "webhook_secret": "whsec_kasa_test" },
                "reason": "setup" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, token) = customer_link(&kasa, &admin, "jane@example.com", "en").await;

    let base = kasa.base.clone();
    let report = tokio::task::spawn_blocking(move || {
        run_browser_script("billing-card-pages.mjs", &[&base, &token, package_name])
    })
    .await
    .unwrap();
    assert_pages_pass(&report);
    let steps = &report["steps"];
    assert_eq!(steps["payWith"], json!(["Card (bank)", "Card (Stripe)"]));
    assert_eq!(steps["paymentSummary"], "Paket 10 — ₺1,234.50");
    assert_eq!(steps["cardButton"], "Save card");
}
