//! The finance pages in a real headless chromium, as a finance user: last month's revenue found
//! from the menu, the invoice register and the KDV summary downloaded as CSV (the bytes checked:
//! BOM, header, rows), the prepaid-credit liability and usage read with their charts. The
//! history is written through the real use cases into the SQLite file before the server starts,
//! with the clock standing in the middle of last month (Kasa's own clock cannot be moved), then
//! a purchase this month that last month's figures must not include. Every figure expected here
//! is computed by the test from what it wrote. Every page is checked with axe-core and at
//! 390 px, in English and in Turkish.

mod support;

use std::sync::Arc;

use kasa_billing::{
    ActOnPayment, ChargeOutcome, ChargeUsage, GrantPackage, PurchaseCompletion, RequestedAction,
    StartPurchase,
};
use kasa_domain::{
    Currency, Customer, CustomerId, EmailAddress, Language, Money, Package, PackageId, PackageKind,
    UsageKey, UsageKind,
};
use kasa_ports::{ActionContext, CaptureMode, CustomerLookup, GatewayName, new_id};
use kasa_postgres::{SqlStore, StoreConfig};
use kasa_subscriptions::ForfeitConfirmation;
use kasa_testkit::{TestBilling, agent_context, credit_package, department, help_desk_actor};
use serde_json::{Value, json};
use support::{
    ADMIN_EMAIL, ADMIN_PASSWORD, Kasa, assert_pages_pass, kasa_command, run_browser_script,
};
use time::{Date, Duration, OffsetDateTime, Time};

const FINANCE_EMAIL: &str = "muhasebe@example.com";
const FINANCE_PASSWORD: &str = "defter-kapanis-2026";

/// The middle of last month, 10:00 UTC (13:00 in Istanbul: well inside the day there).
fn middle_of_last_month(now: OffsetDateTime) -> OffsetDateTime {
    let first_of_this_month = now.date().replace_day(1).expect("day 1");
    let last_month = first_of_this_month - Duration::days(1);
    let day = last_month.replace_day(10).expect("day 10");
    day.with_time(Time::from_hms(10, 0, 0).expect("10:00"))
        .assume_utc()
}

fn named_customer(email: &str, name: &str) -> Customer {
    Customer::new(
        new_id::<CustomerId>(),
        EmailAddress::parse(email).expect("an address"),
        name,
        Language::Tr,
        Vec::new(),
    )
    .expect("a customer")
}

fn dollar_package(department: &kasa_domain::Department) -> Package {
    Package::new(
        new_id::<PackageId>(),
        "10 credits (USD)",
        PackageKind::Credit {
            credits: kasa_domain::Credits::from_u32(10),
        },
        [department.id].into_iter().collect(),
        Money::new("50.00".parse().expect("a decimal"), Currency::Usd).expect("dollars"),
        true,
    )
    .expect("a package")
}

/// Buys `package` for `customer` at the fake `testpay` gateway, paid at once.
async fn pay(
    kit: &TestBilling<SqlStore>,
    customer: &Customer,
    package: &Package,
) -> kasa_domain::PurchaseId {
    let started = kit
        .billing
        .start_purchase(StartPurchase {
            coupon_code: None,
            customer_id: customer.id,
            package_id: package.id,
            gateway: GatewayName::new("testpay"),
            confirmation: ForfeitConfirmation::NotConfirmed,
            capture: CaptureMode::Immediate,
            success_url: "https://kasa.example/ok".to_owned(),
            failure_url: "https://kasa.example/fail".to_owned(),
            context: ActionContext {
                actor: kasa_domain::Actor::Customer {
                    customer_id: customer.id,
                },
                reason: kasa_domain::Reason::new("checkout").expect("a reason"),
                request_id: None,
                idempotency: None,
            },
        })
        .await
        .expect("the purchase starts");
    let order = started
        .purchase
        .payment
        .as_ref()
        .expect("a payment")
        .order_id
        .clone();
    let callback = kit
        .gateway
        .callback(&order, "approved", &package.price.amount().to_string());
    let completion = kit
        .billing
        .complete_purchase(&GatewayName::new("testpay"), callback, None)
        .await
        .expect("the callback is accepted");
    assert!(
        matches!(completion, PurchaseCompletion::Completed(_)),
        "{completion:?}"
    );
    started.purchase.id
}

