//! Outgoing webhooks against the real binary and a real receiver on loopback (a small poem
//! server in this test) that is down when the facts happen, answers 503 to its first request
//! when it comes back, then takes everything: every queued event arrives, each with a
//! `Kasa-Signature` the receiver verifies with the secret shown once, nothing is lost; each
//! attempt's answer is in the delivery log, and a replay sends an event again.

mod support;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use poem::http::StatusCode as PoemStatus;
use poem::listener::TcpListener;
use poem::web::Data;
use poem::{EndpointExt as _, Request, Response, Route, Server, handler, post};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Backend, Kasa};

/// What the receiver got: (signature header, raw body), and how many answers to refuse first.
#[derive(Default)]
struct Received {
    deliveries: Mutex<Vec<(String, Vec<u8>)>>,
    refuse_first: AtomicUsize,
}

#[handler]
async fn hook(request: &Request, body: Vec<u8>, received: Data<&Arc<Received>>) -> Response {
    // `Connection: close`: no kept-alive connection outlives the receiver going down.
    let refuse = received
        .refuse_first
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
            left.checked_sub(1)
        })
        .is_ok();
    if refuse {
        return Response::builder()
            .status(PoemStatus::SERVICE_UNAVAILABLE)
            .header("connection", "close")
            .body("busy, try later");
    }
    let signature = request
        .header("kasa-signature")
        .unwrap_or_default()
        .to_owned();
    received.deliveries.lock().unwrap().push((signature, body));
    Response::builder()
        .status(PoemStatus::OK)
        .header("connection", "close")
        .body("ok")
}

/// Starts the receiver on `port`; aborting the handle takes it down.
async fn receiver(port: u16, received: Arc<Received>) -> tokio::task::JoinHandle<()> {
    let app = Route::new().at("/hook", post(hook)).data(received);
    let handle = tokio::spawn(async move {
        let _ = Server::new(TcpListener::bind(format!("127.0.0.1:{port}")))
            .run(app)
            .await;
    });
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the receiver starts"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    handle
}

async fn deliveries(kasa: &Kasa, admin: &str, endpoint: &str) -> Vec<Value> {
    kasa.get(
        &format!("/v1/webhook-endpoints/{endpoint}/deliveries"),
        admin,
    )
    .await
    .as_array()
    .expect("a list")
    .clone()
}

