//! The payment port against a real localstripe (one per test): customers, card payments with
//! and without 3-D Secure, declines, authorise-then-capture, voids, refunds and status queries.

mod common;

use common::{
    CARD_3DS, CARD_DECLINED_AT_CHARGE, CARD_OK, authenticate, config_for, confirm_with_card,
    payment_start, start, try_minor,
};
use kasa_domain::{Currency, Money};
use kasa_ports::{
    CaptureMode, GatewayError, GatewayReference, OrderId, PaymentGateway, PaymentHandle,
    PaymentInitiation, PaymentResultStatus, Secret,
};
use kasa_stripe::{IdempotencyKey, NewCustomer, StripeGateway};

/// Starts a payment and returns its PaymentIntent id and client secret.
async fn started(
    gateway: &StripeGateway,
    order_id: &str,
    amount: Money,
    capture: CaptureMode,
) -> (String, String) {
    let initiation = gateway
        .start_payment(payment_start(order_id, amount, capture))
        .await
        .expect("the payment starts");
    let PaymentInitiation::ClientConfirmation {
        reference,
        client_secret,
    } = initiation
    else {
        panic!("Stripe payments are confirmed by the page: {initiation:?}");
    };
    (reference.0, client_secret)
}

fn handle(order_id: &str, payment_intent_id: &str) -> PaymentHandle {
    PaymentHandle {
        order_id: OrderId(order_id.to_owned()),
        reference: Some(GatewayReference(payment_intent_id.to_owned())),
    }
}

#[tokio::test]
async fn a_customer_is_found_by_email_or_created_and_payments_reuse_them() {
    let (_localstripe, gateway) = start().await;
    let client = gateway.client();
    assert_eq!(
        client
            .find_customer_by_email("ord_c1@example.com")
            .await
            .unwrap(),
        None
    );
    let customer = client
        .create_customer(
            &NewCustomer {
                email: "ord_c1@example.com".to_owned(),
                name: Some("Ayşe Yılmaz".to_owned()),
                preferred_locales: vec!["tr".to_owned()],
                metadata: vec![("kasa_customer_id".to_owned(), "c1".to_owned())],
            },
            &IdempotencyKey::derived(&["customer", "c1"]),
        )
        .await
        .unwrap();
    assert!(customer.id.starts_with("cus_"));
    assert_eq!(customer.name.as_deref(), Some("Ayşe Yılmaz"));
    assert_eq!(customer.metadata["kasa_customer_id"], "c1");
    let found = client
        .find_customer_by_email("ord_c1@example.com")
        .await
        .unwrap()
        .expect("found by e-mail");
    assert_eq!(found.id, customer.id);
    assert_eq!(client.retrieve_customer(&customer.id).await.unwrap(), found);

    // A payment for that e-mail uses the customer; one for a new e-mail creates one.
    let (intent_id, _) = started(&gateway, "ord_c1", try_minor(1000), CaptureMode::Immediate).await;
    let intent = client.retrieve_payment_intent(&intent_id).await.unwrap();
    assert_eq!(
        intent
            .customer
            .as_ref()
            .map(|customer| customer.id().to_owned()),
        Some(customer.id.clone())
    );
    let (other_id, _) = started(&gateway, "ord_c2", try_minor(1000), CaptureMode::Immediate).await;
    let other = client.retrieve_payment_intent(&other_id).await.unwrap();
    let created = client
        .find_customer_by_email("ord_c2@example.com")
        .await
        .unwrap()
        .expect("created by the payment");
    assert_eq!(
        other
            .customer
            .as_ref()
            .map(|customer| customer.id().to_owned()),
        Some(created.id)
    );
}

#[tokio::test]
async fn a_card_payment_is_pending_until_confirmed_then_captured() {
    let (_localstripe, gateway) = start().await;
    let (intent_id, client_secret) =
        started(&gateway, "ord_1", try_minor(10_550), CaptureMode::Immediate).await;
    assert!(intent_id.starts_with("pi_"));
    assert!(client_secret.starts_with(&intent_id));

    let intent = gateway
        .client()
        .retrieve_payment_intent(&intent_id)
        .await
        .unwrap();
    assert_eq!(intent.amount, 10_550);
    assert_eq!(intent.currency, "try");
    assert_eq!(intent.capture_method.as_deref(), Some("automatic"));
    assert_eq!(intent.metadata["kasa_order_id"], "ord_1");
    assert_eq!(intent.metadata["kasa_description"], "100 kredi");

    let before = gateway
        .query_status(handle("ord_1", &intent_id))
        .await
        .unwrap();
    assert_eq!(before.result.status, PaymentResultStatus::Pending);
    assert!(!before.voided);

    let confirmed = confirm_with_card(gateway.client(), &intent_id, CARD_OK)
        .await
        .unwrap();
    assert_eq!(confirmed.status, "succeeded");
    let after = gateway
        .query_status(handle("ord_1", &intent_id))
        .await
        .unwrap();
    assert_eq!(after.result.status, PaymentResultStatus::Captured);
    assert_eq!(after.result.order_id, OrderId("ord_1".to_owned()));
    assert_eq!(after.result.amount, Some(try_minor(10_550)));
    assert_eq!(
        after.result.reference,
        Some(GatewayReference(intent_id.clone()))
    );
    assert_eq!(after.refunded, Some(try_minor(0)));
    assert!(!after.voided);
}

