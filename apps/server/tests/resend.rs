//! Sending a customer a document again (`POST /v1/invoices/{id}/resend`): the e-mail it first
//! came in is queued once more with an audit entry naming who asked and why; the same
//! Idempotency-Key sends it once; an unknown document is 404. SQLite and PostgreSQL.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Backend, Kasa};

fn id(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_owned()
}

/// The customer's copies in the outbox, oldest first (the kinds of mail queued to them).
async fn customer_mail(kasa: &Kasa, admin: &str) -> Vec<Value> {
    let messages = kasa.get("/v1/outbox?limit=100", admin).await;
    let mut found: Vec<Value> = messages
        .as_array()
        .expect("outbox")
        .iter()
        .filter(|message| message["payload"].to_string().contains("ayse@example.com"))
        .cloned()
        .collect();
    found.reverse();
    found
}

async fn a_document_is_sent_again_once_with_its_reason(backend: Backend) {
    let Some(kasa) = Kasa::start(backend).await else {
        return;
    };
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
            json!({ "name": "10 Kredi", "kind": "credit", "credits": 10,
                    "department_ids": [id(&department)],
                    "price": { "amount": "100.00", "currency": "TRY" }, "on_sale": true,
                    "reason": "setup" }),
        )
        .await;
    let customer = kasa
        .post(
            "/v1/customers",
            &admin,
            json!({ "email": "ayse@example.com", "name": "Ayşe Yılmaz", "reason": "new" }),
        )
        .await;
    let granted = kasa
        .post(
            &format!("/v1/customers/{}/grants", id(&customer)),
            &admin,
            json!({ "package_id": id(&package), "charged": true, "reason": "bank transfer" }),
        )
        .await;
    let purchase_id = id(&granted["purchase"]);
    let invoices = kasa
        .get(&format!("/v1/purchases/{purchase_id}/invoices"), &admin)
        .await;
    let invoice_id = id(&invoices[0]);
    let before = customer_mail(&kasa, &admin).await;
    assert_eq!(before.len(), 1, "{before:#?}");

    for _ in 0..2 {
        let response = reqwest::Client::new()
            .post(format!("{}/v1/invoices/{invoice_id}/resend", kasa.base))
            .bearer_auth(&admin)
            .header("idempotency-key", "resend-once")
            .json(&json!({ "reason": "customer lost the e-mail" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["id"], invoice_id.as_str());
    }
    let after = customer_mail(&kasa, &admin).await;
    assert_eq!(after.len(), 2, "sent again once: {after:#?}");
    assert_eq!(after[1]["payload"], after[0]["payload"], "the same e-mail");
    let audit = kasa
        .get("/v1/audit?action=invoice.resent&limit=10", &admin)
        .await;
    assert_eq!(audit.as_array().unwrap().len(), 1, "{audit:#}");
    assert_eq!(audit[0]["reason"], "customer lost the e-mail");
    assert_eq!(audit[0]["subject"], format!("customer:{}", id(&customer)));
    assert_eq!(audit[0]["after"]["number"], invoices[0]["number"]);

    // A credit note comes again as "here is your document".
    let refunded = kasa
        .post(
            &format!("/v1/purchases/{purchase_id}/refunds"),
            &admin,
            json!({ "amount": { "amount": "10.00", "currency": "TRY" }, "reason": "partial" }),
        )
        .await;
    let credit_note = id(&refunded["document"]);
    kasa.post(
        &format!("/v1/invoices/{credit_note}/resend"),
        &admin,
        json!({ "reason": "again" }),
    )
    .await;
    let mail = customer_mail(&kasa, &admin).await;
    let last = mail.last().unwrap();
    assert_eq!(last["payload"]["kind"], "document_notification", "{last:#}");
    assert_eq!(last["payload"]["invoice_id"], credit_note.as_str());

    let (status, problem) = kasa
        .call(
            Method::POST,
            &format!("/v1/invoices/{}/resend", uuid::Uuid::now_v7()),
            Some(&admin),
            Some(json!({ "reason": "again" })),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
    let (status, problem) = kasa
        .call(
            Method::POST,
            &format!("/v1/invoices/{invoice_id}/resend"),
            Some(&admin),
            Some(json!({ "reason": " " })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(problem["code"], "reason-required");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_is_sent_again_once_with_its_reason_on_sqlite() {
    a_document_is_sent_again_once_with_its_reason(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_is_sent_again_once_with_its_reason_on_postgres() {
    a_document_is_sent_again_once_with_its_reason(Backend::Postgres).await;
}
