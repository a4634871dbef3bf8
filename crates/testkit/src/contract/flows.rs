//! The use cases' longer flows, over any store: what the billing rules need the store to do.

use std::sync::Arc;

use crate::{
    TestBilling, agent_context, credit_package, customer, department, help_desk_actor,
    subscription_package,
};
use kasa_billing::{
    ActOnPayment, AdjustCreditsError, ChargeOutcome, ChargeUsage, GrantPackage, GrantPackageError,
    PaymentActionDone, PaymentActionError, PurchaseCompletion, RequestedAction, StartPurchase,
    StartRecurring, StartRecurringError, StartedPurchase, WebhookError, WebhookOutcome,
};
use kasa_credits::{ChargeRefusal, LedgerEntry, LedgerEntryKind};
use kasa_domain::{
    Credits, Customer, Department, Holding, Language, Package, UsageKey, UsageKind, days,
};
use kasa_ports::{
    ActionContext, Audience, AuditQuery, BillingSettings, CaptureMode, CustomerLookup,
    EmailMessage, GatewayError, GatewayName, GatewayReference, MailError, OrderId, OutboxMessage,
    OutboxPayload, PaymentResultStatus, PaymentStatus, PurchaseStatus, RecurringState, Store,
};
use kasa_subscriptions::{CancellationTiming, ForfeitConfirmation, Forfeiture, PurchaseRefusal};

struct World<S: Store + 'static> {
    kit: TestBilling<S>,
    support: Department,
    sales: Department,
    free: Department,
    small: Package,
    large: Package,
    monthly: Package,
    ayse: Customer,
}

async fn world<S: Store + 'static>(store: Arc<S>) -> World<S> {
    let kit = TestBilling::on(store);
    let support = department("Teknik Destek", 2);
    let sales = department("Satış", 1);
    let free = department("Genel", 0);
    let small = credit_package("10 kredi", 10, "100.00", &[support.id]);
    let large = credit_package("50 kredi", 50, "400.00", &[support.id, sales.id]);
    let monthly = subscription_package("Aylık", 30, "250.00", &[support.id, sales.id]);
    kit.with_catalog(
        &[support.clone(), sales.clone(), free.clone()],
        &[small.clone(), large.clone(), monthly.clone()],
    )
    .await;
    let ayse = customer("ayse@example.com", Language::Tr);
    kit.with_customer(&ayse).await;
    kit.store
        .save_billing_settings(
            BillingSettings {
                notification_address: Some("billing@kasa.example".parse().unwrap()),
                notification_cc: vec![
                    "finance@kasa.example".parse().unwrap(),
                    "boss@kasa.example".parse().unwrap(),
                ],
                support_address: Some("support@kasa.example".parse().unwrap()),
                ..BillingSettings::default()
            },
            agent_context("setup"),
            TestBilling::START,
        )
        .await
        .unwrap();
    World {
        kit,
        support,
        sales,
        free,
        small,
        large,
        monthly,
        ayse,
    }
}

fn customer_context(customer: &Customer) -> ActionContext {
    ActionContext {
        actor: kasa_domain::Actor::Customer {
            customer_id: customer.id,
        },
        reason: kasa_domain::Reason::new("checkout").unwrap(),
        request_id: None,
        idempotency: None,
    }
}

impl<S: Store + 'static> World<S> {
    async fn start(
        &self,
        package: &Package,
        confirmation: ForfeitConfirmation,
    ) -> Result<StartedPurchase, kasa_billing::StartPurchaseError> {
        self.kit
            .billing
            .start_purchase(StartPurchase {
                coupon_code: None,
                customer_id: self.ayse.id,
                package_id: package.id,
                gateway: GatewayName::new("testpay"),
                confirmation,
                capture: CaptureMode::Immediate,
                success_url: "https://kasa.example/ok".to_owned(),
                failure_url: "https://kasa.example/fail".to_owned(),
                context: customer_context(&self.ayse),
            })
            .await
    }

    async fn pay(
        &self,
        package: &Package,
        confirmation: ForfeitConfirmation,
    ) -> PurchaseCompletion {
        let started = self
            .start(package, confirmation)
            .await
            .expect("purchase starts");
        let order = order_of(&started);
        let callback =
            self.kit
                .gateway
                .callback(&order, "approved", &package.price.amount().to_string());
        self.kit
            .billing
            .complete_purchase(&GatewayName::new("testpay"), callback, None)
            .await
            .expect("callback accepted")
    }

    async fn complete(
        &self,
        started: &StartedPurchase,
        status: &str,
        amount: &str,
    ) -> PurchaseCompletion {
        let callback = self
            .kit
            .gateway
            .callback(&order_of(started), status, amount);
        self.kit
            .billing
            .complete_purchase(&GatewayName::new("testpay"), callback, None)
            .await
            .expect("callback accepted")
    }

    /// An agent cancels Ayşe's subscription now, with a prorated refund, without a role limit.
    async fn cancel_now_with_prorated_refund(&self) -> kasa_billing::CancelledSubscription {
        self.kit
            .billing
            .cancel_subscription(
                self.ayse.id,
                CancellationTiming::Now,
                true,
                Vec::new(),
                agent_context("customer asked"),
            )
            .await
            .unwrap()
    }

    async fn enable_by_hand(&self, department: &Department, reason: &str) {
        let change = kasa_ports::SetDepartment {
            customer_id: self.ayse.id,
            department_id: department.id,
            enabled: true,
            context: agent_context(reason),
            at: TestBilling::START,
        };
        self.kit
            .store
            .set_department(change)
            .await
            .expect("department enabled");
    }

    async fn holding(&self) -> Holding {
        self.kit
            .store
            .customer_state(self.ayse.id)
            .await
            .unwrap()
            .holding
    }

    async fn balance(&self) -> Credits {
        match self.holding().await {
            Holding::Credits { balance } => balance,
            other => panic!("expected credits, got {other:?}"),
        }
    }

    async fn charge(&self, department: &Department, ticket: &str) -> ChargeOutcome {
        self.kit
            .billing
            .charge_usage(ChargeUsage {
                customer: CustomerLookup::Email {
                    email: self.ayse.email.clone(),
                },
                department_id: department.id,
                usage: UsageKey::new(UsageKind::Ticket, ticket).unwrap(),
                actor: help_desk_actor(),
            })
            .await
            .expect("charge decided")
    }

    async fn grant(
        &self,
        package: &Package,
        confirmation: ForfeitConfirmation,
    ) -> Result<kasa_ports::AppliedPurchase, GrantPackageError> {
        self.kit
            .billing
            .grant_package(GrantPackage {
                customer_id: self.ayse.id,
                package_id: package.id,
                confirmation,
                charged: false,
                context: agent_context("goodwill"),
            })
            .await
    }

    /// The customer's ledger, oldest first.
    async fn ledger(&self) -> Vec<LedgerEntry> {
        let mut entries = self
            .kit
            .store
            .ledger_entries(self.ayse.id, 1000)
            .await
            .unwrap();
        entries.reverse();
        entries
    }

    async fn outbox(&self) -> Vec<OutboxMessage> {
        self.kit.store.outbox_messages(false, 1000).await.unwrap()
    }

    async fn audit_actions(&self) -> Vec<String> {
        let mut entries = self
            .kit
            .store
            .audit_entries(AuditQuery {
                limit: 1000,
                ..AuditQuery::default()
            })
            .await
            .unwrap();
        entries.reverse();
        entries
            .into_iter()
            .map(|entry| entry.record.action)
            .collect()
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
pub async fn a_paid_credit_package_is_granted_once_whatever_arrives_how_often<
    S: Store + 'static,
>(
    store: Arc<S>,
) {
    let world = world(store).await;
    let started = world
        .start(&world.small, ForfeitConfirmation::NotConfirmed)
        .await
        .unwrap();
    assert_eq!(started.purchase.status, PurchaseStatus::Pending);
    let order = order_of(&started);
    let callback = world.kit.gateway.callback(&order, "approved", "100.00");
    let gateway = GatewayName::new("testpay");

    let first = world
        .kit
        .billing
        .complete_purchase(&gateway, callback.clone(), None)
        .await
        .unwrap();
    let again = world
        .kit
        .billing
        .complete_purchase(&gateway, callback, None)
        .await
        .unwrap();

    let PurchaseCompletion::Completed(applied) = first else {
        panic!("first callback completes: {first:?}")
    };
    assert_eq!(
        applied.purchase.outcome.as_ref().unwrap().balance_after,
        Some(Credits::from_u32(10))
    );
    assert!(
        matches!(again, PurchaseCompletion::AlreadyProcessed(_)),
        "{again:?}"
    );
    assert_eq!(world.balance().await, Credits::from_u32(10));
    let grants = world
        .ledger()
        .await
        .iter()
        .filter(|e| e.kind == LedgerEntryKind::Granted)
        .count();
    assert_eq!(grants, 1);
    let card = world
        .kit
        .store
        .customer_state(world.ayse.id)
        .await
        .unwrap()
        .card;
    assert!(
        card.is_enabled(world.support.id),
        "buying enables the package's departments"
    );
    assert!(!card.is_enabled(world.sales.id));
    assert_eq!(
        world
            .audit_actions()
            .await
            .iter()
            .filter(|a| *a == "purchase.completed")
            .count(),
        1
    );
    assert_eq!(
        world.outbox().await.len(),
        2,
        "one operator and one customer notification"
    );
}

/// Contract case.
pub async fn a_tampered_or_unknown_callback_changes_nothing<S: Store + 'static>(store: Arc<S>) {
    let world = world(store).await;
    let started = world
        .start(&world.small, ForfeitConfirmation::NotConfirmed)
        .await
        .unwrap();
    let order = order_of(&started);
    let gateway = GatewayName::new("testpay");
    let mut tampered = world.kit.gateway.callback(&order, "approved", "100.00");
    tampered.fields[2].1 = "1.00".to_owned();
    let forged = world
        .kit
        .billing
        .complete_purchase(&gateway, tampered, None)
        .await;
    assert!(matches!(
        forged,
        Err(kasa_billing::CompletePurchaseError::Gateway(
            kasa_ports::GatewayError::InvalidSignature
        ))
    ));
    let unknown = world
        .kit
        .gateway
        .callback(&OrderId("nope".to_owned()), "approved", "100.00");
    let unknown = world
        .kit
        .billing
        .complete_purchase(&gateway, unknown, None)
        .await;
    assert!(matches!(
        unknown,
        Err(kasa_billing::CompletePurchaseError::UnknownOrder(_))
    ));
    assert_eq!(world.holding().await, Holding::Nothing);
    assert_eq!(
        world
            .kit
            .store
            .purchase(started.purchase.id)
            .await
            .unwrap()
            .status,
        PurchaseStatus::Pending
    );
}

/// Contract case.
pub async fn a_declined_payment_grants_nothing_and_a_late_approval_cannot_undo_it<
    S: Store + 'static,
>(
    store: Arc<S>,
) {
    let world = world(store).await;
    let started = world
        .start(&world.small, ForfeitConfirmation::NotConfirmed)
        .await
        .unwrap();
    let order = order_of(&started);
    let gateway = GatewayName::new("testpay");
    let declined = world.kit.gateway.callback(&order, "declined", "100.00");
    let outcome = world
        .kit
        .billing
        .complete_purchase(&gateway, declined, None)
        .await
        .unwrap();
    assert!(
        matches!(outcome, PurchaseCompletion::Declined(_)),
        "{outcome:?}"
    );
    let approved = world.kit.gateway.callback(&order, "approved", "100.00");
    let late = world
        .kit
        .billing
        .complete_purchase(&gateway, approved, None)
        .await
        .unwrap();
    assert!(matches!(late, PurchaseCompletion::AlreadyProcessed(_)));
    assert_eq!(world.holding().await, Holding::Nothing);
    assert!(
        world
            .audit_actions()
            .await
            .contains(&"purchase.failed".to_owned())
    );
}

/// Contract case.
pub async fn tickets_cost_once_per_ticket_and_a_refusal_names_balance_price_and_packages<
    S: Store + 'static,
