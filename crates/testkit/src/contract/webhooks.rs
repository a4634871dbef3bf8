//! Outgoing webhooks' contract: an event is queued with the fact it reports (and only for the
//! enabled endpoints that subscribe to it), claimed with a lease, logged attempt by attempt,
//! delivered once, replayed by hand, and held back while its endpoint is switched off. Not in
//! [`crate::store_contract_tests!`]: an endpoint's secret is sealed by a SQL store only under a
//! secrets key (`crates/adapters/postgres/tests/webhooks.rs`).

use std::sync::Arc;

use kasa_billing::{StartPurchase, StartedPurchase};
use kasa_domain::{Language, Package, WebhookEndpointId};
use kasa_ports::{
    ActionContext, AuditQuery, CaptureMode, GatewayName, OutboxPayload, Secret, Store, StoreError,
    WebhookAttempt, WebhookDeliveryState, WebhookEndpoint, WebhookEndpointChange, WebhookEventType,
    WebhookStore,
};
use kasa_subscriptions::ForfeitConfirmation;
use time::Duration;

use crate::{TestBilling, agent_context, customer, department, subscription_package};

fn endpoint(event_types: &[WebhookEventType], enabled: bool) -> WebhookEndpoint {
    WebhookEndpoint {
        id: WebhookEndpointId::from(uuid::Uuid::now_v7()),
        url: "https://erp.example/kasa".to_owned(),
        description: "ERP".to_owned(),
        event_types: event_types.to_vec(),
        enabled,
        disabled_reason: None,
        failing_since: None,
        created_at: TestBilling::START,
    }
}

async fn pay<S: Store + 'static>(
    kit: &TestBilling<S>,
    customer_id: kasa_domain::CustomerId,
    package: &Package,
    status: &str,
) {
    let started: StartedPurchase = kit
        .billing
        .start_purchase(StartPurchase {
            coupon_code: None,
            customer_id,
            package_id: package.id,
            gateway: GatewayName::new("testpay"),
            confirmation: ForfeitConfirmation::NotConfirmed,
            capture: CaptureMode::Immediate,
            success_url: "https://kasa.example/ok".to_owned(),
            failure_url: "https://kasa.example/fail".to_owned(),
            context: agent_context("checkout"),
        })
        .await
        .expect("purchase starts");
    let order = started
        .purchase
        .payment
        .as_ref()
        .expect("a payment")
        .order_id
        .clone();
    let callback = kit
        .gateway
        .callback(&order, status, &package.price.amount().to_string());
    kit.billing
        .complete_purchase(&GatewayName::new("testpay"), callback, None)
        .await
        .expect("callback accepted");
}

fn attempt(
    delivery: &kasa_ports::WebhookDelivery,
    status: Option<u16>,
    minutes: i64,
) -> WebhookAttempt {
    WebhookAttempt {
        event_id: delivery.event.id,
        endpoint_id: delivery.endpoint_id,
        attempted_at: TestBilling::START + Duration::minutes(minutes),
        status,
        answer: status.map_or_else(|| "connection refused".to_owned(), |s| format!("HTTP {s}")),
        duration_ms: 12,
    }
}

