//! Signed webhooks as localstripe delivers them, to a tiny HTTP listener in the test, verified
//! by the gateway; and the deliveries that must be refused (changed body, other secret, stale
//! or replayed signature, missing header).

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{
    CARD_DECLINED_AT_CHARGE, CARD_OK, WEBHOOK_SECRET, config_for, confirm_setup, confirm_with_card,
    payment_start, start, try_minor,
};
use kasa_ports::{
    CaptureMode, GatewayCallback, GatewayError, GatewayReference, OrderId, PaymentGateway,
    PaymentInitiation, PaymentResultStatus, Secret,
};
use kasa_stripe::{
    HandledEvent, IdempotencyKey, NewCustomer, NewPlan, PlanInterval, StripeEvent, StripeGateway,
};
use kasa_testkit::localstripe::LocalStripe;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::Data;
use poem::{EndpointExt, Request, Route, Server, handler, post};

type Deliveries = Arc<Mutex<Vec<GatewayCallback>>>;

/// Keeps every delivery as a [`GatewayCallback`] (raw body, lower-case header names).
#[handler]
async fn record(request: &Request, body: Vec<u8>, deliveries: Data<&Deliveries>) -> &'static str {
    let headers = request
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_ascii_lowercase(),
                value.to_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    deliveries.lock().unwrap().push(GatewayCallback {
        raw_body: body,
        fields: Vec::new(),
        headers,
    });
    "ok"
}

/// A listener registered at `localstripe` as a webhook endpoint signed with [`WEBHOOK_SECRET`].
struct Endpoint {
    deliveries: Deliveries,
}

impl Endpoint {
    async fn register(localstripe: &LocalStripe) -> Self {
        let deliveries: Deliveries = Arc::default();
        let app = Route::new()
            .at("/webhook", post(record))
            .data(deliveries.clone());
        let acceptor = TcpListener::bind("127.0.0.1:0")
            .into_acceptor()
            .await
            .expect("a loopback port");
        let port = acceptor.local_addr()[0]
            .as_socket_addr()
            .expect("a TCP address")
            .port();
        tokio::spawn(Server::new_with_acceptor(acceptor).run(app));
        localstripe
            .register_webhook(
                "kasa",
                &format!("http://127.0.0.1:{port}/webhook"),
                WEBHOOK_SECRET,
            )
            .await;
        Self { deliveries }
    }

