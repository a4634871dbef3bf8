//! The console's access and operations pages in a real headless chromium: users, roles and
//! refund limits, API keys (shown once, revoked), the outbox's "retry now", the audit log and
//! the dashboard; an agent sees only what the role allows. Every page is checked with axe-core
//! and at 390 px, in English and in Turkish.

mod support;

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};
use support::{ADMIN_EMAIL, ADMIN_PASSWORD, Kasa, assert_pages_pass, run_browser_script};

/// A port nothing listens on: mail sent there fails at once.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

/// A paid purchase of 10 credits for 100.00 TRY, granted by an agent with payment outside a
/// gateway; its notification mail is queued.
async fn seed_a_purchase(kasa: &Kasa, admin: &str) {
    let department = kasa
        .post(
            "/v1/departments",
            admin,
            json!({ "name": "Destek", "credits_per_request": 1, "reason": "setup" }),
        )
        .await;
    let package = kasa
        .post(
            "/v1/packages",
            admin,
            json!({ "name": "10 kredi", "kind": "credit", "credits": 10,
                    "department_ids": [department["id"]], "on_sale": true, "reason": "setup",
                    "price": { "amount": "100.00", "currency": "TRY" } }),
        )
        .await;
    let customer = kasa
        .post(
            "/v1/customers",
            admin,
            json!({ "email": "ayse@example.com", "name": "Ayşe Yılmaz", "language": "tr",
                    "reason": "new" }),
        )
        .await;
    let granted = kasa
        .post(
            &format!("/v1/customers/{}/grants", customer["id"].as_str().unwrap()),
            admin,
            json!({ "package_id": package["id"], "charged": true, "reason": "paid by transfer" }),
        )
        .await;
    assert!(granted.get("code").is_none(), "{granted}");
}

/// Kasa whose mail server is unreachable (the first automatic retry an hour away), with a
/// paid purchase whose notifications wait in the outbox; and an admin's token.
async fn kasa_with_a_purchase_and_no_mail_server() -> (Kasa, String) {
    let kasa = Kasa::start_with_env(&[
        ("KASA_SMTP_HOST", "127.0.0.1".to_owned()),
        ("KASA_SMTP_PORT", closed_port().to_string()),
        ("KASA_SMTP_SECURITY", "none".to_owned()),
        ("KASA_SMTP_FROM", "billing@kasa.example".to_owned()),
        ("KASA_OUTBOX_INTERVAL_MS", "200".to_owned()),
        ("KASA_MAIL_FIRST_RETRY_SECONDS", "3600".to_owned()),
    ])
    .await;
    let admin = kasa.admin_token().await;
    let (status, _) = kasa
        .call(
            Method::PUT,
            "/v1/settings/billing",
            Some(&admin),
            Some(
                json!({ "billing_enabled": true, "company_name": "Örnek A.Ş.",
                         "notification_address": "ops@kasa.example", "reason": "setup" }),
            ),
        )
        .await;
    assert!(status.is_success());
    seed_a_purchase(&kasa, &admin).await;
    (kasa, admin)
}

