//! The payment-request store's contract, driven through the use cases: a request is paid at
//! most once (of many concurrent starts, one purchase; a replayed callback invoices once),
//! cancelled and expired requests cannot be paid, a declined payment may be retried, and a
//! request with a payment under way cannot be cancelled.

use std::sync::Arc;

use std::collections::BTreeSet;

use kasa_billing::{
    CancelPaymentRequestError, CreatePaymentRequest, CreatePaymentRequestError, PayRequestError,
    PaymentRequests, PurchaseCompletion, RequestedItem, StartRequestPayment, StartedPurchase,
};
use kasa_domain::{
    Actor, CouponCode, CouponDefinition, CouponDiscount, CustomerId, Language, Package,
    PaymentRequestId,
};
use kasa_ports::{
    ActionContext, AuditQuery, CaptureMode, GatewayName, NewPurchase, OrderId, OutboxPayload,
    Payment, PaymentRequest, PaymentRequestState, PaymentRequestStore, PaymentStatus,
    PurchaseStatus, RequestCancellation, RequestPaymentStart, Store, new_id,
};
use kasa_subscriptions::{ForfeitConfirmation, PurchaseChannel};
use time::Duration;

use crate::{TestBilling, agent_context, credit_package, customer, department, try_money};

/// How many starts race for one request.
const RACERS: usize = 16;

pub(crate) struct World<S: Store + PaymentRequestStore + 'static> {
    pub(crate) kit: TestBilling<S>,
    pub(crate) requests: PaymentRequests,
    customer: CustomerId,
    package: Package,
}

pub(crate) async fn world<S: Store + PaymentRequestStore + 'static>(store: Arc<S>) -> World<S> {
    let kit = TestBilling::on(store.clone());
    let support = department("Teknik Destek", 1);
    let package = credit_package("10 kredi", 10, "100.00", &[support.id]);
    kit.with_catalog(
        std::slice::from_ref(&support),
        std::slice::from_ref(&package),
    )
    .await;
    let ayse = customer("ayse@example.com", Language::Tr);
    kit.with_customer(&ayse).await;
    let requests = PaymentRequests::new(kit.billing.clone(), store);
    World {
        kit,
        requests,
        customer: ayse.id,
        package,
    }
}

impl<S: Store + PaymentRequestStore + 'static> World<S> {
    pub(crate) async fn ask(&self, valid_days: Option<u32>) -> PaymentRequest {
        self.ask_with(valid_days, None).await
    }

    async fn ask_with(&self, valid_days: Option<u32>, coupon: Option<&str>) -> PaymentRequest {
        let draft = self
            .requests
            .draft(CreatePaymentRequest {
                customer_id: self.customer,
                item: RequestedItem::Package(self.package.id),
                description: "  Kasım ayı destek  ".to_owned(),
                valid_days,
                coupon_code: coupon.map(str::to_owned),
                context: agent_context("asked on the phone"),
            })
            .await
            .unwrap();
        let link = format!("https://kasa.example/billing/requests/{}", draft.id);
        self.requests.send(draft, link).await.unwrap()
    }

    pub(crate) fn pay(&self, request_id: PaymentRequestId) -> StartRequestPayment {
        StartRequestPayment {
            request_id,
            customer_id: self.customer,
            gateway: GatewayName::new("testpay"),
            confirmation: ForfeitConfirmation::NotConfirmed,
            capture: CaptureMode::Immediate,
            success_url: "https://kasa.example/return".to_owned(),
            failure_url: "https://kasa.example/return".to_owned(),
            context: ActionContext {
                actor: Actor::Customer {
                    customer_id: self.customer,
                },
                reason: kasa_domain::Reason::new("payment request").unwrap(),
                request_id: None,
                idempotency: None,
            },
        }
    }

    pub(crate) async fn complete(
        &self,
        started: &StartedPurchase,
        status: &str,
    ) -> PurchaseCompletion {
        let payment = started.purchase.payment.as_ref().unwrap();
        let amount = payment.amount.amount().to_string();
        let callback = self
            .kit
            .gateway
            .callback(&payment.order_id, status, &amount);
        self.kit
            .billing
            .complete_purchase(&GatewayName::new("testpay"), callback, None)
            .await
            .unwrap()
    }

    /// A coupon of `percent` % off any package, valid from yesterday until `valid_until`,
    /// usable once.
    async fn coupon(
        &self,
        code: &str,
        percent: u32,
        valid_until: Option<time::OffsetDateTime>,
    ) -> kasa_ports::CouponRecord {
        self.kit
            .billing
            .create_coupon(
                CouponDefinition {
                    code: CouponCode::new(code).unwrap(),
                    discount: CouponDiscount::Percentage {
                        percent: percent.into(),
                    },
                    valid_from: TestBilling::START - Duration::days(1),
                    valid_until,
                    package_ids: BTreeSet::new(),
                    max_redemptions: Some(1),
                    max_per_customer: None,
                },
                agent_context("one use"),
            )
            .await
            .unwrap()
    }

    async fn state(&self, id: PaymentRequestId) -> PaymentRequestState {
        let request = self.requests.request(id).await.unwrap();
        request.state(kasa_ports::Clock::now(self.kit.clock.as_ref()))
    }
}

