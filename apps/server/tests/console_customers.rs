//! Customers in the console, in a real headless chromium: the search (name, external id,
//! ticket id), the customer's page with its ledger paged and a document's PDF, creating and
//! editing a customer (a concurrent edit refused with a clear message), English and Turkish,
//! and a role that may only read; every page checked with axe-core and at 390 px.

mod support;

use serde_json::{Value, json};
use support::{ADMIN_EMAIL, ADMIN_PASSWORD, Backend, Kasa, assert_pages_pass, run_browser_script};

const FINANCE_EMAIL: &str = "finance@example.com";
const FINANCE_PASSWORD: &str = "a long finance password";

fn id(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_owned()
}

/// A department, a 100-credit package granted (charged, so it has an invoice) to Ayşe, 30
/// tickets charged (31 ledger entries: two pages), another customer, and a finance user.
async fn seed(kasa: &Kasa) {
    let admin = kasa.admin_token().await;
    let support = kasa
        .post(
            "/v1/departments",
            &admin,
            json!({ "name": "Teknik Destek", "credits_per_request": 1, "reason": "setup" }),
        )
        .await;
    let hundred = kasa
        .post(
            "/v1/packages",
            &admin,
            json!({ "name": "100 kredi", "kind": "credit", "credits": 100,
                    "department_ids": [id(&support)],
                    "price": { "amount": "400.00", "currency": "TRY" },
                    "on_sale": true, "reason": "setup" }),
        )
        .await;
    let ayse = kasa
        .post(
            "/v1/customers",
            &admin,
            json!({ "email": "ayse@example.com", "name": "Ayşe Yılmaz",
                    "external_ids": [{ "system": "zendesk", "value": "4242" }],
                    "reason": "new" }),
        )
        .await;
    let bora = kasa
        .post(
            "/v1/customers",
            &admin,
            json!({ "email": "bora@example.com", "name": "Bora Kaya",
                    "external_ids": [{ "system": "freshdesk", "value": "9" }], "reason": "new" }),
        )
        .await;
    let monthly = kasa
        .post(
            "/v1/packages",
            &admin,
            json!({ "name": "Aylık", "kind": "subscription", "days": 30,
                    "department_ids": [id(&support)],
                    "price": { "amount": "250.00", "currency": "TRY" },
                    "on_sale": true, "reason": "setup" }),
        )
        .await;
    let subscribed = kasa
        .post(
            &format!("/v1/customers/{}/grants", id(&bora)),
            &admin,
            json!({ "package_id": id(&monthly), "reason": "trial month" }),
        )
        .await;
    assert_eq!(
        subscribed["holding"]["kind"], "subscription",
        "{subscribed:#}"
    );
    let granted = kasa
        .post(
            &format!("/v1/customers/{}/grants", id(&ayse)),
            &admin,
            json!({ "package_id": id(&hundred), "charged": true, "reason": "paid by bank transfer" }),
        )
        .await;
    assert_eq!(granted["holding"]["balance"], 100, "{granted:#}");
    // 28 audit entries about Ayşe in all (created, granted, 26 edits): two pages of her trail.
    for office in 1..=26 {
        let (status, body) = kasa
            .call(
                reqwest::Method::PUT,
                &format!("/v1/customers/{}", id(&ayse)),
                Some(&admin),
                Some(
                    json!({ "tax_details": { "tax_office": format!("Kadıköy {office}") },
                             "reason": format!("tax office, try {office}") }),
                ),
            )
            .await;
        assert_eq!(status, 200, "{body:#}");
    }
    let help_desk = kasa.api_key(&admin, "help_desk").await;
    for ticket in 9001..9031 {
        let charged = kasa
            .post(
                "/v1/charges",
                &help_desk,
                json!({ "customer": { "external_system": "zendesk", "external_id": "4242" },
                        "department_id": id(&support), "kind": "ticket",
                        "reference": format!("T-{ticket}") }),
            )
            .await;
        assert_eq!(charged["allowed"], true, "{charged:#}");
    }
    kasa.post(
        "/v1/users",
        &admin,
        json!({ "email": FINANCE_EMAIL, "name": "Fatma Finans", "role": "finance",
                "password": FINANCE_PASSWORD, "reason": "hired" }),
    )
    .await;
}

#[tokio::test]
async fn an_agent_finds_a_customer_every_way_reads_their_page_and_creates_and_edits_one() {
    let kasa = Kasa::start(Backend::Sqlite).await.expect("kasa starts");
    the_customer_pages_work_for_an_agent(&kasa).await;
}

#[tokio::test]
async fn the_customer_pages_work_the_same_on_postgresql() {
    let Some(kasa) = Kasa::start(Backend::Postgres).await else {
        return;
    };
    the_customer_pages_work_for_an_agent(&kasa).await;
}

