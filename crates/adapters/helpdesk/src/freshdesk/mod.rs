//! Freshdesk: its automation webhooks carry no signature, so Kasa checks a shared secret the
//! operator puts in a header (or basic auth) of the rule's webhook; and (added by the issues that
//! need them) its wire types and API client.

pub mod client;
pub mod event;
pub mod signature;
