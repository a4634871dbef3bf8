//! Kasa's database schema as sea-orm-migration steps, for PostgreSQL and SQLite. History is
//! frozen: a step, once released, is never edited; changes come as new steps, applied forward.
//!
//! Each step is plain SQL written once for both databases, with a few column-type tokens
//! replaced per backend (PostgreSQL keeps `uuid`, `timestamptz`, `numeric`, `jsonb` and
//! `boolean`; SQLite keeps ids as 16-byte blobs, times as fixed-width UTC text that sorts in
//! time order, amounts as exact decimal text and JSON as text), and the guards that the
//! database itself enforces: see `docs/adr/0004-store.md`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

pub use sea_orm_migration::MigratorTrait;

/// Every step, oldest first.
#[derive(Debug)]
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(BillingCore),
            Box::new(Access),
            Box::new(CustomerSessions),
            Box::new(Invoices),
            Box::new(PaymentActions),
        ]
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
    Ok(())
}

/// Departments, packages, customers and their cards, holdings, purchases and payments, the
/// credit ledger, usage charges, the audit log, the outbox, settings, payment systems and
/// idempotency keys.
#[derive(Debug)]
struct BillingCore;

impl MigrationName for BillingCore {
    fn name(&self) -> &str {
        "m20261123_000001_billing_core"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for BillingCore {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(
            manager,
            include_str!("sql/0001_billing_core.sql"),
            [
                include_str!("sql/0001_guards_postgres.sql"),
                include_str!("sql/0001_guards_sqlite.sql"),
            ],
        )
        .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}

/// Users, sessions, API keys and per-role refund limits.
#[derive(Debug)]
struct Access;

impl MigrationName for Access {
    fn name(&self) -> &str {
        "m20261123_000002_access"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Access {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, include_str!("sql/0002_access.sql"), ["", ""]).await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}

/// Customers' billing links.
#[derive(Debug)]
struct CustomerSessions;

impl MigrationName for CustomerSessions {
    fn name(&self) -> &str {
        "m20261123_000003_customer_sessions"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CustomerSessions {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(
            manager,
            include_str!("sql/0003_customer_sessions.sql"),
            ["", ""],
        )
        .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}

/// Invoices, receipts and credit notes, with gap-free numbering.
#[derive(Debug)]
struct Invoices;

impl MigrationName for Invoices {
    fn name(&self) -> &str {
        "m20261123_000004_invoices"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Invoices {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(
            manager,
            include_str!("sql/0004_invoices.sql"),
            [
                include_str!("sql/0004_guards_postgres.sql"),
                include_str!("sql/0004_guards_sqlite.sql"),
            ],
        )
        .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}

/// Captures, voids and refunds of payments, requested then finished once.
#[derive(Debug)]
struct PaymentActions;

impl MigrationName for PaymentActions {
    fn name(&self) -> &str {
        "m20261123_000005_payment_actions"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for PaymentActions {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(
            manager,
            include_str!("sql/0005_payment_actions.sql"),
            [
                include_str!("sql/0005_guards_postgres.sql"),
                include_str!("sql/0005_guards_sqlite.sql"),
            ],
        )
        .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_token_is_replaced_for_both_backends() {
        for template in [
            include_str!("sql/0001_billing_core.sql"),
            include_str!("sql/0002_access.sql"),
            include_str!("sql/0003_customer_sessions.sql"),
            include_str!("sql/0004_invoices.sql"),
            include_str!("sql/0005_payment_actions.sql"),
        ] {
            for backend in [DbBackend::Postgres, DbBackend::Sqlite] {
                let sql = for_backend(template, backend);
                assert!(!sql.contains('{'), "a token is left for {backend:?}");
            }
        }
    }
}
