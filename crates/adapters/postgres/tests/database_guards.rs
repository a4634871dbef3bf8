//! The database itself refuses what must never happen, whatever SQL reaches it: these tests
//! bypass Kasa's code and send the forbidden statements straight to SQLite and PostgreSQL.

mod support;

use std::sync::Arc;

use kasa_domain::{Credits, Holding, Language, Reason, UsageKey, UsageKind};
use kasa_ports::{
    AuditRecord, CaptureMode, ChargeBasis, ChargeStore, GatewayName, InvoiceStore,
    NewPaymentAction, NewPurchase, NewUsageCharge, OrderId, Payment, PaymentActionKind,
    PaymentActionStore, PaymentFailure, PaymentStatus, PurchaseApplication, PurchaseStatus,
    PurchaseStore, PurchaseTarget, new_id,
};
use kasa_postgres::{Backend, SqlStore};
use kasa_subscriptions::{ForfeitConfirmation, PurchaseChannel, decide_purchase};
use kasa_testkit::{
    TestBilling, agent_context, credit_package, customer, department, help_desk_actor,
};
use sea_orm::{ConnectionTrait, DbErr, SqlErr};

/// A store with one customer who was granted ten credits and used one on ticket T-1, and one
/// pending and one failed purchase paid through `testpay`.
async fn books(store: Arc<SqlStore>) {
    let kit = TestBilling::on(store.clone());
    let support = department("Teknik Destek", 1);
    let ten = credit_package("10 kredi", 10, "100.00", &[support.id]);
    kit.with_catalog(std::slice::from_ref(&support), std::slice::from_ref(&ten))
        .await;
    let ayse = customer("ayse@example.com", Language::Tr);
    kit.with_customer(&ayse).await;
    let purchase = |order: Option<&str>| NewPurchase {
        id: new_id(),
        customer_id: ayse.id,
        item: kasa_ports::PurchaseItem::Package(ten.clone()),
        channel: PurchaseChannel::AgentGrant,
        forfeit_confirmation: ForfeitConfirmation::NotConfirmed,
        started_by: agent_context("goodwill"),
        created_at: TestBilling::START,
        payment: order.map(|order| Payment {
            id: new_id(),
            gateway: GatewayName::new("testpay"),
            order_id: OrderId(order.to_owned()),
            amount: ten.price,
            capture: CaptureMode::Immediate,
            status: PaymentStatus::Pending,
            reference: None,
            failure: None,
            card: None,
        }),
        coupon: None,
    };
    let decision = decide_purchase(
        &ten,
        &Holding::Nothing,
        TestBilling::START,
        PurchaseChannel::AgentGrant,
        ForfeitConfirmation::NotConfirmed,
    )
    .unwrap();
    let audit = |action: &str| AuditRecord {
        action: action.to_owned(),
        subject: format!("customer:{}", ayse.id),
        before: None,
        after: None,
    };
    store
        .apply_purchase(PurchaseApplication {
            target: PurchaseTarget::New {
                purchase: Box::new(purchase(None)),
            },
            customer_id: ayse.id,
            expected_version: 0,
            decision: Some(decision),
            settlement: None,
            audit: audit("purchase.completed"),
            forfeiture_confirmation: None,
            notifications: Vec::new(),
            invoice: None,
            context: agent_context("goodwill"),
            at: TestBilling::START,
        })
        .await
        .unwrap();
    store
        .record_charge(NewUsageCharge {
            id: new_id(),
            ledger_entry_id: new_id(),
            customer_id: ayse.id,
            department_id: support.id,
            usage: UsageKey::new(UsageKind::Ticket, "T-1").unwrap(),
            credits: Credits::from_u32(1),
            basis: ChargeBasis::Credits,
            actor: help_desk_actor(),
            reason: Reason::new("ticket T-1").unwrap(),
            at: TestBilling::START,
            low_balance_threshold: kasa_domain::Credits::from_u32(10),
        })
        .await
        .unwrap();
    for order in ["order-1", "order-2"] {
        store
            .create_pending_purchase(purchase(Some(order)))
            .await
            .unwrap();
    }
    let second = store
        .purchase_by_order(GatewayName::new("testpay"), OrderId("order-2".to_owned()))
        .await
        .unwrap();
    store
        .fail_purchase(PaymentFailure {
            purchase_id: second.id,
            purchase_status: PurchaseStatus::Failed,
            payment_status: PaymentStatus::Declined,
            reference: None,
            detail: "declined".to_owned(),
            audit: audit("purchase.failed"),
            context: agent_context("declined"),
            at: TestBilling::START,
        })
        .await
        .unwrap();
}

fn new_uuid_sql(store: &SqlStore) -> &'static str {
    match store.backend() {
        Backend::Postgres => "gen_random_uuid()",
        Backend::Sqlite => "randomblob(16)",
    }
}