>(
    store: Arc<S>,
) {
    let world = world(store).await;
    world
        .pay(&world.small, ForfeitConfirmation::NotConfirmed)
        .await;

    for reply in 0..3 {
        let outcome = world.charge(&world.support, "T-1").await;
        let ChargeOutcome::Allowed { charge, repeated } = outcome else {
            panic!("allowed")
        };
        assert_eq!(repeated, reply > 0, "replies and re-deliveries are repeats");
        assert_eq!(charge.credits, Credits::from_u32(2));
    }
    assert_eq!(world.balance().await, Credits::from_u32(8));
    for ticket in ["T-2", "T-3", "T-4", "T-5"] {
        assert!(matches!(
            world.charge(&world.support, ticket).await,
            ChargeOutcome::Allowed {
                repeated: false,
                ..
            }
        ));
    }
    assert_eq!(world.balance().await, Credits::ZERO);

    let ChargeOutcome::Refused {
        refusal,
        balance,
        price,
        covering_packages,
    } = world.charge(&world.support, "T-6").await
    else {
        panic!("refused when the balance is too low")
    };
    assert_eq!((balance, price), (Credits::ZERO, Credits::from_u32(2)));
    assert_eq!(
        refusal,
        ChargeRefusal::InsufficientCredits {
            balance: Credits::ZERO,
            price: Credits::from_u32(2)
        }
    );
    let names: Vec<_> = covering_packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["10 kredi", "Aylık", "50 kredi"], "cheapest first");

    let not_enabled = world.charge(&world.sales, "T-7").await;
    assert!(
        matches!(
            not_enabled,
            ChargeOutcome::Refused {
                refusal: ChargeRefusal::DepartmentNotEnabled,
                balance: Credits::ZERO,
                price,
                ..
            } if price == Credits::from_u32(1)
        ),
        "every refusal names the balance and the price: {not_enabled:?}"
    );
    let consumed = world
        .ledger()
        .await
        .iter()
        .filter(|e| e.kind == LedgerEntryKind::Consumed)
        .count();
    assert_eq!(consumed, 5);
}

/// Contract case.
pub async fn a_free_department_costs_nothing_once_enabled<S: Store + 'static>(store: Arc<S>) {
    let world = world(store).await;
    assert!(matches!(
        world.charge(&world.free, "F-1").await,
        ChargeOutcome::Refused {
            refusal: ChargeRefusal::DepartmentNotEnabled,
            ..
        }
    ));
    world.enable_by_hand(&world.free, "open to everyone").await;
    let ChargeOutcome::Allowed { charge, .. } = world.charge(&world.free, "F-1").await else {
        panic!("free")
    };
    assert_eq!(charge.basis, kasa_ports::ChargeBasis::Free);
    assert_eq!(world.holding().await, Holding::Nothing);
}

/// Contract case.
pub async fn subscriptions_renew_only_inside_the_window_and_never_lose_a_day<S: Store + 'static>(
    store: Arc<S>,
) {
    let world = world(store).await;
    let first = world
        .grant(&world.monthly, ForfeitConfirmation::NotConfirmed)
        .await
        .unwrap();
    let first_end = TestBilling::START + days(30);
    assert_eq!(
        first.purchase.outcome.unwrap().term,
        Some((TestBilling::START, first_end))
    );
    assert!(matches!(
        world.charge(&world.sales, "S-1").await,
        ChargeOutcome::Allowed { .. }
    ));

    let second = world
        .grant(&world.monthly, ForfeitConfirmation::NotConfirmed)
        .await
        .unwrap();
    assert_eq!(
        second.purchase.outcome.unwrap().term,
        Some((first_end, first_end + days(30))),
        "exactly 30 days left is inside the window; the new term starts at the old end"
    );

    let early = world
        .grant(&world.monthly, ForfeitConfirmation::NotConfirmed)
        .await;
    let Err(GrantPackageError::Refused(PurchaseRefusal::RenewalTooEarly { ends_at, opens_at })) =
        early
    else {
        panic!("{early:?}")
    };
    assert_eq!(
        (ends_at, opens_at),
        (TestBilling::START + days(60), TestBilling::START + days(30))
    );
    let refused_checkout = world
        .start(&world.monthly, ForfeitConfirmation::NotConfirmed)
        .await;
    assert!(matches!(
        refused_checkout,
        Err(kasa_billing::StartPurchaseError::Refused(
            PurchaseRefusal::RenewalTooEarly { .. }
        ))
    ));

    world.kit.clock.advance(days(30));
    let third = world
        .grant(&world.monthly, ForfeitConfirmation::NotConfirmed)
        .await
        .unwrap();
    assert_eq!(
        third.purchase.outcome.unwrap().term,
        Some((TestBilling::START + days(60), TestBilling::START + days(90)))
    );
    let Holding::Subscription(subscription) = world.holding().await else {
        panic!()
    };
    assert_eq!(subscription.ends_at(), TestBilling::START + days(90));
    assert_eq!(subscription.terms().len(), 3);
}

/// Contract case.
pub async fn switching_kinds_needs_confirmation_and_records_the_forfeiture<S: Store + 'static>(
    store: Arc<S>,
) {
    let world = world(store).await;
    world
        .pay(&world.small, ForfeitConfirmation::NotConfirmed)
        .await;
    world.charge(&world.support, "T-1").await;

    let refused = world
        .start(&world.monthly, ForfeitConfirmation::NotConfirmed)
        .await;
    let Err(kasa_billing::StartPurchaseError::Refused(PurchaseRefusal::ForfeitNotConfirmed {
        forfeiture,
    })) = refused
    else {
        panic!("{refused:?}")
    };
    assert_eq!(
        forfeiture,
        Forfeiture::Credits {
            credits: Credits::from_u32(8)
        }
    );
    assert_eq!(
        world.balance().await,
        Credits::from_u32(8),
        "nothing forfeited by a refusal"
    );

    let completion = world
        .pay(&world.monthly, ForfeitConfirmation::Confirmed)
        .await;
    let PurchaseCompletion::Completed(applied) = completion else {
        panic!("{completion:?}")
    };
    assert_eq!(
        applied.purchase.outcome.unwrap().forfeited,
        Some(Forfeiture::Credits {
            credits: Credits::from_u32(8)
        })
    );
    assert!(matches!(world.holding().await, Holding::Subscription(_)));
    let last = world.ledger().await.into_iter().last().unwrap();
    assert_eq!(
        (last.kind, last.delta, last.balance_after),
        (LedgerEntryKind::Forfeited, -8, Credits::ZERO)
    );
    assert_eq!(
        last.actor,
        kasa_domain::Actor::System {
            job: "testpay-callback".to_owned()
        }
    );
    // The bank's callback completed it, but the customer confirmed the forfeiture: the audit
    // log says so in the customer's name.
    let confirmations = world
        .kit
        .store
        .audit_entries(AuditQuery {
            subject: None,
            action: Some("purchase.forfeiture_confirmed".to_owned()),
            before: None,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(confirmations.len(), 1, "{confirmations:?}");
    assert_eq!(
        confirmations[0].context.actor,
        kasa_domain::Actor::Customer {
            customer_id: world.ayse.id
        }
    );
    assert_eq!(
        confirmations[0].record.after.as_ref().unwrap()["forfeiture"]["credits"],
        8
    );
}

/// Contract case.
pub async fn a_paid_purchase_that_would_forfeit_without_confirmation_waits_for_an_agent<
    S: Store + 'static,
>(
    store: Arc<S>,
) {
    let world = world(store).await;
    let started = world
        .start(&world.monthly, ForfeitConfirmation::NotConfirmed)
        .await
        .unwrap();
    world
        .grant(&world.small, ForfeitConfirmation::NotConfirmed)
        .await
        .unwrap();
    let outcome = world.complete(&started, "approved", "250.00").await;
    let PurchaseCompletion::NeedsAttention(purchase) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(purchase.status, PurchaseStatus::NeedsAttention);
    assert_eq!(
        world.balance().await,
        Credits::from_u32(10),
        "the credits are not silently forfeited"
    );
}

/// Contract case.
pub async fn an_amount_mismatch_is_held_for_an_agent<S: Store + 'static>(store: Arc<S>) {
    let world = world(store).await;
    let started = world
        .start(&world.small, ForfeitConfirmation::NotConfirmed)
        .await
        .unwrap();
    let outcome = world.complete(&started, "approved", "1.00").await;
    assert!(
        matches!(outcome, PurchaseCompletion::NeedsAttention(_)),
        "{outcome:?}"
    );
    assert_eq!(world.holding().await, Holding::Nothing);
}

/// Contract case.
pub async fn ended_terms_release_their_departments_but_not_those_enabled_by_hand<
    S: Store + 'static,
>(
    store: Arc<S>,
) {
    let world = world(store).await;
    world.enable_by_hand(&world.sales, "VIP").await;
    world
        .grant(&world.monthly, ForfeitConfirmation::NotConfirmed)
        .await
        .unwrap();
    world.kit.clock.advance(days(29));
    assert_eq!(
        world
            .kit
            .billing
            .end_expired_subscriptions(100)
            .await
            .unwrap()
            .terms_ended,
        0
    );
    world.kit.clock.advance(days(1));
    assert!(matches!(
        world.charge(&world.support, "late").await,
        ChargeOutcome::Refused {
            refusal: ChargeRefusal::SubscriptionExpired { .. },
            ..
        }
    ));

    let report = world
        .kit
        .billing
        .end_expired_subscriptions(100)
        .await
        .unwrap();

    assert_eq!((report.customers, report.terms_ended), (1, 1));
    let state = world.kit.store.customer_state(world.ayse.id).await.unwrap();
    assert_eq!(state.holding, Holding::Nothing);
    assert!(!state.card.is_enabled(world.support.id));
    assert!(
        state.card.is_enabled(world.sales.id),
        "enabled by hand stays"
    );
    assert!(
        world
            .audit_actions()
            .await
            .contains(&"subscription.terms_ended".to_owned())
    );
    assert_eq!(
        world
            .kit
            .billing
            .end_expired_subscriptions(100)
            .await
            .unwrap()
            .customers,
        0
    );
}

/// Contract case.
pub async fn cancelling_now_releases_departments_and_prices_the_unused_time<S: Store + 'static>(
    store: Arc<S>,
) {
    let world = world(store).await;
    world
        .pay(&world.monthly, ForfeitConfirmation::NotConfirmed)
        .await;
    world.kit.clock.advance(days(10) + time::Duration::hours(1));
    let cancelled = world.cancel_now_with_prorated_refund().await;
    assert_eq!(cancelled.holding, Holding::Nothing);
    assert_eq!(cancelled.prorated_refunds.len(), 1);
    assert_eq!(
        cancelled.prorated_refunds[0].1.amount().to_string(),
        "158.33",
        "19 of 30 days of 250.00"
    );
    // The refund is made, through the payment's gateway, with its credit note.
    assert_eq!(cancelled.refunds.len(), 1);
    let refund = &cancelled.refunds[0];
    let Ok(kasa_billing::GiveBackOutcome::Done(done)) = &refund.outcome else {
        panic!("the prorated refund is made: {:?}", refund.outcome);
    };
    assert_eq!(done.finished.action.amount, crate::try_money("158.33"));
    assert_eq!(
        done.finished.action.state,
        kasa_ports::PaymentActionState::Succeeded
    );
    let note = done.finished.document.as_ref().expect("a credit note");
    assert_eq!(note.issued.kind, kasa_ports::InvoiceKind::CreditNote);
    assert_eq!(note.issued.total.gross, crate::try_money("158.33"));
    assert_eq!(
        world.payment_status(refund.purchase_id).await,
        PaymentStatus::PartiallyRefunded
    );
    let order = world
        .kit
        .store
        .purchase(refund.purchase_id)
        .await
        .unwrap()
        .payment
        .unwrap()
        .order_id;
    assert_eq!(
        world.kit.gateway.operations(),
        vec![format!("refund {order} 158.33 TRY")]
    );
    assert!(
        world
            .audit_actions()
            .await
            .contains(&"payment.refund_succeeded".to_owned())
    );
    let state = world.kit.store.customer_state(world.ayse.id).await.unwrap();
    assert!(!state.card.is_enabled(world.support.id));
    assert!(
        world
            .audit_actions()
            .await
            .contains(&"subscription.cancelled".to_owned())
    );
}

