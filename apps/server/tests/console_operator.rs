//! The operator's console pages in a real headless chromium: from an empty database with only
//! the administrator, departments, packages (with descriptions in Turkish and English), NestPay
//! credentials (write-only), the billing settings and the logo are set up without curl, and the
//! JSON API then reads back exactly what was entered; refused inputs show their message next to
//! the field; every page passes axe-core and the 390 px check in English and Turkish.

mod support;

use reqwest::Method;
use serde_json::{Value, json};
use support::{
    ADMIN_EMAIL, ADMIN_PASSWORD, Backend, Kasa, assert_pages_pass, field_value, run_browser_script,
};

/// The secrets the browser script types into the NestPay form (`SECRETS` in the script).
const SECRETS: [&str; 2] = ["STORE-KEY-SECRET-4711", "API-PASSWORD-SECRET-0815"];

#[tokio::test]
async fn an_operator_sets_kasa_up_from_an_empty_database_in_the_console() {
    let kasa = Kasa::start(Backend::Sqlite).await.expect("kasa starts");
    let admin = kasa.admin_token().await;
    let logo_path = std::env::temp_dir().join(format!("kasa-logo-{}.png", uuid::Uuid::now_v7()));
    let base = kasa.base.clone();
    let logo = logo_path.display().to_string();
    let report = tokio::task::spawn_blocking(move || {
        run_browser_script(
            "console-operator.mjs",
            &[&base, ADMIN_EMAIL, ADMIN_PASSWORD, &logo],
        )
    })
    .await
    .unwrap();
    assert_pages_pass(&report);
    let steps = &report["steps"];
    assert_eq!(
        steps["menu"],
        json!([
            "Dashboard",
            "Customers",
            "Reports",
            "Departments",
            "Packages",
            "Coupons",
            "Payment systems",
            "Billing settings",
            "Users",
            "Roles",
            "API keys",
            "Outbox",
            "Audit log",
            "Integrations",
            "Webhooks"
        ]),
        "{report:#}"
    );

    // Refusals are shown next to their field, in the page's language, and keep what was typed.
    assert_eq!(
        steps["emptyName"],
        "Enter a name (at most 100 characters for a department, 200 for a package)."
    );
    assert_eq!(steps["emptyNameDescribed"], "name-error");
    assert_eq!(
        steps["negativePrice"],
        "Enter a price of 0 or more, with a dot before the kuruş or cents, e.g. 400.00."
    );
    assert_eq!(steps["negativePriceKept"], "On talep için.");
    assert_eq!(
        steps["badTaxRate"],
        "Enter the KDV rate as a number from 0 to 100, e.g. 20."
    );
    assert_eq!(steps["companyKept"], "Kasa Destek A.Ş.");
    assert_eq!(
        steps["badLogo"],
        "Choose a PNG or JPEG image of at most 512 KB that can be printed."
    );
    assert_eq!(
        steps["turkishEmptyName"],
        "Bir ad girin (departman için en fazla 100, paket için 200 karakter)."
    );
    assert_eq!(steps["turkishHeading"], "Departmanlar");

    // Each save came back with its notice.
    assert_eq!(steps["departmentCreated"], "The department was created.");
    assert_eq!(steps["departmentSaved"], "Your changes were saved.");
    assert_eq!(steps["packageCreated"], "The package was created.");
    assert_eq!(steps["nestpaySaved"], "The payment system was saved.");
    assert_eq!(steps["settingsSaved"], "The billing settings were saved.");
    assert_eq!(steps["logoSaved"], "The logo was saved.");
    assert_eq!(steps["subscriptionDays"], "30");

    // Credentials are write-only: "Set", an empty box, and never in any page.
    assert_eq!(steps["credentialStates"], json!(["Set", "Set", "Set"]));
    assert_eq!(
        steps["credentialStatesAfterResave"],
        json!(["Set", "Set", "Set"])
    );
    assert_eq!(
        steps["turkishCredentialStates"],
        json!(["Girilmiş", "Girilmiş", "Girilmiş"])
    );
    assert_eq!(steps["storeKeyValue"], "");
    assert_eq!(steps["leaks"], json!([]), "{report:#}");
    assert!(steps["pagesSeen"].as_u64().unwrap() >= 5);

    // The logo is previewed from the console, under the console's own policy.
    assert_eq!(steps["logoWidth"], 24);
    assert_eq!(steps["logoType"], "image/png");
    assert_eq!(steps["strictLogoWidth"], 24);
    assert_eq!(steps["cspErrors"], json!([]));

    // The JSON API reads back what the operator entered.
    let departments = kasa.get("/v1/departments", &admin).await;
    let by_name = |name: &str| {
        departments
            .as_array()
            .unwrap()
            .iter()
            .find(|department| department["name"] == name)
            .unwrap_or_else(|| panic!("no {name} in {departments:#}"))
            .clone()
    };
    assert_eq!(departments.as_array().unwrap().len(), 2, "{departments:#}");
    assert_eq!(by_name("Teknik Destek")["credits_per_request"], 1);
    assert_eq!(by_name("Satış")["credits_per_request"], 2);
    let support_id = by_name("Teknik Destek")["id"].clone();
    let sales_id = by_name("Satış")["id"].clone();

    let packages = kasa.get("/v1/packages", &admin).await;
    assert_eq!(packages.as_array().unwrap().len(), 2, "{packages:#}");
    let credit = &packages[0];
    assert_eq!(credit["name"], "10 kredi");
    assert_eq!(credit["kind"], "credit");
    assert_eq!(credit["credits"], 10);
    assert_eq!(
        credit["price"],
        json!({ "amount": "400.00", "currency": "TRY" })
    );
    assert_eq!(credit["department_ids"], json!([support_id]));
    assert_eq!(credit["on_sale"], true);
    assert_eq!(
        credit["description"],
        json!({ "tr": "On talep için.", "en": "For ten tickets." })
    );
    let monthly = &packages[1];
    assert_eq!(monthly["name"], "Aylık destek");
    assert_eq!(monthly["kind"], "subscription");
    assert_eq!(monthly["days"], 30);
    assert_eq!(monthly["price"]["amount"], "250.00");
    let mut covered: Vec<Value> = monthly["department_ids"].as_array().unwrap().clone();
    covered.sort_by_key(ToString::to_string);
    let mut expected = vec![support_id, sales_id];
    expected.sort_by_key(ToString::to_string);
    assert_eq!(covered, expected);
    assert_eq!(
        monthly["description"],
        json!({ "tr": "Otuz gün boyunca sınırsız destek.", "en": "Unlimited support for thirty days." })
    );

    let systems = kasa.get("/v1/settings/payment-systems", &admin).await;
    let nestpay = systems
        .as_array()
        .unwrap()
        .iter()
        .find(|system| system["gateway"] == "nestpay")
        .expect("NestPay saved");
    assert_eq!(nestpay["enabled"], true);
    assert_eq!(nestpay["configuration"]["bank"], "asseco-test");
    assert_eq!(nestpay["configuration"]["client_id"], "100200127");
    assert_eq!(nestpay["configuration"]["store_type"], "3d_pay_hosting");
    let mut set: Vec<&str> = nestpay["credentials_set"]
        .as_array()
        .unwrap()
        .iter()
        .map(|name| name.as_str().unwrap())
        .collect();
    set.sort_unstable();
    assert_eq!(set, ["api_password", "api_user", "store_key"]);
    for secret in SECRETS {
        assert!(!systems.to_string().contains(secret), "{systems:#}");
    }

    let settings = kasa.get("/v1/settings/billing", &admin).await;
    assert_eq!(settings["company_name"], "Kasa Destek A.Ş.");
    assert_eq!(settings["billing_enabled"], true, "kept on, as it was");
    assert_eq!(settings["notification_address"], "billing@example.com");
    assert_eq!(
        settings["notification_cc"],
        json!(["finans@example.com", "muhasebe@example.com"])
    );
    let invoicing = &settings["invoicing"];
    assert_eq!(
        invoicing["seller_address"],
        "Moda Cad. 1, Kadıköy, İstanbul"
    );
    assert_eq!(invoicing["seller_tax_office"], "Kadıköy");
    assert_eq!(invoicing["seller_tax_number"], "1234567890");
    assert_eq!(invoicing["tax_rate_percent"], "20");
    assert_eq!(
        settings["four_eyes"]["thresholds"],
        json!([{ "amount": "5000.00", "currency": "TRY" }])
    );

    let (status, content_type, bytes) = kasa.get_bytes("/v1/settings/logo", &admin).await;
    assert_eq!((status.as_u16(), content_type.as_str()), (200, "image/png"));
    assert_eq!(bytes, std::fs::read(&logo_path).expect("the script's PNG"));
    let _ = std::fs::remove_file(&logo_path);
    let _ = std::fs::remove_file(format!("{}.txt", logo_path.display()));
}

