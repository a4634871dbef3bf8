//! Payments imported by API (ADR 0025) on every store: a payment made elsewhere completes its
//! purchase once, by the same path as a gateway payment (holding, invoice naming the method,
//! audit, notifications); one reference pays one purchase, also when imports race; a refund of
//! it is a record and a void is refused; a payment request is paid by import once.

use std::sync::Arc;

use kasa_billing::{
    ActOnPayment, CreatePaymentRequest, ImportDone, ImportPayment, ImportPaymentError,
    PaymentActionError, PaymentRequests, RequestedAction, RequestedItem, StartPurchase,
    StartedPurchase,
};
use kasa_domain::{Actor, Credits, Customer, Holding, Language, Package, PurchaseId, Reason};
use kasa_ports::{
    ActionContext, AuditQuery, CaptureMode, GatewayName, GatewayReference, ImportMethod,
    OutboxPayload, PaymentRequestState, PaymentRequestStore, PaymentResultStatus, PaymentStatus,
    PurchaseStatus, Store,
};
use kasa_subscriptions::{ForfeitConfirmation, PurchaseRefusal};
use time::Duration;

use crate::{
    TestBilling, agent_context, credit_package, customer, department, subscription_package,
    try_money,
};

/// Declares one `#[tokio::test]` per import case for a store (see
/// [`store_contract_tests!`](crate::store_contract_tests) for the argument).
#[macro_export]
macro_rules! import_contract_tests {
    ($fresh_store:expr) => {
        $crate::store_contract_tests!(@cases $fresh_store;
            imports::an_imported_payment_completes_its_purchase_once_by_reference,
            imports::concurrent_imports_of_one_reference_make_one_payment,
            imports::an_imported_payment_is_refunded_by_record_and_never_voided,
            imports::a_payment_request_is_paid_by_import_once,
            imports::a_refused_import_records_nothing_and_frees_the_request,
        );
    };
}

/// How many imports race.
const RACERS: usize = 8;

struct World<S: Store + PaymentRequestStore + 'static> {
    kit: TestBilling<S>,
    requests: PaymentRequests,
    credits: Package,
    monthly: Package,
}

async fn world<S: Store + PaymentRequestStore + 'static>(store: Arc<S>) -> World<S> {
    let kit = TestBilling::on(store.clone());
    let support = department("Teknik Destek", 1);
    let credits = credit_package("10 kredi", 10, "100.00", &[support.id]);
    let monthly = subscription_package("Aylık", 30, "250.00", &[support.id]);
    kit.with_catalog(
        std::slice::from_ref(&support),
        &[credits.clone(), monthly.clone()],
    )
    .await;
    let requests = PaymentRequests::new(kit.billing.clone(), store);
    World {
        kit,
        requests,
        credits,
        monthly,
    }
}

fn bank_transfer(reference: &str, amount: &str) -> ImportPayment {
    ImportPayment {
        method: ImportMethod::BankTransfer,
        reference: reference.to_owned(),
        amount: try_money(amount),
        received_at: TestBilling::START - Duration::hours(3),
        note: Some("  paid from the company account  ".to_owned()),
        confirmation: ForfeitConfirmation::NotConfirmed,
        context: agent_context("the customer paid by bank transfer"),
    }
}

impl<S: Store + PaymentRequestStore + 'static> World<S> {
    async fn customer(&self, email: &str) -> Customer {
        let customer = customer(email, Language::Tr);
        self.kit.with_customer(&customer).await;
        customer
    }

    /// A checkout at `testpay` the customer left unfinished.
    async fn checkout(&self, customer: &Customer, package: &Package) -> StartedPurchase {
        self.kit
            .billing
            .start_purchase(StartPurchase {
                customer_id: customer.id,
                package_id: package.id,
                gateway: GatewayName::new("testpay"),
                confirmation: ForfeitConfirmation::NotConfirmed,
                capture: CaptureMode::Immediate,
                success_url: "https://kasa.example/ok".to_owned(),
                failure_url: "https://kasa.example/fail".to_owned(),
                context: ActionContext {
                    actor: Actor::Customer {
                        customer_id: customer.id,
                    },
                    reason: Reason::new("checkout").unwrap(),
                    request_id: None,
                    idempotency: None,
                },
                coupon_code: None,
            })
            .await
            .expect("checkout started")
    }

    async fn import(
        &self,
        purchase_id: PurchaseId,
        import: ImportPayment,
    ) -> Result<ImportDone, ImportPaymentError> {
        self.kit.billing.import_payment(purchase_id, import).await
    }

    async fn holding(&self, customer: &Customer) -> Holding {
        self.kit
            .store
            .customer_state(customer.id)
            .await
            .unwrap()
            .holding
    }

    async fn invoices(&self, purchase_id: PurchaseId) -> Vec<kasa_ports::Invoice> {
        self.kit.store.purchase_invoices(purchase_id).await.unwrap()
    }

    async fn ask(&self, customer: &Customer, package: &Package) -> kasa_ports::PaymentRequest {
        let draft = self
            .requests
            .draft(CreatePaymentRequest {
                customer_id: customer.id,
                item: RequestedItem::Package(package.id),
                description: "Kasım ayı destek".to_owned(),
                valid_days: Some(7),
                coupon_code: None,
                context: agent_context("asked on the phone"),
            })
            .await
            .unwrap();
        let link = format!("https://kasa.example/billing/requests/{}", draft.id);
        self.requests.send(draft, link).await.unwrap()
    }
}

