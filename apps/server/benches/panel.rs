//! The panel beside a ticket: how long `GET /panel` takes for a customer with many ledger
//! entries and charges, on PostgreSQL, through the real `kasa serve` on loopback (keep-alive,
//! one request at a time, so the time is the server's plus a loopback round trip). Prints
//! p50, p99 and the slowest; not a test.
//!
//! `cargo bench -p kasa-server --bench panel` (PostgreSQL from `KASA_TEST_DATABASE_URL`,
//! default the local server). `KASA_BENCH_PANEL_ENTRIES` charges of the customer (each a ledger
//! entry; default 20000), `KASA_BENCH_PANEL_CUSTOMERS` other customers (default 1000),
//! `KASA_BENCH_PANEL_REQUESTS` panels timed (default 1000).

#[path = "../tests/panel_kit/mod.rs"]
mod panel_kit;
#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use kasa_domain::{Credits, Language, LedgerEntryId, Reason, UsageChargeId, UsageKey, UsageKind};
use kasa_ports::{
    AdjustCredits, AuditRecord, ChargeBasis, ChargeStore, HoldingStore, NewUsageCharge, new_id,
};
use kasa_postgres::{SqlStore, StoreConfig};
use kasa_testkit::{TestBilling, agent_context, customer, department, help_desk_actor};
use panel_kit::{create_integration, now, serve_with_admin, signed};
use sea_orm::{ConnectionTrait, Database};
use support::TEST_SECRETS_KEY;

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// The customer with `entries` charges (and one adjustment), among `others` customers.
async fn seed(database_url: &str, entries: usize, others: usize) {
    let store = Arc::new(
        SqlStore::connect(&StoreConfig::new(database_url.to_owned()))
            .await
            .expect("PostgreSQL connects"),
    );
    store.migrate().await.expect("migrations apply");
    let kit = TestBilling::on(store.clone());
    let support = department("Teknik Destek", 1);
    kit.with_catalog(std::slice::from_ref(&support), &[]).await;
    for number in 0..others {
        kit.with_customer(&customer(
            &format!("other{number}@example.com"),
            Language::Tr,
        ))
        .await;
    }
    let ayse = customer("ayse@example.com", Language::Tr);
    kit.with_customer(&ayse).await;
    store
        .adjust_credits(AdjustCredits {
            customer_id: ayse.id,
            expected_version: 0,
            ledger_entry_id: new_id(),
            delta: i64::try_from(entries).expect("a count") + 10,
            audit: AuditRecord {
                action: "credits.adjusted".to_owned(),
                subject: format!("customer:{}", ayse.id),
                before: None,
                after: None,
            },
            context: agent_context("benchmark"),
            at: TestBilling::START,
        })
        .await
        .expect("credits added");
    for index in 0..entries {
        store
            .record_charge(NewUsageCharge {
                id: new_id::<UsageChargeId>(),
                ledger_entry_id: new_id::<LedgerEntryId>(),
                customer_id: ayse.id,
                department_id: support.id,
                usage: UsageKey::new(UsageKind::Ticket, &format!("T{index}")).expect("a ticket"),
                credits: Credits::from_u32(1),
                basis: ChargeBasis::Credits,
                actor: help_desk_actor(),
                reason: Reason::new("benchmark ticket").expect("a reason"),
                at: TestBilling::START,
                low_balance_threshold: kasa_domain::Credits::from_u32(10),
            })
            .await
            .expect("charge recorded");
    }
}

async fn time_requests(
    client: &reqwest::Client,
    requests: usize,
    url: impl Fn() -> String,
) -> Vec<Duration> {
    let mut latencies = Vec::with_capacity(requests);
    for _ in 0..requests {
        let address = url();
        let started = Instant::now();
        let response = client.get(&address).send().await.expect("kasa answers");
        assert_eq!(response.status(), reqwest::StatusCode::OK);
        let body = response.text().await.expect("a page");
        latencies.push(started.elapsed());
        assert!(body.contains("ayse@example.com"), "{body}");
    }
    latencies.sort();
    latencies
}

fn report(name: &str, latencies: &[Duration]) {
    let percentile = |p: usize| latencies[(latencies.len() * p / 100).min(latencies.len() - 1)];
    println!(
        "{name:<30} {:>5} requests  p50 {:>8.2?}  p99 {:>8.2?}  max {:>8.2?}",
        latencies.len(),
        percentile(50),
        percentile(99),
        latencies[latencies.len() - 1]
    );
}

#[tokio::main]
async fn main() {
    let entries = setting("KASA_BENCH_PANEL_ENTRIES", 20_000);
    let others = setting("KASA_BENCH_PANEL_CUSTOMERS", 1_000);
    let requests = setting("KASA_BENCH_PANEL_REQUESTS", 1_000);
    let server = std::env::var("KASA_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let database = format!("kasa_bench_panel_{}", uuid::Uuid::now_v7().simple());
    let admin = Database::connect(server.as_str())
        .await
        .expect("PostgreSQL answers");
    admin
        .execute_unprepared(&format!("CREATE DATABASE {database}"))
        .await
        .expect("a bench database");
    let database_url = format!(
        "{}/{database}",
        server
            .rsplit_once('/')
            .map_or(server.as_str(), |(base, _)| base)
    );
    println!(
        "GET /panel on PostgreSQL: a customer with {entries} charges (ledger entries) among \
         {others} others"
    );
    seed(&database_url, entries, others).await;

    let folder = std::env::temp_dir().join(format!("kasa-bench-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&folder).expect("a folder");
    let kasa = serve_with_admin(&database_url, &folder, TEST_SECRETS_KEY).await;
    let (integration, secret) = create_integration(&kasa, "custom", "https://desk.example").await;
    let client = reqwest::Client::new();
    let signed = || {
        let expires = (now() + 120).to_string();
        signed(
            &kasa.base,
            &secret,
            &[
                ("integration", &integration),
                ("email", "ayse@example.com"),
                ("expires", &expires),
                ("lang", "tr"),
            ],
        )
    };
    time_requests(&client, 20, signed).await;
    report(
        "signed URL (opens a session)",
        &time_requests(&client, requests, signed).await,
    );
    let page = client
        .get(signed())
        .send()
        .await
        .expect("a panel")
        .text()
        .await
        .expect("its text");
    let start = page.find("/panel?session=").expect("a refresh link");
    let end = start + page[start..].find('"').expect("the link's end");
    let refresh = format!("{}{}", kasa.base, &page[start..end]);
    report(
        "session link (Refresh)",
        &time_requests(&client, requests, || refresh.clone()).await,
    );

    drop(kasa);
    let _ = std::fs::remove_dir_all(&folder);
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
        .await
        .expect("the bench database dropped");
}
