//! Kasa's vocabulary: the values every other crate talks in.
//!
//! Money is a decimal amount with a currency and never a float; credits are whole numbers that
//! are never negative; ids are typed so that a package id cannot be passed where a customer id is
//! expected. Every constructor checks its invariants, so a value of these types is valid by
//! construction, including when it is read back from a database. Nothing here does IO or reads
//! the clock: the current time is always a parameter.

mod access;
mod actor;
mod card;
mod coupon;
mod credits;
mod customer;
mod department;
mod email;
mod holding;
mod ids;
pub mod instant;
mod integration;
mod money;
mod package;
mod tax;
mod usage;

pub use access::{Permission, Role, UnknownRole};
pub use actor::{Actor, ActorLabelError, Reason, ReasonError};
pub use card::{CustomerCard, DepartmentEnablement};
pub use coupon::{
    Coupon, CouponCode, CouponCodeError, CouponDefinition, CouponDiscount, CouponError,
    CouponPrice, CouponRefusal, CouponUsage,
};
pub use credits::{Credits, CreditsError};
pub use customer::{Customer, CustomerError, ExternalId, Language, TaxDetails, TaxId};
pub use department::{Department, DepartmentError};
pub use email::{EmailAddress, EmailAddressError};
pub use holding::{Holding, Subscription, SubscriptionTerm, SubscriptionTermError};
pub use ids::{
    ApiKeyId, ApprovalRequestId, AuditEntryId, BillingLinkId, CouponId, CustomerId, DepartmentId,
    HelpDeskCallId, IntegrationId, InvoiceId, LedgerEntryId, OutboxMessageId, PackageId,
    PaymentActionId, PaymentId, PaymentRequestId, PurchaseId, QuestionId, UsageChargeId, UserId,
};
pub use ids::{WebhookEndpointId, WebhookEventId};
pub use integration::{FrameOrigin, FrameOriginError, IntegrationKind, UnknownIntegrationKind};
pub use money::{Currency, Money, MoneyError};
pub use package::{Package, PackageDescription, PackageError, PackageKind};
pub use rust_decimal::Decimal;
pub use tax::{PriceBasis, TaxRate, TaxRateError, TaxedAmount};
pub use usage::{UsageKey, UsageKeyError, UsageKind};

/// Whole days as a duration; subscription terms and the renewal window are counted in days of
/// 24 hours.
#[must_use]
pub fn days(count: u32) -> time::Duration {
    time::Duration::days(i64::from(count))
}
