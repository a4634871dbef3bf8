//! The JSON shapes of what a customer holds and of the billing records (charges, purchases,
//! ledger, audit, invoices), shared by several parts of the API (and the staff console).

use kasa_credits::LedgerEntry;
use kasa_domain::Holding;
use kasa_ports::{AuditEntry, Purchase, PurchaseItem, UsageCharge};
use poem_openapi::Object;
use time::OffsetDateTime;

use super::MoneyBody;
use super::catalog::PackageBody;
use crate::dates::rfc3339;

/// What a customer holds.
#[derive(Debug, Object)]
pub struct HoldingBody {
    /// `nothing`, `credits` or `subscription`.
    pub kind: String,
    /// The credit balance (credits).
    pub balance: Option<i64>,
    /// The subscription (subscription).
    pub subscription: Option<SubscriptionBody>,
}

/// A subscription.
#[derive(Debug, Object)]
pub struct SubscriptionBody {
    /// When the first term started.
    pub starts_at: String,
    /// When the last term ends.
    pub ends_at: String,
    /// Whole days left.
    pub days_left: i64,
    /// Set to end at its end (cancelled).
    pub cancel_at_end: bool,
    /// The back-to-back terms.
    pub terms: Vec<TermBody>,
}

/// One paid term.
#[derive(Debug, Object)]
pub struct TermBody {
    /// The purchase that paid it.
    pub purchase_id: String,
    /// Start.
    pub starts_at: String,
    /// End.
    pub ends_at: String,
}

/// A holding as JSON.
pub fn holding_body(holding: &Holding, now: OffsetDateTime) -> HoldingBody {
    match holding {
        Holding::Nothing => HoldingBody {
            kind: "nothing".to_owned(),
            balance: None,
            subscription: None,
        },
        Holding::Credits { balance } => HoldingBody {
            kind: "credits".to_owned(),
            balance: Some(balance.get()),
            subscription: None,
        },
        Holding::Subscription(subscription) => HoldingBody {
            kind: "subscription".to_owned(),
            balance: None,
            subscription: Some(SubscriptionBody {
                starts_at: rfc3339(subscription.starts_at()),
                ends_at: rfc3339(subscription.ends_at()),
                days_left: subscription.remaining_at(now).whole_days(),
                cancel_at_end: subscription.cancel_at_end(),
                terms: subscription
                    .terms()
                    .iter()
                    .map(|term| TermBody {
                        purchase_id: term.purchase_id.to_string(),
                        starts_at: rfc3339(term.starts_at),
                        ends_at: rfc3339(term.ends_at),
                    })
                    .collect(),
            }),
        },
    }
}

/// A ticket or chat charged.
#[derive(Debug, Object)]
pub struct UsageChargeBody {
    /// Its id.
    pub id: String,
    /// Ticket or chat.
    pub kind: String,
    /// The help desk's id.
    pub reference: String,
    /// The department.
    pub department_id: String,
    /// Credits consumed.
    pub credits: i64,
    /// `free`, `subscription` or `credits`.
    pub basis: String,
    /// The balance after.
    pub balance_after: Option<i64>,
    /// When.
    pub at: String,
}

impl From<UsageCharge> for UsageChargeBody {
    fn from(charge: UsageCharge) -> Self {
        Self {
            id: charge.id.to_string(),
            kind: charge.usage.kind().label().to_owned(),
            reference: charge.usage.reference().to_owned(),
            department_id: charge.department_id.to_string(),
            credits: charge.credits.get(),
            basis: charge.basis.label().to_owned(),
            balance_after: charge.balance_after.map(|balance| balance.get()),
            at: rfc3339(charge.at),
        }
    }
}

/// A payment.
#[derive(Debug, Object)]
pub struct PaymentBody {
    /// Gateway.
    pub gateway: String,
    /// Kasa's order id there.
    pub order_id: String,
    /// Amount.
    pub amount: MoneyBody,
    /// Where it stands.
    pub status: String,
    /// The gateway's reference.
    pub reference: Option<String>,
    /// Why it failed.
    pub failure: Option<String>,
}

/// A purchase.
#[derive(Debug, Object)]
pub struct PurchaseBody {
    /// Its id.
    pub id: String,
    /// The customer.
    pub customer_id: String,
    /// The package as bought; absent when the purchase pays an amount asked for.
    pub package: Option<PackageBody>,
    /// The amount asked for and what for, when the purchase pays a payment request for an
    /// amount (no package: it changed no credits, subscription or department).
    pub amount_item: Option<AmountItemBody>,
    /// `pending`, `completed`, `failed` or `needs_attention`.
    pub status: String,
    /// How it was bought.
    pub channel: String,
    /// When it started.
    pub created_at: String,
    /// When it was applied.
    pub completed_at: Option<String>,
    /// Its payment (none for a free grant).
    pub payment: Option<PaymentBody>,
    /// What applying it did (balance after, term, forfeiture).
    pub outcome: Option<serde_json::Value>,
    /// The coupon it used; its payment is the list price less the discount.
    pub coupon: Option<PurchaseCouponBody>,
}

/// An amount a customer was asked to pay, not tied to a package.
#[derive(Debug, Object)]
pub struct AmountItemBody {
    /// What it pays for (the invoice line's text).
    pub description: String,
    /// How much.
    pub amount: MoneyBody,
}