/// Queues events with the facts, claims, logs, delivers, replays and switches off.
///
/// # Panics
/// When the store breaks the contract.
#[expect(clippy::too_many_lines, reason = "one story, told in order")]
pub async fn webhook_events_are_queued_with_their_facts_and_delivered_once<S>(store: Arc<S>)
where
    S: Store + WebhookStore + 'static,
{
    let kit = TestBilling::on(store.clone());
    let support = department("Teknik Destek", 2);
    let monthly = subscription_package("Aylık", 30, "250.00", &[support.id]);
    kit.with_catalog(
        std::slice::from_ref(&support),
        std::slice::from_ref(&monthly),
    )
    .await;
    let ayse = customer("ayse@example.com", Language::Tr);
    kit.with_customer(&ayse).await;
    let mehmet = customer("mehmet@example.com", Language::Tr);
    kit.with_customer(&mehmet).await;

    // Nothing subscribes yet: a fact writes no event.
    pay(&kit, ayse.id, &monthly, "approved").await;
    let subscribed = [
        WebhookEventType::PurchaseCompleted,
        WebhookEventType::SubscriptionStarted,
        WebhookEventType::SubscriptionRenewed,
        WebhookEventType::InvoiceIssued,
        WebhookEventType::PurchaseFailed,
    ];
    let erp = endpoint(&subscribed, true);
    let off = endpoint(&[WebhookEventType::PurchaseCompleted], false);
    for (endpoint, secret) in [(&erp, "whsec_erp"), (&off, "whsec_off")] {
        store
            .create_webhook_endpoint(endpoint.clone(), Secret::new(secret), agent_context("ERP"))
            .await
            .unwrap();
    }
    assert!(
        store
            .webhook_deliveries(erp.id, 50)
            .await
            .unwrap()
            .is_empty()
    );
    let listed = store.webhook_endpoints().await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(
        store
            .webhook_endpoint(erp.id)
            .await
            .unwrap()
            .event_types
            .len(),
        5
    );

    // A renewal: completed, renewed, invoiced, each once, for the enabled endpoint only.
    pay(&kit, ayse.id, &monthly, "approved").await;
    let deliveries = store.webhook_deliveries(erp.id, 50).await.unwrap();
    let mut types: Vec<_> = deliveries.iter().map(|d| d.event.event_type).collect();
    types.sort();
    assert_eq!(
        types,
        [
            WebhookEventType::PurchaseCompleted,
            WebhookEventType::SubscriptionRenewed,
            WebhookEventType::InvoiceIssued,
        ]
    );
    assert!(
        store
            .webhook_deliveries(off.id, 50)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        deliveries
            .iter()
            .all(|d| d.state() == WebhookDeliveryState::Pending)
    );
    let completed = deliveries
        .iter()
        .find(|d| d.event.event_type == WebhookEventType::PurchaseCompleted)
        .unwrap();
    assert_eq!(
        completed.event.data["subject"],
        format!("customer:{}", ayse.id)
    );
    assert!(
        completed
            .event
            .body()
            .contains("\"type\":\"purchase.completed\"")
    );

    // Claimed once, with the secret, until the lease ends.
    let now = TestBilling::START + Duration::minutes(1);
    let lease = now + Duration::minutes(2);
    let claimed = store
        .claim_due_webhook_deliveries(now, lease, 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 3);
    assert!(claimed.iter().all(|due| due.secret.expose() == "whsec_erp"));
    assert!(
        store
            .claim_due_webhook_deliveries(now, lease, 10)
            .await
            .unwrap()
            .is_empty()
    );

    // One fails, then succeeds; the others succeed at once.
    let first = &claimed[0].delivery;
    store
        .record_webhook_attempt(attempt(first, None, 1), now + Duration::minutes(5))
        .await
        .unwrap();
    let failing = store.webhook_endpoint(erp.id).await.unwrap();
    assert_eq!(
        failing.failing_since,
        Some(TestBilling::START + Duration::minutes(1))
    );
    for due in &claimed[1..] {
        store
            .record_webhook_attempt(attempt(&due.delivery, Some(204), 2), now)
            .await
            .unwrap();
    }
    assert_eq!(
        store.webhook_endpoint(erp.id).await.unwrap().failing_since,
        None
    );
    let later = now + Duration::minutes(5);
    let again = store
        .claim_due_webhook_deliveries(later, later + Duration::minutes(2), 10)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].delivery.event.id, first.event.id);
    assert_eq!(again[0].delivery.attempts, 1);
    store
        .record_webhook_attempt(attempt(first, Some(200), 6), later)
        .await
        .unwrap();
    let log = store
        .webhook_attempts(first.event.id, erp.id)
        .await
        .unwrap();
    assert_eq!(
        log.iter().map(|a| a.status).collect::<Vec<_>>(),
        [None, Some(200)]
    );
    assert_eq!(log[0].answer, "connection refused");
    let deliveries = store.webhook_deliveries(erp.id, 50).await.unwrap();
    assert!(
        deliveries
            .iter()
            .all(|d| d.state() == WebhookDeliveryState::Delivered)
    );
    assert!(
        store
            .claim_due_webhook_deliveries(later + Duration::days(1), later + Duration::days(2), 10)
            .await
            .unwrap()
            .is_empty()
    );

    // A replay makes a delivered event due again, audited.
    let replay_at = later + Duration::minutes(10);
    let replayed = store
        .replay_webhook_delivery(
            first.event.id,
            erp.id,
            agent_context("ERP lost it"),
            replay_at,
        )
        .await
        .unwrap();
    assert_eq!(replayed.state(), WebhookDeliveryState::Pending);
    assert_eq!(replayed.next_attempt_at, replay_at);
    assert!(matches!(
        store
            .replay_webhook_delivery(first.event.id, off.id, agent_context("x"), replay_at)
            .await,
        Err(StoreError::NotFound { .. })
    ));

    // Switched off for failure: once, with the operator's mail, and nothing is claimed.
    let mail = OutboxPayload::QuestionNotification {
        question_id: kasa_domain::QuestionId::from(uuid::Uuid::now_v7()),
        to: vec!["billing@kasa.example".parse().unwrap()],
        language: Language::En,
    };
    let system = ActionContext {
        reason: kasa_domain::Reason::new("failing for three days").unwrap(),
        ..agent_context("x")
    };
    assert!(
        store
            .switch_off_failing_webhook_endpoint(
                erp.id,
                "failing for three days".to_owned(),
                Some(mail.clone()),
                system.clone(),
                replay_at,
            )
            .await
            .unwrap()
    );
    assert!(
        !store
            .switch_off_failing_webhook_endpoint(
                erp.id,
                "again".to_owned(),
                Some(mail),
                system,
                replay_at,
            )
            .await
            .unwrap()
    );
    let switched = store.webhook_endpoint(erp.id).await.unwrap();
    assert!(!switched.enabled);
    assert_eq!(
        switched.disabled_reason.as_deref(),
        Some("failing for three days")
    );
    let mails = store.outbox_messages(false, 50).await.unwrap();
    assert_eq!(
        mails
            .iter()
            .filter(|m| matches!(m.payload, OutboxPayload::QuestionNotification { .. }))
            .count(),
        1,
        "one mail to the operator"
    );
    let much_later = replay_at + Duration::days(1);
    assert!(
        store
            .claim_due_webhook_deliveries(much_later, much_later + Duration::minutes(2), 10)
            .await
            .unwrap()
            .is_empty()
    );
    // Nothing new is queued for it while it is off.
    pay(&kit, mehmet.id, &monthly, "declined").await;
    assert_eq!(store.webhook_deliveries(erp.id, 50).await.unwrap().len(), 3);

    // Switched back on: its failure is cleared and the waiting delivery is due at once.
    let back = store
        .update_webhook_endpoint(
            erp.id,
            WebhookEndpointChange {
                enabled: Some(true),
                event_types: Some(vec![WebhookEventType::PurchaseFailed]),
                ..WebhookEndpointChange::default()
            },
            agent_context("ERP is back"),
            much_later,
        )
        .await
        .unwrap();
    assert!(back.enabled);
    assert_eq!(back.disabled_reason, None);
    assert_eq!(back.event_types, [WebhookEventType::PurchaseFailed]);
    let due = store
        .claim_due_webhook_deliveries(much_later, much_later + Duration::minutes(2), 10)
        .await
        .unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].delivery.event.id, first.event.id);
    pay(&kit, mehmet.id, &monthly, "declined").await;
    let deliveries = store.webhook_deliveries(erp.id, 50).await.unwrap();
    assert_eq!(deliveries.len(), 4);
    assert_eq!(
        deliveries[0].event.event_type,
        WebhookEventType::PurchaseFailed
    );

    let entries = store
        .audit_entries(AuditQuery {
            limit: 500,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    let actions: Vec<&str> = entries
        .iter()
        .map(|entry| entry.record.action.as_str())
        .collect();
    for action in [
        "webhook_endpoint.created",
        "webhook_endpoint.updated",
        "webhook_endpoint.switched_off",
        "webhook.replayed",
    ] {
        assert!(actions.contains(&action), "{action} audited");
    }
    assert!(
        !format!("{entries:?}").contains("whsec"),
        "no secret in the audit log"
    );
}

/// A payment request paid by its purchase is reported as `payment_request.paid`, once, in the
/// transaction that completes the purchase.
///
/// # Panics
/// When the store breaks the contract.
pub async fn a_paid_payment_request_is_reported<S>(store: Arc<S>)
where
    S: Store + kasa_ports::PaymentRequestStore + WebhookStore + 'static,
{
    let world = super::payment_requests::world(store.clone()).await;
    let erp = endpoint(&[WebhookEventType::PaymentRequestPaid], true);
    store
        .create_webhook_endpoint(erp.clone(), Secret::new("whsec_erp"), agent_context("ERP"))
        .await
        .unwrap();
    let request = world.ask(None).await;
    let started = world
        .requests
        .start_payment(world.pay(request.id))
        .await
        .unwrap();
    for _ in 0..2 {
        world.complete(&started, "approved").await;
    }
    let deliveries = store.webhook_deliveries(erp.id, 50).await.unwrap();
    assert_eq!(deliveries.len(), 1, "{deliveries:?}");
    let data = &deliveries[0].event.data;
    assert_eq!(
        deliveries[0].event.event_type,
        WebhookEventType::PaymentRequestPaid
    );
    assert_eq!(data["object"]["payment_request_id"], request.id.to_string());
    assert_eq!(
        data["object"]["purchase_id"],
        started.purchase.id.to_string()
    );
}

/// The balance, refusal and ending-soon events (ADR 0023): `credits.low` on the charge that
/// crosses the low-balance mark (not on the charges below it, again after a top-up re-arms it),
/// `credits.exhausted` on the charge that reaches zero, `charge.refused` on a refusal, and
/// `subscription.ending_soon` once per term however often the job runs. Each is queued once.
///
/// # Panics
/// When the store breaks the contract.
#[expect(clippy::too_many_lines, reason = "one story, told in order")]
pub async fn balance_refusal_and_ending_soon_events_are_queued_once<S>(store: Arc<S>)
where
    S: Store + WebhookStore + 'static,
{
    use kasa_billing::{ChargeOutcome, ChargeUsage};
    use kasa_domain::{UsageKey, UsageKind};
    use kasa_ports::CustomerLookup;

    let kit = TestBilling::on(store.clone());
    let support = department("Destek", 3);
    let twelve = crate::credit_package("12 kredi", 12, "120.00", &[support.id]);
    let short = subscription_package("Beş gün", 5, "50.00", &[support.id]);
    kit.with_catalog(
        std::slice::from_ref(&support),
        &[twelve.clone(), short.clone()],
    )
    .await;
    let ayse = customer("ayse@example.com", Language::Tr);
    kit.with_customer(&ayse).await;
    let mehmet = customer("mehmet@example.com", Language::Tr);
    kit.with_customer(&mehmet).await;
    let erp = endpoint(
        &[
            WebhookEventType::SubscriptionEndingSoon,
            WebhookEventType::CreditsLow,
            WebhookEventType::CreditsExhausted,
            WebhookEventType::ChargeRefused,
        ],
        true,
    );
    store
        .create_webhook_endpoint(erp.clone(), Secret::new("whsec_erp"), agent_context("ERP"))
        .await
        .unwrap();

    let charge = async |ticket: &str| {
        kit.billing
            .charge_usage(ChargeUsage {
                customer: CustomerLookup::Id { id: ayse.id },
                department_id: support.id,
                usage: UsageKey::new(UsageKind::Ticket, ticket).unwrap(),
                actor: crate::help_desk_actor(),
            })
            .await
            .expect("decided")
    };
    let events = async |event_type: WebhookEventType| {
        let mut found: Vec<serde_json::Value> = store
            .webhook_deliveries(erp.id, 100)
            .await
            .unwrap()
            .into_iter()
            .filter(|delivery| delivery.event.event_type == event_type)
            .map(|delivery| delivery.event.data)
            .collect();
        found.sort_by_key(|data| data["object"]["balance"].as_i64());
        found
    };

    // 12 credits (the mark is 10): 12 → 9 crosses it, 9 → 6 does not, a repeat costs nothing.
    pay(&kit, ayse.id, &twelve, "approved").await;
    for ticket in ["T1", "T2", "T2"] {
        assert!(matches!(
            charge(ticket).await,
            ChargeOutcome::Allowed { .. }
        ));
    }
    let low = events(WebhookEventType::CreditsLow).await;
    assert_eq!(low.len(), 1, "{low:?}");
    assert_eq!(low[0]["subject"], format!("customer:{}", ayse.id));
    assert_eq!(low[0]["object"]["balance"], 9);
    assert_eq!(low[0]["object"]["low_balance_threshold"], 10);
    assert_eq!(low[0]["object"]["usage_reference"], "T1");
    assert_eq!(low[0]["object"]["credits"], 3);
    assert!(events(WebhookEventType::CreditsExhausted).await.is_empty());

    // 6 → 3 → 0: exhausted once; the next ticket is refused and reported.
    for ticket in ["T3", "T4"] {
        assert!(matches!(
            charge(ticket).await,
            ChargeOutcome::Allowed { .. }
        ));
    }
    let exhausted = events(WebhookEventType::CreditsExhausted).await;
    assert_eq!(exhausted.len(), 1, "{exhausted:?}");
    assert_eq!(exhausted[0]["object"]["balance"], 0);
    assert_eq!(exhausted[0]["object"]["usage_reference"], "T4");
    assert_eq!(events(WebhookEventType::CreditsLow).await.len(), 1);
    assert!(matches!(charge("T5").await, ChargeOutcome::Refused { .. }));
    let refused = events(WebhookEventType::ChargeRefused).await;
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0]["object"]["usage_reference"], "T5");
    assert_eq!(
        refused[0]["object"]["refusal"]["reason"],
        "insufficient_credits"
    );
    assert_eq!(refused[0]["object"]["balance"], 0);
    assert_eq!(refused[0]["object"]["price"], 3);

    // A top-up to 12 re-arms the mark: the next crossing is reported again.
    pay(&kit, ayse.id, &twelve, "approved").await;
    assert!(matches!(charge("T6").await, ChargeOutcome::Allowed { .. }));
    assert_eq!(events(WebhookEventType::CreditsLow).await.len(), 2);

    // A five-day subscription ends within the week: reported once, however often the job runs.
    pay(&kit, mehmet.id, &short, "approved").await;
    let first = kit
        .billing
        .report_subscriptions_ending_soon(100)
        .await
        .unwrap();
    assert_eq!(first.reported, 1);
    kit.clock.advance(Duration::days(1));
    let again = kit
        .billing
        .report_subscriptions_ending_soon(100)
        .await
        .unwrap();
    assert_eq!(again.reported, 0, "reported once per term");
    let ending = events(WebhookEventType::SubscriptionEndingSoon).await;
    assert_eq!(ending.len(), 1, "{ending:?}");
    assert_eq!(ending[0]["subject"], format!("customer:{}", mehmet.id));
    assert_eq!(
        ending[0]["object"]["ends_at"],
        kasa_domain::instant::rfc3339(TestBilling::START + Duration::days(5))
    );

    // Renewed (the new term ends on day 10): reported when it, in turn, is within the week.
    pay(&kit, mehmet.id, &short, "approved").await;
    let early = kit
        .billing
        .report_subscriptions_ending_soon(100)
        .await
        .unwrap();
    assert_eq!(
        early.reported, 0,
        "the renewed subscription ends in nine days"
    );
    kit.clock.advance(Duration::days(3));
    let renewed = kit
        .billing
        .report_subscriptions_ending_soon(100)
        .await
        .unwrap();
    assert_eq!(renewed.reported, 1, "the new term ends within the week");
    assert_eq!(
        events(WebhookEventType::SubscriptionEndingSoon).await.len(),
        2
    );
}