    /// The first delivery of an event of `event_type` whose object `matches`; waits up to 20 s
    /// (localstripe sends each event about a second after it happens).
    async fn delivery(
        &self,
        event_type: &str,
        matches: impl Fn(&StripeEvent) -> bool,
    ) -> GatewayCallback {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let found = self
                .deliveries
                .lock()
                .unwrap()
                .iter()
                .find(|delivery| {
                    StripeEvent::parse(&delivery.raw_body)
                        .is_ok_and(|event| event.event_type == event_type && matches(&event))
                })
                .cloned();
            if let Some(delivery) = found {
                return delivery;
            }
            assert!(
                Instant::now() < deadline,
                "no {event_type} webhook within 20 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn is_about(id: &str) -> impl Fn(&StripeEvent) -> bool + '_ {
    move |event| event.object["id"] == id
}

async fn started(gateway: &StripeGateway, order_id: &str) -> String {
    let PaymentInitiation::ClientConfirmation { reference, .. } = gateway
        .start_payment(payment_start(
            order_id,
            try_minor(4_990),
            CaptureMode::Immediate,
        ))
        .await
        .unwrap()
    else {
        panic!("a client confirmation");
    };
    reference.0
}

#[tokio::test]
async fn a_delivered_payment_succeeded_webhook_verifies_and_reads_as_captured() {
    let (localstripe, gateway) = start().await;
    let endpoint = Endpoint::register(&localstripe).await;
    let intent_id = started(&gateway, "ord_hook").await;
    confirm_with_card(gateway.client(), &intent_id, CARD_OK)
        .await
        .unwrap();
    let delivery = endpoint
        .delivery("payment_intent.succeeded", is_about(&intent_id))
        .await;

    let event = gateway.verify_event(&delivery).unwrap();
    assert!(event.id.starts_with("evt_"));
    assert_eq!(event.event_type, "payment_intent.succeeded");
    let result = gateway.verify_callback(delivery.clone()).await.unwrap();
    assert_eq!(result.order_id, OrderId("ord_hook".to_owned()));
    assert_eq!(result.status, PaymentResultStatus::Captured);
    assert_eq!(result.amount, Some(try_minor(4_990)));
    assert_eq!(result.reference, Some(GatewayReference(intent_id)));
    assert!(matches!(
        event.handled().unwrap(),
        HandledEvent::PaymentIntent { ref event_type, .. } if event_type == "payment_intent.succeeded"
    ));

    // The same delivery, changed, signed for another endpoint, or too old, is refused.
    let mut tampered = delivery.clone();
    let text = String::from_utf8(tampered.raw_body).unwrap();
    tampered.raw_body = text.replacen("4990", "4991", 1).into_bytes();
    assert_eq!(
        gateway.verify_event(&tampered),
        Err(GatewayError::InvalidSignature)
    );
    let mut other_config = config_for(localstripe.base_url());
    other_config.webhook_secret = Secret::new("whsec_another_endpoint");
    let other_endpoint = StripeGateway::new(other_config).unwrap();
    assert_eq!(
        other_endpoint.verify_callback(delivery.clone()).await,
        Err(GatewayError::InvalidSignature)
    );
    let tolerance = gateway.config().webhook_tolerance_seconds;
    assert!(
        gateway
            .verify_event_at(&delivery, event.created + tolerance)
            .is_ok()
    );
    // A replay later than the tolerance: refused (within it, event ids make it harmless).
    assert_eq!(
        gateway.verify_event_at(&delivery, event.created + tolerance + 1),
        Err(GatewayError::InvalidSignature)
    );
    assert_eq!(
        gateway.verify_event_at(&delivery, event.created + 86_400),
        Err(GatewayError::InvalidSignature)
    );
    let mut unsigned = delivery;
    unsigned
        .headers
        .retain(|(name, _)| name != "stripe-signature");
    assert_eq!(
        gateway.verify_event(&unsigned),
        Err(GatewayError::InvalidSignature)
    );
}

#[tokio::test]
async fn a_failed_payment_webhook_reads_as_declined_and_other_events_are_not_payments() {
    let (localstripe, gateway) = start().await;
    let endpoint = Endpoint::register(&localstripe).await;
    let intent_id = started(&gateway, "ord_hook_declined").await;
    confirm_with_card(gateway.client(), &intent_id, CARD_DECLINED_AT_CHARGE)
        .await
        .expect_err("declined");
    let delivery = endpoint
        .delivery("payment_intent.payment_failed", is_about(&intent_id))
        .await;
    let result = gateway.verify_callback(delivery).await.unwrap();
    assert_eq!(result.order_id, OrderId("ord_hook_declined".to_owned()));
    assert_eq!(
        result.status,
        PaymentResultStatus::Declined {
            code: "card_declined".to_owned(),
            message: "Your card was declined.".to_owned()
        }
    );

    // A verified event that is not about a PaymentIntent is no payment result.
    let customer_created = endpoint.delivery("customer.created", |_| true).await;
    assert!(gateway.verify_event(&customer_created).is_ok());
    assert!(matches!(
        gateway.verify_callback(customer_created).await,
        Err(GatewayError::Malformed(message)) if message.contains("customer.created")
    ));
}

#[tokio::test]
async fn subscription_webhooks_read_the_paid_period_and_the_end() {
    let (localstripe, gateway) = start().await;
    let endpoint = Endpoint::register(&localstripe).await;
    let client = gateway.client();
    let customer = client
        .create_customer(
            &NewCustomer {
                email: "subscriber@example.com".to_owned(),
                ..NewCustomer::default()
            },
            &IdempotencyKey::derived(&["hooks", "customer"]),
        )
        .await
        .unwrap();
    let setup = client
        .create_setup_intent(
            &customer.id,
            &[],
            &IdempotencyKey::derived(&["hooks", "setup"]),
        )
        .await
        .unwrap();
    confirm_setup(client, &setup, CARD_OK).await.unwrap();
    client
        .use_setup_intent_as_default_card(&customer.id, &setup.id)
        .await
        .unwrap();
    let plan = client
        .create_plan(
            &NewPlan {
                amount: try_minor(25_000),
                interval: PlanInterval::Month,
                interval_count: 1,
                product_name: "Destek (aylık)".to_owned(),
                nickname: None,
                metadata: Vec::new(),
            },
            &IdempotencyKey::derived(&["hooks", "plan"]),
        )
        .await
        .unwrap();
    let subscription = client
        .create_subscription(
            &customer.id,
            &plan.id,
            &[],
            &IdempotencyKey::derived(&["hooks", "sub"]),
        )
        .await
        .unwrap();

    let paid = endpoint
        .delivery("invoice.payment_succeeded", |event| {
            event.object["subscription"] == subscription.id.as_str()
        })
        .await;
    let HandledEvent::InvoicePaymentSucceeded {
        invoice_id,
        subscription_id,
        amount_paid,
        period_end_unix,
        ..
    } = gateway.verify_event(&paid).unwrap().handled().unwrap()
    else {
        panic!("an invoice payment");
    };
    assert!(invoice_id.starts_with("in_"));
    assert_eq!(subscription_id.as_deref(), Some(subscription.id.as_str()));
    assert_eq!(amount_paid, try_minor(25_000));
    assert_eq!(period_end_unix, subscription.period_end());

    client
        .cancel_subscription_now(&subscription.id)
        .await
        .unwrap();
    let ended = endpoint
        .delivery("customer.subscription.deleted", is_about(&subscription.id))
        .await;
    assert_eq!(
        gateway.verify_event(&ended).unwrap().handled().unwrap(),
        HandledEvent::SubscriptionDeleted {
            subscription_id: subscription.id.clone(),
            customer_id: Some(customer.id),
        }
    );
}
