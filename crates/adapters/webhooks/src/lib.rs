//! Kasa's outgoing webhooks on the wire (ADR 0022): how a delivery is signed and verified
//! ([`signature`]: Stripe's scheme, `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`, under
//! Kasa's own header name [`signature::HEADER`]) and how one event is posted ([`sender`]: one
//! POST with a timeout, the answer's status and the start of its body kept for the log).
//!
//! Promises: the secret never leaves [`signature::sign`]; a verification compares in constant
//! time and refuses a timestamp further than the tolerance from now; nothing is retried here
//! (the caller's outbox decides when to try again).

pub mod sender;
pub mod signature;

pub use sender::{Delivered, UrlRefused, WebhookSender, check_url};
pub use signature::{HEADER, SignatureError, TOLERANCE_SECONDS, sign, verify};
