//! The client against a tiny fake Stripe (poem on a loopback port) answering recorded shapes of
//! real Stripe: what goes on the wire (Idempotency-Key on every POST, derived from the order;
//! auth; the pinned version; form bodies), a retry after a lost answer replayed by the key,
//! Stripe's error documents and non-JSON bodies, a timeout, and real Stripe's partial-capture
//! and search answers, which localstripe does not give.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{payment_start, try_minor};
use kasa_ports::{
    CaptureMode, GatewayError, GatewayReference, OrderId, PaymentGateway, PaymentHandle,
    PaymentResultStatus, Secret,
};
use kasa_stripe::{Dialect, StripeConfig, StripeGateway};
use poem::http::StatusCode;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::Data;
use poem::{EndpointExt, Request, Response, Route, Server, handler};

const SECRET_KEY: &str = "sk_test_fake_account_key";

/// One request as the fake received it.
#[derive(Clone, Debug)]
struct Received {
    method: String,
    path: String,
    query: String,
    headers: HashMap<String, String>,
    body: String,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    fn key(&self) -> Option<&str> {
        self.header("idempotency-key")
    }
}

/// What the fake answers.
enum Answer {
    Json(u16, serde_json::Value),
    Text(u16, &'static str),
    /// Never answers (a hung server).
    Never,
}

/// Stripe's memory of idempotency keys: the answer first given for each key.
#[derive(Default)]
struct Memory {
    answers: HashMap<String, serde_json::Value>,
}

type Script = dyn Fn(&Received, &mut Memory) -> Answer + Send + Sync;

struct Fake {
    received: Mutex<Vec<Received>>,
    memory: Mutex<Memory>,
    script: Box<Script>,
}

#[handler]
async fn answer(request: &Request, body: String, fake: Data<&Arc<Fake>>) -> Response {
    let received = Received {
        method: request.method().to_string(),
        path: request.uri().path().to_owned(),
        query: request.uri().query().unwrap_or_default().to_owned(),
        headers: request
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    value.to_str().unwrap_or_default().to_owned(),
                )
            })
            .collect(),
        body,
    };
    fake.received.lock().unwrap().push(received.clone());
    let answer = (fake.script)(&received, &mut fake.memory.lock().unwrap());
    match answer {
        Answer::Json(status, json) => Response::builder()
            .status(StatusCode::from_u16(status).unwrap())
            .content_type("application/json")
            .body(json.to_string()),
        Answer::Text(status, text) => Response::builder()
            .status(StatusCode::from_u16(status).unwrap())
            .content_type("text/plain")
            .body(text),
        Answer::Never => std::future::pending().await,
    }
}

/// A fake Stripe running `script`, and a gateway on it (real Stripe's dialect).
async fn fake(
    script: impl Fn(&Received, &mut Memory) -> Answer + Send + Sync + 'static,
) -> (Arc<Fake>, StripeGateway) {
    let fake = Arc::new(Fake {
        received: Mutex::default(),
        memory: Mutex::default(),
        script: Box::new(script),
    });
    let app = Route::new().at("/*path", answer).data(fake.clone());
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .expect("a loopback port");
    let port = acceptor.local_addr()[0]
        .as_socket_addr()
        .expect("a TCP address")
        .port();
    tokio::spawn(Server::new_with_acceptor(acceptor).run(app));
    let mut config = StripeConfig::new(Secret::new(SECRET_KEY), Secret::new("whsec_fake"));
    config.base_url = format!("http://127.0.0.1:{port}");
    config.timeout = Duration::from_secs(5);
    config.statement_descriptor = Some("KASA".to_owned());
    assert_eq!(config.dialect, Dialect::Stripe);
    (fake, StripeGateway::new(config).unwrap())
}

fn with_retries(gateway: &StripeGateway, retries: u32, timeout: Duration) -> StripeGateway {
    let mut config = gateway.config().clone();
    config.max_network_retries = retries;
    config.timeout = timeout;
    StripeGateway::new(config).unwrap()
}

fn handle(order_id: &str) -> PaymentHandle {
    PaymentHandle {
        order_id: OrderId(order_id.to_owned()),
        reference: Some(GatewayReference("pi_1".to_owned())),
    }
}

fn payment_intent(status: &str, amount_refunded: i64) -> serde_json::Value {
    serde_json::json!({
        "id": "pi_1", "object": "payment_intent", "amount": 10_000, "amount_received": 10_000,
        "currency": "try", "status": status, "client_secret": "pi_1_secret_abc",
        "metadata": {"kasa_order_id": "ord_1"},
        "latest_charge": {"id": "ch_1", "object": "charge", "amount": 10_000,
            "amount_captured": 10_000, "amount_refunded": amount_refunded, "captured": true,
            "currency": "try", "status": "succeeded"}
    })
}