fn balance(holding: &Holding) -> Credits {
    match holding {
        Holding::Credits { balance } => *balance,
        other => panic!("expected credits, got {other:?}"),
    }
}

/// Contract case.
pub async fn an_imported_payment_completes_its_purchase_once_by_reference<
    S: Store + PaymentRequestStore + 'static,
>(
    store: Arc<S>,
) {
    let world = world(store).await;
    let ayse = world.customer("ayse@example.com").await;
    let started = world.checkout(&ayse, &world.credits).await;
    let purchase_id = started.purchase.id;
    let order = started.purchase.payment.as_ref().unwrap().order_id.clone();

    let done = world
        .import(purchase_id, bank_transfer(" TR-2026-0001 ", "100.00"))
        .await
        .expect("imported");
    assert!(done.created);
    assert_eq!(done.purchase.status, PurchaseStatus::Completed);
    let payment = done.purchase.payment.clone().unwrap();
    assert_eq!(payment.gateway.as_str(), "bank_transfer");
    assert_eq!(payment.status, PaymentStatus::Captured);
    assert_eq!(
        payment.reference,
        Some(GatewayReference("TR-2026-0001".to_owned())),
        "the reference is kept trimmed"
    );
    assert_eq!(
        done.imported.import.note.as_deref(),
        Some("paid from the company account")
    );
    assert!(
        world
            .kit
            .gateway
            .operations()
            .contains(&format!("abandon {order}")),
        "the checkout at the gateway is given up before the import completes the purchase"
    );
    assert_eq!(balance(&world.holding(&ayse).await), Credits::from_u32(10));
    let invoices = world.invoices(purchase_id).await;
    assert_eq!(invoices.len(), 1, "the import issues the invoice");
    assert_eq!(
        invoices[0].issued.document["payment"]["method"],
        "bank_transfer"
    );
    assert_eq!(
        invoices[0].issued.document["payment"]["reference"],
        "TR-2026-0001"
    );
    let recorded = world
        .kit
        .store
        .imported_payment(GatewayReference("TR-2026-0001".to_owned()))
        .await
        .expect("the import is recorded");
    assert_eq!(recorded, done.imported);
    assert_eq!(recorded.amount, try_money("100.00"));
    assert_eq!(
        recorded.import.received_at,
        TestBilling::START - Duration::hours(3)
    );
    // The agent is audited as completing it, and the customer and operator are told.
    let audit = world
        .kit
        .store
        .audit_entries(AuditQuery {
            subject: Some(format!("customer:{}", ayse.id)),
            action: Some("purchase.completed".to_owned()),
            before: None,
            limit: 50,
        })
        .await
        .unwrap();
    let completed = audit
        .iter()
        .find(|entry| entry.record.action == "purchase.completed")
        .expect("audited");
    assert!(matches!(completed.context.actor, Actor::Agent { .. }));
    let notifications = world
        .kit
        .store
        .outbox_messages(false, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|message| {
            matches!(&message.payload, OutboxPayload::PurchaseNotification { purchase_id: id, .. } if *id == purchase_id)
        })
        .count();
    assert!(
        notifications >= 1,
        "the customer is told as for a gateway payment"
    );

    // The same reference again for the same purchase: the first import, nothing new.
    let again = world
        .import(purchase_id, bank_transfer("TR-2026-0001", "100.00"))
        .await
        .expect("answered");
    assert!(!again.created);
    assert_eq!(again.imported, done.imported);
    assert_eq!(world.invoices(purchase_id).await.len(), 1);
    assert_eq!(balance(&world.holding(&ayse).await), Credits::from_u32(10));

    // Another reference for the paid purchase: refused.
    assert!(matches!(
        world
            .import(purchase_id, bank_transfer("TR-2026-0002", "100.00"))
            .await,
        Err(ImportPaymentError::AlreadyPaid(_))
    ));
    // The same reference for another purchase: refused, naming the purchase it paid.
    let second = world.checkout(&ayse, &world.credits).await;
    match world
        .import(second.purchase.id, bank_transfer("TR-2026-0001", "100.00"))
        .await
    {
        Err(ImportPaymentError::ReferenceUsed {
            purchase_id: paid, ..
        }) => assert_eq!(paid, purchase_id),
        other => panic!("expected reference-used, got {other:?}"),
    }
    // An amount that is not what is owed: refused, nothing applied.
    assert!(matches!(
        world
            .import(second.purchase.id, bank_transfer("TR-2026-0003", "99.99"))
            .await,
        Err(ImportPaymentError::AmountMismatch { .. })
    ));
    assert!(matches!(
        world
            .import(second.purchase.id, bank_transfer("   ", "100.00"))
            .await,
        Err(ImportPaymentError::Invalid {
            field: "reference",
            ..
        })
    ));
    let mut future = bank_transfer("TR-2026-0004", "100.00");
    future.received_at = TestBilling::START + Duration::hours(1);
    assert!(matches!(
        world.import(second.purchase.id, future).await,
        Err(ImportPaymentError::Invalid {
            field: "received_at",
            ..
        })
    ));
    let untouched = world.kit.store.purchase(second.purchase.id).await.unwrap();
    assert_eq!(untouched.status, PurchaseStatus::Pending);
    assert_eq!(untouched.payment.unwrap().gateway.as_str(), "testpay");
    assert_eq!(balance(&world.holding(&ayse).await), Credits::from_u32(10));

    // The customer paid at the gateway meanwhile: that payment is applied, the import refused.
    let third = world.checkout(&ayse, &world.credits).await;
    let third_order = third.purchase.payment.as_ref().unwrap().order_id.clone();
    world
        .kit
        .gateway
        .set_status(&third_order, PaymentResultStatus::Captured);
    assert!(matches!(
        world
            .import(third.purchase.id, bank_transfer("TR-2026-0005", "100.00"))
            .await,
        Err(ImportPaymentError::AlreadyPaid(_))
    ));
    let paid_at_gateway = world.kit.store.purchase(third.purchase.id).await.unwrap();
    assert_eq!(paid_at_gateway.status, PurchaseStatus::Completed);
    assert_eq!(paid_at_gateway.payment.unwrap().gateway.as_str(), "testpay");
    assert_eq!(balance(&world.holding(&ayse).await), Credits::from_u32(20));
}

