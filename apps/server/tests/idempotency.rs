//! Idempotency keys against the real binary: a key that is not text is refused, a refusal gives
//! its key back, and a server killed in the middle of a burst of keyed requests leaves every
//! request applied exactly once once the client replays them with their keys (none stuck).

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::HeaderValue;
use serde_json::{Value, json};
use support::{Backend, Kasa};
use tokio::sync::Semaphore;

fn id(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_owned()
}

/// One keyed request of the burst.
#[derive(Clone, Debug)]
struct Keyed {
    key: String,
    path: String,
    body: Value,
}

/// What a keyed request answered.
async fn send(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    request: &Keyed,
) -> Result<(StatusCode, Value), reqwest::Error> {
    let response = client
        .post(format!("{base}{}", request.path))
        .bearer_auth(token)
        .header("Idempotency-Key", &request.key)
        .json(&request.body)
        .send()
        .await?;
    let status = response.status();
    let body = response.json().await.unwrap_or(Value::Null);
    Ok((status, body))
}

struct Shop {
    department: String,
    package: String,
}

async fn shop(kasa: &Kasa, admin: &str) -> Shop {
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
                    "department_ids": [id(&department)], "on_sale": true, "reason": "setup",
                    "price": { "amount": "100.00", "currency": "TRY" } }),
        )
        .await;
    Shop {
        department: id(&department),
        package: id(&package),
    }
}

