//! Kasa's help-desk adapters: what Kasa needs to know of Zendesk, Freshdesk and Help Scout.
//!
//! A module per vendor holds that vendor's wire types, how its deliveries are signed and its API
//! client; nothing vendor-shaped leaves this crate (kasa-billing never sees a help-desk type).
//! The signature checks are pure functions: the server calls them on each delivery, and
//! `kasa helpdesk verify` calls the same ones for an operator debugging a setup.

pub mod event;
pub mod freshdesk;
pub mod generic;
pub mod helpscout;
pub mod signature;
pub mod zendesk;