/// Contract case.
pub async fn concurrent_imports_of_one_reference_make_one_payment<
    S: Store + PaymentRequestStore + 'static,
>(
    store: Arc<S>,
) {
    let world = Arc::new(world(store).await);
    let ayse = world.customer("ayse@example.com").await;
    let started = world.checkout(&ayse, &world.credits).await;
    let purchase_id = started.purchase.id;
    // The same import sent many times at once (a retrying integrator): one payment.
    let tasks: Vec<_> = (0..RACERS)
        .map(|_| {
            let world = world.clone();
            tokio::spawn(async move {
                world
                    .import(purchase_id, bank_transfer("EFT-RACE-1", "100.00"))
                    .await
            })
        })
        .collect();
    let mut created = 0;
    for task in tasks {
        let done = task.await.unwrap().expect("every racer gets the import");
        assert_eq!(done.purchase.id, purchase_id);
        created += usize::from(done.created);
    }
    assert_eq!(created, 1, "exactly one import records the payment");
    assert_eq!(world.invoices(purchase_id).await.len(), 1);
    assert_eq!(balance(&world.holding(&ayse).await), Credits::from_u32(10));

    // One reference raced against purchases of different customers: it pays one of them.
    for round in 0..3 {
        let reference = format!("EFT-RACE-2-{round}");
        let mut purchases = Vec::new();
        for racer in 0..RACERS {
            let customer = world
                .customer(&format!("racer-{round}-{racer}@example.com"))
                .await;
            purchases.push(world.checkout(&customer, &world.credits).await.purchase.id);
        }
        let tasks: Vec<_> = purchases
            .iter()
            .map(|purchase_id| {
                let world = world.clone();
                let purchase_id = *purchase_id;
                let reference = reference.clone();
                tokio::spawn(async move {
                    world
                        .import(purchase_id, bank_transfer(&reference, "100.00"))
                        .await
                })
            })
            .collect();
        let mut winners = Vec::new();
        for task in tasks {
            match task.await.unwrap() {
                Ok(done) => {
                    assert!(done.created);
                    winners.push(done.purchase.id);
                }
                Err(ImportPaymentError::ReferenceUsed { .. }) => {}
                Err(other) => panic!("unexpected refusal: {other:?}"),
            }
        }
        assert_eq!(winners.len(), 1, "one reference pays one purchase");
        let mut completed = 0;
        for purchase_id in &purchases {
            let purchase = world.kit.store.purchase(*purchase_id).await.unwrap();
            if purchase.status == PurchaseStatus::Completed {
                completed += 1;
                assert_eq!(*purchase_id, winners[0]);
                assert_eq!(world.invoices(*purchase_id).await.len(), 1);
            } else {
                assert_eq!(purchase.status, PurchaseStatus::Pending);
                assert!(world.invoices(*purchase_id).await.is_empty());
            }
        }
        assert_eq!(completed, 1);
    }
}

