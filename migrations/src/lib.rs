//! Kasa's database schema as sea-orm-migration steps, for PostgreSQL and SQLite. History is
//! frozen: a step, once released, is never edited; changes come as new steps, applied forward.
//!
//! Each step is plain SQL written once for both databases, with a few column-type tokens
//! replaced per backend (PostgreSQL keeps `uuid`, `timestamptz`, `numeric`, `jsonb` and
//! `boolean`; SQLite keeps ids as 16-byte blobs, times as fixed-width UTC text that sorts in
//! time order, amounts as exact decimal text and JSON as text), and the guards that the
//! database itself enforces: see `docs/adr/0004-store.md`.

mod liability_backfill;

/// Migration 0043's replay of the ledger and documents into valuations, lots and the liability
/// summary (run by the migration; public so the store's tests can run it on a written history).
pub use liability_backfill::backfill as backfill_liability;

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

pub use sea_orm_migration::MigratorTrait;

mod document_summaries;

/// Every step, oldest first.
#[derive(Debug)]
pub struct Migrator;

/// How many of [`STEPS`] come before step 0042 (which is written in Rust).
const STEPS_THROUGH_0041: usize = 28;

/// The steps: name (never changed once released), what it holds, the schema text, and the
/// guards for PostgreSQL and SQLite.
const STEPS: [SqlStep; 32] = [
    SqlStep {
        name: "m20261123_000001_billing_core",
        // Departments, packages, customers and their cards, holdings, purchases and payments,
        // the credit ledger, usage charges, the audit log, the outbox, settings, payment
        // systems and idempotency keys.
        schema: include_str!("sql/0001_billing_core.sql"),
        guards: [
            include_str!("sql/0001_guards_postgres.sql"),
            include_str!("sql/0001_guards_sqlite.sql"),
        ],
    },
    SqlStep {
        name: "m20261123_000002_access",
        // Users, sessions, API keys and per-role refund limits.
        schema: include_str!("sql/0002_access.sql"),
        guards: ["", ""],
    },
    SqlStep {
        name: "m20261123_000003_customer_sessions",
        // Customers' billing links.
        schema: include_str!("sql/0003_customer_sessions.sql"),
        guards: ["", ""],
    },
    SqlStep {
        name: "m20261123_000004_invoices",
        // Invoices, receipts and credit notes, with gap-free numbering.
        schema: include_str!("sql/0004_invoices.sql"),
        guards: [
            include_str!("sql/0004_guards_postgres.sql"),
            include_str!("sql/0004_guards_sqlite.sql"),
        ],
    },
    SqlStep {
        name: "m20261123_000005_payment_actions",
        // Captures, voids and refunds of payments, requested then finished once.
        schema: include_str!("sql/0005_payment_actions.sql"),
        guards: [
            include_str!("sql/0005_guards_postgres.sql"),
            include_str!("sql/0005_guards_sqlite.sql"),
        ],
    },
    SqlStep {
        name: "m20261201_000006_customer_tax_details",
        // Buyers' tax ids, tax offices and billing addresses.
        schema: include_str!("sql/0006_customer_tax_details.sql"),
        guards: ["", ""],
    },
    SqlStep {
        name: "m20261201_000007_gateway_events",
        // Webhook events acted on (each id once), payments found by gateway reference, and
        // recurring payments at gateways.
        schema: include_str!("sql/0007_gateway_events.sql"),
        guards: ["", ""],
    },
    SqlStep {
        name: "m20261203_000008_idempotency_applied",
        // Idempotency keys marked applied in their effect's transaction.
        schema: include_str!("sql/0008_idempotency_applied.sql"),
        guards: ["", ""],
    },
    SqlStep {
        name: "m20261203_000011_billing_link_ids",
        // Billing links get an id and can be revoked before they expire.
        schema: include_str!("sql/0011_billing_link_ids.sql"),
        guards: [
            include_str!("sql/0011_guards_postgres.sql"),
            include_str!("sql/0011_guards_sqlite.sql"),
        ],
    },
    SqlStep {
        name: "m20261203_000012_refund_governance",
        // Refund limits per role and currency; payment actions marked when they give money
        // back, so a user's give-backs in a day can be summed.
        schema: include_str!("sql/0012_refund_governance.sql"),
        guards: ["", ""],
    },
    SqlStep {
        name: "m20261203_000013_approval_requests",
        // Four-eyes approval requests of give-backs above a threshold.
        schema: include_str!("sql/0013_approval_requests.sql"),
        guards: ["", ""],
    },
    SqlStep {
        name: "m20261203_000014_list_indexes",
        // Purchases listed by status or by customer, newest id first, without a table scan.
        schema: include_str!("sql/0014_list_indexes.sql"),
        guards: ["", ""],
    },
    SqlStep {
        name: "m20261203_000015_customer_search",
        // Customers found by an external id's value alone or by a ticket or chat id; a
        // customer's latest documents.
        schema: include_str!("sql/0015_customer_search.sql"),
        guards: ["", ""],
    },
    SqlStep {
        name: "m20261203_000016_package_descriptions",
        // Packages' descriptions for customers, in Turkish and in English.
        schema: include_str!("sql/0016_package_descriptions.sql"),
        guards: ["", ""],
    },
    SqlStep {
        name: "m20261203_000017_dashboard_indexes",
        // The console dashboard's day and week figures without a table scan.
        schema: include_str!("sql/0017_dashboard_indexes.sql"),
        guards: ["", ""],
    },
    SqlStep {
        name: "m20261203_000019_integrations",
        // Help-desk integrations that embed the panel: allowed origins and a sealed secret.
        schema: include_str!("sql/0019_integrations.sql"),
        guards: ["", ""],
    },
    SqlStep {
        name: "m20261204_000020_report_indexes",
        // Finance reports: documents, charges and give-backs by time; credit notes by original.
        schema: include_str!("sql/0020_report_indexes.sql"),
        guards: ["", ""],
    },
    SqlStep {
        name: "m20261204_000024_help_desk_calls",
        // The help-desk outbox: internal notes and tags for tickets, one per idempotency key.
        schema: include_str!("sql/0024_help_desk_calls.sql"),
        guards: ["", ""],
    },
    SqlStep {
        name: "m20261204_000025_help_desk_connections",
        // Each integration's help-desk API: base URL, login and a sealed secret.
        schema: include_str!("sql/0025_help_desk_connections.sql"),
        guards: ["", ""],
    },
    SqlStep {
        name: "m20261204_000027_help_desk_events",
        // Help-desk event settings (sealed webhook secret, department mapping) and the
        // deliveries acted on.
        schema: include_str!("sql/0027_help_desk_events.sql"),
        guards: ["", ""],
    },
    SqlStep {
        name: "m20261204_000030_zendesk_apps",
        // Each integration's Zendesk app: its public key and installation (the signed-URL JWT).
        schema: include_str!("sql/0030_zendesk_apps.sql"),
        guards: ["", ""],
    },
    SqlStep {
        name: "m20261204_000032_coupons",
        // Coupons and their redemptions (one per purchase that uses a coupon).
        schema: include_str!("sql/0032_coupons.sql"),
        guards: ["", ""],
    },
    SqlStep {
        name: "m20261204_000034_payment_requests",
        // Agents' payment requests and the purchase paying each (one under way at a time).
        schema: include_str!("sql/0034_payment_requests.sql"),
        guards: ["", ""],
    },
    SqlStep {
        name: "m20261204_000036_payment_cards",
        // The card a payment was made with: brand and last four digits (the customer's history).
        schema: include_str!("sql/0036_payment_cards.sql"),
        guards: ["", ""],
    },
    SqlStep {
        name: "m20261204_000038_questions",
        // Customers' billing questions; help-desk calls that open a ticket first.
        schema: include_str!("sql/0038_questions.sql"),
        guards: ["", ""],
    },
    SqlStep {
        name: "m20261205_000039_payment_request_coupons",
        // A coupon an agent put on a payment request, priced when asked.
        schema: include_str!("sql/0039_payment_request_coupons.sql"),
        guards: ["", ""],
    },
    SqlStep {
        name: "m20261204_000040_usage_summary",
        // The usage report's hourly summary, and the charges before it summed into it (the
        // backfill needs each backend's own hour arithmetic, so it runs in the guards' place).
        schema: include_str!("sql/0040_usage_summary.sql"),
        guards: [
            include_str!("sql/0040_backfill_postgres.sql"),
            include_str!("sql/0040_backfill_sqlite.sql"),
        ],
    },
    SqlStep {
        name: "m20261205_000041_webhooks",
        // Outgoing webhooks: endpoints (sealed secret, event types), events, deliveries and
        // their attempts.
        schema: include_str!("sql/0041_webhooks.sql"),
        guards: ["", ""],
    },
    SqlStep {
        name: LIABILITY_STEP,
        // The credit liability valued as it moves: the holding's open lots, each ledger entry's
        // and document's valuation, the hourly summary; then (Rust, `liability_backfill`) what
        // was already written, replayed per customer.
        schema: include_str!("sql/0043_liability_summary.sql"),
        guards: [include_str!("sql/0043_functions_postgres.sql"), ""],
    },
    SqlStep {
        name: "m20261205_000044_subscription_ending_soon",
        // When a subscription's last term was reported as ending soon (once per term).
        schema: include_str!("sql/0044_subscription_ending_soon.sql"),
        guards: ["", ""],
    },
    SqlStep {
        name: "m20261205_000045_amount_items",
        // Purchases and payment requests of an amount with a description, not a package.
        schema: include_str!("sql/0045_amount_items.sql"),
        guards: [
            include_str!("sql/0045_guards_postgres.sql"),
            include_str!("sql/0045_guards_sqlite.sql"),
        ],
    },
    SqlStep {
        name: "m20261205_000046_payment_imports",
        // Payments received elsewhere and imported against a purchase, one per reference.
        schema: include_str!("sql/0046_payment_imports.sql"),
        guards: [
            include_str!("sql/0046_guards_postgres.sql"),
            include_str!("sql/0046_guards_sqlite.sql"),
        ],
    },
];

