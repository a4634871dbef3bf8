//! The books of a real history (`kasa verify`): [`write_history`] writes one through the use
//! cases over any store — credit purchases paid, topped up, refunded in part and in full, an
//! authorised payment captured in part and refunded, one voided, tickets charged (and charged
//! again for nothing), credits adjusted and forfeited for a subscription, charged and free
//! grants, invoices and credit notes over two years — and [`a_real_history_has_whole_books`]
//! checks that every store's books of it are whole, read in pages of every size.
//!
//! The server's tests write the same history into a database, then corrupt copies of it by hand
//! and see `kasa verify` name each corruption; [`BooksHistory`] tells them what to corrupt.

use std::sync::Arc;

use kasa_billing::{
    ActOnPayment, BooksObserver, BooksPages, BooksProblem, ChargeOutcome, ChargeUsage,
    GrantPackage, PurchaseCompletion, RequestedAction, StartPurchase, StartedPurchase,
    verify_books,
};
use kasa_domain::{
    Customer, CustomerId, Department, Language, Package, PaymentId, PurchaseId, UsageKey, UsageKind,
};
use kasa_ports::{
    ActionContext, BooksSize, BooksStore, CaptureMode, CustomerLookup, GatewayName, InvoiceKind,
    InvoiceNumber, OrderId, Store,
};
use kasa_subscriptions::ForfeitConfirmation;
use time::macros::datetime;

use crate::{
    TestBilling, agent_context, credit_package, customer, department, help_desk_actor,
    subscription_package,
};

/// What [`write_history`] wrote, and where to corrupt it.
#[derive(Clone, Debug)]
pub struct BooksHistory {
    /// A customer holding credits, whose ledger has grants, charges, an adjustment and a
    /// reversal.
    pub credit_customer: CustomerId,
    /// Their balance at the end.
    pub credit_balance: i64,
    /// How many ledger entries they have.
    pub credit_entries: i64,
    /// A ticket they were charged for (2 credits).
    pub charged_ticket: UsageKey,
    /// Their credit purchase that was granted and never reversed (10 credits).
    pub granted_purchase: PurchaseId,
    /// Their first purchase, refunded in part (30.00 of 100.00 TRY): its id.
    pub partly_refunded_purchase: PurchaseId,
    /// Its payment.
    pub partly_refunded_payment: PaymentId,
    /// An invoice that no credit note refers to (so it can be deleted in a test copy), of a
    /// subscription (so deleting it leaves the credit liability, which `kasa verify` replays from
    /// the documents of credit purchases, whole: the gap is the one problem).
    pub unreferenced_invoice: InvoiceNumber,
    /// What was written.
    pub size: BooksSize,
}

struct Writer<S: Store + 'static> {
    kit: TestBilling<S>,
    support: Department,
    small: Package,
    large: Package,
    monthly: Package,
}

