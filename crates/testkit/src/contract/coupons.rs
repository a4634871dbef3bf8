//! Coupons on every store: made, found by code whatever its case, switched off, redeemed inside
//! the purchase (64 concurrent checkouts of a 10-use coupon redeem exactly 10), given back when
//! the purchase fails, invoiced with a discount line, and refunded at most what was paid.

use std::collections::BTreeSet;
use std::sync::Arc;

use kasa_billing::{
    ActOnPayment, CouponCheck, PaymentActionError, PurchaseCompletion, RequestedAction,
    StartPurchase, StartPurchaseError, StartedPurchase,
};
use kasa_domain::{
    Actor, CouponCode, CouponDefinition, CouponDiscount, CouponRefusal, Customer, Decimal,
    Language, Package, Reason,
};
use kasa_ports::{
    ActionContext, CaptureMode, CouponRecord, GatewayName, OrderId, Store, StoreError,
};
use kasa_subscriptions::ForfeitConfirmation;
use time::Duration;

use crate::{TestBilling, agent_context, credit_package, customer, department, try_money};

/// Declares one `#[tokio::test]` per coupon case for a store (see
/// [`store_contract_tests!`](crate::store_contract_tests) for the argument).
#[macro_export]
macro_rules! coupon_contract_tests {
    ($fresh_store:expr) => {
        $crate::store_contract_tests!(@cases $fresh_store;
            coupons::sixty_four_concurrent_checkouts_redeem_a_ten_use_coupon_exactly_ten_times,
            coupons::a_failed_purchase_gives_its_redemption_back_and_limits_hold_per_customer,
            coupons::a_discounted_purchase_pays_invoices_and_refunds_the_discounted_price,
            coupons::coupons_are_unique_by_code_listed_and_switched_off_for_good,
        );
    };
}

struct World<S: Store + 'static> {
    kit: TestBilling<S>,
    package: Package,
}

async fn world<S: Store + 'static>(store: Arc<S>) -> World<S> {
    let kit = TestBilling::on(store);
    let support = department("Teknik Destek", 1);
    let package = credit_package("10 kredi", 10, "400.00", &[support.id]);
    kit.with_catalog(
        std::slice::from_ref(&support),
        std::slice::from_ref(&package),
    )
    .await;
    World { kit, package }
}

fn definition(code: &str, discount: CouponDiscount) -> CouponDefinition {
    CouponDefinition {
        code: CouponCode::new(code).expect("a code"),
        discount,
        valid_from: TestBilling::START - Duration::days(1),
        valid_until: Some(TestBilling::START + Duration::days(30)),
        package_ids: BTreeSet::new(),
        max_redemptions: None,
        max_per_customer: None,
    }
}

fn percent(value: i64) -> CouponDiscount {
    CouponDiscount::Percentage {
        percent: Decimal::from(value),
    }
}

fn customer_context(customer: &Customer) -> ActionContext {
    ActionContext {
        actor: Actor::Customer {
            customer_id: customer.id,
        },
        reason: Reason::new("checkout").expect("a reason"),
        request_id: None,
        idempotency: None,
    }
}

impl<S: Store + 'static> World<S> {
    async fn coupon(&self, definition: CouponDefinition) -> CouponRecord {
        self.kit
            .billing
            .create_coupon(definition, agent_context("summer campaign"))
            .await
            .expect("coupon made")
    }

    async fn customer(&self, email: &str) -> Customer {
        let customer = customer(email, Language::Tr);
        self.kit.with_customer(&customer).await;
        customer
    }

    async fn start(
        &self,
        customer: &Customer,
        code: Option<&str>,
    ) -> Result<StartedPurchase, StartPurchaseError> {
        self.kit
            .billing
            .start_purchase(StartPurchase {
                customer_id: customer.id,
                package_id: self.package.id,
                gateway: GatewayName::new("testpay"),
                confirmation: ForfeitConfirmation::NotConfirmed,
                capture: CaptureMode::Immediate,
                success_url: "https://kasa.example/ok".to_owned(),
                failure_url: "https://kasa.example/fail".to_owned(),
                context: customer_context(customer),
                coupon_code: code.map(str::to_owned),
            })
            .await
    }

    async fn complete(&self, started: &StartedPurchase, status: &str) -> PurchaseCompletion {
        let order = order_of(started);
        let amount = started
            .purchase
            .payment
            .as_ref()
            .expect("a payment")
            .amount
            .amount()
            .to_string();
        let callback = self.kit.gateway.callback(&order, status, &amount);
        self.kit
            .billing
            .complete_purchase(&GatewayName::new("testpay"), callback, None)
            .await
            .expect("callback accepted")
    }
}

