//! What the tests against localstripe share: a gateway for a fresh localstripe, and the steps a
//! customer's browser would take with Stripe.js (card details go to Stripe, never to Kasa).

#![allow(dead_code, reason = "each test binary uses a part")]

use std::time::Duration;

use kasa_domain::{Currency, EmailAddress, Language, Money};
use kasa_ports::{CaptureMode, OrderId, PaymentStart, Secret};
use kasa_stripe::types::{PaymentIntent, PaymentMethod, SetupIntent};
use kasa_stripe::{Dialect, Form, IdempotencyKey, StripeClient, StripeConfig, StripeGateway};
use kasa_testkit::localstripe::{LocalStripe, SECRET_KEY};

/// The webhook signing secret the tests configure.
pub const WEBHOOK_SECRET: &str = "whsec_kasa_test_endpoint";

/// Cards localstripe knows.
pub const CARD_OK: &str = "4242424242424242";
/// Asks for 3-D Secure at confirmation.
pub const CARD_3DS: &str = "4000002500003155";
/// Attaches, then declines when charged.
pub const CARD_DECLINED_AT_CHARGE: &str = "4000000000000341";
/// Declined when attached.
pub const CARD_DECLINED_AT_ATTACH: &str = "4000000000000002";

/// The settings of an account at `base_url` (localstripe's dialect, no retries so that a
/// failure shows at once).
pub fn config_for(base_url: &str) -> StripeConfig {
    let mut config = StripeConfig::new(Secret::new(SECRET_KEY), Secret::new(WEBHOOK_SECRET));
    config.base_url = base_url.to_owned();
    config.dialect = Dialect::LocalStripe;
    config.timeout = Duration::from_secs(10);
    config.max_network_retries = 0;
    config
}

/// A fresh localstripe and a gateway on it.
pub async fn start() -> (LocalStripe, StripeGateway) {
    let localstripe = LocalStripe::start().await;
    let gateway = StripeGateway::new(config_for(localstripe.base_url())).expect("valid settings");
    (localstripe, gateway)
}

/// TRY in kuruş.
pub fn try_minor(minor_units: i64) -> Money {
    Money::from_minor_units(minor_units, Currency::Try).expect("an amount")
}

/// A payment start for `order_id`.
pub fn payment_start(order_id: &str, amount: Money, capture: CaptureMode) -> PaymentStart {
    PaymentStart {
        order_id: OrderId(order_id.to_owned()),
        amount,
        capture,
        customer_email: EmailAddress::parse(&format!("{order_id}@example.com")).expect("e-mail"),
        customer_name: "Ayşe Yılmaz".to_owned(),
        language: Language::Tr,
        description: "100 kredi".to_owned(),
        success_url: "https://kasa.example/ok".to_owned(),
        failure_url: "https://kasa.example/failed".to_owned(),
    }
}

fn key(parts: &[&str]) -> IdempotencyKey {
    let mut all = vec!["browser"];
    all.extend_from_slice(parts);
    IdempotencyKey::derived(&all)
}

/// The browser: Stripe.js turns card details into a payment method.
pub async fn create_card(client: &StripeClient, number: &str) -> PaymentMethod {
    client
        .post(
            "/v1/payment_methods",
            &Form::new()
                .field("type", "card")
                .nested("card", "number", number)
                .nested("card", "exp_month", 12)
                .nested("card", "exp_year", 2034)
                .nested("card", "cvc", "123"),
            &key(&["card", number]),
        )
        .await
        .expect("localstripe makes a payment method")
}

/// The browser: confirms a PaymentIntent with a card. (localstripe cannot take the payment
/// method in the confirm call itself, so it is set on the PaymentIntent first.)
pub async fn confirm_with_card(
    client: &StripeClient,
    payment_intent_id: &str,
    number: &str,
) -> Result<PaymentIntent, kasa_stripe::StripeError> {
    let card = create_card(client, number).await;
    let _: PaymentIntent = client
        .post(
            &format!("/v1/payment_intents/{payment_intent_id}"),
            &Form::new().field("payment_method", &card.id),
            &key(&[payment_intent_id, "payment_method"]),
        )
        .await
        .expect("localstripe takes the payment method");
    client
        .post(
            &format!("/v1/payment_intents/{payment_intent_id}/confirm"),
            &Form::new(),
            &key(&[payment_intent_id, "confirm"]),
        )
        .await
}

/// The browser: the customer passes (or fails) 3-D Secure (localstripe's own endpoint).
pub async fn authenticate(
    client: &StripeClient,
    payment_intent_id: &str,
    client_secret: &str,
    success: bool,
) -> PaymentIntent {
    client
        .post(
            &format!("/v1/payment_intents/{payment_intent_id}/_authenticate"),
            &Form::new()
                .field("client_secret", client_secret)
                .field("success", success),
            &key(&[payment_intent_id, "authenticate"]),
        )
        .await
        .expect("localstripe authenticates")
}

/// The browser: confirms a SetupIntent with a card.
pub async fn confirm_setup(
    client: &StripeClient,
    setup_intent: &SetupIntent,
    number: &str,
) -> Result<SetupIntent, kasa_stripe::StripeError> {
    let card = create_card(client, number).await;
    client
        .post(
            &format!("/v1/setup_intents/{}/confirm", setup_intent.id),
            &Form::new().field("payment_method", &card.id),
            &key(&[&setup_intent.id, "confirm"]),
        )
        .await
}
