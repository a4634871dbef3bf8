//! The store ports called directly: uniqueness, atomicity, versions, leases and reads, as every
//! store must give them.

use std::sync::Arc;

use kasa_domain::{
    Actor, Credits, Customer, Department, ExternalId, Holding, Language, LedgerEntryId, Package,
    PaymentId, PurchaseId, TaxDetails, UsageChargeId, UsageKey, UsageKind,
};
use kasa_ports::{
    AuditQuery, AuditRecord, BillingSettings, CaptureMode, ChargeBasis, CustomerLookup,
    GatewayName, GatewayReference, InvoiceKind, NewInvoice, NewPurchase, NewUsageCharge, OrderId,
    Payment, PaymentFailure, PaymentSettlement, PaymentStatus, PaymentSystemChange, Purchase,
    PurchaseApplication, PurchaseQuery, PurchaseStatus, PurchaseTarget, RecordedCharge, Secret,
    SetDepartment, Store, StoreError, new_id,
};
use kasa_subscriptions::{ForfeitConfirmation, PurchaseChannel, decide_purchase};
use time::Duration;

use crate::{
    TestBilling, agent_context, credit_package, customer, department, help_desk_actor,
    subscription_package,
};

struct Shop<S: Store + 'static> {
    store: Arc<S>,
    support: Department,
    sales: Department,
    ten: Package,
    monthly: Package,
    ayse: Customer,
}

async fn shop<S: Store + 'static>(store: Arc<S>) -> Shop<S> {
    let kit = TestBilling::on(store.clone());
    let support = department("Teknik Destek", 1);
    let sales = department("Satış", 0);
    let ten = credit_package("10 kredi", 10, "100.00", &[support.id]);
    let monthly = subscription_package("Aylık", 30, "250.00", &[support.id, sales.id]);
    kit.with_catalog(
        &[support.clone(), sales.clone()],
        &[ten.clone(), monthly.clone()],
    )
    .await;
    let mut ayse = customer("ayse@example.com", Language::Tr);
    ayse.external_ids = vec![ExternalId::new("zendesk", "42").unwrap()];
    kit.with_customer(&ayse).await;
    Shop {
        store,
        support,
        sales,
        ten,
        monthly,
        ayse,
    }
}

impl<S: Store + 'static> Shop<S> {
    fn new_purchase(&self, package: &Package, order: &str) -> NewPurchase {
        NewPurchase {
            id: new_id::<PurchaseId>(),
            customer_id: self.ayse.id,
            item: kasa_ports::PurchaseItem::Package(package.clone()),
            channel: PurchaseChannel::CustomerCheckout,
            forfeit_confirmation: ForfeitConfirmation::NotConfirmed,
            started_by: agent_context("checkout"),
            created_at: TestBilling::START,
            payment: Some(Payment {
                id: new_id::<PaymentId>(),
                gateway: GatewayName::new("testpay"),
                order_id: OrderId(order.to_owned()),
                amount: package.price,
                capture: CaptureMode::Immediate,
                status: PaymentStatus::Pending,
                reference: None,
                failure: None,
                card: None,
            }),
            coupon: None,
        }
    }

    /// Records a pending purchase of `package` paid by `order`.
    async fn pending(&self, package: &Package, order: &str) -> kasa_ports::Purchase {
        self.store
            .create_pending_purchase(self.new_purchase(package, order))
            .await
            .unwrap()
    }

    /// A declined payment of a pending purchase.
    fn declined(&self, purchase_id: PurchaseId, detail: &str) -> PaymentFailure {
        PaymentFailure {
            purchase_id,
            purchase_status: PurchaseStatus::Failed,
            payment_status: PaymentStatus::Declined,
            reference: None,
            detail: detail.to_owned(),
            audit: AuditRecord {
                action: "purchase.failed".to_owned(),
                subject: format!("purchase:{purchase_id}"),
                before: None,
                after: None,
            },
            context: agent_context("declined"),
            at: TestBilling::START,
        }
    }

    /// The application of a purchase decided on the customer's current state.
    async fn application(&self, target: PurchaseTarget, package: &Package) -> PurchaseApplication {
        let state = self.store.customer_state(self.ayse.id).await.unwrap();
        let decision = decide_purchase(
            package,
            &state.holding,
            TestBilling::START,
            PurchaseChannel::PaidCompletion,
            ForfeitConfirmation::Confirmed,
        )
        .unwrap();
        PurchaseApplication {
            target,
            customer_id: self.ayse.id,
            expected_version: state.version,
            decision: Some(decision),
            settlement: Some(PaymentSettlement {
                status: PaymentStatus::Captured,
                reference: Some(GatewayReference("bank-1".to_owned())),
                card: Some(kasa_ports::PaymentCard::new("visa", "4509").unwrap()),
                import: None,
            }),
            audit: AuditRecord {
                action: "purchase.completed".to_owned(),
                subject: format!("customer:{}", self.ayse.id),
                before: None,
                after: None,
            },
            forfeiture_confirmation: None,
            notifications: Vec::new(),
            invoice: None,
            context: agent_context("paid"),
            at: TestBilling::START,
        }
    }

    async fn holding(&self) -> Holding {
        self.store
            .customer_state(self.ayse.id)
            .await
            .unwrap()
            .holding
    }

    fn charge(&self, ticket: &str, credits: u32) -> NewUsageCharge {
        NewUsageCharge {
            id: new_id::<UsageChargeId>(),
            ledger_entry_id: new_id::<LedgerEntryId>(),
            customer_id: self.ayse.id,
            department_id: self.support.id,
            usage: UsageKey::new(UsageKind::Ticket, ticket).unwrap(),
            credits: Credits::from_u32(credits),
            basis: if credits == 0 {
                ChargeBasis::Free
            } else {
                ChargeBasis::Credits
            },
            actor: help_desk_actor(),
            reason: kasa_domain::Reason::new(format!("ticket {ticket}")).unwrap(),
            at: TestBilling::START,
            low_balance_threshold: kasa_domain::Credits::from_u32(10),
        }
    }

    /// The audit entries about one subject, newest first.
    async fn audit_about(&self, subject: String) -> Vec<kasa_ports::AuditEntry> {
        self.store
            .audit_entries(AuditQuery {
                subject: Some(subject),
                limit: 100,
                ..AuditQuery::default()
            })
            .await
            .unwrap()
    }

    async fn audit_count(&self) -> usize {
        self.store
            .audit_entries(AuditQuery {
                limit: 10_000,
                ..AuditQuery::default()
            })
            .await
            .unwrap()
            .len()
    }

    /// Grants the ten-credit package through a pending purchase paid by `order`.
    async fn paid_ten_credits(&self, order: &str) -> PurchaseId {
        let pending = self.pending(&self.ten, order).await;
        let target = PurchaseTarget::Pending {
            purchase_id: pending.id,
        };
        let application = self.application(target, &self.ten).await;
        self.store.apply_purchase(application).await.unwrap();
        pending.id
    }
}