/// The undelivered messages once each has been tried at least `attempts` times.
async fn undelivered_after(kasa: &Kasa, admin: &str, attempts: u64) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let waiting = kasa.get("/v1/outbox?undelivered=true", admin).await;
        let waiting = waiting.as_array().unwrap().clone();
        if !waiting.is_empty()
            && waiting
                .iter()
                .all(|message| message["attempts"].as_u64() >= Some(attempts))
        {
            return waiting;
        }
        assert!(
            Instant::now() < deadline,
            "delivery was not attempted: {waiting:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_manages_access_and_operations_and_an_agent_sees_only_their_pages() {
    let (kasa, admin) = kasa_with_a_purchase_and_no_mail_server().await;
    let waiting = undelivered_after(&kasa, &admin, 1).await;
    let tried_once: Vec<String> = waiting
        .iter()
        .map(|message| message["id"].as_str().unwrap().to_owned())
        .collect();

    let base = kasa.base.clone();
    let report = tokio::task::spawn_blocking(move || {
        run_browser_script(
            "console-access.mjs",
            &[
                &base,
                ADMIN_EMAIL,
                ADMIN_PASSWORD,
                "ali@example.com",
                "a long agent password",
            ],
        )
    })
    .await
    .unwrap();
    assert_pages_pass(&report);
    let steps = &report["steps"];
    let text = |name: &str| steps[name].as_str().unwrap_or_default().to_owned();

    // The dashboard: the purchase seeded through the API, and the mail that waits.
    assert_eq!(steps["afterSignIn"], "/console");
    assert_eq!(
        steps["adminMenu"],
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
        ])
    );
    assert!(text("purchasesToday").contains("₺100.00"), "{report:#}");
    assert!(text("purchasesToday").contains("1 in all"), "{report:#}");
    assert!(
        text("undeliveredCard").contains(&tried_once.len().to_string()),
        "{report:#}"
    );

    // Users and roles.
    assert_eq!(
        text("userAdded"),
        "The user was added. They can sign in now."
    );
    assert!(text("agentRow").contains("Support agent"), "{report:#}");
    assert!(
        text("shortPassword").contains("12 characters"),
        "{report:#}"
    );
    assert!(
        text("disableSelf").contains("you cannot disable yourself"),
        "{report:#}"
    );
    assert_eq!(text("limitSaved"), "The refund limit was saved.");
    assert!(text("agentLimits").contains("₺250.00"), "{report:#}");

    // The API key: shown once, on the POST's own answer, never cached; then revoked.
    assert_eq!(steps["createdCacheControl"], "no-store");
    assert_eq!(steps["createdUrl"], "/console/api-keys");
    assert!(text("copyNow").contains("will not be shown again"));
    assert_eq!(steps["keyShown"], true);
    assert_eq!(steps["keyWorks"], 200, "the new key works on the JSON API");
    assert_eq!(steps["keyOnListAfterwards"], false);
    assert_eq!(steps["keyAfterGoingBack"], false);
    assert!(
        text("revokeEffect").contains("refused at once"),
        "{report:#}"
    );
    assert_eq!(
        text("keyRevoked"),
        "The API key was revoked. Kasa refuses it from now on."
    );
    assert_eq!(steps["keyAfterRevoke"], 401, "a revoked key is refused");

    // The outbox: the waiting mail with its error, retried now.
    assert_eq!(steps["undeliveredRows"], tried_once.len());
    assert!(
        text("firstUndelivered").contains("ops@kasa.example")
            || text("firstUndelivered").contains("ayse@example.com"),
        "{report:#}"
    );
    assert_eq!(
        text("retried"),
        "The message will be sent again within a few seconds."
    );
    // The mail job tried it again at once (the next automatic try was an hour away).
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let messages = kasa.get("/v1/outbox?undelivered=true", &admin).await;
        if messages
            .as_array()
            .unwrap()
            .iter()
            .any(|message| message["attempts"].as_u64() >= Some(2))
        {
            break;
        }
        assert!(Instant::now() < deadline, "not retried: {messages}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The audit log: the agent's record, and the retry with its reason.
    assert!(text("agentHistory").contains("user.created"), "{report:#}");
    assert!(text("retryAudit").contains("outbox.retried"), "{report:#}");
    assert!(
        text("retryAudit").contains("mail server fixed"),
        "{report:#}"
    );
    assert!(text("refundsCard").contains('0'), "{report:#}");

    // Turkish.
    assert_eq!(text("turkishHeading"), "Pano");
    assert!(
        text("turkishCopyNow").contains("bir daha gösterilmeyecek"),
        "{report:#}"
    );

    // The agent sees only what the role allows.
    assert_eq!(
        steps["agentMenu"],
        json!(["Dashboard", "Customers", "Roles"])
    );
    assert!(
        !text("agentDashboard").contains("Purchases today"),
        "{report:#}"
    );
    assert!(
        !text("agentDashboard").contains("Undelivered"),
        "{report:#}"
    );
    assert!(text("agentDashboard").contains("Search"), "{report:#}");
    assert!(
        text("agentUsers").contains("lacks the `manage_access` permission"),
        "{report:#}"
    );
    assert_eq!(
        steps["agentRoleForm"], 0,
        "an agent cannot set refund limits"
    );
}

#[tokio::test]
async fn retry_now_makes_an_undelivered_message_due_and_is_audited() {
    let (kasa, admin) = kasa_with_a_purchase_and_no_mail_server().await;
    let waiting = undelivered_after(&kasa, &admin, 1).await;
    let id = waiting[0]["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/outbox/{id}/retry");

    let (status, problem) = kasa
        .call(
            Method::POST,
            &path,
            Some(&admin),
            Some(json!({ "reason": " " })),
        )
        .await;
    assert_eq!(status, 400, "{problem}");
    assert_eq!(problem["code"], "reason-required");
    let (status, retried) = kasa
        .call(
            Method::POST,
            &path,
            Some(&admin),
            Some(json!({ "reason": "the mail server is back" })),
        )
        .await;
    assert_eq!(status, 200, "{retried}");
    assert_eq!(retried["id"], id.as_str());
    assert_eq!(retried["abandoned"], false);
    let audit = kasa
        .get(&format!("/v1/audit?subject=outbox:{id}"), &admin)
        .await;
    assert_eq!(audit[0]["action"], "outbox.retried", "{audit}");
    assert_eq!(audit[0]["reason"], "the mail server is back");
    let (status, problem) = kasa
        .call(
            Method::POST,
            "/v1/outbox/01a20830-0000-7000-8000-000000000001/retry",
            Some(&admin),
            Some(json!({ "reason": "x" })),
        )
        .await;
    assert_eq!(status, 404, "{problem}");
}
