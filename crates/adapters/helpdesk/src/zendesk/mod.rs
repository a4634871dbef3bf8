//! Zendesk: webhook signatures, and (added by the issues that need them) its wire types and API
//! client.

pub mod client;
pub mod event;
pub mod jwt;
pub mod signature;
