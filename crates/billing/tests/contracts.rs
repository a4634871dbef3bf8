//! Exact-call contracts of the use cases, with mockall mocks of every port: what is called, how
//! often, and what is never called.

use std::sync::Arc;

use kasa_billing::{
    Billing, BillingPorts, ChargeOutcome, ChargeUsage, Gateways, PurchaseCompletion,
};
use kasa_domain::{
    Actor, CustomerCard, CustomerId, Holding, Language, OutboxMessageId, PurchaseId, Reason,
    UsageKey, UsageKind,
};
use kasa_ports::{
    ActionContext, AppliedPurchase, Audience, BillingSettings, CaptureMode, ChargeBasis,
    ChargeContext, CustomerLookup, CustomerState, GatewayCallback, GatewayError, GatewayName,
    MockCatalogStore, MockChargeStore, MockClock, MockCustomerStore, MockHoldingStore,
    MockInvoiceStore, MockMailer, MockOutboxStore, MockPaymentActionStore, MockPaymentGateway,
    MockPurchaseStore, MockSettingsStore, OrderId, OutboxMessage, OutboxPayload, Payment,
    PaymentResult, PaymentResultStatus, PaymentStatus, Purchase, PurchaseStatus, StoreError,
    UsageCharge,
};
use kasa_subscriptions::{ForfeitConfirmation, PurchaseChannel};
use kasa_testkit::{TestBilling, credit_package, customer, department, help_desk_actor, try_money};

struct Mocks {
    catalog: MockCatalogStore,
    customers: MockCustomerStore,
    purchases: MockPurchaseStore,
    charges: MockChargeStore,
    holdings: MockHoldingStore,
    outbox: MockOutboxStore,
    settings: MockSettingsStore,
    gateway: MockPaymentGateway,
    mailer: MockMailer,
    invoices: MockInvoiceStore,
}

impl Mocks {
    fn new() -> Self {
        let mut gateway = MockPaymentGateway::new();
        gateway
            .expect_name()
            .return_const(GatewayName::new("testpay"));
        Self {
            catalog: MockCatalogStore::new(),
            customers: MockCustomerStore::new(),
            purchases: MockPurchaseStore::new(),
            charges: MockChargeStore::new(),
            holdings: MockHoldingStore::new(),
            outbox: MockOutboxStore::new(),
            settings: MockSettingsStore::new(),
            gateway,
            mailer: MockMailer::new(),
            invoices: MockInvoiceStore::new(),
        }
    }

    /// Wires the mocks; a port method called without an expectation fails the test.
    fn billing(self) -> Billing {
        let mut clock = MockClock::new();
        clock.expect_now().return_const(TestBilling::START);
        Billing::new(BillingPorts {
            catalog: Arc::new(self.catalog),
            customers: Arc::new(self.customers),
            purchases: Arc::new(self.purchases),
            charges: Arc::new(self.charges),
            holdings: Arc::new(self.holdings),
            outbox: Arc::new(self.outbox),
            settings: Arc::new(self.settings),
            payment_actions: Arc::new(MockPaymentActionStore::new()),
            invoices: Arc::new(self.invoices),
            questions: Arc::new(kasa_ports::MockQuestionStore::new()),
            history: Arc::new(kasa_ports::MockHistoryStore::new()),
            coupons: Arc::new(kasa_ports::MockCouponStore::new()),
            gateways: Gateways::new().with(Arc::new(self.gateway)),
            mailer: Arc::new(self.mailer),
            documents: Arc::new(kasa_ports::MockDocumentRenderer::new()),
            clock: Arc::new(clock),
        })
    }
}

fn pending_purchase(customer_id: CustomerId, status: PurchaseStatus) -> Purchase {
    let package = credit_package("10 kredi", 10, "100.00", &[department("Destek", 1).id]);
    Purchase {
        id: PurchaseId::from_uuid(uuid::Uuid::from_u128(1)),
        customer_id,
        item: kasa_ports::PurchaseItem::Package(package),
        channel: PurchaseChannel::CustomerCheckout,
        forfeit_confirmation: ForfeitConfirmation::NotConfirmed,
        status,
        started_by: ActionContext {
            actor: Actor::Customer { customer_id },
            reason: Reason::new("checkout").unwrap(),
            request_id: None,
            idempotency: None,
        },
        created_at: TestBilling::START,
        completed_at: None,
        payment: Some(Payment {
            id: kasa_ports::new_id(),
            gateway: GatewayName::new("testpay"),
            order_id: OrderId("order-1".to_owned()),
            amount: try_money("100.00"),
            capture: CaptureMode::Immediate,
            status: PaymentStatus::Pending,
            reference: None,
            failure: None,
            card: None,
        }),
        outcome: None,
        coupon: None,
    }
}