#[tokio::test]
async fn three_d_secure_waits_for_the_customer_and_a_failed_check_is_declined() {
    let (_localstripe, gateway) = start().await;
    let client = gateway.client();
    let (intent_id, secret) = started(
        &gateway,
        "ord_3ds",
        try_minor(5_000),
        CaptureMode::Immediate,
    )
    .await;
    let confirmed = confirm_with_card(client, &intent_id, CARD_3DS)
        .await
        .unwrap();
    assert_eq!(confirmed.status, "requires_action");
    assert!(confirmed.next_action.is_some());
    let waiting = gateway
        .query_status(handle("ord_3ds", &intent_id))
        .await
        .unwrap();
    assert_eq!(waiting.result.status, PaymentResultStatus::Pending);
    let authenticated = authenticate(client, &intent_id, &secret, true).await;
    assert_eq!(authenticated.status, "succeeded");
    let done = gateway
        .query_status(handle("ord_3ds", &intent_id))
        .await
        .unwrap();
    assert_eq!(done.result.status, PaymentResultStatus::Captured);

    let (failing_id, failing_secret) = started(
        &gateway,
        "ord_3ds_fail",
        try_minor(5_000),
        CaptureMode::Immediate,
    )
    .await;
    confirm_with_card(client, &failing_id, CARD_3DS)
        .await
        .unwrap();
    authenticate(client, &failing_id, &failing_secret, false).await;
    let failed = gateway
        .query_status(handle("ord_3ds_fail", &failing_id))
        .await
        .unwrap();
    assert!(
        matches!(
            &failed.result.status,
            PaymentResultStatus::Declined { code, .. }
                if code == "payment_intent_authentication_failure"
        ),
        "{failed:?}"
    );
}

#[tokio::test]
async fn a_card_declined_at_payment_time_is_declined() {
    let (_localstripe, gateway) = start().await;
    let (intent_id, _) = started(
        &gateway,
        "ord_declined",
        try_minor(2_000),
        CaptureMode::Immediate,
    )
    .await;
    let error = confirm_with_card(gateway.client(), &intent_id, CARD_DECLINED_AT_CHARGE)
        .await
        .expect_err("declined");
    assert!(
        matches!(
            GatewayError::from(error.clone()),
            GatewayError::Declined { ref code, .. } if code == "card_declined"
        ),
        "{error:?}"
    );
    let report = gateway
        .query_status(handle("ord_declined", &intent_id))
        .await
        .unwrap();
    assert_eq!(
        report.result.status,
        PaymentResultStatus::Declined {
            code: "card_declined".to_owned(),
            message: "Your card was declined.".to_owned()
        }
    );
}

