//! Four-eyes approval of refunds over HTTP: above the threshold a refund waits for another
//! person; the requester cannot approve it; another agent's approval refunds once with a credit
//! note; a rejected request changes nothing; an expired one is refused.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Backend, Kasa};

fn id(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_owned()
}

async fn four_eyes(kasa: &Kasa, admin: &str, expires_after_minutes: u32) {
    let (status, body) = kasa
        .call(
            Method::PUT,
            "/v1/settings/billing",
            Some(admin),
            Some(json!({
                "billing_enabled": true, "company_name": "Örnek A.Ş.",
                "four_eyes": {
                    "thresholds": [{ "amount": "50.00", "currency": "TRY" }],
                    "expires_after_minutes": expires_after_minutes
                },
                "reason": "four eyes on refunds"
            })),
        )
        .await;
    assert!(status.is_success(), "{body}");
    assert_eq!(
        body["four_eyes"]["thresholds"][0]["amount"], "50.00",
        "{body}"
    );
}

/// A manual (charged-grant) payment of 100.00 TRY.
async fn manual_payment(kasa: &Kasa, admin: &str, email: &str) -> String {
    let support = kasa
        .post(
            "/v1/departments",
            admin,
            json!({ "name": format!("Destek {email}"), "credits_per_request": 2, "reason": "setup" }),
        )
        .await;
    let package = kasa
        .post(
            "/v1/packages",
            admin,
            json!({ "name": format!("Paket {email}"), "kind": "credit", "credits": 10,
                    "department_ids": [id(&support)],
                    "price": { "amount": "100.00", "currency": "TRY" }, "on_sale": true,
                    "reason": "setup" }),
        )
        .await;
    let customer = kasa
        .post(
            "/v1/customers",
            admin,
            json!({ "email": email, "name": "Ayşe Yılmaz", "reason": "new" }),
        )
        .await;
    let granted = kasa
        .post(
            &format!("/v1/customers/{}/grants", id(&customer)),
            admin,
            json!({ "package_id": id(&package), "charged": true, "reason": "bank transfer" }),
        )
        .await;
    id(&granted["purchase"])
}

async fn refund(kasa: &Kasa, token: &str, purchase_id: &str, amount: &str) -> (StatusCode, Value) {
    kasa.call(
        Method::POST,
        &format!("/v1/purchases/{purchase_id}/refunds"),
        Some(token),
        Some(json!({ "amount": { "amount": amount, "currency": "TRY" }, "reason": "customer asked" })),
    )
    .await
}

async fn decide(kasa: &Kasa, token: &str, request_id: &str, decision: &str) -> (StatusCode, Value) {
    kasa.call(
        Method::POST,
        &format!("/v1/approval-requests/{request_id}/{decision}"),
        Some(token),
        Some(json!({ "reason": "checked the bank transfer" })),
    )
    .await
}

async fn credit_notes(kasa: &Kasa, admin: &str, purchase_id: &str) -> usize {
    kasa.get(&format!("/v1/purchases/{purchase_id}/invoices"), admin)
        .await
        .as_array()
        .expect("invoices")
        .iter()
        .filter(|invoice| invoice["kind"] == "credit_note")
        .count()
}

