//! Zendesk: webhook signatures, and (added by the issues that need them) its wire types and API
//! client.

pub mod signature;
pub mod jwt;