#[tokio::test]
async fn an_authorisation_is_captured_in_part_then_refunded() {
    let (_localstripe, gateway) = start().await;
    let (intent_id, _) = started(
        &gateway,
        "ord_auth",
        try_minor(10_000),
        CaptureMode::AuthoriseOnly,
    )
    .await;
    let intent = gateway
        .client()
        .retrieve_payment_intent(&intent_id)
        .await
        .unwrap();
    assert_eq!(intent.capture_method.as_deref(), Some("manual"));
    let confirmed = confirm_with_card(gateway.client(), &intent_id, CARD_OK)
        .await
        .unwrap();
    assert_eq!(confirmed.status, "requires_capture");
    let authorised = gateway
        .query_status(handle("ord_auth", &intent_id))
        .await
        .unwrap();
    assert_eq!(authorised.result.status, PaymentResultStatus::Authorised);

    // Another currency than the payment's is refused before Stripe is asked.
    let in_dollars = Money::from_minor_units(6_000, Currency::Usd).unwrap();
    assert!(matches!(
        gateway.capture(handle("ord_auth", &intent_id), Some(in_dollars)).await,
        Err(GatewayError::Refused { code, .. }) if code == "currency_mismatch"
    ));

    let receipt = gateway
        .capture(handle("ord_auth", &intent_id), Some(try_minor(6_000)))
        .await
        .unwrap();
    assert_eq!(receipt.amount, Some(try_minor(6_000)));
    assert!(receipt.reference.unwrap().0.starts_with("ch_"));
    let captured = gateway
        .query_status(handle("ord_auth", &intent_id))
        .await
        .unwrap();
    assert_eq!(captured.result.status, PaymentResultStatus::Captured);
    // localstripe has neither `amount_captured` nor `amount_received`, and records the released
    // 40.00 as a refund (real Stripe counts it in `amount_refunded` too but also says what was
    // captured, which the adapter subtracts; see the recorded case in tests/recorded.rs).
    assert_eq!(captured.refunded, Some(try_minor(4_000)));

    let refund = gateway
        .refund(handle("ord_auth", &intent_id), try_minor(1_000))
        .await
        .unwrap();
    assert_eq!(refund.amount, Some(try_minor(1_000)));
    let refunded = gateway
        .query_status(handle("ord_auth", &intent_id))
        .await
        .unwrap();
    assert_eq!(refunded.refunded, Some(try_minor(5_000)));
}

#[tokio::test]
async fn a_void_cancels_an_authorisation_and_a_captured_payment_cannot_be_voided() {
    let (_localstripe, gateway) = start().await;
    let (intent_id, _) = started(
        &gateway,
        "ord_void",
        try_minor(7_500),
        CaptureMode::AuthoriseOnly,
    )
    .await;
    confirm_with_card(gateway.client(), &intent_id, CARD_OK)
        .await
        .unwrap();
    let receipt = gateway.void(handle("ord_void", &intent_id)).await.unwrap();
    assert_eq!(receipt.reference, Some(GatewayReference(intent_id.clone())));
    assert_eq!(receipt.amount, Some(try_minor(7_500)));
    let report = gateway
        .query_status(handle("ord_void", &intent_id))
        .await
        .unwrap();
    assert!(report.voided);
    assert!(matches!(
        report.result.status,
        PaymentResultStatus::Declined { code, .. } if code == "canceled"
    ));

    let (paid_id, _) = started(
        &gateway,
        "ord_paid",
        try_minor(7_500),
        CaptureMode::Immediate,
    )
    .await;
    confirm_with_card(gateway.client(), &paid_id, CARD_OK)
        .await
        .unwrap();
    assert!(matches!(
        gateway.void(handle("ord_paid", &paid_id)).await,
        Err(GatewayError::Refused { .. })
    ));
}

#[tokio::test]
async fn refunds_in_full_and_in_equal_parts_are_each_done_once() {
    let (_localstripe, gateway) = start().await;
    let (intent_id, _) = started(
        &gateway,
        "ord_refund",
        try_minor(10_550),
        CaptureMode::Immediate,
    )
    .await;
    confirm_with_card(gateway.client(), &intent_id, CARD_OK)
        .await
        .unwrap();
    // Two partial refunds of the same amount are two refunds (different idempotency keys).
    let first = gateway
        .refund(handle("ord_refund", &intent_id), try_minor(3_000))
        .await
        .unwrap();
    let second = gateway
        .refund(handle("ord_refund", &intent_id), try_minor(3_000))
        .await
        .unwrap();
    assert_ne!(first.reference, second.reference);
    assert!(first.reference.unwrap().0.starts_with("re_"));
    let report = gateway
        .query_status(handle("ord_refund", &intent_id))
        .await
        .unwrap();
    assert_eq!(report.refunded, Some(try_minor(6_000)));
    assert_eq!(report.result.status, PaymentResultStatus::Captured);
    gateway
        .refund(handle("ord_refund", &intent_id), try_minor(4_550))
        .await
        .unwrap();
    let report = gateway
        .query_status(handle("ord_refund", &intent_id))
        .await
        .unwrap();
    assert_eq!(report.refunded, Some(try_minor(10_550)));

    let refunds = gateway.client().list_refunds(&intent_id).await.unwrap();
    let mut amounts: Vec<i64> = refunds.data.iter().map(|refund| refund.amount).collect();
    amounts.sort_unstable();
    assert_eq!(amounts, [3_000, 3_000, 4_550]);
    assert!(
        refunds
            .data
            .iter()
            .all(|refund| refund.metadata["kasa_order_id"] == "ord_refund")
    );

    // A refund for another order's PaymentIntent is refused before money moves.
    assert!(matches!(
        gateway
            .refund(handle("ord_other", &intent_id), try_minor(1))
            .await,
        Err(GatewayError::Malformed(_))
    ));
}