/// Contract case.
pub async fn cancelling_at_the_end_keeps_access_until_then<S: Store + 'static>(store: Arc<S>) {
    let world = world(store).await;
    world
        .grant(&world.monthly, ForfeitConfirmation::NotConfirmed)
        .await
        .unwrap();
    let cancelled = world
        .kit
        .billing
        .cancel_subscription(
            world.ayse.id,
            CancellationTiming::AtEnd,
            false,
            Vec::new(),
            agent_context("no renewal"),
        )
        .await
        .unwrap();
    let Holding::Subscription(subscription) = cancelled.holding else {
        panic!()
    };
    assert!(subscription.cancel_at_end());
    assert!(matches!(
        world.charge(&world.support, "still").await,
        ChargeOutcome::Allowed { .. }
    ));
}

/// Contract case.
pub async fn agents_adjust_credits_within_the_rules<S: Store + 'static>(store: Arc<S>) {
    let world = world(store).await;
    let context = agent_context("compensation for outage");
    assert_eq!(
        world
            .kit
            .billing
            .adjust_credits(world.ayse.id, 5, context.clone())
            .await
            .unwrap(),
        Credits::from_u32(5)
    );
    assert_eq!(
        world
            .kit
            .billing
            .adjust_credits(world.ayse.id, -2, context.clone())
            .await
            .unwrap(),
        Credits::from_u32(3)
    );
    assert!(matches!(
        world
            .kit
            .billing
            .adjust_credits(world.ayse.id, -4, context.clone())
            .await,
        Err(AdjustCreditsError::InsufficientCredits { .. })
    ));
    assert!(matches!(
        world
            .kit
            .billing
            .adjust_credits(world.ayse.id, 0, context.clone())
            .await,
        Err(AdjustCreditsError::Zero)
    ));
    let entries = world.ledger().await;
    assert_eq!(entries.len(), 2);
    assert!(
        entries
            .iter()
            .all(|e| e.reason.as_str() == "compensation for outage")
    );
    assert_eq!(
        world
            .audit_actions()
            .await
            .iter()
            .filter(|a| *a == "credits.adjusted")
            .count(),
        2
    );

    world
        .kit
        .billing
        .adjust_credits(world.ayse.id, -3, context.clone())
        .await
        .unwrap();
    world
        .grant(&world.monthly, ForfeitConfirmation::NotConfirmed)
        .await
        .unwrap();
    assert!(matches!(
        world
            .kit
            .billing
            .adjust_credits(world.ayse.id, 1, context)
            .await,
        Err(AdjustCreditsError::HoldsSubscription)
    ));
}

/// Contract case.
pub async fn a_lost_callback_is_reconciled_through_the_order_status<S: Store + 'static>(
    store: Arc<S>,
) {
    let world = world(store).await;
    let started = world
        .start(&world.large, ForfeitConfirmation::NotConfirmed)
        .await
        .unwrap();
    world
        .kit
        .gateway
        .set_status(&order_of(&started), PaymentResultStatus::Captured);
    let too_soon = world
        .kit
        .billing
        .reconcile_pending_purchases(time::Duration::minutes(15), 10)
        .await
        .unwrap();
    assert!(
        too_soon.is_empty(),
        "a fresh purchase is left to its callback"
    );
    world.kit.clock.advance(time::Duration::minutes(20));
    let reconciled = world
        .kit
        .billing
        .reconcile_pending_purchases(time::Duration::minutes(15), 10)
        .await
        .unwrap();
    assert!(
        matches!(reconciled.as_slice(), [PurchaseCompletion::Completed(_)]),
        "{reconciled:?}"
    );
    assert_eq!(world.balance().await, Credits::from_u32(50));
    assert!(
        world
            .kit
            .billing
            .reconcile_pending_purchases(time::Duration::minutes(15), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Contract case.
pub async fn notifications_survive_a_mail_outage_and_are_delivered_once<S: Store + 'static>(
    store: Arc<S>,
) {
    let world = world(store).await;
    world
        .pay(&world.small, ForfeitConfirmation::NotConfirmed)
        .await;
    world.kit.mailer.fail_with(Some(MailError::Unavailable(
        "connection refused".to_owned(),
    )));
    let down = world
        .kit
        .billing
        .deliver_due_notifications(10)
        .await
        .unwrap();
    assert_eq!((down.sent, down.retrying), (0, 2));
    assert!(
        world
            .outbox()
            .await
            .iter()
            .all(|m| m.last_error.as_deref() == Some("connection refused"))
    );

    world.kit.mailer.fail_with(None);
    assert_eq!(
        world
            .kit
            .billing
            .deliver_due_notifications(10)
            .await
            .unwrap()
            .sent,
        0,
        "not before the retry time"
    );
    world.kit.clock.advance(time::Duration::minutes(2));
    assert_eq!(
        world
            .kit
            .billing
            .deliver_due_notifications(10)
            .await
            .unwrap()
            .sent,
        2
    );
    assert_eq!(
        world
            .kit
            .billing
            .deliver_due_notifications(10)
            .await
            .unwrap()
            .sent,
        0
    );

    let sent: Vec<EmailMessage> = world.kit.mailer.sent();
    assert_eq!(sent.len(), 2);
    let operator = sent
        .iter()
        .find(|m| m.to[0].as_str() == "billing@kasa.example")
        .expect("operator copy");
    assert_eq!(
        operator.cc.iter().map(|a| a.as_str()).collect::<Vec<_>>(),
        ["finance@kasa.example", "boss@kasa.example"]
    );
    let customer = sent
        .iter()
        .find(|m| m.to[0] == world.ayse.email)
        .expect("customer copy");
    assert!(
        customer.subject.starts_with("Satın alma tamamlandı"),
        "{}",
        customer.subject
    );
    assert!(
        customer.text_body.contains("Yeni bakiye: 10"),
        "{}",
        customer.text_body
    );
    assert!(
        customer
            .reply_to
            .as_ref()
            .is_some_and(|address| address.as_str().starts_with("support+")
                && address.as_str().ends_with("@kasa.example")),
        "replies go to the support address, tagged: {:?}",
        customer.reply_to
    );
    let audiences: Vec<Audience> = world
        .outbox()
        .await
        .into_iter()
        .filter_map(|m| match m.payload {
            OutboxPayload::PurchaseNotification { audience, .. } => Some(audience),
            _ => None,
        })
        .collect();
    assert!(audiences.contains(&Audience::Operator) && audiences.contains(&Audience::Customer));
}

/// Contract case.
pub async fn a_rejected_message_is_abandoned_not_retried<S: Store + 'static>(store: Arc<S>) {
    let world = world(store).await;
    world
        .pay(&world.small, ForfeitConfirmation::NotConfirmed)
        .await;
    world
        .kit
        .mailer
        .fail_with(Some(MailError::Rejected("550 no such user".to_owned())));
    let report = world
        .kit
        .billing
        .deliver_due_notifications(10)
        .await
        .unwrap();
    assert_eq!(report.abandoned, 2);
    world.kit.clock.advance(days(1));
    world.kit.mailer.fail_with(None);
    assert_eq!(
        world
            .kit
            .billing
            .deliver_due_notifications(10)
            .await
            .unwrap()
            .sent,
        0
    );
    assert!(world.outbox().await.iter().all(|m| m.abandoned));
}

/// Contract case.
pub async fn concurrent_duplicate_callbacks_grant_once<S: Store + 'static>(store: Arc<S>) {
    let world = std::sync::Arc::new(world(store).await);
    let started = world
        .start(&world.large, ForfeitConfirmation::NotConfirmed)
        .await
        .unwrap();
    let callback = world
        .kit
        .gateway
        .callback(&order_of(&started), "approved", "400.00");
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let world = world.clone();
        let callback = callback.clone();
        tasks.push(tokio::spawn(async move {
            world
                .kit
                .billing
                .complete_purchase(&GatewayName::new("testpay"), callback, None)
                .await
                .unwrap()
        }));
    }
    let mut completed = 0;
    for task in tasks {
        if matches!(task.await.unwrap(), PurchaseCompletion::Completed(_)) {
            completed += 1;
        }
    }
    assert_eq!(completed, 1);
    assert_eq!(world.balance().await, Credits::from_u32(50));
}

/// Contract case.
pub async fn a_paid_purchase_is_invoiced_once_and_a_free_grant_is_not<S: Store + 'static>(
    store: Arc<S>,
) {
    let world = world(store).await;
    let started = world
        .start(&world.small, ForfeitConfirmation::NotConfirmed)
        .await
        .unwrap();
    for _ in 0..3 {
        world.complete(&started, "approved", "100.00").await;
    }
    let invoices = world
        .kit
        .store
        .purchase_invoices(started.purchase.id)
        .await
        .unwrap();
    assert_eq!(invoices.len(), 1, "one invoice, whatever arrives how often");
    let invoice = &invoices[0];
    assert_eq!(invoice.number.to_string(), "KSA-2026-000001");
    // 100.00 TRY including 20% KDV: tax 16.67, net 83.33.
    assert_eq!(invoice.issued.total.gross, crate::try_money("100.00"));
    assert_eq!(invoice.issued.total.tax, crate::try_money("16.67"));
    assert_eq!(invoice.issued.total.net, crate::try_money("83.33"));
    assert_eq!(
        invoice.issued.document["lines"][0]["description"],
        "10 kredi"
    );
    assert_eq!(invoice.issued.document["payment"]["method"], "testpay");
    assert_eq!(
        invoice.issued.document["payment"]["reference"],
        format!("ref-{}", order_of(&started)),
        "the gateway's reference from the settlement"
    );

    let free = world
        .grant(&world.large, ForfeitConfirmation::NotConfirmed)
        .await
        .unwrap();
    assert!(
        world
            .kit
            .store
            .purchase_invoices(free.purchase.id)
            .await
            .unwrap()
            .is_empty()
    );
    let charged = world
        .kit
        .billing
        .grant_package(GrantPackage {
            customer_id: world.ayse.id,
            package_id: world.small.id,
            confirmation: ForfeitConfirmation::NotConfirmed,
            charged: true,
            context: agent_context("paid by bank transfer"),
        })
        .await
        .unwrap();
    let invoices = world
        .kit
        .store
        .purchase_invoices(charged.purchase.id)
        .await
        .unwrap();
    assert_eq!(invoices.len(), 1);
    assert_eq!(invoices[0].number.sequence, 2, "the next number, no gap");
}

impl<S: Store + 'static> World<S> {
    async fn webhook(
        &self,
        event: &str,
        kind: &str,
        order: &OrderId,
        status: &str,
        value: &str,
    ) -> Result<WebhookOutcome, WebhookError> {
        let callback = self.kit.gateway.webhook(event, kind, order, status, value);
        self.kit
            .billing
            .process_webhook(&GatewayName::new("testpay"), callback, None)
            .await
    }

    async fn act(
        &self,
        purchase_id: kasa_domain::PurchaseId,
        action: RequestedAction,
        refund_limit: Option<&str>,
    ) -> Result<PaymentActionDone, PaymentActionError> {
        self.kit
            .billing
            .act_on_payment(ActOnPayment {
                purchase_id,
                action,
                refund_limits: refund_limit.map(crate::try_money).into_iter().collect(),
                context: agent_context("customer asked"),
            })
            .await
    }

    async fn payment_status(&self, purchase_id: kasa_domain::PurchaseId) -> PaymentStatus {
        self.kit
            .store
            .purchase(purchase_id)
            .await
            .unwrap()
            .payment
            .unwrap()
            .status
    }
}

fn refund(amount: Option<&str>) -> RequestedAction {
    RequestedAction::Refund {
        amount: amount.map(crate::try_money),
    }
}

