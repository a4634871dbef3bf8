//! Payments imported by API (ADR 0025), on the real `kasa` server: a bank transfer recorded
//! against a payment request completes it with its invoice and webhooks, once per reference;
//! every refusal is its problem; the customer's history names the method; a payment the
//! customer left at the local NestPay bank is given up there before a transfer completes its
//! purchase; and in the console a person records a cash payment against a request in a real
//! browser.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{
    ADMIN_EMAIL, ADMIN_PASSWORD, Backend, Kasa, SANDBOX_API_PASSWORD, SANDBOX_API_USER,
    SANDBOX_CLIENT_ID, SANDBOX_STORE_KEY, Sandbox, assert_pages_pass, console_cookie,
    run_browser_script,
};

fn id(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_owned()
}

/// A department, a 10-credit package at 100.00 TRY and a customer; returns (customer, package).
async fn setup(kasa: &Kasa, admin: &str) -> (String, String) {
    let support = kasa
        .post(
            "/v1/departments",
            admin,
            json!({ "name": "Teknik Destek", "credits_per_request": 1, "reason": "setup" }),
        )
        .await;
    let package = kasa
        .post(
            "/v1/packages",
            admin,
            json!({
                "name": "10 kredi", "kind": "credit", "credits": 10,
                "department_ids": [id(&support)],
                "price": { "amount": "100.00", "currency": "TRY" }, "on_sale": true,
                "reason": "setup"
            }),
        )
        .await;
    let customer = kasa
        .post(
            "/v1/customers",
            admin,
            json!({ "email": "ayse@example.com", "name": "Ayşe Yılmaz", "reason": "new" }),
        )
        .await;
    (id(&customer), id(&package))
}

async fn ask(kasa: &Kasa, admin: &str, customer_id: &str, package_id: &str) -> String {
    let request = kasa
        .post(
            &format!("/v1/customers/{customer_id}/payment-requests"),
            admin,
            json!({ "package_id": package_id, "description": "Aralık desteği",
                    "reason": "asked on the phone" }),
        )
        .await;
    id(&request)
}

fn transfer(reference: &str, amount: &str) -> Value {
    json!({
        "method": "bank_transfer",
        "reference": reference,
        "amount": { "amount": amount, "currency": "TRY" },
        "received_at": "2026-01-02T09:30:00Z",
        "note": "from the company account",
        "reason": "the bank statement shows it"
    })
}

/// Posts `body` to `path` and checks the refusal's status and code; returns the problem.
async fn refused(
    kasa: &Kasa,
    path: &str,
    token: &str,
    body: Value,
    status: StatusCode,
    code: &str,
) -> Value {
    let (answered, problem) = kasa.call(Method::POST, path, Some(token), Some(body)).await;
    assert_eq!(answered, status, "{problem}");
    assert_eq!(problem["code"], code, "{problem}");
    problem
}