fn order_of(started: &StartedPurchase) -> OrderId {
    started
        .purchase
        .payment
        .as_ref()
        .expect("a payment")
        .order_id
        .clone()
}

/// Contract case.
pub async fn sixty_four_concurrent_checkouts_redeem_a_ten_use_coupon_exactly_ten_times<
    S: Store + 'static,
>(
    store: Arc<S>,
) {
    let world = Arc::new(world(store).await);
    let coupon = world
        .coupon(CouponDefinition {
            max_redemptions: Some(10),
            ..definition("ON-KISI", percent(10))
        })
        .await;
    let mut customers = Vec::with_capacity(64);
    for index in 0..64 {
        customers.push(world.customer(&format!("musteri{index}@example.com")).await);
    }
    let mut tasks = Vec::with_capacity(64);
    for customer in customers {
        let world = Arc::clone(&world);
        tasks.push(tokio::spawn(async move {
            world.start(&customer, Some("on-kisi")).await
        }));
    }
    let (mut redeemed, mut used_up) = (0, 0);
    for task in tasks {
        match task.await.expect("task ran") {
            Ok(started) => {
                redeemed += 1;
                let payment = started.purchase.payment.expect("a payment");
                assert_eq!(payment.amount, try_money("360.00"));
                assert_eq!(
                    started.purchase.coupon.expect("the coupon").code.as_str(),
                    "ON-KISI"
                );
            }
            Err(StartPurchaseError::Coupon(CouponRefusal::UsedUp)) => used_up += 1,
            Err(other) => panic!("unexpected answer: {other}"),
        }
    }
    assert_eq!((redeemed, used_up), (10, 54));
    let stored = world.kit.store.coupon(coupon.coupon.id).await.unwrap();
    assert_eq!(stored.redemptions, 10);
    let gateway_starts = world.kit.gateway.started().len();
    assert_eq!(
        gateway_starts, 10,
        "a refused coupon never reaches the gateway"
    );
}

/// Contract case.
pub async fn a_failed_purchase_gives_its_redemption_back_and_limits_hold_per_customer<
    S: Store + 'static,
>(
    store: Arc<S>,
) {
    let world = world(store).await;
    let coupon = world
        .coupon(CouponDefinition {
            max_redemptions: Some(2),
            max_per_customer: Some(1),
            ..definition("TEK", percent(25))
        })
        .await;
    let ayse = world.customer("ayse@example.com").await;
    let mehmet = world.customer("mehmet@example.com").await;
    let zeynep = world.customer("zeynep@example.com").await;

    let first = world.start(&ayse, Some("tek")).await.unwrap();
    assert!(matches!(
        world.start(&ayse, Some("TEK")).await,
        Err(StartPurchaseError::Coupon(CouponRefusal::UsedUpForCustomer))
    ));
    let check = world
        .kit
        .billing
        .check_coupon(ayse.id, "tek", world.package.id)
        .await
        .unwrap();
    assert_eq!(
        check,
        CouponCheck::Refused(CouponRefusal::UsedUpForCustomer)
    );
    // A purchase without the coupon is not limited by it.
    world.start(&ayse, None).await.unwrap();

    world.start(&mehmet, Some("tek")).await.unwrap();
    assert!(matches!(
        world.start(&zeynep, Some("tek")).await,
        Err(StartPurchaseError::Coupon(CouponRefusal::UsedUp))
    ));
    // Ayşe's payment is declined: her redemption is given back, to everyone.
    assert!(matches!(
        world.complete(&first, "declined").await,
        PurchaseCompletion::Declined(_)
    ));
    assert_eq!(
        world
            .kit
            .store
            .coupon(coupon.coupon.id)
            .await
            .unwrap()
            .redemptions,
        1
    );
    let usage = world
        .kit
        .store
        .coupon_usage(coupon.coupon.id, ayse.id)
        .await
        .unwrap();
    assert_eq!((usage.total, usage.by_customer), (1, 0));
    let zeyneps = world.start(&zeynep, Some("tek")).await.unwrap();
    assert_eq!(
        zeyneps.purchase.payment.expect("a payment").amount,
        try_money("300.00")
    );
    assert!(matches!(
        world.start(&ayse, Some("tek")).await,
        Err(StartPurchaseError::Coupon(CouponRefusal::UsedUp))
    ));
    // Unknown codes, malformed ones included, are refused before anything is recorded.
    for code in ["YOK", "yaz 25"] {
        assert!(matches!(
            world.start(&ayse, Some(code)).await,
            Err(StartPurchaseError::Coupon(CouponRefusal::Unknown))
        ));
    }
}