/// Contract case.
pub async fn a_full_refund_takes_the_package_back_with_a_credit_note<S: Store + 'static>(
    store: Arc<S>,
) {
    let world = world(store).await;
    let started = world
        .start(&world.small, ForfeitConfirmation::NotConfirmed)
        .await
        .unwrap();
    world.complete(&started, "approved", "100.00").await;
    let purchase_id = started.purchase.id;
    assert!(matches!(
        world.charge(&world.support, "T-1").await,
        ChargeOutcome::Allowed { .. }
    ));
    assert_eq!(world.balance().await, Credits::from_u32(8));

    let done = world.act(purchase_id, refund(None), None).await.unwrap();
    assert!(!done.voided_instead_of_refund);
    assert_eq!(done.finished.action.amount, crate::try_money("100.00"));
    assert_eq!(
        done.finished.credits_reversed,
        Some(Credits::from_u32(8)),
        "what is left of the grant; spent credits are not taken twice"
    );
    assert_eq!(world.balance().await, Credits::from_u32(0));
    assert_eq!(
        world.payment_status(purchase_id).await,
        PaymentStatus::Refunded
    );
    let card = world
        .kit
        .store
        .customer_state(world.ayse.id)
        .await
        .unwrap()
        .card;
    assert!(
        !card.is_enabled(world.support.id),
        "a full refund releases the departments the purchase enabled"
    );
    let note = done.finished.document.expect("a credit note");
    assert_eq!(note.number.to_string(), "KSA-CN-2026-000001");
    assert_eq!(note.issued.kind, kasa_ports::InvoiceKind::CreditNote);
    assert_eq!(note.issued.total.gross, crate::try_money("100.00"));
    assert_eq!(note.issued.total.tax, crate::try_money("16.67"));
    let invoices = world
        .kit
        .store
        .purchase_invoices(purchase_id)
        .await
        .unwrap();
    assert_eq!(note.issued.refers_to, Some(invoices[0].issued.id));
    assert_eq!(
        note.issued.document["refers_to"]["number"],
        "KSA-2026-000001"
    );
    let reversed: Vec<_> = world
        .ledger()
        .await
        .into_iter()
        .filter(|entry| entry.kind == LedgerEntryKind::Reversed)
        .collect();
    assert_eq!(reversed.len(), 1);
    assert_eq!(reversed[0].delta, -8);
    assert!(
        world
            .audit_actions()
            .await
            .contains(&"payment.refund_succeeded".to_owned())
    );
    assert_eq!(
        world.kit.gateway.operations(),
        vec![format!("refund {} 100.00 TRY", order_of(&started))]
    );

    // The credit note goes to the customer, queued with the refund, attached.
    let queued: Vec<_> = world
        .outbox()
        .await
        .into_iter()
        .filter_map(|message| match message.payload {
            OutboxPayload::DocumentNotification { invoice_id, to, .. } => Some((invoice_id, to)),
            _ => None,
        })
        .collect();
    assert_eq!(
        queued,
        vec![(note.issued.id, vec![world.ayse.email.clone()])]
    );
    world
        .kit
        .billing
        .deliver_due_notifications(10)
        .await
        .unwrap();
    let mail = world
        .kit
        .mailer
        .sent()
        .into_iter()
        .find(|mail| mail.subject.contains("KSA-CN-2026-000001"))
        .expect("the credit note's mail");
    assert_eq!(mail.subject, "İade faturanız: KSA-CN-2026-000001");
    assert!(
        mail.text_body.contains("İlgili fatura: KSA-2026-000001"),
        "{}",
        mail.text_body
    );
    assert!(
        mail.text_body.contains("Toplam: 100,00 ₺"),
        "{}",
        mail.text_body
    );
    assert_eq!(mail.attachments.len(), 1);
    assert!(
        mail.attachments[0]
            .file_name
            .starts_with("iade-faturasi-KSA-CN-2026-000001."),
        "{}",
        mail.attachments[0].file_name
    );

    // Nothing is left to refund: refused, and the gateway is not asked again.
    let again = world.act(purchase_id, refund(None), None).await;
    assert!(
        matches!(again, Err(PaymentActionError::NotAllowed { .. })),
        "{again:?}"
    );
    assert_eq!(world.kit.gateway.operations().len(), 1);
}

/// Contract case.
pub async fn a_partial_refund_keeps_the_package_until_everything_is_given_back<
    S: Store + 'static,
>(
    store: Arc<S>,
) {
    let world = world(store).await;
    let started = world
        .start(&world.small, ForfeitConfirmation::NotConfirmed)
        .await
        .unwrap();
    world.complete(&started, "approved", "100.00").await;
    let purchase_id = started.purchase.id;

    let done = world
        .act(purchase_id, refund(Some("30.00")), None)
        .await
        .unwrap();
    assert_eq!(done.finished.credits_reversed, None);
    assert_eq!(world.balance().await, Credits::from_u32(10));
    assert_eq!(
        world.payment_status(purchase_id).await,
        PaymentStatus::PartiallyRefunded
    );
    let note = done.finished.document.expect("a credit note");
    assert_eq!(note.issued.total.gross, crate::try_money("30.00"));
    assert_eq!(note.issued.total.tax, crate::try_money("5.00"));
    let order = order_of(&started);
    assert_eq!(
        done.finished.action.reference,
        Some(GatewayReference(format!("refund-{order}")))
    );
    assert_eq!(
        done.finished
            .purchase
            .payment
            .and_then(|payment| payment.reference),
        Some(GatewayReference(format!("ref-{order}"))),
        "the payment keeps the reference the gateway finds it by (the refund's stays on the action)"
    );

    let too_much = world.act(purchase_id, refund(Some("70.01")), None).await;
    assert!(
        matches!(&too_much, Err(PaymentActionError::AmountTooLarge { available, .. })
            if *available == crate::try_money("70.00")),
        "{too_much:?}"
    );
    let over_limit = world
        .act(purchase_id, refund(Some("70.00")), Some("50.00"))
        .await;
    assert!(
        matches!(over_limit, Err(PaymentActionError::OverRefundLimit { .. })),
        "{over_limit:?}"
    );
    let rest = world.act(purchase_id, refund(None), None).await.unwrap();
    assert_eq!(rest.finished.action.amount, crate::try_money("70.00"));
    assert_eq!(rest.finished.credits_reversed, Some(Credits::from_u32(10)));
    assert_eq!(
        world.payment_status(purchase_id).await,
        PaymentStatus::Refunded
    );
    assert_eq!(rest.finished.document.unwrap().number.sequence, 2);
}

/// Contract case: a gateway without partial refunds is never asked for one (a whole refund
/// goes through), and one without authorise-then-capture is never asked to capture; a refusal
/// records no action and moves nothing.
pub async fn what_the_gateway_cannot_do_is_refused_before_it_is_asked<S: Store + 'static>(
    store: Arc<S>,
) {
    let world = world(store).await;
    world
        .kit
        .gateway
        .set_capabilities(kasa_ports::GatewayCapabilities {
            partial_refunds: false,
            authorise_then_capture: false,
            ..kasa_ports::GatewayCapabilities::CORE
        });
    let started = world
        .start(&world.monthly, ForfeitConfirmation::NotConfirmed)
        .await
        .unwrap();
    world.complete(&started, "approved", "250.00").await;
    let purchase_id = started.purchase.id;
    let operations = world.kit.gateway.operations().len();

    for action in [
        refund(Some("10.00")),
        RequestedAction::Capture { amount: None },
    ] {
        let refused = world.act(purchase_id, action, None).await;
        assert!(
            matches!(refused, Err(PaymentActionError::GatewayCannot { .. })),
            "{refused:?}"
        );
    }
    assert_eq!(world.kit.gateway.operations().len(), operations);
    assert!(
        world
            .kit
            .store
            .payment_actions(purchase_id)
            .await
            .unwrap()
            .is_empty(),
        "a refusal records nothing"
    );
    assert_eq!(
        world.payment_status(purchase_id).await,
        PaymentStatus::Captured
    );

    let whole = world.act(purchase_id, refund(None), None).await.unwrap();
    assert_eq!(
        whole.finished.action.kind,
        kasa_ports::PaymentActionKind::Refund
    );
    assert_eq!(
        world.payment_status(purchase_id).await,
        PaymentStatus::Refunded
    );
}

/// Contract case.
pub async fn before_settlement_a_full_refund_is_a_void_and_a_partial_one_waits<
    S: Store + 'static,
>(
    store: Arc<S>,
) {
    let world = world(store).await;
    let started = world
        .start(&world.monthly, ForfeitConfirmation::NotConfirmed)
        .await
        .unwrap();
    world.complete(&started, "approved", "250.00").await;
    let purchase_id = started.purchase.id;
    world.kit.gateway.hold_settlement(&order_of(&started));
    assert!(matches!(world.holding().await, Holding::Subscription(_)));

    let partial = world.act(purchase_id, refund(Some("10.00")), None).await;
    assert!(
        matches!(
            partial,
            Err(PaymentActionError::PartialRefundBeforeSettlement)
        ),
        "{partial:?}"
    );
    assert!(matches!(world.holding().await, Holding::Subscription(_)));

    let done = world.act(purchase_id, refund(None), None).await.unwrap();
    assert!(done.voided_instead_of_refund);
    assert_eq!(
        done.finished.action.kind,
        kasa_ports::PaymentActionKind::Void
    );
    assert_eq!(
        world.payment_status(purchase_id).await,
        PaymentStatus::Voided
    );
    assert_eq!(
        world.holding().await,
        Holding::Nothing,
        "the voided subscription's term ended"
    );
    let card = world
        .kit
        .store
        .customer_state(world.ayse.id)
        .await
        .unwrap()
        .card;
    assert!(!card.is_enabled(world.support.id));
    assert!(!card.is_enabled(world.sales.id));
    let actions = world.kit.store.payment_actions(purchase_id).await.unwrap();
    let states: Vec<_> = actions
        .iter()
        .map(|action| (action.kind, action.state))
        .collect();
    use kasa_ports::{PaymentActionKind as K, PaymentActionState as St};
    assert_eq!(
        states,
        vec![
            (K::Refund, St::Failed),
            (K::Refund, St::Failed),
            (K::Void, St::Succeeded)
        ]
    );
}

/// Contract case.
pub async fn a_gateway_failure_is_recorded_and_moves_nothing<S: Store + 'static>(store: Arc<S>) {
    let world = world(store).await;
    let started = world
        .start(&world.small, ForfeitConfirmation::NotConfirmed)
        .await
        .unwrap();
    world.complete(&started, "approved", "100.00").await;
    let purchase_id = started.purchase.id;
    world
        .kit
        .gateway
        .fail_next(kasa_ports::GatewayError::Unavailable(
            "bank down".to_owned(),
        ));
    let failed = world.act(purchase_id, RequestedAction::Void, None).await;
    assert!(
        matches!(failed, Err(PaymentActionError::Gateway(_))),
        "{failed:?}"
    );
    assert_eq!(world.balance().await, Credits::from_u32(10));
    assert_eq!(
        world.payment_status(purchase_id).await,
        PaymentStatus::Captured
    );
    let actions = world.kit.store.payment_actions(purchase_id).await.unwrap();
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0].state, kasa_ports::PaymentActionState::Failed);
    assert!(actions[0].detail.as_deref().unwrap().contains("bank down"));
    assert!(
        world
            .audit_actions()
            .await
            .contains(&"payment.void_failed".to_owned())
    );
    // Once the bank is back, the same action goes through.
    world
        .act(purchase_id, RequestedAction::Void, None)
        .await
        .unwrap();
    assert_eq!(world.balance().await, Credits::from_u32(0));
}

/// Contract case.
pub async fn an_authorised_payment_is_captured_in_part_and_invoiced_for_that<S: Store + 'static>(
    store: Arc<S>,
) {
    let world = world(store).await;
    let started = world
        .start(&world.small, ForfeitConfirmation::NotConfirmed)
        .await
        .unwrap();
    world.complete(&started, "authorised", "100.00").await;
    let purchase_id = started.purchase.id;
    assert_eq!(
        world.payment_status(purchase_id).await,
        PaymentStatus::Authorised
    );
    assert!(
        world
            .kit
            .store
            .purchase_invoices(purchase_id)
            .await
            .unwrap()
            .is_empty(),
        "nothing is invoiced before money is taken"
    );
    let refund_first = world.act(purchase_id, refund(None), None).await;
    assert!(
        matches!(refund_first, Err(PaymentActionError::NotAllowed { .. })),
        "{refund_first:?}"
    );
    let done = world
        .act(
            purchase_id,
            RequestedAction::Capture {
                amount: Some(crate::try_money("60.00")),
            },
            Some("1.00"),
        )
        .await
        .expect("a capture is not limited by the refund limit");
    assert_eq!(
        world.payment_status(purchase_id).await,
        PaymentStatus::Captured
    );
    let invoice = done.finished.document.expect("an invoice");
    assert_eq!(invoice.issued.total.gross, crate::try_money("60.00"));
    assert_eq!(invoice.issued.total.tax, crate::try_money("10.00"));
    // Only what was captured can be refunded.
    let too_much = world.act(purchase_id, refund(Some("60.01")), None).await;
    assert!(
        matches!(too_much, Err(PaymentActionError::AmountTooLarge { .. })),
        "{too_much:?}"
    );
}