/// Of many concurrent starts one purchase is made; its callback, replayed, pays and invoices
/// the request once, and a paid request cannot be paid or cancelled again.
///
/// # Panics
/// When the store breaks the contract.
pub async fn a_payment_request_is_paid_once_whatever_arrives_how_often<S>(store: Arc<S>)
where
    S: Store + PaymentRequestStore + 'static,
{
    let world = Arc::new(world(store).await);
    let request = world.ask(None).await;
    assert_eq!(request.description, "Kasım ayı destek");
    assert_eq!(request.amount, world.package.price);
    assert_eq!(request.expires_at, TestBilling::START + Duration::days(14));
    assert_eq!(world.state(request.id).await, PaymentRequestState::Open);
    let listed = world
        .requests
        .customer_requests(world.customer)
        .await
        .unwrap();
    assert_eq!(listed, vec![request.clone()]);
    let mails: Vec<_> = world
        .kit
        .store
        .claim_due_messages(TestBilling::START, TestBilling::START, 10)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|message| match message.payload {
            OutboxPayload::PaymentRequestNotification {
                payment_request_id,
                link,
                language,
                ..
            } => Some((payment_request_id, link, language)),
            _ => None,
        })
        .collect();
    assert_eq!(
        mails,
        vec![(
            request.id,
            format!("https://kasa.example/billing/requests/{}", request.id),
            Language::Tr
        )],
        "the mail is queued with the request"
    );

    let mut racers = Vec::with_capacity(RACERS);
    for _ in 0..RACERS {
        let world = world.clone();
        let pay = world.pay(request.id);
        racers.push(tokio::spawn(async move {
            world.requests.start_payment(pay).await
        }));
    }
    let mut started = Vec::new();
    for racer in racers {
        match racer.await.unwrap() {
            Ok(one) => started.push(one),
            Err(PayRequestError::NotPayable(request)) => {
                assert!(request.payment_under_way(), "{request:?}");
            }
            Err(other) => panic!("a start failed otherwise: {other}"),
        }
    }
    assert_eq!(
        started.len(),
        1,
        "one purchase of {RACERS} concurrent starts"
    );
    let purchase = &started[0];
    assert_eq!(
        world.kit.gateway.started().len(),
        1,
        "one payment at the gateway"
    );
    assert_eq!(
        world.requests.request(request.id).await.unwrap().purchase,
        Some((purchase.purchase.id, PurchaseStatus::Pending))
    );
    assert!(matches!(
        world
            .requests
            .cancel(request.id, agent_context("too late"))
            .await,
        Err(CancelPaymentRequestError::NotCancellable(_))
    ));

    let first = world.complete(purchase, "approved").await;
    assert!(
        matches!(first, PurchaseCompletion::Completed(_)),
        "{first:?}"
    );
    for _ in 0..2 {
        let again = world.complete(purchase, "approved").await;
        assert!(
            matches!(again, PurchaseCompletion::AlreadyProcessed(_)),
            "{again:?}"
        );
    }
    assert_eq!(world.state(request.id).await, PaymentRequestState::Paid);
    assert_eq!(
        world
            .kit
            .store
            .purchase_invoices(purchase.purchase.id)
            .await
            .unwrap()
            .len(),
        1,
        "one invoice"
    );
    assert!(matches!(
        world.requests.start_payment(world.pay(request.id)).await,
        Err(PayRequestError::NotPayable(paid)) if paid.state(TestBilling::START) == PaymentRequestState::Paid
    ));
    // Paid stays paid after the expiry.
    world.kit.clock.advance(Duration::days(30));
    assert_eq!(world.state(request.id).await, PaymentRequestState::Paid);
    assert_eq!(world.kit.gateway.started().len(), 1);
}