/// Contract case.
pub async fn a_discounted_purchase_pays_invoices_and_refunds_the_discounted_price<
    S: Store + 'static,
>(
    store: Arc<S>,
) {
    let world = world(store).await;
    // 12.5 % of 400.00 is 50.00; the customer pays 350.00, KDV (20 %, inside the price) is
    // worked out once on 350.00: 58.33.
    world
        .coupon(definition(
            "YAZ25",
            CouponDiscount::Percentage {
                percent: "12.5".parse().unwrap(),
            },
        ))
        .await;
    let ayse = world.customer("ayse@example.com").await;
    let check = world
        .kit
        .billing
        .check_coupon(ayse.id, "yaz25", world.package.id)
        .await
        .unwrap();
    let CouponCheck::Applies { price, .. } = check else {
        panic!("the coupon applies: {check:?}");
    };
    assert_eq!(
        (price.list_price, price.discount, price.price),
        (try_money("400.00"), try_money("50.00"), try_money("350.00"))
    );
    let started = world.start(&ayse, Some("Yaz25")).await.unwrap();
    let payment = started.purchase.payment.clone().expect("a payment");
    assert_eq!(payment.amount, try_money("350.00"));
    assert_eq!(
        world
            .kit
            .gateway
            .started()
            .last()
            .expect("sent to the gateway")
            .amount,
        try_money("350.00")
    );
    assert!(matches!(
        world.complete(&started, "approved").await,
        PurchaseCompletion::Completed(_)
    ));
    let purchase = world.kit.store.purchase(started.purchase.id).await.unwrap();
    let coupon = purchase.coupon.expect("the purchase keeps its coupon");
    assert_eq!(coupon.code.as_str(), "YAZ25");
    assert_eq!(coupon.discount, try_money("50.00"));

    let invoices = world
        .kit
        .store
        .purchase_invoices(started.purchase.id)
        .await
        .unwrap();
    let invoice = &invoices[0].issued;
    assert_eq!(invoice.total.gross, try_money("350.00"));
    assert_eq!(invoice.total.tax, try_money("58.33"));
    assert_eq!(invoice.total.net, try_money("291.67"));
    let lines = invoice.document["lines"].as_array().expect("lines");
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["gross"], "400.00");
    assert_eq!(lines[0]["tax"], "66.67");
    assert_eq!(lines[1]["kind"], "discount");
    assert_eq!(lines[1]["coupon_code"], "YAZ25");
    assert_eq!(lines[1]["description"], "Kupon YAZ25");
    assert_eq!(lines[1]["gross"], "-50.00");
    assert_eq!(lines[1]["tax"], "-8.34");
    assert_eq!(lines[1]["net"], "-41.66");
    for part in ["net", "tax", "gross"] {
        let sum: Decimal = lines
            .iter()
            .map(|line| line[part].as_str().unwrap().parse::<Decimal>().unwrap())
            .sum();
        let total = match part {
            "net" => invoice.total.net,
            "tax" => invoice.total.tax,
            _ => invoice.total.gross,
        };
        assert_eq!(sum, total.amount(), "the lines add up to the {part} total");
    }

    // A refund gives back at most what was paid.
    let refund = |amount: &str| ActOnPayment {
        purchase_id: started.purchase.id,
        action: RequestedAction::Refund {
            amount: Some(try_money(amount)),
        },
        refund_limits: Vec::new(),
        context: agent_context("customer asked"),
    };
    world.kit.gateway.settle(&payment.order_id);
    match world.kit.billing.act_on_payment(refund("400.00")).await {
        Err(PaymentActionError::AmountTooLarge { available, .. }) => {
            assert_eq!(available, try_money("350.00"));
        }
        other => panic!("a refund above the payment is refused: {other:?}"),
    }
    let done = world
        .kit
        .billing
        .act_on_payment(ActOnPayment {
            action: RequestedAction::Refund { amount: None },
            ..refund("1.00")
        })
        .await
        .expect("refunded");
    assert_eq!(done.finished.action.amount, try_money("350.00"));
    let note = done.finished.document.expect("a credit note");
    assert_eq!(note.issued.total.gross, try_money("350.00"));
    assert_eq!(note.issued.total.tax, try_money("58.33"));
}