/// Contract case.
pub async fn the_catalogue_round_trips_and_refuses_duplicate_names<S: Store + 'static>(
    store: Arc<S>,
) {
    let shop = shop(store).await;
    let store = &shop.store;
    assert_eq!(
        store.department(shop.support.id).await.unwrap(),
        shop.support
    );
    let names: Vec<String> = store
        .departments()
        .await
        .unwrap()
        .into_iter()
        .map(|department| department.name)
        .collect();
    assert_eq!(names, ["Satış", "Teknik Destek"]);
    assert_eq!(store.package(shop.ten.id).await.unwrap(), shop.ten);
    assert_eq!(store.package(shop.monthly.id).await.unwrap(), shop.monthly);
    assert_eq!(store.packages().await.unwrap().len(), 2);
    let described = shop.ten.clone().with_description(
        kasa_domain::PackageDescription::new("On kredi, bir yıl geçerli", "Ten credits, a year")
            .unwrap(),
    );
    store
        .save_package(
            described.clone(),
            agent_context("describe"),
            TestBilling::START,
        )
        .await
        .unwrap();
    assert_eq!(store.package(shop.ten.id).await.unwrap(), described);

    let mut cheaper = shop.support.clone();
    cheaper.credits_per_request = Credits::from_u32(3);
    store
        .save_department(
            cheaper.clone(),
            agent_context("price change"),
            TestBilling::START,
        )
        .await
        .unwrap();
    assert_eq!(store.department(shop.support.id).await.unwrap(), cheaper);
    let saved = shop
        .audit_about(format!("department:{}", shop.support.id))
        .await;
    assert_eq!(saved.len(), 2, "created, then changed");
    assert!(saved[0].record.before.is_some() && saved[1].record.before.is_none());

    let twin = department("Satış", 5);
    let refused = store
        .save_department(twin.clone(), agent_context("twin"), TestBilling::START)
        .await;
    assert!(matches!(refused, Err(StoreError::AlreadyExists { .. })));
    assert!(matches!(
        store.department(twin.id).await,
        Err(StoreError::NotFound {
            entity: kasa_ports::Entity::Department
        })
    ));
    let orphan = credit_package("Yetim", 5, "10.00", &[new_id()]);
    assert!(matches!(
        store
            .save_package(orphan.clone(), agent_context("orphan"), TestBilling::START)
            .await,
        Err(StoreError::NotFound {
            entity: kasa_ports::Entity::Department
        })
    ));
    assert!(matches!(
        store.package(orphan.id).await,
        Err(StoreError::NotFound {
            entity: kasa_ports::Entity::Package
        })
    ));
}

/// Contract case.
pub async fn customers_are_found_every_way_and_never_share_an_email_or_external_id<
    S: Store + 'static,
>(
    store: Arc<S>,
) {
    let shop = shop(store).await;
    let store = &shop.store;
    for lookup in [
        CustomerLookup::Id { id: shop.ayse.id },
        CustomerLookup::Email {
            email: shop.ayse.email.clone(),
        },
        CustomerLookup::External {
            external_id: ExternalId::new("zendesk", "42").unwrap(),
        },
    ] {
        assert_eq!(store.find_customer(lookup).await.unwrap(), shop.ayse);
    }
    let state = store.customer_state(shop.ayse.id).await.unwrap();
    assert_eq!(
        (
            state.holding,
            state.version,
            state.card.is_enabled(shop.support.id)
        ),
        (Holding::Nothing, 0, false)
    );

    let audit_before = shop.audit_count().await;
    let mut same_email = customer("AYSE@example.com", Language::En);
    same_email.external_ids = vec![ExternalId::new("zendesk", "43").unwrap()];
    let mut same_external = customer("mehmet@example.com", Language::En);
    same_external.external_ids = vec![
        ExternalId::new("stripe", "cus_1").unwrap(),
        ExternalId::new("zendesk", "42").unwrap(),
    ];
    for refused in [same_email, same_external] {
        let result = store
            .create_customer(refused.clone(), agent_context("dup"), TestBilling::START)
            .await;
        assert!(
            matches!(result, Err(StoreError::AlreadyExists { .. })),
            "{result:?}"
        );
        assert!(matches!(
            store
                .find_customer(CustomerLookup::Id { id: refused.id })
                .await,
            Err(StoreError::NotFound {
                entity: kasa_ports::Entity::Customer
            })
        ));
    }
    assert!(matches!(
        store
            .find_customer(CustomerLookup::External {
                external_id: ExternalId::new("stripe", "cus_1").unwrap(),
            })
            .await,
        Err(StoreError::NotFound {
            entity: kasa_ports::Entity::Customer
        })
    ));
    assert_eq!(
        shop.audit_count().await,
        audit_before,
        "a refused call writes no audit entry"
    );
}

/// Contract case.
pub async fn the_card_keeps_the_origin_of_each_department<S: Store + 'static>(store: Arc<S>) {
    let shop = shop(store).await;
    let store = &shop.store;
    let change = |department_id, enabled| SetDepartment {
        customer_id: shop.ayse.id,
        department_id,
        enabled,
        context: agent_context("by hand"),
        at: TestBilling::START,
    };
    let card = store
        .set_department(change(shop.sales.id, true))
        .await
        .unwrap();
    assert!(card.enablement(shop.sales.id).unwrap().by_operator);
    let purchase_id = shop.paid_ten_credits("order-card").await;
    let card = store.customer_state(shop.ayse.id).await.unwrap().card;
    let support = card.enablement(shop.support.id).unwrap();
    assert!(!support.by_operator && support.by_purchases.contains(&purchase_id));
    let card = store
        .set_department(change(shop.support.id, false))
        .await
        .unwrap();
    assert!(!card.is_enabled(shop.support.id) && card.is_enabled(shop.sales.id));
    assert!(matches!(
        store.set_department(change(new_id(), true)).await,
        Err(StoreError::NotFound {
            entity: kasa_ports::Entity::Department
        })
    ));
    let mut stranger = change(shop.sales.id, true);
    stranger.customer_id = new_id();
    assert!(matches!(
        store.set_department(stranger).await,
        Err(StoreError::NotFound {
            entity: kasa_ports::Entity::Customer
        })
    ));
}