/// Writes last month's history (and one purchase this month) into the empty database at `url`.
async fn write_history(url: &str, now: OffsetDateTime) {
    let store = SqlStore::connect(&StoreConfig::new(url))
        .await
        .expect("the database opens");
    store.migrate().await.expect("the schema is created");
    let store = Arc::new(store);
    let kit = TestBilling::on(store.clone());
    kit.clock.set(middle_of_last_month(now));
    let support = department("Teknik Destek", 1);
    let sales = department("Satış", 1);
    let lira = credit_package("10 kredi", 10, "100.00", &[support.id, sales.id]);
    let dollars = dollar_package(&support);
    kit.with_catalog(
        &[support.clone(), sales.clone()],
        &[lira.clone(), dollars.clone()],
    )
    .await;
    let ayse = named_customer("ayse@example.com", "Ayşe Yılmaz");
    let mehmet = named_customer("mehmet@example.com", "Mehmet Öztürk");
    kit.with_customer(&ayse).await;
    kit.with_customer(&mehmet).await;

    // Ayşe: 10 credits for ₺100.00, three tickets, ₺30.00 given back.
    let purchase = pay(&kit, &ayse, &lira).await;
    for (ticket, department) in [("T-1", &support), ("T-2", &support), ("T-3", &sales)] {
        kit.clock.advance(Duration::hours(1));
        let outcome = kit
            .billing
            .charge_usage(ChargeUsage {
                customer: CustomerLookup::Id { id: ayse.id },
                department_id: department.id,
                usage: UsageKey::new(UsageKind::Ticket, ticket).expect("a ticket"),
                actor: help_desk_actor(),
            })
            .await
            .expect("the charge is decided");
        assert!(
            matches!(outcome, ChargeOutcome::Allowed { .. }),
            "{outcome:?}"
        );
    }
    kit.clock.advance(Duration::hours(1));
    kit.billing
        .act_on_payment(ActOnPayment {
            purchase_id: purchase,
            action: RequestedAction::Refund {
                amount: Some(kasa_testkit::try_money("30.00")),
            },
            refund_limits: Vec::new(),
            context: agent_context("the customer asked"),
        })
        .await
        .expect("the refund is made");
    // Mehmet: 10 credits for $50.00 paid by bank transfer (an agent's charged grant), none used.
    kit.clock.advance(Duration::hours(1));
    kit.billing
        .grant_package(GrantPackage {
            customer_id: mehmet.id,
            package_id: dollars.id,
            confirmation: ForfeitConfirmation::NotConfirmed,
            charged: true,
            context: agent_context("paid by bank transfer"),
        })
        .await
        .expect("the grant is applied");
    // This month: Ayşe buys again; last month's figures must not include it.
    kit.clock.set(now - Duration::minutes(1));
    pay(&kit, &ayse, &lira).await;
    drop(kit);
    Arc::try_unwrap(store)
        .expect("nothing else holds the store")
        .close()
        .await
        .expect("the store closes");
}