fn customer_context(customer: &Customer) -> ActionContext {
    ActionContext {
        actor: kasa_domain::Actor::Customer {
            customer_id: customer.id,
        },
        reason: kasa_domain::Reason::new("checkout").expect("a reason"),
        request_id: None,
        idempotency: None,
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

fn ticket(reference: &str) -> UsageKey {
    UsageKey::new(UsageKind::Ticket, reference).expect("a ticket id")
}

impl<S: Store + 'static> Writer<S> {
    async fn new_customer(&self, email: &str) -> Customer {
        let customer = customer(email, Language::Tr);
        self.kit.with_customer(&customer).await;
        customer
    }

    /// Starts a purchase and answers it at the gateway with `status` (`approved`,
    /// `authorised`).
    async fn pay(
        &self,
        customer: &Customer,
        package: &Package,
        confirmation: ForfeitConfirmation,
        status: &str,
    ) -> StartedPurchase {
        let started = self
            .kit
            .billing
            .start_purchase(StartPurchase {
                coupon_code: None,
                customer_id: customer.id,
                package_id: package.id,
                gateway: GatewayName::new("testpay"),
                confirmation,
                capture: if status == "authorised" {
                    CaptureMode::AuthoriseOnly
                } else {
                    CaptureMode::Immediate
                },
                success_url: "https://kasa.example/ok".to_owned(),
                failure_url: "https://kasa.example/fail".to_owned(),
                context: customer_context(customer),
            })
            .await
            .expect("the purchase starts");
        let callback = self.kit.gateway.callback(
            &order_of(&started),
            status,
            &package.price.amount().to_string(),
        );
        let completion = self
            .kit
            .billing
            .complete_purchase(&GatewayName::new("testpay"), callback, None)
            .await
            .expect("the callback is accepted");
        assert!(
            matches!(completion, PurchaseCompletion::Completed(_)),
            "{completion:?}"
        );
        started
    }

    async fn charge(&self, customer: &Customer, reference: &str) {
        let outcome = self
            .kit
            .billing
            .charge_usage(ChargeUsage {
                customer: CustomerLookup::Id { id: customer.id },
                department_id: self.support.id,
                usage: ticket(reference),
                actor: help_desk_actor(),
            })
            .await
            .expect("the charge is decided");
        assert!(
            matches!(outcome, ChargeOutcome::Allowed { .. }),
            "{outcome:?}"
        );
    }

    async fn act(&self, purchase_id: PurchaseId, action: RequestedAction) {
        self.kit
            .billing
            .act_on_payment(ActOnPayment {
                purchase_id,
                action,
                refund_limits: Vec::new(),
                context: agent_context("the customer asked"),
            })
            .await
            .expect("the gateway does it");
    }

    async fn grant(&self, customer: &Customer, package: &Package, charged: bool) {
        self.kit
            .billing
            .grant_package(GrantPackage {
                customer_id: customer.id,
                package_id: package.id,
                confirmation: ForfeitConfirmation::NotConfirmed,
                charged,
                context: agent_context("goodwill"),
            })
            .await
            .expect("the grant is applied");
    }
}

/// Writes a history through the use cases into `store` (empty), with `extra_customers` more
/// customers who each buy credits and open a ticket; returns what it wrote.
///
/// # Panics
/// When a use case refuses a step (a bug in the store or the use cases).
pub async fn write_history<S: Store + BooksStore + 'static>(
    store: Arc<S>,
    extra_customers: u32,
) -> BooksHistory {
    let kit = TestBilling::on(store);
    let support = department("Teknik Destek", 2);
    let small = credit_package("10 kredi", 10, "100.00", &[support.id]);
    let large = credit_package("50 kredi", 50, "400.00", &[support.id]);
    let monthly = subscription_package("Aylık", 30, "250.00", &[support.id]);
    kit.with_catalog(
        std::slice::from_ref(&support),
        &[small.clone(), large.clone(), monthly.clone()],
    )
    .await;
    let writer = Writer {
        kit,
        support,
        small,
        large,
        monthly,
    };
    let money = |amount: &str| Some(crate::try_money(amount));

    // Ayşe: credits bought, spent, adjusted, topped up, refunded in part and in full.
    let ayse = writer.new_customer("ayse@example.com").await;
    let first = writer
        .pay(
            &ayse,
            &writer.small,
            ForfeitConfirmation::NotConfirmed,
            "approved",
        )
        .await;
    writer.charge(&ayse, "T-1").await;
    writer.charge(&ayse, "T-1").await; // a re-delivery: free
    writer.charge(&ayse, "T-2").await;
    writer
        .kit
        .billing
        .adjust_credits(ayse.id, 3, agent_context("a goodwill credit"))
        .await
        .expect("credits adjusted");
    let top_up = writer
        .pay(
            &ayse,
            &writer.large,
            ForfeitConfirmation::NotConfirmed,
            "approved",
        )
        .await;
    writer
        .act(
            first.purchase.id,
            RequestedAction::Refund {
                amount: money("30.00"),
            },
        )
        .await;
    writer
        .act(top_up.purchase.id, RequestedAction::Refund { amount: None })
        .await;

    // Mehmet: credits, a ticket, then a subscription that forfeits the rest (confirmed).
    let mehmet = writer.new_customer("mehmet@example.com").await;
    writer
        .pay(
            &mehmet,
            &writer.small,
            ForfeitConfirmation::NotConfirmed,
            "approved",
        )
        .await;
    writer.charge(&mehmet, "T-1").await;
    let mehmets_subscription = writer
        .pay(
            &mehmet,
            &writer.monthly,
            ForfeitConfirmation::Confirmed,
            "approved",
        )
        .await;
    writer.charge(&mehmet, "T-2").await; // covered by the subscription: no credits

    // Zeynep: authorised, captured in part, refunded in full. Can: authorised, voided.
    let zeynep = writer.new_customer("zeynep@example.com").await;
    let authorised = writer
        .pay(
            &zeynep,
            &writer.small,
            ForfeitConfirmation::NotConfirmed,
            "authorised",
        )
        .await;
    writer
        .act(
            authorised.purchase.id,
            RequestedAction::Capture {
                amount: money("60.00"),
            },
        )
        .await;
    writer.charge(&zeynep, "T-7").await;
    writer
        .act(
            authorised.purchase.id,
            RequestedAction::Refund { amount: None },
        )
        .await;
    let can = writer.new_customer("can@example.com").await;
    let voided = writer
        .pay(
            &can,
            &writer.small,
            ForfeitConfirmation::NotConfirmed,
            "authorised",
        )
        .await;
    writer.act(voided.purchase.id, RequestedAction::Void).await;
    writer.grant(&can, &writer.small, true).await;
    writer.grant(&can, &writer.large, false).await;

    for index in 0..extra_customers {
        let extra = writer
            .new_customer(&format!("customer-{index}@example.com"))
            .await;
        writer
            .pay(
                &extra,
                &writer.small,
                ForfeitConfirmation::NotConfirmed,
                "approved",
            )
            .await;
        writer.charge(&extra, "T-1").await;
    }

    // A new year: Ayşe buys again (numbered from 1 in 2027) and opens a ticket.
    writer.kit.clock.set(datetime!(2027-01-04 09:00 UTC));
    let granted = writer
        .pay(
            &ayse,
            &writer.small,
            ForfeitConfirmation::NotConfirmed,
            "approved",
        )
        .await;
    writer.charge(&ayse, "T-3").await;

    let store = &writer.kit.store;
    let unreferenced_invoice = store
        .purchase_invoices(mehmets_subscription.purchase.id)
        .await
        .expect("invoices")
        .into_iter()
        .find(|invoice| invoice.issued.kind != InvoiceKind::CreditNote)
        .expect("Mehmet's subscription is invoiced")
        .number;
    let state = store.customer_state(ayse.id).await.expect("Ayşe is stored");
    let kasa_domain::Holding::Credits { balance } = state.holding else {
        panic!("Ayşe holds credits: {:?}", state.holding);
    };
    let credit_entries = i64::try_from(
        store
            .ledger_entries(ayse.id, 1_000)
            .await
            .expect("the ledger")
            .len(),
    )
    .expect("a count");
    BooksHistory {
        credit_customer: ayse.id,
        credit_balance: balance.get(),
        credit_entries,
        charged_ticket: ticket("T-1"),
        granted_purchase: granted.purchase.id,
        partly_refunded_purchase: first.purchase.id,
        partly_refunded_payment: first.purchase.payment.as_ref().expect("a payment").id,
        unreferenced_invoice,
        size: store.books_size().await.expect("the books' size"),
    }
}