/// Contract case.
pub async fn an_order_id_belongs_to_one_purchase_per_gateway<S: Store + 'static>(store: Arc<S>) {
    let shop = shop(store).await;
    let store = &shop.store;
    let first = shop.pending(&shop.ten, "order-1").await;
    assert_eq!(first.status, PurchaseStatus::Pending);
    let again = store
        .create_pending_purchase(shop.new_purchase(&shop.monthly, "order-1"))
        .await;
    assert!(matches!(again, Err(StoreError::AlreadyExists { .. })));
    let mut elsewhere = shop.new_purchase(&shop.ten, "order-1");
    if let Some(payment) = elsewhere.payment.as_mut() {
        payment.gateway = GatewayName::new("othergate");
    }
    store.create_pending_purchase(elsewhere).await.unwrap();

    let found = store
        .purchase_by_order(GatewayName::new("testpay"), OrderId("order-1".to_owned()))
        .await
        .unwrap();
    assert_eq!(found, first);
    assert_eq!(store.purchase(first.id).await.unwrap(), first);
    let later = TestBilling::START + Duration::minutes(1);
    assert_eq!(store.pending_purchases(later, 10).await.unwrap().len(), 2);
    assert_eq!(store.pending_purchases(later, 1).await.unwrap().len(), 1);
    assert!(
        store
            .pending_purchases(TestBilling::START, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let mut stranger = shop.new_purchase(&shop.ten, "order-2");
    stranger.customer_id = new_id();
    assert!(matches!(
        store.create_pending_purchase(stranger).await,
        Err(StoreError::NotFound {
            entity: kasa_ports::Entity::Customer
        })
    ));
}

/// Contract case.
pub async fn a_purchase_is_applied_once_and_never_on_a_stale_version<S: Store + 'static>(
    store: Arc<S>,
) {
    let shop = shop(store).await;
    let store = &shop.store;
    let pending = shop.pending(&shop.ten, "order-1").await;
    let target = PurchaseTarget::Pending {
        purchase_id: pending.id,
    };
    let mut stale = shop.application(target.clone(), &shop.ten).await;
    stale.expected_version += 1;
    assert_eq!(
        store.apply_purchase(stale).await,
        Err(StoreError::StaleVersion)
    );
    assert_eq!(shop.holding().await, Holding::Nothing);
    assert_eq!(
        store.purchase(pending.id).await.unwrap().status,
        PurchaseStatus::Pending
    );

    let application = shop.application(target, &shop.ten).await;
    let applied = store.apply_purchase(application.clone()).await.unwrap();
    assert_eq!(
        applied.holding,
        Holding::Credits {
            balance: Credits::from_u32(10)
        }
    );
    assert!(applied.card.is_enabled(shop.support.id));
    assert_eq!(applied.purchase.status, PurchaseStatus::Completed);
    let payment = applied.purchase.payment.clone().unwrap();
    assert_eq!(payment.status, PaymentStatus::Captured);
    assert_eq!(
        payment.reference,
        Some(GatewayReference("bank-1".to_owned()))
    );
    let card = payment.card.clone().expect("the settled card is kept");
    assert_eq!((card.brand(), card.last4()), ("visa", "4509"));
    assert_eq!(
        applied.purchase.outcome.as_ref().unwrap().balance_after,
        Some(Credits::from_u32(10))
    );
    assert_eq!(store.purchase(pending.id).await.unwrap(), applied.purchase);

    let mut replay = application;
    replay.expected_version = store.customer_state(shop.ayse.id).await.unwrap().version;
    assert_eq!(
        store.apply_purchase(replay).await,
        Err(StoreError::PurchaseNotPending(pending.id))
    );
    let ledger = store.ledger_entries(shop.ayse.id, 100).await.unwrap();
    assert_eq!(ledger.len(), 1, "one grant, whatever is replayed");
    let failure = shop.declined(pending.id, "late decline");
    assert_eq!(
        store.fail_purchase(failure).await,
        Err(StoreError::PurchaseNotPending(pending.id))
    );
    assert_eq!(
        store.purchase(pending.id).await.unwrap().status,
        PurchaseStatus::Completed
    );
}

/// Contract case.
pub async fn a_failed_payment_closes_its_purchase_once<S: Store + 'static>(store: Arc<S>) {
    let shop = shop(store).await;
    let store = &shop.store;
    let pending = shop.pending(&shop.ten, "order-1").await;
    let failure = PaymentFailure {
        reference: Some(GatewayReference("bank-9".to_owned())),
        ..shop.declined(pending.id, "05: do not honour")
    };
    let failed = store.fail_purchase(failure.clone()).await.unwrap();
    assert_eq!(failed.status, PurchaseStatus::Failed);
    let payment = failed.payment.unwrap();
    assert_eq!(payment.status, PaymentStatus::Declined);
    assert_eq!(payment.failure.as_deref(), Some("05: do not honour"));
    assert_eq!(
        store.fail_purchase(failure).await,
        Err(StoreError::PurchaseNotPending(pending.id))
    );
    let target = PurchaseTarget::Pending {
        purchase_id: pending.id,
    };
    let application = shop.application(target, &shop.ten).await;
    assert_eq!(
        store.apply_purchase(application).await,
        Err(StoreError::PurchaseNotPending(pending.id))
    );
    assert_eq!(shop.holding().await, Holding::Nothing);
}