async fn refused(store: &SqlStore, sql: &str) -> DbErr {
    match store.connection().execute_unprepared(sql).await {
        Ok(result) => panic!(
            "the database accepted `{sql}` ({} rows)",
            result.rows_affected()
        ),
        Err(error) => error,
    }
}

async fn count(store: &SqlStore, table: &str) -> i64 {
    store
        .connection()
        .query_one_raw(sea_orm::Statement::from_string(
            store.connection().get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap()
}

fn assert_unique_violation(error: &DbErr) {
    assert!(
        matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))),
        "expected a unique violation, got {error}"
    );
}

fn assert_message(error: &DbErr, words: &str) {
    let message = error.to_string().to_lowercase();
    assert!(message.contains(words), "expected `{words}` in: {message}");
}

async fn a_balance_never_goes_below_zero(store: Arc<SqlStore>) {
    books(store.clone()).await;
    let error = refused(
        &store,
        "UPDATE holdings SET credit_balance = credit_balance - 100",
    )
    .await;
    assert_message(&error, "check constraint");
    let ledger_error = refused(
        &store,
        &format!(
            "INSERT INTO credit_ledger (id, customer_id, entry_number, kind, delta, \
             balance_after, actor_kind, actor_id, reason, at) SELECT {}, customer_id, 99, \
             'adjusted', -100, -91, actor_kind, actor_id, reason, at FROM credit_ledger \
             WHERE kind = 'consumed'",
            new_uuid_sql(&store)
        ),
    )
    .await;
    assert_message(&ledger_error, "check constraint");
    assert_eq!(count(&store, "credit_ledger").await, 2);
}

async fn a_ticket_is_consumed_and_charged_once(store: Arc<SqlStore>) {
    books(store.clone()).await;
    let copy = |table: &str, columns: &str, filter: &str| {
        format!(
            "INSERT INTO {table} SELECT {}, {columns} FROM {table} WHERE {filter}",
            new_uuid_sql(&store)
        )
    };
    let ledger = copy(
        "credit_ledger",
        "customer_id, entry_number + 100, kind, delta, balance_after, actor_kind, actor_id, \
         reason, at, purchase_id, usage_kind, usage_reference, valuation",
        "kind = 'consumed'",
    );
    assert_unique_violation(&refused(&store, &ledger).await);
    let charge = copy(
        "usage_charges",
        "customer_id, department_id, usage_kind, usage_reference, credits, basis, \
         balance_after, actor_kind, actor_id, at",
        "usage_reference = 'T-1'",
    );
    assert_unique_violation(&refused(&store, &charge).await);
    assert_eq!(count(&store, "credit_ledger").await, 2);
    assert_eq!(count(&store, "usage_charges").await, 1);
}

async fn a_purchase_is_granted_once(store: Arc<SqlStore>) {
    books(store.clone()).await;
    let sql = format!(
        "INSERT INTO credit_ledger SELECT {}, customer_id, entry_number + 100, kind, delta, \
         balance_after, actor_kind, actor_id, reason, at, purchase_id, usage_kind, \
         usage_reference, valuation FROM credit_ledger WHERE kind = 'granted'",
        new_uuid_sql(&store)
    );
    assert_unique_violation(&refused(&store, &sql).await);
    assert_eq!(count(&store, "credit_ledger").await, 2);
}

async fn an_order_is_paid_and_completed_once(store: Arc<SqlStore>) {
    books(store.clone()).await;
    let error = refused(
        &store,
        "UPDATE payments SET order_id = 'order-1' WHERE order_id = 'order-2'",
    )
    .await;
    assert_unique_violation(&error);
    for sql in [
        // A completed purchase never returns to pending (and so cannot be completed again).
        "UPDATE purchases SET status = 'pending', completed_at = NULL, outcome = NULL \
         WHERE status = 'completed'",
        // Its completion time is written once.
        "UPDATE purchases SET completed_at = '2030-01-01T00:00:00.000000Z' WHERE status = 'completed'",
        // A failed purchase is never completed.
        "UPDATE purchases SET status = 'completed', completed_at = created_at, \
         outcome = package WHERE status = 'failed'",
    ] {
        assert_message(&refused(&store, sql).await, "kasa: ");
    }
    assert_eq!(
        count(&store, "purchases WHERE status = 'completed'").await,
        1
    );
    assert_eq!(count(&store, "purchases WHERE status = 'failed'").await, 1);
}

async fn history_is_never_rewritten(store: Arc<SqlStore>) {
    books(store.clone()).await;
    let mut statements = Vec::new();
    for table in [
        "credit_ledger",
        "audit_log",
        "usage_charges",
        "payment_events",
    ] {
        statements.push(format!("UPDATE {table} SET at = at"));
        statements.push(format!("DELETE FROM {table}"));
        if store.backend() == Backend::Postgres {
            statements.push(format!("TRUNCATE {table} CASCADE"));
        }
    }
    let before: Vec<i64> = {
        let mut counts = Vec::new();
        for table in [
            "credit_ledger",
            "audit_log",
            "usage_charges",
            "payment_events",
        ] {
            counts.push(count(&store, table).await);
        }
        counts
    };
    for sql in &statements {
        assert_message(&refused(&store, sql).await, "append-only");
    }
    let mut after = Vec::new();
    for table in [
        "credit_ledger",
        "audit_log",
        "usage_charges",
        "payment_events",
    ] {
        after.push(count(&store, table).await);
    }
    assert_eq!(before, after);
    assert!(before.iter().all(|rows| *rows > 0), "{before:?}");
}

