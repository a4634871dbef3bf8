//! Kasa's store on sea-orm: every store port, for PostgreSQL and for SQLite (the embedded
//! default, one file) from one code base.
//!
//! Promises: each port call is one transaction; the schema (from `kasa-migrations`) refuses on
//! its own what must never happen (a negative balance, a second consumption of a ticket, a
//! second grant of a purchase, a second completion of an order, any change to the ledger or the
//! audit log), so a bug above cannot break those rules; rows are turned back into domain values
//! through the domain constructors, so a tampered row is reported as corrupt, not believed.
//! Payment-system credentials are sealed (ChaCha20-Poly1305) under the secrets key the store is
//! given ([`SqlStore::with_secrets_key`], ADR 0008); a credential that does not open is never
//! guessed at.
//!
//! The SQL is written once with `$n` parameters, which both drivers accept; [`codec`] turns the
//! few column types that differ (times, amounts, JSON) into each backend's representation.

mod access;
mod approvals;
mod books;
mod catalog;
mod charges;
mod codec;
mod coupons;
mod customers;
mod document_summary;
mod help_desk_calls;
mod help_desk_connections;
mod help_desk_events;
mod history;
mod holdings;
mod integrations;
mod invoices;
mod ledger;
mod liability;
mod outbox;
mod payment_actions;
mod payment_requests;
mod purchases;
mod questions;
mod reports;
mod rows;
mod secrets;
mod settings;
mod store;
mod usage_summary;
mod webhooks;
mod zendesk_apps;

pub use secrets::{SECRETS_KEY_BYTES, SecretsKey, SecretsKeyError, UnsealError};
pub use settings::{CredentialsAtRest, CredentialsError, KeyRotation, UnreadableCredential};
pub use store::{Backend, SqlStore, StoreConfig};