/// Contract case.
pub async fn a_payment_reference_is_recorded_once_while_pending<S: Store + 'static>(store: Arc<S>) {
    let shop = shop(store).await;
    let store = &shop.store;
    let pending = shop.pending(&shop.ten, "order-1").await;
    let at = TestBilling::START;
    store
        .record_payment_reference(pending.id, GatewayReference("pi_1".to_owned()), at)
        .await
        .unwrap();
    let reference = |purchase: Purchase| purchase.payment.unwrap().reference;
    assert_eq!(
        reference(store.purchase(pending.id).await.unwrap()),
        Some(GatewayReference("pi_1".to_owned()))
    );
    // A second start cannot replace it.
    store
        .record_payment_reference(pending.id, GatewayReference("pi_2".to_owned()), at)
        .await
        .unwrap();
    assert_eq!(
        reference(store.purchase(pending.id).await.unwrap()),
        Some(GatewayReference("pi_1".to_owned()))
    );
    // A closed purchase keeps what the gateway said when it closed.
    let other = shop.pending(&shop.ten, "order-2").await;
    store
        .fail_purchase(shop.declined(other.id, "05: do not honour"))
        .await
        .unwrap();
    store
        .record_payment_reference(other.id, GatewayReference("pi_3".to_owned()), at)
        .await
        .unwrap();
    assert_eq!(reference(store.purchase(other.id).await.unwrap()), None);
    assert_eq!(
        store
            .record_payment_reference(new_id(), GatewayReference("pi_4".to_owned()), at)
            .await,
        Err(StoreError::NotFound {
            entity: kasa_ports::Entity::Purchase
        })
    );
}

/// Contract case.
pub async fn a_refused_call_leaves_no_trace<S: Store + 'static>(store: Arc<S>) {
    let shop = shop(store).await;
    let store = &shop.store;
    let audit_before = shop.audit_count().await;
    // A new purchase whose application fails half-way (stale version) is not kept either.
    let new = shop.new_purchase(&shop.ten, "order-new");
    let purchase_id = new.id;
    let mut application = shop
        .application(
            PurchaseTarget::New {
                purchase: Box::new(new),
            },
            &shop.ten,
        )
        .await;
    application.expected_version = 99;
    assert_eq!(
        store.apply_purchase(application).await,
        Err(StoreError::StaleVersion)
    );
    assert!(matches!(
        store.purchase(purchase_id).await,
        Err(StoreError::NotFound {
            entity: kasa_ports::Entity::Purchase
        })
    ));
    assert!(matches!(
        store
            .purchase_by_order(GatewayName::new("testpay"), OrderId("order-new".to_owned()))
            .await,
        Err(StoreError::NotFound {
            entity: kasa_ports::Entity::Purchase
        })
    ));
    // A charge beyond the balance records nothing.
    assert_eq!(
        store.record_charge(shop.charge("T-1", 1)).await,
        Err(StoreError::InsufficientCredits {
            balance: Credits::ZERO
        })
    );
    assert!(
        store
            .usage_charges(shop.ayse.id, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .ledger_entries(shop.ayse.id, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(shop.audit_count().await, audit_before);
    assert_eq!(store.customer_state(shop.ayse.id).await.unwrap().version, 0);
}

/// Contract case.
pub async fn a_charge_is_recorded_once_and_never_below_zero<S: Store + 'static>(store: Arc<S>) {
    let shop = shop(store).await;
    let store = &shop.store;
    shop.paid_ten_credits("order-1").await;
    let first = store.record_charge(shop.charge("T-1", 4)).await.unwrap();
    let RecordedCharge::Recorded { charge } = first else {
        panic!("expected a new charge, got {first:?}");
    };
    assert_eq!(charge.balance_after, Some(Credits::from_u32(6)));
    let again = store.record_charge(shop.charge("T-1", 4)).await.unwrap();
    assert_eq!(again, RecordedCharge::AlreadyCharged { charge });
    assert_eq!(
        store.record_charge(shop.charge("T-2", 7)).await,
        Err(StoreError::InsufficientCredits {
            balance: Credits::from_u32(6)
        })
    );
    let free = store.record_charge(shop.charge("T-3", 0)).await.unwrap();
    assert!(matches!(free, RecordedCharge::Recorded { charge } if charge.balance_after.is_none()));
    store.record_charge(shop.charge("T-4", 6)).await.unwrap();
    assert_eq!(
        shop.holding().await,
        Holding::Credits {
            balance: Credits::ZERO
        }
    );
    let ledger = store.ledger_entries(shop.ayse.id, 100).await.unwrap();
    assert_eq!(
        ledger.len(),
        3,
        "grant and two consumptions; free costs no entry"
    );
    assert_eq!(ledger.iter().map(|entry| entry.delta).sum::<i64>(), 0);
    assert_eq!(ledger[0].balance_after, Credits::ZERO, "newest first");
    let charges = store.usage_charges(shop.ayse.id, 100).await.unwrap();
    assert_eq!(charges.len(), 3);
    let context = store
        .charge_context(kasa_ports::ChargeContextQuery {
            customer: CustomerLookup::Email {
                email: shop.ayse.email.clone(),
            },
            department_id: shop.support.id,
            usage: UsageKey::new(UsageKind::Ticket, "T-1").unwrap(),
        })
        .await
        .unwrap();
    assert_eq!(context.department, shop.support);
    assert!(context.card.is_enabled(shop.support.id));
    assert_eq!(
        context.existing_charge.map(|charge| charge.credits),
        Some(Credits::from_u32(4))
    );
    let chat = UsageKey::new(UsageKind::Chat, "T-1").unwrap();
    let mut chat_charge = shop.charge("T-1", 0);
    chat_charge.usage = chat;
    assert!(matches!(
        store.record_charge(chat_charge).await,
        Ok(RecordedCharge::Recorded { .. })
    ));
}

/// Contract case.
pub async fn the_outbox_leases_retries_and_settles_messages<S: Store + 'static>(store: Arc<S>) {
    let shop = shop(store).await;
    let store = &shop.store;
    let pending = shop.pending(&shop.ten, "order-1").await;
    let mut application = shop
        .application(
            PurchaseTarget::Pending {
                purchase_id: pending.id,
            },
            &shop.ten,
        )
        .await;
    application.notifications = (0..3)
        .map(|_| kasa_ports::OutboxPayload::PurchaseNotification {
            purchase_id: pending.id,
            audience: kasa_ports::Audience::Customer,
            to: vec![shop.ayse.email.clone()],
            cc: Vec::new(),
            language: Language::Tr,
        })
        .collect();
    store.apply_purchase(application).await.unwrap();
    let now = TestBilling::START;
    let lease = now + Duration::minutes(5);
    let claimed = store.claim_due_messages(now, lease, 2).await.unwrap();
    assert_eq!(claimed.len(), 2);
    let rest = store.claim_due_messages(now, lease, 10).await.unwrap();
    assert_eq!(rest.len(), 1, "leased messages are not claimed twice");
    assert!(
        store
            .claim_due_messages(now, lease, 10)
            .await
            .unwrap()
            .is_empty()
    );
    store.mark_message_sent(claimed[0].id, now).await.unwrap();
    store
        .mark_message_failed(
            claimed[1].id,
            "421 busy".to_owned(),
            Some(now + Duration::minutes(1)),
        )
        .await
        .unwrap();
    store
        .mark_message_failed(rest[0].id, "550 no such user".to_owned(), None)
        .await
        .unwrap();
    let due = store
        .claim_due_messages(now + Duration::minutes(1), lease, 10)
        .await
        .unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(
        (due[0].id, due[0].attempts, due[0].last_error.as_deref()),
        (claimed[1].id, 1, Some("421 busy"))
    );
    let much_later = now + Duration::days(1);
    let retried = store
        .claim_due_messages(much_later, much_later, 10)
        .await
        .unwrap();
    assert_eq!(
        retried.len(),
        1,
        "sent and abandoned messages are never claimed"
    );
    let undelivered = store.outbox_messages(true, 10).await.unwrap();
    assert_eq!(undelivered.len(), 2);
    assert!(undelivered.iter().any(|message| message.abandoned));
    assert_eq!(store.outbox_messages(false, 10).await.unwrap().len(), 3);
    assert_eq!(
        store.mark_message_sent(new_id(), now).await,
        Err(StoreError::NotFound {
            entity: kasa_ports::Entity::OutboxMessage
        })
    );
    // Retry now: the abandoned message is due again at once, audited; a sent one is not retried.
    let retried_now = store
        .retry_message_now(
            rest[0].id,
            agent_context("the mail server is fixed"),
            much_later,
        )
        .await
        .unwrap();
    assert!(!retried_now.abandoned);
    assert_eq!(retried_now.next_attempt_at, much_later);
    let due = store
        .claim_due_messages(much_later, much_later + Duration::minutes(5), 10)
        .await
        .unwrap();
    assert!(due.iter().any(|message| message.id == rest[0].id));
    let audit = store
        .audit_entries(AuditQuery {
            subject: Some(format!("outbox:{}", rest[0].id)),
            action: Some("outbox.retried".to_owned()),
            before: None,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].record.before.as_ref().unwrap()["abandoned"], true);
    assert_eq!(
        store
            .retry_message_now(claimed[0].id, agent_context("again"), much_later)
            .await,
        Err(StoreError::NotFound {
            entity: kasa_ports::Entity::UndeliveredOutboxMessage
        })
    );
}

