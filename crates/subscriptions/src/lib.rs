//! Kasa's subscription and purchase rules, pure: one kind at a time, credit top-ups, the 30-day
//! renewal window, switching kinds and forfeiture, expiry and cancellation (product rules 3-6
//! and the ending half of rule 8).
//!
//! Promises: a renewal never loses a paid day (the new term starts where the old one ends);
//! nothing is forfeited without an explicit confirmation; a refusal says what to do next (from
//! which date renewal opens, or exactly what would be forfeited). Nothing here does IO or reads
//! the clock.

mod cancellation;
mod purchase;

pub use cancellation::{
    CancellationError, CancellationPlan, CancellationTiming, TermRefund, expired_terms,
    plan_cancellation,
};
pub use purchase::{
    ForfeitConfirmation, Forfeiture, HoldingEnd, PurchaseChannel, PurchaseDecision, PurchaseEffect,
    PurchaseRefusal, RENEWAL_WINDOW_DAYS, decide_purchase, renewal_opens_at,
};
