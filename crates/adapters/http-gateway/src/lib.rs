//! Kasa's `http` gateway: the [`kasa_ports::PaymentGateway`] port forwarded to the integrator's
//! own endpoint, so a payment provider Kasa has no adapter for is plugged in without changing
//! Kasa. The JSON contract is docs/http-gateway.md; the decisions are ADR 0024.
//!
//! Promises: every request is signed (`Kasa-Signature`, HMAC-SHA256 over the timestamp and the
//! raw body, as Kasa's outgoing webhooks) and carries an `Idempotency-Key` that is the same
//! whenever the same operation is sent again; every answer, and every result the integrator's
//! payment page posts back through the customer's browser, must be signed the same way with the
//! shared secret, or it is refused ([`kasa_ports::GatewayError::InvalidSignature`]) and nothing
//! is taken from it. A status Kasa does not know is pending, never success. Amounts are decimal
//! strings with the ISO currency code, never floats. Every exchange times out; the shared
//! secret is never logged or printed. HTTPS through hyper and rustls on *ring* (ADR 0006);
//! plain `http://` only on loopback.
//!
//! - [`HttpGatewayConfig`]: the settings (`endpoint_url`, `timeout_seconds`, `shared_secret`).
//! - [`HttpGateway`]: the port.
//! - [`signature`]: the `Kasa-Signature` scheme, public for tests and receivers written in Rust.
//! - [`DESCRIPTOR`]: what the registry lists.

pub mod client;
pub mod config;
pub mod descriptor;
pub mod gateway;
pub mod signature;

pub use client::{EndpointClient, idempotency_key};
pub use config::HttpGatewayConfig;
pub use descriptor::{CAPABILITIES, DESCRIPTOR};
pub use gateway::{GATEWAY_NAME, HttpGateway, PAYLOAD_FIELD, SIGNATURE_FIELD};
