//! What Kasa does at Stripe beyond the payment port, against a real localstripe: saving a card
//! through a SetupIntent and making it the default, plans and subscriptions, tax IDs.

mod common;

use common::{CARD_DECLINED_AT_ATTACH, CARD_OK, confirm_setup, start, try_minor};
use kasa_ports::GatewayError;
use kasa_stripe::types::{Customer, Expandable};
use kasa_stripe::{IdempotencyKey, NewCustomer, NewPlan, PlanInterval, StripeClient, StripeError};

async fn customer(client: &StripeClient, email: &str) -> Customer {
    client
        .create_customer(
            &NewCustomer {
                email: email.to_owned(),
                name: Some("Kasa Test".to_owned()),
                preferred_locales: vec!["en".to_owned()],
                metadata: Vec::new(),
            },
            &IdempotencyKey::derived(&["customer", email]),
        )
        .await
        .expect("a customer")
}

/// A customer whose saved card is their default, as after a card update.
async fn customer_with_card(client: &StripeClient, email: &str) -> Customer {
    let customer = customer(client, email).await;
    let setup = client
        .create_setup_intent(
            &customer.id,
            &[],
            &IdempotencyKey::derived(&["setup", email]),
        )
        .await
        .unwrap();
    confirm_setup(client, &setup, CARD_OK).await.unwrap();
    client
        .use_setup_intent_as_default_card(&customer.id, &setup.id)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_setup_intent_saves_a_card_that_becomes_the_default() {
    let (_localstripe, gateway) = start().await;
    let client = gateway.client();
    let customer = customer(client, "card@example.com").await;
    assert_eq!(customer.invoice_settings.default_payment_method, None);

    let setup = client
        .create_setup_intent(
            &customer.id,
            &[("kasa_customer_id".to_owned(), "c1".to_owned())],
            &IdempotencyKey::derived(&["c1", "setup", "1"]),
        )
        .await
        .unwrap();
    assert!(setup.id.starts_with("seti_"));
    assert_eq!(setup.status, "requires_payment_method");
    assert_eq!(setup.usage.as_deref(), Some("off_session"));
    assert!(setup.client_secret.is_some());
    // Not confirmed yet: nothing to make the default.
    assert!(matches!(
        client.use_setup_intent_as_default_card(&customer.id, &setup.id).await,
        Err(StripeError::InvalidRequest(message)) if message.contains("requires_payment_method")
    ));

    let confirmed = confirm_setup(client, &setup, CARD_OK).await.unwrap();
    assert_eq!(confirmed.status, "succeeded");
    let retrieved = client.retrieve_setup_intent(&setup.id).await.unwrap();
    let card_id = retrieved
        .payment_method
        .as_ref()
        .map(Expandable::id)
        .unwrap()
        .to_owned();

    let updated = client
        .use_setup_intent_as_default_card(&customer.id, &setup.id)
        .await
        .unwrap();
    assert_eq!(
        updated
            .invoice_settings
            .default_payment_method
            .as_ref()
            .map(Expandable::id),
        Some(card_id.as_str())
    );
    let card = client.retrieve_payment_method(&card_id).await.unwrap();
    assert_eq!(card.customer.as_deref(), Some(customer.id.as_str()));
    assert_eq!(card.card.unwrap().last4, "4242");
    // Doing it again (a retry) changes nothing.
    let again = client
        .use_setup_intent_as_default_card(&customer.id, &setup.id)
        .await
        .unwrap();
    assert_eq!(again.invoice_settings, updated.invoice_settings);
    // Someone else's SetupIntent is refused.
    let stranger = self::customer(client, "stranger@example.com").await;
    assert!(matches!(
        client.use_setup_intent_as_default_card(&stranger.id, &setup.id).await,
        Err(StripeError::InvalidRequest(message)) if message.contains("another customer")
    ));
}

#[tokio::test]
async fn a_card_refused_when_saved_is_declined() {
    let (_localstripe, gateway) = start().await;
    let client = gateway.client();
    let customer = customer(client, "refused@example.com").await;
    let setup = client
        .create_setup_intent(&customer.id, &[], &IdempotencyKey::derived(&["refused"]))
        .await
        .unwrap();
    let error = confirm_setup(client, &setup, CARD_DECLINED_AT_ATTACH)
        .await
        .expect_err("declined");
    assert!(
        matches!(GatewayError::from(error.clone()), GatewayError::Declined { ref code, .. } if code == "card_declined"),
        "{error:?}"
    );
    assert!(matches!(
        client.use_setup_intent_as_default_card(&customer.id, &setup.id).await,
        Err(StripeError::InvalidRequest(message)) if message.contains("canceled")
    ));
}

#[tokio::test]
async fn a_subscription_is_created_on_a_plan_and_canceled_at_period_end_or_now() {
    let (_localstripe, gateway) = start().await;
    let client = gateway.client();
    let plan = client
        .create_plan(
            &NewPlan {
                amount: try_minor(99_900),
                interval: PlanInterval::Day,
                interval_count: 30,
                product_name: "Destek aboneliği (30 gün)".to_owned(),
                nickname: Some("support-30-days".to_owned()),
                metadata: vec![("kasa_package_id".to_owned(), "p1".to_owned())],
            },
            &IdempotencyKey::derived(&["plan", "p1"]),
        )
        .await
        .unwrap();
    assert_eq!(plan.amount, 99_900);
    assert_eq!(plan.currency, "try");
    assert_eq!(plan.interval, "day");
    assert_eq!(plan.interval_count, 30);
    assert!(plan.active);
    assert_eq!(plan.metadata["kasa_package_id"], "p1");
    assert_eq!(client.retrieve_plan(&plan.id).await.unwrap().id, plan.id);

    // Without a saved card localstripe cannot charge the first invoice.
    let cardless = customer(client, "cardless@example.com").await;
    assert!(matches!(
        GatewayError::from(
            client
                .create_subscription(
                    &cardless.id,
                    &plan.id,
                    &[],
                    &IdempotencyKey::derived(&["s0"])
                )
                .await
                .expect_err("no card")
        ),
        GatewayError::Refused { .. }
    ));

    let subscriber = customer_with_card(client, "subscriber@example.com").await;
    let subscription = client
        .create_subscription(
            &subscriber.id,
            &plan.id,
            &[("kasa_holding".to_owned(), "h1".to_owned())],
            &IdempotencyKey::derived(&["s1"]),
        )
        .await
        .unwrap();
    assert!(subscription.id.starts_with("sub_"));
    assert_eq!(subscription.status, "active");
    assert_eq!(subscription.metadata["kasa_holding"], "h1");
    assert!(!subscription.cancel_at_period_end);
    let period_end = subscription.period_end().expect("a period end");
    assert!(period_end > subscription.current_period_start.unwrap());
    assert_eq!(
        subscription.items.data[0]
            .plan
            .as_ref()
            .map(|plan| plan.id.as_str()),
        Some(plan.id.as_str())
    );

    let at_end = client
        .set_cancel_at_period_end(
            &subscription.id,
            true,
            &IdempotencyKey::derived(&["s1", "end"]),
        )
        .await
        .unwrap();
    assert!(at_end.cancel_at_period_end);
    assert_eq!(at_end.status, "active");
    assert_eq!(at_end.period_end(), Some(period_end));

    let now = client
        .cancel_subscription_now(&subscription.id)
        .await
        .unwrap();
    assert_eq!(now.status, "canceled");
    assert!(now.ended_at.is_some());
    assert_eq!(
        client
            .retrieve_subscription(&subscription.id)
            .await
            .unwrap()
            .status,
        "canceled"
    );
}

#[tokio::test]
async fn tax_ids_are_added_listed_and_removed() {
    let (_localstripe, gateway) = start().await;
    let client = gateway.client();
    let customer = customer(client, "vat@example.com").await;
    let tax_id = client
        .create_tax_id(
            &customer.id,
            "eu_vat",
            "DE123456789",
            &IdempotencyKey::derived(&["tax", "1"]),
        )
        .await
        .unwrap();
    assert!(tax_id.id.starts_with("txi_"));
    assert_eq!(tax_id.tax_id_type, "eu_vat");
    assert_eq!(tax_id.value, "DE123456789");
    assert_eq!(tax_id.country.as_deref(), Some("DE"));
    assert_eq!(tax_id.verification.unwrap().status, "verified");

    let listed = client.list_tax_ids(&customer.id).await.unwrap();
    assert_eq!(
        listed
            .data
            .iter()
            .map(|tax_id| tax_id.id.as_str())
            .collect::<Vec<_>>(),
        [tax_id.id.as_str()]
    );
    let deleted = client
        .delete_tax_id(&customer.id, &tax_id.id)
        .await
        .unwrap();
    assert_eq!(deleted.id, tax_id.id);
    assert!(deleted.deleted);
    assert!(
        client
            .list_tax_ids(&customer.id)
            .await
            .unwrap()
            .data
            .is_empty()
    );

    // localstripe knows a few EU-style types only; a Turkish tax number is refused there.
    assert!(matches!(
        GatewayError::from(
            client
                .create_tax_id(
                    &customer.id,
                    "tr_tin",
                    "1234567890",
                    &IdempotencyKey::derived(&["tax", "2"])
                )
                .await
                .expect_err("unknown type at localstripe")
        ),
        GatewayError::Refused { .. }
    ));
}
