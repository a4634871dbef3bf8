//! Kasa's use cases: what the server (and embedding developers) call to sell packages, charge
//! tickets and chats, and let agents act on a customer's billing.
//!
//! Promises: every use case decides with the pure rules of `kasa-credits` and
//! `kasa-subscriptions` and changes state through exactly one atomic store call (retrying the
//! decision when the customer's holding moved meanwhile); every change carries an actor and a
//! reason; a paid purchase is applied at most once whatever arrives how often; nothing here
//! knows SQL, HTTP or a vendor.

mod adjust;
mod approvals;
mod billing;
mod cancel;
mod charge;
mod coupons;
pub mod declines;
mod expiry;
mod grant;
mod imports;
mod invoicing;
mod notifications;
mod payment_actions;
mod payment_jobs;
mod payment_requests;
pub mod portal_history;
mod purchase;
mod questions;
mod recurring;
pub mod reports;
mod resend;
mod verify;
mod webhook_mail;
mod webhooks;

pub use adjust::AdjustCreditsError;
pub use approvals::{ApprovalError, ApprovalListing, DecideApproval, GiveBackOutcome};
pub use billing::{Billing, BillingPorts, DeliveryPolicy, EventThresholds, Gateways};
pub use cancel::{CancelSubscriptionError, CancelledSubscription, ProratedRefund};
pub use charge::{ChargeError, ChargeOutcome, ChargeUsage};
pub use coupons::{CheckCouponError, CouponCheck, CreateCouponError};
pub use expiry::{EndingSoonReport, ExpiryReport};
pub use grant::{GrantPackage, GrantPackageError, recorded_outside_gateways};
pub use imports::{ImportDone, ImportPayment, ImportPaymentError};
pub use notifications::{
    DeliveryReport, RenderError, parse_reply_address, render_purchase_notification, reply_address,
};
pub use payment_actions::{
    ActOnPayment, PaymentActionDone, PaymentActionError, RefundAllowance, RequestedAction,
    refund_limit_day,
};
pub use payment_jobs::ResolvedAction;
pub use payment_requests::{
    CancelPaymentRequestError, CreatePaymentRequest, CreatePaymentRequestError, DEFAULT_VALID_DAYS,
    MAX_AMOUNT, MAX_DESCRIPTION_CHARS, MAX_VALID_DAYS, PayRequestError, PaymentRequestDraft,
    PaymentRequests, RequestedItem, StartRequestPayment,
};
pub use purchase::{
    CompletePurchaseError, PurchaseCompletion, StartPurchase, StartPurchaseError, StartedPurchase,
};
pub use questions::{
    AskQuestion, AskQuestionError, MESSAGE_MAX_CHARS, QUESTIONS_PER_HOUR, SUBJECT_MAX_CHARS,
};
pub use recurring::{StartRecurring, StartRecurringError};
pub use resend::ResendDocumentError;
pub use verify::{
    BooksChecked, BooksObserver, BooksPages, BooksProblem, BooksSection, PaymentProblem,
    payment_problems, verify_books,
};
pub use webhooks::{WebhookError, WebhookOutcome};

/// How often a use case re-reads and re-decides when the customer's holding moved meanwhile.
const MAX_DECISION_ATTEMPTS: u32 = 5;