/// Contract case.
pub async fn an_imported_payment_is_refunded_by_record_and_never_voided<
    S: Store + PaymentRequestStore + 'static,
>(
    store: Arc<S>,
) {
    let world = world(store).await;
    let ayse = world.customer("ayse@example.com").await;
    let started = world.checkout(&ayse, &world.credits).await;
    let purchase_id = started.purchase.id;
    world
        .import(purchase_id, bank_transfer("TR-REFUND-1", "100.00"))
        .await
        .unwrap();
    let operations_before = world.kit.gateway.operations().len();
    let act = |action| {
        world.kit.billing.act_on_payment(ActOnPayment {
            purchase_id,
            action,
            refund_limits: Vec::new(),
            context: agent_context("the customer asked"),
        })
    };
    assert!(matches!(
        act(RequestedAction::Void).await,
        Err(PaymentActionError::NotVoidable)
    ));
    let refunded = act(RequestedAction::Refund { amount: None })
        .await
        .expect("the refund is recorded");
    assert_eq!(refunded.finished.action.amount, try_money("100.00"));
    assert_eq!(
        refunded.finished.credits_reversed,
        Some(Credits::from_u32(10))
    );
    assert_eq!(
        refunded.finished.document.map(|note| note.issued.kind),
        Some(kasa_ports::InvoiceKind::CreditNote)
    );
    assert_eq!(balance(&world.holding(&ayse).await), Credits::from_u32(0));
    assert_eq!(
        world.kit.gateway.operations().len(),
        operations_before,
        "no gateway is called for money given back outside Kasa"
    );
    let purchase = world.kit.store.purchase(purchase_id).await.unwrap();
    assert_eq!(purchase.payment.unwrap().status, PaymentStatus::Refunded);
}