/// The step whose SQL is followed by a Rust backfill (the replay needs the valuation code, so it
/// cannot be SQL on SQLite).
const LIABILITY_STEP: &str = "m20261205_000043_liability_summary";

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        let boxed = |step: &SqlStep| Box::new(*step) as Box<dyn MigrationTrait>;
        // Step 0042 sums decimals on SQLite in Rust, so it is not a plain SQL step; it comes
        // in its place, after 0041.
        let (through_0041, after_0042) = STEPS.split_at(STEPS_THROUGH_0041);
        through_0041
            .iter()
            .map(boxed)
            .chain(std::iter::once(
                Box::new(document_summaries::DocumentSummaries) as Box<dyn MigrationTrait>,
            ))
            .chain(after_0042.iter().map(boxed))
            .collect()
    }
}

/// One step: plain SQL with column-type tokens, then its guards, in one transaction.
#[derive(Clone, Copy, Debug)]
struct SqlStep {
    name: &'static str,
    schema: &'static str,
    /// PostgreSQL's, then SQLite's.
    guards: [&'static str; 2],
}

impl MigrationName for SqlStep {
    fn name(&self) -> &str {
        self.name
    }
}

#[async_trait::async_trait]
impl MigrationTrait for SqlStep {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, self.schema, self.guards).await?;
        if self.name == LIABILITY_STEP {
            liability_backfill::backfill(manager.get_connection()).await?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}

/// The column types each token stands for, per backend.
fn column_types(backend: DbBackend) -> [(&'static str, &'static str); 5] {
    match backend {
        DbBackend::Sqlite => [
            ("{uuid}", "BLOB"),
            ("{ts}", "TEXT"),
            ("{money}", "TEXT"),
            ("{json}", "TEXT"),
            ("{bool}", "BOOLEAN"),
        ],
        _ => [
            ("{uuid}", "UUID"),
            ("{ts}", "TIMESTAMPTZ"),
            ("{money}", "NUMERIC"),
            ("{json}", "JSONB"),
            ("{bool}", "BOOLEAN"),
        ],
    }
}

/// The schema text for a backend.
fn for_backend(template: &str, backend: DbBackend) -> String {
    column_types(backend)
        .iter()
        .fold(template.to_owned(), |sql, (token, column_type)| {
            sql.replace(token, column_type)
        })
}

async fn run(manager: &SchemaManager<'_>, template: &str, guards: [&str; 2]) -> Result<(), DbErr> {
    let connection = manager.get_connection();
    let backend = connection.get_database_backend();
    let guards = match backend {
        DbBackend::Sqlite => guards[1],
        DbBackend::Postgres => guards[0],
        other => {
            return Err(DbErr::Migration(format!(
                "Kasa runs on PostgreSQL or SQLite, not {other:?}"
            )));
        }
    };
    connection
        .execute_unprepared(&for_backend(template, backend))
        .await?;
    if !guards.is_empty() {
        connection.execute_unprepared(guards).await?;
    }
    if backend == DbBackend::Sqlite && guards.contains("writable_schema = ON") {
        // An edit of sqlite_schema (SQLite's documented way to drop a NOT NULL) takes effect
        // for every connection when the schema version moves on; the file must stay sound.
        let version = pragma_integer(connection, "PRAGMA schema_version").await?;
        connection
            .execute_unprepared(&format!("PRAGMA schema_version = {}", version + 1))
            .await?;
        let integrity = connection
            .query_one_raw(Statement::from_string(backend, "PRAGMA integrity_check"))
            .await?
            .map(|row| row.try_get_by_index::<String>(0))
            .transpose()?;
        if integrity.as_deref() != Some("ok") {
            return Err(DbErr::Migration(format!(
                "the SQLite file failed its integrity check after a schema edit: {integrity:?}"
            )));
        }
    }
    Ok(())
}

async fn pragma_integer(connection: &impl ConnectionTrait, pragma: &str) -> Result<i64, DbErr> {
    connection
        .query_one_raw(Statement::from_string(DbBackend::Sqlite, pragma))
        .await?
        .ok_or_else(|| DbErr::Migration(format!("{pragma} answered nothing")))?
        .try_get_by_index::<i64>(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_steps_run_in_the_order_of_their_numbers() {
        let numbers: Vec<u32> = Migrator::migrations()
            .iter()
            .map(|step| {
                let name = step.name().to_owned();
                name.rsplit('_')
                    .find_map(|part| part.parse().ok())
                    .unwrap_or_else(|| panic!("{name} has no number"))
            })
            .collect();
        let mut sorted = numbers.clone();
        sorted.sort_unstable();
        assert_eq!(numbers, sorted);
    }

    #[test]
    fn every_token_is_replaced_for_both_backends() {
        let document_summaries = include_str!("sql/0042_document_summaries.sql");
        for template in STEPS
            .iter()
            .map(|step| step.schema)
            .chain([document_summaries])
        {
            for backend in [DbBackend::Postgres, DbBackend::Sqlite] {
                let sql = for_backend(template, backend);
                assert!(!sql.contains('{'), "a token is left for {backend:?}");
            }
        }
    }
}