async fn the_customer_pages_work_for_an_agent(kasa: &Kasa) {
    seed(kasa).await;
    let base = kasa.base.clone();
    let report = tokio::task::spawn_blocking(move || {
        run_browser_script(
            "console-customers.mjs",
            &[
                &base,
                ADMIN_EMAIL,
                ADMIN_PASSWORD,
                FINANCE_EMAIL,
                FINANCE_PASSWORD,
            ],
        )
    })
    .await
    .unwrap();
    assert_pages_pass(&report);
    let steps = &report["steps"];
    let text = |key: &str| steps[key].as_str().unwrap_or_default().to_owned();
    for key in ["byName", "byExternalId", "byExternalValue", "byTicket"] {
        assert!(text(key).contains("Ayşe Yılmaz"), "{key}: {report:#}");
        assert!(!text(key).contains("Bora Kaya"), "{key}: {report:#}");
    }
    assert!(text("byExternalId").contains("zendesk:4242"), "{report:#}");
    assert!(text("byName").contains("70 credits"), "{report:#}");
    assert_eq!(steps["heading"], "Ayşe Yılmaz");
    assert_eq!(steps["holds"], "70 credits");
    assert_eq!(steps["charges"], 10, "the latest 10 charges");
    assert!(text("firstCharge").contains("Ticket T-9030"), "{report:#}");
    assert!(text("firstCharge").contains("Teknik Destek"), "{report:#}");
    assert_eq!(steps["ledgerRows"], 25, "a page of the ledger");
    assert_eq!(steps["ledgerPage2"], "?ledger_page=2");
    assert_eq!(steps["ledgerPage2Rows"], 6, "31 entries: 25 then 6");
    assert_eq!(steps["documents"], 1, "{report:#}");
    assert_eq!(
        steps["pdf"],
        json!({ "status": 200, "type": "application/pdf" })
    );
    let actions: Vec<&str> = steps["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(actions.contains(&"Grant a package"), "{actions:?}");
    assert!(actions.contains(&"Adjust credits"), "{actions:?}");
    assert!(
        !actions.contains(&"Cancel the subscription"),
        "no subscription to cancel: {actions:?}"
    );
    assert_eq!(steps["auditRows"], 25, "a page of the audit trail");
    assert!(
        text("latestAudit").contains("tax office, try 26"),
        "newest first: {report:#}"
    );
    assert_eq!(steps["olderAuditRows"], 3, "28 entries: 25 then 3");
    assert!(
        text("oldestAudit").contains("customer.created"),
        "{report:#}"
    );
    let subscription = text("subscription");
    for words in ["Subscription until", "Days left", "Renewal opens", "Ends"] {
        assert!(subscription.contains(words), "{words}: {report:#}");
    }
    assert!(
        steps["subscriptionActions"]
            .as_array()
            .unwrap()
            .contains(&json!("Cancel the subscription")),
        "{report:#}"
    );
    assert!(
        !steps["subscriptionActions"]
            .as_array()
            .unwrap()
            .contains(&json!("Adjust credits")),
        "{report:#}"
    );
    assert_eq!(steps["turkishLedgerHeading"], "Kredi hareketleri");
    assert!(text("turkishSearch").contains("70 kredi"), "{report:#}");
    assert_eq!(
        steps["missingReason"],
        "Bu değişikliği neden yaptığınızı yazın: denetim kaydında saklanır."
    );
    assert_eq!(
        steps["takenEmail"],
        "Bu e-posta adresi başka bir müşteride kayıtlı."
    );
    assert_eq!(steps["createdNotice"], "Müşteri oluşturuldu.");
    assert_eq!(steps["createdHeading"], "Mehmet Demir");
    assert_eq!(steps["updatedNotice"], "The customer was saved.");
    assert_eq!(steps["updatedHeading"], "Mehmet Demir A.Ş.");
    assert!(
        text("conflict").contains("Someone else changed this customer"),
        "{report:#}"
    );
    assert_eq!(
        steps["conflictName"], "Mehmet Demir A.Ş.",
        "the saved version"
    );
    assert_eq!(steps["secondSave"], "The customer was saved.");
    assert_eq!(steps["forgedStatus"], 403, "a forged form is refused");
    assert_eq!(steps["forgedFound"], 0, "and creates nobody");
    assert_eq!(steps["financeHeading"], "Mehmet Demir A.Ş.");
    assert_eq!(steps["financeActions"], 0, "finance changes nothing");
    assert_eq!(steps["financeNew"]["status"], 403, "{report:#}");
    assert_eq!(steps["financeEdit"], 403, "{report:#}");
    assert_eq!(steps["financeNewLink"], 0);
}

#[tokio::test]
async fn the_customer_pages_need_a_session_and_refuse_a_forged_form() {
    let kasa = Kasa::start(Backend::Sqlite).await.expect("kasa starts");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for path in [
        "/console/customers?q=ayse",
        "/console/customers/new",
        "/console/customers/0193a5c2-7d4e-7000-8000-000000000001",
    ] {
        let response = client
            .get(format!("{}{path}", kasa.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "{path}");
        assert!(
            response.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/console/sign-in?back="),
            "{path}"
        );
    }
    let response = client
        .post(format!("{}/console/customers/new", kasa.base))
        .form(&[("email", "x@example.com"), ("name", "X"), ("reason", "r")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"],
        "/console/sign-in?expired=1",
        "a form without a session changes nothing"
    );
}
