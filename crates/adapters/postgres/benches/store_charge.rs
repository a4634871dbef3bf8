//! The ticket charge at the store level: the two store calls a charge makes (read the charge
//! context, record the charge) from many tasks at once, on SQLite and on PostgreSQL. Prints
//! charges per second and latency percentiles; not a test.
//!
//! `cargo bench -p kasa-postgres --bench store_charge` (PostgreSQL from
//! `KASA_TEST_DATABASE_URL`, default the local server; `KASA_BENCH_CHARGES` charges per run,
//! default 20000).

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use kasa_domain::{Credits, Language, LedgerEntryId, Reason, UsageChargeId, UsageKey, UsageKind};
use kasa_ports::{
    AdjustCredits, AuditRecord, ChargeBasis, ChargeContextQuery, ChargeStore, CustomerLookup,
    HoldingStore, NewUsageCharge, RecordedCharge, new_id,
};
use kasa_postgres::SqlStore;
use kasa_testkit::{TestBilling, agent_context, customer, department, help_desk_actor};
use tokio::sync::Barrier;

const CONCURRENCY: [usize; 3] = [1, 16, 64];

/// Customers the charges are spread over (charges of one customer queue on its balance).
const CUSTOMERS: usize = 256;

struct Target {
    store: Arc<SqlStore>,
    emails: Vec<kasa_domain::EmailAddress>,
    department_id: kasa_domain::DepartmentId,
}

async fn prepare(store: Arc<SqlStore>, charges: usize) -> Target {
    let kit = TestBilling::on(store.clone());
    let support = department("Teknik Destek", 1);
    kit.with_catalog(std::slice::from_ref(&support), &[]).await;
    let credits = i64::try_from(charges * CONCURRENCY.len()).expect("a credit count");
    let mut emails = Vec::with_capacity(CUSTOMERS);
    for number in 0..CUSTOMERS {
        let buyer = customer(&format!("customer{number}@example.com"), Language::Tr);
        kit.with_customer(&buyer).await;
        store
            .adjust_credits(AdjustCredits {
                customer_id: buyer.id,
                expected_version: 0,
                ledger_entry_id: new_id(),
                delta: credits,
                audit: AuditRecord {
                    action: "credits.adjusted".to_owned(),
                    subject: format!("customer:{}", buyer.id),
                    before: None,
                    after: None,
                },
                context: agent_context("benchmark"),
                at: TestBilling::START,
            })
            .await
            .expect("credits added");
        emails.push(buyer.email);
    }
    Target {
        store,
        emails,
        department_id: support.id,
    }
}

/// One charge as the use case makes it: read the context, then record.
async fn charge(target: &Target, index: usize, ticket: &str) -> Duration {
    let started = Instant::now();
    let usage = UsageKey::new(UsageKind::Ticket, ticket).expect("a ticket id");
    let context = target
        .store
        .charge_context(ChargeContextQuery {
            customer: CustomerLookup::Email {
                email: target.emails[index % CUSTOMERS].clone(),
            },
            department_id: target.department_id,
            usage: usage.clone(),
        })
        .await
        .expect("charge context");
    let recorded = target
        .store
        .record_charge(NewUsageCharge {
            id: new_id::<UsageChargeId>(),
            ledger_entry_id: new_id::<LedgerEntryId>(),
            customer_id: context.customer_id,
            department_id: target.department_id,
            usage,
            credits: Credits::from_u32(1),
            basis: ChargeBasis::Credits,
            actor: help_desk_actor(),
            reason: Reason::new(format!("ticket {ticket}")).expect("a reason"),
            at: TestBilling::START,
            low_balance_threshold: kasa_domain::Credits::from_u32(10),
        })
        .await
        .expect("charge recorded");
    assert!(matches!(recorded, RecordedCharge::Recorded { .. }));
    started.elapsed()
}

async fn run(name: &str, target: Arc<Target>, charges: usize) {
    for (round, clients) in CONCURRENCY.into_iter().enumerate() {
        let barrier = Arc::new(Barrier::new(clients));
        let started = Instant::now();
        let tasks: Vec<_> = (0..clients)
            .map(|client| {
                let (target, barrier) = (target.clone(), barrier.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    let mut latencies = Vec::new();
                    for index in (client..charges).step_by(clients) {
                        let ticket = format!("R{round}-T{index}");
                        latencies.push(charge(&target, index, &ticket).await);
                    }
                    latencies
                })
            })
            .collect();
        let mut latencies = Vec::with_capacity(charges);
        for task in tasks {
            latencies.extend(task.await.expect("a charging task"));
        }
        let elapsed = started.elapsed();
        latencies.sort();
        let percentile = |p: usize| latencies[(latencies.len() * p / 100).min(latencies.len() - 1)];
        let rate = u128::try_from(charges).unwrap_or(0) * 1_000_000 / elapsed.as_micros().max(1);
        println!(
            "{name:<10} {clients:>3} clients  {charges:>6} charges  {rate:>6} charges/s  \
             p50 {:>7.2?}  p99 {:>7.2?}",
            percentile(50),
            percentile(99)
        );
    }
}

#[tokio::main]
async fn main() {
    let charges: usize = std::env::var("KASA_BENCH_CHARGES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(20_000);
    println!(
        "store-level ticket charge (charge_context + record_charge), 1 credit each, \
         spread over {CUSTOMERS} customers"
    );
    let (sqlite, _file) = support::fresh_sqlite_store().await.expect("SQLite");
    let target = Arc::new(prepare(sqlite, charges).await);
    run("sqlite", target, charges).await;
    match support::fresh_postgres_store().await {
        Some((postgres, _schema)) => {
            let target = Arc::new(prepare(postgres, charges).await);
            run("postgres", target, charges).await;
        }
        None => println!("postgres   not run: no PostgreSQL installed"),
    }
}
