//! Many help desks at once: 64 tasks charge 1,000 tickets against 500 credits. Exactly 500 are
//! let through, never a ticket twice, and the ledger adds up to the balance.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use kasa_billing::{ChargeOutcome, ChargeUsage, GrantPackage};
use kasa_credits::{ChargeRefusal, LedgerEntryKind};
use kasa_domain::{Credits, Holding, Language, UsageKey, UsageKind};
use kasa_ports::{CustomerLookup, Store};
use kasa_subscriptions::ForfeitConfirmation;

use crate::{TestBilling, agent_context, credit_package, customer, department, help_desk_actor};

const TASKS: usize = 64;
const TICKETS: usize = 1_000;
const CREDITS: u32 = 500;

/// What happened to one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Answer {
    Charged,
    Repeated,
    Refused,
}

/// Runs the load against a store holding one customer with 500 credits.
async fn run<S: Store + 'static>(
    store: Arc<S>,
    requests: Vec<usize>,
) -> (
    Arc<S>,
    BTreeMap<usize, Vec<Answer>>,
    kasa_domain::CustomerId,
) {
    let kit = Arc::new(TestBilling::on(store.clone()));
    let support = department("Teknik Destek", 1);
    let package = credit_package("500 kredi", CREDITS, "1000.00", &[support.id]);
    kit.with_catalog(
        std::slice::from_ref(&support),
        std::slice::from_ref(&package),
    )
    .await;
    let ayse = customer("ayse@example.com", Language::Tr);
    kit.with_customer(&ayse).await;
    kit.billing
        .grant_package(GrantPackage {
            customer_id: ayse.id,
            package_id: package.id,
            confirmation: ForfeitConfirmation::NotConfirmed,
            charged: false,
            context: agent_context("load test"),
        })
        .await
        .expect("credits granted");

    let requests = Arc::new(requests);
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::with_capacity(TASKS);
    for _ in 0..TASKS {
        let (kit, requests, next) = (kit.clone(), requests.clone(), next.clone());
        let email = ayse.email.clone();
        let department_id = support.id;
        tasks.push(tokio::spawn(async move {
            let mut answers = Vec::new();
            loop {
                let index = next.fetch_add(1, Ordering::SeqCst);
                let Some(&ticket) = requests.get(index) else {
                    return answers;
                };
                let outcome = kit
                    .billing
                    .charge_usage(ChargeUsage {
                        customer: CustomerLookup::Email {
                            email: email.clone(),
                        },
                        department_id,
                        usage: UsageKey::new(UsageKind::Ticket, &format!("T-{ticket}"))
                            .expect("a ticket id"),
                        actor: help_desk_actor(),
                    })
                    .await
                    .expect("no store error under load");
                let answer = match outcome {
                    ChargeOutcome::Allowed {
                        repeated: false, ..
                    } => Answer::Charged,
                    ChargeOutcome::Allowed { repeated: true, .. } => Answer::Repeated,
                    ChargeOutcome::Refused {
                        refusal: ChargeRefusal::InsufficientCredits { .. },
                        ..
                    } => Answer::Refused,
                    ChargeOutcome::Refused { refusal, .. } => {
                        panic!("refused for another reason: {refusal:?}")
                    }
                };
                answers.push((ticket, answer));
            }
        }));
    }
    let mut by_ticket: BTreeMap<usize, Vec<Answer>> = BTreeMap::new();
    for task in tasks {
        for (ticket, answer) in task.await.expect("a charging task") {
            by_ticket.entry(ticket).or_default().push(answer);
        }
    }
    (store, by_ticket, ayse.id)
}

/// The balance is zero, the ledger adds up to it entry by entry, and exactly the charged
/// tickets were consumed, once each.
async fn assert_books_balance<S: Store + 'static>(
    store: &S,
    customer_id: kasa_domain::CustomerId,
    charged: &BTreeSet<usize>,
) {
    let state = store.customer_state(customer_id).await.expect("state");
    assert_eq!(
        state.holding,
        Holding::Credits {
            balance: Credits::ZERO
        }
    );
    let mut ledger = store
        .ledger_entries(customer_id, 10_000)
        .await
        .expect("ledger");
    ledger.reverse();
    let mut running = 0_i64;
    for entry in &ledger {
        running += entry.delta;
        assert_eq!(entry.balance_after.get(), running, "entry {entry:?}");
    }
    assert_eq!(running, 0, "the ledger sums to the balance");
    let consumed: Vec<String> = ledger
        .iter()
        .filter(|entry| entry.kind == LedgerEntryKind::Consumed)
        .map(|entry| {
            entry
                .usage
                .as_ref()
                .expect("a ticket")
                .reference()
                .to_owned()
        })
        .collect();
    let distinct: BTreeSet<&String> = consumed.iter().collect();
    assert_eq!(consumed.len(), distinct.len(), "no ticket consumed twice");
    let expected: BTreeSet<String> = charged.iter().map(|ticket| format!("T-{ticket}")).collect();
    assert_eq!(
        distinct.into_iter().cloned().collect::<BTreeSet<_>>(),
        expected
    );
    let charges = store
        .usage_charges(customer_id, 10_000)
        .await
        .expect("charges");
    assert_eq!(charges.len(), charged.len());
}