/// Contract case: two agents refunding the same payment at once give the money back once.
pub async fn concurrent_refunds_give_the_money_back_once<S: Store + 'static>(store: Arc<S>) {
    let world = Arc::new(world(store).await);
    let started = world
        .start(&world.small, ForfeitConfirmation::NotConfirmed)
        .await
        .unwrap();
    world.complete(&started, "approved", "100.00").await;
    let purchase_id = started.purchase.id;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let world = world.clone();
        tasks.push(tokio::spawn(async move {
            world.act(purchase_id, refund(None), None).await
        }));
    }
    let mut succeeded = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => succeeded += 1,
            Err(
                PaymentActionError::InProgress
                | PaymentActionError::ChangedMeanwhile
                | PaymentActionError::NotAllowed { .. },
            ) => {}
            Err(other) => panic!("unexpected: {other:?}"),
        }
    }
    assert_eq!(succeeded, 1);
    let refunds = world
        .kit
        .gateway
        .operations()
        .iter()
        .filter(|operation| operation.starts_with("refund"))
        .count();
    assert_eq!(refunds, 1, "the bank was asked once");
    assert_eq!(
        world
            .kit
            .store
            .purchase_invoices(purchase_id)
            .await
            .unwrap()
            .len(),
        2,
        "the invoice and one credit note"
    );
}

impl<S: Store + 'static> World<S> {
    /// A paid purchase of the small package (100.00 TRY, captured).
    async fn paid_small(&self) -> kasa_domain::PurchaseId {
        let started = self
            .start(&self.small, ForfeitConfirmation::NotConfirmed)
            .await
            .unwrap();
        self.complete(&started, "approved", "100.00").await;
        started.purchase.id
    }

    /// An action by `context`'s caller under `limits` (one per currency).
    async fn act_as(
        &self,
        purchase_id: kasa_domain::PurchaseId,
        action: RequestedAction,
        limits: &[kasa_domain::Money],
        context: ActionContext,
    ) -> Result<PaymentActionDone, PaymentActionError> {
        self.kit
            .billing
            .act_on_payment(ActOnPayment {
                purchase_id,
                action,
                refund_limits: limits.to_vec(),
                context,
            })
            .await
    }
}

fn other_agent_context() -> ActionContext {
    ActionContext {
        actor: kasa_domain::Actor::Agent {
            user_id: kasa_domain::UserId::from_uuid(uuid::Uuid::from_u128(8)),
        },
        ..agent_context("customer asked")
    }
}

fn dollars(amount: &str) -> kasa_domain::Money {
    kasa_domain::Money::new(amount.parse().unwrap(), kasa_domain::Currency::Usd).unwrap()
}

/// Contract case: a refund limit adds up per payment and per caller per UTC day (refunds of
/// 40 + 40 + 20 against 50 do not all pass), another caller has their own, and the next day
/// starts again, while one payment never gets more than the limit from one caller.
pub async fn refund_limits_add_up_per_payment_and_per_day<S: Store + 'static>(store: Arc<S>) {
    let world = world(store).await;
    let limit = [crate::try_money("50.00")];
    let first = world.paid_small().await;
    let agent = || agent_context("customer asked");
    world
        .act_as(first, refund(Some("40.00")), &limit, agent())
        .await
        .expect("within the limit");
    let over = world
        .act_as(first, refund(Some("40.00")), &limit, agent())
        .await;
    assert!(
        matches!(&over, Err(PaymentActionError::OverRefundLimit { limit, given_back_today, given_back_of_payment, remaining })
            if *limit == crate::try_money("50.00")
                && *given_back_today == crate::try_money("40.00")
                && *given_back_of_payment == crate::try_money("40.00")
                && *remaining == crate::try_money("10.00")),
        "{over:?}"
    );
    let allowance = world
        .kit
        .billing
        .refund_allowance(first, &agent().actor, &limit)
        .await
        .unwrap();
    assert_eq!(allowance.remaining, crate::try_money("10.00"));
    assert_eq!(allowance.refundable, crate::try_money("60.00"));
    assert_eq!(allowance.refunded_of_payment, crate::try_money("40.00"));
    world
        .act_as(first, refund(Some("10.00")), &limit, agent())
        .await
        .expect("what is left of the limit");

    // The day's limit is spent on every payment; another agent has their own.
    let second = world.paid_small().await;
    let spent = world
        .act_as(second, refund(Some("0.01")), &limit, agent())
        .await;
    assert!(
        matches!(&spent, Err(PaymentActionError::OverRefundLimit { remaining, given_back_today, .. })
            if remaining.is_zero() && *given_back_today == crate::try_money("50.00")),
        "{spent:?}"
    );
    world
        .act_as(second, refund(Some("30.00")), &limit, other_agent_context())
        .await
        .expect("another agent's day is their own");

    // The next day the daily sum starts again; the first payment stays spent for this agent.
    world.kit.clock.advance(time::Duration::DAY);
    world
        .act_as(second, refund(Some("45.00")), &limit, agent())
        .await
        .expect("a new day");
    let same_payment = world
        .act_as(first, refund(Some("5.00")), &limit, agent())
        .await;
    assert!(
        matches!(&same_payment, Err(PaymentActionError::OverRefundLimit { given_back_of_payment, given_back_today, .. })
            if *given_back_of_payment == crate::try_money("50.00")
                && *given_back_today == crate::try_money("45.00")),
        "{same_payment:?}"
    );
    // A failed refund gives nothing back and does not count.
    let third = world.paid_small().await;
    world
        .kit
        .gateway
        .fail_next(GatewayError::Unavailable("down".to_owned()));
    assert!(matches!(
        world
            .act_as(third, refund(Some("5.00")), &limit, agent())
            .await,
        Err(PaymentActionError::Gateway(_))
    ));
    world
        .act_as(third, refund(Some("5.00")), &limit, agent())
        .await
        .expect("5 of the day's 50 are left");
}

/// Contract case: limits are per currency: a dollar limit never refuses a lira refund, and a
/// lira payment is held to the lira limit only.
pub async fn refund_limits_are_per_currency<S: Store + 'static>(store: Arc<S>) {
    let world = world(store).await;
    let purchase = world.paid_small().await;
    let agent = || agent_context("customer asked");
    world
        .act_as(
            purchase,
            refund(Some("60.00")),
            &[dollars("20.00")],
            agent(),
        )
        .await
        .expect("no lira limit: not limited in lira");
    let over = world
        .act_as(
            purchase,
            refund(Some("30.00")),
            &[dollars("500.00"), crate::try_money("20.00")],
            agent(),
        )
        .await;
    assert!(
        matches!(&over, Err(PaymentActionError::OverRefundLimit { limit, given_back_today, .. })
            if *limit == crate::try_money("20.00") && *given_back_today == crate::try_money("60.00")),
        "{over:?}"
    );
    let dollars_today = world
        .kit
        .store
        .given_back_by(
            agent().actor,
            kasa_domain::Currency::Usd,
            TestBilling::START - time::Duration::DAY,
            TestBilling::START + time::Duration::DAY,
        )
        .await
        .unwrap();
    assert!(dollars_today.is_zero(), "lira never counts as dollars");
}

/// Contract case: eight refunds at once by one agent, each of a different payment, against a
/// daily limit that allows three: never more than the limit is given back.
pub async fn concurrent_refunds_of_one_agent_never_pass_the_daily_limit<S: Store + 'static>(
    store: Arc<S>,
) {
    let world = Arc::new(world(store).await);
    let mut purchases = Vec::new();
    for _ in 0..8 {
        purchases.push(world.paid_small().await);
    }
    let mut tasks = Vec::new();
    for purchase in purchases {
        let world = world.clone();
        tasks.push(tokio::spawn(async move {
            world
                .act_as(
                    purchase,
                    refund(Some("10.00")),
                    &[crate::try_money("35.00")],
                    agent_context("customer asked"),
                )
                .await
        }));
    }
    let mut succeeded = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => succeeded += 1,
            Err(
                PaymentActionError::OverRefundLimit { .. }
                | PaymentActionError::InProgress
                | PaymentActionError::ChangedMeanwhile,
            ) => {}
            Err(other) => panic!("unexpected: {other:?}"),
        }
    }
    assert!(
        (1..=3).contains(&succeeded),
        "{succeeded} refunds of 10 passed a limit of 35"
    );
    let given_back = world
        .kit
        .store
        .given_back_by(
            agent_context("x").actor,
            kasa_domain::Currency::Try,
            TestBilling::START - time::Duration::DAY,
            TestBilling::START + time::Duration::DAY,
        )
        .await
        .unwrap();
    assert_eq!(
        given_back,
        crate::try_money(&format!("{}.00", 10 * succeeded))
    );
    let refunds = world
        .kit
        .gateway
        .operations()
        .iter()
        .filter(|operation| operation.starts_with("refund"))
        .count();
    assert_eq!(
        refunds, succeeded,
        "the bank was asked only for the refunds that passed"
    );
}

/// Contract case: the store sums one caller's give-backs again when it records one, serialised
/// per caller: of eight give-backs on eight payments decided at once on the same daily sum, one
/// is recorded and the others are sent back to be decided again; the sum may also not be stale.
pub async fn give_backs_decided_on_the_same_daily_sum_are_recorded_once<S: Store + 'static>(
    store: Arc<S>,
) {
    let world = Arc::new(world(store).await);
    let mut purchases = Vec::new();
    for _ in 0..8 {
        purchases.push(world.paid_small().await);
    }
    let (since, until) = kasa_billing::refund_limit_day(TestBilling::START);
    let new_action = move |purchase_id, expected: &str| kasa_ports::NewPaymentAction {
        id: kasa_ports::new_id(),
        purchase_id,
        kind: kasa_ports::PaymentActionKind::Refund,
        amount: crate::try_money("10.00"),
        expected_actions: 0,
        gives_back: true,
        given_back_check: Some(kasa_ports::GivenBackCheck {
            since,
            until,
            expected: crate::try_money(expected),
        }),
        context: agent_context("customer asked"),
        at: TestBilling::START,
    };
    let mut tasks = Vec::new();
    for purchase in purchases.clone() {
        let world = world.clone();
        let action = new_action(purchase, "0.00");
        tasks.push(tokio::spawn(async move {
            world.kit.store.begin_payment_action(action).await
        }));
    }
    let mut recorded = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok(action) => recorded.push(action.purchase_id),
            Err(kasa_ports::StoreError::StaleVersion) => {}
            Err(other) => panic!("unexpected: {other:?}"),
        }
    }
    assert_eq!(recorded.len(), 1, "{recorded:?}");
    let other = purchases
        .iter()
        .copied()
        .find(|purchase| !recorded.contains(purchase))
        .unwrap();
    assert!(matches!(
        world
            .kit
            .store
            .begin_payment_action(new_action(other, "0.00"))
            .await,
        Err(kasa_ports::StoreError::StaleVersion)
    ));
    world
        .kit
        .store
        .begin_payment_action(new_action(other, "10.00"))
        .await
        .expect("decided on the sum as it is");
}

/// Contract case: the customer's mail carries the invoice, the tax, and a reply address that
/// names the customer and the invoice; the operator's copy carries no attachment.
pub async fn the_customers_mail_carries_the_invoice_and_a_reply_address_naming_them<
    S: Store + 'static,