async fn imports_are_recorded_once_by_reference(backend: Backend) {
    let Some(kasa) = Kasa::start(backend).await else {
        return;
    };
    let admin = kasa.admin_token().await;
    let (customer_id, package_id) = setup(&kasa, &admin).await;
    let endpoint = kasa
        .post(
            "/v1/webhook-endpoints",
            &admin,
            json!({ "url": "http://127.0.0.1:9/hook", "description": "ERP",
                    "event_types": ["purchase.completed", "invoice.issued", "payment_request.paid"],
                    "reason": "the ERP listens" }),
        )
        .await;
    let request_id = ask(&kasa, &admin, &customer_id, &package_id).await;
    let path = format!("/v1/payment-requests/{request_id}/imported-payments");

    let (status, done) = kasa
        .call(
            Method::POST,
            &path,
            Some(&admin),
            Some(transfer("TR33-0001", "100.00")),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["created"], true);
    assert_eq!(done["imported_payment"]["method"], "bank_transfer");
    assert_eq!(done["imported_payment"]["reference"], "TR33-0001");
    assert_eq!(done["imported_payment"]["note"], "from the company account");
    assert_eq!(done["purchase"]["status"], "completed");
    assert_eq!(done["purchase"]["payment"]["gateway"], "bank_transfer");
    assert_eq!(done["purchase"]["payment"]["status"], "captured");
    let purchase_id = id(&done["purchase"]);
    let request = kasa
        .get(&format!("/v1/payment-requests/{request_id}"), &admin)
        .await;
    assert_eq!(request["state"], "paid");
    let invoices = kasa
        .get(&format!("/v1/purchases/{purchase_id}/invoices"), &admin)
        .await;
    assert_eq!(invoices.as_array().unwrap().len(), 1, "{invoices}");

    // The same reference again: the first import, nothing new.
    let (status, again) = kasa
        .call(
            Method::POST,
            &path,
            Some(&admin),
            Some(transfer("TR33-0001", "100.00")),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["created"], false);
    assert_eq!(
        again["imported_payment"]["payment_id"],
        done["imported_payment"]["payment_id"]
    );
    let (status, by_purchase) = kasa
        .call(
            Method::POST,
            &format!("/v1/purchases/{purchase_id}/imported-payments"),
            Some(&admin),
            Some(transfer("TR33-0001", "100.00")),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{by_purchase}");
    assert_eq!(by_purchase["created"], false);
    let invoices = kasa
        .get(&format!("/v1/purchases/{purchase_id}/invoices"), &admin)
        .await;
    assert_eq!(invoices.as_array().unwrap().len(), 1, "still one invoice");
    let deliveries = kasa
        .get(
            &format!(
                "/v1/webhook-endpoints/{}/deliveries",
                id(&endpoint["endpoint"])
            ),
            &admin,
        )
        .await;
    let mut types: Vec<&str> = deliveries
        .as_array()
        .unwrap()
        .iter()
        .map(|delivery| delivery["event_type"].as_str().unwrap())
        .collect();
    types.sort_unstable();
    assert_eq!(
        types,
        [
            "invoice.issued",
            "payment_request.paid",
            "purchase.completed"
        ],
        "each event once"
    );

    // Refusals, each with its problem and nothing recorded.
    let purchase_path = format!("/v1/purchases/{purchase_id}/imported-payments");
    let paid = refused(
        &kasa,
        &purchase_path,
        &admin,
        transfer("TR33-0002", "100.00"),
        StatusCode::CONFLICT,
        "purchase-already-paid",
    )
    .await;
    assert_eq!(paid["facts"]["paid_with"], "bank_transfer");
    let second = ask(&kasa, &admin, &customer_id, &package_id).await;
    let second_path = format!("/v1/payment-requests/{second}/imported-payments");
    let used = refused(
        &kasa,
        &second_path,
        &admin,
        transfer("TR33-0001", "100.00"),
        StatusCode::CONFLICT,
        "import-reference-used",
    )
    .await;
    assert_eq!(used["facts"]["purchase_id"], purchase_id.as_str());
    let mismatch = refused(
        &kasa,
        &second_path,
        &admin,
        transfer("TR33-0003", "90.00"),
        StatusCode::UNPROCESSABLE_ENTITY,
        "import-amount-mismatch",
    )
    .await;
    assert_eq!(mismatch["facts"]["owed"]["amount"], "100.00");
    let mut bad_date = transfer("TR33-0004", "100.00");
    bad_date["received_at"] = json!("yesterday");
    refused(
        &kasa,
        &second_path,
        &admin,
        bad_date,
        StatusCode::BAD_REQUEST,
        "invalid-input",
    )
    .await;
    let mut future = transfer("TR33-0005", "100.00");
    future["received_at"] = json!("2999-01-01T00:00:00Z");
    refused(
        &kasa,
        &second_path,
        &admin,
        future,
        StatusCode::BAD_REQUEST,
        "invalid-input",
    )
    .await;
    refused(
        &kasa,
        "/v1/purchases/0190b7a4-5c2e-7000-8000-000000000000/imported-payments",
        &admin,
        transfer("TR33-0006", "100.00"),
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    let reader = kasa.api_key(&admin, "read_only").await;
    refused(
        &kasa,
        &second_path,
        &reader,
        transfer("TR33-0007", "100.00"),
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let second_request = kasa
        .get(&format!("/v1/payment-requests/{second}"), &admin)
        .await;
    assert_eq!(second_request["state"], "open", "{second_request}");
    assert_eq!(second_request["payment_under_way"], false);
    let finance = kasa.api_key(&admin, "finance").await;
    let (status, by_finance) = kasa
        .call(
            Method::POST,
            &second_path,
            Some(&finance),
            Some(transfer("TR33-0008", "100.00")),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "finance records payments: {by_finance}"
    );

    // The customer's history names the method.
    let browser = kasa.billing_browser(&admin, &customer_id).await;
    let history = browser
        .client
        .get(format!("{}/billing/history", kasa.base))
        .header("cookie", &browser.cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        history.contains("Havale / EFT") || history.contains("Bank transfer"),
        "{history}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_are_recorded_once_by_reference_on_sqlite() {
    imports_are_recorded_once_by_reference(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_are_recorded_once_by_reference_on_postgres() {
    imports_are_recorded_once_by_reference(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transfer_for_a_payment_left_at_the_bank_gives_the_bank_payment_up_first() {
    let sandbox = Sandbox::start();
    let kasa = Kasa::start(Backend::Sqlite).await.expect("kasa starts");
    let admin = kasa.admin_token().await;
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
    let (customer_id, package_id) = setup(&kasa, &admin).await;
    let request_id = ask(&kasa, &admin, &customer_id, &package_id).await;

    // The customer starts paying at the bank and leaves the bank's page.
    let browser = kasa.billing_browser(&admin, &customer_id).await;
    let started = browser
        .client
        .post(format!("{}/billing/requests/{request_id}/pay", kasa.base))
        .header("cookie", &browser.cookie)
        .form(&[("gateway", "nestpay")])
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), StatusCode::OK, "the bank's form");
    let request = kasa
        .get(&format!("/v1/payment-requests/{request_id}"), &admin)
        .await;
    assert_eq!(request["payment_under_way"], true, "{request}");
    let purchase_id = request["purchase_id"].as_str().unwrap().to_owned();

    // The console offers to record a payment received elsewhere on the pending purchase.
    let session = console_cookie(&kasa, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let console = reqwest::Client::new();
    let customer_page = console
        .get(format!("{}/console/customers/{customer_id}", kasa.base))
        .header("cookie", &session)
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        customer_page.contains(&format!("/console/purchases/{purchase_id}/import")),
        "{customer_page}"
    );

    // The transfer arrives: the bank's payment is given up, then the purchase completes.
    let done = kasa
        .post(
            &format!("/v1/purchases/{purchase_id}/imported-payments"),
            &admin,
            transfer("TR33-0100", "100.00"),
        )
        .await;
    assert_eq!(done["created"], true, "{done}");
    assert_eq!(done["purchase"]["id"], purchase_id.as_str());
    assert_eq!(done["purchase"]["payment"]["gateway"], "bank_transfer");
    let request = kasa
        .get(&format!("/v1/payment-requests/{request_id}"), &admin)
        .await;
    assert_eq!(request["state"], "paid", "{request}");
    let audit = kasa
        .get("/v1/audit?action=purchase.completed&limit=10", &admin)
        .await;
    assert_eq!(audit.as_array().unwrap().len(), 1, "{audit}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_records_a_cash_payment_against_a_request_in_the_console() {
    let kasa = Kasa::start(Backend::Sqlite).await.expect("kasa starts");
    let admin = kasa.admin_token().await;
    let (customer_id, package_id) = setup(&kasa, &admin).await;
    let request_id = ask(&kasa, &admin, &customer_id, &package_id).await;
    let base = kasa.base.clone();
    let customer = customer_id.clone();
    let report = tokio::task::spawn_blocking(move || {
        run_browser_script(
            "console-import.mjs",
            &[&base, ADMIN_EMAIL, ADMIN_PASSWORD, &customer],
        )
    })
    .await
    .unwrap();
    assert_pages_pass(&report);
    let steps = &report["steps"];
    let text = |name: &str| steps[name].as_str().unwrap_or_default().to_owned();
    assert!(text("owed").contains("₺100.00"), "{report:#}");
    assert!(
        text("missingReference").contains("Each reference is recorded once"),
        "{report:#}"
    );
    assert!(
        text("effect").contains("Record ₺100.00 received in cash, reference MAKBUZ-0042"),
        "{report:#}"
    );
    let done = format!("/console/customers/{customer_id}?done=payment-imported");
    assert_eq!(steps["import"]["first"], done.as_str(), "{report:#}");
    assert_eq!(steps["import"]["second"], done.as_str(), "{report:#}");
    assert!(
        text("paymentCell").contains("Cash · MAKBUZ-0042"),
        "{report:#}"
    );
    assert!(
        text("paymentCellTr").contains("Nakit · MAKBUZ-0042"),
        "{report:#}"
    );

    let request = kasa
        .get(&format!("/v1/payment-requests/{request_id}"), &admin)
        .await;
    assert_eq!(request["state"], "paid", "{request}");
    let purchases = kasa
        .get(&format!("/v1/purchases?customer_id={customer_id}"), &admin)
        .await;
    let completed: Vec<&Value> = purchases
        .as_array()
        .unwrap()
        .iter()
        .filter(|purchase| purchase["status"] == "completed")
        .collect();
    assert_eq!(
        completed.len(),
        1,
        "recorded once though sent twice: {purchases}"
    );
    assert_eq!(completed[0]["payment"]["gateway"], "cash");
    assert_eq!(completed[0]["payment"]["reference"], "MAKBUZ-0042");
    let audit = kasa
        .get("/v1/audit?action=purchase.completed&limit=10", &admin)
        .await;
    assert_eq!(audit.as_array().unwrap().len(), 1, "{audit}");
    assert_eq!(audit[0]["reason"], "Cash paid at the office", "{audit}");
}
