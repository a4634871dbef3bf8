//! The customer portal over HTTP (issue 16): the real `kasa` server and the local NestPay
//! bank. A customer pays with a card and finds the payment in their history with the card's
//! brand and last four digits and its invoice to download (page and `/v1/me/history`); Back and
//! reload after paying show the result again and charge nothing twice; a refused card is
//! explained in plain words with a retry; the language switch is remembered on the customer.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::html::{Form, forms};
use support::{
    BillingBrowser, Kasa, SANDBOX_API_PASSWORD, SANDBOX_API_USER, SANDBOX_CLIENT_ID,
    SANDBOX_STORE_KEY, Sandbox,
};

/// The sandbox's approved Visa card (MaskedPan `450803***4509`).
const APPROVED: &str = "4508034508034509";
/// The sandbox's card refused with 51 (insufficient funds).
const DECLINED_51: &str = "4000000000000051";

/// Kasa, the bank, a credit package and the customer Ayşe in a browser.
struct Portal {
    kasa: Kasa,
    sandbox: Sandbox,
    admin: String,
    customer_id: String,
    browser: BillingBrowser,
    package_id: String,
}

impl Portal {
    async fn open() -> Self {
        let sandbox = Sandbox::start();
        let kasa = Kasa::start_with_env(&[]).await;
        let admin = kasa.admin_token().await;
        let (status, body) = kasa
            .call(
                reqwest::Method::PUT,
                "/v1/settings/billing",
                Some(&admin),
                Some(
                    json!({ "billing_enabled": true, "company_name": "Örnek Destek A.Ş.",
                             "support_address": "destek@ornek.example", "reason": "setup" }),
                ),
            )
            .await;
        assert!(status.is_success(), "{body}");
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
                        "price": { "amount": "100.00", "currency": "TRY" }, "on_sale": true,
                        "reason": "setup" }),
            )
            .await;
        let (status, body) = kasa
            .call(
                reqwest::Method::PUT,
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
        let customer_id = customer(&kasa, &admin, "ayse@example.com", "tr").await;
        let browser = kasa.billing_browser(&admin, &customer_id).await;
        Self {
            kasa,
            sandbox,
            admin,
            customer_id,
            browser,
            package_id: package["id"].as_str().unwrap().to_owned(),
        }
    }

    /// A GET with the customer's cookie: status, `Location` (when redirected) and body.
    async fn page(&self, path: &str) -> (StatusCode, Option<String>, Vec<u8>) {
        get_with(&self.browser, &self.kasa.base, path).await
    }

    async fn text(&self, path: &str) -> (StatusCode, String) {
        let (status, _, body) = self.page(path).await;
        (status, text_of(&String::from_utf8(body).unwrap()))
    }

    /// A form post; with the customer's cookie when it goes to Kasa.
    async fn post_form(
        &self,
        url: &str,
        fields: &[(String, String)],
    ) -> (StatusCode, Option<String>, String) {
        self.post_form_as(&self.browser, url, fields).await
    }

    /// A form post from `browser`; with its cookie when it goes to Kasa.
    async fn post_form_as(
        &self,
        browser: &BillingBrowser,
        url: &str,
        fields: &[(String, String)],
    ) -> (StatusCode, Option<String>, String) {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let mut request = browser
            .client
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        if url.starts_with(&self.kasa.base) {
            request = request.header("cookie", &browser.cookie);
        }
        let response = request.send().await.unwrap();
        let location = response
            .headers()
            .get("location")
            .map(|value| value.to_str().unwrap().to_owned());
        (response.status(), location, response.text().await.unwrap())
    }

    /// Buys the package with `card` at the bank: the form the bank posts back to Kasa.
    async fn pay(&self, card: &str) -> Form {
        self.pay_as(&self.browser, card).await
    }

    /// [`Self::pay`] by the customer of `browser`.
    async fn pay_as(&self, browser: &BillingBrowser, card: &str) -> Form {
        let (status, _, html) = self
            .post_form_as(
                browser,
                &format!("{}/billing/checkout", self.kasa.base),
                &[("package_id".to_owned(), self.package_id.clone())],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{html}");
        let mut form = forms(&html).into_iter().next().expect("the bank's form");
        for _ in 0..6 {
            if form.action.starts_with(&self.kasa.base) {
                return form;
            }
            if form.input_names.iter().any(|name| name == "pan") {
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
            let (_, _, html) = self.post_form_as(browser, &action, &form.fields).await;
            form = forms(&html)
                .into_iter()
                .next()
                .unwrap_or_else(|| panic!("no form at the bank: {html}"));
        }
        panic!("the bank never sent the browser back");
    }

    /// The bank's post arrives at Kasa: it must answer with a redirect to a result page.
    async fn return_to_kasa(&self, callback: &Form) -> String {
        let (status, location, body) = self.post_form(&callback.action, &callback.fields).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let location = location.expect("a Location");
        assert!(location.starts_with("/billing/result/"), "{location}");
        location
    }

    async fn csrf(&self) -> String {
        let (_, html) = self.text("/billing").await;
        support::field_value(&html, "csrf")
    }
}

async fn customer(kasa: &Kasa, admin: &str, email: &str, language: &str) -> String {
    let customer = kasa
        .post(
            "/v1/customers",
            admin,
            json!({ "email": email, "name": "Ayşe Yılmaz", "language": language,
                    "reason": "new" }),
        )
        .await;
    customer["id"].as_str().unwrap().to_owned()
}

async fn get_with(
    browser: &BillingBrowser,
    base: &str,
    path: &str,
) -> (StatusCode, Option<String>, Vec<u8>) {
    let response = browser
        .client
        .get(format!("{base}{path}"))
        .header("cookie", &browser.cookie)
        .send()
        .await
        .unwrap();
    let location = response
        .headers()
        .get("location")
        .map(|value| value.to_str().unwrap().to_owned());
    let content_type = response
        .headers()
        .get("content-type")
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let status = response.status();
    let bytes = response.bytes().await.unwrap().to_vec();
    if path.ends_with(".pdf") && status == StatusCode::OK {
        assert_eq!(content_type, "application/pdf");
    }
    (status, location, bytes)
}

fn text_of(html: &str) -> String {
    html.replace("&#39;", "'")
        .replace("&amp;", "&")
        .replace("&#x2F;", "/")
        .replace("&quot;", "\"")
}

/// The text of a PDF, read with pdftotext (poppler-utils).
fn pdf_text(pdf: &[u8]) -> String {
    let path = std::env::temp_dir().join(format!(
        "kasa-portal-{}-{}.pdf",
        std::process::id(),
        pdf.len()
    ));
    std::fs::write(&path, pdf).unwrap();
    let output = std::process::Command::new("pdftotext")
        .args(["-layout", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext runs (scripts/test installs poppler-utils)");
    let _ = std::fs::remove_file(&path);
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_payment_shows_in_the_history_with_its_card_and_invoice_once() {
    let portal = Portal::open().await;
    let callback = portal.pay(APPROVED).await;
    let result = portal.return_to_kasa(&callback).await;
    let (status, page) = portal.text(&result).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Ödemeniz alındı"), "{page}");
    assert!(
        page.contains("Örnek Destek A.Ş."),
        "the seller on every page: {page}"
    );
    assert!(page.contains("destek@ornek.example"), "{page}");

    // Back and reload: the bank's post again redirects to the same page and grants nothing.
    assert_eq!(portal.return_to_kasa(&callback).await, result);
    let (status, again) = portal.text(&result).await;
    assert_eq!(status, StatusCode::OK);
    assert!(again.contains("Ödemeniz alındı"));
    let context = portal
        .kasa
        .get(
            &format!("/v1/billing-context?customer_id={}", portal.customer_id),
            &portal.admin,
        )
        .await;
    assert_eq!(context["holding"]["balance"], 10, "{context}");

    // The history page: the card as the customer knows it, the state, the invoice.
    let (status, history) = portal.text("/billing/history").await;
    assert_eq!(status, StatusCode::OK, "{history}");
    assert!(history.contains("Visa, son dört hanesi 4509"), "{history}");
    assert!(history.contains("Ödendi"), "{history}");
    assert!(history.contains("100,00 ₺"), "{history}");
    let link_start = history
        .find("/billing/documents/")
        .expect("a document link");
    let link = &history[link_start..link_start + history[link_start..].find('"').unwrap()];
    assert!(link.ends_with(".pdf"), "{link}");

    // The PDF, with the cookie; read back.
    let (status, _, pdf) = portal.page(link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(pdf.starts_with(b"%PDF"));
    let text = pdf_text(&pdf);
    assert!(text.contains("Ayşe Yılmaz"), "{text}");

    // The same in JSON, with the billing link's token.
    let me = portal
        .kasa
        .get("/v1/me/history", &portal.browser.token)
        .await;
    let entry = &me["entries"][0];
    assert_eq!(me["entries"].as_array().unwrap().len(), 1, "{me}");
    assert_eq!(entry["state"], "paid");
    assert_eq!(
        entry["amount"],
        json!({ "amount": "100.00", "currency": "TRY" })
    );
    assert_eq!(entry["payment"]["method"], "nestpay");
    assert_eq!(
        entry["payment"]["card"],
        json!({ "brand": "visa", "last4": "4509" })
    );
    let document = &entry["documents"][0];
    assert!(
        link.contains(document["id"].as_str().unwrap()),
        "{link} {document}"
    );
    let (status, content_type, api_pdf) = portal
        .kasa
        .get_bytes(document["pdf_url"].as_str().unwrap(), &portal.browser.token)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "application/pdf");
    assert!(api_pdf.starts_with(b"%PDF"));

    // The frozen invoice names the card.
    let invoices = portal
        .kasa
        .get(
            &format!(
                "/v1/purchases/{}/invoices",
                entry["purchase_id"].as_str().unwrap()
            ),
            &portal.admin,
        )
        .await;
    assert_eq!(
        invoices[0]["document"]["payment"]["card"],
        json!({ "brand": "visa", "last4": "4509" })
    );
    assert_eq!(invoices[0]["document"]["payment"]["method"], "nestpay");

    // Another customer can neither download it nor read the result.
    let other_id = customer(&portal.kasa, &portal.admin, "jane@example.com", "en").await;
    let other = portal.kasa.billing_browser(&portal.admin, &other_id).await;
    let (status, _, _) = get_with(&other, &portal.kasa.base, link).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = get_with(&other, &portal.kasa.base, &result).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let theirs = portal.kasa.get("/v1/me/history", &other.token).await;
    assert_eq!(theirs["entries"], json!([]));
    // An address that is no page: a page in the customer's language, not a problem document.
    let (status, _, body) = portal.page("/billing/no-such-page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        text_of(&String::from_utf8(body).unwrap()).contains("Bu sayfa bulunamadı"),
        "a page in Turkish"
    );
    // Without a billing link, no document.
    let anonymous = reqwest::Client::new()
        .get(format!("{}{link}", portal.kasa.base))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_card_is_explained_in_plain_words_with_a_retry() {
    let portal = Portal::open().await;
    let callback = portal.pay(DECLINED_51).await;
    let result = portal.return_to_kasa(&callback).await;
    let (status, page) = portal.text(&result).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("kartın bakiyesi veya limiti yetersiz"),
        "{page}"
    );
    assert!(
        !page.contains("(51)") && !page.contains("Yetersiz bakiye"),
        "{page}"
    );
    let retry = forms(&page)
        .into_iter()
        .find(|form| form.action == "/billing/checkout")
        .expect("a retry on the same page");
    assert_eq!(retry.get("package_id"), Some(portal.package_id.as_str()));
    assert_eq!(retry.get("gateway"), Some("nestpay"));
    let me = portal
        .kasa
        .get("/v1/me/history", &portal.browser.token)
        .await;
    assert_eq!(me["entries"][0]["state"], "declined", "{me}");
    assert_eq!(me["entries"][0]["documents"], json!([]));
    let (_, history) = portal.text("/billing/history").await;
    assert!(history.contains("Ödenmedi"), "{history}");

    // The retry starts a new checkout that can succeed.
    let fields: Vec<(String, String)> = retry.fields.clone();
    let (status, _, html) = portal
        .post_form(&format!("{}/billing/checkout", portal.kasa.base), &fields)
        .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(forms(&html)[0].action.starts_with(&portal.sandbox.base));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_language_switch_is_remembered_on_the_customer_and_audited() {
    let portal = Portal::open().await;
    let (_, page) = portal.text("/billing").await;
    assert!(page.contains("lang=\"tr\""), "{page}");
    // Without the form's token the switch changes nothing.
    let (status, _, _) = portal
        .post_form(
            &format!("{}/billing/language", portal.kasa.base),
            &[
                ("language".to_owned(), "en".to_owned()),
                ("back".to_owned(), "/billing/history".to_owned()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let csrf = portal.csrf().await;
    let (status, location, _) = portal
        .post_form(
            &format!("{}/billing/language", portal.kasa.base),
            &[
                ("language".to_owned(), "en".to_owned()),
                ("back".to_owned(), "/billing/history".to_owned()),
                ("csrf".to_owned(), csrf),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some("/billing/history"));
    let (_, history) = portal.text("/billing/history").await;
    assert!(history.contains("lang=\"en\""), "{history}");
    assert!(
        history.contains("You have made no purchases yet."),
        "{history}"
    );
    let customer = portal
        .kasa
        .get(
            &format!("/v1/customers/{}", portal.customer_id),
            &portal.admin,
        )
        .await;
    assert_eq!(customer["language"], "en");
    let audit = portal
        .kasa
        .get(
            &format!("/v1/audit?subject=customer:{}", portal.customer_id),
            &portal.admin,
        )
        .await;
    let changed = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| {
            entry["reason"]
                .as_str()
                .is_some_and(|reason| reason.starts_with("language changed by the customer"))
        })
        .unwrap_or_else(|| panic!("an audit entry: {audit:#}"));
    assert_eq!(
        changed["actor"],
        format!("customer:{}", portal.customer_id),
        "{changed:#}"
    );

    // The same through the API; a language Kasa does not write is refused as a problem.
    let (status, body) = portal
        .kasa
        .call(
            reqwest::Method::PUT,
            "/v1/me/language",
            Some(&portal.browser.token),
            Some(json!({ "language": "de" })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "invalid-input", "{body}");
    let (status, body) = portal
        .kasa
        .call(
            reqwest::Method::PUT,
            "/v1/me/language",
            Some(&portal.browser.token),
            Some(json!({ "language": "tr" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["language"], "tr");
    let (_, page) = portal.text("/billing").await;
    assert!(page.contains("lang=\"tr\""), "{page}");
    // Staff tokens are sent to their own endpoints.
    let (status, _) = portal
        .kasa
        .call(
            reqwest::Method::GET,
            "/v1/me/history",
            Some(&portal.admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let _: Value = portal
        .kasa
        .get("/v1/me/tax-details", &portal.browser.token)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_link_offers_a_new_one_without_telling_who_is_a_customer() {
    let portal = Portal::open().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = client
        .get(format!(
            "{}/billing?token=kasa_customer_expired",
            portal.kasa.base
        ))
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::UNAUTHORIZED);
    let cookie = page.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let html = text_of(&page.text().await.unwrap());
    assert!(
        html.contains("lang=\"en\""),
        "the browser's language: {html}"
    );
    assert!(html.contains("E-mail me a new link"), "{html}");
    let token = support::field_value(&html, "form_token");
    let links = |customer_id: String| {
        let kasa = &portal.kasa;
        let admin = portal.admin.clone();
        async move {
            kasa.get(
                &format!("/v1/customers/{customer_id}/billing-links"),
                &admin,
            )
            .await
            .as_array()
            .unwrap()
            .len()
        }
    };
    let before = links(portal.customer_id.clone()).await;
    let ask = |email: &'static str, with_token: bool| {
        let client = client.clone();
        let cookie = cookie.clone();
        let token = token.clone();
        let base = portal.kasa.base.clone();
        async move {
            let mut fields = vec![("email", email.to_owned())];
            if with_token {
                fields.push(("form_token", token));
            }
            let response = client
                .post(format!("{base}/billing/new-link"))
                .header("cookie", cookie)
                .form(&fields)
                .send()
                .await
                .unwrap();
            let location = response
                .headers()
                .get("location")
                .map(|value| value.to_str().unwrap().to_owned());
            (response.status(), location, response.text().await.unwrap())
        }
    };
    let known = ask("Ayse@Example.com", true).await;
    let unknown = ask("nobody@example.com", true).await;
    assert_eq!(known.0, StatusCode::SEE_OTHER);
    assert_eq!(
        known, unknown,
        "the same answer whether the address is known"
    );
    assert_eq!(known.1.as_deref(), Some("/billing/new-link/sent"));
    assert_eq!(links(portal.customer_id.clone()).await, before + 1);
    // Without the form's token nothing is sent.
    let (status, _, _) = ask("ayse@example.com", false).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Not an address: the error next to the field.
    let (status, _, body) = ask("not an address", true).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("aria-invalid=\"true\""), "{body}");
    // Rate-limited, the answer unchanged: at most three links made for one customer an hour
    // (the link staff sent this hour counts), and three requests for one address.
    assert_eq!(before, 1, "the link made when the test began");
    for _ in 0..3 {
        assert_eq!(ask("ayse@example.com", true).await, known);
    }
    assert_eq!(links(portal.customer_id.clone()).await, 3);
    let sent = client
        .get(format!("{}/billing/new-link/sent", portal.kasa.base))
        .header("accept-language", "tr-TR")
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), StatusCode::OK);
    assert!(text_of(&sent.text().await.unwrap()).contains("Bu adres kayıtlıysa"));

    // The limit is kept with the links: a restart (a fresh counter in memory) sends no more.
    let mut portal = portal;
    portal.kasa.kill_and_restart().await;
    let again = client
        .post(format!("{}/billing/new-link", portal.kasa.base))
        .header("cookie", cookie)
        .form(&[
            ("email", "ayse@example.com"),
            ("form_token", token.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    let after_restart = portal
        .kasa
        .get(
            &format!("/v1/customers/{}/billing-links", portal.customer_id),
            &portal.admin,
        )
        .await;
    assert_eq!(after_restart.as_array().unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tax_details_are_checked_like_the_api_with_errors_next_to_the_fields() {
    let portal = Portal::open().await;
    let (status, page) = portal.text("/billing/tax-details").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let csrf = support::field_value(&page, "csrf");
    let post = |fields: Vec<(&str, &str)>| {
        let fields: Vec<(String, String)> = fields
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect();
        let portal = &portal;
        async move {
            portal
                .post_form(
                    &format!("{}/billing/tax-details", portal.kasa.base),
                    &fields,
                )
                .await
        }
    };
    // A TCKN whose check digits do not match, and an overlong tax office: both errors shown,
    // each next to its field, in Turkish; nothing saved.
    let long_office = "x".repeat(101);
    let (status, _, html) = post(vec![
        ("csrf", &csrf),
        ("tax_id", "12345678901"),
        ("tax_office", &long_office),
        ("billing_address", "Atatürk Cad. 1\nİstanbul"),
    ])
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
    let html = text_of(&html);
    assert!(html.contains("id=\"tax-id-error\""), "{html}");
    assert!(html.contains("kontrol haneleri tutmuyor"), "{html}");
    assert!(html.contains("id=\"tax-office-error\""), "{html}");
    assert!(html.contains("en fazla 100 karakter"), "{html}");
    assert!(!html.contains("id=\"billing-address-error\""), "{html}");
    assert!(
        html.contains("Atatürk Cad. 1"),
        "what was typed is kept: {html}"
    );
    let me = portal
        .kasa
        .get("/v1/me/tax-details", &portal.browser.token)
        .await;
    assert_eq!(me["tax_id"], Value::Null, "{me}");
    // The API refuses the same TCKN.
    let (status, body) = portal
        .kasa
        .call(
            reqwest::Method::PUT,
            "/v1/me/tax-details",
            Some(&portal.browser.token),
            Some(json!({ "tax_id": "12345678901" })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // Without the form's token nothing is saved.
    let (status, _, _) = post(vec![("tax_id", "1234567890")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A valid TCKN and address: saved, then back to the form (POST, redirect, GET).
    let (status, location, _) = post(vec![
        ("csrf", &csrf),
        ("tax_id", "10000000146"),
        ("tax_office", "Kadıköy"),
        ("billing_address", "Atatürk Cad. 1\nİstanbul"),
    ])
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some("/billing/tax-details?saved=1"));
    let (_, saved) = portal.text("/billing/tax-details?saved=1").await;
    assert!(saved.contains("Vergi bilgileriniz kaydedildi"), "{saved}");
    assert!(saved.contains("value=\"10000000146\""), "{saved}");
    let me = portal
        .kasa
        .get("/v1/me/tax-details", &portal.browser.token)
        .await;
    assert_eq!(
        me,
        json!({ "tax_id": "10000000146", "tax_office": "Kadıköy",
                "billing_address": "Atatürk Cad. 1\nİstanbul" })
    );

    // The card page: NestPay keeps no card, and the page says so.
    let (status, card) = portal.text("/billing/payment-method").await;
    assert_eq!(status, StatusCode::OK, "{card}");
    assert!(card.contains("kart saklanmaz"), "{card}");
    assert!(!card.contains("id=\"update-card\""), "{card}");
    // The packages say what one ticket costs in each department.
    let (_, packages) = portal.text("/billing").await;
    assert!(
        packages.contains("Teknik Destek: talep başına 10,00 ₺"),
        "{packages}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_portal_page_reads_well_in_turkish_and_english_and_passes_the_checks() {
    let portal = Portal::open().await;
    let english_id = customer(&portal.kasa, &portal.admin, "jane@example.com", "en").await;
    let english = portal
        .kasa
        .billing_browser(&portal.admin, &english_id)
        .await;
    // Each customer pays once and is refused once.
    let mut declined = Vec::new();
    for browser in [&portal.browser, &english] {
        let paid = portal.pay_as(browser, APPROVED).await;
        portal.return_to_kasa(&paid).await;
        let refused = portal.pay_as(browser, DECLINED_51).await;
        declined.push(portal.return_to_kasa(&refused).await);
    }
    let out = tempfile_dir();
    let base = portal.kasa.base.clone();
    let (tr_token, en_token) = (portal.browser.token.clone(), english.token.clone());
    let out_text = out.to_str().unwrap().to_owned();
    let report = tokio::task::spawn_blocking(move || {
        support::run_browser_script(
            "portal.mjs",
            &[
                &base,
                &out_text,
                &tr_token,
                &declined[0],
                &en_token,
                &declined[1],
            ],
        )
    })
    .await
    .unwrap();
    support::assert_pages_pass(&report);
    let steps = &report["steps"];
    assert_eq!(steps["cspErrors"], json!([]), "{report:#}");
    assert_eq!(report["checks"].as_array().unwrap().len(), 20, "{report:#}");

    let tr = &steps["tr"];
    assert_eq!(tr["lang"], "tr");
    assert_eq!(tr["seller"], "Örnek Destek A.Ş.");
    assert_eq!(tr["support"], "destek@ornek.example");
    assert_eq!(tr["coverage"], "Teknik Destek: talep başına 10,00 ₺");
    assert_eq!(tr["historyUrl"], "/billing/history");
    let history = tr["history"].to_string();
    assert!(history.contains("Visa, son dört hanesi 4509"), "{history}");
    assert!(
        history.contains("Ödendi") && history.contains("Ödenmedi"),
        "{history}"
    );
    assert!(
        tr["taxError"]
            .as_str()
            .unwrap()
            .contains("kontrol haneleri tutmuyor")
    );
    assert!(
        tr["taxErrorDescribed"]
            .as_str()
            .unwrap()
            .contains("tax-id-error")
    );
    assert_eq!(tr["taxSavedUrl"], "/billing/tax-details?saved=1");
    assert!(tr["card"].as_str().unwrap().contains("kart saklanmaz"));
    let refused = tr["declined"].as_str().unwrap();
    assert!(
        refused.contains("bakiyesi veya limiti yetersiz"),
        "{refused}"
    );
    assert!(!refused.contains("51"), "{refused}");
    assert_eq!(tr["retry"], "Tekrar dene");
    assert_eq!(tr["switchedLang"], "en");
    assert!(
        tr["switchedUrl"]
            .as_str()
            .unwrap()
            .starts_with("/billing/result/")
    );
    assert_eq!(tr["rememberedLang"], "en");
    assert_eq!(tr["backLang"], "tr");
    assert_eq!(tr["expiredLang"], "tr");
    assert_eq!(
        tr["newLinkError"],
        "ad@ornek.com gibi bir e-posta adresi girin."
    );
    assert_eq!(tr["newLinkUrl"], "/billing/new-link/sent");

    let en = &steps["en"];
    assert_eq!(en["lang"], "en");
    assert_eq!(en["coverage"], "Teknik Destek: ₺10.00 per ticket");
    let history = en["history"].to_string();
    assert!(history.contains("Visa ending in 4509"), "{history}");
    assert!(history.contains("Paid"), "{history}");
    assert!(
        en["declined"]
            .as_str()
            .unwrap()
            .contains("balance or limit is not enough")
    );
    assert_eq!(en["retry"], "Try again");
    assert_eq!(en["switchedLang"], "tr");
    assert_eq!(en["backLang"], "en");
    assert_eq!(en["expiredLang"], "en");
    assert!(
        en["newLinkSent"]
            .as_str()
            .unwrap()
            .starts_with("If this address is on file")
    );

    // The documents downloaded in the browser, read back.
    for language in ["tr", "en"] {
        let pdf = std::fs::read(steps[language]["pdf"].as_str().unwrap()).unwrap();
        assert!(pdf.starts_with(b"%PDF"), "{language}");
        let text = pdf_text(&pdf);
        assert!(text.contains("10 kredi"), "{language}: {text}");
    }
    let _ = std::fs::remove_dir_all(&out);
}

/// A fresh folder for the browser's downloads.
fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "kasa-portal-browser-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