#[tokio::test]
async fn a_customer_reads_a_package_description_in_their_language() {
    let kasa = Kasa::start(Backend::Sqlite).await.expect("kasa starts");
    let admin = kasa.admin_token().await;
    let department = kasa
        .post(
            "/v1/departments",
            &admin,
            json!({ "name": "Destek", "credits_per_request": 1, "reason": "setup" }),
        )
        .await;
    // An API client that knows nothing of descriptions still creates packages.
    let body = |name: &str, amount: &str, description: Option<Value>| {
        let mut body = json!({ "name": name, "kind": "credit", "credits": 10,
            "department_ids": [department["id"]],
            "price": { "amount": amount, "currency": "TRY" }, "on_sale": true,
            "reason": "the price list" });
        if let Some(description) = description {
            body["description"] = description;
        }
        body
    };
    let package = kasa
        .post("/v1/packages", &admin, body("10 kredi", "400.00", None))
        .await;
    assert_eq!(package["description"], json!({ "tr": "", "en": "" }));
    let path = format!("/v1/packages/{}", package["id"].as_str().unwrap());
    let description = json!({ "tr": "On talep için.", "en": "For ten tickets." });
    let described = kasa
        .call(
            Method::PUT,
            &path,
            Some(&admin),
            Some(body("10 kredi", "400.00", Some(description))),
        )
        .await;
    assert_eq!(described.0.as_u16(), 200, "{}", described.1);
    // A change without a description keeps the stored one.
    let kept = kasa
        .call(
            Method::PUT,
            &path,
            Some(&admin),
            Some(body("10 kredi", "450.00", None)),
        )
        .await;
    assert_eq!(kept.1["description"]["en"], "For ten tickets.");
    let refused = kasa
        .call(
            Method::POST,
            "/v1/packages",
            Some(&admin),
            Some(body("", "1.00", None)),
        )
        .await;
    assert_eq!(refused.0.as_u16(), 400);
    assert_eq!(refused.1["facts"]["field"], "name", "{}", refused.1);

    for (language, email, words) in [
        ("en", "jane@example.com", "For ten tickets."),
        ("tr", "ayse@example.com", "On talep için."),
    ] {
        let customer = kasa
            .post(
                "/v1/customers",
                &admin,
                json!({ "email": email, "name": "Someone", "language": language,
                        "reason": "new" }),
            )
            .await;
        let browser = kasa
            .billing_browser(&admin, customer["id"].as_str().unwrap())
            .await;
        let page = browser
            .client
            .get(format!("{}/billing", kasa.base))
            .header("cookie", &browser.cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains(words), "{language}: {page}");
    }
}