/// Contract case.
pub async fn coupons_are_unique_by_code_listed_and_switched_off_for_good<S: Store + 'static>(
    store: Arc<S>,
) {
    let world = world(store).await;
    let first = world.coupon(definition("KIS", percent(10))).await;
    let second = world
        .coupon(CouponDefinition {
            package_ids: BTreeSet::from([world.package.id]),
            ..definition(
                "sabit-50",
                CouponDiscount::Fixed {
                    amounts: vec![try_money("50.00")],
                },
            )
        })
        .await;
    assert_eq!(second.coupon.code().as_str(), "SABIT-50");
    assert_eq!(second.coupon.definition().package_ids.len(), 1);
    match world
        .kit
        .billing
        .create_coupon(definition("kis", percent(20)), agent_context("again"))
        .await
    {
        Err(kasa_billing::CreateCouponError::Store(StoreError::AlreadyExists { .. })) => {}
        other => panic!("a taken code is refused: {other:?}"),
    }
    let listed = world.kit.billing.coupons().await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(
        world
            .kit
            .store
            .coupon_by_code(CouponCode::new("Kis").unwrap())
            .await
            .unwrap()
            .coupon
            .id,
        first.coupon.id
    );
    let ayse = world.customer("ayse@example.com").await;
    let started = world.start(&ayse, Some("sabit-50")).await.unwrap();
    assert_eq!(
        started.purchase.payment.expect("a payment").amount,
        try_money("350.00")
    );

    let disabled = world
        .kit
        .billing
        .disable_coupon(first.coupon.id, agent_context("campaign over"))
        .await
        .unwrap();
    assert!(!disabled.coupon.enabled);
    assert_eq!(disabled.disabled_reason.as_deref(), Some("campaign over"));
    assert!(matches!(
        world.start(&ayse, Some("kis")).await,
        Err(StartPurchaseError::Coupon(CouponRefusal::Disabled))
    ));
    // Again: nothing changes, and it is not an error.
    let again = world
        .kit
        .billing
        .disable_coupon(first.coupon.id, agent_context("twice"))
        .await
        .unwrap();
    assert_eq!(again.disabled_reason.as_deref(), Some("campaign over"));
    let audit = world
        .kit
        .store
        .audit_entries(kasa_ports::AuditQuery {
            subject: None,
            action: None,
            before: None,
            limit: 100,
        })
        .await
        .unwrap();
    let actions: Vec<&str> = audit
        .iter()
        .filter(|entry| entry.record.subject.starts_with("coupon:"))
        .map(|entry| entry.record.action.as_str())
        .collect();
    assert_eq!(
        actions
            .iter()
            .filter(|action| **action == "coupon.created")
            .count(),
        2
    );
    assert_eq!(
        actions
            .iter()
            .filter(|action| **action == "coupon.disabled")
            .count(),
        1
    );
    // Expired and not-yet-valid coupons are refused with their dates.
    world.kit.clock.advance(Duration::days(31));
    assert!(matches!(
        world.start(&ayse, Some("sabit-50")).await,
        Err(StartPurchaseError::Coupon(CouponRefusal::Expired { .. }))
    ));
    assert!(matches!(
        world
            .kit
            .billing
            .disable_coupon(kasa_ports::new_id(), agent_context("none"))
            .await,
        Err(StoreError::NotFound {
            entity: kasa_ports::Entity::Coupon
        })
    ));
}