/// Cancelled and expired requests cannot be paid; a cancellation is audited with its reason
/// and happens once; a declined payment may be retried; another customer cannot pay it.
///
/// # Panics
/// When the store breaks the contract.
pub async fn cancelled_and_expired_requests_cannot_be_paid<S>(store: Arc<S>)
where
    S: Store + PaymentRequestStore + 'static,
{
    let world = world(store).await;
    let cancelled = world.ask(Some(3)).await;
    let done = world
        .requests
        .cancel(cancelled.id, agent_context("customer paid by transfer"))
        .await
        .unwrap();
    assert_eq!(
        done.cancellation.as_ref().map(|c| c.reason.as_str()),
        Some("customer paid by transfer")
    );
    assert_eq!(
        world.state(cancelled.id).await,
        PaymentRequestState::Cancelled
    );
    assert!(matches!(
        world
            .requests
            .cancel(cancelled.id, agent_context("again"))
            .await,
        Err(CancelPaymentRequestError::NotCancellable(_))
    ));
    assert!(matches!(
        world.requests.start_payment(world.pay(cancelled.id)).await,
        Err(PayRequestError::NotPayable(_))
    ));
    let audit = world
        .kit
        .store
        .audit_entries(AuditQuery {
            limit: 100,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    let actions: Vec<_> = audit
        .iter()
        .filter(|entry| entry.record.action.starts_with("payment_request."))
        .map(|entry| (entry.record.action.as_str(), entry.context.reason.as_str()))
        .collect();
    assert_eq!(actions.len(), 2, "{actions:?}");
    assert!(actions.contains(&("payment_request.created", "asked on the phone")));
    assert!(actions.contains(&("payment_request.cancelled", "customer paid by transfer")));

    // A declined payment leaves the request open, to be paid again.
    let retried = world.ask(Some(3)).await;
    let declined = world
        .requests
        .start_payment(world.pay(retried.id))
        .await
        .unwrap();
    let completion = world.complete(&declined, "declined").await;
    assert!(
        matches!(completion, PurchaseCompletion::Declined(_)),
        "{completion:?}"
    );
    assert_eq!(world.state(retried.id).await, PaymentRequestState::Open);
    let second = world
        .requests
        .start_payment(world.pay(retried.id))
        .await
        .unwrap();
    assert_ne!(second.purchase.id, declined.purchase.id);

    // Someone else's request does not exist for them.
    let mut stranger = world.pay(retried.id);
    stranger.customer_id = CustomerId::from_uuid(uuid::Uuid::now_v7());
    assert!(matches!(
        world.requests.start_payment(stranger).await,
        Err(PayRequestError::NotFound)
    ));

    // Past its expiry a request is expired: not payable, not cancellable.
    let expiring = world.ask(Some(1)).await;
    world.kit.clock.advance(Duration::days(1));
    assert_eq!(world.state(expiring.id).await, PaymentRequestState::Expired);
    assert!(matches!(
        world.requests.start_payment(world.pay(expiring.id)).await,
        Err(PayRequestError::NotPayable(_))
    ));
    assert!(matches!(
        world
            .requests
            .cancel(expiring.id, agent_context("late"))
            .await,
        Err(CancelPaymentRequestError::NotCancellable(_))
    ));
    assert!(matches!(
        world
            .requests
            .request(PaymentRequestId::from_uuid(uuid::Uuid::now_v7()))
            .await,
        Err(kasa_ports::StoreError::NotFound { .. })
    ));
}

impl<S: Store + PaymentRequestStore + 'static> World<S> {
    /// A purchase paying `request`, started at `at`, as the use case would record it.
    fn purchase_for(&self, request: &PaymentRequest, at: time::OffsetDateTime) -> NewPurchase {
        let id: kasa_domain::PurchaseId = new_id();
        NewPurchase {
            id,
            customer_id: self.customer,
            item: request.item.clone(),
            channel: PurchaseChannel::CustomerCheckout,
            forfeit_confirmation: ForfeitConfirmation::NotConfirmed,
            started_by: self.pay(request.id).context,
            created_at: at,
            payment: Some(Payment {
                id: new_id(),
                gateway: GatewayName::new("testpay"),
                order_id: OrderId(id.as_uuid().simple().to_string()),
                amount: request.amount,
                capture: CaptureMode::Immediate,
                status: PaymentStatus::Pending,
                reference: None,
                failure: None,
                card: None,
            }),
            coupon: None,
        }
    }
}

/// The store itself (not the use case's check before it) links at most one purchase under way
/// per request: of many concurrent direct calls one starts, a later one is refused, a failed
/// payment frees the request, and cancelled or expired requests are refused.
///
/// # Panics
/// When the store breaks the contract.
pub async fn the_store_links_one_purchase_under_way_per_request<S>(store: Arc<S>)
where
    S: Store + PaymentRequestStore + 'static,
{
    let world = Arc::new(world(store.clone()).await);
    let request = world.ask(None).await;
    let mut racers = Vec::with_capacity(RACERS);
    for _ in 0..RACERS {
        let purchase = world.purchase_for(&request, TestBilling::START);
        let store = store.clone();
        racers.push(tokio::spawn(async move {
            store.start_request_payment(request.id, purchase).await
        }));
    }
    let mut started = Vec::new();
    for racer in racers {
        match racer.await.unwrap().unwrap() {
            RequestPaymentStart::Started(purchase) => started.push(*purchase),
            RequestPaymentStart::NotPayable(request) => {
                assert!(request.payment_under_way(), "{request:?}");
            }
        }
    }
    assert_eq!(started.len(), 1, "one of {RACERS} direct starts");
    let again = store
        .start_request_payment(request.id, world.purchase_for(&request, TestBilling::START))
        .await
        .unwrap();
    assert!(
        matches!(again, RequestPaymentStart::NotPayable(_)),
        "{again:?}"
    );
    let cancel = store
        .cancel_payment_request(
            request.id,
            kasa_ports::AuditRecord {
                action: "payment_request.cancelled".to_owned(),
                subject: format!("customer:{}", world.customer),
                before: None,
                after: None,
            },
            agent_context("while paying"),
            TestBilling::START,
        )
        .await
        .unwrap();
    assert!(
        matches!(cancel, RequestCancellation::NotCancellable(_)),
        "{cancel:?}"
    );

    // Declined: the request is free for another payment.
    let order = started[0].payment.as_ref().unwrap().order_id.clone();
    let callback = world.kit.gateway.callback(&order, "declined", "100.00");
    world
        .kit
        .billing
        .complete_purchase(&GatewayName::new("testpay"), callback, None)
        .await
        .unwrap();
    let retried = store
        .start_request_payment(request.id, world.purchase_for(&request, TestBilling::START))
        .await
        .unwrap();
    assert!(
        matches!(retried, RequestPaymentStart::Started(_)),
        "{retried:?}"
    );

    // At or after its expiry, and once cancelled, nothing starts.
    let expiring = world.ask(Some(2)).await;
    let late = store
        .start_request_payment(
            expiring.id,
            world.purchase_for(&expiring, expiring.expires_at),
        )
        .await
        .unwrap();
    assert!(
        matches!(late, RequestPaymentStart::NotPayable(_)),
        "{late:?}"
    );
    world
        .requests
        .cancel(expiring.id, agent_context("not needed"))
        .await
        .unwrap();
    let cancelled = store
        .start_request_payment(
            expiring.id,
            world.purchase_for(&expiring, TestBilling::START),
        )
        .await
        .unwrap();
    assert!(
        matches!(cancelled, RequestPaymentStart::NotPayable(_)),
        "{cancelled:?}"
    );
    // Nothing was recorded for the refused starts: one failed and one pending purchase.
    let purchases = store.customer_purchases(world.customer, 100).await.unwrap();
    assert_eq!(purchases.len(), 2, "{purchases:?}");
}

/// A coupon an agent puts on a request is priced when asked: the amount asked is the discounted
/// price, the store keeps the coupon with the request, and its dates are judged when asked, so a
/// payment after the coupon ended still gets the discount promised; the purchase paying the
/// request redeems it, once, and its limit then refuses further requests.
///
/// # Panics
/// When the store breaks the contract.
pub async fn a_coupon_on_a_request_is_priced_when_asked_and_redeemed_when_paid<S>(store: Arc<S>)
where
    S: Store + PaymentRequestStore + 'static,
{
    let world = world(store).await;
    let coupon = world
        .coupon("TALEP20", 20, Some(TestBilling::START + Duration::days(2)))
        .await;
    let request = world.ask_with(Some(10), Some(" talep20 ")).await;
    assert_eq!(request.amount, try_money("80.00"));
    let priced = request.coupon.clone().expect("the coupon is kept");
    assert_eq!(
        (priced.code.as_str(), priced.list_price, priced.discount),
        ("TALEP20", try_money("100.00"), try_money("20.00"))
    );
    assert_eq!(priced.priced_at, Some(TestBilling::START));
    assert_eq!(world.requests.request(request.id).await.unwrap(), request);
    assert_eq!(
        world
            .kit
            .billing
            .coupon(coupon.coupon.id)
            .await
            .unwrap()
            .redemptions,
        0,
        "asking redeems nothing"
    );

    // Five days on the coupon has ended, but the request keeps its price.
    world.kit.clock.advance(Duration::days(5));
    let started = world
        .requests
        .start_payment(world.pay(request.id))
        .await
        .expect("the promised price holds");
    assert_eq!(
        started.purchase.payment.as_ref().unwrap().amount,
        try_money("80.00")
    );
    assert_eq!(started.purchase.item.price(), try_money("100.00"));
    assert_eq!(
        started.purchase.coupon.as_ref().map(|c| c.code.as_str()),
        Some("TALEP20")
    );
    assert_eq!(
        world
            .kit
            .billing
            .coupon(coupon.coupon.id)
            .await
            .unwrap()
            .redemptions,
        1
    );
    assert!(matches!(
        world.complete(&started, "approved").await,
        PurchaseCompletion::Completed(_)
    ));
    assert_eq!(world.state(request.id).await, PaymentRequestState::Paid);

    // Its one use is taken: a new request with it is refused, and nothing is recorded.
    let refused = world
        .requests
        .draft(CreatePaymentRequest {
            customer_id: world.customer,
            item: RequestedItem::Package(world.package.id),
            description: "again".to_owned(),
            valid_days: None,
            coupon_code: Some("TALEP20".to_owned()),
            context: agent_context("asked"),
        })
        .await;
    assert!(
        matches!(refused, Err(CreatePaymentRequestError::Coupon(_))),
        "{refused:?}"
    );
}

/// A payment of a request the customer never finished (they left the gateway's page) is given up
/// at the gateway by the reconciliation job once the checkout is an hour old, and closed as
/// failed: the customer's history reads it as expired, the coupon it redeemed is free again and
/// the request can be paid again. Before the hour, the job only asks the gateway.
///
/// # Panics
/// When the store breaks the contract.
pub async fn an_abandoned_payment_expires_and_frees_its_request_and_coupon<S>(store: Arc<S>)
where
    S: Store + PaymentRequestStore + 'static,
{
    let world = world(store).await;
    let coupon = world.coupon("TEK", 10, None).await;
    let redemptions = async || {
        world
            .kit
            .billing
            .coupon(coupon.coupon.id)
            .await
            .unwrap()
            .redemptions
    };
    let request = world.ask_with(None, Some("TEK")).await;
    let left = world
        .requests
        .start_payment(world.pay(request.id))
        .await
        .unwrap();
    let order = left.purchase.payment.as_ref().unwrap().order_id.clone();
    world
        .kit
        .gateway
        .set_status(&order, kasa_ports::PaymentResultStatus::Pending);
    assert_eq!(redemptions().await, 1);

    // Twenty minutes on, the gateway still knows no result: asked, left pending.
    world.kit.clock.advance(Duration::minutes(20));
    let reconcile = async || {
        world
            .kit
            .billing
            .reconcile_pending_purchases(Duration::minutes(15), 10)
            .await
            .unwrap()
    };
    assert!(matches!(
        reconcile().await.as_slice(),
        [PurchaseCompletion::StillPending(_)]
    ));
    assert!(
        !world
            .kit
            .gateway
            .operations()
            .contains(&format!("abandon {order}"))
    );

    // An hour on: given up at the gateway, closed, and everything it held is free.
    world.kit.clock.advance(Duration::minutes(45));
    assert!(matches!(
        reconcile().await.as_slice(),
        [PurchaseCompletion::Declined(_)]
    ));
    assert!(
        world
            .kit
            .gateway
            .operations()
            .contains(&format!("abandon {order}"))
    );
    let closed = world.kit.store.purchase(left.purchase.id).await.unwrap();
    assert_eq!(closed.status, PurchaseStatus::Failed);
    let now = kasa_ports::Clock::now(world.kit.clock.as_ref());
    assert_eq!(
        kasa_billing::portal_history::HistoryState::of(&closed, now),
        kasa_billing::portal_history::HistoryState::Expired
    );
    assert_eq!(redemptions().await, 0, "the coupon is free again");
    assert_eq!(world.state(request.id).await, PaymentRequestState::Open);
    let again = world
        .requests
        .start_payment(world.pay(request.id))
        .await
        .expect("the request can be paid again");
    assert_eq!(redemptions().await, 1);
    assert!(matches!(
        world.complete(&again, "approved").await,
        PurchaseCompletion::Completed(_)
    ));
    assert_eq!(world.state(request.id).await, PaymentRequestState::Paid);
    assert!(reconcile().await.is_empty(), "nothing is left pending");
}

/// A request for an amount (no package): refused with a coupon or a non-positive amount; paid
/// once under replayed callbacks, it completes and is invoiced with one line (the description,
/// the amount) and leaves what the customer holds as it was; the store keeps the amount and
/// description, and the purchase reads back the same.
///
/// # Panics
/// When the store breaks the contract.
pub async fn an_amount_request_is_paid_once_and_leaves_the_holding_alone<S>(store: Arc<S>)
where
    S: Store + PaymentRequestStore + 'static,
{
    let world = world(store).await;
    // The customer holds credits from a package request first.
    let package_request = world.ask(None).await;
    let bought = world
        .requests
        .start_payment(world.pay(package_request.id))
        .await
        .unwrap();
    assert!(matches!(
        world.complete(&bought, "approved").await,
        PurchaseCompletion::Completed(_)
    ));
    let before = world
        .kit
        .store
        .customer_state(world.customer)
        .await
        .unwrap();
    assert_eq!(
        before.holding,
        kasa_domain::Holding::Credits {
            balance: kasa_domain::Credits::new(10).unwrap()
        }
    );

    let ask = |item, coupon: Option<&str>| CreatePaymentRequest {
        customer_id: world.customer,
        item,
        description: "Kurulum ve eğitim hizmeti".to_owned(),
        valid_days: None,
        coupon_code: coupon.map(str::to_owned),
        context: agent_context("agreed on the phone"),
    };
    for (amount, coupon) in [
        ("0.00", None),
        ("1000000.01", None),
        ("250.00", Some("ANY")),
    ] {
        let refused = world
            .requests
            .draft(ask(RequestedItem::Amount(try_money(amount)), coupon))
            .await;
        assert!(
            matches!(
                refused,
                Err(CreatePaymentRequestError::InvalidAmount(_)
                    | CreatePaymentRequestError::CouponNeedsPackage)
            ),
            "{amount} {coupon:?}: {refused:?}"
        );
    }
    let draft = world
        .requests
        .draft(ask(RequestedItem::Amount(try_money("250.00")), None))
        .await
        .unwrap();
    let link = format!("https://kasa.example/billing/requests/{}", draft.id);
    let request = world.requests.send(draft, link).await.unwrap();
    assert_eq!(request.amount, try_money("250.00"));
    assert_eq!(request.package_id(), None);
    assert_eq!(
        request.item,
        kasa_ports::PurchaseItem::Amount(kasa_ports::AmountItem {
            description: "Kurulum ve eğitim hizmeti".to_owned(),
            amount: try_money("250.00"),
        })
    );
    assert_eq!(world.requests.request(request.id).await.unwrap(), request);

    let started = world
        .requests
        .start_payment(world.pay(request.id))
        .await
        .unwrap();
    assert_eq!(
        started.purchase.payment.as_ref().unwrap().amount,
        try_money("250.00")
    );
    assert!(matches!(
        world.complete(&started, "approved").await,
        PurchaseCompletion::Completed(_)
    ));
    assert!(matches!(
        world.complete(&started, "approved").await,
        PurchaseCompletion::AlreadyProcessed(_)
    ));
    assert_eq!(world.state(request.id).await, PaymentRequestState::Paid);

    let purchase = world.kit.store.purchase(started.purchase.id).await.unwrap();
    assert_eq!(purchase.status, PurchaseStatus::Completed);
    assert_eq!(purchase.item, request.item);
    let outcome = purchase.outcome.expect("completed");
    assert_eq!(
        (outcome.balance_after, outcome.term, outcome.forfeited),
        (None, None, None)
    );
    assert!(outcome.departments_enabled.is_empty());
    let after = world
        .kit
        .store
        .customer_state(world.customer)
        .await
        .unwrap();
    assert_eq!(after.holding, before.holding, "nothing held changes");
    assert_eq!(after.card, before.card);

    let invoices = world
        .kit
        .store
        .purchase_invoices(purchase.id)
        .await
        .unwrap();
    assert_eq!(invoices.len(), 1, "one invoice");
    let issued = &invoices[0].issued;
    assert_eq!(issued.total.gross, try_money("250.00"));
    let lines = issued.document["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["description"], "Kurulum ve eğitim hizmeti");
    assert_eq!(lines[0]["gross"], "250.00");
}