>(
    store: Arc<S>,
) {
    let world = world(store).await;
    world
        .pay(&world.small, ForfeitConfirmation::NotConfirmed)
        .await;
    world
        .kit
        .billing
        .deliver_due_notifications(10)
        .await
        .unwrap();
    let sent = world.kit.mailer.sent();
    let customer = sent
        .iter()
        .find(|mail| mail.to == vec![world.ayse.email.clone()])
        .expect("the customer's copy");
    assert_eq!(customer.attachments.len(), 1);
    let attachment = &customer.attachments[0];
    assert_eq!(attachment.file_name, "fatura-KSA-2026-000001.txt");
    assert_eq!(
        String::from_utf8_lossy(&attachment.bytes),
        "KSA-2026-000001 100.00 TRY"
    );
    assert!(
        customer.text_body.contains("KDV: %20: 16,67 ₺"),
        "{}",
        customer.text_body
    );
    let reply_to = customer.reply_to.as_ref().expect("a reply address");
    assert_eq!(
        reply_to.as_str(),
        format!(
            "support+{}.ksa-2026-000001@kasa.example",
            world.ayse.id.as_uuid().simple()
        )
    );
    assert_eq!(
        kasa_billing::parse_reply_address(reply_to.as_str()),
        Some((world.ayse.id, Some("KSA-2026-000001".to_owned())))
    );
    let operator = sent
        .iter()
        .find(|mail| mail.to != vec![world.ayse.email.clone()])
        .expect("the operator's copy");
    assert!(operator.attachments.is_empty());
}

/// Contract case: sixteen customers pay at once, every other card is declined: the eight paid
/// purchases take invoice numbers 1 to 8, without a gap and without a number for a decline.
pub async fn invoice_numbers_have_no_gaps_under_concurrent_and_declined_payments<
    S: Store + 'static,
>(
    store: Arc<S>,
) {
    let world = Arc::new(world(store).await);
    let mut tasks = Vec::new();
    for index in 0..16 {
        let world = world.clone();
        tasks.push(tokio::spawn(async move {
            let buyer = customer(&format!("buyer{index}@example.com"), Language::En);
            world.kit.with_customer(&buyer).await;
            let started = world
                .kit
                .billing
                .start_purchase(StartPurchase {
                    coupon_code: None,
                    customer_id: buyer.id,
                    package_id: world.small.id,
                    gateway: GatewayName::new("testpay"),
                    confirmation: ForfeitConfirmation::NotConfirmed,
                    capture: CaptureMode::Immediate,
                    success_url: "https://kasa.example/ok".to_owned(),
                    failure_url: "https://kasa.example/fail".to_owned(),
                    context: customer_context(&buyer),
                })
                .await
                .unwrap();
            let status = if index % 2 == 0 {
                "approved"
            } else {
                "declined"
            };
            let callback = world
                .kit
                .gateway
                .callback(&order_of(&started), status, "100.00");
            world
                .kit
                .billing
                .complete_purchase(&GatewayName::new("testpay"), callback, None)
                .await
                .unwrap();
            started.purchase.id
        }));
    }
    let mut sequences = Vec::new();
    for task in tasks {
        let purchase_id = task.await.unwrap();
        for invoice in world
            .kit
            .store
            .purchase_invoices(purchase_id)
            .await
            .unwrap()
        {
            sequences.push(invoice.number.sequence);
        }
    }
    sequences.sort_unstable();
    assert_eq!(sequences, (1..=8).collect::<Vec<u32>>());
}

/// Contract case: a payment the gateway charged but the store's rules refuse (half-secure 3-D
/// Secure) grants nothing and is voided at once; a repeat of its callback changes nothing.
pub async fn a_charged_but_refused_payment_is_voided_and_grants_nothing<S: Store + 'static>(
    store: Arc<S>,
) {
    let world = world(store).await;
    let started = world
        .start(&world.small, ForfeitConfirmation::NotConfirmed)
        .await
        .unwrap();
    let completion = world
        .complete(&started, "charged_but_refused", "100.00")
        .await;
    assert!(
        matches!(completion, PurchaseCompletion::Declined(_)),
        "{completion:?}"
    );
    let again = world
        .complete(&started, "charged_but_refused", "100.00")
        .await;
    assert!(
        matches!(again, PurchaseCompletion::AlreadyProcessed(_)),
        "{again:?}"
    );
    assert_eq!(world.holding().await, Holding::Nothing);
    assert_eq!(
        world.payment_status(started.purchase.id).await,
        PaymentStatus::Voided
    );
    assert_eq!(
        world.kit.gateway.operations(),
        vec![format!("void {}", order_of(&started))],
        "voided once"
    );
    assert!(
        world
            .kit
            .store
            .purchase_invoices(started.purchase.id)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Contract case.
pub async fn a_webhook_event_is_acted_on_once_and_a_forged_one_changes_nothing<
    S: Store + 'static,
>(
    store: Arc<S>,
) {
    let world = world(store).await;
    let testpay = GatewayName::new("testpay");
    let started = world
        .start(&world.small, ForfeitConfirmation::NotConfirmed)
        .await
        .unwrap();
    let order = order_of(&started);

    // Forged: a declined payment turned into an approval. Nothing changes, nothing recorded.
    let mut forged = world
        .kit
        .gateway
        .webhook("evt_1", "payment", &order, "declined", "100.00");
    for (name, value) in &mut forged.fields {
        if name == "status" {
            *value = "approved".to_owned();
        }
    }
    let refused = world
        .kit
        .billing
        .process_webhook(&testpay, forged, None)
        .await;
    assert!(
        matches!(
            refused,
            Err(WebhookError::Gateway(GatewayError::InvalidSignature))
        ),
        "{refused:?}"
    );
    assert_eq!(
        world
            .kit
            .store
            .purchase(started.purchase.id)
            .await
            .unwrap()
            .status,
        PurchaseStatus::Pending
    );

    // The genuine event settles the purchase; its redelivery is a duplicate; another event
    // about the same payment finds it settled.
    let first = world
        .webhook("evt_1", "payment", &order, "approved", "100.00")
        .await
        .unwrap();
    assert!(
        matches!(
            first,
            WebhookOutcome::Payment(PurchaseCompletion::Completed(_))
        ),
        "{first:?}"
    );
    assert!(matches!(
        world
            .webhook("evt_1", "payment", &order, "approved", "100.00")
            .await
            .unwrap(),
        WebhookOutcome::Duplicate
    ));
    assert!(matches!(
        world
            .webhook("evt_2", "payment", &order, "approved", "100.00")
            .await
            .unwrap(),
        WebhookOutcome::Payment(PurchaseCompletion::AlreadyProcessed(_))
    ));
    assert_eq!(world.balance().await, Credits::from_u32(10), "granted once");
    assert!(matches!(
        world
            .webhook("evt_3", "other", &order, "approved", "100.00")
            .await
            .unwrap(),
        WebhookOutcome::Ignored
    ));
    assert!(matches!(
        world
            .webhook("evt_3", "other", &order, "approved", "100.00")
            .await
            .unwrap(),
        WebhookOutcome::Duplicate
    ));
    // An event about an order Kasa never started changes nothing.
    let stranger = world.kit.gateway.webhook(
        "evt_4",
        "payment",
        &OrderId("not-ours".to_owned()),
        "approved",
        "100.00",
    );
    assert!(matches!(
        world
            .kit
            .billing
            .process_webhook(&testpay, stranger, None)
            .await,
        Ok(WebhookOutcome::UnknownPayment(_))
    ));
}

/// Contract case.
pub async fn a_refund_made_at_the_gateway_is_recorded_once_with_its_credit_note<
    S: Store + 'static,
>(
    store: Arc<S>,
) {
    let world = world(store).await;
    let started = world
        .start(&world.small, ForfeitConfirmation::NotConfirmed)
        .await
        .unwrap();
    world.complete(&started, "approved", "100.00").await;
    let purchase_id = started.purchase.id;
    let order = order_of(&started);

    // 40.00 refunded in the gateway's dashboard: recorded once, with its credit note.
    assert!(matches!(
        world
            .webhook("evt_r1", "refund", &order, "refunded", "40.00")
            .await
            .unwrap(),
        WebhookOutcome::Refund { recorded: true }
    ));
    assert!(matches!(
        world
            .webhook("evt_r1", "refund", &order, "refunded", "40.00")
            .await
            .unwrap(),
        WebhookOutcome::Duplicate
    ));
    assert!(matches!(
        world
            .webhook("evt_r2", "refund", &order, "refunded", "40.00")
            .await
            .unwrap(),
        WebhookOutcome::Refund { recorded: false }
    ));
    assert_eq!(
        world.payment_status(purchase_id).await,
        PaymentStatus::PartiallyRefunded
    );
    assert_eq!(
        world.balance().await,
        Credits::from_u32(10),
        "a partial refund keeps the package"
    );

    // Kasa's own refund comes back as the gateway's new total: nothing more is recorded.
    world
        .act(purchase_id, refund(Some("10.00")), None)
        .await
        .unwrap();
    assert!(matches!(
        world
            .webhook("evt_r3", "refund", &order, "refunded", "50.00")
            .await
            .unwrap(),
        WebhookOutcome::Refund { recorded: false }
    ));
    // The rest refunded at the gateway: the package is taken back.
    assert!(matches!(
        world
            .webhook("evt_r4", "refund", &order, "refunded", "100.00")
            .await
            .unwrap(),
        WebhookOutcome::Refund { recorded: true }
    ));
    assert_eq!(
        world.payment_status(purchase_id).await,
        PaymentStatus::Refunded
    );
    assert_eq!(world.balance().await, Credits::from_u32(0));
    let notes: Vec<String> = world
        .kit
        .store
        .purchase_invoices(purchase_id)
        .await
        .unwrap()
        .into_iter()
        .filter(|invoice| invoice.issued.kind == kasa_ports::InvoiceKind::CreditNote)
        .map(|invoice| invoice.issued.total.gross.amount().to_string())
        .collect();
    assert_eq!(notes, ["40.00", "10.00", "50.00"]);
    let actors: Vec<String> = world
        .kit
        .store
        .payment_actions(purchase_id)
        .await
        .unwrap()
        .into_iter()
        .map(|action| action.actor.to_string())
        .collect();
    assert_eq!(actors[0], "system:testpay-webhook", "{actors:?}");
    // The gateway was asked only for Kasa's own refund.
    assert_eq!(
        world.kit.gateway.operations(),
        vec![format!("refund {order} 10.00 TRY")]
    );
}

/// Contract case.
pub async fn a_renewing_subscription_applies_each_paid_period_once_and_stops_at_the_gateway<
    S: Store + 'static,
>(
    store: Arc<S>,
) {
    let world = world(store).await;
    let start = |package: &Package| StartRecurring {
        customer_id: world.ayse.id,
        package_id: package.id,
        gateway: GatewayName::new("testpay"),
        context: agent_context("customer wants it to renew"),
    };
    assert!(matches!(
        world.kit.billing.start_recurring(start(&world.small)).await,
        Err(StartRecurringError::NotASubscription)
    ));
    let recurring = world
        .kit
        .billing
        .start_recurring(start(&world.monthly))
        .await
        .unwrap();
    assert_eq!(recurring.state, RecurringState::Active);
    assert!(matches!(
        world
            .kit
            .billing
            .start_recurring(start(&world.monthly))
            .await,
        Err(StartRecurringError::AlreadyRecurring(_))
    ));
    assert_eq!(
        world.kit.gateway.operations(),
        vec!["start_recurring Aylık 250.00 TRY every 30 days".to_owned()],
        "the gateway was asked once"
    );
    assert_eq!(
        world.holding().await,
        Holding::Nothing,
        "nothing before the first payment"
    );

    // The first period paid: a purchase of the package, applied once however often reported.
    let subscription = OrderId(recurring.subscription.0.clone());
    let paid = |event: &'static str, invoice: &'static str| {
        world.webhook(event, "recurring_paid", &subscription, invoice, "250.00")
    };
    assert!(matches!(
        paid("evt_p1", "in_1").await.unwrap(),
        WebhookOutcome::Payment(PurchaseCompletion::Completed(_))
    ));
    assert!(matches!(
        paid("evt_p1_again", "in_1").await.unwrap(),
        WebhookOutcome::Payment(PurchaseCompletion::AlreadyProcessed(_))
    ));
    let Holding::Subscription(first) = world.holding().await else {
        panic!("a subscription after the first period");
    };
    assert_eq!(first.ends_at(), TestBilling::START + days(30));

    // The next period, charged when the first ends: the term continues where it ended.
    world.kit.clock.advance(days(29));
    assert!(matches!(
        paid("evt_p2", "in_2").await.unwrap(),
        WebhookOutcome::Payment(PurchaseCompletion::Completed(_))
    ));
    let Holding::Subscription(renewed) = world.holding().await else {
        panic!("still a subscription");
    };
    assert_eq!(renewed.ends_at(), TestBilling::START + days(60));
    let invoiced = world
        .kit
        .store
        .customer_purchases(world.ayse.id, 10)
        .await
        .unwrap()
        .iter()
        .filter(|purchase| purchase.status == PurchaseStatus::Completed)
        .count();
    assert_eq!(invoiced, 2, "one purchase per paid period");
    let renewal = world
        .kit
        .store
        .purchase_by_order(GatewayName::new("testpay"), OrderId("in_2".to_owned()))
        .await
        .unwrap();
    assert_eq!(
        renewal.payment.and_then(|payment| payment.reference),
        Some(GatewayReference("pay-in_2".to_owned())),
        "refunds of a period go through the gateway's payment, not its invoice"
    );

    // Cancelled at the end: the gateway stops renewing; the paid time runs on.
    world
        .kit
        .billing
        .cancel_subscription(
            world.ayse.id,
            CancellationTiming::AtEnd,
            false,
            Vec::new(),
            agent_context("customer asked"),
        )
        .await
        .unwrap();
    assert_eq!(
        world.kit.gateway.operations().last().unwrap(),
        &format!("cancel_recurring {} at period end", recurring.subscription)
    );
    let states = |found: Vec<kasa_ports::Recurring>| {
        found
            .into_iter()
            .map(|recurring| recurring.state)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        states(
            world
                .kit
                .store
                .customer_recurring(world.ayse.id)
                .await
                .unwrap()
        ),
        [RecurringState::Cancelling]
    );
    // The gateway ends it at the period's end.
    assert!(matches!(
        world
            .webhook("evt_end", "recurring_ended", &subscription, "-", "0")
            .await
            .unwrap(),
        WebhookOutcome::RecurringEnded { ended: true }
    ));
    assert_eq!(
        states(
            world
                .kit
                .store
                .customer_recurring(world.ayse.id)
                .await
                .unwrap()
        ),
        [RecurringState::Ended]
    );
    assert!(
        world
            .audit_actions()
            .await
            .iter()
            .filter(|action| action.starts_with("recurring."))
            .count()
            >= 3,
        "started, cancelled and ended are audited"
    );
    // A late "stop at the end" never revives an ended one.
    let late = kasa_ports::Recurring {
        state: RecurringState::Cancelling,
        ..recurring.clone()
    };
    world
        .kit
        .store
        .save_recurring(
            late.clone(),
            kasa_ports::AuditRecord {
                action: "recurring.cancelled".to_owned(),
                subject: format!("customer:{}", world.ayse.id),
                before: None,
                after: None,
            },
            agent_context("late"),
        )
        .await
        .unwrap();
    assert_eq!(
        states(
            world
                .kit
                .store
                .customer_recurring(world.ayse.id)
                .await
                .unwrap()
        ),
        [RecurringState::Ended]
    );
    // One running at a time: a second one (started at the same moment) is refused by the store.
    world.kit.clock.advance(days(2));
    let again = world
        .kit
        .billing
        .start_recurring(start(&world.monthly))
        .await
        .unwrap();
    let second = kasa_ports::Recurring {
        subscription: GatewayReference("sub-raced".to_owned()),
        state: RecurringState::Active,
        ..again
    };
    assert!(matches!(
        world
            .kit
            .store
            .save_recurring(
                second,
                kasa_ports::AuditRecord {
                    action: "recurring.started".to_owned(),
                    subject: format!("customer:{}", world.ayse.id),
                    before: None,
                    after: None,
                },
                agent_context("race"),
            )
            .await,
        Err(kasa_ports::StoreError::AlreadyExists { .. })
    ));
    // A period of a subscription Kasa has not recorded (yet: the gateway may report it before
    // Kasa has saved what it just set up) changes nothing and is delivered again.
    assert!(matches!(
        world
            .webhook(
                "evt_x",
                "recurring_paid",
                &OrderId("sub-unknown".to_owned()),
                "in_9",
                "250.00"
            )
            .await,
        Err(WebhookError::RetryLater)
    ));
}

/// Contract case: a worker that died while sending holds back only the message it was sending,
/// and only for the lease; the others go at once. Every message is sent with its own stable
/// identity (the Message-ID), the same on a resend, so a receiver can drop a duplicate.
pub async fn a_dead_worker_holds_back_only_its_own_message_which_keeps_its_identity<
    S: Store + 'static,
>(
    store: Arc<S>,
) {
    let world = world(store).await;
    world
        .pay(&world.small, ForfeitConfirmation::NotConfirmed)
        .await;
    world
        .pay(&world.large, ForfeitConfirmation::NotConfirmed)
        .await;
    let queued = world.outbox().await.len();
    assert!(queued >= 4, "two purchases, two copies each: {queued}");
    // A worker hands a message to a mail server that holds it, and dies meanwhile.
    world.kit.mailer.hang(true);
    let worker = {
        let billing = world.kit.billing.clone();
        tokio::spawn(async move { billing.deliver_due_notifications(50).await })
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while world.kit.mailer.hanging_attempts().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the worker never sent"
        );
        tokio::task::yield_now().await;
    }
    worker.abort();
    let _ = worker.await;
    let held = world.kit.mailer.hanging_attempts().remove(0);
    world.kit.mailer.hang(false);
    let report = world
        .kit
        .billing
        .deliver_due_notifications(50)
        .await
        .unwrap();
    assert_eq!(
        report.sent as usize,
        queued - 1,
        "every other message goes at once"
    );
    world.kit.clock.advance(time::Duration::seconds(121));
    let report = world
        .kit
        .billing
        .deliver_due_notifications(50)
        .await
        .unwrap();
    assert_eq!(
        report.sent, 1,
        "the held message goes once its lease is over"
    );
    let sent = world.kit.mailer.sent();
    let identities: std::collections::BTreeSet<String> = sent
        .iter()
        .map(|message| message.identity.clone().expect("an identity"))
        .collect();
    assert_eq!(identities.len(), queued, "one identity per message");
    assert!(held.identity.is_some());
    assert_eq!(
        sent.last().and_then(|message| message.identity.clone()),
        held.identity,
        "the resent message carries the identity its first attempt had"
    );
}

/// Contract case.
pub async fn a_charged_grant_is_refunded_by_record_and_never_voided<S: Store + 'static>(
    store: Arc<S>,
) {
    let world = world(store).await;
    let applied = world
        .kit
        .billing
        .grant_package(GrantPackage {
            customer_id: world.ayse.id,
            package_id: world.small.id,
            confirmation: ForfeitConfirmation::NotConfirmed,
            charged: true,
            context: agent_context("paid by bank transfer"),
        })
        .await
        .unwrap();
    let purchase_id = applied.purchase.id;
    assert_eq!(world.balance().await, Credits::from_u32(10));

    // No gateway holds a bank transfer: a void is refused with its own reason.
    assert!(matches!(
        world.act(purchase_id, RequestedAction::Void, None).await,
        Err(PaymentActionError::NotVoidable)
    ));
    // A partial refund records money given back outside Kasa, with its credit note.
    let part = world
        .act(purchase_id, refund(Some("40.00")), None)
        .await
        .expect("a manual payment's refund is recorded");
    assert_eq!(
        part.finished.document.as_ref().map(|note| note.issued.kind),
        Some(kasa_ports::InvoiceKind::CreditNote)
    );
    assert_eq!(
        world.payment_status(purchase_id).await,
        PaymentStatus::PartiallyRefunded
    );
    assert_eq!(world.balance().await, Credits::from_u32(10));
    // The rest takes the package back, as a gateway refund does.
    let rest = world.act(purchase_id, refund(None), None).await.unwrap();
    assert_eq!(rest.finished.action.amount, crate::try_money("60.00"));
    assert_eq!(rest.finished.credits_reversed, Some(Credits::from_u32(10)));
    assert_eq!(world.balance().await, Credits::from_u32(0));
    assert_eq!(
        world.payment_status(purchase_id).await,
        PaymentStatus::Refunded
    );
    assert!(
        world.kit.gateway.operations().is_empty(),
        "no gateway is called for a manual payment"
    );
    let audit = world.audit_actions().await;
    assert_eq!(
        audit
            .iter()
            .filter(|action| *action == "payment.refund_succeeded")
            .count(),
        2
    );
}

