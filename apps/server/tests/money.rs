//! Money the records say moves does move: a cancellation's prorated refund is made and its
//! outcome shown; a charged grant (bank transfer) is refunded by record, never voided.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Backend, Kasa};

fn id(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_owned()
}

async fn setup(kasa: &Kasa, admin: &str, kind: &str, size: u32, price: &str) -> (String, String) {
    let support = kasa
        .post(
            "/v1/departments",
            admin,
            json!({ "name": "Teknik Destek", "credits_per_request": 2, "reason": "setup" }),
        )
        .await;
    let mut body = json!({
        "name": "Paket", "kind": kind, "department_ids": [id(&support)],
        "price": { "amount": price, "currency": "TRY" }, "on_sale": true, "reason": "setup"
    });
    body[if kind == "credit" { "credits" } else { "days" }] = json!(size);
    let package = kasa.post("/v1/packages", admin, body).await;
    let customer = kasa
        .post(
            "/v1/customers",
            admin,
            json!({ "email": "ayse@example.com", "name": "Ayşe Yılmaz", "reason": "new" }),
        )
        .await;
    (id(&customer), id(&package))
}

async fn a_charged_grant_is_refunded_with_its_credit_note(backend: Backend) {
    let Some(kasa) = Kasa::start(backend).await else {
        return;
    };
    let admin = kasa.admin_token().await;
    let (customer_id, package_id) = setup(&kasa, &admin, "credit", 10, "100.00").await;
    let granted = kasa
        .post(
            &format!("/v1/customers/{customer_id}/grants"),
            &admin,
            json!({ "package_id": package_id, "charged": true, "reason": "paid by bank transfer" }),
        )
        .await;
    let purchase_id = id(&granted["purchase"]);
    assert_eq!(granted["purchase"]["payment"]["gateway"], "manual");

    let (status, refused) = kasa
        .call(
            Method::POST,
            &format!("/v1/purchases/{purchase_id}/voids"),
            Some(&admin),
            Some(json!({ "reason": "mistake" })),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert_eq!(refused["code"], "not-voidable");

    let (status, refunded) = kasa
        .call(
            Method::POST,
            &format!("/v1/purchases/{purchase_id}/refunds"),
            Some(&admin),
            Some(json!({ "reason": "money sent back by bank transfer" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{refunded}");
    assert_eq!(refunded["action"]["state"], "succeeded");
    assert_eq!(refunded["document"]["kind"], "credit_note");
    assert_eq!(refunded["document"]["gross"]["amount"], "100.00");
    assert_eq!(refunded["purchase"]["payment"]["status"], "refunded");
    assert_eq!(refunded["credits_reversed"], 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_charged_grant_is_refunded_with_its_credit_note_on_sqlite() {
    a_charged_grant_is_refunded_with_its_credit_note(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_charged_grant_is_refunded_with_its_credit_note_on_postgres() {
    a_charged_grant_is_refunded_with_its_credit_note(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_now_with_a_prorated_refund_makes_it_and_says_what_moved() {
    let Some(kasa) = Kasa::start(Backend::Sqlite).await else {
        return;
    };
    let admin = kasa.admin_token().await;
    let (customer_id, package_id) = setup(&kasa, &admin, "subscription", 30, "250.00").await;
    let granted = kasa
        .post(
            &format!("/v1/customers/{customer_id}/grants"),
            &admin,
            json!({ "package_id": package_id, "charged": true, "reason": "paid by bank transfer" }),
        )
        .await;
    let purchase_id = id(&granted["purchase"]);
    let cancelled = kasa
        .post(
            &format!("/v1/customers/{customer_id}/subscription-cancellations"),
            &admin,
            json!({ "timing": "now", "prorated_refund": true, "reason": "customer asked" }),
        )
        .await;
    let refunds = cancelled["prorated_refunds"].as_array().expect("refunds");
    assert_eq!(refunds.len(), 1, "{cancelled}");
    let refund = &refunds[0];
    assert_eq!(refund["purchase_id"], purchase_id.as_str());
    assert_eq!(refund["amount"], "241.67", "29 unused days of 30");
    assert_eq!(refund["outcome"], "succeeded", "{refund}");
    assert_eq!(refund["payment_status"], "partially_refunded");
    assert!(refund["credit_note"].is_string(), "{refund}");

    let actions = kasa
        .get(
            &format!("/v1/purchases/{purchase_id}/payment-actions"),
            &admin,
        )
        .await;
    let actions = actions.as_array().expect("actions");
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0]["kind"], "refund");
    assert_eq!(actions[0]["amount"]["amount"], "241.67");
}
