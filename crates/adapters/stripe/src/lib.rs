//! Kasa's Stripe gateway adapter. This first part is the webhook signature: Stripe signs each
//! delivery with `Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256 over "<t>.<raw body>">`
//! (several `v1` values while a secret is being rolled); a delivery verifies when any `v1`
//! matches and `t` is within the tolerance.

pub mod webhook;

pub use webhook::{SignatureError, verify_signature};