/// Contract case.
pub async fn settings_start_from_defaults_and_round_trip<S: Store + 'static>(store: Arc<S>) {
    let shop = shop(store).await;
    let store = &shop.store;
    assert_eq!(
        store.billing_settings().await.unwrap(),
        BillingSettings::default()
    );
    let settings = BillingSettings {
        billing_enabled: false,
        notification_address: Some("billing@kasa.example".parse().unwrap()),
        notification_cc: vec!["finance@kasa.example".parse().unwrap()],
        support_address: Some("support@kasa.example".parse().unwrap()),
        company_name: "Örnek Yazılım A.Ş.".to_owned(),
        invoicing: kasa_ports::InvoiceSettings {
            kind: InvoiceKind::Receipt,
            seller_tax_office: Some("Kadıköy".to_owned()),
            seller_tax_number: Some("1234567890".to_owned()),
            ..kasa_ports::InvoiceSettings::default()
        },
        four_eyes: kasa_ports::FourEyesSettings {
            thresholds: vec![crate::fixtures::try_money("50.00")],
            expires_after_minutes: 90,
        },
    };
    for _ in 0..2 {
        store
            .save_billing_settings(settings.clone(), agent_context("setup"), TestBilling::START)
            .await
            .unwrap();
    }
    assert_eq!(store.billing_settings().await.unwrap(), settings);

    // The logo is kept apart from the settings; its audit entry names format and size only.
    assert_eq!(store.logo().await.unwrap(), None);
    let logo = kasa_ports::Logo::new(b"\x89PNG\r\n\x1a\nlogo".to_vec()).unwrap();
    store
        .save_logo(
            Some(logo.clone()),
            agent_context("branding"),
            TestBilling::START,
        )
        .await
        .unwrap();
    assert_eq!(store.logo().await.unwrap(), Some(logo));
    assert_eq!(store.billing_settings().await.unwrap(), settings);
    store
        .save_logo(None, agent_context("no logo"), TestBilling::START)
        .await
        .unwrap();
    assert_eq!(store.logo().await.unwrap(), None);
    let entries = store
        .audit_entries(AuditQuery {
            subject: Some("settings:logo".to_owned()),
            limit: 10,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(
        entries[0].record.before,
        Some(serde_json::json!({ "format": "png", "bytes": 12 }))
    );
    assert_eq!(entries[0].record.after, None);
}

/// Contract case.
pub async fn the_audit_log_pages_newest_first_with_filters<S: Store + 'static>(store: Arc<S>) {
    let shop = shop(store).await;
    let store = &shop.store;
    for reason in ["first", "second", "third"] {
        let change = SetDepartment {
            customer_id: shop.ayse.id,
            department_id: shop.sales.id,
            enabled: true,
            context: agent_context(reason),
            at: TestBilling::START,
        };
        store.set_department(change).await.unwrap();
    }
    let query = AuditQuery {
        action: Some("card.department_enabled".to_owned()),
        limit: 2,
        ..AuditQuery::default()
    };
    let page = store.audit_entries(query.clone()).await.unwrap();
    let reasons: Vec<&str> = page
        .iter()
        .map(|entry| entry.context.reason.as_str())
        .collect();
    assert_eq!(reasons, ["third", "second"]);
    assert_eq!(
        page[0].context.actor,
        agent_context("x").actor,
        "the actor is kept"
    );
    assert_eq!(page[0].context.request_id.as_deref(), Some("test-request"));
    let next = store
        .audit_entries(AuditQuery {
            before: Some(page[1].id),
            ..query
        })
        .await
        .unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].context.reason.as_str(), "first");
    let about_ayse = shop.audit_about(format!("customer:{}", shop.ayse.id)).await;
    assert_eq!(about_ayse.len(), 4, "created, then enabled three times");
    assert!(matches!(about_ayse[3].context.actor, Actor::Agent { .. }));
}

/// Contract case.
pub async fn a_customer_is_updated_but_never_takes_anothers_email_or_external_id<
    S: Store + 'static,