/// Contract case.
pub async fn an_authorise_only_checkout_is_voided_when_left_uncaptured<S: Store + 'static>(
    store: Arc<S>,
) {
    let world = world(store).await;
    let testpay = GatewayName::new("testpay");
    assert_eq!(
        world
            .kit
            .billing
            .checkout_capture_mode(&testpay)
            .await
            .unwrap(),
        CaptureMode::Immediate,
        "immediate unless the payment system says otherwise"
    );
    let mut configuration = serde_json::Map::new();
    configuration.insert("capture".to_owned(), "authorise_only".into());
    world
        .kit
        .store
        .save_payment_system(
            kasa_ports::PaymentSystemChange {
                gateway: testpay.clone(),
                enabled: true,
                configuration,
                credentials: std::collections::BTreeMap::new(),
            },
            agent_context("setup"),
            TestBilling::START,
        )
        .await
        .unwrap();
    let capture = world
        .kit
        .billing
        .checkout_capture_mode(&testpay)
        .await
        .unwrap();
    assert_eq!(capture, CaptureMode::AuthoriseOnly);
    let started = world
        .kit
        .billing
        .start_purchase(StartPurchase {
            coupon_code: None,
            customer_id: world.ayse.id,
            package_id: world.small.id,
            gateway: testpay.clone(),
            confirmation: ForfeitConfirmation::NotConfirmed,
            capture,
            success_url: "https://kasa.example/ok".to_owned(),
            failure_url: "https://kasa.example/fail".to_owned(),
            context: customer_context(&world.ayse),
        })
        .await
        .unwrap();
    assert_eq!(
        world
            .kit
            .gateway
            .started()
            .last()
            .map(|start| start.capture),
        Some(CaptureMode::AuthoriseOnly)
    );
    world.complete(&started, "authorised", "100.00").await;
    let purchase_id = started.purchase.id;
    assert_eq!(world.balance().await, Credits::from_u32(10));

    // Within its time the authorisation waits for an agent.
    let expiry = world
        .kit
        .billing
        .void_uncaptured_authorisations(days(7), 100)
        .await
        .unwrap();
    assert!(expiry.is_empty());
    world.kit.clock.advance(days(8));
    let expiry = world
        .kit
        .billing
        .void_uncaptured_authorisations(days(7), 100)
        .await
        .unwrap();
    assert_eq!(expiry.len(), 1);
    let voided = expiry[0].as_ref().expect("voided");
    assert_eq!(
        voided.finished.action.actor,
        kasa_domain::Actor::System {
            job: "authorisation-expiry".to_owned()
        }
    );
    assert_eq!(
        world.payment_status(purchase_id).await,
        PaymentStatus::Voided
    );
    assert_eq!(world.balance().await, Credits::from_u32(0), "taken back");
    assert_eq!(
        world.kit.gateway.operations(),
        vec![format!("void {}", order_of(&started))]
    );
    assert!(
        world
            .kit
            .billing
            .void_uncaptured_authorisations(days(7), 100)
            .await
            .unwrap()
            .is_empty(),
        "voided once"
    );
}