/// The coupon a purchase used.
#[derive(Debug, Object)]
pub struct PurchaseCouponBody {
    /// The coupon's id.
    pub coupon_id: String,
    /// Its code.
    pub code: String,
    /// The package's price before the discount.
    pub list_price: MoneyBody,
    /// What the coupon took off.
    pub discount: MoneyBody,
}

impl From<Purchase> for PurchaseBody {
    fn from(purchase: Purchase) -> Self {
        Self {
            id: purchase.id.to_string(),
            customer_id: purchase.customer_id.to_string(),
            package: purchase.item.package().cloned().map(PackageBody::from),
            amount_item: match purchase.item {
                PurchaseItem::Package(_) => None,
                PurchaseItem::Amount(item) => Some(AmountItemBody {
                    description: item.description,
                    amount: item.amount.into(),
                }),
            },
            status: purchase.status.label().to_owned(),
            channel: serde_json::to_value(purchase.channel)
                .ok()
                .and_then(|value| value.as_str().map(str::to_owned))
                .unwrap_or_default(),
            created_at: rfc3339(purchase.created_at),
            completed_at: purchase.completed_at.map(rfc3339),
            payment: purchase.payment.map(|payment| PaymentBody {
                gateway: payment.gateway.to_string(),
                order_id: payment.order_id.to_string(),
                amount: payment.amount.into(),
                status: payment.status.label().to_owned(),
                reference: payment.reference.map(|reference| reference.to_string()),
                failure: payment.failure,
            }),
            outcome: purchase
                .outcome
                .and_then(|outcome| serde_json::to_value(outcome).ok()),
            coupon: purchase.coupon.map(|coupon| PurchaseCouponBody {
                coupon_id: coupon.coupon_id.to_string(),
                code: coupon.code.to_string(),
                list_price: coupon.list_price.into(),
                discount: coupon.discount.into(),
            }),
        }
    }
}

/// A credit ledger entry.
#[derive(Debug, Object)]
pub struct LedgerEntryBody {
    /// `granted`, `consumed`, `forfeited`, `adjusted` or `reversed`.
    pub kind: String,
    /// The signed change.
    pub delta: i64,
    /// The balance after.
    pub balance_after: i64,
    /// Who (`agent:<id>`, `help_desk:<key id>`, ...).
    pub actor: String,
    /// Why.
    pub reason: String,
    /// When.
    pub at: String,
}

impl From<LedgerEntry> for LedgerEntryBody {
    fn from(entry: LedgerEntry) -> Self {
        Self {
            kind: entry.kind.label().to_owned(),
            delta: entry.delta,
            balance_after: entry.balance_after.get(),
            actor: entry.actor.to_string(),
            reason: entry.reason.as_str().to_owned(),
            at: rfc3339(entry.at),
        }
    }
}

/// An audit entry.
#[derive(Debug, Object)]
pub struct AuditEntryBody {
    /// Its id (the cursor for the next page).
    pub id: String,
    /// When.
    pub at: String,
    /// Who (`agent:<id>`, ...).
    pub actor: String,
    /// Why.
    pub reason: String,
    /// The request that did it.
    pub request_id: Option<String>,
    /// What (`purchase.completed`, `credits.adjusted`, ...).
    pub action: String,
    /// About what (`customer:<id>`, ...).
    pub subject: String,
    /// The state before.
    pub before: Option<serde_json::Value>,
    /// The state after.
    pub after: Option<serde_json::Value>,
}

impl From<AuditEntry> for AuditEntryBody {
    fn from(entry: AuditEntry) -> Self {
        Self {
            id: entry.id.to_string(),
            at: rfc3339(entry.at),
            actor: entry.context.actor.to_string(),
            reason: entry.context.reason.as_str().to_owned(),
            request_id: entry.context.request_id,
            action: entry.record.action,
            subject: entry.record.subject,
            before: entry.record.before,
            after: entry.record.after,
        }
    }
}

/// An invoice, receipt or credit note as issued.
#[derive(Debug, Object)]
pub struct InvoiceBody {
    /// Its id.
    pub id: String,
    /// Its number, e.g. `KSA-2026-000001`.
    pub number: String,
    /// `invoice`, `receipt` or `credit_note`.
    pub kind: String,
    /// The purchase it bills.
    pub purchase_id: String,
    /// When issued.
    pub issued_at: String,
    /// Before tax.
    pub net: MoneyBody,
    /// The tax (KDV).
    pub tax: MoneyBody,
    /// The total paid.
    pub gross: MoneyBody,
    /// Seller, buyer, lines and payment, frozen at issue.
    pub document: serde_json::Value,
    /// The invoice a credit note corrects.
    pub refers_to: Option<String>,
}

impl From<kasa_ports::Invoice> for InvoiceBody {
    fn from(invoice: kasa_ports::Invoice) -> Self {
        let issued = invoice.issued;
        Self {
            id: issued.id.to_string(),
            number: invoice.number.to_string(),
            kind: serde_json::to_value(issued.kind)
                .ok()
                .and_then(|value| value.as_str().map(str::to_owned))
                .unwrap_or_default(),
            purchase_id: issued.purchase_id.to_string(),
            issued_at: rfc3339(issued.issued_at),
            net: issued.total.net.into(),
            tax: issued.total.tax.into(),
            gross: issued.total.gross.into(),
            document: issued.document,
            refers_to: issued.refers_to.map(|id| id.to_string()),
        }
    }
}