/// Polls until `done` holds for the endpoint's deliveries (at most `seconds`).
async fn wait_for(
    kasa: &Kasa,
    admin: &str,
    endpoint: &str,
    seconds: u64,
    what: &str,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let started = Instant::now();
    loop {
        let listed = deliveries(kasa, admin, endpoint).await;
        if done(&listed) {
            return listed;
        }
        assert!(
            started.elapsed() < Duration::from_secs(seconds),
            "{what}: {listed:#?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn nothing_lost_when_the_receiver_goes_down_and_comes_back(backend: Backend) {
    let env = [
        ("KASA_OUTBOX_INTERVAL_MS", "100".to_owned()),
        ("KASA_WEBHOOK_FIRST_RETRY_SECONDS", "1".to_owned()),
    ];
    let Some(kasa) = Kasa::start_on(backend, &env).await else {
        return;
    };
    let admin = kasa.admin_token().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port");
    let every_type = [
        "purchase.completed",
        "purchase.failed",
        "payment.refunded",
        "payment.voided",
        "payment.captured",
        "subscription.started",
        "subscription.renewed",
        "subscription.ended",
        "invoice.issued",
    ];
    let (status, created) = kasa
        .call(
            Method::POST,
            "/v1/webhook-endpoints",
            Some(&admin),
            Some(json!({ "url": format!("http://127.0.0.1:{port}/hook"),
                         "description": "ERP", "event_types": every_type,
                         "reason": "the ERP listens" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    let endpoint = created["endpoint"]["id"].as_str().unwrap().to_owned();
    let listed = kasa.get("/v1/webhook-endpoints", &admin).await;
    assert!(
        !listed.to_string().contains(&secret),
        "the secret came back"
    );

    // The receiver is down when the facts happen: a paid grant (purchase, invoice).
    let received = Arc::new(Received::default());
    kasa.bank_transfer_grant(&admin, "100.00").await;
    let queued = wait_for(&kasa, &admin, &endpoint, 30, "each tried once", |listed| {
        !listed.is_empty() && listed.iter().all(|d| d["attempts"].as_u64() >= Some(1))
    })
    .await;
    let types: BTreeSet<&str> = queued
        .iter()
        .map(|d| d["event_type"].as_str().unwrap())
        .collect();
    assert!(types.contains("purchase.completed"), "{types:?}");
    assert!(types.contains("invoice.issued"), "{types:?}");
    assert!(queued.iter().all(|d| d["state"] == "pending"));

    // It comes back, refusing its first request; everything arrives.
    received.refuse_first.store(1, Ordering::SeqCst);
    let up = receiver(port, received.clone()).await;
    let delivered = wait_for(&kasa, &admin, &endpoint, 60, "all delivered", |listed| {
        listed.iter().all(|d| d["state"] == "delivered")
    })
    .await;
    assert_eq!(
        delivered.len(),
        queued.len(),
        "no event appeared or vanished"
    );

    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    let got: Vec<(String, Vec<u8>)> = received.deliveries.lock().unwrap().clone();
    let mut ids = BTreeSet::new();
    for (signature, body) in &got {
        kasa_webhooks::verify(body, signature, &secret, now, 300).expect("a genuine signature");
        let event: Value = serde_json::from_slice(body).unwrap();
        ids.insert(event["id"].as_str().unwrap().to_owned());
        assert!(
            event["created_at"].is_string() && event["data"].is_object(),
            "{event}"
        );
    }
    let expected: BTreeSet<String> = delivered
        .iter()
        .map(|d| d["event_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, expected, "every queued event arrived");

    // The log: a failure without an answer while down, the 503, then the 200.
    let mut answers = Vec::new();
    for delivery in &delivered {
        let log = kasa
            .get(
                &format!(
                    "/v1/webhook-endpoints/{endpoint}/deliveries/{}/attempts",
                    delivery["event_id"].as_str().unwrap()
                ),
                &admin,
            )
            .await;
        let log = log.as_array().unwrap().clone();
        assert!(log[0]["status"].is_null(), "down: no answer: {log:?}");
        assert_eq!(log.last().unwrap()["status"], 200, "{log:?}");
        answers.extend(log);
    }
    assert!(
        answers
            .iter()
            .any(|a| a["status"] == 503 && a["answer"] == "busy, try later"),
        "the refusal is logged with its answer: {answers:#?}"
    );

    // A replay sends one event again, with the same id.
    let replayed_id = delivered[0]["event_id"].as_str().unwrap().to_owned();
    let before = received.deliveries.lock().unwrap().len();
    let (status, replayed) = kasa
        .call(
            Method::POST,
            &format!("/v1/webhook-endpoints/{endpoint}/deliveries/{replayed_id}/replay"),
            Some(&admin),
            Some(json!({ "reason": "the ERP lost it" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{replayed}");
    wait_for(&kasa, &admin, &endpoint, 30, "replayed", |listed| {
        listed.iter().all(|d| d["state"] == "delivered")
    })
    .await;
    let got = received.deliveries.lock().unwrap().clone();
    assert_eq!(got.len(), before + 1);
    let again: Value = serde_json::from_slice(&got.last().unwrap().1).unwrap();
    assert_eq!(again["id"], replayed_id.as_str());
    up.abort();

    // Switched off by hand: nothing new is queued for it.
    let (status, off) = kasa
        .call(
            Method::PATCH,
            &format!("/v1/webhook-endpoints/{endpoint}"),
            Some(&admin),
            Some(json!({ "enabled": false, "reason": "ERP maintenance" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{off}");
    assert_eq!(off["enabled"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_loses_nothing_while_the_receiver_is_down() {
    nothing_lost_when_the_receiver_goes_down_and_comes_back(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_loses_nothing_while_the_receiver_is_down() {
    nothing_lost_when_the_receiver_goes_down_and_comes_back(Backend::Postgres).await;
}

/// The console's pages call the same functions: an endpoint made with two event types shows its
/// secret once, is switched off with a reason, and lists its deliveries.
#[tokio::test]
async fn the_console_makes_lists_and_switches_endpoints() {
    let Some(kasa) = Kasa::start(Backend::Sqlite).await else {
        return;
    };
    let admin = kasa.admin_token().await;
    let cookie =
        support::console_cookie(&kasa, support::ADMIN_EMAIL, support::ADMIN_PASSWORD).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = |path: String| {
        client
            .get(format!("{}{path}", kasa.base))
            .header("cookie", &cookie)
            .send()
    };
    let listed = page("/console/webhooks".to_owned()).await.unwrap();
    assert_eq!(listed.status(), StatusCode::OK);
    let html = listed.text().await.unwrap();
    assert!(
        html.contains("purchase.completed"),
        "the event types are offered"
    );
    let csrf = support::field_value(&html, "csrf");
    let made = client
        .post(format!("{}/console/webhooks", kasa.base))
        .header("cookie", &cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("url", "https://erp.example/kasa"),
            ("description", "ERP"),
            ("event_type", "purchase.completed"),
            ("event_type", "invoice.issued"),
            ("reason", "the ERP listens"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), StatusCode::OK);
    let html = made.text().await.unwrap();
    let secret = support::field_value(&html, "new-secret");
    assert!(secret.starts_with("whsec_"), "{html}");
    let endpoints = kasa.get("/v1/webhook-endpoints", &admin).await;
    assert_eq!(
        endpoints[0]["event_types"],
        json!(["purchase.completed", "invoice.issued"])
    );
    let id = endpoints[0]["id"].as_str().unwrap().to_owned();
    let listed = page("/console/webhooks".to_owned())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!listed.contains(&secret), "the secret is shown only once");

    let refused = client
        .post(format!("{}/console/webhooks", kasa.base))
        .header("cookie", &cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("url", "http://erp.example/kasa"),
            ("event_type", "purchase.completed"),
            ("reason", "plain http"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);

    let switched = client
        .post(format!("{}/console/webhooks/{id}/switch", kasa.base))
        .header("cookie", &cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("enabled", "false"),
            ("reason", "ERP maintenance"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(switched.status(), StatusCode::SEE_OTHER);
    let endpoints = kasa.get("/v1/webhook-endpoints", &admin).await;
    assert_eq!(endpoints[0]["enabled"], false);
    let deliveries = page(format!("/console/webhooks/{id}")).await.unwrap();
    assert_eq!(deliveries.status(), StatusCode::OK);
    assert!(
        deliveries
            .text()
            .await
            .unwrap()
            .contains("https://erp.example/kasa")
    );
}

/// The four events a charge, a refusal and the expiry job report, each delivered once to a
/// receiver on loopback with a signature it verifies: a balance of 10 falls below the mark of 5
/// (`credits.low`, on the crossing only), reaches 0 (`credits.exhausted`), the next ticket is
/// refused (`charge.refused`), and a five-day subscription is reported as ending within the
/// week (`subscription.ending_soon`, once, though the job runs every second).
async fn balance_refusal_and_ending_soon_arrive_once(backend: Backend) {
    let env = [
        ("KASA_OUTBOX_INTERVAL_MS", "100".to_owned()),
        ("KASA_WEBHOOK_FIRST_RETRY_SECONDS", "1".to_owned()),
        ("KASA_CREDITS_LOW_THRESHOLD", "5".to_owned()),
        ("KASA_EXPIRY_INTERVAL_SECONDS", "1".to_owned()),
    ];
    let Some(kasa) = Kasa::start_on(backend, &env).await else {
        return;
    };
    let admin = kasa.admin_token().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port");
    let received = Arc::new(Received::default());
    let up = receiver(port, received.clone()).await;
    let four = [
        "subscription.ending_soon",
        "credits.low",
        "credits.exhausted",
        "charge.refused",
    ];
    let (status, created) = kasa
        .call(
            Method::POST,
            "/v1/webhook-endpoints",
            Some(&admin),
            Some(json!({ "url": format!("http://127.0.0.1:{port}/hook"),
                         "description": "CRM", "event_types": four,
                         "reason": "the CRM warns customers" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let secret = created["secret"].as_str().unwrap().to_owned();
    let endpoint = created["endpoint"]["id"].as_str().unwrap().to_owned();

    // Ayşe holds 10 credits; a ticket costs 2: 8, 6, 4 (below 5), 2, 0, then refused.
    let grant = kasa.bank_transfer_grant(&admin, "100.00").await;
    let department = kasa.get("/v1/departments", &admin).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let help_desk = kasa.api_key(&admin, "help_desk").await;
    for ticket in 1..=6 {
        let (status, answer) = kasa
            .call(
                Method::POST,
                "/v1/charges",
                Some(&help_desk),
                Some(json!({ "customer": { "email": "ayse@example.com" },
                             "department_id": department, "kind": "ticket",
                             "reference": format!("T{ticket}") })),
            )
            .await;
        let expected = if ticket == 6 {
            StatusCode::PAYMENT_REQUIRED
        } else {
            StatusCode::OK
        };
        assert_eq!(
            status, expected,
            "ticket {ticket}: {answer} (after {grant})"
        );
    }

    // Mehmet is granted five days: his subscription ends within the week.
    let package = kasa
        .post(
            "/v1/packages",
            &admin,
            json!({ "name": "Beş gün", "kind": "subscription", "days": 5,
                    "department_ids": [department],
                    "price": { "amount": "50.00", "currency": "TRY" }, "on_sale": true,
                    "reason": "setup" }),
        )
        .await;
    let mehmet = kasa
        .post(
            "/v1/customers",
            &admin,
            json!({ "email": "mehmet@example.com", "name": "Mehmet Kaya", "reason": "new" }),
        )
        .await;
    kasa.post(
        &format!("/v1/customers/{}/grants", mehmet["id"].as_str().unwrap()),
        &admin,
        json!({ "package_id": package["id"], "reason": "trial" }),
    )
    .await;

    let delivered = wait_for(&kasa, &admin, &endpoint, 60, "four delivered", |listed| {
        listed.len() == 4 && listed.iter().all(|d| d["state"] == "delivered")
    })
    .await;
    // The expiry job keeps running every second: a few more runs add nothing.
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(2_500) {
        assert_eq!(deliveries(&kasa, &admin, &endpoint).await.len(), 4);
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    up.abort();

    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    let got = received.deliveries.lock().unwrap().clone();
    assert_eq!(got.len(), 4, "each event arrived exactly once");
    let mut by_type = std::collections::BTreeMap::new();
    for (signature, body) in &got {
        kasa_webhooks::verify(body, signature, &secret, now, 300).expect("a genuine signature");
        let event: Value = serde_json::from_slice(body).unwrap();
        by_type.insert(event["type"].as_str().unwrap().to_owned(), event);
    }
    assert_eq!(
        by_type.keys().map(String::as_str).collect::<BTreeSet<_>>(),
        four.into_iter().collect::<BTreeSet<_>>()
    );
    let ids: BTreeSet<&str> = delivered
        .iter()
        .map(|d| d["event_id"].as_str().unwrap())
        .collect();
    assert!(
        by_type
            .values()
            .all(|event| ids.contains(event["id"].as_str().unwrap()))
    );
    let low = &by_type["credits.low"]["data"]["object"];
    assert_eq!(
        (low["balance"].clone(), low["low_balance_threshold"].clone()),
        (json!(4), json!(5))
    );
    assert_eq!(low["usage_reference"], "T3");
    let exhausted = &by_type["credits.exhausted"]["data"]["object"];
    assert_eq!(exhausted["balance"], 0);
    assert_eq!(exhausted["usage_reference"], "T5");
    let refused = &by_type["charge.refused"]["data"]["object"];
    assert_eq!(refused["usage_reference"], "T6");
    assert_eq!(refused["refusal"]["reason"], "insufficient_credits");
    let ending = &by_type["subscription.ending_soon"]["data"];
    assert_eq!(
        ending["subject"],
        format!("customer:{}", mehmet["id"].as_str().unwrap())
    );
    assert!(ending["object"]["ends_at"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_delivers_balance_refusal_and_ending_soon_once() {
    balance_refusal_and_ending_soon_arrive_once(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_delivers_balance_refusal_and_ending_soon_once() {
    balance_refusal_and_ending_soon_arrive_once(Backend::Postgres).await;
}