fn captured() -> PaymentResult {
    PaymentResult {
        order_id: OrderId("order-1".to_owned()),
        status: PaymentResultStatus::Captured,
        amount: Some(try_money("100.00")),
        reference: None,
        card: None,
    }
}

#[tokio::test]
async fn completing_the_same_payment_twice_applies_it_exactly_once() {
    let ayse = customer("ayse@example.com", Language::Tr);
    let mut mocks = Mocks::new();
    mocks
        .gateway
        .expect_verify_callback()
        .times(2)
        .returning(|_| Ok(captured()));
    let mut lookups = 0;
    let customer_id = ayse.id;
    mocks
        .purchases
        .expect_purchase_by_order()
        .times(2)
        .returning(move |_, _| {
            lookups += 1;
            let status = if lookups == 1 {
                PurchaseStatus::Pending
            } else {
                PurchaseStatus::Completed
            };
            Ok(pending_purchase(customer_id, status))
        });
    mocks
        .settings
        .expect_billing_settings()
        .times(1)
        .returning(|| Ok(BillingSettings::default()));
    let state = CustomerState {
        customer: ayse.clone(),
        card: CustomerCard::new(),
        holding: Holding::Nothing,
        version: 3,
    };
    mocks
        .customers
        .expect_customer_state()
        .times(1)
        .returning(move |_| Ok(state.clone()));
    mocks
        .purchases
        .expect_apply_purchase()
        .times(1)
        .withf(|application| {
            application.expected_version == 3 && application.notifications.len() == 1
        })
        .returning(move |_| {
            Ok(AppliedPurchase {
                purchase: pending_purchase(customer_id, PurchaseStatus::Completed),
                holding: Holding::Nothing,
                card: CustomerCard::new(),
            })
        });
    let billing = mocks.billing();
    let gateway = GatewayName::new("testpay");

    let first = billing
        .complete_purchase(&gateway, GatewayCallback::default(), None)
        .await
        .unwrap();
    let second = billing
        .complete_purchase(&gateway, GatewayCallback::default(), None)
        .await
        .unwrap();

    assert!(matches!(first, PurchaseCompletion::Completed(_)));
    assert!(matches!(second, PurchaseCompletion::AlreadyProcessed(_)));
}

#[tokio::test]
async fn a_forged_callback_touches_no_store() {
    let mut mocks = Mocks::new();
    mocks
        .gateway
        .expect_verify_callback()
        .times(1)
        .returning(|_| Err(GatewayError::InvalidSignature));
    let billing = mocks.billing();
    let result = billing
        .complete_purchase(
            &GatewayName::new("testpay"),
            GatewayCallback::default(),
            None,
        )
        .await;
    assert!(matches!(
        result,
        Err(kasa_billing::CompletePurchaseError::Gateway(
            GatewayError::InvalidSignature
        ))
    ));
}

#[tokio::test]
async fn a_stale_holding_is_decided_again_before_applying() {
    let ayse = customer("ayse@example.com", Language::En);
    let customer_id = ayse.id;
    let mut mocks = Mocks::new();
    mocks
        .gateway
        .expect_verify_callback()
        .returning(|_| Ok(captured()));
    mocks
        .purchases
        .expect_purchase_by_order()
        .returning(move |_, _| Ok(pending_purchase(customer_id, PurchaseStatus::Pending)));
    mocks
        .settings
        .expect_billing_settings()
        .returning(|| Ok(BillingSettings::default()));
    let mut version = 0;
    mocks
        .customers
        .expect_customer_state()
        .times(2)
        .returning(move |_| {
            version += 1;
            Ok(CustomerState {
                customer: ayse.clone(),
                card: CustomerCard::new(),
                holding: Holding::Nothing,
                version,
            })
        });
    let mut sequence = mockall::Sequence::new();
    mocks
        .purchases
        .expect_apply_purchase()
        .times(1)
        .in_sequence(&mut sequence)
        .withf(|application| application.expected_version == 1)
        .returning(|_| Err(StoreError::StaleVersion));
    mocks
        .purchases
        .expect_apply_purchase()
        .times(1)
        .in_sequence(&mut sequence)
        .withf(|application| application.expected_version == 2)
        .returning(move |_| {
            Ok(AppliedPurchase {
                purchase: pending_purchase(customer_id, PurchaseStatus::Completed),
                holding: Holding::Nothing,
                card: CustomerCard::new(),
            })
        });
    let completion = mocks
        .billing()
        .complete_purchase(
            &GatewayName::new("testpay"),
            GatewayCallback::default(),
            None,
        )
        .await;
    assert!(matches!(completion, Ok(PurchaseCompletion::Completed(_))));
}