/// Contract case.
pub async fn a_payment_action_left_requested_is_resolved_from_the_gateway<S: Store + 'static>(
    store: Arc<S>,
) {
    use kasa_ports::PaymentGateway as _;
    let world = world(store).await;
    let started = world
        .start(&world.small, ForfeitConfirmation::NotConfirmed)
        .await
        .unwrap();
    world.complete(&started, "approved", "100.00").await;
    let purchase_id = started.purchase.id;
    let order = order_of(&started);
    world
        .kit
        .gateway
        .set_status(&order, PaymentResultStatus::Captured);
    let handle = world
        .kit
        .store
        .purchase(purchase_id)
        .await
        .unwrap()
        .payment
        .unwrap()
        .handle();
    let begin = |amount: &str, expected_actions: u32| kasa_ports::NewPaymentAction {
        id: kasa_ports::new_id(),
        purchase_id,
        kind: kasa_ports::PaymentActionKind::Refund,
        amount: crate::try_money(amount),
        expected_actions,
        gives_back: true,
        given_back_check: None,
        context: agent_context("customer asked"),
        at: kasa_ports::Clock::now(world.kit.clock.as_ref()),
    };

    // The gateway refunded 30.00, and Kasa crashed before recording its answer.
    world
        .kit
        .store
        .begin_payment_action(begin("30.00", 0))
        .await
        .unwrap();
    world
        .kit
        .gateway
        .refund(handle.clone(), crate::try_money("30.00"))
        .await
        .unwrap();
    assert!(matches!(
        world.act(purchase_id, refund(Some("5.00")), None).await,
        Err(PaymentActionError::InProgress)
    ));
    let fresh = world
        .kit
        .billing
        .resolve_stuck_payment_actions(time::Duration::minutes(10), 100)
        .await
        .unwrap();
    assert!(fresh.is_empty(), "an action in flight is left alone");
    world.kit.clock.advance(time::Duration::minutes(11));
    let resolved = world
        .kit
        .billing
        .resolve_stuck_payment_actions(time::Duration::minutes(10), 100)
        .await
        .unwrap();
    assert_eq!(resolved.len(), 1);
    let kasa_billing::ResolvedAction::Succeeded(finished) = &resolved[0] else {
        panic!("the gateway shows the refund: {resolved:?}")
    };
    assert_eq!(
        finished.document.as_ref().map(|note| note.issued.kind),
        Some(kasa_ports::InvoiceKind::CreditNote)
    );
    assert_eq!(
        world.payment_status(purchase_id).await,
        PaymentStatus::PartiallyRefunded
    );

    // A refund the gateway never saw is failed: nothing moved.
    world
        .kit
        .store
        .begin_payment_action(begin("20.00", 1))
        .await
        .unwrap();
    world.kit.clock.advance(time::Duration::minutes(11));
    let resolved = world
        .kit
        .billing
        .resolve_stuck_payment_actions(time::Duration::minutes(10), 100)
        .await
        .unwrap();
    assert!(
        matches!(&resolved[..], [kasa_billing::ResolvedAction::Failed(_)]),
        "{resolved:?}"
    );
    assert_eq!(
        world.payment_status(purchase_id).await,
        PaymentStatus::PartiallyRefunded
    );
    // The payment is free again.
    let done = world
        .act(purchase_id, refund(Some("10.00")), None)
        .await
        .unwrap();
    assert_eq!(done.finished.action.amount, crate::try_money("10.00"));
    let audit = world.audit_actions().await;
    assert!(audit.contains(&"payment.refund_failed".to_owned()));
    assert_eq!(
        audit
            .iter()
            .filter(|action| *action == "payment.refund_succeeded")
            .count(),
        2
    );
}

fn agent_number(number: u128) -> ActionContext {
    ActionContext {
        actor: kasa_domain::Actor::Agent {
            user_id: kasa_domain::UserId::from_uuid(uuid::Uuid::from_u128(number)),
        },
        ..agent_context("approved after a call")
    }
}

impl<S: Store + 'static> World<S> {
    /// Turns four-eyes approval on above 50.00 TRY, requests expiring after `minutes`.
    async fn four_eyes(&self, minutes: u32) {
        let mut settings = self.kit.store.billing_settings().await.unwrap();
        settings.four_eyes = kasa_ports::FourEyesSettings {
            thresholds: vec![crate::try_money("50.00")],
            expires_after_minutes: minutes,
        };
        self.kit
            .store
            .save_billing_settings(settings, agent_context("four eyes"), TestBilling::START)
            .await
            .unwrap();
    }

    /// A refund by the first agent that becomes an approval request.
    async fn requested_refund(
        &self,
        purchase_id: kasa_domain::PurchaseId,
        amount: &str,
    ) -> kasa_ports::ApprovalRequest {
        match self
            .kit
            .billing
            .give_back_or_request_approval(ActOnPayment {
                purchase_id,
                action: refund(Some(amount)),
                refund_limits: Vec::new(),
                context: agent_context("customer asked"),
            })
            .await
            .unwrap()
        {
            kasa_billing::GiveBackOutcome::PendingApproval(request) => *request,
            kasa_billing::GiveBackOutcome::Done(done) => panic!("ran without approval: {done:?}"),
        }
    }

    async fn decide(
        &self,
        id: kasa_domain::ApprovalRequestId,
        context: ActionContext,
    ) -> kasa_billing::DecideApproval {
        kasa_billing::DecideApproval {
            id,
            refund_limits: Vec::new(),
            context,
        }
    }

    fn refunds_at_gateway(&self) -> usize {
        self.kit
            .gateway
            .operations()
            .iter()
            .filter(|operation| operation.starts_with("refund"))
            .count()
    }
}

/// Contract case: with four eyes on, a refund above the threshold waits; the requester cannot
/// approve it; another agent's approval runs it once (a second approval is refused), and a
/// refund at or below the threshold runs at once.
pub async fn a_refund_above_the_four_eyes_threshold_runs_once_when_another_agent_approves<
    S: Store + 'static,
>(
    store: Arc<S>,
) {
    use kasa_billing::{ApprovalError, ApprovalListing, GiveBackOutcome};
    use kasa_ports::ApprovalRequestState;
    let world = world(store).await;
    world.four_eyes(24 * 60).await;
    let purchase_id = world.paid_small().await;
    let request = world.requested_refund(purchase_id, "80.00").await;
    assert_eq!(request.state, ApprovalRequestState::Pending);
    assert_eq!(request.amount, crate::try_money("80.00"));
    assert_eq!(world.refunds_at_gateway(), 0, "nothing moved yet");
    let listed = world
        .kit
        .billing
        .approval_requests(ApprovalListing::Pending, 10)
        .await
        .unwrap();
    assert_eq!(listed, vec![request.clone()]);

    let own = world
        .kit
        .billing
        .approve_request(world.decide(request.id, agent_context("mine")).await)
        .await;
    assert!(
        matches!(own, Err(ApprovalError::ApproverIsRequester)),
        "{own:?}"
    );

    let (approved, done) = world
        .kit
        .billing
        .approve_request(world.decide(request.id, other_agent_context()).await)
        .await
        .expect("another agent approves");
    assert_eq!(approved.state, ApprovalRequestState::Approved);
    assert_eq!(approved.payment_action_id, Some(done.finished.action.id));
    assert_eq!(done.finished.action.actor, other_agent_context().actor);
    assert!(done.finished.document.is_some(), "a credit note");
    assert_eq!(world.refunds_at_gateway(), 1);
    let again = world
        .kit
        .billing
        .approve_request(world.decide(request.id, agent_number(9)).await)
        .await;
    assert!(
        matches!(again, Err(ApprovalError::Closed { .. })),
        "{again:?}"
    );
    assert_eq!(world.refunds_at_gateway(), 1);

    // At or below the threshold nobody else is asked.
    let small = world
        .kit
        .billing
        .give_back_or_request_approval(ActOnPayment {
            purchase_id,
            action: refund(Some("20.00")),
            refund_limits: Vec::new(),
            context: agent_context("customer asked"),
        })
        .await
        .unwrap();
    assert!(matches!(small, GiveBackOutcome::Done(_)));
    let audit = world
        .kit
        .store
        .audit_entries(AuditQuery {
            limit: 1000,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    for action in ["refund.approval_requested", "refund.approved"] {
        assert!(
            audit.iter().any(|entry| entry.record.action == action),
            "{action} audited"
        );
    }
}

/// Contract case: a rejected request moves nothing and cannot be approved afterwards; the
/// requester cannot reject it; an expired one cannot be approved and is listed as expired.
pub async fn a_rejected_or_expired_approval_request_moves_nothing<S: Store + 'static>(
    store: Arc<S>,
) {
    use kasa_billing::{ApprovalError, ApprovalListing};
    use kasa_ports::ApprovalRequestState;
    let world = world(store).await;
    world.four_eyes(60).await;
    let purchase_id = world.paid_small().await;
    let request = world.requested_refund(purchase_id, "80.00").await;
    let own = world
        .kit
        .billing
        .reject_request(world.decide(request.id, agent_context("never mind")).await)
        .await;
    assert!(
        matches!(own, Err(ApprovalError::ApproverIsRequester)),
        "{own:?}"
    );
    let rejected = world
        .kit
        .billing
        .reject_request(world.decide(request.id, other_agent_context()).await)
        .await
        .unwrap();
    assert_eq!(rejected.state, ApprovalRequestState::Rejected);
    assert_eq!(rejected.decided_by, Some(other_agent_context().actor));
    let after = world
        .kit
        .billing
        .approve_request(world.decide(request.id, agent_number(9)).await)
        .await;
    assert!(
        matches!(after, Err(ApprovalError::Closed { .. })),
        "{after:?}"
    );
    assert_eq!(world.refunds_at_gateway(), 0);
    assert!(
        world
            .kit
            .store
            .audit_entries(AuditQuery {
                limit: 1000,
                ..AuditQuery::default()
            })
            .await
            .unwrap()
            .iter()
            .any(|entry| entry.record.action == "refund.rejected")
    );

    let expiring = world.requested_refund(purchase_id, "70.00").await;
    world.kit.clock.advance(time::Duration::minutes(60));
    let late = world
        .kit
        .billing
        .approve_request(world.decide(expiring.id, other_agent_context()).await)
        .await;
    assert!(matches!(late, Err(ApprovalError::Expired)), "{late:?}");
    assert_eq!(world.refunds_at_gateway(), 0);
    let billing = &world.kit.billing;
    assert!(
        billing
            .approval_requests(ApprovalListing::Pending, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let expired = billing
        .approval_requests(ApprovalListing::Expired, 10)
        .await
        .unwrap();
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0].id, expiring.id);
}

/// Contract case: eight agents approving one request at once run its refund once.
pub async fn concurrent_approvals_run_the_give_back_once<S: Store + 'static>(store: Arc<S>) {
    use kasa_billing::ApprovalError;
    let world = Arc::new(world(store).await);
    world.four_eyes(24 * 60).await;
    let purchase_id = world.paid_small().await;
    let request = world.requested_refund(purchase_id, "100.00").await;
    let mut tasks = Vec::new();
    for number in 0..8 {
        let world = world.clone();
        tasks.push(tokio::spawn(async move {
            let decision = world.decide(request.id, agent_number(100 + number)).await;
            world.kit.billing.approve_request(decision).await
        }));
    }
    let mut approved = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => approved += 1,
            Err(ApprovalError::Closed { .. }) => {}
            Err(other) => panic!("unexpected: {other:?}"),
        }
    }
    assert_eq!(approved, 1);
    assert_eq!(world.refunds_at_gateway(), 1, "the bank was asked once");
    assert_eq!(
        world
            .kit
            .store
            .purchase_invoices(purchase_id)
            .await
            .unwrap()
            .len(),
        2,
        "the invoice and one credit note"
    );
}

/// Contract case: a cancellation's prorated refund above the four-eyes threshold is not a way
/// around approval: it becomes an approval request (the cancellation itself is done).
pub async fn a_prorated_refund_above_the_four_eyes_threshold_waits_for_approval<
    S: Store + 'static,
>(
    store: Arc<S>,
) {
    let world = world(store).await;
    world.four_eyes(24 * 60).await;
    world
        .pay(&world.monthly, ForfeitConfirmation::NotConfirmed)
        .await;
    world.kit.clock.advance(days(10) + time::Duration::hours(1));
    let cancelled = world.cancel_now_with_prorated_refund().await;
    assert_eq!(cancelled.holding, Holding::Nothing);
    let Ok(kasa_billing::GiveBackOutcome::PendingApproval(request)) = &cancelled.refunds[0].outcome
    else {
        panic!("waits for approval: {:?}", cancelled.refunds[0].outcome);
    };
    assert_eq!(request.amount, crate::try_money("158.33"));
    assert_eq!(world.refunds_at_gateway(), 0);
    let (approved, _) = world
        .kit
        .billing
        .approve_request(world.decide(request.id, other_agent_context()).await)
        .await
        .expect("another agent approves");
    assert_eq!(approved.state, kasa_ports::ApprovalRequestState::Approved);
    assert_eq!(world.refunds_at_gateway(), 1);
}