#[tokio::test]
async fn a_status_query_without_the_payment_intent_id_finds_the_order() {
    let (_localstripe, gateway) = start().await;
    let (intent_id, _) = started(
        &gateway,
        "ord_lost",
        try_minor(2_500),
        CaptureMode::Immediate,
    )
    .await;
    started(
        &gateway,
        "ord_unrelated",
        try_minor(100),
        CaptureMode::Immediate,
    )
    .await;
    confirm_with_card(gateway.client(), &intent_id, CARD_OK)
        .await
        .unwrap();
    let no_reference = |order_id: &str| PaymentHandle {
        order_id: OrderId(order_id.to_owned()),
        reference: None,
    };
    let report = gateway
        .query_status(no_reference("ord_lost"))
        .await
        .unwrap();
    assert_eq!(report.result.status, PaymentResultStatus::Captured);
    assert_eq!(report.result.reference, Some(GatewayReference(intent_id)));

    let unknown = gateway
        .query_status(no_reference("ord_never"))
        .await
        .unwrap();
    assert_eq!(unknown.result.status, PaymentResultStatus::Pending);
    assert_eq!(unknown.result.reference, None);
}

#[tokio::test]
async fn localstripe_failures_sort_into_gateway_errors() {
    let (localstripe, gateway) = start().await;
    // Capturing a PaymentIntent that has no charge makes localstripe fail with a plain-text 500.
    let (intent_id, _) = started(
        &gateway,
        "ord_broken",
        try_minor(1_000),
        CaptureMode::AuthoriseOnly,
    )
    .await;
    let error = gateway
        .capture(handle("ord_broken", &intent_id), None)
        .await
        .expect_err("localstripe fails");
    assert!(
        matches!(&error, GatewayError::Unavailable(message) if message.contains("500")),
        "{error:?}"
    );

    // localstripe takes only sk_ keys: a restricted key is its 401.
    let mut config = config_for(localstripe.base_url());
    config.secret_key = Secret::new("rk_test_restricted_kasa");
    let restricted = StripeGateway::new(config).unwrap();
    let error = restricted
        .query_status(handle("ord_broken", &intent_id))
        .await
        .expect_err("unauthorised");
    assert!(
        matches!(&error, GatewayError::Misconfigured(message)
            if message.contains("401") && !message.contains("rk_test_restricted_kasa")),
        "{error:?}"
    );

    // An unknown PaymentIntent is localstripe's 404.
    assert!(matches!(
        gateway
            .query_status(handle("ord_broken", "pi_doesnotexist"))
            .await,
        Err(GatewayError::Refused { .. })
    ));
}

#[tokio::test]
async fn an_abandoned_payment_is_canceled_and_a_paid_one_is_left_as_it_stands() {
    let (_localstripe, gateway) = start().await;
    // Left on the card page: cancelled at Stripe as abandoned, so it can no longer be paid.
    let (left, _) = started(
        &gateway,
        "ord_left",
        try_minor(5_000),
        CaptureMode::Immediate,
    )
    .await;
    let given_up = gateway.abandon(handle("ord_left", &left)).await.unwrap();
    assert_eq!(
        given_up.result.status,
        PaymentResultStatus::Declined {
            code: kasa_ports::ABANDONED_CODE.to_owned(),
            message: "the customer did not finish paying; the checkout expired".to_owned(),
        }
    );
    let intent = gateway
        .client()
        .retrieve_payment_intent(&left)
        .await
        .unwrap();
    assert_eq!(intent.status, "canceled");
    assert!(
        confirm_with_card(gateway.client(), &left, CARD_OK)
            .await
            .is_err(),
        "a cancelled PaymentIntent cannot be paid"
    );

    // Paid just before: reported captured, not cancelled.
    let (paid, _) = started(
        &gateway,
        "ord_paid",
        try_minor(5_000),
        CaptureMode::Immediate,
    )
    .await;
    confirm_with_card(gateway.client(), &paid, CARD_OK)
        .await
        .unwrap();
    let report = gateway.abandon(handle("ord_paid", &paid)).await.unwrap();
    assert_eq!(report.result.status, PaymentResultStatus::Captured);
    assert_eq!(
        gateway
            .client()
            .retrieve_payment_intent(&paid)
            .await
            .unwrap()
            .status,
        "succeeded"
    );
}