/// Contract case.
pub async fn a_payment_request_is_paid_by_import_once<S: Store + PaymentRequestStore + 'static>(
    store: Arc<S>,
) {
    let world = world(store).await;
    let ayse = world.customer("ayse@example.com").await;
    let request = world.ask(&ayse, &world.credits).await;
    let import = || ImportPayment {
        method: ImportMethod::Cash,
        ..bank_transfer("MAKBUZ-17", "100.00")
    };
    let done = world
        .requests
        .import_payment(request.id, import())
        .await
        .expect("imported");
    assert!(done.created);
    assert_eq!(
        done.purchase.payment.as_ref().unwrap().gateway.as_str(),
        "cash"
    );
    let paid = world.requests.request(request.id).await.unwrap();
    assert_eq!(paid.state(TestBilling::START), PaymentRequestState::Paid);
    assert_eq!(paid.purchase.map(|(id, _)| id), Some(done.purchase.id));
    assert_eq!(world.invoices(done.purchase.id).await.len(), 1);
    assert_eq!(balance(&world.holding(&ayse).await), Credits::from_u32(10));
    // Again: the first import, nothing new.
    let again = world
        .requests
        .import_payment(request.id, import())
        .await
        .expect("answered");
    assert!(!again.created);
    assert_eq!(again.purchase.id, done.purchase.id);
    // Another reference for the paid request: refused.
    assert!(matches!(
        world
            .requests
            .import_payment(request.id, bank_transfer("MAKBUZ-18", "100.00"))
            .await,
        Err(ImportPaymentError::AlreadyPaid(_))
    ));
    assert_eq!(balance(&world.holding(&ayse).await), Credits::from_u32(10));

    // A request whose payment the customer started at the gateway: that payment is given up
    // and the import pays the request.
    let started = world.ask(&ayse, &world.credits).await;
    let pending = world
        .requests
        .start_payment(kasa_billing::StartRequestPayment {
            request_id: started.id,
            customer_id: ayse.id,
            gateway: GatewayName::new("testpay"),
            confirmation: ForfeitConfirmation::NotConfirmed,
            capture: CaptureMode::Immediate,
            success_url: "https://kasa.example/ok".to_owned(),
            failure_url: "https://kasa.example/fail".to_owned(),
            context: agent_context("customer on the page"),
        })
        .await
        .unwrap();
    let done = world
        .requests
        .import_payment(started.id, bank_transfer("EFT-55", "100.00"))
        .await
        .expect("imported");
    assert_eq!(
        done.purchase.id, pending.purchase.id,
        "the payment under way is settled"
    );
    assert_eq!(
        world
            .requests
            .request(started.id)
            .await
            .unwrap()
            .state(TestBilling::START),
        PaymentRequestState::Paid
    );
    assert_eq!(balance(&world.holding(&ayse).await), Credits::from_u32(20));

    // An expired request cannot be paid by import.
    let late = world.ask(&ayse, &world.credits).await;
    world.kit.clock.advance(Duration::days(8));
    let mut after = bank_transfer("EFT-56", "100.00");
    after.received_at = kasa_ports::Clock::now(world.kit.clock.as_ref());
    assert!(matches!(
        world.requests.import_payment(late.id, after).await,
        Err(ImportPaymentError::RequestNotOpen(_))
    ));
}

/// Contract case.
pub async fn a_refused_import_records_nothing_and_frees_the_request<
    S: Store + PaymentRequestStore + 'static,
>(
    store: Arc<S>,
) {
    let world = world(store).await;
    let ayse = world.customer("ayse@example.com").await;
    world
        .kit
        .billing
        .grant_package(kasa_billing::GrantPackage {
            customer_id: ayse.id,
            package_id: world.credits.id,
            confirmation: ForfeitConfirmation::NotConfirmed,
            charged: false,
            context: agent_context("welcome credits"),
        })
        .await
        .unwrap();
    let request = world.ask(&ayse, &world.monthly).await;
    // The wrong amount: refused before anything is recorded.
    assert!(matches!(
        world
            .requests
            .import_payment(request.id, bank_transfer("EFT-90", "200.00"))
            .await,
        Err(ImportPaymentError::AmountMismatch { .. })
    ));
    assert!(
        world
            .requests
            .request(request.id)
            .await
            .unwrap()
            .purchase
            .is_none()
    );
    // A subscription would forfeit the credits: refused without the agent's confirmation, and
    // the purchase recorded for the attempt is closed so the request stays payable.
    match world
        .requests
        .import_payment(request.id, bank_transfer("EFT-91", "250.00"))
        .await
    {
        Err(ImportPaymentError::Refused(PurchaseRefusal::ForfeitNotConfirmed { .. })) => {}
        other => panic!("expected forfeit-not-confirmed, got {other:?}"),
    }
    let after = world.requests.request(request.id).await.unwrap();
    assert!(
        after.payable(TestBilling::START),
        "the request is free again: {after:?}"
    );
    assert_eq!(balance(&world.holding(&ayse).await), Credits::from_u32(10));
    assert!(
        world
            .kit
            .store
            .imported_payment(GatewayReference("EFT-91".to_owned()))
            .await
            .is_err(),
        "a refused import leaves no record"
    );
    // Confirmed: the subscription starts, the credits are forfeited with their record.
    let confirmed = ImportPayment {
        confirmation: ForfeitConfirmation::Confirmed,
        ..bank_transfer("EFT-91", "250.00")
    };
    let done = world
        .requests
        .import_payment(request.id, confirmed)
        .await
        .expect("imported");
    assert!(done.created);
    assert!(matches!(
        world.holding(&ayse).await,
        Holding::Subscription(_)
    ));
}