async fn killed_mid_burst(backend: Backend) {
    const CUSTOMERS: usize = 40;
    const ROUNDS: usize = 2;
    // A request whose change committed just before the kill but whose answer was not kept is
    // told `idempotency-key-applied` once this lease is over.
    let env = [("KASA_IDEMPOTENCY_LEASE_SECONDS", "1".to_owned())];
    let Some(mut kasa) = Kasa::start_on(backend, &env).await else {
        return;
    };
    let admin = kasa.admin_token().await;
    let shop = shop(&kasa, &admin).await;
    let mut customers = Vec::new();
    for number in 0..CUSTOMERS {
        let customer = kasa
            .post(
                "/v1/customers",
                &admin,
                json!({ "email": format!("c{number}@example.com"), "name": "Müşteri",
                        "reason": "new" }),
            )
            .await;
        // 10 credits to start with, so no charge is ever refused for the balance.
        kasa.post(
            &format!("/v1/customers/{}/grants", id(&customer)),
            &admin,
            json!({ "package_id": shop.package, "reason": "opening balance" }),
        )
        .await;
        customers.push(id(&customer));
    }
    let mut burst = Vec::new();
    for round in 0..ROUNDS {
        for (number, customer) in customers.iter().enumerate() {
            burst.push(Keyed {
                key: format!("grant-{round}-{number}"),
                path: format!("/v1/customers/{customer}/grants"),
                body: json!({ "package_id": shop.package, "reason": "burst grant" }),
            });
            burst.push(Keyed {
                key: format!("adjust-{round}-{number}"),
                path: format!("/v1/customers/{customer}/credit-adjustments"),
                body: json!({ "delta": 3, "reason": "burst adjustment" }),
            });
            burst.push(Keyed {
                key: format!("charge-{round}-{number}"),
                path: "/v1/charges".to_owned(),
                body: json!({ "customer": { "customer_id": customer }, "department_id": shop.department,
                              "kind": "ticket", "reference": format!("T-{round}-{number}") }),
            });
        }
    }

    // The burst, eight at a time; the server is killed once a third has been answered.
    let client = reqwest::Client::new();
    let answered = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let gate = Arc::new(Semaphore::new(8));
    let mut tasks = Vec::new();
    for request in burst.clone() {
        let (client, base, admin) = (client.clone(), kasa.base.clone(), admin.clone());
        let (gate, answered) = (gate.clone(), answered.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await.expect("the gate");
            let answer = send(&client, &base, &admin, &request).await;
            answered.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            answer.ok().map(|(status, _)| status)
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while answered.load(std::sync::atomic::Ordering::SeqCst) < burst.len() / 3 {
        assert!(Instant::now() < deadline, "the burst did not get going");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    kasa.kill_and_restart().await;
    let mut cut_off = 0;
    for task in tasks {
        if task.await.expect("a burst task").is_none() {
            cut_off += 1;
        }
    }

    // The client replays every request with its key until each has a final answer.
    let admin = kasa.admin_token().await;
    let (mut applied_without_answer, mut taken_over_or_waited) = (0, 0);
    for request in &burst {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let (status, body) = send(&client, &kasa.base, &admin, request)
                .await
                .expect("the restarted server answers");
            match (status, body["code"].as_str()) {
                (StatusCode::OK, _) => break,
                (StatusCode::CONFLICT, Some("idempotency-key-applied")) => {
                    applied_without_answer += 1;
                    break;
                }
                (StatusCode::CONFLICT, Some("idempotency-key-in-use")) => {
                    taken_over_or_waited += 1;
                    assert!(
                        Instant::now() < deadline,
                        "{} stuck in use: {body}",
                        request.key
                    );
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                other => panic!("{} answered {other:?}: {body}", request.key),
            }
        }
    }
    eprintln!(
        "{} keyed requests, {cut_off} cut off by the kill, {applied_without_answer} applied \
         without a kept answer, {taken_over_or_waited} waits",
        burst.len()
    );

    // Each request applied exactly once: 10 to start, then per round +10, +3, -1.
    let expected_balance = 10 + ROUNDS as i64 * (10 + 3 - 1);
    for customer in &customers {
        let context = kasa
            .get(
                &format!("/v1/billing-context?customer_id={customer}"),
                &admin,
            )
            .await;
        assert_eq!(
            context["holding"]["balance"], expected_balance,
            "customer {customer}: {context}"
        );
        assert_eq!(
            context["purchases"].as_array().map(Vec::len),
            Some(1 + ROUNDS),
            "customer {customer}: one purchase per grant"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_burst_applies_every_keyed_request_once_on_sqlite() {
    killed_mid_burst(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_burst_applies_every_keyed_request_once_on_postgres() {
    killed_mid_burst(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_that_is_not_text_is_refused_and_a_refusal_gives_its_key_back() {
    let kasa = Kasa::start(Backend::Sqlite).await.expect("SQLite");
    let admin = kasa.admin_token().await;
    let customer = kasa
        .post(
            "/v1/customers",
            &admin,
            json!({ "email": "can@example.com", "name": "Can", "reason": "new" }),
        )
        .await;
    let adjustments = format!(
        "{}/v1/customers/{}/credit-adjustments",
        kasa.base,
        id(&customer)
    );
    let client = reqwest::Client::new();
    let adjust = |key: HeaderValue, delta: i64| {
        client
            .post(&adjustments)
            .bearer_auth(&admin)
            .header("Idempotency-Key", key)
            .json(&json!({ "delta": delta, "reason": "goodwill" }))
            .send()
    };
    let cyrillic = HeaderValue::from_bytes("ключ-1".as_bytes()).expect("obs-text is a header");
    for _ in 0..2 {
        let refused = adjust(cyrillic.clone(), 5).await.expect("an answer");
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        let problem: Value = refused.json().await.expect("a problem");
        assert_eq!(problem["code"], "invalid-idempotency-key", "{problem}");
    }
    let context = kasa
        .get(
            &format!("/v1/billing-context?customer_id={}", id(&customer)),
            &admin,
        )
        .await;
    assert_eq!(
        context["holding"]["kind"], "nothing",
        "nothing was applied: {context}"
    );

    // A refusal changed nothing: its key is free for the corrected request.
    let key = HeaderValue::from_static("adjust-1");
    let refused = adjust(key.clone(), -5).await.expect("an answer");
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let corrected = adjust(key.clone(), 5).await.expect("an answer");
    assert_eq!(corrected.status(), StatusCode::OK);
    let first: Value = corrected.json().await.expect("json");
    let replayed: Value = adjust(key, 5)
        .await
        .expect("an answer")
        .json()
        .await
        .expect("json");
    assert_eq!(first, replayed);
    assert_eq!(replayed["holding"]["balance"], 5);
}
