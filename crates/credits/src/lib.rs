//! Kasa's credit rules, pure: the append-only credit ledger and the decision whether a ticket or
//! chat may open and what it costs (product rules 1, 7, 8 and 9).
//!
//! Promises: the balance is the sum of the entries and is never negative; a ticket or chat key is
//! consumed at most once; a purchase is granted at most once and reversed at most once. Nothing
//! here does IO or reads the clock.
//!
//! [`liability`] values credits first in, first out: the lots kept with a holding and what each
//! movement moved (the prepaid-credit liability).
//!
//! [`books`] checks stored books against the same rules (`kasa verify`): every customer's
//! ledger replayed, invoice numbers checked for gaps.

pub mod books;
mod charge;
mod ledger;
pub mod liability;

pub use charge::{ChargeDecision, ChargeRefusal, decide_charge, packages_covering};
pub use ledger::{CreditLedger, CreditMovement, LedgerEntry, LedgerEntryKind, LedgerError};