>(
    store: Arc<S>,
) {
    let shop = shop(store).await;
    let store = &shop.store;
    let mehmet = customer("mehmet@example.com", Language::Tr);
    store
        .create_customer(mehmet.clone(), agent_context("new"), TestBilling::START)
        .await
        .unwrap();
    let mut changed = shop.ayse.clone();
    changed.name = "Ayşe Demir".to_owned();
    changed.language = Language::En;
    changed.external_ids = vec![ExternalId::new("freshdesk", "7").unwrap()];
    changed.tax_details = TaxDetails::new(
        Some("10000000146"),
        Some("Kadıköy"),
        Some("Moda Cad. 1\n34710 Kadıköy / İstanbul"),
    )
    .unwrap();
    let stale = changed.clone();
    let mut concurrent = shop.ayse.clone();
    concurrent.name = "Ayşe (another agent's edit)".to_owned();
    assert!(
        matches!(
            store
                .update_customer(
                    stale.clone(),
                    concurrent,
                    agent_context("stale read"),
                    TestBilling::START,
                )
                .await,
            Err(StoreError::StaleVersion)
        ),
        "a change made on a customer read before another edit is refused"
    );
    store
        .update_customer(
            changed.clone(),
            shop.ayse.clone(),
            agent_context("married"),
            TestBilling::START,
        )
        .await
        .unwrap();
    let found = store
        .find_customer(CustomerLookup::External {
            external_id: ExternalId::new("freshdesk", "7").unwrap(),
        })
        .await
        .unwrap();
    assert_eq!(found, changed);
    assert!(matches!(
        store
            .find_customer(CustomerLookup::External {
                external_id: ExternalId::new("zendesk", "42").unwrap(),
            })
            .await,
        Err(StoreError::NotFound { .. })
    ));
    let mut thief = mehmet.clone();
    thief.email = changed.email.clone();
    assert!(matches!(
        store
            .update_customer(
                thief,
                mehmet.clone(),
                agent_context("typo"),
                TestBilling::START
            )
            .await,
        Err(StoreError::AlreadyExists { .. })
    ));
    let mut thief = mehmet.clone();
    thief.external_ids = changed.external_ids.clone();
    assert!(matches!(
        store
            .update_customer(
                thief,
                mehmet.clone(),
                agent_context("typo"),
                TestBilling::START
            )
            .await,
        Err(StoreError::AlreadyExists { .. })
    ));
    assert_eq!(
        store
            .find_customer(CustomerLookup::Id { id: mehmet.id })
            .await
            .unwrap(),
        mehmet
    );
    let mut stranger = mehmet;
    stranger.id = new_id();
    stranger.email = "nobody@example.com".parse().unwrap();
    stranger.external_ids = Vec::new();
    assert!(matches!(
        store
            .update_customer(
                stranger.clone(),
                stranger,
                agent_context("ghost"),
                TestBilling::START,
            )
            .await,
        Err(StoreError::NotFound {
            entity: kasa_ports::Entity::Customer
        })
    ));
    let updates = shop.audit_about(format!("customer:{}", shop.ayse.id)).await;
    assert_eq!(updates[0].record.action, "customer.updated");
    assert!(updates[0].record.before.is_some());
}

/// Contract case.
pub async fn purchases_page_newest_first_with_filters<S: Store + 'static>(store: Arc<S>) {
    let shop = shop(store).await;
    let store = &shop.store;
    let first = shop.pending(&shop.ten, "order-1").await;
    let second = shop.pending(&shop.ten, "order-2").await;
    let third = shop.pending(&shop.monthly, "order-3").await;
    store
        .fail_purchase(shop.declined(second.id, "declined"))
        .await
        .unwrap();
    let ids = |purchases: Vec<kasa_ports::Purchase>| -> Vec<PurchaseId> {
        purchases.into_iter().map(|purchase| purchase.id).collect()
    };
    let all = PurchaseQuery {
        limit: 10,
        ..PurchaseQuery::default()
    };
    assert_eq!(
        ids(store.purchases(all.clone()).await.unwrap()),
        [third.id, second.id, first.id]
    );
    let pending = PurchaseQuery {
        status: Some(PurchaseStatus::Pending),
        ..all.clone()
    };
    assert_eq!(
        ids(store.purchases(pending).await.unwrap()),
        [third.id, first.id]
    );
    let page = PurchaseQuery {
        limit: 2,
        ..all.clone()
    };
    let next = PurchaseQuery {
        before: Some(second.id),
        ..page.clone()
    };
    assert_eq!(
        ids(store.purchases(page).await.unwrap()),
        [third.id, second.id]
    );
    assert_eq!(ids(store.purchases(next).await.unwrap()), [first.id]);
    let someone_else = PurchaseQuery {
        customer_id: Some(new_id()),
        ..all
    };
    assert!(store.purchases(someone_else).await.unwrap().is_empty());
}

/// Contract case.
pub async fn payment_system_credentials_are_kept_but_never_read_back<S: Store + 'static>(
    store: Arc<S>,
) {
    let shop = shop(store).await;
    let store = &shop.store;
    let gateway = GatewayName::new("nestpay");
    let configuration = |bank: &str| {
        let mut map = serde_json::Map::new();
        map.insert("bank".to_owned(), serde_json::json!(bank));
        map
    };
    let change = PaymentSystemChange {
        gateway: gateway.clone(),
        enabled: true,
        configuration: configuration("isbank"),
        credentials: [
            ("store_key".to_owned(), Secret::new("TOPSECRET-1")),
            ("api_password".to_owned(), Secret::new("TOPSECRET-2")),
        ]
        .into_iter()
        .collect(),
    };
    let saved = store
        .save_payment_system(change, agent_context("setup"), TestBilling::START)
        .await
        .unwrap();
    assert_eq!(saved.credentials_set, ["api_password", "store_key"]);
    let without_new_secrets = PaymentSystemChange {
        gateway: gateway.clone(),
        enabled: false,
        configuration: configuration("akbank"),
        credentials: [("store_key".to_owned(), Secret::new("TOPSECRET-3"))]
            .into_iter()
            .collect(),
    };
    store
        .save_payment_system(
            without_new_secrets,
            agent_context("bank change"),
            TestBilling::START,
        )
        .await
        .unwrap();
    let systems = store.payment_systems().await.unwrap();
    assert_eq!(systems.len(), 1);
    assert_eq!(
        (systems[0].enabled, systems[0].configuration["bank"].clone()),
        (false, serde_json::json!("akbank"))
    );
    let credentials = store.payment_system_credentials(gateway).await.unwrap();
    assert_eq!(credentials["store_key"].expose(), "TOPSECRET-3");
    assert_eq!(
        credentials["api_password"].expose(),
        "TOPSECRET-2",
        "kept when not sent"
    );
    let audit = shop.audit_about("payment_system:nestpay".to_owned()).await;
    assert_eq!(audit.len(), 2);
    let shown = format!("{systems:?} {audit:?} {credentials:?}");
    assert!(!shown.contains("TOPSECRET"), "a secret leaked: {shown}");
    assert!(matches!(
        store
            .payment_system_credentials(GatewayName::new("stripe"))
            .await,
        Err(StoreError::NotFound { .. })
    ));
}