/// Contract case.
pub async fn sixty_four_help_desks_charge_a_thousand_tickets_against_five_hundred_credits<
    S: Store + 'static,
>(
    store: Arc<S>,
) {
    let (store, answers, customer_id) = run(store, (0..TICKETS).collect()).await;
    let charged: BTreeSet<usize> = answers
        .iter()
        .filter(|(_, answers)| answers == &&vec![Answer::Charged])
        .map(|(ticket, _)| *ticket)
        .collect();
    let refused = answers
        .values()
        .filter(|answers| answers == &&vec![Answer::Refused])
        .count();
    assert_eq!((charged.len(), refused), (500, 500));
    assert_books_balance(store.as_ref(), customer_id, &charged).await;
}

/// Contract case.
pub async fn every_ticket_sent_twice_at_once_is_charged_once<S: Store + 'static>(store: Arc<S>) {
    let twice = (0..TICKETS).flat_map(|ticket| [ticket, ticket]).collect();
    let (store, answers, customer_id) = run(store, twice).await;
    let mut charged = BTreeSet::new();
    for (ticket, mut pair) in answers {
        pair.sort();
        match pair.as_slice() {
            [Answer::Charged, Answer::Repeated] => {
                charged.insert(ticket);
            }
            [Answer::Refused, Answer::Refused] => {}
            other => panic!("ticket {ticket} got {other:?}"),
        }
    }
    assert_eq!(charged.len(), 500);
    assert_books_balance(store.as_ref(), customer_id, &charged).await;
}

/// Contract case: while an agent switches a customer from credits to a subscription (confirming
/// the forfeiture), tickets keep coming. At every instant the customer holds either enough
/// credits or a subscription covering the department, so no ticket may be refused: a charge
/// decided on the credits and refused by the store after the forfeiture is decided again.
pub async fn a_ticket_charged_during_a_switch_to_a_subscription_is_never_refused<
    S: Store + 'static,
>(
    store: Arc<S>,
) {
    const ROUNDS: usize = 25;
    const TICKETS_PER_ROUND: usize = 4;
    let kit = Arc::new(TestBilling::on(store.clone()));
    let support = department("Teknik Destek", 2);
    let credits = credit_package("10 kredi", 10, "100.00", &[support.id]);
    let monthly = crate::subscription_package("Aylık", 30, "250.00", &[support.id]);
    kit.with_catalog(
        std::slice::from_ref(&support),
        &[credits.clone(), monthly.clone()],
    )
    .await;
    let mut wrong_refusals = Vec::new();
    for round in 0..ROUNDS {
        let holder = customer(&format!("switch-{round}@example.com"), Language::Tr);
        kit.with_customer(&holder).await;
        kit.billing
            .grant_package(GrantPackage {
                customer_id: holder.id,
                package_id: credits.id,
                confirmation: ForfeitConfirmation::NotConfirmed,
                charged: false,
                context: agent_context("ten credits"),
            })
            .await
            .expect("credits granted");
        let switch = {
            let kit = kit.clone();
            let (customer_id, package_id) = (holder.id, monthly.id);
            tokio::spawn(async move {
                kit.billing
                    .grant_package(GrantPackage {
                        customer_id,
                        package_id,
                        confirmation: ForfeitConfirmation::Confirmed,
                        charged: false,
                        context: agent_context("switch to the monthly subscription"),
                    })
                    .await
                    .expect("the subscription is granted")
            })
        };
        let tickets: Vec<_> = (0..TICKETS_PER_ROUND)
            .map(|ticket| {
                let kit = kit.clone();
                let (customer_id, department_id) = (holder.id, support.id);
                tokio::spawn(async move {
                    kit.billing
                        .charge_usage(ChargeUsage {
                            customer: CustomerLookup::Id { id: customer_id },
                            department_id,
                            usage: UsageKey::new(UsageKind::Ticket, &format!("S-{ticket}"))
                                .expect("a ticket id"),
                            actor: help_desk_actor(),
                        })
                        .await
                        .expect("no store error")
                })
            })
            .collect();
        switch.await.expect("the switching task");
        for (ticket, task) in tickets.into_iter().enumerate() {
            if let ChargeOutcome::Refused { refusal, .. } = task.await.expect("a charging task") {
                wrong_refusals.push((round, ticket, refusal));
            }
        }
        let state = store.customer_state(holder.id).await.expect("state");
        assert!(
            matches!(state.holding, Holding::Subscription(_)),
            "round {round}: the switch happened: {:?}",
            state.holding
        );
    }
    assert!(
        wrong_refusals.is_empty(),
        "tickets refused although the customer held credits or a covering subscription: \
         {wrong_refusals:?}"
    );
}