/// A server on a SQLite file holding the history, with a finance user.
async fn kasa_with_history() -> (Kasa, std::path::PathBuf) {
    let folder = std::env::temp_dir().join(format!("kasa-reports-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&folder).expect("a test folder");
    let url = format!("sqlite://{}", folder.join("kasa.sqlite3").display());
    write_history(&url, OffsetDateTime::now_utc()).await;
    let created = kasa_command(&url, &folder)
        .args(["create-admin", "--email", ADMIN_EMAIL])
        .env("KASA_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .output()
        .expect("kasa create-admin runs");
    assert!(created.status.success(), "create-admin: {created:?}");
    let kasa = Kasa::serve_on(
        &url,
        &folder,
        &[],
        &[("KASA_SECRETS_KEY", support::TEST_SECRETS_KEY)],
    )
    .await
    .unwrap_or_else(|(status, log)| panic!("kasa serve stopped ({status}): {log}"));
    let admin = kasa.admin_token().await;
    let user = kasa
        .post(
            "/v1/users",
            &admin,
            json!({ "email": FINANCE_EMAIL, "name": "Elif Muhasebe", "role": "finance",
                    "password": FINANCE_PASSWORD, "reason": "month-end close" }),
        )
        .await;
    assert!(user.get("code").is_none(), "{user}");
    (kasa, folder)
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_finance_user_closes_last_month_in_the_console() {
    let (kasa, folder) = kasa_with_history().await;
    let report = run_browser_script(
        "reports.mjs",
        &[&kasa.base, FINANCE_EMAIL, FINANCE_PASSWORD],
    );
    let steps = &report["steps"];
    assert_pages_pass(&report);
    assert!(
        steps["menu"]
            .as_array()
            .unwrap()
            .iter()
            .any(|entry| entry == "Reports"),
        "{steps:#}"
    );

    // Last month, found from the menu: ₺100.00 sold, ₺30.00 given back, $50.00 sold; this
    // month's ₺100.00 is not in it.
    let now = OffsetDateTime::now_utc();
    let last_month: Date = middle_of_last_month(now).date();
    let first = last_month.replace_day(1).unwrap();
    assert!(
        text(&steps["revenueUrl"]).contains(&format!("from={first}")),
        "{steps:#}"
    );
    let figures = &steps["revenueFigures"];
    assert_eq!(figures["Net revenue (TRY)"], "₺70.00", "{figures:#}");
    assert_eq!(figures["Gross revenue (TRY)"], "₺100.00", "{figures:#}");
    assert_eq!(figures["Net revenue (USD)"], "$50.00", "{figures:#}");
    let charts = steps["revenueCharts"].as_array().unwrap();
    assert_eq!(charts.len(), 2, "a chart per currency: {charts:#?}");
    let days_in_month = i64::from(last_month.month().length(last_month.year()));
    for chart in charts {
        assert_eq!(chart["role"], "img");
        assert_eq!(chart["bars"], days_in_month, "a bar a day: {chart}");
        assert!(chart["ticks"].as_i64().unwrap() >= 2, "{chart}");
    }
    assert_eq!(
        steps["revenueFiguresTr"]["Net gelir (TRY)"], "70,00 ₺",
        "{steps:#}"
    );
    assert_eq!(steps["trDownload"], 1);

    // The register: UTF-8 with a BOM, a header, the two invoices and the credit note.
    let register = &steps["registerCsv"];
    assert_eq!(register["first"], "efbbbf", "a BOM: {register}");
    assert_eq!(register["crlf"], true, "RFC 4180 line ends: {register}");
    let lines: Vec<String> = register["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(text)
        .filter(|line| !line.is_empty())
        .collect();
    assert!(
        lines[0].starts_with("number,kind,issued_at,buyer"),
        "{lines:#?}"
    );
    assert_eq!(
        lines.len(),
        4,
        "header, two invoices, one credit note: {lines:#?}"
    );
    let ayse: Vec<&String> = lines
        .iter()
        .filter(|line| line.contains("Ayşe Yılmaz"))
        .collect();
    assert_eq!(
        ayse.len(),
        2,
        "Ayşe's invoice and credit note, letters intact: {lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|line| line.contains("Mehmet Öztürk") && line.contains("50.00"))
    );
    assert!(
        lines
            .iter()
            .any(|line| line.contains("credit_note") && line.contains("30.00"))
    );
    assert!(text(&register["file"]).ends_with(".csv"), "{register}");

    // KDV at 20 % included in the prices: ₺100.00 is 83.33 + 16.67, the ₺30.00 credit note
    // 25.00 + 5.00; $50.00 is 41.67 + 8.33.
    let tax = &steps["taxCsv"];
    assert_eq!(tax["first"], "efbbbf", "{tax}");
    let tax_lines: Vec<String> = tax["lines"].as_array().unwrap().iter().map(text).collect();
    assert!(
        tax_lines[0].starts_with("period,currency,rate_percent"),
        "{tax_lines:#?}"
    );
    let lira = tax_lines
        .iter()
        .find(|line| line.contains(",TRY,"))
        .expect("a lira row");
    assert!(lira.ends_with(",58.33,11.67"), "{lira}");
    assert!(lira.contains(",83.33,16.67,25.00,5.00,"), "{lira}");
    let dollar = tax_lines
        .iter()
        .find(|line| line.contains(",USD,"))
        .expect("a dollar row");
    assert!(dollar.ends_with(",41.67,8.33"), "{dollar}");
    assert_eq!(steps["taxFigures"]["KDV (TRY)"], "₺11.67", "{steps:#}");

    // The liability at the end of last month: Ayşe's 10 credits at ₺10.00 each, 3 used, ₺30.00
    // given back (3 credits' worth) leave ₺40.00; Mehmet's $50.00 is owed whole.
    let last_day = first + Duration::days(days_in_month - 1);
    let liability = &steps["liabilityFigures"];
    assert_eq!(
        liability[format!("Owed on {last_day} (TRY)")],
        "₺40.00",
        "{liability:#}"
    );
    assert_eq!(
        liability[format!("Owed on {last_day} (USD)")],
        "$50.00",
        "{liability:#}"
    );
    assert_eq!(steps["liabilityCharts"].as_array().unwrap().len(), 2);
    // Usage: a chart of two bars (tickets, chats) for each of the two departments.
    let usage = &steps["usageCharts"][0];
    assert_eq!(usage["bars"], 4, "{usage}");

    // A date that is not one is said, and nothing is offered to download.
    assert_eq!(steps["badDate"]["downloads"], 0, "{steps:#}");
    assert_eq!(
        steps["badDate"]["problem"].as_array().unwrap().len(),
        1,
        "{steps:#}"
    );
    drop(kasa);
    let _ = std::fs::remove_dir_all(folder);
}

#[tokio::test]
async fn the_csv_is_a_download_for_finance_and_nobody_else() {
    let (kasa, folder) = kasa_with_history().await;
    let admin = kasa.admin_token().await;
    kasa.post(
        "/v1/users",
        &admin,
        json!({ "email": "agent@example.com", "name": "Deniz Kaya", "role": "agent",
                "password": "agent-password-123", "reason": "hired" }),
    )
    .await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let get = |path: &str, cookie: Option<&str>| {
        let mut request = client.get(format!("{}{path}", kasa.base));
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        request.send()
    };
    let last_month = middle_of_last_month(OffsetDateTime::now_utc()).date();
    let first = last_month.replace_day(1).unwrap();
    let last = first + Duration::days(i64::from(first.month().length(first.year())) - 1);
    let csv = format!("/console/reports/revenue/csv?from={first}&to={last}&group=month");

    // Not signed in: to the sign-in page, nothing else.
    for path in ["/console/reports", "/console/reports/revenue", csv.as_str()] {
        let response = get(path, None).await.unwrap();
        assert_eq!(response.status(), 303, "{path}");
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        assert!(
            location.starts_with("/console/sign-in"),
            "{path}: {location}"
        );
    }
    // An agent has no finance permission: no menu entry, no page, no file.
    let agent = support::console_cookie(&kasa, "agent@example.com", "agent-password-123").await;
    let dashboard = get("/console", Some(&agent))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !dashboard.contains("/console/reports"),
        "no Reports entry for an agent"
    );
    for path in ["/console/reports", "/console/reports/tax", csv.as_str()] {
        let response = get(path, Some(&agent)).await.unwrap();
        assert_eq!(response.status(), 403, "{path}");
        assert!(!response.text().await.unwrap().contains("70.00"), "{path}");
    }

    // Finance: the same file the browser downloads, as an attachment.
    let finance = support::console_cookie(&kasa, FINANCE_EMAIL, FINANCE_PASSWORD).await;
    let response = get(&csv, Some(&finance)).await.unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"),
        "{headers:?}"
    );
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains(&format!("revenue-{first}-{last}.csv")),
        "{disposition}"
    );
    let bytes = response.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|line| !line.is_empty()).collect();
    assert!(
        lines[0].starts_with("period,currency,gateway,package"),
        "{text}"
    );
    let period = format!("{}-{:02}", first.year(), u8::from(first.month()));
    let lira: Vec<&&str> = lines.iter().filter(|line| line.contains(",TRY,")).collect();
    assert_eq!(lira.len(), 1, "{text}");
    assert!(
        lira[0].starts_with(&format!(
            "{period},TRY,testpay,10 kredi,1,100.00,1,30.00,70.00"
        )),
        "{text}"
    );
    // The page names an unknown report as such.
    let unknown = get("/console/reports/payroll", Some(&finance))
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    drop(kasa);
    let _ = std::fs::remove_dir_all(folder);
}