#[tokio::test]
async fn without_a_secrets_key_the_payment_systems_page_says_why_nothing_was_saved() {
    // The demo runs without a secrets key.
    let kasa = Kasa::start_demo().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = client
        .get(format!("{}/console/sign-in", kasa.base))
        .send()
        .await
        .unwrap();
    let pre_cookie = form.headers()["set-cookie"].to_str().unwrap().to_owned();
    let token = field_value(&form.text().await.unwrap(), "csrf");
    let signed_in = client
        .post(format!("{}/console/sign-in", kasa.base))
        .header("cookie", pre_cookie.split(';').next().unwrap())
        .header("accept-language", "en")
        .form(&[
            ("email", "admin@demo.kasa"),
            ("password", "demo-admin-password"),
            ("csrf", token.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 303);
    let session = signed_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .find(|value| value.starts_with("kasa_console="))
        .expect("a session cookie");
    let cookie = format!("{}; kasa_lang=en", session.split(';').next().unwrap());
    let page = client
        .get(format!("{}/console/payment-systems", kasa.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let csrf = field_value(&page.text().await.unwrap(), "csrf");
    let refused = client
        .post(format!("{}/console/payment-systems/stripe", kasa.base))
        .header("cookie", &cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("publishable_key", "pk_test_kasa"),
            ("secret_key", "sk_test_SECRET-VALUE"),
            ("reason", "try stripe"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 409);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains("this server has no secrets key") && html.contains("KASA_SECRETS_KEY"),
        "{html}"
    );
    assert!(!html.contains("sk_test_SECRET-VALUE"), "{html}");
}