/// A Stripe that knows one customer-less e-mail, makes `cus_1` and `pi_1`, captures, cancels,
/// and counts refunds into the PaymentIntent's charge.
fn shop(received: &Received, memory: &mut Memory) -> Answer {
    let refunded: i64 = memory
        .answers
        .iter()
        .filter(|(key, _)| key.contains("/refund/"))
        .map(|(_, refund)| refund["amount"].as_i64().unwrap())
        .sum();
    match (received.method.as_str(), received.path.as_str()) {
        ("GET", "/v1/customers") => {
            Answer::Json(200, serde_json::json!({"object": "list", "data": []}))
        }
        ("POST", "/v1/customers") => Answer::Json(200, serde_json::json!({"id": "cus_1"})),
        ("POST", "/v1/payment_intents") => {
            Answer::Json(200, payment_intent("requires_payment_method", 0))
        }
        ("GET", "/v1/payment_intents/pi_1") => {
            Answer::Json(200, payment_intent("succeeded", refunded))
        }
        ("POST", "/v1/payment_intents/pi_1/capture") => {
            Answer::Json(200, payment_intent("succeeded", 0))
        }
        ("POST", "/v1/payment_intents/pi_1/cancel") => {
            Answer::Json(200, payment_intent("canceled", 0))
        }
        ("POST", "/v1/refunds") => {
            let key = received.key().unwrap().to_owned();
            let amount: i64 = form_value(&received.body, "amount").parse().unwrap();
            let count = memory.answers.len();
            let refund = memory.answers.entry(key).or_insert_with(|| {
                serde_json::json!({"id": format!("re_{count}"), "amount": amount,
                    "currency": "try", "status": "succeeded", "payment_intent": "pi_1"})
            });
            Answer::Json(200, refund.clone())
        }
        _ => Answer::Json(
            404,
            serde_json::json!({"error": {"type": "invalid_request_error",
            "code": "resource_missing", "message": "No such thing"}}),
        ),
    }
}