async fn invoices_are_never_rewritten(store: Arc<SqlStore>) {
    books(store.clone()).await;
    let purchase = store
        .purchase_by_order(GatewayName::new("testpay"), OrderId("order-1".to_owned()))
        .await
        .unwrap();
    let price = kasa_testkit::try_money("120.00");
    store
        .issue_invoice(kasa_ports::NewInvoice {
            id: new_id(),
            kind: kasa_ports::InvoiceKind::Invoice,
            series: "KSA".to_owned(),
            purchase_id: purchase.id,
            customer_id: purchase.customer_id,
            issued_at: TestBilling::START,
            total: kasa_domain::TaxedAmount {
                net: price,
                tax: kasa_domain::Money::zero(price.currency()),
                gross: price,
            },
            document: serde_json::json!({}),
            refers_to: None,
        })
        .await
        .unwrap();
    let mut statements = vec![
        "UPDATE invoices SET gross = net".to_owned(),
        "DELETE FROM invoices".to_owned(),
    ];
    if store.backend() == Backend::Postgres {
        statements.push("TRUNCATE invoices CASCADE".to_owned());
    }
    for sql in &statements {
        assert_message(&refused(&store, sql).await, "append-only");
    }
    assert_eq!(count(&store, "invoices").await, 1);
    // Two documents cannot share a number.
    let duplicate = format!(
        "INSERT INTO invoices SELECT {}, kind, series, year, sequence, purchase_id, customer_id, \
         issued_at, currency, net, tax, gross, document, refers_to, valuation, \
         ledger_entries_before FROM invoices",
        new_uuid_sql(&store)
    );
    assert_unique_violation(&refused(&store, &duplicate).await);
}

async fn a_payment_action_is_finished_once_and_one_at_a_time(store: Arc<SqlStore>) {
    books(store.clone()).await;
    let purchase = store
        .purchase_by_order(GatewayName::new("testpay"), OrderId("order-1".to_owned()))
        .await
        .unwrap();
    let new_action = || NewPaymentAction {
        id: new_id(),
        purchase_id: purchase.id,
        kind: PaymentActionKind::Refund,
        amount: kasa_testkit::try_money("10.00"),
        expected_actions: 0,
        gives_back: true,
        given_back_check: None,
        context: agent_context("refund"),
        at: TestBilling::START,
    };
    let first = store.begin_payment_action(new_action()).await.unwrap();
    // A second action on the same payment while the first is in flight: refused by the index.
    let second = store.begin_payment_action(new_action()).await;
    assert!(
        matches!(second, Err(kasa_ports::StoreError::AlreadyExists { .. })),
        "{second:?}"
    );
    let duplicate = format!(
        "INSERT INTO payment_actions SELECT {}, payment_id, purchase_id, kind, amount, currency, \
         state, reference, detail, actor_kind, actor_id, reason, request_id, requested_at, \
         finished_at, gives_back FROM payment_actions",
        new_uuid_sql(&store)
    );
    assert_unique_violation(&refused(&store, &duplicate).await);
    store
        .connection()
        .execute_unprepared(
            "UPDATE payment_actions SET state = 'failed', finished_at = requested_at, \
             detail = 'bank down' WHERE state = 'requested'",
        )
        .await
        .expect("requested -> failed is allowed once");
    for sql in [
        "UPDATE payment_actions SET state = 'succeeded'",
        "UPDATE payment_actions SET state = 'requested', finished_at = NULL",
        "UPDATE payment_actions SET amount = amount + 1",
        "DELETE FROM payment_actions",
    ] {
        assert_message(&refused(&store, sql).await, "kasa:");
    }
    assert_eq!(count(&store, "payment_actions").await, 1);
    let _ = first;
}

macro_rules! on_both_backends {
    ($($case:ident),*) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let (store, _file) = crate::support::fresh_sqlite_store().await.unwrap();
                    super::$case(store).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let Some((store, _schema)) = crate::support::fresh_postgres_store().await
                    else {
                        return;
                    };
                    super::$case(store).await;
                }
            )*
        }
    };
}

on_both_backends!(
    a_payment_action_is_finished_once_and_one_at_a_time,
    a_balance_never_goes_below_zero,
    a_ticket_is_consumed_and_charged_once,
    a_purchase_is_granted_once,
    an_order_is_paid_and_completed_once,
    history_is_never_rewritten,
    invoices_are_never_rewritten
);