/// Collects what a check finds.
#[derive(Debug, Default)]
pub struct CollectedProblems(pub Vec<BooksProblem>);

impl BooksObserver for CollectedProblems {
    fn found(&mut self, problem: BooksProblem) {
        self.0.push(problem);
    }
}

/// Contract case: the books of a real history are whole, whatever the page sizes, and every
/// customer, entry, invoice number and payment is checked.
pub async fn a_real_history_has_whole_books<S: Store + BooksStore + 'static>(store: Arc<S>) {
    let history = write_history(store.clone(), 3).await;
    assert_eq!(
        history.credit_balance, 17,
        "10 - 2 - 2 + 3 + 50 - 50 + 10 - 2"
    );
    assert_eq!(history.credit_entries, 8);
    assert_eq!(
        history.size,
        BooksSize {
            customers: 7,
            ledger_entries: 24,
            invoices: 13,
            payments: 11,
        }
    );
    for pages in [
        BooksPages::default(),
        BooksPages {
            customers: 2,
            ledger_entries: 3,
            invoice_numbers: 2,
            payments: 2,
        },
        BooksPages {
            customers: 1,
            ledger_entries: 1,
            invoice_numbers: 1,
            payments: 1,
        },
    ] {
        let mut problems = CollectedProblems::default();
        let checked = verify_books(store.as_ref(), pages, &mut problems)
            .await
            .expect("the books are read");
        assert_eq!(problems.0, Vec::new(), "{pages:?}");
        assert!(checked.is_whole());
        assert_eq!(checked.customers, history.size.customers, "{pages:?}");
        assert_eq!(
            checked.ledger_entries, history.size.ledger_entries,
            "{pages:?}"
        );
        assert_eq!(checked.invoice_numbers, history.size.invoices, "{pages:?}");
        assert_eq!(checked.payments, history.size.payments, "{pages:?}");
        // KSA 2026, KSA 2027 and the credit notes' series.
        assert!(checked.invoice_series >= 3, "{checked:?}");
    }
}
