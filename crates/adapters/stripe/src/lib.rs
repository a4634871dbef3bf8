//! Kasa's Stripe gateway adapter: the [`kasa_ports::PaymentGateway`] port on Stripe's
//! PaymentIntents ([`StripeGateway`]), a small typed API client for what Kasa does at Stripe
//! beyond the port ([`StripeClient`]: customers, saved cards through SetupIntents, plans and
//! subscriptions, tax IDs, refunds), and signed webhooks ([`verify_signature`], [`StripeEvent`]).
//!
//! Promises: a payment is reported captured or authorised only from a webhook whose
//! `Stripe-Signature` verifies with the endpoint secret within the tolerance, or from Stripe's
//! own answer to a status query; a status the adapter does not recognise is pending, never
//! success. Every POST carries an `Idempotency-Key` derived from Kasa's ids (ADR 0007), so a
//! retried call never does the work twice. Money crosses the edge as integer minor units and
//! lower-case currency codes, never floats. The secret key and the webhook secret never appear
//! in `Debug` output or error texts. HTTP is hyper with rustls on *ring* (ADR 0006), plain
//! `http` only to this machine (localstripe in tests).
//!
//! - [`StripeConfig`]: an account's settings, read from Kasa's payment-system settings.
//! - [`StripeClient`]: the API client ([`Form`] bodies in Stripe's bracket notation,
//!   [`IdempotencyKey`]s, [`StripeError`] turned into [`kasa_ports::GatewayError`]).
//! - [`StripeGateway`]: the port, plus [`StripeGateway::verify_webhook`].
//! - [`StripeEvent`], [`HandledEvent`]: webhook events and the ones Kasa acts on.
//! - [`types`]: Stripe's objects as read (tolerant of missing, `null` and unknown fields).
//! - [`webhook`]: the `Stripe-Signature` check itself.

pub mod client;
pub mod config;
pub mod descriptor;
pub mod event;
pub mod form;
pub mod gateway;
pub mod types;
pub mod webhook;

pub use client::{
    NewCustomer, NewPlan, PlanInterval, StripeClient, StripeError, from_stripe_amount,
    to_stripe_amount,
};
pub use config::{Dialect, StripeConfig};
pub use descriptor::{CAPABILITIES, DESCRIPTOR};
pub use event::{HandledEvent, StripeEvent};
pub use form::{Form, IdempotencyKey};
pub use gateway::{GATEWAY_NAME, ORDER_ID_METADATA_KEY, StripeGateway, payment_status};
pub use webhook::{SignatureError, sign, verify_signature};
