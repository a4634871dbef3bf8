//! Help Scout: the signature on webhooks and Dynamic App requests, and (added by the issues that
//! need them) its wire types and API client.

pub mod client;
pub mod event;
pub mod signature;