#[tokio::test]
async fn a_repeated_ticket_records_nothing() {
    let ayse = customer("ayse@example.com", Language::Tr);
    let support = department("Destek", 3);
    let usage = UsageKey::new(UsageKind::Ticket, "T-9").unwrap();
    let earlier = UsageCharge {
        id: kasa_ports::new_id(),
        customer_id: ayse.id,
        department_id: support.id,
        usage: usage.clone(),
        credits: kasa_domain::Credits::from_u32(3),
        basis: ChargeBasis::Credits,
        balance_after: Some(kasa_domain::Credits::from_u32(7)),
        actor: help_desk_actor(),
        at: TestBilling::START,
    };
    let mut mocks = Mocks::new();
    let context = ChargeContext {
        customer_id: ayse.id,
        department: support.clone(),
        card: CustomerCard::new(),
        holding: Holding::Nothing,
        existing_charge: Some(earlier.clone()),
    };
    mocks
        .charges
        .expect_charge_context()
        .times(1)
        .returning(move |_| Ok(context.clone()));
    mocks.charges.expect_record_charge().never();
    let outcome = mocks
        .billing()
        .charge_usage(ChargeUsage {
            customer: CustomerLookup::Email {
                email: ayse.email.clone(),
            },
            department_id: support.id,
            usage,
            actor: help_desk_actor(),
        })
        .await
        .unwrap();
    let ChargeOutcome::Allowed { charge, repeated } = outcome else {
        panic!("allowed")
    };
    assert!(repeated);
    assert_eq!(charge, earlier);
}

#[tokio::test]
async fn the_mailer_gets_the_operator_address_its_cc_list_and_the_customer() {
    let ayse = customer("ayse@example.com", Language::Tr);
    let purchase = {
        let mut purchase = pending_purchase(ayse.id, PurchaseStatus::Completed);
        purchase.outcome = Some(kasa_ports::PurchaseOutcome {
            balance_after: Some(kasa_domain::Credits::from_u32(10)),
            term: None,
            forfeited: None,
            departments_enabled: purchase.item.departments(),
        });
        purchase
    };
    let operator = "billing@kasa.example"
        .parse::<kasa_domain::EmailAddress>()
        .unwrap();
    let cc: Vec<kasa_domain::EmailAddress> = vec![
        "finance@kasa.example".parse().unwrap(),
        "boss@kasa.example".parse().unwrap(),
    ];
    let message = |audience,
                   to: Vec<kasa_domain::EmailAddress>,
                   cc: Vec<kasa_domain::EmailAddress>,
                   language| OutboxMessage {
        id: kasa_ports::new_id::<OutboxMessageId>(),
        payload: OutboxPayload::PurchaseNotification {
            purchase_id: purchase.id,
            audience,
            to,
            cc,
            language,
        },
        created_at: TestBilling::START,
        attempts: 0,
        next_attempt_at: TestBilling::START,
        last_error: None,
        sent_at: None,
        abandoned: false,
    };
    let messages = vec![
        message(
            Audience::Operator,
            vec![operator.clone()],
            cc.clone(),
            Language::Tr,
        ),
        message(
            Audience::Customer,
            vec![ayse.email.clone()],
            vec![],
            Language::Tr,
        ),
    ];
    let mut mocks = Mocks::new();
    mocks
        .invoices
        .expect_purchase_invoices()
        .returning(|_| Ok(Vec::new()));
    // Messages are claimed one at a time (a worker that dies holds back only its own), until
    // none is due.
    let due = std::sync::Mutex::new(std::collections::VecDeque::from(messages));
    mocks
        .outbox
        .expect_claim_due_messages()
        .withf(|_, _, count| *count == 1)
        .times(3)
        .returning(move |_, _, _| Ok(due.lock().unwrap().pop_front().into_iter().collect()));
    mocks
        .purchases
        .expect_purchase()
        .times(2)
        .returning(move |_| Ok(purchase.clone()));
    let found = ayse.clone();
    mocks
        .customers
        .expect_find_customer()
        .times(2)
        .returning(move |_| Ok(found.clone()));
    mocks
        .catalog
        .expect_department()
        .returning(|_| Ok(department("Destek", 1)));
    mocks
        .settings
        .expect_billing_settings()
        .returning(|| Ok(BillingSettings::default()));
    let (expected_operator, expected_cc, expected_customer) =
        (operator.clone(), cc.clone(), ayse.email.clone());
    mocks
        .mailer
        .expect_send()
        .times(1)
        .withf(move |email| email.to == [expected_operator.clone()] && email.cc == expected_cc)
        .returning(|_| Ok(()));
    mocks
        .mailer
        .expect_send()
        .times(1)
        .withf(move |email| {
            email.to == [expected_customer.clone()]
                && email.cc.is_empty()
                && email.subject.contains("Satın alma")
        })
        .returning(|_| Ok(()));
    mocks
        .outbox
        .expect_mark_message_sent()
        .times(2)
        .returning(|_, _| Ok(()));
    mocks.outbox.expect_mark_message_failed().never();

    let report = mocks.billing().deliver_due_notifications(10).await.unwrap();
    assert_eq!(report.sent, 2);
}