fn form_value(body: &str, name: &str) -> String {
    body.split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn every_post_carries_an_idempotency_key_derived_from_the_order() {
    let (fake, gateway) = fake(shop).await;
    let start = payment_start("ord_1", try_minor(10_000), CaptureMode::AuthoriseOnly);
    gateway.start_payment(start.clone()).await.unwrap();
    // The same call again (a retry) sends the same keys.
    gateway.start_payment(start).await.unwrap();
    gateway
        .capture(handle("ord_1"), Some(try_minor(6_000)))
        .await
        .unwrap();
    gateway.void(handle("ord_1")).await.unwrap();
    let first = gateway
        .refund(handle("ord_1"), try_minor(1_000))
        .await
        .unwrap();
    let second = gateway
        .refund(handle("ord_1"), try_minor(1_000))
        .await
        .unwrap();
    assert_ne!(first.reference, second.reference);

    let received = fake.received.lock().unwrap().clone();
    let posts: Vec<(&str, &str)> = received
        .iter()
        .filter(|request| request.method == "POST")
        .map(|request| {
            (
                request.path.as_str(),
                request.key().expect("a key on every POST"),
            )
        })
        .collect();
    assert_eq!(
        posts,
        [
            ("/v1/customers", "kasa/ord_1/customer"),
            ("/v1/payment_intents", "kasa/ord_1/payment_intent"),
            ("/v1/customers", "kasa/ord_1/customer"),
            ("/v1/payment_intents", "kasa/ord_1/payment_intent"),
            (
                "/v1/payment_intents/pi_1/capture",
                "kasa/ord_1/capture/6000"
            ),
            ("/v1/payment_intents/pi_1/cancel", "kasa/ord_1/cancel"),
            ("/v1/refunds", "kasa/ord_1/refund/1000/after-0"),
            ("/v1/refunds", "kasa/ord_1/refund/1000/after-1000"),
        ]
    );
    for request in &received {
        assert_eq!(
            request.header("authorization"),
            Some(format!("Bearer {SECRET_KEY}").as_str())
        );
        assert_eq!(request.header("stripe-version"), Some("2024-06-20"));
        if request.method == "POST" {
            assert_eq!(
                request.header("content-type"),
                Some("application/x-www-form-urlencoded")
            );
        } else {
            assert_eq!(request.key(), None, "{request:?}");
        }
    }
    let created = received
        .iter()
        .find(|request| request.method == "POST" && request.path == "/v1/payment_intents")
        .unwrap();
    assert_eq!(
        created.body,
        "amount=10000&currency=try&capture_method=manual&customer=cus_1\
         &metadata%5Bkasa_order_id%5D=ord_1&metadata%5Bkasa_description%5D=100+kredi\
         &description=100+kredi&receipt_email=ord_1%40example.com\
         &statement_descriptor_suffix=KASA"
    );
    let customer = received
        .iter()
        .find(|request| request.method == "POST" && request.path == "/v1/customers")
        .unwrap();
    assert_eq!(
        customer.body,
        "email=ord_1%40example.com&name=Ay%C5%9Fe+Y%C4%B1lmaz&preferred_locales%5B0%5D=tr"
    );
    let lookup = received
        .iter()
        .find(|request| request.method == "GET" && request.path == "/v1/customers")
        .unwrap();
    assert_eq!(lookup.query, "email=ord_1%40example.com&limit=1");
    let capture = received
        .iter()
        .find(|request| request.path == "/v1/payment_intents/pi_1/capture")
        .unwrap();
    assert_eq!(capture.body, "amount_to_capture=6000");
}

#[tokio::test]
async fn a_refund_whose_answer_was_lost_is_sent_again_with_its_key_and_done_once() {
    // Stripe makes the refund, but the answer never arrives (here: a 502 from a proxy); the
    // retry carries the same key and Stripe replays the first refund.
    let (fake, gateway) = fake(|received, memory| {
        if received.path == "/v1/refunds" {
            let key = received.key().unwrap().to_owned();
            if let Some(first) = memory.answers.get(&key) {
                return Answer::Json(200, first.clone());
            }
            memory.answers.insert(
                key,
                serde_json::json!({"id": "re_once", "amount": 2_500, "currency": "try",
                    "status": "succeeded"}),
            );
            return Answer::Text(502, "Bad Gateway");
        }
        shop(received, memory)
    })
    .await;
    let gateway = with_retries(&gateway, 1, Duration::from_secs(5));
    let receipt = gateway
        .refund(handle("ord_1"), try_minor(2_500))
        .await
        .unwrap();
    assert_eq!(
        receipt.reference,
        Some(GatewayReference("re_once".to_owned()))
    );
    assert_eq!(receipt.amount, Some(try_minor(2_500)));
    let keys: Vec<String> = fake
        .received
        .lock()
        .unwrap()
        .iter()
        .filter(|request| request.path == "/v1/refunds")
        .map(|request| request.key().unwrap().to_owned())
        .collect();
    assert_eq!(
        keys,
        [
            "kasa/ord_1/refund/2500/after-0",
            "kasa/ord_1/refund/2500/after-0"
        ]
    );
}

#[tokio::test]
async fn stripe_errors_and_broken_answers_sort_into_gateway_errors() {
    let (fake, gateway) = fake(|received, _| match received.query.as_str() {
        _ if received.path == "/v1/payment_intents/pi_declined/capture" => Answer::Json(
            402,
            serde_json::json!({"error": {"type": "card_error", "code": "card_declined",
                "decline_code": "insufficient_funds", "message": "Your card has insufficient funds.",
                "param": ""}}),
        ),
        _ if received.path == "/v1/payment_intents/pi_reused/cancel" => Answer::Json(
            400,
            serde_json::json!({"error": {"type": "idempotency_error",
                "message": "Keys for idempotent requests can only be used with the same parameters they were first used with."}}),
        ),
        _ if received.path == "/v1/payment_intents/pi_key/cancel" => Answer::Json(
            401,
            serde_json::json!({"error": {"type": "invalid_request_error",
                "message": format!("Invalid API Key provided: {SECRET_KEY}")}}),
        ),
        _ if received.path == "/v1/payment_intents/pi_html/cancel" => Answer::Text(
            500,
            "<html><body><h1>500 Internal Server Error</h1></body></html>",
        ),
        _ if received.path == "/v1/payment_intents/pi_busy/cancel" => Answer::Json(
            429,
            serde_json::json!({"error": {"type": "invalid_request_error", "code": "rate_limit",
                "message": "Too many requests"}}),
        ),
        _ if received.path == "/v1/payment_intents/pi_garbage/cancel" => Answer::Text(200, "OK"),
        _ if received.path == "/v1/payment_intents/pi_hung/cancel" => Answer::Never,
        _ => Answer::Json(404, serde_json::json!({"error": {"type": "invalid_request_error",
            "code": "resource_missing", "message": "No such payment_intent"}})),
    })
    .await;
    let on = |reference: &str| PaymentHandle {
        order_id: OrderId("ord_1".to_owned()),
        reference: Some(GatewayReference(reference.to_owned())),
    };
    assert_eq!(
        gateway.capture(on("pi_declined"), None).await,
        Err(GatewayError::Declined {
            code: "insufficient_funds".to_owned(),
            message: "Your card has insufficient funds.".to_owned()
        })
    );
    assert!(matches!(
        gateway.void(on("pi_reused")).await,
        Err(GatewayError::Refused { code, .. }) if code == "idempotency_error"
    ));
    let unauthorised = gateway.void(on("pi_key")).await.unwrap_err();
    assert!(matches!(unauthorised, GatewayError::Misconfigured(_)));
    assert!(
        !unauthorised.to_string().contains(SECRET_KEY),
        "{unauthorised}"
    );
    assert!(
        unauthorised.to_string().contains("sk_***"),
        "{unauthorised}"
    );
    assert!(matches!(
        gateway.void(on("pi_missing")).await,
        Err(GatewayError::Refused { code, .. }) if code == "resource_missing"
    ));
    assert!(matches!(
        gateway.void(on("pi_garbage")).await,
        Err(GatewayError::Malformed(_))
    ));

    // Failures on the way are retried with the same key, then reported.
    let retrying = with_retries(&gateway, 1, Duration::from_secs(5));
    assert!(matches!(
        retrying.void(on("pi_html")).await,
        Err(GatewayError::Unavailable(message)) if message.contains("500")
    ));
    assert!(matches!(
        retrying.void(on("pi_busy")).await,
        Err(GatewayError::Unavailable(message)) if message.contains("429")
    ));
    let html_keys: Vec<String> = fake
        .received
        .lock()
        .unwrap()
        .iter()
        .filter(|request| request.path == "/v1/payment_intents/pi_html/cancel")
        .map(|request| request.key().unwrap().to_owned())
        .collect();
    assert_eq!(html_keys, ["kasa/ord_1/cancel", "kasa/ord_1/cancel"]);

    let impatient = with_retries(&gateway, 0, Duration::from_millis(300));
    assert_eq!(
        impatient.void(on("pi_hung")).await,
        Err(GatewayError::Timeout)
    );
}

#[tokio::test]
async fn nothing_listening_is_unavailable() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut config = StripeConfig::new(Secret::new(SECRET_KEY), Secret::new("whsec_fake"));
    config.base_url = format!("http://127.0.0.1:{port}");
    config.max_network_retries = 0;
    let gateway = StripeGateway::new(config).unwrap();
    assert!(matches!(
        gateway.query_status(handle("ord_1")).await,
        Err(GatewayError::Unavailable(_))
    ));
}

