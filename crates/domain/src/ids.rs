//! Typed identifiers. Each id is a UUID (version 7 when Kasa makes it, so rows sort by creation
//! time), wrapped so that ids of different things cannot be mixed up. Making a new id reads the
//! clock and is therefore done outside the core crates (see `kasa_ports::new_id`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! define_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Wraps an existing UUID.
            #[must_use]
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The UUID inside.
            #[must_use]
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(formatter)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(text).map(Self)
            }
        }
    };
}

define_id!(
    /// A customer of the support organisation.
    CustomerId
);
define_id!(
    /// A department of the help desk (sales, technical support, ...).
    DepartmentId
);
define_id!(
    /// A billing package on (or off) sale.
    PackageId
);
define_id!(
    /// One purchase of one package by one customer, paid or granted.
    PurchaseId
);
define_id!(
    /// One payment attempt through a gateway.
    PaymentId
);
define_id!(
    /// One capture, void or refund an agent asked of a payment's gateway.
    PaymentActionId
);
define_id!(
    /// One refund or void waiting for a second person's approval (four eyes).
    ApprovalRequestId
);
define_id!(
    /// One entry of the credit ledger.
    LedgerEntryId
);
define_id!(
    /// One ticket or chat that was let through (charged or free).
    UsageChargeId
);
define_id!(
    /// One entry of the audit log.
    AuditEntryId
);
define_id!(
    /// One message waiting in (or delivered from) the outbox.
    OutboxMessageId
);
define_id!(
    /// An operator, agent or finance user.
    UserId
);
define_id!(
    /// An API key of a help desk or integrator.
    ApiKeyId
);
define_id!(
    /// A customer's billing link (its token is never stored).
    BillingLinkId
);
define_id!(
    /// An invoice, receipt or credit note.
    InvoiceId
);
define_id!(
    /// A help desk's integration: the panel beside its tickets (its secret is stored sealed).
    IntegrationId
);
define_id!(
    /// A call queued for a help desk's API (an internal note and tags on a ticket).
    HelpDeskCallId
);
define_id!(
    /// A billing question a customer asked from their billing page.
    QuestionId
);
define_id!(
    /// An agent's request that a customer pay a package (a payment request).
    PaymentRequestId
);
define_id!(
    /// A coupon: a code customers enter at checkout for a discount.
    CouponId
);
define_id!(
    /// An integrator's webhook endpoint: a URL Kasa posts signed events to.
    WebhookEndpointId
);
define_id!(
    /// A webhook event: one fact Kasa reports to the endpoints that subscribe to its type.
    WebhookEventId
);
