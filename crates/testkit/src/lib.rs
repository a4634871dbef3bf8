//! Kasa's test kit (a dev-dependency only): an in-memory store that implements every store port
//! with the same guarantees the real stores give (all-or-nothing calls, one grant per purchase,
//! one charge per ticket, a balance never below zero, an append-only audit log), a settable
//! clock, a fake gateway with a checkable signature, a recording mailer, and builders.
//!
//! The store contract suite ([`contract`], [`store_contract_tests!`]) runs the same cases on
//! every store. The in-memory store is built on the pure ledger of `kasa-credits`, so it is also the
//! reference the database-backed stores are compared with.

pub mod contract;
mod doubles;
mod fixtures;
pub mod help_desks;
pub mod localstripe;
pub mod maildev;
mod memory_store;

pub use doubles::{FakeClock, FakeGateway, RecordingMailer, TextDocuments};
pub use fixtures::{
    TestBilling, agent_context, credit_package, customer, department, help_desk_actor,
    subscription_package, try_money,
};
pub use memory_store::MemoryStore;