#[tokio::test]
async fn a_status_query_reads_real_stripes_partial_capture_and_search_answers() {
    // Real Stripe after capturing 60.00 of 100.00 and refunding 10.00: the released 40.00 is
    // counted in amount_refunded; amount_captured and amount_received say what was taken.
    let (fake, gateway) = fake(|received, _| match received.path.as_str() {
        "/v1/payment_intents/search" => Answer::Json(
            200,
            serde_json::json!({"object": "search_result", "data": [
                {"id": "pi_old", "created": 1, "metadata": {"kasa_order_id": "ord_1"}},
                {"id": "pi_1", "created": 2, "metadata": {"kasa_order_id": "ord_1"}}
            ], "has_more": false}),
        ),
        "/v1/payment_intents/pi_1" => Answer::Json(
            200,
            serde_json::json!({"id": "pi_1", "object": "payment_intent", "amount": 10_000,
                "amount_capturable": 0, "amount_received": 6_000, "currency": "try",
                "status": "succeeded", "capture_method": "manual",
                "metadata": {"kasa_order_id": "ord_1"},
                "latest_charge": {"id": "ch_1", "object": "charge", "amount": 10_000,
                    "amount_captured": 6_000, "amount_refunded": 5_000, "captured": true,
                    "refunded": false, "currency": "try", "status": "succeeded"}}),
        ),
        _ => Answer::Json(
            404,
            serde_json::json!({"error": {"type": "invalid_request_error"}}),
        ),
    })
    .await;
    let report = gateway
        .query_status(PaymentHandle {
            order_id: OrderId("ord_1".to_owned()),
            reference: None,
        })
        .await
        .unwrap();
    assert_eq!(report.result.status, PaymentResultStatus::Captured);
    assert_eq!(report.result.amount, Some(try_minor(6_000)));
    assert_eq!(
        report.result.reference,
        Some(GatewayReference("pi_1".to_owned()))
    );
    assert_eq!(report.refunded, Some(try_minor(1_000)));
    assert!(!report.voided);
    let received = fake.received.lock().unwrap().clone();
    assert_eq!(
        received[0].query,
        "query=metadata%5B%27kasa_order_id%27%5D%3A%27ord_1%27&limit=10"
    );
    assert_eq!(received[1].path, "/v1/payment_intents/pi_1");
    assert_eq!(received[1].query, "expand%5B%5D=latest_charge");
}