async fn a_refund_above_the_threshold_waits_for_another_agent(backend: Backend) {
    let Some(kasa) = Kasa::start(backend).await else {
        return;
    };
    let admin = kasa.admin_token().await;
    let agent_a = kasa.api_key(&admin, "agent").await;
    four_eyes(&kasa, &admin, 24 * 60).await;
    let purchase_id = manual_payment(&kasa, &admin, "ayse@example.com").await;

    // Agent A's 80 TRY refund waits; nothing moved. Sent twice with one Idempotency-Key, it
    // is one request, answered the same.
    let keyed = || async {
        let response = reqwest::Client::new()
            .post(format!("{}/v1/purchases/{purchase_id}/refunds", kasa.base))
            .bearer_auth(&agent_a)
            .header("Idempotency-Key", "four-eyes-1")
            .json(&json!({ "amount": { "amount": "80.00", "currency": "TRY" },
                           "reason": "customer asked" }))
            .send()
            .await
            .expect("an answer");
        (
            response.status(),
            response.json::<Value>().await.expect("json"),
        )
    };
    let (status, pending) = keyed().await;
    assert_eq!(status, StatusCode::OK, "{pending}");
    let (status, replayed) = keyed().await;
    assert_eq!(status, StatusCode::OK, "{replayed}");
    assert_eq!(replayed["id"], pending["id"], "{replayed}");
    assert_eq!(replayed["outcome"], "pending_approval", "{replayed}");
    assert_eq!(pending["outcome"], "pending_approval", "{pending}");
    assert_eq!(pending["state"], "pending");
    assert_eq!(pending["amount"]["amount"], "80.00");
    let request_id = id(&pending);
    assert_eq!(credit_notes(&kasa, &admin, &purchase_id).await, 0);
    let listed = kasa
        .get("/v1/approval-requests?state=pending", &admin)
        .await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["id"], request_id.as_str());

    // A cannot approve their own request.
    let (status, refused) = decide(&kasa, &agent_a, &request_id, "approval").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    assert_eq!(refused["code"], "approver-is-requester");

    // B (the administrator) approves: refunded once, with a credit note, as B.
    let (status, approved) = decide(&kasa, &admin, &request_id, "approval").await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    assert_eq!(approved["approval_request"]["state"], "approved");
    assert_eq!(approved["result"]["action"]["state"], "succeeded");
    assert_eq!(approved["result"]["document"]["kind"], "credit_note");
    assert_eq!(
        approved["result"]["purchase"]["payment"]["status"],
        "partially_refunded"
    );
    let (status, again) = decide(&kasa, &agent_a, &request_id, "approval").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{again}");
    let agent_c = kasa.api_key(&admin, "agent").await;
    let (status, again) = decide(&kasa, &agent_c, &request_id, "approval").await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    assert_eq!(again["code"], "approval-request-closed");
    assert_eq!(credit_notes(&kasa, &admin, &purchase_id).await, 1);
    let audit = kasa.get("/v1/audit?action=refund.approved", &admin).await;
    assert!(
        audit.to_string().contains("requested_by") && audit.to_string().contains("approved_by"),
        "{audit}"
    );

    // A rejected request changes nothing.
    let second = manual_payment(&kasa, &admin, "mehmet@example.com").await;
    let (_, pending) = refund(&kasa, &agent_a, &second, "60.00").await;
    assert_eq!(pending["outcome"], "pending_approval", "{pending}");
    let (status, rejected) = decide(&kasa, &agent_c, &id(&pending), "rejection").await;
    assert_eq!(status, StatusCode::OK, "{rejected}");
    assert_eq!(rejected["state"], "rejected");
    let (status, late) = decide(&kasa, &admin, &id(&pending), "approval").await;
    assert_eq!(status, StatusCode::CONFLICT, "{late}");
    assert_eq!(late["code"], "approval-request-closed");
    assert_eq!(credit_notes(&kasa, &admin, &second).await, 0);
    let purchase = kasa.get(&format!("/v1/purchases/{second}"), &admin).await;
    assert_eq!(purchase["payment"]["status"], "captured", "{purchase}");

    // At or below the threshold a refund runs at once.
    let (status, done) = refund(&kasa, &agent_a, &second, "20.00").await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["outcome"], "done", "{done}");
    assert_eq!(done["action"]["state"], "succeeded");

    // A request that expires at once (0 minutes) cannot be approved.
    four_eyes(&kasa, &admin, 0).await;
    let (_, pending) = refund(&kasa, &agent_a, &second, "60.00").await;
    assert_eq!(pending["outcome"], "pending_approval", "{pending}");
    assert_eq!(pending["state"], "expired", "{pending}");
    let (status, expired) = decide(&kasa, &admin, &id(&pending), "approval").await;
    assert_eq!(status, StatusCode::CONFLICT, "{expired}");
    assert_eq!(expired["code"], "approval-request-expired");
    let listed = kasa
        .get("/v1/approval-requests?state=expired", &admin)
        .await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(credit_notes(&kasa, &admin, &second).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refund_above_the_threshold_waits_for_another_agent_on_sqlite() {
    a_refund_above_the_threshold_waits_for_another_agent(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refund_above_the_threshold_waits_for_another_agent_on_postgres() {
    a_refund_above_the_threshold_waits_for_another_agent(Backend::Postgres).await;
}