fn new_invoice(
    purchase_id: PurchaseId,
    customer_id: kasa_domain::CustomerId,
    series: &str,
    year: i32,
    refers_to: Option<kasa_domain::InvoiceId>,
) -> NewInvoice {
    let price = crate::try_money("120.00");
    let total = kasa_domain::TaxedAmount::of(
        price,
        kasa_domain::TaxRate::new(rust_decimal::Decimal::from(20)).unwrap(),
        kasa_domain::PriceBasis::TaxInclusive,
    )
    .unwrap();
    NewInvoice {
        id: new_id(),
        kind: if refers_to.is_some() {
            InvoiceKind::CreditNote
        } else {
            InvoiceKind::Invoice
        },
        series: series.to_owned(),
        purchase_id,
        customer_id,
        issued_at: time::Date::from_calendar_date(year, time::Month::March, 1)
            .unwrap()
            .midnight()
            .assume_utc(),
        total,
        document: serde_json::json!({ "lines": [{ "description": "10 kredi" }] }),
        refers_to,
    }
}

/// Contract case.
pub async fn invoices_are_numbered_without_gaps_per_series_and_year<S: Store + 'static>(
    store: Arc<S>,
) {
    let shop = shop(store).await;
    let store = &shop.store;
    let purchase = shop.pending(&shop.ten, "order-1").await;
    let issue = |series: &str, year: i32, refers_to| {
        store.issue_invoice(new_invoice(
            purchase.id,
            shop.ayse.id,
            series,
            year,
            refers_to,
        ))
    };
    let first = issue("KSA", 2026, None).await.unwrap();
    assert_eq!(first.number.to_string(), "KSA-2026-000001");
    assert_eq!(issue("KSA", 2026, None).await.unwrap().number.sequence, 2);
    // A failed issue takes no number.
    let mut orphan = new_invoice(new_id(), shop.ayse.id, "KSA", 2026, None);
    assert!(matches!(
        store.issue_invoice(orphan.clone()).await,
        Err(StoreError::NotFound {
            entity: kasa_ports::Entity::Purchase
        })
    ));
    orphan.purchase_id = purchase.id;
    orphan.id = first.issued.id;
    assert!(matches!(
        store.issue_invoice(orphan).await,
        Err(StoreError::AlreadyExists { .. })
    ));
    assert!(matches!(
        issue("KSA-CN", 2026, Some(new_id())).await,
        Err(StoreError::NotFound {
            entity: kasa_ports::Entity::Invoice
        })
    ));
    assert_eq!(issue("KSA", 2026, None).await.unwrap().number.sequence, 3);
    // Each year and each series counts on its own.
    assert_eq!(issue("KSA", 2027, None).await.unwrap().number.sequence, 1);
    let credit_note = issue("KSA-CN", 2026, Some(first.issued.id)).await.unwrap();
    assert_eq!(credit_note.number.to_string(), "KSA-CN-2026-000001");
    let all = store.purchase_invoices(purchase.id).await.unwrap();
    assert_eq!(all.len(), 5);
    assert!(all.contains(&first) && all.contains(&credit_note));
    assert_eq!(
        all.iter()
            .find(|invoice| invoice.issued.id == first.issued.id)
            .unwrap()
            .issued
            .total,
        first.issued.total
    );
    let latest: Vec<String> = store
        .customer_invoices(shop.ayse.id, 3)
        .await
        .unwrap()
        .iter()
        .map(|invoice| invoice.number.to_string())
        .collect();
    assert_eq!(
        latest,
        ["KSA-2027-000001", "KSA-CN-2026-000001", "KSA-2026-000003"],
        "a customer's documents, newest first"
    );
    assert!(
        store
            .customer_invoices(new_id(), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Contract case.
pub async fn concurrent_invoices_take_consecutive_numbers<S: Store + 'static>(store: Arc<S>) {
    let shop = shop(store).await;
    let purchase = shop.pending(&shop.ten, "order-1").await;
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let store = shop.store.clone();
        let invoice = new_invoice(purchase.id, shop.ayse.id, "KSA", 2026, None);
        tasks.push(tokio::spawn(
            async move { store.issue_invoice(invoice).await },
        ));
    }
    let mut sequences = Vec::new();
    for task in tasks {
        sequences.push(task.await.unwrap().unwrap().number.sequence);
    }
    sequences.sort_unstable();
    assert_eq!(sequences, (1..=32).collect::<Vec<u32>>());
}

/// Contract case.
pub async fn customers_are_searched_by_email_name_external_id_and_ticket<S: Store + 'static>(
    store: Arc<S>,
) {
    use kasa_ports::CustomerSearch;
    let shop = shop(store).await;
    let store = &shop.store;
    let kit = TestBilling::on(store.clone());
    let mut others = Vec::new();
    for (email, name, external) in [
        ("bora@example.com", "Bora Kaya", "zendesk:77"),
        ("cem@example.com", "Cem Ak_su", "freshdesk:42"),
        ("deniz@example.com", "Deniz 100% Yılmaz", "zendesk:90"),
    ] {
        let mut other = customer(email, Language::En);
        other.name = name.to_owned();
        let (system, value) = external.split_once(':').unwrap();
        other.external_ids = vec![ExternalId::new(system, value).unwrap()];
        kit.with_customer(&other).await;
        others.push(other);
    }
    store.record_charge(shop.charge("T-5501", 0)).await.unwrap();
    let emails = |text: &str, offset: u64, limit: u32| {
        let search = CustomerSearch {
            text: text.to_owned(),
            offset,
            limit,
        };
        async move {
            store
                .search_customers(search)
                .await
                .unwrap()
                .into_iter()
                .map(|customer| customer.email.to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(emails("AYSE@EXAMPLE", 0, 25).await, ["ayse@example.com"]);
    assert_eq!(emails("bora kaya", 0, 25).await, ["bora@example.com"]);
    assert_eq!(emails("kay", 0, 25).await, ["bora@example.com"]);
    assert_eq!(
        emails("42", 0, 25).await,
        ["ayse@example.com", "cem@example.com"],
        "an external id without its system, in any system, by e-mail"
    );
    assert_eq!(emails("zendesk:42", 0, 25).await, ["ayse@example.com"]);
    assert_eq!(emails(" freshdesk:42 ", 0, 25).await, ["cem@example.com"]);
    assert_eq!(emails("zendesk:4", 0, 25).await, Vec::<String>::new());
    assert_eq!(emails("T-5501", 0, 25).await, ["ayse@example.com"]);
    assert_eq!(emails("T-55", 0, 25).await, Vec::<String>::new());
    assert_eq!(
        emails(&shop.ayse.id.to_string(), 0, 25).await,
        ["ayse@example.com"]
    );
    assert_eq!(
        emails("_", 0, 25).await,
        ["cem@example.com"],
        "`_` is literal"
    );
    assert_eq!(
        emails("0%", 0, 25).await,
        ["deniz@example.com"],
        "`%` is literal"
    );
    assert_eq!(emails("   ", 0, 25).await, Vec::<String>::new());
    assert_eq!(
        emails("example.com", 0, 25).await,
        [
            "ayse@example.com",
            "bora@example.com",
            "cem@example.com",
            "deniz@example.com"
        ]
    );
    assert_eq!(
        emails("example.com", 1, 2).await,
        ["bora@example.com", "cem@example.com"],
        "pages skip and take in the same order"
    );
    assert_eq!(emails("example.com", 4, 2).await, Vec::<String>::new());
    let found = store
        .search_customers(CustomerSearch {
            text: "zendesk:77".to_owned(),
            offset: 0,
            limit: 25,
        })
        .await
        .unwrap();
    assert_eq!(
        found,
        [others[0].clone()],
        "whole customers, external ids included"
    );
}

/// Contract case.
pub async fn the_ledger_pages_newest_first<S: Store + 'static>(store: Arc<S>) {
    let shop = shop(store).await;
    let store = &shop.store;
    assert!(
        store
            .ledger_page(shop.ayse.id, 0, 25)
            .await
            .unwrap()
            .is_empty()
    );
    shop.paid_ten_credits("order-1").await;
    for ticket in ["T-1", "T-2", "T-3", "T-4"] {
        store.record_charge(shop.charge(ticket, 1)).await.unwrap();
    }
    let all = store.ledger_entries(shop.ayse.id, 100).await.unwrap();
    assert_eq!(all.len(), 5);
    let mut paged = Vec::new();
    for offset in [0, 2, 4] {
        paged.extend(store.ledger_page(shop.ayse.id, offset, 2).await.unwrap());
    }
    assert_eq!(paged, all);
    assert!(
        store
            .ledger_page(shop.ayse.id, 5, 2)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Contract case.
pub async fn the_dashboard_counts_todays_purchases_and_lists_ending_subscriptions<
    S: Store + 'static,
>(
    store: Arc<S>,
) {
    let shop = shop(store).await;
    let store = &shop.store;
    let start = TestBilling::START;
    let query = |since: time::OffsetDateTime| kasa_ports::DashboardQuery {
        since,
        ran_out_since: since,
        now: start,
        ending_before: start + Duration::days(31),
        limit: 10,
    };
    let empty = store
        .dashboard_figures(query(start - Duration::hours(1)))
        .await
        .unwrap();
    assert_eq!(empty, kasa_ports::DashboardFigures::default());

    let buy = async |package: &Package, order: &str| {
        let pending = shop.pending(package, order).await;
        let application = shop
            .application(
                PurchaseTarget::Pending {
                    purchase_id: pending.id,
                },
                package,
            )
            .await;
        store.apply_purchase(application).await.unwrap();
    };
    // Ten credits for 100.00, all taken back by an agent: they ran out.
    buy(&shop.ten, "order-1").await;
    let emptied_at = start + Duration::minutes(1);
    store
        .adjust_credits(kasa_ports::AdjustCredits {
            customer_id: shop.ayse.id,
            expected_version: store.customer_state(shop.ayse.id).await.unwrap().version,
            ledger_entry_id: new_id(),
            delta: -10,
            audit: AuditRecord {
                action: "credits.adjusted".to_owned(),
                subject: format!("customer:{}", shop.ayse.id),
                before: None,
                after: None,
            },
            context: agent_context("wrong package"),
            at: emptied_at,
        })
        .await
        .unwrap();
    let figures = store
        .dashboard_figures(query(start - Duration::hours(1)))
        .await
        .unwrap();
    assert_eq!(figures.purchases.len(), 1);
    assert_eq!(figures.purchases[0].count, 1);
    assert_eq!(figures.ran_out.len(), 1, "{figures:?}");
    assert_eq!(
        (figures.ran_out[0].id, figures.ran_out[0].at),
        (shop.ayse.id, emptied_at)
    );
    let ran_out_before = store
        .dashboard_figures(kasa_ports::DashboardQuery {
            ran_out_since: emptied_at + Duration::minutes(1),
            ..query(start - Duration::hours(1))
        })
        .await
        .unwrap();
    assert!(ran_out_before.ran_out.is_empty());

    // Then the monthly subscription for 250.00.
    buy(&shop.monthly, "order-2").await;
    let figures = store
        .dashboard_figures(query(start - Duration::hours(1)))
        .await
        .unwrap();
    assert_eq!(
        figures.purchases,
        vec![kasa_ports::CurrencyTally {
            count: 2,
            total: shop.ten.price.checked_add(&shop.monthly.price).unwrap(),
        }]
    );
    assert!(figures.refunds.is_empty());
    assert!(
        figures.ran_out.is_empty(),
        "a customer with a subscription is not out of credits"
    );
    assert_eq!(figures.ending.len(), 1, "{figures:?}");
    assert_eq!(figures.ending[0].id, shop.ayse.id);
    assert_eq!(figures.ending[0].email, shop.ayse.email);
    assert!(figures.ending[0].at > start);

    // Counted from a later moment: nothing today; the subscription ends after the window.
    let later = store
        .dashboard_figures(kasa_ports::DashboardQuery {
            ending_before: start + Duration::days(1),
            ..query(start + Duration::hours(1))
        })
        .await
        .unwrap();
    assert!(later.purchases.is_empty());
    assert!(later.ending.is_empty());
}
